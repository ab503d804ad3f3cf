use super::*;
use serde_json::{json, Value};

fn check(body: &Value) -> Result<(), Refusal> {
    check_body(body.to_string().as_bytes(), BodyLimits::default())
}

#[test]
fn msearch_headers_are_checked_like_paths() {
    let policy = IndexPolicy {
        allowed: vec!["logs-*".into()],
    };
    let ok = b"{\"index\":\"logs-app\"}\n{\"size\":0}\n{}\n{}\n";
    assert!(check_msearch(ok, true, &policy, BodyLimits::default()).is_ok());
    let all = check_msearch(ok, false, &policy, BodyLimits::default()).expect_err("refused");
    assert!(all.rule.contains("line [3] names no index"), "{}", all.rule);
    // what Elasticsearch itself refuses gets its words and its status
    let unknown = b"{\"index\":\"logs-a\",\"foo\":1}\n{}\n";
    let refusal =
        check_msearch(unknown, true, &policy, BodyLimits::default()).expect_err("refused");
    assert_eq!(refusal.status, 400);
    assert_eq!(
        refusal.rule,
        "key [foo] is not supported in the metadata section"
    );
    // what it reads, the dashboard has no need of, and the proxy does not pass on
    let grafana = b"{\"index\":\"logs-a\",\"search_type\":\"query_then_fetch\",\"ignore_unavailable\":true}\n{}\n";
    assert!(check_msearch(grafana, true, &policy, BodyLimits::default()).is_ok());
    let hidden = b"{\"index\":\"logs-a\",\"expand_wildcards\":\"all\"}\n{}\n";
    assert!(check_msearch(hidden, true, &policy, BodyLimits::default()).is_err());
    for (body, needle) in [
        (
            &b"{\"index\":\".security\"}\n{}\n"[..],
            "outside the indices",
        ),
        (
            b"{\"index\":[\"logs-a\",\"secrets\"]}\n{}\n",
            "outside the indices",
        ),
        (
            b"{\"index\":\"logs-a\",\"routing\":\"x\"}\n{}\n",
            "[routing]",
        ),
        (
            b"{\"index\":\"logs-a\"}\n{\"script_fields\":{\"x\":{}}}\n",
            "[script_fields]",
        ),
        (b"{\"index\":\"logs-a\"}\n", "no search body"),
        (
            b"{\"index\":\"logs-a\"}\n{\"size\":1}}\n",
            "line [2] is not a JSON search body",
        ),
    ] {
        let refusal =
            check_msearch(body, true, &policy, BodyLimits::default()).expect_err("refused");
        assert!(refusal.rule.contains(needle), "{}", refusal.rule);
    }
}

#[test]
fn bodies_may_not_script_or_overreach() {
    assert_eq!(
        check(&json!({"query": {"match_all": {}}, "size": 200, "from": 0})),
        Ok(())
    );
    assert_eq!(check_body(b"", BodyLimits::default()), Ok(()));
    // no scripts asked for, as Grafana sends with its log queries
    assert_eq!(
        check(&json!({"script_fields": {}, "runtime_mappings": {}})),
        Ok(())
    );
    // what is no number past the bound goes on, for the search's reader to name
    for body in [
        json!({"size": "10", "from": 1.5}),
        json!({"size": " 2e3 "}),
        json!({"from": -1}),
        json!({"size": null}),
        json!({"size": true}),
    ] {
        assert_eq!(check(&body), Ok(()), "{body}");
    }
    // text Java would read as a number past the bound, or any other text, is refused
    for size in [
        "20000d",
        "0x1.388p14",
        "\u{1}20000",
        "Infinity",
        "NaN",
        "x",
        "",
        "1e",
    ] {
        let refusal = check(&json!({"size": size})).expect_err(size);
        assert_eq!(refusal.status, 403, "{size}");
    }
    assert_eq!(check_body(b" \n", BodyLimits::default()), Ok(()));
    // size and from are bounded where they mean something: at the top
    assert_eq!(
        check(&json!({"aggs": {"t": {"terms": {"field": "user", "size": 100_000}}}})),
        Ok(())
    );
    for (body, needle) in [
        (
            json!({"script_fields": {"x": {"script": "1"}}}),
            "[script_fields]",
        ),
        (
            json!({"query": {"bool": {"filter": [{"script": {"script": "doc['a'].value > 1"}}]}}}),
            "[script]",
        ),
        (
            json!({"runtime_mappings": {"x": {"type": "long"}}}),
            "[runtime_mappings]",
        ),
        (
            json!({"aggs": {"x": {"scripted_metric": {}}}}),
            "[scripted_metric]",
        ),
        (
            json!({"size": 100_000}),
            "[size] must be a whole number up to 10000, not 100000",
        ),
        (json!({"size": "20000"}), "not \"20000\""),
        (json!({"from": 10_000.5}), "not 10000.5"),
        (
            json!({"size": "6000", "from": 6000}),
            "[from] + [size] is 12000",
        ),
    ] {
        let refusal = check(&body).expect_err("refused");
        assert_eq!(refusal.status, 403);
        assert!(refusal.rule.contains(needle), "{body}: {}", refusal.rule);
    }
}

