//! The soak for a minute (`make soak` runs ten on the release binary): 1,000 events/s on
//! the TCP input, 20 dashboards refreshing every 5 s, 20 live tails. No errors, every
//! refresh answered, memory flat after warm-up, latency not growing.

use std::time::Duration;

use logdash_e2e::soak::{run, table, Plan};
use logdash_e2e::Server;

#[tokio::test]
async fn a_minute_of_ingest_dashboards_and_tails_holds_steady() {
    let server = Server::start(&[]).await;
    let plan = Plan {
        duration: Duration::from_secs(60),
        rate: 1_000,
        dashboards: 20,
        refresh: Duration::from_secs(5),
        // steady after 40 s (the range, and the period before it that the trend compares
        // with): then each refresh reads as many events as the one before
        range: Duration::from_secs(20),
        tails: 20,
        window: Duration::from_secs(10),
    };
    let outcome = run(&server, &plan).await;
    let windows = &outcome.windows;
    eprintln!("{}", table(&plan, windows));
    assert!(outcome.errors.is_empty(), "{:#?}", outcome.errors);
    assert_eq!(outcome.unanswered, 0, "refreshes never answered");
    for w in windows {
        assert!(w.events_sent >= 9_500, "ingest fell behind: {w:?}");
        assert!(w.tail_bytes > 0, "the live tails went quiet: {w:?}");
    }
    // (the first window holds fewer: the dashboards open two seconds in)
    for w in &windows[1..] {
        assert!(w.refreshes >= 30, "refreshes fell behind: {w:?}");
    }
    // after the warm-up: the range and the period before it (the trend's) filled
    let steady = &windows[4..];
    let first = &steady[0];
    let mean = steady.iter().map(|w| w.anon_mb).sum::<f64>() / steady.len() as f64;
    for w in steady {
        assert!(
            (w.anon_mb - mean).abs() <= mean * 0.10 + 8.0,
            "memory is not flat: {:.0} MB at {} s, {mean:.0} MB on average after the warm-up",
            w.anon_mb,
            w.end,
        );
        // the median: with 40 refreshes a window, p99 is one refresh, and one merge
        // stall would say nothing of a trend (`make soak` judges p99 over minutes)
        assert!(
            w.p50_ms <= first.p50_ms * 2.0 + 50.0,
            "latency grows: p50 {:.0} ms at {} s after {:.0} ms at {} s",
            w.p50_ms,
            w.end,
            first.p50_ms,
            first.end
        );
    }
}
