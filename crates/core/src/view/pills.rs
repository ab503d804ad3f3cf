//! Filters as pills beside the query box, as Kibana has them: each click-made filter
//! (a field's value, a field's presence, a pattern or an error group) is one pill that can
//! be turned off, inverted, edited or deleted without touching the query text. A view's
//! pills are part of its link (`fl=`, one a pill, short: `fl=level:ERROR`,
//! `fl=-level:ERROR` for "is not", `fl=~level:ERROR` for a pill turned off) and reach
//! Elasticsearch as `bool` filters beside the query text's `query_string`.

use serde_json::{json, Value};

use crate::dashboard::values;

/// The link's parameter: one a pill.
pub const PARAM: &str = "fl";

/// What a pill matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The field is this value (`match_phrase`: the whole value of a keyword or number
    /// field, the phrase in a text field).
    Is { field: String, value: String },
    /// The field is there at all.
    Exists(String),
    /// A query in the query box's language (a pattern's or an error group's).
    Query(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pill {
    pub matches: Match,
    /// Events that do not match it.
    pub negated: bool,
    /// Kept on the bar, left out of the search.
    pub disabled: bool,
}

impl Pill {
    pub fn new(matches: Match, negated: bool) -> Self {
        Self {
            matches,
            negated,
            disabled: false,
        }
    }

    /// Reads a pill from the link: `[~][-]field:value`, `[~][-]field` (the field exists) or
    /// `[~][-](query)`. In a field's name, `\` escapes a `:` or `\`, and a leading `(`,
    /// `-` or `~`. A query must pair its parentheses (the rest of its syntax is the
    /// cluster's to judge); a field's name cannot be a pattern (`extra.*`: `exists` and
    /// `_exists_` would read it differently).
    pub fn parse(text: &str) -> Result<Pill, String> {
        let (disabled, rest) = flag(text, '~');
        let (negated, body) = flag(rest, '-');
        let matches = if body.starts_with('(') {
            // `(a) OR (b)` typed as it is, or wrapped once more as the link spells it
            let query = match body.strip_suffix(')') {
                Some(inner) if wraps_whole(body) => &inner[1..],
                _ => body,
            };
            if query.trim().is_empty() {
                return Err("the filter's query is empty".into());
            }
            // grouped with the query text and other pills, its parentheses must pair (the
            // rest of its syntax is the cluster's to judge, as the query box's is)
            if !balanced(query) {
                return Err(format!(
                    "the filter's query [{query}] has a parenthesis without its pair"
                ));
            }
            Match::Query(query.to_string())
        } else {
            let (field, value) = split_field(body);
            if field.is_empty() {
                return Err(format!("the filter [{text}] names no field"));
            }
            if field.contains(['*', '?']) {
                return Err(format!(
                    "a filter's field cannot be a pattern ([{field}]): use a (query) filter"
                ));
            }
            match value {
                Some(value) => Match::Is {
                    field,
                    value: value.to_string(),
                },
                None => Match::Exists(field),
            }
        };
        Ok(Pill {
            matches,
            negated,
            disabled,
        })
    }

    /// The pill as the link spells it ([`Pill::parse`] reads it back).
    pub fn to_param(&self) -> String {
        let mut out = String::new();
        if self.disabled {
            out.push('~');
        }
        if self.negated {
            out.push('-');
        }
        match &self.matches {
            Match::Is { field, value } => {
                out.push_str(&link_field(field));
                out.push(':');
                out.push_str(value);
            }
            Match::Exists(field) => out.push_str(&link_field(field)),
            Match::Query(query) => {
                out.push('(');
                out.push_str(query);
                out.push(')');
            }
        }
        out
    }

    /// The pill in words, as its button shows it: `level: ERROR`, `NOT level: ERROR`,
    /// `level: exists`.
    pub fn label(&self) -> String {
        let not = if self.negated { "NOT " } else { "" };
        match &self.matches {
            Match::Is { field, value } => format!("{not}{field}: {value}"),
            Match::Exists(field) => format!("{not}{field}: exists"),
            Match::Query(query) => format!("{not}{query}"),
        }
    }

    /// The Elasticsearch query of what the pill matches (before negation).
    fn clause(&self) -> Value {
        match &self.matches {
            Match::Is { field, value } => json!({"match_phrase": {field: value}}),
            Match::Exists(field) => json!({"exists": {"field": field}}),
            Match::Query(query) => query_string(query),
        }
    }

    /// The pill in the query box's language (for logdash's own APIs, which take query text).
    pub fn lucene(&self) -> String {
        let clause = match &self.matches {
            Match::Is { field, value } => {
                format!(
                    "{}:\"{}\"",
                    values::escape_field(field),
                    values::escape_phrase(value)
                )
            }
            Match::Exists(field) => format!("_exists_:{}", values::escape_field(field)),
            Match::Query(query) => format!("({query})"),
        };
        if self.negated {
            format!("NOT {clause}")
        } else {
            clause
        }
    }
}

/// A query in the query box's syntax, as Elasticsearch takes it.
fn query_string(query: &str) -> Value {
    json!({"query_string": {"query": query, "default_operator": "AND"}})
}

/// Whether the `(` that opens `text` closes at its last character.
fn wraps_whole(text: &str) -> bool {
    depths(text)
        .find(|(_, depth)| *depth == 0)
        .map(|(end, _)| end)
        == Some(text.len())
}

/// Whether every parenthesis of `text` has its pair.
fn balanced(text: &str) -> bool {
    depths(text).all(|(_, depth)| depth >= 0) && depths(text).last().is_none_or(|(_, d)| d == 0)
}

/// After each parenthesis of `text` (quoted text and escaped characters skipped): where
/// it ends and how many are open there.
fn depths(text: &str) -> impl Iterator<Item = (usize, i32)> + '_ {
    let mut depth = 0;
    let mut quoted = false;
    let mut escaped = false;
    text.char_indices().filter_map(move |(at, c)| {
        if std::mem::take(&mut escaped) {
            return None;
        }
        match c {
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '(' | ')' if !quoted => {
                depth += if c == '(' { 1 } else { -1 };
                return Some((at + 1, depth));
            }
            _ => {}
        }
        None
    })
}

