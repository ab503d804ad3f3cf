//! Ways logs come in: the Logstash-compatible TCP input and the `_bulk` HTTP input.

pub mod http;
pub mod tcp;

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of what the inputs took and refused, reported by `/healthz`.
#[derive(Debug, Default)]
pub struct IngestStats {
    pub events: AtomicU64,
    pub parse_failures: AtomicU64,
    pub oversized_lines: AtomicU64,
    pub connections: AtomicU64,
}

impl IngestStats {
    pub fn snapshot(&self) -> serde_json::Value {
        serde_json::json!({
            "events": self.events.load(Ordering::Relaxed),
            "parse_failures": self.parse_failures.load(Ordering::Relaxed),
            "oversized_lines": self.oversized_lines.load(Ordering::Relaxed),
            "connections": self.connections.load(Ordering::Relaxed),
        })
    }
}
