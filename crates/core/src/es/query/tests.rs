use serde_json::{json, Value};

use super::*;

fn parse(value: Value) -> Query {
    Query::parse(&value).unwrap_or_else(|err| panic!("{value} is refused: {err}"))
}

fn refused(value: Value) -> QueryError {
    match Query::parse(&value) {
        Ok(query) => panic!("{value} is accepted as {query:?}"),
        Err(err) => err,
    }
}

#[test]
fn what_it_writes_it_reads_back_the_same() {
    let queries = [
        json!({"match_all": {}}),
        json!({"match_none": {}}),
        json!({"term": {"level": {"value": "ERROR", "case_insensitive": true}}}),
        json!({"terms": {"extra.status_code": [500, 503], "boost": 2.0}}),
        json!({"range": {"@timestamp": {"gte": "now-15m", "lt": "now", "time_zone": "Europe/Berlin"}}}),
        json!({"exists": {"field": "extra.user_id"}}),
        json!({"ids": {"values": ["a", "b"]}}),
        json!({"prefix": {"message": {"value": "conn"}}}),
        json!({"wildcard": {"extra.path": {"value": "/hello/*", "case_insensitive": true}}}),
        json!({"regexp": {"extra.path": {"value": "/hel+o/.*"}}}),
        json!({"fuzzy": {"message": {"value": "helo", "fuzziness": "AUTO"}}}),
        json!({"match": {"message": {"query": "hello Natalia", "operator": "and", "zero_terms_query": "all"}}}),
        json!({"match_bool_prefix": {"message": {"query": "said hel"}}}),
        json!({"match_phrase": {"message": {"query": "said hello", "slop": 1}}}),
        json!({"match_phrase_prefix": {"message": {"query": "said hel", "max_expansions": 10}}}),
        json!({"multi_match": {"query": "Natalia", "fields": ["message^2", "extra.*"], "type": "most_fields"}}),
        json!({"query_string": {"query": "level:ERROR", "fields": ["message", "level^3"], "default_operator": "AND"}}),
        json!({"simple_query_string": {"query": "hello +Natalia", "fields": ["message"]}}),
        json!({"bool": {"must": [{"match_all": {}}], "should": [{"term": {"a": {"value": 1}}}], "minimum_should_match": "75%"}}),
        json!({"constant_score": {"filter": {"term": {"level": {"value": "ERROR"}}}, "boost": 1.5}}),
        json!({"dis_max": {"queries": [{"match_all": {}}], "tie_breaker": 0.5}}),
        json!({"boosting": {"positive": {"match_all": {}}, "negative": {"match_none": {}}, "negative_boost": 0.5}}),
    ];
    for written in queries {
        let query = parse(written.clone());
        assert_eq!(query.to_json(), written, "{query:?}");
        assert_eq!(parse(query.to_json()), query);
    }
}

#[test]
fn short_forms_read_as_the_long_ones() {
    assert_eq!(
        parse(json!({"term": {"level": "ERROR"}})),
        parse(json!({"term": {"level": {"value": "ERROR"}}}))
    );
    assert_eq!(
        parse(json!({"match": {"message": "hello"}})),
        parse(json!({"match": {"message": {"query": "hello"}}}))
    );
    assert_eq!(
        parse(json!({"bool": {"filter": {"match_all": {}}}})),
        parse(json!({"bool": {"filter": [{"match_all": {}}]}}))
    );
    assert_eq!(
        parse(json!({"wildcard": {"f": {"wildcard": "a*"}}})),
        parse(json!({"wildcard": {"f": "a*"}}))
    );
    assert_eq!(
        parse(json!({"query_string": {"query": "x", "default_field": "message"}})),
        parse(json!({"query_string": {"query": "x", "fields": ["message"]}}))
    );
}

#[test]
fn ranges_read_every_way_of_writing_bounds() {
    let Query::Range(range) =
        parse(json!({"range": {"n": {"from": 1, "to": 5, "include_lower": false}}}))
    else {
        panic!("a range")
    };
    assert_eq!(
        range.lower,
        Some(Bound {
            value: Scalar::Int(1),
            inclusive: false
        })
    );
    assert_eq!(
        range.upper,
        Some(Bound {
            value: Scalar::Int(5),
            inclusive: true
        })
    );
    let Query::Range(range) = parse(json!({"range": {"n": {"gte": null, "lt": 2.5}}})) else {
        panic!("a range")
    };
    assert_eq!(range.lower, None);
    assert_eq!(
        range.upper,
        Some(Bound {
            value: Scalar::Float(2.5),
            inclusive: false
        })
    );
}

