//! Where a field's values are in an event's JSON, and how the event's index reads them:
//! `extra.status_code` is `{"extra": {"status_code": ..}}` or a key with dots in it,
//! arrays hold several values, `.keyword` is the exact value of a dynamically mapped
//! string, and a field the index's mapping declares (`keyword`, `ip`, ...) is read as
//! declared.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// How an index's mapping declares a field, where that is not how dynamic mapping would
/// read its values (what dynamic mapping would make of it is left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapped {
    /// `keyword`: the whole value, exactly.
    Keyword,
    /// `ip`: an address, matched by address, CIDR block or range of addresses.
    Ip,
    /// `text` without the `.keyword` sub-field.
    TextOnly,
    /// Found by `exists` but matched by no term: a field not indexed, a geo point.
    Unsearched,
    /// An object `enabled: false`: nothing in it is mapped, found or matched.
    Disabled,
}

/// The fields an event's index declares, by dotted name.
pub type Declared = BTreeMap<String, Mapped>;

/// How a clause reads one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Read {
    /// Dynamically mapped: strings are words (dates instants), numbers numbers.
    Dynamic,
    /// The `.keyword` of a dynamically mapped string: the whole string.
    KeywordOf,
    Keyword,
    Ip,
    /// Found, but matched by no term.
    Unsearched,
}

/// A field's values in one event, each with how it is read.
pub(super) type Values<'a> = Vec<(&'a Value, Read)>;

/// The values of the field `path` in `source`, read as `declared` says.
pub(super) fn values_at<'a>(
    source: &'a Map<String, Value>,
    path: &str,
    declared: &Declared,
) -> Values<'a> {
    let disabled = std::iter::once(path)
        .chain(enclosing(path))
        .any(|name| declared.get(name) == Some(&Mapped::Disabled));
    if disabled {
        return Vec::new();
    }
    let mut found = Vec::new();
    collect_in(source, path, &mut found);
    if found.is_empty() {
        if let Some(field) = path.strip_suffix(".keyword") {
            // declared fields have no `.keyword` of their own
            if declared.contains_key(field) {
                return Vec::new();
            }
            collect_in(source, field, &mut found);
            return found
                .into_iter()
                .filter(|value| value.is_string())
                .map(|value| (value, Read::KeywordOf))
                .collect();
        }
    }
    let read = match declared.get(path) {
        Some(Mapped::Unsearched | Mapped::Disabled) => Read::Unsearched,
        Some(Mapped::Keyword) => Read::Keyword,
        Some(Mapped::Ip) => Read::Ip,
        Some(Mapped::TextOnly) | None => Read::Dynamic,
    };
    found.into_iter().map(|value| (value, read)).collect()
}

/// The objects a dotted name is inside, nearest first (`a.b.c`: `a.b`, `a`).
fn enclosing(name: &str) -> impl Iterator<Item = &str> {
    name.char_indices()
        .rev()
        .filter(|(_, c)| *c == '.')
        .map(move |(at, _)| &name[..at])
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

/// Every string, number and boolean in the event, at any depth, that a term without a
/// field searches: what the index leaves unsearched is passed over.
pub(super) fn leaves<'a>(source: &'a Map<String, Value>, declared: &Declared) -> Values<'a> {
    let mut out = Vec::new();
    let mut path = String::new();
    for (key, value) in source {
        // dynamic mapping reads every value alike: no need for their names
        if declared.is_empty() {
            gather(value, None, declared, &mut out);
        } else {
            path.clear();
            path.push_str(key);
            gather(value, Some(&mut path), declared, &mut out);
        }
    }
    out
}

/// `path`, when the index declares fields, is the value's dotted name.
fn gather<'a>(
    value: &'a Value,
    mut path: Option<&mut String>,
    declared: &Declared,
    out: &mut Values<'a>,
) {
    let mapped = path
        .as_deref()
        .and_then(|path| declared.get(path.as_str()))
        .copied();
    match (value, mapped) {
        (_, Some(Mapped::Unsearched | Mapped::Disabled)) | (Value::Null, _) => {}
        (Value::Array(items), _) => {
            for item in items {
                gather(item, path.as_deref_mut(), declared, out);
            }
        }
        (Value::Object(object), _) => {
            for (key, inner) in object {
                match path.as_deref_mut() {
                    Some(path) => {
                        let length = path.len();
                        path.push('.');
                        path.push_str(key);
                        gather(inner, Some(&mut *path), declared, out);
                        path.truncate(length);
                    }
                    None => gather(inner, None, declared, out),
                }
            }
        }
        (leaf, Some(Mapped::Keyword)) => out.push((leaf, Read::Keyword)),
        (leaf, Some(Mapped::Ip)) => out.push((leaf, Read::Ip)),
        (leaf, Some(Mapped::TextOnly) | None) => out.push((leaf, Read::Dynamic)),
    }
}
