//! The zone times are shown in: the browser's, UTC, or a zone the user names, kept in the
//! link and checked against the browser's own tz database (issue #15, item 2).

use logdash_e2e::{known_requests, now_ms, Browser, Server};
use serde_json::json;

/// The stream's time column, as shown.
const TIMES: &str = "#stream .row .time";

async fn open(server: &Server, view: &str) -> Browser {
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=0{view}", server.url))
        .await
        .expect("opens");
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser
}

/// A store holding the 60 `known_requests` of the ten minutes before now.
async fn known_server() -> Server {
    let server = Server::start(&[]).await;
    let body = known_requests(now_ms(), "logs-app");
    assert_eq!(server.bulk(&body).await["errors"], json!(false));
    server
}

/// Waits until every line of the stream shows a time written with `zone` (`UTC`,
/// `+05:45`).
async fn wait_for_zone(browser: &Browser, zone: &str) {
    browser
        .wait_for_all(TIMES, |times| {
            !times.is_empty() && times.iter().all(|t| t.ends_with(zone))
        })
        .await;
}

#[tokio::test]
async fn a_named_zone_is_checked_kept_in_the_link_and_used_for_every_time() {
    let server = known_server().await;
    let browser = open(&server, "&tz=utc").await;
    wait_for_zone(&browser, "UTC").await;

    // the zone button opens the choice of a zone (in the tools' module)
    assert_eq!(browser.texts("#tz").await, ["UTC"]);
    browser.click("#tz").await;
    browser
        .wait_for_all("#zone-choice h2", |t| t == ["Time zone"])
        .await;
    browser.retype("#tz-name", "Mars/Olympus_Mons").await;
    browser.click("#tz-apply").await;
    browser
        .wait_for_text("#tz-error", |t| {
            t.contains("knows no time zone [Mars/Olympus_Mons]")
        })
        .await;
    browser.retype("#tz-name", "not a zone").await;
    browser.click("#tz-apply").await;
    browser
        .wait_for_text("#tz-error", |t| {
            t.starts_with("tz [not a zone] is not a time zone")
        })
        .await;

    // Nepal is 5 h 45 min ahead all year: no clock change to make the test depend on the day
    browser.retype("#tz-name", "Asia/Kathmandu").await;
    browser
        .wait_for_text("#tz-preview", |t| {
            t.starts_with("now 20") && t.ends_with(" +05:45")
        })
        .await;
    browser.screenshot("time-zone-choice").await;
    browser.click("#tz-apply").await;
    wait_for_zone(&browser, "+05:45").await;
    assert_eq!(browser.texts("#tz").await, ["Asia/Kathmandu"]);
    let url = browser.client.current_url().await.expect("url").to_string();
    assert!(url.contains("tz=Asia/Kathmandu"), "{url}");
    // the choice closed itself
    browser
        .wait_for_all("#zone-choice", <[String]>::is_empty)
        .await;
    browser.screenshot("time-zone-named").await;

    // the link opens the same zone in a fresh browser
    browser.close().await;
    let again = open(&server, "&tz=Asia/Kathmandu").await;
    wait_for_zone(&again, "+05:45").await;
    // back to UTC from the choice
    again.click("#tz").await;
    again.click("#tz-utc").await;
    wait_for_zone(&again, "UTC").await;
    again.close().await;
}

#[tokio::test]
async fn a_link_with_a_zone_no_one_knows_shows_utc_or_says_what_was_wrong() {
    let server = known_server().await;
    // spelled as a zone, unknown to the browser: shown (and bucketed) as UTC
    let browser = open(&server, "&tz=Nowhere/Land").await;
    wait_for_zone(&browser, "UTC").await;
    assert_eq!(browser.texts("#tz").await, ["Nowhere/Land"]);
    browser.close().await;
    // not spelled as a zone: the link's notice names it
    let browser = open(&server, "&tz=mars").await;
    let notices = browser
        .wait_for_all("#link-notices li", |items| !items.is_empty())
        .await;
    assert!(
        notices
            .iter()
            .any(|n| n.contains("tz [mars] is not a time zone")),
        "{notices:?}"
    );
    browser.close().await;
}
