//! The dashboard as people use it, in real headless Chromium against the real binary
//! with known data: numbers match the API, queries filter, links carry the view, late
//! lines show once, and log content is only ever text.

use logdash_e2e::{iso, now_ms, Browser, Server};
use serde_json::json;

/// A store with [`known_requests`]: 60 requests over the last 10 minutes.
/// Opens the dashboard at `url` over the last 15 minutes of `Server::with_requests`' data
/// and waits for the totals it must show: 60 events, 10 % errors, 60 stream lines.
async fn open_and_see_the_known_totals(browser: &Browser, url: &str) {
    browser
        .client
        .goto(&format!("{url}?index=logs-*&refresh=0&tz=utc"))
        .await
        .expect("opens");
    let volume = browser
        .wait_for_text("#volume-total", |t| !t.is_empty() && t != "–")
        .await;
    assert_eq!(volume, "60");
    assert_eq!(
        browser.wait_for_text("#error-rate", |t| t != "–").await,
        "10.0%"
    );
    browser
        .wait_for_text("#stream-count", |t| t == "60 lines")
        .await;
}

#[tokio::test]
async fn panels_show_the_numbers_the_api_returns() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    open_and_see_the_known_totals(&browser, &server.url).await;
    let api = server.es("POST", "/logs-*/_search", r#"{"size":0,"aggs":{"u":{"cardinality":{"field":"extra.user_id.keyword"}},"p":{"percentiles":{"field":"extra.response_time_ms","percents":[95]}}}}"#).await;
    let users = api["aggregations"]["u"]["value"].as_u64().expect("users");
    assert_eq!(
        browser.wait_for_text("#users-total", |t| t != "–").await,
        users.to_string()
    );
    assert_eq!(
        browser.wait_for_text("#users-recent", |t| t != "–").await,
        users.to_string()
    );
    let p95 = api["aggregations"]["p"]["values"]["95.0"]
        .as_f64()
        .expect("p95");
    assert_eq!(
        browser.wait_for_text("#latency-p95", |t| t != "–").await,
        format!("{p95:.1}ms")
    );
    // a virtual list: only the lines in view (the newest, at the bottom) are in the page
    // (drawn a moment after the panels may be: waited for, as the other waits)
    let rows = browser
        .wait_for_all("#stream .row", |rows| {
            rows.last().is_some_and(|r| r.contains("request 59"))
        })
        .await;
    assert!(rows.len() < 60, "{} rows in the DOM", rows.len());
    browser.screenshot("dashboard-known-data").await;
    browser.close().await;
}

#[tokio::test]
async fn fields_kept_from_the_last_visit_are_checked_and_new_fields_show_up() {
    // first visit: the app logs no user yet, so the users panel says which field to log
    let server = Server::start(&[]).await;
    let now = now_ms();
    let event = |i: i64, user: Option<&str>| {
        let mut extra = json!({"response_time_ms": 10 + i});
        if let Some(user) = user {
            extra["user_id"] = json!(user);
        }
        format!(
            "{{\"index\":{{\"_index\":\"logs-app\"}}}}\n{}\n",
            json!({"@timestamp": iso(now - 60_000 + i * 1_000), "level": "INFO", "message": format!("request {i}"), "extra": extra})
        )
    };
    let before: String = (0..5).map(|i| event(i, None)).collect();
    assert_eq!(server.bulk(&before).await["errors"], json!(false));
    let browser = Browser::start().await;
    let view = format!("{}?index=logs-*&refresh=0", server.url);
    browser.client.goto(&view).await.expect("opens");
    browser
        .wait_for_text("#users-missing", |t| t.contains("extra.user_id"))
        .await;

    // the app starts logging users; the next visit starts from the kept fields, checks
    // them, and shows the users without anyone touching the page
    let after: String = (5..10).map(|i| event(i, Some("ada"))).collect();
    assert_eq!(server.bulk(&after).await["errors"], json!(false));
    browser.client.goto(&view).await.expect("reloads");
    assert_eq!(
        browser.wait_for_text("#users-total", |t| t != "–").await,
        "1"
    );
    let kept = browser
        .client
        .execute(
            "return localStorage.getItem('logdash.detected-fields')",
            vec![],
        )
        .await
        .expect("script runs");
    assert!(
        kept.as_str().is_some_and(|k| k.contains("extra.user_id")),
        "the browser keeps the fields found: {kept}"
    );
    browser.close().await;
}

