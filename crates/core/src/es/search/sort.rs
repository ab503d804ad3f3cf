//! A search's `sort`: its keys in order, each read as Elasticsearch's `field_sort` reads it
//! (`order`, `missing`, `mode`, `format`, `unmapped_type`), with its errors.

use serde_json::Value;

use super::{token, QueryError};

/// One sort key, as asked for: what it sorts on is found later, against a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    /// A field, `_score` or `_doc`.
    pub field: String,
    pub descending: bool,
    /// `missing: _first`: events without the field come first (by default, last).
    pub missing_first: bool,
    /// `missing` as a value: what an event without the field sorts as (and shows).
    pub missing_value: Option<Value>,
    /// `mode`: which of an event's values it sorts by, or what of them; by default the
    /// smallest ascending and the largest descending.
    pub mode: Option<SortMode>,
    /// `format`: how a date key's values are written (`crate::time::DatePattern`).
    pub format: Option<String>,
    /// `unmapped_type`: a field no index maps sorts as missing instead of failing.
    pub unmapped_type: Option<String>,
}

impl SortKey {
    /// A key on `field` in its default order (`_score` descending, anything else ascending).
    pub fn on(field: &str) -> Self {
        SortKey {
            field: field.to_string(),
            descending: field == "_score",
            missing_first: false,
            missing_value: None,
            mode: None,
            format: None,
            unmapped_type: None,
        }
    }

    /// Whether an event's largest value is the one it sorts by (`mode`, or the default),
    /// when it sorts by one of them.
    pub fn by_largest(&self) -> bool {
        match self.mode {
            Some(SortMode::Max) => true,
            Some(SortMode::Min) => false,
            _ => self.descending,
        }
    }
}

/// A sort key's `mode`: an event of several values sorts by the smallest, the largest,
/// or (numbers only) their average, sum or median.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortMode {
    Min,
    Max,
    Avg,
    Sum,
    Median,
}

impl SortMode {
    /// Whether the key sorts by a number made of all the values, not one of them.
    pub fn combines(self) -> bool {
        matches!(self, SortMode::Avg | SortMode::Sum | SortMode::Median)
    }
}

/// Reads `sort`: a field name, `{field: spec}`, or a list of either.
pub fn parse_all(value: &Value) -> Result<Vec<SortKey>, QueryError> {
    let mut keys = Vec::new();
    match value {
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(field) => keys.push(SortKey::on(field)),
                    Value::Object(entries) => keys.extend(object_keys(entries)?),
                    _ => return Err(QueryError::illegal(
                        "malformed sort format, within the sort array, an object, or an actual string are allowed",
                    )),
                }
            }
        }
        Value::Object(entries) => keys.extend(object_keys(entries)?),
        // a lone value names a field by its text, as Elasticsearch reads it
        Value::String(field) => keys.push(SortKey::on(field)),
        other => keys.push(SortKey::on(&other.to_string())),
    }
    Ok(keys)
}

/// The keys of one `{field: spec}` object. Elasticsearch sorts by several in the order they
/// were written; a parsed object here does not keep that order, so several are refused
/// rather than sorted in another.
fn object_keys(entries: &serde_json::Map<String, Value>) -> Result<Vec<SortKey>, QueryError> {
    if entries.len() > 1 {
        return Err(QueryError::illegal(format!(
            "a [sort] object naming several fields ({}) is not supported by logdash: give each its own object in a list",
            entries.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    entries
        .iter()
        .map(|(field, spec)| parse_key(field, spec))
        .collect()
}

/// One `field: spec` entry: the spec an order, or `field_sort`'s object.
fn parse_key(field: &str, spec: &Value) -> Result<SortKey, QueryError> {
    if matches!(field, "_geo_distance" | "_script") {
        return Err(QueryError::illegal(format!(
            "[{field}] sort is not supported by logdash: sort on a field, _score or _doc"
        )));
    }
    let mut key = SortKey::on(field);
    let options = match spec {
        Value::String(order) => {
            key.descending = order_of(order)?;
            return Ok(key);
        }
        Value::Object(options) => options,
        other => {
            return Err(field_sort(format!(
                "Expected START_OBJECT but was: {}",
                token(other)
            )))
        }
    };
    for (option, value) in options {
        let text = || {
            value.as_str().ok_or_else(|| {
                field_sort(format!(
                    "{option} doesn't support values of type: {}",
                    token(value)
                ))
            })
        };
        match option.as_str() {
            "order" => key.descending = order_of(text()?)?,
            "missing" => match value {
                Value::String(at) if at == "_first" => key.missing_first = true,
                Value::String(at) if at == "_last" => key.missing_first = false,
                Value::String(_) | Value::Number(_) => key.missing_value = Some(value.clone()),
                _ => {
                    return Err(field_sort(format!(
                        "missing doesn't support values of type: {}",
                        token(value)
                    )))
                }
            },
            "mode" => {
                key.mode = Some(match text()? {
                    "min" => SortMode::Min,
                    "max" => SortMode::Max,
                    "avg" => SortMode::Avg,
                    "sum" => SortMode::Sum,
                    "median" => SortMode::Median,
                    _ => return Err(field_sort("failed to parse field [mode]".into())),
                })
            }
            "format" => key.format = Some(text()?.to_string()),
            "unmapped_type" => key.unmapped_type = Some(text()?.to_string()),
            // the type numbers are compared as across indices; one index's values compare
            // as they are
            "numeric_type" => {
                if !matches!(text()?, "long" | "double" | "date" | "date_nanos") {
                    return Err(field_sort("failed to parse field [numeric_type]".into()));
                }
            }
            "nested" | "nested_path" | "nested_filter" => {
                return Err(QueryError::illegal(format!(
                    "[sort] [{option}] is not supported by logdash: it keeps no nested documents"
                )))
            }
            other => return Err(field_sort(format!("unknown field [{other}]"))),
        }
    }
    Ok(key)
}

/// `asc` or `desc` (any case, as Elasticsearch reads it): whether the order is descending.
fn order_of(order: &str) -> Result<bool, QueryError> {
    match order.to_ascii_lowercase().as_str() {
        "asc" => Ok(false),
        "desc" => Ok(true),
        _ => Err(field_sort("failed to parse field [order]".into())),
    }
}

/// An error of `field_sort`'s declarative parser.
fn field_sort(reason: String) -> QueryError {
    QueryError {
        kind: "x_content_parse_exception",
        reason: format!("[field_sort] {reason}"),
        invalid_value: false,
    }
}
