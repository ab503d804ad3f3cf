//! `ip` fields in the store: the keys and blocks of `logdash_core::ip`, and what a query
//! that meets no address is told.

pub(crate) use logdash_core::ip::{address_of, key, parse};

use crate::{Raised, RequestError};

/// [`block`] for a query: what is no address fails the query as Elasticsearch's does.
pub(crate) fn query_block(text: &str) -> Result<(String, String), RequestError> {
    logdash_core::ip::block(text).map_err(|reason| RequestError {
        status: 400,
        kind: "query_shard_exception",
        reason: format!("failed to create query: {reason}"),
        raised: Raised::Anywhere,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn what_would_meet_an_address_as_text_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = crate::Store::open(dir.path()).expect("opens");
        let mapping = serde_json::json!({"mappings": {"properties": {"ip": {"type": "ip"}}}});
        store.create_index("net", &mapping).expect("created");
        let body = "{\"index\":{\"_index\":\"net\"}}\n{\"ip\":\"10.0.0.1\"}\n";
        store.bulk(None, body.as_bytes()).expect("bulk");
        for (aggs, said) in [
            (
                serde_json::json!({"c": {"composite": {"sources": [{"ip": {"terms": {"field": "ip"}}}]}}}),
                "[composite]",
            ),
            (
                serde_json::json!({"t": {"terms": {"field": "ip", "missing": "0.0.0.0"}}}),
                "[missing]",
            ),
            (
                serde_json::json!({"t": {"terms": {"field": "ip", "include": ["10.0.0.1"]}}}),
                "[include]",
            ),
        ] {
            let error = store
                .search("net", &serde_json::json!({"size": 0, "aggs": aggs}))
                .expect_err("refused");
            assert!(
                error.reason.contains(said) && error.reason.contains("ip field"),
                "{}",
                error.reason
            );
        }
    }
}
