//! The Errors view: the view's error events (a traceback or an exception type, in either
//! python-logstash-async layout) grouped by exception type and innermost application
//! frame (`core::errors`): count, first and last seen, sparkline, latest message. A
//! group's row keeps only its events.

use leptos::prelude::*;
use logdash_core::dashboard::visible::visible_owned;
use logdash_core::errors::{errors_search, groups, source_fields};
use logdash_core::patterns::sample::ERRORS;
use logdash_core::view::{Match, Pill};

use super::sampling::{use_made, Recipe, Sparkline};
use crate::state::ViewSignal;
use crate::timefmt;

/// Slices of the range in a sparkline.
const SLICES: usize = 24;

#[component]
pub fn Errors(
    /// The view whose errors are grouped, and that a group's row changes.
    view: ViewSignal,
    fields: super::Fields,
) -> impl IntoView {
    let grouped = use_made(
        view,
        fields,
        Recipe {
            search: errors_search,
            fields: source_fields,
            size: ERRORS,
            noun: "error",
            make: |sample, message, range| groups(&sample.events, message, range, SLICES),
        },
    );
    let offset = move || view.get.with(|s| timefmt::display_offset(&s.zone));
    view! {
        <aside id="errors" class="tool-view" aria-label="Errors">
            <header>
                <h2>"Errors"</h2>
                <button class="close" title="Close" on:click=move |_| super::press("errors-button")>"×"</button>
            </header>
            {move || match grouped.get().flatten() {
                None => view! { <p class="muted">"grouping the errors…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="error">{format!("the errors could not be read: {error}")}</p> }.into_any(),
                Some(Ok(grouped)) if grouped.made.is_empty() => view! {
                    <p id="errors-sample" class="muted">"No errors in this view: no event has a traceback or an exception type."</p>
                }.into_any(),
                Some(Ok(grouped)) => {
                    let said = grouped.said(grouped.made.len(), "group", "grouped");
                    let offset = offset();
                    view! {
                        <p id="errors-sample" class="muted" data-grouped-ms=format!("{:.1}", grouped.took_ms)>{said}</p>
                        <table class="error-groups">
                            <thead><tr><th></th><th>"error"</th><th>"count"</th><th>"first seen"</th><th>"last seen"</th></tr></thead>
                            <tbody>
                                {grouped.made.into_iter().map(|group| {
                                    let clause = group.clause.clone();
                                    let keep = move |_| view.update(|state| state.add_pill(Pill::new(Match::Query(clause.clone()), false)));
                                    view! {
                                        <tr class="error-group" title="Only this group's events" on:click=keep>
                                            <td class="spark"><Sparkline counts=group.sparkline /></td>
                                            <td class="what">
                                                <strong class="kind">{visible_owned(group.kind)}</strong>
                                                {group.frame.map(|frame| view! { <span class="frame">{format!(" at {}", visible_owned(frame))}</span> })}
                                                <div class="latest">{visible_owned(group.latest)}</div>
                                            </td>
                                            <td class="count">{group.count}</td>
                                            <td class="seen">{timefmt::full(group.first, offset)}</td>
                                            <td class="seen">{timefmt::full(group.last, offset)}</td>
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
