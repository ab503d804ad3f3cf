//! tantivy's answers brought to Elasticsearch's shapes.

use super::dates::date_range_bucket;
use super::*;

/// Brings one level of results to Elasticsearch's shape; `bucket` is the key of the
/// histogram bucket it sits in (0 outside one), for the exact percentiles.
pub(super) fn render_level(
    value: &mut Value,
    plan: &[(String, Plan)],
    exact: &mut Exact,
    bucket: i64,
) {
    for (name, node) in plan {
        let (inner, meta) = match node {
            Plan::Meta(inner, meta) => (&**inner, Some(meta)),
            other => (other, None),
        };
        if let Plan::Percentiles(spec) = inner {
            if let Some(level) = value.as_object_mut() {
                let mut answer = exact.answer(*spec, bucket);
                if let Some(meta) = meta {
                    answer["meta"] = meta.clone();
                }
                level.insert(name.clone(), answer);
            }
        } else if let Some(result) = value.get_mut(name) {
            render_one(result, node, exact);
        }
    }
}

pub(super) fn render_one(result: &mut Value, plan: &Plan, exact: &mut Exact) {
    match plan {
        Plan::DateHistogram {
            offset_minutes,
            children,
        } => {
            for bucket in buckets_mut(result) {
                let mut at = 0;
                if let Some(key) = bucket.get("key").and_then(Value::as_f64) {
                    let key = key as i64;
                    at = key;
                    bucket["key"] = json!(key);
                    bucket["key_as_string"] = json!(format_with_offset(key, *offset_minutes));
                }
                whole_doc_count(bucket);
                render_level(bucket, children, exact, at);
            }
        }
        Plan::Composite(children) => {
            for bucket in buckets_mut(result) {
                whole_doc_count(bucket);
                render_level(bucket, children, exact, 0);
            }
            if let Some(Value::Object(after)) = result.get_mut("after_key") {
                for value in after.values_mut() {
                    *value = plain_key(value);
                }
            }
        }
        Plan::Buckets { children, dates } => {
            for bucket in buckets_mut(result) {
                if let (true, Some(key)) = (*dates, bucket.get("key").and_then(Value::as_f64)) {
                    bucket["key"] = json!(key as i64);
                    bucket["key_as_string"] = json!(format_iso8601(key as i64));
                }
                whole_doc_count(bucket);
                render_level(bucket, children, exact, 0);
            }
        }
        Plan::Range {
            ranges,
            keyed,
            date_scale,
            children,
        } => {
            let mut kept = Vec::new();
            for (from, to, key) in ranges {
                let found = buckets_mut(result).into_iter().find(|bucket| {
                    bucket.get("from").and_then(Value::as_f64) == *from
                        && bucket.get("to").and_then(Value::as_f64) == *to
                });
                let mut bucket = found
                    .map(|b| b.take())
                    .unwrap_or_else(|| json!({"doc_count": 0}));
                if let Some(scale) = date_scale {
                    date_range_bucket(&mut bucket, *from, *to, *scale);
                }
                // Elasticsearch names an unnamed range "from-to" with decimals (dates as dates),
                // "*" for an open end
                let edge = |v: &Option<f64>| match (v, date_scale) {
                    (None, _) => "*".to_string(),
                    (Some(v), Some(scale)) => format_iso8601((v / scale) as i64),
                    (Some(v), None) => format!("{v:?}"),
                };
                bucket["key"] =
                    json!(key
                        .clone()
                        .unwrap_or_else(|| format!("{}-{}", edge(from), edge(to))));
                whole_doc_count(&mut bucket);
                render_level(&mut bucket, children, exact, 0);
                kept.push(bucket);
            }
            result["buckets"] = if *keyed {
                Value::Object(
                    kept.into_iter()
                        .map(|mut bucket| {
                            let key = match bucket.as_object_mut().and_then(|b| b.remove("key")) {
                                Some(Value::String(key)) => key,
                                _ => String::new(),
                            };
                            (key, bucket)
                        })
                        .collect(),
                )
            } else {
                Value::Array(kept)
            };
        }
        Plan::Single(children) => {
            whole_doc_count(result);
            render_level(result, children, exact, 0);
        }
        Plan::Cardinality => {
            if let Some(value) = result.get("value").and_then(Value::as_f64) {
                result["value"] = json!(value.round() as u64);
            }
        }
        Plan::Metric { date_scale } => {
            if let (Some(scale), Some(value)) =
                (date_scale, result.get("value").and_then(Value::as_f64))
            {
                let ms = (value / scale).round();
                result["value"] = json!(ms);
                result["value_as_string"] = json!(format_iso8601(ms as i64));
            }
        }
        Plan::Meta(inner, meta) => {
            render_one(result, inner, exact);
            result["meta"] = meta.clone();
        }
        Plan::Percentiles(..) => {}
    }
}

pub(super) fn buckets_mut(result: &mut Value) -> Vec<&mut Value> {
    match result.get_mut("buckets") {
        Some(Value::Array(buckets)) => buckets.iter_mut().collect(),
        Some(Value::Object(buckets)) => buckets.values_mut().collect(),
        _ => Vec::new(),
    }
}

pub(super) fn whole_doc_count(bucket: &mut Value) {
    if let Some(count) = bucket.get("doc_count").and_then(Value::as_f64) {
        bucket["doc_count"] = json!(count as u64);
    }
}

/// A composite key value as Elasticsearch writes it: tantivy's `str:x`, `i64:5`, ... plain.
fn plain_key(value: &Value) -> Value {
    let Some((kind, text)) = value.as_str().and_then(|v| v.split_once(':')) else {
        return value.clone();
    };
    match kind {
        "str" | "ip" | "dt" => json!(text),
        "i64" => text.parse::<i64>().map_or(Value::Null, |n| json!(n)),
        "u64" => text.parse::<u64>().map_or(Value::Null, |n| json!(n)),
        "f64" => text.parse::<f64>().map_or(Value::Null, |n| json!(n)),
        "bool" => json!(text == "true"),
        _ => Value::Null,
    }
}
