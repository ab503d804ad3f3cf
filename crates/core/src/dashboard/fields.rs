//! Which field holds the message, level, user, response time, status, path and request
//! id: set by people, or detected from `_field_caps` with defaults that fit
//! python-logstash-async's plain and ECS formatters and the demo app.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::view::{FieldOverrides, Role};

/// Candidates, most likely first.
pub const MESSAGE: &[&str] = &["message", "log.original", "event.original"];
pub const LEVEL: &[&str] = &["level", "log.level", "levelname", "severity"];
pub const USER: &[&str] = &[
    "user.id",
    "user.name",
    "extra.user_id",
    "extra.user",
    "client.ip",
    "extra.client_ip",
];
pub const LATENCY: &[&str] = &[
    "extra.response_time_ms",
    "response_time_ms",
    "event.duration",
    "extra.duration_ms",
    "http.response.time_ms",
];
pub const STATUS: &[&str] = &[
    "http.response.status_code",
    "extra.status_code",
    "status_code",
    "status",
];
pub const PATH: &[&str] = &[
    "url.path",
    "url.original",
    "extra.url_path",
    "extra.path_info",
    "path",
];
pub const REQUEST_ID: &[&str] = &[
    "http.request.id",
    "extra.request_id",
    "request_id",
    "trace.id",
    "transaction.id",
    "event.id",
];

/// The unit a response-time field is in, guessed from its name (ECS `event.duration` is ns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatencyUnit {
    Nanoseconds,
    Milliseconds,
    Seconds,
}

impl LatencyUnit {
    pub fn of(field: &str) -> Self {
        if field == "event.duration" || field.ends_with("_ns") {
            LatencyUnit::Nanoseconds
        } else if field.ends_with("_s") || field.ends_with("_seconds") {
            LatencyUnit::Seconds
        } else {
            LatencyUnit::Milliseconds
        }
    }

    /// Multiplier from this unit to milliseconds.
    pub fn to_ms(self) -> f64 {
        match self {
            LatencyUnit::Nanoseconds => 1e-6,
            LatencyUnit::Milliseconds => 1.0,
            LatencyUnit::Seconds => 1_000.0,
        }
    }
}

/// One field as the data has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldInfo {
    pub es_type: String,
    pub aggregatable: bool,
}

/// The data's fields, from a `_field_caps` answer.
pub fn from_field_caps(answer: &Value) -> BTreeMap<String, FieldInfo> {
    let mut out = BTreeMap::new();
    if let Some(fields) = answer.get("fields").and_then(Value::as_object) {
        for (name, types) in fields {
            let Some(types) = types.as_object() else {
                continue;
            };
            // with several types (a mapping conflict), prefer one that aggregates
            let best = types.values().max_by_key(|cap| {
                cap.get("aggregatable")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
            });
            if let Some(cap) = best {
                let es_type = cap
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
                    .to_string();
                if es_type == "object"
                    || cap
                        .get("metadata_field")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                {
                    continue;
                }
                let aggregatable = cap
                    .get("aggregatable")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                out.insert(
                    name.clone(),
                    FieldInfo {
                        es_type,
                        aggregatable,
                    },
                );
            }
        }
    }
    out
}

/// The fields the dashboard reads, each as (shown name, name to aggregate or sort on).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedFields {
    pub message: Option<String>,
    pub level: Option<Resolved>,
    pub user: Option<Resolved>,
    pub latency: Option<Resolved>,
    pub status: Option<Resolved>,
    pub path: Option<Resolved>,
    pub request_id: Option<Resolved>,
}

impl ResolvedFields {
    /// The name of the field found for `role`.
    pub fn name_of(&self, role: Role) -> Option<&str> {
        let resolved = match role {
            Role::Message => return self.message.as_deref(),
            Role::Level => &self.level,
            Role::User => &self.user,
            Role::Latency => &self.latency,
            Role::Status => &self.status,
            Role::Path => &self.path,
            Role::RequestId => &self.request_id,
        };
        resolved.as_ref().map(|found| found.name.as_str())
    }

