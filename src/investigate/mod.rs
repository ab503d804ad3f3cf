//! The investigation tools, built as their own wasm module (`src/bin/investigate.rs`,
//! `logdash-investigate.js` in `dist/`) and loaded by the dashboard the first time one of
//! them opens: the dashboard's first download stays within its budget however much they
//! grow. The module mounts into the dashboard's `#investigate` box and shows the tool the
//! dashboard names ([`show`]). It reads the view from the URL as the dashboard does, and
//! changes it the same way: a new history entry, announced to the dashboard (`state`),
//! which follows it as it follows Back.

mod context;
mod details;
mod errors;
mod export;
mod field_values;
mod fields_editor;
mod keys_help;
mod patterns;
mod sampling;
mod save_file;
mod saved_queries;
mod spread;
mod trace;
mod traceback;
mod zone;

use std::cell::RefCell;

use std::collections::BTreeMap;

use leptos::prelude::*;
use logdash_core::dashboard::event_fields::handed;
use logdash_core::dashboard::fields::{from_field_caps, resolve, FieldInfo};
use logdash_core::dashboard::tail::{Row, RowFields};
use logdash_core::view::ViewState;
use wasm_bindgen::JsCast;

use crate::api;
use crate::error::AppError;
use crate::state::{use_view_state, ViewSignal};

/// The fields of the view's index pattern (`_field_caps`), read again when the pattern
/// changes; one reading for all the tools.
pub type Fields = LocalResource<Result<BTreeMap<String, FieldInfo>, AppError>>;

fn use_fields(view: ViewSignal) -> Fields {
    LocalResource::new(move || {
        let index = view.get.with(|v| v.index.clone());
        async move {
            let endpoints = api::endpoints().await;
            api::field_caps(&endpoints, &index)
                .await
                .map(|answer| from_field_caps(&answer))
        }
    })
}

/// Where a line's text and level are, as the dashboard resolves them (`None` before the
/// fields are read).
fn row_fields(state: &ViewState, fields: &Fields) -> Option<RowFields> {
    let found = fields.get()?.ok().unwrap_or_default();
    let resolved = resolve(&state.fields, &found);
    Some(RowFields {
        message: resolved.message,
        level: resolved.level.map(|level| level.name),
        tiebreaker: None,
    })
}

/// Their styles, beside the dashboard's files, and the id of the link that loads them.
const STYLES: &str = "investigate.css";
const STYLES_ID: &str = "investigate-styles";

/// What the tools show: the tool, and the line the details show.
#[derive(Clone, Copy)]
struct Shown {
    tool: RwSignal<String>,
    line: RwSignal<Option<Row>>,
}

thread_local! {
    /// What is shown, and the box the tools are mounted in.
    static MOUNTED: RefCell<Option<(Shown, web_sys::HtmlElement)>> =
        const { RefCell::new(None) };
}

/// Shows `tool` ("values", "saved", "export", "context", "trace", "patterns",
/// "errors", "zone", "details", "fields", "keys"; "" for none), mounting the tools the first time, and
/// again into a new box when the dashboard drew itself anew (a short link gone back to).
/// "details" may carry the line to show after a newline (`event_fields::handoff`).
pub fn show(tool: &str) {
    let (tool, line) = match tool.split_once('\n') {
        Some((tool, line)) => (tool, handed(line)),
        None => (tool, None),
    };
    MOUNTED.with(|mounted| {
        let mut mounted = mounted.borrow_mut();
        if !mounted
            .as_ref()
            .is_some_and(|(_, target)| target.is_connected())
        {
            *mounted = mount();
        }
        if let Some((shown, _)) = mounted.as_ref() {
            if line.is_some() {
                shown.line.set(line);
            }
            shown.tool.set(tool.to_string());
        }
    });
}

/// Mounts the tools into the dashboard's `#investigate` box (emptied of what a failed
/// load wrote there), with their styles the first time.
fn mount() -> Option<(Shown, web_sys::HtmlElement)> {
    let document = web_sys::window().and_then(|window| window.document())?;
    if document.get_element_by_id(STYLES_ID).is_none() {
        if let (Ok(link), Some(head)) = (document.create_element("link"), document.head()) {
            let _ = link.set_attribute("id", STYLES_ID);
            let _ = link.set_attribute("rel", "stylesheet");
            let _ = link.set_attribute("href", STYLES);
            let _ = head.append_child(&link);
        }
    }
    let target = html_element(&document, "investigate")?;
    target.set_text_content(None);
    let shown = Shown {
        tool: RwSignal::new(String::new()),
        line: RwSignal::new(None),
    };
    mount_to(
        target.clone(),
        move || view! { <Tools shown=shown.tool line=shown.line /> },
    )
    .forget();
    Some((shown, target))
}

/// The tool the dashboard asked for. The field sidebar and the export, once opened, stay
/// as they were while closed (an export runs on); saved queries are read again at each
/// opening.
#[component]
fn Tools(shown: RwSignal<String>, line: RwSignal<Option<Row>>) -> impl IntoView {
    let view = use_view_state();
    let fields = use_fields(view);
    let is = move |tool: &str| shown.with(|shown| shown == tool);
    let opened = move |tool: &'static str| {
        Memo::new(move |before: Option<&bool>| before.copied().unwrap_or(false) || is(tool))
    };
    let (values_opened, export_opened) = (opened("values"), opened("export"));
    view! {
        <Show when=move || values_opened.get()>
            <div class:hidden=move || !is("values")><field_values::FieldValues view fields shown=Signal::derive(move || is("values")) /></div>
        </Show>
        <Show when=move || is("saved")>
            <saved_queries::SavedQueries view on_close=Callback::new(|()| press("saved-button")) />
        </Show>
        <Show when=move || is("context")>
            <context::LineContext view />
        </Show>
        <Show when=move || is("trace")>
            <trace::RequestTrace view fields />
        </Show>
        <Show when=move || is("patterns")>
            <patterns::Patterns view fields />
        </Show>
        <Show when=move || is("errors")>
            <errors::Errors view fields />
        </Show>
        <Show when=move || is("zone")>
            <zone::ZoneChoice view />
        </Show>
        <Show when=move || is("fields")>
            <fields_editor::FieldsEditor view fields />
        </Show>
        <Show when=move || is("keys")>
            <keys_help::KeysHelp />
        </Show>
        <Show when=move || is("details")>
            {move || line.get().map(|row| view! { <details::Details row view /> })}
        </Show>
        // kept while closed: an export goes on, and its columns stay as chosen
        <Show when=move || export_opened.get()>
            <div class:hidden=move || !is("export")><export::Export view fields /></div>
        </Show>
    }
}

/// Clicks the dashboard's button with this id: the tool's own in the top bar closes it as
/// there (the dashboard holds what is open).
pub(crate) fn press(button: &str) {
    let document = web_sys::window().and_then(|window| window.document());
    if let Some(button) = document.and_then(|document| html_element(&document, button)) {
        button.click();
    }
}

/// The page's HTML element with this id.
fn html_element(document: &web_sys::Document, id: &str) -> Option<web_sys::HtmlElement> {
    document
        .get_element_by_id(id)
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
}
