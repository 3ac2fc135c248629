//! Cost model checks against hand-computed figures.
//!
//! Fixture `fixtures/cost/mixed.json` (allocatable = capacity on every node):
//!
//! | node        | provider | type            | region      | capacity  | alloc CPU | alloc mem | price source           |
//! |-------------|----------|-----------------|-------------|-----------|-----------|-----------|------------------------|
//! | aws-od-1    | aws      | m5.large        | us-east-1   | on-demand | 1930m     | 7Gi       | catalogue 0.096        |
//! | aws-spot-1  | aws      | m5.xlarge       | us-east-1   | spot      | 3920m     | 15Gi      | catalogue OD 0.192     |
//! | gke-spot-1  | gcp      | n2-standard-4   | us-central1 | spot      | 3920m     | 13Gi      | catalogue spot 0.09212 |
//! | aks-od-1    | azure    | standard_d4s_v5 | eastus      | on-demand | 3860m     | 12Gi      | catalogue 0.192        |
//! | kind-worker | kind     | -               | -           | unknown   | 4         | 8Gi       | fallback               |
//! | aws-over-1  | aws      | t3.medium       | us-east-1   | on-demand | 1930m     | 3Gi       | catalogue 0.0416       |
//! | aws-zero-1  | aws      | c5.large        | us-east-1   | on-demand | 0         | 0         | catalogue 0.085        |
//! | aws-cb-1    | aws      | m5.large        | us-east-1   | reserved  | 1930m     | 7Gi       | catalogue OD 0.096     |
//!
//! Pods: shop/web (250m, 512Mi) on aws-od-1 and aks-od-1; shop/worker ×2 BestEffort on
//! gke-spot-1; batch/crunch-0 (1, 2Gi) on aws-spot-1; kube-system/hog (2, 4Gi) on aws-over-1;
//! dev/hello (100m, 128Mi) on kind-worker; shop/migrate (1, 1Gi) Succeeded on aws-od-1;
//! kube-system/tiny (100m, 100Mi) on aws-zero-1; infra/cb-job-0 (500m, 1Gi) on aws-cb-1.

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::cost::{HOURS_PER_MONTH, NodeCost};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::pricing::import::import_prices;
use kube_rightsize_core::pricing::sources::PriceSource;
use kube_rightsize_core::report::{csv, json, table};

const MIXED: &[u8] = include_bytes!("fixtures/cost/mixed.json");
const PRICES_CSV: &[u8] = include_bytes!("fixtures/cost/prices.csv");
const GENERATED_AT: &str = "2026-01-31T12:00:00Z";

/// OpenCost's default CPU:memory price ratio.
const R: f64 = 0.031611 / 0.004237;

fn catalogue() -> Catalogue {
    Catalogue::from_bytes(include_bytes!("../data/catalogue.bin")).expect("catalogue decodes")
}

fn run(settings: &Settings, catalogue: Option<&Catalogue>) -> Analysis {
    analyze(
        &[Input::new("mixed.json", MIXED)],
        settings,
        catalogue,
        GENERATED_AT,
    )
    .expect("fixture ingests")
}

fn node<'a>(a: &'a Analysis, name: &str) -> &'a NodeCost {
    a.costs
        .nodes
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("node {name}"))
}

fn pod_hourly(a: &Analysis, ns: &str, name: &str) -> f64 {
    let i = a
        .cluster
        .pods
        .iter()
        .position(|p| p.namespace == ns && p.name == name)
        .unwrap_or_else(|| panic!("pod {ns}/{name}"));
    a.costs.pods[i].hourly
}

fn workload_hourly(a: &Analysis, ns: &str, kind: &str, name: &str) -> f64 {
    let i = a
        .cluster
        .workloads
        .iter()
        .position(|w| w.namespace == ns && w.kind == kind && w.name == name)
        .unwrap_or_else(|| panic!("workload {ns}/{kind}/{name}"));
    a.costs.workloads[i].hourly
}

