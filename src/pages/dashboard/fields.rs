//! The view's fields: which field holds the message, level, user, latency and so on,
//! detected from `_field_caps` once per index pattern and kept by the browser.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::dashboard::fields::{self, FieldInfo, ResolvedFields};
use logdash_core::view::{Role, ViewState};

use crate::api::{self, Endpoints};
use crate::error::AppError;
use crate::field_store;

/// How long after a page load the fields kept by the browser are checked against the data.
const FIELD_RECHECK_DELAY: std::time::Duration = std::time::Duration::from_secs(2);

/// The view's resolved fields, keyed by pattern and overrides, with the panels lacking one.
pub type FieldsCache = RwSignal<Option<(String, ResolvedFields, Vec<Role>)>>;

/// The fields of the view's index pattern: detected once per pattern (and field
/// overrides) and reused. A pattern seen before starts from what the browser kept, so the
/// data is asked for at once; the detection runs again a moment later, and when the data's
/// fields changed, the view refreshes with them.
pub async fn resolve_fields(
    endpoints: &Endpoints,
    state: &ViewState,
    cache: FieldsCache,
    tick: RwSignal<u64>,
) -> Result<ResolvedFields, AppError> {
    let key = format!("{}\u{1}{:?}", state.index, state.fields);
    if let Some((cached, resolved, _)) = cache.get_untracked() {
        if cached == key {
            return Ok(resolved);
        }
    }
    if let Some(kept) = field_store::recall(endpoints, &state.index) {
        let (endpoints, view, view_key) = (endpoints.clone(), state.clone(), key.clone());
        set_timeout(
            move || {
                spawn_local(async move {
                    let Ok(data) = detect_fields(&endpoints, &view.index).await else {
                        return; // the refreshes report a backend in trouble
                    };
                    let shown =
                        cache.with_untracked(|c| c.as_ref().is_some_and(|c| c.0 == view_key));
                    if field_store::remember(&endpoints, &view.index, data.clone()) && shown {
                        keep_resolved(cache, view_key, &view, &data);
                        tick.update(|t| *t += 1);
                    }
                });
            },
            FIELD_RECHECK_DELAY,
        );
        return Ok(keep_resolved(cache, key, state, &kept));
    }
    let data = detect_fields(endpoints, &state.index).await?;
    field_store::remember(endpoints, &state.index, data.clone());
    Ok(keep_resolved(cache, key, state, &data))
}

/// The fields `_field_caps` lists for the pattern; one that matches nothing yet has none.
async fn detect_fields(
    endpoints: &Endpoints,
    index: &str,
) -> Result<BTreeMap<String, FieldInfo>, AppError> {
    match api::field_caps(endpoints, index).await {
        Ok(caps) => Ok(fields::from_field_caps(&caps)),
        Err(AppError::Backend { status: 404, .. }) => Ok(BTreeMap::new()),
        Err(error) => Err(error),
    }
}

/// Resolves the view's fields in `data` and keeps the result, with the panels that lack one.
fn keep_resolved(
    cache: FieldsCache,
    key: String,
    state: &ViewState,
    data: &BTreeMap<String, FieldInfo>,
) -> ResolvedFields {
    let resolved = fields::resolve(&state.fields, data);
    let missing = resolved.missing();
    cache.set(Some((key, resolved.clone(), missing)));
    resolved
}
