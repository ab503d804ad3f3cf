//! The export's figures (`/api/export`, #18): 100,000 events (the server's maximum, set
//! by the benchmark) streamed as NDJSON, events per second and the server's memory while
//! it runs, beside the same events read the way a script would without it: pages of
//! 1,000 through `/es/` with `search_after`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What one way of reading the events measured.
pub struct Read100k {
    pub events: u64,
    pub seconds: f64,
    /// The server's anonymous resident memory before, and its highest while reading (KiB).
    pub rss_before: u64,
    pub rss_max: u64,
}

/// `/api/export` of every event in the hour before `now`, cut at the server's maximum.
pub fn export(web: &str, pid: u32, now: i64) -> Read100k {
    measure(pid, || {
        let path = format!(
            "/api/export?index=logstash-*&from={}&to={now}&format=ndjson",
            now - 3_600_000
        );
        let file = super::http(web, "GET", &path, "");
        file.lines().count() as u64
    })
}

/// The same events through `/es/`, a page of 1,000 at a time with `search_after`.
pub fn pages(web: &str, pid: u32, now: i64, want: u64) -> Read100k {
    measure(pid, || {
        let mut after: Option<serde_json::Value> = None;
        let mut events = 0;
        while events < want {
            let mut body = serde_json::json!({
                "size": 1_000,
                "sort": [{"@timestamp": "desc"}, {"extra.request_id.keyword": "desc"}],
                "query": {"range": {"@timestamp": {"gte": now - 3_600_000, "lte": now, "format": "epoch_millis"}}},
            });
            if let Some(after) = &after {
                body["search_after"] = after.clone();
            }
            let answer: serde_json::Value = serde_json::from_str(&super::http(
                web,
                "POST",
                "/es/logstash-*/_search",
                &body.to_string(),
            ))
            .unwrap();
            let hits = answer["hits"]["hits"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let Some(last) = hits.last() else { break };
            after = Some(last["sort"].clone());
            events += hits.len() as u64;
        }
        events
    })
}

/// Times `read`, sampling the server's memory every 20 ms while it runs.
fn measure(pid: u32, read: impl FnOnce() -> u64) -> Read100k {
    let rss_before = rss(pid);
    let running = Arc::new(AtomicBool::new(true));
    let highest = Arc::new(AtomicU64::new(rss_before));
    let sampler = {
        let (running, highest) = (Arc::clone(&running), Arc::clone(&highest));
        std::thread::spawn(move || {
            while running.load(Ordering::Relaxed) {
                highest.fetch_max(rss(pid), Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        })
    };
    let started = Instant::now();
    let events = read();
    let seconds = started.elapsed().as_secs_f64();
    running.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    Read100k {
        events,
        seconds,
        rss_before,
        rss_max: highest.load(Ordering::Relaxed),
    }
}

/// The process's anonymous resident memory (KiB): its heap and stacks, without the store's
/// files mapped in (which the kernel pages in as they are read, and may drop at will).
pub fn rss(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            let line = status
                .lines()
                .find(|l| l.starts_with("RssAnon"))?
                .to_string();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}
