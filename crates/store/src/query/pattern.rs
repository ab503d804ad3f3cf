//! Terms by their shape: `prefix`, `wildcard`, `regexp`, `fuzzy`, and case-insensitive
//! terms, each as one automaton over the term dictionary of a JSON path.

use logdash_core::es::query::{Fuzzy, Pattern, PatternKind};
use tantivy::query::{BooleanQuery, EmptyQuery, FuzzyTermQuery, Occur, RegexQuery};
use tantivy::schema::Field;

use super::term::string_term;
use super::{Context, Target, Q};
use crate::mapping::FieldKind;
use crate::RequestError;

pub(super) fn pattern(ctx: &mut Context<'_>, query: &Pattern) -> Result<Q, RequestError> {
    let (field, path) = match ctx.target(&query.field)? {
        Target::Text(path) => (ctx.fields.text, path),
        Target::Whole(path, FieldKind::Text) => (ctx.fields.kw, path),
        Target::Unmapped(_) => return Ok(Box::new(EmptyQuery)),
        // as Elasticsearch words it (regexp has no wildcard field type to name)
        Target::Whole(_, kind) => {
            let fields = match query.kind {
                PatternKind::Regexp => "keyword and text fields",
                _ => "keyword, text and wildcard fields",
            };
            return Err(RequestError {
                status: 400,
                kind: "query_shard_exception",
                reason: format!(
                    "Can only use {} queries on {fields} - not on [{}] which is of type [{}]",
                    query.kind.name(),
                    query.field,
                    kind.es_type()
                ),
                raised: crate::Raised::Anywhere,
            });
        }
        Target::Timestamp | Target::Index | Target::Id => {
            return Err(RequestError::illegal_argument(format!(
                "{} queries on [{}] are not supported by logdash",
                query.kind.name(),
                query.field
            )))
        }
    };
    let value = normalized(ctx, field, &path, &query.value)?;
    let regex = match query.kind {
        PatternKind::Prefix => format!("{}.*", literal_regex(&value, query.case_insensitive)),
        PatternKind::Wildcard => wildcard_regex(&value, query.case_insensitive),
        PatternKind::Regexp => lucene_regex(&value, query.case_insensitive)?,
    };
    json_regex(field, &[path.as_str()], &regex)
}

/// A pattern or a fuzzy term as a keyword's normalizer makes it (all of it, as
/// Elasticsearch does); a text field's as given.
fn normalized<'v>(
    ctx: &Context<'_>,
    field: Field,
    path: &str,
    value: &'v str,
) -> Result<std::borrow::Cow<'v, str>, RequestError> {
    match field == ctx.fields.kw {
        true => ctx.limits.normalize(path, value),
        false => Ok(value.into()),
    }
}

/// `fuzzy`: terms within the allowed edits of the value, its first `prefix_length`
/// characters exact.
pub(super) fn fuzzy(ctx: &mut Context<'_>, query: &Fuzzy) -> Result<Q, RequestError> {
    let (field, path) = match ctx.target(&query.field)? {
        Target::Text(path) => (ctx.fields.text, path),
        Target::Whole(path, FieldKind::Text) => (ctx.fields.kw, path),
        Target::Unmapped(_) => return Ok(Box::new(EmptyQuery)),
        _ => {
            return Err(RequestError::illegal_argument(format!(
            "fuzzy queries on [{}] are not supported by logdash: only on keyword and text fields",
            query.field
        )))
        }
    };
    let value = normalized(ctx, field, &path, &query.value)?;
    let edits = query.fuzziness.edits_for(value.chars().count());
    let term = string_term(field, &path, &value);
    let fuzzy: Q = Box::new(FuzzyTermQuery::new(term, edits, query.transpositions));
    if query.prefix_length == 0 {
        return Ok(fuzzy);
    }
    let prefix: String = value.chars().take(query.prefix_length).collect();
    let prefix = json_regex(
        field,
        &[path.as_str()],
        &format!("{}.*", literal_regex(&prefix, false)),
    )?;
    Ok(Box::new(BooleanQuery::new(vec![
        (Occur::Must, fuzzy),
        (Occur::Must, prefix),
    ])))
}

/// `text` matched literally, or in any case.
pub(super) fn literal_regex(text: &str, case_insensitive: bool) -> String {
    text.chars()
        .map(|c| literal_char(c, case_insensitive))
        .collect()
}

fn literal_char(c: char, case_insensitive: bool) -> String {
    let lower: Vec<char> = c.to_lowercase().collect();
    let upper: Vec<char> = c.to_uppercase().collect();
    if case_insensitive && (lower != [c] || upper != [c]) && lower.len() == 1 && upper.len() == 1 {
        format!("[{}{}]", escaped(lower[0]), escaped(upper[0]))
    } else {
        escaped(c)
    }
}

fn escaped(c: char) -> String {
    if c.is_alphanumeric() {
        c.to_string()
    } else {
        format!("\\x{{{:x}}}", c as u32)
    }
}

/// `*` and `?` as a regular expression over whole terms; everything else literal (`\`
/// escapes the next character, as in Elasticsearch).
pub(super) fn wildcard_regex(pattern: &str, case_insensitive: bool) -> String {
    let mut regex = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => regex.push_str(".*"),
            '?' => regex.push('.'),
            '\\' => {
                if let Some(next) = chars.next() {
                    regex.push_str(&literal_char(next, case_insensitive));
                }
            }
            c => regex.push_str(&literal_char(c, case_insensitive)),
        }
    }
    regex
}

/// Lucene's regular expression syntax as the term dictionary's automaton reads it. Lucene's
/// `@` (any string) is translated; its other operators (`&`, `~`, `<n-m>`, `#`) are
/// refused by name rather than read as something else.
pub(super) fn lucene_regex(pattern: &str, case_insensitive: bool) -> Result<String, RequestError> {
    let mut regex = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => regex.push_str(&escaped(next)),
                None => regex.push_str("\\\\"),
            },
            '@' => regex.push_str(".*"),
            '"' => {
                for quoted in chars.by_ref() {
                    if quoted == '"' {
                        break;
                    }
                    regex.push_str(&literal_char(quoted, case_insensitive));
                }
            }
            '&' | '~' | '<' | '>' | '#' => {
                return Err(RequestError::illegal_argument(format!(
                "the regular expression operator [{c}] in [{pattern}] is not supported by logdash"
            )))
            }
            '^' | '$' => regex.push_str(&escaped(c)),
            c => regex.push(c),
        }
    }
    Ok(if case_insensitive {
        format!("(?i:{regex})")
    } else {
        regex
    })
}

/// Terms of any of `paths` of a JSON field that match `regex` (after the path): one
/// automaton over the term dictionary, whatever the number of paths.
pub(super) fn json_regex(field: Field, paths: &[&str], regex: &str) -> Result<Q, RequestError> {
    if paths.is_empty() {
        return Ok(Box::new(EmptyQuery));
    }
    let prefixes: Vec<String> = paths
        .iter()
        .map(|path| {
            let prefix = string_term(field, path, "");
            String::from_utf8_lossy(prefix.serialized_value_bytes())
                .chars()
                .map(escaped)
                .collect()
        })
        .collect();
    let whole = format!("(?:{})(?:{regex})", prefixes.join("|"));
    RegexQuery::from_pattern(&whole, field)
        .map(|q| Box::new(q) as Q)
        .map_err(|err| RequestError::bad_request(format!("bad pattern [{regex}]: {err}")))
}
