//! `/api/links` in embedded mode over real HTTP: a view stored once under a stable id,
//! read back by anyone, kept on disk across a crash, and bad input refused by name.

mod common;

use common::{assert_refused, request, start};
use logdash_server::short_links::ShortLinks;
use logdash_server::Backend;
use serde_json::json;

#[tokio::test]
async fn a_view_gets_one_short_link_that_anyone_can_open_and_that_outlives_the_server() {
    let server = start(&[]).await;
    let body = r#"{"state":"?refresh=10&q=level:ERROR AND path:/api&from=now-1h"}"#;
    let created = request(&server, "POST", "/api/links", body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(id.len(), 11, "{}", created.body);
    // stored in its canonical form, as the dashboard writes links
    let canonical = "q=level:ERROR+AND+path:/api&from=now-1h&refresh=10";
    assert_eq!(created.json()["state"], json!(canonical));

    let again = request(&server, "POST", "/api/links", body).await;
    assert_eq!(
        again.json()["id"],
        json!(id),
        "the same view, the same link"
    );
    let other = request(&server, "POST", "/api/links", r#"{"state":"q=level:WARN"}"#).await;
    assert_ne!(other.json()["id"], json!(id));

    let read = request(&server, "GET", &format!("/api/links/{id}"), "").await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.json(), json!({"id": id, "state": canonical}));

    let Backend::Embedded(store) = &server.state.backend else {
        panic!("embedded mode");
    };
    let reopened = ShortLinks::open_file(store.data_dir()).expect("file opens");
    assert_eq!(reopened.get(&id).await.expect("kept"), canonical);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_not_found() {
    let server = start(&[]).await;
    let unknown = assert_refused(
        &server,
        (
            "GET",
            "/api/links/AAAAAAAAAAA",
            "",
            404,
            "there is no short link [AAAAAAAAAAA]",
        ),
    )
    .await;
    assert!(unknown.body.contains("resource_not_found_exception"));
    for id in ["short", "AAAAAAAAAA%2F", "%3Cscript%3Ealert(1)"] {
        let path = format!("/api/links/{id}");
        let answer = assert_refused(
            &server,
            ("GET", &path, "", 404, "there is no short link with that id"),
        )
        .await;
        assert!(!answer.body.contains("script"), "{}", answer.body);
    }
}

#[tokio::test]
async fn bad_input_is_refused_with_what_was_wrong() {
    let server = start(&[]).await;
    let long = format!(r#"{{"state":"q={}"}}"#, "x".repeat(9_000));
    let cases: &[(&str, u16, &str)] = &[
        (r#"{"state":"q=a&bogus=1"}"#, 400, "no parameter [bogus]"),
        (r#"{"state":"refresh=7"}"#, 400, "refresh [7]"),
        (r#"{"state":"q=a","id":"mine"}"#, 400, "unknown field `id`"),
        ("state=q", 400, "invalid short link"),
        (&long, 400, "at most 8192 are allowed"),
    ];
    for (body, status, needle) in cases {
        assert_refused(&server, ("POST", "/api/links", body, *status, needle)).await;
    }
    let huge = format!(r#"{{"state":"{}"}}"#, "x".repeat(64 * 1024));
    let answer = request(&server, "POST", "/api/links", &huge).await;
    assert_eq!(answer.status, 413, "{}", answer.body);
}

/// A crash while a line was written leaves it cut short: that line is skipped, the next
/// link is not glued to it, and every whole line is kept.
#[tokio::test]
async fn a_line_cut_short_by_a_crash_loses_nothing_else() {
    let dir = std::env::temp_dir().join(format!("logdash-short-links-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("short-links.jsonl");
    std::fs::write(
        &file,
        "{\"id\":\"AAAAAAAAAAA\",\"state\":\"q=kept\",\"created\":\"2026-12-01T00:00:00.000Z\"}\n{\"id\":\"BBBB",
    )
    .expect("write");
    let links = ShortLinks::open_file(&dir).expect("opens");
    let id = links
        .create("q=after", "2026-12-05T00:00:00.000Z")
        .await
        .expect("created");
    let reopened = ShortLinks::open_file(&dir).expect("reopens");
    assert_eq!(reopened.get("AAAAAAAAAAA").await.expect("kept"), "q=kept");
    assert_eq!(reopened.get(&id).await.expect("new one kept"), "q=after");
    std::fs::remove_dir_all(&dir).ok();
}
