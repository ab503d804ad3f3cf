//! The event open in the details panel: a line clicked or chosen with the keys, or the
//! one a link names (`event=<_id>` in the link's index, the minutes around it), read by
//! its `_id`. Closing the panel takes the linked event out of the view, so that Back
//! opens it again.

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::dashboard::tail::{Row, RowFields};
use logdash_core::view::LinkNotice;
use serde_json::json;

use crate::api;
use crate::components::details::Details;
use crate::state::ViewSignal;

#[component]
pub fn OpenEvent(
    view: ViewSignal,
    /// The event shown (`None`: the panel is closed).
    selected: RwSignal<Option<Row>>,
    /// Minutes east of UTC for its time.
    #[prop(into)]
    offset: Signal<i32>,
    /// Where a line's text comes from, as the stream last resolved it.
    fields: StoredValue<RowFields>,
) -> impl IntoView {
    Effect::new(move |_| {
        let state = view.get.get();
        let Some(id) = state.event.clone() else {
            return;
        };
        if selected.with_untracked(|row| row.as_ref().is_some_and(|row| row.id == id)) {
            return;
        }
        spawn_local(async move {
            let endpoints = api::endpoints().await;
            let body = json!({"size": 1, "query": {"ids": {"values": [id]}}});
            let answer = api::search(&endpoints, &state.index, &body).await;
            let row = answer
                .as_ref()
                .ok()
                .and_then(|answer| Row::of_hit(&answer["hits"]["hits"][0], &fields.get_value()));
            // still the view that asked
            if view
                .get
                .with_untracked(|now| now.event.as_ref() != Some(&id))
            {
                return;
            }
            match row {
                Some(row) => selected.set(Some(row)),
                None => view.notices.update(|notices| {
                    let why = match answer {
                        Err(error) => format!("the linked event could not be read: {error}"),
                        Ok(_) => format!("no event [{id}] in [{}]", state.index),
                    };
                    notices.push(LinkNotice::new("event", why));
                }),
            }
        });
    });
    let close = Callback::new(move |()| {
        selected.set(None);
        if view.get.with_untracked(|state| state.event.is_some()) {
            view.update(|state| state.event = None);
        }
    });
    move || {
        selected
            .get()
            .map(|row| view! { <Details row offset=offset.get() view on_close=close /> })
    }
}
