//! What indices and fields there are: `_cat/indices`, `_mapping` and `_field_caps`,
//! in Elasticsearch's shapes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use tantivy::collector::Count;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::indices::{self, Indices};
use crate::mapping::explicit::Dynamic;
use crate::mapping::{FieldKind, KEYWORD_IGNORE_ABOVE};
use crate::Raised;
use crate::{RequestError, Store};

/// An index having a field: its name, whether the field is searchable there, and whether
/// it is aggregatable there.
type Having = (String, bool, bool);

impl Store {
    /// Whether `index` holds a searchable event with this `_id`.
    pub(crate) fn holds_id(&self, index: &str, id: &str) -> bool {
        let query = crate::query::id_in_index(&self.fields, index, id);
        self.reader
            .searcher()
            .search(&query, &Count)
            .is_ok_and(|count| count > 0)
    }

    /// The uuid an index is known by (`_cat/indices`, errors naming it).
    pub(crate) fn index_uuid(&self, index: &str) -> String {
        format!("{}-{index}", self.meta.cluster_uuid)
    }

    /// `GET /_cat/indices?format=json` (optionally for an index expression).
    pub fn cat_indices(&self, expression: Option<&str>) -> Result<Value, RequestError> {
        let names = indices::resolve(expression.unwrap_or("*"), &self.index_names())?;
        let searcher = self.reader.searcher();
        let rows = names
            .iter()
            .map(|name| {
                let query = TermQuery::new(
                    Term::from_field_text(self.fields.index, name),
                    IndexRecordOption::Basic,
                );
                let count = searcher.search(&query, &Count).unwrap_or_default();
                json!({
                    "health": "green", "status": "open", "index": name,
                    "uuid": self.index_uuid(name),
                    "pri": "1", "rep": "0",
                    "docs.count": count.to_string(), "docs.deleted": "0",
                    "store.size": null, "pri.store.size": null
                })
            })
            .collect();
        Ok(Value::Array(rows))
    }

