//! Fixture-driven tests of the ingest stage: real samples (`fixtures/real/`, byte-exact copies,
//! see their SOURCES.md) and hand-written clusters (`fixtures/*.json|yaml`, see README.md there).

use kube_rightsize_core::cluster::{Cluster, InputFormat};
use kube_rightsize_core::ingest::{
    IngestError, IngestErrorKind, IngestOptions, Input, ingest, ingest_with,
};
use kube_rightsize_core::model::{CapacityType, Provider};
use kube_rightsize_core::nodes::{ComputeType, Node, describe};
use kube_rightsize_core::pods::{PodPhase, QosClass};

const MI: i64 = 1 << 20;
const KI: i64 = 1 << 10;
const GI: i64 = 1 << 30;

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn load(path: &str) -> Cluster {
    let bytes = fixture(path);
    ingest(&[Input::new(name_of(path), &bytes)]).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn load_all(paths: &[&str]) -> Cluster {
    let data: Vec<Vec<u8>> = paths.iter().map(|p| fixture(p)).collect();
    let inputs: Vec<Input<'_>> = paths
        .iter()
        .zip(&data)
        .map(|(p, d)| Input::new(name_of(p), d))
        .collect();
    ingest(&inputs).unwrap_or_else(|e| panic!("{paths:?}: {e}"))
}

fn error(path: &str) -> IngestError {
    let bytes = fixture(path);
    match ingest(&[Input::new(name_of(path), &bytes)]) {
        Ok(_) => panic!("{path} should not ingest"),
        Err(e) => e,
    }
}

fn text_error(text: &str) -> IngestError {
    match ingest(&[Input::new("paste", text.as_bytes())]) {
        Ok(_) => panic!("{text:?} should not ingest"),
        Err(e) => e,
    }
}

fn text(text: &str) -> Cluster {
    ingest(&[Input::new("paste", text.as_bytes())]).unwrap_or_else(|e| panic!("{e}"))
}

fn codes(c: &Cluster) -> Vec<&str> {
    c.warnings.iter().map(|w| w.code.as_str()).collect()
}

fn node<'c>(c: &'c Cluster, name: &str) -> &'c Node {
    c.node(name).unwrap_or_else(|| panic!("no node {name}"))
}

/// (provider, instance type, region, zone, capacity type, pool)
type Mapping<'n> = (
    Provider,
    Option<&'n str>,
    Option<&'n str>,
    Option<&'n str>,
    CapacityType,
    Option<&'n str>,
);

fn mapping(n: &Node) -> Mapping<'_> {
    (
        n.provider,
        n.instance_type.as_deref(),
        n.region.as_deref(),
        n.zone.as_deref(),
        n.capacity_type,
        n.node_pool.as_deref(),
    )
}

fn workload_key(c: &Cluster, ns: &str, pod: &str) -> String {
    let p = c
        .pod(ns, pod)
        .unwrap_or_else(|| panic!("no pod {ns}/{pod}"));
    let w = &c.workloads[p.workload];
    format!("{}/{}", w.kind, w.name)
}

// ---------------------------------------------------------------- real fixtures

#[test]
fn real_eks_podlist_on_one_line_with_kindless_items() {
    let c = load("real/eks-podlist-metrics-agent.json");
    assert_eq!(c.pods.len(), 6);
    assert_eq!(c.inputs[0].format, InputFormat::Json);
    assert_eq!(c.inputs[0].pods, 6);
    assert!(c.nodes.is_empty());
    assert_eq!(codes(&c), vec!["no_nodes"]);
    assert_eq!(
        c.warnings[0].message,
        "the paste has pods but no nodes: run `kubectl get nodes,pods -A -o json`"
    );
    for p in &c.pods {
        assert_eq!(p.node.as_deref(), Some("ip-172-26-67-126.ec2.internal"));
        assert_eq!(p.node_index, None);
        assert_eq!(p.phase, PodPhase::Running);
        assert_eq!(p.qos, QosClass::Burstable);
        assert!(p.holds_resources);
    }
    assert_eq!(
        workload_key(
            &c,
            "cloudability",
            "cloudability-metrics-agent-f564d999d-8qwp8"
        ),
        "Deployment/cloudability-metrics-agent"
    );
    assert_eq!(
        workload_key(&c, "kube-system", "aws-node-48cfw"),
        "DaemonSet/aws-node"
    );
    assert_eq!(
        workload_key(&c, "kube-system", "kube-proxy-g6lc7"),
        "DaemonSet/kube-proxy"
    );
    assert_eq!(workload_key(&c, "stress-test", "stress2"), "Pod/stress2");
    let coredns = c.workload("kube-system", "Deployment", "coredns").unwrap();
    assert_eq!(coredns.pods.len(), 2);
    assert_eq!(coredns.container_names, vec!["coredns"]);
    assert_eq!(c.workloads.len(), 5);

    let agent = c
        .pod("cloudability", "cloudability-metrics-agent-f564d999d-8qwp8")
        .unwrap();
    assert_eq!(agent.containers[0].requests.cpu_millis, Some(100));
    assert_eq!(agent.containers[0].requests.memory_bytes, Some(128 * MI));
    assert_eq!(agent.containers[0].limits.cpu_millis, Some(500));
    assert_eq!(agent.containers[0].limits.memory_bytes, Some(GI));
    let aws_node = c.pod("kube-system", "aws-node-48cfw").unwrap();
    assert_eq!(aws_node.init_containers.len(), 1);
    assert_eq!(aws_node.init_containers[0].name, "aws-vpc-cni-init");
    assert!(!aws_node.init_containers[0].sidecar);
    assert_eq!(aws_node.effective_request.cpu_millis, 25);
    assert_eq!(aws_node.effective_request.memory_bytes, 0);
    let coredns_pod = c.pod("kube-system", "coredns-7f5998f4c-5fblt").unwrap();
    assert_eq!(coredns_pod.effective_request.memory_bytes, 70 * MI);
    assert_eq!(coredns_pod.pod_template_hash.as_deref(), Some("7f5998f4c"));

    // The API key in the agent's env must not survive.
    let raw = String::from_utf8(fixture("real/eks-podlist-metrics-agent.json")).unwrap();
    assert!(raw.contains("superSecret"));
    let json = serde_json::to_string(&c).unwrap();
    assert!(!json.contains("superSecret"));
    assert!(!json.contains("CLOUDABILITY_API_KEY"));
    assert!(!json.contains("managedFields"));
}

#[test]
fn real_kind_node() {
    let c = load("real/kind-node.json");
    let n = node(&c, "attack-chain-6-control-plane");
    assert_eq!(
        mapping(n),
        (
            Provider::Kind,
            None,
            None,
            None,
            CapacityType::Unknown,
            None
        )
    );
    assert_eq!(
        n.reasons.instance_type.as_deref(),
        Some("no instance-type label; providerID kind://… means a local kind cluster")
    );
    assert!(n.control_plane);
    assert_eq!(n.roles, vec!["control-plane"]);
    assert_eq!(n.arch.as_deref(), Some("amd64"));
    assert_eq!(n.os.as_deref(), Some("linux"));
    assert_eq!(n.allocatable.cpu_millis, 8000);
    assert_eq!(n.allocatable.memory_bytes, 16_081_500 * KI);
    assert_eq!(n.allocatable.pods, 110);
    assert_eq!(n.created.as_deref(), Some("2024-02-20T11:17:49Z"));
    assert_eq!(
        describe(n),
        "Node attack-chain-6-control-plane has no known instance type, in an unknown region \
         (unknown capacity type): no instance-type label; providerID kind://… means a local kind cluster"
    );
    assert_eq!(codes(&c), vec!["no_pods"]);
}

