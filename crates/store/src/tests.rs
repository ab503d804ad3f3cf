//! The store against a fixed data set: results checked against hand-computed
//! expectations, response shapes against Elasticsearch's documented ones.

use serde_json::{json, Value};

use crate::{RequestError, Store};

/// 12 requests on 2025-11-25 between 10:00 and 12:10 UTC, in `logs-app`, plus one event on
/// the day before in `logs-old`. Users u1..u4; response times 10..120 ms; two 500s.
fn fixture() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    let mut body = String::new();
    let rows = [
        ("10:00:00", "INFO", "u1", 10, 200, "/", "GET / ok"),
        (
            "10:05:00",
            "INFO",
            "u2",
            20,
            200,
            "/hello/Natalia",
            "said hello to Natalia",
        ),
        (
            "10:10:00",
            "WARNING",
            "u1",
            30,
            200,
            "/hello/N",
            "slow hello to N",
        ),
        ("10:50:00", "INFO", "u3", 40, 200, "/", "GET / ok"),
        (
            "11:00:00",
            "ERROR",
            "u2",
            50,
            500,
            "/info",
            "connection refused by database",
        ),
        (
            "11:10:00",
            "INFO",
            "u4",
            60,
            200,
            "/hello/Natalia",
            "said hello to Natalia",
        ),
        ("11:20:00", "DEBUG", "u1", 70, 200, "/", "cache hit"),
        ("11:30:00", "INFO", "u2", 80, 200, "/info", "status ok"),
        (
            "11:40:00",
            "ERROR",
            "u3",
            90,
            500,
            "/info",
            "connection refused by cache",
        ),
        ("11:50:00", "INFO", "u1", 100, 200, "/", "GET / ok"),
        (
            "12:00:00",
            "INFO",
            "u4",
            110,
            200,
            "/hello/N",
            "said hello to N",
        ),
        ("12:10:00", "INFO", "u2", 120, 200, "/", "GET / ok"),
    ];
    for (i, (time, level, user, ms, status, path, message)) in rows.iter().enumerate() {
        body.push_str("{\"index\":{\"_index\":\"logs-app\"}}\n");
        body.push_str(&json!({
            "@timestamp": format!("2025-11-25T{time}.000Z"),
            "level": level, "message": message,
            "event": {"id": format!("e{i:02}")},
            "extra": {"user_id": user, "response_time_ms": ms, "status_code": status, "path": path}
        }).to_string());
        body.push('\n');
    }
    body.push_str("{\"create\":{\"_index\":\"logs-old\",\"_id\":\"old-1\"}}\n");
    body.push_str(r#"{"@timestamp":"2025-11-24T23:59:59.999Z","level":"INFO","message":"yesterday","host":"web-1"}"#);
    body.push('\n');
    let answer = store.bulk(None, body.as_bytes()).expect("bulk works");
    assert_eq!(answer["errors"], json!(false), "{answer}");
    (dir, store)
}

fn search(store: &Store, index: &str, body: Value) -> Value {
    store
        .search(index, &body)
        .unwrap_or_else(|err| panic!("{err}"))
}

fn search_err(store: &Store, index: &str, body: Value) -> RequestError {
    store
        .search(index, &body)
        .expect_err("the request is refused")
}

/// `expected` must be a subtree of `actual`: same values where it has them.
#[track_caller]
fn assert_subtree(actual: &Value, expected: &Value) {
    fn check(actual: &Value, expected: &Value, path: &str) -> Result<(), String> {
        match (actual, expected) {
            (Value::Object(a), Value::Object(e)) => e.iter().try_for_each(|(k, v)| {
                let next = format!("{path}.{k}");
                a.get(k)
                    .ok_or_else(|| format!("missing {next}"))
                    .and_then(|a| check(a, v, &next))
            }),
            (Value::Array(a), Value::Array(e)) if a.len() == e.len() => a
                .iter()
                .zip(e)
                .enumerate()
                .try_for_each(|(i, (a, e))| check(a, e, &format!("{path}[{i}]"))),
            (Value::Number(a), Value::Number(e)) if a.as_f64() == e.as_f64() => Ok(()),
            (a, e) if a == e => Ok(()),
            (a, e) => Err(format!("at {path}: expected {e}, found {a}")),
        }
    }
    if let Err(message) = check(actual, expected, "$") {
        panic!(
            "{message}\nin {}",
            serde_json::to_string_pretty(actual).unwrap_or_default()
        );
    }
}

fn total(answer: &Value) -> u64 {
    answer["hits"]["total"]["value"].as_u64().expect("a total")
}

fn ids(answer: &Value) -> Vec<String> {
    answer["hits"]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| {
            hit["_source"]["event"]["id"]
                .as_str()
                .unwrap_or(hit["_id"].as_str().unwrap_or(""))
                .to_string()
        })
        .collect()
}

fn count_where(store: &Store, query: Value) -> u64 {
    total(&search(
        store,
        "logs-app",
        json!({"query": query, "size": 0}),
    ))
}

