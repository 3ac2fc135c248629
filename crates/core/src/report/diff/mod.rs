//! What changed between two reports of one cluster (`kube-rightsize/diff/v1`): summary deltas,
//! cost change by namespace, workload and node pool, workloads added and removed, request and
//! limit changes per container, and the **savings realised** — the earlier report's
//! recommendations that were applied, with the money they save, and the ones still open.
//!
//! # Savings realised
//!
//! A recommended cell (a container's CPU or memory request in the earlier report, not `?`, and
//! different from the request then) is **applied** when the later request is within
//! [`TOLERANCE`] of the recommendation, **open** when the later request is still the earlier one,
//! and **changed otherwise** when it moved elsewhere. Its money is valued at the earlier
//! report's prices and replica counts, so that scaling and price changes (which the cost
//! changes show) do not count as realised savings:
//!
//! ```text
//! K      = workload monthly cost ÷ (Σ CPU requests (cores) × r + Σ memory requests (GiB))
//! saving = pods × (Δcores × r + ΔGiB) × K          r = the CPU:memory price ratio
//! ```
//!
//! Every node prices a core at `r` GiB, so a workload's cost is `(cores × r + GiB) × K` for its
//! pods' nodes' average GiB rate `K`; a change of `Δ` per pod over its pods costs or saves
//! `pods × (Δcores × r + ΔGiB) × K`. For an applied cell Δ is earlier − later; for an open
//! cell, earlier − recommended (what applying it would save). `docs/fleet.md` has a worked
//! example.

pub mod columns;
pub mod fleet;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::columns::pool_label;
use super::{ContainerRow, Report, Summary, WorkloadRow};
use crate::diagnostics::Warning;

/// The JSON schema name of [`Diff`].
pub const SCHEMA: &str = "kube-rightsize/diff/v1";

/// A later request within this share of the recommendation counts as applied (people round
/// recommendations: 163m becomes 150m or 200m).
pub const TOLERANCE: f64 = 0.10;

const GIB: f64 = 1_073_741_824.0;

/// Two reports compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// When the comparison was made (given by the caller).
    pub generated_at: String,
    /// The earlier report.
    pub before: Side,
    /// The later report.
    pub after: Side,
    /// Each summary figure before and after.
    pub summary: Vec<Change>,
    /// Namespaces whose cost changed, added or removed, by the size of the change.
    pub namespaces: Vec<Change>,
    /// Node pools whose cost changed, added or removed, by the size of the change.
    pub node_pools: Vec<Change>,
    /// Workloads whose cost or containers changed, added or removed, by the size of the change.
    pub workloads: Vec<WorkloadChange>,
    /// Containers whose requests or limits changed (in workloads of both reports).
    pub containers: Vec<ContainerChange>,
    /// The earlier report's recommendations and what became of them.
    pub realised: Realised,
    /// Differences in prices and settings between the two reports.
    pub warnings: Vec<Warning>,
}

impl Diff {
    /// The later report's cluster name, `cluster` when it records none.
    pub fn cluster(&self) -> &str {
        self.after.cluster.as_deref().unwrap_or("cluster")
    }
}

/// One of the two reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// The cluster's name.
    pub cluster: Option<String>,
    /// When it was generated.
    pub generated_at: String,
    /// Its oldest price date.
    pub prices_as_of: Option<String>,
    /// Its summary.
    pub summary: Summary,
}

/// A figure before and after (`null`: not in that report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// What it is: a summary field (`monthly_cost`), a namespace or a pool.
    pub name: String,
    /// Before.
    pub before: Option<f64>,
    /// After.
    pub after: Option<f64>,
    /// after − before (a missing side counts as 0).
    pub change: f64,
}

impl Change {
    fn new(name: impl Into<String>, before: Option<f64>, after: Option<f64>) -> Change {
        Change {
            name: name.into(),
            before,
            after,
            change: after.unwrap_or(0.0) - before.unwrap_or(0.0),
        }
    }

