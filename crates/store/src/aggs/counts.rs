//! Counts of distinct values: a `cardinality` exact up to its `precision_threshold`, as
//! Elasticsearch promises, by listing the distinct values up to one past it (tantivy's
//! HyperLogLog counts beyond).

use serde_json::{json, Map, Value};
use tantivy::aggregation::agg_req::{Aggregation, Aggregations};

use super::aggregation::tantivy_aggregation;
use super::filter::every_event;
use super::place::Place;
use super::Plan;
use crate::mapping::IndexMapping;
use crate::{Raised, RequestError};
use logdash_core::time::EpochMillis;

/// A `cardinality` counted exactly up to its threshold: both counts under a filter of
/// every event, and its plan; `None` for tantivy's HyperLogLog alone. Elasticsearch's
/// default threshold is 3,000, taken at the top of a request; below a bucket aggregation
/// the HyperLogLog answers unless one is given (listing every bucket's values could pass
/// tantivy's bucket limit), and there it may be off by a value or two (DESIGN.md).
pub(super) fn listed_up_to(
    name: &str,
    kind: &str,
    body: &mut Map<String, Value>,
    place: &Place,
    mapping: &IndexMapping,
    now: EpochMillis,
) -> Result<Option<(Option<Aggregation>, Plan)>, RequestError> {
    let asked = body.remove("precision_threshold");
    let Some(threshold) =
        asked.or_else(|| place.is_top().then(|| json!(DEFAULT_PRECISION_THRESHOLD)))
    else {
        return Ok(None);
    };
    let threshold = exact_up_to(name, &threshold)?;
    let mut listed = Map::new();
    listed.insert("field".into(), body["field"].clone());
    listed.insert("size".into(), json!(threshold + 1));
    listed.insert("shard_size".into(), json!(threshold + 1));
    if let Some(missing) = body.get("missing") {
        listed.insert("missing".into(), missing.clone());
    }
    let mut both = Aggregations::default();
    let none = Aggregations::default;
    both.insert(
        "listed".into(),
        tantivy_aggregation(name, kind, "terms", listed, none())?,
    );
    both.insert(
        "estimated".into(),
        tantivy_aggregation(name, kind, kind, body.clone(), none())?,
    );
    let aggregation = every_event(mapping, now, both)?;
    Ok(Some((Some(aggregation), Plan::ExactUpTo(threshold))))
}

/// Elasticsearch's `precision_threshold` when none is given.
const DEFAULT_PRECISION_THRESHOLD: u64 = 3_000;

/// A cardinality's `precision_threshold`: counts up to it are exact (Elasticsearch takes
/// at most 40,000).
fn exact_up_to(name: &str, value: &Value) -> Result<u64, RequestError> {
    let threshold = value.as_i64().or_else(|| value.as_str()?.parse().ok());
    let why = match threshold {
        Some(threshold) if threshold >= 0 => return Ok((threshold as u64).min(40_000)),
        Some(_) => format!(
            "[precisionThreshold] must be greater than or equal to 0. Found [{value}] in [{name}]"
        ),
        None => format!("For input string: {value}"),
    };
    // as Elasticsearch's parser refuses it, the cause after a colon
    Err(RequestError {
        status: 400,
        kind: "x_content_parse_exception",
        reason: format!("[cardinality] failed to parse field [precision_threshold]: {why}"),
        raised: Raised::Reading,
    })
}
