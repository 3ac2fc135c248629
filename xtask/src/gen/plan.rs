//! Turns the options into a planned [`Cluster`]: pools and nodes, workloads, sizing, placement.
//!
//! Steps: lay out pools and node slots → DaemonSets, platform add-ons and app workloads until the
//! pod budget is used → pick instance sizes from the pod density → scale app requests so the
//! non-idle nodes end up 60–90 % requested → create pods → first-fit placement against a per-node
//! target (then against full allocatable; what still does not fit stays Pending) → IPs. The
//! demo's GPU pool is added aside from this, from its own random stream, after the sizing.

use std::collections::HashSet;

use super::catalog::{
    self, CURATED_NAMESPACES, GENERIC_SUFFIXES, InstanceType, MORE_NAMESPACES, NOW, Profile, VKind,
    Vocab, ZONES,
};
use super::model::{
    Cluster, Kind, Node, Pattern, Phase, Pod, Pool, Provisioner, Res, Role, Tol, Workload,
    effective_request,
};
use super::rng::Rng;
use super::workloads::{self, AppCtx};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// Number of nodes (ignored by the demo preset).
    pub nodes: usize,
    /// Total number of pods, DaemonSet pods included (ignored by the demo preset).
    pub pods: usize,
    /// Seed.
    pub seed: u64,
    /// The committed demo cluster.
    pub demo: bool,
    /// Compact pods: one container each, no init containers or sidecars, no env, arguments or
    /// startup probe, no template annotations, only the volumes it mounts (pods averaging
    /// under 9 KB as kubectl prints them, against about 12 KB by default).
    pub compact: bool,
}

impl Spec {
    /// The demo preset's shape: 15 CPU nodes in 3 pools and 200 pods, plus the GPU pool's 2
    /// nodes and their 13 pods (`Builder::gpu_nodes`), outside these counts.
    pub fn demo(seed: u64) -> Self {
        Spec {
            nodes: 15,
            pods: 200,
            seed,
            demo: true,
            compact: false,
        }
    }
}

struct Slot {
    pool: usize,
    idle: bool,
    itype: Option<&'static InstanceType>,
}

const DAY: i64 = 86_400;

/// Builds the plan.
pub fn build(spec: &Spec) -> Cluster {
    let mut b = Builder {
        spec: spec.clone(),
        rng: Rng::stream(spec.seed, "plan", 0),
        name: if spec.demo { "demo-eks" } else { "prod-eks" }.to_owned(),
        pools: Vec::new(),
        slots: Vec::new(),
        nodes: Vec::new(),
        workloads: Vec::new(),
        pods: Vec::new(),
        names: HashSet::new(),
        budget: spec.pods,
    };
    b.layout();
    b.daemonsets();
    b.platform();
    b.apps();
    b.size_nodes();
    b.size_requests();
    b.gpu_nodes();
    b.instantiate();
    b.gpu_pods();
    b.place();
    b.assign_ips();
    if spec.compact {
        b.workloads.iter_mut().for_each(compact);
    }
    b.pods.sort_by(|x, y| {
        let (wx, wy) = (&b.workloads[x.w], &b.workloads[y.w]);
        (wx.ns.as_bytes(), x.name.as_bytes()).cmp(&(wy.ns.as_bytes(), y.name.as_bytes()))
    });
    for (i, w) in b.workloads.iter_mut().enumerate() {
        w.seq = i as u64;
    }
    Cluster {
        seed: spec.seed,
        name: b.name,
        pools: b.pools,
        nodes: b.nodes,
        workloads: b.workloads,
        pods: b.pods,
    }
}

struct Builder {
    spec: Spec,
    rng: Rng,
    name: String,
    pools: Vec<Pool>,
    slots: Vec<Slot>,
    nodes: Vec<Node>,
    workloads: Vec<Workload>,
    pods: Vec<Pod>,
    names: HashSet<(String, String)>,
    budget: usize,
}

fn pool(name: &str, provisioner: Provisioner, spot: bool, tainted: bool, disk: u64) -> Pool {
    Pool {
        name: name.to_owned(),
        provisioner,
        spot,
        taint: tainted.then_some(("workload-class", "memory-optimized")),
        disk_gib: disk,
        gpu: false,
    }
}

/// Makes `w`'s pods compact ([`Spec::compact`]): after placement, so that the cluster's shape
/// and sizes are those of the default preset.
fn compact(w: &mut Workload) {
    w.containers.truncate(1);
    w.inits.clear();
    w.annotations.clear();
    w.meshed = false;
    w.last_applied = false;
    for c in &mut w.containers {
        c.env.clear();
        c.env_from.clear();
        c.args.clear();
        c.startup = None;
    }
    let mounted: HashSet<String> = w
        .containers
        .iter()
        .flat_map(|c| c.mounts.iter().map(|m| m.name.clone()))
        .collect();
    w.volumes.retain(|v| {
        mounted.contains(&v.name)
            || matches!(
                v.src,
                super::model::VolSrc::Pvc(_) | super::model::VolSrc::ClaimTemplate(_)
            )
    });
}

