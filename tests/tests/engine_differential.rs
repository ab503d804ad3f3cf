//! Searches made up at random from a fixed seed (`logdash_e2e::differential`), each sent
//! to the real engine (`LOGDASH_ENGINE_URL`) and to the store over the same events: no
//! answer of the store may be a 200 that is not Elasticsearch's. Refusals (Elasticsearch
//! answers, the store says it cannot) are counted and listed, not failed: DESIGN.md lists
//! what the store refuses. `LOGDASH_DIFFERENTIAL_SEED` and `LOGDASH_DIFFERENTIAL_CASES`
//! run other searches than `make test`'s; `LOGDASH_DIFFERENTIAL_SHOW=N` prints case N's
//! two answers whole, and `LOGDASH_DIFFERENTIAL_KEEP` leaves the engine's indices for a
//! closer look.

use logdash_e2e::differential::compare::{judge, Verdict};
use logdash_e2e::differential::data::{self, DYNAMIC, MAPPED};
use logdash_e2e::differential::generate::Generator;
use logdash_e2e::engine::Engine;
use logdash_e2e::{request, Server};
use serde_json::Value;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[tokio::test]
async fn made_up_searches_answer_as_the_engine_does() {
    let Some(engine) = Engine::from_env("made_up_searches_answer_as_the_engine_does") else {
        return;
    };
    let (seed, cases) = (
        setting("LOGDASH_DIFFERENTIAL_SEED", 1),
        setting("LOGDASH_DIFFERENTIAL_CASES", 600),
    );
    let events = data::events();
    let server = Server::start(&[]).await;
    for index in [MAPPED, DYNAMIC] {
        let definition = data::definition(index);
        engine.fresh_index(index, &definition).await;
        let (status, created) = request(
            &server.bulk,
            "PUT",
            &format!("/{index}"),
            &definition.to_string(),
        )
        .await;
        assert_eq!(status, 200, "the store creating {index}: {created}");
        let body = data::bulk(index, &events);
        engine.bulk(&body).await;
        let answer = server.bulk(&body).await;
        assert_eq!(answer["errors"], Value::Bool(false), "{answer}");
    }
    let show = std::env::var("LOGDASH_DIFFERENTIAL_SHOW")
        .ok()
        .and_then(|n| n.parse::<u64>().ok());
    let mut wrong = Vec::new();
    let mut refused = Vec::new();
    for case in 0..cases {
        let index = if case % 2 == 0 { MAPPED } else { DYNAMIC };
        let mut generator = Generator::new(
            seed.wrapping_mul(1_000_003).wrapping_add(case),
            &events,
            index,
        );
        let body = generator.search();
        let path = format!("/{index}/_search");
        let text = body.to_string();
        let (their_status, theirs) = engine.call("POST", &path, &text).await;
        let (our_status, ours) =
            request(&server.address(), "POST", &format!("/es{path}"), &text).await;
        let ours: Value = serde_json::from_str(&ours).unwrap_or(Value::String(ours));
        if show == Some(case) {
            eprintln!("case {case}: {path} {text}\nthe store ({our_status}): {ours}\nElasticsearch ({their_status}): {theirs}");
        }
        match judge((our_status, &ours), (their_status, &theirs), &body) {
            Verdict::Alike => {}
            Verdict::Refused => refused.push(format!(
                "case {case}: {path} {text}\n  the store: {}",
                ours["error"]["root_cause"][0]["reason"]
            )),
            Verdict::Wrong(place) => wrong.push(format!("case {case}: {path} {text}\n  {place}")),
        }
    }
    if std::env::var_os("LOGDASH_DIFFERENTIAL_KEEP").is_none() {
        for index in [MAPPED, DYNAMIC] {
            engine.call("DELETE", &format!("/{index}"), "").await;
        }
    }
    eprintln!(
        "differential: {cases} searches (seed {seed}); {} answered as the engine does, {} refused by the store, {} wrong",
        cases as usize - refused.len() - wrong.len(),
        refused.len(),
        wrong.len()
    );
    for line in &refused {
        eprintln!("refused: {line}");
    }
    assert!(
        wrong.is_empty(),
        "answers that are not Elasticsearch's:\n{}",
        wrong.join("\n")
    );
}
