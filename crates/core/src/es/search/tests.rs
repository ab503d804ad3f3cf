use serde_json::json;

use super::msearch::{lines, Header};
use super::*;

fn parse(body: Value) -> Result<SearchBody, QueryError> {
    SearchBody::parse(&body)
}

fn refused(body: Value) -> (&'static str, String) {
    let err = parse(body.clone()).expect_err(&format!("{body} is refused"));
    (err.kind, err.reason)
}

#[test]
fn an_empty_body_is_every_event_by_score() {
    for body in [Value::Null, json!({}), json!({"sort": []})] {
        let read = parse(body).expect("read");
        assert_eq!((read.size, read.from, read.sort.clone()), (10, 0, None));
        assert_eq!(read.query, None);
        assert_eq!(read.source, SourceFilter::All);
        assert_eq!(read.track_total_hits, TrackTotalHits::UpTo(10_000));
    }
}

#[test]
fn size_and_from_are_read_as_elasticsearch_reads_them() {
    for (body, size, from) in [
        (json!({"size": 5, "from": 2}), 5, 2),
        (json!({"size": "5", "from": "3"}), 5, 3),
        (json!({"size": 1.5}), 1, 0),
    ] {
        let read = parse(body.clone()).expect("read");
        assert_eq!((read.size, read.from), (size, from), "{body}");
    }
    for (body, kind, reason) in [
        (
            json!({"size": -1}),
            "illegal_argument_exception",
            "[size] parameter cannot be negative, found [-1]",
        ),
        (
            json!({"from": -2}),
            "illegal_argument_exception",
            "[from] parameter cannot be negative but was [-2]",
        ),
        (
            json!({"size": "x"}),
            "number_format_exception",
            "For input string: \"x\"",
        ),
        (
            json!({"size": null}),
            "parsing_exception",
            "Unknown key for a VALUE_NULL in [size].",
        ),
        (
            json!({"size": true}),
            "x_content_parse_exception",
            "[size] Current token (VALUE_BOOLEAN) not numeric",
        ),
    ] {
        assert_eq!(refused(body.clone()), (kind, reason.to_string()), "{body}");
    }
}

#[test]
fn unknown_keys_and_wrong_types_get_elasticsearchs_error() {
    for (body, reason) in [
        (json!({"foo": 1}), "Unknown key for a VALUE_NUMBER in [foo]."),
        (json!({"foo": {}}), "Unknown key for a START_OBJECT in [foo]."),
        (json!({"query": []}), "Unknown key for a START_ARRAY in [query]."),
        (json!({"query": null}), "Unknown key for a VALUE_NULL in [query]."),
        (json!({"aggs": 5}), "Unknown key for a VALUE_NUMBER in [aggs]."),
        (json!({"sort": null}), "Unknown key for a VALUE_NULL in [sort]."),
        (
            json!({"search_after": 5, "sort": ["a"]}),
            "Unknown key for a VALUE_NUMBER in [search_after].",
        ),
        (
            json!({"_source": 5}),
            "Expected one of [VALUE_BOOLEAN, VALUE_STRING, START_ARRAY, START_OBJECT] but found [VALUE_NUMBER]",
        ),
        (
            json!({"_source": {"includes": ["a"], "foo": 1}}),
            "Unknown key for a VALUE_NUMBER in [foo].",
        ),
        (
            json!({"_source": {"includes": 5}}),
            "Unknown key for a VALUE_NUMBER in [includes].",
        ),
    ] {
        assert_eq!(
            refused(body.clone()),
            ("parsing_exception", reason.to_string()),
            "{body}"
        );
    }
    // what Elasticsearch reads and logdash does not do is refused by name
    for key in ["terminate_after", "collapse", "min_score", "suggest"] {
        let (kind, reason) = refused(json!({key: {}}));
        assert_eq!(kind, "illegal_argument_exception");
        assert!(reason.contains(&format!("[{key}] is not supported by logdash")));
    }
    let (kind, reason) = refused(json!({"version": true}));
    assert_eq!(kind, "illegal_argument_exception");
    assert!(reason.starts_with("[version] is not supported"), "{reason}");
    assert!(parse(json!({"version": false, "explain": "false", "timeout": "1s"})).is_ok());
    assert!(parse(json!({"script_fields": {}, "runtime_mappings": {}})).is_ok());
    // a post filter is a query of its own, read as the query is
    let body =
        parse(json!({"post_filter": {"term": {"color": "red"}}})).expect("a post filter is read");
    assert!(body.query.is_none() && body.post_filter.is_some());
    assert_eq!(
        refused(json!({"post_filter": {"nope": {}}})).0,
        "parsing_exception"
    );
    assert_eq!(
        refused(json!({"script_fields": {"x": {}}})).0,
        "illegal_argument_exception"
    );
}

