//! `GET /`: the cluster's name and version, in Elasticsearch's shape.

use serde::{Deserialize, Serialize};

/// The answer to `GET /` on Elasticsearch, OpenSearch or logdash's embedded store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterInfo {
    pub name: String,
    pub cluster_name: String,
    #[serde(default)]
    pub cluster_uuid: String,
    pub version: VersionInfo,
    #[serde(default)]
    pub tagline: String,
}

/// The `version` object of [`ClusterInfo`]; only `number` is always there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub number: String,
    /// `opensearch` on OpenSearch; absent on Elasticsearch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_flavor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lucene_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_wire_compatibility_version: Option<String>,
}

/// Which product answered `GET /`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distribution {
    Elasticsearch,
    OpenSearch,
    /// logdash's embedded store, which speaks Elasticsearch's API.
    LogdashEmbedded,
}

/// The `build_flavor` logdash's embedded store reports, so the dashboard can say which backend it reads.
pub const EMBEDDED_BUILD_FLAVOR: &str = "logdash-embedded";

impl ClusterInfo {
    pub fn distribution(&self) -> Distribution {
        match (
            self.version.distribution.as_deref(),
            self.version.build_flavor.as_deref(),
        ) {
            (Some("opensearch"), _) => Distribution::OpenSearch,
            (_, Some(EMBEDDED_BUILD_FLAVOR)) => Distribution::LogdashEmbedded,
            _ => Distribution::Elasticsearch,
        }
    }

    /// The major version number, when `version.number` starts with one.
    pub fn major_version(&self) -> Option<u32> {
        self.version.number.split('.').next()?.parse().ok()
    }

    /// A one-line description for people, e.g. `Elasticsearch 8.15.0 (cluster "prod")`.
    pub fn describe(&self) -> String {
        let product = match self.distribution() {
            Distribution::Elasticsearch => "Elasticsearch",
            Distribution::OpenSearch => "OpenSearch",
            Distribution::LogdashEmbedded => "logdash embedded store, Elasticsearch API",
        };
        format!(
            "{product} {} (cluster \"{}\")",
            self.version.number, self.cluster_name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: serde_json::Value) -> ClusterInfo {
        serde_json::from_value(value).expect("a valid GET / answer")
    }

    #[test]
    fn reads_elasticsearch_8_answer_from_its_documentation() {
        let info = parse(json!({
            "name": "instance-0000000000",
            "cluster_name": "my_cluster",
            "cluster_uuid": "5QaxoN0pRZuOmWSxstBBwQ",
            "version": {
                "number": "8.15.0",
                "build_flavor": "default",
                "build_type": "docker",
                "build_hash": "1a77947f34deddb41af25e6f0ddb8e830159c179",
                "build_date": "2024-08-05T10:05:34.233336849Z",
                "build_snapshot": false,
                "lucene_version": "9.11.1",
                "minimum_wire_compatibility_version": "7.17.0",
                "minimum_index_compatibility_version": "7.0.0"
            },
            "tagline": "You Know, for Search"
        }));
        assert_eq!(info.distribution(), Distribution::Elasticsearch);
        assert_eq!(info.major_version(), Some(8));
        assert_eq!(
            info.describe(),
            "Elasticsearch 8.15.0 (cluster \"my_cluster\")"
        );
    }

    #[test]
    fn reads_opensearch_answer() {
        let info = parse(json!({
            "name": "node-1",
            "cluster_name": "opensearch-cluster",
            "cluster_uuid": "abc",
            "version": {"distribution": "opensearch", "number": "2.11.0", "build_type": "tar"},
            "tagline": "The OpenSearch Project: https://opensearch.org/"
        }));
        assert_eq!(info.distribution(), Distribution::OpenSearch);
        assert_eq!(info.major_version(), Some(2));
    }

    #[test]
    fn tolerates_missing_optional_fields() {
        let info =
            parse(json!({"name": "n", "cluster_name": "c", "version": {"number": "7.10.2"}}));
        assert_eq!(info.major_version(), Some(7));
        assert_eq!(info.cluster_uuid, "");
    }

    #[test]
    fn recognises_the_embedded_store() {
        let info = parse(json!({
            "name": "laptop", "cluster_name": "logdash",
            "version": {"number": "8.15.0", "build_flavor": EMBEDDED_BUILD_FLAVOR}
        }));
        assert_eq!(info.distribution(), Distribution::LogdashEmbedded);
        assert!(info.describe().starts_with("logdash embedded store"));
    }
}