    /// `added`, `removed`, `changed`, or `unchanged` (in both, and the change rounds to $0.00:
    /// a fleet's clusters are all listed).
    pub fn status(&self) -> &'static str {
        match (self.before, self.after) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            _ if self.change.abs() < 0.005 => "unchanged",
            _ => "changed",
        }
    }
}

/// A workload in one report or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadChange {
    /// Namespace.
    pub namespace: String,
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub status: String,
    /// Running pods before (`null`: not in the earlier report).
    pub pods_before: Option<usize>,
    /// Running pods after.
    pub pods_after: Option<usize>,
    /// Monthly cost before.
    pub cost_before: Option<f64>,
    /// Monthly cost after.
    pub cost_after: Option<f64>,
    /// after − before.
    pub change: f64,
}

/// CPU and memory requests or limits of a container (`null`: not set).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    /// Requested cores.
    pub cpu_request: Option<f64>,
    /// Requested bytes.
    pub memory_request: Option<i64>,
    /// CPU limit, cores.
    pub cpu_limit: Option<f64>,
    /// Memory limit, bytes.
    pub memory_limit: Option<i64>,
}

impl Resources {
    fn of(c: &ContainerRow) -> Resources {
        Resources {
            cpu_request: c.requests.cpu_cores,
            memory_request: c.requests.memory_bytes,
            cpu_limit: c.limits.cpu_cores,
            memory_limit: c.limits.memory_bytes,
        }
    }
}

/// A container whose requests or limits changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerChange {
    /// Namespace.
    pub namespace: String,
    /// Workload kind.
    pub kind: String,
    /// Workload name.
    pub workload: String,
    /// Container name.
    pub container: String,
    /// Before.
    pub before: Resources,
    /// After.
    pub after: Resources,
}

/// What became of one recommended cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The later request is within [`TOLERANCE`] of the recommendation.
    Applied,
    /// The later request is the earlier one.
    Open,
    /// The later request moved, but not to the recommendation.
    ChangedOtherwise,
    /// The workload or container is not in the later report.
    Gone,
}

impl Outcome {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::Open => "open",
            Outcome::ChangedOtherwise => "changed_otherwise",
            Outcome::Gone => "gone",
        }
    }
}

/// One recommended request (CPU or memory of one container) of the earlier report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Namespace.
    pub namespace: String,
    /// Workload kind.
    pub kind: String,
    /// Workload name.
    pub workload: String,
    /// Container name.
    pub container: String,
    /// `cpu` (cores) or `memory` (bytes).
    pub resource: String,
    /// The request in the earlier report (`null`: unset, which costs nothing).
    pub before: Option<f64>,
    /// The recommendation.
    pub recommended: f64,
    /// The request in the later report (`null` when gone or unset).
    pub after: Option<f64>,
    /// What became of it.
    pub outcome: Outcome,
    /// Applied: what the change saves a month (negative when the recommendation raised the
    /// request). Open: what applying it would save. Otherwise 0.
    pub monthly_savings: f64,
}

/// The earlier report's recommendations, followed up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Realised {
    /// True when the earlier report had recommendations.
    pub had_recommendations: bool,
    /// The earlier report's CPU:memory price ratio `r`, which values the cells.
    pub cpu_memory_price_ratio: f64,
    /// The savings the earlier report promised (its summary's `monthly_savings`). Applied, open
    /// and the rest add up to about this: the cells are valued per container, the report per
    /// pod (where an init container's request outweighs the others', a container's change
    /// saves less than its cell says).
    pub earlier_monthly_savings: f64,
    /// Σ monthly savings of the applied cells.
    pub monthly_savings: f64,
    /// Σ monthly savings the open cells would bring.
    pub open_monthly_savings: f64,
    /// Cells applied.
    pub applied: usize,
    /// Cells open.
    pub open: usize,
    /// Cells changed otherwise.
    pub changed_otherwise: usize,
    /// Cells whose workload or container is gone.
    pub gone: usize,
    /// Every recommended cell, applied ones first, then by money.
    pub cells: Vec<Cell>,
}

type Key<'a> = (&'a str, &'a str, &'a str);

fn key(w: &WorkloadRow) -> Key<'_> {
    (w.namespace.as_str(), w.kind.as_str(), w.name.as_str())
}

