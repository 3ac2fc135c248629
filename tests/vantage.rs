//! Browser component tests of the Vantage panel (wasm-bindgen-test in headless Chromium): the
//! token field, "Remember on this device" / "Forget", and that the token reaches localStorage
//! only when the user opted in.
#![cfg(target_arch = "wasm32")]

use kube_rightsize_app::vantage::{CACHE_KEY, TOKEN_KEY, VantagePanel};
use kube_rightsize_core::model::{CapacityType, Provider};
use kube_rightsize_core::pricing::vantage::PriceKey;
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

fn mount_panel(
    host: &web_sys::HtmlElement,
    wanted: Vec<PriceKey>,
    received: RwSignal<Vec<Option<String>>>,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    leptos::mount::mount_to(host.clone(), move || {
        let wanted = wanted.clone();
        view! {
            <VantagePanel
                wanted=Signal::derive(move || wanted.clone())
                on_prices=Callback::new(move |file| received.update(|r| r.push(file)))
            />
        }
    })
}

fn clean() {
    storage().remove_item(TOKEN_KEY).unwrap();
    storage().remove_item(CACHE_KEY).unwrap();
}

#[wasm_bindgen_test]
async fn the_token_field_is_a_password_field_and_the_token_stays_in_memory() {
    clean();
    let host = new_host();
    let received = RwSignal::new(Vec::new());
    let handle = mount_panel(&host, Vec::new(), received);
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
    assert_eq!(storage().get_item(TOKEN_KEY).unwrap(), None);
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
    let handle2 = mount_panel(&host2, Vec::new(), received);
    assert_eq!(input(&host2, "#vantage-token").value(), "");
    drop(handle2);
}

#[wasm_bindgen_test]
async fn remember_stores_the_token_and_forget_removes_it() {
    clean();
    let host = new_host();
    let received = RwSignal::new(Vec::new());
    let handle = mount_panel(&host, Vec::new(), received);
    type_token(&host, TOKEN);
    set_remember(&host, true);
    tick(20).await;
    assert_eq!(
        storage().get_item(TOKEN_KEY).unwrap().as_deref(),
        Some(TOKEN)
    );
    let warning = text(&host, "#vantage-remember-warning").expect("a visible warning");
    assert!(warning.contains("localStorage"), "{warning}");
    // Edits follow while remembered.
    type_token(&host, "vntg_tkn_changed");
    tick(20).await;
    assert_eq!(
        storage().get_item(TOKEN_KEY).unwrap().as_deref(),
        Some("vntg_tkn_changed")
    );
    // Unticking removes it.
    set_remember(&host, false);
    tick(20).await;
    assert_eq!(storage().get_item(TOKEN_KEY).unwrap(), None);
    assert!(
        host.query_selector("#vantage-remember-warning")
            .unwrap()
            .is_none()
    );
    // Tick again, then Forget: removed, unticked, field emptied.
    set_remember(&host, true);
    tick(20).await;
    assert!(storage().get_item(TOKEN_KEY).unwrap().is_some());
    drop(handle);
    // A new page load finds the remembered token.
    let host2 = new_host();
    let handle2 = mount_panel(&host2, Vec::new(), received);
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
    assert_eq!(storage().get_item(TOKEN_KEY).unwrap(), None);
    assert!(!input(&host2, "#vantage-remember").checked());
    assert_eq!(input(&host2, "#vantage-token").value(), "");
    assert!(everything_stored().iter().all(|e| !e.contains("vntg_tkn")));
    drop(handle2);
}

#[wasm_bindgen_test]
async fn fetch_without_a_token_sends_nothing_and_keeps_the_prices() {
    clean();
    let host = new_host();
    let received = RwSignal::new(Vec::new());
    let wanted = vec![PriceKey {
        provider: Provider::Aws,
        instance_type: "m5.large".into(),
        region: "us-east-1".into(),
        capacity_type: CapacityType::OnDemand,
    }];
    let handle = mount_panel(&host, wanted, received);
    host.query_selector("#vantage-fetch")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    let mut summary = None;
    for _ in 0..50 {
        tick(20).await;
        summary = text(&host, "#vantage-summary").filter(|s| s.starts_with("Done"));
        if summary.is_some() {
            break;
        }
    }
    let summary = summary.expect("the run ends");
    assert!(
        summary.contains("0 requests to Vantage; 0 of 1"),
        "{summary}"
    );
    let problems = text(&host, "#vantage-problems").unwrap_or_default();
    assert!(
        problems.contains("the Vantage token is empty"),
        "{problems}"
    );
    let status = text(&host, "#vantage-status tbody").unwrap_or_default();
    assert!(
        status.contains("m5.large") && status.contains("skipped"),
        "{status}"
    );
    // Nothing found: the analysis is not told to change its prices.
    assert!(received.get_untracked().is_empty());
    drop(handle);
    clean();
}

#[wasm_bindgen_test]
async fn fetch_before_a_cluster_asks_for_one() {
    clean();
    let host = new_host();
    let received = RwSignal::new(Vec::new());
    let handle = mount_panel(&host, Vec::new(), received);
    host.query_selector("#vantage-fetch")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    tick(20).await;
    let summary = text(&host, "#vantage-summary").unwrap_or_default();
    assert!(summary.contains("Load a cluster first"), "{summary}");
    drop(handle);
}
