//! Patches from recommendations: which cells change, where, the risk rules, the kinds that cannot
//! be patched, injected containers, hostile names, and every form's text.

use kube_rightsize_core::analysis::{Settings, analyze};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::patch::render::{self, PatchFormat, Selection};
use kube_rightsize_core::patch::*;
use kube_rightsize_core::recommend::{
    Pair, Recommendation, RecommendationInput, RecommendationSet, Source, StrategySettings, Value,
};
use serde_json::json;

const MI: i64 = 1_048_576;

fn node() -> serde_json::Value {
    json!({"kind": "Node", "metadata": {"name": "n1", "labels": {
        "node.kubernetes.io/instance-type": "m5.xlarge", "topology.kubernetes.io/region": "us-east-1"}},
        "spec": {"providerID": "aws:///us-east-1a/i-1"},
        "status": {"capacity": {"cpu": "4", "memory": "16Gi", "pods": "58"},
                   "allocatable": {"cpu": "4", "memory": "16Gi", "pods": "58"}}})
}

/// The `api` Deployment's pod spec: `app` (1 CPU / 1Gi, limits 2 / 1Gi) and the native sidecar
/// `log` (100m / 64Mi).
fn pod_spec() -> serde_json::Value {
    json!({"containers": [{"name": "app", "image": "app:1", "resources": {
              "requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "1Gi"}}}],
           "initContainers": [{"name": "log", "image": "log:1", "restartPolicy": "Always",
              "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]})
}

fn pod(name: &str, owner: (&str, &str), spec: serde_json::Value, oom: bool) -> serde_json::Value {
    let mut spec = spec;
    spec["nodeName"] = json!("n1");
    let mut status = json!({"phase": "Running"});
    if oom {
        status["containerStatuses"] = json!([{"name": "app", "restartCount": 3,
            "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]);
    }
    json!({"kind": "Pod", "metadata": {"name": name, "namespace": "pay",
        "labels": {"pod-template-hash": "abc"},
        "ownerReferences": [{"kind": owner.0, "name": owner.1, "controller": true}]},
        "spec": spec, "status": status})
}

fn deployment(replicas: i64, spec: serde_json::Value) -> serde_json::Value {
    json!({"kind": "Deployment", "apiVersion": "apps/v1",
        "metadata": {"name": "api", "namespace": "pay"},
        "spec": {"replicas": replicas, "template": {"spec": spec}}})
}

fn rec(kind: &str, name: &str, container: &str, requests: Pair, limits: Pair) -> Recommendation {
    Recommendation {
        namespace: "pay".to_owned(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        container: container.to_owned(),
        requests,
        limits,
        ..Recommendation::default()
    }
}

fn pair(cpu: Value, memory: Value) -> Pair {
    Pair { cpu, memory }
}

fn run(
    items: Vec<serde_json::Value>,
    recs: Vec<Recommendation>,
    settings: PatchSettings,
) -> Patches {
    let snapshot = json!({"kind": "List", "items": items}).to_string();
    let mut s = Settings {
        patch: settings,
        ..Settings::default()
    };
    s.recommendations = Some(RecommendationInput::Ready(RecommendationSet {
        source: Source::Krr,
        input_name: "krr.json".to_owned(),
        strategy: "simple".to_owned(),
        settings: StrategySettings::default(),
        items: recs,
        given_score: None,
        warnings: Vec::new(),
    }));
    let a = analyze(&[Input::new("s.json", snapshot.as_bytes())], &s, None, "t").unwrap();
    a.report.patches.expect("patches with recommendations")
}

fn api_cluster(replicas: i64, oom: bool) -> Vec<serde_json::Value> {
    vec![
        node(),
        deployment(replicas, pod_spec()),
        pod("api-abc-1", ("ReplicaSet", "api-abc"), pod_spec(), oom),
        pod("api-abc-2", ("ReplicaSet", "api-abc"), pod_spec(), false),
    ]
}

/// KRR's `simple`: CPU 250m with no limit, memory 512Mi = limit.
fn simple_app() -> Recommendation {
    rec(
        "Deployment",
        "api",
        "app",
        pair(Value::Set(250), Value::Set(512 * MI)),
        pair(Value::Unset, Value::Set(512 * MI)),
    )
}

#[test]
fn only_changed_cells_with_the_cpu_limit_removed() {
    let p = run(
        api_cluster(2, false),
        vec![simple_app()],
        PatchSettings::default(),
    );
    assert_eq!(p.unchanged, 0);
    let [w] = p.workloads.as_slice() else {
        panic!("{p:?}")
    };
    assert_eq!(
        w.patch,
        Some(
            json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "resources": {
            "requests": {"cpu": "250m", "memory": "512Mi"},
            "limits": {"cpu": null, "memory": "512Mi"}}}]}}}})
        )
    );
    assert!(w.safe(), "{:?}", w.risks);
    assert!(
        w.notes
            .iter()
            .any(|n| n.contains("removes the CPU limit 2")),
        "{:?}",
        w.notes
    );
    let t = w.target.as_ref().unwrap();
    assert_eq!(
        (t.api_version.as_str(), t.resource.as_str()),
        ("apps/v1", "deployment")
    );
    assert_eq!(
        render::kubectl_command(w).unwrap(),
        "kubectl patch deployment api --namespace pay --type strategic --patch \
         '{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"resources\":\
         {\"limits\":{\"cpu\":null,\"memory\":\"512Mi\"},\"requests\":{\"cpu\":\"250m\",\
         \"memory\":\"512Mi\"}}}]}}}}'"
    );
}

#[test]
fn equal_and_unknown_cells_change_nothing() {
    let same = rec(
        "Deployment",
        "api",
        "app",
        pair(Value::Set(1000), Value::Unknown),
        pair(Value::Set(2000), Value::Set(1024 * MI)),
    );
    let p = run(api_cluster(2, false), vec![same], PatchSettings::default());
    assert_eq!((p.unchanged, p.workloads.len()), (1, 0));
}

#[test]
fn native_sidecars_go_under_init_containers() {
    let log = rec(
        "Deployment",
        "api",
        "log",
        pair(Value::Set(20), Value::Set(100 * MI)),
        pair(Value::Unset, Value::Set(100 * MI)),
    );
    let p = run(api_cluster(2, false), vec![log], PatchSettings::default());
    assert_eq!(
        p.workloads[0].patch,
        Some(
            json!({"spec": {"template": {"spec": {"initContainers": [{"name": "log", "resources": {
            "requests": {"cpu": "20m", "memory": "100Mi"}, "limits": {"memory": "100Mi"}}}]}}}})
        )
    );
}

#[test]
fn cronjobs_are_patched_in_their_job_template() {
    let spec = json!({"containers": [{"name": "job", "resources": {"requests": {"cpu": "500m"}}}]});
    let cron = json!({"kind": "CronJob", "metadata": {"name": "nightly", "namespace": "pay"},
        "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}});
    let job_pod = pod(
        "nightly-29000000-x",
        ("Job", "nightly-29000000"),
        spec.clone(),
        false,
    );
    let r = rec(
        "CronJob",
        "nightly",
        "job",
        pair(Value::Set(200), Value::Unknown),
        pair(Value::Unset, Value::Unknown),
    );
    let p = run(
        vec![node(), cron, job_pod],
        vec![r],
        PatchSettings::default(),
    );
    let w = &p.workloads[0];
    assert_eq!(w.target.as_ref().unwrap().resource, "cronjob");
    assert_eq!(
        w.patch,
        Some(
            json!({"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
            {"name": "job", "resources": {"requests": {"cpu": "200m"}}}]}}}}}})
        )
    );
    // A CronJob's runs are not replicas: no single-replica risk. Memory is `?` (no reason
    // given): the patch says only the CPU changes.
    assert_eq!(risk_codes(w), ["no-usage-data"]);
}

