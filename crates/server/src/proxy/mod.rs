//! Proxy mode: `/es/` requests that passed the allowlist are forwarded to a real
//! Elasticsearch or OpenSearch cluster, with the server's credentials added. The browser
//! never sees the credentials; the cluster's status and body come back unchanged.
//!
//! Requests go out on kept-alive HTTP/1.1 connections (`http1`) taken from a small pool,
//! over TCP or TLS (`connect`), to an address parsed once at start (`target`).

mod connect;
mod http1;
pub mod own;
mod target;

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderValue, Method, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use tokio::sync::Semaphore;

use crate::error::ApiError;
use http1::{Connection, Failure};

/// How long a kept-alive connection may sit unused before it is dropped rather than
/// reused: load balancers in front of clusters often close idle connections after a minute.
const IDLE_LIMIT: Duration = Duration::from_secs(30);

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

impl UpstreamConfig {
    /// The cluster at `url`, reached with the credentials and limits in `config`.
    pub fn from_config(url: &str, config: &crate::Config) -> Self {
        Self {
            url: url.to_string(),
            username: config.es_username.clone(),
            password: config.es_password.clone(),
            api_key: config.es_api_key.clone(),
            ca_file: config.es_ca_file.clone(),
            timeout: Duration::from_secs(config.es_timeout_secs.max(1)),
            max_connections: config.es_max_connections,
        }
    }
}

/// What the cluster answered.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: Option<HeaderValue>,
    pub body: Bytes,
}

/// A cluster logdash forwards to.
pub struct Upstream {
    target: target::Target,
    dialer: connect::Dialer,
    /// The header lines every request carries (`Host`, and `Authorization` when
    /// credentials are configured), ready to go into each request's head.
    headers: String,
    /// Kept-alive connections, one pool per serving runtime (`serve::worker`): a socket is
    /// driven by the runtime that opened it, so each runtime reuses its own.
    idle: Vec<Mutex<Vec<(Connection, Instant)>>>,
    slots: Semaphore,
    max_connections: usize,
    timeout: Duration,
}

impl Upstream {
    /// Checks the configuration (URL, credentials, CA file) and prepares connections.
    pub fn new(config: &UpstreamConfig) -> Result<Self, String> {
        let target = target::parse(&config.url)?;
        let mut headers = format!("Host: {}\r\n", target.authority);
        if let Some(value) = authorization(config)? {
            headers.push_str(&format!("Authorization: {value}\r\n"));
        }
        let dialer = connect::Dialer::new(&target, config.ca_file.as_deref())?;
        let max_connections = config.max_connections.max(1);
        Ok(Self {
            target,
            dialer,
            headers,
            idle: (0..=crate::serve::workers())
                .map(|_| Mutex::new(Vec::new()))
                .collect(),
            slots: Semaphore::new(max_connections),
            max_connections,
            timeout: config.timeout,
        })
    }

    /// The cluster's address, for logs and `/healthz` (it never holds credentials).
    pub fn url(&self) -> &str {
        &self.target.url
    }

    /// One of the server's own requests whose answer is a JSON document (a search, an
    /// `_msearch`): the document, or the cluster's error with its status.
    pub async fn json(
        &self,
        path: &str,
        content_type: &'static str,
        body: Bytes,
    ) -> Result<serde_json::Value, ApiError> {
        let answer = self.forward(Method::POST, path, content_type, body).await?;
        let status = answer.status.as_u16();
        let text = String::from_utf8_lossy(&answer.body);
        if !answer.status.is_success() {
            let reason = logdash_core::es::ErrorBody::parse(status, &text)
                .map(|error| error.summary())
                .unwrap_or_else(|| text.chars().take(300).collect());
            return Err(ApiError::Upstream {
                status,
                kind: "logdash_upstream_error",
                reason: format!("Elasticsearch answered {status}: {reason}"),
            });
        }
        serde_json::from_str(&text).map_err(|err| ApiError::Upstream {
            status: 502,
            kind: "logdash_upstream_error",
            reason: format!("Elasticsearch's answer is not JSON: {err}"),
        })
    }

    /// Forwards one request that passed the checks; `path_and_query` starts with `/`.
    pub async fn forward(
        &self,
        method: Method,
        path_and_query: &str,
        content_type: &'static str,
        body: Bytes,
    ) -> Result<Answer, ApiError> {
        self.forward_encoded(method, path_and_query, content_type, None, body)
            .await
    }

    /// Forwards one request whose body is encoded as `encoding` says (`Content-Encoding`:
    /// `gzip` for the `_bulk` requests of `--ingest`, as Logstash and Beats send theirs).
    pub async fn forward_encoded(
        &self,
        method: Method,
        path_and_query: &str,
        content_type: &'static str,
        encoding: Option<&'static str>,
        body: Bytes,
    ) -> Result<Answer, ApiError> {
        let _slot = match self.slots.try_acquire() {
            Ok(slot) => slot,
            // a short wait for a free slot, then a clear refusal rather than an unbounded queue
            Err(_) => tokio::time::timeout(Duration::from_secs(5), self.slots.acquire())
                .await
                .ok()
                .and_then(Result::ok)
                .ok_or_else(|| ApiError::Upstream {
                    status: 503,
                    kind: "logdash_upstream_busy",
                    reason: format!(
                        "all {} connections to Elasticsearch are busy; try again",
                        self.max_connections
                    ),
                })?,
        };
        let request = self.request(&method, path_and_query, content_type, encoding, &body)?;
        let bodiless = method == Method::HEAD;
        let answer = tokio::time::timeout(self.timeout, self.exchange(&request, bodiless))
            .await
            .map_err(|_| ApiError::Upstream {
                status: 504,
                kind: "logdash_upstream_timeout",
                reason: format!(
                    "Elasticsearch at {} did not answer within {} s",
                    self.target.url,
                    self.timeout.as_secs_f64()
                ),
            })??;
        Ok(answer)
    }

