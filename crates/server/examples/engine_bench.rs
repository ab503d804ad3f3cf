//! The embedded store against a real Elasticsearch on the same machine, in one run: `_bulk`
//! ingest of the same events (python-logstash-async's shape) until all are searchable, disk
//! per event, and the dashboard's queries (the panels' `_msearch`, the stream's newest 200,
//! a field's top values) over them; then the same `_bulk` bodies gzip-compressed (as
//! Logstash and Beats send them) into a second, empty store.
//!
//! `LOGDASH_ENGINE_URL=http://127.0.0.1:19200 cargo run --release -p logdash-server
//! --example engine_bench -- [EVENTS]` (default 1000000; `make bench` starts the engine with
//! `scripts/engine.sh` and runs it). Prints one table; BENCHMARKS.md keeps results.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark prints, and fails loudly"
)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use logdash_server::demo::Simulator;

/// Events per `_bulk` request, as Logstash's `elasticsearch` output batches them.
const BATCH: usize = 5_000;
/// The index both get, one shard and no replica on the engine (the store keeps one copy).
const INDEX: &str = "logstash-bench";

/// One side of the comparison: where its `_bulk` goes and where its searches go.
struct Target {
    bulk: String,
    search: String,
    prefix: &'static str,
}

impl Target {
    fn count(&self) -> u64 {
        let answer = support::http(
            &self.search,
            "GET",
            &format!("{}/{INDEX}/_count", self.prefix),
            "",
        );
        let count: serde_json::Value = serde_json::from_str(&answer).unwrap_or_default();
        count["count"].as_u64().unwrap_or(0)
    }

