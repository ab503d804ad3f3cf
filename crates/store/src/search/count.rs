//! `_count`: how many events a query matches in the resolved indices.

use serde_json::{json, Value};
use tantivy::collector::Count;

use super::{search_failed, shards, Targets};
use crate::indices::Indices;
use crate::query;
use crate::{RequestError, Store};

impl Store {
    /// `POST /{index}/_count`.
    pub fn count<'a>(
        &self,
        indices: impl Into<Indices<'a>>,
        body: &Value,
    ) -> Result<Value, RequestError> {
        if let Some(object) = body.as_object() {
            if let Some(key) = object.keys().find(|key| *key != "query") {
                return Err(RequestError::bad_request(format!(
                    "request does not support [{key}]"
                )));
            }
        }
        let parsed = query::parse(body.get("query"));
        if let Err(err) = &parsed {
            if !err.is_shard_failure() {
                return Err(err.clone());
            }
        }
        let searcher = self.reader.searcher();
        let (targets, mapping, limits) = self.targets(indices.into())?;
        let on_shards = |err: RequestError| err.on_shards_of(&self.target_names(&targets));
        let wanted = match parsed {
            Err(_) if matches!(targets, Targets::None) => None,
            parsed => parsed.map_err(on_shards)?,
        };
        let mut ctx = self.context(&mapping, &limits);
        let count = match targets {
            Targets::None => 0,
            Targets::All => searcher
                .search(
                    &*query::build(&mut ctx, wanted.as_ref()).map_err(on_shards)?,
                    &Count,
                )
                .map_err(|e| search_failed(&e))?,
            Targets::Some(ref names) => {
                let query = query::within_indices(
                    &self.fields,
                    query::build(&mut ctx, wanted.as_ref()).map_err(on_shards)?,
                    names,
                );
                searcher
                    .search(&*query, &Count)
                    .map_err(|e| search_failed(&e))?
            }
        };
        Ok(json!({"count": count, "_shards": shards(&targets)}))
    }
}
