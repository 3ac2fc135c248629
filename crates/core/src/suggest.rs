//! Node shape suggestions: for each node pool, cheaper instance types (and node counts) that hold
//! the pool's requested demand, the same type with fewer nodes, and what spot capacity would save.
//! `docs/cost-model.md` ("Node shape suggestions") explains it for people.
//!
//! Pure functions over the cluster, its cost model and the price sources:
//!
//! * **Pools** are [`CostModel::pools`] (one grouping for the report's `node_pools[]` and for
//!   these suggestions, see [`crate::cost`]).
//! * **Demand** ([`pool_demand`]): Σ effective requests of the non-DaemonSet pods holding
//!   resources on the pool's nodes (optionally replaced per pod, for recommended requests), the
//!   largest single pod (it must fit on one node), and the per-node DaemonSet overhead (Σ over the
//!   DaemonSets on the pool of their largest pod): DaemonSets come with every node, so their
//!   requests reduce each candidate node's usable capacity instead of adding to demand.
//! * **Candidates**: catalogue types of the pool's provider offered in its region, with the same
//!   architecture and GPU presence (GPU pools: the same family with at least the pool's GPUs per
//!   node; other pools: no GPU types), priced through the same [`PriceSources`] as the nodes for
//!   the pool's capacity type (spot pools need a spot price). A candidate's allocatable is its
//!   capacity (vCPU, memory) times the pool's allocatable/capacity ratio, per resource.
//! * **Choice**: `nodes = max(min, ⌈cpu / (⌊alloc_cpu × target⌋ − ds_cpu)⌉,
//!   ⌈mem / (⌊alloc_mem × target⌋ − ds_mem)⌉, ⌈gpus / (gpus_per_node − ds_gpus)⌉)` in exact
//!   integers (millicores, bytes); candidates the largest pod does not fit on are skipped; cost =
//!   nodes × hourly price × 730. The cheapest [`SuggestSettings::max_candidates`] (ties by name)
//!   are listed, then the pool's most common type with fewer nodes, then (on-demand pools) the
//!   cheapest option on spot.
//!
//! Suggestions are sized on requests, not usage, and are separate from pod right-sizing savings:
//! the two are not additive without re-packing the pods.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::cluster::Cluster;
use crate::cost::Amount;
use crate::cost::{CostModel, CpuMemory, HOURS_PER_MONTH, PoolCost};
use crate::diagnostics::Warning;
use crate::format::{fmt_usd, trim_decimal};
use crate::model::{CapacityType, Provider};
use crate::nodes::Node;
use crate::pricing::catalogue::{Arch, Catalogue, InstanceSpec};
use crate::pricing::sources::{PriceQuery, PriceSource, PriceSources};

/// The default target utilisation of requests over allocatable (85%).
pub const DEFAULT_TARGET_UTILISATION: f64 = 0.85;

/// The default number of reshape suggestions listed per pool.
pub const DEFAULT_MAX_CANDIDATES: usize = 3;

/// Workloads named in a pool's spot caution at most.
pub const SPOT_WORKLOADS_SHOWN: usize = 10;

/// Zones from which a pool keeps at least 3 nodes by default.
const ZONE_SPREAD_MIN_NODES: usize = 3;

/// How node suggestions are sized.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestSettings {
    /// Fraction of a node's allocatable CPU and memory the pods' requests may fill, in `(0, 1]`
    /// (default 0.85). Invalid values fall back to the default with an `invalid_setting` warning.
    pub target_utilisation: f64,
    /// Minimum nodes per pool; `None` (default) means 1, or 3 when the pool spans 3+ zones.
    /// Values below 1 count as 1.
    pub min_nodes: Option<usize>,
    /// Reshape suggestions listed per pool (default 3).
    pub max_candidates: usize,
}

impl Default for SuggestSettings {
    fn default() -> SuggestSettings {
        SuggestSettings {
            target_utilisation: DEFAULT_TARGET_UTILISATION,
            min_nodes: None,
            max_candidates: DEFAULT_MAX_CANDIDATES,
        }
    }
}

/// What a suggestion changes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// Another instance type, sized for the demand.
    Reshape,
    /// The pool's (most common) current type with the node count the demand needs.
    SameTypeFewerNodes,
    /// The cheapest option bought as spot capacity (on-demand pools only).
    Spot,
}

/// CPU and memory utilisation fractions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Utilisation {
    /// Requested CPU (demand plus DaemonSets) over allocatable CPU.
    pub cpu: f64,
    /// Requested memory (demand plus DaemonSets) over allocatable memory.
    pub memory: f64,
}

/// One way to run a pool.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct NodeSuggestion {
    /// `reshape`, `same_type_fewer_nodes` or `spot`.
    pub kind: SuggestionKind,
    /// Instance type of every node.
    pub instance_type: String,
    /// Node count.
    pub nodes: usize,
    /// USD per hour of one node.
    pub hourly_price: f64,
    /// Where the price came from.
    pub price_source: PriceSource,
    /// The capacity type whose price was used.
    pub capacity_type: CapacityType,
    /// True when the price is an estimate (an assumed spot discount).
    pub price_estimate: bool,
    /// One node's estimated allocatable (capacity × the pool's allocatable/capacity ratio).
    pub estimated_allocatable: Amount,
    /// `nodes × hourly_price × 730`.
    pub monthly_cost: f64,
    /// The pool's current monthly cost minus `monthly_cost` (negative: more expensive).
    pub monthly_savings: f64,
    /// True when the largest pod (plus the DaemonSets) fits on one node.
    pub fits_largest_pod: bool,
    /// Expected utilisation of allocatable with the demand spread over `nodes`.
    pub expected_utilisation: Utilisation,
}

/// The largest single pod on a pool, per resource (the CPU and the memory maximum may come from
/// different pods).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct LargestPod {
    /// The largest CPU request, in cores.
    pub cpu_cores: f64,
    /// The largest memory request, in bytes.
    pub memory_bytes: i64,
    /// The largest GPU request.
    pub gpus: i64,
    /// `namespace/name` of the pod with the largest CPU request.
    pub cpu_pod: Option<String>,
    /// `namespace/name` of the pod with the largest memory request.
    pub memory_pod: Option<String>,
}