#[test]
fn what_the_cluster_would_read_is_what_is_checked() {
    // an escaped key is the same key to the cluster
    let escaped = br#"{"query":{"scr\u0069pt":{"source":"1"}}}"#;
    let refusal = check_body(escaped, BodyLimits::default()).expect_err("refused");
    assert!(refusal.rule.contains("[script]"), "{}", refusal.rule);
    // a repeated key: every copy is checked, whichever one the reader keeps
    let repeated = br#"{"size":10,"size":100000}"#;
    assert!(check_body(repeated, BodyLimits::default()).is_err());
    let repeated = br#"{"size":100000,"size":10}"#;
    assert!(check_body(repeated, BodyLimits::default()).is_err());
    // nothing after the body
    let trailing =
        check_body(br#"{"size":1} {"script":1}"#, BodyLimits::default()).expect_err("refused");
    assert_eq!(trailing.status, 400);
    assert!(
        trailing.rule.contains("not valid JSON"),
        "{}",
        trailing.rule
    );
}

#[test]
fn depth_is_bounded() {
    let nested = |levels: usize| {
        let mut body = String::new();
        for _ in 0..levels {
            body.push_str("{\"a\":");
        }
        body.push('1');
        body.push_str(&"}".repeat(levels));
        body
    };
    assert_eq!(
        check_body(nested(64).as_bytes(), BodyLimits::default()),
        Ok(())
    );
    let refusal = check_body(nested(65).as_bytes(), BodyLimits::default()).expect_err("refused");
    assert!(refusal.rule.contains("deeper than 64"), "{}", refusal.rule);
    let arrays = format!("{}{}", "[".repeat(65), "]".repeat(65));
    assert!(check_body(arrays.as_bytes(), BodyLimits::default()).is_err());
    // far past serde_json's own recursion limit: still a clear refusal, no overflow
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(check_body(deep.as_bytes(), BodyLimits::default()).is_err());
}

#[test]
fn invalid_json_is_named_as_such() {
    for body in [&b"{"[..], b"{\"size\":}", b"\xff", b"{'size':1}", b"nul"] {
        let refusal = check_body(body, BodyLimits::default()).expect_err("refused");
        assert_eq!(refusal.status, 400);
        assert!(
            refusal
                .rule
                .starts_with("the request body is not valid JSON"),
            "{}",
            refusal.rule
        );
    }
}

/// The rules stated over a parsed body, as the check stood before it walked bytes:
/// the oracle for the property test below.
fn rules_over_value(body: &Value, limits: BodyLimits) -> bool {
    fn walk(value: &Value, depth: usize) -> bool {
        match value {
            Value::Object(object) => {
                depth < MAX_DEPTH
                    && object.iter().all(|(key, inner)| {
                        let none_asked =
                            matches!(key.as_str(), "script_fields" | "runtime_mappings")
                                && inner.as_object().is_some_and(|asked| asked.is_empty());
                        (none_asked || !SCRIPT_KEYS.contains(&key.as_str()))
                            && walk(inner, depth + 1)
                    })
            }
            Value::Array(items) => {
                depth < MAX_DEPTH && items.iter().all(|item| walk(item, depth + 1))
            }
            _ => true,
        }
    }
    let bounded = |key: &str, max: u64| {
        body.get(key).is_none_or(|value| match value {
            Value::Object(_) | Value::Array(_) => false,
            Value::String(text) => {
                plain_decimal(text) && as_number(value).is_some_and(|n| n <= max as f64)
            }
            _ => as_number(value).is_none_or(|n| n <= max as f64),
        })
    };
    walk(body, 0) && bounded("size", limits.max_size) && bounded("from", limits.max_from)
}

/// A small deterministic generator (xorshift), so the property runs the same everywhere.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn value(&mut self, depth: usize) -> Value {
        let keys = [
            "query",
            "bool",
            "filter",
            "size",
            "from",
            "aggs",
            "script",
            "terms",
            "field",
            "script_score",
            "sort",
            "runtime_mappings",
            "match",
            "range",
        ];
        match self.below(if depth > 5 { 4 } else { 7 }) {
            0 => json!(self.below(20_000)),
            1 => json!(-(self.below(5) as i64)),
            2 => json!("text"),
            3 => Value::Null,
            4 | 5 => {
                let mut object = serde_json::Map::new();
                for _ in 0..self.below(4) {
                    let key = keys[self.below(keys.len() as u64) as usize];
                    object.insert(key.to_string(), self.value(depth + 1));
                }
                Value::Object(object)
            }
            _ => Value::Array((0..self.below(3)).map(|_| self.value(depth + 1)).collect()),
        }
    }
}

#[test]
fn the_streaming_check_agrees_with_the_rules_over_a_parsed_body() {
    let mut random = Random(0x5eed_1234_abcd_ef01);
    let limits = BodyLimits {
        max_size: 10_000,
        max_from: 10_000,
    };
    let (mut allowed, mut refused) = (0, 0);
    for _ in 0..20_000 {
        let body = random.value(0);
        let expected = rules_over_value(&body, limits);
        // the streaming walk alone: the query model's own reading has its own tests
        let checked = check_json(body.to_string().as_bytes(), limits);
        assert_eq!(checked.is_ok(), expected, "{body}: {checked:?}");
        if expected {
            allowed += 1;
        } else {
            refused += 1;
        }
    }
    // the generator reaches both sides of every rule often enough to mean something
    assert!(
        allowed > 2_000 && refused > 2_000,
        "{allowed} allowed, {refused} refused"
    );
}
