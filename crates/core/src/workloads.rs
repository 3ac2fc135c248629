//! Workloads: pods grouped under the controller that owns them, and HPAs.
//!
//! Pods are followed through `ownerReferences`: a ReplicaSet named `<deployment>-<hash>` becomes
//! its Deployment (when the pod's `pod-template-hash` label is that hash, or when the ReplicaSet
//! object is in the input with a Deployment owner; Argo Rollouts work the same way), a Job named
//! `<cronjob>-<scheduled minute>` becomes its CronJob (or the Job object's owner is used),
//! StatefulSets and DaemonSets are taken directly, pods without an owner are their own `Pod`
//! workload and unknown owner kinds (operators) group their pods under the owner.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::diagnostics::{Warning, object_ref};
use crate::model::CapacityType;
use crate::nodes::Node;
use crate::pods::{OwnerRef, Pod};

/// A workload controller object read from the input (Deployment, ReplicaSet, StatefulSet,
/// DaemonSet, Job, CronJob, Argo Rollout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkloadObject {
    /// Kind.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `metadata.uid`.
    pub uid: Option<String>,
    /// Controlling owner (a ReplicaSet's Deployment, a Job's CronJob).
    pub owner: Option<OwnerRef>,
    /// Desired replicas: `spec.replicas` (default 1), a Job's `spec.parallelism`, a DaemonSet's
    /// `status.desiredNumberScheduled`.
    pub replicas: Option<i64>,
    /// The pod template's containers (a CronJob's job template's), when the object has one.
    pub template: Option<PodTemplate>,
    /// Its labels of the keys costs are grouped by
    /// ([`crate::ingest::IngestOptions::group_labels`]); empty by default.
    pub labels: BTreeMap<String, String>,
}

/// The containers of a workload object's pod template, with their resources as declared (no
/// defaulting: a template that sets only a limit has no request here).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PodTemplate {
    /// `containers`.
    pub containers: Vec<TemplateContainer>,
    /// `initContainers` (native sidecars flagged).
    pub init_containers: Vec<TemplateContainer>,
}

impl PodTemplate {
    /// The container named `name`: an app container, else an init container.
    pub fn container(&self, name: &str) -> Option<&TemplateContainer> {
        self.containers
            .iter()
            .chain(&self.init_containers)
            .find(|c| c.name == name)
    }
}

/// A container of a pod template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TemplateContainer {
    /// Name.
    pub name: String,
    /// `resources.requests` as declared.
    pub requests: crate::pods::ResourceSpec,
    /// `resources.limits` as declared.
    pub limits: crate::pods::ResourceSpec,
    /// An init container with `restartPolicy: Always` (a native sidecar).
    pub sidecar: bool,
}

/// Kinds read as [`WorkloadObject`]s.
pub(crate) const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Rollout",
];

/// Owner kinds whose pods are grouped without a warning.
const KNOWN_OWNER_KINDS: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Rollout",
    "ReplicationController",
];

/// A HorizontalPodAutoscaler (autoscaling/v1 or v2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hpa {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `apiVersion` (`autoscaling/v1`, `autoscaling/v2`).
    pub api_version: Option<String>,
    /// `spec.scaleTargetRef.kind`.
    pub target_kind: String,
    /// `spec.scaleTargetRef.name`.
    pub target_name: String,
    /// `spec.minReplicas` (Kubernetes defaults it to 1).
    pub min_replicas: Option<i64>,
    /// `spec.maxReplicas`.
    pub max_replicas: Option<i64>,
    /// Resources it scales on (`cpu`, `memory`), sorted: v1 always scales on CPU
    /// (`targetCPUUtilizationPercentage`, 80% by default); v2 lists `metrics[].resource.name`
    /// and `containerResource.name` (CPU 80% when there are no metrics).
    pub resources: Vec<String>,
    /// Types of the other metrics it scales on (`Pods`, `Object`, `External`), sorted.
    pub other_metrics: Vec<String>,
    /// Index of the targeted workload in [`crate::cluster::Cluster::workloads`].
    pub workload: Option<usize>,
}

impl Hpa {
    /// True when it scales on `resource` (`cpu`, `memory`).
    pub fn scales_on(&self, resource: &str) -> bool {
        self.resources.iter().any(|r| r == resource)
    }
}

/// Where a workload's pods run: one distinct (instance type, region, capacity type), with how
/// many of the workload's pods are there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placement {
    /// Instance type of the nodes.
    pub instance_type: Option<String>,
    /// Region of the nodes.
    pub region: Option<String>,
    /// Capacity type of the nodes.
    pub capacity_type: CapacityType,
    /// Pods of the workload on such nodes.
    pub pods: usize,
}

