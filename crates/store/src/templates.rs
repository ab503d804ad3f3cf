//! Index templates, as Elasticsearch keeps and applies them: composable ones
//! (`_index_template`, the one of highest `priority` whose patterns match) and legacy ones
//! (`_template`, every match merged by `order`), used only when no composable one matches.
//! A new index, made by `PUT /{index}` or by its first event, starts with what its template
//! declares. Kept in `index-templates.json`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::indices::matches;
use crate::mapping::explicit::Explicit;
use crate::{RequestError, StoreError};

const TEMPLATES_FILE: &str = "index-templates.json";

/// The name Logstash's `elasticsearch` output gives its own template.
pub const LOGSTASH_TEMPLATE_NAME: &str = "logstash";

/// Logstash's own index template, as its `elasticsearch` output puts it into Elasticsearch
/// 8 with ECS compatibility off (logstash-output-elasticsearch,
/// `templates/ecs-disabled/elasticsearch-8x.json`): `message` as text, other strings as
/// text with a `.keyword`, `@timestamp` a date, `@version` a keyword, `geoip` typed.
const LOGSTASH_TEMPLATE: &str = include_str!("logstash-template.json");

/// Which kind of template an API names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `_index_template`
    Composable,
    /// `_template`
    Legacy,
}

/// Every template, as stored (the body Elasticsearch answers `GET` with), by name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Templates {
    composable: BTreeMap<String, Value>,
    legacy: BTreeMap<String, Value>,
}

impl Templates {
    /// What each template's mappings declare (one each; templates that cannot be read
    /// were refused when put, so none is left out).
    pub(crate) fn declared(&self) -> Vec<Explicit> {
        self.composable
            .values()
            .chain(self.legacy.values())
            .filter_map(|template| apply(&[template]).ok())
            .collect()
    }

    /// Stores Logstash's own template for `{prefix}-*` unless a composable template of its
    /// name is stored, as Logstash does when it starts (`manage_template`, not overwriting
    /// one it finds); returns whether it was stored.
    pub(crate) fn install_logstash(&mut self, prefix: &str) -> Result<bool, RequestError> {
        if self.composable.contains_key(LOGSTASH_TEMPLATE_NAME) {
            return Ok(false);
        }
        self.put(Kind::Composable, LOGSTASH_TEMPLATE_NAME, &logstash(prefix))?;
        Ok(true)
    }

    fn of(&self, kind: Kind) -> &BTreeMap<String, Value> {
        match kind {
            Kind::Composable => &self.composable,
            Kind::Legacy => &self.legacy,
        }
    }

    /// Checks and stores a template (replacing one of the same name).
    pub(crate) fn put(&mut self, kind: Kind, name: &str, body: &Value) -> Result<(), RequestError> {
        let stored = match kind {
            Kind::Composable => read_composable(body)?,
            Kind::Legacy => read_legacy(body)?,
        };
        let patterns = patterns_of(&stored);
        // no two composable templates of one priority may match the same new index, and a
        // legacy one may not overlap a composable one, as Elasticsearch refuses them
        let clash = |others: &BTreeMap<String, Value>, same_priority: bool| {
            let clashing: Vec<(&String, Vec<String>)> = others
                .iter()
                .filter(|(other, _)| other.as_str() != name)
                .filter(|(_, template)| {
                    !same_priority || template.get("priority") == stored.get("priority")
                })
                .map(|(other, template)| (other, patterns_of(template)))
                .filter(|(_, theirs)| overlap(&patterns, theirs))
                .collect();
            (!clashing.is_empty()).then(|| {
                let names: Vec<&str> = clashing.iter().map(|(n, _)| n.as_str()).collect();
                let theirs: Vec<String> = clashing
                    .iter()
                    .map(|(n, p)| format!("{n} => [{}]", p.join(", ")))
                    .collect();
                (names.join(","), theirs.join(","))
            })
        };
        match kind {
            Kind::Composable => {
                if let Some((other, theirs)) = clash(&self.composable, true) {
                    return Err(RequestError::illegal_argument(format!(
                        "index template [{name}] has index patterns [{}] matching patterns from existing templates [{other}] with patterns ({theirs}) that have the same priority [{}], multiple index templates may not match during index creation, please use a different priority",
                        patterns.join(", "),
                        stored.get("priority").and_then(Value::as_u64).unwrap_or(0)
                    )));
                }
                self.composable.insert(name.to_string(), stored);
            }
            Kind::Legacy => {
                if let Some((other, theirs)) = clash(&self.composable, false) {
                    return Err(RequestError::illegal_argument(format!(
                        "legacy template [{name}] has index patterns [{}] matching patterns from existing composable templates [{other}] with patterns ({theirs}), use composable templates (/_index_template) instead",
                        patterns.join(", ")
                    )));
                }
                self.legacy.insert(name.to_string(), stored);
            }
        }
        Ok(())
    }

