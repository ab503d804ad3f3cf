//! Aggregations over dates: date_histogram's interval, zone and bounds; date ranges' edges.

use logdash_core::time::{
    bucket_edges, bucket_start, parse_date_math_zoned, AnyZone, CalendarUnit, DatePattern,
    DateWriter, Interval,
};

use super::*;
use crate::query::DateFormat;

/// A date_histogram's buckets as asked for.
#[derive(Debug, Clone)]
pub(super) struct Histogram {
    pub zone: AnyZone,
    /// `format`: how keys are written (`None`: ISO 8601 in the zone).
    pub format: Option<DatePattern>,
    pub interval: Interval,
    /// `offset`: every bucket moved by this many ms.
    pub offset: i64,
    pub min_doc_count: u64,
    /// `extended_bounds` and `hard_bounds`, in epoch ms.
    pub extended: Option<(i64, i64)>,
    pub hard: Option<(i64, i64)>,
}

/// Most buckets one histogram may have, as Elasticsearch's default `search.max_buckets`.
pub(super) const MAX_BUCKETS: usize = 65_536;

impl Histogram {
    /// The length and shift (ms) of tantivy's evenly spaced buckets, when they are the
    /// buckets asked for: a fixed offset and a unit of fixed length.
    pub fn even(&self) -> Option<(i64, i64)> {
        let minutes = self.zone.fixed_minutes()?;
        let length = match self.interval {
            Interval::Fixed(length) => length,
            Interval::Calendar(CalendarUnit::Minute) => 60_000,
            Interval::Calendar(CalendarUnit::Hour) => 3_600_000,
            Interval::Calendar(CalendarUnit::Day) => 86_400_000,
            Interval::Calendar(_) => return None,
        };
        // buckets start at local midnight (or hour) in the zone, then move by `offset`
        let shift = (self.offset - i64::from(minutes) * 60_000).rem_euclid(length);
        Some((length, shift))
    }

    /// The keys the hard bounds let through, `[low, high)`: Elasticsearch rounds both
    /// bounds down to their buckets' starts and keeps the buckets from the first up to,
    /// and without, the last.
    pub fn hard_keys(&self) -> Option<(i64, i64)> {
        let start = |edge: i64| match edge {
            i64::MIN | i64::MAX => edge,
            edge => bucket_start(&self.zone, self.interval, self.offset, edge),
        };
        self.hard.map(|(min, max)| (start(min), start(max)))
    }

    /// The edges (epoch ms) of the buckets that cover `data` (the first and last instants of
    /// the events, if any) and the extended bounds, within the hard bounds.
    pub fn edges(&self, name: &str, data: Option<(i64, i64)>) -> Result<Vec<i64>, RequestError> {
        let wanted = match (data, self.extended) {
            (Some((low, high)), Some((min, max))) => Some((low.min(min), high.max(max))),
            (one, other) => one.or(other),
        };
        let within = match (wanted, self.hard) {
            (Some((low, high)), Some((min, max))) => Some((low.max(min), high.min(max))),
            (wanted, _) => wanted,
        };
        let Some(span) = within.filter(|(low, high)| low <= high) else {
            return Ok(Vec::new());
        };
        bucket_edges(&self.zone, self.interval, self.offset, span, MAX_BUCKETS).ok_or_else(|| {
            RequestError {
                status: 400,
                kind: "too_many_buckets_exception",
                reason: format!(
                    "Trying to create too many buckets. Must be less than or equal to: [{MAX_BUCKETS}] but this number of buckets was exceeded ([{name}]). This limit can be set by changing the [search.max_buckets] cluster level setting."
                ),
                raised: Raised::Anywhere,
            }
        })
    }
}

