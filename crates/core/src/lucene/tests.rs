use super::*;

fn word(field: Option<&str>, text: &str) -> Node {
    Node::Term {
        field: field.map(String::from),
        value: Value::Word(text.into()),
    }
}

fn p(query: &str) -> Node {
    parse(query, DefaultOperator::Or).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn empty_matches_all() {
    assert_eq!(p(""), Node::All);
    assert_eq!(p("   "), Node::All);
    assert_eq!(
        p("*"),
        Node::Term {
            field: None,
            value: Value::Wildcard("*".into())
        }
    );
    assert_eq!(p("level:(*)"), Node::Exists("level".into()));
    assert_eq!(p("*:*"), Node::All);
}

#[test]
fn words_fields_and_phrases() {
    assert_eq!(p("error"), word(None, "error"));
    assert_eq!(p("level:ERROR"), word(Some("level"), "ERROR"));
    assert_eq!(
        p("message:\"connection refused\""),
        Node::Term {
            field: Some("message".into()),
            value: Value::Phrase("connection refused".into())
        }
    );
    assert_eq!(
        p("url.path:\\/hello\\/N"),
        word(Some("url.path"), "/hello/N")
    );
}

#[test]
fn boolean_operators() {
    assert_eq!(p("a +b"), word(None, "b"));
    assert_eq!(
        parse("a +b", DefaultOperator::And).expect("parses"),
        Node::And(vec![word(None, "a"), word(None, "b")])
    );
    assert_eq!(
        p("a AND b"),
        Node::And(vec![word(None, "a"), word(None, "b")])
    );
    assert_eq!(
        p("a && b"),
        Node::And(vec![word(None, "a"), word(None, "b")])
    );
    // no precedence: Lucene makes "a OR b AND c" `a +b +c`, where `a` only scores
    assert_eq!(
        p("a OR b AND c"),
        Node::And(vec![word(None, "b"), word(None, "c")])
    );
    assert_eq!(
        p("NOT a"),
        Node::And(vec![Node::All, Node::Not(Box::new(word(None, "a")))])
    );
    assert_eq!(
        p("+a -b"),
        Node::And(vec![word(None, "a"), Node::Not(Box::new(word(None, "b")))])
    );
    assert_eq!(
        p("(a OR b) AND NOT c"),
        Node::And(vec![
            Node::Or(vec![word(None, "a"), word(None, "b")]),
            Node::Not(Box::new(word(None, "c")))
        ])
    );
}

/// Each clause's part decided as Lucene's classic parser decides it (checked against
/// Elasticsearch 8.19: which of five events each query finds).
#[test]
fn mixed_operators_as_lucene_reads_them() {
    let (a, b, c, d) = (
        word(None, "a"),
        word(None, "b"),
        word(None, "c"),
        word(None, "d"),
    );
    let not = |node: &Node| Node::Not(Box::new(node.clone()));
    for (query, operator, expected) in [
        (
            "a AND b OR c",
            DefaultOperator::Or,
            Node::And(vec![a.clone(), b.clone()]),
        ),
        (
            "a OR b OR c AND d",
            DefaultOperator::Or,
            Node::And(vec![c.clone(), d.clone()]),
        ),
        ("+a OR b", DefaultOperator::Or, a.clone()),
        (
            "a OR NOT b",
            DefaultOperator::Or,
            Node::And(vec![a.clone(), not(&b)]),
        ),
        (
            "a OR b AND NOT c",
            DefaultOperator::Or,
            Node::And(vec![b.clone(), not(&c)]),
        ),
        (
            "a OR b AND c",
            DefaultOperator::And,
            Node::And(vec![b.clone(), c.clone()]),
        ),
        (
            "-a OR b",
            DefaultOperator::And,
            Node::And(vec![b.clone(), not(&a)]),
        ),
        ("a b OR c", DefaultOperator::And, a.clone()),
        (
            "a OR +b",
            DefaultOperator::And,
            Node::Or(vec![a.clone(), b.clone()]),
        ),
        (
            "a OR b",
            DefaultOperator::And,
            Node::Or(vec![a.clone(), b.clone()]),
        ),
        (
            "x:(a OR b AND c)",
            DefaultOperator::Or,
            Node::And(vec![word(Some("x"), "b"), word(Some("x"), "c")]),
        ),
    ] {
        assert_eq!(parse(query, operator).expect("parses"), expected, "{query}");
    }
    for query in ["OR a", "a AND", "a AND OR b", "a NOT NOT b"] {
        assert!(parse(query, DefaultOperator::Or).is_err(), "{query}");
    }
}

/// Words side by side are one chunk, as Lucene's `MultiTerm` makes them (whitespace is no
/// operator): up to a word bound to what follows it, or a conjunction.
#[test]
fn words_side_by_side_are_one_chunk() {
    let and = |query| parse(query, DefaultOperator::And).expect("parses");
    assert_eq!(p("a b"), word(None, "a b"));
    assert_eq!(and("a b"), word(None, "a b"));
    assert_eq!(
        p("level:(ERROR WARNING)"),
        word(Some("level"), "ERROR WARNING")
    );
    assert_eq!(
        and("514 false ms:>=95"),
        Node::And(vec![
            word(None, "514 false"),
            Node::Term {
                field: Some("ms".into()),
                value: Value::Range {
                    lower: Some("95".into()),
                    upper: None,
                    include_lower: true,
                    include_upper: true
                }
            }
        ])
    );
    // the word before AND, OR, ^, ~ or ':' is not the chunk's; one word alone is no chunk
    assert_eq!(
        and("a b c AND d"),
        Node::And(vec![word(None, "a b"), word(None, "c"), word(None, "d")])
    );
    assert_eq!(
        p("a b OR c"),
        Node::Or(vec![word(None, "a"), word(None, "b"), word(None, "c")])
    );
    assert_eq!(
        and("a b^2"),
        Node::And(vec![
            word(None, "a"),
            Node::Boost(Box::new(word(None, "b")), 2.0)
        ])
    );
    assert_eq!(
        and("a b*"),
        Node::And(vec![
            word(None, "a"),
            Node::Term {
                field: None,
                value: Value::Wildcard("b*".into())
            }
        ])
    );
    // an escaped `*` is a word: the chunk goes on over it
    assert_eq!(and("a b \\*"), word(None, "a b *"));
    // after a conjunction or a modifier, a clause of its own first
    assert_eq!(
        and("x AND a b c"),
        Node::And(vec![word(None, "x"), word(None, "a"), word(None, "b c")])
    );
    assert_eq!(
        and("-a b c"),
        Node::And(vec![
            word(None, "b c"),
            Node::Not(Box::new(word(None, "a")))
        ])
    );
}

/// The top level by part, as `minimum_should_match` counts it.
#[test]
fn the_top_level_by_part() {
    let level = parse_level("+a b -c d", DefaultOperator::Or).expect("parses");
    assert_eq!(level.required, vec![word(None, "a")]);
    assert_eq!(level.optional, vec![word(None, "b"), word(None, "d")]);
    assert_eq!(level.prohibited, vec![word(None, "c")]);
    assert_eq!(level.len(), 4);
    let empty = parse_level("", DefaultOperator::Or).expect("parses");
    assert_eq!(empty.node(), Node::All);
}

#[test]
fn ranges_wildcards_and_exists() {
    assert_eq!(
        p("status:[500 TO 599]"),
        Node::Term {
            field: Some("status".into()),
            value: Value::Range {
                lower: Some("500".into()),
                upper: Some("599".into()),
                include_lower: true,
                include_upper: true
            }
        }
    );
    assert_eq!(
        p("ms:{* TO 100}"),
        Node::Term {
            field: Some("ms".into()),
            value: Value::Range {
                lower: None,
                upper: Some("100".into()),
                include_lower: false,
                include_upper: false
            }
        }
    );
    assert_eq!(
        p("ms:>=250"),
        Node::Term {
            field: Some("ms".into()),
            value: Value::Range {
                lower: Some("250".into()),
                upper: None,
                include_lower: true,
                include_upper: true
            }
        }
    );
    assert_eq!(
        p("path:\\/hel*"),
        Node::Term {
            field: Some("path".into()),
            value: Value::Wildcard("/hel*".into())
        }
    );
    assert_eq!(p("_exists_:user.id"), Node::Exists("user.id".into()));
    assert_eq!(p("user.id:*"), Node::Exists("user.id".into()));
    // without a field, a range is over the default field(s)
    assert_eq!(
        p(">=12"),
        Node::Term {
            field: None,
            value: Value::Range {
                lower: Some("12".into()),
                upper: None,
                include_lower: true,
                include_upper: true
            }
        }
    );
}

#[test]
fn errors_say_what_and_where() {
    for (query, needle) in [
        ("a AND", "ends where a term was expected"),
        ("(a OR b", "missing ')'"),
        ("\"open", "unterminated phrase"),
        ("status:[1 TO", "range bound is missing"),
        ("a)", "unbalanced ')'"),
    ] {
        let err = parse(query, DefaultOperator::Or).expect_err(query);
        assert!(err.to_string().contains(needle), "{query}: {err}");
        assert!(err
            .to_string()
            .starts_with(&format!("Failed to parse query [{query}]")));
    }
}

#[test]
fn field_groups_regexes_fuzzy_proximity_and_boosts() {
    assert_eq!(
        p("level:(ERROR OR WARNING)"),
        Node::Or(vec![
            word(Some("level"), "ERROR"),
            word(Some("level"), "WARNING")
        ])
    );
    assert_eq!(
        p("level:(ERROR -DEBUG) other"),
        Node::Or(vec![
            Node::And(vec![
                word(Some("level"), "ERROR"),
                Node::Not(Box::new(word(Some("level"), "DEBUG")))
            ]),
            word(None, "other")
        ]),
        "terms in the group take the field; terms outside keep none"
    );
    assert_eq!(
        p("/push.*/"),
        Node::Term {
            field: None,
            value: Value::Regex("push.*".into())
        }
    );
    assert_eq!(
        p("path:/\\/hello\\/.*/"),
        Node::Term {
            field: Some("path".into()),
            value: Value::Regex("/hello/.*".into())
        },
        "an escaped '/' inside a regular expression is a '/'"
    );
    assert_eq!(
        p("natalya~1"),
        Node::Term {
            field: None,
            value: Value::Fuzzy {
                text: "natalya".into(),
                edits: Some(1)
            }
        }
    );
    assert_eq!(
        p("user:natalya~"),
        Node::Term {
            field: Some("user".into()),
            value: Value::Fuzzy {
                text: "natalya".into(),
                edits: None
            }
        }
    );
    assert_eq!(
        p("\"quick fox\"~2"),
        Node::Term {
            field: None,
            value: Value::Proximity {
                text: "quick fox".into(),
                slop: 2
            }
        }
    );
    assert_eq!(
        p("error^2"),
        Node::Boost(Box::new(word(None, "error")), 2.0)
    );
    assert_eq!(
        p("(a OR b)^0.5"),
        Node::Boost(
            Box::new(Node::Or(vec![word(None, "a"), word(None, "b")])),
            0.5
        )
    );
}

#[test]
fn terms_for_highlighting_skip_negated_ones() {
    let node = p("error \"timed out\" -debug path:\\/api*");
    assert_eq!(positive_terms(&node), vec!["error", "timed out", "/api"]);
}

#[test]
fn never_panics_on_arbitrary_input() {
    // a deterministic sweep over short strings of the syntax's own characters
    let alphabet: Vec<char> = "a:()\"[]{}*?\\+-!&|<>= TOANDORNOT^~/".chars().collect();
    let mut seed: u64 = 42;
    for _ in 0..20_000 {
        let len = (seed % 12) as usize;
        let text: String = (0..len)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                alphabet[(seed >> 33) as usize % alphabet.len()]
            })
            .collect();
        let _ = parse(&text, DefaultOperator::Or);
        seed = seed.wrapping_add(1);
    }
}

