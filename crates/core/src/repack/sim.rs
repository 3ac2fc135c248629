//! The placement engine: nodes with what is on them, and the one question "does this pod fit
//! on that node?", answered with indexes instead of scans where it matters.
//!
//! * Node eligibility (node selector, required node affinity, taints) depends only on the pod's
//!   constraints and the node's labels and taints: pods with equal [`Scheduling`] share a
//!   *class*, nodes with equal labels and taints (every new node of one type in one zone) a
//!   *kind*, and the answer is cached per (class, kind).
//! * Resources and the pods limit are four integer comparisons, made first against a compact
//!   array of each node's room ([`Sim::may_fit`]), so first fit passes over full nodes without
//!   reading them; the array follows every change made through the simulation, and a debug
//!   assertion in [`Sim::fits`] checks it against the node.
//! * Host ports, anti-affinity and zone spread are looked at only for pods that have them (or
//!   nodes holding such pods): a sorted port list per node, the list of anti-affine pods per
//!   node, and pod counts per (workload, zone).
//!
//! Every placement is journaled so a failed drain attempt can be rolled back.

use rustc_hash::FxHashMap;

use crate::cluster::Cluster;
use crate::scheduling::{Scheduling, Taint, tolerates_all};

use super::{Constraints, Demand, Item, Mobility};

/// Labels, taints and the name a node offers to selectors (one per node).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Kind {
    pub labels: Vec<(String, String)>,
    pub taints: Vec<Taint>,
    /// For `matchFields` on `metadata.name` (new nodes are named `new-N`).
    pub name: String,
}

/// A node in a simulation.
#[derive(Debug, Clone)]
pub(crate) struct SimNode {
    pub name: String,
    /// Index into `Cluster::nodes` for an existing node.
    pub existing: Option<usize>,
    pub instance_type: Option<String>,
    pub hourly: f64,
    pub kind: u32,
    pub zone: Option<u32>,
    /// Allocatable (what the verifier checks).
    pub allocatable: Demand,
    /// What movable pods may fill (allocatable × target, or allocatable).
    pub usable: Demand,
    /// Allocatable pods (0: no limit known).
    pub max_pods: i64,
    /// A new spot node in an on-demand pool.
    pub spot: bool,
    /// Open: pods may be placed (closed: drained or discarded).
    pub open: bool,
    /// Accepts moved pods (false for cordoned nodes).
    pub accepts: bool,
    /// True for a node opened from the catalogue.
    pub new: bool,
    pub used: Demand,
    pub items: Vec<u32>,
    pub ports: Vec<u32>,
    pub anti: Vec<u32>,
}

/// A simulation over some nodes and items.
pub(crate) struct Sim<'a> {
    pub cluster: &'a Cluster,
    pub items: &'a [Item],
    pub nodes: Vec<SimNode>,
    pub kinds: Vec<Kind>,
    /// Class of each item (equal scheduling constraints).
    class: Vec<u32>,
    /// Eligibility per class per kind: 0 unknown, 1 yes, 2 no.
    elig: Vec<Vec<u8>>,
    /// The zones of the simulation, by id.
    pub zones: Vec<String>,
    /// Pods with hard zone spread, counted per (workload, zone id).
    spread: FxHashMap<(usize, u32), i64>,
    /// Each node's [`Room`], in node order: what first fit scans before asking [`Sim::fits`]
    /// (32 bytes a node instead of a whole [`SimNode`]).
    room: Vec<Room>,
}

/// What a node has left for movable pods: usable less used, and pod slots (`i64::MAX`: no
/// limit). Kept up to date by every change of a node through the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Room {
    cpu: i64,
    memory: i64,
    gpus: i64,
    pods: i64,
}

impl Room {
    fn of(n: &SimNode) -> Room {
        Room {
            cpu: n.usable.cpu_millis.saturating_sub(n.used.cpu_millis),
            memory: n.usable.memory_bytes.saturating_sub(n.used.memory_bytes),
            gpus: n.usable.gpus.saturating_sub(n.used.gpus),
            pods: if n.max_pods > 0 {
                n.max_pods.saturating_sub(n.items.len() as i64)
            } else {
                i64::MAX
            },
        }
    }

    /// True when requests `r` fit (the resource part of [`Sim::fits`] for a moved pod).
    fn holds(self, r: Demand) -> bool {
        r.cpu_millis <= self.cpu
            && r.memory_bytes <= self.memory
            && r.gpus <= self.gpus
            && self.pods > 0
    }
}

