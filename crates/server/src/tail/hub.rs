//! Who watches which view, and what reaches them: each distinct view (index pattern and
//! query text) is matched once per arriving event, whatever its number of watchers; each
//! watcher has a bounded queue, and a watcher that falls behind is told how many events it
//! missed instead of growing the server's memory. In proxy mode no event passes by the
//! server: a view is fed by one poll of the cluster ([`super::poller`]) for all its watchers.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use logdash_core::live::LiveQuery;
use logdash_store::{Arrived, Unmatched};
use tokio::sync::mpsc;

/// Events one watcher may have waiting; past it, events are counted as skipped.
pub const QUEUE: usize = 1_024;
/// Matched events a view keeps for watchers that reconnect (`Last-Event-ID`).
pub const RECENT: usize = 1_000;
/// How long a view with no watchers keeps matching, so that a reconnect resumes it.
pub const LINGER: Duration = Duration::from_secs(60);

/// The hub's bounds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_watchers: usize,
    pub max_views: usize,
}

/// One matched event as the stream sends it, or (proxy mode) what the view's polls
/// of the cluster leave out.
#[derive(Debug)]
pub struct Hit {
    /// Its place among every event the hub matched: the stream's event id (0 for shards).
    pub seq: u64,
    /// `{"_index", "_id", "_source"}`, as a search's hit; for shards, a search answer's
    /// `_shards` and `timed_out`.
    pub json: String,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Hit,
    /// The latest poll left shards out, or (with `failed` 0) no longer does.
    Shards,
}

/// Why a watcher was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The query cannot be matched event by event (the dashboard polls instead).
    Unsupported(String),
    /// Past a limit, or the server is stopping.
    Busy(String),
}

type ViewKey = (String, String);

struct Watcher {
    id: u64,
    sender: mpsc::Sender<Arc<Hit>>,
    skipped: Arc<AtomicU64>,
}

struct View {
    /// Its query, matched against each arriving event; none when a poll feeds the view.
    query: Option<LiveQuery>,
    /// Tells this view from a later one of the same key (the poller of a forgotten view
    /// stops rather than feed its successor).
    id: u64,
    watchers: Vec<Watcher>,
    recent: VecDeque<Arc<Hit>>,
    /// The newest `seq` that left `recent`: a resume from before it has lost events.
    forgotten: u64,
    /// What the latest polls left out, told to each watcher that comes (proxy mode).
    shards: Option<Arc<Hit>>,
    idle_since: Option<Instant>,
}

#[derive(Default)]
struct Inner {
    views: HashMap<ViewKey, View>,
    watchers: usize,
}

/// The push tail's hub.
pub struct Hub {
    inner: Mutex<Inner>,
    /// Whether any view exists: arrivals pass by at once when none does.
    active: AtomicBool,
    closed: AtomicBool,
    next_seq: AtomicU64,
    next_watcher: AtomicU64,
    limits: Limits,
    /// Views are fed by polls of a cluster, not by the store's arrivals.
    polled: bool,
}

/// A watcher's end: its queue, the count of what it missed, and what it asked to resume.
pub struct Watch {
    pub receiver: mpsc::Receiver<Arc<Hit>>,
    pub skipped: Arc<AtomicU64>,
    /// Matched events after the `Last-Event-ID` it gave, oldest first.
    pub replay: Vec<Arc<Hit>>,
    /// Whether events after that id were already forgotten (the view must reload).
    pub gap: bool,
    /// The view this watcher started, when a poll must now feed it (proxy mode).
    pub to_poll: Option<PolledView>,
    /// Held for its `Drop`: the watcher leaves its view with its stream.
    _leave: Leave,
}

/// A view a poll feeds: its key and which of the views of that key it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolledView {
    pub index: String,
    pub query: String,
    pub id: u64,
}

/// Takes the watcher off its view when its stream ends.
struct Leave {
    hub: Weak<Hub>,
    key: ViewKey,
    id: u64,
}

impl Drop for Leave {
    fn drop(&mut self) {
        if let Some(hub) = self.hub.upgrade() {
            hub.leave(&self.key, self.id);
        }
    }
}

