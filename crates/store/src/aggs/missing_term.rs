//! A `terms`' `missing` value that some events also hold as a term. tantivy keys the
//! missing events' bucket and the term's alike and keeps one of the two (the count is the
//! term's or the missing events', never their sum), so the store asks for the missing
//! events under a stand-in key no term can be, and brings them back under the value asked
//! for: summed into the term's bucket, as Elasticsearch counts them, when some events
//! hold it.

use serde_json::{json, Map, Value};

use crate::mapping::FieldKind;
use crate::query::Target;
use crate::RequestError;

/// U+10FFFF is no character a text can hold: no term is keyed so.
const STAND_IN: &str = "\u{10FFFF}logdash: missing";

#[derive(Debug, Clone, PartialEq)]
pub(super) struct MissingTerm {
    /// The aggregation's name.
    name: String,
    /// The value asked for.
    value: String,
}

impl MissingTerm {
    /// Replaces the `missing` of a `terms` body over whole strings by the stand-in; `None`
    /// for other fields (numbers are keyed apart from what tantivy keys them by). Beside
    /// `include` or `exclude` (which would judge the stand-in, where Elasticsearch judges
    /// the value), refused by name.
    pub(super) fn take(
        name: &str,
        body: &mut Map<String, Value>,
        target: &Target,
    ) -> Result<Option<MissingTerm>, RequestError> {
        let strings = matches!(
            target,
            Target::Whole(_, FieldKind::Keyword | FieldKind::Text) | Target::Unmapped(_)
        );
        let value = match body.get("missing") {
            Some(Value::String(value)) if strings => value.clone(),
            _ => return Ok(None),
        };
        if body.contains_key("include") || body.contains_key("exclude") {
            return Err(RequestError::illegal_argument(format!(
                "[terms] [{name}]: [missing] beside [include] or [exclude] is not supported by logdash"
            )));
        }
        body.insert("missing".into(), json!(STAND_IN));
        Ok(Some(MissingTerm {
            name: name.to_string(),
            value,
        }))
    }

    /// Brings the stand-in's bucket of a rendered `terms` (`result`) back under the value
    /// asked for. Buckets with sub-aggregations other than percentiles and distinct counts
    /// (which the store keys by the value already) cannot be summed: refused by name when
    /// both are there.
    pub(super) fn restore(&self, result: &mut Value, summable: bool) -> Result<(), RequestError> {
        let Some(Value::Array(buckets)) = result.get_mut("buckets") else {
            return Ok(());
        };
        let Some(at) = buckets
            .iter()
            .position(|b| b["key"].as_str() == Some(STAND_IN))
        else {
            return Ok(());
        };
        let mut missing = buckets.remove(at);
        let held = buckets
            .iter_mut()
            .find(|b| b["key"].as_str() == Some(self.value.as_str()));
        match held {
            None => {
                missing["key"] = json!(self.value);
                buckets.push(missing);
            }
            Some(held) if summable => {
                let count = |b: &Value| b["doc_count"].as_u64().unwrap_or(0);
                held["doc_count"] = json!(count(held) + count(&missing));
            }
            Some(_) => {
                return Err(RequestError::illegal_argument(format!(
                    "[terms] [{}]: [missing] [{}] is a term some events hold; with sub-aggregations other than percentiles and cardinality, logdash cannot add the events without the field to its bucket",
                    self.name, self.value
                )))
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(missing: Value) -> (Map<String, Value>, Option<MissingTerm>) {
        let mut body = json!({"field": "tags", "missing": missing})
            .as_object()
            .cloned()
            .expect("object");
        let target = Target::Whole("tags".into(), FieldKind::Keyword);
        let taken = MissingTerm::take("t", &mut body, &target).expect("taken");
        (body, taken)
    }

    #[test]
    fn the_missing_events_join_the_terms_bucket_or_make_their_own() {
        let (body, taken) = taken(json!("web"));
        assert_eq!(body["missing"], json!(STAND_IN));
        let taken = taken.expect("a string's missing");
        let mut result = json!({"buckets": [
            {"key": "web", "doc_count": 1},
            {"key": STAND_IN, "doc_count": 2},
        ]});
        taken.restore(&mut result, true).expect("summed");
        assert_eq!(result["buckets"], json!([{"key": "web", "doc_count": 3}]));
        let mut result =
            json!({"buckets": [{"key": "db", "doc_count": 1}, {"key": STAND_IN, "doc_count": 2}]});
        taken
            .restore(&mut result, false)
            .expect("no term to add to");
        assert_eq!(result["buckets"][1], json!({"key": "web", "doc_count": 2}));
    }

    #[test]
    fn buckets_that_cannot_be_summed_are_refused_by_name() {
        let (_, taken) = taken(json!("web"));
        let mut result = json!({"buckets": [
            {"key": "web", "doc_count": 1, "m": {"value": 3.0}},
            {"key": STAND_IN, "doc_count": 2, "m": {"value": 5.0}},
        ]});
        let refused = taken
            .expect("taken")
            .restore(&mut result, false)
            .expect_err("refused");
        assert!(
            refused.reason.contains("[missing] [web]"),
            "{}",
            refused.reason
        );
    }

    #[test]
    fn beside_include_or_exclude_it_is_refused() {
        let mut body = json!({"field": "tags", "missing": "db", "exclude": "u.*"})
            .as_object()
            .cloned()
            .expect("object");
        let target = Target::Whole("tags".into(), FieldKind::Keyword);
        let refused = MissingTerm::take("t", &mut body, &target).expect_err("refused");
        assert!(
            refused.reason.contains("[include] or [exclude]"),
            "{}",
            refused.reason
        );
    }

    #[test]
    fn numbers_are_left_to_tantivy() {
        let mut body = json!({"field": "n", "missing": 5})
            .as_object()
            .cloned()
            .expect("object");
        let target = Target::Whole("n".into(), FieldKind::Long);
        assert_eq!(MissingTerm::take("t", &mut body, &target), Ok(None));
        assert_eq!(body["missing"], json!(5));
    }
}
