//! Links that survive chat and the embed API (issue #20), in headless Chromium against the
//! real binary: malformed links open with a notice naming what was left out, short links
//! open for a teammate with overrides, and a portal on another origin drives an embedded
//! view with `postMessage` and hears of its changes.

use logdash_e2e::{free_port, Browser, Server};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Waits until the stream shows `count` lines, every one an error.
async fn see_only_errors(browser: &Browser, count: usize) {
    let rows = browser
        .wait_for_all("#stream .row", |rows| rows.len() == count)
        .await;
    assert!(rows.iter().all(|r| r.contains("ERROR")), "{rows:?}");
}

#[tokio::test]
async fn a_malformed_link_opens_the_rest_of_its_view_and_names_what_it_left_out() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    let link = format!(
        "{}?index=logs-*&q=level:ERROR&refresh=7&from=yesterday-ish&utm_source=chat&panels=stream,charts&s=..%2Fetc",
        server.url
    );
    browser.client.goto(&link).await.expect("opens");
    see_only_errors(&browser, 6).await;
    let notices = browser
        .wait_for_all("#link-notices li", |items| items.len() == 5)
        .await;
    for (param, said) in [
        ("s", "not a logdash short link"),
        ("refresh", "[7]"),
        ("from", "[yesterday-ish]"),
        ("utm_source", "no parameter"),
        ("panels", "[charts]"),
    ] {
        assert!(
            notices
                .iter()
                .any(|n| n.starts_with(param) && n.contains(said)),
            "{param}: {notices:?}"
        );
    }
    assert_eq!(browser.value("#query").await, "level:ERROR");
    browser.screenshot("link-notices").await;
    browser.click("#link-notices-close").await;
    browser
        .wait_for_all("#link-notices", |shown| shown.is_empty())
        .await;
    browser.close().await;
}

#[tokio::test]
async fn a_short_link_opens_the_same_view_for_a_teammate_with_its_overrides() {
    let server = Server::with_requests(&[]).await;
    let mine = Browser::start().await;
    mine.client
        .goto(&format!(
            "{}?index=logs-*&q=level:ERROR&refresh=0&panels=stream",
            server.url
        ))
        .await
        .expect("opens");
    see_only_errors(&mine, 6).await;
    mine.click("#share").await;
    mine.wait_for_text("#share-link code", |t| t.contains("q=level:ERROR"))
        .await;
    mine.click("#share-short").await;
    let short = mine
        .wait_for_text("#share-link code", |t| t.contains("?s="))
        .await;
    assert!(short.len() < 60, "{short}");
    mine.close().await;

    let teammate = Browser::start().await;
    teammate.client.goto(&short).await.expect("opens");
    see_only_errors(&teammate, 6).await;
    assert_eq!(teammate.value("#index").await, "logs-*");
    // the link's own parameters win over the stored view's
    teammate
        .client
        .goto(&format!("{short}&q=level:INFO"))
        .await
        .expect("opens");
    teammate
        .wait_for_text("#stream-count", |t| t.contains("54"))
        .await;
    // (the rows are drawn a moment after the count: some are still empty then)
    teammate
        .wait_for_all("#stream .row", |rows| {
            !rows.is_empty() && rows.iter().all(|r| r.contains("INFO"))
        })
        .await;
    // an unknown short link still opens a view, and says why it is not the one asked for
    teammate
        .client
        .goto(&format!("{}?s=AAAAAAAAAAA&index=logs-*", server.url))
        .await
        .expect("opens");
    let notice = teammate
        .wait_for_text("#link-notices li", |t| !t.is_empty())
        .await;
    assert!(
        notice.contains("AAAAAAAAAAA") && notice.contains("no short link"),
        "{notice}"
    );
    teammate
        .wait_for_text("#stream-count", |t| t.contains("60"))
        .await;
    teammate.close().await;
}

