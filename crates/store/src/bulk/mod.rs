//! Elasticsearch's `_bulk`: NDJSON action and source lines, one result per item.

mod update;
mod writes;

use serde_json::{json, Map, Value};
use writes::Writes;

use crate::event::{self, validate_index_name};
use crate::mapping::shape::Misfit;
use crate::Raised;
use crate::{now_millis, RequestError, Store};

/// The parameters an action line may have in Elasticsearch 8 (its `BulkRequestParser`).
const ACTION_PARAMETERS: &[&str] = &[
    "_index",
    "_id",
    "routing",
    "op_type",
    "version",
    "version_type",
    "if_seq_no",
    "if_primary_term",
    "retry_on_conflict",
    "pipeline",
    "_source",
    "require_alias",
    "require_data_stream",
    "list_executed_pipelines",
    "dynamic_templates",
];

/// Action parameters logdash cannot honour: an item that sets one is refused on its own,
/// not written as if it had not (`_none` is no pipeline; `false` asks for nothing).
const NOT_HONOURED: &[(&str, &str)] = &[
    ("version", "logdash keeps no document versions"),
    ("version_type", "logdash keeps no document versions"),
    ("if_seq_no", "logdash keeps no sequence numbers to compare"),
    (
        "if_primary_term",
        "logdash keeps no sequence numbers to compare",
    ),
    ("pipeline", "logdash runs no ingest pipelines"),
    (
        "dynamic_templates",
        "logdash does not choose dynamic templates per document",
    ),
    ("require_alias", "logdash has no aliases"),
    ("require_data_stream", "logdash has no data streams"),
];

/// Longest `_id`, in bytes, as Elasticsearch allows.
const MAX_ID_BYTES: usize = 512;

/// One action of a request and its source line, read and checked before anything is done.
struct Item<'b> {
    op: String,
    index: Option<String>,
    id: Option<String>,
    /// The source line and its number (none for `delete`).
    source: Option<(usize, &'b [u8])>,
    /// An update's body, read with the request.
    update: Option<update::Update>,
    /// A parameter it sets that logdash cannot honour, and why.
    not_honoured: Option<(&'static str, &'static str)>,
}

