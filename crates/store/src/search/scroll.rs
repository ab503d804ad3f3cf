//! Elasticsearch's scroll: a search read page by page from the view of the store it began
//! on. A scroll keeps that view (its searcher: events written later are not in it, merged
//! segments stay readable) and where its last page ended, and pages on with `search_after`
//! over the request's sort with the indexing order (`_doc`) last, so each event comes once.
//! What the request did not sort by is taken out of its hits again. At most
//! [`MAX_OPEN`] scrolls are open; each closes when cleared or when its keep-alive runs out.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{At, MAX_RESULT_WINDOW};
use crate::indices::{IndexOptions, Indices};
use crate::{Raised, RequestError, Store};

/// How long the store's scroll ids are: another is none of its own.
const ID_LENGTH: usize = 20;

/// Open scrolls at once, as Elasticsearch's `search.max_open_scroll_context`.
pub const MAX_OPEN: usize = 500;

/// The scrolls open on a store.
#[derive(Default)]
pub struct Scrolls {
    open: Mutex<HashMap<String, Scroll>>,
    made: AtomicU64,
    keys: std::collections::hash_map::RandomState,
}

/// One scroll: the view it reads, the request as it pages, and where it stands.
struct Scroll {
    at: At,
    indices: String,
    options: IndexOptions,
    /// The request with its sort made total, without aggregations (the first page
    /// answered them).
    body: Value,
    /// How many of the sort's keys the request asked for (`None`: it asked for none, and
    /// its hits are in score order).
    asked_keys: Option<usize>,
    /// The last hit's sort values, where the next page starts.
    after: Option<Value>,
    max_score: Value,
    keep_alive: Duration,
    expires: Instant,
}

impl Store {
    /// `POST /{index}/_search?scroll=...`: the first page, and the scroll's id.
    pub fn scroll_start(
        &self,
        indices: Indices<'_>,
        body: &Value,
        keep_alive: Duration,
    ) -> Result<Value, RequestError> {
        check_request(body)?;
        let (body, asked_keys) = total_order(body);
        let at = At {
            searcher: self.reader.searcher(),
            now: crate::now_millis(),
        };
        let mut answer = self.search_at(&at, indices, &body)?;
        let mut paging = body;
        if let Some(request) = paging.as_object_mut() {
            request.remove("aggs");
            request.remove("aggregations");
        }
        let mut scroll = Scroll {
            at,
            indices: indices.expression.to_string(),
            options: indices.options,
            body: paging,
            asked_keys,
            after: None,
            max_score: Value::Null,
            keep_alive,
            expires: Instant::now() + keep_alive,
        };
        if asked_keys.is_none() {
            // in score order, the first hit has the highest score
            scroll.max_score = answer["hits"]["hits"][0]["_score"].clone();
        }
        scroll.turn_page(&mut answer);
        let id = self.scrolls.new_id();
        self.scrolls.open(id.clone(), scroll)?;
        Ok(with_id(id, answer))
    }

    /// `POST /_search/scroll`: the scroll's next page (none left: no hits).
    pub fn scroll_next(
        &self,
        id: &str,
        keep_alive: Option<Duration>,
    ) -> Result<Value, RequestError> {
        if id.len() != ID_LENGTH {
            return Err(RequestError::illegal_argument("Cannot parse scroll id"));
        }
        let mut open = self.scrolls.lock()?;
        let now = Instant::now();
        open.retain(|_, scroll| scroll.expires > now);
        let Some(scroll) = open.get_mut(id) else {
            return Err(context_missing(id));
        };
        if let Some(keep_alive) = keep_alive {
            scroll.keep_alive = keep_alive;
        }
        scroll.expires = now + scroll.keep_alive;
        let mut body = scroll.body.clone();
        if let (Some(after), Some(request)) = (&scroll.after, body.as_object_mut()) {
            request.insert("search_after".into(), after.clone());
        }
        let indices = Indices {
            expression: &scroll.indices,
            options: scroll.options,
        };
        let mut answer = self.search_at(&scroll.at, indices, &body)?;
        scroll.turn_page(&mut answer);
        Ok(with_id(id.to_string(), answer))
    }

    /// `DELETE /_search/scroll`: closes the scrolls named (every one for `_all`); how many
    /// were open.
    pub fn scroll_clear(&self, ids: &[String]) -> Result<Value, RequestError> {
        if ids.iter().any(|id| id != "_all" && id.len() != ID_LENGTH) {
            return Err(RequestError::illegal_argument("Cannot parse scroll id"));
        }
        let mut open = self.scrolls.lock()?;
        let freed = if ids.iter().any(|id| id == "_all") {
            let all = open.len();
            open.clear();
            all
        } else {
            ids.iter()
                .filter(|id| open.remove(id.as_str()).is_some())
                .count()
        };
        Ok(json!({"succeeded": true, "num_freed": freed}))
    }
}

impl Scroll {
    /// Keeps where this page ends, and takes out of its hits what the request did not ask.
    fn turn_page(&mut self, answer: &mut Value) {
        let Some(hits) = answer["hits"]["hits"].as_array_mut() else {
            return;
        };
        if let Some(last) = hits.last() {
            self.after = Some(last["sort"].clone());
        }
        for hit in hits.iter_mut() {
            let Some(hit) = hit.as_object_mut() else {
                continue;
            };
            match self.asked_keys {
                None => {
                    hit.remove("sort");
                }
                Some(asked) => {
                    if let Some(Value::Array(values)) = hit.get_mut("sort") {
                        values.truncate(asked);
                    }
                }
            }
        }
        if self.asked_keys.is_none() {
            answer["hits"]["max_score"] = self.max_score.clone();
        }
    }
}