    /// `GET /{index}/_mapping`: each index's fields as nested properties.
    /// `GET /_resolve/index/{index}`: the indices an expression names, each open (the
    /// store has no closed ones, no aliases and no data streams).
    pub fn resolve_index<'a>(
        &self,
        indices: impl Into<Indices<'a>>,
    ) -> Result<Value, RequestError> {
        let names = indices::resolve_with(indices.into(), &self.index_names())?;
        let listed: Vec<Value> = names
            .iter()
            .map(|name| json!({"name": name, "attributes": ["open"]}))
            .collect();
        Ok(json!({"indices": listed, "aliases": [], "data_streams": []}))
    }

    pub fn mapping<'a>(&self, indices: impl Into<Indices<'a>>) -> Result<Value, RequestError> {
        let names = indices::resolve_with(indices.into(), &self.index_names())?;
        let mappings = self
            .mappings
            .read()
            .map_err(|_| RequestError::internal("mappings lock poisoned"))?;
        let mut out = Map::new();
        for name in names {
            let explicit = self.explicit_of(&name).unwrap_or_default();
            let mut properties = Map::new();
            // declared fields as they were declared, the others as dynamic mapping made them
            for (field, kind) in mappings.get(&name).into_iter().flatten() {
                let leaf = match explicit.fields.get(field) {
                    Some(declared) => Value::Object(declared.property.clone()),
                    None => property(*kind),
                };
                insert_nested(&mut properties, field, leaf);
            }
            // declared objects, with no fields yet or a `dynamic` of their own
            for (object, dynamic) in &explicit.objects {
                insert_nested(&mut properties, object, json!({"type": "object"}));
                if let (Some(dynamic), Some(entry)) = (dynamic, entry_at(&mut properties, object)) {
                    entry.insert("dynamic".into(), json!(dynamic_name(*dynamic)));
                }
                if let (true, Some(entry)) = (
                    explicit.disabled.contains(object),
                    entry_at(&mut properties, object),
                ) {
                    entry.insert("enabled".into(), json!(false));
                }
            }
            let mut mapping = Map::new();
            if explicit.dynamic != Dynamic::True {
                mapping.insert("dynamic".into(), json!(dynamic_name(explicit.dynamic)));
            }
            if let Some(meta) = &explicit.meta {
                mapping.insert("_meta".into(), meta.clone());
            }
            if !explicit.dynamic_templates.is_empty() {
                let templates = explicit.dynamic_templates.iter().map(|t| t.raw.clone());
                mapping.insert("dynamic_templates".into(), templates.collect());
            }
            if !properties.is_empty() {
                mapping.insert("properties".into(), Value::Object(properties));
            }
            out.insert(name, json!({ "mappings": mapping }));
        }
        Ok(Value::Object(out))
    }

    /// `GET /{index}/_field_caps?fields=...`: every field's type and whether it can be
    /// searched and aggregated, including the `.keyword` sub-fields and object parents.
    pub fn field_caps<'a>(
        &self,
        indices: impl Into<Indices<'a>>,
        fields: Option<&str>,
        body: &Value,
    ) -> Result<Value, RequestError> {
        let fields = field_caps_fields(fields, body)?;
        let names = indices::resolve_with(indices.into(), &self.index_names())?;
        let patterns: Vec<&str> = fields
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let wanted = |field: &str| patterns.iter().any(|p| indices::matches(p, field));
        let mappings = self
            .mappings
            .read()
            .map_err(|_| RequestError::internal("mappings lock poisoned"))?;
        // field -> type -> the indices having it with that type, and what each can do
        let mut caps: BTreeMap<String, BTreeMap<String, Vec<Having>>> = BTreeMap::new();
        // (field, type) -> each `meta` key's values across the indices
        let mut metas: BTreeMap<(String, String), BTreeMap<String, BTreeSet<String>>> =
            BTreeMap::new();
        for name in &names {
            let explicit = self.explicit_of(name).unwrap_or_default();
            for (field, kind) in mappings.get(name).into_iter().flatten() {
                let mut add = |field: String, es_type: &str, can: (bool, bool)| {
                    caps.entry(field)
                        .or_default()
                        .entry(es_type.to_string())
                        .or_default()
                        .push((name.clone(), can.0, can.1));
                };
                let declared = explicit.fields.get(field);
                let es_type = declared.map_or(kind.es_type(), |d| d.es_type());
                let can = match (declared, kind) {
                    (Some(declared), _) => (
                        declared.searchable(),
                        declared.has_doc_values() || declared.fielddata(),
                    ),
                    (None, FieldKind::Text) => (true, false),
                    (None, _) => (true, true),
                };
                add(field.clone(), es_type, can);
                let meta = declared
                    .and_then(|d| d.property.get("meta"))
                    .and_then(Value::as_object);
                for (key, value) in meta.into_iter().flatten() {
                    metas
                        .entry((field.clone(), es_type.to_string()))
                        .or_default()
                        .entry(key.clone())
                        .or_default()
                        .insert(value.as_str().unwrap_or_default().to_string());
                }
                if *kind == FieldKind::Text && declared.is_none_or(|d| d.has_keyword()) {
                    add(format!("{field}.keyword"), "keyword", (true, true));
                }
                for head in crate::mapping::enclosing(field) {
                    add(head.to_string(), "object", (false, false));
                }
            }
        }
        // an object is listed as the parent of a field that is, not by its own name
        let is_object = |types: &BTreeMap<String, Vec<Having>>| types.keys().all(|t| t == "object");
        let parents: BTreeSet<&str> = caps
            .iter()
            .filter(|(field, types)| !is_object(types) && wanted(field))
            .flat_map(|(field, _)| crate::mapping::enclosing(field))
            .collect();
        let listed: BTreeSet<String> = caps
            .iter()
            .filter(|(field, types)| match is_object(types) {
                true => parents.contains(field.as_str()),
                false => wanted(field),
            })
            .map(|(field, _)| field.clone())
            .collect();
        let mut out = Map::new();
        for (field, types) in caps {
            if !listed.contains(&field) {
                continue;
            }
            let several = types.len() > 1;
            let mut entry = Map::new();
            for (es_type, mut having) in types {
                having.sort();
                having.dedup();
                let unable = |can: fn(&Having) -> bool| -> Vec<&str> {
                    let names = having.iter().filter(|h| !can(h)).map(|h| h.0.as_str());
                    names.collect()
                };
                let (unsearchable, unaggregatable) = (unable(|h| h.1), unable(|h| h.2));
                let mut cap = json!({
                    "type": es_type,
                    "metadata_field": false,
                    "searchable": unsearchable.is_empty(),
                    "aggregatable": unaggregatable.is_empty(),
                });
                if let Some(meta) = metas.get(&(field.clone(), es_type.clone())) {
                    cap["meta"] = json!(meta);
                }
                if several {
                    let indices: Vec<&str> = having.iter().map(|h| h.0.as_str()).collect();
                    cap["indices"] = json!(indices);
                }
                // as Elasticsearch: the indices that cannot, when others can
                if !unsearchable.is_empty() && unsearchable.len() < having.len() {
                    cap["non_searchable_indices"] = json!(unsearchable);
                }
                if !unaggregatable.is_empty() && unaggregatable.len() < having.len() {
                    cap["non_aggregatable_indices"] = json!(unaggregatable);
                }
                entry.insert(es_type, cap);
            }
            out.insert(field, Value::Object(entry));
        }
        for (meta, es_type, aggregatable) in [("_id", "_id", false), ("_index", "_index", true)] {
            if wanted(meta) && !names.is_empty() {
                out.insert(meta.into(), json!({es_type: {"type": es_type, "metadata_field": true, "searchable": true, "aggregatable": aggregatable}}));
            }
        }
        Ok(json!({"indices": names, "fields": out}))
    }
}

