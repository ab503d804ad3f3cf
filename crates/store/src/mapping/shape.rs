//! An event as an explicitly mapped index indexes it: each declared field's values made to
//! fit its type (`"42"` into a `long`, `12` into a `keyword`), or the event refused as
//! Elasticsearch refuses it; fields nobody declared as `dynamic` says. `_source` is never
//! changed: these are the values indexed beside it.

use serde_json::{Map, Number, Value};

use super::dynamic_templates::declared_for;
use super::explicit::{Declared, Dynamic, Explicit};
use super::{date_millis, FieldKind, IndexMapping, KEYWORD_IGNORE_ABOVE};
use crate::event::Source;

/// The values an event indexes: `words` for full text, `whole` for exact values.
#[derive(Debug, Default, PartialEq)]
pub struct Shaped {
    pub words: Source,
    pub whole: Source,
}

/// Why an event does not fit its index's mapping, as Elasticsearch names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Misfit {
    pub kind: &'static str,
    pub reason: String,
    /// What the value itself was found to be (Elasticsearch's `caused_by`).
    pub cause: Option<String>,
}

impl Explicit {
    /// Shapes `source` (the event with `_id` `id`) for indexing, or says why it does not fit.
    pub fn shape(&self, source: &Source, id: &str) -> Result<Shaped, Misfit> {
        self.shape_known(source, id, &IndexMapping::new())
    }

    /// [`Explicit::shape`] where `known` holds the fields dynamic mapping has typed
    /// already: a dynamic template takes a field only when it is first seen, as there.
    pub fn shape_known(
        &self,
        source: &Source,
        id: &str,
        known: &IndexMapping,
    ) -> Result<Shaped, Misfit> {
        let mut shaped = Shaped::default();
        let mut walk = Walk {
            explicit: self,
            id,
            known,
        };
        walk.object(source, "", &mut shaped.words, &mut shaped.whole)?;
        Ok(shaped)
    }
}

struct Walk<'a> {
    explicit: &'a Explicit,
    id: &'a str,
    known: &'a IndexMapping,
}

