//! `GET /api/tail?index=PATTERN&q=QUERY`: the push tail. A Server-Sent Events stream of the
//! events that match a view (the stream's index pattern and query text), as they arrive:
//! in embedded mode the store hands each event to the [`hub::Hub`] as it takes it, which
//! matches it once per distinct view, without a search.
//!
//! In proxy mode one poll of the cluster per view feeds all its watchers ([`poller`]).
//!
//! The stream's events: `ready` first (`{"mode":"push"}`, or in proxy mode
//! `{"mode":"poll","every_ms":1000}`); `hit` (a search hit's
//! `_index`, `_id`, `_source`; its `id` is the resume point for `Last-Event-ID`);
//! `skipped` (`{"skipped":N}`: the watcher fell behind and N matched events were left
//! out); `gap` (a resume asked for events already forgotten: reload the view); in proxy
//! mode `shards` (a search answer's `_shards` and `timed_out`: what the view's polls of
//! the cluster leave out, told again with `failed` 0 when they no longer do).
//! A query that only a search can decide is answered 400 (embedded mode), past the limits
//! or while stopping 503: the dashboard polls then.

pub mod hub;
pub mod poller;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream};
use logdash_core::es::route::parse_route;
use serde::Deserialize;

use crate::error::ApiError;
use crate::{AppState, Backend};
use hub::{Refused, Watch};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/api/tail", get(tail))
}

#[derive(Debug, Deserialize)]
struct View {
    index: String,
    #[serde(default)]
    q: String,
}

async fn tail(
    State(state): State<Arc<AppState>>,
    Query(view): Query<View>,
    headers: HeaderMap,
) -> Response {
    // the index expression passes the same checks as a search's under /es/
    if let Err(refusal) = parse_route(
        "POST",
        &format!("/{}/_search", view.index),
        None,
        &state.index_policy,
    ) {
        return ApiError::Refused(refusal).into_response();
    }
    let after = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    let unmatched = match &state.backend {
        Backend::Embedded(store) => store.unmatched_fields(),
        Backend::Proxy(_) => Default::default(),
    };
    match state.tail.watch(&view.index, &view.q, after, &unmatched) {
        Ok(mut watch) => {
            let ready = match &state.backend {
                Backend::Embedded(_) => r#"{"mode":"push"}"#.to_string(),
                Backend::Proxy(upstream) => {
                    if let Some(view) = watch.to_poll.take() {
                        let hub = Arc::clone(&state.tail);
                        tokio::spawn(poller::run(hub, Arc::clone(upstream), view));
                    }
                    format!(
                        r#"{{"mode":"poll","every_ms":{}}}"#,
                        poller::EVERY.as_millis()
                    )
                }
            };
            Sse::new(events(watch, ready))
                .keep_alive(KeepAlive::default())
                .into_response()
        }
        Err(Refused::Unsupported(reason)) => {
            rejected(400, &format!("this view is followed by polling: {reason}"))
        }
        Err(Refused::Busy(reason)) => rejected(503, &reason),
    }
}

fn rejected(status: u16, reason: &str) -> Response {
    let kind = match status {
        400 => "illegal_argument_exception",
        _ => "unavailable",
    };
    ApiError::Rejected {
        status,
        kind,
        reason: reason.to_string(),
    }
    .into_response()
}

/// The watcher's stream: what it must be told first, then each match as it comes, with a
/// count of what it missed before the match that follows a fall behind.
fn events(watch: Watch, ready: String) -> impl Stream<Item = Result<Event, Infallible>> {
    let mut first = VecDeque::new();
    first.push_back(Event::default().event("ready").data(ready));
    if watch.gap {
        first.push_back(
            Event::default()
                .event("gap")
                .data(r#"{"reason":"events after the last one seen were forgotten"}"#),
        );
    }
    for hit in &watch.replay {
        first.push_back(hit_event(hit));
    }
    stream::unfold((watch, first), |(mut watch, mut pending)| async move {
        if let Some(event) = pending.pop_front() {
            return Some((Ok(event), (watch, pending)));
        }
        // the hub closing (the server stopping) ends the stream
        let hit = watch.receiver.recv().await?;
        let skipped = watch.skipped.swap(0, Ordering::Relaxed);
        let event = if skipped > 0 {
            pending.push_back(hit_event(&hit));
            Event::default()
                .event("skipped")
                .data(format!(r#"{{"skipped":{skipped}}}"#))
        } else {
            hit_event(&hit)
        };
        Some((Ok(event), (watch, pending)))
    })
}

fn hit_event(hit: &hub::Hit) -> Event {
    match hit.kind {
        hub::Kind::Hit => Event::default()
            .event("hit")
            .id(hit.seq.to_string())
            .data(&hit.json),
        hub::Kind::Shards => Event::default().event("shards").data(&hit.json),
    }
}
