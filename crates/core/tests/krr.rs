//! KRR import: parsing, matching, severities and score against KRR's formulas, money.
//!
//! Fixture `fixtures/krr/cluster.json`: one m5.xlarge node (4 cores, 16 GiB allocatable) at a
//! manual $0.20/h. Pods:
//!
//! * payments/api (Deployment, 2 pods): app 500m/1Gi + log 50m/64Mi, init container migrate
//!   1/256Mi (so each pod's effective CPU request is the init container's 1000m);
//! * data/db (StatefulSet, 1 pod): db 250m/512Mi;
//! * web/front (Deployment, 1 pod): front 200m/512Mi, with an HPA on CPU.
//!
//! `fixtures/krr/small.json` recommends app 100m/256Mi, log `?`, db 600m/1Gi (under-provisioned),
//! front 50m/200Mi (its CPU becomes `?` through the HPA rule), and has two unmatched scans
//! (container `sidecar` of api, Deployment `ghost`).

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::pricing::sources::ManualPrices;
use kube_rightsize_core::recommend::{
    RecommendationInput, Severity, Source, UsageKind, Value, detect, krr, severity,
};

const CLUSTER: &[u8] = include_bytes!("fixtures/krr/cluster.json");
const SMALL: &[u8] = include_bytes!("fixtures/krr/small.json");
const DEMO_CLUSTER: &[u8] = include_bytes!("../../../static/demo/cluster.json");
const DEMO_KRR: &[u8] = include_bytes!("../../../static/demo/krr.json");
const AT: &str = "2026-01-31T12:00:00Z";
const MIB: i64 = 1_048_576;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

fn small_analysis() -> Analysis {
    let mut manual = ManualPrices::new();
    manual.set_assignment("m5.xlarge=0.2").unwrap();
    let settings = Settings {
        manual_prices: manual,
        recommendations: Some(RecommendationInput::Ready(
            krr::parse("small.json", SMALL).unwrap(),
        )),
        ..Settings::default()
    };
    analyze(&[Input::new("cluster.json", CLUSTER)], &settings, None, AT).unwrap()
}

#[test]
fn parses_floats_question_marks_nulls_and_quantity_strings() {
    assert_eq!(detect(SMALL), Some(UsageKind::Krr));
    assert_eq!(detect(CLUSTER), None);
    let set = krr::parse("small.json", SMALL).unwrap();
    assert_eq!(set.source, Source::Krr);
    assert_eq!(set.strategy, "simple");
    assert_eq!(set.given_score, Some(26));
    assert_eq!(set.items.len(), 6);
    let app = &set.items[0];
    // "500m" → 500m; 1073741824.0 → 1 GiB; 0.1 cores → exactly 100m; "256Mi" → 268435456.
    assert_eq!(app.current_requests.unwrap().cpu, Value::Set(500));
    assert_eq!(app.current_requests.unwrap().memory, Value::Set(1024 * MIB));
    assert_eq!(app.requests.cpu, Value::Set(100));
    assert_eq!(app.requests.memory, Value::Set(256 * MIB));
    assert_eq!(app.limits.cpu, Value::Unset);
    let log = &set.items[1];
    assert_eq!(log.requests.cpu, Value::Unknown);
    assert_eq!(log.info_cpu.as_deref(), Some("Not enough data"));
    let ghost = &set.items[5];
    assert!(ghost.hpa);
    assert_eq!(ghost.current_limits.unwrap().cpu, Value::Unknown);
    // 0.025 cores is 25m, not 26m (0.025 × 1000 in floating point is 25.000000000000004).
    let demo = krr::parse("krr.json", DEMO_KRR).unwrap();
    assert_eq!(demo.items[0].requests.cpu, Value::Set(25));
    assert_eq!(demo.settings.points_required, 100);
}

