//! Exact values: `term` and `terms`, and the typed terms every other query builds on.

use std::ops::Bound;

use logdash_core::es::query::{Scalar, Term as TermQuerySpec, Terms, TermsSet};
use logdash_core::time::{AnyZone, Rounding};
use tantivy::query::{
    BooleanQuery, EmptyQuery, ExistsQuery, Occur, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::pattern::{json_regex, literal_regex};
use super::range::date_range;
use super::single::as_compared;
use super::{Context, Target, Q};
use crate::mapping::FieldKind;
use crate::RequestError;

pub(super) fn term(ctx: &mut Context<'_>, query: &TermQuerySpec) -> Result<Q, RequestError> {
    if query.case_insensitive {
        if let Some(built) = case_insensitive(ctx, &query.field, &query.value)? {
            return Ok(built);
        }
    }
    exact(ctx, &query.field, &query.value)
}

/// `case_insensitive` where case can differ: any casing of a keyword, the lowercase word of a
/// text field (its words are lowercase). Other fields have no case: `None`.
fn case_insensitive(
    ctx: &mut Context<'_>,
    field: &str,
    value: &Scalar,
) -> Result<Option<Q>, RequestError> {
    let text = value.to_string();
    Ok(match ctx.target(field)? {
        Target::Whole(path, FieldKind::Text) => Some(json_regex(
            ctx.fields.kw,
            &[path.as_str()],
            &literal_regex(&ctx.limits.normalize(&path, &text)?, true),
        )?),
        Target::Text(path) => Some(Box::new(TermQuery::new(
            string_term(ctx.fields.text, &path, &text.to_lowercase()),
            IndexRecordOption::Basic,
        ))),
        _ => None,
    })
}

pub(super) fn terms(ctx: &mut Context<'_>, query: &Terms) -> Result<Q, RequestError> {
    match ctx.target(&query.field)? {
        Target::Whole(path, FieldKind::Text) => {
            let terms = query
                .values
                .iter()
                .map(|value| {
                    let text = value.to_string();
                    let text = ctx.limits.normalize(&path, &text)?;
                    Ok(string_term(ctx.fields.kw, &path, &text))
                })
                .collect::<Result<Vec<_>, RequestError>>()?;
            Ok(Box::new(TermSetQuery::new(terms)))
        }
        _ => {
            let queries = query
                .values
                .iter()
                .map(|value| exact(ctx, &query.field, value))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Box::new(BooleanQuery::union(queries)))
        }
    }
}

/// `terms_set`: at least `minimum_should_match` of the values (none: nothing matches).
pub(super) fn terms_set(ctx: &mut Context<'_>, query: &TermsSet) -> Result<Q, RequestError> {
    let required = query.minimum_should_match.of(query.terms.len());
    if required == 0 || required > query.terms.len() {
        return Ok(Box::new(EmptyQuery));
    }
    let clauses = query
        .terms
        .iter()
        .map(|value| Ok((Occur::Should, exact(ctx, &query.field, value)?)))
        .collect::<Result<Vec<_>, RequestError>>()?;
    Ok(Box::new(BooleanQuery::with_minimum_required_clauses(
        clauses, required,
    )))
}

