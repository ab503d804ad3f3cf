use serde_json::{json, Value};

use super::*;

/// A toy cluster: events `(index, id, time)`; a search takes the request's range, newest
/// first, events that share a millisecond in an order that changes from call to call (as
/// shards answer), and counts the matches.
struct Cluster {
    events: Vec<(String, String, i64)>,
    calls: u64,
}

impl Cluster {
    fn answer(&mut self, request: &Value) -> Value {
        self.calls += 1;
        let range = &request["query"]["bool"]["filter"][0]["range"]["@timestamp"];
        let (from, to) = (
            range["gte"].as_i64().expect("from"),
            range["lte"].as_i64().expect("to"),
        );
        let mut chosen: Vec<&(String, String, i64)> = self
            .events
            .iter()
            .filter(|(_, _, t)| (from..=to).contains(t))
            .collect();
        let salt = self.calls;
        chosen.sort_by_key(|(index, id, t)| {
            let tie = id.bytes().chain(index.bytes()).fold(salt, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
            let newest_first = request["sort"][0]["@timestamp"]["order"] == "desc";
            (if newest_first { -*t } else { *t }, tie)
        });
        let total = chosen.len();
        let hits: Vec<Value> = chosen
            .into_iter()
            .take(request["size"].as_u64().expect("a size") as usize)
            .map(|(index, id, t)| json!({"_index": index, "_id": id, "sort": [t], "_source": {"n": id}}))
            .collect();
        let total = if request["track_total_hits"] == json!(true) {
            json!({"value": total, "relation": "eq"})
        } else {
            json!({"value": total.min(10_000), "relation": "gte"})
        };
        json!({"_shards": {"total": 1, "successful": 1, "failed": 0}, "hits": {"total": total, "hits": hits}})
    }
}

/// Runs an export to its end: the hits written, or the error that ended it.
fn export(
    cluster: &mut Cluster,
    pager: &mut Pager,
) -> (Vec<(String, String, i64)>, Option<PageError>) {
    let mut written = Vec::new();
    while let Some(request) = pager.request() {
        match pager.take(&cluster.answer(&request)) {
            Ok(hits) => written.extend(hits.iter().map(|hit| {
                (
                    hit["_index"].as_str().expect("an index").to_string(),
                    hit["_id"].as_str().expect("an id").to_string(),
                    hit["sort"][0].as_i64().expect("a time"),
                )
            })),
            Err(error) => return (written, Some(error)),
        }
    }
    (written, None)
}

fn random_events(seed: u64, count: usize, spread: i64) -> Vec<(String, String, i64)> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|i| {
            // the same id in two indices is two events
            (
                format!("logs-{}", i % 3),
                format!("e{}", i / 3),
                (next() % spread as u64) as i64,
            )
        })
        .collect()
}

#[test]
fn every_event_is_written_once_in_order_however_many_share_a_millisecond() {
    for seed in 1..40u64 {
        let spread = [1, 3, 50, 10_000][seed as usize % 4];
        let events = random_events(seed, 60 + seed as usize * 5, spread);
        let mut cluster = Cluster {
            events: events.clone(),
            calls: seed,
        };
        let page = 1 + seed as usize % 60;
        // odd seeds read oldest first (a line's context after it)
        let ascending = seed % 2 == 1;
        let pager = Pager::new("", 0, i64::MAX, page, u64::MAX);
        let mut pager = if ascending {
            pager.oldest_first()
        } else {
            pager
        };
        let (written, error) = export(&mut cluster, &mut pager);
        assert_eq!(error, None, "seed {seed}");
        assert!(
            written.windows(2).all(|w| if ascending {
                w[0].2 <= w[1].2
            } else {
                w[0].2 >= w[1].2
            }),
            "seed {seed}: in order"
        );
        let mut got = written.clone();
        got.sort();
        let mut want = events.clone();
        want.sort();
        assert_eq!(got, want, "seed {seed}, page {page}, spread {spread}");
        assert_eq!(pager.taken(), want.len() as u64);
        assert_eq!(
            pager.total(),
            Some(Total {
                value: events.len() as u64,
                exact: true
            })
        );
        assert!(!pager.truncated());
    }
}

#[test]
fn the_range_bounds_what_is_written() {
    let events: Vec<_> = (0..100)
        .map(|i| ("logs".to_string(), format!("e{i}"), i))
        .collect();
    let mut cluster = Cluster { events, calls: 0 };
    let mut pager = Pager::new("level:ERROR", 10, 19, 3, u64::MAX);
    let first = pager.request().expect("as set up");
    assert_eq!(
        first["query"]["bool"]["filter"][1]["query_string"]["query"],
        "level:ERROR"
    );
    assert_eq!(first["track_total_hits"], true);
    let mut pager = Pager::new("", 10, 19, 3, u64::MAX);
    let (written, _) = export(&mut cluster, &mut pager);
    let times: Vec<i64> = written.iter().map(|w| w.2).collect();
    assert_eq!(times, (10..=19).rev().collect::<Vec<_>>());
}

