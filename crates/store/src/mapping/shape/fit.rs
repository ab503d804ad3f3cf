//! One value made to fit its declared type, borrowed from the event where it fits as sent.

use serde_json::{Map, Number, Value};

use super::{Piece, Pieces};
use crate::mapping::date_format::DeclaredFormat;
use crate::mapping::explicit::Declared;
use crate::mapping::{date_millis, within_ignore_above, FieldKind};

/// A flattened field's whole values: every leaf as a keyword, listed under the field's own
/// name (so `labels: x` finds any leaf) and kept at its key beside them (`labels.env: x`):
/// `{"env": "prod", "n": [1, 2]}` is `["prod", "1", "2", {"env": "prod", "n": ["1", "2"]}]`.
fn flattened(declared: &Declared, path: &str, value: &Value) -> Result<Value, Option<String>> {
    /// Limits of one field's values: how deep its objects go, how long a leaf is kept.
    struct Bounds<'a> {
        path: &'a str,
        depth: u64,
        longest: usize,
    }
    fn keyed(
        value: &Value,
        depth: u64,
        bounds: &Bounds<'_>,
        leaves: &mut Vec<Value>,
    ) -> Result<Option<Value>, Option<String>> {
        Ok(match value {
            Value::Object(entries) => {
                if depth >= bounds.depth {
                    return Err(Some(format!(
                        "The provided [flattened] field [{}] exceeds the maximum depth limit of [{}].",
                        bounds.path, bounds.depth
                    )));
                }
                let mut kept = Map::new();
                for (key, inner) in entries {
                    if let Some(inner) = keyed(inner, depth + 1, bounds, leaves)? {
                        kept.insert(key.clone(), inner);
                    }
                }
                Some(Value::Object(kept))
            }
            Value::Array(items) => {
                let mut kept = Vec::new();
                for item in items {
                    kept.extend(keyed(item, depth, bounds, leaves)?);
                }
                Some(Value::Array(kept))
            }
            Value::Null => None,
            leaf => {
                let text = match leaf {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                within_ignore_above(&text, bounds.longest).then(|| {
                    leaves.push(Value::String(text.clone()));
                    Value::String(text)
                })
            }
        })
    }
    // an object, or objects listed: a value on its own is refused as the parser refuses it
    let token = |value: &Value| match value {
        Value::Object(_) => None,
        Value::String(_) => Some("VALUE_STRING"),
        Value::Number(_) => Some("VALUE_NUMBER"),
        Value::Bool(_) => Some("VALUE_BOOLEAN"),
        Value::Null => Some("VALUE_NULL"),
        Value::Array(_) => Some("START_ARRAY"),
    };
    let alone = match value {
        Value::Array(items) => items.iter().find_map(token),
        other => token(other),
    };
    if let Some(token) = alone {
        return Err(Some(format!(
            "Failed to parse object: expecting token of type [START_OBJECT] but found [{token}]"
        )));
    }
    let bounds = Bounds {
        path,
        depth: declared
            .property
            .get("depth_limit")
            .and_then(Value::as_u64)
            .unwrap_or(20),
        longest: declared.ignore_above().unwrap_or(usize::MAX),
    };
    let mut leaves = Vec::new();
    // the keyed objects beside the leaves: the one sent, or each of those listed
    match keyed(value, 0, &bounds, &mut leaves)? {
        Some(Value::Array(objects)) => leaves.extend(objects),
        kept => leaves.extend(kept),
    }
    Ok(Value::Array(leaves))
}

/// A text value's words, as the index analyzes them: the values of a text field with
/// `fielddata`, as Elasticsearch uninverts them for aggregations and sorts.
fn words_of(text: &Piece<'_>) -> Value {
    static ANALYZER: std::sync::OnceLock<Option<tantivy::tokenizer::TextAnalyzer>> =
        std::sync::OnceLock::new();
    let text = match text {
        Piece::Kept(Value::String(text)) => text.as_str(),
        Piece::Made(Value::String(text)) => text.as_str(),
        _ => return Value::Array(Vec::new()),
    };
    let analyzer =
        ANALYZER.get_or_init(|| crate::schema::tokenizers().get(crate::schema::TEXT_TOKENIZER));
    let Some(mut analyzer) = analyzer.clone() else {
        return Value::Array(Vec::new());
    };
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while stream.advance() {
        words.push(Value::String(stream.token().text.clone()));
    }
    Value::Array(words)
}

