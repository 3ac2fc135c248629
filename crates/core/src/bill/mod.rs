//! The rest of the bill, beyond the nodes: persistent volumes, load balancers and the managed
//! control plane, each priced line by line and charged to namespaces and workloads.
//!
//! ```text
//! volumes:        PV (or a bound claim without its PV) → disk type (class, provisioner) → price
//!                 lines in its region → the claim's namespace and the workloads mounting it
//!                 (split evenly); unclaimed volumes are idle storage
//! load balancers: Service type LoadBalancer → kind (provider, annotations) → hourly price →
//!                 its namespace and the workloads its selector matches (split evenly)
//! control plane:  managed service (node labels) × tier (setting) → hourly fee
//! ```
//!
//! A snapshot with only nodes and pods gives an empty bill and a note saying what is left out;
//! node costs are computed in [`crate::cost`] and never change here. See `docs/cost-model.md`.

pub mod control;
pub mod network;
pub mod storage;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::cluster::Cluster;
use crate::diagnostics::{Warning, object_ref};
use crate::model::Provider;
use crate::nodes::ManagedKubernetes;
use crate::pods::selector_matches;
use crate::pricing::discounts::Discounts;
use crate::pricing::services::ServicePrices;
use crate::volumes::{Claim, PersistentVolume, StorageClass};
use control::{ControlPlaneCost, ControlPlaneTier};
pub use storage::{ManualStoragePrices, PriceLine, StorageTarget};

/// What the bill's user chose.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BillSettings {
    /// The managed control plane's tier.
    pub control_plane: ControlPlaneTier,
    /// The user's own storage prices, by class or volume (highest priority).
    pub storage_prices: ManualStoragePrices,
}

/// Where a volume stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VolumeState {
    /// Bound to a claim that a pod mounts.
    InUse,
    /// Bound to a claim that no pod mounts.
    Unmounted,
    /// Not bound to any claim (`Available`, `Released`, `Failed`): idle storage.
    Unclaimed,
    /// A claim still waiting for its volume: nothing is billed yet.
    Pending,
}

/// One volume of the bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeCost {
    /// The PersistentVolume's name (empty for a claim whose volume is not in the snapshot).
    pub volume: String,
    /// The claim's namespace.
    pub namespace: Option<String>,
    /// The claim's name.
    pub claim: Option<String>,
    /// The StorageClass.
    pub storage_class: Option<String>,
    /// The disk type (`gp3`, `pd-balanced`, `Premium_LRS`, `rancher.io/local-path`).
    pub disk_type: String,
    /// Provider that bills it.
    pub provider: Provider,
    /// Region it is priced in.
    pub region: Option<String>,
    /// Size in bytes.
    pub bytes: i64,
    /// Where it stands.
    pub state: VolumeState,
    /// The price lines.
    pub lines: Vec<PriceLine>,
    /// USD per month (the sum of the lines).
    pub monthly_cost: f64,
    /// Any line is an estimate (fallback rate, another region's price, a scaled tier).
    pub estimate: bool,
    /// How it was priced, in words.
    pub explanation: String,
    /// Workloads (indices into [`Cluster::workloads`]) whose pods mount it.
    #[serde(skip)]
    pub workloads: Vec<usize>,
    /// Priced at the user's own price (not discounted).
    #[serde(skip)]
    pub manual: bool,
}

/// One load balancer of the bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadBalancerCost {
    /// The Service's namespace.
    pub namespace: String,
    /// The Service's name.
    pub service: String,
    /// What the cloud makes for it.
    pub kind: String,
    /// Region it is priced in.
    pub region: Option<String>,
    /// USD per hour.
    pub hourly_price: f64,
    /// USD per month.
    pub monthly_cost: f64,
    /// An estimate.
    pub estimate: bool,
    /// How it was priced, and what it selects.
    pub explanation: String,
    /// Workloads (indices into [`Cluster::workloads`]) whose pods its selector matches.
    #[serde(skip)]
    pub workloads: Vec<usize>,
}

