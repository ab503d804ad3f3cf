//! Indices made before their events: `PUT /{index}` with `mappings` and `settings`, and
//! `PUT /{index}/_mapping`, as Elasticsearch takes them. What they declare is kept in
//! `explicit-mappings.json` beside the dynamic mappings, written before the answer.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::RwLock;

use serde_json::{json, Map, Value};

use crate::event::Source;
use crate::indices::{self, Indices};
use crate::mapping::explicit::{Declared, Explicit};
use crate::mapping::shape::{Misfit, Shaped};
use crate::mapping::IndexMapping;
use crate::{RequestError, StoreError};

pub(crate) const EXPLICIT_FILE: &str = "explicit-mappings.json";

/// Each explicitly mapped index's mapping, by index name.
pub(crate) type ExplicitMappings = BTreeMap<String, Explicit>;

impl crate::Store {
    /// `PUT /{index}`: creates an empty index with its `mappings` and `settings`.
    pub fn create_index(&self, name: &str, body: &Value) -> Result<Value, RequestError> {
        crate::event::validate_index_name(name).map_err(|reason| RequestError {
            status: 400,
            kind: "invalid_index_name_exception",
            reason,
            raised: crate::Raised::Anywhere,
        })?;
        // what the index's templates declare, with what the request declares over it
        let mut explicit = self.template_for(name)?.unwrap_or_default();
        for (key, value) in body.as_object().into_iter().flatten() {
            match key.as_str() {
                "mappings" => {
                    explicit.overlay(Explicit::read(value)?, value.get("dynamic").is_some())
                }
                "settings" => explicit.settings.extend(read_settings(value)?),
                "aliases" if value.as_object().is_some_and(Map::is_empty) => {}
                "aliases" => {
                    return Err(RequestError::illegal_argument(
                        "[aliases] are not supported by logdash",
                    ))
                }
                other => {
                    return Err(RequestError {
                        status: 400,
                        kind: "parse_exception",
                        reason: format!("unknown key [{other}] for create index"),
                        raised: crate::Raised::Anywhere,
                    })
                }
            }
        }
        if !body.is_object() && !body.is_null() {
            return Err(RequestError::bad_request(
                "the body of create index must be an object",
            ));
        }
        let mut mappings = self.mappings.write().map_err(|_| poisoned())?;
        if mappings.contains_key(name) {
            return Err(RequestError {
                status: 400,
                kind: "resource_already_exists_exception",
                reason: format!("index [{name}/{}] already exists", self.index_uuid(name)),
                raised: crate::Raised::Anywhere,
            });
        }
        self.register(&mut mappings, name, explicit)?;
        Ok(json!({"acknowledged": true, "shards_acknowledged": true, "index": name}))
    }

    /// `PUT /{index}/_mapping`: declares more fields of existing indices (a declared field
    /// keeps its type).
    pub fn put_mapping(&self, expression: &str, body: &Value) -> Result<Value, RequestError> {
        let names = indices::resolve(expression, &self.index_names())?;
        if names.is_empty() {
            return Err(RequestError::index_not_found(expression));
        }
        let more = Explicit::read(body)?;
        let dynamic_set = body.get("dynamic").is_some();
        let mut mappings = self.mappings.write().map_err(|_| poisoned())?;
        let mut declared = self.explicit.write().map_err(|_| poisoned())?;
        // checked on every index first: a refusal changes none
        let mut merged = Vec::new();
        for name in &names {
            let mut explicit = declared.get(name).cloned().unwrap_or_default();
            if let Some(dynamic) = mappings.get(name) {
                for (field, declared) in &more.fields {
                    if let Some(kind) = dynamic.get(field) {
                        if explicit.fields.contains_key(field) {
                            continue;
                        }
                        if *kind != declared.kind {
                            return Err(RequestError::illegal_argument(format!(
                                "mapper [{field}] cannot be changed from type [{}] to [{}]",
                                kind.es_type(),
                                declared.es_type()
                            )));
                        }
                        // a field mapped by its first value is indexed with doc values
                        let mapped = Declared {
                            kind: *kind,
                            property: Map::new(),
                        };
                        mapped.changed_by(declared, field)?;
                    }
                }
            }
            explicit.merge(more.clone(), dynamic_set)?;
            explicit.check_normalizers()?;
            merged.push((name.clone(), explicit));
        }
        for (name, explicit) in merged {
            let mapping = mappings.entry(name.clone()).or_default();
            for (field, kind) in behaviour(&explicit) {
                mapping.insert(field, kind);
            }
            declared.insert(name, explicit);
        }
        save_explicit(&self.data_dir, &declared).map_err(RequestError::internal)?;
        Ok(json!({"acknowledged": true}))
    }

