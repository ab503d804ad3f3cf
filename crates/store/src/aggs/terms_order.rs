//! `terms` ordered by several criteria (`[{"_count": "asc"}, {"_key": "asc"}]`): tantivy's
//! terms aggregation takes one order, so it is asked for every term by the first
//! criterion and the buckets are sorted and cut here, as Elasticsearch's compound order
//! does (ties left after every criterion go by `_key` ascending).
//!
//! A float field's terms are sorted here whatever their order: tantivy gives a whole value
//! (`2.0`) an integer key and sorts integers apart from fractions.

use serde_json::{json, Map, Value};

use super::order_path::{check_path, compare, value_of};
use super::partition::Partition;
use super::place::Place;
use super::thresholds::Thresholds;
use super::Plan;
use crate::mapping::FieldKind;
use crate::query::Target;
use crate::RequestError;

/// The most terms asked of tantivy for a compound order (Elasticsearch's
/// `search.max_buckets` is 65,536).
pub(super) const ALL_TERMS: usize = 65_000;

/// A compound order (or a histogram's order), and the number of buckets the request
/// asked for.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CompoundOrder {
    /// (what, descending): `_count`, `_key`, or a sub-aggregation's value (`name` or
    /// `name.property`).
    criteria: Vec<(String, bool)>,
    /// How many buckets a `terms` keeps (the others counted in `sum_other_doc_count`);
    /// `None` for a histogram, which keeps them all.
    size: Option<usize>,
    /// A `terms`' partition: the other partitions' terms are left out, not counted.
    partition: Option<Partition>,
    /// A `terms`' thresholds, as one shard applies them.
    thresholds: Option<Thresholds>,
}

/// Takes a `terms`' `order` out of its body: its buckets are sorted and cut here as one
/// shard of Elasticsearch does ([`Thresholds`]). tantivy counts every term of each segment
/// (`shard_size` set to the most it lists) and, ordered by one criterion of its own
/// (`_count` or `_key`, ties by key ascending as there), lists the shard's first
/// `shard_size`; with `every_term` (a float field, whose whole keys tantivy orders apart
/// from its fractions; a date_nanos field; a partition), several criteria or a
/// sub-aggregation, it lists every term (up to 65,000) for the store to sort.
pub(super) fn take(
    name: &str,
    body: &mut Map<String, Value>,
    every_term: bool,
) -> Result<CompoundOrder, RequestError> {
    let items = match body.get("order") {
        Some(Value::Array(items)) if !items.is_empty() => items.clone(),
        Some(Value::Array(_)) | None => vec![json!({"_count": "desc"})],
        Some(one) => vec![one.clone()],
    };
    let criteria = criteria(name, "terms", &items)?;
    let size = match body.get("size") {
        None => 10,
        Some(size) => size.as_u64().map(|s| s as usize).ok_or_else(|| {
            RequestError::bad_request(format!("[terms] [{name}]: [size] must be a number"))
        })?,
    };
    let by_key = criteria.first().is_some_and(|(what, _)| what == "_key");
    let thresholds = Thresholds::read(name, body, size, by_key)?;
    let own = |what: &str| matches!(what, "_count" | "_key");
    let (order, listed) = match criteria.as_slice() {
        [(what, _)] if own(what) && !every_term => (items[0].clone(), thresholds.shard_size),
        [(what, _), ..] if own(what) => (items[0].clone(), ALL_TERMS),
        // (a sub-aggregation tantivy may not compute, as percentiles, which the store does)
        _ => (json!({"_count": "desc"}), ALL_TERMS),
    };
    body.insert("order".into(), order);
    body.insert("size".into(), json!(listed));
    body.insert("shard_size".into(), json!(ALL_TERMS));
    body.insert("min_doc_count".into(), json!(1));
    Ok(CompoundOrder {
        criteria,
        size: Some(size),
        partition: None,
        thresholds: Some(thresholds),
    })
}

/// Takes a `histogram`'s or `date_histogram`'s `order` out of its body: its buckets are
/// sorted when rendered, all of them kept; `None` for tantivy's own order (by key,
/// ascending).
pub(super) fn histogram(
    name: &str,
    kind: &str,
    body: &mut Map<String, Value>,
    sub: Option<&Value>,
) -> Result<Option<CompoundOrder>, RequestError> {
    let items = match body.remove("order") {
        None => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
    };
    let criteria = criteria(name, kind, &items)?;
    for (what, _) in &criteria {
        check_path(name, kind, what, sub)?;
    }
    if criteria.is_empty() || criteria == [("_key".to_string(), false)] {
        return Ok(None);
    }
    Ok(Some(CompoundOrder {
        criteria,
        size: None,
        partition: None,
        thresholds: None,
    }))
}

