//! The Patterns view: the view's messages grouped into templates (`core::patterns`),
//! mined here in the browser over a bounded sample (its size said), each template with
//! its count, share of the sample, sparkline over the range, and actions that keep only
//! its messages or leave them out.

use leptos::prelude::*;
use logdash_core::dashboard::values::percent;
use logdash_core::dashboard::visible::visible_owned;
use logdash_core::patterns::sample::NEWEST;
use logdash_core::patterns::{Miner, Pattern};

use super::sampling::{self, Sparkline};
use crate::state::ViewSignal;

/// Slices of the range in a sparkline.
const SLICES: usize = 24;
/// Templates listed.
const SHOWN: usize = 100;

/// What the view shows once mined.
#[derive(Clone)]
struct Mined {
    patterns: Vec<Pattern>,
    described: String,
    /// How long mining took in the browser.
    took_ms: f64,
}

#[component]
pub fn Patterns(
    /// The view whose messages are mined, and that the actions change.
    view: ViewSignal,
    fields: super::Fields,
) -> impl IntoView {
    let mined = LocalResource::new(move || {
        let state = view.get.get();
        let message = sampling::message_field(&state, &fields);
        async move {
            let message = message?;
            let Some(range) = state.range_at(crate::timefmt::now()) else {
                return Some(Err("the view's time range cannot be read".to_string()));
            };
            let sample = sampling::read(&state.index, &state.query, range, &[&message]).await;
            Some(sample.map(|sample| {
                let started = sampling::clock_ms();
                let mut miner = Miner::new();
                for event in &sample.events {
                    if let Some(text) = event.text(&message) {
                        miner.add(text, event.time);
                    }
                }
                let patterns = miner.patterns(&message, range, SLICES);
                Mined {
                    patterns,
                    described: sample.described(NEWEST, "message"),
                    took_ms: sampling::clock_ms() - started,
                }
            }))
        }
    });
    let filter = move |query: Option<String>| {
        if let Some(query) = query {
            view.update(|state| state.query = query);
        }
    };
    view! {
        <aside id="patterns" class="tool-view" aria-label="Log patterns">
            <header>
                <h2>"Patterns"</h2>
                <button class="close" title="Close" on:click=move |_| super::close("patterns-button")>"×"</button>
            </header>
            {move || match mined.get().flatten() {
                None => view! { <p class="muted">"mining the messages…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="error">{format!("the messages could not be read: {error}")}</p> }.into_any(),
                Some(Ok(mined)) => {
                    let count = mined.patterns.len();
                    let said = format!(
                        "{count} pattern{} in {} (mined in {:.0} ms)",
                        if count == 1 { "" } else { "s" },
                        mined.described,
                        mined.took_ms
                    );
                    view! {
                        <p id="patterns-sample" class="muted" data-mined-ms=format!("{:.1}", mined.took_ms)>{said}</p>
                        <table class="patterns">
                            <tbody>
                                {mined.patterns.into_iter().take(SHOWN).map(|pattern| {
                                    let query = view.get.with_untracked(|s| s.query.clone());
                                    let (only, without) = (pattern.only(&query), pattern.without(&query));
                                    let filters = only.is_some();
                                    view! {
                                        <tr class="pattern">
                                            <td class="spark"><Sparkline counts=pattern.sparkline /></td>
                                            <td class="template" title=visible_owned(pattern.example)>{visible_owned(pattern.template)}</td>
                                            <td class="count">{pattern.count}</td>
                                            <td class="share">{percent(pattern.share)}</td>
                                            <td class="actions">
                                                <Show when=move || filters>
                                                    <button class="only" title="only this pattern's messages" on:click={let only = only.clone(); move |_| filter(only.clone())}>"+"</button>
                                                    <button class="without" title="leave this pattern's messages out" on:click={let without = without.clone(); move |_| filter(without.clone())}>"−"</button>
                                                </Show>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
        </aside>
    }
}
