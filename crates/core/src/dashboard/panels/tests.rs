//! The panels' request and how their answer is read.

use super::*;
use crate::dashboard::fields::Resolved;

fn fields() -> ResolvedFields {
    let r = |name: &str, agg: &str| {
        Some(Resolved {
            name: name.into(),
            agg: agg.into(),
        })
    };
    ResolvedFields {
        message: Some("message".into()),
        level: r("level", "level.keyword"),
        user: r("extra.user_id", "extra.user_id.keyword"),
        latency: r("extra.response_time_ms", "extra.response_time_ms"),
        status: r("extra.status_code", "extra.status_code"),
        path: None,
        request_id: None,
    }
}

fn request() -> PanelsRequest {
    PanelsRequest {
        index: "log*".into(),
        search: Search::text("level:ERROR"),
        from: 1_000_000,
        to: 1_900_000,
        offset_minutes: 60,
        time_zone: None,
        now: 1_900_000,
    }
}

#[test]
fn a_named_zone_goes_to_the_histogram_as_its_name() {
    let offset = request().msearch_body(&fields());
    assert!(offset.contains(r#""time_zone":"+01:00""#), "{offset}");
    let named = PanelsRequest {
        time_zone: Some("Europe/Berlin".into()),
        ..request()
    }
    .msearch_body(&fields());
    assert!(named.contains(r#""time_zone":"Europe/Berlin""#), "{named}");
}

#[test]
fn one_msearch_with_the_range_and_the_period_before() {
    let body = request().msearch_body(&fields());
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0], json!({"index": "log*"}));
    let hist = &lines[1]["aggs"]["over_time"]["date_histogram"];
    assert_eq!(hist["fixed_interval"], "10s");
    assert_eq!(hist["time_zone"], "+01:00");
    assert_eq!(
        lines[1]["aggs"]["over_time"]["aggs"]["users"]["cardinality"]["field"],
        "extra.user_id.keyword"
    );
    assert_eq!(
        lines[1]["query"]["bool"]["filter"][1]["query_string"]["query"],
        "level:ERROR"
    );
    assert_eq!(
        lines[3]["query"]["bool"]["filter"][0]["range"]["@timestamp"],
        json!({"gte": 100_000, "lte": 1_000_000, "format": "epoch_millis"})
    );
}

#[test]
fn every_query_the_dashboard_sends_reads_as_the_typed_model_writes_it() {
    // the dashboard writes its queries with json! (the typed model's writer would cost the
    // wasm bundle 4 KB); this keeps the two the same
    let body = request().msearch_body(&fields());
    for line in body.lines().skip(1).step_by(2) {
        let search: Value = serde_json::from_str(line).expect("json line");
        let query = crate::es::query::Query::parse(&search["query"]).expect("a valid query");
        assert_eq!(query.to_json(), search["query"]);
    }
}

#[test]
fn a_panel_without_its_field_asks_for_nothing() {
    let body = request().msearch_body(&ResolvedFields::default());
    assert!(!body.contains("cardinality") && !body.contains("percentiles"));
}

#[test]
fn reads_answers_and_flags_degradation() {
    let answer = json!({"responses": [
        {"status": 200, "hits": {"total": {"value": 100, "relation": "eq"}}, "aggregations": {
            "users": {"value": 7}, "recent": {"doc_count": 10, "users": {"value": 3}},
            "latency": {"values": {"50.0": 10.0, "95.0": 60.0, "99.0": null}}, "timed": {"value": 90},
            "errors": {"buckets": [{"key": "500.0-*", "from": 500.0, "doc_count": 5}]},
            "over_time": {"buckets": [
                {"key": 1_000_000, "doc_count": 100, "levels": {"buckets": [{"key": "INFO", "doc_count": 95}, {"key": "ERROR", "doc_count": 5}]},
                 "users": {"value": 7}, "latency": {"values": [{"key": 50.0, "value": 10.0}, {"key": 95.0, "value": 60.0}]}, "timed": {"value": 90},
                 "errors": {"buckets": [{"doc_count": 5}]}}
            ]}
        }},
        {"status": 200, "hits": {"total": 80}, "aggregations": {"latency": {"values": {"95.0": 40.0}}, "timed": {"value": 80}, "errors": {"buckets": [{"doc_count": 1}]}}}
    ]});
    let data = PanelsData::parse(&answer, LatencyUnit::Milliseconds, 10_000).expect("parses");
    assert_eq!(
        (data.total, data.users_total, data.users_recent),
        (100, Some(7), Some(3))
    );
    assert_eq!(
        data.latency,
        Percentiles {
            p50: Some(10.0),
            p95: Some(60.0),
            p99: None
        }
    );
    assert_eq!(
        data.buckets[0].levels,
        vec![("INFO".to_string(), 95), ("ERROR".to_string(), 5)]
    );
    assert_eq!(data.buckets[0].latency.p95, Some(60.0));
    assert_eq!(data.error_rate(), Some(0.05));
    assert_eq!(data.trend(), Trend::Degrading { change: 0.5 });
    assert_eq!(data.gaps, None);
}

#[test]
fn trend_needs_enough_requests_and_units_convert() {
    let answer = json!({"responses": [
        {"hits": {"total": {"value": 5}}, "aggregations": {"latency": {"values": {"95.0": 2_000_000.0}}, "timed": {"value": 5}}},
        {"hits": {"total": {"value": 5}}, "aggregations": {"latency": {"values": {"95.0": 1_000_000.0}}, "timed": {"value": 5}}}
    ]});
    let data = PanelsData::parse(&answer, LatencyUnit::Nanoseconds, 1000).expect("parses");
    assert_eq!(data.latency.p95, Some(2.0));
    let floats = json!({"responses": [{"aggregations": {"timed": {"value": 25.0}, "users": {"value": 3.0}}}]});
    let data = PanelsData::parse(&floats, LatencyUnit::Milliseconds, 1000).expect("parses");
    assert_eq!((data.timed, data.users_total), (25, Some(3)));
    assert_eq!(data.trend(), Trend::Unknown);
}

#[test]
fn the_error_rate_is_out_of_the_requests_not_every_log_line() {
    // seven requests, all failed, among nine events: two log lines carry no status
    let answer = json!({"responses": [{"hits": {"total": {"value": 9}}, "aggregations": {
        "errors": {"buckets": [{"key": "500.0-*", "from": 500.0, "doc_count": 7}]},
        "with_status": {"value": 7}
    }}]});
    let data = PanelsData::parse(&answer, LatencyUnit::Milliseconds, 1000).expect("parses");
    assert_eq!((data.error_rate(), data.requests()), (Some(1.0), 7));
    let none = json!({"responses": [{"hits": {"total": {"value": 2}}, "aggregations": {
        "errors": {"buckets": [{"doc_count": 0}]}, "with_status": {"value": 0}
    }}]});
    let data = PanelsData::parse(&none, LatencyUnit::Milliseconds, 1000).expect("parses");
    assert_eq!(data.error_rate(), None, "no requests, no rate");
    assert!(request()
        .msearch_body(&fields())
        .contains(r#""with_status":{"value_count":{"field":"extra.status_code"}}"#));
}

#[test]
fn the_bucket_that_ends_after_the_question_is_still_filling() {
    let answer = json!({"responses": [{"aggregations": {"over_time": {"buckets": [
        {"key": 0, "doc_count": 140}, {"key": 10_000, "doc_count": 138}, {"key": 20_000, "doc_count": 16}
    ]}}}]});
    let mut data = PanelsData::parse(&answer, LatencyUnit::Milliseconds, 10_000).expect("parses");
    assert_eq!(
        data.filling(),
        vec![false, false, false],
        "no moment, no claim"
    );
    data.asked_at = 23_500;
    assert_eq!(data.filling(), vec![false, false, true]);
    data.asked_at = 30_000;
    assert_eq!(data.filling(), vec![false, false, false]);
}

#[test]
fn a_failed_item_is_its_error() {
    let answer = json!({"responses": [{"status": 400, "error": {"type": "query_shard_exception", "reason": "Failed to parse query [a AND]"}}, {}]});
    let err = PanelsData::parse(&answer, LatencyUnit::Milliseconds, 1000).expect_err("fails");
    assert_eq!(err, "query_shard_exception: Failed to parse query [a AND]");
}