/// Whether `text` starts with `mark`, and the text after it.
fn flag(text: &str, mark: char) -> (bool, &str) {
    match text.strip_prefix(mark) {
        Some(rest) => (true, rest),
        None => (false, text),
    }
}

/// A field's name up to the first `:` not escaped, and the value after that `:`.
fn split_field(body: &str) -> (String, Option<&str>) {
    let mut field = String::new();
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    field.push(next);
                }
            }
            ':' => return (field, Some(&body[at + 1..])),
            c => field.push(c),
        }
    }
    (field, None)
}

/// A field's name as the link spells it (see [`Pill::parse`]).
fn link_field(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    for (at, c) in field.chars().enumerate() {
        if matches!(c, '\\' | ':') || (at == 0 && matches!(c, '(' | '-' | '~')) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What a view searches for: the query box's text and the pills that are on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Search {
    pub text: String,
    pub pills: Vec<Pill>,
}

impl Search {
    /// The query text alone (no pills).
    pub fn text(text: &str) -> Self {
        Self {
            text: text.to_string(),
            pills: Vec::new(),
        }
    }

    fn on(&self) -> impl Iterator<Item = &Pill> {
        self.pills.iter().filter(|pill| !pill.disabled)
    }

    /// Its clauses for a `bool` query: (`filter`, `must_not`). The query text is one
    /// `query_string` (left out when blank), each pill that is on one clause.
    pub fn clauses(&self) -> (Vec<Value>, Vec<Value>) {
        let mut filter = Vec::new();
        let mut must_not = Vec::new();
        if !self.text.trim().is_empty() {
            filter.push(query_string(&self.text));
        }
        for pill in self.on() {
            if pill.negated {
                must_not.push(pill.clause());
            } else {
                filter.push(pill.clause());
            }
        }
        (filter, must_not)
    }

    /// All of it in the query box's language: the text (grouped when pills follow) and
    /// each pill that is on, joined with `AND`. What logdash's own APIs (the live tail,
    /// the export) are sent; they match the same events as [`Search::clauses`].
    pub fn lucene(&self) -> String {
        let pills: Vec<String> = self.on().map(Pill::lucene).collect();
        let text = self.text.trim();
        match (text.is_empty(), pills.is_empty()) {
            (_, true) => text.to_string(),
            (true, false) => pills.join(" AND "),
            (false, false) => format!("({text}) AND {}", pills.join(" AND ")),
        }
    }
}

#[cfg(test)]
mod tests;
