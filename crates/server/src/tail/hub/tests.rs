use super::*;
use logdash_core::live::Declared;
use serde_json::{json, Map, Value};

fn limits() -> Limits {
    Limits {
        max_watchers: 8,
        max_views: 4,
    }
}

fn source(level: &str, n: usize) -> Map<String, Value> {
    json!({"level": level, "n": n})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

fn publish(hub: &Hub, index: &str, sources: &[Map<String, Value>]) {
    let ids: Vec<String> = (0..sources.len()).map(|i| format!("id{i}")).collect();
    let declared = Declared::new();
    let batch: Vec<Arrived<'_>> = sources
        .iter()
        .zip(&ids)
        .map(|(source, id)| Arrived {
            index,
            id,
            source,
            declared: &declared,
        })
        .collect();
    hub.publish(&batch);
}

#[test]
fn a_watcher_that_falls_behind_keeps_a_bounded_queue_and_a_count_of_the_rest() {
    let hub = Hub::new(limits(), false);
    let mut watch = hub
        .watch("logs-*", "level:ERROR", None, &Unmatched::default())
        .expect("watches");
    let errors: Vec<_> = (0..QUEUE + 76).map(|n| source("ERROR", n)).collect();
    publish(&hub, "logs-app", &errors);
    assert_eq!(watch.skipped.load(Ordering::Relaxed), 76);
    let mut received = 0;
    while let Ok(hit) = watch.receiver.try_recv() {
        assert!(hit.json.contains("\"_index\":\"logs-app\""));
        received += 1;
    }
    assert_eq!(received, QUEUE);
}

#[test]
fn one_view_is_matched_once_whatever_its_watchers_and_each_hit_written_once() {
    let hub = Hub::new(limits(), false);
    let mut first = hub
        .watch("logs-*", "level:ERROR", None, &Unmatched::default())
        .expect("watches");
    let mut second = hub
        .watch("logs-*", "level:ERROR", None, &Unmatched::default())
        .expect("watches");
    publish(&hub, "logs-app", &[source("ERROR", 1), source("INFO", 2)]);
    let (a, b) = (
        first.receiver.try_recv().expect("a hit"),
        second.receiver.try_recv().expect("a hit"),
    );
    assert!(Arc::ptr_eq(&a, &b), "the same hit, shared");
    assert!(first.receiver.try_recv().is_err(), "INFO is not an error");
    assert_eq!(hub.counts(), (2, 1));
}

#[test]
fn limits_refuse_by_name_and_leaving_frees_a_place() {
    let hub = Hub::new(
        Limits {
            max_watchers: 2,
            max_views: 1,
        },
        false,
    );
    let first = hub
        .watch("logs-*", "a", None, &Unmatched::default())
        .expect("watches");
    assert!(
        matches!(hub.watch("logs-*", "b", None, &Unmatched::default()), Err(Refused::Busy(reason)) if reason.contains("--max-tail-views"))
    );
    let _second = hub
        .watch("logs-*", "a", None, &Unmatched::default())
        .expect("same view");
    assert!(
        matches!(hub.watch("logs-*", "a", None, &Unmatched::default()), Err(Refused::Busy(reason)) if reason.contains("--max-tail-watchers"))
    );
    drop(first);
    assert_eq!(hub.counts(), (1, 1));
    assert!(hub
        .watch("logs-*", "a", None, &Unmatched::default())
        .is_ok());
    assert!(matches!(
        hub.watch("logs-*", "/re.*/", None, &Unmatched::default()),
        Err(Refused::Unsupported(_))
    ));
}

#[test]
fn a_resume_replays_what_came_after_and_says_when_some_was_forgotten() {
    let hub = Hub::new(limits(), false);
    let mut watch = hub
        .watch("logs-*", "", None, &Unmatched::default())
        .expect("watches");
    publish(
        &hub,
        "logs-app",
        &[source("INFO", 1), source("INFO", 2), source("INFO", 3)],
    );
    let seen = watch.receiver.try_recv().expect("a hit").seq;
    drop(watch);
    // the view lingers without watchers, still matching
    publish(&hub, "logs-app", &[source("INFO", 4)]);
    let again = hub
        .watch("logs-*", "", Some(seen), &Unmatched::default())
        .expect("watches");
    assert!(!again.gap);
    let replayed: Vec<u64> = again.replay.iter().map(|hit| hit.seq).collect();
    assert_eq!(replayed, [seen + 1, seen + 2, seen + 3]);
    // more than the view keeps: a resume from the start has a gap
    let many: Vec<_> = (0..RECENT + 5).map(|n| source("INFO", n)).collect();
    publish(&hub, "logs-app", &many);
    let late = hub
        .watch("logs-*", "", Some(seen), &Unmatched::default())
        .expect("watches");
    assert!(late.gap);
    assert_eq!(late.replay.len(), RECENT);
}

#[test]
fn closing_ends_every_queue() {
    let hub = Hub::new(limits(), false);
    let mut watch = hub
        .watch("logs-*", "", None, &Unmatched::default())
        .expect("watches");
    hub.close();
    assert!(matches!(
        watch.receiver.try_recv(),
        Err(mpsc::error::TryRecvError::Disconnected)
    ));
    assert!(matches!(
        hub.watch("logs-*", "", None, &Unmatched::default()),
        Err(Refused::Busy(_))
    ));
}

#[test]
fn a_polled_view_is_started_once_fed_by_its_poll_and_let_go_with_the_hub() {
    let hub = Hub::new(limits(), true);
    // a cluster's search decides the query: what the store's matcher cannot follow is taken
    let mut first = hub
        .watch("logs-*", "message:/disk.*/", None, &Unmatched::default())
        .expect("watches");
    let mut second = hub
        .watch("logs-*", "message:/disk.*/", None, &Unmatched::default())
        .expect("watches");
    let view = first
        .to_poll
        .take()
        .expect("the first watcher starts the view's poll");
    assert!(second.to_poll.is_none(), "one poll a view");
    assert!(hub.polls(&view));
    // arrivals pass polled views by; the poll's finds reach every watcher
    publish(&hub, "logs-app", &[source("ERROR", 1)]);
    hub.publish_polled(
        &view,
        [r#"{"_index":"logs-app","_id":"a","_source":{}}"#.to_string()],
    );
    for watch in [&mut first, &mut second] {
        let hit = watch.receiver.try_recv().expect("a hit");
        assert!(hit.json.contains(r#""_id":"a""#));
        assert!(watch.receiver.try_recv().is_err());
    }
    hub.close();
    assert!(!hub.polls(&view), "the poll stops with the hub");
}

#[test]
fn a_view_naming_a_field_only_a_search_reads_is_polled() {
    let hub = Hub::new(limits(), false);
    let unmatched = Unmatched {
        fields: ["client.ip".to_string(), "user".to_string()].into(),
        every_field: true,
    };
    let refused = |query: &str| match hub.watch("logs-*", query, None, &unmatched) {
        Err(Refused::Unsupported(reason)) => reason,
        other => panic!("{query}: {:?}", other.map(|_| "watching")),
    };
    assert!(refused("client.ip:\"10.0.0.0/8\"").contains("[client.ip]"));
    assert!(refused("level:ERROR AND user.keyword:ann").contains("[user.keyword]"));
    assert!(refused("timeout").contains("without a field"));
    // fields no mapping declares are matched as they arrive
    assert!(hub.watch("logs-*", "level:ERROR", None, &unmatched).is_ok());
    assert!(hub.watch("logs-*", "", None, &unmatched).is_ok());
}
