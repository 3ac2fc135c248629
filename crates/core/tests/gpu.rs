//! GPUs in the cost model (docs/cost-model.md §2 and §5), against hand-computed figures.
//!
//! Fixture `fixtures/gpu/cluster.json` (allocatable = capacity on every node), priced by manual
//! prices so no catalogue is involved:
//!
//! | node  | type          | price    | CPU | memory | GPUs                                               |
//! |-------|---------------|----------|-----|--------|----------------------------------------------------|
//! | g5-a  | g5.xlarge     | $1.006/h | 4   | 16Gi   | nvidia.com/gpu 1 (A10G)                            |
//! | ts-a  | g4dn.xlarge   | $0.526/h | 4   | 16Gi   | nvidia.com/gpu 4, gpu.replicas=4, gpu.count=1 (T4) |
//! | mig-a | a2-highgpu-1g | $3.673/h | 12  | 85Gi   | nvidia.com/mig-1g.5gb 7, gpu.count=1 (A100)        |
//! | cpu-a | m5.large      | $0.096/h | 2   | 8Gi    | none                                               |
//!
//! Pods: ml/train-0 (2 cores, 8Gi, GPU limit 1 and no GPU request) and web/web-0 (500m, 1Gi) on
//! g5-a; ml/infer-0 (1, 3Gi, 1 GPU) and ml/infer-1 (500m, 2Gi, 1 GPU) on ts-a; ml/tiny-0 (1,
//! 4Gi, one MIG 1g.5gb slice) on mig-a; web/api-0 (500m, 1Gi) on cpu-a.
//!
//! With g = 0.95 / 0.004237 and r = 0.031611 / 0.004237, a node's
//! unit = P / (GPUs·g + cores·r + GiB), GPU rate g·unit, core rate r·unit, GiB rate unit.

use std::collections::HashMap;

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::cost::{HOURS_PER_MONTH, NodeCost, PriceSplit};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::pricing::rates::Rates;
use kube_rightsize_core::report::{Report, csv, html, json, table};

const CLUSTER: &[u8] = include_bytes!("fixtures/gpu/cluster.json");
const MIXED: &[u8] = include_bytes!("fixtures/cost/mixed.json");
const GENERATED_AT: &str = "2026-01-31T12:00:00Z";

/// OpenCost's default GPU:memory and CPU:memory price ratios.
const G: f64 = 0.95 / 0.004237;
const R: f64 = 0.031611 / 0.004237;

