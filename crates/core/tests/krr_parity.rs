//! KRR parity on missing data and scope (issue 16).
//!
//! * No data ⇒ `?` everywhere: for each way data can be missing (no series, too few points, a
//!   query that failed, Prometheus unreachable, a timeout, a query never answered) and in both
//!   strategies, a container without data has all four cells `?` with severity UNKNOWN — also
//!   the CPU *limit* under `simple` (KRR's `ResourceRecommendation.undefined` is NaN for request
//!   and limit) — in the report model and in every rendering (table, CSV, HTML).
//! * Scope: by default every namespace but `kube-system` (KRR's `*`); named namespaces exactly
//!   (`kube-system` included when named); a KRR result keeps its rows. The report says which
//!   namespaces were scanned.
//!
//! Cluster: `fixtures/krr/cluster.json` (see `tests/krr.rs`) with a 200m CPU limit on `api`'s
//! `log` container and a `coredns` Deployment in `kube-system`.

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::ingest::{Input, ingest};
use kube_rightsize_core::pricing::sources::ManualPrices;
use kube_rightsize_core::prometheus::{Metric, Plan, QueryFailure};
use kube_rightsize_core::recommend::{
    NamespaceScope, NamespaceSelection, RecommendationInput, RecommendationSet, StrategyName,
    StrategySettings, krr, read_input,
};
use kube_rightsize_core::report::csv::workloads_csv;
use kube_rightsize_core::report::html::{HtmlOptions, render_html};
use kube_rightsize_core::report::table::{TableOptions, render};
use kube_rightsize_core::report::{ContainerRecommendation, Report};

const CLUSTER: &[u8] = include_bytes!("fixtures/krr/cluster.json");
const AT: &str = "2026-01-31T12:00:00Z";
const MIB: f64 = 1_048_576.0;

/// The fixture with a 200m CPU limit on `log` and a `coredns` pod in `kube-system`.
fn cluster() -> Vec<u8> {
    let mut doc: serde_json::Value = serde_json::from_slice(CLUSTER).unwrap();
    let items = doc["items"].as_array_mut().unwrap();
    for item in items.iter_mut() {
        let Some(containers) = item["spec"]["containers"].as_array_mut() else {
            continue;
        };
        for c in containers.iter_mut().filter(|c| c["name"] == "log") {
            c["resources"]["limits"] = serde_json::json!({"cpu": "200m"});
        }
    }
    items.push(serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "coredns-6f7b8c9d5-zzzzz", "namespace": "kube-system",
            "labels": {"pod-template-hash": "6f7b8c9d5"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                 "name": "coredns-6f7b8c9d5", "uid": "rs-c", "controller": true}]
        },
        "spec": {"nodeName": "node-1", "containers": [{"name": "coredns",
            "resources": {"requests": {"cpu": "100m", "memory": "70Mi"}, "limits": {"memory": "170Mi"}}}]},
        "status": {"phase": "Running"}
    }));
    serde_json::to_vec(&doc).unwrap()
}

fn vector(pod: &str, v: f64) -> Vec<u8> {
    format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{"pod":"{pod}","job":"kubelet"}},"value":[1769860800,"{v}"]}}]}}}}"#
    )
    .into_bytes()
}

fn matrix(pod: &str, values: &[f64]) -> Vec<u8> {
    let values: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!(r#"[{i},"{v}"]"#))
        .collect();
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"pod":"{pod}","job":"kubelet"}},"values":[{}]}}]}}}}"#,
        values.join(",")
    )
    .into_bytes()
}

const EMPTY: &[u8] = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;

/// How `log`'s data goes missing; every other container has 2000 samples of usage.
#[derive(Debug, Clone, Copy)]
enum Missing {
    NoSeries,
    TooFewPoints,
    QueryFailed,
    Unreachable,
    Timeout,
    NeverAnswered,
}

/// A healthy answer for `container`'s `metric` (pod `api-5d8f7c9b4-aaaaa` or `db-0`, ...).
fn healthy(pod: &str, metric: Metric, samples: f64) -> Vec<u8> {
    match metric {
        Metric::CpuPercentile => vector(pod, 0.0412),
        Metric::CpuSeries => matrix(pod, &[0.01, 0.02, 0.03, 0.04]),
        Metric::CpuSamples | Metric::MemorySamples => vector(pod, samples),
        Metric::MemoryPeak => vector(pod, 300.0 * MIB),
        Metric::OomKilledLimit => EMPTY.to_vec(),
    }
}

