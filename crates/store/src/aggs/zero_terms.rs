//! `terms` with `min_doc_count` 0: Elasticsearch lists every term of the indices searched,
//! those no event of the bucket holds with a count of 0 (a shard reads a keyword's from the
//! field's whole dictionary, a number's, date's or boolean's from every event's values).
//! tantivy lists counted terms only, so the store asks for every term of the column first
//! ([`super::Columns::every_term`]) and adds the others to each bucket's list before it is
//! sorted and cut as one shard does ([`super::thresholds`]). A bucket of 0 holds its
//! sub-aggregations as they are of no events: tantivy answers them so under a filter that
//! matches nothing, asked for beside the terms ([`with_empty`]).

use std::collections::HashSet;

use serde_json::{json, Map, Value};
use tantivy::aggregation::agg_req::{Aggregation, Aggregations};

use super::filter::{every_event, EsFilter};
use super::{column_of, top_hits, Plan, Reads};
use crate::mapping::{FieldKind, IndexMapping};
use crate::query::Target;
use crate::RequestError;
use logdash_core::time::EpochMillis;

/// A `terms` with `min_doc_count` 0: every term to list, and whether its answer comes with
/// the sub-aggregations of no events beside it (see [`with_empty`]).
#[derive(Debug, Clone)]
pub(crate) struct Zero {
    pub terms: Vec<Value>,
    pub with_empty: bool,
}

impl Zero {
    /// Adds to a `terms`' `result` (as tantivy writes it, with what [`with_empty`] asked
    /// beside) a bucket counting 0 for each term it does not list (`listing`: false
    /// below a histogram's bucket of no events, where Elasticsearch lists none).
    pub(super) fn add(&self, result: &mut Value, listing: bool) {
        let empty = match self.with_empty {
            true => {
                let mut empty = result["empty"].take();
                *result = result["listed"].take();
                empty
                    .as_object_mut()
                    .map(std::mem::take)
                    .unwrap_or_default()
            }
            false => Map::new(),
        };
        if listing {
            add(result, &self.terms, &empty);
        }
    }
}

/// Every term `terms` [`name`] over `field` lists with `min_doc_count` 0, keyed as tantivy
/// keys its buckets; refused by name below which events are read by searches of their
/// own (`top_hits`), where its terms are judged by more than the field's values
/// (`missing`, `include`, `exclude`), and on fields of other kinds (`date_nanos`, `ip`).
pub(super) fn every_term(
    name: &str,
    field: &str,
    target: &Target,
    body: &Map<String, Value>,
    children: &[(String, Plan)],
    reads: Reads<'_>,
) -> Result<Zero, RequestError> {
    let refused = |what: String| {
        Err(RequestError::illegal_argument(format!(
            "[terms] [{name}] with [min_doc_count] 0 {what} is not supported by logdash"
        )))
    };
    match target {
        Target::Unmapped(_) => {
            return Ok(Zero {
                terms: Vec::new(),
                with_empty: false,
            })
        }
        Target::Timestamp
        | Target::Whole(
            _,
            FieldKind::Keyword
            | FieldKind::Text
            | FieldKind::Long
            | FieldKind::Float
            | FieldKind::Boolean
            | FieldKind::Date,
        ) => {}
        _ => {
            return refused(format!(
                "on [{field}], which is no keyword, number, date or boolean"
            ))
        }
    }
    if top_hits::holds(children) {
        return refused("with top_hits below".to_string());
    }
    if let Some(key) = ["missing", "include", "exclude"]
        .into_iter()
        .find(|key| body.contains_key(*key))
    {
        return refused(format!("beside [{key}]"));
    }
    Ok(Zero {
        terms: reads.every_term(&column_of(target, "terms", field)?)?,
        with_empty: !children.is_empty(),
    })
}

/// A `terms`' aggregation with its sub-aggregations of no events beside it (a filter that
/// matches nothing), both under a filter of every event.
pub(super) fn with_empty(
    terms: Aggregation,
    sub_aggs: Aggregations,
    mapping: &IndexMapping,
    now: EpochMillis,
) -> Result<Aggregation, RequestError> {
    let none = EsFilter::checked(&json!({"match_none": {}}), mapping, now)?;
    let mut both = Aggregations::default();
    both.insert("listed".into(), terms);
    both.insert("empty".into(), none.aggregation(sub_aggs));
    every_event(mapping, now, both)
}

