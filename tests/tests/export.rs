//! Export (#18): the view's events as a CSV file with the columns chosen, or as NDJSON,
//! saved by the browser once whole, with a progress bar while it comes and a Cancel that
//! leaves no file.

use logdash_e2e::{Browser, Server};

#[tokio::test]
async fn the_view_s_events_are_saved_as_csv_with_the_columns_chosen() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser.open_known_view(&server, "").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser.click("#export-button").await;
    let columns = browser
        .wait_for_all("#export-columns li span", |c| !c.is_empty())
        .await;
    assert_eq!(
        columns[..3],
        ["@timestamp", "level", "message"],
        "{columns:?}"
    );
    // message out, the request id in
    browser
        .click("#export-columns li:nth-child(3) button.remove")
        .await;
    browser
        .type_into("#export-column", "extra.request_id")
        .await;
    browser.click(".export-add button").await;
    let columns = browser
        .wait_for_all("#export-columns li span", |c| {
            c.last().is_some_and(|l| l == "extra.request_id")
        })
        .await;
    assert!(!columns.iter().any(|c| c == "message"), "{columns:?}");
    browser.click("#export-start").await;
    let said = browser
        .wait_for_text("#export-status", |t| t.contains("written"))
        .await;
    assert!(said.contains("60 events written"), "{said}");
    let (name, bytes) = browser.wait_for_download("logdash-logs-").await;
    assert!(name.ends_with(".csv"), "{name}");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let rows: Vec<&str> = text.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(
        rows[0],
        columns.join(",").replace("@timestamp", "'@timestamp")
    );
    assert_eq!(rows.len(), 61, "a header and 60 events");
    let request_ids: Vec<&str> = rows[1..]
        .iter()
        .filter_map(|r| r.rsplit(',').next())
        .collect();
    assert_eq!(request_ids.first(), Some(&"r059"), "newest first");
    assert_eq!(request_ids.last(), Some(&"r000"));
    browser.screenshot("export-csv").await;
    browser.close().await;
}

#[tokio::test]
async fn ndjson_follows_the_query() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser.open_known_view(&server, "&q=level:ERROR").await;
    browser.wait_for_text("#volume-total", |t| t == "6").await;
    browser.click("#export-button").await;
    browser.click("#export-ndjson").await;
    browser.click("#export-start").await;
    browser
        .wait_for_text("#export-status", |t| t.contains("6 events written"))
        .await;
    let (name, bytes) = browser.wait_for_download("logdash-logs-").await;
    assert!(name.ends_with(".ndjson"), "{name}");
    let lines: Vec<serde_json::Value> = String::from_utf8(bytes)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 6);
    assert!(
        lines.iter().all(|l| l["_source"]["level"] == "ERROR"),
        "{lines:?}"
    );

    browser.close().await;
}

#[tokio::test]
async fn an_export_takes_the_view_s_pills_and_stream_columns() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser
        .open_known_view(&server, "&fl=-level:INFO&cols=extra.user_id")
        .await;
    browser.wait_for_text("#volume-total", |t| t == "6").await;
    browser.click("#export-button").await;
    let columns = browser
        .wait_for_all("#export-columns li span", |c| !c.is_empty())
        .await;
    assert_eq!(columns, ["@timestamp", "level", "extra.user_id", "message"]);
    browser.click("#export-start").await;
    browser
        .wait_for_text("#export-status", |t| t.contains("6 events written"))
        .await;
    let (_, bytes) = browser.wait_for_download("logdash-logs-").await;
    let text = String::from_utf8(bytes).expect("UTF-8");
    let rows: Vec<&str> = text.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(rows.len(), 7, "a header and the 6 errors: {rows:?}");
    assert!(rows[1..].iter().all(|r| r.contains(",ERROR,u")), "{rows:?}");
    browser.close().await;
}

#[tokio::test]
async fn cancel_stops_an_export_and_leaves_no_file() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser.open_known_view(&server, "").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser.click("#export-button").await;
    browser.click("#export-ndjson").await;
    // a slow network: the file comes a little at a time
    browser.cdp("Network.enable", serde_json::json!({})).await;
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            serde_json::json!({"offline": false, "latency": 20, "downloadThroughput": 300, "uploadThroughput": -1}),
        )
        .await;
    browser.click("#export-start").await;
    browser
        .wait_for_text("#export-status", |t| t.contains(" of 60 events"))
        .await;
    assert_eq!(browser.texts("#export-status progress").await.len(), 1);
    browser.screenshot("export-progress").await;
    browser.click("#export-cancel").await;
    browser
        .wait_for_text("#export-status", |t| t.contains("Cancelled"))
        .await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert!(
        browser.downloaded().is_empty(),
        "{:?}",
        browser
            .downloaded()
            .iter()
            .map(|f| &f.0)
            .collect::<Vec<_>>()
    );
    browser.close().await;
}
