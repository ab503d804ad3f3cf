use serde_json::{json, Value};

use crate::Store;

#[test]
fn a_created_index_and_its_mapping_survive_a_restart_and_go_with_the_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mapping =
        json!({"mappings": {"dynamic": "false", "properties": {"user": {"type": "keyword"}}}});
    {
        let store = Store::open(dir.path()).expect("opens");
        store.create_index("app", &mapping).expect("created");
        assert!(store.index_exists("app"));
        assert_eq!(store.cat_indices(None).expect("cat")[0]["docs.count"], "0");
    }
    let store = Store::open(dir.path()).expect("reopens");
    assert_eq!(
        store.mapping("app").expect("mapping")["app"]["mappings"],
        json!({"dynamic": "false", "properties": {"user": {"type": "keyword"}}})
    );
    assert_eq!(
        store
            .create_index("app", &json!({}))
            .expect_err("exists")
            .kind,
        "resource_already_exists_exception"
    );
    store.delete_indices("app").expect("deleted");
    assert!(!store.index_exists("app"));
    drop(store);
    let store = Store::open(dir.path()).expect("reopens");
    assert!(!store.index_exists("app"));
    // created again, the index starts with no mapping
    store.create_index("app", &json!(null)).expect("created");
    assert_eq!(
        store.mapping("app").expect("mapping")["app"]["mappings"],
        json!({})
    );
}

#[test]
fn events_from_the_tcp_input_that_do_not_fit_their_daily_index_are_dropped_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    let day = "logstash-2025.11.25";
    store
        .create_index(
            day,
            &json!({"mappings": {"properties": {"ms": {"type": "long"}}}}),
        )
        .expect("created");
    let event = |ms: Value| {
        json!({"@timestamp": "2025-11-25T10:00:00Z", "ms": ms})
            .as_object()
            .cloned()
            .expect("object")
    };
    let taken = store
        .ingest(vec![
            event(json!("12")),
            event(json!("twelve")),
            event(json!(3)),
        ])
        .expect("ingest");
    assert_eq!(taken, 2);
    store.flush().expect("flush");
    let answer = store
        .search(
            day,
            &json!({"size": 0, "aggs": {"ms": {"sum": {"field": "ms"}}}}),
        )
        .expect("search");
    assert_eq!(answer["hits"]["total"]["value"], 2);
    assert_eq!(answer["aggregations"]["ms"]["value"], 15.0);
}

#[test]
fn templates_survive_a_restart_and_shape_the_daily_indices_of_the_tcp_input() {
    use crate::templates::Kind;
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("opens");
        store
            .put_template(
                Kind::Composable,
                "daily",
                // above Logstash's own (priority 200), which the store holds too
                &json!({"index_patterns": ["logstash-*"], "priority": 300, "template": {"mappings": {"properties": {"user": {"type": "keyword"}}}}}),
            )
            .expect("put");
    }
    let store = Store::open(dir.path()).expect("reopens");
    assert!(store.template_exists(Kind::Composable, "daily"));
    let event = json!({"@timestamp": "2025-11-25T10:00:00Z", "user": "Ann Lee"})
        .as_object()
        .cloned()
        .expect("object");
    store.ingest(vec![event]).expect("ingest");
    store.flush().expect("flush");
    let mapping = store.mapping("logstash-2025.11.25").expect("mapping");
    assert_eq!(
        mapping["logstash-2025.11.25"]["mappings"]["properties"]["user"],
        json!({"type": "keyword"})
    );
    let found = store
        .search(
            "logstash-*",
            &json!({"query": {"term": {"user": "Ann Lee"}}}),
        )
        .expect("search");
    assert_eq!(found["hits"]["total"]["value"], 1);
    // a template applies to new indices only; deleting it leaves them as they are
    store
        .delete_template(Kind::Composable, "daily")
        .expect("deleted");
    assert!(store.delete_template(Kind::Composable, "daily").is_err());
    assert_eq!(
        store.mapping("logstash-2025.11.25").expect("mapping"),
        mapping
    );
}