/// What a pool's pods need, for the report.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PoolDemandRow {
    /// `current` (requests as they are) or `recommended` (recommended requests where given).
    pub basis: String,
    /// Non-DaemonSet pods holding resources on the pool.
    pub pods: usize,
    /// Σ their current effective requests.
    pub requests: Amount,
    /// Σ their requests with recommendations applied, `null` without recommendations.
    pub recommended_requests: Option<Amount>,
    /// Σ their GPU requests.
    pub gpus: i64,
    /// DaemonSets running on the pool.
    pub daemonsets: usize,
    /// Requests every node carries for DaemonSets.
    pub daemonset_per_node: Amount,
    /// The largest single pod.
    pub largest_pod: LargestPod,
}

/// The spot option of an on-demand pool.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SpotInfo {
    /// The pool's current nodes priced as spot, `null` when some node's type has no spot price.
    pub monthly_cost: Option<f64>,
    /// Current monthly cost minus `monthly_cost`.
    pub monthly_savings: Option<f64>,
    /// True when spot prices are estimates (an assumed spot discount).
    pub price_estimate: bool,
    /// Why there is no spot figure, when there is none.
    pub note: Option<String>,
    /// Spot capacity can be reclaimed at short notice: for people.
    pub caution: String,
    /// StatefulSets and single-replica Deployments on the pool (`Kind namespace/name`), at most
    /// [`SPOT_WORKLOADS_SHOWN`].
    pub interruption_sensitive: Vec<String>,
    /// How many there are in all.
    pub interruption_sensitive_total: usize,
}

/// Suggestions for one pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolSuggestions {
    /// The pool's node names, sorted (identifies the pool).
    pub nodes: Vec<String>,
    /// Distinct zones of its nodes, sorted.
    pub zones: Vec<String>,
    /// The pool's current monthly cost.
    pub current_monthly_cost: f64,
    /// The minimum node count used.
    pub min_nodes: usize,
    /// What the pods need; `null` when the pool could not be analysed.
    pub demand: Option<PoolDemandRow>,
    /// Reshapes (cheapest first), then same type with fewer nodes, then spot.
    pub suggestions: Vec<NodeSuggestion>,
    /// Why there are no (or fewer) suggestions.
    pub reason: Option<String>,
    /// The spot option (on-demand pools).
    pub spot: Option<SpotInfo>,
    /// What the figures assume.
    pub assumptions: Vec<String>,
}

impl PoolSuggestions {
    /// The cheapest non-spot suggestion that fits the largest pod, if any.
    pub fn best(&self) -> Option<&NodeSuggestion> {
        self.suggestions
            .iter()
            .filter(|s| s.kind != SuggestionKind::Spot && s.fits_largest_pod)
            .min_by(|a, b| {
                cost_key(a.monthly_cost)
                    .cmp(&cost_key(b.monthly_cost))
                    .then_with(|| a.instance_type.cmp(&b.instance_type))
            })
    }

    /// The saving of [`PoolSuggestions::best`], at least 0.
    pub fn best_monthly_savings(&self) -> f64 {
        self.best().map_or(0.0, |s| s.monthly_savings.max(0.0))
    }
}

/// The cluster-level summary (`node_recommendations` in the report).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct NodeRecommendations {
    /// The target utilisation used.
    pub target_utilisation: f64,
    /// Σ per pool of the best non-spot option's saving (pools with no saving count 0).
    pub total_monthly_savings: f64,
    /// Σ per on-demand pool of the spot option's saving (for interruption-tolerant workloads).
    pub spot_monthly_savings: f64,
    /// Pools with at least one suggestion.
    pub pools_with_suggestions: usize,
    /// How to read these figures.
    pub note: String,
}

impl Default for NodeRecommendations {
    fn default() -> NodeRecommendations {
        NodeRecommendations {
            target_utilisation: DEFAULT_TARGET_UTILISATION,
            total_monthly_savings: 0.0,
            spot_monthly_savings: 0.0,
            pools_with_suggestions: 0,
            note: "node suggestions were not computed".to_owned(),
        }
    }
}

/// Everything [`suggest`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeSuggestions {
    /// One per [`CostModel::pools`], in that order.
    pub pools: Vec<PoolSuggestions>,
    /// Cluster totals.
    pub summary: NodeRecommendations,
    /// Setting problems (`invalid_setting`).
    pub warnings: Vec<Warning>,
}

/// A pool's demand in exact integers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PoolDemand {
    /// Σ current effective requests of non-DaemonSet pods.
    pub current: CpuMemory,
    /// Σ requests with the per-pod overrides applied (equal to `current` without overrides).
    pub effective: CpuMemory,
    /// True when overrides were given.
    pub recommended: bool,
    /// Non-DaemonSet pods counted.
    pub pods: usize,
    /// Σ GPU requests of non-DaemonSet pods.
    pub gpus: i64,
    /// Per-node DaemonSet requests (Σ over DaemonSets of their largest pod on the pool).
    pub daemonset: CpuMemory,
    /// Per-node DaemonSet GPU requests.
    pub daemonset_gpus: i64,
    /// DaemonSets on the pool.
    pub daemonsets: usize,
    /// The largest CPU and memory request of a single non-DaemonSet pod (after overrides).
    pub largest: CpuMemory,
    /// The largest GPU request of a single pod.
    pub largest_gpus: i64,
    /// Pod index with the largest CPU request.
    pub largest_cpu_pod: Option<usize>,
    /// Pod index with the largest memory request.
    pub largest_memory_pod: Option<usize>,
}