    /// `DELETE /{index}`: deletes the indices an expression names (a name must exist;
    /// a pattern may match none).
    pub fn delete_indices<'a>(
        &self,
        indices: impl Into<Indices<'a>>,
    ) -> Result<Value, RequestError> {
        let indices = indices.into();
        let expression = indices.expression;
        let names = indices::resolve_with(indices, &self.index_names())?;
        let wildcard = expression.contains('*') || indices.options.ignore_unavailable == Some(true);
        if names.is_empty() && !wildcard {
            return Err(RequestError::index_not_found(expression));
        }
        for name in names {
            self.delete_index(&name)?;
        }
        Ok(json!({"acknowledged": true}))
    }

    /// Makes an index its first event names, with what its templates declare, when it
    /// is new and a template matches (without one it is made by dynamic mapping alone).
    pub(crate) fn ensure_index(&self, name: &str) -> Result<(), RequestError> {
        let known = |store: &Self| {
            store
                .mappings
                .read()
                .map(|m| m.contains_key(name))
                .unwrap_or(true)
        };
        if known(self) {
            return Ok(());
        }
        let Some(explicit) = self.template_for(name)? else {
            return Ok(());
        };
        let mut mappings = self.mappings.write().map_err(|_| poisoned())?;
        if mappings.contains_key(name) {
            return Ok(()); // made meanwhile
        }
        self.register(&mut mappings, name, explicit)
    }

    /// Makes a new index with its explicit mapping (under the mappings' write lock).
    fn register(
        &self,
        mappings: &mut crate::Mappings,
        name: &str,
        explicit: Explicit,
    ) -> Result<(), RequestError> {
        explicit.check_normalizers()?;
        let mut declared = self.explicit.write().map_err(|_| poisoned())?;
        let mut changed = declared.clone();
        changed.insert(name.to_string(), explicit);
        save_explicit(&self.data_dir, &changed).map_err(RequestError::internal)?;
        if let Some(explicit) = changed.get(name) {
            mappings.insert(name.to_string(), behaviour(explicit));
        }
        *declared = changed;
        Ok(())
    }

    /// `GET /{index}/_doc/{id}` (the source alone for `_source/{id}`): whether the index
    /// holds the document, and Elasticsearch's answer (`found: false` when it does not;
    /// for the source alone, its `resource_not_found_exception`).
    pub fn get_document(
        &self,
        index: &str,
        id: &str,
        source_only: bool,
    ) -> Result<(bool, Value), RequestError> {
        Ok(match (self.source_by_id(index, id)?, source_only) {
            (Some(source), true) => (true, Value::Object(source)),
            (Some(source), false) => (
                true,
                json!({"_index": index, "_id": id, "found": true, "_source": source}),
            ),
            (None, true) => {
                return Err(RequestError {
                    status: 404,
                    kind: "resource_not_found_exception",
                    reason: format!("Document not found [{index}]/[{id}]"),
                    raised: crate::Raised::Anywhere,
                })
            }
            (None, false) => (false, json!({"_index": index, "_id": id, "found": false})),
        })
    }

    /// The source of the document `id` in the index `index`: `None` when the index holds
    /// none of that id; an index that is not there is Elasticsearch's
    /// `index_not_found_exception`.
    pub fn source_by_id(
        &self,
        index: &str,
        id: &str,
    ) -> Result<Option<Map<String, Value>>, RequestError> {
        if index.contains(['*', ',']) || !self.index_names().iter().any(|name| name == index) {
            return Err(RequestError::index_not_found(index));
        }
        let found = self.search(
            index,
            &json!({"size": 1, "query": {"ids": {"values": [id]}}}),
        )?;
        Ok(found["hits"]["hits"][0]["_source"].as_object().cloned())
    }

    /// Whether an index of this name exists (`HEAD /{index}`).
    pub fn index_exists(&self, expression: &str) -> bool {
        indices::resolve(expression, &self.index_names()).is_ok_and(|names| !names.is_empty())
    }

    /// The index's explicit mapping, if it has one.
    pub(crate) fn explicit_of(&self, index: &str) -> Option<Explicit> {
        self.explicit.read().ok()?.get(index).cloned()
    }

    /// The values an event indexes in an explicitly mapped index (`None`: indexed as it
    /// is), or why it does not fit that mapping.
    pub(crate) fn shape<'a>(
        &self,
        index: &str,
        source: &'a Source,
        id: Option<&str>,
    ) -> Result<Option<Shaped<'a>>, Misfit> {
        crate::mapping::names::check_field_names(source)?;
        // most indices have no explicit mapping: they are told so without waiting on the
        // mappings, which each batch's observing holds for writing
        let declared = self.explicit.read().is_ok_and(|e| e.contains_key(index));
        if !declared {
            return Ok(None);
        }
        // the mappings before the explicit ones, as every path that holds both takes them
        let Ok(mappings) = self.mappings.read() else {
            return Ok(None);
        };
        let Ok(declared) = self.explicit.read() else {
            return Ok(None);
        };
        let none = IndexMapping::new();
        let known = mappings.get(index).unwrap_or(&none);
        declared
            .get(index)
            .map(|explicit| explicit.shape_known(source, id.unwrap_or("null"), known))
            .transpose()
    }
}

