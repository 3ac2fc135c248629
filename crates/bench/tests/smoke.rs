//! Smoke test: the bench runs end to end on a small snapshot (one repetition) and every
//! measurement produces a row. Benchmarks are not tests: no time is asserted here.

use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_krs-bench");
/// The committed demo cluster (`cargo xtask gen --preset demo`: 17 nodes in 4 pools, 213 pods).
const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../static/demo/cluster.json"
);

fn jq_available() -> bool {
    Command::new("jq")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn one_repetition_on_the_demo_gives_every_row() {
    let dir = std::env::temp_dir().join(format!("krs-bench-smoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json_out = dir.join("results.json");
    let out = Command::new(BIN)
        .args(["run", "--reps", "1", "--no-cli", "--json"])
        .arg(&json_out)
        .arg(DEMO)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("| measurement | wall median | wall min |"),
        "{stdout}"
    );
    assert!(!stdout.contains("disagree"), "{stdout}");

    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    let series = v[0]["series"].as_array().unwrap();
    let kinds: Vec<&str> = series.iter().map(|s| s["kind"].as_str().unwrap()).collect();
    let mut want = vec!["parse", "analysis", "report"];
    if jq_available() {
        want.push("jq");
    }
    assert_eq!(kinds, want);
    for s in series {
        assert_eq!(s["wall_ms"].as_array().unwrap().len(), 1, "{s}");
        // Every measurement saw the same containers: the demo has some with CPU requests.
        let explicit = &s["containers_with_cpu"];
        let defaulted = &s["containers_with_cpu_defaulted"];
        if s["kind"] == "parse" || s["kind"] == "jq" {
            assert!(explicit.as_u64().unwrap() > 0, "{s}");
            assert_eq!(explicit, &series[0]["containers_with_cpu"]);
        }
        if s["kind"] != "jq" {
            assert!(defaulted.as_u64().unwrap() > 0, "{s}");
            assert_eq!(defaulted, &series[0]["containers_with_cpu_defaulted"]);
        }
    }
    let report = &series[2]["samples"][0];
    assert_eq!(report["pods"], series[0]["samples"][0]["pods"]);
    assert!(report["json_bytes"].as_u64().unwrap() > 0);
    assert!(report["html_bytes"].as_u64().unwrap() > 0);
    assert!(report["peak_kib"].as_u64().unwrap() > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_and_inputs_fail_cleanly() {
    let out = Command::new(BIN).args(["run"]).output().unwrap();
    assert!(!out.status.success());
    let out = Command::new(BIN)
        .args(["one", "parse", "/nonexistent/snapshot.json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}
