//! Proxy mode with `--ingest`: what the TCP input takes goes on to the cluster through its
//! `_bulk` API, named as Logstash names it (`{prefix}-YYYY.MM.DD`), with the server's
//! credentials, gzip-compressed as Logstash and Beats send theirs. While the cluster cannot
//! take events, the batch is retried with a growing pause and the connection it came from
//! waits, so the sender holds on to what follows. Of a `_bulk` answer, the items the
//! cluster could not take now (429, 503: Logstash's retryable codes) go again; each item
//! it refused for good is counted (`rejected` in `/healthz`) and logged with its reason.
//! Before its first events it stores Logstash's own index template in the cluster unless
//! one of that name is there (not with `--no-logstash-template`), as Logstash's
//! `elasticsearch` output does when it starts, so daily indices are mapped alike in both
//! modes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::Method;
use logdash_core::time::EpochMillis;
use logdash_store::event::{daily_index, settle_timestamp};
use logdash_store::templates::{logstash, LOGSTASH_TEMPLATE_NAME};
use logdash_store::Source;
use serde_json::{json, Value};

use super::IngestStats;
use crate::error::ApiError;
use crate::proxy::Upstream;

/// The longest pause between two tries of a batch the cluster did not take.
const MAX_PAUSE: Duration = Duration::from_secs(30);

pub struct Shipper {
    upstream: Arc<Upstream>,
    index_prefix: String,
    stats: Arc<IngestStats>,
    /// Whether Logstash's template is in the cluster (or is not to be put there).
    template_done: AtomicBool,
}

impl Shipper {
    /// `logstash_template`: whether to store Logstash's template in the cluster.
    pub fn new(
        upstream: Arc<Upstream>,
        index_prefix: String,
        stats: Arc<IngestStats>,
        logstash_template: bool,
    ) -> Self {
        Self {
            upstream,
            index_prefix,
            stats,
            template_done: AtomicBool::new(!logstash_template),
        }
    }

    /// Sends the events; returns once the cluster took each one or refused it for good.
    pub async fn ship(&self, events: Vec<Source>) {
        self.ensure_template().await;
        let mut lines = bulk_lines(events, logdash_store::now_millis(), &self.index_prefix);
        let mut pause = Duration::from_millis(500);
        while !lines.is_empty() {
            let outcome = self
                .upstream
                .forward_encoded(
                    Method::POST,
                    "/_bulk",
                    "application/x-ndjson",
                    Some("gzip"),
                    gzip(lines.concat().as_bytes()),
                )
                .await;
            let retry = match outcome {
                Ok(answer) if answer.status.is_success() => {
                    let answer: Value = serde_json::from_slice(&answer.body).unwrap_or_default();
                    let sorted = sort_items(&answer, lines.len());
                    self.count(&sorted);
                    sorted.retry.iter().map(|&at| lines[at].clone()).collect()
                }
                Ok(answer) if answer.status.as_u16() == 429 || answer.status.is_server_error() => {
                    tracing::warn!(
                        status = answer.status.as_u16(),
                        "the cluster cannot take events now; retrying"
                    );
                    lines
                }
                Ok(answer) => {
                    self.stats
                        .rejected
                        .fetch_add(lines.len() as u64, Ordering::Relaxed);
                    tracing::error!(
                        status = answer.status.as_u16(),
                        answer = %String::from_utf8_lossy(&answer.body),
                        events = lines.len(),
                        "the cluster refused a _bulk request; its events are dropped"
                    );
                    Vec::new()
                }
                Err(err) => {
                    let reason = match &err {
                        ApiError::Upstream { reason, .. } => reason.clone(),
                        other => other.to_string(),
                    };
                    tracing::warn!(%reason, "cannot send events to the cluster; retrying");
                    lines
                }
            };
            if !retry.is_empty() {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_PAUSE);
            }
            lines = retry;
        }
    }

    /// Stores Logstash's template unless the cluster has one of its name; tried again with
    /// the next events while the cluster cannot be reached.
    async fn ensure_template(&self) {
        if self.template_done.load(Ordering::Relaxed) {
            return;
        }
        let path = format!("/_index_template/{LOGSTASH_TEMPLATE_NAME}");
        let send = |method, body: String| {
            self.upstream.forward_encoded(
                method,
                &path,
                "application/json",
                None,
                Bytes::from(body),
            )
        };
        let outcome = match send(Method::HEAD, String::new()).await {
            Ok(answer) if answer.status.as_u16() == 404 => {
                send(Method::PUT, logstash(&self.index_prefix).to_string()).await
            }
            other => other,
        };
        match outcome {
            Ok(answer) if answer.status.is_success() => {
                self.template_done.store(true, Ordering::Relaxed);
            }
            // a cluster still starting, or busy: asked again with the next events
            Ok(answer) if answer.status.as_u16() == 429 || answer.status.is_server_error() => {
                tracing::warn!(
                    status = answer.status.as_u16(),
                    "the cluster cannot take Logstash's template now; asking again"
                );
            }
            // refused (no right to, say): it would be refused again
            Ok(answer) => {
                tracing::warn!(
                    status = answer.status.as_u16(),
                    answer = %String::from_utf8_lossy(&answer.body),
                    "Logstash's index template could not be stored in the cluster"
                );
                self.template_done.store(true, Ordering::Relaxed);
            }
            Err(err) => tracing::warn!(%err, "cannot ask the cluster for Logstash's template"),
        }
    }

    fn count(&self, sorted: &Sorted) {
        self.stats
            .events
            .fetch_add(sorted.taken as u64, Ordering::Relaxed);
        for refused in &sorted.refused {
            self.stats
                .rejected
                .fetch_add(refused.events as u64, Ordering::Relaxed);
            tracing::error!(
                index = %refused.index,
                status = refused.status,
                reason = %refused.reason,
                events = refused.events,
                "the cluster refused events; they are dropped"
            );
        }
    }
}

