//! Comparing two reports of one cluster (`report::diff`) on before/after pairs with known
//! changes, made from the demo cluster: recommendations applied to one workload's pods, another
//! scaled down, a node pool removed with its pods, and a price changed. Every change must be
//! found, and the realised savings must be the ones the earlier report promised.

use kube_rightsize_core::analysis::{Settings, analyze};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::inputs::prepare;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::report::diff::render::render;
use kube_rightsize_core::report::diff::{Diff, Outcome, compare};
use kube_rightsize_core::report::export::ExportFormat;
use kube_rightsize_core::report::html::assets::{SCRIPT, csp_hash};
use kube_rightsize_core::report::{Report, WorkloadRow};
use serde_json::{Value, json};

const CLUSTER: &[u8] = include_bytes!("../../../static/demo/cluster.json");
const KRR: &[u8] = include_bytes!("../../../static/demo/krr.json");

fn analyse(snapshot: &[u8], krr: bool, settings: Settings) -> Report {
    let catalogue =
        Catalogue::from_bytes(include_bytes!("../data/catalogue.bin")).expect("catalogue");
    let mut inputs = vec![Input::new("demo.json", snapshot)];
    if krr {
        inputs.push(Input::new("krr.json", KRR));
    }
    let mut settings = settings;
    let prepared = prepare(&inputs, &mut settings).expect("inputs");
    let mut r = analyze(
        &prepared.snapshots,
        &settings,
        Some(&catalogue),
        "2026-11-01T00:00:00Z",
    )
    .expect("analysis")
    .report;
    r.cluster = Some("demo".into());
    r
}

fn before() -> Report {
    analyse(CLUSTER, true, Settings::default())
}

fn items(snapshot: &mut Value) -> &mut Vec<Value> {
    snapshot["items"].as_array_mut().expect("a List")
}

fn pods_of<'a>(snapshot: &'a mut Value, ns: &str, prefix: &str) -> Vec<&'a mut Value> {
    items(snapshot)
        .iter_mut()
        .filter(|i| {
            i["kind"] == "Pod"
                && i["metadata"]["namespace"] == ns
                && i["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with(prefix))
        })
        .collect()
}

fn workload<'a>(r: &'a Report, ns: &str, name: &str) -> &'a WorkloadRow {
    r.workloads
        .iter()
        .find(|w| w.namespace == ns && w.name == name)
        .expect("workload")
}

/// The later snapshot: promotions' pods take their recommendations; search-api loses one of its
/// four pods; the `memory` pool's nodes and their pods are gone.
fn after_snapshot(before: &Report) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(CLUSTER).expect("demo JSON");
    for pod in pods_of(&mut v, "checkout", "promotions-") {
        for c in pod["spec"]["containers"]
            .as_array_mut()
            .expect("containers")
        {
            if c["name"] == "promotions" {
                c["resources"] = json!({
                    "requests": {"cpu": "32m", "memory": "100Mi"},
                    "limits": {"memory": "100Mi"}
                });
            }
        }
    }
    let gone = pods_of(&mut v, "search", "search-api-")[0]["metadata"]["name"].clone();
    let memory_nodes: Vec<String> = before
        .nodes
        .iter()
        .filter(|n| n.pool.as_deref() == Some("memory"))
        .map(|n| n.name.clone())
        .collect();
    assert_eq!(memory_nodes.len(), 3);
    items(&mut v).retain(|i| {
        let on_memory = |name: &Value| memory_nodes.iter().any(|n| name == n.as_str());
        !(i["metadata"]["name"] == gone
            || (i["kind"] == "Node" && on_memory(&i["metadata"]["name"]))
            || (i["kind"] == "Pod" && on_memory(&i["spec"]["nodeName"])))
    });
    serde_json::to_vec(&v).expect("JSON")
}

fn diff() -> (Report, Report, Diff) {
    let b = before();
    let a = analyse(&after_snapshot(&b), false, Settings::default());
    let d = compare(&b, &a, "2026-12-01T00:00:00Z");
    (b, a, d)
}

