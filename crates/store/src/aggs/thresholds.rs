//! What one shard of Elasticsearch keeps of a `terms`' buckets, and the error bound it
//! states: the store lists every term (`terms_order`) and cuts them here as a shard does.

use serde_json::{Map, Value};

use crate::RequestError;

/// What one shard of Elasticsearch keeps of a `terms`' buckets: the first `shard_size`
/// in the order asked for are its answer (the rest counted in `sum_other_doc_count`);
/// of those, the ones counting fewer than `min_doc_count` are left out uncounted, and the
/// first `size` of the others kept (the rest counted).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Thresholds {
    size: usize,
    pub(super) shard_size: usize,
    min_doc_count: u64,
}

impl Thresholds {
    /// Reads `shard_size` (by default `size * 1.5 + 10`, or `size` when ordered by key,
    /// never below `size`) and `min_doc_count` (with 0, the terms no event counts are
    /// listed too: `zero_terms`).
    pub(super) fn read(
        name: &str,
        body: &Map<String, Value>,
        size: usize,
        by_key: bool,
    ) -> Result<Thresholds, RequestError> {
        let number = |key: &str| match body.get(key) {
            None => Ok(None),
            Some(value) => value.as_u64().map(Some).ok_or_else(|| {
                RequestError::bad_request(format!("[terms] [{name}]: [{key}] must be a number"))
            }),
        };
        let suggested = match by_key {
            true => size,
            false => (size as f64 * 1.5 + 10.0) as usize,
        };
        let shard_size = number("shard_size")?
            .map_or(suggested, |n| n as usize)
            .max(size);
        let min_doc_count = number("min_doc_count")?.unwrap_or(1);
        Ok(Thresholds {
            size,
            shard_size,
            min_doc_count,
        })
    }

    /// Keeps what one shard keeps of sorted `buckets`; returns the count it adds to
    /// `sum_other_doc_count`.
    pub(super) fn keep(&self, buckets: &mut Vec<Value>) -> u64 {
        let count = |bucket: &Value| bucket["doc_count"].as_u64().unwrap_or(0);
        let mut other: u64 = buckets.iter().skip(self.shard_size).map(count).sum();
        buckets.truncate(self.shard_size);
        buckets.retain(|bucket| count(bucket) >= self.min_doc_count);
        other += buckets.iter().skip(self.size).map(count).sum::<u64>();
        buckets.truncate(self.size);
        other
    }

    /// Elasticsearch's `doc_count_error_upper_bound` of one shard's answer when there were
    /// `terms` in all: 0 when ordered by key or by count descending (one shard counts every
    /// term), and when the shard listed every term; otherwise -1 (not known).
    pub(super) fn error(&self, terms: usize, criteria: &[(String, bool)]) -> i64 {
        match criteria.first() {
            Some((what, _)) if what == "_key" => 0,
            Some((what, true)) if what == "_count" => 0,
            _ if terms < self.shard_size => 0,
            _ => -1,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Twenty terms counted once, three counted 3 times, one 5 times (34 events), in the
    /// order asked for; what one shard of Elasticsearch 8 answered for them.
    fn buckets(order: &str) -> Vec<Value> {
        let mut counts: Vec<(String, u64)> = (1..=20).map(|n| (format!("k{n:02}"), 1)).collect();
        counts.extend((21..=23).map(|n| (format!("k{n}"), 3)));
        counts.push(("k24".into(), 5));
        match order {
            "count desc" => counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0))),
            "count asc" => counts.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0))),
            _ => {}
        }
        counts
            .into_iter()
            .map(|(key, count)| json!({"key": key, "doc_count": count}))
            .collect()
    }

    fn kept(order: &str, body: Value, by_key: bool) -> (Vec<String>, u64, i64) {
        let body = body.as_object().cloned().expect("object");
        let size = body["size"].as_u64().expect("size") as usize;
        let thresholds = Thresholds::read("t", &body, size, by_key).expect("read");
        let mut listed = buckets(order);
        let terms = listed.len();
        let other = thresholds.keep(&mut listed);
        let criteria = match order {
            "count desc" => vec![("_count".to_string(), true)],
            "count asc" => vec![("_count".to_string(), false)],
            _ => vec![("_key".to_string(), false)],
        };
        let keys = listed
            .iter()
            .filter_map(|b| b["key"].as_str().map(str::to_string))
            .collect();
        (keys, other, thresholds.error(terms, &criteria))
    }

    #[test]
    fn a_shard_keeps_its_first_terms_then_those_counted_enough() {
        // by key, the shard lists `size` terms: the first two, under min_doc_count, uncounted
        let by_key = kept("key", json!({"size": 2, "min_doc_count": 3}), true);
        assert_eq!(by_key, (vec![], 32, 0));
        // by count: 13 listed (2 * 1.5 + 10); k22 and k23 past the size are counted
        let by_count = kept("count desc", json!({"size": 2, "min_doc_count": 3}), false);
        assert_eq!(
            by_count,
            (vec!["k24".to_string(), "k21".to_string()], 17, 0)
        );
        // ascending: the 13 least counted are all under min_doc_count; the error unknown
        let ascending = kept("count asc", json!({"size": 2, "min_doc_count": 3}), false);
        assert_eq!(ascending, (vec![], 21, -1));
        let ascending = kept("count asc", json!({"size": 2}), false);
        assert_eq!(
            ascending,
            (vec!["k01".to_string(), "k02".to_string()], 32, -1)
        );
    }
}
