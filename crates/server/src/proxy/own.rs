//! The server's own calls to the cluster, with its own credentials: the saved queries'
//! and the short links' indices. JSON in, status and JSON out.

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::Upstream;
use crate::error::ApiError;

/// Sends one request; an answer that is not JSON reads as `null`.
pub async fn call(
    upstream: &Upstream,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<(StatusCode, Value), ApiError> {
    let bytes = body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string()));
    let answer = upstream
        .forward(method, path, "application/json", bytes)
        .await?;
    let value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    Ok((answer.status, value))
}

/// A failed answer as a 502 that says what the server could not do, and the cluster's reason.
pub fn expect_success(status: StatusCode, answer: &Value, what: &str) -> Result<(), ApiError> {
    if status.is_success() {
        return Ok(());
    }
    let reason = answer["error"]["reason"]
        .as_str()
        .map_or_else(|| answer.to_string(), str::to_string);
    Err(ApiError::Upstream {
        status: 502,
        kind: "logdash_upstream_error",
        reason: format!("Elasticsearch could not {what}: HTTP {status}: {reason}"),
    })
}
