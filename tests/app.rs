//! Browser component tests (wasm-bindgen-test in headless Chromium).
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use kube_rightsize_app::table::{Cell, Column, DataTable};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The app as the tests mount it: no worker script here, so the engine runs on the page.
fn app() -> impl IntoView {
    provide_context(kube_rightsize_app::local_engine());
    view! { <kube_rightsize_app::App /> }
}

fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.unchecked_into()
}

/// Lets Leptos' effects and pending futures run.
async fn tick(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Polls `done` every 10 ms until it holds or 60 s pass (a timeout for a stuck test on a
/// loaded machine, not a performance threshold); returns whether it held.
async fn until(mut done: impl FnMut() -> bool) -> bool {
    let performance = web_sys::window().unwrap().performance().unwrap();
    let deadline = performance.now() + 60_000.0;
    while performance.now() < deadline {
        if done() {
            return true;
        }
        tick(10).await;
    }
    done()
}

fn cell_texts(host: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let list = host.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

fn click(host: &web_sys::HtmlElement, selector: &str) {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} not found"))
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

#[wasm_bindgen_test]
fn app_mounts_and_offers_the_demo() {
    let host = host();
    let handle = leptos::mount::mount_to(host.clone(), app);
    let button = host
        .query_selector("#demo")
        .unwrap()
        .expect("demo button rendered");
    assert_eq!(button.text_content().unwrap(), "Try the demo cluster");
    assert!(
        host.query_selector("#analyze")
            .unwrap()
            .unwrap()
            .has_attribute("disabled"),
        "Analyze is disabled until something is loaded"
    );
    drop(handle);
}

#[wasm_bindgen_test]
async fn table_sorts_and_filters() {
    let host = host();
    let rows = Arc::new(vec![
        vec![Cell::text("payments"), Cell::num(30.0, "$30.00")],
        vec![Cell::text("search"), Cell::num(120.0, "$120.00")],
        vec![Cell::text("web"), Cell::num(5.5, "$5.50")],
    ]);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! {
            <DataTable
                id="t"
                columns=vec![Column::text("Namespace").facet(), Column::money("Cost")]
                rows=Arc::clone(&rows)
                money=|v| format!("${v:.2}")
                initial_sort=Some(1)
            />
        }
    });
    tick(0).await;
    // Money sorts descending first, and the totals row sums every visible row.
    assert_eq!(
        cell_texts(&host, "#t-table tbody tr td:first-child"),
        ["search", "payments", "web"]
    );
    assert_eq!(
        cell_texts(&host, "#t-table tfoot td"),
        ["Total (3 rows)", "$155.50"]
    );
    // Clicking the header again sorts ascending.
    click(&host, "#t-table thead th:nth-child(2) button");
    tick(0).await;
    assert_eq!(
        cell_texts(&host, "#t-table tbody tr td:first-child"),
        ["web", "payments", "search"]
    );
    // Text sorts ascending on first click.
    click(&host, "#t-table thead th:nth-child(1) button");
    tick(0).await;
    assert_eq!(
        cell_texts(&host, "#t-table tbody tr td:first-child"),
        ["payments", "search", "web"]
    );
    // Filtering by text keeps matching rows and updates the totals.
    let filter: web_sys::HtmlInputElement = host
        .query_selector("#t-filter")
        .unwrap()
        .unwrap()
        .unchecked_into();
    filter.set_value("SEA");
    filter
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    tick(0).await;
    assert_eq!(
        cell_texts(&host, "#t-table tbody tr td:first-child"),
        ["search"]
    );
    assert_eq!(
        cell_texts(&host, "#t-table tfoot td"),
        ["Total (1 rows)", "$120.00"]
    );
    drop(handle);
}

#[wasm_bindgen_test]
async fn pasted_table_text_gets_a_located_error_with_a_hint() {
    let host = host();
    let handle = leptos::mount::mount_to(host.clone(), app);
    paste_text(
        &host,
        "NAME                     READY   STATUS    RESTARTS   AGE\nweb-7d9c8b6f5-abcde      1/1     Running   0          3d\n",
    );
    tick(0).await;
    // The paste became a chip, not textarea content.
    let textarea: web_sys::HtmlTextAreaElement = host
        .query_selector("#paste")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(textarea.value(), "");
    assert_eq!(cell_texts(&host, ".chip .chip-name"), ["paste"]);
    click(&host, "#analyze");
    assert!(
        until(|| host.query_selector("#input-error").unwrap().is_some()).await,
        "an input error is shown"
    );
    let error = cell_texts(&host, "#input-error").join("");
    assert!(
        error.contains("found a table starting with `NAME`"),
        "{error}"
    );
    assert!(error.contains("line 1, column 1"), "{error}");
    assert!(error.contains("add `-o json`"), "{error}");
    drop(handle);
}

#[wasm_bindgen_test]
async fn settings_persist_in_local_storage() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage
        .remove_item(kube_rightsize_app::storage::PREFERENCES_KEY)
        .unwrap();
    let first = host();
    let handle = leptos::mount::mount_to(first.clone(), app);
    let prices: web_sys::HtmlTextAreaElement = first
        .query_selector("#manual-prices")
        .unwrap()
        .unwrap()
        .unchecked_into();
    prices.set_value("m5.large=0.05");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    prices
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
    tick(50).await;
    let saved = storage
        .get_item(kube_rightsize_app::storage::PREFERENCES_KEY)
        .unwrap()
        .expect("preferences saved");
    assert!(saved.contains("m5.large=0.05"), "{saved}");
    drop(handle);
    // A fresh mount reads them back.
    let host2 = host();
    let handle2 = leptos::mount::mount_to(host2.clone(), app);
    tick(0).await;
    let again: web_sys::HtmlTextAreaElement = host2
        .query_selector("#manual-prices")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(again.value(), "m5.large=0.05");
    drop(handle2);
    storage
        .remove_item(kube_rightsize_app::storage::PREFERENCES_KEY)
        .unwrap();
}

// ── The engine on the page's thread (the worker runs the same code) ──────────────────────────

use std::cell::RefCell;

