//! The root component: inputs in, analysis out. It wires the panels to the page's state
//! ([`crate::state`]) and to the analysis client ([`crate::worker_client`]), which runs the
//! analysis in a Web Worker so the page never freezes. While it runs, the loaded inputs and
//! the last report stay on screen; a new result replaces the report only when it arrives.

use kube_rightsize_core::format::{fmt_millis, fmt_whole_seconds};
use kube_rightsize_core::preferences::Preferences;
use leptos::prelude::*;

use crate::changes::FleetChanges;
use crate::engine::{PrometheusRequest, Request, VantageRequest};
use crate::fleet::FleetView;
use crate::input::{ClusterChoice, InputPanel, Inputs, human_bytes};
use crate::net::now_ms;
use crate::prometheus::PrometheusPanel;
use crate::report_view::ReportView;
use crate::settings::SettingsPanel;
use crate::state::{Busy, Outcome, PageState};
use crate::storage;
use crate::vantage::VantagePanel;
use crate::worker_client::{Analyser, LocalEngine};
use kube_rightsize_core::inputs::clusters;
use std::sync::Arc;

/// Records what the loaded inputs are for the panic diagnostics (kinds and sizes only).
fn track_inputs_for_diagnostics(inputs: Inputs, held: RwSignal<Vec<(String, String)>>) {
    Effect::new(move |_| {
        let list = inputs.list.get();
        let held = held.get();
        crate::panic::set_inputs(
            list.iter()
                .map(|i| {
                    let what = held
                        .iter()
                        .find(|(n, _)| *n == i.name)
                        .map_or("not analysed yet", |(_, w)| w.as_str());
                    format!("{what}; {}", human_bytes(i.size))
                })
                .collect(),
        );
    });
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let inputs = Inputs::new();
    let state = PageState::new();
    let prefs = RwSignal::new(storage::preferences());
    let prometheus = RwSignal::new(None::<PrometheusRequest>);
    let analyser = Analyser::new(use_context::<LocalEngine>(), move |e| state.apply(e));
    track_inputs_for_diagnostics(inputs, state.held);
    // The first input starts the worker: its wasm compiles and warms up while the user is
    // still choosing what to analyse.
    Effect::new(move |_| {
        if inputs.list.with(|l| !l.is_empty()) {
            analyser.prepare();
        }
    });

    // Vantage is asked only by an explicit "Fetch prices"; other runs reuse its prices.
    let analyse = move |vantage: Option<VantageRequest>| {
        let loaded = inputs.list.get_untracked();
        if loaded.is_empty() {
            state.outcome.set(Outcome::Empty);
            return;
        }
        let request = Request {
            input_names: loaded.iter().map(|i| i.name.clone()).collect(),
            preferences: prefs.with_untracked(|p| p.to_json()),
            vantage_prices: state.vantage_prices.get_untracked(),
            vantage,
            prometheus: prometheus.get_untracked(),
            generated_at: String::from(js_sys::Date::new_0().to_iso_string()),
            clusters: state.assigned.get_untracked(),
        };
        analyser.run(request, loaded);
    };
    let rerun = move || {
        if !inputs.list.with_untracked(Vec::is_empty) {
            analyse(None);
        }
    };

    view! {
        <header class="top">
            <h1>"kube-rightsize"</h1>
            <p class="tagline">
                "Kubernetes right-sizing and cost, in your browser. Nothing you paste leaves this page."
            </p>
        </header>
        <main>
            <InputPanel
                inputs=inputs
                held=state.held
                clusters=state.clusters
                pickers=state.pickers
                compared=Signal::derive(move || {
                    state.outcome.with(|o| matches!(o, Outcome::Ready(s) if s.fleet_comparison.is_some()))
                })
                on_cluster=Callback::new(move |choice| {
                    state.assigned.update(|a| match choice {
                        ClusterChoice::Put { input, cluster } => clusters::assign(a, &input, &cluster),
                        ClusterChoice::Rename { old, new } => {
                            state.clusters.with_untracked(|last| clusters::rename(a, last, &old, &new))
                        }
                    });
                    rerun();
                })
                on_demo=Callback::new(move |_| analyse(None))
                on_analyze=Callback::new(move |_| analyse(None))
            />
            <PrometheusPanel
                active=prometheus
                clusters=state.clusters
                has_inputs=Signal::derive(move || !inputs.list.with(Vec::is_empty))
                on_change=Callback::new(move |_| rerun())
            />
            <SettingsPanel
                prefs=prefs
                errors=state.pref_errors
                prices_in_use=state.prices_in_use
                on_change=Callback::new(move |_| {
                    prefs.with_untracked(storage::save_preferences);
                    rerun();
                })
            />
            <VantagePanel
                wanted=state.wanted
                run=state.fetch
                applied=Signal::derive(move || state.vantage_prices.with(Option::is_some))
                on_fetch=Callback::new(move |v| analyse(Some(v)))
                on_cancel=Callback::new(move |_| analyser.cancel())
                on_stop=Callback::new(move |_| {
                    state.vantage_prices.set(None);
                    rerun();
                })
            />
            <CatalogueNotes state=state />
            <Show when=move || state.busy.with(Option::is_some)>
                <BusyLine busy=state.busy on_cancel=Callback::new(move |_| analyser.cancel()) />
            </Show>
            <OutcomeView
                state=state
                prefs=prefs
                on_prefs=Callback::new(move |_| {
                    prefs.with_untracked(storage::save_preferences);
                    rerun();
                })
            />
        </main>
    }
}

