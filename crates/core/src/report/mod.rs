//! The report model: what the analysis found, as plain data that serialises to the stable
//! `kube-rightsize/report/v1` JSON ([`json`]) and renders as CSV ([`csv`]) and a terminal table
//! ([`table`]).
//!
//! Field names of [`Report`] and everything in it are a stable contract: fields may be added,
//! never renamed. Money is USD as `f64`, unrounded; unset values serialise as `null`.
//!
//! The GPU fields (`gpus`, `gpu_hourly_rate`, `idle_gpu_monthly_cost`, `price_split`, ...) are
//! left out when they are zero or unset, so the report of a cluster without GPUs is what it was
//! before they existed; they read back as zero (`#[serde(default)]`).

pub mod anonymise;
pub mod bill;
pub mod columns;
pub mod csv;
pub mod diff;
pub mod export;
pub mod fleet;
pub mod focus;
pub mod html;
pub mod json;
pub mod recommendations;
pub mod recommendations_text;
pub mod suggestions;
pub mod table;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::cluster::Cluster;
pub use crate::cost::Amount;
use crate::cost::{CostModel, HOURS_PER_MONTH, NodeCost, PriceSplit, WorkloadCost};
use crate::diagnostics::Warning;
use crate::format::{percent_of, trim_decimal};
use crate::model::{CapacityType, Provider};
use crate::pods::Container;
use crate::pods::ResourceSpec;
use crate::pricing::rates::{self, Rates};
use crate::pricing::sources::PriceSource;
use crate::workloads::Workload;

/// The JSON schema name of [`Report`].
pub const SCHEMA: &str = "kube-rightsize/report/v1";

/// CPU and memory amounts that may be unset (`null`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OptionalAmount {
    /// CPU in cores, or `null` when not set.
    pub cpu_cores: Option<f64>,
    /// Memory in bytes, or `null` when not set.
    pub memory_bytes: Option<i64>,
}

impl From<&ResourceSpec> for OptionalAmount {
    fn from(s: &ResourceSpec) -> OptionalAmount {
        OptionalAmount {
            cpu_cores: s.cpu_millis.map(|m| m as f64 / 1000.0),
            memory_bytes: s.memory_bytes,
        }
    }
}

/// `fallback rates $0.031611/core-h and $0.004237/GiB-h`, with ` (set by the user)` when they are not
/// OpenCost's defaults.
pub fn fallback_words(rates: &Rates) -> String {
    format!(
        "fallback rates ${}/core-h and ${}/GiB-h{}",
        trim_decimal(rates.cpu_core_hourly, 6),
        trim_decimal(rates.memory_gib_hourly, 6),
        if *rates == Rates::FALLBACK {
            ""
        } else {
            " (set by the user)"
        }
    )
}

/// One price source as used by this report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceUse {
    /// `manual`, `vantage`, `file`, `embedded` or `fallback`.
    pub source: PriceSource,
    /// The provider of the nodes it priced.
    pub provider: Provider,
    /// The source for people (`the embedded catalogue`, `price file prices.csv`, ...).
    pub description: String,
    /// When its prices were current, `null` when unknown.
    pub as_of: Option<String>,
    /// Nodes it priced.
    pub nodes: usize,
    /// Instance types it priced, sorted.
    pub instance_types: Vec<String>,
    /// True when its prices are estimates (fallback rates, assumed spot discounts).
    pub estimate: bool,
}

impl SourceUse {
    /// `as of 2026-07-20 from the embedded catalogue (aws: 3 nodes)` and similar.
    pub fn describe(&self) -> String {
        let nodes = if self.nodes == 1 {
            "1 node".to_owned()
        } else {
            format!("{} nodes", self.nodes)
        };
        let estimate = if self.estimate { ", estimated" } else { "" };
        match (self.source, &self.as_of) {
            (PriceSource::Fallback, _) => format!(
                "{} ({}: {nodes}, estimated)",
                self.description,
                self.provider.as_str()
            ),
            (PriceSource::Manual, _) => {
                format!(
                    "manual prices ({}: {nodes}{estimate})",
                    self.provider.as_str()
                )
            }
            (_, Some(as_of)) => format!(
                "as of {as_of} from {} ({}: {nodes}{estimate})",
                self.description,
                self.provider.as_str()
            ),
            (_, None) => format!(
                "from {}, date unknown ({}: {nodes}{estimate})",
                self.description,
                self.provider.as_str()
            ),
        }
    }
}