use kube_rightsize_app::engine::{
    self, Host, Progress, PrometheusRequest, Reply, Request, Secret, Stopped, VantageRequest,
};
use kube_rightsize_core::http::{Request as HttpRequest, Response, TransportError};
use kube_rightsize_core::model::CapacityType;
use kube_rightsize_core::pricing::import::write_price_file;
use kube_rightsize_core::pricing::sources::{PriceSource, PriceTable};
use kube_rightsize_core::recommend::StrategyName;

const MIXED: &[u8] = include_bytes!("../crates/core/tests/fixtures/cost/mixed.json");
const CATALOGUE: &[u8] = include_bytes!("../crates/core/data/catalogue.bin");

/// How the fake Prometheus answers.
#[derive(Clone, Copy)]
enum Prom {
    /// Every query: an empty vector.
    Empty,
    /// Every query: connection refused (as a browser reports it).
    Down,
    /// Every query: HTTP 500.
    Broken,
}

struct FakeHost {
    prom: Prom,
    fetched: RefCell<Vec<String>>,
    progress: RefCell<Vec<String>>,
    cancel_at: Option<&'static str>,
}

impl FakeHost {
    fn new(prom: Prom) -> FakeHost {
        FakeHost {
            prom,
            fetched: RefCell::new(Vec::new()),
            progress: RefCell::new(Vec::new()),
            cancel_at: None,
        }
    }
}

