//! A sample of the view's events, as Kibana's field list takes one: the newest
//! [`SAMPLE`] events of the query and range, and which fields they hold, so that the
//! field sidebar lists the fields of these results first.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::event_fields::event_fields;
use super::panels::query_in_range;
use crate::time::EpochMillis;
use crate::view::Search;

/// Events sampled.
pub const SAMPLE: usize = 500;

/// The search for the sample: the newest events, their sources only.
pub fn request(search: &Search, from: EpochMillis, to: EpochMillis) -> Value {
    json!({
        "size": SAMPLE,
        "track_total_hits": false,
        "query": query_in_range(search, from, to),
        "sort": [{"@timestamp": {"order": "desc"}}],
    })
}

/// Which fields the sampled events hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sample {
    /// Events in the sample.
    pub size: usize,
    /// Events of the sample holding each field (dotted names, as `_field_caps` lists them).
    pub holding: BTreeMap<String, usize>,
}

impl Sample {
    /// Reads the answer to [`request`].
    pub fn read(answer: &Value) -> Sample {
        let hits = answer["hits"]["hits"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut holding = BTreeMap::new();
        for hit in hits {
            for field in event_fields(&hit["_source"]) {
                *holding.entry(field.name).or_insert(0) += 1;
            }
        }
        Sample {
            size: hits.len(),
            holding,
        }
    }

    /// The share of the sample holding `name` (0 to 1), if any of it does.
    pub fn share(&self, name: &str) -> Option<f64> {
        let held = *self.holding.get(name)?;
        Some(held as f64 / self.size.max(1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_counts_the_events_holding_each_field() {
        let answer = json!({"hits": {"hits": [
            {"_source": {"level": "INFO", "extra": {"user_id": "u1"}}},
            {"_source": {"level": "ERROR", "extra": {"user_id": "u2", "ms": 3}}},
            {"_source": {"level": "INFO"}},
            {"_source": {"level": "INFO", "tags": ["a"]}},
        ]}});
        let sample = Sample::read(&answer);
        assert_eq!(sample.size, 4);
        assert_eq!(sample.share("level"), Some(1.0));
        assert_eq!(sample.share("extra.user_id"), Some(0.5));
        assert_eq!(sample.share("extra.ms"), Some(0.25));
        assert_eq!(sample.share("tags"), Some(0.25));
        assert_eq!(sample.share("extra"), None);
        assert_eq!(Sample::read(&json!({})), Sample::default());
        let request = request(&Search::text("level:ERROR"), 1, 2);
        assert_eq!(request["size"], SAMPLE);
        assert_eq!(request["sort"][0]["@timestamp"]["order"], "desc");
    }
}
