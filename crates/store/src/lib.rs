//! logdash's embedded log store: Elasticsearch's API over tantivy indices kept on disk.
//!
//! The pipeline reads in folder order: `ingest` turns events into documents,
//! `indices` keeps one tantivy index per Elasticsearch index, and the request
//! handlers answer in Elasticsearch's JSON.

mod error;
mod meta;

use std::path::{Path, PathBuf};

use logdash_core::es::info::{ClusterInfo, VersionInfo, EMBEDDED_BUILD_FLAVOR};

pub use error::StoreError;

/// The Elasticsearch version whose API (and JSON shapes) the store speaks.
pub const COMPATIBLE_ES_VERSION: &str = "8.15.0";

/// The embedded store, opened on one data directory.
pub struct Store {
    data_dir: PathBuf,
    meta: meta::ClusterMeta,
}

impl Store {
    /// Opens the store in `data_dir`, creating it on first use.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            what: format!("create data directory {}", data_dir.display()),
            source,
        })?;
        let meta = meta::ClusterMeta::load_or_create(data_dir)?;
        Ok(Self {
            data_dir: data_dir.to_path_buf(),
            meta,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The answer to `GET /`.
    pub fn info(&self) -> ClusterInfo {
        ClusterInfo {
            name: self.meta.node_name.clone(),
            cluster_name: self.meta.cluster_name.clone(),
            cluster_uuid: self.meta.cluster_uuid.clone(),
            version: VersionInfo {
                number: COMPATIBLE_ES_VERSION.to_string(),
                distribution: None,
                build_flavor: Some(EMBEDDED_BUILD_FLAVOR.to_string()),
                lucene_version: Some(format!("tantivy-{}", tantivy::version_string())),
                minimum_wire_compatibility_version: None,
            },
            tagline: "You Know, for Search".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logdash_core::es::Distribution;

    #[test]
    fn info_is_elasticsearch_shaped_and_stable_across_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = Store::open(dir.path()).expect("opens").info();
        assert_eq!(first.version.number, COMPATIBLE_ES_VERSION);
        assert_eq!(first.distribution(), Distribution::LogdashEmbedded);
        assert_eq!(first.cluster_name, "logdash");
        let again = Store::open(dir.path()).expect("reopens").info();
        assert_eq!(first.cluster_uuid, again.cluster_uuid);
        assert_eq!(first.cluster_uuid.len(), 22);
    }

    #[test]
    fn refuses_a_data_dir_that_is_a_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").expect("write");
        let err = Store::open(&file).err().expect("a file is no data dir");
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }
}
