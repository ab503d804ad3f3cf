//! The stream pushed, as a user sees it: with the embedded store a line sent to the ingest
//! port shows without waiting for a poll, and the stream says so; in front of a cluster the
//! server's one poll is pushed; a view the server will not push is polled, and says so.

use std::time::{Duration, Instant};

use logdash_e2e::{iso, now_ms, Browser, Server};
use serde_json::json;
use tokio::io::AsyncWriteExt;

fn line(message: &str, at: i64) -> String {
    format!(
        "{}\n",
        json!({"@timestamp": iso(at), "level": "INFO", "message": message, "type": "app"})
    )
}

const PUSHED: &str = "pushed as events arrive";

/// Opens the dashboard at `link` and waits until its stream says how it learns of lines.
async fn open_and_see_the_feed(browser: &Browser, link: &str, feed: &str) {
    browser.client.goto(link).await.expect("opens");
    browser.wait_for_text("#stream-feed", |t| t == feed).await;
}

/// A connection to a server's TCP ingest port.
async fn ingest_port(server: &Server) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(&server.tcp)
        .await
        .expect("ingest port")
}

#[tokio::test]
async fn a_line_sent_to_the_ingest_port_shows_at_once_without_a_poll() {
    let server = Server::start(&[]).await;
    let mut tcp = ingest_port(&server).await;
    tcp.write_all(line("before the page", now_ms() - 5_000).as_bytes())
        .await
        .expect("sent");
    let browser = Browser::start().await;
    // a minute between refreshes: a line within seconds can only have come pushed
    let link = format!("{}?index=logstash-*&refresh=60", server.url);
    open_and_see_the_feed(&browser, &link, PUSHED).await;
    browser
        .wait_for_all("#stream .row", |rows| rows.len() == 1)
        .await;
    for i in 0..3 {
        let sent = Instant::now();
        tcp.write_all(line(&format!("pushed {i}"), now_ms()).as_bytes())
            .await
            .expect("sent");
        let rows = browser
            .wait_for_all("#stream .row", |rows| rows.len() == 2 + i)
            .await;
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "took {:?}",
            sent.elapsed()
        );
        assert!(
            rows.last()
                .is_some_and(|r| r.contains(&format!("pushed {i}"))),
            "{rows:?}"
        );
    }
    // a line the query does not match is not pushed
    let link = format!(
        "{}?index=logstash-*&refresh=60&q=message:wanted",
        server.url
    );
    open_and_see_the_feed(&browser, &link, PUSHED).await;
    tcp.write_all(line("unwanted", now_ms()).as_bytes())
        .await
        .expect("sent");
    tcp.write_all(line("wanted", now_ms()).as_bytes())
        .await
        .expect("sent");
    let rows = browser
        .wait_for_all("#stream .row", |rows| rows.len() == 1)
        .await;
    assert!(
        rows[0].contains("wanted") && !rows[0].contains("unwanted"),
        "{rows:?}"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(browser.texts("#stream .row").await.len(), 1);
    // the panels counted before it came: the screen does not say that nothing matches
    assert!(browser.texts("#empty").await.is_empty());
    assert_eq!(browser.texts("#stream-count").await, ["1 line"]);
    browser.screenshot("live-push").await;
    browser.close().await;
}

#[tokio::test]
async fn in_proxy_mode_the_server_s_one_poll_is_pushed_to_the_stream() {
    let cluster = Server::start(&[]).await;
    let proxy = Server::start(&["--elasticsearch", &format!("{}es", cluster.url)]).await;
    let browser = Browser::start().await;
    let link = format!("{}?index=logstash-*&refresh=60", proxy.url);
    let feed = "pushed from one poll of the cluster every 1 s";
    open_and_see_the_feed(&browser, &link, feed).await;
    let mut tcp = ingest_port(&cluster).await;
    let sent = Instant::now();
    tcp.write_all(line("through the proxy", now_ms()).as_bytes())
        .await
        .expect("sent");
    let rows = browser
        .wait_for_all("#stream .row", |rows| rows.len() == 1)
        .await;
    assert!(rows[0].contains("through the proxy"), "{rows:?}");
    assert!(
        sent.elapsed() < Duration::from_secs(10),
        "{:?}",
        sent.elapsed()
    );
    browser.close().await;
}

/// A view the server cannot push (a regular expression needs a search) is polled, says
/// so, and its lines still come.
#[tokio::test]
async fn a_view_the_server_will_not_push_is_polled_and_says_so() {
    let server = Server::start(&[]).await;
    let browser = Browser::start().await;
    let link = format!(
        "{}?index=logstash-*&refresh=1&q=message:%2Fpoll.*%2F",
        server.url
    );
    open_and_see_the_feed(&browser, &link, "polled every 1 s").await;
    let mut tcp = ingest_port(&server).await;
    tcp.write_all(line("polled in", now_ms()).as_bytes())
        .await
        .expect("sent");
    let rows = browser
        .wait_for_all("#stream .row", |rows| rows.len() == 1)
        .await;
    assert!(rows[0].contains("polled in"), "{rows:?}");
    assert_eq!(
        browser.texts("#stream-feed").await,
        ["polled every 1 s"],
        "the stream never claims a push it does not have"
    );
    browser.close().await;
}

/// Lines pushed a thousand a second, each frame a few more: the stream keeps following
/// the newest (lines added between its jump to the bottom and the scroll event once
/// paused it, as if the reader had scrolled up).
#[tokio::test]
async fn a_fast_pushed_stream_keeps_following_the_newest_line() {
    let server = Server::start(&[]).await;
    let browser = Browser::start().await;
    let link = format!("{}?index=logstash-*&refresh=60", server.url);
    open_and_see_the_feed(&browser, &link, PUSHED).await;
    let mut tcp = ingest_port(&server).await;
    for batch in 0..150 {
        let mut lines = String::new();
        for i in 0..20 {
            lines.push_str(&line(&format!("fast {}", batch * 20 + i), now_ms()));
        }
        tcp.write_all(lines.as_bytes()).await.expect("sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    browser
        .wait_for_text("#stream-count", |t| t == "3000 lines")
        .await;
    // the newest lines are in view (lines of one millisecond are ordered by id)
    browser
        .wait_for_all("#stream .row", |rows| {
            rows.iter().rev().take(20).any(|r| r.contains("fast 2999"))
        })
        .await;
    assert!(
        browser.texts("#resume").await.is_empty(),
        "the stream is still following"
    );
    browser.close().await;
}
