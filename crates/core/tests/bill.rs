//! The bill beyond the nodes (docs/cost-model.md §8): persistent volumes, load balancers and
//! the managed control plane, on the fixtures of `fixtures/bill/` (written by its `make.py`),
//! against hand-computed figures. Nodes are priced by manual prices, so no catalogue is
//! involved; volumes, load balancers and control planes come from the embedded storage and
//! service tables (crates/core/data/storage.csv, services.csv).

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::bill::VolumeState;
use kube_rightsize_core::bill::control::ControlPlaneTier;
use kube_rightsize_core::ingest::Input;

const EKS: &[u8] = include_bytes!("fixtures/bill/eks.json");
const GKE: &[u8] = include_bytes!("fixtures/bill/gke.json");
const AKS: &[u8] = include_bytes!("fixtures/bill/aks.json");
const KIND: &[u8] = include_bytes!("fixtures/bill/kind.json");
const GENERATED_AT: &str = "2026-12-06T12:00:00Z";

fn run_with(name: &str, bytes: &[u8], tier: ControlPlaneTier) -> Analysis {
    let mut settings = Settings::default();
    for (it, p) in [
        ("m5.large", 0.096),
        ("n2-standard-4", 0.194236),
        ("Standard_D4s_v5", 0.192),
    ] {
        settings.manual_prices.set(it, p).expect("a valid price");
    }
    settings.bill.control_plane = tier;
    analyze(&[Input::new(name, bytes)], &settings, None, GENERATED_AT).expect("fixture ingests")
}

fn run(name: &str, bytes: &[u8]) -> Analysis {
    run_with(name, bytes, ControlPlaneTier::Auto)
}

/// Money to the cent.
fn cents(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

fn workload_cost(a: &Analysis, name: &str) -> (i64, i64) {
    let w = a
        .report
        .workloads
        .iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("workload {name}"));
    (
        cents(w.storage_monthly_cost),
        cents(w.load_balancer_monthly_cost),
    )
}

#[test]
fn eks_gp3_with_extra_iops_an_nlb_and_standard_support() {
    let a = run("eks.json", EKS);
    let r = &a.report;
    // gp3 500 GiB with 6,000 IOPS and 250 MiB/s: 500 × 0.08 + 3,000 × 0.005 + 125 × 0.04.
    let db = r
        .volumes
        .iter()
        .find(|v| v.volume == "pvc-1111")
        .expect("pvc-1111");
    assert_eq!(
        (cents(db.monthly_cost), db.state, db.estimate),
        (6000, VolumeState::InUse, false)
    );
    assert_eq!(db.disk_type, "gp3");
    assert_eq!(db.lines.len(), 3, "{:?}", db.lines);
    // The released gp2 volume: 100 × 0.10, idle.
    let old = r
        .volumes
        .iter()
        .find(|v| v.volume == "pvc-old")
        .expect("pvc-old");
    assert_eq!(
        (cents(old.monthly_cost), old.state),
        (1000, VolumeState::Unclaimed)
    );
    assert_eq!(cents(r.summary.storage_monthly_cost), 7000);
    assert_eq!(cents(r.summary.idle_storage_monthly_cost), 1000);
    // One NLB: 0.022507 × 730 = 16.43, charged to the Deployment its selector matches.
    let lb = &r.load_balancers[0];
    assert_eq!(
        (lb.kind.as_str(), cents(lb.monthly_cost)),
        ("AWS Network Load Balancer", 1643)
    );
    assert_eq!(workload_cost(&a, "api"), (0, 1643));
    assert_eq!(workload_cost(&a, "db"), (6000, 0));
    let shop = r
        .namespaces
        .iter()
        .find(|n| n.name == "shop")
        .expect("shop");
    assert_eq!(
        (
            cents(shop.storage_monthly_cost),
            cents(shop.load_balancer_monthly_cost)
        ),
        (6000, 1643)
    );
    // EKS standard support: 0.10 × 730.
    let cp = r.control_plane.as_ref().expect("a control plane");
    assert_eq!(
        (
            cp.service.as_str(),
            cp.tier.as_str(),
            cents(cp.monthly_cost)
        ),
        ("EKS", "standard", 7300)
    );
    // Nodes 2 × 0.096 × 730 = 140.16; the bill adds 70 + 16.43011 + 73.
    assert_eq!(cents(r.summary.monthly_cost), 14016);
    assert_eq!(cents(r.summary.bill_monthly_cost.expect("a bill")), 29959);
    // Kubernetes 1.33 left EKS standard support on 2026-07-29.
    assert!(
        a.warnings
            .iter()
            .any(|w| w.code == "eks_extended_support_likely" && w.message.contains("1.33")),
        "{:#?}",
        a.warnings
    );
    let extended = run_with("eks.json", EKS, ControlPlaneTier::Extended);
    assert_eq!(
        cents(extended.report.summary.control_plane_monthly_cost),
        43800
    );
}

