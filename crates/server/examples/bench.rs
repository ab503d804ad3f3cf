//! Benchmark of the real `logdash` binary (release): TCP ingest of events shaped like
//! python-logstash-async's (with a probe timing how soon single events become searchable
//! while the load runs), then the dashboard's refresh (`_msearch` for the panels and the
//! newest 200 events) over what was ingested, an export of 100,000 of them beside the
//! same read in pages through `/es/`, with the server's memory.
//!
//! `cargo run --release -p logdash-server --example bench -- [EVENTS] [CONNECTIONS]`
//! (defaults: 1000000 events over 4 connections). Prints one table; BENCHMARKS.md keeps results.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark prints, and fails loudly"
)]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use logdash_server::demo::Simulator;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let connections: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(4);
    let binary = support::logdash_binary();
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(&binary)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--ingest-tcp",
            "127.0.0.1:0",
            "--ingest-http",
            "127.0.0.1:0",
            "--export-max-events",
            "100000",
            "--data-dir",
        ])
        .arg(data.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "start {}: {e} (build it: cargo build --release -p logdash-server)",
                binary.display()
            )
        });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut tcp, mut web) = (String::new(), String::new());
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("logdash ingest: logstash json_lines on tcp://") {
            tcp = rest.split(',').next().unwrap().to_string();
        }
        if let Some(url) = line.strip_prefix("logdash is running: open http://") {
            web = url.trim_end_matches('/').to_string();
            break;
        }
    }

    // events of the example app's shape, spread over the last hour, prepared before timing
    let now = logdash_store::now_millis();
    let mut sim = Simulator::new(42);
    let mut payloads = vec![Vec::new(); connections];
    let mut made = 0;
    let mut t = now - 3_600_000;
    while made < events {
        for event in sim.tick(t, 1_000) {
            if made == events {
                break;
            }
            let buffer = &mut payloads[made % connections];
            buffer.extend_from_slice(event.to_string().as_bytes());
            buffer.push(b'\n');
            made += 1;
        }
        t += (3_600_000 / (events as i64 / 25).max(1)).max(1);
    }
    let bytes: usize = payloads.iter().map(Vec::len).sum();

    let started = Instant::now();
    let sending = Arc::new(AtomicBool::new(true));
    let prober = {
        let (tcp, web, sending) = (tcp.clone(), web.clone(), Arc::clone(&sending));
        std::thread::spawn(move || probe_until_done(&tcp, &web, &sending))
    };
    let senders: Vec<_> = payloads
        .into_iter()
        .map(|payload| {
            let tcp = tcp.clone();
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(tcp).unwrap();
                stream.write_all(&payload).unwrap();
            })
        })
        .collect();
    for sender in senders {
        sender.join().unwrap();
    }
    let sent = started.elapsed();
    sending.store(false, Ordering::Relaxed);
    let lags = prober.join().unwrap();
    let not_probes = r#"{"query":{"bool":{"must_not":{"exists":{"field":"probe"}}}}}"#;
    // at least 2,000 events/s, or the run is not worth its figures
    let limit = Duration::from_secs((events as u64 / 2_000).max(600));
    wait_for_count(&web, not_probes, events as u64, started, limit);
    let searchable = started.elapsed();

    let panels = support::panels_body(now);
    let newest = r#"{"size":200,"sort":[{"@timestamp":"desc"},{"extra.request_id.keyword":"desc"}],"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"now-1h"}}}]}}}"#;
    let msearch = support::timed(20, || support::http(&web, "POST", "/es/_msearch", &panels));
    let search = support::timed(20, || {
        support::http(&web, "POST", "/es/logstash-*/_search", newest)
    });
    // the first moments of a page load: the stream's lines asked while the panels compute
    let beside: Vec<f64> = (0..20)
        .map(|_| {
            std::thread::scope(|scope| {
                let computing =
                    scope.spawn(|| support::http(&web, "POST", "/es/_msearch", &panels));
                std::thread::sleep(Duration::from_millis(2));
                let start = Instant::now();
                support::http(&web, "POST", "/es/logstash-*/_search", newest);
                let took = start.elapsed().as_secs_f64() * 1000.0;
                computing.join().unwrap();
                took
            })
        })
        .collect();
    let beside = support::quantiles(beside, [0.5, 1.0]);
    // what people type: a word and a wildcard without a field (every field that can hold them)
    let typed = |query: &str| {
        format!(
            r#"{{"size":200,"sort":[{{"@timestamp":"desc"}},{{"extra.request_id.keyword":"desc"}}],"track_total_hits":true,"query":{{"bool":{{"filter":[{{"range":{{"@timestamp":{{"gte":"now-1h"}}}}}},{{"query_string":{{"query":"{query}","default_operator":"AND"}}}}]}}}}}}"#
        )
    };
    // a field's top values, as the field sidebar asks for them when a field is clicked
    let top_values = |field: &str| {
        let body = logdash_core::dashboard::values::request(
            &Default::default(),
            now - 3_600_000,
            now + 60_000,
            field,
        )
        .to_string();
        support::timed(20, || {
            support::http(&web, "POST", "/es/logstash-*/_search", &body)
        })
    };
    let values = top_values("extra.user_id.keyword");
    // the same of a float field: its terms are sorted by the store, every one asked of tantivy
    let float_values = top_values("extra.response_time_ms");
    let (word, wildcard) = (typed("natalia"), typed("hel*"));
    let word = support::timed(20, || {
        support::http(&web, "POST", "/es/logstash-*/_search", &word)
    });
    let wildcard = support::timed(20, || {
        support::http(&web, "POST", "/es/logstash-*/_search", &wildcard)
    });
    // the export of 100,000 events, beside the same read page by page through /es/
    let export = support::export::export(&web, child.id(), now);
    let paged = support::export::pages(&web, child.id(), now, export.events);
    let rss = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse::<u64>()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();

    println!("| measure | value | goal |");
    println!("|---|---|---|");
    println!("| events (python-logstash-async shape, avg {} B) | {events} over {connections} TCP connections | |", bytes / events.max(1));
    println!(
        "| ingest, sent | {:.0} events/s ({:.1} s) | |",
        events as f64 / sent.as_secs_f64(),
        sent.as_secs_f64()
    );
    println!(
        "| ingest, searchable | {:.0} events/s ({:.1} s) | >= 100,000/s |",
        events as f64 / searchable.as_secs_f64(),
        searchable.as_secs_f64()
    );
    let probes = lags.len();
    let [lag50, lag90, lag_max] = support::quantiles(lags, [0.5, 0.9, 1.0]);
    println!(
        "| searchable after arrival, while ingesting ({} probes) | p50 {:.0} ms, p90 {:.0} ms, max {:.0} ms | <= 1,000 ms |",
        probes, lag50, lag90, lag_max
    );
    println!("| panels _msearch (histogram by level, users, percentiles, errors; + previous period) | p50 {:.1} ms, max {:.1} ms | <= 200 ms at 1M |", msearch.0, msearch.1);
    println!(
        "| newest 200 events (sorted, with tiebreaker) | p50 {:.1} ms, max {:.1} ms | |",
        search.0, search.1
    );
    println!(
        "| newest 200 events, asked 2 ms after the panels' _msearch | p50 {:.1} ms, max {:.1} ms | |",
        beside[0], beside[1]
    );
    println!(
        "| newest 200 matching a word without a field (`natalia`) | p50 {:.1} ms, max {:.1} ms | |",
        word.0, word.1
    );
    println!(
        "| newest 200 matching a wildcard without a field (`hel*`) | p50 {:.1} ms, max {:.1} ms | |",
        wildcard.0, wildcard.1
    );
    println!(
        "| a field's top values (field sidebar: terms on `extra.user_id.keyword`, and the events lacking it) | p50 {:.1} ms, max {:.1} ms | <= 150 ms at 1M, click to screen |",
        values.0, values.1
    );
    println!(
        "| a float field's top values (terms on `extra.response_time_ms`, every term sorted by the store) | p50 {:.1} ms, max {:.1} ms | <= 150 ms at 1M, click to screen |",
        float_values.0, float_values.1
    );
    let read = |name: &str, run: &support::export::Read100k, goal: &str| {
        println!(
            "| {name} | {} events in {:.2} s: {:.0} events/s; server anonymous RSS {} MiB before, at most {} MiB while | {goal} |",
            run.events,
            run.seconds,
            run.events as f64 / run.seconds,
            run.rss_before / 1024,
            run.rss_max / 1024
        );
    };
    read(
        "export, NDJSON (`/api/export`, cut at 100,000)",
        &export,
        ">= 20,000 events/s, flat memory",
    );
    read(
        "baseline: the same events in pages of 1,000 through `/es/` (search_after)",
        &paged,
        "",
    );
    println!("| server RSS after the run | {} MiB | |", rss / 1024);
}

