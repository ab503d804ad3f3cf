use super::*;
use serde_json::json;

fn limits(properties: serde_json::Value) -> Limits {
    let explicit = Explicit::read(&json!({ "properties": properties })).expect("a mapping");
    Limits::of([(Some(&explicit), None)])
}

#[test]
fn a_text_field_without_positions_refuses_phrases_and_one_with_fielddata_reads_as_words() {
    let limits = limits(json!({
        "kind": {"type": "text", "index_options": "docs", "fielddata": true},
        "note": {"type": "text", "index_options": "freqs"},
        "body": {"type": "text", "index_options": "offsets"}
    }));
    let refused = limits.check_positions("note").expect_err("no positions");
    assert!(refused
        .reason
        .contains("field:[note] was indexed without position data"));
    assert!(limits.check_positions("kind").is_err());
    assert!(limits.check_positions("body").is_ok());
    let mapping = IndexMapping::from([
        ("kind".to_string(), super::super::FieldKind::Text),
        ("note".to_string(), super::super::FieldKind::Text),
    ]);
    let values = limits.for_values(&mapping);
    assert_eq!(
        values["kind"],
        super::super::FieldKind::Keyword,
        "its words, whole"
    );
    assert_eq!(values["note"], super::super::FieldKind::Text);
    // a filter's query would read the field as a keyword: refused, not answered otherwise
    let filtered = json!({"by": {"terms": {"field": "code"}, "aggs": {"f": {"filter": {"match": {"kind": "a b"}}}}}});
    let refused = limits
        .check_filters_beside_fielddata(&filtered)
        .expect_err("refused");
    assert!(
        refused.reason.contains("[kind] has [fielddata]"),
        "{}",
        refused.reason
    );
    let plain = json!({"by": {"terms": {"field": "kind"}}});
    assert!(limits.check_filters_beside_fielddata(&plain).is_ok());
}

#[test]
fn a_date_fields_own_format_is_given_to_what_writes_its_dates() {
    let limits = limits(json!({
        "d": {"type": "date", "format": "yyyy-MM-dd"},
        "at": {"type": "date", "format": "strict_date_optional_time||epoch_millis"}
    }));
    assert_eq!(limits.date_format("d").ok().flatten(), Some("yyyy-MM-dd"));
    assert_eq!(
        limits.date_format("at").ok().flatten(),
        None,
        "the default's"
    );
    let aggs = json!({
        "days": {"date_histogram": {"field": "d", "calendar_interval": "day"},
                 "aggs": {"last": {"max": {"field": "d", "format": "yyyy"}}}},
        "other": {"max": {"field": "at"}}
    });
    let given = limits.with_date_formats(&aggs).expect("taken");
    assert_eq!(given["days"]["date_histogram"]["format"], "yyyy-MM-dd");
    assert_eq!(
        given["days"]["aggs"]["last"]["max"]["format"], "yyyy",
        "its own wins"
    );
    assert!(given["other"]["max"].get("format").is_none());
    let percentiles = json!({"p": {"percentiles": {"field": "d"}}});
    assert!(limits.with_date_formats(&percentiles).is_err());
}

#[test]
fn each_field_loses_what_its_parameters_take_away() {
    let limits = limits(json!({
        "original": {"type": "keyword", "index": false, "doc_values": false},
        "by_values": {"type": "keyword", "index": false},
        "no_values": {"type": "long", "doc_values": false},
        "body": {"type": "text", "index": false},
        "plain": {"type": "keyword"}
    }));
    assert!(
        limits.searchable("by_values"),
        "found through its doc values"
    );
    assert!(limits.searchable("no_values") && limits.searchable("plain"));
    for (field, said) in [
        (
            "original",
            "Cannot search on field [original] since it is not indexed nor has doc values.",
        ),
        (
            "body",
            "Cannot search on field [body] since it is not indexed.",
        ),
    ] {
        let refused = limits.check_search(field).expect_err("not searchable");
        assert_eq!(refused.kind, "query_shard_exception");
        assert!(refused.reason.ends_with(said), "{}", refused.reason);
    }
    for (field, es_type) in [("original", "keyword"), ("no_values", "long")] {
        let refused = limits.check_doc_values(field).expect_err("no doc values");
        assert!(
            refused
                .reason
                .contains(&format!("fields of type [{es_type}]")),
            "{}",
            refused.reason
        );
    }
    assert!(limits.check_doc_values("by_values").is_ok());
    assert!(limits.check_doc_values("plain").is_ok());
    // a text field's aggregations are refused by its own rule (fielddata)
    assert!(limits.check_doc_values("body").is_ok());
}

