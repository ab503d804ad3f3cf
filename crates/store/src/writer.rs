//! The one thread that writes the index: it batches what arrives and commits 0.3 s after
//! the first event that waits for a commit (so events are searchable within a second;
//! under full load p90 is about half a second and the max about a second, as a commit
//! then takes up to ~0.56 s: see BENCHMARKS.md), and at once, within a few milliseconds,
//! when a caller waits for durability (`_bulk`).

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tantivy::query::Query;
use tantivy::{IndexReader, IndexWriter, TantivyDocument};

/// How long indexed events may wait for a commit when nobody waits on them.
const BACKGROUND_COMMIT: Duration = Duration::from_millis(300);
/// How long a durable write waits for others to join its commit.
const DURABLE_COMMIT: Duration = Duration::from_millis(10);
/// Commands (each up to a TCP batch or a `_bulk` body of events) waiting for the writer.
/// Beyond this, senders wait. An event is searchable only after everything queued before
/// it is indexed, so the queue is short: 4 x 2,000 events are ~0.1 s of indexing (with 32
/// batches, events waited up to 2.3 s under full load) and ~25 MB of prepared documents.
const QUEUE: usize = 4;

pub(crate) type Done = Sender<Result<(), String>>;

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
}

impl Writer {
    /// Starts the writer thread; `before_commit` runs first in every commit (it persists mappings).
    pub(crate) fn start(
        writer: IndexWriter,
        reader: IndexReader,
        before_commit: Box<dyn Fn() -> Result<(), String> + Send>,
    ) -> Self {
        let (sender, receiver) = mpsc::sync_channel(QUEUE);
        let thread = std::thread::Builder::new()
            .name("logdash-writer".into())
            .spawn(move || run(writer, reader, receiver, before_commit))
            .ok();
        Self { sender, thread }
    }

    /// Queues a command; blocks while the queue is full (back-pressure on ingest).
    pub(crate) fn send(&self, command: Command) -> Result<(), String> {
        self.sender
            .send(command)
            .map_err(|_| "the index writer has stopped".to_string())
    }

    /// Queues a command and waits until it is committed.
    pub(crate) fn send_and_wait(&self, make: impl FnOnce(Done) -> Command) -> Result<(), String> {
        let (done, wait) = mpsc::channel();
        self.send(make(done))?;
        wait.recv()
            .map_err(|_| "the index writer stopped before committing".to_string())?
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
    mut writer: IndexWriter,
    reader: IndexReader,
    receiver: Receiver<Command>,
    before_commit: Box<dyn Fn() -> Result<(), String> + Send>,
) {
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
                let mut failure = None;
                for doc in docs {
                    if let Err(err) = writer.add_document(doc) {
                        failure = Some(err.to_string());
                    }
                }
                match (failure, done) {
                    (Some(err), Some(done)) => {
                        let _ = done.send(Err(err));
                    }
                    (Some(err), None) => tracing::error!(error = %err, "cannot index events"),
                    (None, Some(done)) => waiters.push(done),
                    (None, None) => {}
                }
                pending_since.get_or_insert_with(Instant::now);
            }
            Ok(Command::Delete { query, done }) => {
                if let Err(err) = writer.delete_query(query) {
                    tracing::error!(error = %err, "cannot delete");
                }
                waiters.extend(done);
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
            let result = commit(&mut writer, &reader, &*before_commit);
            if let Err(err) = &result {
                tracing::error!(error = %err, "commit failed");
            }
            for waiter in waiters.drain(..) {
                let _ = waiter.send(result.clone());
            }
            pending_since = None;
        }
        if stop {
            break;
        }
    }
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
