//! The analysis pipeline, once, for every shell: a sans-IO state machine.
//!
//! The browser worker, the CLI and the benchmarks hand it a [`Job`] (the inputs' bytes with
//! their roles, the typed [`Options`], where the price catalogue, Vantage prices and Prometheus
//! usage come from) and then only carry bytes and the clock:
//!
//! ```text
//! let mut p = Pipeline::new(job);
//! loop {
//!     match p.next_step(now()) {
//!         Step::Progress(p)            => show(p.text),
//!         Step::Fetch(f)               => start(f),            // answer with p.receive(f.id, …)
//!         Step::Wait { seconds, .. }   => sleep(seconds),
//!         Step::Pending                => { let (id, r) = next_answer(); p.receive(id, now(), r) }
//!         Step::Done(outcome)          => break outcome,       // report, summaries, warnings
//!         Step::Failed(failure)        => break failure,       // a located input error
//!     }
//! }
//! ```
//!
//! Stages, in order: the price catalogue (fetched when the shell has none), reading and sorting
//! the inputs (snapshots, KRR results, usage, price files), Vantage prices (fetched with the
//! user's key, or already fetched by the app's panel), Prometheus history (KRR's queries,
//! [`crate::prometheus::Plan`], at most [`PROMETHEUS_CONCURRENCY`] in flight), the analysis.
//! Every failure of a network source is a warning in the report, never an error: the report is
//! still made.

mod clusters;
mod reply;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::sync::Arc;

use crate::analysis::{Analysis, Settings, analyze_cluster_before_repack, repack_into};
use crate::cluster::Cluster;
use crate::diagnostics::Warning;
use crate::format::human_bytes;
use crate::http::{Request, Response, TransportError};
use crate::ingest;
use crate::inputs::{self, InputKind};
use crate::pricing::catalogue::Catalogue;
use crate::pricing::vantage::cache::PriceCache;
use crate::pricing::vantage::{self, Client, Config, Token, wanted_prices};
use crate::prometheus::{Plan, QueryFailure};
use crate::recommend::{RecommendationInput, StrategyName};
use crate::settings::Options;

pub use crate::inputs::{Failure, JobInput, Role};
pub use clusters::Clusters;
pub use reply::{CatalogueStatus, Reply, VantageReply};

/// Prometheus queries in flight at once.
pub const PROMETHEUS_CONCURRENCY: usize = 4;

/// How long one Prometheus query may take by default, in milliseconds.
pub const DEFAULT_PROMETHEUS_TIMEOUT_MS: u32 = 60_000;

/// How long the catalogue download may take, in milliseconds.
pub const CATALOGUE_TIMEOUT_MS: u32 = 60_000;

/// Where the price catalogue comes from.
#[derive(Debug, Clone)]
pub enum CatalogueSource {
    /// Compiled into the program (the CLI).
    Embedded(&'static Catalogue),
    /// Already decoded (cached by the worker after its first download).
    Loaded(Arc<Catalogue>),
    /// Download it from this URL (the worker, the first time).
    Fetch(String),
    /// None: nodes are priced from manual prices, price files, Vantage and fallback rates.
    None,
}

/// Vantage prices for this analysis.
#[derive(Debug)]
pub enum VantageSource {
    /// Look them up with the user's key.
    Fetch {
        /// API and base URL.
        config: Config,
        /// The key (only ever put in the `Authorization` header).
        token: Token,
        /// Prices fetched earlier (updated and handed back in [`Outcome::vantage`]).
        cache: PriceCache,
        /// How long one request may take, in milliseconds.
        timeout_ms: u32,
    },
}

/// Which shell runs the pipeline: its advice names the shell's own controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// The command line (`--prometheus-timeout`, `--prometheus-header`).
    Cli,
    /// The web app (fields, CORS).
    Browser,
}

