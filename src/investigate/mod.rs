//! The investigation tools, built as their own wasm module (`src/bin/investigate.rs`,
//! `logdash-investigate.js` in `dist/`) and loaded by the dashboard the first time they
//! are opened: the dashboard's first download stays within its budget however much they
//! grow. The module mounts into the dashboard's `#investigate` box, reads the view from
//! the URL as the dashboard does, and changes it the same way: a new history entry,
//! announced to the dashboard (`state`), which follows it as it follows Back.

mod field_values;

use wasm_bindgen::JsCast;

/// Closes the tools as their button in the dashboard's top bar does (the dashboard holds
/// whether they are open).
pub(crate) fn close(button: &str) {
    let button = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(button))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = button {
        button.click();
    }
}

/// Their styles, beside the dashboard's files.
const STYLES: &str = "investigate.css";

/// Mounts the tools into the dashboard's `#investigate` box (nothing happens without one),
/// with their styles.
pub fn mount() {
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
        leptos::mount::mount_to(target, field_values::FieldValues).forget();
    }
}