/// Computes what the pods on `pool` need. `overrides`, when given, is indexed like
/// [`Cluster::pods`]: `Some(requests)` replaces that pod's effective CPU and memory request (for
/// recommended requests); `None` entries and pods beyond the slice keep their current requests.
pub fn pool_demand(
    cluster: &Cluster,
    costs: &CostModel,
    pool: &PoolCost,
    overrides: Option<&[Option<CpuMemory>]>,
) -> PoolDemand {
    let mut d = PoolDemand {
        recommended: overrides.is_some(),
        ..PoolDemand::default()
    };
    let mut ds: BTreeMap<usize, (CpuMemory, i64)> = BTreeMap::new();
    for &n in &pool.nodes {
        let Some(node_cost) = costs.nodes.get(n) else {
            continue;
        };
        for &p in &node_cost.pods {
            let Some(pod) = cluster.pods.get(p) else {
                continue;
            };
            let eff = pod.effective_request;
            let current = CpuMemory {
                cpu_millis: eff.cpu_millis.max(0),
                memory_bytes: eff.memory_bytes.max(0),
            };
            let wanted = overrides
                .and_then(|o| o.get(p).copied().flatten())
                .map(|r| CpuMemory {
                    cpu_millis: r.cpu_millis.max(0),
                    memory_bytes: r.memory_bytes.max(0),
                })
                .unwrap_or(current);
            let gpus = eff.gpus.max(0);
            let is_ds = cluster
                .workloads
                .get(pod.workload)
                .is_some_and(|w| w.kind == "DaemonSet");
            if is_ds {
                let e = ds.entry(pod.workload).or_default();
                e.0.cpu_millis = e.0.cpu_millis.max(wanted.cpu_millis);
                e.0.memory_bytes = e.0.memory_bytes.max(wanted.memory_bytes);
                e.1 = e.1.max(gpus);
                continue;
            }
            d.pods += 1;
            d.current = add(d.current, current);
            d.effective = add(d.effective, wanted);
            d.gpus = d.gpus.saturating_add(gpus);
            if d.largest_cpu_pod.is_none() || wanted.cpu_millis > d.largest.cpu_millis {
                d.largest.cpu_millis = wanted.cpu_millis;
                d.largest_cpu_pod = Some(p);
            }
            if d.largest_memory_pod.is_none() || wanted.memory_bytes > d.largest.memory_bytes {
                d.largest.memory_bytes = wanted.memory_bytes;
                d.largest_memory_pod = Some(p);
            }
            d.largest_gpus = d.largest_gpus.max(gpus);
        }
    }
    d.daemonsets = ds.len();
    for (r, g) in ds.values() {
        d.daemonset = add(d.daemonset, *r);
        d.daemonset_gpus = d.daemonset_gpus.saturating_add(*g);
    }
    d
}

fn add(a: CpuMemory, b: CpuMemory) -> CpuMemory {
    CpuMemory {
        cpu_millis: a.cpu_millis.saturating_add(b.cpu_millis),
        memory_bytes: a.memory_bytes.saturating_add(b.memory_bytes),
    }
}

/// The usable target utilisation: `target` when finite and in `(0, 1]`.
pub fn valid_target(target: f64) -> Option<f64> {
    (target.is_finite() && target > 0.0 && target <= 1.0).then_some(target)
}

/// Per-node shape of a candidate, in exact integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeShape {
    /// Allocatable CPU and memory of one node.
    pub allocatable: CpuMemory,
    /// GPUs of one node.
    pub gpus: i64,
}

/// How many nodes of `shape` hold `demand` at `target` utilisation with at least `min_nodes`, or
/// `None` when one node cannot hold any demand (the DaemonSets fill the usable capacity, or
/// demand needs GPUs the shape lacks). Exact integer arithmetic:
/// `max(min, ⌈cpu / (⌊alloc_cpu × target⌋ − ds_cpu)⌉, ⌈mem / (⌊alloc_mem × target⌋ − ds_mem)⌉,
/// ⌈gpus / (gpus_per_node − ds_gpus)⌉)`.
pub fn node_count(
    demand: &PoolDemand,
    shape: NodeShape,
    target: f64,
    min_nodes: usize,
) -> Option<usize> {
    let usable = |alloc: i64| (alloc.max(0) as f64 * target).floor() as i64;
    let need = |want: i64, per_node: i64| -> Option<i64> {
        if want <= 0 {
            Some(0)
        } else if per_node <= 0 {
            None
        } else {
            Some(want / per_node + i64::from(want % per_node != 0))
        }
    };
    let cpu = need(
        demand.effective.cpu_millis,
        usable(shape.allocatable.cpu_millis).saturating_sub(demand.daemonset.cpu_millis),
    )?;
    let mem = need(
        demand.effective.memory_bytes,
        usable(shape.allocatable.memory_bytes).saturating_sub(demand.daemonset.memory_bytes),
    )?;
    let gpu = need(
        demand.gpus,
        shape.gpus.saturating_sub(demand.daemonset_gpus),
    )?;
    let n = cpu.max(mem).max(gpu);
    Some(
        usize::try_from(n)
            .unwrap_or(usize::MAX)
            .max(min_nodes.max(1)),
    )
}

/// True when the largest pod plus the DaemonSets fit on one node of `shape` (at 100%).
pub fn fits_largest_pod(demand: &PoolDemand, shape: NodeShape) -> bool {
    let a = shape.allocatable;
    demand
        .largest
        .cpu_millis
        .saturating_add(demand.daemonset.cpu_millis)
        <= a.cpu_millis
        && demand
            .largest
            .memory_bytes
            .saturating_add(demand.daemonset.memory_bytes)
            <= a.memory_bytes
        && demand.largest_gpus.saturating_add(demand.daemonset_gpus) <= shape.gpus
}

/// True for burstable / shared-core types (AWS `t*`, GCP `e2-micro|small|medium`, `f1-micro`,
/// `g1-small`, Azure B-series), which are only suggested to pools already running them.
pub fn is_burstable(provider: Provider, instance_type: &str) -> bool {
    match provider {
        Provider::Aws => {
            let b = instance_type.as_bytes();
            b.first() == Some(&b't') && b.get(1).is_some_and(u8::is_ascii_digit)
        }
        Provider::Gcp => matches!(
            instance_type,
            "e2-micro" | "e2-small" | "e2-medium" | "f1-micro" | "g1-small"
        ),
        Provider::Azure => instance_type.to_ascii_lowercase().starts_with("standard_b"),
        _ => false,
    }
}

