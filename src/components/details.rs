//! Every field of one event, as text (log content is never HTML).

use leptos::prelude::*;
use logdash_core::dashboard::tail::{text_of, Row};
use logdash_core::dashboard::visible::{visible, visible_owned};
use serde_json::Value;

use crate::timefmt;

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, inner, out);
            }
        }
        // names and values shown as the characters they hold
        other => out.push((visible(prefix).into_owned(), visible_owned(text_of(other)))),
    }
}

#[component]
pub fn Details(
    /// The event shown.
    row: Row,
    /// Minutes east of UTC for the time.
    offset: i32,
    /// Closes the panel.
    on_close: Callback<()>,
) -> impl IntoView {
    let mut fields = Vec::new();
    flatten("", &row.source, &mut fields);
    view! {
        <aside id="details" class="details" role="dialog" aria-label="event details">
            <header>
                <strong>{timefmt::full(row.time, offset)}</strong>
                <span class="muted">{format!(" {} / {}", row.index, row.id)}</span>
                <button class="close" on:click=move |_| on_close.run(()) title="Close (Esc)">"×"</button>
            </header>
            <table>
                {fields.into_iter().map(|(k, v)| view! { <tr><th>{k}</th><td>{v}</td></tr> }).collect_view()}
            </table>
        </aside>
    }
}