/// A node IP in `zone`'s /18 of 10.0.0.0/16 not in `taken` (then in it).
fn fresh_ip(rng: &mut Rng, taken: &mut HashSet<[u8; 4]>, zone: usize) -> [u8; 4] {
    loop {
        let ip = [
            10,
            0,
            (zone * 64) as u8 + rng.below(64) as u8,
            rng.range(4, 254) as u8,
        ];
        if taken.insert(ip) {
            return ip;
        }
    }
}

/// Pod-density → instance size step (0 = large … 4 = 8xlarge).
fn size_step(pods_per_node: f64) -> usize {
    if pods_per_node <= 14.0 {
        1
    } else if pods_per_node <= 26.0 {
        2
    } else if pods_per_node <= 50.0 {
        3
    } else {
        4
    }
}

impl Builder {
    fn tainted(&self, pool: usize) -> bool {
        self.pools[pool].taint.is_some()
    }

    /// Whether a workload is placed on the tainted (memory) pool.
    fn pinned_group(&self, w: &Workload) -> bool {
        w.pool.is_some_and(|p| self.tainted(p))
    }

    fn layout(&mut self) {
        let slot = |slots: &mut Vec<Slot>, pool: usize, idle: bool, t: Option<&str>| {
            slots.push(Slot {
                pool,
                idle,
                itype: t.map(catalog::instance_named),
            });
        };
        if self.spec.demo {
            self.pools = vec![
                pool("general", Provisioner::Managed, false, false, 80),
                pool("spot-compute", Provisioner::Karpenter, true, false, 20),
                pool("memory", Provisioner::Managed, false, true, 100),
            ];
            for _ in 0..6 {
                slot(&mut self.slots, 0, false, Some("m5.xlarge"));
            }
            for (t, idle) in [
                ("c5.xlarge", false),
                ("c5.xlarge", false),
                ("c5.2xlarge", false),
                ("m5.xlarge", false),
                ("m5.xlarge", true),
                ("m5.large", true),
            ] {
                slot(&mut self.slots, 1, idle, Some(t));
            }
            for _ in 0..3 {
                slot(&mut self.slots, 2, false, Some("r5.xlarge"));
            }
            // The GPU pool's nodes are not slots: `gpu_nodes` adds them after sizing.
            self.pools.push(Pool {
                name: "gpu".to_owned(),
                provisioner: Provisioner::Managed,
                spot: false,
                taint: Some(("nvidia.com/gpu", "true")),
                disk_gib: 100,
                gpu: true,
            });
            return;
        }
        let n = self.spec.nodes;
        let (general, spot, memory, arm) = match n {
            1 => (1, 0, 0, 0),
            2 => (1, 1, 0, 0),
            3..=19 => {
                let m = (n / 5).max(1);
                let s = (n - m) / 2;
                (n - m - s, s, m, 0)
            }
            _ => {
                let m = n * 15 / 100;
                let a = n * 15 / 100;
                let s = n * 35 / 100;
                (n - m - a - s, s, m, a)
            }
        };
        let idle = match n {
            0..=2 => 0,
            3..=5 => 1,
            _ => 2,
        }
        .min(spot);
        for (name, prov, spot_cap, tainted, disk, count) in [
            ("general", Provisioner::Managed, false, false, 80, general),
            (
                "spot-compute",
                Provisioner::Karpenter,
                true,
                false,
                20,
                spot,
            ),
            ("memory", Provisioner::Managed, false, true, 100, memory),
            ("arm64", Provisioner::Karpenter, false, false, 50, arm),
        ] {
            if count == 0 {
                continue;
            }
            let p = self.pools.len();
            self.pools.push(pool(name, prov, spot_cap, tainted, disk));
            for i in 0..count {
                let is_idle = name == "spot-compute" && i >= count - idle;
                slot(&mut self.slots, p, is_idle, None);
            }
        }
    }

    fn push(&mut self, mut w: Workload) {
        w.seq = self.workloads.len() as u64;
        self.names.insert((w.ns.clone(), w.name.clone()));
        self.workloads.push(w);
    }

    fn daemonsets(&mut self) {
        let n = self.slots.len();
        let k = if self.spec.demo {
            4
        } else {
            (self.spec.pods * 3 / 10 / n.max(1)).min(5)
        };
        let all = workloads::daemonsets(&self.name, &mut self.rng);
        for mut w in all.into_iter().take(k) {
            w.replicas = n as u32;
            self.budget -= n;
            self.push(w);
        }
    }

    fn platform(&mut self) {
        let karpenter = self
            .pools
            .iter()
            .any(|p| p.provisioner == Provisioner::Karpenter)
            .then(|| {
                self.pools
                    .iter()
                    .position(|p| p.provisioner == Provisioner::Managed && p.taint.is_none())
            });
        let list = workloads::platform(
            &self.name,
            self.slots.len(),
            self.spec.pods,
            karpenter,
            &mut self.rng,
        );
        let cap = if self.spec.demo {
            self.budget
        } else {
            ((self.budget as f64 * 0.2) as usize).max(self.budget.min(2))
        };
        let mut used = 0;
        for w in list {
            let r = w.replicas as usize;
            if used + r > cap {
                continue;
            }
            used += r;
            self.push(w);
        }
        self.budget -= used;
    }

