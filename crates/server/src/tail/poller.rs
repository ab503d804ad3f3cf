//! Proxy mode's push tail: one poll of the cluster per view, every [`EVERY`], for all of
//! the view's watchers, so that N browsers watching a query cost the cluster one poll an
//! interval, not N. A poll is the dashboard's own (`core::dashboard::poll`): the lines
//! newer than the newest seen, then a count of the overlap window before it, narrowed and
//! read where late lines landed; lines already handed on are dropped by index and `_id`.
//! The view starts from the moment its first watcher came: what was before is the
//! dashboard's first page.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use logdash_core::dashboard::poll::{Poll, Request};
use logdash_core::dashboard::tail::{RowFields, Tail};
use logdash_core::es::ShardGaps;
use logdash_core::view::Search;
use serde_json::Value;

use super::hub::{index_id_source, Hub, PolledView};
use crate::proxy::Upstream;

/// How often a view's poll runs.
pub const EVERY: Duration = Duration::from_secs(1);
/// Lines a view remembers (to tell new ones from those handed on; the oldest go first),
/// how far back each poll looks for late lines, and a page.
const REMEMBERED: usize = 5_000;
const OVERLAP_MS: i64 = 30_000;
const PAGE: usize = 500;

/// Polls the cluster for `view` until the view is forgotten or the server stops.
pub async fn run(hub: Arc<Hub>, upstream: Arc<Upstream>, view: PolledView) {
    let since = logdash_store::now_millis();
    let mut tail = Tail::new(REMEMBERED, OVERLAP_MS, PAGE).collecting();
    let fields = RowFields::default();
    // what the polls left out, as last told (a partial answer is never shown as whole)
    let mut told_gaps: Option<ShardGaps> = None;
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if !hub.polls(&view) {
            return;
        }
        let now = logdash_store::now_millis();
        let mut poll = Poll::new(
            &tail,
            &view.index,
            &Search::text(&view.query),
            since,
            now,
            &fields,
        );
        let mut gaps = Vec::new();
        let mut whole_poll = true;
        while let Some(request) = poll.next(&tail) {
            // a failed step ends this poll; the next one goes on from what was read
            let Some(answer) = ask(&upstream, &view.index, request).await else {
                whole_poll = false;
                break;
            };
            gaps.extend(ShardGaps::of_answer(&answer));
            poll.take(&mut tail, &answer);
        }
        let gaps = ShardGaps::merged(gaps);
        // a poll cut short says nothing of the shards it did not ask
        if whole_poll && gaps != told_gaps {
            let answer = ShardGaps::to_answer(gaps.as_ref()).to_string();
            hub.publish_shards(&view, answer, gaps.is_none());
            told_gaps = gaps;
        }
        let added = tail.take_added();
        if !added.is_empty() {
            hub.publish_polled(
                &view,
                added
                    .iter()
                    .map(|row| index_id_source(&row.index, &row.id, &row.source)),
            );
        }
    }
}

/// One request of a poll; `None` when the cluster did not answer with a search result.
async fn ask(upstream: &Upstream, index: &str, request: Request) -> Option<Value> {
    let (path, content_type, body) = match request {
        Request::Search(body) => (
            format!("/{index}/_search"),
            "application/json",
            body.to_string(),
        ),
        Request::Msearch(body) => ("/_msearch".to_string(), "application/x-ndjson", body),
    };
    upstream
        .json(&path, content_type, Bytes::from(body))
        .await
        .ok()
}