    /// The roles the panels need a field for and the data has none of.
    pub fn missing(&self) -> Vec<Role> {
        [Role::User, Role::Latency, Role::Status]
            .into_iter()
            .filter(|role| self.name_of(*role).is_none())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The field as people name it (`extra.user_id`).
    pub name: String,
    /// What aggregations and sorting use (`extra.user_id.keyword` for a text field).
    pub agg: String,
}

/// Picks each field: the override when set, else the first candidate the data has.
pub fn resolve(overrides: &FieldOverrides, data: &BTreeMap<String, FieldInfo>) -> ResolvedFields {
    let pick = |chosen: &Option<String>, candidates: &[&str]| -> Option<Resolved> {
        match chosen {
            Some(name) => aggregatable(name, data).or_else(|| {
                Some(Resolved {
                    name: name.clone(),
                    agg: name.clone(),
                })
            }),
            None => candidates.iter().find_map(|name| aggregatable(name, data)),
        }
    };
    // a response time and a status are counted and ranged: only a number field will do
    // (Elasticsearch refuses percentiles and ranges of a keyword)
    let pick_number = |chosen: &Option<String>, candidates: &[&str]| match chosen {
        Some(_) => pick(chosen, candidates),
        None => candidates.iter().find_map(|name| {
            data.get(*name)
                .filter(|field| field.aggregatable && is_number(&field.es_type))
                .map(|_| Resolved {
                    name: name.to_string(),
                    agg: name.to_string(),
                })
        }),
    };
    ResolvedFields {
        message: overrides.message.clone().or_else(|| {
            MESSAGE
                .iter()
                .find(|n| data.contains_key(**n))
                .map(|n| n.to_string())
        }),
        level: pick(&overrides.level, LEVEL),
        user: pick(&overrides.user, USER),
        latency: pick_number(&overrides.latency, LATENCY),
        status: pick_number(&overrides.status, STATUS),
        path: pick(&overrides.path, PATH),
        request_id: pick(&overrides.request_id, REQUEST_ID),
    }
}

/// Whether a field type is a number's (`_field_caps`' type names).
fn is_number(es_type: &str) -> bool {
    matches!(
        es_type,
        "long"
            | "integer"
            | "short"
            | "byte"
            | "unsigned_long"
            | "double"
            | "float"
            | "half_float"
            | "scaled_float"
    )
}

/// `name` itself when it aggregates, else its `.keyword` sub-field when that does.
pub fn aggregatable(name: &str, data: &BTreeMap<String, FieldInfo>) -> Option<Resolved> {
    if data.get(name).is_some_and(|f| f.aggregatable) {
        return Some(Resolved {
            name: name.to_string(),
            agg: name.to_string(),
        });
    }
    let keyword = format!("{name}.keyword");
    data.get(&keyword)
        .filter(|f| f.aggregatable)
        .map(|_| Resolved {
            name: name.to_string(),
            agg: keyword,
        })
}

/// What to tell people when a panel's field is missing from the data: which field to
/// log, and the two lines of Python that log it with python-logstash-async.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The fields looked for, and what to log.
    pub said: String,
    /// Two lines of Python: the value, and the logging call that carries it (`extra=`).
    pub python: &'static str,
    /// The same with `LogstashEcsFormatter(extra_prefix="")`.
    pub ecs: &'static str,
}

