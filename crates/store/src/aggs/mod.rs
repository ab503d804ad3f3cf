//! Aggregations: Elasticsearch's request checked and rewritten for tantivy's aggregation
//! module (field names, time zones, date math bounds, `filter` through our own queries),
//! and tantivy's answer brought to Elasticsearch's exact shape (integer keys and counts,
//! `key_as_string` in the requested zone).

use logdash_core::time::{
    format_iso8601, parse_duration, DatePattern, DateWriter, EpochMillis, Rounding,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tantivy::aggregation::agg_req::{Aggregation, AggregationVariants, Aggregations};
use tantivy::aggregation::agg_result::AggregationResults;
use tantivy::aggregation::bucket::{FilterAggregation, QueryBuilder};
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::query::Query;
use tantivy::schema::Schema;
use tantivy::tokenizer::TokenizerManager;

use crate::mapping::{FieldKind, IndexMapping};
use crate::percentiles::{self, ExactCollector, Gathered, Key, Specs};
use crate::query::{self, resolve, Context, Target};
use crate::schema::{Fields, TEXT_TOKENIZER};
use crate::{Raised, RequestError};

mod aggregation;
mod checks;
mod composite;
mod counts;
mod dates;
mod filter;
mod histogram;
mod missing_flag;
mod missing_term;
mod order_path;
mod partition;
mod place;
mod ranges;
mod render;
mod terms_order;
mod thresholds;
mod top_hits;
mod zero_terms;

pub(crate) use top_hits::{TopHitsSpec, MAX_SEARCHES};

use aggregation::one;
use place::Place;
use render::render_level;

/// A date as Elasticsearch's default format writes an aggregation's dates: ISO 8601, a
/// year past 9999 signed (`+10347-01-16T15:11:20.000Z`), as Java writes it.
pub(crate) fn date_text(ms: i64) -> String {
    /// 10000-01-01T00:00:00Z
    const YEAR_10000: i64 = 253_402_300_800_000;
    match ms >= YEAR_10000 {
        true => format!("+{}", format_iso8601(ms)),
        false => format_iso8601(ms),
    }
}

/// Aggregation types logdash answers; anything else is refused by name.
const SUPPORTED: &[&str] = &[
    "date_histogram",
    "histogram",
    "terms",
    "range",
    "date_range",
    "filter",
    "filters",
    "missing",
    "cardinality",
    "percentiles",
    "percentile_ranks",
    "avg",
    "min",
    "max",
    "sum",
    "stats",
    "value_count",
    "extended_stats",
    "composite",
    "top_hits",
];

/// A checked aggregation request, ready to run and to render.
pub(crate) struct Prepared {
    aggs: Aggregations,
    plan: Vec<(String, Plan)>,
    /// The percentiles and distinct counts answered as Elasticsearch does (see
    /// `percentiles`), by [`Plan::Percentiles`] and [`Plan::Distinct`].
    exact: Specs,
}

/// What preparing the aggregations reads of the indices first, asked for only by the
/// aggregations that need it.
pub(crate) trait Columns {
    /// The first and last value (in the column's units) of a column over the request's
    /// matches: where a histogram counted between edges begins and ends.
    fn bounds(&mut self, column: &str) -> Result<Option<(f64, f64)>, RequestError>;
    /// Every value of a column in the indices searched, whatever the query matches, as
    /// tantivy writes a bucket's key: the terms a `terms` with `min_doc_count` 0 lists.
    fn every_term(&mut self, column: &str) -> Result<Vec<Value>, RequestError>;
}

pub(crate) type Reads<'a> = &'a mut dyn Columns;

/// A date_histogram counted between edges (tantivy's range aggregation), to be shown as
/// Elasticsearch's histogram.
#[derive(Debug, Clone)]
struct Edges {
    /// The column's units a millisecond.
    scale: f64,
    min_doc_count: u64,
    extended: Option<(i64, i64)>,
    /// The keys the hard bounds let through, `[low, high)`.
    hard: Option<(i64, i64)>,
}

/// What each aggregation's answer needs on its way back.
#[derive(Debug, Clone)]
enum Plan {
    DateHistogram {
        /// How its keys are written (zone and format).
        zone: DateWriter,
        /// Counted between edges rather than by tantivy's histogram.
        between_edges: Option<Edges>,
        /// The column's units a millisecond, where tantivy's keys are in them (a
        /// date_nanos field's histogram); 1 otherwise.
        key_scale: f64,
        /// Sorted when rendered (`None`: by key, as tantivy answers).
        order: Option<terms_order::CompoundOrder>,
        children: Vec<(String, Plan)>,
    },
    /// `composite`: its buckets, and its `after_key` in Elasticsearch's plain values.
    Composite(Vec<(String, Plan)>),
    /// `terms`, `histogram`.
    Buckets {
        children: Vec<(String, Plan)>,
        keys: Keys,
        /// Sorted (and a `terms` cut) when rendered: a `terms` ordered by several
        /// criteria or keyed by a float field's values, a histogram not by key.
        order: Option<terms_order::CompoundOrder>,
        /// `format` of a date's keys (`None`: ISO 8601).
        date_format: Option<DatePattern>,
        /// `show_term_doc_count_error`: each bucket's error bound (one shard's: 0).
        bucket_errors: bool,
        /// A `terms`' `missing` string, asked of tantivy under a stand-in key.
        missing_term: Option<missing_term::MissingTerm>,
        /// A `terms` with `min_doc_count` 0: every term of the indices searched, each
        /// listed (counting 0) where no event of the bucket holds it.
        zero_terms: Option<zero_terms::Zero>,
    },
    /// The requested ranges: (from, to, key). tantivy adds buckets for the gaps; ES does not.
    Range {
        ranges: Vec<(Option<f64>, Option<f64>, Option<String>)>,
        /// Buckets as an object by key rather than a list.
        keyed: bool,
        /// Dates: how many of tantivy's units make a millisecond (`@timestamp`'s column
        /// counts nanoseconds, dates in `kw` milliseconds); `None` for numbers.
        date_scale: Option<f64>,
        /// How dates are written (`date_range`'s `time_zone` and `format`).
        zone: DateWriter,
        children: Vec<(String, Plan)>,
        /// Counted as one filter per range, named by place (a `missing` value).
        as_filters: bool,
    },
    Single(Vec<(String, Plan)>),
    /// `filters`: tantivy's one filter per bucket (named by place) under a filter of every
    /// event, shown as Elasticsearch's buckets by `keys`.
    Filters {
        keys: Vec<String>,
        keyed: bool,
        named: bool,
        children: Vec<(String, Plan)>,
    },
    /// A count (cardinality, value_count): Elasticsearch answers a whole number.
    Cardinality,
    /// A keyword's value_count, from a `terms` of one term: its count and the others'.
    CountOfTerms,
    /// A cardinality with `precision_threshold`: the distinct values listed (up to one
    /// past it) when they are that few, else the HyperLogLog's estimate.
    ExactUpTo(u64),
    /// A single value (`avg`, `min`, ...); of a date field (`date_scale`: tantivy's units a
    /// millisecond), shown in milliseconds and as a date, as Elasticsearch does.
    Metric {
        date_scale: Option<f64>,
        /// An `avg`: of dates, its value keeps its fraction of a millisecond.
        average: bool,
        /// `format` of a date's value (`None`: ISO 8601).
        date_format: Option<DatePattern>,
        /// An `extended_stats`' `sigma` (2 unless given).
        sigma: f64,
    },
    /// An aggregation with `meta`, which its answer carries back unchanged.
    Meta(Box<Plan>, Value),
    /// Computed beside tantivy's aggregations: the number of its spec.
    Percentiles(usize),
    /// A `cardinality` in buckets, counted beside tantivy's aggregations (the number of its
    /// spec): listed up to its threshold, sketched past it.
    Distinct(usize),
    /// Read after the aggregations, by a search per bucket (see `top_hits`).
    TopHits(TopHitsSpec),
    /// A `terms` or `filter` with a top_hits under it, and what narrows to its buckets.
    Scoped(Box<Plan>, top_hits::Scope),
    /// A `terms` of a boolean with `missing`: its buckets asked for as filters, written as
    /// a terms' (`missing_flag`).
    MissingFlag(Box<Plan>),
}

impl Plan {
    /// Whether an aggregation is computed beside tantivy's (percentiles, distinct counts in
    /// buckets), keyed by the store itself.
    fn computed_beside(&self) -> bool {
        match self {
            Plan::Percentiles(_) | Plan::Distinct(_) => true,
            Plan::Meta(inner, _) => inner.computed_beside(),
            _ => false,
        }
    }
}

/// What the keys of a `terms` or `histogram` bucket are, and how Elasticsearch shows them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Keys {
    /// As tantivy gives them.
    AsGiven,
    /// Epoch milliseconds, shown as dates too (`key_as_string`).
    Dates,
    /// `ip` keys, shown as the addresses.
    Addresses,
    /// A float field's values: doubles, though tantivy gives a whole one as an integer.
    Floats,
    /// A date_nanos field's instants, bucketed by the millisecond as Elasticsearch does:
    /// tantivy's buckets of one millisecond are merged (when rendered, before sorting).
    NanosByMillisecond,
}

