//! `_cat/indices`' own parameters, as Elasticsearch applies them to its JSON rows: `h`
//! (the columns, in order, each named as asked: `i` for `index`), `s` (the order,
//! `docs.count:desc`) and `health` (a filter).

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// Each column logdash's rows have, and the other names Elasticsearch takes for it.
const COLUMNS: [(&str, &[&str]); 10] = [
    ("health", &["h"]),
    ("status", &["s"]),
    ("index", &["i", "idx"]),
    ("uuid", &["id"]),
    ("pri", &["p", "shards.primary", "shardsPrimary"]),
    ("rep", &["r", "shards.replica", "shardsReplica"]),
    ("docs.count", &["dc", "docsCount"]),
    ("docs.deleted", &["dd", "docsDeleted"]),
    ("store.size", &["ss", "storeSize"]),
    ("pri.store.size", &[]),
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatOptions {
    /// `h`: the columns asked for, as named.
    pub columns: Option<Vec<String>>,
    /// `s`: (column, descending), first first.
    pub sort: Vec<(String, bool)>,
    /// `health`: only the rows of this health.
    pub health: Option<String>,
    /// `bytes`: the unit sizes are written in (passed on; the store knows no sizes).
    pub bytes: Option<String>,
}

/// Why a parameter's value is refused: the status (403 for a column beyond logdash's,
/// 400 for what Elasticsearch refuses too) and the rule.
pub type Refused = (u16, String);

impl CatOptions {
    /// Reads `key=value` when it is one of these (`false`: not one of them); a column that
    /// is not one of logdash's (`*` too) is refused.
    pub fn read(&mut self, key: &str, value: &str) -> Result<bool, Refused> {
        // only the columns logdash's rows have: a cluster has many more (its caches,
        // segments and the like), which are beyond what the dashboard shows
        let names = || -> Result<Vec<String>, Refused> {
            let names: Vec<String> = value
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            let known = |name: &String| {
                let bare = name
                    .strip_suffix(":desc")
                    .or_else(|| name.strip_suffix(":asc"));
                column(bare.unwrap_or(name)).is_some()
            };
            match names.iter().find(|name| !known(name)) {
                Some(other) => Err((
                    403,
                    format!(
                        "[{key}] may name only the columns {}: not [{other}]",
                        COLUMNS.map(|(column, _)| column).join(", ")
                    ),
                )),
                None => Ok(names),
            }
        };
        match key {
            "h" => self.columns = Some(names()?),
            "s" => {
                for column in names()? {
                    self.sort.push(match column.rsplit_once(':') {
                        Some((name, "desc")) => (name.to_string(), true),
                        Some((name, "asc")) => (name.to_string(), false),
                        Some(_) => {
                            return Err((400, format!("unsupported sort order in [s={column}]")))
                        }
                        None => (column, false),
                    });
                }
            }
            "health" if matches!(value, "green" | "yellow" | "red") => {
                self.health = Some(value.to_string());
            }
            "health" => {
                return Err((
                    400,
                    format!("unknown health [{value}]: green, yellow or red"),
                ))
            }
            "bytes" if matches!(value, "b" | "kb" | "mb" | "gb" | "tb" | "pb") => {
                self.bytes = Some(value.to_string());
            }
            "bytes" => return Err((400, format!("failed to parse [bytes] value [{value}]"))),
            // a header line, which JSON has no place for
            "v" if matches!(value, "" | "true" | "false") => {}
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// `&`-joined parameters for the upstream URL.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(columns) = &self.columns {
            parts.push(format!("h={}", columns.join(",")));
        }
        if !self.sort.is_empty() {
            let keys: Vec<String> = self
                .sort
                .iter()
                .map(|(name, desc)| format!("{name}:{}", if *desc { "desc" } else { "asc" }))
                .collect();
            parts.push(format!("s={}", keys.join(",")));
        }
        for (key, value) in [("health", &self.health), ("bytes", &self.bytes)] {
            if let Some(value) = value {
                parts.push(format!("{key}={value}"));
            }
        }
        parts.join("&")
    }

    /// The rows (each with every column) as asked for: filtered, sorted, cut to columns.
    pub fn apply(&self, mut rows: Vec<Value>) -> Vec<Value> {
        if let Some(health) = &self.health {
            rows.retain(|row| row["health"].as_str() == Some(health));
        }
        if !self.sort.is_empty() {
            rows.sort_by(|a, b| {
                self.sort
                    .iter()
                    .map(|(name, desc)| {
                        let column = column(name).unwrap_or(name);
                        let order = compare(&a[column], &b[column]);
                        if *desc {
                            order.reverse()
                        } else {
                            order
                        }
                    })
                    .find(|order| order.is_ne())
                    .unwrap_or(Ordering::Equal)
            });
        }
        let Some(asked) = &self.columns else {
            return rows;
        };
        rows.into_iter()
            .map(|row| {
                let picked: Map<String, Value> = asked
                    .iter()
                    .filter_map(|name| {
                        let value = row.get(column(name)?)?;
                        Some((name.clone(), value.clone()))
                    })
                    .collect();
                Value::Object(picked)
            })
            .collect()
    }
}

/// The column `name` is, by its name or another.
fn column(name: &str) -> Option<&'static str> {
    COLUMNS
        .iter()
        .find(|(column, others)| *column == name || others.contains(&name))
        .map(|(column, _)| *column)
}

