//! `/api/saved-queries` in embedded mode over real HTTP: the whole life of a saved query,
//! input checks, the editor token, and CORS for dashboards hosted elsewhere.

mod common;

use common::{assert_refused, request, request_with, start};
use logdash_server::saved_queries::SavedQueries;
use logdash_server::Backend;
use serde_json::json;

#[tokio::test]
async fn a_saved_query_is_created_listed_renamed_and_deleted_and_kept_on_disk() {
    let server = start(&[]).await;
    let created = request(
        &server,
        "POST",
        "/api/saved-queries",
        r#"{"name":"  Slow requests ","state":"?q=extra.response_time_ms:>500&from=now-1h&junk=1"}"#,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let query = created.json();
    let id = query["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(id.len(), 20);
    assert_eq!(query["name"], json!("Slow requests"));
    assert_eq!(
        query["state"],
        json!("q=extra.response_time_ms:%3E500&from=now-1h")
    );
    assert!(query["created"].as_str().unwrap_or_default().ends_with('Z'));

    let renamed = request(
        &server,
        "PUT",
        &format!("/api/saved-queries/{id}"),
        r#"{"name":"Slow","state":"q=extra.response_time_ms:>500"}"#,
    )
    .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.json()["created"], query["created"]);

    let Backend::Embedded(store) = &server.state.backend else {
        panic!("embedded mode");
    };
    let reopened = SavedQueries::open_file(store.data_dir()).expect("file opens");
    let on_disk = reopened.list().await.expect("list");
    assert_eq!(on_disk.len(), 1);
    assert_eq!(on_disk[0].name, "Slow");

    let listed = request(&server, "GET", "/api/saved-queries", "").await;
    assert_eq!(listed.json()["queries"][0]["id"], json!(id));
    let one = request(&server, "GET", &format!("/api/saved-queries/{id}"), "").await;
    assert_eq!(one.json()["name"], json!("Slow"));
    let deleted = request(&server, "DELETE", &format!("/api/saved-queries/{id}"), "").await;
    assert_eq!(deleted.status, 204);
    let again = request(&server, "DELETE", &format!("/api/saved-queries/{id}"), "").await;
    assert_eq!(again.status, 404);
    assert!(again
        .body
        .contains(&format!("there is no saved query [{id}]")));
}

#[tokio::test]
async fn bad_input_is_refused_with_the_rule() {
    let server = start(&[]).await;
    let long_state = format!(r#"{{"name":"x","state":"{}"}}"#, "q".repeat(9000));
    let cases: &[(&str, &str, &str, u16, &str)] = &[
        (
            "POST",
            "/api/saved-queries",
            r#"{"name":"","state":""}"#,
            400,
            "[name] must not be empty",
        ),
        (
            "POST",
            "/api/saved-queries",
            r#"{"name":"a","state":"","id":"mine"}"#,
            400,
            "unknown field `id`",
        ),
        (
            "POST",
            "/api/saved-queries",
            r#"{"state":""}"#,
            400,
            "missing field `name`",
        ),
        (
            "POST",
            "/api/saved-queries",
            "not json",
            400,
            "invalid saved query",
        ),
        (
            "POST",
            "/api/saved-queries",
            &long_state,
            400,
            "[state] is 9000 bytes",
        ),
        (
            "GET",
            "/api/saved-queries/..%2F..%2Fetc",
            "",
            404,
            "no saved query",
        ),
        (
            "PUT",
            "/api/saved-queries/nope",
            r#"{"name":"a","state":""}"#,
            404,
            "no saved query [nope]",
        ),
    ];
    for &case in cases {
        assert_refused(&server, case).await;
    }
    let huge = format!(r#"{{"name":"x","state":"{}"}}"#, "q".repeat(100_000));
    assert_eq!(
        request(&server, "POST", "/api/saved-queries", &huge)
            .await
            .status,
        413
    );
}

#[tokio::test]
async fn with_an_editor_token_only_its_holders_change_saved_queries() {
    let server = start(&["--editor-token", "s3cret"]).await;
    let body = r#"{"name":"Errors","state":"q=level:error"}"#;
    let anonymous = request(&server, "POST", "/api/saved-queries", body).await;
    assert_eq!(anonymous.status, 401);
    assert!(anonymous.body.contains("editor token"));
    let wrong = request_with(
        &server,
        "POST",
        "/api/saved-queries",
        &["Authorization: Bearer guess"],
        body,
    )
    .await;
    assert_eq!(wrong.status, 401);
    let editor = request_with(
        &server,
        "POST",
        "/api/saved-queries",
        &["Authorization: Bearer s3cret"],
        body,
    )
    .await;
    assert_eq!(editor.status, 201);
    // everyone may read
    let listed = request(&server, "GET", "/api/saved-queries", "").await;
    assert_eq!(listed.json()["queries"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn cors_answers_only_allowed_origins() {
    let server = start(&["--cors-origins", "https://portal.example.com"]).await;
    let preflight = |origin: &'static str| {
        let server = &server;
        async move {
            request_with(
                server,
                "OPTIONS",
                "/es/_msearch",
                &[
                    &format!("Origin: {origin}"),
                    "Access-Control-Request-Method: POST",
                    "Access-Control-Request-Headers: content-type",
                ],
                "",
            )
            .await
        }
    };
    let allowed = preflight("https://portal.example.com").await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://portal.example.com")
    );
    assert!(allowed
        .header("access-control-allow-methods")
        .is_some_and(|m| m.contains("POST")));
    let other = preflight("https://evil.example.net").await;
    assert_eq!(other.header("access-control-allow-origin"), None);
    let simple = request_with(
        &server,
        "GET",
        "/es/",
        &["Origin: https://portal.example.com"],
        "",
    )
    .await;
    assert_eq!(
        simple.header("access-control-allow-origin"),
        Some("https://portal.example.com")
    );

    let same_origin_only = start(&[]).await;
    let answer = request_with(
        &same_origin_only,
        "GET",
        "/es/",
        &["Origin: https://portal.example.com"],
        "",
    )
    .await;
    assert_eq!(answer.header("access-control-allow-origin"), None);
}
