//! Node shape suggestions checked against hand-computed pools (`fixtures/suggest/`).
//!
//! Unless a test says otherwise: allocatable = capacity on every node (so a candidate's estimated
//! allocatable is exactly its vCPU × 1000 millicores and its catalogue memory), target
//! utilisation 85%, minimum 1 node, prices from the embedded catalogue (the same figures as
//! `/work/shared/pricing/prices.csv`), 730 hours per month. Usable capacity per node is
//! `⌊alloc × 0.85⌋ − DaemonSets` and `nodes = max(min, ⌈cpu / usable_cpu⌉, ⌈mem / usable_mem⌉)`.

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::cost::CpuMemory;
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::model::{CapacityType, Provider};
use kube_rightsize_core::pricing::catalogue::{Arch, Catalogue};
use kube_rightsize_core::pricing::sources::PriceSources;
use kube_rightsize_core::report::{NodePoolRow, json, table};
use kube_rightsize_core::suggest::{self, NodeSuggestion, SuggestSettings, SuggestionKind};

const GENERATED_AT: &str = "2026-01-31T12:00:00Z";
const GI: i64 = 1 << 30;

fn catalogue() -> Catalogue {
    Catalogue::from_bytes(include_bytes!("../data/catalogue.bin")).expect("catalogue decodes")
}

fn run_with(name: &str, bytes: &[u8], settings: &Settings) -> Analysis {
    let cat = catalogue();
    analyze(
        &[Input::new(name, bytes)],
        settings,
        Some(&cat),
        GENERATED_AT,
    )
    .expect("ingests")
}

fn run(name: &str, bytes: &[u8]) -> Analysis {
    run_with(name, bytes, &Settings::default())
}

fn pool<'a>(a: &'a Analysis, name: &str) -> &'a NodePoolRow {
    a.report
        .node_pools
        .iter()
        .find(|p| p.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("pool {name}"))
}

fn of_kind(p: &NodePoolRow, kind: SuggestionKind) -> Vec<&NodeSuggestion> {
    p.suggestions.iter().filter(|s| s.kind == kind).collect()
}

fn same_type(p: &NodePoolRow) -> &NodeSuggestion {
    of_kind(p, SuggestionKind::SameTypeFewerNodes)
        .into_iter()
        .next()
        .expect("same-type option")
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-6, "{a} != {b}");
}

fn reshape_summary(p: &NodePoolRow) -> Vec<(String, usize)> {
    of_kind(p, SuggestionKind::Reshape)
        .iter()
        .map(|s| (s.instance_type.clone(), s.nodes))
        .collect()
}

const OVER: &[u8] = include_bytes!("fixtures/suggest/overprovisioned.json");