fn side(r: &Report) -> Side {
    Side {
        cluster: r.cluster.clone(),
        generated_at: r.generated_at.clone(),
        prices_as_of: r.pricing.as_of.clone(),
        summary: r.summary.clone(),
    }
}

fn by_change_size<T>(items: &mut [T], change: impl Fn(&T) -> f64) {
    items.sort_by(|a, b| change(b).abs().total_cmp(&change(a).abs()));
}

/// Each summary figure before and after (the GPU figures when either side has GPUs).
fn summary_changes(b: &Summary, a: &Summary) -> Vec<Change> {
    let mut summary = vec![
        Change::new("monthly_cost", Some(b.monthly_cost), Some(a.monthly_cost)),
        Change::new(
            "allocated_monthly_cost",
            Some(b.allocated_monthly_cost),
            Some(a.allocated_monthly_cost),
        ),
        Change::new(
            "idle_monthly_cost",
            Some(b.idle_monthly_cost),
            Some(a.idle_monthly_cost),
        ),
        Change::new(
            "monthly_savings",
            Some(b.monthly_savings),
            Some(a.monthly_savings),
        ),
        Change::new("nodes", Some(b.nodes as f64), Some(a.nodes as f64)),
        Change::new("pods", Some(b.pods as f64), Some(a.pods as f64)),
        Change::new(
            "workloads",
            Some(b.workloads as f64),
            Some(a.workloads as f64),
        ),
        Change::new(
            "namespaces",
            Some(b.namespaces as f64),
            Some(a.namespaces as f64),
        ),
    ];
    if b.gpus > 0 || a.gpus > 0 {
        summary.extend([
            Change::new("gpus", Some(b.gpus as f64), Some(a.gpus as f64)),
            Change::new(
                "gpu_monthly_cost",
                Some(b.gpu_monthly_cost),
                Some(a.gpu_monthly_cost),
            ),
            Change::new(
                "idle_gpu_monthly_cost",
                Some(b.idle_gpu_monthly_cost),
                Some(a.idle_gpu_monthly_cost),
            ),
        ]);
    }
    summary
}

/// Compares `before` with `after` at `generated_at`. Never fails.
pub fn compare(before: &Report, after: &Report, generated_at: &str) -> Diff {
    let summary = summary_changes(&before.summary, &after.summary);
    let mut warnings = super::fleet::differences(&[
        Report {
            cluster: Some("before".into()),
            ..before.clone()
        },
        Report {
            cluster: Some("after".into()),
            ..after.clone()
        },
    ]);
    // Only the earlier report's recommendations are followed up: the later one need not have any.
    warnings.retain(|w| {
        w.code != "merge_recommendations_differ" && w.code != "merge_strategy_settings_differ"
    });
    if before.cluster.is_some() && after.cluster.is_some() && before.cluster != after.cluster {
        warnings.insert(
            0,
            Warning::new(
                "diff_clusters_differ",
                "",
                format!(
                    "The reports are of different clusters ({} and {}): the comparison may mean \
                     little.",
                    before.cluster.as_deref().unwrap_or_default(),
                    after.cluster.as_deref().unwrap_or_default()
                ),
            ),
        );
    }
    Diff {
        schema: SCHEMA.to_owned(),
        generated_at: generated_at.to_owned(),
        before: side(before),
        after: side(after),
        summary,
        namespaces: named_changes(
            before
                .namespaces
                .iter()
                .map(|n| (n.name.clone(), n.monthly_cost)),
            after
                .namespaces
                .iter()
                .map(|n| (n.name.clone(), n.monthly_cost)),
        ),
        node_pools: named_changes(
            before
                .node_pools
                .iter()
                .map(|p| (pool_label(p), p.monthly_cost)),
            after
                .node_pools
                .iter()
                .map(|p| (pool_label(p), p.monthly_cost)),
        ),
        workloads: workload_changes(before, after),
        containers: container_changes(before, after),
        realised: realised(before, after),
        warnings,
    }
}

