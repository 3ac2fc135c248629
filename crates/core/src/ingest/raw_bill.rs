//! Borrowed serde views of the kinds behind the rest of the bill: PersistentVolumeClaims,
//! PersistentVolumes, StorageClasses, Services and Namespaces, and the pod fields that tie pods
//! to them (volumes, labels for Service selectors).
//!
//! Same rules as [`super::raw`]: borrowed strings capped as they are read, unknown fields skipped
//! without allocating, and annotations read only for the few keys that say what a load
//! balancer or a storage class is ([`KEPT_ANNOTATIONS`]) — every other annotation value is
//! skipped unread, since annotations can hold secrets.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::raw::{RawLabels, Text};

/// The annotation keys the ingest reads (on every object); every other annotation is skipped
/// unread.
pub(crate) const KEPT_ANNOTATIONS: &[&str] = &[
    "service.beta.kubernetes.io/aws-load-balancer-type",
    "service.beta.kubernetes.io/aws-load-balancer-internal",
    "service.beta.kubernetes.io/aws-load-balancer-scheme",
    "networking.gke.io/load-balancer-type",
    "cloud.google.com/load-balancer-type",
    "service.beta.kubernetes.io/azure-load-balancer-internal",
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
    "pv.kubernetes.io/provisioned-by",
    "volume.kubernetes.io/storage-provisioner",
    "volume.beta.kubernetes.io/storage-provisioner",
    // Whether an autoscaler may move a pod (re-packing, docs/cost-model.md §11).
    "cluster-autoscaler.kubernetes.io/safe-to-evict",
    "karpenter.sh/do-not-disrupt",
    "karpenter.sh/do-not-evict",
];

/// The annotations of [`KEPT_ANNOTATIONS`] that an object has, as `(key, value)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawAnnotations<'a>(pub Vec<(&'static str, Text<'a>)>);

impl RawAnnotations<'_> {
    /// The value of annotation `key` (one of [`KEPT_ANNOTATIONS`]).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
}

struct AnnotationsVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for AnnotationsVisitor<'a> {
    type Value = RawAnnotations<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of annotations")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawAnnotations<'a>, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<Text<'de>>()? {
            match KEPT_ANNOTATIONS.iter().find(|k| **k == key.as_str()) {
                Some(k) => {
                    if let Some(v) = map.next_value::<Option<Text<'a>>>()? {
                        out.push((*k, v));
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(RawAnnotations(out))
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawAnnotations<'a>, E> {
        Ok(RawAnnotations::default())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawAnnotations<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AnnotationsVisitor(PhantomData))
    }
}

/// A field that is only checked for presence; its content is skipped unread.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Present;

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(deserializer).map(|_| Present)
    }
}

/// A Service's `spec.selector` (a map of strings). The same `spec.selector` key of a
/// Deployment, Job or DaemonSet holds `matchLabels`/`matchExpressions` maps: entries whose value
/// is not a string are skipped, so those objects read as an empty selector.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawSelector<'a>(pub Vec<(Text<'a>, Text<'a>)>);

/// A string, or nothing for any other value (skipped unread).
struct MaybeText<'a>(Option<Text<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for MaybeText<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = MaybeText<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a label value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<MaybeText<'a>, E> {
                Ok(MaybeText(Some(Text(crate::limits::cap(v)))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MaybeText<'a>, E> {
                Ok(MaybeText(Some(Text(std::borrow::Cow::Owned(
                    crate::limits::cap(v).into_owned(),
                )))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<MaybeText<'a>, E> {
                Ok(MaybeText(Some(Text(std::borrow::Cow::Owned(
                    crate::limits::cap_string(v),
                )))))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<MaybeText<'a>, E> {
                Ok(MaybeText(Some(Text(std::borrow::Cow::Borrowed(if v {
                    "true"
                } else {
                    "false"
                })))))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MaybeText<'a>, E> {
                Ok(MaybeText(Some(Text(std::borrow::Cow::Owned(
                    v.to_string(),
                )))))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MaybeText<'a>, E> {
                Ok(MaybeText(Some(Text(std::borrow::Cow::Owned(
                    v.to_string(),
                )))))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<MaybeText<'a>, E> {
                Ok(MaybeText(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MaybeText<'a>, E> {
                Ok(MaybeText(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeText<'a>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeText(None))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<MaybeText<'a>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeText(None))
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawSelector<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawSelector<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a selector")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawSelector<'a>, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Text<'a>>()? {
                    if let MaybeText(Some(v)) = map.next_value::<MaybeText<'a>>()? {
                        out.push((k, v));
                    }
                }
                Ok(RawSelector(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawSelector<'a>, E> {
                Ok(RawSelector::default())
            }
        }
        deserializer.deserialize_map(V(PhantomData))
    }
}

/// `persistentVolumeClaim` of a pod volume.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawClaimSource<'a> {
    #[serde(borrow, default, rename = "claimName")]
    pub claim_name: Option<Text<'a>>,
}

/// A pod's `spec.volumes[]`: the claims it mounts, and whether it is node-local (`emptyDir`,
/// `hostPath`); the rest is skipped.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawVolume<'a> {
    #[serde(default, rename = "emptyDir")]
    pub empty_dir: Option<Present>,
    #[serde(default, rename = "hostPath")]
    pub host_path: Option<Present>,
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    #[serde(borrow, default, rename = "persistentVolumeClaim")]
    pub persistent_volume_claim: Option<RawClaimSource<'a>>,
    /// A generic ephemeral volume: its claim is named `<pod>-<volume>`.
    #[serde(default)]
    pub ephemeral: Option<Present>,
}

/// A PersistentVolume's `spec.claimRef`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawClaimRef<'a> {
    #[serde(borrow, default)]
    pub namespace: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
}

/// A PersistentVolume's `spec.csi` (only the driver).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawCsi<'a> {
    #[serde(borrow, default)]
    pub driver: Option<Text<'a>>,
}

