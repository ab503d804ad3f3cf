//! The app's one error type, shown to people by `components::error_banner`.

use logdash_core::es::ErrorBody;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    /// No answer at all: the server is down or the address is wrong.
    #[error("cannot reach {url}: {detail}")]
    Unreachable { url: String, detail: String },
    /// Elasticsearch (or the proxy) answered with an error body.
    #[error("{url} answered {status}: {summary}")]
    Backend {
        url: String,
        status: u16,
        summary: String,
    },
    /// An answer that is not what the Elasticsearch API sends.
    #[error("{url} sent an answer logdash cannot read: {detail}")]
    BadAnswer { url: String, detail: String },
}

impl AppError {
    /// What happened, in a few words, before the details: unreachable, refused, failing.
    pub fn headline(&self) -> &'static str {
        match self {
            AppError::Unreachable { .. } => "Backend unreachable.",
            error if error.means_no_api() => "No Elasticsearch API here.",
            AppError::Backend {
                status: 401 | 403, ..
            } => "Access refused.",
            AppError::Backend { status, .. } if *status >= 500 => "Backend error.",
            AppError::Backend { .. } => "Request refused.",
            AppError::BadAnswer { .. } => "Unreadable answer.",
        }
    }

    /// Whether the address has no such API at all (a static host, an old server), as
    /// opposed to an API that answered with an error.
    pub fn means_no_api(&self) -> bool {
        match self {
            AppError::Unreachable { .. } | AppError::BadAnswer { .. } => true,
            AppError::Backend {
                status, summary, ..
            } => matches!(status, 404 | 405 | 501) && summary.starts_with("no Elasticsearch API"),
        }
    }

    /// Reads a failed answer, using Elasticsearch's error body when there is one.
    pub fn from_status(url: &str, status: u16, body: &str) -> Self {
        let summary = match ErrorBody::parse(status, body) {
            Some(error) => error.summary(),
            // a plain web server: it has no such path, or does not take POST at all
            None if matches!(status, 404 | 405 | 501) => {
                format!("no Elasticsearch API at this address (HTTP {status})")
            }
            None => format!("HTTP {status}"),
        };
        AppError::Backend {
            url: url.to_string(),
            status,
            summary,
        }
    }
}
