//! Saved reports dropped without a snapshot: the built app merges them into a fleet (the core's
//! `report::fleet`) and its exports are `kube-rightsize merge`'s, byte for byte.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;
use kube_rightsize_e2e::{DemoFiles, dist_dir, pick_and_analyze, screenshot_dir};
use serde_json::{Value, json};

fn cli(cli: &str, work: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(cli)
        .current_dir(work)
        .args(args)
        .output()
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn saved_reports_alone_make_a_fleet_whose_exports_are_the_clis() {
    let krs = std::env::var("KRS_CLI")
        .expect("KRS_CLI is not set: run the end-to-end tests with `cargo xtask test`");
    let files = DemoFiles::new("fleet");
    let (work, downloads) = (&files.work, &files.downloads);
    let eks = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/eks-managed-ondemand.json");
    let at = ["--generated-at", "2026-12-01T06:00:00Z"];
    let mut prod = vec![
        "analyze",
        "cluster.json",
        "--krr",
        "krr.json",
        "--cluster-name",
        "prod",
    ];
    prod.extend(["-f", "json", "-o", "prod.json"]);
    prod.extend(at);
    cli(&krs, work, &prod);
    let eks = eks.to_str().expect("path").to_owned();
    let mut staging = vec!["analyze", eks.as_str(), "--cluster-name", "staging"];
    staging.extend(["-f", "json", "-o", "staging.json"]);
    staging.extend(at);
    cli(&krs, work, &staging);

    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start_with_options(&[], Some(downloads)).expect("headless Chromium");
    browser.goto(&server.url()).unwrap();
    pick_and_analyze(
        &browser,
        &[&work.join("prod.json"), &work.join("staging.json")],
    );
    if let Err(e) = browser.wait_for("#fleet", Duration::from_secs(60)) {
        panic!(
            "no fleet view ({e}); the page says:\n{}\nconsole: {:?}",
            browser.body_text().unwrap_or_default(),
            browser.console_log().unwrap_or_default()
        );
    }
    let clusters = browser
        .text(&browser.find("#fleet-clusters").unwrap())
        .unwrap();
    assert!(clusters.ends_with("\n2"), "{clusters}");
    let rows = browser
        .find_all("#fleet-cluster-rows-table tbody tr")
        .expect("rows");
    assert_eq!(rows.len(), 2);
    let first = browser.text(&rows[0]).unwrap();
    assert!(first.starts_with("prod"), "{first}");
    assert!(
        browser.find_all("#report").expect("report").is_empty(),
        "no report of an empty cluster"
    );
    browser
        .execute(
            "document.querySelector('#fleet').scrollIntoView();",
            json!([]),
        )
        .unwrap();
    browser
        .screenshot(&screenshot_dir().join("08-fleet.png"))
        .unwrap();

    browser
        .click(&browser.find("#export-fleet-json").unwrap())
        .unwrap();
    let json_path = files.wait_for_download("json");
    let app_json = std::fs::read(&json_path).expect("download");
    let fleet: Value = serde_json::from_slice(&app_json).expect("the app's fleet JSON");
    let generated = fleet["generated_at"]
        .as_str()
        .expect("generated_at")
        .to_owned();
    let merge = |format: &str| {
        cli(
            &krs,
            work,
            &[
                "merge",
                "prod.json",
                "staging.json",
                "-f",
                format,
                "--generated-at",
                &generated,
            ],
        )
    };
    assert!(
        app_json == merge("json"),
        "the app's fleet JSON is the CLI's"
    );
    std::fs::remove_file(&json_path).expect("remove");
    browser
        .click(&browser.find("#export-fleet-html").unwrap())
        .unwrap();
    let html_path = files.wait_for_download("html");
    let html = std::fs::read(&html_path).expect("download");
    assert!(html == merge("html"), "the app's fleet page is the CLI's");
    std::fs::remove_file(&html_path).expect("remove");

    // Anonymised: no cluster or node names in the export.
    browser
        .click(&browser.find("#fleet-anonymise").unwrap())
        .unwrap();
    browser
        .click(&browser.find("#export-fleet-json").unwrap())
        .unwrap();
    let anonymised = std::fs::read_to_string(files.wait_for_download("json")).expect("download");
    let named: Value =
        serde_json::from_slice(&std::fs::read(work.join("prod.json")).expect("prod"))
            .expect("JSON");
    let node = named["nodes"][0]["name"].as_str().expect("a node");
    assert!(!anonymised.contains("\"prod\"") && !anonymised.contains("\"staging\""));
    assert!(!anonymised.contains(node), "{node} in the anonymised fleet");
}
