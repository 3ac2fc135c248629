//! KRR strategies as pure functions, checked against hand-computed values.

use kube_rightsize_core::recommend::strategy::{
    self, ContainerUsage, PodUsage, StrategyName, StrategySettings, round_cpu, round_memory,
    simple, simple_limit, single_sample,
};
use kube_rightsize_core::recommend::{Pair, Value};

const MIB: i64 = 1_048_576;

fn pod(cpu: f64, cpu_n: u64, mem: f64, mem_n: u64) -> PodUsage {
    PodUsage {
        cpu_percentile_cores: Some(cpu),
        cpu_samples: cpu_n,
        memory_peak_bytes: Some(mem),
        memory_samples: mem_n,
    }
}

#[test]
fn defaults_are_krrs() {
    let s = StrategySettings::default();
    assert_eq!(s.history_duration, 336.0);
    assert_eq!(s.timeframe_duration, 1.25);
    assert_eq!(s.cpu_percentile, 95.0);
    assert_eq!(s.memory_buffer_percentage, 15.0);
    assert_eq!(s.points_required, 100);
    assert!(!s.allow_hpa);
    assert!(!s.use_oomkill_data);
    assert_eq!(s.oom_memory_buffer_percentage, 25.0);
    assert_eq!(s.cpu_min_millicores, 10);
    assert_eq!(s.memory_min_bytes, 104_857_600);
    assert_eq!(
        StrategyName::parse("simple_limit"),
        Some(StrategyName::SimpleLimit)
    );
    assert_eq!(StrategyName::parse("nope"), None);
}

#[test]
fn rounding_up_then_minimums() {
    let s = StrategySettings::default();
    assert_eq!(round_cpu(0.0121, &s), Value::Set(13)); // ceil(12.1) = 13m
    assert_eq!(round_cpu(0.004, &s), Value::Set(10)); // minimum
    assert_eq!(round_cpu(2.5, &s), Value::Set(2500));
    assert_eq!(round_cpu(f64::NAN, &s), Value::Unknown);
    assert_eq!(round_cpu(-1.0, &s), Value::Unknown);
    assert_eq!(
        round_memory(200.0 * MIB as f64 + 1.0, &s),
        Value::Set(201 * MIB)
    );
    assert_eq!(round_memory(50.0 * MIB as f64, &s), Value::Set(100 * MIB));
    assert_eq!(round_memory(f64::INFINITY, &s), Value::Unknown);
}

#[test]
fn simple_takes_the_max_over_pods() {
    let s = StrategySettings::default();
    // Pod A: p95 = 0.0801 cores, peak 300 MiB; pod B: p95 = 0.12 cores, peak 250 MiB; 60 + 60
    // samples ≥ 100 (the sum counts, not each pod).
    let u = ContainerUsage {
        pods: vec![
            pod(0.0801, 60, 300.0 * MIB as f64, 60),
            pod(0.12, 60, 250.0 * MIB as f64, 60),
        ],
        ..ContainerUsage::default()
    };
    let o = simple(&s, &u);
    // CPU = ceil(0.12 × 1000) = 120m; limit unset.
    assert_eq!(o.requests.cpu, Value::Set(120));
    assert_eq!(o.limits.cpu, Value::Unset);
    // Memory = ceil(300 × 1.15 = 345 MiB) = 345 MiB, request = limit.
    assert_eq!(o.requests.memory, Value::Set(345 * MIB));
    assert_eq!(o.limits.memory, Value::Set(345 * MIB));
    assert_eq!(o.info_cpu, None);
    // The peak the patches' safety check compares with: the largest over the pods.
    assert_eq!(o.memory_peak_bytes, Some(300 * MIB));
    assert_eq!(strategy::run(StrategyName::Simple, &s, &u), o);
}

