//! Panics in the page: a hook that shows an error panel with what happened and a "Copy
//! diagnostics" button, instead of a silently dead page.
//!
//! The panel is plain DOM, built by the hook itself: it does not need the Leptos runtime, which
//! the panic may have left mid-update. Release builds use `panic = "abort"`: the hook runs, then
//! the wasm instance traps out of the current event handler. Event handlers registered before
//! stay callable, so the page usually keeps working (the loaded inputs and the last report
//! stay); the panel says to reload if it does not. A panic in the analysis worker never reaches
//! this hook: the worker reports it and the page shows it here with [`show`].
//!
//! Diagnostics hold the panic message, the app version, the browser's user agent and the kinds
//! and sizes of the loaded inputs — never their contents, names or any token.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The panel's element id.
pub const PANEL_ID: &str = "panic-panel";

thread_local! {
    static INPUTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Records what the loaded inputs are (kind and size per input, e.g. `cluster snapshot (JSON):
/// 17 nodes, 213 pods; 4 MB`), for the diagnostics. Never pass contents or names.
pub fn set_inputs(kinds_and_sizes: Vec<String>) {
    INPUTS.set(kinds_and_sizes);
}

/// Installs the hook (also logging to the console as `console_error_panic_hook` does).
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(&info.to_string());
    }));
}

/// The diagnostics text for `message`.
pub fn diagnostics(message: &str) -> String {
    let agent = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_else(|| "unknown".into());
    let inputs = INPUTS.with_borrow(|i| {
        if i.is_empty() {
            "  (none)".to_owned()
        } else {
            i.iter()
                .map(|l| format!("  - {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        }
    });
    format!(
        "kube-rightsize {} crashed\npanic: {message}\nuser agent: {agent}\ninputs:\n{inputs}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Shows the panel for `message` (replacing an open one). Best effort: a page without a body
/// gets nothing.
pub fn show(message: &str) {
    let _ = try_show(message);
}

fn try_show(message: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    if let Some(old) = document.get_element_by_id(PANEL_ID) {
        old.remove();
    }
    let el = |tag: &str, text: &str| -> Option<web_sys::Element> {
        let e = document.create_element(tag).ok()?;
        e.set_text_content(Some(text));
        Some(e)
    };
    let panel = document.create_element("div").ok()?;
    panel.set_id(PANEL_ID);
    panel.set_class_name("panic-panel");
    let _ = panel.set_attribute("role", "alertdialog");
    let _ = panel.set_attribute("aria-labelledby", "panic-title");
    let title = el("h2", "Something went wrong inside kube-rightsize")?;
    title.set_id("panic-title");
    panel.append_child(&title).ok()?;
    let explanation = el(
        "p",
        "This is a bug, not a problem with your data. Your inputs and the last report are \
         still here; if the page stops responding, reload it. Please report the diagnostics \
         below (they contain no cluster data).",
    )?;
    panel.append_child(&explanation).ok()?;
    let text = diagnostics(message);
    let pre = el("pre", &text)?;
    pre.set_id("panic-diagnostics");
    panel.append_child(&pre).ok()?;
    let row = document.create_element("div").ok()?;
    row.set_class_name("row");
    let copy = el("button", "Copy diagnostics")?;
    copy.set_id("panic-copy");
    let status = el("span", "")?;
    status.set_class_name("muted");
    status.set_id("panic-copy-status");
    let on_copy = {
        let status = status.clone();
        Closure::<dyn Fn()>::new(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&text);
            }
            status.set_text_content(Some(" copied"));
        })
    };
    copy.add_event_listener_with_callback("click", on_copy.as_ref().unchecked_ref())
        .ok()?;
    on_copy.forget();
    let dismiss = el("button", "Dismiss")?;
    dismiss.set_id("panic-dismiss");
    let on_dismiss = {
        let panel = panel.clone();
        Closure::<dyn Fn()>::new(move || panel.remove())
    };
    dismiss
        .add_event_listener_with_callback("click", on_dismiss.as_ref().unchecked_ref())
        .ok()?;
    on_dismiss.forget();
    row.append_child(&copy).ok()?;
    row.append_child(&dismiss).ok()?;
    row.append_child(&status).ok()?;
    panel.append_child(&row).ok()?;
    document.body()?.prepend_with_node_1(&panel).ok()?;
    Some(())
}
