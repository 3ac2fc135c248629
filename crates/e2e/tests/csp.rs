//! End-to-end: the built app carries a strict Content-Security-Policy (written into
//! dist/index.html by `cargo xtask csp`, Trunk's post_build hook) that still lets the app, its
//! worker and its charts run, and blocks markup injected into the page; plus the dark theme.

use std::time::Duration;

use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;
use kube_rightsize_e2e::{dist_dir, screenshot_dir};
use serde_json::json;

#[test]
fn strict_policy_blocks_injected_scripts_and_the_app_still_works() {
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium via chromedriver");
    browser.goto(&server.url()).expect("open the app");
    let demo = browser
        .wait_for("#demo", Duration::from_secs(30))
        .expect("the app starts under its own policy");

    let policy = browser
        .execute(
            "const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]'); \
             return m ? m.content : null;",
            json!([]),
        )
        .expect("policy");
    let policy = policy
        .as_str()
        .expect("dist/index.html has a policy meta element");
    assert!(policy.contains("default-src 'self'"), "{policy}");
    assert!(policy.contains("object-src 'none'"), "{policy}");
    assert!(policy.contains("base-uri 'none'"), "{policy}");
    assert!(
        policy.contains("'sha256-"),
        "the loader is allowed by hash: {policy}"
    );
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(!policy.contains("'unsafe-eval'"), "{policy}");

    // Markup smuggled into the page cannot run script: an inline <script>, an inline handler
    // and a javascript: URL are all refused, and the browser reports the violations.
    let outcome = browser
        .execute(
            "window.__violations = 0; \
             document.addEventListener('securitypolicyviolation', () => window.__violations++); \
             const s = document.createElement('script'); \
             s.textContent = 'window.__injected = 1'; \
             document.body.appendChild(s); \
             const img = document.createElement('img'); \
             img.setAttribute('onerror', 'window.__injected = 2'); \
             img.src = 'data:,not-an-image'; \
             document.body.appendChild(img); \
             return window.__injected === undefined;",
            json!([]),
        )
        .expect("inject");
    assert_eq!(outcome, json!(true), "an injected inline script ran");
    std::thread::sleep(Duration::from_millis(500));
    let after = browser
        .execute(
            "return [window.__injected === undefined, window.__violations];",
            json!([]),
        )
        .expect("after");
    assert_eq!(after[0], json!(true), "an injected handler ran: {after}");
    assert!(
        after[1].as_u64().unwrap_or(0) >= 2,
        "violations reported: {after}"
    );

    // The app still does everything under the policy: worker, catalogue, charts.
    browser.click(&demo).expect("click the demo button");
    browser
        .wait_for("#summary", Duration::from_secs(60))
        .expect("a report appears");
    let timing = browser
        .text(&browser.find("#timing").expect("timing line"))
        .expect("timing text");
    assert!(timing.contains("background worker"), "{timing}");
    assert!(
        browser
            .find_all(".report-charts svg")
            .expect("charts")
            .len()
            >= 4,
        "charts render"
    );

    // Nothing left the page: every resource the page fetched is same-origin, and the only
    // thing in localStorage is not the cluster.
    let origin = server.url();
    let resources = browser
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name);",
            json!([]),
        )
        .expect("resources");
    let resources = resources.as_array().expect("a list");
    assert!(!resources.is_empty());
    for r in resources {
        let r = r.as_str().unwrap_or_default();
        assert!(
            r.starts_with(origin.trim_end_matches('/')),
            "request to {r}"
        );
    }
    let stored = browser
        .execute(
            "return Object.keys(localStorage).map(k => k + '=' + localStorage.getItem(k)).join('\\n');",
            json!([]),
        )
        .expect("localStorage");
    let stored = stored.as_str().unwrap_or_default();
    assert!(!stored.contains("ip-10-0"), "cluster data stored: {stored}");

    // Dark theme (prefers-color-scheme), for a look at the screenshot.
    browser.emulate_color_scheme("dark").expect("dark scheme");
    let bg = browser
        .execute(
            "return getComputedStyle(document.body).backgroundColor;",
            json!([]),
        )
        .expect("background");
    assert_eq!(bg, json!("rgb(15, 20, 27)"), "the dark palette applies");
    browser
        .screenshot(&screenshot_dir().join("20-dark-report.png"))
        .expect("screenshot");
    browser
        .execute(
            "document.querySelector('#charts, .report-charts').scrollIntoView();",
            json!([]),
        )
        .expect("scroll");
    browser
        .screenshot(&screenshot_dir().join("21-dark-charts.png"))
        .expect("screenshot");
}