/// The instance family used to keep GPU pools on the same GPU model: AWS `g5` (before the
/// dot), GCP `a2-highgpu` (before the last dash), Azure `standard_ncads_a100_v4` (the name without
/// its first run of digits, lower case).
pub fn instance_family(provider: Provider, instance_type: &str) -> String {
    match provider {
        Provider::Aws => instance_type
            .split_once('.')
            .map_or(instance_type, |(f, _)| f)
            .to_owned(),
        Provider::Gcp => instance_type
            .rsplit_once('-')
            .map_or(instance_type, |(f, _)| f)
            .to_owned(),
        _ => {
            let lower = instance_type.to_ascii_lowercase();
            let mut out = String::with_capacity(lower.len());
            let mut state = 0; // 0 before the first digit run, 1 inside it, 2 after it
            for c in lower.chars() {
                let digit = c.is_ascii_digit();
                state = match (state, digit) {
                    (0, true) | (1, true) => 1,
                    (1, false) | (2, _) => 2,
                    _ => 0,
                };
                if state != 1 {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// Estimates a candidate's allocatable from its capacity with `ratio` (allocatable/capacity per
/// resource, in `[0, 1]`).
fn estimate_allocatable(spec: &InstanceSpec, ratio: (f64, f64)) -> CpuMemory {
    let cpu = f64::from(spec.vcpu) * 1000.0 * ratio.0;
    let mem = spec.memory_bytes() as f64 * ratio.1;
    CpuMemory {
        cpu_millis: if cpu.is_finite() {
            cpu.floor() as i64
        } else {
            0
        },
        memory_bytes: if mem.is_finite() {
            mem.floor() as i64
        } else {
            0
        },
    }
}

fn ratio(alloc: i64, cap: i64) -> Option<f64> {
    (cap > 0 && alloc > 0).then(|| (alloc as f64 / cap as f64).min(1.0))
}

fn arch_of(name: &str) -> Option<Arch> {
    match name {
        "amd64" => Some(Arch::Amd64),
        "arm64" => Some(Arch::Arm64),
        _ => None,
    }
}

fn pod_label(cluster: &Cluster, p: Option<usize>) -> Option<String> {
    let pod = cluster.pods.get(p?)?;
    Some(format!("{}/{}", pod.namespace, pod.name))
}

struct PoolContext<'a> {
    cluster: &'a Cluster,
    prices: &'a PriceSources<'a>,
    provider: Provider,
    region: &'a str,
    arch: Arch,
    gpus_per_node: i64,
    family: Option<String>,
    allow_burstable: bool,
    ratio: (f64, f64),
    demand: &'a PoolDemand,
    target: f64,
    min_nodes: usize,
    current_monthly: f64,
}

struct Priced {
    hourly: f64,
    source: PriceSource,
    capacity: CapacityType,
    estimate: bool,
}

impl PoolContext<'_> {
    /// The price of `instance_type` bought as `capacity`, only when a source has a price for
    /// that capacity (no on-demand stand-in for spot).
    fn price(&self, instance_type: &str, capacity: CapacityType) -> Option<Priced> {
        let l = self.prices.lookup(PriceQuery {
            provider: self.provider,
            instance_type: Some(instance_type),
            region: Some(self.region),
            capacity_type: capacity,
        });
        let hourly = l.usd_per_hour.filter(|p| p.is_finite() && *p >= 0.0)?;
        if l.source == PriceSource::Fallback {
            return None;
        }
        if capacity == CapacityType::Spot && l.priced_as != CapacityType::Spot {
            return None;
        }
        Some(Priced {
            hourly,
            source: l.source,
            capacity: l.priced_as,
            estimate: l.estimate,
        })
    }

    fn shape(&self, spec: &InstanceSpec) -> NodeShape {
        NodeShape {
            allocatable: estimate_allocatable(spec, self.ratio),
            gpus: i64::from(spec.gpu.unwrap_or(0)),
        }
    }

    /// True when `spec` matches the pool's architecture and GPU needs.
    fn eligible(&self, instance_type: &str, spec: &InstanceSpec) -> bool {
        if spec.arch != Some(self.arch) || spec.vcpu == 0 || spec.memory_gib_x10k == 0 {
            return false;
        }
        let Some(gpus) = spec.gpu else {
            return false;
        };
        if self.gpus_per_node > 0 {
            i64::from(gpus) >= self.gpus_per_node
                && self.family.as_deref()
                    == Some(instance_family(self.provider, instance_type).as_str())
        } else {
            gpus == 0 && (self.allow_burstable || !is_burstable(self.provider, instance_type))
        }
    }

    fn suggestion(
        &self,
        kind: SuggestionKind,
        instance_type: &str,
        spec: &InstanceSpec,
        priced: &Priced,
        force: bool,
    ) -> Option<NodeSuggestion> {
        let shape = self.shape(spec);
        let fits = fits_largest_pod(self.demand, shape);
        if !fits && !force {
            return None;
        }
        let nodes = node_count(self.demand, shape, self.target, self.min_nodes)?;
        let monthly_cost = nodes as f64 * priced.hourly * HOURS_PER_MONTH;
        let frac = |want: i64, ds: i64, alloc: i64| {
            let total = alloc as f64 * nodes as f64;
            if total > 0.0 {
                (want as f64 + ds as f64 * nodes as f64) / total
            } else {
                0.0
            }
        };
        Some(NodeSuggestion {
            kind,
            instance_type: instance_type.to_owned(),
            nodes,
            hourly_price: priced.hourly,
            price_source: priced.source,
            capacity_type: priced.capacity,
            price_estimate: priced.estimate,
            estimated_allocatable: shape.allocatable.into(),
            monthly_cost,
            monthly_savings: self.current_monthly - monthly_cost,
            fits_largest_pod: fits,
            expected_utilisation: Utilisation {
                cpu: frac(
                    self.demand.effective.cpu_millis,
                    self.demand.daemonset.cpu_millis,
                    shape.allocatable.cpu_millis,
                ),
                memory: frac(
                    self.demand.effective.memory_bytes,
                    self.demand.daemonset.memory_bytes,
                    shape.allocatable.memory_bytes,
                ),
            },
        })
    }

    /// Every eligible candidate priced as `capacity` that fits, cheapest first (ties by name).
    fn candidates(&self, capacity: CapacityType, exclude: Option<&str>) -> Vec<NodeSuggestion> {
        let Some(cat) = self.prices.catalogue else {
            return Vec::new();
        };
        let mut out: Vec<NodeSuggestion> = Vec::new();
        let kind = if capacity == CapacityType::Spot {
            SuggestionKind::Spot
        } else {
            SuggestionKind::Reshape
        };
        let mut universe: BTreeSet<&str> = cat
            .instance_types(self.provider, self.region, CapacityType::OnDemand)
            .map(|(t, _)| t)
            .collect();
        universe.extend(
            cat.instance_types(self.provider, self.region, CapacityType::Spot)
                .map(|(t, _)| t),
        );
        for t in universe {
            if exclude.is_some_and(|e| e == t) || is_previous_generation(self.provider, t) {
                continue;
            }
            let Some(spec) = cat.spec(self.provider, t) else {
                continue;
            };
            if !self.eligible(t, &spec) {
                continue;
            }
            let Some(priced) = self.price(t, capacity) else {
                continue;
            };
            if let Some(s) = self.suggestion(kind, t, &spec, &priced, false) {
                out.push(s);
            }
        }
        sort_suggestions(&mut out);
        out
    }
}

/// Monthly cost in whole micro-dollars, so that float noise does not break ties by name.
fn cost_key(monthly: f64) -> i64 {
    let v = (monthly * 1e6).round();
    if v.is_finite() { v as i64 } else { i64::MAX }
}

fn sort_suggestions(v: &mut [NodeSuggestion]) {
    v.sort_by(|a, b| {
        cost_key(a.monthly_cost)
            .cmp(&cost_key(b.monthly_cost))
            .then_with(|| a.instance_type.cmp(&b.instance_type))
            .then_with(|| a.nodes.cmp(&b.nodes))
    });
}

/// AWS previous-generation families, never suggested.
const AWS_PREVIOUS_GENERATION: &[&str] = &[
    "c1", "c3", "cc2", "cg1", "cr1", "g2", "hi1", "hs1", "i2", "m1", "m2", "m3", "r3", "t1",
];

/// True for instance types the suggestions never offer: AWS previous-generation families.
pub fn is_previous_generation(provider: Provider, instance_type: &str) -> bool {
    provider == Provider::Aws
        && AWS_PREVIOUS_GENERATION.contains(&instance_family(provider, instance_type).as_str())
}

const SPOT_CAUTION: &str = "spot capacity can be reclaimed at short notice: only for workloads \
                            that tolerate interruption (several replicas, disruption budgets, no \
                            single-instance state)";

/// Suggests node shapes for every pool of `costs`, pricing candidates with `prices` (the same
/// sources the nodes were priced with). `overrides`: see [`pool_demand`] (pass `None` to size on
/// current requests). Never panics; never divides by zero.
pub fn suggest(
    cluster: &Cluster,
    costs: &CostModel,
    prices: &PriceSources<'_>,
    settings: &SuggestSettings,
    overrides: Option<&[Option<CpuMemory>]>,
) -> NodeSuggestions {
    let mut warnings = Vec::new();
    let target = valid_target(settings.target_utilisation).unwrap_or_else(|| {
        warnings.push(Warning::new(
            "invalid_setting",
            "",
            format!(
                "the target utilisation {} is not a fraction in (0, 1]; node suggestions use {}",
                settings.target_utilisation, DEFAULT_TARGET_UTILISATION
            ),
        ));
        DEFAULT_TARGET_UTILISATION
    });
    let pools: Vec<PoolSuggestions> = costs
        .pools
        .iter()
        .map(|p| suggest_pool(cluster, costs, prices, settings, target, p, overrides))
        .collect();
    let total = pools
        .iter()
        .map(PoolSuggestions::best_monthly_savings)
        .fold(0.0, |a, b| a + b);
    let spot = pools
        .iter()
        .filter_map(|p| p.spot.as_ref()?.monthly_savings)
        .map(|s| s.max(0.0))
        .fold(0.0, |a, b| a + b);
    let with = pools.iter().filter(|p| !p.suggestions.is_empty()).count();
    let basis = if overrides.is_some() {
        "recommended requests"
    } else {
        "current requests"
    };
    let prices_words = if prices.discounts.is_empty() {
        "list prices"
    } else {
        "net prices (list prices less the discounts set)"
    };
    let note = format!(
        "Node suggestions are sized on {basis} at {}% target utilisation of allocatable CPU and \
         memory, from {prices_words}. They are separate from the pod right-sizing savings: the two \
         are not additive without re-packing the pods onto the new nodes. Spot savings are only \
         for workloads that tolerate interruption.",
        trim_decimal(target * 100.0, 2)
    );
    NodeSuggestions {
        pools,
        summary: NodeRecommendations {
            target_utilisation: target,
            total_monthly_savings: total,
            spot_monthly_savings: spot,
            pools_with_suggestions: with,
            note,
        },
        warnings,
    }
}

/// An instance type a pool could run on, as [`suggest`] chooses them: the pool's provider and
/// region, architecture and GPU rule, priced for the pool's capacity type, with its allocatable
/// estimated from the pool's allocatable/capacity ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The instance type.
    pub instance_type: String,
    /// USD per hour of one node.
    pub hourly_price: f64,
    /// One node's estimated allocatable CPU and memory.
    pub allocatable: CpuMemory,
    /// GPUs of one node.
    pub gpus: i64,
}

/// The pool's candidate instance types (by name, previous generations left out), priced at the
/// pool's capacity type or, with `spot`, as spot; or why there are none (no catalogue, unknown
/// region, no instance types, ...). Used by [`crate::repack`].
pub fn pool_candidates(
    cluster: &Cluster,
    prices: &PriceSources<'_>,
    pool: &PoolCost,
    spot: bool,
) -> Result<Vec<Candidate>, String> {
    let nodes: Vec<&Node> = pool
        .nodes
        .iter()
        .filter_map(|&i| cluster.nodes.get(i))
        .collect();
    let mut assumptions = Vec::new();
    let facts = PoolFacts::read(prices, pool, &nodes, &mut assumptions)?;
    let provider = pool.provider;
    let gpus_per_node = nodes.iter().map(|n| n.gpus.max(0)).max().unwrap_or(0);
    let demand = PoolDemand::default();
    let ctx = PoolContext {
        cluster,
        prices,
        provider,
        region: facts.region,
        arch: facts.arch,
        gpus_per_node,
        family: (gpus_per_node > 0).then(|| instance_family(provider, &facts.common)),
        allow_burstable: facts.types.keys().any(|t| is_burstable(provider, t)),
        ratio: facts.ratio,
        demand: &demand,
        target: 1.0,
        min_nodes: 1,
        current_monthly: 0.0,
    };
    let capacity = if spot {
        CapacityType::Spot
    } else {
        candidate_capacity(pool.capacity_type, &mut assumptions)
    };
    let cat = facts.catalogue;
    let mut universe: BTreeSet<&str> = cat
        .instance_types(provider, facts.region, CapacityType::OnDemand)
        .map(|(t, _)| t)
        .collect();
    universe.extend(
        cat.instance_types(provider, facts.region, CapacityType::Spot)
            .map(|(t, _)| t),
    );
    let mut out = Vec::new();
    for t in universe {
        if is_previous_generation(provider, t) {
            continue;
        }
        let Some(spec) = cat.spec(provider, t) else {
            continue;
        };
        if !ctx.eligible(t, &spec) {
            continue;
        }
        let Some(priced) = ctx.price(t, capacity) else {
            continue;
        };
        let shape = ctx.shape(&spec);
        out.push(Candidate {
            instance_type: t.to_owned(),
            hourly_price: priced.hourly,
            allocatable: shape.allocatable,
            gpus: shape.gpus,
        });
    }
    Ok(out)
}

/// One pool's suggestions: its outline, what the catalogue and its nodes say about it (or why
/// it cannot be analysed), what the candidates assume, then the candidates.
fn suggest_pool(
    cluster: &Cluster,
    costs: &CostModel,
    prices: &PriceSources<'_>,
    settings: &SuggestSettings,
    target: f64,
    pool: &PoolCost,
    overrides: Option<&[Option<CpuMemory>]>,
) -> PoolSuggestions {
    let nodes: Vec<&Node> = pool
        .nodes
        .iter()
        .filter_map(|&i| cluster.nodes.get(i))
        .collect();
    let demand = pool_demand(cluster, costs, pool, overrides);
    let mut out = pool_outline(cluster, settings, pool, &nodes, &demand);
    let facts = match PoolFacts::read(prices, pool, &nodes, &mut out.assumptions) {
        Ok(facts) => facts,
        Err(reason) => {
            out.reason = Some(reason);
            return out;
        }
    };
    let (provider, min_nodes) = (pool.provider, out.min_nodes);
    let zone_spread = settings.min_nodes.is_none() && min_nodes == ZONE_SPREAD_MIN_NODES;
    out.assumptions.extend(sizing_assumptions(
        facts.ratio,
        target,
        min_nodes,
        zone_spread,
    ));
    let gpus_per_node = nodes.iter().map(|n| n.gpus.max(0)).max().unwrap_or(0);
    let allow_burstable = facts.types.keys().any(|t| is_burstable(provider, t));
    out.assumptions.extend(candidate_rule(
        provider,
        gpus_per_node,
        allow_burstable,
        &facts.common,
    ));
    let capacity = candidate_capacity(pool.capacity_type, &mut out.assumptions);
    let ctx = PoolContext {
        cluster,
        prices,
        provider,
        region: facts.region,
        arch: facts.arch,
        gpus_per_node,
        family: (gpus_per_node > 0).then(|| instance_family(provider, &facts.common)),
        allow_burstable,
        ratio: facts.ratio,
        demand: &demand,
        target,
        min_nodes,
        current_monthly: out.current_monthly_cost,
    };
    add_suggestions(&ctx, &facts, settings, capacity, pool, &nodes, &mut out);
    if out.suggestions.is_empty() {
        out.reason = Some(no_candidate_reason(capacity, facts.region, provider));
    }
    out
}

/// A pool's suggestions before any candidate is looked at: its nodes, zones, minimum node
/// count, current cost and demand.
fn pool_outline(
    cluster: &Cluster,
    settings: &SuggestSettings,
    pool: &PoolCost,
    nodes: &[&Node],
    demand: &PoolDemand,
) -> PoolSuggestions {
    let mut names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
    names.sort();
    let zones: Vec<String> = nodes
        .iter()
        .filter_map(|n| n.zone.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let min_nodes = settings.min_nodes.unwrap_or(if zones.len() >= 3 {
        ZONE_SPREAD_MIN_NODES
    } else {
        1
    });
    PoolSuggestions {
        nodes: names,
        zones,
        current_monthly_cost: pool.monthly_cost(),
        min_nodes: min_nodes.max(1),
        demand: Some(demand_row(cluster, demand)),
        suggestions: Vec::new(),
        reason: None,
        spot: None,
        assumptions: Vec::new(),
    }
}

/// What the catalogue and a pool's nodes say about the pool, when it can be analysed.
struct PoolFacts<'a> {
    /// The price catalogue (it has the pool's provider).
    catalogue: &'a Catalogue,
    /// The pool's region.
    region: &'a str,
    /// Nodes per instance type.
    types: BTreeMap<&'a str, usize>,
    /// The most common instance type (ties: name order).
    common: String,
    /// The architecture of most nodes.
    arch: Arch,
    /// Allocatable over capacity, for CPU and for memory.
    ratio: (f64, f64),
}

impl<'a> PoolFacts<'a> {
    /// Reads them, or says why the pool cannot be analysed; adds what the architecture assumes
    /// to `assumptions`.
    fn read(
        prices: &PriceSources<'a>,
        pool: &'a PoolCost,
        nodes: &[&'a Node],
        assumptions: &mut Vec<String>,
    ) -> Result<PoolFacts<'a>, String> {
        let Some(catalogue) = prices.catalogue else {
            return Err(
                "the price catalogue is not loaded, so there are no candidate types".into(),
            );
        };
        let provider = pool.provider;
        if !catalogue.providers().any(|p| p == provider) {
            return Err(format!(
                "no catalogue for provider {}: only AWS, GCP and Azure instance types are \
                 suggested",
                provider.as_str()
            ));
        }
        let Some(region) = pool.region.as_deref() else {
            return Err("the pool's region is unknown, so no candidate can be priced".into());
        };
        let mut types: BTreeMap<&str, usize> = BTreeMap::new();
        for n in nodes {
            if let Some(t) = n.instance_type.as_deref() {
                *types.entry(t).or_default() += 1;
            }
        }
        let Some(common) = types
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(t, _)| (*t).to_owned())
        else {
            return Err(
                "the pool's nodes have no instance type (e.g. kind, minikube or Fargate)".into(),
            );
        };
        let arch = pool_arch(nodes, catalogue, provider, assumptions);
        let ratio = allocatable_ratio(nodes, catalogue, provider).ok_or_else(|| {
            "the pool has no allocatable CPU or memory (or no capacity) to estimate a candidate's \
             allocatable from"
                .to_owned()
        })?;
        Ok(PoolFacts {
            catalogue,
            region,
            types,
            common,
            arch,
            ratio,
        })
    }
}

/// The architecture of most of the nodes (their label, else the catalogue's for their type),
/// amd64 when none is known; what that assumes goes to `assumptions`.
fn pool_arch(
    nodes: &[&Node],
    catalogue: &Catalogue,
    provider: Provider,
    assumptions: &mut Vec<String>,
) -> Arch {
    let mut arches: BTreeMap<Arch, usize> = BTreeMap::new();
    for n in nodes {
        let a = n.arch.as_deref().and_then(arch_of).or_else(|| {
            n.instance_type
                .as_deref()
                .and_then(|t| catalogue.spec(provider, t)?.arch)
        });
        if let Some(a) = a {
            *arches.entry(a).or_default() += 1;
        }
    }
    let arch = match arches.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
        Some((a, _)) => *a,
        None => {
            assumptions.push(
                "the nodes' architecture is unknown: assumed amd64 (kubernetes.io/arch)".to_owned(),
            );
            Arch::Amd64
        }
    };
    if arches.len() > 1 {
        assumptions.push(format!(
            "the pool mixes architectures; candidates are {} only, like most of its nodes",
            arch.as_str()
        ));
    }
    arch
}

