//! The `filter` aggregation's query, built by the store's own query translation.

use super::*;

/// A `filter` aggregation's query, built with the store's own query translation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct EsFilter {
    pub query: Value,
    pub mapping: IndexMapping,
    pub now: EpochMillis,
}

impl EsFilter {
    fn build(
        &self,
        fields: &Fields,
        tokenizers: &TokenizerManager,
    ) -> Result<Box<dyn Query>, RequestError> {
        let mut ctx = Context {
            fields,
            mapping: &self.mapping,
            now: self.now,
            analyzer: tokenizers.get(TEXT_TOKENIZER).unwrap_or_default(),
        };
        let parsed = query::parse(Some(&self.query))?;
        query::build(&mut ctx, parsed.as_ref())
    }

    pub(super) fn check(&self) -> Result<(), RequestError> {
        let (_, fields) = crate::schema::build();
        self.build(&fields, &TokenizerManager::default())
            .map(|_| ())
    }
}

#[typetag::serde]
impl QueryBuilder for EsFilter {
    fn build_query(
        &self,
        schema: &Schema,
        tokenizers: &TokenizerManager,
    ) -> tantivy::Result<Box<dyn Query>> {
        let fields = crate::schema::fields_of(schema)?;
        self.build(&fields, tokenizers)
            .map_err(|err| tantivy::TantivyError::InvalidArgument(err.reason))
    }

    fn box_clone(&self) -> Box<dyn QueryBuilder> {
        Box::new(self.clone())
    }
}