#[test]
fn bulk_answers_per_item_like_elasticsearch() {
    let (_dir, store) = fixture();
    let body = concat!(
        "{\"index\":{\"_index\":\"logs-app\",\"_id\":\"x1\"}}\n{\"message\":\"one\"}\n",
        "{\"index\":{\"_index\":\"Bad\"}}\n{\"message\":\"bad name\"}\n",
        "{\"index\":{\"_index\":\"logs-app\"}}\n{\"message\": broken\n",
        "{\"update\":{\"_index\":\"logs-app\",\"_id\":\"x1\"}}\n{\"doc\":{}}\n",
    );
    let answer = store.bulk(None, body.as_bytes()).expect("bulk answers");
    assert_eq!(answer["errors"], json!(true));
    let statuses: Vec<u64> = answer["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            item.as_object()
                .and_then(|o| o.values().next())
                .and_then(|v| v["status"].as_u64())
                .unwrap_or(0)
        })
        .collect();
    // an update with an empty partial document changes nothing: a noop, 200
    assert_eq!(statuses, vec![201, 400, 400, 200]);
    assert_subtree(
        &answer["items"][0],
        &json!({"index": {"_index": "logs-app", "_id": "x1", "result": "created", "status": 201}}),
    );
    assert_subtree(
        &answer["items"][1],
        &json!({"index": {"error": {"type": "invalid_index_name_exception"}}}),
    );
    // acknowledged means searchable and durable: no flush needed
    assert_eq!(count_where(&store, json!({"term": {"_id": "x1"}})), 1);
    // an explicit id replaces the event with that id
    store
        .bulk(
            Some("logs-app"),
            b"{\"index\":{\"_id\":\"x1\"}}\n{\"message\":\"two\"}\n",
        )
        .expect("bulk");
    let hit = search(
        &store,
        "logs-app",
        json!({"query": {"term": {"_id": "x1"}}}),
    );
    assert_eq!(total(&hit), 1);
    assert_eq!(hit["hits"]["hits"][0]["_source"]["message"], "two");
}

/// As Elasticsearch 8.19 answers (checked on the engine): `create` of an id already
/// held, in the index or earlier in the same request, fails its item with 409.
#[test]
fn create_never_replaces_an_event() {
    let (_dir, store) = fixture();
    let body = b"{\"create\":{\"_index\":\"cc1\",\"_id\":\"a\"}}\n{\"m\":1}\n{\"create\":{\"_index\":\"cc1\",\"_id\":\"a\"}}\n{\"m\":2}\n";
    let answer = store.bulk(None, body).expect("bulk answers");
    assert_eq!(answer["errors"], json!(true));
    assert_eq!(answer["items"][0]["create"]["status"], json!(201));
    assert_subtree(
        &answer["items"][1],
        &json!({"create": {"_index": "cc1", "_id": "a", "status": 409, "error": {
            "type": "version_conflict_engine_exception",
            "reason": "[a]: version conflict, document already exists (current version [1])",
            "shard": "0", "index": "cc1"}}}),
    );
    // a later request finds it in the index; another index may hold the same id
    let again = b"{\"create\":{\"_index\":\"cc1\",\"_id\":\"a\"}}\n{\"m\":3}\n{\"create\":{\"_index\":\"cc2\",\"_id\":\"a\"}}\n{\"m\":4}\n";
    let answer = store.bulk(None, again).expect("bulk answers");
    assert_eq!(
        answer["items"][0]["create"]["status"],
        json!(409),
        "{answer}"
    );
    assert_eq!(
        answer["items"][1]["create"]["status"],
        json!(201),
        "{answer}"
    );
    let kept = search(&store, "cc1", json!({"query": {"term": {"_id": "a"}}}));
    assert_eq!(total(&kept), 1);
    assert_eq!(
        kept["hits"]["hits"][0]["_source"]["m"],
        json!(1),
        "the first one stays"
    );
}

#[test]
fn malformed_bulk_bodies_name_the_line() {
    let (_dir, store) = fixture();
    let err = store.bulk(None, b"not json\n{}\n").expect_err("refused");
    assert_eq!(err.kind, "x_content_parse_exception");
    assert!(err.reason.starts_with("[1:2] "), "{}", err.reason);
    // as the engine answers: an action without its source is left out, and then there is
    // nothing to do; an item without an index refuses the whole request
    let err = store
        .bulk(None, b"{\"index\":{\"_index\":\"a\"}}\n")
        .expect_err("refused");
    assert_eq!(err.reason, "Validation Failed: 1: no requests added;");
    let err = store
        .bulk(
            None,
            b"{\"index\":{\"_index\":\"a\"}}\n{}\n{\"index\":{}}\n{}\n",
        )
        .expect_err("refused");
    assert_eq!(err.kind, "action_request_validation_exception");
    assert_eq!(err.reason, "Validation Failed: 1: index is missing;");
    store.flush().expect("flushes");
    assert!(
        !store.index_names().contains(&"a".to_string()),
        "nothing of it stored"
    );
}

#[test]
fn events_without_a_target_go_to_daily_indices() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    let mut events =
        crate::event::decode_line(br#"{"@timestamp":"2025-11-25T10:00:00Z","message":"a"}"#);
    events.extend(crate::event::decode_line(b"not json at all"));
    store.ingest(events).expect("ingests");
    store.flush().expect("flushes");
    let names = store.index_names();
    assert!(
        names.contains(&"logstash-2025.11.25".to_string()),
        "{names:?}"
    );
    let failed = search(
        &store,
        "logstash-*",
        json!({"query": {"term": {"tags.keyword": "_jsonparsefailure"}}}),
    );
    assert_eq!(total(&failed), 1);
    assert_eq!(
        failed["hits"]["hits"][0]["_source"]["message"],
        "not json at all"
    );
}

