//! `kube-rightsize merge`: reports saved by `analyze --format json` (each cluster where it
//! lives) merged into one fleet report, in every format, by the built binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures");
const AT: &str = "--generated-at=2026-02-01T00:00:00Z";

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("binary runs")
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("binary runs")
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

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("krs-merge-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Analyses three fixtures as three clusters' jobs would: `prod` and `staging` named, the third
/// named after its file.
fn saved_reports(d: &Path) -> Vec<String> {
    let mut paths = Vec::new();
    for (fixture, name) in [
        ("eks-managed-ondemand.json", Some("prod")),
        ("gke-standard-spot.json", Some("staging")),
        ("cost/mixed.json", None),
    ] {
        let out = d.join(format!("{}.json", name.unwrap_or("mixed")));
        let out = out.to_str().expect("UTF-8 path").to_owned();
        let input = format!("{FIXTURES}/{fixture}");
        let mut args = vec!["analyze", &input, "--format", "json", "-o", &out, AT];
        if let Some(n) = name {
            args.extend(["--cluster-name", n]);
        }
        ok(&run(&args));
        paths.push(out);
    }
    paths
}

fn json(path: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("JSON")
}

#[test]
fn merged_json_keeps_each_report_and_sums_them() {
    let d = dir("json");
    let paths = saved_reports(&d);
    let mut args = vec!["merge", "--format", "json", AT];
    args.extend(paths.iter().map(String::as_str));
    let fleet: serde_json::Value = serde_json::from_str(&ok(&run(&args))).expect("fleet JSON");
    assert_eq!(fleet["schema"], "kube-rightsize/fleet/v1");
    let names: Vec<&str> = fleet["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["prod", "staging", "mixed"]);
    let mut monthly = 0.0;
    let mut pods = 0;
    for (i, p) in paths.iter().enumerate() {
        let alone = json(p);
        let mut kept = fleet["reports"][i].clone();
        assert_eq!(kept["cluster"], names[i]);
        kept["cluster"] = alone["cluster"].clone();
        assert_eq!(kept, alone, "report {i} is kept whole");
        assert_eq!(fleet["clusters"][i]["summary"], alone["summary"]);
        monthly += alone["summary"]["monthly_cost"].as_f64().expect("cost");
        pods += alone["summary"]["pods"].as_u64().expect("pods");
    }
    assert_eq!(fleet["totals"]["monthly_cost"].as_f64(), Some(monthly));
    assert_eq!(fleet["totals"]["pods"].as_u64(), Some(pods));
}

#[test]
fn every_format_and_a_fleet_file_as_input() {
    let d = dir("formats");
    let paths = saved_reports(&d);
    let text = ok(&run(&["merge", &paths[0], &paths[1], AT]));
    assert!(
        text.starts_with("kube-rightsize fleet report, generated 2026-02-01T00:00:00Z: 2 clusters")
    );
    assert!(text.contains("\n  prod "), "{text}");
    let html_path = d.join("fleet.html");
    let html_path = html_path.to_str().expect("path");
    let o = run(&[
        "merge", &paths[0], &paths[1], "--format", "html", "-o", html_path, AT,
    ]);
    ok(&o);
    let html = std::fs::read_to_string(html_path).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("a fleet of 2 clusters"));
    let csv = ok(&run(&[
        "merge",
        &paths[0],
        &paths[1],
        "--format",
        "csv-nodes",
        AT,
    ]));
    assert!(csv.starts_with("cluster,name,provider,"), "{csv}");
    assert!(csv.contains("\r\nprod,") && csv.contains("\r\nstaging,"));

    // A fleet file merges again with another report: three clusters.
    let fleet_path = d.join("fleet.json");
    let fleet_path = fleet_path.to_str().expect("path");
    ok(&run(&[
        "merge", &paths[0], &paths[1], "-f", "json", "-o", fleet_path, AT,
    ]));
    let again = ok(&run(&["merge", fleet_path, &paths[2], "-f", "json", AT]));
    let again: serde_json::Value = serde_json::from_str(&again).expect("JSON");
    assert_eq!(again["clusters"].as_array().map(Vec::len), Some(3));

    // Standard input.
    let bytes = std::fs::read(&paths[0]).expect("read");
    let o = run_stdin(&["merge", "-", &paths[1], "-f", "json", AT], &bytes);
    let v: serde_json::Value = serde_json::from_str(&ok(&o)).expect("JSON");
    assert_eq!(v["clusters"][0]["name"], "prod");

    // Anonymised: no cluster or node names.
    let anon = ok(&run(&[
        "merge",
        &paths[0],
        &paths[1],
        "--anonymize",
        "-f",
        "json",
        AT,
    ]));
    assert!(!anon.contains("\"prod\"") && !anon.contains("\"staging\""));
    let prod = json(&paths[0]);
    let node = prod["nodes"][0]["name"].as_str().expect("node");
    assert!(!anon.contains(node));
}

#[test]
fn the_same_cluster_twice_and_differences_are_warned_about() {
    let d = dir("warn");
    let paths = saved_reports(&d);
    let o = run(&["merge", &paths[0], &paths[0], "-f", "json", AT]);
    let out = ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is another report of cluster prod"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["clusters"][1]["name"], "prod (2)");
    // Different fallback rates: named, with the clusters.
    let other = d.join("other.json");
    let other = other.to_str().expect("path");
    ok(&run(&[
        "analyze",
        &format!("{FIXTURES}/cost/mixed.json"),
        "--fallback-rates",
        "0.05,0.005",
        "--cluster-name",
        "other",
        "-f",
        "json",
        "-o",
        other,
        AT,
    ]));
    let text = ok(&run(&["merge", &paths[2], other, AT]));
    assert!(text.contains("[merge_cost_settings_differ]"), "{text}");
    assert!(
        text.contains("(other)") && text.contains("(mixed)"),
        "{text}"
    );
}

#[test]
fn unreadable_reports_exit_1_located() {
    let d = dir("bad");
    let snapshot = format!("{FIXTURES}/cost/mixed.json");
    let o = run(&["merge", &snapshot, AT]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with(&format!(
            "error: {snapshot}: this is a Kubernetes object list"
        )),
        "{err}"
    );
    assert!(err.contains("\nhint: analyse each cluster first"), "{err}");
    let cut = d.join("cut.json");
    let paths = saved_reports(&d);
    let bytes = std::fs::read(&paths[0]).expect("read");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).expect("write");
    let o = run(&["merge", cut.to_str().expect("path"), AT]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cut.json:") && err.contains("ends too early"),
        "{err}"
    );
    let o = run(&["merge", "-", "-", AT]);
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["merge"]);
    assert_eq!(o.status.code(), Some(1));
}