impl Host for FakeHost {
    async fn fetch(
        &self,
        request: &HttpRequest,
        _timeout_ms: u32,
    ) -> Result<Response, TransportError> {
        let url = request.url.as_str();
        self.fetched.borrow_mut().push(url.to_owned());
        tick(0).await;
        let ok = |status: u16, body: &[u8]| {
            Ok(Response {
                status,
                headers: Vec::new(),
                body: body.to_vec(),
            })
        };
        if url == engine::CATALOGUE_URL {
            return ok(200, CATALOGUE);
        }
        if url.starts_with("http://vantage.test/") {
            // A Vantage that knows no product.
            return ok(404, br#"{"errors":["not found"]}"#);
        }
        assert!(
            url.starts_with("http://prometheus.test/api/v1/query?query="),
            "{url}"
        );
        match self.prom {
            Prom::Empty => ok(
                200,
                br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
            ),
            Prom::Down => Err(TransportError::Blocked),
            Prom::Broken => ok(500, b"internal error"),
        }
    }
    async fn progress(&self, progress: &Progress) -> Result<(), ()> {
        let text = progress.text();
        self.progress.borrow_mut().push(text.clone());
        if self.cancel_at.is_some_and(|c| text.starts_with(c)) {
            return Err(());
        }
        Ok(())
    }
    fn now(&self) -> f64 {
        kube_rightsize_app::net::now_ms()
    }
}

fn request(prometheus: bool, vantage_prices: Option<String>) -> Request {
    Request {
        input_names: vec!["mixed.json".into()],
        preferences: "{}".into(),
        vantage_prices,
        vantage: None,
        prometheus: prometheus.then(|| PrometheusRequest {
            url: "http://prometheus.test/".into(),
            strategy: StrategyName::Simple,
            cluster: None,
        }),
        generated_at: "2026-01-31T12:00:00Z".into(),
        clusters: Default::default(),
    }
}

fn mixed() -> Vec<(String, Vec<u8>)> {
    vec![("mixed.json".to_owned(), MIXED.to_vec())]
}

async fn run(host: &FakeHost, request: &Request) -> Reply {
    match engine::run(request, &mixed(), host).await {
        Ok(r) => r,
        Err(e) => panic!("engine stopped: {e:?}"),
    }
}

#[wasm_bindgen_test]
async fn engine_reports_progress_and_a_reply_that_round_trips() {
    let host = FakeHost::new(Prom::Empty);
    let reply = run(&host, &request(false, None)).await;
    assert_eq!(reply.report.summary.nodes, 8);
    assert_eq!(reply.held[0].0, "mixed.json");
    assert!(reply.held[0].1.contains("8 nodes"), "{:?}", reply.held);
    assert_eq!(reply.inputs.len(), 1);
    assert_eq!(reply.node_descriptions.len(), 8);
    assert!(reply.catalogue.problem.is_none());
    assert!(!reply.catalogue.coverage.is_empty());
    // The prices a Vantage lookup would need: AWS/Azure/GCP nodes with a type and region.
    assert!(
        reply
            .wanted_prices
            .iter()
            .any(|k| k.instance_type == "m5.large" && k.region == "us-east-1"),
        "{:?}",
        reply.wanted_prices
    );
    let progress = host.progress.borrow().clone();
    assert!(progress.contains(&"Analysing".to_owned()), "{progress:?}");
    assert!(
        progress.iter().any(|p| p.starts_with("Re-packing ")),
        "{progress:?}"
    );
    assert!(
        progress.iter().any(|p| p.starts_with("Reading ")),
        "{progress:?}"
    );
    // What the worker posts is what the page reads back, exactly.
    let json = serde_json::to_string(&reply).unwrap();
    let back: Reply = serde_json::from_str(&json).unwrap();
    assert_eq!(back, reply);
}

#[wasm_bindgen_test]
async fn engine_prices_nodes_from_vantage_prices() {
    let host = FakeHost::new(Prom::Empty);
    let first = run(&host, &request(false, None)).await;
    let mut table = PriceTable::new("Vantage");
    for k in &first.wanted_prices {
        table.insert_price(
            k.provider,
            &k.instance_type,
            &k.region,
            k.capacity_type,
            1.25,
        );
    }
    let file = write_price_file(&table, "2026-01-31T00:00:00Z", &[]);
    let reply = run(&host, &request(false, Some(file))).await;
    let priced: Vec<_> = reply
        .report
        .nodes
        .iter()
        .filter(|n| n.price_source == PriceSource::Vantage)
        .collect();
    assert!(!priced.is_empty(), "some nodes are priced from Vantage");
    let on_demand_m5 = priced
        .iter()
        .find(|n| {
            n.instance_type.as_deref() == Some("m5.large")
                && n.capacity_type == CapacityType::OnDemand
        })
        .expect("the on-demand m5.large is priced from Vantage");
    assert_eq!(on_demand_m5.hourly_price, 1.25);
}

/// Regression (issue 22): the app asked Vantage for manually priced types, and its report did
/// not mention Vantage failures; the CLI did neither. Both run the core's pipeline now.
#[wasm_bindgen_test]
async fn engine_asks_vantage_only_for_unpriced_types_and_reports_its_failures() {
    const TOKEN: &str = "vntg_tkn_engine_test_secret";
    let host = FakeHost::new(Prom::Empty);
    let mut req = request(false, None);
    req.preferences = r#"{"manual_prices": "m5.large=0.05"}"#.into();
    req.vantage = Some(VantageRequest {
        api: kube_rightsize_core::pricing::vantage::ApiKind::V2,
        base_url: "http://vantage.test".into(),
        token: Secret(TOKEN.into()),
        cache: None,
    });
    assert!(!format!("{req:?}").contains(TOKEN), "Debug shows no token");
    let reply = run(&host, &req).await;
    let asked: Vec<String> = host
        .fetched
        .borrow()
        .iter()
        .filter(|u| u.starts_with("http://vantage.test/"))
        .cloned()
        .collect();
    for t in ["m5.xlarge", "t3.medium", "c5.large"] {
        assert!(asked.iter().any(|u| u.contains(t)), "{t} asked: {asked:?}");
    }
    assert!(
        asked.iter().all(|u| !u.contains("m5.large")),
        "the manually priced m5.large is not asked: {asked:?}"
    );
    let vantage = reply.vantage.as_ref().expect("the Vantage lookups");
    assert!(
        vantage
            .statuses
            .iter()
            .all(|s| s.instance_type != "m5.large")
    );
    assert_eq!(vantage.priced, 0);
    assert_eq!(vantage.requests as usize, asked.len());
    // The failures are the report's warnings too (API v2 has no Azure or GCP prices).
    let codes: Vec<&str> = reply
        .report
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert!(codes.contains(&"vantage_not_covered"), "{codes:?}");
    assert!(vantage.prices_file.contains("vantage_not_covered"));
    // Vantage lines reach the page; the token reaches nothing but the requests.
    let progress = host.progress.borrow().clone();
    assert!(
        progress.contains(&"Querying cost for m5.xlarge in us-east-1".to_owned()),
        "{progress:?}"
    );
    let json = serde_json::to_string(&reply).unwrap();
    assert!(!json.contains(TOKEN) && !progress.iter().any(|p| p.contains(TOKEN)));
    assert!(asked.iter().all(|u| !u.contains(TOKEN)));
    // Manual prices still win.
    let m5 = reply
        .report
        .nodes
        .iter()
        .find(|n| n.instance_type.as_deref() == Some("m5.large"))
        .unwrap();
    assert_eq!(m5.hourly_price, 0.05);
}

#[wasm_bindgen_test]
async fn engine_queries_prometheus_and_keeps_the_report_when_it_fails() {
    // Answers without data: every container gets `?` (No data) and one warning.
    let host = FakeHost::new(Prom::Empty);
    let reply = run(&host, &request(true, None)).await;
    let queries = host
        .fetched
        .borrow()
        .iter()
        .filter(|u| u.starts_with("http://prometheus.test/api/v1/query"))
        .count();
    assert!(queries > 0);
    let progress = host.progress.borrow().clone();
    assert!(
        progress.contains(&format!("Querying Prometheus {queries}/{queries}")),
        "{progress:?}"
    );
    let recs = reply
        .report
        .recommendations
        .as_ref()
        .expect("recommendations");
    assert_eq!(
        recs.source,
        kube_rightsize_core::recommend::Source::Prometheus
    );
    assert!(
        reply
            .report
            .warnings
            .iter()
            .any(|w| w.code == "prometheus_no_data")
    );

    // Unreachable: the first failure stops the rest; the cost report is intact.
    let host = FakeHost::new(Prom::Down);
    let down = run(&host, &request(true, None)).await;
    let sent = host
        .fetched
        .borrow()
        .iter()
        .filter(|u| u.starts_with("http://prometheus.test/"))
        .count();
    assert!(
        sent <= engine::PROMETHEUS_CONCURRENCY,
        "stops after the first failure ({sent} sent of {queries})"
    );
    let w = down
        .report
        .warnings
        .iter()
        .find(|w| w.code == "prometheus_unavailable")
        .expect("an unavailable warning");
    assert!(w.message.contains("CORS"), "{}", w.message);
    assert_eq!(
        down.report.summary.monthly_cost,
        reply.report.summary.monthly_cost
    );

    // HTTP 500: the core's query-failed warning.
    let host = FakeHost::new(Prom::Broken);
    let broken = run(&host, &request(true, None)).await;
    assert!(
        broken
            .report
            .warnings
            .iter()
            .any(|w| w.code == "prometheus_query_failed")
    );
}

#[wasm_bindgen_test]
async fn engine_stops_when_cancelled_and_reports_unreadable_inputs() {
    let mut host = FakeHost::new(Prom::Empty);
    host.cancel_at = Some("Querying Prometheus");
    let stopped = engine::run(&request(true, None), &mixed(), &host).await;
    assert_eq!(stopped.err(), Some(Stopped::Cancelled));

    let host = FakeHost::new(Prom::Empty);
    let bad = vec![("paste".to_owned(), b"{\"items\": [".to_vec())];
    let mut req = request(false, None);
    req.input_names = vec!["paste".into()];
    match engine::run(&req, &bad, &host).await {
        Err(Stopped::Failed(f)) => {
            assert_eq!(f.heading, "This input could not be read: ");
            assert!(f.location().starts_with("paste, line 1, column"), "{f:?}");
        }
        other => panic!("expected a located failure, got {:?}", other.map(|_| ())),
    }
}

#[wasm_bindgen_test]
fn engine_warm_up_analyses_a_real_snapshot_once() {
    use kube_rightsize_core::analysis::Settings;
    use kube_rightsize_core::ingest::{Input, ingest_with};
    // The built-in snapshot goes through the real ingest (so it warms up the real code path).
    let input = [Input::new("warm-up", engine::WARM_UP_SNAPSHOT)];
    let cluster = ingest_with(&input, &Settings::default().ingest).unwrap();
    assert_eq!((cluster.nodes.len(), cluster.pods.len()), (2, 10));
    // Once per worker (or page): whichever call came first, later ones do nothing.
    let first = engine::warm_up(None);
    assert!(first.is_none() || first == Some(10), "{first:?}");
    assert_eq!(engine::warm_up(None), None);
}

// ── The page: progress, cancel, panics ───────────────────────────────────────────────────────

fn paste_text(host: &web_sys::HtmlElement, text: &str) {
    let data = web_sys::DataTransfer::new().unwrap();
    data.set_data("text", text).unwrap();
    let init = web_sys::ClipboardEventInit::new();
    init.set_clipboard_data(Some(&data));
    init.set_bubbles(true);
    init.set_cancelable(true);
    let paste = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    host.query_selector("#paste")
        .unwrap()
        .unwrap()
        .dispatch_event(&paste)
        .unwrap();
}

/// Pastes `text` and waits until its chip is shown.
async fn paste_and_wait(host: &web_sys::HtmlElement, text: &str) {
    paste_text(host, text);
    let shown = until(|| host.query_selector(".chip").unwrap().is_some()).await;
    assert!(
        shown,
        "the paste became an input; errors: {:?}; html: {}",
        cell_texts(host, ".error"),
        host.inner_html().chars().take(2000).collect::<String>()
    );
}

#[wasm_bindgen_test]
async fn analysis_shows_progress_can_be_cancelled_and_keeps_the_inputs() {
    let host = host();
    let handle = leptos::mount::mount_to(host.clone(), app);
    paste_and_wait(&host, std::str::from_utf8(MIXED).unwrap()).await;
    // Busy at once, with what it does, the elapsed time and a cancel button, pressed the moment
    // it appears (a DOM observer: the page's engine with a cached catalogue can finish this
    // small input before a timer fires).
    js_sys::eval(
        "window.__busy = null;
         new MutationObserver((_, o) => {
           const c = document.querySelector('#cancel');
           if (c) {
             o.disconnect();
             window.__busy = [!!document.querySelector('#busy-text'), !!document.querySelector('#busy-elapsed')];
             c.click();
           }
         }).observe(document.body, {subtree: true, childList: true});",
    )
    .unwrap();
    click(&host, "#analyze");
    tick(50).await;
    let busy = js_sys::eval("JSON.stringify(window.__busy)")
        .unwrap()
        .as_string()
        .unwrap_or_default();
    assert_eq!(busy, "[true,true]", "busy line with text and elapsed time");
    assert!(host.query_selector("#busy").unwrap().is_none(), "cancelled");
    assert!(
        host.query_selector("#summary").unwrap().is_none(),
        "no report"
    );
    assert_eq!(
        cell_texts(&host, ".chip .chip-name"),
        ["paste"],
        "inputs stay"
    );
    // Nothing late arrives from the cancelled run.
    tick(500).await;
    assert!(host.query_selector("#summary").unwrap().is_none());

    // Run again to the end: progress texts pass by, then the report (no worker here: the page
    // runs the engine itself). Every text the busy line shows is recorded as it changes.
    js_sys::eval(
        "window.__seen = [];
         window.__observer = new MutationObserver(() => {
           const t = document.querySelector('#busy-text');
           const s = t && t.textContent;
           if (s && window.__seen[window.__seen.length - 1] !== s) window.__seen.push(s);
         });
         window.__observer.observe(document.body, {subtree: true, childList: true, characterData: true});",
    )
    .unwrap();
    click(&host, "#analyze");
    let report = until(|| host.query_selector("#summary").unwrap().is_some()).await;
    let seen: Vec<String> = js_sys::eval("window.__observer.disconnect(); window.__seen")
        .unwrap()
        .unchecked_into::<js_sys::Array>()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    assert!(report, "a report after {seen:?}");
    assert!(seen.len() >= 2, "progress was shown: {seen:?}");
    assert!(
        seen.iter().all(|s| s == "Starting"
            || s == "Loading the price catalogue"
            || s.starts_with("Reading ")
            || s == "Analysing"
            || s.starts_with("Re-packing ")
            || s == "Preparing the report"),
        "{seen:?}"
    );
    assert!(host.query_selector("#busy").unwrap().is_none());
    let timing = cell_texts(&host, "#timing").join("");
    assert!(timing.contains("in this browser tab"), "{timing}");

    // A second run keeps the last report on screen until the new one arrives.
    js_sys::eval(
        "window.__stays = null;
         new MutationObserver((_, o) => {
           if (document.querySelector('#busy')) {
             o.disconnect();
             window.__stays = !!document.querySelector('#summary');
           }
         }).observe(document.body, {subtree: true, childList: true});",
    )
    .unwrap();
    click(&host, "#analyze");
    assert!(
        until(|| js_sys::eval("window.__stays !== null").unwrap().as_bool() == Some(true)).await
    );
    assert_eq!(
        js_sys::eval("window.__stays").unwrap().as_bool(),
        Some(true),
        "the last report stays while the next run is busy"
    );
    assert!(until(|| host.query_selector("#busy").unwrap().is_none()).await);
    assert!(host.query_selector("#summary").unwrap().is_some());
    drop(handle);
}

#[wasm_bindgen_test]
async fn panic_panel_shows_diagnostics_without_data_and_dismisses() {
    kube_rightsize_app::panic::set_inputs(vec![
        "cluster snapshot (JSON): 8 nodes, 12 pods; 40.1 KB".into(),
    ]);
    kube_rightsize_app::panic::show("index out of bounds: the len is 0 but the index is 3");
    let document = web_sys::window().unwrap().document().unwrap();
    let panel = document
        .get_element_by_id(kube_rightsize_app::panic::PANEL_ID)
        .expect("the panel is shown");
    assert_eq!(panel.get_attribute("role").as_deref(), Some("alertdialog"));
    let diag = document
        .get_element_by_id("panic-diagnostics")
        .unwrap()
        .text_content()
        .unwrap();
    assert!(diag.contains("panic: index out of bounds"), "{diag}");
    assert!(diag.contains(env!("CARGO_PKG_VERSION")), "{diag}");
    assert!(diag.contains("user agent: Mozilla/"), "{diag}");
    assert!(
        diag.contains("cluster snapshot (JSON): 8 nodes, 12 pods; 40.1 KB"),
        "{diag}"
    );
    assert_eq!(
        diag,
        kube_rightsize_app::panic::diagnostics(
            "index out of bounds: the len is 0 but the index is 3"
        )
    );
    // Copy (the clipboard may refuse in headless Chromium; the button must still work).
    document
        .get_element_by_id("panic-copy")
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    tick(0).await;
    assert_eq!(
        document
            .get_element_by_id("panic-copy-status")
            .unwrap()
            .text_content()
            .as_deref(),
        Some(" copied")
    );
    // A second panic replaces the panel; Dismiss removes it.
    kube_rightsize_app::panic::show("second");
    assert_eq!(
        document
            .query_selector_all(".panic-panel")
            .unwrap()
            .length(),
        1
    );
    document
        .get_element_by_id("panic-dismiss")
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    assert!(
        document
            .get_element_by_id(kube_rightsize_app::panic::PANEL_ID)
            .is_none()
    );
}

// ── The page's side of the worker protocol, with stand-in workers ────────────────────────────

/// A worker from JS source (a Blob URL), announced to the app by the `<meta>` it reads.
fn fake_worker(js: &str) -> web_sys::Element {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(js));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).unwrap();
    let url = web_sys::Url::create_object_url_with_blob(&blob).unwrap();
    let document = web_sys::window().unwrap().document().unwrap();
    let meta = document.create_element("meta").unwrap();
    meta.set_attribute("name", "kube-rightsize-worker").unwrap();
    meta.set_attribute("content", &url).unwrap();
    document.head().unwrap().append_child(&meta).unwrap();
    meta
}

