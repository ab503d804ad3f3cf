//! Helpers for the end-to-end tests: start the real `logdash` binary on loopback with
//! a fresh data directory, and a real headless Chromium through chromedriver.

pub mod differential;
pub mod engine;
pub mod faults;
pub mod scenarios;
pub mod soak;
pub mod upstream;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The `logdash` binary under test: `LOGDASH_BIN`, or the debug build of the workspace.
pub fn logdash_binary() -> PathBuf {
    std::env::var_os("LOGDASH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/logdash"))
}

/// A running `logdash`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    /// The Logstash-compatible TCP input.
    pub tcp: String,
    /// The `_bulk` HTTP input, `127.0.0.1:PORT`.
    pub bulk: String,
    pub data_dir: tempfile::TempDir,
}

impl Server {
    /// Starts logdash on free loopback ports with an empty data directory, plus `args`.
    pub async fn start(args: &[&str]) -> Server {
        Self::start_in(tempfile::tempdir().expect("temp data dir"), args).await
    }

    /// Starts logdash on free loopback ports with the given data directory.
    pub async fn start_in(data_dir: tempfile::TempDir, args: &[&str]) -> Server {
        let binary = logdash_binary();
        let mut child = Command::new(&binary)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--ingest-tcp",
                "127.0.0.1:0",
                "--ingest-http",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(data_dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", binary.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let (url, tcp, bulk) = tokio::time::timeout(Duration::from_secs(30), async {
            let (mut tcp, mut bulk) = (String::new(), String::new());
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(rest) =
                    line.strip_prefix("logdash ingest: logstash json_lines on tcp://")
                {
                    // "tcp://A, _bulk on http://B" (embedded), "tcp://A, sent on to URL ..." (proxy)
                    let (t, after) = rest.split_once(", ").unwrap_or((rest, ""));
                    tcp = t.to_string();
                    if let Some(b) = after.strip_prefix("_bulk on http://") {
                        bulk = b.to_string();
                    }
                }
                if let Some(url) = line.strip_prefix("logdash is running: open ") {
                    return (url.to_string(), tcp, bulk);
                }
            }
            panic!("logdash exited before announcing its URL");
        })
        .await
        .expect("logdash announces its URL within 30 s");
        Server {
            child,
            url,
            tcp,
            bulk,
            data_dir,
        }
    }

    /// Starts logdash (with `args`) holding the dashboard tests' known data
    /// ([`known_requests`]) in `logs-app`.
    pub async fn with_requests(args: &[&str]) -> Server {
        let server = Self::start(args).await;
        let answer = server.bulk(&known_requests(now_ms(), "logs-app")).await;
        assert_eq!(answer["errors"], serde_json::json!(false), "{answer}");
        server
    }

    /// `host:port` of the dashboard.
    pub fn address(&self) -> String {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string()
    }

    /// Sends a `_bulk` body to the HTTP input and returns the answer.
    pub async fn bulk(&self, body: &str) -> serde_json::Value {
        let answer = http(&self.bulk, "POST", "/_bulk", body).await;
        serde_json::from_str(&answer)
            .unwrap_or_else(|err| panic!("bulk answer is not JSON ({err}): {answer}"))
    }

    /// A request to the dashboard's `/es/` API; returns the JSON answer.
    pub async fn es(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        let answer = http(&self.address(), method, &format!("/es{path}"), body).await;
        serde_json::from_str(&answer)
            .unwrap_or_else(|err| panic!("/es answer is not JSON ({err}): {answer}"))
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub async fn kill_hard(mut self) -> tempfile::TempDir {
        let _ = self.child.kill().await;
        let _ = self.child.wait().await;
        self.data_dir
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }
}

/// One HTTP/1.1 request over a fresh connection; returns the body (de-chunked).
pub async fn http(address: &str, method: &str, path: &str, body: &str) -> String {
    request(address, method, path, body).await.1
}

/// One HTTP/1.1 request over a fresh connection; returns the status and the body
/// (de-chunked). Bodies go as `application/x-ndjson` to `_bulk` and `_msearch`, as
/// `application/json` elsewhere.
pub async fn request(address: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .unwrap_or_else(|err| panic!("connect to {address}: {err}"));
    let route = path.split('?').next().unwrap_or(path);
    let content_type = if route.ends_with("/_bulk") || route.ends_with("/_msearch") {
        "application/x-ndjson"
    } else {
        "application/json"
    };
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return (status, body.to_string());
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    (status, out)
}

/// The `Content-Length` an HTTP message's head gives, if it gives one.
pub fn content_length(head: &str) -> Option<usize> {
    head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    })
}

/// A POST to a server that may keep the connection open after its answer (chromedriver):
/// the body is read by its `Content-Length`.
async fn keep_alive_post(address: &str, path: &str, body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .unwrap_or_else(|err| panic!("connect to {address}: {err}"));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        let read = stream.read(&mut chunk).await.expect("read");
        raw.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&raw);
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let length = content_length(head).unwrap_or(usize::MAX);
            if rest.len() >= length || read == 0 {
                return rest.to_string();
            }
        }
        if read == 0 {
            return String::new();
        }
    }
}

