//! A fleet: several clusters' reports in one (`kube-rightsize/fleet/v1`).
//!
//! Each cluster is analysed where it lives (its own CI job, its own Prometheus and Vantage key)
//! and exported as `kube-rightsize/report/v1` JSON; [`read`] reads those files back (and fleet
//! files, whose reports it takes out again), and [`merge`] puts them side by side. The merged
//! reports are kept whole and unchanged — every per-cluster figure is the report's own — and the
//! fleet level is computed from them only by sums and sorting: totals, one row per cluster, cost
//! by provider and region, the most expensive workloads and the node pools with the most idle
//! cost across the fleet. Reports made with different prices, catalogues or settings still
//! merge, with a warning naming each difference ([`differences`]).
//!
//! The fleet renders in every format a report does ([`render`]): a text summary, JSON, the
//! three CSVs with a leading `cluster` column, and a self-contained HTML page
//! ([`crate::report::html::fleet`]).

pub mod columns;
pub mod read;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{NodePoolRow, Report, Summary};
use crate::diagnostics::Warning;
use crate::format::{fmt_list, percent_of};
use crate::model::Provider;
use crate::pricing::sources::PriceSource;

/// The JSON schema name of [`Fleet`].
pub const SCHEMA: &str = "kube-rightsize/fleet/v1";

/// Workloads in [`Fleet::top_workloads`].
pub const TOP_WORKLOADS: usize = 20;

/// Node pools in [`Fleet::idle_pools`].
pub const IDLE_POOLS: usize = 20;

/// Several clusters' reports and what they add up to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fleet {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// When the fleet was assembled (given by the caller).
    pub generated_at: String,
    /// Σ of the clusters' summaries (counts and money); `nodes`, `pods`, … are fleet totals.
    pub totals: Summary,
    /// One row per cluster, in input order.
    pub clusters: Vec<ClusterRow>,
    /// Cost by provider and region, most expensive first.
    pub locations: Vec<LocationRow>,
    /// The most expensive workloads across the fleet (at most [`TOP_WORKLOADS`]).
    pub top_workloads: Vec<FleetWorkload>,
    /// The node pools with the most idle cost across the fleet (at most [`IDLE_POOLS`]).
    pub idle_pools: Vec<FleetPool>,
    /// What merging found: differences between the reports, renamed clusters, shortened strings.
    pub warnings: Vec<Warning>,
    /// The reports, whole, in input order; each report's `cluster` is its row's name.
    pub reports: Vec<Report>,
}

/// One cluster of a fleet: its report's own figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterRow {
    /// The cluster's name (unique in the fleet).
    pub name: String,
    /// When its report was generated.
    pub generated_at: String,
    /// The oldest price date its report used, `null` when unknown.
    pub prices_as_of: Option<String>,
    /// Its providers, sorted.
    pub providers: Vec<Provider>,
    /// Its nodes' regions, sorted.
    pub regions: Vec<String>,
    /// Where its recommendations come from and their strategy (`krr simple`), `null` without.
    pub recommendations: Option<String>,
    /// Its report's summary, as the report says it.
    pub summary: Summary,
}

/// Cost at one provider and region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationRow {
    /// Provider.
    pub provider: Provider,
    /// Region, `null` for nodes without one.
    pub region: Option<String>,
    /// Clusters with nodes here.
    pub clusters: Vec<String>,
    /// Nodes.
    pub nodes: usize,
    /// Σ node monthly costs.
    pub monthly_cost: f64,
    /// Σ node idle monthly costs.
    pub idle_monthly_cost: f64,
    /// True when any node's price is an estimate.
    pub price_estimate: bool,
}

/// A workload of one cluster, in a fleet-wide list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetWorkload {
    /// The cluster's name.
    pub cluster: String,
    /// Namespace.
    pub namespace: String,
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Pods holding resources.
    pub running_pods: usize,
    /// USD per month.
    pub monthly_cost: f64,
    /// Savings per month after recommendations.
    pub monthly_savings: f64,
    /// True when it rests on an estimated price.
    pub price_estimate: bool,
}

