//! `/es/`: the read-only Elasticsearch API the dashboard speaks, answered by the backend.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use logdash_core::es::ClusterInfo;

use crate::error::ApiError;
use crate::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/es", get(info))
        .route("/es/", get(info))
        .route("/es/{*rest}", axum::routing::any(unsupported))
}

async fn info(State(state): State<Arc<AppState>>) -> Json<ClusterInfo> {
    Json(state.store.info())
}

async fn unsupported(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound {
        reason: format!("logdash does not serve [{}] under /es/", uri.path()),
    }
}
