//! The app's Prometheus field against a real Prometheus with 14 days of backfilled history
//! (the CLI's test setup, `crates/cli/tests/support/prometheus.rs`): the worker runs the
//! core's queries with `fetch` (Prometheus allows any origin by default, `--web.cors.origin`
//! `.*`), and the workloads get KRR `simple` recommendations; a Prometheus that cannot be
//! reached, and one that refuses this page's origin (CORS), leave the cost report with the
//! core's warning.
//!
//! Runs only when `KRS_PROMETHEUS_TESTS` is set (`cargo xtask test` sets it; it installs
//! `prometheus`); skips otherwise.

#[path = "../../cli/tests/support/prometheus.rs"]
mod support;

use std::time::Duration;

use kube_rightsize_core::format::{fmt_bytes, fmt_cores};
use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;
use kube_rightsize_e2e::{dist_dir, screenshot_dir};
use serde_json::{Value, json};
use support::{cores, expected, free_port, mib_up, snapshot};

/// Sets the Prometheus URL field and clicks "Fetch usage", then waits for the new report.
fn fetch_usage(browser: &Browser, url: &str) {
    browser
        .execute(
            "document.querySelector('#prometheus').open = true;
             const i = document.querySelector('#prometheus-url');
             i.value = arguments[0];
             i.dispatchEvent(new Event('input', {bubbles: true}));
             window.__progress = [];
             new MutationObserver(() => {
               const t = document.querySelector('#busy-text');
               if (t && window.__progress[window.__progress.length - 1] !== t.textContent) {
                 window.__progress.push(t.textContent);
               }
             }).observe(document.body, {subtree: true, childList: true, characterData: true});",
            json!([url]),
        )
        .unwrap();
    browser
        .click(&browser.find("#prometheus-fetch").unwrap())
        .unwrap();
    // Done when progress was shown and the busy line is gone again.
    for _ in 0..600 {
        std::thread::sleep(Duration::from_millis(100));
        let done = browser
            .execute(
                "return window.__progress.length > 0 && document.querySelector('#busy') === null;",
                json!([]),
            )
            .unwrap();
        if done == json!(true) {
            return;
        }
    }
    panic!("no finished run after 60 s");
}

/// The Containers cell of a workload's row in the Workloads table.
fn container_title(browser: &Browser, workload: &str) -> String {
    browser
        .execute(
            "const rows = [...document.querySelectorAll('#workloads-table tbody tr')];
             const r = rows.find(tr => [...tr.cells].some(td => td.textContent === arguments[0]));
             const c = r && r.querySelector('td.lines');
             return c ? c.textContent : '';",
            json!([workload]),
        )
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The Warnings tab's (code, message) rows.
fn warnings(browser: &Browser) -> Vec<(String, String)> {
    browser
        .click(&browser.find("#tab-warnings").unwrap())
        .unwrap();
    let rows: Value = browser
        .execute(
            "return [...document.querySelectorAll('#warnings-table tbody tr')]
               .map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent));",
            json!([]),
        )
        .unwrap();
    browser
        .click(&browser.find("#tab-workloads").unwrap())
        .unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .filter_map(|r| {
            let r = r.as_array()?;
            Some((
                r.first()?.as_str()?.to_owned(),
                r.get(2)?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

fn has(warnings: &[(String, String)], code: &str) -> Option<String> {
    warnings
        .iter()
        .find(|(c, _)| c == code)
        .map(|(_, m)| m.clone())
}

#[test]
fn usage_from_a_real_prometheus_and_failures_leave_the_report() {
    if std::env::var_os("KRS_PROMETHEUS_TESTS").is_none() {
        eprintln!("skipped: set KRS_PROMETHEUS_TESTS=1 to run against a local prometheus");
        return;
    }
    let base = std::env::temp_dir().join("krs-e2e-prometheus");
    let _ = std::fs::create_dir_all(&base);
    let prometheus = support::start(&base, &[]);
    let cluster = std::fs::read_to_string(snapshot(&prometheus.dir)).unwrap();

    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium");
    browser.goto(&server.url()).expect("open the app");
    browser.wait_for("#paste", Duration::from_secs(30)).unwrap();
    browser.paste(&cluster).expect("paste");
    browser.wait_for(".chip", Duration::from_secs(10)).unwrap();
    browser.click(&browser.find("#analyze").unwrap()).unwrap();
    browser
        .wait_for("#summary", Duration::from_secs(60))
        .expect("report");
    let cost = browser
        .text(&browser.find("#card-cost .value").unwrap())
        .unwrap();

    // A real Prometheus: recommendations computed from its history.
    fetch_usage(&browser, &format!("http://127.0.0.1:{}", prometheus.port));
    let seen: Value = browser
        .execute("return window.__progress;", json!([]))
        .unwrap();
    assert!(
        seen.as_array().unwrap().iter().any(|s| s
            .as_str()
            .unwrap_or_default()
            .starts_with("Querying Prometheus ")),
        "{seen}"
    );
    browser
        .screenshot(&screenshot_dir().join("12-prometheus-report.png"))
        .unwrap();
    let (db_p95, _, _, db_peak, _) = expected("db");
    let db = container_title(&browser, "db");
    // `simple`: the requests, then the limits (CPU unset, memory = the memory request).
    let memory = fmt_bytes(mib_up(db_peak as f64 * 1.15));
    let want = format!(
        "→ {}/{memory} lim –/{memory} (prometheus)",
        fmt_cores(cores(db_p95)),
    );
    assert!(db.contains(&want), "{db:?} should contain {want:?}");
    assert!(
        browser.find_all("#prometheus-active").unwrap().len() == 1,
        "the page says Prometheus is in use"
    );
    let w = warnings(&browser);
    assert!(has(&w, "prometheus_no_data").is_some(), "{w:?}");
    assert_eq!(
        browser
            .text(&browser.find("#card-cost .value").unwrap())
            .unwrap(),
        cost
    );

    // Nothing listens there: the cost report stays, with the core's warning.
    fetch_usage(&browser, &format!("http://127.0.0.1:{}", free_port()));
    let w = warnings(&browser);
    assert!(has(&w, "prometheus_unavailable").is_some(), "{w:?}");
    assert_eq!(
        browser
            .text(&browser.find("#card-cost .value").unwrap())
            .unwrap(),
        cost
    );
    let db = container_title(&browser, "db");
    assert!(db.contains("Prometheus unavailable"), "{db}");
    browser
        .screenshot(&screenshot_dir().join("13-prometheus-unavailable.png"))
        .unwrap();
    drop(prometheus);

    // A Prometheus that allows only another origin: the browser blocks the answers (CORS).
    let strict = support::start_empty(
        &base.join("strict"),
        &["--web.cors.origin=https://grafana\\.example\\.com"],
    );
    fetch_usage(&browser, &format!("http://127.0.0.1:{}", strict.port));
    let w = warnings(&browser);
    let message = has(&w, "prometheus_unavailable").unwrap_or_else(|| panic!("{w:?}"));
    assert!(
        message.contains("CORS"),
        "the warning names CORS: {message}"
    );
    browser
        .screenshot(&screenshot_dir().join("14-prometheus-cors.png"))
        .unwrap();
}
