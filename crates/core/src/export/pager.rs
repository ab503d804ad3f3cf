//! Reading a view's events for an export, newest first, a page at a time, exactly once
//! each, on any cluster. `search_after` needs a unique sort value to page on and events
//! often share a millisecond, while `_id` cannot be sorted on (Elasticsearch 8 refuses it)
//! and a point in time is not everywhere. So each page after the first asks for the events
//! at or before the oldest millisecond read so far, that millisecond's events already
//! written included, and drops those by index and `_id`: a page asks for `page` events
//! more than it will drop, so it always moves on, however many events share a millisecond
//! (up to the cluster's window of 10,000). Oldest first, the same from the other end: a
//! line's context reads the events before it and after it so.

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::dashboard::panels::query_in_range;
use crate::es::ShardGaps;
use crate::time::{parse_iso8601, EpochMillis};
use crate::view::Search;

/// The most hits one search may return (Elasticsearch's `index.max_result_window`).
pub const MAX_WINDOW: usize = 10_000;

/// What ended an export before its end.
#[derive(Debug, Clone, PartialEq)]
pub enum PageError {
    /// The cluster answered for only some of its shards: the file would be short.
    Partial(String),
    /// More events share one millisecond than one search can return.
    TooManyTied { at: EpochMillis },
    /// The answer is not a search answer.
    Unreadable(String),
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::Partial(summary) => {
                write!(f, "the cluster answered for only some shards ({summary})")
            }
            PageError::TooManyTied { at } => write!(
                f,
                "more than {MAX_WINDOW} events share the millisecond {}",
                crate::time::format_iso8601(*at)
            ),
            PageError::Unreadable(why) => write!(f, "the search answer cannot be read: {why}"),
        }
    }
}

/// How many events match, as the first page's answer counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub value: u64,
    /// `false` when the cluster stopped counting (`relation: gte`).
    pub exact: bool,
}

pub struct Pager {
    search: Search,
    from: EpochMillis,
    to: EpochMillis,
    page: usize,
    max: u64,
    /// Oldest first (a line's context after it) rather than newest first.
    ascending: bool,
    /// The last millisecond read so far, and the events read at it.
    boundary: Option<(EpochMillis, HashSet<(String, String)>)>,
    asked: usize,
    taken: u64,
    total: Option<Total>,
    finished: bool,
}

impl Pager {
    /// The events of `query` between `from` and `to` (inclusive epoch milliseconds), `page`
    /// at a time, `max` at most.
    pub fn new(query: &str, from: EpochMillis, to: EpochMillis, page: usize, max: u64) -> Self {
        Pager {
            search: Search::text(query),
            from,
            to,
            page: page.clamp(1, MAX_WINDOW - 1),
            max,
            ascending: false,
            boundary: None,
            asked: 0,
            taken: 0,
            total: None,
            finished: max == 0,
        }
    }

    /// The same events oldest first.
    pub fn oldest_first(mut self) -> Self {
        self.ascending = true;
        self
    }

    /// Starts at `at` (not before it, newest first; not after it, oldest first), the
    /// event `seen` there (index, `_id`) left out as already shown.
    pub fn starting_at(mut self, at: EpochMillis, seen: (String, String)) -> Self {
        self.boundary = Some((at, HashSet::from([seen])));
        self
    }

    /// The next search body, or `None` when the export is done.
    pub fn request(&mut self) -> Option<Value> {
        if self.finished {
            return None;
        }
        let (mut from, mut to) = (self.from, self.to);
        let tied = match (&self.boundary, self.ascending) {
            (Some((at, seen)), false) => {
                to = *at;
                seen.len()
            }
            (Some((at, seen)), true) => {
                from = *at;
                seen.len()
            }
            (None, _) => 0,
        };
        let wanted = (self.max - self.taken).min(self.page as u64) as usize;
        self.asked = (tied + wanted).min(MAX_WINDOW);
        let order = if self.ascending { "asc" } else { "desc" };
        Some(json!({
            "size": self.asked,
            "track_total_hits": self.total.is_none(),
            "query": query_in_range(&self.search, from, to),
            "sort": [{"@timestamp": {"order": order}}],
        }))
    }

    /// Takes the answer to the last request: the hits to write, in the pager's order.
    pub fn take(&mut self, answer: &Value) -> Result<Vec<Value>, PageError> {
        if let Some(gaps) = ShardGaps::of_answer(answer) {
            self.finished = true;
            return Err(PageError::Partial(gaps.what_failed()));
        }
        let Some(hits) = answer["hits"]["hits"].as_array() else {
            self.finished = true;
            return Err(PageError::Unreadable("no hits.hits".into()));
        };
        if self.total.is_none() {
            let total = &answer["hits"]["total"];
            self.total = Some(Total {
                value: total["value"].as_u64().or(total.as_u64()).unwrap_or(0),
                exact: total["relation"].as_str() != Some("gte"),
            });
        }
        let mut out = Vec::new();
        let mut boundary = self.boundary.take();
        for hit in hits {
            let time = time_of(hit).ok_or_else(|| {
                self.finished = true;
                PageError::Unreadable("a hit without a time to sort on".into())
            })?;
            let key = (
                hit["_index"].as_str().unwrap_or_default().to_string(),
                hit["_id"].as_str().unwrap_or_default().to_string(),
            );
            match &mut boundary {
                Some((at, seen)) if *at == time => {
                    if !seen.insert(key) {
                        continue; // written by an earlier page
                    }
                }
                _ => boundary = Some((time, HashSet::from([key]))),
            }
            if self.taken < self.max {
                self.taken += 1;
                out.push(hit.clone());
            }
        }
        let tied = boundary.as_ref().map_or(0, |(_, seen)| seen.len());
        self.boundary = boundary;
        self.finished = hits.len() < self.asked || self.taken >= self.max;
        if !self.finished && tied >= MAX_WINDOW - 1 {
            self.finished = true;
            let at = self.boundary.as_ref().map_or(self.to, |(at, _)| *at);
            return Err(PageError::TooManyTied { at });
        }
        Ok(out)
    }

    /// Events handed out so far.
    pub fn taken(&self) -> u64 {
        self.taken
    }

    /// The match count of the first answer (`None` before it).
    pub fn total(&self) -> Option<Total> {
        self.total
    }

    /// Events the file will hold: the match count, up to the maximum.
    pub fn expected(&self) -> Option<u64> {
        self.total.map(|total| total.value.min(self.max))
    }

    /// Whether more events matched than the maximum lets out.
    pub fn truncated(&self) -> bool {
        self.total.is_some_and(|total| {
            total.value > self.max || (!total.exact && total.value >= self.max)
        })
    }

    pub fn finished(&self) -> bool {
        self.finished
    }
}

/// A hit's time: its first sort value (epoch milliseconds), else its `@timestamp`.
fn time_of(hit: &Value) -> Option<EpochMillis> {
    hit["sort"][0].as_i64().or_else(|| {
        hit["_source"]["@timestamp"]
            .as_str()
            .and_then(parse_iso8601)
    })
}

#[cfg(test)]
mod tests;
