//! Analysed text: `match`, `match_bool_prefix`, `match_phrase`, `match_phrase_prefix` and
//! `multi_match`. Text fields are searched by their words; other fields take the value as
//! one exact term, as Elasticsearch's `match` does.

use logdash_core::es::query::{
    Match, MatchPhrase, MultiMatch, MultiMatchType, Operator, Pattern, PatternKind, Scalar,
    ZeroTerms,
};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, FuzzyTermQuery, Occur,
    PhrasePrefixQuery, PhraseQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use super::pattern::{json_regex, literal_regex, pattern};
use super::term::{exact, string_term};
use super::{Context, Target, Q};
use crate::mapping::FieldKind;
use crate::RequestError;

pub(super) fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn zero_terms(zero: ZeroTerms) -> Q {
    match zero {
        ZeroTerms::None => Box::new(EmptyQuery),
        ZeroTerms::All => Box::new(AllQuery),
    }
}

/// `match` and `match_bool_prefix`.
pub(super) fn match_words(ctx: &mut Context<'_>, query: &Match) -> Result<Q, RequestError> {
    let path = match ctx.target(&query.field)? {
        Target::Text(path) => path,
        Target::Whole(_, FieldKind::Text) if query.bool_prefix => {
            return prefix_of(ctx, &query.field, &query.query.to_string())
        }
        _ => return not_text(ctx, &query.field, &query.query, query.lenient),
    };
    let field = ctx.fields.text;
    let tokens = words(&mut ctx.analyzer, &query.query.to_string());
    let Some(last) = tokens.len().checked_sub(1) else {
        return Ok(zero_terms(query.zero_terms));
    };
    let mut clauses = Vec::with_capacity(tokens.len());
    for (at, word) in tokens.iter().enumerate() {
        let clause: Q = if query.bool_prefix && at == last {
            json_regex(
                field,
                &[path.as_str()],
                &format!("{}.*", literal_regex(word, false)),
            )?
        } else {
            let term = string_term(field, &path, word);
            match query.fuzziness {
                Some(fuzziness) => Box::new(FuzzyTermQuery::new(
                    term,
                    fuzziness.edits_for(word.chars().count()),
                    query.transpositions,
                )),
                None => Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
            }
        };
        clauses.push(clause);
    }
    // as Lucene's query builder makes it: one word is a term query, which
    // `minimum_should_match` leaves alone; several are a bool query, `and` making them all
    // required, and the spec counts only the optional ones (none under `and`: any spec
    // above zero then matches nothing)
    let required = match (&query.minimum_should_match, query.operator) {
        _ if clauses.len() == 1 => 1,
        (Some(spec), Operator::And) if spec.of(0) > 0 => usize::MAX,
        (_, Operator::And) => clauses.len(),
        (Some(spec), Operator::Or) => spec.of(clauses.len()).max(1),
        (None, Operator::Or) => 1,
    };
    combine(clauses, required)
}

/// Any `required` of `clauses`.
fn combine(mut clauses: Vec<Q>, required: usize) -> Result<Q, RequestError> {
    Ok(match clauses.len() {
        n if required > n => Box::new(EmptyQuery),
        1 => clauses.remove(0),
        n if required == n => Box::new(BooleanQuery::new(
            clauses.into_iter().map(|q| (Occur::Must, q)).collect(),
        )),
        _ if required <= 1 => Box::new(BooleanQuery::union(clauses)),
        _ => Box::new(BooleanQuery::union_with_minimum_required_clauses(
            clauses, required,
        )),
    })
}

/// A keyword's values starting with `prefix`.
fn prefix_of(ctx: &mut Context<'_>, field: &str, prefix: &str) -> Result<Q, RequestError> {
    pattern(
        ctx,
        &Pattern {
            kind: PatternKind::Prefix,
            field: field.to_string(),
            value: prefix.to_string(),
            case_insensitive: false,
            boost: 1.0,
        },
    )
}

/// A full-text query's value on a field that is not text: one exact term; with `lenient`,
/// a value the field cannot hold matches nothing.
fn not_text(
    ctx: &mut Context<'_>,
    field: &str,
    value: &Scalar,
    lenient: bool,
) -> Result<Q, RequestError> {
    match exact(ctx, field, value) {
        Err(_) if lenient => Ok(Box::new(EmptyQuery)),
        other => other,
    }
}

/// `match_phrase` and `match_phrase_prefix`.
pub(super) fn match_phrase(ctx: &mut Context<'_>, query: &MatchPhrase) -> Result<Q, RequestError> {
    let path = match ctx.target(&query.field)? {
        Target::Text(path) => path,
        Target::Whole(_, FieldKind::Text) if query.prefix => {
            return prefix_of(ctx, &query.field, &query.query.to_string())
        }
        _ => return not_text(ctx, &query.field, &query.query, false),
    };
    let field = ctx.fields.text;
    phrase(ctx, field, &path, &query.query.to_string(), query)
}

/// A phrase of several words needs their positions.
fn check_positions(
    ctx: &Context<'_>,
    query: &MatchPhrase,
    words: usize,
) -> Result<(), RequestError> {
    match words {
        0 | 1 => Ok(()),
        _ => ctx.limits.check_positions(&query.field),
    }
}

