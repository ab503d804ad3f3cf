//! The scroll API's requests, read as Elasticsearch reads them and bounded as logdash
//! allows: `_search?scroll=1m` begins one, `POST /_search/scroll` (`scroll_id` and
//! `scroll` in the body, the URL or the path) reads its next page, `DELETE
//! /_search/scroll` closes them. What goes on to a cluster is written anew from what was
//! read, never the body as it came.

use serde_json::{json, Value};

use super::route::Refusal;

/// The longest keep-alive logdash lets a scroll ask for: a scroll holds a view of the
/// data open on the cluster (or in the store) until it is cleared or runs out.
pub const MAX_KEEP_ALIVE_MS: i64 = 60 * 60 * 1000;

/// The longest scroll id taken (a cluster's grows with its shards; Elasticsearch's are
/// base64).
const MAX_ID_BYTES: usize = 8 * 1024;

/// A keep-alive (`1m`, `30s`, `500ms`) in milliseconds, within [`MAX_KEEP_ALIVE_MS`].
pub fn keep_alive(text: &str) -> Result<i64, Refusal> {
    let ms = crate::time::parse_duration(text).ok_or_else(|| Refusal {
        status: 400,
        rule: format!("failed to parse setting [scroll] with value [{text}] as a time value: unit is missing or unrecognized"),
    })?;
    if ms > MAX_KEEP_ALIVE_MS {
        return Err(Refusal::forbidden(format!(
            "a scroll kept alive for [{text}] is longer than logdash allows (1h): each holds a view of the data open"
        )));
    }
    Ok(ms)
}

/// [`keep_alive`] as a duration, for what keeps a scroll open so long.
pub fn keep_alive_duration(text: &str) -> Result<std::time::Duration, Refusal> {
    keep_alive(text).map(|ms| std::time::Duration::from_millis(ms.unsigned_abs()))
}

/// A scroll's next page, or the scrolls to close: their ids, and the keep-alive asked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScrollRequest {
    pub ids: Vec<String>,
    pub keep_alive: Option<String>,
}

impl ScrollRequest {
    /// Reads the body (JSON or empty) beside the id and keep-alive the URL gave; `clear`
    /// for `DELETE`, whose body may list several ids.
    pub fn read(
        body: &[u8],
        url_id: Option<&str>,
        url_keep_alive: Option<&str>,
        clear: bool,
    ) -> Result<ScrollRequest, Refusal> {
        let mut request = Self::from_body(body, clear)?;
        if request.ids.is_empty() {
            request.ids = url_id.map(str::to_string).into_iter().collect();
        }
        if request.keep_alive.is_none() {
            request.keep_alive = url_keep_alive.map(str::to_string);
        }
        if request.ids.is_empty() {
            return Err(Refusal {
                status: 400,
                rule: "Validation Failed: 1: scrollId is missing;".into(),
            });
        }
        if let Some(text) = &request.keep_alive {
            keep_alive(text)?;
        }
        Ok(request)
    }

    /// What the body alone says (no id, when the URL gives it), each id checked.
    pub fn from_body(body: &[u8], clear: bool) -> Result<ScrollRequest, Refusal> {
        let invalid = |rule: String| Refusal { status: 400, rule };
        let mut request = ScrollRequest::default();
        if !body.iter().all(u8::is_ascii_whitespace) {
            let value: Value = serde_json::from_slice(body)
                .map_err(|err| invalid(format!("the request body is not valid JSON: {err}")))?;
            let Value::Object(entries) = value else {
                return Err(invalid(
                    "the scroll request body is not a JSON object".into(),
                ));
            };
            for (key, value) in entries {
                match (key.as_str(), value) {
                    ("scroll_id", Value::String(id)) => request.ids = vec![id],
                    ("scroll_id", Value::Array(ids)) if clear => {
                        request.ids = ids
                            .into_iter()
                            .map(|id| match id {
                                Value::String(id) => Ok(id),
                                other => Err(invalid(format!("scroll_id array element should only contain scroll_id, found [{other}]"))),
                            })
                            .collect::<Result<_, _>>()?;
                    }
                    ("scroll", Value::String(text)) if !clear => {
                        keep_alive(&text)?;
                        request.keep_alive = Some(text);
                    }
                    (key, value) => {
                        return Err(invalid(format!(
                            "Unknown parameter [{key}] in request body or parameter is of the wrong type[{}] ",
                            token_name(&value)
                        )))
                    }
                }
            }
        }
        for id in &request.ids {
            let plain = |b: u8| b.is_ascii_alphanumeric() || b"-_=+/".contains(&b);
            if id.is_empty() || id.len() > MAX_ID_BYTES || !id.bytes().all(plain) {
                return Err(invalid(format!(
                    "Cannot parse scroll id [{}]",
                    id.chars().take(64).collect::<String>()
                )));
            }
        }
        Ok(request)
    }

    /// The body to send a cluster: what was read, written anew.
    pub fn body(&self, clear: bool) -> Vec<u8> {
        let mut body = json!({"scroll_id": self.ids});
        if !clear {
            body["scroll_id"] = json!(self.ids.first());
            if let Some(keep_alive) = &self.keep_alive {
                body["scroll"] = json!(keep_alive);
            }
        }
        body.to_string().into_bytes()
    }
}

/// Jackson's name for a JSON value's first token, as Elasticsearch's reasons give it.
fn token_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "VALUE_NULL",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Number(_) => "VALUE_NUMBER",
        Value::String(_) => "VALUE_STRING",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_next_page_is_read_from_the_body_or_the_url() {
        let read =
            ScrollRequest::read(br#"{"scroll":"1m","scroll_id":"abc=="}"#, None, None, false)
                .expect("read");
        assert_eq!(read.ids, ["abc=="]);
        assert_eq!(read.keep_alive.as_deref(), Some("1m"));
        let from_url = ScrollRequest::read(b"", Some("xyz"), Some("30s"), false).expect("read");
        assert_eq!(
            (from_url.ids[0].as_str(), from_url.keep_alive.as_deref()),
            ("xyz", Some("30s"))
        );
        assert_eq!(
            String::from_utf8(from_url.body(false)).expect("text"),
            r#"{"scroll":"30s","scroll_id":"xyz"}"#
        );
    }

    #[test]
    fn a_clear_takes_several_ids() {
        let read =
            ScrollRequest::read(br#"{"scroll_id":["a","b"]}"#, None, None, true).expect("read");
        assert_eq!(read.ids, ["a", "b"]);
        assert_eq!(
            String::from_utf8(read.body(true)).expect("text"),
            r#"{"scroll_id":["a","b"]}"#
        );
    }

    #[test]
    fn what_is_no_scroll_request_is_refused_by_name() {
        let refused =
            |body: &[u8]| ScrollRequest::read(body, None, None, false).expect_err("refused");
        assert!(refused(b"").rule.contains("scrollId is missing"));
        assert!(refused(br#"{"scroll_id":"a","query":{}}"#)
            .rule
            .contains("Unknown parameter [query]"));
        assert!(refused(br#"{"scroll_id":"a\"}"}"#)
            .rule
            .contains("Cannot parse scroll id"));
        assert!(refused(br#"{"scroll_id":"a b"}"#)
            .rule
            .contains("Cannot parse scroll id"));
        let long = refused(br#"{"scroll_id":"a","scroll":"2h"}"#);
        assert_eq!(long.status, 403, "{}", long.rule);
        assert_eq!(keep_alive("5m"), Ok(300_000));
        assert_eq!(keep_alive("soon").map_err(|r| r.status), Err(400));
    }
}
