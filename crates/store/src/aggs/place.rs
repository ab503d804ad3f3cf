//! Where an aggregation sits, for the percentiles below it: logdash computes them as
//! Elasticsearch does wherever the collector can place each event in the buckets above
//! (see `percentiles::path`); below any other bucket (`composite`, say), tantivy's own
//! sketch answers them.

use serde_json::{Map, Value};

use super::ranges;
use crate::mapping::FieldKind;
use crate::percentiles::{Bucketing, Key, Step};
use crate::query::Target;

#[derive(Debug, Clone)]
pub(super) enum Place {
    /// Percentiles here are Elasticsearch's: the buckets above, top down (none at the top).
    Exact(Vec<Step>),
    /// Below a bucket the collector cannot place events in: tantivy's sketch.
    Deeper,
}

impl Place {
    pub(super) fn top() -> Place {
        Place::Exact(Vec::new())
    }

    pub(super) fn is_top(&self) -> bool {
        matches!(self, Place::Exact(path) if path.is_empty())
    }

    /// The place below a bucket aggregation here whose events the collector places by
    /// `step` (none: it cannot).
    pub(super) fn below(&self, step: Option<Step>) -> Place {
        match (self, step) {
            (Place::Exact(path), Some(step)) => {
                let mut below = path.clone();
                below.push(step);
                Place::Exact(below)
            }
            _ => Place::Deeper,
        }
    }
}

/// How the collector places an event in the buckets of a `kind` aggregation of `column`
/// (its tantivy `body`, its histogram's buckets or its ranges as read), when it can.
pub(super) fn step_below(
    kind: &str,
    target: &Target,
    column: &str,
    body: &Map<String, Value>,
    bucketing: Option<&Bucketing>,
    ranges: Option<&ranges::Read>,
) -> Option<Step> {
    let kind_of = match target {
        Target::Whole(_, kind) => Some(*kind),
        Target::Timestamp => Some(FieldKind::Date),
        // no index has it: no event is in any bucket
        Target::Unmapped(_) => None,
        _ => return None,
    };
    let column = column.to_string();
    match kind {
        "date_histogram" if !body.contains_key("missing") => Some(Step::Time {
            column,
            scale: match kind_of {
                Some(FieldKind::DateNanos) => 1e6,
                _ => 1.0,
            },
            bucketing: bucketing?.clone(),
        }),
        "terms" => {
            let keyed_as_tantivy = matches!(
                kind_of,
                None | Some(
                    FieldKind::Text
                        | FieldKind::Keyword
                        | FieldKind::Long
                        | FieldKind::Float
                        | FieldKind::Date
                        | FieldKind::Boolean
                )
            );
            if !keyed_as_tantivy {
                return None;
            }
            let missing = match body.get("missing") {
                None => None,
                Some(missing) => Some(Key::of_rendered(missing)?),
            };
            Some(Step::Terms { column, missing })
        }
        "histogram" if !body.contains_key("missing") => {
            if !matches!(kind_of, None | Some(FieldKind::Long | FieldKind::Float)) {
                return None;
            }
            let interval = body.get("interval").and_then(Value::as_f64)?;
            let offset = match body.get("offset") {
                None => 0.0,
                Some(offset) => offset.as_f64()?,
            };
            (interval > 0.0).then_some(Step::Histogram {
                column,
                interval,
                offset,
            })
        }
        // a date_nanos field's ranges are bounded by whole milliseconds: left to tantivy
        "range" | "date_range" if kind_of != Some(FieldKind::DateNanos) => {
            let read = ranges?;
            Some(Step::Ranges {
                column,
                ranges: read
                    .ranges
                    .iter()
                    .map(|(from, to, _)| (*from, *to))
                    .collect(),
                missing: read.missing,
            })
        }
        _ => None,
    }
}
