//! Says when the numbers or lines on screen leave out shards that failed or timed out.

use leptos::prelude::*;
use logdash_core::es::ShardGaps;

#[component]
pub fn ShardsNotice(
    /// What the panels' latest answer left out.
    panels: Signal<Option<ShardGaps>>,
    /// What the stream's latest answers left out.
    stream: Signal<Option<ShardGaps>>,
) -> impl IntoView {
    let lines = move || {
        let (panels, stream) = (panels.get(), stream.get());
        match (panels, stream) {
            (None, None) => Vec::new(),
            (Some(both), Some(other)) if both == other => vec![("Panels and stream", both)],
            (panels, stream) => [("Panels", panels), ("Stream", stream)]
                .into_iter()
                .filter_map(|(part, gaps)| Some((part, gaps?)))
                .collect(),
        }
    };
    move || {
        let lines = lines();
        (!lines.is_empty()).then(|| {
            view! {
                <div id="shards-notice" class="banner warn" role="status">
                    {lines.into_iter().map(|(part, gaps)| view! {
                        <p><strong>{part}": "</strong>{gaps.summary()}</p>
                    }).collect_view()}
                </div>
            }
        })
    }
}
