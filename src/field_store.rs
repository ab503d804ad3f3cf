//! The fields last detected per index pattern, kept in the browser's localStorage (core's
//! `FieldCache` decides what is kept), so a page load need not wait on `_field_caps`.

use std::collections::BTreeMap;

use logdash_core::dashboard::field_cache::FieldCache;
use logdash_core::dashboard::fields::FieldInfo;

use crate::api::Endpoints;

const STORAGE_KEY: &str = "logdash.detected-fields";

/// What was detected for `index` at these endpoints last time, if anything.
pub fn recall(endpoints: &Endpoints, index: &str) -> Option<BTreeMap<String, FieldInfo>> {
    read().get(&endpoints.es_base, index).cloned()
}

/// Keeps what was just detected; returns whether it differs from what was kept. A browser
/// that stores nothing (private mode, full storage) only loses the head start.
pub fn remember(endpoints: &Endpoints, index: &str, fields: BTreeMap<String, FieldInfo>) -> bool {
    let mut cache = read();
    let changed = cache.put(&endpoints.es_base, index, fields);
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, &cache.to_text());
    }
    changed
}

fn read() -> FieldCache {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .map(|text| FieldCache::parse(&text))
        .unwrap_or_default()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}
