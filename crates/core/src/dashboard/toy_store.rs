//! For tests: a toy store answering the tail's searches and counts over a list of
//! `(id, time)` events the way Elasticsearch would, and a driver running one poll.

use serde_json::{json, Value};

use super::poll::{Poll, Request};
use super::tail::{Merged, RowFields, Tail};
use crate::view::Search;

pub fn hit(id: &str, time: i64) -> Value {
    json!({"_index": "logs", "_id": id, "sort": [time, id], "_source": {"@timestamp": crate::time::format_iso8601(time), "message": format!("m{id}"), "log": {"level": "info"}}})
}

fn in_range<'e>(events: &'e [(String, i64)], request: &Value) -> Vec<&'e (String, i64)> {
    let range = &request["query"]["bool"]["filter"][0]["range"]["@timestamp"];
    let (from, to) = (
        range["gte"].as_i64().unwrap_or(0),
        range["lte"].as_i64().unwrap_or(i64::MAX),
    );
    events
        .iter()
        .filter(|(_, t)| *t >= from && *t <= to)
        .collect()
}

/// A search over the request's range in time order, after its `search_after`.
pub fn serve(events: &[(String, i64)], request: &Value) -> Value {
    let mut chosen = in_range(events, request);
    chosen.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    if let Some(after) = request.get("search_after") {
        let key = (
            after[0].as_i64().unwrap_or(0),
            after[1].as_str().unwrap_or("").to_string(),
        );
        chosen.retain(|(id, t)| (*t, id.clone()) > key);
    }
    page(chosen, request["size"].as_u64().unwrap_or(10) as usize)
}

/// A search answer with the first `size` of `chosen`, in their order.
fn page(chosen: Vec<&(String, i64)>, size: usize) -> Value {
    let hits: Vec<Value> = chosen
        .into_iter()
        .take(size)
        .map(|(id, t)| hit(id, *t))
        .collect();
    json!({"hits": {"hits": hits}})
}

/// An `_msearch` of counts.
fn count(events: &[(String, i64)], body: &str) -> Value {
    let responses: Vec<Value> = body
        .lines()
        .skip(1)
        .step_by(2)
        .map(|line| {
            let request: Value = serde_json::from_str(line).unwrap_or_default();
            json!({"hits": {"total": {"value": in_range(events, &request).len(), "relation": "eq"}, "hits": []}})
        })
        .collect();
    json!({ "responses": responses })
}

/// Runs one poll to its end; returns what it added and how many requests it made.
pub fn poll_counting(
    tail: &mut Tail,
    events: &[(String, i64)],
    now: i64,
    fields: &RowFields,
) -> (Merged, usize) {
    let mut poll = Poll::new(tail, "logs", &Search::default(), 0, now, fields);
    let mut requests = 0;
    while let Some(request) = poll.next(tail) {
        requests += 1;
        let answer = match request {
            Request::Search(body) => serve(events, &body),
            Request::Msearch(body) => count(events, &body),
        };
        poll.take(tail, &answer);
    }
    (poll.merged, requests)
}

pub fn poll(tail: &mut Tail, events: &[(String, i64)], now: i64, fields: &RowFields) -> Merged {
    poll_counting(tail, events, now, fields).0
}

/// The newest `size` events, newest first (the tail's first request).
pub fn serve_newest(events: &[(String, i64)], size: usize) -> Value {
    let mut chosen: Vec<&(String, i64)> = events.iter().collect();
    chosen.sort_by(|a, b| (b.1, &b.0).cmp(&(a.1, &a.0)));
    page(chosen, size)
}

/// A search over the request's range, newest first (the tail's older pages).
pub fn serve_desc(events: &[(String, i64)], request: &Value) -> Value {
    let mut chosen = in_range(events, request);
    chosen.sort_by(|a, b| (b.1, &b.0).cmp(&(a.1, &a.0)));
    page(chosen, request["size"].as_u64().unwrap_or(10) as usize)
}
