//! Where a field's values are in an event's JSON: `extra.status_code` is
//! `{"extra": {"status_code": ..}}` or a key with dots in it, arrays hold several values,
//! and `.keyword` is the exact value of a string field.

use serde_json::{Map, Value};

/// A field's values in one event.
pub(super) struct Values<'a> {
    pub found: Vec<&'a Value>,
    /// Asked for as `.keyword`: strings compare whole, not word by word.
    pub exact: bool,
}

pub(super) fn values_at<'a>(source: &'a Map<String, Value>, path: &str) -> Values<'a> {
    let mut found = Vec::new();
    collect_in(source, path, &mut found);
    if found.is_empty() {
        if let Some(field) = path.strip_suffix(".keyword") {
            collect_in(source, field, &mut found);
            found.retain(|value| value.is_string());
            return Values { found, exact: true };
        }
    }
    Values {
        found,
        exact: false,
    }
}

fn collect<'a>(value: &'a Value, path: &str, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect(item, path, out)),
        Value::Object(object) => collect_in(object, path, out),
        _ => {}
    }
}

fn collect_in<'a>(object: &'a Map<String, Value>, path: &str, out: &mut Vec<&'a Value>) {
    for (key, inner) in object {
        if key == path {
            flatten(inner, out);
        } else if let Some(rest) = path
            .strip_prefix(key.as_str())
            .and_then(|rest| rest.strip_prefix('.'))
        {
            collect(inner, rest, out);
        }
    }
}

/// A value, or an array's values (at any depth).
fn flatten<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| flatten(item, out)),
        other => out.push(other),
    }
}

/// Every string, number and boolean in the event, at any depth.
pub(super) fn leaves(source: &Map<String, Value>) -> Vec<&Value> {
    let mut out = Vec::new();
    source.values().for_each(|value| gather(value, &mut out));
    out
}

fn gather<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| gather(item, out)),
        Value::Object(object) => object.values().for_each(|inner| gather(inner, out)),
        Value::Null => {}
        leaf => out.push(leaf),
    }
}