#[test]
fn real_microk8s_bare_array() {
    let c = load("real/microk8s-nodes-array.json");
    assert_eq!(c.nodes.len(), 1);
    let n = node(&c, "repldev-marc");
    assert_eq!(
        mapping(n),
        (
            Provider::Unknown,
            None,
            None,
            None,
            CapacityType::Unknown,
            None
        )
    );
    assert_eq!(
        n.reasons.provider.as_deref(),
        Some("no providerID and no cloud labels: a microk8s node")
    );
    assert_eq!(n.allocatable.cpu_millis, 8000);
    assert_eq!(n.allocatable.memory_bytes, 30_770_604 * KI);
    assert_eq!(n.capacity.ephemeral_storage_bytes, 1_016_067_204 * KI);
    assert_eq!(
        describe(n),
        "Node repldev-marc has no known instance type, in an unknown region (unknown capacity \
         type): no instance-type label; a microk8s node has no cloud instance type"
    );
}

#[test]
fn real_mixed_nodelist_with_kindless_digitalocean_nodes() {
    let c = load("real/mixed-nodelist-microk8s-doks-kurl-troubleshoot.json");
    assert_eq!(c.nodes.len(), 7);
    assert_eq!(c.inputs[0].nodes, 7);
    let doks = [
        ("biggernode-3i745", "g-8vcpu-32gb", "biggernode"),
        ("pool-yd23sqk7u-3i7i7", "s-2vcpu-4gb", "pool-yd23sqk7u"),
        ("pool-yd23sqk7u-3i7it", "s-2vcpu-4gb", "pool-yd23sqk7u"),
        ("pool-yd23sqk7u-3i7v3", "s-2vcpu-4gb", "pool-yd23sqk7u"),
        ("smallnode-3i74t", "s-1vcpu-2gb", "smallnode"),
    ];
    for (name, it, pool) in doks {
        let n = node(&c, name);
        assert_eq!(
            mapping(n),
            (
                Provider::Digitalocean,
                Some(it),
                Some("sfo2"),
                None,
                CapacityType::OnDemand,
                Some(pool)
            ),
            "{name}"
        );
    }
    assert_eq!(
        node(&c, "smallnode-3i74t").allocatable.memory_bytes,
        1574 * MI
    );
    assert_eq!(
        describe(node(&c, "biggernode-3i745")),
        "Node biggernode-3i745 is instance type g-8vcpu-32gb in sfo2 (on-demand, pool biggernode)"
    );
    let kurl = node(&c, "ip-172-31-21-92");
    assert_eq!(
        mapping(kurl),
        (
            Provider::Unknown,
            None,
            None,
            None,
            CapacityType::Unknown,
            None
        )
    );
    assert_eq!(kurl.gpus, 1);
    assert_eq!(kurl.allocatable.gpus, 1);
    assert_eq!(kurl.arch.as_deref(), Some("amd64"));
    assert!(kurl.control_plane);
    assert_eq!(kurl.roles, vec!["control-plane", "master"]);
    assert_eq!(
        kurl.reasons.provider.as_deref(),
        Some("no providerID and no cloud labels: a kURL node")
    );
    assert_eq!(node(&c, "repldev-marc").provider, Provider::Unknown);
    assert_eq!(c.node_index["repldev-marc"], 0);
}

#[test]
fn real_minikube_node() {
    let c = load("real/minikube-node-k9s.json");
    let n = node(&c, "minikube");
    assert_eq!(
        mapping(n),
        (
            Provider::Unknown,
            None,
            None,
            None,
            CapacityType::Unknown,
            None
        )
    );
    assert!(n.control_plane);
    assert_eq!(n.roles, vec!["master"]);
    assert_eq!(n.allocatable.ephemeral_storage_bytes, 15_625_027_559);
    assert_eq!(
        n.reasons.instance_type.as_deref(),
        Some("no instance-type label; a minikube node has no cloud instance type")
    );
}

#[test]
fn real_gke_node() {
    let c = load("real/gke-node-k8s-interface.json");
    let n = node(&c, "gke-cluster-pool-1-123456");
    assert_eq!(
        mapping(n),
        (
            Provider::Gcp,
            Some("c2-standard-16"),
            Some("us-west1"),
            Some("us-west1-a"),
            CapacityType::OnDemand,
            Some("secure-pool-2")
        )
    );
    assert_eq!(n.allocatable.cpu_millis, 15_890);
    assert_eq!(n.allocatable.memory_bytes, 60_043_260 * KI);
    assert_eq!(n.capacity.cpu_millis, 16_000);
    assert_eq!(n.compute_type, ComputeType::Standard);
    assert_eq!(
        describe(n),
        "Node gke-cluster-pool-1-123456 is instance type c2-standard-16 in us-west1/us-west1-a (on-demand, pool secure-pool-2)"
    );
}

#[test]
fn real_aks_node() {
    let c = load("real/aks-node-k8s-interface.json");
    let n = node(&c, "aks-minio01-00000000-vmss00000k");
    assert_eq!(
        mapping(n),
        (
            Provider::Azure,
            Some("Standard_D8ads_v5"),
            Some("westeurope"),
            Some("westeurope-1"),
            CapacityType::OnDemand,
            Some("minio01")
        )
    );
    assert_eq!(n.allocatable.cpu_millis, 7820);
    assert_eq!(n.roles, vec!["agent"]);
    assert!(!n.control_plane);
}

#[test]
fn real_karpenter_arm64_node() {
    let c = load("real/eks-karpenter-node-k8s-interface.json");
    let n = node(&c, "ip-1-1-1-1.eu-west-1.compute.internal");
    assert_eq!(
        mapping(n),
        (
            Provider::Aws,
            Some("c7g.large"),
            Some("eu-west-1"),
            Some("eu-west-1b"),
            CapacityType::OnDemand,
            Some("test123")
        )
    );
    assert_eq!(n.arch.as_deref(), Some("arm64"));
    assert_eq!(n.allocatable.cpu_millis, 1930);
    assert_eq!(n.allocatable.memory_bytes, 3_217_992 * KI);
    assert_eq!(n.allocatable.pods, 29);
    assert_eq!(n.reasons, Default::default());
}

#[test]
fn real_single_pods() {
    // Reported BestEffort despite requests (hand-edited upstream): the reported class is kept.
    let c = load("real/pod-k9s.json");
    let p = c.pod("default", "nginx").unwrap();
    assert_eq!((p.qos, p.qos_computed), (QosClass::BestEffort, false));
    assert_eq!(p.effective_request.cpu_millis, 100);
    assert_eq!(p.effective_request.memory_bytes, 70 * MI);
    assert_eq!(p.node.as_deref(), Some("minikube"));
    assert_eq!(workload_key(&c, "default", "nginx"), "Pod/nginx");

    let c = load("real/pod-init-k9s.json");
    let p = c.pod("default", "nginx").unwrap();
    assert_eq!(p.init_containers[0].name, "ic1");
    assert_eq!(p.effective_request.cpu_millis, 100);
    assert_eq!(p.effective_request.memory_bytes, 70 * MI);

    let c = load("real/pod-limited-k9s.json");
    let p = c.pod("default", "nginx").unwrap();
    assert_eq!(p.containers.len(), 2);
    assert_eq!(p.effective_request.cpu_millis, 150);
    assert_eq!(p.effective_request.memory_bytes, 100 * MI);
    assert_eq!(p.containers[1].limits.cpu_millis, Some(100));
    assert!(!p.containers[1].requests_defaulted);

    let c = load("real/pod-limitless-k9s.json");
    let p = c.pod("default", "nginx").unwrap();
    assert_eq!(p.containers[1].name, "logger");
    assert!(p.containers[1].limits.is_empty());
    assert_eq!(p.effective_request.cpu_millis, 150);

    let c = load("real/pod-gke-k9s.json");
    let p = c.pod("default", "nginx-7fb78fb6d8-2w75j").unwrap();
    assert_eq!(p.qos, QosClass::Guaranteed);
    assert_eq!(
        workload_key(&c, "default", "nginx-7fb78fb6d8-2w75j"),
        "Deployment/nginx"
    );
    assert_eq!(p.effective_request.memory_bytes, 20 * MI);
}

