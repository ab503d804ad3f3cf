//! How soon a line sent to the ingest port is on the dashboard's screen, pushed (the
//! stream on `/api/tail`) beside polled (the same page and rate, on a view the server does
//! not push: a regular expression), at 1,000 events/s with 20 watchers of the view (the
//! measured Chromium page and 19 raw Server-Sent Events readers).
//!
//! `LOGDASH_BIN=target/release/logdash cargo run --release -p logdash-e2e --example push_bench`
//! The sender stamps each line with the time it writes it; a MutationObserver in the page
//! notes when each line's row enters the DOM (same machine, same clock). Prints a Markdown
//! table; BENCHMARKS.md keeps results.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark prints, and fails loudly"
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use logdash_e2e::{iso, now_ms, Browser, Server};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const RATE: usize = 1_000;
const WATCHERS: usize = 19;
const WARM_UP: Duration = Duration::from_secs(3);
const MEASURED: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let server = Server::start(&[]).await;
    let browser = Browser::start().await;
    println!("| line sent to the ingest port -> its row in the DOM, {RATE} events/s, 20 watchers, {} s | lines seen | p50 | p95 | p99 | max | budget |", MEASURED.as_secs());
    println!("|---|---|---|---|---|---|---|");
    for (name, query, feed) in [
        (
            "pushed (`/api/tail`)",
            "message:probe",
            "pushed as events arrive",
        ),
        (
            "baseline: polled every 1 s (a view the server does not push)",
            "message:/probe/",
            "polled every 1 s",
        ),
    ] {
        let received = Arc::new(AtomicUsize::new(0));
        let readers: Vec<_> = (0..WATCHERS)
            .map(|_| {
                let received = Arc::clone(&received);
                tokio::spawn(read_stream(server.address(), query.to_string(), received))
            })
            .collect();
        browser
            .client
            .goto(&format!(
                "{}?index=logstash-*&from=now-5m&refresh=1&q={}",
                server.url,
                query.replace('/', "%2F")
            ))
            .await
            .expect("opens");
        browser.wait_for_text("#stream-feed", |t| t == feed).await;
        let _ = browser
            .client
            .execute(OBSERVE, vec![])
            .await
            .expect("observer");
        let sender = tokio::spawn(send(server.tcp.clone(), WARM_UP + MEASURED));
        tokio::time::sleep(WARM_UP + MEASURED + Duration::from_secs(2)).await;
        sender.abort();
        let seen = browser
            .client
            .execute("return window.__seen;", vec![])
            .await
            .expect("latencies");
        // the stream kept following the newest line throughout (nothing paused it)
        let paused = browser.texts("#resume").await;
        assert!(
            paused.is_empty(),
            "the stream stopped following: {paused:?}"
        );
        let warm_from = seen["start"].as_f64().unwrap_or_default() + WARM_UP.as_millis() as f64;
        let mut latencies: Vec<f64> = seen["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|l| l[0].as_f64().is_some_and(|sent| sent >= warm_from))
            .filter_map(|l| l[1].as_f64())
            .collect();
        latencies.sort_by(f64::total_cmp);
        let at = |q: f64| {
            latencies
                .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
                .copied()
                .unwrap_or(f64::NAN)
        };
        for reader in readers {
            reader.abort();
        }
        println!(
            "| {name} | {} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms | {} |",
            latencies.len(),
            at(0.5),
            at(0.95),
            at(0.99),
            latencies.last().copied().unwrap_or(f64::NAN),
            if feed.starts_with("pushed") {
                "p95 <= 250 ms"
            } else {
                ""
            }
        );
        eprintln!(
            "{name}: the {WATCHERS} other watchers read {} KB",
            received.load(Ordering::Relaxed) / 1024
        );
    }
    browser.close().await;
}

/// Notes, for each probe line, when its row first shows in the stream's DOM (rows are
/// reused as the list scrolls, so every change looks at the rows on screen).
const OBSERVE: &str = r#"
    window.__seen = { start: Date.now(), lines: [] };
    const first = new Set();
    const stream = document.querySelector('#stream');
    new MutationObserver(() => {
        const now = Date.now();
        stream.querySelectorAll('.row').forEach(row => {
            const match = /probe (\d+) at (\d+)/.exec(row.textContent || '');
            if (match && !first.has(match[1])) {
                first.add(match[1]);
                const sent = Number(match[2]);
                window.__seen.lines.push([sent, now - sent]);
            }
        });
    }).observe(stream, { childList: true, subtree: true, characterData: true });
"#;

/// One watcher of the view that reads its stream until aborted.
async fn read_stream(address: String, query: String, received: Arc<AtomicUsize>) {
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let head = format!(
        "GET /api/tail?index=logstash-*&q={} HTTP/1.1\r\nHost: logdash\r\nAccept: text/event-stream\r\n\r\n",
        query.replace(' ', "%20").replace('/', "%2F")
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut buffer = vec![0; 64 * 1024];
    while let Ok(n @ 1..) = stream.read(&mut buffer).await {
        received.fetch_add(n, Ordering::Relaxed);
    }
    // the server refused (a view it does not push) or closed: wait to be aborted
    std::future::pending::<()>().await;
}

/// RATE lines a second at a constant rate (due lines go out every 5 ms, whatever the
/// server's pace), each saying when it was written.
async fn send(tcp: String, lasting: Duration) {
    let mut stream = tokio::net::TcpStream::connect(&tcp).await.expect("tcp");
    let started = Instant::now();
    let mut sent = 0usize;
    while started.elapsed() < lasting {
        let due = (started.elapsed().as_secs_f64() * RATE as f64) as usize;
        let mut batch = String::new();
        while sent < due {
            let now = now_ms();
            let event: Value = json!({
                "@timestamp": iso(now),
                "level": "INFO",
                "message": format!("probe {sent} at {now}"),
            });
            batch.push_str(&event.to_string());
            batch.push('\n');
            sent += 1;
        }
        stream.write_all(batch.as_bytes()).await.expect("send");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
