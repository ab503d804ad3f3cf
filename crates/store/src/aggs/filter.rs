//! The `filter` and `filters` aggregations' queries, built by the store's own query
//! translation.

use super::*;
use crate::mapping::limits::Limits;

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
        // a query on a field no query can find was refused before (`aggs::check_limits`)
        let limits = Limits::default();
        let mut ctx = Context {
            fields,
            mapping: &self.mapping,
            limits: &limits,
            now: self.now,
            analyzer: tokenizers.get(TEXT_TOKENIZER).unwrap_or_default(),
        };
        let parsed = query::parse(Some(&self.query))?;
        query::build(&mut ctx, parsed.as_ref())
    }

    pub(super) fn check(&self) -> Result<(), RequestError> {
        let (_, fields) = crate::schema::build();
        self.build(&fields, &crate::schema::tokenizers())
            .map(|_| ())
    }

    /// `query` as a filter, checked now, so a bad filter is a clear 400 and not a failed
    /// search.
    pub(super) fn checked(
        query: &Value,
        mapping: &IndexMapping,
        now: EpochMillis,
    ) -> Result<EsFilter, RequestError> {
        let builder = EsFilter {
            query: query.clone(),
            mapping: mapping.clone(),
            now,
        };
        builder.check()?;
        Ok(builder)
    }

    /// tantivy's filter aggregation of this query over `sub_aggregation`.
    pub(super) fn aggregation(self, sub_aggregation: Aggregations) -> Aggregation {
        Aggregation {
            agg: AggregationVariants::Filter(FilterAggregation::new_with_builder(Box::new(self))),
            sub_aggregation,
        }
    }
}

/// A filter of every event over `sub_aggregation`: the one bucket that holds buckets
/// counted as filters, unwrapped when rendered.
pub(super) fn every_event(
    mapping: &IndexMapping,
    now: EpochMillis,
    sub_aggregation: Aggregations,
) -> Result<Aggregation, RequestError> {
    Ok(EsFilter::checked(&json!({"match_all": {}}), mapping, now)?.aggregation(sub_aggregation))
}

/// Where the events of filters' queries sit, for the percentiles below them.
pub(super) fn by_queries(builders: &[EsFilter]) -> percentiles::Step {
    percentiles::Step::Filters(
        builders
            .iter()
            .map(|builder| std::sync::Arc::new(builder.clone()) as std::sync::Arc<dyn QueryBuilder>)
            .collect(),
    )
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

/// A `filters` aggregation: its buckets' queries and keys (the "other" bucket's last).
pub(super) struct Filters {
    pub queries: Vec<Value>,
    /// Each bucket's key: the filter's name, or its place for a list of filters.
    pub keys: Vec<String>,
    /// Buckets as an object by key (named filters, unless `keyed: false`) or a list.
    pub keyed: bool,
    /// Named filters (an object), whose buckets carry their names in a list.
    pub named: bool,
}

impl Filters {
    pub(super) fn parse(name: &str, body: &Value) -> Result<Filters, RequestError> {
        let object = body.as_object().ok_or_else(|| {
            RequestError::bad_request(format!("[filters] aggregation [{name}] must be an object"))
        })?;
        let mut filters = Filters {
            queries: Vec::new(),
            keys: Vec::new(),
            keyed: true,
            named: true,
        };
        let mut keyed = None;
        let mut other = false;
        let mut other_key = None;
        for (key, value) in object {
            match (key.as_str(), value) {
                ("filters", Value::Object(named)) => {
                    for (bucket, query) in named {
                        filters.keys.push(bucket.clone());
                        filters.queries.push(query.clone());
                    }
                }
                ("filters", Value::Array(listed)) => {
                    filters.keyed = false;
                    filters.named = false;
                    for (i, query) in listed.iter().enumerate() {
                        filters.keys.push(i.to_string());
                        filters.queries.push(query.clone());
                    }
                }
                ("other_bucket", Value::Bool(flag)) => other |= *flag,
                ("other_bucket_key", Value::String(key)) => {
                    other = true;
                    other_key = Some(key.clone());
                }
                ("keyed", Value::Bool(flag)) => keyed = Some(*flag),
                (other, value) => {
                    return Err(RequestError {
                        status: 400,
                        kind: "x_content_parse_exception",
                        reason: format!("[filters] cannot read [{other}] = {value} in [{name}]"),
                        raised: Raised::Anywhere,
                    })
                }
            }
        }
        if filters.queries.is_empty() {
            return Err(RequestError::illegal_argument(format!(
                "[filters] cannot be empty. ([{name}])"
            ))
            .while_reading());
        }
        if other {
            // what none of the filters matches
            let none = json!({"bool": {"must_not": filters.queries.clone()}});
            filters.queries.push(none);
            filters
                .keys
                .push(other_key.unwrap_or_else(|| "_other_".to_string()));
        }
        // a list's buckets are a list unless `keyed: true`, named ones an object unless false
        filters.keyed = keyed.unwrap_or(filters.keyed);
        Ok(filters)
    }
}
