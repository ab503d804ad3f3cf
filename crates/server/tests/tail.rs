//! The push tail over real HTTP on loopback: `/api/tail` streams the events of a view as
//! the store takes them, resumes from `Last-Event-ID` without gaps or repeats, refuses
//! what it cannot follow with a reason, and ends its streams when the server stops. In
//! proxy mode one poll of the cluster an interval feeds every watcher of a view.

mod common;

use std::time::Duration;

use logdash_server::Backend;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One Server-Sent Events connection, read event by event.
struct Sse {
    stream: TcpStream,
    /// What arrived and is not read yet: the chunked body's framing, then (`text`) its bytes.
    raw: Vec<u8>,
    text: String,
    status: u16,
    /// The head, or an answer that is no stream.
    buffer: String,
}

/// One event: its type, id and data.
#[derive(Debug)]
struct Event {
    kind: String,
    id: Option<String>,
    data: String,
}

impl Sse {
    async fn open(server: &common::TestServer, query: &str, last_id: Option<&str>) -> Sse {
        let mut stream = TcpStream::connect(server.address).await.expect("connect");
        let resume = last_id.map_or(String::new(), |id| format!("Last-Event-ID: {id}\r\n"));
        let head = format!(
            "GET /api/tail?{query} HTTP/1.1\r\nHost: logdash\r\nAccept: text/event-stream\r\nConnection: close\r\n{resume}\r\n"
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        let mut sse = Sse {
            stream,
            raw: Vec::new(),
            text: String::new(),
            status: 0,
            buffer: String::new(),
        };
        let end = loop {
            if let Some(end) = sse.raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            assert!(sse.read().await, "the answer's head arrives");
        };
        let head = String::from_utf8_lossy(&sse.raw[..end]).to_string();
        sse.raw.drain(..end + 4);
        sse.status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if sse.status == 200 {
            assert!(
                head.to_ascii_lowercase()
                    .contains("content-type: text/event-stream"),
                "{head}"
            );
        } else {
            // a refusal: its whole body
            while sse.read().await {}
            sse.buffer = String::from_utf8_lossy(&sse.raw).to_string();
        }
        sse
    }

    /// Reads more; false at the end of the stream.
    async fn read(&mut self) -> bool {
        let mut chunk = [0u8; 16_384];
        match tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => false,
            Ok(Ok(read)) => {
                self.raw.extend_from_slice(&chunk[..read]);
                true
            }
            Err(_) => panic!("nothing arrived for 10 s; so far: {}", self.text),
        }
    }

    /// Moves every whole chunk of `raw` into `text`; false once the last chunk came.
    fn dechunk(&mut self) -> bool {
        while let Some(line_end) = self.raw.windows(2).position(|w| w == b"\r\n") {
            let size =
                usize::from_str_radix(String::from_utf8_lossy(&self.raw[..line_end]).trim(), 16)
                    .expect("a chunk size");
            if size == 0 {
                return false;
            }
            let start = line_end + 2;
            if self.raw.len() < start + size + 2 {
                break;
            }
            self.text
                .push_str(&String::from_utf8_lossy(&self.raw[start..start + size]));
            self.raw.drain(..start + size + 2);
        }
        true
    }

    /// The next event (keep-alive comments skipped); `None` when the stream ends.
    async fn next(&mut self) -> Option<Event> {
        loop {
            let open = self.dechunk();
            while let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut event = Event {
                    kind: String::new(),
                    id: None,
                    data: String::new(),
                };
                for line in block.lines() {
                    if let Some(kind) = line.strip_prefix("event:") {
                        event.kind = kind.trim().to_string();
                    } else if let Some(id) = line.strip_prefix("id:") {
                        event.id = Some(id.trim().to_string());
                    } else if let Some(data) = line.strip_prefix("data:") {
                        event.data.push_str(data.trim_start());
                    }
                }
                if !event.kind.is_empty() || !event.data.is_empty() {
                    return Some(event);
                }
            }
            if !open || !self.read().await {
                return None;
            }
        }
    }

    /// The next `hit`, its `_source.message`.
    async fn next_hit(&mut self) -> (String, String) {
        loop {
            let event = self.next().await.expect("the stream goes on");
            if event.kind == "hit" {
                let hit: Value = serde_json::from_str(&event.data).expect("a hit is JSON");
                let message = hit["_source"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                return (event.id.expect("hits have ids"), message);
            }
        }
    }
}

