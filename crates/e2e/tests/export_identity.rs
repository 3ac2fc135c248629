//! The app's exported HTML report and re-pack CSV are byte-identical to the CLI's for the same
//! inputs, settings and generation time; the exported JSON agrees with the page.

use std::process::Command;

use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;
use kube_rightsize_e2e::{DemoFiles, dist_dir, screenshot_dir};

#[test]
fn app_and_cli_export_the_same_html_bytes() {
    let cli = std::env::var("KRS_CLI")
        .expect("KRS_CLI is not set: run the end-to-end tests with `cargo xtask test`");
    let files = DemoFiles::new("identity");
    let (work, downloads) = (&files.work, &files.downloads);
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start_with_options(&[], Some(downloads)).expect("headless Chromium");
    browser.goto(&server.url()).unwrap();
    files.analyze_in(&browser);
    let name_field = browser.find("#cluster-name").unwrap();
    browser.send_keys(&name_field, "prod-eks").unwrap();
    browser
        .screenshot(&screenshot_dir().join("05-files-with-krr.png"))
        .unwrap();
    // The Workloads table with KRR's recommendations (the README's second screenshot).
    browser
        .execute(
            "document.querySelector('#workloads-table').scrollIntoView();",
            serde_json::json!([]),
        )
        .unwrap();
    browser
        .screenshot(&screenshot_dir().join("05b-workloads-with-krr.png"))
        .unwrap();

    browser
        .click(&browser.find("#export-json").unwrap())
        .unwrap();
    let json_file = files.wait_for_download("json");
    browser
        .click(&browser.find("#export-html").unwrap())
        .unwrap();
    let html_file = files.wait_for_download("html");
    assert_eq!(
        html_file
            .file_name()
            .unwrap()
            .to_string_lossy()
            .split("-20")
            .next()
            .unwrap(),
        "kube-rightsize-prod-eks"
    );

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_file).unwrap()).unwrap();
    let generated_at = report["generated_at"].as_str().unwrap().to_owned();
    assert!(
        report["summary"]["monthly_savings"].as_f64().unwrap() > 0.0,
        "KRR savings priced"
    );
    let shown = browser
        .text(&browser.find("#card-savings .value").unwrap())
        .unwrap();
    assert!(
        shown.starts_with('$') && shown != "$0.00",
        "savings card: {shown}"
    );

    cli_analyze(
        &cli,
        work,
        &[
            "--format",
            "html",
            "--cluster-name",
            "prod-eks",
            "--generated-at",
            &generated_at,
            "-o",
            "cli.html",
        ],
    );
    // The re-pack CSV: each pool's plan, as `--format csv-repack` writes it.
    browser
        .click(&browser.find("#export-repack-csv").unwrap())
        .unwrap();
    let csv_file = files.wait_for_download("csv");
    let from_cli = cli_analyze(&cli, work, &["--format", "csv-repack"]);
    let csv = std::fs::read_to_string(&csv_file).unwrap();
    assert!(csv.starts_with("pool,current,"), "{csv}");
    assert_eq!(csv, from_cli, "app and CLI re-pack CSV");

    let from_app = std::fs::read(&html_file).unwrap();
    let from_cli = std::fs::read(work.join("cli.html")).unwrap();
    if from_app != from_cli {
        let a = String::from_utf8_lossy(&from_app);
        let c = String::from_utf8_lossy(&from_cli);
        let at = a
            .bytes()
            .zip(c.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(c.len()));
        let lo = at.saturating_sub(200);
        panic!(
            "the app's and the CLI's HTML differ at byte {at} (app {} bytes, CLI {} bytes)\napp: …{}…\ncli: …{}…",
            from_app.len(),
            from_cli.len(),
            a.get(lo..(at + 200).min(a.len())).unwrap_or_default(),
            c.get(lo..(at + 200).min(c.len())).unwrap_or_default()
        );
    }
}

/// `kube-rightsize analyze cluster.json --krr krr.json ARGS` in `work`; its standard output.
fn cli_analyze(cli: &str, work: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(cli)
        .current_dir(work)
        .args(["analyze", "cluster.json", "--krr", "krr.json"])
        .args(args)
        .output()
        .expect("run the CLI");
    assert!(
        out.status.success(),
        "CLI failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