async fn wait_for(host: &web_sys::HtmlElement, selector: &str) -> bool {
    until(|| {
        host.query_selector(selector).unwrap().is_some()
            || web_sys::window()
                .unwrap()
                .document()
                .unwrap()
                .query_selector(selector)
                .unwrap()
                .is_some()
    })
    .await
}

#[wasm_bindgen_test]
async fn a_panicking_worker_becomes_the_error_panel_not_a_hang() {
    let meta = fake_worker(
        "postMessage({kind: 'ready'});
         onmessage = (e) => {
           if (typeof e.data.request !== 'string' || !(e.data.inputs[0] instanceof Blob)) {
             postMessage({kind: 'panic', message: 'bad request shape'});
             return;
           }
           postMessage({kind: 'progress', text: 'Reading ' + e.data.inputs[0].size + ' B'});
           postMessage({kind: 'panic', message: 'panicked at src/engine.rs:1:1: boom'});
         };",
    );
    let host = host();
    let handle = leptos::mount::mount_to(host.clone(), app);
    paste_and_wait(&host, std::str::from_utf8(MIXED).unwrap()).await;
    click(&host, "#analyze");
    assert!(wait_for(&host, "#panic-panel").await, "the panel is shown");
    let document = web_sys::window().unwrap().document().unwrap();
    let diag = document
        .get_element_by_id("panic-diagnostics")
        .unwrap()
        .text_content()
        .unwrap();
    assert!(
        diag.contains("in the analysis worker: panicked at src/engine.rs:1:1: boom"),
        "{diag}"
    );
    // Not busy any more, the input stays, and no pasted data is in the diagnostics.
    tick(10).await;
    assert!(host.query_selector("#busy").unwrap().is_none());
    assert_eq!(cell_texts(&host, ".chip .chip-name"), ["paste"]);
    assert!(!diag.contains("mixed"), "{diag}");
    assert!(diag.contains("KB"), "input sizes: {diag}");
    document
        .get_element_by_id("panic-dismiss")
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    meta.remove();
    drop(handle);
}

