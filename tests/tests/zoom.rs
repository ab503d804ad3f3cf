//! Zoom (#18): a drag across a time chart makes the range the span dragged; the zoom-out
//! button doubles it; Back returns to each range before.

use logdash_core::time::parse_iso8601;
use logdash_e2e::{Browser, Server};

/// The range in the page's URL, as epoch milliseconds when it is absolute.
async fn range(browser: &Browser) -> (Option<i64>, Option<i64>, String) {
    let url = browser.client.current_url().await.expect("url").to_string();
    let query = url.split_once('?').map_or("", |(_, q)| q).to_string();
    let pairs = logdash_core::url::parse_query(&query);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .and_then(|(_, value)| parse_iso8601(value))
    };
    (get("from"), get("to"), url)
}

/// Waits (up to 10 s) for the URL's range to be one `accept` takes.
async fn wait_for_range(
    browser: &Browser,
    accept: impl Fn(&(Option<i64>, Option<i64>, String)) -> bool,
) -> (Option<i64>, Option<i64>, String) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let found = range(browser).await;
        if accept(&found) {
            return found;
        }
        assert!(std::time::Instant::now() < deadline, "{found:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Drags across the volume chart from `start` to `end` (shares of its width); answers
/// how wide the span drawn while dragging was (CSS pixels).
async fn drag(browser: &Browser, start: f64, end: f64) -> f64 {
    let fire = |types: &[&str]| {
        format!(
            "const canvas = document.querySelector('#panel-volume canvas');
             const rect = canvas.getBoundingClientRect();
             const at = (share) => rect.left + rect.width * share;
             for (const [type, share] of {}) canvas.dispatchEvent(new MouseEvent(type,
                 {{clientX: at(share), clientY: rect.top + rect.height / 2, button: 0, bubbles: true}}));",
            serde_json::json!(types
                .iter()
                .map(|t| (t, if *t == "mousedown" { start } else { end }))
                .collect::<Vec<_>>())
        )
    };
    browser
        .client
        .execute(&fire(&["mousedown", "mousemove"]), vec![])
        .await
        .expect("drags");
    let width = browser
        .client
        .execute(
            "const span = document.querySelector('.drag-span');
             return span ? parseFloat(getComputedStyle(span).width) : 0;",
            vec![],
        )
        .await
        .expect("reads the span");
    browser
        .client
        .execute(&fire(&["mouseup"]), vec![])
        .await
        .expect("drops");
    width.as_f64().unwrap_or_default()
}

#[tokio::test]
async fn a_drag_zooms_in_the_button_zooms_out_and_back_returns() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser.open_known_view(&server, "").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;

    // the last fifth of the hour holds all the events (the last ten minutes)
    let drawn = drag(&browser, 0.8, 0.999).await;
    assert!(drawn > 50.0, "the span dragged is drawn: {drawn} px wide");
    let (from, to) = match wait_for_range(&browser, |r| r.0.is_some() && r.1.is_some()).await {
        (Some(from), Some(to), _) => (from, to),
        other => unreachable!("{other:?}"),
    };
    let span = to - from;
    assert!(
        (8 * 60_000..16 * 60_000).contains(&span),
        "about a fifth of the hour: {span} ms"
    );
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser.screenshot("zoomed-in").await;

    // zoom out: twice the span
    browser.click("#zoom-out").await;
    wait_for_range(
        &browser,
        |r| matches!(r, (Some(a), Some(b), _) if b - a == 2 * span),
    )
    .await;

    // Back, twice: the dragged range, then the hour
    browser.client.back().await.expect("back");
    wait_for_range(&browser, |r| r.0 == Some(from)).await;
    browser.client.back().await.expect("back");
    wait_for_range(&browser, |r| r.2.contains("from=now-1h")).await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser.close().await;
}