    fn ns_name(i: usize) -> String {
        if i < CURATED_NAMESPACES.len() {
            return CURATED_NAMESPACES[i].to_owned();
        }
        let j = i - CURATED_NAMESPACES.len();
        if j < MORE_NAMESPACES.len() {
            return MORE_NAMESPACES[j].to_owned();
        }
        let k = j - MORE_NAMESPACES.len();
        format!(
            "{}-{}",
            MORE_NAMESPACES[k % MORE_NAMESPACES.len()],
            k / MORE_NAMESPACES.len() + 2
        )
    }

    /// The `k`-th workload of a namespace: curated entries first, then `<ns>-<suffix>[-n]`.
    fn vocab(&mut self, ns: &str, k: usize) -> (String, Vocab) {
        let curated = catalog::curated(ns);
        if k < curated.len() {
            let v = curated[k];
            return (v.0.to_owned(), v);
        }
        let j = k - curated.len();
        let (suffix, vkind, profile) = GENERIC_SUFFIXES[j % GENERIC_SUFFIXES.len()];
        let round = j / GENERIC_SUFFIXES.len();
        let stem = ns.split('-').next().unwrap_or(ns);
        let name = if round == 0 {
            format!("{stem}-{suffix}")
        } else {
            format!("{stem}-{suffix}-{}", round + 1)
        };
        let over = self.rng.chance(0.06);
        (name, ("", vkind, profile, over))
    }

    fn apps(&mut self) {
        let rest = self.budget;
        if rest == 0 {
            return;
        }
        let demo = self.spec.demo;
        let n_ns = if demo {
            CURATED_NAMESPACES.len()
        } else {
            ((rest as f64).sqrt() / 2.2).round().max(1.0) as usize
        };
        let ns_names: Vec<String> = (0..n_ns).map(Self::ns_name).collect();
        let meshed: Vec<bool> = ns_names
            .iter()
            .map(|ns| {
                matches!(ns.as_str(), "payments" | "checkout")
                    || (!CURATED_NAMESPACES.contains(&ns.as_str()) && self.rng.chance(0.05))
            })
            .collect();
        let ns_mult: Vec<f64> = (0..n_ns)
            .map(|_| {
                if demo {
                    1.0
                } else {
                    self.rng.uniform(0.5, 2.0)
                }
            })
            .collect();
        let size_mult = if demo {
            1.0
        } else {
            (rest as f64 / 4000.0).clamp(1.0, 10.0)
        };
        let mem_pool = self.pools.iter().position(|p| p.taint.is_some() && !p.gpu);
        let nonidle = self.slots.iter().filter(|s| !s.idle).count().max(1);
        let mem_nodes = self
            .slots
            .iter()
            .filter(|s| !s.idle && Some(s.pool) == mem_pool)
            .count();
        let quota = rest * mem_nodes / nonidle;
        let mut pinned = 0usize;
        let mut cursors = vec![0usize; n_ns];
        while self.budget > 0 {
            // Curated workloads first: a namespace moves on to generated names only once no
            // namespace has curated ones left.
            let curated_left = (0..n_ns).any(|i| cursors[i] < catalog::curated(&ns_names[i]).len());
            for i in 0..n_ns {
                if self.budget == 0 {
                    break;
                }
                if curated_left && cursors[i] >= catalog::curated(&ns_names[i]).len() {
                    continue;
                }
                let ns = ns_names[i].clone();
                let (name, (_, vkind, profile, over)) = self.vocab(&ns, cursors[i]);
                cursors[i] += 1;
                if profile == Profile::Trainer && rest < 100 {
                    continue;
                }
                if self.names.contains(&(ns.clone(), name.clone())) {
                    continue;
                }
                let kind = match vkind {
                    VKind::D => Kind::Deployment,
                    VKind::S => Kind::StatefulSet,
                    VKind::C => Kind::CronJob,
                    VKind::J => Kind::Job,
                    VKind::B => Kind::Bare,
                };
                let rng = &mut self.rng;
                let replicas = match vkind {
                    VKind::D if profile == Profile::Trainer => (rest / 2000).clamp(2, 20),
                    VKind::D => {
                        let b = *rng.pick(&[1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0, 6.0]);
                        (b * ns_mult[i] * size_mult * rng.uniform(0.7, 1.3))
                            .round()
                            .max(1.0) as usize
                    }
                    VKind::S => {
                        let b = match profile {
                            Profile::Postgres => 1 + rng.index(2),
                            Profile::Redis => *rng.pick(&[1, 3]),
                            Profile::Kafka | Profile::OpenSearch => 3,
                            _ => 1,
                        };
                        (b as f64 * size_mult.min(3.0)).round() as usize
                    }
                    VKind::C => 1 + rng.index(3),
                    VKind::J | VKind::B => 1,
                }
                .min(self.budget)
                .min(if over { 3 } else { usize::MAX });
                let secret = format!(
                    "s3cr3t-{}",
                    Rng::stream(self.spec.seed, "secret", self.workloads.len() as u64).hex(12)
                );
                let ctx = AppCtx {
                    ns: &ns,
                    name: &name,
                    vkind,
                    profile,
                    over,
                    meshed: meshed[i],
                    secret,
                    cluster: &self.name,
                };
                let mut w = workloads::app(&ctx, kind, &mut self.rng);
                let rng = &mut self.rng;
                w.replicas = replicas as u32;
                if kind == Kind::Deployment && replicas >= 2 && !w.anti_affinity {
                    w.anti_affinity = rng.chance(0.4);
                }
                if kind == Kind::Deployment && replicas >= 3 && !over && rng.chance(0.12) {
                    w.hpa = true;
                }
                if !over && !w.huge && ctx.vkind != VKind::B && rng.chance(0.15) {
                    w.under = true;
                }
                let stateful = matches!(
                    profile,
                    Profile::Postgres
                        | Profile::Kafka
                        | Profile::OpenSearch
                        | Profile::Redis
                        | Profile::PyModel
                        | Profile::Jvm
                );
                if let Some(mp) = mem_pool
                    && !w.huge
                    && !w.over
                    && stateful
                    && pinned + replicas <= quota + 1
                {
                    w.pool = Some(mp);
                    w.tol = Tol::PoolTaint;
                    pinned += replicas;
                }
                self.budget -= replicas;
                self.push(w);
            }
        }
        // Fill the memory pool's quota with other services if the stateful ones did not.
        if let Some(mp) = mem_pool {
            for w in &mut self.workloads {
                if pinned * 10 >= quota * 8 {
                    break;
                }
                if w.profile.is_some()
                    && w.pool.is_none()
                    && !w.huge
                    && !w.over
                    && w.kind == Kind::Deployment
                    && pinned + w.replicas as usize <= quota + 1
                {
                    w.pool = Some(mp);
                    w.tol = Tol::PoolTaint;
                    pinned += w.replicas as usize;
                }
            }
        }
    }