#[wasm_bindgen_test]
async fn a_worker_that_cannot_start_is_explained_and_nothing_is_lost() {
    let meta = fake_worker("throw new Error('no wasm here');");
    let host = host();
    // The built app: no engine on the page.
    let handle = leptos::mount::mount_to(host.clone(), kube_rightsize_app::App);
    paste_and_wait(&host, std::str::from_utf8(MIXED).unwrap()).await;
    click(&host, "#analyze");
    assert!(wait_for(&host, "#input-error").await, "an explanation");
    let error = cell_texts(&host, "#input-error").join("");
    assert!(
        error.contains("could not start the analysis worker")
            && error.contains("Open it over http(s)"),
        "{error}"
    );
    assert!(host.query_selector("#busy").unwrap().is_none(), "not busy");
    assert_eq!(
        cell_texts(&host, ".chip .chip-name"),
        ["paste"],
        "the input stays"
    );
    meta.remove();
    drop(handle);

    // With an engine on the page (what the tests provide), the same failure falls back to it.
    let meta = fake_worker("throw new Error('no wasm here');");
    let host = self::host();
    let handle = leptos::mount::mount_to(host.clone(), app);
    paste_and_wait(&host, std::str::from_utf8(MIXED).unwrap()).await;
    click(&host, "#analyze");
    assert!(wait_for(&host, "#summary").await, "a report from the page");
    let timing = cell_texts(&host, "#timing").join("");
    assert!(timing.contains("in this browser tab"), "{timing}");
    meta.remove();
    drop(handle);
}

// ── Hostile input in the browser (issue 11): a report or a located error, never a panic ──────

/// The mixed fixture with script, HTML and right-to-left payloads in names.
fn hostile_snapshot() -> String {
    std::str::from_utf8(MIXED)
        .unwrap()
        .replace("\"shop\"", "\"<script>window.__pwned=1</script>\"")
        .replace("aws-od-1", "<img src=x onerror=window.__pwned=2>")
        .replace(
            "\"batch\"",
            "\"\\u202ebatch \u{645}\u{631}\u{62d}\u{628}\u{627} javascript:alert(1)\"",
        )
}