#[test]
fn search_response_has_elasticsearch_shape() {
    let (_dir, store) = fixture();
    let answer = search(
        &store,
        "logs-app",
        json!({"size": 1, "query": {"match_all": {}}}),
    );
    assert_subtree(
        &answer,
        &json!({
            "timed_out": false,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"total": {"value": 12, "relation": "eq"}}
        }),
    );
    let hit = &answer["hits"]["hits"][0];
    assert_eq!(hit["_index"], "logs-app");
    assert!(
        hit["_id"].as_str().is_some_and(|id| id.len() == 20),
        "{hit}"
    );
    assert!(hit["_score"].is_number());
    // `_bulk` stores `_source` as sent: nothing added (the fixture's events have no @version)
    assert_eq!(hit["_source"].get("@version"), None);
}

#[test]
fn bulk_keeps_the_source_as_sent_and_refuses_a_timestamp_that_is_no_date() {
    let (_dir, store) = fixture();
    let body = concat!(
        "{\"index\":{\"_index\":\"logs-sent\",\"_id\":\"n\"}}\n",
        "{\"@timestamp\":1764064800123,\"message\":\"epoch\"}\n",
        "{\"index\":{\"_index\":\"logs-sent\",\"_id\":\"none\"}}\n",
        "{\"message\":\"no time\"}\n",
        "{\"index\":{\"_index\":\"logs-sent\",\"_id\":\"bad\"}}\n",
        "{\"@timestamp\":\"yesterday\",\"message\":\"bad time\"}\n",
    );
    let answer = store.bulk(None, body.as_bytes()).expect("bulk answers");
    assert_eq!(answer["errors"], json!(true));
    assert_eq!(answer["items"][2]["index"]["status"], 400, "{answer}");
    assert_eq!(
        answer["items"][2]["index"]["error"]["type"],
        "document_parsing_exception"
    );
    store.flush().expect("flush");
    let hits = search(
        &store,
        "logs-sent",
        json!({"sort": [{"@timestamp": "asc"}]}),
    );
    let sources: Vec<&Value> = hits["hits"]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| &hit["_source"])
        .collect();
    assert_eq!(
        sources,
        [
            &json!({"@timestamp": 1_764_064_800_123_i64, "message": "epoch"}),
            &json!({"message": "no time"})
        ]
    );
}

#[test]
fn index_patterns_and_missing_indices() {
    let (_dir, store) = fixture();
    assert_eq!(total(&search(&store, "logs-*", json!({}))), 13);
    assert_eq!(total(&search(&store, "logs-app,logs-old", json!({}))), 13);
    assert_eq!(total(&search(&store, "logs-*,-logs-old", json!({}))), 12);
    assert_eq!(total(&search(&store, "nothing-*", json!({}))), 0);
    let err = search_err(&store, "nope", json!({}));
    assert_eq!((err.status, err.kind), (404, "index_not_found_exception"));
}

#[test]
fn term_terms_exists_and_match_queries() {
    let (_dir, store) = fixture();
    assert_eq!(
        count_where(&store, json!({"term": {"level.keyword": "ERROR"}})),
        2
    );
    // a term on a text field looks for one analyzed (lowercased) word, as in Elasticsearch
    assert_eq!(count_where(&store, json!({"term": {"level": "ERROR"}})), 0);
    assert_eq!(count_where(&store, json!({"term": {"level": "error"}})), 2);
    assert_eq!(
        count_where(&store, json!({"term": {"extra.status_code": 500}})),
        2
    );
    assert_eq!(
        count_where(
            &store,
            json!({"term": {"extra.status_code": {"value": "500"}}})
        ),
        2
    );
    assert_eq!(
        count_where(
            &store,
            json!({"terms": {"extra.user_id.keyword": ["u1", "u4"]}})
        ),
        6
    );
    assert_eq!(
        count_where(
            &store,
            json!({"terms": {"extra.response_time_ms": [10, 20, 999]}})
        ),
        2
    );
    assert_eq!(
        count_where(&store, json!({"exists": {"field": "extra.user_id"}})),
        12
    );
    assert_eq!(
        count_where(&store, json!({"exists": {"field": "extra"}})),
        12
    );
    assert_eq!(
        count_where(&store, json!({"exists": {"field": "no.such"}})),
        0
    );
    assert_eq!(count_where(&store, json!({"term": {"no.such": "x"}})), 0);
    assert_eq!(
        count_where(&store, json!({"match": {"message": "connection cache"}})),
        3
    );
    assert_eq!(
        count_where(
            &store,
            json!({"match": {"message": {"query": "connection cache", "operator": "and"}}})
        ),
        1
    );
    assert_eq!(
        count_where(
            &store,
            json!({"match_phrase": {"message": "hello to natalia"}})
        ),
        2
    );
    assert_eq!(
        count_where(
            &store,
            json!({"match_phrase": {"message": "natalia hello"}})
        ),
        0
    );
}