#[test]
fn a_request_defaulted_from_a_removed_limit_is_kept() {
    // The template sets only limits: the API server defaulted the requests from them.
    let spec = json!({"containers": [{"name": "app", "resources": {"limits": {"cpu": "2", "memory": "1Gi"}}}]});
    let items = vec![
        node(),
        deployment(2, spec.clone()),
        pod("api-abc-1", ("ReplicaSet", "api-abc"), spec.clone(), false),
        pod("api-abc-2", ("ReplicaSet", "api-abc"), spec, false),
    ];
    let r = rec(
        "Deployment",
        "api",
        "app",
        pair(Value::Unknown, Value::Set(512 * MI)),
        pair(Value::Unset, Value::Set(512 * MI)),
    );
    let p = run(items, vec![r], PatchSettings::default());
    assert_eq!(
        p.workloads[0].patch,
        Some(
            json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "resources": {
            "requests": {"cpu": "2", "memory": "512Mi"}, "limits": {"cpu": null, "memory": "512Mi"}}}]}}}})
        )
    );
}

fn risk_codes(w: &WorkloadPatch) -> Vec<&str> {
    w.risks.iter().map(|r| r.code.as_str()).collect()
}

#[test]
fn oom_kills_cpu_cuts_and_single_replicas_are_risks() {
    let p = run(
        api_cluster(1, true),
        vec![simple_app()],
        PatchSettings::default(),
    );
    let w = &p.workloads[0];
    assert_eq!(risk_codes(w), ["oom-killed", "single-replica"]);
    assert!(
        w.risks[0].message.contains(
            "OOM-killed in 1 of 2 pods in the snapshot; it was killed at its memory limit 1Gi"
        ),
        "{}",
        w.risks[0].message
    );
    assert!(!w.safe());
    // 1 → 0.25 cores is a cut by 4×, not more: a factor of 3 makes it a risk.
    let p = run(
        api_cluster(2, false),
        vec![simple_app()],
        PatchSettings {
            cpu_drop_factor: 3.0,
        },
    );
    assert_eq!(risk_codes(&p.workloads[0]), ["cpu-drop"]);
    assert!(
        p.workloads[0].risks[0]
            .message
            .contains("from 1 to 250m (more than 3×)")
    );
}