/// Pods grouped under their controller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workload {
    /// Namespace.
    pub namespace: String,
    /// Kind: `Deployment`, `StatefulSet`, `DaemonSet`, `CronJob`, `Job`, `ReplicaSet`, `Rollout`,
    /// `Pod` for bare (and static) pods, or the owner's kind for operators.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Indices of its pods in [`crate::cluster::Cluster::pods`].
    pub pods: Vec<usize>,
    /// Indices of the nodes its pods run on in [`crate::cluster::Cluster::nodes`], sorted.
    pub nodes: Vec<usize>,
    /// The distinct (instance type, region, capacity type) behind its scheduled pods.
    pub placements: Vec<Placement>,
    /// Index of the HPA targeting it in [`crate::cluster::Cluster::hpas`].
    pub hpa: Option<usize>,
    /// Union of its pods' container names (app containers and native sidecars), sorted.
    pub container_names: Vec<String>,
    /// Desired replicas from the workload object, when it is in the input.
    pub replicas: Option<i64>,
    /// True when the workload object itself was in the input.
    pub object_present: bool,
    /// The workload object's pod template, when the object was in the input.
    pub template: Option<PodTemplate>,
    /// The workload object's labels of the keys costs are grouped by
    /// ([`crate::ingest::IngestOptions::group_labels`]); empty without the object or keys.
    pub labels: BTreeMap<String, String>,
}

/// Splits `<prefix>-<suffix>` at the last dash.
fn split_suffix(name: &str) -> Option<(&str, &str)> {
    name.rsplit_once('-')
        .filter(|(p, s)| !p.is_empty() && !s.is_empty())
}

/// `<cronjob>-<digits>`: the CronJob controller names Jobs after the scheduled time in minutes
/// since the epoch (8 digits since 1989; older controllers used seconds, 10 digits). Fewer than 8
/// digits (`migrate-2`) is taken for a hand-made Job.
fn cronjob_of_job(job: &str) -> Option<&str> {
    let (prefix, suffix) = split_suffix(job)?;
    (suffix.len() >= 8 && suffix.chars().all(|c| c.is_ascii_digit())).then_some(prefix)
}

type Key = (String, String, String);

fn key(namespace: &str, kind: &str, name: &str) -> Key {
    (namespace.to_owned(), kind.to_owned(), name.to_owned())
}

/// Decides the workload (kind, name) of a pod.
fn workload_of(
    pod: &Pod,
    objects: &HashMap<Key, &WorkloadObject>,
    unknown_kinds: &mut BTreeSet<String>,
) -> (String, String) {
    let Some(owner) = &pod.owner else {
        return ("Pod".to_owned(), pod.name.clone());
    };
    let ns = pod.namespace.as_str();
    match owner.kind.as_str() {
        "ReplicaSet" => {
            if let Some(rs) = objects.get(&key(ns, "ReplicaSet", &owner.name)) {
                return match &rs.owner {
                    Some(o) => (o.kind.clone(), o.name.clone()),
                    None => ("ReplicaSet".to_owned(), owner.name.clone()),
                };
            }
            if let Some((prefix, hash)) = split_suffix(&owner.name) {
                if pod.pod_template_hash.as_deref() == Some(hash) {
                    return ("Deployment".to_owned(), prefix.to_owned());
                }
                if pod.rollouts_pod_template_hash.as_deref() == Some(hash) {
                    return ("Rollout".to_owned(), prefix.to_owned());
                }
            }
            ("ReplicaSet".to_owned(), owner.name.clone())
        }
        "Job" => {
            if let Some(job) = objects.get(&key(ns, "Job", &owner.name)) {
                return match &job.owner {
                    Some(o) => (o.kind.clone(), o.name.clone()),
                    None => ("Job".to_owned(), owner.name.clone()),
                };
            }
            match cronjob_of_job(&owner.name) {
                Some(cron) => ("CronJob".to_owned(), cron.to_owned()),
                None => ("Job".to_owned(), owner.name.clone()),
            }
        }
        // Static (mirror) pods are owned by their Node: each is its own workload.
        "Node" => ("Pod".to_owned(), pod.name.clone()),
        kind => {
            if !KNOWN_OWNER_KINDS.contains(&kind) {
                unknown_kinds.insert(kind.to_owned());
            }
            (kind.to_owned(), owner.name.clone())
        }
    }
}

/// The result of grouping.
pub(crate) struct Grouping {
    pub workloads: Vec<Workload>,
    pub index: HashMap<Key, usize>,
}

