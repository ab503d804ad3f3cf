//! Slow and many clients (issue #21, item 4): a thousand clients trickling their headers do not
//! keep anyone else out, on the dashboard port in both modes and on the `_bulk` port; a port
//! serves a bounded number of connections at once, and a client past the bound waits for a
//! slot rather than being refused; a kept-alive connection that says nothing is closed.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use logdash_server::serve::{self, Limits};
use logdash_store::Store;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// How long a normal request may take while the slow clients hold their connections: far
/// more than it needs, far less than the header timeout that would free their slots.
const PATIENCE: Duration = Duration::from_secs(10);

/// Opens `count` connections to `address` that each send a request's headers a byte a
/// second, never finishing; they hold on until the set is dropped.
async fn trickle(address: SocketAddr, count: usize) -> JoinSet<()> {
    let mut clients = JoinSet::new();
    for _ in 0..count {
        let mut stream = TcpStream::connect(address)
            .await
            .expect("a slow client connects");
        clients.spawn(async move {
            for byte in b"GET /healthz HTTP/1.1\r\nHost: logdash\r\nX-Slow: "
                .iter()
                .cycle()
            {
                if stream.write_all(&[*byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }
    clients
}

/// A whole request on a fresh connection, its status, within [`PATIENCE`].
async fn answered(address: SocketAddr, method: &str, path: &str, body: &str) -> u16 {
    let address = address.to_string();
    let asked = common::request_at(&address, method, path, &[], body);
    tokio::time::timeout(PATIENCE, asked)
        .await
        .unwrap_or_else(|_| panic!("{method} {path} was not answered within {PATIENCE:?}"))
        .status
}

/// Serves a `_bulk` port on a fresh store as `main` does.
async fn bulk_port(limits: Limits) -> (SocketAddr, Arc<Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let app = logdash_server::ingest::http::app(Arc::clone(&store), 1 << 20);
    tokio::spawn(serve::shared(listener, app, limits, std::future::pending()));
    (address, store, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_slow_clients_keep_no_one_else_out() {
    let upstream = common::upstream::Upstream::start().await;
    let embedded = common::start(&[]).await;
    let proxy = common::start_proxy(&upstream.url, &[]).await;
    let (bulk, store, _dir) = bulk_port(Limits {
        header_timeout: Duration::from_secs(30),
        max_connections: 4096,
    })
    .await;
    for address in [embedded.address, proxy.address] {
        let slow = trickle(address, 1000).await;
        for _ in 0..10 {
            assert_eq!(answered(address, "GET", "/healthz", "").await, 200);
            assert_eq!(
                answered(address, "POST", "/es/logs-*/_search", "{}").await,
                200
            );
        }
        assert_eq!(
            slow.len(),
            1000,
            "the slow clients still hold their connections"
        );
    }
    let slow = trickle(bulk, 1000).await;
    for n in 0..10 {
        let line = format!(
            "{{\"index\":{{\"_index\":\"logs-app\"}}}}\n{{\"@timestamp\":\"2026-12-04T10:00:0{n}Z\",\"message\":\"event {n}\"}}\n"
        );
        assert_eq!(
            answered(bulk, "POST", "/_bulk?refresh=true", &line).await,
            200
        );
    }
    assert_eq!(slow.len(), 1000);
    let count = store
        .count("logs-app", &serde_json::json!({}))
        .expect("counts");
    assert_eq!(
        count["count"], 10,
        "every event sent beside the slow clients is stored"
    );
}

#[tokio::test]
async fn past_the_connection_bound_a_client_waits_for_a_slot() {
    let server = common::start(&["--max-connections", "8"]).await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(server.address).await.expect("connects"));
    }
    // every slot is taken: the ninth client is queued, not answered
    let address = server.address.to_string();
    let queued = common::request_at(&address, "GET", "/healthz", &[], "");
    assert!(
        tokio::time::timeout(Duration::from_secs(1), queued)
            .await
            .is_err(),
        "a ninth connection was served while eight held every slot"
    );
    // one ends: its slot goes to the next client in the queue
    drop(held.pop());
    assert_eq!(answered(server.address, "GET", "/healthz", "").await, 200);
}

#[tokio::test]
async fn a_kept_alive_connection_that_says_nothing_is_closed() {
    let server = common::start(&["--header-timeout-secs", "1"]).await;
    let mut stream = TcpStream::connect(server.address).await.expect("connects");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: logdash\r\n\r\n")
        .await
        .expect("writes");
    let started = Instant::now();
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer)).await;
    assert!(
        closed.is_ok(),
        "the idle connection was still open after {PATIENCE:?}"
    );
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "the request before the silence was answered"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed only after {:?}",
        started.elapsed()
    );
}
