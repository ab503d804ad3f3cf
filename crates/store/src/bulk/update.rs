//! `update` items: a partial document merged into the event held with the id, as
//! Elasticsearch's update API does it, with `doc_as_upsert` and `upsert`. No scripts:
//! logdash runs none.

use serde_json::{Map, Value};

use crate::{Raised, RequestError, Source};

/// An update item's body, read with the rest of the request.
pub(super) struct Update {
    doc: Option<Source>,
    upsert: Option<Source>,
    doc_as_upsert: bool,
    detect_noop: bool,
    script: bool,
}

/// What an update does to the event held with its id.
pub(super) enum Outcome {
    /// A script: refused (logdash runs none).
    Script,
    /// No event with the id, and nothing to insert instead.
    Missing,
    /// The merge changes nothing.
    Noop,
    /// Store this source, replacing the held event when `replace`.
    Store { source: Source, replace: bool },
}

const FIELDS: [&str; 7] = [
    "doc",
    "upsert",
    "doc_as_upsert",
    "detect_noop",
    "script",
    "scripted_upsert",
    "_source",
];

/// Reads an update body; one Elasticsearch cannot read refuses the whole request.
pub(super) fn read(line: &[u8]) -> Result<Update, RequestError> {
    let body = match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(body)) => body,
        Ok(_) => return Err(unreadable("[1:1] [UpdateRequest] expected START_OBJECT")),
        Err(err) => return Err(unreadable(&format!("[1:{}] {err}", err.column()))),
    };
    if let Some(unknown) = body.keys().find(|key| !FIELDS.contains(&key.as_str())) {
        return Err(unreadable(&format!(
            "[1:2] [UpdateRequest] unknown field [{unknown}]"
        )));
    }
    let object = |key: &str| match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(object)) => Ok(Some(object.clone())),
        Some(_) => Err(unreadable(&format!(
            "[1:2] [UpdateRequest] failed to parse field [{key}]"
        ))),
    };
    let flag = |key: &str, default: bool| body.get(key).and_then(Value::as_bool).unwrap_or(default);
    Ok(Update {
        doc: object("doc")?,
        upsert: object("upsert")?,
        doc_as_upsert: flag("doc_as_upsert", false),
        detect_noop: flag("detect_noop", true),
        script: body.contains_key("script"),
    })
}

impl Update {
    /// Whether it has nothing to do (Elasticsearch's validation: "script or doc is missing").
    pub(super) fn is_empty(&self) -> bool {
        self.doc.is_none() && !self.script
    }

    /// What it does to `held`, the event's source if there is one.
    pub(super) fn apply(&self, held: Option<Source>) -> Outcome {
        if self.script {
            return Outcome::Script;
        }
        let doc = self.doc.clone().unwrap_or_default();
        match held {
            Some(old) => {
                let mut merged = old.clone();
                merge(&mut merged, doc);
                if self.detect_noop && merged == old {
                    Outcome::Noop
                } else {
                    Outcome::Store {
                        source: merged,
                        replace: true,
                    }
                }
            }
            None if self.doc_as_upsert => Outcome::Store {
                source: doc,
                replace: false,
            },
            None => match &self.upsert {
                Some(upsert) => Outcome::Store {
                    source: upsert.clone(),
                    replace: false,
                },
                None => Outcome::Missing,
            },
        }
    }
}

/// Merges `from` into `into`: objects field by field, anything else replaced.
fn merge(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Value::Object(inner)), Value::Object(more)) => merge(inner, more),
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

fn unreadable(reason: &str) -> RequestError {
    RequestError {
        status: 400,
        kind: "x_content_parse_exception",
        reason: reason.to_string(),
        raised: Raised::Reading,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn source(value: Value) -> Source {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_partial_document_merges_into_objects_and_replaces_the_rest() {
        let update = read(br#"{"doc":{"m":2,"k":{"y":2},"l":[3]}}"#).expect("reads");
        let held = source(json!({"m": 1, "k": {"x": 1}, "l": [1, 2]}));
        let Outcome::Store {
            source: merged,
            replace,
        } = update.apply(Some(held))
        else {
            panic!("stores");
        };
        assert!(replace);
        assert_eq!(
            Value::Object(merged),
            json!({"m": 2, "k": {"x": 1, "y": 2}, "l": [3]})
        );
        let same = read(br#"{"doc":{"m":1}}"#).expect("reads");
        assert!(matches!(
            same.apply(Some(source(json!({"m": 1})))),
            Outcome::Noop
        ));
    }

    #[test]
    fn a_missing_event_is_inserted_only_when_asked() {
        let plain = read(br#"{"doc":{"m":7}}"#).expect("reads");
        assert!(matches!(plain.apply(None), Outcome::Missing));
        let as_upsert = read(br#"{"doc":{"m":5},"doc_as_upsert":true}"#).expect("reads");
        assert!(matches!(
            as_upsert.apply(None),
            Outcome::Store { replace: false, .. }
        ));
        let upsert = read(br#"{"doc":{"m":6},"upsert":{"m":0}}"#).expect("reads");
        let Outcome::Store {
            source: inserted, ..
        } = upsert.apply(None)
        else {
            panic!("inserts");
        };
        assert_eq!(Value::Object(inserted), json!({"m": 0}));
        let script = read(br#"{"script":{"source":"ctx._source.m++"}}"#).expect("reads");
        assert!(matches!(script.apply(None), Outcome::Script));
    }

    #[test]
    fn what_is_no_update_body_refuses_the_request() {
        let refused = read(br#"{"m":1}"#).err().expect("refused");
        assert_eq!(refused.kind, "x_content_parse_exception");
        assert_eq!(refused.reason, "[1:2] [UpdateRequest] unknown field [m]");
        assert!(read(b"[1]").is_err());
        assert!(read(br#"{"doc":3}"#).is_err());
        assert!(read(br#"{"detect_noop":false}"#).expect("reads").is_empty());
    }
}
