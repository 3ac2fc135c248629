//! Browser component tests of the Vantage panel (wasm-bindgen-test in headless Chromium): the
//! token field, "Remember on this device" / "Forget", that the token reaches localStorage only
//! when the user opted in, what "Fetch prices" hands the app, how the panel shows a fetch, and
//! a whole fetch through the app's engine (the pipeline) on the page.
#![cfg(target_arch = "wasm32")]

use kube_rightsize_app::engine::{VantageReply, VantageRequest};
use kube_rightsize_app::storage::{CACHE_KEY, PREFERENCES_KEY, TOKEN_KEY};
use kube_rightsize_app::vantage::{End, FetchRun, VantagePanel};
use kube_rightsize_core::diagnostics::Warning;
use kube_rightsize_core::model::{CapacityType, Provider};
use kube_rightsize_core::pricing::vantage::{PriceKey, TypeState, TypeStatus};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TOKEN: &str = "vntg_tkn_component_test_secret";

fn new_host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    host.unchecked_into()
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// The remembered token (stored as a JSON string).
fn stored_token() -> Option<String> {
    storage()
        .get_item(TOKEN_KEY)
        .unwrap()
        .map(|json| serde_json::from_str(&json).expect("a JSON string"))
}

/// Every localStorage entry as `key=value`.
fn everything_stored() -> Vec<String> {
    let s = storage();
    (0..s.length().unwrap())
        .filter_map(|i| s.key(i).unwrap())
        .map(|k| format!("{k}={}", s.get_item(&k).unwrap().unwrap_or_default()))
        .collect()
}

async fn tick(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

fn input(host: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlInputElement {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} not found"))
        .unchecked_into()
}

fn fire(target: &web_sys::HtmlElement, kind: &str) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    target
        .dispatch_event(&web_sys::Event::new_with_event_init_dict(kind, &init).unwrap())
        .unwrap();
}

fn type_token(host: &web_sys::HtmlElement, text: &str) {
    let field = input(host, "#vantage-token");
    field.set_value(text);
    fire(&field, "input");
}

fn set_remember(host: &web_sys::HtmlElement, on: bool) {
    let checkbox = input(host, "#vantage-remember");
    checkbox.set_checked(on);
    fire(&checkbox, "change");
}

fn text(host: &web_sys::HtmlElement, selector: &str) -> Option<String> {
    host.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
}

/// What the panel asked of the app.
#[derive(Clone, Copy)]
struct Wiring {
    fetches: RwSignal<Vec<VantageRequest>>,
    cancels: RwSignal<u32>,
    run: RwSignal<FetchRun>,
}

fn mount_panel(
    host: &web_sys::HtmlElement,
    wanted: Vec<PriceKey>,
) -> (leptos::mount::UnmountHandle<impl Mountable>, Wiring) {
    let wiring = Wiring {
        fetches: RwSignal::new(Vec::new()),
        cancels: RwSignal::new(0),
        run: RwSignal::new(FetchRun::default()),
    };
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let wanted = wanted.clone();
        view! {
            <VantagePanel
                wanted=Signal::derive(move || wanted.clone())
                run=wiring.run
                applied=Signal::derive(|| false)
                on_fetch=Callback::new(move |v| wiring.fetches.update(|f| f.push(v)))
                on_cancel=Callback::new(move |_| wiring.cancels.update(|c| *c += 1))
                on_stop=Callback::new(|_| {})
            />
        }
    });
    (handle, wiring)
}

fn m5_large() -> PriceKey {
    PriceKey {
        provider: Provider::Aws,
        instance_type: "m5.large".into(),
        region: "us-east-1".into(),
        capacity_type: CapacityType::OnDemand,
    }
}

fn click(host: &web_sys::HtmlElement, selector: &str) {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("{selector} not found"))
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
}

fn disabled(host: &web_sys::HtmlElement, selector: &str) -> bool {
    input(host, selector).has_attribute("disabled")
}

fn clean() {
    storage().remove_item(TOKEN_KEY).unwrap();
    storage().remove_item(CACHE_KEY).unwrap();
}

