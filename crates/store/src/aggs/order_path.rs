//! What an `order` criterion names (`_count`, `_key`, a metric under the bucket, a
//! multi-value one's value: `stats.max`, `latency.99`), checked as Elasticsearch checks
//! it, and each rendered bucket's value under it.

use std::cmp::Ordering;

use serde_json::{Map, Value};

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
    let (agg, property) = match what.split_once('.') {
        Some((agg, property)) => (agg, Some(property)),
        None => (what, None),
    };
    let invalid = |cause: String| RequestError {
        status: 400,
        kind: "invalid_path",
        reason: format!("Invalid aggregation order path [{what}]. {cause}"),
        raised: crate::Raised::Anywhere,
    };
    let child = sub.and_then(|sub| sub.get(agg)).and_then(Value::as_object);
    let Some(child_kind) = child.and_then(|child| {
        child
            .keys()
            .find(|key| !["aggs", "aggregations", "meta"].contains(&key.as_str()))
    }) else {
        return Err(invalid(format!("The provided aggregation [{agg}] either does not exist, or is a pipeline aggregation and cannot be used to sort the buckets.")));
    };
    let values: &[&str] = match child_kind.as_str() {
        "avg" | "min" | "max" | "sum" | "cardinality" | "value_count" => &["value"],
        "stats" => &["count", "min", "max", "avg", "sum"],
        "extended_stats" => &["count", "min", "max", "avg", "sum", "sum_of_squares", "variance", "variance_population", "variance_sampling", "std_deviation", "std_deviation_population", "std_deviation_sampling"],
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
        Some(property)
            if values.contains(&property)
                || (values.is_empty() && property.parse::<f64>().is_ok()) =>
        {
            Ok(())
        }
        Some(property) => Err(invalid(format!(
            "Unknown metric name [{property}] on multi-value metrics aggregation [{agg}]"
        ))),
    }
}

/// What a bucket is ordered by under `what`.
pub(super) fn value_of(bucket: &Value, what: &str) -> Value {
    match what {
        "_count" => bucket["doc_count"].clone(),
        "_key" => bucket["key"].clone(),
        path => {
            let (agg, property) = path.split_once('.').unwrap_or((path, "value"));
            let sub = &bucket[agg];
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
