//! `composite`: pages of buckets over every combination of its sources' values, its
//! sources' fields resolved to the store's columns and its `after` in tantivy's terms.

use super::*;

/// A composite aggregation's sources, each with its field resolved to the store's column
/// (`terms` and `histogram` sources; keyword and number fields).
pub(super) fn sources(
    name: &str,
    body: &mut Map<String, Value>,
    mapping: &IndexMapping,
) -> Result<(), RequestError> {
    let sources = body
        .get_mut("sources")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| {
            RequestError::bad_request(format!("[composite] [{name}] needs [sources]"))
        })?;
    for source in sources {
        let Some((source_name, spec)) = source.as_object_mut().and_then(|s| s.iter_mut().next())
        else {
            return Err(RequestError::bad_request(format!(
                "[composite] [{name}]: a source must be {{name: {{terms: {{field}}}}}}"
            )));
        };
        let Some((kind, options)) = spec.as_object_mut().and_then(|s| s.iter_mut().next()) else {
            return Err(RequestError::bad_request(format!(
                "[composite] [{name}]: source [{source_name}] names no kind"
            )));
        };
        if kind != "terms" && kind != "histogram" {
            return Err(RequestError::illegal_argument(format!(
                "[composite] [{name}]: [{kind}] sources are not supported by logdash (terms and histogram are)"
            )));
        }
        let field = options
            .get("field")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                RequestError::bad_request(format!(
                    "[composite] [{name}]: source [{source_name}] needs a [field]"
                ))
            })?;
        let target = resolve(mapping, &field);
        // an address's key is not its text: the keys and `after` would not read as addresses
        if let Target::Whole(_, FieldKind::Ip) = target {
            return Err(RequestError::illegal_argument(format!(
                "[composite] [{name}]: a source on the ip field [{field}] is not supported by logdash"
            )));
        }
        let column = column_of(&target, kind, &field)?;
        options["field"] = Value::String(column);
    }
    // Elasticsearch's `after` has plain values; tantivy's says each value's type
    if let Some(Value::Object(after)) = body.get_mut("after") {
        for value in after.values_mut() {
            *value = Value::String(match value {
                Value::String(text) => format!("str:{text}"),
                Value::Bool(flag) => format!("bool:{flag}"),
                Value::Number(n) if n.is_i64() => format!("i64:{n}"),
                Value::Number(n) if n.is_u64() => format!("u64:{n}"),
                Value::Number(n) => format!("f64:{n}"),
                _ => "null:".to_string(),
            });
        }
    }
    Ok(())
}