fn run() -> Analysis {
    let mut settings = Settings::default();
    for (it, p) in [
        ("g5.xlarge", 1.006),
        ("g4dn.xlarge", 0.526),
        ("a2-highgpu-1g", 3.673),
        ("m5.large", 0.096),
    ] {
        settings.manual_prices.set(it, p).expect("a valid price");
    }
    analyze(
        &[Input::new("cluster.json", CLUSTER)],
        &settings,
        None,
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

fn pod(a: &Analysis, ns: &str, name: &str) -> usize {
    a.cluster
        .pods
        .iter()
        .position(|p| p.namespace == ns && p.name == name)
        .unwrap_or_else(|| panic!("pod {ns}/{name}"))
}

fn pod_monthly(a: &Analysis, ns: &str, name: &str) -> f64 {
    a.costs.pods[pod(a, ns, name)].monthly_cost()
}

/// (GPU rate, core rate, GiB rate) of a node priced `p` with `gpus`, `c` cores and `m` GiB.
fn split(p: f64, gpus: f64, c: f64, m: f64) -> (f64, f64, f64) {
    let unit = p / (gpus * G + c * R + m);
    (G * unit, R * unit, unit)
}

/// Relative closeness (1e-9).
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

#[test]
fn g5_xlarge_worked_example_to_the_cent() {
    let a = run();
    let n = node(&a, "g5-a");
    // docs/cost-model.md §2: unit = 1.006 / (224.2152 + 4 × 7.4607 + 16) = $0.0037251/GiB-h.
    let (gpu, core, gib) = split(1.006, 1.0, 4.0, 16.0);
    close(gib, 0.003_725_124_886_824);
    close(n.rates.memory_gib_hourly, gib);
    close(n.rates.cpu_core_hourly, core);
    close(n.gpu.physical_hourly, gpu);
    close(n.gpu.unit_hourly, gpu);
    cents(gpu, 0.84); // $0.8352 per GPU-hour
    cents(core * 100.0, 2.78); // $0.02779 per core-hour
    assert_eq!(n.price_split, PriceSplit::GpuCpuMemory);
    assert_eq!((n.gpu.requestable, n.gpu.physical), (1, 1));

    // The GPU pod (GPU as a limit only: the request defaults to it), 2 cores, 8 GiB.
    let train = pod(&a, "ml", "train-0");
    assert_eq!(a.costs.pods[train].gpus, 1);
    cents(pod_monthly(&a, "ml", "train-0"), 672.05);
    close(a.costs.pods[train].hourly, gpu + 2.0 * core + 8.0 * gib);
    // The CPU pod pays CPU and memory only: 0.5 core, 1 GiB.
    cents(pod_monthly(&a, "web", "web-0"), 12.86);
    assert_eq!(a.costs.pods[pod(&a, "web", "web-0")].gpu_hourly, 0.0);
    // Node $734.38: idle 734.38 − 672.05 − 12.86 = $49.47, none of it GPUs (all requested).
    cents(n.monthly_cost(), 734.38);
    cents(n.idle_monthly_cost(), 49.47);
    assert_eq!(n.idle_gpu_monthly_cost(), 0.0);
    cents(n.gpu_monthly_cost(), 609.72);

    assert!(
        n.explanation.contains(
            "split with OpenCost's weights (GPU 224.2 : core 7.46 : GiB 1) as $0.8352/GPU-h × 1 GPU \
             + $0.0278/core-h × 4 cores + $0.0037/GiB-h × 16 GiB"
        ),
        "{}",
        n.explanation
    );
    assert_eq!(
        a.costs.pods[train].explanation(),
        "1 GPU × $0.8352 + 2 cores × $0.0278 + 8 GiB × $0.0037 per hour"
    );
}

#[test]
fn time_sliced_gpus_cost_a_replica_each() {
    let a = run();
    let n = node(&a, "ts-a");
    // One physical T4 (nvidia.com/gpu.count=1) advertised as 4 replicas.
    assert_eq!(
        (n.gpu.requestable, n.gpu.physical, n.gpu.replicas),
        (4, 1, 4)
    );
    let (gpu, core, gib) = split(0.526, 1.0, 4.0, 16.0);
    close(n.gpu.physical_hourly, gpu);
    close(n.gpu.unit_hourly, gpu / 4.0);
    cents(n.gpu.unit_hourly * 100.0, 10.92); // $0.1092 per replica-hour
    // infer-0: a replica + 1 core + 3 GiB; infer-1: a replica + 0.5 core + 2 GiB.
    cents(pod_monthly(&a, "ml", "infer-0"), 94.57);
    cents(pod_monthly(&a, "ml", "infer-1"), 87.85);
    close(
        a.costs.pods[pod(&a, "ml", "infer-1")].hourly,
        gpu / 4.0 + 0.5 * core + 2.0 * gib,
    );
    // Node $383.98; idle $201.56 of which GPUs: 2 unrequested replicas = $159.40.
    cents(n.idle_monthly_cost(), 201.56);
    cents(n.idle_gpu_monthly_cost(), 159.40);
    assert_eq!(n.gpu.requested, 2);
    assert!(
        n.explanation.contains(
            "time-sliced (nvidia.com/gpu.replicas=4): each of its 4 nvidia.com/gpu is 1/4 of a \
             physical GPU at $0.1092/h (physical GPUs from nvidia.com/gpu.count)"
        ),
        "{}",
        n.explanation
    );
    assert!(!a.warnings.iter().any(|w| w.code == "gpu_replicas_uneven"));
}

#[test]
fn mig_slices_are_warned_about_and_their_gpu_is_idle() {
    let a = run();
    let n = node(&a, "mig-a");
    assert!(n.gpu.mig && !n.gpu.mig_single);
    assert_eq!((n.gpu.requestable, n.gpu.physical), (0, 1));
    let tiny = pod(&a, "ml", "tiny-0");
    assert_eq!(a.cluster.pods[tiny].effective_request.mig_devices, 1);
    assert_eq!(a.costs.pods[tiny].gpu_hourly, 0.0);
    // The A100 is split like any GPU: it weighs 224.2 GiB in the split ...
    let (gpu, core, gib) = split(3.673, 1.0, 12.0, 85.0);
    close(n.gpu.physical_hourly, gpu);
    // ... the slice's pod pays 1 core + 4 GiB only ...
    close(a.costs.pods[tiny].hourly, core + 4.0 * gib);
    cents(pod_monthly(&a, "ml", "tiny-0"), 77.07);
    // ... and the GPU's whole share, $1,507.70, is idle GPU cost (of $2,604.22 idle).
    cents(n.idle_monthly_cost(), 2604.22);
    cents(n.idle_gpu_monthly_cost(), 1507.70);
    let w: Vec<_> = a
        .warnings
        .iter()
        .filter(|w| w.code == "gpu_mig_unpriced")
        .collect();
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].object, "Node/mig-a");
    assert!(
        w[0].message.starts_with(
            "it has 7 MIG slices (nvidia.com/mig-*); MIG slices are not priced: its pods \
             requesting 1 slice pay CPU and memory only"
        ),
        "{}",
        w[0].message
    );
}

