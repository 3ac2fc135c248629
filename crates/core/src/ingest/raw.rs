//! Borrowed serde views of Kubernetes objects.
//!
//! Every struct here borrows its strings from the input (`Cow::Borrowed` unless the text had
//! escapes) and declares only the fields the analysis reads: serde skips every other field
//! (annotations, `env`, `managedFields`, images, ...) without allocating. Objects are converted to
//! the owned model right after they are read, so at most one raw object lives at a time (plus
//! list items whose kind is not known yet, see [`super::walk`]).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::diagnostics::{Warning, object_ref};
use crate::limits;
use crate::pods::OwnerRef;

use super::raw_bill::{RawAnnotations, RawBill, RawLoadBalancerStatus, RawVolume};

/// A string borrowed from the input when possible.
///
/// Deserialized with `deserialize_str`, so YAML plain scalars (`true`, `1.10`, `0x1F`) keep their
/// exact text instead of being turned into booleans or numbers. Strings longer than
/// [`crate::limits::MAX_CHARS`] characters are shortened as they are read
/// ([`crate::limits::cap`]), so every name, label and reference of the model is bounded and
/// pods still meet their nodes and owners (both sides are shortened the same way).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An owned copy.
    pub fn to_owned_string(&self) -> String {
        self.0.clone().into_owned()
    }
}

struct TextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
        Ok(Text(limits::cap(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(limits::cap(v).into_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(limits::cap_string(v))))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Borrowed(if v { "true" } else { "false" })))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor(PhantomData))
    }
}

