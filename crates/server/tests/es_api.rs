//! `/es/` over real HTTP: everything the dashboard sends is answered; writes, admin,
//! scripts and path tricks are refused with a JSON 403 naming the rule.

mod common;

use common::{assert_refused, request, start};
use serde_json::json;

#[tokio::test]
async fn refusals_are_clear_json_and_name_the_rule() {
    let server = start(&["--allowed-indices", "logs-*,logstash-*"]).await;
    for &case in common::REFUSALS.iter().chain(common::hostile::HOSTILE) {
        let (_, path, _, status, _) = case;
        let answer = assert_refused(&server, case).await;
        assert_eq!(answer.json()["status"], json!(status));
        assert_eq!(
            answer.header("content-security-policy"),
            Some("sandbox"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn method_override_headers_do_not_get_through() {
    let server = start(&[]).await;
    let mut stream = tokio::net::TcpStream::connect(server.address)
        .await
        .expect("connect");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let raw = "GET /es/logs/_search HTTP/1.1\r\nHost: x\r\nX-HTTP-Method-Override: DELETE\r\nConnection: close\r\n\r\n";
    stream.write_all(raw.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains("method override"), "{answer}");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = start(&["--max-body-bytes", "1000"]).await;
    let body = format!(
        "{{\"query\":{{\"query_string\":{{\"query\":\"{}\"}}}}}}",
        "a".repeat(2000)
    );
    let answer = request(&server, "POST", "/es/logs-a/_search", &body).await;
    assert_eq!(answer.status, 413);
    assert!(answer.json()["error"]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("larger than 1000 bytes")));
}

#[tokio::test]
async fn every_request_the_dashboard_makes_is_answered() {
    let server = start(&[]).await;
    let bulk = "{\"index\":{\"_index\":\"logs-app\"}}\n{\"@timestamp\":\"2025-11-25T10:00:00Z\",\"level\":\"INFO\",\"message\":\"hello\",\"extra\":{\"user_id\":\"u1\",\"response_time_ms\":12}}\n";
    let logdash_server::Backend::Embedded(store) = &server.state.backend else {
        panic!("embedded mode");
    };
    store.bulk(None, bulk.as_bytes()).expect("bulk");
    let requests = common::DASHBOARD_REQUESTS;
    for (method, path, body) in requests {
        let answer = request(&server, method, path, body).await;
        assert_eq!(answer.status, 200, "{method} {path}: {}", answer.body);
    }
    let answer = request(
        &server,
        "POST",
        "/es/logs-*/_search",
        r#"{"query":{"query_string":{"query":"hello"}}}"#,
    )
    .await;
    assert_eq!(answer.json()["hits"]["total"]["value"], json!(1));
}

#[tokio::test]
async fn store_errors_keep_elasticsearch_shape_and_status() {
    let server = start(&[]).await;
    let answer = request(&server, "POST", "/es/nope/_search", "{}").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["error"]["type"], "index_not_found_exception");
    let answer = request(
        &server,
        "POST",
        "/es/logs-*/_search",
        r#"{"query":{"query_string":{"query":"a AND"}}}"#,
    )
    .await;
    assert_eq!(
        answer.status, 200,
        "a wildcard that matches nothing searches nothing"
    );
}

/// A scroll reads every event once, page by page, from the view it began on: events
/// written after it began are not in it, the sort asked for comes back (and only it), and
/// a cleared scroll is gone.
#[tokio::test]
async fn a_scroll_reads_every_event_once_from_the_view_it_began_on() {
    let server = start(&[]).await;
    let logdash_server::Backend::Embedded(store) = &server.state.backend else {
        panic!("embedded mode");
    };
    let bulk: String = (0..25)
        .map(|n| {
            format!(
                "{{\"index\":{{\"_index\":\"scroll-app\"}}}}\n{{\"n\":{},\"tie\":1}}\n",
                n % 5
            )
        })
        .collect();
    store.bulk(None, bulk.as_bytes()).expect("bulk");
    let first = request(
        &server,
        "POST",
        "/es/scroll-app/_search?scroll=1m",
        r#"{"size":10,"sort":[{"tie":"asc"}]}"#,
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let first = first.json();
    let id = first["_scroll_id"]
        .as_str()
        .expect("a scroll id")
        .to_string();
    assert_eq!(first["hits"]["total"]["value"], 25);
    // a later event is not in the scroll's view
    store
        .bulk(
            None,
            b"{\"index\":{\"_index\":\"scroll-app\"}}\n{\"n\":9,\"tie\":1}\n",
        )
        .expect("bulk");
    let mut seen: Vec<String> = Vec::new();
    let mut page = first;
    loop {
        let hits = page["hits"]["hits"].as_array().cloned().unwrap_or_default();
        if hits.is_empty() {
            break;
        }
        for hit in &hits {
            assert_eq!(hit["sort"], json!([1]), "only the sort asked for: {hit}");
            seen.push(hit["_id"].as_str().unwrap_or_default().to_string());
        }
        let body = json!({"scroll": "1m", "scroll_id": id}).to_string();
        let next = request(&server, "POST", "/es/_search/scroll", &body).await;
        assert_eq!(next.status, 200, "{}", next.body);
        page = next.json();
        assert_eq!(page["_scroll_id"], json!(id));
    }
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!((seen.len(), distinct.len()), (25, 25), "{seen:?}");
    let cleared = request(
        &server,
        "DELETE",
        "/es/_search/scroll",
        &json!({"scroll_id": [id]}).to_string(),
    )
    .await;
    assert_eq!(cleared.json(), json!({"succeeded": true, "num_freed": 1}));
    let gone = request(
        &server,
        "GET",
        &format!("/es/_search/scroll?scroll_id={id}"),
        "",
    )
    .await;
    assert_eq!(gone.status, 404, "{}", gone.body);
    assert_eq!(
        gone.json()["error"]["root_cause"][0]["type"],
        "search_context_missing_exception"
    );
}

/// One event by its id, and whether an index is there, as clients read them before or
/// beside their searches (`es.get`, `es.indices.exists`).
#[tokio::test]
async fn an_event_is_read_by_its_id_and_an_index_asked_after() {
    let server = start(&["--allowed-indices", "logs-*"]).await;
    let logdash_server::Backend::Embedded(store) = &server.state.backend else {
        panic!("embedded mode");
    };
    let bulk = "{\"index\":{\"_index\":\"logs-app\",\"_id\":\"e1\"}}\n{\"message\":\"hello\"}\n";
    store.bulk(None, bulk.as_bytes()).expect("bulk");
    let found = request(&server, "GET", "/es/logs-app/_doc/e1", "").await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(
        found.json(),
        json!({"_index": "logs-app", "_id": "e1", "found": true, "_source": {"message": "hello"}})
    );
    let source = request(&server, "GET", "/es/logs-app/_source/e1", "").await;
    assert_eq!(source.json(), json!({"message": "hello"}));
    let missing = request(&server, "GET", "/es/logs-app/_doc/nope", "").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["found"], false);
    let no_index = request(&server, "GET", "/es/logs-none/_doc/e1", "").await;
    assert_eq!(no_index.status, 404);
    assert_eq!(
        no_index.json()["error"]["type"],
        "index_not_found_exception"
    );
    for (path, status) in [
        ("/es/logs-app", 200),
        ("/es/logs-none", 404),
        ("/es/logs-app/_doc/e1", 200),
        ("/es/logs-app/_doc/nope", 404),
    ] {
        let answer = request(&server, "HEAD", path, "").await;
        assert_eq!(answer.status, status, "HEAD {path}");
    }
    // outside the allowlist, refused as any read there
    let outside = request(&server, "GET", "/es/secrets/_doc/e1", "").await;
    assert_eq!(outside.status, 403, "{}", outside.body);
}
