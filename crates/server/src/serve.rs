//! Serving the dashboard's HTTP in proxy mode: one single-threaded runtime per core, as
//! nginx runs one worker per core. A connection and every upstream exchange it causes stay
//! on one thread, so a request is read, forwarded, answered and its upstream connection
//! put back without waking another thread. (With one shared multi-threaded runtime, work
//! moved between its workers, each move a wake-up in the kernel; a runtime per core costs
//! about a tenth less CPU per proxied request: see BENCHMARKS.md.)
//!
//! One acceptor hands accepted connections to the runtimes in turn, so they share the
//! load evenly; the listening socket itself is the one `main` bound, so a second logdash
//! on the same port still fails with "address in use".

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

/// How many accepted connections may wait for a runtime to pick them up.
const HANDOFF_QUEUE: usize = 1024;

thread_local! {
    /// Which serving runtime this thread drives: 1.. for the per-core runtimes, 0 elsewhere.
    static WORKER: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The serving runtime of the current thread (0 outside them); upstream connections are
/// pooled per runtime, since a socket is driven by the runtime that opened it.
pub fn worker() -> usize {
    WORKER.with(std::cell::Cell::get)
}

/// How many serving runtimes `per_core` starts: one per core the process may use.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Serves `app` on `listener` with `workers()` single-threaded runtimes until `shutdown`
/// completes, then lets each finish the requests it is serving.
pub async fn per_core(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
) -> Result<(), String> {
    let address = listener
        .local_addr()
        .map_err(|err| format!("cannot read the bound address: {err}"))?;
    let (stop, stopped) = watch::channel(false);
    let mut queues = Vec::new();
    let mut threads = Vec::new();
    for index in 1..=workers() {
        let (queue, handed) = mpsc::channel(HANDOFF_QUEUE);
        queues.push(queue);
        let app = app.clone();
        let stopped = stopped.clone();
        let thread = std::thread::Builder::new()
            .name(format!("logdash-http-{index}"))
            .spawn(move || run_worker(index, Handed { handed, address }, app, stopped))
            .map_err(|err| format!("cannot start a serving thread: {err}"))?;
        threads.push(thread);
    }
    tokio::select! {
        () = accept(listener, queues) => {},
        () = shutdown => {},
    }
    let _ = stop.send(true);
    tokio::task::spawn_blocking(move || {
        for thread in threads {
            match thread.join() {
                Ok(Ok(())) => {}
                Ok(Err(message)) => return Err(message),
                Err(_) => return Err("a serving thread panicked".to_string()),
            }
        }
        Ok(())
    })
    .await
    .map_err(|err| format!("a serving thread failed: {err}"))?
}

/// Accepts connections and hands them to the runtimes in turn, skipping one whose queue is
/// full (it is busy) for the next.
async fn accept(listener: TcpListener, queues: Vec<mpsc::Sender<std::net::TcpStream>>) {
    let mut next = 0;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                // out of file descriptors and the like: wait rather than spin
                tracing::error!(error = %err, "cannot accept a connection");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let Ok(mut stream) = stream.into_std() else {
            continue;
        };
        let mut handed = false;
        for _ in 0..queues.len() {
            let queue = &queues[next % queues.len()];
            next = next.wrapping_add(1);
            match queue.try_send(stream) {
                Ok(()) => {
                    handed = true;
                    break;
                }
                Err(mpsc::error::TrySendError::Full(back)) => stream = back,
                Err(mpsc::error::TrySendError::Closed(_)) => return,
            }
        }
        if !handed {
            tracing::warn!(
                waiting = HANDOFF_QUEUE * queues.len(),
                "too many new connections waiting to be served: one was closed"
            );
        }
    }
}

fn run_worker(
    index: usize,
    listener: Handed,
    app: Router,
    mut stopped: watch::Receiver<bool>,
) -> Result<(), String> {
    WORKER.with(|worker| worker.set(index));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start a serving runtime: {err}"))?;
    runtime.block_on(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            })
            .await
            .map_err(|err| format!("server failed: {err}"))
    })
}

/// The connections the acceptor hands to one runtime, as a listener `axum::serve` takes.
struct Handed {
    handed: mpsc::Receiver<std::net::TcpStream>,
    address: SocketAddr,
}

impl axum::serve::Listener for Handed {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let Some(stream) = self.handed.recv().await else {
                // the acceptor stopped: shutdown is under way
                return std::future::pending().await;
            };
            let peer = stream.peer_addr();
            // registered with this thread's runtime, which drives it from now on
            if let (Ok(stream), Ok(peer)) = (TcpStream::from_std(stream), peer) {
                return (stream, peer);
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.address)
    }
}