/// 4 × m5.4xlarge (16 cores, 64Gi; $0.768/h) with 16 pods of 800m / 3Gi: 12.8 cores and 48Gi
/// requested of 64 cores and 256Gi (20%).
#[test]
fn over_provisioned_pool_shrinks() {
    let a = run("overprovisioned.json", OVER);
    let p = pool(&a, "big");
    // Current: 4 × 0.768 × 730 = 2242.56.
    close(p.monthly_cost, 2242.56);
    let d = p.demand.as_ref().unwrap();
    assert_eq!(d.pods, 16);
    close(d.requests.cpu_cores, 12.8);
    assert_eq!(d.requests.memory_bytes, 48 * GI);
    close(d.largest_pod.cpu_cores, 0.8);
    assert_eq!(d.largest_pod.memory_bytes, 3 * GI);

    // Same type: usable 13600m and ⌊64Gi × 0.85⌋ per node → 1 node = 560.64, saving 1681.92.
    let same = same_type(p);
    assert_eq!((same.instance_type.as_str(), same.nodes), ("m5.4xlarge", 1));
    close(same.monthly_cost, 560.64);
    close(same.monthly_savings, 1681.92);

    // Best three, all $502.24 (ties by name):
    //   m5a.2xlarge ($0.344): cpu ⌈12800 / 6800⌉ = 2, mem ⌈48Gi / ⌊32Gi × .85⌋⌉ = 2 → 2 × 0.344 × 730
    //   m5a.4xlarge ($0.688): 1 node → 0.688 × 730
    //   m5a.large   ($0.086): cpu ⌈12800 / 1700⌉ = 8, mem ⌈48Gi / ⌊8Gi × .85⌋⌉ = 8 → 8 × 0.086 × 730
    assert_eq!(
        reshape_summary(p),
        [
            ("m5a.2xlarge".to_owned(), 2),
            ("m5a.4xlarge".to_owned(), 1),
            ("m5a.large".to_owned(), 8)
        ]
    );
    for s in of_kind(p, SuggestionKind::Reshape) {
        close(s.monthly_cost, 502.24);
        close(s.monthly_savings, 2242.56 - 502.24);
        assert!(s.fits_largest_pod);
        assert_eq!(s.capacity_type, CapacityType::OnDemand);
    }
    let m5a = &p.suggestions[0];
    close(m5a.hourly_price, 0.344);
    close(m5a.estimated_allocatable.cpu_cores, 8.0);
    assert_eq!(m5a.estimated_allocatable.memory_bytes, 32 * GI);
    // CPU: 12.8 / 16 cores.
    close(m5a.expected_utilisation.cpu, 0.8);
    close(p.best_monthly_savings, 1740.32);
    close(a.report.node_recommendations.total_monthly_savings, 1740.32);
    close(a.report.node_recommendations.target_utilisation, 0.85);
    assert!(a.report.node_recommendations.note.contains("not additive"));

    // Non-GPU pools get no GPU types.
    let cat = catalogue();
    for s in &p.suggestions {
        assert_eq!(
            cat.spec(Provider::Aws, &s.instance_type).unwrap().gpu,
            Some(0)
        );
    }
    // AWS spot prices in the catalogue are typical ones: the spot option is an estimate, with
    // the caution about interruptions.
    let spots = of_kind(p, SuggestionKind::Spot);
    assert!(!spots.is_empty());
    assert!(
        spots
            .iter()
            .all(|s| s.price_estimate && s.capacity_type == CapacityType::Spot)
    );
    let spot = p.spot.as_ref().unwrap();
    assert!(spot.price_estimate);
    assert!(spot.monthly_cost.is_some_and(|c| c > 0.0));
    assert!(spot.caution.contains("reclaimed"));
}

/// 2 × r5.2xlarge (8 cores, 64Gi) with a 1-core / 40Gi StatefulSet pod and 4 × 250m / 1Gi:
/// every candidate needs ≥ 40Gi on one node, so r5a.xlarge (32Gi, $0.226) is out even though
/// two of them would hold the total (2 cores, 44Gi).
#[test]
fn largest_pod_rules_out_small_types() {
    let a = run(
        "largest-pod.json",
        include_bytes!("fixtures/suggest/largest-pod.json"),
    );
    let p = pool(&a, "db");
    let d = p.demand.as_ref().unwrap();
    assert_eq!(d.largest_pod.memory_bytes, 40 * GI);
    assert_eq!(d.largest_pod.memory_pod.as_deref(), Some("data/pg-0"));
    for s in &p.suggestions {
        assert!(s.estimated_allocatable.memory_bytes >= 40 * GI, "{s:?}");
        assert!(s.fits_largest_pod);
    }
    assert!(
        p.suggestions
            .iter()
            .all(|s| s.instance_type != "r5a.xlarge")
    );
    // x8i.xlarge (4 cores, 64Gi, $0.43766): cpu ⌈2000 / 3400⌉ = 1, mem ⌈44Gi / ⌊64Gi × .85⌋⌉
    // = 1 → 0.43766 × 730 = 319.4918; then r5a.2xlarge 0.452 × 730 = 329.96.
    assert_eq!(
        reshape_summary(p),
        [
            ("x8i.xlarge".to_owned(), 1),
            ("r5a.2xlarge".to_owned(), 1),
            ("r6a.2xlarge".to_owned(), 1)
        ]
    );
    close(p.suggestions[0].monthly_cost, 319.4918);
    // Same type: 1 × r5.2xlarge = 0.504 × 730 = 367.92 of 735.84.
    close(same_type(p).monthly_cost, 367.92);
    close(same_type(p).monthly_savings, 367.92);
}