/// One exact value of one field, as `term` means it.
pub(super) fn exact(ctx: &mut Context<'_>, field: &str, value: &Scalar) -> Result<Q, RequestError> {
    let text = value.to_string();
    Ok(match ctx.target(field)? {
        // a date is a range from its start to its end, read in the field's format, as
        // Elasticsearch makes a term of a date (`2015-01-01` is the whole day)
        target @ (Target::Timestamp | Target::Whole(_, FieldKind::Date)) => {
            let format = super::DateFormat::of(ctx.limits.date_format(field)?)?;
            let from = format.bound(&text, ctx.now, Rounding::Down, &AnyZone::UTC)?;
            let to = format.bound(&text, ctx.now, Rounding::Up, &AnyZone::UTC)?;
            date_range(ctx.fields, &target, Bound::Included(from), Bound::Included(to))
        }
        Target::Whole(path, FieldKind::Ip) => ip_block(ctx, &path, &text)?,
        Target::Whole(path, FieldKind::DateNanos) => {
            let at = crate::nanos::bound(&text, ctx.now, Rounding::Down, &AnyZone::UTC)?;
            number_range(
                ctx.fields.kw,
                &path,
                Bound::Included(Number::Int(at)),
                Bound::Included(Number::Int(at)),
            )
        }
        Target::Whole(path, FieldKind::GeoPoint) => {
            return Err(RequestError {
                status: 400,
                kind: "query_shard_exception",
                reason: format!("failed to create query: Geometry fields do not support exact searching, use dedicated geometry queries instead: [{path}]"),
                raised: crate::Raised::Anywhere,
            })
        }
        Target::Index => Box::new(TermQuery::new(
            Term::from_field_text(ctx.fields.index, &text),
            IndexRecordOption::Basic,
        )),
        Target::Id => Box::new(TermQuery::new(
            Term::from_field_text(ctx.fields.id, &text),
            IndexRecordOption::Basic,
        )),
        Target::Text(path) => Box::new(TermQuery::new(
            string_term(ctx.fields.text, &path, &text),
            IndexRecordOption::Basic,
        )),
        Target::Whole(path, kind @ (FieldKind::Long | FieldKind::Float)) => {
            let number = Bound::Included(parse_number(&text)?);
            let (lower, upper) = as_compared(ctx, &path, kind, number, number);
            number_range(ctx.fields.kw, &path, lower, upper)
        }
        Target::Whole(path, FieldKind::Boolean) => {
            let flag = match text.as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(RequestError::bad_request(format!(
                    "Can't parse boolean value [{text}] for [{field}], expected [true] or [false]"
                )))
                }
            };
            let mut term = Term::from_field_json_path(ctx.fields.kw, &path, true);
            term.append_type_and_fast_value(flag);
            Box::new(TermQuery::new(term, IndexRecordOption::Basic))
        }
        Target::Whole(path, FieldKind::Text | FieldKind::Keyword | FieldKind::Flattened) => Box::new(TermQuery::new(
            string_term(ctx.fields.kw, &path, &ctx.limits.normalize(&path, &text)?),
            IndexRecordOption::Basic,
        )),
        Target::Unmapped(_) => Box::new(EmptyQuery),
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Number {
    Int(i64),
    Float(f64),
}

pub(super) fn parse_number(text: &str) -> Result<Number, RequestError> {
    if let Ok(int) = text.parse::<i64>() {
        return Ok(Number::Int(int));
    }
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Number::Float)
        // (on the shards, as Elasticsearch fails to build such a query there)
        .ok_or_else(|| RequestError {
            status: 400,
            kind: "query_shard_exception",
            reason: format!("failed to create query: For input string: \"{text}\""),
            raised: crate::Raised::Anywhere,
        })
}

pub(super) fn string_term(field: Field, path: &str, text: &str) -> Term {
    let mut term = Term::from_field_json_path(field, path, true);
    term.append_type_and_str(text);
    term
}

/// Which end of a range a bound is.
#[derive(Clone, Copy, PartialEq)]
enum End {
    Lower,
    Upper,
}

/// A bound over the whole numbers a field holds: a fractional bound rounds inward.
fn int_bound(bound: Bound<Number>, end: End) -> Bound<i64> {
    let (value, inclusive) = match bound {
        Bound::Unbounded => return Bound::Unbounded,
        Bound::Included(n) => (n, true),
        Bound::Excluded(n) => (n, false),
    };
    match value {
        Number::Int(n) if inclusive => Bound::Included(n),
        Number::Int(n) => Bound::Excluded(n),
        // `as` saturates: a bound past i64's range keeps every whole number on its side
        Number::Float(f) if f.fract() == 0.0 && !inclusive => Bound::Excluded(f as i64),
        Number::Float(f) if end == End::Lower => Bound::Included(f.ceil() as i64),
        Number::Float(f) => Bound::Included(f.floor() as i64),
    }
}