/// The dashboard tests' known data as a `_bulk` body for `index`: 60 requests over the 10
/// minutes before `now` (ms), users u0..u5, every 10th an error (status 500), response times
/// 10..69 ms.
pub fn known_requests(now: i64, index: &str) -> String {
    let mut body = String::new();
    for i in 0..60 {
        let error = i % 10 == 0;
        body.push_str(&serde_json::json!({"index": {"_index": index}}).to_string());
        body.push('\n');
        body.push_str(&serde_json::json!({
            "@timestamp": iso(now - 600_000 + i * 10_000),
            "level": if error { "ERROR" } else { "INFO" },
            "message": if error { format!("GET /info 500 request {i} failed") } else { format!("GET /hello/N 200 request {i}") },
            "extra": {"user_id": format!("u{}", i % 6), "response_time_ms": 10 + i, "status_code": if error { 500 } else { 200 }, "request_id": format!("r{i:03}")}
        }).to_string());
        body.push('\n');
    }
    body
}

/// A `_bulk` body that indexes `documents` into `index`.
pub fn bulk_body(index: &str, documents: impl IntoIterator<Item = serde_json::Value>) -> String {
    let action = serde_json::json!({"index": {"_index": index}});
    documents
        .into_iter()
        .map(|document| format!("{action}\n{document}\n"))
        .collect()
}

/// Milliseconds since the epoch now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// An ISO 8601 UTC time for epoch milliseconds.
pub use logdash_core::time::format_iso8601 as iso;

/// A free TCP port on loopback (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// Headless Chromium driven through the system's chromedriver. When a test fails before
/// [`Browser::close`], dropping it stops chromedriver and the Chromium it started.
pub struct Browser {
    pub client: Client,
    driver: Child,
    /// chromedriver's address, for what fantoccini has no call for (the network log).
    driver_address: String,
    profile: tempfile::TempDir,
}

/// One request the page sent, as Chromium's network log saw it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SentRequest {
    pub method: String,
    pub url: String,
    pub body: String,
}

impl Browser {
    pub async fn start() -> Browser {
        Self::start_with(false).await
    }

    /// A browser that keeps a log of every request its pages send (see [`Browser::sent`]).
    pub async fn start_recording() -> Browser {
        Self::start_with(true).await
    }

    async fn start_with(record: bool) -> Browser {
        let port = free_port();
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                // its own process group, so that Chromium can be stopped with it (see Drop)
                .process_group(0)
                .kill_on_drop(true)
                .spawn()
                .expect("chromedriver is installed (scripts/setup.sh --browser)");
        let profile = tempfile::tempdir().expect("temp profile dir");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_string(),
            serde_json::json!({
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-quic", "--no-first-run", "--disable-sync",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                // as many people browse: the embed API must work without third-party cookies;
                // files the pages offer are saved in the profile, unasked (see `downloaded`)
                "prefs": {"profile.cookie_controls_mode": 1, "profile.block_third_party_cookies": true,
                    "download.default_directory": profile.path().join("downloads"),
                    "download.prompt_for_download": false},
            }),
        );
        if record {
            capabilities.insert(
                "goog:loggingPrefs".to_string(),
                serde_json::json!({"performance": "ALL"}),
            );
        }
        let webdriver = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(client) => break client,
                Err(err) if Instant::now() > deadline => {
                    panic!("cannot start a browser session: {err}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Browser {
            client,
            driver,
            driver_address: format!("127.0.0.1:{port}"),
            profile,
        }
    }

