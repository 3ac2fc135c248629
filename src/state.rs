//! What the page shows, as signals, and how the analysis client's [`Event`]s change it.

use std::sync::Arc;

use kube_rightsize_core::cluster::InputSummary;
use kube_rightsize_core::pricing::vantage::PriceKey;
use kube_rightsize_core::report::{Report, TypePrice, type_prices};
use leptos::prelude::*;

use crate::engine::{CatalogueStatus, Failure, Progress, Reply};
use crate::storage;
use crate::vantage::{End, FetchRun};
use crate::worker_client::{Event, Timing};

/// A finished analysis as the page shows it.
#[derive(Clone)]
pub struct Shown {
    /// The report.
    pub report: Arc<Report>,
    /// What each snapshot input held.
    pub inputs: Arc<Vec<InputSummary>>,
    /// One line per node (Diagnostics tab).
    pub node_descriptions: Arc<Vec<String>>,
    /// The snapshot's pod label keys with their pod counts (the "Group by" choices).
    pub label_keys: Arc<Vec<(String, usize)>>,
    /// The analysis compared with an earlier report given with it (Changes tab).
    pub comparison: Option<Arc<kube_rightsize_core::report::diff::Diff>>,
    /// Saved reports given without a snapshot, or several clusters' snapshots, merged: shown
    /// instead of the report.
    pub fleet: Option<Arc<kube_rightsize_core::report::fleet::Fleet>>,
    /// The fleet (or the one cluster) compared with earlier reports of several clusters.
    pub fleet_comparison: Option<Arc<kube_rightsize_core::report::diff::fleet::FleetDiff>>,
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

/// The page's state.
#[derive(Clone, Copy)]
pub struct PageState {
    /// The report, the failure, or nothing yet.
    pub outcome: RwSignal<Outcome>,
    /// The analysis in progress.
    pub busy: RwSignal<Option<Busy>>,
    /// The price catalogue's coverage, or why it is missing.
    pub catalogue: RwSignal<CatalogueStatus>,
    /// Preferences the last analysis could not apply.
    pub pref_errors: RwSignal<Vec<String>>,
    /// What each input held, by input name (the chips).
    pub held: RwSignal<Vec<(String, String)>>,
    /// The cluster each input went to in the last analysis, by input name (empty: every
    /// cluster).
    pub clusters: RwSignal<Vec<(String, String)>>,
    /// The chips' cluster pickers of the last analysis (the core's).
    pub pickers: RwSignal<Vec<kube_rightsize_core::inputs::clusters::Picker>>,
    /// The clusters the user put inputs in (sent with every analysis).
    pub assigned: RwSignal<kube_rightsize_core::inputs::clusters::Assigned>,
    /// The distinct prices the loaded cluster needs from Vantage (for the Vantage panel).
    pub wanted: RwSignal<Vec<PriceKey>>,
    /// The last report's prices per instance type (the settings panel's inline overrides);
    /// kept while a re-run is busy so the fields stay.
    pub prices_in_use: RwSignal<Vec<TypePrice>>,
    /// The last fetch's Vantage prices (a `kube-rightsize/prices/v1` file), sent with every
    /// analysis until the next fetch.
    pub vantage_prices: RwSignal<Option<String>>,
    /// The last "Fetch prices", for the Vantage panel.
    pub fetch: RwSignal<FetchRun>,
}

impl PageState {
    /// Nothing analysed yet.
    pub fn new() -> PageState {
        PageState {
            outcome: RwSignal::new(Outcome::Empty),
            busy: RwSignal::new(None),
            catalogue: RwSignal::new(CatalogueStatus::default()),
            pref_errors: RwSignal::new(Vec::new()),
            held: RwSignal::new(Vec::new()),
            clusters: RwSignal::new(Vec::new()),
            pickers: RwSignal::new(Vec::new()),
            assigned: RwSignal::new(Default::default()),
            wanted: RwSignal::new(Vec::new()),
            prices_in_use: RwSignal::new(Vec::new()),
            vantage_prices: RwSignal::new(None),
            fetch: RwSignal::new(FetchRun::default()),
        }
    }

    /// Shows `event`.
    pub fn apply(&self, event: Event) {
        match event {
            Event::Started {
                started_ms,
                vantage_base,
            } => {
                self.busy.set(Some(Busy {
                    text: "Starting".into(),
                    started_ms,
                }));
                if let Some(base) = vantage_base {
                    let wanted = self.wanted.with_untracked(Vec::len);
                    self.fetch.set(FetchRun::start(base, wanted));
                }
            }
            Event::Progress(p) => self.progress(p),
            Event::Done(reply, timing) => self.show(*reply, timing),
            Event::Failed(f) => {
                self.end(End::Stopped(
                    "the inputs could not be read (see the error below)",
                ));
                self.outcome.set(Outcome::Failed(f));
            }
            Event::Cancelled => self.end(End::Cancelled),
            Event::Crashed(message) => {
                self.end(End::Stopped("the analysis stopped (see the error panel)"));
                crate::panic::show(&message);
            }
        }
    }

    fn progress(&self, p: Progress) {
        self.busy
            .update(|b| b.iter_mut().for_each(|b| b.text = p.text()));
        if !self.fetch.with_untracked(|f| f.running) {
            return;
        }
        self.fetch.update(|f| match p {
            Progress::Line(_) => f.waiting = None,
            Progress::Vantage(line) => {
                f.waiting = None;
                f.log.push(line);
            }
            waiting @ Progress::Waiting { .. } => f.waiting = Some(waiting.text()),
        });
    }

    fn end(&self, end: End) {
        self.busy.set(None);
        if self.fetch.with_untracked(|f| f.running) {
            self.fetch.update(|f| f.stop(end));
        }
    }

    fn show(&self, reply: Reply, timing: Timing) {
        self.pref_errors.set(reply.preference_errors);
        self.catalogue.set(reply.catalogue);
        self.held.set(reply.held);
        self.clusters.set(reply.clusters);
        self.pickers.set(reply.pickers);
        self.wanted.set(reply.wanted_prices);
        self.prices_in_use.set(type_prices(&reply.report));
        if let Some(v) = reply.vantage {
            // Later analyses use these prices without asking Vantage again.
            storage::save_vantage_cache(&v.cache);
            self.vantage_prices.set(Some(v.prices_file.clone()));
            self.end(End::Done(v));
        }
        self.outcome.set(Outcome::Ready(Shown {
            report: Arc::new(reply.report),
            inputs: Arc::new(reply.inputs),
            node_descriptions: Arc::new(reply.node_descriptions),
            label_keys: Arc::new(reply.label_keys),
            comparison: reply.comparison.map(Arc::new),
            fleet: reply.fleet.map(Arc::new),
            fleet_comparison: reply.fleet_comparison.map(Arc::new),
            timing,
        }));
        self.busy.set(None);
    }
}
