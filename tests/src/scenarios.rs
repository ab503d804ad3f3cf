//! Request/expected-subtree scenarios (`tests/scenarios/*.json`), run against the real engine
//! and the embedded store by `tests/tests/engine_scenarios.rs`. The format is described in
//! `tests/scenarios/README.md`; this module reads it, judges answers and re-records it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

/// One scenario file: documents to load, then requests with the answers they must get.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub about: String,
    /// Every index the file's documents go to (deleted on the engine before loading).
    pub indices: Vec<String>,
    /// The `_bulk` lines, as JSON values.
    pub bulk: Vec<Value>,
    pub steps: Vec<Step>,
    /// Checks of the store's own tests that are not requests, with why (kept for the reader).
    #[serde(default)]
    pub not_converted: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: String,
    /// `METHOD /path?query`, as Elasticsearch takes it (no `/es` prefix).
    pub request: String,
    #[serde(default)]
    pub body: Option<Value>,
    /// A body of NDJSON lines (for `_msearch`), instead of `body`.
    #[serde(default)]
    pub ndjson: Option<Vec<Value>>,
    /// A body sent byte for byte (a malformed `_bulk`), instead of `body` or `ndjson`.
    #[serde(default)]
    pub raw: Option<String>,
    /// Sent to the ingest port, as a shipper sends it, though it writes nothing
    /// (`GET /_cluster/health`); writes go there anyway (see [`Step::writes`]).
    #[serde(default)]
    pub ingest: bool,
    #[serde(default = "ok")]
    pub status: u16,
    /// Relative tolerance for numbers (0 = equal as floats).
    #[serde(default)]
    pub tolerance: f64,
    /// The subtree the answer must contain; `null` means "not recorded yet".
    pub expect: Value,
}

fn ok() -> u16 {
    200
}

impl Scenario {
    pub fn load(path: &Path) -> Result<Scenario, String> {
        let text =
            std::fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))?;
        let scenario: Scenario =
            serde_json::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))?;
        let mut names = std::collections::HashSet::new();
        for step in &scenario.steps {
            if !names.insert(step.name.as_str()) {
                return Err(format!("{}: two steps named {}", path.display(), step.name));
            }
            step.method_and_path()?;
        }
        Ok(scenario)
    }

    /// The `_bulk` body that loads the documents.
    pub fn bulk_body(&self) -> String {
        ndjson(&self.bulk)
    }

    /// How many documents the `_bulk` body holds (every action here has a source line).
    pub fn document_count(&self) -> usize {
        self.bulk.len() / 2
    }

    /// The file again, with each step's expectation as given (one line per value, so that a
    /// re-recording shows in a diff as the values that changed).
    pub fn to_file_text(&self) -> String {
        let compact = |value: &Value| serde_json::to_string(value).unwrap_or_default();
        let mut out = String::from("{\n");
        out.push_str(&format!(
            "  \"about\": {},\n",
            compact(&Value::String(self.about.clone()))
        ));
        out.push_str(&format!(
            "  \"indices\": {},\n",
            compact(&Value::from(self.indices.clone()))
        ));
        let lines: Vec<String> = self
            .bulk
            .iter()
            .map(|line| format!("    {}", compact(line)))
            .collect();
        out.push_str(&format!("  \"bulk\": [\n{}\n  ],\n", lines.join(",\n")));
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|step| {
                let mut fields = vec![
                    format!(
                        "      \"name\": {}",
                        compact(&Value::String(step.name.clone()))
                    ),
                    format!(
                        "      \"request\": {}",
                        compact(&Value::String(step.request.clone()))
                    ),
                ];
                if step.ingest {
                    fields.push("      \"ingest\": true".to_string());
                }
                if let Some(body) = &step.body {
                    fields.push(format!("      \"body\": {}", compact(body)));
                }
                if let Some(raw) = &step.raw {
                    fields.push(format!(
                        "      \"raw\": {}",
                        compact(&Value::String(raw.clone()))
                    ));
                }
                if let Some(lines) = &step.ndjson {
                    fields.push(format!(
                        "      \"ndjson\": {}",
                        compact(&Value::from(lines.clone()))
                    ));
                }
                if step.status != 200 {
                    fields.push(format!("      \"status\": {}", step.status));
                }
                if step.tolerance != 0.0 {
                    fields.push(format!("      \"tolerance\": {}", step.tolerance));
                }
                fields.push(format!("      \"expect\": {}", compact(&step.expect)));
                format!("    {{\n{}\n    }}", fields.join(",\n"))
            })
            .collect();
        out.push_str(&format!("  \"steps\": [\n{}\n  ]", steps.join(",\n")));
        if let Some(skipped) = &self.not_converted {
            out.push_str(&format!(",\n  \"not_converted\": {}", compact(skipped)));
        }
        out.push_str("\n}\n");
        out
    }
}

