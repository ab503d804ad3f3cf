//! What a search body may ask for, checked as the body is parsed, without building it:
//! no scripts anywhere, no runtime fields, `size` and `from` in bounds, and for `_msearch`
//! every header line like a path. In proxy mode the checked bytes are what goes on to the
//! cluster, so the check must see every key the cluster will see, escapes decoded.

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::route::{index_expr, EsRoute, IndexPolicy, Refusal};
use super::search::msearch::{self, Header, Lines};

/// Bounds on what a search body may ask for.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_size: u64,
    pub max_from: u64,
}

impl Default for BodyLimits {
    fn default() -> Self {
        Self {
            max_size: 10_000,
            max_from: 10_000,
        }
    }
}

/// The deepest a body may nest: far more than any dashboard query, far less than what
/// would make a parser on either side recurse dangerously.
const MAX_DEPTH: usize = 64;

/// Top-level search keys that read beyond the indices and fields the dashboard shows
/// (`indices_boost` names other indices; stored and doc-value fields, point-in-time and
/// vector searches, rescoring with another query): refused before they reach a cluster.
const TOP_LEVEL_REFUSED: [&str; 6] = [
    "indices_boost",
    "stored_fields",
    "docvalue_fields",
    "rescore",
    "pit",
    "knn",
];

/// The most hits `from + size` may ask for, as Elasticsearch's `index.max_result_window`.
const MAX_WINDOW: u64 = 10_000;

/// Keys that run code on the cluster.
const SCRIPT_KEYS: [&str; 5] = [
    "script",
    "script_fields",
    "runtime_mappings",
    "scripted_metric",
    "script_score",
];

/// Checks the body of a request whose route [`super::route::parse_request`] allowed: none
/// where the route reads none (it would reach the cluster unchecked), an `_msearch` body
/// line by line, any other as a search body. `shown` is the request as the refusal names
/// it (`GET /`).
pub fn check_request_body(
    route: &EsRoute,
    body: &[u8],
    shown: &str,
    policy: &IndexPolicy,
) -> Result<(), Refusal> {
    if !route.takes_body() && !body.iter().all(u8::is_ascii_whitespace) {
        return Err(Refusal {
            status: 400,
            rule: format!("request [{shown}] does not support having a body"),
        });
    }
    let limits = BodyLimits::default();
    // (a route that takes no body has none left to check: an empty body passes)
    match route {
        EsRoute::Msearch { index } => check_msearch(body, index.is_some(), policy, limits),
        _ => check_body(body, limits),
    }
}

/// Checks a search or count body (JSON bytes; empty means no body): no scripts anywhere,
/// no runtime fields, `size`/`from` in bounds. Invalid JSON is refused with 400.
pub fn check_body(body: &[u8], limits: BodyLimits) -> Result<(), Refusal> {
    check_json(body, limits).map_err(|failure| match failure {
        Failure::Refused(refusal) => refusal,
        Failure::Invalid(err) => Refusal {
            status: 400,
            rule: format!("the request body is not valid JSON: {err}"),
        },
    })?;
    check_query(body)
}

/// Checks an `_msearch` body: every header line like a path (its indices against the
/// allowlist, only known keys), every search body like [`check_body`]. A header without an
/// index searches the path's index; when the path names none either, it is refused (it
/// would mean every index, past the allowlist).
pub fn check_msearch(
    body: &[u8],
    path_names_index: bool,
    policy: &IndexPolicy,
    limits: BodyLimits,
) -> Result<(), Refusal> {
    for Lines {
        number,
        header,
        search,
    } in msearch::lines(body)
    {
        check_msearch_header(header, number, path_names_index, policy)?;
        let Some(search) = search else {
            return Err(Refusal {
                status: 400,
                rule: format!("_msearch header on line [{number}] has no search body"),
            });
        };
        check_json(search, limits).map_err(|failure| match failure {
            Failure::Refused(refusal) => refusal,
            Failure::Invalid(err) => Refusal {
                status: 400,
                rule: format!(
                    "_msearch line [{}] is not a JSON search body: {err}",
                    number + 1
                ),
            },
        })?;
        check_query(search)?;
    }
    Ok(())
}

/// Header keys the proxy passes on: which indices, how their names match, and how the
/// search runs as Grafana and Kibana ask (`search_type`, `preference`). The others
/// Elasticsearch reads reach particular shards or other clusters (`routing`,
/// `ccs_minimize_roundtrips`, `ignore_throttled`), which a dashboard has no need to.
const HEADER_KEYS_PASSED: [&str; 9] = [
    "index",
    "indices",
    "ignore_unavailable",
    "allow_no_indices",
    "expand_wildcards",
    "search_type",
    "preference",
    "request_cache",
    "allow_partial_search_results",
];