/// Prometheus as the source of usage history.
#[derive(Debug, Clone)]
pub struct PrometheusSource {
    /// The API root, e.g. `http://localhost:9090`.
    pub url: String,
    /// KRR's strategy.
    pub strategy: StrategyName,
    /// Extra headers (`Authorization: Bearer …` for a managed Prometheus).
    pub headers: Vec<(String, String)>,
    /// How long one query may take, in milliseconds.
    pub timeout_ms: u32,
    /// The cluster it serves, by name, when the job holds several ([`Clusters::PerSnapshot`]);
    /// `None` or a name no cluster has: the first.
    pub cluster: Option<String>,
}

/// A snapshot the shell read itself, streamed ([`Pipeline::with_streamed`]).
#[derive(Debug)]
pub struct Streamed<'a> {
    /// Its size (for the progress line).
    pub bytes: usize,
    /// What it held, or why it could not be read.
    pub read: Result<ingest::ReadInput<'a>, ingest::IngestError>,
}

/// Everything one analysis needs.
#[derive(Debug)]
pub struct Job<'a> {
    /// The inputs, in order.
    pub inputs: Vec<JobInput<'a>>,
    /// What the user set (checked once more with [`Options::validate`]).
    pub options: Options,
    /// The price catalogue.
    pub catalogue: CatalogueSource,
    /// Vantage prices to look up, if any.
    pub vantage: Option<VantageSource>,
    /// Prometheus to query, if any.
    pub prometheus: Option<PrometheusSource>,
    /// The report's time stamp (the core has no clock).
    pub generated_at: String,
    /// Which shell runs it.
    pub shell: Shell,
    /// How the snapshots become clusters: one (the CLI), or one per snapshot (the app).
    pub clusters: Clusters,
}

/// The shell's clock, given at every step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Now {
    /// Milliseconds from any fixed point (for timings).
    pub ms: f64,
    /// Seconds since the Unix epoch (Vantage's cache ages and rate limits).
    pub unix_seconds: i64,
}

/// A request for the shell to send; answer with [`Pipeline::receive`] and this `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetch {
    /// Passed back with the answer.
    pub id: u64,
    /// What to send.
    pub request: Request,
    /// Give up (answer [`TransportError::Timeout`]) after this many milliseconds.
    pub timeout_ms: u32,
}

/// Which stage a progress line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Downloading the price catalogue.
    Catalogue,
    /// Reading the inputs.
    Reading,
    /// Vantage lookups.
    Vantage,
    /// Prometheus queries.
    Prometheus,
    /// The analysis itself.
    Analysing,
    /// Re-packing the pods onto nodes (the last part of the analysis, the longest on large
    /// clusters).
    Repacking,
    /// Putting the report together (after this line the shell gets the outcome; the line
    /// also lets the shell's clock time the re-packing).
    Report,
}

/// A progress line.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// The stage.
    pub stage: Stage,
    /// For people: `Reading 250.0 MB`, `Querying Prometheus 12/40`.
    pub text: String,
    /// Steps done and in all, where the stage counts them (Prometheus queries).
    pub count: Option<(usize, usize)>,
}

/// What the shell should do next.
#[derive(Debug)]
pub enum Step {
    /// Show this.
    Progress(Progress),
    /// Send this request (others may follow before any answer).
    Fetch(Fetch),
    /// Nothing is in flight: wait this long, showing `reason`, then ask again.
    Wait {
        /// Seconds to wait.
        seconds: u64,
        /// Why (Vantage's rate limit).
        reason: String,
    },
    /// Requests are in flight: wait for one answer, [`Pipeline::receive`] it, ask again.
    Pending,
    /// Finished.
    Done(Box<Outcome>),
    /// An input could not be read; there is no report.
    Failed(Failure),
}

