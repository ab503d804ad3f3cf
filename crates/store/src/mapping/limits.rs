//! What a declared `index: false` or `doc_values: false` takes away from a search, as
//! Elasticsearch 8 answers it: a field with neither (or a text field not indexed) cannot be
//! searched, a field without doc values cannot be aggregated or sorted on. logdash keeps
//! indexing what can still be searched or aggregated, so the answers are Elasticsearch's;
//! a field that can be neither is kept in `_source` only.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::explicit::Explicit;
use super::normalizer::Normalizer;
use super::IndexMapping;
use crate::{Raised, RequestError};

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
    /// Fields without doc values, with their type.
    no_doc_values: BTreeMap<String, String>,
    /// Keywords with a normalizer, by where their whole values are (`msg` for a text
    /// field's `msg.keyword`): `None` where the indices read do not agree on it.
    normalized: BTreeMap<String, Option<Normalizer>>,
    /// Floating-point fields declared `double` (or `scaled_float`), whose values are read at
    /// full precision (a `float`'s, Elasticsearch's dynamic type for fractions, at single).
    doubles: std::collections::BTreeSet<String>,
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
                if declared.fielddata() {
                    limits.fielddata.insert(name.clone());
                }
                if declared.kind == super::FieldKind::Text && !declared.has_positions() {
                    limits.no_positions.insert(name.clone());
                }
                if matches!(declared.es_type(), "double" | "scaled_float") {
                    limits.doubles.insert(name.clone());
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

    /// `mapping` as aggregations and sorts read it: a text field with `fielddata` in
    /// every index that has it is read as a keyword of its words.
    pub fn for_values<'m>(&self, mapping: &'m IndexMapping) -> Cow<'m, IndexMapping> {
        if self.fielddata.is_empty() {
            return Cow::Borrowed(mapping);
        }
        let mut read = mapping.clone();
        for name in &self.fielddata {
            if let Some(kind) = read.get_mut(name) {
                *kind = super::FieldKind::Keyword;
            }
        }
        Cow::Owned(read)
    }

    /// A `filter` or `filters` aggregation builds its query with the mapping aggregations
    /// read ([`Limits::for_values`]), where a text field with `fielddata` is a keyword:
    /// refused while one is there, rather than answered otherwise.
    pub fn check_filters_beside_fielddata(
        &self,
        aggs: &serde_json::Value,
    ) -> Result<(), RequestError> {
        fn has_filter(aggs: &serde_json::Value) -> bool {
            let definitions = aggs.as_object().into_iter().flat_map(|aggs| aggs.values());
            definitions
                .flat_map(|d| d.as_object())
                .flatten()
                .any(|(key, body)| match key.as_str() {
                    "filter" | "filters" => true,
                    "aggs" | "aggregations" => has_filter(body),
                    _ => false,
                })
        }
        match self.fielddata.first() {
            Some(field) if has_filter(aggs) => Err(RequestError::illegal_argument(format!(
                "a [filter] or [filters] aggregation over indices whose text field [{field}] has [fielddata] is not supported by logdash"
            ))),
            _ => Ok(()),
        }
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

    /// Elasticsearch's refusal of a phrase (of more than one word) on a text `field`
    /// indexed without positions; `lenient` query strings match nothing instead.
    pub fn check_positions(&self, field: &str) -> Result<(), RequestError> {
        if !self.no_positions.contains(field) {
            return Ok(());
        }
        Err(RequestError {
            status: 400,
            kind: "query_shard_exception",
            reason: format!(
                "failed to create query: field:[{field}] was indexed without position data; cannot run PhraseQuery"
            ),
            raised: Raised::Anywhere,
        })
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
mod tests {
    use super::*;
    use serde_json::json;

    fn limits(properties: serde_json::Value) -> Limits {
        let explicit = Explicit::read(&json!({ "properties": properties })).expect("a mapping");
        Limits::of([(Some(&explicit), None)])
    }

    #[test]
    fn a_text_field_without_positions_refuses_phrases_and_one_with_fielddata_reads_as_words() {
        let limits = limits(json!({
            "kind": {"type": "text", "index_options": "docs", "fielddata": true},
            "note": {"type": "text", "index_options": "freqs"},
            "body": {"type": "text", "index_options": "offsets"}
        }));
        let refused = limits.check_positions("note").expect_err("no positions");
        assert!(refused
            .reason
            .contains("field:[note] was indexed without position data"));
        assert!(limits.check_positions("kind").is_err());
        assert!(limits.check_positions("body").is_ok());
        let mapping = IndexMapping::from([
            ("kind".to_string(), super::super::FieldKind::Text),
            ("note".to_string(), super::super::FieldKind::Text),
        ]);
        let values = limits.for_values(&mapping);
        assert_eq!(
            values["kind"],
            super::super::FieldKind::Keyword,
            "its words, whole"
        );
        assert_eq!(values["note"], super::super::FieldKind::Text);
        // a filter's query would read the field as a keyword: refused, not answered otherwise
        let filtered = json!({"by": {"terms": {"field": "code"}, "aggs": {"f": {"filter": {"match": {"kind": "a b"}}}}}});
        let refused = limits
            .check_filters_beside_fielddata(&filtered)
            .expect_err("refused");
        assert!(
            refused.reason.contains("[kind] has [fielddata]"),
            "{}",
            refused.reason
        );
        let plain = json!({"by": {"terms": {"field": "kind"}}});
        assert!(limits.check_filters_beside_fielddata(&plain).is_ok());
    }

    #[test]
    fn each_field_loses_what_its_parameters_take_away() {
        let limits = limits(json!({
            "original": {"type": "keyword", "index": false, "doc_values": false},
            "by_values": {"type": "keyword", "index": false},
            "no_values": {"type": "long", "doc_values": false},
            "body": {"type": "text", "index": false},
            "plain": {"type": "keyword"}
        }));
        assert!(
            limits.searchable("by_values"),
            "found through its doc values"
        );
        assert!(limits.searchable("no_values") && limits.searchable("plain"));
        for (field, said) in [
            (
                "original",
                "Cannot search on field [original] since it is not indexed nor has doc values.",
            ),
            (
                "body",
                "Cannot search on field [body] since it is not indexed.",
            ),
        ] {
            let refused = limits.check_search(field).expect_err("not searchable");
            assert_eq!(refused.kind, "query_shard_exception");
            assert!(refused.reason.ends_with(said), "{}", refused.reason);
        }
        for (field, es_type) in [("original", "keyword"), ("no_values", "long")] {
            let refused = limits.check_doc_values(field).expect_err("no doc values");
            assert!(
                refused
                    .reason
                    .contains(&format!("fields of type [{es_type}]")),
                "{}",
                refused.reason
            );
        }
        assert!(limits.check_doc_values("by_values").is_ok());
        assert!(limits.check_doc_values("plain").is_ok());
        // a text field's aggregations are refused by its own rule (fielddata)
        assert!(limits.check_doc_values("body").is_ok());
    }

    #[test]
    fn parameters_that_are_no_flag_are_refused() {
        for property in [
            json!({"type": "keyword", "index": "no"}),
            json!({"type": "text", "doc_values": false}),
        ] {
            let refused =
                Explicit::read(&json!({ "properties": {"f": property} })).expect_err("refused");
            assert_eq!(
                refused.kind, "mapper_parsing_exception",
                "{}",
                refused.reason
            );
        }
    }

    #[test]
    fn a_field_is_limited_only_where_every_index_having_it_limits_it() {
        let limiting = Explicit::read(&json!({"properties": {
            "original": {"type": "keyword", "index": false, "doc_values": false}
        }}))
        .expect("a mapping");
        let has = |names: &[&str]| -> IndexMapping {
            names
                .iter()
                .map(|name| (name.to_string(), super::super::FieldKind::Keyword))
                .collect()
        };
        let (limited_index, older) = (has(&["original"]), has(&["original", "other"]));
        let both = Limits::of([
            (Some(&limiting), Some(&limited_index)),
            (None, Some(&older)),
        ]);
        assert!(
            both.check_search("original").is_ok(),
            "the older index answers"
        );
        assert!(both.check_doc_values("original").is_ok());
        let alone = Limits::of([(Some(&limiting), Some(&limited_index))]);
        assert!(alone.check_search("original").is_err());
        // an index without the field does not lift the limit
        let without = has(&["other"]);
        let apart = Limits::of([
            (Some(&limiting), Some(&limited_index)),
            (None, Some(&without)),
        ]);
        assert!(apart.check_search("original").is_err());
    }

    #[test]
    fn a_normalized_field_is_looked_up_normalized_where_every_index_agrees() {
        let lowercase = |fields: serde_json::Value| {
            Explicit::read(&json!({ "properties": fields })).expect("a mapping")
        };
        let norm = lowercase(json!({
            "level": {"type": "keyword", "normalizer": "lowercase"},
            "msg": {"type": "text", "fields": {"keyword": {"type": "keyword", "normalizer": "lowercase"}}}
        }));
        let plain = lowercase(json!({"level": {"type": "keyword"}}));
        let fields = |names: &[&str]| -> IndexMapping {
            names
                .iter()
                .map(|name| (name.to_string(), super::super::FieldKind::Keyword))
                .collect()
        };
        let (both, one) = (fields(&["level", "msg"]), fields(&["level"]));
        let alone = Limits::of([(Some(&norm), Some(&both))]);
        assert_eq!(
            alone.normalize("level", "ERROR").ok().as_deref(),
            Some("error")
        );
        assert_eq!(
            alone.normalize("msg", "Hi There").ok().as_deref(),
            Some("hi there")
        );
        assert_eq!(alone.normalize("other", "ABC").ok().as_deref(), Some("ABC"));
        // an index without the field leaves it normalized; one that keeps it as sent does not
        let other = lowercase(json!({"x": {"type": "long"}}));
        let with_other = Limits::of([
            (Some(&norm), Some(&both)),
            (Some(&other), Some(&fields(&["x"]))),
        ]);
        assert_eq!(
            with_other.normalize("level", "ERROR").ok().as_deref(),
            Some("error")
        );
        let mixed = Limits::of([(Some(&norm), Some(&both)), (Some(&plain), Some(&one))]);
        let refused = mixed
            .normalize("level", "ERROR")
            .expect_err("indices disagree");
        assert!(
            refused
                .reason
                .contains("[level] has a different normalizer"),
            "{}",
            refused.reason
        );
        assert_eq!(mixed.normalize("msg", "Hi").ok().as_deref(), Some("hi"));
    }
}