#[test]
fn applied_recommendations_realise_what_the_earlier_report_promised() {
    let (b, _, d) = diff();
    let r = &d.realised;
    assert!(r.had_recommendations);
    let promotions: Vec<_> = r
        .cells
        .iter()
        .filter(|c| c.workload == "promotions")
        .collect();
    assert_eq!(promotions.len(), 2, "{promotions:#?}");
    assert!(promotions.iter().all(|c| c.outcome == Outcome::Applied));
    let cpu = promotions
        .iter()
        .find(|c| c.resource == "cpu")
        .expect("cpu");
    assert_eq!(
        (cpu.before, cpu.recommended, cpu.after),
        (Some(1.0), 0.032, Some(0.032))
    );
    let memory = promotions
        .iter()
        .find(|c| c.resource == "memory")
        .expect("memory");
    assert_eq!(memory.before, None, "the memory request was unset");
    assert_eq!(memory.after, Some(104_857_600.0));
    // By hand from the earlier row: K = cost ÷ (cores × r + GiB); saving = pods × Δ × K.
    let w = workload(&b, "checkout", "promotions");
    let ratio = b.pricing.cpu_memory_price_ratio;
    let k = w.monthly_cost
        / (w.requests.cpu_cores * ratio + w.requests.memory_bytes as f64 / 1_073_741_824.0);
    let pods = w.running_pods as f64;
    assert!((cpu.monthly_savings - pods * 0.968 * ratio * k).abs() < 1e-9);
    assert!((memory.monthly_savings + pods * (100.0 / 1024.0) * k).abs() < 1e-9);
    // Both cells applied: what they save is what the earlier report promised for the workload
    // (its cost model priced the same change pod by pod).
    let realised = cpu.monthly_savings + memory.monthly_savings;
    assert!(
        (realised - w.monthly_savings).abs() < 0.005,
        "{realised} vs {}",
        w.monthly_savings
    );
    assert!(
        (r.monthly_savings - realised).abs() < 1e-9,
        "only promotions applied"
    );
    assert_eq!(r.applied, 2);
    assert_eq!(r.earlier_monthly_savings, b.summary.monthly_savings);
    // The search-api recommendation was not applied: open, with what applying it would save.
    let search: Vec<_> = r
        .cells
        .iter()
        .filter(|c| c.workload == "search-api")
        .collect();
    assert!(!search.is_empty());
    assert!(
        search.iter().all(|c| c.outcome == Outcome::Open),
        "{search:#?}"
    );
    // Workloads of the removed pool are gone.
    assert!(r.gone > 0);
    assert!(
        r.cells
            .iter()
            .filter(|c| c.outcome == Outcome::Gone)
            .all(|c| c.after.is_none())
    );
}

