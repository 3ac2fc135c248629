//! Moves across pools: after every pool has its plan, a node whose movable pods all fit on the
//! other nodes of *compatible* pools is taken away, as Karpenter's consolidation and
//! cluster-autoscaler's scale-down move pods to any node the scheduler allows.
//!
//! Pools are compatible when they share provider, region, capacity type (a spot pool stays
//! spot), CPU architecture (an image built for one may not run on the other) and whether they
//! have GPUs (a GPU pool stays a GPU pool); Fargate and pools of mixed capacity types or
//! architectures take part in no move. Within that, each pod's own constraints decide where
//! it may go, through the same simulation (`sim::Sim`) as the pools' plans: selectors, affinity, taints, pods
//! limits, host ports, anti-affinity and zone spread, now counted over every pool. Nodes are
//! tried least utilised first; receiving nodes are filled to the target utilisation at most.
//! The step only ever removes nodes, so the plan never costs more than the pools' plans.

use std::collections::BTreeMap;

use crate::cluster::Cluster;
use crate::cost::PoolCost;
use crate::model::{CapacityType, Provider};
use crate::nodes::ComputeType;

use super::sim::{Kind, Sim, SimNode};
use super::{Demand, Item, Mobility, PlacedNode, Placement};

/// Pods that move from one pool's nodes to another's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PoolMove {
    /// The pool they leave.
    pub from: String,
    /// The pool they join.
    pub to: String,
    /// How many pods.
    pub pods: usize,
}

/// What the step found.
#[derive(Debug, Clone, Default)]
pub struct Across {
    /// Per pool (in the order given): the instance type, hourly price and spot flag
    /// ([`PlacedNode::spot`]) of each node it keeps.
    pub pools: Vec<Vec<(Option<String>, f64, bool)>>,
    /// The whole cluster after the moves (every pool's items, for the verifier); empty when no
    /// two pools are compatible.
    pub placement: Placement,
    /// Per pool: the names of its nodes taken away.
    pub removed: Vec<Vec<String>>,
    /// Per pool: pods that left for another pool, and pods that came from one.
    pub moved_out: Vec<usize>,
    /// See `moved_out`.
    pub moved_in: Vec<usize>,
    /// Pods per (from pool, to pool), by pool index.
    pub moves: BTreeMap<(usize, usize), usize>,
}

/// What a pool must share with another for pods to move between them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Compat {
    provider: Provider,
    region: Option<String>,
    capacity: CapacityType,
    arch: Option<String>,
    gpus: bool,
}

fn compat(cluster: &Cluster, pool: &PoolCost) -> Option<Compat> {
    let capacity = pool.capacity_type?;
    let nodes: Vec<_> = pool
        .nodes
        .iter()
        .filter_map(|&n| cluster.nodes.get(n))
        .collect();
    let first = nodes.first()?;
    if nodes
        .iter()
        .any(|n| n.compute_type == ComputeType::Fargate || n.arch != first.arch || n.control_plane)
    {
        return None;
    }
    Some(Compat {
        provider: pool.provider,
        region: pool.region.clone(),
        capacity,
        arch: first.arch.clone(),
        gpus: nodes.iter().any(|n| n.gpus > 0),
    })
}

