//! End-to-end: the built app in headless Chromium, served from dist/ on 127.0.0.1.

use std::time::Duration;

use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;
use kube_rightsize_e2e::{dist_dir, screenshot_dir};

#[test]
fn demo_button_shows_a_report() {
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium via chromedriver");
    browser.goto(&server.url()).expect("open the app");
    let demo = browser
        .wait_for("#demo", Duration::from_secs(30))
        .expect("the app renders its demo button");
    browser
        .screenshot(&screenshot_dir().join("01-start.png"))
        .expect("screenshot");
    browser.click(&demo).expect("click the demo button");
    let summary = browser
        .wait_for("#summary", Duration::from_secs(30))
        .expect("a report appears after loading the demo");
    let text = browser.text(&summary).expect("summary text");
    browser
        .screenshot(&screenshot_dir().join("02-demo-report.png"))
        .expect("screenshot");
    assert!(text.contains("Nodes"), "summary: {text}");
    assert!(text.contains("17"), "the demo has 17 nodes: {text}");
    // The catalogue asset says what it covers and how old it is.
    let coverage = browser
        .execute(
            "return document.querySelector('#catalogue-coverage').textContent;",
            serde_json::json!([]),
        )
        .expect("coverage text");
    let coverage = coverage.as_str().unwrap_or_default();
    assert!(coverage.contains("aws: 34 regions"), "{coverage}");
    assert!(coverage.contains("as of 2026-07-20"), "{coverage}");
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /catalogue.bin")),
        "the catalogue is fetched same-origin"
    );
    // The page says how long the analysis took (recorded in BENCHMARKS.md), done by the
    // background worker.
    let timing = browser.text(&browser.find("#timing").unwrap()).unwrap();
    assert!(
        timing.starts_with("Analysed 3.9 MB in ")
            && timing.contains(" ms, in a background worker ("),
        "{timing}"
    );
    eprintln!("in-browser timing: {timing}");
    // The summary: cost, idle (its GPU part), savings, the bill (README's screenshot).
    browser
        .execute(
            "document.querySelector('#timing').scrollIntoView();",
            serde_json::json!([]),
        )
        .expect("scroll");
    browser
        .screenshot(&screenshot_dir().join("02a-demo-summary.png"))
        .expect("screenshot");
    // The core's charts are shown in the app.
    let charts = browser.find_all("#charts svg.chart").expect("charts");
    assert!(charts.len() >= 3, "{} charts", charts.len());
    browser
        .execute(
            "document.querySelector('.report-charts').scrollIntoView();",
            serde_json::json!([]),
        )
        .expect("scroll");
    browser
        .screenshot(&screenshot_dir().join("02b-demo-charts.png"))
        .expect("screenshot");
    // The KRR result of the demo is priced: savings are shown.
    let savings = browser
        .text(&browser.find("#card-savings .value").unwrap())
        .unwrap();
    assert_ne!(savings, "$0.00");
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /demo/cluster.json")),
        "the demo is fetched same-origin: {:?}",
        server.requests()
    );
}

/// Scrolls the tabs to the top of the viewport and saves a screenshot of the open tab.
fn tab_screenshot(browser: &Browser, name: &str) {
    browser
        .execute(
            "document.querySelector('nav.tabs').scrollIntoView();",
            serde_json::json!([]),
        )
        .expect("scroll");
    browser
        .screenshot(&screenshot_dir().join(name))
        .expect("screenshot");
}

/// The demo's whole bill (its volumes, the ingress NLB, the EKS fee) and its re-packing, in
/// their tabs; the screenshots are the README's.
#[test]
fn demo_volumes_and_repack_tabs() {
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium via chromedriver");
    browser.goto(&server.url()).expect("open the app");
    let demo = browser
        .wait_for("#demo", Duration::from_secs(30))
        .expect("the app renders its demo button");
    browser.click(&demo).expect("click the demo button");
    browser
        .wait_for("#summary", Duration::from_secs(30))
        .expect("a report appears after loading the demo");
    let bill = browser
        .text(
            &browser
                .find("#card-bill .value")
                .expect("the whole-bill card"),
        )
        .unwrap();
    let nodes = browser
        .text(&browser.find("#card-cost .value").unwrap())
        .unwrap();
    assert_ne!(bill, nodes, "the bill has more than the nodes");

    let tab = browser.find("#tab-volumes").expect("the Volumes tab");
    browser.click(&tab).expect("open the Volumes tab");
    let volumes = browser
        .wait_for("#volumes-table", Duration::from_secs(10))
        .expect("the volumes table");
    let text = browser.text(&volumes).unwrap();
    assert!(
        text.contains("data-kafka-0") && text.contains("gp3"),
        "{text}"
    );
    assert!(
        text.contains("unclaimed"),
        "the released volume is idle storage: {text}"
    );
    let balancers = browser
        .text(&browser.find("#load-balancers-table").unwrap())
        .unwrap();
    assert!(
        balancers.contains("ingress-nginx-controller")
            && balancers.contains("AWS Network Load Balancer"),
        "{balancers}"
    );
    let control = browser
        .text(&browser.find("#control-plane").unwrap())
        .unwrap();
    assert!(control.contains("EKS standard"), "{control}");
    tab_screenshot(&browser, "08-volumes.png");

    let tab = browser.find("#tab-repack").expect("the Re-pack tab");
    browser.click(&tab).expect("open the Re-pack tab");
    let plans = browser
        .wait_for("#repack-pools-table", Duration::from_secs(10))
        .expect("the per pool plans");
    let text = browser.text(&plans).unwrap();
    assert!(text.contains("×"), "plans name instance types: {text}");
    let headline = browser
        .text(&browser.find("#repack-headline").unwrap())
        .unwrap();
    assert!(headline.contains('$'), "{headline}");
    tab_screenshot(&browser, "09-repack.png");

    // Showback: group the demo's costs by its `team` label (pods' own labels, and the
    // namespace's label for the batch jobs).
    let team = browser
        .find("#group-by-key option[value=\"team\"]")
        .expect("the snapshot's team label is offered");
    browser.click(&team).expect("group by team");
    let groups = browser
        .wait_for("#allocation-groups-table", Duration::from_secs(30))
        .expect("the groups table after the re-run");
    let text = browser.text(&groups).unwrap();
    for team in ["commerce", "storefront", "data", "platform"] {
        assert!(text.contains(team), "{team} in {text}");
    }
    let tab = browser.text(&browser.find("#tab-groups").unwrap()).unwrap();
    assert_eq!(tab, "Costs by team");
    let total = browser
        .text(&browser.find("#allocation-total .value").unwrap())
        .unwrap();
    assert_eq!(total, bill, "the groups' lines add up to the whole bill");
    assert!(browser.find("#chart-allocation svg").is_ok());
    let shared = browser
        .execute(
            "return document.querySelector('#group-by-shared').value;",
            serde_json::json!([]),
        )
        .unwrap();
    assert_eq!(
        shared,
        serde_json::json!("kube-system"),
        "the core's default"
    );
    browser
        .execute(
            "document.querySelector('#group-by-bar').scrollIntoView();",
            serde_json::json!([]),
        )
        .expect("scroll");
    browser
        .screenshot(&screenshot_dir().join("10-groups.png"))
        .expect("screenshot");
}
