//! A `terms` of a boolean with `missing`: tantivy takes no missing value for a column of
//! booleans, so the store asks for the two flags' buckets as filters, each with the
//! terms' sub-aggregations: the events holding the flag, and for the flag `missing` names
//! the events without the field too. Their answers are written as the terms' buckets,
//! then sorted and cut as one shard does.

use serde_json::{json, Map, Value};
use tantivy::aggregation::agg_req::{Aggregation, Aggregations};

use super::filter::{every_event, EsFilter};
use crate::mapping::{FieldKind, IndexMapping};
use crate::query::Target;
use crate::RequestError;
use logdash_core::time::EpochMillis;

/// A `terms`' `missing` over a boolean written as text (`"true"`), as the flag it is, so that
/// the collector places the events without the field in its bucket as tantivy keys it.
pub(super) fn read(kind: &str, target: &Target, body: &mut Map<String, Value>) {
    if kind == "terms" && matches!(target, Target::Whole(_, FieldKind::Boolean)) {
        missing_as_flag(body);
    }
}

/// A boolean's `missing` in `body` made the flag it is where written as text (`"true"`):
/// whether it is one now, or none is given.
pub(super) fn missing_as_flag(body: &mut Map<String, Value>) -> bool {
    match body.get("missing") {
        None | Some(Value::Bool(_)) => true,
        Some(Value::String(text)) if text == "true" || text == "false" => {
            let flag = text == "true";
            body.insert("missing".into(), json!(flag));
            true
        }
        Some(_) => false,
    }
}

/// Takes the `missing` flag out of a `terms` body over a boolean (as [`read`]); `None` for
/// other fields or without one.
pub(super) fn take(
    name: &str,
    target: &Target,
    body: &mut Map<String, Value>,
) -> Result<Option<bool>, RequestError> {
    if !matches!(target, Target::Whole(_, FieldKind::Boolean)) {
        return Ok(None);
    }
    let flag = match body.get("missing") {
        None => return Ok(None),
        Some(Value::Bool(flag)) => *flag,
        Some(other) => {
            return Err(RequestError::illegal_argument(format!(
                "[terms] [{name}] of a boolean with [missing] [{other}] is not supported by logdash: give true or false"
            )))
        }
    };
    body.remove("missing");
    Ok(Some(flag))
}

/// The buckets of `false` (`"0"`) and `true` (`"1"`) over `field`, each with `sub_aggs`,
/// the events without the field in `flag`'s, under a filter of every event.
pub(super) fn aggregation(
    field: &str,
    flag: bool,
    sub_aggs: Aggregations,
    mapping: &IndexMapping,
    now: EpochMillis,
) -> Result<Aggregation, RequestError> {
    let mut both = Aggregations::default();
    for value in [false, true] {
        let holding = json!({"term": {field: value}});
        let query = match value == flag {
            true => json!({"bool": {"should": [
                holding,
                {"bool": {"must_not": {"exists": {"field": field}}}}
            ]}}),
            false => holding,
        };
        let bucket = EsFilter::checked(&query, mapping, now)?.aggregation(sub_aggs.clone());
        both.insert(i64::from(value).to_string(), bucket);
    }
    every_event(mapping, now, both)
}

/// The two flags' buckets written as a `terms`' (as tantivy keys a boolean's), those of no
/// events left out.
pub(super) fn restore(result: &mut Value) {
    let mut buckets = Vec::new();
    for value in [false, true] {
        let key = i64::from(value);
        let Some(Value::Object(mut bucket)) = result.get_mut(key.to_string()).map(Value::take)
        else {
            continue;
        };
        if bucket.get("doc_count").and_then(Value::as_u64).unwrap_or(0) == 0 {
            continue;
        }
        bucket.insert("key".into(), json!(key));
        bucket.insert("key_as_string".into(), json!(value.to_string()));
        buckets.push(Value::Object(bucket));
    }
    *result = json!({
        "buckets": buckets, "doc_count_error_upper_bound": 0, "sum_other_doc_count": 0
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_buckets_are_written_as_terms() {
        let mut result = json!({
            "doc_count": 5,
            "0": {"doc_count": 0, "n": {"value": null}},
            "1": {"doc_count": 5, "n": {"value": 2.0}},
        });
        restore(&mut result);
        assert_eq!(
            result,
            json!({"buckets": [
                {"key": 1, "key_as_string": "true", "doc_count": 5, "n": {"value": 2.0}}
            ], "doc_count_error_upper_bound": 0, "sum_other_doc_count": 0})
        );
    }

    #[test]
    fn a_flag_is_read_as_written_and_other_values_refused() {
        let flag = Target::Whole("ok".into(), FieldKind::Boolean);
        let mut body = json!({"missing": "false"})
            .as_object()
            .cloned()
            .expect("object");
        read("terms", &flag, &mut body);
        assert_eq!(take("t", &flag, &mut body).expect("read"), Some(false));
        assert!(!body.contains_key("missing"));
        let mut body = json!({"missing": 1}).as_object().cloned().expect("object");
        let refused = take("t", &flag, &mut body).expect_err("refused");
        assert!(
            refused.reason.contains("give true or false"),
            "{}",
            refused.reason
        );
        let keyword = Target::Whole("k".into(), FieldKind::Keyword);
        let mut body = json!({"missing": "x"})
            .as_object()
            .cloned()
            .expect("object");
        assert_eq!(take("t", &keyword, &mut body).expect("none"), None);
    }
}
