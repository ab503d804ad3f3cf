//! From bytes on the wire to events, with Logstash's rules: one JSON object per line;
//! a line that is not one is kept as `message` tagged `_jsonparsefailure`; an event
//! without a usable `@timestamp` gets the arrival time.

use logdash_core::time::{format_iso8601, logstash_day, parse_iso8601, EpochMillis};
use serde_json::{Map, Value};

pub type Source = Map<String, Value>;

pub const JSON_PARSE_FAILURE: &str = "_jsonparsefailure";
pub const TIMESTAMP_PARSE_FAILURE: &str = "_timestampparsefailure";

/// Turns one line (without its newline) into events: usually one, several for a JSON
/// array of objects, and never none for a non-blank line.
pub fn decode_line(line: &[u8]) -> Vec<Source> {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end_matches('\r');
    if text.trim().is_empty() {
        return Vec::new();
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => vec![object],
        Ok(Value::Array(items)) if !items.is_empty() && items.iter().all(Value::is_object) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Object(object) => Some(object),
                _ => None,
            })
            .collect(),
        _ => vec![parse_failure(text)],
    }
}

fn parse_failure(text: &str) -> Source {
    let mut event = Map::new();
    event.insert("message".into(), Value::String(text.to_string()));
    event.insert("tags".into(), Value::Array(vec![JSON_PARSE_FAILURE.into()]));
    event
}

/// The time of an event sent through `_bulk`, read without touching it (Elasticsearch keeps
/// `_source` as sent): its `@timestamp` (ISO 8601 or epoch milliseconds), or `now` when it
/// has none; an `@timestamp` that is no date is refused with the reason.
pub fn time_of(event: &Source, now: EpochMillis) -> Result<EpochMillis, String> {
    let time = read_time(event, now)?;
    if !(-TIME_LIMIT_MS..=TIME_LIMIT_MS).contains(&time) {
        let given = event
            .get("@timestamp")
            .map(Value::to_string)
            .unwrap_or_default();
        return Err(format!(
            "failed to parse field [@timestamp] of type [date]: {given} is outside the years 1677 to 2262 that this store holds"
        ));
    }
    Ok(time)
}

/// The times the store can hold: the index keeps nanoseconds in an `i64` (about the
/// years 1677 to 2262); an event outside them gets a timestamp parse failure.
pub const TIME_LIMIT_MS: EpochMillis = i64::MAX / 1_000_000;

/// The index's date for `ms`, held to what it can represent (a range bound past it
/// means "all of time" on that side).
pub fn index_date(ms: EpochMillis) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_millis(ms.clamp(-TIME_LIMIT_MS, TIME_LIMIT_MS))
}

fn read_time(event: &Source, now: EpochMillis) -> Result<EpochMillis, String> {
    match event.get("@timestamp") {
        None => Ok(now),
        Some(Value::Number(number)) => number
            .as_i64()
            .ok_or_else(|| format!("failed to parse field [@timestamp] of type [date]: [{number}] is no epoch milliseconds")),
        Some(Value::String(text)) => parse_iso8601(text).ok_or_else(|| {
            format!("failed to parse field [@timestamp] of type [date]: [{text}] is no date (strict_date_optional_time||epoch_millis)")
        }),
        Some(other) => Err(format!(
            "failed to parse field [@timestamp] of type [date]: {other} is no date"
        )),
    }
}

/// Settles an event's `@timestamp` (and `@version`) as Logstash does; returns its time.
pub fn settle_timestamp(event: &mut Source, now: EpochMillis) -> EpochMillis {
    let time = match time_of(event, now) {
        Ok(ms) => {
            // epoch milliseconds, or none at all: written as the ISO time Logstash writes
            if !matches!(event.get("@timestamp"), Some(Value::String(_))) {
                event.insert("@timestamp".into(), format_iso8601(ms).into());
            }
            ms
        }
        Err(_) => {
            if let Some(bad) = event.remove("@timestamp") {
                event.insert("_@timestamp".into(), bad);
                add_tag(event, TIMESTAMP_PARSE_FAILURE);
            }
            event.insert("@timestamp".into(), format_iso8601(now).into());
            now
        }
    };
    event
        .entry("@version")
        .or_insert_with(|| Value::String("1".into()));
    time
}

fn add_tag(event: &mut Source, tag: &str) {
    match event.get_mut("tags") {
        Some(Value::Array(tags)) => tags.push(tag.into()),
        _ => {
            event.insert("tags".into(), Value::Array(vec![tag.into()]));
        }
    }
}

/// The daily index Logstash would write an event to: `{prefix}-YYYY.MM.DD` (UTC).
pub fn daily_index(prefix: &str, time: EpochMillis) -> String {
    format!("{prefix}-{}", logstash_day(time))
}

