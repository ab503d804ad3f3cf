//! `_search`, `_count` and `_msearch`: run a query over the resolved indices and answer
//! with hits (sorted, paged with `from` or `search_after`), totals and aggregations.

use std::cmp::{Ordering, Reverse};
use std::time::Instant;

use serde_json::{json, Map, Value};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, ColumnType, MonotonicallyMappableToU64, StrColumn};
use tantivy::query::{EmptyQuery, Query};
use tantivy::schema::Value as _;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument};

use crate::indices::{self, Indices};
use crate::mapping::limits::Limits;
use crate::mapping::{FieldKind, IndexMapping};
use crate::query::{self, resolve, Context, Target};
use crate::Raised;
use crate::{aggs, RequestError, Store};

mod collector;
mod columns;
mod count;
mod fields;
mod global;
mod msearch;
mod parallel;
mod reader;
mod render;
use render::SortWritten;
mod request;
pub(crate) mod scroll;
mod sort;
pub(crate) mod turns;
mod typed;

use collector::{SortCollector, Sorted};
use logdash_core::es::search::{SearchBody, TrackTotalHits};
use render::Hits;
use sort::{compare_keys, compare_one, DatePattern, ReadAs, SortKey, SortSource, SortValue};

/// The most hits one request may page through (`from + size`), as Elasticsearch's
/// `index.max_result_window`.
pub const MAX_RESULT_WINDOW: usize = 10_000;

