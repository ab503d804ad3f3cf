//! What people type: `query_string` (Lucene's syntax) and `simple_query_string` (its
//! forgiving cousin), over one field, several fields with boosts, or every field.

use serde_json::{Map, Value};

use super::read::{self, keys, object};
use super::{Fuzziness, MinimumShouldMatch, Operator, QueryError};

/// A field name or pattern (`extra.*`) with its `^boost`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldBoost {
    pub pattern: String,
    pub boost: f32,
}

impl FieldBoost {
    /// Reads `"message^2"`.
    pub fn parse(text: &str) -> Result<FieldBoost, QueryError> {
        match text.rsplit_once('^') {
            Some((pattern, boost)) => {
                let boost = boost
                    .trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|b| b.is_finite() && *b >= 0.0)
                    .ok_or_else(|| {
                        QueryError::illegal(format!("the boost of field [{text}] is not a number"))
                    })?;
                Ok(FieldBoost {
                    pattern: pattern.to_string(),
                    boost,
                })
            }
            None => Ok(FieldBoost {
                pattern: text.to_string(),
                boost: 1.0,
            }),
        }
    }

    pub(super) fn parse_list(kind: &str, value: &Value) -> Result<Vec<FieldBoost>, QueryError> {
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            single @ Value::String(_) => vec![single],
            _ => {
                return Err(QueryError::parsing(format!(
                    "[{kind}] [fields] must be an array of field names"
                )))
            }
        };
        items
            .into_iter()
            .map(|item| FieldBoost::parse(&read::string(kind, "fields", item)?))
            .collect()
    }

    /// Whether `name` is this field or matches its pattern (`*` anywhere).
    pub fn matches(&self, name: &str) -> bool {
        glob(&self.pattern, name)
    }

    pub(super) fn to_json(&self) -> Value {
        if self.boost == 1.0 {
            Value::from(self.pattern.as_str())
        } else {
            Value::from(format!("{}^{}", self.pattern, self.boost))
        }
    }
}

/// `*` as any characters, everything else literal.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            if !tail.contains('*') {
                return rest.ends_with(tail);
            }
            (0..=rest.len())
                .filter(|at| rest.is_char_boundary(*at))
                .any(|at| glob(tail, &rest[at..]))
        }
    }
}

/// `query_string`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryString {
    pub query: String,
    /// Where terms without a field look: a field or pattern, or with no fields every field.
    pub fields: Vec<FieldBoost>,
    pub default_operator: Operator,
    /// The zone of dates in ranges without an offset.
    pub time_zone: Option<String>,
    /// Terms that cannot be a value of a field (a word for a number) match nothing there
    /// instead of failing. Unset: lenient when searching every field, as Elasticsearch.
    pub lenient: Option<bool>,
    pub fuzziness: Option<Fuzziness>,
    /// Whether a fuzzy term's swapped neighbours count as one edit (`fuzzy_transpositions`).
    pub transpositions: bool,
    /// Whether a term may start with `*` or `?` (`allow_leading_wildcard`).
    pub leading_wildcard: bool,
    pub phrase_slop: u32,
    pub minimum_should_match: Option<MinimumShouldMatch>,
    pub boost: f32,
}

impl QueryString {
    pub fn new(query: impl Into<String>) -> QueryString {
        QueryString {
            query: query.into(),
            fields: Vec::new(),
            default_operator: Operator::Or,
            time_zone: None,
            lenient: None,
            fuzziness: None,
            transpositions: true,
            leading_wildcard: true,
            phrase_slop: 0,
            minimum_should_match: None,
            boost: 1.0,
        }
    }