/// Groups pods into workloads (setting [`Pod::workload`]), adds workload objects without pods,
/// and attaches HPAs.
pub(crate) fn group(
    nodes: &[Node],
    pods: &mut [Pod],
    objects: &[WorkloadObject],
    hpas: &mut [Hpa],
    warnings: &mut Vec<Warning>,
) -> Grouping {
    let by_key: HashMap<Key, &WorkloadObject> = objects
        .iter()
        .map(|o| (key(&o.namespace, &o.kind, &o.name), o))
        .collect();
    let mut unknown_kinds = BTreeSet::new();
    let mut members: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    for (i, pod) in pods.iter().enumerate() {
        let (kind, name) = workload_of(pod, &by_key, &mut unknown_kinds);
        members
            .entry((pod.namespace.clone(), kind, name))
            .or_default()
            .push(i);
    }
    // Workload objects that stand on their own, even without pods.
    for o in objects {
        let owned = matches!(o.kind.as_str(), "ReplicaSet" | "Job") && o.owner.is_some();
        if !owned {
            members
                .entry(key(&o.namespace, &o.kind, &o.name))
                .or_default();
        }
    }
    for kind in unknown_kinds {
        warnings.push(Warning::new(
            "unknown_owner_kind",
            "",
            format!("pods owned by {kind} objects are grouped under their {kind} owner"),
        ));
    }

    let mut workloads = Vec::with_capacity(members.len());
    let mut index = HashMap::with_capacity(members.len());
    for ((namespace, kind, name), pod_ids) in members {
        let w = workloads.len();
        let mut node_ids = BTreeSet::new();
        let mut placements: BTreeMap<(Option<String>, Option<String>, CapacityType), usize> =
            BTreeMap::new();
        let mut containers = BTreeSet::new();
        for &p in &pod_ids {
            let pod = &mut pods[p];
            pod.workload = w;
            for c in pod
                .containers
                .iter()
                .chain(pod.init_containers.iter().filter(|c| c.sidecar))
            {
                if !containers.contains(c.name.as_str()) {
                    containers.insert(c.name.clone());
                }
            }
            if let Some(node) = pod
                .node_index
                .and_then(|n| nodes.get(n).map(|node| (n, node)))
            {
                node_ids.insert(node.0);
                *placements
                    .entry((
                        node.1.instance_type.clone(),
                        node.1.region.clone(),
                        node.1.capacity_type,
                    ))
                    .or_default() += 1;
            }
        }
        let object = by_key.get(&(namespace.clone(), kind.clone(), name.clone()));
        index.insert((namespace.clone(), kind.clone(), name.clone()), w);
        workloads.push(Workload {
            replicas: object.and_then(|o| o.replicas),
            object_present: object.is_some(),
            template: object.and_then(|o| o.template.clone()),
            labels: object.map(|o| o.labels.clone()).unwrap_or_default(),
            namespace,
            kind,
            name,
            pods: pod_ids,
            nodes: node_ids.into_iter().collect(),
            placements: placements
                .into_iter()
                .map(|((instance_type, region, capacity_type), pods)| Placement {
                    instance_type,
                    region,
                    capacity_type,
                    pods,
                })
                .collect(),
            hpa: None,
            container_names: containers.into_iter().collect(),
        });
    }

    let mut seen_targets: HashSet<usize> = HashSet::new();
    for (h, hpa) in hpas.iter_mut().enumerate() {
        let target = key(&hpa.namespace, &hpa.target_kind, &hpa.target_name);
        match index.get(&target) {
            Some(&w) => {
                hpa.workload = Some(w);
                if seen_targets.insert(w) {
                    workloads[w].hpa = Some(h);
                } else {
                    warnings.push(Warning::new(
                        "multiple_hpas",
                        object_ref(&hpa.target_kind, Some(&hpa.namespace), &hpa.target_name),
                        format!(
                            "more than one HPA targets this workload; HPA {} is not attached",
                            hpa.name
                        ),
                    ));
                }
            }
            None => warnings.push(Warning::new(
                "hpa_target_missing",
                object_ref("HorizontalPodAutoscaler", Some(&hpa.namespace), &hpa.name),
                format!(
                    "the HPA targets {}/{}, which has no pods or object in the input",
                    hpa.target_kind, hpa.target_name
                ),
            )),
        }
    }
    Grouping { workloads, index }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cronjob_names() {
        assert_eq!(cronjob_of_job("backup-28391234"), Some("backup"));
        assert_eq!(cronjob_of_job("my-backup-1700000000"), Some("my-backup"));
        assert_eq!(cronjob_of_job("migrate-2"), None);
        assert_eq!(cronjob_of_job("migrate-2838123a"), None);
        assert_eq!(cronjob_of_job("28391234"), None);
    }

    #[test]
    fn suffixes() {
        assert_eq!(split_suffix("web-7fb78fb6d8"), Some(("web", "7fb78fb6d8")));
        assert_eq!(split_suffix("web-"), None);
        assert_eq!(split_suffix("web"), None);
    }
}