#[test]
fn real_sidecar_pod_with_crlf() {
    let raw = fixture("real/pod-sidecar-k9s.json");
    assert!(raw.windows(2).any(|w| w == b"\r\n"));
    let c = load("real/pod-sidecar-k9s.json");
    let p = c.pod("default", "sleep").unwrap();
    let init: Vec<(&str, bool)> = p
        .init_containers
        .iter()
        .map(|c| (c.name.as_str(), c.sidecar))
        .collect();
    assert_eq!(init, vec![("init", false), ("sidecar", true)]);
    // app 30m + sidecar 20m = 50m < init 333m; memory 10Mi + 40Mi < 333Mi.
    assert_eq!(p.effective_request.cpu_millis, 333);
    assert_eq!(p.effective_request.memory_bytes, 333 * MI);
    assert_eq!(p.qos, QosClass::Burstable);
    let w = &c.workloads[p.workload];
    assert_eq!(w.container_names, vec!["sidecar", "sleep"]);
}

#[test]
fn all_real_fixtures_merge() {
    let c = load_all(&[
        "real/eks-podlist-metrics-agent.json",
        "real/kind-node.json",
        "real/microk8s-nodes-array.json",
        "real/mixed-nodelist-microk8s-doks-kurl-troubleshoot.json",
        "real/minikube-node-k9s.json",
        "real/pod-k9s.json",
        "real/pod-gke-k9s.json",
        "real/pod-init-k9s.json",
        "real/pod-sidecar-k9s.json",
        "real/pod-limited-k9s.json",
        "real/pod-limitless-k9s.json",
        "real/aks-node-k8s-interface.json",
        "real/gke-node-k8s-interface.json",
        "real/eks-karpenter-node-k8s-interface.json",
    ]);
    // repldev-marc is in two files; default/nginx in four.
    assert_eq!(c.nodes.len(), 12);
    assert_eq!(c.pods.len(), 6 + 3);
    assert_eq!(c.duplicates, 1 + 3);
    assert_eq!(c.inputs.len(), 14);
    assert_eq!(c.inputs[3].duplicates, 1);
    // pod-init has the same pod with an extra init container: same request, no conflict; the
    // limited and limitless variants request more.
    let dup: Vec<&str> = c
        .warnings_with_code("duplicate_object")
        .map(|w| w.object.as_str())
        .collect();
    assert_eq!(dup, vec!["Pod/default/nginx", "Pod/default/nginx"]);
    let nginx = c.pod("default", "nginx").unwrap();
    assert_eq!(nginx.node_index, c.node_index.get("minikube").copied());
    assert!(nginx.node_index.is_some());
    assert_eq!(c.warnings_with_code("pod_node_missing").count(), 3);
}

// ---------------------------------------------------------------- hand-written clusters