/// Relative closeness (1e-9), or absolute for values near zero.
#[track_caller]
fn close(actual: f64, expected: f64) {
    let tol = 1e-9 * expected.abs().max(1e-3);
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual}"
    );
}

/// Same to the cent.
#[track_caller]
fn cents(actual: f64, expected: f64) {
    assert_eq!(
        (actual * 100.0).round(),
        (expected * 100.0).round(),
        "expected ${expected:.4}, got ${actual:.4}"
    );
}

/// (core rate, GiB rate) of a node priced `p` with `c` allocatable cores and `g` GiB.
fn rates(p: f64, c: f64, g: f64) -> (f64, f64) {
    let gib = p / (c * R + g);
    (gib * R, gib)
}

fn codes(a: &Analysis, code: &str) -> Vec<String> {
    a.warnings
        .iter()
        .filter(|w| w.code == code)
        .map(|w| w.object.clone())
        .collect()
}

#[test]
fn every_formula_to_the_cent_with_the_catalogue() {
    let cat = catalogue();
    let a = run(&Settings::default(), Some(&cat));

    // aws-od-1: m5.large on-demand, $0.096/h over 1.93 cores and 7 GiB.
    let (core, gib) = rates(0.096, 1.93, 7.0);
    let od = node(&a, "aws-od-1");
    assert_eq!(od.price.source, PriceSource::Embedded);
    close(od.hourly_price, 0.096);
    close(od.rates.cpu_core_hourly, core);
    close(od.rates.memory_gib_hourly, gib);
    // A fully requested node would allocate exactly its price.
    close(1.93 * core + 7.0 * gib, 0.096);
    let web_a = 0.25 * core + 0.5 * gib;
    close(pod_hourly(&a, "shop", "web-5d8f7c6b9-aaaaa"), web_a);
    // The Succeeded migrate pod holds nothing and costs nothing.
    assert_eq!(pod_hourly(&a, "shop", "migrate-1-abcde"), 0.0);
    close(od.idle_hourly, 0.096 - web_a);
    cents(od.monthly_cost(), 0.096 * 730.0); // $70.08
    cents(od.monthly_cost(), 70.08);
    cents(od.idle_monthly_cost(), (0.096 - web_a) * 730.0);
    assert_eq!(
        od.explanation,
        "m5.large on-demand us-east-1 $0.096/h from the embedded catalogue (as of 2026-07-20); \
         split as $0.0335/core-h × 1.93 cores + $0.0045/GiB-h × 7 GiB"
    );
    let i = a
        .cluster
        .pods
        .iter()
        .position(|p| p.name == "web-5d8f7c6b9-aaaaa")
        .unwrap();
    assert_eq!(
        a.costs.pods[i].explanation(),
        "0.25 core × $0.0335 + 0.5 GiB × $0.0045 per hour"
    );

    // aks-od-1: azure type labelled in lower case still finds Standard_D4s_v5 at $0.192/h.
    let (core_z, gib_z) = rates(0.192, 3.86, 12.0);
    let aks = node(&a, "aks-od-1");
    assert_eq!(aks.price.source, PriceSource::Embedded);
    close(aks.hourly_price, 0.192);
    let web_b = 0.25 * core_z + 0.5 * gib_z;
    close(pod_hourly(&a, "shop", "web-5d8f7c6b9-bbbbb"), web_b);
    close(
        workload_hourly(&a, "shop", "Deployment", "web"),
        web_a + web_b,
    );

    // gke-spot-1: GCP has spot prices: $0.09212/h, no warning; BestEffort pods cost 0.
    let gke = node(&a, "gke-spot-1");
    close(gke.hourly_price, 0.09212);
    assert_eq!(
        gke.price.priced_as,
        kube_rightsize_core::model::CapacityType::Spot
    );
    assert!(!gke.estimate);
    assert_eq!(workload_hourly(&a, "shop", "Deployment", "worker"), 0.0);
    close(gke.idle_hourly, 0.09212);
    assert_eq!(codes(&a, "no_requests"), ["Deployment/shop/worker"]);

    // aws-spot-1: the catalogue's typical AWS spot price for m5.xlarge in us-east-1, $0.06528/h
    // (on-demand $0.192 less the Spot Instance Advisor's 66% average saving), an estimate.
    let (core_s, gib_s) = rates(0.06528, 3.92, 15.0);
    let spot = node(&a, "aws-spot-1");
    close(spot.hourly_price, 0.06528);
    assert_eq!(
        spot.price.priced_as,
        kube_rightsize_core::model::CapacityType::Spot
    );
    assert!(spot.estimate);
    assert_eq!(spot.price.as_of.as_deref(), Some("2025-06-28"));
    assert!(
        spot.explanation.contains("a typical spot price"),
        "{}",
        spot.explanation
    );
    assert!(codes(&a, "spot_price_unknown").is_empty());
    let crunch = 1.0 * core_s + 2.0 * gib_s;
    close(pod_hourly(&a, "batch", "crunch-0"), crunch);
    cents(spot.idle_monthly_cost(), (0.06528 - crunch) * 730.0);

    // kind-worker: no instance type → fallback rates on 4 cores and 8 GiB.
    let kind = node(&a, "kind-worker");
    assert_eq!(kind.price.source, PriceSource::Fallback);
    assert!(kind.estimate);
    let kind_price = 4.0 * 0.031611 + 8.0 * 0.004237; // 0.126444 + 0.033896 = 0.16034
    close(kind.hourly_price, 0.16034);
    close(kind_price, 0.16034);
    let hello = 0.1 * 0.031611 + 0.125 * 0.004237; // 0.0031611 + 0.000529625 = 0.003690725
    close(pod_hourly(&a, "dev", "hello"), 0.003690725);
    close(kind.idle_hourly, kind_price - hello);
    cents(kind.monthly_cost(), 117.05); // 0.16034 × 730 = 117.0482
    assert_eq!(codes(&a, "price_unknown"), ["Node/kind-worker"]);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.code == "price_unknown" && w.message.contains("no instance type"))
    );

    // aws-over-1: t3.medium $0.0416/h; hog requests 2 cores and 4 GiB of 1.93 and 3.
    let (core_o, gib_o) = rates(0.0416, 1.93, 3.0);
    let over = node(&a, "aws-over-1");
    let hog = 2.0 * core_o + 4.0 * gib_o;
    assert!(hog > 0.0416);
    // Its only pod would cost `hog` by requests: it is scaled to the node's price.
    close(pod_hourly(&a, "kube-system", "hog-x1y2z"), 0.0416);
    close(over.overcommit_removed_hourly, hog - 0.0416);
    close(over.allocated_hourly, 0.0416);
    assert!(over.overcommitted);
    assert_eq!(over.idle_hourly, 0.0);
    assert_eq!(codes(&a, "node_overcommitted"), ["Node/aws-over-1"]);

    // aws-zero-1: no allocatable → rates 0, the whole $0.085/h idle, pods free.
    let zero = node(&a, "aws-zero-1");
    assert_eq!(
        (zero.rates.cpu_core_hourly, zero.rates.memory_gib_hourly),
        (0.0, 0.0)
    );
    close(zero.idle_hourly, 0.085);
    assert_eq!(pod_hourly(&a, "kube-system", "tiny-a1b2c"), 0.0);
    assert_eq!(codes(&a, "node_zero_allocatable"), ["Node/aws-zero-1"]);

    // aws-cb-1: capacity block → on-demand list price with a warning.
    let cb = node(&a, "aws-cb-1");
    close(cb.hourly_price, 0.096);
    assert_eq!(codes(&a, "reserved_price_not_modelled"), ["Node/aws-cb-1"]);
    let cb_pod = 0.5 * core + 1.0 * gib;
    close(pod_hourly(&a, "infra", "cb-job-0"), cb_pod);

    // Totals: Σ prices = 0.096 + 0.192 + 0.09212 + 0.06528 + 0.16034 + 0.0416 + 0.085 + 0.096.
    let total = 0.82834;
    close(a.costs.total_hourly, total);
    // The over-committed node's pods count at its price (0.0416), not at `hog`.
    let allocated = web_a + web_b + crunch + hello + 0.0416 + cb_pod;
    assert!(
        allocated + a.costs.idle_hourly <= total + 1e-12,
        "allocated + idle ≤ the bill"
    );
    close(a.costs.allocated_hourly, allocated);
    let idle = (0.096 - web_a)
        + (0.192 - web_b)
        + 0.09212
        + (0.06528 - crunch)
        + (kind_price - hello)
        + 0.0
        + 0.085
        + (0.096 - cb_pod);
    close(a.costs.idle_hourly, idle);

    let s = &a.report.summary;
    cents(s.monthly_cost, 604.69); // 0.82834 × 730 = 604.6882
    cents(s.allocated_monthly_cost, allocated * HOURS_PER_MONTH);
    cents(s.idle_monthly_cost, idle * 730.0);
    assert_eq!(s.recommended_monthly_cost, s.monthly_cost);
    assert_eq!(s.monthly_savings, 0.0);
    assert_eq!((s.nodes, s.pods, s.estimated_nodes), (8, 10, 2));

    // Namespaces and pools are sums.
    let ns = |n: &str| {
        a.costs
            .namespaces
            .iter()
            .find(|x| x.name == n)
            .unwrap()
            .hourly
    };
    close(ns("shop"), web_a + web_b);
    close(ns("kube-system"), 0.0416);
    let small = a
        .costs
        .pools
        .iter()
        .find(|p| p.name.as_deref() == Some("small"))
        .unwrap();
    close(small.hourly, 0.0416 + 0.085);
    assert_eq!(small.instance_types, ["c5.large", "t3.medium"]);
}

