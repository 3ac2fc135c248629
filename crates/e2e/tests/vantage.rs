//! End-to-end: Vantage prices in the browser, against the fake Vantage server.
//!
//! (a) through `trunk serve --proxy-backend <fake> --proxy-rewrite /vantage/` (the same-origin
//! proxy a developer gets): token test, fetch, prices with source "vantage" in the Nodes table,
//! about two requests per instance type, none on a second fetch (cache), 401 and 429 messages.
//! (b) straight to the fake with CORS off, from the static build: the blocked-request
//! explanation.

use std::time::{Duration, Instant};

use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::trunk::TrunkServe;
use kube_rightsize_e2e::webdriver::Browser;
use kube_rightsize_e2e::{dist_dir, screenshot_dir};
use kube_rightsize_fake_vantage::{
    Config, Cors, DEFAULT_TOKEN, FakePrice, FakeProduct, FakeVantage, default_products,
};
use serde_json::json;

/// The demo cluster's instance types (all in us-east-1).
const DEMO_TYPES: [&str; 6] = [
    "c5.2xlarge",
    "c5.xlarge",
    "g5.xlarge",
    "m5.large",
    "m5.xlarge",
    "r5.xlarge",
];

fn shot(browser: &Browser, name: &str) {
    browser
        .screenshot(&screenshot_dir().join(name))
        .expect("screenshot");
}

/// `textContent` of the first match of `css`, or `None`.
fn text_of(browser: &Browser, css: &str) -> Option<String> {
    browser
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
            json!([css]),
        )
        .expect("execute")
        .as_str()
        .map(str::to_owned)
}

/// Waits until `css` exists and its text satisfies `ok`; returns the text.
fn wait_text(browser: &Browser, css: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let text = text_of(browser, css);
        if let Some(t) = &text
            && ok(t)
        {
            return t.clone();
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting on `{css}`; it says: {text:?}\npage:\n{}",
            browser.body_text().unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sets an input's value and fires `input` and `change`, as typing and leaving the field does.
fn set_field(browser: &Browser, css: &str, value: &str) {
    browser
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1];
             e.dispatchEvent(new Event('input', {bubbles: true}));
             e.dispatchEvent(new Event('change', {bubbles: true}));",
            json!([css, value]),
        )
        .expect("set a field");
}

