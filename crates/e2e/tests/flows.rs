//! End-to-end flows beyond the demo: pasting a snapshot and exporting the JSON report.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;
use kube_rightsize_e2e::{dist_dir, screenshot_dir};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn pasted_snapshot_is_analysed_and_exported_as_json() {
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let downloads = std::env::temp_dir().join(format!("krs-e2e-downloads-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&downloads);
    std::fs::create_dir_all(&downloads).unwrap();
    let browser = Browser::start_with_options(&[], Some(&downloads)).expect("headless Chromium");
    browser.goto(&server.url()).expect("open the app");
    browser
        .wait_for("#paste", Duration::from_secs(30))
        .expect("paste area");

    let snapshot = fixture("cost/mixed.json");
    browser.paste(&snapshot).expect("paste");
    let chip = browser
        .wait_for(".chip .chip-name", Duration::from_secs(10))
        .unwrap();
    assert_eq!(browser.text(&chip).unwrap(), "paste");
    browser.click(&browser.find("#analyze").unwrap()).unwrap();
    let summary = browser
        .wait_for("#summary", Duration::from_secs(30))
        .expect("report");
    let summary_text = browser.text(&summary).unwrap();
    browser
        .screenshot(&screenshot_dir().join("03-pasted-report.png"))
        .unwrap();
    let held = browser.text(&browser.find(".chip-held").unwrap()).unwrap();
    assert!(
        held.contains("8 nodes"),
        "chip says what the input held: {held}"
    );

    // Export the JSON report and compare it with what the page shows.
    browser
        .click(&browser.find("#export-json").unwrap())
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let file = loop {
        let found = std::fs::read_dir(&downloads)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "json"));
        if let Some(f) = found {
            break f;
        }
        assert!(
            Instant::now() < deadline,
            "no JSON download appeared in {}",
            downloads.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("kube-rightsize-cluster-") && name.ends_with(".json"),
        "{name}"
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(report["schema"], "kube-rightsize/report/v1");
    assert_eq!(report["summary"]["nodes"], 8);
    let monthly = report["summary"]["monthly_cost"].as_f64().unwrap();
    let shown = browser
        .text(&browser.find("#card-cost .value").unwrap())
        .unwrap();
    assert_eq!(
        shown,
        format!("${}", fmt_thousands(monthly)),
        "card vs JSON"
    );
    assert!(summary_text.contains(&shown));
    // Nothing left the page: only same-origin static assets were requested.
    for r in server.requests() {
        assert!(r.starts_with("GET /"), "unexpected request {r}");
    }
}

#[test]
fn table_output_paste_shows_the_hint() {
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium");
    browser.goto(&server.url()).expect("open the app");
    browser.wait_for("#paste", Duration::from_secs(30)).unwrap();
    browser
        .paste(
            "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/1     Running   0          2d\n",
        )
        .expect("paste");
    browser.wait_for(".chip", Duration::from_secs(10)).unwrap();
    browser.click(&browser.find("#analyze").unwrap()).unwrap();
    let err = browser
        .wait_for("#input-error", Duration::from_secs(30))
        .expect("an error panel");
    let text = browser.text(&err).unwrap();
    browser
        .screenshot(&screenshot_dir().join("04-table-paste-error.png"))
        .unwrap();
    assert!(text.contains("add `-o json`"), "{text}");
    assert!(text.contains("line 1, column 1"), "{text}");
}

/// `$1,234.56` formatting of the app, for comparing with the JSON's unrounded figure.
fn fmt_thousands(v: f64) -> String {
    let cents = (v * 100.0).round() as i64;
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02}", cents % 100)
}
