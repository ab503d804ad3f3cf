//! Proxy mode in front of a real Elasticsearch: the engine `make test` starts
//! (`scripts/engine.sh`, named by `LOGDASH_ENGINE_URL`). Skipped when no engine is named,
//! unless `LOGDASH_ENGINE_REQUIRED` is set.

mod common;

use common::{assert_all_refused, request, request_at, start_proxy};

/// What a cluster holds, as its own APIs tell: indices with their counts and state, the
/// test index's mapping and settings, aliases, templates and the cluster's settings.
async fn cluster_holdings(engine: &str) -> Vec<String> {
    let mut holdings = Vec::new();
    for path in [
        "/_cat/indices?format=json&h=index,docs.count,status&s=index&expand_wildcards=all",
        "/logs-a/_mapping",
        "/logs-a/_settings?filter_path=*.settings.index.number_of_*,*.settings.index.blocks",
        "/_alias",
        "/_index_template",
        "/_cluster/settings?flat_settings=true",
    ] {
        let answer = request_at(engine, "GET", path, &[], "").await;
        holdings.push(format!("{path} -> {} {}", answer.status, answer.body));
    }
    holdings
}

/// The same refusals in front of a real Elasticsearch (`LOGDASH_ENGINE_URL`, three nodes in
/// `make test`): every one is refused by the proxy, and the cluster holds afterwards exactly
/// what it held before, while an allowed search still reaches it.
#[tokio::test]
async fn refused_requests_leave_a_real_cluster_as_it_was() {
    let Some(engine) = common::engine("refused_requests_leave_a_real_cluster_as_it_was") else {
        return;
    };
    request_at(&engine, "DELETE", "/logs-a", &[], "").await;
    let created = request_at(
        &engine,
        "PUT",
        "/logs-a",
        &[],
        r#"{"settings":{"number_of_shards":3,"number_of_replicas":1}}"#,
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let stored = request_at(
        &engine,
        "POST",
        "/logs-a/_doc/kept?refresh=true",
        &[],
        r#"{"@timestamp":"2025-11-25T10:00:00Z","message":"kept"}"#,
    )
    .await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    let before = cluster_holdings(&engine).await;

    let server = start_proxy(&format!("http://{engine}"), common::REFUSAL_FLAGS).await;
    assert_all_refused(&server).await;

    assert_eq!(cluster_holdings(&engine).await, before);
    let found = request(
        &server,
        "POST",
        "/es/logs-a/_search",
        r#"{"query":{"match":{"message":"kept"}}}"#,
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.json()["hits"]["total"]["value"], 1, "{}", found.body);
}
