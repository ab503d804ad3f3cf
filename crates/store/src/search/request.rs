//! A search body read and checked: paging, `_source` filtering, `track_total_hits`.

use super::*;

/// A search body, checked.
pub(super) struct SearchRequest {
    pub(super) query: Option<logdash_core::es::query::Query>,
    pub(super) size: usize,
    pub(super) from: usize,
    pub(super) sort: Option<Vec<SortKey>>,
    pub(super) search_after: Option<Vec<Value>>,
    pub(super) source: SourceFilter,
    pub(super) track_total_hits: TrackTotalHits,
    pub(super) aggs: Option<Value>,
    /// `"sort": ["_score"]`: the scored search, each hit with its score as its sort value.
    pub(super) sort_by_score: bool,
}

impl SearchRequest {
    pub(super) fn parse(body: &Value) -> Result<Self, RequestError> {
        let empty = Map::new();
        let object = match body {
            Value::Object(object) => object,
            Value::Null => &empty,
            _ => {
                return Err(RequestError::bad_request(
                    "the search body must be a JSON object",
                ))
            }
        };
        let mut request = SearchRequest {
            query: None,
            size: 10,
            from: 0,
            sort: None,
            search_after: None,
            source: SourceFilter::All,
            track_total_hits: TrackTotalHits::UpTo(10_000),
            aggs: None,
            sort_by_score: false,
        };
        let mut track_scores = false;
        for (key, value) in object {
            match key.as_str() {
                "query" => request.query = query::parse(Some(value))?,
                "size" => request.size = whole_number("size", value)?,
                "from" => request.from = whole_number("from", value)?,
                "sort" => request.sort = Some(SortKey::parse_all(value)?),
                "search_after" => {
                    request.search_after = Some(value.as_array().cloned().ok_or_else(|| RequestError::bad_request("[search_after] must be an array"))?)
                }
                "_source" => request.source = SourceFilter::parse(value)?,
                "track_total_hits" => request.track_total_hits = TrackTotalHits::parse(value)?,
                "aggs" | "aggregations" => request.aggs = Some(value.clone()),
                "track_scores" => track_scores = boolean(key, value)?,
                // what a hit would carry that the store does not keep
                "version" | "seq_no_primary_term" => {
                    if boolean(key, value)? {
                        return Err(RequestError::illegal_argument(format!(
                            "[{key}] is not supported by logdash: it keeps no document versions or sequence numbers"
                        )));
                    }
                }
                key if ACCEPTED_AND_IGNORED.contains(&key) => {}
                other => {
                    return Err(RequestError::bad_request(format!(
                        "search body key [{other}] is not supported by logdash (see DESIGN.md, \"The Elasticsearch subset\")"
                    )))
                }
            }
        }
        // scores of hits sorted by anything but the score
        let sorted_otherwise = request
            .sort
            .as_ref()
            .is_some_and(|keys| keys.iter().any(|k| k.field != "_score"));
        if track_scores && sorted_otherwise {
            return Err(RequestError::illegal_argument(
                "[track_scores] is not supported by logdash: only hits sorted by _score alone are scored",
            ));
        }
        // sorting by score alone is the scored path
        if request
            .sort
            .as_ref()
            .is_some_and(|keys| keys.iter().all(|k| k.field == "_score" && k.descending))
            && request.search_after.is_none()
        {
            request.sort = None;
            request.sort_by_score = true;
        }
        Ok(request)
    }

    /// `from`, `size` and `search_after` together, as Elasticsearch checks them on the shards.
    pub(super) fn check_paging(&self) -> Result<(), RequestError> {
        let request = self;
        if request.from + request.size > MAX_RESULT_WINDOW {
            return Err(RequestError::illegal_argument(format!(
                "Result window is too large, from + size must be less than or equal to: [{MAX_RESULT_WINDOW}] but was [{}]",
                request.from + request.size
            )));
        }
        if let (Some(after), sort) = (&request.search_after, &request.sort) {
            let keys = sort.as_ref().map_or(0, Vec::len);
            if keys == 0 {
                return Err(RequestError::illegal_argument(
                    "[search_after] needs a [sort]",
                ));
            }
            if after.len() != keys {
                return Err(RequestError::illegal_argument(format!(
                    "search_after has {} value(s) but sort has {keys}",
                    after.len()
                )));
            }
            if request.from > 0 {
                return Err(RequestError::illegal_argument(
                    "[from] parameter must be set to 0 when [search_after] is used",
                ));
            }
        }
        Ok(())
    }
}