impl Prepared {
    pub(crate) fn collector(&self) -> AggregationCollector {
        let context = AggContextParams::new(
            AggregationLimitsGuard::default(),
            crate::schema::tokenizers(),
        );
        AggregationCollector::from_aggs(self.aggs.clone(), context)
    }

    /// The collector of the exact percentiles and distinct counts, when the request has any.
    pub(crate) fn exact_collector(&self) -> Option<ExactCollector> {
        let Specs {
            percentiles,
            distinct,
        } = &self.exact;
        (!percentiles.is_empty() || !distinct.is_empty()).then(|| ExactCollector {
            specs: percentiles.clone(),
            distinct: distinct.clone(),
        })
    }

    /// Whether some top_hits' events are to be read ([`Prepared::fill_top_hits`]).
    pub(crate) fn has_top_hits(&self) -> bool {
        top_hits::holds(&self.plan)
    }

    /// Reads every top_hits' events into the rendered `aggregations`; `total` is the
    /// request's match count, `run` one bucket's search.
    pub(crate) fn fill_top_hits(
        &self,
        aggregations: &mut Value,
        total: u64,
        run: &mut top_hits::ReadBucket<'_>,
    ) -> Result<(), RequestError> {
        top_hits::fill(&self.plan, aggregations, total, &mut Vec::new(), run)
    }

