//! Sort keys: what each sorts on, its values, and their order.

use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum SortSource {
    Score,
    Doc,
    Timestamp,
    /// A whole-value column of `kw`.
    Column(String, FieldKind),
    /// A field no index has: every event is "missing" it.
    Unmapped,
}

#[derive(Debug, Clone)]
pub(super) struct SortKey {
    pub(super) field: String,
    pub(super) descending: bool,
    pub(super) missing_first: bool,
    /// `mode`: which of an event's values it sorts by, the largest when `true`; by
    /// default the smallest ascending and the largest descending.
    pub(super) largest: Option<bool>,
    /// `missing` as a value: what an event without the field sorts as (and shows).
    pub(super) missing_value: Option<Value>,
    /// `format`: how a date key's values are written (see [`DateFormat`]).
    pub(super) format: Option<String>,
}

/// How a date sort key's values are written, by Elasticsearch's format names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateFormat {
    /// `strict_date_optional_time` and its kin: `2025-01-10T08:00:00.000Z`.
    Iso,
    /// `epoch_millis`, as text.
    EpochMillis,
    /// `epoch_second`, as text.
    EpochSecond,
}

impl DateFormat {
    pub(super) fn write(self, value: &Value) -> Value {
        let Some(ms) = value.as_i64() else {
            return value.clone();
        };
        Value::String(match self {
            DateFormat::Iso => logdash_core::time::format_iso8601(ms),
            DateFormat::EpochMillis => ms.to_string(),
            // whole seconds, and the milliseconds as a decimal fraction when there are any
            DateFormat::EpochSecond => match ms.rem_euclid(1_000) {
                0 => ms.div_euclid(1_000).to_string(),
                fraction => {
                    let digits = format!("{fraction:03}");
                    format!("{}.{}", ms.div_euclid(1_000), digits.trim_end_matches('0'))
                }
            },
        })
    }
}

impl SortKey {
    /// Whether an event's largest value is the one it sorts by (`mode`, or the default).
    pub(super) fn by_largest(&self) -> bool {
        self.largest.unwrap_or(self.descending)
    }

    pub(super) fn parse_all(value: &Value) -> Result<Vec<SortKey>, RequestError> {
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        items.into_iter().map(SortKey::parse).collect()
    }

    pub(super) fn parse(value: &Value) -> Result<SortKey, RequestError> {
        let (field, spec) = match value {
            Value::String(field) => (field.clone(), None),
            Value::Object(object) if object.len() == 1 => {
                let (field, spec) = object
                    .iter()
                    .next()
                    .map(|(k, v)| (k.clone(), Some(v)))
                    .unwrap_or_default();
                (field, spec)
            }
            _ => {
                return Err(RequestError::bad_request(format!(
                    "[sort] entries must be a field name or {{field: order}}, not {value}"
                )))
            }
        };
        let mut descending = field == "_score";
        let mut missing_first = false;
        let mut missing_value = None;
        let mut largest = None;
        let mut format = None;
        match spec {
            None => {}
            Some(Value::String(order)) => descending = parse_order(order)?,
            Some(Value::Object(options)) => {
                for (key, value) in options {
                    match key.as_str() {
                        "order" => descending = parse_order(value.as_str().unwrap_or_default())?,
                        "missing" => match value.as_str() {
                            Some("_first") => missing_first = true,
                            Some("_last") => missing_first = false,
                            _ if value.is_number() || value.is_string() => {
                                missing_value = Some(value.clone())
                            }
                            _ => {
                                return Err(RequestError::bad_request(format!(
                                    "[sort] [missing] of [{field}] must be _first, _last or a value, not {value}"
                                )))
                            }
                        },
                        "format" => format = value.as_str().map(str::to_string),
                        "mode" => {
                            largest = match value.as_str() {
                                Some("min") => Some(false),
                                Some("max") => Some(true),
                                Some(other @ ("avg" | "sum" | "median")) => {
                                    return Err(RequestError::illegal_argument(format!(
                                        "[sort] [mode] [{other}] of [{field}] is not supported by logdash: min and max are"
                                    )))
                                }
                                _ => {
                                    return Err(RequestError::illegal_argument(format!(
                                        "Unknown SortMode [{value}]"
                                    )))
                                }
                            }
                        }
                        // a field no index has sorts as missing whatever its type would be
                        "unmapped_type" | "numeric_type" => {}
                        other => {
                            return Err(RequestError::bad_request(format!(
                                "[sort] option [{other}] is not supported"
                            )))
                        }
                    }
                }
            }
            Some(other) => {
                return Err(RequestError::bad_request(format!(
                    "[sort] order for [{field}] must be \"asc\" or \"desc\", not {other}"
                )))
            }
        }
        Ok(SortKey {
            field,
            descending,
            missing_first,
            missing_value,
            largest,
            format,
        })
    }