/// Changes of named figures (namespaces, pools): every name whose cost differs or that is in one
/// report only, by the size of the change.
fn named_changes(
    before: impl Iterator<Item = (String, f64)>,
    after: impl Iterator<Item = (String, f64)>,
) -> Vec<Change> {
    let mut both: BTreeMap<String, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for (n, c) in before {
        let e = both.entry(n).or_default();
        e.0 = Some(e.0.unwrap_or(0.0) + c);
    }
    for (n, c) in after {
        let e = both.entry(n).or_default();
        e.1 = Some(e.1.unwrap_or(0.0) + c);
    }
    let mut out: Vec<Change> = both
        .into_iter()
        .map(|(n, (b, a))| Change::new(n, b, a))
        .filter(|c| c.before.is_none() || c.after.is_none() || c.change != 0.0)
        .collect();
    by_change_size(&mut out, |c| c.change);
    out
}

fn workload_changes(before: &Report, after: &Report) -> Vec<WorkloadChange> {
    let index = |r: &'_ Report| -> BTreeMap<(String, String, String), usize> {
        r.workloads
            .iter()
            .enumerate()
            .map(|(i, w)| ((w.namespace.clone(), w.kind.clone(), w.name.clone()), i))
            .collect()
    };
    let (ib, ia) = (index(before), index(after));
    let keys: BTreeSet<&(String, String, String)> = ib.keys().chain(ia.keys()).collect();
    let mut out = Vec::new();
    for k in keys {
        let b = ib.get(k).map(|&i| &before.workloads[i]);
        let a = ia.get(k).map(|&i| &after.workloads[i]);
        let changed = match (b, a) {
            (Some(b), Some(a)) => {
                b.monthly_cost != a.monthly_cost
                    || b.running_pods != a.running_pods
                    || b.containers
                        .iter()
                        .map(Resources::of)
                        .ne(a.containers.iter().map(Resources::of))
            }
            _ => true,
        };
        if !changed {
            continue;
        }
        let cost_before = b.map(|w| w.monthly_cost);
        let cost_after = a.map(|w| w.monthly_cost);
        out.push(WorkloadChange {
            namespace: k.0.clone(),
            kind: k.1.clone(),
            name: k.2.clone(),
            status: Change::new("", cost_before, cost_after).status().to_owned(),
            pods_before: b.map(|w| w.running_pods),
            pods_after: a.map(|w| w.running_pods),
            cost_before,
            cost_after,
            change: cost_after.unwrap_or(0.0) - cost_before.unwrap_or(0.0),
        });
    }
    by_change_size(&mut out, |w| w.change);
    out
}

fn container_changes(before: &Report, after: &Report) -> Vec<ContainerChange> {
    let later: BTreeMap<Key<'_>, &WorkloadRow> =
        after.workloads.iter().map(|w| (key(w), w)).collect();
    let mut out = Vec::new();
    for b in &before.workloads {
        let Some(a) = later.get(&key(b)) else {
            continue;
        };
        for cb in &b.containers {
            let Some(ca) = a.containers.iter().find(|c| c.name == cb.name) else {
                continue;
            };
            let (rb, ra) = (Resources::of(cb), Resources::of(ca));
            if rb != ra {
                out.push(ContainerChange {
                    namespace: b.namespace.clone(),
                    kind: b.kind.clone(),
                    workload: b.name.clone(),
                    container: cb.name.clone(),
                    before: rb,
                    after: ra,
                });
            }
        }
    }
    out
}

/// The monthly price of one GiB-equivalent of requests (a core counts `r` GiB) for one pod of
/// the workload, averaged over its pods: see the module's documentation. A workload that requests
/// nothing has no cost to divide: then the average GiB rate of its nodes. `None` when neither is
/// known.
fn unit_price(w: &WorkloadRow, ratio: f64, before: &Report) -> Option<f64> {
    let units = w.requests.cpu_cores * ratio + w.requests.memory_bytes as f64 / GIB;
    if w.running_pods == 0 {
        return None;
    }
    if units > 0.0 && units.is_finite() {
        return Some(w.monthly_cost / units);
    }
    let rates: Vec<f64> = before
        .nodes
        .iter()
        .filter(|n| w.nodes.binary_search(&n.name).is_ok())
        .map(|n| n.memory_gib_hourly_rate * before.pricing.hours_per_month)
        .collect();
    (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64)
}

