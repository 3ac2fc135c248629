//! End-to-end: an HTML report rendered by the core, opened from a static server in headless
//! Chromium with JavaScript disabled. The summary figures must match the JSON report's, and the
//! page must fetch nothing but itself.

use std::path::PathBuf;
use std::time::Duration;

use kube_rightsize_core::analysis::{Settings, analyze};
use kube_rightsize_core::format::fmt_usd;
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::report::html::{HtmlOptions, render_html};
use kube_rightsize_core::report::json;
use kube_rightsize_e2e::screenshot_dir;
use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;

const MIXED: &[u8] = include_bytes!("../../core/tests/fixtures/cost/mixed.json");

fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[test]
fn exported_report_reads_without_javascript() {
    let catalogue = Catalogue::try_embedded().expect("embedded catalogue");
    let analysis = analyze(
        &[Input::new("mixed.json", MIXED)],
        &Settings::default(),
        Some(catalogue),
        "2026-01-31T12:00:00Z",
    )
    .expect("fixture ingests");
    let html = render_html(
        &analysis.report,
        &HtmlOptions {
            cluster_name: Some("e2e mixed".into()),
            inputs: analysis.cluster.inputs.clone(),
            ..HtmlOptions::default()
        },
    );
    let report: serde_json::Value =
        serde_json::from_str(&json::to_json(&analysis.report)).expect("JSON report");

    let dir: PathBuf = std::env::temp_dir().join(format!("krs-html-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("report.html"), &html).expect("write report");
    // Keep a copy next to the screenshots for people to open.
    let _ = std::fs::write(screenshot_dir().join("html-report.html"), &html);

    let server = StaticServer::start(&dir).expect("static server");
    let browser = Browser::start_with(&[
        "--blink-settings=scriptEnabled=false",
        "--window-size=1280,2200",
    ])
    .expect("headless Chromium via chromedriver");
    browser
        .goto(&format!("{}/report.html", server.url()))
        .expect("open the report");
    let monthly = browser
        .wait_for("#sum-monthly-cost", Duration::from_secs(30))
        .expect("the summary renders");

    let s = &report["summary"];
    let usd = |field: &str| fmt_usd(s[field].as_f64().expect(field));
    let count = |field: &str| group(s[field].as_u64().expect(field));
    let text = |css: &str| {
        let el = browser.find(css).unwrap_or_else(|e| panic!("{css}: {e}"));
        browser.text(&el).expect("text")
    };
    assert_eq!(browser.text(&monthly).expect("text"), usd("monthly_cost"));
    assert_eq!(text("#sum-allocated"), usd("allocated_monthly_cost"));
    assert_eq!(text("#sum-idle"), usd("idle_monthly_cost"));
    assert_eq!(text("#sum-savings"), usd("monthly_savings"));
    assert_eq!(text("#sum-nodes"), count("nodes"));
    assert_eq!(text("#sum-pods"), count("pods"));
    assert_eq!(text("#sum-workloads"), count("workloads"));
    assert_eq!(text("#sum-namespaces"), count("namespaces"));
    assert!(text("h1").contains("e2e mixed"));

    // The most expensive namespace's bar is labelled in the chart.
    let top_ns = report["namespaces"][0]["name"].as_str().expect("namespace");
    assert!(
        text("#chart-namespaces").contains(top_ns),
        "chart labels {top_ns}"
    );
    // Every workload row is there (no JavaScript needed to see them).
    let rows = browser
        .find_all("#workloads tbody tr")
        .expect("workload rows");
    assert_eq!(
        rows.len(),
        report["workloads"].as_array().expect("workloads").len()
    );

    browser
        .screenshot(&screenshot_dir().join("html-report-top.png"))
        .expect("screenshot");
    browser
        .goto(&format!("{}/report.html#nodes", server.url()))
        .expect("scroll to the nodes");
    browser
        .screenshot(&screenshot_dir().join("html-report-nodes.png"))
        .expect("screenshot");

    let requests = server.requests();
    assert!(
        requests.iter().all(|r| r.starts_with("GET /report.html")),
        "the report fetches nothing else: {requests:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
