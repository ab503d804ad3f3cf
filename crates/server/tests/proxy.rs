//! Proxy mode over real HTTP, in front of a recording stand-in for Elasticsearch: the
//! dashboard's requests arrive as they were sent (at the path rebuilt from what was
//! parsed) with the server's credentials, refused ones never arrive, and the cluster's
//! failures come back as clear JSON errors.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use clap::Parser;
use common::upstream::Upstream;
use common::{assert_all_refused, request, request_with, save_query, start_proxy};
use logdash_server::ingest::{self, cluster::Shipper, IngestStats, Sink};
use logdash_server::proxy::UpstreamConfig;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::PrivateKeyDer;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

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
    let server = start_proxy(&upstream.url, common::REFUSAL_FLAGS).await;
    assert_all_refused(&server).await;
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

/// The cluster is sent the path rebuilt from the parsed route, never the raw one: only the
/// parameters logdash understood go on.
#[tokio::test]
async fn the_cluster_is_sent_the_rebuilt_path() {
    let upstream = Upstream::start().await;
    let server = start_proxy(&upstream.url, &[]).await;
    let path =
        "/es/logs-a/_search?typed_keys=false&ignore_unavailable=true&rest_total_hits_as_int=false";
    assert_eq!(request(&server, "POST", path, "{}").await.status, 200);
    let arrived = upstream.requests();
    assert_eq!(arrived.len(), 1, "{arrived:?}");
    assert_eq!(arrived[0].target, "/logs-a/_search?ignore_unavailable=true");
}

#[tokio::test]
async fn a_urls_paging_and_query_go_into_the_checked_body() {
    let upstream = Upstream::start().await;
    let server = start_proxy(&upstream.url, &[]).await;
    let path = "/es/logs-a/_search?size=0&from=5&pretty";
    let body = r#"{"size": 50, "query": {"match_all": {}}}"#;
    assert_eq!(request(&server, "POST", path, body).await.status, 200);
    let arrived = upstream.requests();
    assert_eq!(arrived[0].target, "/logs-a/_search");
    let sent: serde_json::Value = serde_json::from_str(&arrived[0].body).expect("json");
    assert_eq!(
        sent,
        json!({"size": 0, "from": 5, "query": {"match_all": {}}})
    );
    // the window is checked with the URL's numbers, which win
    let past = request(
        &server,
        "POST",
        "/es/logs-a/_search?from=9999",
        r#"{"size": 2}"#,
    )
    .await;
    assert_eq!(past.status, 403);
    for refused in ["size=1e3", "size=-1", "from=0x10", "size="] {
        let path = format!("/es/logs-a/_search?{refused}");
        assert_eq!(
            request(&server, "POST", &path, "{}").await.status,
            403,
            "{refused}"
        );
    }
    let count = request(&server, "POST", "/es/logs-a/_count?size=0", "{}").await;
    assert_eq!(count.status, 400);
    assert_eq!(upstream.requests().len(), 1);
    // `q` goes into the body as the query it is; filter_path goes on as it came
    let path = "/es/logs-a/_count?q=level:ERROR+AND+r%C3%A9sum%C3%A9&df=message&filter_path=count";
    assert_eq!(request(&server, "POST", path, "").await.status, 200);
    let arrived = upstream.requests();
    assert_eq!(arrived[1].target, "/logs-a/_count?filter_path=count");
    let sent: serde_json::Value = serde_json::from_str(&arrived[1].body).expect("json");
    assert_eq!(
        sent,
        json!({"query": {"query_string": {"query": "level:ERROR AND résumé", "default_field": "message"}}})
    );
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
    let id = save_query(&server, r#"{"name":"Errors","state":"q=level:error"}"#).await;
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

/// A stand-in that answers every request with a small search result; it closes each
/// connection after one answer when `close_after_answer` is set (without saying so, as a
/// cluster or load balancer dropping an idle connection does), and counts connections.
async fn counting_upstream(close_after_answer: bool, chunked: bool) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(answer_each_request(socket, close_after_answer, chunked));
        }
    });
    (url, connections)
}

