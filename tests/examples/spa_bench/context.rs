//! A line's context over the store's events: from the click on the details' Context button
//! to the frame that shows the lines around the line, timed in the page.

use logdash_e2e::Browser;
use serde_json::json;

/// Lines whose context is opened.
const OPENINGS: usize = 7;

/// Opens the context of `OPENINGS` lines of `view` in turn and prints the times.
pub async fn context(browser: &Browser, view: &str, events: usize) {
    browser.client.goto(view).await.expect("opens");
    crate::first_data(browser).await;
    let mut walls = Vec::new();
    let mut said = String::new();
    for line in 0..OPENINGS {
        // the stream is drawn anew after Back: its lines first
        browser
            .wait_for_all("#stream .row", |rows| rows.len() > line * 3)
            .await;
        let _ = browser
            .client
            .execute(
                "document.querySelectorAll('#stream .row')[arguments[0]].click()",
                vec![json!(line * 3)],
            )
            .await
            .expect("clicks a line");
        browser.wait_for_text("#details", |t| !t.is_empty()).await;
        // clicked and watched in the page (webdriver's own polling would round it up)
        let timed = browser
            .client
            .execute_async(
                "const done = arguments[0];
                 const start = performance.now();
                 document.querySelector('#details-context').click();
                 const check = () => {
                   const lines = document.querySelectorAll('#context-lines li');
                   const anchor = document.querySelector('#context-lines li.anchor');
                   if (anchor && lines.length > 1) {
                     done([performance.now() - start, lines.length, document.querySelector('#context').textContent.slice(0, 60)]);
                   } else requestAnimationFrame(check);
                 };
                 requestAnimationFrame(check);",
                vec![],
            )
            .await
            .expect("the context opens");
        walls.push(timed[0].as_f64().unwrap_or(f64::NAN));
        said = format!(
            "{} lines: {}",
            timed[1],
            timed[2].as_str().unwrap_or_default()
        );
        if line + 1 == OPENINGS {
            browser.screenshot("bench-context").await;
        }
        // Back closes the context, then the details
        browser.client.back().await.expect("back");
        browser
            .wait_for_all("#context", |found| found.is_empty())
            .await;
    }
    walls.sort_by(f64::total_cmp);
    println!("| a line's context, {events} events in the store | value | budget |");
    println!("|---|---|---|");
    println!("| the last one shown: {said} | | |");
    println!(
        "| click on Context to the lines shown, timed in the page ({OPENINGS} lines) | median {:.0} ms, max {:.0} ms | <= 150 ms |",
        walls[OPENINGS / 2],
        walls[OPENINGS - 1]
    );
    println!();
}