#[tokio::test]
async fn typing_a_query_filters_the_stream_and_bad_queries_say_why() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=0", server.url))
        .await
        .expect("opens");
    browser
        .wait_for_text("#stream-count", |t| t == "60 lines")
        .await;
    let query = browser
        .client
        .find(fantoccini::Locator::Css("#query"))
        .await
        .expect("query box");
    query
        .send_keys("level:ERROR AND failed\u{E007}")
        .await
        .expect("types");
    browser
        .wait_for_text("#stream-count", |t| t == "6 lines")
        .await;
    let rows = browser
        .wait_for_all("#stream .row", |rows| rows.len() == 6)
        .await;
    assert!(
        rows.iter()
            .all(|r| r.contains("ERROR") && r.contains("failed")),
        "{rows:?}"
    );
    assert_eq!(
        browser.wait_for_text("#volume-total", |t| t == "6").await,
        "6"
    );
    let marks = browser.texts("#stream .row mark").await;
    assert!(
        marks.iter().all(|m| m == "failed") && marks.len() == 6,
        "{marks:?}"
    );
    assert!(browser
        .client
        .current_url()
        .await
        .expect("url")
        .as_str()
        .contains("q=level:ERROR+AND+failed"));
    query.clear().await.expect("clears");
    query.send_keys("level:(\u{E007}").await.expect("types");
    let error = browser
        .wait_for_text("#query-error", |t| !t.is_empty())
        .await;
    assert!(error.contains("Failed to parse query"), "{error}");
    browser.screenshot("dashboard-query-error").await;
    browser.close().await;
}

/// Proxy mode as a team runs it: a second logdash with `--elasticsearch`, here in front of
/// the first one's `/es/` (an Elasticsearch-compatible API), serves the same dashboard.
#[tokio::test]
async fn in_proxy_mode_the_dashboard_shows_the_cluster_s_data() {
    let cluster = Server::with_requests(&[]).await;
    let proxy = Server::start(&["--elasticsearch", &format!("{}es", cluster.url)]).await;
    let browser = Browser::start().await;
    open_and_see_the_known_totals(&browser, &proxy.url).await;
    // the proxy's own checks still stand in front of the cluster
    let refused = proxy
        .es("POST", "/logs-*/_search", r#"{"query":{"scr\u0069pt":{}}}"#)
        .await;
    assert_eq!(refused["status"], json!(403), "{refused}");
    browser.screenshot("dashboard-proxy-mode").await;
    browser.close().await;
}

#[tokio::test]
async fn a_shared_link_opens_the_same_view_in_a_fresh_browser_and_embed_hides_the_chrome() {
    let server = Server::with_requests(&[]).await;
    let first = Browser::start().await;
    first
        .client
        .goto(&format!("{}?index=logs-*&refresh=0", server.url))
        .await
        .expect("opens");
    first
        .wait_for_text("#stream-count", |t| t == "60 lines")
        .await;
    let query = first
        .client
        .find(fantoccini::Locator::Css("#query"))
        .await
        .expect("query box");
    query
        .send_keys("extra.user_id:u1\u{E007}")
        .await
        .expect("types");
    first
        .wait_for_all("#stream .row", |rows| rows.len() == 10)
        .await;
    first
        .client
        .find(fantoccini::Locator::Css("#share-pinned"))
        .await
        .expect("share")
        .click()
        .await
        .expect("clicks");
    let link = first
        .wait_for_text("#share-link code", |t| t.starts_with("http"))
        .await;
    assert!(
        link.contains("from=") && link.contains("q=extra.user_id:u1"),
        "{link}"
    );
    first.close().await;

    let fresh = Browser::start().await;
    fresh.client.goto(&link).await.expect("opens the link");
    fresh
        .wait_for_all("#stream .row", |rows| rows.len() == 10)
        .await;
    let value = fresh
        .client
        .find(fantoccini::Locator::Css("#query"))
        .await
        .expect("box")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(value.as_deref(), Some("extra.user_id:u1"));
    fresh
        .client
        .goto(&format!("{link}&embed=1&panels=volume,latency"))
        .await
        .expect("embed");
    fresh.wait_for_text("#volume-total", |t| t == "10").await;
    assert!(
        fresh
            .client
            .find(fantoccini::Locator::Css("#query"))
            .await
            .is_err(),
        "embed mode hides the top bar"
    );
    assert!(
        fresh
            .client
            .find(fantoccini::Locator::Css("#panel-stream"))
            .await
            .is_err(),
        "only the chosen panels"
    );
    fresh.screenshot("dashboard-embed").await;
    fresh.close().await;
}

#[tokio::test]
async fn late_out_of_order_lines_appear_exactly_once_and_html_stays_text() {
    let server = Server::start(&[]).await;
    let now = now_ms();
    let line = |i: i64, at: i64, message: &str| {
        format!(
            "{{\"index\":{{\"_index\":\"logs-app\"}}}}\n{}\n",
            json!({"@timestamp": iso(at), "level": "INFO", "message": message, "extra": {"request_id": format!("r{i:03}")}})
        )
    };
    let mut body = String::new();
    for i in 0..20 {
        body.push_str(&line(i, now - 60_000 + i * 1_000, &format!("on time {i}")));
    }
    server.bulk(&body).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=1", server.url))
        .await
        .expect("opens");
    browser
        .wait_for_all("#stream .row", |rows| rows.len() == 20)
        .await;
    // a late batch: older than lines already shown, and one hostile payload
    let mut late = String::new();
    late.push_str(&line(100, now - 50_500, "late A"));
    late.push_str(&line(101, now - 45_500, "late B"));
    late.push_str(&line(
        102,
        now - 1_000,
        "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>",
    ));
    server.bulk(&late).await;
    let rows = browser
        .wait_for_all("#stream .row", |rows| rows.len() == 23)
        .await;
    // and nothing twice after several more polls
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let rows_later = browser.texts("#stream .row").await;
    assert_eq!(rows_later.len(), 23, "{rows_later:?}");
    let position = |needle: &str| {
        rows.iter()
            .position(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("{needle} missing: {rows:?}"))
    };
    assert!(
        position("on time 9") < position("late A") && position("late A") < position("on time 10"),
        "{rows:?}"
    );
    assert!(position("late B") < position("on time 15"));
    assert_eq!(browser.texts("#stream .row.late").await.len(), 2);
    assert!(
        rows.iter()
            .any(|r| r.contains("<script>document.title='pwned'</script>")),
        "shown as text: {rows:?}"
    );
    assert_eq!(
        browser.client.title().await.expect("title"),
        "logdash",
        "no script ran"
    );
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#stream img"))
            .await
            .is_err(),
        "no element was made from log text"
    );
    browser.screenshot("dashboard-late-and-hostile").await;
    browser.close().await;
}

