//! Browser component tests (wasm-bindgen-test in headless Chromium).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn app_mounts_and_offers_the_demo() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), kube_rightsize_app::App);
    let button = host
        .query_selector("#demo")
        .unwrap()
        .expect("demo button rendered");
    assert_eq!(button.text_content().unwrap(), "Try the demo cluster");
    drop(handle);
}
