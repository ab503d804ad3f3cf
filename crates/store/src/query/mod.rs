//! Elasticsearch's query DSL, as `logdash_core::es::query` reads it, turned into tantivy
//! queries: this file resolves fields and combines queries; one file a family of kinds.
//!
//! Field names resolve through the mapping: `@timestamp` is the date field, `x.keyword`
//! and numbers are whole values in `kw`, text fields are words in `text`, and
//! `query_string` terms without a field search every field that can hold them, as
//! Elasticsearch's default `*` field does.

mod expansion;
mod lucene;
mod pattern;
mod range;
pub(crate) use range::DateFormat;
mod single;
mod term;
mod text;

use logdash_core::es::query::{Bool, Boosting, Query, QueryError};
use logdash_core::time::EpochMillis;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery,
    ExistsQuery, Occur, Query as TantivyQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use crate::mapping::limits::Limits;
use crate::mapping::{FieldKind, IndexMapping};
use crate::schema::Fields;
use crate::Raised;
use crate::RequestError;

/// What a query needs to know: the schema's fields, the fields' types, the time, and
/// the analyzer that split text into words at index time.
pub(crate) struct Context<'a> {
    pub fields: &'a Fields,
    pub mapping: &'a IndexMapping,
    /// Fields declared unsearchable (`index: false`), which queries refuse.
    pub limits: &'a Limits,
    pub now: EpochMillis,
    pub analyzer: TextAnalyzer,
}

/// Where a field's values live.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    Timestamp,
    Index,
    Id,
    /// Words of a text field.
    Text(String),
    /// Whole values (a `.keyword` sub-field or a keyword field, as `Text`; numbers,
    /// booleans, other dates).
    Whole(String, FieldKind),
    /// A field no target index has: matches nothing, as in Elasticsearch.
    Unmapped(String),
}

/// A date bound (date math too) in epoch milliseconds, as queries read them.
pub(crate) fn date_math_bound(
    text: &str,
    now: EpochMillis,
    rounding: logdash_core::time::Rounding,
    zone: &logdash_core::time::AnyZone,
) -> Result<EpochMillis, RequestError> {
    range::date_bound(text, now, rounding, zone)
}

pub(crate) fn resolve(mapping: &IndexMapping, name: &str) -> Target {
    match name {
        "@timestamp" => return Target::Timestamp,
        "_index" => return Target::Index,
        "_id" => return Target::Id,
        _ => {}
    }
    if let Some(base) = name.strip_suffix(".keyword") {
        if mapping.get(base) == Some(&FieldKind::Text) {
            return Target::Whole(base.to_string(), FieldKind::Text);
        }
    }
    match mapping.get(name) {
        Some(FieldKind::Text) => Target::Text(name.to_string()),
        // a keyword field is matched as a text field's `.keyword` is: whole strings; so are
        // a flattened field's leaves, all of them under its name
        Some(FieldKind::Keyword | FieldKind::Flattened) => {
            Target::Whole(name.to_string(), FieldKind::Text)
        }
        Some(kind) => Target::Whole(name.to_string(), *kind),
        // a key of a flattened field (`labels.env`): its leaves there
        None if within_flattened(mapping, name) => Target::Whole(name.to_string(), FieldKind::Text),
        None => Target::Unmapped(name.to_string()),
    }
}

impl Context<'_> {
    /// Where `field`'s values live, or Elasticsearch's refusal when no query can find them.
    fn target(&self, field: &str) -> Result<Target, RequestError> {
        self.limits.check_search(field)?;
        Ok(resolve(self.mapping, field))
    }
}

/// Whether `name` is a key inside a flattened field of `mapping`.
fn within_flattened(mapping: &IndexMapping, name: &str) -> bool {
    crate::mapping::enclosing(name).any(|head| mapping.get(head) == Some(&FieldKind::Flattened))
}

type Q = Box<dyn TantivyQuery>;

impl From<QueryError> for RequestError {
    fn from(err: QueryError) -> Self {
        RequestError {
            status: 400,
            kind: err.kind,
            reason: err.reason,
            raised: Raised::Anywhere,
        }
    }
}

