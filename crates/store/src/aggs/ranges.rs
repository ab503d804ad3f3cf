//! The ranges of a `range` aggregation that tantivy's cannot count as Elasticsearch does,
//! each as a query its bucket filters with.

use logdash_core::time::{DateWriter, EpochMillis};
use serde_json::{json, Map, Value};

use tantivy::aggregation::agg_req::{Aggregation, Aggregations};

use super::dates::date_range_bounds;
use super::filter::{every_event, EsFilter};
use super::Plan;
use crate::mapping::{FieldKind, IndexMapping};
use crate::query::Target;
use crate::RequestError;

/// A `range` or `date_range` as read, its edges in the column's units.
pub(super) struct Read {
    /// Dates: the column's units a millisecond (nanoseconds for `@timestamp` and
    /// `date_nanos`); `None` for numbers.
    pub date_scale: Option<f64>,
    /// How dates are written.
    pub zone: DateWriter,
    /// The value events without the field count as.
    pub missing: Option<f64>,
    /// Buckets as an object by key rather than a list.
    pub keyed: bool,
    /// (from, to, key), as requested.
    pub ranges: Vec<(Option<f64>, Option<f64>, Option<String>)>,
}

/// Reads a `range` or `date_range` (`kind`) of `field`, taking out of `body` what tantivy's
/// range aggregation does not read; dates' edges become the column's units.
pub(super) fn read(
    name: &str,
    kind: &str,
    field: &str,
    target: &Target,
    body: &mut Map<String, Value>,
    now: EpochMillis,
) -> Result<Read, RequestError> {
    // whole milliseconds bound a range, so nanoseconds compare as Elasticsearch's
    // milliseconds would
    let date_scale = match target {
        Target::Timestamp | Target::Whole(_, FieldKind::DateNanos) => Some(1e6),
        Target::Whole(_, FieldKind::Date) => Some(1.0),
        Target::Unmapped(_) if kind == "date_range" => Some(1.0),
        _ if kind == "date_range" => {
            return Err(RequestError::illegal_argument(format!(
                "Field [{field}] of type [{}] is not supported for aggregation [date_range]",
                match target {
                    Target::Whole(_, kind) => kind.es_type(),
                    _ => "text",
                }
            )))
        }
        _ => None,
    };
    let zone = match date_scale {
        Some(scale) => date_range_bounds(name, body, now, scale)?,
        None => DateWriter::UTC,
    };
    // on a date, read as a date with the edges (in their scale)
    let missing = match body.remove("missing") {
        None => None,
        Some(value) => Some(missing_number(name, &value)?),
    };
    // the buckets are put in their final shape when rendered
    let keyed = body
        .remove("keyed")
        .and_then(|k| k.as_bool())
        .unwrap_or(false);
    let ranges = body
        .get("ranges")
        .and_then(Value::as_array)
        .map(|ranges| {
            ranges
                .iter()
                .map(|r| {
                    (
                        r.get("from").and_then(Value::as_f64),
                        r.get("to").and_then(Value::as_f64),
                        r.get("key").and_then(Value::as_str).map(str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Read {
        date_scale,
        zone,
        missing,
        keyed,
        ranges,
    })
}

/// Whether a bound has a fraction, which tantivy's range aggregation cuts off on a long
/// field where Elasticsearch compares it as a double (`[1.5, ...)` starts at 2, not 1).
pub(super) fn fraction(from: Option<f64>, to: Option<f64>) -> bool {
    [from, to]
        .into_iter()
        .flatten()
        .any(|bound| bound.fract() != 0.0)
}

/// Whether a bound of whole milliseconds, in nanoseconds, is not held exactly by a double
/// (past 2^53 doubles are 256 ns apart: a millisecond not a multiple of 4 is rounded).
pub(super) fn inexact_nanos(from: Option<f64>, to: Option<f64>) -> bool {
    [from, to].into_iter().flatten().any(|bound| {
        let millis = (bound / 1e6).round() as i64;
        let nanos = millis.saturating_mul(1_000_000);
        nanos as f64 as i64 != nanos
    })
}

/// Whether some ranges share values (`[0, 50)` and `[40, 60)`), which Elasticsearch
/// counts in both and tantivy's range aggregation refuses.
pub(super) fn overlap(ranges: &[(Option<f64>, Option<f64>, Option<String>)]) -> bool {
    let mut spans: Vec<(f64, f64)> = ranges
        .iter()
        .map(|(from, to, _)| {
            (
                from.unwrap_or(f64::NEG_INFINITY),
                to.unwrap_or(f64::INFINITY),
            )
        })
        .filter(|(from, to)| from < to)
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    spans.windows(2).any(|pair| pair[1].0 < pair[0].1)
}

/// A range aggregation's `missing`: the number events without the field count as.
fn missing_number(name: &str, value: &Value) -> Result<f64, RequestError> {
    let number = match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    number.ok_or_else(|| {
        RequestError::illegal_argument(format!(
            "[missing] of range aggregation [{name}] must be a number, not {value}"
        ))
    })
}

/// The events of one range, `[from, to)`. On a date (`date_scale`: the edges' units a
/// millisecond, so nanoseconds for `@timestamp` and `date_nanos`) the bounds were whole
/// milliseconds and go as such (exact, where doubles are not).
pub(super) fn between(
    field: &str,
    (from, to): (Option<f64>, Option<f64>),
    date_scale: Option<f64>,
) -> Value {
    let mut bounds = Map::new();
    let bound = |edge: f64| match date_scale {
        Some(scale) => json!((edge / scale).round() as i64),
        None => json!(edge),
    };
    if date_scale.is_some() {
        bounds.insert("format".into(), json!("epoch_millis"));
    }
    if let Some(from) = from {
        bounds.insert("gte".into(), bound(from));
    }
    if let Some(to) = to {
        bounds.insert("lt".into(), bound(to));
    }
    json!({"range": {field: bounds}})
}

/// The events `in_range` of `[from, to)`, and those without the field when `missing`
/// falls in it.
pub(super) fn or_missing(
    field: &str,
    in_range: Value,
    (from, to): (Option<f64>, Option<f64>),
    missing: f64,
) -> Value {
    let holds_missing = from.is_none_or(|from| missing >= from) && to.is_none_or(|to| missing < to);
    if holds_missing {
        json!({"bool": {"should": [in_range, {"bool": {"must_not": {"exists": {"field": field}}}}]}})
    } else {
        in_range
    }
}

/// Whether a bound of a range over a long field lies where doubles are more than 1 apart
/// (past 2^53), so that comparing values as doubles, as Elasticsearch does, and as
/// integers, as tantivy does, can differ.
pub(super) fn past_doubles(from: Option<f64>, to: Option<f64>) -> bool {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    [from, to]
        .into_iter()
        .flatten()
        .any(|bound| bound.abs() >= EXACT)
}

/// A range `[from, to)` of a long field as Elasticsearch's range aggregation takes it: each
/// value is compared as a double with the bounds, so a bound takes in every whole number
/// whose double is at or above it.
pub(super) fn long_as_doubles(field: &str, from: Option<f64>, to: Option<f64>) -> Value {
    let mut bounds = Map::new();
    if let Some(from) = from {
        match least_at_or_above(from) {
            Some(first) => bounds.insert("gte".into(), json!(first)),
            None => return json!({"match_none": {}}),
        };
    }
    if let Some(first_beyond) = to.and_then(least_at_or_above) {
        bounds.insert("lt".into(), json!(first_beyond));
    }
    json!({"range": {field: bounds}})
}

/// The least long whose double is at or above `bound` (`None` when none is).
fn least_at_or_above(bound: f64) -> Option<i64> {
    if bound.is_nan() || bound > 9_223_372_036_854_775_808.0 {
        return None; // past 2^63, which the longs from 2^63 - 512 on round to
    }
    if bound <= i64::MIN as f64 {
        return Some(i64::MIN);
    }
    // `ceil` is whole, and converts exactly but at 2^63 (which saturates to the
    // greatest long); longs below it may still round up to it (doubles stand up to
    // 1,024 apart among longs)
    let ceiling = bound.ceil() as i64;
    let (mut low, mut high) = (ceiling.saturating_sub(4_096), ceiling);
    while low < high {
        let middle = low + (high - low) / 2;
        if middle as f64 >= bound {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    Some(low)
}

/// How a range aggregation is counted.
pub(super) enum Counted {
    /// By tantivy's range aggregation, as asked.
    Tantivy(Plan),
    /// One filter per range, under a filter of every event.
    Filters(Box<Aggregation>, Plan),
}

/// How the ranges `read` of `field` (resolved to `target`) are counted, with the
/// sub-aggregations `sub_aggs` (planned as `children`) under each.
pub(super) fn counted(
    read: Read,
    field: &str,
    target: &Target,
    sub_aggs: Aggregations,
    children: Vec<(String, Plan)>,
    mapping: &IndexMapping,
    now: EpochMillis,
) -> Result<Counted, RequestError> {
    let Read {
        date_scale,
        zone,
        missing,
        keyed,
        ranges,
    } = read;
    // tantivy's range aggregation cannot count events without the field, bound
    // nanoseconds exactly (its bounds are doubles, 256 ns apart there), nor compare
    // a long past 2^53 as Elasticsearch does (as a double): each range is a filter
    // instead, taking those events where `missing` falls in it
    let nanos = matches!(target, Target::Whole(_, FieldKind::DateNanos));
    let long = matches!(target, Target::Whole(_, FieldKind::Long))
        && ranges
            .iter()
            .any(|(from, to, _)| past_doubles(*from, *to) || fraction(*from, *to));
    // nor ranges that overlap, which it refuses, nor `@timestamp` edges whose
    // nanoseconds a double does not hold (it would round them over an event)
    let inexact = *target == Target::Timestamp
        && ranges.iter().any(|(from, to, _)| inexact_nanos(*from, *to));
    if missing.is_some() || nanos || long || inexact || overlap(&ranges) {
        let mut buckets = Aggregations::default();
        for (i, (from, to, _)) in ranges.iter().enumerate() {
            let bounds = (*from, *to);
            let in_range = match long {
                true => long_as_doubles(field, *from, *to),
                false => between(field, bounds, date_scale),
            };
            let query = match missing {
                Some(missing) => or_missing(field, in_range, bounds, missing),
                None => in_range,
            };
            buckets.insert(
                i.to_string(),
                EsFilter::checked(&query, mapping, now)?.aggregation(sub_aggs.clone()),
            );
        }
        let plan = Plan::Range {
            ranges,
            keyed,
            date_scale,
            zone,
            children,
            as_filters: true,
        };
        return Ok(Counted::Filters(
            Box::new(every_event(mapping, now, buckets)?),
            plan,
        ));
    }
    Ok(Counted::Tantivy(Plan::Range {
        ranges,
        keyed,
        date_scale,
        zone,
        children,
        as_filters: false,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_tantivy_would_round_are_found() {
        assert!(fraction(Some(1.5), None));
        assert!(!fraction(Some(1.0), Some(200.0)));
        // 2024-03-01T10:00:00.000Z and a millisecond later, in nanoseconds
        assert!(!inexact_nanos(Some(1_709_287_200_000.0 * 1e6), None));
        assert!(inexact_nanos(None, Some(1_709_287_200_003.0 * 1e6)));
    }

    #[test]
    fn ranges_overlap_when_one_starts_before_another_ends() {
        let span = |from: Option<f64>, to: Option<f64>| (from, to, None);
        let apart = [
            span(None, Some(50.0)),
            span(Some(50.0), Some(200.0)),
            span(Some(200.0), None),
        ];
        assert!(!overlap(&apart));
        let over = [
            span(None, Some(50.0)),
            span(Some(50.0), Some(200.0)),
            span(Some(40.0), None),
        ];
        assert!(overlap(&over));
        assert!(overlap(&[
            span(Some(1.0), Some(2.0)),
            span(Some(1.0), Some(2.0))
        ]));
        // an empty range shares nothing
        assert!(!overlap(&[span(Some(5.0), Some(5.0)), span(None, None)]));
    }

    #[test]
    fn a_bound_takes_in_the_longs_whose_double_reaches_it() {
        // 1764064800123000001 is read as the double 1764064800123000064, which the longs
        // past halfway from the double below round to (doubles are 256 apart there; the
        // halfway one, ...936, rounds to the even double below)
        let bound = 1_764_064_800_123_000_001_i64 as f64;
        let first = least_at_or_above(bound).expect("a long");
        assert_eq!(first, 1_764_064_800_122_999_937);
        assert!(first as f64 >= bound && ((first - 1) as f64) < bound);
        assert_eq!(least_at_or_above(10.5), Some(11));
        assert_eq!(least_at_or_above(-10.5), Some(-10));
        // 2^63, which the last 512 longs round to
        assert_eq!(
            least_at_or_above(i64::MAX as f64),
            Some(9_223_372_036_854_775_296)
        );
        assert_eq!(least_at_or_above(1e19), None);
        assert_eq!(least_at_or_above(f64::MIN), Some(i64::MIN));
        assert!(past_doubles(Some(bound), None) && !past_doubles(Some(1e15), Some(-1e15)));
        // with `missing`, the events without the field join the range that holds it
        let in_range = long_as_doubles("n", Some(bound), None);
        let range = (Some(bound), None);
        assert_eq!(or_missing("n", in_range.clone(), range, 0.0), in_range);
        let joined = or_missing("n", in_range.clone(), range, 2e18);
        assert_eq!(joined["bool"]["should"][0], in_range);
        assert_eq!(
            long_as_doubles("n", Some(1e19), None),
            json!({"match_none": {}})
        );
        assert_eq!(
            long_as_doubles("n", None, Some(1e19)),
            json!({"range": {"n": {}}})
        );
    }
}
