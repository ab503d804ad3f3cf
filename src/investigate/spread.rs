//! A number or date field's spread under its top values: a small histogram over the
//! view's query and range (`core::dashboard::spread`), each bar titled with its bucket
//! and count.

use leptos::prelude::*;
use leptos::task::spawn_local;
use logdash_core::dashboard::spread::{self, Bar, Shape};

use crate::api;
use crate::state::ViewSignal;

/// The tallest bar (the box's height in `investigate.css`).
const HEIGHT_PX: u64 = 48;

#[component]
pub fn Spread(
    /// The view whose events are counted.
    view: ViewSignal,
    /// The field, and the shape of its values.
    field: String,
    shape: Shape,
    /// Whether the sidebar is open: closed, it asks nothing.
    shown: Signal<bool>,
) -> impl IntoView {
    // the bars, and what the two ends of the spread are labelled
    let bars = RwSignal::new(None::<(Vec<Bar>, (String, String))>);
    Effect::new(move |_| {
        let state = view.get.get();
        if !shown.get() {
            return;
        }
        let field = field.clone();
        bars.set(None);
        spawn_local(async move {
            let Some((from, to)) = state.range_at(crate::timefmt::now()) else {
                return;
            };
            let endpoints = api::endpoints().await;
            let body = spread::request(shape, &field, &state.search(), from, to);
            let Ok(answer) = api::search(&endpoints, &state.index, &body).await else {
                return; // the top values above say what went wrong
            };
            let spread = if shape == Shape::Number {
                let Some(body) = spread::number_request(&answer, &field, &state.search(), from, to)
                else {
                    return;
                };
                let Ok(histogram) = api::search(&endpoints, &state.index, &body).await else {
                    return;
                };
                spread::number_bars(&answer, &histogram)
            } else {
                let dates = spread::bars(&answer);
                let ends = match (dates.first(), dates.last()) {
                    (Some(first), Some(last)) => (first.shown.clone(), last.shown.clone()),
                    _ => Default::default(),
                };
                (dates, ends)
            };
            if view.get.get_untracked() == state {
                bars.set(Some(spread));
            }
        });
    });
    move || {
        bars.get().filter(|(bars, _)| bars.len() > 1).map(|(bars, (first, last))| {
            let most = bars.iter().map(|bar| bar.count).max().unwrap_or(1).max(1);
            view! {
                <div id="field-spread" class="spread" aria-label="how the values spread">
                    {bars.into_iter().map(|bar| {
                        // set through the CSSOM: the page's CSP refuses style attributes
                        let height = format!("{}px", (bar.count * HEIGHT_PX).div_ceil(most));
                        view! { <span style:height=height title=format!("{}: {}", bar.shown, bar.count)></span> }
                    }).collect_view()}
                </div>
                <div class="spread-ends muted"><span>{first}</span><span>{last}</span></div>
            }
        })
    }
}