/// Reads a date_histogram's own options (taking them out of `body`): the interval, zone,
/// offset, bounds and minimum count.
pub(super) fn date_histogram(
    name: &str,
    body: &mut Map<String, Value>,
    now: EpochMillis,
) -> Result<Histogram, RequestError> {
    let interval = match (
        body.remove("fixed_interval"),
        body.remove("calendar_interval"),
        body.remove("interval"),
    ) {
        (Some(Value::String(fixed)), None, None) => {
            let length = parse_duration(&fixed).filter(|ms| *ms > 0).ok_or_else(|| {
                unparsable("fixed_interval", format!(
                    "failed to parse setting [date_histogram.fixedInterval] with value [{fixed}] as a time value: unit is missing or unrecognized"
                ))
            })?;
            Interval::Fixed(length)
        }
        (None, Some(Value::String(calendar)), None)
        | (None, None, Some(Value::String(calendar))) => {
            Interval::Calendar(CalendarUnit::parse(&calendar).ok_or_else(|| {
                unparsable(
                    "calendar_interval",
                    format!(
                    "The supplied interval [{calendar}] could not be parsed as a calendar interval."
                ),
                )
            })?)
        }
        (None, None, None) => {
            return Err(RequestError::illegal_argument(format!(
                "Invalid interval specified, must be non-null and non-empty in [{name}]"
            )))
        }
        _ => {
            return Err(RequestError::illegal_argument(format!(
            "[{name}] must have exactly one of fixed_interval or calendar_interval, as a string"
        )))
        }
    };
    let zone = match body.remove("time_zone") {
        None => AnyZone::UTC,
        Some(Value::String(zone)) => AnyZone::parse(&zone)
            .ok_or_else(|| unparsable("time_zone", format!("Unknown time-zone ID: {zone}")))?,
        Some(other) => {
            return Err(RequestError::bad_request(format!(
                "[time_zone] must be a string, not {other}"
            )))
        }
    };
    let offset = match body.remove("offset") {
        None => 0,
        Some(Value::Number(ms)) => ms.as_i64().ok_or_else(|| bad_offset(&ms.to_string()))?,
        Some(Value::String(text)) => {
            let (sign, length) = match text.strip_prefix('-') {
                Some(rest) => (-1, rest),
                None => (1, text.strip_prefix('+').unwrap_or(&text)),
            };
            sign * parse_duration(length).ok_or_else(|| bad_offset(&text))?
        }
        Some(other) => return Err(bad_offset(&other.to_string())),
    };
    let format = date_format(name, body)?;
    let min_doc_count = match body.get("min_doc_count") {
        None => 0,
        Some(count) => count.as_u64().ok_or_else(|| {
            RequestError::illegal_argument(format!(
                "[min_doc_count] must be greater than or equal to 0 in [{name}]"
            ))
        })?,
    };
    // how the bounds would be written, to check they were read as the format reads them
    let written = DateWriter {
        zone: AnyZone::UTC,
        pattern: format.clone(),
    };
    let mut bounds = |key: &str| -> Result<Option<(i64, i64)>, RequestError> {
        let Some(bounds) = body.get_mut(key) else {
            return Ok(None);
        };
        let object = bounds
            .as_object_mut()
            .ok_or_else(|| RequestError::bad_request(format!("[{key}] must be {{min, max}}")))?;
        let mut edges = [i64::MIN, i64::MAX];
        for ((edge, rounding), out) in [("min", Rounding::Down), ("max", Rounding::Up)]
            .into_iter()
            .zip(&mut edges)
        {
            if let Some(value) = object.get_mut(edge) {
                let ms = date_value(value, now, rounding)?;
                // a bound in the histogram's `format` that ISO 8601 reads otherwise
                if let Value::String(text) = &*value {
                    if !written.reads_back(text, ms as i64) {
                        return Err(RequestError::illegal_argument(format!(
                            "the date [{text}] of [{key}] in [{name}] is not supported by logdash in its [format]: give ISO 8601, epoch milliseconds or date math"
                        )));
                    }
                }
                *value = json!(ms);
                *out = ms as i64;
            }
        }
        Ok(Some((edges[0], edges[1])))
    };
    let extended = bounds("extended_bounds")?;
    let hard = bounds("hard_bounds")?;
    Ok(Histogram {
        zone,
        format,
        interval,
        offset,
        min_doc_count,
        extended,
        hard,
    })
}

fn bad_offset(text: &str) -> RequestError {
    unparsable("offset", format!(
        "failed to parse setting [date_histogram.offset] with value [{text}] as a time value: unit is missing or unrecognized"
    ))
}

/// An option Elasticsearch's parser cannot read: refused before any shard runs.
fn unparsable(field: &str, cause: String) -> RequestError {
    unparsable_in("date_histogram", field, cause)
}

fn unparsable_in(kind: &str, field: &str, cause: String) -> RequestError {
    RequestError {
        status: 400,
        kind: "x_content_parse_exception",
        reason: format!("[{kind}] failed to parse field [{field}]: {cause}"),
        raised: Raised::Anywhere,
    }
}

