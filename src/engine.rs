//! The analysis engine: one code path, run in a Web Worker (`src/bin/worker.rs`) or, when no
//! worker can be started, on the page's own thread.
//!
//! ```text
//! page ──Request (JSON) + inputs (transferred ArrayBuffers)──▶ worker
//!      ◀──progress text ("Reading 250.0 MB", "Querying Prometheus 12/40")──
//!      ◀──Reply (JSON: the report/v1 JSON + what the view needs) or Failure──
//! ```
//!
//! [`run`] fetches and caches the price catalogue, sorts the inputs ([`prepare`]), reads the
//! snapshots, optionally queries Prometheus with the core's sans-IO [`Plan`] (4 at a time),
//! and runs the analysis. Everything that computes is the core's; this module moves bytes and
//! reports progress. Fetching, progress and the clock are a [`Host`], so tests can drive it.
//!
//! The worker analyses a tiny built-in snapshot ([`warm_up`]) as it starts, and [`run`] does
//! before a large input if that has not happened yet (the page's engine in tests): V8
//! first runs wasm in its baseline compiler (Liftoff) and replaces a function with optimised
//! code (TurboFan) only when it is next called after it got hot, so one long analysis on a
//! fresh worker would run mostly in baseline code, 1.15–1.4× slower (BENCHMARKS.md, *Analysis
//! in wasm vs native*).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use futures::StreamExt;
use kube_rightsize_core::analysis::{Settings, analyze_cluster};
use kube_rightsize_core::cluster::InputSummary;
use kube_rightsize_core::ingest::{IngestError, Input, ingest_with};
use kube_rightsize_core::inputs::{InputError, prepare};
use kube_rightsize_core::preferences::Preferences;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::pricing::import::import_prices;
use kube_rightsize_core::pricing::vantage::{PriceKey, wanted_prices};
use kube_rightsize_core::prometheus::{Plan, QueryFailure};
use kube_rightsize_core::recommend::{RecommendationInput, StrategyName, StrategySettings};
use kube_rightsize_core::report::Report;
use serde::{Deserialize, Serialize};

/// Prometheus queries in flight at once (as the CLI).
pub const PROMETHEUS_CONCURRENCY: usize = 4;

/// How long one Prometheus query may take, in milliseconds (the CLI's default).
pub const PROMETHEUS_TIMEOUT_MS: u32 = 60_000;

/// The price catalogue's URL, relative to the page (and to the worker script, next to it).
pub const CATALOGUE_URL: &str = "catalogue.bin";

/// The tiny snapshot [`warm_up`] analyses: `cargo xtask gen --nodes 2 --pods 10 --seed 2`,
/// minified (99 KB, 11 KB gzipped).
pub const WARM_UP_SNAPSHOT: &[u8] = include_bytes!("warmup.json");

/// Inputs (in total) at least this large are analysed after [`warm_up`]; smaller ones are fast
/// enough in baseline code.
pub const WARM_UP_FROM_BYTES: usize = 8 << 20;

/// What to analyse. The inputs' bytes travel next to it (as transferred `ArrayBuffer`s to the
/// worker), in the order of [`Request::input_names`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The inputs' names, in order.
    pub input_names: Vec<String>,
    /// The saved preferences ([`Preferences`] JSON).
    pub preferences: String,
    /// Vantage prices as a `kube-rightsize/prices/v1` file, when the user fetched them.
    pub vantage_prices: Option<String>,
    /// Where to read usage history, when the user asked for it.
    pub prometheus: Option<PrometheusRequest>,
    /// The report's time stamp (the core has no clock).
    pub generated_at: String,
}

/// Prometheus as the recommendation source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrometheusRequest {
    /// The API root, e.g. `http://localhost:9090`.
    pub url: String,
    /// KRR's strategy.
    pub strategy: StrategyName,
}

/// The price catalogue as the engine found it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogueStatus {
    /// Regions covered and dates ([`Catalogue::coverage`]).
    pub coverage: Vec<String>,
    /// Why it could not be loaded or read (nodes are then priced with fallback rates).
    pub problem: Option<String>,
}

/// A finished analysis: the report and what the page shows around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The report (serialised as the `kube-rightsize/report/v1` JSON the CLI prints).
    pub report: Report,
    /// What each snapshot input held (for the HTML export's input list and diagnostics).
    pub inputs: Vec<InputSummary>,
    /// What each input held, by input name, for the input chips.
    pub held: Vec<(String, String)>,
    /// One line per node: how it was mapped (the Diagnostics tab).
    pub node_descriptions: Vec<String>,
    /// The distinct prices the cluster's nodes need (for the Vantage panel).
    pub wanted_prices: Vec<PriceKey>,
    /// Preferences that could not be applied, for people.
    pub preference_errors: Vec<String>,
    /// The price catalogue's coverage, or why it is missing.
    pub catalogue: CatalogueStatus,
    /// Milliseconds spent reading and analysing (without the catalogue download and Prometheus).
    pub elapsed_ms: f64,
}