#[test]
fn gke_pd_balanced_shared_by_two_workloads_and_forwarding_rules() {
    let a = run("gke.json", GKE);
    let r = &a.report;
    // pd-balanced 100 GiB in us-central1: 100 × 0.10, split between the two workloads.
    assert_eq!(cents(r.summary.storage_monthly_cost), 1000);
    assert_eq!(workload_cost(&a, "front"), (500, 913));
    assert_eq!(workload_cost(&a, "worker"), (500, 913));
    // Two forwarding rules share the first five rules' $0.025/h (OpenCost's default).
    assert_eq!(cents(r.summary.load_balancer_monthly_cost), 1825);
    assert!(r.load_balancers.iter().all(|l| l.estimate));
    assert_eq!(cents(r.summary.control_plane_monthly_cost), 7300);
}

#[test]
fn aks_premium_tiers_and_a_standard_tier_control_plane() {
    let a = run_with("aks.json", AKS, ControlPlaneTier::Standard);
    let r = &a.report;
    // 100 GiB → P10 ($19.71); 1,000 GiB → P30, not in the data: P10's $19.71/128 GiB × 1,024.
    let pg = r
        .volumes
        .iter()
        .find(|v| v.claim.as_deref() == Some("pg-data"))
        .expect("pg");
    assert_eq!((cents(pg.monthly_cost), pg.estimate), (1971, false));
    let logs = r
        .volumes
        .iter()
        .find(|v| v.claim.as_deref() == Some("logs-data"))
        .expect("logs");
    assert_eq!((cents(logs.monthly_cost), logs.estimate), (15768, true));
    assert!(logs.explanation.contains("P30"), "{}", logs.explanation);
    assert_eq!(cents(r.summary.control_plane_monthly_cost), 7300);
    // One public load balancer, 2 rules: OpenCost's $0.005/h.
    assert_eq!(cents(r.summary.load_balancer_monthly_cost), 365);
    // Auto on AKS is the Free tier.
    assert_eq!(
        run("aks.json", AKS)
            .report
            .summary
            .control_plane_monthly_cost,
        0.0
    );
}

#[test]
fn kind_local_path_gets_the_fallback_rate_and_no_control_plane() {
    let a = run("kind.json", KIND);
    let r = &a.report;
    // The claim names no class: the default class (local-path) at OpenCost's $0.04/GiB-month.
    let cache = r
        .volumes
        .iter()
        .find(|v| v.claim.as_deref() == Some("cache"))
        .expect("cache");
    assert_eq!((cents(cache.monthly_cost), cache.estimate), (40, true));
    assert_eq!(cache.disk_type, "rancher.io/local-path");
    assert!(
        a.warnings
            .iter()
            .any(|w| w.code == "storage_price_fallback")
    );
    let waiting = r
        .volumes
        .iter()
        .find(|v| v.claim.as_deref() == Some("waiting"))
        .expect("waiting");
    assert_eq!(
        (waiting.state, waiting.monthly_cost),
        (VolumeState::Pending, 0.0)
    );
    assert!(r.control_plane.is_none());
    assert!(
        r.bill_notes
            .iter()
            .any(|n| n.contains("no managed control plane"))
    );
    assert_eq!(r.summary.load_balancer_monthly_cost, 0.0);
}

