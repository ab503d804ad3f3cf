//! The store's error type: what went wrong, naming the thing it happened to.

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
}
