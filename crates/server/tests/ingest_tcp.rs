//! The TCP input on a real loopback socket: many events per connection and many
//! connections; bad input gets kept or refused as Logstash would, and loses nothing else.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use common::ingest::tcp_input;
use logdash_server::ingest::IngestStats;
use logdash_store::Store;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

async fn send(address: std::net::SocketAddr, bytes: &[u8]) {
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream.write_all(bytes).await.expect("write");
    stream.shutdown().await.expect("shutdown");
}

/// Waits until the input has handed over `expected` events, then makes them searchable.
async fn settle(store: &Arc<Store>, stats: &IngestStats, expected: u64) {
    for _ in 0..200 {
        if stats.events.load(Ordering::Relaxed) >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || store.flush())
        .await
        .expect("join")
        .expect("flush");
}

fn messages(store: &Store) -> Vec<Value> {
    let answer = store
        .search(
            "logstash-*",
            // (as in Elasticsearch, a field some tests' events lack needs its type)
            &json!({"size": 100, "sort": ["@timestamp", {"seq": {"unmapped_type": "long"}}]}),
        )
        .expect("search");
    answer["hits"]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["_source"].clone())
        .collect()
}

#[tokio::test]
async fn bad_input_is_kept_or_refused_and_loses_nothing_else() {
    let (_dir, store, stats, address) = tcp_input(1 << 20, 64).await;
    let mut payload = Vec::new();
    payload.extend_from_slice(
        b"{\"@timestamp\":\"2025-11-25T10:00:00Z\",\"seq\":1,\"message\":\"first\"}\n",
    );
    payload.extend_from_slice(
        b"{\"@timestamp\":\"2025-11-25T10:00:01Z\",\"seq\":2,\"message\":\"trunc\n",
    );
    payload.extend_from_slice(b"\x00\x01\xff\xfe garbage \x80\n");
    payload.extend_from_slice(&vec![b'x'; 10 << 20]);
    payload.extend_from_slice(b"\n[1,2,3]\n42\n");
    payload.extend_from_slice(
        b"{\"@timestamp\":\"2025-11-25T10:00:02Z\",\"seq\":3,\"message\":\"caf\xc3\xa9 \xff\"}\n",
    );
    payload.extend_from_slice(
        b"{\"@timestamp\":\"2025-11-25T10:00:03Z\",\"seq\":4,\"message\":\"after all that\"}\n",
    );
    payload.extend_from_slice(
        b"{\"@timestamp\":\"2025-11-25T10:00:04Z\",\"seq\":5,\"message\":\"cut off mid-li",
    );
    send(address, &payload).await;
    // 8 stored: first, trunc, garbage, [1,2,3], 42, café, after all that, and the line cut
    // off at disconnect (waiting for 7 flushed before that last one under load)
    settle(&store, &stats, 8).await;
    assert_eq!(
        stats.oversized_lines.load(Ordering::Relaxed),
        1,
        "the 10 MB line"
    );
    let events = messages(&store);
    let texts: Vec<&str> = events
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(
        texts.contains(&"first") && texts.contains(&"after all that"),
        "{texts:?}"
    );
    // invalid UTF-8 inside JSON is replaced, the event kept
    assert!(texts.contains(&"café \u{fffd}"), "{texts:?}");
    let failures: Vec<&Value> = events
        .iter()
        .filter(|e| e["tags"] == json!(["_jsonparsefailure"]))
        .collect();
    // truncated JSON, garbage, an array of numbers, a bare number, and the line cut off at disconnect
    assert_eq!(failures.len(), 5, "{failures:#?}");
    assert!(failures.iter().any(|e| e["message"] == "42"));
    assert!(failures.iter().any(|e| e["message"]
        .as_str()
        .is_some_and(|m| m.ends_with("cut off mid-li"))));
    assert_eq!(stats.parse_failures.load(Ordering::Relaxed), 5);
}

#[tokio::test]
async fn many_connections_at_once_all_arrive() {
    let (_dir, store, stats, address) = tcp_input(1 << 20, 64).await;
    let mut tasks = Vec::new();
    for connection in 0..20 {
        tasks.push(tokio::spawn(async move {
            let mut payload = String::new();
            for i in 0..250 {
                payload.push_str(&format!(
                    "{{\"@timestamp\":\"2025-11-25T10:00:00Z\",\"conn\":{connection},\"i\":{i}}}\n"
                ));
            }
            send(address, payload.as_bytes()).await;
        }));
    }
    for task in tasks {
        task.await.expect("sender");
    }
    settle(&store, &stats, 5_000).await;
    let count = store.count("logstash-*", &json!({})).expect("count");
    assert_eq!(count["count"], json!(5_000));
    let last = store
        .count(
            "logstash-*",
            &json!({"query": {"bool": {"filter": [{"term": {"conn": 19}}, {"term": {"i": 249}}]}}}),
        )
        .expect("count");
    assert_eq!(last["count"], json!(1));
}