impl Store {
    /// `POST /{index}/_search` (an expression alone, or [`Indices`] with its options).
    pub fn search<'a>(
        &self,
        indices: impl Into<Indices<'a>>,
        body: &Value,
    ) -> Result<Value, RequestError> {
        let at = At {
            searcher: self.reader.searcher(),
            now: crate::now_millis(),
        };
        let aggregates = ["aggs", "aggregations"]
            .iter()
            .any(|key| body.get(key).is_some());
        let _turn = (!aggregates).then(|| self.turns.hits());
        self.search_at(&at, indices.into(), body)
    }

    /// A search over one view of the store at one instant (a request's top_hits read
    /// each bucket's events from the view its aggregations counted).
    fn search_at(
        &self,
        at: &At,
        indices: Indices<'_>,
        body: &Value,
    ) -> Result<Value, RequestError> {
        let started = Instant::now();
        // (`global` aggregations are answered by searches of their own)
        let (stripped, globals) = global::split(body)?;
        let body = stripped.as_ref().unwrap_or(body);
        let parsed = SearchBody::parse(body).map_err(RequestError::from);
        if let Err(err) = &parsed {
            if !err.is_shard_failure() {
                return Err(err.clone());
            }
        }
        let searcher = &at.searcher;
        let (targets, mapping, limits) = self.targets(indices)?;
        // (aggregations and sorts read a text field with `fielddata` as its words)
        let values = limits.for_values(&mapping);
        // what fails from here fails on the shards, as Elasticsearch reports it
        let on_shards = |err: RequestError| err.on_shards_of(&self.target_names(&targets));
        // (a query a shard would fail to build fails there, once the indices are known:
        // with none, no shard builds it)
        let mut request = match parsed {
            Err(_) if matches!(targets, Targets::None) => SearchBody::default(),
            parsed => parsed.map_err(on_shards)?,
        };
        // (nor does a sort key fail: no shard binds it, and there is nothing to sort)
        if matches!(targets, Targets::None) {
            request.sort = None;
        }
        request::check_paging(&request).map_err(on_shards)?;
        // each sort key's source, checked now so that a bad key is named, not a failed shard
        let mut formats = Vec::new();
        let mut ips = Vec::new();
        let mut shown_missing = Vec::new();
        let mut single = Vec::new();
        for key in request.sort.iter().flatten() {
            let source = sort::bind(key, &values).map_err(on_shards)?;
            if let SortSource::Column(path, _) = &source {
                limits.check_doc_values(path).map_err(on_shards)?;
            }
            sort::check_mode(key, &source).map_err(on_shards)?;
            single.push(match &source {
                SortSource::Column(path, FieldKind::Float) => !limits.full_precision(path),
                _ => false,
            });
            formats.push(sort::date_format(key, &source).map_err(on_shards)?);
            ips.push(matches!(source, SortSource::Column(_, FieldKind::Ip)));
            let int = matches!(&source, SortSource::Column(path, FieldKind::Long) if limits.sorted_as_int(path));
            shown_missing.push(sort::missing_shown(key, &source, int));
        }
        let mut ctx = self.context(&mapping, &limits);
        ctx.now = at.now;
        // (a filter aggregation's query is built for this check: only when something is limited)
        if let (Some(aggs), false) = (&request.aggs, limits.is_empty()) {
            aggs::check_limits(aggs, &mut ctx).map_err(on_shards)?;
        }
        let within = |query: Box<dyn Query>| match targets {
            Targets::None => Box::new(EmptyQuery) as Box<dyn Query>,
            Targets::All => query,
            Targets::Some(ref names) => query::within_indices(&self.fields, query, names),
        };
        // (no index to search: the query is not read, as no shard reads it there)
        let query = match targets {
            Targets::None => Box::new(EmptyQuery) as Box<dyn Query>,
            _ => within(query::build(&mut ctx, request.query.as_ref()).map_err(on_shards)?),
        };
        // hits (and their total) also match the post filter; aggregations count the query's
        let post_filter = match &request.post_filter {
            Some(filter) => Some(query::build(&mut ctx, Some(filter)).map_err(on_shards)?),
            None => None,
        };
        let hits_query = match &post_filter {
            Some(filter) => query::filtered(query.box_clone(), filter.box_clone()),
            None => query.box_clone(),
        };
        let total = Count;
        let agg_request = match &request.aggs {
            Some(aggs) => {
                let mut reads = columns::ColumnReads {
                    searcher,
                    query: &*query,
                    everything: within(Box::new(tantivy::query::AllQuery)),
                    cores: self.cores(),
                };
                limits
                    .check_filters_beside_fielddata(aggs)
                    .map_err(on_shards)?;
                let aggs = limits.with_date_formats(aggs).map_err(on_shards)?;
                Some(aggs::prepare(&aggs, &values, ctx.now, &mut reads).map_err(on_shards)?)
            }
            None => None,
        };
        let window = request.from + request.size;
        let (aggs, threads) = (request.aggs.as_ref(), self.cores());
        let agg_collector = || {
            agg_request
                .as_ref()
                .map(|prepared| (prepared.collector(), prepared.exact_collector()))
        };
        // (with a post filter, the aggregations read the query's matches on their own)
        let with_hits = if post_filter.is_some() {
            None
        } else {
            agg_collector()
        };
        let (count, hits_part, agg_results) = match &request.sort {
            Some(keys) => {
                let sorter = SortCollector {
                    keys: keys.clone(),
                    limit: window,
                    search_after: request.search_after.clone(),
                    mapping: values.clone().into_owned(),
                    single,
                    missing: shown_missing.clone(),
                    scores: request.track_scores,
                };
                let (count, sorted, agg) = parallel::search(
                    searcher,
                    &*hits_query,
                    &(total, sorter, with_hits),
                    aggs,
                    threads,
                )
                .map_err(|err| search_failed(&err))?;
                (count, Hits::Sorted(sorted), agg)
            }
            // no hits asked for (the panels): no scores to compute for every match
            None if window == 0 => {
                let (count, agg) =
                    parallel::search(searcher, &*hits_query, &(total, with_hits), aggs, threads)
                        .map_err(|err| search_failed(&err))?;
                (count, Hits::Scored(Vec::new()), agg)
            }
            None => {
                // equal scores in indexing order, as Elasticsearch's `_doc` breaks ties
                let top = TopDocs::with_limit(window).tweak_score(|segment: &SegmentReader| {
                    let seq = sequence_column(segment);
                    move |doc: DocId, score: Score| {
                        (score, Reverse(seq.as_ref().and_then(|c| c.first(doc))))
                    }
                });
                let (count, top, agg) = parallel::search(
                    searcher,
                    &*hits_query,
                    &(total, top, with_hits),
                    aggs,
                    threads,
                )
                .map_err(|err| search_failed(&err))?;
                let top = top
                    .into_iter()
                    .map(|((score, _), address)| (score, address))
                    .collect();
                (count, Hits::Scored(top), agg)
            }
        };
        // what the aggregations counted (a top-level top_hits' total): the query's matches
        let (agg_results, aggregated) = match post_filter {
            Some(_) if agg_request.is_some() => {
                let (aggregated, results) =
                    parallel::search(searcher, &*query, &(Count, agg_collector()), aggs, threads)
                        .map_err(|err| search_failed(&err))?;
                (results, aggregated)
            }
            _ => (agg_results, count),
        };
        let written = SortWritten {
            formats: &formats,
            ips: &ips,
            missing: &shown_missing,
        };
        let wanted = match &request.fields {
            Some(requests) => Some(fields::Wanted::check(requests, &mapping).map_err(on_shards)?),
            None => None,
        };
        let hits = self
            .render_hits(searcher, hits_part, &request, &written, wanted)
            .map_err(on_shards)?;
        let mut response = json!({
            "took": started.elapsed().as_millis() as u64,
            "timed_out": false,
            "_shards": shards(&targets),
            "hits": hits,
        });
        if let Some(total) = request.track_total_hits.render(count) {
            response["hits"]["total"] = total;
        }
        // Elasticsearch counts such a search without collecting hits, and says so
        let counted_only = request.size == 0
            && request.track_total_hits == TrackTotalHits::Exact
            && request.aggs.is_none()
            && globals.is_empty();
        if counted_only && !matches!(targets, Targets::None) {
            response["terminated_early"] = json!(false);
        }
        // no shard searched: Elasticsearch has no aggregations to reduce, and leaves them out
        let searched = !matches!(targets, Targets::None);
        if let (Some(prepared), Some((results, percentiles)), true) =
            (agg_request, agg_results, searched)
        {
            let mut aggregations = prepared.render(results, percentiles).map_err(on_shards)?;
            if prepared.has_top_hits() {
                self.read_top_hits(&prepared, &mut aggregations, at, indices, body, aggregated)
                    .map_err(on_shards)?;
            }
            response["aggregations"] = aggregations;
        }
        if searched && !globals.is_empty() {
            let mut answers = Map::new();
            for global in &globals {
                answers.insert(global.name().to_string(), self.global(at, indices, global)?);
            }
            match response
                .get_mut("aggregations")
                .and_then(Value::as_object_mut)
            {
                Some(aggregations) => aggregations.extend(answers),
                None => response["aggregations"] = Value::Object(answers),
            }
        }
        Ok(response)
    }

    /// The events of every top_hits, each bucket's by a search of its own (at most
    /// `aggs::MAX_SEARCHES` of them).
    fn read_top_hits(
        &self,
        prepared: &aggs::Prepared,
        aggregations: &mut Value,
        at: &At,
        indices: Indices<'_>,
        body: &Value,
        total: usize,
    ) -> Result<(), RequestError> {
        let query = body.get("query");
        let mut searches = 0;
        prepared.fill_top_hits(aggregations, total as u64, &mut |spec, filters, in_bucket| {
            searches += 1;
            if searches > aggs::MAX_SEARCHES {
                return Err(RequestError::illegal_argument(format!(
                    "top_hits in more than {} buckets is not supported by logdash: ask for fewer buckets",
                    aggs::MAX_SEARCHES
                )));
            }
            let answer = self.search_at(at, indices, &spec.search_body(query, filters))?;
            let mut hits = answer["hits"].clone();
            hits["total"] = json!({"value": in_bucket, "relation": "eq"});
            Ok(hits)
        })
    }

    fn context<'a>(&'a self, mapping: &'a IndexMapping, limits: &'a Limits) -> Context<'a> {
        Context {
            fields: &self.fields,
            mapping,
            limits,
            now: crate::now_millis(),
            analyzer: self
                .index
                .tokenizers()
                .get(crate::schema::TEXT_TOKENIZER)
                .unwrap_or_default(),
        }
    }

    /// The index whose shard a failure is reported on: the first the search covers.
    /// The indices a search reads (where its shards fail, as Elasticsearch reports it).
    fn target_names(&self, targets: &Targets) -> Vec<String> {
        match targets {
            Targets::Some(names) => names.clone(),
            Targets::All => self.index_names(),
            Targets::None => Vec::new(),
        }
    }

    /// Resolves an index expression and merges the chosen indices' mappings, and what
    /// their explicit mappings take away from searching and aggregating.
    pub(crate) fn targets(
        &self,
        indices: Indices<'_>,
    ) -> Result<(Targets, IndexMapping, Limits), RequestError> {
        let all = self.index_names();
        let chosen = indices::resolve_with(indices, &all)?;
        let mut mapping = IndexMapping::new();
        let mut limits = Limits::default();
        if let Ok(mappings) = self.mappings.read() {
            for name in &chosen {
                for (field, kind) in mappings.get(name).into_iter().flatten() {
                    mapping.entry(field.clone()).or_insert(*kind);
                }
            }
            if let Ok(explicit) = self.explicit.read() {
                if !explicit.is_empty() {
                    let of = |name: &String| (explicit.get(name), mappings.get(name));
                    limits = Limits::of(chosen.iter().map(of));
                }
            }
        }
        let targets = if chosen.is_empty() {
            Targets::None
        } else if chosen.len() == all.len() {
            Targets::All
        } else {
            Targets::Some(chosen)
        };
        Ok((targets, mapping, limits))
    }
}

/// The `_shards` of an answer: the store's one shard, or none when the index expression
/// matched no index (as Elasticsearch answers, and how a client tells "no such index" from
/// "no such event").
fn shards(targets: &Targets) -> Value {
    let total = u64::from(!matches!(targets, Targets::None));
    json!({"total": total, "successful": total, "skipped": 0, "failed": 0})
}

pub(crate) enum Targets {
    None,
    All,
    Some(Vec<String>),
}

/// The store as a request sees it: one searcher, one instant for date math.
struct At {
    searcher: Searcher,
    now: logdash_core::time::EpochMillis,
}

/// A segment's indexing order (`schema::SEQ`); `None` in stores written before it.
pub(super) fn sequence_column(segment: &SegmentReader) -> Option<Column<u64>> {
    segment.fast_fields().u64(crate::schema::SEQ).ok()
}

fn search_failed(err: &tantivy::TantivyError) -> RequestError {
    RequestError {
        status: 400,
        kind: "search_phase_execution_exception",
        reason: format!("all shards failed: {err}"),
        raised: Raised::Anywhere,
    }
}

#[cfg(test)]
mod tests;