/// Karpenter pool of m5.large, 2 × m5.xlarge and c5.xlarge (on-demand), 8 pods of 500m / 1Gi.
#[test]
fn mixed_type_pool() {
    let a = run("mixed.json", include_bytes!("fixtures/suggest/mixed.json"));
    let p = pool(&a, "mixed");
    // Current: (0.096 + 2 × 0.192 + 0.17) × 730 = 474.5.
    close(p.monthly_cost, 474.5);
    assert_eq!(p.instance_types, ["c5.xlarge", "m5.large", "m5.xlarge"]);
    // Same type = the most common, m5.xlarge: cpu ⌈4000 / 3400⌉ = 2 → 2 × 0.192 × 730 = 280.32.
    let same = same_type(p);
    assert_eq!((same.instance_type.as_str(), same.nodes), ("m5.xlarge", 2));
    close(same.monthly_cost, 280.32);
    // c6a.large (2 cores, 4Gi, $0.0765): cpu ⌈4000 / 1700⌉ = 3, mem ⌈8Gi / ⌊4Gi × .85⌋⌉ = 3
    // → 3 × 0.0765 × 730 = 167.535.
    assert_eq!(reshape_summary(p)[0], ("c6a.large".to_owned(), 3));
    close(p.suggestions[0].monthly_cost, 167.535);
    assert!(
        p.assumptions
            .iter()
            .any(|s| s.contains("mixes 3 instance types") && s.contains("m5.xlarge"))
    );
}

/// 3 × m7g.xlarge (arm64) with 6 pods of 500m / 2Gi: only arm64 candidates.
#[test]
fn arm64_pool_gets_arm64_candidates() {
    let a = run("arm64.json", include_bytes!("fixtures/suggest/arm64.json"));
    let p = pool(&a, "graviton");
    let cat = catalogue();
    assert!(!p.suggestions.is_empty());
    for s in &p.suggestions {
        assert_eq!(
            cat.spec(Provider::Aws, &s.instance_type).unwrap().arch,
            Some(Arch::Arm64),
            "{}",
            s.instance_type
        );
    }
    // Three at 112.42, ties by name: m6g.large 2 × 0.077, m6g.medium 4 × 0.0385 (cpu
    // ⌈3000 / 850⌉ = 4), m6g.xlarge 1 × 0.154 (× 730).
    assert_eq!(
        reshape_summary(p),
        [
            ("m6g.large".to_owned(), 2),
            ("m6g.medium".to_owned(), 4),
            ("m6g.xlarge".to_owned(), 1)
        ]
    );
    for s in of_kind(p, SuggestionKind::Reshape) {
        close(s.monthly_cost, 112.42);
    }
    // m7g.xlarge ($0.1632) × 1 = 119.136.
    close(same_type(p).monthly_cost, 119.136);
}

/// A kind node, an AWS spot pool in GovCloud (no spot prices there in the catalogue: the Spot
/// Instance Advisor has no GovCloud data) and a pool with zero
/// allocatable: no suggestions, a reason each, no panic.
#[test]
fn pools_without_candidates_say_why() {
    let a = run(
        "unpriced.json",
        include_bytes!("fixtures/suggest/unpriced.json"),
    );
    let kind = a
        .report
        .node_pools
        .iter()
        .find(|p| p.provider == Provider::Kind)
        .unwrap();
    assert!(kind.suggestions.is_empty());
    assert!(kind.suggestions_reason.as_deref().unwrap().contains("kind"));
    let spot = pool(&a, "spotty");
    assert!(spot.suggestions.is_empty());
    assert!(
        spot.suggestions_reason
            .as_deref()
            .unwrap()
            .contains("spot price")
    );
    assert!(spot.spot.is_none());
    let zero = pool(&a, "zero");
    assert!(zero.suggestions.is_empty());
    assert!(
        zero.suggestions_reason
            .as_deref()
            .unwrap()
            .contains("no allocatable")
    );
    assert_eq!(a.report.node_recommendations.total_monthly_savings, 0.0);
    assert_eq!(a.report.node_recommendations.pools_with_suggestions, 0);

    // With an assumed spot discount the AWS spot pool gets (estimated) spot candidates.
    let settings = Settings {
        assume_spot_discount: Some(0.6),
        ..Settings::default()
    };
    let a = run_with(
        "unpriced.json",
        include_bytes!("fixtures/suggest/unpriced.json"),
        &settings,
    );
    let spot = pool(&a, "spotty");
    assert!(!spot.suggestions.is_empty());
    assert!(spot.suggestions.iter().all(|s| s.price_estimate));
    assert!(
        spot.suggestions
            .iter()
            .all(|s| s.capacity_type == CapacityType::Spot)
    );
}

