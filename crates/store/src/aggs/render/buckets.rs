//! Buckets as Elasticsearch writes them: date_nanos terms by the millisecond, ranges
//! counted as filters, composite keys, date histograms counted between edges.

use super::super::*;
use super::metrics::date_text;

/// A date_nanos terms' buckets merged by the millisecond, keyed in milliseconds and shown
/// as dates (no sub-aggregations: see `aggregation`).
pub(super) fn by_millisecond(result: &mut Value, format: &Option<DatePattern>) {
    let mut counts = std::collections::BTreeMap::<i64, u64>::new();
    for bucket in buckets_mut(result) {
        let millis = bucket["key"].as_i64().unwrap_or(0).div_euclid(1_000_000);
        *counts.entry(millis).or_default() += bucket["doc_count"].as_u64().unwrap_or(0);
    }
    let buckets: Vec<Value> = counts
        .into_iter()
        .map(|(millis, count)| {
            json!({"key": millis, "key_as_string": date_text(millis, format), "doc_count": count})
        })
        .collect();
    result["buckets"] = Value::Array(buckets);
}

/// A range aggregation counted as filters (one per range, named by place) in the shape of
/// tantivy's range buckets.
pub(super) fn range_buckets_of_filters(
    result: &mut Value,
    ranges: &[(Option<f64>, Option<f64>, Option<String>)],
) -> Value {
    let buckets: Vec<Value> = ranges
        .iter()
        .enumerate()
        .map(|(i, (from, to, _))| {
            let mut bucket = result
                .get_mut(i.to_string())
                .map(Value::take)
                .unwrap_or_else(|| json!({"doc_count": 0}));
            // as tantivy writes them: an open end has none
            if let Some(from) = from {
                bucket["from"] = json!(from);
            }
            if let Some(to) = to {
                bucket["to"] = json!(to);
            }
            bucket
        })
        .collect();
    json!({"buckets": buckets})
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
pub(super) fn plain_key(value: &Value) -> Value {
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

/// A date_histogram counted between edges (tantivy's range buckets, in the column's units)
/// as Elasticsearch shows it: keyed by each bucket's start, empty buckets only between the
/// first and last with events (or within the extended bounds), none past the hard bounds.
pub(super) fn histogram_from_ranges(
    result: &mut Value,
    zone: &DateWriter,
    edges: &Edges,
) -> Vec<Value> {
    let mut buckets: Vec<Value> = buckets_mut(result)
        .into_iter()
        .filter_map(|bucket| {
            let from = bucket.get("from").and_then(Value::as_f64)?;
            bucket.get("to").and_then(Value::as_f64)?;
            let key = (from / edges.scale).round() as i64;
            let mut shaped = Map::new();
            shaped.insert("key_as_string".into(), json!(zone.format(key)));
            shaped.insert("key".into(), json!(key));
            let object = bucket.as_object_mut()?;
            shaped.insert(
                "doc_count".into(),
                json!(object
                    .get("doc_count")
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0) as u64),
            );
            for (name, value) in std::mem::take(object) {
                if ![
                    "key",
                    "from",
                    "to",
                    "from_as_string",
                    "to_as_string",
                    "doc_count",
                ]
                .contains(&name.as_str())
                {
                    shaped.insert(name, value);
                }
            }
            Some(Value::Object(shaped))
        })
        .collect();
    let count = |bucket: &Value| bucket["doc_count"].as_u64().unwrap_or(0);
    let key = |bucket: &Value| bucket["key"].as_i64().unwrap_or(0);
    buckets.sort_by_key(key);
    if edges.min_doc_count > 0 {
        buckets.retain(|bucket| count(bucket) >= edges.min_doc_count);
    } else {
        let first = buckets.iter().position(|b| count(b) > 0);
        let last = buckets.iter().rposition(|b| count(b) > 0);
        let (low, high) = match (first, last) {
            (Some(first), Some(last)) => (key(&buckets[first]), key(&buckets[last])),
            _ => (i64::MAX, i64::MIN),
        };
        // extended bounds keep the buckets that reach into them
        let (ext_low, ext_high) = edges.extended.unwrap_or((i64::MAX, i64::MIN));
        let keys: Vec<i64> = buckets.iter().map(key).collect();
        let mut keep = keys.iter().enumerate().map(|(i, &start)| {
            let end = keys.get(i + 1).copied().unwrap_or(i64::MAX);
            (low..=high).contains(&start) || (end > ext_low && start <= ext_high)
        });
        buckets.retain(|_| keep.next().unwrap_or(false));
    }
    if let Some((low, high)) = edges.hard {
        buckets.retain(|bucket| (low..high).contains(&key(bucket)));
    }
    buckets
}