/// Past `max_connections` a shipper's connection waits for a slot: its events arrive once
/// another connection ends, none lost.
#[tokio::test]
async fn past_the_connection_bound_a_shipper_waits_for_a_slot() {
    let (_dir, store, stats, address) = tcp_input(1 << 20, 2).await;
    let held = [
        TcpStream::connect(address).await.expect("connect"),
        TcpStream::connect(address).await.expect("connect"),
    ];
    send(
        address,
        b"{\"@timestamp\":\"2025-11-25T10:00:00Z\",\"seq\":1,\"message\":\"queued\"}\n",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        stats.events.load(Ordering::Relaxed),
        0,
        "a third connection was read while two held every slot"
    );
    drop(held);
    settle(&store, &stats, 1).await;
    assert_eq!(messages(&store)[0]["message"], "queued");
}

/// What Logstash 8's `tcp` input (`json_lines`) adds to an event, and only that:
/// `@version`, and `@timestamp` when it has none. The sender's name, ip and port go to
/// `[@metadata][input][tcp][source]` under Logstash 8's default `ecs_compatibility`
/// (`v8`), which no output stores; so logdash adds no `host` or `port`, and an event's own
/// `host` (python-logstash-async sends one) stays as sent.
#[tokio::test]
async fn an_event_gets_what_logstash_8s_tcp_input_adds_and_nothing_else() {
    let (_dir, store, stats, address) = tcp_input(1 << 20, 64).await;
    let sent = [
        json!({"@timestamp": "2025-11-25T10:00:00Z", "seq": 1, "message": "classic", "host": "web-1", "port": 51234}),
        // another day's index: `host` is text in this one's mapping
        json!({"@timestamp": "2025-11-26T10:00:01Z", "seq": 2, "message": "ecs", "host": {"hostname": "web-2"}}),
        json!({"seq": 3, "message": "no time of its own"}),
    ];
    let payload: String = sent.iter().map(|event| format!("{event}\n")).collect();
    send(address, payload.as_bytes()).await;
    settle(&store, &stats, 3).await;
    let answer = store
        .search("logstash-*", &json!({"size": 10, "sort": ["seq"]}))
        .expect("search");
    let stored: Vec<Value> = answer["hits"]["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| hit["_source"].clone())
        .collect();
    assert_eq!(stored.len(), 3, "{stored:?}");
    for (kept, sent) in stored.iter().zip(&sent) {
        let mut expected = sent.as_object().cloned().expect("object");
        expected.insert("@version".into(), json!("1"));
        if !expected.contains_key("@timestamp") {
            let time = kept["@timestamp"].as_str().expect("an arrival time");
            assert!(time.ends_with('Z') && time.len() == 24, "{time}");
            expected.insert("@timestamp".into(), json!(time));
        }
        assert_eq!(kept, &Value::Object(expected));
    }
}

/// python-logstash-async's two layouts name the host differently (`host: "web-1"`, then
/// `host: {"hostname": ...}`): in one daily index the later one does not fit the mapping
/// the first made (Logstash's template maps strings as text), and is refused as
/// Elasticsearch refuses it, in a later batch and in the same one; `/healthz` counts it.
#[tokio::test]
async fn an_event_that_does_not_fit_its_daily_index_is_refused_and_counted() {
    let (_dir, store, stats, address) = tcp_input(1 << 20, 64).await;
    // as the server puts it at start
    store
        .put_template(
            logdash_store::templates::Kind::Composable,
            "logstash",
            &logdash_store::templates::logstash("logstash"),
        )
        .expect("template");
    let plain = json!({"@timestamp": "2025-11-25T10:00:00Z", "message": "plain", "host": "web-1"});
    let ecs = json!({"@timestamp": "2025-11-25T10:00:01Z", "message": "ecs", "host": {"hostname": "web-2"}});
    send(address, format!("{plain}\n{ecs}\n").as_bytes()).await;
    settle(&store, &stats, 1).await;
    send(address, format!("{ecs}\n{plain}\n").as_bytes()).await;
    for _ in 0..200 {
        if stats.rejected.load(Ordering::Relaxed) + stats.events.load(Ordering::Relaxed) >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    settle(&store, &stats, 2).await;
    assert_eq!(stats.snapshot()["rejected"], json!(2));
    assert_eq!(stats.snapshot()["events"], json!(2));
    let kept: Vec<Value> = messages(&store)
        .iter()
        .map(|e| e["message"].clone())
        .collect();
    assert_eq!(kept, [json!("plain"), json!("plain")]);
}
