//! `_search`, `_count` and `_msearch`: run a query over the resolved indices and answer
//! with hits (sorted, paged with `from` or `search_after`), totals and aggregations.

use std::cmp::Ordering;
use std::time::Instant;

use serde_json::{json, Map, Value};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::{Column, ColumnType, MonotonicallyMappableToU64, StrColumn};
use tantivy::query::{EmptyQuery, Query};
use tantivy::schema::Value as _;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument};

use crate::mapping::{FieldKind, IndexMapping};
use crate::query::{self, resolve, Context, Target};
use crate::Raised;
use crate::{aggs, indices, RequestError, Store};

/// The most hits one request may page through (`from + size`), as Elasticsearch's
/// `index.max_result_window`.
pub const MAX_RESULT_WINDOW: usize = 10_000;

/// Body keys logdash reads; the rest of Elasticsearch's search body is refused by name.
const ACCEPTED_AND_IGNORED: &[&str] = &[
    "timeout",
    "highlight",
    "version",
    "seq_no_primary_term",
    "stored_fields",
    "track_scores",
];

impl Store {
    /// `POST /{index}/_search`.
    pub fn search(&self, index_expression: &str, body: &Value) -> Result<Value, RequestError> {
        let started = Instant::now();
        let request = SearchRequest::parse(body)?;
        let searcher = self.reader.searcher();
        let (targets, mapping) = self.targets(index_expression)?;
        // what fails from here fails on the shards, as Elasticsearch reports it
        let on_shards = |err: RequestError| err.on_shards_of(&self.first_index(&targets));
        request.check_paging().map_err(on_shards)?;
        let mut ctx = self.context(&mapping);
        let query = match targets {
            Targets::None => Box::new(EmptyQuery) as Box<dyn Query>,
            Targets::All => query::build(&mut ctx, request.query.as_ref()).map_err(on_shards)?,
            Targets::Some(ref names) => query::within_indices(
                &self.fields,
                query::build(&mut ctx, request.query.as_ref()).map_err(on_shards)?,
                names,
            ),
        };
        let total = Count;
        let agg_request = match &request.aggs {
            Some(aggs) => {
                let mut bounds = |column: &str| aggs::column_bounds(&searcher, &*query, column);
                Some(aggs::prepare(aggs, &mapping, ctx.now, &mut bounds).map_err(on_shards)?)
            }
            None => None,
        };
        let window = request.from + request.size;
        let (count, hits_part, agg_results) = match &request.sort {
            Some(keys) => {
                let sorter = SortCollector {
                    keys: keys.clone(),
                    limit: window,
                    search_after: request.search_after.clone(),
                    mapping: mapping.clone(),
                };
                let agg_collector = agg_request
                    .as_ref()
                    .map(|prepared| (prepared.collector(), prepared.percentiles_collector()));
                let (count, sorted, agg) = searcher
                    .search(&*query, &(total, sorter, agg_collector))
                    .map_err(|err| search_failed(&err))?;
                (count, Hits::Sorted(sorted), agg)
            }
            // no hits asked for (the panels): no scores to compute for every match
            None if window == 0 => {
                let agg_collector = agg_request
                    .as_ref()
                    .map(|prepared| (prepared.collector(), prepared.percentiles_collector()));
                let (count, agg) = searcher
                    .search(&*query, &(total, agg_collector))
                    .map_err(|err| search_failed(&err))?;
                (count, Hits::Scored(Vec::new()), agg)
            }
            None => {
                let top = TopDocs::with_limit(window).order_by_score();
                let agg_collector = agg_request
                    .as_ref()
                    .map(|prepared| (prepared.collector(), prepared.percentiles_collector()));
                let (count, top, agg) = searcher
                    .search(&*query, &(total, top, agg_collector))
                    .map_err(|err| search_failed(&err))?;
                (count, Hits::Scored(top), agg)
            }
        };
        let hits = self.render_hits(&searcher, hits_part, &request)?;
        let mut response = json!({
            "took": started.elapsed().as_millis() as u64,
            "timed_out": false,
            "_shards": shards(&targets),
            "hits": hits,
        });
        if let Some(total) = request.track_total_hits.render(count) {
            response["hits"]["total"] = total;
        }
        if let (Some(prepared), Some((results, percentiles))) = (agg_request, agg_results) {
            response["aggregations"] = prepared.render(results, percentiles)?;
        }
        Ok(response)
    }

