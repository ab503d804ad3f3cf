//! The dashboard in proxy mode in front of a real Elasticsearch (`LOGDASH_ENGINE_URL`; three
//! nodes, a daily index with 3 shards and 1 replica, as `make test` runs it), beside the same
//! events in the embedded store: both modes must show the same numbers.

use logdash_e2e::engine::Engine;
use logdash_e2e::{iso, known_requests, now_ms, Browser, Server};
use serde_json::json;

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

#[tokio::test]
async fn both_modes_show_the_same_numbers_for_the_same_events() {
    let Some(engine) = Engine::from_env("both_modes_show_the_same_numbers_for_the_same_events")
    else {
        return;
    };
    let now = now_ms();
    let index = format!("logstash-{}", iso(now)[..10].replace('-', "."));
    let events = known_requests(now, &index);

    engine.call("DELETE", &format!("/{index}"), "").await;
    let (status, created) = engine
        .call(
            "PUT",
            &format!("/{index}"),
            &json!({"settings": {"number_of_shards": 3, "number_of_replicas": 1}}).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{created}");
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
    for ((panel, store), (_, cluster)) in in_store.iter().zip(&in_cluster) {
        if panel.starts_with("#latency-") {
            // The store's percentiles are its own digest's, Elasticsearch's are its t-digest's:
            // 1.5 % apart on these 60 values today (p99 67.4 against 68.4 ms). Issue #15 makes
            // them equal; until then they must stay within 2 %.
            let ms = |text: &str| {
                text.trim_end_matches("ms")
                    .parse::<f64>()
                    .unwrap_or(f64::NAN)
            };
            let (store_ms, cluster_ms) = (ms(store), ms(cluster));
            assert!(
                (store_ms - cluster_ms).abs() <= 0.02 * cluster_ms,
                "{panel}: {store} in the store, {cluster} in the real cluster"
            );
        } else {
            assert_eq!(store, cluster, "{panel}: the store, then the real cluster");
        }
    }
}
