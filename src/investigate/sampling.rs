//! The sample the Patterns and Errors views mine (`core::patterns::sample`): the newest
//! events of a query and range, then (when the range holds more) one `_msearch` for a
//! spread of the rest; and the tools' shared pieces: the message field and a sparkline.

use leptos::prelude::*;
use logdash_core::dashboard::fields::resolve;
use logdash_core::patterns::sample::{self, Sample, Size};
use logdash_core::time::EpochMillis;
use logdash_core::view::{Search, ViewState};

use crate::api;
use crate::state::ViewSignal;

/// The sample of `search` over `range` in `index`, with `fields` of each event's source:
/// one `_msearch`.
pub async fn read(
    index: &str,
    search: &Search,
    range: (EpochMillis, EpochMillis),
    (fields, size): (&[&str], Size),
) -> Result<Sample, String> {
    let endpoints = api::endpoints().await;
    // any seed will do: the browser's clock is random enough for choosing instants
    let seed = crate::timefmt::now() as u64 ^ 0x9e37_79b9_7f4a_7c15;
    let body = sample::body(index, search, range, fields, (size, seed));
    let answer = api::msearch(&endpoints, body)
        .await
        .map_err(|error| error.to_string())?;
    Sample::read(&answer)
}

/// What a view made of its sample: `made`, what the sample was, and how long making it
/// took in the browser.
#[derive(Clone)]
pub struct Made<T> {
    pub made: T,
    pub described: String,
    pub took_ms: f64,
}

impl<T> Made<T> {
    /// "3 patterns in all 45 messages (mined in 1 ms)": `count` of `thing` made from the
    /// sample, and how long `doing` it took.
    pub fn said(&self, count: usize, thing: &str, doing: &str) -> String {
        let s = if count == 1 { "" } else { "s" };
        format!(
            "{count} {thing}{s} in {} ({doing} in {:.0} ms)",
            self.described, self.took_ms
        )
    }
}

/// How a view samples and what it makes of the sample: its search from the view's and
/// the message field, the source fields it reads, what its events are called, and the
/// work (the sample, the message field, the range).
pub struct Recipe<T> {
    pub search: fn(&Search, &str) -> Search,
    pub fields: fn(&str) -> Vec<&str>,
    pub noun: &'static str,
    pub size: Size,
    pub make: fn(&Sample, &str, (EpochMillis, EpochMillis)) -> T,
}

/// The view's sample, read again as the view changes, and made into `T` (`None` while
/// the fields or the sample are read).
pub fn use_made<T: Clone + 'static>(
    view: ViewSignal,
    fields: super::Fields,
    recipe: Recipe<T>,
) -> LocalResource<Option<Result<Made<T>, String>>> {
    let recipe = std::rc::Rc::new(recipe);
    LocalResource::new(move || {
        let state = view.get.get();
        let message = message_field(&state, &fields);
        let recipe = recipe.clone();
        async move {
            let message = message?;
            let Some(range) = state.range_at(crate::timefmt::now()) else {
                return Some(Err("the view's time range cannot be read".to_string()));
            };
            let search = (recipe.search)(&state.search(), &message);
            let fields = (recipe.fields)(&message);
            let sample = read(&state.index, &search, range, (&fields, recipe.size)).await;
            Some(sample.map(|sample| {
                let started = clock_ms();
                let made = (recipe.make)(&sample, &message, range);
                Made {
                    made,
                    described: sample.described(recipe.size.newest, recipe.noun),
                    took_ms: clock_ms() - started,
                }
            }))
        }
    })
}

/// The view's message field, once the fields are read (`None` before).
pub fn message_field(state: &ViewState, fields: &super::Fields) -> Option<String> {
    let found = fields.get()?;
    let message = found
        .ok()
        .and_then(|found| resolve(&state.fields, &found).message);
    Some(message.unwrap_or_else(|| "message".to_string()))
}

/// Milliseconds since the page opened, to the microsecond where the browser allows.
pub fn clock_ms() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map_or(0.0, |performance| performance.now())
}

/// The tallest sparkline bar (the box's height in `investigate.css`).
const SPARK_PX: u32 = 18;

/// Counts per slice of the range as a row of bars.
#[component]
pub fn Sparkline(counts: Vec<u32>) -> impl IntoView {
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    view! {
        <span class="sparkline" aria-hidden="true">
            {counts.into_iter().map(|count| {
                // set through the CSSOM: the page's CSP refuses style attributes
                let height = format!("{}px", (count * SPARK_PX).div_ceil(most));
                view! { <span style:height=height></span> }
            }).collect_view()}
        </span>
    }
}