#[test]
fn eks_managed_node_group_on_demand() {
    let c = load("eks-managed-ondemand.json");
    assert_eq!((c.nodes.len(), c.pods.len()), (2, 15));
    let n1 = node(&c, "ip-10-0-1-23.ec2.internal");
    assert_eq!(
        mapping(n1),
        (
            Provider::Aws,
            Some("m5.large"),
            Some("us-east-1"),
            Some("us-east-1a"),
            CapacityType::OnDemand,
            Some("ng-general")
        )
    );
    assert_eq!(
        describe(n1),
        "Node ip-10-0-1-23.ec2.internal is instance type m5.large in us-east-1/us-east-1a (on-demand, pool ng-general)"
    );
    assert_eq!(n1.allocatable.cpu_millis, 1930);
    assert_eq!(n1.allocatable.memory_bytes, 7_244_728 * KI);
    assert_eq!(n1.allocatable.ephemeral_storage_bytes, 18_242_267_924);
    assert_eq!(n1.capacity.memory_bytes, 7_941_048 * KI);
    assert_eq!(n1.allocatable.pods, 29);
    assert_eq!(
        node(&c, "ip-10-0-2-45.ec2.internal")
            .instance_type
            .as_deref(),
        Some("m5.xlarge")
    );

    // Deployment through the ReplicaSet name and pod-template-hash, pods on both nodes.
    let web = c.workload("shop", "Deployment", "web").unwrap();
    assert_eq!(web.pods.len(), 3);
    assert_eq!(web.nodes, vec![0, 1]);
    let placements: Vec<(Option<&str>, Option<&str>, CapacityType, usize)> = web
        .placements
        .iter()
        .map(|p| {
            (
                p.instance_type.as_deref(),
                p.region.as_deref(),
                p.capacity_type,
                p.pods,
            )
        })
        .collect();
    assert_eq!(
        placements,
        vec![
            (
                Some("m5.large"),
                Some("us-east-1"),
                CapacityType::OnDemand,
                1
            ),
            (
                Some("m5.xlarge"),
                Some("us-east-1"),
                CapacityType::OnDemand,
                1
            )
        ]
    );
    assert!(!web.object_present);
    assert_eq!(web.replicas, None);
    // A hash that does not match keeps the ReplicaSet.
    assert_eq!(
        workload_key(&c, "shop", "api-5f6d8-xyz12"),
        "ReplicaSet/api-5f6d8"
    );
    assert_eq!(
        workload_key(&c, "logging", "fluent-bit-x7k2p"),
        "DaemonSet/fluent-bit"
    );
    assert_eq!(workload_key(&c, "data", "db-0"), "StatefulSet/db");
    assert_eq!(workload_key(&c, "default", "debug"), "Pod/debug");
    // Job named after its schedule without the Job object → CronJob.
    assert_eq!(
        workload_key(&c, "batch", "report-28391234-q8x7z"),
        "CronJob/report"
    );
    assert_eq!(
        workload_key(&c, "batch", "migrate-2-k2j4h"),
        "Job/migrate-2"
    );
    // Operator-owned pods group under the operator object, with one warning for the kind.
    let etl = c.workload("spark", "SparkApplication", "etl").unwrap();
    assert_eq!(etl.pods.len(), 2);
    let unknown: Vec<&str> = c
        .warnings_with_code("unknown_owner_kind")
        .map(|w| w.message.as_str())
        .collect();
    assert_eq!(
        unknown,
        vec![
            "pods owned by SparkApplication objects are grouped under their SparkApplication owner"
        ]
    );
    // Static pods are owned by their node: a bare workload each.
    assert_eq!(
        workload_key(
            &c,
            "kube-system",
            "kube-apiserver-ip-10-0-1-23.ec2.internal"
        ),
        "Pod/kube-apiserver-ip-10-0-1-23.ec2.internal"
    );

    // Init containers and a native sidecar: max(100 + 50, 500, 200 + 50) = 500m;
    // memory max(64 + 100, 32, 300 + 100) = 400Mi.
    let fb = c.pod("logging", "fluent-bit-x7k2p").unwrap();
    assert_eq!(fb.effective_request.cpu_millis, 500);
    assert_eq!(fb.effective_request.memory_bytes, 400 * MI);
    assert_eq!(
        fb.init_containers
            .iter()
            .map(|c| c.sidecar)
            .collect::<Vec<_>>(),
        vec![false, true, false]
    );
    assert_eq!(fb.priority_class.as_deref(), Some("system-node-critical"));
    // Overhead is added.
    let db = c.pod("data", "db-0").unwrap();
    assert_eq!(db.effective_request.cpu_millis, 1250);
    assert_eq!(db.effective_request.memory_bytes, 2 * GI + 120 * MI);
    assert_eq!(db.effective_request.ephemeral_storage_bytes, GI);
    assert_eq!(db.overhead.cpu_millis, Some(250));
    // BestEffort computed when status has no qosClass.
    let debug = c.pod("default", "debug").unwrap();
    assert_eq!(
        (debug.qos, debug.qos_computed),
        (QosClass::BestEffort, true)
    );
    assert_eq!(debug.effective_request, Default::default());
    // Only limits → requests default to them, Guaranteed.
    let lo = c.pod("shop", "limits-only").unwrap();
    assert_eq!(lo.containers[0].requests.cpu_millis, Some(500));
    assert_eq!(lo.containers[0].requests.memory_bytes, Some(256 * MI));
    assert!(lo.containers[0].requests_defaulted);
    assert_eq!((lo.qos, lo.qos_computed), (QosClass::Guaranteed, true));
    // GPUs.
    let exec = c.pod("spark", "etl-exec-1").unwrap();
    assert_eq!(exec.effective_request.gpus, 1);
    // Who holds resources.
    let done = c.pod("batch", "report-28391234-q8x7z").unwrap();
    assert_eq!(
        (done.phase, done.holds_resources),
        (PodPhase::Succeeded, false)
    );
    let pending = c.pod("shop", "web-7d4b9c8f6d-pend1").unwrap();
    assert_eq!(
        (pending.node.as_deref(), pending.holds_resources),
        (None, false)
    );
    assert!(
        c.pod("shop", "web-7d4b9c8f6d-abcde")
            .unwrap()
            .holds_resources
    );
    // Pods on a node that is not in the paste: one warning per node.
    let missing: Vec<(&str, &str)> = c
        .warnings_with_code("pod_node_missing")
        .map(|w| (w.object.as_str(), w.message.as_str()))
        .collect();
    assert_eq!(
        missing,
        vec![(
            "Pod/shop/lost-1",
            "2 pods (e.g. Pod/shop/lost-1) run on node ip-10-0-9-99.ec2.internal, which is not in the input"
        )]
    );
    assert_eq!(c.pod("shop", "lost-1").unwrap().node_index, None);
    assert_eq!(codes(&c), vec!["pod_node_missing", "unknown_owner_kind"]);
    // Workloads are sorted by namespace, kind, name.
    let keys: Vec<String> = c
        .workloads
        .iter()
        .map(|w| format!("{}/{}/{}", w.namespace, w.kind, w.name))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn secrets_and_unchosen_labels_are_not_stored() {
    let bytes = fixture("eks-managed-ondemand.json");
    let raw = String::from_utf8(bytes.clone()).unwrap();
    assert!(raw.contains("hunter2-supersecret") && raw.contains("last-applied-configuration"));
    let options = IngestOptions {
        pod_labels: vec!["team".to_owned()],
        ..IngestOptions::default()
    };
    let c = ingest_with(&[Input::new("paste", &bytes)], &options).unwrap();
    let json = serde_json::to_string(&c).unwrap();
    for secret in [
        "hunter2-supersecret",
        "DB_PASSWORD",
        "last-applied-configuration",
        "restartedAt",
        "registry.example.com",
        "storefront-x",
    ] {
        assert!(!json.contains(secret), "{secret} leaked");
    }
    let web = c.pod("shop", "web-7d4b9c8f6d-abcde").unwrap();
    assert_eq!(
        web.labels.get("team").map(String::as_str),
        Some("storefront")
    );
    assert_eq!(web.labels.len(), 1);
    // Without the option no label value is kept.
    let c = load("eks-managed-ondemand.json");
    assert!(c.pods.iter().all(|p| p.labels.is_empty()));
    for path in [
        "workload-objects.json",
        "kind-cluster.yaml",
        "multi-doc.yaml",
    ] {
        let json = serde_json::to_string(&load(path)).unwrap();
        assert!(!json.contains("hunter2-supersecret"), "{path}");
    }
}

#[test]
fn eks_karpenter_spot_arm64_self_managed_and_capacity_block() {
    let c = load("eks-karpenter-spot-arm64.json");
    let karp = node(&c, "ip-192-168-12-34.eu-central-1.compute.internal");
    assert_eq!(
        mapping(karp),
        (
            Provider::Aws,
            Some("m7g.large"),
            Some("eu-central-1"),
            Some("eu-central-1b"),
            CapacityType::Spot,
            Some("default")
        )
    );
    assert_eq!(karp.arch.as_deref(), Some("arm64"));
    assert_eq!(
        karp.reasons.region.as_deref(),
        Some("derived from the zone")
    );
    assert_eq!(
        describe(karp),
        "Node ip-192-168-12-34.eu-central-1.compute.internal is instance type m7g.large in eu-central-1/eu-central-1b (spot, pool default)"
    );
    // No cloud labels: provider and zone from the providerID, region from the zone, spot from
    // `lifecycle=Ec2Spot`, arch from nodeInfo (x86_64 → amd64).
    let selfm = node(&c, "ip-192-168-50-7.eu-central-1.compute.internal");
    assert_eq!(
        mapping(selfm),
        (
            Provider::Aws,
            Some("t3.medium"),
            Some("eu-central-1"),
            Some("eu-central-1c"),
            CapacityType::Spot,
            None
        )
    );
    assert_eq!(
        selfm.reasons.provider.as_deref(),
        Some("from providerID aws://…")
    );
    assert_eq!(selfm.reasons.zone.as_deref(), Some("from providerID"));
    assert_eq!(
        selfm.reasons.node_pool.as_deref(),
        Some("no node-pool label")
    );
    assert_eq!(selfm.arch.as_deref(), Some("amd64"));
    assert_eq!(
        describe(selfm),
        "Node ip-192-168-50-7.eu-central-1.compute.internal is instance type t3.medium in eu-central-1/eu-central-1c (spot)"
    );
    let cb = node(&c, "ip-192-168-70-1.eu-central-1.compute.internal");
    assert_eq!(cb.capacity_type, CapacityType::Reserved);
    assert_eq!(cb.gpus, 8);
    assert_eq!(cb.gpu_model.as_deref(), Some("NVIDIA-H100-80GB-HBM3"));
    assert_eq!(cb.allocatable.cpu_millis, 191_450);
    assert_eq!(c.inputs[0].nodes, 3);
}

#[test]
fn eks_fargate_and_auto_mode() {
    let c = load("eks-fargate-auto.json");
    let f = node(&c, "fargate-ip-192-168-101-20.us-west-2.compute.internal");
    assert_eq!(f.compute_type, ComputeType::Fargate);
    assert_eq!(
        mapping(f),
        (
            Provider::Aws,
            None,
            Some("us-west-2"),
            Some("us-west-2a"),
            CapacityType::OnDemand,
            None
        )
    );
    assert_eq!(
        f.reasons.instance_type.as_deref(),
        Some("Fargate nodes have no instance type: each pod is billed by vCPU and memory")
    );
    assert_eq!(
        describe(f),
        "Node fargate-ip-192-168-101-20.us-west-2.compute.internal is a Fargate node in us-west-2/us-west-2a (on-demand): Fargate nodes have no instance type: each pod is billed by vCPU and memory"
    );
    let a = node(&c, "i-0123456789abcdef0");
    assert_eq!(a.compute_type, ComputeType::EksAuto);
    assert_eq!(
        mapping(a),
        (
            Provider::Aws,
            Some("c6a.large"),
            Some("us-west-2"),
            Some("us-west-2b"),
            CapacityType::OnDemand,
            Some("general-purpose")
        )
    );
    assert_eq!(
        describe(a),
        "Node i-0123456789abcdef0 is instance type c6a.large in us-west-2/us-west-2b (on-demand, pool general-purpose, EKS Auto)"
    );
    // The same Deployment name in two namespaces gives two workloads.
    let w = c.workload("apps", "Deployment", "coredns").unwrap();
    assert_eq!(w.placements[0].instance_type, None);
    assert_eq!(w.placements[0].region.as_deref(), Some("us-west-2"));
    assert!(c.workload("kube-system", "Deployment", "coredns").is_some());
}

#[test]
fn gke_standard_and_spot() {
    let c = load("gke-standard-spot.json");
    let std = node(&c, "gke-prod-default-pool-1a2b3c4d-x9k2");
    assert_eq!(
        mapping(std),
        (
            Provider::Gcp,
            Some("e2-standard-4"),
            Some("us-central1"),
            Some("us-central1-a"),
            CapacityType::OnDemand,
            Some("default-pool")
        )
    );
    // Only `topology.gke.io/zone` and the beta instance-type label: region derived.
    let spot = node(&c, "gke-prod-spot-pool-5e6f7a8b-q1w2");
    assert_eq!(
        mapping(spot),
        (
            Provider::Gcp,
            Some("n1-standard-8"),
            Some("us-central1"),
            Some("us-central1-f"),
            CapacityType::Spot,
            Some("spot-pool")
        )
    );
    assert_eq!(spot.gpus, 1);
    assert_eq!(spot.gpu_model.as_deref(), Some("nvidia-tesla-t4"));
    // NodeList items without kind take the list's item kind.
    assert_eq!(c.inputs[0].nodes, 2);
}

#[test]
fn aks_vmss_and_spot() {
    let c = load("aks-vmss-spot.json");
    let sys = node(&c, "aks-system-12345678-vmss000000");
    assert_eq!(
        mapping(sys),
        (
            Provider::Azure,
            Some("Standard_D4s_v5"),
            Some("eastus"),
            Some("eastus-1"),
            CapacityType::OnDemand,
            Some("system")
        )
    );
    let spot = node(&c, "aks-spotpool-12345678-vmss000003");
    assert_eq!(
        mapping(spot),
        (
            Provider::Azure,
            Some("Standard_D4as_v5"),
            Some("eastus"),
            Some("eastus-2"),
            CapacityType::Spot,
            Some("spotpool")
        )
    );
    assert_eq!(
        spot.reasons.region.as_deref(),
        Some("derived from the zone")
    );
    assert_eq!(
        describe(spot),
        "Node aks-spotpool-12345678-vmss000003 is instance type Standard_D4as_v5 in eastus/eastus-2 (spot, pool spotpool)"
    );
}

#[test]
fn minikube_and_microk8s_without_provider_id() {
    let c = load("minikube-microk8s-array.json");
    let mk = node(&c, "minikube");
    assert_eq!(
        mapping(mk),
        (
            Provider::Unknown,
            None,
            None,
            None,
            CapacityType::Unknown,
            None
        )
    );
    assert_eq!(
        mk.reasons.provider.as_deref(),
        Some("no providerID and no cloud labels: a minikube node")
    );
    assert!(mk.control_plane);
    let m8 = node(&c, "ubuntu-m8s");
    assert_eq!(m8.provider, Provider::Unknown);
    // No allocatable: capacity is used, with a warning.
    assert_eq!(m8.allocatable, m8.capacity);
    assert_eq!(m8.allocatable.cpu_millis, 2000);
    let w: Vec<(&str, &str, &str)> = c
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.object.as_str(), w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        vec![
            (
                "node_missing_allocatable",
                "Node/ubuntu-m8s",
                "the node has no status.allocatable; using its capacity instead"
            ),
            (
                "no_pods",
                "",
                "the paste has nodes but no pods: run `kubectl get nodes,pods -A -o json`"
            )
        ]
    );
}

