//! Per pool: the drain simulation and the plan (see the module docs of [`super`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::cluster::Cluster;
use crate::cost::{CostModel, HOURS_PER_MONTH, PoolCost};
use crate::model::{CapacityType, Provider};
use crate::nodes::ComputeType;
use crate::suggest::{Candidate, pool_candidates};

use super::sim::{Kind, Sim, SimNode};
use super::{
    Blocked, Demand, Inputs, Item, Mobility, PlacedNode, Placement, PlanItem, RepackPool,
    TYPES_TRIED, bound,
};

const INSTANCE_TYPE_LABELS: &[&str] = &[
    "node.kubernetes.io/instance-type",
    "beta.kubernetes.io/instance-type",
];
const ZONE_LABELS: &[&str] = &[
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
];

/// Nodes of a pool that could be drained, and where their pods went.
#[derive(Debug, Clone)]
pub struct Drain {
    /// Their names, in the order they were drained.
    pub nodes: Vec<String>,
    /// What they cost per month.
    pub saving: f64,
    /// The placement after draining them.
    pub placement: Placement,
}

/// A pool's chosen plan.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The report's row.
    pub summary: RepackPool,
    /// Where its pods go.
    pub placement: Placement,
    /// Pods that kept a node.
    pub blocked: Vec<Blocked>,
}

fn pool_items(pool: &PoolCost, items: &[Item]) -> Vec<Item> {
    let nodes: BTreeSet<usize> = pool.nodes.iter().copied().collect();
    items
        .iter()
        .filter(|it| nodes.contains(&it.node))
        .cloned()
        .collect()
}

/// The pool's items and, for each DaemonSet with no pod in the pool, its largest pod
/// elsewhere (placed on no existing node): a new node gets every DaemonSet its labels and
/// taints allow, whichever pool the DaemonSet's pods run in today (one selecting an instance
/// type, say).
fn with_daemonsets_elsewhere(pool: &PoolCost, items: &[Item]) -> Vec<Item> {
    let mut out = pool_items(pool, items);
    let here: BTreeSet<usize> = out
        .iter()
        .filter(|it| it.mobility == Mobility::DaemonSet)
        .map(|it| it.workload)
        .collect();
    let mut elsewhere: BTreeMap<usize, &Item> = BTreeMap::new();
    for it in items {
        if it.mobility != Mobility::DaemonSet || here.contains(&it.workload) {
            continue;
        }
        let e = elsewhere.entry(it.workload).or_insert(it);
        if (it.requests.cpu_millis, it.requests.memory_bytes)
            > (e.requests.cpu_millis, e.requests.memory_bytes)
        {
            *e = it;
        }
    }
    out.extend(elsewhere.into_values().cloned());
    out
}

fn pool_zones(cluster: &Cluster, pool: &PoolCost) -> Vec<String> {
    let zones: BTreeSet<String> = pool
        .nodes
        .iter()
        .filter_map(|&n| cluster.nodes.get(n)?.zone.clone())
        .collect();
    zones.into_iter().collect()
}

fn hourly(costs: &CostModel, node: usize) -> f64 {
    costs.nodes.get(node).map_or(0.0, |n| n.hourly_price)
}

/// A simulation of the pool's current nodes (all of them, `usable` at `target`) with every item
/// on its node, and the map from cluster node index to simulation node.
fn current<'a>(
    cluster: &'a Cluster,
    costs: &CostModel,
    pool: &PoolCost,
    items: &'a [Item],
    target: f64,
) -> (Sim<'a>, BTreeMap<usize, usize>) {
    let mut sim = Sim::new(cluster, items, pool_zones(cluster, pool));
    let mut at = BTreeMap::new();
    for &n in &pool.nodes {
        at.insert(n, sim.add_existing(n, hourly(costs, n), target));
    }
    for (i, it) in items.iter().enumerate() {
        sim.place(i as u32, at[&it.node]);
    }
    (sim, at)
}

/// The FFD order: GPUs first, then the dominant share of `reference` (descending), then pod
/// order.
pub(super) fn ffd_order(items: &[Item], ids: &mut [u32], reference: Demand) {
    let share = |d: Demand| {
        let c = d.cpu_millis as f64 / reference.cpu_millis.max(1) as f64;
        let m = d.memory_bytes as f64 / reference.memory_bytes.max(1) as f64;
        c.max(m)
    };
    ids.sort_by(|&a, &b| {
        let (x, y) = (&items[a as usize], &items[b as usize]);
        y.requests
            .gpus
            .cmp(&x.requests.gpus)
            .then_with(|| share(y.requests).total_cmp(&share(x.requests)))
            .then_with(|| x.pod.cmp(&y.pod))
    });
}

