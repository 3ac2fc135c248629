//! The planned cluster: pools, nodes, workloads and pods, before any JSON is written.

use super::catalog::{InstanceType, Profile, Qty};

/// Who provisions a pool's nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provisioner {
    /// An EKS managed node group (on-demand).
    Managed,
    /// A Karpenter NodePool.
    Karpenter,
}

/// A node pool.
#[derive(Debug, Clone)]
pub struct Pool {
    /// Node group / NodePool name.
    pub name: String,
    /// Managed node group or Karpenter.
    pub provisioner: Provisioner,
    /// Spot capacity.
    pub spot: bool,
    /// A `NoSchedule` taint `(key, value)`: only workloads that tolerate it (and select it) land here.
    pub taint: Option<(&'static str, &'static str)>,
    /// Root volume size.
    pub disk_gib: u64,
    /// GPU nodes (NVIDIA device plugin): the taint is `nvidia.com/gpu=true:NoSchedule`, tolerated
    /// with `operator: Exists`, and the pool is not the memory pool the sizing treats specially.
    pub gpu: bool,
}

/// A node.
#[derive(Debug, Clone)]
pub struct Node {
    /// `ip-10-0-12-34.ec2.internal`.
    pub name: String,
    /// Primary private IP.
    pub ip: [u8; 4],
    /// Index into [`super::catalog::ZONES`].
    pub zone: usize,
    /// EC2 instance type.
    pub itype: &'static InstanceType,
    /// Index into [`Cluster::pools`].
    pub pool: usize,
    /// `status.capacity.pods`.
    pub max_pods: u32,
    /// Allocatable CPU in millicores.
    pub alloc_cpu: u64,
    /// Allocatable memory in bytes.
    pub alloc_mem: u64,
    /// Creation time (epoch seconds).
    pub created: i64,
    /// Deliberately left nearly empty (only DaemonSet pods).
    pub idle: bool,
    /// Fraction of allocatable the placement aims to request.
    pub target: f64,
    /// Index used to derive this node's random identifiers.
    pub seq: u64,
    /// Physical NVIDIA GPUs (0 on CPU nodes).
    pub gpus: u32,
    /// Time-slicing replicas per physical GPU (1 without sharing): the node advertises
    /// `gpus × gpu_replicas` `nvidia.com/gpu`.
    pub gpu_replicas: u32,
}

/// Workload kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// apps/v1 Deployment (pods owned by a ReplicaSet).
    Deployment,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// apps/v1 DaemonSet.
    DaemonSet,
    /// batch/v1 CronJob (pods owned by its Jobs).
    CronJob,
    /// batch/v1 Job.
    Job,
    /// A pod without controller.
    Bare,
}

impl Kind {
    /// The kind as KRR names it.
    pub fn krr_name(self) -> &'static str {
        match self {
            Kind::Deployment => "Deployment",
            Kind::StatefulSet => "StatefulSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::CronJob => "CronJob",
            Kind::Job => "Job",
            Kind::Bare => "Pod",
        }
    }
}

/// A container's role in the pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// In `spec.containers`.
    Main,
    /// In `spec.initContainers`, runs to completion.
    Init,
    /// In `spec.initContainers` with `restartPolicy: Always` (a native sidecar).
    Native,
}

/// A container port.
#[derive(Debug, Clone)]
pub struct Port {
    /// Optional port name.
    pub name: Option<&'static str>,
    /// Port number.
    pub port: u16,
    /// `TCP` / `UDP`.
    pub proto: &'static str,
    /// Also bound on the host.
    pub host: bool,
}

