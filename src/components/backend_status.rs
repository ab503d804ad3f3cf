//! Which Elasticsearch (or the embedded store) answers, shown in the top bar.

use leptos::prelude::*;
use logdash_core::es::ClusterInfo;

use super::error_banner::ErrorBanner;
use crate::error::AppError;

/// The backend as its latest answer left it: a backend that stopped answering is shown as
/// such, not with the green dot of its last good answer; the banner under it says why.
#[component]
pub fn BackendLine(
    /// The answer to `GET /`, asked once.
    info: LocalResource<Result<ClusterInfo, AppError>>,
    /// The latest request's failure, if it failed.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let failed = move || failure(info, error);
    move || {
        if let Some(error) = failed() {
            let said = error.headline().trim_end_matches('.').to_lowercase();
            return view! { <span id="backend-down" class="backend-status down"><span class="dot"></span>{said}</span> }.into_any();
        }
        match info.get() {
            Some(Ok(info)) => view! { <BackendStatus info /> }.into_any(),
            _ => view! { <span class="backend-status muted">"connecting…"</span> }.into_any(),
        }
    }
}

/// Why the backend did not answer, when it did not.
#[component]
pub fn BackendBanner(
    info: LocalResource<Result<ClusterInfo, AppError>>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    move || {
        let error = failure(info, error)?;
        Some(view! { <ErrorBanner error /> })
    }
}

/// The backend's product, version and cluster name.
#[component]
pub fn BackendStatus(
    /// The answer to `GET /` of the Elasticsearch API.
    info: ClusterInfo,
) -> impl IntoView {
    view! {
        <span id="backend-status" class="backend-status" title=info.name.clone()>
            <span class="dot"></span>
            {info.describe()}
        </span>
    }
}

/// The latest request's failure, else the cluster's `GET /` failure, if either failed.
fn failure(
    info: LocalResource<Result<ClusterInfo, AppError>>,
    error: Signal<Option<AppError>>,
) -> Option<AppError> {
    error.get().or_else(|| info.get().and_then(Result::err))
}
