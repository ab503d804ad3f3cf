//! logdash's embedded log store: Elasticsearch's API over one tantivy index kept on disk.
//!
//! The pipeline reads in module order: `event` turns bytes into events (Logstash's rules),
//! `mapping` types their fields (Elasticsearch's dynamic mapping), `document` indexes them,
//! `writer` commits them; `indices` resolves index expressions, `query` turns the query
//! DSL into tantivy queries, `search` and `aggs` answer in Elasticsearch's JSON, and
//! `catalog` describes indices and fields.

mod aggs;
mod bulk;
mod catalog;
mod cluster;
mod digest;
mod document;
mod error;
pub mod event;
mod files;
mod index_admin;
pub mod indices;
mod ip;
mod live;
pub mod mapping;
mod meta;
mod nanos;
mod percentiles;
mod query;
mod schema;
mod search;
mod standard;
pub mod templates;
mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use logdash_core::time::EpochMillis;
use serde_json::Value;
use tantivy::directory::MmapDirectory;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, ReloadPolicy, Term};

pub use bulk::{check as check_bulk, mark_forced_refresh};
pub use error::{Raised, RequestError, StoreError};
pub use event::Source;
pub use live::Unmatched;
pub use mapping::FieldKind;

use document::Indexed;
use files::{load_mappings, save_mappings, MAPPINGS_FILE};
use mapping::IndexMapping;
use schema::Fields;
use writer::{Command, Writer};

/// The Elasticsearch version whose API (and JSON shapes) the store speaks.
pub const COMPATIBLE_ES_VERSION: &str = "8.15.0";

/// How the store names and keeps indices.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Events that name no index go to `{index_prefix}-YYYY.MM.DD`, as with Logstash.
    pub index_prefix: String,
    /// Memory the index writer may use before it flushes a segment.
    pub writer_memory_bytes: usize,
    /// Whether daily indices get Logstash's own template (stored as `logstash` for
    /// `{index_prefix}-*` at open unless one of that name is stored), as when Logstash
    /// writes them into Elasticsearch. Off by default, as an Elasticsearch node starts
    /// without it; the server's TCP input, which stands for Logstash, turns it on.
    pub logstash_template: bool,
    /// Threads one search reads with, and searches one `_msearch` runs at once; 0: as many
    /// as there are cores.
    pub search_threads: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            index_prefix: "logstash".to_string(),
            writer_memory_bytes: 256 << 20,
            logstash_template: false,
            search_threads: 0,
        }
    }
}

pub(crate) type Mappings = BTreeMap<String, IndexMapping>;

/// One event the store took: where it goes, its `_id` and its `_source`, and the fields
/// its index declares that the live matcher reads as declared.
pub struct Arrived<'a> {
    pub index: &'a str,
    pub id: &'a str,
    pub source: &'a Source,
    pub declared: &'a logdash_core::live::Declared,
}

