//! Elasticsearch's `_bulk`: NDJSON action and source lines, one result per item.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::event::{self, validate_index_name};
use crate::writer::Command;
use crate::Raised;
use crate::{now_millis, RequestError, Store};

/// Longest `_id`, in bytes, as Elasticsearch allows.
const MAX_ID_BYTES: usize = 512;

/// One action of a request and its source line, read and checked before anything is done.
struct Item<'b> {
    op: String,
    index: Option<String>,
    id: Option<String>,
    /// The source line and its number (none for `delete`).
    source: Option<(usize, &'b [u8])>,
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
    // what the push tail is told of, kept only when something listens
    let arrivals = store.arrivals();
    let mut arrived: Vec<(String, String, crate::Source)> = Vec::new();
    let now = now_millis();
    for Item {
        op,
        index,
        id,
        source,
    } in read
    {
        let Some(index) = index else {
            continue; // refused by `read_items`
        };
        if op == "update" {
            items.push(item_error(
                &op,
                Some(&index),
                id.as_deref(),
                400,
                "illegal_argument_exception",
                "logdash does not change stored events: [update] is not supported",
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
            let mut conflict = item_error(
                &op,
                Some(&index),
                Some(&id),
                409,
                "version_conflict_engine_exception",
                &format!("[{id}]: version conflict, document already exists (current version [1])"),
            );
            conflict[&op]["error"]["index_uuid"] = json!(store.index_uuid(&index));
            conflict[&op]["error"]["shard"] = json!("0");
            conflict[&op]["error"]["index"] = json!(index);
            items.push(conflict);
            continue;
        }
        let kept = arrivals.as_ref().map(|_| source.clone());
        let doc = store.prepare(&index, id.clone(), time, source);
        let doc_id = store.id_of(&doc);
        if let Some(source) = kept {
            arrived.push((index.clone(), doc_id.clone(), source));
        }
        // an explicit id replaces the event the index holds with it
        if held {
            writes.delete(&index, &doc_id)?;
        }
        writes.add(&index, id.is_some().then_some(&doc_id), doc);
        items.push(json!({ op.clone(): {
            "_index": index, "_id": doc_id, "_version": if held { 2 } else { 1 },
            "result": if held { "updated" } else { "created" },
            "_shards": {"total": 1, "successful": 1, "failed": 0},
            "_seq_no": 0, "_primary_term": 1, "status": if held { 200 } else { 201 }
        }}));
    }
    if let Some(arrivals) = arrivals.filter(|_| !arrived.is_empty()) {
        let batch: Vec<crate::Arrived<'_>> = arrived
            .iter()
            .map(|(index, id, source)| crate::Arrived { index, id, source })
            .collect();
        arrivals.arrived(&batch);
    }
    writes.finish()?;
    let errors = items.iter().any(|item| {
        item.as_object()
            .and_then(|o| o.values().next())
            .is_some_and(|v| v.get("error").is_some())
    });
    Ok(json!({ "took": started.elapsed().as_millis() as u64, "errors": errors, "items": items }))
}

/// What a request writes, in its order: events are added in batches, and a delete (or
/// a replacement by id) first sends the events before it, so that the index sees the
/// request as Elasticsearch does, one item after the other.
struct Writes<'s> {
    store: &'s Store,
    docs: Vec<tantivy::TantivyDocument>,
    /// Explicit ids this request has added, and deleted, by index.
    added: HashSet<(String, String)>,
    deleted: HashSet<(String, String)>,
    /// Whether anything was sent that the answer must wait for.
    sent: bool,
}

impl<'s> Writes<'s> {
    fn new(store: &'s Store) -> Self {
        Self {
            store,
            docs: Vec::new(),
            added: HashSet::new(),
            deleted: HashSet::new(),
            sent: false,
        }
    }

    /// Whether an event with this id is in the index, as this request has left it.
    fn holds(&self, index: &str, id: &str) -> bool {
        let key = (index.to_string(), id.to_string());
        self.added.contains(&key)
            || (!self.deleted.contains(&key) && self.store.holds_id(index, id))
    }

    fn add(&mut self, index: &str, id: Option<&String>, doc: tantivy::TantivyDocument) {
        if let Some(id) = id {
            let key = (index.to_string(), id.clone());
            self.deleted.remove(&key);
            self.added.insert(key);
        }
        self.docs.push(doc);
    }

    /// Deletes the event with this id; returns whether there was one.
    fn delete(&mut self, index: &str, id: &str) -> Result<bool, RequestError> {
        let found = self.holds(index, id);
        let key = (index.to_string(), id.to_string());
        if self.added.remove(&key) {
            self.send_docs()?; // the event to delete is among those not yet sent
        }
        self.store
            .writer
            .send(Command::Delete {
                query: crate::query::id_in_index(&self.store.fields, index, id),
                done: None,
            })
            .map_err(RequestError::internal)?;
        self.deleted.insert(key);
        self.sent = true;
        Ok(found)
    }

    fn send_docs(&mut self) -> Result<(), RequestError> {
        if !self.docs.is_empty() {
            let docs = std::mem::take(&mut self.docs);
            self.store
                .writer
                .send(Command::Add { docs, done: None })
                .map_err(RequestError::internal)?;
            self.sent = true;
        }
        Ok(())
    }

    /// Sends the rest and waits until all of it is searchable and durable.
    fn finish(mut self) -> Result<(), RequestError> {
        if self.docs.is_empty() && !self.sent {
            return Ok(());
        }
        let docs = std::mem::take(&mut self.docs);
        self.store
            .writer
            .send_and_wait(|done| Command::Add {
                docs,
                done: Some(done),
            })
            .map_err(RequestError::internal)
    }
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
        let (op, meta) = match action.iter().next() {
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
        if op == "delete" && id.is_none() {
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
        items.push(Item {
            op,
            index,
            id,
            source,
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
