//! `rest_total_hits_as_int=true`: a search's total as a plain number, as Elasticsearch 6
//! wrote it and clients made for it still ask. Elasticsearch then counts every hit
//! (`track_total_hits` defaults to true, and a bound is refused) and writes `-1` where
//! hits are not counted.

use serde_json::{json, Map, Value};

use super::msearch::lines;
use super::QueryError;

/// Makes a search body count every hit, as the parameter asks; a bound is refused with
/// Elasticsearch's error. A body that is no object is left for its reading to refuse.
pub fn track_exactly(body: &mut Value) -> Result<(), QueryError> {
    if body.is_null() {
        *body = Value::Object(Map::new());
    }
    let Some(object) = body.as_object_mut() else {
        return Ok(());
    };
    match object.get("track_total_hits") {
        None => {
            object.insert("track_total_hits".into(), json!(true));
            Ok(())
        }
        Some(Value::Bool(_)) => Ok(()),
        Some(Value::String(text)) if text == "true" || text == "false" || text == "-1" => Ok(()),
        // -1 counts none; Integer.MAX_VALUE is Elasticsearch's own "every hit"
        Some(Value::Number(n)) if matches!(n.as_f64(), Some(-1.0 | 2_147_483_647.0)) => Ok(()),
        Some(bound) => Err(QueryError::illegal(format!(
            "[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got {}",
            bound.as_str().map_or_else(|| bound.to_string(), str::to_string)
        ))),
    }
}

/// [`track_exactly`] for each search of an `_msearch` body; headers, and lines that are
/// not JSON objects, are kept as they came.
pub fn msearch_tracking_exactly(body: &[u8]) -> Result<Vec<u8>, QueryError> {
    let mut out = Vec::with_capacity(body.len() + 64);
    for item in lines(body) {
        out.extend_from_slice(item.header);
        out.push(b'\n');
        let Some(search) = item.search else {
            continue;
        };
        match serde_json::from_slice::<Value>(search) {
            Ok(mut parsed) if parsed.is_object() => {
                track_exactly(&mut parsed)?;
                out.extend_from_slice(parsed.to_string().as_bytes());
            }
            _ => out.extend_from_slice(search),
        }
        out.push(b'\n');
    }
    Ok(out)
}

/// Writes every total of a search's (or `_msearch`'s) answer as a number, top_hits' too:
/// `-1` where hits were not counted. Events' own fields are never touched.
pub fn write_totals_as_int(answer: &mut Value) {
    if let Some(responses) = answer.get_mut("responses").and_then(Value::as_array_mut) {
        responses.iter_mut().for_each(write_totals_as_int);
        return;
    }
    total_as_int(answer);
    if let Some(aggregations) = answer.get_mut("aggregations") {
        in_aggregations(aggregations);
    }
}

/// The `hits.total` of a search's answer or of a top_hits result (an object whose `hits`
/// holds a list of hits) as a number; whether it was one.
fn total_as_int(result: &mut Value) -> bool {
    let Some(Value::Object(hits)) = result.get_mut("hits") else {
        return false;
    };
    if !hits.get("hits").is_some_and(Value::is_array) {
        return false;
    }
    let value = hits
        .get("total")
        .and_then(|total| total.get("value"))
        .and_then(Value::as_i64)
        .unwrap_or(-1);
    hits.insert("total".into(), json!(value));
    true
}

/// Each aggregation's result, and its buckets' (a top_hits' hits are events: not entered).
fn in_aggregations(level: &mut Value) {
    match level {
        Value::Object(results) => {
            for result in results.values_mut() {
                if !total_as_int(result) {
                    in_aggregations(result);
                }
            }
        }
        Value::Array(buckets) => buckets.iter_mut().for_each(in_aggregations),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_count_every_hit_unless_bounded() {
        let mut body = Value::Null;
        track_exactly(&mut body).expect("an empty body counts");
        assert_eq!(body, json!({"track_total_hits": true}));
        for taken in [
            json!(false),
            json!(-1),
            json!(-1.0),
            json!(2_147_483_647),
            json!("true"),
        ] {
            let mut body = json!({ "track_total_hits": taken.clone() });
            track_exactly(&mut body).expect("taken");
            assert_eq!(body["track_total_hits"], taken);
        }
        let err = track_exactly(&mut json!({"track_total_hits": 2})).expect_err("a bound");
        assert_eq!(
            err.reason,
            "[rest_total_hits_as_int] cannot be used if the tracking of total hits is not accurate, got 2"
        );
        let body = msearch_tracking_exactly(b"{\"index\":\"a\"}\n{}\n{}\n{\"size\":0}\n")
            .expect("rewritten");
        assert_eq!(
            String::from_utf8(body).expect("text"),
            "{\"index\":\"a\"}\n{\"track_total_hits\":true}\n{}\n{\"size\":0,\"track_total_hits\":true}\n"
        );
    }

    #[test]
    fn a_top_hits_or_a_filter_named_hits_is_told_apart() {
        let mut answer = json!({"hits": {"total": {"value": 3, "relation": "eq"}, "hits": []},
        "aggregations": {
            "hits": {"doc_count": 2, "hits": {"hits": {"total": {"value": 2, "relation": "eq"}, "hits": []}}},
            "fields": {"buckets": [{"key": "a", "_source": {"hits": {"total": {"value": 1}, "hits": []}}}]}
        }});
        write_totals_as_int(&mut answer);
        assert_eq!(
            answer,
            json!({"hits": {"total": 3, "hits": []},
            "aggregations": {
                "hits": {"doc_count": 2, "hits": {"hits": {"total": 2, "hits": []}}},
                "fields": {"buckets": [{"key": "a", "_source": {"hits": {"total": 1, "hits": []}}}]}
            }})
        );
    }

    #[test]
    fn totals_become_numbers_at_every_depth() {
        let mut answer = json!({"responses": [
            {"hits": {"total": {"value": 5, "relation": "eq"}, "hits": [{"_source": {"hits": {"total": "kept", "hits": []}}}]},
             "aggregations": {"top": {"hits": {"total": {"value": 2, "relation": "eq"}, "hits": []}}}},
            {"hits": {"hits": []}}
        ]});
        write_totals_as_int(&mut answer);
        assert_eq!(
            answer,
            json!({"responses": [
                {"hits": {"total": 5, "hits": [{"_source": {"hits": {"total": "kept", "hits": []}}}]},
                 "aggregations": {"top": {"hits": {"total": 2, "hits": []}}}},
                {"hits": {"total": -1, "hits": []}}
            ]})
        );
    }
}