/// Moves pods across compatible pools on top of `plans` (one per pool of `pools`, as the
/// pools' plans left them), new and receiving nodes at `target`. `None` when no two pools are
/// compatible: the plans stand as they are.
pub fn across(
    cluster: &Cluster,
    pools: &[PoolCost],
    plans: &[Placement],
    target: f64,
) -> Option<Across> {
    let keys: Vec<Option<Compat>> = pools.iter().map(|p| compat(cluster, p)).collect();
    let mut count: BTreeMap<&Compat, usize> = BTreeMap::new();
    for k in keys.iter().flatten() {
        *count.entry(k).or_default() += 1;
    }
    // Only groups of two pools or more take part; a group's id is its position in `count`.
    let ids: BTreeMap<&Compat, u32> = count
        .iter()
        .filter(|(_, n)| **n >= 2)
        .enumerate()
        .map(|(i, (k, _))| (*k, i as u32))
        .collect();
    if ids.is_empty() {
        return None;
    }
    let group: Vec<Option<u32>> = keys
        .iter()
        .map(|k| k.as_ref().and_then(|k| ids.get(k).copied()))
        .collect();
    let items: Vec<Item> = plans.iter().flat_map(|p| p.items.iter().cloned()).collect();
    let mut zones: Vec<String> = plans
        .iter()
        .flat_map(|p| p.nodes.iter().filter_map(|n| n.zone.clone()))
        .collect();
    zones.sort();
    zones.dedup();
    let mut sim = Sim::new(cluster, &items, zones);
    let mut pool_of = Vec::new();
    let mut offset = 0u32;
    for (p, plan) in plans.iter().enumerate() {
        let first = sim.nodes.len();
        for n in &plan.nodes {
            add(&mut sim, cluster, n, target);
            pool_of.push(p);
        }
        for &(i, n) in &plan.assignments {
            sim.place(offset + i as u32, first + n);
        }
        offset += plan.items.len() as u32;
    }
    let node_group: Vec<Option<u32>> = pool_of.iter().map(|&p| group[p]).collect();
    let item_pool: Vec<usize> = plans
        .iter()
        .enumerate()
        .flat_map(|(p, plan)| std::iter::repeat_n(p, plan.items.len()))
        .collect();
    let mut out = Across {
        removed: vec![Vec::new(); plans.len()],
        moved_out: vec![0; plans.len()],
        moved_in: vec![0; plans.len()],
        ..Across::default()
    };
    consolidate(&mut sim, &node_group, &pool_of, &mut out);
    count_moves(&sim, &pool_of, &item_pool, &mut out);
    out.placement = super::plan::placement_of(&sim);
    out.pools = vec![Vec::new(); plans.len()];
    for (n, &p) in sim.nodes.iter().zip(&pool_of) {
        if n.open {
            out.pools[p].push((n.instance_type.clone(), n.hourly, n.spot));
        }
    }
    Some(out)
}

/// Adds a planned node to the simulation: receiving at most `target` of its CPU and memory.
fn add(sim: &mut Sim<'_>, cluster: &Cluster, n: &PlacedNode, target: f64) {
    let kind = sim.kind_id(Kind {
        labels: n.labels.clone(),
        taints: n.taints.clone(),
        name: n.name.clone(),
    });
    let zone = sim.zone_id(n.zone.as_deref());
    sim.push_node(SimNode {
        name: n.name.clone(),
        existing: n.existing,
        instance_type: n.instance_type.clone(),
        hourly: n.hourly_price,
        kind,
        zone,
        allocatable: n.allocatable,
        usable: n.allocatable.scaled(target),
        max_pods: n.max_pods,
        spot: n.spot,
        open: true,
        accepts: n
            .existing
            .is_none_or(|e| !cluster.nodes.get(e).is_some_and(|x| x.unschedulable)),
        new: n.existing.is_none(),
        used: Demand::default(),
        items: Vec::new(),
        ports: Vec::new(),
        anti: Vec::new(),
    });
}

/// Room left for moved pods: `usable − used`, never below zero.
fn room(n: &super::sim::SimNode) -> Demand {
    Demand {
        cpu_millis: (n.usable.cpu_millis - n.used.cpu_millis).max(0),
        memory_bytes: (n.usable.memory_bytes - n.used.memory_bytes).max(0),
        gpus: (n.usable.gpus - n.used.gpus).max(0),
    }
}

fn covers(room: Demand, need: Demand) -> bool {
    room.cpu_millis >= need.cpu_millis
        && room.memory_bytes >= need.memory_bytes
        && room.gpus >= need.gpus
}

