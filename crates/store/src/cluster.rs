//! What the store says of itself as a cluster: `GET /`, `GET /_license` and
//! `GET /_cluster/health`.

use logdash_core::es::info::EMBEDDED_BUILD_FLAVOR;
use serde_json::Value;

use crate::{Store, COMPATIBLE_ES_VERSION};

/// When this version of logdash was released: `GET /` reports it as `build_date`.
const RELEASE_DATE: &str = "2026-12-06T00:00:00.000Z";

impl Store {
    /// The answer to `GET /`, in Elasticsearch 8's shape and with all its fields: the API
    /// version logdash speaks as `number`, what logdash is in the build fields (the
    /// dashboard tells the embedded store by `build_flavor`), and the oldest versions an
    /// 8.15 node talks to and reads (`minimum_*_compatibility_version`).
    pub fn info(&self) -> Value {
        serde_json::json!({
            "name": self.meta.node_name,
            "cluster_name": self.meta.cluster_name,
            "cluster_uuid": self.meta.cluster_uuid,
            "version": {
                "number": COMPATIBLE_ES_VERSION,
                "build_flavor": EMBEDDED_BUILD_FLAVOR,
                "build_type": "logdash",
                "build_hash": concat!("logdash-", env!("CARGO_PKG_VERSION")),
                "build_date": RELEASE_DATE,
                "build_snapshot": false,
                "lucene_version": format!("tantivy-{}", tantivy::version_string()),
                "minimum_wire_compatibility_version": "7.17.0",
                "minimum_index_compatibility_version": "7.0.0"
            },
            "tagline": "You Know, for Search"
        })
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
