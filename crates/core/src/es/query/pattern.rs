//! Terms by their shape: `prefix`, `wildcard`, `regexp` and `fuzzy`.

use serde_json::{json, Map, Value};

use super::read::{self, keys, one_field};
use super::QueryError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    Prefix,
    /// `*` any characters, `?` one.
    Wildcard,
    /// Lucene's regular expressions, over whole terms.
    Regexp,
}

impl PatternKind {
    pub fn name(self) -> &'static str {
        match self {
            PatternKind::Prefix => "prefix",
            PatternKind::Wildcard => "wildcard",
            PatternKind::Regexp => "regexp",
        }
    }
}

/// Terms of `field` that start with, or match, `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub kind: PatternKind,
    pub field: String,
    pub value: String,
    pub case_insensitive: bool,
    pub boost: f32,
}

impl Pattern {
    pub(super) fn parse(kind: PatternKind, value: &Value) -> Result<Pattern, QueryError> {
        let name = kind.name();
        let (field, spec) = one_field(name, value)?;
        let mut out = Pattern {
            kind,
            field: field.to_string(),
            value: String::new(),
            case_insensitive: false,
            boost: 1.0,
        };
        match spec {
            Value::Object(options) => {
                let mut found = None;
                keys(name, options, |key, value| {
                    match (key, kind) {
                        ("value", _) | ("wildcard", PatternKind::Wildcard) => {
                            found = Some(read::string(name, key, value)?)
                        }
                        ("case_insensitive", _) => {
                            out.case_insensitive = read::boolean(name, key, value)?
                        }
                        ("boost", _) => out.boost = read::float(name, key, value)?,
                        // how Lucene rewrites the query: no effect on what matches
                        ("rewrite", _) => {
                            read::string(name, key, value)?;
                        }
                        ("flags", PatternKind::Regexp) => {
                            let flags = read::string(name, key, value)?;
                            if !matches!(flags.as_str(), "ALL" | "") {
                                return Err(read::unsupported(name, &format!("{key}: {flags}")));
                            }
                        }
                        ("max_determinized_states", PatternKind::Regexp) => {
                            read::whole(name, key, value)?;
                        }
                        ("_name", _) => return Err(read::unsupported(name, key)),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                out.value = found.ok_or_else(|| {
                    QueryError::illegal(format!("[{name}] query on [{field}] needs a [value]"))
                })?;
            }
            other => out.value = read::string(name, field, other)?,
        }
        Ok(out)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut options = Map::new();
        options.insert("value".into(), Value::from(self.value.as_str()));
        if self.case_insensitive {
            options.insert("case_insensitive".into(), Value::Bool(true));
        }
        json!({ &self.field: read::with_boost(options, self.boost) })
    }
}

/// How many single-character edits a fuzzy term may be from what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fuzziness {
    /// Elasticsearch's `AUTO:low,high`: none below `low` characters, one below `high`, else two.
    Auto {
        low: usize,
        high: usize,
    },
    Edits(u8),
}

impl Fuzziness {
    pub fn parse(value: &Value) -> Result<Fuzziness, QueryError> {
        let text = match value {
            Value::Number(_) => value.to_string(),
            Value::String(text) => text.trim().to_string(),
            _ => String::new(),
        };
        let bad = || {
            QueryError::illegal(format!(
                "failed to parse fuzziness [{text}]: it is AUTO, AUTO:low,high, 0, 1 or 2"
            ))
        };
        let upper = text.to_ascii_uppercase();
        if upper == "AUTO" {
            return Ok(Fuzziness::Auto { low: 3, high: 6 });
        }
        if let Some(bounds) = upper.strip_prefix("AUTO:") {
            let (low, high) = bounds.split_once(',').ok_or_else(bad)?;
            let low = low.trim().parse().map_err(|_| bad())?;
            let high = high.trim().parse().map_err(|_| bad())?;
            return Ok(Fuzziness::Auto { low, high });
        }
        // "1.0" is one edit, as Elasticsearch reads it
        let edits = text.parse::<f64>().map_err(|_| bad())?;
        if !(0.0..=2.0).contains(&edits) || edits.fract() != 0.0 {
            return Err(bad());
        }
        Ok(Fuzziness::Edits(edits as u8))
    }

    /// The edits allowed for a term of `length` characters.
    pub fn edits_for(self, length: usize) -> u8 {
        match self {
            Fuzziness::Edits(edits) => edits,
            Fuzziness::Auto { low, .. } if length < low => 0,
            Fuzziness::Auto { high, .. } if length < high => 1,
            Fuzziness::Auto { .. } => 2,
        }
    }

    pub fn to_json(self) -> Value {
        match self {
            Fuzziness::Auto { low: 3, high: 6 } => Value::from("AUTO"),
            Fuzziness::Auto { low, high } => Value::from(format!("AUTO:{low},{high}")),
            Fuzziness::Edits(edits) => Value::from(edits),
        }
    }
}

/// `fuzzy`: terms within some edits of `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fuzzy {
    pub field: String,
    pub value: String,
    pub fuzziness: Fuzziness,
    /// Leading characters that must match exactly.
    pub prefix_length: usize,
    /// Whether swapping two neighbours counts as one edit.
    pub transpositions: bool,
    pub boost: f32,
}

impl Fuzzy {
    pub(super) fn parse(value: &Value) -> Result<Fuzzy, QueryError> {
        let (field, spec) = one_field("fuzzy", value)?;
        let mut out = Fuzzy {
            field: field.to_string(),
            value: String::new(),
            fuzziness: Fuzziness::Auto { low: 3, high: 6 },
            prefix_length: 0,
            transpositions: true,
            boost: 1.0,
        };
        match spec {
            Value::Object(options) => {
                let mut found = None;
                keys("fuzzy", options, |key, value| {
                    match key {
                        "value" => found = Some(read::string("fuzzy", key, value)?),
                        "fuzziness" => out.fuzziness = Fuzziness::parse(value)?,
                        "prefix_length" => {
                            out.prefix_length = read::whole("fuzzy", key, value)? as usize
                        }
                        "transpositions" => {
                            out.transpositions = read::boolean("fuzzy", key, value)?
                        }
                        "max_expansions" => {
                            read::whole("fuzzy", key, value)?;
                        }
                        "rewrite" => {
                            read::string("fuzzy", key, value)?;
                        }
                        "boost" => out.boost = read::float("fuzzy", key, value)?,
                        "_name" => return Err(read::unsupported("fuzzy", key)),
                        _ => return Ok(false),
                    }
                    Ok(true)
                })?;
                out.value = found.ok_or_else(|| {
                    QueryError::illegal(format!("[fuzzy] query on [{field}] needs a [value]"))
                })?;
            }
            other => out.value = read::string("fuzzy", field, other)?,
        }
        Ok(out)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut options = Map::new();
        options.insert("value".into(), Value::from(self.value.as_str()));
        options.insert("fuzziness".into(), self.fuzziness.to_json());
        if self.prefix_length > 0 {
            options.insert("prefix_length".into(), Value::from(self.prefix_length));
        }
        if !self.transpositions {
            options.insert("transpositions".into(), Value::Bool(false));
        }
        json!({ &self.field: read::with_boost(options, self.boost) })
    }
}
