//! What the page asks for while its wasm loads. `config.json` is preloaded by the page
//! itself; the fields of the view's index pattern (`_field_caps`), which a browser that
//! never saw the pattern must read before its first query, depend on the link, so the
//! server names them in the page it sends. On a cold load the wasm then finds both
//! answers waiting instead of asking for them one after the other.
//!
//! A preload answers only a request for the very same URL. The dashboard's HTTP client
//! (gloo-net) ends every URL that has a query with `&` (it appends its own, empty,
//! parameters), so the preload names `?fields=*&` as the request goes out; the browser
//! test `a_first_visit_finds_its_fields_asked_for_while_the_wasm_loaded`
//! fails if the two ever part.

use logdash_core::view::{short_id, ViewState};

/// `page` with a preload of the `_field_caps` request the dashboard makes for the view
/// `query` (the page's query string) opens, placed before `</head>`. `None` when there
/// is nothing to add: a page without a head, or a short link, whose view (and index
/// pattern) the dashboard learns from the server later.
pub fn with_field_caps_preload(page: &str, query: &str) -> Option<String> {
    if short_id(query).is_some() {
        return None;
    }
    let head_end = page.find("</head>")?;
    // a pattern `read_link` takes holds no quote or angle bracket; `&` is escaped
    let index = ViewState::read_link(query).0.index.replace('&', "&amp;");
    let link = format!(
        "<link rel=\"preload\" href=\"es/{index}/_field_caps?fields=*&amp;\" as=\"fetch\" crossorigin=\"anonymous\" />"
    );
    let mut out = String::with_capacity(page.len() + link.len());
    out.push_str(&page[..head_end]);
    out.push_str(&link);
    out.push_str(&page[head_end..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<html><head><title>t</title></head><body></body></html>";

    fn link_in(page: &str) -> &str {
        let start = page.find("<link").expect("a link");
        let end = page[start..].find("/>").expect("its end") + start + 2;
        &page[start..end]
    }

    #[test]
    fn names_the_index_pattern_of_the_link() {
        let page = with_field_caps_preload(PAGE, "index=logs-app&from=now-1h").expect("added");
        assert_eq!(
            link_in(&page),
            "<link rel=\"preload\" href=\"es/logs-app/_field_caps?fields=*&amp;\" as=\"fetch\" crossorigin=\"anonymous\" />"
        );
        assert!(page.ends_with("</head><body></body></html>"), "{page}");
    }

    #[test]
    fn a_link_without_a_pattern_preloads_the_default_one() {
        let page = with_field_caps_preload(PAGE, "").expect("added");
        let default = ViewState::default().index;
        assert!(
            link_in(&page).contains(&format!("href=\"es/{default}/_field_caps?fields=*&amp;\"")),
            "{page}"
        );
    }

    #[test]
    fn a_hostile_pattern_never_leaves_the_attribute() {
        for query in [
            "index=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
            "index=a\"onload=\"x",
            "index=<img>",
        ] {
            let page = with_field_caps_preload(PAGE, query).expect("added");
            let default = ViewState::default().index;
            assert!(
                link_in(&page).contains(&format!("href=\"es/{default}/")),
                "{query}: {page}"
            );
            assert!(!page.contains("script") && !page.contains("img"), "{page}");
        }
        let page = with_field_caps_preload(PAGE, "index=a%26b").expect("added");
        assert!(link_in(&page).contains("href=\"es/a&amp;b/"), "{page}");
    }

    #[test]
    fn a_short_link_or_a_page_without_a_head_is_left_as_it_is() {
        assert_eq!(with_field_caps_preload(PAGE, "s=abcdefgh12"), None);
        assert_eq!(with_field_caps_preload(PAGE, "s=bad"), None);
        assert_eq!(with_field_caps_preload("<p>no head</p>", "index=x"), None);
    }
}
