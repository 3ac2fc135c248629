//! End-to-end: how fast the built app becomes interactive, cold and warm.

use std::time::Duration;

use kube_rightsize_e2e::dist_dir;
use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;
use serde_json::json;

/// Opens the page and returns (interactive, domContentLoaded, wasm bytes fetched over the
/// network) in ms since navigation start / bytes, from the page's own performance entries.
fn load(browser: &Browser, url: &str) -> (f64, f64, f64) {
    browser.goto(url).expect("open the app");
    browser
        .wait_for("#demo", Duration::from_secs(60))
        .expect("the app renders");
    let v = browser
        .execute(
            "const m = performance.getEntriesByName('kube-rightsize-interactive')[0];
             const n = performance.getEntriesByType('navigation')[0];
             const wasm = performance.getEntriesByType('resource')
               .filter(r => r.name.endsWith('.wasm'))
               .reduce((a, r) => a + r.transferSize, 0);
             return [m ? m.startTime : -1, n.domContentLoadedEventEnd, wasm];",
            json!([]),
        )
        .expect("performance entries");
    (
        v[0].as_f64().unwrap(),
        v[1].as_f64().unwrap(),
        v[2].as_f64().unwrap(),
    )
}

#[test]
fn the_page_marks_when_it_is_interactive_and_loads_no_worker_until_asked() {
    let server = StaticServer::start_cached(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium");
    let (interactive, _, _) = load(&browser, &server.url());
    assert!(interactive > 0.0, "the mark is set: {interactive}");
    // The worker and the catalogue load with the first analysis, not with the page.
    let requests = server.requests();
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("worker") || r.contains("catalogue")),
        "{requests:?}"
    );
    // The second load is served from the browser's cache (max-age), as from a static host.
    let before = server.requests().len();
    let (warm, _, wasm_bytes) = load(&browser, &server.url());
    assert!(warm > 0.0);
    let fetched: Vec<String> = server.requests()[before..].to_vec();
    assert!(
        !fetched.iter().any(|r| r.ends_with(".wasm")),
        "a warm load fetches no wasm: {fetched:?}"
    );
    assert_eq!(wasm_bytes, 0.0, "no wasm bytes over the network when warm");
}

/// Not a test: cold and warm page loads (numbers in BENCHMARKS.md, "Page load").
/// `cargo test -p kube-rightsize-e2e --test load -- --ignored --nocapture` after
/// `cargo xtask dist`.
#[test]
#[ignore = "benchmark"]
fn bench_page_load() {
    let server = StaticServer::start_cached(&dist_dir()).expect("static server");
    for round in 0..3 {
        // A fresh browser profile: the first load is cold.
        let browser = Browser::start().expect("headless Chromium");
        let cold = load(&browser, &server.url());
        let warm: Vec<(f64, f64, f64)> = (0..5).map(|_| load(&browser, &server.url())).collect();
        eprintln!(
            "round {round}: cold interactive {:.0} ms (DOMContentLoaded {:.0} ms, wasm {} B); warm interactive {:?} ms",
            cold.0,
            cold.1,
            cold.2,
            warm.iter().map(|w| w.0.round()).collect::<Vec<_>>()
        );
    }
}