#[test]
fn numbers_booleans_and_the_time_are_found_as_whole_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    let body = concat!(
        "{\"index\":{\"_index\":\"logs-app\"}}\n",
        "{\"@timestamp\":\"2025-11-25T10:00:00.000Z\",\"cached\":true,\"took\":7,\"ratio\":0.5}\n",
        "{\"index\":{\"_index\":\"logs-app\"}}\n",
        "{\"@timestamp\":\"2025-11-25T11:00:00.000Z\",\"cached\":false,\"took\":8,\"ratio\":1.5}\n",
    );
    let answer = store.bulk(None, body.as_bytes()).expect("bulk works");
    assert_eq!(answer["errors"], json!(false), "{answer}");
    let qs = |q: &str| count_where(&store, json!({"query_string": {"query": q}}));
    assert_eq!(count_where(&store, json!({"term": {"cached": true}})), 1);
    assert_eq!(count_where(&store, json!({"match": {"took": 7}})), 1);
    assert_eq!(qs("cached:false"), 1);
    assert_eq!(qs("ratio:1.5"), 1);
    assert_eq!(qs("took:[7 TO 8]"), 2);
    // a query that names no field still finds numbers, as Elasticsearch's `*` default does
    assert_eq!(qs("8"), 1);
    assert_eq!(qs("@timestamp:[\"2025-11-25T10:30:00Z\" TO *]"), 1);
    assert_eq!(
        count_where(&store, json!({"exists": {"field": "@timestamp"}})),
        2
    );
}

#[test]
fn a_term_without_a_field_searches_the_fields_that_can_hold_it() {
    let (_dir, store) = fixture();
    let qs = |q: &str| count_where(&store, json!({"query_string": {"query": q}}));
    // words in any text field; numbers in number fields; a word is no number (lenient)
    assert_eq!(qs("ok"), 5);
    assert_eq!(qs("u4"), 2);
    assert_eq!(qs("120"), 1);
    assert_eq!(qs("refused"), 2);
    assert_eq!(qs("ref*"), 2);
    // the words of one term are looked for together in one field, not across fields
    assert_eq!(qs("\"ok u1\""), 0);
    // dates are searched through a named field only
    assert_eq!(qs("2025"), 0);

    let dir = tempfile::tempdir().expect("temp dir");
    let wide = Store::open(dir.path()).expect("opens");
    let fields: serde_json::Map<String, Value> =
        (0..1_100).map(|i| (format!("f{i}"), json!("x"))).collect();
    let body = format!(
        "{{\"index\":{{\"_index\":\"wide\"}}}}\n{}\n",
        Value::Object(fields)
    );
    assert_eq!(
        wide.bulk(None, body.as_bytes()).expect("bulk")["errors"],
        json!(false)
    );
    let err = search_err(
        &wide,
        "wide",
        json!({"query": {"query_string": {"query": "x"}}}),
    );
    assert_eq!((err.status, err.kind), (400, "illegal_argument_exception"));
    assert!(err.reason.contains("limit: 1024"), "{}", err.reason);
    let named = search(
        &wide,
        "wide",
        json!({"query": {"query_string": {"query": "f7:x"}}}),
    );
    assert_eq!(total(&named), 1);
}

#[test]
fn range_queries_on_numbers_and_time() {
    let (_dir, store) = fixture();
    assert_eq!(
        count_where(
            &store,
            json!({"range": {"extra.response_time_ms": {"gte": 50, "lt": 90}}})
        ),
        4
    );
    assert_eq!(
        count_where(
            &store,
            json!({"range": {"extra.response_time_ms": {"gt": "100.5"}}})
        ),
        2
    );
    assert_eq!(
        count_where(
            &store,
            json!({"range": {"@timestamp": {"gte": "2025-11-25T11:00:00Z", "lte": "2025-11-25T11:30:00Z"}}})
        ),
        4
    );
    assert_eq!(
        count_where(
            &store,
            json!({"range": {"@timestamp": {"gte": "2025-11-25T11:00:00Z||/h", "lt": "2025-11-25T11:00:00Z||+1h"}}})
        ),
        6
    );
    // lte rounds up: the whole hour 11:xx
    assert_eq!(
        count_where(
            &store,
            json!({"range": {"@timestamp": {"gte": "2025-11-25T11:00:00Z", "lte": "2025-11-25T11:00:00Z||/h"}}})
        ),
        6
    );
    // in UTC+01:00 the local day 2025-11-25 starts at 2025-11-24T23:00Z
    assert_eq!(
        total(&search(
            &store,
            "logs-*",
            json!({"query": {"range": {"@timestamp": {"gte": "2025-11-25", "time_zone": "+01:00"}}}})
        )),
        13
    );
    assert_eq!(
        total(&search(
            &store,
            "logs-*",
            json!({"query": {"range": {"@timestamp": {"gte": "2025-11-25"}}}})
        )),
        12
    );
    assert_eq!(
        count_where(&store, json!({"range": {"@timestamp": {"gte": "now-15m"}}})),
        0
    );
    assert_eq!(
        count_where(
            &store,
            json!({"range": {"@timestamp": {"lte": "1764068400000"}}})
        ),
        5
    );
}

