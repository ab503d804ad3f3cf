//! Aggregations over dates: date_histogram's interval, zone and bounds; date ranges' edges.

use super::*;

/// Checks and rewrites a date_histogram; returns the time zone's offset in minutes, the
/// interval and the buckets' shift from the epoch's (both in ms).
pub(super) fn date_histogram(
    name: &str,
    body: &mut Map<String, Value>,
    now: EpochMillis,
) -> Result<(i32, i64, i64), RequestError> {
    let interval_text = match (body.remove("fixed_interval"), body.remove("calendar_interval"), body.remove("interval")) {
        (Some(Value::String(fixed)), None, None) => fixed,
        (None, Some(Value::String(calendar)), None) | (None, None, Some(Value::String(calendar))) => match calendar.as_str() {
            // in UTC and fixed offsets these calendar units are fixed lengths
            "1m" | "minute" => "1m".to_string(),
            "1h" | "hour" => "1h".to_string(),
            "1d" | "day" => "1d".to_string(),
            other => {
                return Err(RequestError::illegal_argument(format!(
                    "calendar_interval [{other}] in [{name}] is not supported: use fixed_interval (e.g. 30s, 5m, 1h, 1d) or calendar minute, hour or day"
                )))
            }
        },
        (None, None, None) => return Err(RequestError::illegal_argument(format!("Invalid interval specified, must be non-null and non-empty in [{name}]"))),
        _ => return Err(RequestError::illegal_argument(format!("[{name}] must have exactly one of fixed_interval or calendar_interval"))),
    };
    let interval = parse_duration(&interval_text).ok_or_else(|| {
        RequestError::illegal_argument(format!("failed to parse setting [date_histogram.fixed_interval] with value [{interval_text}] in [{name}]"))
    })?;
    body.insert("fixed_interval".into(), Value::String(interval_text));
    let offset_minutes = match body.remove("time_zone") {
        None => 0,
        Some(Value::String(zone)) => parse_fixed_offset(&zone).ok_or_else(|| {
            RequestError::illegal_argument(format!(
                "time_zone [{zone}] in [{name}] is not supported: logdash takes UTC or a fixed offset like +01:00 (send the offset your clock shows)"
            ))
        })?,
        Some(other) => return Err(RequestError::bad_request(format!("[time_zone] must be a string, not {other}"))),
    };
    if body.contains_key("offset") {
        return Err(RequestError::illegal_argument(format!(
            "[offset] in [{name}] is not supported; use time_zone"
        )));
    }
    if let Some(format) = body.remove("format") {
        if !matches!(
            format.as_str(),
            Some("strict_date_optional_time" | "date_optional_time")
        ) {
            return Err(RequestError::illegal_argument(format!("[format] {format} in [{name}] is not supported: keys come as epoch millis and ISO 8601")));
        }
    }
    // buckets start at local midnight (or hour) in the zone: shift them by the offset
    let shift = (-i64::from(offset_minutes) * 60_000).rem_euclid(interval);
    if shift != 0 {
        body.insert("offset".into(), Value::String(format!("{shift}ms")));
    }
    for key in ["extended_bounds", "hard_bounds"] {
        if let Some(bounds) = body.get_mut(key) {
            let object = bounds.as_object_mut().ok_or_else(|| {
                RequestError::bad_request(format!("[{key}] must be {{min, max}}"))
            })?;
            for (edge, rounding) in [("min", Rounding::Down), ("max", Rounding::Up)] {
                if let Some(value) = object.get_mut(edge) {
                    *value = json!(date_value(value, now, rounding)?);
                }
            }
        }
    }
    Ok((offset_minutes, interval, shift))
}

/// A date range aggregation's bounds as tantivy compares them: `scale` units a millisecond.
pub(super) fn date_range_bounds(
    name: &str,
    body: &mut Map<String, Value>,
    now: EpochMillis,
    scale: f64,
) -> Result<(), RequestError> {
    let ranges = body
        .get_mut("ranges")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| {
            RequestError::bad_request(format!("[range] aggregation [{name}] needs [ranges]"))
        })?;
    for range in ranges {
        if let Some(range) = range.as_object_mut() {
            for edge in ["from", "to"] {
                if let Some(value) = range.get_mut(edge) {
                    *value = json!(date_value(value, now, Rounding::Down)? * scale);
                }
            }
        }
    }
    Ok(())
}

pub(super) fn date_value(
    value: &Value,
    now: EpochMillis,
    rounding: Rounding,
) -> Result<f64, RequestError> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| RequestError::bad_request("a date bound is not a number")),
        Value::String(text) => parse_date_math(text, now, rounding)
            .map(|ms| ms as f64)
            .map_err(|err| RequestError {
                status: 400,
                kind: "parse_exception",
                reason: err.to_string(),
                shard: None,
            }),
        other => Err(RequestError::bad_request(format!(
            "a date bound must be a date or epoch millis, not {other}"
        ))),
    }
}

/// A date range bucket's edges in epoch milliseconds and as dates, as Elasticsearch shows them.
pub(super) fn date_range_bucket(
    bucket: &mut Value,
    from: Option<f64>,
    to: Option<f64>,
    scale: f64,
) {
    let Some(object) = bucket.as_object_mut() else {
        return;
    };
    for (edge, value) in [("from", from), ("to", to)] {
        object.remove(&format!("{edge}_as_string"));
        object.remove(edge);
        if let Some(value) = value {
            let ms = (value / scale).round();
            object.insert(edge.into(), json!(ms));
            object.insert(
                format!("{edge}_as_string"),
                json!(format_iso8601(ms as i64)),
            );
        }
    }
}
