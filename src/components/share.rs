//! "Share": copies a link to the view (its range as it is, or pinned to absolute times),
//! and offers a short link (`?s=<id>`, kept by the server) for chat.

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::view::{ViewState, SHORT};

use crate::api;
use crate::state::{link_to, link_with, short_link_trouble};

/// What "Share" copied last, and the view it links to.
#[derive(Clone, Copy)]
pub struct Shared {
    link: RwSignal<Option<String>>,
    view: StoredValue<Option<ViewState>>,
    trouble: RwSignal<Option<String>>,
}

impl Shared {
    /// Copies the link to `view` and shows it.
    pub fn copy(&self, view: ViewState) {
        let link = link_to(&view);
        self.view.set_value(Some(view));
        self.trouble.set(None);
        copy_text(&link);
        self.link.set(Some(link));
    }

    /// Asks the server for a short link to the view shared last, then copies that.
    fn shorten(self) {
        let Some(view) = self.view.get_value() else {
            return;
        };
        spawn_local(async move {
            let endpoints = api::endpoints().await;
            match api::short_link(&endpoints, &view.to_query()).await {
                Ok(id) => {
                    let link = link_with(&format!("{SHORT}={id}"));
                    copy_text(&link);
                    self.link.set(Some(link));
                }
                Err(error) => self.trouble.set(Some(format!(
                    "No short link: {}",
                    short_link_trouble(&error)
                ))),
            }
        });
    }
}

pub fn use_share() -> Shared {
    Shared {
        link: RwSignal::new(None),
        view: StoredValue::new(None),
        trouble: RwSignal::new(None),
    }
}

/// The link copied last, with the offer of a short one.
#[component]
pub fn ShareNotice(shared: Shared) -> impl IntoView {
    move || {
        shared.link.get().map(|link| {
            let short = link.contains(&format!("?{SHORT}="));
            view! {
                <div id="share-link" class="notice">
                    "Link copied: " <code>{link}</code>
                    <Show when=move || !short>
                        " " <button id="share-short" title="A short link, kept by this server" on:click=move |_| shared.shorten()>"Short link"</button>
                    </Show>
                    " " <button id="share-close" title="Close" on:click=move |_| shared.link.set(None)>"×"</button>
                    {move || shared.trouble.get().map(|t| view! { <p id="share-trouble" role="alert">{t}</p> })}
                </div>
            }
        })
    }
}

/// Puts `text` on the clipboard.
pub fn copy_text(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}
