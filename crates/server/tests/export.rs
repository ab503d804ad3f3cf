//! `/api/export` over real HTTP on loopback: a view's events as NDJSON or CSV, each once,
//! newest first, within the range and query; spreadsheet formulas defused; the file named
//! and its length told; the server's maximum cuts it and says so; wrong requests are told
//! what is wrong; in proxy mode the same file comes from the cluster, and a cluster that
//! fails half-way breaks the transfer rather than ending a short file as if it were whole.

mod common;

use std::collections::HashSet;

use common::upstream::Upstream;
use logdash_server::Backend;
use serde_json::{json, Value};

/// 2,500 events a second apart, three to a millisecond near the end, with hostile text.
fn events(now: i64) -> String {
    let mut body = String::new();
    for i in 0..2_500i64 {
        let time = if i >= 2_400 {
            now - 1_000 + i % 3
        } else {
            now - 600_000 + i * 200
        };
        let message = match i % 5 {
            0 => format!("=HYPERLINK(\"http://evil\",\"{i}\")"),
            1 => format!("Traceback (most recent call last):\n  File \"app.py\", line {i}\nValueError: a, \"b\""),
            _ => format!("GET /hello/{i} 200"),
        };
        body.push_str(
            &json!({"index": {"_index": "logs-app", "_id": format!("e{i}")}}).to_string(),
        );
        body.push('\n');
        body.push_str(
            &json!({
                "@timestamp": logdash_core::time::format_iso8601(time),
                "level": if i % 10 == 0 { "ERROR" } else { "INFO" },
                "message": message,
                "user": {"id": format!("-1+u{}", i % 7)},
                "n": -(i % 4),
            })
            .to_string(),
        );
        body.push('\n');
    }
    body
}

async fn server_with_events(flags: &[&str]) -> (common::TestServer, i64) {
    let server = common::start(flags).await;
    let Backend::Embedded(store) = &server.state.backend else {
        unreachable!("embedded")
    };
    let now = logdash_store::now_millis();
    let answer = store.bulk(None, events(now).as_bytes()).expect("bulk");
    assert_eq!(answer["errors"], false);
    (server, now)
}

fn export_path(query: &str, from: i64, to: i64, format: &str, columns: &[&str]) -> String {
    let request = logdash_core::export::Request {
        index: "logs-*".into(),
        query: query.into(),
        from,
        to,
        format: logdash_core::export::Format::parse(format).expect("a format"),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    };
    format!("/api/export?{}", request.to_query())
}

/// A CSV file's rows, its quoted cells' commas, quotes and line breaks read as CSV does.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell, mut quoted) = (Vec::new(), Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            _ => cell.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn a_csv_file_holds_every_event_once_newest_first_with_formulas_defused() {
    let (server, now) = server_with_events(&[]).await;
    let path = export_path(
        "",
        now - 3_600_000,
        now,
        "csv",
        &["@timestamp", "_id", "message", "user.id", "n"],
    );
    let answer = common::request(&server, "GET", &path, "").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    let disposition = answer.header("content-disposition").expect("a file name");
    assert!(
        disposition.starts_with("attachment; filename=\"logdash-logs-_-"),
        "{disposition}"
    );
    assert!(disposition.ends_with(".csv\""), "{disposition}");
    assert_eq!(answer.header("x-logdash-events"), Some("2500"));
    assert_eq!(answer.header("x-logdash-cut-at"), None);
    let rows = csv_rows(&answer.body);
    assert_eq!(rows[0], ["'@timestamp", "_id", "message", "user.id", "n"]);
    let rows = &rows[1..];
    assert_eq!(rows.len(), 2_500);
    let ids: HashSet<&str> = rows.iter().map(|row| row[1].as_str()).collect();
    assert_eq!(ids.len(), 2_500, "every event once");
    let times: Vec<&str> = rows.iter().map(|row| row[0].as_str()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    for row in rows {
        let message = &row[2];
        assert!(
            !message.starts_with('='),
            "a formula left as it was: {message}"
        );
        assert!(row[3].starts_with("'-1+u"), "{:?}", row[3]);
        assert!(
            row[4] == "0" || row[4].starts_with('-') && row[4][1..].parse::<u32>().is_ok(),
            "a number stays a number: {:?}",
            row[4]
        );
    }
    let traceback = rows.iter().find(|row| row[1] == "e1").expect("e1");
    assert_eq!(
        traceback[2],
        "Traceback (most recent call last):\n  File \"app.py\", line 1\nValueError: a, \"b\""
    );
    let formula = rows.iter().find(|row| row[1] == "e0").expect("e0");
    assert_eq!(formula[2], "'=HYPERLINK(\"http://evil\",\"0\")");
}

