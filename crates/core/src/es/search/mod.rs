//! A search body as types: read once, as Elasticsearch's `SearchSourceBuilder` reads it (a
//! key it does not know, or a value of a type its key does not take, refused with its
//! error), and what Elasticsearch has and logdash does not do refused by name. The store
//! runs what this reads; `_msearch` headers are in [`msearch`].

pub mod aggs;
pub mod msearch;
pub mod sort;
pub mod total_as_int;
pub mod typed_keys;

use serde_json::{Map, Value};

use super::query::Query;
pub use super::query::QueryError;
pub use sort::{SortKey, SortMode};

/// A search body, read.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchBody {
    /// `None`: every event.
    pub query: Option<Query>,
    /// What hits (and their total) must also match; aggregations count what `query`
    /// matches, and scores are `query`'s.
    pub post_filter: Option<Query>,
    pub size: usize,
    pub from: usize,
    /// `None`: by score. Never an empty list (`"sort": []` is no sort, as in Elasticsearch).
    pub sort: Option<Vec<SortKey>>,
    /// One value a sort key, as sent: what each means depends on its key's field.
    pub search_after: Option<Vec<Value>>,
    pub source: SourceFilter,
    pub track_total_hits: TrackTotalHits,
    /// The `aggs` (or `aggregations`) object, read by the store's aggregations.
    pub aggs: Option<Value>,
    /// `fields`: the fields whose values each hit carries, as their mapping reads them.
    pub fields: Option<Vec<FieldRequest>>,
    /// `"sort": ["_score"]` (descending, no `search_after`): the scored search, each hit
    /// with its score as its sort value.
    pub sort_by_score: bool,
    /// `track_scores` with a sort on other keys: each hit scored all the same, and the
    /// best score of every match as `max_score`.
    pub track_scores: bool,
}

impl Default for SearchBody {
    fn default() -> Self {
        SearchBody {
            query: None,
            post_filter: None,
            size: 10,
            from: 0,
            sort: None,
            search_after: None,
            source: SourceFilter::All,
            track_total_hits: TrackTotalHits::UpTo(10_000),
            aggs: None,
            fields: None,
            sort_by_score: false,
            track_scores: false,
        }
    }
}

/// Body keys Elasticsearch reads that logdash does not: refused by name. (`script_fields`,
/// `runtime_mappings` and the like are refused before, by every request's check.)
const NOT_SUPPORTED: &[&str] = &[
    "min_score",
    "terminate_after",
    "stats",
    "docvalue_fields",
    "stored_fields",
    "script_fields",
    "runtime_mappings",
    "indices_boost",
    "suggest",
    "rescore",
    "collapse",
    "slice",
    "pit",
    "knn",
    "rank",
    "retriever",
    "sub_searches",
    "ext",
];

