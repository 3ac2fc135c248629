//! The allocation itself: holders (the groups, and the shared namespaces as one holder), their
//! own costs, the idle split, then the shared split. See the module's docs.

use std::collections::{BTreeMap, BTreeSet};

use crate::bill::{Bill, VolumeState};
use crate::cluster::Cluster;
use crate::cost::{CostModel, HOURS_PER_MONTH};
use crate::format::fmt_usd;

use super::{
    Allocation, AllocationRules, AllocationSettings, GroupCost, IdleRule, SharedCost, SharedSplit,
    UNALLOCATED, WorkloadGroup,
};

/// The holder of the shared namespaces' costs; groups are 1, 2, …
const SHARED: usize = 0;

/// What one holder gathers, USD per month.
#[derive(Debug, Clone, Default)]
struct Part {
    pods: usize,
    workloads: usize,
    compute: f64,
    gpu: f64,
    storage: f64,
    load_balancers: f64,
    idle: f64,
    shared: f64,
    savings: f64,
    estimate: bool,
}

impl Part {
    fn own(&self) -> f64 {
        self.compute + self.storage + self.load_balancers
    }
}

/// The holders and how things map to them.
struct Holders<'c> {
    cluster: &'c Cluster,
    keys: &'c [String],
    shared_namespaces: BTreeSet<&'c str>,
    /// Group values → holder (from 1).
    index: BTreeMap<Vec<String>, usize>,
    values: Vec<Vec<String>>,
    parts: Vec<Part>,
}