/// Checks an index name against Elasticsearch's rules; the error says which one it breaks.
pub fn validate_index_name(name: &str) -> Result<(), String> {
    let reason = if name.is_empty() {
        "must not be empty"
    } else if name != name.to_lowercase() {
        "must be lowercase"
    } else if name.starts_with(['-', '_', '+']) {
        "must not start with '_', '-', or '+'"
    } else if name == "." || name == ".." {
        "must not be '.' or '..'"
    } else if name.starts_with('.') {
        "must not start with '.' (system and hidden indices are not written here)"
    } else if name.contains(['\\', '/', '*', '?', '"', '<', '>', '|', ' ', ',', '#', ':']) {
        "must not contain '\\', '/', '*', '?', '\"', '<', '>', '|', ' ', ',', '#' or ':'"
    } else if name.len() > 255 {
        "is too long (more than 255 bytes)"
    } else {
        return Ok(());
    };
    Err(format!("Invalid index name [{name}], {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_past_what_the_index_holds_are_refused_not_wrapped() {
        let event = |time: Value| {
            json!({"@timestamp": time})
                .as_object()
                .cloned()
                .expect("object")
        };
        for time in [
            json!(i64::MIN),
            json!(i64::MAX),
            json!(9_300_000_000_000_i64),
            json!("2300-01-01T00:00:00Z"),
            json!("1600-01-01T00:00:00Z"),
        ] {
            let refused = time_of(&event(time.clone()), 0).expect_err("refused");
            assert!(refused.contains("1677 to 2262"), "{time}: {refused}");
        }
        assert_eq!(time_of(&event(json!(TIME_LIMIT_MS)), 0), Ok(TIME_LIMIT_MS));
        // a query's bound past them means all of time on that side
        assert_eq!(index_date(i64::MAX), index_date(TIME_LIMIT_MS));
        assert_eq!(index_date(i64::MIN), index_date(-TIME_LIMIT_MS));
    }

    #[test]
    fn one_object_per_line() {
        let events = decode_line(br#"{"message":"hi","level":"INFO"}"#);
        assert_eq!(
            events,
            vec![json!({"message": "hi", "level": "INFO"})
                .as_object()
                .cloned()
                .expect("object")]
        );
    }

    #[test]
    fn what_is_not_an_object_is_kept_as_a_tagged_message() {
        for line in [
            &b"{\"truncated\": "[..],
            b"42",
            b"\"text\"",
            b"[1,2]",
            b"plain words",
            b"\xff\xfe binary \x00",
        ] {
            let events = decode_line(line);
            assert_eq!(events.len(), 1, "{line:?}");
            assert_eq!(events[0]["tags"], json!([JSON_PARSE_FAILURE]));
            assert_eq!(events[0]["message"], json!(String::from_utf8_lossy(line)));
        }
    }

    #[test]
    fn an_array_of_objects_is_several_events() {
        assert_eq!(decode_line(br#"[{"a":1},{"a":2}]"#).len(), 2);
        assert!(decode_line(b"   ").is_empty());
        assert_eq!(decode_line(b"{\"a\":1}\r").len(), 1);
    }

    #[test]
    fn timestamps_are_kept_filled_or_repaired() {
        let now = 1_764_040_200_000;
        let mut kept = json!({"@timestamp": "2025-11-25T01:00:00.000Z"})
            .as_object()
            .cloned()
            .expect("object");
        assert_eq!(settle_timestamp(&mut kept, now), 1_764_032_400_000);
        assert_eq!(kept["@version"], "1");

        let mut missing = Map::new();
        assert_eq!(settle_timestamp(&mut missing, now), now);
        assert_eq!(missing["@timestamp"], "2025-11-25T03:10:00.000Z");

        let mut bad = json!({"@timestamp": "yesterday", "tags": ["x"]})
            .as_object()
            .cloned()
            .expect("object");
        assert_eq!(settle_timestamp(&mut bad, now), now);
        assert_eq!(bad["_@timestamp"], "yesterday");
        assert_eq!(bad["tags"], json!(["x", TIMESTAMP_PARSE_FAILURE]));

        let mut epoch = json!({"@timestamp": 1_764_040_200_123_i64})
            .as_object()
            .cloned()
            .expect("object");
        assert_eq!(settle_timestamp(&mut epoch, now), 1_764_040_200_123);
        assert_eq!(epoch["@timestamp"], "2025-11-25T03:10:00.123Z");
    }

    #[test]
    fn index_names() {
        assert_eq!(
            daily_index("logstash", 1_764_040_200_000),
            "logstash-2025.11.25"
        );
        assert!(validate_index_name("logs-app").is_ok());
        for bad in [
            "",
            "Logs",
            "_x",
            ".kibana",
            "a/b",
            "a*",
            "a b",
            "..",
            &"x".repeat(256),
        ] {
            assert!(validate_index_name(bad).is_err(), "{bad}");
        }
    }
}
