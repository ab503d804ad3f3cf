//! A date field's declared `format` (`yyyy-MM-dd HH:mm:ss||epoch_millis`): each
//! alternative tried in turn on a value, as Elasticsearch's date parser tries them, with
//! `java.time`'s reading of a pattern (`core::time::pattern_read`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use logdash_core::time::{read_iso, DatePattern, EpochMillis};
use serde_json::Value;

/// Named formats the store reads as ISO 8601 (with an optional time and zone).
const ISO: &[&str] = &[
    "strict_date_optional_time",
    "date_optional_time",
    "strict_date_optional_time_nanos",
    "date_optional_time_nanos",
    "strict_date_time",
    "date_time",
];

#[derive(Debug, Clone)]
enum Alternative {
    Iso,
    EpochMillis,
    Pattern(DatePattern),
}

/// A declared format, read once.
#[derive(Debug, Clone)]
pub(crate) struct DeclaredFormat {
    alternatives: Vec<Alternative>,
}

impl DeclaredFormat {
    /// Reads `format`, or says why Elasticsearch would not take it (or logdash cannot).
    pub(crate) fn parse(format: &str) -> Result<DeclaredFormat, String> {
        let alternatives = format
            .split("||")
            .map(str::trim)
            .map(|alternative| {
                let name = alternative.strip_prefix("strict_").unwrap_or(alternative);
                Ok(match alternative {
                    _ if ISO.contains(&alternative) || ISO.contains(&name) => Alternative::Iso,
                    "epoch_millis" => Alternative::EpochMillis,
                    _ => Alternative::Pattern(DatePattern::parse(alternative)?),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(DeclaredFormat { alternatives })
    }

    /// Whether the format is the default's alternatives only (ISO 8601, epoch millis).
    pub(crate) fn is_default(format: &str) -> bool {
        format
            .split("||")
            .map(str::trim)
            .all(|f| ISO.contains(&f) || f == "epoch_millis")
    }

    /// The instant `value` names (epoch milliseconds), read by the first alternative that
    /// takes it; a number is read as epoch milliseconds where the format has them, and as
    /// its text by the patterns, as Elasticsearch reads it.
    pub(crate) fn read(&self, value: &Value) -> Option<EpochMillis> {
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        self.alternatives
            .iter()
            .find_map(|alternative| match alternative {
                Alternative::Iso => read_iso(&text).map(|read| read.instant(|local| local)),
                Alternative::EpochMillis => match value {
                    Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
                    _ => text.parse::<i64>().ok(),
                },
                Alternative::Pattern(pattern) => {
                    pattern.read(&text).map(|read| read.instant(|local| local))
                }
            })
    }

    /// `format` read once per thread and kept (events of one field come in runs).
    pub(crate) fn cached(format: &str) -> Option<Rc<DeclaredFormat>> {
        thread_local! {
            static READ: RefCell<HashMap<String, Rc<DeclaredFormat>>> = RefCell::new(HashMap::new());
        }
        READ.with(|read| {
            if let Some(found) = read.borrow().get(format) {
                return Some(Rc::clone(found));
            }
            let parsed = Rc::new(DeclaredFormat::parse(format).ok()?);
            let mut read = read.borrow_mut();
            // (a bound on what a thread keeps: formats are few)
            if read.len() > 256 {
                read.clear();
            }
            read.insert(format.to_string(), Rc::clone(&parsed));
            Some(parsed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_alternative_is_tried_in_turn() {
        let format =
            DeclaredFormat::parse("yyyy-MM-dd HH:mm:ss||yyyy-MM-dd||epoch_millis").expect("read");
        assert_eq!(
            format.read(&json!("2015-01-01 12:10:30")),
            Some(1_420_114_230_000)
        );
        assert_eq!(format.read(&json!("2015-01-01")), Some(1_420_070_400_000));
        assert_eq!(
            format.read(&json!(1_420_070_400_000_i64)),
            Some(1_420_070_400_000)
        );
        assert_eq!(
            format.read(&json!("2015-01-01T12:10:30Z")),
            None,
            "not ISO 8601 here"
        );
        let iso = DeclaredFormat::parse("strict_date_optional_time||epoch_millis").expect("read");
        assert_eq!(
            iso.read(&json!("2015-01-01T12:10:30Z")),
            Some(1_420_114_230_000)
        );
        assert!(DeclaredFormat::is_default(
            "date_optional_time||epoch_millis"
        ));
        assert!(!DeclaredFormat::is_default("yyyy-MM-dd"));
        assert!(DeclaredFormat::parse("yyyy-MM-dd'T'HH:mm:ss.SSSZ").is_ok());
        assert!(
            DeclaredFormat::parse("YYYY-ww").is_err(),
            "week years are refused by name"
        );
    }
}