pub(crate) fn run(
    store: &Store,
    default_index: Option<&str>,
    body: &[u8],
) -> Result<Value, RequestError> {
    let started = std::time::Instant::now();
    if let Some(index) = default_index {
        validate_index_name(index).map_err(invalid_index)?;
    }
    // the whole request is read and checked first: a refused request changes nothing
    let read = read_items(default_index, body)?;
    let mut items = Vec::new();
    let mut writes = Writes::new(store);
    let now = now_millis();
    for Item {
        op,
        index,
        id,
        source,
        update,
        not_honoured,
    } in read
    {
        let Some(index) = index else {
            continue; // refused by `read_items`
        };
        if let Some((parameter, why)) = not_honoured {
            items.push(item_error(
                &op,
                Some(&index),
                id.as_deref(),
                400,
                "illegal_argument_exception",
                &format!("[{parameter}] is not supported: {why}; the item was not written"),
            ));
            continue;
        }
        if op == "delete" {
            let id = id.unwrap_or_default(); // `read_items` refuses a delete without one
            let found = writes.delete(&index, &id)?;
            items.push(json!({ "delete": {
                "_index": index, "_id": id, "_version": if found { 2 } else { 1 },
                "result": if found { "deleted" } else { "not_found" },
                "_shards": {"total": 1, "successful": 1, "failed": 0},
                "_seq_no": 0, "_primary_term": 1, "status": if found { 200 } else { 404 }
            }}));
            continue;
        }
        if let Err(reason) = validate_index_name(&index) {
            let mut error = item_error(
                &op,
                Some(&index),
                id.as_deref(),
                400,
                "invalid_index_name_exception",
                &reason,
            );
            // Elasticsearch names the index that has no uuid yet
            error[&op]["error"]["index_uuid"] = json!("_na_");
            error[&op]["error"]["index"] = json!(index);
            items.push(error);
            continue;
        }
        if let Some(update) = update {
            let id = id.unwrap_or_default(); // `read_items` refuses an update without one
            items.push(apply_update(store, &mut writes, &index, &id, &update, now)?);
            continue;
        }
        let Some((line_number, source_line)) = source else {
            continue;
        };
        let parsing_error = |reason: String| {
            item_error(
                &op,
                Some(&index),
                id.as_deref(),
                400,
                "document_parsing_exception",
                &format!("[{line_number}:1] {reason}"),
            )
        };
        let source = match serde_json::from_slice::<Value>(source_line) {
            Ok(Value::Object(source)) => source,
            Ok(_) => {
                items.push(parsing_error("the document must be a JSON object".into()));
                continue;
            }
            Err(err) => {
                items.push(parsing_error(format!("failed to parse: {err}")));
                continue;
            }
        };
        // `_source` stays as sent; the event's time goes beside it
        let time = match event::time_of(&source, now) {
            Ok(time) => time,
            Err(reason) => {
                items.push(parsing_error(reason));
                continue;
            }
        };
        // `create` never replaces: an id this request or the index already holds conflicts
        let held = id.as_deref().is_some_and(|id| writes.holds(&index, id));
        if op == "create" && held {
            let id = id.unwrap_or_default();
            let conflict = item_error(
                &op,
                Some(&index),
                Some(&id),
                409,
                "version_conflict_engine_exception",
                &format!("[{id}]: version conflict, document already exists (current version [1])"),
            );
            items.push(on_index(conflict, &op, store, &index));
            continue;
        }
        // an explicit id replaces the event the index holds with it
        match writes.put(&index, id.clone(), time, source, held)? {
            Ok(doc_id) => items.push(written(&op, &index, &doc_id, held)),
            Err(misfit) => items.push(refused_item(&op, &index, id.as_deref(), &misfit)),
        }
    }
    writes.finish()?;
    let errors = items.iter().any(|item| {
        item.as_object()
            .and_then(|o| o.values().next())
            .is_some_and(|v| v.get("error").is_some())
    });
    Ok(json!({ "took": started.elapsed().as_millis() as u64, "errors": errors, "items": items }))
}

/// Reads and checks a `_bulk` body as [`run`] does before it writes anything: the number
/// of items, or why the whole request is refused.
pub fn check(default_index: Option<&str>, body: &[u8]) -> Result<usize, RequestError> {
    if let Some(index) = default_index {
        validate_index_name(index).map_err(invalid_index)?;
    }
    read_items(default_index, body).map(|items| items.len())
}

