//! Reading a query's JSON the way Elasticsearch's parsers do: one object per query, its keys
//! known by name (an unknown key is refused by name), its values of the type each key takes.

use serde_json::{Map, Value};

use super::{QueryError, Scalar};

pub(super) type Object = Map<String, Value>;

/// `value` as an object, or the error Elasticsearch gives for `[kind]` when it is not.
pub(super) fn object<'v>(kind: &str, value: &'v Value) -> Result<&'v Object, QueryError> {
    value.as_object().ok_or_else(|| {
        QueryError::parsing(format!(
            "[{kind}] query malformed, no start_object after query name"
        ))
    })
}

/// Reads every key of `object` with `read`, which answers whether it knew the key; a key it
/// did not know is refused as Elasticsearch refuses it.
pub(super) fn keys<'v>(
    kind: &str,
    object: &'v Object,
    mut read: impl FnMut(&'v str, &'v Value) -> Result<bool, QueryError>,
) -> Result<(), QueryError> {
    for (key, value) in object {
        if !read(key, value)? {
            // Elasticsearch reads these two with its declarative parser, which words it so
            if kind == "bool" || kind == "ids" {
                return Err(QueryError {
                    kind: "x_content_parse_exception",
                    reason: format!("[{kind}] unknown field [{key}]"),
                    invalid_value: false,
                });
            }
            return Err(QueryError::parsing(format!(
                "[{kind}] query does not support [{key}]"
            )));
        }
    }
    Ok(())
}

/// The one `field: spec` entry of a single-field query (`term`, `match`, ...). Only `terms`
/// and `range` take `boost` and `_name` beside the field: [`one_field_of_many`].
pub(super) fn one_field<'v>(
    kind: &str,
    value: &'v Value,
) -> Result<(&'v str, &'v Value), QueryError> {
    field_among(kind, value, &[])
}

/// The one field of `terms` or `range`, with `boost` and `_name` allowed beside it.
pub(super) fn one_field_of_many<'v>(
    kind: &str,
    value: &'v Value,
) -> Result<(&'v str, &'v Value), QueryError> {
    field_among(kind, value, &["boost", "_name"])
}

fn field_among<'v>(
    kind: &str,
    value: &'v Value,
    options: &[&str],
) -> Result<(&'v str, &'v Value), QueryError> {
    let object = object(kind, value)?;
    let mut fields = object
        .iter()
        .filter(|(key, _)| !options.contains(&key.as_str()));
    match (fields.next(), fields.next()) {
        (Some((field, spec)), None) => Ok((field, spec)),
        (None, _) => Err(QueryError::illegal(format!(
            "[{kind}] query needs a field name"
        ))),
        (Some((first, _)), Some((second, _))) => Err(QueryError::parsing(format!(
            "[{kind}] query doesn't support multiple fields, found [{first}] and [{second}]"
        ))),
    }
}

pub(super) fn string(kind: &str, key: &str, value: &Value) -> Result<String, QueryError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(_) | Value::Bool(_) => Ok(value.to_string()),
        _ => Err(QueryError::parsing(format!(
            "[{kind}] [{key}] must be a string, not {value}"
        ))),
    }
}

pub(super) fn float(kind: &str, key: &str, value: &Value) -> Result<f32, QueryError> {
    let parsed = match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    parsed
        .filter(|f| f.is_finite())
        .map(|f| f as f32)
        .ok_or_else(|| {
            QueryError::parsing(format!("[{kind}] [{key}] must be a number, not {value}"))
        })
}

pub(super) fn whole(kind: &str, key: &str, value: &Value) -> Result<u32, QueryError> {
    let parsed = match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse::<u64>().ok(),
        _ => None,
    };
    parsed.and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
        QueryError::parsing(format!(
            "[{kind}] [{key}] must be a whole number, not {value}"
        ))
    })
}

pub(super) fn boolean(kind: &str, key: &str, value: &Value) -> Result<bool, QueryError> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        Value::String(text) if text == "true" => Ok(true),
        Value::String(text) if text == "false" => Ok(false),
        _ => Err(QueryError::parsing(format!(
            "[{kind}] [{key}] must be true or false, not {value}"
        ))),
    }
}

pub(super) fn scalar(kind: &str, field: &str, value: &Value) -> Result<Scalar, QueryError> {
    Scalar::from_json(value).ok_or_else(|| {
        QueryError::parsing(format!(
            "[{kind}] value for [{field}] must be a string, number or boolean, not {value}"
        ))
    })
}

/// Names Elasticsearch knows for `kind` that logdash does not do: refused by name rather than
/// ignored with a wrong answer.
pub(super) fn unsupported(kind: &str, key: &str) -> QueryError {
    QueryError::illegal(format!(
        "[{kind}] option [{key}] is not supported by logdash"
    ))
}

/// Writes `boost` beside a query's other keys when it is not the default.
pub(super) fn with_boost(mut object: Object, boost: f32) -> Object {
    if boost != 1.0 {
        object.insert("boost".into(), Value::from(boost));
    }
    object
}

/// A `time_zone`: a string naming a zone. With the tz database built in (`zones`), an
/// unknown name is refused as Elasticsearch refuses it, before any shard runs; without it
/// (the dashboard, which only writes queries), the name is kept as written.
pub(super) fn time_zone(kind: &str, key: &str, value: &Value) -> Result<String, QueryError> {
    let zone = string(kind, key, value)?;
    #[cfg(feature = "zones")]
    if crate::time::AnyZone::parse(&zone).is_none() {
        return Err(QueryError::invalid_value(format!(
            "java.time.zone.ZoneRulesException: Unknown time-zone ID: {zone}"
        )));
    }
    Ok(zone)
}
