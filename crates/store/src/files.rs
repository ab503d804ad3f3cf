//! The small JSON files the store keeps beside its index (mappings, explicit mappings,
//! templates): read whole, written whole or not at all.

use std::path::Path;
use std::sync::{Mutex, RwLock};

use crate::{Mappings, StoreError};

pub(crate) const MAPPINGS_FILE: &str = "mappings.json";

pub(crate) fn load_mappings(data_dir: &Path) -> Result<Mappings, StoreError> {
    read_json_file(&data_dir.join(MAPPINGS_FILE))
}

/// A JSON file the store keeps, or its default when there is none yet.
pub(crate) fn read_json_file<T: serde::de::DeserializeOwned + Default>(
    path: &Path,
) -> Result<T, StoreError> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| StoreError::Corrupt {
            what: path.display().to_string(),
            detail: err.to_string(),
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(source) => Err(StoreError::Io {
            what: format!("read {}", path.display()),
            source,
        }),
    }
}

/// Writes the mappings atomically (temp file, fsync, rename): before each commit, and
/// when an index is deleted. One save at a time, so the newest snapshot is the one kept.
pub(crate) fn save_mappings(path: &Path, mappings: &RwLock<Mappings>) -> Result<(), String> {
    static SAVING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = SAVING
        .lock()
        .map_err(|_| "mappings save lock poisoned".to_string())?;
    let bytes = {
        let mappings = mappings
            .read()
            .map_err(|_| "mappings lock poisoned".to_string())?;
        serde_json::to_vec(&*mappings).map_err(|err| err.to_string())?
    };
    write_atomically(path, &bytes)
}

/// Writes a file whole or not at all: a temp file, synced, then renamed over it.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let temp = path.with_extension("json.tmp");
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    };
    write().map_err(|err| format!("cannot write {}: {err}", path.display()))
}
