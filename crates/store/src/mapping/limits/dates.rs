//! A date field's own format, as the indices a request reads declare it: what reads a
//! range's and a term's bounds, and writes its dates in aggregations.

use std::borrow::Cow;

use super::Limits;
use crate::mapping::explicit::Explicit;
use crate::RequestError;

impl Limits {
    /// The format a date field declares of its own (none: ISO 8601 and epoch
    /// milliseconds), which its dates are read and written in; refused where the indices
    /// searched together declare it otherwise.
    pub fn date_format(&self, field: &str) -> Result<Option<&str>, RequestError> {
        match self.date_formats.get(field) {
            None => Ok(None),
            Some(Some(format)) => Ok(Some(format)),
            Some(None) => Err(RequestError::illegal_argument(format!(
                "[{field}] has a different date format in some of the indices searched, which logdash searches as one: search them apart"
            ))),
        }
    }

    /// `aggs` with the `format` of each date field that has one of its own given to the
    /// aggregations that write its dates (keys, edges, `value_as_string`), as Elasticsearch
    /// writes them in the field's format; one that would write them otherwise is refused.
    pub fn with_date_formats<'a>(
        &self,
        aggs: &'a serde_json::Value,
    ) -> Result<Cow<'a, serde_json::Value>, RequestError> {
        if self.date_formats.is_empty() {
            return Ok(Cow::Borrowed(aggs));
        }
        let mut aggs = aggs.clone();
        self.give_date_formats(&mut aggs)?;
        Ok(Cow::Owned(aggs))
    }

    fn give_date_formats(&self, aggs: &mut serde_json::Value) -> Result<(), RequestError> {
        /// What writes a date field's values in its format.
        const WRITING: &[&str] = &[
            "date_histogram",
            "date_range",
            "terms",
            "min",
            "max",
            "avg",
            "sum",
            "stats",
            "extended_stats",
        ];
        let definitions = aggs
            .as_object_mut()
            .into_iter()
            .flat_map(|aggs| aggs.values_mut());
        for definition in definitions {
            for (kind, body) in definition.as_object_mut().into_iter().flatten() {
                if matches!(kind.as_str(), "aggs" | "aggregations") {
                    self.give_date_formats(body)?;
                    continue;
                }
                let Some(body) = body.as_object_mut() else {
                    continue;
                };
                let field = body.get("field").and_then(serde_json::Value::as_str);
                let Some(format) = field
                    .map(|field| self.date_format(field))
                    .transpose()?
                    .flatten()
                else {
                    continue;
                };
                if WRITING.contains(&kind.as_str()) {
                    body.entry("format").or_insert_with(|| format.into());
                } else if matches!(
                    kind.as_str(),
                    "percentiles" | "percentile_ranks" | "histogram" | "composite"
                ) {
                    return Err(RequestError::illegal_argument(format!(
                        "[{kind}] of the date field [{}] with a format of its own is not supported by logdash",
                        field.unwrap_or_default()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// A date field's declared format, when it is not the default's alternatives.
pub(super) fn own_date_format(explicit: &Explicit, field: &str) -> Option<String> {
    let declared = explicit.fields.get(field)?;
    if declared.kind != crate::mapping::FieldKind::Date {
        return None;
    }
    let format = declared.property.get("format")?.as_str()?;
    (!crate::mapping::date_format::DeclaredFormat::is_default(format)).then(|| format.to_string())
}
