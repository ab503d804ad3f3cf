//! The stream's poll: the first page of a view, then what arrived since, merged into the tail.
//! It says whether it read everything it set out to (no failure, the view unchanged). And
//! the pages before the first, as the reader scrolls back.

use leptos::prelude::*;
use logdash_core::dashboard::poll::{Poll, Request};
use logdash_core::dashboard::tail::{RowFields, Tail};
use logdash_core::es::ShardGaps;
use logdash_core::view::ViewState;

use crate::api::{self, Endpoints};
use crate::marks::{self, Moment};
use crate::timefmt;

#[allow(
    clippy::too_many_arguments,
    reason = "the stream's signals, passed once"
)]
pub async fn poll_stream(
    endpoints: Endpoints,
    state: ViewState,
    fields: RowFields,
    (from, to, now): (i64, i64, i64),
    tail: StoredValue<Tail, LocalStorage>,
    current: impl Fn() -> bool,
    version: RwSignal<u64>,
    gaps: RwSignal<Option<ShardGaps>>,
) -> bool {
    let first = tail.with_value(|t| t.newest().is_none());
    if first {
        let body = tail.with_value(|t| t.initial_request(&state.search(), from, to, &fields));
        if let Ok(answer) = api::search(&endpoints, &state.index, &body).await {
            if !current() {
                return false;
            }
            gaps.set(ShardGaps::of(&answer));
            tail.update_value(|t| {
                t.start(&answer, &fields);
            });
            version.update(|v| *v += 1);
            marks::first(Moment::FirstStream);
            return true;
        }
        return false;
    }
    if !state.is_relative() {
        return true; // a pinned range does not grow
    }
    // the range moved on: lines it has passed leave the stream, as they leave the panels'
    if tail.try_update_value(|t| t.drop_before(from)).unwrap_or(0) > 0 {
        version.update(|v| *v += 1);
    }
    let mut poll =
        tail.with_value(|t| Poll::new(t, &state.index, &state.search(), from, now, &fields));
    let mut left_out = Vec::new();
    while let Some(request) = tail.with_value(|t| poll.next(t)) {
        let answer = match request {
            Request::Search(body) => api::search(&endpoints, &state.index, &body).await,
            Request::Msearch(body) => api::msearch(&endpoints, body).await,
        };
        let Ok(answer) = answer else {
            return false; // the panels report the backend's trouble; the next poll goes on
        };
        if !current() {
            return false; // the view changed: these lines belong to another stream
        }
        left_out.extend(ShardGaps::of_answer(&answer));
        let added_before = poll.merged.added;
        tail.update_value(|t| poll.take(t, &answer));
        let added = poll.merged.added - added_before;
        if added > 0 {
            version.update(|v| *v += 1);
        }
    }
    gaps.set(ShardGaps::merged(left_out));
    true
}

/// What the stream calls as the reader nears its oldest line: the page of lines before
/// it, read once at a time, for the view shown when it was asked (lines of a view left
/// meanwhile are dropped).
pub fn use_older(
    state: ReadSignal<ViewState>,
    tail_key: StoredValue<String>,
    fields: StoredValue<RowFields>,
    tail: StoredValue<Tail, LocalStorage>,
    version: RwSignal<u64>,
    loading: RwSignal<bool>,
) -> Callback<()> {
    Callback::new(move |()| {
        let state = state.get_untracked();
        let Some((from, _)) = state.range_at(timefmt::now()) else {
            return;
        };
        if loading.get_untracked() {
            return;
        }
        let fields = fields.get_value();
        let Some((body, size)) =
            tail.with_value(|t| t.older_request(&state.search(), from, &fields))
        else {
            return;
        };
        let key = tail_key.get_value();
        loading.set(true);
        leptos::task::spawn_local(async move {
            let endpoints = api::endpoints().await;
            let answer = api::search(&endpoints, &state.index, &body).await;
            loading.set(false);
            let Ok(answer) = answer else {
                return; // the next scroll asks again
            };
            if tail_key.get_value() == key {
                tail.update_value(|t| {
                    t.take_older(&answer, &fields, size);
                });
                version.update(|v| *v += 1);
            }
        });
    })
}
