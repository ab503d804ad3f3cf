//! The live tail, trustworthy under late and out-of-order arrival and fast under load.
//! Each poll asks for what is newer than the newest line shown (paging with
//! `search_after`), then checks the overlap window before it for late lines: it compares
//! the cluster's count of events in the window with the lines it holds there, and only
//! where they differ narrows the window by halves until the late lines can be read in a
//! page or two. Lines already shown are dropped by index + `_id` (a bounded set); late
//! lines are inserted where they belong and marked. At 1,000 events/s a poll costs a
//! page of new lines and one count, not a re-read of the 30,000 lines in the window.

use std::collections::{HashSet, VecDeque};

use serde_json::{json, Value};

use super::panels::query_in_range;
use crate::time::{parse_iso8601, EpochMillis};
use crate::view::Search;

/// One log line of the stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub index: String,
    pub id: String,
    pub time: EpochMillis,
    pub level: String,
    pub message: String,
    pub source: Value,
    /// It arrived after lines newer than it were already shown.
    pub late: bool,
}

/// Where the stream's text comes from.
#[derive(Debug, Clone, Default)]
pub struct RowFields {
    pub message: Option<String>,
    pub level: Option<String>,
    /// A unique event field to break timestamp ties (sortable: keyword or number).
    pub tiebreaker: Option<String>,
}

/// What a merge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Merged {
    pub added: usize,
    pub late: usize,
    /// The page was full: ask again after its last line.
    pub more: bool,
}

/// A span of time, inclusive epoch milliseconds at both ends.
pub type Window = (EpochMillis, EpochMillis);

/// What `Tail::narrow` found: windows to read in full, windows to count again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowed {
    pub read: Vec<Window>,
    pub count: Vec<Window>,
}

pub struct Tail {
    rows: VecDeque<Row>,
    seen: HashSet<(String, String)>,
    seen_order: VecDeque<(String, String)>,
    capacity: usize,
    overlap_ms: i64,
    page: usize,
    newest: Option<EpochMillis>,
    /// Lines before this time were never all held (the first page was cut short, or the
    /// oldest were evicted): they are not late, only not shown.
    floor: Option<EpochMillis>,
    /// Lines evicted because the stream is full (for "showing N of M").
    pub dropped: u64,
    /// The lines added since `take_added`, when they are collected (see `collecting`).
    added: Option<Vec<Row>>,
    /// How many lines came in at the live end (polls and pushes, not older pages).
    arrived: u64,
}

impl Tail {
    /// A tail keeping at most `capacity` lines, re-reading `overlap_ms` each poll.
    pub fn new(capacity: usize, overlap_ms: i64, page: usize) -> Self {
        Self {
            rows: VecDeque::new(),
            seen: HashSet::new(),
            seen_order: VecDeque::new(),
            capacity: capacity.max(1),
            overlap_ms,
            page: page.max(1),
            newest: None,
            floor: None,
            dropped: 0,
            added: None,
            arrived: 0,
        }
    }

    /// The same tail, keeping each line it adds for `take_added` (a server handing new
    /// lines on, where the dashboard only shows them).
    pub fn collecting(mut self) -> Self {
        self.added = Some(Vec::new());
        self
    }

    /// The lines added since the last call, in the order they came.
    pub fn take_added(&mut self) -> Vec<Row> {
        self.added.as_mut().map(std::mem::take).unwrap_or_default()
    }

    pub fn rows(&self) -> &VecDeque<Row> {
        &self.rows
    }

