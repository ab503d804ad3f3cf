//! Which Elasticsearch (or the embedded store) answers, shown in the top bar.

use leptos::prelude::*;
use logdash_core::es::ClusterInfo;

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
