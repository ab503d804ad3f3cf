//! `range`: values between bounds, read as the field's type reads them (dates with date math,
//! `format` and `time_zone`; numbers; keywords in byte order).

use serde_json::{json, Map, Value};

use super::read::{self, keys, one_field_of_many};
use super::term::top_boost;
use super::{QueryError, Scalar};

/// One end of a range.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub value: Scalar,
    pub inclusive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub field: String,
    pub lower: Option<Bound>,
    pub upper: Option<Bound>,
    /// How date bounds are written (`strict_date_optional_time`, `epoch_millis`, ...).
    pub format: Option<String>,
    /// The zone of date bounds without an offset, and of their rounding.
    pub time_zone: Option<String>,
    pub boost: f32,
}

impl Range {
    /// A range on `field` with no bounds yet (every value it has).
    pub fn on(field: impl Into<String>) -> Range {
        Range {
            field: field.into(),
            lower: None,
            upper: None,
            format: None,
            time_zone: None,
            boost: 1.0,
        }
    }

    /// `gte <= field <= lte`.
    pub fn inclusive(
        field: impl Into<String>,
        gte: impl Into<Scalar>,
        lte: impl Into<Scalar>,
    ) -> Range {
        Range {
            lower: Some(Bound {
                value: gte.into(),
                inclusive: true,
            }),
            upper: Some(Bound {
                value: lte.into(),
                inclusive: true,
            }),
            ..Range::on(field)
        }
    }

    pub(super) fn parse(value: &Value) -> Result<Range, QueryError> {
        let (field, spec) = one_field_of_many("range", value)?;
        let options = spec.as_object().ok_or_else(|| {
            QueryError::parsing(format!(
                "[range] query malformed, no start_object after field [{field}]"
            ))
        })?;
        let mut range = Range {
            boost: top_boost("range", value)?,
            ..Range::on(field)
        };
        // `include_lower`/`include_upper` may come before or after `from`/`to`
        let (mut include_lower, mut include_upper) = (None, None);
        keys("range", options, |key, value| {
            let bound = |inclusive| -> Result<Option<Bound>, QueryError> {
                Ok(match value {
                    Value::Null => None,
                    other => Some(Bound {
                        value: read::scalar("range", field, other)?,
                        inclusive,
                    }),
                })
            };
            match key {
                "gte" | "from" => range.lower = bound(true)?,
                "gt" => range.lower = bound(false)?,
                "lte" | "to" => range.upper = bound(true)?,
                "lt" => range.upper = bound(false)?,
                "include_lower" => include_lower = Some(read::boolean("range", key, value)?),
                "include_upper" => include_upper = Some(read::boolean("range", key, value)?),
                "format" => range.format = Some(read::string("range", key, value)?),
                "time_zone" => range.time_zone = Some(read::time_zone("range", key, value)?),
                "boost" => range.boost = read::float("range", key, value)?,
                "relation" => {
                    let relation = read::string("range", key, value)?;
                    if !matches!(
                        relation.to_ascii_lowercase().as_str(),
                        "intersects" | "contains" | "within"
                    ) {
                        return Err(QueryError::illegal(format!(
                            "[range] query does not support relation [{relation}]"
                        )));
                    }
                }
                "_name" => return Err(read::unsupported("range", key)),
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if let (Some(inclusive), Some(bound)) = (include_lower, range.lower.as_mut()) {
            bound.inclusive = inclusive;
        }
        if let (Some(inclusive), Some(bound)) = (include_upper, range.upper.as_mut()) {
            bound.inclusive = inclusive;
        }
        Ok(range)
    }

    pub(super) fn to_json(&self) -> Value {
        let mut options = Map::new();
        if let Some(bound) = &self.lower {
            let key = if bound.inclusive { "gte" } else { "gt" };
            options.insert(key.into(), bound.value.to_json());
        }
        if let Some(bound) = &self.upper {
            let key = if bound.inclusive { "lte" } else { "lt" };
            options.insert(key.into(), bound.value.to_json());
        }
        if let Some(format) = &self.format {
            options.insert("format".into(), Value::from(format.as_str()));
        }
        if let Some(zone) = &self.time_zone {
            options.insert("time_zone".into(), Value::from(zone.as_str()));
        }
        json!({ &self.field: read::with_boost(options, self.boost) })
    }
}