/// Where an env var's value comes from.
#[derive(Debug, Clone)]
pub enum EnvVal {
    /// A literal value.
    Lit(String),
    /// `valueFrom.secretKeyRef`.
    Secret(String, &'static str),
    /// `valueFrom.fieldRef`.
    Field(&'static str),
    /// `valueFrom.resourceFieldRef` (resource, divisor).
    Resource(&'static str, &'static str),
}

/// An env var.
#[derive(Debug, Clone)]
pub struct Env {
    /// Name.
    pub name: String,
    /// Value.
    pub val: EnvVal,
}

/// What a probe does.
#[derive(Debug, Clone)]
pub enum ProbeAction {
    /// `httpGet` on a path and port.
    Http(&'static str, u16),
    /// `httpGet` with `scheme: HTTPS`.
    Https(&'static str, u16),
    /// `tcpSocket` on a port.
    Tcp(u16),
    /// `exec` a command.
    Exec(Vec<String>),
    /// `grpc` on a port.
    Grpc(u16),
}

/// A probe with its timings.
#[derive(Debug, Clone)]
pub struct Probe {
    /// Action.
    pub action: ProbeAction,
    /// `initialDelaySeconds` (omitted when 0).
    pub initial: i64,
    /// `periodSeconds`.
    pub period: i64,
    /// `timeoutSeconds`.
    pub timeout: i64,
    /// `failureThreshold`.
    pub failure: i64,
}

/// A volume mount.
#[derive(Debug, Clone)]
pub struct Mount {
    /// Volume name.
    pub name: String,
    /// Mount path.
    pub path: String,
    /// Read-only.
    pub ro: bool,
    /// Optional sub path.
    pub sub_path: Option<String>,
}

/// Container security settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sec {
    /// None set.
    None,
    /// Non-root, read-only root filesystem, all capabilities dropped.
    Restricted,
    /// Privileged (CNI, CSI, sysctl init containers).
    Privileged,
    /// `NET_ADMIN` + `NET_RAW` (istio-init).
    NetAdmin,
}

/// Requests and limits of a container, as spelled in the manifest.
#[derive(Debug, Clone, Default)]
pub struct Res {
    /// `requests.cpu`.
    pub req_cpu: Option<Qty>,
    /// `requests.memory`.
    pub req_mem: Option<Qty>,
    /// `limits.cpu`.
    pub lim_cpu: Option<Qty>,
    /// `limits.memory`.
    pub lim_mem: Option<Qty>,
    /// `nvidia.com/gpu` in both requests and limits (an extended resource: limit = request).
    pub gpu: u32,
}

impl Res {
    /// Requests as the scheduler sees them (a missing request defaults to the limit).
    pub fn effective(&self) -> (u64, u64) {
        let cpu = self
            .req_cpu
            .as_ref()
            .or(self.lim_cpu.as_ref())
            .map_or(0, |q| q.value);
        let mem = self
            .req_mem
            .as_ref()
            .or(self.lim_mem.as_ref())
            .map_or(0, |q| q.value);
        (cpu, mem)
    }

    /// Whether no CPU or memory is set (extended resources such as `nvidia.com/gpu` do not
    /// count for the QoS class).
    pub fn is_empty(&self) -> bool {
        self.req_cpu.is_none()
            && self.req_mem.is_none()
            && self.lim_cpu.is_none()
            && self.lim_mem.is_none()
    }
}

/// How an app container's requests and limits are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Requests only.
    ReqOnly,
    /// Requests, and a memory limit equal to the memory request.
    MemLimitEq,
    /// Requests and larger limits.
    ReqLimits,
    /// Limits equal to requests (Guaranteed).
    Guaranteed,
    /// Limits only (requests default to them).
    LimitsOnly,
    /// Nothing (BestEffort).
    None,
    /// A CPU request only.
    CpuOnly,
}

/// A container.
#[derive(Debug, Clone)]
pub struct Ctr {
    /// Name.
    pub name: String,
    /// Image reference as written in the spec.
    pub image: String,
    /// `command`.
    pub command: Vec<String>,
    /// `args`.
    pub args: Vec<String>,
    /// `ports`.
    pub ports: Vec<Port>,
    /// `env`.
    pub env: Vec<Env>,
    /// `envFrom`: `(true, name)` for a Secret, `(false, name)` for a ConfigMap.
    pub env_from: Vec<(bool, String)>,
    /// `livenessProbe`.
    pub liveness: Option<Probe>,
    /// `readinessProbe`.
    pub readiness: Option<Probe>,
    /// `startupProbe`.
    pub startup: Option<Probe>,
    /// `volumeMounts` (the service-account token mount is added per pod).
    pub mounts: Vec<Mount>,
    /// Resources (final, after sizing).
    pub res: Res,
    /// Main, init or native sidecar.
    pub role: Role,
    /// Security context.
    pub sec: Sec,
    /// Sized by the generator's scaling (app containers) rather than fixed.
    pub scalable: bool,
    /// Unscaled CPU request in millicores (scalable containers).
    pub raw_cpu: f64,
    /// Unscaled memory request in bytes (scalable containers).
    pub raw_mem: f64,
    /// How resources are written (scalable containers).
    pub pattern: Pattern,
}

/// A volume source.
#[derive(Debug, Clone)]
pub enum VolSrc {
    /// A ConfigMap.
    ConfigMap(String),
    /// A Secret.
    Secret(String),
    /// An emptyDir, optionally in memory / with a size limit.
    EmptyDir(Option<&'static str>, Option<&'static str>),
    /// A PVC from a StatefulSet claim template (`<template>-<pod>`).
    ClaimTemplate(String),
    /// A PVC by name.
    Pvc(String),
    /// A hostPath (path, type).
    HostPath(&'static str, &'static str),
    /// Istio's downward-API pod info.
    PodInfo,
    /// Istio's audience-bound service-account token.
    IstioToken,
}

/// A volume.
#[derive(Debug, Clone)]
pub struct Vol {
    /// Name.
    pub name: String,
    /// Source.
    pub src: VolSrc,
}

/// Which tolerations a pod carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tol {
    /// The two defaults the admission controller adds.
    Default,
    /// Everything (`operator: Exists`) plus the DaemonSet defaults.
    All,
    /// The defaults plus the pool taint.
    PoolTaint,
}

/// A workload (or, for bare pods, the pod's own template).
#[derive(Debug, Clone)]
pub struct Workload {
    /// Kind.
    pub kind: Kind,
    /// Name.
    pub name: String,
    /// Namespace.
    pub ns: String,
    /// What it runs (app workloads).
    pub profile: Option<Profile>,
    /// Pod labels (without per-pod ones such as `pod-template-hash`).
    pub labels: Vec<(String, String)>,
    /// Pod annotations from the template.
    pub annotations: Vec<(String, String)>,
    /// Regular containers.
    pub containers: Vec<Ctr>,
    /// Init containers and native sidecars.
    pub inits: Vec<Ctr>,
    /// Volumes (the service-account token volume is added per pod).
    pub volumes: Vec<Vol>,
    /// Pinned to this pool by nodeSelector.
    pub pool: Option<usize>,
    /// Tolerations.
    pub tol: Tol,
    /// `hostNetwork`.
    pub host_network: bool,
    /// Priority class name and value.
    pub priority: Option<(&'static str, i64)>,
    /// Service account.
    pub service_account: String,
    /// `dnsPolicy`.
    pub dns_policy: &'static str,
    /// `restartPolicy`.
    pub restart_policy: &'static str,
    /// `terminationGracePeriodSeconds`.
    pub grace: i64,
    /// Pod-level `runAsNonRoot` / `fsGroup`.
    pub pod_nonroot: bool,
    /// Preferred pod anti-affinity on hostname.
    pub anti_affinity: bool,
    /// `pod-template-hash` / `controller-revision-hash`.
    pub hash: String,
    /// UID of the owning ReplicaSet / StatefulSet / DaemonSet.
    pub owner_uid: String,
    /// Number of pods.
    pub replicas: u32,
    /// Deliberately over-provisioned.
    pub over: bool,
    /// Under-provisioned: restarts, OOM kills, KRR recommends more.
    pub under: bool,
    /// Has Istio sidecars.
    pub meshed: bool,
    /// An HPA scales it on CPU.
    pub hpa: bool,
    /// Requests more than any node has: stays Pending.
    pub huge: bool,
    /// Part of the platform (fixed sizes, not scaled).
    pub platform: bool,
    /// CronJob period in minutes.
    pub period_min: i64,
    /// Carries a `kubectl.kubernetes.io/last-applied-configuration` annotation.
    pub last_applied: bool,
    /// Index used to derive this workload's random values.
    pub seq: u64,
}

/// A pod's phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Running.
    Running,
    /// Completed successfully (Job pods).
    Succeeded,
    /// Failed (Job pods).
    Failed,
    /// Not scheduled.
    Pending,
}

/// A pod.
#[derive(Debug, Clone)]
pub struct Pod {
    /// Index into [`Cluster::workloads`].
    pub w: usize,
    /// Name.
    pub name: String,
    /// Replica ordinal within the workload.
    pub ordinal: u32,
    /// Index into [`Cluster::nodes`] when scheduled.
    pub node: Option<usize>,
    /// Phase.
    pub phase: Phase,
    /// Pod IP.
    pub ip: Option<[u8; 4]>,
    /// Creation time.
    pub created: i64,
    /// Owning Job `(name, uid)` for Job and CronJob pods.
    pub job: Option<(String, String)>,
    /// Container restarts (under-provisioned workloads).
    pub restarts: u32,
    /// Scheduler message for Pending pods.
    pub pending_msg: Option<String>,
    /// Index used to derive this pod's random values.
    pub seq: u64,
}

/// The whole plan.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Seed everything derives from.
    pub seed: u64,
    /// Cluster name (for KRR).
    pub name: String,
    /// Pools.
    pub pools: Vec<Pool>,
    /// Nodes, sorted by name.
    pub nodes: Vec<Node>,
    /// Workloads.
    pub workloads: Vec<Workload>,
    /// Pods, sorted by namespace and name.
    pub pods: Vec<Pod>,
}

