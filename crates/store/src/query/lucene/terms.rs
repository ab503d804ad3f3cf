//! A query string's terms: one with a field, read as that field reads a value; one
//! without, over every field of the scope, the best field's score.

use logdash_core::es::query::{Fuzziness, Fuzzy, MatchPhrase, ZeroTerms};
use logdash_core::lucene::Value as LuceneValue;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::super::pattern::{fuzzy, json_regex, lucene_regex, wildcard_regex};
use super::super::range::{range_for, RangeSpec};
use super::super::term::{exact, string_term};
use super::super::text::{match_phrase, words};
use super::super::{exists, resolve, Context, Target, Q};
use super::Scope;
use crate::mapping::FieldKind;
use crate::RequestError;

/// Elasticsearch's limit on the fields one term without a field may expand to.
const MAX_EXPANDED_FIELDS: usize = 1024;

/// A term without a field, over the scope's fields: the best field's score.
pub(super) fn unfielded(
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
    // `*`: every document, or over named fields those holding one of them
    if matches!(value, LuceneValue::Wildcard(pattern) if pattern == "*") {
        if scope.every {
            return Ok(Box::new(AllQuery));
        }
        let held: Vec<(Occur, Q)> = scope
            .fields
            .iter()
            .map(|(name, _)| (Occur::Should, exists(ctx, name)))
            .collect();
        return Ok(Box::new(BooleanQuery::new(held)));
    }
    if scope.fields.len() > MAX_EXPANDED_FIELDS {
        return Err(RequestError::illegal_argument(format!(
            "field expansion matches too many fields, limit: {MAX_EXPANDED_FIELDS}, got: {}; name a field (field:value) or set default_field",
            scope.fields.len()
        )));
    }
    // over every field, a pattern is one automaton over every text field's words (made
    // lower case, as their analyser makes words), and one over every keyword's whole
    // values (text fields' `.keyword` too), as each keyword's normalizer makes it
    if scope.every {
        if let LuceneValue::Wildcard(pattern) | LuceneValue::Regex(pattern) = value {
            return every_string(ctx, scope, value, pattern);
        }
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

/// A pattern (`value`, written `pattern`) over every string field of the scope (the fields
/// `*` names, [`super::super::text::expand`]): text fields' words and keywords' whole
/// values (a text field's `.keyword` among them).
fn every_string(
    ctx: &Context<'_>,
    scope: &Scope,
    value: &LuceneValue,
    pattern: &str,
) -> Result<Q, RequestError> {
    let regex = |pattern: &str, lower: bool| match value {
        LuceneValue::Regex(_) if lower => lucene_regex(&pattern.to_lowercase(), false),
        LuceneValue::Regex(_) => lucene_regex(pattern, false),
        _ if lower => Ok(wildcard_regex(&pattern.to_lowercase(), false)),
        _ => Ok(wildcard_regex(pattern, false)),
    };
    let mut texts = Vec::new();
    // whole values, grouped by the pattern each field's normalizer makes
    let mut by_pattern: Vec<(String, Vec<String>)> = Vec::new();
    for (name, _) in &scope.fields {
        let path = match resolve(ctx.mapping, name) {
            Target::Text(path) => {
                texts.push(path);
                continue;
            }
            // (a flattened field's leaves are no keyword of the scope's)
            Target::Whole(path, FieldKind::Text)
                if ctx.mapping.get(name) != Some(&FieldKind::Flattened) =>
            {
                path
            }
            _ => continue,
        };
        // (over every field, lenient: a field whose normalizers differ between the
        // indices is left out, as one that cannot read the value)
        let Ok(normalized) = ctx
            .limits
            .normalize(&path, pattern)
            .map(|made| made.into_owned())
        else {
            continue;
        };
        match by_pattern.iter_mut().find(|(made, _)| *made == normalized) {
            Some((_, paths)) => paths.push(path),
            None => by_pattern.push((normalized, vec![path])),
        }
    }
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut parts = vec![json_regex(ctx.fields.text, &texts, &regex(pattern, true)?)?];
    for (normalized, paths) in by_pattern {
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        parts.push(json_regex(
            ctx.fields.kw,
            &paths,
            &regex(&normalized, false)?,
        )?);
    }
    Ok(Box::new(BooleanQuery::union(parts)))
}

pub(super) fn fielded(
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
