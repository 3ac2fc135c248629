//! From recommendation to change: one strategic-merge patch per recommended workload, with the
//! risks to read before applying it.
//!
//! * **What changes.** Each recommended cell (request or limit, CPU or memory) is compared with
//!   the workload's current value — its pod template's as declared when the workload object is
//!   in the snapshot, else its representative pod's. Only cells that differ appear. A `?` cell
//!   (no recommendation) is left alone; a limit the strategy leaves unset (KRR's `simple` sets no
//!   CPU limit) is removed (`null`). When a limit is removed from a container whose request was
//!   only defaulted from it, the request is written out with its current value so it does not
//!   disappear with the limit.
//! * **Where.** Containers are named by `name` (the strategic-merge key); native sidecars go
//!   under `initContainers`. Deployments, StatefulSets and DaemonSets are patched at
//!   `spec.template.spec`, CronJobs at `spec.jobTemplate.spec.template.spec`. Other kinds are
//!   listed as not patchable with the reason ([`not_patchable`]). With the workload object in
//!   the snapshot, a container of the pods that its template lacks (injected by a webhook) is
//!   left out; without it, well-known injected sidecars are left out and a note says why.
//! * **Risks** ([`Risk`]): memory below the peak the recommender saw, OOM kills in the snapshot,
//!   a CPU request cut by more than [`PatchSettings::cpu_drop_factor`], a single replica, no or
//!   one-sample usage data, an HPA scaling on a changed resource, and a request left above its
//!   limit (Kubernetes would reject the patch). A patch without risks is "safe".
//! * Names that are not valid Kubernetes names get no patch at all, so no text built from them
//!   can reach a shell ([`render`] quotes everything anyway).
//!
//! [`render`] turns the patches into the forms people use: `kubectl patch` commands, a script,
//! strategic-merge YAML files, a kustomize patch set and Helm values; [`zip`] packs a set into
//! one file. Tests: `crates/core/tests/patch.rs`.

pub mod render;
pub mod zip;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::cluster::Cluster;
use crate::cost::CostModel;
use crate::pods::{Container, ResourceSpec};
use crate::quantity::{Quantity, QuantityFormat};
use crate::recommend::apply::Matched;
use crate::recommend::{Recommendation, Resolved, Value};
use crate::workloads::{PodTemplate, Workload};

/// How patches are checked.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PatchSettings {
    /// A CPU request cut to less than `1 / cpu_drop_factor` of its current value is a risk.
    pub cpu_drop_factor: f64,
}

/// The default [`PatchSettings::cpu_drop_factor`]: a cut to less than a quarter.
pub const DEFAULT_CPU_DROP_FACTOR: f64 = 4.0;

impl Default for PatchSettings {
    fn default() -> PatchSettings {
        PatchSettings {
            cpu_drop_factor: DEFAULT_CPU_DROP_FACTOR,
        }
    }
}

/// The report's `patches` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Patches {
    /// The settings the risks were checked with.
    pub settings: PatchSettings,
    /// The recommendations' strategy, which the limits follow.
    pub strategy: String,
    /// Workloads whose recommendation changes nothing (every cell equal or `?`).
    pub unchanged: usize,
    /// One per recommended workload that changes something, cannot be patched, or has a
    /// container left out; by monthly savings descending.
    pub workloads: Vec<WorkloadPatch>,
}

/// What to say when some patches' containers could not be checked against a template.
pub const TEMPLATE_NOTE: &str = "Some workload objects were not in the snapshot, so their \
    patches name the pods' containers: add deploy,sts,ds,cronjob to the kubectl get command to \
    check each patch against its template (a container injected by a webhook is then left out).";

impl Patches {
    /// Patches that can be applied (patchable, with changes).
    pub fn applicable(&self) -> impl Iterator<Item = &WorkloadPatch> {
        self.workloads.iter().filter(|w| w.patch.is_some())
    }