/// The nodes' Σ allocatable over Σ capacity (the catalogue's for a node without capacity), for
/// CPU and for memory; `None` when either is unknown.
fn allocatable_ratio(
    nodes: &[&Node],
    catalogue: &Catalogue,
    provider: Provider,
) -> Option<(f64, f64)> {
    let (mut a_cpu, mut c_cpu, mut a_mem, mut c_mem) = (0i64, 0i64, 0i64, 0i64);
    for n in nodes {
        a_cpu = a_cpu.saturating_add(n.allocatable.cpu_millis.max(0));
        a_mem = a_mem.saturating_add(n.allocatable.memory_bytes.max(0));
        let spec = n
            .instance_type
            .as_deref()
            .and_then(|t| catalogue.spec(provider, t));
        let cap_cpu = if n.capacity.cpu_millis > 0 {
            n.capacity.cpu_millis
        } else {
            spec.map_or(0, |s| i64::from(s.vcpu) * 1000)
        };
        let cap_mem = if n.capacity.memory_bytes > 0 {
            n.capacity.memory_bytes
        } else {
            spec.map_or(0, |s| i64::try_from(s.memory_bytes()).unwrap_or(i64::MAX))
        };
        c_cpu = c_cpu.saturating_add(cap_cpu.max(0));
        c_mem = c_mem.saturating_add(cap_mem.max(0));
    }
    Some((ratio(a_cpu, c_cpu)?, ratio(a_mem, c_mem)?))
}

