//! Re-packing the cluster: where every pod would go, which nodes could be drained today, and
//! the cheapest mix of instance types per pool that holds the pods with their scheduling
//! constraints — one figure for right-sizing plus cheaper nodes. `docs/cost-model.md`
//! ("Re-packing") explains it for people.
//!
//! * **Items** ([`items`]): every pod holding resources on a known node, with its requests
//!   (current, or the recommended ones given per pod), and whether it can move: DaemonSet pods
//!   come with every node their selectors and tolerations allow; pods without a controller,
//!   with node-local storage (`emptyDir`, `hostPath`: cluster-autoscaler's rule), static pods
//!   and pods tied to one node by name stay where they are.
//! * **Drain** ([`plan::drain`]): per pool, nodes are tried least utilised first (like
//!   cluster-autoscaler's scale-down simulation); a node goes when every movable pod on it
//!   fits on the pool's other remaining nodes (first fit, at full allocatable).
//! * **Plan** ([`plan::plan_pool`]): per pool, the nodes holding pods that cannot move are
//!   kept; the movable pods are placed first-fit decreasing (sorted by their dominant share
//!   of a node) on them, then on new nodes of one candidate type (the few cheapest for the
//!   demand are each tried), zones round robin; a pod no new node can take (its selectors ask
//!   for another type) gets a node like its current one. Each new node is then shrunk to the
//!   cheapest type that still holds what it got, so plans mix types. New nodes' CPU and memory
//!   are filled to the target utilisation. A plan that costs more than the pool's current
//!   nodes (less the drainable ones) is not taken.
//! * **Across pools** ([`across`]): after the plans, nodes of pools that share provider,
//!   region, capacity type, architecture and GPUs go when their movable pods fit on the others'
//!   nodes (least utilised first, filled to the target at most).
//! * **Spot, when allowed** ([`Inputs::allow_spot`]): an on-demand pool's new nodes are priced
//!   and labelled as spot nodes; pods that cannot run there get on-demand nodes.
//! * **Lower bound** ([`bound`]): the cheapest fractional mix of candidate types that covers
//!   the demand's CPU and memory at the target utilisation, ignoring packing.
//!
//! Complexity: with `P` pods, `N` nodes and `K` candidate types tried (at most
//! [`TYPES_TRIED`]), a plan is `O(K · P · N)` resource comparisons in the worst case, with
//! node eligibility cached per (constraint class, node kind) and first fit starting after the
//! nodes that are full; the drain is `O(N · p · N)` for `p` pods per node. In practice a
//! 50,000-pod, 2,000-node cluster plans in seconds (the placement keeps most scans short).

pub mod across;
pub mod bound;
pub mod plan;
pub(crate) mod sim;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::cluster::Cluster;
use crate::cost::{CostModel, CpuMemory, HOURS_PER_MONTH};
use crate::pricing::sources::PriceSources;

/// Candidate types tried per pool as the type of new nodes.
pub const TYPES_TRIED: usize = 6;

/// Pods named in [`Repack::blocked`] at most.
pub const BLOCKED_SHOWN: usize = 50;

/// Amounts the packer tracks, exact integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Demand {
    /// Millicores.
    pub cpu_millis: i64,
    /// Bytes.
    pub memory_bytes: i64,
    /// GPUs.
    pub gpus: i64,
}

impl Demand {
    /// Component-wise sum.
    pub fn plus(self, o: Demand) -> Demand {
        Demand {
            cpu_millis: self.cpu_millis.saturating_add(o.cpu_millis),
            memory_bytes: self.memory_bytes.saturating_add(o.memory_bytes),
            gpus: self.gpus.saturating_add(o.gpus),
        }
    }

    /// Component-wise difference.
    pub fn minus(self, o: Demand) -> Demand {
        Demand {
            cpu_millis: self.cpu_millis.saturating_sub(o.cpu_millis),
            memory_bytes: self.memory_bytes.saturating_sub(o.memory_bytes),
            gpus: self.gpus.saturating_sub(o.gpus),
        }
    }

