//! The server's one error type, answered in Elasticsearch's error shape.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use logdash_core::es::ErrorBody;

/// Anything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request asked for something logdash does not offer.
    #[error("{reason}")]
    NotFound { reason: String },
    /// The backend failed; logged once, as a server fault.
    #[error("{0}")]
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind) = match &self {
            ApiError::NotFound { .. } => (StatusCode::NOT_FOUND, "resource_not_found_exception"),
            ApiError::Internal(reason) => {
                tracing::error!(%reason, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error")
            }
        };
        let body = ErrorBody::new(status.as_u16(), kind, self.to_string());
        (status, Json(body)).into_response()
    }
}