/// GKE pool of 2 × n2-standard-8 (on-demand $0.388472, spot $0.18424) in one zone, with a
/// StatefulSet and a single-replica Deployment.
#[test]
fn gcp_on_demand_pool_with_spot_saving() {
    let a = run("gcp.json", include_bytes!("fixtures/suggest/gcp.json"));
    let p = pool(&a, "default-pool");
    // Current: 2 × 0.388472 × 730 = 567.16912; on spot: 2 × 0.18424 × 730 = 268.9904.
    close(p.monthly_cost, 567.16912);
    let cat = catalogue();
    let spot_price = cat
        .price(
            Provider::Gcp,
            "n2-standard-8",
            "us-central1",
            CapacityType::Spot,
        )
        .unwrap();
    close(spot_price, 0.18424);
    let spot = p.spot.as_ref().unwrap();
    close(spot.monthly_cost.unwrap(), 268.9904);
    close(spot.monthly_savings.unwrap(), 567.16912 - 268.9904);
    assert_eq!(
        spot.interruption_sensitive,
        ["Deployment shop/admin", "StatefulSet shop/cache"]
    );
    assert_eq!(spot.interruption_sensitive_total, 2);
    assert!(spot.caution.contains("interruption"));
    // Demand 4.75 cores, 18.5Gi. Spot option: n2d-standard-2 (2 cores, 8Gi, spot $0.024456):
    // cpu ⌈4750 / 1700⌉ = 3, mem ⌈18.5Gi / ⌊8Gi × .85⌋⌉ = 3 → 3 × 0.024456 × 730 = 53.55864.
    let s = of_kind(p, SuggestionKind::Spot);
    assert_eq!(s.len(), 1);
    assert_eq!(
        (s[0].instance_type.as_str(), s[0].nodes),
        ("n2d-standard-2", 3)
    );
    close(s[0].monthly_cost, 53.55864);
    assert_eq!(s[0].capacity_type, CapacityType::Spot);
    // On-demand reshape: e2-standard-2 ($0.06701142) × 3 = 146.7550098.
    assert_eq!(reshape_summary(p)[0], ("e2-standard-2".to_owned(), 3));
    close(p.suggestions[0].monthly_cost, 146.7550098);
    // The spot saving is reported separately from the best (on-demand) option.
    close(p.best_monthly_savings, 567.16912 - 146.7550098);
    close(
        a.report.node_recommendations.spot_monthly_savings,
        567.16912 - 268.9904,
    );
}