/// A flag of the body: `true` or `false`, also as strings, as Elasticsearch's parser
/// takes it.
fn boolean(key: &str, value: &Value) -> Result<bool, RequestError> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        Value::String(text) if text == "true" || text == "false" => Ok(text == "true"),
        Value::String(text) => Err(RequestError::illegal_argument(format!(
            "Failed to parse value [{text}] as only [true] or [false] are allowed."
        ))),
        other => Err(RequestError::bad_request(format!(
            "[{key}] must be true or false, not {other}"
        ))),
    }
}

pub(super) fn whole_number(name: &str, value: &Value) -> Result<usize, RequestError> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .map(|n| n as usize)
        .ok_or_else(|| {
            RequestError::bad_request(format!(
                "[{name}] must be a non-negative whole number, not {value}"
            ))
        })
}

#[derive(Debug, Clone, Copy)]
pub(super) enum TrackTotalHits {
    Off,
    Exact,
    UpTo(u64),
}

impl TrackTotalHits {
    pub(super) fn parse(value: &Value) -> Result<Self, RequestError> {
        match value {
            Value::Bool(true) => Ok(Self::Exact),
            Value::Bool(false) => Ok(Self::Off),
            Value::Number(n) => n.as_u64().map(Self::UpTo).ok_or_else(|| {
                RequestError::bad_request("[track_total_hits] must be true, false or a count")
            }),
            _ => Err(RequestError::bad_request(
                "[track_total_hits] must be true, false or a count",
            )),
        }
    }

    pub(super) fn render(self, count: usize) -> Option<Value> {
        let count = count as u64;
        match self {
            Self::Off => None,
            Self::Exact => Some(json!({"value": count, "relation": "eq"})),
            Self::UpTo(limit) if count > limit => Some(json!({"value": limit, "relation": "gte"})),
            Self::UpTo(_) => Some(json!({"value": count, "relation": "eq"})),
        }
    }
}

/// `_source`: everything, nothing, or fields chosen by pattern.
#[derive(Debug, Clone)]
pub(super) enum SourceFilter {
    All,
    None,
    Some {
        includes: Vec<String>,
        excludes: Vec<String>,
    },
}

impl SourceFilter {
    pub(super) fn parse(value: &Value) -> Result<Self, RequestError> {
        let list = |value: Option<&Value>| -> Result<Vec<String>, RequestError> {
            match value {
                None => Ok(Vec::new()),
                Some(Value::String(s)) => Ok(vec![s.clone()]),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|item| {
                        item.as_str().map(str::to_string).ok_or_else(|| {
                            RequestError::bad_request("[_source] patterns must be strings")
                        })
                    })
                    .collect(),
                Some(_) => Err(RequestError::bad_request(
                    "[_source] patterns must be strings",
                )),
            }
        };
        match value {
            Value::Bool(true) => Ok(Self::All),
            Value::Bool(false) => Ok(Self::None),
            Value::String(_) | Value::Array(_) => Ok(Self::Some {
                includes: list(Some(value))?,
                excludes: Vec::new(),
            }),
            Value::Object(object) => Ok(Self::Some {
                includes: list(object.get("includes").or_else(|| object.get("include")))?,
                excludes: list(object.get("excludes").or_else(|| object.get("exclude")))?,
            }),
            _ => Err(RequestError::bad_request(
                "[_source] must be a boolean, a pattern, a list or {includes, excludes}",
            )),
        }
    }

    pub(super) fn apply(&self, source: Value) -> Option<Value> {
        match self {
            Self::All => Some(source),
            Self::None => None,
            Self::Some { includes, excludes } => {
                let Value::Object(object) = source else {
                    return Some(source);
                };
                Some(Value::Object(filter_object(object, "", includes, excludes)))
            }
        }
    }
}

pub(super) fn filter_object(
    object: Map<String, Value>,
    prefix: &str,
    includes: &[String],
    excludes: &[String],
) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in object {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if excludes.iter().any(|p| indices::matches(p, &path)) {
            continue;
        }
        let included = includes.is_empty() || includes.iter().any(|p| indices::matches(p, &path));
        match value {
            Value::Object(inner) if !included => {
                // an include may name a field inside this object
                let under = format!("{path}.");
                if includes
                    .iter()
                    .any(|p| p.starts_with(&under) || p.starts_with('*'))
                {
                    let kept = filter_object(inner, &path, includes, excludes);
                    if !kept.is_empty() {
                        out.insert(key, Value::Object(kept));
                    }
                }
            }
            Value::Object(inner) => {
                out.insert(
                    key,
                    Value::Object(filter_object(inner, &path, &[], excludes)),
                );
            }
            value if included => {
                out.insert(key, value);
            }
            _ => {}
        }
    }
    out
}