#[test]
fn highlight_terms_from_tokens_are_the_parse_s_positive_terms() {
    for query in [
        "error",
        "error \"timed out\" -debug path:\\/api*",
        "level:ERROR AND NOT message:cache",
        "a OR (b AND -c) NOT (d OR e)",
        "-(a OR -b) c",
        "status:[500 TO 599] slow",
        "ms:>=250 fast",
        "ms:{* TO -5} x",
        "_exists_:user.id request",
        "NOT _exists_:user.id other",
        "level:(ERROR OR WARNING) -level:(DEBUG OR INFO) hit",
        "natalya~1 \"quick fox\"~2 boost^2 /push.*/",
        "*",
        "user.id:* hel* h*l?o *",
        "!a && b || c",
        "+must -mustnot maybe",
    ] {
        // the same terms (the dashboard's default operator is AND); their order does not
        // matter to highlighting
        let mut parsed = positive_terms(&parse(query, DefaultOperator::And).expect("parses"));
        let mut read = highlight_terms(query);
        parsed.sort();
        read.sort();
        assert_eq!(read, parsed, "{query}");
    }
    assert_eq!(
        highlight_terms("\"open"),
        Vec::<String>::new(),
        "no terms from what does not read"
    );
}

#[test]
fn range_bounds_run_to_the_next_space_as_lucene_reads_them() {
    assert_eq!(
        p("@timestamp:[2025-11-02T01:00:00 TO 2025-11-02T02:00:00+01:00}"),
        Node::Term {
            field: Some("@timestamp".into()),
            value: Value::Range {
                lower: Some("2025-11-02T01:00:00".into()),
                upper: Some("2025-11-02T02:00:00+01:00".into()),
                include_lower: true,
                include_upper: false
            }
        }
    );
    assert_eq!(
        p("n:[-5 TO now-1d/d]"),
        Node::Term {
            field: Some("n".into()),
            value: Value::Range {
                lower: Some("-5".into()),
                upper: Some("now-1d/d".into()),
                include_lower: true,
                include_upper: true
            }
        }
    );
    // after the range, the query goes on as before
    assert!(matches!(p("a:[1 TO 2] AND b:c"), Node::And(_)));
}
