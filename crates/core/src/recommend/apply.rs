//! Matching recommendations to the snapshot, severities, and money.
//!
//! * Scope: recommendations from Prometheus or usage samples cover the namespaces of
//!   [`StrategySettings::namespaces`] (by default every namespace but `kube-system`, as KRR);
//!   what lies outside is left out, not listed as unmatched. A KRR result keeps all its rows (KRR
//!   chose its scope). [`Resolved::scope`] says which namespaces were scanned; a named namespace
//!   without workloads in the snapshot gets a warning `namespace_not_found`.
//! * Each recommendation is matched to a workload by namespace, kind and name, then to one of
//!   its containers (app containers and native sidecars) by name. What matches nothing is listed
//!   in [`Resolved::unmatched`] with a reason and given as a warning (`krr_unmatched` for KRR,
//!   `usage_unmatched` for usage samples).
//! * KRR's "HPA detected" rule: when the snapshot has an HPA scaling the workload on CPU (or
//!   memory) and the strategy's `allow_hpa` is off, that resource's recommendation becomes `?`
//!   with the info `HPA detected` — also for imported KRR results whose scan saw no HPA.
//! * Severities: the recommender's as given (KRR's), else computed ([`super::severity`]) from
//!   the current values the recommender saw (KRR's `allocations`) or, for usage samples, the
//!   snapshot's requests and limits.
//! * Money: a pod's recommended cost replaces the requests of its recommended containers (app
//!   containers and native sidecars; init containers unchanged) with the recommended ones where
//!   numeric, recomputes the pod's effective request ([`crate::pods::effective_request`]) and
//!   prices it on the same node rates as now; its GPUs cost what they cost now (recommendations
//!   change CPU and memory only). `?` costs as now. A negative saving is the extra
//!   cost of making an under-provisioned container safe.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::severity::{self, Resource};
use super::strategy::{self, StrategyName, StrategySettings};
use super::{
    NamespaceScope, NamespaceSelection, Pair, Recommendation, RecommendationInput,
    RecommendationsInfo, Severity, Source, Unmatched, Value,
};
use crate::cluster::Cluster;
use crate::cost::{CostModel, cores, gib};
use crate::diagnostics::{Warning, object_ref};
use crate::pods::ResourceSpec;
use crate::pods::{Container, effective_request};

/// Severities of one recommendation: per cell and for the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Severities {
    /// CPU request.
    pub requests_cpu: Severity,
    /// Memory request.
    pub requests_memory: Severity,
    /// CPU limit.
    pub limits_cpu: Severity,
    /// Memory limit.
    pub limits_memory: Severity,
    /// The row (the worst cell, KRR's order).
    pub row: Severity,
}

/// A recommendation matched to a workload container.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched {
    /// Index into [`Cluster::workloads`].
    pub workload: usize,
    /// The recommendation (after the HPA rule).
    pub recommendation: Recommendation,
    /// The severities used: the recommender's where given, else computed.
    pub severities: Severities,
    /// The severities computed here (to compare with the recommender's).
    pub computed: Severities,
}

/// Recommendations resolved against a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// Where they come from.
    pub source: Source,
    /// The input's name.
    pub input_name: String,
    /// The strategy's name.
    pub strategy: String,
    /// The strategy's settings.
    pub settings: StrategySettings,
    /// The score the recommender reported.
    pub given_score: Option<i64>,
    /// Matched recommendations.
    pub matched: Vec<Matched>,
    /// What matched nothing.
    pub unmatched: Vec<Unmatched>,
    /// Row severities of unmatched recommendations (they count in KRR's score).
    pub unmatched_rows: Vec<Severity>,
    /// Row severities computed here for unmatched recommendations.
    pub unmatched_computed_rows: Vec<Severity>,
    /// True for single-sample recommendations.
    pub low_confidence: bool,
    /// Which namespaces were scanned.
    pub scope: NamespaceScope,
    /// Warnings (`krr_unmatched`, `usage_unmatched`, `usage_single_sample`,
    /// `namespace_not_found`, and the source's own such as `prometheus_unavailable`).
    pub warnings: Vec<Warning>,
}