    /// Sends every body (encoded as `encoding` says) on two connections' worth of threads;
    /// returns the time until all `events` are counted (the engine is refreshed once the
    /// last answer is in).
    fn ingest(
        &self,
        bodies: &[Vec<u8>],
        encoding: Option<&str>,
        events: u64,
        refresh: bool,
    ) -> Duration {
        let started = Instant::now();
        std::thread::scope(|scope| {
            for half in bodies.chunks(bodies.len().div_ceil(2)) {
                scope.spawn(move || {
                    for body in half {
                        let answer =
                            support::http_encoded(&self.bulk, "POST", "/_bulk", encoding, body);
                        assert!(
                            answer.contains("\"errors\":false"),
                            "{}",
                            &answer[..answer.len().min(300)]
                        );
                    }
                });
            }
        });
        if refresh {
            support::http(&self.search, "POST", &format!("/{INDEX}/_refresh"), "");
        }
        while self.count() < events {
            assert!(
                started.elapsed() < Duration::from_secs(1800),
                "not all events after 30 min"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        started.elapsed()
    }

    fn timed(&self, method: &str, path: &str, body: &str) -> (f64, f64) {
        let path = format!("{}{path}", self.prefix);
        support::timed(20, || support::http(&self.search, method, &path, body))
    }
}

fn main() {
    let events: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let engine_url = std::env::var("LOGDASH_ENGINE_URL")
        .expect("LOGDASH_ENGINE_URL: start an engine with scripts/engine.sh start");
    let engine_address = engine_url
        .trim_start_matches("http://")
        .trim_end_matches('/');

    let data = tempfile::tempdir().unwrap();
    let (mut child, store) = start_logdash(data.path());

    // the same events for both, spread over the last hour, as _bulk bodies made before timing
    let now = logdash_store::now_millis();
    let mut sim = Simulator::new(42);
    let mut bodies = Vec::new();
    let mut body = String::new();
    let (mut made, mut t) = (0, now - 3_600_000);
    let action = format!("{{\"index\":{{\"_index\":\"{INDEX}\"}}}}\n");
    while made < events {
        for mut event in sim.tick(t, 1_000) {
            if made == events {
                break;
            }
            // evenly over the hour the queries ask for, whatever a step of the simulator makes
            event["@timestamp"] = serde_json::json!(logdash_core::time::format_iso8601(
                now - 3_600_000 + (made as i64 * 3_600_000) / events as i64
            ));
            body.push_str(&action);
            body.push_str(&event.to_string());
            body.push('\n');
            made += 1;
            if made % BATCH == 0 {
                bodies.push(std::mem::take(&mut body));
            }
        }
        t += 1_000;
    }
    if !body.is_empty() {
        bodies.push(body);
    }
    let bodies: Vec<Vec<u8>> = bodies.into_iter().map(String::into_bytes).collect();
    let gzipped: Vec<Vec<u8>> = bodies.iter().map(|body| gzip(body)).collect();

    let engine = Target {
        bulk: engine_address.to_string(),
        search: engine_address.to_string(),
        prefix: "",
    };
    support::http(engine_address, "DELETE", &format!("/{INDEX}"), "");
    support::http(
        engine_address,
        "PUT",
        &format!("/{INDEX}"),
        r#"{"settings":{"number_of_shards":1,"number_of_replicas":0}}"#,
    );
    let store_ingest = store.ingest(&bodies, None, events as u64, false);
    let engine_ingest = engine.ingest(&bodies, None, events as u64, true);

    let panels = support::panels_body(now);
    let newest = r#"{"size":200,"sort":[{"@timestamp":"desc"},{"extra.request_id.keyword":"desc"}],"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"now-1h"}}}]}}}"#;
    let top_values = r#"{"size":0,"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"now-1h"}}}]}},"aggs":{"top":{"terms":{"field":"extra.url_path.keyword","size":10}},"lacking":{"filter":{"bool":{"must_not":{"exists":{"field":"extra.url_path"}}}}}}}"#;
    let queries = [
        ("panels `_msearch`", "/_msearch", panels.as_str()),
        ("stream: newest 200", "/logstash-*/_search", newest),
        ("a field's top values", "/logstash-*/_search", top_values),
    ];
    let timings: Vec<_> = queries
        .iter()
        .map(|(name, path, body)| {
            let (engine_path, engine_body) = uncached(path, body);
            (
                *name,
                store.timed("POST", path, body),
                engine.timed("POST", &engine_path, &engine_body),
            )
        })
        .collect();

    let _ = child.kill();
    let _ = child.wait();
    let store_bytes = folder_bytes(data.path());
    // the same bodies gzip-compressed, into a second, empty store
    let gzip_data = tempfile::tempdir().unwrap();
    let (mut gzip_child, gzip_store) = start_logdash(gzip_data.path());
    let gzip_ingest = gzip_store.ingest(&gzipped, Some("gzip"), events as u64, false);
    let _ = gzip_child.kill();
    let _ = gzip_child.wait();
    let (plain_bytes, gzip_bytes): (usize, usize) = (
        bodies.iter().map(Vec::len).sum(),
        gzipped.iter().map(Vec::len).sum(),
    );
    let sizes = support::http(
        engine_address,
        "GET",
        &format!("/_cat/indices/{INDEX}?format=json&bytes=b&h=pri.store.size"),
        "",
    );
    let sizes: serde_json::Value = serde_json::from_str(&sizes).unwrap_or_default();
    let engine_bytes: u64 = sizes[0]["pri.store.size"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);

    let per_second = |d: Duration| events as f64 / d.as_secs_f64();
    println!(
        "| {events} events | logdash (embedded store) | Elasticsearch | Elasticsearch / logdash |"
    );
    println!("|---|---|---|---|");
    println!(
        "| `_bulk` ingest until all searchable ({BATCH} a request, 2 connections) | {:.0} events/s ({:.1} s) | {:.0} events/s ({:.1} s) | {:.2}x the time |",
        per_second(store_ingest),
        store_ingest.as_secs_f64(),
        per_second(engine_ingest),
        engine_ingest.as_secs_f64(),
        engine_ingest.as_secs_f64() / store_ingest.as_secs_f64()
    );
    println!(
        "| `_bulk` ingest of gzip bodies ({:.0} MB, from {:.0} MB) until all searchable | {:.0} events/s ({:.1} s) | | |",
        gzip_bytes as f64 / 1e6,
        plain_bytes as f64 / 1e6,
        per_second(gzip_ingest),
        gzip_ingest.as_secs_f64(),
    );
    println!(
        "| disk per event (data folder; engine: primary store size, unmerged) | {:.0} B | {:.0} B | {:.2}x |",
        store_bytes as f64 / events as f64,
        engine_bytes as f64 / events as f64,
        engine_bytes as f64 / store_bytes.max(1) as f64
    );
    for (name, (store_p50, store_max), (engine_p50, engine_max)) in timings {
        println!(
            "| {name} | p50 {store_p50:.1} ms, max {store_max:.1} ms | p50 {engine_p50:.1} ms, max {engine_max:.1} ms | {:.2}x the time (p50) |",
            engine_p50 / store_p50
        );
    }
    support::http(engine_address, "DELETE", &format!("/{INDEX}"), "");
}

/// A logdash on an empty `data` folder, and where its `_bulk` and `/es/` are.
fn start_logdash(data: &std::path::Path) -> (std::process::Child, Target) {
    let binary = support::logdash_binary();
    let mut child = Command::new(&binary)
        .args(["--listen", "127.0.0.1:0", "--ingest-tcp", "127.0.0.1:0"])
        .args(["--ingest-http", "127.0.0.1:0"])
        .arg("--data-dir")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
    let (mut bulk, mut search) = (String::new(), String::new());
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some((_, address)) = line.split_once(", _bulk on http://") {
            bulk = address.to_string();
        }
        if let Some(url) = line.strip_prefix("logdash is running: open http://") {
            search = url.trim_end_matches('/').to_string();
            break;
        }
    }
    let target = Target {
        bulk,
        search,
        prefix: "/es",
    };
    (child, target)
}

/// A body as `Content-Encoding: gzip` sends it.
fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(body).unwrap();
    encoder.finish().unwrap()
}

/// Bytes of every file under `folder`.
fn folder_bytes(folder: &std::path::Path) -> u64 {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| match entry.metadata() {
                    Ok(meta) if meta.is_dir() => folder_bytes(&entry.path()),
                    Ok(meta) => meta.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// The same request with Elasticsearch's shard request cache off: the same query sent 20
/// times would be answered from it after the first, where a dashboard's refreshes move
/// their time range and miss it. `_msearch` takes the switch in each header line.
fn uncached(path: &str, body: &str) -> (String, String) {
    if !path.ends_with("/_msearch") {
        return (format!("{path}?request_cache=false"), body.to_string());
    }
    let lines: Vec<String> = body
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut value: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
            if i % 2 == 0 {
                value["request_cache"] = serde_json::Value::Bool(false);
            }
            value.to_string()
        })
        .collect();
    (path.to_string(), lines.join("\n") + "\n")
}
