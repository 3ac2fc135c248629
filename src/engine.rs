//! The analysis engine: the core's pipeline ([`kube_rightsize_core::pipeline`]) driven in a
//! Web Worker (`src/bin/worker.rs`) or, in component tests, on the page's own thread.
//!
//! ```text
//! page ──Request (JSON) + inputs (Blobs)──▶ worker
//!      ◀──Progress ("Reading 250.0 MB", "Querying Prometheus 12/40", Vantage lines, waits)──
//!      ◀──Reply (JSON: the report/v1 JSON + what the view needs) or Failure──
//! ```
//!
//! [`run`] turns the page's [`Request`] into the pipeline's job and carries bytes for it:
//! the requests it asks for go through the [`Host`] (`fetch` in the browser, several at a
//! time), progress goes to the page, the clock comes from the host. Everything that decides
//! anything is the core's. The decoded catalogue is kept for the worker's next analysis.
//!
//! Vantage: a request with [`Request::vantage`] (the user pressed "Fetch prices") asks Vantage
//! through the pipeline ([`VantageSource::Fetch`]) with the token it carries; the reply's
//! [`Reply::vantage`] holds the statuses, the updated cache and a prices/v1 file, never the
//! token. Other requests carry the earlier fetch's file ([`Request::vantage_prices`]) and ask
//! no one.
//!
//! The worker analyses a tiny built-in snapshot ([`warm_up`]) as it starts, and [`run`] does
//! before a large input if that has not happened yet (the page's engine in tests): V8
//! first runs wasm in its baseline compiler (Liftoff) and replaces a function with optimised
//! code (TurboFan) only when it is next called after it got hot, so one long analysis on a
//! fresh worker would run mostly in baseline code, 1.15–1.4× slower (BENCHMARKS.md, *Analysis
//! in wasm vs native*).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use kube_rightsize_core::http::{Request as HttpRequest, Response, TransportError};
use kube_rightsize_core::pipeline::{
    self, CatalogueSource, Clusters, Job, JobInput, Now, Pipeline, PrometheusSource, Role, Shell,
    Stage, Step, VantageSource,
};
use kube_rightsize_core::preferences::Preferences;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::pricing::vantage::cache::PriceCache;
use kube_rightsize_core::pricing::vantage::{ApiKind, Config, Token};
use kube_rightsize_core::recommend::StrategyName;
use serde::{Deserialize, Serialize};

pub use kube_rightsize_core::pipeline::{CatalogueStatus, Failure, Reply, VantageReply};

/// Prometheus queries in flight at once (the pipeline's).
pub const PROMETHEUS_CONCURRENCY: usize = pipeline::PROMETHEUS_CONCURRENCY;

/// How long one Prometheus query may take, in milliseconds (the CLI's default).
pub const PROMETHEUS_TIMEOUT_MS: u32 = pipeline::DEFAULT_PROMETHEUS_TIMEOUT_MS;

/// How long one Vantage request may take, in milliseconds, before it counts as a timeout (the
/// client retries it).
pub const VANTAGE_TIMEOUT_MS: u32 = 30_000;

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
    /// Vantage prices as a `kube-rightsize/prices/v1` file, when the user fetched them
    /// ([`VantageReply::prices_file`]); not used when [`Request::vantage`] asks again.
    pub vantage_prices: Option<String>,
    /// Ask Vantage for the prices the nodes need (the user pressed "Fetch prices").
    pub vantage: Option<VantageRequest>,
    /// Where to read usage history, when the user asked for it.
    pub prometheus: Option<PrometheusRequest>,
    /// The report's time stamp (the core has no clock).
    pub generated_at: String,
    /// The clusters the user put inputs in (input name → cluster name); the others are grouped
    /// by the core ([`Clusters::PerSnapshot`]).
    #[serde(default)]
    pub clusters: std::collections::BTreeMap<String, String>,
}

/// Vantage as a price source for one analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VantageRequest {
    /// Which API.
    pub api: ApiKind,
    /// Its base URL (`/vantage` behind `trunk serve`'s proxy).
    pub base_url: String,
    /// The user's token, for the `Authorization` header of this analysis' requests.
    pub token: Secret,
    /// The price cache as kept in localStorage ([`VantageReply::cache`] of an earlier fetch).
    pub cache: Option<String>,
}

/// A token on its way to the worker: serialised into the one request that needs it, never
/// shown by `Debug`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What the engine tells the page while it works.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Progress {
    /// A stage (`Reading 250.0 MB`, `Querying Prometheus 12/40`, `Analysing`).
    Line(String),
    /// A Vantage line (`Querying cost for m5.large in us-east-1`), also for the Vantage
    /// panel's log.
    Vantage(String),
    /// Waiting for Vantage's rate limit to reset.
    Waiting {
        /// Why (the core's text).
        reason: String,
        /// Seconds still to wait.
        seconds_left: u64,
    },
}

