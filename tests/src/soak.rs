//! A soak: constant-rate ingest on the TCP input, dashboards refreshing their panels, and
//! live tails, all at once for a while, measured window by window (`make soak` runs ten
//! minutes on the release binary; `tests/tests/soak.rs` one minute in the test command).
//!
//! Load is open-loop: each dashboard's refresh is sent at its scheduled time whether or not
//! the one before has been answered, and its latency counts from that time. A slow server
//! cannot hide its latency by slowing the load down (no coordinated omission).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use logdash_core::dashboard::fields::{from_field_caps, resolve, ResolvedFields};
use logdash_core::dashboard::panels::PanelsRequest;
use logdash_core::view::FieldOverrides;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{iso, now_ms, request, Server};

/// What the soak does.
#[derive(Debug, Clone)]
pub struct Plan {
    pub duration: Duration,
    /// Events a second on the TCP input.
    pub rate: usize,
    pub dashboards: usize,
    /// How often each dashboard refreshes its panels.
    pub refresh: Duration,
    /// The dashboards' range: the last `range` (steady once the soak has run that long).
    pub range: Duration,
    /// Live tails (`/api/tail` readers) held open throughout.
    pub tails: usize,
    /// How long each reported window is.
    pub window: Duration,
}

/// One window of the soak.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// Seconds since the start, at the window's end.
    pub end: u64,
    pub events_sent: usize,
    pub refreshes: usize,
    pub errors: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Bytes the live tails received.
    pub tail_bytes: usize,
    /// The server's resident memory at the window's end, all of it and the anonymous
    /// part (without the index files it maps, which the page cache holds).
    pub rss_mb: f64,
    pub anon_mb: f64,
}

/// What the soak's tasks count, shared.
#[derive(Default)]
struct Tally {
    /// Events sent on the TCP input.
    sent: AtomicUsize,
    /// Bytes the live tails received.
    tail_bytes: AtomicUsize,
    /// Refreshes sent.
    scheduled: AtomicUsize,
    refreshes: Mutex<Vec<Refresh>>,
    errors: Mutex<Vec<String>>,
}

impl Tally {
    /// Notes an error (the first 20 are kept).
    fn note(&self, error: String) {
        if let Ok(mut errors) = self.errors.lock() {
            if errors.len() < 20 {
                errors.push(error);
            }
        }
    }
}

/// One refresh answered: how long after it was due, and whether well.
struct Refresh {
    latency: Duration,
    ok: bool,
}

/// What a soak saw.
pub struct Outcome {
    pub windows: Vec<Window>,
    /// The first errors seen (at most 20).
    pub errors: Vec<String>,
    /// Refreshes sent and not answered by the end.
    pub unanswered: usize,
}