#[test]
fn workload_objects_are_preferred_over_name_rules() {
    let c = load("workload-objects.json");
    // A pod without pod-template-hash still reaches its Deployment through the RS object.
    assert_eq!(
        workload_key(&c, "shop", "frontend-6b7c8d9e-bbbbb"),
        "Deployment/frontend"
    );
    assert_eq!(
        workload_key(&c, "shop", "frontend-6b7c8d9e-aaaaa"),
        "Deployment/frontend"
    );
    let fe = c.workload("shop", "Deployment", "frontend").unwrap();
    assert_eq!(fe.pods.len(), 2);
    assert_eq!(fe.replicas, Some(3));
    assert!(fe.object_present);
    assert_eq!(fe.container_names, vec!["istio-proxy", "nginx"]);
    // Old ReplicaSets owned by the Deployment are not workloads of their own.
    assert!(
        c.workload("shop", "ReplicaSet", "frontend-55d4c3b2a1")
            .is_none()
    );
    assert_eq!(
        workload_key(&c, "shop", "checkout-7f8e9d-ccccc"),
        "Rollout/checkout"
    );
    // A Job whose name does not follow the schedule pattern, owned by a CronJob object.
    assert_eq!(
        workload_key(&c, "shop", "nightly-manual-x1-ddddd"),
        "CronJob/nightly"
    );
    assert!(c.workload("shop", "Job", "nightly-manual-x1").is_none());
    assert_eq!(workload_key(&c, "shop", "oneoff-eeeee"), "Job/oneoff");
    assert_eq!(
        c.workload("shop", "Job", "oneoff").unwrap().replicas,
        Some(2)
    );
    assert_eq!(
        workload_key(&c, "shop", "node-exporter-fffff"),
        "DaemonSet/node-exporter"
    );
    assert_eq!(
        c.workload("shop", "DaemonSet", "node-exporter")
            .unwrap()
            .replicas,
        Some(1)
    );
    // A StatefulSet without pods is still a workload.
    let cache = c.workload("shop", "StatefulSet", "cache").unwrap();
    assert!(cache.pods.is_empty() && cache.object_present);
    assert_eq!(cache.replicas, Some(1));
    assert_eq!(c.workloads.len(), 6);

    // HPAs: v1 → cpu; v2 → its resource metrics and other metric types.
    let by_name = |n: &str| c.hpas.iter().find(|h| h.name == n).unwrap();
    let v1 = by_name("frontend");
    assert_eq!(v1.api_version.as_deref(), Some("autoscaling/v1"));
    assert_eq!(
        (v1.target_kind.as_str(), v1.target_name.as_str()),
        ("Deployment", "frontend")
    );
    assert_eq!((v1.min_replicas, v1.max_replicas), (Some(2), Some(10)));
    assert_eq!(v1.resources, vec!["cpu"]);
    assert_eq!(c.workloads[v1.workload.unwrap()].name, "frontend");
    assert_eq!(fe.hpa.map(|h| c.hpas[h].name.as_str()), Some("frontend"));
    let v2 = by_name("checkout");
    assert_eq!(v2.resources, vec!["memory"]);
    assert_eq!(v2.other_metrics, vec!["External"]);
    assert_eq!(v2.target_kind, "Rollout");
    assert!(
        c.workload("shop", "Rollout", "checkout")
            .unwrap()
            .hpa
            .is_some()
    );
    let ghost = by_name("ghost");
    assert_eq!(ghost.resources, vec!["cpu"]);
    assert_eq!(ghost.min_replicas, None);
    assert_eq!(ghost.workload, None);

    assert_eq!(
        c.ignored_kinds
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect::<Vec<_>>(),
        vec![("ConfigMap", 2)]
    );
    // The Service (a ClusterIP one, with a stray `replicas` of the wrong type that is never
    // read) is counted, not priced.
    assert_eq!(c.other_services, 1);
    assert_eq!(c.inputs[0].other_objects, 14);
    assert_eq!(c.inputs[0].ignored_objects, 2);
    assert_eq!(codes(&c), vec!["single_namespace", "hpa_target_missing"]);
    assert_eq!(
        c.warnings[0].message,
        "only namespace shop: did you forget -A?"
    );
    assert_eq!(
        c.warnings[1].message,
        "the HPA targets Deployment/ghost, which has no pods or object in the input"
    );
}