/// While the senders run: sends one marked event at a time on a connection of its own and
/// times how long until `_count` finds it; returns those times in ms.
fn probe_until_done(tcp: &str, web: &str, sending: &AtomicBool) -> Vec<f64> {
    let mut stream = TcpStream::connect(tcp).unwrap();
    let mut lags = Vec::new();
    let mut n = 0;
    while sending.load(Ordering::Relaxed) {
        n += 1;
        let now = logdash_store::now_millis();
        let event = serde_json::json!({
            "@timestamp": logdash_core::time::format_iso8601(now),
            "message": "probe",
            "probe": format!("p{n}"),
        });
        let sent = Instant::now();
        stream.write_all(format!("{event}\n").as_bytes()).unwrap();
        let query = format!(r#"{{"query":{{"term":{{"probe.keyword":"p{n}"}}}}}}"#);
        wait_for_count(web, &query, 1, sent, Duration::from_secs(60));
        lags.push(sent.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(200));
    }
    lags
}

/// Polls `_count` with `query` until it is `want`; fails once `limit` has passed since `since`.
fn wait_for_count(web: &str, query: &str, want: u64, since: Instant, limit: Duration) {
    loop {
        let count: serde_json::Value =
            serde_json::from_str(&support::http(web, "POST", "/es/logstash-*/_count", query))
                .unwrap();
        if count["count"].as_u64() == Some(want) {
            return;
        }
        assert!(
            since.elapsed() < limit,
            "{query}: {count} after {limit:?}, not {want}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