/// A node pool of one cluster, in a fleet-wide list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetPool {
    /// The cluster's name.
    pub cluster: String,
    /// The pool as the report names it (`general`, or `m5.large (no pool label)`).
    pub pool: String,
    /// Provider.
    pub provider: Provider,
    /// Region.
    pub region: Option<String>,
    /// Nodes.
    pub nodes: usize,
    /// USD per month.
    pub monthly_cost: f64,
    /// Idle USD per month.
    pub idle_monthly_cost: f64,
    /// Requested CPU ÷ allocatable CPU, in percent (`null` when nothing is allocatable).
    pub cpu_requested_percent: Option<f64>,
    /// Requested memory ÷ allocatable memory, in percent.
    pub memory_requested_percent: Option<f64>,
    /// The cheapest fitting non-spot shape's saving (0 when none).
    pub best_monthly_savings: f64,
}

/// A report to merge, with the name of the file it came from (for messages, and the cluster's
/// name when the report records none).
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The file's name (`prod.json`).
    pub input: String,
    /// The report.
    pub report: Report,
    /// What reading it found ([`read::read`]), kept in the fleet's warnings.
    pub warnings: Vec<Warning>,
}

/// The cluster name of a report without one: its file's name without the extension.
fn name_from_input(input: &str) -> String {
    let base = input.rsplit(['/', '\\']).next().unwrap_or(input);
    let stem = base
        .strip_suffix(".json")
        .or_else(|| base.strip_suffix(".JSON"))
        .unwrap_or(base)
        .trim();
    if stem.is_empty() || matches!(stem, "-" | "<stdin>" | "paste") {
        "cluster".to_owned()
    } else {
        crate::limits::cap(stem).into_owned()
    }
}

/// Merges `members` into a fleet assembled at `generated_at`. Never fails: an empty list gives an
/// empty fleet. Each report's `cluster` is set to its unique name in the fleet: its own, else its
/// file's; a name already taken gets ` (2)`, ` (3)`, … and a warning.
pub fn merge(members: Vec<Member>, generated_at: &str) -> Fleet {
    let mut warnings = Vec::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut reports = Vec::with_capacity(members.len());
    let mut inputs = Vec::with_capacity(members.len());
    for Member {
        input,
        mut report,
        warnings: read,
    } in members
    {
        warnings.extend(read);
        let wanted = report
            .cluster
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| name_from_input(&input));
        let mut name = wanted.clone();
        let mut n = 1;
        while taken.contains(&name) {
            n += 1;
            name = format!("{wanted} ({n})");
        }
        if n > 1 {
            warnings.push(Warning::new(
                "merge_duplicate_cluster",
                "",
                format!(
                    "{input} is another report of cluster {wanted}: it is shown as {name}. To see \
                     what changed between two reports of one cluster, compare them instead."
                ),
            ));
        }
        taken.insert(name.clone());
        report.cluster = Some(name);
        reports.push(report);
        inputs.push(input);
    }
    warnings.extend(differences(&reports));
    Fleet {
        schema: SCHEMA.to_owned(),
        generated_at: generated_at.to_owned(),
        totals: totals(&reports),
        clusters: reports.iter().map(cluster_row).collect(),
        locations: locations(&reports),
        top_workloads: top_workloads(&reports),
        idle_pools: idle_pools(&reports),
        warnings,
        reports,
    }
}

