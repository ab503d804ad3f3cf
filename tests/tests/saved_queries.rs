//! Saved queries in real headless Chromium against the real server: saved, found again
//! after a reload, loaded, renamed and deleted; names are only text; and a dashboard
//! without the server's API keeps them in the browser.

use logdash_e2e::{iso, now_ms, workspace_root, Browser, Server};
use serde_json::json;

async fn server_with_levels() -> Server {
    let server = Server::start(&[]).await;
    let now = now_ms();
    let mut body = String::new();
    for i in 0..20 {
        body.push_str("{\"index\":{\"_index\":\"logs-app\"}}\n");
        let level = if i % 4 == 0 { "ERROR" } else { "INFO" };
        body.push_str(&json!({"@timestamp": iso(now - 60_000 + i * 1_000), "level": level, "message": format!("request {i}")}).to_string());
        body.push('\n');
    }
    assert_eq!(server.bulk(&body).await["errors"], json!(false));
    server
}

#[tokio::test]
async fn a_saved_query_survives_a_reload_and_loads_renames_and_deletes() {
    let server = server_with_levels().await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!(
            "{}?index=logs-*&refresh=0&q=level:ERROR",
            server.url
        ))
        .await
        .expect("opens");
    browser
        .wait_for_all("#stream .row", |rows| rows.len() == 5)
        .await;
    browser.click("#saved-button").await;
    browser
        .wait_for_text("#saved", |t| t.contains("shared with your team"))
        .await;
    browser
        .type_into("#saved-name", "Errors <b>only</b>\u{E007}")
        .await;
    browser
        .wait_for_all("#saved-list .saved-load", |names| {
            names == ["Errors <b>only</b>"]
        })
        .await;
    // the server has it, with the view it was saved from
    let stored = logdash_e2e::http(&server.address(), "GET", "/api/saved-queries", "").await;
    let stored: serde_json::Value = serde_json::from_str(&stored).expect("json");
    assert_eq!(
        stored["queries"][0]["state"],
        json!("index=logs-*&q=level:ERROR&refresh=0")
    );
    assert!(browser
        .client
        .find(fantoccini::Locator::Css("#saved-list b"))
        .await
        .is_err());
    browser.screenshot("saved-queries").await;

    // a fresh page with another query: the saved one is still there and loads its view
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=0", server.url))
        .await
        .expect("reloads");
    browser
        .wait_for_all("#stream .row", |rows| rows.len() == 20)
        .await;
    browser.click("#saved-button").await;
    browser
        .wait_for_all("#saved-list .saved-load", |names| names.len() == 1)
        .await;
    browser.click("#saved-list .saved-load").await;
    browser
        .wait_for_all("#stream .row", |rows| rows.len() == 5)
        .await;
    assert_eq!(browser.value("#query").await, "level:ERROR");

    browser.click("#saved-list .saved-rename-button").await;
    browser.type_into(".saved-rename", " (all)\u{E007}").await;
    browser
        .wait_for_all("#saved-list .saved-load", |names| {
            names == ["Errors <b>only</b> (all)"]
        })
        .await;
    // one name, one query
    browser
        .type_into("#saved-name", "errors <B>only</b> (ALL)\u{E007}")
        .await;
    browser
        .wait_for_text("#saved-error", |t| t.contains("already named"))
        .await;
    assert_eq!(browser.texts("#saved-list .saved-load").await.len(), 1);

    // importing an export twice adds it once
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let export = json!({"kind": "logdash saved queries", "version": 1, "queries": [
        {"name": "Slow", "state": "q=extra.response_time_ms:>500"}
    ]});
    std::fs::write(file.path(), export.to_string()).expect("writes");
    let path = file.path().display().to_string();
    browser.type_into("#saved-import", &path).await;
    browser
        .wait_for_all("#saved-list .saved-load", |names| names.len() == 2)
        .await;
    browser.type_into("#saved-import", &path).await;
    browser
        .wait_for_text("#saved-error", |t| t.contains("1 were saved already"))
        .await;
    assert_eq!(browser.texts("#saved-list .saved-load").await.len(), 2);

    // delete asks first: Cancel keeps it, OK deletes it
    browser.click("#saved-list .saved-delete").await;
    let asked = browser.answer_confirm(false).await;
    assert!(asked.contains("Errors <b>only</b> (all)"), "{asked}");
    assert_eq!(browser.texts("#saved-list .saved-load").await.len(), 2);
    browser.click("#saved-list .saved-delete").await;
    browser.answer_confirm(true).await;
    browser
        .wait_for_all("#saved-list .saved-load", |names| names == ["Slow"])
        .await;
    browser.close().await;
}

