//! Where the dashboard keeps saved queries: the server's `/api/saved-queries`, or, where
//! there is none (a statically hosted dashboard), the browser's localStorage.

use logdash_core::saved::{LocalList, SavedQuery, SavedQueryInput};
use logdash_core::time::format_iso8601;

use crate::api::{self, Endpoints};
use crate::error::AppError;
use crate::timefmt;

const STORAGE_KEY: &str = "logdash.saved-queries";
/// The editor token lives as long as the tab: sessionStorage, never localStorage.
const TOKEN_KEY: &str = "logdash.editor-token";

/// Why a saved query was not changed.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeError {
    /// The server keeps saved queries read-only without the editor token (or with a wrong one).
    NeedsToken(String),
    Failed(String),
}

impl std::fmt::Display for ChangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangeError::NeedsToken(reason) | ChangeError::Failed(reason) => f.write_str(reason),
        }
    }
}

impl From<String> for ChangeError {
    fn from(reason: String) -> Self {
        ChangeError::Failed(reason)
    }
}

impl From<AppError> for ChangeError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Backend { status: 401, .. } => ChangeError::NeedsToken(error.to_string()),
            other => ChangeError::Failed(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Server(Endpoints),
    Browser,
}

impl Place {
    pub fn describe(&self) -> &'static str {
        match self {
            Place::Server(_) => "shared with your team (saved on the server)",
            Place::Browser => "no server API here: kept in this browser only",
        }
    }
}

/// Finds where saved queries live and reads them.
pub async fn open() -> (Place, Result<Vec<SavedQuery>, String>) {
    let endpoints = api::endpoints().await;
    match api::saved_queries(&endpoints).await {
        Ok(list) => (Place::Server(endpoints), Ok(list)),
        Err(err) if err.means_no_api() => (Place::Browser, Ok(read_local().0)),
        Err(err) => (Place::Server(endpoints), Err(err.to_string())),
    }
}

pub async fn list(place: &Place) -> Result<Vec<SavedQuery>, String> {
    match place {
        Place::Server(endpoints) => api::saved_queries(endpoints)
            .await
            .map_err(|e| e.to_string()),
        Place::Browser => Ok(read_local().0),
    }
}

/// Creates a saved query, or changes the one with `id`.
pub async fn save(
    place: &Place,
    id: Option<&str>,
    input: SavedQueryInput,
) -> Result<SavedQuery, ChangeError> {
    match place {
        Place::Server(endpoints) => {
            Ok(api::save_query(endpoints, id, &input, editor_token().as_deref()).await?)
        }
        Place::Browser => {
            let mut list = read_local();
            let saved = list.save(id, input, random_id(), format_iso8601(timefmt::now()))?;
            write_local(&list)?;
            Ok(saved)
        }
    }
}

pub async fn delete(place: &Place, id: &str) -> Result<(), ChangeError> {
    match place {
        Place::Server(endpoints) => {
            Ok(api::delete_query(endpoints, id, editor_token().as_deref()).await?)
        }
        Place::Browser => {
            let mut list = read_local();
            list.delete(id);
            Ok(write_local(&list)?)
        }
    }
}

/// The queries kept in this browser (saved while there was no server to keep them).
pub fn kept_in_browser() -> Vec<SavedQuery> {
    read_local().0
}

/// Forgets the queries kept in this browser (once the server keeps them).
pub fn forget_kept_in_browser() -> Result<(), String> {
    write_local(&LocalList::default())
}

/// The editor token given in this tab, if any.
pub fn editor_token() -> Option<String> {
    session()
        .and_then(|s| s.get_item(TOKEN_KEY).ok().flatten())
        .filter(|t| !t.is_empty())
}

/// Keeps the token for this tab's later changes, or forgets it (`None`).
pub fn set_editor_token(token: Option<&str>) {
    if let Some(session) = session() {
        let _ = match token.map(str::trim).filter(|t| !t.is_empty()) {
            Some(token) => session.set_item(TOKEN_KEY, token),
            None => session.remove_item(TOKEN_KEY),
        };
    }
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn read_local() -> LocalList {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .map(|text| LocalList::parse(&text))
        .unwrap_or_default()
}

fn write_local(list: &LocalList) -> Result<(), String> {
    let text = serde_json::to_string(list).map_err(|e| e.to_string())?;
    storage()
        .ok_or("this browser offers no local storage")?
        .set_item(STORAGE_KEY, &text)
        .map_err(|_| "the browser refused to store the saved queries (storage full?)".to_string())
}

fn random_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..20)
        .map(|_| {
            let i = (js_sys::Math::random() * ALPHABET.len() as f64) as usize;
            char::from(ALPHABET[i.min(ALPHABET.len() - 1)])
        })
        .collect()
}
