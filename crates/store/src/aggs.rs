//! Aggregations: Elasticsearch's request checked and rewritten for tantivy's aggregation
//! module (field names, time zones, date math bounds, `filter` through our own queries),
//! and tantivy's answer brought to Elasticsearch's exact shape (integer keys and counts,
//! `key_as_string` in the requested zone).

use logdash_core::time::{
    format_iso8601, format_with_offset, parse_date_math, parse_duration, parse_fixed_offset,
    EpochMillis, Rounding,
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
use crate::percentiles::{self, PercentilesCollector, Spec, Values};
use crate::query::{self, resolve, Context, Target};
use crate::schema::{Fields, TEXT_TOKENIZER};
use crate::RequestError;

/// Aggregation types logdash answers; anything else is refused by name.
const SUPPORTED: &[&str] = &[
    "date_histogram",
    "histogram",
    "terms",
    "range",
    "filter",
    "cardinality",
    "percentiles",
    "avg",
    "min",
    "max",
    "sum",
    "stats",
    "value_count",
];

/// A checked aggregation request, ready to run and to render.
pub(crate) struct Prepared {
    aggs: Aggregations,
    plan: Vec<(String, Plan)>,
    /// The percentiles answered as Elasticsearch does (see `percentiles`), by [`Plan::Percentiles`].
    exact: Vec<Spec>,
}

/// Where an aggregation sits: exact percentiles are computed at the top and in a top-level
/// date_histogram's buckets (`(interval, shift)` in ms); deeper, tantivy's own answer them.
#[derive(Debug, Clone, Copy)]
enum Place {
    Top,
    InHistogram(i64, i64),
    Deeper,
}

/// What each aggregation's answer needs on its way back.
#[derive(Debug, Clone)]
enum Plan {
    DateHistogram {
        offset_minutes: i32,
        children: Vec<(String, Plan)>,
    },
    Buckets(Vec<(String, Plan)>),
    /// The requested ranges: (from, to, key). tantivy adds buckets for the gaps; ES does not.
    Range {
        ranges: Vec<(Option<f64>, Option<f64>, Option<String>)>,
        /// Dates: how many of tantivy's units make a millisecond (`@timestamp`'s column
        /// counts nanoseconds, dates in `kw` milliseconds); `None` for numbers.
        date_scale: Option<f64>,
        children: Vec<(String, Plan)>,
    },
    Single(Vec<(String, Plan)>),
    /// A count (cardinality, value_count): Elasticsearch answers a whole number.
    Cardinality,
    Metric,
    /// Computed beside tantivy's aggregations: the number of its spec.
    Percentiles(usize),
}

impl Prepared {
    pub(crate) fn collector(&self) -> AggregationCollector {
        let context = AggContextParams::new(
            AggregationLimitsGuard::default(),
            TokenizerManager::default(),
        );
        AggregationCollector::from_aggs(self.aggs.clone(), context)
    }

    /// The collector of the exact percentiles, when the request has any.
    pub(crate) fn percentiles_collector(&self) -> Option<PercentilesCollector> {
        (!self.exact.is_empty()).then(|| PercentilesCollector {
            specs: self.exact.clone(),
        })
    }

    pub(crate) fn render(
        &self,
        results: AggregationResults,
        values: Option<Values>,
    ) -> Result<Value, RequestError> {
        let mut value = serde_json::to_value(results)
            .map_err(|err| RequestError::internal(format!("cannot render aggregations: {err}")))?;
        let mut exact = Exact {
            specs: &self.exact,
            answers: percentiles::answer_all(values.unwrap_or_default(), &self.exact),
        };
        render_level(&mut value, &self.plan, &mut exact, 0);
        Ok(value)
    }
}

/// The exact percentiles' specs and collected values, for rendering.
struct Exact<'a> {
    specs: &'a [Spec],
    /// Per spec, the answer of each bucket that had values.
    answers: Vec<std::collections::BTreeMap<i64, Value>>,
}

impl Exact<'_> {
    /// The answer for a spec in a bucket (each is asked for once: its values are moved out).
    fn answer(&mut self, spec: usize, bucket: i64) -> Value {
        let answered = self
            .answers
            .get_mut(spec)
            .and_then(|buckets| buckets.remove(&bucket));
        match (answered, self.specs.get(spec)) {
            (Some(answer), _) => answer,
            // a bucket without values (extended bounds, or nothing matched): nulls
            (None, Some(found)) => percentiles::render(None, found),
            (None, None) => Value::Null,
        }
    }
}

