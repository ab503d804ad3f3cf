//! Everything on the screen belongs to the view shown (issue #17): when a view's numbers
//! cannot be had, the panels say so instead of keeping the last view's.

use logdash_e2e::{bulk_body, iso, known_requests, now_ms, Browser, Server};
use serde_json::{json, Value};

/// Every figure of the panels, as shown.
const FIGURES: [&str; 6] = [
    "#volume-total",
    "#users-total",
    "#latency-p50",
    "#latency-p95",
    "#error-rate",
    "#trend",
];

async fn figures(browser: &Browser) -> Vec<String> {
    let mut shown = Vec::new();
    for id in FIGURES {
        shown.extend(browser.texts(id).await);
    }
    shown
}

/// Types `text` into the query box and runs it.
async fn run_query(browser: &Browser, text: &str) {
    let query = browser
        .client
        .find(fantoccini::Locator::Css("#query"))
        .await
        .expect("query box");
    query.clear().await.expect("clears");
    query
        .send_keys(&format!("{text}\u{E007}"))
        .await
        .expect("types");
}

/// No number is left on screen: each figure is "–" (or, for the trend, nothing).
async fn wait_for_no_numbers(browser: &Browser) {
    browser
        .wait_for_all("#volume-total", |t| t.len() == 1 && t[0] == "–")
        .await;
    let shown = figures(browser).await;
    assert!(
        shown.iter().all(|t| t == "–" || t.is_empty()),
        "numbers of another view are still shown: {shown:?}"
    );
}

#[tokio::test]
async fn a_query_that_fails_leaves_no_numbers_of_the_query_before() {
    let (_server, browser) = open_known(now_ms()).await;
    run_query(&browser, "level:ERROR").await;
    browser.wait_for_text("#volume-total", |t| t == "6").await;

    run_query(&browser, "level:(").await;
    browser
        .wait_for_text("#query-error", |t| !t.is_empty())
        .await;
    wait_for_no_numbers(&browser).await;
    browser
        .wait_for_text("#stream-count", |t| !t.contains("6 lines"))
        .await;
    browser.screenshot("screen-truth-query-error").await;
    browser.close().await;
}

/// What Lucene users type works (#17 item 3): grouped terms, regular expressions, fuzzy
/// words and proximity; an unbalanced parenthesis is named where it is.
#[tokio::test]
async fn the_query_box_reads_lucene_as_elasticsearch_does() {
    let (_server, browser) = open_known(now_ms()).await;
    for (query, volume) in [
        ("level:(ERROR OR WARNING)", "6"),
        ("message:/fail.*/", "6"),
        ("message:faild~1 AND level:ERROR", "6"),
        ("message:\"request failed\"~2", "6"),
        ("level:(INFO OR ERROR) AND extra.status_code:500", "6"),
        ("level:(INFO -ERROR)", "54"),
    ] {
        run_query(&browser, query).await;
        browser
            .wait_for_text("#volume-total", |t| t == volume)
            .await;
        assert_eq!(
            browser.texts("#query-error").await,
            Vec::<String>::new(),
            "{query}"
        );
    }
    run_query(&browser, "level:(").await;
    browser
        .wait_for_text("#query-error", |t| {
            t.contains("unbalanced '('") && t.contains("character 6")
        })
        .await;
    browser.screenshot("screen-truth-lucene").await;
    browser.close().await;
}

