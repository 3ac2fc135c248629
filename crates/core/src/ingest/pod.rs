//! A raw `Pod` object → [`Pod`]: its containers' requests and limits, read exactly.

use std::collections::BTreeMap;

use crate::diagnostics::{Warning, object_ref};
use crate::ingest::IngestOptions;
use crate::ingest::convert::{Ctx, resource_spec};
use crate::ingest::raw::{RawContainer, RawObject};
use crate::pods::*;

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
    default(&mut requests.mig_devices, limits.mig_devices);
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

/// Names of the containers whose current or last run was OOM-killed, in status order.
fn oom_killed(status: &crate::ingest::raw::RawStatus<'_>) -> Vec<String> {
    let statuses = status.container_statuses.iter().flatten();
    let init = status.init_container_statuses.iter().flatten();
    let mut names: Vec<String> = Vec::new();
    for s in statuses.chain(init).filter(|s| s.oom_killed()) {
        let name = s.name.as_ref().map_or("", |n| n.as_str());
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// Shares label sets between pods: the pods of a workload carry the same labels.
#[derive(Default)]
pub(crate) struct LabelInterner(std::collections::HashSet<LabelSet>);

impl LabelInterner {
    /// The pod's labels hashed and sorted ([`crate::scheduling::label_hashes`]), shared when
    /// seen before.
    pub fn intern(&mut self, labels: &crate::ingest::raw::RawLabels<'_>) -> LabelSet {
        let set =
            crate::scheduling::label_hashes(labels.0.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if let Some(found) = self.0.get(&*set) {
            return found.clone();
        }
        let shared: LabelSet = set.into();
        self.0.insert(shared.clone());
        shared
    }
}

/// The autoscalers' eviction annotations ([`Eviction`]); values are compared without case, as
/// the autoscalers do.
fn eviction_of(obj: &RawObject<'_>) -> Eviction {
    let annotations = obj.metadata.as_deref().and_then(|m| m.annotations.as_ref());
    let get = |k: &str| annotations.and_then(|a| a.get(k)).map(str::trim);
    let yes = |k: &str| get(k).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    Eviction {
        safe_to_evict: match get("cluster-autoscaler.kubernetes.io/safe-to-evict") {
            Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        },
        do_not_disrupt: yes("karpenter.sh/do-not-disrupt") || yes("karpenter.sh/do-not-evict"),
    }
}

/// The claims a pod mounts: `persistentVolumeClaim.claimName`, and `<pod>-<volume>` for each
/// generic ephemeral volume.
fn claims_of(obj: &RawObject<'_>, pod: &str) -> Vec<String> {
    let Some(volumes) = obj.spec.as_deref().and_then(|s| s.volumes.as_ref()) else {
        return Vec::new();
    };
    let mut out: Vec<String> = volumes
        .iter()
        .filter_map(|v| {
            if let Some(c) = v.persistent_volume_claim.as_ref() {
                c.claim_name.as_ref().map(|n| n.to_owned_string())
            } else if v.ephemeral.is_some() {
                v.name
                    .as_ref()
                    .map(|n| crate::limits::cap(&format!("{pod}-{}", n.as_str())).into_owned())
            } else {
                None
            }
        })
        .filter(|n| !n.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Builds a [`Pod`] from its raw view; `None` (with a warning) when it has no name.
pub(crate) fn pod_from_raw(
    obj: &RawObject<'_>,
    options: &IngestOptions,
    labels_seen: &mut LabelInterner,
    warnings: &mut Vec<Warning>,
) -> Option<Pod> {
    let (namespace, name) = obj.namespace_and_name("Pod", warnings)?;
    let mut ctx = Ctx {
        object: object_ref("Pod", Some(namespace), name),
        warnings,
    };
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
    let owner = obj.owner();
    let labels = obj.labels();
    let keep = |k: &str| labels.get(k).map(str::to_owned);
    let kept: BTreeMap<String, String> = options
        .pod_labels
        .iter()
        .chain(&options.group_labels)
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
        oom_killed: status.map(oom_killed).unwrap_or_default(),
        workload: 0,
        scheduling: spec.and_then(super::scheduling::pod_scheduling),
        label_hashes: labels_seen.intern(labels),
        local_storage: spec.is_some_and(super::scheduling::local_storage),
        eviction: eviction_of(obj),
        claims: claims_of(obj, name),
    })
}
