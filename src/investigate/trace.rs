//! A request's trace: the view's event (`event=<_id>`, set by the details panel's
//! "Trace") and every line that carries its request id, across services and hosts, in
//! time order, each with its offset from the request's first line (`core::trace`).

use leptos::prelude::*;
use logdash_core::dashboard::fields::missing_hint;
use logdash_core::dashboard::visible::visible_owned;
use logdash_core::trace::{request, request_id_of, Trace};
use logdash_core::view::Role;

use crate::api;
use crate::components::panels::level_class;
use crate::state::ViewSignal;
use crate::timefmt;

/// What is said of a line without a request id (a hint is shown).
const NO_ID: &str = "no request id";

/// What the trace shows once read.
#[derive(Clone)]
struct Read {
    id: String,
    trace: Trace,
}

#[component]
pub fn RequestTrace(
    /// The view whose event is the line traced, searched over its index pattern.
    view: ViewSignal,
    fields: super::Fields,
) -> impl IntoView {
    let read = LocalResource::new(move || {
        let state = view.get.get();
        let row_fields = super::row_fields(&state, &fields);
        async move {
            let (id, row_fields) = (state.event.clone()?, row_fields?);
            let endpoints = api::endpoints().await;
            let line = match api::event_by_id(&endpoints, &state.index, &id, &row_fields).await {
                Ok(Some(line)) => line,
                Ok(None) => return Some(Err(format!("no event [{id}] in [{}]", state.index))),
                Err(error) => return Some(Err(error.to_string())),
            };
            let chosen = state.fields.request_id.as_deref();
            let Some((field, request_id)) = request_id_of(&line.source, chosen) else {
                return Some(Err(NO_ID.to_string()));
            };
            let answer = api::search(
                &endpoints,
                &state.index,
                &request(&field, &request_id, line.time),
            )
            .await;
            Some(
                answer
                    .map(|answer| Read {
                        id: request_id,
                        trace: Trace::read(&answer, &row_fields),
                    })
                    .map_err(|error| error.to_string()),
            )
        }
    });
    let chosen = move || view.get.with(|state| state.event.clone());
    let offset = move || view.get.with(|s| timefmt::display_offset(&s.zone));
    view! {
        <aside id="trace" class="tool-view" aria-label="The request's lines">
            <header>
                <h2>"Request trace"</h2>
                // the dashboard closes the trace when the view has no event
                <button class="close" title="Close (Esc)" on:click=move |_| view.update(|state| state.event = None)>"×"</button>
            </header>
            {move || match read.get().flatten() {
                None => view! { <p class="muted">"reading the request's lines…"</p> }.into_any(),
                Some(Err(error)) if error == NO_ID => {
                    // which field to log, and the Python that logs it
                    missing_hint(Role::RequestId).map(|hint| view! {
                        <div id="trace-missing" class="hint">
                            <p>{format!("This line carries no request id. {}", hint.said)}</p>
                            <pre class="python">{hint.python}</pre>
                            <p class="muted">"With LogstashEcsFormatter(extra_prefix=\"\"): "<code>{hint.ecs}</code></p>
                        </div>
                    }).into_any()
                }
                Some(Err(error)) => view! { <p class="error">{error}</p> }.into_any(),
                Some(Ok(Read { id, trace })) => {
                    let (chosen, offset) = (chosen(), offset());
                    view! {
                        <p id="trace-summary" class="muted">{format!("request {}: {}", visible_owned(id), trace.summary())}</p>
                        <table id="trace-lines">
                            <tbody>
                                {trace.lines.into_iter().map(|line| {
                                    let row = line.row;
                                    let anchor = chosen.as_deref() == Some(row.id.as_str());
                                    let class = format!("level-{}", level_class(&row.level));
                                    view! {
                                        <tr class=class class:anchor=anchor>
                                            <td class="offset">{format!("+{} ms", line.offset_ms)}</td>
                                            <td class="seen">{timefmt::clock(row.time, offset)}</td>
                                            <td class="level">{row.level}</td>
                                            <td class="source">{line.source.map(visible_owned)}</td>
                                            <td class="what">{row.message}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
        </aside>
    }
}