impl Walk<'_> {
    fn object(
        &mut self,
        object: &Source,
        parent: &str,
        words: &mut Source,
        whole: &mut Source,
    ) -> Result<(), Misfit> {
        for (key, value) in object {
            let path = if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            };
            // an object `enabled: false` holds anything, kept in `_source` only (a dotted
            // key inside one too)
            if value.is_null() || self.explicit.disabled_at(&path) {
                continue;
            }
            // a dotted key inside a flattened field (`"labels.env": "prod"`) is one of its
            // keys, as Elasticsearch expands it
            if let Some((flat, declared)) = self.explicit.flattened_holding(&path) {
                let rest = &path[flat.len() + 1..];
                let nested = rest.rsplit('.').fold(value.clone(), |inner, key| {
                    Value::Object(Map::from_iter([(key.to_string(), inner)]))
                });
                let (_, kept) = self.leaf(declared, flat, &nested)?;
                let at = &flat[parent.len() + usize::from(!parent.is_empty())..];
                match (whole.get_mut(at), kept) {
                    (Some(Value::Array(held)), Some(Value::Array(more))) => held.extend(more),
                    (_, kept) => put(whole, at, kept),
                }
                continue;
            }
            if let Some(declared) = self.explicit.fields.get(&path) {
                let (w, h) = self.leaf(declared, &path, value)?;
                put(words, key, w);
                put(whole, key, h);
            } else if self.explicit.objects.contains_key(&path) {
                let (w, h) = self.inner(value, &path, key)?;
                put(words, key, w);
                put(whole, key, h);
            } else {
                match self.explicit.dynamic_under(parent) {
                    Dynamic::True => {
                        let templates = match self.known.contains_key(&path) {
                            true => &[][..],
                            false => &self.explicit.dynamic_templates[..],
                        };
                        let holds_objects = match value {
                            Value::Object(_) => true,
                            Value::Array(items) => items.iter().any(Value::is_object),
                            _ => false,
                        };
                        match declared_for(templates, &path, value) {
                            Some(declared) => {
                                let (w, h) = self.leaf(declared, &path, value)?;
                                put(words, key, w);
                                put(whole, key, h);
                            }
                            // templates may take fields inside: walked as a declared object is
                            None if holds_objects && !templates.is_empty() => {
                                let (w, h) = self.inner(value, &path, key)?;
                                put(words, key, w);
                                put(whole, key, h);
                            }
                            None => {
                                words.insert(key.clone(), value.clone());
                                put(whole, key, dynamic_whole(value));
                            }
                        }
                    }
                    Dynamic::False => {}
                    Dynamic::Strict => {
                        let within = if parent.is_empty() { "_doc" } else { parent };
                        return Err(Misfit {
                            kind: "strict_dynamic_mapping_exception",
                            reason: format!("mapping set to strict, dynamic introduction of [{key}] within [{within}] is not allowed"),
                            cause: None,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// A declared object's value: an object, or an array of them.
    fn inner(
        &mut self,
        value: &Value,
        path: &str,
        key: &str,
    ) -> Result<(Option<Value>, Option<Value>), Misfit> {
        match value {
            Value::Object(object) => {
                let (mut words, mut whole) = (Map::new(), Map::new());
                self.object(object, path, &mut words, &mut whole)?;
                Ok((Some(Value::Object(words)), Some(Value::Object(whole))))
            }
            Value::Array(items) => {
                let (mut words, mut whole) = (Vec::new(), Vec::new());
                for item in items.iter().filter(|item| !item.is_null()) {
                    let (w, h) = self.inner(item, path, key)?;
                    words.extend(w);
                    whole.extend(h);
                }
                Ok((Some(Value::Array(words)), Some(Value::Array(whole))))
            }
            _ => Err(Misfit {
                kind: "document_parsing_exception",
                reason: format!("object mapping for [{path}] tried to parse field [{key}] as object, but found a concrete value"),
                cause: None,
            }),
        }
    }

    /// A declared field's value (each item of an array): its words and its whole value.
    fn leaf(
        &mut self,
        declared: &Declared,
        path: &str,
        value: &Value,
    ) -> Result<(Option<Value>, Option<Value>), Misfit> {
        // `[lon, lat]` is one point, not two values; a flattened field takes any value whole
        let one_value = match declared.kind {
            FieldKind::GeoPoint => !super::geo::is_list_of_points(value),
            FieldKind::Flattened => true,
            _ => false,
        };
        if let (Value::Array(items), false) = (value, one_value) {
            let (mut words, mut whole) = (Vec::new(), Vec::new());
            for item in items.iter().filter(|item| !item.is_null()) {
                let (w, h) = self.leaf(declared, path, item)?;
                words.extend(w);
                whole.extend(h);
            }
            return Ok((Some(Value::Array(words)), Some(Value::Array(whole))));
        }
        match fit(declared, path, value) {
            // what cannot be searched (`index: false`, and no doc values) is checked, and
            // kept in `_source` only; a text field's `.keyword` is a field of its own
            Ok((words, whole)) => Ok((
                words.filter(|_| declared.searchable()),
                whole.filter(|_| declared.kind == FieldKind::Text || declared.searchable()),
            )),
            Err(_) if declared.ignore_malformed() => Ok((None, None)),
            Err(cause) => Err(Misfit {
                kind: "document_parsing_exception",
                reason: format!(
                    "failed to parse field [{path}] of type [{}] in document with id '{}'. Preview of field's value: '{}'",
                    declared.es_type(),
                    self.id,
                    preview(value)
                ),
                cause,
            }),
        }
    }
}

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
                (text.len() <= bounds.longest).then(|| {
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

/// One value made to fit its declared type, or why it does not (when that can be said).
fn fit(
    declared: &Declared,
    path: &str,
    value: &Value,
) -> Result<(Option<Value>, Option<Value>), Option<String>> {
    let text = |value: &Value| match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let short = |text: String, limit: Option<usize>| {
        (text.len() <= limit.unwrap_or(usize::MAX)).then_some(Value::String(text))
    };
    match declared.kind {
        FieldKind::Keyword => {
            let text = text(value).ok_or(None)?;
            Ok((None, short(text, declared.ignore_above())))
        }
        FieldKind::Text => {
            let text = text(value).ok_or(None)?;
            let whole = if declared.has_keyword() {
                short(text.clone(), declared.ignore_above())
            } else {
                None
            };
            Ok((Some(Value::String(text)), whole))
        }
        FieldKind::Long => Ok((None, Some(Value::Number(integer(declared, value)?.into())))),
        FieldKind::Float => {
            let number = float(declared, value)?;
            Ok((None, Number::from_f64(number).map(Value::Number)))
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
            Ok((None, Some(Value::Bool(flag))))
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
            // epoch milliseconds or nanoseconds, by the field's type
            let millis = match value {
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
            let words = value.as_str().map(|text| Value::String(text.to_string()));
            Ok((words, Some(Value::Number(millis.into()))))
        }
        FieldKind::Flattened => flattened(declared, path, value).map(|whole| (None, Some(whole))),
        // a point is kept (`lat,lon`) for `exists` and `value_count`
        FieldKind::GeoPoint => {
            let point = super::geo::point(value).map_err(Some)?;
            Ok((None, Some(Value::String(point))))
        }
        // an address is no text: only its key is indexed
        FieldKind::Ip => {
            let text = value.as_str().ok_or(None)?;
            let address = crate::ip::parse(text)
                .ok_or_else(|| Some(format!("'{text}' is not an IP string literal.")))?;
            Ok((None, Some(Value::String(crate::ip::key(address)))))
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
    // `float` and `half_float` values are kept as given, not cut to their precision: a
    // query for 0.1 must find the 0.1 sent (Elasticsearch cuts both sides alike); only
    // aggregations then differ, in the eighth digit
    Ok(match declared.es_type() {
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

/// A dynamically mapped value's whole form: dates as epoch milliseconds, strings too long
/// for a keyword left out (as events in indices with no mapping are indexed).
fn dynamic_whole(value: &Value) -> Option<Value> {
    match value {
        Value::String(text) => match date_millis(text) {
            Some(millis) => Some(Value::Number(millis.into())),
            None => (text.len() <= KEYWORD_IGNORE_ABOVE).then(|| value.clone()),
        },
        Value::Array(items) => Some(Value::Array(
            items.iter().filter_map(dynamic_whole).collect(),
        )),
        Value::Object(entries) => Some(Value::Object(
            entries
                .iter()
                .filter_map(|(k, v)| dynamic_whole(v).map(|v| (k.clone(), v)))
                .collect(),
        )),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

fn put(into: &mut Source, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        into.insert(key.to_string(), value);
    }
}

/// A value as Elasticsearch previews it in an error (objects as Java prints maps).
fn preview(value: &Value) -> String {
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

#[cfg(test)]
mod tests;
