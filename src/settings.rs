//! The settings panel: manual prices (also edited inline per instance type), the spot
//! assumption, discounts, storage prices, the re-packing's spot option, fallback rates, KRR's
//! strategy settings and the patches' CPU drop factor. The app saves them in localStorage
//! ([`crate::storage`]; pasted cluster data is never saved).

use kube_rightsize_core::patch::DEFAULT_CPU_DROP_FACTOR;
use kube_rightsize_core::preferences::{Preferences, StrategyPreferences};
use kube_rightsize_core::pricing::rates::Rates;
use kube_rightsize_core::recommend::StrategySettings;
use kube_rightsize_core::report::TypePrice;
use leptos::prelude::*;

/// An optional number from a field: empty means "the default" (`None`), text that is not a
/// number is kept as NaN so the core reports it.
fn optional_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        None
    } else {
        Some(t.parse::<f64>().unwrap_or(f64::NAN))
    }
}

fn show(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A number field for an optional setting, with its label: `default` (`whose` default it is) is
/// the placeholder and empty means the default; `min`, when the value has one. `value` shows the
/// setting; `change` gets the field's number when it changes.
fn number_input(
    id: &'static str,
    label: &'static str,
    default: String,
    whose: &'static str,
    min: Option<&'static str>,
    value: impl Fn() -> String + Send + Sync + 'static,
    change: impl Fn(Option<f64>) + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input
            type="number"
            id=id
            min=min
            step="any"
            placeholder=default.clone()
            title=format!("{whose} default: {default}. Leave empty for the default.")
            prop:value=value
            on:change=move |ev| change(optional_number(&event_target_value(&ev)))
        />
    }
}

/// One numeric strategy field: label, KRR's default as the placeholder, empty = default.
fn strategy_field(
    prefs: RwSignal<Preferences>,
    on_change: Callback<()>,
    id: &'static str,
    label: &'static str,
    default: String,
    get: fn(&StrategyPreferences) -> Option<f64>,
    set: fn(&mut StrategyPreferences, Option<f64>),
) -> impl IntoView {
    let value = move || prefs.with(|p| show(get(&p.strategy)));
    let change = move |v| {
        prefs.update(|p| set(&mut p.strategy, v));
        on_change.run(());
    };
    number_input(id, label, default, "KRR's", None, value, change)
}

/// One on/off strategy setting: a checkbox and its label.
fn strategy_checkbox(
    prefs: RwSignal<Preferences>,
    on_change: Callback<()>,
    id: &'static str,
    label: &'static str,
    get: fn(&StrategyPreferences) -> bool,
    set: fn(&mut StrategyPreferences, bool),
) -> impl IntoView {
    view! {
        <label class="row">
            <input
                type="checkbox"
                id=id
                prop:checked=move || prefs.with(|p| get(&p.strategy))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    prefs.update(|p| set(&mut p.strategy, on));
                    on_change.run(());
                }
            />
            {label}
        </label>
    }
}