#[test]
fn manual_price_beats_file_and_catalogue() {
    let cat = catalogue();
    let mut settings = Settings::default();
    settings
        .manual_prices
        .set_assignment("m5.large=0.05")
        .unwrap();
    settings.price_file = import_prices("prices.csv", PRICES_CSV).unwrap().table;
    let a = run(&settings, Some(&cat));
    let od = node(&a, "aws-od-1");
    assert_eq!(od.price.source, PriceSource::Manual);
    close(od.hourly_price, 0.05);
    let (core, gib) = rates(0.05, 1.93, 7.0);
    close(
        pod_hourly(&a, "shop", "web-5d8f7c6b9-aaaaa"),
        0.25 * core + 0.5 * gib,
    );
    cents(od.monthly_cost(), 36.50); // 0.05 × 730
    // A manual price applies to every capacity type: no reserved warning for aws-cb-1.
    assert_eq!(node(&a, "aws-cb-1").price.source, PriceSource::Manual);
    assert!(codes(&a, "reserved_price_not_modelled").is_empty());
    assert_eq!(
        node(&a, "aws-od-1").explanation,
        "m5.large on-demand us-east-1 $0.05/h from a manual price; \
         split as $0.0174/core-h × 1.93 cores + $0.0023/GiB-h × 7 GiB"
    );
}

