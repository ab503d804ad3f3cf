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

impl Engine {
    /// Takes node `name` away as a crash would (`scripts/engine.sh node stop`); it comes back
    /// with [`NodeAway::come_back`], or when the guard is dropped (a failing test too), so
    /// the tests after it find the whole cluster. `None` when this engine has no such switch
    /// (the OpenSearch launcher).
    pub async fn take_away(&self, name: &str) -> Option<NodeAway> {
        let (status, answer) = self
            .call("POST", &format!("/_engine/node/{name}/_stop"), "")
            .await;
        if status == 404 || status == 405 {
            return None;
        }
        assert_eq!(status, 200, "stopping {name}: {answer}");
        Some(NodeAway {
            address: self.address.clone(),
            name: name.to_string(),
            back: false,
        })
    }

    /// Deletes `index` if it is there and creates it afresh with `definition` (settings,
    /// mappings); panics unless the engine created it.
    pub async fn fresh_index(&self, index: &str, definition: &Value) {
        self.call("DELETE", &format!("/{index}"), "").await;
        let (status, created) = self
            .call("PUT", &format!("/{index}"), &definition.to_string())
            .await;
        assert_eq!(status, 200, "creating {index}: {created}");
    }

    /// Waits until the cluster is green again (`timeout` like "60s"); panics if it is not.
    pub async fn wait_green(&self, timeout: &str) {
        let (_, health) = self
            .call(
                "GET",
                &format!("/_cluster/health?wait_for_status=green&timeout={timeout}"),
                "",
            )
            .await;
        assert_eq!(health["status"], "green", "{health}");
    }
}

/// A node taken away; see [`Engine::take_away`].
pub struct NodeAway {
    address: String,
    name: String,
    back: bool,
}

impl NodeAway {
    /// Starts the node again on its data.
    pub async fn come_back(mut self) {
        let (status, answer) = request(
            &self.address,
            "POST",
            &format!("/_engine/node/{}/_start", self.name),
            "",
        )
        .await;
        assert_eq!(status, 200, "starting {}: {answer}", self.name);
        self.back = true;
    }
}

impl Drop for NodeAway {
    fn drop(&mut self) {
        if self.back {
            return;
        }
        // a test failed with the node away: bring it back without the runtime
        use std::io::{Read, Write};
        if let Ok(mut stream) = std::net::TcpStream::connect(&self.address) {
            let head = format!(
                "POST /_engine/node/{}/_start HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.name, self.address
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.read_to_end(&mut Vec::new());
        }
    }
}
