//! Benchmark of the store alone: events shaped like python-logstash-async's, indexed in
//! batches as the TCP input hands them over, until they are all searchable.
//!
//! `cargo run --release -p logdash-store --example ingest -- [EVENTS] [--no-logstash-template]`
//! (default 200000 events; daily indices mapped by Logstash's own template, as logdash
//! maps them; `--no-logstash-template`: as their events come).

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark prints, and fails loudly"
)]

use std::time::Instant;

fn main() {
    let events: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let data = tempfile::tempdir().unwrap();
    // daily indices mapped by Logstash's template, as logdash maps them, or as events come
    // (`--no-logstash-template`)
    let config = logdash_store::StoreConfig {
        logstash_template: !std::env::args().any(|a| a == "--no-logstash-template"),
        ..logdash_store::StoreConfig::default()
    };
    let store = logdash_store::Store::open_with(data.path(), config).unwrap();
    let now = logdash_store::now_millis();
    let batches: Vec<Vec<logdash_store::Source>> = (0..events)
        .collect::<Vec<_>>()
        .chunks(2_000)
        .map(|chunk| chunk.iter().map(|&i| event(now, i)).collect())
        .collect();
    let (started, cpu_before) = (Instant::now(), cpu_seconds("/proc/self/stat"));
    let caller_before = cpu_seconds("/proc/thread-self/stat");
    for batch in batches {
        store.ingest(batch).unwrap();
    }
    store.flush().unwrap();
    let took = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds("/proc/self/stat") - cpu_before;
    let caller = cpu_seconds("/proc/thread-self/stat") - caller_before;
    println!(
        "{events} events searchable in {took:.2} s: {:.0} events/s, {:.1} µs of CPU per event \
         ({:.1} µs in the calling thread, which shapes and prepares each event)",
        events as f64 / took,
        cpu * 1e6 / events as f64,
        caller * 1e6 / events as f64
    );
}

fn event(now: i64, i: usize) -> logdash_store::Source {
    use logdash_core::logstash::{request_event, RequestFields};
    let at = now - 3_600_000 + (i as i64 * 3_600_000) / 1_000_000;
    let ms = ((i * 7_919) % 50_000) as f64 / 100.0;
    let status = if i.is_multiple_of(50) { 500 } else { 200 };
    let path = format!("/hello/name{}", i % 97);
    let value = request_event(
        at,
        if status == 500 { "ERROR" } else { "INFO" },
        &format!("GET {path} {status} {ms}ms"),
        "say_hello",
        &RequestFields {
            method: "GET",
            url_path: &path,
            status_code: status,
            response_time_ms: ms,
            user_id: &format!("user-{:03}", i % 300),
            request_id: &format!("demo-{:012x}-{i}", i.wrapping_mul(2_654_435_761)),
            client_ip: &format!("10.0.{}.{}", i % 7, i % 251),
        },
    );
    match value {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("an object"),
    }
}

/// CPU time (user + system) so far of the process or thread whose `stat` file is named,
/// from /proc (Linux); 0 elsewhere.
fn cpu_seconds(stat: &str) -> f64 {
    let stat = std::fs::read_to_string(stat).unwrap_or_default();
    // fields after the command's closing parenthesis; utime and stime are the 12th and 13th
    let after = stat.rsplit(')').next().unwrap_or_default();
    let ticks: Vec<f64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}
