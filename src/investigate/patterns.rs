//! The Patterns view: the view's messages grouped into templates (`core::patterns`),
//! mined here in the browser over a bounded sample (its size said), each template with
//! its count, share of the sample, sparkline over the range, and actions that keep only
//! its messages or leave them out.

use leptos::prelude::*;
use logdash_core::dashboard::values::percent;
use logdash_core::dashboard::visible::visible_owned;
use logdash_core::patterns::sample::{Sample, MESSAGES};
use logdash_core::patterns::{Miner, Pattern};
use logdash_core::time::EpochMillis;
use logdash_core::view::{Match, Pill};

use super::sampling::{use_made, Recipe, Sparkline};
use crate::state::ViewSignal;

/// Slices of the range in a sparkline.
const SLICES: usize = 24;
/// Templates listed.
const SHOWN: usize = 100;

#[component]
pub fn Patterns(
    /// The view whose messages are mined, and that the actions change.
    view: ViewSignal,
    fields: super::Fields,
) -> impl IntoView {
    let mined = use_made(
        view,
        fields,
        Recipe {
            // only events with a message: the shares and the sample's count are of the same
            search: |search, message| {
                let mut narrowed = search.clone();
                narrowed
                    .pills
                    .push(Pill::new(Match::Exists(message.to_string()), false));
                narrowed
            },
            fields: |message| vec![message],
            size: MESSAGES,
            noun: "message",
            make: mine,
        },
    );
    let filter = move |pill: Option<Pill>| {
        if let Some(pill) = pill {
            view.update(|state| state.add_pill(pill));
        }
    };
    view! {
        <aside id="patterns" class="tool-view" aria-label="Log patterns">
            <header>
                <h2>"Patterns"</h2>
                <button class="close" title="Close" on:click=move |_| super::press("patterns-button")>"×"</button>
            </header>
            {move || match mined.get().flatten() {
                None => view! { <p class="muted">"mining the messages…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="error">{format!("the messages could not be read: {error}")}</p> }.into_any(),
                Some(Ok(mined)) => {
                    let said = mined.said(mined.made.len(), "pattern", "mined");
                    view! {
                        <p id="patterns-sample" class="muted" data-mined-ms=format!("{:.1}", mined.took_ms)>{said}</p>
                        <table class="patterns">
                            <tbody>
                                {mined.made.into_iter().take(SHOWN).map(|pattern| {
                                    let (only, without) = (pattern.pill(false), pattern.pill(true));
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

/// The sample's messages mined into templates.
fn mine(sample: &Sample, message: &str, range: (EpochMillis, EpochMillis)) -> Vec<Pattern> {
    let mut miner = Miner::new();
    for event in &sample.events {
        if let Some(text) = event.text(message) {
            miner.add(text, event.time);
        }
    }
    miner.patterns(message, range, SLICES)
}
