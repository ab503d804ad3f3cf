//! The real engine the tests are judged by: `LOGDASH_ENGINE_URL`, started by
//! `scripts/engine.sh` (as `make test` does). Tests that need it skip with a line on stderr
//! when it is not set, unless `LOGDASH_ENGINE_REQUIRED` is set.

use serde_json::Value;

use crate::request;

pub struct Engine {
    /// `127.0.0.1:PORT`
    pub address: String,
}

impl Engine {
    /// The engine named by `LOGDASH_ENGINE_URL`; `None` (with a note on stderr) when unset.
    ///
    /// # Panics
    /// When `LOGDASH_ENGINE_REQUIRED` is set and no engine is named.
    pub fn from_env(test: &str) -> Option<Engine> {
        let Ok(url) = std::env::var("LOGDASH_ENGINE_URL") else {
            assert!(
                std::env::var_os("LOGDASH_ENGINE_REQUIRED").is_none(),
                "LOGDASH_ENGINE_REQUIRED is set but LOGDASH_ENGINE_URL is not: start one with scripts/engine.sh start"
            );
            eprintln!("{test}: no engine (LOGDASH_ENGINE_URL unset), skipped");
            return None;
        };
        let address = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Some(Engine { address })
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A request straight to the engine; the status and the answer (a JSON string when the
    /// answer is not JSON).
    pub async fn call(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let (status, text) = request(&self.address, method, path, body).await;
        let answer = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, answer)
    }

    /// "opensearch 2.19.6" from `GET /`, or "Elasticsearch 8.19.21" from the local node where
    /// `GET /` is not served (its `rest-root` module is not on Maven Central).
    pub async fn version(&self) -> String {
        let (status, root) = self.call("GET", "/", "").await;
        if let (200, Some(number)) = (status, root["version"]["number"].as_str()) {
            let distribution = root["version"]["distribution"]
                .as_str()
                .unwrap_or("Elasticsearch");
            return format!("{distribution} {number}");
        }
        let (_, answer) = self
            .call("GET", "/_nodes/_local?filter_path=nodes.*.version", "")
            .await;
        answer["nodes"]
            .as_object()
            .and_then(|nodes| nodes.values().next())
            .and_then(|node| node["version"].as_str())
            .map(|version| format!("Elasticsearch {version}"))
            .unwrap_or_else(|| format!("engine ({answer})"))
    }

    /// How many nodes the cluster has.
    pub async fn nodes(&self) -> u64 {
        let (_, health) = self.call("GET", "/_cluster/health", "").await;
        health["number_of_nodes"].as_u64().unwrap_or(0)
    }

    /// Sends a `_bulk` body with `refresh=true`; panics unless every item was taken.
    pub async fn bulk(&self, body: &str) {
        let (status, answer) = self.call("POST", "/_bulk?refresh=true", body).await;
        assert!(
            status == 200 && answer["errors"] == Value::Bool(false),
            "the engine refused the documents: {answer}"
        );
    }
}