/// The embedded catalogue's coverage, or why it could not be loaded.
#[component]
fn CatalogueNotes(state: PageState) -> impl IntoView {
    let coverage = move || state.catalogue.with(|c| c.coverage.clone());
    view! {
        <Show when=move || state.catalogue.with(|c| !c.coverage.is_empty())>
            <details class="coverage" id="catalogue-coverage">
                <summary>"Embedded price catalogue: regions covered and dates"</summary>
                <ul>{move || coverage().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
                <p class="muted">
                    "Public list prices (Linux, shared tenancy, no discounts). Override any type in Settings or import a price file."
                </p>
            </details>
        </Show>
        {move || {
            state.catalogue.with(|c| c.problem.clone()).map(|p| view! { <p class="error" role="alert">{p}</p> })
        }}
    }
}

/// The busy line: what is happening, the seconds since it started, and Cancel. Only its text
/// and elapsed time update while it is shown (the Cancel button stays the same element under
/// the pointer).
#[component]
fn BusyLine(busy: RwSignal<Option<Busy>>, on_cancel: Callback<()>) -> impl IntoView {
    let clock = RwSignal::new(now_ms());
    // Ticks while the line is shown; dropped (stopped) with it.
    StoredValue::new_local(gloo_timers::callback::Interval::new(100, move || {
        clock.set(now_ms())
    }));
    let elapsed = move || {
        let started = busy.with(|b| b.as_ref().map_or(0.0, |b| b.started_ms));
        fmt_whole_seconds(clock.get() - started)
    };
    view! {
        <div class="busy row" id="busy" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span id="busy-text">{move || busy.with(|b| b.as_ref().map(|b| b.text.clone()).unwrap_or_default())}</span>
            <span class="muted" id="busy-elapsed">{elapsed}</span>
            <button id="cancel" on:click=move |_| on_cancel.run(())>"Cancel"</button>
        </div>
    }
}

/// The report with its timing line, the input error, or what to do first.
#[component]
fn OutcomeView(
    state: PageState,
    prefs: RwSignal<Preferences>,
    on_prefs: Callback<()>,
) -> impl IntoView {
    move || match state.outcome.get() {
        Outcome::Empty if state.busy.with(Option::is_some) => ().into_any(),
        Outcome::Empty => view! {
            <p class="muted" id="empty">
                "Paste or drop a cluster snapshot, or try the demo cluster, to see the report."
            </p>
        }
        .into_any(),
        Outcome::Failed(failure) => view! {
            <div class="error" role="alert" id="input-error">
                <strong>{failure.heading.clone()}</strong>
                {failure.message.clone()}
                <div class="muted">{failure.location()}</div>
                {failure.hint.clone().map(|h| view! { <div class="hint">"Hint: " {h}</div> })}
            </div>
        }
        .into_any(),
        Outcome::Ready(shown) => {
            let t = shown.timing.clone();
            let where_ = if t.in_worker {
                "in a background worker"
            } else {
                "in this browser tab"
            };
            view! {
                <p
                    class="muted timing"
                    id="timing"
                    data-engine-ms=format!("{:.1}", t.engine_ms)
                    data-total-ms=format!("{:.1}", t.total_ms)
                    data-decode-ms=format!("{:.1}", t.decode_ms)
                    data-reply-bytes=t.reply_bytes.to_string()
                    data-worker=t.in_worker.to_string()
                    data-memory-bytes=t.memory_bytes.map(|b| b.to_string()).unwrap_or_default()
                >
                    {format!(
                        "Analysed {} in {}, {where_} ({} in all).",
                        human_bytes(t.bytes),
                        fmt_millis(t.engine_ms),
                        fmt_millis(t.total_ms),
                    )}
                </p>
                {shown.fleet_comparison.map(|diff| view! { <FleetChanges diff=diff report=Arc::clone(&shown.report) /> })}
                {match shown.fleet {
                    Some(fleet) => view! { <FleetView fleet=fleet report=shown.report /> }.into_any(),
                    None => view! {
                        <ReportView
                            report=shown.report
                            inputs=shown.inputs
                            node_descriptions=shown.node_descriptions
                            comparison=shown.comparison
                            label_keys=shown.label_keys
                            prefs=prefs
                            on_prefs=on_prefs
                        />
                    }
                    .into_any(),
                }}
            }
            .into_any()
        }
    }
}
