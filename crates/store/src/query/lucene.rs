//! What people type: `query_string` (Lucene's syntax) and `simple_query_string`, over one
//! field, several with boosts, or every field that can hold a term.

use logdash_core::es::query::{
    simple, Fuzziness, Fuzzy, MatchPhrase, MinimumShouldMatch, Operator, QueryString,
    SimpleQueryString, ZeroTerms,
};
use logdash_core::lucene::{self, DefaultOperator, Level, Node, Value as LuceneValue};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::pattern::{fuzzy, json_regex, lucene_regex, wildcard_regex};
use logdash_core::time::AnyZone;

use super::range::{range_for, zone_of, RangeSpec};
use super::term::{exact, string_term};
use super::text::{expand, match_phrase, words};
use super::{exists, Context, Target, Q};
use crate::mapping::FieldKind;
use crate::Raised;
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
    /// The zone of dates in ranges.
    zone: AnyZone,
    /// The edits of `word~` without a number.
    fuzziness: Fuzziness,
    /// Whether swapped neighbours in a fuzzy term count as one edit.
    transpositions: bool,
    /// How the words one term analyses into (`web-2`: `web`, `2`) are joined: by the
    /// query's default operator, as Lucene's parsers join them.
    joined: Occur,
}

pub(super) fn query_string(ctx: &mut Context<'_>, query: &QueryString) -> Result<Q, RequestError> {
    let operator = match query.default_operator {
        Operator::And => DefaultOperator::And,
        Operator::Or => DefaultOperator::Or,
    };
    let level = lucene::parse_level(&query.query, operator).map_err(|err| RequestError {
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
    lucene_node(ctx, &node, &scope, 0)
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
        } => pattern.starts_with(['*', '?']),
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
    // over every field, a pattern is one automaton over every text field's words
    let every_text = match (scope.every, value) {
        (true, LuceneValue::Wildcard(pattern)) => {
            Some(wildcard_regex(&pattern.to_lowercase(), false))
        }
        (true, LuceneValue::Regex(pattern)) => Some(lucene_regex(&pattern.to_lowercase(), false)?),
        _ => None,
    };
    if let Some(regex) = every_text {
        let mapping = ctx.mapping;
        let paths: Vec<&str> = mapping
            .iter()
            .filter(|(name, kind)| **kind == FieldKind::Text && ctx.limits.searchable(name))
            .map(|(name, _)| name.as_str())
            .collect();
        return json_regex(ctx.fields.text, &paths, &regex);
    }
    let mut queries = Vec::new();
    for (name, boost) in &scope.fields {
        match fielded(ctx, name, value, scope, slop) {
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
    scope: &Scope,
    slop: u32,
) -> Result<Q, RequestError> {
    if let LuceneValue::Range {
        lower,
        upper,
        include_lower,
        include_upper,
    } = value
    {
        // escapes read as Lucene's discardEscapeChar reads them (`count:[\\-22 TO *]`; the
        // parser took a bare `*` for an open end already)
        let spec = RangeSpec {
            lower: lower.as_deref().map(unescape),
            include_lower: *include_lower,
            upper: upper.as_deref().map(unescape),
            include_upper: *include_upper,
            zone: scope.zone.clone(),
            format: None,
        };
        return range_for(ctx, field, spec);
    }
    let target = ctx.target(field)?;
    let text_field = matches!(target, Target::Text(_));
    let phrase = |text: &str, slop: u32| MatchPhrase {
        field: field.to_string(),
        query: text.into(),
        slop,
        zero_terms: ZeroTerms::None,
        prefix: false,
        max_expansions: 50,
        boost: 1.0,
    };
    Ok(match (&target, value) {
        (Target::Text(path), LuceneValue::Word(text)) => {
            words_of(ctx, ctx.fields.text, path, text, scope.joined)
        }
        (Target::Text(_), LuceneValue::Phrase(text)) => match_phrase(ctx, &phrase(text, slop))?,
        (Target::Text(_), LuceneValue::Proximity { text, slop }) => match_phrase(ctx, &phrase(text, *slop))?,
        (Target::Text(path), LuceneValue::Wildcard(pattern)) => {
            json_regex(ctx.fields.text, &[path.as_str()], &wildcard_regex(&pattern.to_lowercase(), false))?
        }
        (Target::Whole(path, FieldKind::Text), LuceneValue::Wildcard(pattern)) => {
            let pattern = ctx.limits.normalize(path, pattern)?;
            json_regex(ctx.fields.kw, &[path.as_str()], &wildcard_regex(&pattern, false))?
        }
        // a text field's words are lowercase, so what is matched against them is too
        (Target::Text(path), LuceneValue::Regex(pattern)) => {
            json_regex(ctx.fields.text, &[path.as_str()], &lucene_regex(&pattern.to_lowercase(), false)?)?
        }
        (Target::Whole(path, FieldKind::Text), LuceneValue::Regex(pattern)) => {
            let pattern = ctx.limits.normalize(path, pattern)?;
            json_regex(ctx.fields.kw, &[path.as_str()], &lucene_regex(&pattern, false)?)?
        }
        (Target::Text(_) | Target::Whole(_, FieldKind::Text), LuceneValue::Fuzzy { text, edits }) => fuzzy(
            ctx,
            &Fuzzy {
                field: field.to_string(),
                value: if text_field { text.to_lowercase() } else { text.clone() },
                fuzziness: edits.map_or(scope.fuzziness, Fuzziness::Edits),
                prefix_length: 0,
                transpositions: scope.transpositions,
                boost: 1.0,
            },
        )?,
        (Target::Unmapped(_), _) => Box::new(EmptyQuery),
        (_, LuceneValue::Wildcard(pattern) | LuceneValue::Regex(pattern)) => {
            return Err(RequestError::illegal_argument(format!(
                "[{pattern}]: wildcards and regular expressions work on text and keyword fields, not on [{field}]"
            )))
        }
        (_, LuceneValue::Fuzzy { text, .. }) => {
            return Err(RequestError::illegal_argument(format!(
                "[{text}~]: fuzzy terms work on text and keyword fields, not on [{field}]"
            )))
        }
        (_, LuceneValue::Word(text) | LuceneValue::Phrase(text) | LuceneValue::Proximity { text, .. }) => {
            exact(ctx, field, &text.as_str().into())?
        }
        (_, LuceneValue::Range { .. }) => Box::new(EmptyQuery),
    })
}

/// A word of a query string on a text field: the words it analyses into, joined as `how`
/// says (each required, or any one).
fn words_of(ctx: &mut Context<'_>, field: Field, path: &str, text: &str, how: Occur) -> Q {
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
            terms.into_iter().map(|q| (how, q)).collect(),
        )),
    }
}

/// A range bound with each escaped character taken as itself (a last lone backslash kept).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => chars.next().unwrap_or('\\'),
            c => c,
        });
    }
    out
}
