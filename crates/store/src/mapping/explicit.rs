//! Explicit mappings: what `PUT /{index}` and `PUT /{index}/_mapping` declare, read as
//! Elasticsearch reads them. A declared field keeps its type whatever events bring; what is
//! declared is reported back by `_mapping` as it was given. A type or parameter logdash does
//! not implement is refused by name, never accepted and ignored.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::dynamic_templates::DynamicTemplate;
use super::parameters::{check_parameter, NOT_IMPLEMENTED};
use super::{enclosing, FieldKind, KEYWORD_IGNORE_ABOVE};
use crate::RequestError;

/// What `dynamic` says of a field that no mapping declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dynamic {
    /// Mapped from its first value, as with no mapping at all.
    #[default]
    True,
    /// Kept in `_source`, neither mapped nor searchable.
    False,
    /// The document is refused.
    Strict,
}

/// One declared field that holds values (an object's fields are declared on their own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declared {
    pub kind: FieldKind,
    /// The property as declared: its `type` and parameters, as `_mapping` shows it.
    pub property: Map<String, Value>,
}

impl Declared {
    /// What dynamic mapping declares a field of `kind` as (a text with a `.keyword` of 256
    /// characters).
    pub fn dynamic(kind: FieldKind) -> Declared {
        let mut property = Map::new();
        property.insert("type".into(), Value::from(kind.es_type()));
        if kind == FieldKind::Text {
            let keyword = serde_json::json!({"keyword": {"type": "keyword", "ignore_above": KEYWORD_IGNORE_ABOVE}});
            property.insert("fields".into(), keyword);
        }
        Declared { kind, property }
    }

    pub fn es_type(&self) -> &str {
        self.property
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("object")
    }

    /// Whether a text field has the `.keyword` sub-field.
    pub fn has_keyword(&self) -> bool {
        self.property
            .get("fields")
            .and_then(|f| f.get("keyword"))
            .is_some()
    }

    /// Longer strings are kept in `_source` but not indexed whole.
    pub fn ignore_above(&self) -> Option<usize> {
        let own = self.property.get("ignore_above");
        let sub = self
            .property
            .get("fields")
            .and_then(|f| f.get("keyword"))
            .and_then(|k| k.get("ignore_above"));
        own.or(sub)
            .and_then(Value::as_u64)
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub fn ignore_malformed(&self) -> bool {
        self.property.get("ignore_malformed") == Some(&Value::Bool(true))
    }

    pub fn coerce(&self) -> bool {
        self.property.get("coerce") != Some(&Value::Bool(false))
    }

    /// `doc_values` (a text field has none): what aggregations and sorting read.
    pub fn has_doc_values(&self) -> bool {
        self.kind != FieldKind::Text && self.property.get("doc_values") != Some(&Value::Bool(false))
    }

    /// The parameters a later declaration of this field would change that Elasticsearch
    /// does not let change (`index`, `doc_values`), refused as it refuses them: each named.
    pub fn changed_by(&self, later: &Declared, name: &str) -> Result<(), RequestError> {
        let mut conflicts = String::new();
        for parameter in ["index", "doc_values"] {
            let flag =
                |declared: &Declared| declared.property.get(parameter) != Some(&Value::Bool(false));
            if flag(self) != flag(later) {
                conflicts += &format!(
                    "\n\tCannot update parameter [{parameter}] from [{}] to [{}]",
                    flag(self),
                    flag(later)
                );
            }
        }
        // how it is stored, which Elasticsearch does not let change either
        let es_type = self.es_type();
        for parameter in super::parameters::FIXED_ONCE_SET {
            let (before, after) = (
                super::parameters::setting(es_type, &self.property, parameter),
                super::parameters::setting(es_type, &later.property, parameter),
            );
            if before != after {
                let shown =
                    |value: &Value| value.as_str().map_or(value.to_string(), str::to_string);
                conflicts += &format!(
                    "\n\tCannot update parameter [{parameter}] from [{}] to [{}]",
                    shown(&before),
                    shown(&after)
                );
            }
        }
        if conflicts.is_empty() {
            return Ok(());
        }
        Err(RequestError::illegal_argument(format!(
            "Mapper for [{name}] conflicts with existing mapper:{conflicts}"
        )))
    }

    /// Whether queries can find the field's values: it is indexed, or (but for text) they
    /// are read from its doc values, as Elasticsearch 8 searches an `index: false` field.
    /// Whether a text field's words are its values for aggregations and sorts
    /// (`fielddata: true`), indexed as a keyword's would be.
    pub fn fielddata(&self) -> bool {
        self.kind == FieldKind::Text && self.property.get("fielddata") == Some(&Value::Bool(true))
    }

    /// Whether a text field keeps its words' positions (phrases need them): not with
    /// `index_options` `docs` or `freqs`.
    pub fn has_positions(&self) -> bool {
        !matches!(
            self.property.get("index_options").and_then(Value::as_str),
            Some("docs" | "freqs")
        )
    }

    pub fn searchable(&self) -> bool {
        self.property.get("index") != Some(&Value::Bool(false)) || self.has_doc_values()
    }
}

/// An index's explicit mapping.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Explicit {
    pub dynamic: Dynamic,
    /// Declared fields that hold values, by dotted name.
    pub fields: BTreeMap<String, Declared>,
    /// Declared objects, by dotted name, with their own `dynamic` when they set one.
    pub objects: BTreeMap<String, Option<Dynamic>>,
    /// The index's settings as given (`number_of_shards`, ...), without `index.`.
    #[serde(default)]
    pub settings: Map<String, Value>,
    /// How fields no mapping declares are declared when they come, first that fits.
    #[serde(default)]
    pub dynamic_templates: Vec<DynamicTemplate>,
    /// The mapping's `_meta`, kept and shown as given.
    #[serde(default)]
    pub meta: Option<Value>,
    /// Objects declared `enabled: false`: whatever they hold is kept in `_source` only.
    #[serde(default)]
    pub disabled: BTreeSet<String>,
    /// Objects this mapping declares `enabled: true` in so many words (read only to refuse
    /// a change of `enabled`; an object is enabled unless `disabled` has it).
    #[serde(skip)]
    pub enabled: BTreeSet<String>,
}

