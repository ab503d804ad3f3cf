//! The views made for Python apps (#19), over real python-logstash-async events in both
//! of its layouts sent through the TCP input, real tracebacks from `logger.exception`
//! among them: Errors groups them by exception and innermost application frame, Patterns
//! groups the messages into templates; a group or a pattern narrows the view.

use std::time::{Duration, Instant};

use logdash_e2e::{iso, now_ms, workspace_root, Browser, Server};
use serde_json::json;
use tokio::process::Command;

/// Sends `count` info events and `errors` tracebacks in `format` through the real client.
async fn send(server: &Server, format: &str, count: u32, errors: u32) {
    let (count, errors) = (count.to_string(), errors.to_string());
    let status = send_events(server, format, &["--count", &count, "--errors", &errors])
        .status()
        .await
        .expect("python runs");
    assert!(status.success());
}

/// `send_events.py` in `format` to `server`'s TCP input, with `more` arguments.
fn send_events(server: &Server, format: &str, more: &[&str]) -> Command {
    let port = server.tcp.rsplit(':').next().expect("port").to_string();
    let mut command = Command::new(workspace_root().join(".venv/bin/python"));
    command
        .arg(workspace_root().join("examples/flask-app/send_events.py"))
        .args(["--port", &port, "--format", format])
        .args(["--tag", &format!("run-{format}")])
        .args(more);
    command
}