    /// CPU and memory × `target` (rounded down); GPUs whole.
    pub fn scaled(self, target: f64) -> Demand {
        let f = |v: i64| (v.max(0) as f64 * target).floor() as i64;
        Demand {
            cpu_millis: f(self.cpu_millis),
            memory_bytes: f(self.memory_bytes),
            gpus: self.gpus,
        }
    }
}

/// Whether a pod can move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mobility {
    /// Controlled by a ReplicaSet, StatefulSet, Job, ...: may be placed anywhere it fits.
    Movable,
    /// A DaemonSet pod: one on every node its selectors and tolerations allow.
    DaemonSet,
    /// Stays on its node (no controller, local storage, static pod, tied to the node's name).
    Pinned,
}

/// One pod to place.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Index into [`Cluster::pods`].
    pub pod: usize,
    /// Index into [`Cluster::workloads`].
    pub workload: usize,
    /// Its requests for the packer (current or recommended).
    pub requests: Demand,
    /// Whether it can move.
    pub mobility: Mobility,
    /// Why it cannot move (for [`Mobility::Pinned`]).
    pub pinned_because: Option<&'static str>,
    /// Index of its current node in [`Cluster::nodes`].
    pub node: usize,
    /// Its scheduling class: items whose pods have equal scheduling constraints share one
    /// (computed once here, not per simulation).
    pub class: u32,
    /// Which of the constraints checked per placement its pod has, and its namespace's hash
    /// (read once here, so that a pod with none is placed without reading its pod again).
    pub constraints: Constraints,
}

/// The constraints a placement checks beyond eligibility (in the placement engine), as flags
/// of one pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Constraints {
    /// It has required pod anti-affinity terms.
    pub anti_affinity: bool,
    /// It asks for host ports.
    pub host_ports: bool,
    /// It has a hard (`DoNotSchedule`) zone spread constraint.
    pub zone_spread: bool,
    /// [`crate::scheduling::namespace_hash`] of its namespace.
    pub namespace: u64,
}

impl Constraints {
    fn of(pod: &crate::pods::Pod) -> Constraints {
        let s = pod.scheduling.as_deref();
        Constraints {
            anti_affinity: s.is_some_and(|s| !s.anti_affinity.is_empty()),
            host_ports: s.is_some_and(|s| !s.host_ports.is_empty()),
            zone_spread: s.is_some_and(|s| s.zone_spread.iter().any(|c| c.hard)),
            namespace: crate::scheduling::namespace_hash(&pod.namespace),
        }
    }

    /// True when placing the pod checks nothing beyond resources and eligibility on a node
    /// without anti-affine pods.
    fn none(self) -> bool {
        !(self.anti_affinity || self.host_ports || self.zone_spread)
    }
}

/// `v`, or 0 for zero, negative zero and rounding noise below zero: a cost is never negative,
/// and `-0.0` prints differently (and `f64::min`/`max` pick a zero's sign differently natively
/// and in WebAssembly), so every figure of the re-packing goes through this.
fn non_negative(v: f64) -> f64 {
    if v > 0.0 { v } else { 0.0 }
}

/// Why a pod stays on its node, `None` when it can move. The autoscalers' rules
/// (docs/cost-model.md §11): `karpenter.sh/do-not-disrupt` and `safe-to-evict: "false"` keep
/// it; without a controller, or with local storage on a node Karpenter did not make, it stays
/// unless annotated `safe-to-evict: "true"` (Karpenter's consolidation moves pods with local
/// storage; cluster-autoscaler's does not).
pub fn pinned_because(cluster: &Cluster, pod: usize) -> Option<&'static str> {
    let p = &cluster.pods[pod];
    if p.eviction.do_not_disrupt {
        return Some("karpenter.sh/do-not-disrupt");
    }
    if p.eviction.safe_to_evict == Some(false) {
        return Some("safe-to-evict: \"false\"");
    }
    let safe = p.eviction.safe_to_evict == Some(true);
    let Some(owner) = &p.owner else {
        return (!safe).then_some("no controller");
    };
    if owner.kind == "Node" {
        return Some("a static pod");
    }
    let karpenter = p
        .node_index
        .and_then(|i| cluster.nodes.get(i))
        .is_some_and(|n| n.karpenter);
    if p.local_storage && !safe && !karpenter {
        return Some("local storage (emptyDir or hostPath)");
    }
    let by_name = p.scheduling.as_deref().is_some_and(|s| {
        s.node_selector
            .iter()
            .any(|(k, _)| k == "kubernetes.io/hostname")
            || s.node_affinity.iter().any(|t| {
                !t.fields.is_empty() || t.labels.iter().any(|r| r.key == "kubernetes.io/hostname")
            })
    });
    by_name.then_some("tied to its node by name")
}

