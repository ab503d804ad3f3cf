//! tantivy's answers brought to Elasticsearch's shapes.

use super::dates::date_range_bucket;
use super::*;
use crate::percentiles::Answers;

/// Brings one level of results to Elasticsearch's shape; `path` is the keys of the buckets
/// it sits in, top down, by which the exact percentiles find their values.
pub(super) fn render_level(
    value: &mut Value,
    plan: &[(String, Plan)],
    exact: &mut Answers,
    path: &[Key],
) {
    for (name, node) in plan {
        let (inner, meta) = match node {
            Plan::Meta(inner, meta) => (&**inner, Some(meta)),
            other => (other, None),
        };
        if let Plan::TopHits(_) = inner {
            // read after, by a search per bucket
        } else if let Plan::Percentiles(spec) = inner {
            if let Some(level) = value.as_object_mut() {
                let mut answer = exact.take(*spec, path);
                if let Some(meta) = meta {
                    answer["meta"] = meta.clone();
                }
                level.insert(name.clone(), answer);
            }
        } else if let Some(result) = value.get_mut(name) {
            render_one(result, node, exact, path);
        }
    }
}

/// The path of a bucket keyed `key` below `path`.
fn below(path: &[Key], key: Key) -> Vec<Key> {
    let mut below = path.to_vec();
    below.push(key);
    below
}

