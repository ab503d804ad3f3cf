//! logdash's dashboard: a Leptos single-page app that reads logs through the
//! Elasticsearch API (logdash's `/es/`, or any proxy named in `config.json`).
//! All decisions live in `logdash-core`; the components here only show them.

mod api;
mod components;
mod error;
mod field_store;
pub mod investigate;
mod marks;
mod pages;
mod saved_store;
mod state;
mod timefmt;

use leptos::prelude::*;

/// The whole app: one dashboard screen, its state in the URL.
#[component]
pub fn App() -> impl IntoView {
    let view = state::use_view_state();
    provide_context(view);
    // a short link's view is read from the server before anything is asked of the cluster
    view! {
        <Show when=move || view.opened.get() fallback=|| view! { <p class="notice muted">"Opening the short link…"</p> }>
            <pages::dashboard::Dashboard />
        </Show>
    }
}