/// One header, read as the store reads it: its indices checked like a path's, and only
/// the keys in [`HEADER_KEYS_PASSED`] (`expand_wildcards` only `open`) passed on.
fn check_msearch_header(
    header: &[u8],
    number: usize,
    path_names_index: bool,
    policy: &IndexPolicy,
) -> Result<(), Refusal> {
    let header: serde_json::Value = serde_json::from_slice(header).map_err(|err| Refusal {
        status: 400,
        rule: format!("_msearch line [{number}] is not a JSON header: {err}"),
    })?;
    // Elasticsearch's own refusals first (a key it does not know, a flag that is none),
    // then the keys it knows that the proxy does not pass on
    let read = Header::parse(&header).map_err(|err| Refusal {
        status: 400,
        rule: err.reason,
    })?;
    if let Some(key) = header
        .as_object()
        .into_iter()
        .flat_map(|object| object.keys())
        .find(|key| !HEADER_KEYS_PASSED.contains(&key.as_str()))
    {
        return Err(Refusal::forbidden(format!(
            "_msearch header key [{key}] on line [{number}] is not allowed"
        )));
    }
    // a search of distributed frequencies asks every shard twice, for nothing a dashboard
    // shows (Grafana sends the default, `query_then_fetch`)
    if let Some(other) = header
        .get("search_type")
        .filter(|asked| asked.as_str() != Some("query_then_fetch"))
    {
        return Err(Refusal::forbidden(format!(
            "_msearch header on line [{number}]: [search_type] {other} is not allowed, only \"query_then_fetch\""
        )));
    }
    // "all" or "hidden" would let a wildcard reach system and hidden indices
    if read
        .expand_wildcards
        .as_deref()
        .is_some_and(|asked| asked != "open")
    {
        return Err(Refusal::forbidden(format!(
            "_msearch header on line [{number}]: only [expand_wildcards] \"open\" is allowed"
        )));
    }
    match read.index {
        Some(names) => index_expr(&names.join(","), policy).map(drop),
        None if path_names_index => Ok(()),
        None => Err(Refusal::forbidden(format!(
            "_msearch header on line [{number}] names no index, and neither does the path"
        ))),
    }
}

#[derive(Debug)]
enum Failure {
    Refused(Refusal),
    Invalid(serde_json::Error),
}

/// Walks `body` once with serde_json's parser. A broken rule is kept aside and the walk
/// stopped through a parse error, which is then replaced by the rule.
fn check_json(body: &[u8], limits: BodyLimits) -> Result<(), Failure> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let refusal = RefCell::new(None);
    let mut parser = serde_json::Deserializer::from_slice(body);
    let walked = Walk {
        depth: 0,
        limits,
        refusal: &refusal,
    }
    .deserialize(&mut parser)
    .and_then(|()| parser.end());
    match (refusal.into_inner(), walked) {
        (Some(refusal), _) => Err(Failure::Refused(refusal)),
        (None, Err(err)) => Err(Failure::Invalid(err)),
        (None, Ok(())) => Ok(()),
    }
}

/// The body's `query` read as logdash's query model reads it: a kind or option outside the
/// model is refused before it reaches a cluster (`wrapper` hides a query from every check,
/// terms lookup and `more_like_this` read other indices' documents). A malformed query goes
/// on, to get the error Elasticsearch (or the store) gives for it.
fn check_query(body: &[u8]) -> Result<(), Refusal> {
    let body = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(body)) => body,
        Ok(_) => {
            return Err(Refusal {
                status: 400,
                rule: "the request body must be a JSON object".into(),
            })
        }
        Err(_) => return Ok(()),
    };
    if let Some(key) = TOP_LEVEL_REFUSED
        .iter()
        .find(|key| body.contains_key(**key))
    {
        return Err(Refusal::forbidden(format!(
            "[{key}] is not allowed in a request: it reads beyond what the dashboard shows"
        )));
    }
    let window = ["from", "size"]
        .iter()
        .filter_map(|key| body.get(*key).and_then(as_number))
        .map(|n| n.max(0.0).trunc())
        .sum::<f64>();
    if window > MAX_WINDOW as f64 {
        return Err(Refusal::forbidden(format!(
            "[from] + [size] is {window}, more than {MAX_WINDOW}: page with search_after"
        )));
    }
    let mut queries = Vec::new();
    queries.extend(body.get("query"));
    queries.extend(body.get("post_filter"));
    for aggs in ["aggs", "aggregations"]
        .iter()
        .filter_map(|key| body.get(*key))
    {
        aggregation_queries(aggs, &mut queries);
    }
    for query in queries {
        if let Err(err) = super::query::Query::parse(query) {
            if err.kind == "illegal_argument_exception" && !err.invalid_value {
                return Err(Refusal::forbidden(err.reason));
            }
        }
    }
    Ok(())
}

