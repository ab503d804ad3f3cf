//! What people type: `query_string` (Lucene's syntax) and `simple_query_string`, over one
//! field, several with boosts, or every field that can hold a term.

use logdash_core::es::query::{
    simple, Fuzziness, MinimumShouldMatch, Operator, QueryString, SimpleQueryString,
};
use logdash_core::lucene::{self, DefaultOperator, Level, Node, Value as LuceneValue};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur};

use logdash_core::time::AnyZone;

mod terms;

use terms::{fielded, unfielded};

use super::range::zone_of;
use super::text::expand;
use super::{exists, Context, Q};
use crate::mapping::FieldKind;
use crate::Raised;
use crate::RequestError;

/// Where terms without a field look, and whether a term a field cannot hold (a word for a
/// number field) matches nothing there instead of failing.
pub(super) struct Scope {
    pub(super) fields: Vec<(String, f32)>,
    /// Every field (`*`): wildcards run over all text fields at once.
    pub(super) every: bool,
    pub(super) lenient: bool,
    /// The zone of dates in ranges.
    pub(super) zone: AnyZone,
    /// The edits of `word~` without a number.
    pub(super) fuzziness: Fuzziness,
    /// Whether swapped neighbours in a fuzzy term count as one edit.
    pub(super) transpositions: bool,
    /// How the words one term analyses into (`web-2`: `web`, `2`) are joined: by the
    /// query's default operator, as Lucene's parsers join them.
    pub(super) joined: Occur,
}

pub(super) fn query_string(ctx: &mut Context<'_>, query: &QueryString) -> Result<Q, RequestError> {
    let operator = match query.default_operator {
        Operator::And => DefaultOperator::And,
        Operator::Or => DefaultOperator::Or,
    };
    // `minimum_should_match` counts a chunk's words one by one
    let parse = match query.minimum_should_match {
        Some(_) => lucene::parse_level_by_word,
        None => lucene::parse_level,
    };
    let level = parse(&query.query, operator).map_err(|err| RequestError {
        status: 400,
        kind: "query_shard_exception",
        reason: err.to_string(),
        raised: Raised::Anywhere,
    })?;
    let zone = zone_of(query.time_zone.as_deref())?;
    let parts = [&level.required, &level.optional, &level.prohibited];
    if !query.leading_wildcard && parts.into_iter().flatten().any(leading_wildcard) {
        return Err(RequestError {
            status: 400,
            kind: "query_shard_exception",
            reason: format!(
                "Failed to parse query [{}]: '*' or '?' not allowed as first character in WildcardQuery",
                query.query
            ),
            raised: Raised::Anywhere,
        });
    }
    let mut scope = scope(ctx, &query.fields, query.lenient, zone);
    scope.transpositions = query.transpositions;
    scope.joined = joined(query.default_operator);
    if let Some(fuzziness) = query.fuzziness {
        scope.fuzziness = fuzziness;
    }
    // an empty query string matches nothing, as in Elasticsearch
    if query.query.trim().is_empty() {
        return Ok(Box::new(EmptyQuery));
    }
    match &query.minimum_should_match {
        // a lone group, or a word the analyser may split, is itself the boolean query
        // Elasticsearch applies it to: logdash does not keep that level apart
        Some(_) if level.len() == 1 && !single_term(&level) => {
            Err(RequestError::illegal_argument(
                "[query_string] [minimum_should_match] on a query of one group or one word of several tokens is not supported by logdash: write its clauses at the top",
            ))
        }
        // as Elasticsearch applies it: to the top level's optional clauses, when the query
        // is more than one clause; over several fields it groups the clauses otherwise,
        // which logdash does not follow
        Some(minimum) if level.len() > 1 => {
            let one_field = scope.fields.len() == 1 && !scope.every;
            let fielded = |node: &Node| matches!(node, Node::Term { field: Some(field), .. } if !field.contains('*'));
            let all_fielded = [&level.required, &level.optional, &level.prohibited]
                .into_iter()
                .flatten()
                .all(fielded);
            if !one_field && !all_fielded {
                return Err(RequestError::illegal_argument(
                    "[query_string] [minimum_should_match] over several fields is not supported by logdash: give one default_field, or a field to each term",
                ));
            }
            at_least(ctx, level, minimum, &scope, query.phrase_slop)
        }
        _ => lucene_node(ctx, &level.node(), &scope, query.phrase_slop),
    }
}

/// Whether a query's one clause is one term, which `minimum_should_match` leaves as it is:
/// a word of letters and digits only (one token), a phrase, a pattern, a range.
fn single_term(level: &Level) -> bool {
    fn term(node: &Node) -> bool {
        match node {
            Node::Term {
                value: LuceneValue::Word(text),
                ..
            } => text.chars().all(char::is_alphanumeric),
            Node::Term { .. } | Node::Exists(_) | Node::All => true,
            Node::Boost(inner, _) => term(inner),
            Node::And(_) | Node::Or(_) | Node::Not(_) => false,
        }
    }
    [&level.required, &level.optional, &level.prohibited]
        .into_iter()
        .flatten()
        .all(term)
}

