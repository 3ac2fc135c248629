//! A raw `Node` object → [`Node`]: which cloud, instance type, region, zone, capacity type and
//! pool it is (the precedence of labels is in [`crate::nodes`]' documentation).

use crate::diagnostics::object_ref;
use crate::ingest::convert::{Ctx, Unit, mig_devices, quantity};
use crate::ingest::raw::{RawLabels, RawObject, RawResources, RawStatus, Text};
use crate::model::{CapacityType, Provider};
use crate::nodes::*;

const INSTANCE_TYPE: &[&str] = &[
    "node.kubernetes.io/instance-type",
    "beta.kubernetes.io/instance-type",
];
const REGION: &[&str] = &[
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/region",
];
const ZONE: &[&str] = &[
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
    "topology.gke.io/zone",
];
const ARCH: &[&str] = &["kubernetes.io/arch", "beta.kubernetes.io/arch"];
const OS: &[&str] = &["kubernetes.io/os", "beta.kubernetes.io/os"];
const NODE_POOL: &[&str] = &[
    "eks.amazonaws.com/nodegroup",
    "alpha.eksctl.io/nodegroup-name",
    "karpenter.sh/nodepool",
    "karpenter.sh/provisioner-name",
    "cloud.google.com/gke-nodepool",
    "kubernetes.azure.com/agentpool",
    "agentpool",
    "kops.k8s.io/instancegroup",
    "doks.digitalocean.com/node-pool",
    "k8s.scaleway.com/pool-name",
];
const GPU_MODEL: &[&str] = &[
    "cloud.google.com/gke-accelerator",
    "nvidia.com/gpu.product",
    "karpenter.k8s.aws/instance-gpu-name",
];

/// Label key prefixes that only one provider sets.
const PROVIDER_LABEL_PREFIXES: &[(&str, Provider)] = &[
    ("eks.amazonaws.com/", Provider::Aws),
    ("karpenter.k8s.aws/", Provider::Aws),
    ("alpha.eksctl.io/", Provider::Aws),
    ("k8s.io/cloud-provider-aws", Provider::Aws),
    ("topology.k8s.aws/", Provider::Aws),
    ("cloud.google.com/gke-", Provider::Gcp),
    ("topology.gke.io/", Provider::Gcp),
    ("kubernetes.azure.com/", Provider::Azure),
    ("doks.digitalocean.com/", Provider::Digitalocean),
    ("oci.oraclecloud.com/", Provider::Oracle),
    ("lke.linode.com/", Provider::Linode),
    ("k8s.scaleway.com/", Provider::Scaleway),
];

/// providerID prefixes.
const PROVIDER_ID_PREFIXES: &[(&str, Provider)] = &[
    ("aws://", Provider::Aws),
    ("gce://", Provider::Gcp),
    ("azure://", Provider::Azure),
    ("kind://", Provider::Kind),
    ("oci://", Provider::Oracle),
    ("ocid1.", Provider::Oracle),
    ("scaleway://", Provider::Scaleway),
    ("digitalocean://", Provider::Digitalocean),
    ("hcloud://", Provider::Hetzner),
    ("linode://", Provider::Linode),
    ("vsphere://", Provider::Vsphere),
    ("openstack://", Provider::Openstack),
];

