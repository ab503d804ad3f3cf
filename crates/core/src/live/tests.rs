use super::*;
use serde_json::json;

const NOW: EpochMillis = 1_764_064_800_000; // 2025-11-25T10:00:00Z

fn event() -> Map<String, Value> {
    let event = json!({
        "@timestamp": "2025-11-25T09:59:30.000Z",
        "level": "ERROR",
        "logger_name": "app.views",
        "message": "Connection refused by upstream api-7 (retry 3)",
        "tags": ["flask", "Payments"],
        "extra": {"status_code": 502, "response_time_ms": 812.5, "user_id": "u42", "url_path": "/pay/42", "cached": false},
        "host.name": "web-1"
    });
    event.as_object().cloned().unwrap_or_default()
}

fn matches(query: &str) -> bool {
    LiveQuery::compile("logs-*", query)
        .unwrap_or_else(|err| panic!("{query}: {err}"))
        .matches("logs-app", &event(), NOW)
}

#[test]
fn an_empty_query_takes_every_event_of_the_pattern_only() {
    let all = LiveQuery::compile("logs-*,audit", "").expect("compiles");
    assert!(all.matches("logs-app", &event(), NOW));
    assert!(all.matches("audit", &event(), NOW));
    assert!(!all.matches("metrics", &event(), NOW));
    let every = LiveQuery::compile("*", " ").expect("compiles");
    assert!(every.matches("logs-app", &event(), NOW));
    assert!(
        !every.matches(".logdash-saved", &event(), NOW),
        "a wildcard leaves system indices out"
    );
}

#[test]
fn words_match_text_fields_as_the_store_analyses_them() {
    assert!(matches("level:ERROR"));
    assert!(matches("level:error"));
    assert!(matches("refused"));
    assert!(
        matches("connection upstream"),
        "every word, as default_operator AND"
    );
    assert!(!matches("connection downstream"));
    assert!(matches("message:\"refused by upstream\""));
    assert!(!matches("message:\"upstream by\""));
    assert!(
        matches("api"),
        "words split where the analyzer splits: api-7 is api and 7"
    );
    // as Elasticsearch's standard analyzer: letters joined by a dot are one word
    assert!(matches("logger_name:\"app.views\""));
    assert!(!matches("logger_name:views"));
    assert!(matches("tags:payments"), "any value of an array");
    assert!(matches("host.name:web"), "a key with dots in its name");
}

#[test]
fn keyword_is_the_whole_value_exactly() {
    assert!(matches("level.keyword:ERROR"));
    assert!(!matches("level.keyword:error"));
    assert!(matches("extra.url_path.keyword:\"/pay/42\""));
    assert!(!matches("extra.url_path.keyword:pay"));
    assert!(matches("tags.keyword:Payments"));
}

#[test]
fn numbers_and_booleans_compare_as_values() {
    assert!(matches("extra.status_code:502"));
    assert!(!matches("extra.status_code:500"));
    assert!(matches("extra.status_code:[500 TO 599]"));
    assert!(!matches("extra.status_code:{502 TO 599]"));
    assert!(matches("extra.response_time_ms:>800"));
    assert!(matches("extra.response_time_ms:<=812.5"));
    assert!(!matches("extra.response_time_ms:<812.5"));
    assert!(matches("extra.cached:false"));
    assert!(
        matches("502"),
        "a number without a field, as lenient Elasticsearch reads it"
    );
}

#[test]
fn dates_compare_as_instants_with_date_math() {
    assert!(matches("@timestamp:[now-1m TO now]"));
    assert!(!matches("@timestamp:[now-10s TO now]"));
    assert!(matches("@timestamp:>=2025-11-25"));
    assert!(matches(
        "@timestamp:[2025-11-25T09:00:00Z TO 2025-11-25T10:00:00Z}"
    ));
    assert!(matches("@timestamp:\"2025-11-25T09:59:30Z\""));
}

#[test]
fn booleans_groups_negation_wildcards_and_exists() {
    assert!(matches("level:(ERROR OR WARNING)"));
    assert!(matches("-level:DEBUG"));
    assert!(!matches("NOT level:ERROR"));
    assert!(matches("level:ERROR AND NOT extra.user_id:u7"));
    assert!(matches("conn*"));
    assert!(matches("extra.user_id:u?2"));
    assert!(!matches("extra.user_id:u?3"));
    assert!(matches("_exists_:extra.user_id"));
    assert!(!matches("_exists_:extra.trace_id"));
    assert!(matches("*"));
    assert!(matches("level:ERROR^2"));
}

#[test]
fn what_only_a_search_decides_is_refused_at_compile_time() {
    for query in ["/conn.*/", "helo~1", "\"connection upstream\"~3"] {
        assert!(LiveQuery::compile("logs-*", query).is_err(), "{query}");
    }
    assert!(LiveQuery::compile("logs-*", "level:(").is_err());
    assert!(LiveQuery::compile("", "level:ERROR").is_err());
    assert!(LiveQuery::compile("-logs-*", "").is_err());
}

#[test]
fn words_are_the_analyzers() {
    assert_eq!(
        words("GET /hello/Natalia 200"),
        ["get", "hello", "natalia", "200"]
    );
    assert_eq!(words(&"x".repeat(40)), ["x".repeat(40)]);
    assert_eq!(words("my_function"), ["my_function"]);
    assert!(wildcard("he*o", "hello") && wildcard("*", "") && !wildcard("h?", "hel"));
}

#[test]
fn a_view_names_the_fields_its_clauses_read() {
    let query = LiveQuery::compile(
        "logs-*",
        "client.ip:\"10.0.0.0/8\" AND (error OR NOT _exists_:user) AND level:ERROR^2",
    )
    .expect("compiles");
    assert_eq!(query.fields_named(), ["client.ip", "*", "user", "level"]);
    let all = LiveQuery::compile("logs-*", "").expect("compiles");
    assert!(all.fields_named().is_empty());
}