#[test]
fn memory_below_the_peak_seen_is_a_risk() {
    let mut r = simple_app();
    r.memory_peak_bytes = Some(600 * MI);
    let p = run(api_cluster(2, false), vec![r], PatchSettings::default());
    assert_eq!(risk_codes(&p.workloads[0]), ["memory-below-peak"]);
    let mut r = simple_app();
    r.memory_peak_bytes = Some(400 * MI);
    let p = run(api_cluster(2, false), vec![r], PatchSettings::default());
    assert!(p.workloads[0].safe());
}

#[test]
fn one_sample_no_data_and_request_above_limit_are_risks() {
    let mut r = simple_app();
    r.low_confidence = true;
    r.requests.cpu = Value::Unknown;
    r.limits.cpu = Value::Unknown;
    r.info_cpu = Some("No data".to_owned());
    // Memory request 2Gi with the memory limit `?`: the 1Gi limit stays below it.
    r.requests.memory = Value::Set(2048 * MI);
    r.limits.memory = Value::Unknown;
    let p = run(api_cluster(2, false), vec![r], PatchSettings::default());
    assert_eq!(
        risk_codes(&p.workloads[0]),
        ["one-sample", "no-usage-data", "request-above-limit"]
    );
}

#[test]
fn an_hpa_on_a_changed_resource_is_a_risk_and_hpa_detected_a_note() {
    let hpa = json!({"kind": "HorizontalPodAutoscaler", "apiVersion": "autoscaling/v2",
        "metadata": {"name": "api", "namespace": "pay"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "api"}, "minReplicas": 2,
                 "maxReplicas": 5,
                 "metrics": [{"type": "Resource", "resource": {"name": "cpu"}}]}});
    let mut items = api_cluster(2, false);
    items.push(hpa);
    let p = run(items.clone(), vec![simple_app()], PatchSettings::default());
    // KRR's rule (allow HPA off) turns the CPU cells into `?`: only memory changes.
    let w = &p.workloads[0];
    assert!(w.safe(), "{:?}", w.risks);
    assert!(
        w.notes
            .iter()
            .any(|n| n.contains("CPU left as is: an HPA scales on it"))
    );
    assert_eq!(
        w.patch,
        Some(
            json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "resources": {
            "requests": {"memory": "512Mi"}, "limits": {"memory": "512Mi"}}}]}}}})
        )
    );
}

