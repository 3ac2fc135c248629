//! Pods: containers' requests and limits, the effective request the scheduler reserves, QoS.

use std::collections::BTreeMap;

use serde::Serialize;

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
    pub(crate) fn parse(s: &str) -> PodPhase {
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
    pub(crate) fn parse(s: &str) -> Option<QosClass> {
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
    /// The labels asked for in [`IngestOptions::pod_labels`] and
    /// [`IngestOptions::group_labels`] (none by default).
    pub labels: BTreeMap<String, String>,
    /// `metadata.creationTimestamp` as written.
    pub created: Option<String>,
    /// Containers (app and init) whose current or last run was OOM-killed
    /// (`status.containerStatuses[].state` / `lastState.terminated.reason: OOMKilled`), by name.
    pub oom_killed: Vec<String>,
    /// Index of the pod's workload in [`crate::cluster::Cluster::workloads`].
    pub workload: usize,
    /// Its scheduling constraints ([`crate::scheduling`]); `None` when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduling: Option<Box<crate::scheduling::Scheduling>>,
    /// All its labels, hashed ([`crate::scheduling::label_hashes`]; no label text is kept),
    /// shared by the pods with the same labels: what label selectors (Services, anti-affinity)
    /// are matched against.
    #[serde(skip)]
    pub label_hashes: LabelSet,
    /// True when it mounts an `emptyDir` or `hostPath` volume: node-local data, which blocks
    /// moving it (cluster-autoscaler's rule).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub local_storage: bool,
    /// What its annotations tell autoscalers about moving it.
    #[serde(skip_serializing_if = "Eviction::is_default")]
    pub eviction: Eviction,
    /// The PersistentVolumeClaims the pod mounts (in its namespace), generic ephemeral volumes'
    /// claims (`<pod>-<volume>`) included.
    pub claims: Vec<String>,
}

/// A pod's labels as sorted hashes ([`crate::scheduling::label_hashes`]), shared between the
/// pods that carry the same labels.
pub type LabelSet = std::sync::Arc<[u64]>;

/// True when every `(key, value)` of `selector` is in `labels` (a Service's selector; an empty
/// selector matches nothing, as for Services).
pub fn selector_matches(selector: &[(String, String)], labels: &[u64]) -> bool {
    !selector.is_empty()
        && selector.iter().all(|(k, v)| {
            labels
                .binary_search(&crate::scheduling::pair_hash(k, v))
                .is_ok()
        })
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

/// What a pod's annotations tell autoscalers about moving it: cluster-autoscaler's
/// `cluster-autoscaler.kubernetes.io/safe-to-evict` (`"true"` lets a pod with local storage or
/// without a controller move, `"false"` keeps it), and Karpenter's `karpenter.sh/do-not-disrupt`
/// (and the older `karpenter.sh/do-not-evict`) `"true"`, which keeps its node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Eviction {
    /// `cluster-autoscaler.kubernetes.io/safe-to-evict`, when `"true"` or `"false"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_to_evict: Option<bool>,
    /// `karpenter.sh/do-not-disrupt: "true"` (or `karpenter.sh/do-not-evict: "true"`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub do_not_disrupt: bool,
}

impl Eviction {
    /// True when no annotation says anything.
    pub fn is_default(&self) -> bool {
        *self == Eviction::default()
    }
}

/// Amounts of the resources the analysis tracks, as exact integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Resources {
    /// CPU in millicores.
    pub cpu_millis: i64,
    /// Memory in bytes.
    pub memory_bytes: i64,
    /// Ephemeral storage in bytes.
    pub ephemeral_storage_bytes: i64,
    /// GPUs (`nvidia.com/gpu` plus `amd.com/gpu`).
    pub gpus: i64,
    /// NVIDIA MIG slices (Σ `nvidia.com/mig-<profile>`, any profile).
    pub mig_devices: i64,
}

/// Requests or limits as declared on a container: `None` means "not set", which is different
/// from an explicit zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ResourceSpec {
    /// CPU in millicores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_millis: Option<i64>,
    /// Memory in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<i64>,
    /// Ephemeral storage in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage_bytes: Option<i64>,
    /// GPUs (`nvidia.com/gpu` plus `amd.com/gpu`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpus: Option<i64>,
    /// NVIDIA MIG slices (Σ `nvidia.com/mig-<profile>`, any profile).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mig_devices: Option<i64>,
}

impl Resources {
    /// Component-wise saturating sum.
    pub fn saturating_add(self, other: Resources) -> Resources {
        Resources {
            cpu_millis: self.cpu_millis.saturating_add(other.cpu_millis),
            memory_bytes: self.memory_bytes.saturating_add(other.memory_bytes),
            ephemeral_storage_bytes: self
                .ephemeral_storage_bytes
                .saturating_add(other.ephemeral_storage_bytes),
            gpus: self.gpus.saturating_add(other.gpus),
            mig_devices: self.mig_devices.saturating_add(other.mig_devices),
        }
    }

    /// Component-wise maximum.
    pub fn max(self, other: Resources) -> Resources {
        Resources {
            cpu_millis: self.cpu_millis.max(other.cpu_millis),
            memory_bytes: self.memory_bytes.max(other.memory_bytes),
            ephemeral_storage_bytes: self
                .ephemeral_storage_bytes
                .max(other.ephemeral_storage_bytes),
            gpus: self.gpus.max(other.gpus),
            mig_devices: self.mig_devices.max(other.mig_devices),
        }
    }
}

impl ResourceSpec {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.cpu_millis.is_none()
            && self.memory_bytes.is_none()
            && self.ephemeral_storage_bytes.is_none()
            && self.gpus.is_none()
            && self.mig_devices.is_none()
    }

    /// The set values, with unset ones counted as zero.
    pub fn or_zero(&self) -> Resources {
        Resources {
            cpu_millis: self.cpu_millis.unwrap_or(0),
            memory_bytes: self.memory_bytes.unwrap_or(0),
            ephemeral_storage_bytes: self.ephemeral_storage_bytes.unwrap_or(0),
            gpus: self.gpus.unwrap_or(0),
            mig_devices: self.mig_devices.unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_arithmetic_saturates() {
        let a = Resources {
            cpu_millis: i64::MAX,
            memory_bytes: 1,
            ephemeral_storage_bytes: 2,
            gpus: 0,
            mig_devices: 0,
        };
        let b = Resources {
            cpu_millis: 5,
            memory_bytes: 3,
            ephemeral_storage_bytes: 1,
            gpus: 1,
            mig_devices: 0,
        };
        let s = a.saturating_add(b);
        assert_eq!(s.cpu_millis, i64::MAX);
        assert_eq!(s.memory_bytes, 4);
        assert_eq!(a.max(b).ephemeral_storage_bytes, 2);
        assert_eq!(a.max(b).gpus, 1);
        let spec = ResourceSpec {
            cpu_millis: Some(5),
            ..ResourceSpec::default()
        };
        assert!(!spec.is_empty());
        assert_eq!(spec.or_zero().cpu_millis, 5);
        assert!(ResourceSpec::default().is_empty());
    }

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