impl Hub {
    /// A hub fed by the embedded store's arrivals (`polled` false) or by polls of a cluster.
    pub fn new(limits: Limits, polled: bool) -> Arc<Hub> {
        Arc::new(Hub {
            inner: Mutex::new(Inner::default()),
            active: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            next_seq: AtomicU64::new(1),
            next_watcher: AtomicU64::new(1),
            limits,
            polled,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a watcher of the view (`index`, `query`); `after` is the last event id it saw.
    /// `unmatched` is what the live matcher does not read as the store's search does
    /// (`Store::unmatched_fields`): a view naming one of its fields, or searching every
    /// field while it says so, is polled.
    pub fn watch(
        self: &Arc<Self>,
        index: &str,
        query: &str,
        after: Option<u64>,
        unmatched: &Unmatched,
    ) -> Result<Watch, Refused> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Refused::Busy("logdash is stopping".into()));
        }
        // a cluster's search decides any query; the store's arrivals are matched one by one
        let compiled = match self.polled {
            true => None,
            false => Some(LiveQuery::compile(index, query).map_err(Refused::Unsupported)?),
        };
        if let Some(field) = compiled
            .iter()
            .flat_map(LiveQuery::fields_named)
            .find(|field| {
                // the field, or an object or flattened field it is inside
                let field = field.strip_suffix(".keyword").unwrap_or(field);
                let inside = |name: &String| {
                    field
                        .strip_prefix(name.as_str())
                        .is_some_and(|rest| rest.starts_with('.'))
                };
                unmatched.fields.contains(field)
                    || unmatched.fields.iter().any(inside)
                    || (field == "*" && unmatched.every_field)
            })
        {
            return Err(Refused::Unsupported(match field {
                "*" => "a term without a field, while some index declares a field type only a search reads".into(),
                field => format!("[{field}] is declared as a type that is matched by searching"),
            }));
        }
        let key = (index.to_string(), query.to_string());
        let mut inner = self.lock();
        prune(&mut inner, Instant::now());
        if inner.watchers >= self.limits.max_watchers {
            return Err(Refused::Busy(format!(
                "{} live streams are open, the most this server takes (--max-tail-watchers)",
                inner.watchers
            )));
        }
        if !inner.views.contains_key(&key) && inner.views.len() >= self.limits.max_views {
            return Err(Refused::Busy(format!(
                "{} different views are streamed live, the most this server takes (--max-tail-views)",
                inner.views.len()
            )));
        }
        let (sender, receiver) = mpsc::channel(QUEUE);
        let skipped = Arc::new(AtomicU64::new(0));
        let id = self.next_watcher.fetch_add(1, Ordering::Relaxed);
        let mut to_poll = None;
        let view = inner.views.entry(key.clone()).or_insert_with(|| {
            if self.polled {
                to_poll = Some(PolledView {
                    index: index.to_string(),
                    query: query.to_string(),
                    id,
                });
            }
            View {
                query: compiled,
                id,
                watchers: Vec::new(),
                recent: VecDeque::new(),
                forgotten: 0,
                shards: None,
                idle_since: None,
            }
        });
        view.idle_since = None;
        view.watchers.push(Watcher {
            id,
            sender,
            skipped: Arc::clone(&skipped),
        });
        let (mut replay, gap): (Vec<Arc<Hit>>, bool) = match after {
            Some(after) => (
                view.recent
                    .iter()
                    .filter(|hit| hit.seq > after)
                    .cloned()
                    .collect(),
                view.forgotten > after,
            ),
            None => (Vec::new(), false),
        };
        if let Some(shards) = &view.shards {
            replay.insert(0, Arc::clone(shards));
        }
        inner.watchers += 1;
        self.active.store(true, Ordering::Release);
        Ok(Watch {
            receiver,
            skipped,
            replay,
            gap,
            to_poll,
            _leave: Leave {
                hub: Arc::downgrade(self),
                key,
                id,
            },
        })
    }

    fn leave(&self, key: &ViewKey, id: u64) {
        let mut inner = self.lock();
        let mut left = false;
        if let Some(view) = inner.views.get_mut(key) {
            let before = view.watchers.len();
            view.watchers.retain(|watcher| watcher.id != id);
            left = view.watchers.len() < before;
            if view.watchers.is_empty() {
                view.idle_since.get_or_insert_with(Instant::now);
            }
        }
        if left {
            inner.watchers = inner.watchers.saturating_sub(1);
        }
    }