/// One table's rows of every cluster, each with its report, most expensive first (ties in
/// report and row order): the fleet page's and the app's merged tables with a Cluster column.
pub fn rows_of<'a, R>(
    fleet: &'a Fleet,
    rows: fn(&'a Report) -> &'a [R],
    cost: fn(&R) -> f64,
) -> Vec<(&'a Report, &'a R)> {
    let mut all: Vec<(&Report, &R)> = fleet
        .reports
        .iter()
        .flat_map(|r| rows(r).iter().map(move |row| (r, row)))
        .collect();
    all.sort_by(|a, b| {
        cost(b.1)
            .partial_cmp(&cost(a.1))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    all
}

/// A report's cluster name, `cluster` when it records none.
pub fn name_of(r: &Report) -> &str {
    r.cluster.as_deref().unwrap_or("cluster")
}

fn cluster_row(r: &Report) -> ClusterRow {
    let providers: BTreeSet<Provider> = r.nodes.iter().map(|n| n.provider).collect();
    let regions: BTreeSet<&String> = r.nodes.iter().filter_map(|n| n.region.as_ref()).collect();
    ClusterRow {
        name: name_of(r).to_owned(),
        generated_at: r.generated_at.clone(),
        prices_as_of: r.pricing.as_of.clone(),
        providers: providers.into_iter().collect(),
        regions: regions.into_iter().cloned().collect(),
        recommendations: r
            .recommendations
            .as_ref()
            .map(|i| format!("{} {}", i.source.as_str(), i.strategy)),
        summary: r.summary.clone(),
    }
}

/// Σ of the reports' summaries.
pub fn totals(reports: &[Report]) -> Summary {
    let mut t = Summary {
        bill_monthly_cost: Some(0.0),
        ..Summary::default()
    };
    for r in reports {
        let s = &r.summary;
        t.nodes = t.nodes.saturating_add(s.nodes);
        t.pods = t.pods.saturating_add(s.pods);
        t.workloads = t.workloads.saturating_add(s.workloads);
        t.namespaces = t.namespaces.saturating_add(s.namespaces);
        t.monthly_cost += s.monthly_cost;
        t.allocated_monthly_cost += s.allocated_monthly_cost;
        t.idle_monthly_cost += s.idle_monthly_cost;
        t.recommended_monthly_cost += s.recommended_monthly_cost;
        t.monthly_savings += s.monthly_savings;
        t.hourly_cost += s.hourly_cost;
        t.estimated_nodes = t.estimated_nodes.saturating_add(s.estimated_nodes);
        t.gpus = t.gpus.saturating_add(s.gpus);
        t.requested_gpus = t.requested_gpus.saturating_add(s.requested_gpus);
        t.gpu_monthly_cost += s.gpu_monthly_cost;
        t.idle_gpu_monthly_cost += s.idle_gpu_monthly_cost;
        t.storage_monthly_cost += s.storage_monthly_cost;
        t.idle_storage_monthly_cost += s.idle_storage_monthly_cost;
        t.load_balancer_monthly_cost += s.load_balancer_monthly_cost;
        t.control_plane_monthly_cost += s.control_plane_monthly_cost;
        // A report made before the bill existed counts its nodes only.
        t.bill_monthly_cost = t
            .bill_monthly_cost
            .map(|b| b + s.bill_monthly_cost.unwrap_or(s.monthly_cost));
    }
    // List prices, when any report has discounts: the others' prices are list prices.
    let list = |f: fn(&Summary) -> Option<f64>, net: fn(&Summary) -> f64| {
        reports.iter().any(|r| f(&r.summary).is_some()).then(|| {
            reports
                .iter()
                .map(|r| f(&r.summary).unwrap_or_else(|| net(&r.summary)))
                .sum()
        })
    };
    t.list_monthly_cost = list(|s| s.list_monthly_cost, |s| s.monthly_cost);
    t.list_bill_monthly_cost = list(
        |s| s.list_bill_monthly_cost,
        |s| s.bill_monthly_cost.unwrap_or(s.monthly_cost),
    );
    t
}

fn locations(reports: &[Report]) -> Vec<LocationRow> {
    let mut by: BTreeMap<(Provider, Option<String>), LocationRow> = BTreeMap::new();
    for r in reports {
        for n in &r.nodes {
            let row = by
                .entry((n.provider, n.region.clone()))
                .or_insert_with(|| LocationRow {
                    provider: n.provider,
                    region: n.region.clone(),
                    clusters: Vec::new(),
                    nodes: 0,
                    monthly_cost: 0.0,
                    idle_monthly_cost: 0.0,
                    price_estimate: false,
                });
            let name = name_of(r);
            if row.clusters.last().map(String::as_str) != Some(name) {
                row.clusters.push(name.to_owned());
            }
            row.nodes = row.nodes.saturating_add(1);
            row.monthly_cost += n.monthly_cost;
            row.idle_monthly_cost += n.idle_monthly_cost;
            row.price_estimate |= n.price_estimate;
        }
    }
    let mut rows: Vec<LocationRow> = by.into_values().collect();
    rows.sort_by(|a, b| super::desc(a.monthly_cost, b.monthly_cost));
    rows
}

fn top_workloads(reports: &[Report]) -> Vec<FleetWorkload> {
    let mut all: Vec<FleetWorkload> = reports
        .iter()
        .flat_map(|r| {
            // Each report lists its workloads most expensive first: its first few suffice.
            r.workloads
                .iter()
                .take(TOP_WORKLOADS)
                .map(|w| FleetWorkload {
                    cluster: name_of(r).to_owned(),
                    namespace: w.namespace.clone(),
                    kind: w.kind.clone(),
                    name: w.name.clone(),
                    running_pods: w.running_pods,
                    monthly_cost: w.monthly_cost,
                    monthly_savings: w.monthly_savings,
                    price_estimate: w.price_estimate,
                })
        })
        .collect();
    all.sort_by(|a, b| super::desc(a.monthly_cost, b.monthly_cost));
    all.truncate(TOP_WORKLOADS);
    all
}

fn fleet_pool(cluster: &str, p: &NodePoolRow) -> FleetPool {
    FleetPool {
        cluster: cluster.to_owned(),
        pool: super::columns::pool_label(p),
        provider: p.provider,
        region: p.region.clone(),
        nodes: p.nodes.len(),
        monthly_cost: p.monthly_cost,
        idle_monthly_cost: p.idle_monthly_cost,
        cpu_requested_percent: percent_of(p.requested.cpu_cores, p.allocatable.cpu_cores),
        memory_requested_percent: percent_of(
            p.requested.memory_bytes as f64,
            p.allocatable.memory_bytes as f64,
        ),
        best_monthly_savings: p.best_monthly_savings,
    }
}

fn idle_pools(reports: &[Report]) -> Vec<FleetPool> {
    let mut all: Vec<FleetPool> = reports
        .iter()
        .flat_map(|r| r.node_pools.iter().map(|p| fleet_pool(name_of(r), p)))
        .filter(|p| p.idle_monthly_cost > 0.0)
        .collect();
    all.sort_by(|a, b| super::desc(a.idle_monthly_cost, b.idle_monthly_cost));
    all.truncate(IDLE_POOLS);
    all
}

/// One thing the reports may disagree on: its warning code, what it is for people, and its value
/// in one report for one provider (`None`: the report does not say). Aspects that are not about
/// a provider's prices ignore the provider.
struct Aspect {
    code: &'static str,
    what: &'static str,
    per_provider: bool,
    value: fn(&Report, Provider) -> Option<String>,
}

/// `key=value, …` of a JSON object (a strategy's settings), for people.
fn compact(settings: &impl Serialize) -> String {
    match serde_json::to_value(settings) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}

const ASPECTS: &[Aspect] = &[
    Aspect {
        code: "merge_prices_differ",
        what: "price sources",
        per_provider: true,
        value: |r, provider| {
            let sources: BTreeSet<String> = r
                .pricing
                .sources
                .iter()
                // Fallback rates are cost settings, compared below.
                .filter(|s| s.provider == provider && s.source != PriceSource::Fallback)
                .map(|s| match &s.as_of {
                    Some(d) => format!("{} as of {d}", s.description),
                    None => format!("{}, date unknown", s.description),
                })
                .collect();
            (!sources.is_empty()).then(|| Vec::from_iter(sources).join(" + "))
        },
    },
    Aspect {
        code: "merge_cost_settings_differ",
        what: "cost settings",
        per_provider: false,
        value: |r, _| {
            let p = &r.pricing;
            Some(
                format!(
                    "{}, CPU:memory price ratio {}, {} hours a month{}",
                    super::fallback_words(&p.fallback_rates),
                    crate::format::trim_decimal(p.cpu_memory_price_ratio, 4),
                    crate::format::trim_decimal(p.hours_per_month, 2),
                    p.assume_spot_discount
                        .map(|d| format!(
                            ", assumed spot discount {}",
                            crate::format::trim_decimal(d, 4)
                        ))
                        .unwrap_or_default()
                ) + &if p.discounts.is_empty() {
                    String::new()
                } else {
                    format!(", discounts: {}", p.discounts.join("; "))
                },
            )
        },
    },
    Aspect {
        code: "merge_recommendations_differ",
        what: "recommendations (savings are 0 where there are none)",
        per_provider: false,
        value: |r, _| {
            Some(match &r.recommendations {
                None => "none".to_owned(),
                Some(i) => format!("{} {}", i.source.as_str(), i.strategy),
            })
        },
    },
    Aspect {
        code: "merge_strategy_settings_differ",
        what: "strategy settings",
        per_provider: false,
        value: |r, _| r.recommendations.as_ref().map(|i| compact(&i.settings)),
    },
    Aspect {
        code: "merge_patch_settings_differ",
        what: "patch checks",
        per_provider: false,
        value: |r, _| {
            r.patches.as_ref().map(|p| {
                format!(
                    "CPU drop factor {}",
                    crate::format::trim_decimal(p.settings.cpu_drop_factor, 4)
                )
            })
        },
    },
];

/// A warning for each aspect ([`ASPECTS`]: each provider's price sources and their dates, cost
/// settings, recommendations, strategy settings, patch checks) on which the reports that state
/// it disagree, naming each value and its clusters.
pub fn differences(reports: &[Report]) -> Vec<Warning> {
    let providers: BTreeSet<Provider> = reports
        .iter()
        .flat_map(|r| r.pricing.sources.iter().map(|s| s.provider))
        .collect();
    let mut out = Vec::new();
    for aspect in ASPECTS {
        let scopes: Vec<Option<Provider>> = if aspect.per_provider {
            providers.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        for scope in scopes {
            let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for r in reports {
                if let Some(v) = (aspect.value)(r, scope.unwrap_or(Provider::Unknown)) {
                    values.entry(v).or_default().push(name_of(r).to_owned());
                }
            }
            if values.len() < 2 {
                continue;
            }
            let parts: Vec<String> = values
                .iter()
                .map(|(v, clusters)| format!("{v} ({})", fmt_list(clusters, 6)))
                .collect();
            let what = match scope {
                Some(p) => format!("{} for {} nodes", aspect.what, p.as_str()),
                None => aspect.what.to_owned(),
            };
            out.push(Warning::new(
                aspect.code,
                "",
                format!(
                    "The reports differ in {what}: {}. Their figures were merged as they are; \
                     compare them with care.",
                    parts.join("; ")
                ),
            ));
        }
    }
    out
}

impl Fleet {
    /// The fleet with every report anonymised with `key` ([`Report::anonymised`]) and every
    /// cluster name a keyed pseudonym; the fleet level is computed again from them.
    pub fn anonymised(&self, key: &[u8]) -> Fleet {
        let members = self
            .reports
            .iter()
            .map(|r| {
                let mut a = r.anonymised(key);
                a.cluster = Some(super::anonymise::pseudonym(key, "cluster", name_of(r)));
                Member {
                    input: String::new(),
                    report: a,
                    warnings: Vec::new(),
                }
            })
            .collect();
        let mut fleet = merge(members, &self.generated_at);
        // What reading found is about the inputs, not the names: keep it.
        let read: Vec<Warning> = self
            .warnings
            .iter()
            .filter(|w| w.code == read::SHORTENED)
            .cloned()
            .collect();
        fleet.warnings.splice(0..0, read);
        fleet
    }
}
