//! Elasticsearch's query DSL (the subset in DESIGN.md) turned into tantivy queries.
//!
//! Field names resolve through the mapping: `@timestamp` is the date field, `x.keyword`
//! and numbers are whole values in `kw`, text fields are words in `text`, and
//! `query_string` terms without a field search every field that can hold them, as
//! Elasticsearch's default `*` field does.

use std::ops::Bound;

use logdash_core::lucene::{self, DefaultOperator, Node, Value as LuceneValue};
use logdash_core::time::{parse_date_math_in_zone, parse_fixed_offset, EpochMillis, Rounding};
use serde_json::{Map, Value};
use tantivy::query::{
    AllQuery, BooleanQuery, EmptyQuery, ExistsQuery, Occur, PhraseQuery, Query, RangeQuery,
    RegexQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DateTime, Term};

use crate::mapping::{FieldKind, IndexMapping};
use crate::schema::Fields;
use crate::RequestError;

/// What a query needs to know: the schema's fields, the fields' types, the time, and
/// the analyzer that split text into words at index time.
pub(crate) struct Context<'a> {
    pub fields: &'a Fields,
    pub mapping: &'a IndexMapping,
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
    /// Whole values (a `.keyword` sub-field, numbers, booleans, other dates).
    Whole(String, FieldKind),
    /// A field no target index has: matches nothing, as in Elasticsearch.
    Unmapped(String),
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
        Some(kind) => Target::Whole(name.to_string(), *kind),
        None => Target::Unmapped(name.to_string()),
    }
}

type Q = Box<dyn Query>;

/// Builds the query for a search body's `query` (absent: everything).
pub(crate) fn build(ctx: &mut Context<'_>, query: Option<&Value>) -> Result<Q, RequestError> {
    match query {
        None => Ok(Box::new(AllQuery)),
        Some(value) => clause(ctx, value),
    }
}

fn clause(ctx: &mut Context<'_>, value: &Value) -> Result<Q, RequestError> {
    let object = value.as_object().ok_or_else(|| {
        RequestError::bad_request("[query] must be an object, like {\"match_all\": {}}")
    })?;
    let mut entries = object.iter();
    let (kind, body) = match (entries.next(), entries.next()) {
        (Some(entry), None) => entry,
        (None, _) => return Err(RequestError::bad_request("query malformed, empty clause found")),
        (Some((first, _)), Some((second, _))) => {
            return Err(RequestError::bad_request(format!(
                "[{first}] malformed query, expected [END_OBJECT] but found [{second}]: one query per object"
            )))
        }
    };
    match kind.as_str() {
        "match_all" => Ok(Box::new(AllQuery)),
        "match_none" => Ok(Box::new(EmptyQuery)),
        "bool" => bool_query(ctx, body),
        "term" => term_query(ctx, body),
        "terms" => terms_query(ctx, body),
        "range" => range_query(ctx, body),
        "exists" => {
            let field = body
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| RequestError::bad_request("[exists] must name a [field]"))?;
            Ok(exists(ctx, field))
        }
        "match" => match_query(ctx, body, false),
        "match_phrase" => match_query(ctx, body, true),
        "query_string" => query_string(ctx, body),
        other => Err(RequestError::bad_request(format!(
            "unknown query [{other}]: logdash supports bool, match_all, match_none, term, terms, range, exists, match, match_phrase and query_string"
        ))),
    }
}

fn one_field<'v>(kind: &str, body: &'v Value) -> Result<(&'v str, &'v Value), RequestError> {
    let object = body
        .as_object()
        .ok_or_else(|| RequestError::bad_request(format!("[{kind}] query must be an object")))?;
    let mut fields = object
        .iter()
        .filter(|(key, _)| key.as_str() != "boost" && key.as_str() != "_name");
    match (fields.next(), fields.next()) {
        (Some((field, value)), None) => Ok((field, value)),
        (None, _) => Err(RequestError::bad_request(format!(
            "[{kind}] query does not name a field"
        ))),
        (Some(_), Some(_)) => Err(RequestError::bad_request(format!(
            "[{kind}] query doesn't support multiple fields, found [{}] and [{}]",
            object.keys().next().map_or("", String::as_str),
            object.keys().nth(1).map_or("", String::as_str)
        ))),
    }
}