/// Local or self-managed distributions recognisable by a label, for reasons.
fn local_distribution(labels: &RawLabels<'_>, name: &str) -> Option<&'static str> {
    if labels.any_key_starts_with("minikube.k8s.io/") || name == "minikube" {
        Some("minikube")
    } else if labels.has("microk8s.io/cluster") {
        Some("microk8s")
    } else if labels.has("kurl.sh/cluster") {
        Some("kURL")
    } else if labels.any_key_starts_with("k3s.io/")
        || labels.first_of(INSTANCE_TYPE).map(|(_, v)| v) == Some("k3s")
    {
        Some("k3s")
    } else {
        None
    }
}

fn scheme(provider_id: &str) -> &str {
    provider_id
        .find("://")
        .map_or(provider_id, |i| &provider_id[..i])
}

fn provider_of(
    name: &str,
    labels: &RawLabels<'_>,
    provider_id: Option<&str>,
    instance_type: Option<&str>,
) -> (Provider, Option<String>) {
    for (prefix, provider) in PROVIDER_LABEL_PREFIXES {
        if labels.any_key_starts_with(prefix) {
            return (*provider, None);
        }
    }
    if let Some(pid) = provider_id {
        let lower = pid.to_ascii_lowercase();
        for (prefix, provider) in PROVIDER_ID_PREFIXES {
            if lower.starts_with(prefix) {
                return (
                    *provider,
                    Some(format!("from providerID {}://…", scheme(pid))),
                );
            }
        }
    }
    if let Some(it) = instance_type {
        if it.starts_with("Standard_") || it.starts_with("Basic_") {
            return (
                Provider::Azure,
                Some(format!("inferred from the instance type name {it}")),
            );
        }
        if looks_like_aws_instance_type(it) {
            return (
                Provider::Aws,
                Some(format!("inferred from the instance type name {it}")),
            );
        }
        if looks_like_gcp_machine_type(it) {
            return (
                Provider::Gcp,
                Some(format!("inferred from the instance type name {it}")),
            );
        }
    }
    let why = match (provider_id, local_distribution(labels, name)) {
        (Some(pid), _) if !pid.is_empty() => {
            format!("unrecognised providerID scheme {}://", scheme(pid))
        }
        (_, Some(dist)) => format!("no providerID and no cloud labels: a {dist} node"),
        _ => "no providerID and no cloud labels".to_owned(),
    };
    (Provider::Unknown, Some(why))
}

/// `m5.large`, `c7g.2xlarge`, `u-6tb1.metal`.
fn looks_like_aws_instance_type(it: &str) -> bool {
    let Some((family, size)) = it.split_once('.') else {
        return false;
    };
    !family.is_empty()
        && !size.is_empty()
        && family.starts_with(|c: char| c.is_ascii_lowercase())
        && family.chars().any(|c| c.is_ascii_digit())
        && family
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && size
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// `n2-standard-4`, `e2-medium`, `c2-standard-16`.
fn looks_like_gcp_machine_type(it: &str) -> bool {
    const FAMILIES: &[&str] = &[
        "e2", "n1", "n2", "n2d", "n4", "c2", "c2d", "c3", "c3d", "c4", "c4a", "c4d", "t2a", "t2d",
        "m1", "m2", "m3", "m4", "a2", "a3", "g2", "h3", "z3",
    ];
    it.split_once('-').is_some_and(|(family, rest)| {
        FAMILIES.contains(&family) && !rest.is_empty() && !rest.contains('.')
    })
}

/// The zone inside an AWS (`aws:///us-east-1a/i-…`), GCE (`gce://project/us-central1-a/name`) or
/// Scaleway (`scaleway://instance/fr-par-1/id`) providerID.
fn zone_from_provider_id(provider_id: &str) -> Option<&str> {
    let lower = provider_id.to_ascii_lowercase();
    let parts: Vec<&str> = if lower.starts_with("aws://") {
        provider_id["aws://".len()..]
            .split('/')
            .filter(|s| !s.is_empty())
            .collect()
    } else if lower.starts_with("gce://") || lower.starts_with("scaleway://") {
        let rest = provider_id.split_once("://").map_or("", |(_, r)| r);
        rest.split('/').filter(|s| !s.is_empty()).collect()
    } else {
        return None;
    };
    // aws: [zone, instance]; gce: [project, zone, instance]; scaleway: [instance, zone, id].
    let zone = if lower.starts_with("aws://") {
        if parts.len() >= 2 {
            parts[0]
        } else {
            return None;
        }
    } else if parts.len() >= 3 {
        parts[1]
    } else {
        return None;
    };
    Some(zone).filter(|z| z.contains('-'))
}

fn capacity_type_of(
    labels: &RawLabels<'_>,
    provider: Provider,
    compute: ComputeType,
) -> (CapacityType, Option<String>) {
    if let Some(v) = labels.get("eks.amazonaws.com/capacityType") {
        match v.to_ascii_uppercase().as_str() {
            "ON_DEMAND" => return (CapacityType::OnDemand, None),
            "SPOT" => return (CapacityType::Spot, None),
            "CAPACITY_BLOCK" => return (CapacityType::Reserved, None),
            _ => {}
        }
    }
    if let Some(v) = labels.get("karpenter.sh/capacity-type") {
        match v.to_ascii_lowercase().as_str() {
            "on-demand" => return (CapacityType::OnDemand, None),
            "spot" => return (CapacityType::Spot, None),
            "reserved" => return (CapacityType::Reserved, None),
            _ => {}
        }
    }
    let is_true = |k: &str| {
        labels
            .get(k)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    if is_true("cloud.google.com/gke-spot") || is_true("cloud.google.com/gke-preemptible") {
        return (CapacityType::Spot, None);
    }
    match labels.get("cloud.google.com/gke-provisioning") {
        Some(v) if v.eq_ignore_ascii_case("spot") || v.eq_ignore_ascii_case("preemptible") => {
            return (CapacityType::Spot, None);
        }
        _ => {}
    }
    if labels
        .get("kubernetes.azure.com/scalesetpriority")
        .is_some_and(|v| v.eq_ignore_ascii_case("spot"))
    {
        return (CapacityType::Spot, None);
    }
    if labels
        .get("node.kubernetes.io/lifecycle")
        .is_some_and(|v| v.eq_ignore_ascii_case("spot"))
        || labels
            .get("lifecycle")
            .is_some_and(|v| v.eq_ignore_ascii_case("ec2spot") || v.eq_ignore_ascii_case("spot"))
        || is_true("aws.amazon.com/spot")
    {
        return (CapacityType::Spot, None);
    }
    if compute == ComputeType::Fargate {
        return (
            CapacityType::OnDemand,
            Some("Fargate pods run on on-demand capacity".to_owned()),
        );
    }
    if labels
        .get("cloud.google.com/gke-provisioning")
        .is_some_and(|v| v.eq_ignore_ascii_case("standard"))
    {
        return (CapacityType::OnDemand, None);
    }
    if labels.has("cloud.google.com/gke-nodepool") {
        return (
            CapacityType::OnDemand,
            Some("GKE node without a spot or preemptible label".to_owned()),
        );
    }
    if labels.has("kubernetes.azure.com/agentpool") || labels.has("kubernetes.azure.com/mode") {
        return (
            CapacityType::OnDemand,
            Some("AKS node without kubernetes.azure.com/scalesetpriority=spot".to_owned()),
        );
    }
    match provider {
        Provider::Digitalocean | Provider::Linode | Provider::Hetzner => (
            CapacityType::OnDemand,
            Some(format!("{} has no spot capacity", provider.as_str())),
        ),
        Provider::Kind => (
            CapacityType::Unknown,
            Some("a local kind cluster is not billed".to_owned()),
        ),
        _ => (
            CapacityType::Unknown,
            Some("no capacity-type label (eks.amazonaws.com/capacityType, karpenter.sh/capacity-type, ...)".to_owned()),
        ),
    }
}

fn normalise_arch(arch: &str) -> String {
    match arch {
        "x86_64" => "amd64".to_owned(),
        "aarch64" => "arm64".to_owned(),
        other => other.to_owned(),
    }
}

fn node_resources(
    raw: Option<&RawResources<'_>>,
    ctx: &mut Ctx<'_>,
    field: &str,
) -> Option<NodeResources> {
    let raw = raw?;
    if *raw == RawResources::default() {
        return None;
    }
    let q = |r, unit, ctx: &mut Ctx<'_>, name: &str| {
        quantity(r, unit, ctx, &|| format!("status.{field}.{name}")).unwrap_or(0)
    };
    Some(NodeResources {
        cpu_millis: q(raw.cpu.as_ref(), Unit::Cpu, ctx, "cpu"),
        memory_bytes: q(raw.memory.as_ref(), Unit::Bytes, ctx, "memory"),
        ephemeral_storage_bytes: q(
            raw.ephemeral_storage.as_ref(),
            Unit::Bytes,
            ctx,
            "ephemeral-storage",
        ),
        gpus: q(raw.nvidia_gpu.as_ref(), Unit::Count, ctx, "nvidia.com/gpu").saturating_add(q(
            raw.amd_gpu.as_ref(),
            Unit::Count,
            ctx,
            "amd.com/gpu",
        )),
        pods: q(raw.pods.as_ref(), Unit::Count, ctx, "pods"),
        mig_devices: mig_devices(raw, ctx, &|| format!("status.{field}")).unwrap_or(0),
    })
}

/// Builds a [`Node`] from its raw view; `None` (with a warning) when it has no name.
pub(crate) fn node_from_raw(
    obj: &RawObject<'_>,
    warnings: &mut Vec<crate::diagnostics::Warning>,
) -> Option<Node> {
    let name = obj.name_or_skip("Node", None, warnings)?;
    let mut ctx = Ctx {
        object: object_ref("Node", None, name),
        warnings,
    };
    let labels = obj.labels();
    let spec = obj.spec.as_deref();
    let status = obj.status.as_deref();
    let provider_id = spec
        .and_then(|s| s.provider_id.as_ref())
        .map(|t| t.as_str())
        .filter(|s| !s.is_empty());
    let mut reasons = NodeReasons::default();

    let compute_type = match labels.get("eks.amazonaws.com/compute-type") {
        Some(v) if v.eq_ignore_ascii_case("fargate") => ComputeType::Fargate,
        Some(v) if v.eq_ignore_ascii_case("auto") => ComputeType::EksAuto,
        _ => ComputeType::Standard,
    };

    let instance_type = labels.first_of(INSTANCE_TYPE).map(|(_, v)| v.to_owned());
    let (provider, provider_reason) =
        provider_of(name, labels, provider_id, instance_type.as_deref());
    reasons.provider = provider_reason;
    if instance_type.is_none() {
        reasons.instance_type = Some(no_instance_type(labels, name, provider, compute_type));
    }
    let (zone, region) = zone_and_region(labels, provider_id, provider, &mut reasons);

    let (capacity_type, capacity_reason) = capacity_type_of(labels, provider, compute_type);
    reasons.capacity_type = capacity_reason;

    let node_pool = labels.first_of(NODE_POOL).map(|(_, v)| v.to_owned());
    if node_pool.is_none() {
        reasons.node_pool = Some(if compute_type == ComputeType::Fargate {
            "Fargate nodes belong to a Fargate profile, not a node pool".to_owned()
        } else {
            "no node-pool label".to_owned()
        });
    }

    let (arch, os) = arch_and_os(labels, status);
    let (capacity, allocatable) = sizes(status, &mut ctx);
    let mut gpus = capacity.gpus.max(allocatable.gpus);
    if gpus == 0 {
        gpus = labels
            .get("nvidia.com/gpu.count")
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|n| (0..=ABSURD_NODE_GPUS).contains(n))
            .unwrap_or(0);
    }
    let gpu_model = labels.first_of(GPU_MODEL).map(|(_, v)| v.to_owned());
    let gpu_sharing = gpu_sharing(labels, &capacity, &allocatable);
    let kubelet_version = status
        .and_then(|s| s.node_info.as_ref())
        .and_then(|i| i.kubelet_version.as_ref())
        .map(Text::as_str)
        .filter(|v| !v.is_empty());
    let roles = roles(labels);
    let control_plane = roles.iter().any(|r| r == "control-plane" || r == "master");

    Some(Node {
        name: name.to_owned(),
        uid: obj.uid().map(str::to_owned),
        provider,
        instance_type,
        region,
        zone,
        capacity_type,
        node_pool,
        karpenter: labels
            .first_of(&["karpenter.sh/nodepool", "karpenter.sh/provisioner-name"])
            .is_some(),
        arch,
        os,
        compute_type,
        gpus,
        gpu_model,
        gpu_sharing,
        allocatable,
        capacity,
        control_plane,
        roles,
        created: obj.creation_timestamp().map(str::to_owned),
        reasons,
        kubelet_version: kubelet_version.map(str::to_owned),
        managed: managed_service(labels, kubelet_version),
        labels: super::scheduling::sorted_labels(labels),
        taints: super::scheduling::taints(spec),
        unschedulable: spec.and_then(|s| s.unschedulable).unwrap_or(false),
    })
}

/// The managed service a node belongs to: its labels, else its kubelet version's suffix
/// (`-eks-`, `-gke.`).
fn managed_service(labels: &RawLabels<'_>, kubelet: Option<&str>) -> Option<ManagedKubernetes> {
    let kubelet = kubelet.unwrap_or("");
    if labels.any_key_starts_with("eks.amazonaws.com/") || kubelet.contains("-eks-") {
        Some(ManagedKubernetes::Eks)
    } else if labels.has("cloud.google.com/gke-nodepool") || kubelet.contains("-gke.") {
        Some(ManagedKubernetes::Gke)
    } else if labels.any_key_starts_with("kubernetes.azure.com/") {
        Some(ManagedKubernetes::Aks)
    } else {
        None
    }
}

/// How the node's GPUs are shared (time-slicing replicas, MIG), from the GPU operator's labels
/// and the MIG resources in capacity.
fn gpu_sharing(
    labels: &RawLabels<'_>,
    capacity: &NodeResources,
    allocatable: &NodeResources,
) -> GpuSharing {
    let count = |key: &str| {
        labels
            .get(key)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|n| (1..=ABSURD_NODE_GPUS).contains(n))
    };
    let mig_single = labels
        .get("nvidia.com/mig.strategy")
        .is_some_and(|v| v.eq_ignore_ascii_case("single"))
        && labels
            .get("nvidia.com/gpu.product")
            .is_some_and(|p| p.to_ascii_uppercase().contains("MIG"));
    GpuSharing {
        replicas: count("nvidia.com/gpu.replicas").unwrap_or(1),
        count_label: count("nvidia.com/gpu.count"),
        mig_devices: capacity.mig_devices.max(allocatable.mig_devices),
        mig_single,
    }
}