    /// What every output's summary line says: the patches `selection` shows, how many
    /// applicable ones have risks, how many workloads cannot be patched or need no change, and
    /// what the shown patches save.
    pub fn counts(&self, selection: render::Selection) -> Counts {
        let shown: Vec<&WorkloadPatch> = self
            .workloads
            .iter()
            .filter(|w| selection.includes(w))
            .collect();
        Counts {
            shown: shown.len(),
            risky: self.applicable().filter(|w| !w.risks.is_empty()).count(),
            not_patchable: self
                .workloads
                .iter()
                .filter(|w| w.not_patchable.is_some())
                .count(),
            unchanged: self.unchanged,
            monthly_savings: shown.iter().map(|w| w.monthly_savings).sum(),
        }
    }
}

/// A patch set's summary ([`Patches::counts`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    /// Patches the selection includes (applicable; without risks when "safe only").
    pub shown: usize,
    /// Applicable patches with risks (shown or not).
    pub risky: usize,
    /// Workloads that cannot be patched.
    pub not_patchable: usize,
    /// Recommended workloads that need no change.
    pub unchanged: usize,
    /// What the shown patches save, USD per month.
    pub monthly_savings: f64,
}

/// The patch of one workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadPatch {
    /// Namespace.
    pub namespace: String,
    /// Kind (`Deployment`, `StatefulSet`, `DaemonSet`, `CronJob`, or a kind that cannot be
    /// patched).
    pub kind: String,
    /// Name.
    pub name: String,
    /// What `kubectl patch` addresses; `null` when not patchable.
    pub target: Option<PatchTarget>,
    /// Why it cannot be patched; `null` when it can.
    pub not_patchable: Option<String>,
    /// The containers that change, and those left out (with why).
    pub containers: Vec<ContainerPatch>,
    /// The strategic-merge patch body (`kubectl patch --type strategic -p`); `null` when not
    /// patchable.
    pub patch: Option<Json>,
    /// What to check before applying it; none means "safe".
    pub risks: Vec<Risk>,
    /// Facts worth knowing that are not risks (a removed limit, a left-out container).
    pub notes: Vec<String>,
    /// The workload's monthly savings from the recommendation, USD.
    pub monthly_savings: f64,
    /// True when the workload object was in the snapshot and the containers were checked
    /// against its pod template; false when they are the pods' (a webhook-injected container
    /// cannot then be told apart, except well-known ones).
    #[serde(default)]
    pub template_checked: bool,
}

impl WorkloadPatch {
    /// Patchable, with changes and no risks.
    pub fn safe(&self) -> bool {
        self.patch.is_some() && self.risks.is_empty()
    }

    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// The object a patch applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchTarget {
    /// `apps/v1`, `batch/v1`.
    pub api_version: String,
    /// The resource as `kubectl` names it: `deployment`, `statefulset`, `daemonset`, `cronjob`.
    pub resource: String,
    /// Path from the object to the pod spec: `["spec", "template", "spec"]`.
    pub pod_spec_path: Vec<String>,
}

/// One container's changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerPatch {
    /// Container name.
    pub name: String,
    /// Listed under `initContainers` (a native sidecar).
    pub init: bool,
    /// Changed requests.
    pub requests: Changes,
    /// Changed limits.
    pub limits: Changes,
    /// Why the container is left out of the patch; `null` when it is in.
    pub skipped: Option<String>,
}

impl ContainerPatch {
    /// True when it changes something and is not left out.
    pub fn changes_something(&self) -> bool {
        self.skipped.is_none() && !(self.requests.is_empty() && self.limits.is_empty())
    }
}

/// Changed CPU and memory values of requests or limits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// CPU, when it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Change>,
    /// Memory, when it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Change>,
}

impl Changes {
    /// Nothing changes.
    pub fn is_empty(&self) -> bool {
        self.cpu.is_none() && self.memory.is_none()
    }
}

/// One value's change, as Kubernetes quantities (`250m`, `512Mi`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The current value; `null` when not set.
    pub from: Option<String>,
    /// The new value; `null` to remove it.
    pub to: Option<String>,
}

/// Something to check before applying a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    /// Stable code: `memory-below-peak`, `oom-killed`, `cpu-drop`, `single-replica`,
    /// `no-usage-data`, `one-sample`, `hpa`, `request-above-limit`.
    pub code: String,
    /// The container it concerns; `null` for the whole workload.
    pub container: Option<String>,
    /// For people.
    pub message: String,
}

