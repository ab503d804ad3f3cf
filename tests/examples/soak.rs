//! `make soak`: ten minutes of 1,000 events/s on the TCP input, 20 dashboards refreshing
//! their panels every 5 s and 20 live tails, on the release binary; a Markdown table per
//! minute for BENCHMARKS.md, and whether it held (no errors, every refresh answered,
//! memory after the warm-up within 10% of its mean, p99 not growing).
//!
//! `LOGDASH_BIN=target/release/logdash cargo run --release -p logdash-e2e --example soak [MINUTES]`

#![allow(
    clippy::print_stdout,
    clippy::expect_used,
    reason = "a benchmark prints, and fails loudly"
)]

use std::time::Duration;

use logdash_e2e::soak::{run, table, Plan};
use logdash_e2e::Server;

/// Minutes before memory and latency are expected to be flat: the dashboards' range and
/// the period before it (which the trend compares with) fill in four, then a minute for
/// the merges to settle.
const WARM_UP_MINUTES: usize = 5;

#[tokio::main]
async fn main() {
    let minutes: u64 = std::env::args()
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(10);
    let plan = Plan {
        duration: Duration::from_secs(60 * minutes),
        rate: 1_000,
        dashboards: 20,
        refresh: Duration::from_secs(5),
        range: Duration::from_secs(120),
        tails: 20,
        window: Duration::from_secs(60),
    };
    let server = Server::start(&[]).await;
    let outcome = run(&server, &plan).await;
    println!(
        "Soak: {} events/s on the TCP input, {} dashboards refreshing every {} s over the last {} s, {} live tails, {minutes} min:\n",
        plan.rate,
        plan.dashboards,
        plan.refresh.as_secs(),
        plan.range.as_secs(),
        plan.tails
    );
    println!("{}", table(&plan, &outcome.windows));
    let steady = outcome.windows.get(WARM_UP_MINUTES..).unwrap_or_default();
    let verdicts = [
        ("no errors", outcome.errors.is_empty()),
        ("every refresh answered", outcome.unanswered == 0),
        (
            "memory (anonymous RSS) after the warm-up within 10% of its mean",
            within(steady, 0.10),
        ),
        (
            "refresh p99 after the warm-up within 1.5x of its first minute",
            steady
                .first()
                .is_some_and(|first| steady.iter().all(|w| w.p99_ms <= first.p99_ms * 1.5)),
        ),
    ];
    for (what, held) in verdicts {
        println!("- {what}: {}", if held { "held" } else { "FAILED" });
    }
    for error in &outcome.errors {
        println!("  - {error}");
    }
    if verdicts.iter().any(|(_, held)| !held) {
        std::process::exit(1);
    }
}

/// Whether every window's anonymous memory is within `share` of their mean: flat, which
/// growth (a leak) is not, whatever the allocator's ups and downs.
fn within(windows: &[logdash_e2e::soak::Window], share: f64) -> bool {
    if windows.is_empty() {
        return false;
    }
    let mean = windows.iter().map(|w| w.anon_mb).sum::<f64>() / windows.len() as f64;
    windows
        .iter()
        .all(|w| (w.anon_mb - mean).abs() <= mean * share)
}
