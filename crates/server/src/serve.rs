//! Serving HTTP/1.1 connections with hyper, the same way in both modes: each connection is
//! served by hyper's HTTP/1 state machine calling the app (a tower service) directly, with a
//! bound on how long a client may take to send a request's headers (`--header-timeout-secs`:
//! a client that trickles its headers cannot hold a connection, and a kept-alive connection
//! that sends nothing is closed after as long), a bound on how many connections a port
//! serves at once (`--max-connections`: past it, new ones wait in the kernel's queue until
//! one ends, rather than each costing memory and a task), and a graceful end that lets each
//! connection finish the request it is serving.
//!
//! Embedded mode serves on the shared runtime (`shared`). Proxy mode (`per_core`) runs one
//! single-threaded runtime per core, as nginx runs one worker per core: a connection and
//! every upstream exchange it causes stay on one thread, so a request is read, forwarded,
//! answered and its upstream connection put back without waking another thread. (With one
//! shared multi-threaded runtime, work moved between its workers, each move a wake-up in the
//! kernel; a runtime per core costs about a tenth less CPU per proxied request: see
//! BENCHMARKS.md.) One acceptor hands accepted connections to the runtimes in turn; the
//! listening socket itself is the one `main` bound, so a second logdash on the same port
//! still fails with "address in use".

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit, Semaphore};
use tower::{Service, ServiceExt};

/// How many accepted connections may wait for a runtime to pick them up.
const HANDOFF_QUEUE: usize = 1024;
/// How long shutdown waits for connections to finish the requests they are serving (a
/// client still sending its headers counts as one) before it goes on without them: the
/// store must still be committed before a container runtime's stop timeout kills logdash.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What one port allows its clients.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long a client may take to send a request's headers (and a kept-alive connection
    /// may stay silent).
    pub header_timeout: Duration,
    /// How many connections the port serves at once.
    pub max_connections: usize,
}

/// A port's connection slots: one is taken before a connection is accepted and given back
/// when it ends.
#[derive(Clone)]
pub struct Slots {
    free: Arc<Semaphore>,
    what: &'static str,
}

impl Slots {
    pub fn new(max_connections: usize, what: &'static str) -> Self {
        Self {
            free: Arc::new(Semaphore::new(max_connections.max(1))),
            what,
        }
    }

    /// A free slot, waiting for one when all are taken (and saying so, at most once a
    /// minute, since clients then wait).
    pub async fn take(&self, last_warning: &mut Option<Instant>) -> OwnedSemaphorePermit {
        if let Ok(slot) = Arc::clone(&self.free).try_acquire_owned() {
            return slot;
        }
        if last_warning.is_none_or(|at| at.elapsed() > Duration::from_secs(60)) {
            *last_warning = Some(Instant::now());
            tracing::warn!(
                port = self.what,
                "every connection slot is taken (--max-connections): new connections wait until one ends"
            );
        }
        Arc::clone(&self.free)
            .acquire_owned()
            .await
            .expect("the slots are never closed")
    }
}

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

/// An HTTP application `serve` can run: a tower service from requests to answers that is
/// always ready (as axum's routers and tower-http's layers are).
pub trait HttpApp:
    Service<
        Request<Incoming>,
        Response = Response<Self::Body>,
        Error = Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + 'static
{
    type Body: hyper::body::Body<Data: Send, Error: Into<Box<dyn std::error::Error + Send + Sync>>>
        + Send
        + 'static;
}

impl<S, B> HttpApp for S
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: hyper::body::Body<Data: Send, Error: Into<Box<dyn std::error::Error + Send + Sync>>>
        + Send
        + 'static,
{
    type Body = B;
}

/// Serves `app` on `listener` from the current runtime until `shutdown` completes, then
/// lets each connection finish the request it is serving (for `SHUTDOWN_GRACE` at most).
pub async fn shared(
    listener: TcpListener,
    app: impl HttpApp,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let connections = Connections::new(limits.header_timeout);
    let slots = Slots::new(limits.max_connections, "http");
    let mut warned = None;
    tokio::select! {
        () = async {
            loop {
                let slot = slots.take(&mut warned).await;
                if let Some(stream) = accept(&listener).await {
                    connections.serve(stream, app.clone(), slot);
                }
            }
        } => {},
        () = shutdown => {},
    }
    connections.finish().await;
}

