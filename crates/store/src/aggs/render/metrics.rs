//! Metrics as Elasticsearch writes them: dates in milliseconds beside their text, the spread
//! of one value or none.

use super::super::*;

/// A date's epoch milliseconds in `format` (in UTC), or ISO 8601.
pub(super) fn date_text(ms: i64, format: &Option<DatePattern>) -> String {
    match format {
        Some(pattern) => pattern.write(ms, 0),
        None => crate::aggs::date_text(ms),
    }
}

/// A metric of a date (`value`, or `stats`' `min`, `max`, `avg`, `sum`) in epoch
/// milliseconds with its date beside it, as Elasticsearch writes it (`value_as_string`,
/// `min_as_string`, ...; an average's date is its whole milliseconds, cut towards zero);
/// the column counts `scale` units a millisecond.
pub(super) fn dates_in_millis(
    result: &mut Value,
    scale: f64,
    average: bool,
    format: &Option<DatePattern>,
) {
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
            // (a column of nanoseconds sums them as doubles, a few hundred apart at today's
            // instants: to the microsecond, its events' whole milliseconds average as there)
            ("value", _, _) if average && scale > 1.0 => (units / scale * 1e3).round() / 1e3,
            ("value", _, _) if average => units / scale,
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

/// An `extended_stats`' spread as Elasticsearch computes it from the count, the sum and the
/// sum of squares (its order of operations, so the digits are its own), `sigma` standard
/// deviations either side of the mean. Of one value, no spread (0) but the sample's, which
/// is undefined ("NaN"); of none, bounds of nulls.
pub(super) fn spread(result: &mut Value, sigma: f64) {
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
        count => {
            let read = |key: &str| result.get(key).and_then(Value::as_f64);
            let (Some(sum), Some(squares)) = (read("sum"), read("sum_of_squares")) else {
                return;
            };
            let n = count as f64;
            let avg = sum / n;
            let variance = |over: f64| ((squares - (sum * sum) / n) / over).max(0.0);
            let (population, sampling) = (variance(n), variance(n - 1.0));
            let (deviation, deviation_sampling) = (population.sqrt(), sampling.sqrt());
            result["avg"] = json!(avg);
            for (key, value) in [
                ("variance", population),
                ("variance_population", population),
                ("variance_sampling", sampling),
                ("std_deviation", deviation),
                ("std_deviation_population", deviation),
                ("std_deviation_sampling", deviation_sampling),
            ] {
                result[key] = json!(value);
            }
            let (upper, lower) = (avg + deviation * sigma, avg - deviation * sigma);
            result["std_deviation_bounds"] = json!({
                "upper": upper, "lower": lower,
                "upper_population": upper, "lower_population": lower,
                "upper_sampling": avg + deviation_sampling * sigma,
                "lower_sampling": avg - deviation_sampling * sigma,
            });
        }
    }
}