/// The hint for a missing field of `role`: the user, response time, status and request
/// id have one (the others are found in any log).
pub fn missing_hint(role: Role) -> Option<Hint> {
    let (name, candidates, python, ecs) = match role {
        Role::User => (
            "user",
            USER,
            "user_id = session.get(\"user_id\") or request.remote_addr\n\
             logger.info(\"%s %s\", request.method, request.path, extra={\"user_id\": user_id})",
            "extra={\"user\": {\"id\": user_id}}",
        ),
        Role::Latency => (
            "response time",
            LATENCY,
            "elapsed_ms = (time.perf_counter() - g.started) * 1000\n\
             logger.info(\"%s %s\", request.method, request.path, extra={\"response_time_ms\": elapsed_ms})",
            "extra={\"event\": {\"duration\": int(elapsed_ms * 1e6)}}",
        ),
        Role::Status => (
            "status",
            STATUS,
            "status = response.status_code\n\
             logger.info(\"%s %s %s\", request.method, request.path, status, extra={\"status_code\": status})",
            "extra={\"http\": {\"response\": {\"status_code\": status}}}",
        ),
        Role::RequestId => (
            "request id",
            REQUEST_ID,
            "g.request_id = request.headers.get(\"X-Request-Id\") or uuid.uuid4().hex\n\
             logger.info(\"charging the card\", extra={\"request_id\": g.request_id})",
            "extra={\"http\": {\"request\": {\"id\": g.request_id}}}",
        ),
        Role::Message | Role::Level | Role::Path => return None,
    };
    Some(Hint {
        said: format!(
            "No {name} field in this data (looked for {}). Log one with each request, or pick a field in Fields:",
            candidates.join(", ")
        ),
        python,
        ecs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn caps() -> BTreeMap<String, FieldInfo> {
        from_field_caps(&json!({"fields": {
            "message": {"text": {"type": "text", "aggregatable": false, "searchable": true}},
            "level": {"text": {"type": "text", "aggregatable": false}},
            "level.keyword": {"keyword": {"type": "keyword", "aggregatable": true}},
            "extra": {"object": {"type": "object", "aggregatable": false}},
            "extra.user_id": {"text": {"type": "text", "aggregatable": false}},
            "extra.user_id.keyword": {"keyword": {"type": "keyword", "aggregatable": true}},
            "extra.response_time_ms": {"float": {"type": "float", "aggregatable": true}},
            "http.response.status_code": {"long": {"type": "long", "aggregatable": true}},
            "_id": {"_id": {"type": "_id", "metadata_field": true, "aggregatable": false}}
        }}))
    }

    #[test]
    fn detects_python_logstash_async_fields_and_aggregates_on_keyword() {
        let fields = resolve(&FieldOverrides::default(), &caps());
        assert_eq!(fields.message.as_deref(), Some("message"));
        assert_eq!(
            fields.level,
            Some(Resolved {
                name: "level".into(),
                agg: "level.keyword".into()
            })
        );
        assert_eq!(
            fields.user.map(|u| u.agg),
            Some("extra.user_id.keyword".into())
        );
        assert_eq!(
            fields.latency.map(|l| l.agg),
            Some("extra.response_time_ms".into())
        );
        assert_eq!(
            fields.status.map(|s| s.agg),
            Some("http.response.status_code".into())
        );
        assert_eq!(fields.request_id, None);
        assert!(!caps().contains_key("extra"), "objects are not fields");
    }

    #[test]
    fn a_response_time_or_status_logged_as_text_is_no_number_field() {
        let text = from_field_caps(&json!({"fields": {
            "extra.status_code": {"text": {"type": "text", "aggregatable": false}},
            "extra.status_code.keyword": {"keyword": {"type": "keyword", "aggregatable": true}},
            "status_code": {"long": {"type": "long", "aggregatable": true}},
            "extra.response_time_ms": {"keyword": {"type": "keyword", "aggregatable": true}}
        }}));
        let fields = resolve(&FieldOverrides::default(), &text);
        // the first candidate that is a number, as a range and percentiles need
        assert_eq!(fields.status.map(|s| s.agg), Some("status_code".into()));
        assert_eq!(fields.latency, None);
    }

    #[test]
    fn overrides_win() {
        let overrides = FieldOverrides {
            user: Some("level".into()),
            ..Default::default()
        };
        assert_eq!(
            resolve(&overrides, &caps()).user.map(|u| u.agg),
            Some("level.keyword".into())
        );
    }

    #[test]
    fn units_and_hints() {
        assert_eq!(LatencyUnit::of("event.duration"), LatencyUnit::Nanoseconds);
        assert_eq!(
            LatencyUnit::of("extra.response_time_ms"),
            LatencyUnit::Milliseconds
        );
        let hint = missing_hint(Role::Latency).expect("a hint");
        assert!(
            hint.said.contains("extra.response_time_ms"),
            "{}",
            hint.said
        );
        assert_eq!(hint.python.lines().count(), 2);
        assert!(hint
            .python
            .ends_with(r#"extra={"response_time_ms": elapsed_ms})"#));
        for role in [Role::User, Role::Latency, Role::Status, Role::RequestId] {
            let hint = missing_hint(role).expect("a hint");
            assert_eq!(hint.python.lines().count(), 2, "{role:?}");
            assert!(hint.python.contains("extra={"), "{role:?}");
            assert!(hint.ecs.starts_with("extra={"), "{role:?}");
        }
        assert!(missing_hint(Role::RequestId)
            .is_some_and(|hint| hint.said.starts_with("No request id field")));
        assert_eq!(missing_hint(Role::Message), None);
    }

    #[test]
    fn each_role_names_its_field_and_the_panels_say_which_they_lack() {
        let resolved = ResolvedFields {
            message: Some("message".into()),
            user: Some(Resolved {
                name: "extra.user_id".into(),
                agg: "extra.user_id.keyword".into(),
            }),
            ..ResolvedFields::default()
        };
        assert_eq!(resolved.name_of(Role::Message), Some("message"));
        assert_eq!(resolved.name_of(Role::User), Some("extra.user_id"));
        assert_eq!(resolved.name_of(Role::RequestId), None);
        assert_eq!(resolved.missing(), [Role::Latency, Role::Status]);
    }
}