#[test]
fn unknown_keys_and_kinds_are_refused_by_name() {
    let err = refused(json!({"term": {"level": {"value": "x", "fuzziness": 1}}}));
    assert_eq!(err.kind, "parsing_exception");
    assert_eq!(err.reason, "[term] query does not support [fuzziness]");
    let err = refused(json!({"bool": {"musts": []}}));
    assert_eq!(err.kind, "x_content_parse_exception");
    assert_eq!(err.reason, "[bool] unknown field [musts]");
    let err = refused(json!({"no_such_query": {}}));
    assert_eq!(err.reason, "unknown query [no_such_query]");
    let err = refused(json!({"nested": {"path": "a", "query": {"match_all": {}}}}));
    assert_eq!(err.kind, "illegal_argument_exception");
    assert!(
        err.reason.contains("[nested] queries are not supported"),
        "{}",
        err.reason
    );
}

#[test]
fn malformed_queries_say_what_is_wrong() {
    assert_eq!(
        refused(json!({})).reason,
        "query malformed, empty clause found"
    );
    assert!(refused(json!({"term": {"a": 1}, "match_all": {}}))
        .reason
        .contains("one query per object"));
    assert_eq!(
        refused(json!({"term": {"a": 1, "b": 2}})).reason,
        "[term] query doesn't support multiple fields, found [a] and [b]"
    );
    assert!(refused(json!({"term": {"a": [1, 2]}}))
        .reason
        .contains("string, number or boolean"));
    assert!(refused(json!({"constant_score": {}}))
        .reason
        .contains("requires a 'filter'"));
    assert!(refused(json!({"dis_max": {"queries": []}}))
        .reason
        .contains("at least one clause"));
    assert!(
        refused(json!({"boosting": {"positive": {"match_all": {}}}}))
            .reason
            .contains("'negative'")
    );
    assert!(
        refused(json!({"match": {"m": {"operator": "xor", "query": "a"}}}))
            .reason
            .contains("AND or OR")
    );
    assert!(
        refused(json!({"match": {"m": {"query": "a", "analyzer": "whitespace"}}}))
            .reason
            .contains("whitespace")
    );
    // a name an index may define: the store says none does, a cluster is asked
    let undefined = refused(json!({"match": {"m": {"query": "a", "analyzer": "mine"}}}));
    assert_eq!(
        (
            undefined.kind,
            undefined.reason.as_str(),
            undefined.invalid_value
        ),
        (
            "query_shard_exception",
            "[match] analyzer [mine] not found",
            true
        )
    );
    assert!(
        refused(json!({"range": {"n": {"gte": 1, "relation": "touches"}}}))
            .reason
            .contains("touches")
    );
}

#[test]
fn options_logdash_cannot_honour_are_refused_not_ignored() {
    for query in [
        json!({"term": {"level": {"value": "x", "_name": "q"}}}),
        json!({"bool": {"_name": "q"}}),
        json!({"query_string": {"query": "x", "analyzer": "whitespace"}}),
        json!({"multi_match": {"query": "x", "type": "cross_fields"}}),
        json!({"regexp": {"f": {"value": "a.*", "flags": "INTERSECTION"}}}),
        json!({"terms": {"f": {"index": "other", "id": "1", "path": "p"}}}),
    ] {
        let err = refused(query.clone());
        assert_eq!(err.kind, "illegal_argument_exception", "{query}: {err}");
    }
}

#[test]
fn fuzziness_reads_auto_and_edits() {
    let auto = Fuzziness::parse(&json!("AUTO")).expect("valid");
    assert_eq!(
        (auto.edits_for(2), auto.edits_for(3), auto.edits_for(6)),
        (0, 1, 2)
    );
    let custom = Fuzziness::parse(&json!("AUTO:2,4")).expect("valid");
    assert_eq!(
        (
            custom.edits_for(1),
            custom.edits_for(2),
            custom.edits_for(4)
        ),
        (0, 1, 2)
    );
    assert_eq!(Fuzziness::parse(&json!(1)), Ok(Fuzziness::Edits(1)));
    assert_eq!(Fuzziness::parse(&json!("2")), Ok(Fuzziness::Edits(2)));
    assert!(Fuzziness::parse(&json!(3)).is_err());
    assert!(Fuzziness::parse(&json!("lots")).is_err());
}

#[test]
fn bool_requires_should_clauses_as_elasticsearch_does() {
    let only_should = |msm: Value| {
        let Query::Bool(query) = parse(
            json!({"bool": {"should": [{"match_all": {}}, {"match_all": {}}], "minimum_should_match": msm}}),
        ) else {
            panic!("a bool")
        };
        query.required_should()
    };
    assert_eq!(only_should(json!(2)), 2);
    assert_eq!(only_should(json!("50%")), 1);
    assert_eq!(only_should(json!(-1)), 1);
    let Query::Bool(with_filter) =
        parse(json!({"bool": {"filter": [{"match_all": {}}], "should": [{"match_all": {}}]}}))
    else {
        panic!("a bool")
    };
    assert_eq!(
        with_filter.required_should(),
        0,
        "should is optional beside a filter"
    );
    let Query::Bool(alone) = parse(json!({"bool": {"should": [{"match_all": {}}]}})) else {
        panic!("a bool")
    };
    assert_eq!(alone.required_should(), 1);
}
