//! The cluster's identity (name, uuid), kept in `cluster.json` in the data directory.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::StoreError;

const FILE_NAME: &str = "cluster.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ClusterMeta {
    pub cluster_name: String,
    pub cluster_uuid: String,
    pub node_name: String,
}

impl ClusterMeta {
    pub(crate) fn load_or_create(data_dir: &Path) -> Result<Self, StoreError> {
        let path = data_dir.join(FILE_NAME);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| StoreError::Corrupt {
                what: path.display().to_string(),
                detail: err.to_string(),
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let meta = Self {
                    cluster_name: "logdash".to_string(),
                    cluster_uuid: new_uuid(),
                    node_name: node_name(),
                };
                let text = serde_json::to_vec_pretty(&meta).map_err(|err| StoreError::Corrupt {
                    what: path.display().to_string(),
                    detail: err.to_string(),
                })?;
                std::fs::write(&path, text).map_err(|source| StoreError::Io {
                    what: format!("write {}", path.display()),
                    source,
                })?;
                Ok(meta)
            }
            Err(source) => Err(StoreError::Io {
                what: format!("read {}", path.display()),
                source,
            }),
        }
    }
}

/// A 22-character url-safe id like Elasticsearch's cluster uuids, from the clock and the process.
pub(crate) fn new_uuid() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut state = nanos ^ (u128::from(std::process::id()) << 64);
    (0..22)
        .map(|_| {
            // xorshift keeps the 22 characters from repeating the clock's low bits
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(ALPHABET[(state % 64) as usize])
        })
        .collect()
}

fn node_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "logdash".to_string())
}