/// Settings: manual prices (as text and inline per instance type), the spot assumption,
/// fallback rates, KRR's strategy settings and the patches' CPU drop factor (a CPU request cut
/// by more than it is a risk). Changes are saved and re-run the analysis.
#[component]
pub fn SettingsPanel(
    /// The preferences being edited.
    prefs: RwSignal<Preferences>,
    /// Problems applying the preferences (from the last analysis).
    errors: RwSignal<Vec<String>>,
    /// Called after every change (the app saves and re-runs).
    on_change: Callback<()>,
    /// The instance types of the last report with the price each was given (for inline edits).
    #[prop(into, optional)]
    prices_in_use: Signal<Vec<TypePrice>>,
) -> impl IntoView {
    let spot_on = move || prefs.with(|p| p.assume_spot_discount_percent.is_some());
    let fallback_field = move |id: &'static str,
                               label: &'static str,
                               default: f64,
                               get: fn(&Preferences) -> Option<f64>,
                               set: fn(&mut Preferences, Option<f64>)| {
        let value = move || prefs.with(|p| show(get(p)));
        let change = move |v| {
            prefs.update(|p| set(p, v));
            on_change.run(());
        };
        number_input(
            id,
            label,
            default.to_string(),
            "OpenCost's",
            Some("0"),
            value,
            change,
        )
    };
    view! {
        <details class="panel settings" id="settings">
            <summary>"Settings: prices, fallback rates and recommendation strategy"</summary>
            <div class="settings-grid">
                <PricesInUse prefs=prefs prices_in_use=prices_in_use on_change=on_change />
                <label for="manual-prices">
                    "Manual prices (USD per hour), one " <code>"TYPE=PRICE"</code>
                    " per line; they win over every other source"
                </label>
                {lines_field(
                    prefs,
                    on_change,
                    "manual-prices",
                    "m5.large=0.062\nStandard_D4s_v5=0.15",
                    |p| &p.manual_prices,
                    |p, text| p.manual_prices = text,
                )}
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
                        aria-label="Assumed spot discount in percent"
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
                <label class="row">
                    <input
                        type="checkbox"
                        id="repack-spot"
                        prop:checked=move || prefs.with(|p| p.repack_spot)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            prefs.update(|p| p.repack_spot = on);
                            on_change.run(());
                        }
                    />
                    "Re-pack on-demand pools onto spot nodes too (interruption-tolerant workloads \
                     only; off: every pool keeps its capacity type)"
                </label>
                <label for="discounts">
                    "Discounts off list prices, one per line: " <code>"aws=15%"</code>
                    " (every aws price) or " <code>"aws:m5=60%@28%"</code>
                    " (60% of m5 usage committed at 28% off: a savings plan or reservation)"
                </label>
                {lines_field(
                    prefs,
                    on_change,
                    "discounts",
                    "aws=15%\naws:m5=60%@28%\ngcp:n2=100%@37%",
                    |p| &p.discounts,
                    |p, text| p.discounts = text,
                )}
                <label for="storage-prices">
                    "Storage prices (USD per GiB-month), one per line: "
                    <code>"storageclass/NAME=PRICE"</code> " for a class's volumes or "
                    <code>"pv/NAME=PRICE"</code>
                    " for one volume; they win over every other source (e.g. Ceph, NFS or local disks)"
                </label>
                {lines_field(
                    prefs,
                    on_change,
                    "storage-prices",
                    "storageclass/ceph-rbd=0.05\npv/pvc-0a1b2c=0.12",
                    |p| &p.storage_prices,
                    |p, text| p.storage_prices = text,
                )}
                <fieldset class="settings-fields">
                    <legend>"Fallback rates for nodes without a price (on-premises, kind, unknown types)"</legend>
                    {fallback_field(
                        "fallback-cpu",
                        "USD per core-hour",
                        Rates::FALLBACK.cpu_core_hourly,
                        |p| p.fallback_cpu_core_hourly,
                        |p, v| p.fallback_cpu_core_hourly = v,
                    )}
                    {fallback_field(
                        "fallback-memory",
                        "USD per GiB-hour",
                        Rates::FALLBACK.memory_gib_hourly,
                        |p| p.fallback_memory_gib_hourly,
                        |p, v| p.fallback_memory_gib_hourly = v,
                    )}
                </fieldset>
                <StrategyFields prefs=prefs on_change=on_change />
                <fieldset class="settings-fields">
                    <legend>"Patches: risk checks"</legend>
                    {number_input(
                        "patch-cpu-drop-factor",
                        "Flag a CPU request cut by more than (×)",
                        DEFAULT_CPU_DROP_FACTOR.to_string(),
                        "kube-rightsize's",
                        Some("1"),
                        move || prefs.with(|p| show(p.cpu_drop_factor)),
                        move |v| {
                            prefs.update(|p| p.cpu_drop_factor = v);
                            on_change.run(());
                        },
                    )}
                </fieldset>
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

/// A text area for a preference written one entry per line (manual prices, discounts, storage
/// prices): saved
/// and re-run when it loses focus after a change.
fn lines_field(
    prefs: RwSignal<Preferences>,
    on_change: Callback<()>,
    id: &'static str,
    placeholder: &'static str,
    get: fn(&Preferences) -> &String,
    set: fn(&mut Preferences, String),
) -> impl IntoView {
    view! {
        <textarea
            id=id
            rows="4"
            placeholder=placeholder
            prop:value=move || prefs.with(|p| get(p).clone())
            on:change=move |ev| {
                let text = event_target_value(&ev);
                prefs.update(|p| set(p, text));
                on_change.run(());
            }
        ></textarea>
    }
}

/// The instance types of the last report with their price and source, each with a field for
/// the user's own price.
#[component]
fn PricesInUse(
    prefs: RwSignal<Preferences>,
    prices_in_use: Signal<Vec<TypePrice>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let inline_error = RwSignal::new(None::<String>);
    view! {
        <Show when=move || !prices_in_use.with(Vec::is_empty)>
            <div class="prices-in-use">
                <h3>"Prices in use"</h3>
                <p class="muted">
                    "Type a price (USD per hour) to override an instance type everywhere; clear it to go back to the listed source."
                </p>
                <table class="compact" id="prices-in-use">
                    <thead>
                        <tr>
                            <th>"Instance type"</th>
                            <th>"Region"</th>
                            <th>"Priced as"</th>
                            <th class="num">"Nodes"</th>
                            <th class="num">"USD / hour"</th>
                            <th>"Source"</th>
                            <th>"Your price"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            prices_in_use
                                .get()
                                .into_iter()
                                .map(|t| {
                                    let it = t.instance_type.clone();
                                    let it_label = format!("Your price for {it} (USD per hour)");
                                    let for_value = it.clone();
                                    view! {
                                        <tr>
                                            <td>{t.instance_type.clone()}</td>
                                            <td>{t.region.clone().unwrap_or_else(|| "—".into())}</td>
                                            <td>{t.priced_as.as_str()}</td>
                                            <td class="num">{t.nodes}</td>
                                            <td class="num">{format!("${}", kube_rightsize_core::format::trim_decimal(t.usd_per_hour, 6))}</td>
                                            <td>{t.source.as_str()}{if t.estimate { " (estimate)" } else { "" }}</td>
                                            <td>
                                                <input
                                                    type="number"
                                                    class="inline-price"
                                                    min="0"
                                                    step="any"
                                                    aria-label=it_label
                                                    data-type=it.clone()
                                                    prop:value=move || prefs.with(|p| show(p.manual_price(&for_value)))
                                                    on:change=move |ev| {
                                                        let v = optional_number(&event_target_value(&ev));
                                                        let mut next = prefs.get_untracked();
                                                        match next.set_manual_price(&it, v) {
                                                            Ok(()) => {
                                                                inline_error.set(None);
                                                                prefs.set(next);
                                                                on_change.run(());
                                                            }
                                                            Err(e) => inline_error.set(Some(e)),
                                                        }
                                                    }
                                                />
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
                {move || inline_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
        </Show>
    }
}

/// KRR's strategy settings (for usage data and Prometheus), with KRR's defaults as placeholders.
#[component]
fn StrategyFields(prefs: RwSignal<Preferences>, on_change: Callback<()>) -> impl IntoView {
    let krr = StrategySettings::default();
    view! {
        <fieldset class="settings-fields">
            <legend>
                "Recommendation strategy for usage data (kubectl top, metrics API, Prometheus); KRR results keep their own"
            </legend>
            {strategy_field(prefs, on_change, "strategy-cpu-percentile", "CPU percentile", krr.cpu_percentile.to_string(), |s| s.cpu_percentile, |s, v| s.cpu_percentile = v)}
            {strategy_field(prefs, on_change, "strategy-memory-buffer", "Memory buffer (%)", krr.memory_buffer_percentage.to_string(), |s| s.memory_buffer_percentage, |s, v| s.memory_buffer_percentage = v)}
            {strategy_field(prefs, on_change, "strategy-history", "History (hours)", krr.history_duration.to_string(), |s| s.history_hours, |s, v| s.history_hours = v)}
            {strategy_field(prefs, on_change, "strategy-points", "Samples required", krr.points_required.to_string(), |s| s.points_required.map(|n| n as f64), |s, v| s.points_required = v.filter(|v| v.is_finite() && *v >= 0.0).map(|v| v as u64))}
            {strategy_field(prefs, on_change, "strategy-cpu-min", "Smallest CPU (millicores)", krr.cpu_min_millicores.to_string(), |s| s.cpu_min_millicores.map(|n| n as f64), |s, v| s.cpu_min_millicores = v.map(|v| if v.is_finite() { v.round() as i64 } else { -1 }))}
            {strategy_field(prefs, on_change, "strategy-memory-min", "Smallest memory (MiB)", (krr.memory_min_bytes / 1_048_576).to_string(), |s| s.memory_min_mib.map(|n| n as f64), |s, v| s.memory_min_mib = v.map(|v| if v.is_finite() { v.round() as i64 } else { -1 }))}
            {strategy_checkbox(prefs, on_change, "strategy-allow-hpa", "Recommend for resources an HPA scales on (KRR: off)", |s| s.allow_hpa, |s, on| s.allow_hpa = on)}
            {strategy_checkbox(prefs, on_change, "strategy-oomkill", "Use OOM-kill data from Prometheus (KRR: off)", |s| s.use_oomkill_data, |s, on| s.use_oomkill_data = on)}
            <button
                type="button"
                id="strategy-reset"
                on:click=move |_| {
                    prefs.update(|p| p.strategy = StrategyPreferences::default());
                    on_change.run(());
                }
            >
                "Reset to KRR's defaults"
            </button>
        </fieldset>
    }
}
