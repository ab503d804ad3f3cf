//! Filter pills (#18): a link's pills narrow every panel and the stream beside the query
//! text, as Elasticsearch `bool` filters; each can be turned off, inverted, edited and
//! deleted, new ones typed, each change a history entry and part of the link.

use logdash_e2e::{Browser, Server};

/// The view's link, once it says `wanted` (the URL follows each change).
async fn link_once(browser: &Browser, wanted: &str) -> String {
    for _ in 0..100 {
        let url = browser.client.current_url().await.expect("url").to_string();
        if url.contains(wanted) {
            return url;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the link never said {wanted}");
}

/// Opens the menu of the pill at `place` (1-based) and clicks its `action` button.
async fn pill_action(browser: &Browser, place: usize, action: &str) {
    browser
        .click(&format!("#pills .pill:nth-of-type({place}) .pill-label"))
        .await;
    browser
        .click(&format!("#pills .pill:nth-of-type({place}) .{action}"))
        .await;
}

#[tokio::test]
async fn pills_narrow_the_view_and_change_one_at_a_time() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start_recording().await;
    // a link's pill: every panel and the stream follow it; the query box stays empty
    browser.open_known_view(&server, "&fl=level:ERROR").await;
    browser.wait_for_text("#volume-total", |t| t == "6").await;
    browser
        .wait_for_text("#stream-count", |t| t == "6 lines")
        .await;
    assert_eq!(browser.texts("#pills .pill-label").await, ["level: ERROR"]);
    assert_eq!(browser.value("#query").await, "");
    // sent as a bool filter beside the range, not folded into the query text
    let sent = browser.sent().await;
    assert!(
        sent.iter()
            .any(|r| r.body.contains(r#"{"match_phrase":{"level":"ERROR"}}"#)),
        "no request filtered by the pill: {:?}",
        sent.iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    browser.screenshot("pills-link").await;

    // turned off: kept on the bar, struck through, left out of the search
    pill_action(&browser, 1, "pill-toggle").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    assert_eq!(browser.texts("#pills .pill.off").await.len(), 1);
    link_once(&browser, "fl=~level:ERROR").await;
    browser.screenshot("pills-off").await;
    pill_action(&browser, 1, "pill-toggle").await;
    browser.wait_for_text("#volume-total", |t| t == "6").await;

    // inverted
    pill_action(&browser, 1, "pill-invert").await;
    browser.wait_for_text("#volume-total", |t| t == "54").await;
    assert_eq!(
        browser.texts("#pills .pill-label").await,
        ["NOT level: ERROR"]
    );
    link_once(&browser, "fl=-level:ERROR").await;
    // its menu, opened and closed by the pill
    browser.click("#pills .pill-label").await;
    browser
        .wait_for_all("#pills .pill-menu button", |b| b.len() == 3)
        .await;
    browser.screenshot("pills-menu").await;
    browser.click("#pills .pill-label").await;
    browser
        .wait_for_all("#pills .pill-menu", |menus| menus.is_empty())
        .await;

    // with query text: both apply (u0 has 10 requests, 2 of them errors)
    browser.retype("#query", "extra.user_id:u0\u{E007}").await;
    browser.wait_for_text("#volume-total", |t| t == "8").await;
    browser
        .wait_for_text("#stream-count", |t| t == "8 lines")
        .await;

    // edited in the link's spelling
    pill_action(&browser, 1, "pill-edit").await;
    assert_eq!(browser.value("#pill-text").await, "-level:ERROR");
    browser
        .retype("#pill-text", "extra.status_code:500\u{E007}")
        .await;
    browser.wait_for_text("#volume-total", |t| t == "2").await;
    assert_eq!(
        browser.texts("#pills .pill-label").await,
        ["extra.status_code: 500"]
    );

    // typed: a malformed one is refused by name, a field's presence is a pill
    browser.click("#pill-add").await;
    browser.retype("#pill-text", ":x\u{E007}").await;
    browser
        .wait_for_text("#pill-error", |t| t == "the filter [:x] names no field")
        .await;
    browser
        .retype("#pill-text", "-extra.request_id\u{E007}")
        .await;
    browser.wait_for_text("#volume-total", |t| t == "0").await;
    assert_eq!(
        browser.texts("#pills .pill-label").await,
        ["extra.status_code: 500", "NOT extra.request_id: exists"]
    );
    browser.screenshot("pills-two").await;

    // deleted one by one; Back brings the last one back
    browser
        .click("#pills .pill:nth-of-type(2) .pill-delete")
        .await;
    browser.wait_for_text("#volume-total", |t| t == "2").await;
    browser
        .click("#pills .pill:nth-of-type(1) .pill-delete")
        .await;
    browser.wait_for_text("#volume-total", |t| t == "10").await;
    assert!(browser.texts("#pills .pill").await.is_empty());
    browser.client.back().await.expect("back");
    browser.wait_for_text("#volume-total", |t| t == "2").await;
    assert_eq!(
        browser.texts("#pills .pill-label").await,
        ["extra.status_code: 500"]
    );

    // the link opens the same view in a fresh browser
    let link = link_once(&browser, "fl=extra.status_code:500").await;
    let fresh = Browser::start().await;
    fresh.client.goto(&link).await.expect("opens the link");
    fresh.wait_for_text("#volume-total", |t| t == "2").await;
    assert_eq!(fresh.value("#query").await, "extra.user_id:u0");
    fresh.close().await;

    // a pill's value is marked in the lines as the query's words are
    browser.open_known_view(&server, "&fl=message:failed").await;
    let marks = browser
        .wait_for_all("#stream .row mark", |marks| marks.len() == 6)
        .await;
    assert!(marks.iter().all(|mark| mark == "failed"), "{marks:?}");
    browser.close().await;
}