#[test]
fn a_node_without_gpus_keeps_the_cpu_memory_split_to_the_bit() {
    let a = run();
    let n = node(&a, "cpu-a");
    let old = Rates::split(0.096, 2.0, 8.0).expect("splits");
    assert_eq!(
        n.rates.cpu_core_hourly.to_bits(),
        old.cpu_core_hourly.to_bits()
    );
    assert_eq!(
        n.rates.memory_gib_hourly.to_bits(),
        old.memory_gib_hourly.to_bits()
    );
    assert_eq!(n.price_split, PriceSplit::CpuMemory);
    assert_eq!(n.gpu.physical, 0);
    cents(pod_monthly(&a, "web", "api-0"), 14.46);
    assert!(
        n.explanation
            .ends_with("split as $0.0312/core-h × 2 cores + $0.0042/GiB-h × 8 GiB"),
        "{}",
        n.explanation
    );
}

#[test]
fn summary_and_report_fields() {
    let a = run();
    let s = &a.report.summary;
    cents(s.monthly_cost, 3869.73);
    cents(s.allocated_monthly_cost, 958.86);
    cents(s.idle_monthly_cost, 2910.87);
    // Idle GPUs: $159.40 (ts-a) + $1,507.70 (mig-a); GPU shares: $609.72 + $318.80 + $1,507.70.
    cents(s.idle_gpu_monthly_cost, 1667.10);
    cents(s.gpu_monthly_cost, 2436.22);
    assert_eq!((s.gpus, s.requested_gpus), (5, 3));
    assert!(s.idle_gpu_monthly_cost <= s.idle_monthly_cost);
    // Idle is still node cost − allocated on every node, and its GPU part at most that.
    for n in &a.report.nodes {
        cents(
            n.idle_monthly_cost,
            n.monthly_cost - n.allocated_monthly_cost,
        );
        assert!(n.idle_gpu_monthly_cost <= n.idle_monthly_cost);
    }

    let g5 = a.report.nodes.iter().find(|n| n.name == "g5-a").unwrap();
    assert_eq!((g5.gpus, g5.physical_gpus, g5.requested_gpus), (1, 1, 1));
    assert_eq!(g5.price_split, Some(PriceSplit::GpuCpuMemory));
    cents(g5.gpu_hourly_rate * HOURS_PER_MONTH, 609.72);
    let ts = a.report.nodes.iter().find(|n| n.name == "ts-a").unwrap();
    assert_eq!((ts.gpus, ts.gpu_replicas), (4, 4));
    let cpu = a.report.nodes.iter().find(|n| n.name == "cpu-a").unwrap();
    assert_eq!((cpu.gpus, cpu.price_split), (0, None));

    let train = a
        .report
        .workloads
        .iter()
        .find(|w| w.name == "train-0")
        .unwrap();
    assert_eq!(train.gpus, 1);
    cents(train.gpu_monthly_cost, 609.72);

    // The JSON has the GPU fields where there are GPUs only, and reads back.
    let text = json::to_json(&a.report);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let nodes = v["nodes"].as_array().unwrap();
    let by_name = |name: &str| nodes.iter().find(|n| n["name"] == name).unwrap();
    assert_eq!(by_name("g5-a")["price_split"], "gpu_cpu_memory");
    assert_eq!(by_name("mig-a")["gpu_mig"], true);
    assert!(by_name("cpu-a").get("gpus").is_none());
    assert!(by_name("cpu-a").get("price_split").is_none());
    assert!(v["summary"]["idle_gpu_monthly_cost"].is_f64());
    let back: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(back, a.report);
}