#[test]
fn price_file_beats_the_catalogue_and_supplies_spot_prices() {
    let cat = catalogue();
    let settings = Settings {
        price_file: import_prices("prices.csv", PRICES_CSV).unwrap().table,
        ..Settings::default()
    };
    let a = run(&settings, Some(&cat));
    let od = node(&a, "aws-od-1");
    assert_eq!(od.price.source, PriceSource::File);
    close(od.hourly_price, 0.08);
    assert_eq!(od.price.source_description, "price file prices.csv");
    // The file's AWS spot price is found before the catalogue's on-demand price.
    let spot = node(&a, "aws-spot-1");
    assert_eq!(spot.price.source, PriceSource::File);
    close(spot.hourly_price, 0.07);
    assert!(codes(&a, "spot_price_unknown").is_empty());
    // Azure: the file's Standard_D4s_v5 matches the node's standard_d4s_v5.
    let aks = node(&a, "aks-od-1");
    assert_eq!(aks.price.source, PriceSource::File);
    close(aks.hourly_price, 0.2);
    // Types not in the file still come from the catalogue.
    assert_eq!(node(&a, "aws-over-1").price.source, PriceSource::Embedded);
    let sources: Vec<&str> = a
        .report
        .pricing
        .sources
        .iter()
        .map(|s| s.source.as_str())
        .collect();
    assert_eq!(
        sources,
        ["file", "file", "embedded", "embedded", "fallback"]
    );
    assert!(
        a.report
            .pricing
            .summary
            .contains("from price file prices.csv, date unknown")
    );
}