/// Waits until `index` holds `count` events (the client sends in batches).
async fn wait_for_count(server: &Server, count: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = server.es("GET", "/logstash-*/_count", "").await;
        if answer["count"].as_u64() == Some(count) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "events never all arrived: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Opens the dashboard of `server` at `?{params}`.
async fn goto(browser: &Browser, server: &Server, params: &str) {
    browser
        .client
        .goto(&format!("{}?{params}", server.url))
        .await
        .expect("opens");
}

async fn open(browser: &Browser, server: &Server) {
    goto(browser, server, "index=logstash-*&refresh=0&from=now-1h").await;
    browser
        .wait_for_text("#stream-count", |t| t == "45 lines")
        .await;
}

/// A server whose daily indices are mapped as events come: the tests send both of
/// python-logstash-async's layouts into one daily index, and with Logstash's template the
/// later layout's `host` (an object) would not fit the earlier one's (text), and be
/// refused as Elasticsearch refuses it.
async fn mixed_layouts_server() -> Server {
    Server::start(&["--no-logstash-template"]).await
}

async fn python_events() -> Server {
    let server = mixed_layouts_server().await;
    send(&server, "plain", 20, 3).await;
    send(&server, "ecs", 20, 2).await;
    wait_for_count(&server, 45).await;
    server
}

#[tokio::test]
async fn errors_group_real_tracebacks_of_both_layouts_and_narrow_the_view() {
    let server = python_events().await;
    let browser = Browser::start().await;
    open(&browser, &server).await;
    browser.click("#errors-button").await;
    let said = browser
        .wait_for_text("#errors-sample", |t| t.contains("errors"))
        .await;
    assert!(said.starts_with("2 groups in all 5 errors"), "{said}");
    // by turns: ZeroDivisionError raised in charge, ValueError raised from a JSONDecodeError
    assert_eq!(
        browser.texts(".error-group .kind").await,
        ["ZeroDivisionError", "ValueError"]
    );
    let frames = browser.texts(".error-group .frame").await;
    assert!(
        frames[0].starts_with("at send_events.py:") && frames[0].ends_with(" in charge"),
        "{frames:?}"
    );
    assert!(frames[1].ends_with(" in parse_order"), "{frames:?}");
    assert_eq!(browser.texts(".error-group td.count").await, ["3", "2"]);
    let latest = browser.texts(".error-group .latest").await;
    assert_eq!(latest[0], "ZeroDivisionError: division by zero");
    assert!(
        latest[1].starts_with("ValueError: order '{order "),
        "{latest:?}"
    );
    browser.screenshot("errors-view").await;

    // a group keeps its events, whichever layout they came in
    browser.click(".error-group").await;
    browser
        .wait_for_text("#stream-count", |t| t == "3 lines")
        .await;
    // as a pill beside the query, which stays as it was
    let pills = browser.texts("#pills .pill-label").await;
    assert!(
        pills.len() == 1 && pills[0].contains("ZeroDivisionError"),
        "{pills:?}"
    );
    assert_eq!(browser.value("#query").await, "");
}

#[tokio::test]
async fn patterns_group_the_messages_and_filter_in_and_out() {
    let server = python_events().await;
    let browser = Browser::start().await;
    open(&browser, &server).await;
    browser.click("#patterns-button").await;
    let said = browser
        .wait_for_text("#patterns-sample", |t| t.contains("messages"))
        .await;
    assert!(
        said.starts_with("2 patterns in all 45 messages (mined in "),
        "{said}"
    );
    assert_eq!(
        browser.texts(".pattern td.template").await,
        ["event <num> of <*>", "order <num> failed"]
    );
    assert_eq!(browser.texts(".pattern td.count").await, ["40", "5"]);
    assert_eq!(browser.texts(".pattern td.share").await, ["89%", "11%"]);
    browser.screenshot("patterns-view").await;

    browser.click(".pattern button.without").await;
    browser
        .wait_for_text("#stream-count", |t| t == "5 lines")
        .await;
    browser
        .wait_for_all(".pattern td.template", |t| t == ["order <num> failed"])
        .await;
    // Back brings the messages left out again; "+" keeps only them
    browser.client.back().await.expect("goes back");
    browser
        .wait_for_text("#stream-count", |t| t == "45 lines")
        .await;
    browser
        .wait_for_all(".pattern td.template", |t| t.len() == 2)
        .await;
    browser.click(".pattern button.only").await;
    browser
        .wait_for_text("#stream-count", |t| t == "40 lines")
        .await;
}

#[tokio::test]
async fn tracebacks_fold_in_the_stream_and_unfold_in_the_details() {
    let server = python_events().await;
    let browser = Browser::start().await;
    open(&browser, &server).await;
    // the stream folds each traceback to its raised exception and its frames (the ECS
    // layout's, the newest, are in view)
    let folds = browser
        .wait_for_all("#stream .row .fold", |folds| folds.len() >= 2)
        .await;
    for fold in &folds {
        assert!(
            fold == "ZeroDivisionError: division by zero · 2 frames"
                || fold.starts_with("ValueError: order '{order ")
                    && fold.ends_with("' is not JSON · 2 frames"),
            "{folds:?}"
        );
    }
    // the ValueError of the plain layout, raised from a JSONDecodeError inside json
    goto(
        &browser,
        &server,
        "index=logstash-*&refresh=0&from=now-1h&q=extra.error_type:ValueError",
    )
    .await;
    browser
        .wait_for_text("#stream-count", |t| t == "1 line")
        .await;
    browser.click("#stream .row").await;
    let toggle = browser
        .wait_for_text("#details .traceback .fold-toggle", |t| !t.is_empty())
        .await;
    assert!(
        toggle.starts_with("▸ ValueError: order '{order 1' is not JSON · 2 frames"),
        "{toggle}"
    );
    assert!(browser
        .texts("#details .traceback .frames")
        .await
        .is_empty());
    browser.click("#details .traceback .fold-toggle").await;
    let app = browser
        .wait_for_all("#details .frames .app", |lines| !lines.is_empty())
        .await;
    assert!(app.iter().all(|l| l.contains("send_events.py")), "{app:?}");
    let library = browser.texts("#details .frames .lib").await;
    assert!(
        !library.is_empty() && library.iter().all(|l| l.contains("json")),
        "{library:?}"
    );
    let chain = browser.texts("#details .frames .chain").await;
    assert!(
        chain.contains(
            &"The above exception was the direct cause of the following exception:".to_string()
        ),
        "{chain:?}"
    );
    browser.screenshot("traceback-details").await;
}

/// Where the data lacks a panel's field, the panel says which field to log and shows the
/// Python that logs it; so does the trace of a line without a request id.
#[tokio::test]
async fn missing_fields_are_hinted_with_the_python_that_logs_them() {
    let server = python_events().await;
    let browser = Browser::start().await;
    open(&browser, &server).await;
    let users = browser
        .wait_for_text("#users-missing", |t| t.contains("No user field"))
        .await;
    assert!(users.contains(r#"extra={"user_id": user_id})"#), "{users}");
    let latency = browser
        .wait_for_text("#latency-missing pre.python", |t| !t.is_empty())
        .await;
    assert_eq!(latency.lines().count(), 2, "{latency}");
    assert!(
        latency.contains(r#"extra={"response_time_ms": elapsed_ms}"#),
        "{latency}"
    );
    browser.screenshot("missing-hints").await;
    // timed requests without a status: the response times show, the status is hinted
    let timed: String = (0..3)
        .map(|i| {
            format!(
                "{{\"index\":{{\"_index\":\"logs-timed\"}}}}\n{}\n",
                json!({"@timestamp": iso(now_ms() - 60_000 + i), "message": "GET /", "extra": {"response_time_ms": 12.5}})
            )
        })
        .collect();
    assert_eq!(server.bulk(&timed).await["errors"], json!(false));
    goto(&browser, &server, "index=logs-timed&refresh=0&from=now-1h").await;
    let status = browser
        .wait_for_text("#status-missing", |t| t.contains("No status field"))
        .await;
    assert!(
        status.contains(r#"extra={"status_code": status})"#),
        "{status}"
    );
    assert_eq!(
        browser.texts("#latency-missing").await,
        Vec::<String>::new()
    );
    // send_events.py logs no request id: the trace says how to log one
    goto(
        &browser,
        &server,
        "index=logstash-*&refresh=0&from=now-1h&q=extra.seq:3",
    )
    .await;
    browser
        .wait_for_text("#stream-count", |t| t == "2 lines")
        .await;
    browser.click("#stream .row").await;
    browser.click("#details-trace").await;
    let hint = browser
        .wait_for_text("#trace-missing", |t| !t.is_empty())
        .await;
    assert!(
        hint.starts_with("This line carries no request id."),
        "{hint}"
    );
    assert!(
        hint.contains(r#"extra={"request_id": g.request_id})"#),
        "{hint}"
    );
}

/// A line held back by the client's batching shows how late it arrived, and the stream
/// says why and how to see lines sooner.
#[tokio::test]
async fn lines_held_back_by_the_clients_batches_are_said_to_be_late() {
    let server = mixed_layouts_server().await;
    send(&server, "plain", 1, 0).await;
    wait_for_count(&server, 1).await;
    let browser = Browser::start().await;
    goto(&browser, &server, "index=logstash-*&from=now-1h").await;
    browser
        .wait_for_text("#stream-feed", |t| t == "pushed as events arrive")
        .await;
    // the client holds its batch 5 s, as its 10 s default would
    let status = send_events(&server, "ecs", &["--count", "1", "--flush-interval", "5"])
        .status()
        .await
        .expect("python runs");
    assert!(status.success());
    let note = browser
        .wait_for_text("#stream-held-back", |t| !t.is_empty())
        .await;
    let behind: f64 = note
        .strip_prefix("Lines arrive ")
        .and_then(|rest| rest.split(" s after").next())
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or_else(|| panic!("{note}"));
    assert!((4.0..10.0).contains(&behind), "{note}");
    assert!(note.contains("QUEUED_EVENTS_FLUSH_INTERVAL = 1"), "{note}");
    let freshness = browser.texts("#freshness").await.concat();
    assert!(freshness.contains(" s after it was logged"), "{freshness}");
    browser.screenshot("held-back").await;
}