#[test]
fn recommendations_keep_the_gpu_cost_as_it_is() {
    let a = run();
    let w = a
        .cluster
        .workloads
        .iter()
        .position(|w| w.name == "train-0")
        .unwrap();
    // Without recommendations the re-priced pod costs what it costs now, GPU included.
    let hourly = kube_rightsize_core::recommend::apply::recommended_hourly(
        &a.cluster,
        &a.costs,
        w,
        &HashMap::new(),
    );
    close(hourly, a.costs.workloads[w].hourly);
}

#[test]
fn outputs_show_gpus_only_for_clusters_with_gpus() {
    let a = run();
    let text = table::render(&a.report, &table::TableOptions::default());
    assert!(text.contains("  of which GPUs"), "{text}");
    assert!(text.contains("$1,667.10"), "{text}");
    let nodes = csv::nodes_csv(&a.report);
    assert!(
        nodes.lines().next().unwrap().ends_with(
            ",explanation,gpus,physical_gpus,requested_gpus,gpu_hourly_rate,gpu_monthly_cost,\
             idle_gpu_monthly_cost,price_split"
        ),
        "{nodes}"
    );
    // A node without GPUs in a cluster with GPUs: zeros, and no GPU rate or split.
    let cpu_row = nodes.lines().find(|l| l.starts_with("cpu-a,")).unwrap();
    assert!(cpu_row.ends_with(",0,0,0,,0,0,"), "{cpu_row}");
    let workloads = csv::workloads_csv(&a.report);
    assert!(
        workloads
            .lines()
            .next()
            .unwrap()
            .ends_with(",gpus,gpu_monthly_cost")
    );
    let page = html::render_html(&a.report, &html::HtmlOptions::default());
    assert!(page.contains("id=\"sum-idle-gpu\""));
    assert!(page.contains("GPU req / alloc"));

    // A cluster without GPUs: nothing new.
    let plain = analyze(
        &[Input::new("mixed.json", MIXED)],
        &Settings::default(),
        None,
        GENERATED_AT,
    )
    .unwrap();
    let text = table::render(&plain.report, &table::TableOptions::default());
    assert!(!text.contains("GPU"), "{text}");
    assert!(!csv::nodes_csv(&plain.report).contains("gpu"));
    assert!(!csv::workloads_csv(&plain.report).contains("gpu"));
    let page = html::render_html(&plain.report, &html::HtmlOptions::default());
    assert!(!page.contains("sum-idle-gpu") && !page.contains("GPU req"));
    let v: serde_json::Value = serde_json::from_str(&json::to_json(&plain.report)).unwrap();
    assert!(v["summary"].get("gpus").is_none());
    assert!(v["nodes"][0].get("price_split").is_none());
}