#[wasm_bindgen_test]
async fn engine_turns_hostile_input_into_located_errors_or_reports() {
    let host = FakeHost::new(Prom::Empty);
    let deep = "[".repeat(100_000);
    let long_string = format!("\"{}\"", "a".repeat(2_000_000));
    let mut binary: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    binary[0] = 0;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", MIXED[..MIXED.len() / 2].to_vec()),
        ("binary", binary),
        ("deep", deep.into_bytes()),
        ("long-string", long_string.into_bytes()),
        ("nan", br#"{"kind":"List","items":[{"kind":"Node","metadata":{"name":"n"},"status":{"allocatable":{"cpu":"NaN","memory":"Infinity"}}}]}"#.to_vec()),
        ("empty-objects", format!("{{\"kind\":\"List\",\"items\":[{}{{}}]}}", "{},".repeat(50_000)).into_bytes()),
    ];
    for (name, bytes) in cases {
        let mut req = request(false, None);
        req.input_names = vec![name.into()];
        match engine::run(&req, &[(name.to_owned(), bytes)], &host).await {
            Ok(reply) => {
                // A report: its figures are finite (JSON would hide a NaN as null).
                let r = &reply.report;
                let s = &r.summary;
                for v in [
                    s.monthly_cost,
                    s.allocated_monthly_cost,
                    s.idle_monthly_cost,
                ] {
                    assert!(v.is_finite(), "{name}: {v}");
                }
                for n in &r.nodes {
                    for v in [
                        n.hourly_price,
                        n.monthly_cost,
                        n.cpu_core_hourly_rate,
                        n.memory_gib_hourly_rate,
                    ] {
                        assert!(v.is_finite(), "{name}: node {}: {v}", n.name);
                    }
                }
            }
            Err(Stopped::Failed(f)) => {
                assert!(f.location().starts_with(name), "{name}: {f:?}");
                assert!(!f.message.is_empty(), "{name}: {f:?}");
            }
            Err(other) => panic!("{name}: {other:?}"),
        }
    }
}

#[wasm_bindgen_test]
async fn hostile_names_are_shown_as_text_never_run() {
    let host = host();
    let handle = leptos::mount::mount_to(host.clone(), app);
    paste_text(&host, &hostile_snapshot());
    tick(0).await;
    click(&host, "#analyze");
    assert!(wait_for(&host, "#summary").await, "a report");
    tick(50).await;
    let window = web_sys::window().unwrap();
    let pwned = js_sys::Reflect::get(&window, &"__pwned".into()).unwrap();
    assert!(pwned.is_undefined(), "a payload ran: {pwned:?}");
    assert_eq!(host.query_selector_all("script").unwrap().length(), 0);
    assert_eq!(host.query_selector_all("img").unwrap().length(), 0);
    assert_eq!(host.query_selector_all("[onerror]").unwrap().length(), 0);
    // The names are there, as text (the workloads table and the charts).
    let text = host.text_content().unwrap_or_default();
    assert!(
        text.contains("<script>window.__pwned=1</script>"),
        "the namespace is shown literally"
    );
    drop(handle);
}

// ── The Patches tab (issue 19) ────────────────────────────────────────────────────────────────

const DEMO_CLUSTER: &[u8] = include_bytes!("../static/demo/cluster.json");
const DEMO_KRR: &[u8] = include_bytes!("../static/demo/krr.json");

fn set_property(host: &web_sys::HtmlElement, selector: &str, name: &str, value: JsValue) {
    let element = host
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} not found"));
    js_sys::Reflect::set(&element, &name.into(), &value).unwrap();
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    element
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
}

fn attributes(host: &web_sys::HtmlElement, selector: &str, name: &str) -> Vec<String> {
    let list = host.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.unchecked_into::<web_sys::Element>().get_attribute(name))
        .collect()
}

fn text(host: &web_sys::HtmlElement, selector: &str) -> String {
    cell_texts(host, selector).join("")
}

#[wasm_bindgen_test]
async fn patches_tab_shows_the_cores_patches_filters_safe_ones_and_switches_format() {
    use kube_rightsize_core::format::fmt_usd;
    use kube_rightsize_core::patch::render::{PatchFormat, one};
    // The demo cluster with its KRR results, analysed by the engine the worker runs; the
    // report view is mounted with the reply, as the page mounts it.
    let fake = FakeHost::new(Prom::Empty);
    let mut req = request(false, None);
    req.input_names = vec!["cluster.json".into(), "krr.json".into()];
    let inputs = vec![
        ("cluster.json".to_owned(), DEMO_CLUSTER.to_vec()),
        ("krr.json".to_owned(), DEMO_KRR.to_vec()),
    ];
    let reply = match engine::run(&req, &inputs, &fake).await {
        Ok(r) => r,
        Err(e) => panic!("engine stopped: {e:?}"),
    };
    let patches = reply
        .report
        .patches
        .clone()
        .expect("the demo's KRR makes patches");
    let report = Arc::new(reply.report);
    let (inputs, nodes) = (Arc::new(reply.inputs), Arc::new(reply.node_descriptions));
    let host = host();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <kube_rightsize_app::report_view::ReportView report=report inputs=inputs node_descriptions=nodes /> }
    });
    click(&host, "#tab-patches");
    assert!(until(|| host.query_selector("#patch-summary").unwrap().is_some()).await);

    // The summary agrees with the core's patches.
    let applicable: Vec<_> = patches.applicable().collect();
    let risky: Vec<_> = applicable.iter().filter(|p| !p.risks.is_empty()).collect();
    let blocked: Vec<_> = patches
        .workloads
        .iter()
        .filter(|p| p.not_patchable.is_some())
        .collect();
    assert!(!risky.is_empty() && risky.len() < applicable.len() && !blocked.is_empty());
    let usd = |ps: &mut dyn Iterator<Item = f64>| fmt_usd(ps.sum());
    assert_eq!(text(&host, "#patch-count"), applicable.len().to_string());
    assert_eq!(text(&host, "#patch-risky"), risky.len().to_string());
    assert_eq!(text(&host, "#patch-blocked"), blocked.len().to_string());
    assert_eq!(
        text(&host, "#patch-unchanged"),
        patches.unchanged.to_string()
    );
    assert_eq!(
        text(&host, "#patch-savings"),
        usd(&mut applicable.iter().map(|p| p.monthly_savings))
    );
    // One entry per workload patch, in the core's order; risks visibly marked with their codes.
    let keys: Vec<String> = patches.workloads.iter().map(|p| p.key()).collect();
    assert_eq!(attributes(&host, "li.patch", "data-key"), keys);
    let first_risky = risky[0];
    let selector = format!("li.patch[data-key=\"{}\"] .patch-risk", first_risky.key());
    assert_eq!(
        attributes(&host, &selector, "data-code"),
        first_risky
            .risks
            .iter()
            .map(|r| r.code.clone())
            .collect::<Vec<_>>()
    );
    assert!(text(&host, &selector).starts_with("RISK "));

    // Switching the format changes the first patch's text to the core's text in that format.
    let first = applicable[0];
    let first_text = || text(&host, "li.patch:first-of-type pre.patch-text");
    assert_eq!(first.key(), keys[0]);
    assert_eq!(first_text(), one(first, PatchFormat::Kubectl).unwrap());
    for format in [PatchFormat::Yaml, PatchFormat::Helm, PatchFormat::Kubectl] {
        set_property(&host, "#patch-format", "value", format.as_str().into());
        let expected = one(first, format).unwrap();
        assert!(
            until(|| first_text() == expected).await,
            "{}: {}",
            format.as_str(),
            first_text()
        );
    }

    // A workload that cannot be patched shows why, and offers nothing to copy.
    let why = blocked[0].not_patchable.clone().unwrap();
    let entry = format!("li.patch[data-key=\"{}\"]", blocked[0].key());
    assert_eq!(
        text(&host, &format!("{entry} .patch-blocked-reason")),
        format!("Not patchable: {why}")
    );
    assert!(
        host.query_selector(&format!("{entry} .patch-copy"))
            .unwrap()
            .is_none()
    );

    // "Safe only" hides exactly the risky patches, and the summary counts what is left.
    set_property(&host, "#patch-safe-only", "checked", true.into());
    let hidden: Vec<String> = risky.iter().map(|p| p.key()).collect();
    assert!(until(|| attributes(&host, "li.patch[hidden]", "data-key") == hidden).await);
    let shown: Vec<String> = keys
        .iter()
        .filter(|k| !hidden.contains(k))
        .cloned()
        .collect();
    assert_eq!(
        attributes(&host, "li.patch:not([hidden])", "data-key"),
        shown
    );
    let safe: Vec<_> = applicable.iter().filter(|p| p.safe()).collect();
    assert_eq!(text(&host, "#patch-count"), safe.len().to_string());
    assert_eq!(
        text(&host, "#patch-savings"),
        usd(&mut safe.iter().map(|p| p.monthly_savings))
    );
    set_property(&host, "#patch-safe-only", "checked", false.into());
    assert!(until(|| host.query_selector("li.patch[hidden]").unwrap().is_none()).await);
    drop(handle);
}

