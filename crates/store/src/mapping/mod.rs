//! Dynamic mapping: the type each field got when first seen, per index, the way
//! Elasticsearch's default dynamic mapping (and Logstash's template) would map it.

use std::collections::BTreeMap;

use logdash_core::time::parse_iso8601;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::event::Source;
use explicit::{Dynamic, Explicit};

pub(crate) mod date_format;
pub mod dynamic_templates;
pub mod explicit;
mod geo;
pub mod limits;
pub(crate) mod names;
pub mod normalizer;
mod parameters;
pub mod shape;

/// A field's type, as `_mapping` and `_field_caps` report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    /// A string: `text`, with a `.keyword` sub-field (ignore_above 256).
    Text,
    /// A string matched, sorted and aggregated whole (declared by an explicit mapping).
    Keyword,
    Long,
    Float,
    Boolean,
    /// An ISO 8601 string (and `@timestamp` always).
    Date,
    /// An IPv4 or IPv6 address (declared by an explicit mapping), indexed as `ip::key`.
    Ip,
    /// An instant to the nanosecond (declared), indexed as epoch nanoseconds.
    DateNanos,
    /// A point on the earth (declared): checked and kept, found by `exists`, counted by
    /// `value_count`; geo queries and aggregations are not implemented.
    GeoPoint,
    /// An object whose every leaf is a keyword (declared): found and aggregated as a whole
    /// (`labels`: any leaf) and by key (`labels.env`), nothing in it mapped on its own.
    Flattened,
}

impl FieldKind {
    pub fn es_type(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Keyword => "keyword",
            FieldKind::Long => "long",
            FieldKind::Float => "float",
            FieldKind::Boolean => "boolean",
            FieldKind::Date => "date",
            FieldKind::Ip => "ip",
            FieldKind::GeoPoint => "geo_point",
            FieldKind::DateNanos => "date_nanos",
            FieldKind::Flattened => "flattened",
        }
    }
}

pub use logdash_core::es::names::{enclosing, within_ignore_above, KEYWORD_IGNORE_ABOVE};

/// The fields of one index, by dotted name.
pub type IndexMapping = BTreeMap<String, FieldKind>;

/// Adds the fields of `event` that `mapping` does not have yet; returns whether it grew.
/// A field keeps its first type: later events with another type are kept, not refused.
pub fn observe(mapping: &mut IndexMapping, event: &Source) -> bool {
    observe_coercing(mapping, event).0
}

/// [`observe`], and the event as its fields' types make it, where they change a value
/// (see [`coercion`]): indexed in place of the event, whose `_source` stays as sent.
/// `None` for most events, whose every value fits as sent.
pub fn observe_coercing(mapping: &mut IndexMapping, event: &Source) -> (bool, Option<Source>) {
    let mut grew = false;
    let mut mistyped = false;
    // one buffer for every dotted name: most events bring no new field, and then nothing
    // is allocated
    let mut name = String::new();
    walk(
        event,
        &mut name,
        &mut |name, value| match mapping.get(name) {
            Some(kind) => mistyped |= matches!(coercion(*kind, value), Coercion::To(_)),
            None => {
                if let Some(kind) = kind_of(name, value) {
                    mapping.insert(name.to_string(), kind);
                    grew = true;
                }
            }
        },
    );
    (grew, mistyped.then(|| coerced(mapping, event)))
}

/// How Elasticsearch indexes a value (not an object or array) in a field typed `kind` by
/// dynamic mapping.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Coercion {
    /// As sent: it fits.
    AsSent,
    /// Made to fit, as Elasticsearch's `coerce` (on by default) makes it: a number or a
    /// flag in a text field is its text; a fraction or a numeric string in a long is its
    /// whole part, a numeric string in a float its number; "true" or "false" in a
    /// boolean is the flag.
    To(Value),
    /// Elasticsearch would refuse the event; logdash keeps it and indexes it as sent.
    Unfit,
}