#[test]
fn flags_and_totals() {
    for (body, total) in [
        (json!({"track_total_hits": true}), TrackTotalHits::Exact),
        (json!({"track_total_hits": "true"}), TrackTotalHits::Exact),
        (json!({"track_total_hits": false}), TrackTotalHits::Off),
        (json!({"track_total_hits": -1}), TrackTotalHits::Off),
        (
            json!({"track_total_hits": "100"}),
            TrackTotalHits::UpTo(100),
        ),
        (json!({"track_total_hits": 0}), TrackTotalHits::UpTo(0)),
    ] {
        assert_eq!(
            parse(body.clone()).expect("read").track_total_hits,
            total,
            "{body}"
        );
    }
    assert_eq!(
        refused(json!({"track_total_hits": -2})).1,
        "[track_total_hits] parameter must be positive or equals to -1, got -2"
    );
    assert_eq!(
        refused(json!({"track_total_hits": "x"})).0,
        "number_format_exception"
    );
    assert_eq!(
        refused(json!({"track_scores": "x"})).1,
        "Failed to parse value [x] as only [true] or [false] are allowed."
    );
    assert_eq!(
        TrackTotalHits::UpTo(3).render(5),
        Some(json!({"value": 3, "relation": "gte"}))
    );
    assert_eq!(TrackTotalHits::Off.render(5), None);
}

#[test]
fn source_filters() {
    for (source, includes, excludes) in [
        (json!("a"), vec!["a"], vec![]),
        (json!(["a", 5]), vec!["a", "5"], vec![]),
        (json!({"includes": "a"}), vec!["a"], vec![]),
        (
            json!({"include": ["a.*"], "excludes": "b"}),
            vec!["a.*"],
            vec!["b"],
        ),
    ] {
        let expected = SourceFilter::Some {
            includes: includes.into_iter().map(String::from).collect(),
            excludes: excludes.into_iter().map(String::from).collect(),
        };
        assert_eq!(
            parse(json!({"_source": source})).expect("read").source,
            expected
        );
    }
    assert_eq!(
        parse(json!({"_source": false})).expect("read").source,
        SourceFilter::None
    );
}

#[test]
fn sorts() {
    let keys = |body: Value| parse(body).expect("read").sort.expect("sorted");
    let read: Vec<_> = keys(json!({"sort": {"a": "DESC"}}))
        .into_iter()
        .map(|key| (key.field, key.descending))
        .collect();
    assert_eq!(read, vec![("a".to_string(), true)]);
    // several fields in one object: their order is not kept once parsed
    for sort in [
        json!({"b": "asc", "a": "desc"}),
        json!([{"b": "asc", "a": "desc"}]),
    ] {
        let (kind, reason) = refused(json!({"sort": sort}));
        assert_eq!(kind, "illegal_argument_exception");
        assert!(reason.contains("several fields (a, b)"), "{reason}");
    }
    let read = keys(json!({"sort": [
        "user",
        {"@timestamp": {"order": "desc", "missing": "_first", "mode": "min", "format": "epoch_millis"}},
        {"n": {"missing": 5, "unmapped_type": "long", "numeric_type": "double"}},
        {"_score": {"order": "asc"}},
    ]}));
    assert_eq!(read[0], SortKey::on("user"));
    assert!(read[1].descending && read[1].missing_first && read[1].mode == Some(SortMode::Min));
    assert_eq!(read[1].format.as_deref(), Some("epoch_millis"));
    assert_eq!(read[2].missing_value, Some(json!(5)));
    assert_eq!(read[2].unmapped_type.as_deref(), Some("long"));
    assert!(!read[3].descending);
    // `_score` descending alone is the scored search
    let scored = parse(json!({"sort": ["_score"]})).expect("read");
    assert!(scored.sort_by_score && scored.sort.is_none());
    for (sort, kind, reason) in [
        (json!([{"a": {"order": "up"}}]), "x_content_parse_exception", "[field_sort] failed to parse field [order]"),
        (json!([{"a": {"order": 5}}]), "x_content_parse_exception", "[field_sort] order doesn't support values of type: VALUE_NUMBER"),
        (json!([{"a": {"bogus": 1}}]), "x_content_parse_exception", "[field_sort] unknown field [bogus]"),
        (json!([{"a": {"missing": {}}}]), "x_content_parse_exception", "[field_sort] missing doesn't support values of type: START_OBJECT"),
        (json!([{"a": {"mode": "x"}}]), "x_content_parse_exception", "[field_sort] failed to parse field [mode]"),
        (json!([{"a": {"unmapped_type": 5}}]), "x_content_parse_exception", "[field_sort] unmapped_type doesn't support values of type: VALUE_NUMBER"),
        (json!([true]), "illegal_argument_exception", "malformed sort format, within the sort array, an object, or an actual string are allowed"),
    ] {
        assert_eq!(refused(json!({"sort": sort})), (kind, reason.to_string()), "{sort}");
    }
    assert_eq!(
        refused(json!({"search_after": [], "sort": ["a"]})).1,
        "Values must contains at least one value."
    );
}

