//! The dashboard's keys, as core's map (`dashboard::keys`) says: `/` focuses the query,
//! Esc closes what is open, `j`/`k` move a selection through the stream and `o` opens it,
//! `f` follows, `[`/`]` move the range, `?` lists them all.

use leptos::html::Input;
use leptos::prelude::*;
use logdash_core::dashboard::keys::{action, step, KeyAction};
use logdash_core::dashboard::tail::{Row, Tail};
use wasm_bindgen::JsCast;

use crate::components::investigate_box::toggle;
use crate::state::ViewSignal;
use crate::timefmt;

/// A stream line, by index and `_id`.
pub type LineKey = (String, String);

/// What the keys open, close, move and focus.
pub struct Keys {
    pub view: ViewSignal,
    pub selected: RwSignal<Option<Row>>,
    /// The stream line the keys have selected.
    pub cursor: RwSignal<Option<LineKey>>,
    pub tail: StoredValue<Tail, LocalStorage>,
    /// Which investigation tool is open ("" for none).
    pub tool: RwSignal<&'static str>,
    pub follow: RwSignal<bool>,
    pub query_input: NodeRef<Input>,
}

/// Listens for the keys on the whole page, for as long as the dashboard lives.
pub fn use_keys(keys: Keys) {
    let listener = window_event_listener(leptos::ev::keydown, move |event| {
        let target = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
        let typing = target
            .as_ref()
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        let modified = event.ctrl_key() || event.alt_key() || event.meta_key();
        let Some(act) = action(&event.key(), typing, modified) else {
            return;
        };
        if act != KeyAction::Close {
            event.prevent_default();
        }
        run(&keys, act, target.filter(|_| typing));
    });
    // a dashboard drawn anew (a short link gone back to) listens once, not twice
    on_cleanup(move || listener.remove());
}

fn run(keys: &Keys, act: KeyAction, typed_in: Option<web_sys::HtmlElement>) {
    match act {
        KeyAction::Close => {
            keys.selected.set(None);
            // a linked event, once closed, leaves the view (Back opens it again)
            if keys.view.get.with_untracked(|state| state.event.is_some()) {
                keys.view.update(|state| state.event = None);
            }
            keys.tool.set("");
            if let Some(input) = typed_in {
                let _ = input.blur();
            }
        }
        KeyAction::FocusQuery => {
            if let Some(input) = keys.query_input.get_untracked() {
                let _ = input.focus();
            }
        }
        KeyAction::Help => toggle(keys.tool, "keys"),
        KeyAction::Next | KeyAction::Previous => {
            let by = if act == KeyAction::Next { 1 } else { -1 };
            let current = keys.cursor.get_untracked();
            let moved = keys.tail.with_value(|t| {
                let at = current.and_then(|(index, id)| t.position(&index, &id));
                let to = step(at, t.rows().len(), by)?;
                let row = t.rows().get(to)?;
                Some((
                    (row.index.clone(), row.id.clone()),
                    to + 1 == t.rows().len(),
                ))
            });
            if let Some((key, newest)) = moved {
                // a line the reader steps to stays put: following would move it away
                keys.follow.set(newest && keys.follow.get_untracked());
                keys.cursor.set(Some(key));
            }
        }
        KeyAction::Open => {
            let row = keys.cursor.get_untracked().and_then(|(index, id)| {
                keys.tail
                    .with_value(|t| t.rows().get(t.position(&index, &id)?).cloned())
            });
            if row.is_some() {
                keys.selected.set(row);
            }
        }
        KeyAction::ToggleFollow => keys.follow.update(|f| *f = !*f),
        KeyAction::Follow => keys.follow.set(true),
        KeyAction::Earlier | KeyAction::Later => {
            let now = timefmt::now();
            keys.view.update(|state| {
                if let Some(moved) = state.shifted(now, act == KeyAction::Later) {
                    *state = moved;
                }
            });
        }
    }
}
