//! The scheduled-run example (`examples/scheduled/`) run as its CronJob and CI pipeline would:
//! two clusters, three "days", each day's snapshot taken by a stand-in for `kubectl` that prints
//! that day's cluster, analysed by the built binary through `snapshot-and-analyze.sh`; then
//! `fleet.sh` merges each day and compares each cluster with the day before. The day-2 snapshot
//! has one workload's recommendations applied, the day-3 snapshot lost a node pool: the merged and
//! compared reports must say so. The kustomization builds with Debian's kubectl (`KRS_KUBECTL`,
//! as in the patch tests) into a read-only ClusterRole and a CronJob running the script.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn example(file: &str) -> PathBuf {
    Path::new(ROOT).join("examples/scheduled").join(file)
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("krs-scheduled-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn sh(script: &Path, env: &[(&str, &str)]) -> String {
    let out = Command::new("sh")
        .arg(script)
        .envs(env.iter().copied())
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "{} failed:\n{}\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes an executable shell script.
fn script(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn json_file(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .expect("JSON")
}

/// The demo cluster on day 1, 2 (promotions' recommendations applied) or 3 (also without the
/// `memory` pool's nodes and their pods).
fn demo_day(day: u32) -> Value {
    let mut v: Value = serde_json::from_slice(
        &std::fs::read(Path::new(ROOT).join("static/demo/cluster.json")).expect("demo"),
    )
    .expect("demo JSON");
    let items = v["items"].as_array_mut().expect("List");
    if day >= 2 {
        for pod in items.iter_mut().filter(|i| {
            i["kind"] == "Pod"
                && i["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("promotions-"))
        }) {
            for c in pod["spec"]["containers"]
                .as_array_mut()
                .expect("containers")
            {
                if c["name"] == "promotions" {
                    c["resources"] = json!({"requests": {"cpu": "32m", "memory": "100Mi"}});
                }
            }
        }
    }
    if day >= 3 {
        let memory: Vec<Value> = items
            .iter()
            .filter(|i| {
                i["kind"] == "Node"
                    && i["metadata"]["labels"]
                        .as_object()
                        .is_some_and(|l| l.values().any(|v| v == "memory"))
            })
            .map(|n| n["metadata"]["name"].clone())
            .collect();
        assert_eq!(memory.len(), 3, "the demo's memory pool");
        items.retain(|i| {
            !(memory.contains(&i["metadata"]["name"]) || memory.contains(&i["spec"]["nodeName"]))
        });
    }
    v
}

#[test]
fn three_days_of_two_clusters_merge_and_compare() {
    let dir = temp("days");
    let reports = dir.join("reports");
    // The stand-in for kubectl: logs its arguments, prints the snapshot it is given.
    let kubectl = dir.join("kubectl");
    script(
        &kubectl,
        "#!/bin/sh\necho \"$@\" >> \"$FAKE_LOG\"\ncat \"$FAKE_SNAPSHOT\"\n",
    );
    let log = dir.join("kubectl.log");
    let staging = Path::new(ROOT).join("crates/core/tests/fixtures/eks-managed-ondemand.json");
    let krr = Path::new(ROOT).join("static/demo/krr.json");
    for day in 1..=3u32 {
        let date = format!("2026-11-0{day}");
        let prod = dir.join(format!("prod-day{day}.json"));
        std::fs::write(&prod, serde_json::to_vec(&demo_day(day)).expect("JSON")).expect("write");
        for (cluster, snapshot, with_krr) in [
            ("prod", prod.as_path(), true),
            ("staging", staging.as_path(), false),
        ] {
            let mut env = vec![
                ("CLUSTER", cluster),
                ("REPORTS", reports.to_str().expect("path")),
                ("DATE", date.as_str()),
                ("KUBECTL", kubectl.to_str().expect("path")),
                ("KUBE_RIGHTSIZE", BIN),
                ("FAKE_SNAPSHOT", snapshot.to_str().expect("path")),
                ("FAKE_LOG", log.to_str().expect("path")),
            ];
            if with_krr {
                env.push(("KRR_JSON", krr.to_str().expect("path")));
            }
            let out = sh(&example("snapshot-and-analyze.sh"), &env);
            assert!(out.contains(&format!("{date}/{cluster}.json")), "{out}");
        }
        let out = sh(
            &example("fleet.sh"),
            &[
                ("REPORTS", reports.to_str().expect("path")),
                ("KUBE_RIGHTSIZE", BIN),
            ],
        );
        assert!(out.contains("fleet.html"), "{out}");
        let fleet = json_file(&reports.join(&date).join("fleet/fleet.json"));
        let names: Vec<&str> = fleet["clusters"]
            .as_array()
            .expect("clusters")
            .iter()
            .map(|c| c["name"].as_str().expect("name"))
            .collect();
        assert_eq!(names, ["prod", "staging"], "day {day}");
        let alone = json_file(&reports.join(&date).join("prod.json"));
        assert_eq!(fleet["clusters"][0]["summary"], alone["summary"]);
        let changes = reports.join(&date).join("fleet/prod-changes.json");
        if day == 1 {
            assert!(!changes.exists(), "nothing to compare on the first day");
            continue;
        }
        let diff = json_file(&changes);
        assert_eq!(diff["before"]["cluster"], "prod");
        let realised = &diff["realised"];
        let staging_diff = json_file(&reports.join(&date).join("fleet/staging-changes.json"));
        assert_eq!(
            staging_diff["workloads"].as_array().map(Vec::len),
            Some(0),
            "staging did not change"
        );
        if day == 2 {
            assert_eq!(realised["applied"], 2, "promotions' CPU and memory");
            let saved = realised["monthly_savings"].as_f64().expect("savings");
            // At the day-1 prices: its pods run on spot nodes, at typical AWS spot prices.
            assert!((saved - 44.46).abs() < 0.01, "{saved}");
        } else {
            // Day 3: the day-2 report has recommendations again; promotions' are now met, and
            // the memory pool is gone.
            let pools: Vec<(&str, &str)> = diff["node_pools"]
                .as_array()
                .expect("pools")
                .iter()
                .map(|p| {
                    (
                        p["name"].as_str().expect("name"),
                        if p["after"].is_null() {
                            "removed"
                        } else {
                            "changed"
                        },
                    )
                })
                .collect();
            assert!(pools.contains(&("memory", "removed")), "{pools:?}");
            assert!(realised["gone"].as_u64().expect("gone") > 0);
            let nodes = diff["summary"]
                .as_array()
                .expect("summary")
                .iter()
                .find(|s| s["name"] == "nodes")
                .expect("nodes")
                .clone();
            assert_eq!(nodes["change"], -3.0);
        }
    }
    let calls = std::fs::read_to_string(&log).expect("log");
    assert_eq!(calls.lines().count(), 6);
    assert!(
        calls
            .lines()
            .all(|l| l == "get nodes,pods,deploy,rs,sts,ds,job,cronjob,hpa -A -o json")
    );
}

#[test]
fn a_failed_snapshot_fails_the_run_and_writes_no_report() {
    let dir = temp("failing");
    let kubectl = dir.join("kubectl");
    script(
        &kubectl,
        "#!/bin/sh\necho 'error: You must be logged in' >&2\nexit 1\n",
    );
    let reports = dir.join("reports");
    let out = Command::new("sh")
        .arg(example("snapshot-and-analyze.sh"))
        .envs([
            ("CLUSTER", "prod"),
            ("REPORTS", reports.to_str().expect("path")),
            ("DATE", "2026-11-01"),
            ("KUBECTL", kubectl.to_str().expect("path")),
            ("KUBE_RIGHTSIZE", BIN),
        ])
        .output()
        .expect("sh runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("You must be logged in"), "{err}");
    assert!(!reports.join("2026-11-01/prod.json").exists());
    let out = Command::new("sh")
        .arg(example("snapshot-and-analyze.sh"))
        .env_remove("CLUSTER")
        .output()
        .expect("sh runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("set CLUSTER"));
}

#[test]
fn the_cronjob_builds_with_kubectl_and_only_reads() {
    let kubectl = std::env::var("KRS_KUBECTL").unwrap_or_else(|_| "kubectl".to_owned());
    let out = Command::new(&kubectl)
        .arg("kustomize")
        .arg(Path::new(ROOT).join("examples/scheduled"))
        .output()
        .unwrap_or_else(|e| panic!("{kubectl} does not start ({e}): install kubernetes-client or run `cargo xtask test`"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let yaml = String::from_utf8(out.stdout).expect("UTF-8");
    let docs: Vec<&str> = yaml.split("\n---\n").collect();
    let kind = |k: &str| {
        docs.iter()
            .find(|d| {
                d.contains(&format!("\nkind: {k}\n")) || d.starts_with(&format!("kind: {k}\n"))
            })
            .unwrap_or_else(|| panic!("no {k} in\n{yaml}"))
    };
    // Read-only: the role's verbs are get and list, nothing else.
    let role = kind("ClusterRole");
    let verbs: Vec<&str> = role
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.starts_with("- ")
                && [
                    "get",
                    "list",
                    "watch",
                    "create",
                    "update",
                    "patch",
                    "delete",
                    "deletecollection",
                    "\"*\"",
                    "'*'",
                ]
                .contains(&&l[2..])
        })
        .map(|l| &l[2..])
        .collect();
    assert!(!verbs.is_empty());
    assert!(
        verbs.iter().all(|v| *v == "get" || *v == "list"),
        "{verbs:?}"
    );
    assert!(!role.contains("secrets") && !role.contains("configmaps"));
    // The CronJob runs the script from the generated ConfigMap (its hashed name).
    let config = kind("ConfigMap");
    let script = std::fs::read_to_string(example("snapshot-and-analyze.sh")).expect("script");
    assert!(config.contains("snapshot-and-analyze.sh: |"));
    assert!(config.contains(script.lines().nth(20).expect("a line")));
    let name = config
        .lines()
        .find_map(|l| l.trim().strip_prefix("name: kube-rightsize-scripts"))
        .map(|suffix| format!("kube-rightsize-scripts{suffix}"))
        .expect("the ConfigMap's name");
    let cron = kind("CronJob");
    assert!(cron.contains(&format!("name: {name}")), "{cron}");
    assert!(cron.contains("/scripts/snapshot-and-analyze.sh"));
    assert!(cron.contains("serviceAccountName: kube-rightsize"));
}
