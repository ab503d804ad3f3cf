//! One poll of the live tail as a sequence of requests, without I/O: the dashboard sends
//! each request `next` names and hands the answer to `take`. First the lines newer than
//! the newest shown, page by page; then the overlap window before it, counted, narrowed
//! where the counts say lines are missing, and read there (see `tail`).

use serde_json::Value;

use super::tail::{Merged, RowFields, Tail, Window};
use crate::time::EpochMillis;
use crate::view::Search;

/// At most this many pages of new lines per poll (the next poll goes on).
const NEW_PAGES: usize = 20;
/// At most this many pages read from late windows per poll.
const LATE_PAGES: usize = 20;
/// Halving 30 s down to one millisecond takes 15 rounds.
const COUNT_ROUNDS: usize = 16;

/// What to send next.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `POST /{index}/_search` with this body.
    Search(Value),
    /// `POST /_msearch` with this NDJSON body.
    Msearch(String),
}

#[derive(Debug, Clone)]
enum Stage {
    New {
        after: Option<Value>,
        pages: usize,
    },
    Count {
        windows: Vec<Window>,
    },
    Read {
        window: Window,
        after: Option<Value>,
    },
    Done,
}

/// One poll in progress.
pub struct Poll {
    index: String,
    search: Search,
    from: EpochMillis,
    now: EpochMillis,
    fields: RowFields,
    stage: Stage,
    /// Where late lines may be, fixed before the new lines move the newest line on.
    late: Option<Window>,
    to_read: Vec<Window>,
    to_count: Vec<Window>,
    rounds: usize,
    late_pages: usize,
    /// What the poll added so far.
    pub merged: Merged,
}

impl Poll {
    /// A poll of `tail` for the view's index and query, over `[from, now]`.
    pub fn new(
        tail: &Tail,
        index: &str,
        search: &Search,
        from: EpochMillis,
        now: EpochMillis,
        fields: &RowFields,
    ) -> Self {
        Self {
            index: index.to_string(),
            search: search.clone(),
            from,
            now,
            fields: fields.clone(),
            stage: Stage::New {
                after: None,
                pages: 0,
            },
            late: tail.late_window(from),
            to_read: Vec::new(),
            to_count: Vec::new(),
            rounds: 0,
            late_pages: 0,
            merged: Merged::default(),
        }
    }

    /// The request to send now, or `None` when the poll is over.
    pub fn next(&self, tail: &Tail) -> Option<Request> {
        match &self.stage {
            Stage::New { after, .. } => Some(Request::Search(tail.poll_request(
                &self.search,
                self.from,
                self.now,
                &self.fields,
                after.as_ref(),
            ))),
            Stage::Count { windows } => Some(Request::Msearch(tail.count_requests(
                &self.index,
                &self.search,
                windows,
            ))),
            Stage::Read { window, after } => Some(Request::Search(tail.page_request(
                &self.search,
                *window,
                &self.fields,
                after.as_ref(),
            ))),
            Stage::Done => None,
        }
    }

    /// Takes the answer to the request `next` named.
    pub fn take(&mut self, tail: &mut Tail, answer: &Value) {
        let stage = std::mem::replace(&mut self.stage, Stage::Done);
        self.stage = match stage {
            Stage::New { pages, .. } => {
                let (merged, last) = self.merge(tail, answer);
                if merged.more && pages + 1 < NEW_PAGES {
                    Stage::New {
                        after: last,
                        pages: pages + 1,
                    }
                } else {
                    match self.late.take() {
                        Some(window) => Stage::Count {
                            windows: vec![window],
                        },
                        None => Stage::Done,
                    }
                }
            }
            Stage::Count { windows } => {
                let narrowed = tail.narrow(&windows, answer);
                self.rounds += 1;
                self.to_read = narrowed.read;
                self.to_count = narrowed.count;
                self.after_reads()
            }
            Stage::Read { window, .. } => {
                let (merged, last) = self.merge(tail, answer);
                self.late_pages += 1;
                if merged.more && self.late_pages < LATE_PAGES {
                    Stage::Read {
                        window,
                        after: last,
                    }
                } else {
                    self.after_reads()
                }
            }
            Stage::Done => Stage::Done,
        };
    }