/// A quantity as written: a string, an integer, or (wrongly) a float.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawQty<'a> {
    /// `"250m"`, `"1Gi"` (the normal form).
    Text(Cow<'a, str>),
    /// A JSON/YAML integer (`cpu: 2`).
    Int(i128),
    /// A JSON/YAML float (`cpu: 0.5`).
    Float(f64),
    /// Not a scalar quantity at all (a boolean, a map, a list); the payload names what it was.
    Invalid(&'static str),
}

struct QtyVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for QtyVisitor<'a> {
    type Value = RawQty<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quantity")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<RawQty<'a>, E> {
        Ok(RawQty::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawQty<'a>, E> {
        Ok(RawQty::Text(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<RawQty<'a>, E> {
        Ok(RawQty::Text(Cow::Owned(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawQty<'a>, E> {
        Ok(RawQty::Int(i128::from(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawQty<'a>, E> {
        Ok(RawQty::Int(i128::from(v)))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawQty<'a>, E> {
        Ok(i128::try_from(v).map_or(RawQty::Invalid("an integer too large"), RawQty::Int))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawQty<'a>, E> {
        Ok(RawQty::Int(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawQty<'a>, E> {
        Ok(RawQty::Float(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<RawQty<'a>, E> {
        Ok(RawQty::Invalid("a boolean"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawQty<'a>, E> {
        Ok(RawQty::Invalid("null"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawQty<'a>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(RawQty::Invalid("an object"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawQty<'a>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(RawQty::Invalid("a list"))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawQty<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(QtyVisitor(PhantomData))
    }
}

/// The resources of a `requests`/`limits`/`capacity`/`allocatable`/`overhead` map that the
/// analysis reads; every other resource name (hugepages, other extended resources) is skipped.
/// NVIDIA MIG slices (`nvidia.com/mig-<profile>`) are kept by name, at most [`MAX_MIG_KEYS`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawResources<'a> {
    pub cpu: Option<RawQty<'a>>,
    pub memory: Option<RawQty<'a>>,
    pub ephemeral_storage: Option<RawQty<'a>>,
    pub nvidia_gpu: Option<RawQty<'a>>,
    pub amd_gpu: Option<RawQty<'a>>,
    pub pods: Option<RawQty<'a>>,
    /// `storage` (a PersistentVolume's or a claim's size).
    pub storage: Option<RawQty<'a>>,
    /// `nvidia.com/mig-<profile>` quantities (MIG slices), as (resource name, quantity).
    pub mig: Vec<(Text<'a>, RawQty<'a>)>,
}

/// The most MIG resource names read from one resource map (a GPU has a handful of profiles);
/// more are skipped so hostile input cannot grow the list.
pub(crate) const MAX_MIG_KEYS: usize = 64;

struct ResourcesVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ResourcesVisitor<'a> {
    type Value = RawResources<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of resource quantities")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawResources<'a>, A::Error> {
        let mut out = RawResources::default();
        while let Some(key) = map.next_key::<Text<'de>>()? {
            let slot = match key.as_str() {
                "cpu" => &mut out.cpu,
                "memory" => &mut out.memory,
                "ephemeral-storage" => &mut out.ephemeral_storage,
                "nvidia.com/gpu" => &mut out.nvidia_gpu,
                "amd.com/gpu" => &mut out.amd_gpu,
                "pods" => &mut out.pods,
                "storage" => &mut out.storage,
                k if k.starts_with("nvidia.com/mig-") && out.mig.len() < MAX_MIG_KEYS => {
                    if let Some(q) = map.next_value::<Option<RawQty<'a>>>()? {
                        out.mig.push((key, q));
                    }
                    continue;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value::<Option<RawQty<'a>>>()?;
        }
        Ok(out)
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawResources<'a>, E> {
        Ok(RawResources::default())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawResources<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ResourcesVisitor(PhantomData))
    }
}

/// All labels of an object, borrowed; the conversion keeps only the few it needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawLabels<'a>(pub Vec<(Text<'a>, Text<'a>)>);

impl RawLabels<'_> {
    /// The value of label `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v.as_str())
    }

    /// True when label `key` is present (with any value).
    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k.as_str() == key)
    }

    /// The first present label of `keys`, as `(key, value)`.
    pub fn first_of<'k>(&self, keys: &[&'k str]) -> Option<(&'k str, &str)> {
        keys.iter()
            .find_map(|&k| self.get(k).filter(|v| !v.is_empty()).map(|v| (k, v)))
    }

    /// True when any label key starts with `prefix`.
    pub fn any_key_starts_with(&self, prefix: &str) -> bool {
        self.0.iter().any(|(k, _)| k.as_str().starts_with(prefix))
    }
}

struct LabelsVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for LabelsVisitor<'a> {
    type Value = RawLabels<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of labels")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawLabels<'a>, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<Text<'a>, Option<Text<'a>>>()? {
            out.push((k, v.unwrap_or_default()));
        }
        Ok(RawLabels(out))
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawLabels<'a>, E> {
        Ok(RawLabels::default())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawLabels<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(LabelsVisitor(PhantomData))
    }
}

/// `metadata.ownerReferences[]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawOwnerRef<'a> {
    #[serde(borrow, default)]
    pub kind: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub uid: Option<Text<'a>>,
    #[serde(default)]
    pub controller: Option<bool>,
}

/// `metadata`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawMeta<'a> {
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub namespace: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub uid: Option<Text<'a>>,
    #[serde(borrow, default, rename = "creationTimestamp")]
    pub creation_timestamp: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub labels: Option<RawLabels<'a>>,
    #[serde(borrow, default, rename = "ownerReferences")]
    pub owner_references: Option<Vec<RawOwnerRef<'a>>>,
    /// Only the keys of [`super::raw_bill::KEPT_ANNOTATIONS`].
    #[serde(borrow, default)]
    pub annotations: Option<RawAnnotations<'a>>,
}

/// `resources` of a container.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawRequirements<'a> {
    #[serde(borrow, default)]
    pub requests: Option<RawResources<'a>>,
    #[serde(borrow, default)]
    pub limits: Option<RawResources<'a>>,
}

/// A container or init container (only name, resources and restart policy).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawContainer<'a> {
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub resources: Option<RawRequirements<'a>>,
    #[serde(borrow, default, rename = "restartPolicy")]
    pub restart_policy: Option<Text<'a>>,
    /// `ports[]` (only host ports matter, for scheduling).
    #[serde(borrow, default)]
    pub ports: Option<Vec<RawPort<'a>>>,
}

/// A container's `ports[]` entry (only the host port and its protocol).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawPort<'a> {
    #[serde(default, rename = "hostPort")]
    pub host_port: Option<i64>,
    #[serde(borrow, default)]
    pub protocol: Option<Text<'a>>,
}

/// A node's `spec.taints[]` entry or a pod's `spec.tolerations[]` entry (one struct: the
/// fields do not clash; a taint has no operator).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawTaint<'a> {
    #[serde(borrow, default)]
    pub key: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub operator: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub value: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub effect: Option<Text<'a>>,
}

