//! Shared helpers: run the real router on a loopback socket and speak raw HTTP/1.1 to it.

#![allow(dead_code, reason = "each test file uses its own subset")]

pub mod hostile;
pub mod ingest;
pub mod upstream;

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Parser;
use logdash_server::{app, AppState, Config};
use logdash_store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct TestServer {
    pub address: SocketAddr,
    pub state: Arc<AppState>,
    _data_dir: tempfile::TempDir,
}

/// Starts the app on 127.0.0.1 with an empty store and the given extra flags.
pub async fn start(flags: &[&str]) -> TestServer {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut argv = vec!["logdash", "--data-dir"];
    let dir = data_dir.path().to_string_lossy().to_string();
    argv.push(&dir);
    argv.extend_from_slice(flags);
    let config = Config::parse_from(argv);
    let store = Store::open_with(&config.data_dir, config.store_config()).expect("store opens");
    let state = Arc::new(AppState::embedded(&config, Arc::new(store)).expect("state"));
    serve(state, &config, data_dir, Serving::Shared).await
}

/// Starts the app in proxy mode in front of `upstream`, with the given extra flags.
pub async fn start_proxy(upstream: &str, flags: &[&str]) -> TestServer {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut argv = vec!["logdash", "--elasticsearch", upstream];
    argv.extend_from_slice(flags);
    let config = Config::parse_from(argv);
    let upstream = logdash_server::proxy::Upstream::new(
        &logdash_server::proxy::UpstreamConfig::from_config(upstream, &config),
    )
    .expect("upstream");
    let state = Arc::new(AppState::proxy(&config, Arc::new(upstream)).expect("state"));
    serve(state, &config, data_dir, Serving::PerCore).await
}

/// How `main` serves each mode: embedded on the shared runtime, proxy on one runtime per core.
enum Serving {
    Shared,
    PerCore,
}

async fn serve(
    state: Arc<AppState>,
    config: &Config,
    data_dir: tempfile::TempDir,
    serving: Serving,
) -> TestServer {
    let limits = config.limits();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let app = app(Arc::clone(&state));
    match serving {
        Serving::Shared => drop(tokio::spawn(logdash_server::serve::shared(
            listener,
            app,
            limits,
            std::future::pending(),
        ))),
        Serving::PerCore => drop(tokio::spawn(logdash_server::serve::per_core(
            listener,
            app,
            limits,
            std::future::pending(),
        ))),
    }
    TestServer {
        address,
        state,
        _data_dir: data_dir,
    }
}

/// A parsed HTTP answer.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.body))
    }
}

/// The real engine's `host:port` (`LOGDASH_ENGINE_URL`, which `make test` sets after
/// `scripts/engine.sh start`); `None` with a note when unset, unless `LOGDASH_ENGINE_REQUIRED`.
pub fn engine(test: &str) -> Option<String> {
    let Ok(url) = std::env::var("LOGDASH_ENGINE_URL") else {
        assert!(
            std::env::var_os("LOGDASH_ENGINE_REQUIRED").is_none(),
            "LOGDASH_ENGINE_REQUIRED is set but LOGDASH_ENGINE_URL is not"
        );
        eprintln!("{test}: no engine (LOGDASH_ENGINE_URL unset), skipped");
        return None;
    };
    Some(
        url.trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string(),
    )
}

/// Sends one request (the raw request head is built here; the path goes out as given).
pub async fn request(server: &TestServer, method: &str, path: &str, body: &str) -> Answer {
    request_with(server, method, path, &[], body).await
}

