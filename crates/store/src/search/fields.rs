//! `fields`: each hit's values of the fields asked for, as their index's mapping reads them
//! (numbers coerced to their type, dates written in their format, a text field's
//! `.keyword` within its `ignore_above`), from the event's `_source`.

use std::collections::HashMap;

use logdash_core::es::names::within_ignore_above;
use logdash_core::es::search::FieldRequest;
use logdash_core::time::DatePattern;

use super::*;
use crate::mapping::date_format::DeclaredFormat;
use crate::mapping::explicit::Explicit;
use crate::mapping::{coercion, Coercion, KEYWORD_IGNORE_ABOVE};

/// What `fields` asks for, checked against the mapping of the indices searched.
pub(super) struct Wanted {
    requests: Vec<(FieldRequest, Option<DatePattern>)>,
    /// Each index's mapping and declarations, read once per search.
    indices: HashMap<String, (IndexMapping, Explicit)>,
}

impl Wanted {
    /// `requests` checked against `mapping` (the searched indices' fields): a field of a
    /// type whose values logdash does not write (points, flattened objects, nanoseconds) is
    /// refused by name, and so is a `format` for anything but dates.
    pub(super) fn check(
        requests: &[FieldRequest],
        mapping: &IndexMapping,
    ) -> Result<Wanted, RequestError> {
        let mut checked = Vec::new();
        for request in requests {
            if request.include_unmapped {
                return Err(RequestError::illegal_argument(format!(
                    "[fields] [{}] with [include_unmapped] is not supported by logdash",
                    request.pattern
                )));
            }
            if request.pattern.starts_with('_') && request.pattern != "_*" {
                return Err(RequestError::illegal_argument(format!(
                    "[fields] of the metadata field [{}] is not supported by logdash: hits carry _index and _id",
                    request.pattern
                )));
            }
            for (name, kind) in mapping {
                if !indices::matches(&request.pattern, name) {
                    continue;
                }
                if matches!(
                    kind,
                    FieldKind::GeoPoint | FieldKind::Flattened | FieldKind::DateNanos
                ) {
                    return Err(RequestError::illegal_argument(format!(
                        "[fields] of the [{}] field [{name}] is not supported by logdash",
                        kind.es_type()
                    )));
                }
            }
            let pattern = match &request.format {
                None => None,
                Some(format) => {
                    let dates_only = mapping.iter().all(|(name, kind)| {
                        !indices::matches(&request.pattern, name) || matches!(kind, FieldKind::Date)
                    });
                    if !dates_only {
                        return Err(RequestError::illegal_argument(format!(
                            "[fields] [{}] with a [format] is supported by logdash for date fields only",
                            request.pattern
                        )));
                    }
                    Some(DatePattern::parse(format).map_err(RequestError::illegal_argument)?)
                }
            };
            checked.push((request.clone(), pattern));
        }
        Ok(Wanted {
            requests: checked,
            indices: HashMap::new(),
        })
    }

    /// The `fields` of one hit of `index` (none when it has no value of any). A date in
    /// a form its field's format does not read (kept in `_source` by design) is refused by name rather
    /// than left out.
    pub(super) fn of(
        &mut self,
        store: &Store,
        index: &str,
        source: &Value,
    ) -> Result<Fetched, RequestError> {
        let Value::Object(source) = source else {
            return Ok(Fetched {
                fields: None,
                ignored: None,
            });
        };
        let (mapping, explicit) = self.indices.entry(index.to_string()).or_insert_with(|| {
            let mapping = store
                .mappings
                .read()
                .ok()
                .and_then(|mappings| mappings.get(index).cloned())
                .unwrap_or_default();
            (mapping, store.explicit_of(index).unwrap_or_default())
        });
        // the values read, and the strings past a keyword's `ignore_above`, by field
        let mut out: Map<String, Value> = Map::new();
        let mut ignored: Map<String, Value> = Map::new();
        let add = |into: &mut Map<String, Value>, name: &str, value: Value| {
            if let Value::Array(values) = into
                .entry(name.to_string())
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                values.push(value);
            }
        };
        let requests = &self.requests;
        let wanted = |name: &str| {
            requests
                .iter()
                .find(|(request, _)| indices::matches(&request.pattern, name))
        };
        let mut unread = None;
        crate::mapping::leaves(source, &mut |name, value| {
            let Some(kind) = mapping.get(name) else {
                return;
            };
            let declared = explicit.fields.get(name);
            let rounded = declared.map(|d| d.es_type());
            if let (Some(_), Some(es_type @ ("half_float" | "scaled_float"))) =
                (wanted(name), rounded)
            {
                unread.get_or_insert(format!(
                    "[fields] of the [{es_type}] field [{name}] is not supported by logdash: it keeps the values unrounded"
                ));
                return;
            }
            if let Some((_, format)) = wanted(name) {
                let format = format.clone().or_else(|| {
                    declared
                        .and_then(|d| d.property.get("format"))
                        .and_then(Value::as_str)
                        .and_then(|f| DatePattern::parse(f).ok())
                });
                match read(*kind, value, format.as_ref(), declared) {
                    Some(read) => add(&mut out, name, normalized(explicit, name, read)),
                    None if *kind == FieldKind::Keyword => {
                        if let Some(text) = as_text(value) {
                            add(&mut ignored, name, Value::String(text));
                        }
                    }
                    None if *kind == FieldKind::Date => {
                        unread.get_or_insert(format!(
                            "[fields]: the date {value} of [{name}] is in a format logdash does not read"
                        ));
                    }
                    None => {}
                }
            }
            // a text field's whole-string sub-field, within its `ignore_above`
            let keyword = format!("{name}.keyword");
            let has_keyword = *kind == FieldKind::Text && declared.is_none_or(|d| d.has_keyword());
            if has_keyword && wanted(&keyword).is_some() {
                let limit = declared
                    .and_then(|d| d.ignore_above())
                    .unwrap_or(KEYWORD_IGNORE_ABOVE);
                if let Some(text) = as_text(value) {
                    match within_ignore_above(&text, limit) {
                        true => {
                            let text = normalized(explicit, &keyword, Value::String(text));
                            add(&mut out, &keyword, text);
                        }
                        false => add(&mut ignored, &keyword, Value::String(text)),
                    }
                }
            }
        });
        if let Some(reason) = unread {
            return Err(RequestError::illegal_argument(reason));
        }
        Ok(Fetched {
            fields: (!out.is_empty()).then_some(Value::Object(out)),
            ignored: (!ignored.is_empty()).then_some(Value::Object(ignored)),
        })
    }
}

