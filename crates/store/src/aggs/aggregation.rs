//! One aggregation of a request: checked, rewritten for tantivy, and planned for rendering.

use super::checks;
use super::dates::{self, date_histogram};
use super::filter::{EsFilter, Filters};
use super::place::step_below;
use super::ranges;
use super::terms_order;
use super::top_hits::{self, Scope, TopHitsSpec};
use super::*;
use std::sync::Arc;

use tantivy::aggregation::bucket::QueryBuilder;

use crate::percentiles::{Bucketing, Step};

/// One aggregation: tantivy's request for it (none when logdash computes it itself) and
/// what its answer needs on the way back.
pub(super) fn one(
    name: &str,
    spec: &Value,
    mapping: &IndexMapping,
    now: EpochMillis,
    place: Place,
    exact: &mut Vec<Spec>,
    bounds: Bounds<'_>,
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
    let sub_level = |place: Place, exact: &mut Vec<Spec>, bounds: Bounds<'_>| match sub {
        Some(sub) => level(sub, mapping, now, place, exact, bounds),
        None => Ok((Aggregations::default(), Vec::new())),
    };
    // a query checked now, so a bad filter is a clear 400 and not a failed search
    let checked = |query: &Value| {
        let builder = EsFilter {
            query: query.clone(),
            mapping: mapping.clone(),
            now,
        };
        builder.check()?;
        Ok::<_, RequestError>(builder)
    };
    let filter_by = |builder: EsFilter, sub_aggregation| Aggregation {
        agg: AggregationVariants::Filter(FilterAggregation::new_with_builder(Box::new(builder))),
        sub_aggregation,
    };
    let filter = |query: &Value, sub_aggregation| {
        Ok::<_, RequestError>(filter_by(checked(query)?, sub_aggregation))
    };
    // a filter's events are placed by its query, for the percentiles below
    let by_queries = |builders: &[EsFilter]| {
        Step::Filters(
            builders
                .iter()
                .map(|builder| Arc::new(builder.clone()) as Arc<dyn QueryBuilder>)
                .collect(),
        )
    };
    if kind == "top_hits" {
        if sub.is_some() {
            return Err(RequestError::bad_request(format!(
                "Aggregator [{name}] of type [top_hits] cannot accept sub-aggregations"
            )));
        }
        return Ok((None, Plan::TopHits(TopHitsSpec::parse(name, body)?)));
    }
    if kind == "filter" {
        let builder = checked(body)?;
        let place = place.below(Some(by_queries(std::slice::from_ref(&builder))));
        let (sub_aggs, children) = sub_level(place, exact, bounds)?;
        let plan = scoped(Plan::Single(children), || Scope::Query(body.clone()));
        return Ok((Some(filter_by(builder, sub_aggs)), plan));
    }
    if kind == "filters" {
        let filters = Filters::parse(name, body)?;
        let builders = filters
            .queries
            .iter()
            .map(checked)
            .collect::<Result<Vec<_>, _>>()?;
        let place = place.below(Some(by_queries(&builders)));
        let (sub_aggs, children) = sub_level(place, exact, bounds)?;
        let mut buckets = Aggregations::default();
        for (i, builder) in builders.into_iter().enumerate() {
            buckets.insert(i.to_string(), filter_by(builder, sub_aggs.clone()));
        }
        // the buckets sit under one filter of every event, to be unwrapped when rendered
        let aggregation = filter(&json!({"match_all": {}}), buckets)?;
        return Ok((
            Some(aggregation),
            Plan::Filters {
                keys: filters.keys,
                keyed: filters.keyed,
                named: filters.named,
                children,
            },
        ));
    }
    let mut body = body.as_object().cloned().ok_or_else(|| {
        RequestError::bad_request(format!("[{kind}] aggregation [{name}] must be an object"))
    })?;
    checks::metric(name, kind, &body, sub.is_some())?;
    checks::buckets(name, kind, &body)?;
    if kind == "composite" {
        composite_sources(name, &mut body, mapping)?;
        // Elasticsearch's default page
        body.entry("size").or_insert(json!(10));
        let (sub_aggs, children) = sub_level(Place::Deeper, exact, bounds)?;
        let aggregation = tantivy_aggregation(name, kind, kind, body, sub_aggs)?;
        return Ok((Some(aggregation), Plan::Composite(children)));
    }
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
    if let Some(type_name) = checks::refused_on(kind, &target) {
        let by = if type_name == "boolean" {
            " by logdash"
        } else {
            ""
        };
        return Err(RequestError::illegal_argument(format!(
            "Field [{field}] of type [{type_name}] is not supported for aggregation [{kind}]{by}"
        )));
    }
    // an address is counted, bucketed by itself or looked up, never summed or ranged; a
    // point is only counted (logdash has no geo aggregations)
    let refused = match &target {
        Target::Whole(_, FieldKind::Ip) => !matches!(kind, "terms" | "cardinality" | "value_count"),
        Target::Whole(_, FieldKind::GeoPoint) => kind != "value_count",
        // nanoseconds: the instants' bounds, counts, ranges and terms (by the millisecond)
        Target::Whole(_, FieldKind::DateNanos) => !matches!(
            kind,
            "min"
                | "max"
                | "avg"
                | "value_count"
                | "cardinality"
                | "date_histogram"
                | "range"
                | "date_range"
                | "terms"
        ),
        _ => false,
    };
    if let (true, Target::Whole(_, field_kind)) = (refused, &target) {
        return Err(RequestError::illegal_argument(format!(
            "Field [{field}] of type [{}] is not supported for aggregation [{kind}]{}",
            field_kind.es_type(),
            match field_kind {
                FieldKind::DateNanos => " by logdash",
                _ => "",
            }
        )));
    }
    // an address bucket's key is not its text: values given as text would not meet it
    if let (Target::Whole(_, FieldKind::Ip), "terms") = (&target, kind) {
        if let Some(key) = ["missing", "include", "exclude"]
            .iter()
            .find(|key| body.contains_key(**key))
        {
            return Err(RequestError::illegal_argument(format!(
                "[{key}] of terms [{name}] on the ip field [{field}] is not supported by logdash"
            )));
        }
    }
    let date_format = dates::value_format(name, kind, &target, &mut body)?;
    let column = column_of(&target, kind, &field)?;
    body.insert("field".into(), Value::String(column.clone()));
    if kind == "percentiles" || kind == "percentile_ranks" {
        if let Place::Exact(path) = place {
            if sub.is_some() {
                return Err(RequestError::bad_request(format!(
                    "Aggregator [{name}] of type [{kind}] cannot accept sub-aggregations"
                )));
            }
            exact.push(percentiles::parse(name, kind, &body, column, path)?);
            return Ok((None, Plan::Percentiles(exact.len() - 1)));
        }
        if kind == "percentile_ranks" {
            return Err(RequestError::illegal_argument(format!(
                "[percentile_ranks] [{name}] is answered at the top of a request and below date_histogram, terms, histogram, range, filter and filters; logdash does not compute it below other aggregations"
            )));
        }
    }
    let histogram = if kind == "date_histogram" {
        if !matches!(
            target,
            Target::Timestamp
                | Target::Whole(_, FieldKind::Date | FieldKind::DateNanos)
                | Target::Unmapped(_)
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
    // @timestamp's column and a date_nanos field count nanoseconds; a date in `kw` is
    // epoch milliseconds
    let nanos = matches!(target, Target::Whole(_, FieldKind::DateNanos));
    let scale = if target == Target::Timestamp || nanos {
        1e6
    } else {
        1.0
    };
    let mut tantivy_kind = if kind == "date_range" { "range" } else { kind };
    let mut between_edges = None;
    let bucketing = match &histogram {
        None => None,
        Some(histogram) => Some(match histogram.even() {
            Some((interval, shift)) => {
                if target == Target::Timestamp {
                    body.insert("fixed_interval".into(), json!(format!("{interval}ms")));
                    if shift != 0 {
                        body.insert("offset".into(), json!(format!("{shift}ms")));
                    }
                } else {
                    tantivy_kind = "histogram";
                    body.insert("interval".into(), json!(interval as f64 * scale));
                    body.insert("offset".into(), json!(shift as f64 * scale));
                    // the bounds were read in milliseconds
                    for key in ["extended_bounds", "hard_bounds"] {
                        if let Some(Value::Object(bounds)) = body.get_mut(key) {
                            for edge in bounds.values_mut() {
                                if let Some(ms) = edge.as_f64() {
                                    *edge = json!(ms * scale);
                                }
                            }
                        }
                    }
                }
                Bucketing::Even { interval, shift }
            }
            // calendar months, weeks..., or a zone whose clock changes: buckets of unequal
            // lengths, counted by tantivy's range aggregation between their edges
            None => {
                if let Some(key) = body.keys().find(|key| {
                    !["field", "min_doc_count", "extended_bounds", "hard_bounds"]
                        .contains(&key.as_str())
                }) {
                    return Err(RequestError::illegal_argument(format!(
                        "[{key}] in date_histogram [{name}] is not supported by logdash with a calendar interval longer than a day or a time zone with clock changes"
                    )));
                }
                let data = bounds(&column)?.map(|(low, high)| {
                    ((low / scale).floor() as i64, (high / scale).ceil() as i64)
                });
                let edges = histogram.edges(name, data)?;
                let mut ranges: Vec<Value> = edges
                    .windows(2)
                    .map(|pair| json!({"from": pair[0] as f64 * scale, "to": pair[1] as f64 * scale}))
                    .collect();
                if ranges.is_empty() {
                    // nothing to count: one empty range keeps tantivy's request valid
                    ranges.push(json!({"from": 0.0, "to": 0.0}));
                }
                tantivy_kind = "range";
                body = Map::new();
                body.insert("field".into(), json!(column));
                body.insert("ranges".into(), Value::Array(ranges));
                between_edges = Some(Edges {
                    scale,
                    min_doc_count: histogram.min_doc_count,
                    extended: histogram.extended,
                    hard: histogram.hard_keys(),
                });
                Bucketing::Edges(edges.into())
            }
        }),
    };
    let range_read = match kind {
        "range" | "date_range" => Some(ranges::read(name, kind, &field, &target, &mut body, now)?),
        _ => None,
    };
    // exact percentiles below this bucket, where the collector can place each event in it
    let children_place = place.below(step_below(
        kind,
        &target,
        &column,
        &body,
        sub,
        bucketing.as_ref(),
        range_read.as_ref(),
    ));
    let (sub_aggs, children) = sub_level(children_place, exact, bounds)?;
    let plan = match kind {
        "date_histogram" => Plan::DateHistogram {
            zone: histogram.map_or(DateWriter::UTC, |histogram| DateWriter {
                zone: histogram.zone,
                pattern: histogram.format,
            }),
            between_edges,
            key_scale: if nanos { scale } else { 1.0 },
            children,
        },
        "cardinality" => match body.remove("precision_threshold") {
            None => Plan::Cardinality,
            // counts below the threshold are exact, as Elasticsearch promises them: the
            // distinct values are listed up to one past it, the HyperLogLog counts beyond
            Some(threshold) => {
                let threshold = exact_up_to(name, &threshold)?;
                let mut listed = Map::new();
                listed.insert("field".into(), body["field"].clone());
                listed.insert("size".into(), json!(threshold + 1));
                listed.insert("shard_size".into(), json!(threshold + 1));
                if let Some(missing) = body.get("missing") {
                    listed.insert("missing".into(), missing.clone());
                }
                let mut both = Aggregations::default();
                let none = Aggregations::default;
                both.insert(
                    "listed".into(),
                    tantivy_aggregation(name, kind, "terms", listed, none())?,
                );
                both.insert(
                    "estimated".into(),
                    tantivy_aggregation(name, kind, kind, body, none())?,
                );
                let aggregation = filter(&json!({"match_all": {}}), both)?;
                return Ok((Some(aggregation), Plan::ExactUpTo(threshold)));
            }
        },
        "range" | "date_range" => {
            let Some(ranges::Read {
                date_scale,
                zone,
                missing,
                keyed,
                ranges,
            }) = range_read
            else {
                return Err(RequestError::internal(format!(
                    "[{kind}] [{name}] was not read"
                )));
            };
            // tantivy's range aggregation cannot count events without the field, bound
            // nanoseconds exactly (its bounds are doubles, 256 ns apart there), nor compare
            // a long past 2^53 as Elasticsearch does (as a double): each range is a filter
            // instead, taking those events where `missing` falls in it
            let nanos = matches!(target, Target::Whole(_, FieldKind::DateNanos));
            let long = matches!(target, Target::Whole(_, FieldKind::Long))
                && ranges.iter().any(|(from, to, _)| {
                    ranges::past_doubles(*from, *to) || ranges::fraction(*from, *to)
                });
            // nor ranges that overlap, which it refuses, nor `@timestamp` edges whose
            // nanoseconds a double does not hold (it would round them over an event)
            let inexact = target == Target::Timestamp
                && ranges
                    .iter()
                    .any(|(from, to, _)| ranges::inexact_nanos(*from, *to));
            if missing.is_some() || nanos || long || inexact || ranges::overlap(&ranges) {
                let mut buckets = Aggregations::default();
                for (i, (from, to, _)) in ranges.iter().enumerate() {
                    let bounds = (*from, *to);
                    let in_range = match long {
                        true => ranges::long_as_doubles(&field, *from, *to),
                        false => ranges::between(&field, bounds, date_scale),
                    };
                    let query = match missing {
                        Some(missing) => ranges::or_missing(&field, in_range, bounds, missing),
                        None => in_range,
                    };
                    buckets.insert(i.to_string(), filter(&query, sub_aggs.clone())?);
                }
                let plan = Plan::Range {
                    ranges,
                    keyed,
                    date_scale,
                    zone,
                    children,
                    as_filters: true,
                };
                return Ok((Some(filter(&json!({"match_all": {}}), buckets)?), plan));
            }
            Plan::Range {
                ranges,
                keyed,
                date_scale,
                zone,
                children,
                as_filters: false,
            }
        }
        "terms" if body.contains_key("missing") && top_hits::holds(&children) => {
            return Err(RequestError::illegal_argument(format!(
                "top_hits under terms [{name}] with [missing] is not supported by logdash"
            )))
        }
        "terms" => {
            // tantivy orders a float field's whole keys apart from its fractions: they are
            // sorted here, every term asked for; below another bucket that would be every
            // term of every bucket, so there an order by key is refused
            let sorted_here = float_terms(name, &field, &target, &place, &body)?
                || nanos_terms(name, &field, &target, &place, &body, &children)?;
            scoped(
                Plan::Buckets {
                    children,
                    keys: match target {
                        Target::Whole(_, FieldKind::Date) => Keys::Dates,
                        Target::Whole(_, FieldKind::Ip) => Keys::Addresses,
                        Target::Whole(_, FieldKind::Float) => Keys::Floats,
                        Target::Whole(_, FieldKind::DateNanos) => Keys::NanosByMillisecond,
                        _ => Keys::AsGiven,
                    },
                    order: terms_order::take(name, &mut body, sorted_here)?,
                    date_format,
                },
                || Scope::Term(field.clone()),
            )
        }
        "histogram" => Plan::Buckets {
            children,
            keys: Keys::AsGiven,
            order: None,
            date_format: None,
        },
        "value_count" => Plan::Cardinality,
        _ => Plan::Metric {
            date_scale: match (&target, kind) {
                (_, "min" | "max" | "avg" | "sum" | "stats") => match target {
                    Target::Timestamp | Target::Whole(_, FieldKind::DateNanos) => Some(1e6),
                    Target::Whole(_, FieldKind::Date) => Some(1.0),
                    _ => None,
                },
                _ => None,
            },
            date_format,
        },
    };
    let aggregation = tantivy_aggregation(name, kind, tantivy_kind, body, sub_aggs)?;
    Ok((Some(aggregation), plan))
}

/// A bucket aggregation, with what narrows to its buckets when a top_hits under it needs
/// to know.
fn scoped(plan: Plan, scope: impl FnOnce() -> Scope) -> Plan {
    let holds = match &plan {
        Plan::Single(children) | Plan::Buckets { children, .. } => top_hits::holds(children),
        _ => false,
    };
    if holds {
        Plan::Scoped(Box::new(plan), scope())
    } else {
        plan
    }
}

/// A cardinality's `precision_threshold`: counts up to it are exact (Elasticsearch takes
/// at most 40,000).
fn exact_up_to(name: &str, value: &Value) -> Result<u64, RequestError> {
    let threshold = value.as_i64().or_else(|| value.as_str()?.parse().ok());
    let why = match threshold {
        Some(threshold) if threshold >= 0 => return Ok((threshold as u64).min(40_000)),
        Some(_) => format!(
            "[precisionThreshold] must be greater than or equal to 0. Found [{value}] in [{name}]"
        ),
        None => format!("For input string: {value}"),
    };
    // as Elasticsearch's parser refuses it, the cause after a colon
    Err(RequestError {
        status: 400,
        kind: "x_content_parse_exception",
        reason: format!("[cardinality] failed to parse field [precision_threshold]: {why}"),
        raised: Raised::Reading,
    })
}

/// Whether a `terms` is of a float field, and so sorted by the store (see
/// `terms_order`); at the top of a request only (below another bucket it would ask for
/// every term of each bucket), where an order by `_key` is refused.
fn float_terms(
    name: &str,
    field: &str,
    target: &Target,
    place: &Place,
    body: &Map<String, Value>,
) -> Result<bool, RequestError> {
    if !matches!(target, Target::Whole(_, FieldKind::Float)) {
        return Ok(false);
    }
    if place.is_top() {
        return Ok(true);
    }
    if body
        .get("order")
        .is_some_and(|order| order.to_string().contains("\"_key\""))
    {
        return Err(RequestError::illegal_argument(format!(
            "[terms] [{name}] on the float field [{field}] ordered by [_key] below another bucket aggregation is not supported by logdash"
        )));
    }
    Ok(false)
}

/// Whether a `terms` is of a date_nanos field: its instants are merged by the millisecond
/// and sorted by the store, which it can do at the top of a request, without
/// sub-aggregations and without `missing`, `include` or `exclude` (each refused by name).
fn nanos_terms(
    name: &str,
    field: &str,
    target: &Target,
    place: &Place,
    body: &Map<String, Value>,
    children: &[(String, Plan)],
) -> Result<bool, RequestError> {
    if !matches!(target, Target::Whole(_, FieldKind::DateNanos)) {
        return Ok(false);
    }
    let refused = |what: &str| {
        Err(RequestError::illegal_argument(format!(
            "[terms] [{name}] on the date_nanos field [{field}] {what} is not supported by logdash"
        )))
    };
    if !place.is_top() {
        return refused("below another aggregation");
    }
    if !children.is_empty() {
        return refused("with sub-aggregations");
    }
    if let Some(key) = ["missing", "include", "exclude"]
        .iter()
        .find(|key| body.contains_key(**key))
    {
        return refused(&format!("with [{key}]"));
    }
    Ok(true)
}

/// tantivy's aggregation of `kind` (as Elasticsearch's `es_kind` was asked for) with `body`
/// and its sub-aggregations.
fn tantivy_aggregation(
    name: &str,
    es_kind: &str,
    kind: &str,
    body: Map<String, Value>,
    sub_aggs: Aggregations,
) -> Result<Aggregation, RequestError> {
    let mut wrapped = Map::new();
    wrapped.insert(kind.to_string(), Value::Object(body));
    let mut aggregation: Aggregation =
        serde_json::from_value(Value::Object(wrapped)).map_err(|err| {
            RequestError::bad_request(format!("[{es_kind}] aggregation [{name}]: {err}"))
        })?;
    aggregation.sub_aggregation = sub_aggs;
    Ok(aggregation)
}

/// A composite aggregation's sources, each with its field resolved to the store's column
/// (`terms` and `histogram` sources; keyword and number fields).
fn composite_sources(
    name: &str,
    body: &mut Map<String, Value>,
    mapping: &IndexMapping,
) -> Result<(), RequestError> {
    let sources = body
        .get_mut("sources")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| {
            RequestError::bad_request(format!("[composite] [{name}] needs [sources]"))
        })?;
    for source in sources {
        let Some((source_name, spec)) = source.as_object_mut().and_then(|s| s.iter_mut().next())
        else {
            return Err(RequestError::bad_request(format!(
                "[composite] [{name}]: a source must be {{name: {{terms: {{field}}}}}}"
            )));
        };
        let Some((kind, options)) = spec.as_object_mut().and_then(|s| s.iter_mut().next()) else {
            return Err(RequestError::bad_request(format!(
                "[composite] [{name}]: source [{source_name}] names no kind"
            )));
        };
        if kind != "terms" && kind != "histogram" {
            return Err(RequestError::illegal_argument(format!(
                "[composite] [{name}]: [{kind}] sources are not supported by logdash (terms and histogram are)"
            )));
        }
        let field = options
            .get("field")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                RequestError::bad_request(format!(
                    "[composite] [{name}]: source [{source_name}] needs a [field]"
                ))
            })?;
        let target = resolve(mapping, &field);
        // an address's key is not its text: the keys and `after` would not read as addresses
        if let Target::Whole(_, FieldKind::Ip) = target {
            return Err(RequestError::illegal_argument(format!(
                "[composite] [{name}]: a source on the ip field [{field}] is not supported by logdash"
            )));
        }
        let column = column_of(&target, kind, &field)?;
        options["field"] = Value::String(column);
    }
    // Elasticsearch's `after` has plain values; tantivy's says each value's type
    if let Some(Value::Object(after)) = body.get_mut("after") {
        for value in after.values_mut() {
            *value = Value::String(match value {
                Value::String(text) => format!("str:{text}"),
                Value::Bool(flag) => format!("bool:{flag}"),
                Value::Number(n) if n.is_i64() => format!("i64:{n}"),
                Value::Number(n) if n.is_u64() => format!("u64:{n}"),
                Value::Number(n) => format!("f64:{n}"),
                _ => "null:".to_string(),
            });
        }
    }
    Ok(())
}