/// Keeps the nodes and pods of a `List` only.
fn nodes_and_pods(bytes: &[u8]) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).expect("json");
    v["items"]
        .as_array_mut()
        .expect("items")
        .retain(|i| matches!(i["kind"].as_str(), Some("Node" | "Pod")));
    serde_json::to_vec(&v).expect("json")
}

#[test]
fn nodes_and_pods_alone_keep_every_node_figure_and_say_what_is_left_out() {
    for (name, bytes) in [
        ("eks.json", EKS),
        ("gke.json", GKE),
        ("aks.json", AKS),
        ("kind.json", KIND),
    ] {
        let full = run(name, bytes);
        let lean = nodes_and_pods(bytes);
        let lean = run(name, &lean);
        let (f, l) = (&full.report, &lean.report);
        assert_eq!(f.nodes, l.nodes, "{name}");
        assert_eq!(f.summary.monthly_cost, l.summary.monthly_cost, "{name}");
        for w in &l.workloads {
            let fw = f
                .workloads
                .iter()
                .find(|x| x.name == w.name)
                .expect("same workloads");
            assert_eq!(fw.monthly_cost, w.monthly_cost, "{name} {}", w.name);
        }
        assert!(
            l.volumes.is_empty() && l.load_balancers.is_empty(),
            "{name}"
        );
        assert!(
            l.bill_notes
                .iter()
                .any(|n| n.contains("only nodes and pods")),
            "{name}"
        );
        assert!(
            !f.bill_notes
                .iter()
                .any(|n| n.contains("only nodes and pods")),
            "{name}"
        );
    }
}

#[test]
fn nothing_secret_is_kept_from_the_new_kinds() {
    let a = run("eks.json", EKS);
    let model = format!("{:?}", a.cluster);
    let json = kube_rightsize_core::report::json::to_json(&a.report);
    for secret in ["hunter2", "last-applied", "vol-123", "encrypted"] {
        assert!(!model.contains(secret), "{secret} in the model");
        assert!(!json.contains(secret), "{secret} in the report");
    }
}

/// Settings with the price file `csv` read as the app and the CLI read one.
fn with_items(csv: &str) -> Settings {
    let imported = kube_rightsize_core::pricing::import::import_prices("items.csv", csv.as_bytes())
        .expect("the item CSV reads");
    assert_eq!(
        imported.format,
        kube_rightsize_core::pricing::import::PriceFileFormat::ItemsCsv
    );
    let mut settings = Settings::default();
    settings
        .manual_prices
        .set("m5.large", 0.096)
        .expect("a valid price");
    settings.price_items = imported.items;
    settings
}

#[test]
fn a_price_file_prices_disks_and_load_balancers_before_the_embedded_tables() {
    // The layout of the embedded storage.csv, plus an NLB row as in services.csv.
    let settings = with_items(
        "provider,region,storage_type,unit,usd\n\
         aws,us-east-1,gp3,GiB-month,0.07\n\
         aws,us-east-1,gp3,IOPS-month-above-3000,0.004\n\
         aws,us-east-1,nlb,lb-hour,0.03\n",
    );
    let a = analyze(
        &[Input::new("eks.json", EKS)],
        &settings,
        None,
        GENERATED_AT,
    )
    .unwrap();
    let r = &a.report;
    let db = r.volumes.iter().find(|v| v.volume == "pvc-1111").unwrap();
    // 500 × 0.07 + 3,000 × 0.004 + 125 × 0.04 (throughput from the embedded table).
    assert_eq!((cents(db.monthly_cost), db.estimate), (5200, false));
    assert!(
        db.explanation
            .contains("gp3 GiB-month: from the price file"),
        "{}",
        db.explanation
    );
    assert!(
        !db.explanation
            .contains("MiBps-month-above-125: from the price file")
    );
    // The gp2 volume is not in the file: the embedded $0.10.
    let old = r.volumes.iter().find(|v| v.volume == "pvc-old").unwrap();
    assert_eq!(cents(old.monthly_cost), 1000);
    // The NLB: 0.03 × 730.
    let lb = &r.load_balancers[0];
    assert_eq!((cents(lb.monthly_cost), lb.estimate), (2190, false));
    assert!(
        lb.explanation.contains("from the price file"),
        "{}",
        lb.explanation
    );
}