/// A CPU quantity in millicores as Kubernetes writes it: `250m`, `2`.
pub fn cpu_quantity(millis: i64) -> String {
    Quantity::from_millis(millis).canonical(QuantityFormat::DecimalSi)
}

/// A memory quantity in bytes as Kubernetes writes it: `512Mi`, `1Gi`, `100M`.
pub fn memory_quantity(bytes: i64) -> String {
    Quantity::from_units(bytes).canonical(QuantityFormat::BinarySi)
}

/// Sidecars a mutating webhook injects into pods (not in the workload's template).
const INJECTED: &[&str] = &[
    "istio-proxy",
    "istio-init",
    "istio-validation",
    "linkerd-proxy",
    "linkerd-init",
    "linkerd-network-validator",
    "vault-agent",
    "vault-agent-init",
    "consul-dataplane",
    "envoy-sidecar",
    "kuma-sidecar",
    "kuma-init",
    "aws-xray-daemon",
    "datadog-agent-injected",
    "cloud-sql-proxy",
    "gke-gcsfuse-sidecar",
];

/// A DNS-1123 label: at most 63 characters of `a-z0-9-`, starting and ending alphanumeric.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A DNS-1123 subdomain: at most 253 characters, dot-separated labels.
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// Where a kind is patched; `Err` with the reason for kinds that cannot be.
pub fn target(kind: &str) -> Result<PatchTarget, String> {
    let make = |api: &str, resource: &str, path: &[&str]| PatchTarget {
        api_version: api.to_owned(),
        resource: resource.to_owned(),
        pod_spec_path: path.iter().map(|s| (*s).to_owned()).collect(),
    };
    let template = ["spec", "template", "spec"];
    match kind {
        "Deployment" => Ok(make("apps/v1", "deployment", &template)),
        "StatefulSet" => Ok(make("apps/v1", "statefulset", &template)),
        "DaemonSet" => Ok(make("apps/v1", "daemonset", &template)),
        "CronJob" => Ok(make(
            "batch/v1",
            "cronjob",
            &["spec", "jobTemplate", "spec", "template", "spec"],
        )),
        other => Err(not_patchable(other)),
    }
}

/// Why a workload of `kind` gets no patch.
pub fn not_patchable(kind: &str) -> String {
    match kind {
        "Pod" => "a pod without a controller: its requests change only when it is recreated \
                  with new ones; change the manifest that creates it"
            .to_owned(),
        "ReplicaSet" | "ReplicationController" => format!(
            "a {kind} without a Deployment: a new template reaches only pods created later; \
             change the manifest that creates it (or move it to a Deployment)"
        ),
        "Job" => "a Job's pod template cannot be changed after it is created (Kubernetes \
                  rejects it); change the CronJob or manifest that creates it"
            .to_owned(),
        "Rollout" => "an Argo Rollout is a custom resource, which `kubectl patch` cannot \
                      strategic-merge; set the resources in the Rollout's manifest"
            .to_owned(),
        other => format!(
            "managed by a {other} (an operator), which would undo a patch; set the resources \
             in its custom resource"
        ),
    }
}

/// The current values a patch is compared with: the template's (as declared) or the pod's.
struct Current {
    requests: ResourceSpec,
    limits: ResourceSpec,
    /// The requests as declared; with a pod, `None` where a request was defaulted from a limit.
    declared_requests: ResourceSpec,
    init: bool,
}

fn current_of(
    name: &str,
    template: Option<&PodTemplate>,
    pod: Option<&Container>,
    pod_init: bool,
) -> Option<Current> {
    if let Some(t) = template {
        let c = t.container(name)?;
        return Some(Current {
            requests: c.requests,
            limits: c.limits,
            declared_requests: c.requests,
            init: t.init_containers.iter().any(|i| i.name == name),
        });
    }
    let c = pod?;
    let mut declared = c.requests;
    if c.requests_defaulted {
        if declared.cpu_millis == c.limits.cpu_millis {
            declared.cpu_millis = None;
        }
        if declared.memory_bytes == c.limits.memory_bytes {
            declared.memory_bytes = None;
        }
    }
    Some(Current {
        requests: c.requests,
        limits: c.limits,
        declared_requests: declared,
        init: pod_init,
    })
}