/// Reads every action line (and the line after it, its source) as Elasticsearch does
/// before it runs any: a malformed line, or the request's validation (an index missing,
/// an id too long, nothing to do), refuses the whole request.
fn read_items<'b>(
    default_index: Option<&str>,
    body: &'b [u8],
) -> Result<Vec<Item<'b>>, RequestError> {
    if body.is_empty() {
        return Err(RequestError {
            status: 400,
            kind: "parse_exception",
            reason: "request body is required".into(),
            raised: Raised::Reading,
        });
    }
    // whole lines only: bytes after the last newline are refused
    let Some(last_newline) = body.iter().rposition(|&b| b == b'\n') else {
        return Err(unterminated());
    };
    if !body[last_newline + 1..].iter().all(u8::is_ascii_whitespace) {
        return Err(unterminated());
    }
    let mut lines = body[..last_newline]
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(n, line)| (n + 1, line))
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace));
    let mut items = Vec::new();
    let mut invalid = Vec::new();
    while let Some((line_number, action_line)) = lines.next() {
        let malformed = |what: String| {
            RequestError::illegal_argument(format!(
                "Malformed action/metadata line [{line_number}], {what}"
            ))
        };
        let action: Map<String, Value> = match serde_json::from_slice::<Value>(action_line) {
            Ok(Value::Object(action)) => action,
            Ok(_) => return Err(malformed("expected START_OBJECT".to_string())),
            // not JSON at all: the parser's own error, as Elasticsearch's says it
            Err(err) => {
                return Err(RequestError {
                    status: 400,
                    kind: "x_content_parse_exception",
                    reason: format!("[{line_number}:{}] {err}", err.column()),
                    raised: Raised::Reading,
                })
            }
        };
        let (mut op, meta) = match action.iter().next() {
            Some((op, Value::Object(meta))) if action.len() == 1 => (op.clone(), meta),
            _ => {
                return Err(malformed(
                    "expected one action ({\"index\": {...}})".to_string(),
                ))
            }
        };
        if !matches!(op.as_str(), "index" | "create" | "delete" | "update") {
            return Err(malformed(format!(
                "expected field [create], [delete], [index] or [update] but found [{op}]"
            )));
        }
        // `index` with `op_type: create` is a create (a conflict on an id held); any other
        // op_type leaves it an index, as Elasticsearch reads it
        if op == "index" && meta.get("op_type").and_then(Value::as_str) == Some("create") {
            op = "create".to_string();
        }
        // a parameter Elasticsearch 8 does not know refuses the request (Fluent Bit's
        // default `_type` among them); one whose value is null is skipped, as there
        if let Some(unknown) = meta
            .iter()
            .find(|(key, value)| !value.is_null() && !ACTION_PARAMETERS.contains(&key.as_str()))
            .map(|(key, _)| key)
        {
            return Err(RequestError::illegal_argument(format!(
                "Action/metadata line [{line_number}] contains an unknown parameter [{unknown}]"
            )));
        }
        let id = match meta.get("_id") {
            None | Some(Value::Null) => None,
            Some(Value::String(id)) => Some(id.clone()),
            // a simple value stands for its text, as Elasticsearch reads it
            Some(simple @ (Value::Number(_) | Value::Bool(_))) => Some(simple.to_string()),
            Some(other) => {
                let found = if other.is_object() {
                    "START_OBJECT"
                } else {
                    "START_ARRAY"
                };
                return Err(malformed(format!(
                    "expected a simple value for field [_id] but found [{found}]"
                )));
            }
        };
        let index = meta
            .get("_index")
            .and_then(Value::as_str)
            .or(default_index)
            .map(str::to_string);
        if index.is_none() {
            invalid.push("index is missing".to_string());
        }
        if (op == "delete" || op == "update") && id.is_none() {
            invalid.push("id is missing".to_string());
        }
        if let Some(id) = id.as_ref().filter(|id| id.len() > MAX_ID_BYTES) {
            invalid.push(format!(
                "id [{id}] is too long, must be no longer than {MAX_ID_BYTES} bytes but was: {}",
                id.len()
            ));
        }
        let source = if op == "delete" {
            None
        } else {
            match lines.next() {
                Some(source) => Some(source),
                // a last action without its source is left out, as Elasticsearch leaves it
                None => break,
            }
        };
        let update = match (op.as_str(), source) {
            ("update", Some((_, line))) => {
                let update = update::read(line)?;
                if update.is_empty() {
                    invalid.push("script or doc is missing".to_string());
                }
                Some(update)
            }
            _ => None,
        };
        let not_honoured =
            NOT_HONOURED
                .iter()
                .copied()
                .find(|(parameter, _)| match meta.get(*parameter) {
                    None | Some(Value::Null) | Some(Value::Bool(false)) => false,
                    Some(Value::String(text)) if text == "false" => false,
                    // the default: versions kept by Elasticsearch itself, which asks for nothing
                    Some(Value::String(kind)) if *parameter == "version_type" => kind != "internal",
                    Some(Value::String(pipeline)) if *parameter == "pipeline" => {
                        pipeline != "_none"
                    }
                    Some(Value::Object(templates)) => !templates.is_empty(),
                    Some(_) => true,
                });
        items.push(Item {
            op,
            index,
            id,
            source,
            update,
            not_honoured,
        });
    }
    if items.is_empty() {
        invalid.push("no requests added".to_string());
    }
    if invalid.is_empty() {
        return Ok(items);
    }
    let listed: String = invalid
        .iter()
        .enumerate()
        .map(|(n, what)| format!("{}: {what};", n + 1))
        .collect();
    Err(RequestError {
        status: 400,
        kind: "action_request_validation_exception",
        reason: format!("Validation Failed: {listed}"),
        raised: Raised::Reading,
    })
}

