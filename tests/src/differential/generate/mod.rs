//! Searches made up from the events' own values: queries of every kind the dashboard and
//! its users send, nested, with sorts, pages and aggregations.

use serde_json::{json, Value};

use super::data::{self, Kind, DAY, START, WORDS};
use super::Rng;

mod aggs;
mod query;

pub struct Generator<'a> {
    pub rng: Rng,
    events: &'a [Value],
    fields: Vec<(&'static str, Kind)>,
}

impl<'a> Generator<'a> {
    pub fn new(seed: u64, events: &'a [Value], index: &str) -> Generator<'a> {
        Generator {
            rng: Rng::new(seed),
            events,
            fields: data::fields(index),
        }
    }

    /// A `_search` body.
    pub fn search(&mut self) -> Value {
        let mut body = serde_json::Map::new();
        if !self.rng.one_in(6) {
            body.insert("query".into(), self.query(2));
        }
        let size = if self.rng.one_in(3) {
            0
        } else {
            self.rng.between(1, 12)
        };
        body.insert("size".into(), json!(size));
        if size > 0 && self.rng.one_in(4) {
            body.insert("from".into(), json!(self.rng.between(1, 6)));
        }
        if size > 0 {
            let sort = self.sort();
            if !body.contains_key("from") && self.rng.one_in(6) {
                body.insert("search_after".into(), self.search_after(&sort));
            }
            body.insert("sort".into(), sort);
            if self.rng.one_in(5) {
                body.insert("_source".into(), self.source_filter());
            }
        }
        match self.rng.below(6) {
            0 | 1 => {
                body.insert("track_total_hits".into(), json!(true));
            }
            2 => {
                body.insert("track_total_hits".into(), json!(self.rng.between(1, 40)));
            }
            _ => {}
        }
        if self.rng.one_in(8) {
            body.insert("post_filter".into(), self.query(1));
        }
        if !self.rng.one_in(3) {
            let mut aggs = serde_json::Map::new();
            for n in 0..self.rng.between(1, 2) {
                aggs.insert(format!("a{n}"), self.aggregation(1));
            }
            body.insert("aggs".into(), Value::Object(aggs));
        }
        Value::Object(body)
    }

    /// A sort that orders every hit the same way on both sides: by a field, then `seq`.
    fn sort(&mut self) -> Value {
        let order = if self.rng.one_in(2) { "asc" } else { "desc" };
        let (field, kind) = self.field(|kind| kind != Kind::Text);
        let mut first = json!({"order": order});
        if self.rng.one_in(4) {
            first["missing"] = json!(if self.rng.one_in(2) {
                "_first"
            } else {
                "_last"
            });
        }
        if kind == Kind::Date && self.rng.one_in(4) {
            first["format"] = json!("strict_date_optional_time");
        }
        if self.rng.one_in(5) {
            first["mode"] = json!(*self.rng.pick(&["min", "max"]));
        }
        json!([{field: first}, {"seq": "asc"}])
    }

    /// Where a page after another starts: a value of the sort's first field (as an event
    /// holds it, or one none does), then a `seq`.
    fn search_after(&mut self, sort: &Value) -> Value {
        let first = sort[0]
            .as_object()
            .and_then(|keys| keys.keys().next().cloned());
        let kind = first.as_deref().and_then(|name| {
            self.fields
                .iter()
                .find(|(field, _)| *field == name)
                .map(|(_, kind)| *kind)
        });
        let value = match (first.as_deref(), kind) {
            (Some(_), Some(Kind::Date)) if self.rng.one_in(2) => {
                json!(START + self.rng.between(-DAY, 20 * DAY))
            }
            (Some(field), Some(kind)) => self.value(field, kind),
            _ => Value::Null,
        };
        json!([value, self.rng.below(data::EVENTS)])
    }

    /// `_source` as a request may cut it: fields by name or pattern, or none.
    fn source_filter(&mut self) -> Value {
        match self.rng.below(4) {
            0 => json!(false),
            1 => json!(["level", "st*"]),
            2 => json!({"includes": ["*"], "excludes": ["message", "tags"]}),
            _ => {
                let (field, _) = self.field(|_| true);
                json!(field.trim_end_matches(".keyword"))
            }
        }
    }

    /// A field of one of `kinds`.
    fn field(&mut self, accept: impl Fn(Kind) -> bool) -> (&'static str, Kind) {
        let fitting: Vec<_> = self
            .fields
            .iter()
            .filter(|(_, kind)| accept(*kind))
            .collect();
        **self.rng.pick(&fitting)
    }

    /// A value of `field` as an event holds it (or, now and then, one no event holds).
    fn value(&mut self, field: &str, kind: Kind) -> Value {
        let source = field.trim_end_matches(".keyword");
        if kind == Kind::Text {
            let word = *self.rng.pick(WORDS);
            return json!(if self.rng.one_in(3) {
                word.to_uppercase()
            } else {
                word.to_string()
            });
        }
        if self.rng.one_in(8) {
            return match kind {
                Kind::Keyword => json!("nowhere"),
                Kind::Long => json!(self.rng.between(-100, 1000)),
                Kind::Double | Kind::Float => json!(self.rng.unit() * 300.0),
                Kind::Bool => json!(self.rng.one_in(2)),
                _ => json!(logdash_core::time::format_iso8601(
                    START - self.rng.between(0, 60) * DAY
                )),
            };
        }
        for _ in 0..20 {
            let event = self.rng.pick(self.events);
            let found = match &event[source] {
                Value::Array(items) if !items.is_empty() => {
                    items[self.rng.below(items.len())].clone()
                }
                Value::Null | Value::Array(_) => continue,
                other => other.clone(),
            };
            return match (kind, &found) {
                (Kind::Date, Value::String(at)) if self.rng.one_in(3) => {
                    json!(at.get(..10).unwrap_or(at))
                }
                (Kind::Long | Kind::Double | Kind::Float, Value::Number(n))
                    if self.rng.one_in(5) =>
                {
                    json!(n.to_string())
                }
                _ => found,
            };
        }
        json!("nowhere")
    }
}
