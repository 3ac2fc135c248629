//! The analysis runs in a Web Worker: a big-ish paste (2,000 pods) shows progress, then the
//! report; cancel stops it and keeps the inputs; a fresh worker serves the next run.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;
use kube_rightsize_e2e::{dist_dir, screenshot_dir};
use serde_json::{Value, json};

/// `crates/core/tests/fixtures/cost/mixed.json` with its pods copied to `pods` pods in all.
fn big_snapshot(pods: usize) -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/cost/mixed.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let items = doc["items"].as_array_mut().unwrap();
    let templates: Vec<Value> = items
        .iter()
        .filter(|i| i["kind"] == "Pod")
        .cloned()
        .collect();
    let have = templates.len();
    for n in 0..pods.saturating_sub(have) {
        let mut p = templates[n % have].clone();
        let name = format!("{}-copy-{n}", p["metadata"]["name"].as_str().unwrap());
        p["metadata"]["name"] = name.into();
        p["metadata"]["uid"] = format!("00000000-0000-4000-8000-{n:012}").into();
        items.push(p);
    }
    serde_json::to_string_pretty(&doc).unwrap()
}

/// Records every progress text the page shows into `window.__progress`.
fn record_progress(browser: &Browser) {
    browser
        .execute(
            "window.__progress = [];
             window.__progressAt = [];
             const seen = () => {
               const t = document.querySelector('#busy-text');
               if (t && window.__progress[window.__progress.length - 1] !== t.textContent) {
                 window.__progress.push(t.textContent);
                 window.__progressAt.push([performance.now(), t.textContent]);
               }
             };
             new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});",
            json!([]),
        )
        .expect("observer");
}

fn progress(browser: &Browser) -> Vec<String> {
    browser
        .execute("return window.__progress;", json!([]))
        .unwrap()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[test]
fn a_big_paste_is_analysed_in_the_worker_with_progress_and_cancel() {
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium");
    browser.goto(&server.url()).expect("open the app");
    browser.wait_for("#paste", Duration::from_secs(30)).unwrap();
    let snapshot = big_snapshot(2_000);
    assert!(snapshot.len() > 2_000_000, "{} bytes", snapshot.len());
    browser.paste(&snapshot).expect("paste");
    browser.wait_for(".chip", Duration::from_secs(10)).unwrap();
    // The first input starts the worker (its wasm compiles and warms up while the user has not
    // pressed Analyze yet).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server
        .requests()
        .iter()
        .any(|r| r.starts_with("GET /worker_bg.wasm"))
    {
        assert!(Instant::now() < deadline, "{:?}", server.requests());
        std::thread::sleep(Duration::from_millis(50));
    }
    // It says when it has warmed up (the built-in tiny snapshot analysed).
    browser
        .wait_for(
            "meta[name=kube-rightsize-worker][data-warm]",
            Duration::from_secs(60),
        )
        .expect("the worker warms up");

    // Cancel at once: no report, the input stays. The worker was started (and warmed up) with
    // the paste, so it would answer a 2 MB paste within a few hundred ms: Cancel is pressed as
    // soon as it appears (a DOM observer), before any answer can arrive.
    browser
        .execute(
            "window.__cancelled = false;
             new MutationObserver((_, o) => {
               const c = document.querySelector('#cancel');
               if (c) { o.disconnect(); c.click(); window.__cancelled = true; }
             }).observe(document.body, {subtree: true, childList: true});
             document.querySelector('#analyze').click();",
            json!([]),
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        browser
            .execute("return window.__cancelled;", json!([]))
            .unwrap(),
        json!(true),
        "Cancel was shown and pressed"
    );
    let gone = browser
        .execute(
            "return document.querySelector('#busy') === null;",
            json!([]),
        )
        .unwrap();
    assert_eq!(gone, json!(true), "cancel hides the busy line");
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        browser.find_all("#summary").unwrap().is_empty(),
        "no report after cancel"
    );
    assert_eq!(
        browser.find_all(".chip").unwrap().len(),
        1,
        "the input stays"
    );

    // Run again (a fresh worker): progress, then the report.
    record_progress(&browser);
    browser.click(&browser.find("#analyze").unwrap()).unwrap();
    browser
        .wait_for("#busy", Duration::from_secs(5))
        .expect("busy line");
    browser
        .screenshot(&screenshot_dir().join("10-worker-progress.png"))
        .unwrap();
    let started = Instant::now();
    browser
        .wait_for("#summary", Duration::from_secs(120))
        .expect("a report");
    eprintln!("2,000 pods: report after {:?}", started.elapsed());
    browser
        .screenshot(&screenshot_dir().join("11-worker-report.png"))
        .unwrap();
    let seen = progress(&browser);
    assert!(
        seen.iter()
            .any(|s| s.starts_with("Reading ") && s.ends_with(" MB")),
        "{seen:?}"
    );
    assert!(seen.iter().any(|s| s == "Analysing"), "{seen:?}");
    // The worker read the paste's Blob itself (the page never copied it), parsing it as a
    // stream while reading it.
    assert!(
        seen.iter().any(|s| s.starts_with("Loading paste (")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|s| s.starts_with("Reading paste: ") && s.contains(" of ")),
        "{seen:?}"
    );
    let pods = browser
        .text(&browser.find("#card-pods .value").unwrap())
        .unwrap();
    assert_eq!(pods, "2000");
    let timing = browser.find("#timing").unwrap();
    let text = browser.text(&timing).unwrap();
    assert!(text.contains("in a background worker"), "{text}");
    let attrs = browser
        .execute(
            "const t = document.querySelector('#timing');
             return [t.dataset.worker, t.dataset.engineMs, t.dataset.decodeMs, t.dataset.replyBytes, t.dataset.totalMs, t.dataset.memoryBytes];",
            json!([]),
        )
        .unwrap();
    eprintln!("timing: {text} {attrs}");
    assert_eq!(attrs[0], "true");
    let memory: u64 = attrs[5].as_str().unwrap().parse().unwrap();
    assert!(memory > 0, "the worker says how much memory it used");
    let reply_bytes: usize = attrs[3].as_str().unwrap().parse().unwrap();
    assert!(
        reply_bytes > 10_000,
        "the reply carries the report ({reply_bytes} B)"
    );
    let held = browser.text(&browser.find(".chip-held").unwrap()).unwrap();
    assert!(held.contains("2,000 pods"), "{held}");
    // The worker fetched the catalogue itself, same origin.
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /catalogue.bin")),
        "{:?}",
        server.requests()
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /worker_loader.js")),
        "the worker was loaded"
    );
}

