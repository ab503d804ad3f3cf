//! Every scenario of `tests/scenarios/` against the real engine and the embedded store.
//!
//! The engine is the judge: `LOGDASH_ENGINE_URL` names it (`scripts/engine.sh start` prints
//! it; `make test` sets it). Each step's expected subtree must hold for the engine's answer;
//! when it does not, the expected file is out of date (`make record` re-records it from the
//! engine). The store must give the same answer unless the step is listed, with its reason,
//! in `tests/scenarios/known-differences.json`; a listed step that now answers as the engine
//! fails too, so that the list stays true. Without an engine (a plain `cargo test`) the store
//! is checked against the expected files alone, unless `LOGDASH_ENGINE_REQUIRED` is set.

use std::time::{Duration, Instant};

use logdash_e2e::engine::Engine;
use logdash_e2e::scenarios::{self, Listed, Scenario, Verdict};
use logdash_e2e::{request, workspace_root, Server};
use serde_json::Value;

/// Loads a scenario's documents into the engine, one copy of each shard as the store keeps
/// them (so that health and `rep` compare as equals on a cluster of any size).
async fn load_engine(engine: &Engine, scenario: &Scenario) {
    if scenario.bulk.is_empty() {
        return;
    }
    for index in &scenario.indices {
        engine.call("DELETE", &format!("/{index}"), "").await;
    }
    engine.bulk(&scenario.bulk_body()).await;
    let indices = scenario.indices.join(",");
    engine
        .call(
            "PUT",
            &format!("/{indices}/_settings"),
            r#"{"index":{"number_of_replicas":0}}"#,
        )
        .await;
    engine
        .call(
            "GET",
            &format!("/_cluster/health/{indices}?wait_for_status=green&timeout=30s"),
            "",
        )
        .await;
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

async fn load_store(server: &Server, scenario: &Scenario) {
    if scenario.bulk.is_empty() {
        return;
    }
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
    engine_known: usize,
    store_agrees: usize,
    store_known: usize,
    failures: Vec<String>,
}

impl Tally {
    /// Counts one verdict; `agrees` and `known` are the counters it goes to.
    fn count(
        &mut self,
        verdict: Verdict,
        agrees: fn(&mut Tally) -> &mut usize,
        known: fn(&mut Tally) -> &mut usize,
    ) {
        match verdict {
            Verdict::Agrees => *agrees(self) += 1,
            Verdict::Known => *known(self) += 1,
            Verdict::Fails(why) => self.failures.push(why),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn scenarios_answer_as_the_engine_does() {
    let folder = workspace_root().join("tests/scenarios");
    let engine = Engine::from_env("scenarios");
    let recording = std::env::var_os("LOGDASH_RECORD").is_some();
    // The expected files are Elasticsearch's answers; OpenSearch (make test-opensearch) is
    // judged against them with its own list of differences.
    let opensearch =
        std::env::var("LOGDASH_ENGINE_FLAVOR").is_ok_and(|flavor| flavor == "opensearch");
    assert!(
        engine.is_some() || !recording,
        "recording needs an engine: LOGDASH_ENGINE_URL"
    );
    assert!(
        !(recording && opensearch),
        "expected answers are recorded from Elasticsearch only"
    );
    let listed =
        |name: &str| Listed::load(&folder.join(name)).unwrap_or_else(|err| panic!("{err}"));
    let mut store_list = listed("known-differences.json");
    let mut engine_list = if opensearch {
        listed("known-differences-opensearch.json")
    } else {
        Listed::none("the expected files (re-record with `make record`)")
    };
    if let Some(engine) = &engine {
        // The scenarios' patterns (`*`, `logs-*`) must see their own documents only: other
        // tests' indices on the same engine go first.
        let (status, answer) = engine
            .call("DELETE", "/*,-.*?expand_wildcards=open,closed", "")
            .await;
        assert_eq!(
            status, 200,
            "the engine's indices could not be cleared: {answer}"
        );
    }
    let server = Server::start(&[]).await;
    if let Some(engine) = &engine {
        // logdash maps its daily indices by Logstash's template, as Logstash has
        // Elasticsearch do: the engine gets the same one, read from logdash's ingest port
        let stored = logdash_e2e::http(&server.bulk, "GET", "/_index_template/logstash", "").await;
        let stored: Value = serde_json::from_str(&stored).expect("JSON");
        let template = &stored["index_templates"][0]["index_template"];
        assert!(
            template.is_object(),
            "logdash stores its template: {stored}"
        );
        let (status, answer) = engine
            .call("PUT", "/_index_template/logstash", &template.to_string())
            .await;
        assert_eq!(
            status, 200,
            "the engine takes Logstash's template: {answer}"
        );
    }
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
            load_engine(engine, &scenario).await;
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
                let verdict =
                    engine_list.judge(&key, "the engine", step.judge(status, &answer), &answer);
                tally.count(verdict, |t| &mut t.engine_agrees, |t| &mut t.engine_known);
            }
            // writes go to the store's ingest port; `/es/` is read-only
            let (status, text) = if step.writes() {
                request(&server.bulk, &method, &path, &body).await
            } else {
                request(&server.address(), &method, &format!("/es{path}"), &body).await
            };
            let answer = parse(&text);
            let verdict = store_list.judge(&key, "the store", step.judge(status, &answer), &answer);
            tally.count(verdict, |t| &mut t.store_agrees, |t| &mut t.store_known);
        }
        if recording {
            std::fs::write(&path, scenario.to_file_text())
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        }
    }
    tally.failures.extend(store_list.unused());
    tally.failures.extend(engine_list.unused());

    let judge = match &engine {
        Some(engine) => engine.version().await,
        None => "no engine (LOGDASH_ENGINE_URL unset): expected files only".to_string(),
    };
    eprintln!(
        "scenarios: {} steps; judge: {judge}; the engine answered {} as expected ({} known \
         differences); the store {} as expected ({} known differences)",
        tally.steps, tally.engine_agrees, tally.engine_known, tally.store_agrees, tally.store_known
    );
    assert!(
        tally.failures.is_empty(),
        "{} of {} steps failed:\n{}",
        tally.failures.len(),
        tally.steps,
        tally.failures.join("\n")
    );
}
