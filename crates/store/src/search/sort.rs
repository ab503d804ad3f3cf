//! Sort keys: what each sorts on, its values, and their order.

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum SortSource {
    Score,
    Doc,
    Timestamp,
    /// A whole-value column of `kw`.
    Column(String, FieldKind),
    /// The event's index name.
    Index,
    /// A field no index has: every event is "missing" it.
    Unmapped,
}

/// How a sort key's `search_after` values are read: by its field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReadAs {
    Date,
    /// A date_nanos field's: epoch nanoseconds, or a date as text.
    Nanos,
    Ip,
    Long,
    /// A boolean's: `true` is 1, as Elasticsearch reads it.
    Flag,
    Double,
    AsGiven,
}

impl ReadAs {
    pub(super) fn of(source: &SortSource) -> ReadAs {
        match source {
            SortSource::Timestamp | SortSource::Column(_, FieldKind::Date) => ReadAs::Date,
            SortSource::Column(_, FieldKind::Ip) => ReadAs::Ip,
            SortSource::Column(_, FieldKind::DateNanos) => ReadAs::Nanos,
            SortSource::Column(_, FieldKind::Long) => ReadAs::Long,
            SortSource::Column(_, FieldKind::Boolean) => ReadAs::Flag,
            SortSource::Column(_, FieldKind::Float) => ReadAs::Double,
            _ => ReadAs::AsGiven,
        }
    }
}

pub(super) use logdash_core::es::search::SortKey;
pub(super) use logdash_core::time::DatePattern;