/// An in-tree `spec.azureDisk` (only its kind and storage account type).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawAzureDisk<'a> {
    #[serde(borrow, default)]
    pub kind: Option<Text<'a>>,
    #[serde(borrow, default, rename = "storageAccountType")]
    pub storage_account_type: Option<Text<'a>>,
}

/// A node selector requirement (`key`, `values`) of a PersistentVolume's node affinity.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawRequirement<'a> {
    #[serde(borrow, default)]
    pub key: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub values: Option<Vec<Text<'a>>>,
}

/// A node selector term.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawTerm<'a> {
    #[serde(borrow, default, rename = "matchExpressions")]
    pub match_expressions: Option<Vec<RawRequirement<'a>>>,
}

/// `required` of a PersistentVolume's `spec.nodeAffinity`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawRequired<'a> {
    #[serde(borrow, default, rename = "nodeSelectorTerms")]
    pub node_selector_terms: Option<Vec<RawTerm<'a>>>,
}

/// A PersistentVolume's `spec.nodeAffinity` (where the disk lives).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawVolumeAffinity<'a> {
    #[serde(borrow, default)]
    pub required: Option<RawRequired<'a>>,
}

impl RawVolumeAffinity<'_> {
    /// The values of the first requirement whose key is one of `keys`.
    pub fn values_of(&self, keys: &[&str]) -> Option<&[Text<'_>]> {
        let terms = self.required.as_ref()?.node_selector_terms.as_ref()?;
        terms
            .iter()
            .flat_map(|t| t.match_expressions.iter().flatten())
            .find(|r| r.key.as_ref().is_some_and(|k| keys.contains(&k.as_str())))
            .and_then(|r| r.values.as_deref())
    }
}

/// A Service's `status.loadBalancer`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawLoadBalancerStatus {
    #[serde(default)]
    pub ingress: Option<Vec<Present>>,
}

/// The `spec` of a PersistentVolumeClaim, PersistentVolume or Service (the fields the bill
/// reads), plus a StorageClass's top-level fields (set by the walker, not from `spec`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawBill<'a> {
    // PersistentVolumeClaim, PersistentVolume
    #[serde(borrow, default, rename = "storageClassName")]
    pub storage_class_name: Option<Text<'a>>,
    // PersistentVolumeClaim
    #[serde(borrow, default, rename = "volumeName")]
    pub volume_name: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub resources: Option<super::raw::RawRequirements<'a>>,
    // PersistentVolume
    #[serde(borrow, default)]
    pub capacity: Option<super::raw::RawResources<'a>>,
    #[serde(borrow, default, rename = "claimRef")]
    pub claim_ref: Option<RawClaimRef<'a>>,
    #[serde(borrow, default, rename = "persistentVolumeReclaimPolicy")]
    pub reclaim_policy: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub csi: Option<RawCsi<'a>>,
    #[serde(default, rename = "awsElasticBlockStore")]
    pub aws_elastic_block_store: Option<Present>,
    #[serde(default, rename = "gcePersistentDisk")]
    pub gce_persistent_disk: Option<Present>,
    #[serde(borrow, default, rename = "azureDisk")]
    pub azure_disk: Option<RawAzureDisk<'a>>,
    #[serde(default)]
    pub local: Option<Present>,
    #[serde(default, rename = "hostPath")]
    pub host_path: Option<Present>,
    #[serde(default)]
    pub nfs: Option<Present>,
    #[serde(borrow, default, rename = "nodeAffinity")]
    pub node_affinity: Option<RawVolumeAffinity<'a>>,
    // Service
    #[serde(borrow, default, rename = "type")]
    pub service_type: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub selector: Option<RawSelector<'a>>,
    #[serde(default)]
    pub ports: Option<Vec<Present>>,
    #[serde(borrow, default, rename = "loadBalancerClass")]
    pub load_balancer_class: Option<Text<'a>>,
    // StorageClass (top level)
    #[serde(skip)]
    pub provisioner: Option<Text<'a>>,
    #[serde(skip)]
    pub parameters: Option<RawLabels<'a>>,
}

/// The kinds whose `spec` is read as a [`RawBill`].
pub(crate) const BILL_SPEC_KINDS: &[&str] =
    &["PersistentVolumeClaim", "PersistentVolume", "Service"];

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Meta<'a> {
        #[serde(borrow)]
        annotations: RawAnnotations<'a>,
        #[serde(borrow)]
        selector: RawSelector<'a>,
    }

    #[test]
    fn only_kept_annotations_are_read_and_selectors_tolerate_label_selectors() {
        let json = r#"{"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"secret\": 1}",
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb"},
            "selector": {"app": "web", "matchLabels": {"app": "web"}, "tier": 3}}"#;
        let m: Meta<'_> = serde_json::from_str(json).unwrap();
        assert_eq!(m.annotations.0.len(), 1);
        assert_eq!(
            m.annotations
                .get("service.beta.kubernetes.io/aws-load-balancer-type"),
            Some("nlb")
        );
        let sel: Vec<(&str, &str)> = m
            .selector
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(sel, [("app", "web"), ("tier", "3")]);
    }
}
