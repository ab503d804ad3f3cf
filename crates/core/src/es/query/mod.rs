//! Elasticsearch's query DSL as types: parsed once, strictly (an unknown key or query kind is
//! refused by name, as Elasticsearch refuses it), built by the dashboard and read by the
//! store. One file a family of query kinds; [`Query::to_json`] writes what [`Query::parse`]
//! reads.

mod compound;
mod full_text;
mod msm;
mod pattern;
mod query_string;
mod range;
mod read;
pub mod simple;
mod term;
mod terms_set;

use std::fmt;

use serde_json::{json, Map, Value};

pub use compound::{Bool, Boosting, ConstantScore, DisMax};
pub use full_text::{Match, MatchPhrase, MultiMatch, MultiMatchType, Operator, ZeroTerms};
pub use msm::MinimumShouldMatch;
pub use pattern::{Fuzziness, Fuzzy, Pattern, PatternKind};
pub use query_string::{FieldBoost, QueryString, SimpleQueryString};
pub use range::{Bound, Range};
pub use term::{Exists, Ids, Term, Terms};
pub use terms_set::TermsSet;

/// One query of the DSL.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    MatchAll {
        boost: f32,
    },
    MatchNone,
    Bool(Box<Bool>),
    ConstantScore(Box<ConstantScore>),
    DisMax(DisMax),
    Boosting(Box<Boosting>),
    Term(Term),
    Terms(Terms),
    TermsSet(TermsSet),
    Range(Range),
    Exists(Exists),
    Ids(Ids),
    /// `prefix`, `wildcard` and `regexp`.
    Pattern(Pattern),
    Fuzzy(Fuzzy),
    Match(Match),
    MatchPhrase(MatchPhrase),
    MultiMatch(MultiMatch),
    QueryString(QueryString),
    SimpleQueryString(SimpleQueryString),
}

/// The query kinds logdash reads, for messages.
pub const KINDS: &str = "bool, boosting, constant_score, dis_max, exists, fuzzy, ids, match, \
match_all, match_bool_prefix, match_none, match_phrase, match_phrase_prefix, multi_match, \
prefix, query_string, range, regexp, simple_query_string, term, terms, terms_set and wildcard";

/// Query kinds Elasticsearch has that logdash does not: refused with Elasticsearch's own
/// error for them, naming the kind.
const ELSEWHERE: &[&str] = &[
    "combined_fields",
    "distance_feature",
    "function_score",
    "geo_bounding_box",
    "geo_distance",
    "geo_grid",
    "geo_polygon",
    "geo_shape",
    "has_child",
    "has_parent",
    "intervals",
    "knn",
    "more_like_this",
    "nested",
    "parent_id",
    "percolate",
    "pinned",
    "rank_feature",
    "script",
    "script_score",
    "semantic",
    "shape",
    "span_containing",
    "span_field_masking",
    "span_first",
    "span_multi",
    "span_near",
    "span_not",
    "span_or",
    "span_term",
    "span_within",
    "sparse_vector",
    "text_expansion",
    "weighted_tokens",
    "wrapper",
];

impl Query {
    /// Reads one query object, `{"kind": {...}}`.
    pub fn parse(value: &Value) -> Result<Query, QueryError> {
        let object = value.as_object().ok_or_else(|| {
            QueryError::parsing(format!(
                "[_na] query malformed, must start with start_object, not {value}"
            ))
        })?;
        let mut entries = object.iter();
        let (kind, body) = match (entries.next(), entries.next()) {
            (Some(entry), None) => entry,
            (None, _) => return Err(QueryError::parsing("query malformed, empty clause found")),
            (Some((first, _)), Some((second, _))) => {
                return Err(QueryError::parsing(format!(
                    "[{first}] malformed query, expected [END_OBJECT] but found [FIELD_NAME] ([{second}]): one query per object"
                )))
            }
        };
        Ok(match kind.as_str() {
            "match_all" => Query::MatchAll {
                boost: compound::boost_only("match_all", body)?,
            },
            "match_none" => {
                compound::boost_only("match_none", body)?;
                Query::MatchNone
            }
            "bool" => Query::Bool(Box::new(Bool::parse(body)?)),
            "constant_score" => Query::ConstantScore(Box::new(ConstantScore::parse(body)?)),
            "dis_max" => Query::DisMax(DisMax::parse(body)?),
            "boosting" => Query::Boosting(Box::new(Boosting::parse(body)?)),
            "term" => Query::Term(Term::parse(body)?),
            "terms" => Query::Terms(Terms::parse(body)?),
            "terms_set" => Query::TermsSet(TermsSet::parse(body)?),
            "range" => Query::Range(Range::parse(body)?),
            "exists" => Query::Exists(Exists::parse(body)?),
            "ids" => Query::Ids(Ids::parse(body)?),
            "prefix" => Query::Pattern(Pattern::parse(PatternKind::Prefix, body)?),
            "wildcard" => Query::Pattern(Pattern::parse(PatternKind::Wildcard, body)?),
            "regexp" => Query::Pattern(Pattern::parse(PatternKind::Regexp, body)?),
            "fuzzy" => Query::Fuzzy(Fuzzy::parse(body)?),
            "match" => Query::Match(Match::parse("match", body)?),
            "match_bool_prefix" => Query::Match(Match::parse("match_bool_prefix", body)?),
            "match_phrase" => Query::MatchPhrase(MatchPhrase::parse("match_phrase", body)?),
            "match_phrase_prefix" => {
                Query::MatchPhrase(MatchPhrase::parse("match_phrase_prefix", body)?)
            }
            "multi_match" => Query::MultiMatch(MultiMatch::parse(body)?),
            "query_string" => Query::QueryString(QueryString::parse(body)?),
            "simple_query_string" => Query::SimpleQueryString(SimpleQueryString::parse(body)?),
            other if ELSEWHERE.contains(&other) => {
                return Err(QueryError::illegal(format!(
                    "[{other}] queries are not supported by logdash; it reads {KINDS}"
                )))
            }
            other => {
                return Err(QueryError::parsing(format!("unknown query [{other}]")));
            }
        })
    }