impl Resolved {
    /// KRR's score over all rows, from the severities used.
    pub fn score(&self) -> i64 {
        severity::score(
            self.matched
                .iter()
                .map(|m| m.severities.row)
                .chain(self.unmatched_rows.iter().copied()),
        )
    }

    /// KRR's score over all rows, from the severities computed here.
    pub fn computed_score(&self) -> i64 {
        severity::score(
            self.matched
                .iter()
                .map(|m| m.computed.row)
                .chain(self.unmatched_computed_rows.iter().copied()),
        )
    }

    /// Rows (matched and unmatched) whose severity used is UNKNOWN.
    pub fn unknown(&self) -> usize {
        self.matched
            .iter()
            .map(|m| m.severities.row)
            .chain(self.unmatched_rows.iter().copied())
            .filter(|s| *s == Severity::Unknown)
            .count()
    }

    /// The report's `recommendations` section.
    pub fn info(&self) -> RecommendationsInfo {
        let score = self.score();
        RecommendationsInfo {
            source: self.source,
            input: self.input_name.clone(),
            strategy: self.strategy.clone(),
            settings: self.settings.clone(),
            score,
            grade: severity::grade(score).to_owned(),
            given_score: self.given_score,
            matched: self.matched.len(),
            unknown: self.unknown(),
            namespaces: self.scope.clone(),
            low_confidence: self.low_confidence,
            unmatched: self.unmatched.clone(),
        }
    }
}

fn spec_pair(s: &ResourceSpec) -> Pair {
    Pair {
        cpu: Value::from_option(s.cpu_millis),
        memory: Value::from_option(s.memory_bytes),
    }
}

fn compute_severities(current_req: Pair, current_lim: Pair, r: &Recommendation) -> Severities {
    let requests_cpu = severity::cell(Resource::Cpu, current_req.cpu, r.requests.cpu);
    let requests_memory = severity::cell(Resource::Memory, current_req.memory, r.requests.memory);
    let limits_cpu = severity::cell(Resource::Cpu, current_lim.cpu, r.limits.cpu);
    let limits_memory = severity::cell(Resource::Memory, current_lim.memory, r.limits.memory);
    Severities {
        requests_cpu,
        requests_memory,
        limits_cpu,
        limits_memory,
        row: severity::row([requests_cpu, requests_memory, limits_cpu, limits_memory]),
    }
}

fn used_severities(r: &Recommendation, computed: Severities) -> Severities {
    let g = &r.given;
    let requests_cpu = g.requests_cpu.unwrap_or(computed.requests_cpu);
    let requests_memory = g.requests_memory.unwrap_or(computed.requests_memory);
    let limits_cpu = g.limits_cpu.unwrap_or(computed.limits_cpu);
    let limits_memory = g.limits_memory.unwrap_or(computed.limits_memory);
    Severities {
        requests_cpu,
        requests_memory,
        limits_cpu,
        limits_memory,
        row: g.row.unwrap_or_else(|| {
            severity::row([requests_cpu, requests_memory, limits_cpu, limits_memory])
        }),
    }
}

/// The representative pod of a workload: the first running one, else the first holding
/// resources, else the first (as the report does).
fn representative_container<'a>(
    cluster: &'a Cluster,
    costs: &CostModel,
    workload: usize,
    container: &str,
) -> Option<&'a Container> {
    let pod = costs
        .workloads
        .get(workload)
        .and_then(|w| w.representative_pod)
        .and_then(|p| cluster.pods.get(p))?;
    pod.containers
        .iter()
        .chain(pod.init_containers.iter().filter(|c| c.sidecar))
        .find(|c| c.name == container)
}