/// What Elasticsearch shows as the sort value of an event without the field when it
/// sorts on `source`: a number's or a date's is the long (a float's the double) it
/// sorts such events by, at the end they go to; a string's, or a date's written in a
/// `format`, is null.
pub(super) fn missing_shown(key: &SortKey, source: &SortSource, int: bool) -> Value {
    // a date written in a `format` shows none
    if key.format.is_some() {
        return Value::Null;
    }
    // at the far end of the order, or at its start with `_first`
    let largest = key.descending == key.missing_first;
    match source {
        // an `integer`, `short` or `byte` sorts as Java's ints
        SortSource::Column(_, FieldKind::Long) if int => {
            json!(if largest { i32::MAX } else { i32::MIN })
        }
        SortSource::Timestamp
        | SortSource::Column(
            _,
            FieldKind::Long | FieldKind::Date | FieldKind::DateNanos | FieldKind::Boolean,
        ) => json!(if largest { i64::MAX } else { i64::MIN }),
        SortSource::Column(_, FieldKind::Float) => {
            json!(if largest { "Infinity" } else { "-Infinity" })
        }
        // a field no index maps shows what one of its `unmapped_type` would
        SortSource::Unmapped => match key.unmapped_type.as_deref() {
            Some("long" | "integer" | "short" | "byte" | "date" | "date_nanos" | "boolean") => {
                json!(if largest { i64::MAX } else { i64::MIN })
            }
            Some("double" | "float" | "half_float" | "scaled_float") => {
                json!(if largest { "Infinity" } else { "-Infinity" })
            }
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

/// The format of this key's values when it sorts on `source`, refused as
/// Elasticsearch refuses it (a format on a number, a pattern logdash does not write).
pub(super) fn date_format(
    key: &SortKey,
    source: &SortSource,
) -> Result<Option<DatePattern>, RequestError> {
    let Some(format) = &key.format else {
        return Ok(None);
    };
    if let SortSource::Column(path, FieldKind::DateNanos) = source {
        return Err(RequestError::illegal_argument(format!(
                "[format] of a sort on the date_nanos field [{path}] is not supported by logdash: its values are epoch nanoseconds"
            )));
    }
    if !matches!(
        source,
        SortSource::Timestamp | SortSource::Column(_, FieldKind::Date) | SortSource::Unmapped
    ) {
        let kind = match source {
            SortSource::Column(_, FieldKind::Long | FieldKind::Float) => "decimal",
            _ => "raw",
        };
        return Err(RequestError::illegal_argument(format!(
            "require a date_time formatter; got [{kind}]"
        )));
    }
    DatePattern::parse(format)
        .map(Some)
        .map_err(RequestError::illegal_argument)
}

/// A `mode` that combines an event's values (`avg`, `sum`, `median`) is for numbers,
/// dates and flags only, as Elasticsearch refuses it elsewhere.
pub(super) fn check_mode(key: &SortKey, source: &SortSource) -> Result<(), RequestError> {
    let numeric = matches!(
        source,
        SortSource::Timestamp
            | SortSource::Unmapped
            | SortSource::Column(
                _,
                FieldKind::Long
                    | FieldKind::Float
                    | FieldKind::Date
                    | FieldKind::DateNanos
                    | FieldKind::Boolean
            )
    );
    match key.mode {
        Some(mode) if mode.combines() && !numeric => Err(RequestError {
            kind: "query_shard_exception",
            ..RequestError::bad_request(
                "we only support AVG, MEDIAN and SUM on number based fields",
            )
        }),
        _ => Ok(()),
    }
}

pub(super) fn bind(key: &SortKey, mapping: &IndexMapping) -> Result<SortSource, RequestError> {
    Ok(match key.field.as_str() {
            "_score" => SortSource::Score,
            "_doc" => SortSource::Doc,
            field => match resolve(mapping, field) {
                Target::Timestamp => SortSource::Timestamp,
                Target::Whole(path, FieldKind::GeoPoint) => {
                    return Err(RequestError::illegal_argument(format!(
                        "can't sort on geo_point field without using specific sorting feature, like geo_distance: [{path}]"
                    )))
                }
                Target::Whole(path, kind) => SortSource::Column(path, kind),
                // as Elasticsearch, only a key that says what type it would have
                Target::Unmapped(_) if key.unmapped_type.is_some() => SortSource::Unmapped,
                Target::Unmapped(_) => {
                    return Err(RequestError {
                        kind: "query_shard_exception",
                        ..RequestError::bad_request(format!(
                            "No mapping found for [{field}] in order to sort on"
                        ))
                    })
                }
                Target::Text(path) => {
                    return Err(RequestError::illegal_argument(format!(
                        "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead: [{path}.keyword]"
                    )))
                }
                Target::Index => SortSource::Index,
                // as Elasticsearch 8 by default (the store keeps no column of ids)
                Target::Id => {
                    return Err(RequestError::illegal_argument(
                        "Fielddata access on the _id field is disallowed, you can re-enable it by updating the dynamic cluster setting: indices.id_field_data.enabled",
                    ))
                }
            },
        })
}

/// One sort key's value for one event.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum SortValue {
    Missing,
    Int(i64),
    Float(f64),
    Text(String),
}

impl SortValue {
    pub(super) fn to_json(&self) -> Value {
        match self {
            SortValue::Missing => Value::Null,
            SortValue::Int(i) => json!(i),
            SortValue::Float(f) => json!(f),
            SortValue::Text(s) => json!(s),
        }
    }

    /// A `search_after` (or sort `missing`) value, read as its key's field reads one, as
    /// Elasticsearch does: a date as text too, an address compared as its key, a number
    /// given as text (a long's fraction cut toward below, as its `parseLong` does).
    pub(super) fn after(value: &Value, read: ReadAs) -> SortValue {
        match (read, value) {
            (ReadAs::Ip, _) => match value.as_str().and_then(crate::ip::parse) {
                Some(address) => SortValue::Text(crate::ip::key(address)),
                None => SortValue::from_json(value),
            },
            (ReadAs::Date, Value::String(text)) => text
                .parse::<i64>()
                .ok()
                .or_else(|| logdash_core::time::parse_iso8601(text))
                .map_or(SortValue::Missing, SortValue::Int),
            (ReadAs::Nanos, Value::String(text)) => text
                .parse::<i64>()
                .ok()
                .or_else(|| crate::nanos::of_iso(text))
                .map_or(SortValue::Missing, SortValue::Int),
            (ReadAs::Flag, Value::Bool(flag)) => SortValue::Int(i64::from(*flag)),
            (ReadAs::Flag, Value::String(text)) if text == "true" || text == "false" => {
                SortValue::Int(i64::from(text == "true"))
            }
            (ReadAs::Long, Value::String(text)) => match text.trim().parse::<i64>() {
                Ok(whole) => SortValue::Int(whole),
                Err(_) => match text.trim().parse::<f64>() {
                    Ok(number) if number.is_finite() => SortValue::Int(number.floor() as i64),
                    _ => SortValue::from_json(value),
                },
            },
            (ReadAs::Double, Value::String(text)) => match text.trim().parse::<f64>() {
                Ok(number) if number.is_finite() => SortValue::Float(number),
                _ => SortValue::from_json(value),
            },
            _ => SortValue::from_json(value),
        }
    }

    /// The value as a `float` field's sort values are read: cut to single precision
    /// (and written as its shortest decimal, as they are).
    pub(super) fn into_single(self) -> SortValue {
        match self {
            SortValue::Float(number) => SortValue::Float(reader::shortest_single(number)),
            SortValue::Int(number) => SortValue::Float(reader::shortest_single(number as f64)),
            other => other,
        }
    }

    pub(super) fn from_json(value: &Value) -> SortValue {
        match value {
            Value::Number(n) => n.as_i64().map_or_else(
                || SortValue::Float(n.as_f64().unwrap_or_default()),
                SortValue::Int,
            ),
            Value::String(s) => SortValue::Text(s.clone()),
            _ => SortValue::Missing,
        }
    }

    /// Natural order of two present values (numbers compare across int/float).
    pub(super) fn cmp_present(&self, other: &SortValue) -> Ordering {
        match (self, other) {
            (SortValue::Int(a), SortValue::Int(b)) => a.cmp(b),
            (SortValue::Text(a), SortValue::Text(b)) => a.cmp(b),
            (a, b) => a
                .as_f64()
                .partial_cmp(&b.as_f64())
                .unwrap_or(Ordering::Equal),
        }
    }

    pub(super) fn as_f64(&self) -> f64 {
        match self {
            SortValue::Int(i) => *i as f64,
            SortValue::Float(f) => *f,
            _ => f64::NAN,
        }
    }
}

pub(super) fn compare_keys(keys: &[SortKey], a: &[SortValue], b: &[SortValue]) -> Ordering {
    keys.iter()
        .zip(a.iter().zip(b))
        .map(|(key, (x, y))| compare_one(key, x, y))
        .find(|ordering| *ordering != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

/// Order of two values of one sort key: `Less` means `x` comes first.
pub(super) fn compare_one(key: &SortKey, x: &SortValue, y: &SortValue) -> Ordering {
    match (x, y) {
        (SortValue::Missing, SortValue::Missing) => Ordering::Equal,
        // missing values go last (or first) whatever the order
        (SortValue::Missing, _) => {
            if key.missing_first {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (_, SortValue::Missing) => {
            if key.missing_first {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (x, y) if key.descending => y.cmp_present(x),
        (x, y) => x.cmp_present(y),
    }
}