/// Runs `strategy` over answers where every container but `log` has data and `log`'s is
/// missing as `missing`; returns the analysis of [`cluster`].
fn run_with(strategy: StrategyName, missing: Missing) -> Analysis {
    let bytes = cluster();
    let c = ingest(&[Input::new("cluster.json", &bytes)]).unwrap();
    let mut plan = Plan::new(&c, strategy, &StrategySettings::default());
    let queries: Vec<(String, String, Metric)> = plan
        .queries()
        .iter()
        .map(|q| {
            let t = &plan.targets[q.target];
            (t.container.clone(), t.pods[0].clone(), q.metric)
        })
        .collect();
    for (i, (container, pod, metric)) in queries.into_iter().enumerate() {
        if container != "log" {
            plan.handle(i, 200, &healthy(&pod, metric, 2000.0)).unwrap();
            continue;
        }
        match missing {
            Missing::NoSeries => plan.handle(i, 200, EMPTY).unwrap(),
            Missing::TooFewPoints => plan.handle(i, 200, &healthy(&pod, metric, 99.0)).unwrap(),
            Missing::QueryFailed => {
                let e = br#"{"status":"error","errorType":"bad_data","error":"parse error"}"#;
                assert!(plan.handle(i, 400, e).is_err());
            }
            Missing::Unreachable => {
                plan.fail(i, QueryFailure::Unreachable("connection refused".into()))
            }
            Missing::Timeout => plan.fail(i, QueryFailure::Timeout("no answer in 1 s".into())),
            Missing::NeverAnswered => {}
        }
    }
    let set = plan.finish(&c, "http://prom");
    analysis(&bytes, RecommendationInput::Ready(set))
}

fn analysis(cluster: &[u8], input: RecommendationInput) -> Analysis {
    let mut manual = ManualPrices::new();
    manual.set_assignment("m5.xlarge=0.2").unwrap();
    let settings = Settings {
        manual_prices: manual,
        recommendations: Some(input),
        ..Settings::default()
    };
    analyze(&[Input::new("cluster.json", cluster)], &settings, None, AT).unwrap()
}

fn rec<'a>(r: &'a Report, workload: &str, container: &str) -> Option<&'a ContainerRecommendation> {
    r.workloads
        .iter()
        .find(|w| w.name == workload)
        .and_then(|w| w.containers.iter().find(|c| c.name == container))
        .and_then(|c| c.recommended.as_ref())
}

const ALL_CELLS: [&str; 4] = [
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
];

