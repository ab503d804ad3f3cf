//! Indices made before their events, on the ingest port: `PUT /{index}` with `mappings`
//! and `settings`, `HEAD /{index}`, `PUT /{index}/_mapping`, `PUT /{index}/_settings` (the
//! dynamic settings that change nothing on one node), and `DELETE /{index}`; and
//! the index templates new indices start from (`_index_template`, legacy `_template`), answered as Elasticsearch
//! answers them (the store reads and keeps what they declare).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put, MethodRouter};
use axum::{Json, Router};
use logdash_store::indices::{IndexOptions, Indices};
use logdash_store::templates::Kind;
use logdash_store::{RequestError, Store};
use serde_json::Value;

use super::documents::known_parameters;
use super::found;
use super::http::{read_body, Input};
use crate::error::ApiError;

pub(super) fn routes() -> Router<Input> {
    Router::new()
        .route("/{index}", put(create).head(exists).delete(delete))
        .route("/{index}/_mapping", put(put_mapping).post(put_mapping))
        .route("/{index}/_settings", put(put_settings))
        .route("/_index_template", all_templates(Kind::Composable))
        .route("/_index_template/{name}", template_routes(Kind::Composable))
        .route("/_template", all_templates(Kind::Legacy))
        .route("/_template/{name}", template_routes(Kind::Legacy))
}

/// `PUT`, `POST`, `GET`, `HEAD` and `DELETE` of one kind of template, by name.
fn template_routes(kind: Kind) -> MethodRouter<Input> {
    let put_one = move |State(input): State<Input>,
                        Path(name): Path<String>,
                        headers: HeaderMap,
                        body: Body| async move {
        with_body(input, &headers, body, move |store, body| {
            store.put_template(kind, &name, body)
        })
        .await
    };
    put(put_one)
        .post(put_one)
        .get(
            move |State(input): State<Input>, Path(name): Path<String>| async move {
                templates(&input, kind, Some(&name))
            },
        )
        .head(
            move |State(input): State<Input>, Path(name): Path<String>| async move {
                found(input.store.template_exists(kind, &name))
            },
        )
        .delete(
            move |State(input): State<Input>, Path(name): Path<String>| async move {
                answered(&input, move |store| store.delete_template(kind, &name)).await
            },
        )
}

fn all_templates(kind: Kind) -> MethodRouter<Input> {
    get(move |State(input): State<Input>| async move { templates(&input, kind, None) })
}

/// The templates a name or pattern names; a legacy one that is not there is `{}` with a
/// 404, as Elasticsearch answers.
fn templates(input: &Input, kind: Kind, name: Option<&str>) -> Result<Response, ApiError> {
    let answer = input.store.get_templates(kind, name)?;
    let missing = kind == Kind::Legacy
        && name.is_some_and(|n| !n.contains('*'))
        && answer.as_object().is_some_and(serde_json::Map::is_empty);
    let status = if missing {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    Ok((status, Json(answer)).into_response())
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
    found(input.store.index_exists(&index))
}

/// The parameters `DELETE /{index}` takes: which names may match nothing, and waits that
/// change nothing on one node.
const DELETE_PARAMETERS: &[&str] = &[
    "ignore_unavailable",
    "allow_no_indices",
    "expand_wildcards",
    "timeout",
    "master_timeout",
    "pretty",
    "human",
    "error_trace",
];

async fn delete(
    State(input): State<Input>,
    Path(index): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let path = format!("/{index}");
    let params = known_parameters(&path, query.as_deref(), &[DELETE_PARAMETERS])?;
    let mut options = IndexOptions::default();
    for (name, value) in &params {
        let flag = match value.as_str() {
            "" | "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
        let slot = match name.as_str() {
            "ignore_unavailable" => &mut options.ignore_unavailable,
            "allow_no_indices" => &mut options.allow_no_indices,
            _ => continue,
        };
        *slot = Some(flag.ok_or_else(|| {
            ApiError::Store(RequestError::illegal_argument(format!(
                "Failed to parse value [{value}] as only [true] or [false] are allowed."
            )))
        })?);
    }
    answered(&input, move |store| {
        store.delete_indices(Indices {
            expression: &index,
            options,
        })
    })
    .await
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

/// `PUT /{index}/_settings`: the dynamic settings that change nothing on one node (its
/// replicas, its refresh interval), taken; any other refused by name.
async fn put_settings(
    State(input): State<Input>,
    Path(index): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    with_body(input, &headers, body, move |store, body| {
        logdash_store::indices::resolve(&index, &store.index_names())?;
        let body = body.get("settings").unwrap_or(body);
        let mut settings = Vec::new();
        flatten_settings("", body, &mut settings);
        for (name, value) in settings {
            let name = match name.starts_with("index.") {
                true => name,
                false => format!("index.{name}"),
            };
            let text = match &value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            let fits = match name.as_str() {
                "index.number_of_replicas" => text.parse::<u32>().is_ok(),
                "index.refresh_interval" => text == "-1" || logdash_core::time::parse_duration(&text).is_some(),
                "index.number_of_shards" => {
                    return Err(RequestError::illegal_argument(format!(
                        "Can't update non dynamic settings [[{name}]] for open indices [[{index}]]"
                    )))
                }
                _ => {
                    return Err(RequestError::illegal_argument(format!(
                        "setting [{name}] is not supported by logdash: it takes index.number_of_replicas and index.refresh_interval, which change nothing on one node"
                    )))
                }
            };
            if !fits {
                return Err(RequestError::illegal_argument(format!(
                    "Failed to parse value [{text}] for setting [{name}]"
                )));
            }
        }
        Ok(serde_json::json!({"acknowledged": true}))
    })
    .await
}

/// `{"index": {"refresh_interval": "1s"}}` as `("index.refresh_interval", "1s")`.
fn flatten_settings(prefix: &str, value: &Value, into: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(entries) => {
            for (key, inner) in entries {
                let name = match prefix.is_empty() {
                    true => key.clone(),
                    false => format!("{prefix}.{key}"),
                };
                flatten_settings(&name, inner, into);
            }
        }
        other => into.push((prefix.to_string(), other.clone())),
    }
}

/// Reads the request's JSON body and has the store answer it, off the async threads.
async fn with_body(
    input: Input,
    headers: &HeaderMap,
    body: Body,
    answer: impl FnOnce(&Store, &Value) -> Result<Value, RequestError> + Send + 'static,
) -> Result<Response, ApiError> {
    let body = json_body(&read_body(&input, headers, body).await?)?;
    answered(&input, move |store| answer(store, &body)).await
}

/// The store's answer, worked out off the async threads (it may write and sync a file).
async fn answered(
    input: &Input,
    answer: impl FnOnce(&Store) -> Result<Value, RequestError> + Send + 'static,
) -> Result<Response, ApiError> {
    let store = Arc::clone(&input.store);
    let answer = tokio::task::spawn_blocking(move || answer(&store))
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