impl Progress {
    /// The busy line's text.
    pub fn text(&self) -> String {
        match self {
            Progress::Line(t) | Progress::Vantage(t) => t.clone(),
            Progress::Waiting {
                reason,
                seconds_left,
            } => format!("{reason} ({seconds_left} s left)"),
        }
    }
}

/// Prometheus as the recommendation source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrometheusRequest {
    /// The API root, e.g. `http://localhost:9090`.
    pub url: String,
    /// KRR's strategy.
    pub strategy: StrategyName,
    /// The cluster it serves, when the inputs hold several (`None`: the first).
    #[serde(default)]
    pub cluster: Option<String>,
}

/// Why [`run`] stopped without a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// The inputs could not be read.
    Failed(Failure),
    /// The user cancelled.
    Cancelled,
}

/// What the engine needs from where it runs.
pub trait Host {
    /// Sends `request` and waits at most `timeout_ms` for the whole answer: by default the
    /// browser's `fetch` ([`crate::net::send`]); tests answer from scripts.
    fn fetch(
        &self,
        request: &HttpRequest,
        timeout_ms: u32,
    ) -> impl std::future::Future<Output = Result<Response, TransportError>> {
        crate::net::send(request, timeout_ms, None)
    }
    /// Shows what is happening; `Err(())` when the user cancelled.
    fn progress(&self, progress: &Progress) -> impl std::future::Future<Output = Result<(), ()>>;
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
pub fn warm_up(catalogue: Option<Arc<Catalogue>>) -> Option<usize> {
    if WARM.replace(true) {
        return None;
    }
    // Streamed as the worker streams a picked file (`files::stream_blob`), in slices small
    // enough that items are read both in place and across a slice's end.
    let options = kube_rightsize_core::ingest::IngestOptions::default();
    let mut reader = kube_rightsize_core::ingest::StreamIngest::new("warm-up", &options);
    for slice in WARM_UP_SNAPSHOT.chunks(16 * 1024) {
        reader.feed(slice);
    }
    let streamed = kube_rightsize_core::pipeline::Streamed {
        bytes: WARM_UP_SNAPSHOT.len(),
        read: reader.finish(),
    };
    let job = Job {
        inputs: Vec::new(),
        options: Default::default(),
        catalogue: catalogue.map_or(CatalogueSource::None, CatalogueSource::Loaded),
        vantage: None,
        prometheus: None,
        generated_at: "1970-01-01T00:00:00Z".to_owned(),
        shell: Shell::Browser,
        clusters: Clusters::One,
    };
    let mut pipeline = Pipeline::new(job).with_streamed(vec![streamed]);
    let now = Now {
        ms: 0.0,
        unix_seconds: 0,
    };
    loop {
        match pipeline.next_step(now) {
            Step::Progress(_) => {}
            Step::Done(outcome) => {
                let pods = outcome.analysis.cluster.pods.len();
                let json = serde_json::to_string(&outcome.into_reply(Vec::new())).ok()?;
                std::hint::black_box(json);
                return Some(pods);
            }
            // Nothing to fetch or wait for: a built-in snapshot and no network sources.
            _ => return None,
        }
    }
}

/// [`warm_up`] with the catalogue this worker has cached, if any.
pub fn warm_up_cached() -> Option<usize> {
    warm_up(CATALOGUE.with_borrow(Clone::clone))
}

/// Analyses `inputs` (name, bytes) as `request` says. See the module documentation.
pub async fn run<H: Host>(
    request: &Request,
    inputs: &[(String, Vec<u8>)],
    host: &H,
) -> Result<Reply, Stopped> {
    run_streamed(request, inputs, Vec::new(), host).await
}

/// The ingest options `request`'s preferences read snapshots with (the labels costs are grouped
/// by), for snapshots streamed before [`run_streamed`].
pub fn ingest_options(request: &Request) -> kube_rightsize_core::ingest::IngestOptions {
    let (options, _) = Preferences::from_json(&request.preferences).to_options();
    let mut settings = kube_rightsize_core::analysis::Settings::default();
    options.apply(&mut settings);
    settings.ingest
}

/// [`run`], with snapshots the worker has already read as a stream (with [`ingest_options`]):
/// their bytes were never held whole.
pub async fn run_streamed<'a, H: Host>(
    request: &'a Request,
    inputs: &'a [(String, Vec<u8>)],
    streamed: Vec<pipeline::Streamed<'a>>,
    host: &H,
) -> Result<Reply, Stopped> {
    let total: usize = inputs.iter().map(|(_, b)| b.len()).sum::<usize>()
        + streamed.iter().map(|s| s.bytes).sum::<usize>();
    let cached = CATALOGUE.with_borrow(Clone::clone);
    if total >= WARM_UP_FROM_BYTES {
        // Counted in the reply's timings only in part (it runs before the pipeline): it is
        // part of what this analysis costs.
        warm_up(cached.clone());
    }
    let (options, preference_errors) = Preferences::from_json(&request.preferences).to_options();
    let mut parts: Vec<JobInput<'_>> = inputs
        .iter()
        .map(|(name, bytes)| JobInput {
            name,
            bytes,
            role: Role::Auto,
        })
        .collect();
    if let Some(prices) = request
        .vantage_prices
        .as_ref()
        .filter(|_| request.vantage.is_none())
    {
        parts.push(JobInput {
            name: "Vantage prices",
            bytes: prices.as_bytes(),
            role: Role::VantagePrices,
        });
    }
    let vantage = match &request.vantage {
        Some(v) => Some(vantage_source(v, host).await?),
        None => None,
    };
    let job = Job {
        inputs: parts,
        options,
        catalogue: match cached {
            Some(c) => CatalogueSource::Loaded(c),
            None => CatalogueSource::Fetch(CATALOGUE_URL.to_owned()),
        },
        vantage,
        prometheus: request.prometheus.as_ref().map(|p| PrometheusSource {
            url: p.url.clone(),
            strategy: p.strategy,
            headers: Vec::new(),
            timeout_ms: PROMETHEUS_TIMEOUT_MS,
            cluster: p.cluster.clone(),
        }),
        generated_at: request.generated_at.clone(),
        shell: Shell::Browser,
        clusters: Clusters::PerSnapshot(request.clusters.clone()),
    };
    let outcome = drive(Pipeline::new(job).with_streamed(streamed), host).await?;
    if let Some(c) = &outcome.catalogue {
        CATALOGUE.set(Some(Arc::clone(c)));
    }
    Ok(outcome.into_reply(preference_errors.iter().map(ToString::to_string).collect()))
}

