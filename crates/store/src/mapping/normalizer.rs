//! Keyword normalizers: what a keyword field's values become before they are indexed, and
//! what the values of term-level queries on it become before they are looked up.
//! Elasticsearch's built-in `lowercase`, and an index's own normalizers
//! (`settings.analysis.normalizer`) made of the `lowercase` filter; other filters and
//! character filters are refused by name.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::explicit::{mapper_error, Declared, Explicit};
use super::FieldKind;
use crate::RequestError;

/// Where an index's own normalizers are in its (flat) settings.
const PREFIX: &str = "analysis.normalizer.";

/// What a normalizer does to a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalizer {
    /// Each character to lower case, as Java's `Character.toLowerCase` (Lucene's
    /// `LowerCaseFilter`) does: one character for one, whatever the context.
    Lowercase,
    /// A normalizer of no filters: values as they are.
    Unchanged,
}

impl Normalizer {
    pub fn apply<'a>(self, text: &'a str) -> Cow<'a, str> {
        match self {
            Normalizer::Unchanged => Cow::Borrowed(text),
            Normalizer::Lowercase
                if text.is_ascii() && !text.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                Cow::Borrowed(text)
            }
            // (`str::to_lowercase` would write a final sigma as `ς`, and `İ` as two
            // characters: Java's simple mapping writes `σ` and `i`)
            Normalizer::Lowercase => Cow::Owned(
                text.chars()
                    .map(|c| c.to_lowercase().next().unwrap_or(c))
                    .collect(),
            ),
        }
    }
}

/// The normalizer `name` in an index's flat `settings`: its own first, then the built-in
/// `lowercase`. `None` when there is no such normalizer.
pub(crate) fn resolve(settings: &Map<String, Value>, name: &str) -> Option<Normalizer> {
    let own = format!("{PREFIX}{name}.");
    let mut keys = settings
        .keys()
        .filter(|key| key.starts_with(&own))
        .peekable();
    if keys.peek().is_none() {
        return (name == "lowercase").then_some(Normalizer::Lowercase);
    }
    let filters = settings.get(&format!("{own}filter"));
    Some(match filters.map(names).unwrap_or_default().is_empty() {
        true => Normalizer::Unchanged,
        false => Normalizer::Lowercase,
    })
}

/// A filter list as settings hold it: one name, or a list of them.
fn names(value: &Value) -> Vec<&str> {
    match value {
        Value::String(name) => vec![name.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Checks one flat setting under `analysis.normalizer.`, as Elasticsearch checks a custom
/// normalizer: `type` is `custom`, `filter` names `lowercase` only, `char_filter` is empty.
/// `false` when the setting is not a normalizer's.
pub(crate) fn check_setting(key: &str, value: &Value) -> Result<bool, RequestError> {
    let Some((name, parameter)) = key
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.rsplit_once('.'))
    else {
        return Ok(false);
    };
    let listed = matches!(value, Value::String(_))
        || value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string));
    match parameter {
        "type" if value.as_str() == Some("custom") => {}
        "type" => {
            let shown = value
                .as_str()
                .map_or_else(|| value.to_string(), String::from);
            return Err(RequestError::illegal_argument(format!(
                "Unknown normalizer type [{shown}] for [{name}]"
            )));
        }
        "filter" | "char_filter" if !listed => {
            return Err(RequestError::illegal_argument(format!(
                "[{parameter}] of normalizer [{name}] must be a name or a list of names"
            )))
        }
        "filter" => {
            if let Some(other) = names(value).into_iter().find(|f| *f != "lowercase") {
                return Err(RequestError::illegal_argument(format!(
                    "filter [{other}] of normalizer [{name}] is not supported by logdash: a normalizer's only filter is [lowercase]"
                )));
            }
        }
        "char_filter" => {
            if let Some(other) = names(value).first() {
                return Err(RequestError::illegal_argument(format!(
                    "char_filter [{other}] of normalizer [{name}] is not supported by logdash"
                )));
            }
        }
        _ => {
            return Err(RequestError::illegal_argument(format!(
                "setting [index.{key}] is not supported by logdash"
            )))
        }
    }
    Ok(true)
}

impl Declared {
    /// The name of the normalizer of this field's whole values: a keyword's own, or a text
    /// field's `.keyword`'s.
    pub fn normalizer_name(&self) -> Option<&str> {
        let named = match self.kind {
            FieldKind::Keyword => self.property.get("normalizer"),
            FieldKind::Text => self
                .property
                .get("fields")?
                .get("keyword")?
                .get("normalizer"),
            _ => None,
        };
        named?.as_str()
    }
}