#[test]
fn the_real_g4dn_node_without_an_instance_type_falls_back_with_the_gpu_default() {
    let bytes = include_bytes!("fixtures/real/mixed-nodelist-microk8s-doks-kurl-troubleshoot.json");
    let a = analyze(
        &[Input::new("mixed-nodelist.json", bytes)],
        &Settings::default(),
        None,
        GENERATED_AT,
    )
    .unwrap();
    let n = node(&a, "ip-172-31-21-92");
    // gpu.replicas=1, gpu.count=1, nvidia.com/gpu 1: one whole T4, no sharing.
    assert_eq!(
        (n.gpu.requestable, n.gpu.physical, n.gpu.replicas),
        (1, 1, 1)
    );
    assert_eq!(n.price_split, PriceSplit::Fallback);
    // 1 core × $0.031611 + 16064760 KiB × $0.004237/GiB + 1 GPU × $0.95.
    let gib = 16_064_760.0 * 1024.0 / 1_073_741_824.0;
    close(n.hourly_price, 0.031611 + gib * 0.004237 + 0.95);
    assert!(n.estimate);
    assert!(
        n.explanation.contains("+ $0.95/GPU-h × 1 GPU = "),
        "{}",
        n.explanation
    );
}

/// A one-node snapshot: `labels` and `capacity` as JSON object bodies, and one pod on it
/// requesting `requests` (a JSON object body).
fn one_node(labels: &str, capacity: &str, requests: &str) -> Analysis {
    let text = format!(
        r#"{{"apiVersion": "v1", "kind": "List", "items": [
        {{"apiVersion": "v1", "kind": "Node", "metadata": {{"name": "n1", "labels": {{
            "node.kubernetes.io/instance-type": "x.large",
            "topology.kubernetes.io/region": "us-east-1",
            "eks.amazonaws.com/capacityType": "ON_DEMAND", {labels}}}}},
          "spec": {{"providerID": "aws:///us-east-1a/i-1"}},
          "status": {{"capacity": {{{capacity}}}, "allocatable": {{{capacity}}}}}}},
        {{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "p", "namespace": "ml"}},
          "spec": {{"nodeName": "n1", "containers": [{{"name": "c",
            "resources": {{"requests": {{{requests}}}}}}}]}},
          "status": {{"phase": "Running"}}}}]}}"#
    );
    let mut settings = Settings::default();
    settings.manual_prices.set("x.large", 2.0).unwrap();
    analyze(
        &[Input::new("one.json", text.as_bytes())],
        &settings,
        None,
        GENERATED_AT,
    )
    .expect("ingests")
}

#[test]
fn uneven_replicas_are_assumed_rounded_up_with_a_warning() {
    // 4 nvidia.com/gpu at 3 replicas each, no nvidia.com/gpu.count: ⌈4 / 3⌉ = 2 physical GPUs.
    let a = one_node(
        r#""nvidia.com/gpu.replicas": "3""#,
        r#""cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "4""#,
        r#""cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1""#,
    );
    let n = node(&a, "n1");
    assert_eq!(
        (n.gpu.requestable, n.gpu.physical, n.gpu.replicas),
        (4, 2, 3)
    );
    let (gpu, _, _) = split(2.0, 2.0, 8.0, 32.0);
    // The two GPUs' share spread over the 4 requestable replicas.
    close(n.gpu.unit_hourly, gpu * 2.0 / 4.0);
    assert!(
        a.warnings.iter().any(|w| w.code == "gpu_replicas_uneven"
            && w.message.contains("2 assumed (4 ÷ 3, rounded up)"))
    );
}