#[wasm_bindgen_test]
async fn the_token_field_is_a_password_field_and_the_token_stays_in_memory() {
    clean();
    let host = new_host();
    let (handle, _) = mount_panel(&host, Vec::new());
    let field = input(&host, "#vantage-token");
    assert_eq!(field.type_(), "password");
    // Labelled controls.
    for id in ["vantage-api", "vantage-token", "vantage-base"] {
        assert!(
            host.query_selector(&format!("label[for={id}]"))
                .unwrap()
                .is_some(),
            "{id} has a label"
        );
    }
    assert!(!input(&host, "#vantage-remember").checked());
    type_token(&host, TOKEN);
    tick(20).await;
    assert_eq!(field.value(), TOKEN);
    assert_eq!(stored_token(), None);
    assert!(
        everything_stored().iter().all(|e| !e.contains(TOKEN)),
        "{:?}",
        everything_stored()
    );
    // No warning about a stored token while nothing is stored.
    assert!(
        host.query_selector("#vantage-remember-warning")
            .unwrap()
            .is_none()
    );
    drop(handle);
    // A fresh panel does not know the token.
    let host2 = new_host();
    let (handle2, _) = mount_panel(&host2, Vec::new());
    assert_eq!(input(&host2, "#vantage-token").value(), "");
    drop(handle2);
}

#[wasm_bindgen_test]
async fn remember_stores_the_token_and_forget_removes_it() {
    clean();
    let host = new_host();
    let (handle, _) = mount_panel(&host, Vec::new());
    type_token(&host, TOKEN);
    set_remember(&host, true);
    tick(20).await;
    assert_eq!(stored_token().as_deref(), Some(TOKEN));
    let warning = text(&host, "#vantage-remember-warning").expect("a visible warning");
    assert!(warning.contains("localStorage"), "{warning}");
    // Edits follow while remembered.
    type_token(&host, "vntg_tkn_changed");
    tick(20).await;
    assert_eq!(stored_token().as_deref(), Some("vntg_tkn_changed"));
    // Unticking removes it.
    set_remember(&host, false);
    tick(20).await;
    assert_eq!(stored_token(), None);
    assert!(
        host.query_selector("#vantage-remember-warning")
            .unwrap()
            .is_none()
    );
    // Tick again, then Forget: removed, unticked, field emptied.
    set_remember(&host, true);
    tick(20).await;
    assert!(stored_token().is_some());
    drop(handle);
    // A new page load finds the remembered token.
    let host2 = new_host();
    let (handle2, _) = mount_panel(&host2, Vec::new());
    tick(20).await;
    assert_eq!(input(&host2, "#vantage-token").value(), "vntg_tkn_changed");
    assert!(input(&host2, "#vantage-remember").checked());
    host2
        .query_selector("#vantage-forget")
        .unwrap()
        .expect("a Forget button")
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    tick(20).await;
    assert_eq!(stored_token(), None);
    assert!(!input(&host2, "#vantage-remember").checked());
    assert_eq!(input(&host2, "#vantage-token").value(), "");
    assert!(everything_stored().iter().all(|e| !e.contains("vntg_tkn")));
    drop(handle2);
}

#[wasm_bindgen_test]
async fn fetch_without_a_token_asks_nothing() {
    clean();
    let host = new_host();
    let (handle, wiring) = mount_panel(&host, vec![m5_large()]);
    click(&host, "#vantage-fetch");
    tick(20).await;
    let summary = text(&host, "#vantage-summary").unwrap_or_default();
    assert_eq!(summary, "Enter a token first.");
    // No analysis is asked for: the prices in use stay.
    assert!(wiring.fetches.get_untracked().is_empty());
    drop(handle);
}

#[wasm_bindgen_test]
async fn fetch_before_a_cluster_asks_for_one() {
    clean();
    let host = new_host();
    let (handle, wiring) = mount_panel(&host, Vec::new());
    type_token(&host, TOKEN);
    click(&host, "#vantage-fetch");
    tick(20).await;
    let summary = text(&host, "#vantage-summary").unwrap_or_default();
    assert!(summary.contains("Load a cluster first"), "{summary}");
    assert!(wiring.fetches.get_untracked().is_empty());
    drop(handle);
}