/// Why a node has no instance type.
fn no_instance_type(
    labels: &RawLabels<'_>,
    name: &str,
    provider: Provider,
    compute_type: ComputeType,
) -> String {
    if compute_type == ComputeType::Fargate {
        "Fargate nodes have no instance type: each pod is billed by vCPU and memory".to_owned()
    } else if provider == Provider::Kind {
        "no instance-type label; providerID kind://… means a local kind cluster".to_owned()
    } else if let Some(dist) = local_distribution(labels, name) {
        format!("no instance-type label; a {dist} node has no cloud instance type")
    } else {
        "no instance-type label (node.kubernetes.io/instance-type)".to_owned()
    }
}

/// The node's zone (its label, else from the providerID) and region (its label, else derived
/// from the zone, else the plain `region` label), with the reasons for what is missing or
/// derived.
fn zone_and_region(
    labels: &RawLabels<'_>,
    provider_id: Option<&str>,
    provider: Provider,
    reasons: &mut NodeReasons,
) -> (Option<String>, Option<String>) {
    let mut zone = labels.first_of(ZONE).map(|(_, v)| v.to_owned());
    if zone.is_none() {
        if let Some(z) = provider_id.and_then(zone_from_provider_id) {
            zone = Some(z.to_owned());
            reasons.zone = Some("from providerID".to_owned());
        } else {
            reasons.zone = Some(if provider == Provider::Kind {
                "a local kind cluster has no zone".to_owned()
            } else {
                "no zone label (topology.kubernetes.io/zone)".to_owned()
            });
        }
    }
    let mut region = labels.first_of(REGION).map(|(_, v)| v.to_owned());
    if region.is_none() {
        if let Some(r) = zone.as_deref().and_then(|z| region_from_zone(provider, z)) {
            region = Some(r);
            reasons.region = Some("derived from the zone".to_owned());
        } else if let Some(r) = labels.get("region").filter(|r| !r.is_empty()) {
            region = Some(r.to_owned());
            reasons.region = Some("from the plain `region` label".to_owned());
        } else {
            reasons.region = Some(if provider == Provider::Kind {
                "a local kind cluster has no region".to_owned()
            } else {
                "no region label (topology.kubernetes.io/region) and no zone to derive it from"
                    .to_owned()
            });
        }
    }
    (zone, region)
}