#[test]
fn mig_single_strategy_slices_are_not_charged() {
    // Under MIG's single strategy nvidia.com/gpu counts the 7 slices of one A100.
    let a = one_node(
        r#""nvidia.com/mig.strategy": "single",
           "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb",
           "nvidia.com/gpu.count": "7""#,
        r#""cpu": "12", "memory": "85Gi", "nvidia.com/gpu": "7""#,
        r#""cpu": "1", "memory": "4Gi", "nvidia.com/gpu": "1""#,
    );
    let n = node(&a, "n1");
    assert!(n.gpu.mig_single);
    assert_eq!(
        (n.gpu.requestable, n.gpu.physical, n.gpu.unit_hourly),
        (7, 1, 0.0)
    );
    assert_eq!(a.costs.pods[0].gpu_hourly, 0.0);
    let (gpu, core, gib) = split(2.0, 1.0, 12.0, 85.0);
    close(a.costs.pods[0].hourly, core + 4.0 * gib);
    close(n.gpu.idle_hourly, gpu);
    let w = a
        .warnings
        .iter()
        .find(|w| w.code == "gpu_mig_unpriced")
        .expect("a MIG warning");
    assert!(
        w.message.starts_with(
            "its 7 nvidia.com/gpu are MIG slices (nvidia.com/mig.strategy=single); MIG slices \
             are not priced: its pods requesting 1 slice pay CPU and memory only"
        ),
        "{}",
        w.message
    );
    assert!(
        w.message
            .contains("physical GPUs assumed: its MIG slices ÷ 7, rounded up")
    );
}

#[test]
fn a_price_files_gpu_price_is_used_and_the_rest_split_over_cpu_and_memory() {
    use kube_rightsize_core::pricing::import::import_prices;
    let analyse = |gpu_price: &str| {
        let csv = format!(
            "provider,instance_type,region,capacity_type,usd_per_hour,gpu_usd_per_hour\n\
             aws,g5.xlarge,us-east-1,on_demand,1.006,{gpu_price}\n"
        );
        let settings = Settings {
            price_file: import_prices("gpu.csv", csv.as_bytes()).unwrap().table,
            ..Settings::default()
        };
        analyze(
            &[Input::new("cluster.json", CLUSTER)],
            &settings,
            None,
            GENERATED_AT,
        )
        .unwrap()
    };
    // $0.80 for the A10G; the rest, $0.206/h, over 4 cores and 16 GiB with the CPU:memory ratio.
    let a = analyse("0.8");
    let n = node(&a, "g5-a");
    assert_eq!(n.price_split, PriceSplit::GpuPrice);
    assert_eq!(n.gpu.physical_hourly, 0.8);
    let rest = Rates::split(1.006 - 0.8, 4.0, 16.0).unwrap();
    assert_eq!(n.rates, rest);
    // The GPU pod: 0.8 + half the rest = $0.903/h; the CPU pod 0.5 core + 1 GiB.
    cents(pod_monthly(&a, "ml", "train-0"), 659.19);
    cents(pod_monthly(&a, "web", "web-0"), 15.52);
    cents(n.idle_monthly_cost(), 59.67);
    assert!(
        n.explanation.contains(
            "split as $0.8000/GPU-h × 1 GPU (the source's GPU price), the rest ($0.206/h) split \
             as $0.0335/core-h × 4 cores + $0.0045/GiB-h × 16 GiB"
        ),
        "{}",
        n.explanation
    );
    // A GPU price above the node's: warned about, and split by OpenCost's weights.
    let a = analyse("1.5");
    let n = node(&a, "g5-a");
    assert_eq!(n.price_split, PriceSplit::GpuCpuMemory);
    cents(pod_monthly(&a, "ml", "train-0"), 672.05);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.code == "gpu_price_exceeds_node")
    );
}

