//! Proxy mode when the real cluster is in trouble (`LOGDASH_ENGINE_URL`, three nodes as
//! `make test` runs them): a node taken away mid-session, and shards that fail for one index
//! only. The dashboard keeps answering, says which shards its numbers leave out and why, and
//! comes back by itself; no event the cluster or logdash's input took is lost.

use logdash_e2e::engine::Engine;
use logdash_e2e::{bulk_body, iso, known_requests, now_ms, Browser, Server};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

/// The two tests change the cluster under each other's feet: they take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `n` more requests from now on, 100 ms apart, as documents (no action lines).
fn later_requests(tag: &str, n: i64) -> Vec<Value> {
    let now = now_ms();
    (0..n)
        .map(|i| {
            json!({
                "@timestamp": iso(now + i * 100),
                "level": "INFO",
                "message": format!("GET /later 200 {tag} {i}"),
                "extra": {"user_id": "u9", "response_time_ms": 20, "status_code": 200, "request_id": format!("{tag}{i:02}")}
            })
        })
        .collect()
}

#[tokio::test]
async fn a_node_taken_away_mid_session_loses_nothing_and_the_dashboard_recovers() {
    let Some(engine) = Engine::from_env("a_node_taken_away_mid_session") else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().await;
    if engine.nodes().await < 3 {
        eprintln!("a_node_taken_away_mid_session: needs three nodes, skipped");
        return;
    }
    let now = now_ms();
    let index = format!("logstash-{}", iso(now)[..10].replace('-', "."));
    engine
        .fresh_index(
            &index,
            &json!({"settings": {"number_of_shards": 3, "number_of_replicas": 1}}),
        )
        .await;
    engine.bulk(&known_requests(now, &index)).await;
    engine.wait_green("60s").await;

    let proxy = Server::start(&["--elasticsearch", &engine.url(), "--ingest"]).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=logstash-*&refresh=1&tz=utc", proxy.url))
        .await
        .expect("opens");
    browser.wait_for_text("#volume-total", |t| t == "60").await;

    let Some(away) = engine.take_away("node-2").await else {
        eprintln!("a_node_taken_away_mid_session: this engine cannot take a node away, skipped");
        return;
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while engine.nodes().await != 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the cluster still counts node-2 after 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // while it is away: ten events the cluster acknowledges, ten through logdash's input
    engine
        .bulk(&bulk_body(&index, later_requests("bulk", 10)))
        .await;
    let mut input = tokio::net::TcpStream::connect(&proxy.tcp)
        .await
        .expect("the ingest input");
    for event in later_requests("tcp", 10) {
        input
            .write_all(format!("{event}\n").as_bytes())
            .await
            .expect("sent");
    }
    input.shutdown().await.expect("closed");

    // the replicas answer: every event is counted and streamed, and nothing says the
    // backend is down
    browser.wait_for_text("#volume-total", |t| t == "80").await;
    browser
        .wait_for_text("#stream-count", |t| t == "80 lines")
        .await;
    browser.screenshot("node-away").await;
    assert!(
        browser.texts("#error-banner").await.is_empty(),
        "a node away is not a backend down"
    );
    if let Some(notice) = browser.texts("#shards-notice").await.first() {
        eprintln!("a_node_taken_away_mid_session: the dashboard said {notice:?}");
    }

    away.come_back().await;
    engine.wait_green("120s").await;
    let (_, count) = engine.call("GET", &format!("/{index}/_count"), "").await;
    assert_eq!(count["count"], 80, "every acknowledged event is kept");
    // back to whole answers by itself: numbers unchanged, no notice, no banner
    browser.wait_for_text("#volume-total", |t| t == "80").await;
    browser
        .wait_for_all("#shards-notice, #error-banner", <[String]>::is_empty)
        .await;
    browser.close().await;
    engine.call("DELETE", &format!("/{index}"), "").await;
}

#[tokio::test]
async fn shards_that_fail_for_one_index_are_named_beside_the_numbers() {
    let Some(engine) = Engine::from_env("shards_that_fail_for_one_index") else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().await;
    let now = now_ms();
    // a day whose index a template mapped the status as text, beside one where it is a number
    let (numbers, texts) = ("faults-numbers", "faults-texts");
    let shards = json!({"number_of_shards": 3, "number_of_replicas": 0});
    engine
        .fresh_index(numbers, &json!({"settings": shards}))
        .await;
    engine.fresh_index(texts,
        &json!({"settings": shards, "mappings": {"properties": {"extra": {"properties": {"status_code": {"type": "keyword"}}}}}}),
    )
    .await;
    engine.bulk(&known_requests(now, numbers)).await;
    engine
        .bulk(&bulk_body(texts, later_requests("text", 1)))
        .await;

    let proxy = Server::start(&["--elasticsearch", &engine.url()]).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=faults-*&refresh=0&tz=utc", proxy.url))
        .await
        .expect("opens");
    // the error rate's range aggregation fails on the index with the text field: its shards
    // are left out of the panels, and the notice says which and why
    let notice = browser
        .wait_for_text("#shards-notice", |t| !t.is_empty())
        .await;
    browser.screenshot("shards-failed").await;
    // how many of faults-texts' 6 shard searches fail depends on which ones Elasticsearch
    // skips for holding nothing in the range: 3 to 6 of the two searches' 12
    for part in [
        "Panels: Partial results: ",
        " of 12 shards failed",
        "faults-texts [shard 0]",
        "of type [keyword] is not supported for aggregation [range]",
    ] {
        assert!(notice.contains(part), "{part:?} not in {notice:?}");
    }
    assert!(!notice.contains("Stream"), "the stream's search was whole");
    // the numbers shown are those of the shards that answered
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser.close().await;
    for index in [numbers, texts] {
        engine.call("DELETE", &format!("/{index}"), "").await;
    }
}
