//! A `terms` of a boolean with `missing`: tantivy takes no missing value for a column of
//! booleans, so the store counts the events without the field beside the terms (a filter
//! of them, both under a filter of every event) and adds them to the bucket of the value
//! asked for, before the buckets are sorted and cut as one shard does.

use serde_json::{json, Map, Value};
use tantivy::aggregation::agg_req::{Aggregation, Aggregations};

use super::checks;
use super::filter::{every_event, EsFilter};
use super::Plan;
use crate::mapping::{FieldKind, IndexMapping};
use crate::query::Target;
use crate::RequestError;
use logdash_core::time::EpochMillis;

/// A `terms`' `missing` over a boolean written as text (`"true"`), as the flag it is, so that
/// the collector places the events without the field in its bucket as tantivy keys it.
pub(super) fn read(kind: &str, target: &Target, body: &mut Map<String, Value>) {
    if kind != "terms" || !matches!(target, Target::Whole(_, FieldKind::Boolean)) {
        return;
    }
    if let Some(Value::String(text)) = body.get("missing") {
        if text == "true" || text == "false" {
            let flag = text == "true";
            body.insert("missing".into(), json!(flag));
        }
    }
}

/// Takes the `missing` flag out of a `terms` body over a boolean (as [`read`]); `None` for
/// other fields or without one. Below buckets with sub-aggregations other than those the store keys itself
/// (percentiles, distinct counts), whose events cannot be added, refused by name.
pub(super) fn take(
    name: &str,
    target: &Target,
    body: &mut Map<String, Value>,
    children: &[(String, Plan)],
) -> Result<Option<bool>, RequestError> {
    if !matches!(target, Target::Whole(_, FieldKind::Boolean)) {
        return Ok(None);
    }
    let flag = match body.get("missing") {
        None => return Ok(None),
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(text)) if text == "true" || text == "false" => text == "true",
        Some(other) => {
            return Err(RequestError::illegal_argument(format!(
                "[terms] [{name}] of a boolean with [missing] [{other}] is not supported by logdash: give true or false"
            )))
        }
    };
    if !children.iter().all(|(_, plan)| plan.computed_beside()) {
        return Err(RequestError::illegal_argument(format!(
            "[terms] [{name}] of a boolean with [missing] and sub-aggregations other than percentiles and cardinality is not supported by logdash"
        )));
    }
    body.remove("missing");
    Ok(Some(flag))
}

/// The `terms` and a count of the events without `field`, side by side.
pub(super) fn aggregation(
    name: &str,
    field: &str,
    terms: Aggregation,
    mapping: &IndexMapping,
    now: EpochMillis,
) -> Result<Aggregation, RequestError> {
    let without = checks::missing(name, &json!({ "field": field }), mapping)?;
    let missing = EsFilter::checked(&without, mapping, now)?.aggregation(Aggregations::default());
    let mut both = Aggregations::default();
    both.insert("listed".into(), terms);
    both.insert("missing".into(), missing);
    every_event(mapping, now, both)
}

/// Brings the terms out of `result`, the events without the field added to the bucket of
/// `flag` (made when no event holds it), keyed as tantivy keys a boolean's.
pub(super) fn restore(result: &mut Value, flag: bool) {
    let missing = result["missing"]["doc_count"].as_u64().unwrap_or(0);
    let mut listed = result["listed"].take();
    if let (Some(Value::Array(buckets)), true) = (listed.get_mut("buckets"), missing > 0) {
        let key = i64::from(flag);
        match buckets
            .iter_mut()
            .find(|bucket| bucket["key"] == json!(key))
        {
            Some(bucket) => {
                let counted = bucket["doc_count"].as_u64().unwrap_or(0);
                bucket["doc_count"] = json!(counted + missing);
            }
            None => buckets.push(json!({
                "key": key, "key_as_string": flag.to_string(), "doc_count": missing
            })),
        }
    }
    *result = listed;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_events_without_the_flag_join_its_bucket_or_make_it() {
        let mut result = json!({"listed": {"buckets": [
            {"key": 1, "key_as_string": "true", "doc_count": 3}
        ], "sum_other_doc_count": 0}, "missing": {"doc_count": 2}});
        let mut again = result.clone();
        restore(&mut result, true);
        assert_eq!(result["buckets"][0]["doc_count"], 5);
        restore(&mut again, false);
        assert_eq!(
            again["buckets"][1],
            json!({"key": 0, "key_as_string": "false", "doc_count": 2})
        );
    }

    #[test]
    fn a_flag_is_read_as_written_and_what_cannot_be_added_is_refused() {
        let flag = Target::Whole("ok".into(), FieldKind::Boolean);
        let mut body = json!({"missing": "false"})
            .as_object()
            .cloned()
            .expect("object");
        assert_eq!(take("t", &flag, &mut body, &[]).expect("read"), Some(false));
        assert!(!body.contains_key("missing"));
        let mut body = json!({"missing": true})
            .as_object()
            .cloned()
            .expect("object");
        let children = [("n".to_string(), Plan::Cardinality)];
        let refused = take("t", &flag, &mut body, &children).expect_err("refused");
        assert!(
            refused.reason.contains("sub-aggregations"),
            "{}",
            refused.reason
        );
        let keyword = Target::Whole("k".into(), FieldKind::Keyword);
        let mut body = json!({"missing": "x"})
            .as_object()
            .cloned()
            .expect("object");
        assert_eq!(take("t", &keyword, &mut body, &[]).expect("none"), None);
    }
}
