//! The root component: inputs in, analysis out.
//!
//! The analysis runs in a Web Worker ([`crate::worker`]) so the page never freezes. The page's
//! wasm does not link the engine (it stays under the size budget, BENCHMARKS.md): where no
//! worker can start, the page says so. Component tests, which have no worker script, provide a
//! [`LocalEngine`] that runs the same [`engine`] on the page, yielding between stages.
//! While it runs, the loaded inputs and the last report stay on screen; a new result replaces
//! the report only when it arrives. Cancel terminates the worker (a fresh one starts next time).

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use kube_rightsize_core::cluster::InputSummary;
use kube_rightsize_core::pricing::vantage::PriceKey;
use kube_rightsize_core::report::{Report, TypePrice, type_prices};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::{self, Failure, Host, PrometheusRequest, Reply, Request, Stopped};
use crate::files::yield_to_browser;
use crate::input::{InputPanel, Inputs, human_bytes};
use crate::prometheus::PrometheusPanel;
use crate::report_view::ReportView;
use crate::settings::{SettingsPanel, load, save};
use crate::vantage::VantagePanel;
use crate::worker::{WorkerEvent, WorkerHandle, worker_url};

/// How the last analysis went, for the timing line (and BENCHMARKS.md).
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// Bytes analysed.
    pub bytes: usize,
    /// The engine's time for reading and analysing (ms).
    pub engine_ms: f64,
    /// From the click to the report being decoded on the page (ms).
    pub total_ms: f64,
    /// Time the page's thread spent decoding the worker's reply (ms; 0 on the page).
    pub decode_ms: f64,
    /// Size of the worker's reply JSON (0 on the page).
    pub reply_bytes: usize,
    /// True when a Web Worker did the work.
    pub in_worker: bool,
}

/// A finished analysis as the page shows it.
#[derive(Clone)]
pub struct Shown {
    /// The report.
    pub report: Arc<Report>,
    /// What each snapshot input held.
    pub inputs: Arc<Vec<InputSummary>>,
    /// One line per node (Diagnostics tab).
    pub node_descriptions: Arc<Vec<String>>,
    /// How long it took.
    pub timing: Timing,
}

/// What the page shows below the inputs.
#[derive(Clone)]
pub enum Outcome {
    /// Nothing analysed yet.
    Empty,
    /// A report.
    Ready(Shown),
    /// An input could not be read.
    Failed(Failure),
}

/// An analysis in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Busy {
    /// What is happening now.
    pub text: String,
    /// When it started (`performance.now()`).
    pub started_ms: f64,
}

fn now() -> f64 {
    crate::net::now_ms()
}

/// The page's own [`Host`] for a [`LocalEngine`]: fetch, progress into the busy line
/// (yielding so the browser paints), cancel when the run is no longer the current one.
pub struct PageHost {
    generation: u64,
    current: StoredValue<u64>,
    busy: RwSignal<Option<Busy>>,
}

impl Host for PageHost {
    async fn fetch(
        &self,
        request: &kube_rightsize_core::http::Request,
        timeout_ms: u32,
    ) -> Result<kube_rightsize_core::http::Response, kube_rightsize_core::http::TransportError>
    {
        crate::net::send(request, timeout_ms, None).await
    }
    async fn progress(&self, text: &str) -> Result<(), ()> {
        if self.current.get_value() != self.generation {
            return Err(());
        }
        self.busy
            .update(|b| b.iter_mut().for_each(|b| b.text = text.to_owned()));
        yield_to_browser().await;
        if self.current.get_value() != self.generation {
            return Err(());
        }
        Ok(())
    }
    fn now(&self) -> f64 {
        now()
    }
}

/// What a [`LocalEngine`] runs: the request, the inputs' bytes, the page's host.
pub type LocalRun = fn(
    Request,
    Vec<(String, Vec<u8>)>,
    PageHost,
) -> Pin<Box<dyn Future<Output = Result<Reply, Stopped>>>>;

/// Runs the analysis on the page's own thread when no worker can start. Only component tests
/// provide one (as Leptos context, from [`local_engine`]): the built app does not, so its page
/// wasm does not link the engine.
#[derive(Clone, Copy)]
pub struct LocalEngine(pub LocalRun);

/// [`engine::run`] on the page, for component tests: `provide_context(local_engine())` before
/// mounting [`App`].
pub fn local_engine() -> LocalEngine {
    LocalEngine(|request, parts, host| {
        Box::pin(async move { engine::run(&request, &parts, &host).await })
    })
}

