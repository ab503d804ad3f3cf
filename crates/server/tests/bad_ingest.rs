//! Bad ingest (issue #21, item 3): over a hundred malformed inputs on the TCP input and
//! `_bulk`, each between well-formed neighbours. The server never dies, every neighbour is
//! stored, and each bad input is kept tagged `_jsonparsefailure`, refused per item with
//! Elasticsearch's reason, or refused whole with a reason, and counted.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use common::ingest::{bulk_port, post, tcp_input};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// What becomes of a malformed TCP line.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    /// Kept as `message`, tagged `_jsonparsefailure` (Logstash's json_lines codec).
    Tagged,
    /// Valid JSON objects, odd but storable: kept as they are (Logstash would too).
    Kept(usize),
    /// Longer than `--max-line-bytes`: refused and counted.
    Oversized,
    /// A field name Elasticsearch refuses in any document (empty, only dots, an empty
    /// part, a metadata field): refused as Elasticsearch refuses it to Logstash, counted.
    Refused,
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
        text("{\"\":\"empty name\"}", Refused),
        text("{\".\":\"a dot\"}", Refused),
        text("{\"a..b\":1,\".a\":2,\"a.\":3}", Refused),
        text("{\"a\":{\"\":{\"\":1}}}", Refused),
        text("{\"@timestamp\":\"not a date\"}", Kept(1)),
        text("{\"@timestamp\":12345}", Kept(1)),
        text("{\"@timestamp\":null}", Kept(1)),
        text("{\"@timestamp\":[1,2]}", Kept(1)),
        text("{\"@timestamp\":\"99999-01-01T00:00:00Z\"}", Kept(1)),
        text("{\"@timestamp\":-9223372036854775808}", Kept(1)),
        text(
            "{\"_id\":\"mine\",\"_index\":\"elsewhere\",\"_source\":{}}",
            Refused,
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
    let (_dir, store, stats, address) = tcp_input(1 << 20, 64).await;
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
    let refused = lines.iter().filter(|(_, f)| *f == Fate::Refused).count() as u64;
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
    assert_eq!(
        stats.rejected.load(Ordering::Relaxed),
        refused,
        "the field names Elasticsearch refuses"
    );
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

/// POSTs `body` to `/_bulk` with extra header lines; the status and the answer's JSON.
async fn bulk(address: &str, headers: &str, body: &[u8]) -> (u16, Value) {
    post(address, "/_bulk", headers, body).await
}

fn good_item(seq: usize) -> Vec<u8> {
    let mut item = b"{\"index\":{\"_index\":\"logs-good\"}}\n".to_vec();
    item.extend_from_slice(&good(seq));
    item.push(b'\n');
    item
}

/// Items refused one by one (the rest of the request is stored): the lines, and the error
/// type Elasticsearch gives the item.
fn bad_items() -> Vec<(Vec<u8>, &'static str)> {
    let action = |meta: &str| format!("{{\"index\":{meta}}}\n");
    let source = |index: &str, line: &[u8]| {
        let mut item = action(&format!("{{\"_index\":\"{index}\"}}")).into_bytes();
        item.extend_from_slice(line);
        item.push(b'\n');
        item
    };
    let named = |index: &str| source(index, b"{\"m\":1}");
    let invalid = "invalid_index_name_exception";
    let parsing = "document_parsing_exception";
    let items = vec![
        (named("Logs-Upper"), invalid),
        (named("_underscore"), invalid),
        (named("-dash"), invalid),
        (named("+plus"), invalid),
        (named("a*b"), invalid),
        (named("a?b"), invalid),
        (named(".."), invalid),
        (named("."), invalid),
        (named("a b"), invalid),
        (named("a/b"), invalid),
        (named("a\\\\b"), invalid),
        (named("a,b"), invalid),
        (named("a#b"), invalid),
        (named("a:b"), invalid),
        (named("a|b"), invalid),
        (named("a<b"), invalid),
        (named(""), invalid),
        (named(&"l".repeat(256)), invalid),
        (source("logs-bad", b"not json"), parsing),
        (source("logs-bad", b"[1,2]"), parsing),
        (source("logs-bad", b"42"), parsing),
        (source("logs-bad", b"\"text\""), parsing),
        (source("logs-bad", b"null"), parsing),
        (source("logs-bad", b"{\"a\":"), parsing),
        (source("logs-bad", b"{\"a\":1}{\"b\":2}"), parsing),
        (source("logs-bad", b"{\"n\":1e400}"), parsing),
        (
            source("logs-bad", &deep(5_000, "{\"a\":", "}", "1")),
            parsing,
        ),
        (source("logs-bad", b"{\"m\":\"\xff\xfe\"}"), parsing),
        (
            source("logs-bad", b"{\"@timestamp\":\"not a date\"}"),
            parsing,
        ),
        (
            source("logs-bad", b"{\"@timestamp\":-9223372036854775808}"),
            parsing,
        ),
        (source("logs-bad", b"{\"@timestamp\":[1,2]}"), parsing),
        (source("logs-bad", b"{\"@timestamp\":true}"), parsing),
        (
            source("logs-bad", b"{\"@timestamp\":\"2300-01-01T00:00:00Z\"}"),
            parsing,
        ),
        (
            b"{\"update\":{\"_index\":\"logs-good\",\"_id\":\"1\"}}\n{\"script\":{\"source\":\"ctx._source.m++\"}}\n"
                .to_vec(),
            "illegal_argument_exception",
        ),
    ];
    items
}

/// Requests refused whole, with the status Elasticsearch gives and a word of its reason.
fn bad_requests() -> Vec<(&'static str, Vec<u8>, u16, &'static str)> {
    let good_then = |tail: &[u8]| [good_item(0), tail.to_vec()].concat();
    vec![
        ("", b"".to_vec(), 400, "request body is required"),
        (
            "",
            b"\n\n\n".to_vec(),
            400,
            "Validation Failed: 1: no requests added;",
        ),
        (
            "",
            good_then(b"{\"index\":{}}\n{}\n"),
            400,
            "Validation Failed: 1: index is missing;",
        ),
        ("", good_then(b"not json\n{}\n"), 400, "[3:2] "),
        (
            "",
            good_then(b"{\"delete\":{\"_index\":\"logs-good\"}}\n"),
            400,
            "Validation Failed: 1: id is missing;",
        ),
        (
            "",
            good_then(b"{\"index\":{\"_index\":\"logs-good\",\"_id\":[1]}}\n{}\n"),
            400,
            "expected a simple value for field [_id] but found [START_ARRAY]",
        ),
        (
            "",
            good_then(b"[]\n{}\n"),
            400,
            "Malformed action/metadata line [3]",
        ),
        (
            "",
            good_then(b"{\"upsert\":{}}\n{}\n"),
            400,
            "expected field [create], [delete], [index] or [update] but found [upsert]",
        ),
        (
            "",
            good_then(b"{\"index\":{},\"create\":{}}\n{}\n"),
            400,
            "Malformed action/metadata line [3]",
        ),
        (
            "",
            good_then(b"{\"index\":\"logs\"}\n{}\n"),
            400,
            "Malformed action/metadata line [3]",
        ),
        (
            "",
            good_then(b"{\"index\":{\"_index\":\"logs-good\"}}"),
            400,
            "newline",
        ),
        ("Content-Encoding: gzip\r\n", good_item(0), 400, "gzip"),
        (
            "Content-Encoding: gzip\r\n",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00".to_vec(),
            400,
            "gzip",
        ),
        (
            "Content-Encoding: deflate\r\n",
            good_item(0),
            400,
            "deflate",
        ),
        (
            "",
            b"{\"index\":{\"_index\":\"logs-good\"}}\n{\"m\":1}".to_vec(),
            400,
            "terminated by a newline",
        ),
        (
            "",
            good_then(b"{\"index\":{\"_index\":\"logs-good\",\"_id\":{}}}\n{}\n"),
            400,
            "expected a simple value for field [_id] but found [START_OBJECT]",
        ),
        (
            "",
            good_then(
                format!(
                    "{{\"index\":{{\"_index\":\"logs-good\",\"_id\":\"{}\"}}}}\n{{}}\n",
                    "i".repeat(600)
                )
                .as_bytes(),
            ),
            400,
            "must be no longer than 512 bytes but was: 600",
        ),
    ]
}

#[tokio::test]
async fn malformed_bulk_items_and_requests_lose_no_neighbour() {
    let (address, store, _dir) = bulk_port(16 << 20).await;
    let items = bad_items();
    let requests = bad_requests();
    assert!(
        items.len() + requests.len() >= 50,
        "{} items, {} requests",
        items.len(),
        requests.len()
    );
    let mut body = good_item(0);
    for (n, (item, _)) in items.iter().enumerate() {
        body.extend_from_slice(item);
        body.extend_from_slice(&good_item(n + 1));
    }
    let (status, answer) = bulk(&address, "", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["errors"], json!(true));
    let results = answer["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), 2 * items.len() + 1, "one result per item");
    for (n, (item, kind)) in items.iter().enumerate() {
        let result = &results[2 * n + 1];
        let (_, inner) = result
            .as_object()
            .and_then(|o| o.iter().next())
            .expect("an item");
        let shown = String::from_utf8_lossy(&item[..item.len().min(80)]);
        assert_eq!(inner["status"], json!(400), "{shown}: {result}");
        assert_eq!(inner["error"]["type"], json!(kind), "{shown}: {result}");
        assert!(
            inner["error"]["reason"]
                .as_str()
                .is_some_and(|r| !r.is_empty()),
            "{shown}: {result}"
        );
        assert_eq!(results[2 * n]["index"]["status"], json!(201), "{result}");
    }

    for (headers, body, status, needle) in &requests {
        let (got, answer) = bulk(&address, headers, body).await;
        let shown = String::from_utf8_lossy(&body[..body.len().min(60)]);
        assert_eq!(got, *status, "{headers}{shown}: {answer}");
        let reason = answer["error"]["reason"].as_str().unwrap_or_default();
        assert!(reason.contains(needle), "{headers}{shown}: {answer}");
    }

    // a last action without its source is left out, the rest taken (as Elasticsearch does)
    let cut = [
        good_item(2_000_000),
        b"{\"index\":{\"_index\":\"logs-good\"}}\n".to_vec(),
    ]
    .concat();
    let (status, answer) = bulk(&address, "", &cut).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["items"].as_array().map(Vec::len),
        Some(1),
        "{answer}"
    );

    // a hundred thousand items in one request are all taken
    let many: Vec<u8> = (0..100_000)
        .flat_map(|n| good_item(1_000_000 + n))
        .collect();
    let (status, answer) = bulk(&address, "", &many).await;
    assert_eq!(status, 200);
    assert_eq!(answer["errors"], json!(false));

    let flushing = Arc::clone(&store);
    tokio::task::spawn_blocking(move || flushing.flush())
        .await
        .expect("join")
        .expect("flush");
    let counted = store.count("logs-good", &json!({})).expect("counts")["count"].clone();
    assert_eq!(counted, json!(items.len() + 2 + 100_000), "every neighbour");
    assert_eq!(
        store
            .count("logs-bad", &json!({}))
            .map(|c| c["count"].clone())
            .unwrap_or(json!(0)),
        json!(0),
        "no bad item stored"
    );
}
