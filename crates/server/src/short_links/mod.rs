//! `/api/links`: short links. `POST {"state": "..."}` stores a view's query string and
//! answers its id; `GET /api/links/{id}` gives the view back. The same view always gets
//! the same id, links never expire, and anyone who may view may share: the number of
//! links is bounded instead.

mod store;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use logdash_core::saved::{short_link_state, MAX_STATE_BYTES};
use logdash_core::view::is_short_id;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::AppState;

pub use store::{ShortLinks, MAX_LINKS};

/// What `POST /api/links` takes; anything else is refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewLink {
    state: String,
}

/// A short link: its id and the view's query string.
#[derive(Debug, Serialize)]
struct Link {
    id: String,
    state: String,
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/links", post(create))
        .route("/api/links/{id}", get(read))
}

async fn create(State(state): State<Arc<AppState>>, body: Body) -> Result<Response, ApiError> {
    let limit = 4 * MAX_STATE_BYTES;
    let bytes: Bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge { limit })?;
    let input: NewLink = serde_json::from_slice(&bytes).map_err(|err| invalid(err.to_string()))?;
    let view = short_link_state(&input.state).map_err(invalid)?;
    let id = state.short_links.create(&view, &now()).await?;
    Ok((StatusCode::CREATED, Json(Link { id, state: view })).into_response())
}

async fn read(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<Link>, ApiError> {
    if !is_short_id(&id) {
        return Err(store::not_found(&id));
    }
    let view = state.short_links.get(&id).await?;
    Ok(Json(Link { id, state: view }))
}

fn now() -> String {
    logdash_core::time::format_iso8601(logdash_store::now_millis())
}

fn invalid(reason: String) -> ApiError {
    ApiError::Rejected {
        status: 400,
        kind: "illegal_argument_exception",
        reason: format!("invalid short link: {reason}"),
    }
}
