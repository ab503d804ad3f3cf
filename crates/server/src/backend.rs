//! One search, asked of whichever backend answers `/es/`: the server's own features (the
//! export) search the same way in both modes.

use std::sync::Arc;

use axum::body::Bytes;
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
                upstream
                    .json(
                        &format!("/{index}/_search"),
                        "application/json",
                        Bytes::from(body.to_string()),
                    )
                    .await
            }
        }
    }
}
