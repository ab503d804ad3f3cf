//! A request's trace: every line that carries the same request id as the line chosen,
//! across services and hosts, in time order, each with its offset from the first and the
//! source it came from, and the request's whole duration.

use serde_json::{json, Value};

use crate::dashboard::context::source_of;
use crate::dashboard::panels::query_in_range;
use crate::dashboard::tail::{lookup, Row, RowFields};
use crate::dashboard::values::{with_filter, Action};
use crate::time::EpochMillis;
use crate::view::Search;

/// Where a request id is, as python-logstash-async's layouts (an `extra=` field, plain
/// or under `extra.`), ECS (`http.request.id`) and APM (`trace.id`, `transaction.id`)
/// name it.
pub const REQUEST_ID: &[&str] = &[
    "request_id",
    "extra.request_id",
    "http.request.id",
    "trace.id",
    "transaction.id",
];

/// How far from the chosen line the request's other lines are looked for.
pub const AROUND_MS: EpochMillis = 3_600_000;
/// Lines read at most.
pub const MAX_LINES: usize = 1_000;

/// The request id an event carries: the field and its value (a string or a number), from
/// the field people chose (Fields) when they did, else the first of [`REQUEST_ID`].
pub fn request_id_of(source: &Value, chosen: Option<&str>) -> Option<(String, String)> {
    let candidates: Vec<&str> = match chosen {
        Some(chosen) => vec![chosen],
        None => REQUEST_ID.to_vec(),
    };
    candidates.into_iter().find_map(|field| {
        let value = match lookup(source, field)? {
            Value::String(text) if !text.is_empty() => text.clone(),
            Value::Number(number) => number.to_string(),
            _ => return None,
        };
        Some((field.to_string(), value))
    })
}

/// The search for the request's lines around `at`, oldest first.
pub fn request(field: &str, id: &str, at: EpochMillis) -> Value {
    let query = with_filter("", field, id, Action::Only);
    json!({
        "size": MAX_LINES,
        "track_total_hits": true,
        "query": query_in_range(&Search::text(&query), at - AROUND_MS, at + AROUND_MS),
        "sort": [{"@timestamp": {"order": "asc"}}],
    })
}

/// One line of the trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceLine {
    /// Milliseconds after the request's first line.
    pub offset_ms: EpochMillis,
    /// The service, host or app it came from, as its event names it.
    pub source: Option<String>,
    pub row: Row,
}

/// The request's lines, and what they add up to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trace {
    pub lines: Vec<TraceLine>,
    /// From the first line to the last.
    pub duration_ms: EpochMillis,
    /// How many different sources logged it.
    pub sources: usize,
    /// Lines the request has past those read.
    pub more: u64,
}

impl Trace {
    /// Reads the answer to [`request`].
    pub fn read(answer: &Value, fields: &RowFields) -> Trace {
        let rows: Vec<Row> = answer["hits"]["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|hit| Row::of_hit(hit, fields))
            .collect();
        let Some(first) = rows.iter().map(|row| row.time).min() else {
            return Trace::default();
        };
        let last = rows.iter().map(|row| row.time).max().unwrap_or(first);
        let lines: Vec<TraceLine> = rows
            .into_iter()
            .map(|row| TraceLine {
                offset_ms: row.time - first,
                source: source_of(&row.source).map(|(_, value)| value),
                row,
            })
            .collect();
        let mut sources: Vec<&str> = lines.iter().filter_map(|l| l.source.as_deref()).collect();
        sources.sort_unstable();
        sources.dedup();
        let total = answer["hits"]["total"]["value"].as_u64().unwrap_or(0);
        Trace {
            duration_ms: last - first,
            sources: sources.len(),
            more: total.saturating_sub(lines.len() as u64),
            lines,
        }
    }

    /// "4 lines over 130 ms from 2 sources".
    pub fn summary(&self) -> String {
        let count = self.lines.len();
        let mut said = format!(
            "{count} line{} over {} ms",
            if count == 1 { "" } else { "s" },
            self.duration_ms
        );
        if self.sources > 1 {
            said.push_str(&format!(" from {} sources", self.sources));
        }
        if self.more > 0 {
            said.push_str(&format!(" ({} more not shown)", self.more));
        }
        said
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(id: &str, time: &str, source: Value) -> Value {
        let mut source = source;
        source["@timestamp"] = json!(time);
        source["message"] = json!(id);
        json!({"_index": "logs", "_id": id, "_source": source})
    }

    #[test]
    fn a_request_id_is_found_in_every_layout() {
        let cases = [
            (json!({"request_id": "a1"}), "request_id", "a1"),
            (
                json!({"extra": {"request_id": "b2"}}),
                "extra.request_id",
                "b2",
            ),
            (
                json!({"http": {"request": {"id": "c3"}}}),
                "http.request.id",
                "c3",
            ),
            (json!({"trace.id": "d4"}), "trace.id", "d4"),
            (json!({"transaction": {"id": 77}}), "transaction.id", "77"),
        ];
        for (source, field, id) in cases {
            assert_eq!(
                request_id_of(&source, None),
                Some((field.to_string(), id.to_string())),
                "{source}"
            );
        }
        assert_eq!(request_id_of(&json!({"request_id": ""}), None), None);
        assert_eq!(request_id_of(&json!({"message": "x"}), None), None);
        let both = json!({"request_id": "a", "corr": "b"});
        assert_eq!(
            request_id_of(&both, Some("corr")),
            Some(("corr".into(), "b".into()))
        );
    }

    #[test]
    fn the_search_asks_for_the_requests_lines_oldest_first() {
        let body = request("extra.request_id", "r\"1", 10_000_000);
        assert_eq!(body["sort"][0]["@timestamp"]["order"], "asc");
        let filter = &body["query"]["bool"]["filter"];
        assert_eq!(
            filter[0]["range"]["@timestamp"]["gte"],
            10_000_000 - AROUND_MS
        );
        assert_eq!(
            filter[1]["query_string"]["query"],
            r#"extra.request_id:"r\"1""#
        );
    }

    #[test]
    fn lines_get_their_offsets_sources_and_the_duration() {
        let answer = json!({"hits": {"total": {"value": 4}, "hits": [
            hit("a", "2026-01-01T00:00:00.000Z", json!({"application": "web"})),
            hit("b", "2026-01-01T00:00:00.040Z", json!({"application": "billing"})),
            hit("c", "2026-01-01T00:00:00.130Z", json!({"application": "web"})),
        ]}});
        let trace = Trace::read(&answer, &RowFields::default());
        let offsets: Vec<i64> = trace.lines.iter().map(|l| l.offset_ms).collect();
        assert_eq!(offsets, [0, 40, 130]);
        assert_eq!(trace.lines[1].source.as_deref(), Some("billing"));
        assert_eq!(trace.duration_ms, 130);
        assert_eq!(
            trace.summary(),
            "3 lines over 130 ms from 2 sources (1 more not shown)"
        );
        assert_eq!(
            Trace::read(&json!({}), &RowFields::default()),
            Trace::default()
        );
    }
}