/// The bill beyond the nodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bill {
    /// Every volume, claimed ones first (by namespace and claim), then unclaimed ones.
    pub volumes: Vec<VolumeCost>,
    /// Every Service of type LoadBalancer, by namespace and name.
    pub load_balancers: Vec<LoadBalancerCost>,
    /// The control plane's fee, for a managed service at a tier that has one.
    pub control_plane: Option<ControlPlaneCost>,
    /// Storage per namespace (claimed volumes), USD per month.
    pub namespace_storage: BTreeMap<String, f64>,
    /// Load balancers per namespace, USD per month.
    pub namespace_load_balancers: BTreeMap<String, f64>,
    /// Storage per workload index, USD per month.
    pub workload_storage: HashMap<usize, f64>,
    /// Load balancers per workload index, USD per month.
    pub workload_load_balancers: HashMap<usize, f64>,
    /// USD per month the user's flat discounts take off the list prices of these items.
    pub discount_monthly: f64,
    /// What the report leaves out, in words.
    pub notes: Vec<String>,
    /// Warnings about the bill's inputs and prices.
    pub warnings: Vec<Warning>,
}

impl Bill {
    /// All volumes, USD per month.
    pub fn storage_monthly(&self) -> f64 {
        self.volumes.iter().map(|v| v.monthly_cost).sum()
    }

    /// Unclaimed volumes, USD per month.
    pub fn idle_storage_monthly(&self) -> f64 {
        self.volumes
            .iter()
            .filter(|v| v.state == VolumeState::Unclaimed)
            .map(|v| v.monthly_cost)
            .sum()
    }

    /// All load balancers, USD per month.
    pub fn load_balancer_monthly(&self) -> f64 {
        self.load_balancers.iter().map(|l| l.monthly_cost).sum()
    }

    /// The control plane, USD per month.
    pub fn control_plane_monthly(&self) -> f64 {
        self.control_plane.as_ref().map_or(0.0, |c| c.monthly_cost)
    }
}

/// The cluster's main provider, region and managed service: the most common among its nodes.
struct Home {
    provider: Provider,
    region: Option<String>,
    managed: Option<ManagedKubernetes>,
}

fn most_common<T: Ord + Clone>(items: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for i in items {
        *counts.entry(i).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(k, _)| k)
}

fn home(cluster: &Cluster) -> Home {
    Home {
        provider: most_common(cluster.nodes.iter().map(|n| n.provider))
            .unwrap_or(Provider::Unknown),
        region: most_common(cluster.nodes.iter().filter_map(|n| n.region.clone())),
        managed: most_common(cluster.nodes.iter().filter_map(|n| n.managed)),
    }
}

/// Computes the bill beyond the nodes. `today` is the report's time (RFC 3339), for the EKS
/// extended-support hint.
/// Prices are net of the user's flat discounts (`discounts`, [`crate::pricing::discounts`]).
pub fn compute(
    cluster: &Cluster,
    prices: &ServicePrices,
    settings: &BillSettings,
    discounts: &Discounts,
    today: &str,
) -> Bill {
    let mut bill = Bill::default();
    let home = home(cluster);
    if !cluster.has_bill_kinds() {
        bill.notes.push(
            "the snapshot has only nodes and pods: persistent volumes and load balancers are \
             not in it. Take it with `kubectl get nodes,pods,pvc,pv,storageclass,svc,ns -A -o \
             json` to include them"
                .to_owned(),
        );
    }
    for c in &cluster.storage_classes {
        let ignored = storage::ignored_parameters(c);
        if !ignored.is_empty() {
            bill.warnings.push(Warning::new(
                "invalid_storage_parameter",
                object_ref("StorageClass", None, &c.name),
                format!(
                    "{}: not a number from 0 to 10,000,000; ignored when pricing its volumes",
                    ignored.join(", ")
                ),
            ));
        }
    }
    price_volumes(cluster, prices, settings, &home, discounts, &mut bill);
    price_load_balancers(cluster, prices, &home, discounts, &mut bill);
    bill.control_plane = control::price(
        home.managed,
        settings.control_plane,
        home.region.as_deref(),
        prices,
    )
    .map(|mut c| {
        let f = discounts.services_factor(home.provider);
        if f < 1.0 {
            bill.discount_monthly += c.monthly_cost * (1.0 - f);
            c.hourly_price *= f;
            c.monthly_cost *= f;
            c.explanation
                .push_str(&format!("; {}", less_discount(home.provider, f)));
        }
        c
    });
    control_plane_notes(cluster, &home, settings, today, &mut bill);
    bill.notes.push(
        "not priced: network traffic (data transfer, NAT gateways, load-balancer LCUs), \
         snapshots, node boot disks, and anything outside the cluster"
            .to_owned(),
    );
    bill
}

