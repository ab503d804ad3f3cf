//! Queries: every kind the dashboard and its users send, nested in `bool`s.

use serde_json::{json, Value};

use super::Generator;
use crate::differential::data::{self, Kind};

impl Generator<'_> {
    /// A query, nested up to `depth` `bool`s deep.
    pub fn query(&mut self, depth: usize) -> Value {
        let kinds = if depth > 0 { 19 } else { 17 };
        match self.rng.below(kinds) {
            0 => {
                let (field, kind) = self.field(|_| true);
                let mut term = json!({"value": self.value(field, kind)});
                if kind == Kind::Keyword && self.rng.one_in(3) {
                    term["case_insensitive"] = json!(true);
                }
                json!({"term": {field: term}})
            }
            1 => {
                let (field, kind) = self.field(|kind| kind != Kind::Text);
                let values: Vec<Value> = (0..self.rng.between(1, 4))
                    .map(|_| self.value(field, kind))
                    .collect();
                json!({"terms": {field: values}})
            }
            2 | 3 => self.range(),
            4 => {
                let mut options = json!({"query": self.words(3)});
                if self.rng.one_in(2) {
                    options["operator"] = json!(*self.rng.pick(&["and", "or"]));
                }
                if self.rng.one_in(4) {
                    options["minimum_should_match"] =
                        json!(*self.rng.pick(&["1", "2", "75%", "-1"]));
                }
                json!({"match": {"message": options}})
            }
            5 => {
                let event = self.rng.pick(self.events);
                let text = event["message"].as_str().unwrap_or("a");
                let words: Vec<&str> = text.split(' ').collect();
                let start = self.rng.below(words.len());
                let end = (start + self.rng.between(1, 3) as usize).min(words.len());
                let phrase = words[start..end].join(" ");
                if self.rng.one_in(3) {
                    json!({"match_phrase_prefix": {"message": phrase}})
                } else {
                    json!({"match_phrase": {"message": phrase}})
                }
            }
            6 => {
                let (field, _) = self.field(|_| true);
                json!({"exists": {"field": field}})
            }
            7 => {
                let (field, kind) = self.field(|kind| kind == Kind::Keyword);
                let value = self.value(field, kind);
                let text = value.as_str().unwrap_or("u").to_string();
                let cut: String = text.chars().take(self.rng.between(1, 3) as usize).collect();
                match self.rng.below(3) {
                    0 => json!({"prefix": {field: cut}}),
                    1 => json!({"wildcard": {field: format!("{cut}*")}}),
                    _ => {
                        json!({"wildcard": {field: format!("*{}", &text[text.len().saturating_sub(2)..])}})
                    }
                }
            }
            8 => self.query_string(),
            9 => {
                let ids: Vec<String> = (0..3)
                    .map(|_| format!("{}", self.rng.below(data::EVENTS + 5)))
                    .collect();
                json!({"ids": {"values": ids}})
            }
            10 => json!({"match_all": {}}),
            11 => {
                let word = self.value("message", Kind::Text);
                json!({"multi_match": {"query": word, "fields": ["message", "level", "logger*"]}})
            }
            12 => self.simple_query_string(),
            13 => {
                let words = self.words(2);
                json!({"match_bool_prefix": {"message": words}})
            }
            14 => {
                let (field, kind) = self.field(|kind| kind == Kind::Keyword);
                let value = self.value(field, kind);
                let text = value.as_str().unwrap_or("u");
                let start: String = text.chars().take(2).collect();
                json!({"regexp": {field: format!("{}.*", start.replace('.', "\\."))}})
            }
            15 => json!({"match_none": {}}),
            16 => {
                let word = self.value("message", Kind::Text);
                let (field, kind) = self.field(|kind| kind == Kind::Keyword);
                let value = self.value(field, kind);
                json!({"dis_max": {"queries": [{"match": {"message": word}}, {"term": {field: value}}]}})
            }
            17 => json!({"constant_score": {"filter": self.query(depth - 1)}}),
            _ => self.boolean(depth),
        }
    }

    /// `count` words of messages, space-separated.
    fn words(&mut self, count: i64) -> String {
        let words: Vec<String> = (0..self.rng.between(1, count))
            .map(|_| {
                self.value("message", Kind::Text)
                    .as_str()
                    .unwrap_or("a")
                    .to_string()
            })
            .collect();
        words.join(" ")
    }

    /// The search box's simpler language: words, `+`/`-`/`|`, a prefix, a phrase.
    fn simple_query_string(&mut self) -> Value {
        let mut query = self.words(2);
        match self.rng.below(5) {
            0 => query = format!("+{query}"),
            1 => query = format!("{query} -{}", self.words(1)),
            2 => query = format!("{query} | {}", self.words(1)),
            3 => query = format!("{}*", query.get(..2).unwrap_or(&query)),
            _ => query = format!("\"{query}\""),
        }
        let mut options = json!({"query": query});
        if self.rng.one_in(2) {
            options["fields"] = json!(["message", "level*"]);
        }
        if self.rng.one_in(3) {
            options["default_operator"] = json!("and");
        }
        json!({"simple_query_string": options})
    }

    fn boolean(&mut self, depth: usize) -> Value {
        let mut clauses = serde_json::Map::new();
        for occur in ["must", "filter", "should", "must_not"] {
            let n = self.rng.between(0, 2);
            if n > 0 {
                let queries: Vec<Value> = (0..n).map(|_| self.query(depth - 1)).collect();
                clauses.insert(occur.into(), Value::Array(queries));
            }
        }
        if clauses.contains_key("should") && self.rng.one_in(3) {
            clauses.insert(
                "minimum_should_match".into(),
                json!(*self.rng.pick(&[1, 2])),
            );
        }
        json!({"bool": clauses})
    }

    fn range(&mut self) -> Value {
        let (field, kind) = self.field(|kind| !matches!(kind, Kind::Text | Kind::Bool));
        let mut bounds = serde_json::Map::new();
        let lower = self.value(field, kind);
        let upper = self.value(field, kind);
        if self.rng.one_in(3) || bounds.is_empty() {
            bounds.insert((*self.rng.pick(&["gt", "gte"])).into(), lower);
        }
        if !self.rng.one_in(3) {
            bounds.insert((*self.rng.pick(&["lt", "lte"])).into(), upper);
        }
        if kind == Kind::Date && self.rng.one_in(4) {
            bounds.insert(
                "gte".into(),
                json!(*self.rng.pick(&["now-400d", "2025-11-01||+1M", "now-1y/y"])),
            );
        }
        json!({"range": {field: bounds}})
    }

    /// A Lucene query: fielded and bare terms, ranges and patterns, joined by operators or
    /// side by side (bare words side by side are one chunk for Elasticsearch).
    fn query_string(&mut self) -> Value {
        let mut parts = Vec::new();
        for _ in 0..self.rng.between(1, 3) {
            let (field, kind) = self.field(|kind| kind != Kind::Date);
            let value = self.value(field, kind);
            let text = match &value {
                Value::String(s) if s.contains(' ') => format!("\"{s}\""),
                Value::String(s) => s.replace('-', "\\-").replace('.', "\\."),
                other => other.to_string(),
            };
            let part = match (kind, self.rng.below(4)) {
                (Kind::Long | Kind::Double | Kind::Float, 0) => format!("{field}:>={text}"),
                (Kind::Long, 1) => format!("{field}:[{text} TO *]"),
                (Kind::Keyword, 1) => format!("{field}:{}*", text.chars().next().unwrap_or('u')),
                (_, 2) => text,
                _ => format!("{field}:{text}"),
            };
            parts.push(part);
        }
        let joiner = *self.rng.pick(&[" ", " AND ", " OR ", " AND NOT "]);
        let mut options = json!({"query": parts.join(joiner)});
        if self.rng.one_in(3) {
            options["default_operator"] = json!("AND");
        }
        if self.rng.one_in(2) {
            options["lenient"] = json!(true);
        }
        json!({"query_string": options})
    }
}