/// The change of one cell, or `None`.
fn cell(
    current: Option<i64>,
    recommended: Value,
    limit: bool,
    fmt: fn(i64) -> String,
) -> Option<Change> {
    let from = current.map(fmt);
    match recommended {
        // Kubernetes refuses negative quantities: such a value (a malformed input) is no change.
        Value::Unknown => None,
        Value::Set(v) if v < 0 => None,
        Value::Set(v) if current == Some(v) => None,
        Value::Set(v) => Some(Change {
            from,
            to: Some(fmt(v)),
        }),
        // A recommended "unset" removes a limit; a request is never removed.
        Value::Unset if limit && current.is_some() => Some(Change { from, to: None }),
        Value::Unset => None,
    }
}

/// One container's changes and the values it ends with.
struct Planned {
    patch: ContainerPatch,
    final_requests: ResourceSpec,
    final_limits: ResourceSpec,
    notes: Vec<String>,
}

fn plan_container(r: &Recommendation, cur: &Current) -> Planned {
    let mut requests = Changes {
        cpu: cell(cur.requests.cpu_millis, r.requests.cpu, false, cpu_quantity),
        memory: cell(
            cur.requests.memory_bytes,
            r.requests.memory,
            false,
            memory_quantity,
        ),
    };
    let limits = Changes {
        cpu: cell(cur.limits.cpu_millis, r.limits.cpu, true, cpu_quantity),
        memory: cell(
            cur.limits.memory_bytes,
            r.limits.memory,
            true,
            memory_quantity,
        ),
    };
    let mut notes = Vec::new();
    // A removed limit takes a request that was only defaulted from it along: keep the request.
    let pin = |removed: &Option<Change>, req: &mut Option<Change>, declared: Option<i64>| {
        if let (Some(Change { to: None, from }), None, None) = (removed, &req, declared) {
            *req = Some(Change {
                from: None,
                to: from.clone(),
            });
        }
    };
    pin(
        &limits.cpu,
        &mut requests.cpu,
        cur.declared_requests.cpu_millis,
    );
    pin(
        &limits.memory,
        &mut requests.memory,
        cur.declared_requests.memory_bytes,
    );
    for (what, c) in [("CPU", &limits.cpu), ("memory", &limits.memory)] {
        if let Some(Change {
            from: Some(f),
            to: None,
        }) = c
        {
            notes.push(format!(
                "container {}: removes the {what} limit {f} (the strategy sets none)",
                r.container
            ));
        }
    }
    let end = |cur: Option<i64>, rec: Value, change: &Option<Change>| match (change, rec) {
        (None, _) => cur,
        (Some(Change { to: None, .. }), _) => None,
        (Some(_), Value::Set(v)) => Some(v),
        (Some(_), _) => cur,
    };
    let mut final_requests = cur.requests;
    final_requests.cpu_millis =
        end(cur.requests.cpu_millis, r.requests.cpu, &requests.cpu).or(cur.requests.cpu_millis);
    final_requests.memory_bytes = end(
        cur.requests.memory_bytes,
        r.requests.memory,
        &requests.memory,
    )
    .or(cur.requests.memory_bytes);
    let mut final_limits = cur.limits;
    final_limits.cpu_millis = end(cur.limits.cpu_millis, r.limits.cpu, &limits.cpu);
    final_limits.memory_bytes = end(cur.limits.memory_bytes, r.limits.memory, &limits.memory);
    Planned {
        patch: ContainerPatch {
            name: r.container.clone(),
            init: cur.init,
            requests,
            limits,
            skipped: None,
        },
        final_requests,
        final_limits,
        notes,
    }
}

