use serde_json::json;

use super::*;

fn explicit(mappings: Value) -> Explicit {
    Explicit::read(&mappings).expect("a mapping logdash takes")
}

fn source(event: Value) -> Source {
    event.as_object().cloned().expect("an object")
}

/// What the shaped event's views index: its words and its whole values.
fn indexed(event: &Source, shaped: &Shaped) -> (Value, Value) {
    crate::document::indexed_views(event, shaped)
}

#[test]
fn values_are_made_to_fit_their_declared_types() {
    let mapping = explicit(json!({"properties": {
        "user": {"type": "keyword", "ignore_above": 5},
        "ms": {"type": "integer"},
        "ratio": {"type": "float"},
        "price": {"type": "scaled_float", "scaling_factor": 100},
        "ok": {"type": "boolean"},
        "at": {"type": "date"},
        "note": {"type": "text"},
        "msg": {"type": "text", "fields": {"keyword": {"type": "keyword"}}}
    }}));
    let event = source(json!({
        "user": ["ann", 12, "too-long", "zoë", "ééééé", "éééééé"], "ms": "42.9", "ratio": 0.1, "price": "1.234",
        "ok": "", "at": 1_735_689_600_000_i64, "note": "a b", "msg": "c d", "free": "x"
    }));
    let shaped = mapping.shape(&event, "1").expect("it fits");
    let (words, whole) = indexed(&event, &shaped);
    assert_eq!(
        whole,
        json!({
            // a float kept at single precision, as Elasticsearch keeps it
            "user": ["ann", "12", "zoë", "ééééé"], "ms": 42, "ratio": f64::from(0.1_f32), "price": 1.23,
            "ok": false, "at": 1_735_689_600_000_i64, "msg": "c d", "free": "x"
        })
    );
    assert_eq!(
        words,
        json!({"user": [], "note": "a b", "msg": "c d", "free": "x"})
    );
}

#[test]
fn a_value_that_does_not_fit_refuses_the_event_unless_malformed_ones_are_ignored() {
    let mapping = explicit(json!({"properties": {
        "ms": {"type": "long"},
        "small": {"type": "byte"},
        "lenient": {"type": "long", "ignore_malformed": true},
        "strict_number": {"type": "long", "coerce": false},
        "host": {"properties": {"name": {"type": "keyword"}}}
    }}));
    let misfit = |event: Value| mapping.shape(&source(event), "7").err();
    let refused = misfit(json!({"ms": "abc"})).expect("refused");
    assert_eq!(refused.kind, "document_parsing_exception");
    assert_eq!(
        refused.reason,
        "failed to parse field [ms] of type [long] in document with id '7'. Preview of field's value: 'abc'"
    );
    assert_eq!(refused.cause.as_deref(), Some("For input string: \"abc\""));
    assert!(misfit(json!({"small": 300})).is_some());
    assert!(misfit(json!({"strict_number": "5"})).is_some());
    assert!(misfit(json!({"host": "web-1"})).is_some());
    assert!(misfit(json!({"host": {"name": {"a": 1}}})).is_some());
    assert_eq!(misfit(json!({"lenient": "abc", "ms": null})), None);
}

#[test]
fn dynamic_decides_what_happens_to_undeclared_fields() {
    let mapping = explicit(json!({"dynamic": "strict", "properties": {
        "meta": {"dynamic": false, "properties": {"region": {"type": "keyword"}}},
        "open": {"dynamic": true, "properties": {}}
    }}));
    let strict = mapping
        .shape(&source(json!({"other": 1})), "1")
        .expect_err("refused");
    assert_eq!(strict.kind, "strict_dynamic_mapping_exception");
    assert!(strict.reason.contains("[other] within [_doc]"));
    let event = source(json!({"meta": {"region": "eu", "build": "b-1"}, "open": {"n": 1}}));
    let shaped = mapping.shape(&event, "1").expect("fits");
    assert_eq!(
        indexed(&event, &shaped).1,
        json!({"meta": {"region": "eu"}, "open": {"n": 1}})
    );
}