/// The pods to place, in pod order: every pod holding resources on a node of the input, with
/// `requests` per pod when given (`Some` replaces that pod's CPU and memory request, as
/// [`crate::suggest::pool_demand`]'s overrides).
pub fn items(cluster: &Cluster, requests: Option<&[Option<CpuMemory>]>) -> Vec<Item> {
    let mut out = Vec::new();
    let mut classes: FxHashMap<Option<&crate::scheduling::Scheduling>, u32> = FxHashMap::default();
    for (i, p) in cluster.pods.iter().enumerate() {
        let Some(node) = p.node_index.filter(|_| p.holds_resources) else {
            continue;
        };
        let e = p.effective_request;
        let cm = requests
            .and_then(|r| r.get(i).copied().flatten())
            .unwrap_or(CpuMemory {
                cpu_millis: e.cpu_millis,
                memory_bytes: e.memory_bytes,
            });
        let daemonset = cluster
            .workloads
            .get(p.workload)
            .is_some_and(|w| w.kind == "DaemonSet");
        let pinned = if daemonset {
            None
        } else {
            pinned_because(cluster, i)
        };
        out.push(Item {
            pod: i,
            workload: p.workload,
            requests: Demand {
                cpu_millis: cm.cpu_millis.max(0),
                memory_bytes: cm.memory_bytes.max(0),
                gpus: e.gpus.max(0),
            },
            mobility: match (daemonset, pinned) {
                (true, _) => Mobility::DaemonSet,
                (false, Some(_)) => Mobility::Pinned,
                (false, None) => Mobility::Movable,
            },
            pinned_because: pinned,
            node,
            class: {
                let next = u32::try_from(classes.len()).unwrap_or(u32::MAX);
                *classes.entry(p.scheduling.as_deref()).or_insert(next)
            },
            constraints: Constraints::of(p),
        });
    }
    out
}

/// A node of a placement.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedNode {
    /// Its name (new nodes: `new-<n>`).
    pub name: String,
    /// Index into [`Cluster::nodes`] for an existing node.
    pub existing: Option<usize>,
    /// Instance type.
    pub instance_type: Option<String>,
    /// USD per hour.
    pub hourly_price: f64,
    /// Labels, sorted by key.
    pub labels: Vec<(String, String)>,
    /// Taints.
    pub taints: Vec<crate::scheduling::Taint>,
    /// Zone.
    pub zone: Option<String>,
    /// Allocatable CPU, memory and GPUs.
    pub allocatable: Demand,
    /// Allocatable pods (0: unknown).
    pub max_pods: i64,
    /// A new spot node in an on-demand pool ([`Inputs::allow_spot`]).
    pub spot: bool,
}

/// Where every item of a pool went: `(item index, node index)` pairs, DaemonSet items once
/// per node they run on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Placement {
    /// The pool's items (the assignments index into them).
    pub items: Vec<Item>,
    /// The nodes.
    pub nodes: Vec<PlacedNode>,
    /// `(index into the items, index into nodes)`.
    pub assignments: Vec<(usize, usize)>,
}

/// `count × instance type` of a pool, now or planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    /// Instance type (`unknown` for nodes without one).
    pub instance_type: String,
    /// Node count.
    pub nodes: usize,
    /// New spot nodes in an on-demand pool ([`Inputs::allow_spot`]); absent otherwise.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spot: bool,
}