/// Serves `app` on `listener` with `workers()` single-threaded runtimes until `shutdown`
/// completes, then lets each finish the requests it is serving (for `SHUTDOWN_GRACE` at
/// most).
pub async fn per_core(
    listener: TcpListener,
    app: impl HttpApp,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> Result<(), String> {
    let header_timeout = limits.header_timeout;
    let mut queues = Vec::new();
    let mut threads = Vec::new();
    for index in 1..=workers() {
        let (queue, handed) = mpsc::channel(HANDOFF_QUEUE);
        queues.push(queue);
        let app = app.clone();
        let thread = std::thread::Builder::new()
            .name(format!("logdash-http-{index}"))
            .spawn(move || run_worker(index, handed, app, header_timeout))
            .map_err(|err| format!("cannot start a serving thread: {err}"))?;
        threads.push(thread);
    }
    // ending `hand_out` drops the queues, which tells each runtime to finish
    tokio::select! {
        () = hand_out(listener, queues, Slots::new(limits.max_connections, "http")) => {},
        () = shutdown => {},
    }
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

/// The next accepted connection, if accepting worked.
async fn accept(listener: &TcpListener) -> Option<TcpStream> {
    match listener.accept().await {
        Ok((stream, _)) => {
            let _ = stream.set_nodelay(true);
            Some(stream)
        }
        Err(err) => {
            // out of file descriptors and the like: wait rather than spin
            tracing::error!(error = %err, "cannot accept a connection");
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

/// A connection handed to a serving runtime, with the slot it holds.
type Handed = (std::net::TcpStream, OwnedSemaphorePermit);

/// Accepts connections (while a slot is free) and hands them to the runtimes in turn,
/// skipping one whose queue is full (it is busy) for the next.
async fn hand_out(listener: TcpListener, queues: Vec<mpsc::Sender<Handed>>, slots: Slots) {
    let mut next = 0;
    let mut warned = None;
    loop {
        let slot = slots.take(&mut warned).await;
        let Some(stream) = accept(&listener).await else {
            continue;
        };
        let Ok(stream) = stream.into_std() else {
            continue;
        };
        let mut stream = (stream, slot);
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
    mut handed: mpsc::Receiver<Handed>,
    app: impl HttpApp,
    header_timeout: Duration,
) -> Result<(), String> {
    WORKER.with(|worker| worker.set(index));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start a serving runtime: {err}"))?;
    runtime.block_on(async move {
        // this runtime's own connections, with their own stop signal, so that they never
        // contend with another thread's for the signal's lock
        let connections = Connections::new(header_timeout);
        // until the acceptor stops and drops the queue
        while let Some((stream, slot)) = handed.recv().await {
            // registered with this thread's runtime, which drives it from now on
            if let Ok(stream) = TcpStream::from_std(stream) {
                connections.serve(stream, app.clone(), slot);
            }
        }
        connections.finish().await;
        Ok(())
    })
}

/// The connections one runtime serves, and how they are told to finish.
struct Connections {
    header_timeout: Duration,
    stop: watch::Sender<bool>,
    /// Each connection holds a clone while it is served, so the channel closes when the
    /// last one has ended.
    done: mpsc::Sender<()>,
    all_done: mpsc::Receiver<()>,
}

impl Connections {
    fn new(header_timeout: Duration) -> Self {
        let (stop, _) = watch::channel(false);
        let (done, all_done) = mpsc::channel(1);
        Self {
            header_timeout,
            stop,
            done,
            all_done,
        }
    }

    /// Serves `stream` with `app` on a task of the current runtime, holding `slot` until
    /// the connection ends.
    fn serve(&self, stream: TcpStream, app: impl HttpApp, slot: OwnedSemaphorePermit) {
        let serving = Serving {
            header_timeout: self.header_timeout,
            stopped: self.stop.subscribe(),
            _done: self.done.clone(),
            _slot: slot,
        };
        tokio::spawn(connection(stream, app, serving));
    }

    /// Tells every connection to finish the request it is serving, then waits until all
    /// of them have ended, or `SHUTDOWN_GRACE` has passed.
    async fn finish(self) {
        let Self {
            stop,
            done,
            mut all_done,
            ..
        } = self;
        stop.send_replace(true);
        drop(done);
        if tokio::time::timeout(SHUTDOWN_GRACE, all_done.recv())
            .await
            .is_err()
        {
            tracing::warn!(
                grace_seconds = SHUTDOWN_GRACE.as_secs(),
                "some connections were still busy at shutdown; they were closed"
            );
        }
    }
}

/// How one connection is served, and how it learns to stop.
struct Serving {
    header_timeout: Duration,
    stopped: watch::Receiver<bool>,
    /// Held while the connection is served (see `Connections::finish`).
    _done: mpsc::Sender<()>,
    /// The port's connection slot this connection holds.
    _slot: OwnedSemaphorePermit,
}

/// Serves one connection until the client closes it, a request's headers take longer than
/// the header timeout, or `stopped` turns true (then the request in flight is finished).
async fn connection(stream: TcpStream, app: impl HttpApp, serving: Serving) {
    let Serving {
        header_timeout,
        mut stopped,
        _done,
        _slot,
    } = serving;
    let service = hyper::service::service_fn(move |request| app.clone().oneshot(request));
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        biased;
        result = connection.as_mut() => {
            if let Err(err) = result {
                tracing::debug!(error = %err, "connection ended with an error");
            }
            return;
        }
        _ = stopped.wait_for(|stop| *stop) => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}