/// A bound of the range's floating-point half. An integer no double equals (past 2^53,
/// doubles stand 2 or more apart) is rounded inward to the nearest double inside the
/// range, so that this half never takes an integer column's value from outside it; the
/// integer half takes the integers inside.
fn float_bound(bound: Bound<Number>, end: End) -> Bound<f64> {
    let (value, inclusive) = match bound {
        Bound::Unbounded => return Bound::Unbounded,
        Bound::Included(n) => (n, true),
        Bound::Excluded(n) => (n, false),
    };
    let n = match value {
        Number::Float(f) if inclusive => return Bound::Included(f),
        Number::Float(f) => return Bound::Excluded(f),
        Number::Int(n) => n,
    };
    let nearest = n as f64;
    let above = (nearest as i128).cmp(&i128::from(n));
    match (above, end) {
        (std::cmp::Ordering::Equal, _) if inclusive => Bound::Included(nearest),
        (std::cmp::Ordering::Equal, _) => Bound::Excluded(nearest),
        // above i64::MAX (2^63): tantivy would read an included 2^63 as i64::MAX on an
        // integer column, which is no value above the bound
        (std::cmp::Ordering::Greater, End::Lower) if n == i64::MAX => Bound::Excluded(nearest),
        (std::cmp::Ordering::Greater, End::Lower) => Bound::Included(nearest),
        (std::cmp::Ordering::Less, End::Lower) => Bound::Included(nearest.next_up()),
        (std::cmp::Ordering::Less, End::Upper) => Bound::Included(nearest),
        (std::cmp::Ordering::Greater, End::Upper) => Bound::Included(nearest.next_down()),
    }
}

fn typed_range<T: Copy>(
    field: Field,
    path: &str,
    lower: Bound<T>,
    upper: Bound<T>,
    to_term: fn(Field, &str, T) -> Term,
) -> Q {
    let term = |bound: Bound<T>| match bound {
        Bound::Included(v) => Bound::Included(to_term(field, path, v)),
        Bound::Excluded(v) => Bound::Excluded(to_term(field, path, v)),
        Bound::Unbounded => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(term(lower), term(upper)))
}

/// Numbers between two bounds. A number field holds whole numbers as integers and others as
/// floats (as each event sent them), so the range runs over both.
pub(super) fn number_range(
    field: Field,
    path: &str,
    lower: Bound<Number>,
    upper: Bound<Number>,
) -> Q {
    if matches!((lower, upper), (Bound::Unbounded, Bound::Unbounded)) {
        return Box::new(ExistsQuery::new(format!("kw.{path}"), false));
    }
    let int_term = |field: Field, path: &str, n: i64| {
        let mut term = Term::from_field_json_path(field, path, true);
        term.append_type_and_fast_value(n);
        term
    };
    let float_term = |field: Field, path: &str, f: f64| {
        let mut term = Term::from_field_json_path(field, path, true);
        term.append_type_and_fast_value(f);
        term
    };
    let ints = typed_range(
        field,
        path,
        int_bound(lower, End::Lower),
        int_bound(upper, End::Upper),
        int_term,
    );
    let floats = typed_range(
        field,
        path,
        float_bound(lower, End::Lower),
        float_bound(upper, End::Upper),
        float_term,
    );
    Box::new(BooleanQuery::union(vec![ints, floats]))
}

/// A range of a column that holds only integers (a date_nanos field's epoch nanoseconds):
/// no floating-point half, whose bounds would be 256 apart at today's nanoseconds and
/// take an event at a bound for one inside it.
pub(super) fn integer_range(field: Field, path: &str, lower: Bound<i64>, upper: Bound<i64>) -> Q {
    if matches!((lower, upper), (Bound::Unbounded, Bound::Unbounded)) {
        return Box::new(ExistsQuery::new(format!("kw.{path}"), false));
    }
    typed_range(field, path, lower, upper, |field, path, n: i64| {
        let mut term = Term::from_field_json_path(field, path, true);
        term.append_type_and_fast_value(n);
        term
    })
}

/// An `ip` field's events at one address or in a CIDR block (`10.0.0.0/8`), as
/// Elasticsearch reads a term on one.
pub(super) fn ip_block(ctx: &Context<'_>, path: &str, text: &str) -> Result<Q, RequestError> {
    let (first, last) = crate::ip::query_block(text)?;
    let key = |key: &str| string_term(ctx.fields.kw, path, key);
    Ok(if first == last {
        Box::new(TermQuery::new(key(&first), IndexRecordOption::Basic))
    } else {
        Box::new(RangeQuery::new(
            Bound::Included(key(&first)),
            Bound::Included(key(&last)),
        ))
    })
}
