use serde_json::json;

use super::mask::{mask, words};
use super::sample::{body, newest, spread, Sample, MESSAGES, SLICES};
use super::*;
use crate::view::Search;

fn mined(messages: &[&str]) -> Vec<Pattern> {
    let mut miner = Miner::new();
    for (i, message) in messages.iter().enumerate() {
        miner.add(message, i as EpochMillis);
    }
    miner.patterns("message", (0, messages.len() as EpochMillis), 4)
}

fn templates(messages: &[&str]) -> Vec<(String, u64)> {
    mined(messages)
        .into_iter()
        .map(|p| (p.template, p.count))
        .collect()
}

#[test]
fn variable_words_are_masked_with_their_wrapping_and_units_kept() {
    let cases = [
        ("42", "<num>"),
        ("-3.5", "<num>"),
        ("12.5ms", "<num>ms"),
        ("99%", "<num>%"),
        ("(200),", "(<num>),"),
        ("0x7ffd", "<hex>"),
        ("5f2b9c0e1a7d", "<hex>"),
        ("deadbeef", "deadbeef"),
        ("550e8400-e29b-41d4-a716-446655440000", "<uuid>"),
        ("10.0.0.7", "<ip>"),
        ("10.0.0.7:5432", "<ip>"),
        ("fe80::1", "<ip>"),
        ("/api/orders/17", "<path>"),
        ("https://example.com/x?y=1", "<url>"),
        ("user_id=1234", "user_id=<num>"),
        ("order=\"abc\"", "order=\"<str>\""),
        ("'x'", "'<str>'"),
        ("v2", "v2"),
        ("ERROR", "ERROR"),
        ("/", "/"),
        ("...", "..."),
    ];
    for (word, expected) in cases {
        assert_eq!(mask(word), expected, "{word}");
    }
}

