//! The field sidebar (#18): every field of the index pattern, a field's values with their
//! counts and shares, and a value's actions narrowing the view (Back undoes them). Its
//! code is a second wasm module, fetched the first time the sidebar opens: not before.

use logdash_e2e::{Browser, Server};

/// The files the page has fetched so far.
async fn fetched(browser: &Browser) -> Vec<String> {
    let names = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .expect("the page runs scripts");
    serde_json::from_value(names).unwrap_or_default()
}

/// Chooses `extra.response_time_ms` in the open sidebar; answers its spread's bars.
async fn response_times(browser: &Browser) -> Vec<String> {
    browser.type_into("#field-filter", "response").await;
    browser
        .wait_for_all("#field-list li", |names| {
            names == ["extra.response_time_ms"]
        })
        .await;
    browser.click("#field-list li button").await;
    browser
        .wait_for_all("#field-spread span", |bars| bars.len() > 1)
        .await
}

#[tokio::test]
async fn a_fields_values_are_counted_and_narrow_the_view() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser.open_known_view(&server, "").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    let first = fetched(&browser).await;
    assert!(
        !first
            .iter()
            .any(|name| name.contains("logdash-investigate")),
        "the sidebar's module is part of the first download: {first:?}"
    );

    browser.click("#values-button").await;
    let names = browser
        .wait_for_all("#field-list li", |names| names.iter().any(|n| n == "level"))
        .await;
    assert!(!names.iter().any(|n| n.ends_with(".keyword")), "{names:?}");
    // the fields of the view's newest events come first, the sample's size said
    let said = browser
        .wait_for_text("#field-sample", |t| t.contains("newest 60 events"))
        .await;
    assert!(said.starts_with("first the "), "{said}");
    assert_eq!(
        browser.texts("#field-list li.present").await.len(),
        names.len(),
        "every field of the known data is in each event"
    );
    assert!(names.iter().any(|n| n == "extra.user_id"), "{names:?}");
    browser.type_into("#field-filter", "LEV").await;
    browser
        .wait_for_all("#field-list li", |names| names == ["level"])
        .await;
    browser.click("#field-list li button").await;
    browser
        .wait_for_all("#top-values td.value", |values| values == ["INFO", "ERROR"])
        .await;
    assert_eq!(browser.texts("#top-values td.count").await, ["54", "6"]);
    assert_eq!(browser.texts("#top-values td.share").await, ["90%", "10%"]);
    let now = fetched(&browser).await;
    assert!(
        now.iter()
            .any(|name| name.ends_with("logdash-investigate_bg.wasm")),
        "{now:?}"
    );
    browser.screenshot("field-values").await;

    // only ERROR: the dashboard follows, and so do the values
    browser
        .click("#top-values tr:nth-child(2) button.only")
        .await;
    browser.wait_for_text("#volume-total", |t| t == "6").await;
    // a pill beside the query, which stays as it was
    assert_eq!(
        browser.texts("#pills .pill-label").await,
        ["level.keyword: ERROR"]
    );
    assert_eq!(browser.value("#query").await, "");
    browser
        .wait_for_all("#top-values td.value", |values| values == ["ERROR"])
        .await;
    let url = browser.client.current_url().await.expect("url");
    assert!(url.as_str().contains("fl=level.keyword:ERROR"), "{url}");
    browser.screenshot("field-values-only-error").await;

    // Back: the view before, in both
    browser.client.back().await.expect("back");
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser
        .wait_for_all("#top-values td.value", |values| values == ["INFO", "ERROR"])
        .await;
    assert!(browser.texts("#pills .pill-label").await.is_empty());

    // without ERROR
    browser
        .click("#top-values tr:nth-child(2) button.without")
        .await;
    browser.wait_for_text("#volume-total", |t| t == "54").await;
    assert_eq!(
        browser.texts("#pills .pill-label").await,
        ["NOT level.keyword: ERROR"]
    );

    // closed by its own button, opened again by the top bar's, as it was
    browser.click(".field-values button.close").await;
    browser
        .wait_for_all("#investigate.hidden", |boxes| boxes.len() == 1)
        .await;
    browser.click("#values-button").await;
    browser
        .wait_for_all("#investigate.hidden", |boxes| boxes.is_empty())
        .await;
    browser
        .wait_for_all("#top-values td.value", |values| values == ["INFO"])
        .await;

    // a number's spread: 54 response times of 10 to 69 ms, in buckets of 5 ms
    browser.client.back().await.expect("back");
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    let filter = browser
        .client
        .find(fantoccini::Locator::Css("#field-filter"))
        .await
        .expect("the filter");
    filter.clear().await.expect("clears");
    let bars = response_times(&browser).await;
    assert_eq!(bars.len(), 12, "10 to 69 ms in 5 ms buckets");
    let tallest = browser
        .client
        .execute(
            "return Math.max(...[...document.querySelectorAll('#field-spread span')]
                .map(bar => bar.getBoundingClientRect().height))",
            vec![],
        )
        .await
        .expect("measures");
    assert_eq!(
        tallest.as_f64(),
        Some(48.0),
        "bars are drawn to their counts"
    );
    // the ends are the smallest and largest values; each bar names the values it counts
    assert_eq!(browser.texts(".spread-ends span").await, ["10", "69"]);
    let last = browser
        .client
        .execute(
            "return [...document.querySelectorAll('#field-spread span')].pop().title",
            vec![],
        )
        .await
        .expect("reads the title");
    assert!(
        last.as_str()
            .is_some_and(|title| title.starts_with("65–70: ")),
        "{last}"
    );
    browser.screenshot("field-values-spread").await;
    browser.close().await;
}

