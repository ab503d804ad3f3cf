//! Over real TCP on loopback: how serving ends. Shutdown lets connections finish what they
//! are serving, closes idle kept-alive ones at once, and does not wait past its grace
//! period for a client that never finishes sending its headers.

use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// Serves a small app with `serve::shared` until the returned sender fires; the handle
/// ends when serving has ended.
async fn serving() -> (
    std::net::SocketAddr,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let app = Router::new().route("/", get(|| async { "ok" })).route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            "done"
        }),
    );
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(logdash_server::serve::shared(
        listener,
        app,
        logdash_server::serve::Limits {
            header_timeout: Duration::from_secs(60),
            max_connections: 64,
        },
        async move {
            let _ = stopped.await;
        },
    ));
    (address, stop, served)
}

async fn kept_alive_after_one_request(address: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: logdash\r\n\r\n")
        .await
        .expect("writes");
    let mut answer = [0; 256];
    let read = stream.read(&mut answer).await.expect("reads");
    assert!(answer[..read].starts_with(b"HTTP/1.1 200"));
    stream
}

/// Stops serving and waits for it to end, at most `limit`; returns how long it took.
async fn stop_within(
    stop: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<()>,
    limit: Duration,
) -> Duration {
    let started = Instant::now();
    let _ = stop.send(());
    tokio::time::timeout(limit, served)
        .await
        .unwrap_or_else(|_| panic!("serving still runs after {limit:?}"))
        .expect("serving did not panic");
    started.elapsed()
}

#[tokio::test]
async fn idle_kept_alive_connections_do_not_hold_shutdown() {
    let (address, stop, served) = serving().await;
    let _idle = kept_alive_after_one_request(address).await;
    stop_within(stop, served, Duration::from_secs(3)).await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_holds_shutdown_only_for_the_grace_period() {
    let (address, stop, served) = serving().await;
    let _idle = kept_alive_after_one_request(address).await;
    let mut slow = TcpStream::connect(address).await.expect("connects");
    slow.write_all(b"GET / HTTP/1.1\r\nHost: logdash\r\n")
        .await
        .expect("writes");
    // the connection is being served before shutdown starts
    tokio::time::sleep(Duration::from_millis(200)).await;
    // within 15 s: not after the 60 s header timeout
    let waited = stop_within(stop, served, Duration::from_secs(15)).await;
    assert!(
        waited >= Duration::from_secs(4),
        "shutdown did not wait for the busy connection ({waited:?})"
    );
}

#[tokio::test]
async fn a_request_in_flight_is_answered_before_serving_ends() {
    let (address, stop, served) = serving().await;
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream
        .write_all(b"GET /slow HTTP/1.1\r\nHost: logdash\r\n\r\n")
        .await
        .expect("writes");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _ = stop.send(());
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("answered within 5 s")
        .expect("reads");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("done"), "{answer}");
    tokio::time::timeout(Duration::from_secs(3), served)
        .await
        .expect("serving ended once the answer was sent")
        .expect("serving did not panic");
}
