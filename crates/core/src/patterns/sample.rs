//! The bounded sample the Patterns and Errors views mine in the browser: the newest
//! events of the view's query and range, and when the range holds more, a spread of the
//! rest: in each of [`SLICES`] equal slices of the range, the events just before an
//! instant drawn at random within it. Each event is counted once. How many of each
//! ([`Size`]) depends on how heavy the events read are.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::dashboard::panels::query_in_range;
use crate::dashboard::tail::lookup;
use crate::export::grouped;
use crate::time::EpochMillis;
use crate::view::Search;

/// How many events a sample reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// The newest events (at most Elasticsearch's default `max_result_window`, 10,000).
    pub newest: usize,
    /// Events from each slice of the range.
    pub per_slice: usize,
}

/// Messages, a line each: the newest 10,000 and 5,000 across the range.
pub const MESSAGES: Size = Size {
    newest: 10_000,
    per_slice: 500,
};
/// Errors, a traceback each (a kilobyte or more): the newest 2,000 and 1,000 across.
pub const ERRORS: Size = Size {
    newest: 2_000,
    per_slice: 100,
};
/// Slices of the range drawn from when it holds more than the newest.
pub const SLICES: usize = 10;

/// The search for the newest `size` events, with only `fields` of their sources.
pub fn newest(
    search: &Search,
    (from, to): (EpochMillis, EpochMillis),
    fields: &[&str],
    size: usize,
) -> Value {
    json!({
        "size": size,
        "track_total_hits": true,
        "query": query_in_range(search, from, to),
        "sort": [{"@timestamp": {"order": "desc"}}],
        "_source": fields,
    })
}

/// The searches for the spread: each slice's `per_slice` events before an instant drawn
/// from `seed` (the browser's random numbers; a test's fixed one).
pub fn spread(
    search: &Search,
    (from, to): (EpochMillis, EpochMillis),
    fields: &[&str],
    (seed, per_slice): (u64, usize),
) -> Vec<Value> {
    let span = (to - from).max(SLICES as EpochMillis);
    let width = span / SLICES as EpochMillis;
    let mut random = seed | 1;
    (0..SLICES as EpochMillis)
        .map(|slice| {
            // xorshift: spread enough for choosing instants
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let start = from + slice * width;
            let at = start + (random % width.max(1) as u64) as EpochMillis;
            newest(search, (start, at), fields, per_slice)
        })
        .collect()
}

/// The whole sample as one `_msearch` over `index`: the newest `size.newest` events, then
/// the spread's searches (`seed` draws their instants). One round trip: the spread is read
/// only when the range holds more than the newest ([`Sample::read`]).
pub fn body(
    index: &str,
    search: &Search,
    range: (EpochMillis, EpochMillis),
    fields: &[&str],
    (size, seed): (Size, u64),
) -> String {
    let header = json!({"index": index}).to_string();
    std::iter::once(newest(search, range, fields, size.newest))
        .chain(spread(search, range, fields, (seed, size.per_slice)))
        .map(|body| format!("{header}\n{body}\n"))
        .collect()
}

/// One sampled event.
#[derive(Debug, Clone, PartialEq)]
pub struct Sampled {
    pub index: String,
    pub id: String,
    pub time: EpochMillis,
    /// Its `_source` (only the fields asked for).
    pub source: Value,
}

impl Sampled {
    /// The text of `field` (a dotted name), if it holds one.
    pub fn text(&self, field: &str) -> Option<&str> {
        lookup(&self.source, field).and_then(Value::as_str)
    }
}

/// Sampled events, each once, and how many events the range holds in all.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub events: Vec<Sampled>,
    /// Events the query matches in the range (from the newest's answer).
    pub total: u64,
    seen: HashSet<(String, String)>,
}

impl Sample {
    /// Reads the `_msearch` answer to [`body`]: the newest (the cluster's refusal of them
    /// is the sample's), and the spread's events not already sampled when the range holds
    /// more than the newest (a slice the cluster refused is left out).
    pub fn read(answer: &Value) -> Result<Sample, String> {
        let responses = answer["responses"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(newest) = responses.first() else {
            return Err("the cluster gave no answer".to_string());
        };
        if let Some(error) = newest.get("error") {
            let reason = error["reason"].as_str().or_else(|| error["type"].as_str());
            return Err(reason.unwrap_or("the search failed").to_string());
        }
        let mut sample = Sample {
            total: newest["hits"]["total"]["value"].as_u64().unwrap_or(0),
            ..Sample::default()
        };
        sample.add(newest);
        if sample.wants_spread() {
            for response in &responses[1..] {
                sample.add(response);
            }
        }
        Ok(sample)
    }

    fn add(&mut self, answer: &Value) {
        let Some(hits) = answer["hits"]["hits"].as_array() else {
            return;
        };
        for hit in hits {
            let (Some(index), Some(id), Some(time)) = (
                hit["_index"].as_str(),
                hit["_id"].as_str(),
                hit["sort"][0].as_i64(),
            ) else {
                continue;
            };
            if self.seen.insert((index.to_string(), id.to_string())) {
                self.events.push(Sampled {
                    index: index.to_string(),
                    id: id.to_string(),
                    time,
                    source: hit["_source"].clone(),
                });
            }
        }
    }

    /// Whether the range holds events the newest left out (then the spread is read).
    pub fn wants_spread(&self) -> bool {
        self.total > self.events.len() as u64
    }

    /// What the sample is, for people ("message" the noun): "all 1,200 messages", "12,480
    /// of 1,000,000 messages: the newest 10,000 and 2,480 across the range".
    pub fn described(&self, newest: usize, noun: &str) -> String {
        let size = self.events.len();
        let of = |n: u64| format!("{} {noun}{}", grouped(n), if n == 1 { "" } else { "s" });
        if size as u64 >= self.total {
            return if size == 1 {
                of(1)
            } else {
                format!("all {}", of(size as u64))
            };
        }
        let spread = size.saturating_sub(newest);
        if spread == 0 {
            return format!("the newest {} of {}", grouped(size as u64), of(self.total));
        }
        format!(
            "{} of {}: the newest {} and {} across the range",
            grouped(size as u64),
            of(self.total),
            grouped(newest as u64),
            grouped(spread as u64)
        )
    }
}
