//! logdash's dashboard: a Leptos single-page app that reads logs through the
//! Elasticsearch API (logdash's `/es/`, or any proxy named in `config.json`).

mod api;
mod components;
mod error;
mod pages;

use leptos::prelude::*;

/// The whole app: one dashboard screen.
#[component]
pub fn App() -> impl IntoView {
    view! { <pages::dashboard::Dashboard /> }
}
