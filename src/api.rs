//! All of the dashboard's HTTP: where the APIs are, and the Elasticsearch calls.

use gloo_net::http::Request;
use logdash_core::es::ClusterInfo;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::AppError;

/// Where the Elasticsearch API is, from `config.json` beside `index.html`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    pub es_base: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Self {
            es_base: "es".to_string(),
        }
    }
}

impl Endpoints {
    fn es_url(&self, path: &str) -> String {
        format!("{}/{}", self.es_base.trim_end_matches('/'), path)
    }
}

/// Reads `config.json`; a page hosted without one talks to `es/` beside it.
pub async fn endpoints() -> Endpoints {
    match Request::get("config.json").send().await {
        Ok(response) if response.ok() => response.json().await.unwrap_or_default(),
        _ => Endpoints::default(),
    }
}

/// `GET /` of the Elasticsearch API: which cluster and version answers.
pub async fn cluster_info(endpoints: &Endpoints) -> Result<ClusterInfo, AppError> {
    get_json(&endpoints.es_url("")).await
}

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, AppError> {
    let response = Request::get(url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|err| AppError::Unreachable {
            url: url.to_string(),
            detail: err.to_string(),
        })?;
    let status = response.status();
    let text = response.text().await.map_err(|err| AppError::Unreachable {
        url: url.to_string(),
        detail: err.to_string(),
    })?;
    if !response.ok() {
        return Err(AppError::from_status(url, status, &text));
    }
    serde_json::from_str(&text).map_err(|err| AppError::BadAnswer {
        url: url.to_string(),
        detail: err.to_string(),
    })
}