#[test]
fn no_data_is_unknown_in_every_strategy_way_and_output() {
    use Missing::*;
    let cases = [
        (NoSeries, "No data"),
        (TooFewPoints, "Not enough data"),
        (QueryFailed, "Prometheus query failed"),
        (Unreachable, "Prometheus unavailable"),
        (Timeout, "Prometheus timed out"),
        // Not answered after a transport failure elsewhere: none here, so "query failed".
        (NeverAnswered, "Prometheus query failed"),
    ];
    for strategy in [StrategyName::Simple, StrategyName::SimpleLimit] {
        for (missing, reason) in cases {
            let what = format!("{strategy:?} {missing:?}");
            let a = run_with(strategy, missing);
            let log = rec(&a.report, "api", "log").unwrap_or_else(|| panic!("{what}"));
            // The model: every cell `?` (value null, listed in `undefined`), UNKNOWN.
            assert_eq!(log.undefined, ALL_CELLS, "{what}");
            assert_eq!(log.requests.cpu_cores, None, "{what}");
            assert_eq!(log.limits.cpu_cores, None, "{what}");
            assert_eq!(log.severity.as_deref(), Some("UNKNOWN"), "{what}");
            let cells = log.severities.as_ref().unwrap();
            for s in [
                &cells.requests.cpu,
                &cells.requests.memory,
                &cells.limits.cpu,
                &cells.limits.memory,
            ] {
                assert_eq!(s, "UNKNOWN", "{what}");
            }
            assert_eq!(log.info.as_deref(), Some(reason), "{what}");
            // The app container next to it has data: its CPU limit follows the strategy.
            let app = rec(&a.report, "api", "app").unwrap();
            assert!(app.undefined.is_empty(), "{what}: {app:?}");
            match strategy {
                StrategyName::Simple => assert_eq!(app.limits.cpu_cores, None),
                StrategyName::SimpleLimit => assert!(app.limits.cpu_cores.is_some()),
            }
            assert_eq!(
                a.report.recommendations.as_ref().unwrap().unknown,
                1,
                "{what}"
            );

            // Table: `200m -> ?` for the CPU limit, not `200m -> none`.
            let table = render(&a.report, &TableOptions::default());
            let line = table
                .lines()
                .find(|l| l.trim_start().starts_with("log "))
                .unwrap_or_else(|| panic!("{what}: no log line in\n{table}"));
            let cols: Vec<&str> = line.split("  ").filter(|c| !c.trim().is_empty()).collect();
            assert_eq!(
                cols.iter().map(|c| c.trim()).collect::<Vec<_>>(),
                [
                    "log",
                    "50m -> ?",
                    "200m -> ?",
                    "64Mi -> ?",
                    "none -> ?",
                    "UNKNOWN"
                ],
                "{what}: {line}"
            );
            // CSV: `?` in the four recommended cells, UNKNOWN, the reason.
            let csv = workloads_csv(&a.report);
            let row = csv
                .lines()
                .find(|l| l.contains(",log,"))
                .unwrap_or_else(|| panic!("{what}: {csv}"));
            assert!(
                row.ends_with(&format!(",?,?,?,?,prometheus,UNKNOWN,{reason}")),
                "{what}: {row}"
            );
            // HTML: `?` for requests and limits.
            let html = render_html(&a.report, &HtmlOptions::default());
            assert!(
                html.contains(
                    "<b>log</b> 50m/64Mi lim 200m/– → <span class=\"rec\">?/? lim ?/?</span>"
                ),
                "{what}: {}",
                &html[html.find("<b>log</b>").map_or(0, |i| i)..][..200.min(html.len())]
            );
        }
    }
}

#[test]
fn prometheus_down_scores_only_unknown_rows() {
    // Every query fails: every row UNKNOWN; KRR's formula gives 100, and the report says that
    // all the rows are UNKNOWN.
    let bytes = cluster();
    let c = ingest(&[Input::new("cluster.json", &bytes)]).unwrap();
    let mut plan = Plan::new(&c, StrategyName::Simple, &StrategySettings::default());
    plan.fail(0, QueryFailure::Unreachable("connection refused".into()));
    let set = plan.finish(&c, "http://prom");
    let a = analysis(&bytes, RecommendationInput::Ready(set));
    let info = a.report.recommendations.as_ref().unwrap();
    assert_eq!((info.score, info.matched, info.unknown), (100, 4, 4));
    for w in &a.report.workloads {
        if w.namespace == "kube-system" {
            continue;
        }
        assert_eq!(w.severity.as_deref(), Some("UNKNOWN"), "{}", w.name);
    }
    let table = render(&a.report, &TableOptions::default());
    assert!(
        table.contains(
            "score 100 (A), 4 containers matched, 0 unmatched, 4 UNKNOWN (no recommendation: `?`)"
        ),
        "{table}"
    );
}

fn prometheus_set(settings: &StrategySettings) -> (Vec<u8>, RecommendationSet, Vec<String>) {
    let bytes = cluster();
    let c = ingest(&[Input::new("cluster.json", &bytes)]).unwrap();
    let mut plan = Plan::new(&c, StrategyName::Simple, settings);
    let namespaces = plan.targets.iter().map(|t| t.namespace.clone()).collect();
    let queries: Vec<(String, Metric)> = plan
        .queries()
        .iter()
        .map(|q| (plan.targets[q.target].pods[0].clone(), q.metric))
        .collect();
    for (i, (pod, metric)) in queries.into_iter().enumerate() {
        plan.handle(i, 200, &healthy(&pod, metric, 2000.0)).unwrap();
    }
    (bytes, plan.finish(&c, "http://prom"), namespaces)
}

