//! The push tail decides event by event (`logdash_core::live`) what the stream's search
//! decides in the store: for every query here (and every query with filter pills, which
//! the tail gets in the query box's syntax and the store as `bool` clauses), the events
//! the live matcher takes are exactly the hits of the stream's own request, in an index
//! mapped as events come, in one whose mapping declares keywords, an address, text
//! without `.keyword` and an object not enabled, and in one that maps only what it
//! declares (a number sent as a string, a date in epoch milliseconds).

use logdash_core::dashboard::panels::query_in_range;
use logdash_core::live::{Declared, LiveQuery};
use logdash_core::view::{Pill, Search};
use logdash_store::Store;
use serde_json::{json, Value};

fn events() -> Vec<Value> {
    let rows = [
        (
            "INFO",
            "GET /hello/Natalia 200",
            200,
            12.5,
            "u1",
            vec!["flask"],
        ),
        (
            "ERROR",
            "Connection refused by upstream api-7",
            502,
            812.0,
            "u2",
            vec!["flask", "Payments"],
        ),
        (
            "WARNING",
            "slow request to /pay/42",
            200,
            1_500.0,
            "u3",
            vec![],
        ),
        ("INFO", "GET / 200", 200, 3.0, "u1", vec!["web"]),
        (
            "DEBUG",
            "cache miss for key user:42",
            0,
            0.5,
            "u9",
            vec!["cache"],
        ),
        (
            "ERROR",
            "Traceback: ValueError: invalid literal for int()",
            500,
            40.0,
            "u2",
            vec![],
        ),
        (
            "CRITICAL",
            "disk full on /var/lib",
            503,
            9.0,
            "u4",
            vec!["ops"],
        ),
        (
            "info",
            "connection reset by peer",
            499,
            250.0,
            "u5",
            vec!["web", "flask"],
        ),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (level, message, status, ms, user, tags))| {
            let mut event = json!({
                "@timestamp": format!("2025-11-25T09:{:02}:00.000Z", 50 + i),
                "level": level,
                "message": message,
                "tags": tags,
                "extra": {"status_code": status, "response_time_ms": ms, "user_id": user},
                "event": {"id": format!("e{i}")},
            });
            if i % 3 == 0 {
                event["extra"]["url_path"] = json!(format!("/hello/{i}"));
            }
            // a number sent as a string, and epoch milliseconds
            event["bytes"] = json!(format!("{}", 1_024 * (i + 1)));
            event["seen"] = json!(1_764_064_200_000_i64 + 60_000 * i as i64);
            if i % 2 == 0 {
                event["client"] =
                    json!({"ip": format!("10.0.0.{i}"), "ref": format!("Order {i}-B")});
                event["audit"] = json!({"note": format!("secret {i}")});
            }
            event
        })
        .collect()
}

const QUERIES: &[&str] = &[
    "",
    "level:ERROR",
    "level:error",
    "level.keyword:ERROR",
    "level.keyword:info",
    "connection",
    "connection refused",
    // one chunk: both words in one field (the message), not one in the tags
    "refused flask",
    "flask Payments",
    // beside other syntax too; a field's group of words is one value (a keyword's one term)
    "level:ERROR refused flask",
    "refused flask -level:INFO",
    "message:(refused upstream)",
    "tags:(flask payments)",
    "*",
    "level.keyword:(ERROR CRITICAL)",
    "message:\"refused by upstream\"",
    "message:\"upstream refused\"",
    "level:(ERROR OR CRITICAL)",
    "-level:INFO",
    "NOT level:INFO AND NOT level:DEBUG",
    "extra.status_code:200",
    "extra.status_code:[500 TO 599]",
    "extra.status_code:{500 TO 503}",
    "extra.status_code:>=499",
    "extra.response_time_ms:<10",
    "extra.response_time_ms:[12.5 TO 812]",
    "200",
    "u1",
    "tags:flask",
    "tags.keyword:Payments",
    "tags:payments",
    "conn*",
    // a pattern without a field: words, and keywords' whole values as written
    "Pay*",
    "*ments",
    "Connection*",
    "extra.user_id:u?",
    "extra.user_id.keyword:u*",
    "_exists_:extra.url_path",
    "NOT _exists_:extra.url_path",
    "@timestamp:[2025-11-25T09:52:00Z TO 2025-11-25T09:55:00Z}",
    "@timestamp:>now-1h",
    "valueerror",
    "api",
    "user",
    "42",
    "extra.url_path:hel*",
    "extra.url_path.keyword:\\/hello\\/*",
    "client.ip:\"10.0.0.0/30\"",
    "\"10.0.0.4\"",
    "client.ref:\"Order 2-B\"",
    "client.ref:order",
    "client.ref:Order*",
    "\"Order 4-B\"",
    "b",
    "secret",
    "audit.note:secret",
    "_exists_:audit.note",
    "message.keyword:*",
    "client.ref.keyword:*",
    "_exists_:message",
    "message:*",
    "NOT _exists_:message",
    "_exists_:tags",
    "_exists_:client.ref",
];

