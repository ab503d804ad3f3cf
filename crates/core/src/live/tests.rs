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
        .matches("logs-app", &event(), &Declared::new(), NOW)
}

#[test]
fn an_empty_query_takes_every_event_of_the_pattern_only() {
    let all = LiveQuery::compile("logs-*,audit", "").expect("compiles");
    assert!(all.matches("logs-app", &event(), &Declared::new(), NOW));
    assert!(all.matches("audit", &event(), &Declared::new(), NOW));
    assert!(!all.matches("metrics", &event(), &Declared::new(), NOW));
    let every = LiveQuery::compile("*", " ").expect("compiles");
    assert!(every.matches("logs-app", &event(), &Declared::new(), NOW));
    assert!(
        !every.matches(".logdash-saved", &event(), &Declared::new(), NOW),
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

/// The event of [`event`] with the fields Logstash's template and an application's
/// mapping declare, and that mapping.
fn mapped() -> (Map<String, Value>, Declared) {
    let mut event = event();
    event.insert("@version".into(), json!("1"));
    event.insert(
        "geoip".into(),
        json!({"ip": "10.1.2.3", "location": {"lat": 52.5, "lon": 13.4}}),
    );
    event.insert("order".into(), json!({"ref": "Order 42-B", "count": 7}));
    event.insert("audit".into(), json!({"who": "u42", "raw": "secret words"}));
    let declared = Declared::from([
        (
            "@version".to_string(),
            Mapped::Keyword { ignore_above: None },
        ),
        ("geoip.ip".to_string(), Mapped::Ip),
        ("geoip.location".to_string(), Mapped::Unsearched),
        ("message".to_string(), Mapped::TextOnly),
        (
            "order.ref".to_string(),
            Mapped::Keyword {
                ignore_above: Some(10),
            },
        ),
        (
            "order.count".to_string(),
            Mapped::Keyword { ignore_above: None },
        ),
        ("audit".to_string(), Mapped::Disabled),
    ]);
    (event, declared)
}

fn matches_mapped(query: &str) -> bool {
    let (event, declared) = mapped();
    LiveQuery::compile("logs-*", query)
        .unwrap_or_else(|err| panic!("{query}: {err}"))
        .matches("logs-app", &event, &declared, NOW)
}

#[test]
fn a_declared_keyword_is_its_whole_value_exactly() {
    assert!(matches_mapped("order.ref:\"Order 42-B\""));
    assert!(!matches_mapped("order.ref:order"), "no words of a keyword");
    assert!(!matches_mapped("order.ref:\"order 42-b\""), "case counts");
    assert!(matches_mapped("order.ref:Order*"));
    assert!(!matches_mapped("order.ref:order*"));
    assert!(matches_mapped("order.ref:[Order TO P]"));
    assert!(
        matches_mapped("order.count:7"),
        "a number is kept as written"
    );
    assert!(!matches_mapped("order.count:7.0"));
    assert!(
        !matches_mapped("order.ref.keyword:\"Order 42-B\""),
        "no .keyword of its own"
    );
    assert!(matches_mapped("@version:1"));
    // without a field: whole values only; a pattern meets text fields' words and
    // keywords' whole values, as written (as Elasticsearch's `*` fields do)
    assert!(matches_mapped("\"Order 42-B\""));
    assert!(!matches_mapped("B"));
    assert!(matches_mapped("Ord*"));
    // a text field declared without `.keyword` (Logstash's `message`) has words only
    assert!(matches_mapped("conn*"));
    assert!(!matches_mapped("Conn*stream*"));
    assert!(
        matches("Conn*stream*"),
        "a dynamic message has its .keyword"
    );
    assert!(matches_mapped("conn*"));
}

#[test]
fn a_declared_address_is_matched_by_address_block_and_range() {
    assert!(matches_mapped("geoip.ip:\"10.1.2.3\""));
    assert!(matches_mapped("geoip.ip:\"10.0.0.0/8\""));
    assert!(matches_mapped("geoip.ip:\"::ffff:10.1.2.3\""));
    assert!(!matches_mapped("geoip.ip:\"192.168.0.0/16\""));
    assert!(matches_mapped("geoip.ip:[10.1.2.0 TO 10.1.2.3]"));
    assert!(!matches_mapped("geoip.ip:[10.1.2.0 TO 10.1.2.3}"));
    assert!(!matches_mapped("geoip.ip:10"), "no words of an address");
    assert!(
        matches_mapped("\"10.1.2.3\""),
        "a term without a field meets it"
    );
}

#[test]
fn text_only_unsearched_and_disabled_fields_are_read_as_declared() {
    assert!(matches_mapped("message:refused"));
    assert!(
        !matches_mapped("message.keyword:*"),
        "no .keyword sub-field"
    );
    assert!(
        !matches_mapped("52.5"),
        "a geo point is no number to a term"
    );
    assert!(matches_mapped("_exists_:geoip.location"));
    assert!(
        !matches_mapped("secret"),
        "nothing in a disabled object is searched"
    );
    assert!(!matches_mapped("audit.who:u42"));
    assert!(!matches_mapped("_exists_:audit.raw"));
    assert!(matches_mapped("u42"), "extra.user_id still is");
}

#[test]
fn numbers_dates_limits_and_closed_objects_are_read_as_declared() {
    let source = json!({
        "bytes": "1024",
        "seen": 1_764_064_770_000_i64,
        "code": "ABCDEFGHIJKL",
        "short": "abc",
        "extra": {"note": "kept only"},
        "labels": {"team": "core"},
        "audit.note": "secret",
        "geo": {"lat": 41.5, "lon": 2.0},
        "client": {"ip": "10.0.1.7"}
    });
    let source = source.as_object().cloned().unwrap_or_default();
    let declared = Declared::from([
        ("".to_string(), Mapped::Closed),
        ("labels".to_string(), Mapped::Open),
        ("bytes".to_string(), Mapped::Number),
        ("seen".to_string(), Mapped::Date),
        (
            "code".to_string(),
            Mapped::Keyword {
                ignore_above: Some(8),
            },
        ),
        (
            "short".to_string(),
            Mapped::Keyword {
                ignore_above: Some(8),
            },
        ),
        ("audit".to_string(), Mapped::Disabled),
        ("geo".to_string(), Mapped::Unsearched),
        ("client.ip".to_string(), Mapped::Ip),
    ]);
    let matches = |query: &str| {
        LiveQuery::compile("logs-*", query)
            .unwrap_or_else(|err| panic!("{query}: {err}"))
            .matches("logs-app", &source, &declared, NOW)
    };
    assert!(matches("bytes:[1000 TO 2000]"), "a number sent as a string");
    assert!(matches("bytes:1024"));
    assert!(matches("seen:[now-1m TO now]"), "epoch milliseconds");
    assert!(matches("seen:\"2025-11-25T09:59:30Z\""));
    assert!(
        !matches("code:ABCDEFGHIJKL"),
        "past ignore_above: not indexed"
    );
    assert!(!matches("_exists_:code"));
    assert!(matches("short:abc") && matches("_exists_:short"));
    assert!(
        !matches("extra.note:kept"),
        "undeclared under dynamic: false"
    );
    assert!(!matches("kept"));
    assert!(
        matches("labels.team:core"),
        "an object dynamic: true inside"
    );
    assert!(!matches("secret"), "a dotted key inside a disabled object");
    assert!(!matches("geo.lat:41.5") && !matches("41.5"));
    assert!(matches("client.ip:[10.0.0.0/24 TO 10.0.1.0/24]"));
    assert!(!matches("client.ip:[10.0.0.0/24 TO 10.0.1.0/24}"));
}