fn phrase(
    ctx: &mut Context<'_>,
    field: tantivy::schema::Field,
    path: &str,
    text: &str,
    query: &MatchPhrase,
) -> Result<Q, RequestError> {
    let found = words(&mut ctx.analyzer, text);
    let terms: Vec<Term> = found
        .iter()
        .map(|word| string_term(field, path, word))
        .collect();
    if terms.is_empty() {
        return Ok(zero_terms(query.zero_terms));
    }
    check_positions(ctx, query, terms.len())?;
    if query.prefix {
        if query.slop > 0 {
            return Err(RequestError::illegal_argument(
                "[match_phrase_prefix] with [slop] is not supported by logdash",
            ));
        }
        // (one word: its first completions, as Lucene expands it for Elasticsearch)
        if let ([term], [word]) = (terms.as_slice(), found.as_slice()) {
            let typed = term.serialized_value_bytes().len();
            return Ok(Box::new(super::expansion::FirstCompletions {
                prefix: term.clone(),
                word_at: typed.saturating_sub(word.len()),
                max: query.max_expansions as usize,
                index: ctx.fields.index,
            }));
        }
        let mut prefix = PhrasePrefixQuery::new(terms);
        prefix.set_max_expansions(query.max_expansions);
        return Ok(Box::new(prefix));
    }
    Ok(match terms.len() {
        1 => Box::new(TermQuery::new(
            terms.into_iter().next().expect("one term"),
            IndexRecordOption::WithFreqs,
        )),
        _ => {
            let with_offsets = terms.into_iter().enumerate().collect();
            Box::new(PhraseQuery::new_with_offset_and_slop(
                with_offsets,
                query.slop,
            ))
        }
    })
}

/// `multi_match`: the query on each field its patterns name (every field when none), the
/// best field's score (`best_fields`, the phrase types) or their sum.
pub(super) fn multi_match(ctx: &mut Context<'_>, query: &MultiMatch) -> Result<Q, RequestError> {
    let (fields, expanded) = expand(ctx, &query.fields);
    let lenient = query.lenient || expanded;
    let mut per_field: Vec<Q> = Vec::new();
    for (name, boost) in fields {
        let built = match query.kind {
            MultiMatchType::BestFields
            | MultiMatchType::MostFields
            | MultiMatchType::BoolPrefix => match_words(
                ctx,
                &Match {
                    field: name.clone(),
                    query: query.query.clone(),
                    operator: query.operator,
                    minimum_should_match: query.minimum_should_match.clone(),
                    zero_terms: query.zero_terms,
                    fuzziness: query.fuzziness,
                    transpositions: query.transpositions,
                    prefix_length: 0,
                    lenient,
                    bool_prefix: query.kind == MultiMatchType::BoolPrefix,
                    boost: 1.0,
                },
            ),
            MultiMatchType::Phrase | MultiMatchType::PhrasePrefix => match_phrase(
                ctx,
                &MatchPhrase {
                    field: name.clone(),
                    query: query.query.clone(),
                    slop: query.slop,
                    zero_terms: query.zero_terms,
                    prefix: query.kind == MultiMatchType::PhrasePrefix,
                    max_expansions: 50,
                    boost: 1.0,
                },
            ),
        };
        let built = match built {
            Err(_) if lenient => continue,
            other => other?,
        };
        per_field.push(if boost == 1.0 {
            built
        } else {
            Box::new(BoostQuery::new(built, boost))
        });
    }
    Ok(match (per_field.len(), query.kind) {
        (0, _) => Box::new(EmptyQuery),
        (1, _) => per_field.remove(0),
        (_, MultiMatchType::MostFields | MultiMatchType::BoolPrefix) => {
            Box::new(BooleanQuery::union(per_field))
        }
        _ => Box::new(DisjunctionMaxQuery::with_tie_breaker(
            per_field,
            query.tie_breaker.unwrap_or(0.0),
        )),
    })
}

/// The fields `patterns` name, with their boosts, and whether any came from a pattern (or
/// from none: every field but dates), where values of the wrong type are skipped. A
/// pattern passes over fields no query can find, as Elasticsearch's does.
pub(super) fn expand(
    ctx: &Context<'_>,
    patterns: &[logdash_core::es::query::FieldBoost],
) -> (Vec<(String, f32)>, bool) {
    let star = logdash_core::es::query::FieldBoost {
        pattern: "*".to_string(),
        boost: 1.0,
    };
    let patterns = match patterns.is_empty() || patterns.iter().any(|p| p.pattern == "*") {
        true => std::slice::from_ref(&star),
        false => patterns,
    };
    let mut fields = Vec::new();
    let mut expanded = false;
    for pattern in patterns {
        if !pattern.pattern.contains('*') {
            fields.push((pattern.pattern.clone(), pattern.boost));
            continue;
        }
        expanded = true;
        // each field the pattern names (a text field's `.keyword` by its own name)
        for (name, kind) in ctx.mapping.iter() {
            let keyword = format!("{name}.keyword");
            let names = match kind {
                FieldKind::Date | FieldKind::DateNanos => &[][..],
                FieldKind::Text => &[name.as_str(), keyword.as_str()][..],
                _ => &[name.as_str()][..],
            };
            for name in names {
                if pattern.matches(name) && ctx.limits.searchable(name) {
                    fields.push((name.to_string(), pattern.boost));
                }
            }
        }
    }
    (fields, expanded)
}