#[test]
fn bad_krr_values_are_located_errors() {
    let bad = br#"{"scans":[{"object":{"name":"a","container":"a","namespace":"n","kind":"Deployment",
        "allocations":{"requests":{"cpu":"lots","memory":null},"limits":{}}},"recommended":null}]}"#;
    let e = krr::parse("bad.json", bad).unwrap_err();
    assert!(
        e.to_string()
            .contains("scans[0].object.allocations.requests.cpu"),
        "{e}"
    );
    let e = krr::parse("neg.json", br#"{"scans":[{"object":{"name":"a","container":"a","namespace":"n","kind":"Deployment","allocations":{"requests":{"cpu":-1}}}}]}"#).unwrap_err();
    assert!(e.to_string().contains("negative"), "{e}");
    let e = krr::parse("trunc.json", b"{\"scans\": [").unwrap_err();
    assert_eq!(e.line, Some(1));
    for junk in [&b""[..], b"[]", b"{}", b"\xff\xfe", b"{\"scans\": 3}"] {
        assert!(krr::parse("junk", junk).is_err());
    }
}

#[test]
fn cell_severities_follow_krr_thresholds() {
    use Value::{Set, Unknown, Unset};
    use severity::{Resource, cell};
    // CPU: d in cores ≥ 0.5 critical, ≥ 0.25 warning, ≥ 0.1 ok, else good (hand-computed).
    let cpu = [
        (Set(1000), Set(500), Severity::Critical), // d = 0.5
        (Set(1000), Set(501), Severity::Warning),  // d = 0.499
        (Set(300), Set(50), Severity::Warning),    // d = 0.25
        (Set(300), Set(51), Severity::Ok),         // d = 0.249
        (Set(100), Set(200), Severity::Ok),        // d = 0.1
        (Set(100), Set(199), Severity::Good),      // d = 0.099
        (Set(10), Set(10), Severity::Good),
        (Unset, Unset, Severity::Good),
        (Unset, Set(10), Severity::Warning),
        (Set(10), Unset, Severity::Warning),
        (Set(10), Unknown, Severity::Unknown),
        (Unknown, Unset, Severity::Unknown),
    ];
    for (c, r, s) in cpu {
        assert_eq!(cell(Resource::Cpu, c, r), s, "{c:?} {r:?}");
    }
    // Memory: d in MiB ≥ 500 critical, ≥ 250 warning, ≥ 100 ok.
    let mem = [
        (600, 100, Severity::Critical),
        (599, 100, Severity::Warning),
        (350, 100, Severity::Warning),
        (349, 100, Severity::Ok),
        (100, 200, Severity::Ok),
        (100, 199, Severity::Good),
    ];
    for (c, r, s) in mem {
        assert_eq!(
            cell(Resource::Memory, Set(c * MIB), Set(r * MIB)),
            s,
            "{c} {r}"
        );
    }
    assert_eq!(
        cell(Resource::Memory, Set(600 * MIB), Set(100 * MIB - 1)),
        Severity::Critical
    );
}

#[test]
fn rows_scores_and_grades_follow_krr() {
    use Severity::*;
    // A row takes the first of critical, warning, ok, good, unknown present.
    assert_eq!(severity::row([Good, Unknown, Ok]), Ok);
    assert_eq!(severity::row([Unknown, Unknown]), Unknown);
    assert_eq!(severity::row([Good, Critical]), Critical);
    // int((N − 0.7·W − C) / N · 100), by hand:
    // 2 rows, 1 warning + 1 critical: (2 − 1.7)/2 = 0.15 → 15.
    assert_eq!(severity::score([Warning, Critical]), 15);
    // 10 rows, 1 warning: 9.3/10 → 93.
    let mut rows = vec![Good; 9];
    rows.push(Warning);
    assert_eq!(severity::score(rows), 93);
    // 3 rows all good → 100; 1 ok → 100 (ok costs nothing).
    assert_eq!(severity::score([Good, Good, Ok]), 100);
    // 4 rows, 3 warnings: (4 − 2.1)/4 = 0.475 → 47.
    assert_eq!(severity::score([Warning, Warning, Warning, Unknown]), 47);
    // 3 rows, 1 critical: 2/3 → 66.
    assert_eq!(severity::score([Critical, Good, Good]), 66);
    assert_eq!(severity::score([]), -1);
    for (s, g) in [
        (100, "A"),
        (90, "A"),
        (89, "B"),
        (70, "B"),
        (69, "C"),
        (55, "C"),
        (54, "D"),
        (30, "D"),
        (29, "F"),
        (-1, "F"),
    ] {
        assert_eq!(severity::grade(s), g, "{s}");
    }
}

