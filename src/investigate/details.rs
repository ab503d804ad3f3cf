//! One event: every field as text (log content is never HTML), each value with the
//! field sidebar's actions (only events with it, events without it); the event as JSON,
//! to read or copy; a link to it that opens it in a fresh browser; its context; and the
//! lines of its request.

use leptos::prelude::*;
use logdash_core::dashboard::event_fields::event_fields;
use logdash_core::dashboard::tail::Row;
use logdash_core::dashboard::values::{with_filter, Action};
use logdash_core::dashboard::visible::{visible, visible_owned};

use crate::components::share::copy_text;
use crate::components::traceback::TracebackText;
use crate::state::{link_to, ViewSignal};
use crate::timefmt;

#[component]
pub fn Details(
    /// The event shown.
    row: Row,
    /// Minutes east of UTC for the time.
    offset: i32,
    /// The view the actions narrow.
    view: ViewSignal,
    /// Closes the panel.
    on_close: Callback<()>,
    /// Shows the events around this one.
    on_context: Callback<Row>,
    /// Shows every line of its request (or, without a request id, how to log one).
    on_trace: Callback<Row>,
) -> impl IntoView {
    let as_json = RwSignal::new(false);
    let said = RwSignal::new(None::<String>);
    let link_url = RwSignal::new(None::<String>);
    let json = serde_json::to_string_pretty(&row.source).unwrap_or_default();
    let fields = event_fields(&row.source);
    let add = move |field: String, value: String, action: Action| {
        view.update(|state| state.query = with_filter(&state.query, &field, &value, action));
    };
    let copy_json = {
        let json = json.clone();
        move |_| {
            copy_text(&json);
            said.set(Some("copied the event's JSON".into()));
        }
    };
    let (index, id, time) = (row.index.clone(), row.id.clone(), row.time);
    let this = row.clone();
    let traced = row.clone();
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
                <button class="close" on:click=move |_| on_close.run(()) title="Close (Esc)">"×"</button>
            </header>
            <div class="details-actions">
                <button id="details-json" on:click=move |_| as_json.update(|j| *j = !*j)>
                    {move || if as_json.get() { "Table" } else { "JSON" }}
                </button>
                <button id="details-copy" on:click=copy_json>"Copy JSON"</button>
                <button id="details-link" title="Copy a link that opens this event" on:click=link>"Link"</button>
                <button id="details-context" title="The events before and after it from the same source"
                    on:click=move |_| on_context.run(this.clone())>"Context"</button>
                <button id="details-trace" title="Every line of its request (by its request id)"
                    on:click=move |_| on_trace.run(traced.clone())>"Trace"</button>
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