/// Two cells: as numbers when both are, else as text; an empty cell first.
fn compare(a: &Value, b: &Value) -> Ordering {
    let number = |v: &Value| v.as_str().and_then(|text| text.parse::<f64>().ok());
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => a.as_str().unwrap_or("").cmp(b.as_str().unwrap_or("")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rows() -> Vec<Value> {
        vec![
            json!({"health": "green", "index": "logs-a", "docs.count": "9", "uuid": "u1"}),
            json!({"health": "yellow", "index": "logs-b", "docs.count": "10", "uuid": "u2"}),
            json!({"health": "green", "index": "logs-c", "docs.count": "100", "uuid": "u3"}),
        ]
    }

    fn options(pairs: &[(&str, &str)]) -> CatOptions {
        let mut options = CatOptions::default();
        for (key, value) in pairs {
            assert_eq!(options.read(key, value), Ok(true), "{key}");
        }
        options
    }

    #[test]
    fn columns_are_picked_and_named_as_asked() {
        let picked = options(&[("h", "i,dc")]).apply(rows());
        assert_eq!(picked[1], json!({"i": "logs-b", "dc": "10"}));
    }

    #[test]
    fn rows_are_sorted_by_number_or_text_and_filtered_by_health() {
        let sorted = options(&[("s", "docs.count:desc"), ("h", "index")]).apply(rows());
        assert_eq!(
            sorted,
            [
                json!({"index": "logs-c"}),
                json!({"index": "logs-b"}),
                json!({"index": "logs-a"})
            ]
        );
        let green = options(&[("health", "green"), ("s", "i:desc"), ("h", "index")]).apply(rows());
        assert_eq!(
            green,
            [json!({"index": "logs-c"}), json!({"index": "logs-a"})]
        );
        let asked = options(&[
            ("h", "i,dc"),
            ("s", "dc:desc"),
            ("health", "green"),
            ("v", ""),
        ]);
        assert_eq!(asked.query(), "h=i,dc&s=dc:desc&health=green");
    }

    #[test]
    fn what_is_no_column_or_health_is_refused() {
        let mut options = CatOptions::default();
        assert!(options.read("h", "index&x=1").is_err());
        assert!(options.read("h", "*").is_err());
        assert!(options.read("h", "index,segments.memory").is_err());
        assert!(options.read("s", "index:up").is_err());
        assert!(options.read("health", "blue").is_err());
        assert_eq!(options.read("format", "json"), Ok(false));
    }
}
