//! `typed_keys=true`: each aggregation's answer named `type#name`, as Elasticsearch's
//! official clients (Java, .NET, Go's typed API) ask for it to know how to read it. The
//! type follows from the request (its kind, `hdr` for percentiles) and, for `terms`, from
//! the field's type: `sterms` for strings (and, as Elasticsearch 8.19 answers, a field no
//! index maps), `lterms` for whole numbers, dates and flags, `dterms` for fractions.

use serde_json::Value;

use super::aggs::{aggs_of, kind_of};

/// What a `terms` aggregation's keys are, by its field's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermsKeys {
    Strings,
    Longs,
    Doubles,
}

/// Names each aggregation of `answer` (a search's `aggregations`) by its type, as `aggs`
/// (the request's) asked for it, at every depth; `terms_keys` tells a terms field's keys.
pub fn name_by_type(aggs: &Value, answer: &mut Value, terms_keys: &dyn Fn(&str) -> TermsKeys) {
    let (Some(asked), Some(answered)) = (aggs.as_object(), answer.as_object_mut()) else {
        return;
    };
    for (name, spec) in asked {
        let Some(mut result) = answered.remove(name) else {
            continue;
        };
        let Some((kind, body)) = kind_of(spec) else {
            answered.insert(name.clone(), result);
            continue;
        };
        if let Some(sub) = aggs_of(spec) {
            for bucket in buckets_of(kind, &mut result) {
                name_by_type(sub, bucket, terms_keys);
            }
        }
        let type_name = match kind {
            "terms" => {
                let field = body
                    .get("field")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                match terms_keys(field) {
                    TermsKeys::Strings => "sterms",
                    TermsKeys::Longs => "lterms",
                    TermsKeys::Doubles => "dterms",
                }
            }
            "percentiles" | "percentile_ranks" => {
                let method = if body.get("hdr").is_some() {
                    "hdr"
                } else {
                    "tdigest"
                };
                answered.insert(format!("{method}_{kind}#{name}"), result);
                continue;
            }
            other => other,
        };
        answered.insert(format!("{type_name}#{name}"), result);
    }
}

/// Where an aggregation's sub-aggregations answer: each bucket, or (a single-bucket kind)
/// the result itself.
fn buckets_of<'a>(kind: &str, result: &'a mut Value) -> Vec<&'a mut Value> {
    if matches!(
        kind,
        "filter" | "global" | "missing" | "nested" | "reverse_nested"
    ) {
        return vec![result];
    }
    match result.get_mut("buckets") {
        Some(Value::Array(buckets)) => buckets.iter_mut().collect(),
        Some(Value::Object(buckets)) => buckets.values_mut().collect(),
        _ => Vec::new(),
    }
}

/// The whole answer's aggregations (a search's, or each of an `_msearch`'s) named by type.
pub fn name_answer_by_type(
    aggs: Option<&Value>,
    answer: &mut Value,
    terms_keys: &dyn Fn(&str) -> TermsKeys,
) {
    if let (Some(aggs), Some(aggregations)) = (aggs, answer.get_mut("aggregations")) {
        name_by_type(aggs, aggregations, terms_keys);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_kind_and_depth_is_named_by_its_type() {
        let aggs = json!({
            "levels": {"terms": {"field": "level"}, "aggs": {
                "took": {"percentiles": {"field": "took", "hdr": {}}},
                "codes": {"terms": {"field": "status"}}
            }},
            "errors": {"filter": {"term": {"level": "ERROR"}}, "aggs": {"avg": {"avg": {"field": "took"}}}},
            "per_day": {"date_histogram": {"field": "@timestamp", "calendar_interval": "day"}, "meta": {"a": 1}},
            "ratio": {"terms": {"field": "ratio"}},
            "nothing": {"terms": {"field": "nope"}}
        });
        let mut answer = json!({
            "levels": {"buckets": [{"key": "INFO", "doc_count": 1,
                "took": {"values": {"50.0": 1.0}}, "codes": {"buckets": []}}]},
            "errors": {"doc_count": 0, "avg": {"value": null}},
            "per_day": {"buckets": [], "meta": {"a": 1}},
            "ratio": {"buckets": []},
            "nothing": {"buckets": []}
        });
        let keys = |field: &str| match field {
            "level" => TermsKeys::Strings,
            "status" => TermsKeys::Longs,
            "ratio" => TermsKeys::Doubles,
            _ => TermsKeys::Strings,
        };
        name_by_type(&aggs, &mut answer, &keys);
        assert_eq!(
            answer,
            json!({
                "sterms#levels": {"buckets": [{"key": "INFO", "doc_count": 1,
                    "hdr_percentiles#took": {"values": {"50.0": 1.0}}, "lterms#codes": {"buckets": []}}]},
                "filter#errors": {"doc_count": 0, "avg#avg": {"value": null}},
                "date_histogram#per_day": {"buckets": [], "meta": {"a": 1}},
                "dterms#ratio": {"buckets": []},
                "sterms#nothing": {"buckets": []}
            })
        );
    }
}
