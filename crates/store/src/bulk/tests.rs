//! Action parameters logdash cannot honour refuse their own item, and only it.

use serde_json::{json, Value};

use crate::Store;

fn statuses(answer: &Value) -> Vec<(u64, String)> {
    answer["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item.as_object()?.values().next().cloned())
        .map(|item| {
            let reason = item["error"]["reason"].as_str().unwrap_or("").to_string();
            (item["status"].as_u64().unwrap_or(0), reason)
        })
        .collect()
}

#[test]
fn a_condition_or_a_pipeline_it_cannot_honour_refuses_its_item_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    let body = [
        r#"{"index":{"_index":"app","_id":"a"}}"#,
        r#"{"message":"kept"}"#,
        r#"{"index":{"_index":"app","_id":"a","if_seq_no":3,"if_primary_term":1}}"#,
        r#"{"message":"would have been written only if unchanged"}"#,
        r#"{"delete":{"_index":"app","_id":"a","version":2,"version_type":"external"}}"#,
        r#"{"create":{"_index":"app","pipeline":"geoip"}}"#,
        r#"{"message":"would have gone through a pipeline"}"#,
        r#"{"create":{"_index":"app","require_alias":true}}"#,
        r#"{"message":"only into an alias"}"#,
        // what shippers send and asks for nothing: null, false, `_none`, no templates
        r#"{"create":{"_index":"app","_id":null,"routing":null,"pipeline":"_none","require_alias":"false","version_type":"internal","dynamic_templates":{}}}"#,
        r#"{"message":"also kept"}"#,
    ]
    .join("\n")
        + "\n";
    let answer = store.bulk(None, body.as_bytes()).expect("bulk answers");
    let got = statuses(&answer);
    let codes: Vec<u64> = got.iter().map(|(status, _)| *status).collect();
    assert_eq!(codes, [201, 400, 400, 400, 400, 201], "{answer}");
    for (parameter, (_, reason)) in ["if_seq_no", "version", "pipeline", "require_alias"]
        .iter()
        .zip(&got[1..5])
    {
        assert!(
            reason.starts_with(&format!("[{parameter}] is not supported: ")),
            "{reason}"
        );
    }
    // the refused items changed nothing: the first event is there as it was written
    let hits = store
        .search(
            "app",
            &json!({"query": {"match_all": {}}, "sort": ["_doc"]}),
        )
        .expect("searches");
    let messages: Vec<&str> = hits["hits"]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|hit| hit["_source"]["message"].as_str())
        .collect();
    assert_eq!(messages, ["kept", "also kept"]);
}

#[test]
fn a_forced_refresh_is_said_of_each_item_that_wrote() {
    let mut answer = json!({"errors": true, "items": [
        {"index": {"_id": "1", "result": "created", "status": 201}},
        {"delete": {"_id": "2", "result": "not_found", "status": 404}},
        {"update": {"_id": "3", "result": "noop", "status": 200}},
        {"create": {"_id": "4", "status": 409, "error": {"type": "version_conflict_engine_exception"}}}
    ]});
    super::mark_forced_refresh(&mut answer);
    let forced: Vec<bool> = answer["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item.as_object()?.values().next().cloned())
        .map(|result| result.get("forced_refresh").is_some())
        .collect();
    assert_eq!(forced, [true, true, true, false]);
}