#[test]
fn mappings_logdash_cannot_honour_are_refused_by_name() {
    let refused = |mappings: Value| Explicit::read(&mappings).err().map(|e| (e.kind, e.reason));
    let (kind, reason) =
        refused(json!({"properties": {"shape": {"type": "geo_shape"}}})).expect("refused");
    assert_eq!(kind, "illegal_argument_exception");
    assert!(reason.contains("[geo_shape]"), "{reason}");
    let (kind, _) = refused(json!({"properties": {"x": {"type": "nope"}}})).expect("refused");
    assert_eq!(kind, "mapper_parsing_exception");
    let (_, reason) =
        refused(json!({"properties": {"x": {"type": "long", "copy_to": "y"}}})).expect("refused");
    assert!(reason.contains("[copy_to]"), "{reason}");
    // a pattern logdash reads is taken; week-based years are refused by name
    assert!(
        refused(json!({"properties": {"d": {"type": "date", "format": "yyyy/MM/dd"}}})).is_none()
    );
    assert!(refused(json!({"properties": {"d": {"type": "date", "format": "YYYY-ww"}}})).is_some());
    assert!(refused(json!({"properties": {"s": {"type": "scaled_float"}}})).is_some());
    assert!(refused(json!({"date_detection": false})).is_some());
    assert!(refused(json!({"dynamic": "runtime"})).is_some());
}

#[test]
fn a_dotted_name_declares_its_objects() {
    let mapping = explicit(json!({"properties": {"host.name": {"type": "keyword"}}}));
    assert!(mapping.objects.contains_key("host"));
    let event = source(json!({"host": {"name": "web-1"}}));
    let shaped = mapping.shape(&event, "1").expect("fits");
    assert_eq!(
        indexed(&event, &shaped).1,
        json!({"host": {"name": "web-1"}})
    );
}

#[test]
fn a_dynamic_template_takes_a_field_only_when_it_is_first_seen() {
    let mapping = explicit(json!({"dynamic_templates": [
        {"strings": {"match_mapping_type": "string", "mapping": {"type": "keyword"}}}
    ]}));
    let event = source(json!({"a": "x", "b": "y"}));
    // `a` was typed a number by an event before the template could take it
    let known: IndexMapping = [("a".to_string(), FieldKind::Long)].into();
    let shaped = mapping.shape_known(&event, "1", &known).expect("fits");
    // `a` is as dynamic mapping indexes it (words and whole), `b` the template's keyword
    let (words, whole) = indexed(&event, &shaped);
    assert_eq!(words, json!({"a": "x"}));
    assert_eq!(whole, json!({"a": "x", "b": "y"}));
}

#[test]
fn a_field_dynamic_mapping_typed_takes_values_as_elasticsearch_coerces_them() {
    let mapping = explicit(json!({"properties": {"declared": {"type": "keyword"}}}));
    let known: IndexMapping = [
        ("user".to_string(), FieldKind::Text),
        ("n".to_string(), FieldKind::Long),
        ("ok".to_string(), FieldKind::Boolean),
        ("odd".to_string(), FieldKind::Long),
    ]
    .into();
    let event = source(json!({"user": [42, "u-1"], "n": "6.7", "ok": "true", "odd": ["x", 2.5]}));
    let shaped = mapping.shape_known(&event, "1", &known).expect("fits");
    let (words, whole) = indexed(&event, &shaped);
    // `odd` holds a value Elasticsearch would refuse: kept as sent, as a dynamic index keeps it
    assert_eq!(
        whole,
        json!({"user": ["42", "u-1"], "n": 6, "ok": true, "odd": ["x", 2.5]})
    );
    assert_eq!(words, json!({"user": ["42", "u-1"], "odd": ["x"]}));
}
