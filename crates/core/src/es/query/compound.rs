//! Queries of queries: `bool`, `constant_score`, `dis_max`, `boosting`.

use serde_json::{Map, Value};

use super::read::{self, keys, object};
use super::{MinimumShouldMatch, Query, QueryError};

/// `bool`: every `must` and `filter` clause matches (only `must` scores), enough `should`
/// clauses match, no `must_not` clause does.
#[derive(Debug, Clone, PartialEq)]
pub struct Bool {
    pub must: Vec<Query>,
    pub filter: Vec<Query>,
    pub should: Vec<Query>,
    pub must_not: Vec<Query>,
    pub minimum_should_match: Option<MinimumShouldMatch>,
    pub boost: f32,
}

impl Default for Bool {
    fn default() -> Self {
        Self {
            must: Vec::new(),
            filter: Vec::new(),
            should: Vec::new(),
            must_not: Vec::new(),
            minimum_should_match: None,
            boost: 1.0,
        }
    }
}

impl Bool {
    pub(super) fn parse(value: &Value) -> Result<Bool, QueryError> {
        let mut out = Bool::default();
        keys("bool", object("bool", value)?, |key, value| {
            let list = match key {
                "must" => &mut out.must,
                "filter" => &mut out.filter,
                "should" => &mut out.should,
                "must_not" | "mustNot" => &mut out.must_not,
                "minimum_should_match" => {
                    out.minimum_should_match = Some(MinimumShouldMatch::parse(value)?);
                    return Ok(true);
                }
                "boost" => {
                    out.boost = read::float("bool", key, value)?;
                    return Ok(true);
                }
                "adjust_pure_negative" => return read::boolean("bool", key, value).map(|_| true),
                "_name" => return Err(read::unsupported("bool", key)),
                _ => return Ok(false),
            };
            match value {
                Value::Array(items) => {
                    for item in items {
                        list.push(Query::parse(item)?);
                    }
                }
                single => list.push(Query::parse(single)?),
            }
            Ok(true)
        })?;
        Ok(out)
    }

    /// How many `should` clauses must match: `minimum_should_match` of their number, or by
    /// default one when nothing else is required and none otherwise.
    pub fn required_should(&self) -> usize {
        match &self.minimum_should_match {
            Some(spec) => spec.of(self.should.len()),
            None if self.must.is_empty() && self.filter.is_empty() => {
                usize::from(!self.should.is_empty())
            }
            None => 0,
        }
    }

    pub(super) fn to_json(&self) -> Value {
        let mut object = Map::new();
        for (key, list) in [
            ("must", &self.must),
            ("filter", &self.filter),
            ("should", &self.should),
            ("must_not", &self.must_not),
        ] {
            if !list.is_empty() {
                object.insert(key.into(), list.iter().map(Query::to_json).collect());
            }
        }
        if let Some(spec) = &self.minimum_should_match {
            object.insert("minimum_should_match".into(), spec.to_json());
        }
        Value::Object(read::with_boost(object, self.boost))
    }
}

/// A query's `boost` alone (`match_all`, `match_none`), refusing anything else.
pub(super) fn boost_only(kind: &str, value: &Value) -> Result<f32, QueryError> {
    let mut boost = 1.0;
    keys(kind, object(kind, value)?, |key, value| match key {
        "boost" => {
            boost = read::float(kind, key, value)?;
            Ok(true)
        }
        "_name" => Err(read::unsupported(kind, key)),
        _ => Ok(false),
    })?;
    Ok(boost)
}

/// `constant_score`: what `filter` matches, every hit scored `boost`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstantScore {
    pub filter: Query,
    pub boost: f32,
}

