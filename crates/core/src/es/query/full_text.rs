//! Analysed text: `match`, `match_bool_prefix`, `match_phrase`, `match_phrase_prefix` and
//! `multi_match`. On fields that are not text, the query's value is one exact term.

use serde_json::{json, Map, Value};

use super::query_string::FieldBoost;
use super::read::{self, keys, object, one_field};
use super::{Fuzziness, MinimumShouldMatch, QueryError, Scalar};

/// How the words of a `match` combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Operator {
    #[default]
    Or,
    And,
}

impl Operator {
    pub fn parse(kind: &str, value: &Value) -> Result<Operator, QueryError> {
        match value.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("or") => Ok(Operator::Or),
            Some("and") => Ok(Operator::And),
            _ => Err(QueryError::illegal(format!(
                "[{kind}] operator must be AND or OR, not {value}"
            ))),
        }
    }

    fn to_json(self) -> Value {
        Value::from(match self {
            Operator::Or => "or",
            Operator::And => "and",
        })
    }
}

/// What a query whose text analyses to no words matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZeroTerms {
    #[default]
    None,
    All,
}

impl ZeroTerms {
    fn parse(kind: &str, value: &Value) -> Result<ZeroTerms, QueryError> {
        match value.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("none") => Ok(ZeroTerms::None),
            Some("all") => Ok(ZeroTerms::All),
            _ => Err(QueryError::parsing(format!(
                "[{kind}] unsupported zero_terms_query value {value}: it is none or all"
            ))),
        }
    }
}

/// Elasticsearch's built-in analyzers, which logdash does not implement but `standard`.
const BUILT_IN_ANALYZERS: &[&str] = &[
    "simple",
    "whitespace",
    "stop",
    "keyword",
    "pattern",
    "fingerprint",
    "snowball",
    "arabic",
    "armenian",
    "basque",
    "bengali",
    "brazilian",
    "bulgarian",
    "catalan",
    "cjk",
    "czech",
    "danish",
    "dutch",
    "english",
    "estonian",
    "finnish",
    "french",
    "galician",
    "german",
    "greek",
    "hindi",
    "hungarian",
    "indonesian",
    "irish",
    "italian",
    "latvian",
    "lithuanian",
    "norwegian",
    "persian",
    "portuguese",
    "romanian",
    "russian",
    "serbian",
    "sorani",
    "spanish",
    "swedish",
    "turkish",
    "thai",
];

/// The analysers logdash has: the text fields' own (Elasticsearch's `standard`). Another
/// built-in one is refused by name; any other name is one an index may define, so the
/// store answers as Elasticsearch answers a name no index defines, and a cluster is
/// left to answer it.
fn analyzer(kind: &str, value: &Value) -> Result<(), QueryError> {
    match value.as_str() {
        Some("standard" | "default") => Ok(()),
        Some(name) if !BUILT_IN_ANALYZERS.contains(&name) => Err(QueryError {
            kind: "query_shard_exception",
            reason: format!("[{kind}] analyzer [{name}] not found"),
            invalid_value: true,
        }),
        _ => Err(QueryError::illegal(format!(
            "[{kind}] analyzer {value} is not supported by logdash: its text fields use [standard]"
        ))),
    }
}

/// `match` (any or all of the words) and `match_bool_prefix` (the last word a prefix).
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub field: String,
    pub query: Scalar,
    pub operator: Operator,
    pub minimum_should_match: Option<MinimumShouldMatch>,
    pub zero_terms: ZeroTerms,
    pub fuzziness: Option<Fuzziness>,
    /// Whether a fuzzy word's swapped neighbours count as one edit (`fuzzy_transpositions`).
    pub transpositions: bool,
    pub prefix_length: usize,
    /// A value of the wrong type for the field matches nothing instead of failing.
    pub lenient: bool,
    /// `match_bool_prefix`: the last word is a prefix.
    pub bool_prefix: bool,
    pub boost: f32,
}

impl Match {
    pub fn new(field: impl Into<String>, query: impl Into<Scalar>) -> Match {
        Match {
            field: field.into(),
            query: query.into(),
            operator: Operator::Or,
            minimum_should_match: None,
            zero_terms: ZeroTerms::None,
            fuzziness: None,
            transpositions: true,
            prefix_length: 0,
            lenient: false,
            bool_prefix: false,
            boost: 1.0,
        }
    }

