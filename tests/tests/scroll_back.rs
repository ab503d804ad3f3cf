//! The stream reads back past its first page (issue #17, item 4): scrolling up loads the
//! older lines, page by page, to the start of the range, and the line the reader was on
//! stays where it was.

use logdash_e2e::{bulk_body, iso, now_ms, Browser, Server};
use serde_json::{json, Value};

/// The first row whose top is inside the stream's view, and the view's scroll position.
async fn top_row(browser: &Browser) -> Value {
    browser
        .client
        .execute(
            "const list = document.getElementById('stream');
             const top = list.getBoundingClientRect().top;
             const row = [...list.querySelectorAll('.row')]
                 .find(r => r.getBoundingClientRect().top >= top - 1);
             return {text: row ? row.textContent : '', scroll: list.scrollTop};",
            vec![],
        )
        .await
        .expect("reads the stream")
}

async fn scroll_to_top(browser: &Browser) {
    browser
        .client
        .execute(
            "document.getElementById('stream').scrollTop = 0; return 0;",
            vec![],
        )
        .await
        .expect("scrolls");
}

#[tokio::test]
async fn scrolling_up_reads_back_to_the_start_of_the_range_keeping_the_place() {
    let now = now_ms();
    let events = (0..1_200).map(|n| {
        json!({"@timestamp": iso(now - 700_000 + n * 500), "level": "INFO", "message": format!("event {n:04}")})
    });
    let server = Server::start(&[]).await;
    assert_eq!(
        server.bulk(&bulk_body("logs-app", events)).await["errors"],
        json!(false)
    );
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!(
            "{}?index=logs-*&refresh=0&panels=volume,stream&tz=utc",
            server.url
        ))
        .await
        .expect("opens");
    browser
        .wait_for_text("#stream-count", |t| t == "showing 500 of 1200")
        .await;

    scroll_to_top(&browser).await;
    browser
        .wait_for_text("#stream-count", |t| t == "showing 1000 of 1200")
        .await;
    // the line that was at the top (the oldest of the first page) is still there
    let place = top_row(&browser).await;
    assert!(
        place["text"]
            .as_str()
            .unwrap_or_default()
            .contains("event 0700"),
        "{place}"
    );
    assert!(place["scroll"].as_f64().unwrap_or(0.0) > 0.0, "{place}");
    // the lines read back are older ones, not new ones
    browser
        .wait_for_text("#resume", |t| t.starts_with("Paused · 0 new lines"))
        .await;

    scroll_to_top(&browser).await;
    browser
        .wait_for_text("#stream-count", |t| t == "1200 lines")
        .await;
    scroll_to_top(&browser).await;
    browser
        .wait_for_all("#stream .row", |rows| {
            rows.first().is_some_and(|r| r.contains("event 0000"))
        })
        .await;
    browser.screenshot("stream-scrolled-back").await;
    browser.close().await;
}