/// Applies the HPA rule to `r` for `workload`; true when something changed.
fn hpa_rule(cluster: &Cluster, workload: usize, allow_hpa: bool, r: &mut Recommendation) -> bool {
    if allow_hpa {
        return false;
    }
    let Some(hpa) = cluster
        .workloads
        .get(workload)
        .and_then(|w| w.hpa)
        .and_then(|h| cluster.hpas.get(h))
    else {
        return false;
    };
    let mut changed = false;
    if hpa.scales_on("cpu") && r.requests.cpu != Value::Unknown {
        // KRR's `undefined`: request and limit both `?`.
        r.requests.cpu = Value::Unknown;
        r.limits.cpu = Value::Unknown;
        r.info_cpu = Some("HPA detected".to_owned());
        r.given.requests_cpu = None;
        r.given.limits_cpu = None;
        changed = true;
    }
    if hpa.scales_on("memory") && r.requests.memory != Value::Unknown {
        r.requests.memory = Value::Unknown;
        r.limits.memory = Value::Unknown;
        r.info_memory = Some("HPA detected".to_owned());
        r.given.requests_memory = None;
        r.given.limits_memory = None;
        changed = true;
    }
    if changed {
        r.given.row = None;
        r.hpa = true;
    }
    changed
}

fn unmatched_code(source: Source) -> &'static str {
    match source {
        Source::Krr => "krr_unmatched",
        _ => "usage_unmatched",
    }
}

/// Matches `input` to the snapshot; see the module documentation.
pub fn resolve(cluster: &Cluster, costs: &CostModel, input: &RecommendationInput) -> Resolved {
    match input {
        RecommendationInput::Ready(set) => {
            let mut out = Resolved {
                source: set.source,
                input_name: set.input_name.clone(),
                strategy: set.strategy.clone(),
                settings: set.settings.clone(),
                given_score: set.given_score,
                matched: Vec::new(),
                unmatched: Vec::new(),
                unmatched_rows: Vec::new(),
                unmatched_computed_rows: Vec::new(),
                low_confidence: set.items.iter().any(|r| r.low_confidence),
                scope: namespace_scope(
                    cluster,
                    set.source,
                    &set.settings,
                    set.items.iter().map(|r| r.namespace.as_str()),
                ),
                warnings: set.warnings.clone(),
            };
            out.warnings
                .extend(namespaces_not_found(cluster, &out.scope));
            // A KRR result keeps its rows; others (e.g. Prometheus, already planned in scope)
            // are held to the scope.
            for r in &set.items {
                if set.source == Source::Krr || set.settings.in_scope(&r.namespace) {
                    place(cluster, costs, r.clone(), &mut out);
                }
            }
            out
        }
        RecommendationInput::Snapshot(usage, settings) => snapshot(cluster, costs, usage, settings),
    }
}

/// The namespaces of `cluster` that have workloads, sorted.
fn snapshot_namespaces(cluster: &Cluster) -> BTreeSet<&str> {
    cluster
        .workloads
        .iter()
        .map(|w| w.namespace.as_str())
        .collect()
}

/// The namespace scope of recommendations from `source` with `settings` over `cluster`;
/// `rows` are the namespaces of the recommendations (used for a KRR result).
pub fn namespace_scope<'a>(
    cluster: &Cluster,
    source: Source,
    settings: &StrategySettings,
    rows: impl Iterator<Item = &'a str>,
) -> NamespaceScope {
    let present = snapshot_namespaces(cluster);
    let (selection, scanned): (NamespaceSelection, Vec<String>) = if source == Source::Krr {
        let rows: BTreeSet<&str> = rows.collect();
        (
            NamespaceSelection::Krr,
            rows.into_iter().map(str::to_owned).collect(),
        )
    } else if settings.namespaces.is_empty() {
        (
            NamespaceSelection::AllButKubeSystem,
            present
                .iter()
                .filter(|n| settings.in_scope(n))
                .map(|n| (*n).to_owned())
                .collect(),
        )
    } else {
        (NamespaceSelection::Named, settings.named_namespaces())
    };
    let skipped = present
        .iter()
        .filter(|n| scanned.binary_search_by(|s| s.as_str().cmp(n)).is_err())
        .map(|n| (*n).to_owned())
        .collect();
    NamespaceScope {
        selection,
        scanned,
        skipped,
    }
}