/// Where the prices came from and the constants of the cost model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricingInfo {
    /// The sources actually used, by priority then provider.
    pub sources: Vec<SourceUse>,
    /// The oldest as-of date among the sources used, `null` when none has one.
    pub as_of: Option<String>,
    /// Hours in a month (730).
    pub hours_per_month: f64,
    /// One line for people: `prices as of 2026-07-20 from the embedded catalogue (aws: 3 nodes);
    /// ...`.
    pub summary: String,
    /// The rates used for nodes without a price.
    pub fallback_rates: Rates,
    /// The CPU:memory price ratio used to split node prices.
    pub cpu_memory_price_ratio: f64,
    /// The assumed spot discount, when set.
    pub assume_spot_discount: Option<f64>,
    /// The user's discounts off list prices, one line each ([`crate::pricing::discounts`]);
    /// absent when none: every price is a list price.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<String>,
    /// The flat discount per provider among them (a fraction), for exports that need list
    /// prices of disks, load balancers and the control plane; absent when none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub flat_discounts: BTreeMap<Provider, f64>,
}

/// Totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Nodes.
    pub nodes: usize,
    /// Pods.
    pub pods: usize,
    /// Workloads.
    pub workloads: usize,
    /// Namespaces with pods.
    pub namespaces: usize,
    /// Σ node monthly costs.
    pub monthly_cost: f64,
    /// Σ pod monthly costs (what requests pay for).
    pub allocated_monthly_cost: f64,
    /// Σ node idle monthly costs.
    pub idle_monthly_cost: f64,
    /// Monthly cost after recommendations (equal to `monthly_cost` until recommendations
    /// exist).
    pub recommended_monthly_cost: f64,
    /// `monthly_cost − recommended_monthly_cost`.
    pub monthly_savings: f64,
    /// Σ node hourly prices.
    pub hourly_cost: f64,
    /// Nodes whose price is an estimate.
    pub estimated_nodes: usize,
    /// GPUs pods can request, Σ over the nodes (absent, 0, without GPUs).
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub gpus: i64,
    /// Σ GPUs requested by pods holding resources.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub requested_gpus: i64,
    /// Σ the GPUs' share of the node prices, per month.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub gpu_monthly_cost: f64,
    /// Σ node idle GPU costs per month: the GPU part of `idle_monthly_cost`.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub idle_gpu_monthly_cost: f64,
    /// Σ persistent volumes per month (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub storage_monthly_cost: f64,
    /// Σ volumes bound to no claim per month: the idle part of `storage_monthly_cost`.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub idle_storage_monthly_cost: f64,
    /// Σ load balancers per month (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub load_balancer_monthly_cost: f64,
    /// The managed control plane's fee per month (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub control_plane_monthly_cost: f64,
    /// The cluster's bill per month: `monthly_cost` (nodes) + storage + load balancers +
    /// control plane. `null` in reports made before it existed.
    #[serde(default)]
    pub bill_monthly_cost: Option<f64>,
    /// Σ node monthly costs at list price, when discounts made `monthly_cost` lower (absent
    /// otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_monthly_cost: Option<f64>,
    /// The whole bill at list price, when discounts made `bill_monthly_cost` lower (absent
    /// otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_bill_monthly_cost: Option<f64>,
}

/// For `skip_serializing_if`: zero (the GPU fields of a cluster without GPUs).
fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

/// For `skip_serializing_if`: exactly zero.
fn is_zero_f64(v: &f64) -> bool {
    *v == 0.0
}

