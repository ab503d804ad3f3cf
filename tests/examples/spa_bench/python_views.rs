//! The Patterns and Errors views' budgets over the store's events: mining the sampled
//! messages in the browser's wasm, and each view from the click on its button to the
//! frame that shows its table, timed in the page.

use logdash_e2e::Browser;
use serde_json::json;

/// Openings measured per view.
const OPENINGS: usize = 5;

/// Opens each view `OPENINGS` times over `view` and prints the times.
pub async fn python_views(browser: &Browser, view: &str, events: usize) {
    browser.client.goto(view).await.expect("opens");
    crate::first_data(browser).await;
    println!("| Patterns and Errors, {events} events in the store | value | budget |");
    println!("|---|---|---|");
    for (button, said, attribute, budget) in [
        (
            "#patterns-button",
            "#patterns-sample",
            "data-mined-ms",
            "mining <= 100 ms",
        ),
        (
            "#errors-button",
            "#errors-sample",
            "data-grouped-ms",
            "view <= 200 ms",
        ),
    ] {
        let (mut walls, mut inside) = (Vec::new(), Vec::new());
        let mut sample = String::new();
        for _ in 0..OPENINGS {
            // clicked and watched in the page: from the click to the frame that shows the
            // view's sample line (webdriver's own polling would round it up)
            let timed = browser
                .client
                .execute_async(
                    "const [button, said, done] = arguments;
                     const start = performance.now();
                     document.querySelector(button).click();
                     const check = () => {
                       const shown = document.querySelector(said);
                       if (shown && shown.textContent.includes(' in ')) done([performance.now() - start, shown.textContent]);
                       else requestAnimationFrame(check);
                     };
                     requestAnimationFrame(check);",
                    vec![json!(button), json!(said)],
                )
                .await
                .expect("the view opens");
            walls.push(timed[0].as_f64().unwrap_or(f64::NAN));
            sample = timed[1].as_str().unwrap_or_default().to_string();
            let ms = browser
                .client
                .execute(
                    &format!("return document.querySelector('{said}').getAttribute('{attribute}')"),
                    vec![],
                )
                .await
                .expect("reads the time");
            inside.push(
                ms.as_str()
                    .and_then(|ms| ms.parse::<f64>().ok())
                    .unwrap_or(f64::NAN),
            );
            // closed, it asks anew at the next opening
            browser.click(button).await;
        }
        walls.sort_by(f64::total_cmp);
        inside.sort_by(f64::total_cmp);
        let name = button.trim_start_matches('#').trim_end_matches("-button");
        println!("| {name}: {sample} | | |");
        println!(
            "| {name}: in the wasm (mining or grouping the sample) | median {:.1} ms, max {:.1} ms | {} |",
            inside[OPENINGS / 2],
            inside[OPENINGS - 1],
            if name == "patterns" { budget } else { "" }
        );
        println!(
            "| {name}: click to table, timed in the page (sample read, mined, drawn) | median {:.0} ms, max {:.0} ms | {} |",
            walls[OPENINGS / 2],
            walls[OPENINGS - 1],
            if name == "errors" { budget } else { "" }
        );
    }
    browser.screenshot("bench-patterns-errors").await;
    println!();
}
