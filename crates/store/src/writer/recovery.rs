//! What happens when writing fails (a full disk): the writer is opened again from the
//! last commit, and whoever waited is told why.
//!
//! A write or commit that fails leaves tantivy's writer unable to write again: its
//! indexing threads are gone, and later commits reported success and stored nothing. So a
//! failure drops the writer and everything it held since the last commit (none of it was
//! acknowledged; whoever waits on it is told) and the next write opens a new one. While
//! that cannot be done, every write is refused with the reason.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::{Index, IndexWriter};

use super::Done;

/// Free space under which a failure is said to be the disk's.
const LOW_DISK: u64 = 64 << 20;

/// Why a write was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WriteFailure {
    pub reason: String,
    /// The disk holding the index is (all but) full: writes resume once space is freed.
    pub disk_full: bool,
}

impl WriteFailure {
    pub(crate) fn stopped(reason: &str) -> Self {
        Self {
            reason: reason.to_string(),
            disk_full: false,
        }
    }
}

impl std::fmt::Display for WriteFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// The writer's failures so far, read by whoever sent a write in parts.
#[derive(Default)]
pub(super) struct Failures {
    pub count: AtomicU64,
    pub last: Mutex<Option<WriteFailure>>,
}

pub(super) struct Recovering {
    writer: Result<IndexWriter, WriteFailure>,
    memory: usize,
    /// The folder of the index, whose disk a failure is checked against.
    folder: PathBuf,
    /// Counted at each failure (read by [`super::Writer::failed_since`]).
    failures: Arc<Failures>,
    /// Events of the TCP input (nobody waits on them) held since the last commit.
    pub unwaited: usize,
}

impl Recovering {
    pub(super) fn new(
        writer: IndexWriter,
        memory: usize,
        folder: PathBuf,
        failures: Arc<Failures>,
    ) -> Self {
        Self {
            writer: Ok(writer),
            memory,
            folder,
            failures,
            unwaited: 0,
        }
    }

    /// Runs `op` on the writer (opened again first if the last one failed). If that fails,
    /// the writer is dropped with what it held and `waiters` are told why (see
    /// [`Recovering::fail`]); the failure is returned as told.
    pub(super) fn write<T>(
        &mut self,
        index: &Index,
        waiters: &mut Vec<Done>,
        op: impl FnOnce(&mut IndexWriter) -> Result<T, String>,
    ) -> Result<T, WriteFailure> {
        let done = match self.get(index) {
            Ok(writer) => op(writer),
            Err(failure) => {
                // refused, as a failure is: a request sent in parts learns a part is missing
                self.count(&failure);
                tell(waiters, &failure);
                return Err(failure);
            }
        };
        done.map_err(|reason| self.fail(&reason, waiters))
    }

    /// The writer, opened again first if the last one failed.
    fn get(&mut self, index: &Index) -> Result<&mut IndexWriter, WriteFailure> {
        if self.writer.is_err() {
            self.writer = index.writer(self.memory).map_err(|err| {
                self.failure(&format!("the index writer cannot be opened again: {err}"))
            });
        }
        self.writer.as_mut().map_err(|failure| failure.clone())
    }

    /// Drops the writer after `reason` and everything it held since the last commit, and
    /// tells `waiters` why; the next [`Recovering::get`] opens it again. Returns the
    /// failure as told.
    fn fail(&mut self, reason: &str, waiters: &mut Vec<Done>) -> WriteFailure {
        let failure = self.failure(reason);
        tracing::error!(error = %failure, "writing failed; the index writer is opened again from the last commit");
        if self.unwaited > 0 {
            tracing::error!(
                events = self.unwaited,
                "events of the TCP input since the last commit could not be stored"
            );
        }
        self.unwaited = 0;
        self.count(&failure);
        tell(waiters, &failure);
        // dropping the writer waits for its indexing threads and lets go of the directory lock
        self.writer = Err(failure.clone());
        failure
    }

    /// Counts a failure, for [`super::Writer::failed_since`].
    fn count(&self, failure: &WriteFailure) {
        if let Ok(mut last) = self.failures.last.lock() {
            *last = Some(failure.clone());
        }
        self.failures.count.fetch_add(1, Ordering::SeqCst);
    }

    /// `reason`, saying so when the disk is full.
    fn failure(&self, reason: &str) -> WriteFailure {
        match fs4::available_space(&self.folder) {
            Ok(free) if free < LOW_DISK => WriteFailure {
                reason: format!(
                    "the disk of {} is full ({free} bytes left): {reason}",
                    self.folder.display()
                ),
                disk_full: true,
            },
            _ => WriteFailure::stopped(reason),
        }
    }
}

/// Tells everyone waiting that their writes were not stored, and why.
fn tell(waiters: &mut Vec<Done>, failure: &WriteFailure) {
    for waiter in waiters.drain(..) {
        let _ = waiter.send(Err(failure.clone()));
    }
}
