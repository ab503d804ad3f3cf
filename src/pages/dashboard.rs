//! The dashboard screen: the top bar with the backend's status, then the panels.

use leptos::prelude::*;

use crate::api;
use crate::components::backend_status::BackendStatus;
use crate::components::error_banner::ErrorBanner;

#[component]
pub fn Dashboard() -> impl IntoView {
    let info = LocalResource::new(|| async {
        let endpoints = api::endpoints().await;
        api::cluster_info(&endpoints).await
    });
    let status = move || match info.get() {
        None => view! { <span class="backend-status muted">"connecting…"</span> }.into_any(),
        Some(Ok(info)) => view! { <BackendStatus info /> }.into_any(),
        Some(Err(_)) => view! { <span class="backend-status muted">"no backend"</span> }.into_any(),
    };
    let banner = move || match info.get() {
        Some(Err(error)) => Some(view! { <ErrorBanner error /> }),
        _ => None,
    };
    view! {
        <header class="topbar">
            <span class="brand">"logdash"</span>
            {status}
        </header>
        {banner}
        <main></main>
    }
}
