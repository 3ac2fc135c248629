//! The cost model: node prices split into per-core and per-GiB rates, pod costs from their
//! requests, and the sums per workload, namespace and node pool. `docs/cost-model.md` explains
//! it for people.
//!
//! * A month is [`HOURS_PER_MONTH`] = 730 hours.
//! * A node's hourly price `P` is split over its **allocatable** cores `C` (millicores / 1000)
//!   and GiB `G` (bytes / 2³⁰) with OpenCost's default CPU:memory price ratio
//!   `r = 0.031611 / 0.004237`: `gib_rate = P / (C·r + G)`, `core_rate = gib_rate·r`, so a fully
//!   requested node allocates exactly `P`. With `C = G = 0` the rates are 0 and the whole price
//!   is idle (warning `node_zero_allocatable`).
//! * A node with `N` physical GPUs is split over GPUs too, with OpenCost's default GPU:memory
//!   ratio `g = 0.95 / 0.004237`: `gib_rate = P / (N·g + C·r + G)`, GPU rate `g·gib_rate` per
//!   physical GPU-hour, core rate `r·gib_rate` ([`Rates::split_with_gpus`]); with a price
//!   file's GPU price the GPUs get that and the rest of `P` is split over CPU and memory
//!   ([`PriceSplit::GpuPrice`]); GPUs attached to an instance type without GPUs of its own are
//!   not in `P` ([`PriceSplit::AttachedGpus`]). Time-sliced GPUs (`nvidia.com/gpu.replicas` = n)
//!   cost `1/n` of a physical GPU per requested `nvidia.com/gpu`; MIG slices are not priced
//!   (warning `gpu_mig_unpriced`). Nodes without GPUs take exactly the CPU/memory path above.
//!   See [`NodeGpus`].
//! * A pod that holds resources costs `cores·core_rate + GiB·gib_rate` per hour on its node,
//!   from its effective request ([`crate::pods::Pod::effective_request`]), plus
//!   `GPUs·gpu_rate` for the GPUs it requests.
//! * Idle per node = max(0, `P` − Σ pod costs); a node whose pods cost more than `P` is
//!   over-committed (warning `node_overcommitted`). Its GPU part (idle GPU cost) =
//!   min(idle, max(0, the GPUs' share of `P` − what pods pay for GPUs)).
//! * A node without a price uses the fallback rates ([`Rates::FALLBACK`]) on its allocatable
//!   (plus OpenCost's $0.95 per GPU-hour for its GPUs), marked as an estimate (warning
//!   `price_unknown`).
//! * Pods without CPU and memory requests cost 0 (warning `no_requests`, once per workload).
//!
//! Money is `f64` computed from the exact integer quantities and never rounded here.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::cluster::Cluster;
use crate::diagnostics::{Warning, object_ref};
use crate::format::{fmt_hourly, fmt_rate, trim_decimal};
use crate::model::{CapacityType, Provider};
use crate::nodes::{ComputeType, Node};
use crate::pods::Resources;
use crate::pods::{Pod, PodPhase};
use crate::pricing::rates::{FALLBACK_GPU_HOURLY, GPU_MEMORY_PRICE_RATIO, Rates};
use crate::pricing::sources::{PriceLookup, PriceQuery, PriceSource, PriceSources};

/// Hours in a month (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Bytes in a GiB (2³⁰).
pub const BYTES_PER_GIB: f64 = 1_073_741_824.0;

/// Millicores as cores (negative values count as zero).
pub fn cores(millicores: i64) -> f64 {
    millicores.max(0) as f64 / 1000.0
}

/// Bytes as GiB (negative values count as zero).
pub fn gib(bytes: i64) -> f64 {
    bytes.max(0) as f64 / BYTES_PER_GIB
}

/// CPU and memory amounts as exact integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CpuMemory {
    /// Millicores.
    pub cpu_millis: i64,
    /// Bytes.
    pub memory_bytes: i64,
}

impl CpuMemory {
    fn add(&mut self, r: &Resources) {
        self.cpu_millis = self.cpu_millis.saturating_add(r.cpu_millis.max(0));
        self.memory_bytes = self.memory_bytes.saturating_add(r.memory_bytes.max(0));
    }

    fn add_cm(&mut self, r: CpuMemory) {
        self.cpu_millis = self.cpu_millis.saturating_add(r.cpu_millis);
        self.memory_bytes = self.memory_bytes.saturating_add(r.memory_bytes);
    }

    /// CPU in cores.
    pub fn cores(&self) -> f64 {
        cores(self.cpu_millis)
    }

    /// Memory in GiB.
    pub fn gib(&self) -> f64 {
        gib(self.memory_bytes)
    }
}

/// What a node costs and how its cost is used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeCost {
    /// Index into [`Cluster::nodes`].
    pub node: usize,
    /// The node's name.
    pub name: String,
    /// How the node was priced.
    pub price: PriceLookup,
    /// USD per hour: the price, or for [`PriceSource::Fallback`] the fallback rates applied to
    /// the allocatable CPU and memory.
    pub hourly_price: f64,
    /// The split rates (zero when the node has no allocatable CPU or memory).
    pub rates: Rates,
    /// Allocatable CPU and memory.
    pub allocatable: CpuMemory,
    /// Σ effective requests of the pods holding resources on the node.
    pub requested: CpuMemory,
    /// Σ hourly costs of those pods.
    pub allocated_hourly: f64,
    /// max(0, price − allocated).
    pub idle_hourly: f64,
    /// True when the pods' requests would cost more than the node (their costs are then
    /// scaled to its price).
    pub overcommitted: bool,
    /// On an over-committed node, what its pods' requests would have cost above its price, USD
    /// per hour (taken off by scaling them; 0 elsewhere).
    pub overcommit_removed_hourly: f64,
    /// True when the price is a guess (fallback rates, assumed spot discount).
    pub estimate: bool,
    /// Indices of the pods holding resources on the node.
    pub pods: Vec<usize>,
    /// How the price was split into rates.
    pub price_split: PriceSplit,
    /// Its GPUs, their rates and idle cost (all zero without GPUs).
    pub gpu: NodeGpus,
    /// How the cost was computed, for people.
    pub explanation: String,
}

