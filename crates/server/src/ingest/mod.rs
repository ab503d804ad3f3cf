//! Ways logs come in: the Logstash-compatible TCP input and the `_bulk` HTTP input, and
//! where they go: the embedded store, or in proxy mode (`--ingest`) the cluster.

pub mod cluster;
mod documents;
pub mod http;
mod indices;
mod lifecycle;
pub mod tcp;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use logdash_store::{Source, Store};

/// An answer's status for whether what was asked after is there (200 or 404).
pub(crate) fn found(yes: bool) -> axum::http::StatusCode {
    match yes {
        true => axum::http::StatusCode::OK,
        false => axum::http::StatusCode::NOT_FOUND,
    }
}

/// Where the TCP input hands its events.
#[derive(Clone)]
pub enum Sink {
    Store(Arc<Store>),
    Cluster(Arc<cluster::Shipper>),
}

impl Sink {
    /// Hands over one batch; returns once it is stored (or, for the cluster, taken or
    /// refused for good), so that a connection never runs ahead of where its events go.
    pub async fn take(&self, events: Vec<Source>, stats: &IngestStats) {
        match self {
            Sink::Store(store) => {
                let count = events.len() as u64;
                let store = Arc::clone(store);
                match tokio::task::spawn_blocking(move || store.ingest(events)).await {
                    // an event that does not fit its index's mapping is refused (and logged)
                    Ok(Ok(stored)) => {
                        let stored = stored as u64;
                        stats.events.fetch_add(stored, Ordering::Relaxed);
                        stats
                            .rejected
                            .fetch_add(count.saturating_sub(stored), Ordering::Relaxed);
                    }
                    Ok(Err(err)) => tracing::error!(error = %err, "cannot store events"),
                    Err(err) => tracing::error!(error = %err, "ingest task failed"),
                }
            }
            Sink::Cluster(shipper) => shipper.ship(events).await,
        }
    }
}

/// Counters of what the inputs took and refused, reported by `/healthz`.
#[derive(Debug, Default)]
pub struct IngestStats {
    pub events: AtomicU64,
    pub parse_failures: AtomicU64,
    pub oversized_lines: AtomicU64,
    pub connections: AtomicU64,
    /// Events refused for good: by the cluster (proxy mode with `--ingest`), or by their
    /// index's mapping (a field of another type than its mapping says, as Elasticsearch
    /// refuses them).
    pub rejected: AtomicU64,
}

impl IngestStats {
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "events": self.events.load(Ordering::Relaxed),
            "parse_failures": self.parse_failures.load(Ordering::Relaxed),
            "oversized_lines": self.oversized_lines.load(Ordering::Relaxed),
            "connections": self.connections.load(Ordering::Relaxed),
            "rejected": self.rejected.load(Ordering::Relaxed),
        })
    }
}
