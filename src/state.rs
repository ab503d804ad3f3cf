//! The view's state lives in the URL query string: read once into a signal, written
//! back by `history.pushState`, and followed on back/forward (`popstate`). The page's
//! two wasm modules (the dashboard, and the investigation tools once loaded) each hold
//! the view this way: each change is announced ([`VIEW_CHANGED`]) and the other follows. A link's
//! parameters the view could not take become notices; a short link (`?s=<id>`) is
//! opened through the server first, the link's other parameters over it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::view::{short_id, LinkNotice, ViewState, SHORT};
use wasm_bindgen::prelude::*;

use crate::api;
use crate::error::AppError;

/// The view and how to change it (every change is a new history entry).
#[derive(Clone, Copy)]
pub struct ViewSignal {
    pub get: ReadSignal<ViewState>,
    set: WriteSignal<ViewState>,
    /// What the link that opened this view asked for and did not get.
    pub notices: RwSignal<Vec<LinkNotice>>,
    /// False while a short link is being opened.
    pub opened: RwSignal<bool>,
}

impl ViewSignal {
    /// Applies a change and records it in the URL (and the browser's history).
    /// What a drag across a chart calls: the view zoomed to the span dragged (a new
    /// history entry, so Back returns to the range before).
    pub fn zoom_callback(self) -> Callback<(i64, i64)> {
        Callback::new(move |(a, b)| {
            self.update(|state| {
                if let Some(zoomed) = state.zoomed_to(a, b) {
                    *state = zoomed;
                }
            })
        })
    }

    pub fn update(&self, change: impl FnOnce(&mut ViewState)) {
        let mut next = self.get.get_untracked();
        change(&mut next);
        if next == self.get.get_untracked() {
            return;
        }
        // set first: the announcement's own listener then finds nothing new
        self.set.set(next.clone());
        push_url(&next);
    }

    /// Opens the view a link asks for (the page's own, or one gone back to).
    fn open(self, query: String) {
        let (state, mut notices) = ViewState::read_link(&query);
        match short_id(&query) {
            None => {}
            Some(Err(notice)) => notices.insert(0, notice),
            Some(Ok(id)) => {
                self.opened.set(false);
                spawn_local(async move {
                    let endpoints = api::endpoints().await;
                    match api::open_short_link(&endpoints, &id).await {
                        // the link's own parameters override the stored view's
                        Ok(stored) => {
                            let (state, notices) =
                                ViewState::read_link(&format!("{stored}&{query}"));
                            self.set.set(state);
                            self.notices.set(notices);
                        }
                        Err(error) => {
                            let trouble = LinkNotice {
                                param: SHORT.to_string(),
                                message: format!(
                                    "the short link [{id}] could not be opened: {}",
                                    short_link_trouble(&error)
                                ),
                            };
                            self.notices.update(|n| n.insert(0, trouble));
                        }
                    }
                    self.opened.set(true);
                });
            }
        }
        self.set.set(state);
        self.notices.set(notices);
    }
}

/// The event a module sends on `window` after it wrote a new view into the URL.
const VIEW_CHANGED: &str = "logdash-view";

pub fn use_view_state() -> ViewSignal {
    let (get, set) = signal(ViewState::default());
    let view = ViewSignal {
        get,
        set,
        notices: RwSignal::new(Vec::new()),
        opened: RwSignal::new(true),
    };
    view.open(current_query());
    if let Some(window) = web_sys::window() {
        let on_pop = Closure::<dyn FnMut()>::new(move || view.open(current_query()));
        let _ =
            window.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
        // the listener lives as long as the page
        on_pop.forget();
        // the other module's change: followed unless it is this one's own
        let on_change = Closure::<dyn FnMut()>::new(move || {
            let query = current_query();
            if ViewState::read_link(&query).0 != view.get.get_untracked() {
                view.open(query);
            }
        });
        let _ = window
            .add_event_listener_with_callback(VIEW_CHANGED, on_change.as_ref().unchecked_ref());
        on_change.forget();
    }
    view
}

/// Why a short link did not open, in words.
pub fn short_link_trouble(error: &AppError) -> String {
    match error {
        error if error.means_no_api() => {
            "this dashboard is served without logdash's /api/, which keeps short links".into()
        }
        AppError::Backend { summary, .. } => summary.clone(),
        error => error.to_string(),
    }
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
    if let Ok(event) = web_sys::Event::new(VIEW_CHANGED) {
        let _ = window.dispatch_event(&event);
    }
}

/// The link to this view (for sharing), as an absolute URL.
pub fn link_to(state: &ViewState) -> String {
    link_with(&state.to_query())
}

/// This page's absolute URL with `query` as its query string.
pub fn link_with(query: &str) -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    let location = window.location();
    let base = format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default()
    );
    if query.is_empty() {
        base
    } else {
        format!("{base}?{query}")
    }
}