/// Told of every batch of events the store takes, as it queues them for indexing (before
/// they are searchable): the push tail's feed. It runs on the ingesting thread.
pub trait Listener: Send + Sync {
    /// Whether it wants events now: when not, the store spends nothing on it.
    fn listening(&self) -> bool;
    fn arrived(&self, batch: &[Arrived<'_>]);
}

pub type Arrivals = Arc<dyn Listener>;

/// The embedded store, opened on one data directory.
pub struct Store {
    data_dir: PathBuf,
    meta: meta::ClusterMeta,
    config: StoreConfig,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    mappings: Arc<RwLock<Mappings>>,
    /// What `PUT /{index}` and `_mapping` declared, by index.
    explicit: RwLock<index_admin::ExplicitMappings>,
    /// Index templates, applied to each new index.
    templates: RwLock<templates::Templates>,
    writer: Writer,
    /// The next event's place in the indexing order (`seq`); generated ids are made from it.
    next_sequence: AtomicU64,
    arrivals: RwLock<Option<Arrivals>>,
    /// The scrolls open (`search::scroll`).
    scrolls: search::scroll::Scrolls,
    /// Searches for hits running, which aggregating searches step aside for.
    turns: search::turns::Turns,
}

impl Store {
    /// Opens the store in `data_dir` with the default configuration, creating it on first use.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(data_dir, StoreConfig::default())
    }

    /// Opens the store in `data_dir`, creating it on first use. After a crash it opens at
    /// its last commit: every acknowledged `_bulk` is there.
    pub fn open_with(data_dir: &Path, mut config: StoreConfig) -> Result<Self, StoreError> {
        if config.search_threads == 0 {
            config.search_threads = std::thread::available_parallelism().map_or(1, usize::from);
        }
        let io = |what: String| move |source| StoreError::Io { what, source };
        std::fs::create_dir_all(data_dir)
            .map_err(io(format!("create data directory {}", data_dir.display())))?;
        let meta = meta::ClusterMeta::load_or_create(data_dir)?;
        let index_dir = data_dir.join("index");
        std::fs::create_dir_all(&index_dir)
            .map_err(io(format!("create {}", index_dir.display())))?;
        let directory =
            MmapDirectory::open(&index_dir).map_err(|err| StoreError::Index(err.to_string()))?;
        let opened = match Index::exists(&directory) {
            // a store written by an earlier version keeps its schema (without `seq`, say)
            Ok(true) => Index::open(directory),
            Ok(false) => Index::create(directory, schema::build().0, Default::default()),
            Err(err) => Err(err.into()),
        };
        let mut index = opened.map_err(|err| StoreError::Index(err.to_string()))?;
        let fields =
            schema::fields_of(&index.schema()).map_err(|err| StoreError::Index(err.to_string()))?;
        index.set_tokenizers(schema::tokenizers());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|err| StoreError::Index(err.to_string()))?;
        let first_sequence = first_sequence(now_millis(), &reader.searcher());
        let mappings = Arc::new(RwLock::new(load_mappings(data_dir)?));
        let explicit = index_admin::load_explicit(data_dir)?;
        let mut templates = templates::load(data_dir)?;
        if config.logstash_template {
            match templates.install_logstash(&config.index_prefix) {
                Ok(false) => {}
                Ok(true) => templates::save(data_dir, &templates).map_err(StoreError::Index)?,
                // a template of the user's own takes its place (same priority and pattern)
                Err(error) => tracing::warn!(
                    reason = %error.reason,
                    "Logstash's template was not stored"
                ),
            }
        }
        let templates = RwLock::new(templates);
        let memory = config.writer_memory_bytes.max(15 << 20);
        let index_writer = index
            .writer(memory)
            .map_err(|err| StoreError::Index(format!("cannot open the index writer: {err}")))?;
        let persist = {
            let mappings = Arc::clone(&mappings);
            let path = data_dir.join(MAPPINGS_FILE);
            Box::new(move || save_mappings(&path, &mappings))
        };
        let writer = Writer::start(
            index_writer,
            memory,
            index_dir.clone(),
            reader.clone(),
            persist,
        );
        Ok(Self {
            data_dir: data_dir.to_path_buf(),
            meta,
            config,
            index,
            reader,
            fields,
            mappings,
            explicit,
            templates,
            writer,
            next_sequence: AtomicU64::new(first_sequence),
            arrivals: RwLock::new(None),
            scrolls: search::scroll::Scrolls::default(),
            turns: search::turns::Turns::default(),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// How many threads one search may read with (every core's, unless configured).
    pub(crate) fn search_threads(&self) -> usize {
        self.config.search_threads
    }

    /// The threads one search may read with, and the turns its threads step aside for.
    pub(crate) fn cores(&self) -> (usize, &search::turns::Turns) {
        (self.config.search_threads, &self.turns)
    }

    /// Indexes events that arrived without a target (the TCP input): each goes to its daily
    /// index. Returns once they are queued; they are searchable within a second.
    pub fn ingest(&self, events: Vec<Source>) -> Result<usize, StoreError> {
        let now = now_millis();
        let placed: Vec<(String, EpochMillis, Source)> = events
            .into_iter()
            .map(|mut event| {
                let time = event::settle_timestamp(&mut event, now);
                (
                    event::daily_index(&self.config.index_prefix, time),
                    time,
                    event,
                )
            })
            .collect();
        // a new daily index starts with what its templates declare (asked once per run of
        // events for one index: a batch is mostly one day's)
        let mut ensured = "";
        for (index, _, _) in &placed {
            if ensured != index {
                if let Err(error) = self.ensure_index(index) {
                    tracing::warn!(index, %error, "the index's templates could not be applied");
                }
                ensured = index;
            }
        }
        // an event that does not fit its index's explicit mapping is refused, as
        // Elasticsearch refuses it to Logstash (which logs and drops it); one that does is
        // added to the mapping before the next is shaped, as `_bulk` maps its items one by
        // one (what a dynamic template or dynamic mapping made of an event's fields binds
        // the events after it); dynamically mapped indices take every event, observed at once
        let mut shapes = Vec::with_capacity(placed.len());
        let mut kept = Vec::with_capacity(placed.len());
        for (index, time, event) in &placed {
            match self.shape(index, event, None) {
                Ok(shaped) => {
                    if shaped.is_some() {
                        self.observe(std::iter::once((index.as_str(), event)));
                    }
                    kept.push((index.as_str(), *time, event));
                    shapes.push(shaped);
                }
                Err(misfit) => tracing::warn!(
                    index, kind = misfit.kind, reason = %misfit.reason,
                    "event refused: it does not fit the index's mapping"
                ),
            }
        }
        let placed = kept;
        let dynamic = placed
            .iter()
            .zip(&shapes)
            .filter(|(_, shaped)| shaped.is_none());
        // a dynamically mapped event's values made to fit their fields' types, where any
        // must change (in the order of the dynamic events)
        let mut coerced = self
            .observe(dynamic.map(|((index, _, event), _)| (*index, *event)))
            .into_iter();
        let docs: Vec<_> = placed
            .iter()
            .zip(&shapes)
            .map(|((index, time, event), shaped)| {
                let coerced = match shaped {
                    None => coerced.next().flatten(),
                    Some(_) => None,
                };
                let indexed = Indexed {
                    shaped: shaped.as_ref(),
                    coerced: coerced.as_ref(),
                };
                self.document(index, None, *time, event, indexed)
            })
            .collect();
        if let Some(arrivals) = self.arrivals() {
            let ids: Vec<String> = docs.iter().map(|doc| self.id_of(doc)).collect();
            let batch = placed.iter().zip(&ids);
            self.tell_arrivals(
                &arrivals,
                batch.map(|((index, _, source), id)| (*index, id.as_str(), *source)),
            );
        }
        let count = docs.len();
        self.writer
            .send(Command::Add { docs, done: None })
            .map_err(StoreError::from)?;
        Ok(count)
    }

    /// Tells `arrivals` of every event taken from now on (one listener; a second replaces it).
    pub fn on_arrival(&self, arrivals: Arrivals) {
        if let Ok(mut slot) = self.arrivals.write() {
            *slot = Some(arrivals);
        }
    }

    /// The listener, when there is one and it is listening.
    pub(crate) fn arrivals(&self) -> Option<Arrivals> {
        self.arrivals
            .read()
            .ok()
            .and_then(|slot| slot.clone())
            .filter(|listener| listener.listening())
    }

    /// The `_id` of a prepared document.
    pub(crate) fn id_of(&self, doc: &tantivy::TantivyDocument) -> String {
        doc.get_first(self.fields.id)
            .and_then(|v| tantivy::schema::Value::as_str(&v).map(str::to_string))
            .unwrap_or_default()
    }

    /// Elasticsearch's `_bulk`: answers once every accepted event is committed to disk.
    pub fn bulk(&self, default_index: Option<&str>, body: &[u8]) -> Result<Value, RequestError> {
        bulk::run(self, default_index, body)
    }

    /// Waits until everything sent so far is committed and searchable.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.writer
            .send_and_wait(|done| Command::Commit { done })
            .map_err(StoreError::from)
    }

    /// Drops whole daily indices (`{prefix}-YYYY.MM.DD`) older than `days` days; returns their names.
    pub fn drop_older_than(&self, days: u32, now: EpochMillis) -> Result<Vec<String>, StoreError> {
        let cutoff = logdash_core::time::logstash_day(now - i64::from(days) * 86_400_000);
        let prefix = format!("{}-", self.config.index_prefix);
        let old: Vec<String> = self
            .index_names()
            .into_iter()
            .filter(|name| {
                name.strip_prefix(&prefix)
                    .is_some_and(|day| day.len() == 10 && *day < *cutoff.as_str())
            })
            .collect();
        for name in &old {
            self.delete_index(name)?;
        }
        Ok(old)
    }

    /// Deletes one index and everything in it.
    ///
    /// The events go first and the mapping after their deletion is committed: a crash in
    /// between leaves an empty index listed (dropped again next time), never events that
    /// no index lists and nothing would ever drop. Events written to the index while it
    /// was deleted keep it listed. (Still open: events sent in the instant after that
    /// check and committed after the mapping is gone.)
    pub fn delete_index(&self, name: &str) -> Result<(), StoreError> {
        let term = Term::from_field_text(self.fields.index, name);
        let query = Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic));
        self.writer
            .send_and_wait(|done| Command::Delete {
                query,
                done: Some(done),
            })
            .map_err(StoreError::from)?;
        // events written to it meanwhile keep it (and their mapping) listed
        let written_since = self
            .reader
            .searcher()
            .search(
                &TermQuery::new(term, IndexRecordOption::Basic),
                &tantivy::collector::Count,
            )
            .unwrap_or(0);
        if written_since > 0 {
            return Ok(());
        }
        if let Ok(mut explicit) = self.explicit.write() {
            if explicit.remove(name).is_some() {
                index_admin::save_explicit(&self.data_dir, &explicit).map_err(StoreError::Index)?;
            }
        }
        let removed = self
            .mappings
            .write()
            .is_ok_and(|mut mappings| mappings.remove(name).is_some());
        if removed {
            save_mappings(&self.data_dir.join(MAPPINGS_FILE), &self.mappings)
                .map_err(StoreError::Index)?;
        }
        Ok(())
    }