pub(super) fn utilisation(n: &SimNode) -> f64 {
    let f = |u: i64, a: i64| if a > 0 { u as f64 / a as f64 } else { 1.0 };
    f(n.used.cpu_millis, n.allocatable.cpu_millis)
        .max(f(n.used.memory_bytes, n.allocatable.memory_bytes))
}

/// Drains the pool's nodes that can go, least utilised first: a node goes when it holds no
/// pod that cannot move and every movable pod on it fits (first fit, full allocatable) on the
/// pool's remaining nodes. Control-plane nodes stay.
pub fn drain(cluster: &Cluster, costs: &CostModel, pool: &PoolCost, items: &[Item]) -> Drain {
    let items = pool_items(pool, items);
    let (mut sim, _) = current(cluster, costs, pool, &items, 1.0);
    let mut order: Vec<usize> = (0..sim.nodes.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&sim.nodes[a], &sim.nodes[b]);
        utilisation(x)
            .total_cmp(&utilisation(y))
            .then_with(|| y.hourly.total_cmp(&x.hourly))
            .then_with(|| x.name.cmp(&y.name))
    });
    let reference = order
        .first()
        .map_or(Demand::default(), |&n| sim.nodes[n].allocatable);
    let (mut names, mut saving) = (Vec::new(), 0.0);
    for s in order {
        let node = sim.nodes[s].existing.map(|n| &cluster.nodes[n]);
        let open = sim.nodes.iter().filter(|n| n.open).count();
        let pinned = sim.nodes[s]
            .items
            .iter()
            .any(|&i| items[i as usize].mobility == Mobility::Pinned);
        if open <= 1 || pinned || node.is_some_and(|n| n.control_plane) {
            continue;
        }
        sim.nodes[s].open = false;
        let mut movable: Vec<u32> = sim.nodes[s]
            .items
            .iter()
            .copied()
            .filter(|&i| items[i as usize].mobility == Mobility::Movable)
            .collect();
        ffd_order(&items, &mut movable, reference);
        let (mut taken, mut moved) = (Vec::new(), Vec::new());
        let mut ok = true;
        for &it in &movable {
            sim.remove(it, s);
            taken.push(it);
            match sim.first_fit(it, 0, Some(s)) {
                Some(t) => {
                    sim.place(it, t);
                    moved.push((it, t));
                }
                None => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            for it in sim.nodes[s].items.clone() {
                sim.remove(it, s);
            }
            names.push(sim.nodes[s].name.clone());
            saving += sim.nodes[s].hourly * HOURS_PER_MONTH;
        } else {
            for (it, t) in moved {
                sim.remove(it, t);
            }
            for it in taken {
                sim.place(it, s);
            }
            sim.nodes[s].open = true;
        }
    }
    Drain {
        nodes: names,
        saving,
        placement: placement_of(&sim),
    }
}

/// The open nodes of a simulation and what is on them.
pub(super) fn placement_of(sim: &Sim<'_>) -> Placement {
    let mut out = Placement {
        items: sim.items.to_vec(),
        ..Placement::default()
    };
    for n in sim.nodes.iter().filter(|n| n.open) {
        let k = &sim.kinds[n.kind as usize];
        let idx = out.nodes.len();
        out.nodes.push(PlacedNode {
            name: n.name.clone(),
            existing: n.existing,
            instance_type: n.instance_type.clone(),
            hourly_price: n.hourly,
            labels: k.labels.clone(),
            taints: k.taints.clone(),
            zone: n.zone.map(|z| sim.zones[z as usize].clone()),
            allocatable: n.allocatable,
            max_pods: n.max_pods,
            spot: n.spot,
        });
        out.assignments
            .extend(n.items.iter().map(|&i| (i as usize, idx)));
    }
    out
}