    /// Expected number of pods of `w` holding resources.
    fn active(w: &Workload) -> f64 {
        if w.huge {
            return 0.0;
        }
        match w.kind {
            Kind::DaemonSet => 0.0,
            Kind::CronJob => 0.35,
            Kind::Job => 0.3,
            _ => f64::from(w.replicas),
        }
    }

    fn size_nodes(&mut self) {
        let ds = self
            .workloads
            .iter()
            .filter(|w| w.kind == Kind::DaemonSet)
            .count() as f64;
        let (mut shared, mut pinned) = (0.0, 0.0);
        for w in &self.workloads {
            if self.pinned_group(w) {
                pinned += Self::active(w);
            } else {
                shared += Self::active(w);
            }
        }
        let count = |pred: &dyn Fn(&Slot) -> bool| self.slots.iter().filter(|s| pred(s)).count();
        let shared_nodes = count(&|s| !s.idle && !self.tainted(s.pool)).max(1) as f64;
        let mem_nodes = count(&|s| !s.idle && self.tainted(s.pool)).max(1) as f64;
        let d_shared = shared / shared_nodes + ds;
        let d_mem = pinned / mem_nodes + ds;
        let step = size_step(d_shared);
        let step_mem = size_step(d_mem).saturating_sub(1);
        let mut taken = HashSet::new();
        let mut nodes = Vec::with_capacity(self.slots.len());
        for (i, slot) in self.slots.iter().enumerate() {
            let rng = &mut self.rng;
            let pool = &self.pools[slot.pool];
            let itype = slot.itype.unwrap_or_else(|| match pool.name.as_str() {
                "spot-compute" => {
                    let family = *rng.pick(&["c5", "m5", "c5", "m5", "m5"]);
                    let delta = *rng.pick(&[-1i64, 0, 0, 0, 1]);
                    let t = catalog::instance(family, (step as i64 + delta).max(0) as usize);
                    if f64::from(t.eni_max_pods) < d_shared * 1.2 {
                        catalog::instance(family, step)
                    } else {
                        t
                    }
                }
                "memory" => catalog::instance("r5", step_mem),
                "arm64" => catalog::instance("m6g", step),
                _ => catalog::instance("m5", step),
            });
            let zone = i % ZONES.len();
            let ip = fresh_ip(rng, &mut taken, zone);
            let age = match (pool.provisioner, pool.taint.is_some()) {
                (Provisioner::Karpenter, _) => rng.range(1800, 6 * DAY as u64),
                (Provisioner::Managed, true) => rng.range(10 * DAY as u64, 90 * DAY as u64),
                (Provisioner::Managed, false) => rng.range(3 * DAY as u64, 40 * DAY as u64),
            } as i64;
            let max_pods = itype.eni_max_pods;
            nodes.push(Node {
                name: format!("ip-{}-{}-{}-{}.ec2.internal", ip[0], ip[1], ip[2], ip[3]),
                ip,
                zone,
                itype,
                pool: slot.pool,
                max_pods,
                alloc_cpu: u64::from(itype.vcpu) * 1000 - itype.cpu_reserved_milli(),
                alloc_mem: itype.mem_allocatable_ki(max_pods) * 1024,
                created: NOW - age,
                idle: slot.idle,
                target: if slot.idle {
                    0.0
                } else {
                    rng.uniform(0.6, 0.9)
                },
                seq: i as u64,
                gpus: 0,
                gpu_replicas: 1,
            });
        }
        nodes.sort_by(|a, b| a.name.cmp(&b.name));
        self.nodes = nodes;
    }

