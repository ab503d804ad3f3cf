//! `top_hits`: the best events of a bucket (newest, slowest, ...), as Elasticsearch shows
//! them. tantivy's own answers column values, not `_source`, so each bucket's events are
//! read by a search of their own: the request's query, narrowed to the bucket by what
//! made it (a `terms` key, a `filter`'s query), with the top_hits' `sort`, `size`,
//! `from` and `_source`. So they sit at the top of a request or under `terms` and
//! `filter` (nested as deep as wanted); under other bucket kinds they are refused by name.

use serde_json::{json, Map, Value};

use super::Plan;
use crate::RequestError;

/// The most `from + size` of one top_hits (Elasticsearch's `index.max_inner_result_window`).
const MAX_INNER_WINDOW: u64 = 100;

/// The most buckets whose events are read for one request: each is one search.
pub(crate) const MAX_SEARCHES: usize = 1_000;

/// What one top_hits asks of each bucket: its search's `size`, `from`, `sort`, `_source`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TopHitsSpec {
    asked: Map<String, Value>,
}

/// Reads one bucket's events: the top_hits, the filters narrowing to the bucket, and how
/// many events it holds; answers the top_hits' `hits`.
pub(crate) type ReadBucket<'a> =
    dyn FnMut(&TopHitsSpec, &[Value], u64) -> Result<Value, RequestError> + 'a;

/// What narrows a bucket's events to it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scope {
    /// A `terms` bucket: its key in this field.
    Term(String),
    /// A `filter`'s query.
    Query(Value),
}

impl TopHitsSpec {
    pub(super) fn parse(name: &str, body: &Value) -> Result<TopHitsSpec, RequestError> {
        let Value::Object(body) = body else {
            return Err(RequestError::bad_request(format!(
                "[top_hits] aggregation [{name}] must be an object"
            )));
        };
        let mut asked = Map::new();
        for (key, value) in body {
            match key.as_str() {
                "size" | "from" => {
                    value.as_u64().ok_or_else(|| {
                        RequestError::bad_request(format!(
                            "[top_hits] [{name}]: [{key}] must be a whole number, not {value}"
                        ))
                    })?;
                }
                "sort" | "_source" => {}
                "highlight"
                | "explain"
                | "script_fields"
                | "docvalue_fields"
                | "stored_fields"
                | "version"
                | "seq_no_primary_term"
                | "fields"
                | "track_scores" => {
                    return Err(RequestError::illegal_argument(format!(
                        "[{key}] in top_hits [{name}] is not supported by logdash"
                    )))
                }
                other => {
                    return Err(RequestError::bad_request(format!(
                        "[top_hits] unknown field [{other}]"
                    )))
                }
            }
            asked.insert(key.clone(), value.clone());
        }
        let size = asked.get("size").and_then(Value::as_u64).unwrap_or(3);
        let from = asked.get("from").and_then(Value::as_u64).unwrap_or(0);
        if from + size > MAX_INNER_WINDOW {
            return Err(RequestError::illegal_argument(format!(
                "Top hits result window is too large, the top hits aggregator [{name}]'s from + size must be less than or equal to: [{MAX_INNER_WINDOW}] but was [{}]. This limit can be set by changing the [index.max_inner_result_window] index level setting.",
                from + size
            )));
        }
        asked.insert("size".into(), json!(size));
        Ok(TopHitsSpec { asked })
    }

    /// The search of one bucket's events: `query` (the request's) with its filters.
    pub(crate) fn search_body(&self, query: Option<&Value>, filters: &[Value]) -> Value {
        let mut body = self.asked.clone();
        let must = query.cloned().unwrap_or_else(|| json!({"match_all": {}}));
        body.insert(
            "query".into(),
            json!({"bool": {"must": [must], "filter": filters}}),
        );
        body.insert("track_total_hits".into(), json!(false));
        Value::Object(body)
    }
}