/// One node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeRow {
    /// Name.
    pub name: String,
    /// Provider.
    pub provider: Provider,
    /// Instance type.
    pub instance_type: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Zone.
    pub zone: Option<String>,
    /// `on_demand`, `spot`, `reserved` or `unknown`.
    pub capacity_type: CapacityType,
    /// Node pool.
    pub pool: Option<String>,
    /// CPU architecture.
    pub arch: Option<String>,
    /// Allocatable CPU and memory.
    pub allocatable: Amount,
    /// Σ effective requests of the pods holding resources on it.
    pub requested: Amount,
    /// USD per hour.
    pub hourly_price: f64,
    /// `manual`, `vantage`, `file`, `embedded` or `fallback`.
    pub price_source: PriceSource,
    /// When the price was current, if known.
    pub price_as_of: Option<String>,
    /// The capacity type whose price was used.
    pub priced_as: CapacityType,
    /// True when the price is an estimate.
    pub price_estimate: bool,
    /// USD per core-hour.
    pub cpu_core_hourly_rate: f64,
    /// USD per GiB-hour.
    pub memory_gib_hourly_rate: f64,
    /// USD per month.
    pub monthly_cost: f64,
    /// Σ monthly costs of its pods.
    pub allocated_monthly_cost: f64,
    /// max(0, monthly cost − allocated).
    pub idle_monthly_cost: f64,
    /// Pods holding resources on it.
    pub pods: usize,
    /// True when its pods cost more than the node.
    pub overcommitted: bool,
    /// How the cost was computed.
    pub explanation: String,
    /// GPUs pods can request (`nvidia.com/gpu` + `amd.com/gpu`; time-sliced replicas count one
    /// each); absent without GPUs.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub gpus: i64,
    /// Physical GPUs the price split counted.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub physical_gpus: i64,
    /// `nvidia.com/gpu.replicas` when time-sliced (more than 1).
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub gpu_replicas: i64,
    /// True when its GPUs are split into MIG slices, which are not priced.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gpu_mig: bool,
    /// USD per hour of one requested GPU (per replica when time-sliced; 0 for MIG slices).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub gpu_hourly_rate: f64,
    /// USD per physical GPU-hour from the split.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub physical_gpu_hourly_rate: f64,
    /// Σ GPUs requested by its pods.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub requested_gpus: i64,
    /// The GPUs' share of its price per month.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub gpu_monthly_cost: f64,
    /// The GPU part of `idle_monthly_cost`: min(idle, GPU share − what pods pay for GPUs).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub idle_gpu_monthly_cost: f64,
    /// How its price was split: `gpu_cpu_memory` (OpenCost's weights), `gpu_price` (the
    /// source's GPU price, the rest over CPU and memory), `attached_gpus` (GPUs not in the
    /// instance type's price), or `fallback` for an unpriced node with GPUs; absent (`null`)
    /// for nodes without GPUs, whose split is as it always was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_split: Option<PriceSplit>,
    /// USD per hour at list price, when discounts made `hourly_price` lower (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_hourly_price: Option<f64>,
}

impl NodeRow {
    /// Requested CPU as a percentage of allocatable CPU; `None` when nothing is allocatable.
    pub fn cpu_requested_percent(&self) -> Option<f64> {
        percent_of(self.requested.cpu_cores, self.allocatable.cpu_cores)
    }

    /// Requested memory as a percentage of allocatable memory; `None` when nothing is
    /// allocatable.
    pub fn memory_requested_percent(&self) -> Option<f64> {
        percent_of(
            self.requested.memory_bytes as f64,
            self.allocatable.memory_bytes as f64,
        )
    }
}

/// One node pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodePoolRow {
    /// Pool label value; `null` for nodes without one (grouped by instance type).
    pub name: Option<String>,
    /// Provider.
    pub provider: Provider,
    /// Region.
    pub region: Option<String>,
    /// Distinct instance types.
    pub instance_types: Vec<String>,
    /// The common capacity type, `null` when the nodes differ.
    pub capacity_type: Option<CapacityType>,
    /// Node names, sorted.
    pub nodes: Vec<String>,
    /// USD per month.
    pub monthly_cost: f64,
    /// Idle USD per month.
    pub idle_monthly_cost: f64,
    /// Σ requests on its nodes.
    pub requested: Amount,
    /// Σ allocatable.
    pub allocatable: Amount,
    /// True when any node's price is an estimate.
    pub price_estimate: bool,
    /// Distinct zones of its nodes, sorted ([`crate::suggest`]).
    pub zones: Vec<String>,
    /// The minimum node count its suggestions keep.
    pub min_nodes: usize,
    /// What its pods need (requests, DaemonSets per node, largest pod); `null` until computed.
    pub demand: Option<crate::suggest::PoolDemandRow>,
    /// Cheaper shapes (`reshape`, cheapest first), the same type with fewer nodes, and spot.
    pub suggestions: Vec<crate::suggest::NodeSuggestion>,
    /// Why there are no suggestions (no catalogue, no price, kind/minikube, ...).
    pub suggestions_reason: Option<String>,
    /// The saving of the cheapest non-spot suggestion (0 when none saves).
    pub best_monthly_savings: f64,
    /// What running the pool on spot would save (on-demand pools).
    pub spot: Option<crate::suggest::SpotInfo>,
    /// What the suggestions assume.
    pub assumptions: Vec<String>,
}

