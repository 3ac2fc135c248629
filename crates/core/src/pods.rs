//! Pods: containers' requests and limits, the effective request the scheduler reserves, QoS.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cluster::{ResourceSpec, Resources};
use crate::diagnostics::{Warning, object_ref};
use crate::ingest::IngestOptions;
use crate::ingest::convert::{Ctx, resource_spec};
use crate::ingest::raw::{RawContainer, RawObject};

/// `status.phase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PodPhase {
    /// Accepted, not (all) running yet.
    Pending,
    /// Bound to a node, running.
    Running,
    /// All containers terminated successfully.
    Succeeded,
    /// All containers terminated, at least one failed.
    Failed,
    /// Not reported or not recognised.
    Unknown,
}

impl PodPhase {
    fn parse(s: &str) -> PodPhase {
        match s {
            "Pending" => PodPhase::Pending,
            "Running" => PodPhase::Running,
            "Succeeded" => PodPhase::Succeeded,
            "Failed" => PodPhase::Failed,
            _ => PodPhase::Unknown,
        }
    }
}

/// Quality-of-service class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum QosClass {
    /// No container requests or limits CPU or memory.
    BestEffort,
    /// Anything between.
    Burstable,
    /// Every container has CPU and memory limits equal to its requests.
    Guaranteed,
}

impl QosClass {
    fn parse(s: &str) -> Option<QosClass> {
        match s {
            "BestEffort" => Some(QosClass::BestEffort),
            "Burstable" => Some(QosClass::Burstable),
            "Guaranteed" => Some(QosClass::Guaranteed),
            _ => None,
        }
    }
}

/// A container's resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Container {
    /// Container name.
    pub name: String,
    /// Requests, after defaulting: a resource with a limit and no request requests its limit.
    pub requests: ResourceSpec,
    /// Limits as declared.
    pub limits: ResourceSpec,
    /// True when at least one request was taken from the limit.
    pub requests_defaulted: bool,
    /// An init container with `restartPolicy: Always` (a native sidecar that keeps running).
    pub sidecar: bool,
}

/// The controlling owner of an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerRef {
    /// Owner kind (`ReplicaSet`, `Job`, `StatefulSet`, ...).
    pub kind: String,
    /// Owner name.
    pub name: String,
    /// Owner uid.
    pub uid: Option<String>,
}

/// A pod, reduced to what the analysis needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pod {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `metadata.uid`.
    pub uid: Option<String>,
    /// `spec.nodeName`; `None` when not scheduled.
    pub node: Option<String>,
    /// Index of the node in [`crate::cluster::Cluster::nodes`], when the node is in the input.
    pub node_index: Option<usize>,
    /// `status.phase`.
    pub phase: PodPhase,
    /// QoS class (from `status.qosClass`, else computed).
    pub qos: QosClass,
    /// True when [`Pod::qos`] was computed because `status.qosClass` was missing.
    pub qos_computed: bool,
    /// App containers.
    pub containers: Vec<Container>,
    /// Init containers, native sidecars flagged.
    pub init_containers: Vec<Container>,
    /// `spec.overhead` (RuntimeClass overhead).
    pub overhead: ResourceSpec,
    /// What the scheduler reserves for the pod (init containers, sidecars and overhead included).
    pub effective_request: Resources,
    /// False for Succeeded/Failed pods and pods not placed on a node.
    pub holds_resources: bool,
    /// The controlling owner reference.
    pub owner: Option<OwnerRef>,
    /// `spec.priorityClassName`.
    pub priority_class: Option<String>,
    /// `pod-template-hash` label (Deployment ReplicaSets).
    pub pod_template_hash: Option<String>,
    /// `rollouts-pod-template-hash` label (Argo Rollouts ReplicaSets).
    pub rollouts_pod_template_hash: Option<String>,
    /// The labels asked for in [`IngestOptions::pod_labels`] (none by default).
    pub labels: BTreeMap<String, String>,
    /// `metadata.creationTimestamp` as written.
    pub created: Option<String>,
    /// Index of the pod's workload in [`crate::cluster::Cluster::workloads`].
    pub workload: usize,
}

/// The scheduler's effective request (KEP-753): `max(app + sidecars, init peak) + overhead`,
/// where each regular init container's peak includes the sidecars started before it.
pub fn effective_request(
    containers: &[Container],
    init_containers: &[Container],
    overhead: &ResourceSpec,
) -> Resources {
    let app = containers.iter().fold(Resources::default(), |acc, c| {
        acc.saturating_add(c.requests.or_zero())
    });
    let mut sidecars = Resources::default();
    let mut init_peak = Resources::default();
    for c in init_containers {
        if c.sidecar {
            sidecars = sidecars.saturating_add(c.requests.or_zero());
        } else {
            init_peak = init_peak.max(c.requests.or_zero().saturating_add(sidecars));
        }
    }
    app.saturating_add(sidecars)
        .max(init_peak)
        .saturating_add(overhead.or_zero())
}