impl Step {
    pub fn method_and_path(&self) -> Result<(&str, &str), String> {
        self.request
            .split_once(' ')
            .filter(|(method, path)| !method.is_empty() && path.starts_with('/'))
            .ok_or_else(|| format!("step {}: request must be `METHOD /path`", self.name))
    }

    /// The request body as sent.
    pub fn body_text(&self) -> String {
        match (&self.raw, &self.body, &self.ndjson) {
            (Some(raw), _, _) => raw.clone(),
            (None, Some(body), _) => body.to_string(),
            (None, None, Some(lines)) => ndjson(lines),
            (None, None, None) => String::new(),
        }
    }

    /// Whether the step writes (`_bulk`, creating, mapping or deleting an index, or asking
    /// whether one exists) or reads templates: the store takes it on its ingest port, where
    /// shippers call it, not on `/es/`.
    pub fn writes(&self) -> bool {
        self.ingest
            || self.method_and_path().is_ok_and(|(method, path)| {
                // (closing a scroll writes nothing: `/es/` takes it)
                (matches!(method, "PUT" | "DELETE" | "HEAD")
                    && !path.starts_with("/_search/scroll"))
                    || path.starts_with("/_index_template")
                    || path.starts_with("/_template")
                    || path
                        .split('?')
                        .next()
                        .is_some_and(|p| p.ends_with("/_bulk"))
            })
    }

    /// Whether `status` and `answer` are what the step expects; otherwise what differs.
    pub fn judge(&self, status: u16, answer: &Value) -> Result<(), String> {
        if status != self.status {
            return Err(format!("status {status}, expected {}", self.status));
        }
        subtree(answer, &self.expect, self.tolerance)
    }

    /// Takes `answer` as the new expectation, keeping the keys the old one checked (all of
    /// the answer but its volatile parts when nothing was recorded yet).
    pub fn record(&mut self, status: u16, answer: &Value) {
        self.status = status;
        self.expect = if self.expect.is_null() {
            without_volatile(answer)
        } else {
            project(answer, &self.expect)
        };
    }
}

fn ndjson(lines: &[Value]) -> String {
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// An expected value that says the key must not be there.
pub const ABSENT: &str = "<absent>";

/// `expected` must be a subtree of `actual`: every key it has, with the same value (or not
/// there at all, where it says [`ABSENT`]); arrays of the same length, element by element;
/// numbers equal within `tolerance` (relative).
pub fn subtree(actual: &Value, expected: &Value, tolerance: f64) -> Result<(), String> {
    check(actual, expected, tolerance, "$")
}

fn check(actual: &Value, expected: &Value, tolerance: f64, path: &str) -> Result<(), String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().try_for_each(|(key, value)| {
            let next = format!("{path}.{key}");
            match (a.get(key), value.as_str() == Some(ABSENT)) {
                (None, true) => Ok(()),
                (Some(found), true) => Err(format!("{next} is {found}, expected none")),
                (Some(found), false) => check(found, value, tolerance, &next),
                (None, false) => Err(format!("{next} is missing")),
            }
        }),
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => a
            .iter()
            .zip(e)
            .enumerate()
            .try_for_each(|(i, (a, e))| check(a, e, tolerance, &format!("{path}[{i}]"))),
        (Value::Array(a), Value::Array(e)) => Err(format!(
            "{path} has {} elements, expected {}",
            a.len(),
            e.len()
        )),
        (Value::Number(a), Value::Number(e)) => {
            let (a, e) = (
                a.as_f64().unwrap_or(f64::NAN),
                e.as_f64().unwrap_or(f64::NAN),
            );
            if a == e || (a - e).abs() <= tolerance * e.abs() {
                Ok(())
            } else {
                Err(format!("{path} is {a}, expected {e}"))
            }
        }
        (a, e) if a == e => Ok(()),
        (a, e) => Err(format!("{path} is {a}, expected {e}")),
    }
}

/// `actual` cut down to the keys `shape` has (arrays: each element cut to the shape of the
/// element at the same place, or of the last one).
pub fn project(actual: &Value, shape: &Value) -> Value {
    match (actual, shape) {
        (Value::Object(a), Value::Object(s)) => Value::Object(
            s.iter()
                .filter_map(|(key, sub)| match a.get(key) {
                    Some(found) => Some((key.clone(), project(found, sub))),
                    // a key said to be absent stays so while it is
                    None if sub.as_str() == Some(ABSENT) => Some((key.clone(), sub.clone())),
                    None => None,
                })
                .collect::<Map<String, Value>>(),
        ),
        (Value::Array(a), Value::Array(s)) => match s.last() {
            Some(last) => Value::Array(
                a.iter()
                    .enumerate()
                    .map(|(i, element)| project(element, s.get(i).unwrap_or(last)))
                    .collect(),
            ),
            None => Value::Array(a.iter().map(without_volatile).collect()),
        },
        (a, _) => a.clone(),
    }
}

