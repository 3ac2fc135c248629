//! An earlier report dropped next to a snapshot: the built app compares them (the Changes tab,
//! shown first) and its exports are `kube-rightsize diff`'s, byte for byte. The earlier report is
//! the demo with its KRR result, saved by the CLI; the snapshot is the demo a month later with
//! one workload's recommendations applied, so $44.46 a month is realised (its pods run on spot
//! nodes, at typical AWS spot prices).

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

/// The demo with `checkout/promotions` at its recommendations (32m CPU, 100Mi memory).
fn applied(demo: &Path) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&std::fs::read(demo).expect("demo")).expect("JSON");
    for pod in v["items"]
        .as_array_mut()
        .expect("List")
        .iter_mut()
        .filter(|i| {
            i["kind"] == "Pod"
                && i["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("promotions-"))
        })
    {
        for c in pod["spec"]["containers"]
            .as_array_mut()
            .expect("containers")
        {
            if c["name"] == "promotions" {
                c["resources"] = json!({"requests": {"cpu": "32m", "memory": "100Mi"}});
            }
        }
    }
    serde_json::to_vec(&v).expect("JSON")
}

fn text(browser: &Browser, css: &str) -> String {
    browser
        .text(&browser.find(css).unwrap_or_else(|e| panic!("{css}: {e}")))
        .expect("text")
}

#[test]
fn an_earlier_report_next_to_a_snapshot_shows_what_changed_and_exports_the_clis_comparison() {
    let krs = std::env::var("KRS_CLI")
        .expect("KRS_CLI is not set: run the end-to-end tests with `cargo xtask test`");
    let files = DemoFiles::new("changes");
    let (work, downloads) = (&files.work, &files.downloads);
    cli(
        &krs,
        work,
        &[
            "analyze",
            "cluster.json",
            "--krr",
            "krr.json",
            "--cluster-name",
            "demo",
            "--format",
            "json",
            "-o",
            "november.json",
            "--generated-at",
            "2026-11-01T06:00:00Z",
        ],
    );
    std::fs::write(
        work.join("december.json"),
        applied(&work.join("cluster.json")),
    )
    .expect("write");

    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start_with_options(&[], Some(downloads)).expect("headless Chromium");
    browser.goto(&server.url()).unwrap();
    pick_and_analyze(
        &browser,
        &[&work.join("november.json"), &work.join("december.json")],
    );
    browser
        .wait_for("#changes", Duration::from_secs(60))
        .expect("the Changes tab is shown first");
    let selected = browser
        .execute(
            "return document.querySelector('#tab-changes').getAttribute('aria-selected');",
            json!([]),
        )
        .expect("tab");
    assert_eq!(selected, json!("true"));
    assert!(text(&browser, "#changes-realised").contains("$44.46"));
    assert!(text(&browser, "#changes-applied").contains("\n2 of "));
    assert!(
        text(&browser, "#changes-about").contains("report of demo generated 2026-11-01T06:00:00Z")
    );
    let rows = browser
        .find_all("#changes-recommendations-table tbody tr")
        .expect("rows");
    assert!(!rows.is_empty());
    assert!(text(&browser, "#changes-recommendations-table tbody tr").contains("promotions"));
    browser
        .execute(
            "document.querySelector('#tab-changes').scrollIntoView();",
            json!([]),
        )
        .unwrap();
    browser
        .screenshot(&screenshot_dir().join("07-changes.png"))
        .unwrap();

    // The exports are the CLI's comparison at the app's time.
    browser
        .click(&browser.find("#export-changes-json").unwrap())
        .unwrap();
    let json_path = files.wait_for_download("json");
    let app_json = std::fs::read(&json_path).expect("download");
    let diff: Value = serde_json::from_slice(&app_json).expect("the app's comparison JSON");
    let at = diff["generated_at"]
        .as_str()
        .expect("generated_at")
        .to_owned();
    let cli_json = cli(
        &krs,
        work,
        &[
            "diff",
            "november.json",
            "december.json",
            "-f",
            "json",
            "--generated-at",
            &at,
        ],
    );
    assert!(
        app_json == cli_json,
        "the app's comparison JSON is the CLI's"
    );
    std::fs::remove_file(&json_path).expect("remove");
    browser
        .click(&browser.find("#export-changes-html").unwrap())
        .unwrap();
    let html = std::fs::read(files.wait_for_download("html")).expect("download");
    let cli_html = cli(
        &krs,
        work,
        &[
            "diff",
            "november.json",
            "december.json",
            "-f",
            "html",
            "--generated-at",
            &at,
        ],
    );
    assert!(html == cli_html, "the app's comparison page is the CLI's");
}
