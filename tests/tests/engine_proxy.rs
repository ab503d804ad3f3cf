//! The dashboard in proxy mode in front of a real Elasticsearch (`LOGDASH_ENGINE_URL`; three
//! nodes, a daily index with 3 shards and 1 replica, as `make test` runs it), beside the same
//! events in the embedded store: both modes must show the same numbers; saved queries are
//! kept in the cluster for the whole team, and share links open the same view.

use std::time::Duration;

use logdash_e2e::engine::Engine;
use logdash_e2e::{iso, known_requests, now_ms, Browser, Server};
use serde_json::json;
use serde_json::Value;

/// What the dashboard shows for a view, panel by panel, once every panel has its numbers.
async fn panels(browser: &Browser, url: &str) -> Vec<(&'static str, String)> {
    browser
        .client
        .goto(&format!("{url}?index=logstash-*&refresh=0&tz=utc"))
        .await
        .expect("opens");
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser
        .wait_for_text("#stream-count", |t| t == "60 lines")
        .await;
    let mut shown = Vec::new();
    for id in [
        "#volume-total",
        "#users-total",
        "#users-recent",
        "#error-rate",
        "#latency-p50",
        "#latency-p95",
        "#latency-p99",
        "#stream-count",
        "#trend",
    ] {
        shown.push((
            id,
            browser
                .wait_for_text(id, |t| !t.is_empty() && t != "–")
                .await,
        ));
    }
    shown
}

/// 30 faster requests (5..34 ms) in the 15 minutes before the last 15: the period the
/// latency panel's trend compares with.
fn earlier_requests(now: i64, index: &str) -> String {
    let mut body = String::new();
    for i in 0..30 {
        body.push_str(&json!({"index": {"_index": index}}).to_string());
        body.push('\n');
        body.push_str(&json!({
            "@timestamp": iso(now - 28 * 60_000 + i * 10_000),
            "level": "INFO",
            "message": format!("GET /hello/N 200 earlier request {i}"),
            "extra": {"user_id": format!("u{}", i % 6), "response_time_ms": 5 + i, "status_code": 200, "request_id": format!("e{i:03}")}
        }).to_string());
        body.push('\n');
    }
    body
}

#[tokio::test]
async fn both_modes_show_the_same_numbers_for_the_same_events() {
    let Some(engine) = Engine::from_env("both_modes_show_the_same_numbers_for_the_same_events")
    else {
        return;
    };
    let now = now_ms();
    let index = format!("logstash-{}", iso(now)[..10].replace('-', "."));
    let events = known_requests(now, &index) + &earlier_requests(now, &index);

    engine
        .fresh_index(
            &index,
            &json!({"settings": {"number_of_shards": 3, "number_of_replicas": 1}}),
        )
        .await;
    engine.bulk(&events).await;
    let health = format!("/_cluster/health/{index}?wait_for_status=green&timeout=60s");
    let wanted = if engine.nodes().await > 1 {
        "green"
    } else {
        "yellow"
    };
    let (_, health) = engine.call("GET", &health, "").await;
    assert_eq!(health["status"], wanted, "{health}");

    let embedded = Server::start(&[]).await;
    assert_eq!(embedded.bulk(&events).await["errors"], json!(false));
    let proxy = Server::start(&["--elasticsearch", &engine.url()]).await;

    let browser = Browser::start().await;
    let in_store = panels(&browser, &embedded.url).await;
    browser.screenshot("both-modes-embedded").await;
    let in_cluster = panels(&browser, &proxy.url).await;
    let status = browser
        .wait_for_text("#backend-status", |t| t.contains("Elasticsearch"))
        .await;
    assert!(status.contains("logdash-engine"), "{status}");
    browser.screenshot("both-modes-real-cluster").await;
    browser.close().await;
    engine.call("DELETE", &format!("/{index}"), "").await;
    // every figure alike, the percentiles and the trend built on them too: both answer these
    // small samples (fewer than 2,000 response times) exactly, as Elasticsearch 8 does
    assert!(
        in_store
            .iter()
            .any(|(panel, text)| *panel == "#trend" && text.contains("worse")),
        "{in_store:?}"
    );
    for ((panel, store), (_, cluster)) in in_store.iter().zip(&in_cluster) {
        assert_eq!(store, cluster, "{panel}: the store, then the real cluster");
    }
}