impl SearchBody {
    /// Reads a search body (`null`: the empty body).
    pub fn parse(body: &Value) -> Result<Self, QueryError> {
        let empty = Map::new();
        let object = match body {
            Value::Object(object) => object,
            Value::Null => &empty,
            _ => return Err(QueryError::parsing("the search body must be a JSON object")),
        };
        let mut search = SearchBody::default();
        let mut track_scores = false;
        for (key, value) in object {
            let scalar = matches!(value, Value::Bool(_) | Value::Number(_) | Value::String(_));
            match (key.as_str(), value) {
                ("query", Value::Object(_)) => search.query = Some(Query::parse(value)?),
                ("post_filter", Value::Object(_)) => {
                    search.post_filter = Some(Query::parse(value)?);
                }
                ("size", _) if scalar => {
                    search.size = count(key, value, ", found")?;
                }
                ("from", _) if scalar => {
                    search.from = count(key, value, " but was")?;
                }
                ("sort", _) if !value.is_null() => {
                    let keys = sort::parse_all(value)?;
                    search.sort = (!keys.is_empty()).then_some(keys);
                }
                ("search_after", Value::Array(values)) => {
                    if values.is_empty() {
                        return Err(QueryError::illegal(
                            "Values must contains at least one value.",
                        ));
                    }
                    search.search_after = Some(values.clone());
                }
                ("_source", _) if !value.is_null() => search.source = SourceFilter::parse(value)?,
                ("track_total_hits", _) if scalar => {
                    search.track_total_hits = TrackTotalHits::parse(value)?;
                }
                ("aggs" | "aggregations", Value::Object(_)) => search.aggs = Some(value.clone()),
                ("fields", Value::Array(items)) => {
                    search.fields = Some(items.iter().map(FieldRequest::parse).collect::<Result<_, _>>()?);
                }
                ("track_scores", _) if scalar => track_scores = flag(key, value)?,
                // what a hit would carry that the store does not keep or compute
                ("version" | "seq_no_primary_term" | "explain" | "profile", _) if scalar => {
                    if flag(key, value)? {
                        return Err(QueryError::illegal(format!(
                            "[{key}] is not supported by logdash: it keeps no document versions, sequence numbers or score explanations"
                        )));
                    }
                }
                // changes nothing logdash answers (`highlight` may be skipped, DESIGN.md;
                // no scripted or runtime field asked for, as Grafana sends)
                ("timeout", _) if scalar => {}
                ("script_fields" | "runtime_mappings", Value::Object(asked)) if asked.is_empty() => {}
                ("highlight", Value::Object(_)) => {}
                (key, _) if NOT_SUPPORTED.contains(&key) => {
                    return Err(QueryError::illegal(format!(
                        "search body key [{key}] is not supported by logdash (see DESIGN.md, \"The Elasticsearch subset\")"
                    )))
                }
                (key, value) => {
                    return Err(QueryError::parsing(format!(
                        "Unknown key for a {} in [{key}].",
                        token(value)
                    )))
                }
            }
        }
        // scores of hits sorted by anything but the score
        let sorted_otherwise = search
            .sort
            .iter()
            .flatten()
            .any(|key| key.field != "_score");
        search.track_scores = track_scores && sorted_otherwise;
        // sorting by score alone is the scored path
        if search
            .sort
            .as_ref()
            .is_some_and(|keys| keys.iter().all(|k| k.field == "_score" && k.descending))
            && search.search_after.is_none()
        {
            search.sort = None;
            search.sort_by_score = true;
        }
        Ok(search)
    }
}

/// The JSON token Elasticsearch's parser names for `value`, for its messages.
pub fn token(value: &Value) -> &'static str {
    match value {
        Value::Null => "VALUE_NULL",
        Value::Bool(_) => "VALUE_BOOLEAN",
        Value::Number(_) => "VALUE_NUMBER",
        Value::String(_) => "VALUE_STRING",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

/// `size` or `from`: a number (a fraction cut to its whole part) or a number as text.
/// `negative` is how Elasticsearch words a negative one (", found", " but was").
fn count(key: &str, value: &Value, negative: &str) -> Result<usize, QueryError> {
    let number = number(key, value)?;
    if number < 0 {
        return Err(QueryError::illegal(format!(
            "[{key}] parameter cannot be negative{negative} [{number}]"
        )));
    }
    Ok(usize::try_from(number).unwrap_or(usize::MAX))
}

/// A whole number from a number or its text, as Elasticsearch's `intValue` reads it.
fn number(key: &str, value: &Value) -> Result<i64, QueryError> {
    let parsed = match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.trunc() as i64)),
        Value::String(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .or_else(|| text.trim().parse::<f64>().ok().map(|f| f.trunc() as i64)),
        _ => {
            return Err(QueryError {
                kind: "x_content_parse_exception",
                reason: format!("[{key}] Current token ({}) not numeric", token(value)),
                invalid_value: false,
            })
        }
    };
    parsed.ok_or_else(|| QueryError {
        kind: "number_format_exception",
        reason: format!(
            "For input string: \"{}\"",
            value.as_str().unwrap_or_default()
        ),
        invalid_value: false,
    })
}

/// A flag: `true` or `false`, also as text.
fn flag(key: &str, value: &Value) -> Result<bool, QueryError> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        Value::String(text) if text == "true" || text == "false" => Ok(text == "true"),
        Value::String(text) => Err(QueryError::illegal(format!(
            "Failed to parse value [{text}] as only [true] or [false] are allowed."
        ))),
        other => Err(QueryError {
            kind: "x_content_parse_exception",
            reason: format!(
                "[{key}] Current token ({}) not of boolean type",
                token(other)
            ),
            invalid_value: false,
        }),
    }
}

/// One entry of `fields`: a field name or pattern, and how a date's values are written.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRequest {
    pub pattern: String,
    pub format: Option<String>,
    /// Also fields no mapping has (their values as in `_source`).
    pub include_unmapped: bool,
}

