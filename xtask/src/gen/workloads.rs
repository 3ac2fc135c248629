//! Workload templates: EKS system DaemonSets, platform add-ons and application workloads.

use super::catalog::{ACCOUNT, Profile, VKind, cpu, mem, mib};
use super::model::{
    Ctr, Env, EnvVal, Kind, Mount, Pattern, Port, Probe, ProbeAction, Res, Role, Sec, Tol, Vol,
    VolSrc, Workload,
};
use super::rng::Rng;

/// The ECR registry hosting EKS add-on images in us-east-1.
const EKS_ECR: &str = "602401143452.dkr.ecr.us-east-1.amazonaws.com";

fn s(v: &str) -> String {
    v.to_owned()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

/// A container with the defaults every container starts from.
pub fn ctr(name: &str, image: &str) -> Ctr {
    Ctr {
        name: s(name),
        image: s(image),
        command: Vec::new(),
        args: Vec::new(),
        ports: Vec::new(),
        env: Vec::new(),
        env_from: Vec::new(),
        liveness: None,
        readiness: None,
        startup: None,
        mounts: Vec::new(),
        res: Res::default(),
        role: Role::Main,
        sec: Sec::None,
        scalable: false,
        raw_cpu: 0.0,
        raw_mem: 0.0,
        pattern: Pattern::ReqOnly,
    }
}

fn lit(name: &str, value: &str) -> Env {
    Env {
        name: s(name),
        val: EnvVal::Lit(s(value)),
    }
}

fn field(name: &str, path: &'static str) -> Env {
    Env {
        name: s(name),
        val: EnvVal::Field(path),
    }
}

fn secret_ref(name: &str, secret: &str, key: &'static str) -> Env {
    Env {
        name: s(name),
        val: EnvVal::Secret(s(secret), key),
    }
}

fn port(name: &'static str, number: u16) -> Port {
    Port {
        name: Some(name),
        port: number,
        proto: "TCP",
        host: false,
    }
}

fn probe(action: ProbeAction, initial: i64, period: i64, timeout: i64, failure: i64) -> Probe {
    Probe {
        action,
        initial,
        period,
        timeout,
        failure,
    }
}

fn http(path: &'static str, number: u16) -> Option<Probe> {
    Some(probe(ProbeAction::Http(path, number), 0, 10, 1, 3))
}

fn mount(name: &str, path: &str, ro: bool) -> Mount {
    Mount {
        name: s(name),
        path: s(path),
        ro,
        sub_path: None,
    }
}

fn vol(name: &str, src: VolSrc) -> Vol {
    Vol { name: s(name), src }
}

fn res(rc: Option<&str>, rm: Option<&str>, lc: Option<&str>, lm: Option<&str>) -> Res {
    Res {
        req_cpu: rc.map(cpu),
        req_mem: rm.map(mem),
        lim_cpu: lc.map(cpu),
        lim_mem: lm.map(mem),
        gpu: 0,
    }
}

/// A workload with common defaults; the caller fills in containers and specifics.
pub fn workload(kind: Kind, ns: &str, name: &str, rng: &mut Rng) -> Workload {
    Workload {
        kind,
        name: s(name),
        ns: s(ns),
        profile: None,
        labels: Vec::new(),
        annotations: Vec::new(),
        containers: Vec::new(),
        inits: Vec::new(),
        volumes: Vec::new(),
        pool: None,
        tol: Tol::Default,
        host_network: false,
        priority: None,
        service_account: s("default"),
        dns_policy: "ClusterFirst",
        restart_policy: "Always",
        grace: 30,
        pod_nonroot: false,
        anti_affinity: false,
        hash: match kind {
            Kind::Deployment | Kind::StatefulSet => rng.k8s_suffix(10),
            _ => rng.k8s_suffix(8),
        },
        owner_uid: rng.uuid(),
        replicas: 1,
        over: false,
        under: false,
        meshed: false,
        hpa: false,
        huge: false,
        platform: false,
        period_min: 60,
        last_applied: false,
        seq: 0,
    }
}

fn hostpath(name: &str, path: &'static str, kind: &'static str) -> Vol {
    vol(name, VolSrc::HostPath(path, kind))
}

/// The node-level DaemonSets, most essential first: aws-node, kube-proxy, ebs-csi-node,
/// node-exporter, fluent-bit.
pub fn daemonsets(cluster: &str, rng: &mut Rng) -> Vec<Workload> {
    let mut out = Vec::new();

    // aws-node (VPC CNI).
    let mut w = workload(Kind::DaemonSet, "kube-system", "aws-node", rng);
    w.labels = vec![
        (s("app.kubernetes.io/instance"), s("aws-vpc-cni")),
        (s("app.kubernetes.io/name"), s("aws-node")),
        (s("k8s-app"), s("aws-node")),
    ];
    let mut c = ctr(
        "aws-node",
        &format!("{EKS_ECR}/amazon-k8s-cni:v1.18.5-eksbuild.1"),
    );
    c.ports = vec![Port {
        name: Some("metrics"),
        port: 61678,
        proto: "TCP",
        host: true,
    }];
    c.env = vec![
        lit("ADDITIONAL_ENI_TAGS", "{}"),
        lit("ANNOTATE_POD_IP", "false"),
        lit("AWS_VPC_CNI_NODE_PORT_SUPPORT", "true"),
        lit("AWS_VPC_ENI_MTU", "9001"),
        lit("AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "false"),
        lit("AWS_VPC_K8S_CNI_EXTERNALSNAT", "false"),
        lit("AWS_VPC_K8S_CNI_LOGLEVEL", "DEBUG"),
        lit(
            "AWS_VPC_K8S_CNI_LOG_FILE",
            "/host/var/log/aws-routed-eni/ipamd.log",
        ),
        lit("AWS_VPC_K8S_CNI_RANDOMIZESNAT", "prng"),
        lit("AWS_VPC_K8S_CNI_VETHPREFIX", "eni"),
        lit(
            "AWS_VPC_K8S_PLUGIN_LOG_FILE",
            "/var/log/aws-routed-eni/plugin.log",
        ),
        lit("AWS_VPC_K8S_PLUGIN_LOG_LEVEL", "DEBUG"),
        lit("CLUSTER_NAME", cluster),
        lit("DISABLE_INTROSPECTION", "false"),
        lit("DISABLE_METRICS", "false"),
        lit("DISABLE_NETWORK_RESOURCE_PROVISIONING", "false"),
        lit("ENABLE_IPv4", "true"),
        lit("ENABLE_IPv6", "false"),
        lit("ENABLE_POD_ENI", "false"),
        lit("ENABLE_PREFIX_DELEGATION", "false"),
        field("MY_NODE_NAME", "spec.nodeName"),
        field("MY_POD_NAME", "metadata.name"),
        lit("NETWORK_POLICY_ENFORCING_MODE", "standard"),
        lit("VPC_CNI_VERSION", "v1.18.5"),
        lit("WARM_ENI_TARGET", "1"),
        lit("WARM_PREFIX_TARGET", "1"),
    ];
    let grpc = strings(&[
        "/app/grpc-health-probe",
        "-addr=:50051",
        "-connect-timeout=5s",
        "-rpc-timeout=5s",
    ]);
    c.liveness = Some(probe(ProbeAction::Exec(grpc.clone()), 60, 10, 10, 3));
    c.readiness = Some(probe(ProbeAction::Exec(grpc), 1, 10, 10, 3));
    c.res = res(Some("25m"), None, None, None);
    c.sec = Sec::NetAdmin;
    c.mounts = vec![
        mount("cni-bin-dir", "/host/opt/cni/bin", false),
        mount("cni-net-dir", "/host/etc/cni/net.d", false),
        mount("log-dir", "/host/var/log/aws-routed-eni", false),
        mount("run-dir", "/var/run/aws-node", false),
        mount("xtables-lock", "/run/xtables.lock", false),
    ];
    let mut agent = ctr(
        "aws-eks-nodeagent",
        &format!("{EKS_ECR}/amazon/aws-network-policy-agent:v1.1.3-eksbuild.1"),
    );
    agent.args = strings(&[
        "--enable-ipv6=false",
        "--enable-network-policy=false",
        "--enable-cloudwatch-logs=false",
        "--enable-policy-event-logs=false",
        "--log-file=/var/log/aws-routed-eni/network-policy-agent.log",
        "--metrics-bind-addr=:8162",
        "--health-probe-bind-addr=:8163",
        "--conntrack-cache-cleanup-period=300",
    ]);
    agent.env = vec![field("MY_NODE_NAME", "spec.nodeName")];
    agent.res = res(Some("25m"), None, None, None);
    agent.sec = Sec::Privileged;
    agent.mounts = vec![
        mount("bpf-pin-path", "/sys/fs/bpf", false),
        mount("log-dir", "/var/log/aws-routed-eni", false),
        mount("run-dir", "/var/run/aws-node", false),
    ];
    let mut init = ctr(
        "aws-vpc-cni-init",
        &format!("{EKS_ECR}/amazon-k8s-cni-init:v1.18.5-eksbuild.1"),
    );
    init.role = Role::Init;
    init.env = vec![
        lit("DISABLE_TCP_EARLY_DEMUX", "false"),
        lit("ENABLE_IPv6", "false"),
    ];
    init.res = res(Some("25m"), None, None, None);
    init.sec = Sec::Privileged;
    init.mounts = vec![mount("cni-bin-dir", "/host/opt/cni/bin", false)];
    w.containers = vec![c, agent];
    w.inits = vec![init];
    w.volumes = vec![
        hostpath("bpf-pin-path", "/sys/fs/bpf", ""),
        hostpath("cni-bin-dir", "/opt/cni/bin", ""),
        hostpath("cni-net-dir", "/etc/cni/net.d", ""),
        hostpath("log-dir", "/var/log/aws-routed-eni", "DirectoryOrCreate"),
        hostpath("run-dir", "/var/run/aws-node", "DirectoryOrCreate"),
        hostpath("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
    ];
    w.host_network = true;
    w.priority = Some(("system-node-critical", 2_000_001_000));
    w.service_account = s("aws-node");
    w.tol = Tol::All;
    w.grace = 10;
    out.push(w);

    // kube-proxy.
    let mut w = workload(Kind::DaemonSet, "kube-system", "kube-proxy", rng);
    w.labels = vec![(s("k8s-app"), s("kube-proxy"))];
    let mut c = ctr(
        "kube-proxy",
        &format!("{EKS_ECR}/eks/kube-proxy:v1.31.2-minimal-eksbuild.3"),
    );
    c.command = strings(&[
        "kube-proxy",
        "--v=2",
        "--config=/var/lib/kube-proxy-config/config",
        "--hostname-override=$(NODE_NAME)",
    ]);
    c.env = vec![field("NODE_NAME", "spec.nodeName")];
    c.res = res(Some("100m"), None, None, None);
    c.sec = Sec::Privileged;
    c.mounts = vec![
        mount("varlog", "/var/log", false),
        mount("xtables-lock", "/run/xtables.lock", false),
        mount("lib-modules", "/lib/modules", true),
        mount("kubeconfig", "/var/lib/kube-proxy/", false),
        mount("config", "/var/lib/kube-proxy-config/", false),
    ];
    w.containers = vec![c];
    w.volumes = vec![
        hostpath("varlog", "/var/log", ""),
        hostpath("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
        hostpath("lib-modules", "/lib/modules", ""),
        vol("kubeconfig", VolSrc::ConfigMap(s("kube-proxy"))),
        vol("config", VolSrc::ConfigMap(s("kube-proxy-config"))),
    ];
    w.host_network = true;
    w.priority = Some(("system-node-critical", 2_000_001_000));
    w.service_account = s("kube-proxy");
    w.tol = Tol::All;
    out.push(w);

    // ebs-csi-node.
    let mut w = workload(Kind::DaemonSet, "kube-system", "ebs-csi-node", rng);
    w.labels = vec![
        (s("app"), s("ebs-csi-node")),
        (s("app.kubernetes.io/component"), s("csi-driver")),
        (s("app.kubernetes.io/managed-by"), s("EKS")),
        (s("app.kubernetes.io/name"), s("aws-ebs-csi-driver")),
        (s("app.kubernetes.io/version"), s("1.35.0")),
    ];
    let sidecar_res = || res(Some("10m"), Some("40Mi"), None, Some("256Mi"));
    let mut plugin = ctr(
        "ebs-plugin",
        "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.35.0",
    );
    plugin.args = strings(&[
        "node",
        "--endpoint=$(CSI_ENDPOINT)",
        "--csi-mount-point-prefix=/var/lib/kubelet/plugins/kubernetes.io/csi/ebs.csi.aws.com/",
        "--logging-format=text",
        "--v=2",
    ]);
    plugin.env = vec![
        lit("CSI_ENDPOINT", "unix:/csi/csi.sock"),
        field("CSI_NODE_NAME", "spec.nodeName"),
    ];
    plugin.ports = vec![port("healthz", 9808)];
    plugin.liveness = Some(probe(ProbeAction::Http("/healthz", 9808), 10, 10, 3, 5));
    plugin.res = sidecar_res();
    plugin.sec = Sec::Privileged;
    plugin.mounts = vec![
        mount("kubelet-dir", "/var/lib/kubelet", false),
        mount("plugin-dir", "/csi", false),
        mount("device-dir", "/dev", false),
    ];
    let mut registrar = ctr(
        "node-driver-registrar",
        "public.ecr.aws/eks-distro/kubernetes-csi/node-driver-registrar:v2.11.1-eks-1-31-3",
    );
    registrar.args = strings(&[
        "--csi-address=$(ADDRESS)",
        "--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)",
        "--v=2",
    ]);
    registrar.env = vec![
        lit("ADDRESS", "/csi/csi.sock"),
        lit(
            "DRIVER_REG_SOCK_PATH",
            "/var/lib/kubelet/plugins/ebs.csi.aws.com/csi.sock",
        ),
    ];
    registrar.liveness = Some(probe(
        ProbeAction::Exec(strings(&[
            "/csi-node-driver-registrar",
            "--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)",
            "--mode=kubelet-registration-probe",
        ])),
        30,
        10,
        15,
        3,
    ));
    registrar.res = sidecar_res();
    registrar.sec = Sec::Restricted;
    registrar.mounts = vec![
        mount("plugin-dir", "/csi", false),
        mount("registration-dir", "/registration", false),
        mount(
            "probe-dir",
            "/var/lib/kubelet/plugins/ebs.csi.aws.com/",
            false,
        ),
    ];
    let mut lp = ctr(
        "liveness-probe",
        "public.ecr.aws/eks-distro/kubernetes-csi/livenessprobe:v2.13.1-eks-1-31-3",
    );
    lp.args = strings(&["--csi-address=/csi/csi.sock"]);
    lp.res = sidecar_res();
    lp.sec = Sec::Restricted;
    lp.mounts = vec![mount("plugin-dir", "/csi", false)];
    w.containers = vec![plugin, registrar, lp];
    w.volumes = vec![
        hostpath("kubelet-dir", "/var/lib/kubelet", "Directory"),
        hostpath(
            "plugin-dir",
            "/var/lib/kubelet/plugins/ebs.csi.aws.com/",
            "DirectoryOrCreate",
        ),
        hostpath(
            "registration-dir",
            "/var/lib/kubelet/plugins_registry/",
            "Directory",
        ),
        hostpath("device-dir", "/dev", "Directory"),
        vol("probe-dir", VolSrc::EmptyDir(None, None)),
    ];
    w.priority = Some(("system-node-critical", 2_000_001_000));
    w.service_account = s("ebs-csi-node-sa");
    w.tol = Tol::All;
    out.push(w);

    // node-exporter.
    let mut w = workload(
        Kind::DaemonSet,
        "monitoring",
        "kube-prometheus-stack-prometheus-node-exporter",
        rng,
    );
    w.labels = vec![
        (s("app.kubernetes.io/component"), s("metrics")),
        (s("app.kubernetes.io/instance"), s("kube-prometheus-stack")),
        (s("app.kubernetes.io/managed-by"), s("Helm")),
        (s("app.kubernetes.io/name"), s("prometheus-node-exporter")),
        (
            s("app.kubernetes.io/part-of"),
            s("prometheus-node-exporter"),
        ),
        (s("app.kubernetes.io/version"), s("1.8.2")),
        (s("helm.sh/chart"), s("prometheus-node-exporter-4.39.0")),
        (s("jobLabel"), s("node-exporter")),
        (s("release"), s("kube-prometheus-stack")),
    ];
    w.annotations = vec![(
        s("cluster-autoscaler.kubernetes.io/safe-to-evict"),
        s("true"),
    )];
    let mut c = ctr("node-exporter", "quay.io/prometheus/node-exporter:v1.8.2");
    c.args = strings(&[
        "--path.procfs=/host/proc",
        "--path.sysfs=/host/sys",
        "--path.rootfs=/host/root",
        "--path.udev.data=/host/root/run/udev/data",
        "--web.listen-address=[$(HOST_IP)]:9100",
        "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|var/lib/docker/.+|var/lib/kubelet/.+)($|/)",
        "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$",
    ]);
    c.env = vec![lit("HOST_IP", "0.0.0.0")];
    c.ports = vec![Port {
        name: Some("http-metrics"),
        port: 9100,
        proto: "TCP",
        host: true,
    }];
    c.liveness = http("/", 9100);
    c.readiness = http("/", 9100);
    c.res = res(Some("50m"), Some("64Mi"), Some("250m"), Some("128Mi"));
    c.sec = Sec::Restricted;
    c.mounts = vec![
        mount("proc", "/host/proc", true),
        mount("sys", "/host/sys", true),
        mount("root", "/host/root", true),
    ];
    w.containers = vec![c];
    w.volumes = vec![
        hostpath("proc", "/proc", ""),
        hostpath("sys", "/sys", ""),
        hostpath("root", "/", ""),
    ];
    w.host_network = true;
    w.pod_nonroot = true;
    w.service_account = s("kube-prometheus-stack-prometheus-node-exporter");
    w.tol = Tol::All;
    out.push(w);

    // fluent-bit.
    let mut w = workload(Kind::DaemonSet, "logging", "fluent-bit", rng);
    w.labels = vec![
        (s("app.kubernetes.io/instance"), s("fluent-bit")),
        (s("app.kubernetes.io/name"), s("fluent-bit")),
    ];
    w.annotations = vec![(
        s("checksum/config"),
        s("6b5e3a1f0c4d2e9b8a7f6e5d4c3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a2910"),
    )];
    let mut c = ctr("fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:3.1.9");
    c.ports = vec![port("http", 2020)];
    c.liveness = http("/", 2020);
    c.readiness = http("/api/v1/health", 2020);
    c.env = vec![
        lit("AWS_REGION", "us-east-1"),
        lit("CLUSTER_NAME", cluster),
        field("HOST_NAME", "spec.nodeName"),
    ];
    c.res = res(Some("100m"), Some("128Mi"), None, Some("512Mi"));
    c.mounts = vec![
        mount("config", "/fluent-bit/etc/conf", false),
        mount("varlog", "/var/log", false),
        mount("varlibdockercontainers", "/var/lib/docker/containers", true),
        mount("etcmachineid", "/etc/machine-id", true),
    ];
    w.containers = vec![c];
    w.volumes = vec![
        vol("config", VolSrc::ConfigMap(s("fluent-bit"))),
        hostpath("varlog", "/var/log", ""),
        hostpath("varlibdockercontainers", "/var/lib/docker/containers", ""),
        hostpath("etcmachineid", "/etc/machine-id", "File"),
    ];
    w.service_account = s("fluent-bit");
    w.tol = Tol::All;
    out.push(w);

    out
}

/// Cluster add-ons (kube-system, karpenter, ingress-nginx, monitoring), most essential first.
/// `karpenter_pool` pins the Karpenter controller to the managed node group when Karpenter is
/// used at all.
pub fn platform(
    cluster: &str,
    nodes: usize,
    pods: usize,
    karpenter_pool: Option<Option<usize>>,
    rng: &mut Rng,
) -> Vec<Workload> {
    let mut out = Vec::new();
    let big = nodes > 60;

    // coredns.
    let mut w = workload(Kind::Deployment, "kube-system", "coredns", rng);
    w.labels = vec![
        (s("eks.amazonaws.com/component"), s("coredns")),
        (s("k8s-app"), s("kube-dns")),
    ];
    let mut c = ctr(
        "coredns",
        &format!("{EKS_ECR}/eks/coredns:v1.11.3-eksbuild.1"),
    );
    c.args = strings(&["-conf", "/etc/coredns/Corefile"]);
    c.ports = vec![
        Port {
            name: Some("dns"),
            port: 53,
            proto: "UDP",
            host: false,
        },
        port("dns-tcp", 53),
        port("metrics", 9153),
    ];
    c.liveness = Some(probe(ProbeAction::Http("/health", 8080), 60, 10, 5, 5));
    c.readiness = http("/ready", 8181);
    c.res = res(Some("100m"), Some("70Mi"), None, Some("170Mi"));
    c.sec = Sec::Restricted;
    c.mounts = vec![
        mount("config-volume", "/etc/coredns", true),
        mount("tmp", "/tmp", false),
    ];
    w.containers = vec![c];
    w.volumes = vec![
        vol("config-volume", VolSrc::ConfigMap(s("coredns"))),
        vol("tmp", VolSrc::EmptyDir(None, None)),
    ];
    w.dns_policy = "Default";
    w.priority = Some(("system-cluster-critical", 2_000_000_000));
    w.service_account = s("coredns");
    w.anti_affinity = true;
    w.replicas = (nodes / 16).clamp(2, 30) as u32;
    w.platform = true;
    out.push(w);

    // metrics-server.
    let mut w = workload(Kind::Deployment, "kube-system", "metrics-server", rng);
    w.labels = vec![
        (s("app.kubernetes.io/instance"), s("metrics-server")),
        (s("app.kubernetes.io/name"), s("metrics-server")),
    ];
    let mut c = ctr(
        "metrics-server",
        "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
    );
    c.args = strings(&[
        "--secure-port=10250",
        "--cert-dir=/tmp",
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
        "--kubelet-use-node-status-port",
        "--metric-resolution=15s",
    ]);
    c.ports = vec![port("https", 10250)];
    c.liveness = Some(probe(ProbeAction::Https("/livez", 10250), 0, 10, 1, 3));
    c.readiness = Some(probe(ProbeAction::Https("/readyz", 10250), 20, 10, 1, 3));
    c.res = res(Some("100m"), Some("200Mi"), None, None);
    c.sec = Sec::Restricted;
    c.mounts = vec![mount("tmp", "/tmp", false)];
    w.containers = vec![c];
    w.volumes = vec![vol("tmp", VolSrc::EmptyDir(None, None))];
    w.priority = Some(("system-cluster-critical", 2_000_000_000));
    w.service_account = s("metrics-server");
    w.replicas = if big { 2 } else { 1 };
    w.platform = true;
    out.push(w);

    // karpenter.
    if let Some(pool) = karpenter_pool {
        let mut w = workload(Kind::Deployment, "karpenter", "karpenter", rng);
        w.labels = vec![
            (s("app.kubernetes.io/instance"), s("karpenter")),
            (s("app.kubernetes.io/name"), s("karpenter")),
        ];
        let mut c = ctr(
            "controller",
            "public.ecr.aws/karpenter/controller:1.0.6@sha256:1eb1073b9f4ed804634aabf320e4d6e822bb61c0f5ecfd9c3a88f05f1ca4c5c5",
        );
        c.env = vec![
            lit("KUBERNETES_MIN_VERSION", "1.19.0-0"),
            lit("KARPENTER_SERVICE", "karpenter"),
            lit("WEBHOOK_PORT", "8443"),
            lit("WEBHOOK_METRICS_PORT", "8001"),
            lit("DISABLE_WEBHOOK", "false"),
            lit("LOG_LEVEL", "info"),
            lit("METRICS_PORT", "8080"),
            lit("HEALTH_PROBE_PORT", "8081"),
            field("SYSTEM_NAMESPACE", "metadata.namespace"),
            Env {
                name: s("MEMORY_LIMIT"),
                val: EnvVal::Resource("limits.memory", "0"),
            },
            lit("FEATURE_GATES", "SpotToSpotConsolidation=false"),
            lit("BATCH_MAX_DURATION", "10s"),
            lit("BATCH_IDLE_DURATION", "1s"),
            lit("CLUSTER_NAME", cluster),
            lit(
                "CLUSTER_ENDPOINT",
                "https://4F2A19C0D1B7E3A58C6D0E9F12AB34CD.gr7.us-east-1.eks.amazonaws.com",
            ),
            lit("VM_MEMORY_OVERHEAD_PERCENT", "0.075"),
            lit("INTERRUPTION_QUEUE", cluster),
            lit("RESERVED_ENIS", "0"),
        ];
        c.ports = vec![
            port("http-metrics", 8080),
            port("webhook-metrics", 8001),
            port("https-webhook", 8443),
            port("http", 8081),
        ];
        c.liveness = Some(probe(ProbeAction::Http("/healthz", 8081), 30, 10, 30, 3));
        c.readiness = Some(probe(ProbeAction::Http("/readyz", 8081), 5, 10, 30, 3));
        c.res = res(Some("1"), Some("1Gi"), Some("1"), Some("1Gi"));
        c.sec = Sec::Restricted;
        w.containers = vec![c];
        w.priority = Some(("system-cluster-critical", 2_000_000_000));
        w.service_account = s("karpenter");
        w.pod_nonroot = true;
        w.anti_affinity = true;
        w.pool = pool;
        w.replicas = 2;
        w.platform = true;
        out.push(w);
    }

    // ebs-csi-controller.
    let mut w = workload(Kind::Deployment, "kube-system", "ebs-csi-controller", rng);
    w.labels = vec![
        (s("app"), s("ebs-csi-controller")),
        (s("app.kubernetes.io/component"), s("csi-driver")),
        (s("app.kubernetes.io/managed-by"), s("EKS")),
        (s("app.kubernetes.io/name"), s("aws-ebs-csi-driver")),
        (s("app.kubernetes.io/version"), s("1.35.0")),
    ];
    let mut containers = Vec::new();
    for (name, image, args) in [
        (
            "ebs-plugin",
            "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.35.0",
            &[
                "controller",
                "--endpoint=$(CSI_ENDPOINT)",
                "--batching=true",
                "--logging-format=text",
                "--v=2",
            ][..],
        ),
        (
            "csi-provisioner",
            "public.ecr.aws/eks-distro/kubernetes-csi/external-provisioner:v5.1.0-eks-1-31-3",
            &[
                "--timeout=60s",
                "--csi-address=$(ADDRESS)",
                "--v=2",
                "--feature-gates=Topology=true",
                "--extra-create-metadata",
                "--leader-election=true",
                "--default-fstype=ext4",
                "--kube-api-qps=20",
                "--kube-api-burst=100",
                "--worker-threads=100",
            ][..],
        ),
        (
            "csi-attacher",
            "public.ecr.aws/eks-distro/kubernetes-csi/external-attacher:v4.7.0-eks-1-31-3",
            &[
                "--timeout=6m",
                "--csi-address=$(ADDRESS)",
                "--v=2",
                "--leader-election=true",
                "--kube-api-qps=20",
                "--kube-api-burst=100",
                "--worker-threads=100",
            ][..],
        ),
        (
            "csi-snapshotter",
            "public.ecr.aws/eks-distro/kubernetes-csi/external-snapshotter/csi-snapshotter:v8.1.0-eks-1-31-3",
            &[
                "--csi-address=$(ADDRESS)",
                "--leader-election=true",
                "--extra-create-metadata",
                "--kube-api-qps=20",
                "--kube-api-burst=100",
                "--worker-threads=100",
            ][..],
        ),
        (
            "csi-resizer",
            "public.ecr.aws/eks-distro/kubernetes-csi/external-resizer:v1.12.0-eks-1-31-3",
            &[
                "--timeout=60s",
                "--csi-address=$(ADDRESS)",
                "--v=2",
                "--handle-volume-inuse-error=false",
                "--leader-election=true",
                "--kube-api-qps=20",
                "--kube-api-burst=100",
                "--workers=100",
            ][..],
        ),
        (
            "liveness-probe",
            "public.ecr.aws/eks-distro/kubernetes-csi/livenessprobe:v2.13.1-eks-1-31-3",
            &["--csi-address=/csi/csi.sock"][..],
        ),
    ] {
        let mut c = ctr(name, image);
        c.args = strings(args);
        if name == "ebs-plugin" {
            c.env = vec![
                lit(
                    "CSI_ENDPOINT",
                    "unix:///var/lib/csi/sockets/pluginproxy/csi.sock",
                ),
                field("CSI_NODE_NAME", "spec.nodeName"),
                secret_ref("AWS_ACCESS_KEY_ID", "aws-secret", "key_id"),
                secret_ref("AWS_SECRET_ACCESS_KEY", "aws-secret", "access_key"),
                lit("AWS_EC2_ENDPOINT", ""),
                lit("AWS_REGION", "us-east-1"),
            ];
            c.ports = vec![port("healthz", 9808)];
            c.liveness = Some(probe(ProbeAction::Http("/healthz", 9808), 10, 10, 3, 5));
            c.readiness = Some(probe(ProbeAction::Http("/healthz", 9808), 10, 10, 3, 5));
        } else if name != "liveness-probe" {
            c.env = vec![lit("ADDRESS", "/var/lib/csi/sockets/pluginproxy/csi.sock")];
        }
        c.res = res(Some("10m"), Some("40Mi"), None, Some("256Mi"));
        c.sec = Sec::Restricted;
        c.mounts = vec![mount(
            "socket-dir",
            "/var/lib/csi/sockets/pluginproxy/",
            false,
        )];
        containers.push(c);
    }
    w.containers = containers;
    w.volumes = vec![vol("socket-dir", VolSrc::EmptyDir(None, None))];
    w.priority = Some(("system-cluster-critical", 2_000_000_000));
    w.service_account = s("ebs-csi-controller-sa");
    w.pod_nonroot = true;
    w.anti_affinity = true;
    w.replicas = 2;
    w.platform = true;
    out.push(w);

    // ingress-nginx.
    let mut w = workload(
        Kind::Deployment,
        "ingress-nginx",
        "ingress-nginx-controller",
        rng,
    );
    w.labels = vec![
        (s("app.kubernetes.io/component"), s("controller")),
        (s("app.kubernetes.io/instance"), s("ingress-nginx")),
        (s("app.kubernetes.io/managed-by"), s("Helm")),
        (s("app.kubernetes.io/name"), s("ingress-nginx")),
        (s("app.kubernetes.io/part-of"), s("ingress-nginx")),
        (s("app.kubernetes.io/version"), s("1.11.2")),
        (s("helm.sh/chart"), s("ingress-nginx-4.11.2")),
    ];
    let mut c = ctr(
        "controller",
        "registry.k8s.io/ingress-nginx/controller:v1.11.2@sha256:d5f8217feeac4887cb1ed21f27c2674e58be06bd8f5184cacea2a69abaf78dce",
    );
    c.args = strings(&[
        "/nginx-ingress-controller",
        "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller",
        "--election-id=ingress-nginx-leader",
        "--controller-class=k8s.io/ingress-nginx",
        "--ingress-class=nginx",
        "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
        "--validating-webhook=:8443",
        "--validating-webhook-certificate=/usr/local/certificates/cert",
        "--validating-webhook-key=/usr/local/certificates/key",
    ]);
    c.env = vec![
        field("POD_NAME", "metadata.name"),
        field("POD_NAMESPACE", "metadata.namespace"),
        lit("LD_PRELOAD", "/usr/local/lib/libmimalloc.so"),
    ];
    c.ports = vec![port("http", 80), port("https", 443), port("webhook", 8443)];
    c.liveness = Some(probe(ProbeAction::Http("/healthz", 10254), 10, 10, 1, 5));
    c.readiness = Some(probe(ProbeAction::Http("/healthz", 10254), 10, 10, 1, 3));
    c.res = res(Some("100m"), Some("90Mi"), None, None);
    c.mounts = vec![mount("webhook-cert", "/usr/local/certificates/", true)];
    w.containers = vec![c];
    w.volumes = vec![vol(
        "webhook-cert",
        VolSrc::Secret(s("ingress-nginx-admission")),
    )];
    w.service_account = s("ingress-nginx");
    w.anti_affinity = true;
    w.replicas = (pods / 400).clamp(2, 20) as u32;
    w.grace = 300;
    w.platform = true;
    out.push(w);

    // aws-load-balancer-controller: the Helm chart sets no resources (a BestEffort pod).
    let mut w = workload(
        Kind::Deployment,
        "kube-system",
        "aws-load-balancer-controller",
        rng,
    );
    w.labels = vec![
        (
            s("app.kubernetes.io/instance"),
            s("aws-load-balancer-controller"),
        ),
        (
            s("app.kubernetes.io/name"),
            s("aws-load-balancer-controller"),
        ),
    ];
    w.annotations = vec![
        (s("prometheus.io/port"), s("8080")),
        (s("prometheus.io/scrape"), s("true")),
    ];
    let mut c = ctr(
        "aws-load-balancer-controller",
        "public.ecr.aws/eks/aws-load-balancer-controller:v2.8.3",
    );
    c.args = vec![
        format!("--cluster-name={cluster}"),
        s("--ingress-class=alb"),
    ];
    c.ports = vec![port("webhook-server", 9443), port("metrics-server", 8080)];
    c.liveness = Some(probe(ProbeAction::Http("/healthz", 61779), 30, 10, 10, 2));
    c.sec = Sec::Restricted;
    c.mounts = vec![mount("cert", "/tmp/k8s-webhook-server/serving-certs", true)];
    w.containers = vec![c];
    w.volumes = vec![vol("cert", VolSrc::Secret(s("aws-load-balancer-tls")))];
    w.priority = Some(("system-cluster-critical", 2_000_000_000));
    w.service_account = s("aws-load-balancer-controller");
    w.pod_nonroot = true;
    w.replicas = 2;
    w.grace = 10;
    w.platform = true;
    out.push(w);

    // Prometheus (operator-managed StatefulSet).
    let prom_mem = if nodes > 200 {
        "16Gi"
    } else if big {
        "8Gi"
    } else {
        "2Gi"
    };
    let mut w = workload(
        Kind::StatefulSet,
        "monitoring",
        "prometheus-kube-prometheus-stack-prometheus",
        rng,
    );
    w.labels = vec![
        (
            s("app.kubernetes.io/instance"),
            s("kube-prometheus-stack-prometheus"),
        ),
        (s("app.kubernetes.io/managed-by"), s("prometheus-operator")),
        (s("app.kubernetes.io/name"), s("prometheus")),
        (s("app.kubernetes.io/version"), s("2.54.1")),
        (
            s("operator.prometheus.io/name"),
            s("kube-prometheus-stack-prometheus"),
        ),
        (s("operator.prometheus.io/shard"), s("0")),
        (s("prometheus"), s("kube-prometheus-stack-prometheus")),
    ];
    w.annotations = vec![(
        s("kubectl.kubernetes.io/default-container"),
        s("prometheus"),
    )];
    let mut c = ctr("prometheus", "quay.io/prometheus/prometheus:v2.54.1");
    c.args = strings(&[
        "--web.console.templates=/etc/prometheus/consoles",
        "--web.console.libraries=/etc/prometheus/console_libraries",
        "--config.file=/etc/prometheus/config_out/prometheus.env.yaml",
        "--web.enable-lifecycle",
        "--web.external-url=http://kube-prometheus-stack-prometheus.monitoring:9090",
        "--web.route-prefix=/",
        "--storage.tsdb.retention.time=10d",
        "--storage.tsdb.path=/prometheus",
        "--storage.tsdb.wal-compression",
        "--web.config.file=/etc/prometheus/web_config/web-config.yaml",
    ]);
    c.ports = vec![port("http-web", 9090)];
    c.liveness = Some(probe(ProbeAction::Http("/-/healthy", 9090), 0, 5, 3, 6));
    c.readiness = Some(probe(ProbeAction::Http("/-/ready", 9090), 0, 5, 3, 3));
    c.startup = Some(probe(ProbeAction::Http("/-/ready", 9090), 0, 15, 3, 60));
    c.res = res(Some("500m"), Some(prom_mem), None, Some(prom_mem));
    c.sec = Sec::Restricted;
    c.mounts = vec![
        mount("config-out", "/etc/prometheus/config_out", true),
        mount("tls-assets", "/etc/prometheus/certs", true),
        mount(
            "prometheus-kube-prometheus-stack-prometheus-db",
            "/prometheus",
            false,
        ),
        mount(
            "prometheus-kube-prometheus-stack-prometheus-rulefiles-0",
            "/etc/prometheus/rules/prometheus-kube-prometheus-stack-prometheus-rulefiles-0",
            false,
        ),
        mount(
            "web-config",
            "/etc/prometheus/web_config/web-config.yaml",
            true,
        ),
    ];
    if let Some(m) = c.mounts.last_mut() {
        m.sub_path = Some(s("web-config.yaml"));
    }
    let reloader = |name: &str, role: Role| {
        let mut r = ctr(
            name,
            "quay.io/prometheus-operator/prometheus-config-reloader:v0.76.1",
        );
        r.role = role;
        r.command = strings(&["/bin/prometheus-config-reloader"]);
        r.args = strings(&[
            "--listen-address=:8080",
            "--reload-url=http://127.0.0.1:9090/-/reload",
            "--config-file=/etc/prometheus/config/prometheus.yaml.gz",
            "--config-envsubst-file=/etc/prometheus/config_out/prometheus.env.yaml",
            "--watched-dir=/etc/prometheus/rules/prometheus-kube-prometheus-stack-prometheus-rulefiles-0",
        ]);
        r.env = vec![field("POD_NAME", "metadata.name"), lit("SHARD", "0")];
        if role == Role::Main {
            r.ports = vec![port("reloader-web", 8080)];
        }
        r.res = res(Some("10m"), Some("50Mi"), Some("10m"), Some("50Mi"));
        r.sec = Sec::Restricted;
        r.mounts = vec![
            mount("config", "/etc/prometheus/config", false),
            mount("config-out", "/etc/prometheus/config_out", false),
        ];
        r
    };
    w.containers = vec![c, reloader("config-reloader", Role::Main)];
    w.inits = vec![reloader("init-config-reloader", Role::Init)];
    w.volumes = vec![
        vol(
            "config",
            VolSrc::Secret(s("prometheus-kube-prometheus-stack-prometheus")),
        ),
        vol(
            "tls-assets",
            VolSrc::Secret(s(
                "prometheus-kube-prometheus-stack-prometheus-tls-assets-0",
            )),
        ),
        vol("config-out", VolSrc::EmptyDir(Some("Memory"), None)),
        vol(
            "prometheus-kube-prometheus-stack-prometheus-rulefiles-0",
            VolSrc::ConfigMap(s("prometheus-kube-prometheus-stack-prometheus-rulefiles-0")),
        ),
        vol(
            "web-config",
            VolSrc::Secret(s("prometheus-kube-prometheus-stack-prometheus-web-config")),
        ),
        vol(
            "prometheus-kube-prometheus-stack-prometheus-db",
            VolSrc::ClaimTemplate(s("prometheus-kube-prometheus-stack-prometheus-db")),
        ),
    ];
    w.service_account = s("kube-prometheus-stack-prometheus");
    w.pod_nonroot = true;
    w.grace = 600;
    w.replicas = if big { 2 } else { 1 };
    w.platform = true;
    out.push(w);

    // Alertmanager: only a memory request (the operator's default).
    let mut w = workload(
        Kind::StatefulSet,
        "monitoring",
        "alertmanager-kube-prometheus-stack-alertmanager",
        rng,
    );
    w.labels = vec![
        (s("alertmanager"), s("kube-prometheus-stack-alertmanager")),
        (
            s("app.kubernetes.io/instance"),
            s("kube-prometheus-stack-alertmanager"),
        ),
        (s("app.kubernetes.io/managed-by"), s("prometheus-operator")),
        (s("app.kubernetes.io/name"), s("alertmanager")),
        (s("app.kubernetes.io/version"), s("0.27.0")),
    ];
    let mut c = ctr("alertmanager", "quay.io/prometheus/alertmanager:v0.27.0");
    c.args = strings(&[
        "--config.file=/etc/alertmanager/config_out/alertmanager.env.yaml",
        "--storage.path=/alertmanager",
        "--data.retention=120h",
        "--cluster.listen-address=",
        "--web.listen-address=:9093",
        "--web.route-prefix=/",
        "--cluster.label=monitoring/kube-prometheus-stack-alertmanager",
        "--cluster.peer=alertmanager-kube-prometheus-stack-alertmanager-0.alertmanager-operated:9094",
    ]);
    c.env = vec![field("POD_IP", "status.podIP")];
    c.ports = vec![
        port("http-web", 9093),
        port("mesh-tcp", 9094),
        Port {
            name: Some("mesh-udp"),
            port: 9094,
            proto: "UDP",
            host: false,
        },
    ];
    c.liveness = Some(probe(ProbeAction::Http("/-/healthy", 9093), 0, 10, 3, 10));
    c.readiness = Some(probe(ProbeAction::Http("/-/ready", 9093), 3, 5, 3, 10));
    c.res = res(None, Some("200Mi"), None, None);
    c.sec = Sec::Restricted;
    c.mounts = vec![
        mount("config-volume", "/etc/alertmanager/config", false),
        mount("config-out", "/etc/alertmanager/config_out", true),
        mount(
            "alertmanager-kube-prometheus-stack-alertmanager-db",
            "/alertmanager",
            false,
        ),
    ];
    w.containers = vec![c];
    w.volumes = vec![
        vol(
            "config-volume",
            VolSrc::Secret(s(
                "alertmanager-kube-prometheus-stack-alertmanager-generated",
            )),
        ),
        vol("config-out", VolSrc::EmptyDir(Some("Memory"), None)),
        vol(
            "alertmanager-kube-prometheus-stack-alertmanager-db",
            VolSrc::EmptyDir(None, None),
        ),
    ];
    w.service_account = s("kube-prometheus-stack-alertmanager");
    w.pod_nonroot = true;
    w.grace = 120;
    w.platform = true;
    out.push(w);

    // Grafana: no resources at all (BestEffort), admin password from a Secret.
    let mut w = workload(
        Kind::Deployment,
        "monitoring",
        "kube-prometheus-stack-grafana",
        rng,
    );
    w.labels = vec![
        (s("app.kubernetes.io/instance"), s("kube-prometheus-stack")),
        (s("app.kubernetes.io/name"), s("grafana")),
        (s("app.kubernetes.io/version"), s("11.2.0")),
        (s("helm.sh/chart"), s("grafana-8.5.1")),
    ];
    w.annotations = vec![
        (
            s("checksum/config"),
            s("0e9cbd0ea8e24e32f7dfca5bab17a2ba05652642f0a09a4882833ae88e4cc4a3"),
        ),
        (
            s("checksum/secret"),
            s("032056e9c62bbe9d1daa41ee49cd3d9524c076f51ca4c65adadf4ef08ef28712"),
        ),
        (s("kubectl.kubernetes.io/default-container"), s("grafana")),
    ];
    let mut containers = Vec::new();
    for (name, label) in [
        ("grafana-sc-dashboard", "grafana_dashboard"),
        ("grafana-sc-datasources", "grafana_datasource"),
    ] {
        let mut c = ctr(name, "quay.io/kiwigrid/k8s-sidecar:1.27.4");
        c.env = vec![
            lit("METHOD", "WATCH"),
            lit("LABEL", label),
            lit("LABEL_VALUE", "1"),
            lit("FOLDER", "/tmp/dashboards"),
            lit("RESOURCE", "both"),
            lit("NAMESPACE", "ALL"),
            lit("REQ_USERNAME", "admin"),
            secret_ref(
                "REQ_PASSWORD",
                "kube-prometheus-stack-grafana",
                "admin-password",
            ),
            lit(
                "REQ_URL",
                "http://localhost:3000/api/admin/provisioning/dashboards/reload",
            ),
            lit("REQ_METHOD", "POST"),
        ];
        c.sec = Sec::Restricted;
        c.mounts = vec![mount("sc-dashboard-volume", "/tmp/dashboards", false)];
        containers.push(c);
    }
    let mut c = ctr("grafana", "docker.io/grafana/grafana:11.2.0");
    c.env = vec![
        field("POD_IP", "status.podIP"),
        secret_ref(
            "GF_SECURITY_ADMIN_USER",
            "kube-prometheus-stack-grafana",
            "admin-user",
        ),
        secret_ref(
            "GF_SECURITY_ADMIN_PASSWORD",
            "kube-prometheus-stack-grafana",
            "admin-password",
        ),
        lit("GF_PATHS_DATA", "/var/lib/grafana/"),
        lit("GF_PATHS_LOGS", "/var/log/grafana"),
        lit("GF_PATHS_PLUGINS", "/var/lib/grafana/plugins"),
        lit("GF_PATHS_PROVISIONING", "/etc/grafana/provisioning"),
    ];
    c.ports = vec![port("grafana", 3000), port("gossip-tcp", 9094)];
    c.liveness = Some(probe(
        ProbeAction::Http("/api/health", 3000),
        60,
        10,
        30,
        10,
    ));
    c.readiness = http("/api/health", 3000);
    c.sec = Sec::Restricted;
    c.mounts = vec![
        mount("config", "/etc/grafana/grafana.ini", false),
        mount("storage", "/var/lib/grafana", false),
        mount("sc-dashboard-volume", "/tmp/dashboards", false),
    ];
    if let Some(m) = c.mounts.first_mut() {
        m.sub_path = Some(s("grafana.ini"));
    }
    containers.push(c);
    w.containers = containers;
    w.volumes = vec![
        vol(
            "config",
            VolSrc::ConfigMap(s("kube-prometheus-stack-grafana")),
        ),
        vol("storage", VolSrc::EmptyDir(None, None)),
        vol("sc-dashboard-volume", VolSrc::EmptyDir(None, None)),
    ];
    w.service_account = s("kube-prometheus-stack-grafana");
    w.pod_nonroot = true;
    w.platform = true;
    out.push(w);

    // kube-state-metrics: limits only (requests default to them).
    let mut w = workload(
        Kind::Deployment,
        "monitoring",
        "kube-prometheus-stack-kube-state-metrics",
        rng,
    );
    w.labels = vec![
        (s("app.kubernetes.io/component"), s("metrics")),
        (s("app.kubernetes.io/instance"), s("kube-prometheus-stack")),
        (s("app.kubernetes.io/name"), s("kube-state-metrics")),
        (s("app.kubernetes.io/version"), s("2.13.0")),
    ];
    let mut c = ctr(
        "kube-state-metrics",
        "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0",
    );
    c.args = strings(&[
        "--port=8080",
        "--resources=certificatesigningrequests,configmaps,cronjobs,daemonsets,deployments,endpoints,horizontalpodautoscalers,ingresses,jobs,leases,limitranges,mutatingwebhookconfigurations,namespaces,networkpolicies,nodes,persistentvolumeclaims,persistentvolumes,poddisruptionbudgets,pods,replicasets,replicationcontrollers,resourcequotas,secrets,services,statefulsets,storageclasses,validatingwebhookconfigurations,volumeattachments",
    ]);
    c.ports = vec![port("http", 8080)];
    c.liveness = Some(probe(ProbeAction::Http("/livez", 8080), 5, 10, 5, 3));
    c.readiness = Some(probe(ProbeAction::Http("/readyz", 8081), 5, 10, 5, 3));
    c.res = res(
        None,
        None,
        Some("100m"),
        Some(if big { "1Gi" } else { "256Mi" }),
    );
    c.sec = Sec::Restricted;
    w.containers = vec![c];
    w.service_account = s("kube-prometheus-stack-kube-state-metrics");
    w.pod_nonroot = true;
    w.platform = true;
    out.push(w);

    // prometheus-operator.
    let mut w = workload(
        Kind::Deployment,
        "monitoring",
        "kube-prometheus-stack-operator",
        rng,
    );
    w.labels = vec![
        (s("app"), s("kube-prometheus-stack-operator")),
        (s("app.kubernetes.io/component"), s("prometheus-operator")),
        (s("app.kubernetes.io/instance"), s("kube-prometheus-stack")),
        (
            s("app.kubernetes.io/name"),
            s("kube-prometheus-stack-prometheus-operator"),
        ),
        (s("release"), s("kube-prometheus-stack")),
    ];
    let mut c = ctr(
        "kube-prometheus-stack",
        "quay.io/prometheus-operator/prometheus-operator:v0.76.1",
    );
    c.args = strings(&[
        "--kubelet-service=kube-system/kube-prometheus-stack-kubelet",
        "--kubelet-endpoints=true",
        "--kubelet-endpointslice=false",
        "--localhost=127.0.0.1",
        "--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.76.1",
        "--config-reloader-cpu-request=0",
        "--config-reloader-cpu-limit=0",
        "--config-reloader-memory-request=0",
        "--config-reloader-memory-limit=0",
        "--thanos-default-base-image=quay.io/thanos/thanos:v0.36.1",
        "--secret-field-selector=type!=kubernetes.io/dockercfg,type!=kubernetes.io/service-account-token,type!=helm.sh/release.v1",
        "--web.enable-tls=true",
        "--web.cert-file=/cert/cert",
        "--web.key-file=/cert/key",
        "--web.listen-address=:10250",
        "--web.tls-min-version=VersionTLS13",
    ]);
    c.env = vec![lit("GOGC", "30")];
    c.ports = vec![port("https", 10250)];
    c.res = res(Some("100m"), Some("128Mi"), Some("200m"), Some("256Mi"));
    c.sec = Sec::Restricted;
    c.mounts = vec![mount("tls-secret", "/cert", true)];
    w.containers = vec![c];
    w.volumes = vec![vol(
        "tls-secret",
        VolSrc::Secret(s("kube-prometheus-stack-admission")),
    )];
    w.service_account = s("kube-prometheus-stack-operator");
    w.pod_nonroot = true;
    w.platform = true;
    out.push(w);

    out
}

/// The GPU pool's workloads (the demo only), all pinned to `pool` and tolerating its
/// `nvidia.com/gpu` taint: a Triton inference server on a whole GPU, the NVIDIA device plugin
/// DaemonSet, which advertises the GPUs as `nvidia.com/gpu`, and two Jupyter notebooks on one
/// time-slice each (the inference server before the notebooks: the placement is first fit).
pub fn gpu(pool: usize, rng: &mut Rng) -> Vec<Workload> {
    let mut out = Vec::new();

    let app_labels = |name: &str, version: &str| {
        vec![
            (s("app"), s(name)),
            (s("app.kubernetes.io/name"), s(name)),
            (s("app.kubernetes.io/part-of"), s("ml")),
            (s("team"), s(team_of("ml"))),
            (s("app.kubernetes.io/version"), s(version)),
        ]
    };

    // Triton on a whole A10G.
    let mut w = workload(Kind::Deployment, "ml", "inference", rng);
    w.profile = Some(Profile::PyModel);
    w.labels = app_labels("inference", "24.08");
    let mut c = ctr("inference", "nvcr.io/nvidia/tritonserver:24.08-py3");
    c.command = strings(&["tritonserver"]);
    c.args = strings(&[
        "--model-repository=s3://acme-ml-models/ml/inference",
        "--model-control-mode=poll",
        "--repository-poll-secs=60",
        "--log-verbose=0",
    ]);
    c.ports = vec![
        port("http", 8000),
        port("grpc", 8001),
        port("metrics", 8002),
    ];
    c.liveness = Some(probe(
        ProbeAction::Http("/v2/health/live", 8000),
        30,
        10,
        5,
        3,
    ));
    c.readiness = Some(probe(
        ProbeAction::Http("/v2/health/ready", 8000),
        20,
        10,
        5,
        3,
    ));
    c.startup = Some(probe(
        ProbeAction::Http("/v2/health/ready", 8000),
        0,
        10,
        5,
        60,
    ));
    c.env = vec![
        lit("AWS_DEFAULT_REGION", "us-east-1"),
        field("POD_NAME", "metadata.name"),
    ];
    c.res = Res {
        gpu: 1,
        ..res(Some("2"), Some("8Gi"), None, Some("8Gi"))
    };
    c.mounts = vec![mount("dshm", "/dev/shm", false)];
    w.containers = vec![c];
    w.volumes = vec![vol("dshm", VolSrc::EmptyDir(Some("Memory"), Some("2Gi")))];
    w.service_account = s("inference");
    w.grace = 60;
    w.pool = Some(pool);
    w.tol = Tol::PoolTaint;
    out.push(w);

    // The device plugin, as NVIDIA's static manifest deploys it (plus requests and a selector).
    let mut w = workload(
        Kind::DaemonSet,
        "kube-system",
        "nvidia-device-plugin-daemonset",
        rng,
    );
    w.labels = vec![(s("name"), s("nvidia-device-plugin-ds"))];
    let mut c = ctr(
        "nvidia-device-plugin-ctr",
        "nvcr.io/nvidia/k8s-device-plugin:v0.17.0",
    );
    c.env = vec![lit("FAIL_ON_INIT_ERROR", "false")];
    c.res = res(Some("10m"), Some("20Mi"), None, Some("64Mi"));
    c.mounts = vec![mount(
        "device-plugin",
        "/var/lib/kubelet/device-plugins",
        false,
    )];
    w.containers = vec![c];
    w.volumes = vec![hostpath(
        "device-plugin",
        "/var/lib/kubelet/device-plugins",
        "",
    )];
    w.priority = Some(("system-node-critical", 2_000_001_000));
    w.pool = Some(pool);
    w.tol = Tol::PoolTaint;
    out.push(w);

    // Jupyter notebooks, one time-slice of a shared A10G each.
    let mut w = workload(Kind::Deployment, "ml", "notebook", rng);
    w.profile = Some(Profile::Debug);
    w.labels = app_labels("notebook", "2024.10.07");
    let mut c = ctr(
        "notebook",
        "quay.io/jupyter/pytorch-notebook:cuda12-2024-10-07",
    );
    c.command = strings(&["start-notebook.py"]);
    c.args = strings(&[
        "--ServerApp.base_url=/notebook",
        "--ServerApp.root_dir=/home/jovyan/work",
    ]);
    c.ports = vec![port("http", 8888)];
    c.liveness = Some(probe(
        ProbeAction::Http("/notebook/api", 8888),
        15,
        20,
        5,
        3,
    ));
    c.readiness = Some(probe(ProbeAction::Http("/notebook/api", 8888), 5, 10, 5, 3));
    c.env = vec![
        secret_ref("JUPYTER_TOKEN", "notebook-token", "token"),
        lit("GRANT_SUDO", "no"),
    ];
    c.res = Res {
        gpu: 1,
        ..res(Some("500m"), Some("2Gi"), None, Some("4Gi"))
    };
    c.mounts = vec![
        mount("work", "/home/jovyan/work", false),
        mount("dshm", "/dev/shm", false),
    ];
    w.containers = vec![c];
    w.volumes = vec![
        vol("work", VolSrc::EmptyDir(None, Some("20Gi"))),
        vol("dshm", VolSrc::EmptyDir(Some("Memory"), Some("1Gi"))),
    ];
    w.replicas = 2;
    w.pool = Some(pool);
    w.tol = Tol::PoolTaint;
    out.push(w);

    out
}

/// Everything an application workload needs to be built.
pub struct AppCtx<'a> {
    /// Namespace.
    pub ns: &'a str,
    /// Name.
    pub name: &'a str,
    /// Vocabulary kind.
    pub vkind: VKind,
    /// Profile.
    pub profile: Profile,
    /// Deliberately over-provisioned.
    pub over: bool,
    /// The namespace runs Istio with native sidecars.
    pub meshed: bool,
    /// A secret-looking value derived from the seed (`s3cr3t-…`).
    pub secret: String,
    /// The cluster's name.
    pub cluster: &'a str,
}

fn ecr(ns: &str, name: &str, rng: &mut Rng) -> String {
    format!(
        "{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/{ns}/{name}:v{}.{}.{}",
        rng.range(1, 4),
        rng.range(0, 30),
        rng.range(0, 12)
    )
}

/// Base requests of a profile: (millicores, MiB).
fn base(profile: Profile) -> (f64, f64) {
    match profile {
        Profile::GoApi => (250.0, 256.0),
        Profile::Jvm => (500.0, 1024.0),
        Profile::Node => (200.0, 384.0),
        Profile::PyWorker => (200.0, 512.0),
        Profile::PyModel => (1000.0, 2048.0),
        Profile::Nginx => (50.0, 64.0),
        Profile::Postgres => (500.0, 1024.0),
        Profile::Redis => (100.0, 256.0),
        Profile::Kafka => (500.0, 2048.0),
        Profile::OpenSearch => (1000.0, 4096.0),
        Profile::Batch => (250.0, 512.0),
        Profile::Trainer => (48000.0, 196_608.0),
        Profile::Debug => (100.0, 128.0),
    }
}

fn common_env(c: &mut Ctr, ctx: &AppCtx, rng: &mut Rng) {
    c.env.push(field("POD_NAME", "metadata.name"));
    if rng.chance(0.5) {
        c.env.push(lit("OTEL_SERVICE_NAME", ctx.name));
    }
}

/// The team that owns namespace `ns`: several namespaces per team, as in real clusters
/// (`platform` for the platform's namespaces, none for `kube-system`, which is shared).
pub fn team_of(ns: &str) -> &str {
    let base = ns.split('-').next().unwrap_or(ns);
    match base {
        "checkout" | "payments" | "cart" | "orders" => "commerce",
        "search" | "web" | "frontend" | "catalog" => "storefront",
        "data" | "ml" | "batch" | "analytics" | "etl" => "data",
        "monitoring" | "ingress" | "karpenter" | "cert" | "logging" => "platform",
        _ => base,
    }
}

/// Builds an application workload: main container by profile, optional sidecars and init
/// containers, labels and annotations. Resources are left raw for later sizing.
pub fn app(ctx: &AppCtx, kind: Kind, rng: &mut Rng) -> Workload {
    let mut w = workload(kind, ctx.ns, ctx.name, rng);
    w.profile = Some(ctx.profile);
    w.over = ctx.over;
    w.meshed = ctx.meshed && !matches!(kind, Kind::CronJob | Kind::Job | Kind::Bare);
    let version = format!(
        "{}.{}.{}",
        rng.range(1, 4),
        rng.range(0, 30),
        rng.range(0, 12)
    );
    w.labels = vec![
        (s("app"), s(ctx.name)),
        (s("app.kubernetes.io/name"), s(ctx.name)),
        (s("app.kubernetes.io/part-of"), s(ctx.ns)),
    ];
    // Jobs carry no team label: their team comes from their namespace's label (showback's
    // fallback, see bill.rs).
    if !matches!(kind, Kind::CronJob | Kind::Job) {
        w.labels.push((s("team"), s(team_of(ctx.ns))));
    }
    if matches!(kind, Kind::Deployment | Kind::StatefulSet) {
        w.labels
            .push((s("app.kubernetes.io/version"), version.clone()));
    }
    w.service_account = if rng.chance(0.6) {
        s(ctx.name)
    } else {
        s("default")
    };
    let (bc, bm) = base(ctx.profile);
    let jitter = *rng.pick(&[0.5, 0.75, 1.0, 1.0, 1.25, 1.5, 2.0]);
    let over = if ctx.over { rng.uniform(2.5, 4.0) } else { 1.0 };
    let mut main = ctr(ctx.name, &ecr(ctx.ns, ctx.name, rng));
    main.scalable = true;
    main.raw_cpu = bc * jitter * over;
    main.raw_mem = bm * jitter * over.sqrt() * mib(1) as f64;
    if ctx.over {
        // Big enough to stand out, small enough to fit on a 4-vCPU node.
        main.raw_cpu = main.raw_cpu.clamp(1000.0, 2000.0);
        main.raw_mem = main
            .raw_mem
            .clamp(2048.0 * mib(1) as f64, 4096.0 * mib(1) as f64);
    }
    main.pattern = [
        Pattern::ReqOnly,
        Pattern::MemLimitEq,
        Pattern::ReqLimits,
        Pattern::Guaranteed,
        Pattern::LimitsOnly,
        Pattern::None,
        Pattern::CpuOnly,
    ][rng.weighted(&[22, 30, 28, 10, 3, 3, 4])];
    if w.meshed && main.pattern == Pattern::None {
        main.pattern = Pattern::ReqOnly;
    }
    let secret = ctx.secret.as_str();
    match ctx.profile {
        Profile::GoApi => {
            main.ports = vec![port("http", 8080), port("metrics", 9090)];
            main.liveness = Some(probe(ProbeAction::Http("/healthz", 8080), 10, 10, 1, 3));
            if rng.chance(0.4) {
                main.ports.push(port("grpc", 9000));
                main.liveness = Some(probe(ProbeAction::Grpc(9000), 10, 10, 1, 3));
            }
            main.readiness = Some(probe(ProbeAction::Http("/readyz", 8080), 5, 5, 1, 3));
            main.env = vec![
                lit("PORT", "8080"),
                lit("LOG_LEVEL", "info"),
                lit(
                    "DATABASE_HOST",
                    &format!("{}-db.{}.svc.cluster.local", ctx.ns, ctx.ns),
                ),
                lit("DATABASE_PASSWORD", secret),
                Env {
                    name: s("GOMEMLIMIT"),
                    val: EnvVal::Resource("limits.memory", "1"),
                },
                lit(
                    "FEATURE_FLAGS",
                    "{\"checkout-v2\":true,\"rollout\":\"<25%>\",\"owners\":\"payments&search\"}",
                ),
                secret_ref("API_KEY", &format!("{}-api", ctx.name), "api-key"),
            ];
            main.sec = Sec::Restricted;
            main.mounts = vec![mount("config", "/etc/app", true)];
            w.volumes.push(vol(
                "config",
                VolSrc::ConfigMap(format!("{}-config", ctx.name)),
            ));
            w.pod_nonroot = true;
        }
        Profile::Jvm => {
            main.ports = vec![port("http", 8080), port("management", 8081)];
            main.liveness = Some(probe(
                ProbeAction::Http("/actuator/health/liveness", 8081),
                60,
                10,
                5,
                3,
            ));
            main.readiness = Some(probe(
                ProbeAction::Http("/actuator/health/readiness", 8081),
                30,
                10,
                5,
                3,
            ));
            if rng.chance(0.5) {
                main.startup = Some(probe(
                    ProbeAction::Http("/actuator/health/liveness", 8081),
                    0,
                    10,
                    1,
                    30,
                ));
            }
            main.env = vec![
                lit(
                    "JAVA_TOOL_OPTIONS",
                    "-XX:MaxRAMPercentage=75.0 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8",
                ),
                lit("SPRING_PROFILES_ACTIVE", "prod,aws"),
                lit(
                    "SPRING_DATASOURCE_URL",
                    &format!(
                        "jdbc:postgresql://postgres.data.svc.cluster.local:5432/{}?ssl=true&sslmode=require",
                        ctx.ns.replace('-', "_")
                    ),
                ),
                lit("SPRING_DATASOURCE_USERNAME", ctx.ns),
                lit("SPRING_DATASOURCE_PASSWORD", secret),
                lit(
                    "KAFKA_BOOTSTRAP_SERVERS",
                    "kafka-0.kafka-headless.data:9092,kafka-1.kafka-headless.data:9092,kafka-2.kafka-headless.data:9092",
                ),
                lit("SERVER_SHUTDOWN", "graceful"),
            ];
            main.mounts = vec![
                mount("tmp", "/tmp", false),
                mount("config", "/config", true),
            ];
            w.volumes
                .push(vol("tmp", VolSrc::EmptyDir(None, Some("1Gi"))));
            w.volumes.push(vol(
                "config",
                VolSrc::ConfigMap(format!("{}-config", ctx.name)),
            ));
            w.grace = 60;
        }
        Profile::Node => {
            main.ports = vec![port("http", 3000)];
            main.liveness = Some(probe(ProbeAction::Http("/health", 3000), 15, 20, 2, 3));
            main.readiness = Some(probe(ProbeAction::Http("/health", 3000), 5, 10, 2, 3));
            main.env = vec![
                lit("NODE_ENV", "production"),
                lit("PORT", "3000"),
                lit(
                    "NODE_OPTIONS",
                    "--max-old-space-size=384 --enable-source-maps",
                ),
                lit("SESSION_SECRET", secret),
                lit(
                    "API_BASE_URL",
                    &format!("http://{}-api.{}.svc.cluster.local:8080", ctx.ns, ctx.ns),
                ),
                lit("GREETING", "héllo wörld ✓ — naïve café"),
                lit(
                    "CSP_HEADER",
                    "default-src 'self'; img-src 'self' https://cdn.example.com; script-src 'self' 'unsafe-inline'",
                ),
            ];
            main.sec = Sec::Restricted;
            main.mounts = vec![mount("cache", "/app/.next/cache", false)];
            w.volumes.push(vol("cache", VolSrc::EmptyDir(None, None)));
            w.pod_nonroot = true;
        }
        Profile::PyWorker => {
            main.command = strings(&["celery"]);
            main.args = vec![
                s("-A"),
                s("app.worker"),
                s("worker"),
                format!("--concurrency={}", rng.range(2, 8)),
                s("--loglevel=INFO"),
                format!("--queues={},default", ctx.name),
            ];
            main.liveness = Some(probe(
                ProbeAction::Exec(strings(&[
                    "/bin/sh",
                    "-c",
                    "celery -A app.worker inspect ping -d celery@$HOSTNAME",
                ])),
                30,
                60,
                10,
                3,
            ));
            main.env = vec![
                lit(
                    "CELERY_BROKER_URL",
                    &format!("redis://:{secret}@cart-redis.checkout.svc.cluster.local:6379/0"),
                ),
                lit(
                    "DATABASE_URL",
                    &format!(
                        "postgresql://app:{secret}@postgres.data.svc.cluster.local:5432/{}?sslmode=require&application_name={}",
                        ctx.ns.replace('-', "_"),
                        ctx.name
                    ),
                ),
                lit("PYTHONUNBUFFERED", "1"),
                lit("MOTD", "line one\nline two\ttabbed \"quoted\" \\ back"),
            ];
        }
        Profile::PyModel => {
            main.ports = vec![port("http", 8000), port("metrics", 8002)];
            main.liveness = Some(probe(
                ProbeAction::Http("/v1/health/live", 8000),
                30,
                15,
                5,
                3,
            ));
            main.readiness = Some(probe(
                ProbeAction::Http("/v1/health/ready", 8000),
                20,
                10,
                5,
                3,
            ));
            main.env = vec![
                lit(
                    "MODEL_URI",
                    &format!("s3://acme-ml-models/{}/{}/model.onnx", ctx.ns, ctx.name),
                ),
                lit("WORKERS", "2"),
                lit("OMP_NUM_THREADS", "2"),
                lit("HF_TOKEN", secret),
            ];
            main.mounts = vec![mount("model-cache", "/models", false)];
            w.volumes
                .push(vol("model-cache", VolSrc::EmptyDir(None, Some("10Gi"))));
        }
        Profile::Nginx => {
            main.image = s("nginx:1.27.2-alpine");
            main.ports = vec![port("http", 80)];
            main.liveness = http("/", 80);
            main.readiness = http("/", 80);
            main.mounts = vec![
                mount("nginx-conf", "/etc/nginx/conf.d", true),
                mount("html", "/usr/share/nginx/html", true),
            ];
            w.volumes.push(vol(
                "nginx-conf",
                VolSrc::ConfigMap(format!("{}-nginx", ctx.name)),
            ));
            w.volumes
                .push(vol("html", VolSrc::Pvc(format!("{}-html", ctx.name))));
        }
        Profile::Postgres => {
            main.name = s("postgres");
            main.image = s("postgres:16.4");
            main.ports = vec![port("postgres", 5432)];
            let ready = ProbeAction::Exec(strings(&[
                "/bin/sh",
                "-c",
                "exec pg_isready -U \"postgres\" -h 127.0.0.1 -p 5432",
            ]));
            main.liveness = Some(probe(ready.clone(), 30, 10, 5, 6));
            main.readiness = Some(probe(ready, 5, 10, 5, 6));
            main.env = vec![
                lit("POSTGRES_DB", &ctx.ns.replace('-', "_")),
                lit("POSTGRES_USER", "postgres"),
                lit("POSTGRES_PASSWORD", secret),
                lit("PGDATA", "/var/lib/postgresql/data/pgdata"),
            ];
            main.mounts = vec![
                mount("data", "/var/lib/postgresql/data", false),
                mount("dshm", "/dev/shm", false),
            ];
            w.volumes
                .push(vol("data", VolSrc::ClaimTemplate(s("data"))));
            w.volumes
                .push(vol("dshm", VolSrc::EmptyDir(Some("Memory"), None)));
            if main.pattern == Pattern::None || main.pattern == Pattern::CpuOnly {
                main.pattern = Pattern::Guaranteed;
            }
            let mut exporter = ctr(
                "metrics",
                "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
            );
            exporter.ports = vec![port("http-metrics", 9187)];
            exporter.env = vec![lit(
                "DATA_SOURCE_NAME",
                &format!("postgresql://postgres:{secret}@127.0.0.1:5432/postgres?sslmode=disable"),
            )];
            exporter.liveness = http("/", 9187);
            exporter.res = res(Some("10m"), Some("32Mi"), None, Some("64Mi"));
            w.containers.push(exporter);
            w.grace = 120;
        }
        Profile::Redis => {
            main.name = s("redis");
            main.image = s("redis:7.2.5-alpine");
            main.args = strings(&["--requirepass", "$(REDIS_PASSWORD)", "--appendonly", "yes"]);
            main.ports = vec![port("redis", 6379)];
            main.liveness = Some(probe(ProbeAction::Tcp(6379), 15, 10, 5, 3));
            main.readiness = Some(probe(
                ProbeAction::Exec(strings(&["redis-cli", "-a", "$(REDIS_PASSWORD)", "ping"])),
                5,
                5,
                1,
                3,
            ));
            main.env = vec![lit("REDIS_PASSWORD", secret)];
            main.mounts = vec![mount("data", "/data", false)];
            w.volumes
                .push(vol("data", VolSrc::ClaimTemplate(s("data"))));
        }
        Profile::Kafka => {
            main.name = s("kafka");
            main.image = s("docker.io/bitnami/kafka:3.7.0-debian-12-r6");
            main.ports = vec![port("client", 9092), port("controller", 9093)];
            main.liveness = Some(probe(ProbeAction::Tcp(9093), 10, 10, 5, 3));
            main.readiness = Some(probe(ProbeAction::Tcp(9092), 5, 10, 5, 6));
            main.env = vec![
                lit("BITNAMI_DEBUG", "false"),
                field("MY_POD_NAME", "metadata.name"),
                lit("KAFKA_HEAP_OPTS", "-Xmx1024m -Xms1024m"),
                lit("KAFKA_KRAFT_CLUSTER_ID", "Nd3Xq2mFRk6kO0xUlMuDTg"),
                lit("KAFKA_CFG_PROCESS_ROLES", "controller,broker"),
                lit(
                    "KAFKA_CFG_CONTROLLER_QUORUM_VOTERS",
                    "0@kafka-0.kafka-headless.data.svc.cluster.local:9093,1@kafka-1.kafka-headless.data.svc.cluster.local:9093,2@kafka-2.kafka-headless.data.svc.cluster.local:9093",
                ),
                lit("KAFKA_CLIENT_PASSWORDS", secret),
            ];
            main.mounts = vec![
                mount("data", "/bitnami/kafka", false),
                mount("logs", "/opt/bitnami/kafka/logs", false),
            ];
            w.volumes
                .push(vol("data", VolSrc::ClaimTemplate(s("data"))));
            w.volumes.push(vol("logs", VolSrc::EmptyDir(None, None)));
        }
        Profile::OpenSearch => {
            main.name = s("opensearch");
            main.image = s("opensearchproject/opensearch:2.15.0");
            main.ports = vec![
                port("http", 9200),
                port("transport", 9300),
                port("metrics", 9600),
            ];
            main.readiness = Some(probe(ProbeAction::Tcp(9200), 0, 5, 3, 3));
            main.startup = Some(probe(ProbeAction::Tcp(9200), 5, 10, 3, 30));
            main.env = vec![
                lit("node.name", "$(POD_NAME)"),
                field("POD_NAME", "metadata.name"),
                lit(
                    "cluster.initial_master_nodes",
                    "opensearch-0,opensearch-1,opensearch-2",
                ),
                lit("discovery.seed_hosts", "opensearch-headless"),
                lit("cluster.name", &format!("{}-search", ctx.cluster)),
                lit("network.host", "0.0.0.0"),
                lit("OPENSEARCH_JAVA_OPTS", "-Xmx2g -Xms2g"),
                lit("OPENSEARCH_INITIAL_ADMIN_PASSWORD", secret),
            ];
            main.mounts = vec![mount("data", "/usr/share/opensearch/data", false)];
            w.volumes
                .push(vol("data", VolSrc::ClaimTemplate(s("data"))));
            let mut sysctl = ctr("sysctl", "docker.io/library/busybox:1.36.1");
            sysctl.role = Role::Init;
            sysctl.command = strings(&["sh", "-c", "sysctl -w vm.max_map_count=262144"]);
            sysctl.sec = Sec::Privileged;
            w.inits.push(sysctl);
            w.grace = 120;
        }
        Profile::Batch => {
            let (image, command) = match rng.index(3) {
                0 => (
                    s("postgres:16.4"),
                    format!(
                        "pg_dump --format=custom --no-owner \"$DATABASE_URL\" | aws s3 cp - s3://acme-backups/{}/$(date +%Y%m%dT%H%M%S).dump",
                        ctx.name
                    ),
                ),
                1 => (
                    s("amazon/aws-cli:2.17.4"),
                    format!(
                        "aws s3 sync s3://acme-{}-exports/incoming /work && python /app/run.py --job {} && echo done > /dev/termination-log",
                        ctx.ns, ctx.name
                    ),
                ),
                _ => (
                    ecr(ctx.ns, ctx.name, rng),
                    format!(
                        "/app/bin/{} --since=1h --batch-size=500 2>&1 | tee /tmp/run.log",
                        ctx.name
                    ),
                ),
            };
            main.image = image;
            main.command = strings(&["/bin/sh", "-c"]);
            main.args = vec![command];
            main.env = vec![
                lit(
                    "DATABASE_URL",
                    &format!(
                        "postgresql://batch:{secret}@postgres.data.svc.cluster.local:5432/{}",
                        ctx.ns.replace('-', "_")
                    ),
                ),
                lit("AWS_SECRET_ACCESS_KEY", secret),
                lit("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ];
            main.pattern = if rng.chance(0.7) {
                Pattern::ReqLimits
            } else {
                Pattern::ReqOnly
            };
            w.restart_policy = if rng.chance(0.5) {
                "OnFailure"
            } else {
                "Never"
            };
            w.period_min = *rng.pick(&[15, 60, 60, 360, 1440]);
        }
        Profile::Trainer => {
            main.image = ecr(ctx.ns, "trainer", rng);
            main.command = strings(&["python", "-m", "trainer.main"]);
            main.args = strings(&[
                "--epochs=40",
                "--batch-size=2048",
                "--data=s3://acme-ml-data/clicks/2025-05/",
            ]);
            main.env = vec![lit("WANDB_API_KEY", secret)];
            main.scalable = false;
            main.res = res(Some("48"), Some("192Gi"), Some("48"), Some("192Gi"));
            w.huge = true;
        }
        Profile::Debug => {
            let (image, cmd): (&str, &[&str]) = if ctx.name.contains("psql") {
                ("postgres:16.4", &["sleep", "infinity"])
            } else if ctx.name.contains("curl") {
                ("curlimages/curl:8.9.1", &["sleep", "86400"])
            } else {
                ("nicolaka/netshoot:v0.13", &["sleep", "infinity"])
            };
            main.image = s(image);
            main.command = strings(cmd);
            main.env = vec![lit("PGPASSWORD", secret)];
            main.pattern = if rng.chance(0.7) {
                Pattern::None
            } else {
                Pattern::LimitsOnly
            };
            w.last_applied = rng.chance(0.7);
            w.grace = 0;
        }
    }
    let service = matches!(
        ctx.profile,
        Profile::GoApi | Profile::Jvm | Profile::Node | Profile::PyWorker | Profile::PyModel
    );
    if service && rng.chance(0.5) {
        // Many services keep their settings in a ConfigMap and a Secret instead.
        main.env.truncate(2);
        main.env_from = vec![
            (false, format!("{}-config", ctx.name)),
            (true, format!("{}-secrets", ctx.name)),
        ];
    } else if service {
        common_env(&mut main, ctx, rng);
    }
    if service && main.sec == Sec::Restricted && rng.chance(0.5) {
        main.sec = Sec::None;
        w.pod_nonroot = false;
    }
    w.containers.insert(0, main);

    // Extra containers.
    if kind == Kind::Deployment && !w.huge {
        if !w.meshed && rng.chance(0.15) {
            let mut c = ctr("log-shipper", "cr.fluentbit.io/fluent/fluent-bit:3.1.9");
            c.args = strings(&["--config=/fluent-bit/etc/fluent-bit.yaml"]);
            c.res = res(Some("20m"), Some("32Mi"), None, Some("64Mi"));
            c.mounts = vec![
                mount("app-logs", "/var/log/app", true),
                mount("log-shipper-config", "/fluent-bit/etc", true),
            ];
            if let Some(m) = w.containers.first_mut() {
                m.mounts.push(mount("app-logs", "/var/log/app", false));
            }
            w.containers.push(c);
            w.volumes
                .push(vol("app-logs", VolSrc::EmptyDir(None, Some("500Mi"))));
            w.volumes.push(vol(
                "log-shipper-config",
                VolSrc::ConfigMap(s("log-shipper")),
            ));
        }
        if rng.chance(0.12) {
            let mut c = ctr("wait-for-db", "docker.io/library/busybox:1.36.1");
            c.role = Role::Init;
            c.command = strings(&[
                "sh",
                "-c",
                "until nc -z postgres.data.svc.cluster.local 5432; do echo waiting for db; sleep 2; done",
            ]);
            c.res = res(Some("10m"), Some("16Mi"), Some("50m"), Some("32Mi"));
            w.inits.push(c);
        }
        if matches!(ctx.profile, Profile::GoApi | Profile::Jvm) && rng.chance(0.1) {
            let main = &w.containers[0];
            let mut c = ctr("migrate", &main.image);
            c.role = Role::Init;
            c.args = strings(&["migrate", "up", "--lock-timeout=60s"]);
            c.env = main
                .env
                .iter()
                .filter(|e| e.name.contains("DATA"))
                .cloned()
                .collect();
            c.scalable = true;
            c.raw_cpu = main.raw_cpu * 2.0;
            c.raw_mem = main.raw_mem;
            c.pattern = if main.pattern == Pattern::None {
                Pattern::None
            } else {
                Pattern::ReqLimits
            };
            w.inits.push(c);
        }
        if !w.meshed && rng.chance(0.06) {
            let mut c = ctr("otel-agent", "otel/opentelemetry-collector-contrib:0.108.0");
            c.role = Role::Native;
            c.args = strings(&["--config=/conf/otel-agent.yaml"]);
            c.ports = vec![port("otlp-grpc", 4317), port("otlp-http", 4318)];
            c.readiness = http("/", 13133);
            c.res = res(Some("50m"), Some("64Mi"), Some("200m"), Some("256Mi"));
            c.mounts = vec![mount("otel-agent-config", "/conf", true)];
            w.inits.push(c);
            w.volumes
                .push(vol("otel-agent-config", VolSrc::ConfigMap(s("otel-agent"))));
        }
    }
    if w.meshed {
        add_istio(&mut w, ctx);
    }
    w
}

fn add_istio(w: &mut Workload, ctx: &AppCtx) {
    let main_name = w
        .containers
        .first()
        .map_or_else(|| s(ctx.name), |c| c.name.clone());
    const PROXY: &str = "docker.io/istio/proxyv2:1.23.2";
    let mut init = ctr("istio-init", PROXY);
    init.role = Role::Init;
    init.args = strings(&[
        "istio-iptables",
        "-p",
        "15001",
        "-z",
        "15006",
        "-u",
        "1337",
        "-m",
        "REDIRECT",
        "-i",
        "*",
        "-x",
        "",
        "-b",
        "*",
        "-d",
        "15090,15021,15020",
        "--log_output_level=default:info",
    ]);
    init.res = res(Some("10m"), Some("40Mi"), Some("2"), Some("1Gi"));
    init.sec = Sec::NetAdmin;
    let mut proxy = ctr("istio-proxy", PROXY);
    proxy.role = Role::Native;
    proxy.args = strings(&[
        "proxy",
        "sidecar",
        "--domain",
        "$(POD_NAMESPACE).svc.cluster.local",
        "--proxyLogLevel=warning",
    ]);
    proxy.ports = vec![port("http-envoy-prom", 15090)];
    proxy.env = vec![
        lit("PILOT_CERT_PROVIDER", "istiod"),
        lit("CA_ADDR", "istiod.istio-system.svc:15012"),
        field("POD_NAME", "metadata.name"),
        field("POD_NAMESPACE", "metadata.namespace"),
        field("INSTANCE_IP", "status.podIP"),
        lit(
            "ISTIO_META_POD_PORTS",
            "[\n    {\"name\":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"}\n]",
        ),
        lit("ISTIO_META_APP_CONTAINERS", &main_name),
        lit("ISTIO_META_WORKLOAD_NAME", ctx.name),
    ];
    proxy.readiness = Some(probe(
        ProbeAction::Http("/healthz/ready", 15021),
        0,
        15,
        3,
        4,
    ));
    proxy.startup = Some(probe(
        ProbeAction::Http("/healthz/ready", 15021),
        0,
        1,
        3,
        600,
    ));
    proxy.res = res(Some("100m"), Some("128Mi"), Some("2"), Some("1Gi"));
    proxy.sec = Sec::Restricted;
    proxy.mounts = vec![
        mount("istiod-ca-cert", "/var/run/secrets/istio", false),
        mount("istio-data", "/var/lib/istio/data", false),
        mount("istio-envoy", "/etc/istio/proxy", false),
        mount("istio-token", "/var/run/secrets/tokens", false),
        mount("istio-podinfo", "/etc/istio/pod", false),
    ];
    w.inits.insert(0, init);
    w.inits.insert(1, proxy);
    for (name, src) in [
        ("istio-envoy", VolSrc::EmptyDir(Some("Memory"), None)),
        ("istio-data", VolSrc::EmptyDir(None, None)),
        ("istio-podinfo", VolSrc::PodInfo),
        ("istio-token", VolSrc::IstioToken),
        ("istiod-ca-cert", VolSrc::ConfigMap(s("istio-ca-root-cert"))),
    ] {
        w.volumes.push(vol(name, src));
    }
    w.labels.push((s("security.istio.io/tlsMode"), s("istio")));
    w.labels
        .push((s("service.istio.io/canonical-name"), s(ctx.name)));
    w.labels
        .push((s("service.istio.io/canonical-revision"), s("latest")));
    w.annotations.extend([
        (s("istio.io/rev"), s("default")),
        (s("kubectl.kubernetes.io/default-container"), main_name),
        (s("prometheus.io/path"), s("/stats/prometheus")),
        (s("prometheus.io/port"), s("15020")),
        (s("prometheus.io/scrape"), s("true")),
        (
            s("sidecar.istio.io/status"),
            s("{\"initContainers\":[\"istio-init\",\"istio-proxy\"],\"containers\":null,\"volumes\":[\"istio-envoy\",\"istio-data\",\"istio-podinfo\",\"istio-token\",\"istiod-ca-cert\"],\"imagePullSecrets\":null,\"revision\":\"default\"}"),
        ),
    ]);
}