/// How a node's price was split into per-resource rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceSplit {
    /// Over CPU and memory with OpenCost's CPU:memory ratio (a priced node without GPUs).
    #[default]
    CpuMemory,
    /// Over GPUs, CPU and memory with OpenCost's GPU:memory and CPU:memory ratios.
    GpuCpuMemory,
    /// The source's GPU price for the GPUs, the rest over CPU and memory with the CPU:memory
    /// ratio.
    GpuPrice,
    /// GPUs attached to an instance type without GPUs of its own (GCP N1 with accelerators):
    /// the price over CPU and memory, plus the GPUs at a price file's GPU price, else unpriced.
    AttachedGpus,
    /// No price: the fallback rates (and OpenCost's $0.95 per GPU-hour for its GPUs).
    Fallback,
    /// Nothing to split over (no allocatable CPU, memory or GPUs): rates 0, the price is idle.
    Unsplit,
}

impl PriceSplit {
    /// The stable name: `cpu_memory`, `gpu_cpu_memory`, `gpu_price`, `attached_gpus`,
    /// `fallback`, `unsplit`.
    pub fn as_str(self) -> &'static str {
        match self {
            PriceSplit::CpuMemory => "cpu_memory",
            PriceSplit::GpuCpuMemory => "gpu_cpu_memory",
            PriceSplit::GpuPrice => "gpu_price",
            PriceSplit::AttachedGpus => "attached_gpus",
            PriceSplit::Fallback => "fallback",
            PriceSplit::Unsplit => "unsplit",
        }
    }
}

/// A node's GPUs as the cost model counts and prices them.
///
/// * `requestable`: what pods can request as `nvidia.com/gpu` + `amd.com/gpu` (capacity or
///   allocatable, the larger); time-sliced replicas count one each, and under MIG's single
///   strategy each is a MIG slice.
/// * `physical`: the GPUs the price split counts. Without sharing, the node's GPUs
///   ([`Node::gpus`]). Time-sliced (`nvidia.com/gpu.replicas` = n > 1): the
///   `nvidia.com/gpu.count` label when label × n = requestable, else the catalogue's count for
///   the instance type when that × n = requestable, else ⌈requestable / n⌉. MIG: the
///   `nvidia.com/gpu.count` label (mixed strategy), else the catalogue's count, else an
///   assumption said in the warning `gpu_mig_unpriced`.
/// * `unit_hourly`, what one requested GPU pays: `physical_hourly × physical / requestable`
///   when time-sliced (so `physical_hourly / n`), `physical_hourly` otherwise, 0 for MIG slices.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct NodeGpus {
    /// GPUs pods can request (`nvidia.com/gpu` + `amd.com/gpu`).
    pub requestable: i64,
    /// Physical GPUs the price split counted.
    pub physical: i64,
    /// `nvidia.com/gpu.replicas` (1 without time-slicing).
    pub replicas: i64,
    /// True when the node's GPUs are partitioned into MIG slices (not priced).
    pub mig: bool,
    /// True when `nvidia.com/gpu` counts MIG slices (MIG's single strategy): not charged.
    pub mig_single: bool,
    /// True when `physical_hourly` is the price source's own GPU price
    /// ([`PriceSplit::GpuPrice`], [`PriceSplit::AttachedGpus`]), not a share from OpenCost's
    /// weights.
    pub known_price: bool,
    /// True when the GPUs are attached to an instance type without GPUs of its own, so they
    /// are not in its price ([`PriceSplit::AttachedGpus`]).
    pub attached: bool,
    /// USD per physical GPU-hour.
    pub physical_hourly: f64,
    /// USD per hour of one requested `nvidia.com/gpu` / `amd.com/gpu`.
    pub unit_hourly: f64,
    /// Σ GPUs requested by its pods holding resources (replicas or whole GPUs).
    pub requested: i64,
    /// Σ MIG slices requested by its pods holding resources.
    pub requested_mig: i64,
    /// What its pods pay for GPUs, USD per hour.
    pub allocated_hourly: f64,
    /// The GPU part of its idle cost, USD per hour (see [`NodeCost::idle_hourly`]).
    pub idle_hourly: f64,
    /// Where `physical` came from, for the explanation (empty without sharing).
    pub basis: String,
}

impl NodeGpus {
    /// The GPUs' share of the node's hourly price: `physical × physical_hourly`.
    pub fn share_hourly(&self) -> f64 {
        self.physical as f64 * self.physical_hourly
    }

    /// What `gpus` requested GPUs of a pod pay per hour on this node (0 for MIG slices).
    pub fn charge(&self, gpus: i64) -> f64 {
        if gpus <= 0 || self.mig_single {
            0.0
        } else {
            gpus as f64 * self.unit_hourly
        }
    }
}

impl NodeCost {
    /// USD per hour at list price, when the user's discounts made `hourly_price` lower:
    /// `hourly_price × list ÷ net` (the GPUs priced beside the node carry the same discount).
    pub fn list_hourly(&self) -> Option<f64> {
        let list = self.price.list_usd_per_hour?;
        let net = self.price.usd_per_hour.filter(|n| *n > 0.0)?;
        Some(self.hourly_price * list / net)
    }

    /// Price per month.
    pub fn monthly_cost(&self) -> f64 {
        self.hourly_price * HOURS_PER_MONTH
    }

    /// Idle cost per month.
    pub fn idle_monthly_cost(&self) -> f64 {
        self.idle_hourly * HOURS_PER_MONTH
    }

    /// Allocated (requested) cost per month.
    pub fn allocated_monthly_cost(&self) -> f64 {
        self.allocated_hourly * HOURS_PER_MONTH
    }

    /// The GPU part of the idle cost per month (0 without GPUs).
    pub fn idle_gpu_monthly_cost(&self) -> f64 {
        self.gpu.idle_hourly * HOURS_PER_MONTH
    }

    /// The GPUs' share of the price per month (0 without GPUs).
    pub fn gpu_monthly_cost(&self) -> f64 {
        self.gpu.share_hourly() * HOURS_PER_MONTH
    }
}

/// What one pod costs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PodCost {
    /// Index into [`Cluster::pods`].
    pub pod: usize,
    /// Index of the node whose rates priced it; `None` when it holds no resources or its node is
    /// not in the input (then it costs 0).
    pub node: Option<usize>,
    /// Effective CPU request in cores.
    pub cpu_cores: f64,
    /// Effective memory request in GiB.
    pub memory_gib: f64,
    /// The node's rates.
    pub rates: Rates,
    /// GPUs requested (`nvidia.com/gpu` + `amd.com/gpu`, the effective request).
    pub gpus: i64,
    /// What one of those GPUs costs per hour on its node (0 when not charged, e.g. MIG slices).
    pub gpu_rate: f64,
    /// The GPU part of [`PodCost::hourly`].
    pub gpu_hourly: f64,
    /// USD per hour.
    pub hourly: f64,
    /// True when the node's price is an estimate.
    pub estimate: bool,
    /// True for a pod holding resources without CPU or memory requests (costs 0 by requests).
    pub no_requests: bool,
    /// On an over-committed node (its pods' requests cost more than the node), the factor
    /// `node price ÷ Σ pod costs` by which the pod's rates and cost were scaled, so that the
    /// node's pods add up to its price; `None` elsewhere.
    pub overcommit_scale: Option<f64>,
}