/// What sizing the candidates assumes: the allocatable estimate, then the node count rule.
fn sizing_assumptions(
    (r_cpu, r_mem): (f64, f64),
    target: f64,
    min_nodes: usize,
    zone_spread: bool,
) -> [String; 2] {
    [
        format!(
            "a candidate's allocatable is its capacity × this pool's allocatable/capacity ratio \
             ({}% of CPU, {}% of memory); real system reservations vary with node size",
            trim_decimal(r_cpu * 100.0, 1),
            trim_decimal(r_mem * 100.0, 1)
        ),
        format!(
            "node counts hold the pods' requests at {}% of allocatable with at least {min_nodes} \
             node{}{}; DaemonSet requests are taken off every node; pods-per-node limits, \
             affinity, topology spread and storage are not modelled",
            trim_decimal(target * 100.0, 2),
            if min_nodes == 1 { "" } else { "s" },
            if zone_spread {
                " (the pool spans 3+ zones)"
            } else {
                ""
            }
        ),
    ]
}

/// Which types are candidates, when that needs saying: a GPU pool's family, or no burstable
/// types for a pool that runs none.
fn candidate_rule(
    provider: Provider,
    gpus_per_node: i64,
    allow_burstable: bool,
    common: &str,
) -> Option<String> {
    if gpus_per_node > 0 {
        Some(format!(
            "GPU pool ({gpus_per_node} GPU{} per node): only {} types with at least as many GPUs \
             are candidates (same family, so the same GPU model)",
            if gpus_per_node == 1 { "" } else { "s" },
            instance_family(provider, common)
        ))
    } else if !allow_burstable {
        Some(
            "burstable types (AWS t*, GCP e2 shared-core, Azure B) and AWS previous-generation \
             types are not suggested"
                .into(),
        )
    } else {
        None
    }
}

