//! `GET /api/export?index=…&q=…&from=MS&to=MS&format=ndjson|csv&column=…`: a view's
//! events as a file, newest first (`core::export`). The first page is read before
//! answering, so a wrong query or a cluster that is down gets its error and status; then
//! pages are written as the client takes them, one page held at a time, so memory stays
//! flat however long the file. Headers: `Content-Disposition` names the file,
//! `X-Logdash-Events` says how many events it will hold, `X-Logdash-Cut-At` (present only
//! then) that more matched than `--export-max-events` lets out.
//!
//! A failure after the first page (a shard lost, the cluster gone) aborts the response,
//! so that a short file is never taken for a whole one: browsers and curl report a
//! broken transfer. A client that takes nothing for [`IDLE`] loses its export; at most
//! `--max-exports` run at once, past that 503.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream, StreamExt};
use logdash_core::es::route::parse_route;
use logdash_core::export::pager::{PageError, Pager};
use logdash_core::export::{csv, file_name, ndjson_line, Format, Request};
use serde_json::Value;
use tokio::sync::mpsc::error::SendTimeoutError;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::AppState;

/// Events read per search.
const PAGE: usize = 1_000;
/// How long the server waits for a client to take the next page.
pub const IDLE: Duration = Duration::from_secs(60);

pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/api/export", get(export))
}

async fn export(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    start(state, query.as_deref().unwrap_or_default())
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn start(state: Arc<AppState>, query: &str) -> Result<Response, ApiError> {
    let request = Request::from_query(query).map_err(|reason| ApiError::Rejected {
        status: 400,
        kind: "illegal_argument_exception",
        reason: format!("export: {reason}"),
    })?;
    // the index expression passes the same checks as a search's under /es/
    parse_route(
        "POST",
        &format!("/{}/_search", request.index),
        None,
        &state.index_policy,
    )
    .map_err(ApiError::Refused)?;
    let permit = Arc::clone(&state.exports.running)
        .try_acquire_owned()
        .map_err(|_| ApiError::Rejected {
            status: 503,
            kind: "logdash_exports_busy",
            reason: format!(
                "{} exports are running, as many as --max-exports allows; try again when one ends",
                state.exports.max_running
            ),
        })?;
    let mut pager = Pager::new(
        &request.query,
        request.from,
        request.to,
        PAGE,
        state.exports.max_events,
    );
    let first = next_page(&state, &request.index, &mut pager).await?;
    let mut head = match request.format {
        Format::Csv => csv::header(&request.columns),
        Format::Ndjson => String::new(),
    };
    head.push_str(&render(&request, &first.unwrap_or_default()));
    let (expected, cut) = (pager.expected().unwrap_or(0), pager.truncated());
    let name = file_name(&request.index, request.from, request.to, request.format);
    let format = request.format;
    let max_events = state.exports.max_events;
    let mut response = Response::new(Body::from_stream(rest(state, request, pager, head, permit)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-logdash-events", expected.into());
    if cut {
        headers.insert("x-logdash-cut-at", max_events.into());
    }
    Ok(response)
}

/// What the server sets for exports.
pub struct Exports {
    pub running: Arc<Semaphore>,
    pub max_running: usize,
    /// The most events one file holds (`--export-max-events`).
    pub max_events: u64,
}

impl Exports {
    pub fn new(max_running: usize, max_events: u64) -> Self {
        let max_running = max_running.max(1);
        Exports {
            running: Arc::new(Semaphore::new(max_running)),
            max_running,
            max_events,
        }
    }
}

/// The next page's hits; `None` when the export is done. A search that failed gives its
/// error and status; one that answered but cannot be gone on from (shards missing), 502.
async fn next_page(
    state: &AppState,
    index: &str,
    pager: &mut Pager,
) -> Result<Option<Vec<Value>>, ApiError> {
    let Some(body) = pager.request() else {
        return Ok(None);
    };
    let answer = state.backend.search(index, body).await?;
    pager
        .take(&answer)
        .map(Some)
        .map_err(|error: PageError| ApiError::Rejected {
            status: 502,
            kind: "logdash_export_failed",
            reason: format!("export: {error}"),
        })
}

/// A page as the file's text.
fn render(request: &Request, hits: &[Value]) -> String {
    let mut text = String::new();
    for hit in hits {
        match request.format {
            Format::Ndjson => text.push_str(&ndjson_line(hit)),
            Format::Csv => text.push_str(&csv::row(hit, &request.columns)),
        }
    }
    text
}

/// The file from `head` on: a task reads each page once the client took the one before,
/// and ends the stream with an error (a broken transfer) unless it read the last page.
fn rest(
    state: Arc<AppState>,
    request: Request,
    mut pager: Pager,
    head: String,
    permit: OwnedSemaphorePermit,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let (sender, receiver) = mpsc::channel(1);
    let whole = Arc::new(AtomicBool::new(false));
    let written = Arc::clone(&whole);
    tokio::spawn(async move {
        let _running = permit;
        let mut page = Bytes::from(head);
        loop {
            match sender.send_timeout(page, IDLE).await {
                Ok(()) => {}
                Err(SendTimeoutError::Timeout(_)) => {
                    tracing::warn!(index = %request.index, "export dropped: the client took nothing for {} s", IDLE.as_secs());
                    return;
                }
                Err(SendTimeoutError::Closed(_)) => return, // the client left
            }
            page = match next_page(&state, &request.index, &mut pager).await {
                Ok(Some(hits)) => Bytes::from(render(&request, &hits)),
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(index = %request.index, %error, written = pager.taken(), "export failed");
                    return;
                }
            };
        }
        written.store(true, Ordering::Release);
    });
    // fused: the compression layer may ask again after the end
    stream::unfold(Some(receiver), move |receiver| {
        let whole = Arc::clone(&whole);
        async move {
            let mut receiver = receiver?;
            match receiver.recv().await {
                Some(page) => Some((Ok(page), Some(receiver))),
                None if whole.load(Ordering::Acquire) => None,
                None => Some((
                    Err(std::io::Error::other(
                        "the export ended before its last event",
                    )),
                    None,
                )),
            }
        }
    })
    .fuse()
}