/// "Absolute…" opens from/to boxes filled with the range shown; a time typed without the
/// `T` applies, and a from after the to is named, leaving the view as it was (#17 item 2).
#[tokio::test]
async fn an_absolute_range_is_picked_by_typing_times() {
    let now = now_ms();
    let (_server, browser) = open_known(now).await;
    browser.click("#range option[value=custom]").await;
    let shown = browser.wait_for_text("#from", |_| true).await;
    let prefilled = browser.value("#from").await;
    assert!(
        prefilled.starts_with(&iso(now - 900_000)[..13]),
        "{shown:?} {prefilled}"
    );

    // five minutes and five seconds ago, typed as people write it: 30 of the 60 events
    let from = iso(now - 305_000).replacen('T', " ", 1);
    browser.retype("#from", &from[..19]).await;
    browser.retype("#to", "now").await;
    browser.click("#range-apply").await;
    browser.wait_for_text("#volume-total", |t| t == "30").await;
    let url = browser.client.current_url().await.expect("url").to_string();
    assert!(url.contains("from=20"), "the range is in the link: {url}");

    browser.retype("#to", &iso(now - 3_600_000)).await;
    browser.click("#range-apply").await;
    browser
        .wait_for_text("#range-error", |t| t.contains("must be before"))
        .await;
    assert_eq!(
        browser.texts("#volume-total").await,
        vec!["30"],
        "the view is unchanged"
    );
    browser.screenshot("screen-truth-absolute-range").await;
    browser.close().await;
}

/// The last number of a text ("showing 20 of 31" → 31, "20 lines" → 20).
fn last_number(text: &str) -> Option<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .rfind(|part| !part.is_empty())
        .and_then(|part| part.parse().ok())
}