/// The capacity type the candidates are priced as (reserved and mixed pools: on-demand, which
/// goes to `assumptions`).
fn candidate_capacity(pool: Option<CapacityType>, assumptions: &mut Vec<String>) -> CapacityType {
    match pool {
        Some(CapacityType::Spot) => CapacityType::Spot,
        Some(CapacityType::Reserved) => {
            assumptions.push(
                "reserved capacity: candidates are priced at on-demand list prices".to_owned(),
            );
            CapacityType::OnDemand
        }
        Some(c) => c,
        None => {
            assumptions
                .push("the pool mixes capacity types: candidates are priced on-demand".to_owned());
            CapacityType::OnDemand
        }
    }
}

/// The reshapes (cheapest first), the most common type with fewer nodes, and for an on-demand
/// pool the cheapest spot option and the spot figures.
fn add_suggestions(
    ctx: &PoolContext<'_>,
    facts: &PoolFacts<'_>,
    settings: &SuggestSettings,
    capacity: CapacityType,
    pool: &PoolCost,
    nodes: &[&Node],
    out: &mut PoolSuggestions,
) {
    let common = &facts.common;
    let mut reshapes = ctx.candidates(capacity, Some(common));
    reshapes.truncate(settings.max_candidates);
    out.suggestions.extend(reshapes);

    let same = facts.catalogue.spec(ctx.provider, common).and_then(|spec| {
        let priced = ctx.price(common, capacity)?;
        ctx.suggestion(
            SuggestionKind::SameTypeFewerNodes,
            common,
            &spec,
            &priced,
            true,
        )
    });
    match same {
        Some(s) => out.suggestions.push(s),
        None => out.assumptions.push(format!(
            "no same-type option: {common} has no {} price or spec, or its nodes cannot hold the \
             demand at the target utilisation",
            capacity_words(capacity)
        )),
    }
    if facts.types.len() > 1 {
        out.assumptions.push(format!(
            "the pool mixes {} instance types; the same-type option uses the most common, {common}",
            facts.types.len()
        ));
    }

    if matches!(
        pool.capacity_type,
        Some(CapacityType::OnDemand | CapacityType::Unknown)
    ) {
        let best_spot = ctx.candidates(CapacityType::Spot, None).into_iter().next();
        out.spot = Some(spot_info(ctx, pool, nodes));
        if let Some(s) = best_spot {
            out.suggestions.push(s);
        }
    }
}

/// Why a pool that could be analysed got no suggestion.
fn no_candidate_reason(capacity: CapacityType, region: &str, provider: Provider) -> String {
    match capacity {
        CapacityType::Spot => format!(
            "no candidate has a known spot price in {region} (the embedded catalogue has spot \
             prices for GCP only): import a price file with spot prices, or set an assumed spot \
             discount"
        ),
        _ => format!(
            "no priced {} candidate in {region} with the pool's architecture and GPUs fits the \
             largest pod",
            provider.as_str()
        ),
    }
}

fn capacity_words(c: CapacityType) -> &'static str {
    match c {
        CapacityType::Spot => "spot",
        _ => "on-demand",
    }
}

