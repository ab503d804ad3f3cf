//! Hits before aggregations. On a machine with few cores, a search that aggregates over
//! many events (the panels' percentiles) keeps every core busy for a hundred milliseconds
//! or more; a search for hits asked meanwhile (the stream's newest lines, a page of
//! Discover) would share the cores with it and take several times as long. So while a
//! search without aggregations runs, the threads of an aggregating search read in parts
//! ([`super::parallel`]) wait between blocks of documents, at most [`MOST_WAITED`] over
//! each part of the search a thread reads (a search is cut into two parts a core, and a
//! part per small segment), so that a steady flow of small searches cannot starve it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The longest an aggregating thread waits over one part of a search.
pub(crate) const MOST_WAITED: Duration = Duration::from_millis(100);

/// The searches for hits running now, for the aggregating ones to wait on.
#[derive(Default)]
pub(crate) struct Turns {
    /// How many searches without aggregations run now (read without the lock: the
    /// aggregating threads look at it between every block of documents).
    hits: AtomicUsize,
    lock: Mutex<()>,
    done: Condvar,
}

/// A search for hits, running until it is dropped.
pub(crate) struct HitsTurn<'a>(&'a Turns);

impl Turns {
    /// Marks a search without aggregations as running, until the turn is dropped.
    pub(crate) fn hits(&self) -> HitsTurn<'_> {
        self.hits.fetch_add(1, Ordering::SeqCst);
        HitsTurn(self)
    }

    /// Called by an aggregating thread between blocks of documents: while a search for
    /// hits runs, waits for it, until `waited` (this thread's waiting so far) reaches
    /// [`MOST_WAITED`].
    pub(crate) fn step_aside(&self, waited: &mut Duration) {
        if self.hits.load(Ordering::Relaxed) == 0 || *waited >= MOST_WAITED {
            return;
        }
        let started = Instant::now();
        let mut guard = match self.lock.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        while self.hits.load(Ordering::SeqCst) > 0 {
            let left = MOST_WAITED.saturating_sub(*waited + started.elapsed());
            if left.is_zero() {
                break;
            }
            guard = match self.done.wait_timeout(guard, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        *waited += started.elapsed();
    }
}

impl Drop for HitsTurn<'_> {
    fn drop(&mut self) {
        let turns = self.0;
        // under the lock, so that a thread between its look and its wait is woken
        let _guard = turns.lock.lock();
        turns.hits.fetch_sub(1, Ordering::SeqCst);
        turns.done.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn an_aggregating_thread_waits_for_the_search_for_hits() {
        let turns = Turns::default();
        let (said, heard) = mpsc::channel();
        std::thread::scope(|scope| {
            let turn = turns.hits();
            scope.spawn(|| {
                let mut waited = Duration::ZERO;
                turns.step_aside(&mut waited);
                said.send("aggregation went on").ok();
            });
            // long enough for the thread to have stepped past, were it not waiting
            std::thread::sleep(Duration::from_millis(20));
            said.send("hits done").ok();
            drop(turn);
        });
        let order: Vec<_> = heard.try_iter().collect();
        assert_eq!(order, ["hits done", "aggregation went on"]);
    }

    #[test]
    fn waiting_is_bounded() {
        let turns = Turns::default();
        let _turn = turns.hits();
        let mut waited = Duration::ZERO;
        turns.step_aside(&mut waited);
        assert!(waited >= MOST_WAITED, "waited {waited:?}");
        // once its time is spent, the thread no longer waits at all
        let before = waited;
        turns.step_aside(&mut waited);
        assert_eq!(waited, before);
    }

    #[test]
    fn nothing_waits_without_a_search_for_hits() {
        let turns = Turns::default();
        drop(turns.hits());
        let mut waited = Duration::ZERO;
        turns.step_aside(&mut waited);
        assert_eq!(waited, Duration::ZERO);
    }
}