impl FieldRequest {
    fn parse(item: &Value) -> Result<Self, QueryError> {
        let mut request = FieldRequest {
            pattern: String::new(),
            format: None,
            include_unmapped: false,
        };
        match item {
            Value::String(pattern) => request.pattern = pattern.clone(),
            Value::Object(options) => {
                for (key, value) in options {
                    match (key.as_str(), value) {
                        ("field", Value::String(pattern)) => request.pattern = pattern.clone(),
                        ("format", Value::String(format)) => request.format = Some(format.clone()),
                        ("include_unmapped", _) => request.include_unmapped = flag(key, value)?,
                        (key, _) => {
                            return Err(QueryError {
                                kind: "x_content_parse_exception",
                                reason: format!("[fields_and_format] unknown field [{key}]"),
                                invalid_value: false,
                            })
                        }
                    }
                }
                if request.pattern.is_empty() {
                    return Err(QueryError {
                        kind: "x_content_parse_exception",
                        reason: "[fields_and_format] Required [field]".into(),
                        invalid_value: false,
                    });
                }
            }
            other => {
                return Err(QueryError::parsing(format!(
                    "Expected [VALUE_STRING] or [START_OBJECT] in [fields] but found [{}]",
                    token(other)
                )))
            }
        }
        Ok(request)
    }
}

/// `track_total_hits`: whether, and up to what count, hits are counted exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackTotalHits {
    Off,
    Exact,
    UpTo(u64),
}

impl TrackTotalHits {
    fn parse(value: &Value) -> Result<Self, QueryError> {
        if let Value::Bool(_) | Value::String(_) = value {
            if let Ok(exact) = flag("track_total_hits", value) {
                return Ok(if exact { Self::Exact } else { Self::Off });
            }
        }
        match number("track_total_hits", value)? {
            -1 => Ok(Self::Off),
            n if n < 0 => Err(QueryError::illegal(format!(
                "[track_total_hits] parameter must be positive or equals to -1, got {n}"
            ))),
            n => Ok(Self::UpTo(n as u64)),
        }
    }

    /// The `total` of a search that matched `count` hits (none when not tracked).
    pub fn render(self, count: usize) -> Option<Value> {
        let count = count as u64;
        let (value, relation) = match self {
            Self::Off => return None,
            Self::UpTo(limit) if count > limit => (limit, "gte"),
            Self::Exact | Self::UpTo(_) => (count, "eq"),
        };
        Some(serde_json::json!({"value": value, "relation": relation}))
    }
}

/// `_source`: everything, nothing, or fields chosen by pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceFilter {
    All,
    None,
    Some {
        includes: Vec<String>,
        excludes: Vec<String>,
    },
}

impl SourceFilter {
    fn parse(value: &Value) -> Result<Self, QueryError> {
        match value {
            Value::Bool(true) => Ok(Self::All),
            Value::Bool(false) => Ok(Self::None),
            Value::String(_) | Value::Array(_) => Ok(Self::Some {
                includes: patterns("_source", value)?,
                excludes: Vec::new(),
            }),
            Value::Object(object) => {
                let (mut includes, mut excludes) = (Vec::new(), Vec::new());
                for (key, value) in object {
                    match (key.as_str(), value) {
                        ("includes" | "include", Value::String(_) | Value::Array(_)) => {
                            includes = patterns(key, value)?;
                        }
                        ("excludes" | "exclude", Value::String(_) | Value::Array(_)) => {
                            excludes = patterns(key, value)?;
                        }
                        (key, value) => {
                            return Err(QueryError::parsing(format!(
                                "Unknown key for a {} in [{key}].",
                                token(value)
                            )))
                        }
                    }
                }
                Ok(Self::Some { includes, excludes })
            }
            other => Err(QueryError::parsing(format!(
                "Expected one of [VALUE_BOOLEAN, VALUE_STRING, START_ARRAY, START_OBJECT] but found [{}]",
                token(other)
            ))),
        }
    }
}

/// A pattern or a list of them; a number or a flag in the list is its text.
fn patterns(key: &str, value: &Value) -> Result<Vec<String>, QueryError> {
    let one = |item: &Value| match item {
        Value::String(text) => Ok(text.clone()),
        Value::Number(_) | Value::Bool(_) => Ok(item.to_string()),
        other => Err(QueryError::parsing(format!(
            "Unknown key for a {} in [{key}].",
            token(other)
        ))),
    };
    match value {
        Value::Array(items) => items.iter().map(one).collect(),
        single => Ok(vec![one(single)?]),
    }
}

#[cfg(test)]
mod tests;