    pub(super) fn parse(value: &Value) -> Result<QueryString, QueryError> {
        const KIND: &str = "query_string";
        let mut out = QueryString::new("");
        let mut found = None;
        let (mut default_field, mut fields) = (false, false);
        keys(KIND, object(KIND, value)?, |key, value| {
            match key {
                "query" => found = Some(read::string(KIND, key, value)?),
                "default_field" => {
                    default_field = true;
                    out.fields = vec![FieldBoost::parse(&read::string(KIND, key, value)?)?]
                }
                // a list only: Elasticsearch's parser takes no single name here
                "fields" if value.is_array() => {
                    out.fields = FieldBoost::parse_list(KIND, value)?;
                    fields = !out.fields.is_empty();
                }
                "fields" => {
                    return Err(QueryError::parsing(
                        "[query_string] query does not support [fields]",
                    ))
                }
                "default_operator" => out.default_operator = Operator::parse(KIND, value)?,
                "time_zone" => out.time_zone = Some(read::time_zone(KIND, key, value)?),
                "lenient" => out.lenient = Some(read::boolean(KIND, key, value)?),
                "fuzziness" => out.fuzziness = Some(Fuzziness::parse(value)?),
                "phrase_slop" => out.phrase_slop = read::whole(KIND, key, value)?,
                "minimum_should_match" => {
                    out.minimum_should_match = Some(MinimumShouldMatch::parse(value)?)
                }
                "boost" => out.boost = read::float(KIND, key, value)?,
                // logdash always analyses wildcard terms' case
                "analyze_wildcard" | "auto_generate_synonyms_phrase_query" | "escape" => {
                    read::boolean(KIND, key, value)?;
                }
                "allow_leading_wildcard" => out.leading_wildcard = read::boolean(KIND, key, value)?,
                "fuzzy_transpositions" => out.transpositions = read::boolean(KIND, key, value)?,
                "fuzzy_max_expansions" | "fuzzy_prefix_length" | "max_determinized_states" => {
                    read::whole(KIND, key, value)?;
                }
                "tie_breaker" => {
                    read::float(KIND, key, value)?;
                }
                "_name"
                | "analyzer"
                | "quote_analyzer"
                | "quote_field_suffix"
                | "rewrite"
                | "fuzzy_rewrite"
                | "type"
                | "enable_position_increments" => return Err(read::unsupported(KIND, key)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        out.query = found
            .ok_or_else(|| QueryError::parsing("[query_string] must be provided with a [query]"))?;
        if default_field && fields {
            // (Elasticsearch's validation, when a shard builds the query)
            return Err(QueryError {
                kind: "query_shard_exception",
                reason: "failed to create query: Validation Failed: 1: [query_string] cannot use [fields] parameter in conjunction with [default_field];".into(),
                invalid_value: false,
            });
        }
        Ok(out)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("query".into(), Value::from(self.query.as_str()));
        match self.fields.as_slice() {
            [] => {}
            [one] if one.boost == 1.0 => {
                object.insert("default_field".into(), Value::from(one.pattern.as_str()));
            }
            many => {
                object.insert(
                    "fields".into(),
                    many.iter().map(FieldBoost::to_json).collect(),
                );
            }
        }
        if self.default_operator == Operator::And {
            object.insert("default_operator".into(), Value::from("AND"));
        }
        if let Some(zone) = &self.time_zone {
            object.insert("time_zone".into(), Value::from(zone.as_str()));
        }
        if let Some(lenient) = self.lenient {
            object.insert("lenient".into(), Value::Bool(lenient));
        }
        if let Some(fuzziness) = self.fuzziness {
            object.insert("fuzziness".into(), fuzziness.to_json());
        }
        if !self.transpositions {
            object.insert("fuzzy_transpositions".into(), Value::Bool(false));
        }
        if !self.leading_wildcard {
            object.insert("allow_leading_wildcard".into(), Value::Bool(false));
        }
        if self.phrase_slop > 0 {
            object.insert("phrase_slop".into(), Value::from(self.phrase_slop));
        }
        if let Some(spec) = &self.minimum_should_match {
            object.insert("minimum_should_match".into(), spec.to_json());
        }
        Value::Object(read::with_boost(object, self.boost))
    }
}

/// `simple_query_string`: `+` and `|` and `-`, `"phrases"`, `prefix*`, `( )`, `~N`; never
/// an error for what people type.
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleQueryString {
    pub query: String,
    pub fields: Vec<FieldBoost>,
    pub default_operator: Operator,
    pub lenient: Option<bool>,
    pub minimum_should_match: Option<MinimumShouldMatch>,
    /// Whether a fuzzy term's swapped neighbours count as one edit (`fuzzy_transpositions`).
    pub transpositions: bool,
    /// The operators read (`flags`; the others are text).
    pub flags: super::simple::Flags,
    pub boost: f32,
}

impl SimpleQueryString {
    pub(super) fn parse(value: &Value) -> Result<SimpleQueryString, QueryError> {
        const KIND: &str = "simple_query_string";
        let mut out = SimpleQueryString {
            query: String::new(),
            fields: Vec::new(),
            default_operator: Operator::Or,
            lenient: None,
            minimum_should_match: None,
            transpositions: true,
            flags: super::simple::Flags::ALL,
            boost: 1.0,
        };
        let mut found = None;
        keys(KIND, object(KIND, value)?, |key, value| {
            match key {
                "query" => found = Some(read::string(KIND, key, value)?),
                "fields" if value.is_array() => out.fields = FieldBoost::parse_list(KIND, value)?,
                "fields" => {
                    return Err(QueryError::parsing(
                        "[simple_query_string] unsupported field [fields]",
                    ))
                }
                "default_operator" => out.default_operator = Operator::parse(KIND, value)?,
                "lenient" => out.lenient = Some(read::boolean(KIND, key, value)?),
                "minimum_should_match" => {
                    out.minimum_should_match = Some(MinimumShouldMatch::parse(value)?)
                }
                "boost" => out.boost = read::float(KIND, key, value)?,
                // a number is Lucene's bits (a negative one every flag)
                "flags" if value.is_number() => {
                    out.flags = super::simple::Flags::of_bits(value.as_i64().unwrap_or(-1))
                }
                "flags" => {
                    let flags = read::string(KIND, key, value)?;
                    out.flags = super::simple::Flags::parse(&flags).map_err(|unknown| {
                        QueryError::invalid_value(format!(
                            "Unknown simple_query_string flag [{unknown}]"
                        ))
                    })?;
                }
                "analyze_wildcard" | "auto_generate_synonyms_phrase_query" => {
                    read::boolean(KIND, key, value)?;
                }
                "fuzzy_transpositions" => out.transpositions = read::boolean(KIND, key, value)?,
                "fuzzy_max_expansions" | "fuzzy_prefix_length" => {
                    read::whole(KIND, key, value)?;
                }
                "_name" | "analyzer" | "quote_field_suffix" => {
                    return Err(read::unsupported(KIND, key))
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        out.query =
            found.ok_or_else(|| QueryError::parsing("[simple_query_string] query text missing"))?;
        Ok(out)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("query".into(), Value::from(self.query.as_str()));
        if !self.fields.is_empty() {
            object.insert(
                "fields".into(),
                self.fields.iter().map(FieldBoost::to_json).collect(),
            );
        }
        if self.default_operator == Operator::And {
            object.insert("default_operator".into(), Value::from("AND"));
        }
        if let Some(lenient) = self.lenient {
            object.insert("lenient".into(), Value::Bool(lenient));
        }
        if let Some(spec) = &self.minimum_should_match {
            object.insert("minimum_should_match".into(), spec.to_json());
        }
        if !self.transpositions {
            object.insert("fuzzy_transpositions".into(), Value::Bool(false));
        }
        if self.flags != super::simple::Flags::ALL {
            object.insert("flags".into(), Value::from(self.flags.to_text()));
        }
        Value::Object(read::with_boost(object, self.boost))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_patterns_and_boosts() {
        let field = FieldBoost::parse("extra.*^2").expect("valid");
        assert_eq!(field.boost, 2.0);
        assert!(field.matches("extra.user_id"));
        assert!(!field.matches("message"));
        assert!(FieldBoost::parse("*")
            .expect("valid")
            .matches("anything.at.all"));
        assert!(FieldBoost::parse("*_id")
            .expect("valid")
            .matches("extra.user_id"));
        assert!(FieldBoost::parse("a*c*e").expect("valid").matches("abcde"));
        assert!(!FieldBoost::parse("a*c*e").expect("valid").matches("abcd"));
        assert!(FieldBoost::parse("message^x").is_err());
    }
}