impl PodCost {
    /// Cost per month.
    pub fn monthly_cost(&self) -> f64 {
        self.hourly * HOURS_PER_MONTH
    }

    /// How the cost was computed, e.g. `0.25 core × $0.0306 + 0.5 GiB × $0.0041 per hour`.
    pub fn explanation(&self) -> String {
        if self.node.is_none() {
            return "not charged: the pod holds no resources on a node in the input".to_owned();
        }
        let c = trim_decimal(self.cpu_cores, 3);
        let unit = if self.cpu_cores > 1.0 {
            "cores"
        } else {
            "core"
        };
        let gpu = if self.gpu_hourly > 0.0 {
            format!(
                "{} GPU{} × ${} + ",
                self.gpus,
                if self.gpus == 1 { "" } else { "s" },
                fmt_rate(self.gpu_rate)
            )
        } else {
            String::new()
        };
        let scaled = match self.overcommit_scale {
            Some(f) => format!(
                " (the node's rates × {}: its pods request more than it has, so their costs are \
                 scaled to its price)",
                trim_decimal(f, 4)
            ),
            None => String::new(),
        };
        format!(
            "{gpu}{c} {unit} × ${} + {} GiB × ${} per hour{scaled}",
            fmt_rate(self.rates.cpu_core_hourly),
            trim_decimal(self.memory_gib, 3),
            fmt_rate(self.rates.memory_gib_hourly)
        )
    }
}

/// What a workload costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadCost {
    /// Index into [`Cluster::workloads`].
    pub workload: usize,
    /// Σ pod costs, USD per hour.
    pub hourly: f64,
    /// Σ effective requests of its pods that hold resources.
    pub requested: CpuMemory,
    /// Pods holding resources.
    pub pods_holding_resources: usize,
    /// Pods holding resources without CPU or memory requests.
    pub pods_without_requests: usize,
    /// Σ GPUs requested by its pods holding resources.
    pub gpus: i64,
    /// The GPU part of [`WorkloadCost::hourly`].
    pub gpu_hourly: f64,
    /// True when any of its pods' nodes is priced by an estimate.
    pub estimate: bool,
    /// The pod whose containers represent the workload: the first running pod, else the first
    /// pod holding resources, else the first pod.
    pub representative_pod: Option<usize>,
}

impl WorkloadCost {
    /// Cost per month.
    pub fn monthly_cost(&self) -> f64 {
        self.hourly * HOURS_PER_MONTH
    }
}

/// What a namespace costs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamespaceCost {
    /// Namespace name.
    pub name: String,
    /// Pods in it.
    pub pods: usize,
    /// Workloads in it.
    pub workloads: usize,
    /// Σ pod costs, USD per hour.
    pub hourly: f64,
    /// True when any pod's node is priced by an estimate.
    pub estimate: bool,
}

impl NamespaceCost {
    /// Cost per month.
    pub fn monthly_cost(&self) -> f64 {
        self.hourly * HOURS_PER_MONTH
    }
}

/// Nodes of one node pool (by pool label; nodes without one are grouped by provider, region,
/// instance type and capacity type).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolCost {
    /// The pool label value; `None` for nodes without a pool label.
    pub name: Option<String>,
    /// Provider.
    pub provider: Provider,
    /// Region.
    pub region: Option<String>,
    /// Distinct instance types, sorted.
    pub instance_types: Vec<String>,
    /// The capacity type of all its nodes, `None` when they differ.
    pub capacity_type: Option<CapacityType>,
    /// Distinct capacity types, sorted.
    pub capacity_types: Vec<CapacityType>,
    /// Indices of its nodes in [`Cluster::nodes`].
    pub nodes: Vec<usize>,
    /// Σ node prices, USD per hour.
    pub hourly: f64,
    /// Σ node idle costs, USD per hour.
    pub idle_hourly: f64,
    /// Σ requests on its nodes.
    pub requested: CpuMemory,
    /// Σ allocatable of its nodes.
    pub allocatable: CpuMemory,
    /// True when any node's price is an estimate.
    pub estimate: bool,
}

impl PoolCost {
    /// Cost per month.
    pub fn monthly_cost(&self) -> f64 {
        self.hourly * HOURS_PER_MONTH
    }
}

/// The whole cost model of a cluster.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CostModel {
    /// One per node, in [`Cluster::nodes`] order.
    pub nodes: Vec<NodeCost>,
    /// One per pod, in [`Cluster::pods`] order.
    pub pods: Vec<PodCost>,
    /// One per workload, in [`Cluster::workloads`] order.
    pub workloads: Vec<WorkloadCost>,
    /// One per namespace with pods, by name.
    pub namespaces: Vec<NamespaceCost>,
    /// Node pools, by provider, region and name.
    pub pools: Vec<PoolCost>,
    /// Σ node prices, USD per hour.
    pub total_hourly: f64,
    /// Σ pod costs, USD per hour.
    pub allocated_hourly: f64,
    /// Σ node idle costs, USD per hour.
    pub idle_hourly: f64,
    /// Σ node idle GPU costs (the GPU part of `idle_hourly`), USD per hour.
    pub idle_gpu_hourly: f64,
    /// The rates nodes without a price were costed at.
    pub fallback_rates: Rates,
    /// Pricing and cost warnings (ingest warnings are in [`Cluster::warnings`]).
    pub warnings: Vec<Warning>,
}

fn capacity_words(c: CapacityType) -> &'static str {
    match c {
        CapacityType::OnDemand => "on-demand",
        CapacityType::Spot => "spot",
        CapacityType::Reserved => "reserved",
        CapacityType::Unknown => "unknown-capacity",
    }
}

fn split_words(rates: &Rates, alloc: &CpuMemory) -> String {
    format!(
        "split as ${}/core-h × {} cores + ${}/GiB-h × {} GiB",
        fmt_rate(rates.cpu_core_hourly),
        trim_decimal(alloc.cores(), 2),
        fmt_rate(rates.memory_gib_hourly),
        trim_decimal(alloc.gib(), 2)
    )
}

