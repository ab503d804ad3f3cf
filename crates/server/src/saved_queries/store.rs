//! Where saved queries live: a file in the embedded store's data directory, or an index of
//! the real cluster (proxy mode), written with the server's own credentials.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use logdash_core::saved::{sort_for_list, SavedQuery, SavedQueryInput, MAX_QUERIES};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::proxy::own::{call, expect_success};
use crate::proxy::Upstream;

pub enum SavedQueries {
    /// `saved-queries.json` beside the embedded store's indices.
    File {
        path: PathBuf,
        queries: Mutex<Vec<SavedQuery>>,
    },
    /// Documents of one index of the cluster.
    Cluster {
        upstream: Arc<Upstream>,
        index: String,
    },
}

const FILE_NAME: &str = "saved-queries.json";

impl SavedQueries {
    /// Opens (or starts) the file in `data_dir`.
    pub fn open_file(data_dir: &std::path::Path) -> Result<Self, String> {
        let path = data_dir.join(FILE_NAME);
        let queries = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|err| format!("{} is damaged: {err}", path.display()))?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(err) => return Err(format!("cannot read {}: {err}", path.display())),
        };
        Ok(Self::File {
            path,
            queries: Mutex::new(queries),
        })
    }

    pub fn cluster(upstream: Arc<Upstream>, index: String) -> Self {
        Self::Cluster { upstream, index }
    }

    pub async fn list(&self) -> Result<Vec<SavedQuery>, ApiError> {
        let mut queries = match self {
            Self::File { queries, .. } => lock(queries)?.clone(),
            Self::Cluster { upstream, index } => {
                let body = json!({"size": MAX_QUERIES, "query": {"match_all": {}}});
                let (status, answer) = call(
                    upstream,
                    Method::POST,
                    &format!("/{index}/_search"),
                    Some(body),
                )
                .await?;
                if status == StatusCode::NOT_FOUND {
                    return Ok(Vec::new());
                }
                expect_success(status, &answer, "list the saved queries")?;
                answer["hits"]["hits"]
                    .as_array()
                    .map(|hits| hits.iter().filter_map(from_hit).collect())
                    .unwrap_or_default()
            }
        };
        sort_for_list(&mut queries);
        Ok(queries)
    }

    pub async fn get(&self, id: &str) -> Result<SavedQuery, ApiError> {
        match self {
            Self::File { queries, .. } => lock(queries)?
                .iter()
                .find(|q| q.id == id)
                .cloned()
                .ok_or_else(|| not_found(id)),
            Self::Cluster { upstream, index } => {
                let (status, answer) =
                    call(upstream, Method::GET, &format!("/{index}/_doc/{id}"), None).await?;
                if status == StatusCode::NOT_FOUND || answer["found"] == json!(false) {
                    return Err(not_found(id));
                }
                expect_success(status, &answer, "read the saved query")?;
                from_hit(&answer).ok_or_else(|| not_found(id))
            }
        }
    }

    pub async fn create(
        &self,
        input: SavedQueryInput,
        now: String,
    ) -> Result<SavedQuery, ApiError> {
        let query = SavedQuery {
            id: new_id(),
            name: input.name,
            state: input.state,
            created: now.clone(),
            updated: now,
        };
        match self {
            Self::File { queries, path } => {
                let mut queries = lock(queries)?;
                if queries.len() >= MAX_QUERIES {
                    return Err(full());
                }
                queries.push(query.clone());
                write_file(path, &queries)?;
            }
            Self::Cluster { upstream, index } => {
                if self.list().await?.len() >= MAX_QUERIES {
                    return Err(full());
                }
                let path = format!("/{index}/_create/{}?refresh=wait_for", query.id);
                let (status, answer) =
                    call(upstream, Method::PUT, &path, Some(document(&query))).await?;
                expect_success(status, &answer, "save the query")?;
            }
        }
        Ok(query)
    }

    pub async fn update(
        &self,
        id: &str,
        input: SavedQueryInput,
        now: String,
    ) -> Result<SavedQuery, ApiError> {
        match self {
            Self::File { queries, path } => {
                let mut queries = lock(queries)?;
                let query = queries
                    .iter_mut()
                    .find(|q| q.id == id)
                    .ok_or_else(|| not_found(id))?;
                query.name = input.name;
                query.state = input.state;
                query.updated = now;
                let changed = query.clone();
                write_file(path, &queries)?;
                Ok(changed)
            }
            Self::Cluster { upstream, index } => {
                let mut query = self.get(id).await?;
                query.name = input.name;
                query.state = input.state;
                query.updated = now;
                let path = format!("/{index}/_doc/{id}?refresh=wait_for");
                let (status, answer) =
                    call(upstream, Method::PUT, &path, Some(document(&query))).await?;
                expect_success(status, &answer, "save the query")?;
                Ok(query)
            }
        }
    }

    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        match self {
            Self::File { queries, path } => {
                let mut queries = lock(queries)?;
                let before = queries.len();
                queries.retain(|q| q.id != id);
                if queries.len() == before {
                    return Err(not_found(id));
                }
                write_file(path, &queries)
            }
            Self::Cluster { upstream, index } => {
                let path = format!("/{index}/_doc/{id}?refresh=wait_for");
                let (status, answer) = call(upstream, Method::DELETE, &path, None).await?;
                if status == StatusCode::NOT_FOUND {
                    return Err(not_found(id));
                }
                expect_success(status, &answer, "delete the query")
            }
        }
    }
}

