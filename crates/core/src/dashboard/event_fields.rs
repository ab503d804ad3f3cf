//! One event as the details panel lists it: every field by its dotted name, in name
//! order, with its value as text and, where the value is one (text, number,
//! true/false), what a filter on it matches.

use serde_json::Value;

use super::tail::text_of;

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