/// The scheduler's view of a pod's request: `max(app + sidecars, init peak)` (KEP-753).
pub fn effective_request(w: &Workload) -> (u64, u64) {
    let mut app = (0u64, 0u64);
    for c in &w.containers {
        let (cpu, mem) = c.res.effective();
        app.0 += cpu;
        app.1 += mem;
    }
    let mut sidecars = (0u64, 0u64);
    let mut init_peak = (0u64, 0u64);
    for c in &w.inits {
        let (cpu, mem) = c.res.effective();
        if c.role == Role::Native {
            sidecars.0 += cpu;
            sidecars.1 += mem;
        } else {
            init_peak.0 = init_peak.0.max(cpu + sidecars.0);
            init_peak.1 = init_peak.1.max(mem + sidecars.1);
        }
    }
    (
        (app.0 + sidecars.0).max(init_peak.0),
        (app.1 + sidecars.1).max(init_peak.1),
    )
}

/// The pod's QoS class, computed as the API server does.
pub fn qos_class(w: &Workload) -> &'static str {
    let all = || w.containers.iter().chain(w.inits.iter());
    if all().all(|c| c.res.is_empty()) {
        return "BestEffort";
    }
    let guaranteed = all().all(|c| {
        let r = &c.res;
        match (&r.lim_cpu, &r.lim_mem) {
            (Some(lc), Some(lm)) => {
                r.req_cpu.as_ref().is_none_or(|q| q.value == lc.value)
                    && r.req_mem.as_ref().is_none_or(|q| q.value == lm.value)
            }
            _ => false,
        }
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}