/// A finished analysis and everything a shell shows around it.
#[derive(Debug)]
pub struct Outcome {
    /// The analysis: the cluster model, its costs, all warnings, the report.
    pub analysis: Analysis,
    /// What each input held, by input name (`cluster snapshot (JSON): 3 nodes, 40 pods`).
    pub held: Vec<(String, String)>,
    /// The catalogue downloaded or given as [`CatalogueSource::Loaded`] (for the shell to
    /// keep), if any.
    pub catalogue: Option<Arc<Catalogue>>,
    /// The catalogue's coverage, or why it is missing.
    pub catalogue_status: CatalogueStatus,
    /// The Vantage lookups' result (statuses, the updated cache, requests sent), when Vantage
    /// was asked.
    pub vantage: Option<vantage::Outcome>,
    /// Prometheus queries planned, and the containers they were for, when Prometheus was asked.
    pub prometheus: Option<(usize, usize)>,
    /// The distinct prices the nodes need from Vantage (manually priced types left out).
    pub wanted_prices: Vec<vantage::PriceKey>,
    /// Milliseconds spent reading and analysing (not waiting for the network).
    pub elapsed_ms: f64,
    /// The analysis compared with an earlier report given among the inputs (the app's), if
    /// one was ([`crate::report::diff`]).
    pub comparison: Option<crate::report::diff::Diff>,
    /// The saved reports given without a snapshot (the app's), merged
    /// ([`crate::report::fleet`]), or the clusters of a [`Clusters::PerSnapshot`] job when
    /// there were several; the analysis is then of an empty cluster.
    pub fleet: Option<crate::report::fleet::Fleet>,
    /// The fleet compared with the earlier reports given among the inputs, when either side
    /// has several clusters ([`crate::report::diff::fleet::compare_members`]).
    pub fleet_comparison: Option<crate::report::diff::fleet::FleetDiff>,
    /// The cluster each input went to (input name → cluster name; empty for a price file that
    /// applies to every cluster), for a [`Clusters::PerSnapshot`] job; saved reports are left
    /// out.
    pub clusters: Vec<(String, String)>,
    /// The inputs' cluster pickers, when there is a choice to make
    /// ([`crate::inputs::clusters::pickers`]).
    pub pickers: Vec<crate::inputs::clusters::Picker>,
}

enum State {
    Start,
    CatalogueAwait(u64),
    Read,
    Ingest,
    Vantage(Box<Client>),
    Prometheus(Box<PromRun>),
    Analyse,
    Repack(Box<Analysis>),
    /// Re-packed: the outcome goes out on the next call.
    Report(Box<Analysis>),
    /// The next cluster of several to analyse ([`Clusters::PerSnapshot`]).
    Member(usize),
    Finished,
}

struct PromRun {
    plan: Plan,
    base: String,
    urls: Vec<String>,
    headers: Vec<(String, String)>,
    timeout_ms: u32,
    next: usize,
    done: usize,
    in_flight: Vec<(u64, usize)>,
    stopped: bool,
}

/// The pipeline (see the module documentation).
pub struct Pipeline<'a> {
    inputs: Vec<JobInput<'a>>,
    /// Snapshots the shell read itself, streamed ([`Pipeline::with_streamed`]).
    streamed: Vec<Streamed<'a>>,
    options: Options,
    catalogue_source: Option<CatalogueSource>,
    vantage_source: Option<VantageSource>,
    prometheus_source: Option<PrometheusSource>,
    generated_at: String,
    shell: Shell,
    state: State,
    queue: VecDeque<Step>,
    next_id: u64,
    vantage_id: Option<u64>,
    vantage_timeout_ms: u32,
    catalogue: Option<Arc<Catalogue>>,
    embedded: Option<&'static Catalogue>,
    catalogue_status: CatalogueStatus,
    settings: Settings,
    kinds: Vec<(String, InputKind)>,
    cluster: Option<Cluster>,
    /// The earlier reports among the inputs (the app's), to compare with.
    earlier: Vec<crate::report::fleet::Member>,
    fleet: Option<crate::report::fleet::Fleet>,
    clusters: Clusters,
    /// The clusters of a fleet analysis, each until analysed.
    members: Vec<clusters::ClusterJob>,
    /// Their reports, as analysed.
    fleet_reports: Vec<crate::report::fleet::Member>,
    /// The snapshots' summaries, when they were analysed as several clusters.
    summaries: Vec<crate::cluster::InputSummary>,
    /// Input name → cluster name ([`Outcome::clusters`]).
    assignment: Vec<(String, String)>,
    /// The cluster of a fleet Prometheus serves ([`PrometheusSource::cluster`]).
    prometheus_cluster: Option<String>,
    vantage: Option<vantage::Outcome>,
    prometheus: Option<(usize, usize)>,
    timing_since: Option<f64>,
    elapsed_ms: f64,
}

