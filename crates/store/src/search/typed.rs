//! `typed_keys=true`: a search's aggregations named by their types, a terms' by its
//! field's type in the searched indices.

use serde_json::Value;

use logdash_core::es::search::aggs;
use logdash_core::es::search::typed_keys::{self, TermsKeys};

use crate::indices::Indices;
use crate::mapping::FieldKind;
use crate::query::{resolve, Target};
use crate::{RequestError, Store};

impl Store {
    /// `typed_keys=true`: names a search's aggregations in its `answer` by their types, a
    /// terms' by its field's type over `indices`.
    pub fn name_aggregations_by_type<'a>(
        &self,
        indices: impl Into<Indices<'a>>,
        body: &Value,
        answer: &mut Value,
    ) -> Result<(), RequestError> {
        let Some(aggs) = aggs::aggs_of(body) else {
            return Ok(());
        };
        let (_, mapping, _) = self.targets(indices.into())?;
        let keys = |field: &str| match resolve(&mapping, field) {
            Target::Timestamp
            | Target::Whole(_, FieldKind::Long | FieldKind::Boolean | FieldKind::Date)
            | Target::Whole(_, FieldKind::DateNanos) => TermsKeys::Longs,
            Target::Whole(_, FieldKind::Float) => TermsKeys::Doubles,
            _ => TermsKeys::Strings,
        };
        typed_keys::name_answer_by_type(Some(aggs), answer, &keys);
        Ok(())
    }
}