/// A picked file of several 16 MiB slices: the worker asks the page for each slice (the page's
/// thread reads while the worker parses) and gets every pod; the same file changed on disk
/// after it was picked cannot be read again, and the page says so with a hint instead of a
/// report of part of it.
#[test]
fn a_file_of_several_slices_is_read_through_the_page_and_a_changed_file_is_explained() {
    let dir = std::env::temp_dir().join(format!("krs-e2e-slices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("big.json");
    let snapshot = big_snapshot(36_000);
    assert!(
        snapshot.len() > 36 << 20,
        "{} bytes: three slices",
        snapshot.len()
    );
    std::fs::write(&file, &snapshot).unwrap();
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium");
    browser.goto(&server.url()).expect("open the app");
    browser.wait_for("#paste", Duration::from_secs(30)).unwrap();
    record_progress(&browser);
    kube_rightsize_e2e::pick_and_analyze(&browser, &[&file]);
    browser
        .wait_for("#summary", Duration::from_secs(120))
        .expect("a report");
    // Every pod: the three slices arrived whole and in order (a lost, repeated or reordered
    // slice breaks the JSON or the count).
    let pods = browser
        .text(&browser.find("#card-pods .value").unwrap())
        .unwrap();
    assert_eq!(pods, "36000");
    let seen = progress(&browser);
    assert!(
        seen.iter()
            .any(|s| s == "Reading big.json: 39.9 MB of 39.9 MB"),
        "{seen:?}"
    );

    // The file changes on disk: the browser refuses to read the File picked before.
    std::fs::write(&file, snapshot.replace("\"Running\"", "\"Pending\"")).unwrap();
    browser.click(&browser.find("#analyze").unwrap()).unwrap();
    let error = browser
        .wait_for("#input-error", Duration::from_secs(60))
        .expect("the read failure is shown");
    let text = browser.text(&error).unwrap();
    assert!(
        text.contains(
            "cannot read big.json: the browser can no longer read the file (was it changed"
        ),
        "{text}"
    );
    assert!(text.contains("load it again"), "{text}");
    assert!(
        browser.find_all("#summary").unwrap().is_empty(),
        "no report of part of it"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Not a test: times a big snapshot through the file picker in the release build (numbers in
/// BENCHMARKS.md). `KRS_BENCH_SNAPSHOT=/tmp/big.json cargo test -p kube-rightsize-e2e --test
/// worker -- --ignored --nocapture bench` after `cargo xtask dist` and `cargo xtask gen`
/// (the page no longer links an engine of its own, so there is no page-only path to compare).
/// Analyze is pressed when the worker, started with the first input, says it has warmed up (as
/// it has by the time a user presses it; pressed at once, the click lands while it compiles and
/// warms up, 0.1-0.2 s more).
#[test]
#[ignore = "benchmark: needs KRS_BENCH_SNAPSHOT"]
fn bench_big_snapshot_in_the_worker() {
    let Some(path) = std::env::var_os("KRS_BENCH_SNAPSHOT") else {
        eprintln!("set KRS_BENCH_SNAPSHOT to a snapshot file");
        return;
    };
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium");
    browser.goto(&server.url()).expect("open the app");
    browser.wait_for("#paste", Duration::from_secs(30)).unwrap();
    // Long tasks on the page's thread (anything over 50 ms), from before the file is picked.
    browser
        .execute(
            "window.__long = [];
             new PerformanceObserver(l => l.getEntries().forEach(e => window.__long.push([e.startTime, e.duration])))
               .observe({entryTypes: ['longtask']});",
            json!([]),
        )
        .unwrap();
    let picked = Instant::now();
    browser
        .send_keys(
            &browser.find("#file-picker").unwrap(),
            &std::path::Path::new(&path).display().to_string(),
        )
        .unwrap();
    browser.wait_for(".chip", Duration::from_secs(300)).unwrap();
    eprintln!("chip shown after picking: {:?}", picked.elapsed());
    browser
        .wait_for(
            "meta[name=kube-rightsize-worker][data-warm]",
            Duration::from_secs(60),
        )
        .expect("the worker warms up");
    eprintln!("worker warm after picking: {:?}", picked.elapsed());
    record_progress(&browser);
    let t0: f64 = browser
        .execute("return performance.now();", json!([]))
        .unwrap()
        .as_f64()
        .unwrap();
    browser.click(&browser.find("#analyze").unwrap()).unwrap();
    let started = Instant::now();
    browser
        .wait_for("#summary", Duration::from_secs(600))
        .expect("a report");
    eprintln!("report after {:?}", started.elapsed());
    let attrs = browser
        .execute(
            "const t = document.querySelector('#timing');
             return [t.textContent, t.dataset.engineMs, t.dataset.decodeMs, t.dataset.replyBytes, t.dataset.totalMs, t.dataset.memoryBytes];",
            json!([]),
        )
        .unwrap();
    eprintln!("timing: {attrs}");
    let at = browser
        .execute("return window.__progressAt;", json!([]))
        .unwrap();
    let at: Vec<String> = at
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{:.0} ms {}", e[0].as_f64().unwrap() - t0, e[1]))
        .collect();
    eprintln!("progress (ms after Analyze): {at:?}");
    let long = browser.execute("return window.__long;", json!([])).unwrap();
    let long: Vec<(f64, f64)> = long
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e[0].as_f64().unwrap() - t0, e[1].as_f64().unwrap()))
        .filter(|(start, _)| *start >= -1.0)
        .collect();
    eprintln!(
        "long tasks on the page after Analyze (start ms, duration ms): {long:?}; total {:.0} ms",
        long.iter().map(|l| l.1).sum::<f64>()
    );
    let mem = browser
        .execute(
            "return performance.memory ? [performance.memory.usedJSHeapSize, performance.memory.totalJSHeapSize] : null;",
            json!([]),
        )
        .unwrap();
    eprintln!("JS heap: {mem}");
    browser
        .screenshot(&screenshot_dir().join("bench-big-report.png"))
        .unwrap();
}

/// The built app's page has no engine of its own: when its worker cannot load, it says why and
/// keeps the input.
#[test]
fn a_worker_that_cannot_load_is_explained() {
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start().expect("headless Chromium");
    browser.goto(&server.url()).expect("open the app");
    browser.wait_for("#paste", Duration::from_secs(30)).unwrap();
    browser
        .execute(
            "document.querySelector('meta[name=kube-rightsize-worker]').content = 'missing_loader.js';",
            json!([]),
        )
        .unwrap();
    browser.paste(&big_snapshot(20)).expect("paste");
    browser.wait_for(".chip", Duration::from_secs(10)).unwrap();
    browser.click(&browser.find("#analyze").unwrap()).unwrap();
    browser
        .wait_for("#input-error", Duration::from_secs(30))
        .expect("an explanation");
    let error = browser
        .text(&browser.find("#input-error").unwrap())
        .unwrap();
    assert!(
        error.contains("could not start the analysis worker") && error.contains("worker_loader.js"),
        "{error}"
    );
    assert!(browser.find_all("#busy").unwrap().is_empty(), "not busy");
    assert_eq!(
        browser.find_all(".chip").unwrap().len(),
        1,
        "the input stays"
    );
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.starts_with("GET /missing_loader.js")),
        "{:?}",
        server.requests()
    );
    browser
        .screenshot(&screenshot_dir().join("13-worker-unavailable.png"))
        .unwrap();
}
