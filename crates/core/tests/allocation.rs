//! Showback (docs/cost-model.md §12): costs grouped by label keys with the pod → workload →
//! namespace fallback, both idle modes and both shared splits checked to the cent on a
//! hand-made cluster, the bill fixtures' storage, load balancers and control plane, and a
//! property test that the groups always add up to the bill.

use kube_rightsize_core::allocation::{Allocation, AllocationSettings, IdleRule, SharedSplit};
use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::ingest::Input;
use proptest::prelude::*;
use serde_json::{Value, json};

const AT: &str = "2026-11-26T07:00:00Z";

/// A node of 4 cores and 16 GiB (priced by a manual price per instance type).
fn node(name: &str, instance_type: &str, cpu: &str, memory: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {
            "node.kubernetes.io/instance-type": instance_type,
            "topology.kubernetes.io/region": "us-east-1",
            "topology.kubernetes.io/zone": "us-east-1a"
        }},
        "spec": {"providerID": format!("aws:///us-east-1a/i-{name}")},
        "status": {"capacity": {"cpu": cpu, "memory": memory, "pods": "110"},
                   "allocatable": {"cpu": cpu, "memory": memory, "pods": "110"}}
    })
}

fn pod(ns: &str, name: &str, node: &str, cpu: &str, memory: &str, meta: Value) -> Value {
    let mut metadata = json!({"name": name, "namespace": ns});
    if let (Some(m), Some(extra)) = (metadata.as_object_mut(), meta.as_object()) {
        for (k, v) in extra {
            m.insert(k.clone(), v.clone());
        }
    }
    json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": metadata,
        "spec": {"nodeName": node, "containers": [{"name": "app",
            "resources": {"requests": {"cpu": cpu, "memory": memory}}}]},
        "status": {"phase": "Running"}
    })
}

fn namespace(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace",
           "metadata": {"name": name, "labels": labels}})
}

fn list(items: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"apiVersion": "v1", "kind": "List", "items": items})).unwrap()
}

/// Two nodes at $0.10/h ($73/month). Node n1: alpha (pod label) 1 core / 4 GiB, beta (its
/// Deployment's label) 1 / 4: half requested, $36.50 idle. Node n2: shop (its namespace's
/// label) 2 / 8, unallocated (namespace `data` without labels) 1 / 4, kube-system 1 / 4: full.
/// A pod requesting a quarter of a node's cores and memory costs a quarter of its price.
fn hand_made() -> Vec<u8> {
    list(vec![
        node("n1", "t.test", "4", "16Gi"),
        node("n2", "t.test", "4", "16Gi"),
        namespace("shop", json!({"team": "shop"})),
        namespace("data", json!({"other": "x"})),
        namespace("kube-system", json!({})),
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "api", "namespace": "shop", "labels": {"team": "beta"}},
               "spec": {"replicas": 1}}),
        pod(
            "shop",
            "a",
            "n1",
            "1",
            "4Gi",
            json!({"labels": {"team": "alpha"}}),
        ),
        pod(
            "shop",
            "api-abc12-x",
            "n1",
            "1",
            "4Gi",
            json!({"labels": {"pod-template-hash": "abc12"},
                   "ownerReferences": [{"kind": "ReplicaSet", "name": "api-abc12",
                                        "controller": true}]}),
        ),
        pod("shop", "c", "n2", "2", "8Gi", json!({})),
        pod("data", "d", "n2", "1", "4Gi", json!({})),
        pod("kube-system", "e", "n2", "1", "4Gi", json!({})),
    ])
}

fn run(bytes: &[u8], allocation: AllocationSettings) -> Analysis {
    let mut settings = Settings::default();
    settings.manual_prices.set("t.test", 0.1).unwrap();
    settings.manual_prices.set("m5.large", 0.096).unwrap();
    settings.ingest.group_labels = allocation.keys.clone();
    settings.allocation = allocation;
    analyze(&[Input::new("c.json", bytes)], &settings, None, AT).expect("ingests")
}

fn by(keys: &[&str], idle: IdleRule, split: SharedSplit) -> AllocationSettings {
    AllocationSettings {
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        idle,
        shared_split: split,
        ..AllocationSettings::default()
    }
}