    /// The files the pages offered and the browser saved whole, by name (a file still being
    /// written is left out).
    pub fn downloaded(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> =
            std::fs::read_dir(self.profile.path().join("downloads"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().to_string())
                .filter(|name| !name.ends_with(".crdownload"))
                .filter_map(|name| {
                    let bytes =
                        std::fs::read(self.profile.path().join("downloads").join(&name)).ok()?;
                    Some((name, bytes))
                })
                .collect();
        files.sort();
        files
    }

    /// Waits (up to 30 s) for the browser to have saved a file whose name starts with `prefix`.
    pub async fn wait_for_download(&self, prefix: &str) -> (String, Vec<u8>) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(file) = self
                .downloaded()
                .into_iter()
                .find(|(name, _)| name.starts_with(prefix))
            {
                return file;
            }
            assert!(
                Instant::now() < deadline,
                "no file {prefix}* was saved: {:?}",
                self.downloaded().iter().map(|f| &f.0).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A POST to chromedriver's own commands for this session (`se/log`, ...), for what
    /// fantoccini has no call for.
    async fn driver_post(&self, command: &str, body: &str) -> String {
        let session = self
            .client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("a session");
        keep_alive_post(
            &self.driver_address,
            &format!("/session/{session}/{command}"),
            body,
        )
        .await
    }

    /// Opens the dashboard of `server` on the known data's view (`logs-*`, the last hour,
    /// no refresh), with `more` added to its link (`&q=level:ERROR`).
    pub async fn open_known_view(&self, server: &Server, more: &str) {
        self.client
            .goto(&format!(
                "{}?index=logs-*&refresh=0&from=now-1h{more}",
                server.url
            ))
            .await
            .expect("opens");
    }

    /// Runs a Chrome DevTools Protocol command (`Network.emulateNetworkConditions`, ...) in
    /// the page; returns its answer.
    pub async fn cdp(&self, command: &str, params: serde_json::Value) -> serde_json::Value {
        let answer = self
            .driver_post(
                "goog/cdp/execute",
                &serde_json::json!({"cmd": command, "params": params}).to_string(),
            )
            .await;
        serde_json::from_str(&answer).unwrap_or_else(|err| panic!("{command}: {err}: {answer}"))
    }

    /// The requests the pages sent since the last call (a browser from
    /// [`Browser::start_recording`]), bodies included, in the order they left.
    pub async fn sent(&self) -> Vec<SentRequest> {
        let log = self
            .driver_post("se/log", r#"{"type":"performance"}"#)
            .await;
        let log: serde_json::Value = serde_json::from_str(&log).expect("the network log");
        let mut out = Vec::new();
        for entry in log["value"].as_array().into_iter().flatten() {
            let Some(message) = entry["message"].as_str() else {
                continue;
            };
            let message: serde_json::Value = serde_json::from_str(message).unwrap_or_default();
            if message["message"]["method"] != "Network.requestWillBeSent" {
                continue;
            }
            let request = &message["message"]["params"]["request"];
            out.push(SentRequest {
                method: request["method"].as_str().unwrap_or_default().to_string(),
                url: request["url"].as_str().unwrap_or_default().to_string(),
                body: request["postData"].as_str().unwrap_or_default().to_string(),
            });
        }
        out
    }

    /// The visible text of all elements matching `css`.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for element in self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
        {
            out.push(element.text().await.unwrap_or_default());
        }
        out
    }

    /// Waits until `check` holds for the texts of `css`; returns them.
    pub async fn wait_for_all(&self, css: &str, check: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let texts = self.texts(css).await;
            if check(&texts) {
                return texts;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {css}; last: {texts:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Waits until the element matching `css` has text for which `accept` holds; returns that text.
    pub async fn wait_for_text(&self, css: &str, accept: impl Fn(&str) -> bool) -> String {
        self.wait_for_text_within(Duration::from_secs(20), css, accept)
            .await
    }

    /// [`Browser::wait_for_text`] with its own deadline, for what takes a cluster longer.
    pub async fn wait_for_text_within(
        &self,
        within: Duration,
        css: &str,
        accept: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + within;
        let mut last = String::new();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if let Ok(text) = element.text().await {
                    if accept(&text) {
                        return text;
                    }
                    last = text;
                }
            }
            if Instant::now() > deadline {
                let page = self.client.source().await.unwrap_or_default();
                panic!("timed out waiting for {css}; last text {last:?}; page:\n{page}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The element matching `css`, waited for: a page just opened mounts
    /// only once its wasm has loaded.
    async fn element(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match self.client.find(Locator::Css(css)).await {
                Ok(element) => return element,
                Err(err) if Instant::now() > deadline => panic!("no {css}: {err}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Clicks the element matching `css`, once it exists; one the page redraws between
    /// finding and clicking it (a stale element) is found again.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.element(css).await.click().await {
                Ok(()) => return,
                Err(err) if err.is_stale_element_reference() && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(err) => panic!("cannot click {css}: {err}"),
            }
        }
    }

    /// Types into the element matching `css`, once it exists ("\u{E007}" is Enter).
    pub async fn type_into(&self, css: &str, keys: &str) {
        self.element(css)
            .await
            .send_keys(keys)
            .await
            .unwrap_or_else(|err| panic!("cannot type into {css}: {err}"));
    }

    /// Replaces the text of the input matching `css`, once it exists.
    pub async fn retype(&self, css: &str, text: &str) {
        let input = self.element(css).await;
        input
            .clear()
            .await
            .unwrap_or_else(|err| panic!("cannot clear {css}: {err}"));
        input
            .send_keys(text)
            .await
            .unwrap_or_else(|err| panic!("cannot type into {css}: {err}"));
    }

    /// Answers the page's `confirm()` once it asks: OK (`accept`) or Cancel; returns what
    /// it asked.
    pub async fn answer_confirm(&self, accept: bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(text) = self.client.get_alert_text().await {
                let answered = if accept {
                    self.client.accept_alert().await
                } else {
                    self.client.dismiss_alert().await
                };
                answered.unwrap_or_else(|err| panic!("cannot answer the confirm: {err}"));
                return text;
            }
            assert!(Instant::now() < deadline, "the page asked nothing");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The `value` of the input matching `css`.
    pub async fn value(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element
                .prop("value")
                .await
                .ok()
                .flatten()
                .unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Saves a screenshot under `target/screenshots/`, for people to look at.
    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let dir = workspace_root().join("target/screenshots");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    /// Ends the browser session (Chromium exits with it).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // killing chromedriver alone would leave Chromium running, still polling the page
        if let Some(group) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}
