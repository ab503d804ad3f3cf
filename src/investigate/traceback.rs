//! A traceback in a line's details: folded to the exception raised and how many frames
//! lead to it; unfolded, its lines, the application's own frames set apart from Python's
//! and installed packages' (`core::errors::traceback`, read line by line: this is part of
//! the dashboard's first download).

use leptos::prelude::*;
use logdash_core::dashboard::visible::visible_owned;
use logdash_core::errors::traceback::{lines, Folded, LineKind};

/// `text` as a foldable traceback, or as it is when it holds none.
#[component]
pub fn TracebackText(text: String) -> impl IntoView {
    let Some(folded) = Folded::of(&text) else {
        return visible_owned(text).into_any();
    };
    let open = RwSignal::new(false);
    let shown: Vec<(&'static str, String)> = lines(&text)
        .into_iter()
        .map(|(kind, line)| {
            let class = match kind {
                LineKind::Header => "chain",
                LineKind::AppFrame => "app",
                LineKind::LibraryFrame => "lib",
                LineKind::Code => "code",
                LineKind::Exception => "raised",
            };
            (class, visible_owned(line.trim().to_string()))
        })
        .collect();
    view! {
        <div class="traceback">
            <button class="fold-toggle" title="Show or hide the frames" on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { "▾ " } else { "▸ " }}{visible_owned(folded.shown())}
            </button>
            <Show when=move || open.get()>
                <div class="frames">
                    {shown.iter().map(|(class, line)| view! { <div class=*class>{line.clone()}</div> }).collect_view()}
                </div>
            </Show>
        </div>
    }
    .into_any()
}
