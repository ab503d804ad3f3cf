//! `/es/`: the read-only Elasticsearch API the dashboard speaks. Each request is parsed
//! into a typed route (core's `es::route`), its body checked, then answered by the store
//! or, in proxy mode, sent to the cluster at the path rebuilt from the parsed route (the
//! raw path never goes on) with the checked body.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use logdash_core::es::body::check_request_body;
use logdash_core::es::filter_path::FilterPath;
use logdash_core::es::route::{parse_request, EsRoute, Refusal};
use logdash_core::es::scroll::{keep_alive_duration, ScrollRequest};
use logdash_core::es::search::{total_as_int, QueryError};
use logdash_store::indices::Indices;
use serde_json::Value;

use crate::error::ApiError;
use crate::{proxy, AppState, Backend};

/// Whether `path` is this API's: `/es` and everything under `/es/`.
pub fn owns(path: &str) -> bool {
    path == "/es" || path.starts_with("/es/")
}

/// Answers one request to `/es/`: an Elasticsearch answer, or an Elasticsearch-shaped error.
pub async fn handle(state: Arc<AppState>, request: Request) -> Response {
    answer(state, request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn answer(state: Arc<AppState>, request: Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    if headers
        .keys()
        .any(|name| name.as_str().starts_with("x-http-method"))
    {
        return Err(ApiError::Refused(Refusal {
            status: 403,
            rule: "method override headers are refused".into(),
        }));
    }
    let path = uri.path().strip_prefix("/es").unwrap_or_default();
    // `/es` itself is the cluster's root
    let cluster_path = if path.is_empty() { "/" } else { path };
    let checked = parse_request(method.as_str(), path, uri.query(), &state.index_policy)
        .map_err(ApiError::Refused)?;
    let route = checked.route.clone();
    let limit = state.max_body_bytes;
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::TooLarge { limit })?;
    // a body is only ever forwarded after it was checked, so one that nothing checks is
    // refused, as Elasticsearch itself refuses bodies where it reads none
    let shown = format!("{method} {cluster_path}");
    check_request_body(&route, &bytes, &shown, &state.index_policy).map_err(ApiError::Refused)?;
    // `_search?size=0&q=...`: what the URL asks goes into the body, which is checked again
    let bytes = if checked.search.is_empty() {
        bytes
    } else {
        let written = Bytes::from(checked.search.write_into(&bytes));
        check_request_body(&route, &written, &shown, &state.index_policy)
            .map_err(ApiError::Refused)?;
        written
    };
    // a scroll's next page or its end: the request read whole, and written anew for a cluster
    let scrolling = match &route {
        EsRoute::Scroll { id } | EsRoute::ClearScroll { id } => Some(
            ScrollRequest::read(
                &bytes,
                id.as_deref().or(checked.scroll_id.as_deref()),
                checked.scroll.as_deref(),
                matches!(route, EsRoute::ClearScroll { .. }),
            )
            .map_err(ApiError::Refused)?,
        ),
        _ => None,
    };
    let bytes = match &scrolling {
        Some(scroll) => Bytes::from(scroll.body(matches!(route, EsRoute::ClearScroll { .. }))),
        None => bytes,
    };
    let store = match &state.backend {
        Backend::Embedded(store) => Arc::clone(store),
        Backend::Proxy(upstream) => {
            let content_type = if matches!(route, EsRoute::Msearch { .. }) {
                "application/x-ndjson"
            } else {
                "application/json"
            };
            // the same method, the path rebuilt from what was parsed, the checked body
            let answer = upstream
                .forward(method, &checked.upstream_path(), content_type, bytes)
                .await?;
            return Ok(data_response(upstream_response(answer)));
        }
    };
    if let Some(scroll) = scrolling {
        return answer_scroll(store, &route, scroll).await;
    }
    if let EsRoute::Document { .. } | EsRoute::IndexExists { .. } = &route {
        return answer_document(store, route).await;
    }
    let mut json_body = if matches!(route, EsRoute::Msearch { .. }) {
        Value::Null
    } else {
        parse_json(&bytes)?
    };
    // `rest_total_hits_as_int=true`: every hit counted (a cluster does this itself)
    let total_as_int = checked.search.total_as_int;
    let bytes = match &route {
        _ if !total_as_int => bytes,
        EsRoute::Msearch { .. } => {
            Bytes::from(total_as_int::msearch_tracking_exactly(&bytes).map_err(refused_by_reading)?)
        }
        _ => {
            total_as_int::track_exactly(&mut json_body).map_err(refused_by_reading)?;
            bytes
        }
    };
    let options = checked.options;
    let typed_keys = checked.search.typed_keys;
    let cat = checked.cat.clone();
    let keep_alive = scroll_keep_alive(checked.scroll.as_deref())?;
    let answer = tokio::task::spawn_blocking(move || -> Result<Value, ApiError> {
        let indices = |expression| Indices {
            expression,
            options,
        };
        Ok(match route {
            EsRoute::Info => store.info(),
            EsRoute::CatIndices { index } => {
                let rows = store.cat_indices(index.as_ref().map(|i| i.as_str()))?;
                let rows = match rows {
                    Value::Array(rows) => rows,
                    other => vec![other],
                };
                Value::Array(cat.apply(rows))
            }
            EsRoute::Mapping { index } => store.mapping(indices(index.as_str()))?,
            EsRoute::FieldCaps { index, fields } => {
                store.field_caps(indices(index.as_str()), fields.as_deref(), &json_body)?
            }
            EsRoute::Search { index } if keep_alive.is_some() => {
                let keep_alive = keep_alive.unwrap_or_default();
                store.scroll_start(indices(index.as_str()), &json_body, keep_alive)?
            }
            EsRoute::Search { index } => {
                let mut answer = store.search(indices(index.as_str()), &json_body)?;
                if typed_keys {
                    store.name_aggregations_by_type(
                        indices(index.as_str()),
                        &json_body,
                        &mut answer,
                    )?;
                }
                answer
            }
            EsRoute::Count { index } => store.count(indices(index.as_str()), &json_body)?,
            EsRoute::ClusterHealth => store.health(),
            EsRoute::Document { .. } | EsRoute::IndexExists { .. } => {
                return Err(ApiError::Internal(
                    "a document read reached the search".into(),
                ))
            }
            // (answered above, by `answer_scroll`)
            EsRoute::Scroll { .. } | EsRoute::ClearScroll { .. } => {
                return Err(ApiError::Internal("a scroll reached the search".into()))
            }
            EsRoute::ResolveIndex { index } => store.resolve_index(indices(index.as_str()))?,
            EsRoute::Msearch { index } => store.msearch(
                index.as_ref().map(|i| i.as_str()),
                options,
                &bytes,
                typed_keys,
            )?,
        })
    })
    .await
    .map_err(|err| ApiError::Internal(format!("search task failed: {err}")))??;
    let mut answer = answer;
    if total_as_int {
        total_as_int::write_totals_as_int(&mut answer);
    }
    // (an error's answer is whole, as Elasticsearch's)
    let answer = match &checked.filter_path {
        Some(filter) => FilterPath::parse(filter).apply(&answer),
        None => answer,
    };
    Ok(data_response(Json(answer).into_response()))
}

/// One event by its id, or whether an index is there, from the store, answered as
/// Elasticsearch answers them (`found: false` with a 404; `HEAD` without a body).
async fn answer_document(
    store: Arc<logdash_store::Store>,
    route: EsRoute,
) -> Result<Response, ApiError> {
    let found = tokio::task::spawn_blocking(move || match route {
        EsRoute::IndexExists { index } => Ok((store.index_exists(index.as_str()), Value::Null)),
        EsRoute::Document {
            index,
            id,
            source_only,
        } => Ok(store.get_document(index.as_str(), &id, source_only)?),
        _ => Err(ApiError::Internal("not a document read".into())),
    })
    .await
    .map_err(|err| ApiError::Internal(format!("document task failed: {err}")))??;
    let status = crate::ingest::found(found.0);
    let response = match found.1 {
        Value::Null => status.into_response(),
        body => (status, Json(body)).into_response(),
    };
    Ok(data_response(response))
}

/// A scroll's next page, or the scrolls closed, from the store.
async fn answer_scroll(
    store: Arc<logdash_store::Store>,
    route: &EsRoute,
    scroll: ScrollRequest,
) -> Result<Response, ApiError> {
    let clear = matches!(route, EsRoute::ClearScroll { .. });
    let keep_alive = scroll_keep_alive(scroll.keep_alive.as_deref())?;
    let answer = tokio::task::spawn_blocking(move || match clear {
        true => store.scroll_clear(&scroll.ids),
        false => store.scroll_next(&scroll.ids[0], keep_alive),
    })
    .await
    .map_err(|err| ApiError::Internal(format!("scroll task failed: {err}")))??;
    Ok(data_response(Json(answer).into_response()))
}

/// The cluster's status, content type and body, unchanged.
/// A scroll's keep-alive as a duration, when one was asked (a keep-alive past the bounds
/// was refused with the route).
fn scroll_keep_alive(asked: Option<&str>) -> Result<Option<std::time::Duration>, ApiError> {
    asked
        .map(keep_alive_duration)
        .transpose()
        .map_err(ApiError::Refused)
}

fn upstream_response(answer: proxy::Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = answer.status;
    if let Some(kind) = answer.content_type {
        response.headers_mut().insert(header::CONTENT_TYPE, kind);
    }
    response
}

/// Answers are data, never a page.
fn data_response(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    response
}

/// A request Elasticsearch would refuse while reading it.
fn refused_by_reading(err: QueryError) -> ApiError {
    ApiError::Refused(Refusal {
        status: 400,
        rule: err.reason,
    })
}

/// The body the store reads (already checked, so valid JSON; none is `null`).
fn parse_json(bytes: &Bytes) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|err| {
        ApiError::Refused(Refusal {
            status: 400,
            rule: format!("the request body is not valid JSON: {err}"),
        })
    })
}
