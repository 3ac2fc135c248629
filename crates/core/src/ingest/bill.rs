//! Raw StorageClass, PersistentVolumeClaim, PersistentVolume, Service and Namespace objects →
//! the model ([`crate::volumes`], [`crate::services`]).

use crate::diagnostics::{Warning, object_ref};
use crate::ingest::convert::{Ctx, Unit, quantity};
use crate::ingest::raw::{RawObject, RawResources, Text};
use crate::services::LoadBalancerService;
use crate::volumes::{Claim, PRICED_PARAMETERS, PersistentVolume, StorageClass, VolumeSource};

/// Zone keys of a PersistentVolume's node affinity or labels (in-tree, CSI drivers).
const VOLUME_ZONE_KEYS: &[&str] = &[
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
    "topology.ebs.csi.aws.com/zone",
    "topology.gke.io/zone",
    "topology.disk.csi.azure.com/zone",
];

fn text(t: Option<&Text<'_>>) -> Option<String> {
    t.map(Text::to_owned_string).filter(|s| !s.is_empty())
}

fn annotation<'o>(obj: &'o RawObject<'_>, key: &str) -> Option<&'o str> {
    obj.metadata
        .as_deref()
        .and_then(|m| m.annotations.as_ref())
        .and_then(|a| a.get(key))
        .filter(|v| !v.is_empty())
}

fn storage_bytes(raw: Option<&RawResources<'_>>, ctx: &mut Ctx<'_>, field: &str) -> Option<i64> {
    quantity(raw?.storage.as_ref(), Unit::Bytes, ctx, &|| {
        format!("{field}.storage")
    })
}

/// A StorageClass; `None` (with a warning) without a name.
pub(crate) fn storage_class_from_raw(
    obj: &RawObject<'_>,
    warnings: &mut Vec<Warning>,
) -> Option<StorageClass> {
    let name = obj.name_or_skip("StorageClass", None, warnings)?;
    let fields = obj.bill.as_deref();
    let parameters = fields
        .and_then(|f| f.parameters.as_ref())
        .map(|p| {
            p.0.iter()
                .filter(|(k, _)| PRICED_PARAMETERS.contains(&k.as_str()))
                .map(|(k, v)| (k.to_owned_string(), v.to_owned_string()))
                .collect()
        })
        .unwrap_or_default();
    let default = [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ]
    .iter()
    .any(|k| annotation(obj, k) == Some("true"));
    Some(StorageClass {
        name: name.to_owned(),
        provisioner: fields
            .and_then(|f| text(f.provisioner.as_ref()))
            .unwrap_or_default(),
        parameters,
        default,
    })
}

/// A PersistentVolumeClaim; `None` (with a warning) without a name.
pub(crate) fn claim_from_raw(obj: &RawObject<'_>, warnings: &mut Vec<Warning>) -> Option<Claim> {
    let (namespace, name) = obj.namespace_and_name("PersistentVolumeClaim", warnings)?;
    let mut ctx = Ctx {
        object: object_ref("PersistentVolumeClaim", Some(namespace), name),
        warnings,
    };
    let spec = obj.bill.as_deref();
    let status = obj.status.as_deref();
    let requested_bytes = storage_bytes(
        spec.and_then(|s| s.resources.as_ref())
            .and_then(|r| r.requests.as_ref()),
        &mut ctx,
        "spec.resources.requests",
    );
    let capacity_bytes = storage_bytes(
        status.and_then(|s| s.capacity.as_ref()),
        &mut ctx,
        "status.capacity",
    );
    Some(Claim {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        storage_class: spec
            .and_then(|s| s.storage_class_name.as_ref())
            .map(Text::to_owned_string),
        volume_name: spec.and_then(|s| text(s.volume_name.as_ref())),
        requested_bytes,
        capacity_bytes,
        phase: status.and_then(|s| text(s.phase.as_ref())),
        provisioner: [
            "volume.kubernetes.io/storage-provisioner",
            "volume.beta.kubernetes.io/storage-provisioner",
        ]
        .iter()
        .find_map(|k| annotation(obj, k))
        .map(str::to_owned),
    })
}