/// A date_nanos terms' buckets merged by the millisecond, keyed in milliseconds and shown
/// as dates (no sub-aggregations: see `aggregation`).
fn by_millisecond(result: &mut Value, format: &Option<DatePattern>) {
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

pub(super) fn render_one(result: &mut Value, plan: &Plan, exact: &mut Answers, path: &[Key]) {
    match plan {
        Plan::DateHistogram {
            zone,
            between_edges: None,
            key_scale,
            children,
        } => {
            for bucket in buckets_mut(result) {
                let mut at = 0;
                if let Some(key) = bucket.get("key").and_then(Value::as_f64) {
                    let key = (key / key_scale).round() as i64;
                    at = key;
                    bucket["key"] = json!(key);
                    bucket["key_as_string"] = json!(zone.format(key));
                }
                whole_doc_count(bucket);
                render_level(bucket, children, exact, &below(path, Key::Int(at)));
            }
        }
        Plan::DateHistogram {
            zone,
            between_edges: Some(edges),
            children,
            ..
        } => {
            let mut buckets = histogram_from_ranges(result, zone, edges);
            for bucket in &mut buckets {
                let at = bucket["key"].as_i64().unwrap_or(0);
                render_level(bucket, children, exact, &below(path, Key::Int(at)));
            }
            *result = json!({"buckets": buckets});
        }
        Plan::Composite(children) => {
            for bucket in buckets_mut(result) {
                whole_doc_count(bucket);
                render_level(bucket, children, exact, path);
            }
            if let Some(Value::Object(after)) = result.get_mut("after_key") {
                for value in after.values_mut() {
                    *value = plain_key(value);
                }
            }
        }
        Plan::Buckets {
            children,
            keys,
            order,
            date_format,
        } => {
            if *keys == Keys::NanosByMillisecond {
                by_millisecond(result, date_format);
            }
            for bucket in buckets_mut(result) {
                // as tantivy keyed it, before it is shown as Elasticsearch shows it
                let key = bucket.get("key").and_then(Key::of_rendered);
                match (keys, bucket.get("key").and_then(Value::as_f64)) {
                    (Keys::Dates, Some(key)) => {
                        bucket["key"] = json!(key as i64);
                        bucket["key_as_string"] = json!(date_text(key as i64, date_format));
                    }
                    (Keys::Floats, Some(key)) => bucket["key"] = json!(key),
                    _ => {}
                }

                whole_doc_count(bucket);
                match key {
                    Some(key) => render_level(bucket, children, exact, &below(path, key)),
                    None => render_level(bucket, children, exact, path),
                }
            }
            if let Some(order) = order {
                order.apply(result);
            }
            // a terms' (one shard's: exact) error bound, which tantivy leaves out when
            // ordered by key or by a sub-aggregation
            if let Some(terms) = result.as_object_mut() {
                if terms.contains_key("sum_other_doc_count") {
                    terms
                        .entry("doc_count_error_upper_bound")
                        .or_insert(json!(0));
                }
            }
            // after ordering: the keys sort as addresses, their text does not
            if *keys == Keys::Addresses {
                for bucket in buckets_mut(result) {
                    if let Some(address) = bucket["key"].as_str().and_then(crate::ip::address_of) {
                        bucket["key"] = json!(address);
                    }
                }
            }
        }
        Plan::Range {
            ranges,
            keyed,
            date_scale,
            zone,
            children,
            as_filters,
        } => {
            if *as_filters {
                *result = range_buckets_of_filters(result, ranges);
            }
            let mut kept = Vec::new();
            // Elasticsearch answers the ranges in order of their starts, then their ends
            let mut ranges: Vec<_> = ranges.iter().enumerate().collect();
            ranges.sort_by(|(_, (from_a, to_a, _)), (_, (from_b, to_b, _))| {
                let start = |from: &Option<f64>| from.unwrap_or(f64::NEG_INFINITY);
                let end = |to: &Option<f64>| to.unwrap_or(f64::INFINITY);
                start(from_a)
                    .total_cmp(&start(from_b))
                    .then(end(to_a).total_cmp(&end(to_b)))
            });
            for (nth, (from, to, key)) in ranges {
                // counted as filters: each range's bucket is at its place; else tantivy's
                // bucket of the same edges (each taken once: two ranges may be alike)
                let found = match *as_filters {
                    true => buckets_mut(result).into_iter().nth(nth),
                    false => buckets_mut(result).into_iter().find(|bucket| {
                        !bucket.is_null()
                            && bucket.get("from").and_then(Value::as_f64) == *from
                            && bucket.get("to").and_then(Value::as_f64) == *to
                    }),
                };
                let mut bucket = found
                    .map(|b| b.take())
                    .unwrap_or_else(|| json!({"doc_count": 0}));
                if let Some(scale) = date_scale {
                    date_range_bucket(&mut bucket, *from, *to, *scale, zone);
                }
                // Elasticsearch names an unnamed range "from-to" with decimals (dates as dates),
                // "*" for an open end
                let edge = |v: &Option<f64>| match (v, date_scale) {
                    (None, _) => "*".to_string(),
                    (Some(v), Some(scale)) => zone.format((v / scale) as i64),
                    (Some(v), None) => format!("{v:?}"),
                };
                bucket["key"] =
                    json!(key
                        .clone()
                        .unwrap_or_else(|| format!("{}-{}", edge(from), edge(to))));
                whole_doc_count(&mut bucket);
                render_level(&mut bucket, children, exact, &below(path, Key::Nth(nth)));
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
            render_level(result, children, exact, &below(path, Key::Nth(0)));
        }
        Plan::Filters {
            keys,
            keyed,
            named,
            children,
        } => {
            let mut buckets = Vec::new();
            for (i, key) in keys.iter().enumerate() {
                let mut bucket = result
                    .get_mut(i.to_string())
                    .map(Value::take)
                    .unwrap_or_else(|| json!({"doc_count": 0}));
                whole_doc_count(&mut bucket);
                render_level(&mut bucket, children, exact, &below(path, Key::Nth(i)));
                buckets.push((key.clone(), bucket));
            }
            *result = json!({"buckets": if *keyed {
                Value::Object(buckets.into_iter().collect())
            } else {
                Value::Array(
                    buckets
                        .into_iter()
                        .map(|(key, mut bucket)| {
                            // anonymous filters' buckets have no keys; named ones keep theirs
                            if *named {
                                bucket["key"] = json!(key);
                            }
                            bucket
                        })
                        .collect(),
                )
            }});
        }
        Plan::ExactUpTo(threshold) => {
            let listed = &result["listed"];
            let distinct = listed["buckets"].as_array().map_or(0, Vec::len) as u64;
            let all_listed = listed["sum_other_doc_count"].as_u64().unwrap_or(0) == 0;
            let value = if distinct <= *threshold && all_listed {
                distinct
            } else {
                result["estimated"]["value"].as_f64().unwrap_or(0.0).round() as u64
            };
            *result = json!({ "value": value });
        }
        Plan::Cardinality => {
            if let Some(value) = result.get("value").and_then(Value::as_f64) {
                result["value"] = json!(value.round() as u64);
            }
        }
        Plan::Metric {
            date_scale,
            date_format,
        } => {
            if let Some(scale) = date_scale {
                dates_in_millis(result, *scale, date_format);
            }
            if result.get("sum_of_squares").is_some() {
                spread_of_few(result);
            }
        }
        Plan::Meta(inner, meta) => {
            render_one(result, inner, exact, path);
            result["meta"] = meta.clone();
        }
        Plan::Scoped(inner, _) => render_one(result, inner, exact, path),
        Plan::Percentiles(..) | Plan::TopHits(_) => {}
    }
}

/// A date's epoch milliseconds in `format` (in UTC), or ISO 8601.
fn date_text(ms: i64, format: &Option<DatePattern>) -> String {
    match format {
        Some(pattern) => pattern.write(ms, 0),
        None => format_iso8601(ms),
    }
}

/// A metric of a date (`value`, or `stats`' `min`, `max`, `avg`, `sum`) in epoch
/// milliseconds with its date beside it, as Elasticsearch writes it (`value_as_string`,
/// `min_as_string`, ...); the column counts `scale` units a millisecond.
fn dates_in_millis(result: &mut Value, scale: f64, format: &Option<DatePattern>) {
    let Some(metric) = result.as_object_mut() else {
        return;
    };
    let count = metric.get("count").and_then(Value::as_f64);
    // a stats' average is its sum over its count, in milliseconds as Elasticsearch sums them
    let sum = metric
        .get("sum")
        .and_then(Value::as_f64)
        .map(|sum| (sum / scale).round());
    for key in ["value", "min", "max", "avg", "sum"] {
        let Some(units) = metric.get(key).and_then(Value::as_f64) else {
            continue;
        };
        let millis = match (key, sum, count) {
            ("avg", Some(sum), Some(count)) if count > 0.0 => sum / count,
            _ => (units / scale).round(),
        };
        metric.insert(key.to_string(), json!(millis));
        // an empty stats' sum is 0 and has no date; a sum aggregation's has one
        if key == "value" || count.is_some_and(|count| count > 0.0) {
            let name = match key {
                "value" => "value_as_string".to_string(),
                other => format!("{other}_as_string"),
            };
            metric.insert(name, json!(date_text(millis as i64, format)));
        }
    }
}

/// An `extended_stats` of one value or none as Elasticsearch writes it: of one, no
/// spread (0) but the sample's, which is undefined ("NaN"); of none, bounds of nulls.
fn spread_of_few(result: &mut Value) {
    let count = result.get("count").and_then(Value::as_u64).unwrap_or(0);
    let avg = result.get("avg").cloned().unwrap_or(Value::Null);
    let sigma_bounds = |upper: Value, lower: Value, sampling: Value| {
        json!({
            "upper": upper.clone(), "lower": lower.clone(),
            "upper_population": upper, "lower_population": lower,
            "upper_sampling": sampling.clone(), "lower_sampling": sampling,
        })
    };
    match count {
        0 => result["std_deviation_bounds"] = sigma_bounds(Value::Null, Value::Null, Value::Null),
        1 => {
            for key in [
                "variance",
                "variance_population",
                "std_deviation",
                "std_deviation_population",
            ] {
                result[key] = json!(0.0);
            }
            for key in ["variance_sampling", "std_deviation_sampling"] {
                result[key] = json!("NaN");
            }
            result["std_deviation_bounds"] = sigma_bounds(avg.clone(), avg, json!("NaN"));
        }
        _ => {}
    }
}

/// A range aggregation counted as filters (one per range, named by place) in the shape of
/// tantivy's range buckets.
fn range_buckets_of_filters(
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

/// A date_histogram counted between edges (tantivy's range buckets, in the column's units)
/// as Elasticsearch shows it: keyed by each bucket's start, empty buckets only between the
/// first and last with events (or within the extended bounds), none past the hard bounds.
fn histogram_from_ranges(result: &mut Value, zone: &DateWriter, edges: &Edges) -> Vec<Value> {
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