impl Explicit {
    /// What `dynamic` says for a new field under `parent` (`""` for the root): the nearest
    /// declared object's own setting, else the root's.
    pub fn dynamic_under(&self, parent: &str) -> Dynamic {
        if self.disabled_at(parent) {
            return Dynamic::False;
        }
        std::iter::once(parent)
            .chain(enclosing(parent))
            .find_map(|path| self.objects.get(path).copied().flatten())
            .unwrap_or(self.dynamic)
    }

    /// Whether `path` is, or is inside, an object declared `enabled: false`.
    pub fn disabled_at(&self, path: &str) -> bool {
        !self.disabled.is_empty()
            && std::iter::once(path)
                .chain(enclosing(path))
                .any(|path| self.disabled.contains(path))
    }

    /// Whether `name` is a key inside a declared `flattened` field (`labels.env`).
    pub fn flattened_under(&self, name: &str) -> bool {
        self.flattened_holding(name).is_some()
    }

    /// The declared `flattened` field `name` is a key inside, with its declaration.
    pub fn flattened_holding<'s, 'n>(&'s self, name: &'n str) -> Option<(&'n str, &'s Declared)> {
        enclosing(name).find_map(|head| {
            let declared = self.fields.get(head)?;
            (declared.kind == FieldKind::Flattened).then_some((head, declared))
        })
    }

    /// Reads a `mappings` object (of `PUT /{index}`, or a `PUT /{index}/_mapping` body).
    pub fn read(mappings: &Value) -> Result<Explicit, RequestError> {
        let Value::Object(root) = mappings else {
            return Err(mapper_error(
                "Failed to parse mapping: [mappings] must be an object",
            ));
        };
        let mut explicit = Explicit::default();
        for (key, value) in root {
            match key.as_str() {
                "properties" => read_properties(value, "", &mut explicit)?,
                "dynamic" => explicit.dynamic = read_dynamic(value, "dynamic")?,
                "dynamic_templates" => {
                    explicit.dynamic_templates = DynamicTemplate::read_all(value)?;
                }
                "_meta" if value.is_object() => explicit.meta = Some(value.clone()),
                "_meta" => {
                    return Err(mapper_error(format!(
                        "Failed to parse mapping: [_meta] must be an object, not {value}"
                    )))
                }
                "date_detection" | "numeric_detection" | "_source" | "_routing" | "runtime"
                | "subobjects" => {
                    return Err(RequestError::illegal_argument(format!(
                        "[{key}] in a mapping is not supported by logdash"
                    )))
                }
                _ => {
                    return Err(mapper_error(format!(
                        "Failed to parse mapping: Root mapping definition has unsupported parameters:  [{key} : {value}]"
                    )))
                }
            }
        }
        Ok(explicit)
    }

