//! Every request the real dashboard sends is one `/es/` lets through (issue #21, item 1):
//! the SPA, in headless Chromium, goes through its views, panels, ranges, queries, field
//! roles and actions against logdash in proxy mode, in front of an embedded logdash's
//! `/es/` (so each request passes both checks on its way); Chromium's network log keeps
//! what it sent. At least 60 distinct requests, each then sent again to both servers by
//! itself: all answered, none refused.

use std::collections::BTreeSet;

use logdash_e2e::{request, Browser, SentRequest, Server};

/// The views the SPA is opened on: every panel, range kind, query kind, field role and
/// display option (each is a link, as users share them).
const VIEWS: &[&str] = &[
    "",
    "?index=logs-*&from=now-15m&refresh=1",
    "?index=logs-*&from=now-1h",
    "?index=logs-*&from=now-24h",
    "?index=logs-*&from=now-7d",
    "?index=logs-*&from=now-30d&to=now-1d",
    "?index=logs-*&from=2025-11-25T10:00:00Z&to=2025-11-25T12:00:00Z",
    "?index=logs-*&q=level:ERROR",
    "?index=logs-*&q=extra.status_code:%3E%3D500",
    "?index=logs-*&q=level:(ERROR+OR+WARNING)+AND+NOT+extra.user_id:u1",
    "?index=logs-*&q=%22request+5%22",
    "?index=logs-*&q=/reque.*/",
    "?index=logs-*&q=extra.response_time_ms:%5B10+TO+30%5D",
    "?index=logs-*&q=message:failed~1",
    "?index=logs-*&q=extra.path:%5C/info*",
    "?index=logs-*&panels=volume",
    "?index=logs-*&panels=users",
    "?index=logs-*&panels=latency",
    "?index=logs-*&panels=stream",
    "?index=logs-*&panels=volume,stream",
    "?index=logs-*&f.user=extra.user_id&f.latency=extra.response_time_ms",
    "?index=logs-*&f.level=level&f.message=message",
    "?index=logs-*&tz=utc&theme=light",
    "?index=logs-*&embed=1",
    "?index=logs-app",
    "?index=logs-*,-logs-x*",
    "?index=nomatch-*",
];

#[tokio::test]
async fn every_request_the_dashboard_sends_is_allowed_in_both_modes() {
    let cluster = Server::with_requests(&[]).await;
    let upstream = format!("{}es", cluster.url);
    let proxy = Server::start(&["--elasticsearch", &upstream]).await;
    let browser = Browser::start_recording().await;
    for view in VIEWS {
        browser
            .client
            .goto(&format!("{}{view}", proxy.url))
            .await
            .expect("opens");
        browser
            .wait_for_text("#freshness", |t| t.starts_with("updated"))
            .await;
    }
    // actions: a refresh tick, a line's details, reading back, the fields editor, the
    // saved queries, the query box, the range menu
    browser
        .client
        .goto(&format!("{}?index=logs-*&from=now-1h&refresh=1", proxy.url))
        .await
        .expect("opens");
    browser
        .wait_for_all("#stream .row", |rows| !rows.is_empty())
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    // (the list moves under a pointer while it refreshes: the line is clicked as a script)
    browser
        .client
        .execute(
            "document.querySelector('#stream .row').click(); return 0;",
            vec![],
        )
        .await
        .expect("clicks a line");
    browser.wait_for_text("#details", |_| true).await;
    browser
        .client
        .execute(
            "document.getElementById('stream').scrollTop = 0; return 0;",
            vec![],
        )
        .await
        .expect("scrolls");
    browser.click("#fields-button").await;
    browser.wait_for_text("#fields", |_| true).await;
    browser.click("#saved-button").await;
    browser.wait_for_text("#saved", |_| true).await;
    // (a query that begins with AND is malformed, for a cluster as for the store)
    browser
        .retype("#query", "level:INFO AND NOT extra.user_id:u1")
        .await;
    browser.click("#run").await;
    browser
        .wait_for_text("#freshness", |t| t.starts_with("updated"))
        .await;

    let sent: BTreeSet<SentRequest> = browser
        .sent()
        .await
        .into_iter()
        .filter(|r| r.url.contains("/es/") || r.url.ends_with("/es"))
        .collect();
    assert!(
        sent.len() >= 60,
        "only {} distinct requests to /es/: {sent:#?}",
        sent.len()
    );
    // each again by itself, through both checks and through the embedded one alone
    for one in &sent {
        let path = one
            .url
            .split_once("/es")
            .map(|(_, path)| format!("/es{path}"))
            .expect("an /es/ URL");
        for (server, mode) in [(&proxy, "proxy mode"), (&cluster, "embedded")] {
            let (status, answer) = request(&server.address(), &one.method, &path, &one.body).await;
            assert_eq!(
                status, 200,
                "{mode}: {} {path}\n{}\n{answer}",
                one.method, one.body
            );
        }
    }
    eprintln!(
        "spa_requests: {} distinct requests, all allowed",
        sent.len()
    );
    browser.close().await;
}
