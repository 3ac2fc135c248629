//! The root component: inputs in, analysis out.

use std::sync::Arc;

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::ingest::{IngestError, Input};
use kube_rightsize_core::inputs::{InputError, prepare};
use kube_rightsize_core::pricing::catalogue::Catalogue;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::files::{fetch_bytes, yield_to_browser};
use crate::input::{InputPanel, Inputs, human_bytes};
use crate::report_view::ReportView;
use crate::settings::{SettingsPanel, load, save};
use crate::vantage::VantagePanel;

/// What the page shows below the inputs.
#[derive(Clone)]
pub enum Outcome {
    /// Nothing analysed yet.
    Empty,
    /// Working (loading the catalogue, parsing, computing).
    Busy(String),
    /// A report, what each input held (by input name), and how long the analysis took (ms).
    Ready(Arc<Analysis>, Arc<Vec<(String, String)>>, f64),
    /// A usage or price input could not be read.
    BadInput(InputError),
    /// An input could not be read.
    Failed(IngestError),
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let inputs = Inputs::new();
    let outcome = RwSignal::new(Outcome::Empty);
    let catalogue: StoredValue<Option<Arc<Catalogue>>> = StoredValue::new(None);
    let catalogue_problem = RwSignal::new(None::<String>);
    let coverage = RwSignal::new(Vec::<String>::new());
    let prefs = RwSignal::new(load());
    let pref_errors = RwSignal::new(Vec::<String>::new());
    // Vantage: the panel's price file (kube-rightsize/prices/v1 JSON), applied as Settings::vantage.
    let vantage_prices = RwSignal::new(None::<String>);