pub(crate) fn coercion(kind: FieldKind, value: &Value) -> Coercion {
    let number = |value: &Value| match value {
        Value::Number(n) => n.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    match (kind, value) {
        (FieldKind::Text, Value::Number(n)) => Coercion::To(Value::String(n.to_string())),
        (FieldKind::Text, Value::Bool(flag)) => Coercion::To(Value::String(flag.to_string())),
        (FieldKind::Long, Value::Number(n)) if n.is_i64() || n.is_u64() => Coercion::AsSent,
        (FieldKind::Long, Value::Number(_) | Value::String(_)) => match number(value) {
            Some(whole) if whole.is_finite() && whole.abs() < 9.2e18 => {
                Coercion::To(Value::from(whole.trunc() as i64))
            }
            _ => Coercion::Unfit,
        },
        (FieldKind::Float, Value::String(_)) => {
            match number(value).and_then(serde_json::Number::from_f64) {
                Some(made) => Coercion::To(Value::Number(made)),
                None => Coercion::Unfit,
            }
        }
        (FieldKind::Boolean, Value::String(text)) => match text.as_str() {
            "true" => Coercion::To(Value::Bool(true)),
            "false" | "" => Coercion::To(Value::Bool(false)),
            _ => Coercion::Unfit,
        },
        (FieldKind::Long | FieldKind::Float, Value::Bool(_))
        | (FieldKind::Boolean, Value::Number(_)) => Coercion::Unfit,
        _ => Coercion::AsSent,
    }
}

/// `event` with each value coerced to its field's type in `mapping`.
fn coerced(mapping: &IndexMapping, event: &Source) -> Source {
    fn object(mapping: &IndexMapping, object: &Source, name: &mut String) -> Source {
        object
            .iter()
            .map(|(key, value)| {
                let parent = name.len();
                if parent > 0 {
                    name.push('.');
                }
                name.push_str(key);
                let made = one(mapping, value, name);
                name.truncate(parent);
                (key.clone(), made)
            })
            .collect()
    }
    fn one(mapping: &IndexMapping, value: &Value, name: &mut String) -> Value {
        match value {
            Value::Object(inner) => Value::Object(object(mapping, inner, name)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|item| one(mapping, item, name)).collect())
            }
            leaf => match mapping.get(name.as_str()).map(|kind| coercion(*kind, leaf)) {
                Some(Coercion::To(made)) => made,
                _ => leaf.clone(),
            },
        }
    }
    object(mapping, event, &mut String::new())
}

/// Adds the fields of `event` that neither `mapping` nor the index's explicit mapping has,
/// where its `dynamic` lets new fields in; returns whether the mapping grew. A new field a
/// dynamic template takes is declared as the template says: it is put in `adopted`, for
/// the caller to add to the explicit mapping.
pub fn observe_explicit(
    mapping: &mut IndexMapping,
    explicit: &Explicit,
    event: &Source,
    adopted: &mut Vec<(String, explicit::Declared)>,
) -> bool {
    let mut grew = false;
    let mut name = String::new();
    walk(event, &mut name, &mut |name, value| {
        if mapping.contains_key(name)
            || explicit.fields.contains_key(name)
            || explicit.disabled_at(name)
            || explicit.flattened_under(name)
        {
            return;
        }
        let parent = name.rsplit_once('.').map_or("", |(head, _)| head);
        if explicit.dynamic_under(parent) != Dynamic::True {
            return;
        }
        if let Some(declared) =
            dynamic_templates::declared_for(&explicit.dynamic_templates, name, value)
        {
            mapping.insert(name.to_string(), declared.kind);
            adopted.push((name.to_string(), declared.clone()));
            grew = true;
        } else if let Some(kind) = kind_of(name, value) {
            mapping.insert(name.to_string(), kind);
            grew = true;
        }
    });
    grew
}

/// Calls `visit` with the dotted name of every value of `source` that is no object (array
/// items under their array's name, nulls left out), in the order they come.
pub(crate) fn leaves(source: &Source, visit: &mut dyn FnMut(&str, &Value)) {
    walk(source, &mut String::new(), visit);
}

/// Calls `visit` with the dotted name of every value that is no object (array items
/// under their array's name).
fn walk(object: &Source, name: &mut String, visit: &mut dyn FnMut(&str, &Value)) {
    for (key, value) in object {
        let parent = name.len();
        if parent > 0 {
            name.push('.');
        }
        name.push_str(key);
        visit_value(name, value, visit);
        name.truncate(parent);
    }
}

fn visit_value(name: &mut String, value: &Value, visit: &mut dyn FnMut(&str, &Value)) {
    match value {
        Value::Object(inner) => walk(inner, name, visit),
        Value::Array(items) => items.iter().for_each(|item| visit_value(name, item, visit)),
        Value::Null => {}
        leaf => visit(name, leaf),
    }
}