/// Sends a request that must be refused with `status` and a JSON reason containing
/// `needle`; returns the answer for further checks.
/// Saves a query through `/api/saved-queries` (`body` as the API takes it); panics unless it
/// was created, and returns its id.
pub async fn save_query(server: &TestServer, body: &str) -> String {
    let created = request(server, "POST", "/api/saved-queries", body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub async fn assert_refused(
    server: &TestServer,
    (method, path, body, status, needle): (&str, &str, &str, u16, &str),
) -> Answer {
    let answer = request(server, method, path, body).await;
    assert_eq!(answer.status, status, "{method} {path}: {}", answer.body);
    let reason = answer.json()["error"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(reason.contains(needle), "{method} {path}: {reason}");
    answer
}

/// Like [`request`], with extra header lines ("Name: value").
pub async fn request_with(
    server: &TestServer,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> Answer {
    request_at(&server.address.to_string(), method, path, headers, body).await
}

/// Like [`request_with`], to any `host:port`, such as the real engine's.
pub async fn request_at(
    address: &str,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .unwrap_or_else(|err| panic!("connect to {address}: {err}"));
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    parse(&raw)
}

/// A GET whose answer may end broken: its head, its body (de-chunked), and whether the
/// chunked body ended as HTTP says a whole one ends (its last, empty chunk).
pub async fn request_raw(
    server: &TestServer,
    path: &str,
    headers: &[&str],
) -> (String, String, bool) {
    let mut stream = tokio::net::TcpStream::connect(server.address)
        .await
        .expect("connect");
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    let head = format!("GET {path} HTTP/1.1\r\nHost: logdash\r\n{extra}Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    // a connection the server breaks may end in a reset
    let _ = stream.read_to_end(&mut raw).await;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    // the chunks, by their sizes in bytes (a compressed body is no text)
    let (mut body, mut rest, mut whole) = (Vec::new(), &raw[split + 4..], false);
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let Ok(size) = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16)
        else {
            break;
        };
        let data = &rest[end + 2..];
        if size == 0 {
            whole = data.starts_with(b"\r\n");
            break;
        }
        if data.len() < size + 2 {
            break;
        }
        body.extend_from_slice(&data[..size]);
        rest = &data[size + 2..];
    }
    (head, String::from_utf8_lossy(&body).into_owned(), whole)
}

fn parse(raw: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(key, value)| key.eq_ignore_ascii_case("transfer-encoding") && value == "chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

/// The flags [`REFUSALS`] are written for.
pub const REFUSAL_FLAGS: &[&str] = &[
    "--allowed-indices",
    "logs-*,logstash-*",
    "--max-body-bytes",
    "1000",
];

/// Sends every request of [`REFUSALS`], and a method override, to a proxy started with
/// [`REFUSAL_FLAGS`]: each must be refused, naming its rule.
pub async fn assert_all_refused(server: &TestServer) {
    for &case in REFUSALS.iter().chain(hostile::HOSTILE) {
        assert_refused(server, case).await;
    }
    let deep = hostile::deep_body();
    assert_refused(
        server,
        ("POST", "/es/logs-a/_search", &deep, 403, "nests deeper"),
    )
    .await;
    let overridden = request_with(
        server,
        "GET",
        "/es/logs-a/_search",
        &["X-HTTP-Method-Override: DELETE"],
        "",
    )
    .await;
    assert_eq!(overridden.status, 403, "{}", overridden.body);
}

/// Requests `/es/` must refuse (with `--allowed-indices logs-*,logstash-*`): method, path,
/// body, status, and words the refusal's reason must contain.
pub const REFUSALS: &[(&str, &str, &str, u16, &str)] = &[
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
    (
        "GET",
        "/es/logs-a/_mapping",
        r#"{"script":{"source":"1"}}"#,
        400,
        "request [GET /logs-a/_mapping] does not support having a body",
    ),
    ("GET", "/es/", "{}", 400, "does not support having a body"),
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
        "/es/logs-a/_search?filter_path=hits%26q%3Dx",
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
        r#"{"runtime_mappings":{"x":{"type":"long","script":"emit(1)"}}}"#,
        403,
        "[runtime_mappings]",
    ),
    (
        "POST",
        "/es/logs-a/_search",
        r#"{"query":{"wrapper":{"query":"eyJzY3JpcHQiOnt9fQ=="}}}"#,
        403,
        "[wrapper]",
    ),
    (
        "POST",
        "/es/logs-a/_search",
        r#"{"query":{"terms":{"user":{"index":"secrets","id":"1","path":"names"}}}}"#,
        403,
        "[terms] lookup",
    ),
    (
        "POST",
        "/es/logs-a/_search",
        r#"{"query":{"more_like_this":{"fields":["message"],"like":[{"_index":"secrets","_id":"1"}]}}}"#,
        403,
        "[more_like_this]",
    ),
    (
        "POST",
        "/es/logs-a/_count",
        r#"{"query":{"bool":{"should":[{"percolate":{"field":"q","document":{}}}]}}}"#,
        403,
        "[percolate]",
    ),
    (
        "POST",
        "/es/logs-a/_search",
        r#"{"size":0,"aggs":{"a":{"terms":{"field":"level.keyword"},"aggs":{"b":{"filter":{"wrapper":{"query":"e30="}}}}}}}"#,
        403,
        "[wrapper]",
    ),
    (
        "POST",
        "/es/logs-a/_search",
        r#"{"post_filter":{"terms":{"user":{"index":"secrets","id":"1","path":"p"}}}}"#,
        403,
        "[terms] lookup",
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
    ("POST", "/es/_msearch", "{}\n{}\n", 403, "names no index"),
    (
        "POST",
        "/es/logs-a/_msearch",
        "{\"expand_wildcards\":\"all\"}\n{}\n",
        403,
        "[expand_wildcards]",
    ),
    (
        "POST",
        "/es/logs-a/_search",
        "{not json",
        400,
        "not valid JSON",
    ),
];

/// Every kind of request the dashboard itself sends to `/es/`.
pub const DASHBOARD_REQUESTS: &[(&str, &str, &str)] = &[
    ("GET", "/es/", ""),
    ("GET", "/es/_cat/indices?format=json", ""),
    ("GET", "/es/logs-*/_field_caps?fields=*", ""),
    ("GET", "/es/logs-*/_mapping", ""),
    ("POST", "/es/logs-*/_count", r#"{"query":{"query_string":{"query":"hello"}}}"#),
    ("POST", "/es/logs-*/_search", r#"{"size":200,"sort":[{"@timestamp":"desc"}],"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"2025-11-25T00:00:00Z"}}}]}}}"#),
    ("POST", "/es/_msearch", "{\"index\":\"logs-*\"}\n{\"size\":0,\"aggs\":{\"u\":{\"cardinality\":{\"field\":\"extra.user_id.keyword\"}}}}\n"),
];
