//! Renders planned nodes and pods as the JSON trees kubectl prints.

use kube_rightsize_core::time::rfc3339_utc as timestamp;

use super::catalog::{self, KUBELET_VERSION, NOW, REGION, ZONES};
use super::json::{J, O, str_map, to_compact_go};
use super::model::{
    Cluster, Ctr, EnvVal, Kind, Node, Phase, Pod, Probe, ProbeAction, Provisioner, Role, Sec, Tol,
    VolSrc, Workload, qos_class,
};
use super::rng::{Rng, hash_str};

/// Renders objects of one planned cluster.
pub struct Renderer<'a> {
    c: &'a Cluster,
    managed_fields: bool,
    /// Per node: the images of the pods it runs (deduplicated, in first-seen order).
    node_images: Vec<Vec<String>>,
    /// A per-cluster tag (`k8s.io/cloud-provider-aws`), AMI and launch template ids.
    cluster_tag: String,
    ami: String,
}

fn arr<T>(items: impl IntoIterator<Item = T>, f: impl Fn(T) -> J) -> J {
    J::Arr(items.into_iter().map(f).collect())
}

fn strs(items: &[String]) -> J {
    arr(items, J::from)
}

/// `repo:tag` as containerd reports it (`nginx:1.27` → `docker.io/library/nginx:1.27`).
fn normalize_image(image: &str) -> String {
    let image = image.split('@').next().unwrap_or(image);
    let first = image.split('/').next().unwrap_or(image);
    if image.contains('/') && (first.contains('.') || first.contains(':')) {
        image.to_owned()
    } else if image.contains('/') {
        format!("docker.io/{image}")
    } else {
        format!("docker.io/library/{image}")
    }
}

/// A stable fake sha256 digest for an image (the same everywhere it appears).
fn digest(image: &str) -> String {
    Rng::new(hash_str(image)).hex(64)
}

fn repo_of(normalized: &str) -> &str {
    match normalized.rfind(':') {
        Some(i) if !normalized[i..].contains('/') => &normalized[..i],
        _ => normalized,
    }
}

fn image_id(image: &str) -> String {
    let n = normalize_image(image);
    match image.split_once("@sha256:") {
        Some((_, pinned)) => format!("{}@sha256:{pinned}", repo_of(&n)),
        None => format!("{}@sha256:{}", repo_of(&n), digest(&n)),
    }
}

/// A stable, plausible image size in bytes.
fn image_size(image: &str) -> u64 {
    5_000_000 + hash_str(&normalize_image(image)) % 600_000_000
}

/// How many images a node lists (kubelet keeps the largest, up to 50; a few here).
const NODE_IMAGES: usize = 12;

fn ip_text(ip: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
}

fn probe_json(p: &Probe) -> J {
    let mut o = O::new();
    match &p.action {
        ProbeAction::Http(path, port) | ProbeAction::Https(path, port) => {
            let scheme = if matches!(p.action, ProbeAction::Https(..)) {
                "HTTPS"
            } else {
                "HTTP"
            };
            o.push(
                "httpGet",
                O::new()
                    .set("path", *path)
                    .set("port", i64::from(*port))
                    .set("scheme", scheme),
            );
        }
        ProbeAction::Tcp(port) => o.push("tcpSocket", O::new().set("port", i64::from(*port))),
        ProbeAction::Exec(cmd) => o.push("exec", O::new().set("command", strs(cmd))),
        ProbeAction::Grpc(port) => o.push(
            "grpc",
            O::new().set("port", i64::from(*port)).set("service", ""),
        ),
    }
    if p.initial > 0 {
        o.push("initialDelaySeconds", p.initial);
    }
    o.set("failureThreshold", p.failure)
        .set("periodSeconds", p.period)
        .set("successThreshold", 1i64)
        .set("timeoutSeconds", p.timeout)
        .into()
}

fn sec_json(sec: Sec) -> Option<J> {
    let drop_all = || O::new().set("drop", vec![J::from("ALL")]);
    match sec {
        Sec::None => None,
        Sec::Restricted => Some(
            O::new()
                .set("allowPrivilegeEscalation", false)
                .set("capabilities", drop_all())
                .set("readOnlyRootFilesystem", true)
                .set("runAsNonRoot", true)
                .into(),
        ),
        Sec::Privileged => Some(O::new().set("privileged", true).into()),
        Sec::NetAdmin => Some(
            O::new()
                .set("allowPrivilegeEscalation", false)
                .set(
                    "capabilities",
                    drop_all().set("add", vec![J::from("NET_ADMIN"), J::from("NET_RAW")]),
                )
                .set("privileged", false)
                .set("readOnlyRootFilesystem", false)
                .set("runAsGroup", 0i64)
                .set("runAsNonRoot", false)
                .set("runAsUser", 0i64)
                .into(),
        ),
    }
}

fn resources_json(c: &Ctr) -> J {
    let r = &c.res;
    let part = |cpu: &Option<super::catalog::Qty>, mem: &Option<super::catalog::Qty>| {
        O::new()
            .opt("cpu", cpu.as_ref().map(|q| q.text.clone()))
            .opt("memory", mem.as_ref().map(|q| q.text.clone()))
            .opt("nvidia.com/gpu", (r.gpu > 0).then(|| r.gpu.to_string()))
    };
    O::new()
        .nonempty("limits", part(&r.lim_cpu, &r.lim_mem))
        .nonempty("requests", part(&r.req_cpu, &r.req_mem))
        .into()
}

/// A `fieldRef` to `field_path` of the pod (`metadata.namespace`, `spec.nodeName`, ...).
fn field_ref(field_path: &'static str) -> O {
    O::new()
        .set("apiVersion", "v1")
        .set("fieldPath", field_path)
}

/// One `downwardAPI` volume item: the pod's `field_path` in the file `path`.
fn downward_item(field_path: &'static str, path: &'static str) -> J {
    J::from(
        O::new()
            .set("fieldRef", field_ref(field_path))
            .set("path", path),
    )
}

fn mount_json(name: &str, path: &str, ro: bool, sub: Option<&str>) -> J {
    O::new()
        .set("mountPath", path.to_owned())
        .set("name", name.to_owned())
        .opt("readOnly", ro.then_some(true))
        .opt("subPath", sub.map(str::to_owned))
        .into()
}