#[test]
fn simple_undefined_reasons() {
    let s = StrategySettings::default();
    // No data: KRR's `undefined` makes the CPU request and limit `?` (not "unset": that would
    // read as "remove the CPU limit").
    let o = simple(&s, &ContainerUsage::default());
    assert_eq!(o.requests.cpu, Value::Unknown);
    assert_eq!(o.limits.cpu, Value::Unknown);
    assert_eq!(o.requests.memory, Value::Unknown);
    assert_eq!(o.limits.memory, Value::Unknown);
    assert_eq!(o.info_cpu.as_deref(), Some("No data"));
    assert_eq!(o.info_memory.as_deref(), Some("No data"));
    // 99 samples in all: not enough.
    let u = ContainerUsage {
        pods: vec![pod(0.1, 50, 1e8, 49), pod(0.1, 49, 1e8, 50)],
        ..ContainerUsage::default()
    };
    let o = simple(&s, &u);
    assert_eq!(o.info_cpu.as_deref(), Some("Not enough data"));
    assert_eq!(o.info_memory.as_deref(), Some("Not enough data"));
    assert_eq!(
        (o.requests, o.limits),
        (
            Pair {
                cpu: Value::Unknown,
                memory: Value::Unknown
            },
            Pair {
                cpu: Value::Unknown,
                memory: Value::Unknown
            }
        )
    );
    // HPA on CPU only: CPU `?`, memory recommended.
    let u = ContainerUsage {
        pods: vec![pod(0.1, 100, 200.0 * MIB as f64, 100)],
        hpa_cpu: true,
        ..ContainerUsage::default()
    };
    let o = simple(&s, &u);
    assert_eq!(o.requests.cpu, Value::Unknown);
    assert_eq!(o.limits.cpu, Value::Unknown);
    assert_eq!(o.info_cpu.as_deref(), Some("HPA detected"));
    assert_eq!(o.requests.memory, Value::Set(230 * MIB)); // 200 × 1.15
    // allow_hpa lifts it.
    let allow = StrategySettings {
        allow_hpa: true,
        ..StrategySettings::default()
    };
    assert_eq!(simple(&allow, &u).requests.cpu, Value::Set(100));
    assert_eq!(simple(&allow, &u).limits.cpu, Value::Unset);
    // points_required = 0 accepts a single sample.
    let few = StrategySettings {
        points_required: 0,
        ..StrategySettings::default()
    };
    let u = ContainerUsage {
        pods: vec![pod(0.5, 1, 1e9, 1)],
        ..ContainerUsage::default()
    };
    assert_eq!(simple(&few, &u).requests.cpu, Value::Set(500));
}

#[test]
fn oomkill_data() {
    let s = StrategySettings {
        use_oomkill_data: true,
        ..StrategySettings::default()
    };
    // Peak 300 MiB × 1.15 = 345 MiB < OOM-killed limit 512 MiB × 1.25 = 640 MiB.
    let u = ContainerUsage {
        pods: vec![pod(0.1, 100, 300.0 * MIB as f64, 100)],
        oomkilled_limit_bytes: Some(512.0 * MIB as f64),
        ..ContainerUsage::default()
    };
    let o = simple(&s, &u);
    assert_eq!(o.requests.memory, Value::Set(640 * MIB));
    assert_eq!(o.info_memory.as_deref(), Some("OOMKill detected"));
    // Off by default: the OOM data is ignored.
    let o = simple(&StrategySettings::default(), &u);
    assert_eq!(o.requests.memory, Value::Set(345 * MIB));
    assert_eq!(o.info_memory, None);
}

#[test]
fn simple_limit_uses_pooled_percentiles() {
    let s = StrategySettings::default();
    let u = ContainerUsage {
        pods: vec![pod(0.3, 200, 100.0 * MIB as f64, 200)],
        pooled_cpu_request_cores: Some(0.0454),
        pooled_cpu_limit_cores: Some(0.2),
        ..ContainerUsage::default()
    };
    let o = simple_limit(&s, &u);
    assert_eq!(o.requests.cpu, Value::Set(46)); // ceil(45.4)
    assert_eq!(o.limits.cpu, Value::Set(200));
    assert_eq!(o.requests.memory, Value::Set(115 * MIB));
    // Without pooled data: both CPU cells `?`.
    let u = ContainerUsage {
        pods: vec![pod(0.3, 200, 100.0 * MIB as f64, 200)],
        ..ContainerUsage::default()
    };
    let o = simple_limit(&s, &u);
    assert_eq!(o.requests.cpu, Value::Unknown);
    assert_eq!(o.limits.cpu, Value::Unknown);
    assert_eq!(o.info_cpu.as_deref(), Some("No data"));
    // Too few samples: every cell `?`, as with `simple`.
    let u = ContainerUsage {
        pods: vec![pod(0.3, 99, 100.0 * MIB as f64, 99)],
        pooled_cpu_request_cores: Some(0.0454),
        pooled_cpu_limit_cores: Some(0.2),
        ..ContainerUsage::default()
    };
    let o = simple_limit(&s, &u);
    assert_eq!(o.info_cpu.as_deref(), Some("Not enough data"));
    for v in [
        o.requests.cpu,
        o.limits.cpu,
        o.requests.memory,
        o.limits.memory,
    ] {
        assert_eq!(v, Value::Unknown);
    }
    // Nothing at all.
    let o = simple_limit(&s, &ContainerUsage::default());
    for v in [
        o.requests.cpu,
        o.limits.cpu,
        o.requests.memory,
        o.limits.memory,
    ] {
        assert_eq!(v, Value::Unknown);
    }
}