#[wasm_bindgen_test]
async fn fetch_hands_the_app_the_key_the_base_url_and_the_cache() {
    clean();
    storage()
        .set_item(
            CACHE_KEY,
            r#"{"schema":"kube-rightsize/vantage-cache/v1","entries":[]}"#,
        )
        .unwrap();
    let host = new_host();
    let (handle, wiring) = mount_panel(&host, vec![m5_large()]);
    type_token(&host, &format!("  {TOKEN} "));
    let base = input(&host, "#vantage-base");
    base.set_value("http://proxy.test/");
    fire(&base, "change");
    click(&host, "#vantage-fetch");
    tick(20).await;
    let fetches = wiring.fetches.get_untracked();
    assert_eq!(fetches.len(), 1);
    let asked = &fetches[0];
    assert_eq!(asked.token.0, TOKEN);
    assert_eq!(asked.base_url, "http://proxy.test");
    assert!(
        asked
            .cache
            .as_deref()
            .is_some_and(|c| c.contains("kube-rightsize/vantage-cache/v1")),
        "{:?}",
        asked.cache
    );
    assert!(
        !format!("{asked:?}").contains(TOKEN),
        "Debug shows no token"
    );
    drop(handle);
    clean();
}

#[wasm_bindgen_test]
async fn the_panel_shows_a_fetch_as_it_runs_and_ends() {
    clean();
    let host = new_host();
    let (handle, wiring) = mount_panel(&host, vec![m5_large()]);
    wiring
        .run
        .set(FetchRun::start("http://vantage.test".into(), 2));
    tick(20).await;
    assert_eq!(
        text(&host, "#vantage-summary").as_deref(),
        Some("Fetching prices…")
    );
    assert!(disabled(&host, "#vantage-fetch") && !disabled(&host, "#vantage-cancel"));
    click(&host, "#vantage-cancel");
    assert_eq!(wiring.cancels.get_untracked(), 1);
    wiring.run.update(|r| {
        r.log.push("Querying cost for m5.large in us-east-1".into());
        r.waiting = Some("Vantage rate limit reached (429): waiting 3 s (2 s left)".into());
    });
    tick(20).await;
    assert!(text(&host, "#vantage-log").unwrap().contains("m5.large"));
    assert!(text(&host, "#vantage-wait").unwrap().contains("2 s left"));
    let status = |instance_type: &str, state, usd_per_hour, source: &str| TypeStatus {
        provider: Provider::Aws,
        instance_type: instance_type.into(),
        region: "us-east-1".into(),
        capacity_type: CapacityType::OnDemand,
        state,
        usd_per_hour,
        source: source.into(),
        message: None,
    };
    let reply = VantageReply {
        statuses: vec![
            status("m5.large", TypeState::Fetched, Some(0.096), "vantage"),
            status("c5.large", TypeState::Failed, None, "next price source"),
        ],
        priced: 1,
        requests: 3,
        warnings: vec![Warning::new(
            "vantage_http_error",
            "c5.large",
            "Vantage answered HTTP 500",
        )],
        cache: "{}".into(),
        prices_file: "{}".into(),
    };
    wiring.run.update(|r| r.stop(End::Done(reply)));
    tick(20).await;
    let summary = text(&host, "#vantage-summary").unwrap();
    assert_eq!(
        summary,
        "Done: 3 requests to Vantage; 1 of 2 prices (type, region, capacity) from Vantage."
    );
    assert!(host.query_selector("#vantage-wait").unwrap().is_none());
    let rows = text(&host, "#vantage-status tbody").unwrap();
    assert!(
        rows.contains("$0.0960") && rows.contains("failed"),
        "{rows}"
    );
    let problems = text(&host, "#vantage-problems").unwrap();
    assert_eq!(problems, "Vantage answered HTTP 500");
    assert!(host.query_selector("#vantage-blocked").unwrap().is_none());
    // A blocked fetch explains CORS for the base URL it asked.
    wiring
        .run
        .set(FetchRun::start("http://vantage.test".into(), 1));
    let blocked = VantageReply {
        statuses: Vec::new(),
        priced: 0,
        requests: 1,
        warnings: vec![Warning::new("vantage_blocked", "", "blocked (CORS)")],
        cache: "{}".into(),
        prices_file: "{}".into(),
    };
    wiring.run.update(|r| r.stop(End::Done(blocked)));
    tick(20).await;
    let explained = text(&host, "#vantage-blocked").unwrap();
    assert!(
        explained.contains("may not read answers from http://vantage.test"),
        "{explained}"
    );
    // Cancelled.
    wiring
        .run
        .set(FetchRun::start("http://vantage.test".into(), 6));
    wiring.run.update(|r| r.stop(End::Cancelled));
    tick(20).await;
    assert!(
        text(&host, "#vantage-summary")
            .unwrap()
            .starts_with("Cancelled. 0 of 6 prices")
    );
    drop(handle);
}