/// 3 × m5.xlarge in us-east-1a/b/c with 0.6 cores requested: at least 3 nodes by default.
#[test]
fn three_zone_pool_keeps_three_nodes() {
    let bytes = include_bytes!("fixtures/suggest/zones.json");
    let a = run("zones.json", bytes);
    let p = pool(&a, "spread");
    assert_eq!(p.zones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
    assert_eq!(p.min_nodes, 3);
    assert!(p.suggestions.iter().all(|s| s.nodes >= 3));
    // Same type: 3 nodes, no saving.
    assert_eq!(same_type(p).nodes, 3);
    close(same_type(p).monthly_savings, 0.0);
    // c7a.medium ($0.05132) × 3 = 112.3908.
    assert_eq!(reshape_summary(p)[0], ("c7a.medium".to_owned(), 3));
    close(p.suggestions[0].monthly_cost, 112.3908);

    // An explicit minimum wins: 1 × m5.xlarge = 140.16.
    let settings = Settings {
        suggest: SuggestSettings {
            min_nodes: Some(1),
            ..SuggestSettings::default()
        },
        ..Settings::default()
    };
    let a = run_with("zones.json", bytes, &settings);
    let p = pool(&a, "spread");
    assert_eq!(p.min_nodes, 1);
    assert_eq!(same_type(p).nodes, 1);
    close(same_type(p).monthly_cost, 140.16);
}

/// 4 × m5.xlarge (4 cores, 16Gi) with a DaemonSet of 500m / 1Gi per node and 5 pods of
/// 1 core / 1Gi.
#[test]
fn daemonsets_reduce_each_node() {
    let a = run(
        "daemonset.json",
        include_bytes!("fixtures/suggest/daemonset.json"),
    );
    let p = pool(&a, "ds");
    let d = p.demand.as_ref().unwrap();
    assert_eq!(d.pods, 5);
    assert_eq!(d.daemonsets, 1);
    close(d.requests.cpu_cores, 5.0);
    close(d.daemonset_per_node.cpu_cores, 0.5);
    assert_eq!(d.daemonset_per_node.memory_bytes, GI);
    // Usable per m5.xlarge: 3400 − 500 = 2900m → ⌈5000 / 2900⌉ = 2 nodes (counting the
    // DaemonSets as demand instead would give ⌈(5000 + 4 × 500) / 3400⌉ = 3).
    let same = same_type(p);
    assert_eq!(same.nodes, 2);
    close(same.monthly_cost, 280.32);
    // (5 + 2 × 0.5) cores / (2 × 4) = 0.75.
    close(same.expected_utilisation.cpu, 0.75);
    // c6a.2xlarge (8 cores, 16Gi, $0.306): 6800 − 500 = 6300 ≥ 5000 → 1 node = 223.38.
    assert_eq!(reshape_summary(p)[0], ("c6a.2xlarge".to_owned(), 1));
    close(p.suggestions[0].monthly_cost, 223.38);
}

/// 2 × g5.xlarge (1 GPU each, $1.006) with 2 pods of 1 GPU: only g5 types with ≥ 1 GPU, and at
/// least 2 GPUs in all.
#[test]
fn gpu_pool_gets_gpu_candidates() {
    let a = run("gpu.json", include_bytes!("fixtures/suggest/gpu.json"));
    let p = pool(&a, "gpu");
    assert_eq!(p.demand.as_ref().unwrap().gpus, 2);
    let cat = catalogue();
    assert!(!p.suggestions.is_empty());
    for s in &p.suggestions {
        assert!(s.instance_type.starts_with("g5."), "{}", s.instance_type);
        let gpus = cat
            .spec(Provider::Aws, &s.instance_type)
            .unwrap()
            .gpu
            .unwrap();
        assert!(gpus >= 1);
        assert!(u64::from(gpus) * s.nodes as u64 >= 2);
    }
    // Same type: ⌈2 GPUs / 1⌉ = 2 nodes = the current 2 × 1.006 × 730 = 1468.76.
    let same = same_type(p);
    assert_eq!(same.nodes, 2);
    close(same.monthly_cost, 1468.76);
    close(p.best_monthly_savings, 0.0);
}

#[test]
fn recommended_requests_override_demand() {
    let a = run("overprovisioned.json", OVER);
    let cat = catalogue();
    let prices = PriceSources::catalogue_only(Some(&cat));
    // Halve every api pod: 400m / 1.5Gi each → 6.4 cores, 24Gi.
    let overrides: Vec<Option<CpuMemory>> = a
        .cluster
        .pods
        .iter()
        .map(|p| {
            p.name.starts_with("api-").then_some(CpuMemory {
                cpu_millis: 400,
                memory_bytes: 3 * GI / 2,
            })
        })
        .collect();
    let pool_cost = &a.costs.pools[0];
    let d = suggest::pool_demand(&a.cluster, &a.costs, pool_cost, Some(&overrides));
    assert_eq!(d.current.cpu_millis, 12_800);
    assert_eq!(d.effective.cpu_millis, 6_400);
    assert_eq!(d.effective.memory_bytes, 24 * GI);
    let s = suggest::suggest(
        &a.cluster,
        &a.costs,
        &prices,
        &SuggestSettings::default(),
        Some(&overrides),
    );
    let demand = s.pools[0].demand.as_ref().unwrap();
    assert_eq!(demand.basis, "recommended");
    close(demand.recommended_requests.unwrap().cpu_cores, 6.4);
    // m5a.xlarge ($0.172): cpu ⌈6400 / 3400⌉ = 2, mem ⌈24Gi / ⌊16Gi × .85⌋⌉ = 2 → 251.12; the
    // same price as m5a.2xlarge × 1 and m5a.large × 4, which sort first by name.
    close(s.pools[0].suggestions[0].monthly_cost, 251.12);
    assert!(s.summary.note.contains("recommended requests"));
}

#[test]
fn invalid_target_falls_back_with_a_warning() {
    for bad in [0.0, -1.0, 1.5, f64::NAN] {
        let settings = Settings {
            suggest: SuggestSettings {
                target_utilisation: bad,
                ..SuggestSettings::default()
            },
            ..Settings::default()
        };
        let a = run_with("overprovisioned.json", OVER, &settings);
        assert!(a.warnings.iter().any(|w| w.code == "invalid_setting"));
        close(a.report.node_recommendations.target_utilisation, 0.85);
        assert_eq!(same_type(pool(&a, "big")).nodes, 1);
    }
    // 100% is allowed: m5a.large cpu ⌈12800 / 2000⌉ = 7, mem ⌈48Gi / 8Gi⌉ = 6 → 7 nodes.
    let settings = Settings {
        suggest: SuggestSettings {
            target_utilisation: 1.0,
            max_candidates: 10,
            ..SuggestSettings::default()
        },
        ..Settings::default()
    };
    let a = run_with("overprovisioned.json", OVER, &settings);
    let p = pool(&a, "big");
    let large = p
        .suggestions
        .iter()
        .find(|s| s.instance_type == "m5a.large")
        .unwrap();
    assert_eq!(large.nodes, 7);
    // max_candidates = 0: only the same-type option.
    let settings = Settings {
        suggest: SuggestSettings {
            max_candidates: 0,
            ..SuggestSettings::default()
        },
        ..Settings::default()
    };
    let a = run_with("overprovisioned.json", OVER, &settings);
    let same: Vec<_> = pool(&a, "big")
        .suggestions
        .iter()
        .filter(|s| s.kind != SuggestionKind::Spot)
        .collect();
    assert_eq!(same.len(), 1);
    assert_eq!(same[0].kind, SuggestionKind::SameTypeFewerNodes);
}

#[test]
fn suggestions_are_sorted_and_deterministic() {
    let a = run("overprovisioned.json", OVER);
    let b = run("overprovisioned.json", OVER);
    assert_eq!(a.report, b.report);
    let settings = Settings {
        suggest: SuggestSettings {
            max_candidates: 50,
            ..SuggestSettings::default()
        },
        ..Settings::default()
    };
    let a = run_with("overprovisioned.json", OVER, &settings);
    let r = of_kind(pool(&a, "big"), SuggestionKind::Reshape);
    assert_eq!(r.len(), 50);
    for w in r.windows(2) {
        let (x, y) = (w[0], w[1]);
        let cx = (x.monthly_cost * 1e6).round();
        let cy = (y.monthly_cost * 1e6).round();
        assert!(cx < cy || (cx == cy && x.instance_type < y.instance_type));
    }
}

#[test]
fn json_and_table_show_node_pools() {
    let a = run("overprovisioned.json", OVER);
    let v: serde_json::Value = serde_json::from_str(&json::to_json(&a.report)).unwrap();
    let p = &v["node_pools"][0];
    for key in [
        "name",
        "provider",
        "region",
        "instance_types",
        "capacity_type",
        "nodes",
        "monthly_cost",
        "requested",
        "allocatable",
        "suggestions",
        "demand",
        "spot",
        "assumptions",
    ] {
        assert!(p.get(key).is_some(), "node_pools[].{key}");
    }
    let s = &p["suggestions"][0];
    for key in [
        "instance_type",
        "nodes",
        "monthly_cost",
        "monthly_savings",
        "fits_largest_pod",
        "hourly_price",
        "price_source",
        "estimated_allocatable",
        "kind",
    ] {
        assert!(s.get(key).is_some(), "suggestions[].{key}");
    }
    assert_eq!(s["kind"], "reshape");
    assert_eq!(s["price_source"], "embedded");
    assert!(s["estimated_allocatable"]["cpu_cores"].is_number());
    assert!(s["estimated_allocatable"]["memory_bytes"].is_number());
    let r = &v["node_recommendations"];
    for key in ["total_monthly_savings", "note", "target_utilisation"] {
        assert!(r.get(key).is_some(), "node_recommendations.{key}");
    }
    let text = table::render(&a.report, &table::TableOptions::default());
    assert!(text.contains("Node pools (1)"));
    assert!(text.contains("2 × m5a.2xlarge $502.24/mo (saves $1,740.32)"));
    assert!(text.contains("Node suggestions total: $1,740.32/mo"));
}

#[test]
fn no_catalogue_no_suggestions() {
    let a = analyze(
        &[Input::new("overprovisioned.json", OVER)],
        &Settings::default(),
        None,
        GENERATED_AT,
    )
    .unwrap();
    let p = pool(&a, "big");
    assert!(p.suggestions.is_empty());
    assert!(
        p.suggestions_reason
            .as_deref()
            .unwrap()
            .contains("catalogue")
    );
}