/// Whether a plan holds a top_hits anywhere.
pub(super) fn holds(plan: &[(String, Plan)]) -> bool {
    plan.iter().any(|(_, node)| match node {
        Plan::TopHits(_) => true,
        Plan::Meta(inner, _) if matches!(**inner, Plan::TopHits(_)) => true,
        other => children(other).is_some_and(holds),
    })
}

/// Refuses a top_hits under a bucket whose events cannot be told apart by a query
/// (`under`: the nearest such bucket above, `None` at the top).
pub(super) fn check_placement(
    plan: &[(String, Plan)],
    under: Option<&str>,
) -> Result<(), RequestError> {
    for (name, node) in plan {
        let node = match node {
            Plan::Meta(inner, _) => &**inner,
            other => other,
        };
        match (node, under) {
            (Plan::TopHits(_), Some(parent)) => {
                return Err(RequestError::illegal_argument(format!(
                    "top_hits [{name}] under [{parent}] is not supported by logdash: it answers top_hits at the top of a request and under terms and filter"
                )))
            }
            // a terms or filter narrows its buckets, but not past a bucket above it that
            // does not
            (Plan::Scoped(inner, _), _) => {
                if let Some(children) = children(inner) {
                    check_placement(children, under)?;
                }
            }
            (other, _) => {
                if let Some(children) = children(other) {
                    check_placement(children, Some(name))?;
                }
            }
        }
    }
    Ok(())
}

/// The aggregations under a node.
fn children(node: &Plan) -> Option<&[(String, Plan)]> {
    match node {
        Plan::DateHistogram { children, .. }
        | Plan::Buckets { children, .. }
        | Plan::Range { children, .. }
        | Plan::Filters { children, .. }
        | Plan::Composite(children)
        | Plan::Single(children) => Some(children),
        Plan::Meta(inner, _) | Plan::Scoped(inner, _) => children(inner),
        _ => None,
    }
}