#[test]
fn bool_queries() {
    let (_dir, store) = fixture();
    let q = json!({"bool": {"filter": [{"term": {"extra.user_id.keyword": "u1"}}], "must_not": {"term": {"level.keyword": "DEBUG"}}}});
    assert_eq!(count_where(&store, q), 3);
    assert_eq!(
        count_where(
            &store,
            json!({"bool": {"must_not": [{"term": {"level.keyword": "INFO"}}]}})
        ),
        4
    );
    assert_eq!(
        count_where(
            &store,
            json!({"bool": {"should": [{"term": {"level.keyword": "ERROR"}}, {"term": {"level.keyword": "DEBUG"}}]}})
        ),
        3
    );
    let two_of = json!({"bool": {"should": [
        {"term": {"extra.user_id.keyword": "u2"}}, {"term": {"level.keyword": "ERROR"}}, {"term": {"extra.path.keyword": "/info"}}
    ], "minimum_should_match": 2}});
    assert_eq!(count_where(&store, two_of), 3);
    let must_and_should = json!({"bool": {"must": {"term": {"level.keyword": "INFO"}}, "should": [{"term": {"extra.user_id.keyword": "u9"}}]}});
    assert_eq!(count_where(&store, must_and_should), 8);
}

#[test]
fn query_string_as_people_type_it() {
    let (_dir, store) = fixture();
    let qs = |q: &str| count_where(&store, json!({"query_string": {"query": q}}));
    assert_eq!(qs("natalia"), 2);
    assert_eq!(qs("connection AND cache"), 1);
    assert_eq!(qs("connection OR cache"), 3);
    assert_eq!(qs("connection -database"), 1);
    assert_eq!(qs("\"hello to N\""), 2);
    assert_eq!(qs("level:error"), 2);
    assert_eq!(qs("level.keyword:ERROR"), 2);
    assert_eq!(qs("extra.status_code:500"), 2);
    assert_eq!(qs("extra.response_time_ms:[30 TO 50]"), 3);
    assert_eq!(qs("extra.response_time_ms:>100"), 2);
    assert_eq!(qs("extra.path.keyword:\\/hello*"), 4);
    assert_eq!(qs("hel*"), 4);
    assert_eq!(qs("_exists_:extra.user_id AND NOT level:info"), 4);
    assert_eq!(qs("*"), 12);
    assert_eq!(
        qs(""),
        0,
        "an empty query string matches nothing, as in Elasticsearch"
    );
    assert_eq!(qs("500"), 2);
    assert_eq!(qs("@timestamp:[\"2025-11-25T11:00:00Z\" TO *]"), 8);
    assert_eq!(
        count_where(
            &store,
            json!({"query_string": {"query": "connection cache", "default_operator": "AND"}})
        ),
        1
    );
    let err = search_err(
        &store,
        "logs-app",
        json!({"query": {"query_string": {"query": "level:(a OR"}}}),
    );
    assert_eq!((err.status, err.kind), (400, "query_shard_exception"));
    assert!(
        err.reason
            .starts_with("Failed to parse query [level:(a OR]"),
        "{}",
        err.reason
    );
}

#[test]
fn sorted_tail_pages_with_search_after_without_gaps_or_repeats() {
    let (_dir, store) = fixture();
    let sort = json!([{"@timestamp": "desc"}, {"event.id.keyword": "desc"}]);
    let first = search(&store, "logs-app", json!({"size": 5, "sort": sort}));
    assert_eq!(ids(&first), vec!["e11", "e10", "e09", "e08", "e07"]);
    assert_eq!(
        first["hits"]["hits"][0]["sort"],
        json!([1_764_072_600_000_i64, "e11"])
    );
    assert_eq!(first["hits"]["hits"][0]["_score"], Value::Null);
    assert_eq!(first["hits"]["max_score"], Value::Null);
    let mut seen = ids(&first);
    let mut after = first["hits"]["hits"][4]["sort"].clone();
    loop {
        let page = search(
            &store,
            "logs-app",
            json!({"size": 5, "sort": sort, "search_after": after}),
        );
        let page_ids = ids(&page);
        if page_ids.is_empty() {
            break;
        }
        after = page["hits"]["hits"][page_ids.len() - 1]["sort"].clone();
        seen.extend(page_ids);
    }
    let expected: Vec<String> = (0..12).rev().map(|i| format!("e{i:02}")).collect();
    assert_eq!(seen, expected);
    let ascending = search(
        &store,
        "logs-app",
        json!({"size": 3, "from": 2, "sort": ["extra.response_time_ms"]}),
    );
    assert_eq!(ids(&ascending), vec!["e02", "e03", "e04"]);
}