/// Why there is no report: an input could not be read. Display-ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// `This input could not be read: `, `This KRR result could not be read: `, …
    pub heading: String,
    /// What is wrong.
    pub message: String,
    /// Where: `paste, line 1, column 1`.
    pub location: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl From<IngestError> for Failure {
    fn from(e: IngestError) -> Failure {
        Failure {
            heading: "This input could not be read: ".into(),
            location: format!("{}, line {}, column {}", e.input, e.line, e.column),
            message: e.message,
            hint: e.hint,
        }
    }
}

impl From<InputError> for Failure {
    fn from(e: InputError) -> Failure {
        Failure {
            heading: format!("This {} could not be read: ", e.kind),
            location: match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{}, line {l}, column {c}", e.input),
                (Some(l), None) => format!("{}, line {l}", e.input),
                _ => e.input.clone(),
            },
            message: e.message,
            hint: e.hint,
        }
    }
}

/// Why [`run`] stopped without a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// The inputs could not be read.
    Failed(Failure),
    /// The user cancelled.
    Cancelled,
}

/// Why a fetch got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Network error, refused connection, or the browser blocked the answer (CORS): browsers
    /// do not say which.
    Network(String),
    /// No answer in time.
    Timeout,
}

/// What the engine needs from where it runs.
pub trait Host {
    /// `GET url`: the status and body, or why there is none.
    fn fetch(
        &self,
        url: &str,
        timeout_ms: u32,
    ) -> impl std::future::Future<Output = Result<(u16, Vec<u8>), FetchError>>;
    /// Shows what is happening; `Err(())` when the user cancelled.
    fn progress(&self, text: &str) -> impl std::future::Future<Output = Result<(), ()>>;
    /// Milliseconds from some fixed point.
    fn now(&self) -> f64;
}

thread_local! {
    /// The decoded catalogue, fetched once per worker (or page).
    static CATALOGUE: RefCell<Option<Arc<Catalogue>>> = const { RefCell::new(None) };
    /// Whether [`warm_up`] ran in this worker (or page).
    static WARM: Cell<bool> = const { Cell::new(false) };
}

/// Analyses [`WARM_UP_SNAPSHOT`] once per worker (or page; later calls do nothing) and returns
/// its pod count, so that the functions a real analysis spends its time in are hot and V8
/// optimises them before that analysis calls them. Costs 0.1–0.25 s in a fresh worker; saves
/// 13% (idle machine: about its cost) to 29% (loaded) of a 468 MB analysis, so it pays most
/// when run as the worker starts (BENCHMARKS.md, *Analysis in wasm vs native*).
pub fn warm_up(catalogue: Option<&Catalogue>) -> Option<usize> {
    if WARM.replace(true) {
        return None;
    }
    let settings = Settings::default();
    let input = [Input::new("warm-up", WARM_UP_SNAPSHOT)];
    let cluster = ingest_with(&input, &settings.ingest).ok()?;
    let analysis = analyze_cluster(cluster, &settings, catalogue, "1970-01-01T00:00:00Z");
    let json = serde_json::to_string(&analysis.report).ok()?;
    std::hint::black_box(json);
    Some(analysis.cluster.pods.len())
}

pub use kube_rightsize_core::format::human_bytes;

async fn catalogue<H: Host>(host: &H) -> Result<(Option<Arc<Catalogue>>, CatalogueStatus), ()> {
    if let Some(c) = CATALOGUE.with_borrow(Clone::clone) {
        let coverage = c.coverage();
        return Ok((
            Some(c),
            CatalogueStatus {
                coverage,
                problem: None,
            },
        ));
    }
    host.progress("Loading the price catalogue").await?;
    let problem = match host.fetch(CATALOGUE_URL, PROMETHEUS_TIMEOUT_MS).await {
        Ok((200, bytes)) => match Catalogue::from_bytes(&bytes) {
            Ok(c) => {
                let c = Arc::new(c);
                CATALOGUE.set(Some(Arc::clone(&c)));
                let coverage = c.coverage();
                return Ok((
                    Some(c),
                    CatalogueStatus {
                        coverage,
                        problem: None,
                    },
                ));
            }
            Err(e) => format!(
                "the price catalogue is damaged ({e}); nodes are priced with fallback rates"
            ),
        },
        Ok((status, _)) => format!(
            "the price catalogue could not be loaded (HTTP {status}); nodes are priced with fallback rates"
        ),
        Err(e) => format!(
            "the price catalogue could not be loaded ({}); nodes are priced with fallback rates",
            match e {
                FetchError::Network(m) => m,
                FetchError::Timeout => "timed out".to_owned(),
            }
        ),
    };
    Ok((
        None,
        CatalogueStatus {
            coverage: Vec::new(),
            problem: Some(problem),
        },
    ))
}

