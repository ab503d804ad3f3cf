//! Exact values: `term`, `terms`, `exists`, `ids`.

use serde_json::{json, Map, Value};

use super::read::{self, keys, object, one_field, one_field_of_many};
use super::{QueryError, Scalar};

/// `term`: the field holds exactly `value` (a keyword, number, boolean, date or one word of
/// a text field).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub field: String,
    pub value: Scalar,
    pub case_insensitive: bool,
    pub boost: f32,
}

impl Term {
    pub fn new(field: impl Into<String>, value: impl Into<Scalar>) -> Term {
        Term {
            field: field.into(),
            value: value.into(),
            case_insensitive: false,
            boost: 1.0,
        }
    }

    pub(super) fn parse(value: &Value) -> Result<Term, QueryError> {
        let (field, spec) = one_field("term", value)?;
        let mut term = Term {
            field: field.to_string(),
            value: Scalar::Bool(false),
            case_insensitive: false,
            boost: 1.0,
        };
        match spec {
            Value::Object(options) => {
                let mut found = None;
                keys("term", options, |key, value| {
                    match key {
                        "value" => found = Some(read::scalar("term", field, value)?),
                        "case_insensitive" => {
                            term.case_insensitive = read::boolean("term", key, value)?
                        }
                        "boost" => term.boost = read::float("term", key, value)?,
                        "_name" => return Err(read::unsupported("term", key)),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                term.value = found.ok_or_else(|| {
                    QueryError::illegal(format!("value cannot be null for [term] on [{field}]"))
                })?;
            }
            other => term.value = read::scalar("term", field, other)?,
        }
        Ok(term)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut options = Map::new();
        options.insert("value".into(), self.value.to_json());
        if self.case_insensitive {
            options.insert("case_insensitive".into(), Value::Bool(true));
        }
        json!({ &self.field: read::with_boost(options, self.boost) })
    }
}

/// `boost` (and `_name`) beside the field of `terms` or `range`.
pub(super) fn top_boost(kind: &str, value: &Value) -> Result<f32, QueryError> {
    let object = object(kind, value)?;
    if object.contains_key("_name") {
        return Err(read::unsupported(kind, "_name"));
    }
    object
        .get("boost")
        .map_or(Ok(1.0), |boost| read::float(kind, "boost", boost))
}

/// `terms`: the field holds any of `values`.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub field: String,
    pub values: Vec<Scalar>,
    pub boost: f32,
}

impl Terms {
    pub(super) fn parse(value: &Value) -> Result<Terms, QueryError> {
        let (field, spec) = one_field_of_many("terms", value)?;
        let items = match spec {
            Value::Array(items) => items,
            Value::Object(_) => {
                return Err(QueryError::illegal(format!(
                    "[terms] lookup (values of [{field}] from another document) is not supported by logdash"
                )))
            }
            _ => {
                return Err(QueryError::parsing(format!(
                    "[terms] query does not support [{field}]: it takes an array of values"
                )))
            }
        };
        let values = items
            .iter()
            .map(|item| read::scalar("terms", field, item))
            .collect::<Result<_, _>>()?;
        Ok(Terms {
            field: field.to_string(),
            values,
            boost: top_boost("terms", value)?,
        })
    }

    pub(super) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert(
            self.field.clone(),
            self.values.iter().map(Scalar::to_json).collect(),
        );
        Value::Object(read::with_boost(object, self.boost))
    }
}

/// `exists`: the field has a value (or, for an object, any field under it does).
#[derive(Debug, Clone, PartialEq)]
pub struct Exists {
    pub field: String,
    pub boost: f32,
}

impl Exists {
    pub(super) fn parse(value: &Value) -> Result<Exists, QueryError> {
        let (mut field, mut boost) = (None, 1.0);
        keys("exists", object("exists", value)?, |key, value| {
            match key {
                "field" => field = Some(read::string("exists", key, value)?),
                "boost" => boost = read::float("exists", key, value)?,
                "_name" => return Err(read::unsupported("exists", key)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let field =
            field.ok_or_else(|| QueryError::parsing("[exists] must be provided with a [field]"))?;
        Ok(Exists { field, boost })
    }

    pub(super) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("field".into(), Value::from(self.field.as_str()));
        Value::Object(read::with_boost(object, self.boost))
    }
}

/// `ids`: documents with any of these `_id`s.
#[derive(Debug, Clone, PartialEq)]
pub struct Ids {
    pub values: Vec<String>,
    pub boost: f32,
}

impl Ids {
    pub(super) fn parse(value: &Value) -> Result<Ids, QueryError> {
        let mut out = Ids {
            values: Vec::new(),
            boost: 1.0,
        };
        keys("ids", object("ids", value)?, |key, value| {
            match key {
                "values" => {
                    let items = value
                        .as_array()
                        .ok_or_else(|| QueryError::parsing("[ids] [values] must be an array"))?;
                    for item in items {
                        out.values.push(read::string("ids", key, item)?);
                    }
                }
                "boost" => out.boost = read::float("ids", key, value)?,
                "_name" => return Err(read::unsupported("ids", key)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(out)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("values".into(), Value::from(self.values.clone()));
        Value::Object(read::with_boost(object, self.boost))
    }
}