fn control_plane_notes(
    cluster: &Cluster,
    home: &Home,
    settings: &BillSettings,
    today: &str,
    bill: &mut Bill,
) {
    match (home.managed, &bill.control_plane) {
        (None, _) if settings.control_plane != ControlPlaneTier::None => bill.notes.push(
            "no managed control plane recognised (no EKS, GKE or AKS node labels): none is priced"
                .to_owned(),
        ),
        (Some(ManagedKubernetes::Eks), Some(c)) if c.tier == "standard" => {
            let newest = cluster
                .nodes
                .iter()
                .filter_map(|n| {
                    n.kubelet_version
                        .as_deref()
                        .and_then(control::minor_version)
                })
                .max();
            if let Some((minor, end)) = newest.and_then(|m| control::eks_extended_hint(m, today)) {
                bill.warnings.push(Warning::new(
                    "eks_extended_support_likely",
                    "",
                    format!(
                        "the newest node runs Kubernetes 1.{minor}, whose EKS standard support \
                         ended on {end}: if the control plane is on 1.{minor} too, it is billed \
                         at the extended-support rate; set the control-plane tier to `extended`"
                    ),
                ));
            }
        }
        _ => {}
    }
    if let Some(c) = &bill.control_plane
        && c.estimate
    {
        bill.warnings.push(Warning::new(
            "control_plane_estimate",
            "",
            c.explanation.clone(),
        ));
    }
}

/// The claim a volume is bound to, the class that made it, and the driver behind it.
fn class_of<'c>(cluster: &'c Cluster, name: Option<&str>) -> Option<&'c StorageClass> {
    let name = name.filter(|n| !n.is_empty())?;
    cluster.storage_classes.iter().find(|c| c.name == name)
}

fn default_class(cluster: &Cluster) -> Option<&StorageClass> {
    cluster.storage_classes.iter().find(|c| c.default)
}

/// Who mounts which claim, built once: (namespace, claim) → the workloads whose live pods mount
/// it, and workload → the regions of the nodes its pods run on (a scan of the pods per claim
/// would be quadratic on large clusters).
struct ClaimIndex<'c> {
    users: HashMap<(&'c str, &'c str), BTreeSet<usize>>,
    regions: HashMap<usize, Vec<&'c str>>,
}

