//! The pushed tail: while the server offers `/api/tail` (each line as the embedded store
//! takes it, or in proxy mode from the server's one poll of the cluster), the stream takes
//! matching lines as they come instead of polling for them. Until the stream is open and
//! one poll has run after it opened (closing the gap between the first page and the
//! subscription), and whenever it fails, the stream polls as before; a server that refuses
//! it (a static host, a query only a search can decide, past its limits) leaves that view
//! polled for a minute, then it is asked again. What the server's polls of a cluster
//! leave out (`shards`) is shown as the stream's own polls' would be.

use leptos::prelude::*;
use logdash_core::dashboard::tail::{RowFields, Tail};
use logdash_core::es::ShardGaps;
use logdash_core::view::ViewState;
use serde_json::Value;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

use crate::api::Endpoints;
use crate::timefmt;

/// How the stream learns of new lines, as it says under its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Not live: a pinned range, or refresh off.
    Still,
    Polling,
    /// Each line as the embedded store takes it.
    Pushed,
    /// From the server's one poll of the cluster for every watcher of the view.
    PushedFromPoll {
        every_ms: u64,
    },
}

impl Feed {
    pub fn pushed(self) -> bool {
        matches!(self, Feed::Pushed | Feed::PushedFromPoll { .. })
    }

    /// What the stream says under its title; `refresh` is the view's, in seconds.
    pub fn said(self, refresh: u32) -> String {
        match self {
            Feed::Pushed => "pushed as events arrive".to_string(),
            Feed::PushedFromPoll { every_ms } => format!(
                "pushed from one poll of the cluster every {} s",
                every_ms as f64 / 1000.0
            ),
            Feed::Polling => format!("polled every {refresh} s"),
            Feed::Still => String::new(),
        }
    }
}

/// The stream's push connection and what the screen shows of it.
#[derive(Clone, Copy)]
pub struct Push {
    pub feed: RwSignal<Feed>,
    /// Lines the server left out because this page fell behind (the "load them" marker).
    pub skipped: RwSignal<u64>,
    /// A poll has run since the stream (re)opened: polls can stop.
    caught_up: StoredValue<bool>,
    fields: StoredValue<RowFields>,
    open: StoredValue<Option<Open>, LocalStorage>,
    /// What the server's polls of the cluster leave out of the pushed lines.
    pub gaps: RwSignal<Option<ShardGaps>>,
    /// The view whose stream the server refused, and until when it stays polled.
    refused: StoredValue<Option<(String, f64)>>,
}

/// How long a view whose stream was refused is polled before the stream is asked again
/// (the server may have room by then: its limits are on streams open at once).
const REFUSED_FOR_MS: f64 = 60_000.0;

struct Open {
    key: String,
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(MessageEvent)>>,
}

impl Drop for Open {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// The push state of the dashboard's stream.
pub fn use_push() -> Push {
    Push {
        feed: RwSignal::new(Feed::Polling),
        skipped: RwSignal::new(0),
        caught_up: StoredValue::new(false),
        fields: StoredValue::new(RowFields::default()),
        open: StoredValue::new_local(None),
        gaps: RwSignal::new(None),
        refused: StoredValue::new(None),
    }
}

impl Push {
    /// Whether the stream must poll: the push is not (yet) trusted to bring every line.
    pub fn polls(&self) -> bool {
        !self.feed.get_untracked().pushed() || !self.caught_up.get_value()
    }

    /// A poll that started while pushed has finished: later lines all come pushed.
    pub fn caught_up(&self, started_pushed: bool) {
        if started_pushed && self.feed.get_untracked().pushed() {
            self.caught_up.set_value(true);
        }
    }

    /// Stops pushing (the view is not live any more).
    pub fn stop(&self) {
        self.open.set_value(None);
        self.gaps.set(None);
        self.feed.set(Feed::Still);
    }