    /// The next window to read, else the next round of counts, else done.
    fn after_reads(&mut self) -> Stage {
        // oldest first: those are the next to leave the overlap window
        if self.late_pages < LATE_PAGES && !self.to_read.is_empty() {
            return Stage::Read {
                window: self.to_read.remove(0),
                after: None,
            };
        }
        if !self.to_count.is_empty() && self.rounds < COUNT_ROUNDS {
            return Stage::Count {
                windows: std::mem::take(&mut self.to_count),
            };
        }
        Stage::Done
    }

    fn merge(&mut self, tail: &mut Tail, answer: &Value) -> (Merged, Option<Value>) {
        let (merged, last) = tail.merge(answer, &self.fields);
        self.merged.added += merged.added;
        self.merged.late += merged.late;
        (merged, last)
    }
}

#[cfg(test)]
mod tests {
    use crate::dashboard::tail::{RowFields, Tail};
    use crate::dashboard::toy_store::poll_counting;

    /// Events at `rate` a second for `seconds` from two apps: one sends at once, the other
    /// (every 5th event) in batches every 10 s, as python-logstash-async does.
    /// Returns (arrival, id, time).
    fn traffic(rate: i64, seconds: i64) -> Vec<(i64, String, i64)> {
        (0..rate * seconds)
            .map(|n| {
                let time = 1_000_000 + n * 1_000 / rate;
                let arrival = if n % 5 == 0 {
                    (time / 10_000 + 1) * 10_000
                } else {
                    time
                };
                (arrival, format!("e{n:07}"), time)
            })
            .collect()
    }

    #[test]
    fn under_load_new_and_late_lines_show_at_the_next_poll_and_none_twice() {
        let fields = RowFields {
            tiebreaker: Some("id".into()),
            ..Default::default()
        };
        // scaled down from 1,000 events/s and pages of 500: the same two pages a second
        let (rate, page) = (200, 100);
        let mut tail = Tail::new(1_000_000, 30_000, page);
        let traffic = traffic(rate, 60);
        let mut most_requests = 0;
        for second in 1..=75 {
            let now = 1_000_000 + second * 1_000;
            let arrived: Vec<(String, i64)> = traffic
                .iter()
                .filter(|(arrival, _, _)| *arrival <= now)
                .map(|(_, id, time)| (id.clone(), *time))
                .collect();
            let (_, requests) = poll_counting(&mut tail, &arrived, now, &fields);
            most_requests = most_requests.max(requests);
            let shown: std::collections::HashSet<&str> =
                tail.rows().iter().map(|r| r.id.as_str()).collect();
            assert_eq!(shown.len(), tail.rows().len(), "no line twice");
            let on_time_missing = traffic
                .iter()
                .filter(|(arrival, id, time)| {
                    arrival == time && *arrival <= now && !shown.contains(id.as_str())
                })
                .count();
            assert_eq!(
                on_time_missing, 0,
                "new lines show at once (second {second})"
            );
        }
        // and every late one, once
        assert_eq!(tail.rows().len(), traffic.len());
        assert!(tail
            .rows()
            .iter()
            .zip(tail.rows().iter().skip(1))
            .all(|(a, b)| a.time <= b.time));
        // re-reading the 30 s window would take 60 pages a poll; narrowing by counts reads less
        assert!(most_requests <= 40, "{most_requests} requests in one poll");
    }

    #[test]
    fn a_quiet_poll_costs_one_search_and_one_count() {
        let fields = RowFields::default();
        let mut tail = Tail::new(1_000, 30_000, 100);
        let events: Vec<(String, i64)> = (0..50)
            .map(|i| (format!("e{i:02}"), 10_000 + i * 100))
            .collect();
        poll_counting(&mut tail, &events, 20_000, &fields);
        let (merged, requests) = poll_counting(&mut tail, &events, 21_000, &fields);
        assert_eq!(merged.added, 0);
        assert_eq!(requests, 2);
    }

    #[test]
    fn lines_before_a_cut_short_first_page_are_not_taken_for_late_ones() {
        let fields = RowFields::default();
        let mut tail = Tail::new(10_000, 30_000, 100);
        // 1,000 lines in the last 10 s; the first page shows the newest 100
        let events: Vec<(String, i64)> = (0..1_000)
            .map(|i| (format!("e{i:04}"), 100_000 + i * 10))
            .collect();
        let newest_first = crate::dashboard::toy_store::serve_newest(&events, 100);
        assert!(tail.start(&newest_first, &fields).more);
        let (merged, requests) = poll_counting(&mut tail, &events, 111_000, &fields);
        assert_eq!(merged.added, 0, "the 900 older lines are not late");
        assert_eq!(requests, 2);
    }
}