/// Reads a search body's `query` (absent: everything) into the typed model.
pub(crate) fn parse(query: Option<&serde_json::Value>) -> Result<Option<Query>, RequestError> {
    query
        .map(Query::parse)
        .transpose()
        .map_err(RequestError::from)
}

/// Builds the tantivy query for a search body's `query` (absent: everything).
pub(crate) fn build(ctx: &mut Context<'_>, query: Option<&Query>) -> Result<Q, RequestError> {
    match query {
        None => Ok(match_all()),
        Some(query) => clause(ctx, query),
    }
}

/// Every event, each scored 1 as Elasticsearch's `match_all` scores it. (tantivy drops a
/// bare `AllQuery` from a conjunction, and its score with it: the index filter around a
/// search would leave 0.)
fn match_all() -> Q {
    Box::new(ConstScoreQuery::new(Box::new(AllQuery), 1.0))
}

fn clause(ctx: &mut Context<'_>, query: &Query) -> Result<Q, RequestError> {
    let (built, boost) = match query {
        Query::MatchAll { boost } => (match_all(), *boost),
        Query::MatchNone => (Box::new(EmptyQuery) as Q, 1.0),
        Query::Bool(query) => (bool_query(ctx, query)?, query.boost),
        Query::ConstantScore(query) => {
            let filter = clause(ctx, &query.filter)?;
            return Ok(Box::new(ConstScoreQuery::new(filter, query.boost)));
        }
        Query::DisMax(query) => {
            let queries = query
                .queries
                .iter()
                .map(|q| clause(ctx, q))
                .collect::<Result<Vec<_>, _>>()?;
            let tie = query.tie_breaker;
            (
                Box::new(DisjunctionMaxQuery::with_tie_breaker(queries, tie)) as Q,
                query.boost,
            )
        }
        Query::Boosting(query) => (boosting(ctx, query)?, query.boost),
        Query::Term(query) => (term::term(ctx, query)?, query.boost),
        Query::Terms(query) => (term::terms(ctx, query)?, query.boost),
        Query::TermsSet(query) => (term::terms_set(ctx, query)?, query.boost),
        Query::Ids(query) => {
            let terms = query
                .values
                .iter()
                .map(|id| Term::from_field_text(ctx.fields.id, id));
            (Box::new(TermSetQuery::new(terms)) as Q, query.boost)
        }
        Query::Range(query) => (range::range(ctx, query)?, query.boost),
        Query::Exists(query) => (exists(ctx, &query.field), query.boost),
        Query::Pattern(query) => (pattern::pattern(ctx, query)?, query.boost),
        Query::Fuzzy(query) => (pattern::fuzzy(ctx, query)?, query.boost),
        Query::Match(query) => (text::match_words(ctx, query)?, query.boost),
        Query::MatchPhrase(query) => (text::match_phrase(ctx, query)?, query.boost),
        Query::MultiMatch(query) => (text::multi_match(ctx, query)?, query.boost),
        Query::QueryString(query) => (lucene::query_string(ctx, query)?, query.boost),
        Query::SimpleQueryString(query) => (lucene::simple_query_string(ctx, query)?, query.boost),
    };
    Ok(boosted(built, boost))
}