/// The QoS class Kubernetes computes (`GetPodQOS`): only CPU and memory count.
pub fn compute_qos(containers: &[Container], init_containers: &[Container]) -> QosClass {
    let mut any_request = false;
    let mut any_limit = false;
    let mut guaranteed = true;
    let (mut req_cpu, mut req_mem, mut lim_cpu, mut lim_mem) = (0i64, 0i64, 0i64, 0i64);
    let (mut has_req_cpu, mut has_req_mem) = (false, false);
    for c in containers.iter().chain(init_containers) {
        let rc = c.requests.cpu_millis.filter(|v| *v != 0);
        let rm = c.requests.memory_bytes.filter(|v| *v != 0);
        let lc = c.limits.cpu_millis.filter(|v| *v != 0);
        let lm = c.limits.memory_bytes.filter(|v| *v != 0);
        if let Some(v) = rc {
            any_request = true;
            has_req_cpu = true;
            req_cpu = req_cpu.saturating_add(v);
        }
        if let Some(v) = rm {
            any_request = true;
            has_req_mem = true;
            req_mem = req_mem.saturating_add(v);
        }
        if lc.is_some() || lm.is_some() {
            any_limit = true;
        }
        lim_cpu = lim_cpu.saturating_add(lc.unwrap_or(0));
        lim_mem = lim_mem.saturating_add(lm.unwrap_or(0));
        if lc.is_none() || lm.is_none() {
            guaranteed = false;
        }
    }
    if !any_request && !any_limit {
        return QosClass::BestEffort;
    }
    if guaranteed && has_req_cpu && has_req_mem && req_cpu == lim_cpu && req_mem == lim_mem {
        QosClass::Guaranteed
    } else {
        QosClass::Burstable
    }
}

fn container_from_raw(raw: &RawContainer<'_>, init: bool, ctx: &mut Ctx<'_>) -> Container {
    let name = raw.name.as_ref().map_or("", |n| n.as_str());
    let list = if init { "initContainers" } else { "containers" };
    let resources = raw.resources.as_ref();
    let mut requests = resource_spec(resources.and_then(|r| r.requests.as_ref()), ctx, &|| {
        format!("spec.{list}[{name}].resources.requests")
    });
    let limits = resource_spec(resources.and_then(|r| r.limits.as_ref()), ctx, &|| {
        format!("spec.{list}[{name}].resources.limits")
    });
    let mut defaulted = false;
    let mut default = |req: &mut Option<i64>, lim: Option<i64>| {
        if req.is_none() && lim.is_some() {
            *req = lim;
            defaulted = true;
        }
    };
    default(&mut requests.cpu_millis, limits.cpu_millis);
    default(&mut requests.memory_bytes, limits.memory_bytes);
    default(
        &mut requests.ephemeral_storage_bytes,
        limits.ephemeral_storage_bytes,
    );
    default(&mut requests.gpus, limits.gpus);
    Container {
        name: name.to_owned(),
        requests,
        limits,
        requests_defaulted: defaulted,
        sidecar: init
            && raw
                .restart_policy
                .as_ref()
                .is_some_and(|p| p.as_str() == "Always"),
    }
}