    /// `GET`: the templates a name or pattern (none: all) names, in Elasticsearch's shape.
    pub(crate) fn get(&self, kind: Kind, name: Option<&str>) -> Result<Value, RequestError> {
        let wanted = |template: &str| {
            name.is_none_or(|names| names.split(',').any(|n| matches(n.trim(), template)))
        };
        let chosen: Vec<(&String, &Value)> =
            self.of(kind).iter().filter(|(n, _)| wanted(n)).collect();
        let concrete = name.is_some_and(|n| !n.contains('*'));
        match kind {
            Kind::Composable => {
                if chosen.is_empty() && concrete {
                    return Err(RequestError {
                        status: 404,
                        kind: "resource_not_found_exception",
                        reason: format!(
                            "index template matching [{}] not found",
                            name.unwrap_or_default()
                        ),
                        raised: crate::Raised::Anywhere,
                    });
                }
                let list: Vec<Value> = chosen
                    .into_iter()
                    .map(|(name, template)| json!({"name": name, "index_template": template}))
                    .collect();
                Ok(json!({ "index_templates": list }))
            }
            // a legacy template that is not there is an empty answer with a 404 (see `exists`)
            Kind::Legacy => Ok(Value::Object(
                chosen
                    .into_iter()
                    .map(|(name, template)| (name.clone(), template.clone()))
                    .collect(),
            )),
        }
    }

    pub(crate) fn exists(&self, kind: Kind, name: &str) -> bool {
        self.of(kind).keys().any(|template| matches(name, template))
    }

    pub(crate) fn delete(&mut self, kind: Kind, name: &str) -> Result<(), RequestError> {
        let held = match kind {
            Kind::Composable => &mut self.composable,
            Kind::Legacy => &mut self.legacy,
        };
        let before = held.len();
        held.retain(|template, _| !matches(name, template));
        if held.len() == before {
            return Err(RequestError {
                status: 404,
                kind: "index_template_missing_exception",
                reason: format!("index_template [{name}] missing"),
                raised: crate::Raised::Anywhere,
            });
        }
        Ok(())
    }

    /// What a new index of this name starts with: its composable template's mapping and
    /// settings, else its legacy templates' merged by `order`; `None` when none matches.
    pub(crate) fn for_index(&self, index: &str) -> Result<Option<Explicit>, RequestError> {
        let matching = |template: &Value| patterns_of(template).iter().any(|p| matches(p, index));
        let composable = self
            .composable
            .values()
            .filter(|template| matching(template))
            .max_by_key(|template| {
                template
                    .get("priority")
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
            });
        if let Some(template) = composable {
            return apply(&[&template["template"]]).map(Some);
        }
        let mut legacy: Vec<&Value> = self.legacy.values().filter(|t| matching(t)).collect();
        if legacy.is_empty() {
            return Ok(None);
        }
        legacy.sort_by_key(|template| template.get("order").and_then(Value::as_i64).unwrap_or(0));
        apply(&legacy).map(Some)
    }
}

/// Logstash's own index template for `{prefix}-*` (the body of its `PUT /_index_template`).
pub fn logstash(prefix: &str) -> Value {
    // a constant of this crate's, read by a test
    let mut template: Value = serde_json::from_str(LOGSTASH_TEMPLATE).unwrap_or_default();
    template["index_patterns"] = json!(format!("{prefix}-*"));
    template
}

/// The mappings and settings of templates, later ones over earlier ones.
fn apply(templates: &[&Value]) -> Result<Explicit, RequestError> {
    let mut explicit = Explicit::default();
    for template in templates {
        if let Some(mappings) = template.get("mappings") {
            explicit.overlay(Explicit::read(mappings)?, mappings.get("dynamic").is_some());
        }
        if let Some(Value::Object(settings)) = template.get("settings") {
            explicit
                .settings
                .extend(crate::index_admin::read_settings(&Value::Object(
                    settings.clone(),
                ))?);
        }
    }
    Ok(explicit)
}