/// While a relative range moves on and new events arrive, the stream counts what the panels
/// count: lines the range has passed leave the stream (#17 item 9).
#[tokio::test]
async fn the_stream_counts_the_range_the_panels_count() {
    let now = now_ms();
    let event = |at: i64, n: i64| json!({"@timestamp": iso(at), "level": "INFO", "message": format!("event {n}")});
    let (server, browser) = open_on(
        (0..20)
            .map(|n| event(now - 19_500 + n * 1_000, n))
            .collect(),
        "&from=now-20s&refresh=1",
    )
    .await;
    // (the range moves on each second: the first lines are already leaving it)
    browser
        .wait_for_text("#stream-count", |t| last_number(t).is_some_and(|n| n > 10))
        .await;
    for n in 20..26 {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let body = bulk_body("logs-app", [event(now_ms(), n)]);
        assert_eq!(server.bulk(&body).await["errors"], json!(false));
    }
    // the old lines have left the range; the stream and the volume agree again
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let volume = browser
            .texts("#volume-total")
            .await
            .first()
            .and_then(|t| last_number(t));
        let stream = browser
            .texts("#stream-count")
            .await
            .first()
            .and_then(|t| last_number(t));
        if volume.is_some_and(|v| v > 0) && volume == stream {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the stream counts {stream:?}, the panels {volume:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    browser.screenshot("screen-truth-stream-counts").await;
    browser.close().await;
}

/// Each message names what happened (#17 item 10): a pattern that matches no index says so
/// (not "loosen the query", no "no user field" hints); a refused index is "Access refused",
/// not "Backend unavailable"; logdash itself gone is "Backend unreachable" in red, not a
/// browser's "TypeError: Failed to fetch" under a green dot.
#[tokio::test]
async fn messages_name_what_happened() {
    let server = Server::start(&["--allowed-indices", "logs-*"]).await;
    assert_eq!(
        server.bulk(&known_requests(now_ms(), "logs-app")).await["errors"],
        json!(false)
    );
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!(
            "{}?index=logs-nothing-*&refresh=0&tz=utc",
            server.url
        ))
        .await
        .expect("opens");
    browser
        .wait_for_text("#empty", |t| {
            t == "No index matches [logs-nothing-*]: check the index pattern."
        })
        .await;
    assert_eq!(browser.texts("#users-missing").await, Vec::<String>::new());
    assert_eq!(
        browser.texts("#latency-missing").await,
        Vec::<String>::new()
    );

    retype_index(&browser, "secrets-*").await;
    browser
        .wait_for_text("#error-banner", |t| {
            t.starts_with("Access refused.") && t.contains("outside the indices")
        })
        .await;

    retype_index(&browser, "logs-*").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    assert_eq!(browser.texts("#backend-down").await, Vec::<String>::new());
    drop(server.kill_hard().await);
    run_query(&browser, "level:ERROR").await;
    let banner = browser
        .wait_for_text("#error-banner", |t| t.starts_with("Backend unreachable."))
        .await;
    assert!(!banner.contains("TypeError"), "{banner}");
    browser
        .wait_for_text("#backend-down", |t| t == "backend unreachable")
        .await;
    browser.screenshot("screen-truth-messages").await;
    browser.close().await;
}

/// Types a new index pattern and runs it.
async fn retype_index(browser: &Browser, pattern: &str) {
    browser
        .retype("#index", &format!("{pattern}\u{E007}"))
        .await;
}

#[tokio::test]
async fn with_the_backend_gone_a_new_query_shows_no_numbers_of_the_old_one() {
    let cluster = Server::start(&[]).await;
    let body = known_requests(now_ms(), "logs-app");
    assert_eq!(cluster.bulk(&body).await["errors"], json!(false));
    let proxy = Server::start(&["--elasticsearch", &format!("{}es", cluster.url)]).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=0&tz=utc", proxy.url))
        .await
        .expect("opens");
    browser.wait_for_text("#volume-total", |t| t == "60").await;

    drop(cluster.kill_hard().await);
    run_query(&browser, "level:ERROR").await;
    // the cluster behind the proxy is gone: said so, and the status line turns with it
    browser
        .wait_for_text("#error-banner", |t| t.starts_with("Backend error."))
        .await;
    browser
        .wait_for_text("#backend-down", |t| t == "backend error")
        .await;
    wait_for_no_numbers(&browser).await;
    assert_eq!(browser.texts("#stream .row").await, Vec::<String>::new());
    browser.screenshot("screen-truth-backend-gone").await;
    browser.close().await;
}

/// A store holding `events` (in `logs-app`) and the dashboard opened on it with `view`'s
/// parameters.
async fn open_on(events: Vec<Value>, view: &str) -> (Server, Browser) {
    open_with(&bulk_body("logs-app", events), view).await
}

/// A store holding the 60 `known_requests` of the ten minutes before `now`, and the
/// dashboard showing all of them.
async fn open_known(now: i64) -> (Server, Browser) {
    let opened = open_with(&known_requests(now, "logs-app"), "").await;
    opened.1.wait_for_text("#volume-total", |t| t == "60").await;
    opened
}

/// A store holding what the `_bulk` body `body` sends, and the dashboard opened on it.
async fn open_with(body: &str, view: &str) -> (Server, Browser) {
    let server = Server::start(&[]).await;
    assert_eq!(server.bulk(body).await["errors"], json!(false));
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!(
            "{}?index=logs-*&refresh=0&tz=utc{view}",
            server.url
        ))
        .await
        .expect("opens");
    (server, browser)
}

#[tokio::test]
async fn the_error_rate_is_out_of_the_requests_and_says_so() {
    // seven requests that all failed, and two log lines of the app that are no requests
    let now = now_ms();
    let events = (0..9_i64)
        .map(|i| {
            let at = iso(now - 60_000 + i * 1_000);
            if i < 7 {
                json!({"@timestamp": at, "level": "ERROR", "message": format!("GET /info 500 request {i}"),
                    "extra": {"status_code": 500, "response_time_ms": 30, "user_id": "u1"}})
            } else {
                json!({"@timestamp": at, "level": "INFO", "message": "cache warmed"})
            }
        })
        .collect();
    let (_server, browser) = open_on(events, "").await;
    browser.wait_for_text("#volume-total", |t| t == "9").await;
    assert_eq!(
        browser.wait_for_text("#error-rate", |t| t != "–").await,
        "100.0%"
    );
    assert_eq!(
        browser
            .wait_for_text("#error-base", |t| !t.is_empty())
            .await,
        "of 7 requests"
    );
    browser.screenshot("screen-truth-error-rate").await;
    browser.close().await;
}