#[test]
fn parameters_that_are_no_flag_are_refused() {
    for property in [
        json!({"type": "keyword", "index": "no"}),
        json!({"type": "text", "doc_values": false}),
    ] {
        let refused =
            Explicit::read(&json!({ "properties": {"f": property} })).expect_err("refused");
        assert_eq!(
            refused.kind, "mapper_parsing_exception",
            "{}",
            refused.reason
        );
    }
}

#[test]
fn a_field_is_limited_only_where_every_index_having_it_limits_it() {
    let limiting = Explicit::read(&json!({"properties": {
        "original": {"type": "keyword", "index": false, "doc_values": false}
    }}))
    .expect("a mapping");
    let has = |names: &[&str]| -> IndexMapping {
        names
            .iter()
            .map(|name| (name.to_string(), super::super::FieldKind::Keyword))
            .collect()
    };
    let (limited_index, older) = (has(&["original"]), has(&["original", "other"]));
    let both = Limits::of([
        (Some(&limiting), Some(&limited_index)),
        (None, Some(&older)),
    ]);
    assert!(
        both.check_search("original").is_ok(),
        "the older index answers"
    );
    assert!(both.check_doc_values("original").is_ok());
    let alone = Limits::of([(Some(&limiting), Some(&limited_index))]);
    assert!(alone.check_search("original").is_err());
    // an index without the field does not lift the limit
    let without = has(&["other"]);
    let apart = Limits::of([
        (Some(&limiting), Some(&limited_index)),
        (None, Some(&without)),
    ]);
    assert!(apart.check_search("original").is_err());
}

#[test]
fn a_normalized_field_is_looked_up_normalized_where_every_index_agrees() {
    let lowercase = |fields: serde_json::Value| {
        Explicit::read(&json!({ "properties": fields })).expect("a mapping")
    };
    let norm = lowercase(json!({
        "level": {"type": "keyword", "normalizer": "lowercase"},
        "msg": {"type": "text", "fields": {"keyword": {"type": "keyword", "normalizer": "lowercase"}}}
    }));
    let plain = lowercase(json!({"level": {"type": "keyword"}}));
    let fields = |names: &[&str]| -> IndexMapping {
        names
            .iter()
            .map(|name| (name.to_string(), super::super::FieldKind::Keyword))
            .collect()
    };
    let (both, one) = (fields(&["level", "msg"]), fields(&["level"]));
    let alone = Limits::of([(Some(&norm), Some(&both))]);
    assert_eq!(
        alone.normalize("level", "ERROR").ok().as_deref(),
        Some("error")
    );
    assert_eq!(
        alone.normalize("msg", "Hi There").ok().as_deref(),
        Some("hi there")
    );
    assert_eq!(alone.normalize("other", "ABC").ok().as_deref(), Some("ABC"));
    // an index without the field leaves it normalized; one that keeps it as sent does not
    let other = lowercase(json!({"x": {"type": "long"}}));
    let with_other = Limits::of([
        (Some(&norm), Some(&both)),
        (Some(&other), Some(&fields(&["x"]))),
    ]);
    assert_eq!(
        with_other.normalize("level", "ERROR").ok().as_deref(),
        Some("error")
    );
    let mixed = Limits::of([(Some(&norm), Some(&both)), (Some(&plain), Some(&one))]);
    let refused = mixed
        .normalize("level", "ERROR")
        .expect_err("indices disagree");
    assert!(
        refused
            .reason
            .contains("[level] has a different normalizer"),
        "{}",
        refused.reason
    );
    assert_eq!(mixed.normalize("msg", "Hi").ok().as_deref(), Some("hi"));
}
