//! `dynamic_templates`: how a field no mapping declares is mapped when it first comes, by
//! its name (`match`, `unmatch`), its dotted path (`path_match`, `path_unmatch`) and the
//! JSON type of its value (`match_mapping_type`), the first template that fits winning,
//! as Elasticsearch applies them. The field is then declared with the template's
//! `mapping`, so it is indexed and reported as if the mapping had named it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::explicit::{mapper_error, Declared, Explicit};
use crate::RequestError;

/// One named template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DynamicTemplate {
    pub name: String,
    /// As given, for `_mapping`.
    pub raw: Value,
    matching: Vec<String>,
    unmatching: Vec<String>,
    path_matching: Vec<String>,
    path_unmatching: Vec<String>,
    /// JSON types it takes (`string`, `long`, `double`, `boolean`, `date`; empty: any).
    types: Vec<String>,
    /// What a field it takes is declared as.
    pub declared: Declared,
}

impl DynamicTemplate {
    /// Reads a mapping's `dynamic_templates`: a list of `{name: {conditions, mapping}}`.
    pub fn read_all(value: &Value) -> Result<Vec<DynamicTemplate>, RequestError> {
        let Value::Array(entries) = value else {
            return Err(mapper_error(
                "Failed to parse mapping: Dynamic template syntax error. An array of named objects is expected.",
            ));
        };
        entries.iter().map(DynamicTemplate::read).collect()
    }

    fn read(entry: &Value) -> Result<DynamicTemplate, RequestError> {
        let named = entry.as_object().filter(|o| o.len() == 1);
        let Some((name, Value::Object(body))) = named.and_then(|o| o.iter().next()) else {
            return Err(mapper_error(
                "Failed to parse mapping: Dynamic template syntax error. An array of named objects is expected.",
            ));
        };
        let mut template = DynamicTemplate {
            name: name.clone(),
            raw: entry.clone(),
            matching: Vec::new(),
            unmatching: Vec::new(),
            path_matching: Vec::new(),
            path_unmatching: Vec::new(),
            types: Vec::new(),
            declared: Declared {
                kind: super::FieldKind::Text,
                property: Map::new(),
            },
        };
        let mut mapping = None;
        for (key, value) in body {
            let patterns = || strings(name, key, value);
            match key.as_str() {
                "match" => template.matching = patterns()?,
                "unmatch" => template.unmatching = patterns()?,
                "path_match" => template.path_matching = patterns()?,
                "path_unmatch" => template.path_unmatching = patterns()?,
                "match_mapping_type" => {
                    template.types = patterns()?;
                    if let Some(other) = template.types.iter().find(|t| {
                        !["*", "string", "long", "double", "boolean", "date"].contains(&t.as_str())
                    }) {
                        return Err(RequestError::illegal_argument(format!(
                            "[match_mapping_type] [{other}] of dynamic template [{name}] is not supported by logdash (string, long, double, boolean, date or *)"
                        )));
                    }
                    template.types.retain(|t| t != "*");
                }
                "match_pattern" if value == "simple" => {}
                "mapping" => mapping = Some(value),
                "match_pattern" | "unmatch_mapping_type" | "runtime" => {
                    return Err(RequestError::illegal_argument(format!(
                        "[{key}] in dynamic template [{name}] is not supported by logdash"
                    )))
                }
                other => {
                    return Err(mapper_error(format!(
                        "Failed to parse mapping: Illegal dynamic template parameter: [{other}]"
                    )))
                }
            }
        }
        let Some(Value::Object(mapping)) = mapping else {
            return Err(mapper_error(format!(
                "Failed to parse mapping: template [{name}] must have a [mapping] object"
            )));
        };
        // the mapping is read as a property of its own, with what that checks
        let placeholder = |v: &Value| v.as_str().is_some_and(|s| s.contains('{'));
        if !mapping.contains_key("type") || mapping.values().any(placeholder) {
            return Err(RequestError::illegal_argument(format!(
                "dynamic template [{name}]: a mapping without a [type], or with {{name}} or {{dynamic_type}}, is not supported by logdash"
            )));
        }
        let properties =
            serde_json::json!({"properties": {"field": Value::Object(mapping.clone())}});
        let read = Explicit::read(&properties)?;
        template.declared = read.fields.get("field").cloned().ok_or_else(|| {
            RequestError::illegal_argument(format!(
                "dynamic template [{name}]: an object mapping is not supported by logdash"
            ))
        })?;
        Ok(template)
    }

