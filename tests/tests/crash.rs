//! Faults: `kill -9` while `_bulk` requests stream in, while segments merge, or while
//! retention drops old days, loses no acknowledged event, and the store reopens every time.
//!
//! The kill times are random; each run prints its seed, and `LOGDASH_FAULT_SEED=<seed>`
//! repeats a run exactly.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use logdash_e2e::faults::{assert_all_there, bulk_of, count, try_bulk, Random};
use logdash_e2e::Server;
use serde_json::json;

/// How many times the server is killed in one run.
const KILLS: u64 = 20;
/// Writers sending `_bulk` requests at once.
const WRITERS: usize = 3;
/// Events in one `_bulk` request.
const BATCH: usize = 100;

#[tokio::test]
async fn killed_while_bulk_requests_stream_in_it_loses_no_acknowledged_event() {
    let mut random = Random::seeded();
    let mut data_dir = tempfile::tempdir().expect("temp data dir");
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut sent = 0;
    for round in 0..KILLS {
        let server = Server::start_in(data_dir, &[]).await;
        all_there(&server, &acknowledged, &format!("after kill {round}")).await;
        let mut writers = Vec::new();
        for writer in 0..WRITERS {
            let bulk = server.bulk.clone();
            let acknowledged = Arc::clone(&acknowledged);
            writers.push(tokio::spawn(async move {
                write_until_refused(&bulk, &format!("r{round}w{writer}"), &acknowledged).await
            }));
        }
        // somewhere in the first second and a half: while requests are read, indexed,
        // committed, merged or answered
        tokio::time::sleep(Duration::from_millis(random.below(1_500))).await;
        data_dir = server.kill_hard().await;
        for writer in writers {
            sent += writer.await.expect("writer runs");
        }
    }
    let acknowledged = ids(&acknowledged);
    eprintln!(
        "{} of {sent} events sent were acknowledged",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() >= 10 * BATCH,
        "too few requests were acknowledged for the test to mean anything: {}",
        acknowledged.len()
    );
    let server = Server::start_in(data_dir, &[]).await;
    assert_all_there(&server, "crash-test", &acknowledged, "after the last kill").await;
    // and none twice, or from nowhere
    let total = count(&server, "crash-test", json!({"match_all": {}})).await;
    assert!(
        total >= acknowledged.len() && total <= sent,
        "{total} events stored; {} acknowledged of {sent} sent",
        acknowledged.len()
    );
}

