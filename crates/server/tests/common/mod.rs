//! Shared helpers: run the real router on a loopback socket and speak raw HTTP/1.1 to it.

#![allow(dead_code, reason = "each test file uses its own subset")]

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
    let store = Arc::new(Store::open(&config.data_dir).expect("store opens"));
    let state = Arc::new(AppState::new(&config, store));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let router = app(Arc::clone(&state));
    tokio::spawn(async move { axum::serve(listener, router).await });
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

/// Sends one request (the raw request head is built here; the path goes out as given).
pub async fn request(server: &TestServer, method: &str, path: &str, body: &str) -> Answer {
    let mut stream = tokio::net::TcpStream::connect(server.address)
        .await
        .expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.address,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    parse(&raw)
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