/// A recommendation for one container (filled by [`crate::recommend`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerRecommendation {
    /// Recommended requests.
    pub requests: OptionalAmount,
    /// Recommended limits.
    pub limits: OptionalAmount,
    /// Where the recommendation came from.
    pub source: String,
    /// More about it (KRR's info, why it is low-confidence).
    pub info: Option<String>,
    /// True when it comes from a single usage sample (`kubectl top`, the metrics API).
    pub low_confidence: bool,
    /// KRR's severity of the container row (`GOOD`, `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`).
    pub severity: Option<String>,
    /// Cells whose recommendation is undefined (KRR's `?`): `requests.cpu`, `limits.memory`, ...
    pub undefined: Vec<String>,
    /// KRR's severity of each cell (`UNKNOWN` for a `?` cell), as in KRR's JSON
    /// (`recommended.requests.cpu.severity`, ...); `null` in reports made before it existed.
    #[serde(default)]
    pub severities: Option<CellSeverities>,
}

/// KRR's severities of the four cells of a container recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellSeverities {
    /// The requests' cells.
    pub requests: SeverityPair,
    /// The limits' cells.
    pub limits: SeverityPair,
}

/// KRR's severities (`GOOD`, `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`) of a CPU and a memory cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityPair {
    /// CPU.
    pub cpu: String,
    /// Memory.
    pub memory: String,
}

/// One container of a workload (from its representative pod).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerRow {
    /// Container name.
    pub name: String,
    /// Requests (after defaulting to limits).
    pub requests: OptionalAmount,
    /// Limits.
    pub limits: OptionalAmount,
    /// True for a native sidecar (init container with `restartPolicy: Always`).
    pub sidecar: bool,
    /// The recommendation, `null` until recommendations exist.
    pub recommended: Option<ContainerRecommendation>,
}

/// One workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadRow {
    /// Namespace.
    pub namespace: String,
    /// Kind (`Deployment`, `StatefulSet`, `Pod`, ...).
    pub kind: String,
    /// Name.
    pub name: String,
    /// Pods of the workload in the input (all phases).
    pub pods: usize,
    /// Pods holding resources (scheduled, not finished).
    pub running_pods: usize,
    /// Names of the nodes its pods run on, sorted.
    pub nodes: Vec<String>,
    /// Instance types of those nodes, sorted.
    pub instance_types: Vec<String>,
    /// Σ effective requests of its pods holding resources.
    pub requests: Amount,
    /// USD per month.
    pub monthly_cost: f64,
    /// USD per month after recommendations.
    pub recommended_monthly_cost: f64,
    /// `monthly_cost − recommended_monthly_cost`.
    pub monthly_savings: f64,
    /// How urgent the recommendation is, `null` until recommendations exist.
    pub severity: Option<String>,
    /// True when some running pods request no CPU or memory.
    pub no_requests: bool,
    /// True when any of its nodes' prices is an estimate.
    pub price_estimate: bool,
    /// Price sources of its nodes (`embedded as of 2026-07-20`), sorted.
    pub price_sources: Vec<String>,
    /// Containers of its representative pod (the first running one).
    pub containers: Vec<ContainerRow>,
    /// Σ GPUs requested by its pods holding resources (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub gpus: i64,
    /// The GPU part of `monthly_cost` (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub gpu_monthly_cost: f64,
    /// Its persistent volumes per month, shared evenly between the workloads that mount
    /// each (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub storage_monthly_cost: f64,
    /// Its load balancers per month, shared evenly between the workloads each selects
    /// (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub load_balancer_monthly_cost: f64,
    /// `monthly_cost` at list price, when discounts made it lower (absent otherwise): each
    /// pod's cost × its node's list ÷ net price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_monthly_cost: Option<f64>,
}

/// One namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamespaceRow {
    /// Name.
    pub name: String,
    /// Pods (all phases).
    pub pods: usize,
    /// Workloads.
    pub workloads: usize,
    /// USD per month.
    pub monthly_cost: f64,
    /// USD per month after recommendations.
    pub recommended_monthly_cost: f64,
    /// Savings per month.
    pub monthly_savings: f64,
    /// True when any pod's node price is an estimate.
    pub price_estimate: bool,
    /// Its persistent volumes per month, shared evenly between the workloads that mount
    /// each (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub storage_monthly_cost: f64,
    /// Its load balancers per month, shared evenly between the workloads each selects
    /// (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub load_balancer_monthly_cost: f64,
}