/// Parts of an answer that change from run to run or from engine to engine: timings, shard
/// counts, scores, sequence numbers, error texts.
const VOLATILE: &[&str] = &[
    "took",
    "_shards",
    "max_score",
    "_score",
    "_seq_no",
    "_primary_term",
    "_version",
    "reason",
    "root_cause",
    "caused_by",
    "stack_trace",
    "node",
    "uuid",
    "index_uuid",
];

pub fn without_volatile(answer: &Value) -> Value {
    match answer {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !VOLATILE.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), without_volatile(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_volatile).collect()),
        other => other.clone(),
    }
}

/// A list of steps allowed to answer otherwise than the expected files, each with its reason
/// (`tests/scenarios/known-differences*.json`, keyed `file-stem/step-name`), used up as the
/// steps are judged: a listed step that answers as expected fails, so that the list stays
/// true, and so does an entry that names no step.
pub struct Listed {
    name: String,
    reasons: BTreeMap<String, String>,
    seen: BTreeSet<String>,
}

/// How one answer compares with its step's expectation, given the list.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Agrees,
    Known,
    Fails(String),
}

impl Listed {
    pub fn load(path: &Path) -> Result<Listed, String> {
        let text =
            std::fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))?;
        let reasons =
            serde_json::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))?;
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().to_string())
            .unwrap_or_default();
        Ok(Listed {
            name,
            reasons,
            seen: BTreeSet::new(),
        })
    }

    /// An empty list: every difference fails, pointing at `remedy`.
    pub fn none(remedy: &str) -> Listed {
        Listed {
            name: remedy.to_string(),
            reasons: BTreeMap::new(),
            seen: BTreeSet::new(),
        }
    }

    pub fn judge(
        &mut self,
        key: &str,
        who: &str,
        judged: Result<(), String>,
        answer: &Value,
    ) -> Verdict {
        let listed = self.reasons.contains_key(key);
        if listed {
            self.seen.insert(key.to_string());
        }
        match (judged, listed) {
            (Ok(()), false) => Verdict::Agrees,
            (Err(_), true) => Verdict::Known,
            (Ok(()), true) => Verdict::Fails(format!(
                "{key}: listed in {} but {who} now answers as expected: take it off the list",
                self.name
            )),
            (Err(why), false) => Verdict::Fails(format!(
                "{key}: {who} answers otherwise ({why}); if that is right, see {}\n  {who}: {answer}",
                self.name
            )),
        }
    }

    /// Failures for the entries that named no step judged.
    pub fn unused(&self) -> Vec<String> {
        self.reasons
            .keys()
            .filter(|key| !self.seen.contains(*key))
            .map(|key| format!("{key}: listed in {} but there is no such step", self.name))
            .collect()
    }
}