fn near(after: f64, recommended: f64) -> bool {
    (after - recommended).abs() <= TOLERANCE * recommended.abs()
}

fn realised(before: &Report, after: &Report) -> Realised {
    let ratio = before.pricing.cpu_memory_price_ratio;
    let later: BTreeMap<Key<'_>, &WorkloadRow> =
        after.workloads.iter().map(|w| (key(w), w)).collect();
    let mut cells = Vec::new();
    for b in &before.workloads {
        let k = unit_price(b, ratio, before);
        let a = later.get(&key(b));
        for cb in &b.containers {
            let Some(rec) = &cb.recommended else { continue };
            let ca = a.and_then(|a| a.containers.iter().find(|c| c.name == cb.name));
            let pairs = [
                (
                    "cpu",
                    cb.requests.cpu_cores,
                    rec.requests.cpu_cores,
                    ca.and_then(|c| c.requests.cpu_cores),
                    ratio,
                ),
                (
                    "memory",
                    cb.requests.memory_bytes.map(|m| m as f64),
                    rec.requests.memory_bytes.map(|m| m as f64),
                    ca.and_then(|c| c.requests.memory_bytes.map(|m| m as f64)),
                    1.0 / GIB,
                ),
            ];
            for (resource, before_request, recommended, now, weight) in pairs {
                let Some(recommended) = recommended else {
                    continue;
                };
                // An unset request costs nothing, as in the cost model.
                let was = before_request.unwrap_or(0.0);
                // Only recommendations that ask for a change: not `?`, not negative (nothing to
                // apply), not what was already requested.
                if rec
                    .undefined
                    .iter()
                    .any(|u| u == &format!("requests.{resource}"))
                    || recommended < 0.0
                    || before_request == Some(recommended)
                {
                    continue;
                }
                let money =
                    |delta: f64| k.map_or(0.0, |k| b.running_pods as f64 * delta * weight * k);
                let (outcome, monthly_savings) = match (ca, now) {
                    (None, _) => (Outcome::Gone, 0.0),
                    (Some(_), now) if now == before_request => {
                        (Outcome::Open, money(was - recommended))
                    }
                    (Some(_), Some(now)) if near(now, recommended) => {
                        (Outcome::Applied, money(was - now))
                    }
                    (Some(_), _) => (Outcome::ChangedOtherwise, 0.0),
                };
                cells.push(Cell {
                    namespace: b.namespace.clone(),
                    kind: b.kind.clone(),
                    workload: b.name.clone(),
                    container: cb.name.clone(),
                    resource: resource.to_owned(),
                    before: before_request,
                    recommended,
                    after: now,
                    outcome,
                    monthly_savings,
                });
            }
        }
    }
    cells.sort_by(|x, y| {
        (x.outcome != Outcome::Applied)
            .cmp(&(y.outcome != Outcome::Applied))
            .then(y.monthly_savings.abs().total_cmp(&x.monthly_savings.abs()))
    });
    let count = |o: Outcome| cells.iter().filter(|c| c.outcome == o).count();
    let sum = |o: Outcome| {
        cells
            .iter()
            .filter(|c| c.outcome == o)
            .map(|c| c.monthly_savings)
            .sum::<f64>()
    };
    Realised {
        had_recommendations: before.recommendations.is_some()
            || before
                .workloads
                .iter()
                .any(|w| w.containers.iter().any(|c| c.recommended.is_some())),
        cpu_memory_price_ratio: ratio,
        earlier_monthly_savings: before.summary.monthly_savings,
        monthly_savings: sum(Outcome::Applied),
        open_monthly_savings: sum(Outcome::Open),
        applied: count(Outcome::Applied),
        open: count(Outcome::Open),
        changed_otherwise: count(Outcome::ChangedOtherwise),
        gone: count(Outcome::Gone),
        cells,
    }
}