#[test]
fn the_maximum_stops_the_export_and_says_it_was_cut() {
    let events: Vec<_> = (0..100)
        .map(|i| ("logs".to_string(), format!("e{i}"), i / 4))
        .collect();
    let mut cluster = Cluster { events, calls: 0 };
    let mut pager = Pager::new("", 0, 1_000, 7, 30);
    let (written, error) = export(&mut cluster, &mut pager);
    assert_eq!(error, None);
    assert_eq!(written.len(), 30);
    assert_eq!(pager.expected(), Some(30));
    assert!(pager.truncated());
    assert!(pager.finished());
    // never asks for more than it may write
    assert!(cluster.calls <= 6, "{} searches", cluster.calls);
}

#[test]
fn pages_ask_for_the_events_already_written_at_the_boundary_besides_a_page() {
    let events: Vec<_> = (0..10)
        .map(|i| ("logs".to_string(), format!("e{i}"), 5))
        .collect();
    let mut cluster = Cluster { events, calls: 0 };
    let mut pager = Pager::new("", 0, 9, 4, u64::MAX);
    let first = pager.request().expect("as set up");
    assert_eq!(first["size"], 4);
    let written = pager.take(&cluster.answer(&first)).expect("as set up");
    assert_eq!(written.len(), 4);
    let second = pager.request().expect("as set up");
    assert_eq!(second["size"], 8, "the 4 written at 5 ms, and 4 more");
    assert_eq!(
        second["query"]["bool"]["filter"][0]["range"]["@timestamp"]["lte"],
        5
    );
    assert_eq!(second["track_total_hits"], false, "counted once");
}

#[test]
fn too_many_events_in_one_millisecond_end_the_export_with_a_reason() {
    let events: Vec<_> = (0..MAX_WINDOW + 5)
        .map(|i| ("logs".to_string(), format!("e{i}"), 7))
        .collect();
    let mut cluster = Cluster { events, calls: 0 };
    let mut pager = Pager::new("", 0, 9, 5_000, u64::MAX);
    let (written, error) = export(&mut cluster, &mut pager);
    assert_eq!(error, Some(PageError::TooManyTied { at: 7 }));
    assert!(written.len() >= 5_000);
    assert!(error
        .expect("as set up")
        .to_string()
        .contains("1970-01-01T00:00:00.007Z"));
}

#[test]
fn a_partial_or_unreadable_answer_ends_the_export() {
    let mut pager = Pager::new("", 0, 9, 5, u64::MAX);
    pager.request();
    let partial = json!({"_shards": {"total": 3, "successful": 2, "failed": 1,
        "failures": [{"index": "logs", "shard": 1, "reason": {"type": "node_disconnected_exception", "reason": "gone"}}]},
        "hits": {"hits": []}});
    let Err(PageError::Partial(summary)) = pager.take(&partial) else {
        panic!("a partial answer was taken as whole")
    };
    assert!(summary.contains("1 of 3"), "{summary}");
    assert!(pager.request().is_none());
    let mut pager = Pager::new("", 0, 9, 5, u64::MAX);
    pager.request();
    assert!(matches!(
        pager.take(&json!({"error": "x"})),
        Err(PageError::Unreadable(_))
    ));
    let mut pager = Pager::new("", 0, 9, 5, u64::MAX);
    pager.request();
    let timed_out = json!({"timed_out": true, "_shards": {"total": 1, "successful": 1, "failed": 0}, "hits": {"hits": []}});
    assert!(matches!(pager.take(&timed_out), Err(PageError::Partial(_))));
}

#[test]
fn nothing_is_asked_for_a_maximum_of_zero() {
    assert!(Pager::new("", 0, 9, 5, 0).request().is_none());
}

#[test]
fn a_start_leaves_out_the_event_there_and_reads_on_from_it() {
    // six events in one millisecond, the third of them the start
    let events: Vec<_> = (0..6)
        .map(|i| ("logs".to_string(), format!("e{i}"), 5))
        .chain([
            ("logs".to_string(), "old".to_string(), 1),
            ("logs".to_string(), "new".to_string(), 9),
        ])
        .collect();
    let start = ("logs".to_string(), "e2".to_string());
    for ascending in [false, true] {
        let mut cluster = Cluster {
            events: events.clone(),
            calls: 3,
        };
        let pager = Pager::new("", 0, 10, 2, u64::MAX).starting_at(5, start.clone());
        let mut pager = if ascending {
            pager.oldest_first()
        } else {
            pager
        };
        let (written, error) = export(&mut cluster, &mut pager);
        assert_eq!(error, None);
        let ids: Vec<&str> = written.iter().map(|w| w.1.as_str()).collect();
        assert!(!ids.contains(&"e2"), "the start is not repeated: {ids:?}");
        assert_eq!(
            ids.len(),
            6,
            "five at its millisecond and one beyond: {ids:?}"
        );
        assert_eq!(ids.last(), Some(&if ascending { "new" } else { "old" }));
        assert!(!ids.contains(&if ascending { "old" } else { "new" }));
    }
}