#[test]
fn one_sample() {
    let s = StrategySettings::default();
    let o = single_sample(&s, Some(42), Some(210 * MIB), false, false);
    assert_eq!(
        o.requests,
        Pair {
            cpu: Value::Set(42),
            memory: Value::Set(242 * MIB)
        }
    );
    assert_eq!(o.limits.cpu, Value::Unset);
    let o = single_sample(&s, Some(1), Some(MIB), false, true);
    assert_eq!(o.requests.cpu, Value::Set(10));
    assert_eq!(o.requests.memory, Value::Unknown);
    assert_eq!(o.info_memory.as_deref(), Some("HPA detected"));
    // An HPA on CPU or no CPU sample: request and limit `?`.
    for o in [
        single_sample(&s, Some(1), Some(MIB), true, false),
        single_sample(&s, None, Some(MIB), false, false),
    ] {
        assert_eq!(o.requests.cpu, Value::Unknown);
        assert_eq!(o.limits.cpu, Value::Unknown);
    }
}

mod no_panic {
    use kube_rightsize_core::recommend::{detect, krr, usage};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn readers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = detect(&bytes);
            let _ = krr::parse("x", &bytes);
            let _ = usage::parse("x", &bytes);
        }

        #[test]
        fn top_text_never_panics(lines in proptest::collection::vec("[a-z0-9 ()Mim.-]{0,40}", 0..6)) {
            let text = format!("POD NAME CPU(cores) MEMORY(bytes)\n{}", lines.join("\n"));
            let _ = usage::parse("x", text.as_bytes());
        }

        #[test]
        fn krr_values_never_panic(v in prop_oneof![
            any::<f64>().prop_map(|f| if f.is_finite() { f.to_string() } else { "0".into() }),
            "\"[0-9a-zA-Z.?-]{0,12}\"".prop_map(|s| s),
            Just("null".to_owned()),
        ]) {
            let doc = format!(r#"{{"scans":[{{"object":{{"name":"a","container":"a","namespace":"n","kind":"Deployment","allocations":{{"requests":{{"cpu":{v},"memory":{v}}}}}}},"recommended":{{"requests":{{"cpu":{{"value":{v}}}}}}}}}]}}"#);
            let _ = krr::parse("x", doc.as_bytes());
        }
    }
}

mod prometheus_plan {
    use kube_rightsize_core::ingest::{Input, ingest};
    use kube_rightsize_core::prometheus::{
        Metric, Plan, PromError, QueryFailure, parse_response, percent_encode, percentile,
    };
    use kube_rightsize_core::recommend::Value;
    use kube_rightsize_core::recommend::strategy::{StrategyName, StrategySettings};

    const CLUSTER: &[u8] = include_bytes!("fixtures/krr/cluster.json");
    const MIB: i64 = 1_048_576;