fn boosted(query: Q, boost: f32) -> Q {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// `bool` as Lucene runs it: `filter` clauses match without scoring; without `must` or
/// `filter`, at least one `should` clause must match; a `minimum_should_match` above the
/// number of `should` clauses matches nothing.
fn bool_query(ctx: &mut Context<'_>, query: &Bool) -> Result<Q, RequestError> {
    let positive = !query.must.is_empty() || !query.filter.is_empty();
    let mut required = query.required_should();
    if !positive && !query.should.is_empty() {
        required = required.max(1);
    }
    if required > query.should.len() {
        return Ok(Box::new(EmptyQuery));
    }
    let mut clauses: Vec<(Occur, Q)> = Vec::new();
    for must in &query.must {
        clauses.push((Occur::Must, clause(ctx, must)?));
    }
    for filter in &query.filter {
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(clause(ctx, filter)?, 0.0)),
        ));
    }
    for must_not in &query.must_not {
        clauses.push((Occur::MustNot, clause(ctx, must_not)?));
    }
    let should = query
        .should
        .iter()
        .map(|q| clause(ctx, q))
        .collect::<Result<Vec<_>, _>>()?;
    if required <= 1 && !(positive && required == 1) {
        // optional, or (with nothing else positive) any one of them
        clauses.extend(should.into_iter().map(|q| (Occur::Should, q)));
    } else {
        clauses.push((
            Occur::Must,
            Box::new(BooleanQuery::union_with_minimum_required_clauses(
                should, required,
            )),
        ));
    }
    if !positive && query.should.is_empty() {
        // only must_not (or nothing): everything but what is excluded
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// `boosting`: hits of `positive` alone as they score, hits of both scaled by
/// `negative_boost`.
fn boosting(ctx: &mut Context<'_>, query: &Boosting) -> Result<Q, RequestError> {
    let clear = BooleanQuery::new(vec![
        (Occur::Must, clause(ctx, &query.positive)?),
        (Occur::MustNot, clause(ctx, &query.negative)?),
    ]);
    let demoted = BooleanQuery::new(vec![
        (Occur::Must, clause(ctx, &query.positive)?),
        (Occur::Must, clause(ctx, &query.negative)?),
    ]);
    Ok(Box::new(BooleanQuery::union(vec![
        Box::new(clear),
        Box::new(BoostQuery::new(Box::new(demoted), query.negative_boost)),
    ])))
}

pub(crate) fn exists(ctx: &Context<'_>, field: &str) -> Q {
    // a pattern: any field whose name it matches (`ob*`: `obj.a`, `obj.b`)
    if field.contains('*') {
        let each: Vec<Q> = ctx
            .mapping
            .keys()
            .filter(|name| crate::indices::matches(field, name))
            .map(|name| exists(ctx, name))
            .collect();
        return match each.is_empty() {
            true => Box::new(EmptyQuery),
            false => Box::new(BooleanQuery::union(each)),
        };
    }
    match resolve(ctx.mapping, field) {
        Target::Timestamp | Target::Index | Target::Id => Box::new(AllQuery),
        Target::Whole(path, _) => Box::new(ExistsQuery::new(format!("kw.{path}"), false)),
        // a text value has a whole one in `kw` unless its field has no `.keyword` (as
        // Logstash's template declares `message`) or it is past `ignore_above`: its words
        // tell then, as Elasticsearch's `_field_names` does
        Target::Text(path) => {
            let whole = Box::new(ExistsQuery::new(format!("kw.{path}"), false));
            match pattern::json_regex(ctx.fields.text, &[path.as_str()], ".*") {
                Ok(words) => Box::new(BooleanQuery::union(vec![whole, words])),
                Err(_) => whole,
            }
        }
        Target::Unmapped(name) => {
            // an object (e.g. `host` with `host.name` inside) exists when any field under it does
            let prefix = format!("{name}.");
            if ctx.mapping.keys().any(|key| key.starts_with(&prefix)) {
                Box::new(ExistsQuery::new(format!("kw.{name}"), true))
            } else {
                Box::new(EmptyQuery)
            }
        }
    }
}

/// Matches one event of one index by id (for `_bulk` index operations that replace).
pub(crate) fn id_in_index(fields: &Fields, index: &str, id: &str) -> Q {
    Box::new(BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.index, index),
                IndexRecordOption::Basic,
            )) as Q,
        ),
        (
            Occur::Must,
            Box::new(TermQuery::new(
                Term::from_field_text(fields.id, id),
                IndexRecordOption::Basic,
            )),
        ),
    ]))
}

/// Restricts `query` to the given indices.
pub(crate) fn within_indices(fields: &Fields, query: Q, indices: &[String]) -> Q {
    let terms = indices
        .iter()
        .map(|name| Term::from_field_text(fields.index, name));
    filtered(query, Box::new(TermSetQuery::new(terms)))
}

/// What `query` matches that `filter` matches too, scored as `query` alone.
pub(crate) fn filtered(query: Q, filter: Q) -> Q {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, query),
        (Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))),
    ]))
}