    /// What Elasticsearch shows as the sort value of an event without the field when it
    /// sorts on `source`: a number's or a date's is the long (a float's the double) it
    /// sorts such events by, at the end they go to; a string's, or a date's written in a
    /// `format`, is null.
    pub(super) fn missing_shown(&self, source: &SortSource) -> Value {
        // a date written in a `format` shows none
        if self.format.is_some() {
            return Value::Null;
        }
        // at the far end of the order, or at its start with `_first`
        let largest = self.descending == self.missing_first;
        match source {
            SortSource::Timestamp
            | SortSource::Column(
                _,
                FieldKind::Long | FieldKind::Date | FieldKind::DateNanos | FieldKind::Boolean,
            ) => json!(if largest { i64::MAX } else { i64::MIN }),
            SortSource::Column(_, FieldKind::Float) => {
                json!(if largest { "Infinity" } else { "-Infinity" })
            }
            _ => Value::Null,
        }
    }

    /// The format of this key's values when it sorts on `source`, refused as
    /// Elasticsearch refuses it (a format on a number, a pattern logdash does not write).
    pub(super) fn date_format(
        &self,
        source: &SortSource,
    ) -> Result<Option<DateFormat>, RequestError> {
        let Some(format) = &self.format else {
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
        Ok(Some(match format.as_str() {
            "strict_date_optional_time"
            | "date_optional_time"
            | "strict_date_optional_time_nanos"
            | "strict_date_time"
            | "date_time" => DateFormat::Iso,
            "epoch_millis" => DateFormat::EpochMillis,
            "epoch_second" => DateFormat::EpochSecond,
            other => {
                return Err(RequestError::illegal_argument(format!(
                    "format [{other}] for sort values is not supported by logdash: it writes strict_date_optional_time, epoch_millis and epoch_second"
                )))
            }
        }))
    }

    pub(super) fn bind(&self, mapping: &IndexMapping) -> Result<SortSource, RequestError> {
        Ok(match self.field.as_str() {
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
                Target::Unmapped(_) => SortSource::Unmapped,
                Target::Text(path) => {
                    return Err(RequestError::illegal_argument(format!(
                        "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead: [{path}.keyword]"
                    )))
                }
                Target::Index | Target::Id => {
                    return Err(RequestError::illegal_argument(format!(
                        "sorting on [{field}] is not supported; sort on @timestamp with a unique event field as the tiebreaker"
                    )))
                }
            },
        })
    }
}

pub(super) fn parse_order(order: &str) -> Result<bool, RequestError> {
    match order {
        "asc" => Ok(false),
        "desc" => Ok(true),
        other => Err(RequestError::bad_request(format!(
            "[sort] order must be \"asc\" or \"desc\", not [{other}]"
        ))),
    }
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

    /// A `search_after` value: a date key takes a date as text too, as Elasticsearch does.
    /// A `search_after` value of a key on a date (`date`) or an ip field (`ip`: the
    /// address, compared as its key).
    pub(super) fn after(value: &Value, date: bool, ip: bool) -> SortValue {
        if ip {
            return match value.as_str().and_then(crate::ip::parse) {
                Some(address) => SortValue::Text(crate::ip::key(address)),
                None => SortValue::from_json(value),
            };
        }
        match (value, date) {
            (Value::String(text), true) => text
                .parse::<i64>()
                .ok()
                .or_else(|| logdash_core::time::parse_iso8601(text))
                .map_or(SortValue::Missing, SortValue::Int),
            _ => SortValue::from_json(value),
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
