//! One document at a time, as Elasticsearch's document APIs take it on the ingest port:
//! `PUT|POST /{index}/_doc/{id}`, `POST /{index}/_doc`, `PUT|POST /{index}/_create/{id}`,
//! `POST /{index}/_update/{id}`, `DELETE /{index}/_doc/{id}`, and the reads
//! `GET|HEAD /{index}/_doc/{id}` and `GET /{index}/_source/{id}`. A write is a `_bulk`
//! request of one item (so it is checked, shaped and answered by the same rules) whose
//! item is answered as the document API answers it: its status as the response's, an
//! error as a request's error.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use logdash_store::{RequestError, Store};
use serde_json::{json, Map, Value};

use super::http::{read_body, Input};
use crate::error::ApiError;

pub(super) fn routes() -> Router<Input> {
    let index_by_id = |op: &'static str| {
        move |State(input): State<Input>,
              Path((index, id)): Path<(String, String)>,
              uri: Uri,
              RawQuery(query): RawQuery,
              headers: HeaderMap,
              body: Body| async move {
            write(
                input,
                Write {
                    op,
                    index,
                    id: Some(id),
                },
                &uri,
                query,
                &headers,
                body,
            )
            .await
        }
    };
    Router::new()
        .route(
            "/{index}/_doc/{id}",
            put(index_by_id("index"))
                .post(index_by_id("index"))
                .delete(delete)
                .get(get_document)
                .head(document_exists),
        )
        .route("/{index}/_doc", post(index_new))
        .route(
            "/{index}/_create/{id}",
            put(index_by_id("create")).post(index_by_id("create")),
        )
        .route("/{index}/_update/{id}", post(index_by_id("update")))
        .route("/{index}/_source/{id}", axum::routing::get(get_source))
}

/// A write of one document: the `_bulk` action it is.
struct Write {
    op: &'static str,
    index: String,
    id: Option<String>,
}

/// The URL parameters Elasticsearch's document APIs take that go into the item's action
/// line, where `_bulk`'s rules take or refuse them by name.
const ACTION_PARAMETERS: &[&str] = &[
    "routing",
    "version",
    "version_type",
    "if_seq_no",
    "if_primary_term",
    "pipeline",
    "require_alias",
    "require_data_stream",
];

/// URL parameters that change nothing on one node: waiting for copies, or how the
/// answer is printed.
const HARMLESS_PARAMETERS: &[&str] = &[
    "timeout",
    "wait_for_active_shards",
    "pretty",
    "human",
    "error_trace",
    "refresh",
];

async fn index_new(
    State(input): State<Input>,
    Path(index): Path<String>,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let write_new = Write {
        op: "index",
        index,
        id: None,
    };
    write(input, write_new, &uri, query, &headers, body).await
}

async fn delete(
    State(input): State<Input>,
    Path((index, id)): Path<(String, String)>,
    uri: Uri,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let delete = Write {
        op: "delete",
        index,
        id: Some(id),
    };
    let params = parameters(&uri, query.as_deref(), &[])?;
    run(input, delete, params, None).await
}

async fn write(
    input: Input,
    mut write: Write,
    uri: &Uri,
    query: Option<String>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let params = parameters(uri, query.as_deref(), &["op_type"])?;
    if let Some((_, op_type)) = params.iter().find(|(name, _)| name == "op_type") {
        match (write.op, op_type.as_str()) {
            ("index", "index") => {}
            ("index", "create") => write.op = "create",
            (_, other) => {
                return Err(illegal(format!(
                    "opType must be 'create' or 'index', found: [{other}]"
                )))
            }
        }
    }
    let bytes = read_body(&input, headers, body).await?;
    let source = source_line(&bytes)?;
    run(input, write, params, Some(source)).await
}