#[test]
fn a_price_file_fills_a_region_the_data_lacks_so_it_is_no_longer_an_estimate() {
    // The embedded data has Azure disks for eastus only, and no P30 tier at all.
    let mut settings = with_items(
        "provider,region,item,unit,usd\n\
         azure,eastus,premium-ssd-lrs,disk-month:P30,135.17\n\
         azure,eastus,aks-standard-tier,cluster-hour,0.1\n",
    );
    settings
        .manual_prices
        .set("Standard_D4s_v5", 0.192)
        .unwrap();
    settings.bill.control_plane = ControlPlaneTier::Standard;
    let a = analyze(
        &[Input::new("aks.json", AKS)],
        &settings,
        None,
        GENERATED_AT,
    )
    .unwrap();
    let logs = a
        .report
        .volumes
        .iter()
        .find(|v| v.claim.as_deref() == Some("logs-data"))
        .unwrap();
    assert_eq!((cents(logs.monthly_cost), logs.estimate), (13517, false));
    // P10 still comes from the embedded table.
    let pg = a
        .report
        .volumes
        .iter()
        .find(|v| v.claim.as_deref() == Some("pg-data"))
        .unwrap();
    assert_eq!(cents(pg.monthly_cost), 1971);
}

#[test]
fn storage_prices_by_class_and_by_volume_win_over_everything_and_are_not_discounted() {
    use kube_rightsize_core::settings::Options;
    let mut settings = Settings::default();
    Options {
        storage_prices: vec!["storageclass/standard=0.09".into()],
        ..Options::default()
    }
    .apply(&mut settings);
    let a = analyze(
        &[Input::new("kind.json", KIND)],
        &settings,
        None,
        GENERATED_AT,
    )
    .unwrap();
    let cache = a
        .report
        .volumes
        .iter()
        .find(|v| v.claim.as_deref() == Some("cache"))
        .unwrap();
    // 10 GiB × 0.09, the user's own price: not an estimate, no fallback warning.
    assert_eq!((cents(cache.monthly_cost), cache.estimate), (90, false));
    assert!(
        cache
            .explanation
            .contains("manual price for storage class `standard`"),
        "{}",
        cache.explanation
    );
    assert!(
        !a.warnings
            .iter()
            .any(|w| w.code == "storage_price_fallback")
    );

    // On EKS: the volume's own price wins over its class's, and a flat discount leaves it be.
    let mut settings = Settings::default();
    Options {
        manual_prices: vec![("m5.large".into(), 0.096)],
        storage_prices: vec![
            "sc/gp3-fast=1".into(),
            "pv/pvc-1111=0.05".into(),
            "pv/pvc-old=0.2".into(),
        ],
        discounts: kube_rightsize_core::pricing::discounts::Discounts {
            flat: vec![(kube_rightsize_core::model::Provider::Aws, 0.5)],
            commitments: Vec::new(),
        },
        ..Options::default()
    }
    .apply(&mut settings);
    let a = analyze(
        &[Input::new("eks.json", EKS)],
        &settings,
        None,
        GENERATED_AT,
    )
    .unwrap();
    let db = a
        .report
        .volumes
        .iter()
        .find(|v| v.volume == "pvc-1111")
        .unwrap();
    // 500 GiB × 0.05 and nothing for IOPS or throughput: the user's price is the whole price.
    assert_eq!((cents(db.monthly_cost), db.lines.len()), (2500, 1));
    assert!(
        db.explanation.contains("volume `pvc-1111`"),
        "{}",
        db.explanation
    );
    let old = a
        .report
        .volumes
        .iter()
        .find(|v| v.volume == "pvc-old")
        .unwrap();
    assert_eq!(cents(old.monthly_cost), 2000);
    assert_eq!(cents(a.report.summary.idle_storage_monthly_cost), 2000);
    // The NLB still takes the 50 % discount: 0.022507 × 0.5 × 730.
    assert_eq!(cents(a.report.summary.load_balancer_monthly_cost), 822);
}