    /// Adds the fields of `more` (a later `PUT /{index}/_mapping`): a field declared again
    /// must keep its type, as in Elasticsearch.
    pub fn merge(&mut self, more: Explicit, dynamic_set: bool) -> Result<(), RequestError> {
        for (name, declared) in &more.fields {
            if let Some(held) = self.fields.get(name) {
                if held.es_type() != declared.es_type() {
                    return Err(RequestError::illegal_argument(format!(
                        "mapper [{name}] cannot be changed from type [{}] to [{}]",
                        held.es_type(),
                        declared.es_type()
                    )));
                }
                held.changed_by(declared, name)?;
            }
            if self.objects.contains_key(name) {
                return Err(RequestError::illegal_argument(format!(
                    "can't merge a non object mapping [{name}] with an object mapping"
                )));
            }
        }
        for name in more.objects.keys() {
            if self.fields.contains_key(name) {
                return Err(RequestError::illegal_argument(format!(
                    "can't merge a non object mapping [{name}] with an object mapping"
                )));
            }
            // an object's `enabled` is set once, as Elasticsearch sets it
            let held = self.objects.contains_key(name);
            let was = !self.disabled.contains(name);
            let changed = (more.enabled.contains(name) && !was)
                || (more.disabled.contains(name) && held && was);
            if changed {
                return Err(RequestError {
                    status: 500,
                    kind: "mapper_exception",
                    reason: format!(
                        "the [enabled] parameter can't be updated for the object mapping [{name}]"
                    ),
                    raised: crate::Raised::Anywhere,
                });
            }
        }
        self.overlay(more, dynamic_set);
        Ok(())
    }

    /// Lays `more` over this mapping, its declarations replacing these (a template of
    /// higher `order`, or the mapping of the request that creates the index).
    pub fn overlay(&mut self, more: Explicit, dynamic_set: bool) {
        for name in more.fields.keys() {
            self.objects.remove(name);
        }
        for name in more.objects.keys() {
            self.fields.remove(name);
        }
        self.fields.extend(more.fields);
        for (name, dynamic) in more.objects {
            let slot = self.objects.entry(name).or_insert(None);
            if dynamic.is_some() {
                *slot = dynamic;
            }
        }
        if dynamic_set {
            self.dynamic = more.dynamic;
        }
        self.settings.extend(more.settings);
        // templates of the same name are replaced in place, new ones come after
        for template in more.dynamic_templates {
            match self
                .dynamic_templates
                .iter_mut()
                .find(|held| held.name == template.name)
            {
                Some(held) => *held = template,
                None => self.dynamic_templates.push(template),
            }
        }
        if more.meta.is_some() {
            self.meta = more.meta;
        }
        self.disabled.extend(more.disabled);
    }
}

fn read_dynamic(value: &Value, name: &str) -> Result<Dynamic, RequestError> {
    match value {
        Value::Bool(true) => Ok(Dynamic::True),
        Value::Bool(false) => Ok(Dynamic::False),
        Value::String(text) => match text.as_str() {
            "true" => Ok(Dynamic::True),
            "false" => Ok(Dynamic::False),
            "strict" => Ok(Dynamic::Strict),
            "runtime" => Err(RequestError::illegal_argument(
                "[dynamic] set to [runtime] is not supported by logdash",
            )),
            other => Err(mapper_error(format!(
                "Failed to parse mapping: Could not convert [{name}.dynamic] to boolean: [{other}]"
            ))),
        },
        other => Err(mapper_error(format!(
            "Failed to parse mapping: Could not convert [{name}.dynamic] to boolean: [{other}]"
        ))),
    }
}

fn read_properties(value: &Value, parent: &str, into: &mut Explicit) -> Result<(), RequestError> {
    let Value::Object(properties) = value else {
        return Err(mapper_error(format!(
            "Failed to parse mapping: Expected map for property [properties] on field [{parent}] but got a class java.lang.String"
        )));
    };
    for (name, property) in properties {
        let path = if parent.is_empty() {
            name.clone()
        } else {
            format!("{parent}.{name}")
        };
        read_property(&path, property, into)?;
    }
    Ok(())
}

