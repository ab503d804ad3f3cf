//! Over real HTTP on loopback: the dashboard page's headers and `GET /es/`.

mod common;

use common::{request, start};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn es_root_answers_cluster_info_in_elasticsearch_shape() {
    let server = start(&[]).await;
    let answer = request(&server, "GET", "/es/", "").await;
    assert_eq!(answer.status, 200);
    let info = answer.json();
    assert_eq!(info["version"]["number"], "8.15.0");
    assert_eq!(info["cluster_name"], "logdash");
    assert_eq!(info["tagline"], "You Know, for Search");
    // every field of Elasticsearch 8's answer, a date where a date is
    for field in [
        "build_flavor",
        "build_type",
        "build_hash",
        "build_date",
        "lucene_version",
        "minimum_wire_compatibility_version",
        "minimum_index_compatibility_version",
    ] {
        assert!(info["version"][field].is_string(), "{field}: {info}");
    }
    assert_eq!(info["version"]["build_snapshot"], false);
    let date = info["version"]["build_date"].as_str().unwrap_or_default();
    assert!(logdash_core::time::parse_iso8601(date).is_some(), "{date}");
    // the dashboard still reads it (and tells the embedded store from a cluster)
    let read: logdash_core::es::info::ClusterInfo = serde_json::from_value(info).expect("reads");
    assert_eq!(
        read.distribution(),
        logdash_core::es::info::Distribution::LogdashEmbedded
    );
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
}

#[tokio::test]
async fn unknown_es_endpoint_gets_an_elasticsearch_error() {
    let server = start(&[]).await;
    let answer = request(&server, "GET", "/es/logs/_termvectors", "").await;
    assert_eq!(answer.status, 404);
    let error = answer.json();
    assert_eq!(error["status"], 404);
    assert!(
        error["error"]["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("logs/_termvectors")),
        "{error}"
    );
}

#[tokio::test]
async fn dashboard_page_carries_a_strict_content_security_policy() {
    let server = start(&["--frame-ancestors", "'self' https://portal.example"]).await;
    let answer = request(&server, "GET", "/", "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("cache-control"), Some("no-cache"));
    let csp = answer.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(
        !csp.contains("'unsafe-eval'") && !csp.contains("'unsafe-inline'"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'self' https://portal.example"),
        "{csp}"
    );
    assert_eq!(answer.header("referrer-policy"), Some("no-referrer"));
}

#[tokio::test]
async fn config_json_points_the_dashboard_at_its_apis() {
    let server = start(&[]).await;
    let answer = request(&server, "GET", "/config.json", "").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["esBase"], "es");
    assert_eq!(answer.json()["apiBase"], "api");
    assert_eq!(answer.json()["frameAncestors"], "'self'");
    // the embed API answers only the portals that may frame the dashboard
    let portal = "'self' https://portal.example.com";
    let server = start(&["--frame-ancestors", portal]).await;
    let answer = request(&server, "GET", "/config.json", "").await;
    assert_eq!(answer.json()["frameAncestors"], portal);
}

/// A client that sends part of its headers and then nothing (slowloris) loses its connection
/// once the header timeout passes, in both modes; a whole request on another connection is
/// still answered meanwhile.
#[tokio::test]
async fn a_client_that_trickles_its_headers_is_disconnected() {
    let upstream = common::upstream::Upstream::start().await;
    let servers = [
        start(&["--header-timeout-secs", "1"]).await,
        common::start_proxy(&upstream.url, &["--header-timeout-secs", "1"]).await,
    ];
    for server in &servers {
        let mut slow = tokio::net::TcpStream::connect(server.address)
            .await
            .expect("connects");
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: logdash\r\n")
            .await
            .expect("writes");
        assert_eq!(request(server, "GET", "/healthz", "").await.status, 200);
        let started = std::time::Instant::now();
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            slow.read_to_end(&mut rest),
        )
        .await;
        assert!(closed.is_ok(), "the connection is still open after 10 s");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "closed only after {:?}",
            started.elapsed()
        );
    }
}

/// `GET path` with `Accept-Encoding: accept` on a connection of its own: the head and the
/// body's bytes as sent.
async fn raw_get(server: &common::TestServer, path: &str, accept: &str) -> (String, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(server.address)
        .await
        .expect("connects");
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: logdash\r\nAccept-Encoding: {accept}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("reads");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    (
        String::from_utf8_lossy(&answer[..split]).to_lowercase(),
        answer[split + 4..].to_vec(),
    )
}

#[tokio::test]
async fn the_wasm_goes_out_gzipped_as_built_to_browsers_that_take_gzip() {
    let server = start(&[]).await;
    let page = request(&server, "GET", "/", "").await.body;
    let wasm = page
        .split(['\'', '"'])
        .find(|part| part.ends_with("_bg.wasm"))
        .expect("the page loads a wasm (build the dashboard first: scripts/build-dashboard.sh)")
        .trim_start_matches('.')
        .to_string();
    let (plain_head, plain) = raw_get(&server, &wasm, "identity").await;
    assert!(!plain_head.contains("content-encoding"), "{plain_head}");
    assert!(plain.starts_with(b"\0asm"), "a wasm module");
    let (head, packed) = raw_get(&server, &wasm, "gzip, deflate, br, zstd").await;
    assert!(head.contains("content-encoding: gzip"), "{head}");
    assert!(head.contains("vary: accept-encoding"), "{head}");
    // compressed when the binary was built, not as it is asked for: its length is known
    assert!(
        head.contains(&format!("content-length: {}", packed.len())),
        "{head}"
    );
    let mut unpacked = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(packed.as_slice()),
        &mut unpacked,
    )
    .expect("gunzips");
    assert_eq!(unpacked, plain, "the same module");
    assert!(packed.len() * 2 < plain.len(), "{} bytes", packed.len());
}

#[tokio::test]
async fn the_page_names_the_fields_request_of_the_view_it_opens() {
    let server = start(&[]).await;
    let page = request(&server, "GET", "/?index=logs-app&from=now-1h", "").await;
    assert!(
        page.body.contains(
            "<link rel=\"preload\" href=\"es/logs-app/_field_caps?fields=*&amp;\" as=\"fetch\" crossorigin=\"anonymous\" />"
        ),
        "{}",
        page.body
    );
    // a pattern no index could have is not the view's: the default one is named
    let hostile = request(&server, "GET", "/?index=%22%3E%3Cscript%3E", "").await;
    assert!(!hostile.body.contains("\"><script>"), "{}", hostile.body);
    assert!(
        hostile.body.contains("href=\"es/log*/_field_caps"),
        "{}",
        hostile.body
    );
}