    fn vector(series: &[(&str, &str, f64)]) -> Vec<u8> {
        let result: Vec<String> = series
            .iter()
            .map(|(pod, job, v)| {
                format!(
                    r#"{{"metric":{{"pod":"{pod}","container":"c","job":"{job}"}},"value":[1769860800.0,"{v}"]}}"#
                )
            })
            .collect();
        format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
            result.join(",")
        )
        .into_bytes()
    }

    #[test]
    fn builds_krrs_queries() {
        let cluster = ingest(&[Input::new("cluster.json", CLUSTER)]).unwrap();
        let plan = Plan::new(&cluster, StrategyName::Simple, &StrategySettings::default());
        // Containers: api/app, api/log, db/db, front/front — 4 queries each.
        assert_eq!(plan.targets.len(), 4);
        assert_eq!(plan.queries().len(), 16);
        // Targets follow the workloads' order (namespace, kind, name): data/db first.
        assert_eq!(plan.targets[1].container, "app");
        let q = &plan.queries()[4];
        assert_eq!(q.metric, Metric::CpuPercentile);
        assert_eq!(
            q.promql,
            "quantile_over_time(0.95, max(rate(container_cpu_usage_seconds_total{namespace=\"payments\", \
             pod=~\"api-5d8f7c9b4-aaaaa|api-5d8f7c9b4-bbbbb\", container=\"app\"}[75s])) by (container, pod, job) [14d:75s])"
        );
        assert!(q.url("http://prom:9090/").starts_with(
            "http://prom:9090/api/v1/query?query=quantile_over_time%280.95%2C%20max%28rate"
        ));
        assert_eq!(percent_encode("a b=\"|\""), "a%20b%3D%22%7C%22");
        let limit = Plan::new(
            &cluster,
            StrategyName::SimpleLimit,
            &StrategySettings::default(),
        );
        assert_eq!(limit.queries()[0].metric, Metric::CpuSeries);
    }

    #[test]
    fn parses_vectors_matrices_and_errors() {
        let s = parse_response(200, &vector(&[("p", "kubelet", 0.5)])).unwrap();
        assert_eq!(s[0].pod, "p");
        assert_eq!(s[0].values, [0.5]);
        let m = br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"p"},"values":[[1,"0.1"],[2,"0.3"],[3,"NaN"]]}]}}"#;
        assert_eq!(parse_response(200, m).unwrap()[0].values, [0.1, 0.3]);
        let e = br#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#;
        assert_eq!(
            parse_response(400, e).unwrap_err(),
            PromError::Api {
                error_type: "bad_data".into(),
                error: "parse error at char 3".into()
            }
        );
        assert!(matches!(
            parse_response(502, b"<html>bad gateway</html>"),
            Err(PromError::Http { status: 502, .. })
        ));
        assert!(matches!(
            parse_response(200, b"{}"),
            Err(PromError::Parse(_))
        ));
        let scalar = br#"{"status":"success","data":{"resultType":"scalar","result":[]}}"#;
        assert!(parse_response(200, scalar).is_err());
    }

    #[test]
    fn numpy_linear_percentile() {
        // numpy.percentile([1, 2, 3, 4], 66) = 1 + 0.66 × 3 = 2.98.
        assert!((percentile(&[4.0, 1.0, 3.0, 2.0], 66.0).unwrap() - 2.98).abs() < 1e-12);
        assert_eq!(percentile(&[5.0], 96.0), Some(5.0));
        assert_eq!(percentile(&[], 50.0), None);
    }

    #[test]
    fn answers_become_recommendations() {
        let cluster = ingest(&[Input::new("cluster.json", CLUSTER)]).unwrap();
        let mut plan = Plan::new(&cluster, StrategyName::Simple, &StrategySettings::default());
        let app_target = plan
            .targets
            .iter()
            .position(|t| t.container == "app")
            .unwrap();
        let queries: Vec<(usize, Metric)> = plan
            .queries()
            .iter()
            .map(|q| (q.target, q.metric))
            .collect();
        for (i, (target, metric)) in queries.into_iter().enumerate() {
            let body = match (target == app_target, metric) {
                // api/app: p95 0.03 and 0.0412 cores (the kubelet series wins over cadvisor's 9).
                (true, Metric::CpuPercentile) => vector(&[
                    ("api-5d8f7c9b4-aaaaa", "kubelet", 0.03),
                    ("api-5d8f7c9b4-bbbbb", "kubelet", 0.0412),
                    ("api-5d8f7c9b4-bbbbb", "cadvisor", 9.0),
                ]),
                (true, Metric::MemoryPeak) => vector(&[
                    ("api-5d8f7c9b4-aaaaa", "kubelet", 200.0 * MIB as f64),
                    ("api-5d8f7c9b4-bbbbb", "kubelet", 100.0 * MIB as f64),
                ]),
                (true, Metric::CpuSamples | Metric::MemorySamples) => vector(&[
                    ("api-5d8f7c9b4-aaaaa", "kubelet", 60.0),
                    ("api-5d8f7c9b4-bbbbb", "kubelet", 40.0),
                ]),
                // Others: nothing.
                _ => vector(&[]),
            };
            plan.handle(i, 200, &body).unwrap();
        }
        assert!(plan.pending().is_empty());
        let set = plan.finish(&cluster, "http://prom");
        let app = &set.items[1];
        assert_eq!(app.container, "app");
        // ceil(41.2) = 42m; 200 MiB × 1.15 = 230 MiB.
        assert_eq!(app.requests.cpu, Value::Set(42));
        assert_eq!(app.requests.memory, Value::Set(230 * MIB));
        let log = &set.items[2];
        assert_eq!(log.container, "log");
        assert_eq!(log.requests.cpu, Value::Unknown);
        assert_eq!(log.limits.cpu, Value::Unknown);
        assert_eq!(log.info_cpu.as_deref(), Some("No data"));
        // front has an HPA on CPU but no data: "No data" comes first.
        assert_eq!(set.items[3].info_cpu.as_deref(), Some("No data"));
    }

    /// Answers every query of `plan` with `answer(target container, metric)`.
    fn answer_all(plan: &mut Plan, answer: impl Fn(&str, Metric) -> Vec<u8>) {
        let queries: Vec<(String, Metric)> = plan
            .queries()
            .iter()
            .map(|q| (plan.targets[q.target].container.clone(), q.metric))
            .collect();
        for (i, (container, metric)) in queries.into_iter().enumerate() {
            plan.handle(i, 200, &answer(&container, metric)).unwrap();
        }
    }

    fn app_usage(container: &str, metric: Metric) -> Vec<u8> {
        match (container, metric) {
            ("app", Metric::CpuPercentile) => vector(&[("api-5d8f7c9b4-aaaaa", "kubelet", 0.03)]),
            ("app", Metric::MemoryPeak) => vector(&[
                ("api-5d8f7c9b4-aaaaa", "kubelet", 200.0 * MIB as f64),
                ("api-5d8f7c9b4-bbbbb", "kubelet", 100.0 * MIB as f64),
            ]),
            ("app", Metric::CpuSamples | Metric::MemorySamples) => {
                vector(&[("api-5d8f7c9b4-aaaaa", "kubelet", 500.0)])
            }
            // bbbbb was OOM-killed at a 256 MiB limit, aaaaa at 300 MiB under another job
            // (ignored: the kubelet series of the same pod wins) and at 220 MiB.
            ("app", Metric::OomKilledLimit) => vector(&[
                ("api-5d8f7c9b4-aaaaa", "kubelet", 220.0 * MIB as f64),
                (
                    "api-5d8f7c9b4-aaaaa",
                    "kube-state-metrics",
                    300.0 * MIB as f64,
                ),
                (
                    "api-5d8f7c9b4-bbbbb",
                    "kube-state-metrics",
                    256.0 * MIB as f64,
                ),
            ]),
            _ => vector(&[]),
        }
    }

    #[test]
    fn oomkill_data_is_queried_and_used_only_when_asked() {
        let cluster = ingest(&[Input::new("cluster.json", CLUSTER)]).unwrap();
        let plain = Plan::new(&cluster, StrategyName::Simple, &StrategySettings::default());
        assert!(
            plain
                .queries()
                .iter()
                .all(|q| q.metric != Metric::OomKilledLimit)
        );
        let settings = StrategySettings {
            use_oomkill_data: true,
            ..StrategySettings::default()
        };
        let mut plan = Plan::new(&cluster, StrategyName::Simple, &settings);
        assert_eq!(plan.queries().len(), 20);
        let q = plan
            .queries()
            .iter()
            .find(|q| {
                q.metric == Metric::OomKilledLimit && plan.targets[q.target].container == "db"
            })
            .unwrap();
        let sel = "namespace=\"data\", pod=~\"db-0\", container=\"db\"";
        assert_eq!(
            q.promql,
            format!(
                "max_over_time(max(max(kube_pod_container_resource_limits{{resource=\"memory\", {sel}}}) \
                 by (pod, container, job) * on(pod, container, job) group_left(reason) \
                 max(kube_pod_container_status_last_terminated_reason{{reason=\"OOMKilled\", {sel}}}) \
                 by (pod, container, job, reason)) by (container, pod, job) [14d:75s])"
            )
        );
        answer_all(&mut plan, app_usage);
        let set = plan.finish(&cluster, "http://prom");
        let app = &set.items[1];
        // max(200 MiB × 1.15 = 230 MiB, max(220, 256) MiB × 1.25 = 320 MiB) = 320 MiB.
        assert_eq!(app.requests.memory, Value::Set(320 * MIB));
        assert_eq!(app.limits.memory, Value::Set(320 * MIB));
        assert_eq!(app.info_memory.as_deref(), Some("OOMKill detected"));
        assert_eq!(app.requests.cpu, Value::Set(30));

        // Without the flag the same answers (minus the OOM query) give 230 MiB.
        let mut plan = Plan::new(&cluster, StrategyName::Simple, &StrategySettings::default());
        answer_all(&mut plan, app_usage);
        let set = plan.finish(&cluster, "http://prom");
        assert_eq!(set.items[1].requests.memory, Value::Set(230 * MIB));
        assert_eq!(set.items[1].info_memory, None);
        // Containers without series: one prometheus_no_data warning naming them.
        assert_eq!(set.warnings.len(), 1, "{:?}", set.warnings);
        assert_eq!(set.warnings[0].code, "prometheus_no_data");
        assert!(
            set.warnings[0]
                .message
                .contains("no series for 3 of 4 containers (StatefulSet data/db container db"),
            "{}",
            set.warnings[0].message
        );
    }

    #[test]
    fn failed_queries_leave_question_marks_and_warnings() {
        let cluster = ingest(&[Input::new("cluster.json", CLUSTER)]).unwrap();
        let mut plan = Plan::new(&cluster, StrategyName::Simple, &StrategySettings::default());
        let queries: Vec<(String, Metric)> = plan
            .queries()
            .iter()
            .map(|q| (plan.targets[q.target].container.clone(), q.metric))
            .collect();
        for (i, (container, metric)) in queries.into_iter().enumerate() {
            match (container.as_str(), metric) {
                // app: the CPU percentile query is rejected (400 bad_data); memory is fine.
                ("app", Metric::CpuPercentile) => {
                    let e =
                        br#"{"status":"error","errorType":"bad_data","error":"1:1: parse error"}"#;
                    assert!(plan.handle(i, 400, e).is_err());
                }
                // db: a 503 from a proxy, not a Prometheus body.
                ("db", Metric::MemoryPeak) => {
                    assert!(matches!(
                        plan.handle(i, 503, b"upstream connect error"),
                        Err(PromError::Http { status: 503, .. })
                    ));
                }
                // front: unanswered (the caller stopped after a timeout on log).
                ("front", _) => {}
                ("log", Metric::CpuSamples) => plan.fail(
                    i,
                    QueryFailure::Timeout("Prometheus at http://prom did not answer".into()),
                ),
                (c, m) => plan.handle(i, 200, &app_usage(c, m)).unwrap(),
            }
        }
        assert!(plan.pending().len() == 4, "{:?}", plan.pending());
        assert_eq!(plan.failures().count(), 3);
        let set = plan.finish(&cluster, "http://prom");
        let by = |c: &str| set.items.iter().find(|r| r.container == c).unwrap();
        let app = by("app");
        assert_eq!(app.requests.cpu, Value::Unknown);
        assert_eq!(app.limits.cpu, Value::Unknown);
        assert_eq!(app.info_cpu.as_deref(), Some("Prometheus query failed"));
        assert_eq!(app.requests.memory, Value::Set(230 * MIB));
        let db = by("db");
        assert_eq!(db.requests.memory, Value::Unknown);
        assert_eq!(db.limits.memory, Value::Unknown);
        assert_eq!(db.info_memory.as_deref(), Some("Prometheus query failed"));
        assert_eq!(db.info_cpu.as_deref(), Some("No data"));
        assert_eq!(by("log").info_cpu.as_deref(), Some("Prometheus timed out"));
        assert_eq!(by("log").limits.cpu, Value::Unknown);
        assert_eq!(
            by("front").info_memory.as_deref(),
            Some("Prometheus timed out")
        );
        let codes: Vec<&str> = set.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(codes, ["prometheus_query_failed", "prometheus_timeout"]);
        assert_eq!(
            set.warnings[0].message,
            "Prometheus at http://prom failed 2 of 16 queries (first: HTTP 503: upstream connect \
             error) — check Prometheus's logs and load, or shorten the history duration: 2 of 4 \
             containers lack a recommendation (`?`); costs and the rest of the report are \
             unaffected"
        );
        assert_eq!(
            set.warnings[1].message,
            "Prometheus at http://prom did not answer. 5 of 16 queries failed or were not sent: \
             2 of 4 containers lack a recommendation (`?`); costs and the rest of the report are \
             unaffected"
        );
    }
}