#[test]
fn yaml_single_document_list() {
    let c = load("kind-cluster.yaml");
    assert_eq!(c.inputs[0].format, InputFormat::Yaml);
    assert_eq!((c.nodes.len(), c.pods.len()), (1, 2));
    let n = node(&c, "dev-control-plane");
    assert_eq!(n.provider, Provider::Kind);
    assert_eq!(n.capacity.cpu_millis, 8000);
    assert_eq!(n.allocatable.memory_bytes, 16_081_500 * KI);
    let hello = c.pod("default", "hello-5d8f7c6b9-r2d2x").unwrap();
    assert_eq!(hello.containers[0].requests.cpu_millis, Some(250));
    assert_eq!(hello.containers[0].requests.memory_bytes, Some(64 * MI));
    assert_eq!(hello.containers[0].limits.memory_bytes, Some(128 * MI));
    assert_eq!(hello.node_index, Some(0));
    assert_eq!(
        workload_key(&c, "default", "hello-5d8f7c6b9-r2d2x"),
        "Deployment/hello"
    );
    assert_eq!(
        workload_key(&c, "kube-system", "coredns-7db6d8ff4d-abcde"),
        "Deployment/coredns"
    );
    // `cpu: 0.25` is a YAML float: read exactly, with a warning.
    let w: Vec<(&str, &str)> = c
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        vec![(
            "float_quantity",
            "`spec.containers[hello].resources.requests.cpu` is the number 0.25, not a string like \"0.25\"; read as 0.25"
        )]
    );
}

#[test]
fn yaml_multi_document() {
    let c = load("multi-doc.yaml");
    assert_eq!(c.inputs[0].documents, 4);
    assert_eq!(c.inputs[0].format, InputFormat::Yaml);
    let n = node(&c, "aks-user-33445566-vmss000001");
    assert_eq!(
        mapping(n),
        (
            Provider::Azure,
            Some("Standard_D8s_v5"),
            Some("westeurope"),
            Some("westeurope-3"),
            CapacityType::Spot,
            Some("user")
        )
    );
    let api = c.workload("prod", "Deployment", "api").unwrap();
    assert_eq!(api.replicas, Some(4));
    assert!(api.object_present);
    assert_eq!(api.container_names, vec!["api", "log-agent"]);
    let hpa = &c.hpas[api.hpa.unwrap()];
    assert_eq!(hpa.resources, vec!["cpu", "memory"]);
    assert_eq!((hpa.min_replicas, hpa.max_replicas), (Some(2), Some(8)));
    let pod = c.pod("prod", "api-6f7d9b8c5-x1y2z").unwrap();
    assert_eq!(pod.effective_request.cpu_millis, 550);
    assert_eq!(pod.effective_request.memory_bytes, GI + 64 * MI);
    assert_eq!(codes(&c), vec!["single_namespace"]);
}

#[test]
fn yaml_and_json_give_the_same_cluster() {
    let json = r#"{"apiVersion":"v1","kind":"List","items":[
        {"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","labels":{"node.kubernetes.io/instance-type":"m5.large","topology.kubernetes.io/zone":"us-east-1a","eks.amazonaws.com/capacityType":"SPOT","eks.amazonaws.com/nodegroup":"ng"}},
         "spec":{"providerID":"aws:///us-east-1a/i-1"},"status":{"allocatable":{"cpu":"1930m","memory":"7Gi","pods":"29"},"capacity":{"cpu":"2","memory":"8Gi","pods":"29"}}},
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"a","uid":"u1"},"spec":{"nodeName":"n1","containers":[{"name":"c","resources":{"requests":{"cpu":"100m","memory":"1Gi"}}}]},"status":{"phase":"Running"}},
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"q","namespace":"b","uid":"u2"},"spec":{"nodeName":"n1","containers":[{"name":"c"}]},"status":{"phase":"Failed"}}]}"#;
    let yaml = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata:\n    name: n1\n    labels:\n      node.kubernetes.io/instance-type: m5.large\n      topology.kubernetes.io/zone: us-east-1a\n      eks.amazonaws.com/capacityType: SPOT\n      eks.amazonaws.com/nodegroup: ng\n  spec:\n    providerID: aws:///us-east-1a/i-1\n  status:\n    allocatable: {cpu: 1930m, memory: 7Gi, pods: \"29\"}\n    capacity: {cpu: \"2\", memory: 8Gi, pods: \"29\"}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p, namespace: a, uid: u1}\n  spec:\n    nodeName: n1\n    containers:\n    - name: c\n      resources:\n        requests: {cpu: 100m, memory: 1Gi}\n  status: {phase: Running}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: q, namespace: b, uid: u2}\n  spec:\n    nodeName: n1\n    containers:\n    - name: c\n  status: {phase: Failed}\n";
    let a = text(json);
    let b = text(yaml);
    assert_eq!(a.nodes, b.nodes);
    assert_eq!(a.pods, b.pods);
    assert_eq!(a.workloads, b.workloads);
    assert_eq!(b.inputs[0].format, InputFormat::Yaml);
    assert_eq!(
        describe(&a.nodes[0]),
        "Node n1 is instance type m5.large in us-east-1/us-east-1a (spot, pool ng)"
    );
    assert!(!a.pods[1].holds_resources);
}

#[test]
fn two_inputs_merge_with_duplicates() {
    let c = load_all(&["merge-a-podlist.json", "merge-b-list.json"]);
    assert_eq!(c.inputs.len(), 2);
    assert_eq!((c.inputs[0].pods, c.inputs[0].duplicates), (2, 0));
    assert_eq!((c.inputs[1].pods, c.inputs[1].duplicates), (3, 2));
    assert_eq!(c.duplicates, 2);
    // a-1 (same namespace/name) and b-1's copy (same uid) are kept once.
    let names: Vec<&str> = c.pods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["a-1", "b-1", "c-1"]);
    // The pods of the first input find the node of the second.
    assert!(c.pods.iter().all(|p| p.node_index == Some(0)));
    // b-1's copy in kube-system was dropped, so only one namespace is left.
    assert_eq!(codes(&c), vec!["single_namespace"]);
    // The same input twice: everything is a duplicate.
    let twice = load_all(&["merge-b-list.json", "merge-b-list.json"]);
    assert_eq!(twice.duplicates, 4);
    assert_eq!((twice.nodes.len(), twice.pods.len()), (1, 3));
}

