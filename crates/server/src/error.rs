//! The server's one error type, answered in Elasticsearch's error shape.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use logdash_core::es::route::Refusal;
use logdash_core::es::ErrorBody;
use logdash_store::RequestError;

/// Anything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Refused by the `/es/` allowlist; the message names the rule.
    #[error("{0}")]
    Refused(Refusal),
    /// The store refused or could not answer the request.
    #[error("{0}")]
    Store(RequestError),
    /// The request body is larger than allowed.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The request was understood and refused (bad input, unknown id, no editor token).
    #[error("{reason}")]
    Rejected {
        status: u16,
        kind: &'static str,
        reason: String,
    },
    /// Proxy mode: the cluster could not be reached, timed out, or failed.
    #[error("{reason}")]
    Upstream {
        status: u16,
        kind: &'static str,
        reason: String,
    },
    /// A server fault; logged once.
    #[error("{0}")]
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            ApiError::Refused(refusal) => {
                let kind = match refusal.status {
                    403 => "security_exception",
                    405 => "method_not_allowed_exception",
                    404 => "resource_not_found_exception",
                    _ => "illegal_argument_exception",
                };
                (
                    refusal.status,
                    ErrorBody::new(refusal.status, kind, refusal.rule.clone()),
                )
            }
            ApiError::Store(err) => {
                if err.status >= 500 {
                    tracing::error!(reason = %err.reason, "store failure");
                }
                (err.status, err.body())
            }
            ApiError::TooLarge { .. } => (
                413,
                ErrorBody::new(413, "content_too_long_exception", self.to_string()),
            ),
            ApiError::Rejected {
                status,
                kind,
                reason,
            } => (*status, ErrorBody::new(*status, *kind, reason.clone())),
            ApiError::Upstream {
                status,
                kind,
                reason,
            } => {
                tracing::warn!(%reason, "upstream failure");
                (*status, ErrorBody::new(*status, *kind, reason.clone()))
            }
            ApiError::Internal(reason) => {
                tracing::error!(%reason, "internal error");
                (
                    500,
                    ErrorBody::new(500, "internal_server_error", reason.clone()),
                )
            }
        };
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox"),
        );
        response
    }
}

impl From<RequestError> for ApiError {
    fn from(err: RequestError) -> Self {
        ApiError::Store(err)
    }
}
