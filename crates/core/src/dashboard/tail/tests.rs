use super::*;

use crate::dashboard::toy_store::{poll, serve_desc, serve_newest};

#[test]
fn late_and_out_of_order_events_appear_exactly_once_in_time_order() {
    let fields = RowFields {
        tiebreaker: Some("event.id".into()),
        level: Some("log.level".into()),
        ..Default::default()
    };
    let mut tail = Tail::new(1_000, 30_000, 3);
    let mut events: Vec<(String, i64)> = (0..10)
        .map(|i| (format!("a{i}"), 100_000 + i * 1_000))
        .collect();
    assert_eq!(poll(&mut tail, &events, 120_000, &fields).added, 10);
    // a batch arrives late: some of it older than what is shown, some at the same millisecond
    events.push(("late1".into(), 95_000));
    events.push(("late2".into(), 104_000));
    events.push(("a4b".into(), 104_000));
    events.push(("new".into(), 121_000));
    let merged = poll(&mut tail, &events, 130_000, &fields);
    assert_eq!(merged.added, 4);
    assert_eq!(merged.late, 3);
    // and nothing is shown twice however often we poll
    assert_eq!(poll(&mut tail, &events, 140_000, &fields).added, 0);
    let ids: Vec<&str> = tail.rows().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 14);
    let mut sorted = tail.rows().iter().map(|r| r.time).collect::<Vec<_>>();
    sorted.sort();
    assert_eq!(
        tail.rows().iter().map(|r| r.time).collect::<Vec<_>>(),
        sorted
    );
    assert!(tail
        .rows()
        .iter()
        .find(|r| r.id == "late1")
        .is_some_and(|r| r.late));
    assert!(tail
        .rows()
        .iter()
        .find(|r| r.id == "new")
        .is_some_and(|r| !r.late));
    assert_eq!(tail.rows()[0].level, "info");
}

#[test]
fn lines_a_moving_range_has_passed_are_dropped() {
    let mut tail = Tail::new(100, 0, 10);
    let events: Vec<(String, i64)> = (0..5).map(|i| (format!("e{i}"), 1_000 + i * 100)).collect();
    assert_eq!(
        poll(&mut tail, &events, 2_000, &RowFields::default()).added,
        5
    );
    assert_eq!(tail.drop_before(1_250), 3);
    let times: Vec<i64> = tail.rows().iter().map(|r| r.time).collect();
    assert_eq!(times, [1_300, 1_400]);
    assert_eq!(tail.drop_before(1_000), 0);
}

#[test]
fn capacity_bounds_the_stream_and_counts_what_it_dropped() {
    let fields = RowFields::default();
    let mut tail = Tail::new(5, 1_000, 100);
    let events: Vec<(String, i64)> = (0..8).map(|i| (format!("e{i}"), 1_000 + i)).collect();
    poll(&mut tail, &events, 10_000, &fields);
    assert_eq!(tail.rows().len(), 5);
    assert_eq!(tail.dropped, 3);
    assert_eq!(tail.rows()[0].id, "e3");
}

#[test]
fn lookup_reads_nested_and_flat_names() {
    let source = json!({"log": {"level": "warn"}, "extra.user_id": "u1", "a": {"b.c": 1}});
    assert_eq!(lookup(&source, "log.level"), Some(&json!("warn")));
    assert_eq!(lookup(&source, "extra.user_id"), Some(&json!("u1")));
    assert_eq!(lookup(&source, "a.b.c"), Some(&json!(1)));
    assert_eq!(lookup(&source, "nope.x"), None);
}

#[test]
fn requests_sort_with_the_tiebreaker() {
    let fields = RowFields {
        tiebreaker: Some("extra.request_id.keyword".into()),
        ..Default::default()
    };
    let tail = Tail::new(10, 30_000, 200);
    let first = tail.initial_request(&Search::text("error"), 0, 100, &fields);
    assert_eq!(first["sort"][0], json!({"@timestamp": {"order": "desc"}}));
    assert_eq!(
        first["sort"][1]["extra.request_id.keyword"]["order"],
        "desc"
    );
    let poll = tail.poll_request(&Search::default(), 0, 100, &fields, Some(&json!([5, "x"])));
    assert_eq!(poll["search_after"], json!([5, "x"]));
}

#[test]
fn pushed_lines_join_the_polled_ones_once_each_and_never_before_the_range() {
    let fields = RowFields::default();
    let mut tail = Tail::new(100, 30_000, 10);
    let events: Vec<(String, i64)> = (0..3).map(|i| (format!("e{i}"), 1_000 + i)).collect();
    poll(&mut tail, &events, 5_000, &fields);
    let pushed = |id: &str, time: &str| json!({"_index": "logs", "_id": id, "_source": {"@timestamp": time, "message": id}});
    // a line pushed as it arrived, then found again by a catch-up poll: shown once
    assert!(tail.push(&pushed("p1", "1970-01-01T00:00:04Z"), &fields, 0));
    assert!(!tail.push(&pushed("p1", "1970-01-01T00:00:04Z"), &fields, 0));
    let mut with_p1 = events.clone();
    with_p1.push(("p1".into(), 4_000));
    assert_eq!(poll(&mut tail, &with_p1, 6_000, &fields).added, 0);
    assert_eq!(tail.newest(), Some(4_000));
    // a line a shipper sends late lands in time order, marked late
    assert!(tail.push(&pushed("p0", "1970-01-01T00:00:03.5Z"), &fields, 0));
    let p0 = tail.rows().iter().position(|r| r.id == "p0");
    assert_eq!(p0, Some(3));
    assert!(tail.rows()[3].late);
    // one older than the range's start, or with no time to place it by, is not shown
    assert!(!tail.push(&pushed("old", "1970-01-01T00:00:00.5Z"), &fields, 1_000));
    assert!(!tail.push(
        &json!({"_index": "logs", "_id": "x", "_source": {}}),
        &fields,
        0
    ));
    assert_eq!(tail.rows().len(), 5);
    // pushed lines, the late one too, count as arrivals; repeats and refusals do not
    assert_eq!(tail.arrived(), 5);
}