/// The field types queries go by, of what an explicit mapping declares.
fn behaviour(explicit: &Explicit) -> IndexMapping {
    explicit
        .fields
        .iter()
        .map(|(name, declared)| (name.clone(), declared.kind))
        .collect()
}

/// The settings logdash takes: shard and replica counts (one shard is what it has; the
/// counts are kept and reported), the refresh interval, and keyword normalizers.
pub(crate) fn read_settings(settings: &Value) -> Result<Map<String, Value>, RequestError> {
    let mut flat = Map::new();
    flatten(settings, "", &mut flat);
    for (key, value) in &flat {
        let name = key.strip_prefix("index.").unwrap_or(key);
        match name {
            "number_of_shards" | "number_of_replicas" => {
                let count = value
                    .as_u64()
                    .or_else(|| value.as_str().and_then(|s| s.parse().ok()));
                if count.is_none() || (name == "number_of_shards" && count == Some(0)) {
                    return Err(RequestError::illegal_argument(format!(
                        "Failed to parse value [{value}] for setting [index.{name}] must be >= {}",
                        u8::from(name == "number_of_shards")
                    )));
                }
            }
            "refresh_interval" => {}
            _ if crate::mapping::normalizer::check_setting(name, value)? => {}
            _ => {
                return Err(RequestError::illegal_argument(format!(
                    "setting [index.{name}] is not supported by logdash"
                )))
            }
        }
    }
    Ok(flat
        .into_iter()
        .map(|(key, value)| {
            let name = key.strip_prefix("index.").unwrap_or(&key).to_string();
            (name, value)
        })
        .collect())
}

fn flatten(value: &Value, prefix: &str, into: &mut Map<String, Value>) {
    match value {
        Value::Object(entries) => {
            for (key, inner) in entries {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(inner, &name, into);
            }
        }
        other => {
            into.insert(prefix.to_string(), other.clone());
        }
    }
}

pub(super) fn poisoned() -> RequestError {
    RequestError::internal("mappings lock poisoned")
}

pub(crate) fn load_explicit(data_dir: &Path) -> Result<RwLock<ExplicitMappings>, StoreError> {
    crate::files::read_json_file(&data_dir.join(EXPLICIT_FILE)).map(RwLock::new)
}

/// Writes the explicit mappings atomically (temp file, fsync, rename).
pub(crate) fn save_explicit(data_dir: &Path, explicit: &ExplicitMappings) -> Result<(), String> {
    let bytes = serde_json::to_vec(explicit).map_err(|err| err.to_string())?;
    crate::files::write_atomically(&data_dir.join(EXPLICIT_FILE), &bytes)
}

mod templates;

#[cfg(test)]
mod tests;