/// Stores `events` (level, message), stamped now, in `index` through the store's `_bulk`.
fn store_events(server: &common::TestServer, index: &str, events: &[(&str, &str)]) {
    let Backend::Embedded(store) = &server.state.backend else {
        panic!("an embedded server");
    };
    let mut body = String::new();
    for (level, message) in events {
        body.push_str(&json!({"index": {"_index": index}}).to_string());
        body.push('\n');
        body.push_str(
            &json!({"@timestamp": logdash_core::time::format_iso8601(logdash_store::now_millis()), "level": level, "message": message})
                .to_string(),
        );
        body.push('\n');
    }
    let answer = store.bulk(None, body.as_bytes()).expect("bulk");
    assert_eq!(answer["errors"], json!(false), "{answer}");
}

#[tokio::test]
async fn matching_events_are_pushed_as_they_arrive_and_nothing_else() {
    let server = common::start(&[]).await;
    let mut errors = Sse::open(&server, "index=logs-*&q=level:ERROR", None).await;
    assert_eq!(errors.status, 200);
    let ready = errors.next().await.expect("ready");
    assert_eq!(
        (ready.kind.as_str(), ready.data.as_str()),
        ("ready", r#"{"mode":"push"}"#)
    );
    let mut everything = Sse::open(&server, "index=logs-*", None).await;
    assert_eq!(
        everything.next().await.map(|e| e.kind),
        Some("ready".to_string())
    );

    store_events(
        &server,
        "logs-app",
        &[
            ("ERROR", "disk full"),
            ("INFO", "GET / 200"),
            ("ERROR", "timeout"),
        ],
    );
    store_events(&server, "audit", &[("ERROR", "not in logs-*")]);
    assert_eq!(errors.next_hit().await.1, "disk full");
    assert_eq!(errors.next_hit().await.1, "timeout");
    let all: Vec<String> = [
        everything.next_hit().await.1,
        everything.next_hit().await.1,
        everything.next_hit().await.1,
    ]
    .into();
    assert_eq!(all, ["disk full", "GET / 200", "timeout"]);
    // one view of several watchers is matched once: two views here
    assert_eq!(server.state.tail.counts(), (2, 2));
}

/// The TCP input's daily indices are mapped by Logstash's template, which declares
/// `@version` a keyword, `geoip.ip` an address and `message` text without `.keyword`:
/// views over them are still pushed, each field read as the template declares it.
#[tokio::test]
async fn views_of_daily_indices_mapped_by_logstash_s_template_are_pushed_as_declared() {
    let server = common::start(&[]).await;
    let Backend::Embedded(store) = &server.state.backend else {
        panic!("an embedded server");
    };
    let views = [
        "index=logstash-*&q=refused",
        "index=logstash-*&q=geoip.ip:%2210.0.0.0%2F8%22",
        "index=logstash-*&q=%40version:1%20AND%20NOT%20message.keyword:*",
        "index=logstash-*&q=%2210.1.2.3%22",
    ];
    let mut watchers = Vec::new();
    for view in views {
        let mut watcher = Sse::open(&server, view, None).await;
        assert_eq!(watcher.status, 200, "{view}: {}", watcher.buffer);
        let ready = watcher.next().await.expect("ready");
        assert_eq!(ready.data, r#"{"mode":"push"}"#, "{view}");
        watchers.push(watcher);
    }
    let event = |message: &str, ip: &str| {
        json!({"message": message, "@version": "1", "geoip": {"ip": ip}})
            .as_object()
            .cloned()
            .expect("object")
    };
    store
        .ingest(vec![
            event("connection refused", "10.1.2.3"),
            event("fine", "192.168.0.1"),
        ])
        .expect("ingest");
    let [words, address, version, unfielded] = &mut watchers[..] else {
        panic!("four watchers");
    };
    assert_eq!(words.next_hit().await.1, "connection refused");
    assert_eq!(address.next_hit().await.1, "connection refused");
    assert_eq!(version.next_hit().await.1, "connection refused");
    assert_eq!(version.next_hit().await.1, "fine");
    assert_eq!(unfielded.next_hit().await.1, "connection refused");
    // the store's search agrees
    store.flush().expect("flush");
    let found = store
        .search(
            "logstash-*",
            &json!({"query": {"query_string": {"query": "geoip.ip:\"10.0.0.0/8\""}}}),
        )
        .expect("search");
    assert_eq!(found["hits"]["total"]["value"], 1, "{found}");
}

#[tokio::test]
async fn a_dropped_stream_resumes_from_its_last_event_without_gaps_or_repeats() {
    let server = common::start(&[]).await;
    let mut first = Sse::open(&server, "index=logs-*&q=level:ERROR", None).await;
    store_events(&server, "logs-app", &[("ERROR", "one"), ("ERROR", "two")]);
    let (_, one) = first.next_hit().await;
    let (seen, two) = first.next_hit().await;
    assert_eq!((one.as_str(), two.as_str()), ("one", "two"));
    drop(first);
    // while it is away, more arrive
    tokio::time::sleep(Duration::from_millis(100)).await;
    store_events(
        &server,
        "logs-app",
        &[("ERROR", "three"), ("INFO", "skip me"), ("ERROR", "four")],
    );
    let mut again = Sse::open(&server, "index=logs-*&q=level:ERROR", Some(&seen)).await;
    assert_eq!(
        again.next().await.map(|e| e.kind),
        Some("ready".to_string())
    );
    assert_eq!(again.next_hit().await.1, "three");
    assert_eq!(again.next_hit().await.1, "four");
    store_events(&server, "logs-app", &[("ERROR", "five")]);
    assert_eq!(again.next_hit().await.1, "five");
}

#[tokio::test]
async fn what_cannot_be_followed_is_refused_with_a_reason() {
    let server = common::start(&["--allowed-indices", "logs-*", "--max-tail-views", "2"]).await;
    let regex = Sse::open(&server, "index=logs-*&q=%2Fdisk.*%2F", None).await;
    assert_eq!(regex.status, 400);
    assert!(
        regex.buffer.contains("followed by polling"),
        "{}",
        regex.buffer
    );
    let secret = Sse::open(&server, "index=secrets-*", None).await;
    assert_eq!(secret.status, 403);
    let _a = Sse::open(&server, "index=logs-*&q=a", None).await;
    let _b = Sse::open(&server, "index=logs-*&q=b", None).await;
    let third = Sse::open(&server, "index=logs-*&q=c", None).await;
    assert_eq!(third.status, 503);
    assert!(
        third.buffer.contains("--max-tail-views"),
        "{}",
        third.buffer
    );
    // a watcher of a view already streamed is one more watcher, not one more view
    let same = Sse::open(&server, "index=logs-*&q=a", None).await;
    assert_eq!(same.status, 200);
}

#[tokio::test]
async fn stopping_ends_every_stream() {
    let server = common::start(&[]).await;
    let mut watcher = Sse::open(&server, "index=logs-*", None).await;
    assert_eq!(
        watcher.next().await.map(|e| e.kind),
        Some("ready".to_string())
    );
    server.state.tail.close();
    assert!(watcher.next().await.is_none(), "the stream ends");
    let late = Sse::open(&server, "index=logs-*", None).await;
    assert_eq!(late.status, 503);
}

#[tokio::test]
async fn in_proxy_mode_one_poll_of_the_cluster_an_interval_feeds_every_watcher() {
    let cluster = common::upstream::Upstream::start().await;
    let proxy = common::start_proxy(&cluster.url, &[]).await;
    let mut watchers = Vec::new();
    for _ in 0..20 {
        let mut watcher = Sse::open(&proxy, "index=logs-*&q=level:ERROR", None).await;
        assert_eq!(watcher.status, 200, "{}", watcher.buffer);
        let ready = watcher.next().await.expect("ready");
        assert_eq!(ready.data, r#"{"mode":"poll","every_ms":1000}"#);
        watchers.push(watcher);
    }
    assert_eq!(proxy.state.tail.counts(), (20, 1));
    let started = std::time::Instant::now();
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    let searches: Vec<String> = cluster
        .requests()
        .into_iter()
        .filter(|r| r.target.contains("_search"))
        .map(|r| r.target)
        .collect();
    // a poll a second for the view, not one per watcher (the stand-in finds nothing, so
    // a poll is its one search for new lines)
    let seconds = started.elapsed().as_secs_f64().ceil() as usize + 1;
    assert!(
        (2..=seconds).contains(&searches.len()),
        "{} searches in {seconds} s for 20 watchers: {searches:?}",
        searches.len()
    );
    assert!(
        searches.iter().all(|t| t == "/logs-*/_search"),
        "{searches:?}"
    );
}

#[tokio::test]
async fn in_proxy_mode_watchers_get_the_cluster_s_new_events_once() {
    let cluster = common::start(&[]).await;
    let proxy = common::start_proxy(&format!("http://{}/es", cluster.address), &[]).await;
    let mut first = Sse::open(&proxy, "index=logs-*&q=level:ERROR", None).await;
    let mut second = Sse::open(&proxy, "index=logs-*&q=level:ERROR", None).await;
    for watcher in [&mut first, &mut second] {
        assert_eq!(watcher.next().await.map(|e| e.kind), Some("ready".into()));
    }
    store_events(
        &cluster,
        "logs-app",
        &[("ERROR", "disk full"), ("INFO", "fine")],
    );
    store_events(&cluster, "logs-app", &[("ERROR", "timeout")]);
    for watcher in [&mut first, &mut second] {
        let mut seen = vec![watcher.next_hit().await.1, watcher.next_hit().await.1];
        seen.sort();
        assert_eq!(seen, ["disk full", "timeout"]);
    }
    // later polls hand on nothing again
    store_events(&cluster, "logs-app", &[("ERROR", "third")]);
    assert_eq!(first.next_hit().await.1, "third");
}

/// A poll that leaves shards out is never passed on as whole: watchers are told which
/// shards and why (`shards`), and one who comes later is told at once.
#[tokio::test]
async fn in_proxy_mode_watchers_are_told_what_the_cluster_s_shards_left_out() {
    let cluster = common::upstream::Upstream::start().await;
    let proxy = common::start_proxy(&cluster.url, &[]).await;
    let mut first = Sse::open(&proxy, "index=partial-*", None).await;
    assert_eq!(first.next().await.map(|e| e.kind), Some("ready".into()));
    let told = first.next().await.expect("told");
    assert_eq!(told.kind, "shards", "{}", told.data);
    let answer: Value = serde_json::from_str(&told.data).expect("JSON");
    let gaps = logdash_core::es::ShardGaps::of(&answer).expect("gaps");
    assert_eq!((gaps.failed, gaps.total), (1, 2));
    assert!(gaps
        .summary()
        .contains("partial-a [shard 1]: node_disconnected_exception"));

    let mut later = Sse::open(&proxy, "index=partial-*", None).await;
    assert_eq!(later.next().await.map(|e| e.kind), Some("ready".into()));
    let told = later.next().await.expect("told at once");
    assert_eq!(told.kind, "shards");
    assert!(told.id.is_none(), "not a resume point");
}

/// A server whose embedded store has `index`, made with `mapping`.
async fn with_index(index: &str, mapping: Value) -> common::TestServer {
    let server = common::start(&[]).await;
    let Backend::Embedded(store) = &server.state.backend else {
        panic!("an embedded store");
    };
    store.create_index(index, &mapping).expect("created");
    server
}

/// A field an index declares `ip` is matched by address and CIDR block as it arrives.
#[tokio::test]
async fn a_view_naming_a_declared_ip_field_is_pushed_and_matched_by_block() {
    let server = with_index(
        "logs-net",
        json!({"mappings": {"properties": {"client": {"properties": {"ip": {"type": "ip"}}}}}}),
    )
    .await;
    let mut cidr = Sse::open(&server, "index=logs-*&q=client.ip:%2210.0.0.0%2F8%22", None).await;
    assert_eq!(cidr.status, 200, "{}", cidr.buffer);
    assert_eq!(cidr.next().await.expect("ready").data, r#"{"mode":"push"}"#);
    let Backend::Embedded(store) = &server.state.backend else {
        panic!("an embedded store");
    };
    let mut body = String::new();
    for (ip, message) in [("192.168.1.1", "outside"), ("10.9.8.7", "inside")] {
        body.push_str("{\"index\":{\"_index\":\"logs-net\"}}\n");
        body.push_str(&json!({"client": {"ip": ip}, "message": message}).to_string());
        body.push('\n');
    }
    let answer = store.bulk(None, body.as_bytes()).expect("bulk");
    assert_eq!(answer["errors"], json!(false), "{answer}");
    assert_eq!(cidr.next_hit().await.1, "inside");
}

/// A key inside a flattened field and a field queries cannot search (`index: false`) are
/// read only by a search: a view that names one is polled. A field inside an object
/// that is not parsed (`enabled: false`) matches nothing, as it arrives.
#[tokio::test]
async fn a_view_naming_a_key_of_a_flattened_field_or_what_is_not_searched_is_polled() {
    let server = with_index(
        "logs-app",
        json!({"mappings": {"properties": {
            "labels": {"type": "flattened"},
            "session": {"type": "object", "enabled": false},
            "body": {"type": "text", "index": false}
        }}}),
    )
    .await;
    for (query, named) in [
        ("labels.env:prod", "[labels.env]"),
        ("body:hello", "[body]"),
    ] {
        let refused = Sse::open(&server, &format!("index=logs-*&q={query}"), None).await;
        assert_eq!(refused.status, 400, "{query}");
        assert!(
            refused.buffer.contains(named),
            "{query}: {}",
            refused.buffer
        );
    }
    let disabled = Sse::open(&server, "index=logs-*&q=session.id:abc", None).await;
    assert_eq!(disabled.status, 200, "{}", disabled.buffer);
    let other = Sse::open(&server, "index=logs-*&q=labelsx:1", None).await;
    assert_eq!(
        other.status, 200,
        "a name that only starts like one is not inside it"
    );
}
