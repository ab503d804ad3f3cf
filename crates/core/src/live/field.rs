//! Where a field's values are in an event's JSON, and how the event's index reads them:
//! `extra.status_code` is `{"extra": {"status_code": ..}}` or a key with dots in it,
//! arrays hold several values, `.keyword` is the exact value of a dynamically mapped
//! string, and a field the index's mapping declares (`keyword`, `ip`, ...) is read as
//! declared.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::es::names::{enclosing, within_ignore_above, KEYWORD_IGNORE_ABOVE};

/// How an index's mapping declares a field or an object, where that is not how dynamic
/// mapping would read it (what dynamic mapping would make of it is left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapped {
    /// `keyword`: the whole value, exactly; longer than `ignore_above`, not indexed.
    Keyword { ignore_above: Option<usize> },
    /// `ip`: an address, matched by address, CIDR block or range of addresses.
    Ip,
    /// `text` without the `.keyword` sub-field.
    TextOnly,
    /// A number type: a string that holds a number is that number.
    Number,
    /// `date`: a number is epoch milliseconds, a string an instant.
    Date,
    /// Found by `exists` but matched by no term: a field not indexed, a geo point.
    Unsearched,
    /// An object `enabled: false`: nothing in it is mapped, found or matched.
    Disabled,
    /// An object (the root: `""`) `dynamic: false`: fields it does not declare are kept in
    /// `_source` only.
    Closed,
    /// An object `dynamic: true` inside a closed one.
    Open,
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
    Keyword(Option<usize>),
    Ip,
    Number,
    Date,
    /// Found, but matched by no term.
    Unsearched,
}

impl Read {
    /// Whether the index holds `value` read so (a string past `ignore_above` is not).
    pub(super) fn holds(self, value: &Value) -> bool {
        let limit = match self {
            Read::KeywordOf => Some(KEYWORD_IGNORE_ABOVE),
            Read::Keyword(limit) => limit,
            _ => None,
        };
        !value.is_null()
            && limit
                .is_none_or(|limit| value.as_str().is_none_or(|s| within_ignore_above(s, limit)))
    }
}

/// A field's values in one event, each with how it is read.
pub(super) type Values<'a> = Vec<(&'a Value, Read)>;

/// How the event's index reads the field `path`: `None` when nothing there is mapped (in
/// an object not enabled, inside a geo point or a leaf, or undeclared under
/// `dynamic: false`).
fn read_of(path: &str, declared: &Declared) -> Option<Read> {
    if let Some(mapped) = declared.get(path) {
        return match mapped {
            Mapped::Keyword { ignore_above } => Some(Read::Keyword(*ignore_above)),
            Mapped::Ip => Some(Read::Ip),
            Mapped::Number => Some(Read::Number),
            Mapped::Date => Some(Read::Date),
            Mapped::Unsearched => Some(Read::Unsearched),
            Mapped::Disabled => None,
            Mapped::TextOnly | Mapped::Closed | Mapped::Open => Some(Read::Dynamic),
        };
    }
    // the nearest enclosing object that says anything decides
    for outer in enclosing(path).chain([""]) {
        match declared.get(outer) {
            None => {}
            Some(Mapped::Open) => return Some(Read::Dynamic),
            Some(_) => return None,
        }
    }
    Some(Read::Dynamic)
}

/// The values of the field `path` in `source`, read as `declared` says.
pub(super) fn values_at<'a>(
    source: &'a Map<String, Value>,
    path: &str,
    declared: &Declared,
) -> Values<'a> {
    let mut found = Vec::new();
    collect_in(source, path, &mut found);
    if found.is_empty() {
        if let Some(field) = path.strip_suffix(".keyword") {
            // declared fields have no `.keyword` of their own
            if declared.contains_key(field) || read_of(field, declared) != Some(Read::Dynamic) {
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
    match read_of(path, declared) {
        Some(read) => found.into_iter().map(|value| (value, read)).collect(),
        None => Vec::new(),
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
    match value {
        Value::Null => {}
        Value::Array(items) => {
            for item in items {
                gather(item, path.as_deref_mut(), declared, out);
            }
        }
        Value::Object(object) => {
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
        leaf => match path.map(|path| read_of(path, declared)) {
            None => out.push((leaf, Read::Dynamic)),
            Some(None | Some(Read::Unsearched)) => {}
            Some(Some(read)) => out.push((leaf, read)),
        },
    }
}

/// The dotted names of the event's fields that hold values (objects walked, arrays of
/// objects too), each once.
pub(super) fn paths(source: &Map<String, Value>) -> Vec<String> {
    fn walk(value: &Value, path: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                for (key, inner) in object {
                    walk(inner, &format!("{path}.{key}"), out);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, path, out)),
            _ if !out.iter().any(|known| known == path) => out.push(path.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (key, value) in source {
        walk(value, key, &mut out);
    }
    out
}