// ── A whole fetch: the app, its engine on the page, the pipeline ─────────────────────────────

const MIXED: &str = include_str!("../crates/core/tests/fixtures/cost/mixed.json");

fn paste(host: &web_sys::HtmlElement, text: &str) {
    let data = web_sys::DataTransfer::new().unwrap();
    data.set_data("text", text).unwrap();
    let init = web_sys::ClipboardEventInit::new();
    init.set_clipboard_data(Some(&data));
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
    host.query_selector("#paste")
        .unwrap()
        .unwrap()
        .dispatch_event(&event)
        .unwrap();
}

/// Waits up to 60 s (a stuck test on a loaded machine, not a performance threshold).
async fn until(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..3000 {
        if done() {
            return true;
        }
        tick(20).await;
    }
    done()
}

/// Regression (issue 22): with a manual price for m5.large, Vantage is not asked for it, and
/// Vantage's failure (here the browser cannot reach it) is in the report's warnings.
#[wasm_bindgen_test]
async fn a_fetch_runs_through_the_analysis_skips_manual_types_and_reports_failures() {
    clean();
    storage()
        .set_item(PREFERENCES_KEY, r#"{"manual_prices":"m5.large=0.05"}"#)
        .unwrap();
    let host = new_host();
    let handle = leptos::mount::mount_to(host.clone(), || {
        provide_context(kube_rightsize_app::local_engine());
        view! { <kube_rightsize_app::App /> }
    });
    paste(&host, MIXED);
    assert!(until(|| host.query_selector(".chip").unwrap().is_some()).await);
    click(&host, "#analyze");
    assert!(until(|| host.query_selector("#summary").unwrap().is_some()).await);
    type_token(&host, TOKEN);
    // Nothing listens on port 9: the browser refuses the request (as it does under CORS).
    let base = input(&host, "#vantage-base");
    base.set_value("http://127.0.0.1:9");
    fire(&base, "change");
    click(&host, "#vantage-fetch");
    let done =
        until(|| text(&host, "#vantage-summary").is_some_and(|s| s.starts_with("Done"))).await;
    assert!(done, "{:?}", text(&host, "#vantage-summary"));
    let summary = text(&host, "#vantage-summary").unwrap();
    assert!(summary.contains("1 request to Vantage; 0 of"), "{summary}");
    let rows = text(&host, "#vantage-status tbody").unwrap();
    assert!(rows.contains("m5.xlarge"), "{rows}");
    assert!(!rows.contains("m5.large"), "manually priced: {rows}");
    assert!(
        text(&host, "#vantage-blocked")
            .unwrap()
            .contains("may not read answers from http://127.0.0.1:9")
    );
    // The report says so, and keeps it for later analyses (the prices file carries it).
    click(&host, "#tab-warnings");
    tick(20).await;
    let warnings = text(&host, "#warnings-table").unwrap_or_default();
    assert!(warnings.contains("vantage_blocked"), "{warnings}");
    assert!(host.query_selector("#vantage-stop").unwrap().is_some());
    assert!(storage().get_item(CACHE_KEY).unwrap().is_some());
    assert!(
        everything_stored().iter().all(|e| !e.contains(TOKEN)),
        "{:?}",
        everything_stored()
    );
    drop(handle);
    storage().remove_item(PREFERENCES_KEY).unwrap();
    clean();
}
