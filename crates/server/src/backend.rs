//! One search, asked of whichever backend answers `/es/`: the server's own features (the
//! export) search the same way in both modes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::Method;
use logdash_core::es::ErrorBody;
use serde_json::Value;

use crate::error::ApiError;
use crate::Backend;

impl Backend {
    /// `POST /{index}/_search` with `body`: the answer, or the backend's error.
    pub async fn search(&self, index: &str, body: Value) -> Result<Value, ApiError> {
        match self {
            Backend::Embedded(store) => {
                let store = Arc::clone(store);
                let index = index.to_string();
                tokio::task::spawn_blocking(move || store.search(&index, &body))
                    .await
                    .map_err(|err| ApiError::Internal(format!("search task failed: {err}")))?
                    .map_err(ApiError::Store)
            }
            Backend::Proxy(upstream) => {
                let answer = upstream
                    .forward(
                        Method::POST,
                        &format!("/{index}/_search"),
                        "application/json",
                        Bytes::from(body.to_string()),
                    )
                    .await?;
                let status = answer.status.as_u16();
                let text = String::from_utf8_lossy(&answer.body);
                if !answer.status.is_success() {
                    let reason = ErrorBody::parse(status, &text)
                        .map(|error| error.summary())
                        .unwrap_or_else(|| text.chars().take(300).collect());
                    return Err(ApiError::Upstream {
                        status,
                        kind: "logdash_upstream_error",
                        reason: format!("Elasticsearch answered {status}: {reason}"),
                    });
                }
                serde_json::from_str(&text).map_err(|err| ApiError::Upstream {
                    status: 502,
                    kind: "logdash_upstream_error",
                    reason: format!("Elasticsearch's answer is not JSON: {err}"),
                })
            }
        }
    }
}