impl<'c> ClaimIndex<'c> {
    fn new(cluster: &'c Cluster) -> ClaimIndex<'c> {
        let mut users: HashMap<(&str, &str), BTreeSet<usize>> = HashMap::new();
        let mut regions: HashMap<usize, Vec<&str>> = HashMap::new();
        for p in &cluster.pods {
            if !p.claims.is_empty()
                && !matches!(
                    p.phase,
                    crate::pods::PodPhase::Succeeded | crate::pods::PodPhase::Failed
                )
            {
                for c in &p.claims {
                    users
                        .entry((p.namespace.as_str(), c.as_str()))
                        .or_default()
                        .insert(p.workload);
                }
            }
            if let Some(r) = p
                .node_index
                .and_then(|i| cluster.nodes.get(i))
                .and_then(|n| n.region.as_deref())
            {
                regions.entry(p.workload).or_default().push(r);
            }
        }
        ClaimIndex { users, regions }
    }

    /// The workloads whose live pods mount claim `namespace/name`.
    fn mounting_workloads(&self, namespace: &str, name: &str) -> Vec<usize> {
        self.users
            .get(&(namespace, name))
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The region most of `workloads`' pods run in.
    fn region_of_workloads(&self, workloads: &[usize]) -> Option<String> {
        most_common(
            workloads
                .iter()
                .filter_map(|w| self.regions.get(w))
                .flatten()
                .copied(),
        )
        .map(str::to_owned)
    }
}

struct VolumeInput<'a> {
    pv: Option<&'a PersistentVolume>,
    claim: Option<&'a Claim>,
}

/// `less the 15% aws discount`, for a factor of 0.85.
fn less_discount(provider: Provider, factor: f64) -> String {
    format!(
        "less the {}% {} discount",
        crate::format::trim_decimal((1.0 - factor) * 100.0, 2),
        provider.as_str()
    )
}

/// Scales a volume's lines and cost by its provider's flat discount; returns what it took off.
fn discount_volume(v: &mut VolumeCost, discounts: &Discounts) -> f64 {
    let f = discounts.services_factor(v.provider);
    if f >= 1.0 || v.manual {
        return 0.0;
    }
    let off = v.monthly_cost * (1.0 - f);
    for line in &mut v.lines {
        line.usd *= f;
        line.monthly *= f;
    }
    v.monthly_cost *= f;
    v.explanation
        .push_str(&format!("; {}", less_discount(v.provider, f)));
    off
}

fn price_volumes(
    cluster: &Cluster,
    prices: &ServicePrices,
    settings: &BillSettings,
    home: &Home,
    discounts: &Discounts,
    bill: &mut Bill,
) {
    let mut inputs: Vec<VolumeInput<'_>> = Vec::new();
    let mut bound_pvs: BTreeSet<&str> = BTreeSet::new();
    for claim in &cluster.claims {
        let pv = claim
            .volume_name
            .as_deref()
            .and_then(|v| cluster.volumes.iter().find(|pv| pv.name == v));
        if let Some(pv) = pv {
            bound_pvs.insert(pv.name.as_str());
        }
        inputs.push(VolumeInput {
            pv,
            claim: Some(claim),
        });
    }
    for pv in &cluster.volumes {
        if bound_pvs.contains(pv.name.as_str()) {
            continue;
        }
        // A bound volume whose claim is not in the snapshot (`kubectl get pv` without `pvc`).
        let claim = None;
        inputs.push(VolumeInput {
            pv: Some(pv),
            claim,
        });
    }
    let index = ClaimIndex::new(cluster);
    for input in inputs {
        let mut v = price_volume(
            cluster,
            prices,
            &settings.storage_prices,
            home,
            &index,
            &input,
            bill,
        );
        bill.discount_monthly += discount_volume(&mut v, discounts);
        if let (Some(ns), true) = (
            &v.namespace,
            matches!(v.state, VolumeState::InUse | VolumeState::Unmounted),
        ) {
            *bill.namespace_storage.entry(ns.clone()).or_default() += v.monthly_cost;
            if !v.workloads.is_empty() {
                let share = v.monthly_cost / v.workloads.len() as f64;
                for &w in &v.workloads {
                    *bill.workload_storage.entry(w).or_default() += share;
                }
            }
        }
        bill.volumes.push(v);
    }
    bill.volumes.sort_by(|a, b| {
        (
            a.state == VolumeState::Unclaimed,
            &a.namespace,
            &a.claim,
            &a.volume,
        )
            .cmp(&(
                b.state == VolumeState::Unclaimed,
                &b.namespace,
                &b.claim,
                &b.volume,
            ))
    });
}

fn price_volume(
    cluster: &Cluster,
    prices: &ServicePrices,
    manual: &ManualStoragePrices,
    home: &Home,
    index: &ClaimIndex<'_>,
    input: &VolumeInput<'_>,
    bill: &mut Bill,
) -> VolumeCost {
    let (pv, claim) = (input.pv, input.claim);
    let class_name = pv
        .and_then(|p| p.storage_class.clone())
        .or_else(|| claim.and_then(|c| c.storage_class.clone()));
    let class = match claim.and_then(|c| c.storage_class.as_deref()) {
        // A claim without `storageClassName` gets the default class.
        None if pv.and_then(|p| p.storage_class.as_deref()).is_none() && claim.is_some() => {
            default_class(cluster)
        }
        _ => class_of(cluster, class_name.as_deref()),
    };
    let driver = class
        .map(|c| c.provisioner.clone())
        .or_else(|| pv.and_then(|p| p.source.as_ref()).map(|s| s.driver.clone()))
        .or_else(|| claim.and_then(|c| c.provisioner.clone()))
        .unwrap_or_default();
    let azure_sku = pv
        .and_then(|p| p.source.as_ref())
        .and_then(|s| s.azure_sku.as_deref());
    let disk = storage::classify(&driver, class, azure_sku);
    let bytes = pv
        .and_then(|p| p.capacity_bytes)
        .or_else(|| claim.and_then(|c| c.capacity_bytes))
        .or_else(|| claim.and_then(|c| c.requested_bytes))
        .unwrap_or(0);
    let (namespace, claim_name) = match (claim, pv.and_then(|p| p.claim.as_ref())) {
        (Some(c), _) => (Some(c.namespace.clone()), Some(c.name.clone())),
        (None, Some((ns, n))) => (Some(ns.clone()), Some(n.clone())),
        _ => (None, None),
    };
    let pv_phase = pv.and_then(|p| p.phase.as_deref());
    let claimed =
        namespace.is_some() && !matches!(pv_phase, Some("Available" | "Released" | "Failed"));
    let pending = pv.is_none() && claim.is_some_and(|c| c.phase.as_deref() != Some("Bound"));
    let workloads = match (&namespace, &claim_name, claimed) {
        (Some(ns), Some(n), true) => index.mounting_workloads(ns, n),
        _ => Vec::new(),
    };
    let state = if pending {
        VolumeState::Pending
    } else if !claimed {
        VolumeState::Unclaimed
    } else if workloads.is_empty() {
        VolumeState::Unmounted
    } else {
        VolumeState::InUse
    };
    let provider = disk.provider().unwrap_or(home.provider);
    let region = pv
        .and_then(|p| p.region.clone())
        .or_else(|| {
            pv.and_then(|p| p.zone.as_deref())
                .and_then(|z| crate::nodes::region_from_zone(provider, z))
        })
        .or_else(|| index.region_of_workloads(&workloads))
        .or_else(|| home.region.clone());
    let gib = bytes as f64 / (1u64 << 30) as f64;
    let class_name = class.map(|c| c.name.clone()).or(class_name);
    let own = manual.find(pv.map(|p| p.name.as_str()), class_name.as_deref());
    let priced = match own {
        _ if state == VolumeState::Pending => storage::Priced::default(),
        Some((usd, what)) => storage::price_manual(gib, usd, &what),
        None => storage::price(&disk, gib, region.as_deref(), prices),
    };
    let object = match (pv, &namespace, &claim_name) {
        (Some(p), _, _) => object_ref("PersistentVolume", None, &p.name),
        (None, ns, Some(n)) => object_ref("PersistentVolumeClaim", ns.as_deref(), n),
        _ => String::new(),
    };
    if priced.lines.iter().any(|l| l.what.contains("fallback")) {
        bill.warnings.push(Warning::new(
            "storage_price_fallback",
            object.clone(),
            format!("{}; marked as an estimate", priced.notes.join("; ")),
        ));
    } else if priced.estimate {
        bill.warnings.push(Warning::new(
            "storage_price_estimate",
            object.clone(),
            priced.notes.join("; "),
        ));
    }
    if bytes == 0 && state != VolumeState::Pending {
        bill.warnings.push(Warning::new(
            "volume_size_unknown",
            object,
            "no size in the volume or its claim: priced at 0 GiB",
        ));
    }
    let explanation = volume_words(&disk.name(), gib, &priced, state, region.as_deref());
    VolumeCost {
        volume: pv.map(|p| p.name.clone()).unwrap_or_default(),
        namespace,
        claim: claim_name,
        storage_class: class_name,
        disk_type: disk.name(),
        provider,
        region,
        bytes,
        state,
        monthly_cost: priced.monthly(),
        estimate: priced.estimate,
        lines: priced.lines,
        explanation,
        workloads,
        manual: priced.manual,
    }
}

fn volume_words(
    disk: &str,
    gib: f64,
    priced: &storage::Priced,
    state: VolumeState,
    region: Option<&str>,
) -> String {
    if state == VolumeState::Pending {
        return "the claim waits for its volume: nothing is billed yet".to_owned();
    }
    let lines: Vec<String> = priced
        .lines
        .iter()
        .map(|l| {
            format!(
                "{}: {} {} × ${} = {}",
                l.what,
                crate::format::trim_decimal(l.quantity, 2),
                l.unit,
                l.usd,
                crate::format::fmt_usd(l.monthly)
            )
        })
        .collect();
    let mut out = format!(
        "{disk}, {} GiB in {}: {}",
        crate::format::trim_decimal(gib, 2),
        region.unwrap_or("an unknown region"),
        lines.join(" + ")
    );
    for n in &priced.notes {
        out.push_str("; ");
        out.push_str(n);
    }
    match state {
        VolumeState::Unclaimed => out.push_str("; not bound to a claim: idle storage"),
        VolumeState::Unmounted => {
            out.push_str("; no running pod mounts its claim: charged to the namespace only")
        }
        _ => {}
    }
    out
}

fn price_load_balancers(
    cluster: &Cluster,
    prices: &ServicePrices,
    home: &Home,
    discounts: &Discounts,
    bill: &mut Bill,
) {
    let factor = discounts.services_factor(home.provider);
    let mut services: Vec<&crate::services::LoadBalancerService> =
        cluster.load_balancers.iter().collect();
    services.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    let billed: Vec<&crate::services::LoadBalancerService> =
        services.iter().copied().filter(|s| s.provisioned).collect();
    let priced = network::price_all(&billed, home.provider, home.region.as_deref(), prices);
    let mut priced = priced.into_iter();
    for s in services {
        let price = if s.provisioned { priced.next() } else { None };
        let workloads = selected_workloads(cluster, s);
        let (kind, hourly, estimate, mut words) = match price {
            Some(p) => {
                let words = format!("{}: ${}/hour", p.kind, p.hourly);
                let words = if p.basis.is_empty() {
                    words
                } else {
                    format!("{words}; {}", p.basis)
                };
                (p.kind, p.hourly, p.estimate, words)
            }
            None => (
                "not provisioned".to_owned(),
                0.0,
                false,
                "no address in status.loadBalancer yet: nothing is billed".to_owned(),
            ),
        };
        let hourly = if factor < 1.0 && hourly > 0.0 {
            words.push_str(&format!("; {}", less_discount(home.provider, factor)));
            bill.discount_monthly += network::monthly(hourly) * (1.0 - factor);
            hourly * factor
        } else {
            hourly
        };
        if workloads.is_empty() {
            words.push_str("; its selector matches no pod: charged to the namespace only");
        }
        let monthly = network::monthly(hourly);
        *bill
            .namespace_load_balancers
            .entry(s.namespace.clone())
            .or_default() += monthly;
        if !workloads.is_empty() {
            let share = monthly / workloads.len() as f64;
            for &w in &workloads {
                *bill.workload_load_balancers.entry(w).or_default() += share;
            }
        }
        if estimate && hourly > 0.0 {
            bill.warnings.push(Warning::new(
                "load_balancer_price_estimate",
                object_ref("Service", Some(&s.namespace), &s.name),
                words.clone(),
            ));
        }
        bill.load_balancers.push(LoadBalancerCost {
            namespace: s.namespace.clone(),
            service: s.name.clone(),
            kind,
            region: home.region.clone(),
            hourly_price: hourly,
            monthly_cost: monthly,
            estimate,
            explanation: words,
            workloads,
        });
    }
}

/// The workloads whose live pods the Service's selector matches.
fn selected_workloads(cluster: &Cluster, s: &crate::services::LoadBalancerService) -> Vec<usize> {
    let set: BTreeSet<usize> = cluster
        .pods
        .iter()
        .filter(|p| {
            p.namespace == s.namespace
                && p.holds_resources
                && selector_matches(&s.selector, &p.label_hashes)
        })
        .map(|p| p.workload)
        .collect();
    set.into_iter().collect()
}
