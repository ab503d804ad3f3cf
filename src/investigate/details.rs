//! One event: every field as text (log content is never HTML), each value with the
//! field sidebar's actions (only events with it, events without it); the event as JSON,
//! to read or copy; a link to it that opens it in a fresh browser; its context; and the
//! lines of its request. Part of the tools' module: the dashboard hands it the line
//! clicked (`core::dashboard::event_fields::handoff`), and its buttons press the
//! dashboard's own (closing, the context, the trace), which holds what is open.

use leptos::prelude::*;
use logdash_core::dashboard::event_fields::event_fields;
use logdash_core::dashboard::tail::Row;
use logdash_core::dashboard::values::{pill, Action};
use logdash_core::dashboard::visible::{visible, visible_owned};

use super::traceback::TracebackText;
use crate::components::share::copy_text;
use crate::state::{link_to, ViewSignal};
use crate::timefmt;

/// The dashboard's buttons for what the details open and close: it holds the line open
/// and the tool shown.
const CLOSE: &str = "details-close";
const CONTEXT: &str = "details-open-context";
const TRACE: &str = "details-open-trace";

#[component]
pub fn Details(
    /// The event shown.
    row: Row,
    /// The view the actions narrow.
    view: ViewSignal,
) -> impl IntoView {
    let offset = view
        .get
        .with_untracked(|state| timefmt::display_offset(&state.zone));
    let as_json = RwSignal::new(false);
    let said = RwSignal::new(None::<String>);
    let link_url = RwSignal::new(None::<String>);
    let json = serde_json::to_string_pretty(&row.source).unwrap_or_default();
    let fields = event_fields(&row.source);
    let add = move |field: String, value: String, action: Action| {
        view.update(|state| state.add_pill(pill(&field, &value, action)));
    };
    let copy_json = {
        let json = json.clone();
        move |_| {
            copy_text(&json);
            said.set(Some("copied the event's JSON".into()));
        }
    };
    let (index, id, time) = (row.index.clone(), row.id.clone(), row.time);
    let link = move |_| {
        let url = link_to(&view.get.get_untracked().event_link(&index, &id, time));
        copy_text(&url);
        said.set(Some("copied a link to this event".into()));
        link_url.set(Some(url));
    };
    view! {
        <aside id="details" class="details" role="dialog" aria-label="event details">
            <header>
                <strong>{timefmt::full(row.time, offset)}</strong>
                <span class="muted">{format!(" {} / {}", visible(&row.index), visible(&row.id))}</span>
                <button class="close" on:click=move |_| super::press(CLOSE) title="Close (Esc)">"×"</button>
            </header>
            <div class="details-actions">
                <button id="details-json" on:click=move |_| as_json.update(|j| *j = !*j)>
                    {move || if as_json.get() { "Table" } else { "JSON" }}
                </button>
                <button id="details-copy" on:click=copy_json>"Copy JSON"</button>
                <button id="details-link" title="Copy a link that opens this event" on:click=link>"Link"</button>
                <button id="details-context" title="The events before and after it from the same source"
                    on:click=move |_| super::press(CONTEXT)>"Context"</button>
                <button id="details-trace" title="Every line of its request (by its request id)"
                    on:click=move |_| super::press(TRACE)>"Trace"</button>
                <span id="details-said" class="muted">{move || said.get()}</span>
            </div>
            {move || link_url.get().map(|url| view! {
                <input id="details-link-url" readonly prop:value=url />
            })}
            <Show when=move || as_json.get() fallback=move || {
                let fields = fields.clone();
                view! {
                    <table>
                        {fields.into_iter().map(|field| {
                            let actions = field.filter.map(|value| {
                                let (name, value_too) = (field.name.clone(), value.clone());
                                let name_too = field.name.clone();
                                view! {
                                    <button class="only" title="only events with this value"
                                        on:click=move |_| add(name.clone(), value.clone(), Action::Only)>"+"</button>
                                    <button class="without" title="events without this value"
                                        on:click=move |_| add(name_too.clone(), value_too.clone(), Action::Without)>"−"</button>
                                }
                            });
                            view! {
                                <tr>
                                    <th>{visible_owned(field.name)}</th>
                                    <td><TracebackText text=field.text /></td>
                                    <td class="actions">{actions}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </table>
                }
            }>
                <pre id="details-source">{visible_owned(json.clone())}</pre>
            </Show>
        </aside>
    }
}
