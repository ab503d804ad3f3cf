//! Benchmark of proxy mode: requests/s and p99 latency of a dashboard search through
//! logdash's `/es/` and through nginx configured as a CORS reverse proxy (Debian's nginx),
//! both in front of the same stand-in for Elasticsearch, in one run. The two take turns
//! for several rounds (everything shares the machine's cores, so one round's figures move
//! with whatever else runs); the table gives medians over the rounds.
//!
//! `cargo run --release -p logdash-server --example proxy_bench -- [SECONDS] [CONNECTIONS] [ROUNDS]`
//! (defaults: 10 s per round, 32 keep-alive connections, 5 rounds). Needs `nginx` on the PATH.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a benchmark prints, and fails loudly"
)]

mod support;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const ANSWER: &str = r#"{"took":1,"timed_out":false,"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},"hits":{"total":{"value":1,"relation":"eq"},"max_score":null,"hits":[{"_index":"logs-app","_id":"1","_score":null,"_source":{"@timestamp":"2026-11-25T10:00:00.000Z","level":"INFO","message":"GET /hello/Natalia 200"},"sort":[1764064800000]}]}}"#;
const SEARCH: &str = r#"{"size":200,"sort":[{"@timestamp":"desc"}],"query":{"bool":{"filter":[{"range":{"@timestamp":{"gte":"now-15m"}}}]}}}"#;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let connections: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(32);
    let rounds: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(5).max(1);

    let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream_address = upstream.local_addr().unwrap();
    tokio::spawn(stand_in(upstream));

    let dir = tempfile::tempdir().unwrap();
    let logdash_port = free_port();
    let binary = support::logdash_binary();
    let mut logdash = Command::new(&binary)
        .args(["--listen", &format!("127.0.0.1:{logdash_port}")])
        .args(["--elasticsearch", &format!("http://{upstream_address}")])
        .args(["--es-username", "elastic", "--es-password", "changeme"])
        .args(["--cors-origins", "http://portal.example"])
        .args(["--es-max-connections", "256"])
        .env("LOGDASH_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();

    let nginx_port = free_port();
    let config = dir.path().join("nginx.conf");
    std::fs::write(
        &config,
        nginx_config(dir.path(), nginx_port, upstream_address),
    )
    .unwrap();
    let mut nginx = Command::new("nginx")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&config)
        .arg("-e")
        .arg(dir.path().join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx is installed (apt-get install nginx)");

    wait_for(logdash_port).await;
    wait_for(nginx_port).await;
    let contenders = [
        ("nginx 1.22 (CORS reverse proxy)", nginx_port),
        ("logdash --elasticsearch", logdash_port),
    ];
    let mut runs: [Vec<(f64, f64, f64)>; 2] = [Vec::new(), Vec::new()];
    // the CPU each proxy spends per request (its processes' user + system time over a
    // round): steadier than requests/s, which moves with whatever else shares the cores
    let processes = [vec![nginx.id()], vec![logdash.id()]];
    let mut cpu_per_request: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        for (contender, (_, port)) in contenders.iter().enumerate() {
            let cpu_before = cpu_seconds(&processes[contender]);
            let run = load(*port, connections, Duration::from_secs(seconds)).await;
            let cpu = cpu_seconds(&processes[contender]) - cpu_before;
            cpu_per_request[contender].push(cpu * 1e6 / (run.0 * seconds as f64));
            runs[contender].push(run);
        }
        let (nginx, logdash) = (runs[0][round - 1].0, runs[1][round - 1].0);
        eprintln!("round {round}: nginx {nginx:.0}/s, logdash {logdash:.0}/s");
        ratios.push(logdash / nginx);
    }
    println!("| proxy, {connections} keep-alive connections, POST /es/logs-*/_search, median of {rounds} rounds of {seconds} s | requests/s | p50 | p99 | CPU per request |");
    println!("|---|---|---|---|---|");
    for (((name, _), runs), cpu) in contenders.iter().zip(&runs).zip(&cpu_per_request) {
        let pick = |f: fn(&(f64, f64, f64)) -> f64| median(runs.iter().map(f).collect());
        println!(
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {:.1} µs |",
            pick(|r| r.0),
            pick(|r| r.1),
            pick(|r| r.2),
            median(cpu.clone())
        );
    }
    let (low, high) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    println!(
        "| **logdash / nginx** | **{:.2}x** (rounds {low:.2}-{high:.2}; goal >= 0.9x) | | | |",
        median(ratios)
    );
    let _ = logdash.kill();
    let _ = logdash.wait();
    // nginx's master stops its workers only when asked (a SIGKILL would leave them running)
    let _ = Command::new("nginx")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&config)
        .args(["-s", "stop"])
        .stderr(Stdio::null())
        .status();
    let _ = nginx.wait();
}