/// One `create` action and its event per entry, in the order given.
fn bulk_lines(events: Vec<Source>, now: EpochMillis, prefix: &str) -> Vec<String> {
    events
        .into_iter()
        .map(|mut event| {
            let time = settle_timestamp(&mut event, now);
            let action = json!({"create": {"_index": daily_index(prefix, time)}});
            format!("{action}\n{}\n", Value::Object(event))
        })
        .collect()
}

/// Item statuses that mean "not now" rather than "never" (Logstash's `RETRYABLE_CODES`).
const RETRYABLE: [u64; 2] = [429, 503];

/// The body compressed for `Content-Encoding: gzip` (a fast level: the cluster's time
/// matters more than the bytes).
fn gzip(body: &[u8]) -> Bytes {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4),
        flate2::Compression::fast(),
    );
    // writing to memory cannot fail
    let _ = encoder.write_all(body);
    Bytes::from(encoder.finish().unwrap_or_default())
}

/// What a `_bulk` answer says of each entry.
#[derive(Debug, PartialEq)]
struct Sorted {
    taken: usize,
    /// Entries refused for good.
    refused: Vec<Refused>,
    /// Entries the cluster could not take now (429, 503), to send again.
    retry: Vec<usize>,
}

/// One entry the cluster refused for good, as it said.
#[derive(Debug, PartialEq)]
struct Refused {
    index: String,
    status: u64,
    /// `type: reason`.
    reason: String,
    /// How many events this stands for (all of an answer that accounts for none).
    events: usize,
}

fn sort_items(answer: &Value, sent: usize) -> Sorted {
    let mut sorted = Sorted {
        taken: 0,
        refused: Vec::new(),
        retry: Vec::new(),
    };
    let items = answer["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if items.len() != sent {
        // an answer that does not account for every entry: trust its `errors` flag
        if answer["errors"] == json!(false) {
            sorted.taken = sent;
        } else {
            // one line for the lot: which of them failed cannot be told
            sorted.refused.push(Refused {
                index: String::new(),
                status: 0,
                reason: format!(
                    "a _bulk answer with {} items for {sent} events",
                    items.len()
                ),
                events: sent,
            });
        }
        return sorted;
    }
    for (at, item) in items.iter().enumerate() {
        let result = item
            .as_object()
            .and_then(|o| o.values().next())
            .unwrap_or(&Value::Null);
        match result["status"].as_u64() {
            Some(200..=299) => sorted.taken += 1,
            Some(status) if RETRYABLE.contains(&status) => sorted.retry.push(at),
            status => {
                let error = &result["error"];
                let reason = match (error["type"].as_str(), error["reason"].as_str()) {
                    (Some(kind), Some(reason)) => format!("{kind}: {reason}"),
                    _ => error.to_string(),
                };
                sorted.refused.push(Refused {
                    index: result["_index"].as_str().unwrap_or_default().to_string(),
                    status: status.unwrap_or(0),
                    reason,
                    events: 1,
                });
            }
        }
    }
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(value: Value) -> Source {
        match value {
            Value::Object(map) => map,
            _ => Source::new(),
        }
    }

    #[test]
    fn events_go_to_their_day_s_index_and_get_the_arrival_time_when_they_have_none() {
        let now = 1_764_064_800_000; // 2025-11-25T10:00:00Z
        let lines = bulk_lines(
            vec![
                event(json!({"@timestamp": "2025-11-24T23:59:59.000Z", "message": "late"})),
                event(json!({"message": "no time"})),
            ],
            now,
            "logstash",
        );
        assert_eq!(lines.len(), 2);
        let parts: Vec<Value> = lines
            .concat()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_default())
            .collect();
        assert_eq!(
            parts[0],
            json!({"create": {"_index": "logstash-2025.11.24"}})
        );
        assert_eq!(parts[1]["message"], json!("late"));
        assert_eq!(
            parts[2],
            json!({"create": {"_index": "logstash-2025.11.25"}})
        );
        assert_eq!(parts[3]["@timestamp"], json!("2025-11-25T10:00:00.000Z"));
    }

    #[test]
    fn a_bulk_answer_is_sorted_into_taken_refused_and_busy() {
        let answer = json!({"errors": true, "items": [
            {"create": {"status": 201}},
            {"create": {"_index": "logstash-2025.11.25", "status": 400, "error": {"type": "mapper_parsing_exception", "reason": "failed to parse field [status]"}}},
            {"create": {"status": 429, "error": {"type": "es_rejected_execution_exception"}}},
            {"create": {"status": 201}},
            {"create": {"status": 503, "error": {"type": "unavailable_shards_exception"}}},
        ]});
        assert_eq!(
            sort_items(&answer, 5),
            Sorted {
                taken: 2,
                refused: vec![Refused {
                    index: "logstash-2025.11.25".into(),
                    status: 400,
                    reason: "mapper_parsing_exception: failed to parse field [status]".into(),
                    events: 1,
                }],
                retry: vec![2, 4],
            }
        );
        let short = sort_items(&json!({"errors": true, "items": []}), 3);
        assert_eq!(
            (short.taken, short.refused.len(), short.refused[0].events),
            (0, 1, 3)
        );
        let fine = sort_items(&json!({"errors": false}), 3);
        assert_eq!((fine.taken, fine.refused.len()), (3, 0));
    }
}