#[test]
fn assumed_spot_discount_is_an_estimate() {
    let cat = catalogue();
    let settings = Settings {
        assume_spot_discount: Some(0.6),
        ..Settings::default()
    };
    // aws-spot-1 moved to GovCloud, where the catalogue has no spot price (the Spot Instance
    // Advisor has no GovCloud data).
    let text = std::str::from_utf8(MIXED).expect("UTF-8").replacen(
        "\"topology.kubernetes.io/region\": \"us-east-1\",\n          \"topology.kubernetes.io/zone\": \"us-east-1a\",\n          \"eks.amazonaws.com/capacityType\": \"SPOT\"",
        "\"topology.kubernetes.io/region\": \"us-gov-west-1\",\n          \"topology.kubernetes.io/zone\": \"us-gov-west-1a\",\n          \"eks.amazonaws.com/capacityType\": \"SPOT\"",
        1,
    );
    assert!(text.contains("us-gov-west-1a"));
    let text = text.replacen(
        "aws:///us-east-1b/i-0002",
        "aws:///us-gov-west-1a/i-0002",
        1,
    );
    let a = analyze(
        &[Input::new("mixed.json", text.as_bytes())],
        &settings,
        Some(&cat),
        GENERATED_AT,
    )
    .expect("fixture ingests");
    let spot = node(&a, "aws-spot-1");
    close(spot.hourly_price, 0.242 * (1.0 - 0.6)); // GovCloud on-demand $0.242 less 60%
    assert!(spot.estimate);
    assert_eq!(codes(&a, "spot_price_estimated"), ["Node/aws-spot-1"]);
    assert!(codes(&a, "spot_price_unknown").is_empty());
    // A known spot price is used as is.
    close(node(&a, "gke-spot-1").hourly_price, 0.09212);
    assert!(!node(&a, "gke-spot-1").estimate);
    assert_eq!(a.report.pricing.assume_spot_discount, Some(0.6));
    // Out-of-range values are ignored with a warning.
    let bad = Settings {
        assume_spot_discount: Some(1.5),
        ..Settings::default()
    };
    let a = run(&bad, Some(&cat));
    assert_eq!(codes(&a, "invalid_setting").len(), 1);
    close(node(&a, "aws-spot-1").hourly_price, 0.06528);
}

#[test]
fn without_a_catalogue_everything_falls_back() {
    let a = run(&Settings::default(), None);
    assert_eq!(codes(&a, "catalogue_not_loaded").len(), 1);
    let od = node(&a, "aws-od-1");
    assert_eq!(od.price.source, PriceSource::Fallback);
    close(od.hourly_price, 1.93 * 0.031611 + 7.0 * 0.004237);
    // The zero-allocatable node now costs 0 and nothing divides by zero.
    let zero = node(&a, "aws-zero-1");
    assert_eq!(zero.hourly_price, 0.0);
    assert!(a.costs.pods.iter().all(|p| p.hourly.is_finite()));
}

#[test]
fn unpriceable_zero_sized_node_never_divides_by_zero() {
    let bytes = include_bytes!("fixtures/cost/minikube-zero.json");
    let a = analyze(
        &[Input::new("minikube-zero.json", bytes)],
        &Settings::default(),
        Some(&catalogue()),
        GENERATED_AT,
    )
    .unwrap();
    let n = &a.costs.nodes[0];
    assert_eq!(n.price.source, PriceSource::Fallback);
    assert_eq!(
        (n.hourly_price, n.idle_hourly, n.allocated_hourly),
        (0.0, 0.0, 0.0)
    );
    assert!(n.explanation.contains("no allocatable CPU or memory"));
    assert_eq!(codes(&a, "node_zero_allocatable"), ["Node/minikube"]);
    assert_eq!(codes(&a, "no_requests"), ["Pod/data/db"]);
    let j = json::to_json(&a.report);
    assert!(
        !j.contains("NaN") && !j.contains("null,\n    \"monthly"),
        "{j}"
    );
}