    /// Where the line with this index and `_id` is among [`Tail::rows`], if held.
    pub fn position(&self, index: &str, id: &str) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.index == index && r.id == id)
    }

    pub fn newest(&self) -> Option<EpochMillis> {
        self.newest
    }

    /// How many lines have come in at the live end since the tail started: polled or
    /// pushed, late ones too, but not the older pages a reader scrolled back to (a paused
    /// stream counts its new lines by this).
    pub fn arrived(&self) -> u64 {
        self.arrived
    }

    /// The first request: the newest lines of the range, newest first.
    pub fn initial_request(
        &self,
        search: &Search,
        from: EpochMillis,
        to: EpochMillis,
        fields: &RowFields,
    ) -> Value {
        json!({
            "size": self.page,
            "track_total_hits": true,
            "query": query_in_range(search, from, to),
            "sort": sort(fields, "desc"),
        })
    }

    /// A poll for new lines: everything from the newest line shown on (that millisecond
    /// included, as more may share it), oldest first, after `after` (the last sort values
    /// of the previous page of this poll).
    pub fn poll_request(
        &self,
        search: &Search,
        from: EpochMillis,
        now: EpochMillis,
        fields: &RowFields,
        after: Option<&Value>,
    ) -> Value {
        let start = self.newest.map_or(from, |newest| newest.max(from));
        self.page_request(search, (start, now.max(start)), fields, after)
    }

    /// A page of the lines in `window` (inclusive milliseconds), oldest first.
    pub fn page_request(
        &self,
        search: &Search,
        window: Window,
        fields: &RowFields,
        after: Option<&Value>,
    ) -> Value {
        let mut body = json!({
            "size": self.page,
            "track_total_hits": false,
            "query": query_in_range(search, window.0, window.1),
            "sort": sort(fields, "asc"),
        });
        if let Some(after) = after {
            body["search_after"] = after.clone();
        }
        body
    }

    /// Where late lines may have landed: the overlap window before the newest line shown
    /// (the newest millisecond itself is read by `poll_request`).
    pub fn late_window(&self, from: EpochMillis) -> Option<Window> {
        let newest = self.newest?;
        let start = (newest - self.overlap_ms)
            .max(from)
            .max(self.floor.map_or(i64::MIN, |floor| floor + 1));
        (start < newest).then_some((start, newest - 1))
    }

    /// An `_msearch` body counting the events of each window, in order.
    pub fn count_requests(&self, index: &str, search: &Search, windows: &[Window]) -> String {
        let header = json!({ "index": index }).to_string();
        let mut body = String::new();
        for &(start, end) in windows {
            let count = json!({
                "size": 0,
                "track_total_hits": true,
                "query": query_in_range(search, start, end),
            });
            body.push_str(&header);
            body.push('\n');
            body.push_str(&count.to_string());
            body.push('\n');
        }
        body
    }

    /// Compares the cluster's counts (the `_msearch` answer to `count_requests(windows)`)
    /// with the lines held in each window: windows that hold everything are done, small
    /// ones with late lines are to be read, large ones are split in halves to count again.
    pub fn narrow(&self, windows: &[Window], answer: &Value) -> Narrowed {
        let mut narrowed = Narrowed::default();
        let responses = answer["responses"].as_array();
        for (i, &(start, end)) in windows.iter().enumerate() {
            let Some(count) = responses
                .and_then(|r| r.get(i))
                .and_then(|r| r["hits"]["total"]["value"].as_u64())
            else {
                continue; // an error for this window: the next poll looks again
            };
            let held = self.held_between(start, end) as u64;
            if count <= held {
                continue;
            }
            if count <= self.page as u64 * 2 || start == end {
                narrowed.read.push((start, end));
            } else {
                let middle = start + (end - start) / 2;
                narrowed.count.push((start, middle));
                narrowed.count.push((middle + 1, end));
            }
        }
        narrowed
    }

    /// How many lines the tail holds with times in `[start, end]`.
    fn held_between(&self, start: EpochMillis, end: EpochMillis) -> usize {
        let first = self.rows.partition_point(|r| r.time < start);
        let past = self.rows.partition_point(|r| r.time <= end);
        past.saturating_sub(first)
    }

    /// Takes the answer to `initial_request`: when it was cut short, the lines before
    /// its oldest were not shown, and later polls do not take them for late ones.
    pub fn start(&mut self, answer: &Value, fields: &RowFields) -> Merged {
        let (merged, _) = self.merge(answer, fields);
        if merged.more {
            self.floor = self.rows.front().map(|r| r.time);
        }
        merged
    }

    /// Adds the hits of a search answer; returns what changed and the last hit's sort values.
    pub fn merge(&mut self, answer: &Value, fields: &RowFields) -> (Merged, Option<Value>) {
        let hits = answer["hits"]["hits"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut merged = Merged {
            more: hits.len() >= self.page,
            ..Merged::default()
        };
        let last_sort = hits.last().map(|hit| hit["sort"].clone());
        let newest_before = self.newest;
        for hit in &hits {
            if let Some(late) = self.add(hit, fields, newest_before, i64::MIN) {
                merged.added += 1;
                merged.late += usize::from(late);
            }
        }
        self.arrived += merged.added as u64;
        (merged, last_sort)
    }

    /// Adds one line the server pushed as it arrived (a hit without sort values). A line
    /// already shown, or older than `from` (the range's start, which a relative range has
    /// moved past), is left out. Returns whether it was added.
    pub fn push(&mut self, hit: &Value, fields: &RowFields, from: EpochMillis) -> bool {
        let added = self.add(hit, fields, self.newest, from).is_some();
        self.arrived += u64::from(added);
        added
    }

    /// Adds a hit unless it is shown already or older than `from`; returns whether it came
    /// in late (after lines newer than it).
    fn add(
        &mut self,
        hit: &Value,
        fields: &RowFields,
        newest_before: Option<EpochMillis>,
        from: EpochMillis,
    ) -> Option<bool> {
        let mut row = Row::of_hit(hit, fields).filter(|row| row.time >= from)?;
        let key = (row.index.clone(), row.id.clone());
        if self.seen.contains(&key) {
            return None;
        }
        self.remember(key);
        row.late = newest_before.is_some_and(|newest| row.time < newest);
        self.newest = Some(self.newest.map_or(row.time, |n| n.max(row.time)));
        let late = row.late;
        if let Some(added) = &mut self.added {
            added.push(row.clone());
        }
        self.insert(row);
        Some(late)
    }

    fn remember(&mut self, key: (String, String)) {
        self.seen.insert(key.clone());
        self.seen_order.push_back(key);
        // the set only needs to cover what the overlap window can bring back; bound it
        while self.seen_order.len() > self.capacity * 2 {
            if let Some(old) = self.seen_order.pop_front() {
                self.seen.remove(&old);
            }
        }
    }

    /// Keeps rows in time order (ties by index and id), dropping the oldest past capacity.
    fn insert(&mut self, row: Row) {
        let position = self
            .rows
            .partition_point(|r| (r.time, &r.index, &r.id) <= (row.time, &row.index, &row.id));
        self.rows.insert(position, row);
        while self.rows.len() > self.capacity {
            if let Some(evicted) = self.rows.pop_front() {
                self.floor = Some(self.floor.map_or(evicted.time, |f| f.max(evicted.time)));
            }
            self.dropped += 1;
        }
    }

    /// Whether the range may hold lines older than the oldest held (the first page was cut
    /// short, or older pages were), and the tail has room for them.
    pub fn has_older(&self) -> bool {
        self.floor.is_some() && self.rows.len() < self.capacity
    }

    /// A page of the lines before the oldest held, newest first, and its size: the
    /// oldest line's millisecond is read again (more may share it; those held are known
    /// by `_id`), so the page asks for as many more as it holds there. `None` when there
    /// is nothing older to ask for.
    pub fn older_request(
        &self,
        search: &Search,
        from: EpochMillis,
        fields: &RowFields,
    ) -> Option<(Value, usize)> {
        if !self.has_older() {
            return None;
        }
        let oldest = self.rows.front()?.time;
        let size = self.page + self.held_between(oldest, oldest);
        let body = json!({
            "size": size,
            "track_total_hits": false,
            "query": query_in_range(search, from, oldest),
            "sort": sort(fields, "desc"),
        });
        Some((body, size))
    }

    /// Takes the answer to `older_request` (which asked for `size` lines): its lines join
    /// the front; a page that was not full leaves nothing older in the range.
    pub fn take_older(&mut self, answer: &Value, fields: &RowFields, size: usize) -> Merged {
        let hits = answer["hits"]["hits"].as_array();
        let mut merged = Merged {
            more: hits.map_or(0, Vec::len) >= size,
            ..Merged::default()
        };
        for hit in hits.into_iter().flatten() {
            if self.add(hit, fields, None, i64::MIN).is_some() {
                merged.added += 1;
            }
        }
        self.floor = if merged.more {
            self.rows.front().map(|r| r.time)
        } else {
            None
        };
        merged
    }

    /// Drops the lines older than `from`, which a relative range has moved past (the
    /// stream then holds what the panels count); returns how many it dropped.
    pub fn drop_before(&mut self, from: EpochMillis) -> usize {
        let old = self.rows.partition_point(|r| r.time < from);
        self.rows.drain(..old);
        old
    }

    /// Forgets everything (a new query or range).
    pub fn clear(&mut self) {
        let collecting = self.added.is_some();
        *self = Tail::new(self.capacity, self.overlap_ms, self.page);
        if collecting {
            self.added = Some(Vec::new());
        }
    }
}