/// Analyses `inputs` (name, bytes) as `request` says. See the module documentation.
pub async fn run<H: Host>(
    request: &Request,
    inputs: &[(String, Vec<u8>)],
    host: &H,
) -> Result<Reply, Stopped> {
    let cancelled = |()| Stopped::Cancelled;
    let (catalogue, catalogue_status) = catalogue(host).await.map_err(cancelled)?;
    let total: usize = inputs.iter().map(|(_, b)| b.len()).sum();
    host.progress(&format!("Reading {}", human_bytes(total)))
        .await
        .map_err(cancelled)?;
    let started = host.now();
    if total >= WARM_UP_FROM_BYTES {
        // Counted in `elapsed_ms`: it is part of what this analysis costs.
        warm_up(catalogue.as_deref());
    }
    let mut settings = Settings::default();
    let preference_errors = Preferences::from_json(&request.preferences)
        .apply(&mut settings)
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Some(prices) = &request.vantage_prices {
        // The page made this file from the core's own writer: a failure is a bug, reported as
        // an input error rather than ignored.
        let imported = import_prices("Vantage prices", prices.as_bytes()).map_err(|e| {
            Stopped::Failed(Failure {
                heading: "The Vantage prices could not be read: ".into(),
                message: e.message.clone(),
                location: format!("{}, line {}, column {}", e.file, e.line, e.column),
                hint: e.hint.clone(),
            })
        })?;
        settings.vantage = imported.table;
        settings.vantage.description = "Vantage (fetched in this browser)".to_owned();
        settings.price_file_warnings.extend(imported.warnings);
    }
    let parts: Vec<Input<'_>> = inputs.iter().map(|(n, b)| Input::new(n, b)).collect();
    let prepared = prepare(&parts, &mut settings).map_err(|e| Stopped::Failed(Failure::from(e)))?;
    let cluster = ingest_with(&prepared.snapshots, &settings.ingest)
        .map_err(|e| Stopped::Failed(Failure::from(e)))?;
    let mut elapsed_ms = host.now() - started;
    if let Some(p) = &request.prometheus {
        let set = prometheus(p, &cluster, &settings.strategy, host).await?;
        settings.recommendations = Some(RecommendationInput::Ready(set));
    }
    host.progress("Analysing").await.map_err(cancelled)?;
    let started = host.now();
    let analysis = analyze_cluster(
        cluster,
        &settings,
        catalogue.as_deref(),
        &request.generated_at,
    );
    elapsed_ms += host.now() - started;
    Ok(Reply {
        held: prepared.describe(&analysis.cluster),
        inputs: analysis.cluster.inputs.clone(),
        node_descriptions: analysis
            .cluster
            .nodes
            .iter()
            .map(kube_rightsize_core::nodes::describe)
            .collect(),
        wanted_prices: wanted_prices(&analysis.cluster),
        preference_errors,
        catalogue: catalogue_status,
        elapsed_ms,
        report: analysis.report,
    })
}

