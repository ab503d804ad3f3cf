//! A line's context, as Kibana's "surrounding documents": the events just before and just
//! after it from the same source (its host, service or app, whichever the event names),
//! read a page at a time in either direction (`export::pager`'s rule, from the line
//! outwards); lines sharing its millisecond come after it, each once.

use serde_json::Value;

use super::tail::{lookup, Row};
use super::values::{with_filter, Action};
use crate::export::pager::Pager;
use crate::time::EpochMillis;

/// Where an event came from, the first of these it has (as Elastic Common Schema, Beats,
/// Logstash and python-logstash-async name it).
pub const SOURCE_FIELDS: &[&str] = &[
    "service.name",
    "host.name",
    "kubernetes.pod.name",
    "container.name",
    "app",
    "application",
    "service",
    "logger_name",
    "host",
];

/// How far either way the context looks.
pub const AROUND_MS: EpochMillis = 7 * 24 * 3_600_000;

/// The source field an event names, and its value.
pub fn source_of(source: &Value) -> Option<(String, String)> {
    SOURCE_FIELDS.iter().find_map(|field| {
        let value = lookup(source, field)?.as_str()?;
        (!value.is_empty()).then(|| ((*field).to_string(), value.to_string()))
    })
}

/// The two directions of a line's context.
pub struct Context {
    /// The source the context keeps to (`None`: the event names none; every event).
    pub source: Option<(String, String)>,
    /// Events before the line, newest first.
    pub before: Pager,
    /// Events after it, oldest first.
    pub after: Pager,
}

impl Context {
    /// The context of `line`, `page` events at a time each way.
    pub fn around(line: &Row, page: usize) -> Context {
        let source = source_of(&line.source);
        let query = source
            .as_ref()
            .map(|(field, value)| with_filter("", field, value, Action::Only))
            .unwrap_or_default();
        let (from, to) = (line.time - AROUND_MS, line.time + AROUND_MS);
        let key = (line.index.clone(), line.id.clone());
        // lines that share the line's millisecond come after it, so that each is shown once
        Context {
            before: Pager::new(&query, from, line.time - 1, page, u64::MAX),
            after: Pager::new(&query, from, to, page, u64::MAX)
                .oldest_first()
                .starting_at(line.time, key),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(source: Value) -> Row {
        Row {
            index: "logs".into(),
            id: "x".into(),
            time: 1_000_000,
            level: String::new(),
            message: String::new(),
            source,
            late: false,
        }
    }

    #[test]
    fn the_source_is_the_first_field_the_event_names() {
        assert_eq!(
            source_of(&json!({"host": {"name": "web-1"}, "logger_name": "app"})),
            Some(("host.name".into(), "web-1".into()))
        );
        assert_eq!(
            source_of(&json!({"logger_name": "flask.app", "host": ""})),
            Some(("logger_name".into(), "flask.app".into()))
        );
        assert_eq!(source_of(&json!({"message": "m"})), None);
    }

    #[test]
    fn both_ways_keep_to_the_source_and_start_at_the_line() {
        let mut context = Context::around(&line(json!({"service": {"name": "api \"v2\""}})), 10);
        assert_eq!(
            context.source,
            Some(("service.name".into(), "api \"v2\"".into()))
        );
        let before = context.before.request().expect("a request");
        let after = context.after.request().expect("a request");
        let filter = |request: &Value, at: usize| request["query"]["bool"]["filter"][at].clone();
        assert_eq!(
            filter(&before, 1)["query_string"]["query"],
            "service.name:\"api \\\"v2\\\"\""
        );
        assert_eq!(filter(&before, 0)["range"]["@timestamp"]["lte"], 999_999);
        assert_eq!(filter(&after, 0)["range"]["@timestamp"]["gte"], 1_000_000);
        assert_eq!(before["sort"][0]["@timestamp"]["order"], "desc");
        assert_eq!(after["sort"][0]["@timestamp"]["order"], "asc");
        assert_eq!(before["size"], 10);
        assert_eq!(after["size"], 11, "the line itself, read again, and ten");
        let everything = Context::around(&line(json!({"message": "m"})), 5);
        assert_eq!(everything.source, None);
    }
}