/// Each `{"what": "asc|desc"}` of an `order`, read.
fn criteria(name: &str, kind: &str, items: &[Value]) -> Result<Vec<(String, bool)>, RequestError> {
    let mut criteria = Vec::new();
    for item in items {
        let pair = item.as_object().filter(|o| o.len() == 1);
        let Some((what, direction)) = pair.and_then(|o| o.iter().next()) else {
            return Err(RequestError::bad_request(format!(
                "[{kind}] [{name}]: each [order] criterion must be one {{\"key\": \"asc|desc\"}}, not {item}"
            )));
        };
        let descending = match direction.as_str() {
            Some("asc") => false,
            Some("desc") => true,
            _ => {
                let direction = direction
                    .as_str()
                    .map_or(direction.to_string(), str::to_string);
                return Err(RequestError {
                    status: 400,
                    kind: "x_content_parse_exception",
                    reason: format!(
                        "[{kind}] failed to parse field [order]: Unknown order direction [{direction}]"
                    ),
                    raised: crate::Raised::Anywhere,
                });
            }
        };
        if what.contains('>') || (what.contains('[') && !what.ends_with(']')) {
            return Err(RequestError::illegal_argument(format!(
                "[{kind}] [{name}]: ordering by the path [{what}] is not supported by logdash: order by _count, _key, or a sub-aggregation of the bucket (name or name.property)"
            )));
        }
        criteria.push((what.clone(), descending));
    }
    Ok(criteria)
}

impl CompoundOrder {
    /// The order of one partition of a `terms`' keys.
    pub(super) fn within(self, partition: Option<Partition>) -> Self {
        CompoundOrder { partition, ..self }
    }

    /// Sorts a rendered `terms` answer's buckets and keeps the first `size`, counting the
    /// rest in `sum_other_doc_count`.
    pub(super) fn apply(&self, result: &mut Value) {
        let Some(Value::Array(buckets)) = result.get_mut("buckets") else {
            return;
        };
        if let Some(partition) = self.partition {
            buckets.retain(|bucket| partition.holds(&bucket["key"]));
        }
        buckets.sort_by(|a, b| {
            self.criteria
                .iter()
                .map(|(what, descending)| {
                    let order = compare(&value_of(a, what), &value_of(b, what));
                    if *descending {
                        order.reverse()
                    } else {
                        order
                    }
                })
                .find(|order| order.is_ne())
                .unwrap_or_else(|| compare(&value_of(a, "_key"), &value_of(b, "_key")))
        });
        let Some(size) = self.size else {
            return;
        };
        let terms = buckets.len();
        let dropped = match self.thresholds {
            Some(thresholds) => thresholds.keep(buckets),
            None => {
                let beyond = buckets.iter().skip(size);
                let dropped = beyond
                    .filter_map(|bucket| bucket["doc_count"].as_u64())
                    .sum();
                buckets.truncate(size);
                dropped
            }
        };
        let other = result["sum_other_doc_count"].as_u64().unwrap_or(0);
        result["sum_other_doc_count"] = json!(other + dropped);
        if let Some(thresholds) = self.thresholds {
            result["doc_count_error_upper_bound"] = json!(thresholds.error(terms, &self.criteria));
        }
    }
}