fn value_of(browser: &Browser, css: &str) -> String {
    browser
        .execute(
            "return document.querySelector(arguments[0]).value;",
            json!([css]),
        )
        .expect("execute")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn click(browser: &Browser, css: &str) {
    let el = browser
        .wait_for(css, Duration::from_secs(10))
        .expect("element");
    browser.click(&el).expect("click");
}

/// Loads the demo, waits for its report, opens the Vantage panel.
fn demo_with_panel(browser: &Browser, url: &str) {
    browser.goto(url).expect("open the app");
    click(browser, "#demo");
    browser
        .wait_for("#summary", Duration::from_secs(60))
        .expect("the demo report");
    click(browser, "#vantage > summary");
    browser
        .execute(
            "document.querySelector('#vantage').scrollIntoView();",
            json!([]),
        )
        .expect("scroll");
}

/// The token appears only in `Authorization` headers: never in a path, a query, or another
/// header.
fn assert_token_only_in_authorization(fake: &FakeVantage) {
    for r in fake.requests() {
        assert!(
            !r.path.contains(DEFAULT_TOKEN) && !r.query.contains(DEFAULT_TOKEN),
            "token in a URL: {} {}?{}",
            r.method,
            r.path,
            r.query
        );
        for (name, value) in &r.headers {
            if value.contains(DEFAULT_TOKEN) {
                assert!(
                    name.eq_ignore_ascii_case("authorization"),
                    "token in header {name}"
                );
            }
        }
    }
}

/// The default fake products plus the three demo types it lacks, so every demo node has a price.
fn demo_products() -> Vec<FakeProduct> {
    let mut products = default_products();
    for (name, usd) in [
        ("r5.xlarge", 0.252),
        ("c5.2xlarge", 0.34),
        ("g5.xlarge", 1.006),
    ] {
        let prices = ["on-demand", "spot"]
            .iter()
            .map(|lifecycle| FakePrice {
                region: "us-east-1".to_owned(),
                platform: "linux".to_owned(),
                lifecycle: (*lifecycle).to_owned(),
                unit: "hour".to_owned(),
                rate_type: "compute".to_owned(),
                amount: if *lifecycle == "spot" {
                    usd * 0.35
                } else {
                    usd
                },
            })
            .collect();
        products.push(FakeProduct {
            name: name.to_owned(),
            prices,
        });
    }
    products
}

fn node_sources(browser: &Browser) -> Vec<String> {
    browser
        .execute(
            "const heads = [...document.querySelectorAll('#nodes-table thead th')];
             const n = heads.findIndex(th => th.textContent.trim().startsWith('Price')) + 1;
             return [...document.querySelectorAll(`#nodes-table tbody tr td:nth-child(${n})`)]
                 .map(td => td.textContent.split(/[ ,]/)[0]);",
            json!([]),
        )
        .expect("execute")
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn vantage_through_the_trunk_serve_proxy() {
    let fake = kube_rightsize_fake_vantage::start(Config {
        products: demo_products(),
        // A short rate-limit window so the 429 below resets within seconds.
        window_seconds: 8,
        ..Config::default()
    })
    .expect("fake Vantage");
    let trunk = TrunkServe::start(&fake.url());
    let browser = Browser::start().expect("headless Chromium via chromedriver");
    demo_with_panel(&browser, &trunk.url());

    // The page finds trunk's proxy (a token-less probe) and defaults the base URL to it.
    wait_text(
        &browser,
        "#vantage-base-note",
        Duration::from_secs(20),
        |t| t.contains("served by trunk serve"),
    );
    assert_eq!(value_of(&browser, "#vantage-base"), "/vantage");
    assert_eq!(
        browser
            .execute(
                "return document.querySelector('#vantage-token').type;",
                json!([])
            )
            .unwrap(),
        json!("password")
    );
    shot(&browser, "vantage-01-panel.png");

    // Test token: /v2/ping then /v2/me, through the proxy.
    let token_field = browser.find("#vantage-token").unwrap();
    browser.send_keys(&token_field, DEFAULT_TOKEN).unwrap();
    click(&browser, "#vantage-test");
    let tested = wait_text(
        &browser,
        "#vantage-test-result",
        Duration::from_secs(20),
        |t| !t.contains("Testing"),
    );
    assert!(
        tested.contains("The token works (scopes: read)"),
        "{tested}"
    );
    assert_eq!(fake.count("/v2/ping"), 2, "the probe and the test");
    let probe = &fake.requests()[0];
    assert_eq!((probe.path.as_str(), probe.status), ("/v2/ping", 401));
    assert!(
        !probe
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization")),
        "the proxy probe carries no token"
    );
    assert_eq!(fake.count("/v2/me"), 1);
    shot(&browser, "vantage-02-token-tested.png");

    // Fetch: about two requests per instance type, the prices reach the Nodes table.
    fake.clear_log();
    click(&browser, "#vantage-fetch");
    let summary = wait_text(&browser, "#vantage-summary", Duration::from_secs(60), |t| {
        t.starts_with("Done")
    });
    assert!(
        summary.contains("12 requests to Vantage; 7 of 7 prices"),
        "{summary}"
    );
    let log = text_of(&browser, "#vantage-log").unwrap_or_default();
    assert!(
        log.contains("Querying cost for m5.large in us-east-1"),
        "{log}"
    );
    let states = text_of(&browser, "#vantage-status tbody").unwrap_or_default();
    assert_eq!(states.matches("fetched").count(), 7, "{states}");
    shot(&browser, "vantage-03-fetched.png");
    let products = fake.count("/v2/products");
    assert_eq!(
        products,
        2 * DEMO_TYPES.len(),
        "one product lookup and one price page per type: {:?}",
        fake.requests()
            .iter()
            .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
            .collect::<Vec<_>>()
    );
    for t in DEMO_TYPES {
        let lookups = fake
            .requests()
            .iter()
            .filter(|r| r.path == "/v2/products" && r.query.contains(&format!("name={t}")))
            .count();
        assert_eq!(lookups, 1, "{t} looked up once, not per node");
    }
    assert_token_only_in_authorization(&fake);

    click(&browser, "#tab-nodes");
    let deadline = Instant::now() + Duration::from_secs(30);
    let sources = loop {
        let s = node_sources(&browser);
        if s.len() == 17 && s.iter().all(|x| x == "vantage") {
            break s;
        }
        assert!(Instant::now() < deadline, "node price sources: {s:?}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(sources.len(), 17);
    browser
        .execute(
            "document.querySelector('#nodes-table').scrollIntoView();",
            json!([]),
        )
        .unwrap();
    shot(&browser, "vantage-04-nodes-priced-by-vantage.png");

    // A second fetch is served by the cache: no request at all.
    fake.clear_log();
    click(&browser, "#vantage-fetch");
    let summary = wait_text(&browser, "#vantage-summary", Duration::from_secs(30), |t| {
        t.starts_with("Done")
    });
    assert!(summary.contains("0 requests to Vantage"), "{summary}");
    assert_eq!(fake.requests().len(), 0, "the cache answers");
    let log = text_of(&browser, "#vantage-log").unwrap_or_default();
    assert!(log.contains("Cost data cached for m5.large"), "{log}");
    let states = text_of(&browser, "#vantage-status tbody").unwrap_or_default();
    assert_eq!(states.matches("vantage cache").count(), 7, "{states}");
    let cache = browser
        .execute(
            "return localStorage.getItem('kube-rightsize.vantage-cache.v1');",
            json!([]),
        )
        .unwrap();
    let cache = cache.as_str().expect("the price cache is in localStorage");
    assert!(cache.contains("m5.large") && !cache.contains(DEFAULT_TOKEN));
    shot(&browser, "vantage-05-second-fetch-cached.png");

    // A wrong token: 401, said plainly; the Vantage prices already applied stay.
    click(&browser, "#vantage-clear-cache");
    set_field(&browser, "#vantage-token", "vntg_tkn_wrong");
    click(&browser, "#vantage-test");
    let tested = wait_text(
        &browser,
        "#vantage-test-result",
        Duration::from_secs(20),
        |t| !t.contains("Testing"),
    );
    assert!(
        tested.contains("Vantage rejected the token (401)"),
        "{tested}"
    );
    click(&browser, "#vantage-fetch");
    wait_text(&browser, "#vantage-summary", Duration::from_secs(30), |t| {
        t.starts_with("Done")
    });
    let problems = text_of(&browser, "#vantage-problems").unwrap_or_default();
    assert!(
        problems.contains("Vantage rejected the token (401)"),
        "{problems}"
    );
    shot(&browser, "vantage-06-token-rejected.png");

    // Rate limited: a 429 with a reset a few seconds away is waited out (visibly), then it works.
    set_field(&browser, "#vantage-token", DEFAULT_TOKEN);
    fake.configure(|c| c.budget = 0);
    fake.clear_log();
    click(&browser, "#vantage-fetch");
    let wait = wait_text(&browser, "#vantage-wait", Duration::from_secs(30), |t| {
        t.contains("s left")
    });
    assert!(
        wait.contains("Vantage rate limit reached (429): waiting"),
        "{wait}"
    );
    shot(&browser, "vantage-07-rate-limited-waiting.png");
    fake.configure(|c| c.budget = 1000);
    let summary = wait_text(&browser, "#vantage-summary", Duration::from_secs(60), |t| {
        t.starts_with("Done")
    });
    assert!(summary.contains("7 of 7 prices"), "{summary}");
    assert!(
        fake.requests().iter().any(|r| r.status == 429),
        "the fake answered 429"
    );
    let log = text_of(&browser, "#vantage-log").unwrap_or_default();
    assert!(log.contains("rate limit reached (429)"), "{log}");
    shot(&browser, "vantage-08-after-the-wait.png");
    assert_token_only_in_authorization(&fake);

    // Cancel: a slow Vantage, a run stopped after its first request; nothing more is sent.
    click(&browser, "#vantage-clear-cache");
    fake.configure(|c| c.delay = Duration::from_millis(1500));
    fake.clear_log();
    click(&browser, "#vantage-fetch");
    wait_text(&browser, "#vantage-log", Duration::from_secs(10), |t| {
        t.contains("Querying cost for c5.2xlarge")
    });
    click(&browser, "#vantage-cancel");
    let summary = wait_text(&browser, "#vantage-summary", Duration::from_secs(10), |t| {
        t.starts_with("Cancelled")
    });
    assert!(summary.contains("0 of 7 prices"), "{summary}");
    shot(&browser, "vantage-08b-cancelled.png");
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        fake.requests().len() <= 1,
        "stopped after the request in flight: {:?}",
        fake.requests()
    );
    fake.configure(|c| c.delay = Duration::ZERO);

    // The token was never remembered: nothing secret in localStorage.
    let stored = browser
        .execute(
            "return Object.keys(localStorage).map(k => k + '=' + localStorage.getItem(k)).join('\\n');",
            json!([]),
        )
        .unwrap();
    let stored = stored.as_str().unwrap_or_default();
    assert!(!stored.contains(DEFAULT_TOKEN), "{stored}");
    assert!(!stored.contains("vntg_tkn_wrong"), "{stored}");
    let console = browser.console_log().unwrap_or_default();
    assert!(
        console.iter().all(|l| !l.contains(DEFAULT_TOKEN)),
        "{console:?}"
    );
}

#[test]
fn vantage_direct_without_cors_is_explained() {
    let fake = kube_rightsize_fake_vantage::start(Config {
        cors: Cors::Off,
        ..Config::default()
    })
    .expect("fake Vantage");
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium via chromedriver");
    demo_with_panel(&browser, &server.url());

    // A static deployment has no proxy: the default is the public API.
    wait_text(
        &browser,
        "#vantage-base-note",
        Duration::from_secs(20),
        |t| t.contains("No same-origin proxy here"),
    );
    assert_eq!(
        value_of(&browser, "#vantage-base"),
        "https://api.vantage.sh"
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /vantage/v2/ping")),
        "the page probed for a proxy: {:?}",
        server.requests()
    );

    // Pointed straight at a server that sends no CORS headers, the browser blocks the call.
    set_field(&browser, "#vantage-base", &fake.url());
    set_field(&browser, "#vantage-token", DEFAULT_TOKEN);
    click(&browser, "#vantage-fetch");
    let blocked = wait_text(
        &browser,
        "#vantage-blocked",
        Duration::from_secs(30),
        |_| true,
    );
    assert!(
        blocked.contains("The browser blocked the request"),
        "{blocked}"
    );
    assert!(
        blocked.contains(&format!("may not read answers from {}", fake.url())),
        "{blocked}"
    );
    assert!(blocked.contains("Three ways out"), "{blocked}");
    assert!(blocked.contains("trunk serve"), "{blocked}");
    assert!(blocked.contains("proxy"), "{blocked}");
    assert!(
        blocked.contains("kube-rightsize prices cluster.json --vantage-token-env"),
        "{blocked}"
    );
    let summary = text_of(&browser, "#vantage-summary").unwrap_or_default();
    assert!(summary.contains("0 of 7 prices"), "{summary}");
    shot(&browser, "vantage-09-cors-blocked.png");
    // The browser stopped at the preflight: no GET carried the token.
    let requests = fake.requests();
    assert!(
        requests.iter().any(|r| r.method == "OPTIONS"),
        "{requests:?}"
    );
    assert!(requests.iter().all(|r| r.method != "GET"), "{requests:?}");
    assert_token_only_in_authorization(&fake);
    // The report still has prices from the other sources.
    let nodes = text_of(&browser, "#card-nodes").unwrap_or_default();
    assert!(nodes.contains("17"), "{nodes}");
}

/// Waits until no analysis is running (the busy line is gone).
fn wait_idle(browser: &Browser) {
    std::thread::sleep(Duration::from_millis(300));
    let deadline = Instant::now() + Duration::from_secs(60);
    while browser
        .execute(
            "return document.querySelector('#busy') !== null;",
            json!([]),
        )
        .expect("execute")
        == json!(true)
    {
        assert!(Instant::now() < deadline, "the analysis did not finish");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Regression (issue 22): the app asked Vantage for manually priced types, and its report did
/// not mention Vantage failures. The fetch runs through the analysis pipeline now: Vantage is
/// not asked for m5.large (a manual price), the types the fake has no price for are report
/// warnings, and later analyses keep both without asking Vantage again.
#[test]
fn vantage_skips_manual_types_and_its_failures_reach_the_report() {
    // The default fake has no r5.xlarge and no c5.2xlarge.
    let fake = kube_rightsize_fake_vantage::start(Config::default()).expect("fake Vantage");
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium via chromedriver");
    demo_with_panel(&browser, &server.url());
    set_field(&browser, "#manual-prices", "m5.large=0.05");
    wait_idle(&browser);

    // Straight to the fake (it allows this origin).
    set_field(&browser, "#vantage-base", &fake.url());
    set_field(&browser, "#vantage-token", DEFAULT_TOKEN);
    click(&browser, "#vantage-fetch");
    let summary = wait_text(&browser, "#vantage-summary", Duration::from_secs(60), |t| {
        t.starts_with("Done")
    });
    // c5.xlarge and m5.xlarge (one of them also spot): 2 requests each; r5.xlarge,
    // c5.2xlarge and g5.xlarge: 1 each (no such product).
    assert!(
        summary.contains("7 requests to Vantage; 3 of 6 prices"),
        "{summary}"
    );
    let requests = fake.requests();
    assert!(
        requests.iter().any(|r| r.query.contains("name=m5.xlarge")),
        "{requests:?}"
    );
    assert!(
        requests.iter().all(|r| !r.query.contains("name=m5.large")),
        "Vantage was asked for the manually priced m5.large: {:?}",
        requests
            .iter()
            .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
            .collect::<Vec<_>>()
    );
    let states = text_of(&browser, "#vantage-status tbody").unwrap_or_default();
    assert!(
        !states.contains("m5.large") && states.contains("no_price"),
        "{states}"
    );
    assert_token_only_in_authorization(&fake);
    shot(&browser, "vantage-10-manual-type-not-asked.png");

    let report_warnings = |browser: &Browser| {
        click(browser, "#tab-warnings");
        text_of(browser, "#warnings-table").unwrap_or_default()
    };
    let warnings = report_warnings(&browser);
    assert!(
        warnings.contains("vantage_no_price")
            && warnings.contains("Vantage has no price for r5.xlarge in us-east-1"),
        "{warnings}"
    );
    shot(&browser, "vantage-11-failures-in-the-report.png");

    // A later analysis (a settings change) uses the fetched prices and keeps the warnings,
    // without asking Vantage again.
    fake.clear_log();
    set_field(&browser, "#fallback-cpu", "0.05");
    wait_idle(&browser);
    assert_eq!(fake.requests().len(), 0, "{:?}", fake.requests());
    let warnings = report_warnings(&browser);
    assert!(warnings.contains("vantage_no_price"), "{warnings}");
    click(&browser, "#tab-nodes");
    let sources = node_sources(&browser);
    assert!(sources.iter().any(|s| s == "vantage"), "{sources:?}");
    assert!(sources.iter().any(|s| s == "manual"), "{sources:?}");
}