#[test]
fn quoted_values_are_one_word_however_many_words_they_hold() {
    assert_eq!(
        words(r#"user "Ada Lovelace" logged in as name='a b c'"#),
        vec![
            "user",
            "\"Ada Lovelace\"",
            "logged",
            "in",
            "as",
            "name='a b c'"
        ]
    );
    // an apostrophe inside a word opens nothing; a quote left open is a character
    assert_eq!(words("don't stop \"here"), vec!["don't", "stop", "\"here"]);
}

#[test]
fn flask_request_lines_make_one_template_per_method_and_status_shape() {
    let got = templates(&[
        "GET /api/orders/1 200 12.30ms",
        "GET /api/orders/2 200 8.10ms",
        "POST /api/orders 201 30.00ms",
        "GET /health 200 0.40ms",
        "POST /api/pay 500 1200.00ms",
    ]);
    assert_eq!(
        got,
        vec![
            ("GET <path> <num> <num>ms".to_string(), 3),
            ("POST <path> <num> <num>ms".to_string(), 2),
        ]
    );
}

#[test]
fn words_that_differ_become_wildcards_and_unlike_messages_stay_apart() {
    let got = templates(&[
        "cache miss for key alpha",
        "cache hit for key beta",
        "cache miss for key gamma",
        "worker 3 started",
        "worker 4 started",
        "worker 4 stopped",
        "shutting down",
    ]);
    assert_eq!(
        got,
        vec![
            ("cache <*> for key <*>".to_string(), 3),
            ("worker <num> <*>".to_string(), 3),
            ("shutting down".to_string(), 1),
        ]
    );
}

#[test]
fn ids_of_every_kind_fall_in_one_template() {
    let got = templates(&[
        "request 550e8400-e29b-41d4-a716-446655440000 from 10.0.0.1 took 5ms",
        "request 6fa459ea-ee8a-3ca4-894e-db77e160355e from 192.168.1.20 took 17ms",
        "request 16fd2706-8baf-433b-82eb-8c7fada847da from 10.0.0.2:8080 took 1ms",
    ]);
    assert_eq!(
        got,
        vec![("request <uuid> from <ip> took <num>ms".to_string(), 3)]
    );
}

#[test]
fn a_traceback_is_mined_by_its_first_line() {
    let got = templates(&[
        "Payment failed for order 17\nTraceback (most recent call last):\n  File \"app.py\", line 3",
        "Payment failed for order 18\nTraceback (most recent call last):\n  File \"app.py\", line 9",
    ]);
    assert_eq!(got, vec![("Payment failed for order <num>".to_string(), 2)]);
}

#[test]
fn long_lines_compare_by_their_opening() {
    let long = |tail: &str| format!("{} {tail}", "word ".repeat(50).trim());
    let got = templates(&[&long("a"), &long("b")]);
    assert_eq!(got.len(), 1);
    assert!(got[0].0.ends_with("word <*>"), "{}", got[0].0);
}

#[test]
fn shares_sparklines_and_examples() {
    let mut miner = Miner::new();
    for (i, message) in ["job 1 done", "job 2 done", "job 3 done", "boot"]
        .iter()
        .enumerate()
    {
        miner.add(message, i as EpochMillis * 100);
    }
    let patterns = miner.patterns("message", (0, 399), 4);
    assert_eq!(miner.messages(), 4);
    assert_eq!(patterns[0].share, 0.75);
    assert_eq!(patterns[0].sparkline, vec![1, 1, 1, 0]);
    assert_eq!(patterns[0].example, "job 1 done");
    assert_eq!(patterns[1].sparkline, vec![0, 0, 0, 1]);
}

#[test]
fn filters_search_the_fixed_words_as_phrases() {
    let patterns = mined(&["user 7 logged in", "user 8 logged in"]);
    let pattern = &patterns[0];
    assert_eq!(
        pattern.clause.as_deref(),
        Some(r#"message:"user" AND message:"logged in""#)
    );
    let only = Search {
        text: "level:INFO".into(),
        pills: pattern.pill(false).into_iter().collect(),
    };
    assert_eq!(
        only.lucene(),
        r#"(level:INFO) AND (message:"user" AND message:"logged in")"#
    );
    let without = Search {
        text: String::new(),
        pills: pattern.pill(true).into_iter().collect(),
    };
    assert_eq!(
        without.lucene(),
        r#"NOT (message:"user" AND message:"logged in")"#
    );
    // quotes and backslashes are escaped; nothing fixed means no filter
    let quoted = mined(&[r#"say \"hi\" now"#]);
    assert_eq!(
        quoted[0].clause.as_deref(),
        Some(r#"message:"say \\\"hi\\\" now""#)
    );
    assert_eq!(mined(&["42", "43"])[0].clause, None);
    let single = mined(&["ready"]);
    let without = Search {
        text: "a OR b".into(),
        pills: single[0].pill(true).into_iter().collect(),
    };
    assert_eq!(without.lucene(), r#"(a OR b) AND NOT (message:"ready")"#);
}

#[test]
fn ten_thousand_messages_make_few_templates() {
    let mut miner = Miner::new();
    for i in 0..10_000u64 {
        let message = match i % 4 {
            0 => format!("GET /api/items/{i} 200 {}.{}ms", i % 97, i % 10),
            1 => format!("user u{i} logged in from 10.1.{}.{}", i % 250, i % 200),
            2 => format!("payment {i:x}{i:x}abcdef failed: card declined"),
            _ => format!("cache miss for key item:{i}"),
        };
        miner.add(&message, i as EpochMillis);
    }
    let patterns = miner.patterns("message", (0, 10_000), 10);
    let counts: Vec<u64> = patterns.iter().map(|p| p.count).collect();
    assert_eq!(counts.iter().sum::<u64>(), 10_000);
    assert!(
        patterns.len() <= 6,
        "{:#?}",
        &patterns[..patterns.len().min(8)]
    );
    assert_eq!(patterns[0].count, 2_500);
}

#[test]
fn the_sample_reads_the_newest_then_a_spread_of_the_range_each_event_once() {
    let search = newest(
        &Search::text("level:ERROR"),
        (1_000, 2_000),
        &["message"],
        MESSAGES.newest,
    );
    assert_eq!(search["size"], 10_000);
    assert_eq!(search["sort"][0]["@timestamp"]["order"], "desc");
    assert_eq!(search["_source"], json!(["message"]));
    let slices = spread(&Search::default(), (0, 10_000), &["message"], (7, 500));
    assert_eq!(slices.len(), SLICES);
    for (i, slice) in slices.iter().enumerate() {
        let range = &slice["query"]["bool"]["filter"][0]["range"]["@timestamp"];
        let (gte, lte) = (
            range["gte"].as_i64().expect("a start"),
            range["lte"].as_i64().expect("an end"),
        );
        assert_eq!(gte, i as i64 * 1_000);
        assert!((gte..gte + 1_000).contains(&lte), "{gte}..{lte}");
        assert_eq!(slice["size"], 500);
    }
    let hit = |id: &str, time: i64| json!({"_index": "logs", "_id": id, "sort": [time], "_source": {"message": id}});
    let whole = body(
        "logs-*",
        &Search::default(),
        (0, 10_000),
        &["message"],
        (MESSAGES, 7),
    );
    assert_eq!(whole.lines().count(), 2 * (1 + SLICES));
    assert_eq!(whole.lines().next(), Some(r#"{"index":"logs-*"}"#));
    assert!(whole
        .lines()
        .nth(1)
        .is_some_and(|newest| newest.contains(r#""size":10000"#)));
    let sample = Sample::read(&json!({"responses": [
        {"hits": {"total": {"value": 5}, "hits": [hit("a", 9), hit("b", 8)]}},
        {"hits": {"total": {"value": 1}, "hits": [hit("b", 8), hit("c", 1)]}},
        {"error": {"type": "search_phase_execution_exception"}, "status": 400}
    ]}))
    .expect("a sample");
    assert_eq!(sample.events.len(), 3);
    assert_eq!(sample.total, 5);
    assert_eq!(sample.events[2].text("message"), Some("c"));
    assert_eq!(
        sample.described(2, "message"),
        "3 of 5 messages: the newest 2 and 1 across the range"
    );
    // all in the newest: the spread's answers add nothing
    let all = Sample::read(&json!({"responses": [
        {"hits": {"total": {"value": 1}, "hits": [hit("a", 9)]}},
        {"hits": {"total": {"value": 1}, "hits": [hit("a", 9)]}}
    ]}))
    .expect("a sample");
    assert!(!all.wants_spread());
    assert_eq!(all.described(MESSAGES.newest, "message"), "1 message");
    let mut newest_only = all.clone();
    newest_only.total = 3;
    assert_eq!(
        newest_only.described(1, "message"),
        "the newest 1 of 3 messages"
    );
    let refused = json!({"responses": [{"error": {"type": "x", "reason": "no such index [y]"}, "status": 404}]});
    assert_eq!(
        Sample::read(&refused).err().as_deref(),
        Some("no such index [y]")
    );
}
