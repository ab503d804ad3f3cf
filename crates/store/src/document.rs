//! One event as a tantivy document: its source kept whole, its values indexed three ways.
//!
//! Only what queries read is indexed: `@timestamp` is searched, sorted and bucketed through
//! its own date field, so its text is not indexed again; numbers and booleans are matched
//! as whole values, so they are not split into words (`all` keeps them, for queries that
//! name no field).

use serde_json::Value;
use tantivy::schema::OwnedValue;
use tantivy::{DateTime, TantivyDocument};

use crate::event::Source;
use crate::mapping::KEYWORD_IGNORE_ABOVE;
use crate::schema::Fields;

pub(crate) fn build(
    fields: &Fields,
    index: &str,
    id: &str,
    time_ms: i64,
    source: &Source,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.index, index);
    doc.add_text(fields.id, id);
    doc.add_date(fields.timestamp, DateTime::from_timestamp_millis(time_ms));
    doc.add_bytes(
        fields.source,
        &serde_json::to_vec(source).unwrap_or_default(),
    );
    doc.add_object(fields.text, object(source, Purpose::Words));
    doc.add_object(fields.kw, object(source, Purpose::Whole));
    let mut words = String::new();
    collect_words(source, &mut words);
    doc.add_text(fields.all, words);
    doc
}

#[derive(Clone, Copy, PartialEq)]
enum Purpose {
    Words,
    Whole,
}

fn object(source: &Source, purpose: Purpose) -> std::collections::BTreeMap<String, OwnedValue> {
    source
        .iter()
        .filter(|(key, _)| key.as_str() != TIMESTAMP)
        .filter_map(|(key, value)| Some((key.clone(), convert(value, purpose)?)))
        .collect()
}

/// The event time's field, indexed as [`Fields::timestamp`].
const TIMESTAMP: &str = "@timestamp";

fn convert(value: &Value, purpose: Purpose) -> Option<OwnedValue> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(_) | Value::Number(_) if purpose == Purpose::Words => return None,
        Value::Bool(b) => OwnedValue::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => OwnedValue::I64(i),
            (None, Some(u), _) => OwnedValue::U64(u),
            (None, None, Some(f)) => OwnedValue::F64(f),
            _ => return None,
        },
        // strings stay strings (tantivy would otherwise turn RFC 3339 text into dates)
        Value::String(s) if purpose == Purpose::Whole && s.len() > KEYWORD_IGNORE_ABOVE => {
            return None
        }
        Value::String(s) => OwnedValue::Str(s.clone()),
        Value::Array(items) => OwnedValue::Array(
            items
                .iter()
                .filter_map(|item| convert(item, purpose))
                .collect(),
        ),
        Value::Object(inner) => OwnedValue::Object(
            inner
                .iter()
                .filter_map(|(key, value)| Some((key.clone(), convert(value, purpose)?)))
                .collect(),
        ),
    })
}

/// Every string and number of the event, for queries that name no field.
fn collect_words(source: &Source, out: &mut String) {
    fn visit(value: &Value, out: &mut String) {
        match value {
            Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            Value::Number(n) => {
                out.push_str(&n.to_string());
                out.push('\n');
            }
            Value::Bool(b) => {
                out.push_str(if *b { "true\n" } else { "false\n" });
            }
            Value::Array(items) => items.iter().for_each(|item| visit(item, out)),
            Value::Object(inner) => inner.values().for_each(|item| visit(item, out)),
            Value::Null => {}
        }
    }
    source
        .iter()
        .filter(|(key, _)| key.as_str() != TIMESTAMP)
        .for_each(|(_, value)| visit(value, out));
}