#[test]
fn computed_severities_agree_with_krr_on_the_demo_and_fixture() {
    let demo = analyze(
        &[Input::new("cluster.json", DEMO_CLUSTER)],
        &Settings {
            recommendations: Some(RecommendationInput::Ready(
                krr::parse("krr.json", DEMO_KRR).unwrap(),
            )),
            ..Settings::default()
        },
        None,
        AT,
    )
    .unwrap();
    let r = demo.recommendations.as_ref().unwrap();
    assert!(!r.matched.is_empty());
    for m in &r.matched {
        assert_eq!(m.severities, m.computed, "{:?}", m.recommendation);
    }
    assert_eq!(r.unmatched_rows, r.unmatched_computed_rows);
    assert_eq!(r.given_score, Some(26));
    assert_eq!(r.score(), 26);
    assert_eq!(r.computed_score(), 26);
    let info = demo.report.recommendations.as_ref().unwrap();
    assert_eq!(info.score, 26);
    assert_eq!(info.grade, "F");

    let a = small_analysis();
    let r = a.recommendations.as_ref().unwrap();
    for m in &r.matched {
        assert_eq!(m.severities, m.computed, "{:?}", m.recommendation);
    }
    assert_eq!(r.score(), 26);
    assert_eq!(r.computed_score(), 26);
}

#[test]
fn unmatched_scans_are_listed_and_warned() {
    let a = small_analysis();
    let info = a.report.recommendations.as_ref().unwrap();
    let reasons: Vec<&str> = info.unmatched.iter().map(|u| u.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "container sidecar not in Deployment payments/api",
            "no Deployment payments/ghost in the snapshot"
        ]
    );
    assert_eq!(info.matched, 4);
    let warned: Vec<&str> = a
        .report
        .warnings
        .iter()
        .filter(|w| w.code == "krr_unmatched")
        .map(|w| w.object.as_str())
        .collect();
    assert_eq!(
        warned,
        ["Deployment/payments/api", "Deployment/payments/ghost"]
    );
}

#[test]
fn hpa_in_the_snapshot_makes_cpu_unknown_unless_allowed() {
    let a = small_analysis();
    let front = a
        .report
        .workloads
        .iter()
        .find(|w| w.name == "front")
        .unwrap();
    let rec = front.containers[0].recommended.as_ref().unwrap();
    assert_eq!(rec.requests.cpu_cores, None);
    // KRR's `undefined`: the CPU request and limit are both `?`, severity UNKNOWN.
    assert_eq!(rec.undefined, ["requests.cpu", "limits.cpu"]);
    let cells = rec.severities.as_ref().unwrap();
    assert_eq!(cells.requests.cpu, "UNKNOWN");
    assert_eq!(cells.limits.cpu, "UNKNOWN");
    assert_eq!(rec.info.as_deref(), Some("cpu: HPA detected"));
    assert_eq!(rec.requests.memory_bytes, Some(200 * MIB));

    // With allow_hpa the KRR value stands.
    let mut set = krr::parse("small.json", SMALL).unwrap();
    set.settings.allow_hpa = true;
    let a = analyze(
        &[Input::new("cluster.json", CLUSTER)],
        &Settings {
            recommendations: Some(RecommendationInput::Ready(set)),
            ..Settings::default()
        },
        None,
        AT,
    )
    .unwrap();
    let front = a
        .report
        .workloads
        .iter()
        .find(|w| w.name == "front")
        .unwrap();
    let rec = front.containers[0].recommended.as_ref().unwrap();
    assert_eq!(rec.requests.cpu_cores, Some(0.05));
}

