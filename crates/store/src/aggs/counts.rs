//! Counts of distinct values: a `cardinality` exact as far as Elasticsearch's is (its
//! `precision_threshold` and a little more: [`exact_up_to`]), by listing the distinct
//! values up to one past that, and a HyperLogLog's estimate beyond: at the top of a
//! request by a `terms` of them (tantivy's HyperLogLog beyond), in buckets by the collector
//! beside tantivy's aggregations (its own beyond: `percentiles::distinct`).

use serde_json::{json, Map, Value};
use tantivy::aggregation::agg_req::{Aggregation, Aggregations};

use super::aggregation::tantivy_aggregation;
use super::filter::every_event;
use super::missing_flag;
use super::place::{step_below, Place};
use super::Plan;
use crate::mapping::{FieldKind, IndexMapping};
use crate::percentiles::{exact_up_to, DistinctSpec, Specs};
use crate::query::Target;
use crate::{Raised, RequestError};
use logdash_core::time::EpochMillis;

/// A `cardinality` below buckets the collector places events in, of a field it reads as a
/// `terms` keys it: counted there (listed as far as Elasticsearch's is exact, a
/// HyperLogLog past it), not by tantivy. `None` elsewhere.
pub(super) fn in_buckets(
    name: &str,
    body: &mut Map<String, Value>,
    place: &Place,
    target: &Target,
    column: &str,
    exact: &mut Specs,
) -> Result<Option<Plan>, RequestError> {
    let Place::Exact(path) = place else {
        return Ok(None);
    };
    // (a `.keyword` sub-field's whole values are `Text`'s)
    let keyword = matches!(
        target,
        Target::Whole(_, FieldKind::Keyword | FieldKind::Text)
    );
    let counted_alike = match target {
        // `missing` is keyed as the term it names
        _ if keyword => true,
        Target::Whole(_, FieldKind::Long | FieldKind::Float) => {
            body.get("missing").is_none_or(Value::is_number)
        }
        // a flag as tantivy keys a boolean's terms (written as text too)
        Target::Whole(_, FieldKind::Boolean) => missing_flag::missing_as_flag(body),
        Target::Whole(_, FieldKind::Date) | Target::Timestamp => !body.contains_key("missing"),
        _ => false,
    };
    if path.is_empty() || !counted_alike {
        return Ok(None);
    }
    let mut read = Map::new();
    if let Some(missing) = body.get("missing") {
        let term = match missing {
            Value::String(_) => missing.clone(),
            other if keyword => json!(other.to_string()),
            other => other.clone(),
        };
        read.insert("missing".into(), term);
    }
    let Some(counted) = step_below("terms", target, column, &read, None, None) else {
        return Ok(None);
    };
    let precision = match body.remove("precision_threshold") {
        Some(asked) => precision_of(name, &asked)?,
        None => DEFAULT_PRECISION,
    };
    exact.distinct.push(DistinctSpec {
        counted,
        path: path.clone(),
        precision,
    });
    Ok(Some(Plan::Distinct(exact.distinct.len() - 1)))
}