    /// `POST /{index}/_count`.
    pub fn count(&self, index_expression: &str, body: &Value) -> Result<Value, RequestError> {
        if let Some(object) = body.as_object() {
            if let Some(key) = object.keys().find(|key| *key != "query") {
                return Err(RequestError::bad_request(format!(
                    "request does not support [{key}]"
                )));
            }
        }
        let wanted = query::parse(body.get("query"))?;
        let searcher = self.reader.searcher();
        let (targets, mapping) = self.targets(index_expression)?;
        let on_shards = |err: RequestError| err.on_shards_of(&self.first_index(&targets));
        let mut ctx = self.context(&mapping);
        let count = match targets {
            Targets::None => 0,
            Targets::All => searcher
                .search(
                    &*query::build(&mut ctx, wanted.as_ref()).map_err(on_shards)?,
                    &Count,
                )
                .map_err(|e| search_failed(&e))?,
            Targets::Some(ref names) => {
                let query = query::within_indices(
                    &self.fields,
                    query::build(&mut ctx, wanted.as_ref()).map_err(on_shards)?,
                    names,
                );
                searcher
                    .search(&*query, &Count)
                    .map_err(|e| search_failed(&e))?
            }
        };
        Ok(json!({"count": count, "_shards": shards(&targets)}))
    }

    /// `POST /_msearch` (or `/{index}/_msearch`): header and body lines; each search
    /// succeeds or fails on its own.
    pub fn msearch(&self, default_index: Option<&str>, body: &[u8]) -> Result<Value, RequestError> {
        let started = Instant::now();
        let mut lines = body
            .split(|&b| b == b'\n')
            .filter(|line| !line.iter().all(u8::is_ascii_whitespace));
        let mut responses = Vec::new();
        let mut number = 0;
        while let Some(header) = lines.next() {
            number += 1;
            let header: Value = serde_json::from_slice(header).map_err(|err| {
                RequestError::bad_request(format!(
                    "_msearch header on line [{number}] is not JSON: {err}"
                ))
            })?;
            let search_body = lines.next().ok_or_else(|| {
                RequestError::bad_request(format!(
                    "_msearch header on line [{number}] has no search body after it"
                ))
            })?;
            number += 1;
            let result = serde_json::from_slice::<Value>(search_body)
                .map_err(|err| {
                    RequestError::bad_request(format!(
                        "_msearch body on line [{number}] is not JSON: {err}"
                    ))
                })
                .and_then(|search_body| {
                    let index = msearch_index(&header, default_index)?;
                    self.search(&index, &search_body)
                });
            responses.push(match result {
                Ok(mut response) => {
                    response["status"] = json!(200);
                    response
                }
                Err(err) => {
                    let mut body = serde_json::to_value(err.body()).unwrap_or_default();
                    body["status"] = json!(err.status);
                    body
                }
            });
        }
        Ok(json!({"took": started.elapsed().as_millis() as u64, "responses": responses}))
    }

    fn context<'a>(&'a self, mapping: &'a IndexMapping) -> Context<'a> {
        Context {
            fields: &self.fields,
            mapping,
            now: crate::now_millis(),
            analyzer: self
                .index
                .tokenizers()
                .get(crate::schema::TEXT_TOKENIZER)
                .unwrap_or_default(),
        }
    }

    /// The index whose shard a failure is reported on: the first the search covers.
    fn first_index(&self, targets: &Targets) -> String {
        match targets {
            Targets::Some(names) => names.first().cloned().unwrap_or_default(),
            _ => self.index_names().into_iter().next().unwrap_or_default(),
        }
    }