/// The node's architecture (normalised) and operating system: its labels, else its nodeInfo.
fn arch_and_os(
    labels: &RawLabels<'_>,
    status: Option<&RawStatus<'_>>,
) -> (Option<String>, Option<String>) {
    let node_info = status.and_then(|s| s.node_info.as_ref());
    let arch = labels.first_of(ARCH).map(|(_, v)| v).or_else(|| {
        node_info
            .and_then(|n| n.architecture.as_ref())
            .map(|t| t.as_str())
    });
    let arch = arch.filter(|a| !a.is_empty()).map(normalise_arch);
    let os = labels
        .first_of(OS)
        .map(|(_, v)| v)
        .or_else(|| {
            node_info
                .and_then(|n| n.operating_system.as_ref())
                .map(|t| t.as_str())
        })
        .filter(|o| !o.is_empty())
        .map(str::to_owned);
    (arch, os)
}

/// The node's capacity and allocatable; either one stands in for the other that is missing
/// (with a warning when allocatable is), zero when both are.
fn sizes(status: Option<&RawStatus<'_>>, ctx: &mut Ctx<'_>) -> (NodeResources, NodeResources) {
    let capacity = node_resources(status.and_then(|s| s.capacity.as_ref()), ctx, "capacity");
    let allocatable = node_resources(
        status.and_then(|s| s.allocatable.as_ref()),
        ctx,
        "allocatable",
    );
    let allocatable = match (allocatable, capacity) {
        (Some(a), _) => a,
        (None, Some(c)) => {
            ctx.warn(
                "node_missing_allocatable",
                "the node has no status.allocatable; using its capacity instead".to_owned(),
            );
            c
        }
        (None, None) => {
            ctx.warn(
                "node_missing_capacity",
                "the node has neither status.allocatable nor status.capacity; its size is unknown"
                    .to_owned(),
            );
            NodeResources::default()
        }
    };
    (capacity.unwrap_or(allocatable), allocatable)
}

