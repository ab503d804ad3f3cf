//! Elasticsearch's `_bulk`: NDJSON action and source lines, one result per item.

use serde_json::{json, Map, Value};

use crate::event::{self, validate_index_name};
use crate::writer::Command;
use crate::Raised;
use crate::{now_millis, RequestError, Store};

pub(crate) fn run(
    store: &Store,
    default_index: Option<&str>,
    body: &[u8],
) -> Result<Value, RequestError> {
    let started = std::time::Instant::now();
    if let Some(index) = default_index {
        validate_index_name(index).map_err(invalid_index)?;
    }
    let mut lines = body
        .split(|&b| b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace));
    let mut items = Vec::new();
    let mut docs = Vec::new();
    // what the push tail is told of, kept only when something listens
    let arrivals = store.arrivals();
    let mut arrived: Vec<(String, String, crate::Source)> = Vec::new();
    let mut line_number = 0;
    let now = now_millis();
    while let Some(action_line) = lines.next() {
        line_number += 1;
        let action: Map<String, Value> = serde_json::from_slice(action_line).map_err(|err| {
            RequestError::illegal_argument(format!(
                "Malformed action/metadata line [{line_number}], expected a JSON object: {err}"
            ))
        })?;
        let (op, meta) = match action.iter().next() {
            Some((op, Value::Object(meta))) if action.len() == 1 => (op.clone(), meta.clone()),
            _ => {
                return Err(RequestError::illegal_argument(format!(
                    "Malformed action/metadata line [{line_number}], expected one action ({{\"index\": {{...}}}})"
                )))
            }
        };
        let index = meta
            .get("_index")
            .and_then(Value::as_str)
            .or(default_index)
            .map(str::to_string);
        let id = meta.get("_id").and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_u64().map(|n| n.to_string()))
        });
        if op == "delete" {
            items.push(item_error(
                &op,
                index.as_deref(),
                id.as_deref(),
                400,
                "illegal_argument_exception",
                "logdash keeps logs append-only: [delete] is not supported",
            ));
            continue;
        }
        let source_line = lines.next();
        line_number += 1;
        match op.as_str() {
            "index" | "create" => {}
            "update" => {
                items.push(item_error(&op, index.as_deref(), id.as_deref(), 400, "illegal_argument_exception", "logdash keeps logs append-only: [update] is not supported"));
                continue;
            }
            _ => {
                return Err(RequestError::illegal_argument(format!(
                    "Malformed action/metadata line [{}], expected one of [create, delete, index, update] but found [{op}]",
                    line_number - 1
                )))
            }
        }
        let Some(index) = index else {
            items.push(item_error(
                &op,
                None,
                id.as_deref(),
                400,
                "action_request_validation_exception",
                "Validation Failed: 1: index is missing;",
            ));
            continue;
        };
        if let Err(reason) = validate_index_name(&index) {
            items.push(item_error(
                &op,
                Some(&index),
                id.as_deref(),
                400,
                "invalid_index_name_exception",
                &reason,
            ));
            continue;
        }
        let Some(source_line) = source_line else {
            return Err(RequestError::illegal_argument(format!("The bulk request must be terminated by a newline [\\n]; the source of line [{}] is missing", line_number - 1)));
        };
        let source = match serde_json::from_slice::<Value>(source_line) {
            Ok(Value::Object(source)) => source,
            Ok(_) => {
                items.push(item_error(
                    &op,
                    Some(&index),
                    id.as_deref(),
                    400,
                    "document_parsing_exception",
                    &format!("[{line_number}:1] the document must be a JSON object"),
                ));
                continue;
            }
            Err(err) => {
                items.push(item_error(
                    &op,
                    Some(&index),
                    id.as_deref(),
                    400,
                    "document_parsing_exception",
                    &format!("[{line_number}:1] failed to parse: {err}"),
                ));
                continue;
            }
        };
        // `_source` stays as sent; the event's time goes beside it
        let time = match event::time_of(&source, now) {
            Ok(time) => time,
            Err(reason) => {
                items.push(item_error(
                    &op,
                    Some(&index),
                    id.as_deref(),
                    400,
                    "document_parsing_exception",
                    &format!("[{line_number}:1] {reason}"),
                ));
                continue;
            }
        };
        let id_given = id.is_some();
        let kept = arrivals.as_ref().map(|_| source.clone());
        let doc = store.prepare(&index, id, time, source);
        let id = store.id_of(&doc);
        if let Some(source) = kept {
            arrived.push((index.clone(), id.clone(), source));
        }
        if id_given && op == "index" {
            // an explicit id replaces an earlier event with the same id in that index
            store
                .writer
                .send(Command::Delete {
                    query: crate::query::id_in_index(&store.fields, &index, &id),
                    done: None,
                })
                .map_err(RequestError::internal)?;
        }
        docs.push(doc);
        items.push(json!({ op.clone(): {
            "_index": index, "_id": id, "_version": 1, "result": "created",
            "_shards": {"total": 1, "successful": 1, "failed": 0},
            "_seq_no": 0, "_primary_term": 1, "status": 201
        }}));
    }
    if let Some(arrivals) = arrivals.filter(|_| !arrived.is_empty()) {
        let batch: Vec<crate::Arrived<'_>> = arrived
            .iter()
            .map(|(index, id, source)| crate::Arrived { index, id, source })
            .collect();
        arrivals.arrived(&batch);
    }
    if !docs.is_empty() {
        store
            .writer
            .send_and_wait(|done| Command::Add {
                docs,
                done: Some(done),
            })
            .map_err(RequestError::internal)?;
    }
    let errors = items.iter().any(|item| {
        item.as_object()
            .and_then(|o| o.values().next())
            .is_some_and(|v| v.get("error").is_some())
    });
    Ok(json!({ "took": started.elapsed().as_millis() as u64, "errors": errors, "items": items }))
}

fn invalid_index(reason: String) -> RequestError {
    RequestError {
        status: 400,
        kind: "invalid_index_name_exception",
        reason,
        raised: Raised::Anywhere,
    }
}

fn item_error(
    op: &str,
    index: Option<&str>,
    id: Option<&str>,
    status: u16,
    kind: &str,
    reason: &str,
) -> Value {
    json!({ op: {
        "_index": index, "_id": id, "status": status,
        "error": {"type": kind, "reason": reason}
    }})
}
