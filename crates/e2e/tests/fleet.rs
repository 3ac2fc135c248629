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

/// Waits up to 60 s until `script` (a JavaScript expression) is true in the page.
fn wait_until(browser: &Browser, script: &str, what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let v = browser
            .execute(&format!("return !!({script});"), json!([]))
            .unwrap_or(Value::Bool(false));
        if v == Value::Bool(true) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not seen in 60 s; the page says:\n{}",
            browser.body_text().unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The first column of the fleet's clusters table, row by row.
const CLUSTER_NAMES: &str = "[...document.querySelectorAll('#fleet-cluster-rows-table tbody tr')]\
    .map(r => r.cells[0].textContent.trim()).join(',')";

#[test]
fn several_snapshots_are_a_fleet_that_compares_with_last_months_reports() {
    let krs = std::env::var("KRS_CLI")
        .expect("KRS_CLI is not set: run the end-to-end tests with `cargo xtask test`");
    let files = DemoFiles::new("fleet-snapshots");
    let work = &files.work;
    // Two clusters' snapshots, named as their clusters, and the demo's KRR result.
    let snap = work.join("snap");
    std::fs::create_dir_all(&snap).expect("dir");
    std::fs::copy(work.join("cluster.json"), snap.join("prod.json")).expect("copy");
    let eks = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/eks-managed-ondemand.json");
    std::fs::copy(&eks, snap.join("staging.json")).expect("copy");
    // Last month's reports of both, merged as a fleet, as each cluster's CI job and a central
    // merge would make them.
    let at = ["--generated-at", "2026-11-01T06:00:00Z"];
    let analyse = |args: &[&str], name: &str| {
        let mut all = vec!["analyze"];
        all.extend(args);
        all.extend(["--cluster-name", name, "-f", "json", "-o"]);
        let out = format!("{name}-nov.json");
        all.push(&out);
        all.extend(at);
        cli(&krs, work, &all);
    };
    analyse(&["snap/prod.json", "--krr", "krr.json"], "prod");
    analyse(&["snap/staging.json"], "staging");
    cli(
        &krs,
        work,
        &[
            "merge",
            "prod-nov.json",
            "staging-nov.json",
            "-f",
            "json",
            "-o",
            "november.json",
        ],
    );
    let november: Value =
        serde_json::from_slice(&std::fs::read(work.join("november.json")).expect("fleet"))
            .expect("JSON");

    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium");
    browser.goto(&server.url()).unwrap();
    pick_and_analyze(
        &browser,
        &[
            &snap.join("prod.json"),
            &work.join("krr.json"),
            &snap.join("staging.json"),
        ],
    );
    browser
        .wait_for("#fleet", Duration::from_secs(60))
        .unwrap_or_else(|e| {
            panic!(
                "no fleet ({e}): {}",
                browser.body_text().unwrap_or_default()
            )
        });
    wait_until(
        &browser,
        &format!("{CLUSTER_NAMES} == 'prod,staging'"),
        "two clusters",
    );
    // The same figures as last month's reports: nothing changed in between.
    let cost = browser.text(&browser.find("#fleet-cost").unwrap()).unwrap();
    let expected = november["totals"]["monthly_cost"].as_f64().expect("cost");
    let shown = kube_rightsize_core::format::fmt_usd(expected);
    assert!(cost.ends_with(&shown), "{cost} vs {shown}");
    // The KRR result went to the cluster it names; every input has a cluster picker.
    let pickers = browser.find_all(".chip-cluster").expect("pickers");
    assert_eq!(pickers.len(), 3);
    let krr_cluster = browser
        .execute(
            "return document.querySelector('[aria-label=\"Cluster of krr.json\"]').value;",
            json!([]),
        )
        .unwrap();
    assert_eq!(krr_cluster, json!("prod"));

    // Prometheus would serve one of them: the panel offers both.
    let options = browser
        .execute(
            "return [...document.querySelectorAll('#prometheus-cluster option')]\
                .map(o => o.value).join(',');",
            json!([]),
        )
        .unwrap();
    assert_eq!(options, json!("prod,staging"));

    // Renamed, the cluster no longer matches last month's; named back, it does.
    let rename = |from: &str, to: &str| {
        browser
            .execute(
                "const i = [...document.querySelectorAll('.cluster-name')]\
                    .find(i => i.value === arguments[0]);\
                 i.value = arguments[1];\
                 i.dispatchEvent(new Event('change', {bubbles: true}));",
                json!([from, to]),
            )
            .unwrap();
    };
    rename("staging", "eu");
    wait_until(
        &browser,
        &format!("{CLUSTER_NAMES} == 'prod,eu'"),
        "the renamed cluster",
    );
    // Last month's fleet added to the inputs: compared cluster by cluster.
    let picker = browser.find("#file-picker").expect("picker");
    browser
        .send_keys(&picker, &work.join("november.json").display().to_string())
        .expect("pick");
    wait_until(
        &browser,
        "document.querySelectorAll('.chip').length == 4",
        "four chips",
    );
    browser
        .click(&browser.find("#analyze").expect("Analyze"))
        .expect("click");
    browser
        .wait_for("#fleet-changes", Duration::from_secs(60))
        .unwrap_or_else(|e| {
            panic!(
                "no comparison ({e}): {}",
                browser.body_text().unwrap_or_default()
            )
        });
    let compared = |expected: &str| {
        wait_until(
            &browser,
            &format!(
                "(document.querySelector('#fleet-changes-compared') || {{}}).textContent \
                 ?.endsWith('{expected}')"
            ),
            expected,
        );
    };
    compared("1 of 3");
    rename("eu", "staging");
    compared("2 of 2");
    let change = browser
        .text(&browser.find("#fleet-changes-cost").unwrap())
        .unwrap();
    assert!(change.ends_with("$0.00"), "{change}");
    for (element, name) in [
        ("#inputs", "15-fleet-snapshots.png"),
        ("#fleet-changes", "15b-fleet-snapshots-changes.png"),
    ] {
        browser
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView();",
                json!([element]),
            )
            .unwrap();
        browser.screenshot(&screenshot_dir().join(name)).unwrap();
    }
}
