//! Proxy mode: `/es/` requests that passed the allowlist are forwarded to a real
//! Elasticsearch or OpenSearch cluster, with the server's credentials added. The browser
//! never sees the credentials; the cluster's status and body come back unchanged.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderValue, Method, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// How to reach the cluster, from the configuration.
#[derive(Debug, Clone)]
pub struct UpstreamConfig {
    pub url: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub api_key: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub timeout: Duration,
    pub max_connections: usize,
}

/// What the cluster answered.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: Option<HeaderValue>,
    pub body: Bytes,
}

/// A cluster logdash forwards to.
pub struct Upstream {
    client: reqwest::Client,
    base: String,
    authorization: Option<HeaderValue>,
    slots: Arc<Semaphore>,
    max_connections: usize,
    timeout: Duration,
}

impl Upstream {
    /// Checks the configuration (URL, credentials, CA file) and builds the client.
    pub fn new(config: &UpstreamConfig) -> Result<Self, String> {
        let base = config.url.trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base)
            .map_err(|err| format!("--elasticsearch {base:?} is not a URL: {err}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "--elasticsearch must be an http:// or https:// URL, not {base:?}"
            ));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(
                "--elasticsearch must not carry credentials; use --es-username/--es-password or --es-api-key"
                    .to_string(),
            );
        }
        let authorization = authorization(config)?;
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(config.max_connections)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path)
                .map_err(|err| format!("cannot read the CA file {}: {err}", path.display()))?;
            let certificate = reqwest::Certificate::from_pem(&pem).map_err(|err| {
                format!(
                    "the CA file {} is not a PEM certificate: {err}",
                    path.display()
                )
            })?;
            builder = builder.add_root_certificate(certificate);
        }
        let client = builder
            .build()
            .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
        Ok(Self {
            client,
            base,
            authorization,
            slots: Arc::new(Semaphore::new(config.max_connections.max(1))),
            max_connections: config.max_connections.max(1),
            timeout: config.timeout,
        })
    }

    /// The cluster's address, for logs and `/healthz` (it never holds credentials).
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Forwards one request that passed the checks; `path_and_query` starts with `/`.
    pub async fn forward(
        &self,
        method: Method,
        path_and_query: &str,
        content_type: &'static str,
        body: Bytes,
    ) -> Result<Answer, ApiError> {
        let url = format!("{}{}", self.base, path_and_query);
        // a short wait for a free slot, then a clear refusal rather than an unbounded queue
        let _slot = tokio::time::timeout(Duration::from_secs(5), self.slots.acquire())
            .await
            .ok()
            .and_then(Result::ok)
            .ok_or(ApiError::Upstream {
                status: 503,
                kind: "logdash_upstream_busy",
                reason: format!(
                    "all {} connections to Elasticsearch are busy; try again",
                    self.max_connections
                ),
            })?;
        let mut request = self.client.request(method, &url);
        if !body.is_empty() {
            request = request
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body);
        }
        if let Some(value) = &self.authorization {
            request = request.header(reqwest::header::AUTHORIZATION, value.clone());
        }
        let response = request.send().await.map_err(|err| self.failure(&err))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .cloned();
        let body = response.bytes().await.map_err(|err| self.failure(&err))?;
        Ok(Answer {
            status,
            content_type,
            body,
        })
    }

    fn failure(&self, err: &reqwest::Error) -> ApiError {
        if err.is_timeout() {
            ApiError::Upstream {
                status: 504,
                kind: "logdash_upstream_timeout",
                reason: format!(
                    "Elasticsearch at {} did not answer within {} s",
                    self.base,
                    self.timeout.as_secs_f64()
                ),
            }
        } else {
            ApiError::Upstream {
                status: 502,
                kind: "logdash_upstream_unreachable",
                reason: format!(
                    "cannot reach Elasticsearch at {}: {}",
                    self.base,
                    error_chain(err)
                ),
            }
        }
    }
}

/// The Authorization header for the configured credentials (API key wins).
fn authorization(config: &UpstreamConfig) -> Result<Option<HeaderValue>, String> {
    let value = match (&config.api_key, &config.username, &config.password) {
        (Some(key), _, _) => format!("ApiKey {key}"),
        (None, Some(user), password) => {
            let pair = format!("{user}:{}", password.as_deref().unwrap_or(""));
            format!("Basic {}", STANDARD.encode(pair))
        }
        (None, None, Some(_)) => return Err("--es-password needs --es-username".to_string()),
        (None, None, None) => return Ok(None),
    };
    let mut header = HeaderValue::from_str(&value)
        .map_err(|_| "the Elasticsearch credentials hold characters a header cannot carry")?;
    header.set_sensitive(true);
    Ok(Some(header))
}

/// An error and its causes in one line ("error sending request: connection refused").
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> UpstreamConfig {
        UpstreamConfig {
            url: url.to_string(),
            username: None,
            password: None,
            api_key: None,
            ca_file: None,
            timeout: Duration::from_secs(1),
            max_connections: 4,
        }
    }

    #[test]
    fn bad_configurations_are_named() {
        let message = |c: UpstreamConfig| Upstream::new(&c).err().unwrap_or_default();
        assert!(message(config("elasticsearch:9200")).contains("http:// or https://"));
        assert!(message(config("not a url")).contains("is not a URL"));
        assert!(message(config("http://user:pw@es:9200")).contains("must not carry credentials"));
        let mut orphan = config("http://es:9200");
        orphan.password = Some("pw".into());
        assert!(message(orphan).contains("--es-password needs --es-username"));
        let mut missing_ca = config("https://es:9200");
        missing_ca.ca_file = Some("/nonexistent/ca.pem".into());
        assert!(message(missing_ca).contains("cannot read the CA file"));
    }

    #[test]
    fn api_key_wins_over_basic_auth() {
        let mut both = config("http://es:9200");
        both.username = Some("elastic".into());
        both.password = Some("changeme".into());
        assert_eq!(
            authorization(&both).ok().flatten(),
            HeaderValue::from_str("Basic ZWxhc3RpYzpjaGFuZ2VtZQ==").ok()
        );
        both.api_key = Some("a2V5".into());
        assert_eq!(
            authorization(&both).ok().flatten(),
            HeaderValue::from_str("ApiKey a2V5").ok()
        );
    }
}