fn cents(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

/// (group, own, idle share, shared share, total) in cents.
fn rows(a: &Allocation) -> Vec<(String, i64, i64, i64, i64)> {
    let mut rows: Vec<_> = a
        .groups
        .iter()
        .map(|g| {
            (
                g.name.clone(),
                cents(g.own_monthly_cost),
                cents(g.idle_monthly_cost),
                cents(g.shared_monthly_cost),
                cents(g.total_monthly_cost),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn allocation(a: &Analysis) -> &Allocation {
    a.report.allocation.as_ref().expect("an allocation")
}

fn assert_adds_up(a: &Allocation) {
    let diff = (a.allocated_sum() - a.total_monthly_cost).abs();
    assert!(
        diff <= 1e-6 * a.total_monthly_cost.abs().max(1.0),
        "{} vs {}",
        a.allocated_sum(),
        a.total_monthly_cost
    );
}

fn row(name: &str, own: i64, idle: i64, shared: i64, total: i64) -> (String, i64, i64, i64, i64) {
    (name.to_owned(), own, idle, shared, total)
}

#[test]
fn no_keys_no_allocation() {
    let a = run(&hand_made(), AllocationSettings::default());
    assert!(a.report.allocation.is_none());
    assert!(!a.cluster.pods.iter().any(|p| p.labels.contains_key("team")));
    assert!(a.cluster.namespace_labels.is_empty());
    assert_eq!(a.cluster.pod_label_keys.get("team"), Some(&1));
    assert_eq!(a.cluster.pod_label_keys.get("pod-template-hash"), Some(&1));
}

#[test]
fn pod_workload_and_namespace_labels_fall_back_in_order_idle_separate_shared_proportional() {
    let a = run(
        &hand_made(),
        by(&["team"], IdleRule::Separate, SharedSplit::Proportional),
    );
    let al = allocation(&a);
    // Shared: kube-system's $18.25 spread ∝ own cost (18.25 + 18.25 + 36.50 + 18.25 = 91.25).
    assert_eq!(
        rows(al),
        [
            row("alpha", 1825, 0, 365, 2190),
            row("beta", 1825, 0, 365, 2190),
            row("shop", 3650, 0, 730, 4380),
            row("unallocated", 1825, 0, 365, 2190),
        ]
    );
    assert_eq!(cents(al.idle_monthly_cost), 3650);
    assert_eq!(cents(al.shared.own_monthly_cost), 1825);
    assert_eq!(cents(al.total_monthly_cost), 14600);
    assert_eq!(al.groups[0].name, "shop");
    assert_adds_up(al);
    let api = al.workload("shop", "Deployment", "api").expect("api");
    assert_eq!(api.values, ["beta"]);
}

#[test]
fn idle_shared_cluster_wide_by_compute() {
    let a = run(
        &hand_made(),
        by(
            &["team"],
            IdleRule::ClusterRequests,
            SharedSplit::Proportional,
        ),
    );
    let al = allocation(&a);
    // Idle $36.50 over compute $109.50: a third of each holder's compute. The shared pool is
    // 18.25 + 6.0833 = 24.3333, spread ∝ own + idle (24.33, 24.33, 48.67, 24.33 of 121.67).
    assert_eq!(
        rows(al),
        [
            row("alpha", 1825, 608, 487, 2920),
            row("beta", 1825, 608, 487, 2920),
            row("shop", 3650, 1217, 973, 5840),
            row("unallocated", 1825, 608, 487, 2920),
        ]
    );
    assert_eq!(cents(al.idle_monthly_cost), 0);
    assert_eq!(cents(al.shared.idle_monthly_cost), 608);
    assert_adds_up(al);
}

#[test]
fn idle_shared_per_node_and_shared_costs_evenly() {
    let a = run(
        &hand_made(),
        by(&["team"], IdleRule::NodeRequests, SharedSplit::Even),
    );
    let al = allocation(&a);
    // n1's idle $36.50 goes to alpha and beta (half each), n2 has none; kube-system's $18.25
    // is split evenly over four groups.
    assert_eq!(
        rows(al),
        [
            row("alpha", 1825, 1825, 456, 4106),
            row("beta", 1825, 1825, 456, 4106),
            row("shop", 3650, 0, 456, 4106),
            row("unallocated", 1825, 0, 456, 2281),
        ]
    );
    assert_adds_up(al);
}

#[test]
fn shared_costs_evenly_with_idle_separate_and_no_shared_namespace() {
    let a = run(
        &hand_made(),
        by(&["team"], IdleRule::Separate, SharedSplit::Even),
    );
    let al = allocation(&a);
    assert_eq!(
        rows(al),
        [
            row("alpha", 1825, 0, 456, 2281),
            row("beta", 1825, 0, 456, 2281),
            row("shop", 3650, 0, 456, 4106),
            row("unallocated", 1825, 0, 456, 2281),
        ]
    );
    let mut none = by(&["team"], IdleRule::Separate, SharedSplit::Even);
    none.shared_namespaces.clear();
    let a = run(&hand_made(), none);
    let al = allocation(&a);
    // kube-system is now a group of its own (its namespace has no team label: unallocated).
    assert_eq!(
        rows(al),
        [
            row("alpha", 1825, 0, 0, 1825),
            row("beta", 1825, 0, 0, 1825),
            row("shop", 3650, 0, 0, 3650),
            row("unallocated", 3650, 0, 0, 3650),
        ]
    );
    assert_adds_up(al);
}

#[test]
fn two_keys_make_pairs() {
    let a = run(
        &hand_made(),
        by(&["team", "other"], IdleRule::Separate, SharedSplit::Even),
    );
    let names: Vec<&str> = allocation(&a)
        .groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    assert!(names.contains(&"unallocated / x"), "{names:?}");
    assert!(names.contains(&"alpha / unallocated"), "{names:?}");
    assert_adds_up(allocation(&a));
}

#[test]
fn overcommitted_nodes_allocate_their_price_and_no_more() {
    // n1 at $73 holds pods requesting twice its size.
    let bytes = list(vec![
        node("n1", "t.test", "4", "16Gi"),
        pod(
            "a",
            "p1",
            "n1",
            "4",
            "16Gi",
            json!({"labels": {"team": "x"}}),
        ),
        pod(
            "b",
            "p2",
            "n1",
            "4",
            "16Gi",
            json!({"labels": {"team": "y"}}),
        ),
    ]);
    let a = run(&bytes, by(&["team"], IdleRule::Separate, SharedSplit::Even));
    let al = allocation(&a);
    assert_eq!(
        rows(al),
        [row("x", 3650, 0, 0, 3650), row("y", 3650, 0, 0, 3650)]
    );
    assert_eq!(al.overcommitted_nodes, 1);
    assert_eq!(cents(al.overcommit_removed_monthly_cost), 7300);
    assert!(a.warnings.iter().any(|w| w.code == "node_overcommitted"));
    assert_adds_up(al);
}

#[test]
fn storage_load_balancers_and_the_control_plane_of_the_eks_fixture_add_up() {
    let eks: &[u8] = include_bytes!("fixtures/bill/eks.json");
    for idle in IdleRule::ALL {
        for split in SharedSplit::ALL {
            let a = run(eks, by(&["app"], idle, split));
            let al = allocation(&a);
            assert_adds_up(al);
            let bill = a.report.summary.bill_monthly_cost.expect("a bill");
            assert!((al.total_monthly_cost - bill).abs() < 1e-9);
            let storage: f64 = al
                .groups
                .iter()
                .map(|g| g.storage_monthly_cost)
                .sum::<f64>()
                + al.unclaimed_storage_monthly_cost;
            assert!(storage > 0.0);
            assert!(al.shared.control_plane_monthly_cost > 0.0);
        }
    }
}

// ----- property: the groups add up to the bill --------------------------------------------

#[derive(Debug, Clone)]
struct P {
    ns: usize,
    node: usize,
    cpu_m: u32,
    mem_mi: u32,
    label: Option<usize>,
}

fn random_cluster(nodes: &[(u32, u32, bool)], pods: &[P], ns_label: bool) -> Vec<u8> {
    const NS: [&str; 3] = ["a", "b", "kube-system"];
    const TEAMS: [&str; 3] = ["red", "blue", ""];
    let mut items = Vec::new();
    for (i, (cpu, gib, priced)) in nodes.iter().enumerate() {
        let it = if *priced { "t.test" } else { "unknown.type" };
        items.push(node(
            &format!("n{i}"),
            it,
            &cpu.to_string(),
            &format!("{gib}Gi"),
        ));
    }
    if ns_label {
        items.push(namespace("a", json!({"team": "green"})));
    }
    items.push(json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"namespace": "a", "name": "lb"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "p0"}},
        "status": {"loadBalancer": {"ingress": [{"hostname": "x"}]}}}));
    for (i, p) in pods.iter().enumerate() {
        let mut labels = json!({"app": format!("p{i}")});
        if let Some(t) = p.label {
            labels["team"] = json!(TEAMS[t]);
        }
        items.push(pod(
            NS[p.ns],
            &format!("p{i}"),
            &format!("n{}", p.node.min(nodes.len().saturating_sub(1))),
            &format!("{}m", p.cpu_m),
            &format!("{}Mi", p.mem_mi),
            json!({"labels": labels}),
        ));
    }
    list(items)
}

fn pods() -> impl Strategy<Value = Vec<P>> {
    prop::collection::vec(
        (
            0..3usize,
            0..4usize,
            0..6000u32,
            0..20000u32,
            prop::option::of(0..3usize),
        )
            .prop_map(|(ns, node, cpu_m, mem_mi, label)| P {
                ns,
                node,
                cpu_m,
                mem_mi,
                label,
            }),
        0..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn groups_always_add_up_to_the_bill(
        nodes in prop::collection::vec((0..9u32, 0..33u32, any::<bool>()), 1..4),
        pods in pods(),
        ns_label in any::<bool>(),
        shared in any::<bool>(),
    ) {
        let bytes = random_cluster(&nodes, &pods, ns_label);
        for idle in IdleRule::ALL {
            for split in SharedSplit::ALL {
                let mut s = by(&["team"], idle, split);
                if !shared {
                    s.shared_namespaces = vec!["a".into(), "b".into()];
                }
                let a = run(&bytes, s);
                let al = allocation(&a);
                let bill = a.report.summary.bill_monthly_cost.unwrap_or(a.report.summary.monthly_cost);
                prop_assert!((al.total_monthly_cost - bill).abs() <= 1e-6 * bill.max(1.0));
                let sum = al.allocated_sum();
                prop_assert!(
                    (sum - al.total_monthly_cost).abs() <= 1e-6 * al.total_monthly_cost.max(1.0),
                    "{} vs {} ({:?}, {:?})", sum, al.total_monthly_cost, idle, split
                );
                for g in &al.groups {
                    prop_assert!(g.total_monthly_cost >= -1e-9 && g.total_monthly_cost.is_finite());
                }
            }
        }
    }
}

// ----- the FOCUS export ---------------------------------------------------------------------

mod focus {
    use super::*;
    use kube_rightsize_core::report::export::{ExportFormat, ExportOptions, render};
    use kube_rightsize_core::report::focus::COLUMNS;

    fn export(a: &Analysis, name: &str) -> String {
        render(
            &a.report,
            &ExportOptions {
                format: ExportFormat::Focus,
                cluster_name: Some(name.to_owned()),
                inputs: a.cluster.inputs.clone(),
                anonymise_key: None,
                explain_nodes: false,
            },
        )
    }

    /// Reads the CSV back (RFC 4180 quoting) into rows of cells.
    fn read(csv: &str) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let (mut row, mut cell, mut quoted) = (Vec::new(), String::new(), false);
        let mut chars = csv.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => row.push(std::mem::take(&mut cell)),
                ('\r', false) => {}
                ('\n', false) => {
                    row.push(std::mem::take(&mut cell));
                    rows.push(std::mem::take(&mut row));
                }
                (c, _) => cell.push(c),
            }
        }
        rows
    }

    fn column(rows: &[Vec<String>], name: &str) -> usize {
        rows[0].iter().position(|c| c == name).expect(name)
    }

    /// Checks the header, FOCUS's non-null columns and types, and returns Σ BilledCost.
    fn check(csv: &str) -> (Vec<Vec<String>>, f64) {
        let rows = read(csv);
        assert_eq!(rows[0], COLUMNS);
        assert_eq!(
            csv.split('\n').next().unwrap(),
            "AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,\
             BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargeClass,ChargeDescription,\
             ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,CommitmentDiscountCategory,\
             CommitmentDiscountId,CommitmentDiscountName,CommitmentDiscountStatus,\
             CommitmentDiscountType,ConsumedQuantity,ConsumedUnit,ContractedCost,\
             ContractedUnitPrice,EffectiveCost,InvoiceIssuerName,ListCost,ListUnitPrice,\
             PricingCategory,PricingQuantity,PricingUnit,ProviderName,PublisherName,RegionId,\
             RegionName,ResourceId,ResourceName,ResourceType,ServiceCategory,ServiceName,SkuId,\
             SkuPriceId,SubAccountId,SubAccountName,Tags\r"
        );
        let mandatory = [
            "BilledCost",
            "BillingAccountId",
            "BillingAccountName",
            "BillingCurrency",
            "BillingPeriodEnd",
            "BillingPeriodStart",
            "ChargeCategory",
            "ChargeDescription",
            "ChargeFrequency",
            "ChargePeriodEnd",
            "ChargePeriodStart",
            "ContractedCost",
            "EffectiveCost",
            "InvoiceIssuerName",
            "ListCost",
            "PricingCategory",
            "PricingQuantity",
            "PricingUnit",
            "ProviderName",
            "PublisherName",
            "ServiceCategory",
            "ServiceName",
        ];
        let mut total = 0.0;
        for r in &rows[1..] {
            assert_eq!(r.len(), COLUMNS.len(), "{r:?}");
            for m in mandatory {
                assert!(!r[column(&rows, m)].is_empty(), "{m} empty in {r:?}");
            }
            let cost: f64 = r[column(&rows, "BilledCost")].parse().expect("a number");
            for same in ["EffectiveCost", "ListCost", "ContractedCost"] {
                assert_eq!(r[column(&rows, same)].parse::<f64>().unwrap(), cost);
            }
            assert_eq!(r[column(&rows, "ChargeCategory")], "Usage");
            let tags: serde_json::Value =
                serde_json::from_str(&r[column(&rows, "Tags")]).expect("Tags is JSON");
            assert!(tags.is_object());
            total += cost;
        }
        (rows, total)
    }

    #[test]
    fn rows_add_up_to_the_bill_and_carry_the_groups_as_tags() {
        let eks: &[u8] = include_bytes!("fixtures/bill/eks.json");
        let a = run(eks, by(&["app"], IdleRule::Separate, SharedSplit::Even));
        let csv = export(&a, "prod");
        let (rows, total) = check(&csv);
        let bill = a.report.summary.bill_monthly_cost.unwrap();
        assert!((total - bill).abs() < 1e-6 * bill, "{total} vs {bill}");
        let start = column(&rows, "ChargePeriodStart");
        assert!(rows[1..].iter().all(|r| r[start] == "2026-11-01T00:00:00Z"));
        let services: Vec<&str> = rows[1..]
            .iter()
            .map(|r| r[column(&rows, "ServiceName")].as_str())
            .collect();
        for s in [
            "Amazon Elastic Compute Cloud",
            "Amazon Elastic Block Store",
            "Elastic Load Balancing",
            "Amazon Elastic Kubernetes Service",
        ] {
            assert!(services.contains(&s), "{s} in {services:?}");
        }
        assert!(
            rows[1..]
                .iter()
                .any(|r| r[column(&rows, "Tags")].contains("\"app\":")),
            "a workload row carries the group key"
        );
        assert!(
            rows[1..]
                .iter()
                .all(|r| r[column(&rows, "BillingAccountId")] == "prod")
        );
    }

    /// With discounts (docs/cost-model.md §13) the net columns add up to the bill and
    /// ListCost to the bill at list price.
    #[test]
    fn list_cost_is_the_list_price_when_discounts_are_set() {
        use kube_rightsize_core::model::Provider;
        use kube_rightsize_core::pricing::catalogue::Catalogue;
        use kube_rightsize_core::pricing::discounts::{Commitment, Discounts};
        let eks: &[u8] = include_bytes!("fixtures/bill/eks.json");
        let settings = Settings {
            discounts: Discounts {
                flat: vec![(Provider::Aws, 0.15)],
                commitments: vec![Commitment {
                    provider: Provider::Aws,
                    family: Some("m5".to_owned()),
                    coverage: 0.6,
                    discount: 0.28,
                }],
            },
            ..Settings::default()
        };
        let a = analyze(
            &[Input::new("c.json", eks)],
            &settings,
            Some(Catalogue::embedded()),
            AT,
        )
        .expect("ingests");
        let rows = read(&export(&a, "prod"));
        let (billed, list) = (column(&rows, "BilledCost"), column(&rows, "ListCost"));
        let sum =
            |c: usize| -> f64 { rows[1..].iter().map(|r| r[c].parse::<f64>().unwrap()).sum() };
        let s = &a.report.summary;
        let (net, at_list) = (
            s.bill_monthly_cost.unwrap(),
            s.list_bill_monthly_cost.unwrap(),
        );
        assert!((sum(billed) - net).abs() < 1e-6, "{} vs {net}", sum(billed));
        assert!(
            (sum(list) - at_list).abs() < 1e-6,
            "{} vs {at_list}",
            sum(list)
        );
        assert!(at_list > net);
        for r in &rows[1..] {
            let (n, l) = (
                r[billed].parse::<f64>().unwrap(),
                r[list].parse::<f64>().unwrap(),
            );
            assert!(l >= n - 1e-12, "{r:?}");
            assert_eq!(r[column(&rows, "EffectiveCost")], r[billed]);
        }
    }

    #[test]
    fn overcommitted_nodes_and_no_allocation_still_add_up() {
        let bytes = list(vec![
            node("n1", "t.test", "4", "16Gi"),
            node("n2", "t.test", "4", "16Gi"),
            pod("a", "p1", "n1", "4", "16Gi", json!({})),
            pod("b", "p2", "n1", "4", "16Gi", json!({})),
            pod("b", "p3", "n2", "1", "4Gi", json!({})),
        ]);
        let a = run(&bytes, AllocationSettings::default());
        let (rows, total) = check(&export(&a, "c"));
        assert!((total - 146.0).abs() < 1e-9, "{total}");
        // The pods on n1 already cost its price and no more: no adjustment row, no idle row.
        let cat = column(&rows, "ChargeCategory");
        assert!(rows[1..].iter().all(|r| r[cat] == "Usage"));
        let name = column(&rows, "ResourceName");
        assert!(!rows[1..].iter().any(|r| r[name] == "n1"
            && r[cat] == "Usage"
            && r[column(&rows, "ResourceType")] == "Node"));
    }

    #[test]
    fn hostile_names_are_quoted_and_guarded() {
        let hostile: &[u8] = include_bytes!("fixtures/html/hostile.json");
        let a = run(
            hostile,
            by(&["team"], IdleRule::NodeRequests, SharedSplit::Proportional),
        );
        let csv = export(&a, "=cmd|' /C calc'!A0, \"x\"\n");
        let (rows, _) = check(&csv);
        let account = column(&rows, "BillingAccountId");
        for r in &rows[1..] {
            assert_eq!(r[account], "'=cmd|' /C calc'!A0, \"x\"");
            for cell in r {
                assert!(!cell.starts_with(['=', '+', '@']), "unguarded {cell:?}");
            }
        }
    }
}