impl<'c> Holders<'c> {
    fn new(cluster: &'c Cluster, settings: &'c AllocationSettings) -> Holders<'c> {
        Holders {
            cluster,
            keys: &settings.keys,
            shared_namespaces: settings
                .shared_namespaces
                .iter()
                .map(String::as_str)
                .collect(),
            index: BTreeMap::new(),
            values: vec![Vec::new()],
            parts: vec![Part::default()],
        }
    }

    fn group(&mut self, values: Vec<String>) -> usize {
        if let Some(&h) = self.index.get(&values) {
            return h;
        }
        let h = self.parts.len();
        self.parts.push(Part::default());
        self.values.push(values.clone());
        self.index.insert(values, h);
        h
    }

    fn namespace_value(&self, namespace: &str, key: &str) -> Option<&'c str> {
        self.cluster
            .namespace_labels
            .get(namespace)
            .and_then(|l| l.get(key))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A pod's values: its label, else its workload's, else its namespace's, else unallocated.
    fn pod_values(&self, pod: usize) -> Vec<String> {
        let Some(p) = self.cluster.pods.get(pod) else {
            return vec![UNALLOCATED.to_owned(); self.keys.len()];
        };
        let workload = self.cluster.workloads.get(p.workload);
        self.keys
            .iter()
            .map(|k| {
                let own = p
                    .labels
                    .get(k)
                    .map(String::as_str)
                    .filter(|v| !v.is_empty());
                let of_workload = || {
                    workload
                        .and_then(|w| w.labels.get(k))
                        .map(String::as_str)
                        .filter(|v| !v.is_empty())
                };
                own.or_else(of_workload)
                    .or_else(|| self.namespace_value(&p.namespace, k))
                    .unwrap_or(UNALLOCATED)
                    .to_owned()
            })
            .collect()
    }

    /// A namespace's values (for what only a namespace owns).
    fn namespace_values(&self, namespace: &str) -> Vec<String> {
        self.keys
            .iter()
            .map(|k| {
                self.namespace_value(namespace, k)
                    .unwrap_or(UNALLOCATED)
                    .to_owned()
            })
            .collect()
    }

    fn is_shared(&self, namespace: &str) -> bool {
        self.shared_namespaces.contains(namespace)
    }

    /// The holder of a pod.
    fn of_pod(&mut self, pod: usize) -> usize {
        let ns = self
            .cluster
            .pods
            .get(pod)
            .map_or("", |p| p.namespace.as_str());
        if self.is_shared(ns) {
            return SHARED;
        }
        let values = self.pod_values(pod);
        self.group(values)
    }

    /// The holder of what only a namespace owns.
    fn of_namespace(&mut self, namespace: &str) -> usize {
        if self.is_shared(namespace) {
            return SHARED;
        }
        let values = self.namespace_values(namespace);
        self.group(values)
    }

    /// Each workload's own values: the values most of its pods have (ties: the smallest);
    /// without pods, its own label, else its namespace's.
    fn workload_values(&self) -> Vec<Vec<String>> {
        self.cluster
            .workloads
            .iter()
            .map(|w| {
                let mut counts: BTreeMap<Vec<String>, usize> = BTreeMap::new();
                for &p in &w.pods {
                    *counts.entry(self.pod_values(p)).or_default() += 1;
                }
                let best = counts
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
                match best {
                    Some((values, _)) => values,
                    None => self
                        .keys
                        .iter()
                        .map(|k| {
                            w.labels
                                .get(k)
                                .map(String::as_str)
                                .filter(|v| !v.is_empty())
                                .or_else(|| self.namespace_value(&w.namespace, k))
                                .unwrap_or(UNALLOCATED)
                                .to_owned()
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// What the nodes' compute gives each holder: per node, holder → cost; and the idle cost per
/// node and how much over-commitment was removed.
struct Compute {
    per_node: Vec<BTreeMap<usize, f64>>,
    idle: Vec<f64>,
    removed: f64,
    overcommitted: usize,
}

/// Pod costs per holder (on an over-committed node the cost model has already scaled them to
/// its price, docs/cost-model.md §5).
fn compute_costs(holders: &mut Holders<'_>, costs: &CostModel) -> Compute {
    let n = costs.nodes.len();
    let mut allocated = vec![0.0; n];
    for pc in &costs.pods {
        if let Some(i) = pc.node.filter(|&i| i < n) {
            allocated[i] += pc.hourly;
        }
    }
    let mut idle = vec![0.0; n];
    let (mut removed, mut overcommitted) = (0.0, 0);
    for (i, node) in costs.nodes.iter().enumerate() {
        let price = node.hourly_price.max(0.0);
        if node.overcommitted {
            removed += node.overcommit_removed_hourly * HOURS_PER_MONTH;
            overcommitted += 1;
        } else {
            idle[i] = (price - allocated[i]).max(0.0) * HOURS_PER_MONTH;
        }
    }
    let mut per_node: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); n];
    for (p, pc) in costs.pods.iter().enumerate() {
        let h = holders.of_pod(p);
        let part = &mut holders.parts[h];
        part.pods += 1;
        let Some(i) = pc.node.filter(|&i| i < n) else {
            continue;
        };
        let monthly = pc.hourly * HOURS_PER_MONTH;
        part.compute += monthly;
        part.gpu += pc.gpu_hourly * HOURS_PER_MONTH;
        part.estimate |= pc.estimate;
        *per_node[i].entry(h).or_default() += monthly;
    }
    Compute {
        per_node,
        idle,
        removed,
        overcommitted,
    }
}

/// Volumes and load balancers per holder; returns the unclaimed storage.
fn bill_costs(holders: &mut Holders<'_>, bill: &Bill, workload_holder: &[usize]) -> f64 {
    let mut unclaimed = 0.0;
    for v in &bill.volumes {
        let claimed = matches!(v.state, VolumeState::InUse | VolumeState::Unmounted);
        match (&v.namespace, claimed) {
            (Some(ns), true) => {
                let owners: Vec<usize> = v
                    .workloads
                    .iter()
                    .filter_map(|&w| workload_holder.get(w).copied())
                    .collect();
                if owners.is_empty() {
                    let h = holders.of_namespace(ns);
                    holders.parts[h].storage += v.monthly_cost;
                } else {
                    let share = v.monthly_cost / owners.len() as f64;
                    for h in owners {
                        holders.parts[h].storage += share;
                    }
                }
            }
            _ => unclaimed += v.monthly_cost,
        }
    }
    for lb in &bill.load_balancers {
        let owners: Vec<usize> = lb
            .workloads
            .iter()
            .filter_map(|&w| workload_holder.get(w).copied())
            .collect();
        if owners.is_empty() {
            let h = holders.of_namespace(&lb.namespace);
            holders.parts[h].load_balancers += lb.monthly_cost;
        } else {
            let share = lb.monthly_cost / owners.len() as f64;
            for h in owners {
                holders.parts[h].load_balancers += share;
            }
        }
    }
    unclaimed
}

/// Spreads `amount` over `parts` ∝ `weight` (all to nobody when the weights are 0); returns
/// what was not spread.
fn spread(amount: f64, weights: &[(usize, f64)], parts: &mut [Part], into_idle: bool) -> f64 {
    let total: f64 = weights.iter().map(|(_, w)| w.max(0.0)).sum();
    if !(total > 0.0 && total.is_finite()) || amount == 0.0 {
        return amount;
    }
    for &(h, w) in weights {
        let share = amount * w.max(0.0) / total;
        if into_idle {
            parts[h].idle += share;
        } else {
            parts[h].shared += share;
        }
    }
    0.0
}

/// The idle split; returns the idle cost kept separate.
fn split_idle(rule: IdleRule, compute: &Compute, parts: &mut [Part]) -> f64 {
    let total_idle: f64 = compute.idle.iter().sum();
    match rule {
        IdleRule::Separate => total_idle,
        IdleRule::ClusterRequests => {
            let weights: Vec<(usize, f64)> = parts
                .iter()
                .enumerate()
                .map(|(h, p)| (h, p.compute))
                .collect();
            spread(total_idle, &weights, parts, true)
        }
        IdleRule::NodeRequests => {
            let mut kept = 0.0;
            for (idle, holders) in compute.idle.iter().zip(&compute.per_node) {
                let weights: Vec<(usize, f64)> = holders.iter().map(|(&h, &c)| (h, c)).collect();
                kept += spread(*idle, &weights, parts, true);
            }
            kept
        }
    }
}

/// The shared split: the shared holder's own cost and idle share plus the control plane over
/// the groups; returns what could not be spread.
fn split_shared(split: SharedSplit, control_plane: f64, parts: &mut [Part]) -> f64 {
    let pool = parts[SHARED].own() + parts[SHARED].idle + control_plane;
    let groups = parts.len() - 1;
    if groups == 0 {
        return pool;
    }
    let proportional: Vec<(usize, f64)> = (1..parts.len())
        .map(|h| (h, parts[h].own() + parts[h].idle))
        .collect();
    let even: Vec<(usize, f64)> = (1..parts.len()).map(|h| (h, 1.0)).collect();
    match split {
        SharedSplit::Proportional if proportional.iter().any(|(_, w)| *w > 0.0) => {
            spread(pool, &proportional, parts, false)
        }
        _ => spread(pool, &even, parts, false),
    }
}

/// Groups every cost of `cluster` by `settings.keys` (`None` without keys). `savings` gives a
/// workload's monthly savings (by index into [`Cluster::workloads`]).
pub fn allocate(
    cluster: &Cluster,
    costs: &CostModel,
    bill: &Bill,
    settings: &AllocationSettings,
    savings: &dyn Fn(usize) -> f64,
) -> Option<super::Allocation> {
    if settings.keys.is_empty() {
        return None;
    }
    let mut holders = Holders::new(cluster, settings);
    let compute = compute_costs(&mut holders, costs);
    let workload_values = holders.workload_values();
    let mut workload_holder = Vec::with_capacity(workload_values.len());
    let mut workloads = Vec::with_capacity(workload_values.len());
    for (i, (w, values)) in cluster.workloads.iter().zip(workload_values).enumerate() {
        let shared = holders.is_shared(&w.namespace);
        let h = if shared {
            SHARED
        } else {
            holders.group(values.clone())
        };
        workload_holder.push(h);
        let part = &mut holders.parts[h];
        part.workloads += 1;
        part.savings += savings(i);
        workloads.push(WorkloadGroup {
            namespace: w.namespace.clone(),
            kind: w.kind.clone(),
            name: w.name.clone(),
            values,
            shared,
        });
    }
    workloads
        .sort_by(|a, b| (&a.namespace, &a.kind, &a.name).cmp(&(&b.namespace, &b.kind, &b.name)));
    let unclaimed = bill_costs(&mut holders, bill, &workload_holder);
    let control_plane = bill.control_plane_monthly();
    let mut parts = std::mem::take(&mut holders.parts);
    let idle_kept = split_idle(settings.idle, &compute, &mut parts);
    let shared_part = parts[SHARED].clone();
    let unspread = split_shared(settings.shared_split, control_plane, &mut parts);
    let total = costs.nodes.iter().map(|n| n.monthly_cost()).sum::<f64>()
        + bill.storage_monthly()
        + bill.load_balancer_monthly()
        + control_plane;
    let groups = group_costs(&holders.values, &parts);
    let rules = rules(settings, &compute, control_plane);
    Some(Allocation {
        keys: settings.keys.clone(),
        rules,
        groups,
        shared: SharedCost {
            namespaces: settings.shared_namespaces.clone(),
            pods: shared_part.pods,
            own_monthly_cost: shared_part.own(),
            idle_monthly_cost: shared_part.idle,
            control_plane_monthly_cost: control_plane,
            total_monthly_cost: shared_part.own() + shared_part.idle + control_plane,
            unspread_monthly_cost: unspread,
            monthly_savings: shared_part.savings,
        },
        idle_monthly_cost: idle_kept,
        unclaimed_storage_monthly_cost: unclaimed,
        overcommit_removed_monthly_cost: compute.removed,
        overcommitted_nodes: compute.overcommitted,
        total_monthly_cost: total,
        workloads,
    })
}

/// The groups' rows, by total descending, then name.
fn group_costs(values: &[Vec<String>], parts: &[Part]) -> Vec<GroupCost> {
    let mut groups: Vec<GroupCost> = (1..parts.len())
        .map(|h| {
            let p = &parts[h];
            let own = p.own();
            GroupCost {
                name: values[h].join(" / "),
                values: values[h].clone(),
                pods: p.pods,
                workloads: p.workloads,
                compute_monthly_cost: p.compute,
                gpu_monthly_cost: p.gpu,
                storage_monthly_cost: p.storage,
                load_balancer_monthly_cost: p.load_balancers,
                own_monthly_cost: own,
                idle_monthly_cost: p.idle,
                shared_monthly_cost: p.shared,
                total_monthly_cost: own + p.idle + p.shared,
                monthly_savings: p.savings,
                estimate: p.estimate,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.total_monthly_cost
            .partial_cmp(&a.total_monthly_cost)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.values.cmp(&b.values))
    });
    groups
}

/// The rules in words.
fn rules(settings: &AllocationSettings, compute: &Compute, control_plane: f64) -> AllocationRules {
    let keys = settings
        .keys
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(" then ");
    let mut description = vec![format!(
        "grouped by {keys}: a pod's own label, else its workload's, else its namespace's, else \
         `{UNALLOCATED}`"
    )];
    description.push(settings.idle.words().to_owned());
    let shared = if settings.shared_namespaces.is_empty() {
        "no namespace is shared".to_owned()
    } else {
        format!(
            "shared namespaces ({}): their cost and idle share",
            settings.shared_namespaces.join(", ")
        )
    };
    let cp = if control_plane > 0.0 {
        " and the control plane"
    } else {
        ""
    };
    description.push(format!(
        "{shared}{cp} are spread over the other groups {}",
        match settings.shared_split {
            SharedSplit::Proportional => "in proportion to their cost",
            SharedSplit::Even => "evenly",
        }
    ));
    description
        .push("unclaimed volumes stay a line of their own; savings are not spread".to_owned());
    if compute.overcommitted > 0 {
        description.push(format!(
            "{} over-committed node{}: {} pods' costs scaled down to the node's price ({} less; \
             warning node_overcommitted)",
            compute.overcommitted,
            if compute.overcommitted == 1 { "" } else { "s" },
            if compute.overcommitted == 1 {
                "its"
            } else {
                "their"
            },
            fmt_usd(compute.removed)
        ));
    }
    AllocationRules {
        idle: settings.idle,
        shared_namespaces: settings.shared_namespaces.clone(),
        shared_split: settings.shared_split,
        description,
    }
}