    /// The query as Elasticsearch reads it.
    pub fn to_json(&self) -> Value {
        match self {
            Query::MatchAll { boost } => json!({"match_all": read::with_boost(Map::new(), *boost)}),
            Query::MatchNone => json!({"match_none": {}}),
            Query::Bool(query) => json!({"bool": query.to_json()}),
            Query::ConstantScore(query) => json!({"constant_score": query.to_json()}),
            Query::DisMax(query) => json!({"dis_max": query.to_json()}),
            Query::Boosting(query) => json!({"boosting": query.to_json()}),
            Query::Term(query) => json!({"term": query.to_json()}),
            Query::Terms(query) => json!({"terms": query.to_json()}),
            Query::TermsSet(query) => json!({"terms_set": query.to_json()}),
            Query::Range(query) => json!({"range": query.to_json()}),
            Query::Exists(query) => json!({"exists": query.to_json()}),
            Query::Ids(query) => json!({"ids": query.to_json()}),
            Query::Pattern(query) => json!({query.kind.name(): query.to_json()}),
            Query::Fuzzy(query) => json!({"fuzzy": query.to_json()}),
            Query::Match(query) => json!({query.kind(): query.to_json()}),
            Query::MatchPhrase(query) => json!({query.kind(): query.to_json()}),
            Query::MultiMatch(query) => json!({"multi_match": query.to_json()}),
            Query::QueryString(query) => json!({"query_string": query.to_json()}),
            Query::SimpleQueryString(query) => json!({"simple_query_string": query.to_json()}),
        }
    }

    /// `{"bool": {"filter": [...]}}` of these queries: all must match, none scores.
    pub fn all_of(filter: Vec<Query>) -> Query {
        Query::Bool(Box::new(Bool {
            filter,
            ..Bool::default()
        }))
    }
}

/// A value a term-level query compares: as written, before the field's type reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    pub fn from_json(value: &Value) -> Option<Scalar> {
        match value {
            Value::String(text) => Some(Scalar::Text(text.clone())),
            Value::Bool(flag) => Some(Scalar::Bool(*flag)),
            Value::Number(number) => Some(match number.as_i64() {
                Some(int) => Scalar::Int(int),
                None => Scalar::Float(number.as_f64()?),
            }),
            _ => None,
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Scalar::Text(text) => Value::from(text.as_str()),
            Scalar::Int(int) => Value::from(*int),
            Scalar::Float(float) => Value::from(*float),
            Scalar::Bool(flag) => Value::from(*flag),
        }
    }
}

impl fmt::Display for Scalar {
    /// The value as text, as Elasticsearch reads a term of any field type.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Text(text) => f.write_str(text),
            Scalar::Int(int) => write!(f, "{int}"),
            Scalar::Float(float) => write!(f, "{float}"),
            Scalar::Bool(flag) => write!(f, "{flag}"),
        }
    }
}

impl From<i64> for Scalar {
    fn from(int: i64) -> Self {
        Scalar::Int(int)
    }
}

impl From<&str> for Scalar {
    fn from(text: &str) -> Self {
        Scalar::Text(text.to_string())
    }
}

/// A query Elasticsearch would refuse, in its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// Elasticsearch's error type: `parsing_exception`, `x_content_parse_exception` or
    /// `illegal_argument_exception`.
    pub kind: &'static str,
    pub reason: String,
    /// A value Elasticsearch itself refuses (an unknown time zone): the proxy's check lets
    /// it through for the cluster to refuse, rather than forbidding it as a rule.
    pub invalid_value: bool,
}

impl QueryError {
    pub fn parsing(reason: impl Into<String>) -> Self {
        Self {
            kind: "parsing_exception",
            reason: reason.into(),
            invalid_value: false,
        }
    }

    pub fn illegal(reason: impl Into<String>) -> Self {
        Self {
            kind: "illegal_argument_exception",
            reason: reason.into(),
            invalid_value: false,
        }
    }

    /// A value Elasticsearch refuses with `illegal_argument_exception`.
    pub fn invalid_value(reason: impl Into<String>) -> Self {
        Self {
            invalid_value: true,
            ..Self::illegal(reason)
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.reason)
    }
}

impl std::error::Error for QueryError {}

#[cfg(test)]
mod tests;
