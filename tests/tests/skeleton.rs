//! The walking skeleton, as a user sees it: the dashboard loads from the binary and says
//! which backend answers, or says clearly that none does.

use std::process::Stdio;

use logdash_e2e::{free_port, workspace_root, Browser, Server};

#[tokio::test]
async fn dashboard_shows_which_backend_answers() {
    let server = Server::start(&[]).await;
    let browser = Browser::start().await;
    browser.client.goto(&server.url).await.expect("page opens");
    let status = browser
        .wait_for_text("#backend-status", |text| text.contains("8.15.0"))
        .await;
    assert!(
        status.contains("logdash embedded store, Elasticsearch API 8.15.0"),
        "{status}"
    );
    assert_eq!(browser.client.title().await.expect("title"), "logdash");
    browser.screenshot("skeleton-connected").await;
    browser.close().await;
}

#[tokio::test]
async fn dashboard_hosted_without_a_backend_says_so() {
    // The built files served by a plain static server, with no Elasticsearch API beside them.
    let port = free_port();
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
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 serves dist/");
    let browser = Browser::start().await;
    let url = format!("http://127.0.0.1:{port}/");
    let mut opened = false;
    for _ in 0..50 {
        if browser.client.goto(&url).await.is_ok()
            && browser
                .client
                .title()
                .await
                .is_ok_and(|title| title == "logdash")
        {
            opened = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(opened, "the static server never served the page");
    let banner = browser
        .wait_for_text("#error-banner", |text| !text.is_empty())
        .await;
    assert!(banner.contains("No Elasticsearch API here."), "{banner}");
    assert!(
        banner.contains("no Elasticsearch API at this address"),
        "{banner}"
    );
    browser.screenshot("skeleton-no-backend").await;
    browser.close().await;
}

#[tokio::test]
async fn a_first_visit_finds_its_fields_asked_for_while_the_wasm_loaded() {
    // a browser that never saw the pattern must read its fields before the first query:
    // the page names that request, so it travels beside the wasm
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser.open_known_view(&server, "").await;
    browser
        .wait_for_text("#freshness", |t| t.starts_with("updated"))
        .await;
    let fetched = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource')
                .filter(e => e.name.includes('_field_caps'))
                .map(e => [e.name.replace(location.origin, ''), e.initiatorType]);",
            vec![],
        )
        .await
        .expect("script runs");
    // asked once, by the page's preload: the app's own request took its answer
    assert_eq!(
        fetched,
        serde_json::json!([["/es/logs-*/_field_caps?fields=*&", "link"]]),
        "{fetched}"
    );
    browser.close().await;
}