/// Why an analysis cannot start without a worker, display-ready.
fn no_worker(detail: &str) -> Failure {
    Failure {
        heading: "The analysis could not start: ".into(),
        input: "worker_loader.js".into(),
        line: None,
        column: None,
        message: format!("this browser could not start the analysis worker ({detail})."),
        hint: Some(
            "kube-rightsize analyses in a Web Worker. Open it over http(s) (trunk serve or a \
             static server), not as a file, and check that no extension or \
             Content-Security-Policy blocks worker_loader.js and worker_bg.wasm; then press \
             Analyze again."
                .into(),
        ),
    }
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let inputs = Inputs::new();
    let outcome = RwSignal::new(Outcome::Empty);
    let busy = RwSignal::new(None::<Busy>);
    let clock = RwSignal::new(0.0f64);
    let catalogue_problem = RwSignal::new(None::<String>);
    let coverage = RwSignal::new(Vec::<String>::new());
    let prefs = RwSignal::new(load());
    let pref_errors = RwSignal::new(Vec::<String>::new());
    let held = RwSignal::new(Vec::<(String, String)>::new());
    // Vantage prices (a kube-rightsize/prices/v1 file) the Vantage panel fetched; sent with
    // every analysis so those nodes are priced from Vantage.
    let vantage_prices = RwSignal::new(None::<String>);
    // The distinct prices the loaded cluster needs (for the Vantage panel).
    let wanted = RwSignal::new(Vec::<PriceKey>::new());
    // The last report's prices per instance type (the settings panel's inline overrides); kept
    // while a re-run is busy so the fields stay.
    let prices_in_use = RwSignal::new(Vec::<TypePrice>::new());
    let prometheus = RwSignal::new(None::<PrometheusRequest>);
    let generation = StoredValue::new(0u64);
    let worker = StoredValue::new_local(None::<WorkerHandle>);
    let worker_broken = StoredValue::new(false);
    let local = use_context::<LocalEngine>();
    // The run the worker was asked for, until it answers: if the worker cannot load, this run
    // goes to the page's engine (tests) or to the explanation.
    let pending = StoredValue::new(None::<(u64, Request, usize, f64)>);

    // The elapsed-time clock ticks while busy.
    let ticker = StoredValue::new_local(None::<IntervalHandle>);
    Effect::new(move |_| {
        if busy.with(Option::is_some) {
            if ticker.with_value(Option::is_none) {
                let h = set_interval_with_handle(
                    move || clock.set(now()),
                    std::time::Duration::from_millis(100),
                )
                .ok();
                ticker.set_value(h);
            }
        } else if let Some(h) = ticker.try_update_value(Option::take).flatten() {
            h.clear();
        }
    });

    // Records what the loaded inputs are for the panic diagnostics (kinds and sizes only).
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

    let finish = move |reply: Reply, mut timing: Timing| {
        timing.engine_ms = reply.elapsed_ms;
        pref_errors.set(reply.preference_errors);
        coverage.set(reply.catalogue.coverage);
        catalogue_problem.set(reply.catalogue.problem);
        held.set(reply.held);
        wanted.set(reply.wanted_prices);
        prices_in_use.set(type_prices(&reply.report));
        outcome.set(Outcome::Ready(Shown {
            report: Arc::new(reply.report),
            inputs: Arc::new(reply.inputs),
            node_descriptions: Arc::new(reply.node_descriptions),
            timing,
        }));
        busy.set(None);
    };

    let stop_worker = move || {
        if let Some(w) = worker.try_update_value(Option::take).flatten() {
            w.terminate();
        }
    };

    let cancel = move || {
        generation.update_value(|g| *g += 1);
        stop_worker();
        busy.set(None);
    };

    // No worker: the page runs the engine itself when it has one (tests), or says why not.
    let on_page = move |run_id: u64, request: Request, bytes: usize, started: f64, why: String| {
        let Some(LocalEngine(run_local)) = local else {
            outcome.set(Outcome::Failed(no_worker(&why)));
            busy.set(None);
            return;
        };
        let loaded = inputs.list.get_untracked();
        spawn_local(async move {
            let mut parts: Vec<(String, Vec<u8>)> = Vec::with_capacity(loaded.len());
            for input in &loaded {
                match crate::files::read_blob(&input.blob, &input.name).await {
                    Ok(b) => parts.push((input.name.clone(), b)),
                    Err(message) => {
                        if generation.get_value() == run_id {
                            outcome.set(Outcome::Failed(Failure::input(&input.name, &message)));
                            busy.set(None);
                        }
                        return;
                    }
                }
            }
            drop(loaded);
            let host = PageHost {
                generation: run_id,
                current: generation,
                busy,
            };
            let result = run_local(request, parts, host).await;
            if generation.get_value() != run_id {
                return;
            }
            let timing = Timing {
                bytes,
                engine_ms: 0.0,
                total_ms: now() - started,
                decode_ms: 0.0,
                reply_bytes: 0,
                in_worker: false,
            };
            match result {
                Ok(reply) => finish(reply, timing),
                Err(Stopped::Failed(f)) => {
                    outcome.set(Outcome::Failed(f));
                    busy.set(None);
                }
                Err(Stopped::Cancelled) => {}
            }
        });
    };

    // Starts the worker if there is none: on the first input (so its wasm compiles and V8 warms
    // up while the user is still choosing what to analyse) or on Analyze.
    let ensure_worker = move |url: &str| -> Result<(), String> {
        if worker.with_value(Option::is_some) {
            return Ok(());
        }
        let on_event: Rc<dyn Fn(WorkerEvent)> = Rc::new(move |event| {
            match event {
                WorkerEvent::Progress(text) => {
                    busy.update(|b| b.iter_mut().for_each(|b| b.text = text.clone()));
                }
                WorkerEvent::Done(json) => {
                    let t0 = now();
                    let reply: Result<Reply, _> = serde_json::from_str(&json);
                    let decode_ms = now() - t0;
                    match reply {
                        Ok(reply) => {
                            let started = busy.with_untracked(|b| b.as_ref().map(|b| b.started_ms));
                            let timing = Timing {
                                bytes: inputs
                                    .list
                                    .with_untracked(|l| l.iter().map(|i| i.size).sum()),
                                engine_ms: 0.0,
                                total_ms: started.map_or(0.0, |s| now() - s),
                                decode_ms,
                                reply_bytes: json.len(),
                                in_worker: true,
                            };
                            finish(reply, timing);
                        }
                        Err(e) => {
                            busy.set(None);
                            crate::panic::show(&format!(
                                "the page could not read the worker's reply: {e}"
                            ));
                        }
                    }
                }
                WorkerEvent::Failed(json) => {
                    busy.set(None);
                    match serde_json::from_str::<Failure>(&json) {
                        Ok(f) => outcome.set(Outcome::Failed(f)),
                        Err(e) => crate::panic::show(&format!(
                            "the page could not read the worker's failure: {e}"
                        )),
                    }
                }
                WorkerEvent::Panic(message) => {
                    busy.set(None);
                    stop_worker();
                    crate::panic::show(&format!("in the analysis worker: {message}"));
                }
                WorkerEvent::Crashed(message) => {
                    if busy.with_untracked(Option::is_some) {
                        busy.set(None);
                        crate::panic::show(&format!("the analysis worker stopped: {message}"));
                    }
                    stop_worker();
                }
                WorkerEvent::Unavailable(why) => {
                    // Its script did not load: say so (or, in tests, run on the page). The
                    // next Analyze tries a fresh worker.
                    worker_broken.set_value(true);
                    stop_worker();
                    if let Some((run_id, request, bytes, started)) =
                        pending.try_update_value(Option::take).flatten()
                        && generation.get_value() == run_id
                    {
                        on_page(run_id, request, bytes, started, why);
                    }
                }
            }
        });
        let w = WorkerHandle::spawn(url, on_event)?;
        worker.set_value(Some(w));
        Ok(())
    };

    Effect::new(move |_| {
        if inputs.list.with(|l| !l.is_empty())
            && !worker_broken.get_value()
            && let Some(url) = worker_url()
        {
            let _ = ensure_worker(&url);
        }
    });

    let run = move || {
        let loaded = inputs.list.get_untracked();
        if loaded.is_empty() {
            outcome.set(Outcome::Empty);
            return;
        }
        // A new run replaces one in progress.
        if busy.with_untracked(Option::is_some) {
            cancel();
        }
        generation.update_value(|g| *g += 1);
        let run_id = generation.get_value();
        let started = now();
        let bytes: usize = loaded.iter().map(|i| i.size).sum();
        let request = Request {
            input_names: loaded.iter().map(|i| i.name.clone()).collect(),
            preferences: prefs.with_untracked(|p| p.to_json()),
            vantage_prices: vantage_prices.get_untracked(),
            prometheus: prometheus.get_untracked(),
            generated_at: String::from(js_sys::Date::new_0().to_iso_string()),
        };
        busy.set(Some(Busy {
            text: "Starting".into(),
            started_ms: started,
        }));
        clock.set(started);
        let Some(url) = worker_url() else {
            on_page(
                run_id,
                request,
                bytes,
                started,
                "no worker in this build".into(),
            );
            return;
        };
        if worker_broken.get_value() && local.is_some() {
            on_page(run_id, request, bytes, started, String::new());
            return;
        }
        pending.set_value(Some((run_id, request.clone(), bytes, started)));
        if let Err(why) = ensure_worker(&url) {
            pending.set_value(None);
            worker_broken.set_value(true);
            on_page(run_id, request, bytes, started, why);
            return;
        }
        let blobs: Vec<web_sys::Blob> = loaded.iter().map(|i| i.blob.clone()).collect();
        worker.with_value(|w| {
            if let Some(w) = w {
                w.send(&request, &blobs);
            }
        });
    };

    // For the Vantage panel: the distinct prices the loaded cluster needs, from the last
    // analysis; `vantage_prices` (a kube-rightsize/prices/v1 file) is sent with every analysis.
    let wanted_prices: Signal<Vec<PriceKey>> = wanted.into();

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
                held=held
                on_demo=Callback::new(move |_| run())
                on_analyze=Callback::new(move |_| run())
            />
            <PrometheusPanel
                active=prometheus
                has_inputs=Signal::derive(move || !inputs.list.with(Vec::is_empty))
                on_change=Callback::new(move |_| {
                    if !inputs.list.with_untracked(Vec::is_empty) {
                        run();
                    }
                })
            />
            <SettingsPanel
                prefs=prefs
                errors=pref_errors
                prices_in_use=prices_in_use
                on_change=Callback::new(move |_| {
                    prefs.with_untracked(save);
                    if !inputs.list.with_untracked(Vec::is_empty) {
                        run();
                    }
                })
            />
            <VantagePanel
                wanted=wanted_prices
                on_prices=Callback::new(move |p: Option<String>| {
                    vantage_prices.set(p);
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
            // One busy line while busy; only its text and elapsed time update (the Cancel
            // button stays the same element under the pointer).
            <Show when=move || busy.with(Option::is_some)>
                <div class="busy row" id="busy" role="status" aria-live="polite">
                    <span class="spinner" aria-hidden="true"></span>
                    <span id="busy-text">
                        {move || busy.with(|b| b.as_ref().map(|b| b.text.clone()).unwrap_or_default())}
                    </span>
                    <span class="muted" id="busy-elapsed">
                        {move || {
                            let started = busy.with(|b| b.as_ref().map_or(0.0, |b| b.started_ms));
                            format!("{:.0} s", ((clock.get() - started).max(0.0) / 1000.0).floor())
                        }}
                    </span>
                    <button id="cancel" on:click=move |_| cancel()>"Cancel"</button>
                </div>
            </Show>
            {move || match outcome.get() {
                Outcome::Empty if busy.with(Option::is_some) => ().into_any(),
                Outcome::Empty => view! {
                    <p class="muted" id="empty">
                        "Paste or drop a cluster snapshot, or try the demo cluster, to see the report."
                    </p>
                }
                .into_any(),
                Outcome::Failed(e) => view! { <FailureView failure=e /> }.into_any(),
                Outcome::Ready(shown) => {
                    let t = shown.timing.clone();
                    let where_ = if t.in_worker { "in a background worker" } else { "in this browser tab" };
                    view! {
                        <p
                            class="muted timing"
                            id="timing"
                            data-engine-ms=format!("{:.1}", t.engine_ms)
                            data-total-ms=format!("{:.1}", t.total_ms)
                            data-decode-ms=format!("{:.1}", t.decode_ms)
                            data-reply-bytes=t.reply_bytes.to_string()
                            data-worker=t.in_worker.to_string()
                        >
                            {format!(
                                "Analysed {} in {:.0} ms, {where_} ({:.0} ms in all).",
                                human_bytes(t.bytes),
                                t.engine_ms,
                                t.total_ms
                            )}
                        </p>
                        <ReportView
                            report=shown.report
                            inputs=shown.inputs
                            node_descriptions=shown.node_descriptions
                        />
                    }
                    .into_any()
                }
            }}
        </main>
    }
}

/// A located input error with its hint.
#[component]
fn FailureView(failure: Failure) -> impl IntoView {
    view! {
        <div class="error" role="alert" id="input-error">
            <strong>{failure.heading.clone()}</strong>
            {failure.message.clone()}
            <div class="muted">{failure.location()}</div>
            {failure.hint.clone().map(|h| view! { <div class="hint">"Hint: " {h}</div> })}
        </div>
    }
}
