//! The embed API in the page: a portal framing this view (`embed=1`) may change it with
//! `postMessage` and is told when it changes or a line is selected. Only origins the
//! server's `--frame-ancestors` allows are heard or told (core's `embed` decides).

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::dashboard::tail::Row;
use logdash_core::embed::{self, Inbound, Origins};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::api;
use crate::state::ViewSignal;

/// Who may talk to this view, and the portal that framed it once known.
#[derive(Clone)]
struct Portal {
    origins: Origins,
    parent: Option<String>,
}

/// Listens to and tells the portal framing this page, when the view is embedded.
pub fn use_embed(view: ViewSignal, selected: RwSignal<Option<Row>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let framed = window
        .parent()
        .ok()
        .flatten()
        .is_some_and(|parent| JsValue::from(parent) != JsValue::from(window.clone()));
    if !framed || !view.get.with_untracked(|s| s.embed) {
        return;
    }
    let portal = StoredValue::new(None::<Portal>);
    spawn_local(async move {
        let endpoints = api::endpoints().await;
        let Some(window) = web_sys::window() else {
            return;
        };
        let own = window.location().origin().unwrap_or_default();
        let origins = Origins::new(&endpoints.frame_ancestors, &own);
        // the framing page's origin, where the browser says it (Chromium, Safari)
        let parent = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into())
            .and_then(|list| js_sys::Reflect::get(&list, &0.into()))
            .ok()
            .and_then(|origin| origin.as_string())
            .filter(|origin| origins.allows(origin));
        portal.set_value(Some(Portal { origins, parent }));
        tell(portal, &embed::ready());
        tell(portal, &view.get.with_untracked(embed::view_changed));
        tell_size(portal);
    });

    let listener =
        window_event_listener(leptos::ev::message, move |event: web_sys::MessageEvent| {
            let origin = event.origin();
            let allowed =
                portal.with_value(|p| p.as_ref().is_some_and(|p| p.origins.allows(&origin)));
            if !allowed {
                return; // not a portal that may frame this view: not heard, not answered
            }
            let text = js_sys::JSON::stringify(&event.data())
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            let Some(message) = embed::read(&text) else {
                return;
            };
            portal.update_value(|p| {
                if let Some(p) = p {
                    p.parent = Some(origin);
                }
            });
            let result = message.and_then(|Inbound::Set(set)| set.apply(&view.get.get_untracked()));
            match result {
                Ok(next) => view.update(|state| *state = next),
                Err(reason) => tell(portal, &embed::refused(&reason)),
            }
        });
    // the dashboard drawn anew (a short link gone back to) hears each message once
    on_cleanup(move || listener.remove());

    // the portal sizes its frame to the view: told each time the page's height changes
    let on_resize = Closure::<dyn FnMut()>::new(move || tell_size(portal));
    if let (Ok(observer), Some(body)) = (
        web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()),
        window.document().and_then(|d| d.body()),
    ) {
        observer.observe(&body);
        // the observer watches as long as the page lives
        std::mem::forget(observer);
    }
    on_resize.forget();

    Effect::new(move |first: Option<()>| {
        let told = view.get.with(embed::view_changed);
        if first.is_some() {
            tell(portal, &told);
        }
    });
    Effect::new(move |_| {
        if let Some(row) = selected.get() {
            tell(portal, &embed::line_selected(&row));
        }
    });
}

/// Tells the portal the page's height, when it is known and has changed.
fn tell_size(portal: StoredValue<Option<Portal>>) {
    thread_local! {
        static TOLD: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    let height = body.get_bounding_client_rect().height().ceil() as u32;
    if height == 0 || height == TOLD.get() || portal.with_value(Option::is_none) {
        return;
    }
    TOLD.set(height);
    tell(portal, &embed::size(height));
}

/// What an embedded view shows, in a line: a portal's readers see the query and range
/// that the missing top bar would have shown.
#[component]
pub fn EmbedView() -> impl IntoView {
    let view = expect_context::<ViewSignal>();
    let said = move || {
        view.get.with(|state| {
            let query = match state.search().lucene() {
                query if query.is_empty() => "all events".to_string(),
                query => query,
            };
            format!("{query} · {} · {}", state.index, state.range_label())
        })
    };
    view! { <span id="embed-view" class="embed-view">{said}</span> }
}

/// Posts `message` to the portal: to its origin once known, else to each origin that may
/// frame this view (the browser drops it for any other).
fn tell(portal: StoredValue<Option<Portal>>, message: &Value) {
    let Some(Portal { origins, parent }) = portal.get_value() else {
        return;
    };
    let Some(target) = web_sys::window().and_then(|w| w.parent().ok().flatten()) else {
        return;
    };
    let Ok(data) = js_sys::JSON::parse(&message.to_string()) else {
        return;
    };
    match parent {
        Some(origin) => {
            let _ = target.post_message(&data, &origin);
        }
        None => {
            for origin in origins.exact() {
                let _ = target.post_message(&data, origin);
            }
        }
    }
}
