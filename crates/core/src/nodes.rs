//! Node mapping: which cloud, instance type, region, zone, capacity type and pool a node is.
//!
//! Labels are read in the precedence of the reference (first found wins); `spec.providerID` is a
//! fallback for the provider and, on AWS, GCE and Scaleway, for the zone. Whatever cannot be
//! determined is left unset with a reason in [`Node::reasons`].

use serde::Serialize;

use crate::model::{CapacityType, Provider};

/// How a node's compute is provided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComputeType {
    /// An ordinary VM or machine.
    #[default]
    Standard,
    /// An EKS Fargate node: one per pod, billed per vCPU and GB, no instance type.
    Fargate,
    /// An EKS Auto Mode node (`eks.amazonaws.com/compute-type=auto`).
    EksAuto,
}

/// Allocatable or capacity amounts of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct NodeResources {
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
    /// Maximum number of pods.
    pub pods: i64,
}

/// How a node's GPUs are shared, as the NVIDIA GPU operator labels them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct GpuSharing {
    /// `nvidia.com/gpu.replicas` (time-slicing): each physical GPU is advertised as this many
    /// `nvidia.com/gpu`; 1 when absent or not an integer from 1 to 1024.
    pub replicas: i64,
    /// `nvidia.com/gpu.count` (GPU feature discovery: the physical GPUs, or under MIG's
    /// single strategy the MIG devices), when labelled with an integer from 1 to 1024.
    pub count_label: Option<i64>,
    /// MIG slices in capacity (Σ `nvidia.com/mig-<profile>`, MIG's mixed strategy).
    pub mig_devices: i64,
    /// True when `nvidia.com/gpu` itself counts MIG slices: `nvidia.com/mig.strategy=single`
    /// with a MIG product (`nvidia.com/gpu.product` containing `MIG`).
    pub mig_single: bool,
}

impl GpuSharing {
    /// True when the node has MIG slices (either strategy).
    pub fn mig(&self) -> bool {
        self.mig_devices > 0 || self.mig_single
    }
}

/// Why a mapped field is unknown (or how it was inferred), per field. `None` when the field was
/// read directly from a label.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NodeReasons {
    /// About [`Node::provider`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// About [`Node::instance_type`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    /// About [`Node::region`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// About [`Node::zone`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// About [`Node::capacity_type`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_type: Option<String>,
    /// About [`Node::node_pool`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_pool: Option<String>,
}

/// A node, mapped to what it costs to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.uid`.
    pub uid: Option<String>,
    /// The cloud or local distribution.
    pub provider: Provider,
    /// Instance type (`m5.large`, `n2-standard-4`, `Standard_D4s_v5`).
    pub instance_type: Option<String>,
    /// Region (`us-east-1`, `us-central1`, `eastus`).
    pub region: Option<String>,
    /// Zone (`us-east-1a`, `us-central1-a`, `eastus-1`).
    pub zone: Option<String>,
    /// On-demand, spot, reserved or unknown.
    pub capacity_type: CapacityType,
    /// Node group / node pool / agent pool / Karpenter NodePool.
    pub node_pool: Option<String>,
    /// Provisioned by Karpenter (`karpenter.sh/nodepool` or `karpenter.sh/provisioner-name`
    /// label), whose consolidation moves pods with local storage.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub karpenter: bool,
    /// CPU architecture (`amd64`, `arm64`).
    pub arch: Option<String>,
    /// Operating system (`linux`, `windows`).
    pub os: Option<String>,
    /// Standard, Fargate or EKS Auto.
    pub compute_type: ComputeType,
    /// GPUs in capacity (or from `nvidia.com/gpu.count` when capacity has none).
    pub gpus: i64,
    /// GPU model (`nvidia-tesla-t4`, `NVIDIA-A10G`) when labelled.
    pub gpu_model: Option<String>,
    /// How GPUs are shared (time-slicing, MIG), from labels and capacity.
    pub gpu_sharing: GpuSharing,
    /// What pods can request (`status.allocatable`, or capacity when missing).
    pub allocatable: NodeResources,
    /// The machine's size (`status.capacity`).
    pub capacity: NodeResources,
    /// True for control-plane (master) nodes.
    pub control_plane: bool,
    /// Roles from `node-role.kubernetes.io/<role>` and `kubernetes.io/role` labels, sorted.
    pub roles: Vec<String>,
    /// `metadata.creationTimestamp` as written.
    pub created: Option<String>,
    /// Why fields are unknown or how they were inferred.
    pub reasons: NodeReasons,
    /// `status.nodeInfo.kubeletVersion` (`v1.29.3-eks-ae9a62a`).
    pub kubelet_version: Option<String>,
    /// The managed Kubernetes service the node belongs to, from its labels or kubelet version.
    pub managed: Option<ManagedKubernetes>,
    /// All its labels, sorted by key (for node selectors and affinity).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<(String, String)>,
    /// `spec.taints`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<crate::scheduling::Taint>,
    /// `spec.unschedulable` (cordoned).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unschedulable: bool,
}

/// A managed Kubernetes service (its control plane is billed on its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ManagedKubernetes {
    /// Amazon EKS.
    Eks,
    /// Google GKE.
    Gke,
    /// Azure AKS.
    Aks,
}

impl ManagedKubernetes {
    /// `EKS`, `GKE`, `AKS`.
    pub fn as_str(self) -> &'static str {
        match self {
            ManagedKubernetes::Eks => "EKS",
            ManagedKubernetes::Gke => "GKE",
            ManagedKubernetes::Aks => "AKS",
        }
    }
}

