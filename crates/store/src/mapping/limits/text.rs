//! What a text field's `index_options` and `fielddata` change: phrases refused without
//! positions, and its words read as a keyword's values by aggregations and sorts.

use std::borrow::Cow;

use super::Limits;
use crate::mapping::IndexMapping;
use crate::{Raised, RequestError};

impl Limits {
    /// `mapping` as aggregations and sorts read it: a text field with `fielddata` in
    /// every index that has it is read as a keyword of its words.
    pub fn for_values<'m>(&self, mapping: &'m IndexMapping) -> Cow<'m, IndexMapping> {
        if self.fielddata.is_empty() {
            return Cow::Borrowed(mapping);
        }
        let mut read = mapping.clone();
        for name in &self.fielddata {
            if let Some(kind) = read.get_mut(name) {
                *kind = crate::mapping::FieldKind::Keyword;
            }
        }
        Cow::Owned(read)
    }

    /// A `filter` or `filters` aggregation builds its query with the mapping aggregations
    /// read ([`Limits::for_values`]), where a text field with `fielddata` is a keyword:
    /// refused while one is there, rather than answered otherwise.
    pub fn check_filters_beside_fielddata(
        &self,
        aggs: &serde_json::Value,
    ) -> Result<(), RequestError> {
        fn has_filter(aggs: &serde_json::Value) -> bool {
            let definitions = aggs.as_object().into_iter().flat_map(|aggs| aggs.values());
            definitions
                .flat_map(|d| d.as_object())
                .flatten()
                .any(|(key, body)| match key.as_str() {
                    "filter" | "filters" => true,
                    "aggs" | "aggregations" => has_filter(body),
                    _ => false,
                })
        }
        match self.fielddata.first() {
            Some(field) if has_filter(aggs) => Err(RequestError::illegal_argument(format!(
                "a [filter] or [filters] aggregation over indices whose text field [{field}] has [fielddata] is not supported by logdash"
            ))),
            _ => Ok(()),
        }
    }

    /// Elasticsearch's refusal of a phrase (of more than one word) on a text `field`
    /// indexed without positions; `lenient` query strings match nothing instead.
    pub fn check_positions(&self, field: &str) -> Result<(), RequestError> {
        if !self.no_positions.contains(field) {
            return Ok(());
        }
        Err(RequestError {
            status: 400,
            kind: "query_shard_exception",
            reason: format!(
                "failed to create query: field:[{field}] was indexed without position data; cannot run PhraseQuery"
            ),
            raised: Raised::Anywhere,
        })
    }
}
