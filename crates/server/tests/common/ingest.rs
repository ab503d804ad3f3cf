//! The ingest inputs on loopback, each on a fresh store: the TCP input and the `_bulk` port.

use std::net::SocketAddr;
use std::sync::Arc;

use logdash_server::ingest::{tcp, IngestStats, Sink};
use logdash_server::serve::{self, Limits};
use logdash_store::Store;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The TCP input: lines up to `max_line` bytes, `max_connections` at once.
pub async fn tcp_input(
    max_line: usize,
    max_connections: usize,
) -> (tempfile::TempDir, Arc<Store>, Arc<IngestStats>, SocketAddr) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    let stats = Arc::new(IngestStats::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(tcp::serve(
        listener,
        Sink::Store(Arc::clone(&store)),
        max_line,
        max_connections,
        Arc::clone(&stats),
    ));
    (dir, store, stats, address)
}

/// A `_bulk` port, bodies bounded to `max_bytes`.
pub async fn bulk_port(max_bytes: usize) -> (String, Arc<Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address").to_string();
    let app = logdash_server::ingest::http::app(Arc::clone(&store), max_bytes);
    let limits = Limits {
        header_timeout: std::time::Duration::from_secs(30),
        max_connections: 64,
    };
    tokio::spawn(serve::shared(listener, app, limits, std::future::pending()));
    (address, store, dir)
}

/// POSTs `body` (already encoded) to `path` with extra header lines (`Name: value\r\n`);
/// the status and the answer's JSON.
pub async fn post(address: &str, path: &str, headers: &str, body: &[u8]) -> (u16, Value) {
    send(address, "POST", path, headers, body).await
}

/// GETs `path`; the status and the answer's JSON.
pub async fn get(address: &str, path: &str) -> (u16, Value) {
    send(address, "GET", path, "", b"").await
}

/// PUTs a JSON `body` to `path`; the status and the answer's JSON.
pub async fn put(address: &str, path: &str, body: &str) -> (u16, Value) {
    send(address, "PUT", path, "", body.as_bytes()).await
}

async fn send(address: &str, method: &str, path: &str, headers: &str, body: &[u8]) -> (u16, Value) {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: logdash\r\nContent-Type: application/x-ndjson\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("writes");
    // the server may answer (and close) before reading a body it refuses
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}
