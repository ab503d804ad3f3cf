use super::*;

#[test]
fn messages_for_others_are_not_ours_and_ours_are_read_or_refused_by_name() {
    assert_eq!(read("not json"), None);
    assert_eq!(read(r#"{"type":"webpackOk"}"#), None);
    assert_eq!(read(r#"["logdash:set"]"#), None);
    let set = read(r#"{"type":"logdash:set","query":"level:ERROR","from":"now-1h"}"#);
    assert_eq!(
        set,
        Some(Ok(Inbound::Set(SetView {
            query: Some("level:ERROR".into()),
            from: Some("now-1h".into()),
            ..SetView::default()
        })))
    );
    let Some(Err(reason)) = read(r#"{"type":"logdash:set","colour":"red"}"#) else {
        panic!("an unknown field is refused");
    };
    assert!(reason.contains("colour"), "{reason}");
    let Some(Err(reason)) = read(r#"{"type":"logdash:launch"}"#) else {
        panic!("an unknown type is refused");
    };
    assert!(reason.contains("logdash:launch"), "{reason}");
}

#[test]
fn set_changes_only_what_it_names() {
    let state = ViewState {
        query: "path:/api".into(),
        refresh: 10,
        embed: true,
        ..ViewState::default()
    };
    let next = SetView {
        from: Some("now-24h".into()),
        ..SetView::default()
    }
    .apply(&state)
    .expect("applies");
    assert_eq!(
        next,
        ViewState {
            from: "now-24h".into(),
            ..state
        }
    );
}

#[test]
fn filters_are_anded_to_the_query_quoted() {
    let state = ViewState::default();
    let set = SetView {
        query: Some("level:ERROR OR level:WARN".into()),
        filters: vec![
            Filter {
                field: "service".into(),
                value: "check \"out\"".into(),
                exclude: false,
            },
            Filter {
                field: "user.id".into(),
                value: "bot".into(),
                exclude: true,
            },
        ],
        ..SetView::default()
    };
    let next = set.apply(&state).expect("applies");
    assert_eq!(
        next.query,
        r#"(level:ERROR OR level:WARN) AND service:"check \"out\"" AND NOT user.id:"bot""#
    );
    assert!(
        crate::lucene::parse(&next.query, crate::lucene::DefaultOperator::Or).is_ok(),
        "{}",
        next.query
    );
    let bad = SetView {
        filters: vec![Filter {
            field: "a b".into(),
            value: "x".into(),
            exclude: false,
        }],
        ..SetView::default()
    };
    assert!(bad.apply(&state).expect_err("refused").contains("[a b]"));
}

#[test]
fn a_bad_part_refuses_the_whole_change() {
    let state = ViewState::default();
    let set = SetView {
        query: Some("level:ERROR".into()),
        refresh: Some(7),
        ..SetView::default()
    };
    let reason = set.apply(&state).expect_err("refused");
    assert!(reason.contains("refresh [7]"), "{reason}");
    let set = SetView {
        from: Some("last tuesday".into()),
        ..SetView::default()
    };
    assert!(set
        .apply(&state)
        .expect_err("refused")
        .contains("[last tuesday]"));
}

#[test]
fn origins_follow_frame_ancestors() {
    let own = "http://127.0.0.1:5380";
    let origins = Origins::new(
        "'self' https://portal.example.com http://127.0.0.1:8080 https://*.corp.example",
        own,
    );
    for allowed in [
        own,
        "https://portal.example.com",
        "http://127.0.0.1:8080",
        "https://wiki.corp.example",
    ] {
        assert!(origins.allows(allowed), "{allowed}");
    }
    for refused in [
        "https://evil.example",
        "http://portal.example.com",
        "https://portal.example.com.evil.example",
        "http://127.0.0.1:8081",
        "https://corp.example",
        "null",
    ] {
        assert!(!origins.allows(refused), "{refused}");
    }
    assert_eq!(
        origins.exact().collect::<Vec<_>>(),
        [own, "https://portal.example.com", "http://127.0.0.1:8080"]
    );
    assert!(!Origins::new("'none'", own).allows(own));
    assert!(Origins::new("*", own).allows("https://any.example"));
    assert!(!Origins::new("*", own).allows("null"));
}

#[test]
fn what_logdash_tells_the_portal() {
    let state = ViewState {
        query: "level:ERROR".into(),
        pills: vec![Pill::parse("-host:a").expect("a pill")],
        ..ViewState::default()
    };
    let told = view_changed(&state);
    assert_eq!(told["type"], "logdash:view");
    assert_eq!(told["query"], "level:ERROR");
    assert_eq!(told["filters"], json!(["-host:a"]));
    assert_eq!(told["link"], "q=level:ERROR&fl=-host:a");
    let row = Row {
        index: "logs".into(),
        id: "1".into(),
        time: 1_764_064_800_000,
        level: "ERROR".into(),
        message: "boom".into(),
        source: json!({"message": "boom"}),
        late: false,
    };
    let line = line_selected(&row);
    assert_eq!(line["timestamp"], "2025-11-25T10:00:00.000Z");
    assert_eq!(line["source"]["message"], "boom");
    assert_eq!(refused("x")["type"], "logdash:error");
    assert_eq!(ready()["type"], "logdash:ready");
    assert_eq!(size(812), json!({"type": "logdash:size", "height": 812}));
}