/// A `matchExpressions[]` entry of a node selector term or a label selector.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawRequirement<'a> {
    #[serde(borrow, default)]
    pub key: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub operator: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub values: Option<Vec<Text<'a>>>,
}

/// A node selector term (`nodeSelectorTerms[]`): its label expressions (`matchFields` is
/// read too, for `metadata.name`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawNodeSelectorTerm<'a> {
    #[serde(borrow, default, rename = "matchExpressions")]
    pub match_expressions: Option<Vec<RawRequirement<'a>>>,
    #[serde(borrow, default, rename = "matchFields")]
    pub match_fields: Option<Vec<RawRequirement<'a>>>,
}

/// `requiredDuringSchedulingIgnoredDuringExecution` of a node affinity.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawNodeSelector<'a> {
    #[serde(borrow, default, rename = "nodeSelectorTerms")]
    pub node_selector_terms: Option<Vec<RawNodeSelectorTerm<'a>>>,
}

/// `affinity.nodeAffinity` (only the required part).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawNodeAffinity<'a> {
    #[serde(
        borrow,
        default,
        rename = "requiredDuringSchedulingIgnoredDuringExecution"
    )]
    pub required: Option<RawNodeSelector<'a>>,
}

/// A label selector (`matchLabels` and `matchExpressions`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawLabelSelector<'a> {
    #[serde(borrow, default, rename = "matchLabels")]
    pub match_labels: Option<RawLabels<'a>>,
    #[serde(borrow, default, rename = "matchExpressions")]
    pub match_expressions: Option<Vec<RawRequirement<'a>>>,
}

/// A required pod (anti-)affinity term.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawPodAffinityTerm<'a> {
    #[serde(borrow, default, rename = "labelSelector")]
    pub label_selector: Option<RawLabelSelector<'a>>,
    #[serde(borrow, default, rename = "topologyKey")]
    pub topology_key: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub namespaces: Option<Vec<Text<'a>>>,
}

/// `affinity.podAntiAffinity` / `podAffinity` (only the required terms).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawPodAffinity<'a> {
    #[serde(
        borrow,
        default,
        rename = "requiredDuringSchedulingIgnoredDuringExecution"
    )]
    pub required: Option<Vec<RawPodAffinityTerm<'a>>>,
}

/// A pod's `spec.affinity` (required parts only; preferences do not bind a scheduler).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawAffinity<'a> {
    #[serde(borrow, default, rename = "nodeAffinity")]
    pub node_affinity: Option<RawNodeAffinity<'a>>,
    #[serde(borrow, default, rename = "podAntiAffinity")]
    pub pod_anti_affinity: Option<RawPodAffinity<'a>>,
    #[serde(borrow, default, rename = "podAffinity")]
    pub pod_affinity: Option<RawPodAffinity<'a>>,
}

/// A `topologySpreadConstraints[]` entry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawSpread<'a> {
    #[serde(default, rename = "maxSkew")]
    pub max_skew: Option<i64>,
    #[serde(borrow, default, rename = "topologyKey")]
    pub topology_key: Option<Text<'a>>,
    #[serde(borrow, default, rename = "whenUnsatisfiable")]
    pub when_unsatisfiable: Option<Text<'a>>,
    #[serde(borrow, default, rename = "labelSelector")]
    pub label_selector: Option<RawLabelSelector<'a>>,
}

/// A pod template's `spec`, as workload objects hold it (only the containers).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawPodSpec<'a> {
    #[serde(borrow, default)]
    pub containers: Option<Vec<RawContainer<'a>>>,
    #[serde(borrow, default, rename = "initContainers")]
    pub init_containers: Option<Vec<RawContainer<'a>>>,
}

/// `spec.template` of a Deployment, StatefulSet, DaemonSet, Job, ReplicaSet or Rollout.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawPodTemplate<'a> {
    #[serde(borrow, default)]
    pub spec: Option<RawPodSpec<'a>>,
}

/// A CronJob's `spec.jobTemplate.spec` (only its pod template).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawJobSpec<'a> {
    #[serde(borrow, default)]
    pub template: Option<RawPodTemplate<'a>>,
}

/// A CronJob's `spec.jobTemplate`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawJobTemplate<'a> {
    #[serde(borrow, default)]
    pub spec: Option<RawJobSpec<'a>>,
}

/// A container's `state` or `lastState` (only whether and why it terminated).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawContainerState<'a> {
    #[serde(borrow, default)]
    pub terminated: Option<RawTerminated<'a>>,
}