/// `count × type` per (instance type, spot), most nodes first.
pub(super) fn by_type<'a>(types: impl Iterator<Item = (Option<&'a str>, bool)>) -> Vec<PlanItem> {
    let mut m: BTreeMap<(&str, bool), usize> = BTreeMap::new();
    for (t, spot) in types {
        *m.entry((t.unwrap_or("unknown"), spot)).or_default() += 1;
    }
    let mut v: Vec<PlanItem> = m
        .into_iter()
        .map(|((t, spot), n)| PlanItem {
            instance_type: t.to_owned(),
            nodes: n,
            spot,
        })
        .collect();
    v.sort_by(|a, b| {
        b.nodes
            .cmp(&a.nodes)
            .then_with(|| a.instance_type.cmp(&b.instance_type))
    });
    v
}

/// How the name of a pool without a pool label ends.
pub const UNLABELLED: &str = "(no pool label)";

/// The pool's name for people: its label value, else provider, region and [`UNLABELLED`].
pub fn pool_name(pool: &PoolCost) -> String {
    pool.name.clone().unwrap_or_else(|| {
        format!(
            "{} {} {UNLABELLED}",
            pool.provider.as_str(),
            pool.region.as_deref().unwrap_or("unknown region")
        )
    })
}

/// What new nodes of a pool look like: a schedulable node's labels and taints, allocatable
/// pods and its allocatable, for the FFD order.
struct Template {
    labels: Vec<(String, String)>,
    taints: Vec<crate::scheduling::Taint>,
    max_pods: i64,
    reference: Demand,
    /// New nodes are spot nodes in an on-demand pool ([`Inputs::allow_spot`]).
    spot: bool,
}

impl Template {
    /// A schedulable node's look; with `spot`, relabelled as a spot node of the provider.
    fn of(cluster: &Cluster, pool: &PoolCost, spot: bool) -> Option<Template> {
        let n = pool
            .nodes
            .iter()
            .filter_map(|&n| cluster.nodes.get(n))
            .find(|n| !n.unschedulable && !n.control_plane)?;
        let (mut labels, mut taints) = (n.labels.clone(), n.taints.clone());
        if spot {
            as_spot(pool.provider, &mut labels, &mut taints);
        }
        Some(Template {
            labels,
            taints,
            max_pods: n.allocatable.pods,
            reference: Demand {
                cpu_millis: n.allocatable.cpu_millis,
                memory_bytes: n.allocatable.memory_bytes,
                gpus: n.allocatable.gpus,
            },
            spot,
        })
    }

