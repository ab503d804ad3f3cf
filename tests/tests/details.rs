//! A line's details (#18): its fields with the sidebar's actions, the event as JSON, and a
//! link to it that opens it in a fresh browser; closing a linked event takes it out of the
//! view, and a link to an event that is not there says so.

use logdash_e2e::{Browser, Server};

#[tokio::test]
async fn a_line_s_details_narrow_the_view_show_json_and_link_to_it() {
    let server = Server::with_requests(&[]).await;
    let browser = Browser::start().await;
    browser.open_known_view(&server, "").await;
    browser.wait_for_text("#volume-total", |t| t == "60").await;
    browser
        .client
        .find(fantoccini::Locator::XPath(
            "//div[@id='stream']//div[contains(@class,'row')][contains(., 'request 58')]",
        ))
        .await
        .expect("line 58")
        .click()
        .await
        .expect("clicks");
    let fields = browser
        .wait_for_all("#details th", |names| {
            names.iter().any(|n| n == "extra.request_id")
        })
        .await;
    assert!(fields.iter().any(|n| n == "level"), "{fields:?}");

    // the event as JSON
    browser.click("#details-json").await;
    let json = browser
        .wait_for_text("#details-source", |t| {
            t.contains("\"request_id\": \"r058\"")
        })
        .await;
    assert!(json.contains("\"level\": \"INFO\""), "{json}");
    browser.click("#details-json").await;

    // a link to it, opened afresh
    browser.click("#details-link").await;
    let link = browser.value("#details-link-url").await;
    assert!(link.contains("event="), "{link}");
    assert!(link.contains("refresh=0"), "{link}");
    browser.screenshot("details-link").await;

    // a value's action narrows the view
    browser
        .client
        .find(fantoccini::Locator::XPath(
            "//aside[@id='details']//tr[th='level']//button[@class='without']",
        ))
        .await
        .expect("level's −")
        .click()
        .await
        .expect("clicks");
    browser.wait_for_text("#volume-total", |t| t == "6").await;
    assert_eq!(
        browser.texts("#pills .pill-label").await,
        ["NOT level: INFO"]
    );

    let fresh = Browser::start().await;
    fresh.client.goto(&link).await.expect("opens the link");
    fresh
        .wait_for_text("#details", |t| t.contains("r058"))
        .await;
    fresh
        .wait_for_text("#volume-total", |t| t.parse::<u32>().is_ok_and(|n| n > 0))
        .await;
    fresh.screenshot("details-linked").await;
    // closing it takes the event out of the link; Back opens it again
    fresh.click("#details .close").await;
    fresh
        .wait_for_all("#details", |found| found.is_empty())
        .await;
    let url = fresh.client.current_url().await.expect("url");
    assert!(!url.as_str().contains("event="), "{url}");
    fresh.client.back().await.expect("back");
    fresh
        .wait_for_text("#details", |t| t.contains("r058"))
        .await;
    // another tool takes its place, and a filter made there does not bring it back (the
    // details lie over the top bar's button here: it is pressed as the keys would)
    fresh
        .client
        .execute("document.getElementById('values-button').click()", vec![])
        .await
        .expect("opens the sidebar");
    fresh
        .wait_for_all("#details", |found| found.is_empty())
        .await;
    fresh.type_into("#field-filter", "level").await;
    fresh
        .wait_for_all("#field-list li", |names| {
            names.first().is_some_and(|n| n == "level")
        })
        .await;
    fresh.click("#field-list li button").await;
    fresh.click("#top-values tr:nth-child(1) button.only").await;
    fresh
        .wait_for_all("#pills .pill-label", |pills| pills.len() == 1)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        fresh.texts("#details").await.is_empty(),
        "the details came back"
    );
    assert!(
        !fresh.texts(".field-values").await.is_empty(),
        "the sidebar closed"
    );

    // an event that is not there is named
    let gone = link.replace("event=", "event=no-such-");
    fresh.client.goto(&gone).await.expect("opens");
    fresh
        .wait_for_text("#link-notices", |t| t.contains("no event [no-such-"))
        .await;
    fresh.close().await;
    browser.close().await;
}