#[tokio::test]
async fn a_view_over_days_dates_its_lines_and_says_how_old_in_days() {
    let now = now_ms();
    let events = [30, 25]
        .into_iter()
        .map(|hours_ago| json!({"@timestamp": iso(now - hours_ago * 3_600_000), "level": "INFO", "message": format!("{hours_ago} hours ago")}))
        .collect();
    let (_server, browser) = open_on(events, "&from=now-2d&to=now").await;
    browser.wait_for_text("#volume-total", |t| t == "2").await;
    let rows = browser
        .wait_for_all("#stream .row .time", |rows| rows.len() == 2)
        .await;
    let day = |ms: i64| iso(ms)[..10].to_string();
    assert!(
        rows[0].starts_with(&day(now - 30 * 3_600_000))
            && rows[1].starts_with(&day(now - 25 * 3_600_000)),
        "each line says its day: {rows:?}"
    );
    let freshness = browser
        .wait_for_text("#freshness", |t| t.contains("newest event"))
        .await;
    assert!(
        freshness.contains("newest event 1 d 1 h old"),
        "{freshness}"
    );
    browser.screenshot("screen-truth-days").await;
    browser.close().await;
}

/// How many buckets the chart at `css` draws as still filling.
async fn filling(browser: &Browser, css: &str) -> Option<String> {
    browser
        .client
        .find(fantoccini::Locator::Css(css))
        .await
        .expect("a chart")
        .attr("data-filling")
        .await
        .expect("reads")
}

#[tokio::test]
async fn the_bucket_still_filling_is_drawn_as_such_and_only_while_it_fills() {
    let now = now_ms();
    let events = (0..30_i64)
        .map(|i| json!({"@timestamp": iso(now - 300_000 + i * 10_000), "level": "INFO", "message": format!("request {i}"),
            "extra": {"user_id": format!("u{}", i % 3), "response_time_ms": 20 + i, "status_code": 200}}))
        .collect();
    let (server, browser) = open_on(events, "").await;
    browser.wait_for_text("#volume-total", |t| t == "30").await;
    // the newest bucket of "the last 15 minutes" ends after the moment it was asked for
    for chart in [
        "#panel-volume canvas",
        "#panel-users canvas",
        "#panel-latency canvas",
    ] {
        assert_eq!(
            filling(&browser, chart).await.as_deref(),
            Some("1"),
            "{chart}"
        );
    }
    // a range over and done with has no bucket still filling
    let (from, to) = (iso(now - 600_000), iso(now - 120_000));
    browser
        .client
        .goto(&format!(
            "{}?index=logs-*&refresh=0&tz=utc&from={from}&to={to}",
            server.url
        ))
        .await
        .expect("opens");
    browser.wait_for_text("#volume-total", |t| t == "19").await;
    assert_eq!(
        filling(&browser, "#panel-volume canvas").await.as_deref(),
        Some("0")
    );
    browser.close().await;
}