/// Derives the region from a zone: AWS `us-east-1a` → `us-east-1` (also local zones
/// `us-east-1-bos-1a` → `us-east-1`), GCP `us-central1-a` → `us-central1`, AKS `eastus-1` →
/// `eastus`, Scaleway `fr-par-1` → `fr-par`.
pub fn region_from_zone(provider: Provider, zone: &str) -> Option<String> {
    let segments: Vec<&str> = zone.split('-').collect();
    if segments.len() < 2 || segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let aws = || -> Option<String> {
        // letters segments, then a segment starting with digits: keep the digits.
        let i = segments
            .iter()
            .position(|s| s.starts_with(|c: char| c.is_ascii_digit()))?;
        if i < 2
            || !segments[..i]
                .iter()
                .all(|s| s.chars().all(|c| c.is_ascii_lowercase()))
        {
            return None;
        }
        let digits: String = segments[i]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some(format!("{}-{digits}", segments[..i].join("-")))
    };
    let last = segments[segments.len() - 1];
    let head = zone.rsplit_once('-').map(|(h, _)| h.to_owned());
    match provider {
        Provider::Aws => aws(),
        Provider::Gcp => head.filter(|_| last.chars().all(|c| c.is_ascii_lowercase())),
        Provider::Azure | Provider::Scaleway => {
            head.filter(|_| last.chars().all(|c| c.is_ascii_digit()))
        }
        _ => {
            let aws_like = last.len() >= 2
                && last.starts_with(|c: char| c.is_ascii_digit())
                && last.ends_with(|c: char| c.is_ascii_lowercase());
            if aws_like {
                aws()
            } else if last.chars().all(|c| c.is_ascii_digit())
                || (last.len() == 1 && last.chars().all(|c| c.is_ascii_lowercase()))
            {
                head
            } else {
                None
            }
        }
    }
}

fn capacity_words(c: CapacityType) -> &'static str {
    match c {
        CapacityType::OnDemand => "on-demand",
        CapacityType::Spot => "spot",
        CapacityType::Reserved => "reserved",
        CapacityType::Unknown => "unknown capacity type",
    }
}

/// One diagnostic line about how a node was mapped, e.g.
/// `Node ip-10-0-1-23.ec2.internal is instance type m5.large in us-east-1/us-east-1a (spot, pool ng-general)`.
///
/// Unknown parts are said so, followed by the reasons:
/// `Node kind-control-plane has no known instance type, in an unknown region (unknown capacity
/// type): no instance-type label; providerID kind://… means a local kind cluster`.
pub fn describe(node: &Node) -> String {
    let mut out = format!("Node {} ", node.name);
    match (&node.instance_type, node.compute_type) {
        (Some(it), _) => {
            out.push_str("is instance type ");
            out.push_str(it);
        }
        (None, ComputeType::Fargate) => out.push_str("is a Fargate node"),
        (None, _) => out.push_str("has no known instance type,"),
    }
    match (&node.region, &node.zone) {
        (Some(r), Some(z)) => out.push_str(&format!(" in {r}/{z}")),
        (Some(r), None) => out.push_str(&format!(" in {r}")),
        (None, Some(z)) => out.push_str(&format!(" in zone {z}")),
        (None, None) => out.push_str(" in an unknown region"),
    }
    let mut parts = vec![capacity_words(node.capacity_type).to_owned()];
    if let Some(pool) = &node.node_pool {
        parts.push(format!("pool {pool}"));
    }
    if node.compute_type == ComputeType::EksAuto {
        parts.push("EKS Auto".to_owned());
    }
    out.push_str(&format!(" ({})", parts.join(", ")));
    let mut why = Vec::new();
    if node.instance_type.is_none() {
        why.extend(node.reasons.instance_type.iter().cloned());
    } else if node.region.is_none() {
        why.extend(node.reasons.region.iter().cloned());
    }
    if node.provider == Provider::Unknown
        && node
            .reasons
            .instance_type
            .as_deref()
            .is_none_or(|r| !r.contains(" node "))
    {
        why.extend(node.reasons.provider.iter().cloned());
    }
    if !why.is_empty() {
        out.push_str(": ");
        out.push_str(&why.join("; "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_from_zones() {
        assert_eq!(
            region_from_zone(Provider::Aws, "us-east-1a").as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            region_from_zone(Provider::Aws, "us-gov-west-1b").as_deref(),
            Some("us-gov-west-1")
        );
        assert_eq!(
            region_from_zone(Provider::Aws, "us-east-1-bos-1a").as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            region_from_zone(Provider::Gcp, "us-central1-a").as_deref(),
            Some("us-central1")
        );
        assert_eq!(
            region_from_zone(Provider::Azure, "eastus-1").as_deref(),
            Some("eastus")
        );
        assert_eq!(region_from_zone(Provider::Azure, "0"), None);
        assert_eq!(
            region_from_zone(Provider::Scaleway, "fr-par-1").as_deref(),
            Some("fr-par")
        );
        assert_eq!(
            region_from_zone(Provider::Unknown, "eu-west-1b").as_deref(),
            Some("eu-west-1")
        );
        assert_eq!(
            region_from_zone(Provider::Unknown, "europe-west4-b").as_deref(),
            Some("europe-west4")
        );
        assert_eq!(region_from_zone(Provider::Unknown, "weird"), None);
        assert_eq!(region_from_zone(Provider::Aws, "--"), None);
    }
}