/// One pool's plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepackPool {
    /// The pool's name (its label value, else provider and region).
    pub pool: String,
    /// Its nodes now, by type.
    pub current: Vec<PlanItem>,
    /// Its nodes in the plan, by type.
    pub plan: Vec<PlanItem>,
    /// Its monthly cost now.
    pub current_monthly_cost: f64,
    /// Its monthly cost in the plan.
    pub monthly_cost: f64,
    /// The lower bound of its cost (see [`bound`]).
    pub lower_bound_monthly_cost: f64,
    /// Nodes that could be drained today (current requests).
    pub drainable_nodes: Vec<String>,
    /// True when the plan keeps the current nodes (less the drainable ones): no cheaper mix
    /// was found or the pool cannot be re-shaped.
    pub keeps_current_nodes: bool,
    /// Why the pool is not re-shaped, when it is not.
    pub reason: Option<String>,
    /// Pods that leave for nodes of other pools in the plan ([`across`]).
    #[serde(default)]
    pub pods_to_other_pools: usize,
    /// Pods that come from other pools in the plan.
    #[serde(default)]
    pub pods_from_other_pools: usize,
}

/// A pod that kept a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blocked {
    /// `namespace/name`.
    pub pod: String,
    /// Its node.
    pub node: String,
    /// Why it stays.
    pub reason: String,
}

/// Where the combined saving comes from.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Breakdown {
    /// Draining nodes today, pods as they are.
    pub from_drained_nodes: f64,
    /// Re-shaping the pools, pods as they are (beyond the drained nodes).
    pub from_shapes: f64,
    /// Applying the recommended requests before re-packing (0 without recommendations).
    pub from_requests: f64,
    /// Moving pods to compatible pools' nodes after each pool's plan ([`across`]).
    #[serde(default)]
    pub from_other_pools: f64,
}

/// The re-packing figures (`repack` in the report).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Repack {
    /// `current requests` or `recommended requests`.
    pub basis: String,
    /// Target utilisation of new nodes' CPU and memory.
    pub target_utilisation: f64,
    /// The cluster's monthly cost now.
    pub current_monthly_cost: f64,
    /// The plan's monthly cost.
    pub monthly_cost: f64,
    /// The combined saving: at least 0 and at most the requests saving plus the node
    /// suggestions' saving.
    pub monthly_savings: f64,
    /// Where it comes from.
    pub breakdown: Breakdown,
    /// The lower bound of the cost (packing ignored).
    pub lower_bound_monthly_cost: f64,
    /// `monthly_cost − lower_bound_monthly_cost`.
    pub gap_monthly_cost: f64,
    /// Per pool.
    pub pools: Vec<RepackPool>,
    /// Pods the plan moves from one pool's nodes to another's, by pair of pools.
    #[serde(default)]
    pub moves: Vec<across::PoolMove>,
    /// Nodes that could be drained today, every movable pod fitting on the pool's others.
    pub drainable_nodes: Vec<String>,
    /// What they cost per month.
    pub drainable_monthly_savings: f64,
    /// Pods that kept their node, at most [`BLOCKED_SHOWN`].
    pub blocked: Vec<Blocked>,
    /// How many there are in all.
    pub blocked_total: usize,
    /// What the figures assume and ignore.
    pub notes: Vec<String>,
}

/// Everything [`repack`] found: the report's figures and each pool's placements (for the
/// verifier). Empty (the default) until the re-packing has run.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The figures.
    pub repack: Repack,
    /// Per pool, in [`CostModel::pools`] order: the chosen plan's placement (planning
    /// requests).
    pub placements: Vec<Placement>,
    /// Per pool: the placement after today's drain (current requests).
    pub drains: Vec<Placement>,
    /// The whole cluster after the moves across pools; empty when no two pools are
    /// compatible ([`across`]).
    pub across: Placement,
}