/// User + system CPU seconds of the processes `roots` and their children (nginx's workers),
/// from `/proc` (Linux counts in hundredths of a second).
fn cpu_seconds(roots: &[u32]) -> f64 {
    let mut ticks = 0.0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let pid: u32 = entry
            .file_name()
            .to_str()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        // the fields after the command's closing parenthesis: state, ppid, ... utime, stime
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let parent: u32 = fields.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        if roots.contains(&pid) || roots.contains(&parent) {
            ticks += fields[11..13]
                .iter()
                .filter_map(|t| t.parse::<f64>().ok())
                .sum::<f64>();
        }
    }
    ticks / 100.0
}

fn median(values: Vec<f64>) -> f64 {
    support::quantiles(values, [0.5])[0]
}

fn nginx_config(prefix: &std::path::Path, port: u16, upstream: std::net::SocketAddr) -> String {
    let p = prefix.display();
    format!(
        r#"worker_processes auto;
daemon off;
pid {p}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {p}/body; proxy_temp_path {p}/proxy;
  fastcgi_temp_path {p}/fastcgi; uwsgi_temp_path {p}/uwsgi; scgi_temp_path {p}/scgi;
  upstream es {{ server {upstream}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    keepalive_requests 1000000;
    location /es/ {{
      if ($request_method = OPTIONS) {{
        add_header Access-Control-Allow-Origin "http://portal.example";
        add_header Access-Control-Allow-Methods "GET, POST";
        add_header Access-Control-Allow-Headers "content-type";
        return 204;
      }}
      add_header Access-Control-Allow-Origin "http://portal.example" always;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==";
      proxy_pass http://es/;
    }}
  }}
}}
"#
    )
}

/// Runs `connections` clients for `duration`; returns requests/s and p50/p99 in ms.
async fn load(port: u16, connections: usize, duration: Duration) -> (f64, f64, f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            let stop = Arc::clone(&stop);
            tokio::spawn(async move {
                let connect = || async { BufReader::new(TcpStream::connect(("127.0.0.1", port)).await.unwrap()) };
                let mut stream = connect().await;
                let request = format!(
                    "POST /es/logs-*/_search HTTP/1.1\r\nHost: bench\r\nOrigin: http://portal.example\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{SEARCH}",
                    SEARCH.len()
                );
                let mut times = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let start = Instant::now();
                    stream.get_mut().write_all(request.as_bytes()).await.unwrap();
                    let Some(status) = read_response(&mut stream).await else {
                        // The server ended this keep-alive connection: open another.
                        stream = connect().await;
                        continue;
                    };
                    assert_eq!(status, 200);
                    times.push(start.elapsed().as_secs_f64() * 1000.0);
                }
                times
            })
        })
        .collect();
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for client in clients {
        all.extend(client.await.unwrap());
    }
    let rate = all.len() as f64 / duration.as_secs_f64();
    let [p50, p99] = support::quantiles(all, [0.5, 0.99]);
    (rate, p50, p99)
}

/// Reads one response (Content-Length or chunked); returns its status, or `None` when
/// the server closed the connection before answering.
async fn read_response(stream: &mut BufReader<TcpStream>) -> Option<u16> {
    let mut line = String::new();
    if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
        return None;
    }
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (mut length, mut chunked) = (0usize, false);
    loop {
        line.clear();
        if stream.read_line(&mut line).await.unwrap() == 0 {
            panic!("the proxy closed the connection mid-response");
        }
        let lower = line.to_ascii_lowercase();
        if lower == "\r\n" {
            break;
        }
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    if chunked {
        loop {
            line.clear();
            stream.read_line(&mut line).await.unwrap();
            let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0; size + 2];
            stream.read_exact(&mut chunk).await.unwrap();
            if size == 0 {
                break;
            }
        }
    } else {
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await.unwrap();
    }
    Some(status)
}

/// Answers every request with the same search result, keeping connections alive.
async fn stand_in(listener: TcpListener) {
    loop {
        let (socket, _) = listener.accept().await.unwrap();
        tokio::spawn(async move {
            let mut stream = BufReader::new(socket);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Elastic-Product: Elasticsearch\r\nContent-Length: {}\r\n\r\n{ANSWER}",
                ANSWER.len()
            );
            let mut line = String::new();
            loop {
                let mut length = 0usize;
                line.clear();
                if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                loop {
                    line.clear();
                    if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if stream.read_exact(&mut body).await.is_err() {
                    return;
                }
                if stream
                    .get_mut()
                    .write_all(response.as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
    }
}

async fn wait_for(port: u16) {
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on {port}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