/// An index that maps only what it declares (`dynamic: false`, but for `extra`), with a
/// number and a date, and the queries only it answers (a range over a text field is refused).
fn closed_mapping() -> Value {
    json!({"mappings": {"dynamic": false, "properties": {
        "@timestamp": {"type": "date"},
        "level": {"type": "keyword"},
        "message": {"type": "text"},
        "extra": {"type": "object", "dynamic": true},
        "bytes": {"type": "long"},
        "seen": {"type": "date"}
    }}})
}

/// The indices the queries run in, each with the queries only it answers: mapped as
/// events come, with [`declared_mapping`], with [`closed_mapping`].
fn indices() -> Vec<(Option<Value>, &'static [&'static str])> {
    vec![
        (None, &[]),
        (
            Some(declared_mapping()),
            &[
                "client.ip:[10.0.0.2 TO 10.0.0.6}",
                "client.ip:[10.0.0.0/31 TO 10.0.0.4/31]",
                "client.ip:{10.0.0.0/31 TO *]",
                "client.ref:[Order TO P]",
                "client.ref:>=P",
            ],
        ),
        (
            Some(closed_mapping()),
            &[
                "bytes:[2000 TO 4096]",
                "bytes:>=4096",
                "seen:[2025-11-25T09:52:00Z TO 2025-11-25T09:55:00Z}",
                "seen:>now-1h",
                "extra.url_path:hel*",
            ],
        ),
    ]
}

/// The mapping of the second index: what the live matcher must read as declared.
fn declared_mapping() -> Value {
    json!({"mappings": {"properties": {
        "level": {"type": "keyword"},
        "message": {"type": "text", "norms": false},
        "tags": {"type": "keyword"},
        "client": {"properties": {"ip": {"type": "ip"}, "ref": {"type": "keyword"}}},
        "extra": {"properties": {"user_id": {"type": "keyword"}}},
        "audit": {"type": "object", "enabled": false}
    }}})
}

/// Filter pills beside a query text, as the dashboard spells them in its links.
const PILLED: &[(&str, &[&str])] = &[
    ("", &["level:ERROR"]),
    ("", &["-level:ERROR"]),
    ("connection", &["extra.user_id:u5"]),
    ("", &["extra.status_code:200", "-tags:web"]),
    ("", &["extra.url_path"]),
    ("level:(ERROR OR INFO)", &["-extra.url_path"]),
    ("", &["message:upstream refused"]),
    (
        "",
        &["(level:ERROR OR level:CRITICAL)", "-(message:traceback)"],
    ),
    ("", &["~level:ERROR", "tags:flask"]),
    (
        "level:ERROR OR level:WARNING",
        &["extra.response_time_ms:40.0"],
    ),
];

#[test]
fn the_live_matcher_takes_exactly_what_the_search_finds() {
    let mut searches: Vec<Search> = QUERIES.iter().map(|query| Search::text(query)).collect();
    for (text, pills) in PILLED {
        searches.push(Search {
            text: text.to_string(),
            pills: pills
                .iter()
                .map(|pill| Pill::parse(pill).expect("a pill"))
                .collect(),
        });
    }
    let events = events();
    let mut body = String::new();
    for event in &events {
        body.push_str(&json!({"index": {}}).to_string());
        body.push('\n');
        body.push_str(&event.to_string());
        body.push('\n');
    }
    for (mapping, only) in indices() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("opens");
        if let Some(mapping) = &mapping {
            store.create_index("logs-app", mapping).expect("created");
        }
        let answer = store.bulk(Some("logs-app"), body.as_bytes()).expect("bulk");
        assert_eq!(answer["errors"], json!(false), "{answer}");
        let declared = store.live_declared("logs-app");
        assert_eq!(declared.is_empty(), mapping.is_none(), "{declared:?}");
        agree(&store, &events, &searches, &declared);
        let only: Vec<Search> = only.iter().map(|query| Search::text(query)).collect();
        agree(&store, &events, &only, &declared);
    }
}

fn agree(store: &Store, events: &[Value], searches: &[Search], declared: &Declared) {
    // "now" for both: the moment the queries run (the events are all in the past)
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let from = 1_764_000_000_000;
    for search in searches {
        // the live tail gets the search in the query box's syntax, the store its bool query
        let query = search.lucene();
        let Ok(live) = LiveQuery::compile("logs-*", &query) else {
            panic!("[{query}] does not compile for live matching");
        };
        let request = json!({"size": 100, "query": query_in_range(search, from, now), "sort": [{"@timestamp": "asc"}]});
        let found = store
            .search("logs-*", &request)
            .unwrap_or_else(|err| panic!("[{query}]: {err}"));
        let searched: Vec<&Value> = found["hits"]["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|hit| &hit["_source"]["event"]["id"])
            .collect();
        let matched: Vec<&Value> = events
            .iter()
            .filter(|event| {
                let source = event.as_object().expect("an object");
                live.matches("logs-app", source, declared, now)
            })
            .map(|event| &event["event"]["id"])
            .collect();
        assert_eq!(
            matched, searched,
            "[{query}]: live matching against the search"
        );
    }
}