#[test]
fn source_filtering_and_total_hits_tracking() {
    let (_dir, store) = fixture();
    let answer = search(
        &store,
        "logs-app",
        json!({"size": 1, "_source": ["message", "extra.user_id"], "sort": ["@timestamp"]}),
    );
    assert_eq!(
        answer["hits"]["hits"][0]["_source"],
        json!({"message": "GET / ok", "extra": {"user_id": "u1"}})
    );
    let answer = search(
        &store,
        "logs-app",
        json!({"size": 1, "_source": {"excludes": ["extra", "event.*"]}, "sort": ["@timestamp"]}),
    );
    assert!(answer["hits"]["hits"][0]["_source"].get("extra").is_none());
    assert_eq!(answer["hits"]["hits"][0]["_source"]["event"], json!({}));
    let answer = search(&store, "logs-app", json!({"size": 1, "_source": false}));
    assert!(answer["hits"]["hits"][0].get("_source").is_none());
    assert_eq!(
        search(&store, "logs-app", json!({"track_total_hits": 5}))["hits"]["total"],
        json!({"value": 5, "relation": "gte"})
    );
    assert!(
        search(&store, "logs-app", json!({"track_total_hits": false}))["hits"]
            .get("total")
            .is_none()
    );
}

#[test]
fn aggregations_match_hand_counts() {
    let (_dir, store) = fixture();
    let answer = search(
        &store,
        "logs-app",
        json!({
            "size": 0,
            "aggs": {
                "per_hour": {
                    "date_histogram": {"field": "@timestamp", "fixed_interval": "1h", "min_doc_count": 0},
                    "aggs": {
                        "users": {"cardinality": {"field": "extra.user_id.keyword"}},
                        "latency": {"percentiles": {"field": "extra.response_time_ms", "percents": [50, 95]}},
                        "errors": {"range": {"field": "extra.status_code", "ranges": [{"from": 500}]}}
                    }
                },
                "levels": {"terms": {"field": "level.keyword"}},
                "users": {"cardinality": {"field": "extra.user_id.keyword"}},
                "ms": {"stats": {"field": "extra.response_time_ms"}},
                "avg_ms": {"avg": {"field": "extra.response_time_ms"}},
                "max_ms": {"max": {"field": "extra.response_time_ms"}},
            "timed": {"value_count": {"field": "extra.response_time_ms"}},
                "only_errors": {"filter": {"term": {"level.keyword": "ERROR"}}, "aggs": {"avg_ms": {"avg": {"field": "extra.response_time_ms"}}}}
            }
        }),
    );
    let aggs = &answer["aggregations"];
    assert_subtree(
        &aggs["per_hour"]["buckets"][0],
        &json!({"key": 1_764_064_800_000_i64, "key_as_string": "2025-11-25T10:00:00.000Z", "doc_count": 4, "users": {"value": 3}}),
    );
    assert_subtree(
        &aggs["per_hour"]["buckets"][1],
        &json!({"key_as_string": "2025-11-25T11:00:00.000Z", "doc_count": 6, "users": {"value": 4}, "errors": {"buckets": [{"key": "500.0-*", "from": 500.0, "doc_count": 2}]}}),
    );
    assert_subtree(
        &aggs["per_hour"]["buckets"][2],
        &json!({"key_as_string": "2025-11-25T12:00:00.000Z", "doc_count": 2}),
    );
    assert!(
        aggs["per_hour"]["buckets"][0]["key"].is_i64(),
        "ES keys are integers"
    );
    let p50 = aggs["per_hour"]["buckets"][1]["latency"]["values"]["50.0"]
        .as_f64()
        .expect("p50");
    assert!(
        (65.0..=80.0).contains(&p50),
        "p50 of 50..90 is about 70, got {p50}"
    );
    assert_subtree(
        &aggs["levels"],
        &json!({"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": [
            {"key": "INFO", "doc_count": 8}, {"key": "ERROR", "doc_count": 2}, {"key": "DEBUG", "doc_count": 1}, {"key": "WARNING", "doc_count": 1}
        ]}),
    );
    assert_eq!(aggs["users"], json!({"value": 4}));
    assert_subtree(
        &aggs["ms"],
        &json!({"count": 12, "min": 10.0, "max": 120.0, "avg": 65.0, "sum": 780.0}),
    );
    assert_subtree(&aggs["avg_ms"], &json!({"value": 65.0}));
    assert_subtree(&aggs["max_ms"], &json!({"value": 120.0}));
    assert_eq!(
        aggs["timed"],
        json!({"value": 12}),
        "value_count is a whole number"
    );
    assert_subtree(
        &aggs["only_errors"],
        &json!({"doc_count": 2, "avg_ms": {"value": 70.0}}),
    );
}