#[tokio::test]
async fn an_ndjson_file_follows_the_query_and_the_range() {
    let (server, now) = server_with_events(&[]).await;
    let path = export_path("level:ERROR", now - 600_000, now - 100_000, "ndjson", &[]);
    let answer = common::request(&server, "GET", &path, "").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("content-type"), Some("application/x-ndjson"));
    let lines: Vec<Value> = answer
        .body
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    // errors are every 10th event; those 100..600 s ago are events 0..=2500 at 200 ms steps
    let expected: Vec<String> = (0..2_400)
        .filter(|i| i % 10 == 0 && now - 600_000 + i * 200 <= now - 100_000)
        .map(|i| format!("e{i}"))
        .rev()
        .collect();
    let got: Vec<&str> = lines
        .iter()
        .map(|line| line["_id"].as_str().expect("an id"))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        answer.header("x-logdash-events"),
        Some(expected.len().to_string().as_str())
    );
    assert_eq!(lines[0]["_index"], "logs-app");
    assert_eq!(lines[0]["_source"]["level"], "ERROR");
    assert!(lines[0].get("sort").is_none() && lines[0].get("_score").is_none());
}

#[tokio::test]
async fn the_server_s_maximum_cuts_the_file_and_says_so() {
    let (server, now) = server_with_events(&["--export-max-events", "1234"]).await;
    let answer = common::request(
        &server,
        "GET",
        &export_path("", now - 3_600_000, now, "ndjson", &[]),
        "",
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("x-logdash-events"), Some("1234"));
    assert_eq!(answer.header("x-logdash-cut-at"), Some("1234"));
    assert_eq!(answer.body.lines().count(), 1_234);
    // the newest ones
    assert!(answer
        .body
        .lines()
        .next()
        .expect("a line")
        .contains("\"_id\":\"e24"));
}

#[tokio::test]
async fn a_compressed_file_ends_whole() {
    let (server, now) = server_with_events(&[]).await;
    let path = export_path("", now - 3_600_000, now, "csv", &["message"]);
    let (head, body, whole) = common::request_raw(&server, &path, &["Accept-Encoding: gzip"]).await;
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert!(whole, "a whole file ends as one: {head}");
    assert!(body.len() > 1_000);
}

#[tokio::test]
async fn past_the_exports_allowed_at_once_an_export_waits_its_turn_with_a_503() {
    let (server, now) = server_with_events(&["--max-exports", "1"]).await;
    let path = export_path("", now - 3_600_000, now, "ndjson", &[]);
    // one export running (its slot held as a running export holds it)
    let running = std::sync::Arc::clone(&server.state.exports.running)
        .try_acquire_owned()
        .expect("a free slot");
    let answer = common::request(&server, "GET", &path, "").await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    let reason = answer.json()["error"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(reason.contains("--max-exports"), "{reason}");
    // once it ends, the next one runs
    drop(running);
    let answer = common::request(&server, "GET", &path, "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.lines().count(), 2_500);
}

#[tokio::test]
async fn wrong_requests_are_told_what_is_wrong() {
    let (server, now) = server_with_events(&["--allowed-indices", "logs-*"]).await;
    let good = export_path("", now - 1_000, now, "csv", &["message"]);
    for (path, status, says) in [
        (
            good.replace("format=csv", "format=xlsx"),
            400,
            "format must be ndjson or csv",
        ),
        (
            good.replace("&column=message", ""),
            400,
            "a CSV export needs at least one column",
        ),
        (
            "/api/export".to_string(),
            400,
            "the index parameter is missing",
        ),
        (
            good.replace("index=logs-*", "index=secrets"),
            403,
            "secrets",
        ),
        (
            good.replace("index=logs-*", "index=logs-*,.security"),
            403,
            ".security",
        ),
        (
            good.replace("q=", "q=message:(unclosed"),
            400,
            "Failed to parse query",
        ),
    ] {
        let answer = common::request(&server, "GET", &path, "").await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        // the reason, or for a query the cluster cannot parse, its root cause
        let error = &answer.json()["error"];
        assert!(error.to_string().contains(says), "{path}: {error}");
    }
}

#[tokio::test]
async fn in_proxy_mode_a_cluster_failing_half_way_breaks_the_transfer() {
    let upstream = Upstream::start().await;
    let server = common::start_proxy(&upstream.url, &[]).await;
    let now = logdash_store::now_millis();
    upstream.answer_searches(move |request: &Value| {
        let lte = request["query"]["bool"]["filter"][0]["range"]["@timestamp"]["lte"].as_i64().expect("a range");
        // the first page is whole, the second lost a shard
        if lte == now {
            let hits: Vec<Value> = (0..1_000)
                .map(|i| json!({"_index": "logs", "_id": format!("e{i}"), "sort": [now - i], "_source": {"message": "m"}}))
                .collect();
            json!({"_shards": {"total": 2, "successful": 2, "failed": 0}, "hits": {"total": {"value": 5_000, "relation": "eq"}, "hits": hits}})
        } else {
            json!({"timed_out": false, "_shards": {"total": 2, "successful": 1, "failed": 1,
                "failures": [{"index": "logs", "shard": 1, "reason": {"type": "node_disconnected_exception", "reason": "node left"}}]},
                "hits": {"total": {"value": 5_000, "relation": "eq"}, "hits": []}})
        }
    });
    let (head, body, whole) = common::request_raw(
        &server,
        &export_path("", now - 60_000, now, "ndjson", &[]),
        &[],
    )
    .await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("x-logdash-events: 5000"), "{head}");
    assert!(!whole, "the transfer ended as if the file were whole");
    // what of the first page reached the client before the break depends on timing
    assert!(body.lines().count() <= 1_000);
}
