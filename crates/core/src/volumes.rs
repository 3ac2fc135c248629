//! Storage in the model: StorageClasses, PersistentVolumeClaims and PersistentVolumes, reduced
//! to what pricing them needs (size, class, provisioner and the class's disk parameters, where
//! the disk lives, who claims it).

use serde::Serialize;

/// The StorageClass parameters that decide a disk's price; no other parameter is kept.
pub const PRICED_PARAMETERS: &[&str] = &[
    "type",
    "iops",
    "iopsPerGB",
    "throughput",
    "replication-type",
    "provisioned-iops-on-create",
    "provisioned-throughput-on-create",
    "skuName",
    "skuname",
    "storageaccounttype",
    "storageAccountType",
    "DiskIOPSReadWrite",
    "DiskMBpsReadWrite",
    "diskIOPSReadWrite",
    "diskMBpsReadWrite",
];

/// A StorageClass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StorageClass {
    /// `metadata.name`.
    pub name: String,
    /// `provisioner` (`ebs.csi.aws.com`, `kubernetes.io/gce-pd`, `rancher.io/local-path`, …).
    pub provisioner: String,
    /// The [`PRICED_PARAMETERS`] it sets, in input order.
    pub parameters: Vec<(String, String)>,
    /// Annotated `storageclass.kubernetes.io/is-default-class: "true"`.
    pub default: bool,
}

impl StorageClass {
    /// The value of parameter `key` (one of [`PRICED_PARAMETERS`]), matched case-insensitively
    /// as the CSI drivers do.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// A PersistentVolumeClaim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `spec.storageClassName` (`None`: the default class; `""`: no class).
    pub storage_class: Option<String>,
    /// `spec.volumeName`, the PersistentVolume it is bound to.
    pub volume_name: Option<String>,
    /// `spec.resources.requests.storage`, bytes.
    pub requested_bytes: Option<i64>,
    /// `status.capacity.storage`, bytes.
    pub capacity_bytes: Option<i64>,
    /// `status.phase` (`Bound`, `Pending`, `Lost`).
    pub phase: Option<String>,
    /// The provisioner named by the `volume.kubernetes.io/storage-provisioner` annotation.
    pub provisioner: Option<String>,
}

/// How a PersistentVolume is backed, when it does not say through a StorageClass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VolumeSource {
    /// The CSI driver or in-tree plugin (`ebs.csi.aws.com`, `kubernetes.io/aws-ebs`,
    /// `kubernetes.io/gce-pd`, `kubernetes.io/azure-disk`, `local`, `hostPath`, `nfs`).
    pub driver: String,
    /// An in-tree Azure disk's `storageAccountType`.
    pub azure_sku: Option<String>,
}

/// A PersistentVolume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersistentVolume {
    /// `metadata.name`.
    pub name: String,
    /// `spec.storageClassName`.
    pub storage_class: Option<String>,
    /// `spec.capacity.storage`, bytes.
    pub capacity_bytes: Option<i64>,
    /// `spec.claimRef` as (namespace, name).
    pub claim: Option<(String, String)>,
    /// `status.phase` (`Available`, `Bound`, `Released`, `Failed`).
    pub phase: Option<String>,
    /// What backs it.
    pub source: Option<VolumeSource>,
    /// The zone from `spec.nodeAffinity` or the zone label.
    pub zone: Option<String>,
    /// The region label, when set.
    pub region: Option<String>,
    /// `spec.persistentVolumeReclaimPolicy`.
    pub reclaim_policy: Option<String>,
}