pub(crate) fn prepare(
    aggs: &Value,
    mapping: &IndexMapping,
    now: EpochMillis,
) -> Result<Prepared, RequestError> {
    let mut exact = Vec::new();
    let (aggs, plan) = level(aggs, mapping, now, Place::Top, &mut exact)?;
    Ok(Prepared { aggs, plan, exact })
}

fn level(
    aggs: &Value,
    mapping: &IndexMapping,
    now: EpochMillis,
    place: Place,
    exact: &mut Vec<Spec>,
) -> Result<(Aggregations, Vec<(String, Plan)>), RequestError> {
    let object = aggs.as_object().ok_or_else(|| {
        RequestError::bad_request("[aggs] must be an object of named aggregations")
    })?;
    let mut out = Aggregations::default();
    let mut plan = Vec::new();
    for (name, spec) in object {
        let (aggregation, node) = one(name, spec, mapping, now, place, exact)?;
        if let Some(aggregation) = aggregation {
            out.insert(name.clone(), aggregation);
        }
        plan.push((name.clone(), node));
    }
    Ok((out, plan))
}

/// One aggregation: tantivy's request for it (none when logdash computes it itself) and
/// what its answer needs on the way back.
fn one(
    name: &str,
    spec: &Value,
    mapping: &IndexMapping,
    now: EpochMillis,
    place: Place,
    exact: &mut Vec<Spec>,
) -> Result<(Option<Aggregation>, Plan), RequestError> {
    let object = spec.as_object().ok_or_else(|| {
        RequestError::bad_request(format!("aggregation [{name}] must be an object"))
    })?;
    let mut kind = None;
    let mut sub = None;
    for (key, value) in object {
        match key.as_str() {
            "aggs" | "aggregations" => sub = Some(value),
            "meta" => {}
            other if kind.is_none() => kind = Some((other, value)),
            other => {
                return Err(RequestError::bad_request(format!(
                    "Found two aggregation type definitions in [{name}]: [{}] and [{other}]",
                    kind.map_or("", |(k, _)| k)
                )))
            }
        }
    }
    let (kind, body) = kind.ok_or_else(|| {
        RequestError::bad_request(format!("Missing definition for aggregation [{name}]"))
    })?;
    if !SUPPORTED.contains(&kind) {
        return Err(RequestError::bad_request(format!(
            "Unknown aggregation type [{kind}] in [{name}]: logdash supports {}",
            SUPPORTED.join(", ")
        )));
    }
    let mut sub_level = |place: Place| match sub {
        Some(sub) => level(sub, mapping, now, place, exact),
        None => Ok((Aggregations::default(), Vec::new())),
    };
    if kind == "filter" {
        let (sub_aggs, children) = sub_level(Place::Deeper)?;
        let builder = EsFilter {
            query: body.clone(),
            mapping: mapping.clone(),
            now,
        };
        // check the query now, so a bad filter is a clear 400 and not a failed search
        builder.check()?;
        let aggregation = Aggregation {
            agg: AggregationVariants::Filter(FilterAggregation::new_with_builder(Box::new(
                builder,
            ))),
            sub_aggregation: sub_aggs,
        };
        return Ok((Some(aggregation), Plan::Single(children)));
    }
    let mut body = body.as_object().cloned().ok_or_else(|| {
        RequestError::bad_request(format!("[{kind}] aggregation [{name}] must be an object"))
    })?;
    let field = body
        .get("field")
        .and_then(Value::as_str)
        .map(str::to_string);
    let field = field.ok_or_else(|| {
        RequestError::bad_request(format!(
            "Required one of fields [field, script], but none were specified in [{name}]"
        ))
    })?;
    let target = resolve(mapping, &field);
    let column = column_of(&target, kind, &field)?;
    body.insert("field".into(), Value::String(column.clone()));
    if kind == "percentiles" {
        if let Place::Top | Place::InHistogram(..) = place {
            let histogram = match place {
                Place::InHistogram(interval, shift) => Some((interval, shift)),
                _ => None,
            };
            if sub.is_some() {
                return Err(RequestError::bad_request(format!(
                    "Aggregator [{name}] of type [percentiles] cannot accept sub-aggregations"
                )));
            }
            exact.push(percentiles::parse(name, &body, column, histogram)?);
            return Ok((None, Plan::Percentiles(exact.len() - 1)));
        }
    }
    let histogram = if kind == "date_histogram" {
        if !matches!(
            target,
            Target::Timestamp | Target::Whole(_, FieldKind::Date) | Target::Unmapped(_)
        ) {
            return Err(RequestError::illegal_argument(format!(
                "Field [{field}] of type [{}] is not supported for aggregation [date_histogram]",
                match &target {
                    Target::Whole(_, kind) => kind.es_type(),
                    _ => "text",
                }
            )));
        }
        Some(date_histogram(name, &mut body, now)?)
    } else {
        None
    };
    // a date in `kw` is epoch milliseconds: its date_histogram is tantivy's histogram
    let mut tantivy_kind = kind;
    if let (Some((_, interval, shift)), Target::Whole(..) | Target::Unmapped(_)) =
        (histogram, &target)
    {
        tantivy_kind = "histogram";
        body.remove("fixed_interval");
        body.insert("interval".into(), json!(interval));
        body.insert("offset".into(), json!(shift));
    }
    // exact percentiles per bucket go by event time: only under a histogram of @timestamp
    let children_place = match (histogram, place) {
        (Some((_, interval, shift)), Place::Top) if target == Target::Timestamp => {
            Place::InHistogram(interval, shift)
        }
        _ => Place::Deeper,
    };
    let (sub_aggs, children) = sub_level(children_place)?;
    let plan = match kind {
        "date_histogram" => Plan::DateHistogram {
            offset_minutes: histogram.map_or(0, |(offset, _, _)| offset),
            children,
        },
        "cardinality" => {
            if body.contains_key("precision_threshold") {
                return Err(RequestError::illegal_argument(format!(
                    "[precision_threshold] in cardinality [{name}] is not supported: logdash counts with a fixed-precision HyperLogLog (about 2% error above a few thousand)"
                )));
            }
            Plan::Cardinality
        }
        "range" => {
            let date_scale = match target {
                Target::Timestamp => Some(1e6),
                Target::Whole(_, FieldKind::Date) => Some(1.0),
                _ => None,
            };
            if let Some(scale) = date_scale {
                date_range_bounds(name, &mut body, now, scale)?;
            }
            let ranges = body
                .get("ranges")
                .and_then(Value::as_array)
                .map(|ranges| {
                    ranges
                        .iter()
                        .map(|r| {
                            (
                                r.get("from").and_then(Value::as_f64),
                                r.get("to").and_then(Value::as_f64),
                                r.get("key").and_then(Value::as_str).map(str::to_string),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            Plan::Range {
                ranges,
                date_scale,
                children,
            }
        }
        "terms" | "histogram" => Plan::Buckets(children),
        "value_count" => Plan::Cardinality,
        _ => Plan::Metric,
    };
    let mut wrapped = Map::new();
    wrapped.insert(tantivy_kind.to_string(), Value::Object(body));
    let mut aggregation: Aggregation =
        serde_json::from_value(Value::Object(wrapped)).map_err(|err| {
            RequestError::bad_request(format!("[{kind}] aggregation [{name}]: {err}"))
        })?;
    aggregation.sub_aggregation = sub_aggs;
    Ok((Some(aggregation), plan))
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

/// Checks and rewrites a date_histogram; returns the time zone's offset in minutes, the
/// interval and the buckets' shift from the epoch's (both in ms).
fn date_histogram(
    name: &str,
    body: &mut Map<String, Value>,
    now: EpochMillis,
) -> Result<(i32, i64, i64), RequestError> {
    let interval_text = match (body.remove("fixed_interval"), body.remove("calendar_interval"), body.remove("interval")) {
        (Some(Value::String(fixed)), None, None) => fixed,
        (None, Some(Value::String(calendar)), None) | (None, None, Some(Value::String(calendar))) => match calendar.as_str() {
            // in UTC and fixed offsets these calendar units are fixed lengths
            "1m" | "minute" => "1m".to_string(),
            "1h" | "hour" => "1h".to_string(),
            "1d" | "day" => "1d".to_string(),
            other => {
                return Err(RequestError::illegal_argument(format!(
                    "calendar_interval [{other}] in [{name}] is not supported: use fixed_interval (e.g. 30s, 5m, 1h, 1d) or calendar minute, hour or day"
                )))
            }
        },
        (None, None, None) => return Err(RequestError::illegal_argument(format!("Invalid interval specified, must be non-null and non-empty in [{name}]"))),
        _ => return Err(RequestError::illegal_argument(format!("[{name}] must have exactly one of fixed_interval or calendar_interval"))),
    };
    let interval = parse_duration(&interval_text).ok_or_else(|| {
        RequestError::illegal_argument(format!("failed to parse setting [date_histogram.fixed_interval] with value [{interval_text}] in [{name}]"))
    })?;
    body.insert("fixed_interval".into(), Value::String(interval_text));
    let offset_minutes = match body.remove("time_zone") {
        None => 0,
        Some(Value::String(zone)) => parse_fixed_offset(&zone).ok_or_else(|| {
            RequestError::illegal_argument(format!(
                "time_zone [{zone}] in [{name}] is not supported: logdash takes UTC or a fixed offset like +01:00 (send the offset your clock shows)"
            ))
        })?,
        Some(other) => return Err(RequestError::bad_request(format!("[time_zone] must be a string, not {other}"))),
    };
    if body.contains_key("offset") {
        return Err(RequestError::illegal_argument(format!(
            "[offset] in [{name}] is not supported; use time_zone"
        )));
    }
    if let Some(format) = body.remove("format") {
        if !matches!(
            format.as_str(),
            Some("strict_date_optional_time" | "date_optional_time")
        ) {
            return Err(RequestError::illegal_argument(format!("[format] {format} in [{name}] is not supported: keys come as epoch millis and ISO 8601")));
        }
    }
    // buckets start at local midnight (or hour) in the zone: shift them by the offset
    let shift = (-i64::from(offset_minutes) * 60_000).rem_euclid(interval);
    if shift != 0 {
        body.insert("offset".into(), Value::String(format!("{shift}ms")));
    }
    for key in ["extended_bounds", "hard_bounds"] {
        if let Some(bounds) = body.get_mut(key) {
            let object = bounds.as_object_mut().ok_or_else(|| {
                RequestError::bad_request(format!("[{key}] must be {{min, max}}"))
            })?;
            for (edge, rounding) in [("min", Rounding::Down), ("max", Rounding::Up)] {
                if let Some(value) = object.get_mut(edge) {
                    *value = json!(date_value(value, now, rounding)?);
                }
            }
        }
    }
    Ok((offset_minutes, interval, shift))
}

/// A date range aggregation's bounds as tantivy compares them: `scale` units a millisecond.
fn date_range_bounds(
    name: &str,
    body: &mut Map<String, Value>,
    now: EpochMillis,
    scale: f64,
) -> Result<(), RequestError> {
    let ranges = body
        .get_mut("ranges")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| {
            RequestError::bad_request(format!("[range] aggregation [{name}] needs [ranges]"))
        })?;
    for range in ranges {
        if let Some(range) = range.as_object_mut() {
            for edge in ["from", "to"] {
                if let Some(value) = range.get_mut(edge) {
                    *value = json!(date_value(value, now, Rounding::Down)? * scale);
                }
            }
        }
    }
    Ok(())
}

fn date_value(value: &Value, now: EpochMillis, rounding: Rounding) -> Result<f64, RequestError> {
    match value {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| RequestError::bad_request("a date bound is not a number")),
        Value::String(text) => parse_date_math(text, now, rounding)
            .map(|ms| ms as f64)
            .map_err(|err| RequestError {
                status: 400,
                kind: "parse_exception",
                reason: err.to_string(),
            }),
        other => Err(RequestError::bad_request(format!(
            "a date bound must be a date or epoch millis, not {other}"
        ))),
    }
}

/// Brings one level of results to Elasticsearch's shape; `bucket` is the key of the
/// histogram bucket it sits in (0 outside one), for the exact percentiles.
fn render_level(value: &mut Value, plan: &[(String, Plan)], exact: &mut Exact, bucket: i64) {
    for (name, node) in plan {
        if let Plan::Percentiles(spec) = node {
            if let Some(level) = value.as_object_mut() {
                level.insert(name.clone(), exact.answer(*spec, bucket));
            }
        } else if let Some(result) = value.get_mut(name) {
            render_one(result, node, exact);
        }
    }
}

fn render_one(result: &mut Value, plan: &Plan, exact: &mut Exact) {
    match plan {
        Plan::DateHistogram {
            offset_minutes,
            children,
        } => {
            for bucket in buckets_mut(result) {
                let mut at = 0;
                if let Some(key) = bucket.get("key").and_then(Value::as_f64) {
                    let key = key as i64;
                    at = key;
                    bucket["key"] = json!(key);
                    bucket["key_as_string"] = json!(format_with_offset(key, *offset_minutes));
                }
                whole_doc_count(bucket);
                render_level(bucket, children, exact, at);
            }
        }
        Plan::Buckets(children) => {
            for bucket in buckets_mut(result) {
                whole_doc_count(bucket);
                render_level(bucket, children, exact, 0);
            }
        }
        Plan::Range {
            ranges,
            date_scale,
            children,
        } => {
            let mut kept = Vec::new();
            for (from, to, key) in ranges {
                let found = buckets_mut(result).into_iter().find(|bucket| {
                    bucket.get("from").and_then(Value::as_f64) == *from
                        && bucket.get("to").and_then(Value::as_f64) == *to
                });
                let mut bucket = found
                    .map(|b| b.take())
                    .unwrap_or_else(|| json!({"doc_count": 0}));
                if let Some(scale) = date_scale {
                    date_range_bucket(&mut bucket, *from, *to, *scale);
                }
                // Elasticsearch names an unnamed range "from-to" with decimals (dates as dates),
                // "*" for an open end
                let edge = |v: &Option<f64>| match (v, date_scale) {
                    (None, _) => "*".to_string(),
                    (Some(v), Some(scale)) => format_iso8601((v / scale) as i64),
                    (Some(v), None) => format!("{v:?}"),
                };
                bucket["key"] =
                    json!(key
                        .clone()
                        .unwrap_or_else(|| format!("{}-{}", edge(from), edge(to))));
                whole_doc_count(&mut bucket);
                render_level(&mut bucket, children, exact, 0);
                kept.push(bucket);
            }
            result["buckets"] = Value::Array(kept);
        }
        Plan::Single(children) => {
            whole_doc_count(result);
            render_level(result, children, exact, 0);
        }
        Plan::Cardinality => {
            if let Some(value) = result.get("value").and_then(Value::as_f64) {
                result["value"] = json!(value.round() as u64);
            }
        }
        Plan::Metric | Plan::Percentiles(..) => {}
    }
}

/// A date range bucket's edges in epoch milliseconds and as dates, as Elasticsearch shows them.
fn date_range_bucket(bucket: &mut Value, from: Option<f64>, to: Option<f64>, scale: f64) {
    let Some(object) = bucket.as_object_mut() else {
        return;
    };
    for (edge, value) in [("from", from), ("to", to)] {
        object.remove(&format!("{edge}_as_string"));
        object.remove(edge);
        if let Some(value) = value {
            let ms = (value / scale).round();
            object.insert(edge.into(), json!(ms));
            object.insert(
                format!("{edge}_as_string"),
                json!(format_iso8601(ms as i64)),
            );
        }
    }
}

fn buckets_mut(result: &mut Value) -> Vec<&mut Value> {
    match result.get_mut("buckets") {
        Some(Value::Array(buckets)) => buckets.iter_mut().collect(),
        Some(Value::Object(buckets)) => buckets.values_mut().collect(),
        _ => Vec::new(),
    }
}

fn whole_doc_count(bucket: &mut Value) {
    if let Some(count) = bucket.get("doc_count").and_then(Value::as_f64) {
        bucket["doc_count"] = json!(count as u64);
    }
}

/// A `filter` aggregation's query, built with the store's own query translation.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EsFilter {
    query: Value,
    mapping: IndexMapping,
    now: EpochMillis,
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

    fn check(&self) -> Result<(), RequestError> {
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