/// A keyword's value as its normalizer indexed it (others as they are).
fn normalized(explicit: &Explicit, field: &str, value: Value) -> Value {
    match (explicit.normalizer(field), value) {
        (Some(normalizer), Value::String(text)) => {
            Value::String(normalizer.apply(&text).into_owned())
        }
        (_, value) => value,
    }
}

/// One hit's `fields`, and its `ignored_field_values`: strings a keyword did not index
/// (past its `ignore_above`), as Elasticsearch shows them apart.
pub(super) struct Fetched {
    pub fields: Option<Value>,
    pub ignored: Option<Value>,
}

/// One source value of a field of `kind`, as Elasticsearch's `fields` shows it; `None`
/// for a value its mapping does not take (a word in a long field, kept by design).
fn read(
    kind: FieldKind,
    value: &Value,
    format: Option<&DatePattern>,
    declared: Option<&crate::mapping::explicit::Declared>,
) -> Option<Value> {
    // the value as the store indexed it: coerced to the field's type as on the way in
    let coerced = match coercion(kind, value) {
        Coercion::To(made) => made,
        Coercion::AsSent => value.clone(),
        Coercion::Unfit => return None,
    };
    match kind {
        FieldKind::Text => as_text(&coerced).map(Value::String),
        FieldKind::Keyword => {
            let limit = declared
                .and_then(|d| d.ignore_above())
                .unwrap_or(usize::MAX);
            as_text(&coerced)
                .filter(|text| within_ignore_above(text, limit))
                .map(Value::String)
        }
        FieldKind::Long | FieldKind::Boolean => Some(coerced),
        FieldKind::Float => {
            let number = coerced.as_f64()?;
            match declared.map(|d| d.es_type()) {
                Some("double") => Some(json!(number)),
                // a float's precision, written as its shortest decimal
                _ => Some(json!(reader::shortest_single(number))),
            }
        }
        FieldKind::Date => {
            let declared_format = declared
                .and_then(|d| d.property.get("format"))
                .and_then(Value::as_str)
                .filter(|format| !DeclaredFormat::is_default(format));
            let ms = match &coerced {
                // read in the field's own format, as it was indexed
                _ if declared_format.is_some() => declared_format
                    .and_then(DeclaredFormat::cached)
                    .and_then(|declared| declared.read(value)),
                Value::Number(n) => n.as_i64(),
                Value::String(text) => {
                    logdash_core::time::parse_iso8601(text).or_else(|| text.parse::<i64>().ok())
                }
                _ => None,
            }?;
            Some(Value::String(match format {
                Some(pattern) => pattern.write(ms, 0),
                None => logdash_core::time::format_iso8601(ms),
            }))
        }
        FieldKind::Ip => {
            // as the field keeps it: an IPv4 address in IPv6 is written as IPv4
            let address = coerced.as_str().and_then(crate::ip::parse)?;
            crate::ip::address_of(&crate::ip::key(address)).map(Value::String)
        }
        FieldKind::DateNanos | FieldKind::GeoPoint | FieldKind::Flattened => None,
    }
}

/// A value as the text a string field holds (`42` is `"42"`).
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(_) | Value::Bool(_) => Some(value.to_string()),
        _ => None,
    }
}
