//! End-to-end: settings change the numbers and persist. An inline price override in "Prices in
//! use" re-prices the demo's m5.xlarge nodes as manual prices, is written into the manual price
//! list, and survives a reload (localStorage); fallback rates and the strategy are editable.

use std::time::{Duration, Instant};

use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;
use kube_rightsize_e2e::{dist_dir, screenshot_dir};
use serde_json::json;

fn text_of(browser: &Browser, css: &str) -> String {
    browser
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
            json!([css]),
        )
        .expect("text")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn inline_price_override_reprices_and_persists() {
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium");
    browser.goto(&server.url()).expect("open the app");
    let demo = browser
        .wait_for("#demo", Duration::from_secs(30))
        .expect("demo button");
    browser.click(&demo).unwrap();
    browser
        .wait_for("#summary", Duration::from_secs(60))
        .expect("report");
    let before = text_of(&browser, "#summary");
    // The demo's nodes: on-demand list prices (GPU nodes too) and typical AWS spot prices.
    assert!(before.contains("$3,199.15"), "{before}");

    browser
        .click(&browser.find("#settings > summary").unwrap())
        .unwrap();
    let field = browser
        .wait_for(
            "#prices-in-use input.inline-price[data-type='m5.xlarge']",
            Duration::from_secs(10),
        )
        .expect("an inline price field for m5.xlarge");
    // The demo's m5.xlarge nodes: 6 on-demand (general) and 2 spot, listed separately.
    let rows = text_of(&browser, "#prices-in-use tbody");
    assert!(rows.contains("m5.xlarge"), "{rows}");
    browser.send_keys(&field, "0.5\u{E004}").unwrap();
    wait_until("the re-priced report", || {
        text_of(&browser, "#pricing-note").contains("manual")
            && text_of(&browser, "#summary") != before
    });
    let manual = browser
        .execute(
            "return document.querySelector('#manual-prices').value;",
            json!([]),
        )
        .unwrap();
    assert_eq!(manual, json!("m5.xlarge=0.5"));
    browser
        .screenshot(&screenshot_dir().join("30-settings-inline-price.png"))
        .unwrap();
    // 8 m5.xlarge nodes at $0.5/h for 730 h replace their earlier prices: the total changes.
    let note = text_of(&browser, "#pricing-note");
    assert!(note.contains("manual prices (aws: 8 nodes)"), "{note}");

    // Reload: the override is still there (settings persist; the cluster does not).
    browser.goto(&server.url()).expect("reload");
    browser
        .wait_for("#demo", Duration::from_secs(30))
        .expect("app");
    let saved = browser
        .execute(
            "return document.querySelector('#manual-prices').value;",
            json!([]),
        )
        .unwrap();
    assert_eq!(saved, json!("m5.xlarge=0.5"));
    let stored = browser
        .execute(
            "return localStorage.getItem('kube-rightsize.preferences.v1');",
            json!([]),
        )
        .unwrap();
    let stored = stored.as_str().unwrap_or_default();
    assert!(stored.contains("m5.xlarge=0.5"), "{stored}");
    assert!(
        !stored.contains("ip-10-0"),
        "no cluster data in the saved settings: {stored}"
    );
    assert!(
        text_of(&browser, "#empty").contains("Paste"),
        "no report without the cluster after a reload"
    );
}