    fn size_requests(&mut self) {
        let mut factors = [(1.0, 1.0); 2];
        let ds_req: (u64, u64) = self
            .workloads
            .iter()
            .filter(|w| w.kind == Kind::DaemonSet)
            .map(effective_request)
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        for (g, factor) in factors.iter_mut().enumerate() {
            let group = |pool: usize| usize::from(self.tainted(pool));
            let nodes: Vec<&Node> = self
                .nodes
                .iter()
                .filter(|n| !n.idle && group(n.pool) == g)
                .collect();
            if nodes.is_empty() {
                continue;
            }
            let cap_cpu: f64 = nodes.iter().map(|n| n.target * n.alloc_cpu as f64).sum();
            let cap_mem: f64 = nodes.iter().map(|n| n.target * n.alloc_mem as f64).sum();
            let ds_cpu = nodes.len() as f64 * ds_req.0 as f64;
            let ds_mem = nodes.len() as f64 * ds_req.1 as f64;
            let (mut fixed_cpu, mut fixed_mem, mut scal_cpu, mut scal_mem) = (0.0, 0.0, 0.0, 0.0);
            for w in &self.workloads {
                if w.kind == Kind::DaemonSet || usize::from(self.pinned_group(w)) != g {
                    continue;
                }
                let a = Self::active(w);
                for c in w.containers.iter().chain(&w.inits) {
                    if c.role == Role::Init {
                        continue;
                    }
                    if c.scalable {
                        // Deliberately over-provisioned workloads keep their (large) raw size.
                        let (cpu, mem) = if w.over {
                            (&mut fixed_cpu, &mut fixed_mem)
                        } else {
                            (&mut scal_cpu, &mut scal_mem)
                        };
                        if c.pattern != Pattern::None {
                            *cpu += a * c.raw_cpu;
                            if c.pattern != Pattern::CpuOnly {
                                *mem += a * c.raw_mem;
                            }
                        }
                    } else {
                        let (cpu, mem) = c.res.effective();
                        fixed_cpu += a * cpu as f64;
                        fixed_mem += a * mem as f64;
                    }
                }
            }
            let f = |cap: f64, ds: f64, fixed: f64, scal: f64| {
                if scal <= 0.0 {
                    1.0
                } else {
                    ((0.85 * cap - ds - fixed) / scal).clamp(0.02, 50.0)
                }
            };
            *factor = (
                f(cap_cpu, ds_cpu, fixed_cpu, scal_cpu),
                f(cap_mem, ds_mem, fixed_mem, scal_mem),
            );
        }
        let seed = self.spec.seed;
        for wi in 0..self.workloads.len() {
            let g = usize::from(self.pinned_group(&self.workloads[wi]));
            let (mut fc, mut fm) = factors[g];
            let w = &mut self.workloads[wi];
            if w.over {
                (fc, fm) = (1.0, 1.0);
            }
            let mut rng = Rng::stream(seed, "size", wi as u64);
            for c in w.containers.iter_mut().chain(w.inits.iter_mut()) {
                if c.scalable {
                    c.res = finalize(c.pattern, c.raw_cpu * fc, c.raw_mem * fm, &mut rng);
                }
            }
        }
    }

    /// Whether DaemonSet `w` runs on node `ni`: the node is in its pool (if it selects one) and
    /// it tolerates the node's taint.
    fn runs_on(&self, w: &Workload, ni: usize) -> bool {
        let pool = self.nodes[ni].pool;
        let selected = w.pool.is_none_or(|p| p == pool);
        let tolerated = self.pools[pool].taint.is_none()
            || w.tol == Tol::All
            || (w.tol == Tol::PoolTaint && w.pool == Some(pool));
        selected && tolerated
    }

    /// The demo's GPU pool: two g5.xlarge nodes (the first with its A10G whole, the second
    /// time-sliced into 4 `nvidia.com/gpu`) and its workloads (`workloads::gpu`). Added after
    /// sizing and drawn from their own stream, so the rest of the cluster is what it would be
    /// without them.
    fn gpu_nodes(&mut self) {
        let Some(gp) = self.pools.iter().position(|p| p.gpu) else {
            return;
        };
        let mut rng = Rng::stream(self.spec.seed, "gpu", 0);
        let itype = catalog::instance_named("g5.xlarge");
        let gpu = catalog::gpu_of(itype).expect("g5.xlarge has a GPU");
        let mut taken: HashSet<[u8; 4]> = self.nodes.iter().map(|n| n.ip).collect();
        let first = self.nodes.len();
        for (k, replicas) in [1u32, 4].into_iter().enumerate() {
            let zone = k % ZONES.len();
            let ip = fresh_ip(&mut rng, &mut taken, zone);
            let age = rng.range(5 * DAY as u64, 40 * DAY as u64) as i64;
            let max_pods = itype.eni_max_pods;
            self.nodes.push(Node {
                name: format!("ip-{}-{}-{}-{}.ec2.internal", ip[0], ip[1], ip[2], ip[3]),
                ip,
                zone,
                itype,
                pool: gp,
                max_pods,
                alloc_cpu: u64::from(itype.vcpu) * 1000 - itype.cpu_reserved_milli(),
                alloc_mem: itype.mem_allocatable_ki(max_pods) * 1024,
                created: NOW - age,
                idle: false,
                target: 1.0,
                seq: (first + k) as u64,
                gpus: gpu.count,
                gpu_replicas: replicas,
            });
        }
        self.nodes.sort_by(|a, b| a.name.cmp(&b.name));
        for w in workloads::gpu(gp, &mut rng) {
            self.push(w);
        }
    }