/// The node's roles (`node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`), sorted,
/// without repeats.
fn roles(labels: &RawLabels<'_>) -> Vec<String> {
    let mut roles: Vec<String> = labels
        .0
        .iter()
        .filter_map(|(k, _)| k.as_str().strip_prefix("node-role.kubernetes.io/"))
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(r) = labels.get("kubernetes.io/role").filter(|r| !r.is_empty()) {
        roles.push(r.to_owned());
    }
    roles.sort();
    roles.dedup();
    roles
}

const ABSURD_NODE_GPUS: i64 = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_id_zones() {
        assert_eq!(
            zone_from_provider_id("aws:///us-east-1a/i-0123"),
            Some("us-east-1a")
        );
        assert_eq!(
            zone_from_provider_id("gce://proj/us-west1-a/gke-x"),
            Some("us-west1-a")
        );
        assert_eq!(
            zone_from_provider_id("scaleway://instance/fr-par-1/abc"),
            Some("fr-par-1")
        );
        assert_eq!(zone_from_provider_id("aws:///i-0123"), None);
        assert_eq!(zone_from_provider_id("kind://docker/a/b"), None);
    }

    #[test]
    fn instance_type_shapes() {
        assert!(looks_like_aws_instance_type("m5.large"));
        assert!(looks_like_aws_instance_type("c7g.2xlarge"));
        assert!(looks_like_aws_instance_type("u-6tb1.metal"));
        assert!(!looks_like_aws_instance_type("k3s"));
        assert!(!looks_like_aws_instance_type("large.m5"));
        assert!(looks_like_gcp_machine_type("n2-standard-4"));
        assert!(looks_like_gcp_machine_type("e2-medium"));
        assert!(!looks_like_gcp_machine_type("s-2vcpu-4gb"));
    }
}