#[tokio::test]
async fn killed_while_retention_drops_old_days_an_index_is_there_whole_or_gone() {
    let mut random = Random::seeded();
    let old_days = ["logstash-2020.01.01", "logstash-2020.01.02"];
    let mut data_dir = tempfile::tempdir().expect("temp data dir");
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    for round in 0..5 {
        // the old days, whole again (the round before may have dropped them)
        let server = Server::start_in(data_dir, &[]).await;
        for day in old_days {
            let date = day.trim_start_matches("logstash-").replace('.', "-");
            let body: String = (0..500)
                .map(|i| {
                    format!(
                        "{{\"index\":{{\"_index\":\"{day}\",\"_id\":\"old{i}\"}}}}\n{{\"@timestamp\":\"{date}T10:00:00Z\",\"message\":\"old {i}\"}}\n"
                    )
                })
                .collect();
            assert_eq!(server.bulk(&body).await["errors"], json!(false));
        }
        data_dir = server.kill_hard().await;
        // retention runs at start: the kill lands before, during or after it, while new
        // events stream in
        let server = Server::start_in(data_dir, &["--retention-days", "30"]).await;
        let bulk = server.bulk.clone();
        let writing = {
            let acknowledged = Arc::clone(&acknowledged);
            tokio::spawn(async move {
                write_until_refused(&bulk, &format!("retention{round}"), &acknowledged).await
            })
        };
        tokio::time::sleep(Duration::from_millis(random.below(400))).await;
        data_dir = server.kill_hard().await;
        writing.await.expect("writer runs");

        let server = Server::start_in(data_dir, &[]).await;
        all_there(&server, &acknowledged, &format!("after kill {round}")).await;
        for day in old_days {
            let held = count(&server, day, json!({"match_all": {}})).await;
            assert!(
                held == 0 || held == 500,
                "{day} holds {held} of its 500 events"
            );
            let listed = server.es("GET", &format!("/{day}/_mapping"), "").await;
            // a day still holding events is still an index: retention can drop it next time
            if held == 500 {
                assert!(
                    listed.get(day).is_some(),
                    "{day} lost its mapping: {listed}"
                );
            }
        }
        data_dir = server.kill_hard().await;
    }
    // and a retention that finishes drops what is left
    let server = Server::start_in(data_dir, &["--retention-days", "30"]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    for day in old_days {
        while count(&server, day, json!({"match_all": {}})).await > 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{day} never dropped"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    all_there(&server, &acknowledged, "after retention").await;
}

/// The segments the last commit lists, and those with files on disk (tantivy's file
/// names are a segment's id without its dashes).
fn segments(index_dir: &std::path::Path) -> (HashSet<String>, HashSet<String>) {
    let meta: serde_json::Value = std::fs::read_to_string(index_dir.join("meta.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let listed = meta["segments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|segment| segment["segment_id"].as_str())
        .map(|id| id.replace('-', ""))
        .collect();
    let on_disk = std::fs::read_dir(index_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let (segment, _) = name.split_once('.')?;
            (segment.len() == 32 && segment.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| segment.to_string())
        })
        .collect();
    (listed, on_disk)
}

#[tokio::test]
async fn killed_while_segments_merge_it_loses_no_acknowledged_event() {
    let mut data_dir = tempfile::tempdir().expect("temp data dir");
    let index_dir = data_dir.path().join("index");
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut caught = 0;
    for round in 0..8 {
        let server = Server::start_in(data_dir, &[]).await;
        all_there(&server, &acknowledged, &format!("after kill {round}")).await;
        // a segment a request: enough of them that the merge policy merges some; every
        // segment a commit listed is known (files of known segments no longer listed are
        // a finished merge's leftovers, not a merge)
        let mut known = HashSet::new();
        for batch in 0..12 {
            let ids: Vec<String> = (0..400).map(|i| format!("m{round}b{batch}i{i}")).collect();
            let (status, answer) = try_bulk(&server.bulk, &bulk_of("crash-test", &ids))
                .await
                .expect("an answer");
            assert_eq!(
                (status, &answer["errors"]),
                (200, &json!(false)),
                "{answer}"
            );
            if let Ok(mut acknowledged) = acknowledged.lock() {
                acknowledged.extend(ids);
            }
            known.extend(segments(&index_dir).0);
        }
        // killed the moment a new segment no commit lists is being written: a merge's
        // (no request is in flight); or after 3 s without one
        let merge_under_way = |known: &HashSet<String>| {
            let (listed, on_disk) = segments(&index_dir);
            on_disk
                .iter()
                .any(|segment| !listed.contains(segment) && !known.contains(segment))
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        let mut seen = false;
        while !seen && std::time::Instant::now() < deadline {
            seen = merge_under_way(&known);
            if !seen {
                known.extend(segments(&index_dir).0);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        caught += u32::from(seen);
        data_dir = server.kill_hard().await;
    }
    eprintln!("{caught} of 8 kills landed during a merge");
    assert!(caught >= 2, "too few kills landed during a merge: {caught}");
    let server = Server::start_in(data_dir, &[]).await;
    all_there(&server, &acknowledged, "after the last kill").await;
    let total = count(&server, "crash-test", json!({"match_all": {}})).await;
    assert_eq!(total, ids(&acknowledged).len(), "each event once");
}

/// Sends `_bulk` requests of new events (ids `<tag>b<batch>i<n>`) into `crash-test` until
/// the server stops answering; every id of a request acknowledged whole goes to
/// `acknowledged`. Returns how many events were sent.
async fn write_until_refused(bulk: &str, tag: &str, acknowledged: &Mutex<Vec<String>>) -> usize {
    let mut sent = 0;
    for batch in 0.. {
        let ids: Vec<String> = (0..BATCH).map(|i| format!("{tag}b{batch}i{i}")).collect();
        sent += ids.len();
        let Some((status, answer)) = try_bulk(bulk, &bulk_of("crash-test", &ids)).await else {
            break;
        };
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["errors"], json!(false), "{answer}");
        if let Ok(mut acknowledged) = acknowledged.lock() {
            acknowledged.extend(ids);
        }
    }
    sent
}

/// Asserts that every event acknowledged so far is in `crash-test`.
async fn all_there(server: &Server, acknowledged: &Mutex<Vec<String>>, when: &str) {
    assert_all_there(server, "crash-test", &ids(acknowledged), when).await;
}

fn ids(acknowledged: &Mutex<Vec<String>>) -> Vec<String> {
    acknowledged
        .lock()
        .map(|ids| ids.clone())
        .unwrap_or_default()
}