/// The portal: frames logdash, writes down what it is told, and answers `ready` with the
/// messages in `on_ready` (JSON array).
fn portal_page(logdash: &str, on_ready: &str) -> String {
    format!(
        r#"<!doctype html><html><body><ol id="told"></ol>
<iframe id="logdash" src="{logdash}?index=logs-*&refresh=0&embed=1&panels=stream" width="1100" height="600"></iframe>
<script>
const frame = document.getElementById('logdash');
const target = new URL(frame.src).origin;
window.addEventListener('message', (event) => {{
  if (event.origin !== target) return;
  const item = document.createElement('li');
  item.textContent = JSON.stringify(event.data);
  document.getElementById('told').appendChild(item);
  if (event.data.type === 'logdash:size') frame.style.height = event.data.height + 'px';
  if (event.data.type === 'logdash:ready') {{
    for (const message of {on_ready}) frame.contentWindow.postMessage(message, target);
  }}
}});
</script></body></html>"#
    )
}

/// What the portal was told, in order.
async fn told(browser: &Browser, until: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let texts = browser
        .wait_for_all("#told li", |items| {
            let values: Vec<Value> = items
                .iter()
                .filter_map(|t| serde_json::from_str(t).ok())
                .collect();
            until(&values)
        })
        .await;
    texts
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect()
}

#[tokio::test]
async fn a_portal_on_another_origin_drives_the_embedded_view_and_hears_of_it() {
    let portal_port = free_port();
    let portal_origin = format!("http://127.0.0.1:{portal_port}");
    let server =
        Server::with_requests(&["--frame-ancestors", &format!("'self' {portal_origin}")]).await;
    let on_ready = r#"[{"type":"logdash:set","refresh":7},{"type":"logdash:set","query":"level:ERROR","filters":[{"field":"extra.user_id","value":"u0"}]}]"#;
    let page = portal_page(server.url.trim_end_matches('/'), on_ready);
    serve_portal_at(page, portal_port).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{portal_origin}/"))
        .await
        .expect("opens the portal");

    let messages = told(&browser, |m| {
        m.iter().any(|m| {
            m["type"] == "logdash:view" && m["query"].as_str().is_some_and(|q| q.contains("u0"))
        })
    })
    .await;
    assert_eq!(messages[0]["type"], "logdash:ready", "{messages:?}");
    let refused = messages
        .iter()
        .find(|m| m["type"] == "logdash:error")
        .expect("the bad change is refused");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains("refresh [7]"),
        "{refused}"
    );
    let view = messages
        .iter()
        .rfind(|m| m["type"] == "logdash:view")
        .expect("told of the view");
    assert_eq!(
        view["query"], r#"(level:ERROR) AND extra.user_id:"u0""#,
        "{view}"
    );

    // the portal sized its frame as the view asked: the whole view shows, unscrolled
    let sized = told(&browser, |m| m.iter().any(|m| m["type"] == "logdash:size")).await;
    let height = sized
        .iter()
        .rfind(|m| m["type"] == "logdash:size")
        .and_then(|m| m["height"].as_u64())
        .unwrap_or(0);
    assert!(height > 300, "{sized:?}");
    let frame_height = browser
        .client
        .execute(
            "return document.getElementById('logdash').getBoundingClientRect().height",
            vec![],
        )
        .await
        .expect("measures");
    assert!(
        frame_height.as_f64().unwrap_or(0.0) >= height as f64,
        "frame {frame_height}, asked {height}"
    );

    // inside the frame: only user u0's errors (requests 0, 30), and the view says so
    browser.client.enter_frame(0).await.expect("frame");
    see_only_errors(&browser, 2).await;
    let said = browser
        .wait_for_text("#embed-view", |t| t.contains("u0"))
        .await;
    assert!(
        said.contains("Last 15 minutes") && said.contains("logs-*"),
        "{said}"
    );
    browser.click("#stream .row").await;
    browser.client.enter_parent_frame().await.expect("back");
    let messages = told(&browser, |m| m.iter().any(|m| m["type"] == "logdash:line")).await;
    let line = messages
        .iter()
        .find(|m| m["type"] == "logdash:line")
        .expect("told of the line");
    assert_eq!(line["level"], "ERROR", "{line}");
    assert_eq!(line["index"], "logs-app");
    assert!(line["message"]
        .as_str()
        .unwrap_or_default()
        .contains("failed"));
    browser.screenshot("embed-portal").await;
    browser.close().await;
}

/// Serves `page` to every request on `port`: a portal on another origin.
async fn serve_portal_at(page: String, port: u16) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("binds");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let page = page.clone();
            tokio::spawn(async move {
                let mut head = [0u8; 4096];
                let _ = socket.read(&mut head).await;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                    page.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
}
