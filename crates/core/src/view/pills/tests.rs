use super::*;

fn is(field: &str, value: &str) -> Match {
    Match::Is {
        field: field.into(),
        value: value.into(),
    }
}

#[test]
fn a_pill_reads_as_the_link_spells_it() {
    assert_eq!(
        Pill::parse("level:ERROR"),
        Ok(Pill::new(is("level", "ERROR"), false))
    );
    assert_eq!(
        Pill::parse("-extra.url_path:/a:b"),
        Ok(Pill::new(is("extra.url_path", "/a:b"), true))
    );
    let off = Pill::parse("~-user").expect("a pill");
    assert_eq!(off.matches, Match::Exists("user".into()));
    assert!(off.negated && off.disabled);
    assert_eq!(
        Pill::parse("(message:\"GET /x\" AND status:500)"),
        Ok(Pill::new(
            Match::Query("message:\"GET /x\" AND status:500".into()),
            false
        ))
    );
    // a field's own colon and leading marks are escaped
    assert_eq!(
        Pill::parse(r"\-odd\:name:v"),
        Ok(Pill::new(is("-odd:name", "v"), false))
    );
    // an empty value is a value (the field is "")
    assert_eq!(Pill::parse("tag:"), Ok(Pill::new(is("tag", ""), false)));
}

#[test]
fn a_pill_without_a_field_or_query_is_refused_by_name() {
    assert_eq!(
        Pill::parse(":x"),
        Err("the filter [:x] names no field".into())
    );
    assert_eq!(
        Pill::parse("-"),
        Err("the filter [-] names no field".into())
    );
    assert_eq!(
        Pill::parse("( )"),
        Err("the filter's query is empty".into())
    );
    assert_eq!(
        Pill::parse("(level:(ERROR)"),
        Err("the filter's query [(level:(ERROR)] has a parenthesis without its pair".into())
    );
    assert!(Pill::parse("(a) OR b)").is_err());
    assert_eq!(
        Pill::parse("extra.*"),
        Err("a filter's field cannot be a pattern ([extra.*]): use a (query) filter".into())
    );
}

#[test]
fn a_query_is_read_whole_whether_wrapped_or_typed() {
    // typed as it is: its first parenthesis does not close at its end
    let typed = Pill::parse("(level:ERROR) OR (level:WARNING)").expect("a pill");
    assert_eq!(
        typed.matches,
        Match::Query("(level:ERROR) OR (level:WARNING)".into())
    );
    // the link wraps it once more, and reads it back the same
    assert_eq!(typed.to_param(), "((level:ERROR) OR (level:WARNING))");
    assert_eq!(Pill::parse(&typed.to_param()), Ok(typed));
    // a parenthesis in a phrase or escaped does not count
    assert_eq!(
        Pill::parse(r#"(message:"a) b" OR x\))"#).map(|p| p.matches),
        Ok(Match::Query(r#"message:"a) b" OR x\)"#.into()))
    );
}

#[test]
fn pills_become_bool_clauses_beside_the_query_text() {
    let search = Search {
        text: "level:ERROR OR level:WARNING".into(),
        pills: vec![
            Pill::new(is("service", "api"), false),
            Pill::new(Match::Exists("user".into()), true),
            Pill {
                disabled: true,
                ..Pill::new(is("host", "a"), false)
            },
        ],
    };
    let (filter, must_not) = search.clauses();
    assert_eq!(
        filter,
        vec![
            json!({"query_string": {"query": "level:ERROR OR level:WARNING", "default_operator": "AND"}}),
            json!({"match_phrase": {"service": "api"}}),
        ]
    );
    assert_eq!(must_not, vec![json!({"exists": {"field": "user"}})]);
    assert_eq!(
        search.lucene(),
        "(level:ERROR OR level:WARNING) AND service:\"api\" AND NOT _exists_:user"
    );
}

#[test]
fn pills_that_are_off_search_for_nothing() {
    let search = Search {
        text: " ".into(),
        pills: vec![Pill {
            disabled: true,
            ..Pill::new(is("host", "a"), false)
        }],
    };
    assert_eq!(search.clauses(), (vec![], vec![]));
    assert_eq!(search.lucene(), "");
}

#[test]
fn the_lucene_form_escapes_names_and_values() {
    let search = Search {
        text: String::new(),
        pills: vec![
            Pill::new(is("odd name", "say \"hi\" \\ now"), false),
            Pill::new(Match::Query("a OR b".into()), true),
        ],
    };
    assert_eq!(
        search.lucene(),
        r#"odd\ name:"say \"hi\" \\ now" AND NOT (a OR b)"#
    );
    assert!(crate::lucene::parse(&search.lucene(), crate::lucene::DefaultOperator::And).is_ok());
}

#[test]
fn labels_say_what_a_pill_keeps() {
    assert_eq!(
        Pill::new(is("level", "ERROR"), true).label(),
        "NOT level: ERROR"
    );
    assert_eq!(
        Pill::new(Match::Exists("user".into()), false).label(),
        "user: exists"
    );
}

#[test]
fn every_pill_survives_its_link() {
    const PIECES: [&str; 12] = [
        "a", ":", "\\", "(", ")", "-", "~", " ", "\"", "%", "&", "日",
    ];
    // every pair and triple of pieces, as field, value and query
    for a in PIECES {
        for b in PIECES {
            for c in PIECES {
                let text = format!("{a}{b}{c}");
                for matches in [
                    is(&text, &text),
                    Match::Exists(text.clone()),
                    Match::Query(format!(
                        "x{}",
                        text.replace(['(', ')', '"', '\\', ':', '-', '~', '&'], "")
                    )),
                ] {
                    for (negated, disabled) in [(false, false), (true, false), (true, true)] {
                        let pill = Pill {
                            matches: matches.clone(),
                            negated,
                            disabled,
                        };
                        let link = format!("{PARAM}={}", crate::url::encode(&pill.to_param()));
                        let read = crate::url::parse_query(&link);
                        assert_eq!(Pill::parse(&read[0].1), Ok(pill), "{link}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_pill_added_again_takes_the_place_of_its_twin() {
    use crate::dashboard::values::{pill, Action};
    let mut state = crate::view::ViewState::default();
    state.add_pill(pill("level", "ERROR", Action::Only));
    state.add_pill(pill("user", "ignored", Action::Exists));
    state.add_pill(pill("level", "ERROR", Action::Without));
    assert_eq!(
        state.pills,
        vec![
            Pill::new(Match::Exists("user".into()), false),
            Pill::new(is("level", "ERROR"), true)
        ]
    );
    assert_eq!(state.to_query(), "fl=user&fl=-level:ERROR");
    assert_eq!(crate::view::ViewState::from_query(&state.to_query()), state);
}

#[test]
fn an_edited_pill_keeps_its_place_and_leaves_its_twin_out() {
    let mut state = crate::view::ViewState::default();
    for pill in ["a:1", "~b:2", "c:3"] {
        state.add_pill(Pill::parse(pill).expect("a pill"));
    }
    // b (off) becomes c: it stays off, in b's place, and the other c goes
    state.replace_pill(1, Pill::parse("-c:3").expect("a pill"));
    assert_eq!(state.to_query(), "fl=a:1&fl=~-c:3");
    // a becomes c: the c after it goes
    state.replace_pill(0, Pill::parse("c:3").expect("a pill"));
    assert_eq!(state.to_query(), "fl=c:3");
    // past the end: added
    state.replace_pill(5, Pill::parse("d").expect("a pill"));
    assert_eq!(state.to_query(), "fl=c:3&fl=d");
}