    /// The names of all indices, sorted.
    pub fn index_names(&self) -> Vec<String> {
        self.mappings
            .read()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Types the event's fields, assigns an id, and builds its document.
    fn prepare(
        &self,
        index: &str,
        id: Option<String>,
        time: EpochMillis,
        event: &Source,
        shaped: Option<&mapping::shape::Shaped>,
    ) -> tantivy::TantivyDocument {
        let coerced = self
            .observe(std::iter::once((index, event)))
            .pop()
            .flatten();
        let indexed = Indexed {
            shaped,
            coerced: coerced.as_ref(),
        };
        self.document(index, id, time, event, indexed)
    }

    /// Adds the fields of events (with their indices) to the mappings, under one lock.
    /// Returns, for each event in order, the event with its values coerced to their fields'
    /// types where a dynamically mapped index's types change any (`None` for most).
    fn observe<'a>(
        &self,
        events: impl Iterator<Item = (&'a str, &'a Source)>,
    ) -> Vec<Option<Source>> {
        let mut coerced = Vec::new();
        let Ok(mut mappings) = self.mappings.write() else {
            return coerced;
        };
        let explicit = self.explicit.read().ok();
        // fields a dynamic template declared, by index
        let mut adopted: Vec<(String, Vec<(String, mapping::explicit::Declared)>)> = Vec::new();
        for (index, event) in events {
            // one lookup for an index already known; its name is copied only when it is new
            if let Some(mapping) = mappings.get_mut(index) {
                match explicit.as_ref().and_then(|e| e.get(index)) {
                    Some(explicit) => {
                        let mut fields = Vec::new();
                        mapping::observe_explicit(mapping, explicit, event, &mut fields);
                        if !fields.is_empty() {
                            adopted.push((index.to_string(), fields));
                        }
                    }
                    None => {
                        coerced.push(mapping::observe_coercing(mapping, event).1);
                        continue;
                    }
                };
                coerced.push(None);
                continue;
            }
            let mut fresh = IndexMapping::new();
            fresh.insert("@timestamp".into(), FieldKind::Date);
            coerced.push(mapping::observe_coercing(&mut fresh, event).1);
            mappings.insert(index.to_string(), fresh);
        }
        drop(explicit);
        if !adopted.is_empty() {
            self.adopt(adopted);
        }
        coerced
    }