/// `state.terminated` / `lastState.terminated` (only the reason).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawTerminated<'a> {
    #[serde(borrow, default)]
    pub reason: Option<Text<'a>>,
}

/// A pod's `status.containerStatuses[]` / `initContainerStatuses[]` (name, restarts, why the
/// last run ended).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawContainerStatus<'a> {
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub state: Option<RawContainerState<'a>>,
    #[serde(borrow, default, rename = "lastState")]
    pub last_state: Option<RawContainerState<'a>>,
}

impl RawContainerStatus<'_> {
    /// True when the container's current or last run was OOM-killed.
    pub fn oom_killed(&self) -> bool {
        [&self.state, &self.last_state].into_iter().any(|s| {
            s.as_ref()
                .and_then(|s| s.terminated.as_ref())
                .and_then(|t| t.reason.as_ref())
                .is_some_and(|r| r.as_str() == "OOMKilled")
        })
    }
}

/// HPA `spec.scaleTargetRef`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawTargetRef<'a> {
    #[serde(borrow, default)]
    pub kind: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    #[serde(borrow, default, rename = "apiVersion")]
    pub api_version: Option<Text<'a>>,
}

/// HPA v2 `resource` / `containerResource` metric source (only the resource name).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawMetricSource<'a> {
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
}

/// HPA v2 `spec.metrics[]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawMetric<'a> {
    #[serde(borrow, default, rename = "type")]
    pub kind: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub resource: Option<RawMetricSource<'a>>,
    #[serde(borrow, default, rename = "containerResource")]
    pub container_resource: Option<RawMetricSource<'a>>,
}

/// `spec` of every kind the analysis reads, merged into one struct (no field names clash).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawSpec<'a> {
    // Node
    #[serde(borrow, default, rename = "providerID")]
    pub provider_id: Option<Text<'a>>,
    // Pod
    #[serde(borrow, default)]
    pub containers: Option<Vec<RawContainer<'a>>>,
    #[serde(borrow, default, rename = "initContainers")]
    pub init_containers: Option<Vec<RawContainer<'a>>>,
    #[serde(borrow, default)]
    pub overhead: Option<RawResources<'a>>,
    #[serde(borrow, default, rename = "nodeName")]
    pub node_name: Option<Text<'a>>,
    #[serde(borrow, default, rename = "priorityClassName")]
    pub priority_class_name: Option<Text<'a>>,
    #[serde(borrow, default, rename = "nodeSelector")]
    pub node_selector: Option<RawLabels<'a>>,
    #[serde(borrow, default)]
    pub affinity: Option<RawAffinity<'a>>,
    #[serde(borrow, default)]
    pub tolerations: Option<Vec<RawTaint<'a>>>,
    #[serde(borrow, default, rename = "topologySpreadConstraints")]
    pub topology_spread_constraints: Option<Vec<RawSpread<'a>>>,
    #[serde(borrow, default)]
    pub volumes: Option<Vec<RawVolume<'a>>>,
    // Node (taints, cordon)
    #[serde(borrow, default)]
    pub taints: Option<Vec<RawTaint<'a>>>,
    #[serde(default)]
    pub unschedulable: Option<bool>,
    // Deployment, ReplicaSet, StatefulSet
    #[serde(default)]
    pub replicas: Option<i64>,
    // Job
    #[serde(default)]
    pub parallelism: Option<i64>,
    // Deployment, StatefulSet, DaemonSet, Job, ReplicaSet, Rollout
    #[serde(borrow, default)]
    pub template: Option<RawPodTemplate<'a>>,
    // CronJob
    #[serde(borrow, default, rename = "jobTemplate")]
    pub job_template: Option<RawJobTemplate<'a>>,
    // HorizontalPodAutoscaler
    #[serde(borrow, default, rename = "scaleTargetRef")]
    pub scale_target_ref: Option<RawTargetRef<'a>>,
    #[serde(default, rename = "minReplicas")]
    pub min_replicas: Option<i64>,
    #[serde(default, rename = "maxReplicas")]
    pub max_replicas: Option<i64>,
    #[serde(default, rename = "targetCPUUtilizationPercentage")]
    pub target_cpu_utilization_percentage: Option<i64>,
    #[serde(borrow, default)]
    pub metrics: Option<Vec<RawMetric<'a>>>,
}

