//! What the dashboard asks Elasticsearch and how it reads the answers: which fields hold
//! what, the one `_msearch` per refresh behind the panels, and the live tail.

pub mod context;
pub mod event_fields;
pub mod field_cache;
pub mod fields;
pub mod highlight;
pub mod interval;
pub mod keys;
pub mod lag;
pub mod panels;
pub mod poll;
pub mod sample;
pub mod spread;
pub mod tail;
#[cfg(test)]
mod toy_store;
pub mod values;
pub mod visible;
