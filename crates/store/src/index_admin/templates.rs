//! The template APIs on the store: `_index_template` and `_template`, put, read, asked
//! after and deleted; each change written before the answer.

use serde_json::{json, Value};

use crate::mapping::explicit::Explicit;
use crate::templates::{self, Kind};
use crate::{RequestError, Store};

impl Store {
    /// `PUT /_index_template/{name}` or `PUT /_template/{name}`.
    pub fn put_template(
        &self,
        kind: Kind,
        name: &str,
        body: &Value,
    ) -> Result<Value, RequestError> {
        let mut held = self.templates.write().map_err(|_| super::poisoned())?;
        let mut changed = held.clone();
        changed.put(kind, name, body)?;
        templates::save(&self.data_dir, &changed).map_err(RequestError::internal)?;
        *held = changed;
        Ok(json!({"acknowledged": true}))
    }

    /// `GET /_index_template[/{name}]` or `GET /_template[/{name}]`.
    pub fn get_templates(&self, kind: Kind, name: Option<&str>) -> Result<Value, RequestError> {
        let held = self.templates.read().map_err(|_| super::poisoned())?;
        held.get(kind, name)
    }

    /// `HEAD /_index_template/{name}` or `HEAD /_template/{name}`.
    pub fn template_exists(&self, kind: Kind, name: &str) -> bool {
        self.templates
            .read()
            .is_ok_and(|held| held.exists(kind, name))
    }

    /// `DELETE /_index_template/{name}` or `DELETE /_template/{name}`.
    pub fn delete_template(&self, kind: Kind, name: &str) -> Result<Value, RequestError> {
        let mut held = self.templates.write().map_err(|_| super::poisoned())?;
        let mut changed = held.clone();
        changed.delete(kind, name)?;
        templates::save(&self.data_dir, &changed).map_err(RequestError::internal)?;
        *held = changed;
        Ok(json!({"acknowledged": true}))
    }

    /// What a new index of this name starts with, by its templates.
    pub(crate) fn template_for(&self, index: &str) -> Result<Option<Explicit>, RequestError> {
        let held = self.templates.read().map_err(|_| super::poisoned())?;
        held.for_index(index)
    }
}