fn lock(
    queries: &Mutex<Vec<SavedQuery>>,
) -> Result<std::sync::MutexGuard<'_, Vec<SavedQuery>>, ApiError> {
    queries
        .lock()
        .map_err(|_| ApiError::Internal("the saved queries' lock is poisoned".into()))
}

/// Writes the whole file next to itself and renames it over the old one: a crash leaves
/// either the old list or the new one, never half of one.
fn write_file(path: &std::path::Path, queries: &[SavedQuery]) -> Result<(), ApiError> {
    let write = || -> std::io::Result<()> {
        let temporary = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(queries).map_err(std::io::Error::other)?;
        let mut file = std::fs::File::create(&temporary)?;
        std::io::Write::write_all(&mut file, &bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    };
    write().map_err(|err| ApiError::Internal(format!("cannot write {}: {err}", path.display())))
}

/// The document stored in the cluster: the query without its id (that is the `_id`).
fn document(query: &SavedQuery) -> Value {
    json!({"name": query.name, "state": query.state, "created": query.created, "updated": query.updated})
}

fn from_hit(hit: &Value) -> Option<SavedQuery> {
    let source = &hit["_source"];
    Some(SavedQuery {
        id: hit["_id"].as_str()?.to_string(),
        name: source["name"].as_str()?.to_string(),
        state: source["state"].as_str().unwrap_or_default().to_string(),
        created: source["created"].as_str().unwrap_or_default().to_string(),
        updated: source["updated"].as_str().unwrap_or_default().to_string(),
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::Rejected {
        status: 404,
        kind: "resource_not_found_exception",
        reason: format!("there is no saved query [{id}]"),
    }
}

fn full() -> ApiError {
    ApiError::Rejected {
        status: 409,
        kind: "too_many_saved_queries",
        reason: format!("there are already {MAX_QUERIES} saved queries; delete some first"),
    }
}

/// 20 random URL-safe characters, like Elasticsearch's generated ids.
fn new_id() -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 20];
    if getrandom::fill(&mut bytes).is_err() {
        // no OS randomness: time and a hash seed are still unique enough for ids
        let seed = std::collections::hash_map::RandomState::new();
        let mixed = std::hash::BuildHasher::hash_one(&seed, logdash_store::now_millis());
        bytes
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = (mixed >> ((i % 8) * 8)) as u8 ^ i as u8);
    }
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 63)]))
        .collect()
}

/// Whether a path segment can be a saved query's id (anything else is not one of ours).
pub fn is_id(text: &str) -> bool {
    (1..=40).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
