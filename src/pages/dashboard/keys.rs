//! The dashboard's keys: / focuses the query, Esc closes what is open, ? lists the keys,
//! End resumes following the stream.

use leptos::html::Input;
use leptos::prelude::*;
use logdash_core::dashboard::tail::Row;
use wasm_bindgen::JsCast;

/// What the keys open, close and focus.
pub struct Keys {
    pub selected: RwSignal<Option<Row>>,
    pub show_help: RwSignal<bool>,
    pub show_fields: RwSignal<bool>,
    /// Which investigation tool is open ("" for none).
    pub tool: RwSignal<&'static str>,
    pub follow: RwSignal<bool>,
    pub query_input: NodeRef<Input>,
}

/// Listens for the keys on the whole page, for as long as it lives.
pub fn use_keys(keys: Keys) {
    let Keys {
        selected,
        show_help,
        show_fields,
        tool,
        follow,
        query_input,
    } = keys;
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_key = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
        move |event: web_sys::KeyboardEvent| {
            let typing = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
            match event.key().as_str() {
                "Escape" => {
                    selected.set(None);
                    show_help.set(false);
                    show_fields.set(false);
                    tool.set("");
                }
                "/" if !typing => {
                    event.prevent_default();
                    if let Some(input) = query_input.get_untracked() {
                        let _ = input.focus();
                    }
                }
                "?" if !typing => show_help.update(|s| *s = !*s),
                "End" if !typing => follow.set(true),
                _ => {}
            }
        },
    );
    let _ = window.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    on_key.forget();
}

/// The list of keys (`?`).
#[component]
pub fn KeysHelp() -> impl IntoView {
    view! {
        <aside id="help" class="details">
            <header><strong>"Keys"</strong></header>
            <table>
                <tr><th>"/"</th><td>"focus the query box"</td></tr>
                <tr><th>"Enter"</th><td>"run the query"</td></tr>
                <tr><th>"Esc"</th><td>"close details"</td></tr>
                <tr><th>"End"</th><td>"resume following the stream"</td></tr>
                <tr><th>"?"</th><td>"show these keys"</td></tr>
            </table>
        </aside>
    }
}