impl<'a> Pipeline<'a> {
    /// A pipeline for `job`; nothing happens until [`Pipeline::next_step`].
    pub fn new(job: Job<'a>) -> Pipeline<'a> {
        Pipeline {
            inputs: job.inputs,
            streamed: Vec::new(),
            options: job.options,
            catalogue_source: Some(job.catalogue),
            vantage_source: job.vantage,
            prometheus_source: job.prometheus,
            generated_at: job.generated_at,
            shell: job.shell,
            state: State::Start,
            queue: VecDeque::new(),
            next_id: 0,
            vantage_id: None,
            vantage_timeout_ms: 0,
            catalogue: None,
            embedded: None,
            catalogue_status: CatalogueStatus::default(),
            settings: Settings::default(),
            kinds: Vec::new(),
            cluster: None,
            earlier: Vec::new(),
            fleet: None,
            clusters: job.clusters,
            members: Vec::new(),
            fleet_reports: Vec::new(),
            summaries: Vec::new(),
            assignment: Vec::new(),
            prometheus_cluster: None,
            vantage: None,
            prometheus: None,
            timing_since: None,
            elapsed_ms: 0.0,
        }
    }

    /// Adds snapshots the shell read itself from chunks ([`ingest::StreamIngest`], e.g. the
    /// CLI from files and standard input), never held whole. They are merged before the job's
    /// own snapshots, and an error of theirs is reported where the ingest would report it (after
    /// the settings and the other inputs were checked). Read them with the ingest options of
    /// [`Settings::default`] (the pipeline's).
    pub fn with_streamed(mut self, streamed: Vec<Streamed<'a>>) -> Pipeline<'a> {
        self.streamed = streamed;
        self
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn progress(&mut self, stage: Stage, text: String, count: Option<(usize, usize)>) {
        self.queue
            .push_back(Step::Progress(Progress { stage, text, count }));
    }

    /// What to do next; `now` is the shell's clock.
    pub fn next_step(&mut self, now: Now) -> Step {
        if let Some(since) = self.timing_since.take() {
            self.elapsed_ms += now.ms - since;
        }
        loop {
            if let Some(step) = self.queue.pop_front() {
                return step;
            }
            match std::mem::replace(&mut self.state, State::Finished) {
                State::Start => self.start(),
                State::CatalogueAwait(id) => {
                    self.state = State::CatalogueAwait(id);
                    return Step::Pending;
                }
                State::Read => {
                    let total: usize = self.inputs.iter().map(|i| i.bytes.len()).sum::<usize>()
                        + self.streamed.iter().map(|s| s.bytes).sum::<usize>();
                    self.progress(
                        Stage::Reading,
                        format!("Reading {}", human_bytes(total)),
                        None,
                    );
                    self.state = State::Ingest;
                }
                State::Ingest => {
                    self.timing_since = Some(now.ms);
                    if let Err(f) = self.ingest() {
                        return Step::Failed(f);
                    }
                    self.state = self.after_ingest(now);
                    self.queue_stage_progress();
                }
                State::Vantage(client) => {
                    if let Some(step) = self.vantage_step(client) {
                        return step;
                    }
                }
                State::Prometheus(run) => {
                    if let Some(step) = self.prometheus_step(run) {
                        return step;
                    }
                }
                State::Analyse if !self.members.is_empty() => {
                    self.progress(
                        Stage::Analysing,
                        format!(
                            "Analysing {} (1/{})",
                            self.members[0].name,
                            self.members.len()
                        ),
                        None,
                    );
                    self.state = State::Member(0);
                }
                State::Member(index) => {
                    self.timing_since = Some(now.ms);
                    if self.analyse_member(index) {
                        self.fleet = Some(self.fleet_of_members());
                        self.members.clear();
                        self.state = State::Analyse;
                    } else {
                        self.state = State::Member(index + 1);
                    }
                }
                State::Analyse => {
                    self.timing_since = Some(now.ms);
                    let cluster = self.cluster.take().unwrap_or_default();
                    let analysis = analyze_cluster_before_repack(
                        cluster,
                        &self.settings,
                        self.catalogue.as_deref().or(self.embedded),
                        &self.generated_at,
                    );
                    self.progress(
                        Stage::Repacking,
                        format!(
                            "Re-packing {} on {}",
                            crate::format::count_of(analysis.cluster.pods.len(), "pod"),
                            crate::format::count_of(analysis.cluster.nodes.len(), "node")
                        ),
                        None,
                    );
                    // The progress line goes out before the re-packing starts.
                    self.state = State::Repack(Box::new(analysis));
                }
                State::Repack(mut analysis) => {
                    self.timing_since = Some(now.ms);
                    repack_into(
                        &mut analysis,
                        &self.settings,
                        self.catalogue.as_deref().or(self.embedded),
                    );
                    // The shell's next call brings its clock: the re-packing's time counts.
                    self.progress(Stage::Report, "Preparing the report".into(), None);
                    self.state = State::Report(analysis);
                }
                State::Report(analysis) => {
                    return Step::Done(Box::new(self.finish(*analysis)));
                }
                State::Finished => return Step::Pending,
            }
        }
    }

    fn start(&mut self) {
        match self.catalogue_source.take() {
            Some(CatalogueSource::Embedded(c)) => {
                self.catalogue_status = CatalogueStatus::of(c);
                self.embedded = Some(c);
                self.state = State::Read;
            }
            Some(CatalogueSource::Loaded(c)) => {
                self.catalogue_status = CatalogueStatus::of(&c);
                self.catalogue = Some(c);
                self.state = State::Read;
            }
            Some(CatalogueSource::Fetch(url)) => {
                self.progress(Stage::Catalogue, "Loading the price catalogue".into(), None);
                let id = self.id();
                self.queue.push_back(Step::Fetch(Fetch {
                    id,
                    request: Request::get(url, Vec::new()),
                    timeout_ms: CATALOGUE_TIMEOUT_MS,
                }));
                self.state = State::CatalogueAwait(id);
            }
            Some(CatalogueSource::None) | None => self.state = State::Read,
        }
    }

    /// Passes the answer to the request `id` ([`Step::Fetch`]); `now` is the shell's clock.
    /// Answers to unknown or already answered ids are ignored.
    pub fn receive(&mut self, id: u64, now: Now, result: Result<Response, TransportError>) {
        match &mut self.state {
            State::CatalogueAwait(wanted) if *wanted == id => {
                let (catalogue, status) = CatalogueStatus::from_download(result);
                self.catalogue = catalogue;
                self.catalogue_status = status;
                self.state = State::Read;
            }
            State::Vantage(client) if self.vantage_id == Some(id) => {
                self.vantage_id = None;
                client.receive(now.unix_seconds, result);
            }
            State::Prometheus(run) => {
                if let Some(pos) = run.in_flight.iter().position(|(i, _)| *i == id) {
                    let (_, index) = run.in_flight.swap_remove(pos);
                    let (done, total) = run.answer(index, result, self.shell);
                    self.progress(
                        Stage::Prometheus,
                        format!("Querying Prometheus {done}/{total}"),
                        Some((done, total)),
                    );
                }
            }
            _ => {}
        }
    }

    /// Options, then the inputs by role, then the snapshots into the cluster model (or, for a
    /// [`Clusters::PerSnapshot`] job with several clusters, into each cluster's).
    fn ingest(&mut self) -> Result<(), Failure> {
        let errors = self.options.validate();
        if !errors.is_empty() {
            return Err(Failure::settings(&errors));
        }
        self.options.apply(&mut self.settings);
        let base = match self.clusters {
            Clusters::One => None,
            Clusters::PerSnapshot(_) => Some(self.settings.clone()),
        };
        let prepared = inputs::sort(&self.inputs, &mut self.settings)?;
        if prepared.snapshots.is_empty() && self.streamed.is_empty() && !prepared.reports.is_empty()
        {
            // Saved reports alone: a fleet of them, nothing to analyse.
            self.fleet = Some(fleet_of(&prepared, &self.generated_at)?);
            self.kinds = prepared.kinds;
            self.cluster = Some(Cluster::default());
            return Ok(());
        }
        self.earlier = earlier_reports(&prepared)?;
        // The streamed snapshots were read before the others (their names for the chips).
        self.kinds = self
            .streamed
            .iter()
            .filter_map(|s| s.read.as_ref().ok())
            .map(|r| (r.summary().name.clone(), inputs::InputKind::Snapshot))
            .chain(prepared.kinds.iter().cloned())
            .collect();
        // The reads borrow their options (the pipeline is changed while they live).
        let ingest_options = self.settings.ingest.clone();
        let mut read = Vec::new();
        for s in std::mem::take(&mut self.streamed) {
            read.push(s.read?);
        }
        for input in &prepared.snapshots {
            read.push(ingest::read_whole(input, &ingest_options)?);
        }
        let Some(base) = base else {
            self.cluster = Some(ingest::ingest_read(read)?);
            return Ok(());
        };
        if let Some(read) = self.group(read, &base, &prepared)? {
            self.cluster = Some(ingest::ingest_read(read)?);
        }
        Ok(())
    }

    /// Every settings the analysis prices with: the job's, and each cluster's of a fleet.
    fn all_settings(&mut self) -> impl Iterator<Item = &mut Settings> {
        std::iter::once(&mut self.settings).chain(self.members.iter_mut().map(|m| &mut m.settings))
    }

    /// The cluster of a fleet Prometheus serves: the one named, else the first.
    fn measured_member(&self) -> usize {
        self.prometheus_cluster
            .as_ref()
            .and_then(|name| self.members.iter().position(|m| &m.name == name))
            .unwrap_or(0)
    }

    /// The cluster Prometheus is asked about: the one cluster, or a fleet's
    /// ([`Pipeline::measured_member`]).
    fn measured_cluster(&self) -> &Cluster {
        self.members
            .get(self.measured_member())
            .and_then(|m| m.cluster.as_ref())
            .or(self.cluster.as_ref())
            .expect("ingested")
    }

    fn after_ingest(&mut self, now: Now) -> State {
        if self.fleet.is_some() {
            // Nothing to price or measure: the reports carry their figures.
            self.queue_stage_progress();
            return State::Analyse;
        }
        if let Some(VantageSource::Fetch {
            config,
            token,
            cache,
            timeout_ms,
        }) = self.vantage_source.take()
        {
            let mut wanted: Vec<vantage::PriceKey> = self
                .cluster
                .iter()
                .chain(self.members.iter().filter_map(|m| m.cluster.as_ref()))
                .flat_map(|c| wanted_prices(c, &self.settings.manual_prices))
                .collect();
            if !self.members.is_empty() {
                wanted.sort();
                wanted.dedup();
            }
            let client = Client::new(config, token, wanted, cache, now.unix_seconds);
            self.vantage_timeout_ms = timeout_ms;
            return State::Vantage(Box::new(client));
        }
        self.prometheus_or_analyse()
    }

    fn queue_stage_progress(&mut self) {
        if matches!(self.state, State::Analyse) {
            self.progress(Stage::Analysing, "Analysing".into(), None);
        }
    }

    fn prometheus_or_analyse(&mut self) -> State {
        let Some(source) = self.prometheus_source.take() else {
            return State::Analyse;
        };
        self.prometheus_cluster = source.cluster;
        let cluster = self.measured_cluster();
        let base = source.url.trim().trim_end_matches('/').to_owned();
        let plan = Plan::new(cluster, source.strategy, &self.settings.strategy);
        let urls: Vec<String> = plan.queries().iter().map(|q| q.url(&base)).collect();
        let total = urls.len();
        self.prometheus = Some((total, plan.targets.len()));
        self.progress(
            Stage::Prometheus,
            format!("Querying Prometheus 0/{total}"),
            Some((0, total)),
        );
        State::Prometheus(Box::new(PromRun {
            plan,
            base,
            urls,
            headers: source.headers,
            timeout_ms: source.timeout_ms,
            next: 0,
            done: 0,
            in_flight: Vec::new(),
            stopped: false,
        }))
    }

    fn vantage_step(&mut self, mut client: Box<Client>) -> Option<Step> {
        if self.vantage_id.is_some() {
            self.state = State::Vantage(client);
            return Some(Step::Pending);
        }
        match client.next_step() {
            vantage::Step::Send(request) => {
                let id = self.id();
                self.vantage_id = Some(id);
                self.state = State::Vantage(client);
                Some(Step::Fetch(Fetch {
                    id,
                    request,
                    timeout_ms: self.vantage_timeout_ms,
                }))
            }
            vantage::Step::Wait { seconds, reason } => {
                self.state = State::Vantage(client);
                Some(Step::Wait { seconds, reason })
            }
            vantage::Step::Progress(text) => {
                self.state = State::Vantage(client);
                Some(Step::Progress(Progress {
                    stage: Stage::Vantage,
                    text,
                    count: None,
                }))
            }
            vantage::Step::Done => {
                let outcome = client.finish();
                for settings in self.all_settings() {
                    settings.vantage = outcome.table.clone();
                    settings
                        .price_file_warnings
                        .extend(outcome.warnings.iter().cloned());
                }
                self.vantage = Some(outcome);
                self.state = self.prometheus_or_analyse();
                self.queue_stage_progress();
                None
            }
        }
    }

    fn prometheus_step(&mut self, mut run: Box<PromRun>) -> Option<Step> {
        if !run.stopped && run.next < run.urls.len() && run.in_flight.len() < PROMETHEUS_CONCURRENCY
        {
            let index = run.next;
            run.next += 1;
            let id = self.id();
            run.in_flight.push((id, index));
            let fetch = Fetch {
                id,
                request: Request::get(run.urls[index].clone(), run.headers.clone()),
                timeout_ms: run.timeout_ms,
            };
            self.state = State::Prometheus(run);
            return Some(Step::Fetch(fetch));
        }
        if !run.in_flight.is_empty() {
            self.state = State::Prometheus(run);
            return Some(Step::Pending);
        }
        let set = run.plan.finish(self.measured_cluster(), &run.base);
        let measured = self.measured_member();
        let settings = match self.members.get_mut(measured) {
            Some(member) => &mut member.settings,
            None => &mut self.settings,
        };
        settings.recommendations = Some(RecommendationInput::Ready(set));
        self.state = State::Analyse;
        self.queue_stage_progress();
        None
    }

    /// The outcome of a finished analysis.
    fn finish(&mut self, analysis: Analysis) -> Outcome {
        use crate::report::diff::fleet::{Comparison, compare_members};
        let held = if self.summaries.is_empty() {
            inputs::describe(&self.kinds, &analysis.cluster)
        } else {
            self.held_by_input()
        };
        let fleet = self.fleet.take();
        let (mut comparison, mut fleet_comparison) = (None, None);
        let earlier = std::mem::take(&mut self.earlier);
        if !earlier.is_empty() {
            let later = match &fleet {
                Some(fleet) => fleet
                    .reports
                    .iter()
                    .map(|r| crate::report::fleet::Member {
                        input: r.cluster.clone().unwrap_or_default(),
                        report: r.clone(),
                        warnings: Vec::new(),
                    })
                    .collect(),
                None => vec![crate::report::fleet::Member {
                    input: self
                        .assignment
                        .first()
                        .map(|(_, c)| c.clone())
                        .or_else(|| analysis.cluster.inputs.first().map(|i| i.name.clone()))
                        .unwrap_or_default(),
                    report: analysis.report.clone(),
                    warnings: Vec::new(),
                }],
            };
            match compare_members(earlier, later, &self.generated_at) {
                Comparison::Cluster(d) => comparison = Some(*d),
                Comparison::Fleet(d) => fleet_comparison = Some(d),
            }
        }
        Outcome {
            comparison,
            fleet_comparison,
            pickers: crate::inputs::clusters::pickers(&self.kinds, &self.assignment),
            clusters: std::mem::take(&mut self.assignment),
            fleet,
            held,
            wanted_prices: wanted_prices(&analysis.cluster, &self.settings.manual_prices),
            catalogue: self.catalogue.take(),
            catalogue_status: std::mem::take(&mut self.catalogue_status),
            vantage: self.vantage.take(),
            prometheus: self.prometheus,
            elapsed_ms: self.elapsed_ms,
            analysis,
        }
    }
}

/// The saved reports among the inputs (given without a snapshot), read and merged.
fn fleet_of(
    prepared: &inputs::Prepared<'_>,
    generated_at: &str,
) -> Result<crate::report::fleet::Fleet, Failure> {
    Ok(crate::report::fleet::merge(
        earlier_reports(prepared)?,
        generated_at,
    ))
}

/// The earlier reports among the inputs, read (next to a snapshot: reports alone are a fleet,
/// [`fleet_of`]): one report, a fleet's, or several files; compared with the analysis by
/// [`crate::report::diff::fleet::compare_members`].
fn earlier_reports(
    prepared: &inputs::Prepared<'_>,
) -> Result<Vec<crate::report::fleet::Member>, Failure> {
    let mut members = Vec::new();
    for r in &prepared.reports {
        members.extend(
            crate::report::fleet::read::read(r.name, r.bytes).map_err(|e| Failure::report(&e))?,
        );
    }
    Ok(members)
}

impl PromRun {
    /// Records the answer to query `index`; returns (answered, total).
    fn answer(
        &mut self,
        index: usize,
        result: Result<Response, TransportError>,
        shell: Shell,
    ) -> (usize, usize) {
        match result {
            // An unusable answer is recorded by the plan and becomes a warning.
            Ok(r) => drop(self.plan.handle(index, r.status, &r.body)),
            Err(e) => {
                // A Prometheus that cannot be reached or does not answer in time will not do
                // better for the next queries: stop sending (the plan fails the unsent ones
                // like this one).
                self.stopped = true;
                let failure = prometheus_failure(&self.base, e, self.timeout_ms, shell);
                self.plan.fail(index, failure);
            }
        }
        self.done += 1;
        (self.done, self.urls.len())
    }
}

/// The warning text for a Prometheus query that got no answer.
fn prometheus_failure(
    base: &str,
    e: TransportError,
    timeout_ms: u32,
    shell: Shell,
) -> QueryFailure {
    match e {
        TransportError::Timeout => QueryFailure::Timeout(format!(
            "Prometheus at {base} did not answer within {} s — is it overloaded? {}",
            timeout_ms / 1000,
            match shell {
                Shell::Cli => "Raise --prometheus-timeout or shorten --history-duration",
                Shell::Browser => "Shorten the history or try again",
            }
        )),
        TransportError::Blocked | TransportError::Network(_) => {
            let cause = match e {
                TransportError::Network(m) => m,
                _ => {
                    "the browser got no answer (connection refused, or blocked by CORS)".to_owned()
                }
            };
            QueryFailure::Unreachable(format!(
                "cannot reach Prometheus at {base}: {cause} — is `kubectl port-forward \
                 svc/prometheus 9090` running, {}",
                match shell {
                    Shell::Cli => "and are the URL and --prometheus-header right?",
                    Shell::Browser =>
                        "is the URL right, and does Prometheus allow this page's origin (CORS; \
                         it does by default)?",
                }
            ))
        }
    }
}

/// Warnings of a finished analysis that came from a network source, for shells that print
/// them as they happen (the CLI's standard error).
pub fn network_warnings(outcome: &Outcome) -> Vec<&Warning> {
    outcome
        .analysis
        .warnings
        .iter()
        .filter(|w| w.code.starts_with("vantage_") || w.code.starts_with("prometheus_"))
        .collect()
}