#[test]
fn kinds_that_cannot_be_patched_say_why() {
    let bare = json!({"kind": "Pod", "metadata": {"name": "debug", "namespace": "pay"},
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}]},
        "status": {"phase": "Running"}});
    let job_pod = pod("migrate-x", ("Job", "migrate"), pod_spec(), false);
    let op_pod = pod("db-0", ("PostgresCluster", "db"), pod_spec(), false);
    let set = |kind: &str, name: &str, c: &str| {
        rec(
            kind,
            name,
            c,
            pair(Value::Set(100), Value::Unknown),
            pair(Value::Unset, Value::Unknown),
        )
    };
    let p = run(
        vec![node(), bare, job_pod, op_pod],
        vec![
            set("Pod", "debug", "c"),
            set("Job", "migrate", "app"),
            set("PostgresCluster", "db", "app"),
        ],
        PatchSettings::default(),
    );
    let why: Vec<(&str, &str)> = p
        .workloads
        .iter()
        .map(|w| (w.kind.as_str(), w.not_patchable.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(why.len(), 3, "{why:?}");
    for (kind, reason) in why {
        let expected = match kind {
            "Pod" => "a pod without a controller",
            "Job" => "cannot be changed after it is created",
            _ => "managed by a PostgresCluster (an operator)",
        };
        assert!(reason.contains(expected), "{kind}: {reason}");
    }
    assert_eq!(p.applicable().count(), 0);
    assert!(target("Rollout").unwrap_err().contains("custom resource"));
    assert!(
        target("ReplicaSet")
            .unwrap_err()
            .contains("without a Deployment")
    );
}

#[test]
fn injected_containers_are_left_out() {
    // With the object: `istio-proxy` is in the pods, not in the template.
    let mut spec = pod_spec();
    spec["containers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "istio-proxy", "resources": {"requests": {"cpu": "100m"}}}));
    let items = vec![
        node(),
        deployment(2, pod_spec()),
        pod("api-abc-1", ("ReplicaSet", "api-abc"), spec.clone(), false),
        pod("api-abc-2", ("ReplicaSet", "api-abc"), spec.clone(), false),
    ];
    let proxy = rec(
        "Deployment",
        "api",
        "istio-proxy",
        pair(Value::Set(20), Value::Unknown),
        pair(Value::Unset, Value::Unknown),
    );
    let p = run(
        items,
        vec![simple_app(), proxy.clone()],
        PatchSettings::default(),
    );
    let w = &p.workloads[0];
    assert!(w.template_checked);
    let skipped = w
        .containers
        .iter()
        .find(|c| c.name == "istio-proxy")
        .unwrap();
    assert!(
        skipped
            .skipped
            .as_deref()
            .unwrap()
            .contains("not in the Deployment's template")
    );
    assert!(!render::yaml(w).unwrap().contains("- name: \"istio-proxy\""));
    // Without the object, a well-known injected name is left out too, and a note says the
    // containers are the pods'.
    let items = vec![
        node(),
        pod("api-abc-1", ("ReplicaSet", "api-abc"), spec.clone(), false),
        pod("api-abc-2", ("ReplicaSet", "api-abc"), spec, false),
    ];
    let p = run(items, vec![simple_app(), proxy], PatchSettings::default());
    let w = &p.workloads[0];
    assert!(
        w.containers[1]
            .skipped
            .as_deref()
            .unwrap()
            .contains("usually injected")
    );
    assert!(!w.template_checked);
    assert!(w.patch.is_some());
}

#[test]
fn hostile_names_get_no_patch_and_texts_stay_quoted() {
    for name in ["a'b", "$(rm -rf ~)", "x\ny", "UPPER", &"a".repeat(300)] {
        assert!(!is_dns_subdomain(name), "{name}");
    }
    assert!(is_dns_subdomain("api.v2-x") && is_dns_label("a-1") && !is_dns_label("a.b"));
    assert_eq!(render::shell_quote("api"), "api");
    assert_eq!(render::shell_quote("it's $(x)"), "'it'\\''s $(x)'");
    assert_eq!(render::shell_quote(""), "''");
    assert_eq!(
        render::comment("a\nkubectl delete\r"),
        "a\\u{a}kubectl delete\\u{d}"
    );
    let mut w = WorkloadPatch {
        namespace: "pay".to_owned(),
        kind: "Deployment".to_owned(),
        name: "x\n$(reboot)".to_owned(),
        target: None,
        not_patchable: Some("its namespace or name is not a valid Kubernetes name".to_owned()),
        containers: Vec::new(),
        patch: None,
        risks: Vec::new(),
        notes: Vec::new(),
        monthly_savings: 1.0,
        template_checked: false,
    };
    let patches = Patches {
        settings: PatchSettings::default(),
        strategy: "simple".to_owned(),
        unchanged: 0,
        workloads: vec![w.clone()],
    };
    let script = render::script(&patches, Selection::default());
    assert!(
        script.contains("# pay/x\\u{a}$(reboot) (Deployment): its namespace"),
        "{script}"
    );
    assert!(
        script
            .lines()
            .all(|l| l.starts_with('#') || l == "set -eu" || l.is_empty())
    );
    w.not_patchable = None;
    assert_eq!(render::kubectl_command(&w), None);
}

#[test]
fn the_forms_people_use() {
    let mut r = simple_app();
    r.memory_peak_bytes = Some(600 * MI);
    let log = rec(
        "Deployment",
        "api",
        "log",
        pair(Value::Set(20), Value::Unknown),
        pair(Value::Unset, Value::Unknown),
    );
    let p = run(
        api_cluster(2, false),
        vec![r, log],
        PatchSettings::default(),
    );
    let w = &p.workloads[0];
    let yaml = render::yaml(w).unwrap();
    let body = yaml
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let expected = [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: \"api\"",
        "  namespace: \"pay\"",
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        "        - name: \"app\"",
        "          resources:",
        "            requests:",
        "              cpu: \"250m\"",
        "              memory: \"512Mi\"",
        "            limits:",
        "              cpu: null",
        "              memory: \"512Mi\"",
        "      initContainers:",
        "        - name: \"log\"",
        "          resources:",
        "            requests:",
        "              cpu: \"20m\"",
    ];
    assert_eq!(body, expected.join("\n"));
    assert!(
        yaml.starts_with("# pay/api (Deployment): saves $"),
        "{yaml}"
    );
    assert!(yaml.contains("# RISK memory-below-peak: container app: memory 512Mi is below"));
    let helm = render::helm(w).unwrap();
    assert!(
        helm.contains("\"app\":\n  resources:\n    requests:\n      cpu: \"250m\""),
        "{helm}"
    );
    // Safe only: the risky patch is left out everywhere.
    let safe = Selection { safe_only: true };
    assert!(!render::script(&p, safe).contains("kubectl patch"));
    assert!(render::script(&p, Selection::default()).contains("kubectl patch deployment api"));
    let files = render::files(&p, PatchFormat::Kustomize, Selection::default(), &[]);
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["kustomization.yaml", "pay/deployment-api.yaml"]);
    assert!(files[0].contents.contains(
        "resources:\n  - \"../base\"\npatchesStrategicMerge:\n  - \"pay/deployment-api.yaml\"\n"
    ));
    assert!(render::files(&p, PatchFormat::Helm, safe, &[]).is_empty());
    assert_eq!(
        render::files(&p, PatchFormat::Kubectl, safe, &[])[0].path,
        "patches.sh"
    );
    for f in PatchFormat::ALL {
        assert_eq!(PatchFormat::parse(f.as_str()), Some(f));
        assert!(render::one(w, f).is_some());
    }
}

#[test]
fn quantities_are_exact_kubernetes_text() {
    assert_eq!(cpu_quantity(250), "250m");
    assert_eq!(cpu_quantity(2000), "2");
    assert_eq!(cpu_quantity(1500), "1500m");
    assert_eq!(memory_quantity(512 * MI), "512Mi");
    assert_eq!(memory_quantity(1024 * MI), "1Gi");
    assert_eq!(memory_quantity(100_000_000), "100000000");
    assert_eq!(memory_quantity(1_000_001), "1000001");
}

#[test]
fn change_lines_say_what_each_container_gets() {
    let p = run(
        api_cluster(2, false),
        vec![simple_app()],
        PatchSettings::default(),
    );
    let w = &p.workloads[0];
    assert_eq!(
        render::change_lines(w),
        [
            "app: CPU request 1 → 250m, memory request 1Gi → 512Mi, CPU limit 2 → removed, memory limit 1Gi → 512Mi"
        ]
    );
    // The script and YAML headers carry them as comments.
    assert!(render::yaml(w).unwrap().contains(
        "# change: app: CPU request 1 → 250m, memory request 1Gi → 512Mi, CPU limit 2 → removed"
    ));
}

#[test]
fn a_failed_query_is_no_usage_data_and_negative_values_change_nothing() {
    let mut r = simple_app();
    r.requests.cpu = Value::Unknown;
    r.limits.cpu = Value::Unknown;
    r.info_cpu = Some("Prometheus query timed out".to_owned());
    let p = run(api_cluster(2, false), vec![r], PatchSettings::default());
    assert_eq!(risk_codes(&p.workloads[0]), ["no-usage-data"]);
    // A malformed recommender value below zero is no change (Kubernetes refuses it).
    let negative = rec(
        "Deployment",
        "api",
        "app",
        pair(Value::Set(-5), Value::Set(-1)),
        pair(Value::Unset, Value::Set(-1)),
    );
    let p = run(
        api_cluster(2, false),
        vec![negative],
        PatchSettings::default(),
    );
    let w = &p.workloads[0];
    assert!(
        !render::body_json(w).unwrap().contains('-'),
        "{:?}",
        w.patch
    );
    assert_eq!(
        w.patch,
        Some(
            json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "resources": {
            "limits": {"cpu": null}}}]}}}})
        )
    );
}