    pub fn kind(&self) -> &'static str {
        if self.bool_prefix {
            "match_bool_prefix"
        } else {
            "match"
        }
    }

    pub(super) fn parse(kind: &'static str, value: &Value) -> Result<Match, QueryError> {
        let (field, spec) = one_field(kind, value)?;
        let mut out = Match::new(field, Scalar::Bool(false));
        out.bool_prefix = kind == "match_bool_prefix";
        match spec {
            Value::Object(options) => {
                let mut found = None;
                keys(kind, options, |key, value| {
                    match key {
                        "query" => found = Some(read::scalar(kind, field, value)?),
                        "operator" => out.operator = Operator::parse(kind, value)?,
                        "minimum_should_match" => {
                            out.minimum_should_match = Some(MinimumShouldMatch::parse(value)?)
                        }
                        "zero_terms_query" if !out.bool_prefix => {
                            out.zero_terms = ZeroTerms::parse(kind, value)?
                        }
                        "fuzziness" => out.fuzziness = Some(Fuzziness::parse(value)?),
                        "prefix_length" => {
                            out.prefix_length = read::whole(kind, key, value)? as usize
                        }
                        "lenient" if !out.bool_prefix => {
                            out.lenient = read::boolean(kind, key, value)?
                        }
                        "analyzer" => analyzer(kind, value)?,
                        "boost" => out.boost = read::float(kind, key, value)?,
                        // expansion limits and synonyms: no effect on logdash's analysis
                        "max_expansions" => {
                            read::whole(kind, key, value)?;
                        }
                        "auto_generate_synonyms_phrase_query" => {
                            read::boolean(kind, key, value)?;
                        }
                        "fuzzy_transpositions" => {
                            out.transpositions = read::boolean(kind, key, value)?
                        }
                        "fuzzy_rewrite" | "_name" => return Err(read::unsupported(kind, key)),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                out.query = found.ok_or_else(|| {
                    QueryError::illegal(format!("No text specified for text query on [{field}]"))
                })?;
            }
            other => out.query = read::scalar(kind, field, other)?,
        }
        Ok(out)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut options = Map::new();
        options.insert("query".into(), self.query.to_json());
        if self.operator != Operator::Or {
            options.insert("operator".into(), self.operator.to_json());
        }
        if let Some(spec) = &self.minimum_should_match {
            options.insert("minimum_should_match".into(), spec.to_json());
        }
        if self.zero_terms == ZeroTerms::All {
            options.insert("zero_terms_query".into(), Value::from("all"));
        }
        if let Some(fuzziness) = self.fuzziness {
            options.insert("fuzziness".into(), fuzziness.to_json());
        }
        if !self.transpositions {
            options.insert("fuzzy_transpositions".into(), Value::Bool(false));
        }
        if self.lenient {
            options.insert("lenient".into(), Value::Bool(true));
        }
        json!({ &self.field: read::with_boost(options, self.boost) })
    }
}

/// `match_phrase` (the words in order, `slop` moves apart) and `match_phrase_prefix` (the
/// last word a prefix).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchPhrase {
    pub field: String,
    pub query: Scalar,
    pub slop: u32,
    pub zero_terms: ZeroTerms,
    pub prefix: bool,
    /// `match_phrase_prefix`: how many terms the last word may expand to.
    pub max_expansions: u32,
    pub boost: f32,
}

impl MatchPhrase {
    pub fn kind(&self) -> &'static str {
        if self.prefix {
            "match_phrase_prefix"
        } else {
            "match_phrase"
        }
    }

    pub(super) fn parse(kind: &'static str, value: &Value) -> Result<MatchPhrase, QueryError> {
        let (field, spec) = one_field(kind, value)?;
        let mut out = MatchPhrase {
            field: field.to_string(),
            query: Scalar::Bool(false),
            slop: 0,
            zero_terms: ZeroTerms::None,
            prefix: kind == "match_phrase_prefix",
            max_expansions: 50,
            boost: 1.0,
        };
        match spec {
            Value::Object(options) => {
                let mut found = None;
                keys(kind, options, |key, value| {
                    match key {
                        "query" => found = Some(read::scalar(kind, field, value)?),
                        "slop" => out.slop = read::whole(kind, key, value)?,
                        "zero_terms_query" => out.zero_terms = ZeroTerms::parse(kind, value)?,
                        "max_expansions" if out.prefix => {
                            out.max_expansions = read::whole(kind, key, value)?
                        }
                        "analyzer" => analyzer(kind, value)?,
                        "boost" => out.boost = read::float(kind, key, value)?,
                        "_name" => return Err(read::unsupported(kind, key)),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                out.query = found.ok_or_else(|| {
                    QueryError::illegal(format!("No text specified for text query on [{field}]"))
                })?;
            }
            other => out.query = read::scalar(kind, field, other)?,
        }
        Ok(out)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut options = Map::new();
        options.insert("query".into(), self.query.to_json());
        if self.slop > 0 {
            options.insert("slop".into(), Value::from(self.slop));
        }
        if self.zero_terms == ZeroTerms::All {
            options.insert("zero_terms_query".into(), Value::from("all"));
        }
        if self.prefix && self.max_expansions != 50 {
            options.insert("max_expansions".into(), Value::from(self.max_expansions));
        }
        json!({ &self.field: read::with_boost(options, self.boost) })
    }
}

/// How `multi_match` combines its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MultiMatchType {
    /// The best field's score (plus `tie_breaker` of the others).
    #[default]
    BestFields,
    /// The sum of every field's score.
    MostFields,
    Phrase,
    PhrasePrefix,
    BoolPrefix,
}

impl MultiMatchType {
    fn parse(value: &Value) -> Result<MultiMatchType, QueryError> {
        Ok(
            match value.as_str().map(str::to_ascii_lowercase).as_deref() {
                Some("best_fields") => MultiMatchType::BestFields,
                Some("most_fields") => MultiMatchType::MostFields,
                Some("phrase") => MultiMatchType::Phrase,
                Some("phrase_prefix") => MultiMatchType::PhrasePrefix,
                Some("bool_prefix") => MultiMatchType::BoolPrefix,
                Some("cross_fields") => {
                    return Err(read::unsupported("multi_match", "type: cross_fields"))
                }
                _ => {
                    return Err(QueryError::parsing(format!(
                        "[multi_match] query does not support type {value}"
                    )))
                }
            },
        )
    }

    fn name(self) -> &'static str {
        match self {
            MultiMatchType::BestFields => "best_fields",
            MultiMatchType::MostFields => "most_fields",
            MultiMatchType::Phrase => "phrase",
            MultiMatchType::PhrasePrefix => "phrase_prefix",
            MultiMatchType::BoolPrefix => "bool_prefix",
        }
    }
}

/// `multi_match`: a `match` of the same text over several fields (patterns and `^boosts`).
#[derive(Debug, Clone, PartialEq)]
pub struct MultiMatch {
    pub query: Scalar,
    /// No fields: every field, as `index.query.default_field` (`*`) says.
    pub fields: Vec<FieldBoost>,
    pub kind: MultiMatchType,
    pub operator: Operator,
    pub minimum_should_match: Option<MinimumShouldMatch>,
    pub tie_breaker: Option<f32>,
    pub zero_terms: ZeroTerms,
    pub fuzziness: Option<Fuzziness>,
    pub transpositions: bool,
    pub slop: u32,
    pub lenient: bool,
    pub boost: f32,
}

impl MultiMatch {
    pub(super) fn parse(value: &Value) -> Result<MultiMatch, QueryError> {
        const KIND: &str = "multi_match";
        let mut out = MultiMatch {
            query: Scalar::Bool(false),
            fields: Vec::new(),
            kind: MultiMatchType::BestFields,
            operator: Operator::Or,
            minimum_should_match: None,
            tie_breaker: None,
            zero_terms: ZeroTerms::None,
            fuzziness: None,
            transpositions: true,
            slop: 0,
            lenient: false,
            boost: 1.0,
        };
        let mut found = None;
        keys(KIND, object(KIND, value)?, |key, value| {
            match key {
                "query" => found = Some(read::scalar(KIND, key, value)?),
                "fields" => out.fields = FieldBoost::parse_list(KIND, value)?,
                "type" => out.kind = MultiMatchType::parse(value)?,
                "operator" => out.operator = Operator::parse(KIND, value)?,
                "minimum_should_match" => {
                    out.minimum_should_match = Some(MinimumShouldMatch::parse(value)?)
                }
                "tie_breaker" => out.tie_breaker = Some(read::float(KIND, key, value)?),
                "zero_terms_query" => out.zero_terms = ZeroTerms::parse(KIND, value)?,
                "fuzziness" => out.fuzziness = Some(Fuzziness::parse(value)?),
                "slop" => out.slop = read::whole(KIND, key, value)?,
                "lenient" => out.lenient = read::boolean(KIND, key, value)?,
                "analyzer" => analyzer(KIND, value)?,
                "boost" => out.boost = read::float(KIND, key, value)?,
                "max_expansions" | "prefix_length" => {
                    read::whole(KIND, key, value)?;
                }
                "auto_generate_synonyms_phrase_query" => {
                    read::boolean(KIND, key, value)?;
                }
                "fuzzy_transpositions" => out.transpositions = read::boolean(KIND, key, value)?,
                "_name" | "fuzzy_rewrite" => return Err(read::unsupported(KIND, key)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        out.query =
            found.ok_or_else(|| QueryError::parsing("No text specified for multi_match query"))?;
        Ok(out)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("query".into(), self.query.to_json());
        if !self.fields.is_empty() {
            object.insert(
                "fields".into(),
                self.fields.iter().map(FieldBoost::to_json).collect(),
            );
        }
        if self.kind != MultiMatchType::BestFields {
            object.insert("type".into(), Value::from(self.kind.name()));
        }
        if self.operator != Operator::Or {
            object.insert("operator".into(), self.operator.to_json());
        }
        if let Some(spec) = &self.minimum_should_match {
            object.insert("minimum_should_match".into(), spec.to_json());
        }
        if let Some(tie) = self.tie_breaker {
            object.insert("tie_breaker".into(), Value::from(tie));
        }
        if self.zero_terms == ZeroTerms::All {
            object.insert("zero_terms_query".into(), Value::from("all"));
        }
        if let Some(fuzziness) = self.fuzziness {
            object.insert("fuzziness".into(), fuzziness.to_json());
        }
        if !self.transpositions {
            object.insert("fuzzy_transpositions".into(), Value::Bool(false));
        }
        if self.slop > 0 {
            object.insert("slop".into(), Value::from(self.slop));
        }
        if self.lenient {
            object.insert("lenient".into(), Value::Bool(true));
        }
        Value::Object(read::with_boost(object, self.boost))
    }
}
