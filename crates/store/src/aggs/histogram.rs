//! A date_histogram as tantivy counts it: by its own histogram where buckets are even (a
//! fixed interval, or calendar days and shorter in a zone of fixed offset), else by its
//! range aggregation between edges found from the matches' first and last instant.

use super::dates::{date_histogram, Histogram};
use super::*;
use crate::percentiles::Bucketing;

/// A date_histogram, read, and how tantivy is asked for it.
pub(super) struct Counted {
    pub histogram: Histogram,
    /// tantivy's aggregation: `date_histogram`, `histogram` (a date column not of
    /// `@timestamp`) or `range` (buckets between edges).
    pub tantivy_kind: &'static str,
    /// Where an event falls, for the exact percentiles below.
    pub bucketing: Bucketing,
    /// Counted between edges: how to show the ranges as a histogram.
    pub between_edges: Option<Edges>,
}

/// Reads the date_histogram `name` of `field` (resolved to `target`, whose `column`
/// counts `scale` units a millisecond) and rewrites `body` as tantivy's request.
#[allow(clippy::too_many_arguments)]
pub(super) fn counted(
    name: &str,
    field: &str,
    target: &Target,
    column: &str,
    scale: f64,
    body: &mut Map<String, Value>,
    now: EpochMillis,
    reads: Reads<'_>,
) -> Result<Counted, RequestError> {
    if !matches!(
        target,
        Target::Timestamp
            | Target::Whole(_, FieldKind::Date | FieldKind::DateNanos)
            | Target::Unmapped(_)
    ) {
        return Err(RequestError::illegal_argument(format!(
            "Field [{field}] of type [{}] is not supported for aggregation [date_histogram]",
            match target {
                Target::Whole(_, kind) => kind.es_type(),
                _ => "text",
            }
        )));
    }
    let histogram = date_histogram(name, body, now)?;
    let mut tantivy_kind = "date_histogram";
    let mut between_edges = None;
    let bucketing = match histogram.even() {
        Some((interval, shift)) => {
            if *target == Target::Timestamp {
                body.insert("fixed_interval".into(), json!(format!("{interval}ms")));
                if shift != 0 {
                    body.insert("offset".into(), json!(format!("{shift}ms")));
                }
            } else {
                tantivy_kind = "histogram";
                body.insert("interval".into(), json!(interval as f64 * scale));
                body.insert("offset".into(), json!(shift as f64 * scale));
                // the bounds were read in milliseconds
                for key in ["extended_bounds", "hard_bounds"] {
                    if let Some(Value::Object(bounds)) = body.get_mut(key) {
                        for edge in bounds.values_mut() {
                            if let Some(ms) = edge.as_f64() {
                                *edge = json!(ms * scale);
                            }
                        }
                    }
                }
            }
            Bucketing::Even { interval, shift }
        }
        // calendar months, weeks..., or a zone whose clock changes: buckets of unequal
        // lengths, counted by tantivy's range aggregation between their edges
        None => {
            if let Some(key) = body.keys().find(|key| {
                !["field", "min_doc_count", "extended_bounds", "hard_bounds"]
                    .contains(&key.as_str())
            }) {
                return Err(RequestError::illegal_argument(format!(
                "[{key}] in date_histogram [{name}] is not supported by logdash with a calendar interval longer than a day or a time zone with clock changes"
            )));
            }
            let data = reads
                .bounds(column)?
                .map(|(low, high)| ((low / scale).floor() as i64, (high / scale).ceil() as i64));
            let edges = histogram.edges(name, data)?;
            let mut ranges: Vec<Value> = edges
                .windows(2)
                .map(|pair| json!({"from": pair[0] as f64 * scale, "to": pair[1] as f64 * scale}))
                .collect();
            if ranges.is_empty() {
                // nothing to count: one empty range keeps tantivy's request valid
                ranges.push(json!({"from": 0.0, "to": 0.0}));
            }
            tantivy_kind = "range";
            body.clear();
            body.insert("field".into(), json!(column));
            body.insert("ranges".into(), Value::Array(ranges));
            between_edges = Some(Edges {
                scale,
                min_doc_count: histogram.min_doc_count,
                extended: histogram.extended,
                hard: histogram.hard_keys(),
            });
            Bucketing::Edges(edges.into())
        }
    };
    Ok(Counted {
        histogram,
        tantivy_kind,
        bucketing,
        between_edges,
    })
}
