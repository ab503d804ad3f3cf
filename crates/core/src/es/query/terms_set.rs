//! `terms_set`: the field holds at least so many of the given values. The number is a
//! `minimum_should_match` over the values' count; one read from each event's own field
//! (`minimum_should_match_field`) or worked out by a script is refused by name.

use serde_json::{json, Map, Value};

use super::read::{self, keys, one_field};
use super::{MinimumShouldMatch, QueryError, Scalar};

const KIND: &str = "terms_set";

#[derive(Debug, Clone, PartialEq)]
pub struct TermsSet {
    pub field: String,
    pub terms: Vec<Scalar>,
    pub minimum_should_match: MinimumShouldMatch,
    pub boost: f32,
}

impl TermsSet {
    pub(super) fn parse(value: &Value) -> Result<TermsSet, QueryError> {
        let (field, spec) = one_field(KIND, value)?;
        let Value::Object(options) = spec else {
            return Err(QueryError::parsing(format!(
                "[{KIND}] query malformed, no start_object after query name"
            )));
        };
        let (mut terms, mut minimum, mut boost) = (Vec::new(), None, 1.0);
        keys(KIND, options, |key, value| {
            match key {
                "terms" => {
                    let Value::Array(items) = value else {
                        return Err(QueryError::parsing(format!(
                            "[{KIND}] query does not support [{key}] as {value}: it takes an array of values"
                        )));
                    };
                    terms = items
                        .iter()
                        .map(|item| read::scalar(KIND, field, item))
                        .collect::<Result<_, _>>()?;
                }
                "minimum_should_match" => minimum = Some(MinimumShouldMatch::parse(value)?),
                "minimum_should_match_field" => {
                    return Err(QueryError::illegal(format!(
                        "[{KIND}] [{key}] is not supported by logdash: give [minimum_should_match]"
                    )))
                }
                "minimum_should_match_script" => {
                    return Err(QueryError::illegal(format!(
                        "[{KIND}] [{key}] is not supported by logdash: it runs no scripts"
                    )))
                }
                "boost" => boost = read::float(KIND, key, value)?,
                "_name" => return Err(read::unsupported(KIND, key)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let minimum_should_match = minimum.ok_or_else(|| {
            QueryError::illegal(format!(
                "[{KIND}] on [{field}] needs [minimum_should_match] (logdash reads no [minimum_should_match_field] or script)"
            ))
        })?;
        Ok(TermsSet {
            field: field.to_string(),
            terms,
            minimum_should_match,
            boost,
        })
    }

    pub(super) fn to_json(&self) -> Value {
        let mut options = Map::new();
        options.insert(
            "terms".into(),
            self.terms.iter().map(Scalar::to_json).collect(),
        );
        options.insert(
            "minimum_should_match".into(),
            self.minimum_should_match.to_json(),
        );
        json!({ &self.field: read::with_boost(options, self.boost) })
    }
}
