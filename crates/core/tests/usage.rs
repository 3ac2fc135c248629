//! Point-in-time usage: `kubectl top` text (with and without -A) and the metrics API JSON,
//! turned into low-confidence recommendations with KRR's `simple` math on one sample.
//!
//! Cluster: `fixtures/krr/cluster.json` (see `tests/krr.rs`).

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::recommend::{
    RecommendationInput, Source, StrategySettings, UsageKind, detect, read_input, usage,
};

const CLUSTER: &[u8] = include_bytes!("fixtures/krr/cluster.json");
const TOP_ALL: &[u8] = include_bytes!("fixtures/usage/top-all.txt");
const TOP_NS: &[u8] = include_bytes!("fixtures/usage/top-ns.txt");
const METRICS: &[u8] = include_bytes!("fixtures/usage/metrics.json");
const MIB: i64 = 1_048_576;

fn run(name: &str, bytes: &[u8]) -> Analysis {
    let input = read_input(name, bytes, &StrategySettings::default()).unwrap();
    analyze(
        &[Input::new("cluster.json", CLUSTER)],
        &Settings {
            recommendations: Some(input),
            ..Settings::default()
        },
        None,
        "2026-01-31T12:00:00Z",
    )
    .unwrap()
}

fn rec<'a>(
    a: &'a Analysis,
    workload: &str,
    container: &str,
) -> &'a kube_rightsize_core::report::ContainerRecommendation {
    a.report
        .workloads
        .iter()
        .find(|w| w.name == workload)
        .and_then(|w| w.containers.iter().find(|c| c.name == container))
        .and_then(|c| c.recommended.as_ref())
        .unwrap_or_else(|| panic!("{workload}/{container}"))
}

#[test]
fn detects_the_formats() {
    assert_eq!(detect(TOP_ALL), Some(UsageKind::KubectlTop));
    assert_eq!(detect(TOP_NS), Some(UsageKind::KubectlTop));
    assert_eq!(detect(METRICS), Some(UsageKind::MetricsApi));
    assert_eq!(detect(b"hello"), None);
    assert_eq!(detect(b""), None);
    assert_eq!(detect(b"{\"kind\": \"List\", \"items\": []}"), None);
}

#[test]
fn kubectl_top_all_namespaces() {
    let snap = usage::parse("top.txt", TOP_ALL).unwrap();
    assert_eq!(snap.source, Source::KubectlTop);
    assert_eq!(snap.samples.len(), 8);
    assert_eq!(snap.samples[0].namespace.as_deref(), Some("payments"));
    assert_eq!(snap.samples[0].cpu_millis, 13);
    assert_eq!(snap.samples[0].memory_bytes, 180 * MIB);

    let a = run("top.txt", TOP_ALL);
    // api/app: CPU = max(13m, 42m) = 42m; memory = ceil(210Mi × 1.15 = 241.5Mi) = 242Mi.
    let app = rec(&a, "api", "app");
    assert_eq!(app.requests.cpu_cores, Some(0.042));
    assert_eq!(app.requests.memory_bytes, Some(242 * MIB));
    assert_eq!(app.limits.cpu_cores, None);
    assert_eq!(app.limits.memory_bytes, Some(242 * MIB));
    assert!(app.low_confidence);
    assert_eq!(app.source, "kubectl-top");
    assert_eq!(
        app.info.as_deref(),
        Some(
            "one sample from kubectl top is not a history: confirm with KRR or Prometheus \
             before applying"
        )
    );
    // api/log: CPU max(1m, 2m) → 10m minimum; memory 22Mi × 1.15 → 100Mi minimum.
    let log = rec(&a, "api", "log");
    assert_eq!(log.requests.cpu_cores, Some(0.01));
    assert_eq!(log.requests.memory_bytes, Some(100 * MIB));
    // db: 640m; 900Mi × 1.15 = 1035Mi.
    let db = rec(&a, "db", "db");
    assert_eq!(db.requests.cpu_cores, Some(0.64));
    assert_eq!(db.requests.memory_bytes, Some(1035 * MIB));
    // front has an HPA on CPU: CPU request and limit `?` (KRR's `undefined`); memory 150Mi ×
    // 1.15 = 172.5 → 173Mi.
    let front = rec(&a, "front", "front");
    assert_eq!(front.requests.cpu_cores, None);
    assert_eq!(front.undefined, ["requests.cpu", "limits.cpu"]);
    assert!(
        front
            .info
            .as_deref()
            .unwrap()
            .ends_with("cpu: HPA detected")
    );
    assert_eq!(front.requests.memory_bytes, Some(173 * MIB));
    // Unknown pod and unknown container are listed, not dropped.
    let info = a.report.recommendations.as_ref().unwrap();
    assert!(info.low_confidence);
    let reasons: Vec<&str> = info.unmatched.iter().map(|u| u.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "no pod payments/api-5d8f7c9b4-zzzzz in the snapshot",
            "container istio not in Deployment payments/api"
        ]
    );
    assert_eq!(
        a.report
            .warnings
            .iter()
            .filter(|w| w.code == "usage_unmatched")
            .count(),
        2
    );
    assert!(
        a.report
            .warnings
            .iter()
            .any(|w| w.code == "usage_single_sample")
    );
    assert!(a.report.summary.monthly_savings != 0.0);
}

