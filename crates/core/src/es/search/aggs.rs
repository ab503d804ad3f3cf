//! An aggregation request's shape, where only that matters (its kind, its body, what
//! aggregations sit under it); the store reads each kind's options itself.

use serde_json::Value;

/// The aggregations of a search body or under an aggregation: its `aggs` (or
/// `aggregations`).
pub fn aggs_of(value: &Value) -> Option<&Value> {
    value.get("aggs").or_else(|| value.get("aggregations"))
}

/// An aggregation's kind and body: its one key beside `aggs` and `meta`.
pub fn kind_of(spec: &Value) -> Option<(&str, &Value)> {
    spec.as_object()?
        .iter()
        .find(|(key, _)| !matches!(key.as_str(), "aggs" | "aggregations" | "meta"))
        .map(|(key, body)| (key.as_str(), body))
}
