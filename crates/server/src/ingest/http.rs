//! The Elasticsearch-compatible HTTP input: `POST /_bulk` and `POST /{index}/_bulk`, plus
//! `GET /`, `GET /_license` and `GET /_cluster/health` so Elasticsearch clients and shippers
//! recognise it (Logstash's `elasticsearch` output writes only where the license is
//! `active`; Vector checks the health), indices created with their mappings (`indices`),
//! one document a request (`documents`), and lifecycle policies answered honestly
//! (`lifecycle`). Bodies may come compressed
//! (`Content-Encoding: gzip` or `deflate`, as Logstash and Beats send them); what they
//! decompress to is bounded by `--max-bulk-bytes` like a plain body.

use std::io::Read;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use logdash_core::es::filter_path::FilterPath;
use logdash_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;

#[derive(Clone)]
pub(super) struct Input {
    pub(super) store: Arc<Store>,
    max_bytes: usize,
}

pub fn app(store: Arc<Store>, max_bytes: usize) -> Router {
    Router::new()
        .route("/", get(info))
        .route("/_license", get(license))
        .route("/_cluster/health", get(health))
        .merge(super::lifecycle::routes())
        .route("/_bulk", post(bulk_default).put(bulk_default))
        .route("/{index}/_bulk", post(bulk_index).put(bulk_index))
        .merge(super::indices::routes())
        .merge(super::documents::routes())
        .layer(SetResponseHeaderLayer::overriding(
            crate::web::headers::ELASTIC_PRODUCT.0,
            crate::web::headers::ELASTIC_PRODUCT.1,
        ))
        .with_state(Input { store, max_bytes })
}

async fn info(State(input): State<Input>) -> Response {
    Json(input.store.info()).into_response()
}

async fn license(State(input): State<Input>) -> Response {
    Json(input.store.license()).into_response()
}

async fn health(State(input): State<Input>) -> Response {
    Json(input.store.health()).into_response()
}

async fn bulk_default(
    State(input): State<Input>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    bulk(input, None, query, &headers, body).await
}

async fn bulk_index(
    State(input): State<Input>,
    Path(index): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    bulk(input, Some(index), query, &headers, body).await
}

async fn bulk(
    input: Input,
    index: Option<String>,
    query: Option<String>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    refuse_pipelines(query.as_deref())?;
    let bytes = read_body(&input, headers, body).await?;
    let store = Arc::clone(&input.store);
    let mut answer = tokio::task::spawn_blocking(move || store.bulk(index.as_deref(), &bytes))
        .await
        .map_err(|err| ApiError::Internal(format!("bulk task failed: {err}")))??;
    if asks_forced_refresh(query.as_deref()) {
        logdash_store::mark_forced_refresh(&mut answer);
    }
    // Beats ask for only the errors and statuses back (`filter_path`)
    let filter = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("filter_path="))
        .map(|value| FilterPath::parse(&logdash_core::url::decode(value)));
    Ok(match filter {
        Some(filter) => Json(filter.apply(&answer)).into_response(),
        None => Json(answer).into_response(),
    })
}

/// A request's body, decompressed when it came compressed, bounded by `--max-bulk-bytes`
/// either way.
pub(super) async fn read_body(
    input: &Input,
    headers: &HeaderMap,
    body: Body,
) -> Result<axum::body::Bytes, ApiError> {
    let limit = input.max_bytes;
    let raw = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge { limit })?;
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.trim().to_ascii_lowercase());
    Ok(match encoding.as_deref() {
        None | Some("identity") => raw,
        Some(encoding) => {
            let encoding = encoding.to_string();
            tokio::task::spawn_blocking(move || decompress(&encoding, &raw, limit))
                .await
                .map_err(|err| ApiError::Internal(format!("decompression failed: {err}")))??
                .into()
        }
    })
}

/// `?refresh` or `?refresh=true` (not `wait_for`, not `false`).
fn asks_forced_refresh(query: Option<&str>) -> bool {
    query.unwrap_or("").split('&').any(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        name == "refresh" && (value.is_empty() || value == "true")
    })
}

/// `?pipeline=` names an ingest pipeline, which logdash does not run: refused by name rather
/// than stored unprocessed.
fn refuse_pipelines(query: Option<&str>) -> Result<(), ApiError> {
    let asks_pipeline = query
        .unwrap_or("")
        .split('&')
        .any(|pair| pair.split('=').next() == Some("pipeline"));
    if asks_pipeline {
        return Err(ApiError::Store(logdash_store::RequestError::illegal_argument(
            "[pipeline]: logdash runs no ingest pipelines; send the events as they should be stored",
        )));
    }
    Ok(())
}

/// A compressed body, decompressed to at most `limit` bytes (a body that would grow past it,
/// such as a zip bomb, is refused as too large).
fn decompress(encoding: &str, raw: &[u8], limit: usize) -> Result<Vec<u8>, ApiError> {
    let reader: Box<dyn Read> = match encoding {
        "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        "deflate" => Box::new(flate2::read::ZlibDecoder::new(raw)),
        other => {
            return Err(ApiError::Store(
                logdash_store::RequestError::illegal_argument(format!(
                "Content-Encoding [{other}] is not supported: send gzip, deflate or plain bodies"
            )),
            ))
        }
    };
    let mut out = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|err| {
            ApiError::Store(logdash_store::RequestError::bad_request(format!(
                "the {encoding} body does not decompress: {err}"
            )))
        })?;
    if out.len() > limit {
        return Err(ApiError::TooLarge { limit });
    }
    Ok(out)
}
