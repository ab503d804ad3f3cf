//! A stand-in for Elasticsearch that records every request it gets, so tests can prove
//! what the proxy forwards (and what it never forwards). It answers:
//! `GET /` with cluster info, `/slow/...` after 3 s, `/missing/...` with a 404 error,
//! saved-query documents under `/.logdash-saved-queries/` from memory, `/_bulk` (its body
//! gunzipped when it says it is gzip) with every entry created (after failing as many
//! times as asked with 503, or with the item statuses a test gave), searches as the test
//! says (`answer_searches`), and anything else with an empty search result.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

/// One request as the upstream saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub method: String,
    /// Path and query, exactly as they arrived.
    pub target: String,
    pub authorization: Option<String>,
    pub cookie: Option<String>,
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    /// Decompressed when it came gzip-encoded.
    pub body: String,
}

/// How a test answers searches itself.
type Searches = Arc<dyn Fn(&Value) -> Value + Send + Sync>;

#[derive(Default)]
struct Memory {
    requests: Vec<Recorded>,
    documents: BTreeMap<String, Value>,
    bulk_failures_left: usize,
    /// Item statuses for the next `_bulk` answers, one list per request.
    bulk_items: Vec<Vec<u16>>,
    searches: Option<Searches>,
    /// Index templates put, by name.
    templates: BTreeMap<String, Value>,
}

pub struct Upstream {
    pub url: String,
    memory: Arc<Mutex<Memory>>,
}

impl Upstream {
    pub async fn start() -> Upstream {
        let memory = Arc::new(Mutex::new(Memory::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address: SocketAddr = listener.local_addr().expect("address");
        let router = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&memory));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Upstream {
            url: format!("http://{address}"),
            memory,
        }
    }

