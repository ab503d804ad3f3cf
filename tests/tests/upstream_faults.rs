//! Faults of the cluster behind the proxy, as the dashboard shows them: down, slower than
//! the time-out, or failing with 503. Each is said in the banner and the status line; the
//! figures of the last good answer stay, dated by it ("updated 10:04:12", which stops
//! moving); and the dashboard comes back by itself (auto-refresh) once the cluster answers
//! again. (A new query with the cluster gone shows no numbers of the old one:
//! `screen_truth.rs`; shards that fail are `engine_faults.rs`'s, on the real engine.)

use std::time::Duration;

use logdash_e2e::upstream::{Controllable, Mode, FAILING_REASON};
use logdash_e2e::{Browser, Server};

#[tokio::test]
async fn the_dashboard_says_what_the_cluster_does_and_recovers_when_it_answers_again() {
    let cluster = Server::with_requests(&[]).await;
    let upstream = Controllable::start(&cluster.address(), "es").await;
    let proxy = Server::start(&["--elasticsearch", &upstream.url, "--es-timeout-secs", "2"]).await;
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=1&tz=utc", proxy.url))
        .await
        .expect("opens");
    browser.wait_for_text("#volume-total", |t| t == "60").await;

    let faults = [
        (Mode::Down, "cannot reach"),
        (Mode::Slow, "did not answer within 2 s"),
        (Mode::Failing, FAILING_REASON),
    ];
    for (mode, said) in faults {
        upstream.set(mode);
        let banner = browser
            .wait_for_text("#error-banner", |t| t.starts_with("Backend error."))
            .await;
        eprintln!("{mode:?}: {banner}");
        assert!(banner.contains(said), "{mode:?}: {banner}");
        browser
            .wait_for_text("#backend-down", |t| t == "backend error")
            .await;
        // the figures are those of the last answer, and say so: their time stands still
        // while refreshes fail (each second here; the slow one after its 2 s time-out)
        let dated = browser
            .wait_for_text("#freshness", |t| t.starts_with("updated "))
            .await;
        tokio::time::sleep(Duration::from_millis(4_500)).await;
        assert_eq!(browser.texts("#freshness").await, vec![dated.clone()]);
        assert!(!browser.texts("#error-banner").await.concat().is_empty());
        browser
            .screenshot(&format!("upstream-{mode:?}").to_lowercase())
            .await;

        upstream.set(Mode::Pass);
        browser
            .wait_for_all("#error-banner", |t| t.is_empty())
            .await;
        browser
            .wait_for_all("#backend-down", |t| t.is_empty())
            .await;
        browser.wait_for_text("#freshness", |t| t != dated).await;
        browser.wait_for_text("#volume-total", |t| t == "60").await;
    }
    browser.close().await;
}