/// The type Elasticsearch's dynamic mapping gives a field first seen with `value`.
pub(crate) fn kind_of(name: &str, value: &Value) -> Option<FieldKind> {
    Some(match value {
        Value::Bool(_) => FieldKind::Boolean,
        Value::Number(number) if number.is_i64() || number.is_u64() => FieldKind::Long,
        Value::Number(_) => FieldKind::Float,
        Value::String(_) if name == "@timestamp" => FieldKind::Date,
        Value::String(text) if looks_like_date(text) => FieldKind::Date,
        Value::String(_) => FieldKind::Text,
        Value::Null | Value::Array(_) | Value::Object(_) => return None,
    })
}

/// Elasticsearch's dynamic date detection (`strict_date_optional_time`): an ISO date or date-time.
fn looks_like_date(text: &str) -> bool {
    date_millis(text).is_some()
}

/// The instant of a string that dynamic mapping takes for a date, in epoch milliseconds:
/// such strings are indexed as dates (see `document`), as the field they start is mapped.
pub(crate) fn date_millis(text: &str) -> Option<i64> {
    if text.len() >= 10 && text.as_bytes()[4] == b'-' {
        parse_iso8601(text)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_dotted_name_is_inside_each_of_its_heads_nearest_first() {
        assert_eq!(enclosing("a.b.c").collect::<Vec<_>>(), ["a.b", "a"]);
        assert_eq!(enclosing("a").count(), 0);
    }

    #[test]
    fn maps_like_elasticsearch_dynamic_mapping() {
        let mut mapping = IndexMapping::new();
        let event = json!({
            "@timestamp": "2025-11-25T03:10:00Z",
            "message": "hello",
            "extra": {"user_id": "u1", "response_time_ms": 12, "ratio": 0.5, "ok": true, "when": "2025-11-25"},
            "host.name": "web-1",
            "tags": ["a", "b"],
            "nothing": null
        });
        assert!(observe(&mut mapping, event.as_object().expect("object")));
        let kinds: Vec<(&str, &str)> = mapping
            .iter()
            .map(|(k, v)| (k.as_str(), v.es_type()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("@timestamp", "date"),
                ("extra.ok", "boolean"),
                ("extra.ratio", "float"),
                ("extra.response_time_ms", "long"),
                ("extra.user_id", "text"),
                ("extra.when", "date"),
                ("host.name", "text"),
                ("message", "text"),
                ("tags", "text"),
            ]
        );
    }

    #[test]
    fn values_are_coerced_to_their_field_type_as_elasticsearch_does() {
        let mut mapping = IndexMapping::new();
        let first = json!({"user": "u-17", "n": 3, "ok": true, "ratio": 0.5});
        let (_, coerced) = observe_coercing(&mut mapping, first.as_object().expect("object"));
        assert_eq!(coerced, None);
        let later =
            json!({"user": [42, true], "n": "6", "ok": "false", "ratio": "0.25", "x": {"n": 4.9}});
        let (_, coerced) = observe_coercing(&mut mapping, later.as_object().expect("object"));
        assert_eq!(
            coerced.map(Value::Object),
            Some(
                json!({"user": ["42", "true"], "n": 6, "ok": false, "ratio": 0.25, "x": {"n": 4.9}})
            )
        );
        let fraction = json!({"n": -4.9});
        let (_, coerced) = observe_coercing(&mut mapping, fraction.as_object().expect("object"));
        assert_eq!(coerced.map(Value::Object), Some(json!({"n": -4})));
        // what Elasticsearch would refuse is kept as sent
        for unfit in [
            json!({"n": "abc"}),
            json!({"n": true}),
            json!({"ok": 1}),
            json!({"user": "x"}),
        ] {
            let (_, coerced) = observe_coercing(&mut mapping, unfit.as_object().expect("object"));
            assert_eq!(coerced, None, "{unfit}");
        }
    }

    #[test]
    fn first_type_wins_and_conflicting_events_are_still_accepted() {
        let mut mapping = IndexMapping::new();
        observe(
            &mut mapping,
            json!({"host": "web-1"}).as_object().expect("object"),
        );
        assert!(observe(
            &mut mapping,
            json!({"host": {"hostname": "web-1"}})
                .as_object()
                .expect("object")
        ));
        assert_eq!(mapping["host"], FieldKind::Text);
        assert_eq!(mapping["host.hostname"], FieldKind::Text);
        assert!(!observe(
            &mut mapping,
            json!({"host": "web-2"}).as_object().expect("object")
        ));
    }
}