/// The machine-readable report (`kube-rightsize/report/v1`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The cluster's name, as the export recorded it ([`export::cluster_name`]): the name given
    /// (`--cluster-name`, the app's field), else one from the first input's file name; a
    /// pseudonym in anonymised exports. `null` in reports made before it existed.
    #[serde(default)]
    pub cluster: Option<String>,
    /// When the report was generated (given by the caller; the core has no clock).
    pub generated_at: String,
    /// Price sources and model constants.
    pub pricing: PricingInfo,
    /// Totals.
    pub summary: Summary,
    /// Nodes, by name.
    pub nodes: Vec<NodeRow>,
    /// Node pools, by provider, region and name.
    pub node_pools: Vec<NodePoolRow>,
    /// Cluster totals of the node shape suggestions ([`crate::suggest`]).
    pub node_recommendations: crate::suggest::NodeRecommendations,
    /// Workloads, by monthly cost descending.
    pub workloads: Vec<WorkloadRow>,
    /// Namespaces, by monthly cost descending.
    pub namespaces: Vec<NamespaceRow>,
    /// Ingest and pricing warnings.
    pub warnings: Vec<Warning>,
    /// Where the recommendations come from, their strategy, KRR score and what matched nothing;
    /// `null` without recommendations ([`crate::recommend`]).
    pub recommendations: Option<crate::recommend::RecommendationsInfo>,
    /// Ready-to-apply patches of the recommendations, with their risks ([`crate::patch`]);
    /// `null` without recommendations, in anonymised reports and in reports made before it
    /// existed.
    #[serde(default)]
    pub patches: Option<crate::patch::Patches>,
    /// Persistent volumes priced ([`crate::bill`]); absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<crate::bill::VolumeCost>,
    /// Services of type LoadBalancer priced; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<crate::bill::LoadBalancerCost>,
    /// The managed control plane's fee; absent when none is priced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane: Option<crate::bill::control::ControlPlaneCost>,
    /// What the bill leaves out, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bill_notes: Vec<String>,
    /// The re-packing: one figure for right-sizing plus cheaper nodes, per pool plans, the
    /// nodes that could be drained today ([`crate::repack`]); `null` in reports made before it
    /// existed.
    #[serde(default)]
    pub repack: Option<crate::repack::Repack>,
    /// Costs by label (showback, [`crate::allocation`]): absent unless keys to group by were
    /// chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<crate::allocation::Allocation>,
}

fn container_row(c: &Container) -> ContainerRow {
    ContainerRow {
        name: c.name.clone(),
        requests: OptionalAmount::from(&c.requests),
        limits: OptionalAmount::from(&c.limits),
        sidecar: c.sidecar,
        recommended: None,
    }
}

fn source_label(source: PriceSource, as_of: Option<&str>) -> String {
    match as_of {
        Some(d) => format!("{} as of {d}", source.as_str()),
        None => source.as_str().to_owned(),
    }
}

/// Money comparisons for sorting: descending, NaN last.
fn desc(a: f64, b: f64) -> std::cmp::Ordering {
    b.partial_cmp(&a).unwrap_or(std::cmp::Ordering::Equal)
}

impl Report {
    /// Builds the report of `cluster` priced as `costs`; `warnings` are all warnings (ingest's and
    /// pricing's); `assume_spot_discount` is echoed in [`PricingInfo`].
    pub fn build(
        cluster: &Cluster,
        costs: &CostModel,
        warnings: &[Warning],
        generated_at: &str,
        assume_spot_discount: Option<f64>,
    ) -> Report {
        Report {
            schema: SCHEMA.to_owned(),
            cluster: None,
            generated_at: generated_at.to_owned(),
            pricing: pricing_info(cluster, costs, assume_spot_discount),
            summary: summary(cluster, costs),
            nodes: node_rows(cluster, costs),
            node_pools: pool_rows(cluster, costs),
            node_recommendations: crate::suggest::NodeRecommendations::default(),
            workloads: workload_rows(cluster, costs),
            namespaces: namespace_rows(costs),
            warnings: warnings.to_vec(),
            recommendations: None,
            patches: None,
            volumes: Vec::new(),
            load_balancers: Vec::new(),
            control_plane: None,
            bill_notes: Vec::new(),
            repack: None,
            allocation: None,
        }
    }
}

