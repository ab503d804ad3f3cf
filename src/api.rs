//! All of the dashboard's HTTP: where the APIs are, and the Elasticsearch calls.

use gloo_net::http::{Request, RequestBuilder};
use logdash_core::dashboard::tail::{Row, RowFields};
use logdash_core::es::ClusterInfo;
use logdash_core::saved::{SavedQuery, SavedQueryInput};
use serde::Deserialize;
use serde_json::Value;

use crate::error::AppError;

/// Where the Elasticsearch API is, from `config.json` beside `index.html`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Endpoints {
    pub es_base: String,
    /// Where `/api/saved-queries` is; without one, saved queries stay in the browser.
    pub api_base: String,
    /// Who may frame the dashboard and drive its embed API (CSP frame-ancestors sources).
    pub frame_ancestors: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Self {
            es_base: "es".to_string(),
            api_base: "api".to_string(),
            frame_ancestors: "'self'".to_string(),
        }
    }
}

impl Endpoints {
    fn es_url(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.es_base.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }

    pub fn api_url(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.api_base.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

thread_local! {
    static ENDPOINTS: std::cell::RefCell<Option<Endpoints>> = const { std::cell::RefCell::new(None) };
}

/// Reads `config.json` once a page; a page hosted without one talks to `es/` beside it.
pub async fn endpoints() -> Endpoints {
    if let Some(known) = ENDPOINTS.with_borrow(Clone::clone) {
        return known;
    }
    let read = match Request::get("config.json").send().await {
        Ok(response) if response.ok() => response.json().await.unwrap_or_default(),
        _ => Endpoints::default(),
    };
    ENDPOINTS.set(Some(read.clone()));
    read
}

/// `GET /`: which cluster and version answers.
pub async fn cluster_info(endpoints: &Endpoints) -> Result<ClusterInfo, AppError> {
    let value = send(
        Request::get(&endpoints.es_url("")),
        None,
        &endpoints.es_url(""),
    )
    .await?;
    serde_json::from_value(value).map_err(|err| AppError::BadAnswer {
        url: endpoints.es_url(""),
        detail: err.to_string(),
    })
}

/// `GET /{index}/_field_caps?fields=*`
pub async fn field_caps(endpoints: &Endpoints, index: &str) -> Result<Value, AppError> {
    let url = endpoints.es_url(&format!("{index}/_field_caps?fields=*"));
    send(Request::get(&url), None, &url).await
}

/// `POST /_msearch`
pub async fn msearch(endpoints: &Endpoints, body: String) -> Result<Value, AppError> {
    let url = endpoints.es_url("_msearch");
    send(
        Request::post(&url).header("Content-Type", "application/x-ndjson"),
        Some(body),
        &url,
    )
    .await
}

/// `POST /{index}/_search`
pub async fn search(endpoints: &Endpoints, index: &str, body: &Value) -> Result<Value, AppError> {
    let url = endpoints.es_url(&format!("{index}/_search"));
    send(
        Request::post(&url).header("Content-Type", "application/json"),
        Some(body.to_string()),
        &url,
    )
    .await
}

/// One event by its `_id` in `index` (`None`: there is none), its text from `fields`.
pub async fn event_by_id(
    endpoints: &Endpoints,
    index: &str,
    id: &str,
    fields: &RowFields,
) -> Result<Option<Row>, AppError> {
    let body = serde_json::json!({"size": 1, "query": {"ids": {"values": [id]}}});
    let answer = search(endpoints, index, &body).await?;
    Ok(Row::of_hit(&answer["hits"]["hits"][0], fields))
}

/// `GET /api/saved-queries`
pub async fn saved_queries(endpoints: &Endpoints) -> Result<Vec<SavedQuery>, AppError> {
    let url = endpoints.api_url("saved-queries");
    let answer = send(Request::get(&url), None, &url).await?;
    serde_json::from_value(answer["queries"].clone()).map_err(|err| AppError::BadAnswer {
        url,
        detail: err.to_string(),
    })
}

/// `POST /api/saved-queries`, or `PUT /api/saved-queries/{id}` when `id` is given.
pub async fn save_query(
    endpoints: &Endpoints,
    id: Option<&str>,
    input: &SavedQueryInput,
    token: Option<&str>,
) -> Result<SavedQuery, AppError> {
    let body = serde_json::to_string(input).unwrap_or_default();
    let (url, request) = match id {
        Some(id) => {
            let url = endpoints.api_url(&format!("saved-queries/{id}"));
            (url.clone(), Request::put(&url))
        }
        None => {
            let url = endpoints.api_url("saved-queries");
            (url.clone(), Request::post(&url))
        }
    };
    let answer = send(
        with_token(request.header("Content-Type", "application/json"), token),
        Some(body),
        &url,
    )
    .await?;
    serde_json::from_value(answer).map_err(|err| AppError::BadAnswer {
        url,
        detail: err.to_string(),
    })
}

/// `DELETE /api/saved-queries/{id}`
pub async fn delete_query(
    endpoints: &Endpoints,
    id: &str,
    token: Option<&str>,
) -> Result<(), AppError> {
    let url = endpoints.api_url(&format!("saved-queries/{id}"));
    send(with_token(Request::delete(&url), token), None, &url)
        .await
        .map(|_| ())
}

/// `POST /api/links`: the id of a short link to the view `state` (a query string).
pub async fn short_link(endpoints: &Endpoints, state: &str) -> Result<String, AppError> {
    let url = endpoints.api_url("links");
    let body = serde_json::json!({ "state": state }).to_string();
    let answer = send(
        Request::post(&url).header("Content-Type", "application/json"),
        Some(body),
        &url,
    )
    .await?;
    link_field(answer, "id", url)
}

/// `GET /api/links/{id}`: the view (a query string) a short link stores.
pub async fn open_short_link(endpoints: &Endpoints, id: &str) -> Result<String, AppError> {
    let url = endpoints.api_url(&format!("links/{id}"));
    let answer = send(Request::get(&url), None, &url).await?;
    link_field(answer, "state", url)
}

fn link_field(answer: Value, field: &str, url: String) -> Result<String, AppError> {
    answer[field]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| AppError::BadAnswer {
            url,
            detail: format!("no [{field}] in the answer"),
        })
}

/// A deployment started with `--editor-token` lets only its holders change saved queries.
fn with_token(request: RequestBuilder, token: Option<&str>) -> RequestBuilder {
    match token {
        Some(token) => request.header("Authorization", &format!("Bearer {token}")),
        None => request,
    }
}

async fn send(request: RequestBuilder, body: Option<String>, url: &str) -> Result<Value, AppError> {
    let unreachable = |detail: String| AppError::Unreachable {
        url: url.to_string(),
        detail,
    };
    let request = request.header("Accept", "application/json");
    let response = match body {
        Some(body) => {
            request
                .body(body)
                .map_err(|e| unreachable(e.to_string()))?
                .send()
                .await
        }
        None => request.send().await,
    }
    // the browser says only "TypeError: Failed to fetch": say what that means
    .map_err(|_| {
        unreachable("no answer (the server is down, or the address is wrong)".to_string())
    })?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    if !response.ok() {
        return Err(AppError::from_status(url, status, &text));
    }
    if text.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).map_err(|err| AppError::BadAnswer {
        url: url.to_string(),
        detail: err.to_string(),
    })
}
