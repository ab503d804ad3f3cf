//! `_msearch` bodies: their lines paired into header and search, and each header read as
//! Elasticsearch reads its metadata section.

use serde_json::Value;

use super::{flag, token, QueryError};

/// One search of an `_msearch` body: where its lines start (1-based) and its two lines, the
/// search line absent when the body ends after the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lines<'a> {
    pub number: usize,
    pub header: &'a [u8],
    pub search: Option<&'a [u8]>,
}

/// An `_msearch` body's searches, blank lines skipped.
pub fn lines(body: &[u8]) -> impl Iterator<Item = Lines<'_>> {
    let mut lines = body
        .split(|&b| b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace));
    let mut number = 0;
    std::iter::from_fn(move || {
        let header = lines.next()?;
        number += 2;
        Some(Lines {
            number: number - 1,
            header,
            search: lines.next(),
        })
    })
}

/// A header line, read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    /// The indices it names (`index` or `indices`), `None` when it names none.
    pub index: Option<Vec<String>>,
    pub ignore_unavailable: Option<bool>,
    pub allow_no_indices: Option<bool>,
    pub expand_wildcards: Option<String>,
    /// Keys Elasticsearch reads that change where or how a search runs, not what it finds
    /// (`preference`, `routing`, `request_cache`, `search_type`, ...), by name.
    pub others: Vec<String>,
}

/// Header keys that change how a search runs on a cluster, not what a store answers.
const RUNNING_KEYS: [&str; 7] = [
    "search_type",
    "ccs_minimize_roundtrips",
    "request_cache",
    "preference",
    "routing",
    "allow_partial_search_results",
    "ignore_throttled",
];

impl Header {
    /// Reads one header line's JSON.
    pub fn parse(header: &Value) -> Result<Self, QueryError> {
        let object = header.as_object().ok_or_else(|| QueryError {
            kind: "x_content_parse_exception",
            reason: format!("_msearch header must be an object, not a {}", token(header)),
            invalid_value: false,
        })?;
        let mut read = Header::default();
        for (key, value) in object {
            match key.as_str() {
                "index" | "indices" => {
                    read.index = Some(match value {
                        Value::Array(items) => items.iter().map(text).collect(),
                        single => vec![text(single)],
                    })
                }
                "ignore_unavailable" | "allow_no_indices" => {
                    let set = flag(key, &Value::String(text(value))).map_err(|_| {
                        QueryError::illegal(format!("Could not convert [{key}] to boolean"))
                    })?;
                    if key == "ignore_unavailable" {
                        read.ignore_unavailable = Some(set);
                    } else {
                        read.allow_no_indices = Some(set);
                    }
                }
                "expand_wildcards" => {
                    let asked = text(value);
                    for part in asked.split(',') {
                        if !matches!(part, "open" | "closed" | "hidden" | "none" | "all") {
                            return Err(QueryError::illegal(format!(
                                "No valid expand wildcard value [{part}]"
                            )));
                        }
                    }
                    read.expand_wildcards = Some(asked);
                }
                key if RUNNING_KEYS.contains(&key) => read.others.push(key.to_string()),
                other => {
                    return Err(QueryError::illegal(format!(
                        "key [{other}] is not supported in the metadata section"
                    )))
                }
            }
        }
        Ok(read)
    }

    /// The index expression it searches: its own, else the path's (`None`: neither names one).
    pub fn expression(&self, path: Option<&str>) -> Option<String> {
        match &self.index {
            Some(names) => Some(names.join(",")),
            None => path.map(str::to_string),
        }
    }
}

/// A header value as text, as Elasticsearch's metadata reader takes it (`5` is `"5"`).
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
