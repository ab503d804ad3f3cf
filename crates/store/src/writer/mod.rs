//! The one thread that writes the index: it batches what arrives and commits 0.3 s after
//! the first event that waits for a commit (so events are searchable within a second;
//! under full load p90 is about half a second and the max about a second, as a commit
//! then takes up to ~0.56 s: see BENCHMARKS.md), and at once, within a few milliseconds,
//! when a caller waits for durability (`_bulk`).

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tantivy::query::Query;
use tantivy::{IndexReader, IndexWriter, TantivyDocument};

mod recovery;

pub(crate) use recovery::WriteFailure;
use recovery::{Failures, Recovering};

/// How long indexed events may wait for a commit when nobody waits on them.
const BACKGROUND_COMMIT: Duration = Duration::from_millis(300);
/// How long a durable write waits for others to join its commit.
const DURABLE_COMMIT: Duration = Duration::from_millis(10);
/// Commands (each up to a TCP batch or a `_bulk` body of events) waiting for the writer.
/// Beyond this, senders wait. An event is searchable only after everything queued before
/// it is indexed, so the queue is short: 4 x 2,000 events are ~0.1 s of indexing (with 32
/// batches, events waited up to 2.3 s under full load) and ~25 MB of prepared documents.
const QUEUE: usize = 4;

pub(crate) type Done = Sender<Result<(), WriteFailure>>;

pub(crate) enum Command {
    Add {
        docs: Vec<TantivyDocument>,
        done: Option<Done>,
    },
    Delete {
        query: Box<dyn Query>,
        done: Option<Done>,
    },
    Commit {
        done: Done,
    },
    Shutdown,
}

pub(crate) struct Writer {
    sender: SyncSender<Command>,
    thread: Option<JoinHandle<()>>,
    /// How many times the writer failed, and the last failure (see [`Writer::failed_since`]).
    failures: Arc<Failures>,
}

impl Writer {
    /// Starts the writer thread; `before_commit` runs first in every commit (it persists
    /// mappings). `memory` is the writer's budget and `folder` the index's, for a writer
    /// opened again after a failure.
    pub(crate) fn start(
        writer: IndexWriter,
        memory: usize,
        folder: PathBuf,
        reader: IndexReader,
        before_commit: Box<dyn Fn() -> Result<(), String> + Send>,
    ) -> Self {
        let (sender, receiver) = mpsc::sync_channel(QUEUE);
        let failures = Arc::new(Failures::default());
        let writer = Recovering::new(writer, memory, folder, Arc::clone(&failures));
        let thread = std::thread::Builder::new()
            .name("logdash-writer".into())
            .spawn(move || run(writer, reader, receiver, before_commit))
            .ok();
        Self {
            sender,
            thread,
            failures,
        }
    }

    /// How many times the writer has failed so far (for [`Writer::failed_since`]).
    pub(crate) fn failures(&self) -> u64 {
        self.failures.count.load(Ordering::SeqCst)
    }

    /// The last failure, if the writer failed since [`Writer::failures`] was `count`. A write
    /// sent in parts (a `_bulk` body) is whole only if it did not: a failure drops what
    /// was sent since the last commit.
    pub(crate) fn failed_since(&self, count: u64) -> Option<WriteFailure> {
        if self.failures() == count {
            return None;
        }
        let last = self.failures.last.lock().ok().and_then(|last| last.clone());
        Some(last.unwrap_or_else(|| WriteFailure::stopped("writing failed")))
    }

    /// Queues a command; blocks while the queue is full (back-pressure on ingest).
    pub(crate) fn send(&self, command: Command) -> Result<(), WriteFailure> {
        self.sender
            .send(command)
            .map_err(|_| WriteFailure::stopped("the index writer has stopped"))
    }

    /// Queues a command and waits until it is committed.
    pub(crate) fn send_and_wait(
        &self,
        make: impl FnOnce(Done) -> Command,
    ) -> Result<(), WriteFailure> {
        let (done, wait) = mpsc::channel();
        self.send(make(done))?;
        wait.recv()
            .map_err(|_| WriteFailure::stopped("the index writer stopped before committing"))?
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.sender.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    mut writer: Recovering,
    reader: IndexReader,
    receiver: Receiver<Command>,
    before_commit: Box<dyn Fn() -> Result<(), String> + Send>,
) {
    let index = reader.searcher().index().clone();
    let mut waiters: Vec<Done> = Vec::new();
    let mut pending_since: Option<Instant> = None;
    loop {
        let deadline = pending_since.map(|since| {
            since
                + if waiters.is_empty() {
                    BACKGROUND_COMMIT
                } else {
                    DURABLE_COMMIT
                }
        });
        let timeout = deadline.map_or(Duration::from_secs(3600), |d| {
            d.saturating_duration_since(Instant::now())
        });
        let mut commit_now = false;
        let mut stop = false;
        match receiver.recv_timeout(timeout) {
            Ok(Command::Add { docs, done }) => {
                let count = docs.len();
                match (writer.write(&index, &mut waiters, |w| add(w, docs)), done) {
                    (Err(told), Some(done)) => {
                        let _ = done.send(Err(told));
                    }
                    (Err(_), None) => tracing::error!(events = count, "cannot index events"),
                    (Ok(()), Some(done)) => waiters.push(done),
                    (Ok(()), None) => writer.unwaited += count,
                }
                pending_since.get_or_insert_with(Instant::now);
            }
            Ok(Command::Delete { query, done }) => {
                let deleted = writer.write(&index, &mut waiters, |w| {
                    w.delete_query(query).map_err(|err| err.to_string())
                });
                match (deleted, done) {
                    (Err(told), Some(done)) => {
                        let _ = done.send(Err(told));
                    }
                    (Err(_), None) => tracing::error!("cannot delete"),
                    (Ok(_), done) => waiters.extend(done),
                }
                pending_since.get_or_insert_with(Instant::now);
            }
            Ok(Command::Commit { done }) => {
                waiters.push(done);
                commit_now = true;
            }
            Ok(Command::Shutdown) | Err(RecvTimeoutError::Disconnected) => {
                commit_now = true;
                stop = true;
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        let due = deadline.is_some_and(|d| Instant::now() >= d);
        if commit_now || due {
            let committed = writer.write(&index, &mut waiters, |w| {
                commit(w, &reader, &*before_commit)
            });
            // (a failure was told to every waiter)
            if committed.is_ok() {
                writer.unwaited = 0;
                for waiter in waiters.drain(..) {
                    let _ = waiter.send(Ok(()));
                }
            }
            pending_since = None;
        }
        if stop {
            break;
        }
    }
}

fn add(writer: &mut IndexWriter, docs: Vec<TantivyDocument>) -> Result<(), String> {
    docs.into_iter()
        .try_for_each(|doc| writer.add_document(doc).map(|_| ()))
        .map_err(|err| err.to_string())
}

fn commit(
    writer: &mut IndexWriter,
    reader: &IndexReader,
    before_commit: &dyn Fn() -> Result<(), String>,
) -> Result<(), String> {
    before_commit()?;
    writer
        .commit()
        .map_err(|err| format!("commit failed: {err}"))?;
    reader
        .reload()
        .map_err(|err| format!("reader reload failed: {err}"))
}