/// `analyze --fleet`: each snapshot a cluster of its own, the KRR result with the cluster whose
/// workloads it names; the same fleet, byte for byte, as analysing each cluster alone and
/// merging the reports.
#[test]
fn analyze_fleet_is_merge_of_each_cluster_analysed_alone() {
    let d = dir("analyze-fleet");
    let copy = |from: &str, to: &str| {
        let to = d.join(to);
        std::fs::copy(format!("{FIXTURES}/{from}"), &to).expect("copy");
        to.to_str().expect("UTF-8 path").to_owned()
    };
    let prod = copy("krr/cluster.json", "prod.json");
    let krr = copy("krr/small.json", "krr.json");
    let staging = copy("gke-standard-spot.json", "staging.json");
    let alone = |args: &[&str], name: &str| {
        let out = d.join(format!("{name}-alone.json"));
        let out = out.to_str().expect("UTF-8 path").to_owned();
        let mut all = vec!["analyze"];
        all.extend(args);
        all.extend(["--cluster-name", name, "-f", "json", "-o", &out, AT]);
        ok(&run(&all));
        out
    };
    let reports = [
        alone(&[&prod, "--krr", &krr], "prod"),
        alone(&[&staging], "staging"),
    ];
    for format in ["json", "table", "html", "csv"] {
        let merged = ok(&run(&["merge", &reports[0], &reports[1], "-f", format, AT]));
        let fleet = ok(&run(&[
            "analyze", "--fleet", &prod, &staging, "--krr", &krr, "-f", format, AT,
        ]));
        assert!(
            fleet == merged,
            "{format}: analyze --fleet differs from merge"
        );
    }
    // One cluster: the usual report, with the name given.
    let one = ok(&run(&[
        "analyze",
        "--fleet",
        &prod,
        "--cluster-name",
        "eu",
        "-f",
        "json",
        AT,
    ]));
    assert!(one.contains("\"kube-rightsize/report/v1\""), "{one}");
    assert!(one.contains("\"cluster\": \"eu\""), "{one}");
    // Several: a name for one cluster names none of them, and says so.
    let named = run(&[
        "analyze",
        "--fleet",
        &prod,
        &staging,
        "--cluster-name",
        "eu",
        "-f",
        "json",
        AT,
    ]);
    let stderr = String::from_utf8_lossy(&named.stderr);
    assert!(
        stderr.contains("--cluster-name is not used: the snapshots are 2 clusters"),
        "{stderr}"
    );
    assert!(!ok(&named).contains("\"eu\""));
}