fn gpu_split_words(rates: &Rates, alloc: &CpuMemory, gpu: &NodeGpus) -> String {
    format!(
        "split with OpenCost's weights (GPU {} : core {} : GiB 1) as ${}/GPU-h × {} GPU{} + \
         ${}/core-h × {} cores + ${}/GiB-h × {} GiB",
        trim_decimal(GPU_MEMORY_PRICE_RATIO, 1),
        trim_decimal(crate::pricing::rates::CPU_MEMORY_PRICE_RATIO, 2),
        fmt_rate(gpu.physical_hourly),
        gpu.physical,
        if gpu.physical == 1 { "" } else { "s" },
        fmt_rate(rates.cpu_core_hourly),
        trim_decimal(alloc.cores(), 2),
        fmt_rate(rates.memory_gib_hourly),
        trim_decimal(alloc.gib(), 2)
    )
}

/// How the node's GPUs are shared, for its explanation (empty without sharing).
fn gpu_sharing_words(gpu: &NodeGpus) -> String {
    if gpu.physical == 0 {
        String::new()
    } else if gpu.mig {
        format!(
            "; MIG: its GPUs are split into slices, which are not priced (warning \
             gpu_mig_unpriced): pods requesting slices pay CPU and memory only and the GPUs' \
             share ({}) is idle unless whole GPUs are requested ({})",
            fmt_hourly(gpu.share_hourly()),
            gpu.basis
        )
    } else if gpu.replicas > 1 {
        format!(
            "; time-sliced (nvidia.com/gpu.replicas={}): each of its {} nvidia.com/gpu is 1/{} \
             of a physical GPU at ${}/h ({})",
            gpu.replicas,
            gpu.requestable,
            gpu.replicas,
            fmt_rate(gpu.unit_hourly),
            gpu.basis
        )
    } else {
        String::new()
    }
}

fn explain_node(
    node: &Node,
    price: &PriceLookup,
    hourly: f64,
    rates: Option<&Rates>,
    alloc: &CpuMemory,
    fallback: &Rates,
    gpu: &NodeGpus,
) -> String {
    let region = node.region.as_deref().unwrap_or("(region unknown)");
    let mut out = match price.usd_per_hour {
        Some(p) => {
            let mut s = format!(
                "{} {} {region} {} from {}",
                node.instance_type
                    .as_deref()
                    .unwrap_or("(no instance type)"),
                capacity_words(node.capacity_type),
                fmt_hourly(p),
                price.source_description
            );
            if let Some(as_of) = &price.as_of {
                s.push_str(&format!(" (as of {as_of})"));
            }
            if let Some(note) = &price.note {
                s.push_str(&format!(" [{note}]"));
            }
            if let (Some(list), Some(discount)) = (price.list_usd_per_hour, &price.discount) {
                s.push_str(&format!(" [list {}, net of {discount}]", fmt_hourly(list)));
            }
            s
        }
        None if gpu.physical > 0 => format!(
            "no price ({}): fallback rates ${}/core-h × {} cores + ${}/GiB-h × {} GiB + ${}/GPU-h \
             × {} GPU{} = {} (an estimate)",
            price.unpriced_reason.as_deref().unwrap_or("unknown"),
            trim_decimal(fallback.cpu_core_hourly, 6),
            trim_decimal(alloc.cores(), 2),
            trim_decimal(fallback.memory_gib_hourly, 6),
            trim_decimal(alloc.gib(), 2),
            trim_decimal(FALLBACK_GPU_HOURLY, 6),
            gpu.physical,
            if gpu.physical == 1 { "" } else { "s" },
            fmt_hourly(hourly)
        ),
        None => format!(
            "no price ({}): fallback rates ${}/core-h × {} cores + ${}/GiB-h × {} GiB = {} (an estimate)",
            price.unpriced_reason.as_deref().unwrap_or("unknown"),
            trim_decimal(fallback.cpu_core_hourly, 6),
            trim_decimal(alloc.cores(), 2),
            trim_decimal(fallback.memory_gib_hourly, 6),
            trim_decimal(alloc.gib(), 2),
            fmt_hourly(hourly)
        ),
    };
    match (rates, price.usd_per_hour) {
        (Some(r), Some(p)) if gpu.attached => {
            out.push_str("; ");
            out.push_str(&split_words(r, alloc));
            if gpu.known_price {
                out.push_str(&format!(
                    "; plus {} attached GPU{} at ${}/GPU-h from the price file = {}",
                    gpu.physical,
                    if gpu.physical == 1 { "" } else { "s" },
                    fmt_rate(gpu.physical_hourly),
                    fmt_hourly(hourly)
                ));
            } else {
                out.push_str(&format!(
                    "; its {} attached GPU{} are not in the price of {} and not priced (warning \
                     gpu_price_not_included)",
                    gpu.physical,
                    if gpu.physical == 1 { "" } else { "s" },
                    fmt_hourly(p)
                ));
            }
        }
        (Some(r), Some(p)) if gpu.known_price => {
            out.push_str(&format!(
                "; split as ${}/GPU-h × {} GPU{} (the source's GPU price), the rest ({}) ",
                fmt_rate(gpu.physical_hourly),
                gpu.physical,
                if gpu.physical == 1 { "" } else { "s" },
                fmt_hourly(p - gpu.share_hourly())
            ));
            out.push_str(&split_words(r, alloc));
        }
        (Some(r), Some(_)) if gpu.physical > 0 => {
            out.push_str("; ");
            out.push_str(&gpu_split_words(r, alloc, gpu));
        }
        (Some(r), Some(_)) => {
            out.push_str("; ");
            out.push_str(&split_words(r, alloc));
        }
        (None, _) => out.push_str("; no allocatable CPU or memory, so the whole price is idle"),
        (Some(_), None) => {}
    }
    out.push_str(&gpu_sharing_words(gpu));
    out
}

/// Scales the costs of the pods on over-committed node `n` by `scale` (`price ÷ Σ pod costs`,
/// in `[0, 1)`), so that they add up to the node's price: a chargeback never bills more than
/// the invoice. Their rates are scaled too, so that savings from recommendations are on the
/// same footing.
fn scale_overcommitted(n: &mut NodeCost, pods: &mut [PodCost], scale: f64) {
    for &p in &n.pods {
        let Some(pod) = pods.get_mut(p) else {
            continue;
        };
        pod.rates = Rates {
            cpu_core_hourly: pod.rates.cpu_core_hourly * scale,
            memory_gib_hourly: pod.rates.memory_gib_hourly * scale,
        };
        pod.gpu_rate *= scale;
        pod.gpu_hourly *= scale;
        pod.hourly *= scale;
        pod.overcommit_scale = Some(scale);
    }
    n.gpu.allocated_hourly *= scale;
    n.overcommit_removed_hourly = n.allocated_hourly - n.hourly_price;
    n.allocated_hourly = n.hourly_price;
}

