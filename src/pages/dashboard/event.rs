//! The event open in the details panel: a line clicked or chosen with the keys, or the
//! one a link names (`event=<_id>` in the link's index, the minutes around it), read by
//! its `_id`. The panel is the tools' `details` (their module shows it; this hands it
//! the line and keeps the buttons it presses). Closing the panel takes the linked event
//! out of the view, so that Back opens it again. "Context" shows the events around it
//! (the tools' `context`), "Trace" its request's lines (the tools' `trace`); both
//! follow the view's event too.

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::dashboard::tail::{Row, RowFields};
use logdash_core::view::LinkNotice;

use crate::api;
use crate::components::investigate_box::show_line;
use crate::state::ViewSignal;

#[component]
pub fn OpenEvent(
    view: ViewSignal,
    /// The event shown (`None`: the panel is closed).
    selected: RwSignal<Option<Row>>,
    /// Where a line's text comes from, as the stream last resolved it.
    fields: StoredValue<RowFields>,
    /// The investigation tool open: the line's context shows the view's event too.
    tool: RwSignal<&'static str>,
) -> impl IntoView {
    // the linked event, followed when it changes only: a pill or a range changed under
    // another tool must not bring the event's details back over it
    let linked = Memo::new(move |_| view.get.with(|s| (s.index.clone(), s.event.clone())));
    Effect::new(move |_| {
        let (index, event) = linked.get();
        let Some(id) = event else {
            // the context and the trace show the view's event: without one they close
            if shows_event(tool.get_untracked()) {
                tool.set("");
            }
            return;
        };
        if shows_event(tool.get_untracked()) {
            return;
        }
        if selected.with_untracked(|row| row.as_ref().is_some_and(|row| row.id == id)) {
            return;
        }
        spawn_local(async move {
            let endpoints = api::endpoints().await;
            let answer = api::event_by_id(&endpoints, &index, &id, &fields.get_value()).await;
            // still the view that asked
            if view
                .get
                .with_untracked(|now| now.event.as_ref() != Some(&id))
            {
                return;
            }
            let why = match answer {
                Ok(Some(row)) => return selected.set(Some(row)),
                Ok(None) => format!("no event [{id}] in [{index}]"),
                Err(error) => format!("the linked event could not be read: {error}"),
            };
            view.notices
                .update(|notices| notices.push(LinkNotice::new("event", why)));
        });
    });
    let close = Callback::new(move |()| {
        selected.set(None);
        if view.get.with_untracked(|state| state.event.is_some()) {
            view.update(|state| state.event = None);
        }
    });
    // the context or the trace of the line shown: its event in the view (Back returns to
    // the details)
    let open_tool = move |name: &'static str| {
        move |_| {
            if let Some(row) = selected.get_untracked() {
                selected.set(None);
                tool.set(name);
                view.update(|state| state.event = Some(row.id));
            }
        }
    };
    // a line selected is shown by the tools; another tool opened (or Esc) closes it
    Effect::new(move |_| match selected.get() {
        Some(row) => {
            show_line(&row);
            tool.set(DETAILS);
        }
        None if tool.get_untracked() == DETAILS => tool.set(""),
        None => {}
    });
    Effect::new(move |_| {
        if tool.get() != DETAILS && selected.with_untracked(Option::is_some) {
            selected.set(None);
        }
    });
    // the buttons the details press (hidden: the details show their own)
    view! {
        <button id="details-close" hidden on:click=move |_| close.run(())></button>
        <button id="details-open-context" hidden on:click=open_tool("context")></button>
        <button id="details-open-trace" hidden on:click=open_tool("trace")></button>
    }
}

/// The tool that shows the line selected.
const DETAILS: &str = "details";

/// Whether the tool shows the view's event rather than the details panel.
fn shows_event(tool: &str) -> bool {
    matches!(tool, "context" | "trace")
}