    /// The kind of a new node of `instance_type` in `zone`.
    fn kind(&self, instance_type: &str, zone: Option<&str>, name: &str) -> Kind {
        let mut labels: Vec<(String, String)> = self
            .labels
            .iter()
            .filter(|(k, _)| k != "kubernetes.io/hostname")
            .map(|(k, v)| {
                if INSTANCE_TYPE_LABELS.contains(&k.as_str()) {
                    (k.clone(), instance_type.to_owned())
                } else if let (true, Some(z)) = (ZONE_LABELS.contains(&k.as_str()), zone) {
                    (k.clone(), z.to_owned())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect();
        labels.push(("kubernetes.io/hostname".to_owned(), name.to_owned()));
        labels.sort_by(|a, b| a.0.cmp(&b.0));
        Kind {
            labels,
            taints: self.taints.clone(),
            name: name.to_owned(),
        }
    }
}

/// Plans one pool: the cheapest of its current nodes less the drainable ones and the best
/// re-shape over [`TYPES_TRIED`] candidate types. `keep` is [`drain`] of `items` (the caller
/// has it already when `items` are today's).
pub fn plan_pool(
    cluster: &Cluster,
    costs: &CostModel,
    pool: &PoolCost,
    items: &[Item],
    inputs: &Inputs<'_>,
    today: &Drain,
    keep: Drain,
) -> Planned {
    let pitems = with_daemonsets_elsewhere(pool, items);
    let keep_cost = pool.monthly_cost() - keep.saving;
    let current = by_type(
        pool.nodes
            .iter()
            .map(|&n| (cluster.nodes[n].instance_type.as_deref(), false)),
    );
    let mut summary = RepackPool {
        pool: pool_name(pool),
        current,
        plan: by_type(
            keep.placement
                .nodes
                .iter()
                .map(|n| (n.instance_type.as_deref(), n.spot)),
        ),
        current_monthly_cost: pool.monthly_cost(),
        monthly_cost: keep_cost,
        lower_bound_monthly_cost: keep_cost,
        drainable_nodes: today.nodes.clone(),
        keeps_current_nodes: true,
        reason: None,
        pods_to_other_pools: 0,
        pods_from_other_pools: 0,
    };
    let blocked = blocked(cluster, &pitems);
    let fargate = pool
        .nodes
        .iter()
        .any(|&n| cluster.nodes[n].compute_type == ComputeType::Fargate);
    let spot = inputs.allow_spot && pool.capacity_type == Some(CapacityType::OnDemand);
    let candidates = match (fargate, Template::of(cluster, pool, spot)) {
        (true, _) => Err("Fargate runs one pod per node: nothing to re-pack".to_owned()),
        (false, None) => Err("the pool has no schedulable node to model new nodes on".to_owned()),
        (false, Some(_)) => pool_candidates(cluster, inputs.prices, pool, spot),
    };
    let candidates = match candidates {
        Ok(c) if !c.is_empty() => c,
        Ok(_) => {
            summary.reason =
                Some("no candidate instance type is priced in the pool's region".into());
            return Planned {
                summary,
                placement: keep.placement,
                blocked,
            };
        }
        Err(reason) => {
            summary.reason = Some(reason);
            return Planned {
                summary,
                placement: keep.placement,
                blocked,
            };
        }
    };
    let template = Template::of(cluster, pool, spot).expect("checked above");
    let demand = pitems
        .iter()
        .filter(|it| it.mobility != Mobility::DaemonSet)
        .fold(Demand::default(), |a, it| a.plus(it.requests));
    let lower = bound::lower_bound(&candidates, demand, inputs.target);
    let mut tried: Vec<&Candidate> = candidates.iter().collect();
    tried.sort_by(|a, b| {
        bound::single_type_cost(a, demand, inputs.target)
            .total_cmp(&bound::single_type_cost(b, demand, inputs.target))
            .then_with(|| a.instance_type.cmp(&b.instance_type))
    });
    tried.truncate(TYPES_TRIED);
    let fill = Fill::new(cluster, costs, pool, &pitems, inputs.target, &template);
    let mut best: Option<(f64, Sim<'_>)> = None;
    for c in tried {
        if let Some(mut sim) = fill.run(c) {
            fill.shrink(&mut sim, &candidates);
            let cost = monthly(&sim);
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                best = Some((cost, sim));
            }
        }
    }
    summary.lower_bound_monthly_cost = lower.map_or(keep_cost, |l| l.min(keep_cost));
    match best {
        Some((cost, sim)) if cost < keep_cost - 1e-6 => {
            summary.plan = by_type(
                sim.nodes
                    .iter()
                    .filter(|n| n.open)
                    .map(|n| (n.instance_type.as_deref(), n.spot)),
            );
            summary.monthly_cost = cost;
            summary.keeps_current_nodes = false;
            summary.lower_bound_monthly_cost = summary.lower_bound_monthly_cost.min(cost);
            Planned {
                summary,
                placement: placement_of(&sim),
                blocked,
            }
        }
        Some(_) => {
            summary.reason =
                Some("no mix of candidate types is cheaper than the current nodes".into());
            Planned {
                summary,
                placement: keep.placement,
                blocked,
            }
        }
        None => {
            summary.reason = Some("no candidate type holds the pods with their constraints".into());
            Planned {
                summary,
                placement: keep.placement,
                blocked,
            }
        }
    }
}

fn monthly(sim: &Sim<'_>) -> f64 {
    sim.nodes
        .iter()
        .filter(|n| n.open)
        .map(|n| n.hourly * HOURS_PER_MONTH)
        .sum()
}

fn blocked(cluster: &Cluster, items: &[Item]) -> Vec<Blocked> {
    items
        .iter()
        .filter_map(|it| {
            let reason = it.pinned_because?;
            let p = &cluster.pods[it.pod];
            Some(Blocked {
                pod: format!("{}/{}", p.namespace, p.name),
                node: cluster.nodes[it.node].name.clone(),
                reason: reason.to_owned(),
            })
        })
        .collect()
}

/// Relabels a node's look as a spot node of `provider`, as each service labels them: the
/// capacity-type labels the node already has (`eks.amazonaws.com/capacityType`,
/// `karpenter.sh/capacity-type`, `node.kubernetes.io/lifecycle`, GKE's provisioning label) take
/// their spot value; GKE spot nodes carry `cloud.google.com/gke-spot=true`, and AKS spot nodes
/// `kubernetes.azure.com/scalesetpriority=spot` with AKS's taint of the same name.
fn as_spot(
    provider: Provider,
    labels: &mut Vec<(String, String)>,
    taints: &mut Vec<crate::scheduling::Taint>,
) {
    let mut set =
        |key: &str, value: &str, add: bool| match labels.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value.to_owned(),
            None if add => labels.push((key.to_owned(), value.to_owned())),
            None => {}
        };
    set("eks.amazonaws.com/capacityType", "SPOT", false);
    set("karpenter.sh/capacity-type", "spot", false);
    set("node.kubernetes.io/lifecycle", "spot", false);
    set("cloud.google.com/gke-provisioning", "spot", false);
    match provider {
        Provider::Gcp => set("cloud.google.com/gke-spot", "true", true),
        Provider::Azure => {
            set("kubernetes.azure.com/scalesetpriority", "spot", true);
            let key = "kubernetes.azure.com/scalesetpriority";
            if !taints.iter().any(|t| t.key == key) {
                taints.push(crate::scheduling::Taint {
                    key: key.to_owned(),
                    value: "spot".to_owned(),
                    effect: crate::scheduling::TaintEffect::NoSchedule,
                });
            }
        }
        _ => {}
    }
    labels.sort_by(|a, b| a.0.cmp(&b.0));
}

/// Filling a pool with new nodes of one type, for each type tried: what every attempt shares.
struct Fill<'a> {
    cluster: &'a Cluster,
    costs: &'a CostModel,
    pool: &'a PoolCost,
    items: &'a [Item],
    target: f64,
    template: &'a Template,
    /// The movable items in FFD order ([`ffd_order`] by the template's reference).
    movable: Vec<u32>,
    /// The pool's DaemonSets, one representative pod each (the largest).
    daemonsets: Vec<u32>,
}

impl<'a> Fill<'a> {
    fn new(
        cluster: &'a Cluster,
        costs: &'a CostModel,
        pool: &'a PoolCost,
        items: &'a [Item],
        target: f64,
        template: &'a Template,
    ) -> Fill<'a> {
        let mut movable: Vec<u32> = (0..items.len())
            .filter(|&i| items[i].mobility == Mobility::Movable)
            .map(|i| i as u32)
            .collect();
        ffd_order(items, &mut movable, template.reference);
        let mut best: BTreeMap<usize, u32> = BTreeMap::new();
        for (i, it) in items.iter().enumerate() {
            if it.mobility != Mobility::DaemonSet {
                continue;
            }
            let e = best.entry(it.workload).or_insert(i as u32);
            let cur = items[*e as usize].requests;
            if (it.requests.cpu_millis, it.requests.memory_bytes)
                > (cur.cpu_millis, cur.memory_bytes)
            {
                *e = i as u32;
            }
        }
        Fill {
            cluster,
            costs,
            pool,
            items,
            target,
            template,
            movable,
            daemonsets: best.into_values().collect(),
        }
    }

