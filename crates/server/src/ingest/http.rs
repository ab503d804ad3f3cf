//! The Elasticsearch-compatible HTTP input: `POST /_bulk` and `POST /{index}/_bulk`, plus
//! `GET /` so Elasticsearch clients and shippers recognise it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use logdash_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;

#[derive(Clone)]
struct Input {
    store: Arc<Store>,
    max_bytes: usize,
}

pub fn app(store: Arc<Store>, max_bytes: usize) -> Router {
    Router::new()
        .route("/", get(info))
        .route("/_bulk", post(bulk_default).put(bulk_default))
        .route("/{index}/_bulk", post(bulk_index).put(bulk_index))
        .layer(SetResponseHeaderLayer::overriding(
            crate::web::headers::ELASTIC_PRODUCT.0,
            crate::web::headers::ELASTIC_PRODUCT.1,
        ))
        .with_state(Input { store, max_bytes })
}

async fn info(State(input): State<Input>) -> Response {
    Json(input.store.info()).into_response()
}

async fn bulk_default(State(input): State<Input>, body: Body) -> Result<Response, ApiError> {
    bulk(input, None, body).await
}

async fn bulk_index(
    State(input): State<Input>,
    Path(index): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    bulk(input, Some(index), body).await
}

async fn bulk(input: Input, index: Option<String>, body: Body) -> Result<Response, ApiError> {
    let limit = input.max_bytes;
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge { limit })?;
    let store = Arc::clone(&input.store);
    let answer = tokio::task::spawn_blocking(move || store.bulk(index.as_deref(), &bytes))
        .await
        .map_err(|err| ApiError::Internal(format!("bulk task failed: {err}")))??;
    Ok(Json(answer).into_response())
}