impl Explicit {
    /// The normalizer of `declared`'s whole values, from this index's settings.
    pub fn normalizer_of(&self, declared: &Declared) -> Option<Normalizer> {
        resolve(&self.settings, declared.normalizer_name()?)
    }

    /// The normalizer of `field` as queries name it (a keyword, or a text field's
    /// `.keyword`), if it has one.
    pub fn normalizer(&self, field: &str) -> Option<Normalizer> {
        let own = self
            .fields
            .get(field)
            .filter(|d| d.kind == FieldKind::Keyword);
        let sub = || {
            let base = self.fields.get(field.strip_suffix(".keyword")?)?;
            (base.kind == FieldKind::Text).then_some(base)
        };
        self.normalizer_of(own.or_else(sub)?)
    }

    /// The normalizer of the whole values kept at `path`: a keyword's own, or a text
    /// field's `.keyword`'s.
    pub fn normalizer_at(&self, path: &str) -> Option<Normalizer> {
        self.normalizer_of(self.fields.get(path)?)
    }

    /// Whether any declared field names a normalizer (asked of every event shaped).
    pub fn has_normalizers(&self) -> bool {
        let declared = self.fields.values();
        let templated = self.dynamic_templates.iter().map(|t| &t.declared);
        declared
            .chain(templated)
            .any(|d| d.normalizer_name().is_some())
    }

    /// Every normalizer the mapping (and its dynamic templates) names is one its settings
    /// have, or the built-in one.
    pub fn check_normalizers(&self) -> Result<(), RequestError> {
        let fields = self.fields.iter().map(|(name, d)| (name.as_str(), d));
        let templated = self
            .dynamic_templates
            .iter()
            .map(|t| (t.name.as_str(), &t.declared));
        for (name, declared) in fields.chain(templated) {
            let Some(normalizer) = declared.normalizer_name() else {
                continue;
            };
            if resolve(&self.settings, normalizer).is_none() {
                let field = match declared.kind {
                    FieldKind::Text => format!("{name}.keyword"),
                    _ => name.to_string(),
                };
                return Err(mapper_error(format!(
                    "Failed to parse mapping: normalizer [{normalizer}] not found for field [{field}]"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lowercase_maps_each_character_alone_as_java_does() {
        let lower = |text| Normalizer::Lowercase.apply(text).into_owned();
        assert_eq!(lower("İNFO ΣΑΣ"), "info σασ");
        assert_eq!(lower("Café Olé"), "café olé");
        assert!(matches!(
            Normalizer::Lowercase.apply("web-1"),
            Cow::Borrowed(_)
        ));
        assert_eq!(Normalizer::Unchanged.apply("AbC"), "AbC");
    }

    #[test]
    fn normalizers_are_the_index_own_then_the_built_in_one() {
        let settings: Map<String, Value> = serde_json::from_value(json!({
            "analysis.normalizer.folded.filter": ["lowercase"],
            "analysis.normalizer.plain.type": "custom",
            "analysis.normalizer.one.filter": "lowercase"
        }))
        .expect("settings");
        assert_eq!(resolve(&settings, "folded"), Some(Normalizer::Lowercase));
        assert_eq!(resolve(&settings, "one"), Some(Normalizer::Lowercase));
        assert_eq!(resolve(&settings, "plain"), Some(Normalizer::Unchanged));
        assert_eq!(resolve(&settings, "lowercase"), Some(Normalizer::Lowercase));
        assert_eq!(resolve(&settings, "nope"), None);
    }

    #[test]
    fn settings_of_normalizers_are_checked_each_by_name() {
        let check = |key: &str, value: Value| check_setting(key, &value);
        assert_eq!(check("number_of_shards", json!(1)).ok(), Some(false));
        assert_eq!(
            check("analysis.normalizer.x.type", json!("custom")).ok(),
            Some(true)
        );
        assert_eq!(
            check("analysis.normalizer.x.char_filter", json!([])).ok(),
            Some(true)
        );
        for (key, value, says) in [
            (
                "analysis.normalizer.x.type",
                json!("weird"),
                "Unknown normalizer type [weird] for [x]",
            ),
            (
                "analysis.normalizer.x.filter",
                json!(["lowercase", "asciifolding"]),
                "filter [asciifolding] of normalizer [x]",
            ),
            (
                "analysis.normalizer.x.char_filter",
                json!(["html_strip"]),
                "char_filter [html_strip]",
            ),
            (
                "analysis.normalizer.x.filter",
                json!(3),
                "must be a name or a list of names",
            ),
            (
                "analysis.normalizer.x.other",
                json!("y"),
                "[index.analysis.normalizer.x.other]",
            ),
        ] {
            let refused = check(key, value).expect_err("refused");
            assert!(refused.reason.contains(says), "{}", refused.reason);
        }
    }
}