#[test]
fn objects_whose_namespace_and_name_join_to_the_same_text_are_not_duplicates() {
    let pod = |ns: &str, name: &str| {
        format!(
            r#"{{"kind": "Pod", "metadata": {{"namespace": "{ns}", "name": "{name}"}},
                "spec": {{"containers": [{{"name": "c"}}]}}}}"#
        )
    };
    let text = format!(
        r#"{{"kind": "List", "items": [{}, {}, {}, {}, {}]}}"#,
        pod("a", "bc"),
        pod("ab", "c"),
        pod("a\\u0000b", "c"),
        pod("a", "b\\u0000c"),
        pod("a", "bc")
    );
    let c = ingest(&[Input::new("paste", text.as_bytes())]).expect("a cluster");
    let names: Vec<(&str, &str)> = c
        .pods
        .iter()
        .map(|p| (p.namespace.as_str(), p.name.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![("a", "bc"), ("ab", "c"), ("a\0b", "c"), ("a", "b\0c")]
    );
    assert_eq!(c.duplicates, 1);
}

#[test]
fn odd_content_gives_warnings_not_errors() {
    let c = load("odd-content.json");
    let w: Vec<(&str, &str, &str)> = c
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.object.as_str(), w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        vec![
            (
                "node_missing_allocatable",
                "Node/odd-node",
                "the node has no status.allocatable; using its capacity instead"
            ),
            (
                "negative_quantity",
                "Pod/only-ns/weird-1",
                "`spec.containers[a].resources.requests.cpu` = \"-100m\" is negative; treated as 0"
            ),
            (
                "absurd_quantity",
                "Pod/only-ns/weird-1",
                "`spec.containers[a].resources.requests.memory` = \"2Pi\" is more than 1 PiB; ignored"
            ),
            (
                "invalid_quantity",
                "Pod/only-ns/weird-1",
                "`spec.containers[a].resources.limits.cpu` = \"lots\" is not a valid quantity (expected a number); treated as absent"
            ),
            (
                "invalid_quantity",
                "Pod/only-ns/weird-1",
                "`spec.containers[a].resources.limits.memory` = a boolean is not a valid quantity (a boolean is not a quantity); treated as absent"
            ),
            (
                "float_quantity",
                "Pod/only-ns/weird-2",
                "`spec.containers[b].resources.requests.cpu` is the number 0.5, not a string like \"0.5\"; read as 0.5"
            ),
            (
                "single_namespace",
                "",
                "only namespace only-ns: did you forget -A?"
            ),
        ]
    );
    let n = node(&c, "odd-node");
    assert_eq!(n.capacity.cpu_millis, 2000);
    assert_eq!(n.allocatable.memory_bytes, 8 * GI);
    let w1 = c.pod("only-ns", "weird-1").unwrap();
    assert_eq!(w1.containers[0].requests.cpu_millis, Some(0));
    assert_eq!(w1.containers[0].requests.memory_bytes, None);
    assert_eq!(w1.containers[0].limits.cpu_millis, None);
    let w2 = c.pod("only-ns", "weird-2").unwrap();
    assert_eq!(w2.containers[0].requests.cpu_millis, Some(500));
    assert_eq!(w2.containers[0].requests.memory_bytes, Some(128 * MI));
    assert_eq!(
        w2.containers[0].requests.ephemeral_storage_bytes,
        Some(2_000_000_000)
    );
    assert_eq!(w2.containers[0].limits.cpu_millis, Some(1000));
}

#[test]
fn junk_before_and_after_the_json_is_skipped() {
    let raw = fixture("prompt-warnings-crlf-bom.json");
    assert!(raw.starts_with(&[0xEF, 0xBB, 0xBF]));
    let c = load("prompt-warnings-crlf-bom.json");
    assert_eq!((c.nodes.len(), c.pods.len()), (1, 3));
    let w: Vec<&str> = c.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        w,
        vec![
            "prompt-warnings-crlf-bom.json: skipped `user@laptop:~$ kubectl get nodes,pods -A -o json` on line 1, `Warning: policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+` on line 2, `W0515 10:00:00.123456   12345 warnings.go:70] something deprecated` on line 3",
            "prompt-warnings-crlf-bom.json: skipped `user@laptop:~$` after the JSON on line 333",
        ]
    );
    assert_eq!(codes(&c), vec!["skipped_text", "skipped_text"]);
}

#[test]
fn stray_leading_characters_are_skipped_with_a_warning() {
    let c = load("malformed/stray-x.json");
    assert_eq!(c.nodes.len(), 2);
    assert_eq!(
        c.warnings[0].message,
        "stray-x.json: skipped `x` before the first `{` on line 1"
    );
    let c = load("malformed/doubled-brace.json");
    assert_eq!(c.nodes.len(), 2);
    assert_eq!(
        c.warnings[0].message,
        "doubled-brace.json: skipped a stray `{` on line 1"
    );
    // A stray `{` with its own `}` at the end.
    let c = text("{{\"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}}");
    assert_eq!(c.pods.len(), 1);
    assert_eq!(
        c.warnings[0].message,
        "paste: skipped a stray `{` on line 1, the `}` matching the stray `{`"
    );
}

// ---------------------------------------------------------------- errors

#[test]
fn table_output_error() {
    let e = error("malformed/kubectl-table.txt");
    assert_eq!(e.kind, IngestErrorKind::TableOutput);
    assert_eq!(
        (e.input.as_str(), e.line, e.column),
        ("kubectl-table.txt", 1, 1)
    );
    assert_eq!(
        e.to_string(),
        "kubectl-table.txt:1:1: expected JSON or YAML, found a table starting with `NAME`\n\
         hint: this looks like `kubectl get` table output: add `-o json`"
    );
    let e = text_error(
        "$ kubectl get pods -A\nNAMESPACE     NAME    READY   STATUS\nkube-system   x   1/1   Running\n",
    );
    assert_eq!((e.line, e.column), (2, 1));
    assert_eq!(
        e.message,
        "expected JSON or YAML, found a table starting with `NAMESPACE`"
    );
    assert_eq!(
        e.hint.as_deref(),
        Some("this looks like `kubectl get` table output: add `-o json`")
    );
}

#[test]
fn truncated_json_error() {
    let e = error("malformed/truncated.json");
    assert_eq!(e.kind, IngestErrorKind::Truncated);
    let raw = String::from_utf8(fixture("malformed/truncated.json")).unwrap();
    let last_line = raw.trim_end().lines().count();
    assert_eq!(last_line, 72);
    assert_eq!(e.line, 72);
    assert_eq!(
        e.to_string(),
        "truncated.json:72:32: the paste seems cut off at line 72\n\
         hint: the JSON ends before all its objects are closed: copy the whole output, or save it \
         with `kubectl get nodes,pods -A -o json > cluster.json` and load the file"
    );
    // Cut anywhere: never a panic, always a located error or a (partial) cluster.
    let full = fixture("real/pod-sidecar-k9s.json");
    for cut in (1..full.len()).step_by(7) {
        let result = ingest(&[Input::new("cut", &full[..cut])]);
        if let Err(e) = result {
            assert!(e.line >= 1 && e.column >= 1);
        }
    }
    let e = text_error("{\"kind\": \"List\", \"items\": [\n{\"kind\": \"Node\"");
    assert_eq!(e.message, "the paste seems cut off at line 2");
}

#[test]
fn json_syntax_errors() {
    let e = error("malformed/missing-comma.json");
    assert_eq!(e.kind, IngestErrorKind::JsonSyntax);
    assert_eq!(
        e.to_string(),
        "missing-comma.json:1:81: invalid JSON: expected `,` or `}` (found `\"`)\n\
         hint: look at line 1 near column 81: a character may have been added or lost while copying"
    );
    let e = error("malformed/extra-brace.json");
    assert_eq!(
        e.to_string(),
        "extra-brace.json:2:1: unexpected `}` after the end of the JSON document\n\
         hint: delete it, or look for a missing opening bracket earlier"
    );
    let e = text_error("{\"kind\": \"Node\", \"metadata\": {\"name\": 5}}");
    assert_eq!(e.kind, IngestErrorKind::InvalidContent);
    assert_eq!(
        e.message,
        "unexpected value: invalid type: integer `5`, expected a string"
    );
    assert_eq!((e.line, e.column), (1, 39));
}