    /// Hands a batch of arriving events to the views they match: each view's query runs
    /// once per event, each match is written once and shared by its watchers.
    pub fn publish(&self, batch: &[Arrived<'_>]) {
        if !self.active.load(Ordering::Acquire) {
            return;
        }
        let now = logdash_store::now_millis();
        let mut inner = self.lock();
        prune(&mut inner, Instant::now());
        if inner.views.is_empty() {
            self.active.store(false, Ordering::Release);
            return;
        }
        for arrived in batch {
            let mut hit: Option<Arc<Hit>> = None;
            for view in inner.views.values_mut() {
                let matches = view.query.as_ref().is_some_and(|query| {
                    query.matches(arrived.index, arrived.source, arrived.declared, now)
                });
                if matches {
                    view.deliver(Arc::clone(hit.get_or_insert_with(|| {
                        self.hit(index_id_source(arrived.index, arrived.id, arrived.source))
                    })));
                }
            }
        }
    }

    /// Whether the poll of `view` is still wanted: the view has not been forgotten (no
    /// watcher for [`LINGER`]) and the server is not stopping.
    pub fn polls(&self, view: &PolledView) -> bool {
        let mut inner = self.lock();
        prune(&mut inner, Instant::now());
        let key = (view.index.clone(), view.query.clone());
        inner.views.get(&key).is_some_and(|v| v.id == view.id)
    }

    /// Hands what a poll of `view` found to its watchers (each a search hit's JSON).
    pub fn publish_polled(&self, view: &PolledView, hits: impl IntoIterator<Item = String>) {
        let mut inner = self.lock();
        let key = (view.index.clone(), view.query.clone());
        let Some(target) = inner.views.get_mut(&key).filter(|v| v.id == view.id) else {
            return;
        };
        for json in hits {
            target.deliver(self.hit(json));
        }
    }

    /// Tells the watchers of `view` what its polls now leave out (`answer`: a search
    /// answer's `_shards` and `timed_out`, whole when nothing is left out).
    pub fn publish_shards(&self, view: &PolledView, answer: String, whole: bool) {
        let mut inner = self.lock();
        let key = (view.index.clone(), view.query.clone());
        let Some(target) = inner.views.get_mut(&key).filter(|v| v.id == view.id) else {
            return;
        };
        let told = Arc::new(Hit {
            seq: 0,
            json: answer,
            kind: Kind::Shards,
        });
        target.shards = (!whole).then(|| Arc::clone(&told));
        for watcher in &target.watchers {
            // a full queue has lines to deliver first; the next change is told again
            let _ = watcher.sender.try_send(Arc::clone(&told));
        }
    }

    fn hit(&self, json: String) -> Arc<Hit> {
        Arc::new(Hit {
            seq: self.next_seq.fetch_add(1, Ordering::Relaxed),
            json,
            kind: Kind::Hit,
        })
    }

    /// Ends every stream (the server is stopping) and takes no more watchers.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let mut inner = self.lock();
        inner.views.clear();
        inner.watchers = 0;
        self.active.store(false, Ordering::Release);
    }

    /// Watchers and views, for `/healthz`.
    pub fn counts(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.watchers, inner.views.len())
    }
}

impl logdash_store::Listener for Hub {
    fn listening(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    fn arrived(&self, batch: &[Arrived<'_>]) {
        self.publish(batch);
    }
}

impl View {
    /// Keeps a match for resumes and queues it for each watcher.
    fn deliver(&mut self, hit: Arc<Hit>) {
        self.recent.push_back(Arc::clone(&hit));
        while self.recent.len() > RECENT {
            if let Some(old) = self.recent.pop_front() {
                self.forgotten = old.seq;
            }
        }
        for watcher in &self.watchers {
            // a closed queue's watcher is leaving (its `Leave` takes it off)
            if let Err(mpsc::error::TrySendError::Full(_)) =
                watcher.sender.try_send(Arc::clone(&hit))
            {
                watcher.skipped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Forgets views that have had no watcher for longer than [`LINGER`].
fn prune(inner: &mut Inner, now: Instant) {
    inner.views.retain(|_, view| {
        view.idle_since
            .is_none_or(|since| now.duration_since(since) < LINGER)
    });
}

/// A search hit's JSON: `{"_index", "_id", "_source"}`.
pub fn index_id_source(index: &str, id: &str, source: &impl serde::Serialize) -> String {
    let text = |value: &str| serde_json::to_string(value).unwrap_or_else(|_| "\"\"".into());
    let source = serde_json::to_string(source).unwrap_or_else(|_| "{}".into());
    format!(
        "{{\"_index\":{},\"_id\":{},\"_source\":{source}}}",
        text(index),
        text(id)
    )
}

#[cfg(test)]
mod tests;
