//! What the server's benchmarks share: where the release `logdash` binary they run is, how
//! they read quantiles off their timings, and the dashboard's requests they time.

#![allow(dead_code, reason = "each benchmark uses its own subset")]

pub mod export;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Instant;

/// `$LOGDASH_BIN` when set (to compare two builds), else `target/release/logdash`, beside
/// `target/release/examples/` where a benchmark runs from.
pub fn logdash_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("LOGDASH_BIN") {
        return PathBuf::from(path);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("logdash")))
        .unwrap_or_else(|| PathBuf::from("target/release/logdash"))
}

/// The values at the quantiles `qs` (0.0 to 1.0; 1.0 is the maximum) of `values`, which
/// must not be empty.
pub fn quantiles<const N: usize>(mut values: Vec<f64>, qs: [f64; N]) -> [f64; N] {
    values.sort_by(f64::total_cmp);
    qs.map(|q| values[((values.len() as f64 * q) as usize).min(values.len() - 1)])
}

/// Median and maximum milliseconds of `runs` calls (after one warm-up).
pub fn timed(runs: usize, mut call: impl FnMut() -> String) -> (f64, f64) {
    let first = call();
    assert!(!first.contains("\"error\""), "{first}");
    let times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            call();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let [median, max] = quantiles(times, [0.5, 1.0]);
    (median, max)
}

/// The panels' `_msearch` over the hour before `now` (ms), and the hour before that.
pub fn panels_body(now: i64) -> String {
    let range = |from: i64, to: i64| serde_json::json!({"bool": {"filter": [{"range": {"@timestamp": {"gte": from, "lte": to, "format": "epoch_millis"}}}]}});
    let current = serde_json::json!({"size": 0, "track_total_hits": true, "query": range(now - 3_600_000, now), "aggs": {
        "users": {"cardinality": {"field": "extra.user_id.keyword"}},
        "latency": {"percentiles": {"field": "extra.response_time_ms", "percents": [50, 95, 99]}},
        "over_time": {"date_histogram": {"field": "@timestamp", "fixed_interval": "30s", "min_doc_count": 0}, "aggs": {
            "levels": {"terms": {"field": "level.keyword", "size": 10}},
            "users": {"cardinality": {"field": "extra.user_id.keyword"}},
            "latency": {"percentiles": {"field": "extra.response_time_ms", "percents": [50, 95, 99]}},
            "errors": {"range": {"field": "extra.status_code", "ranges": [{"from": 500}]}}
        }}
    }});
    let previous = serde_json::json!({"size": 0, "query": range(now - 7_200_000, now - 3_600_000), "aggs": {
        "latency": {"percentiles": {"field": "extra.response_time_ms", "percents": [50, 95, 99]}}
    }});
    format!("{{\"index\":\"logstash-*\"}}\n{current}\n{{\"index\":\"logstash-*\"}}\n{previous}\n")
}

/// One HTTP/1.1 request on a fresh connection; the answer's body.
pub fn http(address: &str, method: &str, path: &str, body: &str) -> String {
    http_encoded(address, method, path, None, body.as_bytes())
}

/// [`http`] with a body sent as `encoding` says (`Content-Encoding: gzip`).
pub fn http_encoded(
    address: &str,
    method: &str,
    path: &str,
    encoding: Option<&str>,
    body: &[u8],
) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    let encoding = encoding.map_or_else(String::new, |e| format!("Content-Encoding: {e}\r\n"));
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{encoding}Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_string();
    }
    // Elasticsearch streams some answers (_cat) in chunks
    let (mut out, mut rest) = (String::new(), body);
    while let Some((size, after)) = rest.split_once("\r\n") {
        match usize::from_str_radix(size.trim(), 16) {
            Ok(size) if size > 0 && after.len() >= size => {
                out.push_str(&after[..size]);
                rest = after[size..].trim_start_matches("\r\n");
            }
            _ => break,
        }
    }
    out
}
