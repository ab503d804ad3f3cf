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
        Some(Value::Number(n)) if n.as_i64() == Some(-1) => Ok(()),
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
/// `-1` where hits were not counted.
pub fn write_totals_as_int(answer: &mut Value) {
    match answer {
        Value::Object(object) => {
            if let Some(Value::Object(hits)) = object.get_mut("hits") {
                if hits.contains_key("hits") {
                    let value = hits
                        .get("total")
                        .and_then(|total| total.get("value"))
                        .and_then(Value::as_i64)
                        .unwrap_or(-1);
                    hits.insert("total".into(), json!(value));
                }
            }
            for (key, inner) in object.iter_mut() {
                if key != "_source" && key != "fields" {
                    write_totals_as_int(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(write_totals_as_int),
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
        for taken in [json!(false), json!(-1), json!("true")] {
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
