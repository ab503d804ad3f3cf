//! Hostile text everywhere the dashboard shows text (issue #21, item 2): 45 payloads (HTML,
//! SVG, `javascript:` URLs, event handlers, entity and URL encodings, template syntax,
//! ANSI escapes, bidi overrides, a 100 KB line) in every field of logged events (message,
//! level, user, path, status, stack trace, and field names), in saved queries' names and
//! in a link's parameters, and as an export's column. Each payload, if it ran, would set the page's title; none may,
//! no element the payloads describe may appear, characters that would act (ANSI escapes,
//! bidi overrides) are shown as what they are, and the page must stay usable.

use logdash_e2e::{bulk_body, iso, now_ms, Browser, Server};
use serde_json::{json, Map, Value};

/// What every payload tries to run: it changes the title, which the test reads.
const RUN: &str = "document.title=1";

fn payloads() -> Vec<String> {
    let templates = [
        "<script>RUN</script>",
        "<img src=x onerror=RUN>",
        "<svg onload=RUN>",
        "<svg><script>RUN</script></svg>",
        "<iframe src=\"javascript:RUN\"></iframe>",
        "<iframe srcdoc=\"<script>parent.RUN</script>\"></iframe>",
        "\"><script>RUN</script>",
        "'><img src=x onerror=RUN>",
        "javascript:RUN",
        "<a href=\"javascript:RUN\">click</a>",
        "<body onload=RUN>",
        "<details open ontoggle=RUN>",
        "<input autofocus onfocus=RUN>",
        "<marquee onstart=RUN>",
        "<video><source onerror=RUN></video>",
        "<audio src=x onerror=RUN>",
        "<object data=\"javascript:RUN\"></object>",
        "<embed src=\"javascript:RUN\">",
        "<math><mtext><table><mglyph><style><img src=x onerror=RUN>",
        "<noscript><p title=\"</noscript><img src=x onerror=RUN>\">",
        "<style>@import 'javascript:RUN';</style>",
        "<link rel=import href=\"data:text/html,<script>RUN</script>\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:RUN\">",
        "<form><button formaction=javascript:RUN>x</button></form>",
        "<img src=\"x\u{0}\" onerror=RUN>",
        "&lt;img src=x onerror=RUN&gt;",
        "%3Cimg%20src%3Dx%20onerror%3DRUN%3E",
        "{{constructor.constructor('RUN')()}}",
        "${RUN}",
        "\u{1b}[31mred\u{1b}[0m <img src=x onerror=RUN>",
        "\u{202e}gnp.exe <img src=x onerror=RUN>",
        "\u{2066}isolated\u{2069}<svg onload=RUN>",
        "<img src=x onerror=eval(atob('ZG9jdW1lbnQudGl0bGU9MQ=='))>",
        "<svg><animate onbegin=RUN attributeName=x dur=1s>",
        "<div style=\"background:url(javascript:RUN)\">x</div>",
        "<scr<script>ipt>RUN</scr</script>ipt>",
        "<IMG SRC=x OnErRoR=RUN>",
        "<img src=x onerror=\"RUN\"",
        "</textarea><script>RUN</script>",
        "</title><script>RUN</script>",
        "<xmp><script>RUN</script></xmp>",
        "<template><script>RUN</script></template>",
        "<img srcset=x onerror=RUN>",
        "<base href=\"javascript:RUN//\">",
    ];
    let mut all: Vec<String> = templates.iter().map(|t| t.replace("RUN", RUN)).collect();
    // a huge line, with a payload at its end
    all.push(format!("{}<img src=x onerror={RUN}>", "A".repeat(100_000)));
    all
}

/// Elements or attributes a payload would have made, had it been parsed as HTML.
const INJECTED: &str = "return [...document.querySelectorAll('*')].filter(e =>
        ['IMG', 'IFRAME', 'OBJECT', 'EMBED', 'VIDEO', 'AUDIO', 'MARQUEE', 'FORM', 'BASE', 'XMP',
         'TEMPLATE', 'MATH', 'NOSCRIPT'].includes(e.tagName)
        || [...e.attributes].some(a => a.name.toLowerCase().startsWith('on'))
        || (e.tagName === 'A' && (e.getAttribute('href') || '').toLowerCase().includes('javascript:'))
        || (e.tagName === 'META' && e.hasAttribute('http-equiv'))
        || (e.tagName === 'SCRIPT' && !e.src && e.type !== 'module' && e.textContent.includes('title'))
    ).map(e => e.outerHTML.slice(0, 120));";