/// The scenario files, in name order.
pub fn files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| {
                    path.extension().is_some_and(|ext| ext == "json")
                        && !path.file_name().is_some_and(|name| {
                            name.to_string_lossy().starts_with("known-differences")
                        })
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_subtree_checks_only_what_it_names() {
        let answer = json!({"took": 3, "hits": {"total": {"value": 2}, "hits": [{"_id": "a", "_score": 1.0}, {"_id": "b"}]}});
        assert_eq!(
            subtree(&answer, &json!({"hits": {"total": {"value": 2}}}), 0.0),
            Ok(())
        );
        assert_eq!(
            subtree(
                &answer,
                &json!({"hits": {"hits": [{"_id": "a"}, {"_id": "b"}]}}),
                0.0
            ),
            Ok(())
        );
        assert_eq!(
            subtree(&answer, &json!({"hits": {"hits": [{"_id": "a"}]}}), 0.0),
            Err("$.hits.hits has 2 elements, expected 1".into())
        );
        assert_eq!(
            subtree(&answer, &json!({"aggregations": {}}), 0.0),
            Err("$.aggregations is missing".into())
        );
        assert_eq!(
            subtree(&answer, &json!({"hits": {"total": {"value": 3}}}), 0.0),
            Err("$.hits.total.value is 2, expected 3".into())
        );
    }

    #[test]
    fn a_key_said_absent_must_not_be_there_and_stays_so_when_recorded() {
        let answer = json!({"hits": {"hits": [{"_id": "a"}]}});
        let absent = json!({"hits": {"hits": [{"_id": "a", "_source": ABSENT}]}});
        assert_eq!(subtree(&answer, &absent, 0.0), Ok(()));
        let with_source = json!({"hits": {"hits": [{"_id": "a", "_source": {}}]}});
        assert_eq!(
            subtree(&with_source, &absent, 0.0),
            Err("$.hits.hits[0]._source is {}, expected none".into())
        );
        assert_eq!(project(&answer, &absent), absent);
    }

    #[test]
    fn numbers_compare_as_floats_within_the_tolerance() {
        assert_eq!(subtree(&json!({"v": 26}), &json!({"v": 26.0}), 0.0), Ok(()));
        assert!(subtree(&json!({"v": 100.5}), &json!({"v": 101.0}), 0.0).is_err());
        assert_eq!(
            subtree(&json!({"v": 100.5}), &json!({"v": 101.0}), 0.01),
            Ok(())
        );
        assert!(subtree(&json!({"v": "26"}), &json!({"v": 26}), 0.5).is_err());
    }

    #[test]
    fn recording_keeps_the_shape_that_was_checked() {
        let answer = json!({"took": 9, "hits": {"total": {"value": 3, "relation": "eq"},
            "hits": [{"_id": "x", "_score": 2.0, "_index": "i"}, {"_id": "y", "_score": 1.0, "_index": "i"}, {"_id": "z", "_index": "i"}]}});
        let shape = json!({"hits": {"total": {"value": 0}, "hits": [{"_id": "old"}]}});
        assert_eq!(
            project(&answer, &shape),
            json!({"hits": {"total": {"value": 3}, "hits": [{"_id": "x"}, {"_id": "y"}, {"_id": "z"}]}})
        );
        assert_eq!(
            without_volatile(&answer)["hits"]["hits"][0],
            json!({"_id": "x", "_index": "i"})
        );
        assert!(without_volatile(&answer).get("took").is_none());
    }

    #[test]
    fn a_file_reads_back_as_written() {
        let text = r#"{"about": "a", "indices": ["i"], "bulk": [{"index": {"_index": "i", "_id": "1"}}, {"m": 1}],
            "steps": [{"name": "s", "request": "POST /i/_search", "body": {"size": 0}, "status": 400, "expect": {"error": {"type": "t"}}},
                      {"name": "m", "request": "POST /_msearch", "ndjson": [{}, {"size": 0}], "tolerance": 0.01, "expect": null}]}"#;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.json");
        std::fs::write(&path, text).expect("write");
        let scenario = Scenario::load(&path).expect("loads");
        assert_eq!(scenario.document_count(), 1);
        assert_eq!(scenario.steps[1].body_text(), "{}\n{\"size\":0}\n");
        std::fs::write(&path, scenario.to_file_text()).expect("write");
        let again = Scenario::load(&path).expect("loads again");
        assert_eq!(again.to_file_text(), scenario.to_file_text());
        assert_eq!(again.steps[0].status, 400);
        assert_eq!(again.steps[1].tolerance, 0.01);
    }

    #[test]
    fn a_listed_step_must_differ_and_every_entry_must_name_a_step() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("known-differences.json");
        std::fs::write(
            &path,
            r#"{"f/a": "why a", "f/b": "why b", "f/gone": "no such step"}"#,
        )
        .expect("write");
        let mut listed = Listed::load(&path).expect("loads");
        let differs = Err("$.v is 1, expected 2".to_string());
        assert_eq!(
            listed.judge("f/a", "the store", differs.clone(), &json!({})),
            Verdict::Known
        );
        assert!(
            matches!(listed.judge("f/b", "the store", Ok(()), &json!({})), Verdict::Fails(why) if why.contains("take it off"))
        );
        assert_eq!(
            listed.judge("f/c", "the store", Ok(()), &json!({})),
            Verdict::Agrees
        );
        assert!(
            matches!(listed.judge("f/d", "the store", differs, &json!({})), Verdict::Fails(why) if why.contains("$.v is 1"))
        );
        assert_eq!(
            listed.unused(),
            vec!["f/gone: listed in known-differences.json but there is no such step".to_string()]
        );
    }

    #[test]
    fn step_names_are_unique_and_requests_well_formed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.json");
        let twice = r#"{"about": "", "indices": [], "bulk": [], "steps": [
            {"name": "a", "request": "GET /", "expect": {}}, {"name": "a", "request": "GET /", "expect": {}}]}"#;
        std::fs::write(&path, twice).expect("write");
        assert!(Scenario::load(&path)
            .expect_err("refused")
            .contains("two steps named a"));
        let bad = r#"{"about": "", "indices": [], "bulk": [], "steps": [{"name": "a", "request": "GET", "expect": {}}]}"#;
        std::fs::write(&path, bad).expect("write");
        assert!(Scenario::load(&path)
            .expect_err("refused")
            .contains("METHOD /path"));
    }
}