/// Runs the core's Prometheus plan: every query through `host`, 4 at a time, stopping after
/// the first transport failure (the core treats the unsent queries like it).
async fn prometheus<H: Host>(
    p: &PrometheusRequest,
    cluster: &kube_rightsize_core::cluster::Cluster,
    strategy: &StrategySettings,
    host: &H,
) -> Result<kube_rightsize_core::recommend::RecommendationSet, Stopped> {
    let base = p.url.trim().trim_end_matches('/').to_owned();
    let mut plan = Plan::new(cluster, p.strategy, strategy);
    let urls: Vec<String> = plan.queries().iter().map(|q| q.url(&base)).collect();
    let total = urls.len();
    host.progress(&format!("Querying Prometheus 0/{total}"))
        .await
        .map_err(|()| Stopped::Cancelled)?;
    let stop = Rc::new(Cell::new(false));
    let done = Cell::new(0usize);
    let mut answers = futures::stream::iter(urls.iter().enumerate())
        .map(|(i, url)| {
            let stop = Rc::clone(&stop);
            async move {
                if stop.get() {
                    return (i, None);
                }
                let answer = host.fetch(url, PROMETHEUS_TIMEOUT_MS).await;
                if answer.is_err() {
                    stop.set(true);
                }
                (i, Some(answer))
            }
        })
        .buffer_unordered(PROMETHEUS_CONCURRENCY);
    while let Some((i, answer)) = answers.next().await {
        match answer {
            Some(Ok((status, body))) => {
                // An unusable answer is recorded by the plan and becomes a warning.
                let _ = plan.handle(i, status, &body);
            }
            Some(Err(FetchError::Timeout)) => plan.fail(
                i,
                QueryFailure::Timeout(format!(
                    "Prometheus at {base} did not answer within {} s — is it overloaded? \
                     Shorten the history or try again",
                    PROMETHEUS_TIMEOUT_MS / 1000
                )),
            ),
            Some(Err(FetchError::Network(m))) => plan.fail(
                i,
                QueryFailure::Unreachable(format!(
                    "cannot reach Prometheus at {base} ({m}) — is `kubectl port-forward \
                     svc/prometheus 9090` running, is the URL right, and does Prometheus allow \
                     this page's origin (CORS; it does by default)?"
                )),
            ),
            None => {}
        }
        done.set(done.get() + 1);
        host.progress(&format!("Querying Prometheus {}/{total}", done.get()))
            .await
            .map_err(|()| Stopped::Cancelled)?;
    }
    drop(answers);
    Ok(plan.finish(cluster, &base))
}

/// The browser's side of [`Host`]: `fetch` from the page or the worker, with a timeout.
pub mod browser {
    use super::FetchError;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn message(value: &JsValue) -> String {
        if let Some(err) = value.dyn_ref::<js_sys::Error>() {
            return String::from(err.message());
        }
        value.as_string().unwrap_or_else(|| format!("{value:?}"))
    }

    /// `GET url` with the global `fetch` (a window's or a worker's), aborted after
    /// `timeout_ms`.
    pub async fn fetch(url: &str, timeout_ms: u32) -> Result<(u16, Vec<u8>), FetchError> {
        let global = js_sys::global();
        let controller =
            web_sys::AbortController::new().map_err(|e| FetchError::Network(message(&e)))?;
        let init = web_sys::RequestInit::new();
        init.set_method("GET");
        init.set_signal(Some(&controller.signal()));
        let timed_out = std::rc::Rc::new(std::cell::Cell::new(false));
        let abort = {
            let controller = controller.clone();
            let timed_out = std::rc::Rc::clone(&timed_out);
            wasm_bindgen::closure::Closure::once(move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let set_timeout = |f: &js_sys::Function, ms: i32| -> Option<i32> {
            if let Some(w) = global.dyn_ref::<web_sys::Window>() {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(f, ms)
                    .ok()
            } else if let Some(w) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(f, ms)
                    .ok()
            } else {
                None
            }
        };
        let timer = set_timeout(abort.as_ref().unchecked_ref(), timeout_ms as i32);
        let promise = if let Some(w) = global.dyn_ref::<web_sys::Window>() {
            w.fetch_with_str_and_init(url, &init)
        } else if let Some(w) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
            w.fetch_with_str_and_init(url, &init)
        } else {
            return Err(FetchError::Network("no fetch in this context".into()));
        };
        let result = async {
            let resp = JsFuture::from(promise).await.map_err(|e| message(&e))?;
            let resp: web_sys::Response =
                resp.dyn_into().map_err(|_| "not a response".to_owned())?;
            let status = resp.status();
            let buf = JsFuture::from(resp.array_buffer().map_err(|e| message(&e))?)
                .await
                .map_err(|e| message(&e))?;
            Ok::<_, String>((status, js_sys::Uint8Array::new(&buf).to_vec()))
        }
        .await;
        if let Some(t) = timer {
            if let Some(w) = global.dyn_ref::<web_sys::Window>() {
                w.clear_timeout_with_handle(t);
            } else if let Some(w) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
                w.clear_timeout_with_handle(t);
            }
        }
        drop(abort);
        match result {
            Ok(r) => Ok(r),
            Err(_) if timed_out.get() => Err(FetchError::Timeout),
            Err(m) => Err(FetchError::Network(m)),
        }
    }

    /// Milliseconds since the page (or worker) started.
    pub fn now() -> f64 {
        js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
            .map_or(0.0, |p| p.now())
    }
}