async fn answer_each_request<S: AsyncRead + AsyncWrite + Unpin>(
    socket: S,
    close_after_answer: bool,
    chunked: bool,
) {
    let body = r#"{"hits":{"total":{"value":0,"relation":"eq"},"hits":[]}}"#;
    let answer = if chunked {
        let (a, b) = body.split_at(10);
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
            a.len(),
            b.len()
        )
    } else {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let mut socket = BufReader::new(socket);
    loop {
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            if socket.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut request_body = vec![0; length];
        if socket.read_exact(&mut request_body).await.is_err()
            || socket.get_mut().write_all(answer.as_bytes()).await.is_err()
            || close_after_answer
        {
            return;
        }
    }
}

#[tokio::test]
async fn connections_to_the_cluster_are_kept_alive_and_replaced_when_it_closed_them() {
    let (url, connections) = counting_upstream(false, false).await;
    let server = start_proxy(&url, &[]).await;
    // each request comes on a connection of its own, handed to the serving runtimes in
    // turn; each runtime keeps its own connection to the cluster
    let kept = logdash_server::serve::workers().min(5);
    for _ in 0..5 {
        let answer = request(&server, "POST", "/es/logs-*/_search", "{}").await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    assert_eq!(connections.load(Ordering::SeqCst), kept);
    for _ in 0..5 {
        let answer = request(&server, "POST", "/es/logs-*/_search", "{}").await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    assert_eq!(connections.load(Ordering::SeqCst), kept);

    // a cluster that drops each connection after answering: every request still succeeds
    let (url, connections) = counting_upstream(true, true).await;
    let server = start_proxy(&url, &[]).await;
    for _ in 0..3 {
        let answer = request(&server, "POST", "/es/logs-*/_search", "{}").await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.json()["hits"]["total"]["value"], json!(0));
        // let the close reach logdash's idle connection before the next request
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn https_clusters_are_trusted_through_the_ca_file_and_nothing_else() {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
    let dir = tempfile::tempdir().expect("temp dir");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, certified.cert.pem()).expect("write CA file");
    let config = ServerConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![certified.cert.der().clone()],
        PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into()),
    )
    .expect("TLS config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(socket).await {
                    answer_each_request(tls, false, false).await;
                }
            });
        }
    });
    let url = format!("https://localhost:{port}");
    let ca = ca_file.to_string_lossy().to_string();
    let trusted = start_proxy(&url, &["--es-ca-file", &ca]).await;
    for _ in 0..2 {
        let answer = request(&trusted, "POST", "/es/logs-*/_search", "{}").await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.json()["hits"]["total"]["value"], json!(0));
    }
    let untrusted = start_proxy(&url, &[]).await;
    let refused = request(&untrusted, "POST", "/es/logs-*/_search", "{}").await;
    assert_eq!(refused.status, 502, "{}", refused.body);
    assert!(
        refused.body.contains("certificate"),
        "the reason names the certificate: {}",
        refused.body
    );
}