/// Runs `plan` against `server`.
pub async fn run(server: &Server, plan: &Plan) -> Outcome {
    let started = Instant::now();
    let tally = Arc::new(Tally::default());
    let ingest = tokio::spawn(ingest(server.tcp.clone(), plan.clone(), Arc::clone(&tally)));
    // the dashboards read the fields once events have them, as the page does
    tokio::time::sleep(Duration::from_secs(2)).await;
    let fields = fields(server).await;
    let tails: Vec<_> = (0..plan.tails)
        .map(|_| tokio::spawn(tail(server.address(), Arc::clone(&tally))))
        .collect();
    // the dashboards' schedule starts now (their first refreshes are not late for the wait)
    let opened = Instant::now();
    let dashboards: Vec<_> = (0..plan.dashboards)
        .map(|n| {
            let dashboard = Dashboard {
                address: server.address(),
                fields: fields.clone(),
                range: plan.range,
                refresh: plan.refresh,
                opened,
                // spread over the refresh period, as dashboards opened at different times are
                first: plan.refresh.mul_f64(n as f64 / plan.dashboards as f64),
                last: plan.duration.saturating_sub(opened - started),
            };
            tokio::spawn(dashboard.run(Arc::clone(&tally)))
        })
        .collect();

    let mut windows = Vec::new();
    let pid = server.pid().unwrap_or_default();
    let (mut sent_before, mut tail_before, mut refreshes_before) = (0, 0, 0);
    let mut end = plan.window;
    while end <= plan.duration {
        tokio::time::sleep_until((started + end).into()).await;
        let (rss_mb, anon_mb) = memory(pid);
        let sent = tally.sent.load(Ordering::Relaxed);
        let tail_bytes = tally.tail_bytes.load(Ordering::Relaxed);
        let mut window = Window {
            end: end.as_secs(),
            events_sent: sent - sent_before,
            tail_bytes: tail_bytes - tail_before,
            rss_mb,
            anon_mb,
            ..Window::default()
        };
        (sent_before, tail_before) = (sent, tail_bytes);
        // the refreshes answered in this window (each latency from when it was due)
        if let Ok(done) = tally.refreshes.lock() {
            let answered = &done[refreshes_before..];
            let mut latencies: Vec<f64> = answered
                .iter()
                .map(|r| r.latency.as_secs_f64() * 1000.0)
                .collect();
            latencies.sort_by(f64::total_cmp);
            window.errors = answered.iter().filter(|r| !r.ok).count();
            window.refreshes = latencies.len();
            window.p50_ms = percentile(&latencies, 0.50);
            window.p99_ms = percentile(&latencies, 0.99);
            window.max_ms = latencies.last().copied().unwrap_or_default();
            refreshes_before = done.len();
        }
        windows.push(window);
        end += plan.window;
    }
    for task in dashboards.into_iter().chain(tails) {
        task.abort();
    }
    let _ = ingest.await;
    // a refresh due in the last moments may still be on its way: give it a few seconds
    tokio::time::sleep(Duration::from_secs(5)).await;
    let answered = tally
        .refreshes
        .lock()
        .map(|done| done.len())
        .unwrap_or_default();
    Outcome {
        windows,
        errors: tally.errors.lock().map(|e| e.clone()).unwrap_or_default(),
        unanswered: tally
            .scheduled
            .load(Ordering::Relaxed)
            .saturating_sub(answered),
    }
}

