//! The one way the dashboard shows an error: a banner that says what was wrong.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn ErrorBanner(
    /// What went wrong.
    error: AppError,
) -> impl IntoView {
    view! {
        <div id="error-banner" class="banner" role="alert">
            <strong>{error.headline()}" "</strong>
            {error.to_string()}
        </div>
    }
}
