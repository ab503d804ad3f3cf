//! What the store checks and applies of a read search body: paging, `_source` filtering.

use super::*;
use logdash_core::es::search::SourceFilter;

/// `from`, `size` and `search_after` together, as Elasticsearch checks them on the shards.
pub(super) fn check_paging(request: &SearchBody) -> Result<(), RequestError> {
    if request.from.saturating_add(request.size) > MAX_RESULT_WINDOW {
        return Err(RequestError::illegal_argument(format!(
                "Result window is too large, from + size must be less than or equal to: [{MAX_RESULT_WINDOW}] but was [{}]",
                request.from.saturating_add(request.size)
            )));
    }
    if let (Some(after), sort) = (&request.search_after, &request.sort) {
        let keys = sort.as_ref().map_or(0, Vec::len);
        if keys == 0 {
            return Err(RequestError::illegal_argument(
                "[search_after] needs a [sort]",
            ));
        }
        if after.len() != keys {
            return Err(RequestError::illegal_argument(format!(
                "search_after has {} value(s) but sort has {keys}",
                after.len()
            )));
        }
        if request.from > 0 {
            return Err(RequestError::illegal_argument(
                "[from] parameter must be set to 0 when [search_after] is used",
            ));
        }
    }
    Ok(())
}

/// `_source` as asked for, applied to one event's source.
pub(super) fn apply_source(filter: &SourceFilter, source: Value) -> Option<Value> {
    match filter {
        SourceFilter::All => Some(source),
        SourceFilter::None => None,
        SourceFilter::Some { includes, excludes } => {
            let Value::Object(object) = source else {
                return Some(source);
            };
            Some(Value::Object(filter_object(object, "", includes, excludes)))
        }
    }
}

pub(super) fn filter_object(
    object: Map<String, Value>,
    prefix: &str,
    includes: &[String],
    excludes: &[String],
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in object {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if excludes.iter().any(|p| indices::matches(p, &path)) {
            continue;
        }
        let included = includes.is_empty() || includes.iter().any(|p| indices::matches(p, &path));
        match value {
            Value::Object(inner) if !included => {
                // an include may name a field inside this object
                let under = format!("{path}.");
                if includes
                    .iter()
                    .any(|p| p.starts_with(&under) || p.starts_with('*'))
                {
                    let kept = filter_object(inner, &path, includes, excludes);
                    if !kept.is_empty() {
                        out.insert(key, Value::Object(kept));
                    }
                }
            }
            Value::Object(inner) => {
                out.insert(
                    key,
                    Value::Object(filter_object(inner, &path, &[], excludes)),
                );
            }
            value if included => {
                out.insert(key, value);
            }
            _ => {}
        }
    }
    out
}