#[test]
fn report_json_has_the_contract_fields_and_orders() {
    let cat = catalogue();
    let a = run(&Settings::default(), Some(&cat));
    let text = json::to_json(&a.report);
    // Env values and annotations never appear.
    assert!(!text.contains("hunter2") && !text.contains("do-not-leak"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["schema"], "kube-rightsize/report/v1");
    assert_eq!(v["generated_at"], GENERATED_AT);
    assert_eq!(v["pricing"]["hours_per_month"], 730.0);
    // The oldest date among the sources: the typical AWS spot prices'.
    assert_eq!(v["pricing"]["as_of"], "2025-06-28");
    assert!(v["pricing"]["sources"].as_array().unwrap().len() == 5);
    for key in [
        "nodes",
        "pods",
        "workloads",
        "monthly_cost",
        "allocated_monthly_cost",
        "idle_monthly_cost",
        "recommended_monthly_cost",
        "monthly_savings",
    ] {
        assert!(v["summary"].get(key).is_some(), "summary.{key}");
    }
    let nodes = v["nodes"].as_array().unwrap();
    let names: Vec<&str> = nodes.iter().map(|n| n["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let od = nodes.iter().find(|n| n["name"] == "aws-od-1").unwrap();
    for key in [
        "name",
        "provider",
        "instance_type",
        "region",
        "zone",
        "capacity_type",
        "pool",
        "arch",
        "allocatable",
        "requested",
        "hourly_price",
        "price_source",
        "cpu_core_hourly_rate",
        "memory_gib_hourly_rate",
        "monthly_cost",
        "idle_monthly_cost",
    ] {
        assert!(od.get(key).is_some(), "nodes[].{key}");
    }
    assert_eq!(od["capacity_type"], "on_demand");
    assert_eq!(od["price_source"], "embedded");
    assert_eq!(od["allocatable"]["cpu_cores"], 1.93);
    assert_eq!(od["allocatable"]["memory_bytes"], 7_i64 << 30);
    assert_eq!(od["requested"]["memory_bytes"], 512_i64 << 20);
    let kind = nodes.iter().find(|n| n["name"] == "kind-worker").unwrap();
    assert_eq!(kind["price_source"], "fallback");
    assert_eq!(kind["instance_type"], serde_json::Value::Null);
    assert_eq!(kind["capacity_type"], "unknown");

    let workloads = v["workloads"].as_array().unwrap();
    let costs: Vec<f64> = workloads
        .iter()
        .map(|w| w["monthly_cost"].as_f64().unwrap())
        .collect();
    assert!(costs.windows(2).all(|w| w[0] >= w[1]), "{costs:?}");
    let web = workloads.iter().find(|w| w["name"] == "web").unwrap();
    assert_eq!(web["nodes"], serde_json::json!(["aks-od-1", "aws-od-1"]));
    assert_eq!(
        web["instance_types"],
        serde_json::json!(["m5.large", "standard_d4s_v5"])
    );
    assert_eq!(web["requests"]["cpu_cores"], 0.5);
    assert_eq!(web["requests"]["memory_bytes"], 1_i64 << 30);
    assert_eq!(web["severity"], serde_json::Value::Null);
    assert_eq!(web["monthly_savings"], 0.0);
    assert_eq!(web["recommended_monthly_cost"], web["monthly_cost"]);
    let c = &web["containers"][0];
    assert_eq!(c["name"], "app");
    assert_eq!(c["requests"]["cpu_cores"], 0.25);
    assert_eq!(c["limits"]["memory_bytes"], 1_i64 << 30);
    assert_eq!(c["recommended"], serde_json::Value::Null);
    let worker = workloads.iter().find(|w| w["name"] == "worker").unwrap();
    assert_eq!(
        worker["containers"][0]["requests"]["cpu_cores"],
        serde_json::Value::Null
    );

    let ns: Vec<f64> = v["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["monthly_cost"].as_f64().unwrap())
        .collect();
    assert!(ns.windows(2).all(|w| w[0] >= w[1]));
    let pools = v["node_pools"].as_array().unwrap();
    assert!(
        pools.iter().any(|p| p["name"] == "small"
            && p["nodes"] == serde_json::json!(["aws-over-1", "aws-zero-1"]))
    );
    let w = &v["warnings"][0];
    assert!(w.get("code").is_some() && w.get("message").is_some() && w.get("object").is_some());
}

#[test]
fn csv_and_table_outputs() {
    let cat = catalogue();
    let a = run(&Settings::default(), Some(&cat));
    let workloads = csv::workloads_csv(&a.report);
    let first = workloads.lines().next().unwrap();
    assert!(first.starts_with("namespace,kind,name,pods,"));
    assert!(workloads.contains("\r\n"));
    // One row per container: 8 workloads with one container each (the Job's Succeeded pod
    // still gives it a representative).
    assert_eq!(workloads.lines().count(), 1 + 8);
    assert!(workloads.contains("embedded as of 2026-07-20"));
    let nodes = csv::nodes_csv(&a.report);
    assert_eq!(nodes.lines().count(), 1 + 8);
    assert!(nodes.contains(",m5.large on-demand us-east-1 $0.096/h from the embedded catalogue"));
    let namespaces = csv::namespaces_csv(&a.report);
    assert!(namespaces.contains("prices as of 2026-07-20"));

    let text = table::render(&a.report, &table::TableOptions::default());
    assert!(text.contains("prices as of 2026-07-20 from the embedded catalogue (aws: 4 nodes)"));
    assert!(text.contains(
        "as of 2025-06-28 from typical spot prices in the embedded catalogue (aws: 1 node, estimated)"
    ));
    assert!(text.contains("$604.69"));
    assert!(!text.contains("spot_price_unknown"));
}

#[test]
fn every_fixture_gives_finite_consistent_costs() {
    let cat = catalogue();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut paths: Vec<std::path::PathBuf> = Vec::new();
    for sub in ["", "/real", "/cost"] {
        let Ok(entries) = std::fs::read_dir(format!("{dir}{sub}")) else {
            continue;
        };
        paths.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml")),
        );
    }
    paths.sort();
    let mut analysed = 0;
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(a) = analyze(
            &[Input::new(&name, &bytes)],
            &Settings::default(),
            Some(&cat),
            GENERATED_AT,
        ) else {
            continue;
        };
        analysed += 1;
        let c = &a.costs;
        for v in [c.total_hourly, c.allocated_hourly, c.idle_hourly] {
            assert!(v.is_finite() && v >= 0.0, "{name}: {v}");
        }
        assert!(c.idle_hourly <= c.total_hourly + 1e-9, "{name}");
        for n in &c.nodes {
            assert!(
                n.hourly_price.is_finite() && n.rates.cpu_core_hourly.is_finite(),
                "{name}"
            );
            assert!(!n.explanation.is_empty());
        }
        let text = json::to_json(&a.report);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        for key in [
            "monthly_cost",
            "allocated_monthly_cost",
            "idle_monthly_cost",
        ] {
            assert!(v["summary"][key].is_f64(), "{name}: summary.{key}");
        }
        for n in v["nodes"].as_array().unwrap() {
            assert!(
                n["monthly_cost"].is_f64() && n["idle_monthly_cost"].is_f64(),
                "{name}"
            );
        }
        let _ = table::render(&a.report, &table::TableOptions::default());
        let _ = csv::workloads_csv(&a.report);
    }
    assert!(analysed >= 10, "only {analysed} fixtures analysed");
}

fn unlabelled_node(name: &str, lifecycle: &str) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"Node","metadata":{{"name":"{name}","labels":{{
            "node.kubernetes.io/instance-type":"m5.large",
            "topology.kubernetes.io/region":"us-east-1",
            "topology.kubernetes.io/zone":"us-east-1a",
            "node.kubernetes.io/lifecycle":"{lifecycle}"}}}},
          "spec":{{"providerID":"aws:///us-east-1a/i-0{name}"}},
          "status":{{"capacity":{{"cpu":"2","memory":"8Gi"}},"allocatable":{{"cpu":"1930m","memory":"7Gi"}}}}}}"#
    )
}