    let run = move || {
        let loaded = inputs.list.get_untracked();
        if loaded.is_empty() {
            outcome.set(Outcome::Empty);
            return;
        }
        outcome.set(Outcome::Busy("Analysing…".into()));
        spawn_local(async move {
            if catalogue.with_value(Option::is_none) {
                outcome.set(Outcome::Busy("Loading the price catalogue…".into()));
                match fetch_bytes("catalogue.bin").await {
                    Ok(bytes) => match Catalogue::from_bytes(&bytes) {
                        Ok(c) => {
                            coverage.set(c.coverage());
                            catalogue.set_value(Some(Arc::new(c)));
                        }
                        Err(e) => catalogue_problem.set(Some(format!(
                            "the price catalogue is damaged ({e}); nodes are priced with fallback rates"
                        ))),
                    },
                    Err(e) => catalogue_problem.set(Some(format!(
                        "the price catalogue could not be loaded ({e}); nodes are priced with fallback rates"
                    ))),
                }
            }
            outcome.set(Outcome::Busy("Analysing…".into()));
            yield_to_browser().await;
            let cat = catalogue.get_value();
            let parts: Vec<Input<'_>> = loaded
                .iter()
                .map(|i| Input::new(&i.name, &i.bytes))
                .collect();
            let generated_at = String::from(js_sys::Date::new_0().to_iso_string());
            let mut settings = Settings::default();
            let errors = prefs.with_untracked(|p| p.apply(&mut settings));
            let mut errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            if let Some(file) = vantage_prices.get_untracked() {
                match kube_rightsize_core::pricing::import::import_prices(
                    "Vantage",
                    file.as_bytes(),
                ) {
                    Ok(imported) => {
                        settings.vantage = imported.table;
                        settings.vantage.description = "Vantage (fetched in this browser)".into();
                    }
                    Err(e) => errors.push(e.to_string()),
                }
            }
            pref_errors.set(errors);
            let now = || {
                web_sys::window()
                    .and_then(|w| w.performance())
                    .map_or(0.0, |p| p.now())
            };
            let started = now();
            let prepared = match prepare(&parts, &mut settings) {
                Ok(p) => p,
                Err(e) => {
                    outcome.set(Outcome::BadInput(e));
                    return;
                }
            };
            let result = analyze(
                &prepared.snapshots,
                &settings,
                cat.as_deref(),
                &generated_at,
            );
            let elapsed_ms = now() - started;
            outcome.set(match result {
                Ok(a) => {
                    let held = prepared.describe(&a.cluster);
                    Outcome::Ready(Arc::new(a), Arc::new(held), elapsed_ms)
                }
                Err(e) => Outcome::Failed(e),
            });
        });
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
                held=Signal::derive(move || match outcome.get() {
                    Outcome::Ready(_, held, _) => held.as_ref().clone(),
                    _ => Vec::new(),
                })
                on_demo=Callback::new(move |_| run())
                on_analyze=Callback::new(move |_| run())
            />
            <SettingsPanel
                prefs=prefs
                errors=pref_errors
                on_change=Callback::new(move |_| {
                    prefs.with_untracked(save);
                    if !inputs.list.with_untracked(Vec::is_empty) {
                        run();
                    }
                })
            />
            <VantagePanel
                wanted=Signal::derive(move || match outcome.get() {
                    Outcome::Ready(a, _, _) => {
                        kube_rightsize_core::pricing::vantage::wanted_prices(&a.cluster)
                    }
                    _ => Vec::new(),
                })
                on_prices=Callback::new(move |file| {
                    vantage_prices.set(file);
                    if !inputs.list.with_untracked(Vec::is_empty) {
                        run();
                    }
                })
            />
            <Show when=move || !coverage.with(Vec::is_empty)>
                <details class="coverage" id="catalogue-coverage">
                    <summary>"Embedded price catalogue: regions covered and dates"</summary>
                    <ul>
                        {move || coverage.get().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                    </ul>
                    <p class="muted">
                        "Public list prices (Linux, shared tenancy, no discounts). Override any type in Settings or import a price file."
                    </p>
                </details>
            </Show>
            {move || catalogue_problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            {move || match outcome.get() {
                Outcome::Empty => view! {
                    <p class="muted" id="empty">
                        "Paste or drop a cluster snapshot, or try the demo cluster, to see the report."
                    </p>
                }
                .into_any(),
                Outcome::Busy(what) => view! { <p id="busy" aria-live="polite">{what}</p> }.into_any(),
                Outcome::Failed(e) => view! { <InputErrorView error=e /> }.into_any(),
                Outcome::Ready(a, _, ms) => {
                    let bytes: usize = inputs.list.with_untracked(|l| l.iter().map(|i| i.bytes.len()).sum());
                    view! {
                        <p class="muted timing" id="timing">
                            {format!("Analysed {} in {:.0} ms, in this browser tab.", human_bytes(bytes), ms)}
                        </p>
                        <ReportView analysis=a />
                    }
                    .into_any()
                }
                Outcome::BadInput(e) => view! {
                    <div class="error" role="alert" id="input-error">
                        <strong>{format!("This {} could not be read: ", e.kind)}</strong>
                        {e.message.clone()}
                        <div class="muted">
                            {match (e.line, e.column) {
                                (Some(l), Some(c)) => format!("{}, line {l}, column {c}", e.input),
                                (Some(l), None) => format!("{}, line {l}", e.input),
                                _ => e.input.clone(),
                            }}
                        </div>
                        {e.hint.clone().map(|h| view! { <div class="hint">"Hint: " {h}</div> })}
                    </div>
                }
                .into_any(),
            }}
        </main>
    }
}

/// A located input error with its hint.
#[component]
fn InputErrorView(error: IngestError) -> impl IntoView {
    let location = format!(
        "{}, line {}, column {}",
        error.input, error.line, error.column
    );
    view! {
        <div class="error" role="alert" id="input-error">
            <strong>"This input could not be read: "</strong>
            {error.message.clone()}
            <div class="muted">{location}</div>
            {error.hint.clone().map(|h| view! { <div class="hint">"Hint: " {h}</div> })}
        </div>
    }
}