    pub(crate) fn render(
        &self,
        results: AggregationResults,
        gathered: Option<Gathered>,
    ) -> Result<Value, RequestError> {
        let mut value = serde_json::to_value(results)
            .map_err(|err| RequestError::internal(format!("cannot render aggregations: {err}")))?;
        let mut exact =
            percentiles::Answers::new(gathered.unwrap_or_default(), &self.exact.percentiles)?;
        // a date_nanos terms (only at the top) merges its instants by the millisecond: all
        // of them must have come
        for (name, plan) in &self.plan {
            let plan = match plan {
                Plan::Meta(inner, _) => inner,
                other => other,
            };
            let nanos = matches!(
                plan,
                Plan::Buckets {
                    keys: Keys::NanosByMillisecond,
                    ..
                }
            );
            if nanos && value[name]["sum_other_doc_count"].as_u64().unwrap_or(0) > 0 {
                return Err(RequestError::illegal_argument(format!(
                    "[terms] [{name}]: more than 65,000 distinct instants of a date_nanos field, which logdash cannot count by the millisecond"
                )));
            }
        }
        render_level(&mut value, &self.plan, &mut exact, &[]);
        match exact.refused.take() {
            Some(refused) => Err(refused),
            None => Ok(value),
        }
    }
}

/// Refuses, as Elasticsearch does, an aggregation of a field without doc values, and a
/// `filter` or `filters` query on a field no query can find, however deep (`composite`
/// sources too), with the search's own `ctx`.
pub(crate) fn check_limits(aggs: &Value, ctx: &mut Context<'_>) -> Result<(), RequestError> {
    // an aggregation's query fails as its argument, not as the search's query
    let built = |ctx: &mut Context<'_>, filter: &Value| {
        query::build(ctx, query::parse(Some(filter))?.as_ref())
            .map(drop)
            .map_err(
                |err| match err.reason.strip_prefix("failed to create query: ") {
                    Some(reason) => RequestError::illegal_argument(reason),
                    None => err,
                },
            )
    };
    for definition in aggs.as_object().into_iter().flat_map(|aggs| aggs.values()) {
        for (key, body) in definition.as_object().into_iter().flatten() {
            match key.as_str() {
                "aggs" | "aggregations" => check_limits(body, ctx)?,
                "meta" => {}
                "filter" => built(ctx, body)?,
                "filters" => {
                    let filters = match &body["filters"] {
                        Value::Object(named) => named.values().collect(),
                        Value::Array(listed) => listed.iter().collect(),
                        _ => Vec::new(),
                    };
                    for filter in filters {
                        built(ctx, filter)?;
                    }
                }
                _ => {
                    if let Some(field) = body.get("field").and_then(Value::as_str) {
                        ctx.limits.check_doc_values(field)?;
                    }
                    let sources = body.get("sources").and_then(Value::as_array);
                    for source in sources.into_iter().flatten() {
                        // {name: {kind: {field}}}
                        check_limits(source, ctx)?;
                    }
                }
            }
        }
    }
    Ok(())
}

pub(crate) fn prepare(
    aggs: &Value,
    mapping: &IndexMapping,
    now: EpochMillis,
    reads: Reads<'_>,
) -> Result<Prepared, RequestError> {
    let mut exact = Specs::default();
    let (aggs, plan) = level(aggs, mapping, now, Place::top(), &mut exact, reads)?;
    top_hits::check_placement(&plan, None)?;
    Ok(Prepared { aggs, plan, exact })
}