fn unterminated() -> RequestError {
    RequestError::illegal_argument("The bulk request must be terminated by a newline [\\n]")
}

/// Applies an update item to the event held with `id`; its answer.
fn apply_update(
    store: &Store,
    writes: &mut Writes<'_>,
    index: &str,
    id: &str,
    update: &update::Update,
    now: crate::EpochMillis,
) -> Result<Value, RequestError> {
    let error = |status, kind, reason: &str| {
        on_index(
            item_error("update", Some(index), Some(id), status, kind, reason),
            "update",
            store,
            index,
        )
    };
    Ok(match update.apply(writes.source_of(index, id)) {
        update::Outcome::Script => error(
            400,
            "illegal_argument_exception",
            "logdash runs no scripts: [script] in [update] is not supported",
        ),
        update::Outcome::Missing => error(
            404,
            "document_missing_exception",
            &format!("[{id}]: document missing"),
        ),
        update::Outcome::Noop => json!({ "update": {
            "_index": index, "_id": id, "_version": 1, "result": "noop",
            "_shards": {"total": 0, "successful": 0, "failed": 0},
            "_seq_no": 0, "_primary_term": 1, "status": 200
        }}),
        update::Outcome::Store { source, replace } => match event::time_of(&source, now) {
            Ok(time) => match writes.put(index, Some(id.to_string()), time, source, replace)? {
                Ok(doc_id) => written("update", index, &doc_id, replace),
                Err(misfit) => refused_item("update", index, Some(id), &misfit),
            },
            Err(reason) => error(400, "document_parsing_exception", &reason),
        },
    })
}

/// A `_bulk` answer as Elasticsearch gives it to `?refresh=true`: each item with a result
/// (even `noop` and `not_found`; not a refused one) says the refresh was forced. logdash makes every write
/// searchable before it answers, whatever `refresh` says; only the answer differs.
pub fn mark_forced_refresh(answer: &mut Value) {
    let Some(items) = answer.get_mut("items").and_then(Value::as_array_mut) else {
        return;
    };
    for item in items.iter_mut().filter_map(Value::as_object_mut) {
        for result in item.values_mut().filter_map(Value::as_object_mut) {
            if result.contains_key("result") {
                result.insert("forced_refresh".into(), Value::Bool(true));
            }
        }
    }
}

/// An item's error naming the index it happened in, as Elasticsearch's do.
fn on_index(mut item: Value, op: &str, store: &Store, index: &str) -> Value {
    item[op]["error"]["index_uuid"] = json!(store.index_uuid(index));
    item[op]["error"]["shard"] = json!("0");
    item[op]["error"]["index"] = json!(index);
    item
}

/// The answer for an event stored: created, or updated when it replaced one.
fn written(op: &str, index: &str, id: &str, replaced: bool) -> Value {
    json!({ op: {
        "_index": index, "_id": id, "_version": if replaced { 2 } else { 1 },
        "result": if replaced { "updated" } else { "created" },
        "_shards": {"total": 1, "successful": 1, "failed": 0},
        "_seq_no": 0, "_primary_term": 1, "status": if replaced { 200 } else { 201 }
    }})
}

fn invalid_index(reason: String) -> RequestError {
    RequestError {
        status: 400,
        kind: "invalid_index_name_exception",
        reason,
        raised: Raised::Anywhere,
    }
}

/// An item refused because it does not fit its index's mapping.
fn refused_item(op: &str, index: &str, id: Option<&str>, misfit: &Misfit) -> Value {
    let mut item = item_error(op, Some(index), id, 400, misfit.kind, &misfit.reason);
    if let Some(cause) = &misfit.cause {
        item[op]["error"]["caused_by"] =
            json!({"type": "illegal_argument_exception", "reason": cause});
    }
    item
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

#[cfg(test)]
mod tests;
