//! What people type: `query_string` (Lucene's syntax) and `simple_query_string`, over one
//! field, several with boosts, or every field that can hold a term.

use logdash_core::es::query::{
    simple, MatchPhrase, Operator, QueryString, SimpleQueryString, ZeroTerms,
};
use logdash_core::lucene::{self, DefaultOperator, Node, Value as LuceneValue};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::pattern::{json_regex, wildcard_regex};
use super::range::{range_for, zone_offset, RangeSpec};
use super::term::{exact, string_term};
use super::text::{expand, match_phrase, words};
use super::{exists, resolve, Context, Target, Q};
use crate::mapping::FieldKind;
use crate::RequestError;

/// Elasticsearch's limit on the fields one term without a field may expand to.
const MAX_EXPANDED_FIELDS: usize = 1024;

/// Where terms without a field look, and whether a term a field cannot hold (a word for a
/// number field) matches nothing there instead of failing.
struct Scope {
    fields: Vec<(String, f32)>,
    /// Every field (`*`): wildcards run over all text fields at once.
    every: bool,
    lenient: bool,
    /// Minutes east of UTC for dates in ranges.
    offset: i32,
}

pub(super) fn query_string(ctx: &mut Context<'_>, query: &QueryString) -> Result<Q, RequestError> {
    if query.fuzziness.is_some() || query.minimum_should_match.is_some() {
        return Err(RequestError::illegal_argument(
            "[query_string] [fuzziness] and [minimum_should_match] are not supported by logdash",
        ));
    }
    let operator = match query.default_operator {
        Operator::And => DefaultOperator::And,
        Operator::Or => DefaultOperator::Or,
    };
    let node = lucene::parse(&query.query, operator).map_err(|err| RequestError {
        status: 400,
        kind: "query_shard_exception",
        reason: err.to_string(),
    })?;
    let offset = query.time_zone.as_deref().map_or(Ok(0), zone_offset)?;
    let scope = scope(ctx, &query.fields, query.lenient, offset);
    // an empty query string matches nothing, as in Elasticsearch
    if query.query.trim().is_empty() {
        return Ok(Box::new(EmptyQuery));
    }
    lucene_node(ctx, &node, &scope, query.phrase_slop)
}

pub(super) fn simple_query_string(
    ctx: &mut Context<'_>,
    query: &SimpleQueryString,
) -> Result<Q, RequestError> {
    if query.minimum_should_match.is_some() {
        return Err(RequestError::illegal_argument(
            "[simple_query_string] [minimum_should_match] is not supported by logdash",
        ));
    }
    let node = simple::parse(&query.query, query.default_operator)?;
    let scope = scope(ctx, &query.fields, query.lenient, 0);
    lucene_node(ctx, &node, &scope, 0)
}

fn scope(
    ctx: &Context<'_>,
    patterns: &[logdash_core::es::query::FieldBoost],
    lenient: Option<bool>,
    offset: i32,
) -> Scope {
    let every = patterns.is_empty() || patterns.iter().any(|p| p.pattern == "*");
    let (fields, expanded) = expand(ctx, patterns);
    Scope {
        fields,
        every,
        lenient: lenient.unwrap_or(every || expanded),
        offset,
    }
}

fn lucene_node(
    ctx: &mut Context<'_>,
    node: &Node,
    scope: &Scope,
    slop: u32,
) -> Result<Q, RequestError> {
    Ok(match node {
        Node::All => Box::new(AllQuery),
        Node::And(nodes) => {
            let mut clauses = Vec::new();
            let mut positive = false;
            for node in nodes {
                match node {
                    Node::Not(inner) => {
                        clauses.push((Occur::MustNot, lucene_node(ctx, inner, scope, slop)?))
                    }
                    node => {
                        positive = true;
                        clauses.push((Occur::Must, lucene_node(ctx, node, scope, slop)?));
                    }
                }
            }
            if !positive {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            }
            Box::new(BooleanQuery::new(clauses))
        }
        Node::Or(nodes) => {
            let queries = nodes
                .iter()
                .map(|n| lucene_node(ctx, n, scope, slop))
                .collect::<Result<Vec<_>, _>>()?;
            Box::new(BooleanQuery::union(queries))
        }
        Node::Not(inner) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery) as Q),
            (Occur::MustNot, lucene_node(ctx, inner, scope, slop)?),
        ])),
        Node::Exists(field) => exists(ctx, field),
        Node::Term {
            field: Some(field),
            value,
        } => match fielded(ctx, field, value, scope.offset, slop) {
            Err(_) if scope.lenient => Box::new(EmptyQuery),
            other => other?,
        },
        Node::Term { field: None, value } => unfielded(ctx, value, scope, slop)?,
    })
}

