//! Every shortcut of the dashboard, as core's map (`dashboard::keys`) lists them: the
//! tools' `keys`, which `?` opens and closes.

use leptos::prelude::*;
use logdash_core::dashboard::keys::SHORTCUTS;

/// The list of keys (`?`).
#[component]
pub fn KeysHelp() -> impl IntoView {
    view! {
        <aside id="help" class="details">
            <header><strong>"Keys"</strong></header>
            <table>
                {SHORTCUTS.iter().map(|(key, does)| view! { <tr><th>{*key}</th><td>{*does}</td></tr> }).collect_view()}
            </table>
        </aside>
    }
}
