//! What the dashboard does with a failed request.

use leptos::prelude::*;

use crate::error::AppError;

/// Shows an error: a query the backend refused goes next to the box; anything else is a
/// banner, the last data stays, and a retry comes after a growing pause.
pub fn report(
    error: AppError,
    banner: RwSignal<Option<AppError>>,
    query_error: RwSignal<Option<String>>,
    failures: StoredValue<u32>,
    tick: RwSignal<u64>,
) {
    match &error {
        AppError::Backend {
            status: 400,
            summary,
            ..
        } => query_error.set(Some(summary.clone())),
        _ => {
            banner.set(Some(error));
            let attempt = failures.get_value() + 1;
            failures.set_value(attempt);
            let pause = std::time::Duration::from_secs(2u64.pow(attempt.min(5)));
            set_timeout(move || tick.update(|t| *t += 1), pause);
        }
    }
}