fn condition(kind: &'static str, status: bool, at: i64, reason: Option<&'static str>) -> J {
    O::new()
        .set("lastProbeTime", J::Null)
        .set("lastTransitionTime", timestamp(at))
        .opt("reason", reason)
        .set("status", if status { "True" } else { "False" })
        .set("type", kind)
        .into()
}

/// Whether a list field is keyed (and by what) in `managedFields`, as server-side apply does.
fn merge_keys(field: &str) -> Option<&'static [&'static str]> {
    match field {
        "containers" | "initContainers" | "env" | "volumes" | "imagePullSecrets" => Some(&["name"]),
        "volumeMounts" => Some(&["mountPath"]),
        "ports" => Some(&["containerPort", "protocol"]),
        "conditions" | "addresses" => Some(&["type"]),
        "podIPs" | "hostIPs" => Some(&["ip"]),
        "ownerReferences" => Some(&["uid"]),
        _ => None,
    }
}

/// The `fieldsV1` description of an object's fields.
fn fields_v1(v: &J, dot: bool) -> J {
    let mut o = O::new();
    if dot {
        o.push(".", O::new());
    }
    if let J::Obj(members) = v {
        for (k, val) in members {
            o.push(format!("f:{k}"), field_child(k, val));
        }
    }
    o.into()
}

fn field_child(key: &str, val: &J) -> J {
    match val {
        J::Obj(m) if !m.is_empty() => fields_v1(val, true),
        J::Arr(items) if !items.is_empty() => match merge_keys(key) {
            Some(keys) => {
                let mut o = O::new().set(".", O::new());
                for item in items {
                    let J::Obj(fields) = item else { continue };
                    let key_obj = J::Obj(
                        keys.iter()
                            .filter_map(|k| {
                                fields
                                    .iter()
                                    .find(|(name, _)| name == k)
                                    .map(|(n, v)| (n.clone(), v.clone()))
                            })
                            .collect(),
                    );
                    o.push(
                        format!("k:{}", to_compact_go(&key_obj)),
                        fields_v1(item, true),
                    );
                }
                o.into()
            }
            None => O::new().into(),
        },
        _ => O::new().into(),
    }
}

fn managed_entry(manager: &str, subresource: Option<&'static str>, time: i64, fields: J) -> J {
    O::new()
        .set("apiVersion", "v1")
        .set("fieldsType", "FieldsV1")
        .set("fieldsV1", fields)
        .set("manager", manager.to_owned())
        .set("operation", "Update")
        .opt("subresource", subresource)
        .set("time", timestamp(time))
        .into()
}