#[tokio::test]
async fn saved_queries_live_in_the_cluster_and_share_links_open_the_same_view() {
    let Some(engine) = Engine::from_env("saved_queries_live_in_the_cluster") else {
        return;
    };
    let now = now_ms();
    // its own pattern: the test above counts every event of logstash-*
    let index = format!("weblogs-{}", iso(now)[..10].replace('-', "."));
    engine.call("DELETE", &format!("/{index}"), "").await;
    engine.bulk(&known_requests(now, &index)).await;
    let ours = |stored: &Value| -> Vec<String> {
        stored["hits"]["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|hit| hit["_source"]["name"].as_str())
            .filter(|name| name.starts_with("Cluster errors"))
            .map(str::to_string)
            .collect()
    };
    let saved_in_cluster = || async {
        engine
            .call("POST", "/.logdash-saved-queries/_refresh", "")
            .await;
        let (_, stored) = engine
            .call("GET", "/.logdash-saved-queries/_search?size=100", "")
            .await;
        ours(&stored)
    };

    // what an earlier, failed run left behind (the engine has no _delete_by_query: its
    // module is not on Maven Central)
    let (_, left) = engine
        .call("GET", "/.logdash-saved-queries/_search?size=100", "")
        .await;
    for hit in left["hits"]["hits"].as_array().into_iter().flatten() {
        if ours(&json!({"hits": {"hits": [hit]}})).is_empty() {
            continue;
        }
        let id = hit["_id"].as_str().unwrap_or_default();
        engine
            .call(
                "DELETE",
                &format!("/.logdash-saved-queries/_doc/{id}?refresh=true"),
                "",
            )
            .await;
    }

    // one teammate saves a query and shares a pinned link to the view
    let mine = Server::start(&["--elasticsearch", &engine.url()]).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!(
            "{}?index=weblogs-*&refresh=0&tz=utc&q=level:ERROR",
            mine.url
        ))
        .await
        .expect("opens");
    browser
        .wait_for_all("#stream .row", |rows| rows.len() == 6)
        .await;
    browser.click("#saved-button").await;
    browser
        .type_into("#saved-name", "Cluster errors\u{E007}")
        .await;
    browser
        .wait_for_text("#saved-list", |t| t.contains("Cluster errors"))
        .await;
    assert_eq!(saved_in_cluster().await, ["Cluster errors"]);
    // the first save of a fresh cluster creates the index: its replica may still be
    // starting, and a teammate's list may be read from it
    let (_, health) = engine
        .call(
            "GET",
            "/_cluster/health/.logdash-saved-queries?wait_for_status=green&timeout=30s",
            "",
        )
        .await;
    assert_eq!(health["status"], "green", "{health}");
    browser.click("#share-pinned").await;
    let link = browser
        .wait_for_text("#share-link code", |t| t.starts_with("http"))
        .await;
    browser.close().await;

    // the link opens the same view in a fresh browser
    let fresh = Browser::start().await;
    fresh.client.goto(&link).await.expect("opens the link");
    fresh
        .wait_for_all("#stream .row", |rows| rows.len() == 6)
        .await;
    assert_eq!(fresh.value("#query").await, "level:ERROR");
    assert_eq!(
        fresh.wait_for_text("#volume-total", |t| t == "6").await,
        "6"
    );

    // another logdash in front of the same cluster lists it, loads it and deletes it
    let theirs = Server::start(&["--elasticsearch", &engine.url()]).await;
    fresh
        .client
        .goto(&format!("{}?index=weblogs-*&refresh=0&tz=utc", theirs.url))
        .await
        .expect("opens");
    fresh
        .wait_for_text("#stream-count", |t| t == "60 lines")
        .await;
    fresh.click("#saved-button").await;
    fresh
        .wait_for_text("#saved-list", |t| t.contains("Cluster errors"))
        .await;
    let load = "#saved-list .saved-load";
    let position = fresh
        .texts(load)
        .await
        .iter()
        .position(|n| n == "Cluster errors")
        .expect("listed");
    fresh
        .click(&format!(
            "#saved-list li:nth-of-type({}) .saved-load",
            position + 1
        ))
        .await;
    fresh
        .wait_for_all("#stream .row", |rows| rows.len() == 6)
        .await;
    fresh
        .click(&format!(
            "#saved-list li:nth-of-type({}) .saved-delete",
            position + 1
        ))
        .await;
    fresh.answer_confirm(true).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !saved_in_cluster().await.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the deleted query is still in the cluster"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    fresh.screenshot("saved-query-real-cluster").await;
    fresh.close().await;
    engine.call("DELETE", &format!("/{index}"), "").await;
}

/// `make run-cluster`'s logdash: in proxy mode with `--ingest`, `--demo`'s simulated users
/// log into the cluster, and the dashboard in front of it shows them.
#[tokio::test]
async fn demo_traffic_goes_into_the_cluster_through_the_input() {
    let Some(engine) = Engine::from_env("demo_traffic_goes_into_the_cluster") else {
        return;
    };
    // its own prefix: the test above counts every event of logstash-*
    engine.call("DELETE", "/demo-traffic-*", "").await;
    let server = Server::start(&[
        "--elasticsearch",
        &engine.url(),
        "--ingest",
        "--demo",
        "--index-prefix",
        "demo-traffic",
    ])
    .await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=demo-traffic-*&refresh=1", server.url))
        .await
        .expect("opens");
    // the demo back-fills half an hour first (about 50,000 events, tracebacks among them):
    // on a busy machine the cluster takes a while to make them searchable
    let shown = browser
        .wait_for_text_within(Duration::from_secs(60), "#volume-total", |t| {
            t.parse::<u64>().is_ok_and(|events| events > 0)
        })
        .await;
    drop(server);
    engine.call("POST", "/demo-traffic-*/_refresh", "").await;
    let (_, count) = engine.call("GET", "/demo-traffic-*/_count", "").await;
    assert!(
        count["count"].as_u64().unwrap_or(0) >= shown.parse::<u64>().unwrap_or(u64::MAX),
        "the dashboard showed {shown} events, the cluster holds {count}"
    );
    browser.close().await;
    engine.call("DELETE", "/demo-traffic-*", "").await;
}
