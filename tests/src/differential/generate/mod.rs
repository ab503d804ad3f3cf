//! Searches made up from the events' own values: queries of every kind the dashboard and
//! its users send, nested, with sorts, pages and aggregations.

use serde_json::{json, Value};

use super::data::{self, Kind, DAY, START, WORDS};
use super::Rng;

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
            body.insert("sort".into(), self.sort());
        }
        if self.rng.one_in(3) {
            body.insert("track_total_hits".into(), json!(true));
        }
        if !self.rng.one_in(3) {
            let mut aggs = serde_json::Map::new();
            for n in 0..self.rng.between(1, 2) {
                aggs.insert(format!("a{n}"), self.aggregation(1, true));
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

    /// A query, nested up to `depth` `bool`s deep.
    pub fn query(&mut self, depth: usize) -> Value {
        let kinds = if depth > 0 { 14 } else { 12 };
        match self.rng.below(kinds) {
            0 => {
                let (field, kind) = self.field(|_| true);
                let mut term = json!({"value": self.value(field, kind)});
                if kind == Kind::Keyword && self.rng.one_in(3) {
                    term["case_insensitive"] = json!(true);
                }
                json!({"term": {field: term}})
            }
            1 => {
                let (field, kind) = self.field(|kind| kind != Kind::Text);
                let values: Vec<Value> = (0..self.rng.between(1, 4))
                    .map(|_| self.value(field, kind))
                    .collect();
                json!({"terms": {field: values}})
            }
            2 | 3 => self.range(),
            4 => {
                let words: Vec<String> = (0..self.rng.between(1, 3))
                    .map(|_| {
                        self.value("message", Kind::Text)
                            .as_str()
                            .unwrap_or("a")
                            .to_string()
                    })
                    .collect();
                let mut options = json!({"query": words.join(" ")});
                if self.rng.one_in(2) {
                    options["operator"] = json!(*self.rng.pick(&["and", "or"]));
                }
                if self.rng.one_in(4) {
                    options["minimum_should_match"] =
                        json!(*self.rng.pick(&["1", "2", "75%", "-1"]));
                }
                json!({"match": {"message": options}})
            }
            5 => {
                let event = self.rng.pick(self.events);
                let text = event["message"].as_str().unwrap_or("a");
                let words: Vec<&str> = text.split(' ').collect();
                let start = self.rng.below(words.len());
                let end = (start + self.rng.between(1, 3) as usize).min(words.len());
                let phrase = words[start..end].join(" ");
                if self.rng.one_in(3) {
                    json!({"match_phrase_prefix": {"message": phrase}})
                } else {
                    json!({"match_phrase": {"message": phrase}})
                }
            }
            6 => {
                let (field, _) = self.field(|_| true);
                json!({"exists": {"field": field}})
            }
            7 => {
                let (field, kind) = self.field(|kind| kind == Kind::Keyword);
                let value = self.value(field, kind);
                let text = value.as_str().unwrap_or("u").to_string();
                let cut: String = text.chars().take(self.rng.between(1, 3) as usize).collect();
                match self.rng.below(3) {
                    0 => json!({"prefix": {field: cut}}),
                    1 => json!({"wildcard": {field: format!("{cut}*")}}),
                    _ => {
                        json!({"wildcard": {field: format!("*{}", &text[text.len().saturating_sub(2)..])}})
                    }
                }
            }
            8 => self.query_string(),
            9 => {
                let ids: Vec<String> = (0..3)
                    .map(|_| format!("{}", self.rng.below(data::EVENTS + 5)))
                    .collect();
                json!({"ids": {"values": ids}})
            }
            10 => json!({"match_all": {}}),
            11 => {
                let word = self.value("message", Kind::Text);
                json!({"multi_match": {"query": word, "fields": ["message", "level", "logger*"]}})
            }
            12 => json!({"constant_score": {"filter": self.query(depth - 1)}}),
            _ => self.boolean(depth),
        }
    }

    fn boolean(&mut self, depth: usize) -> Value {
        let mut clauses = serde_json::Map::new();
        for occur in ["must", "filter", "should", "must_not"] {
            let n = self.rng.between(0, 2);
            if n > 0 {
                let queries: Vec<Value> = (0..n).map(|_| self.query(depth - 1)).collect();
                clauses.insert(occur.into(), Value::Array(queries));
            }
        }
        if clauses.contains_key("should") && self.rng.one_in(3) {
            clauses.insert(
                "minimum_should_match".into(),
                json!(*self.rng.pick(&[1, 2])),
            );
        }
        json!({"bool": clauses})
    }

    fn range(&mut self) -> Value {
        let (field, kind) = self.field(|kind| !matches!(kind, Kind::Text | Kind::Bool));
        let mut bounds = serde_json::Map::new();
        let lower = self.value(field, kind);
        let upper = self.value(field, kind);
        if self.rng.one_in(3) || bounds.is_empty() {
            bounds.insert((*self.rng.pick(&["gt", "gte"])).into(), lower);
        }
        if !self.rng.one_in(3) {
            bounds.insert((*self.rng.pick(&["lt", "lte"])).into(), upper);
        }
        if kind == Kind::Date && self.rng.one_in(4) {
            bounds.insert(
                "gte".into(),
                json!(*self.rng.pick(&["now-400d", "2025-11-01||+1M", "now-1y/y"])),
            );
        }
        json!({"range": {field: bounds}})
    }

    /// A Lucene query: fielded and bare terms, ranges and patterns, joined by operators or
    /// side by side (bare words side by side are one chunk for Elasticsearch).
    fn query_string(&mut self) -> Value {
        let mut parts = Vec::new();
        for _ in 0..self.rng.between(1, 3) {
            let (field, kind) = self.field(|kind| kind != Kind::Date);
            let value = self.value(field, kind);
            let text = match &value {
                Value::String(s) if s.contains(' ') => format!("\"{s}\""),
                Value::String(s) => s.replace('-', "\\-").replace('.', "\\."),
                other => other.to_string(),
            };
            let part = match (kind, self.rng.below(4)) {
                (Kind::Long | Kind::Double | Kind::Float, 0) => format!("{field}:>={text}"),
                (Kind::Long, 1) => format!("{field}:[{text} TO *]"),
                (Kind::Keyword, 1) => format!("{field}:{}*", text.chars().next().unwrap_or('u')),
                (_, 2) => text,
                _ => format!("{field}:{text}"),
            };
            parts.push(part);
        }
        let joiner = *self.rng.pick(&[" ", " AND ", " OR ", " AND NOT "]);
        let mut options = json!({"query": parts.join(joiner)});
        if self.rng.one_in(3) {
            options["default_operator"] = json!("AND");
        }
        if self.rng.one_in(2) {
            options["lenient"] = json!(true);
        }
        json!({"query_string": options})
    }

    /// An aggregation (`top`: at the top of the request), with up to `depth` levels of
    /// sub-aggregations.
    pub fn aggregation(&mut self, depth: usize, top: bool) -> Value {
        let mut aggregation = match self.rng.below(9) {
            0 | 1 => {
                let (field, _) = self.field(|kind| kind != Kind::Text);
                let mut terms = json!({"field": field, "size": self.rng.between(1, 8)});
                match self.rng.below(4) {
                    0 => terms["order"] = json!({"_key": "asc"}),
                    1 => terms["order"] = json!({"_key": "desc"}),
                    2 => terms["order"] = json!({"_count": "asc"}),
                    _ => {}
                }
                if self.rng.one_in(4) {
                    terms["min_doc_count"] = json!(self.rng.between(0, 3));
                }
                if self.rng.one_in(5) {
                    terms["missing"] = json!(self.value(field, Kind::Keyword));
                }
                json!({"terms": terms})
            }
            2 => {
                let (field, _) =
                    self.field(|kind| matches!(kind, Kind::Long | Kind::Double | Kind::Float));
                let interval = *self.rng.pick(&[1.0, 5.0, 10.0, 50.0, 0.25, 100.0]);
                let mut histogram = json!({"field": field, "interval": interval});
                if self.rng.one_in(3) {
                    histogram["min_doc_count"] = json!(1);
                }
                json!({"histogram": histogram})
            }
            3 => {
                let (field, _) = self.field(|kind| kind == Kind::Date);
                let mut histogram = json!({"field": field});
                if self.rng.one_in(2) {
                    histogram["fixed_interval"] = json!(*self.rng.pick(&["30m", "1h", "3h", "1d"]));
                } else {
                    histogram["calendar_interval"] =
                        json!(*self.rng.pick(&["hour", "day", "week", "month"]));
                }
                if self.rng.one_in(3) {
                    histogram["time_zone"] =
                        json!(*self
                            .rng
                            .pick(&["Europe/Berlin", "-05:00", "America/New_York"]));
                }
                if self.rng.one_in(3) {
                    histogram["min_doc_count"] = json!(1);
                }
                json!({"date_histogram": histogram})
            }
            4 => {
                let (field, _) =
                    self.field(|kind| matches!(kind, Kind::Long | Kind::Double | Kind::Float));
                let a = self.rng.between(-20, 150);
                let b = a + self.rng.between(1, 200);
                let mut range = json!({"field": field, "ranges": [{"to": a}, {"from": a, "to": b}, {"from": b}]});
                if self.rng.one_in(3) {
                    range["keyed"] = json!(true);
                }
                json!({"range": range})
            }
            5 => json!({"filter": self.query(1)}),
            6 => {
                let (field, _) = self.field(|_| true);
                json!({"missing": {"field": field}})
            }
            _ => self.metric(top),
        };
        let buckets = aggregation.get("terms").is_some()
            || aggregation.get("histogram").is_some()
            || aggregation.get("date_histogram").is_some()
            || aggregation.get("range").is_some()
            || aggregation.get("filter").is_some()
            || aggregation.get("missing").is_some();
        if buckets && depth > 0 && !self.rng.one_in(3) {
            let inner = match self.rng.one_in(3) {
                true => self.aggregation(depth - 1, false),
                false => self.metric(false),
            };
            aggregation["aggs"] = json!({"inner": inner});
        }
        aggregation
    }

    /// A metric (`top`: at the top of the request). Below a bucket, no `cardinality`: the
    /// store's is tantivy's HyperLogLog there, which may be a value or two off the exact
    /// count Elasticsearch gives below 3,000 (a known difference, DESIGN.md).
    fn metric(&mut self, top: bool) -> Value {
        let mut kinds = vec![
            "avg",
            "sum",
            "min",
            "max",
            "stats",
            "value_count",
            "percentiles",
            "extended_stats",
        ];
        if top {
            kinds.push("cardinality");
        }
        let kind = *self.rng.pick(&kinds);
        let (field, _) = if matches!(kind, "value_count" | "cardinality") {
            self.field(|kind| kind != Kind::Text)
        } else {
            self.field(|kind| matches!(kind, Kind::Long | Kind::Double | Kind::Float | Kind::Date))
        };
        let mut metric = json!({"field": field});
        if kind == "percentiles" {
            metric["percents"] = json!([1, 50, 95, 99]);
        }
        json!({kind: metric})
    }
}
