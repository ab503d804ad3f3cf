//! The events both sides hold, and the two indices they are in: one with an explicit
//! mapping of every type the dashboard meets, one mapped dynamically (as
//! python-logstash-async's events are when no template applies).

use serde_json::{json, Map, Value};

use super::Rng;

pub const MAPPED: &str = "differential-mapped";
pub const DYNAMIC: &str = "differential-dynamic";
pub const EVENTS: usize = 300;
/// 2025-11-26 10:00 UTC, in ms.
pub const START: i64 = 1_764_151_200_000;
pub const DAY: i64 = 86_400_000;

pub const LEVELS: &[&str] = &["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
pub const LOGGERS: &[&str] = &["app", "app.db", "app.http", "werkzeug"];
pub const WORDS: &[&str] = &[
    "request",
    "user",
    "login",
    "failed",
    "slow",
    "query",
    "timeout",
    "cache",
    "miss",
    "hit",
    "the",
    "a",
    "Payment",
    "declined",
    "retry",
    "Connection",
    "reset",
    "by",
    "peer",
    "ok",
];
pub const STATUSES: &[i64] = &[200, 201, 204, 301, 404, 500, 503];
pub const TAGS: &[&str] = &["web", "db", "auth", "slow", "beta"];

/// A field of an index, and what kind of values it holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Keyword,
    Text,
    Long,
    Double,
    Float,
    Bool,
    Date,
}

/// The fields of `index`, by kind, as its mapping has them.
pub fn fields(index: &str) -> Vec<(&'static str, Kind)> {
    let common = [
        ("seq", Kind::Long),
        ("@timestamp", Kind::Date),
        ("status", Kind::Long),
        ("count", Kind::Long),
        ("ok", Kind::Bool),
        ("created", Kind::Date),
        ("message", Kind::Text),
    ];
    let own: &[(&str, Kind)] = if index == MAPPED {
        &[
            ("level", Kind::Keyword),
            ("logger", Kind::Keyword),
            ("message.keyword", Kind::Keyword),
            ("ms", Kind::Double),
            ("ratio", Kind::Float),
            ("user", Kind::Keyword),
            ("tags", Kind::Keyword),
        ]
    } else {
        &[
            ("level", Kind::Text),
            ("level.keyword", Kind::Keyword),
            ("logger.keyword", Kind::Keyword),
            ("message.keyword", Kind::Keyword),
            ("ms", Kind::Float),
            ("ratio", Kind::Float),
            ("user.keyword", Kind::Keyword),
            ("tags.keyword", Kind::Keyword),
        ]
    };
    common.iter().chain(own).copied().collect()
}

/// The indices' definitions: one shard and no replica, so that the engine's answers are
/// one shard's, as the store's are.
pub fn definition(index: &str) -> Value {
    let settings = json!({"number_of_shards": 1, "number_of_replicas": 0});
    if index != MAPPED {
        return json!({"settings": settings});
    }
    json!({"settings": settings, "mappings": {"properties": {
        "seq": {"type": "long"},
        "@timestamp": {"type": "date"},
        "level": {"type": "keyword"},
        "logger": {"type": "keyword"},
        "message": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 40}}},
        "status": {"type": "integer"},
        "ms": {"type": "double"},
        "ratio": {"type": "float"},
        "user": {"type": "keyword"},
        "tags": {"type": "keyword"},
        "ok": {"type": "boolean"},
        "created": {"type": "date"},
        "count": {"type": "long"},
    }}})
}

/// The events, the same for every run.
pub fn events() -> Vec<Value> {
    let mut rng = Rng::new(7);
    (0..EVENTS)
        .map(|seq| {
            let mut event = Map::new();
            let mut put = |key: &str, value: Value| {
                event.insert(key.to_string(), value);
            };
            put("seq", json!(seq));
            let at = START + seq as i64 * 61_000 + rng.between(0, 30_000);
            put("@timestamp", json!(logdash_core::time::format_iso8601(at)));
            if !rng.one_in(20) {
                put("level", json!(rng.pick(LEVELS)));
            }
            put("logger", json!(rng.pick(LOGGERS)));
            let words: Vec<&str> = (0..rng.between(2, 8)).map(|_| *rng.pick(WORDS)).collect();
            put("message", json!(words.join(" ")));
            if !rng.one_in(10) {
                put("status", json!(rng.pick(STATUSES)));
            }
            if !rng.one_in(10) {
                let ms = 5.0 + 400.0 * rng.unit().powi(3);
                put("ms", json!((ms * 100.0).round() / 100.0 + 0.001));
            }
            put(
                "ratio",
                json!((rng.unit() * 1000.0).round() / 1000.0 + 0.0001),
            );
            match rng.below(8) {
                0 => {}
                1 => put("user", json!(["u-a", format!("u{}", rng.below(25))])),
                _ => put("user", json!(format!("u{}", rng.below(25)))),
            }
            let tags: Vec<&str> = (0..rng.below(4)).map(|_| *rng.pick(TAGS)).collect();
            if !tags.is_empty() {
                put("tags", json!(tags));
            }
            put("ok", json!(rng.one_in(3)));
            let created = START - rng.between(0, 40) * DAY + rng.between(0, DAY / 1000) * 1000;
            put(
                "created",
                json!(logdash_core::time::format_iso8601(created)),
            );
            put("count", json!(rng.between(-50, 50)));
            Value::Object(event)
        })
        .collect()
}

/// A `_bulk` body indexing the events into `index`, each with its `seq` as its `_id`.
pub fn bulk(index: &str, events: &[Value]) -> String {
    events
        .iter()
        .map(|event| {
            let action = json!({"index": {"_index": index, "_id": event["seq"].to_string()}});
            format!("{action}\n{event}\n")
        })
        .collect()
}
