//! What an `order` criterion names (`_count`, `_key`, a metric under the bucket, a
//! multi-value one's value: `stats.max`, `latency.99`), checked as Elasticsearch checks
//! it, and each rendered bucket's value under it.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use logdash_core::es::search::aggs::kind_of;

use crate::RequestError;

/// Whether `what` names what a bucket can be ordered by: `_count`, `_key`, or a metric
/// under it (a multi-value one by one of its values), refused with Elasticsearch's
/// `invalid_path` otherwise; ordering by a bucket aggregation under it is refused by name.
pub(super) fn check_path(
    name: &str,
    kind: &str,
    what: &str,
    sub: Option<&Value>,
) -> Result<(), RequestError> {
    if what == "_count" || what == "_key" {
        return Ok(());
    }
    let (agg, property) = split(what);
    let invalid = |cause: String| RequestError {
        status: 400,
        kind: "invalid_path",
        reason: format!("Invalid aggregation order path [{what}]. {cause}"),
        raised: crate::Raised::Anywhere,
    };
    let Some((child_kind, child)) = sub.and_then(|sub| sub.get(agg)).and_then(kind_of) else {
        return Err(invalid(format!("The provided aggregation [{agg}] either does not exist, or is a pipeline aggregation and cannot be used to sort the buckets.")));
    };
    let values: &[&str] = match child_kind {
        "avg" | "min" | "max" | "sum" | "cardinality" | "value_count" => &["value"],
        "stats" => &["count", "min", "max", "avg", "sum"],
        "extended_stats" => &[
            "count", "min", "max", "avg", "sum", "sum_of_squares", "variance",
            "variance_population", "variance_sampling", "std_deviation",
            "std_deviation_population", "std_deviation_sampling", "std_upper", "std_lower",
            "std_upper_population", "std_lower_population", "std_upper_sampling",
            "std_lower_sampling",
        ],
        "percentiles" | "percentile_ranks" => &[],
        other => {
            return Err(RequestError::illegal_argument(format!(
                "[{kind}] [{name}]: ordering by the [{other}] aggregation [{agg}] is not supported by logdash: order by _count, _key or a metric"
            )))
        }
    };
    match property {
        None if values == ["value"] => Ok(()),
        None => Err(invalid(
            "When ordering on a multi-value metrics aggregation a metric name must be specified."
                .into(),
        )),
        Some(property) if values.contains(&property) => Ok(()),
        // a percentile (or rank) the aggregation was asked for
        Some(property)
            if values.is_empty()
                && asked_percents(child_kind, child)
                    .contains(&property.parse::<f64>().unwrap_or(f64::NAN)) =>
        {
            Ok(())
        }
        Some(property) => Err(invalid(format!(
            "Unknown metric name [{property}] on multi-value metrics aggregation [{agg}]"
        ))),
    }
}

/// An order path's aggregation and its value's name, as Elasticsearch's `AggregationPath`
/// reads them: `stats[max]`, or split at the last dot (a name may hold dots).
fn split(what: &str) -> (&str, Option<&str>) {
    if let Some((agg, rest)) = what.split_once('[') {
        if let Some(property) = rest.strip_suffix(']') {
            return (agg, Some(property));
        }
    }
    match what.rsplit_once('.') {
        Some((agg, property)) => (agg, Some(property)),
        None => (what, None),
    }
}

/// The percents (or a rank's values) a percentiles aggregation `body` asked for.
fn asked_percents(kind: &str, body: &Value) -> Vec<f64> {
    let key = if kind == "percentile_ranks" {
        "values"
    } else {
        "percents"
    };
    match body.get(key).and_then(Value::as_array) {
        Some(items) => items.iter().filter_map(Value::as_f64).collect(),
        None => vec![1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0],
    }
}

/// What a bucket is ordered by under `what`.
pub(super) fn value_of(bucket: &Value, what: &str) -> Value {
    match what {
        "_count" => bucket["doc_count"].clone(),
        "_key" => bucket["key"].clone(),
        path => {
            let (agg, property) = split(path);
            let property = property.unwrap_or("value");
            let sub = &bucket[agg];
            // extended_stats' bounds by their short names
            let bound = property
                .strip_prefix("std_")
                .and_then(|rest| rest.split_once('_').map_or(Some((rest, "")), Some))
                .filter(|(end, _)| matches!(*end, "upper" | "lower"));
            if let Some((end, of)) = bound {
                let name = if of.is_empty() {
                    end.to_string()
                } else {
                    format!("{end}_{of}")
                };
                return sub["std_deviation_bounds"][name].clone();
            }
            match (&sub[property], &sub["values"]) {
                (Value::Null, Value::Object(values)) => percent_value(values, property),
                (found, _) => found.clone(),
            }
        }
    }
}

/// A percentiles' value at `percent` (`99` is the key `"99.0"`).
fn percent_value(values: &Map<String, Value>, percent: &str) -> Value {
    let wanted = percent.parse::<f64>().ok();
    values
        .iter()
        .find(|(key, _)| *key == percent || key.parse::<f64>().ok() == wanted)
        .map_or(Value::Null, |(_, value)| value.clone())
}

/// Numbers by value, strings by their bytes; a missing value last.
pub(super) fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x.total_cmp(&y)
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Greater,
        (_, Value::Null) => Ordering::Less,
        _ => Ordering::Equal,
    }
}