/// What [`repack`] needs besides the cluster.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The price sources the nodes were priced with.
    pub prices: &'a PriceSources<'a>,
    /// Target utilisation in `(0, 1]`.
    pub target: f64,
    /// Recommended CPU and memory per pod (indexed like [`Cluster::pods`]), when there are
    /// recommendations.
    pub recommended: Option<&'a [Option<CpuMemory>]>,
    /// The right-sizing saving (requests) per month, for the cap.
    pub requests_savings: f64,
    /// The node suggestions' saving per month, for the cap.
    pub shapes_savings: f64,
    /// On-demand pools may get spot nodes (priced as spot; pods that select on-demand capacity
    /// or do not tolerate a spot taint stay on on-demand nodes). Off by default: every pool
    /// keeps its capacity type.
    pub allow_spot: bool,
    /// The node suggestions' extra saving with spot, added to the cap when spot is allowed.
    pub spot_savings: f64,
}

/// Re-packs every pool of `costs`.
pub fn repack(cluster: &Cluster, costs: &CostModel, inputs: &Inputs<'_>) -> Outcome {
    let current_items = items(cluster, None);
    let planned_items = match inputs.recommended {
        Some(r) => items(cluster, Some(r)),
        None => current_items.clone(),
    };
    let mut pools = Vec::new();
    let (mut placements, mut drains) = (Vec::new(), Vec::new());
    let mut blocked: Vec<Blocked> = Vec::new();
    let mut breakdown = Breakdown::default();
    let (mut plan_cost, mut bound_cost) = (0.0, 0.0);
    for pool in &costs.pools {
        // Without recommendations the planned items are today's, and so is their drain.
        let today = plan::drain(cluster, costs, pool, &current_items);
        let keep = match inputs.recommended {
            Some(_) => plan::drain(cluster, costs, pool, &planned_items),
            None => today.clone(),
        };
        let mut planned =
            plan::plan_pool(cluster, costs, pool, &planned_items, inputs, &today, keep);
        if inputs.recommended.is_some() {
            let as_is = plan::plan_pool(
                cluster,
                costs,
                pool,
                &current_items,
                inputs,
                &today,
                today.clone(),
            );
            breakdown.from_requests +=
                (as_is.summary.monthly_cost - planned.summary.monthly_cost).max(0.0);
            breakdown.from_shapes +=
                (pool.monthly_cost() - today.saving - as_is.summary.monthly_cost).max(0.0);
        } else {
            breakdown.from_shapes +=
                (pool.monthly_cost() - today.saving - planned.summary.monthly_cost).max(0.0);
        }
        breakdown.from_drained_nodes += today.saving;
        blocked.append(&mut planned.blocked);
        let p = &mut planned.summary;
        for v in [
            &mut p.current_monthly_cost,
            &mut p.monthly_cost,
            &mut p.lower_bound_monthly_cost,
        ] {
            *v = non_negative(*v);
        }
        plan_cost += planned.summary.monthly_cost;
        bound_cost += planned.summary.lower_bound_monthly_cost;
        pools.push(planned.summary);
        placements.push(planned.placement);
        drains.push(today.placement);
    }
    let mut moves = Vec::new();
    let mut across_placement = Placement::default();
    if let Some(a) = across::across(cluster, &costs.pools, &placements, inputs.target) {
        breakdown.from_other_pools = apply_across(&mut pools, &a);
        plan_cost = pools.iter().map(|p| p.monthly_cost).sum();
        bound_cost = pools.iter().map(|p| p.lower_bound_monthly_cost).sum();
        moves = a
            .moves
            .iter()
            .map(|(&(from, to), &pods)| across::PoolMove {
                from: pools[from].pool.clone(),
                to: pools[to].pool.clone(),
                pods,
            })
            .collect();
        across_placement = a.placement;
    }
    let current = costs.total_hourly * HOURS_PER_MONTH;
    let spot = if inputs.allow_spot {
        inputs.spot_savings.max(0.0)
    } else {
        0.0
    };
    let cap = (inputs.requests_savings.max(0.0) + inputs.shapes_savings.max(0.0) + spot).max(0.0);
    let raw = current - plan_cost;
    let monthly_savings = raw.clamp(0.0, cap.max(0.0));
    let mut notes = notes(inputs);
    // Half a cent of tolerance: the plan's cost and the two savings are sums of many prices,
    // and a plan exactly at the cap must not be told it was capped.
    if raw > cap + 0.005 && cap >= 0.0 {
        notes.push(format!(
            "the plan saves {} a month, more than the requests and node suggestions savings \
             together; the combined figure is capped at their sum",
            crate::format::fmt_usd(raw)
        ));
    }
    let drainable_nodes: Vec<String> = pools
        .iter()
        .flat_map(|p| p.drainable_nodes.iter().cloned())
        .collect();
    let blocked_total = blocked.len();
    blocked.truncate(BLOCKED_SHOWN);
    Outcome {
        repack: Repack {
            basis: if inputs.recommended.is_some() {
                "recommended requests"
            } else {
                "current requests"
            }
            .to_owned(),
            target_utilisation: inputs.target,
            current_monthly_cost: non_negative(current),
            monthly_cost: non_negative(plan_cost),
            monthly_savings: non_negative(monthly_savings),
            breakdown: Breakdown {
                from_requests: non_negative(breakdown.from_requests),
                from_shapes: non_negative(breakdown.from_shapes),
                from_drained_nodes: non_negative(breakdown.from_drained_nodes),
                from_other_pools: non_negative(breakdown.from_other_pools),
            },
            lower_bound_monthly_cost: non_negative(bound_cost),
            gap_monthly_cost: non_negative(plan_cost - bound_cost),
            pools,
            moves,
            drainable_nodes,
            drainable_monthly_savings: breakdown.from_drained_nodes,
            blocked,
            blocked_total,
            notes,
        },
        placements,
        drains,
        across: across_placement,
    }
}