/// Closed, the sidebar asks nothing when the view changes (its sample, a chosen field's
/// values and spread); opened again, it asks for the view shown.
#[tokio::test]
async fn a_closed_sidebar_asks_nothing() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start_recording().await;
    browser.open_known_view(&server, "").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser.click("#values-button").await;
    response_times(&browser).await;
    browser.click(".field-values button.close").await;
    let _ = browser.sent().await; // what was sent so far
    browser.type_into("#query", "level:ERROR\u{E007}").await;
    browser.wait_for_text("#volume-total", |t| t == "6").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    // the sample (the newest 500 by time alone, uncounted), a field's values, its extent
    let sidebar = |body: &str| {
        let body: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        let sample = body["size"] == 500
            && body["track_total_hits"] == false
            && body["sort"] == serde_json::json!([{"@timestamp": {"order": "desc"}}]);
        sample || body["aggs"].get("lacking").is_some() || body["aggs"].get("extent").is_some()
    };
    let asked: Vec<String> = browser
        .sent()
        .await
        .into_iter()
        .filter(|request| sidebar(&request.body))
        .map(|request| request.body)
        .collect();
    assert!(asked.is_empty(), "the closed sidebar asked: {asked:?}");
    // opened again: the values of the view now shown
    browser.click("#values-button").await;
    browser
        .wait_for_all("#top-values td.value", |values| values.len() == 6)
        .await;
    assert!(browser
        .sent()
        .await
        .iter()
        .any(|request| sidebar(&request.body)));
    browser.close().await;
}

#[tokio::test]
async fn a_field_becomes_a_column_of_the_stream_and_of_its_link() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser.open_known_view(&server, "").await;
    browser
        .wait_for_text("#stream-count", |t| t == "60 lines")
        .await;
    browser.click("#values-button").await;
    browser.type_into("#field-filter", "user_id").await;
    browser
        .wait_for_all("#field-list li", |names| names == ["extra.user_id"])
        .await;
    browser.click("#field-list li button").await;
    browser.click("#column-toggle").await;
    // every line shows its user between its level and its message
    let cells = browser
        .wait_for_all("#stream .row .col", |cells| !cells.is_empty())
        .await;
    assert!(cells.iter().all(|cell| cell.starts_with('u')), "{cells:?}");
    assert_eq!(
        browser.texts(".stream-bar .column").await,
        ["extra.user_id ×"]
    );
    assert_eq!(browser.texts("#column-toggle").await, ["remove the column"]);

    // the link keeps it: a fresh browser shows the same column
    let link = browser.client.current_url().await.expect("url").to_string();
    assert!(link.contains("cols=extra.user_id"), "{link}");
    let fresh = Browser::start().await;
    fresh.client.goto(&link).await.expect("opens the link");
    fresh
        .wait_for_all("#stream .row .col", |cells| !cells.is_empty())
        .await;
    fresh.close().await;

    // removed from the stream's bar (the sidebar closed: it lies over the stream); Back
    // brings it again
    browser.click(".field-values button.close").await;
    browser.screenshot("stream-column").await;
    browser.click(".stream-bar .column").await;
    browser
        .wait_for_all("#stream .row .col", |cells| cells.is_empty())
        .await;
    browser.client.back().await.expect("back");
    browser
        .wait_for_all("#stream .row .col", |cells| !cells.is_empty())
        .await;
    browser.close().await;
}
