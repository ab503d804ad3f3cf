//! Every scenario of `tests/scenarios/` against the real engine and the embedded store.
//!
//! The engine is the judge: `LOGDASH_ENGINE_URL` names it (`scripts/engine.sh start` prints
//! it; `make test` sets it). Each step's expected subtree must hold for the engine's answer;
//! when it does not, the expected file is out of date (`make record` re-records it from the
//! engine). The store must give the same answer unless the step is listed, with its reason,
//! in `tests/scenarios/known-differences.json`; a listed step that now answers as the engine
//! fails too, so that the list stays true. Without an engine (a plain `cargo test`) the store
//! is checked against the expected files alone, unless `LOGDASH_ENGINE_REQUIRED` is set.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use logdash_e2e::scenarios::{self, Scenario};
use logdash_e2e::{request, workspace_root, Server};
use serde_json::Value;

struct Engine {
    address: String,
}

impl Engine {
    fn from_env() -> Option<Engine> {
        let url = std::env::var("LOGDASH_ENGINE_URL").ok()?;
        let address = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Some(Engine { address })
    }

    async fn call(&self, method: &str, path: &str, body: &str) -> (u16, Value) {
        let (status, text) = request(&self.address, method, path, body).await;
        (status, parse(&text))
    }

    async fn version(&self) -> String {
        let (_, answer) = self
            .call("GET", "/_nodes/_local?filter_path=nodes.*.version", "")
            .await;
        answer["nodes"]
            .as_object()
            .and_then(|nodes| nodes.values().next())
            .and_then(|node| node["version"].as_str())
            .map(|version| format!("Elasticsearch-API engine {version}"))
            .unwrap_or_else(|| format!("engine ({answer})"))
    }

    async fn load(&self, scenario: &Scenario) {
        for index in &scenario.indices {
            self.call("DELETE", &format!("/{index}"), "").await;
        }
        let (status, answer) = self
            .call("POST", "/_bulk?refresh=true", &scenario.bulk_body())
            .await;
        assert!(
            status == 200 && answer["errors"] == Value::Bool(false),
            "the engine refused the scenario's documents: {answer}"
        );
        // One copy of each shard, as the store keeps them: health and `rep` compare as equals
        // on a cluster of any size.
        let indices = scenario.indices.join(",");
        self.call(
            "PUT",
            &format!("/{indices}/_settings"),
            r#"{"index":{"number_of_replicas":0}}"#,
        )
        .await;
        self.call(
            "GET",
            &format!("/_cluster/health/{indices}?wait_for_status=green&timeout=30s"),
            "",
        )
        .await;
    }
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

async fn load_store(server: &Server, scenario: &Scenario) {
    let answer = server.bulk(&scenario.bulk_body()).await;
    assert_eq!(
        answer["errors"],
        Value::Bool(false),
        "the store refused the scenario's documents: {answer}"
    );
    let indices = scenario.indices.join(",");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let count = server.es("GET", &format!("/{indices}/_count"), "").await;
        if count["count"].as_u64() == Some(scenario.document_count() as u64) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the store does not show the scenario's {} documents: {count}",
            scenario.document_count()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[derive(Default)]
struct Tally {
    steps: usize,
    engine_agrees: usize,
    store_agrees: usize,
    known: usize,
    failures: Vec<String>,
}

#[tokio::test(flavor = "multi_thread")]
async fn scenarios_answer_as_the_engine_does() {
    let folder = workspace_root().join("tests/scenarios");
    let engine = Engine::from_env();
    let recording = std::env::var_os("LOGDASH_RECORD").is_some();
    assert!(
        engine.is_some() || std::env::var_os("LOGDASH_ENGINE_REQUIRED").is_none(),
        "LOGDASH_ENGINE_REQUIRED is set but LOGDASH_ENGINE_URL is not: start one with scripts/engine.sh start"
    );
    assert!(
        engine.is_some() || !recording,
        "recording needs an engine: LOGDASH_ENGINE_URL"
    );
    let known = scenarios::known_differences(&folder.join("known-differences.json"))
        .unwrap_or_else(|err| panic!("{err}"));
    let mut unused_known: BTreeMap<&String, &String> = known.iter().collect();
    let server = Server::start(&[]).await;
    let mut tally = Tally::default();

    let files = scenarios::files(&folder);
    assert!(!files.is_empty(), "no scenarios in {}", folder.display());
    for path in files {
        let mut scenario = Scenario::load(&path).unwrap_or_else(|err| panic!("{err}"));
        let stem = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().to_string())
            .unwrap_or_default();
        load_store(&server, &scenario).await;
        if let Some(engine) = &engine {
            engine.load(&scenario).await;
        }
        for step in &mut scenario.steps {
            let key = format!("{stem}/{}", step.name);
            let (method, path) = step
                .method_and_path()
                .map(|(m, p)| (m.to_string(), p.to_string()))
                .unwrap_or_else(|err| panic!("{err}"));
            let body = step.body_text();
            tally.steps += 1;
            if let Some(engine) = &engine {
                let (status, answer) = engine.call(&method, &path, &body).await;
                if recording {
                    step.record(status, &answer);
                }
                match step.judge(status, &answer) {
                    Ok(()) => tally.engine_agrees += 1,
                    Err(why) => tally.failures.push(format!(
                        "{key}: the engine answers otherwise than the expected file ({why}); \
                         re-record with `make record`\n  engine: {answer}"
                    )),
                }
            }
            let (status, text) =
                request(&server.address(), &method, &format!("/es{path}"), &body).await;
            let answer = parse(&text);
            let listed = unused_known.remove(&key).is_some();
            match (step.judge(status, &answer), listed) {
                (Ok(()), false) => tally.store_agrees += 1,
                (Err(_), true) => tally.known += 1,
                (Ok(()), true) => tally.failures.push(format!(
                    "{key}: listed in known-differences.json but the store now answers as expected: \
                     remove it from the list"
                )),
                (Err(why), false) => tally.failures.push(format!(
                    "{key}: the store answers otherwise ({why})\n  store: {answer}"
                )),
            }
        }
        if recording {
            std::fs::write(&path, scenario.to_file_text())
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        }
    }
    for key in unused_known.keys() {
        tally.failures.push(format!(
            "{key}: listed in known-differences.json but there is no such step"
        ));
    }

    let judge = match &engine {
        Some(engine) => engine.version().await,
        None => "no engine (LOGDASH_ENGINE_URL unset): expected files only".to_string(),
    };
    eprintln!(
        "scenarios: {} steps; judge: {judge}; the engine answered {} as expected; the store {} \
         as expected, {} known differences",
        tally.steps, tally.engine_agrees, tally.store_agrees, tally.known
    );
    assert!(
        tally.failures.is_empty(),
        "{} of {} steps failed:\n{}",
        tally.failures.len(),
        tally.steps,
        tally.failures.join("\n")
    );
}