fn read_property(path: &str, property: &Value, into: &mut Explicit) -> Result<(), RequestError> {
    // a dotted name (`"host.name": {...}`) declares its objects too, as Elasticsearch
    // expands it
    for head in enclosing(path) {
        into.objects.entry(head.to_string()).or_insert(None);
    }
    let Value::Object(property) = property else {
        return Err(mapper_error(format!(
            "Failed to parse mapping: Expected map for property [fields] on field [{path}] but got a {property}"
        )));
    };
    let es_type = match property.get("type") {
        None => "object",
        Some(Value::String(es_type)) => es_type.as_str(),
        Some(other) => {
            return Err(mapper_error(format!(
                "Failed to parse mapping: No type specified for field [{path}]: {other}"
            )))
        }
    };
    let kind = match es_type {
        "object" => return read_object(path, property, into),
        // `wildcard` answers as `keyword` does (it is a keyword indexed for faster
        // wildcards); `match_only_text` as `text` does (it keeps no positions or scores)
        "keyword" | "wildcard" => FieldKind::Keyword,
        "text" | "match_only_text" => FieldKind::Text,
        "long" | "integer" | "short" | "byte" => FieldKind::Long,
        "double" | "float" | "half_float" | "scaled_float" => FieldKind::Float,
        "boolean" => FieldKind::Boolean,
        "date" => FieldKind::Date,
        "ip" => FieldKind::Ip,
        "geo_point" => FieldKind::GeoPoint,
        "flattened" => FieldKind::Flattened,
        "date_nanos" => FieldKind::DateNanos,
        known if NOT_IMPLEMENTED.contains(&known) => {
            return Err(RequestError::illegal_argument(format!(
                "the field type [{known}] (of field [{path}]) is not supported by logdash"
            )))
        }
        unknown => {
            return Err(mapper_error(format!(
                "Failed to parse mapping: The mapper type [{unknown}] declared on field [{path}] does not exist. It might have been created within a future version or requires a plugin to be installed. Check the documentation."
            )))
        }
    };
    for (parameter, value) in property {
        check_parameter(path, es_type, parameter, value)?;
    }
    // a text field's words are kept as values where its `.keyword`'s whole value would be
    if property.get("fielddata") == Some(&Value::Bool(true)) && property.contains_key("fields") {
        return Err(RequestError::illegal_argument(format!(
            "[fielddata] on field [{path}] with sub-fields is not supported by logdash: aggregate its [keyword] sub-field"
        )));
    }
    if es_type == "scaled_float" && !property.contains_key("scaling_factor") {
        return Err(mapper_error(format!(
            "Failed to parse mapping: Field [scaling_factor] is required on mapper [{path}] of type [scaled_float]"
        )));
    }
    into.fields.insert(
        path.to_string(),
        Declared {
            kind,
            property: super::parameters::as_shown(es_type, property),
        },
    );
    Ok(())
}

fn read_object(
    path: &str,
    property: &Map<String, Value>,
    into: &mut Explicit,
) -> Result<(), RequestError> {
    let mut dynamic = None;
    for (parameter, value) in property {
        match parameter.as_str() {
            "type" => {}
            "properties" => read_properties(value, path, into)?,
            "dynamic" => dynamic = Some(read_dynamic(value, path)?),
            "enabled" => match value {
                Value::Bool(true) => {
                    into.enabled.insert(path.to_string());
                }
                Value::Bool(false) => {
                    into.disabled.insert(path.to_string());
                }
                _ => {
                    return Err(mapper_error(format!(
                        "Failed to parse mapping: Failed to parse value [{value}] as only [true] or [false] are allowed."
                    )))
                }
            },
            "subobjects" => {
                return Err(RequestError::illegal_argument(format!(
                    "[{parameter}] on object [{path}] is not supported by logdash"
                )))
            }
            other => {
                return Err(mapper_error(format!(
                    "Failed to parse mapping: unknown parameter [{other}] on mapper [{path}] of type [object]"
                )))
            }
        }
    }
    into.objects.insert(path.to_string(), dynamic);
    Ok(())
}

pub(crate) fn mapper_error(reason: impl Into<String>) -> RequestError {
    RequestError {
        status: 400,
        kind: "mapper_parsing_exception",
        reason: reason.into(),
        raised: crate::Raised::Anywhere,
    }
}
