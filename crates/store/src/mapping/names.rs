//! The field names Elasticsearch refuses in a document, whatever its index's mapping:
//! empty, only whitespace, a dotted name with an empty or blank part (which leaves the
//! object it stands for ambiguous), and its metadata fields at the top.

use serde_json::Value;

use super::shape::Misfit;
use crate::event::Source;

/// Metadata fields a document may not hold (Elasticsearch 8's, but `_doc_count`).
const METADATA: &[&str] = &[
    "_id",
    "_index",
    "_routing",
    "_source",
    "_version",
    "_seq_no",
    "_primary_term",
    "_ignored",
    "_ignored_source",
    "_field_names",
    "_tier",
    "_nested_path",
    "_data_stream_timestamp",
];

/// Refuses a document with a field name Elasticsearch refuses, as it names it.
pub(crate) fn check_field_names(source: &Source) -> Result<(), Misfit> {
    if let Some(metadata) = source.keys().find(|key| METADATA.contains(&key.as_str())) {
        return Err(refused(format!(
            "Field [{metadata}] is a metadata field and cannot be added inside a document. Use the index API request parameters."
        )));
    }
    check_object(source, "")
}

fn check_object(object: &Source, parent: &str) -> Result<(), Misfit> {
    for (key, value) in object {
        // (the dotted name is written only where it is said or walked into: most keys
        // of most events are neither)
        let path = || match parent {
            "" => key.clone(),
            parent => format!("{parent}.{key}"),
        };
        if key.is_empty() {
            return Err(unparsed("field name cannot be an empty string".to_string()));
        }
        if key.trim().is_empty() {
            return Err(refused(format!(
                "Field name cannot contain only whitespace: [{}]",
                path()
            )));
        }
        // a dotted name's parts, as Java splits it (empty parts at its end dropped), each
        // refused as Elasticsearch words it: an empty one, then a blank one
        if key.contains('.') {
            let parts: Vec<&str> = key.split('.').collect();
            let kept = parts
                .iter()
                .rposition(|part| !part.is_empty())
                .map_or(0, |at| at + 1);
            if kept == 0 {
                return Err(unparsed("field name cannot contain only dots".to_string()));
            }
            for part in &parts[..kept] {
                if part.is_empty() {
                    return Err(unparsed(format!(
                        "field name cannot contain only whitespace: ['{key}']"
                    )));
                }
                if part.trim().is_empty() {
                    return Err(unparsed(format!(
                        "field name starting or ending with a [.] makes object resolution ambiguous: [{key}]"
                    )));
                }
            }
        }
        match value {
            Value::Object(inner) => check_object(inner, &path())?,
            Value::Array(items) if items.iter().any(Value::is_object) => {
                let path = path();
                for item in items {
                    if let Value::Object(inner) = item {
                        check_object(inner, &path)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A name the parser itself fails on: said as its cause too, as there.
fn unparsed(cause: String) -> Misfit {
    Misfit {
        reason: format!("failed to parse: {cause}"),
        cause: Some(cause),
        ..refused(String::new())
    }
}

fn refused(reason: String) -> Misfit {
    Misfit {
        kind: "document_parsing_exception",
        reason,
        cause: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reason(document: Value) -> Option<String> {
        let Value::Object(source) = document else {
            return None;
        };
        check_field_names(&source).err().map(|misfit| misfit.reason)
    }

    #[test]
    fn names_elasticsearch_refuses_are_refused_as_it_names_them() {
        assert_eq!(reason(json!({"a": {"b": 1}, "c.d": [{"e": 2}]})), None);
        assert_eq!(
            reason(json!({"a": {" ": "x"}})).as_deref(),
            Some("Field name cannot contain only whitespace: [a. ]")
        );
        assert!(reason(json!({"a": [{"": 1}]}))
            .is_some_and(|r| r.ends_with("cannot be an empty string")));
        assert!(reason(json!({"a. ": 1})).is_some_and(|r| r.ends_with("ambiguous: [a. ]")));
        assert!(reason(json!({".a": 1})).is_some_and(|r| r.ends_with("only whitespace: ['.a']")));
        assert!(reason(json!({"a..b": 1})).is_some_and(|r| r.contains("only whitespace")));
        // (a dot at the end leaves an empty part, which Java's split drops: taken, as there)
        assert_eq!(reason(json!({"a.": 1})), None);
        assert!(reason(json!({"..": 1})).is_some_and(|r| r.contains("only dots")));
        assert!(reason(json!({"_id": "x"}))
            .is_some_and(|r| r.starts_with("Field [_id] is a metadata field")));
        // a metadata name below the top is a field like any other
        assert_eq!(reason(json!({"a": {"_id": "x"}})), None);
    }
}