/// A `namespace_not_found` warning for each named namespace without workloads in `cluster`.
fn namespaces_not_found(cluster: &Cluster, scope: &NamespaceScope) -> Vec<Warning> {
    if scope.selection != NamespaceSelection::Named {
        return Vec::new();
    }
    let present = snapshot_namespaces(cluster);
    scope
        .scanned
        .iter()
        .filter(|n| !present.contains(n.as_str()))
        .map(|n| {
            Warning::new(
                "namespace_not_found",
                object_ref("Namespace", None, n),
                format!(
                    "namespace {n} was named for recommendations but has no workloads in the \
                     snapshot: check its spelling, or that the snapshot was taken with -A"
                ),
            )
        })
        .collect()
}

fn place(cluster: &Cluster, costs: &CostModel, mut r: Recommendation, out: &mut Resolved) {
    let key = (r.namespace.clone(), r.kind.clone(), r.name.clone());
    let workload = cluster.workload_index.get(&key).copied();
    let reason = match workload.and_then(|w| cluster.workloads.get(w)) {
        None => Some(format!(
            "no {} {}/{} in the snapshot",
            r.kind, r.namespace, r.name
        )),
        Some(w) if !w.container_names.contains(&r.container) => Some(format!(
            "container {} not in {} {}/{}",
            r.container, r.kind, r.namespace, r.name
        )),
        Some(_) => None,
    };
    let (Some(w), None) = (workload, &reason) else {
        let computed = compute_severities(
            r.current_requests.unwrap_or_default(),
            r.current_limits.unwrap_or_default(),
            &r,
        );
        let used = used_severities(&r, computed);
        let reason = reason.unwrap_or_default();
        out.warnings.push(Warning::new(
            unmatched_code(out.source),
            object_ref(&r.kind, Some(&r.namespace), &r.name),
            format!(
                "the {} recommendation for container {} matches nothing in the snapshot: {reason}",
                out.source.describe(),
                r.container
            ),
        ));
        out.unmatched_rows.push(used.row);
        out.unmatched_computed_rows.push(computed.row);
        out.unmatched.push(Unmatched {
            namespace: r.namespace,
            kind: r.kind,
            name: r.name,
            container: r.container,
            reason,
        });
        return;
    };
    hpa_rule(cluster, w, out.settings.allow_hpa, &mut r);
    let snapshot_container = representative_container(cluster, costs, w, &r.container);
    let current_req = r.current_requests.unwrap_or_else(|| {
        snapshot_container.map_or_else(Pair::default, |c| spec_pair(&c.requests))
    });
    let current_lim = r
        .current_limits
        .unwrap_or_else(|| snapshot_container.map_or_else(Pair::default, |c| spec_pair(&c.limits)));
    let computed = compute_severities(current_req, current_lim, &r);
    let severities = used_severities(&r, computed);
    out.matched.push(Matched {
        workload: w,
        recommendation: r,
        severities,
        computed,
    });
}