#[test]
fn yaml_errors() {
    let e = error("malformed/invalid.yaml");
    assert_eq!(e.kind, IngestErrorKind::YamlSyntax);
    assert_eq!(
        e.to_string(),
        "invalid.yaml:5:10: invalid YAML: mapping values are not allowed in this context\n\
         hint: look at line 5: YAML depends on indentation, which copying can change; `-o json` is safer to paste"
    );
    // Located in the right document of a stream.
    let e = text_error("kind: Node\nmetadata: {name: a}\n---\nkind: Pod\nmetadata: [\n");
    assert_eq!(e.line, 5);
}

#[test]
fn empty_input_errors() {
    for path in ["malformed/empty.json", "malformed/whitespace.json"] {
        let e = error(path);
        assert_eq!(e.kind, IngestErrorKind::EmptyInput);
        assert_eq!(
            e.to_string(),
            format!(
                "{}:1:1: the input is empty\nhint: paste the output of `kubectl get nodes,pods -A -o json`",
                name_of(path)
            )
        );
    }
    let e = text_error("\u{feff}");
    assert_eq!(e.message, "the input is empty");
    let e = text_error("Warning: deprecated\n");
    assert_eq!(
        e.message,
        "the input has no JSON or YAML, only `Warning: deprecated` on line 1"
    );
}

#[test]
fn not_kubernetes_errors() {
    let e = error("malformed/foo.json");
    assert_eq!(e.kind, IngestErrorKind::NotKubernetes);
    assert_eq!(
        e.to_string(),
        "foo.json:1:1: expected Kubernetes objects, found a JSON object with keys `foo`\n\
         hint: Kubernetes objects have `apiVersion`, `kind` and `metadata`; paste the output of `kubectl get nodes,pods -A -o json`"
    );
    let e = error("malformed/krr.json");
    assert_eq!(
        e.to_string(),
        "krr.json:1:1: expected Kubernetes objects, found a KRR report\n\
         hint: KRR scans are read separately: here, paste `kubectl get nodes,pods -A -o json`"
    );
    let e = error("malformed/kubectl-describe.txt");
    assert_eq!(
        e.message,
        "expected Kubernetes objects, found `kubectl describe` output"
    );
    let e = error("malformed/kubectl-error.txt");
    assert_eq!(e.kind, IngestErrorKind::KubectlError);
    assert_eq!(
        e.message,
        "expected JSON or YAML, found a kubectl error: `error: the server doesn't have a resource type \"nodez\"`"
    );
    let e = text_error("{\"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"x\"}}");
    assert_eq!(e.kind, IngestErrorKind::NoNodesOrPods);
    assert_eq!(
        e.message,
        "the input has no nodes, pods or workloads (found 1 ConfigMap)"
    );
    let e = text_error("{\"kind\": \"List\", \"items\": []}");
    assert_eq!(
        e.message,
        "the input has no nodes, pods or workloads (found nothing)"
    );
    let e = text_error("hello world");
    assert_eq!(e.kind, IngestErrorKind::NotJsonOrYaml);
    assert_eq!(e.message, "expected JSON or YAML, found `hello world`");
    let e = text_error("[1, 2]");
    assert_eq!(e.kind, IngestErrorKind::InvalidContent);
}

#[test]
fn encoding_errors() {
    let e = ingest(&[Input::new("bin", &[b'{', b'"', 0xFF, b'"', b'}'])]).unwrap_err();
    assert_eq!(e.kind, IngestErrorKind::InvalidUtf8);
    assert_eq!((e.line, e.column), (1, 3));
    assert_eq!(e.message, "the input is not UTF-8 text (invalid byte 0xFF)");
    let e = ingest(&[Input::new("ps", &[0xFF, 0xFE, b'{', 0])]).unwrap_err();
    assert_eq!(e.message, "the input is UTF-16 text, not UTF-8");
}

// ---------------------------------------------------------------- shapes

#[test]
fn concatenated_documents_and_kind_after_items() {
    // Two documents one after another, the second a List whose kind comes after its items (as
    // kubectl prints unstructured lists, alphabetically): the kindless item becomes a Pod.
    let c = text(
        "{\"kind\": \"Node\", \"metadata\": {\"name\": \"n\"}, \"status\": {\"capacity\": {\"cpu\": \"1\"}}}\n\
         {\"apiVersion\": \"v1\", \"items\": [{\"metadata\": {\"name\": \"p\", \"namespace\": \"x\"}, \"spec\": {\"nodeName\": \"n\"}}], \"kind\": \"PodList\"}\n\
         [{\"kind\": \"Pod\", \"metadata\": {\"name\": \"q\", \"namespace\": \"y\"}}]",
    );
    assert_eq!(c.inputs[0].documents, 3);
    assert_eq!(c.pods.len(), 2);
    assert_eq!(c.pods[0].node_index, Some(0));
    assert_eq!(c.pods[0].phase, PodPhase::Unknown);
    assert!(c.pods[0].holds_resources);
    assert_eq!(codes(&c), vec!["node_missing_allocatable"]);
}

#[test]
fn yaml_flow_mapping_that_is_not_json() {
    let c = text(
        "{kind: Pod, metadata: {name: p, namespace: x}, spec: {containers: [{name: c, resources: {requests: {cpu: 1}}}]}}",
    );
    assert_eq!(c.inputs[0].format, InputFormat::Yaml);
    assert_eq!(c.pods[0].effective_request.cpu_millis, 1000);
}

#[test]
fn single_object_and_unknown_kinds() {
    let c = text(
        "{\"kind\": \"List\", \"items\": [{\"kind\": \"Pod\", \"metadata\": {\"name\": \"p\", \"namespace\": \"a\"}},\
         {\"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"}, \"data\": {\"k\": \"c2VjcmV0\"}},\
         {\"kind\": \"Widget\", \"spec\": {\"containers\": 7, \"replicas\": \"x\"}},\
         {\"metadata\": {\"name\": \"mystery\"}}]}",
    );
    assert_eq!(c.pods.len(), 1);
    assert_eq!(
        c.ignored_kinds
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect::<Vec<_>>(),
        vec![("Secret", 1), ("Widget", 1)]
    );
    assert_eq!(c.inputs[0].ignored_objects, 3);
    assert!(codes(&c).contains(&"missing_kind"));
    let json = serde_json::to_string(&c).unwrap();
    assert!(!json.contains("c2VjcmV0"));
}

#[test]
fn nothing_panics_on_damaged_input() {
    for path in [
        "kind-cluster.yaml",
        "multi-doc.yaml",
        "real/eks-podlist-metrics-agent.json",
        "real/mixed-nodelist-microk8s-doks-kurl-troubleshoot.json",
    ] {
        let full = fixture(path);
        // Every prefix (cut copies), and single-byte damage at many places.
        for cut in (0..full.len()).step_by(97) {
            if let Err(e) = ingest(&[Input::new("cut", &full[..cut])]) {
                assert!(e.line >= 1 && e.column >= 1, "{path} cut at {cut}: {e}");
            }
        }
        for (i, pos) in (0..full.len()).step_by(211).enumerate() {
            let mut damaged = full.clone();
            damaged[pos] = [b'{', b'}', b'"', b':', b'\n', b'-', 0xC3, b' '][i % 8];
            if let Err(e) = ingest(&[Input::new("damaged", &damaged)]) {
                assert!(e.line >= 1 && e.column >= 1, "{path} damaged at {pos}: {e}");
            }
        }
    }
}