    /// Places every movable pod: kept nodes first, then new nodes of `c`; `None` when some
    /// pod fits nowhere.
    fn run(&self, c: &Candidate) -> Option<Sim<'a>> {
        let mut sim = Sim::new(
            self.cluster,
            self.items,
            pool_zones(self.cluster, self.pool),
        );
        let kept: BTreeSet<usize> = self
            .items
            .iter()
            .filter(|it| it.mobility == Mobility::Pinned)
            .map(|it| it.node)
            .collect();
        let mut at = BTreeMap::new();
        for &n in &kept {
            at.insert(n, sim.add_existing(n, hourly(self.costs, n), self.target));
        }
        for (i, it) in self.items.iter().enumerate() {
            if it.mobility != Mobility::Movable
                && let Some(&s) = at.get(&it.node)
            {
                sim.place(i as u32, s);
            }
        }
        let (movable, ds) = (&self.movable, &self.daemonsets);
        let min_cpu = movable
            .iter()
            .map(|&i| self.items[i as usize].requests.cpu_millis)
            .min()
            .unwrap_or(0);
        let min_mem = movable
            .iter()
            .map(|&i| self.items[i as usize].requests.memory_bytes)
            .min()
            .unwrap_or(0);
        let (mut start, mut rr) = (0usize, 0usize);
        for &it in movable {
            while start < sim.nodes.len() && full(&sim.nodes[start], min_cpu, min_mem) {
                start += 1;
            }
            if let Some(n) = sim.first_fit(it, start, None) {
                sim.place(it, n);
                continue;
            }
            let n = self
                .open_new(&mut sim, c, it, ds, &mut rr)
                .or_else(|| self.open_like(&mut sim, it, ds))?;
            sim.place(it, n);
        }
        Some(sim)
    }

    /// Opens a node of `c` (zones round robin) that takes `item`, with the DaemonSet pods it
    /// gets; `None` when none does.
    fn open_new(
        &self,
        sim: &mut Sim<'a>,
        c: &Candidate,
        item: u32,
        ds: &[u32],
        rr: &mut usize,
    ) -> Option<usize> {
        let zones: Vec<Option<String>> = if sim.zones.is_empty() {
            vec![None]
        } else {
            sim.zones.iter().cloned().map(Some).collect()
        };
        for k in 0..zones.len() {
            let zone = zones[(*rr + k) % zones.len()].clone();
            let name = format!("new-{}", sim.nodes.len() + 1);
            let kind = sim.kind_id(self.template.kind(&c.instance_type, zone.as_deref(), &name));
            let allocatable = Demand {
                cpu_millis: c.allocatable.cpu_millis,
                memory_bytes: c.allocatable.memory_bytes,
                gpus: c.gpus,
            };
            let mut node = new_node(
                name,
                Some(c.instance_type.clone()),
                c.hourly_price,
                kind,
                sim.zone_id(zone.as_deref()),
                allocatable,
                self.target,
                self.template.max_pods,
            );
            node.spot = self.template.spot;
            if let Some(n) = with_daemonsets(sim, node, ds, item) {
                *rr = (*rr + k + 1) % zones.len();
                return Some(n);
            }
        }
        None
    }

    /// Opens a node like `item`'s current one (same labels, type and price).
    fn open_like(&self, sim: &mut Sim<'a>, item: u32, ds: &[u32]) -> Option<usize> {
        let n = self.items[item as usize].node;
        let node = &self.cluster.nodes[n];
        let name = format!("new-{}", sim.nodes.len() + 1);
        let mut labels = node.labels.clone();
        for (k, v) in &mut labels {
            if k == "kubernetes.io/hostname" {
                *v = name.clone();
            }
        }
        let kind = sim.kind_id(Kind {
            labels,
            taints: node.taints.clone(),
            name: name.clone(),
        });
        let allocatable = Demand {
            cpu_millis: node.allocatable.cpu_millis,
            memory_bytes: node.allocatable.memory_bytes,
            gpus: node.allocatable.gpus,
        };
        let zone = sim.zone_id(node.zone.as_deref());
        let new = new_node(
            name,
            node.instance_type.clone(),
            hourly(self.costs, n),
            kind,
            zone,
            allocatable,
            self.target,
            node.allocatable.pods,
        );
        with_daemonsets(sim, new, ds, item)
    }

    /// Moves each new node that is at most three quarters full to the cheapest candidate type
    /// that still holds its pods (the same DaemonSets, the same zone).
    fn shrink(&self, sim: &mut Sim<'a>, candidates: &[Candidate]) {
        let mut by_price: Vec<&Candidate> = candidates.iter().collect();
        by_price.sort_by(|a, b| {
            a.hourly_price
                .total_cmp(&b.hourly_price)
                .then_with(|| a.instance_type.cmp(&b.instance_type))
        });
        let ds = &self.daemonsets;
        for n in 0..sim.nodes.len() {
            let node = &sim.nodes[n];
            if !node.new
                || !node.open
                || node.existing.is_some()
                || utilisation_of_usable(node) > 0.75
            {
                continue;
            }
            let zone = node.zone.map(|z| sim.zones[z as usize].clone());
            let items = node.items.clone();
            let (hourly_now, used, name) = (node.hourly, node.used, node.name.clone());
            let on_it: BTreeSet<u32> = items
                .iter()
                .copied()
                .filter(|&i| sim.is_daemonset(i))
                .collect();
            for c in by_price.iter().take_while(|c| c.hourly_price < hourly_now) {
                let usable = Demand {
                    cpu_millis: c.allocatable.cpu_millis,
                    memory_bytes: c.allocatable.memory_bytes,
                    gpus: c.gpus,
                }
                .scaled(self.target);
                if used.cpu_millis > usable.cpu_millis
                    || used.memory_bytes > usable.memory_bytes
                    || used.gpus > usable.gpus
                {
                    continue;
                }
                let kind =
                    sim.kind_id(self.template.kind(&c.instance_type, zone.as_deref(), &name));
                let gets: BTreeSet<u32> = ds
                    .iter()
                    .copied()
                    .filter(|&d| sim.eligible(d, kind))
                    .collect();
                if gets != on_it || !items.iter().all(|&i| sim.eligible(i, kind)) {
                    continue;
                }
                let node = &mut sim.nodes[n];
                node.kind = kind;
                node.instance_type = Some(c.instance_type.clone());
                node.hourly = c.hourly_price;
                node.allocatable = Demand {
                    cpu_millis: c.allocatable.cpu_millis,
                    memory_bytes: c.allocatable.memory_bytes,
                    gpus: c.gpus,
                };
                node.usable = usable;
                sim.capacity_changed(n);
                break;
            }
        }
    }
}