/// Builds a [`Pod`] from its raw view; `None` (with a warning) when it has no name.
pub(crate) fn pod_from_raw(
    obj: &RawObject<'_>,
    options: &IngestOptions,
    warnings: &mut Vec<Warning>,
) -> Option<Pod> {
    let name = obj.name();
    let namespace = obj.namespace().unwrap_or("default");
    let mut ctx = Ctx {
        object: object_ref("Pod", Some(namespace), name),
        warnings,
    };
    if name.is_empty() {
        ctx.warn(
            "missing_name",
            "a Pod without metadata.name was skipped".to_owned(),
        );
        return None;
    }
    let spec = obj.spec.as_deref();
    let status = obj.status.as_deref();
    let containers: Vec<Container> = spec
        .and_then(|s| s.containers.as_ref())
        .map(|cs| {
            cs.iter()
                .map(|c| container_from_raw(c, false, &mut ctx))
                .collect()
        })
        .unwrap_or_default();
    let init_containers: Vec<Container> = spec
        .and_then(|s| s.init_containers.as_ref())
        .map(|cs| {
            cs.iter()
                .map(|c| container_from_raw(c, true, &mut ctx))
                .collect()
        })
        .unwrap_or_default();
    let overhead = resource_spec(spec.and_then(|s| s.overhead.as_ref()), &mut ctx, &|| {
        "spec.overhead".to_owned()
    });
    let effective = effective_request(&containers, &init_containers, &overhead);
    let phase = status
        .and_then(|s| s.phase.as_ref())
        .map_or(PodPhase::Unknown, |p| PodPhase::parse(p.as_str()));
    let reported_qos = status
        .and_then(|s| s.qos_class.as_ref())
        .and_then(|q| QosClass::parse(q.as_str()));
    let (qos, qos_computed) = match reported_qos {
        Some(q) => (q, false),
        None => (compute_qos(&containers, &init_containers), true),
    };
    let node = spec
        .and_then(|s| s.node_name.as_ref())
        .map(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let holds_resources =
        node.is_some() && !matches!(phase, PodPhase::Succeeded | PodPhase::Failed);
    let owner = obj.controller_ref().and_then(|r| {
        let kind = r.kind.as_ref()?.as_str();
        let name = r.name.as_ref()?.as_str();
        (!kind.is_empty() && !name.is_empty()).then(|| OwnerRef {
            kind: kind.to_owned(),
            name: name.to_owned(),
            uid: r.uid.as_ref().map(|u| u.to_owned_string()),
        })
    });
    let labels = obj.labels();
    let keep = |k: &str| labels.get(k).map(str::to_owned);
    let kept: BTreeMap<String, String> = options
        .pod_labels
        .iter()
        .filter_map(|k| labels.get(k).map(|v| (k.clone(), v.to_owned())))
        .collect();
    Some(Pod {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        uid: obj.uid().map(str::to_owned),
        node,
        node_index: None,
        phase,
        qos,
        qos_computed,
        containers,
        init_containers,
        overhead,
        effective_request: effective,
        holds_resources,
        owner,
        priority_class: spec
            .and_then(|s| s.priority_class_name.as_ref())
            .map(|p| p.to_owned_string())
            .filter(|p| !p.is_empty()),
        pod_template_hash: keep("pod-template-hash"),
        rollouts_pod_template_hash: keep("rollouts-pod-template-hash"),
        labels: kept,
        created: obj.creation_timestamp().map(str::to_owned),
        workload: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(
        cpu: Option<i64>,
        mem: Option<i64>,
        lcpu: Option<i64>,
        lmem: Option<i64>,
        sidecar: bool,
    ) -> Container {
        Container {
            name: "c".to_owned(),
            requests: ResourceSpec {
                cpu_millis: cpu,
                memory_bytes: mem,
                ..ResourceSpec::default()
            },
            limits: ResourceSpec {
                cpu_millis: lcpu,
                memory_bytes: lmem,
                ..ResourceSpec::default()
            },
            requests_defaulted: false,
            sidecar,
        }
    }

    #[test]
    fn effective_request_follows_the_scheduler() {
        // app 100m; sidecar 20m; init 333m (+ sidecar started before it? no: after).
        let app = [c(Some(100), Some(10), None, None, false)];
        let init = [
            c(Some(333), Some(5), None, None, false),
            c(Some(20), Some(40), None, None, true),
            c(Some(50), Some(100), None, None, false),
        ];
        let overhead = ResourceSpec {
            cpu_millis: Some(10),
            ..ResourceSpec::default()
        };
        let e = effective_request(&app, &init, &overhead);
        // cpu: max(100+20, 333, 50+20) + 10 = 343; memory: max(10+40, 5, 100+40) = 140
        assert_eq!(e.cpu_millis, 343);
        assert_eq!(e.memory_bytes, 140);
        assert_eq!(
            effective_request(&[], &[], &ResourceSpec::default()),
            Resources::default()
        );
    }

    #[test]
    fn qos_classes() {
        assert_eq!(
            compute_qos(&[c(None, None, None, None, false)], &[]),
            QosClass::BestEffort
        );
        assert_eq!(
            compute_qos(&[c(Some(1), Some(2), Some(1), Some(2), false)], &[]),
            QosClass::Guaranteed
        );
        assert_eq!(
            compute_qos(&[c(Some(1), Some(2), Some(2), Some(2), false)], &[]),
            QosClass::Burstable
        );
        assert_eq!(
            compute_qos(
                &[
                    c(Some(1), Some(2), Some(1), Some(2), false),
                    c(None, None, None, None, false)
                ],
                &[]
            ),
            QosClass::Burstable
        );
        assert_eq!(
            compute_qos(&[c(Some(1), None, None, None, false)], &[]),
            QosClass::Burstable
        );
    }
}