fn sort(fields: &RowFields, order: &str) -> Value {
    let mut keys = vec![json!({"@timestamp": {"order": order}})];
    if let Some(tiebreaker) = &fields.tiebreaker {
        keys.push(json!({tiebreaker.as_str(): {"order": order, "unmapped_type": "keyword"}}));
    }
    Value::Array(keys)
}

/// Looks a dotted name up in an event, nested (`a: {b: 1}`) or flat (`"a.b": 1`).
pub fn lookup<'v>(source: &'v Value, name: &str) -> Option<&'v Value> {
    if let Some(value) = source.get(name) {
        return Some(value);
    }
    let (head, rest) = name.split_once('.')?;
    lookup(source.get(head)?, rest).or_else(|| {
        // a key that itself has dots: try longer heads
        let mut split = head.len();
        while let Some(next) = name[split + 1..].find('.') {
            split += 1 + next;
            if let Some(inner) = source.get(&name[..split]) {
                return lookup(inner, &name[split + 1..]);
            }
        }
        None
    })
}

/// Text for a value: strings as they are, anything else as JSON.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Row {
    /// A search hit as a line, its text from `fields`; `None` without a time.
    pub fn of_hit(hit: &Value, fields: &RowFields) -> Option<Row> {
        let source = hit.get("_source").cloned().unwrap_or(Value::Null);
        let time = hit["sort"][0].as_i64().or_else(|| {
            source
                .get("@timestamp")
                .and_then(Value::as_str)
                .and_then(parse_iso8601)
        })?;
        // shown as the characters they hold (an ANSI escape or a bidi override acts no more)
        let pick = |name: &Option<String>, fallback: &str| {
            lookup(&source, name.as_deref().unwrap_or(fallback))
                .map(|value| super::visible::visible_owned(text_of(value)))
                .unwrap_or_default()
        };
        // an index may hold both python-logstash-async layouts (`level`, ECS `log.level`):
        // an event without the level field chosen shows the level it has
        let mut level = pick(&fields.level, "level");
        if level.is_empty() {
            level = super::fields::LEVEL
                .iter()
                .find_map(|name| lookup(&source, name).map(text_of))
                .map(super::visible::visible_owned)
                .unwrap_or_default();
        }
        Some(Row {
            index: hit["_index"].as_str().unwrap_or_default().to_string(),
            id: hit["_id"].as_str().unwrap_or_default().to_string(),
            time,
            level,
            message: pick(&fields.message, "message"),
            source,
            late: false,
        })
    }
}

#[cfg(test)]
mod tests;
