//! Fleets (`report::fleet`): saved reports read back, merged and rendered.
//!
//! Merging keeps every report whole (per-cluster figures are the report's own) and the fleet's
//! totals are their sums (a property test over random summaries); differences in prices and
//! settings are warned about; report files are read like every input (located errors with a
//! hint, capped strings); the HTML page keeps the report's guarantees (CSP hashes, escaping).

use kube_rightsize_core::analysis::{Settings, analyze};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::pricing::rates::Rates;
use kube_rightsize_core::report::export::{ExportFormat, ExportOptions, render as render_report};
use kube_rightsize_core::report::fleet::read::{self, SHORTENED};
use kube_rightsize_core::report::fleet::render::{FleetExport, render, to_json};
use kube_rightsize_core::report::fleet::{self, Fleet, Member};
use kube_rightsize_core::report::html::assets::{CSS, SCRIPT, csp_hash};
use kube_rightsize_core::report::{Report, Summary};
use proptest::prelude::*;

const AT: &str = "2026-01-31T12:00:00Z";
const MIXED: &[u8] = include_bytes!("fixtures/cost/mixed.json");
const EKS: &[u8] = include_bytes!("fixtures/eks-managed-ondemand.json");
const GKE: &[u8] = include_bytes!("fixtures/gke-standard-spot.json");
const AKS: &[u8] = include_bytes!("fixtures/aks-vmss-spot.json");
const HOSTILE: &[u8] = include_bytes!("fixtures/html/hostile.json");
const KEY: &[u8] = b"fixed test key, never use a constant key in a shell";

fn report_with(name: &str, bytes: &[u8], settings: &Settings) -> Report {
    let catalogue =
        Catalogue::from_bytes(include_bytes!("../data/catalogue.bin")).expect("catalogue");
    analyze(&[Input::new(name, bytes)], settings, Some(&catalogue), AT)
        .expect("fixture ingests")
        .report
}

fn report(name: &str, bytes: &[u8]) -> Report {
    report_with(name, bytes, &Settings::default())
}

/// The report as the CLI's JSON export writes it (recording `cluster`), read back.
fn saved(cluster: &str, r: &Report) -> Vec<u8> {
    render_report(
        r,
        &ExportOptions {
            format: ExportFormat::Json,
            cluster_name: Some(cluster.to_owned()),
            inputs: Vec::new(),
            anonymise_key: None,
            explain_nodes: false,
        },
    )
    .into_bytes()
}

fn member(input: &str, r: Report) -> Member {
    Member {
        input: input.to_owned(),
        report: r,
        warnings: Vec::new(),
    }
}

fn three() -> Vec<Member> {
    [("eks", EKS), ("gke", GKE), ("aks", AKS)]
        .into_iter()
        .map(|(name, bytes)| {
            let json = saved(name, &report(&format!("{name}.json"), bytes));
            read::read(&format!("{name}.json"), &json)
                .expect("a saved report reads back")
                .remove(0)
        })
        .collect()
}

#[test]
fn saved_reports_read_back_equal_and_merge_whole() {
    let members = three();
    let originals: Vec<Report> = members.iter().map(|m| m.report.clone()).collect();
    let fleet = fleet::merge(members, "2026-02-01T00:00:00Z");
    assert_eq!(fleet.schema, fleet::SCHEMA);
    assert_eq!(fleet.reports, originals, "every report is kept whole");
    let names: Vec<&str> = fleet.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["eks", "gke", "aks"]);
    for (c, r) in fleet.clusters.iter().zip(&originals) {
        assert_eq!(c.summary, r.summary);
        assert_eq!(c.prices_as_of, r.pricing.as_of);
    }
    let providers: Vec<&str> = fleet
        .locations
        .iter()
        .map(|l| l.provider.as_str())
        .collect();
    assert_eq!(providers.len(), 3, "{providers:?}");
    let located: f64 = fleet.locations.iter().map(|l| l.monthly_cost).sum();
    assert!((located - fleet.totals.monthly_cost).abs() < 1e-6);
    // One catalogue, three providers with their own dates: not a difference.
    assert!(fleet.warnings.is_empty(), "{:?}", fleet.warnings);
    // The fleet's own JSON reads back as the same reports.
    let again = read::read("fleet.json", to_json(&fleet).as_bytes()).expect("fleet JSON reads");
    let back: Vec<Report> = again.into_iter().map(|m| m.report).collect();
    assert_eq!(back, fleet.reports);
}