/// A query's value and, when it came as an object, its options.
type ValueAndOptions<'v> = (&'v Value, Option<&'v Map<String, Value>>);

/// Splits `{field: value}` or `{field: {value|query: ..., options}}`, refusing options not listed.
fn value_and_options<'v>(
    kind: &str,
    spec: &'v Value,
    value_key: &str,
    allowed: &[&str],
) -> Result<ValueAndOptions<'v>, RequestError> {
    match spec.as_object() {
        Some(options) => {
            for key in options.keys() {
                if key != value_key
                    && !allowed.contains(&key.as_str())
                    && key != "boost"
                    && key != "_name"
                {
                    return Err(RequestError::bad_request(format!(
                        "[{kind}] query does not support [{key}]"
                    )));
                }
            }
            let value = options.get(value_key).ok_or_else(|| {
                RequestError::bad_request(format!("[{kind}] query needs [{value_key}]"))
            })?;
            Ok((value, Some(options)))
        }
        None => Ok((spec, None)),
    }
}

fn bool_query(ctx: &mut Context<'_>, body: &Value) -> Result<Q, RequestError> {
    let object = body
        .as_object()
        .ok_or_else(|| RequestError::bad_request("[bool] query must be an object"))?;
    let mut clauses: Vec<(Occur, Q)> = Vec::new();
    let mut has_positive = false;
    let mut should_count = 0;
    let mut minimum_should_match = None;
    for (key, value) in object {
        let occur = match key.as_str() {
            "must" | "filter" => Occur::Must,
            "should" => Occur::Should,
            "must_not" => Occur::MustNot,
            "minimum_should_match" => {
                minimum_should_match = Some(parse_minimum_should_match(value)?);
                continue;
            }
            "boost" | "_name" | "adjust_pure_negative" => continue,
            other => {
                return Err(RequestError::bad_request(format!(
                    "[bool] query does not support [{other}]"
                )))
            }
        };
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        for item in items {
            let query = clause(ctx, item)?;
            match occur {
                Occur::Must => has_positive = true,
                Occur::Should => should_count += 1,
                Occur::MustNot => {}
            }
            clauses.push((occur, query));
        }
    }
    let required = minimum_should_match.unwrap_or(if has_positive {
        0
    } else {
        usize::from(should_count > 0)
    });
    if !has_positive && should_count == 0 {
        // only must_not (or nothing): everything but what is excluded
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    if required > 0 && has_positive {
        // must + should with a minimum: the should part becomes one required clause
        let (should, mut rest): (Vec<_>, Vec<_>) =
            clauses.into_iter().partition(|(o, _)| *o == Occur::Should);
        let should: Vec<Q> = should.into_iter().map(|(_, q)| q).collect();
        rest.push((
            Occur::Must,
            Box::new(BooleanQuery::union_with_minimum_required_clauses(
                should, required,
            )),
        ));
        return Ok(Box::new(BooleanQuery::new(rest)));
    }
    if required > 1 {
        return Ok(Box::new(BooleanQuery::with_minimum_required_clauses(
            clauses, required,
        )));
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

fn parse_minimum_should_match(value: &Value) -> Result<usize, RequestError> {
    let parsed = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    parsed.map(|n| n as usize).ok_or_else(|| {
        RequestError::bad_request(format!(
            "[minimum_should_match] must be a whole number; [{value}] is not supported"
        ))
    })
}

fn term_query(ctx: &mut Context<'_>, body: &Value) -> Result<Q, RequestError> {
    let (field, spec) = one_field("term", body)?;
    let (value, _) = value_and_options("term", spec, "value", &["case_insensitive"])?;
    exact(ctx, field, value)
}

fn terms_query(ctx: &mut Context<'_>, body: &Value) -> Result<Q, RequestError> {
    let (field, values) = one_field("terms", body)?;
    let values = values.as_array().ok_or_else(|| {
        RequestError::bad_request(format!(
            "[terms] query on [{field}] needs an array of values"
        ))
    })?;
    match resolve(ctx.mapping, field) {
        Target::Whole(path, FieldKind::Text) => {
            let terms = values
                .iter()
                .filter_map(scalar_text)
                .map(|text| string_term(ctx.fields.kw, &path, &text));
            Ok(Box::new(TermSetQuery::new(terms)))
        }
        _ => {
            let queries = values
                .iter()
                .map(|value| exact(ctx, field, value))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Box::new(BooleanQuery::union(queries)))
        }
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One exact value of one field, as `term` means it.
fn exact(ctx: &mut Context<'_>, field: &str, value: &Value) -> Result<Q, RequestError> {
    let text = scalar_text(value).ok_or_else(|| {
        RequestError::bad_request(format!(
            "[term] value for [{field}] must be a string, number or boolean"
        ))
    })?;
    Ok(match resolve(ctx.mapping, field) {
        Target::Timestamp => {
            let ms = date_bound(&text, ctx.now, Rounding::Down, 0)?;
            let term =
                Term::from_field_date(ctx.fields.timestamp, DateTime::from_timestamp_millis(ms));
            Box::new(RangeQuery::new(
                Bound::Included(term.clone()),
                Bound::Included(term),
            ))
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
        Target::Whole(path, FieldKind::Long | FieldKind::Float) => {
            let number = parse_number(field, &text)?;
            number_range(
                ctx.fields.kw,
                &path,
                Bound::Included(number),
                Bound::Included(number),
            )
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
        Target::Whole(path, FieldKind::Text | FieldKind::Date) => Box::new(TermQuery::new(
            string_term(ctx.fields.kw, &path, &text),
            IndexRecordOption::Basic,
        )),
        Target::Unmapped(_) => Box::new(EmptyQuery),
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Number {
    Int(i64),
    Float(f64),
}

fn parse_number(field: &str, text: &str) -> Result<Number, RequestError> {
    if let Ok(int) = text.parse::<i64>() {
        return Ok(Number::Int(int));
    }
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Number::Float)
        .ok_or_else(|| {
            RequestError::bad_request(format!(
                "failed to create query: For input string: \"{text}\" (field [{field}] is numeric)"
            ))
        })
}

fn string_term(field: Field, path: &str, text: &str) -> Term {
    let mut term = Term::from_field_json_path(field, path, true);
    term.append_type_and_str(text);
    term
}

fn number_term(field: Field, path: &str, number: Number) -> Term {
    let mut term = Term::from_field_json_path(field, path, true);
    match number {
        Number::Int(int) => term.append_type_and_fast_value(int),
        Number::Float(float) => term.append_type_and_fast_value(float),
    }
    term
}

fn number_range(field: Field, path: &str, lower: Bound<Number>, upper: Bound<Number>) -> Q {
    let to_term = |bound: Bound<Number>| match bound {
        Bound::Included(n) => Bound::Included(number_term(field, path, n)),
        Bound::Excluded(n) => Bound::Excluded(number_term(field, path, n)),
        Bound::Unbounded => Bound::Unbounded,
    };
    match (lower, upper) {
        (Bound::Unbounded, Bound::Unbounded) => {
            Box::new(ExistsQuery::new(format!("kw.{path}"), false))
        }
        _ => Box::new(RangeQuery::new(to_term(lower), to_term(upper))),
    }
}

fn date_bound(
    text: &str,
    now: EpochMillis,
    rounding: Rounding,
    offset: i32,
) -> Result<EpochMillis, RequestError> {
    parse_date_math_in_zone(text, now, rounding, offset).map_err(|err| RequestError {
        status: 400,
        kind: "parse_exception",
        reason: err.to_string(),
    })
}

/// A range's bounds as written, before they are read as dates, numbers or strings.
struct RangeSpec {
    lower: Option<String>,
    include_lower: bool,
    upper: Option<String>,
    include_upper: bool,
    /// Minutes east of UTC for dates without an offset, and for rounding.
    offset: i32,
}

fn range_query(ctx: &mut Context<'_>, body: &Value) -> Result<Q, RequestError> {
    let (field, spec) = one_field("range", body)?;
    let options = spec.as_object().ok_or_else(|| {
        RequestError::bad_request(format!(
            "[range] query on [{field}] must be an object of bounds"
        ))
    })?;
    let mut bounds: [(Option<String>, bool); 2] = [(None, true), (None, true)];
    let mut offset = 0;
    for (key, value) in options {
        let text = match value {
            Value::Null => None,
            other => Some(scalar_text(other).ok_or_else(|| {
                RequestError::bad_request(format!(
                    "[range] bound [{key}] of [{field}] must be a string or number"
                ))
            })?),
        };
        match key.as_str() {
            "gte" | "from" => bounds[0] = (text, true),
            "gt" => bounds[0] = (text, false),
            "lte" | "to" => bounds[1] = (text, true),
            "lt" => bounds[1] = (text, false),
            "include_lower" => bounds[0].1 = value.as_bool().unwrap_or(true),
            "include_upper" => bounds[1].1 = value.as_bool().unwrap_or(true),
            "time_zone" => {
                let zone = value.as_str().unwrap_or_default();
                offset = parse_fixed_offset(zone).ok_or_else(|| {
                    RequestError::illegal_argument(format!(
                        "time_zone [{zone}] is not supported: logdash takes UTC or a fixed offset like +01:00"
                    ))
                })?;
            }
            "format" => {
                let format = value.as_str().unwrap_or_default();
                if !matches!(
                    format,
                    "strict_date_optional_time"
                        | "epoch_millis"
                        | "strict_date_optional_time||epoch_millis"
                        | "date_optional_time"
                ) {
                    return Err(RequestError::illegal_argument(format!(
                        "date format [{format}] is not supported: logdash reads ISO 8601 dates, date math and epoch_millis"
                    )));
                }
            }
            "boost" | "_name" | "relation" => {}
            other => {
                return Err(RequestError::bad_request(format!(
                    "[range] query does not support [{other}]"
                )))
            }
        }
    }
    let [(lower, include_lower), (upper, include_upper)] = bounds;
    range_for(
        ctx,
        field,
        RangeSpec {
            lower,
            include_lower,
            upper,
            include_upper,
            offset,
        },
    )
}

fn range_for(ctx: &mut Context<'_>, field: &str, spec: RangeSpec) -> Result<Q, RequestError> {
    let RangeSpec {
        lower,
        include_lower,
        upper,
        include_upper,
        offset,
    } = spec;
    match resolve(ctx.mapping, field) {
        Target::Timestamp => {
            // gte/lt round down, gt/lte round up, as Elasticsearch rounds date math
            let to_term = |ms: EpochMillis| Term::from_field_date(ctx.fields.timestamp, DateTime::from_timestamp_millis(ms));
            let lower = match lower {
                None => Bound::Unbounded,
                Some(text) if include_lower => Bound::Included(to_term(date_bound(&text, ctx.now, Rounding::Down, offset)?)),
                Some(text) => Bound::Excluded(to_term(date_bound(&text, ctx.now, Rounding::Up, offset)?)),
            };
            let upper = match upper {
                None => Bound::Unbounded,
                Some(text) if include_upper => Bound::Included(to_term(date_bound(&text, ctx.now, Rounding::Up, offset)?)),
                Some(text) => Bound::Excluded(to_term(date_bound(&text, ctx.now, Rounding::Down, offset)?)),
            };
            if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
                return Ok(Box::new(AllQuery));
            }
            Ok(Box::new(RangeQuery::new(lower, upper)))
        }
        Target::Whole(path, FieldKind::Long | FieldKind::Float) => {
            let bound = |text: Option<String>, inclusive: bool| -> Result<Bound<Number>, RequestError> {
                Ok(match text {
                    None => Bound::Unbounded,
                    Some(text) if inclusive => Bound::Included(parse_number(field, &text)?),
                    Some(text) => Bound::Excluded(parse_number(field, &text)?),
                })
            };
            Ok(number_range(ctx.fields.kw, &path, bound(lower, include_lower)?, bound(upper, include_upper)?))
        }
        Target::Whole(path, FieldKind::Text) => {
            let bound = |text: Option<String>, inclusive: bool| match text {
                None => Bound::Unbounded,
                Some(text) if inclusive => Bound::Included(string_term(ctx.fields.kw, &path, &text)),
                Some(text) => Bound::Excluded(string_term(ctx.fields.kw, &path, &text)),
            };
            let (lower, upper) = (bound(lower, include_lower), bound(upper, include_upper));
            if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
                return Ok(exists(ctx, field));
            }
            Ok(Box::new(RangeQuery::new(lower, upper)))
        }
        Target::Unmapped(_) => Ok(Box::new(EmptyQuery)),
        Target::Text(path) => Err(RequestError::illegal_argument(format!(
            "range queries on text field [{path}] are not supported; use [{path}.keyword]"
        ))),
        Target::Whole(path, kind) => Err(RequestError::illegal_argument(format!(
            "range queries on {} field [{path}] are not supported; logdash ranges dates on [@timestamp]",
            kind.es_type()
        ))),
        Target::Index | Target::Id => Err(RequestError::illegal_argument(format!("range queries on [{field}] are not supported"))),
    }
}

pub(crate) fn exists(ctx: &Context<'_>, field: &str) -> Q {
    match resolve(ctx.mapping, field) {
        Target::Timestamp | Target::Index | Target::Id => Box::new(AllQuery),
        Target::Text(path) | Target::Whole(path, _) => {
            Box::new(ExistsQuery::new(format!("kw.{path}"), false))
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

fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn match_query(ctx: &mut Context<'_>, body: &Value, phrase: bool) -> Result<Q, RequestError> {
    let kind = if phrase { "match_phrase" } else { "match" };
    let (field, spec) = one_field(kind, body)?;
    let allowed: &[&str] = if phrase {
        &["slop", "analyzer", "zero_terms_query"]
    } else {
        &["operator", "zero_terms_query", "lenient", "analyzer"]
    };
    let (value, options) = value_and_options(kind, spec, "query", allowed)?;
    let text = scalar_text(value).ok_or_else(|| {
        RequestError::bad_request(format!("[{kind}] query on [{field}] needs a string"))
    })?;
    let operator_and = options
        .and_then(|o| o.get("operator"))
        .and_then(Value::as_str)
        .is_some_and(|op| op.eq_ignore_ascii_case("and"));
    let slop = options
        .and_then(|o| o.get("slop"))
        .and_then(Value::as_u64)
        .unwrap_or(0) as u32;
    match resolve(ctx.mapping, field) {
        Target::Text(path) => {
            let field_id = ctx.fields.text;
            Ok(analyzed(
                ctx,
                field_id,
                Some(&path),
                &text,
                phrase,
                operator_and,
                slop,
            ))
        }
        _ => exact(ctx, field, value),
    }
}

/// Words of `text` against a words field: a phrase, or all/any of the words.
fn analyzed(
    ctx: &mut Context<'_>,
    field: Field,
    path: Option<&str>,
    text: &str,
    phrase: bool,
    all: bool,
    slop: u32,
) -> Q {
    let make = |word: &str| match path {
        Some(path) => string_term(field, path, word),
        None => Term::from_field_text(field, word),
    };
    let tokens: Vec<Term> = words(&mut ctx.analyzer, text)
        .iter()
        .map(|w| make(w))
        .collect();
    match tokens.len() {
        0 => Box::new(EmptyQuery),
        1 => Box::new(TermQuery::new(
            tokens.into_iter().next().expect("one term"),
            IndexRecordOption::WithFreqs,
        )),
        _ if phrase => {
            let with_offsets = tokens.into_iter().enumerate().collect();
            Box::new(PhraseQuery::new_with_offset_and_slop(with_offsets, slop))
        }
        _ => {
            let occur = if all { Occur::Must } else { Occur::Should };
            Box::new(BooleanQuery::new(
                tokens
                    .into_iter()
                    .map(|t| {
                        (
                            occur,
                            Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Q,
                        )
                    })
                    .collect(),
            ))
        }
    }
}

fn query_string(ctx: &mut Context<'_>, body: &Value) -> Result<Q, RequestError> {
    let object = body
        .as_object()
        .ok_or_else(|| RequestError::bad_request("[query_string] must be an object"))?;
    let mut text = None;
    let mut default_field = None;
    let mut operator = DefaultOperator::Or;
    let mut offset = 0;
    for (key, value) in object {
        match key.as_str() {
            "query" => text = value.as_str(),
            "default_field" => default_field = value.as_str().filter(|f| *f != "*"),
            "fields" => {
                let fields: Vec<&str> = value
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                default_field = match fields.as_slice() {
                    [] | ["*"] => None,
                    [one] => Some(*one),
                    _ => return Err(RequestError::illegal_argument("[query_string] with several [fields] is not supported; use one default_field")),
                };
            }
            "default_operator" => {
                operator = match value.as_str().map(str::to_ascii_uppercase).as_deref() {
                    Some("AND") => DefaultOperator::And,
                    Some("OR") => DefaultOperator::Or,
                    _ => {
                        return Err(RequestError::bad_request(format!(
                            "[query_string] default_operator must be AND or OR, not {value}"
                        )))
                    }
                }
            }
            "time_zone" => {
                let zone = value.as_str().unwrap_or_default();
                offset = parse_fixed_offset(zone).ok_or_else(|| {
                    RequestError::illegal_argument(format!("time_zone [{zone}] is not supported: logdash takes UTC or a fixed offset like +01:00"))
                })?;
            }
            "analyze_wildcard" | "allow_leading_wildcard" | "lenient" | "boost" | "_name" => {}
            other => {
                return Err(RequestError::bad_request(format!(
                    "[query_string] does not support [{other}]"
                )))
            }
        }
    }
    let text = text.ok_or_else(|| {
        RequestError::bad_request("[query_string] must be provided with a [query]")
    })?;
    let node = lucene::parse(text, operator).map_err(|err| RequestError {
        status: 400,
        kind: "query_shard_exception",
        reason: err.to_string(),
    })?;
    lucene_node(ctx, &node, default_field, offset)
}

fn lucene_node(
    ctx: &mut Context<'_>,
    node: &Node,
    default_field: Option<&str>,
    offset: i32,
) -> Result<Q, RequestError> {
    Ok(match node {
        Node::All => Box::new(AllQuery),
        Node::And(nodes) => {
            let mut clauses = Vec::new();
            let mut positive = false;
            for node in nodes {
                match node {
                    Node::Not(inner) => clauses.push((
                        Occur::MustNot,
                        lucene_node(ctx, inner, default_field, offset)?,
                    )),
                    node => {
                        positive = true;
                        clauses.push((Occur::Must, lucene_node(ctx, node, default_field, offset)?));
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
                .map(|n| lucene_node(ctx, n, default_field, offset))
                .collect::<Result<Vec<_>, _>>()?;
            Box::new(BooleanQuery::union(queries))
        }
        Node::Not(inner) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery) as Q),
            (
                Occur::MustNot,
                lucene_node(ctx, inner, default_field, offset)?,
            ),
        ])),
        Node::Exists(field) => exists(ctx, field),
        Node::Term { field, value } => match field.as_deref().or(default_field) {
            None => unfielded(ctx, value, offset)?,
            Some(field) => fielded(ctx, field, value, offset)?,
        },
    })
}

/// Elasticsearch's limit on the fields one term without a field may expand to.
const MAX_EXPANDED_FIELDS: usize = 1024;

/// A term without a field, over every field of the mapping that can hold it, leniently as
/// Elasticsearch's `*` default field: words and phrases in text fields, whole numbers and
/// booleans in their fields when the term is one; dates only through a named field.
fn unfielded(ctx: &mut Context<'_>, value: &LuceneValue, offset: i32) -> Result<Q, RequestError> {
    if matches!(value, LuceneValue::Range { .. }) {
        return Err(RequestError::bad_request(
            "a range needs a field: field:[a TO b]",
        ));
    }
    // the mapping outlives this borrow of `ctx`, so its names need no copies
    let mapping = ctx.mapping;
    let candidates: Vec<(&str, FieldKind)> = mapping
        .iter()
        .filter(|(_, kind)| **kind != FieldKind::Date)
        .map(|(name, kind)| (name.as_str(), *kind))
        .collect();
    if candidates.len() > MAX_EXPANDED_FIELDS {
        return Err(RequestError::illegal_argument(format!(
            "field expansion matches too many fields, limit: {MAX_EXPANDED_FIELDS}, got: {}; name a field (field:value) or set default_field",
            candidates.len()
        )));
    }
    if let LuceneValue::Wildcard(pattern) = value {
        let paths: Vec<&str> = candidates
            .iter()
            .filter(|(_, kind)| *kind == FieldKind::Text)
            .map(|(name, _)| *name)
            .collect();
        return json_wildcard_over(ctx.fields.text, &paths, &pattern.to_lowercase());
    }
    let mut queries = Vec::new();
    for (name, _) in candidates {
        // lenient: a field the term cannot be a value of (a word for a number field) is skipped
        if let Ok(query) = fielded(ctx, name, value, offset) {
            queries.push(query);
        }
    }
    Ok(match queries.len() {
        0 => Box::new(EmptyQuery),
        1 => queries.remove(0),
        _ => Box::new(BooleanQuery::union(queries)),
    })
}

fn fielded(
    ctx: &mut Context<'_>,
    field: &str,
    value: &LuceneValue,
    offset: i32,
) -> Result<Q, RequestError> {
    let target = resolve(ctx.mapping, field);
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
    Ok(match (&target, value) {
        (Target::Text(path), LuceneValue::Word(text)) => {
            let f = ctx.fields.text;
            analyzed(ctx, f, Some(path), text, false, true, 0)
        }
        (Target::Text(path), LuceneValue::Phrase(text)) => {
            let f = ctx.fields.text;
            analyzed(ctx, f, Some(path), text, true, true, 0)
        }
        (Target::Text(path), LuceneValue::Wildcard(pattern)) => {
            json_wildcard(ctx.fields.text, path, &pattern.to_lowercase())?
        }
        (
            Target::Whole(path, FieldKind::Text | FieldKind::Date),
            LuceneValue::Wildcard(pattern),
        ) => json_wildcard(ctx.fields.kw, path, pattern)?,
        (Target::Unmapped(_), _) => Box::new(EmptyQuery),
        (_, LuceneValue::Wildcard(pattern)) => {
            return Err(RequestError::illegal_argument(format!(
                "wildcard [{pattern}] on non-text field [{field}] is not supported"
            )))
        }
        (_, LuceneValue::Word(text) | LuceneValue::Phrase(text)) => {
            exact(ctx, field, &Value::String(text.clone()))?
        }
        (_, LuceneValue::Range { .. }) => Box::new(EmptyQuery),
    })
}

/// `*` and `?` as a regular expression over whole terms; everything else literal.
fn wildcard_regex(pattern: &str) -> String {
    let mut regex = String::new();
    for c in pattern.chars() {
        match c {
            '*' => regex.push_str(".*"),
            '?' => regex.push('.'),
            c if c.is_alphanumeric() => regex.push(c),
            c => regex.push_str(&format!("\\x{{{:x}}}", c as u32)),
        }
    }
    regex
}

/// A wildcard on one path of a JSON field: the path's term prefix, then the pattern.
fn json_wildcard(field: Field, path: &str, pattern: &str) -> Result<Q, RequestError> {
    json_wildcard_over(field, &[path], pattern)
}

/// A wildcard on any of several paths of a JSON field: one automaton over the term
/// dictionary, whatever the number of paths.
fn json_wildcard_over(field: Field, paths: &[&str], pattern: &str) -> Result<Q, RequestError> {
    if paths.is_empty() {
        return Ok(Box::new(EmptyQuery));
    }
    let prefixes: Vec<String> = paths
        .iter()
        .map(|path| {
            let prefix = string_term(field, path, "");
            wildcard_regex_literal(&String::from_utf8_lossy(prefix.serialized_value_bytes()))
        })
        .collect();
    let regex = format!("(?:{}){}", prefixes.join("|"), wildcard_regex(pattern));
    RegexQuery::from_pattern(&regex, field)
        .map(|q| Box::new(q) as Q)
        .map_err(|err| RequestError::bad_request(format!("bad wildcard [{pattern}]: {err}")))
}

fn wildcard_regex_literal(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_string()
            } else {
                format!("\\x{{{:x}}}", c as u32)
            }
        })
        .collect()
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
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, query),
        (Occur::Must, Box::new(TermSetQuery::new(terms))),
    ]))
}
