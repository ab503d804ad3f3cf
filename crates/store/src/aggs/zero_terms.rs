//! `terms` with `min_doc_count` 0: Elasticsearch lists every term of the indices searched,
//! those no event of the bucket holds with a count of 0 (a shard reads a keyword's from the
//! field's whole dictionary, a number's, date's or boolean's from every event's values).
//! tantivy lists counted terms only, so the store asks for every term of the column first
//! ([`super::Columns::every_term`]) and adds the others to each bucket's list before it is
//! sorted and cut as one shard does ([`super::thresholds`]).

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::{column_of, Plan, Reads};
use crate::mapping::FieldKind;
use crate::query::Target;
use crate::RequestError;

/// Every term `terms` [`name`] over `field` lists with `min_doc_count` 0, keyed as tantivy
/// keys its buckets; refused by name where a bucket of 0 would need more than its key and
/// count (sub-aggregations), where its terms are judged by more than the field's values
/// (`missing`, `include`, `exclude`), and on fields of other kinds (`date_nanos`, `ip`).
pub(super) fn every_term(
    name: &str,
    field: &str,
    target: &Target,
    body: &Map<String, Value>,
    children: &[(String, Plan)],
    reads: Reads<'_>,
) -> Result<Vec<Value>, RequestError> {
    let refused = |what: String| {
        Err(RequestError::illegal_argument(format!(
            "[terms] [{name}] with [min_doc_count] 0 {what} is not supported by logdash"
        )))
    };
    match target {
        Target::Unmapped(_) => return Ok(Vec::new()),
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
    if !children.is_empty() {
        return refused("with sub-aggregations".to_string());
    }
    if let Some(key) = ["missing", "include", "exclude"]
        .into_iter()
        .find(|key| body.contains_key(*key))
    {
        return refused(format!("beside [{key}]"));
    }
    reads.every_term(&column_of(target, "terms", field)?)
}

/// Adds to a `terms`' `result` (as tantivy writes it) a bucket counting 0 for each of
/// `terms` (a bucket's key, and its text where tantivy writes one) it does not list.
pub(super) fn add(result: &mut Value, terms: &[Value]) {
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
    ) -> Result<Vec<Value>, RequestError> {
        let body = body.as_object().cloned().expect("object");
        every_term("t", "tags", &target, &body, children, &mut Dictionary)
    }

    #[test]
    fn the_terms_no_event_counts_join_the_list_at_zero() {
        let keyword = Target::Whole("tags".into(), FieldKind::Keyword);
        let terms = asked(json!({"field": "tags"}), keyword, &[]).expect("listed");
        let mut result = json!({"buckets": [{"key": "web", "doc_count": 3}]});
        add(&mut result, &terms);
        assert_eq!(
            result["buckets"],
            json!([
                {"key": "web", "doc_count": 3},
                {"key": "auth", "doc_count": 0},
                {"key": "db", "doc_count": 0},
            ])
        );
        let unmapped = asked(json!({}), Target::Unmapped("tags".into()), &[]);
        assert_eq!(unmapped.expect("none"), Vec::<Value>::new());
        // numbers, keyed as tantivy keys them
        let number = Target::Whole("n".into(), FieldKind::Long);
        let terms = asked(json!({"field": "n"}), number, &[]).expect("listed");
        let mut result = json!({"buckets": [{"key": -2, "doc_count": 3}]});
        add(&mut result, &terms);
        assert_eq!(
            result["buckets"],
            json!([
                {"key": -2, "doc_count": 3},
                {"key": 7.5, "doc_count": 0},
                {"key": 1, "key_as_string": "true", "doc_count": 0},
            ])
        );
    }

    #[test]
    fn what_a_bucket_of_zero_cannot_answer_is_refused_by_name() {
        let keyword = || Target::Whole("tags".into(), FieldKind::Keyword);
        let reason = |result: Result<Vec<Value>, RequestError>| result.expect_err("refused").reason;
        let children = [("n".to_string(), Plan::Cardinality)];
        assert!(reason(asked(json!({}), keyword(), &children)).contains("sub-aggregations"));
        assert!(reason(asked(json!({"missing": "x"}), keyword(), &[])).contains("[missing]"));
        assert!(reason(asked(json!({"include": "a.*"}), keyword(), &[])).contains("[include]"));
        let address = Target::Whole("ip".into(), FieldKind::Ip);
        assert!(reason(asked(json!({}), address, &[])).contains("no keyword, number"));
    }
}