/// The pipeline's Vantage source for `v`; a cache that cannot be read is said (and ignored).
async fn vantage_source<H: Host>(v: &VantageRequest, host: &H) -> Result<VantageSource, Stopped> {
    let (cache, problem) = v
        .cache
        .as_ref()
        .map(|text| PriceCache::from_json(text.as_bytes()))
        .unwrap_or_default();
    if let Some(problem) = problem {
        say(host, Progress::Vantage(problem)).await?;
    }
    Ok(VantageSource::Fetch {
        config: Config::new(v.api, Some(&v.base_url)),
        token: Token::new(&v.token.0),
        cache,
        timeout_ms: VANTAGE_TIMEOUT_MS,
    })
}

async fn say<H: Host>(host: &H, progress: Progress) -> Result<(), Stopped> {
    host.progress(&progress)
        .await
        .map_err(|()| Stopped::Cancelled)
}

/// Carries bytes for `pipeline`: its requests through `host` (several in flight), its progress
/// to the page, the host's clock.
async fn drive<H: Host>(
    mut pipeline: Pipeline<'_>,
    host: &H,
) -> Result<Box<pipeline::Outcome>, Stopped> {
    let now = || Now {
        ms: host.now(),
        unix_seconds: crate::net::unix_seconds(),
    };
    let mut in_flight = FuturesUnordered::new();
    loop {
        match pipeline.next_step(now()) {
            Step::Progress(p) => {
                say(
                    host,
                    match p.stage {
                        Stage::Vantage => Progress::Vantage(p.text),
                        _ => Progress::Line(p.text),
                    },
                )
                .await?;
            }
            Step::Fetch(f) => in_flight.push(async move {
                let answer = host.fetch(&f.request, f.timeout_ms).await;
                (f.id, answer)
            }),
            Step::Wait { seconds, reason } => {
                // Counted down a second at a time, so the page shows how long is left.
                say(host, Progress::Vantage(reason.clone())).await?;
                for seconds_left in (1..=seconds).rev() {
                    let reason = reason.clone();
                    say(
                        host,
                        Progress::Waiting {
                            reason,
                            seconds_left,
                        },
                    )
                    .await?;
                    crate::net::sleep(1).await;
                }
            }
            Step::Pending => match in_flight.next().await {
                Some((id, answer)) => pipeline.receive(id, now(), answer),
                None => {
                    return Err(Stopped::Failed(Failure::input(
                        "analysis",
                        "the analysis waited for an answer to a request it never made; please \
                         report this",
                    )));
                }
            },
            Step::Done(outcome) => return Ok(outcome),
            Step::Failed(f) => return Err(Stopped::Failed(f)),
        }
    }
}
