//! Proxy mode in front of a real Elasticsearch: the engine `make test` starts
//! (`scripts/engine.sh`, named by `LOGDASH_ENGINE_URL`). Skipped when no engine is named,
//! unless `LOGDASH_ENGINE_REQUIRED` is set.

mod common;

use common::{assert_all_refused, request, request_at, save_query, start_proxy};

/// The tests here change the one engine and compare what it holds: one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

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
    let _alone = ONE_AT_A_TIME.lock().await;
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
    // what clients ask beside their searches reaches the cluster as asked
    let resolved = request(&server, "GET", "/es/_resolve/index/logs-a*", "").await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    assert_eq!(
        resolved.json()["indices"][0]["name"],
        "logs-a",
        "{}",
        resolved.body
    );
    let kept = request(&server, "GET", "/es/logs-a/_doc/kept", "").await;
    assert_eq!(kept.json()["_source"]["message"], "kept", "{}", kept.body);
    let health = request(&server, "GET", "/es/_cluster/health", "").await;
    assert_eq!(health.status, 200, "{}", health.body);
    assert!(
        health.json()["number_of_nodes"].as_u64() >= Some(1),
        "{}",
        health.body
    );
    request_at(&engine, "DELETE", "/logs-a", &[], "").await;
}

/// Saved queries in proxy mode live in the real cluster's `.logdash-saved-queries` index:
/// a query saved through one logdash is listed at once, renamed and read back, seen by a
/// second logdash in front of the same cluster (a teammate's), and deleted from the cluster.
#[tokio::test]
async fn saved_queries_live_in_the_real_cluster_and_teammates_see_them() {
    let Some(engine) = common::engine("saved_queries_live_in_the_real_cluster") else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().await;
    let index = "/.logdash-saved-queries";
    request_at(&engine, "DELETE", index, &[], "").await;
    let url = format!("http://{engine}");
    let mine = start_proxy(&url, &[]).await;
    let id = save_query(
        &mine,
        r#"{"name":"Slow requests","state":"q=extra.response_time_ms:>500&from=now-1h"}"#,
    )
    .await;
    let listed = request(&mine, "GET", "/api/saved-queries", "").await;
    assert_eq!(listed.json()["queries"][0]["id"], id, "{}", listed.body);

    let renamed = request(
        &mine,
        "PUT",
        &format!("/api/saved-queries/{id}"),
        r#"{"name":"Slow","state":"q=extra.response_time_ms:>500"}"#,
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let stored = request_at(&engine, "GET", &format!("{index}/_doc/{id}"), &[], "").await;
    assert_eq!(stored.json()["_source"]["name"], "Slow", "{}", stored.body);

    let teammate = start_proxy(&url, &[]).await;
    let theirs = request(&teammate, "GET", &format!("/api/saved-queries/{id}"), "").await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert_eq!(theirs.json()["state"], "q=extra.response_time_ms:%3E500");
    // the index itself stays out of /es/'s reach
    let direct = request(&teammate, "POST", &format!("/es{index}/_search"), "{}").await;
    assert_eq!(direct.status, 403, "{}", direct.body);

    let deleted = request(&teammate, "DELETE", &format!("/api/saved-queries/{id}"), "").await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let listed = request(&mine, "GET", "/api/saved-queries", "").await;
    assert_eq!(
        listed.json()["queries"],
        serde_json::json!([]),
        "{}",
        listed.body
    );
    let gone = request_at(&engine, "GET", &format!("{index}/_doc/{id}"), &[], "").await;
    assert_eq!(gone.status, 404, "{}", gone.body);
    request_at(&engine, "DELETE", index, &[], "").await;
}

/// Short links in proxy mode live in the real cluster's `.logdash-short-links` index: a
/// link made through one logdash opens through a teammate's, sharing the same view again
/// (from either) gives the same link, and `/es/` cannot reach the index.
#[tokio::test]
async fn short_links_live_in_the_real_cluster_and_open_for_teammates() {
    let Some(engine) = common::engine("short_links_live_in_the_real_cluster") else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().await;
    let index = "/.logdash-short-links";
    request_at(&engine, "DELETE", index, &[], "").await;
    let url = format!("http://{engine}");
    let mine = start_proxy(&url, &[]).await;
    let body = r#"{"state":"q=level:ERROR&from=now-24h"}"#;
    let created = request(&mine, "POST", "/api/links", body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let stored = request_at(&engine, "GET", &format!("{index}/_doc/{id}"), &[], "").await;
    assert_eq!(
        stored.json()["_source"]["state"],
        "q=level:ERROR&from=now-24h",
        "{}",
        stored.body
    );

    let teammate = start_proxy(&url, &[]).await;
    let opened = request(&teammate, "GET", &format!("/api/links/{id}"), "").await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(opened.json()["state"], "q=level:ERROR&from=now-24h");
    let again = request(&teammate, "POST", "/api/links", body).await;
    assert_eq!(again.json()["id"], id.as_str(), "{}", again.body);
    let missing = request(&teammate, "GET", "/api/links/AAAAAAAAAAA", "").await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    let direct = request(&teammate, "POST", &format!("/es{index}/_search"), "{}").await;
    assert_eq!(direct.status, 403, "{}", direct.body);
    request_at(&engine, "DELETE", index, &[], "").await;
}

/// An export in front of a real cluster of three shards: every event once, newest first,
/// though many share a millisecond and the shards answer ties in their own order.
#[tokio::test]
async fn an_export_reads_every_event_of_a_real_cluster_once() {
    let Some(engine) = common::engine("an_export_reads_every_event_of_a_real_cluster_once") else {
        return;
    };
    let _alone = ONE_AT_A_TIME.lock().await;
    request_at(&engine, "DELETE", "/logs-export", &[], "").await;
    let created = request_at(
        &engine,
        "PUT",
        "/logs-export",
        &[],
        r#"{"settings":{"number_of_shards":3,"number_of_replicas":0}}"#,
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let base = 1_764_000_000_000i64;
    let mut bulk = String::new();
    for i in 0..3_000i64 {
        // 40 events a millisecond
        let time = logdash_core::time::format_iso8601(base + i / 40);
        bulk.push_str(&format!("{{\"index\":{{\"_id\":\"e{i}\"}}}}\n{{\"@timestamp\":\"{time}\",\"message\":\"m{i}\"}}\n"));
    }
    let stored = request_at(
        &engine,
        "POST",
        "/logs-export/_bulk?refresh=true",
        &[],
        &bulk,
    )
    .await;
    assert_eq!(
        stored.status,
        200,
        "{}",
        &stored.body[..stored.body.len().min(300)]
    );
    assert!(!stored.body.contains("\"errors\":true"));

    let server = start_proxy(&format!("http://{engine}"), &[]).await;
    let export = logdash_core::export::Request {
        index: "logs-export".into(),
        query: String::new(),
        from: base,
        to: base + 1_000,
        format: logdash_core::export::Format::Ndjson,
        columns: vec![],
    };
    let answer = request(
        &server,
        "GET",
        &format!("/api/export?{}", export.to_query()),
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("x-logdash-events"), Some("3000"));
    let lines: Vec<serde_json::Value> = answer
        .body
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    let ids: std::collections::HashSet<&str> = lines
        .iter()
        .filter_map(|line| line["_id"].as_str())
        .collect();
    assert_eq!((lines.len(), ids.len()), (3_000, 3_000), "every event once");
    let times: Vec<&str> = lines
        .iter()
        .filter_map(|line| line["_source"]["@timestamp"].as_str())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    request_at(&engine, "DELETE", "/logs-export", &[], "").await;
}