/// Sends the write as a `_bulk` request of one item and answers with its item.
async fn run(
    input: Input,
    write: Write,
    params: Vec<(String, String)>,
    source: Option<String>,
) -> Result<Response, ApiError> {
    let mut action = Map::new();
    action.insert("_index".into(), json!(write.index));
    if let Some(id) = &write.id {
        action.insert("_id".into(), json!(id));
    }
    for (name, value) in &params {
        if ACTION_PARAMETERS.contains(&name.as_str()) {
            action.insert(name.clone(), json!(value));
        }
    }
    let mut body = json!({ write.op: action }).to_string();
    body.push('\n');
    if let Some(source) = source {
        body.push_str(&source);
        body.push('\n');
    }
    let store = Arc::clone(&input.store);
    let mut answer = tokio::task::spawn_blocking(move || store.bulk(None, body.as_bytes()))
        .await
        .map_err(|err| ApiError::Internal(format!("document task failed: {err}")))??;
    if params
        .iter()
        .any(|(name, value)| name == "refresh" && (value.is_empty() || value == "true"))
    {
        logdash_store::mark_forced_refresh(&mut answer);
    }
    let Value::Object(mut item) = answer["items"][0][write.op].take() else {
        return Err(ApiError::Internal(format!(
            "a one-item _bulk answered no item: {answer}"
        )));
    };
    let status = item
        .remove("status")
        .and_then(|status| status.as_u64())
        .and_then(|status| u16::try_from(status).ok())
        .and_then(|status| StatusCode::from_u16(status).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(error) = item.remove("error") {
        return Ok((status, Json(error_body(error, status))).into_response());
    }
    let id = item
        .get("_id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut response = (status, Json(Value::Object(item))).into_response();
    if status == StatusCode::CREATED {
        let location = format!("/{}/_doc/{}", write.index, logdash_core::url::encode(&id));
        if let Ok(location) = location.parse() {
            response.headers_mut().insert(header::LOCATION, location);
        }
    }
    Ok(response)
}

/// A bulk item's error as Elasticsearch answers a request that failed with it.
fn error_body(error: Value, status: StatusCode) -> Value {
    let mut root = error.clone();
    if let Some(root) = root.as_object_mut() {
        root.remove("caused_by");
    }
    let mut error = error;
    if let Some(error) = error.as_object_mut() {
        error.insert("root_cause".into(), json!([root]));
    }
    json!({"error": error, "status": status.as_u16()})
}

/// The request's body as one `_bulk` source line: a JSON object, written on one line.
fn source_line(bytes: &[u8]) -> Result<String, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::Store(RequestError {
            status: 400,
            kind: "action_request_validation_exception",
            reason: "Validation Failed: 1: source is missing;".into(),
            raised: logdash_store::Raised::Anywhere,
        }));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(object @ Value::Object(_)) => Ok(object.to_string()),
        Ok(_) => Err(ApiError::Store(RequestError {
            status: 400,
            kind: "document_parsing_exception",
            reason: "Malformed content, must start with an object".into(),
            raised: logdash_store::Raised::Anywhere,
        })),
        Err(err) => Err(ApiError::Store(RequestError {
            status: 400,
            kind: "document_parsing_exception",
            reason: format!("failed to parse: {err}"),
            raised: logdash_store::Raised::Anywhere,
        })),
    }
}

/// A document API's URL parameters: its action's, the harmless ones, and `also`.
fn parameters(
    uri: &Uri,
    query: Option<&str>,
    also: &[&str],
) -> Result<Vec<(String, String)>, ApiError> {
    known_parameters(
        uri.path(),
        query,
        &[ACTION_PARAMETERS, HARMLESS_PARAMETERS, also],
    )
}

/// The request's URL parameters, decoded; one Elasticsearch does not know on this API
/// (none of `known`) is refused as it refuses it, naming it.
pub(super) fn known_parameters(
    path: &str,
    query: Option<&str>,
    known: &[&[&str]],
) -> Result<Vec<(String, String)>, ApiError> {
    let mut params = Vec::new();
    for pair in query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, value) = (
            logdash_core::url::decode(name),
            logdash_core::url::decode(value),
        );
        if !known.iter().any(|list| list.contains(&name.as_str())) {
            return Err(illegal(format!(
                "request [{path}] contains unrecognized parameter: [{name}]"
            )));
        }
        params.push((name, value));
    }
    Ok(params)
}

fn illegal(reason: String) -> ApiError {
    ApiError::Store(RequestError::illegal_argument(reason))
}

/// URL parameters of the reads: where to read from (one node: nothing to choose).
const READ_PARAMETERS: &[&str] = &["realtime", "refresh", "routing", "preference"];

async fn get_document(
    State(input): State<Input>,
    Path((index, id)): Path<(String, String)>,
    uri: Uri,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    read(input, &uri, query, (index, id), false).await
}

async fn get_source(
    State(input): State<Input>,
    Path((index, id)): Path<(String, String)>,
    uri: Uri,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    read(input, &uri, query, (index, id), true).await
}

async fn document_exists(
    State(input): State<Input>,
    Path((index, id)): Path<(String, String)>,
) -> StatusCode {
    let store = Arc::clone(&input.store);
    let held = tokio::task::spawn_blocking(move || store.source_by_id(&index, &id)).await;
    match held {
        Ok(Ok(Some(_))) => StatusCode::OK,
        _ => StatusCode::NOT_FOUND,
    }
}

/// A document (or its source alone) as Elasticsearch answers a read of it by id.
async fn read(
    input: Input,
    uri: &Uri,
    query: Option<String>,
    (index, id): (String, String),
    source_only: bool,
) -> Result<Response, ApiError> {
    parameters(uri, query.as_deref(), READ_PARAMETERS)?;
    let store: Arc<Store> = Arc::clone(&input.store);
    let (found, answer) =
        tokio::task::spawn_blocking(move || store.get_document(&index, &id, source_only))
            .await
            .map_err(|err| ApiError::Internal(format!("document task failed: {err}")))??;
    Ok((super::found(found), Json(answer)).into_response())
}