/// The report's nodes, by name.
fn node_rows(cluster: &Cluster, costs: &CostModel) -> Vec<NodeRow> {
    let mut nodes: Vec<NodeRow> = cluster
        .nodes
        .iter()
        .zip(&costs.nodes)
        .map(|(n, c)| NodeRow {
            name: n.name.clone(),
            provider: n.provider,
            instance_type: n.instance_type.clone(),
            region: n.region.clone(),
            zone: n.zone.clone(),
            capacity_type: n.capacity_type,
            pool: n.node_pool.clone(),
            arch: n.arch.clone(),
            allocatable: c.allocatable.into(),
            requested: c.requested.into(),
            hourly_price: c.hourly_price,
            price_source: c.price.source,
            price_as_of: c.price.as_of.clone(),
            priced_as: c.price.priced_as,
            price_estimate: c.estimate,
            cpu_core_hourly_rate: c.rates.cpu_core_hourly,
            memory_gib_hourly_rate: c.rates.memory_gib_hourly,
            monthly_cost: c.monthly_cost(),
            allocated_monthly_cost: c.allocated_monthly_cost(),
            idle_monthly_cost: c.idle_monthly_cost(),
            pods: c.pods.len(),
            overcommitted: c.overcommitted,
            explanation: c.explanation.clone(),
            gpus: c.gpu.requestable,
            physical_gpus: c.gpu.physical,
            gpu_replicas: if c.gpu.replicas > 1 && c.gpu.physical > 0 {
                c.gpu.replicas
            } else {
                0
            },
            gpu_mig: c.gpu.mig,
            gpu_hourly_rate: c.gpu.unit_hourly,
            physical_gpu_hourly_rate: c.gpu.physical_hourly,
            requested_gpus: c.gpu.requested,
            gpu_monthly_cost: c.gpu_monthly_cost(),
            idle_gpu_monthly_cost: c.idle_gpu_monthly_cost(),
            price_split: (c.gpu.physical > 0).then_some(c.price_split),
            list_hourly_price: c.list_hourly(),
        })
        .collect();
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    nodes
}

/// The price sources used (one per source, provider, description and date, with their nodes
/// and instance types), the oldest date among them and the one-line summary.
fn pricing_info(
    cluster: &Cluster,
    costs: &CostModel,
    assume_spot_discount: Option<f64>,
) -> PricingInfo {
    type SourceKey = (PriceSource, Provider, String, Option<String>);
    let mut uses: BTreeMap<SourceKey, SourceUse> = BTreeMap::new();
    for (n, c) in cluster.nodes.iter().zip(&costs.nodes) {
        let key = (
            c.price.source,
            n.provider,
            c.price.source_description.clone(),
            c.price.as_of.clone(),
        );
        let u = uses.entry(key).or_insert_with(|| SourceUse {
            source: c.price.source,
            provider: n.provider,
            description: c.price.source_description.clone(),
            as_of: c.price.as_of.clone(),
            nodes: 0,
            instance_types: Vec::new(),
            estimate: false,
        });
        u.nodes += 1;
        u.estimate |= c.estimate;
        if let Some(it) = &n.instance_type
            && !u.instance_types.contains(it)
        {
            u.instance_types.push(it.clone());
        }
    }
    let sources: Vec<SourceUse> = uses
        .into_values()
        .map(|mut u| {
            u.instance_types.sort();
            if u.source == PriceSource::Fallback {
                u.description = fallback_words(&costs.fallback_rates);
            }
            u
        })
        .collect();
    let as_of = sources
        .iter()
        .filter_map(|s| s.as_of.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .next();
    let summary = if sources.is_empty() {
        "no nodes, so no prices".to_owned()
    } else {
        let parts: Vec<String> = sources.iter().map(SourceUse::describe).collect();
        format!("prices {}", parts.join("; "))
    };
    PricingInfo {
        sources,
        as_of,
        hours_per_month: HOURS_PER_MONTH,
        summary,
        fallback_rates: costs.fallback_rates,
        cpu_memory_price_ratio: rates::CPU_MEMORY_PRICE_RATIO,
        assume_spot_discount,
        discounts: Vec::new(),
        flat_discounts: BTreeMap::new(),
    }
}

/// The cluster's totals (before recommendations).
fn summary(cluster: &Cluster, costs: &CostModel) -> Summary {
    let month = HOURS_PER_MONTH;
    let monthly_cost = costs.total_hourly * month;
    Summary {
        nodes: cluster.nodes.len(),
        pods: cluster.pods.len(),
        workloads: cluster.workloads.len(),
        namespaces: costs.namespaces.len(),
        monthly_cost,
        allocated_monthly_cost: costs.allocated_hourly * month,
        idle_monthly_cost: costs.idle_hourly * month,
        recommended_monthly_cost: monthly_cost,
        monthly_savings: 0.0,
        hourly_cost: costs.total_hourly,
        estimated_nodes: costs.nodes.iter().filter(|n| n.estimate).count(),
        gpus: costs.nodes.iter().map(|n| n.gpu.requestable).sum(),
        requested_gpus: costs.nodes.iter().map(|n| n.gpu.requested).sum(),
        gpu_monthly_cost: costs.nodes.iter().map(NodeCost::gpu_monthly_cost).sum(),
        idle_gpu_monthly_cost: costs.idle_gpu_hourly * month,
        storage_monthly_cost: 0.0,
        idle_storage_monthly_cost: 0.0,
        load_balancer_monthly_cost: 0.0,
        control_plane_monthly_cost: 0.0,
        bill_monthly_cost: Some(monthly_cost),
        list_monthly_cost: costs
            .nodes
            .iter()
            .any(|n| n.list_hourly().is_some())
            .then(|| {
                costs
                    .nodes
                    .iter()
                    .map(|n| n.list_hourly().unwrap_or(n.hourly_price))
                    .sum::<f64>()
                    * month
            }),
        list_bill_monthly_cost: None,
    }
}

fn node_name(cluster: &Cluster, i: usize) -> Option<String> {
    cluster.nodes.get(i).map(|n| n.name.clone())
}

/// The report's workloads, by monthly cost descending (then namespace, kind, name).
fn workload_rows(cluster: &Cluster, costs: &CostModel) -> Vec<WorkloadRow> {
    let mut workloads: Vec<WorkloadRow> = cluster
        .workloads
        .iter()
        .zip(&costs.workloads)
        .map(|(w, c)| workload_row(cluster, costs, w, c))
        .collect();
    workloads.sort_by(|a, b| {
        desc(a.monthly_cost, b.monthly_cost)
            .then_with(|| a.namespace.cmp(&b.namespace))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.name.cmp(&b.name))
    });
    workloads
}

