//! `/api/saved-queries`: list, get, create, update and delete saved queries. Input is
//! checked by core's `saved` rules; ids and times come from the server; writes may need
//! the editor token.

mod store;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use logdash_core::saved::{validate, SavedQuery, SavedQueryInput, MAX_STATE_BYTES};
use serde_json::json;

use crate::error::ApiError;
use crate::AppState;

pub use store::{is_id, SavedQueries};

/// Largest request body: a name and a view state, with room for JSON escaping.
const MAX_BODY_BYTES: usize = 4 * MAX_STATE_BYTES;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/saved-queries", get(list).post(create))
        .route(
            "/api/saved-queries/{id}",
            get(read).put(update).delete(remove),
        )
}

async fn list(State(state): State<Arc<AppState>>) -> Result<Json<serde_json::Value>, ApiError> {
    let queries = state.saved_queries.list().await?;
    Ok(Json(json!({ "queries": queries })))
}

async fn read(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<SavedQuery>, ApiError> {
    let id = known_id(&id)?;
    Ok(Json(state.saved_queries.get(id).await?))
}

async fn create(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    may_edit(&state, &headers)?;
    let input = read_input(body).await?;
    let query = state.saved_queries.create(input, now()).await?;
    Ok((StatusCode::CREATED, Json(query)).into_response())
}

async fn update(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<SavedQuery>, ApiError> {
    may_edit(&state, &headers)?;
    let id = known_id(&id)?;
    let input = read_input(body).await?;
    Ok(Json(state.saved_queries.update(id, input, now()).await?))
}

async fn remove(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    may_edit(&state, &headers)?;
    let id = known_id(&id)?;
    state.saved_queries.delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn now() -> String {
    logdash_core::time::format_iso8601(logdash_store::now_millis())
}

/// Ids are the server's own; anything else cannot name a saved query (nor reach a URL).
fn known_id(id: &str) -> Result<&str, ApiError> {
    if is_id(id) {
        Ok(id)
    } else {
        Err(ApiError::Rejected {
            status: 404,
            kind: "resource_not_found_exception",
            reason: "there is no saved query with that id".into(),
        })
    }
}

/// With an editor token configured, writes need `Authorization: Bearer <token>`.
fn may_edit(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &state.editor_token else {
        return Ok(());
    };
    let offered = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if constant_time_eq(offered.as_bytes(), token.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Rejected {
            status: 401,
            kind: "security_exception",
            reason: "changing saved queries needs the editor token (Authorization: Bearer ...)"
                .into(),
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn read_input(body: Body) -> Result<SavedQueryInput, ApiError> {
    let bytes: Bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::TooLarge {
            limit: MAX_BODY_BYTES,
        })?;
    let input: SavedQueryInput =
        serde_json::from_slice(&bytes).map_err(|err| invalid(err.to_string()))?;
    validate(input).map_err(invalid)
}

fn invalid(reason: String) -> ApiError {
    ApiError::Rejected {
        status: 400,
        kind: "illegal_argument_exception",
        reason: format!("invalid saved query: {reason}"),
    }
}