/// A date range aggregation's bounds as tantivy compares them: `scale` units a millisecond.
/// Bounds are dates, date math or epoch milliseconds, read in the aggregation's `time_zone`.
pub(super) fn date_range_bounds(
    name: &str,
    body: &mut Map<String, Value>,
    now: EpochMillis,
    scale: f64,
) -> Result<DateWriter, RequestError> {
    let zone = match body.remove("time_zone") {
        None => AnyZone::UTC,
        Some(Value::String(zone)) => AnyZone::parse(&zone).ok_or_else(|| {
            unparsable_in(
                "date_range",
                "time_zone",
                format!("Unknown time-zone ID: {zone}"),
            )
        })?,
        Some(other) => {
            return Err(RequestError::bad_request(format!(
                "[time_zone] must be a string, not {other}"
            )))
        }
    };
    // (edges are read in the format's every alternative, written in its first)
    let reading = DateFormat::of(body.get("format").and_then(Value::as_str))?;
    let writer = DateWriter {
        pattern: date_format(name, body)?,
        zone,
    };
    let edge = |value: &Value| edge_in_format(value, now, &writer.zone, &reading);
    let ranges = body
        .get_mut("ranges")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| {
            RequestError::bad_request(format!("[range] aggregation [{name}] needs [ranges]"))
        })?;
    for range in ranges {
        if let Some(range) = range.as_object_mut() {
            for key in ["from", "to"] {
                if let Some(value) = range.get_mut(key) {
                    *value = json!(edge(value)? * scale);
                }
            }
        }
    }
    // what events without the field are counted as: a date, read as the edges are
    if let Some(value) = body.get_mut("missing") {
        *value = json!(edge(value)? * scale);
    }
    Ok(writer)
}

/// The `format` of a `terms`' keys or a metric's value (taken out of `body`): a date's is
/// written as its date; a number's (`0.00`, Java's decimal patterns) is refused by name.
pub(super) fn value_format(
    name: &str,
    kind: &str,
    target: &Target,
    body: &mut Map<String, Value>,
) -> Result<Option<DatePattern>, RequestError> {
    if !body.contains_key("format")
        || !matches!(
            kind,
            "terms"
                | "min"
                | "max"
                | "avg"
                | "sum"
                | "stats"
                | "extended_stats"
                | "value_count"
                | "percentiles"
                | "percentile_ranks"
        )
    {
        return Ok(None);
    }
    match target {
        // a count of dates is a number: Elasticsearch takes the format and writes none
        Target::Timestamp | Target::Whole(_, FieldKind::Date | FieldKind::DateNanos)
            if kind == "value_count" =>
        {
            date_format(name, body).map(|_| None)
        }
        Target::Timestamp | Target::Whole(_, FieldKind::Date | FieldKind::DateNanos) => {
            date_format(name, body)
        }
        _ => Err(RequestError::illegal_argument(format!(
            "[format] of [{kind}] aggregation [{name}] is not supported by logdash"
        ))),
    }
}

/// A date aggregation's `format` (taken out of `body`): what logdash writes, or the
/// reason it does not.
fn date_format(
    name: &str,
    body: &mut Map<String, Value>,
) -> Result<Option<DatePattern>, RequestError> {
    match body.remove("format") {
        None => Ok(None),
        Some(Value::String(format)) => DatePattern::parse(&format)
            .map(Some)
            .map_err(RequestError::illegal_argument),
        Some(other) => Err(RequestError::bad_request(format!(
            "[format] of [{name}] must be a string, not {other}"
        ))),
    }
}

/// A date range edge, read in the aggregation's `format` (as a range query's bounds are)
/// or as ISO 8601 and date math, in the writer's zone.
fn edge_in_format(
    value: &Value,
    now: EpochMillis,
    zone: &AnyZone,
    reading: &DateFormat,
) -> Result<f64, RequestError> {
    match value {
        Value::String(text) if reading.is_pattern() => {
            Ok(reading.bound(text, now, Rounding::Down, zone)? as f64)
        }
        _ => date_value_in(value, now, Rounding::Down, zone),
    }
}

pub(super) fn date_value(
    value: &Value,
    now: EpochMillis,
    rounding: Rounding,
) -> Result<f64, RequestError> {
    date_value_in(value, now, rounding, &AnyZone::UTC)
}

fn date_value_in(
    value: &Value,
    now: EpochMillis,
    rounding: Rounding,
    zone: &AnyZone,
) -> Result<f64, RequestError> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| RequestError::bad_request("a date bound is not a number")),
        Value::String(text) => parse_date_math_zoned(text, now, rounding, zone)
            .map(|ms| ms as f64)
            .map_err(|err| RequestError {
                status: 400,
                kind: "parse_exception",
                reason: err.to_string(),
                raised: Raised::Anywhere,
            }),
        other => Err(RequestError::bad_request(format!(
            "a date bound must be a date or epoch millis, not {other}"
        ))),
    }
}

/// A date range bucket's edges in epoch milliseconds and as dates `zone` writes them, as
/// Elasticsearch shows them.
pub(super) fn date_range_bucket(
    bucket: &mut Value,
    from: Option<f64>,
    to: Option<f64>,
    scale: f64,
    zone: &DateWriter,
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
            object.insert(format!("{edge}_as_string"), json!(zone.format(ms as i64)));
        }
    }
}
