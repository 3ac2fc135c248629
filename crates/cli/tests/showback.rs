//! `analyze --group-by` (showback) and `--format focus`, running the built binary on the bill
//! fixtures.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const EKS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../core/tests/fixtures/bill/eks.json"
);

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .args([
            "--generated-at",
            "2026-11-26T07:00:00Z",
            "--price",
            "m5.large=0.096",
        ])
        .output()
        .expect("binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn group_by_adds_the_costs_by_section_and_the_json_allocation() {
    let o = run(&["analyze", EKS, "--group-by", "app", "--idle", "node"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("Costs by app ("), "{out}");
    assert!(
        out.contains("Rule: each node's idle cost is shared"),
        "{out}"
    );
    assert!(out.contains("Total (the bill)"), "{out}");

    let o = run(&[
        "analyze",
        EKS,
        "--format",
        "json",
        "--group-by",
        "app,team",
        "--shared-namespaces",
        "kube-system,monitoring",
        "--shared-split",
        "even",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let a = &report["allocation"];
    assert_eq!(a["keys"], serde_json::json!(["app", "team"]));
    // The labels were kept while the snapshot was streamed in: the pods' `app` values are
    // groups of their own.
    let names: Vec<&str> = a["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["values"][0].as_str().unwrap())
        .collect();
    assert!(names.contains(&"api") && names.contains(&"db"), "{names:?}");
    assert_eq!(a["rules"]["shared_split"], "even");
    assert_eq!(
        a["rules"]["shared_namespaces"],
        serde_json::json!(["kube-system", "monitoring"])
    );
    let bill = report["summary"]["bill_monthly_cost"].as_f64().unwrap();
    assert!((a["total_monthly_cost"].as_f64().unwrap() - bill).abs() < 1e-9);

    // Without --group-by the report has no allocation at all.
    let o = run(&["analyze", EKS, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(report.get("allocation").is_none());
}

#[test]
fn focus_rows_sum_to_the_bill() {
    let o = run(&["analyze", EKS, "--format", "focus", "--group-by", "app"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = text(&o.stdout);
    let mut lines = csv.split("\r\n").filter(|l| !l.is_empty());
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 43);
    let billed = header.iter().position(|h| *h == "BilledCost").unwrap();
    // BilledCost comes before any quoted cell, so a plain split finds it.
    let total: f64 = lines
        .map(|l| l.split(',').nth(billed).unwrap().parse::<f64>().unwrap())
        .sum();
    let o = run(&["analyze", EKS, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let bill = report["summary"]["bill_monthly_cost"].as_f64().unwrap();
    assert!((total - bill).abs() < 1e-6 * bill, "{total} vs {bill}");
}

#[test]
fn bad_values_are_refused_in_the_rules_words() {
    for (flag, value, words) in [
        (
            "--group-by",
            "a,b,c",
            "at most 2 label keys can be combined",
        ),
        (
            "--idle",
            "spread",
            "the idle rule must be one of separate, cluster, node",
        ),
        (
            "--shared-split",
            "random",
            "the shared split must be one of proportional, even",
        ),
        (
            "--shared-namespaces",
            "Kube_System",
            "is not a namespace name",
        ),
    ] {
        let o = run(&["analyze", EKS, flag, value]);
        assert_eq!(o.status.code(), Some(1), "{flag} {value}");
        assert!(text(&o.stderr).contains(words), "{}", text(&o.stderr));
    }
}