#[test]
fn the_most_expensive_rows_and_idlest_pools_come_from_every_cluster() {
    let fleet = fleet::merge(three(), AT);
    let mut costs: Vec<f64> = fleet
        .reports
        .iter()
        .flat_map(|r| r.workloads.iter().map(|w| w.monthly_cost))
        .collect();
    costs.sort_by(|a, b| b.total_cmp(a));
    costs.truncate(fleet::TOP_WORKLOADS);
    let top: Vec<f64> = fleet.top_workloads.iter().map(|w| w.monthly_cost).collect();
    assert_eq!(top, costs);
    let idle: Vec<f64> = fleet
        .idle_pools
        .iter()
        .map(|p| p.idle_monthly_cost)
        .collect();
    assert!(idle.windows(2).all(|w| w[0] >= w[1]), "{idle:?}");
    let pool_clusters: std::collections::BTreeSet<&str> = fleet
        .idle_pools
        .iter()
        .map(|p| p.cluster.as_str())
        .collect();
    assert_eq!(pool_clusters.len(), 3, "{pool_clusters:?}");
}

#[test]
fn duplicate_names_are_renamed_with_a_warning() {
    let r = report("mixed.json", MIXED);
    let json = saved("prod", &r);
    let mut members = read::read("monday.json", &json).expect("reads");
    members.extend(read::read("tuesday.json", &json).expect("reads"));
    let mut unnamed = r.clone();
    unnamed.cluster = None;
    members.push(member("reports/staging.json", unnamed));
    let fleet = fleet::merge(members, AT);
    let names: Vec<&str> = fleet.clusters.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["prod", "prod (2)", "staging"]);
    let w: Vec<&str> = fleet.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(w, ["merge_duplicate_cluster"]);
    assert!(fleet.warnings[0].message.contains("tuesday.json"));
    assert_eq!(fleet.reports[1].cluster.as_deref(), Some("prod (2)"));
}

#[test]
fn differences_in_prices_and_settings_are_named() {
    let a = report("mixed.json", MIXED);
    let mut b = report_with(
        "mixed.json",
        MIXED,
        &Settings {
            fallback_rates: Rates {
                cpu_core_hourly: 0.05,
                memory_gib_hourly: 0.005,
            },
            ..Settings::default()
        },
    );
    // An older catalogue for one provider.
    for s in &mut b.pricing.sources {
        if s.provider == kube_rightsize_core::model::Provider::Aws {
            s.as_of = Some("2025-01-01".to_owned());
        }
    }
    let fleet = fleet::merge(
        vec![
            member(
                "a.json",
                Report {
                    cluster: Some("a".into()),
                    ..a
                },
            ),
            member(
                "b.json",
                Report {
                    cluster: Some("b".into()),
                    ..b
                },
            ),
        ],
        AT,
    );
    let codes: Vec<&str> = fleet.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(
        codes,
        ["merge_prices_differ", "merge_cost_settings_differ"],
        "{:#?}",
        fleet.warnings
    );
    let prices = &fleet.warnings[0].message;
    assert!(prices.contains("as of 2025-01-01 (b)"), "{prices}");
    assert!(prices.contains("for aws nodes"), "{prices}");
    let settings = &fleet.warnings[1].message;
    assert!(settings.contains("$0.05/core-h"), "{settings}");
}