#[tokio::test]
async fn with_an_editor_token_changes_ask_for_it_and_only_the_right_one_saves() {
    let server = Server::start(&["--editor-token", "s3cret-token"]).await;
    let browser = Browser::start().await;
    let view = format!("{}?index=logs-*&refresh=0", server.url);
    open_saved_queries(&browser, &view).await;
    browser.type_into("#saved-name", "Errors\u{E007}").await;
    browser
        .wait_for_text("#saved-error", |t| t.contains("needs the editor token"))
        .await;

    // a wrong token is refused like none
    browser.type_into("#saved-token", "guess\u{E007}").await;
    browser
        .wait_for_text("#saved-error", |t| t.contains("kept for this tab"))
        .await;
    browser.type_into("#saved-name", "Errors\u{E007}").await;
    browser
        .wait_for_text("#saved-error", |t| t.contains("needs the editor token"))
        .await;
    let stored = logdash_e2e::http(&server.address(), "GET", "/api/saved-queries", "").await;
    assert!(stored.contains("\"queries\":[]"), "{stored}");

    browser
        .type_into("#saved-token", "s3cret-token\u{E007}")
        .await;
    browser.type_into("#saved-name", "Errors\u{E007}").await;
    browser
        .wait_for_all("#saved-list .saved-load", |names| names == ["Errors"])
        .await;
    browser.screenshot("saved-queries-editor-token").await;

    // the token stays with the tab, and can be forgotten
    open_saved_queries(&browser, &view).await;
    browser
        .wait_for_all("#saved-token-forget", |found| !found.is_empty())
        .await;
    browser.click("#saved-token-forget").await;
    browser.click("#saved-list .saved-delete").await;
    browser.answer_confirm(true).await;
    browser
        .wait_for_text("#saved-error", |t| t.contains("needs the editor token"))
        .await;
    browser.close().await;
}

/// Opens `url` and the saved-queries list, once the server's list is shown.
async fn open_saved_queries(browser: &Browser, url: &str) {
    browser.client.goto(url).await.expect("opens");
    browser
        .wait_for_all("#saved-button", |found| !found.is_empty())
        .await;
    browser.click("#saved-button").await;
    browser
        .wait_for_text("#saved", |t| t.contains("shared with your team"))
        .await;
}

#[tokio::test]
async fn without_the_server_s_api_saved_queries_stay_in_the_browser() {
    // the dashboard's files on a plain static server: no /api/ there
    let port = logdash_e2e::free_port();
    let _static_server = tokio::process::Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(workspace_root().join("dist"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 serves dist/");
    let browser = Browser::start().await;
    let url = format!("http://127.0.0.1:{port}/?q=level:warn");
    for _ in 0..50 {
        if browser.client.goto(&url).await.is_ok()
            && browser.client.title().await.is_ok_and(|t| t == "logdash")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.click("#saved-button").await;
    browser
        .wait_for_text("#saved", |t| t.contains("kept in this browser only"))
        .await;
    browser.type_into("#saved-name", "Warnings\u{E007}").await;
    browser
        .wait_for_all("#saved-list .saved-load", |names| names == ["Warnings"])
        .await;
    browser.client.refresh().await.expect("reloads");
    browser.click("#saved-button").await;
    browser
        .wait_for_all("#saved-list .saved-load", |names| names == ["Warnings"])
        .await;
    browser.close().await;
}

/// A query saved while the server could not be reached stays in the browser; once the
/// server answers again it is shown as kept there, and uploaded on request (#17).
#[tokio::test]
async fn queries_kept_in_the_browser_are_offered_to_the_server_when_it_is_back() {
    let server = server_with_levels().await;
    let browser = Browser::start().await;
    let view = format!("{}?index=logs-*&refresh=0", server.url);
    browser.client.goto(&view).await.expect("opens");
    // what the dashboard kept while the server was down (its local list, as it writes it)
    let kept = json!([{"id": "kept1", "name": "Kept offline", "state": "q=level:ERROR",
        "created": "2026-12-05T10:00:00.000Z", "updated": "2026-12-05T10:00:00.000Z"}]);
    browser
        .client
        .execute(
            "localStorage.setItem('logdash.saved-queries', arguments[0])",
            vec![json!(kept.to_string())],
        )
        .await
        .expect("the page runs scripts");
    open_saved_queries(&browser, &view).await;
    browser
        .wait_for_text("#saved-kept", |t| t.contains("Kept offline"))
        .await;
    assert_eq!(browser.texts("#saved-list .saved-load").await.len(), 0);
    browser.screenshot("saved-queries-kept").await;
    browser.click("#saved-upload").await;
    browser
        .wait_for_all("#saved-list .saved-load", |names| names == ["Kept offline"])
        .await;
    browser
        .wait_for_text("#saved-error", |t| {
            t.contains("Uploaded 1 kept in this browser")
        })
        .await;
    assert!(browser.texts("#saved-kept").await.is_empty());
    let stored = logdash_e2e::http(&server.address(), "GET", "/api/saved-queries", "").await;
    let stored: serde_json::Value = serde_json::from_str(&stored).expect("json");
    assert_eq!(stored["queries"][0]["name"], json!("Kept offline"));
    assert_eq!(stored["queries"][0]["state"], json!("q=level:ERROR"));
    let left = browser
        .client
        .execute(
            "return localStorage.getItem('logdash.saved-queries')",
            vec![],
        )
        .await
        .expect("the page runs scripts");
    assert_eq!(
        left,
        json!("[]"),
        "the browser forgets what the server keeps"
    );
    browser.close().await;
}