impl Scrolls {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Scroll>>, RequestError> {
        self.open
            .lock()
            .map_err(|_| RequestError::internal("the open scrolls' lock is poisoned"))
    }

    fn open(&self, id: String, scroll: Scroll) -> Result<(), RequestError> {
        let mut open = self.lock()?;
        let now = Instant::now();
        open.retain(|_, scroll| scroll.expires > now);
        if open.len() >= MAX_OPEN {
            return Err(RequestError {
                status: 429,
                kind: "exception",
                reason: format!(
                    "Trying to create too many scroll contexts. Must be less than or equal to: [{MAX_OPEN}]. Clear the scrolls read to the end, or wait for their keep-alive to run out."
                ),
                raised: Raised::Anywhere,
            });
        }
        open.insert(id, scroll);
        Ok(())
    }

    /// An id no one can guess from another: 120 random-keyed bits, in the alphabet of
    /// Elasticsearch's ids.
    fn new_id(&self) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let made = self.made.fetch_add(1, Ordering::Relaxed);
        let half = |salt: u64| {
            let mut hasher = self.keys.build_hasher();
            hasher.write_u64(made);
            hasher.write_u64(salt);
            hasher.finish()
        };
        let bits = (u128::from(half(1)) << 64) | u128::from(half(2));
        (0..ID_LENGTH)
            .map(|digit| char::from(ALPHABET[((bits >> (6 * digit)) & 63) as usize]))
            .collect()
    }
}

/// The request's sort with the indexing order last, so that pages never meet (score
/// order, with none asked); and how many keys it asked for.
fn total_order(body: &Value) -> (Value, Option<usize>) {
    let mut body = body.clone();
    let asked = match body.get("sort") {
        None | Some(Value::Null) => None,
        Some(Value::Array(keys)) => Some(keys.clone()),
        Some(key) => Some(vec![key.clone()]),
    };
    let asked_keys = asked.as_ref().map(Vec::len);
    let mut keys = asked.unwrap_or_else(|| vec![json!("_score")]);
    let by_doc = |key: &Value| match key {
        Value::String(name) => name == "_doc",
        Value::Object(key) => key.contains_key("_doc"),
        _ => false,
    };
    if !keys.last().is_some_and(by_doc) {
        keys.push(json!("_doc"));
    }
    if let Some(request) = body.as_object_mut() {
        request.insert("sort".into(), Value::Array(keys));
    }
    (body, asked_keys)
}

/// What Elasticsearch refuses in a scroll's request.
fn check_request(body: &Value) -> Result<(), RequestError> {
    let invalid = |reason: &str| RequestError {
        status: 400,
        kind: "action_request_validation_exception",
        reason: format!("Validation Failed: 1: {reason};"),
        raised: Raised::Reading,
    };
    if body.get("from").is_some_and(|from| from != &json!(0)) {
        return Err(invalid("using [from] is not allowed in a scroll context"));
    }
    if body.get("search_after").is_some() {
        return Err(invalid("[search_after] cannot be used in a scroll context"));
    }
    let size = body.get("size").and_then(Value::as_u64).unwrap_or(10);
    if size > MAX_RESULT_WINDOW as u64 {
        // (found on the shards, as there)
        return Err(RequestError {
            raised: Raised::OnShards(Vec::new()),
            ..RequestError::illegal_argument(format!(
                "Batch size is too large, size must be less than or equal to: [{MAX_RESULT_WINDOW}] but was [{size}]. Scroll batch sizes cost as much memory as result windows so they are controlled by the [index.max_result_window] index level setting."
            ))
        });
    }
    Ok(())
}

/// The answer with its scroll's id first, as Elasticsearch writes it.
fn with_id(id: String, answer: Value) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("_scroll_id".into(), Value::String(id));
    if let Value::Object(answer) = answer {
        out.extend(answer);
    }
    Value::Object(out)
}

/// Elasticsearch's answer for a scroll that is not open (cleared, run out, or never).
fn context_missing(id: &str) -> RequestError {
    RequestError {
        status: 404,
        kind: "search_context_missing_exception",
        reason: format!("No search context found for id [{id}]"),
        raised: Raised::OnShards(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scroll_pages_in_a_total_order_and_knows_what_was_asked() {
        let (body, asked) = total_order(&json!({"query": {"match_all": {}}}));
        assert_eq!(
            (body["sort"].clone(), asked),
            (json!(["_score", "_doc"]), None)
        );
        let (body, asked) = total_order(&json!({"sort": {"n": "desc"}}));
        assert_eq!(
            (body["sort"].clone(), asked),
            (json!([{"n": "desc"}, "_doc"]), Some(1))
        );
        // the indexing order last already: nothing added
        let (body, asked) = total_order(&json!({"sort": ["n", {"_doc": "asc"}]}));
        assert_eq!(
            (body["sort"].clone(), asked),
            (json!(["n", {"_doc": "asc"}]), Some(2))
        );
    }

    #[test]
    fn what_elasticsearch_refuses_in_a_scroll_is_refused() {
        let reason = |body: Value| check_request(&body).expect_err("refused").reason;
        assert!(reason(json!({"from": 5})).contains("[from] is not allowed"));
        assert!(reason(json!({"search_after": [1]})).contains("[search_after]"));
        assert!(reason(json!({"size": 10_001})).contains("Batch size is too large"));
        assert!(check_request(&json!({"from": 0, "size": 10_000})).is_ok());
    }
}