/// Adds to a `terms`' `result` (as tantivy writes it) a bucket counting 0 for each of
/// `terms` (a bucket's key, and its text where tantivy writes one) it does not list, with
/// the sub-aggregations of no events (`empty`).
fn add(result: &mut Value, terms: &[Value], empty: &Map<String, Value>) {
    let Some(Value::Array(buckets)) = result.get_mut("buckets") else {
        return;
    };
    // keys compared as written: tantivy writes a key alike in both answers
    let listed: HashSet<String> = buckets
        .iter()
        .map(|bucket| bucket["key"].to_string())
        .collect();
    buckets.extend(
        terms
            .iter()
            .filter(|term| !listed.contains(&term["key"].to_string()))
            .map(|term| {
                let mut bucket = term.clone();
                if let Some(fields) = bucket.as_object_mut() {
                    fields.extend(empty.clone());
                }
                bucket["doc_count"] = json!(0);
                bucket
            }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dictionary;

    impl super::super::Columns for Dictionary {
        fn bounds(&mut self, _: &str) -> Result<Option<(f64, f64)>, RequestError> {
            Ok(None)
        }
        fn every_term(&mut self, column: &str) -> Result<Vec<Value>, RequestError> {
            match column {
                "kw.tags" => Ok(["auth", "db", "web"].map(|k| json!({"key": k})).to_vec()),
                _ => Ok(vec![
                    json!({"key": -2}),
                    json!({"key": 7.5}),
                    json!({"key": 1, "key_as_string": "true"}),
                ]),
            }
        }
    }

    fn asked(
        body: Value,
        target: Target,
        children: &[(String, Plan)],
    ) -> Result<Zero, RequestError> {
        let body = body.as_object().cloned().expect("object");
        every_term("t", "tags", &target, &body, children, &mut Dictionary)
    }

    #[test]
    fn the_terms_no_event_counts_join_the_list_at_zero() {
        let keyword = Target::Whole("tags".into(), FieldKind::Keyword);
        let zero = asked(json!({"field": "tags"}), keyword, &[]).expect("listed");
        let mut result = json!({"buckets": [{"key": "web", "doc_count": 3}]});
        zero.add(&mut result, true);
        assert_eq!(
            result["buckets"],
            json!([
                {"key": "web", "doc_count": 3},
                {"key": "auth", "doc_count": 0},
                {"key": "db", "doc_count": 0},
            ])
        );
        let unmapped = asked(json!({}), Target::Unmapped("tags".into()), &[]);
        assert_eq!(unmapped.expect("none").terms, Vec::<Value>::new());
        // numbers, keyed as tantivy keys them
        let number = Target::Whole("n".into(), FieldKind::Long);
        let zero = asked(json!({"field": "n"}), number, &[]).expect("listed");
        let mut result = json!({"buckets": [{"key": -2, "doc_count": 3}]});
        zero.add(&mut result, true);
        assert_eq!(
            result["buckets"],
            json!([
                {"key": -2, "doc_count": 3},
                {"key": 7.5, "doc_count": 0},
                {"key": 1, "key_as_string": "true", "doc_count": 0},
            ])
        );
        // below a histogram's bucket of no events, none
        let mut result = json!({"buckets": []});
        zero.add(&mut result, false);
        assert_eq!(result["buckets"], json!([]));
    }

    #[test]
    fn a_bucket_of_zero_holds_the_sub_aggregations_of_no_events() {
        let keyword = Target::Whole("tags".into(), FieldKind::Keyword);
        let children = [("n".to_string(), Plan::Cardinality)];
        let zero = asked(json!({"field": "tags"}), keyword, &children).expect("listed");
        assert!(zero.with_empty);
        let mut result = json!({
            "listed": {"buckets": [{"key": "web", "doc_count": 3, "n": {"value": 2}}]},
            "empty": {"doc_count": 0, "n": {"value": 0}},
            "doc_count": 3,
        });
        zero.add(&mut result, true);
        assert_eq!(
            result["buckets"][1],
            json!({"key": "auth", "doc_count": 0, "n": {"value": 0}})
        );
    }

    #[test]
    fn what_a_bucket_of_zero_cannot_answer_is_refused_by_name() {
        let keyword = || Target::Whole("tags".into(), FieldKind::Keyword);
        let reason = |result: Result<Zero, RequestError>| result.expect_err("refused").reason;
        let top = top_hits::TopHitsSpec::parse("top", &json!({})).expect("a top_hits");
        let children = [("top".to_string(), Plan::TopHits(top))];
        assert!(reason(asked(json!({}), keyword(), &children)).contains("top_hits"));
        assert!(reason(asked(json!({"missing": "x"}), keyword(), &[])).contains("[missing]"));
        assert!(reason(asked(json!({"include": "a.*"}), keyword(), &[])).contains("[include]"));
        let address = Target::Whole("ip".into(), FieldKind::Ip);
        assert!(reason(asked(json!({}), address, &[])).contains("no keyword, number"));
    }
}
