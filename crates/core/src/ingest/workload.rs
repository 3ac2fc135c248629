//! Raw workload objects (Deployments, ReplicaSets, Jobs, …) and HPAs → the model's
//! [`WorkloadObject`] and [`Hpa`].

use std::collections::BTreeSet;

use crate::diagnostics::{Warning, object_ref};
use crate::ingest::convert::{Ctx, resource_spec};
use crate::ingest::raw::{RawContainer, RawObject, RawPodSpec};
use crate::workloads::*;

/// Builds a [`WorkloadObject`] of `kind` from its raw view.
pub(crate) fn object_from_raw(
    obj: &RawObject<'_>,
    kind: &str,
    warnings: &mut Vec<Warning>,
) -> Option<WorkloadObject> {
    let (namespace, name) = obj.namespace_and_name(kind, warnings)?;
    let spec = obj.spec.as_deref();
    let replicas = match kind {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "Rollout" => {
            Some(spec.and_then(|s| s.replicas).unwrap_or(1))
        }
        "Job" => spec.and_then(|s| s.parallelism),
        "DaemonSet" => obj
            .status
            .as_deref()
            .and_then(|s| s.desired_number_scheduled),
        _ => None,
    };
    let pod_spec = match kind {
        "CronJob" => spec
            .and_then(|s| s.job_template.as_ref())
            .and_then(|t| t.spec.as_ref())
            .and_then(|s| s.template.as_ref()),
        _ => spec.and_then(|s| s.template.as_ref()),
    }
    .and_then(|t| t.spec.as_ref());
    let mut ctx = Ctx {
        object: object_ref(kind, Some(namespace), name),
        warnings,
    };
    let template = pod_spec.map(|p| template_from_raw(p, &mut ctx));
    Some(WorkloadObject {
        kind: kind.to_owned(),
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        uid: obj.uid().map(str::to_owned),
        owner: obj.owner(),
        replicas,
        template,
        labels: Default::default(),
    })
}

/// A pod template's containers, their resources as declared.
fn template_from_raw(spec: &RawPodSpec<'_>, ctx: &mut Ctx<'_>) -> PodTemplate {
    let mut read = |list: &str, raw: &RawContainer<'_>, init: bool| {
        let name = raw.name.as_ref().map_or("", |n| n.as_str());
        let resources = raw.resources.as_ref();
        let path = |which: &str| format!("spec.template.spec.{list}[{name}].resources.{which}");
        TemplateContainer {
            name: name.to_owned(),
            requests: resource_spec(resources.and_then(|r| r.requests.as_ref()), ctx, &|| {
                path("requests")
            }),
            limits: resource_spec(resources.and_then(|r| r.limits.as_ref()), ctx, &|| {
                path("limits")
            }),
            sidecar: init
                && raw
                    .restart_policy
                    .as_ref()
                    .is_some_and(|p| p.as_str() == "Always"),
        }
    };
    let containers = spec
        .containers
        .iter()
        .flatten()
        .map(|c| read("containers", c, false))
        .collect();
    let init_containers = spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| read("initContainers", c, true))
        .collect();
    PodTemplate {
        containers,
        init_containers,
    }
}

/// Builds an [`Hpa`] from its raw view.
pub(crate) fn hpa_from_raw(obj: &RawObject<'_>, warnings: &mut Vec<Warning>) -> Option<Hpa> {
    let (namespace, name) = obj.namespace_and_name("HorizontalPodAutoscaler", warnings)?;
    let object = || object_ref("HorizontalPodAutoscaler", Some(namespace), name);
    let spec = obj.spec.as_deref();
    let target = spec.and_then(|s| s.scale_target_ref.as_ref());
    let target_kind = target
        .and_then(|t| t.kind.as_ref())
        .map_or("", |t| t.as_str());
    let target_name = target
        .and_then(|t| t.name.as_ref())
        .map_or("", |t| t.as_str());
    if target_kind.is_empty() || target_name.is_empty() {
        warnings.push(Warning::new(
            "hpa_without_target",
            object(),
            "the HPA has no spec.scaleTargetRef kind and name; ignored",
        ));
        return None;
    }
    let api_version = obj.api_version.as_ref().map(|a| a.to_owned_string());
    let v1 = api_version.as_deref() == Some("autoscaling/v1");
    let mut resources = BTreeSet::new();
    let mut other = BTreeSet::new();
    if spec
        .and_then(|s| s.target_cpu_utilization_percentage)
        .is_some()
    {
        resources.insert("cpu".to_owned());
    }
    for m in spec.and_then(|s| s.metrics.as_ref()).into_iter().flatten() {
        let source = m.resource.as_ref().or(m.container_resource.as_ref());
        match source.and_then(|s| s.name.as_ref()) {
            Some(res) if !res.as_str().is_empty() => {
                resources.insert(res.to_owned_string());
            }
            _ => {
                if let Some(t) = m.kind.as_ref().filter(|t| !t.as_str().is_empty()) {
                    other.insert(t.to_owned_string());
                }
            }
        }
    }
    let has_metrics = spec
        .and_then(|s| s.metrics.as_ref())
        .is_some_and(|m| !m.is_empty());
    if resources.is_empty() && (v1 || !has_metrics) {
        // Both versions default to 80% average CPU utilisation.
        resources.insert("cpu".to_owned());
    }
    Some(Hpa {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        api_version,
        target_kind: target_kind.to_owned(),
        target_name: target_name.to_owned(),
        min_replicas: spec.and_then(|s| s.min_replicas),
        max_replicas: spec.and_then(|s| s.max_replicas),
        resources: resources.into_iter().collect(),
        other_metrics: other.into_iter().collect(),
        workload: None,
    })
}