    /// Keeps a stream open for this view (`key` names it), opening one when the view
    /// changed. `tick` asks for a refresh: the catch-up poll after (re)opening.
    #[allow(
        clippy::too_many_arguments,
        reason = "the stream's signals, passed once"
    )]
    pub fn follow(
        &self,
        endpoints: &Endpoints,
        key: &str,
        view: &ViewState,
        fields: RowFields,
        tail: StoredValue<Tail, LocalStorage>,
        version: RwSignal<u64>,
        tick: RwSignal<u64>,
    ) {
        self.fields.set_value(fields);
        let same = self
            .open
            .with_value(|open| open.as_ref().is_some_and(|o| o.key == key));
        if same {
            return;
        }
        self.open.set_value(None);
        self.skipped.set(0);
        self.gaps.set(None);
        self.feed.set(Feed::Polling);
        let refused = self.refused.with_value(|refused| {
            refused
                .as_ref()
                .is_some_and(|(view, until)| view == key && js_sys::Date::now() < *until)
        });
        if refused {
            return;
        }
        let url = endpoints.api_url(&format!(
            "tail?index={}&q={}",
            js_sys::encode_uri_component(&view.index),
            js_sys::encode_uri_component(&view.search().lucene())
        ));
        let Ok(source) = EventSource::new(&url) else {
            return;
        };
        let push = *self;
        let view = view.clone();
        // hits wait here until the next batch is taken (see `on_hit`)
        let waiting = StoredValue::new_local(Vec::<Value>::new());
        let this_key = key.to_string();
        let on_ready = move |event: MessageEvent| {
            let ready = data(&event).unwrap_or_default();
            push.feed.set(match ready["every_ms"].as_u64() {
                Some(every_ms) => Feed::PushedFromPoll { every_ms },
                None => Feed::Pushed,
            });
            push.caught_up.set_value(false);
            tick.update(|t| *t += 1);
        };
        // at a thousand lines a second, the tail takes them in batches, each with its redraw
        // in the same task: the list never holds lines it has not drawn (the reader's place
        // is kept by the rows drawn). A timer, not an animation frame: a hidden tab gets no
        // frames, and the lines would pile up.
        let on_hit = move |event: MessageEvent| {
            let Some(hit) = data(&event) else { return };
            waiting.update_value(|w| w.push(hit));
            if waiting.with_value(Vec::len) > 1 {
                return; // a batch is already due
            }
            let (view, key) = (view.clone(), this_key.clone());
            set_timeout(
                move || {
                    let hits = waiting.try_update_value(std::mem::take).unwrap_or_default();
                    // the view changed meanwhile: these lines belong to another stream
                    if !push
                        .open
                        .with_value(|o| o.as_ref().is_some_and(|o| o.key == key))
                    {
                        return;
                    }
                    let from = view
                        .range_at(timefmt::now())
                        .map_or(i64::MIN, |(from, _)| from);
                    let added = push.fields.with_value(|fields| {
                        tail.try_update_value(|t| {
                            hits.iter().filter(|hit| t.push(hit, fields, from)).count()
                        })
                        .unwrap_or(0)
                    });
                    if added > 0 {
                        version.update(|v| *v += 1);
                    }
                },
                std::time::Duration::from_millis(16),
            );
        };
        // the server's poll of the cluster left shards out, or no longer does
        let on_shards = move |event: MessageEvent| {
            push.gaps
                .set(data(&event).and_then(|answer| ShardGaps::of(&answer)));
        };
        let on_skipped = move |event: MessageEvent| {
            let skipped = data(&event).and_then(|d| d["skipped"].as_u64());
            push.skipped.update(|n| *n += skipped.unwrap_or(0));
        };
        // the server forgot lines after the last one this page saw: start the view anew
        let on_gap = move |_: MessageEvent| {
            tail.update_value(Tail::clear);
            version.update(|v| *v += 1);
            push.caught_up.set_value(false);
            tick.update(|t| *t += 1);
        };
        let refused_key = key.to_string();
        let on_error = move |event: MessageEvent| {
            let closed = event
                .target()
                .and_then(|t| t.dyn_into::<EventSource>().ok())
                .is_none_or(|s| s.ready_state() == EventSource::CLOSED);
            if closed {
                // refused, not dropped: the browser will not retry; this view is polled and
                // asked again after a while (the connection is let go after this call: its
                // listeners are running)
                let until = js_sys::Date::now() + REFUSED_FOR_MS;
                push.refused.set_value(Some((refused_key.clone(), until)));
                set_timeout(move || push.open.set_value(None), std::time::Duration::ZERO);
            }
            // dropped: the browser reconnects (resuming after the last line); poll meanwhile
            push.feed.set(Feed::Polling);
        };
        let mut listeners = Vec::new();
        for (name, listener) in [
            ("ready", Box::new(on_ready) as Box<dyn FnMut(MessageEvent)>),
            ("hit", Box::new(on_hit)),
            ("skipped", Box::new(on_skipped)),
            ("gap", Box::new(on_gap)),
            ("shards", Box::new(on_shards)),
            ("error", Box::new(on_error)),
        ] {
            let closure = Closure::wrap(listener);
            let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            listeners.push(closure);
        }
        self.open.set_value(Some(Open {
            key: key.to_string(),
            source,
            _listeners: listeners,
        }));
    }

    /// "Load them": a poll reads the lines the server left out.
    pub fn load_skipped(&self, tick: RwSignal<u64>) {
        self.skipped.set(0);
        self.caught_up.set_value(false);
        tick.update(|t| *t += 1);
    }
}

fn data(event: &MessageEvent) -> Option<Value> {
    serde_json::from_str(&event.data().as_string()?).ok()
}