fn patterns_of(template: &Value) -> Vec<String> {
    template["index_patterns"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether two lists of patterns can match one name (one pattern matches the other as text:
/// close to Elasticsearch's exact test for the patterns people write).
fn overlap(ours: &[String], theirs: &[String]) -> bool {
    ours.iter().any(|a| {
        theirs
            .iter()
            .any(|b| a == b || matches(a, b) || matches(b, a))
    })
}

fn read_composable(body: &Value) -> Result<Value, RequestError> {
    let Value::Object(fields) = body else {
        return Err(RequestError::bad_request(
            "an index template must be an object",
        ));
    };
    let mut stored = Map::new();
    stored.insert("index_patterns".into(), index_patterns(fields)?);
    for (key, value) in fields {
        match key.as_str() {
            "index_patterns" => {}
            "template" => {
                stored.insert(key.clone(), template_part(value)?);
            }
            "priority" | "version" => {
                if value.as_u64().is_none() {
                    return Err(RequestError::illegal_argument(format!(
                        "[{key}] must be a whole number >= 0"
                    )));
                }
                stored.insert(key.clone(), value.clone());
            }
            "_meta" => {
                stored.insert(key.clone(), value.clone());
            }
            "composed_of" if value.as_array().is_some_and(Vec::is_empty) => {}
            "composed_of"
            | "data_stream"
            | "allow_auto_create"
            | "ignore_missing_component_templates"
            | "deprecated" => {
                return Err(RequestError::illegal_argument(format!(
                    "[{key}] in an index template is not supported by logdash"
                )))
            }
            other => {
                return Err(RequestError {
                    status: 400,
                    kind: "x_content_parse_exception",
                    reason: format!("[index_template] unknown field [{other}]"),
                    raised: crate::Raised::Anywhere,
                })
            }
        }
    }
    stored.insert("composed_of".into(), json!([]));
    Ok(Value::Object(stored))
}

fn read_legacy(body: &Value) -> Result<Value, RequestError> {
    let Value::Object(fields) = body else {
        return Err(RequestError::bad_request("a template must be an object"));
    };
    let mut stored = Map::new();
    stored.insert("order".into(), json!(0));
    stored.insert("index_patterns".into(), index_patterns(fields)?);
    stored.insert("settings".into(), json!({}));
    stored.insert("mappings".into(), json!({}));
    stored.insert("aliases".into(), json!({}));
    for (key, value) in fields {
        match key.as_str() {
            "index_patterns" => {}
            "order" | "version" => {
                if value.as_i64().is_none() {
                    return Err(RequestError::illegal_argument(format!(
                        "[{key}] must be a whole number"
                    )));
                }
                stored.insert(key.clone(), value.clone());
            }
            "settings" | "mappings" | "aliases" => {
                let part = template_part(&json!({ key.as_str(): value }))?;
                stored.insert(key.clone(), part[key.as_str()].clone());
            }
            other => {
                return Err(RequestError::illegal_argument(format!(
                    "unknown key [{other}] in the template"
                )))
            }
        }
    }
    Ok(Value::Object(stored))
}

/// `index_patterns`, a string or a list of them, required.
fn index_patterns(fields: &Map<String, Value>) -> Result<Value, RequestError> {
    match fields.get("index_patterns") {
        Some(Value::String(pattern)) => Ok(json!([pattern])),
        Some(Value::Array(patterns))
            if patterns.iter().all(Value::is_string) && !patterns.is_empty() =>
        {
            Ok(Value::Array(patterns.clone()))
        }
        Some(other) => Err(RequestError::illegal_argument(format!(
            "[index_patterns] must be a pattern or a list of them, not {other}"
        ))),
        None => Err(RequestError::illegal_argument("Required [index_patterns]")),
    }
}

/// A setting's value as Elasticsearch shows it: a string, or a list of strings.
fn as_setting(value: Value) -> Value {
    match value {
        Value::String(_) => value,
        Value::Array(items) => Value::Array(items.into_iter().map(as_setting).collect()),
        other => Value::String(other.to_string()),
    }
}

/// `value` at the dotted `name` in `into` (`analysis.normalizer.x.filter`), objects made
/// on the way as Elasticsearch shows settings.
fn nest(into: &mut Map<String, Value>, name: &str, value: Value) {
    match name.split_once('.') {
        None => {
            into.insert(name.to_string(), value);
        }
        Some((head, rest)) => {
            let inner = into
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !inner.is_object() {
                *inner = Value::Object(Map::new());
            }
            if let Value::Object(inner) = inner {
                nest(inner, rest, value);
            }
        }
    }
}

/// A template's `settings`, `mappings` and `aliases`, checked as an index's are (a
/// template logdash could not apply is refused when it is put, not when an index is made);
/// settings are kept as Elasticsearch shows them (`index.` objects, values as strings).
fn template_part(part: &Value) -> Result<Value, RequestError> {
    let Value::Object(fields) = part else {
        return Err(RequestError::bad_request("[template] must be an object"));
    };
    let mut out = Map::new();
    for (key, value) in fields {
        match key.as_str() {
            "mappings" => {
                Explicit::read(value)?;
                out.insert(key.clone(), value.clone());
            }
            "settings" => {
                let flat = crate::index_admin::read_settings(value)?;
                let mut shown = Map::new();
                for (name, value) in flat {
                    nest(&mut shown, &name, as_setting(value));
                }
                out.insert(key.clone(), json!({ "index": shown }));
            }
            "aliases" if value.as_object().is_some_and(Map::is_empty) => {
                out.insert(key.clone(), value.clone());
            }
            "aliases" | "lifecycle" | "data_stream_options" => {
                return Err(RequestError::illegal_argument(format!(
                    "[{key}] in a template is not supported by logdash"
                )))
            }
            other => {
                return Err(RequestError {
                    status: 400,
                    kind: "x_content_parse_exception",
                    reason: format!("[template] unknown field [{other}]"),
                    raised: crate::Raised::Anywhere,
                })
            }
        }
    }
    Ok(Value::Object(out))
}

pub(crate) fn load(data_dir: &Path) -> Result<Templates, StoreError> {
    crate::files::read_json_file(&data_dir.join(TEMPLATES_FILE))
}

pub(crate) fn save(data_dir: &Path, templates: &Templates) -> Result<(), String> {
    let bytes = serde_json::to_vec(templates).map_err(|err| err.to_string())?;
    crate::files::write_atomically(&data_dir.join(TEMPLATES_FILE), &bytes)
}