    /// Declares the fields dynamic templates took, as Elasticsearch adds them to the
    /// index's mapping, and keeps the mapping so.
    fn adopt(&self, adopted: Vec<(String, Vec<(String, mapping::explicit::Declared)>)>) {
        let Ok(mut explicit) = self.explicit.write() else {
            return;
        };
        for (index, fields) in adopted {
            if let Some(mapping) = explicit.get_mut(&index) {
                for (name, declared) in fields {
                    mapping.fields.entry(name).or_insert(declared);
                }
            }
        }
        if let Err(error) = index_admin::save_explicit(&self.data_dir, &explicit) {
            tracing::error!(%error, "the mappings dynamic templates made could not be saved");
        }
    }

    /// The event's document, with a new id unless it has one.
    fn document(
        &self,
        index: &str,
        id: Option<String>,
        time: EpochMillis,
        event: &Source,
        indexed: Indexed<'_>,
    ) -> tantivy::TantivyDocument {
        let sequence = self.next_sequence.fetch_add(1, Ordering::Relaxed);
        let id = id.unwrap_or_else(|| self.new_id(time, sequence));
        document::build(&self.fields, index, &id, sequence, time, event, indexed)
    }

    /// A 20-character id like Elasticsearch's generated ones, unique within this store.
    fn new_id(&self, time: EpochMillis, sequence: u64) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let seed = self
            .meta
            .cluster_uuid
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let value =
            (u128::from(time as u64) << 64) | u128::from(sequence ^ (seed & 0xFFFF_0000_0000_0000));
        // most significant first: ids made close in time share long prefixes, which keeps
        // the term dictionary small and quick to build (as Elasticsearch orders its ids)
        (0..20)
            .rev()
            .map(|digit| char::from(ALPHABET[((value >> (6 * digit)) & 63) as usize]))
            .collect()
    }
}

/// Where a run's indexing order starts: past every place the store holds, and not before
/// its start second (since 2020-09-13) times 65,536, so that places (and the ids made
/// from them) never repeat one the store holds (an earlier run
/// would have to take 65,536 events a second all its life to meet a later start). Places
/// stay below 2^53: `_doc` sort values go through JSON, where larger whole numbers lose
/// digits in JavaScript and other readers that hold numbers as doubles.
fn first_sequence(now: EpochMillis, searcher: &tantivy::Searcher) -> u64 {
    let held = searcher
        .segment_readers()
        .iter()
        .filter_map(|segment| segment.fast_fields().u64(schema::SEQ).ok())
        .map(|column| column.max_value())
        .max()
        .map_or(0, |max| max + 1);
    (((now / 1_000 - 1_600_000_000).max(0) as u64) << 16).max(held)
}

pub fn now_millis() -> EpochMillis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
