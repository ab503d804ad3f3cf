//! The Elasticsearch wire model: what logdash sends and what it reads back.
//!
//! Strict where logdash parses requests, lenient where it parses the answers of
//! real clusters (Elasticsearch 7/8/9, OpenSearch 1/2).

pub mod body;
pub mod cat;
pub mod error;
pub mod filter_path;
pub mod info;
pub mod names;
pub mod query;
pub mod route;
pub mod scroll;
pub mod search;
pub mod shards;

pub use error::{ErrorBody, ErrorCause};
pub use info::{ClusterInfo, Distribution, VersionInfo};
pub use shards::ShardGaps;