fn utilisation_of_usable(n: &SimNode) -> f64 {
    let f = |u: i64, a: i64| if a > 0 { u as f64 / a as f64 } else { 1.0 };
    f(n.used.cpu_millis, n.usable.cpu_millis).max(f(n.used.memory_bytes, n.usable.memory_bytes))
}

/// True when no movable pod can fit any more (no CPU or memory for the smallest, or the pods
/// limit is reached) or the node takes no pods.
fn full(n: &SimNode, min_cpu: i64, min_mem: i64) -> bool {
    !n.open
        || !n.accepts
        || n.usable.cpu_millis - n.used.cpu_millis < min_cpu
        || n.usable.memory_bytes - n.used.memory_bytes < min_mem
        || (n.max_pods > 0 && n.items.len() as i64 >= n.max_pods)
}

#[allow(clippy::too_many_arguments)]
fn new_node(
    name: String,
    instance_type: Option<String>,
    hourly: f64,
    kind: u32,
    zone: Option<u32>,
    allocatable: Demand,
    target: f64,
    max_pods: i64,
) -> SimNode {
    SimNode {
        name,
        existing: None,
        instance_type,
        hourly,
        kind,
        zone,
        allocatable,
        usable: allocatable.scaled(target),
        max_pods,
        spot: false,
        open: true,
        accepts: true,
        new: true,
        used: Demand::default(),
        items: Vec::new(),
        ports: Vec::new(),
        anti: Vec::new(),
    }
}