    /// Everything received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.memory.lock().expect("lock").requests.clone()
    }

    /// The next `times` `_bulk` requests get 503, as from a cluster that cannot take more.
    pub fn fail_next_bulks(&self, times: usize) {
        self.memory.lock().expect("lock").bulk_failures_left = times;
    }

    /// The next `_bulk` requests' items get these statuses (one list per request, in
    /// order; a list shorter than the request's entries creates the rest).
    pub fn answer_next_bulks_with(&self, statuses: Vec<Vec<u16>>) {
        self.memory.lock().expect("lock").bulk_items = statuses;
    }

    /// Every `_search` from now on is answered by `answer` (given the request's body).
    pub fn answer_searches(&self, answer: impl Fn(&Value) -> Value + Send + Sync + 'static) {
        self.memory.lock().expect("lock").searches = Some(Arc::new(answer));
    }

    pub fn clear(&self) {
        self.memory.lock().expect("lock").requests.clear();
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn answer(
    State(memory): State<Arc<Mutex<Memory>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_string(), |pq| pq.as_str().to_string());
    let content_encoding = header(&headers, "content-encoding");
    let body = match content_encoding.as_deref() {
        Some("gzip") => {
            use std::io::Read;
            let mut plain = Vec::new();
            let read = flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut plain);
            read.map(|_| Bytes::from(plain)).unwrap_or(body)
        }
        _ => body,
    };
    let recorded = Recorded {
        method: method.to_string(),
        target: target.clone(),
        authorization: header(&headers, "authorization"),
        cookie: header(&headers, "cookie"),
        content_type: header(&headers, "content-type"),
        content_encoding,
        body: String::from_utf8_lossy(&body).to_string(),
    };
    let searches = {
        let mut memory = memory.lock().expect("lock");
        memory.requests.push(recorded);
        memory.searches.clone()
    };
    let path = uri.path();
    if let Some(searches) = searches.filter(|_| path.ends_with("/_search")) {
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        return axum::Json(searches(&request)).into_response();
    }
    if path == "/" {
        return axum::Json(json!({"name": "recorder", "cluster_name": "test", "version": {"number": "8.15.0"}, "tagline": "You Know, for Search"})).into_response();
    }
    if path.starts_with("/slow/") {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    if path.starts_with("/missing/") {
        let error = json!({"error": {"type": "index_not_found_exception", "reason": "no such index [missing]"}, "status": 404});
        return (StatusCode::NOT_FOUND, axum::Json(error)).into_response();
    }
    if let Some(name) = path.strip_prefix("/_index_template/") {
        let mut memory = memory.lock().expect("lock");
        if method == Method::PUT {
            let template = serde_json::from_slice(&body).unwrap_or(Value::Null);
            memory.templates.insert(name.to_string(), template);
            return axum::Json(json!({"acknowledged": true})).into_response();
        }
        return match memory.templates.get(name) {
            Some(template) => axum::Json(json!({"index_templates": [
                {"name": name, "index_template": template}]}))
            .into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    if path == "/_bulk" {
        let mut memory = memory.lock().expect("lock");
        if memory.bulk_failures_left > 0 {
            memory.bulk_failures_left -= 1;
            let error = json!({"error": {"type": "cluster_block_exception", "reason": "busy"}, "status": 503});
            return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(error)).into_response();
        }
        let entries = String::from_utf8_lossy(&body).lines().count() / 2;
        let statuses = if memory.bulk_items.is_empty() {
            Vec::new()
        } else {
            memory.bulk_items.remove(0)
        };
        let items: Vec<Value> = (0..entries)
            .map(|at| match statuses.get(at).copied().unwrap_or(201) {
                201 => json!({"create": {"_index": "logstash-test", "status": 201, "result": "created"}}),
                status => json!({"create": {"_index": "logstash-test", "status": status,
                    "error": {"type": "test_exception", "reason": format!("answered {status} by the test")}}}),
            })
            .collect();
        let errors = items.iter().any(|item| item["create"]["status"] != 201);
        return axum::Json(json!({"took": 1, "errors": errors, "items": items})).into_response();
    }
    // a cluster with a node gone: searches answer 200 with one of two shards failed
    if path.starts_with("/partial") {
        return axum::Json(json!({"took": 1, "timed_out": false,
            "_shards": {"total": 2, "successful": 1, "failed": 1, "failures": [
                {"index": "partial-a", "shard": 1, "reason": {"type": "node_disconnected_exception", "reason": "node left"}}]},
            "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}})).into_response();
    }
    if let Some(rest) = path.strip_prefix("/.logdash-saved-queries/") {
        return documents(&memory, &method, rest, &body);
    }
    axum::Json(json!({"took": 1, "timed_out": false, "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}})).into_response()
}

/// Just enough of Elasticsearch's document API for the saved-query store.
fn documents(memory: &Mutex<Memory>, method: &Method, rest: &str, body: &Bytes) -> Response {
    let mut memory = memory.lock().expect("lock");
    let source: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let parts: Vec<&str> = rest.split('/').collect();
    match (method.as_str(), parts.as_slice()) {
        ("POST", ["_search"]) => {
            let hits: Vec<Value> = memory
                .documents
                .iter()
                .map(|(id, doc)| json!({"_id": id, "_source": doc}))
                .collect();
            axum::Json(
                json!({"hits": {"total": {"value": hits.len(), "relation": "eq"}, "hits": hits}}),
            )
            .into_response()
        }
        ("PUT", ["_create", id]) | ("PUT", ["_doc", id]) => {
            memory.documents.insert((*id).to_string(), source);
            (
                StatusCode::CREATED,
                axum::Json(json!({"_id": id, "result": "created"})),
            )
                .into_response()
        }
        ("GET", ["_doc", id]) => match memory.documents.get(*id) {
            Some(doc) => {
                axum::Json(json!({"_id": id, "found": true, "_source": doc})).into_response()
            }
            None => (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"_id": id, "found": false})),
            )
                .into_response(),
        },
        ("DELETE", ["_doc", id]) => match memory.documents.remove(*id) {
            Some(_) => axum::Json(json!({"result": "deleted"})).into_response(),
            None => (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"result": "not_found"})),
            )
                .into_response(),
        },
        _ => (StatusCode::BAD_REQUEST, "unexpected").into_response(),
    }
}