fn snapshot(
    cluster: &Cluster,
    costs: &CostModel,
    usage: &super::usage::UsageSnapshot,
    settings: &StrategySettings,
) -> Resolved {
    let source = usage.source;
    let scope = namespace_scope(cluster, source, settings, std::iter::empty());
    let mut out = Resolved {
        source,
        input_name: usage.input_name.clone(),
        strategy: StrategyName::Simple.as_str().to_owned(),
        settings: settings.clone(),
        given_score: None,
        matched: Vec::new(),
        unmatched: Vec::new(),
        unmatched_rows: Vec::new(),
        unmatched_computed_rows: Vec::new(),
        low_confidence: true,
        warnings: namespaces_not_found(cluster, &scope),
        scope,
    };
    let mut shortened = crate::limits::Shortened::default();
    for s in &usage.samples {
        let object = || object_ref("Pod", s.namespace.as_deref(), &s.pod);
        if let Some(ns) = &s.namespace {
            shortened.check(ns, object, "namespace");
        }
        shortened.check(&s.pod, object, "pod");
        shortened.check(&s.container, object, "container");
    }
    out.warnings.extend(shortened.warning(&usage.input_name));
    let agg = aggregate_samples(cluster, usage, settings, &mut out);
    let when = usage
        .timestamp
        .as_deref()
        .map(|t| format!(" at {t}"))
        .unwrap_or_default();
    let note = format!(
        "one sample from {}{when} is not a history: confirm with KRR or Prometheus before applying",
        source.describe()
    );
    if !agg.is_empty() {
        out.warnings.push(Warning::new(
            "usage_single_sample",
            "",
            format!(
                "recommendations from {} ({}) are low-confidence: {note}",
                source.describe(),
                usage.input_name
            ),
        ));
    }
    for ((w, container), (cpu, memory)) in agg {
        let Some(wl) = cluster.workloads.get(w) else {
            continue;
        };
        let hpa = wl.hpa.and_then(|h| cluster.hpas.get(h));
        let has = |r: &str| hpa.is_some_and(|h| h.scales_on(r));
        let o =
            strategy::single_sample(settings, Some(cpu), Some(memory), has("cpu"), has("memory"));
        let r = Recommendation {
            low_confidence: true,
            note: Some(note.clone()),
            ..Recommendation::from_outcome(
                wl.namespace.clone(),
                wl.kind.clone(),
                wl.name.clone(),
                container,
                o,
                hpa.is_some(),
            )
        };
        place(cluster, costs, r, &mut out);
    }
    out
}