#[test]
fn date_histogram_follows_the_time_zone_and_bounds() {
    let (_dir, store) = fixture();
    let answer = search(
        &store,
        "logs-*",
        json!({"size": 0, "aggs": {"days": {"date_histogram": {
            "field": "@timestamp", "calendar_interval": "day", "time_zone": "+01:00"
        }}}}),
    );
    // in UTC+01:00 every event is on the 25th, the one at 23:59:59.999Z too
    assert_eq!(
        answer["aggregations"]["days"]["buckets"],
        json!([
            {"key": 1_764_025_200_000_i64, "key_as_string": "2025-11-25T00:00:00.000+01:00", "doc_count": 13}
        ])
    );
    let answer = search(
        &store,
        "logs-app",
        json!({"size": 0, "aggs": {"h": {"date_histogram": {
            "field": "@timestamp", "fixed_interval": "1h", "min_doc_count": 0,
            "extended_bounds": {"min": "2025-11-25T08:00:00Z", "max": "2025-11-25T12:00:00Z"}
        }}}}),
    );
    let counts: Vec<u64> = answer["aggregations"]["h"]["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["doc_count"].as_u64().unwrap_or(99))
        .collect();
    assert_eq!(counts, vec![0, 0, 4, 6, 2]);
}

#[test]
fn unsupported_input_is_refused_by_name() {
    let (_dir, store) = fixture();
    let cases = [
        (
            json!({"query": {"nested": {"path": "a", "query": {"match_all": {}}}}}),
            "[nested] queries are not supported",
        ),
        (
            json!({"script_fields": {"x": {"script": "1"}}}),
            "[script_fields] is not supported",
        ),
        (
            json!({"query": {"term": {"a": 1, "b": 2}}}),
            "doesn't support multiple fields",
        ),
        (json!({"size": 10001}), "Result window is too large"),
        (
            json!({"aggs": {"x": {"geohash_grid": {"field": "a"}}}}),
            "Unknown aggregation type [geohash_grid]",
        ),
        (
            json!({"aggs": {"x": {"terms": {"field": "message"}}}}),
            "Fielddata is disabled on [message]",
        ),
        (
            json!({"aggs": {"x": {"cardinality": {"field": "extra.user_id.keyword", "precision_threshold": -1}}}}),
            "[precisionThreshold] must be greater than or equal to 0",
        ),
        (
            json!({"aggs": {"x": {"date_histogram": {"field": "@timestamp", "fixed_interval": "1h", "time_zone": "Mars/Olympus_Mons"}}}}),
            "Unknown time-zone ID: Mars/Olympus_Mons",
        ),
        (
            json!({"aggs": {"x": {"date_histogram": {"field": "@timestamp", "calendar_interval": "2M"}}}}),
            "The supplied interval [2M] could not be parsed as a calendar interval.",
        ),
        (
            json!({"aggs": {"x": {"date_histogram": {"field": "@timestamp", "calendar_interval": "month", "keyed": true}}}}),
            "[keyed] in date_histogram [x] is not supported",
        ),
        (
            json!({"query": {"range": {"@timestamp": {"gte": "now-15x"}}}}),
            "unit [x]",
        ),
        (
            json!({"sort": ["message"]}),
            "Text fields are not optimised",
        ),
        (
            json!({"search_after": [1]}),
            "[search_after] needs a [sort]",
        ),
    ];
    for (body, needle) in cases {
        let err = search_err(&store, "logs-app", body.clone());
        assert!(err.reason.contains(needle), "{body}: {}", err.reason);
        assert!((400..500).contains(&err.status));
    }
}

#[test]
fn msearch_items_fail_one_by_one() {
    let (_dir, store) = fixture();
    let body = concat!(
        "{\"index\":\"logs-app\"}\n{\"size\":0,\"query\":{\"term\":{\"level.keyword\":\"ERROR\"}}}\n",
        "{\"index\":\"missing\"}\n{}\n",
        "{}\n{\"size\":0}\n",
    );
    let answer = store
        .msearch(Some("logs-*"), Default::default(), body.as_bytes(), false)
        .expect("msearch answers");
    let responses = answer["responses"].as_array().expect("responses");
    assert_eq!(responses.len(), 3);
    assert_subtree(
        &responses[0],
        &json!({"status": 200, "hits": {"total": {"value": 2}}}),
    );
    assert_subtree(
        &responses[1],
        &json!({"status": 404, "error": {"type": "index_not_found_exception"}}),
    );
    assert_subtree(
        &responses[2],
        &json!({"status": 200, "hits": {"total": {"value": 13}}}),
    );
}

#[test]
fn terms_over_more_values_than_asked_for_count_exactly_though_searches_are_split() {
    let (_dir, store) = fixture();
    let count = |query: Value| {
        store
            .search("logs-*", &json!({"size": 0, "query": query}))
            .expect("count")["hits"]["total"]["value"]
            .as_u64()
            .expect("a count")
    };
    let answer = store
        .search(
            "logs-*",
            &json!({"size": 0, "aggs": {"top": {"terms": {"field": "level.keyword", "size": 1}}}}),
        )
        .expect("terms");
    let top = &answer["aggregations"]["top"];
    let key = top["buckets"][0]["key"]
        .as_str()
        .expect("a key")
        .to_string();
    let all = count(json!({"match_all": {}}));
    let with_key = count(json!({"term": {"level.keyword": key}}));
    assert_eq!(top["buckets"][0]["doc_count"], json!(with_key), "{top}");
    assert_eq!(top["sum_other_doc_count"], json!(all - with_key), "{top}");
    assert!(all > with_key);
}

#[test]
fn msearch_searches_run_at_once_and_answer_in_the_request_s_order() {
    let (_dir, store) = fixture();
    // sizes 0..6 in turn, a body that is not JSON among them: each answer in its place
    let mut body = String::new();
    for size in 0..6 {
        body.push_str(&format!("{{}}\n{{\"size\":{size}}}\n"));
        if size == 2 {
            body.push_str("{}\nnot json\n");
        }
    }
    let answer = store
        .msearch(Some("logs-*"), Default::default(), body.as_bytes(), false)
        .expect("msearch answers");
    let responses = answer["responses"].as_array().expect("responses");
    let sizes: Vec<Value> = responses
        .iter()
        .map(|r| match r["status"].as_u64() {
            Some(200) => json!(r["hits"]["hits"].as_array().map_or(0, Vec::len)),
            status => json!(status),
        })
        .collect();
    assert_eq!(
        sizes,
        [
            json!(0),
            json!(1),
            json!(2),
            json!(400),
            json!(3),
            json!(4),
            json!(5)
        ]
    );
}

#[test]
fn count_cat_mapping_and_field_caps() {
    let (_dir, store) = fixture();
    assert_eq!(
        store
            .count(
                "logs-app",
                &json!({"query": {"term": {"level.keyword": "INFO"}}})
            )
            .expect("count"),
        json!({"count": 8, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0}})
    );
    let cat = store.cat_indices(None).expect("cat");
    assert_subtree(
        &cat,
        &json!([
            {"index": "logs-app", "docs.count": "12", "health": "green", "status": "open"},
            {"index": "logs-old", "docs.count": "1"}
        ]),
    );
    let mapping = store.mapping("logs-app").expect("mapping");
    assert_subtree(
        &mapping,
        &json!({"logs-app": {"mappings": {"properties": {
            "@timestamp": {"type": "date"},
            "level": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}},
            "extra": {"properties": {"response_time_ms": {"type": "long"}}}
        }}}}),
    );
    let caps = store
        .field_caps("logs-*", Some("extra.*,level*,host*"), &Value::Null)
        .expect("field caps");
    assert_eq!(caps["indices"], json!(["logs-app", "logs-old"]));
    assert_eq!(
        caps["fields"]["level"]["text"],
        json!({"type": "text", "metadata_field": false, "searchable": true, "aggregatable": false})
    );
    assert_eq!(
        caps["fields"]["level.keyword"]["keyword"]["aggregatable"],
        json!(true)
    );
    assert_eq!(
        caps["fields"]["extra.response_time_ms"]["long"]["aggregatable"],
        json!(true)
    );
    assert_eq!(caps["fields"]["host"]["text"]["searchable"], json!(true));
    assert!(caps["fields"].get("message").is_none());
}

