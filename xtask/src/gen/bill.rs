//! The objects behind the rest of the bill, as `kubectl get pvc,pv,storageclass,svc,ns -A -o
//! json` prints them after the nodes and pods: a claim and a bound gp3 volume per claim the
//! pods mount (StatefulSet claim templates and named claims), one released volume (idle
//! storage), the two EKS storage classes, a Network Load Balancer for ingress-nginx and a
//! ClusterIP Service per app Deployment, and the namespaces.

use kube_rightsize_core::time::rfc3339_utc as timestamp;

use super::catalog::{NOW, ZONES};
use super::json::{J, O, str_map};
use super::model::{Cluster, Kind, VolSrc};
use super::rng::Rng;

/// A claim's size: Prometheus' database is large, app data small.
fn claim_gib(claim: &str) -> u64 {
    if claim.starts_with("prometheus") {
        200
    } else if claim.starts_with("data") {
        100
    } else {
        10
    }
}

struct ClaimPlan {
    ns: String,
    name: String,
    gib: u64,
    zone: usize,
    created: i64,
}

/// Every claim the pods mount, once, in namespace and name order.
fn claims(c: &Cluster) -> Vec<ClaimPlan> {
    let mut out: Vec<ClaimPlan> = Vec::new();
    for p in &c.pods {
        let w = &c.workloads[p.w];
        for v in &w.volumes {
            let name = match &v.src {
                VolSrc::ClaimTemplate(t) => format!("{t}-{}", p.name),
                VolSrc::Pvc(n) => n.clone(),
                _ => continue,
            };
            if out.iter().any(|c| c.ns == w.ns && c.name == name) {
                continue;
            }
            let template = match &v.src {
                VolSrc::ClaimTemplate(t) => t.as_str(),
                _ => name.as_str(),
            };
            out.push(ClaimPlan {
                ns: w.ns.clone(),
                gib: claim_gib(template),
                zone: p.node.map_or(0, |n| c.nodes[n].zone),
                created: p.created,
                name,
            });
        }
    }
    out.sort_by(|a, b| (&a.ns, &a.name).cmp(&(&b.ns, &b.name)));
    out
}

fn meta(name: &str, ns: Option<&str>, uid: String, created: i64) -> O {
    O::new()
        .set("creationTimestamp", timestamp(created))
        .set("name", name.to_owned())
        .opt("namespace", ns.map(str::to_owned))
        .set("resourceVersion", "1")
        .set("uid", uid)
}

fn zone_affinity(zone: usize) -> J {
    J::from(O::new().set(
        "required",
        O::new().set(
            "nodeSelectorTerms",
            J::Arr(vec![J::from(O::new().set(
                "matchExpressions",
                J::Arr(vec![J::from(
                    O::new()
                        .set("key", "topology.kubernetes.io/zone")
                        .set("operator", "In")
                        .set("values", J::Arr(vec![J::from(ZONES[zone].0)])),
                )]),
            ))]),
        ),
    ))
}

fn pv(
    name: &str,
    gib: u64,
    claim: Option<(&str, &str)>,
    zone: usize,
    phase: &'static str,
    r: &mut Rng,
) -> J {
    let mut spec = O::new()
        .set("accessModes", J::Arr(vec![J::from("ReadWriteOnce")]))
        .set("capacity", O::new().set("storage", format!("{gib}Gi")))
        .set(
            "csi",
            O::new()
                .set("driver", "ebs.csi.aws.com")
                .set("fsType", "ext4")
                .set("volumeHandle", format!("vol-0{}", r.hex(16))),
        )
        .set("nodeAffinity", zone_affinity(zone))
        .set("persistentVolumeReclaimPolicy", "Delete")
        .set("storageClassName", "gp3")
        .set("volumeMode", "Filesystem");
    if let Some((ns, n)) = claim {
        spec = spec.set(
            "claimRef",
            O::new()
                .set("apiVersion", "v1")
                .set("kind", "PersistentVolumeClaim")
                .set("name", n.to_owned())
                .set("namespace", ns.to_owned()),
        );
    }
    J::from(
        O::new()
            .set("apiVersion", "v1")
            .set("kind", "PersistentVolume")
            .set(
                "metadata",
                meta(name, None, r.uuid(), NOW - 30 * 86_400).set(
                    "annotations",
                    str_map([("pv.kubernetes.io/provisioned-by", "ebs.csi.aws.com")]),
                ),
            )
            .set("spec", spec)
            .set("status", O::new().set("phase", phase)),
    )
}

fn storage_class(
    name: &'static str,
    provisioner: &'static str,
    params: &[(&'static str, &'static str)],
    default: bool,
) -> J {
    let mut m = meta(
        name,
        None,
        Rng::stream(0, name, 0).uuid(),
        NOW - 400 * 86_400,
    );
    if default {
        m = m.set(
            "annotations",
            str_map([("storageclass.kubernetes.io/is-default-class", "true")]),
        );
    }
    J::from(
        O::new()
            .set("allowVolumeExpansion", true)
            .set("apiVersion", "storage.k8s.io/v1")
            .set("kind", "StorageClass")
            .set("metadata", m)
            .set("parameters", str_map(params.iter().copied()))
            .set("provisioner", provisioner)
            .set("reclaimPolicy", "Delete")
            .set("volumeBindingMode", "WaitForFirstConsumer"),
    )
}