/// Reads the events of every top_hits into the rendered answer `value` (one level of it,
/// whose bucket holds `count` events): `filters` narrow to that bucket, `run` searches
/// one bucket's events.
pub(crate) fn fill(
    plan: &[(String, Plan)],
    value: &mut Value,
    count: u64,
    filters: &mut Vec<Value>,
    run: &mut ReadBucket<'_>,
) -> Result<(), RequestError> {
    for (name, node) in plan {
        let node = match node {
            Plan::Meta(inner, _) => &**inner,
            other => other,
        };
        match node {
            Plan::TopHits(spec) => {
                let hits = run(spec, filters, count)?;
                let mut answer = json!({"hits": hits});
                if let Some(meta) = plan_meta(plan, name) {
                    answer["meta"] = meta;
                }
                value[name] = answer;
            }
            Plan::Scoped(inner, scope) => {
                let Some(children) = children(inner) else {
                    continue;
                };
                let result = &mut value[name];
                match scope {
                    Scope::Term(field) => {
                        if let Some(Value::Array(buckets)) = result.get_mut("buckets") {
                            for bucket in buckets {
                                // a date's or a flag's key as it reads (`key_as_string`)
                                let key = match bucket.get("key_as_string") {
                                    Some(text) => text.clone(),
                                    None => bucket["key"].clone(),
                                };
                                filters.push(json!({"term": {field.as_str(): key}}));
                                let count = bucket["doc_count"].as_u64().unwrap_or(0);
                                fill(children, bucket, count, filters, run)?;
                                filters.pop();
                            }
                        }
                    }
                    Scope::Query(query) => {
                        filters.push(query.clone());
                        let count = result["doc_count"].as_u64().unwrap_or(0);
                        fill(children, result, count, filters, run)?;
                        filters.pop();
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn plan_meta(plan: &[(String, Plan)], name: &str) -> Option<Value> {
    plan.iter().find_map(|(n, node)| match node {
        Plan::Meta(_, meta) if n == name => Some(meta.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::Store;

    #[test]
    fn what_cannot_be_answered_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("opens");
        let body = "{\"index\":{\"_index\":\"t\"}}\n{\"@timestamp\":\"2026-12-06T10:00:00Z\",\"level\":\"INFO\",\"ok\":true,\"when\":\"2026-12-06T09:00:00Z\"}\n";
        store.bulk(None, body.as_bytes()).expect("bulk");
        let refused = |aggs: serde_json::Value| {
            store
                .search("t", &json!({"size": 0, "aggs": aggs}))
                .expect_err("refused")
                .reason
        };
        let under_histogram = refused(
            json!({"h": {"date_histogram": {"field": "@timestamp", "fixed_interval": "1h"},
            "aggs": {"top": {"top_hits": {}}}}}),
        );
        assert!(
            under_histogram.contains("top_hits [top] under [h] is not supported"),
            "{under_histogram}"
        );
        // deeper under terms and filter is answered; under terms under a histogram is not
        let nested = refused(
            json!({"h": {"date_histogram": {"field": "@timestamp", "fixed_interval": "1h"},
            "aggs": {"l": {"terms": {"field": "level.keyword"}, "aggs": {"top": {"top_hits": {}}}}}}}),
        );
        assert!(nested.contains("under [h]"), "{nested}");
        let with_sub = refused(
            json!({"top": {"top_hits": {}, "aggs": {"n": {"value_count": {"field": "level.keyword"}}}}}),
        );
        assert!(
            with_sub.contains("cannot accept sub-aggregations"),
            "{with_sub}"
        );
        let highlight = refused(json!({"top": {"top_hits": {"highlight": {}}}}));
        assert!(
            highlight.contains("[highlight] in top_hits [top] is not supported"),
            "{highlight}"
        );
        let answer = store
            .search("t", &json!({"size": 0, "aggs": {"f": {"filter": {"match_all": {}},
                "aggs": {"l": {"terms": {"field": "level.keyword"}, "aggs": {"top": {"top_hits": {"size": 1}}}}}}}}))
            .expect("answers");
        let top = &answer["aggregations"]["f"]["l"]["buckets"][0]["top"]["hits"];
        assert_eq!(top["total"], json!({"value": 1, "relation": "eq"}));
        assert_eq!(top["hits"][0]["_source"]["level"], json!("INFO"));
        // buckets of a flag and of a date are narrowed by their keys as they read
        for field in ["ok", "when"] {
            let answer = store
                .search(
                    "t",
                    &json!({"size": 0, "aggs": {"k": {"terms": {"field": field},
                    "aggs": {"top": {"top_hits": {"size": 1}}}}}}),
                )
                .expect("answers");
            let hits = &answer["aggregations"]["k"]["buckets"][0]["top"]["hits"]["hits"];
            assert_eq!(hits.as_array().map(Vec::len), Some(1), "{field}: {answer}");
        }
        // with `meta`, at the top and under a terms
        let answer = store
            .search("t", &json!({"size": 0, "aggs": {
                "top": {"top_hits": {"size": 1}, "meta": {"a": 1}},
                "l": {"terms": {"field": "level.keyword"}, "aggs": {"t": {"top_hits": {"size": 1}, "meta": {"b": 2}}}}}}))
            .expect("answers");
        let aggregations = &answer["aggregations"];
        assert_eq!(aggregations["top"]["meta"], json!({"a": 1}), "{answer}");
        assert_eq!(
            aggregations["top"]["hits"]["hits"].as_array().map(Vec::len),
            Some(1)
        );
        let under = &aggregations["l"]["buckets"][0]["t"];
        assert_eq!(
            (
                under["meta"].clone(),
                under["hits"]["total"]["value"].clone()
            ),
            (json!({"b": 2}), json!(1))
        );
        let missing = refused(
            json!({"k": {"terms": {"field": "level.keyword", "missing": "none"},
            "aggs": {"top": {"top_hits": {}}}}}),
        );
        assert!(missing.contains("with [missing]"), "{missing}");
    }
}