    /// Whether this template takes the field at `path` first seen with `value` (a value
    /// that is no object).
    fn takes(&self, path: &str, value: &Value) -> bool {
        let name = path.rsplit('.').next().unwrap_or(path);
        let any = |patterns: &[String], text: &str| patterns.iter().any(|p| glob(p, text));
        (self.matching.is_empty() || any(&self.matching, name))
            && !any(&self.unmatching, name)
            && (self.path_matching.is_empty() || any(&self.path_matching, path))
            && !any(&self.path_unmatching, path)
            && (self.types.is_empty() || self.types.iter().any(|t| t == json_type(path, value)))
    }
}

/// The declaration the first template that takes the field gives it.
pub fn declared_for<'a>(
    templates: &'a [DynamicTemplate],
    path: &str,
    value: &Value,
) -> Option<&'a Declared> {
    let leaf = match value {
        Value::Array(items) => items.iter().find(|item| !item.is_null())?,
        other => other,
    };
    if leaf.is_object() || leaf.is_null() {
        return None;
    }
    templates
        .iter()
        .find(|template| template.takes(path, leaf))
        .map(|template| &template.declared)
}

/// The JSON type Elasticsearch's dynamic mapping sees (a date-like string is `date`).
fn json_type(path: &str, value: &Value) -> &'static str {
    match super::kind_of(path, value) {
        Some(super::FieldKind::Boolean) => "boolean",
        Some(super::FieldKind::Long) => "long",
        Some(super::FieldKind::Float) => "double",
        Some(super::FieldKind::Date) => "date",
        _ => "string",
    }
}

fn strings(name: &str, key: &str, value: &Value) -> Result<Vec<String>, RequestError> {
    let list: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    list.into_iter()
        .map(|item| {
            item.as_str().map(str::to_string).ok_or_else(|| {
                mapper_error(format!(
                    "Failed to parse mapping: [{key}] of dynamic template [{name}] must be a string or a list of strings"
                ))
            })
        })
        .collect()
}

/// `*` anywhere, as Elasticsearch's simple patterns.
fn glob(pattern: &str, text: &str) -> bool {
    crate::indices::matches(pattern, text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn templates(value: Value) -> Vec<DynamicTemplate> {
        DynamicTemplate::read_all(&value).expect("reads")
    }

    #[test]
    fn the_first_template_that_takes_a_field_declares_it() {
        // Logstash's own default template's two
        let logstash = templates(json!([
            {"message_field": {"path_match": "message", "match_mapping_type": "string",
                "mapping": {"type": "text", "norms": false}}},
            {"string_fields": {"match": "*", "match_mapping_type": "string",
                "mapping": {"type": "text", "norms": false, "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}}}
        ]));
        let message = declared_for(&logstash, "message", &json!("hello")).expect("taken");
        assert!(!message.has_keyword());
        let other = declared_for(&logstash, "extra.path", &json!(["/a", "/b"])).expect("taken");
        assert!(other.has_keyword());
        assert_eq!(declared_for(&logstash, "extra.ms", &json!(12)), None);
        assert_eq!(declared_for(&logstash, "extra", &json!({"a": 1})), None);
        let by_name = templates(json!([
            {"ids": {"match": ["*_id", "id"], "unmatch": "skip_id", "mapping": {"type": "keyword"}}},
            {"under": {"path_match": "labels.*", "path_unmatch": "labels.secret", "match_mapping_type": ["long", "double"],
                "mapping": {"type": "keyword"}}}
        ]));
        assert_eq!(
            declared_for(&by_name, "extra.user_id", &json!(7)).map(|d| d.es_type()),
            Some("keyword")
        );
        assert_eq!(declared_for(&by_name, "extra.skip_id", &json!("x")), None);
        assert!(declared_for(&by_name, "labels.n", &json!(1.5)).is_some());
        assert_eq!(declared_for(&by_name, "labels.n", &json!("one")), None);
        assert_eq!(declared_for(&by_name, "labels.secret", &json!(2)), None);
    }

    #[test]
    fn what_cannot_be_honoured_is_refused_by_name() {
        for (bad, said) in [
            (
                json!([{"t": {"match": "*", "match_pattern": "regex", "mapping": {"type": "keyword"}}}]),
                "[match_pattern]",
            ),
            (
                json!([{"t": {"match": "*", "mapping": {"type": "{dynamic_type}"}}}]),
                "{dynamic_type}",
            ),
            (
                json!([{"t": {"match_mapping_type": "object", "mapping": {"type": "object"}}}]),
                "[object]",
            ),
            (json!([{"t": {"match": "*"}}]), "[mapping]"),
            (
                json!([{"t": {"bogus": 1, "mapping": {"type": "keyword"}}}]),
                "[bogus]",
            ),
            (json!({"t": {}}), "array of named objects"),
        ] {
            let error = DynamicTemplate::read_all(&bad).expect_err("refused");
            assert!(error.reason.contains(said), "{} for {bad}", error.reason);
        }
    }
}
