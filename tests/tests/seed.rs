//! The seed's system end to end: the real python-logstash-async client and the example
//! Flask app logging to logdash's TCP input, seen through `/es/` and in the dashboard.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use logdash_e2e::{free_port, http, workspace_root, Browser, Server};
use serde_json::{json, Value};
use tokio::process::Command;

fn python() -> std::path::PathBuf {
    workspace_root().join(".venv/bin/python")
}

fn example(file: &str) -> std::path::PathBuf {
    workspace_root().join("examples/flask-app").join(file)
}

/// Searches until `count` events match (events arrive in batches), returns them.
async fn wait_for_events(server: &Server, query: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let body = json!({"size": 100, "sort": [{"@timestamp": "asc"}], "query": {"query_string": {"query": query}}}).to_string();
        let answer = server.es("POST", "/logstash-*/_search", &body).await;
        let hits: Vec<Value> = answer["hits"]["hits"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|h| h["_source"].clone())
            .collect();
        if hits.len() >= count || Instant::now() > deadline {
            assert_eq!(hits.len(), count, "events for [{query}]: {hits:#?}");
            return hits;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Sends 25 events in `format` through the real client to a fresh server and returns
/// them as stored: each layout in its own daily index, as Logstash's template (on by
/// default) refuses the second layout's `host` (an object) where the first made it text.
async fn sent_in(format: &str) -> Vec<Value> {
    let server = Server::start(&[]).await;
    let port = server.tcp.rsplit(':').next().expect("port").to_string();
    let status = Command::new(python())
        .arg(example("send_events.py"))
        .args([
            "--port",
            &port,
            "--format",
            format,
            "--count",
            "25",
            "--tag",
            &format!("run-{format}"),
        ])
        .status()
        .await
        .expect("python runs");
    assert!(status.success());
    let query = match format {
        "plain" => "extra.run_tag:run-plain".to_string(),
        other => format!("run-{other}"),
    };
    wait_for_events(&server, &query, 25).await
}

#[tokio::test]
async fn python_logstash_async_plain_and_ecs_formatters_work_unchanged() {
    let plain = sent_in("plain").await;
    assert_eq!(plain[0]["type"], "python-logstash");
    assert_eq!(plain[0]["extra"]["logstash_async_version"], "4.1.0");
    let ecs = sent_in("ecs").await;
    // the ECS formatter sends host as an object, the plain one as a string
    assert!(
        ecs[0]["host"].is_object() && plain[0]["host"].is_string(),
        "{} / {}",
        ecs[0]["host"],
        plain[0]["host"]
    );
    assert!(ecs[0]["log"]["level"].is_string());
    let seqs: BTreeSet<i64> = plain
        .iter()
        .filter_map(|e| e["extra"]["seq"].as_i64())
        .collect();
    assert_eq!(seqs.len(), 25, "every event once");
}

fn keys(prefix: &str, value: &Value, out: &mut BTreeSet<String>) {
    if let Value::Object(map) = value {
        for (key, inner) in map {
            let name = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            if inner.is_object() {
                keys(&name, inner, out);
            } else {
                out.insert(name);
            }
        }
    }
}

/// The example Flask app, logging through python-logstash-async to `server`'s TCP input;
/// returns it (stopped when dropped), its `host:port` and its queue's folder.
async fn start_flask(server: &Server) -> (tokio::process::Child, String, tempfile::TempDir) {
    let tcp_port = server.tcp.rsplit(':').next().expect("port").to_string();
    let app_port = free_port();
    let queue = tempfile::tempdir().expect("queue dir");
    let flask = Command::new(python())
        .arg(example("app.py"))
        .env("PORT", app_port.to_string())
        .env("LOGSTASH_PORT", &tcp_port)
        .env("LOGSTASH_QUEUE_PATH", queue.path().join("queue.db"))
        .env("LOGSTASH_FLUSH_INTERVAL", "0.5")
        .env("LOG_STDOUT", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the Flask app starts");
    let app = format!("127.0.0.1:{app_port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(&app).await.is_err() {
        assert!(Instant::now() < deadline, "the Flask app never listened");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (flask, app, queue)
}

/// The seed's walkthrough: the Flask app logging to `server`, its three visits, and their
/// three request events found through `server`'s `/es/`, in order. Returns the events and
/// the app (stopped when dropped).
async fn walk_the_seed(
    server: &Server,
) -> (Vec<Value>, (tokio::process::Child, tempfile::TempDir)) {
    let (flask, app, queue) = start_flask(server).await;
    for path in ["/", "/hello/Natalia", "/hello/N"] {
        http(&app, "GET", path, "").await;
    }
    let events = wait_for_events(server, "extra.func_name:log_request", 3).await;
    let paths: Vec<&str> = events
        .iter()
        .filter_map(|e| e["extra"]["url_path"].as_str())
        .collect();
    assert_eq!(paths, vec!["/", "/hello/Natalia", "/hello/N"]);
    (events, (flask, queue))
}

/// The dashboard's live stream, in Chromium, shows the walkthrough's three requests.
async fn see_the_walkthrough_in_the_stream(server: &Server, screenshot: &str) {
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=logstash-*&refresh=1", server.url))
        .await
        .expect("opens");
    let rows = browser
        .wait_for_all("#stream .row", |rows| rows.len() >= 3)
        .await;
    for needle in ["GET / 200", "GET /hello/Natalia 200", "GET /hello/N 200"] {
        assert!(
            rows.iter().any(|r| r.contains(needle)),
            "{needle} not in {rows:?}"
        );
    }
    browser.screenshot(screenshot).await;
    browser.close().await;
}

#[tokio::test]
async fn the_seed_walkthrough_flask_requests_show_up_in_api_and_stream() {
    let server = Server::start(&[]).await;
    let (events, _flask) = walk_the_seed(&server).await;
    for event in &events {
        assert_eq!(event["extra"]["status_code"], 200);
        assert!(event["extra"]["response_time_ms"]
            .as_f64()
            .is_some_and(|ms| ms >= 0.0));
        assert!(event["@timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));
    }
    assert_eq!(events[1]["extra"]["user_id"], "Natalia");

    // --demo sends exactly the example app's shape, field for field
    let demo = logdash_server::demo::request_event(
        0,
        "INFO",
        "GET / 200 1ms",
        "app_info",
        &logdash_server::demo::RequestFields {
            method: "GET",
            url_path: "/",
            status_code: 200,
            response_time_ms: 1.0,
            user_id: "u",
            request_id: "r",
            client_ip: "127.0.0.1",
        },
    );
    let (mut demo_keys, mut flask_keys) = (BTreeSet::new(), BTreeSet::new());
    keys("", &demo, &mut demo_keys);
    keys("", &events[0], &mut flask_keys);
    assert_eq!(
        demo_keys, flask_keys,
        "demo and Flask events differ in their fields"
    );

    // and the dashboard's live stream shows them
    see_the_walkthrough_in_the_stream(&server, "seed-walkthrough").await;
}

/// The seed's walkthrough with logdash in Logstash's place in front of a real cluster
/// (`logdash --elasticsearch URL --ingest`): python-logstash-async's events go through
/// logdash's TCP input into the cluster's daily index (3 shards, 1 replica, by a template),
/// and come back through `/es/` and the dashboard's stream.
#[tokio::test]
async fn the_seed_walkthrough_through_logdash_ingest_into_a_real_cluster() {
    let Some(engine) =
        logdash_e2e::engine::Engine::from_env("the_seed_walkthrough_through_logdash_ingest")
    else {
        return;
    };
    engine.call("DELETE", "/logstash-*", "").await;
    engine.call("DELETE", "/_index_template/logstash", "").await;
    // above Logstash's own template (priority 200), which logdash puts into the cluster
    // before its first events as Logstash does
    let template = json!({"index_patterns": ["logstash-*"], "priority": 300,
        "template": {"settings": {"number_of_shards": 3, "number_of_replicas": 1}}});
    let (status, answer) = engine
        .call(
            "PUT",
            "/_index_template/logstash-daily",
            &template.to_string(),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let server = Server::start(&["--elasticsearch", &engine.url(), "--ingest"]).await;
    walk_the_seed(&server).await;

    // in the cluster's own daily index, with the template's shards
    let (_, indices) = engine
        .call(
            "GET",
            "/_cat/indices/logstash-*?format=json&h=index,pri,rep",
            "",
        )
        .await;
    assert_eq!(indices[0]["pri"], "3", "{indices}");
    assert_eq!(indices[0]["rep"], "1", "{indices}");

    see_the_walkthrough_in_the_stream(&server, "seed-walkthrough-real-cluster").await;
    // Logstash's template is in the cluster, as logdash put it
    let (status, answer) = engine.call("GET", "/_index_template/logstash", "").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["index_templates"][0]["index_template"]["priority"], 200,
        "{answer}"
    );
    for name in ["logstash-daily", "logstash"] {
        engine
            .call("DELETE", &format!("/_index_template/{name}"), "")
            .await;
    }
    engine.call("DELETE", "/logstash-*", "").await;
}

/// A Flask request's lines (its greeting, its own line) carry its request id: "Trace" on
/// one of them shows both, in time order, each with its offset from the first.
#[tokio::test]
async fn a_flask_requests_lines_are_traced_by_its_request_id() {
    let server = Server::start(&[]).await;
    let (_flask, app, _queue) = start_flask(&server).await;
    for path in ["/hello/Ada", "/hello/Grace"] {
        http(&app, "GET", path, "").await;
    }
    wait_for_events(&server, "extra.func_name:log_request", 2).await;
    let greetings = wait_for_events(&server, "message:greeting", 2).await;
    let request_id = greetings[0]["extra"]["request_id"]
        .as_str()
        .expect("the greeting carries the request id")
        .to_string();
    let body = json!({"query": {"match_phrase": {"message": "greeting Ada"}}}).to_string();
    let answer = server.es("POST", "/logstash-*/_search", &body).await;
    let id = answer["hits"]["hits"][0]["_id"].as_str().expect("an _id");

    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!(
            "{}?index=logstash-*&refresh=0&from=now-1h&event={id}",
            server.url
        ))
        .await
        .expect("opens");
    browser.click("#details-trace").await;
    let said = browser
        .wait_for_text("#trace-summary", |t| t.starts_with("request "))
        .await;
    assert!(
        said.starts_with(&format!("request {request_id}: 2 lines over ")),
        "{said}"
    );
    let lines = browser.texts("#trace-lines td.what").await;
    let offsets = browser.texts("#trace-lines td.offset").await;
    assert_eq!(offsets[0], "+0 ms");
    // time order; two lines of one millisecond may come either way (the greeting and the
    // request's own line are sent by two handlers, so their arrival order varies)
    let (greeting, request) = match offsets[1].as_str() {
        "+0 ms" if lines[0] != "greeting Ada" => (&lines[1], &lines[0]),
        _ => (&lines[0], &lines[1]),
    };
    assert_eq!(greeting, "greeting Ada", "{lines:?} {offsets:?}");
    assert!(request.starts_with("GET /hello/Ada 200 "), "{lines:?}");
    assert_eq!(
        browser.texts("#trace-lines tr.anchor td.what").await,
        ["greeting Ada"]
    );
    browser.screenshot("request-trace").await;
    // closing it takes the event out of the view
    browser.click("#trace .close").await;
    browser.wait_for_all("#trace", |t| t.is_empty()).await;
}
