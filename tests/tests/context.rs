//! A line's context (#18): from the details, the events just before and after the line
//! from the same source, the line marked between them, more loaded either way; events
//! of other sources are left out; closing it, or Back, returns.

use logdash_e2e::{bulk_body, iso, now_ms, Browser, Server};
use serde_json::json;

#[tokio::test]
async fn the_events_around_a_line_from_its_host_load_both_ways() {
    let server = Server::start(&[]).await;
    let now = now_ms();
    // two hosts, interleaved; web-1's lines three to a millisecond
    let events = (0..90).map(|i| {
        let host = if i % 3 == 2 { "web-2" } else { "web-1" };
        json!({"@timestamp": iso(now - 600_000 + (i / 3) * 1_000), "host": {"name": host},
            "level": "INFO", "message": format!("{host} line {i}")})
    });
    server.bulk(&bulk_body("logs-ctx", events)).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!(
            "{}?index=logs-*&refresh=0&from=now-1h&q=%22line+45%22",
            server.url
        ))
        .await
        .expect("opens");
    browser
        .wait_for_text("#stream-count", |t| t == "1 line")
        .await;
    browser.click("#stream .row").await;
    browser
        .wait_for_text("#details", |t| t.contains("web-1 line 45"))
        .await;
    browser.click("#details-context").await;
    browser
        .wait_for_text("#context", |t| t.contains("same host.name: web-1"))
        .await;
    let lines = browser
        .wait_for_all("#context-lines li", |lines| lines.len() == 21)
        .await;
    let anchor = browser.texts("#context-lines li.anchor").await;
    assert_eq!(anchor.len(), 1);
    assert!(anchor[0].contains("web-1 line 45"), "{anchor:?}");
    assert!(lines.iter().all(|l| l.contains("web-1")), "{lines:?}");
    assert_eq!(
        lines.iter().position(|l| l.contains("line 45")),
        Some(10),
        "ten before, ten after"
    );
    let times: Vec<&str> = lines.iter().filter_map(|l| l.split(' ').next()).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "oldest first: {times:?}"
    );
    browser.screenshot("context").await;

    // more either way
    browser.click("#context-older").await;
    browser
        .wait_for_all("#context-lines li", |lines| lines.len() == 31)
        .await;
    browser.click("#context-newer").await;
    browser
        .wait_for_all("#context-lines li", |lines| lines.len() == 41)
        .await;

    // Back: the context closes
    browser.client.back().await.expect("back");
    browser
        .wait_for_all("#context", |found| found.is_empty())
        .await;
    browser.close().await;
}