/// The TCP input of a proxy-mode logdash with `--ingest` in front of `upstream` (as
/// `elastic:changeme`): its address and its counters.
async fn start_ingest(upstream: &Upstream) -> (std::net::SocketAddr, Arc<IngestStats>) {
    let config = logdash_server::Config::parse_from([
        "logdash",
        "--elasticsearch",
        &upstream.url,
        "--ingest",
        "--es-username",
        "elastic",
        "--es-password",
        "changeme",
    ]);
    let cluster = Arc::new(
        logdash_server::proxy::Upstream::new(&UpstreamConfig::from_config(&upstream.url, &config))
            .expect("upstream"),
    );
    let stats = Arc::new(IngestStats::default());
    let shipper = Shipper::new(
        cluster,
        config.index_prefix.clone(),
        Arc::clone(&stats),
        true,
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(ingest::tcp::serve(
        listener,
        Sink::Cluster(Arc::new(shipper)),
        config.max_line_bytes,
        config.max_connections,
        Arc::clone(&stats),
    ));
    (address, stats)
}

/// The `_bulk` requests `upstream` got, once there are `count` (or after 10 s).
async fn bulks(upstream: &Upstream, count: usize) -> Vec<common::upstream::Recorded> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let bulks: Vec<_> = upstream
            .requests()
            .into_iter()
            .filter(|r| r.target == "/_bulk")
            .collect();
        if bulks.len() >= count || std::time::Instant::now() > deadline {
            return bulks;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn with_ingest_the_tcp_input_sends_events_to_the_cluster_with_the_server_s_credentials() {
    let upstream = Upstream::start().await;
    upstream.fail_next_bulks(1);
    let (address, stats) = start_ingest(&upstream).await;

    let mut client = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    client
        .write_all(
            b"{\"@timestamp\":\"2026-11-25T10:00:00.000Z\",\"message\":\"hello\"}\nnot json\n",
        )
        .await
        .expect("send");
    drop(client);

    // the first _bulk met a busy cluster: the batch went again, and arrived once
    let bulks = bulks(&upstream, 2).await;
    assert_eq!(bulks.len(), 2, "{bulks:?}");
    assert_eq!(bulks[0].body, bulks[1].body);
    let sent = &bulks[1];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.authorization.as_deref(), Some(BASIC));
    assert_eq!(sent.content_type.as_deref(), Some("application/x-ndjson"));
    assert_eq!(sent.content_encoding.as_deref(), Some("gzip"));
    let lines: Vec<serde_json::Value> = sent
        .body
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(
        lines[0],
        json!({"create": {"_index": "logstash-2026.11.25"}})
    );
    assert_eq!(lines[1]["message"], json!("hello"));
    assert_eq!(lines[3]["message"], json!("not json"));
    assert_eq!(lines[3]["tags"], json!(["_jsonparsefailure"]));
    assert_eq!(stats.snapshot()["events"], json!(2));

    // before its first events, Logstash's template went into the cluster, as Logstash
    // puts it there when it starts; once: the cluster has it from then on
    let mut client = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    client
        .write_all(b"{\"message\":\"again\"}\n")
        .await
        .expect("send");
    drop(client);
    assert_eq!(self::bulks(&upstream, 3).await.len(), 3);
    let calls: Vec<(String, String)> = upstream
        .requests()
        .into_iter()
        .filter(|r| r.target.starts_with("/_index_template/") || r.target == "/_bulk")
        .map(|r| (r.method, r.target))
        .collect();
    let template = |method: &str| (method.to_string(), "/_index_template/logstash".to_string());
    let bulk = ("POST".to_string(), "/_bulk".to_string());
    assert_eq!(
        calls,
        [
            template("HEAD"),
            template("PUT"),
            bulk.clone(),
            bulk.clone(),
            bulk
        ]
    );
    let put = upstream
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .expect("the template was put");
    assert_eq!(put.authorization.as_deref(), Some(BASIC));
    let body: serde_json::Value = serde_json::from_str(&put.body).expect("json");
    assert_eq!(body["index_patterns"], json!("logstash-*"));
    assert_eq!(
        body["template"]["mappings"]["properties"]["@version"],
        json!({"type": "keyword"})
    );
}

/// Of one `_bulk` answer, the items the cluster could not take now (429, 503) go again,
/// alone; the one it refused for good (400) is counted as rejected, never sent again.
#[tokio::test]
async fn with_ingest_items_the_cluster_was_busy_for_go_again_and_refused_ones_are_counted() {
    let upstream = Upstream::start().await;
    upstream.answer_next_bulks_with(vec![vec![201, 429, 400, 503]]);
    let (address, stats) = start_ingest(&upstream).await;
    let mut client = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let lines: String = (1..=4)
        .map(|n| {
            format!("{{\"@timestamp\":\"2026-11-25T10:00:0{n}.000Z\",\"message\":\"event {n}\"}}\n")
        })
        .collect();
    client.write_all(lines.as_bytes()).await.expect("send");
    drop(client);
    let bulks = bulks(&upstream, 2).await;
    assert_eq!(bulks.len(), 2, "{bulks:?}");
    let messages = |body: &str| -> Vec<String> {
        body.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["message"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        messages(&bulks[0].body),
        ["event 1", "event 2", "event 3", "event 4"]
    );
    assert_eq!(messages(&bulks[1].body), ["event 2", "event 4"]);
    // nothing more is sent: the refused event is not retried
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(bulks_now(&upstream), 2);
    assert_eq!(stats.snapshot()["events"], json!(3));
    assert_eq!(stats.snapshot()["rejected"], json!(1));
}

fn bulks_now(upstream: &Upstream) -> usize {
    upstream
        .requests()
        .iter()
        .filter(|r| r.target == "/_bulk")
        .count()
}
