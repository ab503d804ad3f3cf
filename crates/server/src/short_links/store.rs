//! Where short links live: a file of JSON lines beside the embedded store's indices, or
//! an index of the real cluster (proxy mode), written with the server's own credentials.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use logdash_core::view::short_id_for;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ApiError;
use crate::proxy::own::{call, expect_success};
use crate::proxy::Upstream;

/// Most short links one server keeps: ten thousand views a day for a month, at most
/// 8 KiB each.
pub const MAX_LINKS: usize = 300_000;
/// Ids tried for one view before giving up (two views meeting on one id is already
/// about one chance in 10^14 at `MAX_LINKS`).
const ATTEMPTS: u32 = 4;
const FILE_NAME: &str = "short-links.jsonl";

pub enum ShortLinks {
    /// `short-links.jsonl` in the data directory: one link a line, only ever appended.
    File {
        path: PathBuf,
        links: Mutex<HashMap<String, String>>,
    },
    /// Documents of one index of the cluster, their `_id` the link's.
    Cluster {
        upstream: Arc<Upstream>,
        index: String,
    },
}

/// One line of the file.
#[derive(Serialize, Deserialize)]
struct Line {
    id: String,
    state: String,
    created: String,
}

impl ShortLinks {
    /// Reads (or starts) the file in `data_dir`. A line cut short by a crash is skipped,
    /// and said so; every whole line before and after it is kept.
    pub fn open_file(data_dir: &Path) -> Result<Self, String> {
        let path = data_dir.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(err) => return Err(format!("cannot read {}: {err}", path.display())),
        };
        // a line cut short has no newline: the next one must not be glued to it
        if !text.is_empty() && !text.ends_with('\n') {
            let repair = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .and_then(|mut file| file.write_all(b"\n"));
            repair.map_err(|err| format!("cannot repair {}: {err}", path.display()))?;
        }
        let mut links = HashMap::new();
        for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
            match serde_json::from_str::<Line>(line) {
                Ok(line) => {
                    links.insert(line.id, line.state);
                }
                Err(err) => tracing::warn!(
                    "{}: line {} is damaged and skipped: {err}",
                    path.display(),
                    number + 1
                ),
            }
        }
        Ok(Self::File {
            path,
            links: Mutex::new(links),
        })
    }

    pub fn cluster(upstream: Arc<Upstream>, index: String) -> Self {
        Self::Cluster { upstream, index }
    }

    /// The view a link stores.
    pub async fn get(&self, id: &str) -> Result<String, ApiError> {
        match self {
            Self::File { links, .. } => lock(links)?.get(id).cloned().ok_or_else(|| not_found(id)),
            Self::Cluster { upstream, index } => stored(upstream, index, id)
                .await?
                .ok_or_else(|| not_found(id)),
        }
    }

    /// Stores `state` (already canonical) and answers its id; a view stored before keeps
    /// the id it had.
    pub async fn create(&self, state: &str, now: &str) -> Result<String, ApiError> {
        match self {
            Self::File { path, links } => {
                let mut links = lock(links)?;
                for attempt in 0..ATTEMPTS {
                    let id = short_id_for(state, attempt);
                    match links.get(&id) {
                        Some(known) if known == state => return Ok(id),
                        Some(_) => continue,
                        None if links.len() >= MAX_LINKS => return Err(full()),
                        None => {
                            append(path, &id, state, now)?;
                            links.insert(id.clone(), state.to_string());
                            return Ok(id);
                        }
                    }
                }
                Err(no_free_id())
            }
            Self::Cluster { upstream, index } => {
                for attempt in 0..ATTEMPTS {
                    let id = short_id_for(state, attempt);
                    if let Some(known) = stored(upstream, index, &id).await? {
                        if known == state {
                            return Ok(id);
                        }
                        continue;
                    }
                    let (status, answer) =
                        call(upstream, Method::GET, &format!("/{index}/_count"), None).await?;
                    let count = answer["count"].as_u64().unwrap_or(0);
                    if status.is_success() && count >= MAX_LINKS as u64 {
                        return Err(full());
                    }
                    let path = format!("/{index}/_create/{id}?refresh=wait_for");
                    let document = json!({"state": state, "created": now});
                    let (status, answer) =
                        call(upstream, Method::PUT, &path, Some(document)).await?;
                    // another server stored the same view first: that is the same link
                    if status == StatusCode::CONFLICT {
                        if stored(upstream, index, &id).await?.as_deref() == Some(state) {
                            return Ok(id);
                        }
                        continue;
                    }
                    expect_success(status, &answer, "store the short link")?;
                    return Ok(id);
                }
                Err(no_free_id())
            }
        }
    }
}

/// The view stored under `id` in the cluster, if any.
async fn stored(upstream: &Upstream, index: &str, id: &str) -> Result<Option<String>, ApiError> {
    let (status, answer) =
        call(upstream, Method::GET, &format!("/{index}/_doc/{id}"), None).await?;
    if status == StatusCode::NOT_FOUND {
        return Ok(None);
    }
    expect_success(status, &answer, "read the short link")?;
    Ok(answer["_source"]["state"].as_str().map(str::to_string))
}

/// Appends one line and waits until it is on disk: a link handed out is never lost.
fn append(path: &Path, id: &str, state: &str, created: &str) -> Result<(), ApiError> {
    let line = Line {
        id: id.to_string(),
        state: state.to_string(),
        created: created.to_string(),
    };
    let write = || -> std::io::Result<()> {
        let mut text = serde_json::to_string(&line).map_err(std::io::Error::other)?;
        text.push('\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        file.write_all(text.as_bytes())?;
        file.sync_data()
    };
    write().map_err(|err| ApiError::Internal(format!("cannot write {}: {err}", path.display())))
}

fn lock(
    links: &Mutex<HashMap<String, String>>,
) -> Result<std::sync::MutexGuard<'_, HashMap<String, String>>, ApiError> {
    links
        .lock()
        .map_err(|_| ApiError::Internal("the short links' lock is poisoned".into()))
}

pub(super) fn not_found(id: &str) -> ApiError {
    let reason = if logdash_core::view::is_short_id(id) {
        format!("there is no short link [{id}]")
    } else {
        "there is no short link with that id".to_string()
    };
    ApiError::Rejected {
        status: 404,
        kind: "resource_not_found_exception",
        reason,
    }
}

fn full() -> ApiError {
    ApiError::Rejected {
        status: 507,
        kind: "logdash_short_links_full",
        reason: format!("logdash keeps at most {MAX_LINKS} short links: share the long link"),
    }
}

fn no_free_id() -> ApiError {
    ApiError::Internal(format!(
        "no free short link id for this view after {ATTEMPTS} attempts"
    ))
}
