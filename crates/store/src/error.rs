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
    /// The disk holding the store is full; writes resume by themselves once space is freed.
    #[error("{0}")]
    DiskFull(String),
}

impl From<crate::writer::WriteFailure> for StoreError {
    fn from(failure: crate::writer::WriteFailure) -> Self {
        if failure.disk_full {
            StoreError::DiskFull(failure.reason)
        } else {
            StoreError::Index(failure.reason)
        }
    }
}

/// A request the store refuses or cannot answer, in Elasticsearch's terms.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}: {reason}")]
pub struct RequestError {
    pub status: u16,
    pub kind: &'static str,
    pub reason: String,
    /// Where Elasticsearch raises this error: see [`Raised`].
    pub raised: Raised,
}

/// Where Elasticsearch raises an error, which decides its answer's shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raised {
    /// Where it happens to be found: while running a search, on the shards, unless it is an
    /// error of reading the request (`parsing_exception`, `x_content_parse_exception`).
    Anywhere,
    /// While reading the request, whatever its type (an empty `filters`): it comes alone.
    Reading,
    /// On the shards of these indices: the answer wraps it in
    /// `search_phase_execution_exception`, one failure an index, as Elasticsearch's does.
    OnShards(Vec<String>),
    /// Resolving the request's indices, which found none of these names (the one name
    /// missing, or an expression's parts when nothing was left of them): the answer
    /// names them as its resource.
    Resolving(Vec<String>),
}

impl RequestError {
    /// A malformed or unsupported request (400).
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self {
            status: 400,
            kind: "parsing_exception",
            reason: reason.into(),
            raised: Raised::Anywhere,
        }
    }

    /// A well-formed request asking for something logdash does not do (400).
    pub fn illegal_argument(reason: impl Into<String>) -> Self {
        Self {
            status: 400,
            kind: "illegal_argument_exception",
            reason: reason.into(),
            raised: Raised::Anywhere,
        }
    }

    pub fn index_not_found(index: &str) -> Self {
        Self {
            status: 404,
            kind: "index_not_found_exception",
            reason: format!("no such index [{index}]"),
            raised: Raised::Resolving(vec![index.to_string()]),
        }
    }

    /// An index expression of which nothing was left, with `allow_no_indices=false`: one
    /// name is named, several are not (Elasticsearch's reason says `null` then).
    pub fn nothing_resolved(parts: Vec<String>) -> Self {
        let named = match parts.as_slice() {
            [one] => one.clone(),
            _ => "null".to_string(),
        };
        Self {
            reason: format!("no such index [{named}]"),
            raised: Raised::Resolving(parts),
            ..Self::index_not_found(&named)
        }
    }

    pub fn internal(reason: impl Into<String>) -> Self {
        Self {
            status: 500,
            kind: "internal_server_error",
            reason: reason.into(),
            raised: Raised::Anywhere,
        }
    }

    /// This error as one that happened on the shards of `indices` (see [`Raised`]),
    /// unless it is one of reading the request, which Elasticsearch raises before any shard
    /// runs (`parsing_exception`, `x_content_parse_exception`).
    pub fn on_shards_of(self, indices: &[String]) -> Self {
        if self.raised != Raised::Anywhere
            || matches!(self.kind, "parsing_exception" | "x_content_parse_exception")
        {
            return self;
        }
        Self {
            raised: Raised::OnShards(indices.to_vec()),
            ..self
        }
    }

    /// Whether Elasticsearch raises this error on the shards (a query they fail to build),
    /// after it resolved the request's indices.
    pub fn is_shard_failure(&self) -> bool {
        self.kind == "query_shard_exception"
    }

    /// This error as one Elasticsearch raises while reading the request.
    pub fn while_reading(self) -> Self {
        Self {
            raised: Raised::Reading,
            ..self
        }
    }

    pub fn body(&self) -> ErrorBody {
        match &self.raised {
            Raised::OnShards(indices) => {
                ErrorBody::all_shards_failed(self.status, self.kind, &self.reason, indices)
            }
            Raised::Resolving(names) => {
                ErrorBody::index_not_found(self.status, self.reason.clone(), names)
            }
            _ => ErrorBody::new(self.status, self.kind, self.reason.clone()),
        }
    }
}

impl From<StoreError> for RequestError {
    fn from(err: StoreError) -> Self {
        match err {
            // what Elasticsearch answers past its disk's flood stage: a 429 that shippers
            // and clients retry until writes are taken again
            StoreError::DiskFull(reason) => RequestError {
                status: 429,
                kind: "cluster_block_exception",
                reason: format!("{reason}; writes are taken again once space is freed"),
                raised: Raised::Anywhere,
            },
            err => RequestError::internal(err.to_string()),
        }
    }
}

impl From<crate::writer::WriteFailure> for RequestError {
    fn from(failure: crate::writer::WriteFailure) -> Self {
        StoreError::from(failure).into()
    }
}
