//! Prometheus responses: `parse_response` on any status and body, then a whole `Plan` fed
//! arbitrary answers (index, status, body per answer) whose recommendations go through the
//! analysis and every output.
#![no_main]

use std::sync::OnceLock;

use kube_rightsize_core::analysis::{Settings, analyze_cluster};
use kube_rightsize_core::cluster::Cluster;
use kube_rightsize_core::ingest::{Input, ingest};
use kube_rightsize_core::prometheus::{Plan, parse_response};
use kube_rightsize_core::recommend::{RecommendationInput, StrategyName, StrategySettings};
use libfuzzer_sys::fuzz_target;

const CLUSTER: &[u8] = include_bytes!("../../crates/core/tests/fixtures/krr/cluster.json");

fn cluster() -> &'static Cluster {
    static C: OnceLock<Cluster> = OnceLock::new();
    C.get_or_init(|| ingest(&[Input::new("cluster.json", CLUSTER)]).expect("fixture ingests"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let status = 200 + u16::from(head >> 1) * 3;
    if let Ok(series) = parse_response(if head & 1 == 0 { 200 } else { status }, rest) {
        for s in series {
            assert!(s.values.iter().all(|v| v.is_finite()));
        }
    }

    let strategy = if head & 2 == 0 {
        StrategyName::Simple
    } else {
        StrategyName::SimpleLimit
    };
    let settings = StrategySettings {
        use_oomkill_data: head & 4 != 0,
        allow_hpa: head & 8 != 0,
        ..StrategySettings::default()
    };
    let cluster = cluster();
    let mut plan = Plan::new(cluster, strategy, &settings);
    let n = plan.queries().len().max(1);
    // Each answer: one byte of query index, one of status, then the body up to the separator.
    for part in kube_rightsize_fuzz::split(rest, 64) {
        let [index, code, body @ ..] = part else {
            continue;
        };
        let status = match code % 4 {
            0..=1 => 200,
            2 => 400 + u16::from(*code),
            _ => 500 + u16::from(*code % 100),
        };
        let _ = plan.handle(usize::from(*index) % (n + 1), status, body);
    }
    let set = plan.finish(cluster, "prometheus");
    let analysis = analyze_cluster(
        cluster.clone(),
        &Settings {
            recommendations: Some(RecommendationInput::Ready(set)),
            ..Settings::default()
        },
        None,
        "2026-01-01T00:00:00Z",
    );
    kube_rightsize_fuzz::render_everything(&analysis.report);
});
