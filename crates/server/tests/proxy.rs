//! Proxy mode over real HTTP, in front of a recording stand-in for Elasticsearch: the
//! dashboard's requests arrive unchanged with the server's credentials, refused ones never
//! arrive, and the cluster's failures come back as clear JSON errors.

mod common;

use common::upstream::Upstream;
use common::{assert_refused, request, request_with, start_proxy};
use serde_json::json;

const BASIC: &str = "Basic ZWxhc3RpYzpjaGFuZ2VtZQ=="; // elastic:changeme

#[tokio::test]
async fn the_dashboard_s_requests_arrive_unchanged_with_the_server_s_credentials() {
    let upstream = Upstream::start().await;
    let server = start_proxy(
        &upstream.url,
        &["--es-username", "elastic", "--es-password", "changeme"],
    )
    .await;
    for (method, path, body) in common::DASHBOARD_REQUESTS {
        upstream.clear();
        // the browser's own credentials and cookies stay with logdash
        let answer = request_with(
            &server,
            method,
            path,
            &[
                "Cookie: session=browser",
                "Authorization: Bearer browser-token",
            ],
            body,
        )
        .await;
        assert_eq!(answer.status, 200, "{method} {path}: {}", answer.body);
        assert_eq!(answer.header("content-security-policy"), Some("sandbox"));
        let arrived = upstream.requests();
        assert_eq!(arrived.len(), 1, "{path}: {arrived:?}");
        let seen = &arrived[0];
        let expected_target = path.strip_prefix("/es").unwrap_or(path);
        assert_eq!(seen.method, *method);
        assert_eq!(seen.target, expected_target);
        assert_eq!(seen.body, *body, "{path}");
        assert_eq!(seen.authorization.as_deref(), Some(BASIC));
        assert_eq!(seen.cookie, None);
        if !body.is_empty() {
            let kind = if path.contains("_msearch") {
                "application/x-ndjson"
            } else {
                "application/json"
            };
            assert_eq!(seen.content_type.as_deref(), Some(kind), "{path}");
        }
    }
}

#[tokio::test]
async fn refused_requests_never_reach_the_cluster() {
    let upstream = Upstream::start().await;
    let server = start_proxy(
        &upstream.url,
        &[
            "--allowed-indices",
            "logs-*,logstash-*",
            "--max-body-bytes",
            "1000",
        ],
    )
    .await;
    for &case in common::REFUSALS {
        assert_refused(&server, case).await;
    }
    let override_header = request_with(
        &server,
        "GET",
        "/es/logs-a/_search",
        &["X-HTTP-Method-Override: DELETE"],
        "",
    )
    .await;
    assert_eq!(override_header.status, 403);
    let big = format!(
        "{{\"query\":{{\"match\":{{\"message\":\"{}\"}}}}}}",
        "x".repeat(2000)
    );
    assert_eq!(
        request(&server, "POST", "/es/logs-a/_search", &big)
            .await
            .status,
        413
    );
    assert_eq!(upstream.requests(), Vec::new());
}

#[tokio::test]
async fn the_cluster_s_status_and_body_pass_through() {
    let upstream = Upstream::start().await;
    let server = start_proxy(&upstream.url, &[]).await;
    let answer = request(&server, "POST", "/es/missing/_search", "{}").await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.json()["error"]["type"],
        json!("index_not_found_exception")
    );
    let info = request(&server, "GET", "/es/", "").await;
    assert_eq!(info.json()["version"]["number"], json!("8.15.0"));
}

#[tokio::test]
async fn an_api_key_is_sent_as_elasticsearch_expects() {
    let upstream = Upstream::start().await;
    let server = start_proxy(&upstream.url, &["--es-api-key", "aWQ6a2V5"]).await;
    request(&server, "GET", "/es/", "").await;
    assert_eq!(
        upstream.requests()[0].authorization.as_deref(),
        Some("ApiKey aWQ6a2V5")
    );
}

#[tokio::test]
async fn a_cluster_that_is_down_or_slow_gets_a_clear_error() {
    // a port nobody listens on
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", closed.local_addr().expect("address"));
    drop(closed);
    let server = start_proxy(&url, &[]).await;
    let down = request(&server, "POST", "/es/logs-*/_search", "{}").await;
    assert_eq!(down.status, 502, "{}", down.body);
    let reason = down.json()["error"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        reason.contains(&format!("cannot reach Elasticsearch at {url}")),
        "{reason}"
    );
    let health = request(&server, "GET", "/healthz", "").await;
    assert_eq!(health.status, 503);
    assert_eq!(health.json()["elasticsearch"]["reachable"], json!(false));

    let upstream = Upstream::start().await;
    let server = start_proxy(&upstream.url, &["--es-timeout-secs", "1"]).await;
    let slow = request(&server, "POST", "/es/slow/_search", "{}").await;
    assert_eq!(slow.status, 504, "{}", slow.body);
    assert!(
        slow.body.contains("did not answer within 1 s"),
        "{}",
        slow.body
    );
    let health = request(&server, "GET", "/healthz", "").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["elasticsearch"]["version"], json!("8.15.0"));
}

#[tokio::test]
async fn saved_queries_live_in_a_cluster_index_written_with_the_server_s_credentials() {
    let upstream = Upstream::start().await;
    let server = start_proxy(
        &upstream.url,
        &["--es-username", "elastic", "--es-password", "changeme"],
    )
    .await;
    let created = request(
        &server,
        "POST",
        "/api/saved-queries",
        r#"{"name":"Errors","state":"q=level:error"}"#,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let renamed = request(
        &server,
        "PUT",
        &format!("/api/saved-queries/{id}"),
        r#"{"name":"All errors","state":"q=level:error"}"#,
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let list = request(&server, "GET", "/api/saved-queries", "").await;
    assert_eq!(list.json()["queries"][0]["name"], json!("All errors"));
    assert_eq!(list.json()["queries"][0]["id"], json!(id));
    let deleted = request(&server, "DELETE", &format!("/api/saved-queries/{id}"), "").await;
    assert_eq!(deleted.status, 204);
    let gone = request(&server, "GET", &format!("/api/saved-queries/{id}"), "").await;
    assert_eq!(gone.status, 404);
    let arrived = upstream.requests();
    assert!(arrived
        .iter()
        .all(|r| r.target.starts_with("/.logdash-saved-queries/")
            && r.authorization.as_deref() == Some(BASIC)));
    assert!(arrived.iter().any(|r| r.method == "PUT"
        && r.target == format!("/.logdash-saved-queries/_create/{id}?refresh=wait_for")));
}
