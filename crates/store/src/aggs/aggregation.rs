//! One aggregation of a request: checked, rewritten for tantivy, and planned for rendering.

use super::filter::{by_queries, every_event, EsFilter, Filters};
use super::partition::{self, Partition};
use super::place::step_below;
use super::top_hits::{self, Scope, TopHitsSpec};
use super::*;
use super::{
    checks, composite, counts, dates, histogram, missing_flag, missing_term, ranges, terms_order,
    zero_terms,
};
use crate::query::DateFormat;
use logdash_core::time::{AnyZone, Rounding};

/// One aggregation: tantivy's request for it (none when logdash computes it itself) and
/// what its answer needs on the way back.
pub(super) fn one(
    name: &str,
    spec: &Value,
    mapping: &IndexMapping,
    now: EpochMillis,
    place: Place,
    exact: &mut Specs,
    reads: Reads<'_>,
) -> Result<(Option<Aggregation>, Plan), RequestError> {
    let (kind, body, sub) = definition(name, spec)?;
    let sub_level = |place: Place, exact: &mut Specs, reads: Reads<'_>| match sub {
        Some(sub) => level(sub, mapping, now, place, exact, reads),
        None => Ok((Aggregations::default(), Vec::new())),
    };
    match kind {
        "top_hits" => {
            if sub.is_some() {
                return Err(RequestError::bad_request(format!(
                    "Aggregator [{name}] of type [top_hits] cannot accept sub-aggregations"
                )));
            }
            return Ok((None, Plan::TopHits(TopHitsSpec::parse(name, body)?)));
        }
        "filter" | "missing" => {
            // `missing`: the events without a value of the field, as a filter finds them
            let without;
            let body = match kind {
                "missing" => {
                    without = checks::missing(name, body, mapping)?;
                    &without
                }
                _ => body,
            };
            let builder = EsFilter::checked(body, mapping, now)?;
            let place = place.below(Some(by_queries(std::slice::from_ref(&builder))));
            let (sub_aggs, children) = sub_level(place, exact, reads)?;
            let plan = scoped(Plan::Single(children), || Scope::Query(body.clone()));
            return Ok((Some(builder.aggregation(sub_aggs)), plan));
        }
        "filters" => {
            let filters = Filters::parse(name, body)?;
            let builders = filters
                .queries
                .iter()
                .map(|query| EsFilter::checked(query, mapping, now))
                .collect::<Result<Vec<_>, _>>()?;
            let place = place.below(Some(by_queries(&builders)));
            let (sub_aggs, children) = sub_level(place, exact, reads)?;
            let mut buckets = Aggregations::default();
            for (i, builder) in builders.into_iter().enumerate() {
                buckets.insert(i.to_string(), builder.aggregation(sub_aggs.clone()));
            }
            let plan = Plan::Filters {
                keys: filters.keys,
                keyed: filters.keyed,
                named: filters.named,
                children,
            };
            return Ok((Some(every_event(mapping, now, buckets)?), plan));
        }
        _ => {}
    }
    let mut body = body.as_object().cloned().ok_or_else(|| {
        RequestError::bad_request(format!("[{kind}] aggregation [{name}] must be an object"))
    })?;
    checks::metric(name, kind, &body, sub.is_some())?;
    checks::buckets(name, kind, &body)?;
    if kind == "composite" {
        composite::sources(name, &mut body, mapping)?;
        // Elasticsearch's default page
        body.entry("size").or_insert(json!(10));
        let (sub_aggs, children) = sub_level(Place::Deeper, exact, reads)?;
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
    checks::field(name, kind, &field, &target, &body)?;
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
            let mut spec = percentiles::parse(name, kind, &body, column, path)?;
            spec.dates = matches!(
                target,
                Target::Timestamp | Target::Whole(_, FieldKind::Date)
            );
            if spec.dates && kind == "percentile_ranks" {
                return Err(RequestError::illegal_argument(format!(
                    "[percentile_ranks] [{name}] of the date field [{field}] is not supported by logdash"
                )));
            }
            if !spec.dates && date_format.is_some() {
                return Err(RequestError::illegal_argument(format!(
                    "[format] of [{kind}] [{name}] of the date_nanos field [{field}] is not supported by logdash"
                )));
            }
            spec.date_format = date_format;
            exact.percentiles.push(spec);
            return Ok((None, Plan::Percentiles(exact.percentiles.len() - 1)));
        }
        // (tantivy's own sketch is no answer of Elasticsearch's)
        return Err(RequestError::illegal_argument(format!(
            "[{kind}] [{name}] is answered at the top of a request and below date_histogram, terms, histogram, range, filter and filters (without [missing] on a histogram; terms of a keyword, number, date or boolean); logdash does not compute it below other aggregations"
        )));
    }
    // @timestamp's column and a date_nanos field count nanoseconds; a date in `kw` is
    // epoch milliseconds
    let nanos = matches!(target, Target::Whole(_, FieldKind::DateNanos));
    let scale = if target == Target::Timestamp || nanos {
        1e6
    } else {
        1.0
    };
    // a histogram's buckets are sorted when rendered (tantivy's are by key)
    let bucket_order = match kind {
        "histogram" | "date_histogram" => terms_order::histogram(name, kind, &mut body, sub)?,
        _ => None,
    };
    let histogram = match kind {
        "date_histogram" => Some(histogram::counted(
            name,
            &field,
            &target,
            &column,
            scale,
            &mut body,
            now,
            &mut *reads,
        )?),
        _ => None,
    };
    let range_read = match kind {
        "range" | "date_range" => Some(ranges::read(name, kind, &field, &target, &mut body, now)?),
        _ => None,
    };
    missing_flag::read(kind, &target, &mut body);
    // a terms' date missing as its epoch milliseconds, the column's own values: tantivy
    // counts its events in the bucket of that instant (as text it kept them apart), and
    // the collector places them there
    if let ("terms", Target::Whole(_, FieldKind::Date), Some(Value::String(text))) =
        (kind, &target, body.get("missing"))
    {
        let at = DateFormat::Iso.bound(text, now, Rounding::Down, &AnyZone::UTC)?;
        body.insert("missing".into(), json!(at));
    }
    // exact percentiles below this bucket, where the collector can place each event in it
    let children_place = place.below(step_below(
        kind,
        &target,
        &column,
        &body,
        histogram.as_ref().map(|counted| &counted.bucketing),
        range_read.as_ref(),
    ));
    let (sub_aggs, children) = sub_level(children_place, exact, reads)?;
    let mut tantivy_kind = if kind == "date_range" { "range" } else { kind };
    // a boolean's `missing`: its buckets asked for as filters (`missing_flag`)
    let mut flag = None;
    // a terms with min_doc_count 0 and sub-aggregations (`zero_terms`)
    let mut with_empty = false;
    let plan = match kind {
        "date_histogram" => {
            let Some(counted) = histogram else {
                return Err(RequestError::internal(format!(
                    "[date_histogram] [{name}] was not read"
                )));
            };
            tantivy_kind = counted.tantivy_kind;
            Plan::DateHistogram {
                zone: DateWriter {
                    zone: counted.histogram.zone,
                    pattern: counted.histogram.format,
                },
                between_edges: counted.between_edges,
                key_scale: if nanos { scale } else { 1.0 },
                order: bucket_order,
                children,
            }
        }
        "cardinality" => {
            if let Some(counted) =
                counts::in_buckets(name, &mut body, &place, &target, &column, exact)?
            {
                return Ok((None, counted));
            }
            match counts::listed_up_to(name, kind, &mut body, &place, mapping, now)? {
                Some(listed) => return Ok(listed),
                None => Plan::Cardinality,
            }
        }
        "range" | "date_range" => {
            let Some(read) = range_read else {
                return Err(RequestError::internal(format!(
                    "[{kind}] [{name}] was not read"
                )));
            };
            match ranges::counted(
                read,
                &field,
                &target,
                sub_aggs.clone(),
                children,
                mapping,
                now,
            )? {
                ranges::Counted::Filters(aggregation, plan) => {
                    return Ok((Some(*aggregation), plan))
                }
                ranges::Counted::Tantivy(plan) => plan,
            }
        }
        "terms" if body.contains_key("missing") && top_hits::holds(&children) => {
            return Err(RequestError::illegal_argument(format!(
                "top_hits under terms [{name}] with [missing] is not supported by logdash"
            )))
        }
        "terms" => {
            // (read before a partition takes its `include` out)
            let zero_terms = match body.get("min_doc_count").and_then(Value::as_u64) {
                Some(0) => Some(zero_terms::every_term(
                    name,
                    &field,
                    &target,
                    &body,
                    &children,
                    &mut *reads,
                )?),
                _ => None,
            };
            with_empty = zero_terms.as_ref().is_some_and(|zero| zero.with_empty);
            let partition = Partition::take(name, &mut body)?;
            if partition.is_some() {
                partition::check(name, &field, &target, &place)?;
            }
            let missing_term = missing_term::MissingTerm::take(name, &mut body, &target)?;
            flag = missing_flag::take(name, &target, &mut body)?;
            // sorted and cut here as one shard of Elasticsearch does (`terms_order::take`);
            // every term listed for a float, a date_nanos, a partition, a missing value
            // under its stand-in key (which sorts apart from the value's place), or with
            // the terms no event counts
            let every_term = matches!(target, Target::Whole(_, FieldKind::Float))
                || terms_order::nanos_terms(name, &field, &target, &place, &body, &children)?
                || partition.is_some()
                || missing_term.is_some()
                // (the events without a flag are added to its bucket before the cut)
                || flag.is_some()
                // (a counted term past tantivy's cut would be listed at 0)
                || zero_terms.is_some();
            scoped(
                Plan::Buckets {
                    children,
                    keys: match target {
                        Target::Whole(_, FieldKind::Date) | Target::Timestamp => Keys::Dates,
                        Target::Whole(_, FieldKind::Ip) => Keys::Addresses,
                        Target::Whole(_, FieldKind::Float) => Keys::Floats,
                        Target::Whole(_, FieldKind::DateNanos) => Keys::NanosByMillisecond,
                        _ => Keys::AsGiven,
                    },
                    order: Some(terms_order::take(name, &mut body, every_term)?.within(partition)),
                    date_format,
                    bucket_errors: body.get("show_term_doc_count_error") == Some(&json!(true)),
                    missing_term,
                    zero_terms,
                },
                || Scope::Term(field.clone()),
            )
        }
        "histogram" => Plan::Buckets {
            children,
            keys: Keys::AsGiven,
            order: bucket_order,
            date_format: None,
            bucket_errors: false,
            missing_term: None,
            zero_terms: None,
        },
        // a keyword's values are a set a document (Elasticsearch's sorted set): counted as
        // the sum of its terms' counts, which tantivy gives with its first term as the top
        // term's count and the others' sum
        "value_count"
            if matches!(
                target,
                Target::Whole(_, FieldKind::Keyword | FieldKind::Text)
            ) =>
        {
            tantivy_kind = "terms";
            body.insert("size".into(), json!(1));
            body.insert("shard_size".into(), json!(1));
            Plan::CountOfTerms
        }
        "value_count" => Plan::Cardinality,
        _ => Plan::Metric {
            average: kind == "avg",
            date_scale: match (&target, kind) {
                (_, "min" | "max" | "avg" | "sum" | "stats") => match target {
                    Target::Timestamp | Target::Whole(_, FieldKind::DateNanos) => Some(1e6),
                    Target::Whole(_, FieldKind::Date) => Some(1.0),
                    _ => None,
                },
                _ => None,
            },
            date_format,
            sigma: body.get("sigma").and_then(Value::as_f64).unwrap_or(2.0),
        },
    };
    // a terms with min_doc_count 0 answers its buckets of 0 with these, of no events
    let empty_beside = with_empty.then(|| sub_aggs.clone());
    let by_flag = flag.map(|flag| (flag, sub_aggs.clone()));
    // (a boolean's with `missing` too: its own options checked)
    let aggregation = tantivy_aggregation(name, kind, tantivy_kind, body, sub_aggs)?;
    if let Some((flag, sub_aggs)) = by_flag {
        let flags = missing_flag::aggregation(&field, flag, sub_aggs, mapping, now)?;
        return Ok((Some(flags), Plan::MissingFlag(Box::new(plan))));
    }
    if let Some(sub_aggs) = empty_beside {
        let both = zero_terms::with_empty(aggregation, sub_aggs, mapping, now)?;
        return Ok((Some(both), plan));
    }
    Ok((Some(aggregation), plan))
}

/// An aggregation's definition: its kind (one of [`SUPPORTED`]), the kind's body, and its
/// sub-aggregations (`meta` is read by the level above).
fn definition<'v>(
    name: &str,
    spec: &'v Value,
) -> Result<(&'v str, &'v Value, Option<&'v Value>), RequestError> {
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
    // (a top-level one is answered apart: `search::global`)
    if kind == "global" {
        return Err(RequestError::bad_request(format!(
            "Aggregator [{name}] of type [global] cannot be a sub-aggregator"
        )));
    }
    if !SUPPORTED.contains(&kind) {
        return Err(RequestError::bad_request(format!(
            "Unknown aggregation type [{kind}] in [{name}]: logdash supports {}",
            SUPPORTED.join(", ")
        )));
    }
    Ok((kind, body, sub))
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

/// tantivy's aggregation of `kind` (as Elasticsearch's `es_kind` was asked for) with `body`
/// and its sub-aggregations.
pub(super) fn tantivy_aggregation(
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