/// Node `status.nodeInfo`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawNodeInfo<'a> {
    #[serde(borrow, default)]
    pub architecture: Option<Text<'a>>,
    #[serde(borrow, default, rename = "operatingSystem")]
    pub operating_system: Option<Text<'a>>,
    #[serde(borrow, default, rename = "kubeletVersion")]
    pub kubelet_version: Option<Text<'a>>,
}

/// `status` of every kind the analysis reads, merged into one struct.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub(crate) struct RawStatus<'a> {
    // Node
    #[serde(borrow, default)]
    pub capacity: Option<RawResources<'a>>,
    #[serde(borrow, default)]
    pub allocatable: Option<RawResources<'a>>,
    #[serde(borrow, default, rename = "nodeInfo")]
    pub node_info: Option<RawNodeInfo<'a>>,
    // Pod
    #[serde(borrow, default)]
    pub phase: Option<Text<'a>>,
    #[serde(borrow, default, rename = "qosClass")]
    pub qos_class: Option<Text<'a>>,
    #[serde(borrow, default, rename = "containerStatuses")]
    pub container_statuses: Option<Vec<RawContainerStatus<'a>>>,
    #[serde(borrow, default, rename = "initContainerStatuses")]
    pub init_container_statuses: Option<Vec<RawContainerStatus<'a>>>,
    // DaemonSet
    #[serde(default, rename = "desiredNumberScheduled")]
    pub desired_number_scheduled: Option<i64>,
    // Service
    #[serde(default, rename = "loadBalancer")]
    pub load_balancer: Option<RawLoadBalancerStatus>,
}

/// One Kubernetes object (or list) as read. Built by [`super::walk`], not by a derive, so that
/// `items` can be streamed and the spec of unused kinds skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawObject<'a> {
    pub kind: Option<Text<'a>>,
    pub api_version: Option<Text<'a>>,
    // Boxed: a list item is held as a `RawObject` until its list's `kind` is known, and a
    // million `{}` items must not cost a million full-size structs (see
    // `pending_items_stay_small` below and tests/adversarial.rs).
    pub metadata: Option<Box<RawMeta<'a>>>,
    pub spec: Option<Box<RawSpec<'a>>>,
    pub status: Option<Box<RawStatus<'a>>>,
    /// The `spec` of a PersistentVolumeClaim, PersistentVolume or Service, and a
    /// StorageClass's top-level `provisioner` and `parameters`: read apart from [`RawSpec`] so a
    /// field of another kind's spec written in one of these (or the other way round) is never
    /// read with the wrong type.
    pub bill: Option<Box<RawBill<'a>>>,
}

impl<'a> RawObject<'a> {
    /// `metadata.name`, or `""`.
    pub fn name(&self) -> &str {
        self.metadata
            .as_deref()
            .and_then(|m| m.name.as_ref())
            .map_or("", Text::as_str)
    }

    /// `metadata.name`; `None` when it is empty, after a `missing_name` warning: an object of
    /// `kind` (in `namespace`, for a namespaced kind) without a name is skipped.
    pub fn name_or_skip(
        &self,
        kind: &str,
        namespace: Option<&str>,
        warnings: &mut Vec<Warning>,
    ) -> Option<&str> {
        let name = self.name();
        if name.is_empty() {
            warnings.push(Warning::new(
                "missing_name",
                object_ref(kind, namespace, "?"),
                format!("a {kind} without metadata.name was skipped"),
            ));
            return None;
        }
        Some(name)
    }

    /// The namespace (`default` when none is set) and name of a namespaced object of `kind`;
    /// `None` without a name, as [`RawObject::name_or_skip`].
    pub fn namespace_and_name(
        &self,
        kind: &str,
        warnings: &mut Vec<Warning>,
    ) -> Option<(&str, &str)> {
        let namespace = self.namespace().unwrap_or("default");
        Some((
            namespace,
            self.name_or_skip(kind, Some(namespace), warnings)?,
        ))
    }