/// The strategic-merge patch body of `containers` at `target`'s pod spec.
pub fn patch_body(target: &PatchTarget, containers: &[ContainerPatch]) -> Json {
    let changes = |c: &Changes| {
        let mut m = Map::new();
        for (k, v) in [("cpu", &c.cpu), ("memory", &c.memory)] {
            if let Some(ch) = v {
                m.insert(k.to_owned(), ch.to.clone().map_or(Json::Null, Json::String));
            }
        }
        m
    };
    let mut lists: Map<String, Json> = Map::new();
    for c in containers.iter().filter(|c| c.changes_something()) {
        let mut resources = Map::new();
        if !c.requests.is_empty() {
            resources.insert("requests".to_owned(), Json::Object(changes(&c.requests)));
        }
        if !c.limits.is_empty() {
            resources.insert("limits".to_owned(), Json::Object(changes(&c.limits)));
        }
        let mut entry = Map::new();
        entry.insert("name".to_owned(), Json::String(c.name.clone()));
        entry.insert("resources".to_owned(), Json::Object(resources));
        let list = if c.init {
            "initContainers"
        } else {
            "containers"
        };
        if let Json::Array(a) = lists
            .entry(list.to_owned())
            .or_insert_with(|| Json::Array(Vec::new()))
        {
            a.push(Json::Object(entry));
        }
    }
    let mut body = Json::Object(lists);
    for key in target.pod_spec_path.iter().rev() {
        let mut m = Map::new();
        m.insert(key.clone(), body);
        body = Json::Object(m);
    }
    body
}

/// Builds the patches of every recommended workload. `savings` gives a workload's monthly
/// savings (by index into [`Cluster::workloads`]), as the report computed them.
pub fn build(
    cluster: &Cluster,
    costs: &CostModel,
    resolved: &Resolved,
    settings: &PatchSettings,
    savings: &dyn Fn(usize) -> f64,
) -> Patches {
    let mut by_workload: Vec<(usize, Vec<&Matched>)> = Vec::new();
    let mut at: HashMap<usize, usize> = HashMap::new();
    for m in &resolved.matched {
        let i = *at.entry(m.workload).or_insert_with(|| {
            by_workload.push((m.workload, Vec::new()));
            by_workload.len() - 1
        });
        if let Some((_, v)) = by_workload.get_mut(i) {
            v.push(m);
        }
    }
    let mut unchanged = 0;
    let mut workloads = Vec::new();
    for (w, matched) in by_workload {
        let Some(workload) = cluster.workloads.get(w) else {
            continue;
        };
        let ctx = Ctx {
            cluster,
            costs,
            settings,
            w,
            workload,
        };
        let mut p = ctx.workload_patch(&matched);
        let skipped = p.containers.iter().any(|c| c.skipped.is_some());
        if p.not_patchable.is_none() && p.patch.is_none() && !skipped {
            unchanged += 1;
            continue;
        }
        p.monthly_savings = savings(w);
        workloads.push(p);
    }
    workloads.sort_by(|a, b| {
        b.monthly_savings
            .partial_cmp(&a.monthly_savings)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| (&a.namespace, &a.kind, &a.name).cmp(&(&b.namespace, &b.kind, &b.name)))
    });
    Patches {
        settings: *settings,
        strategy: resolved.strategy.clone(),
        unchanged,
        workloads,
    }
}

struct Ctx<'a> {
    cluster: &'a Cluster,
    costs: &'a CostModel,
    settings: &'a PatchSettings,
    w: usize,
    workload: &'a Workload,
}