fn summary(n: [usize; 5], money: [f64; 6]) -> Summary {
    Summary {
        nodes: n[0],
        pods: n[1],
        workloads: n[2],
        namespaces: n[3],
        monthly_cost: money[0],
        allocated_monthly_cost: money[1],
        idle_monthly_cost: money[2],
        recommended_monthly_cost: money[3],
        monthly_savings: money[4],
        hourly_cost: money[5],
        estimated_nodes: n[4],
        gpus: 0,
        requested_gpus: 0,
        gpu_monthly_cost: 0.0,
        idle_gpu_monthly_cost: 0.0,
        storage_monthly_cost: money[2] / 3.0,
        idle_storage_monthly_cost: money[2] / 7.0,
        load_balancer_monthly_cost: money[4] / 5.0,
        control_plane_monthly_cost: 73.0,
        bill_monthly_cost: Some(money[0] + money[2] / 3.0 + money[4] / 5.0 + 73.0),
        // Every other report was made with discounts.
        list_monthly_cost: n[4].is_multiple_of(2).then(|| money[0] * 1.25),
        list_bill_monthly_cost: n[4]
            .is_multiple_of(2)
            .then(|| money[0] * 1.25 + money[2] / 3.0 + money[4] / 5.0 + 73.0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the reports say, the fleet keeps each cluster's figures and sums them.
    #[test]
    fn totals_are_the_sums_and_clusters_keep_their_figures(
        summaries in prop::collection::vec(
            (prop::array::uniform5(0usize..100_000), prop::array::uniform6(0.0f64..1e7)),
            0..12,
        )
    ) {
        let base = report("eks.json", EKS);
        let reports: Vec<Report> = summaries
            .iter()
            .enumerate()
            .map(|(i, (n, m))| Report {
                cluster: Some(format!("c{i}")),
                summary: summary(*n, *m),
                ..base.clone()
            })
            .collect();
        let fleet = fleet::merge(
            reports.iter().map(|r| member("x.json", r.clone())).collect(),
            AT,
        );
        prop_assert_eq!(&fleet.reports, &reports);
        for (c, r) in fleet.clusters.iter().zip(&reports) {
            prop_assert_eq!(&c.summary, &r.summary);
        }
        let t = &fleet.totals;
        let sum = |f: fn(&Summary) -> f64| reports.iter().map(|r| f(&r.summary)).sum::<f64>();
        let count = |f: fn(&Summary) -> usize| reports.iter().map(|r| f(&r.summary)).sum::<usize>();
        prop_assert_eq!(t.monthly_cost, sum(|s| s.monthly_cost));
        prop_assert_eq!(t.allocated_monthly_cost, sum(|s| s.allocated_monthly_cost));
        prop_assert_eq!(t.idle_monthly_cost, sum(|s| s.idle_monthly_cost));
        prop_assert_eq!(t.recommended_monthly_cost, sum(|s| s.recommended_monthly_cost));
        prop_assert_eq!(t.monthly_savings, sum(|s| s.monthly_savings));
        prop_assert_eq!(t.hourly_cost, sum(|s| s.hourly_cost));
        prop_assert_eq!(t.storage_monthly_cost, sum(|s| s.storage_monthly_cost));
        prop_assert_eq!(t.idle_storage_monthly_cost, sum(|s| s.idle_storage_monthly_cost));
        prop_assert_eq!(t.load_balancer_monthly_cost, sum(|s| s.load_balancer_monthly_cost));
        prop_assert_eq!(t.control_plane_monthly_cost, sum(|s| s.control_plane_monthly_cost));
        prop_assert_eq!(t.bill_monthly_cost, Some(sum(|s| s.bill_monthly_cost.unwrap_or(0.0))));
        // List prices: a report without discounts counts at its (list) prices.
        let discounted = reports.iter().any(|r| r.summary.list_monthly_cost.is_some());
        prop_assert_eq!(
            t.list_monthly_cost,
            discounted.then(|| sum(|s| s.list_monthly_cost.unwrap_or(s.monthly_cost)))
        );
        prop_assert_eq!(
            t.list_bill_monthly_cost,
            discounted.then(|| sum(|s| s
                .list_bill_monthly_cost
                .unwrap_or(s.bill_monthly_cost.unwrap_or(0.0))))
        );
        prop_assert_eq!(t.nodes, count(|s| s.nodes));
        prop_assert_eq!(t.pods, count(|s| s.pods));
        prop_assert_eq!(t.workloads, count(|s| s.workloads));
        prop_assert_eq!(t.namespaces, count(|s| s.namespaces));
        prop_assert_eq!(t.estimated_nodes, count(|s| s.estimated_nodes));
        prop_assert_eq!(fleet.clusters.len(), reports.len());
    }
}

fn read_err(bytes: &[u8]) -> String {
    read::read("in.json", bytes)
        .expect_err("not a report")
        .to_string()
}

#[test]
fn unreadable_files_are_located_with_a_hint() {
    let json = String::from_utf8(saved("prod", &report("eks.json", EKS))).expect("utf-8");
    let cut = &json[..json.len() / 2];
    let e = read_err(cut.as_bytes());
    assert!(e.starts_with("in.json:"), "{e}");
    assert!(e.contains("ends too early") && e.contains("hint: "), "{e}");

    let e = read_err(b"{\"schema\": \"kube-rightsize/report/v1\",\n  oops}");
    assert!(e.starts_with("in.json:2:3: not valid JSON"), "{e}");

    let wrong = json.replacen(
        "\"monthly_cost\": ",
        "\"monthly_cost\": \"lots\", \"x\": ",
        1,
    );
    let e = read_err(wrong.as_bytes());
    assert!(
        e.contains("at `summary.monthly_cost`: invalid type: string"),
        "{e}"
    );

    let e = read_err(MIXED);
    assert!(e.contains("a cluster snapshot"), "{e}");
    assert!(e.contains("kube-rightsize analyze"), "{e}");

    let e = read_err(b"{\"schema\": \"kube-rightsize/prices/v1\"}");
    assert!(
        e.contains("schema `kube-rightsize/prices/v1` is not a kube-rightsize report"),
        "{e}"
    );
    assert!(read_err(b"").contains("empty"));
    assert!(read_err(b"\xff\xfe{}").contains("not UTF-8"));
    assert!(read_err(b"[1, 2]").contains("no `schema`"));
    let e = read_err(b"{\"schema\": \"kube-rightsize/fleet/v1\", \"reports\": [{\"schema\": 1}]}");
    assert!(e.contains("at `reports[0].schema`"), "{e}");
}

#[test]
fn long_strings_are_shortened_with_a_warning() {
    let mut r = report("eks.json", EKS);
    let long = "n".repeat(5000);
    r.workloads[0].name = long.clone();
    r.nodes[0].name = long.clone();
    let json = kube_rightsize_core::report::json::to_json(&r);
    let members = read::read("edited.json", json.as_bytes()).expect("reads");
    let m = &members[0];
    assert!(m.report.workloads[0].name.chars().count() <= kube_rightsize_core::limits::MAX_CHARS);
    assert_ne!(m.report.workloads[0].name, long);
    assert_eq!(m.warnings.len(), 1);
    assert_eq!(m.warnings[0].code, SHORTENED);
    assert!(
        m.warnings[0].message.contains("2 strings"),
        "{}",
        m.warnings[0].message
    );
    let fleet = fleet::merge(members, AT);
    assert_eq!(fleet.warnings[0].code, SHORTENED);
}

fn fleet_html(f: &Fleet) -> String {
    render(
        f,
        &FleetExport {
            format: ExportFormat::Html,
            anonymise_key: None,
        },
    )
}

fn element<'a>(html: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = html.find(&open).expect("element") + open.len();
    let end = html[start..].find(&format!("</{tag}>")).expect("closed") + start;
    &html[start..end]
}

#[test]
fn the_fleet_page_keeps_the_reports_guarantees() {
    let hostile = report("hostile.json", HOSTILE);
    let members = vec![
        member(
            "hostile.json",
            Report {
                cluster: Some("<script>alert(1)</script>".into()),
                ..hostile
            },
        ),
        member("eks.json", report("eks.json", EKS)),
    ];
    let fleet = fleet::merge(members, AT);
    let html = fleet_html(&fleet);
    assert_eq!(html, fleet_html(&fleet), "deterministic");
    assert_eq!(element(&html, "style"), CSS);
    assert_eq!(element(&html, "script"), SCRIPT);
    let meta = html
        .split("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("CSP meta");
    assert_eq!(
        meta,
        format!(
            "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
            csp_hash(CSS),
            csp_hash(SCRIPT)
        )
    );
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the sorting script"
    );
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("s3cr3t"), "no secret reaches a fleet page");
    for id in [
        "clusters",
        "locations",
        "top",
        "idle-pools",
        "workloads",
        "nodes",
        "namespaces",
        "repack",
        "warnings",
        "method",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    // Every workload of every cluster is in the page, with its cluster.
    let rows = html.matches("</tr>\n").count();
    let expected: usize = fleet
        .reports
        .iter()
        .map(|r| {
            r.workloads.len()
                + r.nodes.len()
                + r.namespaces.len()
                + r.warnings.len()
                + r.repack.as_ref().map_or(0, |p| p.pools.len())
        })
        .sum::<usize>()
        + fleet.clusters.len()
        + fleet.locations.len()
        + fleet.top_workloads.len()
        + fleet.idle_pools.len();
    assert_eq!(rows, expected);
}

#[test]
fn csvs_lead_with_the_cluster_and_hold_every_row() {
    let fleet = fleet::merge(three(), AT);
    let csv = |format| {
        render(
            &fleet,
            &FleetExport {
                format,
                anonymise_key: None,
            },
        )
    };
    let nodes = csv(ExportFormat::NodesCsv);
    let lines: Vec<&str> = nodes.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("cluster,"), "{}", lines[0]);
    let total: usize = fleet.reports.iter().map(|r| r.nodes.len()).sum();
    assert_eq!(lines.len(), total + 1);
    assert!(lines[1].starts_with("eks,"));
    // Without the cluster column, each cluster's rows are its own report's CSV rows.
    let single = kube_rightsize_core::report::csv::nodes_csv(&fleet.reports[0]);
    let own: Vec<&str> = single
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .collect();
    for (line, own) in lines[1..].iter().zip(own) {
        let line = line.strip_prefix("eks,").expect("an eks row");
        // Another cluster of the fleet has GPUs, so every row ends with the 7 GPU columns.
        let gpu = line.strip_prefix(own).expect("the report's own row first");
        assert_eq!(gpu.matches(',').count(), 7, "{line}");
    }
    let workloads = csv(ExportFormat::WorkloadsCsv);
    assert!(
        workloads.starts_with("cluster,namespace,"),
        "{}",
        &workloads[..80]
    );
    let namespaces = csv(ExportFormat::NamespacesCsv);
    assert!(namespaces.starts_with("cluster,"));
}

#[test]
fn anonymised_fleets_hide_cluster_and_object_names() {
    let fleet = fleet::merge(three(), AT);
    for format in [
        ExportFormat::Table,
        ExportFormat::Json,
        ExportFormat::Html,
        ExportFormat::NodesCsv,
    ] {
        let out = render(
            &fleet,
            &FleetExport {
                format,
                anonymise_key: Some(KEY.to_vec()),
            },
        );
        for r in &fleet.reports {
            for n in &r.nodes {
                assert!(!out.contains(&n.name), "{format:?} shows node {}", n.name);
            }
        }
        for name in ["eks", "gke", "aks"] {
            assert!(
                !out.contains(&format!(">{name}<")),
                "{format:?} shows {name}"
            );
            assert!(
                !out.contains(&format!("\"{name}\"")),
                "{format:?} shows {name}"
            );
        }
    }
}