/// Whether a `terms` is of a date_nanos field: its instants are merged by the millisecond
/// and sorted by the store, which it can do at the top of a request, without
/// sub-aggregations and without `missing`, `include` or `exclude` (each refused by name).
pub(super) fn nanos_terms(
    name: &str,
    field: &str,
    target: &Target,
    place: &Place,
    body: &Map<String, Value>,
    children: &[(String, Plan)],
) -> Result<bool, RequestError> {
    if !matches!(target, Target::Whole(_, FieldKind::DateNanos)) {
        return Ok(false);
    }
    let refused = |what: &str| {
        Err(RequestError::illegal_argument(format!(
            "[terms] [{name}] on the date_nanos field [{field}] {what} is not supported by logdash"
        )))
    };
    if !place.is_top() {
        return refused("below another aggregation");
    }
    if !children.is_empty() {
        return refused("with sub-aggregations");
    }
    if let Some(key) = ["missing", "include", "exclude"]
        .iter()
        .find(|key| body.contains_key(**key))
    {
        return refused(&format!("with [{key}]"));
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(order: Value, size: Option<u64>) -> (Map<String, Value>, CompoundOrder) {
        let mut body = json!({"field": "level", "order": order})
            .as_object()
            .cloned()
            .expect("object");
        if let Some(size) = size {
            body.insert("size".into(), json!(size));
        }
        let taken = take("l", &mut body, false).expect("takes");
        (body, taken)
    }

    #[test]
    fn one_criterion_of_its_own_has_tantivy_list_the_shards_first_terms() {
        // by count: size * 1.5 + 10 of them, each segment counted whole
        let (body, _) = order(json!([{"_count": "asc"}]), None);
        assert_eq!(body["order"], json!({"_count": "asc"}));
        assert_eq!(
            (&body["size"], &body["shard_size"]),
            (&json!(25), &json!(ALL_TERMS))
        );
        // by key: size of them
        let (body, _) = order(json!({"_key": "desc"}), Some(3));
        assert_eq!(
            (&body["order"], &body["size"]),
            (&json!({"_key": "desc"}), &json!(3))
        );
    }

    #[test]
    fn several_criteria_sort_every_term_and_keep_size() {
        let (body, taken) = order(json!([{"_count": "asc"}, {"avg_took": "desc"}]), Some(2));
        assert_eq!(body["size"], json!(ALL_TERMS));
        assert_eq!(body["order"], json!({"_count": "asc"}));
        let mut result = json!({"sum_other_doc_count": 1, "buckets": [
            {"key": "INFO", "doc_count": 3, "avg_took": {"value": 2.0}},
            {"key": "WARNING", "doc_count": 1, "avg_took": {"value": 12.5}},
            {"key": "DEBUG", "doc_count": 1, "avg_took": {"value": 0.5}},
            {"key": "ERROR", "doc_count": 1, "avg_took": {"value": 0.5}},
        ]});
        taken.apply(&mut result);
        // count ascending; then took descending; then the key breaks the last tie
        let keys: Vec<&str> = result["buckets"]
            .as_array()
            .expect("buckets")
            .iter()
            .filter_map(|b| b["key"].as_str())
            .collect();
        assert_eq!(keys, ["WARNING", "DEBUG"]);
        assert_eq!(result["sum_other_doc_count"], json!(1 + 1 + 3));
    }

    #[test]
    fn unknown_directions_and_paths_are_refused_by_name() {
        for (order, said) in [
            (json!([{"_count": "up"}, {"_key": "asc"}]), "direction [up]"),
            (json!([{"f>m": "asc"}, {"_key": "asc"}]), "[f>m]"),
        ] {
            let mut body = json!({ "order": order })
                .as_object()
                .cloned()
                .expect("object");
            let refused = take("l", &mut body, false).expect_err("refused");
            assert!(refused.reason.contains(said), "{}", refused.reason);
        }
    }

    #[test]
    fn a_float_fields_terms_are_sorted_here_by_value() {
        // tantivy's keys: whole values as integers, ordered after every fraction
        let mut result = json!({"sum_other_doc_count": 0, "buckets": [
            {"key": 0.5, "doc_count": 1},
            {"key": 12.5, "doc_count": 2},
            {"key": 2, "doc_count": 2},
            {"key": 30, "doc_count": 1},
        ]});
        // a float field's terms body, taken to be sorted here
        let sorted_here = |body: Value| {
            let mut body = body.as_object().cloned().expect("object");
            let taken = take("t", &mut body, true).expect("takes");
            (body, taken)
        };
        let (body, taken) =
            sorted_here(json!({"field": "took", "size": 2, "order": {"_key": "asc"}}));
        assert_eq!(body["size"], json!(ALL_TERMS));
        taken.apply(&mut result);
        assert_eq!(
            result["buckets"],
            json!([{"key": 0.5, "doc_count": 1}, {"key": 2, "doc_count": 2}])
        );
        assert_eq!(result["sum_other_doc_count"], json!(3));
        // no order: by count, ties by value
        let (_, taken) = sorted_here(json!({"field": "took"}));
        let mut result = json!({"sum_other_doc_count": 0, "buckets": [
            {"key": 12.5, "doc_count": 2},
            {"key": 2, "doc_count": 2},
            {"key": 0.5, "doc_count": 1},
        ]});
        taken.apply(&mut result);
        let keys: Vec<f64> = result["buckets"]
            .as_array()
            .expect("buckets")
            .iter()
            .filter_map(|b| b["key"].as_f64())
            .collect();
        assert_eq!(keys, [2.0, 12.5, 0.5]);
    }
}
