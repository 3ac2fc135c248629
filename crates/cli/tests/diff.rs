//! `kube-rightsize diff`: two reports or snapshots of one cluster compared, by the built binary.

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
    let o = run(&["diff", &fleet, &report, AT]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is a fleet of 2 reports"));
    let o = run(&["diff", "/nonexistent.json", &report, AT]);
    assert_eq!(o.status.code(), Some(1));
}