/// One value made to fit its declared type (borrowed where it fits as sent), or why it
/// does not (when that can be said).
pub(super) fn fit<'a>(
    declared: &Declared,
    path: &str,
    value: &'a Value,
) -> Result<Pieces<'a>, Option<String>> {
    // a string as sent; a number or a flag as its text
    let text = |value: &'a Value| match value {
        Value::String(text) => Some((text.len(), Piece::Kept(value))),
        Value::Number(n) => {
            let text = n.to_string();
            Some((text.len(), Piece::Made(Value::String(text))))
        }
        Value::Bool(b) => {
            let text = b.to_string();
            Some((text.len(), Piece::Made(Value::String(text))))
        }
        _ => None,
    };
    // `ignore_above` measures in UTF-16 units, as Java does (bytes are never fewer)
    let short = |(len, text): (usize, Piece<'a>), limit: Option<usize>| {
        let fits = |limit: usize| {
            len <= limit
                || match &text {
                    Piece::Kept(Value::String(kept)) => within_ignore_above(kept, limit),
                    _ => false,
                }
        };
        limit.is_none_or(fits).then_some(text)
    };
    match declared.kind {
        FieldKind::Keyword => {
            let text = text(value).ok_or(None)?;
            Ok((None, short(text, declared.ignore_above())))
        }
        FieldKind::Text => {
            let (len, text) = text(value).ok_or(None)?;
            let whole = if declared.has_keyword() {
                short((len, text.copy()), declared.ignore_above())
            } else if declared.fielddata() {
                Some(Piece::Made(words_of(&text)))
            } else {
                None
            };
            Ok((Some(text), whole))
        }
        FieldKind::Long => {
            let number = integer(declared, value)?;
            let whole = match value.as_i64() {
                Some(sent) if sent == number => Piece::Kept(value),
                _ => Piece::Made(Value::Number(number.into())),
            };
            Ok((None, Some(whole)))
        }
        FieldKind::Float => {
            let number = float(declared, value)?;
            let whole = match value {
                Value::Number(n) if n.is_f64() && n.as_f64() == Some(number) => Piece::Kept(value),
                _ => match Number::from_f64(number) {
                    Some(made) => Piece::Made(Value::Number(made)),
                    None => return Ok((None, None)),
                },
            };
            Ok((None, Some(whole)))
        }
        FieldKind::Boolean => {
            let flag = match value {
                Value::Bool(flag) => *flag,
                Value::String(text) if text == "true" => true,
                Value::String(text) if text == "false" || text.is_empty() => false,
                _ => {
                    return Err(Some(format!(
                        "Failed to parse value [{}] as only [true] or [false] are allowed.",
                        preview(value)
                    )))
                }
            };
            let whole = match value {
                Value::Bool(_) => Piece::Kept(value),
                _ => Piece::Made(Value::Bool(flag)),
            };
            Ok((None, Some(whole)))
        }
        FieldKind::Date | FieldKind::DateNanos => {
            let nanos = declared.kind == FieldKind::DateNanos;
            let format = declared
                .property
                .get("format")
                .and_then(Value::as_str)
                .unwrap_or("strict_date_optional_time||epoch_millis");
            let epoch = format.split("||").any(|f| f == "epoch_millis");
            let iso = format.split("||").any(|f| f != "epoch_millis");
            let iso_time = |text: &str| match nanos {
                true => crate::nanos::of_iso(text),
                false => date_millis(text),
            };
            let epoch_time = |millis: i64| match nanos {
                true => crate::nanos::of_millis(millis),
                false => Some(millis),
            };
            // a pattern of its own: each alternative tried in turn (dates only: a
            // date_nanos field takes the default's alternatives alone)
            // (most date fields declare no format: nothing to look at for each value)
            let declared_format = match declared.property.contains_key("format")
                && !nanos
                && !DeclaredFormat::is_default(format)
            {
                true => DeclaredFormat::cached(format),
                false => None,
            };
            // epoch milliseconds or nanoseconds, by the field's type
            let millis = match value {
                _ if declared_format.is_some() => declared_format
                    .as_ref()
                    .and_then(|declared| declared.read(value)),
                Value::String(text) => iso.then(|| iso_time(text)).flatten().or_else(|| {
                    epoch
                        .then(|| text.parse::<i64>().ok().and_then(epoch_time))
                        .flatten()
                }),
                Value::Number(n) if epoch => n
                    .as_i64()
                    .or_else(|| n.as_f64().map(|f| f as i64))
                    .and_then(epoch_time),
                _ => None,
            };
            let millis = millis.ok_or_else(|| {
                Some(format!(
                    "failed to parse date field [{}] with format [{format}]",
                    preview(value)
                ))
            })?;
            let words = value.is_string().then_some(Piece::Kept(value));
            Ok((words, Some(Piece::Made(Value::Number(millis.into())))))
        }
        FieldKind::Flattened => {
            flattened(declared, path, value).map(|whole| (None, Some(Piece::Made(whole))))
        }
        // a point is kept (`lat,lon`) for `exists` and `value_count`
        FieldKind::GeoPoint => {
            let point = crate::mapping::geo::point(value).map_err(Some)?;
            Ok((None, Some(Piece::Made(Value::String(point)))))
        }
        // an address is no text: only its key is indexed
        FieldKind::Ip => {
            let text = value.as_str().ok_or(None)?;
            let address = crate::ip::parse(text)
                .ok_or_else(|| Some(format!("'{text}' is not an IP string literal.")))?;
            Ok((
                None,
                Some(Piece::Made(Value::String(crate::ip::key(address)))),
            ))
        }
    }
}

