//! The investigation tools, built as their own wasm module (`src/bin/investigate.rs`,
//! `logdash-investigate.js` in `dist/`) and loaded by the dashboard the first time one of
//! them opens: the dashboard's first download stays within its budget however much they
//! grow. The module mounts into the dashboard's `#investigate` box and shows the tool the
//! dashboard names ([`show`]). It reads the view from the URL as the dashboard does, and
//! changes it the same way: a new history entry, announced to the dashboard (`state`),
//! which follows it as it follows Back.

mod field_values;
mod saved_queries;

use std::cell::OnceCell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::state::use_view_state;

/// Their styles, beside the dashboard's files.
const STYLES: &str = "investigate.css";

thread_local! {
    /// The tool shown, once the tools are mounted.
    static SHOWN: OnceCell<RwSignal<String>> = const { OnceCell::new() };
}

/// Shows `tool` ("values", "saved"; "" for none), mounting the tools the first time.
pub fn show(tool: &str) {
    SHOWN.with(|shown| {
        shown
            .get_or_init(|| {
                let shown = RwSignal::new(String::new());
                mount(shown);
                shown
            })
            .set(tool.to_string());
    });
}

/// Mounts the tools into the dashboard's `#investigate` box, with their styles.
fn mount(shown: RwSignal<String>) {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    if let (Ok(link), Some(head)) = (document.create_element("link"), document.head()) {
        let _ = link.set_attribute("rel", "stylesheet");
        let _ = link.set_attribute("href", STYLES);
        let _ = head.append_child(&link);
    }
    let target = document
        .get_element_by_id("investigate")
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(target) = target {
        mount_to(target, move || view! { <Tools shown /> }).forget();
    }
}

/// The tool the dashboard asked for. The field sidebar, once opened, stays as it was
/// (its field and values) while closed; saved queries are read again at each opening.
#[component]
fn Tools(shown: RwSignal<String>) -> impl IntoView {
    let view = use_view_state();
    let is = move |tool: &str| shown.with(|shown| shown == tool);
    let values_opened =
        Memo::new(move |before: Option<&bool>| before.copied().unwrap_or(false) || is("values"));
    view! {
        <Show when=move || values_opened.get()>
            <div class:hidden=move || !is("values")><field_values::FieldValues view /></div>
        </Show>
        <Show when=move || is("saved")>
            <saved_queries::SavedQueries view on_close=Callback::new(|()| close("saved-button")) />
        </Show>
    }
}

/// Closes the tool as its button in the dashboard's top bar does (the dashboard holds
/// which tool is open).
pub(crate) fn close(button: &str) {
    let button = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(button))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = button {
        button.click();
    }
}