#[wasm_bindgen_test]
async fn an_earlier_report_opens_the_changes_tab_with_the_cores_comparison() {
    use kube_rightsize_core::format::fmt_usd;
    // The earlier report: the demo with its KRR result, saved as JSON; then the demo snapshot
    // again next to it, as a user drops last month's export beside today's snapshot.
    let fake = FakeHost::new(Prom::Empty);
    let mut req = request(false, None);
    req.input_names = vec!["cluster.json".into(), "krr.json".into()];
    let earlier = match engine::run(
        &req,
        &[
            ("cluster.json".to_owned(), DEMO_CLUSTER.to_vec()),
            ("krr.json".to_owned(), DEMO_KRR.to_vec()),
        ],
        &fake,
    )
    .await
    {
        Ok(r) => r.report,
        Err(e) => panic!("engine stopped: {e:?}"),
    };
    let saved = kube_rightsize_core::report::json::to_json(&earlier).into_bytes();
    req.input_names = vec!["november.json".into(), "cluster.json".into()];
    let reply = match engine::run(
        &req,
        &[
            ("november.json".to_owned(), saved),
            ("cluster.json".to_owned(), DEMO_CLUSTER.to_vec()),
        ],
        &fake,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => panic!("engine stopped: {e:?}"),
    };
    let diff = reply
        .comparison
        .clone()
        .expect("compared with the earlier report");
    assert_eq!(
        diff.realised.applied, 0,
        "the same snapshot: nothing applied"
    );
    let report = Arc::new(reply.report);
    let (inputs, nodes) = (Arc::new(reply.inputs), Arc::new(reply.node_descriptions));
    let comparison = Some(Arc::new(diff.clone()));
    let host = host();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! {
            <kube_rightsize_app::report_view::ReportView
                report=report
                inputs=inputs
                node_descriptions=nodes
                comparison=comparison
            />
        }
    });
    // The Changes tab is shown first, with the core's figures.
    assert!(until(|| host.query_selector("#changes").unwrap().is_some()).await);
    assert_eq!(attributes(&host, "#tab-changes", "aria-selected"), ["true"]);
    assert_eq!(
        text(&host, "#changes-open .value"),
        fmt_usd(diff.realised.open_monthly_savings)
    );
    assert_eq!(
        text(&host, "#changes-applied .value"),
        format!("0 of {}", diff.realised.cells.len())
    );
    let rows = host
        .query_selector_all("#changes-recommendations-table tbody tr")
        .unwrap()
        .length() as usize;
    assert!(rows > 0 && rows <= diff.realised.cells.len(), "{rows} rows");
    // The other tabs are still there.
    click(&host, "#tab-workloads");
    assert!(until(|| host.query_selector("#changes").unwrap().is_none()).await);
    drop(handle);
}

#[wasm_bindgen_test]
async fn saved_reports_alone_show_the_fleet() {
    use kube_rightsize_core::format::fmt_usd;
    let fake = FakeHost::new(Prom::Empty);
    let mut req = request(false, None);
    req.input_names = vec!["cluster.json".into()];
    let one = match engine::run(
        &req,
        &[("cluster.json".to_owned(), DEMO_CLUSTER.to_vec())],
        &fake,
    )
    .await
    {
        Ok(r) => r.report,
        Err(e) => panic!("engine stopped: {e:?}"),
    };
    let saved = kube_rightsize_core::report::json::to_json(&one).into_bytes();
    req.input_names = vec!["prod.json".into(), "staging.json".into()];
    let reply = match engine::run(
        &req,
        &[
            ("prod.json".to_owned(), saved.clone()),
            ("staging.json".to_owned(), saved),
        ],
        &fake,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => panic!("engine stopped: {e:?}"),
    };
    let fleet = Arc::new(reply.fleet.clone().expect("reports alone make a fleet"));
    let names: Vec<&str> = fleet.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["prod", "staging"], "named after their files");
    let report = Arc::new(reply.report);
    let host = host();
    let shown = Arc::clone(&fleet);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <kube_rightsize_app::fleet::FleetView fleet=shown report=report /> }
    });
    assert!(until(|| host.query_selector("#fleet-summary").unwrap().is_some()).await);
    assert_eq!(text(&host, "#fleet-clusters .value"), "2");
    assert_eq!(
        text(&host, "#fleet-cost .value"),
        fmt_usd(fleet.totals.monthly_cost)
    );
    assert_eq!(
        cell_texts(&host, "#fleet-cluster-rows-table tbody tr td:first-child"),
        ["prod", "staging"]
    );
    // Every cluster's nodes in one table with a Cluster column; its filter keeps one cluster.
    let nodes = fleet.reports[0].nodes.len();
    let clusters = |host: &web_sys::HtmlElement| {
        cell_texts(host, "#fleet-nodes-table tbody tr td:first-child")
    };
    assert_eq!(clusters(&host).len(), 2 * nodes);
    let select: web_sys::HtmlSelectElement = host
        .query_selector("#fleet-nodes-facet-0")
        .unwrap()
        .expect("a Cluster filter")
        .unchecked_into();
    select.set_value("staging");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    assert!(until(|| clusters(&host).len() == nodes).await);
    assert!(clusters(&host).iter().all(|c| c == "staging"));
    for table in [
        "fleet-workloads",
        "fleet-namespaces",
        "fleet-repack-pools",
        "fleet-warnings",
    ] {
        assert!(
            host.query_selector(&format!("#{table}-facet-0"))
                .unwrap()
                .is_some(),
            "{table} has a Cluster filter"
        );
    }
    drop(handle);
}

