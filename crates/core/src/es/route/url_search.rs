//! What a search's URL asks that Elasticsearch reads into its body: `size` and `from`
//! (`_search?size=0`, as its reference writes its examples), `_source` (with
//! `_source_includes` and `_source_excludes`), `sort` (`field:desc`, added after the
//! body's keys) and a query in Lucene syntax (`q`, with `df`, `default_operator`,
//! `analyze_wildcard` and `lenient`). The server writes them into the body
//! (`UrlSearch::write_into`: [`super::url_body`]), where they win over the body's own as
//! in Elasticsearch, so that one check sees all a cluster will be asked.

use serde_json::{json, Map, Value};

use super::Refusal;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlSearch {
    pub size: Option<u64>,
    pub from: Option<u64>,
    /// `q`, decoded.
    pub q: Option<String>,
    /// `q`'s options, as its `query_string` takes them.
    pub q_options: Vec<(&'static str, Value)>,
    /// `rest_total_hits_as_int=true`: totals written as numbers, every hit counted
    /// ([`crate::es::search::total_as_int`]); passed on to a cluster.
    pub total_as_int: bool,
    /// `_source`'s flag, and its (or `_source_includes`') and `_source_excludes`' patterns.
    pub source: (Option<bool>, Option<Vec<String>>, Option<Vec<String>>),
    /// `sort`'s keys, as the body writes them.
    pub sort: Vec<Value>,
    /// `typed_keys=true`: aggregations named `type#name`
    /// ([`crate::es::search::typed_keys`]); passed on to a cluster.
    pub typed_keys: bool,
}

impl UrlSearch {
    /// Reads `key=value` when it is one of these (`false`: not one of them). `value` is as
    /// it came, still percent-encoded.
    pub(super) fn read(&mut self, key: &str, value: &str) -> Result<bool, Refusal> {
        match key {
            "size" | "from" => {
                // plain decimal digits only, as for the body's (Java reads more)
                let plain = !value.is_empty()
                    && value.len() <= 9
                    && value.bytes().all(|b| b.is_ascii_digit());
                let number = value.parse::<u64>().ok().filter(|_| plain).ok_or_else(|| {
                    Refusal::forbidden(format!(
                        "query parameter [{key}] must be a plain decimal number, not [{value}]"
                    ))
                })?;
                match key {
                    "size" => self.size = Some(number),
                    _ => self.from = Some(number),
                }
            }
            "q" => self.q = Some(decoded(key, value)?),
            "df" => self
                .q_options
                .push(("default_field", Value::String(decoded(key, value)?))),
            "default_operator" => {
                let operator = value.to_ascii_uppercase();
                if operator != "AND" && operator != "OR" {
                    return Err(Refusal {
                        status: 400,
                        rule: format!("No enum constant for default_operator [{value}]: AND or OR"),
                    });
                }
                self.q_options.push(("default_operator", json!(operator)));
            }
            "rest_total_hits_as_int" => self.total_as_int = flag(value)?,
            "typed_keys" => self.typed_keys = flag(value)?,
            "_source" => match decoded(key, value)?.as_str() {
                "true" => self.source.0 = Some(true),
                "false" => self.source.0 = Some(false),
                patterns => self.source.1 = Some(list(patterns)),
            },
            "_source_includes" => self.source.1 = Some(list(&decoded(key, value)?)),
            "_source_excludes" => self.source.2 = Some(list(&decoded(key, value)?)),
            "sort" => {
                // (the last `sort` given wins, as any parameter given twice)
                self.sort.clear();
                for key in list(&decoded(key, value)?) {
                    // `field:asc` or `field:desc`; another suffix is dropped, as there
                    match key.rsplit_once(':') {
                        Some((field, "asc" | "desc")) if !field.is_empty() => {
                            let direction = &key[field.len() + 1..];
                            self.sort.push(json!({ field: direction }));
                        }
                        Some(_) => {}
                        None => self.sort.push(json!(key)),
                    }
                }
            }
            "analyze_wildcard" | "lenient" => {
                let key = if key == "lenient" {
                    "lenient"
                } else {
                    "analyze_wildcard"
                };
                self.q_options.push((key, json!(flag(value)?)));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub fn is_empty(&self) -> bool {
        !self.pages() && self.q.is_none()
    }

    /// The flags passed on to a cluster as they came (`typed_keys=true`), by name.
    pub fn passed_flags(&self) -> Vec<&'static str> {
        [
            ("rest_total_hits_as_int", self.total_as_int),
            ("typed_keys", self.typed_keys),
        ]
        .into_iter()
        .filter_map(|(key, asked)| asked.then_some(key))
        .collect()
    }

    /// Whether it holds a query or its options (what `_search` and `_count` take).
    pub(super) fn queries(&self) -> bool {
        self.q.is_some() || !self.q_options.is_empty()
    }

    /// Whether it asks for more than a query (what only `_search` takes).
    pub(super) fn pages(&self) -> bool {
        let source = self.source.0.is_some() || self.source.1.is_some() || self.source.2.is_some();
        self.size.is_some() || self.from.is_some() || source || !self.sort.is_empty()
    }

    /// The body keys it sets: `size`, `from`, and `q` as a `query_string` query.
    pub fn body_keys(&self) -> Map<String, Value> {
        let mut keys = Map::new();
        if let Some(size) = self.size {
            keys.insert("size".into(), json!(size));
        }
        if let Some(from) = self.from {
            keys.insert("from".into(), json!(from));
        }
        if let Some(q) = &self.q {
            let mut query = Map::new();
            query.insert("query".into(), json!(q));
            for (key, value) in &self.q_options {
                query.insert((*key).into(), value.clone());
            }
            keys.insert("query".into(), json!({ "query_string": query }));
        }
        let source = match &self.source {
            (Some(false), _, _) => Some(json!(false)),
            (_, None, None) => self.source.0.map(Value::from),
            (_, includes, excludes) => {
                let mut filter = Map::new();
                for (key, patterns) in [("includes", includes), ("excludes", excludes)] {
                    if let Some(patterns) = patterns {
                        filter.insert(key.into(), json!(patterns));
                    }
                }
                Some(Value::Object(filter))
            }
        };
        if let Some(source) = source {
            keys.insert("_source".into(), source);
        }
        keys
    }
}

/// A comma list's items, blanks left out.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// A flag's value: empty (`?lenient`) or `true` is true.
fn flag(value: &str) -> Result<bool, Refusal> {
    match value {
        "" | "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Refusal {
            status: 400,
            rule: format!("Failed to parse value [{value}] as only [true] or [false] are allowed."),
        }),
    }
}

/// A URL component decoded as Elasticsearch decodes one: `%XX` escapes of UTF-8, `+` a
/// space; anything else refused.
fn decoded(key: &str, value: &str) -> Result<String, Refusal> {
    crate::url::decode_strict(value).ok_or_else(|| Refusal {
        status: 400,
        rule: format!("query parameter [{key}] is not valid percent-encoded UTF-8"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<UrlSearch, Refusal> {
        let mut search = UrlSearch::default();
        for (key, value) in pairs {
            assert!(search.read(key, value)?, "{key} is read");
        }
        Ok(search)
    }

    #[test]
    fn a_lucene_query_and_its_options_become_a_query_string() {
        let search = read(&[
            ("q", "user.id:kimchy%20AND+r%C3%A9sum%C3%A9"),
            ("df", "message"),
            ("default_operator", "and"),
            ("lenient", "true"),
            ("size", "0"),
        ])
        .expect("read");
        assert_eq!(
            Value::Object(search.body_keys()),
            json!({"size": 0, "query": {"query_string": {
                "query": "user.id:kimchy AND résumé",
                "default_field": "message",
                "default_operator": "AND",
                "lenient": true
            }}})
        );
    }

    #[test]
    fn source_and_sort_are_read_as_the_body_writes_them() {
        let search = read(&[
            ("_source", "a,b"),
            ("_source_excludes", "b.secret%2Cc"),
            ("sort", "@timestamp:desc,level,took:sideways"),
        ])
        .expect("read");
        assert_eq!(
            Value::Object(search.body_keys()),
            json!({"_source": {"includes": ["a", "b"], "excludes": ["b.secret", "c"]}})
        );
        assert_eq!(search.sort, [json!({"@timestamp": "desc"}), json!("level")]);
        let off = read(&[("_source", "false"), ("_source_includes", "a")]).expect("read");
        assert_eq!(Value::Object(off.body_keys()), json!({"_source": false}));
    }

    #[test]
    fn what_is_not_plain_is_refused() {
        for pair in [
            ("size", "1e3"),
            ("size", "-1"),
            ("from", "+2"),
            ("size", ""),
            ("size", "9999999999"),
            ("q", "%zz"),
            ("q", "%ff"),
            ("default_operator", "xor"),
            ("lenient", "yes"),
        ] {
            assert!(read(&[pair]).is_err(), "{pair:?}");
        }
        assert_eq!(UrlSearch::default().read("routing", "a"), Ok(false));
    }
}
