//! What each fuzz target feeds its input to (`make fuzz` runs them with cargo-fuzz; the
//! test command replays their seed corpora in `corpus/`). Each must never panic, whatever
//! the bytes; where a parse has an inverse, what it reads must read back the same.

use logdash_core::es::body::check_request_body;
use logdash_core::es::query::Query;
use logdash_core::es::route::{parse_request, IndexPolicy};
use logdash_core::lucene::{self, DefaultOperator};
use logdash_core::view::ViewState;

/// What a target does with one input.
pub type Target = fn(&[u8]);

/// The targets by name, as `make fuzz` and the corpora's folders name them.
pub const TARGETS: &[(&str, Target)] = &[
    ("lucene", lucene),
    ("view_link", view_link),
    ("es_request", es_request),
    ("query_dsl", query_dsl),
    ("bulk", bulk),
];

/// The query box's Lucene syntax: parsed with both default operators, and the words the
/// dashboard highlights.
pub fn lucene(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = lucene::parse(&text, DefaultOperator::Or);
    let _ = lucene::parse(&text, DefaultOperator::And);
    let _ = lucene::highlight_terms(&text);
}

/// A link's query string: whatever the view takes of it, written and read again, is the
/// same view with no notice.
pub fn view_link(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (state, _) = ViewState::read_link(&text);
    let written = state.to_query();
    let (again, notices) = ViewState::read_link(&written);
    assert_eq!(again, state, "{written}");
    assert!(notices.is_empty(), "{written}: {notices:?}");
}

/// A request to `/es/`: the first line is `METHOD path?query`, the rest its body; what the
/// route check lets through has its body checked as the server checks it.
pub fn es_request(data: &[u8]) {
    let (head, body) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let (method, target) = head.split_once(' ').unwrap_or(("GET", &head));
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let policy = IndexPolicy {
        allowed: vec!["logs-*".into(), "logstash-*".into()],
    };
    if let Ok(checked) = parse_request(method, path, query, &policy) {
        let _ = check_request_body(&checked.route, body, &head, &policy);
    }
}

/// A search body's `query`: what parses is written as JSON that parses again and is
/// written the same (the proxy forwards what it wrote, not what it read; spellings such
/// as `"02"` for 2 may change on the way, their meaning may not).
pub fn query_dsl(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(query) = Query::parse(&value) {
        let written = query.to_json();
        let again = Query::parse(&written).map(|q| q.to_json());
        assert_eq!(
            again.as_ref(),
            Ok(&written),
            "{value} was written {written}"
        );
    }
}

/// A `_bulk` body, read and checked as the store does before it writes anything.
pub fn bulk(data: &[u8]) {
    let _ = logdash_store::check_bulk(None, data);
    let _ = logdash_store::check_bulk(Some("logs-app"), data);
}