/// One workload's row: where its pods run, their price sources, its representative pod's
/// containers (with native sidecars) and its cost.
fn workload_row(
    cluster: &Cluster,
    costs: &CostModel,
    w: &Workload,
    c: &WorkloadCost,
) -> WorkloadRow {
    let mut node_idx: BTreeSet<usize> = BTreeSet::new();
    for &p in &w.pods {
        if let Some(pc) = costs.pods.get(p) {
            node_idx.extend(pc.node);
        }
    }
    let names: BTreeSet<String> = node_idx
        .iter()
        .filter_map(|&i| node_name(cluster, i))
        .collect();
    let types: BTreeSet<String> = node_idx
        .iter()
        .filter_map(|&i| cluster.nodes.get(i)?.instance_type.clone())
        .collect();
    let sources: BTreeSet<String> = node_idx
        .iter()
        .filter_map(|&i| costs.nodes.get(i))
        .map(|n| source_label(n.price.source, n.price.as_of.as_deref()))
        .collect();
    let containers = c
        .representative_pod
        .and_then(|p| cluster.pods.get(p))
        .map(|pod| {
            pod.containers
                .iter()
                .map(container_row)
                .chain(
                    pod.init_containers
                        .iter()
                        .filter(|c| c.sidecar)
                        .map(container_row),
                )
                .collect()
        })
        .unwrap_or_default();
    let monthly = c.monthly_cost();
    WorkloadRow {
        namespace: w.namespace.clone(),
        kind: w.kind.clone(),
        name: w.name.clone(),
        pods: w.pods.len(),
        running_pods: c.pods_holding_resources,
        nodes: names.into_iter().collect(),
        instance_types: types.into_iter().collect(),
        requests: c.requested.into(),
        monthly_cost: monthly,
        recommended_monthly_cost: monthly,
        monthly_savings: 0.0,
        severity: None,
        no_requests: c.pods_without_requests > 0,
        price_estimate: c.estimate,
        price_sources: sources.into_iter().collect(),
        containers,
        gpus: c.gpus,
        gpu_monthly_cost: c.gpu_hourly * HOURS_PER_MONTH,
        storage_monthly_cost: 0.0,
        load_balancer_monthly_cost: 0.0,
        list_monthly_cost: list_monthly(costs, &w.pods),
    }
}

