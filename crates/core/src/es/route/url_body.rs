//! The server's writing of what a search's URL asks into its body, member by member: raw
//! JSON values (serde_json's `raw_value`, which the dashboard's bundle does without), so
//! that nothing else of the body changes on its way to a cluster.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
#[cfg(test)]
use serde_json::json;
use serde_json::value::RawValue;
use serde_json::Value;

use super::UrlSearch;

impl UrlSearch {
    /// A search body with these keys written in, as Elasticsearch lets them win over the
    /// body's: what is checked and passed on. Everything else stays as it came, in its
    /// order and to its last digit (a sort object's keys are its priorities; a key given
    /// twice is still twice, for the cluster to refuse). A body that is no JSON object is
    /// left as it came, for its check to refuse.
    pub fn write_into(&self, body: &[u8]) -> Vec<u8> {
        let Pairs(mut pairs) = if body.iter().all(u8::is_ascii_whitespace) {
            Pairs(Vec::new())
        } else {
            match serde_json::from_slice(body) {
                Ok(pairs) => pairs,
                Err(_) => return body.to_vec(),
            }
        };
        for (key, value) in self.body_keys() {
            let Ok(raw) = RawValue::from_string(value.to_string()) else {
                continue;
            };
            let mut found = false;
            for (_, kept) in pairs.iter_mut().filter(|(name, _)| *name == key) {
                *kept = raw.clone();
                found = true;
            }
            if !found {
                pairs.push((key, raw));
            }
        }
        // the URL's sort keys come after the body's, whose text stays as it came
        if !self.sort.is_empty() {
            let added: Vec<String> = self.sort.iter().map(Value::to_string).collect();
            let added = added.join(",");
            let at = pairs.iter().position(|(name, _)| name == "sort");
            let body_sort = at
                .map(|at| pairs[at].1.get().trim())
                .filter(|raw| *raw != "null");
            let inner = body_sort.map(|raw| {
                match raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                    Some(items) => items.trim(),
                    None => raw,
                }
            });
            let keys = match inner {
                Some(inner) if !inner.is_empty() => format!("[{inner},{added}]"),
                _ => format!("[{added}]"),
            };
            if let Ok(raw) = RawValue::from_string(keys) {
                match at {
                    Some(at) => pairs[at].1 = raw,
                    None => pairs.push(("sort".into(), raw)),
                }
            }
        }
        let members: Vec<String> = pairs
            .iter()
            .map(|(key, value)| format!("{}:{}", Value::from(key.as_str()), value.get()))
            .collect();
        format!("{{{}}}", members.join(",")).into_bytes()
    }
}

/// A JSON object's members as they came: in order, each value's text untouched.
struct Pairs(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, Box<RawValue>>()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_url_asks_is_written_into_the_body_and_nothing_else_changes() {
        let search = UrlSearch {
            size: Some(0),
            q: Some("level:ERROR".into()),
            ..UrlSearch::default()
        };
        let written =
            |body: &str| String::from_utf8(search.write_into(body.as_bytes())).expect("text");
        assert_eq!(
            written(""),
            r#"{"query":{"query_string":{"query":"level:ERROR"}},"size":0}"#
        );
        // the body's own order and numbers are kept; a key given twice stays twice
        assert_eq!(
            written(
                r#"{"sort": {"status": "asc", "@timestamp": "desc"}, "size": 50, "from": 12345678901234567890123, "size": 3}"#
            ),
            r#"{"sort":{"status": "asc", "@timestamp": "desc"},"size":0,"from":12345678901234567890123,"size":0,"query":{"query_string":{"query":"level:ERROR"}}}"#
        );
        let sorted = UrlSearch {
            sort: vec![json!({"took": "desc"})],
            ..UrlSearch::default()
        };
        let after =
            |body: &str| String::from_utf8(sorted.write_into(body.as_bytes())).expect("text");
        assert_eq!(
            after(r#"{"sort": "level"}"#),
            r#"{"sort":["level",{"took":"desc"}]}"#
        );
        // the body's keys keep their order (a sort object's are its priorities)
        assert_eq!(
            after(r#"{"sort": [{"status": "asc", "@timestamp": "desc"}]}"#),
            r#"{"sort":[{"status": "asc", "@timestamp": "desc"},{"took":"desc"}]}"#
        );
        assert_eq!(after(r#"{"sort": [ ]}"#), r#"{"sort":[{"took":"desc"}]}"#);
        // not an object: left for its check to refuse
        assert_eq!(written("[1]"), "[1]");
        assert_eq!(written("{"), "{");
    }
}
