//! What a declared `index: false` or `doc_values: false` takes away from a search, as
//! Elasticsearch 8 answers it: a field with neither (or a text field not indexed) cannot be
//! searched, a field without doc values cannot be aggregated or sorted on. logdash keeps
//! indexing what can still be searched or aggregated, so the answers are Elasticsearch's;
//! a field that can be neither is kept in `_source` only. Beside them, what else the
//! indices declare of a field that changes how a search reads it: a keyword's normalizer,
//! a float's precision, a text field's positions and fielddata (`text`), a date's own
//! format (`dates`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::explicit::Explicit;
use super::normalizer::Normalizer;
use super::IndexMapping;
use crate::{Raised, RequestError};

mod dates;
mod text;

use dates::own_date_format;

/// The limited fields of the indices one request reads.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Limits {
    /// Fields no query can find, with why.
    unsearchable: BTreeMap<String, &'static str>,
    /// Text fields indexed without their words' positions (`index_options`), where no
    /// phrase can be looked up.
    no_positions: std::collections::BTreeSet<String>,
    /// Text fields whose words are their values for aggregations and sorts
    /// (`fielddata: true`) in every index that has them.
    fielddata: std::collections::BTreeSet<String>,
    /// Date fields with a format of their own (not ISO 8601 and epoch milliseconds), as
    /// declared: `None` where the indices read do not agree on it.
    date_formats: BTreeMap<String, Option<String>>,
    /// Fields without doc values, with their type.
    no_doc_values: BTreeMap<String, String>,
    /// Keywords with a normalizer, by where their whole values are (`msg` for a text
    /// field's `msg.keyword`): `None` where the indices read do not agree on it.
    normalized: BTreeMap<String, Option<Normalizer>>,
    /// Floating-point fields declared `double` (or `scaled_float`), whose values are read at
    /// full precision (a `float`'s, Elasticsearch's dynamic type for fractions, at single).
    doubles: std::collections::BTreeSet<String>,
    /// Whole-number fields declared `integer`, `short` or `byte`: sorted as Java's ints
    /// (a missing value shows as an int's bound).
    ints: std::collections::BTreeSet<String>,
}