#[test]
fn prometheus_scope_leaves_kube_system_out_unless_named() {
    // Default: no query for kube-system, no row, and the report says what was scanned.
    let (bytes, set, planned) = prometheus_set(&StrategySettings::default());
    assert!(!planned.iter().any(|n| n == "kube-system"), "{planned:?}");
    let a = analysis(&bytes, RecommendationInput::Ready(set));
    assert!(rec(&a.report, "coredns", "coredns").is_none());
    assert!(rec(&a.report, "db", "db").is_some());
    let info = a.report.recommendations.as_ref().unwrap();
    assert_eq!(
        info.namespaces,
        NamespaceScope {
            selection: NamespaceSelection::AllButKubeSystem,
            scanned: vec!["data".into(), "payments".into(), "web".into()],
            skipped: vec!["kube-system".into()],
        }
    );
    assert_eq!(info.matched, 4);
    let table = render(&a.report, &TableOptions::default());
    assert!(
        table.contains(
            "  Namespaces scanned (3): data, payments, web; left out: kube-system (KRR's default: \
             every namespace but kube-system unless namespaces are named)\n"
        ),
        "{table}"
    );
    let html = render_html(&a.report, &HtmlOptions::default());
    assert!(
        html.contains("Namespaces scanned (3): data, payments, web; left out: kube-system"),
        "{html}"
    );
    let json = serde_json::to_value(&a.report).unwrap();
    assert_eq!(
        json["recommendations"]["namespaces"],
        serde_json::json!({"selection": "all-but-kube-system",
                           "scanned": ["data", "payments", "web"], "skipped": ["kube-system"]})
    );
    assert_eq!(
        json["recommendations"]["settings"]["namespaces"],
        serde_json::json!([])
    );

    // Named (KRR lower-cases the names): exactly those, kube-system included.
    let named = StrategySettings {
        namespaces: vec!["KUBE-SYSTEM".into(), "data".into(), "nope".into()],
        ..StrategySettings::default()
    };
    let (bytes, set, planned) = prometheus_set(&named);
    assert_eq!(planned, ["data", "kube-system"]);
    let a = analysis(&bytes, RecommendationInput::Ready(set));
    let coredns = rec(&a.report, "coredns", "coredns").unwrap();
    // 0.0412 cores → 42m; 300 MiB × 1.15 = 345 MiB.
    assert_eq!(coredns.requests.cpu_cores, Some(0.042));
    assert!(rec(&a.report, "api", "app").is_none());
    let info = a.report.recommendations.as_ref().unwrap();
    assert_eq!(info.namespaces.selection, NamespaceSelection::Named);
    assert_eq!(info.namespaces.scanned, ["data", "kube-system", "nope"]);
    assert_eq!(info.namespaces.skipped, ["payments", "web"]);
    let missing: Vec<&str> = a
        .report
        .warnings
        .iter()
        .filter(|w| w.code == "namespace_not_found")
        .map(|w| w.object.as_str())
        .collect();
    assert_eq!(missing, ["Namespace/nope"]);
    // A set made outside the plan is held to the scope too.
    let (_, wide, _) = prometheus_set(&StrategySettings {
        namespaces: vec!["kube-system".into(), "web".into()],
        ..StrategySettings::default()
    });
    let narrow = RecommendationSet {
        settings: StrategySettings::default(),
        ..wide
    };
    let a = analysis(&bytes, RecommendationInput::Ready(narrow));
    assert!(rec(&a.report, "coredns", "coredns").is_none());
    assert!(rec(&a.report, "front", "front").is_some());
}