/// A whole number for a `long`, `integer`, `short` or `byte` field: strings are read and
/// fractions cut unless `coerce` is off; values out of the type's range are refused.
fn integer(declared: &Declared, value: &Value) -> Result<i64, Option<String>> {
    let number = match value {
        Value::Number(n) => n
            .as_i64()
            .map(|i| i as f64)
            .or_else(|| n.as_f64())
            .unwrap_or(f64::NAN),
        Value::String(text) if declared.coerce() => text
            .trim()
            .parse::<f64>()
            .map_err(|_| Some(format!("For input string: \"{text}\"")))?,
        _ => return Err(None),
    };
    if number.fract() != 0.0 && !declared.coerce() {
        return Err(Some(format!("Value [{number}] has a decimal part")));
    }
    let (low, high) = match declared.es_type() {
        "integer" => (f64::from(i32::MIN), f64::from(i32::MAX)),
        "short" => (f64::from(i16::MIN), f64::from(i16::MAX)),
        "byte" => (f64::from(i8::MIN), f64::from(i8::MAX)),
        _ => (i64::MIN as f64, i64::MAX as f64),
    };
    if !number.is_finite() || number < low || number > high {
        return Err(Some(format!(
            "Value [{}] is out of range for {}",
            preview(value),
            declared.es_type()
        )));
    }
    // an integral value read exactly (above 2^53 an f64 is not exact)
    if let Some(exact) = value.as_i64() {
        return Ok(exact);
    }
    Ok(number.trunc() as i64)
}

/// A number for a `double`, `float`, `half_float` or `scaled_float` field (a scaled one
/// held at its scale, as Elasticsearch holds it).
fn float(declared: &Declared, value: &Value) -> Result<f64, Option<String>> {
    let number = match value {
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(text) if declared.coerce() => text
            .trim()
            .parse::<f64>()
            .map_err(|_| Some(format!("For input string: \"{text}\"")))?,
        _ => return Err(None),
    };
    if !number.is_finite() {
        return Err(Some(format!("[{}] is not a finite number", preview(value))));
    }
    // a `float` is kept at single precision, as Elasticsearch keeps it: aggregations read
    // 0.1 as 0.10000000149011612 there (queries cut their bounds alike, `query::single`).
    // `half_float` is kept as given (its ten bits are not cut: aggregations of it differ)
    Ok(match declared.es_type() {
        "float" if !(number as f32).is_finite() => {
            return Err(Some(
                "[float] supports only finite values, but got [Infinity]".into(),
            ))
        }
        "float" => f64::from(number as f32),
        "scaled_float" => {
            let factor = declared
                .property
                .get("scaling_factor")
                .and_then(Value::as_f64)
                .unwrap_or(1.0);
            (number * factor).round() / factor
        }
        _ => number,
    })
}

/// A value as Elasticsearch previews it in an error (objects as Java prints maps).
pub(super) fn preview(value: &Value) -> String {
    match value {
        Value::String(text) => text.chars().take(100).collect(),
        Value::Object(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}={}", preview(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(preview).collect();
            format!("[{}]", inner.join(", "))
        }
        other => other.to_string(),
    }
}
