//! Export: the events of a view (index pattern, query text, time range) as a file the
//! user keeps, NDJSON or CSV, read from the cluster a page at a time ([`pager`]), its
//! cells made safe for spreadsheets ([`csv`]), and counted as they arrive in the browser
//! ([`progress`]). The server writes the file (`/api/export`); these are its rules.

pub mod csv;
pub mod pager;
pub mod progress;
pub mod request;

pub use request::Request;

use serde_json::{json, Value};

use crate::dashboard::fields::ResolvedFields;
use crate::time::{format_iso8601, EpochMillis};

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One hit per line: `{"_index", "_id", "_source"}`, as `_bulk` and `jq` read them.
    Ndjson,
    /// A header row of the chosen columns, then one row per event (RFC 4180, CRLF).
    Csv,
}

impl Format {
    /// `ndjson` or `csv`.
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "ndjson" => Some(Format::Ndjson),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Ndjson => "ndjson",
            Format::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Ndjson => "application/x-ndjson",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// One event as a line of the NDJSON file (newline included).
pub fn ndjson_line(hit: &Value) -> String {
    let mut line = json!({
        "_index": hit["_index"],
        "_id": hit["_id"],
        "_source": hit["_source"],
    })
    .to_string();
    line.push('\n');
    line
}

/// The file's name: the index pattern and the range, in characters every file system
/// takes (`logdash-logs-_-20261205T101000Z-20261205T111000Z.csv`).
pub fn file_name(index: &str, from: EpochMillis, to: EpochMillis, format: Format) -> String {
    let index: String = index
        .chars()
        .take(60)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // to the second: 2026-12-05T10:10:00.250Z is 20261205T101000Z
    let stamp = |ms| {
        let iso = format_iso8601(ms);
        format!(
            "{}Z",
            iso.split('.')
                .next()
                .unwrap_or(&iso)
                .replace(['-', ':'], "")
        )
    };
    format!(
        "logdash-{index}-{}-{}.{}",
        stamp(from),
        stamp(to),
        format.name()
    )
}

/// The CSV columns offered first: the stream's as the view shows it (time, level, the
/// view's own columns, message), or, when the view has none of its own, time, level and
/// message then who and how long, as far as the view's fields hold them.
pub fn default_columns(fields: &ResolvedFields, stream: &[String]) -> Vec<String> {
    let mut columns = vec!["@timestamp".to_string()];
    columns.extend(fields.level.as_ref().map(|level| level.name.clone()));
    columns.extend(stream.iter().cloned());
    columns.extend(fields.message.clone());
    if stream.is_empty() {
        for role in [&fields.user, &fields.status, &fields.latency] {
            columns.extend(role.as_ref().map(|field| field.name.clone()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    columns.retain(|column| seen.insert(column.clone()));
    columns
}

/// How far an export is: "1,234 of 5,000 events" (the count as the cluster gave it).
pub fn progress_label(events: u64, expected: Option<u64>) -> String {
    match expected {
        Some(expected) => format!("{} of {} events", grouped(events), grouped(expected)),
        None => format!("{} events", grouped(events)),
    }
}

/// `1234567` as `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::fields::Resolved;

    #[test]
    fn default_columns_are_the_stream_s_then_who_and_how_long() {
        let named = |name: &str| {
            Some(Resolved {
                name: name.into(),
                agg: format!("{name}.keyword"),
            })
        };
        let fields = ResolvedFields {
            message: Some("message".into()),
            level: named("log.level"),
            user: named("extra.user_id"),
            latency: named("extra.response_time_ms"),
            ..ResolvedFields::default()
        };
        assert_eq!(
            default_columns(&fields, &[]),
            [
                "@timestamp",
                "log.level",
                "message",
                "extra.user_id",
                "extra.response_time_ms"
            ]
        );
        assert_eq!(
            default_columns(&ResolvedFields::default(), &[]),
            ["@timestamp"]
        );
        // the view's own columns, where the stream shows them, and nothing twice
        assert_eq!(
            default_columns(&fields, &["host".into(), "message".into()]),
            ["@timestamp", "log.level", "host", "message"]
        );
    }

    #[test]
    fn progress_reads_as_counts_with_thousands_grouped() {
        assert_eq!(progress_label(1_234, Some(5_000)), "1,234 of 5,000 events");
        assert_eq!(progress_label(0, None), "0 events");
        assert_eq!(
            progress_label(999, Some(1_000_000)),
            "999 of 1,000,000 events"
        );
    }

    #[test]
    fn formats_are_named_as_in_the_url() {
        for format in [Format::Ndjson, Format::Csv] {
            assert_eq!(Format::parse(format.name()), Some(format));
        }
        assert_eq!(Format::parse("xlsx"), None);
        assert_eq!(Format::parse("CSV"), None);
    }

    #[test]
    fn a_line_keeps_the_hit_s_identity_and_source_only() {
        let hit = json!({"_index": "logs", "_id": "a\nb", "_score": null, "sort": [1],
            "_source": {"message": "line one\nline two"}});
        let line = ndjson_line(&hit);
        assert!(line.ends_with('\n'));
        assert_eq!(line.matches('\n').count(), 1, "one event, one line");
        let back: Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(
            back,
            json!({"_index": "logs", "_id": "a\nb", "_source": {"message": "line one\nline two"}})
        );
    }

    #[test]
    fn file_names_hold_no_character_a_file_system_or_a_header_refuses() {
        let from = 1_764_929_400_000; // 2025-12-05T10:10:00Z
        assert_eq!(
            file_name("logs-*", from, from + 3_600_000, Format::Csv),
            "logdash-logs-_-20251205T101000Z-20251205T111000Z.csv"
        );
        let hostile = file_name("../\"evil\r\n;\u{202e}", from, from, Format::Ndjson);
        assert!(hostile
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')));
    }
}
