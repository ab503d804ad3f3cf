//! Percentiles on samples past the size Elasticsearch answers exactly (2,000 values): the
//! store's t-digest against the real engine's (`LOGDASH_ENGINE_URL`), on the same 20,000
//! response times. The scenarios of `tests/scenarios/percentiles.json` hold the small samples,
//! which must be equal; here the answers must be within 1 %.

use logdash_e2e::engine::Engine;
use logdash_e2e::{iso, Server};
use serde_json::{json, Value};

const INDEX: &str = "percentiles-large";
/// 10:00 on a day, in ms; the events spread over two hours and some minutes.
const START: i64 = 1_764_151_200_000;

/// 20,000 response times with a long slow tail, in an order that is not sorted.
fn bulk_body() -> String {
    let mut body = String::new();
    for i in 0..20_000_i64 {
        let u = (i as f64 * 0.618_033_988_75).fract();
        let ms = 10.0 + 5.0 / (1.0 - u * 0.999);
        body.push_str(&json!({"index": {"_index": INDEX}}).to_string());
        body.push('\n');
        body.push_str(
            &json!({"@timestamp": iso(START + i * 380), "response_time_ms": (ms * 100.0).round() / 100.0})
                .to_string(),
        );
        body.push('\n');
    }
    body
}

/// Every percentile of an answer's `values` (keyed), by key.
fn values(aggregation: &Value) -> Vec<(String, f64)> {
    aggregation["values"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, value)| (key.clone(), value.as_f64().unwrap_or(f64::NAN)))
        .collect()
}

/// Checks each percentile; returns the largest difference, as a fraction.
fn assert_close(what: &str, store: &Value, engine: &Value) -> f64 {
    let (store, engine) = (values(store), values(engine));
    assert_eq!(store.len(), engine.len(), "{what}: {store:?} / {engine:?}");
    let mut largest: f64 = 0.0;
    for ((key, ours), (_, theirs)) in store.iter().zip(&engine) {
        largest = largest.max((ours - theirs).abs() / theirs.abs());
        assert!(
            (ours - theirs).abs() <= 0.01 * theirs.abs(),
            "{what} p{key}: the store {ours}, Elasticsearch {theirs}"
        );
    }
    largest
}

#[tokio::test]
async fn large_samples_are_within_one_per_cent_of_elasticsearch() {
    let Some(engine) = Engine::from_env("large_samples_are_within_one_per_cent") else {
        return;
    };
    // one shard: Elasticsearch answers with that shard's digest, as the store does
    let settings = json!({"settings": {"number_of_shards": 1, "number_of_replicas": 0}});
    engine.fresh_index(INDEX, &settings).await;
    let body = bulk_body();
    engine.bulk(&body).await;
    let server = Server::start(&[]).await;
    assert_eq!(server.bulk(&body).await["errors"], json!(false));

    let search = json!({"size": 0, "aggs": {
        "all": {"percentiles": {"field": "response_time_ms", "percents": [1, 5, 25, 50, 75, 95, 99, 99.9]}},
        // hours of 10,000 values (a digest each) and a last, small bucket answered exactly
        "hourly": {"date_histogram": {"field": "@timestamp", "fixed_interval": "1h"},
            "aggs": {"p": {"percentiles": {"field": "response_time_ms", "percents": [50, 95, 99]}}}}
    }})
    .to_string();
    let ours = server
        .es("POST", &format!("/{INDEX}/_search"), &search)
        .await;
    let (_, theirs) = engine
        .call("POST", &format!("/{INDEX}/_search"), &search)
        .await;
    engine.call("DELETE", &format!("/{INDEX}"), "").await;
    let mut largest = assert_close(
        "all",
        &ours["aggregations"]["all"],
        &theirs["aggregations"]["all"],
    );
    let buckets = |answer: &Value| answer["aggregations"]["hourly"]["buckets"].clone();
    let (our_buckets, their_buckets) = (buckets(&ours), buckets(&theirs));
    assert_eq!(
        our_buckets.as_array().map(Vec::len),
        their_buckets.as_array().map(Vec::len),
        "{our_buckets} / {their_buckets}"
    );
    for (mine, theirs) in our_buckets
        .as_array()
        .into_iter()
        .flatten()
        .zip(their_buckets.as_array().into_iter().flatten())
    {
        assert_eq!(mine["key"], theirs["key"]);
        let here = assert_close(&format!("bucket {}", mine["key"]), &mine["p"], &theirs["p"]);
        largest = largest.max(here);
    }
    eprintln!(
        "percentiles of 20,000 values: at most {:.3} % from Elasticsearch's",
        largest * 100.0
    );
}