fn level(
    aggs: &Value,
    mapping: &IndexMapping,
    now: EpochMillis,
    place: Place,
    exact: &mut Specs,
    reads: Reads<'_>,
) -> Result<(Aggregations, Vec<(String, Plan)>), RequestError> {
    let object = aggs.as_object().ok_or_else(|| {
        RequestError::bad_request("[aggs] must be an object of named aggregations")
    })?;
    let mut out = Aggregations::default();
    let mut plan = Vec::new();
    for (name, spec) in object {
        checks::name(name)?;
        let (aggregation, node) = one(name, spec, mapping, now, place.clone(), exact, &mut *reads)?;
        if let Some(aggregation) = aggregation {
            out.insert(name.clone(), aggregation);
        }
        let node = match spec.get("meta") {
            None => node,
            Some(meta @ Value::Object(_)) => Plan::Meta(Box::new(node), meta.clone()),
            Some(other) => {
                return Err(RequestError::bad_request(format!(
                    "[meta] of aggregation [{name}] must be an object, not {other}"
                )))
            }
        };
        plan.push((name.clone(), node));
    }
    Ok((out, plan))
}

/// The first and last value of `column` (in its own units) over what `search` matches:
/// where the buckets of a histogram counted between edges begin and end.
pub(crate) fn column_bounds(
    column: &str,
    search: impl FnOnce(&AggregationCollector) -> tantivy::Result<AggregationResults>,
) -> Result<Option<(f64, f64)>, RequestError> {
    let request: Aggregations = serde_json::from_value(json!({
        "low": {"min": {"field": column}},
        "high": {"max": {"field": column}},
    }))
    .map_err(|err| RequestError::internal(format!("bounds of [{column}]: {err}")))?;
    let context = AggContextParams::new(
        AggregationLimitsGuard::default(),
        crate::schema::tokenizers(),
    );
    let results = search(&AggregationCollector::from_aggs(request, context))
        .map_err(|err| RequestError::internal(format!("bounds of [{column}]: {err}")))?;
    let value = serde_json::to_value(results)
        .map_err(|err| RequestError::internal(format!("bounds of [{column}]: {err}")))?;
    Ok(value["low"]["value"]
        .as_f64()
        .zip(value["high"]["value"].as_f64()))
}

/// Every value of `column` over what `search` matches, by key: the buckets tantivy writes
/// (`key`, and `key_as_string` where it writes one) without their counts.
pub(crate) fn column_terms(
    column: &str,
    search: impl FnOnce(&AggregationCollector) -> tantivy::Result<AggregationResults>,
) -> Result<Vec<Value>, RequestError> {
    let failed = |err: String| RequestError::internal(format!("terms of [{column}]: {err}"));
    let request: Aggregations = serde_json::from_value(json!({"every": {"terms": {
        "field": column, "size": terms_order::ALL_TERMS, "shard_size": terms_order::ALL_TERMS,
        "order": {"_key": "asc"},
    }}}))
    .map_err(|err| failed(err.to_string()))?;
    let context = AggContextParams::new(
        AggregationLimitsGuard::default(),
        crate::schema::tokenizers(),
    );
    let results = search(&AggregationCollector::from_aggs(request, context))
        .map_err(|err| failed(err.to_string()))?;
    let value = serde_json::to_value(results).map_err(|err| failed(err.to_string()))?;
    if value["every"]["sum_other_doc_count"].as_u64().unwrap_or(0) > 0 {
        return Err(RequestError::illegal_argument(format!(
            "[terms] with [min_doc_count] 0 over more than {} terms of [{column}] is not supported by logdash",
            terms_order::ALL_TERMS
        )));
    }
    let buckets = value["every"]["buckets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // each bucket's key and its text where tantivy writes one (a flag's `true`)
    Ok(buckets
        .into_iter()
        .map(|mut bucket| {
            if let Some(bucket) = bucket.as_object_mut() {
                bucket.remove("doc_count");
            }
            bucket
        })
        .collect())
}

/// The tantivy column behind an Elasticsearch field, for aggregating on.
fn column_of(target: &Target, kind: &str, field: &str) -> Result<String, RequestError> {
    match target {
        Target::Timestamp => Ok("ts".to_string()),
        Target::Whole(path, _) => Ok(format!("kw.{path}")),
        // a field no index has: tantivy finds no column and answers empty, as Elasticsearch does
        Target::Unmapped(path) => Ok(format!("kw.{path}")),
        Target::Text(path) => Err(RequestError::illegal_argument(format!(
            "Fielddata is disabled on [{path}]. Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead: [{path}.keyword] ({kind} on [{field}])"
        ))),
        Target::Index | Target::Id => Err(RequestError::illegal_argument(format!("{kind} on [{field}] is not supported"))),
    }
}