fn property(kind: FieldKind) -> Value {
    match kind {
        FieldKind::Text => {
            json!({"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": KEYWORD_IGNORE_ABOVE}}})
        }
        other => json!({"type": other.es_type()}),
    }
}

fn dynamic_name(dynamic: Dynamic) -> &'static str {
    match dynamic {
        Dynamic::True => "true",
        Dynamic::False => "false",
        Dynamic::Strict => "strict",
    }
}

/// The entry of a property at a dotted name.
fn entry_at<'p>(
    properties: &'p mut Map<String, Value>,
    field: &str,
) -> Option<&'p mut Map<String, Value>> {
    match field.split_once('.') {
        None => properties.get_mut(field)?.as_object_mut(),
        Some((head, rest)) => {
            let inner = properties
                .get_mut(head)?
                .get_mut("properties")?
                .as_object_mut()?;
            entry_at(inner, rest)
        }
    }
}

fn insert_nested(properties: &mut Map<String, Value>, field: &str, leaf: Value) {
    match field.split_once('.') {
        None => {
            // a field that is also an object keeps its properties (first type wins)
            properties.entry(field.to_string()).or_insert(leaf);
        }
        Some((head, rest)) => {
            let parent = properties
                .entry(head.to_string())
                .or_insert_with(|| json!({"properties": {}}));
            if parent.get("properties").is_none() {
                // conflicting events: `head` is a value in some and an object in others
                parent["properties"] = json!({});
            }
            if let Some(Value::Object(inner)) = parent.get_mut("properties") {
                insert_nested(inner, rest, leaf);
            }
        }
    }
}

/// The fields `_field_caps` asks for: its `fields` parameter or its body's `fields`, as
/// Elasticsearch reads them (one of the two; `index_filter` is refused, not ignored).
fn field_caps_fields(parameter: Option<&str>, body: &Value) -> Result<String, RequestError> {
    let mut from_body = None;
    for (key, value) in body.as_object().into_iter().flatten() {
        match key.as_str() {
            "fields" => {
                from_body = Some(match value {
                    Value::String(text) => text.clone(),
                    Value::Array(items) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                    _ => {
                        return Err(RequestError::bad_request(
                            "[fields] must be a field name or a list of them",
                        ))
                    }
                })
            }
            "index_filter" => {
                return Err(RequestError::illegal_argument(
                    "[index_filter] in _field_caps is not supported by logdash",
                ))
            }
            other => {
                return Err(RequestError {
                    status: 400,
                    kind: "x_content_parse_exception",
                    reason: format!("[field_caps_request] unknown field [{other}]"),
                    raised: Raised::Anywhere,
                })
            }
        }
    }
    match (parameter, from_body.as_deref()) {
        (Some(_), Some(_)) => Err(RequestError::illegal_argument(
            "can't specify a request body and [fields] request parameter, either specify a request body or the [fields] request parameter",
        )),
        (Some(fields), None) | (None, Some(fields)) if !fields.trim().is_empty() => Ok(fields.to_string()),
        _ => Err(RequestError::illegal_argument("specified fields can't be null or empty")),
    }
}
