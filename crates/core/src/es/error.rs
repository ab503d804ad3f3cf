//! Elasticsearch's error body: `{"error": {"type", "reason", ...}, "status": N}`.
//!
//! The store and the server answer every refusal in this shape, and the dashboard
//! reads it back (from logdash or a real cluster) to tell people what was wrong.

use serde::{Deserialize, Serialize};

/// The whole error answer, as Elasticsearch sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCause,
    pub status: u16,
}

/// One cause: `type` names the kind of error, `reason` says what was wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorCause {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub reason: String,
    /// Elasticsearch nests the cause that is most useful to people here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub root_cause: Vec<ErrorCause>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caused_by: Option<Box<ErrorCause>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
}

impl ErrorBody {
    /// An error with one cause, the way logdash builds its own refusals.
    pub fn new(status: u16, kind: impl Into<String>, reason: impl Into<String>) -> Self {
        let cause = ErrorCause {
            kind: kind.into(),
            reason: reason.into(),
            root_cause: Vec::new(),
            caused_by: None,
            index: None,
        };
        let mut root = cause.clone();
        root.root_cause.clear();
        Self {
            error: ErrorCause {
                root_cause: vec![root],
                ..cause
            },
            status,
        }
    }

    /// Reads an error answer leniently: Elasticsearch sometimes sends `error` as a plain string.
    pub fn parse(status: u16, body: &str) -> Option<Self> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Full(ErrorBody),
            Text { error: String },
        }
        match serde_json::from_str::<Shape>(body).ok()? {
            Shape::Full(full) => Some(full),
            Shape::Text { error } => Some(Self::new(status, "error", error)),
        }
    }

    /// `type: reason`, taking the deepest cause that has a reason, for people to read.
    pub fn summary(&self) -> String {
        let mut cause = &self.error;
        while let Some(next) = cause.caused_by.as_deref() {
            if next.reason.is_empty() {
                break;
            }
            cause = next;
        }
        if cause.reason.is_empty() {
            cause.kind.clone()
        } else {
            format!("{}: {}", cause.kind, cause.reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builds_elasticsearch_shape() {
        let body = ErrorBody::new(404, "index_not_found_exception", "no such index [x]");
        assert_eq!(
            serde_json::to_value(&body).expect("serialises"),
            json!({
                "error": {
                    "root_cause": [{"type": "index_not_found_exception", "reason": "no such index [x]"}],
                    "type": "index_not_found_exception",
                    "reason": "no such index [x]"
                },
                "status": 404
            })
        );
    }

    #[test]
    fn summary_prefers_deepest_reason() {
        let body = ErrorBody::parse(
            400,
            r#"{"error":{"root_cause":[],"type":"search_phase_execution_exception","reason":"all shards failed",
               "caused_by":{"type":"query_shard_exception","reason":"Failed to parse query [a AND]"}},"status":400}"#,
        )
        .expect("parses");
        assert_eq!(
            body.summary(),
            "query_shard_exception: Failed to parse query [a AND]"
        );
    }

    #[test]
    fn reads_plain_string_errors() {
        let body = ErrorBody::parse(500, r#"{"error":"boom"}"#).expect("parses");
        assert_eq!(body.summary(), "error: boom");
    }

    #[test]
    fn garbage_is_not_an_error_body() {
        assert_eq!(ErrorBody::parse(502, "<html>bad gateway</html>"), None);
    }
}
