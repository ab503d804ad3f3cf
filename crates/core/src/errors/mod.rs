//! Python errors: tracebacks read (`traceback`), and the Errors view's groups: the
//! sampled error events of the view grouped by exception type and innermost application
//! frame, each with its count, first and last time, sparkline and latest message, and
//! the query that finds it.

pub mod traceback;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde_json::Value;

use crate::dashboard::tail::lookup;
use crate::dashboard::values::{escape_field, escape_phrase};
use crate::patterns::sample::Sampled;
use crate::time::EpochMillis;
use crate::view::{Match, Pill, Search};
use traceback::Traceback;

/// Where python-logstash-async and ECS put a traceback, most likely first.
pub const STACK_TRACE: &[&str] = &[
    "error.stack_trace",
    "extra.stack_trace",
    "stack_trace",
    "exc_info",
    "exception",
];
/// Where they put the exception's type.
pub const ERROR_TYPE: &[&str] = &["error.type", "extra.error_type", "error_type"];

/// The query clause for events holding an error: any of the candidate fields present, or
/// a traceback's first line in the message.
fn has_error_clause(message_field: &str) -> String {
    STACK_TRACE
        .iter()
        .chain(ERROR_TYPE)
        .map(|field| format!("_exists_:{}", escape_field(field)))
        .chain([format!(
            "{}:\"Traceback (most recent call last)\"",
            escape_field(message_field)
        )])
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The fields an error event is read with.
pub fn source_fields(message_field: &str) -> Vec<&str> {
    let mut fields = vec![message_field];
    fields.extend(STACK_TRACE);
    fields.extend(ERROR_TYPE);
    fields
}

/// The traceback an event carries folded to one line: from its traceback field, else its
/// message (`message`, as the stream shows it).
pub fn folded_of(source: &Value, message: &str) -> Option<traceback::Folded> {
    STACK_TRACE
        .iter()
        .find_map(|field| lookup(source, field).and_then(Value::as_str))
        .and_then(traceback::Folded::of)
        .or_else(|| traceback::Folded::of(message))
}

/// One group of errors.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorGroup {
    /// The exception's type (`ValueError`; "(no type)" when none was logged).
    pub kind: String,
    /// The innermost application frame, as shown (`app.py:12 in charge`, the line as the
    /// group's first event has it).
    pub frame: Option<String>,
    pub count: u64,
    pub first: EpochMillis,
    pub last: EpochMillis,
    /// The newest event's `Type: message` (or its log message when it had no traceback).
    pub latest: String,
    /// Events per equal slice of the range, oldest first.
    pub sparkline: Vec<u32>,
    /// The Lucene clause that finds the group's events (in each layout they came in).
    pub clause: String,
}

/// What is read of one error event.
struct Read {
    kind: String,
    frame: Option<(String, String, String)>,
    latest: String,
    clause: String,
}

/// Reads an event's error: from its traceback, else its type field; `None` when it has
/// neither.
fn read(event: &Sampled, message_field: &str) -> Option<Read> {
    let stack = STACK_TRACE
        .iter()
        .find_map(|field| event.text(field).map(|text| (*field, text)));
    let typed = ERROR_TYPE
        .iter()
        .find_map(|field| event.text(field).map(|text| (*field, text)));
    let message = lookup(&event.source, message_field)
        .and_then(Value::as_str)
        .unwrap_or("");
    // a traceback in the message itself (a handler that formats it in) counts too
    let (traced, stack_field) = match stack {
        Some((field, text)) => (Traceback::parse(text), field),
        None => (Traceback::parse(message), message_field),
    };
    let phrase =
        |field: &str, text: &str| format!("{}:\"{}\"", escape_field(field), escape_phrase(text));
    if let Some(traced) = traced {
        let kind = typed
            .map(|(_, kind)| kind.to_string())
            .filter(|kind| !kind.is_empty())
            .unwrap_or_else(|| traced.raised().kind.clone());
        let frame = traced
            .innermost_app_frame()
            .map(|f| (f.shown(), f.file.clone(), f.function.clone()));
        let mut clause = match typed {
            Some((field, typed)) if typed == kind => phrase(field, &kind),
            _ => phrase(stack_field, &kind),
        };
        if let Some((_, file, function)) = &frame {
            clause.push_str(&format!(
                " AND {} AND {}",
                phrase(stack_field, &format!("File \"{file}\"")),
                phrase(stack_field, &format!("in {function}"))
            ));
        }
        return Some(Read {
            kind,
            frame,
            latest: traced.summary(),
            clause,
        });
    }
    let (field, kind) = typed?;
    Some(Read {
        kind: kind.to_string(),
        frame: None,
        latest: message.lines().next().unwrap_or("").to_string(),
        clause: phrase(field, kind),
    })
}

/// The groups of `events` (newest first or in any order), most events first, each with
/// its sparkline over `range` in `slices` slices.
pub fn groups(
    events: &[Sampled],
    message_field: &str,
    range: (EpochMillis, EpochMillis),
    slices: usize,
) -> Vec<ErrorGroup> {
    let mut out: Vec<ErrorGroup> = Vec::new();
    // each group's clauses, one per layout its events came in (their fields differ)
    let mut clauses: Vec<Vec<String>> = Vec::new();
    let mut at: HashMap<(String, Option<(String, String)>), usize> = HashMap::new();
    let (from, to) = range;
    let span = i128::from((to - from).max(1));
    for event in events {
        let Some(read) = read(event, message_field) else {
            continue;
        };
        // a frame is its file and function: its line moves as the code changes
        let key = (
            read.kind.clone(),
            read.frame.as_ref().map(|f| (f.1.clone(), f.2.clone())),
        );
        let index = *at.entry(key).or_insert_with(|| {
            out.push(ErrorGroup {
                kind: if read.kind.is_empty() {
                    "(no type)".into()
                } else {
                    read.kind.clone()
                },
                frame: read.frame.as_ref().map(|f| f.0.clone()),
                count: 0,
                first: event.time,
                last: event.time,
                latest: read.latest.clone(),
                sparkline: vec![0; slices],
                clause: String::new(),
            });
            clauses.push(Vec::new());
            out.len() - 1
        });
        if !clauses[index].contains(&read.clause) {
            clauses[index].push(read.clause);
        }
        let group = &mut out[index];
        group.count += 1;
        group.first = group.first.min(event.time);
        if event.time > group.last {
            group.last = event.time;
            group.latest = read.latest;
        }
        if slices > 0 && (from..=to).contains(&event.time) {
            let slice = (i128::from(event.time - from) * slices as i128 / (span + 1)) as usize;
            group.sparkline[slice.min(slices - 1)] += 1;
        }
    }
    for (group, clauses) in out.iter_mut().zip(clauses) {
        group.clause = match clauses.as_slice() {
            [one] => one.clone(),
            many => many
                .iter()
                .map(|c| format!("({c})"))
                .collect::<Vec<_>>()
                .join(" OR "),
        };
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then(b.last.cmp(&a.last)));
    out
}

/// The view's search narrowed to events holding an error: a traceback or type field, or
/// a traceback in the message.
pub fn errors_search(search: &Search, message_field: &str) -> Search {
    let mut narrowed = search.clone();
    narrowed.pills.push(Pill::new(
        Match::Query(has_error_clause(message_field)),
        false,
    ));
    narrowed
}
