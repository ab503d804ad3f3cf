//! The view's state lives in the URL query string: read once into a signal, written
//! back by `history.pushState`, and followed on back/forward (`popstate`).

use leptos::prelude::*;
use logdash_core::view::ViewState;
use wasm_bindgen::prelude::*;

/// The view and how to change it (every change is a new history entry).
#[derive(Clone, Copy)]
pub struct ViewSignal {
    pub get: ReadSignal<ViewState>,
    set: WriteSignal<ViewState>,
}

impl ViewSignal {
    /// Applies a change and records it in the URL (and the browser's history).
    pub fn update(&self, change: impl FnOnce(&mut ViewState)) {
        let mut next = self.get.get_untracked();
        change(&mut next);
        if next == self.get.get_untracked() {
            return;
        }
        push_url(&next);
        self.set.set(next);
    }
}

pub fn use_view_state() -> ViewSignal {
    let (get, set) = signal(ViewState::from_query(&current_query()));
    if let Some(window) = web_sys::window() {
        let on_pop =
            Closure::<dyn FnMut()>::new(move || set.set(ViewState::from_query(&current_query())));
        let _ =
            window.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
        // the listener lives as long as the page
        on_pop.forget();
    }
    ViewSignal { get, set }
}

pub fn current_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

fn push_url(state: &ViewState) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let query = state.to_query();
    let path = window.location().pathname().unwrap_or_else(|_| "/".into());
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    if let Ok(history) = window.history() {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The link to this view (for sharing), as an absolute URL.
pub fn link_to(state: &ViewState) -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    let location = window.location();
    let base = format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default()
    );
    let query = state.to_query();
    if query.is_empty() {
        base
    } else {
        format!("{base}?{query}")
    }
}
