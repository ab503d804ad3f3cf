//! Elasticsearch's `filter_path`: which parts of an answer a client wants back. A comma
//! list of dotted paths; a `*` in a name matches any characters of one name, `**` any
//! number of levels, arrays are passed through, a `-` in front excludes. What matches
//! nothing is left out: an object or an array left empty goes too.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterPath {
    include: Vec<Vec<String>>,
    exclude: Vec<Vec<String>>,
}

impl FilterPath {
    /// Reads `filter_path`'s value; blank paths are ignored.
    pub fn parse(text: &str) -> Self {
        let mut filter = Self::default();
        for path in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (list, path) = match path.strip_prefix('-') {
                Some(path) => (&mut filter.exclude, path),
                None => (&mut filter.include, path),
            };
            list.push(path.split('.').map(str::to_string).collect());
        }
        filter
    }

    /// `answer` with only the parts asked for (`{}` when nothing matches).
    pub fn apply(&self, answer: &Value) -> Value {
        let included = if self.include.is_empty() {
            Some(answer.clone())
        } else {
            let paths: Vec<&[String]> = self.include.iter().map(Vec::as_slice).collect();
            keep(answer, &paths)
        };
        let excluded = match included {
            Some(value) if !self.exclude.is_empty() => {
                let paths: Vec<&[String]> = self.exclude.iter().map(Vec::as_slice).collect();
                drop(value, &paths)
            }
            other => other,
        };
        excluded.unwrap_or_else(|| Value::Object(Map::new()))
    }
}

/// Where each path goes below a field named `name`: `None` when a path ends there (the
/// whole value is wanted), else the rest of the paths that go on below it.
fn below<'p>(paths: &[&'p [String]], name: &str) -> Option<Vec<&'p [String]>> {
    let mut rest = Vec::new();
    for path in paths {
        let Some((first, tail)) = path.split_first() else {
            continue;
        };
        if first == "**" {
            // any number of levels: this field may be one of them, or the next name
            rest.push(*path);
            match tail.split_first() {
                Some((next, after)) if glob(next, name) => {
                    if after.is_empty() {
                        return None;
                    }
                    rest.push(after);
                }
                None => return None,
                _ => {}
            }
        } else if glob(first, name) {
            if tail.is_empty() {
                return None;
            }
            rest.push(tail);
        }
    }
    Some(rest)
}

fn keep(value: &Value, paths: &[&[String]]) -> Option<Value> {
    match value {
        Value::Object(object) => {
            let kept: Map<String, Value> = object
                .iter()
                .filter_map(|(name, inner)| {
                    let inner = match below(paths, name) {
                        None => Some(inner.clone()),
                        Some(rest) if rest.is_empty() => None,
                        Some(rest) => keep(inner, &rest),
                    };
                    inner.map(|inner| (name.clone(), inner))
                })
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        Value::Array(items) => {
            let kept: Vec<Value> = items.iter().filter_map(|item| keep(item, paths)).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        // a path goes on below a value that has nothing below it
        _ => None,
    }
}

fn drop(value: Value, paths: &[&[String]]) -> Option<Value> {
    match value {
        Value::Object(object) => {
            let kept: Map<String, Value> = object
                .into_iter()
                .filter_map(|(name, inner)| match below(paths, &name) {
                    None => None,
                    Some(rest) if rest.is_empty() => Some((name, inner)),
                    Some(rest) => drop(inner, &rest).map(|inner| (name, inner)),
                })
                .collect();
            Some(Value::Object(kept))
        }
        Value::Array(items) => Some(Value::Array(
            items
                .into_iter()
                .filter_map(|item| drop(item, paths))
                .collect(),
        )),
        other => Some(other),
    }
}

/// Whether `name` matches `pattern` (`*`: any characters).
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.starts_with(head)
                && (0..=name.len() - head.len())
                    .filter(|&at| name.is_char_boundary(head.len() + at))
                    .any(|at| glob(tail, &name[head.len() + at..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A `_bulk` answer, and what Elasticsearch 8.19 answered with each filter.
    #[test]
    fn filters_as_the_engine_does() {
        let answer = json!({"took": 0, "errors": true, "items": [
            {"index": {"_index": "fp1", "_id": "a", "result": "updated", "status": 200}},
            {"create": {"_index": "fp1", "_id": "a", "status": 409,
                "error": {"type": "version_conflict_engine_exception", "reason": "r"}}}
        ]});
        let cases = [
            (
                "errors,items.*.error,items.*.status",
                json!({"errors": true, "items": [{"index": {"status": 200}}, {"create": {"status": 409, "error": {"type": "version_conflict_engine_exception", "reason": "r"}}}]}),
            ),
            (
                "items.*.error",
                json!({"items": [{"create": {"error": {"type": "version_conflict_engine_exception", "reason": "r"}}}]}),
            ),
            ("-items,took", json!({"took": 0})),
            (
                "**.status",
                json!({"items": [{"index": {"status": 200}}, {"create": {"status": 409}}]}),
            ),
            ("nothing", json!({})),
            (
                "items.ind*.result",
                json!({"items": [{"index": {"result": "updated"}}]}),
            ),
            ("took.deeper", json!({})),
            ("-items", json!({"took": 0, "errors": true})),
            ("", answer.clone()),
        ];
        for (filter, expected) in cases {
            assert_eq!(
                FilterPath::parse(filter).apply(&answer),
                expected,
                "{filter}"
            );
        }
    }

    #[test]
    fn globs_match_within_one_name() {
        assert!(glob("ind*", "index") && glob("*", "") && glob("a*c*e", "abcde"));
        assert!(!glob("ind*", "create") && !glob("a*c", "ab") && glob("é*", "été"));
    }
}
