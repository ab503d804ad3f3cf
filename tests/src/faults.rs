//! Helpers for the fault tests (kills, a full disk): writes that may be cut short, and
//! checks that what was acknowledged is there.

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::Server;

/// A `_bulk` body creating one small event per id in `index`.
pub fn bulk_of(index: &str, ids: &[String]) -> String {
    ids.iter()
        .map(|id| {
            format!(
                "{{\"create\":{{\"_index\":\"{index}\",\"_id\":\"{id}\"}}}}\n{{\"@timestamp\":\"2026-12-05T10:00:00Z\",\"message\":\"event {id}\",\"level\":\"INFO\"}}\n"
            )
        })
        .collect()
}

/// A `_bulk` request over a fresh connection; `None` when the server is gone before the
/// whole answer arrived (a request cut short is not acknowledged).
pub async fn try_bulk(address: &str, body: &str) -> Option<(u16, Value)> {
    let mut stream = tokio::net::TcpStream::connect(address).await.ok()?;
    let head = format!(
        "POST /_bulk HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.write_all(body.as_bytes()).await.ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    // a whole answer only: the length it announced
    let length = crate::content_length(head)?;
    if body.len() != length {
        return None;
    }
    let answer = serde_json::from_str(body)
        .unwrap_or_else(|err| panic!("a _bulk answer that is not JSON ({err}): {body}"));
    Some((status, answer))
}

/// Asserts that every id in `acknowledged` is in `index`; `when` says when, on failure.
pub async fn assert_all_there(server: &Server, index: &str, acknowledged: &[String], when: &str) {
    for chunk in acknowledged.chunks(1_000) {
        let found = count(server, index, json!({"ids": {"values": chunk}})).await;
        if found == chunk.len() {
            continue;
        }
        let answer = server
            .es(
                "POST",
                &format!("/{index}/_search"),
                &json!({"size": chunk.len(), "_source": false, "query": {"ids": {"values": chunk}}})
                    .to_string(),
            )
            .await;
        let there: Vec<&str> = answer["hits"]["hits"]
            .as_array()
            .map(|hits| hits.iter().filter_map(|h| h["_id"].as_str()).collect())
            .unwrap_or_default();
        let lost: Vec<&String> = chunk
            .iter()
            .filter(|id| !there.contains(&id.as_str()))
            .take(10)
            .collect();
        panic!(
            "{when}: {} of {} acknowledged events are lost, among them {lost:?}",
            chunk.len() - found,
            chunk.len()
        );
    }
}

/// How many events of `index` match `query` (none when there is no such index).
pub async fn count(server: &Server, index: &str, query: Value) -> usize {
    let answer = server
        .es(
            "POST",
            &format!("/{index}/_search"),
            &json!({"size": 0, "track_total_hits": true, "query": query}).to_string(),
        )
        .await;
    match answer["hits"]["total"]["value"].as_u64() {
        Some(n) => n as usize,
        None if answer["status"] == json!(404) => 0,
        None => panic!("no count for {index}: {answer}"),
    }
}

/// A small seeded generator (xorshift) for fault timings, so a failing run can be
/// repeated: the seed is printed, and `LOGDASH_FAULT_SEED=<seed>` gives it again.
pub struct Random(u64);

impl Random {
    pub fn seeded() -> Random {
        let seed = std::env::var("LOGDASH_FAULT_SEED")
            .ok()
            .and_then(|seed| seed.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("fault timings from seed {seed} (LOGDASH_FAULT_SEED={seed} repeats them)");
        Random(seed.max(1))
    }

    /// A number in `0..bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound.max(1)
    }
}
