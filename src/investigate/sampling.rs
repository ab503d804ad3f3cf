//! The sample the Patterns and Errors views mine (`core::patterns::sample`): the newest
//! events of a query and range, then (when the range holds more) one `_msearch` for a
//! spread of the rest; and the tools' shared pieces: the message field and a sparkline.

use leptos::prelude::*;
use logdash_core::dashboard::fields::resolve;
use logdash_core::patterns::sample::{self, Sample, NEWEST};
use logdash_core::time::EpochMillis;
use logdash_core::view::ViewState;

use crate::api;

/// The sample of `query` over `range` in `index`, with `fields` of each event's source.
pub async fn read(
    index: &str,
    query: &str,
    range: (EpochMillis, EpochMillis),
    fields: &[&str],
) -> Result<Sample, String> {
    let endpoints = api::endpoints().await;
    let newest = sample::newest(query, range, fields, NEWEST);
    let answer = api::search(&endpoints, index, &newest)
        .await
        .map_err(|error| error.to_string())?;
    let mut sample = Sample::default();
    sample.read_newest(&answer);
    if sample.wants_spread() {
        // any seed will do: the browser's clock is random enough for choosing instants
        let seed = crate::timefmt::now() as u64 ^ 0x9e37_79b9_7f4a_7c15;
        let body = sample::spread_body(index, query, range, fields, seed);
        // the newest are a sample already: a refused spread leaves them
        if let Ok(answer) = api::msearch(&endpoints, body).await {
            sample.read_spread(&answer);
        }
    }
    Ok(sample)
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