    /// Resolves an index expression and merges the chosen indices' mappings.
    pub(crate) fn targets(
        &self,
        expression: &str,
    ) -> Result<(Targets, IndexMapping), RequestError> {
        let all = self.index_names();
        let chosen = indices::resolve(expression, &all)?;
        let mut mapping = IndexMapping::new();
        if let Ok(mappings) = self.mappings.read() {
            for name in &chosen {
                for (field, kind) in mappings.get(name).into_iter().flatten() {
                    mapping.entry(field.clone()).or_insert(*kind);
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
        Ok((targets, mapping))
    }

    fn render_hits(
        &self,
        searcher: &Searcher,
        hits: Hits,
        request: &SearchRequest,
    ) -> Result<Value, RequestError> {
        let (max_score, rows): (Option<f32>, Vec<HitRow>) = match hits {
            Hits::Scored(top) => (
                top.first().map(|(score, _)| *score),
                top.into_iter()
                    .map(|(score, address)| (address, Some(score), None))
                    .collect(),
            ),
            Hits::Sorted(sorted) => (
                None,
                sorted
                    .into_iter()
                    .map(|hit| (hit.address, None, Some(hit.values)))
                    .collect(),
            ),
        };
        let mut out = Vec::new();
        for (address, score, sort) in rows.into_iter().skip(request.from).take(request.size) {
            let doc: TantivyDocument = searcher.doc(address).map_err(|err| {
                RequestError::internal(format!("cannot read a stored event: {err}"))
            })?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            let source: Value = doc
                .get_first(self.fields.source)
                .and_then(|v| {
                    v.as_bytes()
                        .map(|b| serde_json::from_slice(b).unwrap_or(Value::Null))
                })
                .unwrap_or(Value::Null);
            let mut hit = json!({
                "_index": text(self.fields.index),
                "_id": text(self.fields.id),
                "_score": score,
            });
            if let Some(source) = request.source.apply(source) {
                hit["_source"] = source;
            }
            if let Some(sort) = sort {
                hit["sort"] = Value::Array(sort);
            } else if let (true, Some(score)) = (request.sort_by_score, score) {
                hit["sort"] = json!([score]);
            }
            out.push(hit);
        }
        Ok(json!({"max_score": max_score, "hits": out}))
    }
}

/// The `_shards` of an answer: the store's one shard, or none when the index expression
/// matched no index (as Elasticsearch answers, and how a client tells "no such index" from
/// "no such event").
fn shards(targets: &Targets) -> Value {
    let total = u64::from(!matches!(targets, Targets::None));
    json!({"total": total, "successful": total, "skipped": 0, "failed": 0})
}

/// One hit to render: where it is, its score (scored searches) or sort values (sorted ones).
type HitRow = (DocAddress, Option<f32>, Option<Vec<Value>>);

pub(crate) enum Targets {
    None,
    All,
    Some(Vec<String>),
}

enum Hits {
    Scored(Vec<(Score, DocAddress)>),
    Sorted(Vec<SortedHit>),
}

fn search_failed(err: &tantivy::TantivyError) -> RequestError {
    RequestError {
        status: 400,
        kind: "search_phase_execution_exception",
        reason: format!("all shards failed: {err}"),
        raised: Raised::Anywhere,
    }
}

fn msearch_index(header: &Value, default_index: Option<&str>) -> Result<String, RequestError> {
    match header.get("index") {
        Some(Value::String(index)) => Ok(index.clone()),
        Some(Value::Array(names)) => Ok(names
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(",")),
        None => Ok(default_index.unwrap_or("_all").to_string()),
        Some(other) => Err(RequestError::bad_request(format!(
            "_msearch header [index] must be a string or an array, not {other}"
        ))),
    }
}

/// A search body, checked.
struct SearchRequest {
    query: Option<logdash_core::es::query::Query>,
    size: usize,
    from: usize,
    sort: Option<Vec<SortKey>>,
    search_after: Option<Vec<Value>>,
    source: SourceFilter,
    track_total_hits: TrackTotalHits,
    aggs: Option<Value>,
    /// `"sort": ["_score"]`: the scored search, each hit with its score as its sort value.
    sort_by_score: bool,
}

impl SearchRequest {
    fn parse(body: &Value) -> Result<Self, RequestError> {
        let empty = Map::new();
        let object = match body {
            Value::Object(object) => object,
            Value::Null => &empty,
            _ => {
                return Err(RequestError::bad_request(
                    "the search body must be a JSON object",
                ))
            }
        };
        let mut request = SearchRequest {
            query: None,
            size: 10,
            from: 0,
            sort: None,
            search_after: None,
            source: SourceFilter::All,
            track_total_hits: TrackTotalHits::UpTo(10_000),
            aggs: None,
            sort_by_score: false,
        };
        for (key, value) in object {
            match key.as_str() {
                "query" => request.query = query::parse(Some(value))?,
                "size" => request.size = whole_number("size", value)?,
                "from" => request.from = whole_number("from", value)?,
                "sort" => request.sort = Some(SortKey::parse_all(value)?),
                "search_after" => {
                    request.search_after = Some(value.as_array().cloned().ok_or_else(|| RequestError::bad_request("[search_after] must be an array"))?)
                }
                "_source" => request.source = SourceFilter::parse(value)?,
                "track_total_hits" => request.track_total_hits = TrackTotalHits::parse(value)?,
                "aggs" | "aggregations" => request.aggs = Some(value.clone()),
                key if ACCEPTED_AND_IGNORED.contains(&key) => {}
                other => {
                    return Err(RequestError::bad_request(format!(
                        "search body key [{other}] is not supported by logdash (see DESIGN.md, \"The Elasticsearch subset\")"
                    )))
                }
            }
        }
        // sorting by score alone is the scored path
        if request
            .sort
            .as_ref()
            .is_some_and(|keys| keys.iter().all(|k| k.field == "_score" && k.descending))
            && request.search_after.is_none()
        {
            request.sort = None;
            request.sort_by_score = true;
        }
        Ok(request)
    }

    /// `from`, `size` and `search_after` together, as Elasticsearch checks them on the shards.
    fn check_paging(&self) -> Result<(), RequestError> {
        let request = self;
        if request.from + request.size > MAX_RESULT_WINDOW {
            return Err(RequestError::illegal_argument(format!(
                "Result window is too large, from + size must be less than or equal to: [{MAX_RESULT_WINDOW}] but was [{}]",
                request.from + request.size
            )));
        }
        if let (Some(after), sort) = (&request.search_after, &request.sort) {
            let keys = sort.as_ref().map_or(0, Vec::len);
            if keys == 0 {
                return Err(RequestError::illegal_argument(
                    "[search_after] needs a [sort]",
                ));
            }
            if after.len() != keys {
                return Err(RequestError::illegal_argument(format!(
                    "search_after has {} value(s) but sort has {keys}",
                    after.len()
                )));
            }
            if request.from > 0 {
                return Err(RequestError::illegal_argument(
                    "[from] parameter must be set to 0 when [search_after] is used",
                ));
            }
        }
        Ok(())
    }
}

fn whole_number(name: &str, value: &Value) -> Result<usize, RequestError> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .map(|n| n as usize)
        .ok_or_else(|| {
            RequestError::bad_request(format!(
                "[{name}] must be a non-negative whole number, not {value}"
            ))
        })
}

#[derive(Debug, Clone, Copy)]
enum TrackTotalHits {
    Off,
    Exact,
    UpTo(u64),
}

impl TrackTotalHits {
    fn parse(value: &Value) -> Result<Self, RequestError> {
        match value {
            Value::Bool(true) => Ok(Self::Exact),
            Value::Bool(false) => Ok(Self::Off),
            Value::Number(n) => n.as_u64().map(Self::UpTo).ok_or_else(|| {
                RequestError::bad_request("[track_total_hits] must be true, false or a count")
            }),
            _ => Err(RequestError::bad_request(
                "[track_total_hits] must be true, false or a count",
            )),
        }
    }

    fn render(self, count: usize) -> Option<Value> {
        let count = count as u64;
        match self {
            Self::Off => None,
            Self::Exact => Some(json!({"value": count, "relation": "eq"})),
            Self::UpTo(limit) if count > limit => Some(json!({"value": limit, "relation": "gte"})),
            Self::UpTo(_) => Some(json!({"value": count, "relation": "eq"})),
        }
    }
}

/// `_source`: everything, nothing, or fields chosen by pattern.
#[derive(Debug, Clone)]
enum SourceFilter {
    All,
    None,
    Some {
        includes: Vec<String>,
        excludes: Vec<String>,
    },
}

impl SourceFilter {
    fn parse(value: &Value) -> Result<Self, RequestError> {
        let list = |value: Option<&Value>| -> Result<Vec<String>, RequestError> {
            match value {
                None => Ok(Vec::new()),
                Some(Value::String(s)) => Ok(vec![s.clone()]),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|item| {
                        item.as_str().map(str::to_string).ok_or_else(|| {
                            RequestError::bad_request("[_source] patterns must be strings")
                        })
                    })
                    .collect(),
                Some(_) => Err(RequestError::bad_request(
                    "[_source] patterns must be strings",
                )),
            }
        };
        match value {
            Value::Bool(true) => Ok(Self::All),
            Value::Bool(false) => Ok(Self::None),
            Value::String(_) | Value::Array(_) => Ok(Self::Some {
                includes: list(Some(value))?,
                excludes: Vec::new(),
            }),
            Value::Object(object) => Ok(Self::Some {
                includes: list(object.get("includes").or_else(|| object.get("include")))?,
                excludes: list(object.get("excludes").or_else(|| object.get("exclude")))?,
            }),
            _ => Err(RequestError::bad_request(
                "[_source] must be a boolean, a pattern, a list or {includes, excludes}",
            )),
        }
    }

    fn apply(&self, source: Value) -> Option<Value> {
        match self {
            Self::All => Some(source),
            Self::None => None,
            Self::Some { includes, excludes } => {
                let Value::Object(object) = source else {
                    return Some(source);
                };
                Some(Value::Object(filter_object(object, "", includes, excludes)))
            }
        }
    }
}

fn filter_object(
    object: Map<String, Value>,
    prefix: &str,
    includes: &[String],
    excludes: &[String],
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in object {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if excludes.iter().any(|p| indices::matches(p, &path)) {
            continue;
        }
        let included = includes.is_empty() || includes.iter().any(|p| indices::matches(p, &path));
        match value {
            Value::Object(inner) if !included => {
                // an include may name a field inside this object
                let under = format!("{path}.");
                if includes
                    .iter()
                    .any(|p| p.starts_with(&under) || p.starts_with('*'))
                {
                    let kept = filter_object(inner, &path, includes, excludes);
                    if !kept.is_empty() {
                        out.insert(key, Value::Object(kept));
                    }
                }
            }
            Value::Object(inner) => {
                out.insert(
                    key,
                    Value::Object(filter_object(inner, &path, &[], excludes)),
                );
            }
            value if included => {
                out.insert(key, value);
            }
            _ => {}
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum SortSource {
    Score,
    Doc,
    Timestamp,
    /// A whole-value column of `kw`.
    Column(String, FieldKind),
    /// A field no index has: every event is "missing" it.
    Unmapped,
}

#[derive(Debug, Clone)]
struct SortKey {
    field: String,
    descending: bool,
    missing_first: bool,
}

impl SortKey {
    fn parse_all(value: &Value) -> Result<Vec<SortKey>, RequestError> {
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        items.into_iter().map(SortKey::parse).collect()
    }

    fn parse(value: &Value) -> Result<SortKey, RequestError> {
        let (field, spec) = match value {
            Value::String(field) => (field.clone(), None),
            Value::Object(object) if object.len() == 1 => {
                let (field, spec) = object
                    .iter()
                    .next()
                    .map(|(k, v)| (k.clone(), Some(v)))
                    .unwrap_or_default();
                (field, spec)
            }
            _ => {
                return Err(RequestError::bad_request(format!(
                    "[sort] entries must be a field name or {{field: order}}, not {value}"
                )))
            }
        };
        let mut descending = field == "_score";
        let mut missing_first = false;
        match spec {
            None => {}
            Some(Value::String(order)) => descending = parse_order(order)?,
            Some(Value::Object(options)) => {
                for (key, value) in options {
                    match key.as_str() {
                        "order" => descending = parse_order(value.as_str().unwrap_or_default())?,
                        "missing" => missing_first = value.as_str() == Some("_first"),
                        "unmapped_type" | "format" | "numeric_type" => {}
                        other => {
                            return Err(RequestError::bad_request(format!(
                                "[sort] option [{other}] is not supported"
                            )))
                        }
                    }
                }
            }
            Some(other) => {
                return Err(RequestError::bad_request(format!(
                    "[sort] order for [{field}] must be \"asc\" or \"desc\", not {other}"
                )))
            }
        }
        Ok(SortKey {
            field,
            descending,
            missing_first,
        })
    }

    fn bind(&self, mapping: &IndexMapping) -> Result<SortSource, RequestError> {
        Ok(match self.field.as_str() {
            "_score" => SortSource::Score,
            "_doc" => SortSource::Doc,
            field => match resolve(mapping, field) {
                Target::Timestamp => SortSource::Timestamp,
                Target::Whole(path, kind) => SortSource::Column(path, kind),
                Target::Unmapped(_) => SortSource::Unmapped,
                Target::Text(path) => {
                    return Err(RequestError::illegal_argument(format!(
                        "Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead: [{path}.keyword]"
                    )))
                }
                Target::Index | Target::Id => {
                    return Err(RequestError::illegal_argument(format!(
                        "sorting on [{field}] is not supported; sort on @timestamp with a unique event field as the tiebreaker"
                    )))
                }
            },
        })
    }
}

fn parse_order(order: &str) -> Result<bool, RequestError> {
    match order {
        "asc" => Ok(false),
        "desc" => Ok(true),
        other => Err(RequestError::bad_request(format!(
            "[sort] order must be \"asc\" or \"desc\", not [{other}]"
        ))),
    }
}

/// One sort key's value for one event.
#[derive(Debug, Clone, PartialEq)]
enum SortValue {
    Missing,
    Int(i64),
    Float(f64),
    Text(String),
}

impl SortValue {
    fn to_json(&self) -> Value {
        match self {
            SortValue::Missing => Value::Null,
            SortValue::Int(i) => json!(i),
            SortValue::Float(f) => json!(f),
            SortValue::Text(s) => json!(s),
        }
    }

    /// A `search_after` value: a date key takes a date as text too, as Elasticsearch does.
    fn after(value: &Value, date: bool) -> SortValue {
        match (value, date) {
            (Value::String(text), true) => text
                .parse::<i64>()
                .ok()
                .or_else(|| logdash_core::time::parse_iso8601(text))
                .map_or(SortValue::Missing, SortValue::Int),
            _ => SortValue::from_json(value),
        }
    }

    fn from_json(value: &Value) -> SortValue {
        match value {
            Value::Number(n) => n.as_i64().map_or_else(
                || SortValue::Float(n.as_f64().unwrap_or_default()),
                SortValue::Int,
            ),
            Value::String(s) => SortValue::Text(s.clone()),
            _ => SortValue::Missing,
        }
    }

    /// Natural order of two present values (numbers compare across int/float).
    fn cmp_present(&self, other: &SortValue) -> Ordering {
        match (self, other) {
            (SortValue::Int(a), SortValue::Int(b)) => a.cmp(b),
            (SortValue::Text(a), SortValue::Text(b)) => a.cmp(b),
            (a, b) => a
                .as_f64()
                .partial_cmp(&b.as_f64())
                .unwrap_or(Ordering::Equal),
        }
    }

    fn as_f64(&self) -> f64 {
        match self {
            SortValue::Int(i) => *i as f64,
            SortValue::Float(f) => *f,
            _ => f64::NAN,
        }
    }
}

fn compare_keys(keys: &[SortKey], a: &[SortValue], b: &[SortValue]) -> Ordering {
    keys.iter()
        .zip(a.iter().zip(b))
        .map(|(key, (x, y))| compare_one(key, x, y))
        .find(|ordering| *ordering != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

/// Order of two values of one sort key: `Less` means `x` comes first.
fn compare_one(key: &SortKey, x: &SortValue, y: &SortValue) -> Ordering {
    match (x, y) {
        (SortValue::Missing, SortValue::Missing) => Ordering::Equal,
        // missing values go last (or first) whatever the order
        (SortValue::Missing, _) => {
            if key.missing_first {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (_, SortValue::Missing) => {
            if key.missing_first {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (x, y) if key.descending => y.cmp_present(x),
        (x, y) => x.cmp_present(y),
    }
}

struct SortCollector {
    keys: Vec<SortKey>,
    limit: usize,
    search_after: Option<Vec<Value>>,
    mapping: IndexMapping,
}

#[derive(Debug)]
struct SortedHit {
    address: DocAddress,
    values: Vec<Value>,
}

enum Reader {
    Timestamp(Column<tantivy::DateTime>),
    Number(Column<u64>, ColumnType),
    Text(StrColumn),
    Doc(SegmentOrdinal),
    Missing,
}

impl Reader {
    fn value(&self, doc: DocId) -> SortValue {
        match self {
            Reader::Timestamp(column) => column.first(doc).map_or(SortValue::Missing, |d| {
                SortValue::Int(d.into_timestamp_millis())
            }),
            Reader::Number(column, kind) => match (column.first(doc), kind) {
                (None, _) => SortValue::Missing,
                (Some(raw), ColumnType::I64) => SortValue::Int(i64::from_u64(raw)),
                (Some(raw), ColumnType::U64) => SortValue::Int(raw.min(i64::MAX as u64) as i64),
                (Some(raw), ColumnType::Bool) => SortValue::Int(i64::from(bool::from_u64(raw))),
                (Some(raw), _) => SortValue::Float(f64::from_u64(raw)),
            },
            Reader::Text(column) => {
                let mut text = String::new();
                match column.term_ords(doc).next() {
                    Some(ord) if column.ord_to_str(ord, &mut text).unwrap_or(false) => {
                        SortValue::Text(text)
                    }
                    _ => SortValue::Missing,
                }
            }
            Reader::Doc(segment) => SortValue::Int((i64::from(*segment) << 32) | i64::from(doc)),
            Reader::Missing => SortValue::Missing,
        }
    }
}

/// Keeps, per segment, the events whose first sort key can still place them among the
/// best `limit` (ties included); the other keys, which may need a string lookup, are read
/// only for those few at the end.
struct SortSegmentCollector {
    readers: Vec<Reader>,
    keys: Vec<SortKey>,
    after: Option<Vec<SortValue>>,
    limit: usize,
    segment: SegmentOrdinal,
    candidates: Vec<(SortValue, DocId)>,
    /// The first-key value of the `limit`-th best candidate at the last pruning.
    threshold: Option<SortValue>,
    prune_at: usize,
}

impl SortSegmentCollector {
    /// Drops the candidates that `limit` others beat on the first key.
    fn prune(&mut self) {
        let key = &self.keys[0];
        if self.candidates.len() > self.limit {
            self.candidates
                .select_nth_unstable_by(self.limit - 1, |a, b| compare_one(key, &a.0, &b.0));
            let threshold = self.candidates[self.limit - 1].0.clone();
            self.candidates
                .retain(|(value, _)| compare_one(key, value, &threshold) != Ordering::Greater);
            self.threshold = Some(threshold);
        }
        self.prune_at = (self.candidates.len() * 2).max(4 * self.limit).max(4096);
    }
}

impl Collector for SortCollector {
    type Fruit = Vec<SortedHit>;
    type Child = SortSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let mut readers = Vec::new();
        let mut dates = Vec::new();
        for key in &self.keys {
            let source = key
                .bind(&self.mapping)
                .map_err(|err| tantivy::TantivyError::InvalidArgument(err.reason))?;
            dates.push(matches!(
                source,
                SortSource::Timestamp | SortSource::Column(_, FieldKind::Date)
            ));
            let fast = reader.fast_fields();
            readers.push(match &source {
                SortSource::Timestamp => Reader::Timestamp(fast.date("ts")?),
                SortSource::Doc => Reader::Doc(segment),
                SortSource::Column(path, FieldKind::Text) => fast
                    .str(&format!("kw.{path}"))?
                    .map_or(Reader::Missing, Reader::Text),
                SortSource::Column(path, _) => fast
                    .u64_lenient_for_type(
                        Some(&[
                            ColumnType::I64,
                            ColumnType::U64,
                            ColumnType::F64,
                            ColumnType::Bool,
                        ]),
                        &format!("kw.{path}"),
                    )?
                    .map_or(Reader::Missing, |(column, kind)| {
                        Reader::Number(column, kind)
                    }),
                SortSource::Score => {
                    return Err(tantivy::TantivyError::InvalidArgument(
                        "[_score] can only be the only sort key in logdash".into(),
                    ))
                }
                SortSource::Unmapped => Reader::Missing,
            });
        }
        Ok(SortSegmentCollector {
            readers,
            keys: self.keys.clone(),
            after: self.search_after.as_ref().map(|values| {
                values
                    .iter()
                    .zip(&dates)
                    .map(|(value, date)| SortValue::after(value, *date))
                    .collect()
            }),
            limit: self.limit,
            segment,
            candidates: Vec::new(),
            threshold: None,
            prune_at: (4 * self.limit).max(4096),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<SortedHit>>) -> tantivy::Result<Vec<SortedHit>> {
        let keys = &self.keys;
        let mut all: Vec<(Vec<SortValue>, SortedHit)> = fruits
            .into_iter()
            .flatten()
            .map(|hit| (hit.values.iter().map(SortValue::from_json).collect(), hit))
            .collect();
        all.sort_by(|(a, hit_a), (b, hit_b)| {
            compare_keys(keys, a, b).then_with(|| {
                (hit_a.address.segment_ord, hit_a.address.doc_id)
                    .cmp(&(hit_b.address.segment_ord, hit_b.address.doc_id))
            })
        });
        Ok(all
            .into_iter()
            .take(self.limit)
            .map(|(_, hit)| hit)
            .collect())
    }
}

impl SegmentCollector for SortSegmentCollector {
    type Fruit = Vec<SortedHit>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if self.limit == 0 {
            return;
        }
        let (Some(reader), Some(key)) = (self.readers.first(), self.keys.first()) else {
            return;
        };
        let first = reader.value(doc);
        if let Some(after) = &self.after {
            let Some(bound) = after.first() else { return };
            match compare_one(key, &first, bound) {
                Ordering::Less => return,
                // a tie with the page's last event: the other keys decide, now, so that
                // events of earlier pages never take the places of this page's
                Ordering::Equal => {
                    let mut values = vec![first.clone()];
                    values.extend(self.readers[1..].iter().map(|reader| reader.value(doc)));
                    if compare_keys(&self.keys, &values, after) != Ordering::Greater {
                        return;
                    }
                }
                Ordering::Greater => {}
            }
        }
        if let Some(threshold) = &self.threshold {
            if compare_one(key, &first, threshold) == Ordering::Greater {
                return;
            }
        }
        self.candidates.push((first, doc));
        if self.candidates.len() >= self.prune_at {
            self.prune();
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        if self.limit == 0 || self.keys.is_empty() {
            return Vec::new();
        }
        self.prune();
        let mut kept: Vec<(Vec<SortValue>, DocId)> = self
            .candidates
            .iter()
            .map(|(first, doc)| {
                let mut values = Vec::with_capacity(self.readers.len());
                values.push(first.clone());
                values.extend(self.readers[1..].iter().map(|reader| reader.value(*doc)));
                (values, *doc)
            })
            .filter(|(values, _)| {
                self.after.as_ref().is_none_or(|after| {
                    compare_keys(&self.keys, values, after) == Ordering::Greater
                })
            })
            .collect();
        kept.sort_by(|(a, doc_a), (b, doc_b)| {
            compare_keys(&self.keys, a, b).then_with(|| doc_a.cmp(doc_b))
        });
        kept.truncate(self.limit);
        kept.into_iter()
            .map(|(values, doc)| SortedHit {
                address: DocAddress::new(self.segment, doc),
                values: values.iter().map(SortValue::to_json).collect(),
            })
            .collect()
    }
}
