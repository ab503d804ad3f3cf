//! The keys (#18): `?` lists them; `j`/`k` move a selection through the stream and `o`
//! opens it; `/` focuses the query, where no key but Esc acts, and Esc leaves it; `f`
//! stops and resumes following; `[`/`]` move the range by its span, and Back returns.

use logdash_e2e::{Browser, Server};

async fn press(browser: &Browser, keys: &str) {
    browser
        .client
        .find(fantoccini::Locator::Css("body"))
        .await
        .expect("body")
        .send_keys(keys)
        .await
        .expect("keys");
}

async fn focused(browser: &Browser) -> String {
    let id = browser
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .expect("runs");
    id.as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn the_stream_the_query_and_the_range_answer_the_keys() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser.open_known_view(&server, "").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;

    press(&browser, "?").await;
    let listed = browser
        .wait_for_all("#help th", |keys| !keys.is_empty())
        .await;
    for key in ["/", "j / k", "o", "f", "[ / ]", "?", "Esc"] {
        assert!(listed.iter().any(|k| k == key), "{key} not in {listed:?}");
    }
    press(&browser, "?").await;

    // k selects the newest line, then older ones; j comes back; o opens it
    press(&browser, "k").await;
    browser
        .wait_for_text("#stream .row.cursor", |t| t.contains("request 59"))
        .await;
    press(&browser, "kk").await;
    browser
        .wait_for_text("#stream .row.cursor", |t| t.contains("request 57"))
        .await;
    press(&browser, "j").await;
    browser
        .wait_for_text("#stream .row.cursor", |t| t.contains("request 58"))
        .await;
    browser.screenshot("keys-selection").await;
    press(&browser, "o").await;
    browser
        .wait_for_text("#details", |t| t.contains("request 58"))
        .await;
    press(&browser, "\u{E00C}").await; // Esc
    browser
        .wait_for_all("#details", |found| found.is_empty())
        .await;

    // in the query box, keys are text; Esc leaves it
    press(&browser, "/").await;
    assert_eq!(focused(&browser).await, "query");
    browser.type_into("#query", "jk[").await;
    assert_eq!(browser.value("#query").await, "jk[");
    assert_eq!(
        browser.texts("#stream .row.cursor").await.len(),
        1,
        "still one selected line"
    );
    assert!(browser.texts("#stream .row.cursor").await[0].contains("request 58"));
    press(&browser, "\u{E00C}").await;
    assert_ne!(focused(&browser).await, "query");

    // stepping to an older line paused following (the line stays put); f follows again,
    // and stops
    browser
        .wait_for_text("#resume", |t| t.contains("Paused"))
        .await;
    press(&browser, "f").await;
    browser
        .wait_for_all("#resume", |found| found.is_empty())
        .await;
    press(&browser, "f").await;
    browser
        .wait_for_text("#resume", |t| t.contains("Paused"))
        .await;

    // [ : the hour before (the events are all in the last ten minutes); Back returns
    press(&browser, "[").await;
    browser.wait_for_text("#volume-total", |t| t == "0").await;
    let url = browser.client.current_url().await.expect("url");
    assert!(
        !url.as_str().contains("from=now-1h"),
        "an absolute range: {url}"
    );
    press(&browser, "]").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser.client.back().await.expect("back");
    browser.wait_for_text("#volume-total", |t| t == "0").await;
    browser.client.back().await.expect("back");
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    let url = browser.client.current_url().await.expect("url");
    assert!(url.as_str().contains("from=now-1h"), "{url}");
    browser.close().await;
}