fn service(ns: &str, name: &str, selector: &[(String, String)], lb: bool, r: &mut Rng) -> J {
    let mut m = meta(name, Some(ns), r.uuid(), NOW - 200 * 86_400);
    if lb {
        m = m.set(
            "annotations",
            str_map([
                ("service.beta.kubernetes.io/aws-load-balancer-type", "nlb"),
                (
                    "service.beta.kubernetes.io/aws-load-balancer-scheme",
                    "internet-facing",
                ),
            ]),
        );
    }
    let ports = J::Arr(vec![J::from(
        O::new()
            .set("name", "http")
            .set("port", if lb { 80i64 } else { 8080 })
            .set("protocol", "TCP")
            .set("targetPort", 8080i64),
    )]);
    let status = if lb {
        O::new().set(
            "loadBalancer",
            O::new().set(
                "ingress",
                J::Arr(vec![J::from(O::new().set(
                    "hostname",
                    format!("a{}-{}.elb.us-east-1.amazonaws.com", r.hex(32), r.hex(16)),
                ))]),
            ),
        )
    } else {
        O::new().set("loadBalancer", O::new())
    };
    J::from(
        O::new()
            .set("apiVersion", "v1")
            .set("kind", "Service")
            .set("metadata", m)
            .set(
                "spec",
                O::new()
                    .set("ports", ports)
                    .set(
                        "selector",
                        str_map(selector.iter().map(|(k, v)| (k.clone(), v.clone()))),
                    )
                    .set("type", if lb { "LoadBalancer" } else { "ClusterIP" }),
            )
            .set("status", status),
    )
}

/// The bill's objects in kubectl's order for `pvc,pv,storageclass,svc,ns`.
pub fn objects(c: &Cluster) -> Vec<J> {
    let mut r = Rng::stream(c.seed, "bill", 0);
    let claims = claims(c);
    let volumes: Vec<String> = claims.iter().map(|_| format!("pvc-{}", r.uuid())).collect();
    let mut out: Vec<J> = claims
        .iter()
        .zip(&volumes)
        .map(|(cl, pv)| {
            J::from(
                O::new()
                    .set("apiVersion", "v1")
                    .set("kind", "PersistentVolumeClaim")
                    .set(
                        "metadata",
                        meta(&cl.name, Some(&cl.ns), r.uuid(), cl.created),
                    )
                    .set(
                        "spec",
                        O::new()
                            .set("accessModes", J::Arr(vec![J::from("ReadWriteOnce")]))
                            .set(
                                "resources",
                                O::new().set(
                                    "requests",
                                    O::new().set("storage", format!("{}Gi", cl.gib)),
                                ),
                            )
                            .set("storageClassName", "gp3")
                            .set("volumeMode", "Filesystem")
                            .set("volumeName", pv.clone()),
                    )
                    .set(
                        "status",
                        O::new()
                            .set("accessModes", J::Arr(vec![J::from("ReadWriteOnce")]))
                            .set("capacity", O::new().set("storage", format!("{}Gi", cl.gib)))
                            .set("phase", "Bound"),
                    ),
            )
        })
        .collect();
    let mut pvs: Vec<(String, J)> = claims
        .iter()
        .zip(&volumes)
        .map(|(cl, name)| {
            (
                name.clone(),
                pv(
                    name,
                    cl.gib,
                    Some((&cl.ns, &cl.name)),
                    cl.zone,
                    "Bound",
                    &mut r,
                ),
            )
        })
        .collect();
    // A volume whose claim was deleted: released, still billed.
    let released = format!("pvc-{}", r.uuid());
    pvs.push((
        released.clone(),
        pv(
            &released,
            100,
            Some(("default", "old-data")),
            0,
            "Released",
            &mut r,
        ),
    ));
    pvs.sort_by(|a, b| a.0.cmp(&b.0));
    out.extend(pvs.into_iter().map(|(_, j)| j));
    out.push(storage_class(
        "gp2",
        "kubernetes.io/aws-ebs",
        &[("fsType", "ext4"), ("type", "gp2")],
        true,
    ));
    out.push(storage_class(
        "gp3",
        "ebs.csi.aws.com",
        &[("encrypted", "true"), ("type", "gp3")],
        false,
    ));
    let mut services: Vec<(String, String, J)> = Vec::new();
    for w in &c.workloads {
        let ingress = w.name == "ingress-nginx-controller";
        if !(ingress || (w.kind == Kind::Deployment && !w.platform)) {
            continue;
        }
        let selector: Vec<(String, String)> = w
            .labels
            .iter()
            .filter(|(k, _)| {
                k == "app"
                    || k.starts_with("app.kubernetes.io/name")
                    || k.starts_with("app.kubernetes.io/instance")
            })
            .cloned()
            .collect();
        if selector.is_empty() {
            continue;
        }
        let name = w.name.clone();
        services.push((
            w.ns.clone(),
            name.clone(),
            service(&w.ns, &name, &selector, ingress, &mut r),
        ));
    }
    services.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out.extend(services.into_iter().map(|(_, _, j)| j));
    let mut namespaces: Vec<&str> = c.workloads.iter().map(|w| w.ns.as_str()).collect();
    namespaces.push("default");
    namespaces.sort_unstable();
    namespaces.dedup();
    for ns in namespaces {
        out.push(J::from(
            O::new()
                .set("apiVersion", "v1")
                .set("kind", "Namespace")
                .set(
                    "metadata",
                    meta(
                        ns,
                        None,
                        Rng::stream(c.seed, ns, 0).uuid(),
                        NOW - 400 * 86_400,
                    )
                    .set("labels", {
                        let mut labels = vec![("kubernetes.io/metadata.name", ns.to_owned())];
                        if !matches!(ns, "kube-system" | "default") {
                            labels.push(("team", super::workloads::team_of(ns).to_owned()));
                        }
                        str_map(labels)
                    }),
                )
                .set(
                    "spec",
                    O::new().set("finalizers", J::Arr(vec![J::from("kubernetes")])),
                )
                .set("status", O::new().set("phase", "Active")),
        ));
    }
    out
}
