//! Index lifecycle policies (`/_ilm/policy`), which shippers look for at start-up: Filebeat
//! and Logstash ask for theirs and create it when it is missing. logdash runs no lifecycle
//! (its daily indices are dropped by `--retention-days`), so it holds no policy: asking for
//! one answers as Elasticsearch does for a missing one, and creating one is refused by name
//! with the shipper setting that turns the lifecycle off, rather than accepted and ignored.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use logdash_store::RequestError;

use super::http::Input;
use crate::error::ApiError;

pub(super) fn routes() -> Router<Input> {
    Router::new()
        .route("/_ilm/policy", get(all))
        .route("/_ilm/policy/{name}", get(one).put(create).delete(one))
}

/// No policies.
async fn all() -> Response {
    Json(serde_json::json!({})).into_response()
}

/// A policy by name: none is held.
async fn one(Path(name): Path<String>) -> ApiError {
    ApiError::Store(RequestError {
        status: 404,
        kind: "resource_not_found_exception",
        reason: format!("Lifecycle policy not found: {name}"),
        raised: logdash_store::Raised::Anywhere,
    })
}

async fn create(Path(name): Path<String>) -> ApiError {
    ApiError::Store(RequestError::illegal_argument(format!(
        "[{name}]: logdash runs no index lifecycle policies, so it keeps none; turn the \
         shipper's off (Filebeat: setup.ilm.enabled: false; Logstash: ilm_enabled => false) \
         and drop old daily indices with logdash --retention-days"
    )))
}
