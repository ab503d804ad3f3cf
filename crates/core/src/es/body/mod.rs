//! What a search body may ask for, checked as the body is parsed, without building it:
//! no scripts anywhere, no runtime fields, `size` and `from` in bounds, and for `_msearch`
//! every header line like a path. In proxy mode the checked bytes are what goes on to the
//! cluster, so the check must see every key the cluster will see, escapes decoded.

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::route::{EsRoute, IndexPolicy, Refusal};

mod lines;

pub use lines::check_msearch;

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
        // (the id may come in the path or the URL instead: read whole by the handler)
        EsRoute::Scroll { .. } | EsRoute::ClearScroll { .. } => {
            let clear = matches!(route, EsRoute::ClearScroll { .. });
            crate::es::scroll::ScrollRequest::from_body(body, clear).map(drop)
        }
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
mod tests;