/// Prices every node of `cluster` with `sources` and computes all costs. Never panics and
/// never divides by zero.
pub fn compute(cluster: &Cluster, sources: &PriceSources<'_>) -> CostModel {
    let mut warnings = Vec::new();
    let mut nodes: Vec<NodeCost> = Vec::with_capacity(cluster.nodes.len());
    for (index, node) in cluster.nodes.iter().enumerate() {
        nodes.push(price_node(index, node, sources, &mut warnings));
    }

    let mut pods: Vec<PodCost> = Vec::with_capacity(cluster.pods.len());
    for (index, pod) in cluster.pods.iter().enumerate() {
        let eff = pod.effective_request;
        let no_requests = pod.holds_resources && eff.cpu_millis <= 0 && eff.memory_bytes <= 0;
        let node_cost = pod
            .node_index
            .filter(|_| pod.holds_resources)
            .and_then(|i| nodes.get_mut(i));
        let mut cost = PodCost {
            pod: index,
            node: None,
            cpu_cores: cores(eff.cpu_millis),
            memory_gib: gib(eff.memory_bytes),
            rates: Rates::default(),
            gpus: eff.gpus.max(0),
            gpu_rate: 0.0,
            gpu_hourly: 0.0,
            hourly: 0.0,
            estimate: false,
            no_requests,
            overcommit_scale: None,
        };
        if let Some(n) = node_cost {
            cost.node = Some(n.node);
            cost.rates = n.rates;
            cost.hourly = n.rates.cost(cost.cpu_cores, cost.memory_gib);
            cost.gpu_hourly = n.gpu.charge(cost.gpus);
            if cost.gpu_hourly != 0.0 {
                cost.gpu_rate = n.gpu.unit_hourly;
                cost.hourly += cost.gpu_hourly;
                n.gpu.allocated_hourly += cost.gpu_hourly;
            }
            n.gpu.requested = n.gpu.requested.saturating_add(cost.gpus);
            n.gpu.requested_mig = n.gpu.requested_mig.saturating_add(eff.mig_devices.max(0));
            cost.estimate = n.estimate;
            n.allocated_hourly += cost.hourly;
            n.requested.add(&eff);
            n.pods.push(index);
        }
        pods.push(cost);
    }

    for (n, node) in nodes.iter_mut().zip(&cluster.nodes) {
        n.idle_hourly = (n.hourly_price - n.allocated_hourly).max(0.0);
        if n.gpu.physical > 0 {
            let unpaid = (n.gpu.share_hourly() - n.gpu.allocated_hourly).max(0.0);
            n.gpu.idle_hourly = unpaid.min(n.idle_hourly);
        }
        let tolerance = n.hourly_price.abs() * 1e-9 + 1e-12;
        if n.allocated_hourly > n.hourly_price + tolerance {
            n.overcommitted = true;
            let scale = n.hourly_price / n.allocated_hourly;
            warnings.push(Warning::new(
                "node_overcommitted",
                object_ref("Node", None, &node.name),
                format!(
                    "its pods request {} cores and {} GiB of {} cores and {} GiB allocatable and \
                     would cost {} by requests, more than the node's {}: their costs are scaled \
                     by {} to add up to the node's price, and its idle cost is 0",
                    trim_decimal(n.requested.cores(), 3),
                    trim_decimal(n.requested.gib(), 2),
                    trim_decimal(n.allocatable.cores(), 3),
                    trim_decimal(n.allocatable.gib(), 2),
                    fmt_hourly(n.allocated_hourly),
                    fmt_hourly(n.hourly_price),
                    trim_decimal(scale, 4)
                ),
            ));
            scale_overcommitted(n, &mut pods, scale);
        }
    }

    let workloads = workload_costs(cluster, &pods, &mut warnings);
    let namespaces = namespace_costs(cluster, &pods);
    let pools = pool_costs(cluster, &nodes);
    let total_hourly = nodes.iter().map(|n| n.hourly_price).sum();
    let allocated_hourly = nodes.iter().map(|n| n.allocated_hourly).sum();
    let idle_hourly = nodes.iter().map(|n| n.idle_hourly).sum();
    let idle_gpu_hourly = nodes.iter().map(|n| n.gpu.idle_hourly).sum();
    mig_warnings(cluster, &nodes, &mut warnings);
    CostModel {
        nodes,
        pods,
        workloads,
        namespaces,
        pools,
        total_hourly,
        allocated_hourly,
        idle_hourly,
        idle_gpu_hourly,
        fallback_rates: sources.fallback,
        warnings,
    }
}

fn price_node(
    index: usize,
    node: &Node,
    sources: &PriceSources<'_>,
    warnings: &mut Vec<Warning>,
) -> NodeCost {
    let object = object_ref("Node", None, &node.name);
    let mut price = sources.lookup(PriceQuery {
        provider: node.provider,
        instance_type: node.instance_type.as_deref(),
        region: node.region.as_deref(),
        capacity_type: node.capacity_type,
    });
    if price.source == PriceSource::Fallback {
        // Say why the node has no instance type or region, from the node mapping.
        let detail = if node.instance_type.is_none() {
            if node.compute_type == ComputeType::Fargate {
                Some(
                    "Fargate nodes are billed per pod vCPU and memory, which is not modelled"
                        .to_owned(),
                )
            } else {
                node.reasons.instance_type.clone()
            }
        } else if node.region.is_none() {
            node.reasons.region.clone()
        } else {
            None
        };
        if let Some(detail) = detail {
            if let Some(reason) = price.unpriced_reason.as_mut() {
                reason.push_str(&format!(": {detail}"));
            }
            for issue in &mut price.issues {
                if issue.code == "price_unknown"
                    && let Some((head, tail)) = issue.message.split_once("; ")
                {
                    issue.message = format!("{head}: {detail}; {tail}");
                }
            }
        }
    }
    for issue in &price.issues {
        warnings.push(Warning::new(
            issue.code,
            object.clone(),
            issue.message.clone(),
        ));
    }
    let allocatable = CpuMemory {
        cpu_millis: node.allocatable.cpu_millis.max(0),
        memory_bytes: node.allocatable.memory_bytes.max(0),
    };
    let (c, g) = (allocatable.cores(), allocatable.gib());
    let mut gpu = node_gpus(node, sources, warnings);
    let (hourly_price, rates, price_split) =
        split_price(node, &price, sources, (c, g), &mut gpu, warnings);
    gpu.unit_hourly = unit_gpu_rate(&gpu);
    if rates.is_none() {
        warnings.push(Warning::new(
            "node_zero_allocatable",
            object.clone(),
            format!(
                "the node has no allocatable CPU or memory, so its price cannot be split over \
                 resources: rates are 0 and its whole price ({}) counts as idle",
                fmt_hourly(hourly_price)
            ),
        ));
    }
    let explanation = explain_node(
        node,
        &price,
        hourly_price,
        rates.as_ref(),
        &allocatable,
        &sources.fallback,
        &gpu,
    );
    NodeCost {
        node: index,
        name: node.name.clone(),
        estimate: price.estimate,
        price,
        hourly_price,
        rates: rates.unwrap_or_default(),
        allocatable,
        requested: CpuMemory::default(),
        allocated_hourly: 0.0,
        idle_hourly: 0.0,
        overcommitted: false,
        overcommit_removed_hourly: 0.0,
        pods: Vec::new(),
        price_split,
        gpu,
        explanation,
    }
}