// ── The Re-pack tab (issue 20) ────────────────────────────────────────────────────────────────

/// The texts of each row's cells in `#<id>-table`'s body.
fn table_rows(host: &web_sys::HtmlElement, id: &str) -> Vec<Vec<String>> {
    let rows = host
        .query_selector_all(&format!("#{id}-table tbody tr"))
        .unwrap();
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .map(|row| {
            let cells = row.unchecked_into::<web_sys::Element>().children();
            (0..cells.length())
                .filter_map(|i| cells.item(i))
                .map(|c| c.text_content().unwrap_or_default())
                .collect()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn repack_tab_shows_the_cores_figure_and_plans() {
    use kube_rightsize_core::format::fmt_usd;
    use kube_rightsize_core::report::columns::{REPACK_POOLS_VIEW, plan_text};
    let fake = FakeHost::new(Prom::Empty);
    let reply = run(&fake, &request(false, None)).await;
    let rp = reply.report.repack.clone().expect("the analysis re-packs");
    // The fixture re-shapes some pools, keeps one, drains a node and has a pod that cannot move.
    assert!(rp.pools.iter().any(|p| !p.keeps_current_nodes));
    assert!(rp.pools.iter().any(|p| p.reason.is_some()));
    assert!(!rp.drainable_nodes.is_empty() && !rp.blocked.is_empty());
    let mut without = reply.report.clone();
    without.repack = None;
    let report = Arc::new(reply.report);
    let (inputs, nodes) = (Arc::new(reply.inputs), Arc::new(reply.node_descriptions));
    let host = host();
    let handle = {
        let (inputs, nodes) = (Arc::clone(&inputs), Arc::clone(&nodes));
        leptos::mount::mount_to(host.clone(), move || {
            view! { <kube_rightsize_app::report_view::ReportView report=report inputs=inputs node_descriptions=nodes /> }
        })
    };
    assert_eq!(text(&host, "#tab-repack"), "Re-pack");
    click(&host, "#tab-repack");
    assert!(
        until(|| host
            .query_selector("#repack-pools-table")
            .unwrap()
            .is_some())
        .await
    );
    assert_eq!(attributes(&host, "#tab-repack", "aria-selected"), ["true"]);

    // The core's figure, breakdown and lower bound.
    for (id, v) in [
        ("repack-savings", rp.monthly_savings),
        ("repack-cost", rp.monthly_cost),
        ("repack-current", rp.current_monthly_cost),
        ("repack-from-requests", rp.breakdown.from_requests),
        ("repack-from-shapes", rp.breakdown.from_shapes),
        ("repack-from-drained", rp.breakdown.from_drained_nodes),
        ("repack-lower-bound", rp.lower_bound_monthly_cost),
        ("repack-gap", rp.gap_monthly_cost),
    ] {
        assert_eq!(text(&host, &format!("#{id} .value")), fmt_usd(v), "{id}");
    }
    assert!(text(&host, "#repack-headline").contains(&fmt_usd(rp.monthly_savings)));

    // One row per pool, with the core's plan in the core's columns.
    let rows = table_rows(&host, "repack-pools");
    assert_eq!(rows.len(), rp.pools.len());
    let col = |key: &str| {
        REPACK_POOLS_VIEW
            .people
            .iter()
            .position(|k| *k == key)
            .unwrap()
    };
    for p in &rp.pools {
        let row = rows
            .iter()
            .find(|r| r[col("pool")] == p.pool)
            .unwrap_or_else(|| panic!("no row for {}", p.pool));
        assert_eq!(row[col("current")], plan_text(&p.current), "{}", p.pool);
        assert_eq!(row[col("plan")], plan_text(&p.plan), "{}", p.pool);
        assert_eq!(row[col("monthly_cost")], fmt_usd(p.monthly_cost));
        assert_eq!(
            row[col("reason")],
            p.reason.clone().unwrap_or_else(|| "–".into())
        );
    }
    let reshaped = rp
        .pools
        .iter()
        .find(|p| !p.keeps_current_nodes && !p.plan.is_empty())
        .unwrap();
    assert!(
        rows.iter()
            .any(|r| r[col("plan")] == plan_text(&reshaped.plan) && r[col("plan")].contains(" × "))
    );

    // The nodes that could go today, the pods that kept their node, the notes.
    assert_eq!(
        text(&host, "#repack-drainable"),
        rp.drainable_nodes.join(", ")
    );
    let blocked = table_rows(&host, "repack-blocked");
    assert_eq!(blocked.len(), rp.blocked.len());
    assert_eq!(blocked[0][0], rp.blocked[0].pod);
    assert_eq!(cell_texts(&host, "#repack-notes li"), rp.notes);
    drop(handle);

    // A report without a re-packing (saved before it existed) has no Re-pack tab.
    let host = crate::host();
    let report = Arc::new(without);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <kube_rightsize_app::report_view::ReportView report=report inputs=inputs node_descriptions=nodes /> }
    });
    assert!(host.query_selector("#tab-pools").unwrap().is_some());
    assert!(host.query_selector("#tab-repack").unwrap().is_none());
    drop(handle);
}
