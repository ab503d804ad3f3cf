//! The fields last detected for each index pattern, kept by the browser so that a page
//! load can ask for data at once instead of waiting on `_field_caps` first. What is kept is
//! checked again after the data is on screen; a change refreshes the view.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fields::FieldInfo;

/// Index patterns remembered at most; the least recently used goes first.
pub const CAPACITY: usize = 20;

/// A field list per (Elasticsearch endpoint, index pattern), most recently used first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldCache {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Entry {
    endpoint: String,
    index: String,
    fields: BTreeMap<String, FieldInfo>,
}

impl FieldCache {
    /// Reads what the browser kept; anything unreadable (another version's format, an
    /// edited value) is an empty cache, never an error.
    pub fn parse(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn get(&self, endpoint: &str, index: &str) -> Option<&BTreeMap<String, FieldInfo>> {
        self.entries
            .iter()
            .find(|e| e.endpoint == endpoint && e.index == index)
            .map(|e| &e.fields)
    }

    /// Keeps `fields` for the pair, as the most recently used; returns whether they differ
    /// from what was kept (`true` too when nothing was).
    pub fn put(
        &mut self,
        endpoint: &str,
        index: &str,
        fields: BTreeMap<String, FieldInfo>,
    ) -> bool {
        let previous = self
            .entries
            .iter()
            .position(|e| e.endpoint == endpoint && e.index == index)
            .map(|at| self.entries.remove(at));
        let changed = previous.is_none_or(|p| p.fields != fields);
        self.entries.insert(
            0,
            Entry {
                endpoint: endpoint.to_string(),
                index: index.to_string(),
                fields,
            },
        );
        self.entries.truncate(CAPACITY);
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(names: &[&str]) -> BTreeMap<String, FieldInfo> {
        names
            .iter()
            .map(|name| {
                let info = FieldInfo {
                    es_type: "keyword".into(),
                    aggregatable: true,
                };
                (name.to_string(), info)
            })
            .collect()
    }

    #[test]
    fn fields_are_kept_per_endpoint_and_index_and_survive_the_text_round_trip() {
        let mut cache = FieldCache::default();
        assert!(cache.put("/es", "logs-*", fields(&["level", "message"])));
        assert!(cache.put("https://other/es", "logs-*", fields(&["log.level"])));
        let again = FieldCache::parse(&cache.to_text());
        assert_eq!(again, cache);
        assert_eq!(
            again.get("/es", "logs-*"),
            Some(&fields(&["level", "message"]))
        );
        assert_eq!(
            again.get("https://other/es", "logs-*"),
            Some(&fields(&["log.level"]))
        );
        assert_eq!(again.get("/es", "other-*"), None);
    }

    #[test]
    fn putting_says_whether_the_fields_changed() {
        let mut cache = FieldCache::default();
        assert!(cache.put("/es", "logs-*", fields(&["level"])));
        assert!(!cache.put("/es", "logs-*", fields(&["level"])));
        assert!(cache.put("/es", "logs-*", fields(&["level", "extra.user_id"])));
    }

    #[test]
    fn the_least_recently_used_pattern_goes_when_full() {
        let mut cache = FieldCache::default();
        for n in 0..CAPACITY {
            cache.put("/es", &format!("logs-{n}"), fields(&["level"]));
        }
        // using the oldest again keeps it; the next one in line goes instead
        cache.put("/es", "logs-0", fields(&["level"]));
        cache.put("/es", "new-*", fields(&["level"]));
        assert!(cache.get("/es", "logs-0").is_some());
        assert!(cache.get("/es", "logs-1").is_none());
        assert!(cache.get("/es", "new-*").is_some());
    }

    #[test]
    fn unreadable_text_is_an_empty_cache() {
        for text in ["", "null", "[1,2]", "{\"entries\":7}", "not json"] {
            assert_eq!(FieldCache::parse(text), FieldCache::default(), "{text}");
        }
    }
}