/// What backs a PersistentVolume: its CSI driver, else its in-tree plugin.
fn volume_source(obj: &RawObject<'_>) -> Option<VolumeSource> {
    let spec = obj.bill.as_deref()?;
    let plain = |driver: &str| {
        Some(VolumeSource {
            driver: driver.to_owned(),
            azure_sku: None,
        })
    };
    if let Some(driver) = spec.csi.as_ref().and_then(|c| text(c.driver.as_ref())) {
        return Some(VolumeSource {
            driver,
            azure_sku: None,
        });
    }
    if spec.aws_elastic_block_store.is_some() {
        return plain("kubernetes.io/aws-ebs");
    }
    if spec.gce_persistent_disk.is_some() {
        return plain("kubernetes.io/gce-pd");
    }
    if let Some(disk) = &spec.azure_disk {
        return Some(VolumeSource {
            driver: "kubernetes.io/azure-disk".to_owned(),
            azure_sku: text(disk.storage_account_type.as_ref()),
        });
    }
    if spec.local.is_some() {
        return plain("local");
    }
    if spec.host_path.is_some() {
        return plain("hostPath");
    }
    if spec.nfs.is_some() {
        return plain("nfs");
    }
    annotation(obj, "pv.kubernetes.io/provisioned-by").and_then(plain)
}

/// A PersistentVolume; `None` (with a warning) without a name.
pub(crate) fn volume_from_raw(
    obj: &RawObject<'_>,
    warnings: &mut Vec<Warning>,
) -> Option<PersistentVolume> {
    let name = obj.name_or_skip("PersistentVolume", None, warnings)?;
    let mut ctx = Ctx {
        object: object_ref("PersistentVolume", None, name),
        warnings,
    };
    let spec = obj.bill.as_deref();
    let capacity_bytes = storage_bytes(
        spec.and_then(|s| s.capacity.as_ref()),
        &mut ctx,
        "spec.capacity",
    );
    let claim = spec.and_then(|s| s.claim_ref.as_ref()).and_then(|c| {
        let name = text(c.name.as_ref())?;
        Some((
            text(c.namespace.as_ref()).unwrap_or_else(|| "default".to_owned()),
            name,
        ))
    });
    let labels = obj.labels();
    let zone = spec
        .and_then(|s| s.node_affinity.as_ref())
        .and_then(|a| a.values_of(VOLUME_ZONE_KEYS))
        .and_then(|v| v.first())
        .map(Text::to_owned_string)
        .or_else(|| labels.first_of(VOLUME_ZONE_KEYS).map(|(_, v)| v.to_owned()))
        .filter(|z| !z.is_empty());
    let region = labels
        .first_of(&[
            "topology.kubernetes.io/region",
            "failure-domain.beta.kubernetes.io/region",
        ])
        .map(|(_, v)| v.to_owned());
    Some(PersistentVolume {
        name: name.to_owned(),
        storage_class: spec.and_then(|s| text(s.storage_class_name.as_ref())),
        capacity_bytes,
        claim,
        phase: obj.status.as_deref().and_then(|s| text(s.phase.as_ref())),
        source: volume_source(obj),
        zone,
        region,
        reclaim_policy: spec.and_then(|s| text(s.reclaim_policy.as_ref())),
    })
}

/// A Service of type LoadBalancer; `None` for other types (and, with a warning, without a name).
pub(crate) fn load_balancer_from_raw(
    obj: &RawObject<'_>,
    warnings: &mut Vec<Warning>,
) -> Option<LoadBalancerService> {
    let spec = obj.bill.as_deref()?;
    if spec.service_type.as_ref().map(Text::as_str) != Some("LoadBalancer") {
        return None;
    }
    let (namespace, name) = obj.namespace_and_name("Service", warnings)?;
    let internal = annotation(obj, "service.beta.kubernetes.io/aws-load-balancer-internal")
        .is_some_and(|v| v == "true" || v == "0.0.0.0/0")
        || annotation(obj, "service.beta.kubernetes.io/aws-load-balancer-scheme")
            == Some("internal")
        || annotation(obj, "networking.gke.io/load-balancer-type") == Some("Internal")
        || annotation(obj, "cloud.google.com/load-balancer-type") == Some("Internal")
        || annotation(
            obj,
            "service.beta.kubernetes.io/azure-load-balancer-internal",
        ) == Some("true");
    let mut selector: Vec<(String, String)> = spec
        .selector
        .as_ref()
        .map(|s| {
            s.0.iter()
                .map(|(k, v)| (k.to_owned_string(), v.to_owned_string()))
                .collect()
        })
        .unwrap_or_default();
    selector.sort();
    Some(LoadBalancerService {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        aws_type: annotation(obj, "service.beta.kubernetes.io/aws-load-balancer-type")
            .map(str::to_owned),
        load_balancer_class: text(spec.load_balancer_class.as_ref()),
        internal,
        ports: spec.ports.as_ref().map_or(0, Vec::len),
        selector,
        provisioned: obj
            .status
            .as_deref()
            .and_then(|s| s.load_balancer.as_ref())
            .and_then(|l| l.ingress.as_ref())
            .is_some_and(|i| !i.is_empty()),
    })
}
