//! `terms` with `min_doc_count` 0: Elasticsearch lists every term of the indices searched,
//! those no event of the bucket holds with a count of 0 (a shard reads them from the
//! field's whole dictionary). tantivy lists counted terms only, so the store asks for every
//! term of the column first ([`super::Columns::every_term`]) and adds the others to each
//! bucket's list before it is sorted and cut as one shard does ([`super::thresholds`]).

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use super::{column_of, Plan, Reads};
use crate::mapping::FieldKind;
use crate::query::Target;
use crate::RequestError;

/// Every term `terms` [`name`] over `field` lists with `min_doc_count` 0; refused by name
/// where a bucket of 0 would need more than its key and count (sub-aggregations), where
/// its terms are judged by more than the field's values (`missing`, `include`,
/// `exclude`), and on fields other than strings.
pub(super) fn every_term(
    name: &str,
    field: &str,
    target: &Target,
    body: &Map<String, Value>,
    children: &[(String, Plan)],
    reads: Reads<'_>,
) -> Result<Vec<String>, RequestError> {
    let refused = |what: String| {
        Err(RequestError::illegal_argument(format!(
            "[terms] [{name}] with [min_doc_count] 0 {what} is not supported by logdash"
        )))
    };
    match target {
        Target::Unmapped(_) => return Ok(Vec::new()),
        Target::Whole(_, FieldKind::Keyword | FieldKind::Text) => {}
        _ => return refused(format!("on [{field}], which is not a keyword")),
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

/// Adds to a `terms`' `result` a bucket counting 0 for each of `terms` it does not list.
pub(super) fn add(result: &mut Value, terms: &[String]) {
    let Some(Value::Array(buckets)) = result.get_mut("buckets") else {
        return;
    };
    let listed: HashSet<String> = buckets
        .iter()
        .filter_map(|bucket| bucket["key"].as_str().map(str::to_string))
        .collect();
    buckets.extend(
        terms
            .iter()
            .filter(|term| !listed.contains(*term))
            .map(|term| json!({"key": term, "doc_count": 0})),
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
        fn every_term(&mut self, column: &str) -> Result<Vec<String>, RequestError> {
            assert_eq!(column, "kw.tags");
            Ok(vec!["auth".into(), "db".into(), "web".into()])
        }
    }

    fn asked(
        body: Value,
        target: Target,
        children: &[(String, Plan)],
    ) -> Result<Vec<String>, RequestError> {
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
        assert_eq!(unmapped.expect("none"), Vec::<String>::new());
    }

    #[test]
    fn what_a_bucket_of_zero_cannot_answer_is_refused_by_name() {
        let keyword = || Target::Whole("tags".into(), FieldKind::Keyword);
        let reason =
            |result: Result<Vec<String>, RequestError>| result.expect_err("refused").reason;
        let children = [("n".to_string(), Plan::Cardinality)];
        assert!(reason(asked(json!({}), keyword(), &children)).contains("sub-aggregations"));
        assert!(reason(asked(json!({"missing": "x"}), keyword(), &[])).contains("[missing]"));
        assert!(reason(asked(json!({"include": "a.*"}), keyword(), &[])).contains("[include]"));
        let number = Target::Whole("n".into(), FieldKind::Long);
        assert!(reason(asked(json!({}), number, &[])).contains("not a keyword"));
    }
}