#[test]
fn a_collecting_tail_hands_on_each_new_line_once() {
    let fields = RowFields::default();
    let mut tail = Tail::new(100, 30_000, 10).collecting();
    let mut events: Vec<(String, i64)> = (0..3).map(|i| (format!("e{i}"), 1_000 + i)).collect();
    poll(&mut tail, &events, 5_000, &fields);
    let ids = |rows: Vec<Row>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(tail.take_added()), ["e0", "e1", "e2"]);
    events.push(("late".into(), 1_000));
    events.push(("new".into(), 4_000));
    poll(&mut tail, &events, 6_000, &fields);
    let mut added = ids(tail.take_added());
    added.sort();
    assert_eq!(added, ["late", "new"]);
    poll(&mut tail, &events, 7_000, &fields);
    assert!(tail.take_added().is_empty());
    // a tail that does not collect keeps nothing aside
    let mut plain = Tail::new(100, 30_000, 10);
    poll(&mut plain, &events, 5_000, &fields);
    assert!(plain.take_added().is_empty());
}

/// Scrolling back: older pages, read before the oldest line held, bring every line of the
/// range once and in order, even where many lines share the milliseconds a page ends on.
#[test]
fn older_pages_reach_the_start_of_the_range_without_gaps_or_repeats() {
    let fields = RowFields::default();
    // 1,000 events, five to a millisecond: pages of 64 end inside a millisecond
    let events: Vec<(String, i64)> = (0..1_000)
        .map(|i| (format!("e{i:04}"), 1_000_000 + i / 5))
        .collect();
    let mut tail = Tail::new(100_000, 30_000, 64);
    let first = tail.start(&serve_newest(&events, 64), &fields);
    assert!(first.more && tail.has_older());
    assert_eq!(tail.arrived(), 64);
    let mut pages = 0;
    while let Some((request, size)) = tail.older_request(&Search::default(), 0, &fields) {
        let merged = tail.take_older(&serve_desc(&events, &request), &fields, size);
        assert!(merged.added > 0 || !merged.more, "a page must move on");
        pages += 1;
        assert!(pages < 100, "older pages never end");
    }
    assert!(!tail.has_older());
    let ids: Vec<&str> = tail.rows().iter().map(|r| r.id.as_str()).collect();
    let expected: Vec<String> = events.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids, expected);
    assert!(tail.rows().iter().all(|r| !r.late));
    // the older lines are not new ones: a paused stream counts only what comes after
    assert_eq!(tail.arrived(), 64);
    // new lines still come by polls after scrolling back
    let mut more = events.clone();
    more.push(("new".into(), 2_000_000));
    assert_eq!(poll(&mut tail, &more, 2_000_001, &fields).added, 1);
    assert_eq!(tail.arrived(), 65);
}

#[test]
fn a_full_tail_or_a_whole_first_page_asks_for_nothing_older() {
    let fields = RowFields::default();
    let events: Vec<(String, i64)> = (0..10).map(|i| (format!("e{i}"), 1_000 + i)).collect();
    let mut tail = Tail::new(100, 30_000, 64);
    tail.start(&serve_newest(&events, 64), &fields);
    assert_eq!(tail.older_request(&Search::default(), 0, &fields), None);
    let mut small = Tail::new(8, 30_000, 8);
    small.start(&serve_newest(&events, 8), &fields);
    assert_eq!(
        small.older_request(&Search::default(), 0, &fields),
        None,
        "no room"
    );
}

#[test]
fn both_python_layouts_show_their_level_whichever_field_was_chosen() {
    let fields = RowFields {
        level: Some("level".into()),
        ..Default::default()
    };
    let hit = |source: Value| json!({"_index": "logs", "_id": "x", "sort": [1], "_source": source});
    let plain = Row::of_hit(&hit(json!({"level": "WARNING", "message": "a"})), &fields);
    let ecs = Row::of_hit(
        &hit(json!({"log": {"level": "ERROR"}, "message": "b"})),
        &fields,
    );
    let named = Row::of_hit(
        &hit(json!({"levelname": "critical", "message": "c"})),
        &fields,
    );
    let none = Row::of_hit(&hit(json!({"message": "d"})), &fields);
    let levels: Vec<String> = [plain, ecs, named, none]
        .into_iter()
        .map(|row| row.map(|r| r.level).unwrap_or_default())
        .collect();
    assert_eq!(levels, ["WARNING", "ERROR", "critical", ""]);
}