/// A query string's top level where at least `minimum` of its optional clauses must match
/// (beside its required ones, and none of its prohibited), as Lucene's boolean query with
/// a minimum number of should clauses.
fn at_least(
    ctx: &mut Context<'_>,
    level: Level,
    minimum: &MinimumShouldMatch,
    scope: &Scope,
    slop: u32,
) -> Result<Q, RequestError> {
    let wanted = minimum.of(level.optional.len());
    if wanted == 0 {
        return lucene_node(ctx, &level.node(), scope, slop);
    }
    if wanted > level.optional.len() {
        return Ok(Box::new(EmptyQuery));
    }
    let mut clauses = Vec::new();
    for node in &level.required {
        clauses.push((Occur::Must, lucene_node(ctx, node, scope, slop)?));
    }
    for node in &level.prohibited {
        clauses.push((Occur::MustNot, lucene_node(ctx, node, scope, slop)?));
    }
    let optional = level
        .optional
        .iter()
        .map(|node| lucene_node(ctx, node, scope, slop))
        .collect::<Result<Vec<_>, _>>()?;
    clauses.push((
        Occur::Must,
        Box::new(BooleanQuery::union_with_minimum_required_clauses(
            optional, wanted,
        )),
    ));
    Ok(Box::new(BooleanQuery::new(clauses)))
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
    let node = simple::parse_with(&query.query, query.default_operator, query.flags)?;
    let mut scope = scope(ctx, &query.fields, query.lenient, AnyZone::UTC);
    scope.transpositions = query.transpositions;
    scope.joined = joined(query.default_operator);
    // a `*` among other terms is an empty prefix: Elasticsearch leaves it out over one text
    // field; what it makes of one elsewhere depends on the fields' types and number
    let stripped = without_empty_prefixes(node.clone());
    if stripped.as_ref() != Some(&node) {
        // (named as it is: a pattern may take in `.keyword` sub-fields too)
        let one_text = match query.fields.as_slice() {
            [field] => ctx.mapping.get(&field.pattern) == Some(&FieldKind::Text),
            _ => false,
        };
        if !one_text {
            return Err(RequestError::illegal_argument(
                "[simple_query_string] a `*` beside other terms is not supported by logdash, but over one text field: leave it out, or write a prefix (word*)",
            ));
        }
    }
    match stripped {
        Some(node) => lucene_node(ctx, &node, &scope, 0),
        None => Ok(Box::new(EmptyQuery)),
    }
}

/// `node` without its empty prefixes; `None` when nothing else is left.
fn without_empty_prefixes(node: Node) -> Option<Node> {
    let some = |nodes: Vec<Node>, wrap: fn(Vec<Node>) -> Node| {
        let mut left: Vec<Node> = nodes
            .into_iter()
            .filter_map(without_empty_prefixes)
            .collect();
        match left.len() {
            0 => None,
            1 => left.pop(),
            _ => Some(wrap(left)),
        }
    };
    match node {
        Node::Term {
            value: LuceneValue::Wildcard(pattern),
            ..
        } if pattern.is_empty() => None,
        Node::And(nodes) => some(nodes, Node::And),
        Node::Or(nodes) => some(nodes, Node::Or),
        Node::Not(inner) => without_empty_prefixes(*inner).map(|n| Node::Not(Box::new(n))),
        Node::Boost(inner, boost) => {
            without_empty_prefixes(*inner).map(|n| Node::Boost(Box::new(n), boost))
        }
        other => Some(other),
    }
}

fn scope(
    ctx: &Context<'_>,
    patterns: &[logdash_core::es::query::FieldBoost],
    lenient: Option<bool>,
    zone: AnyZone,
) -> Scope {
    let every = patterns.is_empty() || patterns.iter().any(|p| p.pattern == "*");
    let (fields, expanded) = expand(ctx, patterns);
    Scope {
        fields,
        every,
        lenient: lenient.unwrap_or(every || expanded),
        zone,
        fuzziness: Fuzziness::Auto { low: 3, high: 6 },
        transpositions: true,
        joined: Occur::Should,
    }
}

fn joined(operator: Operator) -> Occur {
    match operator {
        Operator::And => Occur::Must,
        Operator::Or => Occur::Should,
    }
}

/// Whether a term of the query starts with `*` or `?` (a lone `*` is `exists`).
fn leading_wildcard(node: &Node) -> bool {
    match node {
        Node::And(nodes) | Node::Or(nodes) => nodes.iter().any(leading_wildcard),
        Node::Not(inner) | Node::Boost(inner, _) => leading_wildcard(inner),
        Node::Term {
            value: LuceneValue::Wildcard(pattern),
            ..
        } => pattern != "*" && pattern.starts_with(['*', '?']),
        _ => false,
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
        Node::Boost(inner, boost) => Box::new(BoostQuery::new(
            lucene_node(ctx, inner, scope, slop)?,
            *boost,
        )),
        // `user.\*:ann`: an escaped `*` makes the field name a pattern, whose fields
        // are searched as `fields` would search them
        Node::Term {
            field: Some(pattern),
            value,
        } if pattern.contains('*') => {
            let pattern = logdash_core::es::query::FieldBoost {
                pattern: pattern.clone(),
                boost: 1.0,
            };
            let within = Scope {
                fields: expand(ctx, &[pattern]).0,
                every: false,
                lenient: true,
                zone: scope.zone.clone(),
                fuzziness: scope.fuzziness,
                transpositions: scope.transpositions,
                joined: scope.joined,
            };
            unfielded(ctx, value, &within, slop)?
        }
        Node::Term {
            field: Some(field),
            value,
        } => match fielded(ctx, field, value, scope, slop) {
            Err(_) if scope.lenient => Box::new(EmptyQuery),
            other => other?,
        },
        Node::Term { field: None, value } => unfielded(ctx, value, scope, slop)?,
    })
}