/// The queries of `filter` and `filters` aggregations, at every depth.
fn aggregation_queries<'v>(aggs: &'v serde_json::Value, out: &mut Vec<&'v serde_json::Value>) {
    let Some(aggs) = aggs.as_object() else {
        return;
    };
    for definition in aggs.values().filter_map(serde_json::Value::as_object) {
        for (kind, body) in definition {
            match kind.as_str() {
                "filter" => out.push(body),
                "filters" => match body.get("filters") {
                    Some(serde_json::Value::Object(named)) => out.extend(named.values()),
                    Some(serde_json::Value::Array(listed)) => out.extend(listed),
                    _ => {}
                },
                "aggs" | "aggregations" => aggregation_queries(body, out),
                _ => {}
            }
        }
    }
}

/// One value of the body, `depth` levels in (0: the body itself).
#[derive(Clone, Copy)]
struct Walk<'a> {
    depth: usize,
    limits: BodyLimits,
    refusal: &'a RefCell<Option<Refusal>>,
}

impl Walk<'_> {
    fn inner(self) -> Self {
        Self {
            depth: self.depth + 1,
            ..self
        }
    }

    /// Keeps `refusal` for `check_json` and stops the walk.
    fn refuse<E: serde::de::Error>(self, refusal: Refusal) -> E {
        let stop = E::custom(&refusal.rule);
        *self.refusal.borrow_mut() = Some(refusal);
        stop
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(self.refuse(too_deep()));
        }
        while items.next_element_seed(self.inner())?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut object: A) -> Result<(), A::Error> {
        if self.depth >= MAX_DEPTH {
            return Err(self.refuse(too_deep()));
        }
        while let Some(key) = object.next_key_seed(KeySeed)? {
            match key {
                // none asked for: Grafana sends `"script_fields": {}` with every log query
                Key::Script(name @ ("script_fields" | "runtime_mappings")) => {
                    let value: serde_json::Value = object.next_value()?;
                    if value.as_object().is_none_or(|asked| !asked.is_empty()) {
                        return Err(self.refuse(no_scripts(name)));
                    }
                }
                Key::Script(name) => return Err(self.refuse(no_scripts(name))),
                Key::Size if self.depth == 0 => {
                    let value: serde_json::Value = object.next_value()?;
                    check_bound("size", &value, self.limits.max_size)
                        .map_err(|refusal| self.refuse(refusal))?;
                }
                Key::From if self.depth == 0 => {
                    let value: serde_json::Value = object.next_value()?;
                    check_bound("from", &value, self.limits.max_from)
                        .map_err(|refusal| self.refuse(refusal))?;
                }
                Key::Size | Key::From | Key::Other => object.next_value_seed(self.inner())?,
            }
        }
        Ok(())
    }
}

fn no_scripts(name: &str) -> Refusal {
    Refusal::forbidden(format!(
        "[{name}] is not allowed in a request: logdash runs no scripts"
    ))
}

fn too_deep() -> Refusal {
    Refusal::forbidden(format!(
        "the request body nests deeper than {MAX_DEPTH} levels"
    ))
}

/// Refuses `from` or `size` past `max`, not a single value (what it holds is not walked),
/// or text that is no plain decimal number: Elasticsearch reads text with Java's
/// `parseDouble`, which takes `20000d`, hexadecimal and `Infinity` as numbers this check
/// would not see. A value of another type goes on, for the search's own reader to refuse
/// in Elasticsearch's words.
fn check_bound(key: &str, value: &serde_json::Value, max: u64) -> Result<(), Refusal> {
    let refused = match value {
        serde_json::Value::Object(_) | serde_json::Value::Array(_) => true,
        serde_json::Value::String(text) => {
            as_number(value).is_none_or(|n| n > max as f64) || !plain_decimal(text)
        }
        _ => as_number(value).is_some_and(|n| n > max as f64),
    };
    if refused {
        return Err(Refusal::forbidden(format!(
            "[{key}] must be a whole number up to {max}, not {value}"
        )));
    }
    Ok(())
}

/// `12`, `-3`, `1.5`, `2e3`, with ASCII spaces around: the decimal numbers both readers
/// read alike.
fn plain_decimal(text: &str) -> bool {
    let text = text.trim_matches(' ');
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (digits, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && all_digits(whole)
        && all_digits(fraction)
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && all_digits(e)
        })
}

/// A number, or a number written as text, as Elasticsearch reads `from` and `size`.
fn as_number(value: &serde_json::Value) -> Option<f64> {
    match value {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(text) => text.trim_matches(' ').parse().ok(),
        _ => None,
    }
}

/// What a key means to the check; only a script key is kept, for the refusal's text.
enum Key {
    Script(&'static str),
    Size,
    From,
    Other,
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    /// `key` has its escapes decoded: `"scr\u0069pt"` is `script` here, as on the cluster.
    fn visit_str<E>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "size" => Key::Size,
            "from" => Key::From,
            _ => SCRIPT_KEYS
                .iter()
                .find(|script| **script == key)
                .map_or(Key::Other, |script| Key::Script(script)),
        })
    }
}

#[cfg(test)]
mod tests {
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
        let refusal =
            check_body(nested(65).as_bytes(), BodyLimits::default()).expect_err("refused");
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
}