fn spot_info(ctx: &PoolContext<'_>, pool: &PoolCost, nodes: &[&crate::nodes::Node]) -> SpotInfo {
    let mut hourly = 0.0;
    let mut estimate = false;
    let mut missing: BTreeSet<String> = BTreeSet::new();
    for n in nodes {
        match n
            .instance_type
            .as_deref()
            .and_then(|t| ctx.price(t, CapacityType::Spot))
        {
            Some(p) => {
                hourly += p.hourly;
                estimate |= p.estimate;
            }
            None => {
                missing.insert(n.instance_type.clone().unwrap_or_else(|| "-".to_owned()));
            }
        }
    }
    let (monthly_cost, note) = if missing.is_empty() {
        (Some(hourly * HOURS_PER_MONTH), None)
    } else {
        (
            None,
            Some(format!(
                "no spot price known for {} in {} (the embedded catalogue has spot prices for GCP \
                 only)",
                missing.into_iter().collect::<Vec<_>>().join(", "),
                ctx.region
            )),
        )
    };
    // Interruption-sensitive workloads on the pool.
    let on_pool: BTreeSet<usize> = pool.nodes.iter().copied().collect();
    let mut sensitive: Vec<String> = Vec::new();
    for w in &ctx.cluster.workloads {
        if !w.nodes.iter().any(|n| on_pool.contains(n)) {
            continue;
        }
        let running = w
            .pods
            .iter()
            .filter(|&&p| ctx.cluster.pods.get(p).is_some_and(|p| p.holds_resources))
            .count() as i64;
        let single = w.kind == "Deployment" && w.replicas.unwrap_or(running) == 1;
        if w.kind == "StatefulSet" || single {
            sensitive.push(format!("{} {}/{}", w.kind, w.namespace, w.name));
        }
    }
    let total = sensitive.len();
    sensitive.truncate(SPOT_WORKLOADS_SHOWN);
    SpotInfo {
        monthly_savings: monthly_cost.map(|c| pool.monthly_cost() - c),
        monthly_cost,
        price_estimate: estimate,
        note,
        caution: SPOT_CAUTION.to_owned(),
        interruption_sensitive: sensitive,
        interruption_sensitive_total: total,
    }
}

fn demand_row(cluster: &Cluster, d: &PoolDemand) -> PoolDemandRow {
    PoolDemandRow {
        basis: if d.recommended {
            "recommended"
        } else {
            "current"
        }
        .to_owned(),
        pods: d.pods,
        requests: d.current.into(),
        recommended_requests: d.recommended.then(|| d.effective.into()),
        gpus: d.gpus,
        daemonsets: d.daemonsets,
        daemonset_per_node: d.daemonset.into(),
        largest_pod: LargestPod {
            cpu_cores: d.largest.cores(),
            memory_bytes: d.largest.memory_bytes,
            gpus: d.largest_gpus,
            cpu_pod: pod_label(cluster, d.largest_cpu_pod),
            memory_pod: pod_label(cluster, d.largest_memory_pod),
        },
    }
}

/// One line about a suggestion for tables: `3 × m5.2xlarge $840.96/mo (saves $1,401.60)`.
pub fn describe(s: &NodeSuggestion) -> String {
    let verb = if s.monthly_savings >= 0.0 {
        format!("saves {}", fmt_usd(s.monthly_savings))
    } else {
        format!("costs {} more", fmt_usd(-s.monthly_savings))
    };
    format!(
        "{} × {} {}/mo ({verb})",
        s.nodes,
        s.instance_type,
        fmt_usd(s.monthly_cost)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demand(cpu: i64, mem: i64, ds: (i64, i64)) -> PoolDemand {
        PoolDemand {
            effective: CpuMemory {
                cpu_millis: cpu,
                memory_bytes: mem,
            },
            daemonset: CpuMemory {
                cpu_millis: ds.0,
                memory_bytes: ds.1,
            },
            ..PoolDemand::default()
        }
    }

    fn shape(cpu: i64, mem: i64) -> NodeShape {
        NodeShape {
            allocatable: CpuMemory {
                cpu_millis: cpu,
                memory_bytes: mem,
            },
            gpus: 0,
        }
    }

    #[test]
    fn counts_are_exact_and_never_divide_by_zero() {
        // usable cpu = floor(4000 × 0.85) − 400 = 3000 → 6000 / 3000 = 2 exactly.
        assert_eq!(
            node_count(&demand(6000, 1, (400, 0)), shape(4000, 100), 0.85, 1),
            Some(2)
        );
        assert_eq!(
            node_count(&demand(6001, 1, (400, 0)), shape(4000, 100), 0.85, 1),
            Some(3)
        );
        // Zero demand: the minimum.
        assert_eq!(
            node_count(&demand(0, 0, (0, 0)), shape(0, 0), 0.85, 3),
            Some(3)
        );
        // Zero allocatable with demand: impossible, not a panic.
        assert_eq!(
            node_count(&demand(1, 1, (0, 0)), shape(0, 0), 0.85, 1),
            None
        );
        // DaemonSets fill the node.
        assert_eq!(
            node_count(&demand(1, 1, (4000, 0)), shape(4000, 100), 0.85, 1),
            None
        );
        assert_eq!(
            node_count(&demand(i64::MAX, 1, (0, 0)), shape(1, 100), 1.0, 1),
            Some(usize::try_from(i64::MAX).unwrap_or(usize::MAX))
        );
        assert_eq!(valid_target(0.0), None);
        assert_eq!(valid_target(f64::NAN), None);
        assert_eq!(valid_target(1.0), Some(1.0));
    }

    #[test]
    fn families_and_burstables() {
        assert_eq!(instance_family(Provider::Aws, "g5.xlarge"), "g5");
        assert_eq!(
            instance_family(Provider::Gcp, "a2-highgpu-1g"),
            "a2-highgpu"
        );
        assert_eq!(
            instance_family(Provider::Azure, "Standard_NC24ads_A100_v4"),
            "standard_ncads_a100_v4"
        );
        assert_eq!(
            instance_family(Provider::Azure, "Standard_NC48ads_A100_v4"),
            "standard_ncads_a100_v4"
        );
        assert!(is_burstable(Provider::Aws, "t3.large"));
        assert!(is_burstable(Provider::Aws, "t4g.small"));
        assert!(!is_burstable(Provider::Aws, "trn1.2xlarge"));
        assert!(is_burstable(Provider::Azure, "Standard_B2s"));
        assert!(!is_burstable(Provider::Gcp, "e2-standard-4"));
    }
}