/// Keeps only the named members of an object.
fn pick(v: &J, keep: &[&str]) -> J {
    match v {
        J::Obj(m) => J::Obj(
            m.iter()
                .filter(|(k, _)| keep.contains(&k.as_ref()))
                .cloned()
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Drops the named members of an object.
fn without(v: &J, drop: &[&str]) -> J {
    match v {
        J::Obj(m) => J::Obj(
            m.iter()
                .filter(|(k, _)| !drop.contains(&k.as_ref()))
                .cloned()
                .collect(),
        ),
        other => other.clone(),
    }
}

const EKS_ECR: &str = "602401143452.dkr.ecr.us-east-1.amazonaws.com";

impl<'a> Renderer<'a> {
    /// Prepares rendering of `c`.
    pub fn new(c: &'a Cluster, managed_fields: bool) -> Self {
        let mut node_images: Vec<Vec<String>> = vec![Vec::new(); c.nodes.len()];
        for p in &c.pods {
            let Some(ni) = p.node else { continue };
            let list = &mut node_images[ni];
            let w = &c.workloads[p.w];
            for ctr in w.inits.iter().chain(&w.containers) {
                if !list.contains(&ctr.image) {
                    list.push(ctr.image.clone());
                }
            }
        }
        let pause = format!("{EKS_ECR}/eks/pause:3.5");
        for list in &mut node_images {
            list.push(pause.clone());
            // Largest first, as the kubelet reports them.
            list.sort_by_key(|i| (std::cmp::Reverse(image_size(i)), i.clone()));
            list.truncate(NODE_IMAGES);
        }
        let mut r = Rng::stream(c.seed, "cluster", 0);
        Renderer {
            c,
            managed_fields,
            node_images,
            cluster_tag: r.hex(32),
            ami: format!("ami-0{}", r.hex(16)),
        }
    }

    /// A Node object.
    pub fn node(&self, ni: usize) -> J {
        let n: &Node = &self.c.nodes[ni];
        let pool = &self.c.pools[n.pool];
        let t = n.itype;
        let mut r = Rng::stream(self.c.seed, "node", n.seq);
        let (zone, zone_id) = ZONES[n.zone];
        let instance_id = format!("i-0{}", r.hex(16));
        let arch = if t.arm { "arm64" } else { "amd64" };
        let karpenter = pool.provisioner == Provisioner::Karpenter;
        let ip = ip_text(n.ip);

        let mut labels: Vec<(String, String)> = vec![
            ("beta.kubernetes.io/arch".into(), arch.into()),
            ("beta.kubernetes.io/instance-type".into(), t.name.into()),
            ("beta.kubernetes.io/os".into(), "linux".into()),
            (
                "failure-domain.beta.kubernetes.io/region".into(),
                REGION.into(),
            ),
            ("failure-domain.beta.kubernetes.io/zone".into(), zone.into()),
            ("k8s.io/cloud-provider-aws".into(), self.cluster_tag.clone()),
            ("kubernetes.io/arch".into(), arch.into()),
            ("kubernetes.io/hostname".into(), n.name.clone()),
            ("kubernetes.io/os".into(), "linux".into()),
            ("node.kubernetes.io/instance-type".into(), t.name.into()),
            ("topology.ebs.csi.aws.com/zone".into(), zone.into()),
            ("topology.k8s.aws/zone-id".into(), zone_id.into()),
            ("topology.kubernetes.io/region".into(), REGION.into()),
            ("topology.kubernetes.io/zone".into(), zone.into()),
        ];
        if let Some((k, v)) = pool.taint
            && !pool.gpu
        {
            labels.push((k.into(), v.into()));
        }
        let gpu = catalog::gpu_of(t).filter(|_| n.gpus > 0);
        if let Some(g) = gpu {
            // What GPU feature discovery (NVIDIA's device plugin / GPU operator) labels.
            let shared = n.gpu_replicas > 1;
            labels.extend([
                (
                    "nvidia.com/gpu.compute.major".into(),
                    g.compute.0.to_string(),
                ),
                (
                    "nvidia.com/gpu.compute.minor".into(),
                    g.compute.1.to_string(),
                ),
                ("nvidia.com/gpu.count".into(), n.gpus.to_string()),
                ("nvidia.com/gpu.family".into(), g.family.into()),
                ("nvidia.com/gpu.machine".into(), t.name.into()),
                ("nvidia.com/gpu.memory".into(), g.memory_mib.to_string()),
                ("nvidia.com/gpu.present".into(), "true".into()),
                // Time-slicing renames the product (`renameByDefault: false`, the default).
                (
                    "nvidia.com/gpu.product".into(),
                    if shared {
                        format!("{}-SHARED", g.product)
                    } else {
                        g.product.to_owned()
                    },
                ),
                ("nvidia.com/gpu.replicas".into(), n.gpu_replicas.to_string()),
                (
                    "nvidia.com/gpu.sharing-strategy".into(),
                    if shared { "time-slicing" } else { "none" }.into(),
                ),
            ]);
        }
        let mut annotations: Vec<(String, String)> = vec![
            ("alpha.kubernetes.io/provided-node-ip".into(), ip.clone()),
            (
                "csi.volume.kubernetes.io/nodeid".into(),
                format!("{{\"ebs.csi.aws.com\":\"{instance_id}\"}}"),
            ),
            ("node.alpha.kubernetes.io/ttl".into(), "0".into()),
            (
                "volumes.kubernetes.io/controller-managed-attach-detach".into(),
                "true".into(),
            ),
        ];
        let mut meta_extra = O::new();
        if karpenter {
            let family = t.family;
            labels.extend([
                ("karpenter.k8s.aws/ec2nodeclass".into(), "default".into()),
                (
                    "karpenter.k8s.aws/instance-category".into(),
                    family[..1].into(),
                ),
                ("karpenter.k8s.aws/instance-cpu".into(), t.vcpu.to_string()),
                (
                    "karpenter.k8s.aws/instance-cpu-manufacturer".into(),
                    if t.arm { "aws" } else { "intel" }.into(),
                ),
                (
                    "karpenter.k8s.aws/instance-cpu-sustained-clock-speed-mhz".into(),
                    match family {
                        "c5" => "3400",
                        "m6g" => "2500",
                        _ => "3100",
                    }
                    .into(),
                ),
                (
                    "karpenter.k8s.aws/instance-ebs-bandwidth".into(),
                    t.ebs_mbps.to_string(),
                ),
                (
                    "karpenter.k8s.aws/instance-encryption-in-transit-supported".into(),
                    "false".into(),
                ),
                ("karpenter.k8s.aws/instance-family".into(), family.into()),
                (
                    "karpenter.k8s.aws/instance-generation".into(),
                    family[1..2].into(),
                ),
                (
                    "karpenter.k8s.aws/instance-hypervisor".into(),
                    "nitro".into(),
                ),
                (
                    "karpenter.k8s.aws/instance-memory".into(),
                    (u64::from(t.mem_gib) * 1024).to_string(),
                ),
                (
                    "karpenter.k8s.aws/instance-network-bandwidth".into(),
                    t.net_mbps.to_string(),
                ),
                ("karpenter.k8s.aws/instance-size".into(), t.size.into()),
                (
                    "karpenter.sh/capacity-type".into(),
                    if pool.spot { "spot" } else { "on-demand" }.into(),
                ),
                ("karpenter.sh/initialized".into(), "true".into()),
                ("karpenter.sh/nodepool".into(), pool.name.clone()),
                ("karpenter.sh/registered".into(), "true".into()),
            ]);
            annotations.extend([
                (
                    "karpenter.k8s.aws/ec2nodeclass-hash".into(),
                    (r.next_u64() % 10_000_000_000_000_000_000).to_string(),
                ),
                (
                    "karpenter.k8s.aws/ec2nodeclass-hash-version".into(),
                    "v3".into(),
                ),
                (
                    "karpenter.sh/nodepool-hash".into(),
                    (r.next_u64() % 10_000_000_000_000_000_000).to_string(),
                ),
                ("karpenter.sh/nodepool-hash-version".into(), "v3".into()),
            ]);
            meta_extra.push("finalizers", vec![J::from("karpenter.sh/termination")]);
            meta_extra.push(
                "ownerReferences",
                vec![J::from(
                    O::new()
                        .set("apiVersion", "karpenter.sh/v1")
                        .set("blockOwnerDeletion", true)
                        .set("kind", "NodeClaim")
                        .set("name", format!("{}-{}", pool.name, r.k8s_suffix(5)))
                        .set("uid", r.uuid()),
                )],
            );
        } else {
            labels.extend([
                (
                    "eks.amazonaws.com/capacityType".into(),
                    if pool.spot { "SPOT" } else { "ON_DEMAND" }.into(),
                ),
                ("eks.amazonaws.com/nodegroup".into(), pool.name.clone()),
                (
                    "eks.amazonaws.com/nodegroup-image".into(),
                    if pool.gpu {
                        // The EKS-optimized accelerated AMI.
                        format!("ami-0{}", Rng::stream(self.c.seed, "gpu-ami", 0).hex(16))
                    } else {
                        self.ami.clone()
                    },
                ),
                (
                    "eks.amazonaws.com/sourceLaunchTemplateId".into(),
                    format!("lt-0{}", Rng::stream(self.c.seed, &pool.name, 0).hex(16)),
                ),
                (
                    "eks.amazonaws.com/sourceLaunchTemplateVersion".into(),
                    "1".into(),
                ),
            ]);
        }
        let labels_j = str_map(labels);
        let annotations_j = str_map(annotations);

        let mut spec = O::new().set("providerID", format!("aws:///{zone}/{instance_id}"));
        if let Some((k, v)) = pool.taint {
            spec.push(
                "taints",
                vec![J::from(
                    O::new()
                        .set("effect", "NoSchedule")
                        .set("key", k)
                        .set("value", v),
                )],
            );
        }

        let cap_mem = t.mem_capacity_ki();
        let disk_ki = pool.disk_gib * 1024 * 1024;
        let disk_cap_ki = disk_ki - disk_ki * 1026 / 1_000_000;
        let disk_alloc = disk_cap_ki * 1024 * 9 / 10 - 1024 * 1024 * 1024;
        let resources = |cpu: String, eph: String, mem: String| {
            let mut o = O::new()
                .set("cpu", cpu)
                .set("ephemeral-storage", eph)
                .set("hugepages-1Gi", "0")
                .set("hugepages-2Mi", "0");
            if t.arm {
                o = o.set("hugepages-32Mi", "0").set("hugepages-64Ki", "0");
            }
            o.set("memory", mem)
                .opt(
                    "nvidia.com/gpu",
                    (n.gpus > 0).then(|| (n.gpus * n.gpu_replicas).to_string()),
                )
                .set("pods", n.max_pods.to_string())
        };
        let heartbeat = NOW - r.range(5, 240) as i64;
        let ready_at = n.created + r.range(8, 40) as i64;
        let cond =
            |kind: &'static str, status: &'static str, reason: &'static str, msg: &'static str| {
                J::from(
                    O::new()
                        .set("lastHeartbeatTime", timestamp(heartbeat))
                        .set("lastTransitionTime", timestamp(ready_at))
                        .set("message", msg)
                        .set("reason", reason)
                        .set("status", status)
                        .set("type", kind),
                )
            };
        let mut images: Vec<J> = Vec::new();
        for image in &self.node_images[ni] {
            let mut names = vec![J::from(image_id(image))];
            if !image.contains('@') {
                names.push(J::from(normalize_image(image)));
            }
            images.push(
                O::new()
                    .set("names", names)
                    .set("sizeBytes", image_size(image) as i64)
                    .into(),
            );
        }
        let status = O::new()
            .set(
                "addresses",
                vec![
                    J::from(
                        O::new()
                            .set("address", ip.clone())
                            .set("type", "InternalIP"),
                    ),
                    J::from(
                        O::new()
                            .set("address", n.name.clone())
                            .set("type", "InternalDNS"),
                    ),
                    J::from(
                        O::new()
                            .set("address", n.name.clone())
                            .set("type", "Hostname"),
                    ),
                ],
            )
            .set(
                "allocatable",
                resources(
                    format!("{}m", n.alloc_cpu),
                    disk_alloc.to_string(),
                    format!("{}Ki", n.alloc_mem / 1024),
                ),
            )
            .set(
                "capacity",
                resources(
                    t.vcpu.to_string(),
                    format!("{disk_cap_ki}Ki"),
                    format!("{cap_mem}Ki"),
                ),
            )
            .set(
                "conditions",
                vec![
                    cond(
                        "MemoryPressure",
                        "False",
                        "KubeletHasSufficientMemory",
                        "kubelet has sufficient memory available",
                    ),
                    cond(
                        "DiskPressure",
                        "False",
                        "KubeletHasNoDiskPressure",
                        "kubelet has no disk pressure",
                    ),
                    cond(
                        "PIDPressure",
                        "False",
                        "KubeletHasSufficientPID",
                        "kubelet has sufficient PID available",
                    ),
                    cond(
                        "Ready",
                        "True",
                        "KubeletReady",
                        "kubelet is posting ready status",
                    ),
                ],
            )
            .set(
                "daemonEndpoints",
                O::new().set("kubeletEndpoint", O::new().set("Port", 10250i64)),
            )
            .set("images", images)
            .set(
                "nodeInfo",
                O::new()
                    .set("architecture", arch)
                    .set("bootID", r.uuid())
                    .set("containerRuntimeVersion", "containerd://1.7.22")
                    .set(
                        "kernelVersion",
                        if t.arm {
                            "5.10.226-214.880.amzn2.aarch64"
                        } else {
                            "5.10.226-214.880.amzn2.x86_64"
                        },
                    )
                    .set("kubeProxyVersion", KUBELET_VERSION)
                    .set("kubeletVersion", KUBELET_VERSION)
                    .set("machineID", r.hex(32))
                    .set("operatingSystem", "linux")
                    .set("osImage", "Amazon Linux 2")
                    .set("systemUUID", format!("ec2{}", &r.uuid()[3..])),
            );
        let status: J = status.into();

        let mut meta = O::new()
            .set("annotations", annotations_j.clone())
            .set("creationTimestamp", timestamp(n.created))
            .set("labels", labels_j.clone())
            .set("name", n.name.clone())
            .set(
                "resourceVersion",
                r.range(100_000_000, 999_999_999).to_string(),
            )
            .set("uid", r.uuid());
        meta.0.extend(meta_extra.0);
        if self.managed_fields {
            let meta_fields = O::new()
                .set("annotations", annotations_j)
                .set("labels", labels_j);
            let spec_j: J = spec.clone().into();
            meta.push(
                "managedFields",
                vec![
                    managed_entry(
                        "kubelet",
                        None,
                        n.created,
                        O::new()
                            .set("f:metadata", fields_v1(&meta_fields.into(), false))
                            .into(),
                    ),
                    managed_entry(
                        "aws-cloud-controller-manager",
                        None,
                        n.created + 12,
                        O::new().set("f:spec", fields_v1(&spec_j, false)).into(),
                    ),
                    managed_entry(
                        "kubelet",
                        Some("status"),
                        heartbeat,
                        O::new()
                            .set("f:status", fields_v1(&without(&status, &["images"]), false))
                            .into(),
                    ),
                ],
            );
        }
        O::new()
            .set("apiVersion", "v1")
            .set("kind", "Node")
            .set("metadata", meta)
            .set("spec", spec)
            .set("status", status)
            .into()
    }

    fn container(&self, w: &Workload, c: &Ctr, token: &str) -> J {
        let env = arr(&c.env, |e| {
            let o = O::new().set("name", e.name.clone());
            J::from(match &e.val {
                EnvVal::Lit(v) => o.set("value", v.clone()),
                EnvVal::Secret(name, key) => o.set(
                    "valueFrom",
                    O::new().set(
                        "secretKeyRef",
                        O::new().set("key", *key).set("name", name.clone()),
                    ),
                ),
                EnvVal::Field(path) => {
                    o.set("valueFrom", O::new().set("fieldRef", field_ref(path)))
                }
                EnvVal::Resource(res, div) => o.set(
                    "valueFrom",
                    O::new().set(
                        "resourceFieldRef",
                        O::new()
                            .set("containerName", c.name.clone())
                            .set("divisor", *div)
                            .set("resource", *res),
                    ),
                ),
            })
        });
        let ports = arr(&c.ports, |p| {
            J::from(
                O::new()
                    .set("containerPort", i64::from(p.port))
                    .opt("hostPort", p.host.then_some(i64::from(p.port)))
                    .opt("name", p.name)
                    .set("protocol", p.proto),
            )
        });
        let mut mounts: Vec<J> = c
            .mounts
            .iter()
            .map(|m| mount_json(&m.name, &m.path, m.ro, m.sub_path.as_deref()))
            .collect();
        mounts.push(mount_json(
            token,
            "/var/run/secrets/kubernetes.io/serviceaccount",
            true,
            None,
        ));
        O::new()
            .nonempty("args", strs(&c.args))
            .nonempty("command", strs(&c.command))
            .nonempty("env", env)
            .nonempty(
                "envFrom",
                arr(&c.env_from, |(secret, name)| {
                    let key = if *secret { "secretRef" } else { "configMapRef" };
                    J::from(O::new().set(key, O::new().set("name", name.clone())))
                }),
            )
            .set("image", c.image.clone())
            .set(
                "imagePullPolicy",
                if c.image.ends_with(":latest") {
                    "Always"
                } else {
                    "IfNotPresent"
                },
            )
            .opt("livenessProbe", c.liveness.as_ref().map(probe_json))
            .set("name", c.name.clone())
            .nonempty("ports", ports)
            .opt("readinessProbe", c.readiness.as_ref().map(probe_json))
            .set("resources", resources_json(c))
            .opt(
                "restartPolicy",
                (c.role == Role::Native).then_some("Always"),
            )
            .opt("securityContext", sec_json(c.sec))
            .opt("startupProbe", c.startup.as_ref().map(probe_json))
            .set("terminationMessagePath", "/dev/termination-log")
            .set(
                "terminationMessagePolicy",
                if w.platform {
                    "FallbackToLogsOnError"
                } else {
                    "File"
                },
            )
            .set("volumeMounts", mounts)
            .into()
    }

    fn tolerations(&self, w: &Workload) -> J {
        let t = |key: &'static str, effect: &'static str, secs: Option<i64>| {
            J::from(
                O::new()
                    .set("effect", effect)
                    .set("key", key)
                    .set("operator", "Exists")
                    .opt("tolerationSeconds", secs),
            )
        };
        // What the DaemonSet controller adds to its pods.
        let daemonset_tolerations = |out: &mut Vec<J>| {
            for (key, effect) in [
                ("node.kubernetes.io/not-ready", "NoExecute"),
                ("node.kubernetes.io/unreachable", "NoExecute"),
                ("node.kubernetes.io/disk-pressure", "NoSchedule"),
                ("node.kubernetes.io/memory-pressure", "NoSchedule"),
                ("node.kubernetes.io/pid-pressure", "NoSchedule"),
                ("node.kubernetes.io/unschedulable", "NoSchedule"),
            ] {
                out.push(t(key, effect, None));
            }
            if w.host_network {
                out.push(t(
                    "node.kubernetes.io/network-unavailable",
                    "NoSchedule",
                    None,
                ));
            }
        };
        let mut out = Vec::new();
        match w.tol {
            Tol::All => {
                out.push(O::new().set("operator", "Exists").into());
                daemonset_tolerations(&mut out);
            }
            Tol::Default | Tol::PoolTaint => {
                if w.tol == Tol::PoolTaint
                    && let Some(pool) = w.pool
                    && let Some((k, v)) = self.c.pools[pool].taint
                {
                    out.push(if self.c.pools[pool].gpu {
                        // NVIDIA's (and the ExtendedResourceToleration plugin's) spelling.
                        t(k, "NoSchedule", None)
                    } else {
                        O::new()
                            .set("effect", "NoSchedule")
                            .set("key", k)
                            .set("operator", "Equal")
                            .set("value", v)
                            .into()
                    });
                }
                if w.kind == Kind::DaemonSet {
                    daemonset_tolerations(&mut out);
                } else {
                    out.push(t("node.kubernetes.io/not-ready", "NoExecute", Some(300)));
                    out.push(t("node.kubernetes.io/unreachable", "NoExecute", Some(300)));
                }
            }
        }
        J::Arr(out)
    }

    fn volumes(&self, w: &Workload, pod: &str, token: &str) -> J {
        let mut out: Vec<J> = Vec::new();
        for v in &w.volumes {
            let o = O::new().set("name", v.name.clone());
            let o = match &v.src {
                VolSrc::ConfigMap(name) => o.set(
                    "configMap",
                    O::new()
                        .set("defaultMode", 420i64)
                        .set("name", name.clone()),
                ),
                VolSrc::Secret(name) => o.set(
                    "secret",
                    O::new()
                        .set("defaultMode", 420i64)
                        .set("secretName", name.clone()),
                ),
                VolSrc::EmptyDir(medium, size) => o.set(
                    "emptyDir",
                    O::new().opt("medium", *medium).opt("sizeLimit", *size),
                ),
                VolSrc::ClaimTemplate(t) => o.set(
                    "persistentVolumeClaim",
                    O::new().set("claimName", format!("{t}-{pod}")),
                ),
                VolSrc::Pvc(name) => o.set(
                    "persistentVolumeClaim",
                    O::new().set("claimName", name.clone()),
                ),
                VolSrc::HostPath(path, kind) => {
                    o.set("hostPath", O::new().set("path", *path).set("type", *kind))
                }
                VolSrc::PodInfo => o.set(
                    "downwardAPI",
                    O::new().set("defaultMode", 420i64).set(
                        "items",
                        vec![
                            downward_item("metadata.labels", "labels"),
                            downward_item("metadata.annotations", "annotations"),
                        ],
                    ),
                ),
                VolSrc::IstioToken => o.set(
                    "projected",
                    O::new().set("defaultMode", 420i64).set(
                        "sources",
                        vec![J::from(
                            O::new().set(
                                "serviceAccountToken",
                                O::new()
                                    .set("audience", "istio-ca")
                                    .set("expirationSeconds", 43200i64)
                                    .set("path", "istio-token"),
                            ),
                        )],
                    ),
                ),
            };
            out.push(o.into());
        }
        out.push(
            O::new()
                .set("name", token.to_owned())
                .set(
                    "projected",
                    O::new().set("defaultMode", 420i64).set(
                        "sources",
                        vec![
                            J::from(
                                O::new().set(
                                    "serviceAccountToken",
                                    O::new()
                                        .set("expirationSeconds", 3607i64)
                                        .set("path", "token"),
                                ),
                            ),
                            J::from(
                                O::new().set(
                                    "configMap",
                                    O::new()
                                        .set(
                                            "items",
                                            vec![J::from(
                                                O::new().set("key", "ca.crt").set("path", "ca.crt"),
                                            )],
                                        )
                                        .set("name", "kube-root-ca.crt"),
                                ),
                            ),
                            J::from(O::new().set(
                                "downwardAPI",
                                O::new().set(
                                    "items",
                                    vec![downward_item("metadata.namespace", "namespace")],
                                ),
                            )),
                        ],
                    ),
                )
                .into(),
        );
        J::Arr(out)
    }

    /// The `kubectl.kubernetes.io/last-applied-configuration` of a `kubectl apply`-ed bare pod.
    fn last_applied(&self, w: &Workload) -> String {
        let containers = arr(&w.containers, |c| {
            J::from(
                O::new()
                    .nonempty("command", strs(&c.command))
                    .nonempty(
                        "env",
                        arr(&c.env, |e| {
                            J::from(O::new().set("name", e.name.clone()).set(
                                "value",
                                match &e.val {
                                    EnvVal::Lit(v) => v.clone(),
                                    _ => String::new(),
                                },
                            ))
                        }),
                    )
                    .set("image", c.image.clone())
                    .set("name", c.name.clone())
                    .set("resources", resources_json(c)),
            )
        });
        let manifest: J = O::new()
            .set("apiVersion", "v1")
            .set("kind", "Pod")
            .set(
                "metadata",
                O::new()
                    .set("annotations", O::new())
                    .set("labels", O::new().set("run", w.name.clone()))
                    .set("name", w.name.clone())
                    .set("namespace", w.ns.clone()),
            )
            .set(
                "spec",
                O::new()
                    .set("containers", containers)
                    .set("restartPolicy", "Always")
                    .set("terminationGracePeriodSeconds", w.grace),
            )
            .into();
        format!("{}\n", to_compact_go(&manifest))
    }

    /// A Pod object.
    pub fn pod(&self, p: &Pod) -> J {
        let c = self.c;
        let w = &c.workloads[p.w];
        let node = p.node.map(|ni| &c.nodes[ni]);
        let mut r = Rng::stream(c.seed, "pod", p.seq);
        let uid = r.uuid();
        let token = format!("kube-api-access-{}", r.k8s_suffix(5));

        // metadata
        let mut annotations: Vec<(String, String)> = w.annotations.clone();
        if w.kind == Kind::Deployment && w.seq.is_multiple_of(5) && !w.platform {
            annotations.push((
                "kubectl.kubernetes.io/restartedAt".into(),
                timestamp(p.created - 3600 - (w.seq as i64 % 7) * 86_400),
            ));
        }
        if w.last_applied {
            annotations.push((
                "kubectl.kubernetes.io/last-applied-configuration".into(),
                self.last_applied(w),
            ));
        }
        let mut labels: Vec<(String, String)> = w.labels.clone();
        let mut generate_name = None;
        let mut owner = None;
        let owner_ref = |api: &'static str, kind: &'static str, name: String, uid: String| {
            J::Arr(vec![J::from(
                O::new()
                    .set("apiVersion", api)
                    .set("blockOwnerDeletion", true)
                    .set("controller", true)
                    .set("kind", kind)
                    .set("name", name)
                    .set("uid", uid),
            )])
        };
        match w.kind {
            Kind::Deployment => {
                let rs = format!("{}-{}", w.name, w.hash);
                labels.push(("pod-template-hash".into(), w.hash.clone()));
                generate_name = Some(format!("{rs}-"));
                owner = Some(owner_ref("apps/v1", "ReplicaSet", rs, w.owner_uid.clone()));
            }
            Kind::StatefulSet => {
                labels.push(("apps.kubernetes.io/pod-index".into(), p.ordinal.to_string()));
                labels.push((
                    "controller-revision-hash".into(),
                    format!("{}-{}", w.name, w.hash),
                ));
                labels.push(("statefulset.kubernetes.io/pod-name".into(), p.name.clone()));
                generate_name = Some(format!("{}-", w.name));
                owner = Some(owner_ref(
                    "apps/v1",
                    "StatefulSet",
                    w.name.clone(),
                    w.owner_uid.clone(),
                ));
            }
            Kind::DaemonSet => {
                labels.push(("controller-revision-hash".into(), w.hash.clone()));
                labels.push(("pod-template-generation".into(), "1".into()));
                generate_name = Some(format!("{}-", w.name));
                owner = Some(owner_ref(
                    "apps/v1",
                    "DaemonSet",
                    w.name.clone(),
                    w.owner_uid.clone(),
                ));
            }
            Kind::CronJob | Kind::Job => {
                if let Some((job, job_uid)) = &p.job {
                    labels.push(("batch.kubernetes.io/controller-uid".into(), job_uid.clone()));
                    labels.push(("batch.kubernetes.io/job-name".into(), job.clone()));
                    labels.push(("controller-uid".into(), job_uid.clone()));
                    labels.push(("job-name".into(), job.clone()));
                    generate_name = Some(format!("{job}-"));
                    owner = Some(owner_ref("batch/v1", "Job", job.clone(), job_uid.clone()));
                }
            }
            Kind::Bare => {
                labels = vec![("run".into(), w.name.clone())];
            }
        }
        let labels_j = str_map(labels);
        let annotations_j = str_map(annotations);
        let mut meta = O::new()
            .nonempty("annotations", annotations_j)
            .set("creationTimestamp", timestamp(p.created));
        if matches!(w.kind, Kind::CronJob | Kind::Job) && p.phase == Phase::Running {
            meta.push(
                "finalizers",
                vec![J::from("batch.kubernetes.io/job-tracking")],
            );
        }
        let meta = meta
            .opt("generateName", generate_name)
            .set("labels", labels_j)
            .set("name", p.name.clone())
            .set("namespace", w.ns.clone())
            .opt("ownerReferences", owner)
            .set(
                "resourceVersion",
                r.range(1_000_000, 499_999_999).to_string(),
            )
            .set("uid", uid);

        // spec
        let mut spec = O::new();
        let mut affinity = O::new();
        if w.kind == Kind::DaemonSet
            && let Some(n) = node
        {
            affinity.push(
                "nodeAffinity",
                O::new().set(
                    "requiredDuringSchedulingIgnoredDuringExecution",
                    O::new().set(
                        "nodeSelectorTerms",
                        vec![J::from(O::new().set(
                            "matchFields",
                            vec![J::from(
                                O::new()
                                    .set("key", "metadata.name")
                                    .set("operator", "In")
                                    .set("values", vec![J::from(n.name.clone())]),
                            )],
                        ))],
                    ),
                ),
            );
        }
        if w.anti_affinity {
            affinity.push(
                "podAntiAffinity",
                O::new().set(
                    "preferredDuringSchedulingIgnoredDuringExecution",
                    vec![J::from(
                        O::new()
                            .set(
                                "podAffinityTerm",
                                O::new()
                                    .set(
                                        "labelSelector",
                                        O::new().set(
                                            "matchLabels",
                                            str_map(w.labels.iter().take(1).cloned()),
                                        ),
                                    )
                                    .set("topologyKey", "kubernetes.io/hostname"),
                            )
                            .set("weight", 100i64),
                    )],
                ),
            );
        }
        if !affinity.is_empty() {
            spec.push("affinity", affinity);
        }
        spec.push(
            "containers",
            arr(&w.containers, |ctr| self.container(w, ctr, &token)),
        );
        spec.push("dnsPolicy", w.dns_policy);
        spec.push("enableServiceLinks", true);
        if w.host_network {
            spec.push("hostNetwork", true);
        }
        if w.kind == Kind::StatefulSet {
            spec.push("hostname", p.name.clone());
            spec.push("subdomain", format!("{}-headless", w.name));
        }
        if !w.inits.is_empty() {
            spec.push(
                "initContainers",
                arr(&w.inits, |ctr| self.container(w, ctr, &token)),
            );
        }
        if let Some(n) = node {
            spec.push("nodeName", n.name.clone());
        }
        if let Some(pool) = w.pool {
            let pool = &c.pools[pool];
            let key = match pool.provisioner {
                Provisioner::Managed => "eks.amazonaws.com/nodegroup",
                Provisioner::Karpenter => "karpenter.sh/nodepool",
            };
            spec.push("nodeSelector", O::new().set(key, pool.name.clone()));
        } else if w.platform || w.kind == Kind::DaemonSet {
            spec.push("nodeSelector", O::new().set("kubernetes.io/os", "linux"));
        }
        spec.push("preemptionPolicy", "PreemptLowerPriority");
        match w.priority {
            Some((name, value)) => {
                spec.push("priority", value);
                spec.push("priorityClassName", name);
            }
            None => spec.push("priority", 0i64),
        }
        spec.push("restartPolicy", w.restart_policy);
        spec.push("schedulerName", "default-scheduler");
        spec.push(
            "securityContext",
            if w.pod_nonroot {
                O::new()
                    .set("fsGroup", 65534i64)
                    .set("runAsGroup", 65534i64)
                    .set("runAsNonRoot", true)
                    .set("runAsUser", 65534i64)
                    .set("seccompProfile", O::new().set("type", "RuntimeDefault"))
            } else {
                O::new()
            },
        );
        spec.push("serviceAccount", w.service_account.clone());
        spec.push("serviceAccountName", w.service_account.clone());
        spec.push("terminationGracePeriodSeconds", w.grace);
        spec.push("tolerations", self.tolerations(w));
        spec.push("volumes", self.volumes(w, &p.name, &token));
        let spec: J = spec.into();

        let status: J = self.status(w, p, node, &mut r);

        let mut meta = meta;
        if self.managed_fields {
            let creator = match w.kind {
                Kind::Bare if w.last_applied => "kubectl-client-side-apply",
                Kind::Bare => "kubectl-run",
                _ => "kube-controller-manager",
            };
            let meta_j: J = meta.clone().into();
            let mut entries = vec![managed_entry(
                creator,
                None,
                p.created,
                O::new()
                    .set(
                        "f:metadata",
                        fields_v1(
                            &pick(
                                &meta_j,
                                &["annotations", "generateName", "labels", "ownerReferences"],
                            ),
                            false,
                        ),
                    )
                    .set("f:spec", fields_v1(&without(&spec, &["nodeName"]), false))
                    .into(),
            )];
            match p.phase {
                Phase::Pending => entries.push(managed_entry(
                    "kube-scheduler",
                    Some("status"),
                    p.created,
                    O::new()
                        .set(
                            "f:status",
                            fields_v1(&pick(&status, &["conditions"]), false),
                        )
                        .into(),
                )),
                _ => entries.push(managed_entry(
                    "kubelet",
                    Some("status"),
                    p.created + 30,
                    O::new()
                        .set(
                            "f:status",
                            fields_v1(&without(&status, &["qosClass"]), false),
                        )
                        .into(),
                )),
            }
            meta.push("managedFields", entries);
        }

        O::new()
            .set("apiVersion", "v1")
            .set("kind", "Pod")
            .set("metadata", meta)
            .set("spec", spec)
            .set("status", status)
            .into()
    }

    fn status(&self, w: &Workload, p: &Pod, node: Option<&Node>, r: &mut Rng) -> J {
        let qos = qos_class(w);
        if p.phase == Phase::Pending {
            return O::new()
                .set(
                    "conditions",
                    vec![J::from(
                        O::new()
                            .set("lastProbeTime", J::Null)
                            .set("lastTransitionTime", timestamp(p.created))
                            .set("message", p.pending_msg.clone().unwrap_or_default())
                            .set("reason", "Unschedulable")
                            .set("status", "False")
                            .set("type", "PodScheduled"),
                    )],
                )
                .set("phase", "Pending")
                .set("qosClass", qos)
                .into();
        }
        let node = node.expect("scheduled pods have a node");
        let start = p.created + 1;
        let mut t = start + r.range(1, 4) as i64;
        let containerd = |r: &mut Rng| format!("containerd://{}", r.hex(64));
        let terminated = |r: &mut Rng, from: i64, to: i64, code: i64, reason: &'static str| {
            O::new()
                .set("containerID", format!("containerd://{}", r.hex(64)))
                .set("exitCode", code)
                .set("finishedAt", timestamp(to))
                .set("reason", reason)
                .set("startedAt", timestamp(from))
        };
        let mut init_statuses = Vec::new();
        for c in &w.inits {
            let begin = t;
            let o = O::new()
                .set("containerID", containerd(r))
                .set("image", normalize_image(&c.image))
                .set("imageID", image_id(&c.image))
                .set("lastState", O::new())
                .set("name", c.name.clone());
            let o = if c.role == Role::Native {
                t += r.range(1, 5) as i64;
                o.set("ready", true)
                    .set("restartCount", 0i64)
                    .set("started", true)
                    .set(
                        "state",
                        O::new().set("running", O::new().set("startedAt", timestamp(begin))),
                    )
            } else {
                t += r.range(1, 20) as i64;
                o.set("ready", true)
                    .set("restartCount", 0i64)
                    .set("started", false)
                    .set(
                        "state",
                        O::new().set("terminated", terminated(r, begin, t, 0, "Completed")),
                    )
            };
            init_statuses.push(J::from(o));
        }
        let initialized = t;
        let running = p.phase == Phase::Running;
        let ready_at = initialized + r.range(3, 60) as i64;
        let finished = ready_at + r.range(20, 900) as i64;
        let mut statuses: Vec<(String, J)> = Vec::new();
        for c in &w.containers {
            let last_state = if running && p.restarts > 0 {
                let oom = w.under;
                let end = NOW - r.range(300, 5 * 86_400) as i64;
                let end = end.max(ready_at + 120);
                let began = end - r.range(60, 86_400) as i64;
                O::new().set(
                    "terminated",
                    terminated(
                        r,
                        began,
                        end,
                        if oom { 137 } else { 2 },
                        if oom { "OOMKilled" } else { "Error" },
                    ),
                )
            } else {
                O::new()
            };
            let o = O::new()
                .set("containerID", containerd(r))
                .set("image", normalize_image(&c.image))
                .set("imageID", image_id(&c.image))
                .set("lastState", last_state)
                .set("name", c.name.clone());
            let o = match p.phase {
                Phase::Running => o
                    .set("ready", true)
                    .set("restartCount", i64::from(p.restarts))
                    .set("started", true)
                    .set(
                        "state",
                        O::new().set(
                            "running",
                            O::new().set(
                                "startedAt",
                                timestamp(if p.restarts > 0 {
                                    (NOW - r.range(60, 3 * 86_400) as i64).max(initialized)
                                } else {
                                    initialized
                                }),
                            ),
                        ),
                    ),
                _ => {
                    let failed = p.phase == Phase::Failed;
                    o.set("ready", false)
                        .set("restartCount", 0i64)
                        .set("started", false)
                        .set(
                            "state",
                            O::new().set(
                                "terminated",
                                terminated(
                                    r,
                                    initialized,
                                    finished,
                                    if failed { 1 } else { 0 },
                                    if failed { "Error" } else { "Completed" },
                                ),
                            ),
                        )
                }
            };
            statuses.push((c.name.clone(), o.into()));
        }
        statuses.sort_by(|a, b| a.0.cmp(&b.0));
        let done_reason = match p.phase {
            Phase::Succeeded => Some("PodCompleted"),
            Phase::Failed => Some("PodFailed"),
            _ => None,
        };
        let conditions = vec![
            condition("PodReadyToStartContainers", running, start + 2, None),
            condition(
                "Initialized",
                true,
                initialized,
                done_reason.filter(|_| w.inits.is_empty()),
            ),
            condition(
                "Ready",
                running,
                if running { ready_at } else { finished },
                done_reason,
            ),
            condition(
                "ContainersReady",
                running,
                if running { ready_at } else { finished },
                done_reason,
            ),
            condition("PodScheduled", true, p.created, None),
        ];
        let host_ip = ip_text(node.ip);
        let pod_ip = p.ip.map(ip_text).unwrap_or_else(|| host_ip.clone());
        let mut o = O::new()
            .set("conditions", conditions)
            .set(
                "containerStatuses",
                J::Arr(statuses.into_iter().map(|s| s.1).collect()),
            )
            .set("hostIP", host_ip.clone())
            .set("hostIPs", vec![J::from(O::new().set("ip", host_ip))]);
        if !init_statuses.is_empty() {
            o.push("initContainerStatuses", init_statuses);
        }
        o.set(
            "phase",
            match p.phase {
                Phase::Running => "Running",
                Phase::Succeeded => "Succeeded",
                Phase::Failed => "Failed",
                Phase::Pending => "Pending",
            },
        )
        .set("podIP", pod_ip.clone())
        .set("podIPs", vec![J::from(O::new().set("ip", pod_ip))])
        .set("qosClass", qos)
        .set("startTime", timestamp(start))
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_normalize_like_containerd() {
        assert_eq!(
            normalize_image("nginx:1.27"),
            "docker.io/library/nginx:1.27"
        );
        assert_eq!(
            normalize_image("bitnami/kafka:3"),
            "docker.io/bitnami/kafka:3"
        );
        assert_eq!(normalize_image("quay.io/x/y:1"), "quay.io/x/y:1");
        assert_eq!(normalize_image("q.io/x:1@sha256:ab"), "q.io/x:1");
        assert!(image_id("nginx:1.27").starts_with("docker.io/library/nginx@sha256:"));
    }

    #[test]
    fn fields_v1_keys_lists() {
        let v: J = O::new()
            .set(
                "ports",
                vec![J::from(
                    O::new()
                        .set("containerPort", 53i64)
                        .set("protocol", "UDP")
                        .set("name", "dns"),
                )],
            )
            .set("args", vec![J::from("-v")])
            .into();
        let f = fields_v1(&v, false);
        let J::Obj(m) = &f else { panic!() };
        assert_eq!(m[0].0, "f:ports");
        let J::Obj(ports) = &m[0].1 else { panic!() };
        assert_eq!(ports[1].0, "k:{\"containerPort\":53,\"protocol\":\"UDP\"}");
        assert_eq!(m[1].1, J::Obj(vec![]));
    }
}