#[test]
fn scaling_removed_pools_and_container_changes_are_found() {
    let (b, a, d) = diff();
    let search = d
        .workloads
        .iter()
        .find(|w| w.name == "search-api")
        .expect("search-api changed");
    assert_eq!((search.pods_before, search.pods_after), (Some(4), Some(3)));
    assert_eq!(search.status, "changed");
    assert!(search.change < 0.0);
    let pools: Vec<(&str, &str)> = d
        .node_pools
        .iter()
        .map(|p| (p.name.as_str(), p.status()))
        .collect();
    assert!(pools.contains(&("memory", "removed")), "{pools:?}");
    let memory = d
        .node_pools
        .iter()
        .find(|p| p.name == "memory")
        .expect("memory");
    let memory_before = b
        .node_pools
        .iter()
        .find(|p| p.name.as_deref() == Some("memory"))
        .expect("pool");
    assert_eq!(memory.before, Some(memory_before.monthly_cost));
    assert_eq!(memory.change, -memory_before.monthly_cost);
    // Every workload in one report only is listed as added or removed, with its cost.
    for w in &b.workloads {
        let later = a
            .workloads
            .iter()
            .any(|x| x.namespace == w.namespace && x.kind == w.kind && x.name == w.name);
        if !later {
            let c = d
                .workloads
                .iter()
                .find(|x| x.namespace == w.namespace && x.name == w.name)
                .expect("a removed workload is listed");
            assert_eq!(c.status, "removed");
            assert_eq!(c.cost_before, Some(w.monthly_cost));
        }
    }
    assert!(d.workloads.iter().any(|w| w.status == "removed"));
    // promotions' container changed requests and limits.
    let c = d
        .containers
        .iter()
        .find(|c| c.workload == "promotions")
        .expect("promotions' container");
    assert_eq!(c.before.cpu_request, Some(1.0));
    assert_eq!(c.after.cpu_request, Some(0.032));
    assert_eq!(c.after.memory_limit, Some(104_857_600));
    // The summary's node count and cost.
    let nodes = d.summary.iter().find(|s| s.name == "nodes").expect("nodes");
    assert_eq!(
        (nodes.before, nodes.after, nodes.change),
        (Some(17.0), Some(14.0), -3.0)
    );
    let cost = d
        .summary
        .iter()
        .find(|s| s.name == "monthly_cost")
        .expect("cost");
    assert_eq!(cost.change, a.summary.monthly_cost - b.summary.monthly_cost);
    // Namespace changes add up to the allocated cost's change.
    let ns: f64 = d.namespaces.iter().map(|n| n.change).sum();
    let allocated = a.summary.allocated_monthly_cost - b.summary.allocated_monthly_cost;
    assert!((ns - allocated).abs() < 1e-6, "{ns} vs {allocated}");
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn a_price_change_is_a_cost_change_and_a_warning_not_a_saving() {
    let b = before();
    let mut settings = Settings::default();
    settings
        .manual_prices
        .set("m5.xlarge", 0.5)
        .expect("a manual price");
    let a = analyse(CLUSTER, false, settings);
    let d = compare(&b, &a, "2026-12-01T00:00:00Z");
    assert_eq!(d.realised.applied, 0);
    assert_eq!(d.realised.monthly_savings, 0.0);
    assert!(d.realised.cells.iter().all(|c| c.outcome == Outcome::Open));
    assert!(d.containers.is_empty(), "no request changed");
    assert!(!d.node_pools.is_empty(), "pool costs changed");
    assert!(d.workloads.iter().all(|w| w.status == "changed"));
    let codes: Vec<&str> = d.warnings.iter().map(|w| w.code.as_str()).collect();
    assert!(codes.contains(&"merge_prices_differ"), "{codes:?}");
    // The same snapshot twice: nothing changed, everything open.
    let same = compare(&b, &b, "2026-12-01T00:00:00Z");
    assert!(same.workloads.is_empty() && same.containers.is_empty());
    assert!(same.node_pools.is_empty() && same.namespaces.is_empty());
    assert!(same.warnings.is_empty());
    assert_eq!(same.realised.open, same.realised.cells.len());
}

#[test]
fn every_format_renders_and_the_page_keeps_its_guarantees() {
    let (_, _, d) = diff();
    let text = render(&d, ExportFormat::Table);
    assert!(text.starts_with("kube-rightsize comparison: demo on 2026-11-01T00:00:00Z"));
    assert!(text.contains("Savings realised"));
    let json: Value = serde_json::from_str(&render(&d, ExportFormat::Json)).expect("JSON");
    assert_eq!(json["schema"], "kube-rightsize/diff/v1");
    let back: Diff = serde_json::from_value(json).expect("reads back");
    assert_eq!(back, d);
    let csv = render(&d, ExportFormat::WorkloadsCsv);
    assert!(csv.starts_with("namespace,kind,name,status,"));
    assert!(csv.contains("\r\ncheckout,Deployment,promotions,changed,3,3,"));
    assert!(render(&d, ExportFormat::NodesCsv).contains("\r\nmemory,removed,"));
    let html = render(&d, ExportFormat::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<script>").count(), 1);
    assert!(html.contains(&csp_hash(SCRIPT)));
    for id in [
        "summary",
        "realised",
        "workloads",
        "containers",
        "pools",
        "namespaces",
        "method",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
}

#[test]
fn gpu_figures_are_compared_and_summed_when_a_cluster_has_gpus() {
    use kube_rightsize_core::report::fleet::{self, Member, render::text};
    let gpu = analyse_named(include_bytes!("fixtures/gpu/cluster.json"));
    assert!(gpu.summary.gpus > 0, "the fixture has GPUs");
    let d = compare(&gpu, &gpu, "2026-12-01T00:00:00Z");
    let names: Vec<&str> = d.summary.iter().map(|c| c.name.as_str()).collect();
    assert!(
        names.ends_with(&["gpus", "gpu_monthly_cost", "idle_gpu_monthly_cost"]),
        "{names:?}"
    );
    // Without GPUs, no GPU rows.
    let b = analyse_named(include_bytes!("fixtures/bill/eks.json"));
    assert_eq!(b.summary.gpus, 0);
    let plain = compare(&b, &b, "2026-12-01T00:00:00Z");
    assert!(plain.summary.iter().all(|c| !c.name.contains("gpu")));
    let f = fleet::merge(
        vec![Member {
            input: "gpu.json".into(),
            report: gpu.clone(),
            warnings: Vec::new(),
        }],
        "2026-12-01T00:00:00Z",
    );
    let t = text(&f);
    assert!(t.contains(&format!("GPUs: {} (", gpu.summary.gpus)), "{t}");
}

fn analyse_named(snapshot: &[u8]) -> Report {
    let catalogue =
        Catalogue::from_bytes(include_bytes!("../data/catalogue.bin")).expect("catalogue");
    analyze(
        &[Input::new("gpu.json", snapshot)],
        &Settings::default(),
        Some(&catalogue),
        "2026-11-01T00:00:00Z",
    )
    .expect("analysis")
    .report
}

#[test]
fn fleets_are_compared_cluster_by_cluster_with_each_clusters_own_comparison() {
    use kube_rightsize_core::report::diff::fleet::{self, FleetDiff, compare_fleets};
    use kube_rightsize_core::report::fleet::{Member, merge};
    let (b, a, d) = diff();
    let member = |name: &str, report: &Report| Member {
        input: format!("{name}.json"),
        report: Report {
            cluster: Some(name.to_owned()),
            ..report.clone()
        },
        warnings: Vec::new(),
    };
    // Before: prod (the known earlier report) and staging; after: prod (the known later one)
    // and dev.
    let before = merge(
        vec![member("prod", &b), member("staging", &b)],
        "2026-11-01T00:00:00Z",
    );
    let after = merge(
        vec![member("prod", &a), member("dev", &a)],
        "2026-12-01T00:00:00Z",
    );
    let f = compare_fleets(&before, &after, "2026-12-01T00:00:00Z");
    // The points in time are the reports' (whoever merged them, and when).
    assert_eq!(
        (
            f.before_generated_at.as_str(),
            f.after_generated_at.as_str()
        ),
        (b.generated_at.as_str(), a.generated_at.as_str())
    );
    // prod's comparison is exactly the one-cluster comparison (names aside).
    assert_eq!(f.comparisons.len(), 1);
    let prod = &f.comparisons[0];
    assert_eq!(prod.realised, d.realised);
    assert_eq!(prod.workloads, d.workloads);
    assert_eq!(f.realised_monthly_savings, d.realised.monthly_savings);
    assert_eq!(f.open_monthly_savings, d.realised.open_monthly_savings);
    // Each cluster's change, and the fleet's change as their sum.
    let change = |name: &str| f.clusters.iter().find(|c| c.name == name).expect(name);
    assert_eq!(change("staging").status(), "removed");
    assert_eq!(change("dev").status(), "added");
    assert_eq!(
        change("prod").change,
        a.summary.monthly_cost - b.summary.monthly_cost
    );
    let total = f
        .summary
        .iter()
        .find(|c| c.name == "monthly_cost")
        .expect("cost");
    let sum: f64 = f.clusters.iter().map(|c| c.change).sum();
    assert!(
        (total.change - sum).abs() < 1e-6,
        "{} vs {sum}",
        total.change
    );
    assert!(
        f.warnings
            .iter()
            .any(|w| w.code == "fleet_diff_cluster_added")
    );
    assert!(
        f.warnings
            .iter()
            .any(|w| w.code == "fleet_diff_cluster_removed")
    );
    // Every format; the JSON reads back; the page keeps the report's guarantees.
    let json = fleet::render(&f, ExportFormat::Json);
    let back: FleetDiff = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, f);
    let csv = fleet::render(&f, ExportFormat::WorkloadsCsv);
    assert!(
        csv.contains("\r\nprod,checkout,Deployment,promotions,changed,3,3,"),
        "{csv}"
    );
    let html = fleet::render(&f, ExportFormat::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<script>").count(), 1);
    assert!(html.contains(&csp_hash(SCRIPT)));
    for id in [
        "summary",
        "clusters",
        "workloads",
        "pools",
        "namespaces",
        "method",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    // A cluster name with a comma, a quote and a line break stays one quoted cell per row.
    let odd = "a,\"b\"\r\nc";
    let f = compare_fleets(
        &merge(vec![member(odd, &b)], "x"),
        &merge(vec![member(odd, &a)], "x"),
        "x",
    );
    let csv = fleet::render(&f, ExportFormat::NodesCsv);
    let rows = csv.matches("\"a,\"\"b\"\"\r\nc\",").count();
    assert!(rows > 0);
    assert_eq!(rows, f.comparisons[0].node_pools.len(), "{csv}");
    assert!(csv.starts_with("cluster,node_pool,"));
    // With no cluster in common: no comparison, the CSV is its header.
    let none = compare_fleets(&before, &merge(Vec::new(), "x"), "x");
    assert!(none.comparisons.is_empty());
    assert_eq!(
        fleet::render(&none, ExportFormat::NodesCsv),
        "cluster,node_pool,status,monthly_cost_before,monthly_cost_after,change\r\n"
    );
}