/// The windows as a Markdown table.
pub fn table(plan: &Plan, windows: &[Window]) -> String {
    let mut out = String::from(
        "| s | events/s sent | refreshes answered | errors | refresh p50 | p99 | max | tail KB/s | RSS MB | of it anonymous MB |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    let seconds = plan.window.as_secs_f64();
    for w in windows {
        out.push_str(&format!(
            "| {} | {:.0} | {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.0} | {:.0} | {:.0} |\n",
            w.end,
            w.events_sent as f64 / seconds,
            w.refreshes,
            w.errors,
            w.p50_ms,
            w.p99_ms,
            w.max_ms,
            w.tail_bytes as f64 / 1024.0 / seconds,
            w.rss_mb,
            w.anon_mb,
        ));
    }
    out
}

/// `plan.rate` events a second on the TCP input, due ones sent every 5 ms whatever the
/// server's pace, shaped as python-logstash-async sends a Flask app's requests.
async fn ingest(tcp: String, plan: Plan, tally: Arc<Tally>) {
    let mut stream = match tokio::net::TcpStream::connect(&tcp).await {
        Ok(stream) => stream,
        Err(err) => return tally.note(format!("cannot connect to the TCP input: {err}")),
    };
    let started = Instant::now();
    let mut count = 0usize;
    while started.elapsed() < plan.duration {
        let due = (started.elapsed().as_secs_f64() * plan.rate as f64) as usize;
        let mut batch = String::new();
        while count < due {
            batch.push_str(&event(count).to_string());
            batch.push('\n');
            count += 1;
        }
        if let Err(err) = stream.write_all(batch.as_bytes()).await {
            return tally.note(format!("the TCP input stopped taking events: {err}"));
        }
        tally.sent.store(count, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The `n`th event: one request of a Flask app, one in 20 failing.
fn event(n: usize) -> Value {
    let error = n.is_multiple_of(20);
    json!({
        "@timestamp": iso(now_ms()),
        "level": if error { "ERROR" } else { "INFO" },
        "logger_name": "app.views",
        "message": format!("GET /hello/user{} {} request {n}", n % 97, if error { 500 } else { 200 }),
        "extra": {
            "user_id": format!("u{}", n % 250),
            "response_time_ms": 5 + (n * 7919) % 400,
            "status_code": if error { 500 } else { 200 },
            "request_id": format!("r{n}"),
        }
    })
}

/// The dashboard's fields, resolved from `_field_caps` as the page resolves them.
async fn fields(server: &Server) -> ResolvedFields {
    let answer = server
        .es("GET", "/logstash-*/_field_caps?fields=*", "")
        .await;
    resolve(&FieldOverrides::default(), &from_field_caps(&answer))
}

/// One dashboard: its panels' `_msearch` at each refresh, sent when due.
struct Dashboard {
    address: String,
    fields: ResolvedFields,
    range: Duration,
    refresh: Duration,
    /// When the dashboards opened; `first` and `last` count from then.
    opened: Instant,
    first: Duration,
    last: Duration,
}

impl Dashboard {
    async fn run(self, tally: Arc<Tally>) {
        let this = Arc::new(self);
        let mut due = this.first;
        while due < this.last {
            tokio::time::sleep_until((this.opened + due).into()).await;
            tally.scheduled.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(Arc::clone(&this).refresh(due, Arc::clone(&tally)));
            due += this.refresh;
        }
    }

    /// One refresh, due at `due`; its latency counts from then.
    async fn refresh(self: Arc<Self>, due: Duration, tally: Arc<Tally>) {
        let now = now_ms();
        let body = PanelsRequest {
            index: "logstash-*".into(),
            search: Default::default(),
            from: now - self.range.as_millis() as i64,
            to: now,
            offset_minutes: 0,
            time_zone: None,
            now,
        }
        .msearch_body(&self.fields);
        let (status, answer) = request(&self.address, "POST", "/es/_msearch", &body).await;
        let ok = status == 200 && answered_well(&answer);
        if !ok {
            tally.note(format!("a refresh answered {status}: {answer}"));
        }
        if let Ok(mut done) = tally.refreshes.lock() {
            done.push(Refresh {
                latency: self.opened.elapsed().saturating_sub(due),
                ok,
            });
        }
    }
}

/// Whether an `_msearch` answer has every response whole: no error, no failed shard.
fn answered_well(answer: &str) -> bool {
    let Ok(answer) = serde_json::from_str::<Value>(answer) else {
        return false;
    };
    answer["responses"].as_array().is_some_and(|responses| {
        responses
            .iter()
            .all(|r| r.get("error").is_none() && r["_shards"]["failed"] == json!(0))
    })
}

/// One live tail of the view, read until aborted; counts the bytes it receives.
async fn tail(address: String, tally: Arc<Tally>) {
    let Ok(mut stream) = tokio::net::TcpStream::connect(&address).await else {
        return tally.note("cannot connect a live tail".to_string());
    };
    let head = "GET /api/tail?index=logstash-*&q= HTTP/1.1\r\nHost: logdash\r\nAccept: text/event-stream\r\n\r\n";
    if stream.write_all(head.as_bytes()).await.is_err() {
        return tally.note("cannot open a live tail".to_string());
    }
    let mut buffer = vec![0; 64 * 1024];
    while let Ok(n @ 1..) = stream.read(&mut buffer).await {
        tally.tail_bytes.fetch_add(n, Ordering::Relaxed);
    }
    tally.note("a live tail was closed by the server".to_string());
}

/// Resident memory of `pid` in MB: all of it, and the anonymous part.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<f64>().ok())
            .unwrap_or_default()
    };
    (kb("VmRSS:") / 1024.0, kb("RssAnon:") / 1024.0)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
