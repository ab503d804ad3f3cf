//! Bad ingest (issue #21, item 3): over a hundred malformed inputs on the TCP input and
//! `_bulk`, each between well-formed neighbours. The server never dies, every neighbour is
//! stored, and each bad input is kept tagged `_jsonparsefailure`, refused per item with
//! Elasticsearch's reason, or refused whole with a reason, and counted.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use logdash_server::ingest::{tcp, IngestStats, Sink};
use logdash_store::Store;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What becomes of a malformed TCP line.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    /// Kept as `message`, tagged `_jsonparsefailure` (Logstash's json_lines codec).
    Tagged,
    /// Valid JSON objects, odd but storable: kept as they are (Logstash would too).
    Kept(usize),
    /// Longer than `--max-line-bytes`: refused and counted.
    Oversized,
}

fn deep(depth: usize, open: &str, close: &str, inner: &str) -> Vec<u8> {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth)).into_bytes()
}

/// The malformed lines (without their newline), and what each must become.
fn bad_lines() -> Vec<(Vec<u8>, Fate)> {
    use Fate::*;
    let text = |s: &str, fate: Fate| (s.as_bytes().to_vec(), fate);
    let mut lines = vec![
        // truncated JSON
        text("{", Tagged),
        text("{\"a\":", Tagged),
        text("{\"a\":1", Tagged),
        text("{\"a\":\"x", Tagged),
        text("{\"a\":[1,2", Tagged),
        text("{\"a\":{\"b\":1}", Tagged),
        text("\"unterminated", Tagged),
        text("[", Tagged),
        text("{\"a\":1,}", Tagged),
        text("{,}", Tagged),
        text("{\"a\" 1}", Tagged),
        text("{\"a\":tru}", Tagged),
        // not JSON at all
        text("hello world", Tagged),
        text("<script>alert(1)</script>", Tagged),
        text("level=error msg=\"logfmt, not json\"", Tagged),
        text("NaN", Tagged),
        text("Infinity", Tagged),
        text("-", Tagged),
        text("+1", Tagged),
        text("0x10", Tagged),
        text("'single quoted'", Tagged),
        text("{a:1}", Tagged),
        text("{\"a\":01}", Tagged),
        text("{\"a\":1.}", Tagged),
        text("{\"a\":\"\\x41\"}", Tagged),
        text("{\"a\":\"\\ud800\"}", Tagged),
        text("}{", Tagged),
        text("{\"a\":1}{\"b\":2}", Tagged),
        text("\u{1b}[31mANSI red\u{1b}[0m", Tagged),
        // JSON, but not an object (nor an array of objects)
        text("[]", Tagged),
        text("[1,2,3]", Tagged),
        text("[{\"a\":1},2]", Tagged),
        text("42", Tagged),
        text("-0.5e-3", Tagged),
        text("\"a string\"", Tagged),
        text("true", Tagged),
        text("null", Tagged),
        text("1e400", Tagged),
        // numbers out of range inside objects
        text("{\"n\":1e400}", Tagged),
        text("{\"n\":-1e400}", Tagged),
        // invalid UTF-8, NUL bytes, byte order marks
        (b"\xff\xfe\xfd".to_vec(), Tagged),
        (b"\x00".to_vec(), Tagged),
        (b"\x00\x00\x00\x00".to_vec(), Tagged),
        (b"{\"m\":\"a\x00b\"}".to_vec(), Tagged),
        (b"\xef\xbb\xbf{\"m\":\"after a BOM\"}".to_vec(), Tagged),
        (b"\xc0\xaf".to_vec(), Tagged),
        // deep nesting, past serde_json's limit
        (deep(10_000, "[", "]", ""), Tagged),
        (deep(5_000, "{\"a\":", "}", "1"), Tagged),
        // an array of objects: one event each (Logstash's json codec)
        text("[{\"m\":\"one of two\"},{\"m\":\"two of two\"}]", Kept(2)),
        // odd but valid objects
        text("{}", Kept(1)),
        text("{\"a\":1,\"a\":2}", Kept(1)),
        text("{\"\":\"empty name\"}", Kept(1)),
        text("{\".\":\"a dot\"}", Kept(1)),
        text("{\"a..b\":1,\".a\":2,\"a.\":3}", Kept(1)),
        text("{\"a\":{\"\":{\"\":1}}}", Kept(1)),
        text("{\"@timestamp\":\"not a date\"}", Kept(1)),
        text("{\"@timestamp\":12345}", Kept(1)),
        text("{\"@timestamp\":null}", Kept(1)),
        text("{\"@timestamp\":[1,2]}", Kept(1)),
        text("{\"@timestamp\":\"99999-01-01T00:00:00Z\"}", Kept(1)),
        text("{\"@timestamp\":-9223372036854775808}", Kept(1)),
        text(
            "{\"_id\":\"mine\",\"_index\":\"elsewhere\",\"_source\":{}}",
            Kept(1),
        ),
        text("{\"tags\":\"not a list\"}", Kept(1)),
        text("{\"n\":123456789012345678901234567890}", Kept(1)),
        text("{\"n\":-0,\"m\":1e-400}", Kept(1)),
        text("{\"m\":\"\\u0000 escaped NUL\"}", Kept(1)),
        text("{\"m\":\"\\u202e bidi override\"}", Kept(1)),
        (deep(100, "{\"a\":", "}", "1"), Kept(1)),
        (deep(100, "[", "]", "1"), Tagged),
        (
            format!("{{\"{}\":1}}", "k".repeat(40_000)).into_bytes(),
            Kept(1),
        ),
        (
            format!(
                "{{{}}}",
                (0..5_000)
                    .map(|i| format!("\"f{i}\":{i}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )
            .into_bytes(),
            Kept(1),
        ),
        (
            format!("{{\"m\":\"{}\"}}", "y".repeat(900_000)).into_bytes(),
            Kept(1),
        ),
        // past --max-line-bytes (1 MiB)
        (vec![b'x'; 2 << 20], Oversized),
        (
            format!("{{\"m\":\"{}\"}}", "z".repeat(3 << 20)).into_bytes(),
            Oversized,
        ),
    ];
    // a mapping conflict: a field that was a number, then text, then an object
    lines.push(text("{\"conflict\":1}", Kept(1)));
    lines.push(text("{\"conflict\":\"text\"}", Kept(1)));
    lines.push(text("{\"conflict\":{\"inner\":true}}", Kept(1)));
    lines
}

fn good(seq: usize) -> Vec<u8> {
    format!("{{\"@timestamp\":\"2026-12-05T10:00:00Z\",\"seq\":{seq},\"message\":\"good {seq}\"}}")
        .into_bytes()
}

#[tokio::test]
async fn malformed_lines_on_the_tcp_input_lose_no_neighbour() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    let stats = Arc::new(IngestStats::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(tcp::serve(
        listener,
        Sink::Store(Arc::clone(&store)),
        1 << 20,
        64,
        Arc::clone(&stats),
    ));
    let lines = bad_lines();
    assert!(lines.len() >= 70, "{} malformed lines", lines.len());
    let mut payload = good(0);
    payload.push(b'\n');
    for (n, (line, _)) in lines.iter().enumerate() {
        payload.extend_from_slice(line);
        // some with Windows line ends
        payload.extend_from_slice(if n % 7 == 0 { b"\r\n" } else { b"\n" });
        payload.extend_from_slice(&good(n + 1));
        payload.push(b'\n');
    }
    let mut stream = TcpStream::connect(address).await.expect("connect");
    stream.write_all(&payload).await.expect("write");
    stream.shutdown().await.expect("shutdown");
    drop(stream);

    let tagged = lines.iter().filter(|(_, f)| *f == Fate::Tagged).count() as u64;
    let kept: usize = lines
        .iter()
        .map(|(_, f)| if let Fate::Kept(n) = f { *n } else { 0 })
        .sum();
    let oversized = lines.iter().filter(|(_, f)| *f == Fate::Oversized).count() as u64;
    // each neighbour, each tagged line and each kept object is one event
    let expected = (lines.len() + 1) as u64 + tagged + kept as u64;
    for _ in 0..500 {
        if stats.events.load(Ordering::Relaxed) >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let flushing = Arc::clone(&store);
    tokio::task::spawn_blocking(move || flushing.flush())
        .await
        .expect("join")
        .expect("flush");

    assert_eq!(stats.oversized_lines.load(Ordering::Relaxed), oversized);
    assert_eq!(stats.parse_failures.load(Ordering::Relaxed), tagged);
    let count = |query: Value| {
        store
            .count("logstash-*", &json!({ "query": query }))
            .expect("counts")["count"]
            .as_u64()
            .unwrap_or(0)
    };
    // every neighbour, once
    let goods = count(json!({"match_phrase_prefix": {"message": "good"}}));
    assert_eq!(goods, (lines.len() + 1) as u64, "good neighbours stored");
    assert_eq!(
        count(json!({"term": {"tags.keyword": "_jsonparsefailure"}})),
        tagged
    );
    assert_eq!(
        stats.events.load(Ordering::Relaxed),
        expected,
        "every line but the oversized ones became events"
    );
    // and the store still answers searches of every kind over what it took
    let answer = store
        .search(
            "logstash-*",
            &json!({"size": 5, "sort": [{"@timestamp": "desc"}], "aggs": {"seq": {"max": {"field": "seq"}}}}),
        )
        .expect("searches");
    assert_eq!(
        answer["aggregations"]["seq"]["value"],
        json!(lines.len() as f64)
    );
}