#[tokio::test]
async fn an_acknowledged_bulk_survives_kill_9() {
    let server = Server::start(&[]).await;
    let mut body = String::new();
    for i in 0..500 {
        body.push_str(&format!("{{\"index\":{{\"_index\":\"logs-crash\"}}}}\n{{\"i\":{i},\"message\":\"event {i}\"}}\n"));
    }
    assert_eq!(server.bulk(&body).await["errors"], json!(false));
    let data_dir = server.kill_hard().await;
    let again = Server::start_in(data_dir, &[]).await;
    let count = again.es("POST", "/logs-crash/_count", "{}").await;
    assert_eq!(count["count"], json!(500));
}

/// The text of the first stream line wholly in view.
async fn top_line(browser: &Browser) -> String {
    let script = r#"
        const list = document.getElementById('stream');
        const top = list.getBoundingClientRect().top;
        const row = [...list.querySelectorAll('.row')]
            .find(r => r.getBoundingClientRect().top >= top - 1);
        return row ? row.querySelector('.message').textContent : null;"#;
    browser
        .client
        .execute(script, vec![])
        .await
        .expect("script runs")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn following_keeps_the_newest_line_in_view_and_scrolling_up_pauses_without_moving_the_line_read(
) {
    let server = Server::start(&[]).await;
    let now = now_ms();
    let line = |at: i64, message: &str| {
        format!(
            "{{\"index\":{{\"_index\":\"logs-app\"}}}}\n{}\n",
            json!({"@timestamp": iso(at), "level": "INFO", "message": message})
        )
    };
    // 200 lines in the 20 s before now: all inside the tail's 30 s overlap window
    let mut body = String::new();
    for i in 0..200 {
        body.push_str(&line(now - 20_000 + i * 100, &format!("line {i:03}")));
    }
    server.bulk(&body).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=1&tz=utc", server.url))
        .await
        .expect("opens");
    browser
        .wait_for_text("#stream-count", |t| t == "200 lines")
        .await;
    browser
        .wait_for_all("#stream .row", |rows| {
            rows.last().is_some_and(|r| r.contains("line 199"))
        })
        .await;

    // the reader scrolls up to line 100: following pauses
    browser
        .client
        .execute(
            "document.getElementById('stream').scrollTop = 100 * 22;",
            vec![],
        )
        .await
        .expect("scrolls");
    browser
        .wait_for_text("#resume", |t| t.contains("Paused"))
        .await;
    let read = top_line(&browser).await;
    assert!(read.starts_with("line 1"), "reading {read:?}");

    // lines arrive above the reader (late) and below (new)
    let mut more = String::new();
    for i in 0..5 {
        more.push_str(&line(now - 15_000 + i, &format!("late {i}")));
    }
    for i in 0..10 {
        more.push_str(&line(now + i, &format!("new {i}")));
    }
    server.bulk(&more).await;
    browser
        .wait_for_text("#resume", |t| t.contains("15 new lines"))
        .await;
    browser
        .wait_for_text("#stream-count", |t| t == "215 lines")
        .await;
    assert_eq!(top_line(&browser).await, read, "the line read stays put");
    browser.screenshot("dashboard-stream-paused").await;

    // End resumes: the newest line is in view and the pause notice is gone
    browser
        .client
        .find(fantoccini::Locator::Css("body"))
        .await
        .expect("body")
        .send_keys("\u{E010}")
        .await
        .expect("End");
    browser
        .wait_for_all("#stream .row", |rows| {
            rows.last().is_some_and(|r| r.contains("new 9"))
        })
        .await;
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#resume"))
            .await
            .is_err(),
        "following again"
    );
    browser.close().await;
}
