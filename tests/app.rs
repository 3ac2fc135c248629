//! Browser component tests (wasm-bindgen-test in headless Chromium).
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use kube_rightsize_app::table::{Cell, Column, DataTable};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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
    let handle = leptos::mount::mount_to(host.clone(), kube_rightsize_app::App);
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
                initial_sort=1
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
    let handle = leptos::mount::mount_to(host.clone(), kube_rightsize_app::App);
    let data = web_sys::DataTransfer::new().unwrap();
    data.set_data("text", "NAME                     READY   STATUS    RESTARTS   AGE\nweb-7d9c8b6f5-abcde      1/1     Running   0          3d\n")
        .unwrap();
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
    let mut error = None;
    for _ in 0..100 {
        tick(50).await;
        if let Some(e) = host.query_selector("#input-error").unwrap() {
            error = e.text_content();
            break;
        }
    }
    let error = error.expect("an input error is shown");
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
        .remove_item(kube_rightsize_app::settings::STORAGE_KEY)
        .unwrap();
    let first = host();
    let handle = leptos::mount::mount_to(first.clone(), kube_rightsize_app::App);
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
        .get_item(kube_rightsize_app::settings::STORAGE_KEY)
        .unwrap()
        .expect("preferences saved");
    assert!(saved.contains("m5.large=0.05"), "{saved}");
    drop(handle);
    // A fresh mount reads them back.
    let host2 = host();
    let handle2 = leptos::mount::mount_to(host2.clone(), kube_rightsize_app::App);
    tick(0).await;
    let again: web_sys::HtmlTextAreaElement = host2
        .query_selector("#manual-prices")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(again.value(), "m5.large=0.05");
    drop(handle2);
    storage
        .remove_item(kube_rightsize_app::settings::STORAGE_KEY)
        .unwrap();
}
