//! tantivy's answers brought to Elasticsearch's shapes: each level by its plan here, the
//! buckets' and metrics' own shapes in `buckets` and `metrics`.

mod buckets;
mod metrics;

use super::dates::date_range_bucket;
use super::*;
use crate::percentiles::{self, Answers};
use buckets::{
    buckets_mut, by_millisecond, histogram_from_ranges, plain_key, range_buckets_of_filters,
    whole_doc_count,
};
use metrics::{date_text, dates_in_millis, spread};

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
        // computed beside tantivy's aggregations, by the path of the bucket they are in
        let beside = match inner {
            Plan::Percentiles(spec) => Some(exact.take(*spec, path)),
            Plan::Distinct(spec) => Some(json!({"value": exact.distinct(*spec, path)})),
            _ => None,
        };
        if let Plan::TopHits(_) = inner {
            // read after, by a search per bucket
        } else if let Some(mut answer) = beside {
            if let Some(level) = value.as_object_mut() {
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

/// The level below a histogram's or terms' bucket. Below one of no events (a histogram's
/// gap filled in), Elasticsearch builds every aggregation empty: a `terms` lists no terms
/// at 0 there (below a `filter` or `range` of no events it does).
fn render_counted_level(
    bucket: &mut Value,
    children: &[(String, Plan)],
    exact: &mut Answers,
    path: &[Key],
) {
    let outer = exact.in_empty_bucket;
    exact.in_empty_bucket |= bucket["doc_count"].as_u64() == Some(0);
    render_level(bucket, children, exact, path);
    exact.in_empty_bucket = outer;
}

/// A keyed answer's buckets (an object) named anew by `name_of` each bucket.
fn rekey(result: &mut Value, name_of: impl Fn(&Value) -> Option<String>) {
    if let Some(Value::Object(keyed)) = result.get_mut("buckets") {
        *keyed = std::mem::take(keyed)
            .into_iter()
            .map(|(name, bucket)| (name_of(&bucket).unwrap_or(name), bucket))
            .collect();
    }
}

/// The path of a bucket keyed `key` below `path`.
fn below(path: &[Key], key: Key) -> Vec<Key> {
    let mut below = path.to_vec();
    below.push(key);
    below
}

pub(super) fn render_one(result: &mut Value, plan: &Plan, exact: &mut Answers, path: &[Key]) {
    match plan {
        Plan::DateHistogram {
            zone,
            between_edges: None,
            key_scale,
            order,
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
                render_counted_level(bucket, children, exact, &below(path, Key::Int(at)));
            }
            if let Some(order) = order {
                order.apply(result);
            }
            // keyed: by each bucket's date as written
            rekey(result, |bucket| {
                bucket["key_as_string"].as_str().map(str::to_string)
            });
        }
        Plan::DateHistogram {
            zone,
            between_edges: Some(edges),
            order,
            children,
            ..
        } => {
            let mut buckets = histogram_from_ranges(result, zone, edges);
            for bucket in &mut buckets {
                let at = bucket["key"].as_i64().unwrap_or(0);
                render_counted_level(bucket, children, exact, &below(path, Key::Int(at)));
            }
            *result = json!({"buckets": buckets});
            if let Some(order) = order {
                order.apply(result);
            }
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
            bucket_errors,
            missing_term,
            zero_terms,
        } => {
            if *keys == Keys::NanosByMillisecond {
                by_millisecond(result, date_format);
            }
            if let Some(missing_term) = missing_term {
                let summable = children.iter().all(|(_, plan)| plan.computed_beside());
                if let Err(refused) = missing_term.restore(result, summable) {
                    exact.refused.get_or_insert(refused);
                }
            }
            if let Some(zero) = zero_terms {
                zero.add(result, !exact.in_empty_bucket);
            }
            for bucket in buckets_mut(result) {
                // (a date in `kw` is keyed by its epoch milliseconds, `@timestamp`'s own
                // column by its instant's text; other text keys are no instants)
                let instant = match (&bucket["key"], keys) {
                    (Value::String(text), Keys::Dates) => {
                        logdash_core::time::parse_iso8601(text).map(|ms| ms as f64)
                    }
                    (Value::String(_), _) => None,
                    (other, _) => other.as_f64(),
                };
                // as tantivy keyed it, before it is shown as Elasticsearch shows it
                // (`@timestamp`'s terms by their instant's milliseconds, as the percentiles
                // collector places them)
                let key = match (&bucket["key"], keys) {
                    (Value::String(_), Keys::Dates) => instant.map(|ms| Key::Int(ms as i64)),
                    (key, _) => Key::of_rendered(key),
                };
                match (keys, instant) {
                    (Keys::Dates, Some(key)) => {
                        bucket["key"] = json!(key as i64);
                        bucket["key_as_string"] = json!(date_text(key as i64, date_format));
                    }
                    (Keys::Floats, Some(key)) => bucket["key"] = json!(key),
                    _ => {}
                }

                whole_doc_count(bucket);
                if *bucket_errors {
                    bucket["doc_count_error_upper_bound"] = json!(0);
                }
                // (a terms' bucket of 0, listed with `min_doc_count` 0, is no histogram's
                // gap: Elasticsearch builds its aggregations as any bucket's)
                let path = match key {
                    Some(key) => below(path, key),
                    None => path.to_vec(),
                };
                match zero_terms {
                    Some(_) => render_level(bucket, children, exact, &path),
                    None => render_counted_level(bucket, children, exact, &path),
                }
            }
            if let Some(order) = order {
                order.apply(result);
            }
            // a keyed histogram's buckets go by their keys as Java writes doubles ("50.0")
            rekey(result, |bucket| {
                bucket["key"].as_f64().map(percentiles::java_double)
            });
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
                // (none in an empty bucket above: its edges are the request's)
                let mut bucket = found.map(|b| b.take()).unwrap_or_else(|| {
                    let mut empty = json!({"doc_count": 0});
                    if date_scale.is_none() {
                        if let Some(from) = from {
                            empty["from"] = json!(from);
                        }
                        if let Some(to) = to {
                            empty["to"] = json!(to);
                        }
                    }
                    empty
                });
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
        Plan::CountOfTerms => {
            let listed: u64 = buckets_mut(result)
                .into_iter()
                .filter_map(|bucket| bucket["doc_count"].as_u64())
                .sum();
            let others = result["sum_other_doc_count"].as_u64().unwrap_or(0);
            *result = json!({"value": listed + others});
        }
        Plan::Cardinality => {
            if let Some(value) = result.get("value").and_then(Value::as_f64) {
                result["value"] = json!(value.round() as u64);
            }
        }
        Plan::Metric {
            date_scale,
            average,
            date_format,
            sigma,
        } => {
            if let Some(scale) = date_scale {
                dates_in_millis(result, *scale, *average, date_format);
            }
            if result.get("sum_of_squares").is_some() {
                spread(result, *sigma);
            }
        }
        Plan::Meta(inner, meta) => {
            render_one(result, inner, exact, path);
            result["meta"] = meta.clone();
        }
        Plan::Scoped(inner, _) => render_one(result, inner, exact, path),
        Plan::MissingFlag(inner) => {
            missing_flag::restore(result);
            render_one(result, inner, exact, path);
        }
        Plan::Percentiles(_) | Plan::Distinct(_) | Plan::TopHits(_) => {}
    }
}