/// The node's hourly price, its rates (`None`: nothing to split over) and how they were
/// split; fills in `gpu.physical_hourly` (and `known_price`, `attached`).
fn split_price(
    node: &Node,
    price: &PriceLookup,
    sources: &PriceSources<'_>,
    (c, g): (f64, f64),
    gpu: &mut NodeGpus,
    warnings: &mut Vec<Warning>,
) -> (f64, Option<Rates>, PriceSplit) {
    let physical = gpu.physical as f64;
    match price.usd_per_hour {
        Some(p) if gpu.physical > 0 && catalogue_gpus(node, sources) == Some(0) => {
            attached_gpus(node, price, p, (c, g), gpu, warnings)
        }
        Some(p) if gpu.physical > 0 => match known_gpu_split(node, price, p, gpu, warnings) {
            Some((rates, gpu_price)) => {
                gpu.physical_hourly = gpu_price;
                gpu.known_price = true;
                (p, Some(rates), PriceSplit::GpuPrice)
            }
            None => match Rates::split_with_gpus(p, physical, c, g) {
                Some((rates, gpu_rate)) => {
                    gpu.physical_hourly = gpu_rate;
                    (p, Some(rates), PriceSplit::GpuCpuMemory)
                }
                None => (p, None, PriceSplit::Unsplit),
            },
        },
        Some(p) => {
            let rates = Rates::split(p, c, g);
            let split = if rates.is_some() {
                PriceSplit::CpuMemory
            } else {
                PriceSplit::Unsplit
            };
            (p, rates, split)
        }
        None if gpu.physical > 0 => {
            gpu.physical_hourly = FALLBACK_GPU_HOURLY;
            (
                sources.fallback.cost(c, g) + physical * FALLBACK_GPU_HOURLY,
                Some(sources.fallback),
                PriceSplit::Fallback,
            )
        }
        None => {
            let has_any = c > 0.0 || g > 0.0;
            (
                sources.fallback.cost(c, g),
                has_any.then_some(sources.fallback),
                if has_any {
                    PriceSplit::Fallback
                } else {
                    PriceSplit::Unsplit
                },
            )
        }
    }
}

/// The catalogue's GPU count for the node's instance type, when the catalogue has the type.
fn catalogue_gpus(node: &Node, sources: &PriceSources<'_>) -> Option<i64> {
    let cat = sources.catalogue?;
    let spec = cat.spec(node.provider, node.instance_type.as_deref()?)?;
    spec.gpu.map(i64::from)
}

/// GPUs attached to an instance type that has none of its own (GCP N1 with accelerators: the
/// catalogue's type has 0 GPUs), so its price `p` is the VM's only: `p` is split over CPU and
/// memory as for nodes without GPUs, and the GPUs are added at the price file's
/// `gpu_usd_per_hour`, or left unpriced with the warning `gpu_price_not_included`.
fn attached_gpus(
    node: &Node,
    price: &PriceLookup,
    p: f64,
    (c, g): (f64, f64),
    gpu: &mut NodeGpus,
    warnings: &mut Vec<Warning>,
) -> (f64, Option<Rates>, PriceSplit) {
    gpu.attached = true;
    let rates = Rates::split(p, c, g);
    let it = node.instance_type.as_deref().unwrap_or_default();
    match price.gpu_usd_per_hour {
        Some(gp) => {
            gpu.physical_hourly = gp;
            gpu.known_price = true;
            (
                p + gpu.physical as f64 * gp,
                rates,
                PriceSplit::AttachedGpus,
            )
        }
        None => {
            warnings.push(Warning::new(
                "gpu_price_not_included",
                object_ref("Node", None, &node.name),
                format!(
                    "{it} has no GPUs of its own, so its price ({}) does not include the {} \
                     attached GPU{} (billed separately by the provider); they are not priced \
                     here: give their price as gpu_usd_per_hour in a price file",
                    fmt_hourly(p),
                    gpu.physical,
                    if gpu.physical == 1 { "" } else { "s" },
                ),
            ));
            (p, rates, PriceSplit::AttachedGpus)
        }
    }
}

/// The split with the price source's own GPU price, when it has one that fits in the node's
/// price (else the warning `gpu_price_exceeds_node` and `None`: the caller splits by weights).
fn known_gpu_split(
    node: &Node,
    price: &PriceLookup,
    hourly: f64,
    gpu: &NodeGpus,
    warnings: &mut Vec<Warning>,
) -> Option<(Rates, f64)> {
    let gpu_price = price.gpu_usd_per_hour?;
    let alloc = (
        cores(node.allocatable.cpu_millis),
        gib(node.allocatable.memory_bytes),
    );
    let split =
        Rates::split_with_gpu_price(hourly, gpu.physical as f64, gpu_price, alloc.0, alloc.1);
    if split.is_none() {
        warnings.push(Warning::new(
            "gpu_price_exceeds_node",
            object_ref("Node", None, &node.name),
            format!(
                "{} GPU{} at the GPU price {} cost more than the node's {} (or leave nothing to \
                 split over CPU and memory): split by OpenCost's weights instead",
                gpu.physical,
                if gpu.physical == 1 { "" } else { "s" },
                fmt_hourly(gpu_price),
                fmt_hourly(hourly)
            ),
        ));
    }
    split.map(|r| (r, gpu_price))
}

