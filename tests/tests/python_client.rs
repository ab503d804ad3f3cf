//! The official Python `elasticsearch` client (8.19, from PyPI, in .venv) reads through
//! `/es/` in both modes and writes with `helpers.bulk` to the ingest port (and creates an
//! index with its mappings there, then `helpers.streaming_bulk` into it, and one document a
//! call with `index`, `create`, `update`, `get`, `exists` and `delete`), and reads every
//! event with `helpers.scan` (the scroll API): it accepts
//! logdash's answers as Elasticsearch's (`X-Elastic-Product`, `compatible-with=8` bodies).

use logdash_e2e::engine::Engine;
use logdash_e2e::{known_requests, now_ms, workspace_root, Server};
use serde_json::{json, Value};

/// Runs `tests/python/es_client.py` and returns what it printed.
async fn client(es_url: &str, bulk_url: Option<&str>) -> Value {
    let root = workspace_root();
    let mut command = tokio::process::Command::new(root.join(".venv/bin/python"));
    command
        .arg(root.join("tests/python/es_client.py"))
        .arg(es_url);
    if let Some(bulk) = bulk_url {
        command.arg(bulk);
    }
    let output = command.output().await.expect("python runs");
    assert!(
        output.status.success(),
        "the client failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the client prints JSON")
}

/// What the client must see of [`known_requests`] (plus the 10 documents it wrote, when it
/// wrote them): 6 errors, the newest first.
fn check(seen: &Value, total: u64) {
    assert_eq!(seen["count"], total, "{seen}");
    assert_eq!(seen["search"]["hits"]["total"]["value"], 6, "{seen}");
    assert_eq!(
        seen["search"]["hits"]["hits"][0]["_source"]["message"], "GET /info 500 request 50 failed",
        "{seen}"
    );
    assert_eq!(seen["msearch"], json!([total, 6]), "{seen}");
    assert_eq!(seen["scan"], json!([total, total]), "helpers.scan: {seen}");
    let fields = seen["field_caps"].as_array().expect("field names");
    assert!(
        fields.iter().any(|f| f == "extra.user_id.keyword"),
        "{seen}"
    );
    // the client sends the fields it asks for in the body: only those (and their object)
    // come back
    assert!(
        fields.iter().all(|f| f
            .as_str()
            .is_some_and(|f| f == "extra" || f.starts_with("extra."))),
        "{seen}"
    );
}

#[tokio::test]
async fn the_official_python_client_reads_and_bulk_writes_the_embedded_store() {
    let server = Server::start(&[]).await;
    let answer = server.bulk(&known_requests(now_ms(), "logs-app")).await;
    assert_eq!(answer["errors"], json!(false));
    let seen = client(
        &format!("{}es", server.url),
        Some(&format!("http://{}", server.bulk)),
    )
    .await;
    assert_eq!(seen["bulk"], json!([10, []]), "{seen}");
    assert_eq!(
        seen["bulk_gzip"],
        json!([10, []]),
        "gzipped _bulk bodies: {seen}"
    );
    assert_eq!(
        seen["client_source"],
        json!({"message": "from the client 3", "n": 3}),
        "_source as sent, nothing added: {seen}"
    );
    // an index created with its mappings: the client's own calls, one document refused
    assert_eq!(
        seen["typed"],
        json!({
            "created": true,
            "exists": true,
            "streamed": [
                [true, 201, null], [true, 201, null], [true, 201, null], [true, 201, null],
                [false, 400, "document_parsing_exception"]
            ],
            "users": [["user 0", 2], ["user 1", 2]],
            "ms": 6.0
        }),
        "{seen}"
    );
    // one document a call, as applications write with the client's own methods
    assert_eq!(
        seen["documents"],
        json!({
            "put": "created", "new": "created", "conflict": 409, "updated": "updated",
            "got": {"m": "first", "extra": 1}, "exists": true, "deleted": "deleted", "gone": 404
        }),
        "{seen}"
    );
    assert_eq!(
        seen["read_by_id"],
        json!([{"message": "from the client 3", "n": 3}, true, false]),
        "es.get and es.indices.exists through /es/: {seen}"
    );
    assert_eq!(seen["info"]["tagline"], "You Know, for Search", "{seen}");
    check(&seen, 80);
}

#[tokio::test]
async fn the_official_python_client_reads_a_real_cluster_through_the_proxy() {
    let Some(engine) = Engine::from_env("the_official_python_client_reads_a_real_cluster") else {
        return;
    };
    // the client reads logs-*: other tests' indices of that pattern go first
    engine.call("DELETE", "/logs-*", "").await;
    engine.bulk(&known_requests(now_ms(), "logs-app")).await;
    let proxy = Server::start(&["--elasticsearch", &engine.url()]).await;
    let seen = client(&format!("{}es", proxy.url), None).await;
    assert_eq!(seen["info"]["number"], "8.19.21", "{seen}");
    check(&seen, 60);
    engine.call("DELETE", "/logs-app", "").await;
}