impl Ctx<'_> {
    fn workload_patch(&self, matched: &[&Matched]) -> WorkloadPatch {
        let wl = self.workload;
        let mut out = WorkloadPatch {
            namespace: wl.namespace.clone(),
            kind: wl.kind.clone(),
            name: wl.name.clone(),
            target: None,
            not_patchable: None,
            containers: Vec::new(),
            patch: None,
            risks: Vec::new(),
            notes: Vec::new(),
            monthly_savings: 0.0,
            template_checked: false,
        };
        let target = match target(&wl.kind) {
            Ok(t) => t,
            Err(why) => {
                out.not_patchable = Some(why);
                return out;
            }
        };
        if !is_dns_label(&wl.namespace) || !is_dns_subdomain(&wl.name) {
            out.not_patchable = Some(
                "its namespace or name is not a valid Kubernetes name, so no command is built \
                 for it"
                    .to_owned(),
            );
            return out;
        }
        let pod = self
            .costs
            .workloads
            .get(self.w)
            .and_then(|c| c.representative_pod)
            .and_then(|p| self.cluster.pods.get(p));
        out.template_checked = wl.template.is_some();
        for m in matched {
            self.container(&m.recommendation, pod, &mut out);
        }
        // The template's (else the pod's) order: a strategic merge keeps the list's order only
        // when the patch lists its entries in that order.
        let order: Vec<&str> = match &wl.template {
            Some(t) => t
                .containers
                .iter()
                .chain(&t.init_containers)
                .map(|c| c.name.as_str())
                .collect(),
            None => pod.map_or_else(Vec::new, |p| {
                p.containers
                    .iter()
                    .chain(&p.init_containers)
                    .map(|c| c.name.as_str())
                    .collect()
            }),
        };
        let rank = |name: &str| order.iter().position(|n| *n == name).unwrap_or(usize::MAX);
        out.containers
            .retain(|c| c.changes_something() || c.skipped.is_some());
        out.containers.sort_by_key(|c| rank(&c.name));
        if out.containers.iter().any(ContainerPatch::changes_something) {
            self.workload_risks(&mut out);
            out.patch = Some(patch_body(&target, &out.containers));
        }
        out.target = Some(target);
        out
    }

    fn container(
        &self,
        r: &Recommendation,
        pod: Option<&crate::pods::Pod>,
        out: &mut WorkloadPatch,
    ) {
        let name = r.container.as_str();
        let pod_container = pod.and_then(|p| {
            p.containers
                .iter()
                .map(|c| (c, false))
                .chain(
                    p.init_containers
                        .iter()
                        .filter(|c| c.sidecar)
                        .map(|c| (c, true)),
                )
                .find(|(c, _)| c.name == name)
        });
        let skip = |why: String| ContainerPatch {
            name: name.to_owned(),
            init: pod_container.is_some_and(|(_, i)| i),
            requests: Changes::default(),
            limits: Changes::default(),
            skipped: Some(why),
        };
        if !is_dns_label(name) {
            out.containers
                .push(skip("its name is not a valid container name".to_owned()));
            return;
        }
        let template = self.workload.template.as_ref();
        if template.is_none() && INJECTED.contains(&name) {
            out.containers.push(skip(format!(
                "{name} is usually injected by a webhook and is not in the {}'s template: \
                 set its resources through the injector (e.g. its annotations)",
                self.workload.kind
            )));
            return;
        }
        let Some(cur) = current_of(
            name,
            template,
            pod_container.map(|(c, _)| c),
            pod_container.is_some_and(|(_, i)| i),
        ) else {
            out.containers.push(skip(match template {
                Some(_) => format!(
                    "not in the {}'s template (injected by a webhook?): set its resources \
                     where it is injected",
                    self.workload.kind
                ),
                None => "not in the workload's pods".to_owned(),
            }));
            return;
        };
        let planned = plan_container(r, &cur);
        out.notes.extend(planned.notes.iter().cloned());
        for (what, info) in [("CPU", &r.info_cpu), ("memory", &r.info_memory)] {
            if info.as_deref() == Some("HPA detected") {
                out.notes.push(format!(
                    "container {name}: {what} left as is: an HPA scales on it (the strategy's \
                     allow HPA setting is off)"
                ));
            }
        }
        if planned.patch.changes_something() {
            self.container_risks(r, &cur, &planned, out);
        }
        out.containers.push(planned.patch);
    }

    fn container_risks(
        &self,
        r: &Recommendation,
        cur: &Current,
        planned: &Planned,
        out: &mut WorkloadPatch,
    ) {
        let name = r.container.as_str();
        let mut risk = |code: &str, message: String| {
            out.risks.push(Risk {
                code: code.to_owned(),
                container: Some(name.to_owned()),
                message: format!("container {name}: {message}"),
            })
        };
        let mem = memory_quantity;
        let new_mem = [
            planned.final_requests.memory_bytes,
            planned.final_limits.memory_bytes,
        ];
        if let Some(peak) = r.memory_peak_bytes
            && let Some(low) = new_mem
                .iter()
                .flatten()
                .copied()
                .filter(|v| *v < peak)
                .min()
        {
            risk(
                "memory-below-peak",
                format!(
                    "memory {} is below the peak use {} the recommender saw",
                    mem(low),
                    mem(peak)
                ),
            );
        }
        let pods = &self.workload.pods;
        let oom = pods
            .iter()
            .filter_map(|&p| self.cluster.pods.get(p))
            .filter(|p| p.oom_killed.iter().any(|n| n == name))
            .count();
        if oom > 0 {
            let limit = cur.limits.memory_bytes;
            let lowered = match (planned.final_limits.memory_bytes, limit) {
                (Some(new), Some(old)) => new <= old,
                (None, _) => false,
                (Some(_), None) => true,
            };
            let tail = match (lowered, limit) {
                (true, Some(l)) => format!(
                    "; it was killed at its memory limit {} and the new limit is not above it",
                    mem(l)
                ),
                _ => "; check its memory use before lowering anything".to_owned(),
            };
            risk(
                "oom-killed",
                format!(
                    "OOM-killed in {oom} of {} pods in the snapshot{tail}",
                    pods.len()
                ),
            );
        }
        if let (Some(old), Some(new)) = (cur.requests.cpu_millis, planned.final_requests.cpu_millis)
        {
            let factor = self.settings.cpu_drop_factor;
            if new > 0 && (old as f64) > (new as f64) * factor {
                risk(
                    "cpu-drop",
                    format!(
                        "CPU request cut from {} to {} (more than {}×): a slow start or a spike \
                         may be throttled",
                        cpu_quantity(old),
                        cpu_quantity(new),
                        crate::format::trim_decimal(factor, 2)
                    ),
                );
            }
        }
        if r.low_confidence {
            risk(
                "one-sample",
                "recommended from one usage sample, not a history".to_owned(),
            );
        }
        // A `?` request for a reason other than the HPA rule: no (or too little) usage data.
        let unknown: Vec<&str> = [
            ("CPU", r.requests.cpu, &r.info_cpu),
            ("memory", r.requests.memory, &r.info_memory),
        ]
        .into_iter()
        .filter(|(_, v, info)| *v == Value::Unknown && info.as_deref() != Some("HPA detected"))
        .map(|(what, _, _)| what)
        .collect();
        if !unknown.is_empty() {
            risk(
                "no-usage-data",
                format!(
                    "no usage data for its {}: only the other values change",
                    unknown.join(" and ")
                ),
            );
        }
        for (what, req, lim, fmt) in [
            (
                "CPU",
                planned.final_requests.cpu_millis,
                planned.final_limits.cpu_millis,
                cpu_quantity as fn(i64) -> String,
            ),
            (
                "memory",
                planned.final_requests.memory_bytes,
                planned.final_limits.memory_bytes,
                memory_quantity,
            ),
        ] {
            if let (Some(q), Some(l)) = (req, lim)
                && q > l
            {
                risk(
                    "request-above-limit",
                    format!(
                        "the {what} request {} would be above the {what} limit {} the \
                             patch leaves: Kubernetes rejects it; raise the limit too",
                        fmt(q),
                        fmt(l)
                    ),
                );
            }
        }
        if let Some(h) = self.workload.hpa.and_then(|h| self.cluster.hpas.get(h)) {
            let changed = |res: &str, c: &Changes| match res {
                "cpu" => c.cpu.is_some(),
                _ => c.memory.is_some(),
            };
            for res in ["cpu", "memory"] {
                if h.scales_on(res) && changed(res, &planned.patch.requests) {
                    risk(
                        "hpa",
                        format!(
                            "the HPA {} scales on {res} utilisation, a share of the request: a \
                             new request changes when it scales",
                            h.name
                        ),
                    );
                }
            }
        }
    }

    fn workload_risks(&self, out: &mut WorkloadPatch) {
        let wl = self.workload;
        if !matches!(wl.kind.as_str(), "Deployment" | "StatefulSet") {
            return;
        }
        let running = wl
            .pods
            .iter()
            .filter_map(|&p| self.cluster.pods.get(p))
            .filter(|p| p.holds_resources)
            .count();
        let hpa_min = wl
            .hpa
            .and_then(|h| self.cluster.hpas.get(h))
            .map(|h| h.min_replicas.unwrap_or(1));
        let replicas = hpa_min.or(wl.replicas).unwrap_or(running as i64);
        if replicas == 1 {
            out.risks.push(Risk {
                code: "single-replica".to_owned(),
                container: None,
                message: "one replica: applying restarts its only pod, and if the new values are \
                          too small there is no other pod to carry the load"
                    .to_owned(),
            });
        }
    }
}
