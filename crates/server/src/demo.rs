//! `--demo`: simulated users of the example Flask app (`/`, `/hello/<name>`, `/info`),
//! sent through logdash's own TCP input as python-logstash-async's `LogstashFormatter`
//! would send the example app's logs: a varying crowd, realistic response times, slow
//! spells and error bursts, each request's lines (a greeting, a failure's traceback, the
//! request's own line) carrying its request id. The last 30 minutes are back-filled at start so
//! every panel has something to show at once.

use std::net::SocketAddr;
use std::time::Duration;

pub use logdash_core::logstash::{request_event, request_line, RequestFields};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const NAMES: &[&str] = &[
    "Natalia", "N", "Ada", "Linus", "Grace", "Ken", "Barbara", "Dennis", "Margaret", "Alan",
];
const BACKFILL_MS: i64 = 30 * 60 * 1000;

/// Runs forever, reconnecting when the input goes away.
pub async fn run(ingest: SocketAddr) {
    let mut sim = Simulator::new(logdash_store::now_millis() as u64);
    let mut backfilled = false;
    loop {
        match TcpStream::connect(ingest).await {
            Ok(mut stream) => {
                if !backfilled {
                    let now = logdash_store::now_millis();
                    let mut t = now - BACKFILL_MS;
                    let mut buffer = Vec::new();
                    while t < now {
                        for event in sim.tick(t, 1_000) {
                            buffer.extend_from_slice(event.to_string().as_bytes());
                            buffer.push(b'\n');
                        }
                        t += 1_000;
                    }
                    if stream.write_all(&buffer).await.is_err() {
                        continue;
                    }
                    backfilled = true;
                    tracing::info!(minutes = BACKFILL_MS / 60_000, "demo traffic back-filled");
                }
                let mut ticker = tokio::time::interval(Duration::from_millis(250));
                loop {
                    ticker.tick().await;
                    let now = logdash_store::now_millis();
                    let mut buffer = Vec::new();
                    for event in sim.tick(now, 250) {
                        buffer.extend_from_slice(event.to_string().as_bytes());
                        buffer.push(b'\n');
                    }
                    if stream.write_all(&buffer).await.is_err() {
                        break;
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err, "demo cannot reach the tcp input"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The simulated app and its users; deterministic for a seed.
pub struct Simulator {
    state: u64,
    request: u64,
    /// Lines of requests still being served: logged once their time has come.
    pending: Vec<(i64, Value)>,
}

impl Simulator {
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed | 1,
            request: 0,
            pending: Vec::new(),
        }
    }

    fn next(&mut self) -> f64 {
        // xorshift64*: small, fast, good enough for traffic
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        (self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// How many users are around at `t`: a slow wave between tens and hundreds.
    fn crowd(t: i64) -> f64 {
        let minutes = t as f64 / 60_000.0;
        120.0 + 90.0 * (minutes / 9.0).sin() + 30.0 * (minutes / 2.3).cos()
    }

    /// Events for the `span_ms` ending at `t`, in time order: the lines logged by then
    /// (a request started in this span logs its own line when it ends, maybe later).
    pub fn tick(&mut self, t: i64, span_ms: i64) -> Vec<Value> {
        let crowd = Self::crowd(t);
        // each user makes about one request every 6 seconds
        let expected = crowd * span_ms as f64 / 6_000.0;
        let count = (expected + self.next() - 0.5).round().max(0.0) as usize;
        let minute = t / 60_000;
        let slow = minute % 11 == 7; // a slow spell: one minute in eleven
        let failing = minute % 13 == 4; // an error burst: one minute in thirteen
        for i in 0..count {
            let at = t - span_ms + (span_ms * (i as i64 + 1)) / (count as i64 + 1);
            let lines = self.request_lines(at, crowd, slow, failing);
            self.pending.extend(lines);
        }
        self.pending.sort_by_key(|(time, _)| *time);
        let due = self.pending.partition_point(|(time, _)| *time <= t);
        self.pending.drain(..due).map(|(_, line)| line).collect()
    }

    /// The lines one request started at `at` logs, each with its time and the request's
    /// id: a greeting's, a failure's traceback, and the request's own line when it ends.
    fn request_lines(
        &mut self,
        at: i64,
        crowd: f64,
        slow: bool,
        failing: bool,
    ) -> Vec<(i64, Value)> {
        self.request += 1;
        let user = (self.next() * crowd.max(1.0)) as u64 + 1;
        let pick = self.next();
        let (path, func, base_ms) = if pick < 0.45 {
            let name = NAMES[(self.next() * NAMES.len() as f64) as usize % NAMES.len()];
            (format!("/hello/{name}"), "say_hello", 8.0)
        } else if pick < 0.85 {
            ("/".to_string(), "app_info", 5.0)
        } else {
            ("/info".to_string(), "app_info", 12.0)
        };
        // log-normal-ish latency with a long tail
        let tail = (-self.next().max(1e-9).ln()).powf(1.6);
        let mut ms = base_ms * (0.6 + tail) * if slow { 6.0 } else { 1.0 };
        let error_rate = if failing { 0.25 } else { 0.01 };
        let status = if self.next() < error_rate {
            ms += 30.0;
            500
        } else {
            200
        };
        let ms = (ms * 100.0).round() / 100.0;
        let level = if status >= 500 {
            "ERROR"
        } else if ms > 200.0 {
            "WARNING"
        } else {
            "INFO"
        };
        let message = format!("GET {path} {status} {ms}ms");
        let request_id = format!(
            "demo-{:012x}-{}",
            self.state & 0xFFFF_FFFF_FFFF,
            self.request
        );
        let ended = at + (ms.round() as i64).max(2);
        let mut lines = Vec::new();
        if let Some(name) = path.strip_prefix("/hello/") {
            let greeting = format!("greeting {name}");
            let line = request_line(at + 1, ("INFO", &greeting, func), &request_id, json!({}));
            lines.push((at + 1, line));
        }
        if status >= 500 {
            // as Flask logs an unhandled exception: its traceback, then the 500
            let (kind, trace) = failure(func);
            let failed = format!("Exception on {path} [GET]");
            let line = request_line(
                ended - 1,
                ("ERROR", &failed, "log_exception"),
                &request_id,
                json!({"error_type": kind, "stack_trace": trace}),
            );
            lines.push((ended - 1, line));
        }
        let line = request_event(
            ended,
            level,
            &message,
            func,
            &RequestFields {
                method: "GET",
                url_path: &path,
                status_code: status,
                response_time_ms: ms,
                user_id: &format!("user-{user:03}"),
                request_id: &request_id,
                client_ip: &format!("10.0.{}.{}", user / 250, user % 250 + 1),
            },
        );
        lines.push((ended, line));
        lines
    }
}

/// Flask's frames down to the view function, shared by every failure's traceback.
const FLASK_FRAMES: &str = "Traceback (most recent call last):
  File \"/usr/local/lib/python3.11/site-packages/flask/app.py\", line 1484, in full_dispatch_request
    rv = self.dispatch_request()
  File \"/usr/local/lib/python3.11/site-packages/flask/app.py\", line 1469, in dispatch_request
    return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)
";

/// The exception a failing view raises, and its traceback as CPython writes it: the
/// greeting's cache is down (raised in a library), the status's counters are empty.
fn failure(func: &str) -> (&'static str, String) {
    if func == "say_hello" {
        let frames = "  File \"/app/app.py\", line 219, in say_hello
    seen = cache.incr(f\"greeted:{name}\")
  File \"/usr/local/lib/python3.11/site-packages/redis/connection.py\", line 707, in connect
    raise ConnectionError(self._error_message(e))
redis.exceptions.ConnectionError: Error 111 connecting to cache:6379. Connection refused.
";
        ("ConnectionError", format!("{FLASK_FRAMES}{frames}"))
    } else {
        let frames = "  File \"/app/app.py\", line 204, in app_info
    uptime_share=stats.uptime_share(),
  File \"/app/stats.py\", line 41, in uptime_share
    return up_seconds / sampled_seconds
           ~~~~~~~~~~~^~~~~~~~~~~~~~~~~
ZeroDivisionError: division by zero
";
        ("ZeroDivisionError", format!("{FLASK_FRAMES}{frames}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_come_in_the_order_they_were_logged_across_ticks() {
        let mut sim = Simulator::new(5);
        let times: Vec<i64> = (0..240)
            .flat_map(|tick| sim.tick(7 * 60_000 + tick * 250, 250))
            .map(|e| {
                e["@timestamp"]
                    .as_str()
                    .and_then(logdash_core::time::parse_iso8601)
                    .expect("a time")
            })
            .collect();
        assert!(times.len() > 100, "{}", times.len());
        // a slow spell (minute 7): requests end ticks after they start, still in order
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "out of order");
        assert!(times
            .last()
            .is_some_and(|last| *last <= 7 * 60_000 + 239 * 250));
    }

    #[test]
    fn a_requests_lines_share_its_id_and_failures_carry_a_real_traceback() {
        use logdash_core::errors::traceback::Traceback;
        let mut sim = Simulator::new(3);
        // minute 4 is an error burst
        let events: Vec<Value> = (0..60)
            .flat_map(|second| sim.tick(4 * 60_000 + second * 1_000, 1_000))
            .collect();
        let mut lines_of = std::collections::HashMap::<&str, usize>::new();
        for event in &events {
            let id = event["extra"]["request_id"]
                .as_str()
                .expect("every line has the id");
            *lines_of.entry(id).or_default() += 1;
        }
        assert!(lines_of.values().any(|&n| n >= 2), "{lines_of:?}");
        let mut kinds = std::collections::BTreeSet::new();
        for event in events
            .iter()
            .filter(|e| e["level"] == "ERROR" && e["extra"]["stack_trace"].is_string())
        {
            let trace = event["extra"]["stack_trace"].as_str().unwrap_or_default();
            let traced = Traceback::parse(trace).expect("a traceback CPython would write");
            assert_eq!(
                traced.raised().kind.rsplit('.').next(),
                event["extra"]["error_type"].as_str()
            );
            let app = traced.innermost_app_frame().expect("an app frame");
            assert!(app.file.starts_with("/app/"), "{app:?}");
            kinds.insert(traced.raised().kind.clone());
        }
        assert_eq!(kinds.len(), 2, "{kinds:?}");
    }

    #[test]
    fn traffic_varies_with_slow_spells_and_error_bursts() {
        let mut sim = Simulator::new(7);
        let start = 1_764_040_200_000 - 1_764_040_200_000 % 3_600_000;
        let mut per_minute = Vec::new();
        for minute in 0..60 {
            let mut events = Vec::new();
            for second in 0..60 {
                events.extend(sim.tick(start + minute * 60_000 + second * 1_000, 1_000));
            }
            let errors = events
                .iter()
                .filter(|e| e["extra"]["status_code"] == 500)
                .count();
            let mut ms: Vec<f64> = events
                .iter()
                .filter_map(|e| e["extra"]["response_time_ms"].as_f64())
                .collect();
            ms.sort_by(f64::total_cmp);
            per_minute.push((events.len(), errors, ms[ms.len() / 2]));
        }
        let counts: Vec<usize> = per_minute.iter().map(|m| m.0).collect();
        assert!(
            counts.iter().min() < counts.iter().max().map(|m| m / 2).as_ref(),
            "{counts:?}"
        );
        let slow_median = per_minute[(7 - (start / 60_000) % 11).rem_euclid(11) as usize].2;
        let normal_median = per_minute[(8 - (start / 60_000) % 11).rem_euclid(11) as usize].2;
        assert!(
            slow_median > 3.0 * normal_median,
            "{slow_median} vs {normal_median}"
        );
        let burst = per_minute[(4 - (start / 60_000) % 13).rem_euclid(13) as usize];
        assert!(
            burst.1 * 10 > burst.0,
            "burst minute has {} errors of {}",
            burst.1,
            burst.0
        );
    }
}