async fn assert_nothing_ran(browser: &Browser, when: &str) {
    let title = browser.client.title().await.expect("title");
    assert_eq!(title, "logdash", "a payload ran ({when})");
    let injected = browser
        .client
        .execute(INJECTED, vec![])
        .await
        .expect("reads the DOM");
    assert_eq!(injected, json!([]), "elements a payload made ({when})");
}

/// One event carrying `payload` in every field the dashboard shows, and as a field name.
fn event(n: usize, payload: &str, at: i64) -> Value {
    let mut extra = Map::new();
    extra.insert("user_id".into(), json!(payload));
    extra.insert("url_path".into(), json!(format!("/p/{payload}")));
    extra.insert("status_code".into(), json!(payload));
    extra.insert("response_time_ms".into(), json!(n));
    if payload.len() < 300 {
        extra.insert(payload.to_string(), json!(n));
    }
    json!({
        "@timestamp": iso(at),
        "level": payload,
        "message": format!("{n}: {payload}"),
        "logger_name": payload,
        "stack_trace": format!("Traceback (most recent call last):\n  File \"{payload}\", line 1\nValueError: {payload}"),
        "extra": extra,
    })
}

#[tokio::test]
async fn hostile_text_in_events_saved_queries_and_links_is_shown_as_text() {
    let payloads = payloads();
    assert!(payloads.len() >= 40);
    let server = Server::start(&[]).await;
    let now = now_ms();
    let events = payloads
        .iter()
        .enumerate()
        .map(|(n, p)| event(n, p, now - 60_000 + n as i64 * 1_000));
    let answer = server.bulk(&bulk_body("logs-xss", events)).await;
    assert_eq!(answer["errors"], json!(false), "{answer}");
    for payload in payloads.iter().filter(|p| p.chars().count() <= 120) {
        let body = json!({"name": payload, "state": "index=logs-*&q=level:ERROR"}).to_string();
        let stored =
            logdash_e2e::http(&server.address(), "POST", "/api/saved-queries", &body).await;
        // a name with control characters (NUL, ESC) is refused by name; the rest are kept
        if payload.chars().any(char::is_control) {
            assert!(
                stored.contains("must not contain control characters"),
                "{stored}"
            );
        } else {
            assert!(stored.contains("\"id\""), "{stored}");
        }
    }

    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!(
            "{}?index=logs-*&refresh=0&from=now-1h&panels=volume,users,latency,stream",
            server.url
        ))
        .await
        .expect("opens");
    let total = payloads.len();
    browser
        .wait_for_text("#stream-count", |t| t == format!("{total} lines"))
        .await;
    assert_nothing_ran(&browser, "the stream and the panels").await;
    // the check sees what it looks for: an element made on purpose is found
    let planted = browser
        .client
        .execute(
            "const img = document.createElement('img');
             img.setAttribute('onerror', 'x');
             document.body.append(img);
             const found = (new Function(arguments[0]))();
             img.remove();
             return found.length;",
            vec![json!(INJECTED)],
        )
        .await
        .expect("plants");
    assert_eq!(planted, json!(1), "the check finds a planted element");

    // every line's details (the stream draws only what is in view: go through it)
    let mut opened = 0;
    for (row, payload) in payloads.iter().enumerate() {
        browser
            .client
            .execute(
                "const list = document.getElementById('stream');
                 list.scrollTop = arguments[0] * 22;
                 return 0;",
                vec![json!(row)],
            )
            .await
            .expect("scrolls");
        let clicked = browser
            .client
            .execute(
                "const row = [...document.querySelectorAll('#stream .row')]
                     .find(r => r.textContent.includes(arguments[0] + ': '));
                 if (row) { row.click(); return true; } return false;",
                vec![json!(row)],
            )
            .await
            .expect("clicks");
        assert_eq!(clicked, json!(true), "line {row} is in the stream");
        browser.wait_for_text("#details", |_| true).await;
        assert_nothing_ran(&browser, &format!("line {row}'s details")).await;
        // characters that would act are shown: an ANSI colour's ESC, a bidi override
        let shown = match payload.chars().next() {
            Some('\u{1b}') => Some("␛[31mred␛[0m"),
            Some('\u{202e}') => Some("[U+202E]gnp.exe"),
            _ => None,
        };
        if let Some(shown) = shown {
            let line = browser.texts("#stream .row").await;
            assert!(line.iter().any(|l| l.contains(shown)), "{shown}: {line:?}");
            let details = browser.texts("#details").await.concat();
            assert!(details.contains(shown), "{shown} in the details");
        }
        opened += 1;
    }
    assert_eq!(opened, total);
    browser.screenshot("xss-details").await;

    browser.click("#fields-button").await;
    browser.wait_for_text("#fields", |_| true).await;
    assert_nothing_ran(&browser, "the fields editor").await;
    browser.click("#saved-button").await;
    browser
        .wait_for_all("#saved-list li", |items| items.len() >= 40)
        .await;
    assert_nothing_ran(&browser, "the saved queries").await;
    browser.screenshot("xss-saved-queries").await;

    // the field sidebar: hostile field names, and a field whose values are the payloads
    browser.click("#values-button").await;
    let names = browser
        .wait_for_all("#field-list li", |names| names.len() > 5)
        .await;
    assert!(
        names.iter().any(|n| n.contains('<')),
        "hostile field names are listed as text: {names:?}"
    );
    browser
        .client
        .find(fantoccini::Locator::XPath(
            "//ul[@id='field-list']//button[text()='level']",
        ))
        .await
        .expect("level is listed")
        .click()
        .await
        .expect("clicks");
    browser
        .wait_for_all("#top-values td.value", |values| values.len() == 10)
        .await;
    assert_nothing_ran(&browser, "the field sidebar").await;
    browser.screenshot("xss-field-values").await;

    // the export: hostile field names as columns, shown as text, and written to the file
    browser.click("#export-button").await;
    browser
        .wait_for_all("#export-columns li span", |c| !c.is_empty())
        .await;
    let column = format!("<img src=x onerror={RUN}>");
    browser.type_into("#export-column", &column).await;
    browser.click(".export-add button").await;
    browser
        .wait_for_all("#export-columns li span", |c| c.contains(&column))
        .await;
    assert_nothing_ran(&browser, "the export's columns").await;
    browser.click("#export-start").await;
    browser
        .wait_for_text("#export-status", |t| t.contains("written"))
        .await;
    let (_, file) = browser.wait_for_download("logdash-").await;
    let file = String::from_utf8_lossy(&file);
    assert!(
        file.lines()
            .next()
            .is_some_and(|header| header.contains(&column)),
        "the hostile column is in the file's header"
    );
    assert_nothing_ran(&browser, "the export").await;
    browser.screenshot("xss-export").await;
    browser.click("#export-button").await;

    // links: the payloads in every parameter a link has
    for payload in payloads.iter().filter(|p| p.len() < 300).step_by(3) {
        let encoded = logdash_core::url::encode(payload);
        let link = format!(
            "{}?index={encoded}&q={encoded}&from={encoded}&to={encoded}&refresh={encoded}&panels={encoded}&f.user={encoded}",
            server.url
        );
        browser.client.goto(&link).await.expect("opens");
        // an index pattern no index can match is named, not sent to be refused
        let notices = browser.wait_for_text("#link-notices", |_| true).await;
        if payload.contains(['<', '>', '"', ' ', '/', '?', '#', '|', '\\']) {
            assert!(
                notices.contains("holds characters no index name can"),
                "{notices}"
            );
        }
        assert_nothing_ran(&browser, &format!("a link with {payload}")).await;
    }
    browser.screenshot("xss-link").await;

    // typed into the index box, such a pattern is named there too
    browser
        .client
        .goto(&format!("{}?index=logs-*&refresh=0", server.url))
        .await
        .expect("opens");
    browser
        .type_into("#index", "<svg onload=document.title=1>")
        .await;
    browser.click("#run").await;
    browser
        .wait_for_text("#query-error", |t| {
            t.contains("holds characters no index name can")
        })
        .await;
    assert_nothing_ran(&browser, "an index pattern typed").await;

    // and the page is still usable
    browser
        .client
        .goto(&format!(
            "{}?index=logs-*&refresh=0&from=now-1h&q=extra.response_time_ms:%3C5",
            server.url
        ))
        .await
        .expect("opens");
    browser
        .wait_for_text("#stream-count", |t| t == "5 lines")
        .await;
    assert_nothing_ran(&browser, "after all of it").await;
    browser.close().await;
}