impl ConstantScore {
    pub(super) fn parse(value: &Value) -> Result<ConstantScore, QueryError> {
        let (mut filter, mut boost) = (None, 1.0);
        keys(
            "constant_score",
            object("constant_score", value)?,
            |key, value| {
                match key {
                    "filter" => filter = Some(Query::parse(value)?),
                    "boost" => boost = read::float("constant_score", key, value)?,
                    "_name" => return Err(read::unsupported("constant_score", key)),
                    _ => return Ok(false),
                }
                Ok(true)
            },
        )?;
        let filter = filter
            .ok_or_else(|| QueryError::parsing("[constant_score] requires a 'filter' element"))?;
        Ok(ConstantScore { filter, boost })
    }

    pub(super) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("filter".into(), self.filter.to_json());
        Value::Object(read::with_boost(object, self.boost))
    }
}

/// `dis_max`: what any of `queries` matches, scored by the best of them plus `tie_breaker`
/// times the others.
#[derive(Debug, Clone, PartialEq)]
pub struct DisMax {
    pub queries: Vec<Query>,
    pub tie_breaker: f32,
    pub boost: f32,
}

impl DisMax {
    pub(super) fn parse(value: &Value) -> Result<DisMax, QueryError> {
        let mut out = DisMax {
            queries: Vec::new(),
            tie_breaker: 0.0,
            boost: 1.0,
        };
        keys("dis_max", object("dis_max", value)?, |key, value| {
            match key {
                "queries" => {
                    let items = value.as_array().ok_or_else(|| {
                        QueryError::parsing("[dis_max] [queries] must be an array of queries")
                    })?;
                    for item in items {
                        out.queries.push(Query::parse(item)?);
                    }
                }
                "tie_breaker" => out.tie_breaker = read::float("dis_max", key, value)?,
                "boost" => out.boost = read::float("dis_max", key, value)?,
                "_name" => return Err(read::unsupported("dis_max", key)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if out.queries.is_empty() {
            return Err(QueryError::parsing(
                "[dis_max] requires 'queries' field with at least one clause",
            ));
        }
        Ok(out)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert(
            "queries".into(),
            self.queries.iter().map(Query::to_json).collect(),
        );
        if self.tie_breaker != 0.0 {
            object.insert("tie_breaker".into(), Value::from(self.tie_breaker));
        }
        Value::Object(read::with_boost(object, self.boost))
    }
}

/// `boosting`: what `positive` matches, the hits `negative` also matches scored down by
/// `negative_boost`.
#[derive(Debug, Clone, PartialEq)]
pub struct Boosting {
    pub positive: Query,
    pub negative: Query,
    pub negative_boost: f32,
    pub boost: f32,
}

impl Boosting {
    pub(super) fn parse(value: &Value) -> Result<Boosting, QueryError> {
        let (mut positive, mut negative, mut negative_boost, mut boost) = (None, None, None, 1.0);
        keys("boosting", object("boosting", value)?, |key, value| {
            match key {
                "positive" => positive = Some(Query::parse(value)?),
                "negative" => negative = Some(Query::parse(value)?),
                "negative_boost" => negative_boost = Some(read::float("boosting", key, value)?),
                "boost" => boost = read::float("boosting", key, value)?,
                "_name" => return Err(read::unsupported("boosting", key)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let missing =
            |what: &str| QueryError::parsing(format!("[boosting] query requires '{what}' query"));
        let positive = positive.ok_or_else(|| missing("positive"))?;
        let negative = negative.ok_or_else(|| missing("negative"))?;
        let negative_boost = negative_boost.filter(|b| *b >= 0.0).ok_or_else(|| {
            QueryError::parsing(
                "[boosting] query requires 'negative_boost' to be set to be a positive value'",
            )
        })?;
        Ok(Boosting {
            positive,
            negative,
            negative_boost,
            boost,
        })
    }

    pub(super) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("positive".into(), self.positive.to_json());
        object.insert("negative".into(), self.negative.to_json());
        object.insert("negative_boost".into(), Value::from(self.negative_boost));
        Value::Object(read::with_boost(object, self.boost))
    }
}