#[test]
fn usage_scope_leaves_kube_system_out_unless_named() {
    let top = b"NAMESPACE   POD                      NAME     CPU(cores)   MEMORY(bytes)\n\
                payments    api-5d8f7c9b4-aaaaa      app      13m          180Mi\n\
                kube-system coredns-6f7b8c9d5-zzzzz  coredns  3m           20Mi\n\
                kube-system ghost-0                  x        1m           1Mi\n";
    let bytes = cluster();
    let input = read_input("top.txt", top, &StrategySettings::default()).unwrap();
    let a = analysis(&bytes, input);
    assert!(rec(&a.report, "coredns", "coredns").is_none());
    assert!(rec(&a.report, "api", "app").is_some());
    let info = a.report.recommendations.as_ref().unwrap();
    // Out of scope is not "unmatched": ghost-0 is not listed.
    assert!(info.unmatched.is_empty(), "{:?}", info.unmatched);
    assert_eq!(info.namespaces.skipped, ["kube-system"]);

    let named = StrategySettings {
        namespaces: vec!["kube-system".into()],
        ..StrategySettings::default()
    };
    let input = read_input("top.txt", top, &named).unwrap();
    let a = analysis(&bytes, input);
    assert!(rec(&a.report, "coredns", "coredns").is_some());
    assert!(rec(&a.report, "api", "app").is_none());
    let info = a.report.recommendations.as_ref().unwrap();
    assert_eq!(info.unmatched.len(), 1, "{:?}", info.unmatched);
    assert_eq!(info.unmatched[0].name, "ghost-0");
}

#[test]
fn a_krr_result_keeps_its_rows() {
    // KRR was run with `-n kube-system -n data`: its kube-system row is kept, whatever our
    // settings say.
    let krr_json = br#"{"scans": [
        {"object": {"name": "coredns", "container": "coredns", "namespace": "kube-system",
                    "kind": "Deployment", "allocations": {"requests": {"cpu": 0.1, "memory": 73400320.0},
                    "limits": {"cpu": null, "memory": 178257920.0}}},
         "recommended": {"requests": {"cpu": {"value": 0.01, "severity": "GOOD"},
                                      "memory": {"value": 104857600.0, "severity": "GOOD"}},
                         "limits": {"cpu": {"value": null, "severity": "GOOD"},
                                    "memory": {"value": 104857600.0, "severity": "GOOD"}}},
         "severity": "GOOD"},
        {"object": {"name": "db", "container": "db", "namespace": "data", "kind": "StatefulSet"},
         "recommended": {"requests": {"cpu": {"value": "?", "severity": "UNKNOWN"},
                                      "memory": {"value": "?", "severity": "UNKNOWN"}},
                         "limits": {"cpu": {"value": "?", "severity": "UNKNOWN"},
                                    "memory": {"value": "?", "severity": "UNKNOWN"}},
                         "info": {"cpu": "No data", "memory": "No data"}},
         "severity": "UNKNOWN"}],
        "score": 100}"#;
    let set = krr::parse("krr.json", krr_json).unwrap();
    let a = analysis(&cluster(), RecommendationInput::Ready(set));
    assert!(rec(&a.report, "coredns", "coredns").is_some());
    let db = rec(&a.report, "db", "db").unwrap();
    assert_eq!(db.undefined, ALL_CELLS);
    let info = a.report.recommendations.as_ref().unwrap();
    assert_eq!((info.score, info.unknown), (100, 1));
    assert_eq!(
        info.namespaces,
        NamespaceScope {
            selection: NamespaceSelection::Krr,
            scanned: vec!["data".into(), "kube-system".into()],
            skipped: vec!["payments".into(), "web".into()],
        }
    );
    let table = render(&a.report, &TableOptions::default());
    assert!(
        table.contains(
            "  Namespaces in the KRR result, as KRR chose them (2): data, kube-system; left out: \
             payments, web\n"
        ),
        "{table}"
    );
}

#[test]
fn anonymised_reports_hide_the_scanned_namespaces() {
    let named = StrategySettings {
        namespaces: vec!["Kube-System".into(), "data".into()],
        ..StrategySettings::default()
    };
    let (bytes, set, _) = prometheus_set(&named);
    let a = analysis(&bytes, RecommendationInput::Ready(set));
    let anon = a.report.anonymised(b"key");
    let info = anon.recommendations.as_ref().unwrap();
    let text = serde_json::to_string(&anon).unwrap();
    for name in ["\"data\"", "kube-system", "Kube-System", "payments"] {
        assert!(!text.contains(name), "{name} in {text}");
    }
    assert!(info.namespaces.scanned.iter().all(|n| n.starts_with("ns-")));
    assert!(
        info.settings
            .namespaces
            .iter()
            .all(|n| n.starts_with("ns-"))
    );
    // The same pseudonym everywhere: the settings' names are the scanned ones.
    let mut settings = info.settings.namespaces.clone();
    settings.sort();
    assert_eq!(settings, info.namespaces.scanned);
}
