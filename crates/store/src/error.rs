//! The store's errors: faults of the store itself, and requests it refuses.

use logdash_core::es::ErrorBody;

/// A failure of the store itself (disk, index), as opposed to a bad request.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("corrupt {what}: {detail}")]
    Corrupt { what: String, detail: String },
    #[error("index failure: {0}")]
    Index(String),
}

/// A request the store refuses or cannot answer, in Elasticsearch's terms.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}: {reason}")]
pub struct RequestError {
    pub status: u16,
    pub kind: &'static str,
    pub reason: String,
    /// Set when Elasticsearch raises this error on the shards, while running the query,
    /// not while reading the request: the index whose shard failed. The answer then wraps
    /// it in `search_phase_execution_exception`, as Elasticsearch's does.
    pub shard: Option<String>,
}

impl RequestError {
    /// A malformed or unsupported request (400).
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self {
            status: 400,
            kind: "parsing_exception",
            reason: reason.into(),
            shard: None,
        }
    }

    /// A well-formed request asking for something logdash does not do (400).
    pub fn illegal_argument(reason: impl Into<String>) -> Self {
        Self {
            status: 400,
            kind: "illegal_argument_exception",
            reason: reason.into(),
            shard: None,
        }
    }

    pub fn index_not_found(index: &str) -> Self {
        Self {
            status: 404,
            kind: "index_not_found_exception",
            reason: format!("no such index [{index}]"),
            shard: None,
        }
    }

    pub fn internal(reason: impl Into<String>) -> Self {
        Self {
            status: 500,
            kind: "internal_server_error",
            reason: reason.into(),
            shard: None,
        }
    }

    /// This error as one that happened on the shards of `index` (see [`RequestError::shard`]),
    /// unless it is one of reading the request, which Elasticsearch raises before any shard
    /// runs (`parsing_exception`, `x_content_parse_exception`).
    pub fn on_shards_of(self, index: &str) -> Self {
        if matches!(self.kind, "parsing_exception" | "x_content_parse_exception") {
            return self;
        }
        Self {
            shard: Some(index.to_string()),
            ..self
        }
    }

    pub fn body(&self) -> ErrorBody {
        match &self.shard {
            None => ErrorBody::new(self.status, self.kind, self.reason.clone()),
            Some(index) => {
                ErrorBody::all_shards_failed(self.status, self.kind, &self.reason, index)
            }
        }
    }
}

impl From<StoreError> for RequestError {
    fn from(err: StoreError) -> Self {
        RequestError::internal(err.to_string())
    }
}