/// Axis ticks sit at round instants of one step, labelled with that instant; the bucket size
/// is stated (#17 item 6); value labels keep their first digit however wide (#17 item 12).
#[tokio::test]
async fn axis_ticks_are_round_and_the_bucket_size_is_stated() {
    let now = now_ms();
    let events = (0..40_i64)
        .map(|i| json!({"@timestamp": iso(now - 800_000 + i * 20_000), "level": "INFO", "message": format!("request {i}"),
            "extra": {"user_id": format!("u{}", i % 3), "response_time_ms": 1_000 + i * 250, "status_code": 200}}))
        .collect();
    let (_server, browser) = open_on(events, "").await;
    browser.wait_for_text("#volume-total", |t| t == "40").await;
    for chart in ["#panel-volume canvas", "#panel-latency canvas"] {
        let element = browser
            .client
            .find(fantoccini::Locator::Css(chart))
            .await
            .expect("a chart");
        let step: i64 = element
            .attr("data-tick-step")
            .await
            .expect("reads")
            .and_then(|s| s.parse().ok())
            .expect("a tick step");
        let ticks: Vec<i64> = element
            .attr("data-ticks")
            .await
            .expect("reads")
            .unwrap_or_default()
            .split(',')
            .filter_map(|t| t.parse().ok())
            .collect();
        assert!(
            step >= 60_000 && ticks.len() >= 2,
            "{chart}: {step} {ticks:?}"
        );
        assert!(
            ticks.iter().all(|t| t % step == 0),
            "{chart}: ticks at uneven instants {ticks:?} (step {step})"
        );
    }
    let readouts = browser.texts(".readout").await;
    assert!(
        readouts
            .iter()
            .any(|r| r == "per 10 s" || r.starts_with("per ")),
        "{readouts:?}"
    );
    browser.screenshot("screen-truth-axes").await;
    browser.close().await;
}

/// A stand-in cluster in front of `cluster`'s `/es/`: it answers every request as the
/// cluster does, except the panels' (an `_msearch` with aggregations), which fail with a 500.
async fn cluster_failing_the_panels(cluster: &Server) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let address = listener.local_addr().expect("address").to_string();
    let upstream = cluster.address();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let upstream = upstream.clone();
            tokio::spawn(async move {
                let mut raw = Vec::new();
                let mut chunk = [0u8; 8192];
                let (head, body) = loop {
                    let Ok(read) = stream.read(&mut chunk).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    raw.extend_from_slice(&chunk[..read]);
                    let text = String::from_utf8_lossy(&raw).to_string();
                    let Some((head, body)) = text.split_once("\r\n\r\n") else {
                        continue;
                    };
                    let length = logdash_e2e::content_length(head).unwrap_or(0);
                    if body.len() >= length {
                        break (head.to_string(), body.to_string());
                    }
                };
                let mut words = head.split(' ');
                let (method, path) = (words.next().unwrap_or("GET"), words.next().unwrap_or("/"));
                let (status, answer) = if path.contains("_msearch") && body.contains("\"aggs\"") {
                    (500, r#"{"error":{"type":"exception","reason":"the panels' shard is down"},"status":500}"#.to_string())
                } else {
                    logdash_e2e::request(&upstream, method, &format!("/es{path}"), &body).await
                };
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nX-Elastic-Product: Elasticsearch\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                drop(stream.write_all(response.as_bytes()).await);
            });
        }
    });
    format!("http://{address}")
}

/// When the panels cannot count, the stream does not count for them: it says how many lines
/// it holds, never an "of N" of its own that the moving range would leave stale.
#[tokio::test]
async fn with_the_panels_failing_the_stream_claims_no_total() {
    // more lines than the stream's first page, so that an "of N" would show
    let now = now_ms();
    let events = (0..600)
        .map(|n| json!({"@timestamp": iso(now - 600_000 + n * 1_000), "level": "INFO", "message": format!("event {n}")}));
    let cluster = Server::start(&[]).await;
    assert_eq!(
        cluster.bulk(&bulk_body("logs-app", events)).await["errors"],
        json!(false)
    );
    let stand_in = cluster_failing_the_panels(&cluster).await;
    let proxy = Server::start(&["--elasticsearch", &stand_in]).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=0&tz=utc", proxy.url))
        .await
        .expect("opens");
    browser
        .wait_for_text("#error-banner", |t| t.starts_with("Backend error."))
        .await;
    browser
        .wait_for_text("#stream-count", |t| t == "500 lines")
        .await;
    assert_eq!(browser.texts("#volume-total").await, vec!["–".to_string()]);
    browser.screenshot("screen-truth-panels-failing").await;
    browser.close().await;
}
