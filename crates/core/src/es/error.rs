//! Elasticsearch's error body: `{"error": {"type", "reason", ...}, "status": N}`.
//!
//! The store and the server answer every refusal in this shape, and the dashboard
//! reads it back (from logdash or a real cluster) to tell people what was wrong.

use serde::Serialize;
use serde_json::Value;

/// The whole error answer, as Elasticsearch sends it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorBody {
    pub error: ErrorCause,
    pub status: u16,
}

/// One cause: `type` names the kind of error, `reason` says what was wrong.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ErrorCause {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub reason: String,
    /// Elasticsearch nests the cause that is most useful to people here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub root_cause: Vec<ErrorCause>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caused_by: Option<Box<ErrorCause>>,
    /// For `index_not_found_exception`: what was not found (`index_or_alias`), its name,
    /// and the uuid it has not (`_na_`). Written, never read back.
    #[serde(rename = "resource.type", skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// A name, or the parts of an index expression of which none was found.
    #[serde(rename = "resource.id", skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// For `search_phase_execution_exception`: the phase that failed, and the shards'
    /// failures grouped by reason. Written, never read back: the deepest cause says what
    /// went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouped: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed_shards: Vec<ShardFailure>,
}

/// One shard's failure in a `search_phase_execution_exception`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ShardFailure {
    pub shard: u32,
    pub index: String,
    pub reason: ErrorCause,
}

impl ErrorCause {
    /// One cause of an answer: `type` must be there, the rest is read when present.
    fn read(value: &Value) -> Option<ErrorCause> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        Some(ErrorCause {
            kind: text("type")?,
            reason: text("reason").unwrap_or_default(),
            root_cause: value
                .get("root_cause")
                .and_then(Value::as_array)
                .map(|causes| causes.iter().filter_map(ErrorCause::read).collect())
                .unwrap_or_default(),
            caused_by: value
                .get("caused_by")
                .and_then(ErrorCause::read)
                .map(Box::new),
            index: text("index"),
            ..ErrorCause::default()
        })
    }

    /// A cause with only its type and reason.
    pub fn plain(kind: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            reason: reason.into(),
            root_cause: Vec::new(),
            caused_by: None,
            resource_type: None,
            resource_id: None,
            index_uuid: None,
            index: None,
            phase: None,
            grouped: None,
            failed_shards: Vec::new(),
        }
    }
}

impl ErrorBody {
    /// An error with one cause, the way logdash builds its own refusals.
    pub fn new(status: u16, kind: impl Into<String>, reason: impl Into<String>) -> Self {
        let cause = ErrorCause::plain(kind, reason);
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

    /// Elasticsearch's answer naming an index that is not there: the cause carries the
    /// index's name as its resource, as Elasticsearch's does; an expression of several
    /// names of which none was found is named by its parts.
    pub fn index_not_found(status: u16, reason: impl Into<String>, names: &[String]) -> Self {
        let mut cause = ErrorCause::plain("index_not_found_exception", reason);
        if let [index] = names {
            cause.resource_type = Some("index_or_alias".into());
            cause.resource_id = Some(Value::String(index.clone()));
            cause.index_uuid = Some("_na_".into());
            cause.index = Some(index.clone());
        } else {
            cause.resource_type = Some("index_expression".into());
            cause.resource_id = Some(Value::from(names.to_vec()));
        }
        Self {
            error: ErrorCause {
                root_cause: vec![cause.clone()],
                ..cause
            },
            status,
        }
    }

    /// Elasticsearch's answer when a query fails on every shard it ran on (here, the one
    /// shard of `index`): `search_phase_execution_exception` around the shard's own error,
    /// which is also the root cause.
    pub fn all_shards_failed(status: u16, kind: &str, reason: &str, indices: &[String]) -> Self {
        // one failure an index, as Elasticsearch groups its shards' failures
        let causes: Vec<ErrorCause> = match indices {
            [] => vec![ErrorCause::plain(kind, reason)],
            indices => indices
                .iter()
                .map(|index| ErrorCause {
                    index: Some(index.clone()),
                    ..ErrorCause::plain(kind, reason)
                })
                .collect(),
        };
        let failed_shards = causes
            .iter()
            .map(|cause| ShardFailure {
                shard: 0,
                index: cause.index.clone().unwrap_or_default(),
                reason: cause.clone(),
            })
            .collect();
        Self {
            error: ErrorCause {
                caused_by: causes.first().cloned().map(Box::new),
                root_cause: causes,
                phase: Some("query".into()),
                grouped: Some(true),
                failed_shards,
                ..ErrorCause::plain("search_phase_execution_exception", "all shards failed")
            },
            status,
        }
    }

    /// Reads an error answer leniently: Elasticsearch sometimes sends `error` as a plain
    /// string. (Read by hand from a JSON value rather than derived: the dashboard reads every
    /// answer as a value already, and a derived reader would cost its bundle 4 KB.)
    pub fn parse(status: u16, body: &str) -> Option<Self> {
        let value: Value = serde_json::from_str(body).ok()?;
        match value.get("error")? {
            Value::String(text) => Some(Self::new(status, "error", text.as_str())),
            cause @ Value::Object(_) => Some(Self {
                error: ErrorCause::read(cause)?,
                status: value
                    .get("status")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(status),
            }),
            _ => None,
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
    fn a_failure_on_every_shard_reads_back_with_its_cause() {
        let indices = ["logs-a".to_string(), "logs-b".to_string()];
        let body =
            ErrorBody::all_shards_failed(400, "query_shard_exception", "bad query", &indices);
        // one failure an index, as Elasticsearch groups them
        assert_eq!(body.error.root_cause.len(), 2);
        assert_eq!(body.error.failed_shards.len(), 2);
        assert_eq!(body.error.root_cause[1].index.as_deref(), Some("logs-b"));
        let text = serde_json::to_string(&body).expect("serialises");
        let read = ErrorBody::parse(400, &text).expect("parses");
        assert_eq!(read.error.kind, "search_phase_execution_exception");
        assert_eq!(read.summary(), "query_shard_exception: bad query");
        // however a cluster writes its shard failures, the answer is read
        let sparse = r#"{"error":{"type":"search_phase_execution_exception","reason":"all shards failed",
            "failed_shards":[{"shard":0}]},"status":400}"#;
        assert!(ErrorBody::parse(400, sparse).is_some());
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