    /// `metadata.namespace`, if set and not empty.
    pub fn namespace(&self) -> Option<&str> {
        self.metadata
            .as_deref()
            .and_then(|m| m.namespace.as_ref())
            .map(Text::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `metadata.uid`, if set and not empty.
    pub fn uid(&self) -> Option<&str> {
        self.metadata
            .as_deref()
            .and_then(|m| m.uid.as_ref())
            .map(Text::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The labels (empty when there are none).
    pub fn labels(&self) -> &RawLabels<'a> {
        static EMPTY: RawLabels<'static> = RawLabels(Vec::new());
        self.metadata
            .as_deref()
            .and_then(|m| m.labels.as_ref())
            .unwrap_or(&EMPTY)
    }

    /// `metadata.creationTimestamp`.
    pub fn creation_timestamp(&self) -> Option<&str> {
        self.metadata
            .as_deref()
            .and_then(|m| m.creation_timestamp.as_ref())
            .map(Text::as_str)
    }

    /// Calls `f` with the field path of every string of the object that was shortened while
    /// it was read (see [`crate::limits`]).
    pub fn shortened_fields(&self, f: &mut dyn FnMut(&'static str)) {
        let mut check = |field: &'static str, t: Option<&Text<'_>>| {
            if t.is_some_and(|t| limits::is_shortened(t.as_str())) {
                f(field);
            }
        };
        check("kind", self.kind.as_ref());
        check("apiVersion", self.api_version.as_ref());
        if let Some(m) = self.metadata.as_deref() {
            check("metadata.name", m.name.as_ref());
            check("metadata.namespace", m.namespace.as_ref());
            check("metadata.uid", m.uid.as_ref());
            check("metadata.creationTimestamp", m.creation_timestamp.as_ref());
            for (k, v) in m.labels.iter().flat_map(|l| &l.0) {
                check("metadata.labels", Some(k));
                check("metadata.labels", Some(v));
            }
            for r in m.owner_references.iter().flatten() {
                check("metadata.ownerReferences.kind", r.kind.as_ref());
                check("metadata.ownerReferences.name", r.name.as_ref());
                check("metadata.ownerReferences.uid", r.uid.as_ref());
            }
        }
        if let Some(s) = self.spec.as_deref() {
            check("spec.providerID", s.provider_id.as_ref());
            for c in s.containers.iter().flatten() {
                check("spec.containers.name", c.name.as_ref());
                check("spec.containers.restartPolicy", c.restart_policy.as_ref());
            }
            for c in s.init_containers.iter().flatten() {
                check("spec.initContainers.name", c.name.as_ref());
                check(
                    "spec.initContainers.restartPolicy",
                    c.restart_policy.as_ref(),
                );
            }
            check("spec.nodeName", s.node_name.as_ref());
            check("spec.priorityClassName", s.priority_class_name.as_ref());
            if let Some(t) = &s.scale_target_ref {
                check("spec.scaleTargetRef.kind", t.kind.as_ref());
                check("spec.scaleTargetRef.name", t.name.as_ref());
                check("spec.scaleTargetRef.apiVersion", t.api_version.as_ref());
            }
            for m in s.metrics.iter().flatten() {
                check("spec.metrics.type", m.kind.as_ref());
                let sources = [m.resource.as_ref(), m.container_resource.as_ref()];
                for r in sources.into_iter().flatten() {
                    check("spec.metrics.resource.name", r.name.as_ref());
                }
            }
        }
        if let Some(s) = self.status.as_deref() {
            if let Some(i) = &s.node_info {
                check("status.nodeInfo.architecture", i.architecture.as_ref());
                check(
                    "status.nodeInfo.operatingSystem",
                    i.operating_system.as_ref(),
                );
                check("status.nodeInfo.kubeletVersion", i.kubelet_version.as_ref());
            }
            check("status.phase", s.phase.as_ref());
            check("status.qosClass", s.qos_class.as_ref());
        }
    }

    /// The controlling owner reference (`controller: true`), else the only/first one.
    pub fn controller_ref(&self) -> Option<&RawOwnerRef<'a>> {
        let refs = self.metadata.as_deref()?.owner_references.as_ref()?;
        refs.iter()
            .find(|r| r.controller == Some(true))
            .or_else(|| refs.first())
    }

    /// The [`RawObject::controller_ref`] as the model's owner, when it has a kind and a name.
    pub fn owner(&self) -> Option<OwnerRef> {
        let r = self.controller_ref()?;
        let kind = r.kind.as_ref()?.as_str();
        let name = r.name.as_ref()?.as_str();
        (!kind.is_empty() && !name.is_empty()).then(|| OwnerRef {
            kind: kind.to_owned(),
            name: name.to_owned(),
            uid: r.uid.as_ref().map(|u| u.to_owned_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by tests/adversarial.rs (`a_million_empty_objects`): list items wait as
    /// `RawObject`s until the list's `kind` is read (kubectl prints it after `items`). With the
    /// nested structs inline, each `{}` cost about 2.5 KB: a 3 MB paste of a million `{}` took
    /// 2.5 GB. Boxed, an empty item costs this struct only.
    #[test]
    fn pending_items_stay_small() {
        let size = std::mem::size_of::<RawObject<'_>>();
        assert!(size <= 96, "RawObject is {size} bytes");
    }

    #[derive(Deserialize)]
    struct Wrap<'a> {
        #[serde(borrow)]
        r: RawResources<'a>,
        #[serde(borrow)]
        l: RawLabels<'a>,
    }

    #[test]
    fn json_borrows_and_keeps_only_known_resources() {
        let text = r#"{"r": {"cpu": "250m", "memory": 2, "hugepages-2Mi": "0", "nvidia.com/gpu": 0.5,
            "pods": {"x": 1}, "amd.com/gpu": null}, "l": {"a": "b", "c": "d\n"}}"#;
        let w: Wrap<'_> = serde_json::from_str(text).unwrap();
        assert!(matches!(w.r.cpu, Some(RawQty::Text(Cow::Borrowed("250m")))));
        assert_eq!(w.r.memory, Some(RawQty::Int(2)));
        assert_eq!(w.r.nvidia_gpu, Some(RawQty::Float(0.5)));
        assert_eq!(w.r.pods, Some(RawQty::Invalid("an object")));
        assert_eq!(w.r.amd_gpu, None);
        assert!(matches!(w.l.0[0].1.0, Cow::Borrowed("b")));
        assert_eq!(w.l.get("c"), Some("d\n"));
        assert!(!w.l.has("x"));
    }

    #[test]
    fn mig_resources_are_kept_by_name() {
        let text = r#"{"r": {"nvidia.com/mig-1g.5gb": "7", "nvidia.com/mig-3g.20gb": 2,
            "nvidia.com/gpu": "1", "nvidia.com/migrate": "1"}, "l": {}}"#;
        let w: Wrap<'_> = serde_json::from_str(text).unwrap();
        let names: Vec<&str> = w.r.mig.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["nvidia.com/mig-1g.5gb", "nvidia.com/mig-3g.20gb"]);
        assert_eq!(w.r.mig[1].1, RawQty::Int(2));
        let many: Vec<String> = (0..100)
            .map(|i| format!("\"nvidia.com/mig-{i}g\": 1"))
            .collect();
        let text = format!(r#"{{"r": {{{}}}, "l": {{}}}}"#, many.join(","));
        let w: Wrap<'_> = serde_json::from_str(&text).unwrap();
        assert_eq!(w.r.mig.len(), MAX_MIG_KEYS);
    }

    #[test]
    fn long_strings_are_shortened_as_they_are_read() {
        let long = "é".repeat(3000);
        let escaped = format!("a\n{long}");
        let json = format!(r#"{{"r": {{}}, "l": {{"k": "{long}", "e": "a\n{long}", "s": "b"}}}}"#);
        let w: Wrap<'_> = serde_json::from_str(&json).unwrap();
        assert_eq!(w.l.get("k"), Some(&*limits::cap(&long)));
        assert_eq!(w.l.get("e"), Some(&*limits::cap(&escaped)));
        assert!(matches!(w.l.0[2].1.0, Cow::Borrowed("b")));
        let yaml = format!("r: {{}}\nl:\n  k: {long}\n");
        let w: Wrap<'_> = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(w.l.get("k"), Some(&*limits::cap(&long)));
    }

    #[test]
    fn yaml_plain_scalars_keep_their_text() {
        let text = "r:\n  cpu: 2\n  memory: 1Gi\nl:\n  spot: true\n  v: 1.10\n  e:\n";
        let w: Wrap<'_> = serde_saphyr::from_str(text).unwrap();
        assert_eq!(w.r.cpu, Some(RawQty::Int(2)));
        assert!(matches!(
            w.r.memory,
            Some(RawQty::Text(Cow::Borrowed("1Gi")))
        ));
        assert_eq!(w.l.get("spot"), Some("true"));
        assert_eq!(w.l.get("v"), Some("1.10"));
        assert_eq!(w.l.get("e"), Some(""));
    }
}
