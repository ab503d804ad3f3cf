//! What the store says of itself as a cluster: `GET /`, `GET /_license` and
//! `GET /_cluster/health`.

use logdash_core::es::info::{ClusterInfo, VersionInfo, EMBEDDED_BUILD_FLAVOR};
use serde_json::Value;

use crate::{Store, COMPATIBLE_ES_VERSION};

impl Store {
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

    /// `GET /_license` as a basic-licensed Elasticsearch 8 answers it: Logstash's
    /// `elasticsearch` output writes only to a cluster whose license is `active`. Its `uid`
    /// comes from the cluster's, so it stays the same across restarts.
    pub fn license(&self) -> Value {
        let hash = |salt: u8| {
            self.meta
                .cluster_uuid
                .bytes()
                .chain([salt])
                .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                })
        };
        let (high, low) = (hash(1), hash(2));
        let uid = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            high >> 32,
            (high >> 16) & 0xffff,
            high & 0xfff,
            0x8000 | (low >> 48) & 0x3fff,
            low & 0xffff_ffff_ffff
        );
        serde_json::json!({"license": {
            "status": "active",
            "uid": uid,
            "type": "basic",
            "issue_date": "1970-01-01T00:00:00.000Z",
            "issue_date_in_millis": 0,
            "max_nodes": 1000,
            "max_resource_units": null,
            "issued_to": self.meta.cluster_name,
            "issuer": "elasticsearch",
            "start_date_in_millis": -1
        }})
    }

    /// `GET /_cluster/health`: one node holding one shard per index, all of them active
    /// (green), nothing pending. Shippers ask before writing (Vector's `--require-healthy`).
    pub fn health(&self) -> Value {
        let shards = self.index_names().len();
        serde_json::json!({
            "cluster_name": self.meta.cluster_name,
            "status": "green",
            "timed_out": false,
            "number_of_nodes": 1,
            "number_of_data_nodes": 1,
            "active_primary_shards": shards,
            "active_shards": shards,
            "relocating_shards": 0,
            "initializing_shards": 0,
            "unassigned_shards": 0,
            "unassigned_primary_shards": 0,
            "delayed_unassigned_shards": 0,
            "number_of_pending_tasks": 0,
            "number_of_in_flight_fetch": 0,
            "task_max_waiting_in_queue_millis": 0,
            "active_shards_percent_as_number": 100.0
        })
    }
}
