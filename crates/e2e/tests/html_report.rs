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

/// The fleet page, a cluster's comparison and two fleets' comparison, opened like the report:
/// JavaScript off, their own policy in force (the stylesheet applies only if its hash matches),
/// every figure in the page, nothing fetched.
#[test]
fn fleet_and_comparison_pages_read_without_javascript_under_their_policy() {
    use kube_rightsize_core::report::diff::{compare, fleet as fleet_diff, render};
    use kube_rightsize_core::report::export::ExportFormat;
    use kube_rightsize_core::report::fleet::render::{FleetExport, render as render_fleet};
    use kube_rightsize_core::report::fleet::{Member, merge};

    const EKS: &[u8] = include_bytes!("../../core/tests/fixtures/eks-managed-ondemand.json");
    let catalogue = Catalogue::try_embedded().expect("embedded catalogue");
    let report = |name: &str, bytes: &[u8], at: &str| {
        let mut r = analyze(
            &[Input::new(name, bytes)],
            &Settings::default(),
            Some(catalogue),
            at,
        )
        .expect("fixture ingests")
        .report;
        r.cluster = Some(name.trim_end_matches(".json").to_owned());
        r
    };
    let fleet_at = |at: &str, names: &[(&str, &[u8])]| {
        let members = names
            .iter()
            .map(|(n, b)| Member {
                input: (*n).to_owned(),
                report: report(n, b, at),
                warnings: Vec::new(),
            })
            .collect();
        merge(members, at)
    };
    let november = fleet_at(
        "2026-11-01T00:00:00Z",
        &[("prod.json", MIXED), ("staging.json", EKS)],
    );
    let december = fleet_at(
        "2026-12-01T00:00:00Z",
        &[("prod.json", MIXED), ("dev.json", EKS)],
    );
    let one = compare(
        &november.reports[0],
        &december.reports[0],
        "2026-12-01T00:00:00Z",
    );
    let two = fleet_diff::compare_fleets(&november, &december, "2026-12-01T00:00:00Z");
    let pages = [
        (
            "fleet.html",
            render_fleet(
                &december,
                &FleetExport {
                    format: ExportFormat::Html,
                    anonymise_key: None,
                },
            ),
            vec![
                ("#sum-clusters", "2".to_owned()),
                ("#sum-monthly-cost", fmt_usd(december.totals.monthly_cost)),
            ],
            ("#clusters tbody tr", december.clusters.len()),
        ),
        (
            "diff.html",
            render::render(&one, ExportFormat::Html),
            vec![("#sum-cost-change", render::signed_usd(0.0))],
            ("#summary tbody tr", one.summary.len()),
        ),
        (
            "fleet-diff.html",
            fleet_diff::render(&two, ExportFormat::Html),
            vec![(
                "#sum-cost-change",
                render::signed_usd(december.totals.monthly_cost - november.totals.monthly_cost),
            )],
            ("#clusters tbody tr", two.clusters.len()),
        ),
    ];
    let dir: PathBuf = std::env::temp_dir().join(format!("krs-html-pages-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, html, _, _) in &pages {
        std::fs::write(dir.join(name), html).expect("write page");
    }
    let server = StaticServer::start(&dir).expect("static server");
    let browser = Browser::start_with(&["--blink-settings=scriptEnabled=false"])
        .expect("headless Chromium via chromedriver");
    for (name, _, figures, (rows_css, rows)) in &pages {
        browser
            .goto(&format!("{}/{name}", server.url()))
            .expect("open the page");
        let h1 = browser
            .wait_for("h1", Duration::from_secs(30))
            .expect("the page renders");
        // The stylesheet is inline, allowed by its hash: tables collapse their borders.
        let table = browser.find("table").expect("a table");
        assert_eq!(
            browser.css_value(&table, "border-collapse").expect("css"),
            "collapse",
            "{name}: the policy let the page's own style apply"
        );
        assert!(!browser.text(&h1).expect("text").is_empty());
        for (css, expected) in figures {
            let el = browser
                .find(css)
                .unwrap_or_else(|e| panic!("{name} {css}: {e}"));
            assert_eq!(&browser.text(&el).expect("text"), expected, "{name} {css}");
        }
        let found = browser.find_all(rows_css).expect("rows").len();
        assert_eq!(found, *rows, "{name}: {rows_css}");
    }
    let requests = server.requests();
    assert!(
        requests.iter().all(|r| pages
            .iter()
            .any(|(n, ..)| r.starts_with(&format!("GET /{n}")))),
        "the pages fetch nothing else: {requests:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
