//! How fresh the view is: the status line's "updated … · newest event … old · arrived …
//! after it was logged", and the stream's note when lines arrive seconds late
//! (`core::dashboard::lag`).

use leptos::prelude::*;
use logdash_core::dashboard::lag::{freshness, held_back_note, Arrivals};
use logdash_core::dashboard::tail::Tail;

use crate::timefmt;

/// How long after it was logged the newest live line arrived (`None` until one has).
pub fn use_arrivals(
    tail: StoredValue<Tail, LocalStorage>,
    tail_version: RwSignal<u64>,
    tail_key: StoredValue<String>,
) -> Signal<Option<i64>> {
    let arrivals = RwSignal::new(Arrivals::default());
    Effect::new(move |_| {
        let _ = tail_version.get();
        let newest = tail.with_value(Tail::newest);
        let view = tail_key.get_value();
        arrivals.update(|a| a.saw(&view, newest, timefmt::now()));
    });
    Signal::derive(move || arrivals.with(|a| a.behind_ms))
}

/// The status line's freshness.
#[component]
pub fn Freshness(
    /// When the panels were last updated.
    last_updated: RwSignal<Option<i64>>,
    tail: StoredValue<Tail, LocalStorage>,
    tail_version: RwSignal<u64>,
    #[prop(into)] offset: Signal<i32>,
    behind: Signal<Option<i64>>,
) -> impl IntoView {
    let said = move || {
        let updated = last_updated.get()?;
        let _ = tail_version.get();
        let age = tail.with_value(Tail::newest).map(|newest| updated - newest);
        Some(freshness(
            &timefmt::clock(updated, offset.get()),
            age,
            behind.get(),
        ))
    };
    view! { <span id="freshness" class="muted">{said}</span> }
}

/// The stream's note when lines arrive seconds after they were logged.
#[component]
pub fn HeldBackNote(behind: Signal<Option<i64>>) -> impl IntoView {
    move || {
        held_back_note(behind.get())
            .map(|note| view! { <p id="stream-held-back" class="hint">{note}</p> })
    }
}