/// Puts the moves across pools into the pools' rows; returns what they save per month.
fn apply_across(pools: &mut [RepackPool], a: &across::Across) -> f64 {
    let mut saved = 0.0;
    for (i, p) in pools.iter_mut().enumerate() {
        p.pods_to_other_pools = a.moved_out[i];
        p.pods_from_other_pools = a.moved_in[i];
        if a.removed[i].is_empty() {
            continue;
        }
        let cost = non_negative(
            a.pools[i]
                .iter()
                .map(|(_, hourly, _)| hourly * HOURS_PER_MONTH)
                .sum(),
        );
        saved += p.monthly_cost - cost;
        p.plan = plan::by_type(a.pools[i].iter().map(|(t, _, spot)| (t.as_deref(), *spot)));
        p.monthly_cost = cost;
        p.lower_bound_monthly_cost = p.lower_bound_monthly_cost.min(cost);
        p.keeps_current_nodes = false;
        p.reason = a.pools[i]
            .is_empty()
            .then(|| "its pods fit on the nodes of other pools".to_owned());
    }
    saved
}

fn notes(inputs: &Inputs<'_>) -> Vec<String> {
    let mut out = vec![
        format!(
            "new nodes are filled to {}% of their allocatable CPU and memory; after each \
             pool's plan, pods move to another pool's nodes only where the pools share \
             provider, region, capacity type, architecture and GPUs",
            crate::format::trim_decimal(inputs.target * 100.0, 2)
        ),
        "honoured: requests, allocatable pods, node selectors, required node affinity, \
         NoSchedule/NoExecute taints, DaemonSets on every node they select, host ports, \
         required pod anti-affinity on kubernetes.io/hostname"
            .to_owned(),
        "approximated: zone topology spread (counted per workload, new nodes spread over the \
         pool's zones round robin)"
            .to_owned(),
        "ignored: preferred (soft) rules, pod affinity, anti-affinity and spread on other \
         topology keys, PodDisruptionBudgets, volumes' zones, extended resources other than \
         GPUs; new nodes get the pool's labels and taints and its allocatable pods"
            .to_owned(),
    ];
    if inputs.allow_spot {
        out.push(
            "spot allowed: new nodes of on-demand pools are priced and labelled as spot (on \
             AKS with its spot taint), for interruption-tolerant workloads only; pods that \
             select on-demand capacity or do not tolerate the taint get on-demand nodes; the \
             combined figure's cap includes the node suggestions' spot saving"
                .to_owned(),
        );
    }
    out
}
