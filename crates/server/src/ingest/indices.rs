//! Indices made before their events, on the ingest port: `PUT /{index}` with `mappings`
//! and `settings`, `HEAD /{index}`, `PUT /{index}/_mapping`, and `DELETE /{index}`, answered as Elasticsearch
//! answers them (the store reads and keeps what they declare).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use axum::{Json, Router};
use logdash_store::{RequestError, Store};
use serde_json::Value;

use super::http::{read_body, Input};
use crate::error::ApiError;

pub(super) fn routes() -> Router<Input> {
    Router::new()
        .route("/{index}", put(create).head(exists).delete(delete))
        .route("/{index}/_mapping", put(put_mapping).post(put_mapping))
}

async fn create(
    State(input): State<Input>,
    Path(index): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    with_body(input, &headers, body, move |store, body| {
        store.create_index(&index, body)
    })
    .await
}

async fn exists(State(input): State<Input>, Path(index): Path<String>) -> StatusCode {
    if input.store.index_exists(&index) {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn delete(
    State(input): State<Input>,
    Path(index): Path<String>,
) -> Result<Response, ApiError> {
    let store = Arc::clone(&input.store);
    let answer = tokio::task::spawn_blocking(move || store.delete_indices(&index))
        .await
        .map_err(|err| ApiError::Internal(format!("delete index failed: {err}")))??;
    Ok(Json(answer).into_response())
}

async fn put_mapping(
    State(input): State<Input>,
    Path(index): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    with_body(input, &headers, body, move |store, body| {
        store.put_mapping(&index, body)
    })
    .await
}

/// Reads the request's JSON body and has the store answer it, off the async threads.
async fn with_body(
    input: Input,
    headers: &HeaderMap,
    body: Body,
    answer: impl FnOnce(&Store, &Value) -> Result<Value, RequestError> + Send + 'static,
) -> Result<Response, ApiError> {
    let body = json_body(&read_body(&input, headers, body).await?)?;
    let store = Arc::clone(&input.store);
    let answer = tokio::task::spawn_blocking(move || answer(&store, &body))
        .await
        .map_err(|err| ApiError::Internal(format!("index request failed: {err}")))??;
    Ok(Json(answer).into_response())
}

/// A JSON body (none is `null`), or Elasticsearch's error for one that is not JSON.
fn json_body(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|err| {
        ApiError::Store(RequestError {
            status: 400,
            kind: "x_content_parse_exception",
            reason: err.to_string(),
            raised: logdash_store::Raised::Anywhere,
        })
    })
}