#[test]
fn kubectl_top_one_namespace() {
    let snap = usage::parse("top.txt", TOP_NS).unwrap();
    assert_eq!(snap.samples[1].namespace, None);
    let a = run("top.txt", TOP_NS);
    let app = rec(&a, "api", "app");
    assert_eq!(app.requests.cpu_cores, Some(0.042));
    assert!(
        a.report
            .recommendations
            .as_ref()
            .unwrap()
            .unmatched
            .is_empty()
    );
}

#[test]
fn metrics_api() {
    let snap = usage::parse("metrics.json", METRICS).unwrap();
    assert_eq!(snap.source, Source::MetricsApi);
    assert_eq!(snap.timestamp.as_deref(), Some("2026-01-31T11:59:58Z"));
    // 35811125n rounds up to 36m; 549124Ki = 562302976 bytes.
    assert_eq!(snap.samples[1].cpu_millis, 36);
    assert_eq!(snap.samples[1].memory_bytes, 549_124 * 1024);
    // 12000001n → 13m.
    assert_eq!(snap.samples[0].cpu_millis, 13);
    let a = run("metrics.json", METRICS);
    let log = rec(&a, "api", "log");
    assert_eq!(log.source, "metrics-api");
    assert_eq!(log.requests.cpu_cores, Some(0.036));
    // 549124Ki × 1.15 = 616.66…Mi → 617Mi.
    assert_eq!(log.requests.memory_bytes, Some(617 * MIB));
    assert!(
        log.info
            .as_deref()
            .unwrap()
            .contains("at 2026-01-31T11:59:58Z")
    );
    let db = rec(&a, "db", "db");
    assert_eq!(db.requests.cpu_cores, Some(1.5));
    // 2Gi × 1.15 = 2355.2Mi → 2356Mi.
    assert_eq!(db.requests.memory_bytes, Some(2356 * MIB));
    assert_eq!(db.severity.as_deref(), Some("CRITICAL"));
}

#[test]
fn bad_usage_is_a_located_error() {
    let e = usage::parse(
        "top.txt",
        b"POD NAME CPU(cores) MEMORY(bytes)\na b lots 1Mi\n",
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2));
    let e = usage::parse("top.txt", b"POD NAME CPU(cores) MEMORY(bytes)\na b 1m\n").unwrap_err();
    assert_eq!(e.line, Some(2));
    let e = usage::parse("top.txt", b"NAME CPU(cores) MEMORY(bytes)\na 1m 1Mi\n").unwrap_err();
    assert!(e.message.contains("--containers"), "{e}");
    assert!(usage::parse("m.json", b"{\"kind\":\"PodMetricsList\",\"items\":[{\"metadata\":{\"name\":\"a\"},\"containers\":[{\"name\":\"c\",\"usage\":{\"cpu\":\"x\"}}]}]}").is_err());
    assert!(read_input("x", b"hello", &StrategySettings::default()).is_err());
    assert!(matches!(
        read_input("m.json", METRICS, &StrategySettings::default()),
        Ok(RecommendationInput::Snapshot(..))
    ));
}

#[test]
fn the_users_strategy_settings_reach_usage_inputs_through_prepare() {
    use kube_rightsize_core::inputs::prepare;
    use kube_rightsize_core::preferences::{Preferences, StrategyPreferences};

    let prefs = Preferences {
        strategy: StrategyPreferences {
            memory_buffer_percentage: Some(50.0),
            ..StrategyPreferences::default()
        },
        ..Preferences::default()
    };
    let mut settings = Settings::default();
    assert!(prefs.apply(&mut settings).is_empty());
    let inputs = [
        Input::new("cluster.json", CLUSTER),
        Input::new("top.txt", TOP_ALL),
    ];
    let prepared = prepare(&inputs, &mut settings).unwrap();
    let a = analyze(&prepared.snapshots, &settings, None, "2026-01-31T12:00:00Z").unwrap();
    // api/app: memory = ceil(210Mi × 1.5 = 315Mi) = 315Mi instead of KRR's default 15% (242Mi).
    let app = rec(&a, "api", "app");
    assert_eq!(app.requests.memory_bytes, Some(315 * MIB));
}