    /// The request as it goes on the wire: head with the cluster's host and the server's
    /// credentials, then the checked body.
    fn request(
        &self,
        method: &Method,
        path_and_query: &str,
        content_type: &str,
        encoding: Option<&str>,
        body: &[u8],
    ) -> Result<Vec<u8>, ApiError> {
        if !path_and_query.starts_with('/') || !path_and_query.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(ApiError::Rejected {
                status: 400,
                kind: "illegal_argument_exception",
                reason: format!("the path {path_and_query:?} cannot be forwarded as it is"),
            });
        }
        let mut request = Vec::with_capacity(
            method.as_str().len()
                + self.target.prefix.len()
                + path_and_query.len()
                + self.headers.len()
                + 96 // the Content-Type and Content-Length lines
                + body.len(),
        );
        for part in [
            method.as_str(),
            " ",
            &self.target.prefix,
            path_and_query,
            " HTTP/1.1\r\n",
            &self.headers,
        ] {
            request.extend_from_slice(part.as_bytes());
        }
        if !body.is_empty() {
            for part in ["Content-Type: ", content_type, "\r\n"] {
                request.extend_from_slice(part.as_bytes());
            }
            if let Some(encoding) = encoding {
                for part in ["Content-Encoding: ", encoding, "\r\n"] {
                    request.extend_from_slice(part.as_bytes());
                }
            }
        }
        if !body.is_empty() || !matches!(*method, Method::GET | Method::HEAD) {
            request.extend_from_slice(b"Content-Length: ");
            request.extend_from_slice(body.len().to_string().as_bytes());
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"\r\n");
        request.extend_from_slice(body);
        Ok(request)
    }

    /// One exchange on a kept-alive connection if there is one, else on a new one. A
    /// kept-alive connection the cluster closed while it sat idle gets one retry on a new
    /// connection: nothing of the answer came back, so the cluster did not act on it.
    async fn exchange(&self, request: &[u8], bodiless: bool) -> Result<Answer, ApiError> {
        if let Some(mut connection) = self.take_idle() {
            match connection.exchange(request, bodiless).await {
                Ok(response) => return Ok(self.finish(connection, response)),
                Err(Failure::Closed(_)) => {}
                Err(failure) => return Err(self.failure(failure)),
            }
        }
        let stream = self
            .dialer
            .dial()
            .await
            .map_err(|err| self.unreachable(&err))?;
        let mut connection = Connection::new(stream);
        match connection.exchange(request, bodiless).await {
            Ok(response) => Ok(self.finish(connection, response)),
            Err(failure) => Err(self.failure(failure)),
        }
    }

    /// The pool of the runtime this task runs on.
    fn pool(&self) -> &Mutex<Vec<(Connection, Instant)>> {
        let worker = crate::serve::worker();
        &self.idle[worker.min(self.idle.len() - 1)]
    }

    fn take_idle(&self) -> Option<Connection> {
        let mut idle = self.pool().lock().unwrap_or_else(PoisonError::into_inner);
        while let Some((connection, since)) = idle.pop() {
            if since.elapsed() < IDLE_LIMIT {
                return Some(connection);
            }
        }
        None
    }

    fn finish(&self, connection: Connection, response: http1::Response) -> Answer {
        if response.reusable {
            let mut idle = self.pool().lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < self.max_connections {
                idle.push((connection, Instant::now()));
            }
        }
        Answer {
            status: response.status,
            content_type: response.content_type,
            body: response.body,
        }
    }

    fn failure(&self, failure: Failure) -> ApiError {
        match failure {
            Failure::Closed(err) | Failure::Io(err) => self.unreachable(&err),
            Failure::Invalid(reason) => ApiError::Upstream {
                status: 502,
                kind: "logdash_upstream_invalid",
                reason: format!(
                    "Elasticsearch at {} gave an answer logdash cannot read: {reason}",
                    self.target.url
                ),
            },
        }
    }

    fn unreachable(&self, err: &std::io::Error) -> ApiError {
        ApiError::Upstream {
            status: 502,
            kind: "logdash_upstream_unreachable",
            reason: format!(
                "cannot reach Elasticsearch at {}: {}",
                self.target.url,
                error_chain(err)
            ),
        }
    }
}

/// The Authorization header's value for the configured credentials (API key wins).
fn authorization(config: &UpstreamConfig) -> Result<Option<String>, String> {
    let value = match (&config.api_key, &config.username, &config.password) {
        (Some(key), _, _) => format!("ApiKey {key}"),
        (None, Some(user), password) => {
            let pair = format!("{user}:{}", password.as_deref().unwrap_or(""));
            format!("Basic {}", STANDARD.encode(pair))
        }
        (None, None, Some(_)) => return Err("--es-password needs --es-username".to_string()),
        (None, None, None) => return Ok(None),
    };
    if HeaderValue::from_str(&value).is_err() {
        return Err(
            "the Elasticsearch credentials hold characters a header cannot carry".to_string(),
        );
    }
    Ok(Some(value))
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
        assert!(message(config("ftp://es:21")).contains("http:// or https://"));
        assert!(message(config("not a url")).contains("is not a URL"));
        assert!(message(config("http://es:9200\r\nX: y")).contains("no valid host"));
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
            authorization(&both).ok().flatten().as_deref(),
            Some("Basic ZWxhc3RpYzpjaGFuZ2VtZQ==")
        );
        both.api_key = Some("a2V5".into());
        assert_eq!(
            authorization(&both).ok().flatten().as_deref(),
            Some("ApiKey a2V5")
        );
    }
}