    /// The GPU nodes' pods, appended after all others (so no other pod's draws move): every
    /// DaemonSet that runs there, and the GPU Deployments' replicas, first fit on the GPU nodes
    /// in their order (whole GPUs first) by `nvidia.com/gpu`, CPU and memory.
    fn gpu_pods(&mut self) {
        let Some(gp) = self.pools.iter().position(|p| p.gpu) else {
            return;
        };
        let mut gpu_nodes: Vec<usize> = (0..self.nodes.len())
            .filter(|&ni| self.nodes[ni].pool == gp)
            .collect();
        gpu_nodes.sort_by_key(|&ni| self.nodes[ni].seq);
        let mut r = Rng::stream(self.spec.seed, "gpu-pods", 0);
        // Per node: (millicores, bytes, nvidia.com/gpu) requested.
        let mut used = vec![(0u64, 0u64, 0u32); self.nodes.len()];
        let mut pods = Vec::new();
        let pod = |w: usize, name: String, created: i64, ni: usize| Pod {
            w,
            name,
            ordinal: 0,
            node: Some(ni),
            phase: Phase::Running,
            ip: None,
            created,
            job: None,
            restarts: 0,
            pending_msg: None,
            seq: 0,
        };
        for wi in 0..self.workloads.len() {
            let w = self.workloads[wi].clone();
            let (cpu, mem) = effective_request(&w);
            let gpus: u32 = w.containers.iter().map(|c| c.res.gpu).sum();
            match w.kind {
                Kind::DaemonSet => {
                    for &ni in &gpu_nodes {
                        if !self.runs_on(&w, ni) {
                            continue;
                        }
                        let created = self.nodes[ni].created + r.range(15, 90) as i64;
                        let name = self
                            .unique_name(&w.ns, &mut || format!("{}-{}", w.name, r.k8s_suffix(5)));
                        pods.push(pod(wi, name, created, ni));
                        used[ni].0 += cpu;
                        used[ni].1 += mem;
                        self.workloads[wi].replicas += 1;
                    }
                }
                Kind::Deployment if w.pool == Some(gp) => {
                    for i in 0..w.replicas {
                        let ni = *gpu_nodes
                            .iter()
                            .find(|&&ni| {
                                let n = &self.nodes[ni];
                                used[ni].0 + cpu <= n.alloc_cpu
                                    && used[ni].1 + mem <= n.alloc_mem
                                    && used[ni].2 + gpus <= n.gpus * n.gpu_replicas
                            })
                            .expect("the GPU pool holds its workloads");
                        used[ni].0 += cpu;
                        used[ni].1 += mem;
                        used[ni].2 += gpus;
                        // After the device plugin advertised the node's GPUs.
                        let created = (NOW - r.range(600, 20 * DAY as u64) as i64)
                            .max(self.nodes[ni].created + 120 + r.range(0, 600) as i64);
                        let name = self.unique_name(&w.ns, &mut || {
                            format!("{}-{}-{}", w.name, w.hash, r.k8s_suffix(5))
                        });
                        let mut p = pod(wi, name, created, ni);
                        p.ordinal = i;
                        pods.push(p);
                    }
                }
                _ => {}
            }
        }
        for mut p in pods {
            p.seq = self.pods.len() as u64;
            self.pods.push(p);
        }
    }

    fn unique_name(&mut self, ns: &str, make: &mut dyn FnMut() -> String) -> String {
        loop {
            let n = make();
            if self.names.insert((ns.to_owned(), n.clone())) {
                return n;
            }
        }
    }