/// What one requested GPU pays: 0 for MIG slices (single strategy) or without requestable
/// GPUs; the physical rate spread over the replicas when time-sliced; else the physical rate.
fn unit_gpu_rate(gpu: &NodeGpus) -> f64 {
    if gpu.mig_single || gpu.requestable <= 0 {
        0.0
    } else if gpu.replicas > 1 {
        gpu.physical_hourly * gpu.physical as f64 / gpu.requestable as f64
    } else {
        gpu.physical_hourly
    }
}

/// Counts a node's GPUs (see [`NodeGpus`]); rates are filled in by the caller. Warns
/// `gpu_replicas_uneven` when a time-sliced node's GPUs are not a whole number of physical GPUs
/// by any count.
fn node_gpus(node: &Node, sources: &PriceSources<'_>, warnings: &mut Vec<Warning>) -> NodeGpus {
    let sharing = node.gpu_sharing;
    let requestable = node.capacity.gpus.max(node.allocatable.gpus).max(0);
    let catalogue = catalogue_gpus(node, sources).filter(|n| *n > 0);
    let replicas = sharing.replicas.max(1);
    let mut gpu = NodeGpus {
        requestable,
        replicas,
        mig: sharing.mig(),
        mig_single: sharing.mig_single,
        ..NodeGpus::default()
    };
    if sharing.mig_single {
        // `nvidia.com/gpu` and `nvidia.com/gpu.count` both count MIG slices here.
        (gpu.physical, gpu.basis) = match catalogue {
            Some(n) => (
                n,
                "physical GPUs from the catalogue's instance type".to_owned(),
            ),
            None => (
                (requestable + 6) / 7,
                "physical GPUs assumed: its MIG slices ÷ 7, rounded up".to_owned(),
            ),
        };
    } else if sharing.mig_devices > 0 {
        (gpu.physical, gpu.basis) = match (sharing.count_label, catalogue) {
            (Some(n), _) => (n, "physical GPUs from nvidia.com/gpu.count".to_owned()),
            (None, Some(n)) => (
                n,
                "physical GPUs from the catalogue's instance type".to_owned(),
            ),
            (None, None) => (
                requestable + 1,
                "physical GPUs assumed: its whole GPUs plus one carrying the slices".to_owned(),
            ),
        };
    } else if replicas > 1 && requestable > 0 {
        let fits = |n: &i64| n.saturating_mul(replicas) == requestable;
        (gpu.physical, gpu.basis) = match (sharing.count_label.filter(fits), catalogue.filter(fits))
        {
            (Some(n), _) => (n, "physical GPUs from nvidia.com/gpu.count".to_owned()),
            (None, Some(n)) => (
                n,
                "physical GPUs from the catalogue's instance type".to_owned(),
            ),
            (None, None) => {
                let n = (requestable + replicas - 1) / replicas;
                warnings.push(Warning::new(
                    "gpu_replicas_uneven",
                    object_ref("Node", None, &node.name),
                    format!(
                        "its {requestable} nvidia.com/gpu with nvidia.com/gpu.replicas={replicas} \
                         are not a whole number of physical GPUs and neither \
                         nvidia.com/gpu.count nor the catalogue says how many it has: {n} \
                         assumed ({requestable} ÷ {replicas}, rounded up)"
                    ),
                ));
                (
                    n,
                    format!("physical GPUs assumed: {requestable} ÷ {replicas}, rounded up"),
                )
            }
        };
    } else {
        gpu.physical = node.gpus.max(0);
    }
    gpu
}

/// One `gpu_mig_unpriced` warning per node with MIG slices: what is not priced and where its
/// GPU cost goes.
fn mig_warnings(cluster: &Cluster, nodes: &[NodeCost], warnings: &mut Vec<Warning>) {
    for (n, node) in nodes.iter().zip(&cluster.nodes) {
        if !n.gpu.mig {
            continue;
        }
        let slices = if n.gpu.mig_single {
            format!(
                "its {} nvidia.com/gpu are MIG slices (nvidia.com/mig.strategy=single)",
                n.gpu.requestable
            )
        } else {
            format!(
                "it has {} MIG slices (nvidia.com/mig-*)",
                node.gpu_sharing.mig_devices
            )
        };
        let slice_requests = if n.gpu.mig_single {
            n.gpu.requested
        } else {
            n.gpu.requested_mig
        };
        warnings.push(Warning::new(
            "gpu_mig_unpriced",
            object_ref("Node", None, &node.name),
            format!(
                "{slices}; MIG slices are not priced: its pods requesting {slice_requests} \
                 slice{} pay CPU and memory only, and the share of its price for {} physical \
                 GPU{} ({}; {}) counts as idle GPU cost except what pods requesting whole GPUs pay",
                if slice_requests == 1 { "" } else { "s" },
                n.gpu.physical,
                if n.gpu.physical == 1 { "" } else { "s" },
                fmt_hourly(n.gpu.share_hourly()),
                n.gpu.basis
            ),
        ));
    }
}

fn representative_pod(cluster: &Cluster, pods: &[usize]) -> Option<usize> {
    let get = |i: &usize| cluster.pods.get(*i);
    pods.iter()
        .find(|i| get(i).is_some_and(|p: &Pod| p.phase == PodPhase::Running))
        .or_else(|| {
            pods.iter()
                .find(|i| get(i).is_some_and(|p| p.holds_resources))
        })
        .or_else(|| pods.first())
        .copied()
}

fn workload_costs(
    cluster: &Cluster,
    pods: &[PodCost],
    warnings: &mut Vec<Warning>,
) -> Vec<WorkloadCost> {
    let mut out = Vec::with_capacity(cluster.workloads.len());
    for (index, w) in cluster.workloads.iter().enumerate() {
        let mut cost = WorkloadCost {
            workload: index,
            hourly: 0.0,
            requested: CpuMemory::default(),
            pods_holding_resources: 0,
            pods_without_requests: 0,
            gpus: 0,
            gpu_hourly: 0.0,
            estimate: false,
            representative_pod: representative_pod(cluster, &w.pods),
        };
        for &p in &w.pods {
            let (Some(pod), Some(pc)) = (cluster.pods.get(p), pods.get(p)) else {
                continue;
            };
            if !pod.holds_resources {
                continue;
            }
            cost.pods_holding_resources += 1;
            cost.requested.add(&pod.effective_request);
            cost.hourly += pc.hourly;
            cost.gpus = cost.gpus.saturating_add(pc.gpus);
            cost.gpu_hourly += pc.gpu_hourly;
            cost.estimate |= pc.estimate;
            if pc.no_requests {
                cost.pods_without_requests += 1;
            }
        }
        if cost.pods_without_requests > 0 {
            let n = cost.pods_without_requests;
            let of = cost.pods_holding_resources;
            warnings.push(Warning::new(
                "no_requests",
                object_ref(&w.kind, Some(&w.namespace), &w.name),
                format!(
                    "{n} of its {of} running pod{} request{} no CPU or memory: {} 0 by \
                     requests and {} usage hides in the nodes' idle cost",
                    if of == 1 { "" } else { "s" },
                    if n == 1 { "s" } else { "" },
                    if n == 1 { "it costs" } else { "they cost" },
                    if n == 1 { "its" } else { "their" },
                ),
            ));
        }
        out.push(cost);
    }
    out
}

