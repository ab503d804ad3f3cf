//! `--demo`: simulated users of the example Flask app (`/`, `/hello/<name>`, `/info`),
//! sent through logdash's own TCP input as python-logstash-async's `LogstashFormatter`
//! would send the example app's request logs: a varying crowd, realistic response
//! times, slow spells and error bursts. The last 30 minutes are back-filled at start so
//! every panel has something to show at once.

use std::net::SocketAddr;
use std::time::Duration;

pub use logdash_core::logstash::{request_event, RequestFields};
use serde_json::Value;
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
}

impl Simulator {
    pub fn new(seed: u64) -> Self {
        Self {
            state: seed | 1,
            request: 0,
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

    /// Events for the `span_ms` ending at `t`.
    pub fn tick(&mut self, t: i64, span_ms: i64) -> Vec<Value> {
        let crowd = Self::crowd(t);
        // each user makes about one request every 6 seconds
        let expected = crowd * span_ms as f64 / 6_000.0;
        let count = (expected + self.next() - 0.5).round().max(0.0) as usize;
        let minute = t / 60_000;
        let slow = minute % 11 == 7; // a slow spell: one minute in eleven
        let failing = minute % 13 == 4; // an error burst: one minute in thirteen
        (0..count)
            .map(|i| {
                let at = t - span_ms + (span_ms * (i as i64 + 1)) / (count as i64 + 1);
                self.event(at, crowd, slow, failing)
            })
            .collect()
    }

    fn event(&mut self, at: i64, crowd: f64, slow: bool, failing: bool) -> Value {
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
        request_event(
            at,
            level,
            &message,
            func,
            &RequestFields {
                method: "GET",
                url_path: &path,
                status_code: status,
                response_time_ms: ms,
                user_id: &format!("user-{user:03}"),
                request_id: &format!(
                    "demo-{:012x}-{}",
                    self.state & 0xFFFF_FFFF_FFFF,
                    self.request
                ),
                client_ip: &format!("10.0.{}.{}", user / 250, user % 250 + 1),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