impl Limits {
    /// The limits of the indices a request reads, each with its explicit mapping and its
    /// fields: a field is limited where every index that has it limits it (where one does
    /// not, the others' events simply lack it, as Elasticsearch answers from the shards
    /// that can).
    pub fn of<'a>(
        indices: impl IntoIterator<Item = (Option<&'a Explicit>, Option<&'a IndexMapping>)>,
    ) -> Limits {
        let indices: Vec<_> = indices.into_iter().collect();
        let mut limits = Limits::declared(indices.iter().filter_map(|(explicit, _)| *explicit));
        // only the few limited names are looked up, not every field of every index
        let able_somewhere = |name: &str, able: fn(&super::explicit::Declared) -> bool| {
            indices.iter().any(|(explicit, fields)| {
                let declared = explicit.and_then(|explicit| explicit.fields.get(name));
                fields.is_some_and(|fields| fields.contains_key(name)) && declared.is_none_or(able)
            })
        };
        limits
            .unsearchable
            .retain(|name, _| !able_somewhere(name, |declared| declared.searchable()));
        limits
            .no_doc_values
            .retain(|name, _| !able_somewhere(name, |declared| declared.has_doc_values()));
        limits
            .fielddata
            .retain(|name| !able_somewhere(name, |declared| !declared.fielddata()));
        limits
            .no_positions
            .retain(|name| !able_somewhere(name, |declared| declared.has_positions()));
        // a date field's own format reads and writes its dates in every index that has it
        for (path, format) in limits.date_formats.iter_mut() {
            let alike = indices.iter().all(|(explicit, fields)| {
                let has = fields.is_some_and(|fields| fields.contains_key(path.as_str()));
                let own = explicit.and_then(|explicit| own_date_format(explicit, path));
                !has || own.as_deref() == format.as_deref()
            });
            if !alike {
                *format = None;
            }
        }
        // a normalized field's values are looked up normalized in every index that has it,
        // which needs them all to normalize it alike (logdash searches them as one)
        for (path, normalizer) in limits.normalized.iter_mut() {
            let alike = indices.iter().all(|(explicit, fields)| {
                let has = fields.is_some_and(|fields| fields.contains_key(path.as_str()));
                let own = explicit.and_then(|explicit| explicit.normalizer_at(path));
                !has || own == *normalizer
            });
            if !alike {
                *normalizer = None;
            }
        }
        limits
    }

    /// The limits `explicit` mappings declare, any of them.
    fn declared<'a>(explicit: impl IntoIterator<Item = &'a Explicit>) -> Limits {
        let mut limits = Limits::default();
        for mapping in explicit {
            for (name, declared) in &mapping.fields {
                if !declared.searchable() {
                    let why = match declared.es_type() {
                        "text" | "match_only_text" => "is not indexed",
                        _ => "is not indexed nor has doc values",
                    };
                    limits.unsearchable.insert(name.clone(), why);
                }
                if !declared.has_doc_values() && declared.kind != super::FieldKind::Text {
                    limits
                        .no_doc_values
                        .insert(name.clone(), declared.es_type().to_string());
                }
                if let Some(format) = own_date_format(mapping, name) {
                    let agreed = limits
                        .date_formats
                        .entry(name.clone())
                        .or_insert(Some(format.clone()));
                    if agreed.as_deref() != Some(format.as_str()) {
                        *agreed = None;
                    }
                }
                if declared.fielddata() {
                    limits.fielddata.insert(name.clone());
                }
                if declared.kind == super::FieldKind::Text && !declared.has_positions() {
                    limits.no_positions.insert(name.clone());
                }
                if matches!(declared.es_type(), "double" | "scaled_float") {
                    limits.doubles.insert(name.clone());
                }
                if matches!(declared.es_type(), "integer" | "short" | "byte") {
                    limits.ints.insert(name.clone());
                }
                if let Some(normalizer) = mapping.normalizer_at(name) {
                    let agreed = limits
                        .normalized
                        .entry(name.clone())
                        .or_insert(Some(normalizer));
                    if *agreed != Some(normalizer) {
                        *agreed = None;
                    }
                }
            }
        }
        limits
    }

    /// Whether nothing is limited (most searches: no index declares either parameter).
    pub fn is_empty(&self) -> bool {
        self.unsearchable.is_empty() && self.no_doc_values.is_empty()
    }

    /// A value a term-level query looks up among the whole values at `path` (a keyword's,
    /// or `msg` for `msg.keyword`), as the field's normalizer makes it.
    pub fn normalize<'t>(&self, path: &str, text: &'t str) -> Result<Cow<'t, str>, RequestError> {
        match self.normalized.get(path) {
            None => Ok(Cow::Borrowed(text)),
            Some(Some(normalizer)) => Ok(normalizer.apply(text)),
            Some(None) => Err(RequestError::illegal_argument(format!(
                "[{path}] has a different normalizer in some of the indices searched, which logdash searches as one: search them apart"
            ))),
        }
    }

    /// Whether a floating-point field's numbers are doubles (else floats: single precision).
    pub fn full_precision(&self, field: &str) -> bool {
        self.doubles.contains(field)
    }

    /// Whether a whole-number field sorts as Java's ints (`integer`, `short`, `byte`).
    pub fn sorted_as_int(&self, field: &str) -> bool {
        self.ints.contains(field)
    }

    /// Whether a query can find `field`'s values.
    pub fn searchable(&self, field: &str) -> bool {
        !self.unsearchable.contains_key(field)
    }

    /// Elasticsearch's refusal of a query on `field`, when it cannot be searched.
    pub fn check_search(&self, field: &str) -> Result<(), RequestError> {
        match self.unsearchable.get(field) {
            None => Ok(()),
            Some(why) => Err(RequestError {
                status: 400,
                kind: "query_shard_exception",
                reason: format!(
                    "failed to create query: Cannot search on field [{field}] since it {why}."
                ),
                raised: Raised::Anywhere,
            }),
        }
    }

    /// Elasticsearch's refusal of an aggregation or sort on `field`, when it has no doc
    /// values.
    pub fn check_doc_values(&self, field: &str) -> Result<(), RequestError> {
        match self.no_doc_values.get(field) {
            None => Ok(()),
            Some(es_type) => Err(RequestError::illegal_argument(format!(
                "Can't load fielddata on [{field}] because fielddata is unsupported on fields of type [{es_type}]. Use doc values instead."
            ))),
        }
    }
}

#[cfg(test)]
mod tests;