/// A `cardinality` at the top of a request (or, with a threshold given, below buckets the
/// collector cannot place events in) counted exactly as far as Elasticsearch's is: both
/// counts under a filter of every event, and its plan; `None` for tantivy's HyperLogLog
/// alone. At the top of a request the default precision's 3,072 values are listed; below
/// buckets the collector cannot place events in (`composite`) the HyperLogLog answers
/// unless a threshold is given (listing every bucket's values could pass tantivy's bucket
/// limit), and there it may be off by a value or two (DESIGN.md).
pub(super) fn listed_up_to(
    name: &str,
    kind: &str,
    body: &mut Map<String, Value>,
    place: &Place,
    mapping: &IndexMapping,
    now: EpochMillis,
) -> Result<Option<(Option<Aggregation>, Plan)>, RequestError> {
    let precision = match body.remove("precision_threshold") {
        Some(asked) => precision_of(name, &asked)?,
        None if place.is_top() => DEFAULT_PRECISION,
        None => return Ok(None),
    };
    let threshold = exact_up_to(precision) as u64;
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

/// The precision of Elasticsearch's HyperLogLog++ when no `precision_threshold` is given.
const DEFAULT_PRECISION: u32 = 14;

/// The precision Elasticsearch gives its HyperLogLog++ for a `precision_threshold`: enough
/// registers for a hash table of that many values, at 3/4 full, of 4-byte hashes (4 to 18;
/// Elasticsearch's `precisionFromThreshold`).
fn precision_from_threshold(threshold: u64) -> u32 {
    let entries = (threshold as f64 / 0.75).ceil() as u64;
    let bits = 64 - entries.saturating_mul(4).leading_zeros();
    bits.clamp(4, 18)
}

/// A cardinality's `precision_threshold`, as the precision it asks for (Elasticsearch takes
/// at most 40,000).
fn precision_of(name: &str, value: &Value) -> Result<u32, RequestError> {
    let threshold = value.as_i64().or_else(|| value.as_str()?.parse().ok());
    let why = match threshold {
        Some(threshold) if threshold >= 0 => {
            return Ok(precision_from_threshold((threshold as u64).min(40_000)))
        }
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

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::Store;

    /// Events at `hour` (10 or 11) of users `u{from}` to `u{to - 1}`, as one bulk request
    /// (each request its own segment), with `anonymous` more events without a user.
    fn index(store: &Store, hour: u32, users: std::ops::Range<u32>, anonymous: u32) {
        let mut body = String::new();
        for (i, user) in users
            .map(Some)
            .chain((0..anonymous).map(|_| None))
            .enumerate()
        {
            body.push_str("{\"index\":{\"_index\":\"t\"}}\n");
            let mut event = json!({
                "@timestamp": format!("2026-12-07T{hour}:{:02}:{:02}Z", i / 60 % 60, i % 60),
                "level": if i % 2 == 0 { "INFO" } else { "ERROR" },
            });
            if let Some(user) = user {
                event["user"] = json!(format!("u{user}"));
                event["n"] = json!(user);
            }
            body.push_str(&format!("{event}\n"));
        }
        let answer = store.bulk(None, body.as_bytes()).expect("bulk");
        assert_eq!(answer["errors"], json!(false), "{answer}");
    }

    fn counts(store: &Store, bucket: Value, counted: Value) -> Vec<Value> {
        let mut bucket = bucket;
        bucket["aggs"] = json!({"users": {"cardinality": counted}});
        let answer = store
            .search("t", &json!({"size": 0, "aggs": {"b": bucket}}))
            .unwrap_or_else(|err| panic!("{err}"));
        answer["aggregations"]["b"]["buckets"]
            .as_array()
            .expect("buckets")
            .iter()
            .map(|bucket| bucket["users"]["value"].clone())
            .collect()
    }

    #[test]
    fn a_cardinality_in_buckets_is_exact_up_to_its_threshold() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("opens");
        // 1,200 users at 10:00 over two segments that share 400 of them, 200 at 11:00
        index(&store, 10, 0..800, 10);
        index(&store, 10, 400..1_200, 0);
        index(&store, 11, 0..200, 0);
        index(&store, 11, 0..200, 0);
        let hours = json!({"date_histogram": {"field": "@timestamp", "fixed_interval": "1h"}});
        let user = json!({"field": "user.keyword"});
        assert_eq!(counts(&store, hours.clone(), user), [1_200, 200]);
        // numbers, below another bucket kind
        let levels = json!({"terms": {"field": "level.keyword", "order": {"_key": "asc"}}});
        assert_eq!(
            counts(&store, levels, json!({"field": "n"})),
            // each request's events alternate levels: even users are INFO, odd ones ERROR
            [600, 600]
        );
        // a missing value counts as one, once, and not again where events hold it
        let none = json!({"field": "user.keyword", "missing": "nobody"});
        assert_eq!(counts(&store, hours.clone(), none), [1_201, 200]);
        let held = json!({"field": "user.keyword", "missing": "u7"});
        assert_eq!(counts(&store, hours.clone(), held), [1_200, 200]);
        // past its threshold, the HyperLogLog's estimate; below it, still exact
        let low = json!({"field": "user.keyword", "precision_threshold": 300});
        let estimated = counts(&store, hours, low);
        let past = estimated[0].as_u64().expect("a count");
        assert!((1_140..=1_260).contains(&past), "{past}");
        assert_eq!(estimated[1], 200);
    }
}