fn namespace_costs(cluster: &Cluster, pods: &[PodCost]) -> Vec<NamespaceCost> {
    let mut by_name: BTreeMap<&str, NamespaceCost> = BTreeMap::new();
    for (pod, cost) in cluster.pods.iter().zip(pods) {
        let ns = by_name
            .entry(pod.namespace.as_str())
            .or_insert_with(|| NamespaceCost {
                name: pod.namespace.clone(),
                pods: 0,
                workloads: 0,
                hourly: 0.0,
                estimate: false,
            });
        ns.pods += 1;
        ns.hourly += cost.hourly;
        ns.estimate |= cost.estimate;
    }
    for w in &cluster.workloads {
        if let Some(ns) = by_name.get_mut(w.namespace.as_str()) {
            ns.workloads += 1;
        }
    }
    by_name.into_values().collect()
}

fn pool_costs(cluster: &Cluster, nodes: &[NodeCost]) -> Vec<PoolCost> {
    type Key = (
        Provider,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<CapacityType>,
    );
    let mut pools: BTreeMap<Key, PoolCost> = BTreeMap::new();
    for (node, cost) in cluster.nodes.iter().zip(nodes) {
        let key = (
            node.provider,
            node.region.clone(),
            node.node_pool.clone(),
            if node.node_pool.is_none() {
                node.instance_type.clone()
            } else {
                None
            },
            node.node_pool.is_none().then_some(node.capacity_type),
        );
        let pool = pools.entry(key).or_insert_with(|| PoolCost {
            name: node.node_pool.clone(),
            provider: node.provider,
            region: node.region.clone(),
            instance_types: Vec::new(),
            capacity_type: None,
            capacity_types: Vec::new(),
            nodes: Vec::new(),
            hourly: 0.0,
            idle_hourly: 0.0,
            requested: CpuMemory::default(),
            allocatable: CpuMemory::default(),
            estimate: false,
        });
        pool.nodes.push(cost.node);
        if let Some(it) = &node.instance_type {
            pool.instance_types.push(it.clone());
        }
        pool.capacity_types.push(node.capacity_type);
        pool.hourly += cost.hourly_price;
        pool.idle_hourly += cost.idle_hourly;
        pool.requested.add_cm(cost.requested);
        pool.allocatable.add_cm(cost.allocatable);
        pool.estimate |= cost.estimate;
    }
    pools
        .into_values()
        .map(|mut p| {
            let types: BTreeSet<String> = p.instance_types.drain(..).collect();
            p.instance_types = types.into_iter().collect();
            let caps: BTreeSet<CapacityType> = p.capacity_types.drain(..).collect();
            p.capacity_types = caps.into_iter().collect();
            p.capacity_type = match p.capacity_types.as_slice() {
                [one] => Some(*one),
                _ => None,
            };
            p
        })
        .collect()
}

/// CPU and memory amounts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Amount {
    /// CPU in cores (millicores / 1000).
    pub cpu_cores: f64,
    /// Memory in bytes.
    pub memory_bytes: i64,
}

impl From<CpuMemory> for Amount {
    fn from(c: CpuMemory) -> Amount {
        Amount {
            cpu_cores: c.cores(),
            memory_bytes: c.memory_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::rates::{
        CPU_MEMORY_PRICE_RATIO, FALLBACK_CPU_CORE_HOURLY, FALLBACK_MEMORY_GIB_HOURLY,
    };

    #[test]
    fn split_allocates_the_whole_price() {
        let r = Rates::split(0.096, 1.93, 7.0).unwrap();
        assert!((r.cost(1.93, 7.0) - 0.096).abs() < 1e-15);
        assert!((r.cpu_core_hourly / r.memory_gib_hourly - CPU_MEMORY_PRICE_RATIO).abs() < 1e-12);
        assert_eq!(Rates::split(1.0, 0.0, 0.0), None);
        assert_eq!(Rates::split(f64::NAN, 1.0, 1.0), None);
        let only_mem = Rates::split(1.0, 0.0, 4.0).unwrap();
        assert!((only_mem.memory_gib_hourly - 0.25).abs() < 1e-15);
    }

    #[test]
    fn fallback_rates_match_the_split_of_their_own_price() {
        let p = Rates::FALLBACK.cost(2.0, 8.0);
        let r = Rates::split(p, 2.0, 8.0).unwrap();
        assert!((r.cpu_core_hourly - FALLBACK_CPU_CORE_HOURLY).abs() < 1e-15);
        assert!((r.memory_gib_hourly - FALLBACK_MEMORY_GIB_HOURLY).abs() < 1e-15);
    }

    #[test]
    fn a_requested_gpu_pays_a_replica_or_a_whole_gpu_and_mig_slices_nothing() {
        let whole = NodeGpus {
            requestable: 2,
            physical: 2,
            replicas: 1,
            physical_hourly: 0.8,
            ..NodeGpus::default()
        };
        assert_eq!(unit_gpu_rate(&whole), 0.8);
        let sliced = NodeGpus {
            requestable: 8,
            replicas: 4,
            ..whole.clone()
        };
        assert_eq!(unit_gpu_rate(&sliced), 0.2);
        let unit = NodeGpus {
            unit_hourly: 0.2,
            ..sliced.clone()
        };
        assert_eq!(unit.charge(3), 3.0 * 0.2);
        assert_eq!(unit.charge(0), 0.0);
        assert!((unit.share_hourly() - 1.6).abs() < 1e-15);
        let mig = NodeGpus {
            mig: true,
            mig_single: true,
            unit_hourly: 0.2,
            ..sliced
        };
        assert_eq!(unit_gpu_rate(&mig), 0.0);
        assert_eq!(mig.charge(2), 0.0);
        let none = NodeGpus {
            requestable: 0,
            ..whole
        };
        assert_eq!(unit_gpu_rate(&none), 0.0);
    }

    #[test]
    fn unit_conversions() {
        assert_eq!(cores(250), 0.25);
        assert_eq!(cores(-5), 0.0);
        assert_eq!(gib(1 << 29), 0.5);
    }
}
