//! `/es/` over real HTTP: everything the dashboard sends is answered; writes, admin,
//! scripts and path tricks are refused with a JSON 403 naming the rule.

mod common;

use common::{request, start};
use serde_json::json;

#[tokio::test]
async fn refusals_are_clear_json_and_name_the_rule() {
    let server = start(&["--allowed-indices", "logs-*,logstash-*"]).await;
    let cases: &[(&str, &str, &str, u16, &str)] = &[
        ("POST", "/es/_bulk", "{}\n", 403, "[_bulk]"),
        ("POST", "/es/logs-a/_doc", "{}", 403, "[_doc]"),
        ("POST", "/es/logs-a/_update/1", "{}", 403, "[_update]"),
        (
            "POST",
            "/es/logs-a/_delete_by_query",
            "{}",
            403,
            "[_delete_by_query]",
        ),
        (
            "POST",
            "/es/logs-a/_update_by_query",
            "{}",
            403,
            "[_update_by_query]",
        ),
        ("POST", "/es/_reindex", "{}", 403, "[_reindex]"),
        ("GET", "/es/_snapshot", "", 403, "[_snapshot]"),
        ("GET", "/es/_cluster/settings", "", 403, "[_cluster]"),
        ("GET", "/es/_security/_authenticate", "", 403, "[_security]"),
        ("GET", "/es/_ingest/pipeline", "", 403, "[_ingest]"),
        ("GET", "/es/_scripts/x", "", 403, "[_scripts]"),
        ("POST", "/es/logs-a/_search/template", "{}", 403, "template"),
        ("POST", "/es/_sql", "{}", 403, "[_sql]"),
        ("PUT", "/es/logs-a", "{}", 405, "method PUT"),
        ("DELETE", "/es/logs-a", "", 405, "method DELETE"),
        ("GET", "/es/.kibana/_search", "", 403, "outside the indices"),
        ("GET", "/es/secrets/_search", "", 403, "outside the indices"),
        (
            "GET",
            "/es/logs-a%2F..%2F_bulk/_search",
            "",
            403,
            "percent-encoded",
        ),
        ("GET", "/es/%2e%2e/_search", "", 403, "percent-encoded"),
        ("GET", "/es/logs-a/../_bulk", "", 403, "canonical"),
        ("GET", "/es//logs-a/_search", "", 403, "canonical"),
        ("GET", "/es/logs-a;x/_search", "", 403, "characters"),
        ("GET", "/es/LOGS-A/_search", "", 403, "characters outside"),
        (
            "GET",
            "/es/logs-a/_search?filter_path=hits",
            "",
            403,
            "[filter_path]",
        ),
        (
            "GET",
            "/es/logs-a/_search?source=%7B%7D",
            "",
            403,
            "percent-encoded",
        ),
        ("GET", "/es/logs-a/_search?source={}", "", 403, "[source]"),
        (
            "POST",
            "/es/logs-a/_search",
            r#"{"script_fields":{"x":{"script":"1"}}}"#,
            403,
            "[script_fields]",
        ),
        (
            "POST",
            "/es/logs-a/_search",
            r#"{"query":{"script":{"script":"1"}}}"#,
            403,
            "[script]",
        ),
        (
            "POST",
            "/es/logs-a/_search",
            r#"{"runtime_mappings":{}}"#,
            403,
            "[runtime_mappings]",
        ),
        (
            "POST",
            "/es/logs-a/_search",
            r#"{"size":50000}"#,
            403,
            "[size]",
        ),
        (
            "POST",
            "/es/logs-a/_search",
            r#"{"from":20000}"#,
            403,
            "[from]",
        ),
        (
            "POST",
            "/es/_msearch",
            "{\"index\":\".security\"}\n{}\n",
            403,
            "outside the indices",
        ),
        (
            "POST",
            "/es/logs-a/_search",
            "{not json",
            400,
            "not valid JSON",
        ),
    ];
    for (method, path, body, status, needle) in cases {
        let answer = request(&server, method, path, body).await;
        assert_eq!(answer.status, *status, "{method} {path}: {}", answer.body);
        let error = answer.json();
        let reason = error["error"]["reason"].as_str().unwrap_or_default();
        assert!(reason.contains(needle), "{method} {path}: {reason}");
        assert_eq!(error["status"], json!(status));
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
    server
        .state
        .store
        .bulk(None, bulk.as_bytes())
        .expect("bulk");
    let requests: &[(&str, &str, &str)] = &[
        ("GET", "/es/", ""),
        ("GET", "/es/_cat/indices?format=json", ""),
        ("GET", "/es/logs-*/_field_caps?fields=*", ""),
        ("GET", "/es/logs-*/_mapping", ""),
        ("POST", "/es/logs-*/_count", r#"{"query":{"query_string":{"query":"hello"}}}"#),
        ("POST", "/es/logs-*/_search", r#"{"size":200,"sort":[{"@timestamp":"desc"}],"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"2025-11-25T00:00:00Z"}}}]}}}"#),
        ("POST", "/es/_msearch", "{\"index\":\"logs-*\"}\n{\"size\":0,\"aggs\":{\"u\":{\"cardinality\":{\"field\":\"extra.user_id.keyword\"}}}}\n"),
    ];
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