#[test]
fn the_html_report_and_the_groups_csv_show_the_groups() {
    use kube_rightsize_core::report::export::{ExportFormat, ExportOptions, render};
    use kube_rightsize_core::report::html::{HtmlOptions, render_html};
    let eks: &[u8] = include_bytes!("fixtures/bill/eks.json");
    let a = run(
        eks,
        by(&["app"], IdleRule::ClusterRequests, SharedSplit::Even),
    );
    let al = allocation(&a);
    let html = render_html(&a.report, &HtmlOptions::default());
    assert!(html.contains("<section id=\"allocation\">\n<h2>Costs by app</h2>"));
    assert!(html.contains("<a href=\"#allocation\">Costs by app</a>"));
    assert!(html.contains("id=\"chart-allocation\""));
    for g in &al.groups {
        assert!(html.contains(&format!("<td>{}</td>", g.name)), "{}", g.name);
    }
    let csv = render(
        &a.report,
        &ExportOptions {
            format: ExportFormat::GroupsCsv,
            cluster_name: None,
            inputs: Vec::new(),
            anonymise_key: None,
            explain_nodes: false,
        },
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("group,pods,workloads,compute_monthly_cost"));
    assert_eq!(lines.len(), 1 + al.groups.len());
    // Without keys: the report has no section, the CSV only its header.
    let plain = run(eks, AllocationSettings::default());
    assert!(!render_html(&plain.report, &HtmlOptions::default()).contains("id=\"allocation\""));
}