/// A term without a field, over the scope's fields: the best field's score.
fn unfielded(
    ctx: &mut Context<'_>,
    value: &LuceneValue,
    scope: &Scope,
    slop: u32,
) -> Result<Q, RequestError> {
    if scope.every && matches!(value, LuceneValue::Range { .. }) {
        return Err(RequestError::bad_request(
            "a range needs a field: field:[a TO b]",
        ));
    }
    if scope.fields.len() > MAX_EXPANDED_FIELDS {
        return Err(RequestError::illegal_argument(format!(
            "field expansion matches too many fields, limit: {MAX_EXPANDED_FIELDS}, got: {}; name a field (field:value) or set default_field",
            scope.fields.len()
        )));
    }
    if let (true, LuceneValue::Wildcard(pattern)) = (scope.every, value) {
        // one automaton over every text field's words
        let mapping = ctx.mapping;
        let paths: Vec<&str> = mapping
            .iter()
            .filter(|(_, kind)| **kind == FieldKind::Text)
            .map(|(name, _)| name.as_str())
            .collect();
        return json_regex(
            ctx.fields.text,
            &paths,
            &wildcard_regex(&pattern.to_lowercase(), false),
        );
    }
    let mut queries = Vec::new();
    for (name, boost) in &scope.fields {
        match fielded(ctx, name, value, scope.offset, slop) {
            Ok(query) if *boost == 1.0 => queries.push(query),
            Ok(query) => queries.push(Box::new(BoostQuery::new(query, *boost))),
            Err(_) if scope.lenient => {}
            Err(err) => return Err(err),
        }
    }
    Ok(match queries.len() {
        0 => Box::new(EmptyQuery),
        1 => queries.remove(0),
        _ => Box::new(DisjunctionMaxQuery::new(queries)),
    })
}

fn fielded(
    ctx: &mut Context<'_>,
    field: &str,
    value: &LuceneValue,
    offset: i32,
    slop: u32,
) -> Result<Q, RequestError> {
    if let LuceneValue::Range {
        lower,
        upper,
        include_lower,
        include_upper,
    } = value
    {
        let spec = RangeSpec {
            lower: lower.clone(),
            include_lower: *include_lower,
            upper: upper.clone(),
            include_upper: *include_upper,
            offset,
        };
        return range_for(ctx, field, spec);
    }
    let target = resolve(ctx.mapping, field);
    Ok(match (&target, value) {
        (Target::Text(path), LuceneValue::Word(text)) => {
            all_words(ctx, ctx.fields.text, path, text)
        }
        (Target::Text(_), LuceneValue::Phrase(text)) => match_phrase(
            ctx,
            &MatchPhrase {
                field: field.to_string(),
                query: text.as_str().into(),
                slop,
                zero_terms: ZeroTerms::None,
                prefix: false,
                max_expansions: 50,
                boost: 1.0,
            },
        )?,
        (Target::Text(path), LuceneValue::Wildcard(pattern)) => json_regex(
            ctx.fields.text,
            &[path.as_str()],
            &wildcard_regex(&pattern.to_lowercase(), false),
        )?,
        (
            Target::Whole(path, FieldKind::Text | FieldKind::Date),
            LuceneValue::Wildcard(pattern),
        ) => json_regex(
            ctx.fields.kw,
            &[path.as_str()],
            &wildcard_regex(pattern, false),
        )?,
        (Target::Unmapped(_), _) => Box::new(EmptyQuery),
        (_, LuceneValue::Wildcard(pattern)) => {
            return Err(RequestError::illegal_argument(format!(
                "wildcard [{pattern}] on non-text field [{field}] is not supported"
            )))
        }
        (_, LuceneValue::Word(text) | LuceneValue::Phrase(text)) => {
            exact(ctx, field, &text.as_str().into())?
        }
        (_, LuceneValue::Range { .. }) => Box::new(EmptyQuery),
    })
}

/// A word of a query string on a text field: every word it analyses into.
fn all_words(ctx: &mut Context<'_>, field: Field, path: &str, text: &str) -> Q {
    let mut terms: Vec<Q> = words(&mut ctx.analyzer, text)
        .iter()
        .map(|word| {
            Box::new(TermQuery::new(
                string_term(field, path, word),
                IndexRecordOption::WithFreqs,
            )) as Q
        })
        .collect();
    match terms.len() {
        0 => Box::new(EmptyQuery),
        1 => terms.remove(0),
        _ => Box::new(BooleanQuery::new(
            terms.into_iter().map(|q| (Occur::Must, q)).collect(),
        )),
    }
}