/// Adds `node` with every DaemonSet pod of `ds` it allows; keeps it when `item` then fits,
/// else takes it away again.
fn with_daemonsets(sim: &mut Sim<'_>, node: SimNode, ds: &[u32], item: u32) -> Option<usize> {
    let n = sim.push_node(node);
    let mut ok = true;
    for &d in ds {
        let kind = sim.nodes[n].kind;
        if !sim.eligible(d, kind) {
            continue;
        }
        if sim.fits(d, n, true) {
            sim.place(d, n);
        } else {
            ok = false;
            break;
        }
    }
    if ok && sim.fits(item, n, false) {
        return Some(n);
    }
    for it in sim.nodes[n].items.clone() {
        sim.remove(it, n);
    }
    sim.pop_node();
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduling::TaintEffect;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn spot_nodes_are_labelled_and_tainted_as_each_service_does() {
        let (mut l, mut t) = (
            labels(&[
                ("eks.amazonaws.com/capacityType", "ON_DEMAND"),
                ("karpenter.sh/capacity-type", "on-demand"),
            ]),
            Vec::new(),
        );
        as_spot(Provider::Aws, &mut l, &mut t);
        assert_eq!(
            l,
            labels(&[
                ("eks.amazonaws.com/capacityType", "SPOT"),
                ("karpenter.sh/capacity-type", "spot"),
            ])
        );
        assert!(t.is_empty());
        let (mut l, mut t) = (
            labels(&[("cloud.google.com/gke-nodepool", "p")]),
            Vec::new(),
        );
        as_spot(Provider::Gcp, &mut l, &mut t);
        assert_eq!(
            l,
            labels(&[
                ("cloud.google.com/gke-nodepool", "p"),
                ("cloud.google.com/gke-spot", "true"),
            ])
        );
        let (mut l, mut t) = (
            labels(&[("kubernetes.azure.com/scalesetpriority", "regular")]),
            Vec::new(),
        );
        as_spot(Provider::Azure, &mut l, &mut t);
        assert_eq!(
            l,
            labels(&[("kubernetes.azure.com/scalesetpriority", "spot")])
        );
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].key.as_str(), t[0].value.as_str(), t[0].effect),
            (
                "kubernetes.azure.com/scalesetpriority",
                "spot",
                TaintEffect::NoSchedule
            )
        );
    }
}