impl<'a> Sim<'a> {
    /// A simulation of `items` (nothing placed yet) over no nodes.
    pub fn new(cluster: &'a Cluster, items: &'a [Item], zones: Vec<String>) -> Sim<'a> {
        let class: Vec<u32> = items.iter().map(|it| it.class).collect();
        let classes = class.iter().max().map_or(0, |&c| c as usize + 1);
        Sim {
            cluster,
            items,
            nodes: Vec::new(),
            kinds: Vec::new(),
            class,
            elig: vec![Vec::new(); classes],
            zones,
            spread: FxHashMap::default(),
            room: Vec::new(),
        }
    }

    /// Adds `node`; its index.
    pub fn push_node(&mut self, node: SimNode) -> usize {
        self.room.push(Room::of(&node));
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// Takes the last node away (one just added and emptied again).
    pub fn pop_node(&mut self) {
        self.nodes.pop();
        self.room.pop();
    }

    /// Records a change of `node`'s capacity made directly on [`Sim::nodes`].
    pub fn capacity_changed(&mut self, node: usize) {
        self.room[node] = Room::of(&self.nodes[node]);
    }

    /// False when `item` certainly does not fit on `node` for its resources or the pods limit
    /// (true: ask [`Sim::fits`]).
    pub fn may_fit(&self, item: u32, node: usize) -> bool {
        self.room[node].holds(self.items[item as usize].requests)
    }

    /// The id of `kind`, added. Every node's kind holds its own name (for `matchFields` on
    /// `metadata.name`), so kinds are never shared and are not searched for: a search compared
    /// every earlier node's labels, quadratic in a pool's nodes.
    pub fn kind_id(&mut self, kind: Kind) -> u32 {
        self.kinds.push(kind);
        u32::try_from(self.kinds.len() - 1).unwrap_or(u32::MAX)
    }

    /// The zone id of `zone`, when it is one of the simulation's zones.
    pub fn zone_id(&self, zone: Option<&str>) -> Option<u32> {
        let z = zone?;
        self.zones
            .iter()
            .position(|x| x == z)
            .and_then(|i| u32::try_from(i).ok())
    }

    fn scheduling(&self, item: u32) -> Option<&'a Scheduling> {
        self.cluster.pods[self.items[item as usize].pod]
            .scheduling
            .as_deref()
    }

    /// True when the item's node selector, node affinity and tolerations allow the kind.
    pub fn eligible(&mut self, item: u32, kind: u32) -> bool {
        let class = self.class[item as usize] as usize;
        let row = &mut self.elig[class];
        if row.len() <= kind as usize {
            row.resize(self.kinds.len().max(kind as usize + 1), 0);
        }
        match row[kind as usize] {
            1 => return true,
            2 => return false,
            _ => {}
        }
        let k = &self.kinds[kind as usize];
        let ok = match self.cluster.pods[self.items[item as usize].pod]
            .scheduling
            .as_deref()
        {
            Some(s) => {
                s.node_matches(&k.labels, &k.name) && tolerates_all(&s.tolerations, &k.taints)
            }
            None => tolerates_all(&[], &k.taints),
        };
        self.elig[class][kind as usize] = if ok { 1 } else { 2 };
        ok
    }

    /// True when `item` can be added to `node`: the node is open, the item's constraints allow
    /// it, and its requests fit in `usable` (`full`: in allocatable, for pods that stay and
    /// DaemonSet copies).
    pub fn fits(&mut self, item: u32, node: usize, full: bool) -> bool {
        let n = &self.nodes[node];
        debug_assert_eq!(
            self.room.get(node),
            Some(&Room::of(n)),
            "node {node}'s room"
        );
        if !n.open {
            return false;
        }
        let r = self.items[item as usize].requests;
        let cap = if full { n.allocatable } else { n.usable };
        if n.used.cpu_millis + r.cpu_millis > cap.cpu_millis
            || n.used.memory_bytes + r.memory_bytes > cap.memory_bytes
            || n.used.gpus + r.gpus > cap.gpus
            || (n.max_pods > 0 && n.items.len() as i64 >= n.max_pods)
        {
            return false;
        }
        let kind = n.kind;
        if !self.eligible(item, kind) {
            return false;
        }
        self.constraints_allow(item, node)
    }

    /// Host ports, anti-affinity (both ways) and hard zone spread.
    fn constraints_allow(&self, item: u32, node: usize) -> bool {
        let n = &self.nodes[node];
        let mine = self.items[item as usize].constraints;
        if mine.none() && n.anti.is_empty() {
            return true;
        }
        let pods = &self.cluster.pods;
        let me = &pods[self.items[item as usize].pod];
        for &other in &n.anti {
            let o = &pods[self.items[other as usize].pod];
            let s = o
                .scheduling
                .as_deref()
                .map_or(&[][..], |s| &s.anti_affinity);
            let own = self.items[other as usize].constraints.namespace;
            if s.iter().any(|t| {
                in_namespaces(&t.namespaces, own, mine.namespace)
                    && t.selector.matches(&me.label_hashes)
            }) {
                return false;
            }
        }
        if mine.none() {
            return true;
        }
        let Some(s) = self.scheduling(item) else {
            return true;
        };
        if s.host_ports
            .iter()
            .any(|p| n.ports.binary_search(p).is_ok())
        {
            return false;
        }
        for t in &s.anti_affinity {
            for &other in &n.items {
                let o = &self.items[other as usize];
                if in_namespaces(&t.namespaces, mine.namespace, o.constraints.namespace)
                    && t.selector.matches(&pods[o.pod].label_hashes)
                {
                    return false;
                }
            }
        }
        if let (Some(z), true) = (n.zone, mine.zone_spread) {
            let w = self.items[item as usize].workload;
            let count = |z: u32| self.spread.get(&(w, z)).copied().unwrap_or(0);
            let min = (0..self.zones.len())
                .filter_map(|i| u32::try_from(i).ok())
                .map(count)
                .min()
                .unwrap_or(0);
            let skew = s
                .zone_spread
                .iter()
                .filter(|c| c.hard)
                .map(|c| c.max_skew)
                .min()
                .unwrap_or(1);
            if count(z) + 1 - min > skew {
                return false;
            }
        }
        true
    }

    /// The item's requests and constraint flags, and its scheduling when a flag says that
    /// placing it must look at it.
    fn placing(&self, item: u32) -> (Demand, Constraints, Option<&'a Scheduling>) {
        let it = &self.items[item as usize];
        let s = if it.constraints.none() {
            None
        } else {
            self.scheduling(item)
        };
        (it.requests, it.constraints, s)
    }

    /// Puts `item` on `node` (no checks).
    pub fn place(&mut self, item: u32, node: usize) {
        let (r, c, s) = self.placing(item);
        let n = &mut self.nodes[node];
        n.used = n.used.plus(r);
        n.items.push(item);
        self.room[node] = Room::of(n);
        if let Some(s) = s {
            for &p in &s.host_ports {
                if let Err(i) = n.ports.binary_search(&p) {
                    n.ports.insert(i, p);
                }
            }
            if !s.anti_affinity.is_empty() {
                n.anti.push(item);
            }
        }
        if let (Some(z), true) = (n.zone, c.zone_spread) {
            let w = self.items[item as usize].workload;
            *self.spread.entry((w, z)).or_default() += 1;
        }
    }

    /// Takes `item` off `node` (the reverse of [`Sim::place`]).
    pub fn remove(&mut self, item: u32, node: usize) {
        let (r, c, s) = self.placing(item);
        let n = &mut self.nodes[node];
        let Some(i) = n.items.iter().rposition(|&x| x == item) else {
            return;
        };
        n.items.remove(i);
        n.used = n.used.minus(r);
        self.room[node] = Room::of(n);
        if let Some(s) = s {
            for p in &s.host_ports {
                if let Ok(i) = n.ports.binary_search(p) {
                    n.ports.remove(i);
                }
            }
            if let Some(i) = n.anti.iter().rposition(|&x| x == item) {
                n.anti.remove(i);
            }
        }
        if let (Some(z), true) = (n.zone, c.zone_spread) {
            let w = self.items[item as usize].workload;
            *self.spread.entry((w, z)).or_default() -= 1;
        }
    }

    /// Adds an existing cluster node (its labels, taints, allocatable; `usable` is allocatable
    /// × `target` for CPU and memory).
    pub fn add_existing(&mut self, node: usize, hourly: f64, target: f64) -> usize {
        let n = &self.cluster.nodes[node];
        let kind = self.kind_id(Kind {
            labels: n.labels.clone(),
            taints: n.taints.clone(),
            name: n.name.clone(),
        });
        let allocatable = Demand {
            cpu_millis: n.allocatable.cpu_millis,
            memory_bytes: n.allocatable.memory_bytes,
            gpus: n.allocatable.gpus,
        };
        let zone = self.zone_id(n.zone.as_deref());
        self.push_node(SimNode {
            name: n.name.clone(),
            existing: Some(node),
            instance_type: n.instance_type.clone(),
            hourly,
            kind,
            zone,
            allocatable,
            usable: allocatable.scaled(target),
            max_pods: n.allocatable.pods,
            spot: false,
            open: true,
            accepts: !n.unschedulable,
            new: false,
            used: Demand::default(),
            items: Vec::new(),
            ports: Vec::new(),
            anti: Vec::new(),
        })
    }

    /// First fit of a moved `item` over the open nodes that accept pods, from `start`,
    /// skipping `except`.
    pub fn first_fit(&mut self, item: u32, start: usize, except: Option<usize>) -> Option<usize> {
        (start..self.nodes.len()).find(|&n| {
            Some(n) != except
                && self.may_fit(item, n)
                && self.nodes[n].accepts
                && self.fits(item, n, false)
        })
    }

    /// True when the item is a DaemonSet pod.
    pub fn is_daemonset(&self, item: u32) -> bool {
        self.items[item as usize].mobility == Mobility::DaemonSet
    }
}

/// True when a term of a pod in the namespace whose hash is `own` (looking in `namespaces`,
/// empty: its own) covers a pod in the namespace whose hash is `other`.
fn in_namespaces(namespaces: &[u64], own: u64, other: u64) -> bool {
    if namespaces.is_empty() {
        own == other
    } else {
        namespaces.contains(&other)
    }
}