#[test]
fn money_to_the_cent() {
    // Node: $0.20/h over 4 cores and 16 GiB with r = 0.031611/0.004237 = 7.460703…:
    //   gib_rate  = 0.2 / (4r + 16)   = 0.00436273399/GiB-h
    //   core_rate = gib_rate × r      = 0.03254906403/core-h
    let r = 0.031611 / 0.004237;
    let g = 0.2 / (4.0 * r + 16.0);
    let c = g * r;
    let a = small_analysis();
    let w = |name: &str| a.report.workloads.iter().find(|w| w.name == name).unwrap();

    // api, per pod: effective now = max(500m + 50m, init 1000m) = 1000m, max(1Gi + 64Mi, 256Mi)
    // = 1088Mi; recommended app 100m/256Mi (log `?` keeps 50m/64Mi): max(150m, 1000m) = 1000m,
    // max(320Mi, 256Mi) = 320Mi. Saving per pod = 768Mi = 0.75 GiB × g; two pods:
    //   1.5 × 0.00436273399 × 730 = $4.78
    let api = w("api");
    close(api.monthly_savings, 1.5 * g * 730.0);
    assert_eq!(format!("{:.2}", api.monthly_savings), "4.78");
    close(
        api.recommended_monthly_cost,
        api.monthly_cost - 1.5 * g * 730.0,
    );
    assert_eq!(api.severity.as_deref(), Some("CRITICAL"));

    // db: 250m/512Mi → 600m/1Gi, under-provisioned: saving = −(0.35 c + 0.5 g) × 730
    //   = −(0.01139217 + 0.00218137) × 730 = −$9.91 (the extra cost of making it safe).
    let db = w("db");
    close(db.monthly_savings, -(0.35 * c + 0.5 * g) * 730.0);
    assert_eq!(format!("{:.2}", db.monthly_savings), "-9.91");

    // front: CPU `?` (HPA) keeps 200m; memory 512Mi → 200Mi: 312/1024 GiB × g × 730 = $0.97.
    let front = w("front");
    close(front.monthly_savings, 312.0 / 1024.0 * g * 730.0);
    assert_eq!(format!("{:.2}", front.monthly_savings), "0.97");
    assert_eq!(front.severity.as_deref(), Some("WARNING"));

    // Namespaces and summary follow: Σ = 4.78 − 9.91 + 0.97 = −$4.16.
    let s = &a.report.summary;
    let total = (1.5 * g - (0.35 * c + 0.5 * g) + 312.0 / 1024.0 * g) * 730.0;
    close(s.monthly_savings, total);
    assert_eq!(format!("{:.2}", s.monthly_savings), "-4.16");
    close(s.recommended_monthly_cost, s.monthly_cost - total);
    close(s.monthly_cost, 0.2 * 730.0);
    let ns = |n: &str| a.report.namespaces.iter().find(|x| x.name == n).unwrap();
    close(ns("payments").monthly_savings, api.monthly_savings);
    close(
        ns("data").recommended_monthly_cost,
        db.recommended_monthly_cost,
    );

    // The container row carries the recommendation.
    let app = api.containers.iter().find(|c| c.name == "app").unwrap();
    let rec = app.recommended.as_ref().unwrap();
    assert_eq!(rec.source, "krr");
    assert_eq!(rec.requests.cpu_cores, Some(0.1));
    assert_eq!(rec.limits.memory_bytes, Some(256 * MIB));
    assert_eq!(rec.severity.as_deref(), Some("CRITICAL"));
    assert!(!rec.low_confidence);
    let log = api.containers.iter().find(|c| c.name == "log").unwrap();
    assert_eq!(
        log.recommended.as_ref().unwrap().info.as_deref(),
        Some("Not enough data")
    );
}

#[test]
fn demo_has_savings_and_json_fields() {
    let demo = analyze(
        &[Input::new("cluster.json", DEMO_CLUSTER)],
        &Settings {
            recommendations: Some(RecommendationInput::Ready(
                krr::parse("krr.json", DEMO_KRR).unwrap(),
            )),
            ..Settings::default()
        },
        None,
        AT,
    )
    .unwrap();
    let s = &demo.report.summary;
    assert!(s.monthly_savings > 0.0, "{}", s.monthly_savings);
    let sum: f64 = demo
        .report
        .workloads
        .iter()
        .map(|w| w.monthly_savings)
        .sum();
    close(s.monthly_savings, sum);
    let json = kube_rightsize_core::report::json::to_json(&demo.report);
    assert!(json.contains("\"recommendations\""));
    assert!(json.contains("\"grade\": \"F\""));
}