#[test]
fn unlabelled_nodes_pool_by_type_region_and_capacity_type() {
    let snapshot = format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{},{},{}]}}"#,
        unlabelled_node("a", "normal"),
        unlabelled_node("b", "spot"),
        unlabelled_node("c", "normal"),
    );
    let a = analyze(
        &[Input::new("pools.json", snapshot.as_bytes())],
        &Settings::default(),
        Some(&catalogue()),
        GENERATED_AT,
    )
    .expect("analysis");
    // No pool label: same type and region, but spot nodes and the others are different pools.
    let mut pools: Vec<(
        Vec<String>,
        Option<kube_rightsize_core::model::CapacityType>,
    )> = a
        .report
        .node_pools
        .iter()
        .map(|p| (p.nodes.clone(), p.capacity_type))
        .collect();
    pools.sort();
    assert_eq!(
        pools,
        [
            (
                vec!["a".to_owned(), "c".to_owned()],
                Some(kube_rightsize_core::model::CapacityType::Unknown)
            ),
            (
                vec!["b".to_owned()],
                Some(kube_rightsize_core::model::CapacityType::Spot)
            ),
        ]
    );
}

#[test]
fn users_fallback_rates_price_unpriced_nodes_and_are_explained() {
    use kube_rightsize_core::pricing::rates::Rates;
    let settings = Settings {
        fallback_rates: Rates::validated(0.05, 0.01).unwrap(),
        ..Settings::default()
    };
    let a = run(&settings, Some(&catalogue()));
    let kind = node(&a, "kind-worker");
    assert_eq!(kind.price.source, PriceSource::Fallback);
    close(kind.hourly_price, 4.0 * 0.05 + 8.0 * 0.01);
    assert_eq!(kind.rates, Rates::validated(0.05, 0.01).unwrap());
    assert!(
        kind.explanation
            .contains("$0.05/core-h × 4 cores + $0.01/GiB-h × 8 GiB"),
        "{}",
        kind.explanation
    );
    assert_eq!(a.report.pricing.fallback_rates, settings.fallback_rates);
    let fallback = a
        .report
        .pricing
        .sources
        .iter()
        .find(|s| s.source == PriceSource::Fallback)
        .expect("a fallback source");
    assert_eq!(
        fallback.describe(),
        "fallback rates $0.05/core-h and $0.01/GiB-h (set by the user) (kind: 1 node, estimated)"
    );
    // Priced nodes are untouched.
    close(node(&a, "aws-od-1").hourly_price, 0.096);
}

#[test]
fn type_prices_list_each_distinct_price_once() {
    use kube_rightsize_core::model::CapacityType;
    use kube_rightsize_core::report::type_prices;
    let a = run(&Settings::default(), Some(&catalogue()));
    let list = type_prices(&a.report);
    let names: Vec<&str> = list.iter().map(|t| t.instance_type.as_str()).collect();
    // kind-worker has no instance type; the reserved m5.large is priced on-demand like aws-od-1.
    assert_eq!(
        names,
        [
            "c5.large",
            "m5.large",
            "m5.xlarge",
            "n2-standard-4",
            "standard_d4s_v5",
            "t3.medium"
        ]
    );
    let m5 = &list[1];
    assert_eq!(
        (m5.nodes, m5.priced_as, m5.source),
        (2, CapacityType::OnDemand, PriceSource::Embedded)
    );
    close(m5.usd_per_hour, 0.096);
}