#[test]
fn keeps_events_elasticsearch_would_reject_for_a_mapping_conflict() {
    let (_dir, store) = fixture();
    // the plain formatter sends host as a string, the ECS one as an object
    let body = concat!(
        "{\"index\":{\"_index\":\"logs-mixed\"}}\n{\"host\":\"web-1\",\"message\":\"plain\"}\n",
        "{\"index\":{\"_index\":\"logs-mixed\"}}\n{\"host\":{\"hostname\":\"web-1\"},\"message\":\"ecs\"}\n",
    );
    assert_eq!(
        store.bulk(None, body.as_bytes()).expect("bulk")["errors"],
        json!(false)
    );
    assert_eq!(total(&search(&store, "logs-mixed", json!({}))), 2);
    assert_eq!(
        total(&search(
            &store,
            "logs-mixed",
            json!({"query": {"term": {"host.hostname.keyword": "web-1"}}})
        )),
        1
    );
    let caps = store
        .field_caps("logs-mixed", Some("host*"), &Value::Null)
        .expect("caps");
    assert!(caps["fields"]["host.hostname"].is_object(), "{caps}");
}

#[test]
fn reopening_keeps_events_and_retention_drops_old_days() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("opens");
        let body = "{\"index\":{\"_index\":\"logstash-2025.11.01\"}}\n{\"m\":1}\n{\"index\":{\"_index\":\"logstash-2025.11.25\"}}\n{\"m\":2}\n";
        store.bulk(None, body.as_bytes()).expect("bulk");
        // (that an acknowledged _bulk survives kill -9 is proven on the real binary)
    }
    let store = Store::open(dir.path()).expect("reopens");
    assert_eq!(total(&search(&store, "logstash-*", json!({}))), 2);
    let dropped = store
        .drop_older_than(7, 1_764_040_200_000)
        .expect("retention");
    assert_eq!(dropped, vec!["logstash-2025.11.01".to_string()]);
    assert_eq!(total(&search(&store, "logstash-*", json!({}))), 1);
    assert_eq!(store.index_names(), vec!["logstash-2025.11.25".to_string()]);
    // the mapping kept on disk says so at once, not at some later commit
    let kept = std::fs::read_to_string(dir.path().join("mappings.json")).expect("mappings");
    assert!(!kept.contains("logstash-2025.11.01"), "{kept}");
}

#[test]
fn ids_made_after_a_restart_are_new_for_events_of_the_same_millisecond() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body =
        "{\"index\":{\"_index\":\"logs-app\"}}\n{\"@timestamp\":\"2026-12-05T10:00:00.123Z\"}\n";
    for _ in 0..2 {
        let store = Store::open(dir.path()).expect("opens");
        store.bulk(None, body.as_bytes()).expect("bulk");
    }
    let store = Store::open(dir.path()).expect("reopens");
    let answer = search(&store, "logs-app", json!({}));
    let ids: Vec<&Value> = answer["hits"]["hits"]
        .as_array()
        .map(|hits| hits.iter().map(|hit| &hit["_id"]).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), 2, "{answer}");
    assert_ne!(ids[0], ids[1], "{answer}");
}