/// The pods' monthly cost at list price (`None` when none of their nodes is discounted).
fn list_monthly(costs: &CostModel, pods: &[usize]) -> Option<f64> {
    let mut discounted = false;
    let mut list = 0.0;
    for pc in pods.iter().filter_map(|&p| costs.pods.get(p)) {
        let ratio = pc
            .node
            .and_then(|i| costs.nodes.get(i))
            .and_then(|n| Some(n.list_hourly()? / n.hourly_price))
            .filter(|r| r.is_finite());
        discounted |= ratio.is_some();
        list += pc.hourly * ratio.unwrap_or(1.0);
    }
    discounted.then_some(list * HOURS_PER_MONTH)
}

/// The report's namespaces, by monthly cost descending (then name).
fn namespace_rows(costs: &CostModel) -> Vec<NamespaceRow> {
    let mut namespaces: Vec<NamespaceRow> = costs
        .namespaces
        .iter()
        .map(|n| NamespaceRow {
            name: n.name.clone(),
            pods: n.pods,
            workloads: n.workloads,
            monthly_cost: n.monthly_cost(),
            recommended_monthly_cost: n.monthly_cost(),
            monthly_savings: 0.0,
            price_estimate: n.estimate,
            storage_monthly_cost: 0.0,
            load_balancer_monthly_cost: 0.0,
        })
        .collect();
    namespaces
        .sort_by(|a, b| desc(a.monthly_cost, b.monthly_cost).then_with(|| a.name.cmp(&b.name)));
    namespaces
}

/// The report's node pools, in the cost model's order, without suggestions yet.
fn pool_rows(cluster: &Cluster, costs: &CostModel) -> Vec<NodePoolRow> {
    costs
        .pools
        .iter()
        .map(|p| {
            let mut names: Vec<String> = p
                .nodes
                .iter()
                .filter_map(|&i| node_name(cluster, i))
                .collect();
            names.sort();
            NodePoolRow {
                name: p.name.clone(),
                provider: p.provider,
                region: p.region.clone(),
                instance_types: p.instance_types.clone(),
                capacity_type: p.capacity_type,
                nodes: names,
                monthly_cost: p.monthly_cost(),
                idle_monthly_cost: p.idle_hourly * HOURS_PER_MONTH,
                requested: p.requested.into(),
                allocatable: p.allocatable.into(),
                price_estimate: p.estimate,
                zones: Vec::new(),
                min_nodes: 1,
                demand: None,
                suggestions: Vec::new(),
                suggestions_reason: None,
                best_monthly_savings: 0.0,
                spot: None,
                assumptions: Vec::new(),
            }
        })
        .collect()
}

/// One instance type's price as the report used it (for the app's "prices in use" list, where
/// the user can override a type inline).
#[derive(Debug, Clone, PartialEq)]
pub struct TypePrice {
    /// Instance type.
    pub instance_type: String,
    /// Provider.
    pub provider: Provider,
    /// Region (`None` when unknown).
    pub region: Option<String>,
    /// The capacity type the price is for.
    pub priced_as: CapacityType,
    /// USD per hour.
    pub usd_per_hour: f64,
    /// Where the price came from.
    pub source: PriceSource,
    /// True when the price is an estimate.
    pub estimate: bool,
    /// Nodes at this price.
    pub nodes: usize,
}

/// The distinct (instance type, region, capacity type, price, source) of the report's nodes
/// that have an instance type, sorted by instance type, region and capacity type.
pub fn type_prices(report: &Report) -> Vec<TypePrice> {
    let mut out: Vec<TypePrice> = Vec::new();
    for n in &report.nodes {
        let Some(it) = n.instance_type.as_deref() else {
            continue;
        };
        let same = |t: &&mut TypePrice| {
            t.instance_type == it
                && t.provider == n.provider
                && t.region == n.region
                && t.priced_as == n.priced_as
                && t.source == n.price_source
                && t.usd_per_hour.to_bits() == n.hourly_price.to_bits()
        };
        match out.iter_mut().find(same) {
            Some(t) => t.nodes += 1,
            None => out.push(TypePrice {
                instance_type: it.to_owned(),
                provider: n.provider,
                region: n.region.clone(),
                priced_as: n.priced_as,
                usd_per_hour: n.hourly_price,
                source: n.price_source,
                estimate: n.price_estimate,
                nodes: 1,
            }),
        }
    }
    out.sort_by(|a, b| {
        (&a.instance_type, &a.region, a.priced_as.as_str()).cmp(&(
            &b.instance_type,
            &b.region,
            b.priced_as.as_str(),
        ))
    });
    out
}
