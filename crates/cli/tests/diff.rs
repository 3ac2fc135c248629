//! `kube-rightsize diff`: two reports or snapshots of one cluster compared, and two fleets
//! cluster by cluster, by the built binary.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../static/demo/cluster.json"
);
const KRR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../static/demo/krr.json");
const AT: &str = "--generated-at=2026-12-01T00:00:00Z";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("binary runs")
}

fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).expect("UTF-8")
}

fn temp(name: &str) -> String {
    let d = std::env::temp_dir().join(format!("krs-diff-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d.join(name).to_str().expect("UTF-8").to_owned()
}

#[test]
fn snapshots_are_analysed_and_the_recommendations_of_before_followed_up() {
    // The same snapshot twice, recommendations for BEFORE: nothing changed, everything open.
    let out = ok(&run(&["diff", DEMO, DEMO, "--krr", KRR, "-f", "json", AT]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["schema"], "kube-rightsize/diff/v1");
    assert_eq!(
        v["before"]["cluster"],
        serde_json::Value::Null,
        "a snapshot names no cluster"
    );
    let r = &v["realised"];
    assert_eq!(r["had_recommendations"], true);
    assert_eq!(r["applied"], 0);
    assert!(r["open"].as_u64().expect("open") > 50, "{r}");
    assert_eq!(v["workloads"].as_array().map(Vec::len), Some(0));
    let savings = v["summary"]
        .as_array()
        .expect("summary")
        .iter()
        .find(|s| s["name"] == "monthly_savings")
        .expect("savings row");
    assert!(savings["before"].as_f64().expect("before") > 0.0);
    assert_eq!(savings["after"], 0.0, "AFTER was analysed without --krr");
}

#[test]
fn reports_compare_in_every_format() {
    let before = temp("before.json");
    let after = temp("after.json");
    ok(&run(&[
        "analyze",
        DEMO,
        "--krr",
        KRR,
        "--cluster-name",
        "prod",
        "-f",
        "json",
        "-o",
        &before,
        AT,
    ]));
    ok(&run(&[
        "analyze",
        DEMO,
        "--price",
        "m5.xlarge=0.5",
        "--cluster-name",
        "prod",
        "-f",
        "json",
        "-o",
        &after,
        AT,
    ]));
    let text = ok(&run(&["diff", &before, &after, AT]));
    assert!(text.starts_with("kube-rightsize comparison: prod on 2026-12-01T00:00:00Z → prod"));
    assert!(text.contains("[merge_prices_differ]"), "{text}");
    assert!(text.contains("The earlier report promised $"), "{text}");
    let html_path = temp("diff.html");
    let o = run(&["diff", &before, &after, "-f", "html", "-o", &html_path, AT]);
    ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("warning: The reports differ in price sources")
    );
    let html = std::fs::read_to_string(&html_path).expect("html");
    assert!(html.contains("<section id=\"realised\">"));
    let csv = ok(&run(&["diff", &before, &after, "-f", "csv", AT]));
    assert!(csv.starts_with("namespace,kind,name,status,pods_before,"));
    let pools = ok(&run(&["diff", &before, &after, "-f", "csv-nodes", AT]));
    assert!(pools.starts_with("node_pool,status,"));
    // A report and a snapshot mix.
    ok(&run(&["diff", &before, DEMO, AT]));
}

#[test]
fn bad_inputs_exit_1() {
    let o = run(&["diff", DEMO]);
    assert_eq!(o.status.code(), Some(1), "one file is a usage error");
    let o = run(&["diff", DEMO, DEMO, DEMO]);
    assert_eq!(o.status.code(), Some(1));
    let fleet = temp("fleet.json");
    let report = temp("r.json");
    ok(&run(&["analyze", DEMO, "-f", "json", "-o", &report, AT]));
    ok(&run(&[
        "merge", &report, &report, "-f", "json", "-o", &fleet, AT,
    ]));
    let o = run(&["diff", "/nonexistent.json", &report, AT]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["diff", &fleet, "/nonexistent.json", AT]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn fleets_compare_cluster_by_cluster() {
    let report = |name: &str, krr: bool| {
        let path = temp(&format!("fleets-{name}-{krr}.json"));
        let mut args = vec![
            "analyze",
            DEMO,
            "-f",
            "json",
            "-o",
            &path,
            "--cluster-name",
            name,
        ];
        if krr {
            args.extend(["--krr", KRR]);
        }
        args.push(AT);
        ok(&run(&args));
        path
    };
    let fleet = |name: &str, reports: &[&str]| {
        let path = temp(name);
        let mut args = vec!["merge"];
        args.extend(reports);
        args.extend(["-f", "json", "-o", &path, AT]);
        ok(&run(&args));
        path
    };
    // Before: prod (with KRR) and staging; after: prod again (without) and a new dev.
    let (prod, staging) = (report("prod", true), report("staging", false));
    let (prod2, dev) = (report("prod", false), report("dev", false));
    // (File names of their own: the tests of this binary share one temporary folder.)
    let before = fleet("fleets-before.json", &[&prod, &staging]);
    let after = fleet("fleets-after.json", &[&prod2, &dev]);
    let out = ok(&run(&["diff", &before, &after, "-f", "json", AT]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["schema"], "kube-rightsize/fleet-diff/v1");
    let status: Vec<(String, String)> = v["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| {
            let status = match (c["before"].is_null(), c["after"].is_null()) {
                (true, _) => "added",
                (_, true) => "removed",
                _ => "changed",
            };
            (
                c["name"].as_str().expect("name").to_owned(),
                status.to_owned(),
            )
        })
        .collect();
    for (name, expected) in [
        ("prod", "changed"),
        ("staging", "removed"),
        ("dev", "added"),
    ] {
        assert!(
            status.contains(&(name.to_owned(), expected.to_owned())),
            "{name} {expected}: {status:?}"
        );
    }
    let comparisons = v["comparisons"].as_array().expect("comparisons");
    assert_eq!(comparisons.len(), 1, "prod is in both");
    assert_eq!(comparisons[0]["schema"], "kube-rightsize/diff/v1");
    assert!(
        v["open_monthly_savings"].as_f64().expect("open") > 0.0,
        "prod had KRR"
    );
    // The fleet's cost change is the sum of the clusters' changes.
    let sum: f64 = v["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c["change"].as_f64().expect("change"))
        .sum();
    let total = v["summary"]
        .as_array()
        .expect("summary")
        .iter()
        .find(|c| c["name"] == "monthly_cost")
        .expect("monthly cost")["change"]
        .as_f64()
        .expect("change");
    assert!((sum - total).abs() < 1e-6, "{sum} vs {total}");
    // Every format.
    let text = ok(&run(&["diff", &before, &after, AT]));
    assert!(
        text.starts_with("kube-rightsize fleet comparison: 2 clusters"),
        "{text}"
    );
    assert!(text.contains("── prod ──"));
    let html = ok(&run(&["diff", &before, &after, "-f", "html", AT]));
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("default-src 'none'"));
    assert!(html.contains("<section id=\"clusters\">"));
    let csv = ok(&run(&["diff", &before, &after, "-f", "csv", AT]));
    assert!(
        csv.starts_with("cluster,namespace,kind,name,status,"),
        "{csv}"
    );
    let pools = ok(&run(&["diff", &before, &after, "-f", "csv-nodes", AT]));
    assert!(pools.starts_with("cluster,node_pool,status,"), "{pools}");
    // A fleet against one report: the report is a fleet of one.
    let one = ok(&run(&["diff", &before, &prod2, "-f", "json", AT]));
    let v: serde_json::Value = serde_json::from_str(&one).expect("JSON");
    assert_eq!(v["comparisons"].as_array().map(Vec::len), Some(1));
    let one = ok(&run(&["diff", &before, &prod2, AT]));
    assert!(one.contains(" → 1 cluster on "), "{one}");
}