#[test]
fn msearch_lines_pair_headers_and_searches() {
    let body = b"{\"index\":\"a\"}\n{\"size\":0}\n\n{}\n{}\n{\"index\":\"b\"}\n";
    let read: Vec<_> = lines(body).collect();
    assert_eq!(read.len(), 3);
    assert_eq!(
        (read[0].number, read[0].search),
        (1, Some(&b"{\"size\":0}"[..]))
    );
    assert_eq!((read[1].number, read[1].header), (3, &b"{}"[..]));
    assert_eq!((read[2].number, read[2].search), (5, None));
}

#[test]
fn msearch_headers_are_read_as_elasticsearch_reads_them() {
    let header = |value: Value| Header::parse(&value);
    let read =
        header(json!({"index": ["a", "b"], "ignore_unavailable": "true", "preference": "_local"}))
            .expect("read");
    assert_eq!(read.expression(Some("path")), Some("a,b".to_string()));
    assert_eq!(read.ignore_unavailable, Some(true));
    assert_eq!(read.others, vec!["preference".to_string()]);
    assert_eq!(
        header(json!({})).expect("read").expression(Some("p")),
        Some("p".into())
    );
    assert_eq!(
        header(json!({"indices": 5}))
            .expect("read")
            .expression(None),
        Some("5".into())
    );
    for (value, reason) in [
        (
            json!({"foo": 1}),
            "key [foo] is not supported in the metadata section",
        ),
        (
            json!({"ignore_unavailable": "x"}),
            "Could not convert [ignore_unavailable] to boolean",
        ),
        (
            json!({"expand_wildcards": "bogus"}),
            "No valid expand wildcard value [bogus]",
        ),
    ] {
        assert_eq!(
            header(value.clone()).expect_err("refused").reason,
            reason,
            "{value}"
        );
    }
    assert_eq!(
        header(json!([])).expect_err("refused").kind,
        "x_content_parse_exception"
    );
}

#[test]
fn fields_name_patterns_and_formats() {
    let read = parse(json!({"fields": ["a*", {"field": "d", "format": "epoch_millis"}]}))
        .expect("read")
        .fields
        .expect("fields");
    assert_eq!(read[0].pattern, "a*");
    assert_eq!(
        (read[1].pattern.as_str(), read[1].format.as_deref()),
        ("d", Some("epoch_millis"))
    );
    assert_eq!(
        refused(json!({"fields": "n"})),
        (
            "parsing_exception",
            "Unknown key for a VALUE_STRING in [fields].".to_string()
        )
    );
    assert_eq!(
        refused(json!({"fields": [{"field": "n", "bogus": 1}]})).1,
        "[fields_and_format] unknown field [bogus]"
    );
    assert_eq!(refused(json!({"fields": [5]})).0, "parsing_exception");
}