/// Tries every node of a group, least utilised first; one goes when its movable pods all fit
/// on the group's other open nodes (first fit, largest first). Control-plane nodes and nodes
/// holding a pod that cannot move stay.
fn consolidate(sim: &mut Sim<'_>, group: &[Option<u32>], pool_of: &[usize], out: &mut Across) {
    let cluster = sim.cluster;
    let mut members: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (n, g) in group.iter().enumerate() {
        if let Some(g) = g {
            members.entry(*g).or_default().push(n);
        }
    }
    for nodes in members.values() {
        let mut order = nodes.clone();
        order.sort_by(|&a, &b| {
            let (x, y) = (&sim.nodes[a], &sim.nodes[b]);
            super::plan::utilisation(x)
                .total_cmp(&super::plan::utilisation(y))
                .then_with(|| y.hourly.total_cmp(&x.hourly))
                .then_with(|| x.name.cmp(&y.name))
        });
        let mut free = nodes.iter().fold(Demand::default(), |a, &n| {
            if sim.nodes[n].open && sim.nodes[n].accepts {
                a.plus(room(&sim.nodes[n]))
            } else {
                a
            }
        });
        for s in order {
            let node = &sim.nodes[s];
            let control = node
                .existing
                .and_then(|e| cluster.nodes.get(e))
                .is_some_and(|n| n.control_plane);
            if control
                || !node.open
                || node
                    .items
                    .iter()
                    .any(|&i| sim.items[i as usize].mobility == Mobility::Pinned)
            {
                continue;
            }
            let mut movable: Vec<u32> = node
                .items
                .iter()
                .copied()
                .filter(|&i| sim.items[i as usize].mobility == Mobility::Movable)
                .collect();
            let need = movable.iter().fold(Demand::default(), |a, &i| {
                a.plus(sim.items[i as usize].requests)
            });
            let own = if node.accepts {
                room(node)
            } else {
                Demand::default()
            };
            if !covers(free.minus(own), need) {
                continue;
            }
            let reference = node.allocatable;
            super::plan::ffd_order(sim.items, &mut movable, reference);
            if empty(sim, s, &movable, nodes) {
                out.removed[pool_of[s]].push(sim.nodes[s].name.clone());
                free = nodes.iter().fold(Demand::default(), |a, &n| {
                    if sim.nodes[n].open && sim.nodes[n].accepts {
                        a.plus(room(&sim.nodes[n]))
                    } else {
                        a
                    }
                });
            }
        }
    }
}

/// Moves `movable` off node `s` onto the other open nodes of `nodes` and closes `s` (its
/// DaemonSet pods go with it); false, with nothing changed, when some pod fits nowhere.
fn empty(sim: &mut Sim<'_>, s: usize, movable: &[u32], nodes: &[usize]) -> bool {
    sim.nodes[s].open = false;
    let mut moved: Vec<(u32, usize)> = Vec::new();
    for &it in movable {
        sim.remove(it, s);
        let to = nodes.iter().copied().find(|&t| {
            t != s && sim.may_fit(it, t) && sim.nodes[t].accepts && sim.fits(it, t, false)
        });
        match to {
            Some(t) => {
                sim.place(it, t);
                moved.push((it, t));
            }
            None => {
                for &(m, t) in &moved {
                    sim.remove(m, t);
                    sim.place(m, s);
                }
                sim.place(it, s);
                sim.nodes[s].open = true;
                return false;
            }
        }
    }
    for it in sim.nodes[s].items.clone() {
        sim.remove(it, s);
    }
    true
}

/// Counts the pods that end on another pool's node than their own (a pod moved twice counts
/// once, from its own pool to where it ends).
fn count_moves(sim: &Sim<'_>, pool_of: &[usize], item_pool: &[usize], out: &mut Across) {
    for (n, node) in sim.nodes.iter().enumerate().filter(|(_, n)| n.open) {
        for &it in &node.items {
            let (from, to) = (item_pool[it as usize], pool_of[n]);
            if from != to && sim.items[it as usize].mobility == Mobility::Movable {
                out.moved_out[from] += 1;
                out.moved_in[to] += 1;
                *out.moves.entry((from, to)).or_default() += 1;
            }
        }
    }
}
