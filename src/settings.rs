//! The settings panel: manual prices and the spot assumption, saved in localStorage (pasted
//! cluster data is never saved).

use kube_rightsize_core::preferences::Preferences;
use leptos::prelude::*;

/// The localStorage key of the saved preferences.
pub const STORAGE_KEY: &str = "kube-rightsize.preferences.v1";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The saved preferences, or the defaults.
pub fn load() -> Preferences {
    storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .map(|t| Preferences::from_json(&t))
        .unwrap_or_default()
}

/// Saves the preferences (best effort: private browsing may refuse).
pub fn save(prefs: &Preferences) {
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, &prefs.to_json());
    }
}

/// Manual prices and the spot assumption. Changes are saved and re-run the analysis.
#[component]
pub fn SettingsPanel(
    /// The preferences being edited.
    prefs: RwSignal<Preferences>,
    /// Problems applying the preferences (from the last analysis).
    errors: RwSignal<Vec<String>>,
    /// Called after every change (the app saves and re-runs).
    on_change: Callback<()>,
) -> impl IntoView {
    let spot_on = move || prefs.with(|p| p.assume_spot_discount_percent.is_some());
    view! {
        <details class="panel settings" id="settings">
            <summary>"Settings: price overrides and assumptions"</summary>
            <div class="settings-grid">
                <label for="manual-prices">
                    "Manual prices (USD per hour), one " <code>"TYPE=PRICE"</code>
                    " per line; they win over every other source"
                </label>
                <textarea
                    id="manual-prices"
                    rows="4"
                    placeholder="m5.large=0.062\nStandard_D4s_v5=0.15"
                    prop:value=move || prefs.with(|p| p.manual_prices.clone())
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        prefs.update(|p| p.manual_prices = text);
                        on_change.run(());
                    }
                ></textarea>
                <label class="row">
                    <input
                        type="checkbox"
                        id="spot-discount-on"
                        prop:checked=spot_on
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            prefs.update(|p| p.assume_spot_discount_percent = on.then_some(60.0));
                            on_change.run(());
                        }
                    />
                    "Assume a spot discount of "
                    <input
                        type="number"
                        id="spot-discount"
                        min="0"
                        max="99"
                        step="1"
                        disabled=move || !spot_on()
                        prop:value=move || {
                            prefs.with(|p| p.assume_spot_discount_percent.unwrap_or(60.0).to_string())
                        }
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                prefs.update(|p| p.assume_spot_discount_percent = Some(v));
                                on_change.run(());
                            }
                        }
                    />
                    "% for spot nodes without a known spot price (an estimate; off by default)"
                </label>
                <p class="muted">
                    "Settings are saved in this browser. Your cluster data is not."
                </p>
                <ul class="settings-errors">
                    {move || errors.get().into_iter().map(|e| view! { <li class="error">{e}</li> }).collect_view()}
                </ul>
            </div>
        </details>
    }
}
