//! The dashboard's layout where it gets tight (issue #17, item 12): a phone's 390 px, where
//! nothing may overflow and the top bar must leave room for the data; the share notice
//! closes; an embedded view says what it shows and how tall it wants to be.

use logdash_e2e::{Browser, Server};
use serde_json::Value;

/// Runs `script` (a function body) in the page and returns its value.
async fn measure(browser: &Browser, script: &str) -> Value {
    browser
        .client
        .execute(script, vec![])
        .await
        .expect("the script runs")
}

/// A measured number (NaN when it is missing, which fails any bound).
fn number_of(sizes: &Value, key: &str) -> f64 {
    sizes[key].as_f64().unwrap_or(f64::NAN)
}

#[tokio::test]
async fn on_a_phone_nothing_overflows_and_the_data_gets_the_screen() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser
        .client
        .set_window_size(390, 844)
        .await
        .expect("resizes");
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=0", server.url))
        .await
        .expect("opens");
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser
        .wait_for_all("#stream .row", |rows| !rows.is_empty())
        .await;
    let sizes = measure(
        &browser,
        "const root = document.documentElement;
         const bar = document.querySelector('.topbar').getBoundingClientRect();
         const message = document.querySelector('#stream .row .message');
         return {scroll: root.scrollWidth, width: root.clientWidth, viewport: window.innerHeight,
                 bar: bar.height, message: message.getBoundingClientRect().width};",
    )
    .await;
    browser.screenshot("layout-phone").await;
    let number = |key: &str| number_of(&sizes, key);
    assert!(
        number("scroll") <= number("width"),
        "the page scrolls sideways: {sizes}"
    );
    assert!(
        number("bar") <= number("viewport") * 0.2,
        "the top bar takes more than a fifth of the screen: {sizes}"
    );
    assert!(
        number("message") >= 200.0,
        "a stream message has less than 200 px: {sizes}"
    );
    // a range over days shows dates: without their year, the message keeps its room
    browser
        .client
        .goto(&format!(
            "{}?index=logs-*&refresh=0&from=now-3d",
            server.url
        ))
        .await
        .expect("opens");
    browser
        .wait_for_all("#stream .row .time", |times| {
            times.first().is_some_and(|time| time.contains('-'))
        })
        .await;
    // (the range's from and to boxes open in the top bar, and fit it too)
    let sizes = measure(
        &browser,
        "const root = document.documentElement;
         return {scroll: root.scrollWidth, width: root.clientWidth,
                 message: document.querySelector('#stream .row .message').getBoundingClientRect().width};",
    )
    .await;
    assert!(
        number_of(&sizes, "scroll") <= number_of(&sizes, "width"),
        "over days, the page scrolls sideways: {sizes}"
    );
    assert!(
        number_of(&sizes, "message") >= 200.0,
        "over days, a stream message has less than 200 px: {sizes}"
    );
    browser.screenshot("layout-phone-days").await;
    browser.close().await;
}

#[tokio::test]
async fn the_share_notice_closes() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=0", server.url))
        .await
        .expect("opens");
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser.click("#share").await;
    browser
        .wait_for_text("#share-link code", |t| t.starts_with("http"))
        .await;
    browser.click("#share-close").await;
    browser
        .wait_for_all("#share-link", |shown| shown.is_empty())
        .await;
    browser.close().await;
}

/// The page's `resize` listeners on `window`, as DevTools counts them.
async fn resize_listeners(browser: &Browser) -> u64 {
    let answer = browser
        .cdp(
            "Runtime.evaluate",
            serde_json::json!({"expression": "(getEventListeners(window).resize || []).length",
                "includeCommandLineAPI": true, "returnByValue": true}),
        )
        .await;
    answer["value"]["result"]["value"]
        .as_u64()
        .unwrap_or_else(|| panic!("a count: {answer}"))
}

/// Panels shown and hidden again and again leave no window listener behind (#18 item 7):
/// each chart's `resize` listener goes with it.
#[tokio::test]
async fn panels_toggled_leave_no_listener_behind() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser.open_known_view(&server, "").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    let before = resize_listeners(&browser).await;
    assert!(before >= 3, "one a chart: {before}");
    for panels in [
        "stream",
        "volume,stream",
        "stream",
        "volume,users,latency,stream",
    ]
    .repeat(3)
    {
        browser
            .client
            .execute(
                "history.pushState(null, '', '?index=logs-*&refresh=0&from=now-1h&panels=' + arguments[0]);
                 window.dispatchEvent(new Event(arguments[1]));",
                vec![serde_json::json!(panels), serde_json::json!("logdash-view")],
            )
            .await
            .expect("changes the view");
    }
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    assert_eq!(
        resize_listeners(&browser).await,
        before,
        "listeners left behind"
    );
    browser.close().await;
}