/// `match_only_text` and `wildcard` (the engine `make test` starts has neither: its modules
/// come from Maven Central, where mapper-extras and x-pack are not) answer as Elasticsearch's
/// reference says: the first as `text` (words and phrases, no aggregations), the second as
/// `keyword` (exact terms, wildcards, aggregations); `_field_caps` names their own types.
#[test]
fn match_only_text_answers_as_text_and_wildcard_as_keyword() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    let mapping = json!({"mappings": {"properties": {
        "message": {"type": "match_only_text"},
        "path": {"type": "wildcard"}
    }}});
    store.create_index("app", &mapping).expect("created");
    let mut body = String::new();
    for (id, message, path) in [
        ("a", "hello world from one", "/var/log/app.log"),
        ("b", "quiet line from two", "/var/log/db.log"),
        ("c", "hello again from three", "/tmp/other.txt"),
    ] {
        body += &format!("{{\"index\":{{\"_index\":\"app\",\"_id\":\"{id}\"}}}}\n");
        body += &json!({"@timestamp": "2025-11-25T10:00:00Z", "message": message, "path": path})
            .to_string();
        body += "\n";
    }
    let answer = store.bulk(None, body.as_bytes()).expect("bulk");
    assert_eq!(answer["errors"], json!(false), "{answer}");
    store.flush().expect("flushed");
    let ids = |query: Value| -> Vec<String> {
        let answer = store
            .search("app", &json!({"query": query, "sort": ["_doc"]}))
            .expect("searched");
        let hits = answer["hits"]["hits"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        hits.iter()
            .filter_map(|hit| hit["_id"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(ids(json!({"match": {"message": "hello"}})), ["a", "c"]);
    assert_eq!(
        ids(json!({"match_phrase": {"message": "hello again"}})),
        ["c"]
    );
    assert_eq!(
        ids(json!({"wildcard": {"path": "/var/log/*.log"}})),
        ["a", "b"]
    );
    assert_eq!(ids(json!({"term": {"path": "/tmp/other.txt"}})), ["c"]);
    let keys = store
        .search(
            "app",
            &json!({"size": 0, "aggs": {"p": {"terms": {"field": "path", "order": {"_key": "asc"}}}}}),
        )
        .expect("aggregated");
    assert_eq!(
        keys["aggregations"]["p"]["buckets"][0],
        json!({"key": "/tmp/other.txt", "doc_count": 1})
    );
    let refused = store
        .search(
            "app",
            &json!({"size": 0, "aggs": {"m": {"terms": {"field": "message"}}}}),
        )
        .expect_err("text is not aggregated");
    assert!(
        refused.reason.contains("Fielddata is disabled"),
        "{}",
        refused.reason
    );
    let caps = store
        .field_caps("app", Some("message,path"), &json!({}))
        .expect("field caps");
    assert_eq!(
        caps["fields"]["message"]["match_only_text"],
        json!({"type": "match_only_text", "metadata_field": false, "searchable": true, "aggregatable": false})
    );
    assert_eq!(
        caps["fields"]["path"]["wildcard"],
        json!({"type": "wildcard", "metadata_field": false, "searchable": true, "aggregatable": true})
    );
}

/// `terms` on a date_nanos field counts by the millisecond (tantivy's instants merged), so
/// it is answered where every instant can be merged, and refused by name elsewhere.
#[test]
fn terms_of_a_date_nanos_field_are_refused_where_they_cannot_be_merged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    let mapping = json!({"mappings": {"properties": {"t": {"type": "date_nanos"}}}});
    store.create_index("app", &mapping).expect("created");
    for (body, said) in [
        (
            json!({"t": {"terms": {"field": "t"}, "aggs": {"n": {"value_count": {"field": "t"}}}}}),
            "with sub-aggregations",
        ),
        (
            json!({"t": {"terms": {"field": "t", "missing": "2025-01-01T00:00:00Z"}}}),
            "with [missing]",
        ),
        (
            json!({"f": {"filter": {"match_all": {}}, "aggs": {"t": {"terms": {"field": "t"}}}}}),
            "below another aggregation",
        ),
    ] {
        let refused = store
            .search("app", &json!({"size": 0, "aggs": body}))
            .expect_err("refused");
        assert!(refused.reason.contains(said), "{}", refused.reason);
    }
}

/// A store that puts Logstash's template, as the server's TCP input asks of it.
fn with_template() -> crate::StoreConfig {
    crate::StoreConfig {
        logstash_template: true,
        ..crate::StoreConfig::default()
    }
}

#[test]
fn daily_indices_get_logstashs_own_template_as_when_logstash_writes_them() {
    use crate::templates::{Kind, LOGSTASH_TEMPLATE_NAME};
    let dir = tempfile::tempdir().expect("temp dir");
    let event = json!({
        "@timestamp": "2025-11-25T10:00:00Z", "@version": "1", "message": "GET / 200",
        "level": "INFO", "extra": {"status_code": 200, "user_id": "ann"}
    });
    {
        let store = Store::open_with(dir.path(), with_template()).expect("opens");
        let stored = store
            .get_templates(Kind::Composable, Some(LOGSTASH_TEMPLATE_NAME))
            .expect("stored at open");
        let template = &stored["index_templates"][0]["index_template"];
        assert_eq!(template["index_patterns"], json!(["logstash-*"]));
        assert_eq!(template["priority"], 200);
        store
            .ingest(vec![event.as_object().cloned().expect("object")])
            .expect("ingest");
        store.flush().expect("flush");
        let mapping = store.mapping("logstash-2025.11.25").expect("mapping");
        let properties = &mapping["logstash-2025.11.25"]["mappings"]["properties"];
        // the message is text only; other strings text with a `.keyword`
        assert_eq!(
            properties["message"],
            json!({"type": "text", "norms": false})
        );
        assert_eq!(
            properties["level"]["fields"]["keyword"],
            json!({"type": "keyword", "ignore_above": 256})
        );
        assert_eq!(properties["@version"], json!({"type": "keyword"}));
        assert_eq!(
            properties["extra"]["properties"]["status_code"]["type"],
            "long"
        );
        let found = |query: Value| {
            store
                .search("logstash-*", &json!({"query": query}))
                .expect("search")["hits"]["total"]["value"]
                .clone()
        };
        assert_eq!(found(json!({"match": {"message": "get"}})), 1);
        assert_eq!(found(json!({"term": {"message.keyword": "GET / 200"}})), 0);
        assert_eq!(found(json!({"term": {"extra.user_id.keyword": "ann"}})), 1);
        assert_eq!(found(json!({"term": {"extra.status_code": 200}})), 1);
        // a user may delete it; Logstash puts it back when it starts, and so does logdash
        store
            .delete_template(Kind::Composable, LOGSTASH_TEMPLATE_NAME)
            .expect("deleted");
    }
    let store = Store::open_with(dir.path(), with_template()).expect("reopens");
    assert!(store.template_exists(Kind::Composable, LOGSTASH_TEMPLATE_NAME));
    // one of the user's own under that name is kept as it is
    let own = json!({"index_patterns": ["logstash-*"], "priority": 7, "template": {}});
    store
        .put_template(Kind::Composable, LOGSTASH_TEMPLATE_NAME, &own)
        .expect("put");
    drop(store);
    let store = Store::open_with(dir.path(), with_template()).expect("reopens");
    let stored = store
        .get_templates(Kind::Composable, Some(LOGSTASH_TEMPLATE_NAME))
        .expect("kept");
    assert_eq!(
        stored["index_templates"][0]["index_template"]["priority"],
        7
    );
}

#[test]
fn one_batch_of_the_tcp_input_is_mapped_event_by_event_as_bulk_maps_its_items() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_with(dir.path(), with_template()).expect("opens");
    let event = |host: Value, message: &str| {
        json!({"@timestamp": "2025-11-25T10:00:00Z", "host": host, "message": message})
            .as_object()
            .cloned()
            .expect("object")
    };
    // python-logstash-async's plain layout names the host in text, its ECS layout in an
    // object: in one batch, the first makes `host` text and the second no longer fits
    let taken = store
        .ingest(vec![
            event(json!("web-1"), "plain"),
            event(json!({"hostname": "web-1"}), "ecs"),
            event(json!("web-2"), "plain again"),
        ])
        .expect("ingest");
    assert_eq!(taken, 2);
    store.flush().expect("flush");
    let mapping = store.mapping("logstash-2025.11.25").expect("mapping");
    let host = &mapping["logstash-2025.11.25"]["mappings"]["properties"]["host"];
    assert_eq!(host["type"], "text", "{host}");
    let found = store
        .search(
            "logstash-*",
            &json!({"query": {"match": {"message": "plain"}}}),
        )
        .expect("search");
    assert_eq!(found["hits"]["total"]["value"], 2);
}

#[test]
fn by_default_daily_indices_are_mapped_as_events_come() {
    use crate::templates::Kind;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("opens");
    assert!(!store.template_exists(Kind::Composable, "logstash"));
    let event = json!({"@timestamp": "2025-11-25T10:00:00Z", "message": "GET /"});
    store
        .ingest(vec![event.as_object().cloned().expect("object")])
        .expect("ingest");
    store.flush().expect("flush");
    let mapping = store.mapping("logstash-2025.11.25").expect("mapping");
    assert_eq!(
        mapping["logstash-2025.11.25"]["mappings"]["properties"]["message"]["fields"]["keyword"]
            ["type"],
        "keyword"
    );
}
