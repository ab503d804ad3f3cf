//! `global`: one bucket of every event of the indices searched, whatever the query and
//! `post_filter`, at the top of a request only. Each is answered by a search of its own
//! (every event, no hits), its sub-aggregations counted there; the request's other
//! aggregations run with its query.

use serde_json::{json, Map, Value};

use super::At;
use crate::indices::Indices;
use crate::{RequestError, Store};

/// One top-level `global` aggregation.
pub(super) struct Global {
    name: String,
    aggs: Option<Value>,
    meta: Option<Value>,
}

/// The body without its top-level `global` aggregations (`None`: it has none), and those.
pub(super) fn split(body: &Value) -> Result<(Option<Value>, Vec<Global>), RequestError> {
    let key = ["aggs", "aggregations"]
        .into_iter()
        .find(|key| body.get(*key).is_some_and(Value::is_object));
    let Some(key) = key else {
        return Ok((None, Vec::new()));
    };
    let aggs = &body[key];
    let is_global = |definition: &Value| definition.get("global").is_some();
    if !aggs
        .as_object()
        .is_some_and(|aggs| aggs.values().any(is_global))
    {
        return Ok((None, Vec::new()));
    }
    let mut kept = Map::new();
    let mut globals = Vec::new();
    for (name, definition) in aggs.as_object().into_iter().flatten() {
        if !is_global(definition) {
            kept.insert(name.clone(), definition.clone());
            continue;
        }
        let mut global = Global {
            name: name.clone(),
            aggs: None,
            meta: None,
        };
        for (part, value) in definition.as_object().into_iter().flatten() {
            match part.as_str() {
                "global" if value.as_object().is_some_and(Map::is_empty) => {}
                "global" => {
                    return Err(RequestError::bad_request(format!(
                        "[global] aggregation [{name}] takes no options: {value}"
                    )))
                }
                "aggs" | "aggregations" => global.aggs = Some(value.clone()),
                "meta" => global.meta = Some(value.clone()),
                other => {
                    return Err(RequestError::bad_request(format!(
                        "Found two aggregation type definitions in [{name}]: [global] and [{other}]"
                    )))
                }
            }
        }
        globals.push(global);
    }
    let mut stripped = body.clone();
    if let Some(object) = stripped.as_object_mut() {
        match kept.is_empty() {
            true => object.remove(key),
            false => object.insert(key.to_string(), Value::Object(kept)),
        };
    }
    Ok((Some(stripped), globals))
}

impl Global {
    pub(super) fn name(&self) -> &str {
        &self.name
    }
}

impl Store {
    /// A `global`'s answer: every event of the indices counted, its sub-aggregations with
    /// them.
    pub(super) fn global(
        &self,
        at: &At,
        indices: Indices<'_>,
        global: &Global,
    ) -> Result<Value, RequestError> {
        let mut body = json!({"size": 0, "track_total_hits": true});
        if let Some(aggs) = &global.aggs {
            body["aggs"] = aggs.clone();
        }
        let answer = self.search_at(at, indices, &body)?;
        let mut out = Map::new();
        if let Some(meta) = &global.meta {
            out.insert("meta".into(), meta.clone());
        }
        out.insert("doc_count".into(), answer["hits"]["total"]["value"].clone());
        if let Some(Value::Object(aggregations)) = answer.get("aggregations") {
            out.extend(aggregations.clone());
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_globals_are_taken_out_of_the_body() {
        let body = json!({"query": {"term": {"level": "ERROR"}}, "aggs": {
            "all": {"global": {}, "aggs": {"n": {"value_count": {"field": "took"}}}, "meta": {"a": 1}},
            "errors": {"value_count": {"field": "took"}}
        }});
        let (stripped, globals) = split(&body).expect("read");
        let stripped = stripped.expect("a global was taken out");
        assert_eq!(
            stripped["aggs"],
            json!({"errors": {"value_count": {"field": "took"}}})
        );
        assert_eq!(stripped["query"], body["query"]);
        assert_eq!(globals.len(), 1);
        assert_eq!(globals[0].name(), "all");
        assert_eq!(globals[0].meta, Some(json!({"a": 1})));
        // only globals: the body keeps no aggregations
        let alone = json!({"aggregations": {"all": {"global": {}}}});
        let (stripped, globals) = split(&alone).expect("read");
        assert_eq!(stripped, Some(json!({})));
        assert_eq!(globals.len(), 1);
        // none: nothing is copied
        assert!(split(&json!({"aggs": {"t": {"terms": {"field": "k"}}}}))
            .expect("read")
            .0
            .is_none());
        assert!(split(&json!({"aggs": {"g": {"global": {"x": 1}}}})).is_err());
    }
}
