//! One event as the details panel lists it: every field by its dotted name, in name
//! order, with its value as text and, where the value is one (text, number,
//! true/false), what a filter on it matches; and the line handed from the dashboard to
//! the tools' module, which shows the details.

use serde_json::{json, Value};

use super::tail::{lookup, text_of, Row};

/// A stream column's text for one event: the field's value as the details list it
/// (`None`: the event lacks it).
pub fn column_text(source: &Value, field: &str) -> Option<String> {
    lookup(source, field)
        .filter(|value| !value.is_null())
        .map(text_of)
}

/// The line the details show, as the dashboard hands it to the tools' module (text:
/// the two wasm modules share no memory). Level and message are not handed: the details
/// list every field.
pub fn handoff(row: &Row) -> String {
    json!({"index": row.index, "id": row.id, "time": row.time, "source": row.source}).to_string()
}

/// The line [`handoff`] wrote (`None` for anything else).
pub fn handed(text: &str) -> Option<Row> {
    let value: Value = serde_json::from_str(text).ok()?;
    Some(Row {
        index: value["index"].as_str()?.to_string(),
        id: value["id"].as_str()?.to_string(),
        time: value["time"].as_i64()?,
        level: String::new(),
        message: String::new(),
        source: value.get("source")?.clone(),
        late: false,
    })
}

/// One field of an event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventField {
    /// The dotted name (`extra.user_id`).
    pub name: String,
    /// The value as text (objects inside arrays, and arrays, as JSON).
    pub text: String,
    /// The value to filter on, when a query can match it exactly.
    pub filter: Option<String>,
}

/// Every field of `source`, nested objects flattened to dotted names.
pub fn event_fields(source: &Value) -> Vec<EventField> {
    let mut out = Vec::new();
    flatten("", source, &mut out);
    out
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<EventField>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, inner, out);
            }
        }
        other => out.push(EventField {
            name: prefix.to_string(),
            text: text_of(other),
            filter: match other {
                Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(text_of(other)),
                _ => None,
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_column_shows_a_field_of_the_event_wherever_it_nests() {
        let source = json!({"extra": {"user_id": "u1", "ms": 12.5}, "a.b": true, "tags": ["x", "y"], "gone": null});
        assert_eq!(column_text(&source, "extra.user_id").as_deref(), Some("u1"));
        assert_eq!(column_text(&source, "extra.ms").as_deref(), Some("12.5"));
        assert_eq!(column_text(&source, "a.b").as_deref(), Some("true"));
        assert_eq!(
            column_text(&source, "tags").as_deref(),
            Some(r#"["x","y"]"#)
        );
        assert_eq!(column_text(&source, "gone"), None);
        assert_eq!(column_text(&source, "extra.missing"), None);
    }

    #[test]
    fn a_line_survives_its_handoff() {
        let row = Row {
            index: "logs-1".into(),
            id: "a\"b".into(),
            time: 1_733_000_000_123,
            level: "ERROR".into(),
            message: "m".into(),
            source: json!({"message": "m", "n": [1, {"x": null}]}),
            late: true,
        };
        let back = handed(&handoff(&row)).expect("read back");
        assert_eq!(
            (&back.index, &back.id, back.time),
            (&row.index, &row.id, row.time)
        );
        assert_eq!(back.source, row.source);
        assert_eq!(handed("{}"), None);
        assert_eq!(handed("not json"), None);
    }

    #[test]
    fn nested_fields_are_dotted_and_only_single_values_filter() {
        let source = json!({"@timestamp": "2025-12-05T10:00:00Z", "extra": {"user_id": "u1", "ms": 12.5, "ok": true},
            "tags": ["a", "b"], "gone": null});
        let fields = event_fields(&source);
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "@timestamp",
                "extra.ms",
                "extra.ok",
                "extra.user_id",
                "gone",
                "tags"
            ]
        );
        let filters: Vec<Option<&str>> = fields.iter().map(|f| f.filter.as_deref()).collect();
        assert_eq!(
            filters,
            [
                Some("2025-12-05T10:00:00Z"),
                Some("12.5"),
                Some("true"),
                Some("u1"),
                None,
                None
            ]
        );
        assert_eq!(fields[5].text, "[\"a\",\"b\"]");
    }
}