#[test]
fn gpus_attached_to_a_type_without_gpus_are_not_in_its_price() {
    use kube_rightsize_core::pricing::catalogue::Catalogue;
    use kube_rightsize_core::pricing::import::import_prices;
    // GKE: an n1-standard-8 spot VM with an attached T4; the catalogue's n1-standard-8 has no
    // GPUs, so its price ($0.13402/h) is the VM's only.
    let cat = Catalogue::from_bytes(include_bytes!("../data/catalogue.bin")).unwrap();
    let bytes = include_bytes!("fixtures/gke-standard-spot.json");
    let analyse = |settings: &Settings| {
        analyze(
            &[Input::new("gke.json", bytes)],
            settings,
            Some(&cat),
            GENERATED_AT,
        )
        .unwrap()
    };
    let a = analyse(&Settings::default());
    let n = node(&a, "gke-prod-spot-pool-5e6f7a8b-q1w2");
    assert_eq!(n.price_split, PriceSplit::AttachedGpus);
    assert_eq!(n.hourly_price, 0.13402);
    // The VM price over CPU and memory exactly as a node without GPUs; the T4 is not priced.
    let vm = Rates::split(0.13402, n.allocatable.cores(), n.allocatable.gib()).unwrap();
    assert_eq!(n.rates, vm);
    assert_eq!((n.gpu.physical, n.gpu.unit_hourly), (1, 0.0));
    assert!(a.warnings.iter().any(|w| w.code == "gpu_price_not_included"
        && w.object == "Node/gke-prod-spot-pool-5e6f7a8b-q1w2"));

    // With the T4's price in a price file, the node costs the VM plus the GPU.
    let csv = "provider,instance_type,region,capacity_type,usd_per_hour,gpu_usd_per_hour\n\
               gcp,n1-standard-8,us-central1,spot,0.13402,0.14\n";
    let settings = Settings {
        price_file: import_prices("gpu.csv", csv.as_bytes()).unwrap().table,
        ..Settings::default()
    };
    let a = analyse(&settings);
    let n = node(&a, "gke-prod-spot-pool-5e6f7a8b-q1w2");
    assert_eq!(n.price_split, PriceSplit::AttachedGpus);
    close(n.hourly_price, 0.13402 + 0.14);
    assert_eq!(n.rates, vm);
    assert_eq!(n.gpu.unit_hourly, 0.14);
    // No pod requests it: $102.20 a month of idle GPU.
    cents(n.idle_gpu_monthly_cost(), 102.20);
    assert!(
        n.explanation
            .contains("plus 1 attached GPU at $0.1400/GPU-h from the price file")
    );
}

#[test]
fn a_fleet_sums_the_gpu_figures_and_its_csvs_keep_the_gpu_columns() {
    use kube_rightsize_core::report::fleet;
    let gpu = run().report;
    let plain = analyze(
        &[Input::new("mixed.json", MIXED)],
        &Settings::default(),
        None,
        GENERATED_AT,
    )
    .unwrap()
    .report;
    let t = fleet::totals(&[gpu.clone(), plain.clone(), gpu.clone()]);
    assert_eq!((t.gpus, t.requested_gpus), (10, 6));
    close(
        t.idle_gpu_monthly_cost,
        2.0 * gpu.summary.idle_gpu_monthly_cost,
    );
    close(t.gpu_monthly_cost, 2.0 * gpu.summary.gpu_monthly_cost);
    // One cluster with GPUs gives every row the GPU columns; without any, none.
    let nodes = csv::nodes_csv_of(&[&plain, &gpu], true);
    assert!(nodes.lines().next().unwrap().ends_with(",price_split"));
    assert!(!csv::nodes_csv_of(&[&plain, &plain], true).contains("gpu"));
    let workloads = csv::workloads_csv_of(&[&plain, &gpu], true);
    let width = |l: &str| l.split(',').count();
    let header = workloads.lines().next().unwrap();
    assert!(header.ends_with(",gpus,gpu_monthly_cost"));
    // Rows of the cluster without GPUs get zeros there (no commas inside these cells).
    let plain_row = workloads.lines().nth(1).unwrap();
    assert!(plain_row.ends_with(",0,0"), "{plain_row}");
    assert!(width(header) <= width(plain_row));
}
