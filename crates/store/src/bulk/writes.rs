//! What one `_bulk` request writes, in its order: events are added in batches, and a
//! delete (or a replacement by id) first sends the events before it, so that the index
//! sees the request as Elasticsearch does, one item after the other.

use std::collections::{HashMap, HashSet};

use logdash_core::time::EpochMillis;
use serde_json::json;

use crate::mapping::shape::Misfit;
use crate::writer::Command;
use crate::{Arrivals, RequestError, Source, Store};

type Key = (String, String);

pub(super) struct Writes<'s> {
    store: &'s Store,
    docs: Vec<tantivy::TantivyDocument>,
    /// Explicit ids this request has added (with their sources, for later updates) and
    /// deleted, by index.
    added: HashMap<Key, Source>,
    deleted: HashSet<Key>,
    /// Whether anything was sent that the answer must wait for.
    sent: bool,
    /// Who is told of each event taken (the push tail), and what it will be told.
    arrivals: Option<Arrivals>,
    arrived: Vec<(String, String, Source)>,
    /// The writer's failures when this request began: one while it is sent in parts may
    /// have dropped a part.
    failures: u64,
}

impl<'s> Writes<'s> {
    pub(super) fn new(store: &'s Store) -> Self {
        Self {
            store,
            docs: Vec::new(),
            added: HashMap::new(),
            deleted: HashSet::new(),
            sent: false,
            arrivals: store.arrivals(),
            arrived: Vec::new(),
            failures: store.writer.failures(),
        }
    }

    /// Whether an event with this id is in the index, as this request has left it.
    pub(super) fn holds(&self, index: &str, id: &str) -> bool {
        let key = (index.to_string(), id.to_string());
        self.added.contains_key(&key)
            || (!self.deleted.contains(&key) && self.store.holds_id(index, id))
    }

    /// The source of the event with this id, as this request has left it.
    pub(super) fn source_of(&self, index: &str, id: &str) -> Option<Source> {
        let key = (index.to_string(), id.to_string());
        if let Some(source) = self.added.get(&key) {
            return Some(source.clone());
        }
        if self.deleted.contains(&key) {
            return None;
        }
        let found = self
            .store
            .search(
                index,
                &json!({"size": 1, "query": {"ids": {"values": [id]}}}),
            )
            .ok()?;
        found["hits"]["hits"][0]["_source"].as_object().cloned()
    }

    /// Stores `source` under `id` (or a new id), first deleting the event held with that
    /// id when `replace`; returns the id.
    pub(super) fn put(
        &mut self,
        index: &str,
        id: Option<String>,
        time: EpochMillis,
        source: Source,
        replace: bool,
    ) -> Result<Result<String, Misfit>, RequestError> {
        // a new index starts with what its templates declare; an index with an explicit
        // mapping indexes the values as it declares them
        self.store.ensure_index(index)?;
        let shaped = match self.store.shape(index, &source, id.as_deref()) {
            Ok(shaped) => shaped,
            Err(misfit) => return Ok(Err(misfit)),
        };
        let explicit = id.is_some();
        let doc = self
            .store
            .prepare(index, id, time, &source, shaped.as_ref());
        drop(shaped);
        let kept = (explicit || self.arrivals.is_some()).then_some(source);
        let doc_id = self.store.id_of(&doc);
        if replace {
            self.delete(index, &doc_id)?;
        }
        if let Some(source) = kept {
            if self.arrivals.is_some() {
                self.arrived
                    .push((index.to_string(), doc_id.clone(), source.clone()));
            }
            if explicit {
                let key = (index.to_string(), doc_id.clone());
                self.deleted.remove(&key);
                self.added.insert(key, source);
            }
        }
        self.docs.push(doc);
        Ok(Ok(doc_id))
    }

    /// Deletes the event with this id; returns whether there was one.
    pub(super) fn delete(&mut self, index: &str, id: &str) -> Result<bool, RequestError> {
        let found = self.holds(index, id);
        let key = (index.to_string(), id.to_string());
        if self.added.remove(&key).is_some() {
            self.send_docs()?; // the event to delete is among those not yet sent
        }
        self.store
            .writer
            .send(Command::Delete {
                query: crate::query::id_in_index(&self.store.fields, index, id),
                done: None,
            })
            .map_err(RequestError::from)?;
        self.deleted.insert(key);
        self.sent = true;
        Ok(found)
    }

    fn send_docs(&mut self) -> Result<(), RequestError> {
        if !self.docs.is_empty() {
            let docs = std::mem::take(&mut self.docs);
            self.store
                .writer
                .send(Command::Add { docs, done: None })
                .map_err(RequestError::from)?;
            self.sent = true;
        }
        Ok(())
    }

    /// Sends the rest, waits until all of it is searchable and durable, and then tells the
    /// push tail of what was taken.
    pub(super) fn finish(mut self) -> Result<(), RequestError> {
        if self.docs.is_empty() && !self.sent {
            return Ok(());
        }
        let in_parts = self.sent;
        let docs = std::mem::take(&mut self.docs);
        self.store.writer.send_and_wait(|done| Command::Add {
            docs,
            done: Some(done),
        })?;
        if let Some(failure) = self
            .store
            .writer
            .failed_since(self.failures)
            .filter(|_| in_parts)
        {
            return Err(failure.into());
        }
        if let Some(arrivals) = self.arrivals.as_ref().filter(|_| !self.arrived.is_empty()) {
            let batch = self.arrived.iter();
            self.store.tell_arrivals(
                arrivals,
                batch.map(|(index, id, source)| (index.as_str(), id.as_str(), source)),
            );
        }
        Ok(())
    }
}