/// Matches each usage sample to a workload container and keeps the largest CPU and memory per
/// (workload, container). Samples outside the namespace scope are left out; those that match
/// nothing go to `out.unmatched` with a warning.
fn aggregate_samples(
    cluster: &Cluster,
    usage: &super::usage::UsageSnapshot,
    settings: &StrategySettings,
    out: &mut Resolved,
) -> BTreeMap<(usize, String), (i64, i64)> {
    let source = usage.source;
    let mut by_full: HashMap<(&str, &str), usize> = HashMap::new();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in cluster.pods.iter().enumerate() {
        by_full.insert((p.namespace.as_str(), p.name.as_str()), i);
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    // (workload, container) → (max CPU, max memory).
    let mut agg: BTreeMap<(usize, String), (i64, i64)> = BTreeMap::new();
    for s in &usage.samples {
        let pod = match &s.namespace {
            Some(ns) => by_full
                .get(&(ns.as_str(), s.pod.as_str()))
                .copied()
                .ok_or_else(|| format!("no pod {ns}/{} in the snapshot", s.pod)),
            None => match by_name.get(s.pod.as_str()).map(Vec::as_slice) {
                Some([one]) => Ok(*one),
                Some([_, _, ..]) => Err(format!(
                    "pod {} is in several namespaces of the snapshot (run kubectl top with -A)",
                    s.pod
                )),
                _ => Err(format!("no pod {} in the snapshot", s.pod)),
            },
        };
        let namespace = s.namespace.as_deref().or_else(|| {
            let p = pod.as_ref().ok()?;
            cluster.pods.get(*p).map(|p| p.namespace.as_str())
        });
        if namespace.is_some_and(|ns| !settings.in_scope(ns)) {
            continue;
        }
        let found = pod.and_then(|p| {
            let pod = &cluster.pods[p];
            let w = pod.workload;
            let wl = cluster
                .workloads
                .get(w)
                .ok_or_else(|| format!("pod {}/{} has no workload", pod.namespace, pod.name))?;
            if wl.container_names.contains(&s.container) {
                Ok(w)
            } else {
                Err(format!(
                    "container {} not in {} {}/{}",
                    s.container, wl.kind, wl.namespace, wl.name
                ))
            }
        });
        match found {
            Ok(w) => {
                let e = agg.entry((w, s.container.clone())).or_insert((0, 0));
                e.0 = e.0.max(s.cpu_millis);
                e.1 = e.1.max(s.memory_bytes);
            }
            Err(reason) => {
                let ns = s.namespace.clone().unwrap_or_default();
                out.warnings.push(Warning::new(
                    unmatched_code(source),
                    object_ref("Pod", Some(&ns), &s.pod),
                    format!(
                        "the {} sample of container {} matches nothing in the snapshot: {reason}",
                        source.describe(),
                        s.container
                    ),
                ));
                out.unmatched.push(Unmatched {
                    namespace: ns,
                    kind: "Pod".to_owned(),
                    name: s.pod.clone(),
                    container: s.container.clone(),
                    reason,
                });
            }
        }
    }
    agg
}

fn new_request(current: Option<i64>, request: Value, limit: Value) -> Option<i64> {
    match (request, limit) {
        (Value::Set(v), _) => Some(v),
        (Value::Unknown, _) => current,
        (Value::Unset, Value::Set(l)) => Some(l),
        (Value::Unset, _) => None,
    }
}

fn with_recommendation(c: &Container, r: Option<&Recommendation>) -> Container {
    let mut c = c.clone();
    if let Some(r) = r {
        c.requests.cpu_millis = new_request(c.requests.cpu_millis, r.requests.cpu, r.limits.cpu);
        c.requests.memory_bytes =
            new_request(c.requests.memory_bytes, r.requests.memory, r.limits.memory);
    }
    c
}

/// The scheduler's effective request of `pod` with `recs` (by container name) applied to its
/// app containers and native sidecars (regular init containers keep theirs).
fn recommended_effective(
    pod: &crate::pods::Pod,
    recs: &HashMap<&str, &Recommendation>,
) -> crate::pods::Resources {
    let containers: Vec<Container> = pod
        .containers
        .iter()
        .map(|c| with_recommendation(c, recs.get(c.name.as_str()).copied()))
        .collect();
    let init: Vec<Container> = pod
        .init_containers
        .iter()
        .map(|c| {
            let r = c
                .sidecar
                .then(|| recs.get(c.name.as_str()).copied())
                .flatten();
            with_recommendation(c, r)
        })
        .collect();
    effective_request(&containers, &init, &pod.overhead)
}

/// The recommended hourly cost of workload `w` with `recs` (by container name).
pub fn recommended_hourly(
    cluster: &Cluster,
    costs: &CostModel,
    w: usize,
    recs: &HashMap<&str, &Recommendation>,
) -> f64 {
    let Some(wl) = cluster.workloads.get(w) else {
        return 0.0;
    };
    let mut hourly = 0.0;
    for &p in &wl.pods {
        let (Some(pod), Some(pc)) = (cluster.pods.get(p), costs.pods.get(p)) else {
            continue;
        };
        if pc.node.is_none() {
            continue;
        }
        let e = recommended_effective(pod, recs);
        hourly += pc.rates.cost(cores(e.cpu_millis), gib(e.memory_bytes));
        // Recommendations change CPU and memory only: the GPUs cost what they cost now.
        if pc.gpu_hourly != 0.0 {
            hourly += pc.gpu_hourly;
        }
    }
    hourly
}

/// Each pod's effective CPU and memory request with the recommendations applied (as
/// [`recommended_hourly`] prices them), indexed like [`Cluster::pods`]; `None` for pods of
/// workloads without a recommendation. For the re-packing ([`crate::repack`]).
pub fn recommended_requests(
    cluster: &Cluster,
    resolved: &Resolved,
) -> Vec<Option<crate::cost::CpuMemory>> {
    let mut by_workload: HashMap<usize, HashMap<&str, &Recommendation>> = HashMap::new();
    for m in &resolved.matched {
        by_workload
            .entry(m.workload)
            .or_default()
            .insert(m.recommendation.container.as_str(), &m.recommendation);
    }
    let mut out = vec![None; cluster.pods.len()];
    for (w, recs) in &by_workload {
        let Some(wl) = cluster.workloads.get(*w) else {
            continue;
        };
        for &p in &wl.pods {
            let Some(pod) = cluster.pods.get(p) else {
                continue;
            };
            let e = recommended_effective(pod, recs);
            out[p] = Some(crate::cost::CpuMemory {
                cpu_millis: e.cpu_millis,
                memory_bytes: e.memory_bytes,
            });
        }
    }
    out
}
