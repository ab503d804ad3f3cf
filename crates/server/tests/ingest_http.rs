//! The `_bulk` input over real HTTP: compressed bodies as Logstash and Beats send them, a
//! bound on what they decompress to, and ingest pipelines refused by name.

mod common;

use std::io::Write;

use common::ingest::{bulk_port, get, put};
use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::Compression;
use serde_json::{json, Value};

/// POSTs `body` (already encoded) with `encoding`; the status and the answer's JSON.
async fn post(address: &str, path: &str, encoding: Option<&str>, body: &[u8]) -> (u16, Value) {
    let headers = encoding.map_or(String::new(), |e| format!("Content-Encoding: {e}\r\n"));
    common::ingest::post(address, path, &headers, body).await
}

fn events(count: usize) -> Vec<u8> {
    let mut body = String::new();
    for n in 0..count {
        body.push_str("{\"index\":{\"_index\":\"logs-zip\"}}\n");
        body.push_str(&format!(
            "{{\"@timestamp\":\"2026-12-04T10:00:00Z\",\"message\":\"event {n}\"}}\n"
        ));
    }
    body.into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("compresses");
    encoder.finish().expect("compresses")
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("compresses");
    encoder.finish().expect("compresses")
}

#[tokio::test]
async fn gzip_and_deflate_bodies_are_stored_like_plain_ones() {
    let (address, store, _dir) = bulk_port(1 << 20).await;
    for (encoding, body) in [
        (None, events(3)),
        (Some("gzip"), gzip(&events(4))),
        (Some("deflate"), deflate(&events(5))),
    ] {
        let (status, answer) = post(&address, "/_bulk", encoding, &body).await;
        assert_eq!(status, 200, "{encoding:?}: {answer}");
        assert_eq!(answer["errors"], json!(false), "{encoding:?}: {answer}");
    }
    store.flush().expect("flush");
    let count = store.count("logs-zip", &json!({})).expect("counts");
    assert_eq!(count["count"], 12);
}

#[tokio::test]
async fn a_body_that_decompresses_past_the_bound_is_refused_whole() {
    let (address, store, _dir) = bulk_port(64 * 1024).await;
    // 10 MB of one repeated event compresses to a few kilobytes: a zip bomb for this bound
    let one = "{\"index\":{\"_index\":\"logs-zip\"}}\n{\"message\":\"same\"}\n";
    let bomb = gzip(one.repeat(250_000).as_bytes());
    assert!(bomb.len() < 64 * 1024, "{} bytes compressed", bomb.len());
    let (status, answer) = post(&address, "/_bulk", Some("gzip"), &bomb).await;
    assert_eq!(status, 413, "{answer}");
    let (status, answer) = post(&address, "/_bulk", Some("gzip"), b"not gzip at all").await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = post(&address, "/_bulk", Some("br"), &events(1)).await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer.to_string().contains("Content-Encoding [br]"),
        "{answer}"
    );
    store.flush().expect("flush");
    assert_eq!(store.count("*", &json!({})).expect("counts")["count"], 0);
}

#[tokio::test]
async fn an_ingest_pipeline_is_refused_by_name() {
    let (address, _store, _dir) = bulk_port(1 << 20).await;
    let (status, answer) = post(&address, "/_bulk?pipeline=geoip", None, &events(1)).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer.to_string().contains("[pipeline]"), "{answer}");
}

/// What Logstash's `elasticsearch` output asks before it writes (its `license_checker.rb`
/// marks a node whose `_license` has no `license.status` unfit, and writes nothing).
#[tokio::test]
async fn a_shipper_finds_an_elasticsearch_8_with_an_active_license() {
    let (address, _store, _dir) = bulk_port(1 << 20).await;
    let (_, root) = get(&address, "/").await;
    assert!(
        root["version"]["number"]
            .as_str()
            .is_some_and(|v| v.starts_with("8.")),
        "{root}"
    );
    let (status, license) = get(&address, "/_license").await;
    assert_eq!(status, 200);
    assert_eq!(license["license"]["status"], "active", "{license}");
    assert_eq!(license["license"]["type"], "basic");
    let (_, again) = get(&address, "/_license").await;
    assert_eq!(again, license, "the same license every time");
    let (status, answer) = post(&address, "/_bulk", Some("gzip"), &gzip(&events(3))).await;
    assert_eq!(
        (status, answer["errors"].clone()),
        (200, json!(false)),
        "{answer}"
    );
}

/// Vector asks for the health before it writes; Filebeat and Logstash look for their
/// lifecycle policy and create it when missing. logdash runs none: the policy is missing,
/// and creating one is refused with the setting that turns the shipper's lifecycle off
/// (`tests/scenarios/shippers.json` replays the rest against the engine).
#[tokio::test]
async fn shippers_find_a_healthy_cluster_and_are_told_it_runs_no_lifecycle() {
    let (address, _store, _dir) = bulk_port(1 << 20).await;
    let (_, written) = post(&address, "/_bulk", None, &events(2)).await;
    assert_eq!(written["errors"], json!(false), "{written}");
    let (status, health) = get(&address, "/_cluster/health").await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "green", "{health}");
    assert_eq!(
        health["active_primary_shards"], 1,
        "one index, one shard: {health}"
    );
    assert_eq!(health["unassigned_shards"], 0);

    let (status, policies) = get(&address, "/_ilm/policy").await;
    assert_eq!((status, policies), (200, json!({})));
    let (status, missing) = get(&address, "/_ilm/policy/filebeat").await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(missing["error"]["type"], "resource_not_found_exception");
    let policy = r#"{"policy":{"phases":{"hot":{"actions":{"rollover":{"max_age":"30d"}}}}}}"#;
    let (status, refused) = put(&address, "/_ilm/policy/filebeat", policy).await;
    assert_eq!(status, 400, "{refused}");
    let reason = refused["error"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("setup.ilm.enabled: false"), "{reason}");
    assert!(reason.contains("ilm_enabled => false"), "{reason}");
    let (status, _) = get(&address, "/_ilm/policy/filebeat").await;
    assert_eq!(status, 404, "nothing was kept");
}