    fn instantiate(&mut self) {
        let seed = self.spec.seed;
        let mut pods = Vec::new();
        for wi in 0..self.workloads.len() {
            let w = self.workloads[wi].clone();
            if w.pool.is_some_and(|p| self.pools[p].gpu) {
                continue; // `gpu_pods` creates and places these.
            }
            let mut r = Rng::stream(seed, "pods", wi as u64);
            let new_pod = |name: String, created: i64, phase: Phase, node: Option<usize>| Pod {
                w: wi,
                name,
                ordinal: 0,
                node,
                phase,
                ip: None,
                created,
                job: None,
                restarts: 0,
                pending_msg: None,
                seq: 0,
            };
            let mut made: Vec<Pod> = Vec::new();
            match w.kind {
                Kind::DaemonSet => {
                    for ni in 0..self.nodes.len() {
                        // GPU nodes' pods come last (`gpu_pods`), so they shift no other draw.
                        if self.pools[self.nodes[ni].pool].gpu || !self.runs_on(&w, ni) {
                            continue;
                        }
                        let created = self.nodes[ni].created + r.range(15, 90) as i64;
                        let name = self
                            .unique_name(&w.ns, &mut || format!("{}-{}", w.name, r.k8s_suffix(5)));
                        made.push(new_pod(name, created, Phase::Running, Some(ni)));
                    }
                }
                Kind::Deployment | Kind::StatefulSet | Kind::Bare => {
                    for i in 0..w.replicas {
                        let created = if w.huge {
                            NOW - r.range(120, 3 * 3600) as i64
                        } else {
                            NOW - r.range(600, 30 * DAY as u64) as i64
                        };
                        let name = match w.kind {
                            Kind::Deployment => self.unique_name(&w.ns, &mut || {
                                format!("{}-{}-{}", w.name, w.hash, r.k8s_suffix(5))
                            }),
                            Kind::StatefulSet => format!("{}-{i}", w.name),
                            _ => w.name.clone(),
                        };
                        let phase = if w.huge {
                            Phase::Pending
                        } else {
                            Phase::Running
                        };
                        let mut p = new_pod(name, created, phase, None);
                        p.ordinal = i;
                        made.push(p);
                    }
                }
                Kind::CronJob | Kind::Job => {
                    let period = w.period_min * 60;
                    for k in 0..i64::from(w.replicas) {
                        let (job, t) = if w.kind == Kind::CronJob {
                            let t = NOW / period * period - k * period;
                            (format!("{}-{}", w.name, t / 60), t)
                        } else {
                            (w.name.clone(), NOW - r.range(3600, 5 * DAY as u64) as i64)
                        };
                        let running = k == 0 && r.chance(0.35);
                        let phase = if running {
                            Phase::Running
                        } else if r.chance(0.04) {
                            Phase::Failed
                        } else {
                            Phase::Succeeded
                        };
                        let created = t + r.range(0, 3) as i64;
                        let job_uid = r.uuid();
                        let name =
                            self.unique_name(&w.ns, &mut || format!("{}-{}", job, r.k8s_suffix(5)));
                        let mut p = new_pod(name, created, phase, None);
                        p.job = Some((job, job_uid));
                        made.push(p);
                    }
                }
            }
            for p in &mut made {
                if p.phase == Phase::Running {
                    p.restarts = if w.under {
                        r.range(1, 14) as u32
                    } else if r.chance(0.03) {
                        1
                    } else {
                        0
                    };
                }
            }
            pods.extend(made);
        }
        for (i, p) in pods.iter_mut().enumerate() {
            p.seq = i as u64;
        }
        self.pods = pods;
    }

    fn place(&mut self) {
        let n = self.nodes.len();
        let mut used = vec![(0u64, 0u64); n];
        let mut count = vec![0u32; n];
        let eff: Vec<(u64, u64)> = self.workloads.iter().map(effective_request).collect();
        let mut order = Vec::new();
        for (i, p) in self.pods.iter().enumerate() {
            if let Some(ni) = p.node {
                count[ni] += 1;
                used[ni].0 += eff[p.w].0;
                used[ni].1 += eff[p.w].1;
            } else {
                order.push(i);
            }
        }
        // Pinned pods first, then biggest first (the cluster has settled: big pods found room
        // long ago), ties in random order.
        self.rng.shuffle(&mut order);
        order.sort_by_key(|&i| {
            let w = self.pods[i].w;
            (
                !self.pinned_group(&self.workloads[w]),
                std::cmp::Reverse(eff[w].0),
            )
        });
        for i in order {
            let (wi, phase, created) = (self.pods[i].w, self.pods[i].phase, self.pods[i].created);
            let w = &self.workloads[wi];
            let eligible: Vec<usize> = (0..n)
                .filter(|&ni| match w.pool {
                    Some(p) => self.nodes[ni].pool == p,
                    None => !self.tainted(self.nodes[ni].pool),
                })
                .collect();
            let (cpu, mem) = eff[wi];
            let holds = phase == Phase::Running;
            let is_job = matches!(w.kind, Kind::CronJob | Kind::Job);
            let mut chosen = None;
            if phase != Phase::Pending && !eligible.is_empty() {
                let start = self.rng.index(eligible.len());
                // Pass 0: busy nodes up to their target; 1: busy nodes up to allocatable;
                // 2: any node (idle ones too), ignoring job timing.
                'passes: for pass in 0..3 {
                    for j in 0..eligible.len() {
                        let ni = eligible[(start + j) % eligible.len()];
                        let node = &self.nodes[ni];
                        if count[ni] >= node.max_pods
                            || (pass < 2 && node.idle)
                            || (pass < 2 && is_job && node.created + 60 > created)
                        {
                            continue;
                        }
                        let limit = if pass == 0 { node.target } else { 1.0 };
                        let fits = !holds
                            || ((used[ni].0 + cpu) as f64 <= limit * node.alloc_cpu as f64
                                && (used[ni].1 + mem) as f64 <= limit * node.alloc_mem as f64);
                        if fits {
                            chosen = Some(ni);
                            break 'passes;
                        }
                    }
                }
            }
            match chosen {
                Some(ni) => {
                    count[ni] += 1;
                    if holds {
                        used[ni].0 += cpu;
                        used[ni].1 += mem;
                    }
                    let node_created = self.nodes[ni].created;
                    let p = &mut self.pods[i];
                    p.node = Some(ni);
                    if !is_job && p.created < node_created + 30 {
                        p.created = node_created + 30 + (p.seq % 600) as i64;
                    }
                }
                None => {
                    let msg = self.pending_message(wi, &eligible, &used, &count, (cpu, mem));
                    let p = &mut self.pods[i];
                    p.phase = Phase::Pending;
                    p.restarts = 0;
                    p.pending_msg = Some(msg);
                }
            }
        }
    }

    fn pending_message(
        &self,
        wi: usize,
        eligible: &[usize],
        used: &[(u64, u64)],
        count: &[u32],
        req: (u64, u64),
    ) -> String {
        let w = &self.workloads[wi];
        let total = self.nodes.len();
        let mut reasons: Vec<(String, usize)> = Vec::new();
        let mut bump = |r: String| match reasons.iter_mut().find(|(k, _)| *k == r) {
            Some((_, c)) => *c += 1,
            None => reasons.push((r, 1)),
        };
        let (mut resource_only, mut hopeless) = (0, 0);
        for (ni, node) in self.nodes.iter().enumerate() {
            if !eligible.contains(&ni) {
                hopeless += 1;
                match (w.pool, self.pools[node.pool].taint) {
                    (None, Some((k, v))) => {
                        bump(format!("node(s) had untolerated taint {{{k}: {v}}}"))
                    }
                    // The scheduler's taint filter runs before its node-affinity filter (only
                    // the GPU pool's taint: pinned pods elsewhere keep their selector message).
                    (Some(_), Some((k, v))) if self.pools[node.pool].gpu => {
                        bump(format!("node(s) had untolerated taint {{{k}: {v}}}"))
                    }
                    _ => bump("node(s) didn't match Pod's node affinity/selector".to_owned()),
                }
                continue;
            }
            resource_only += 1;
            if count[ni] >= node.max_pods {
                bump("Too many pods".to_owned());
            }
            if used[ni].0 + req.0 > node.alloc_cpu {
                bump("Insufficient cpu".to_owned());
            }
            if used[ni].1 + req.1 > node.alloc_mem {
                bump("Insufficient memory".to_owned());
            }
        }
        let mut parts: Vec<String> = reasons.iter().map(|(r, c)| format!("{c} {r}")).collect();
        parts.sort();
        let mut pre = Vec::new();
        if resource_only > 0 {
            pre.push(format!(
                "{resource_only} No preemption victims found for incoming pod"
            ));
        }
        if hopeless > 0 {
            pre.push(format!(
                "{hopeless} Preemption is not helpful for scheduling"
            ));
        }
        pre.sort();
        format!(
            "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
            parts.join(", "),
            pre.join(", ")
        )
    }

    fn assign_ips(&mut self) {
        let mut taken: HashSet<[u8; 4]> = self.nodes.iter().map(|n| n.ip).collect();
        let large = self.pods.len() > 12_000;
        let mut rng = Rng::stream(self.spec.seed, "ips", 0);
        for p in &mut self.pods {
            let Some(ni) = p.node else { continue };
            if p.phase == Phase::Pending {
                continue;
            }
            let node = &self.nodes[ni];
            if self.workloads[p.w].host_network {
                p.ip = Some(node.ip);
                continue;
            }
            let z = node.zone as u8;
            p.ip = Some(loop {
                let ip = if large {
                    [
                        100,
                        64 + z * 16 + rng.below(16) as u8,
                        rng.below(256) as u8,
                        rng.range(1, 254) as u8,
                    ]
                } else {
                    [10, 0, z * 64 + rng.below(64) as u8, rng.range(4, 254) as u8]
                };
                if taken.insert(ip) {
                    break ip;
                }
            });
        }
    }
}

/// Final requests/limits of a scalable container from its scaled raw values.
fn finalize(pattern: Pattern, cpu_milli: f64, mem_bytes: f64, rng: &mut Rng) -> Res {
    let cpu = catalog::cpu_qty(cpu_milli, rng);
    let mem = catalog::mem_qty(mem_bytes.max(16.0 * 1024.0 * 1024.0), rng);
    match pattern {
        Pattern::ReqOnly => Res {
            req_cpu: Some(cpu),
            req_mem: Some(mem),
            ..Res::default()
        },
        Pattern::MemLimitEq => Res {
            req_cpu: Some(cpu),
            req_mem: Some(mem.clone()),
            lim_mem: Some(mem),
            ..Res::default()
        },
        Pattern::ReqLimits => {
            let lc = catalog::cpu_qty_at_least(cpu.value * *rng.pick(&[2, 2, 3, 4]), rng);
            let lm = catalog::mem_qty_at_least(mem.value * 3 / 2, rng);
            Res {
                req_cpu: Some(cpu),
                req_mem: Some(mem),
                lim_cpu: Some(lc),
                lim_mem: Some(lm),
                gpu: 0,
            }
        }
        Pattern::Guaranteed => Res {
            req_cpu: Some(cpu.clone()),
            req_mem: Some(mem.clone()),
            lim_cpu: Some(cpu),
            lim_mem: Some(mem),
            gpu: 0,
        },
        Pattern::LimitsOnly => Res {
            lim_cpu: Some(cpu),
            lim_mem: Some(mem),
            ..Res::default()
        },
        Pattern::None => Res::default(),
        Pattern::CpuOnly => Res {
            req_cpu: Some(cpu),
            ..Res::default()
        },
    }
}
