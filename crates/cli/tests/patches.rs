//! Proof that the patches apply: the CLI's `patches` output, run through a real `kubectl`
//! (`kubectl patch --local`, `kubectl kustomize`; Debian's kubernetes-client, which `cargo xtask
//! test` installs and names in `KRS_KUBECTL`), on the objects of the snapshot — or, for
//! snapshots of pods only, on the Deployment/StatefulSet/DaemonSet/CronJob built from a pod's
//! spec, as the cluster holds it. Each patched object must equal the original with exactly the
//! patch's cells changed (nothing else), the script's shell quoting must give kubectl exactly
//! the intended arguments, the YAML file must patch like the command, the kustomize set must
//! build, and a re-analysis of the snapshot with the patched specs must find every recommended
//! value in place and nothing left to patch.

use std::path::{Path, PathBuf};
use std::process::Command;

use kube_rightsize_core::analysis::{Settings, analyze};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::patch::{Change, Changes, ContainerPatch, Patches, WorkloadPatch};
use kube_rightsize_core::recommend::{self, StrategySettings};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn kubectl() -> String {
    std::env::var("KRS_KUBECTL").unwrap_or_else(|_| "kubectl".to_owned())
}

/// True for a kubectl older than 1.21 (Debian 12's is 1.20), which knows CronJobs only as
/// `batch/v1beta1`: it cannot patch a `batch/v1` CronJob locally (a server can). The pod
/// template is the same in both versions, so the tests give it `batch/v1beta1` objects.
fn legacy_cronjobs() -> bool {
    static LEGACY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *LEGACY.get_or_init(|| {
        let out = run(Command::new(kubectl()).args(["version", "--client", "-o", "json"]));
        let v: Value = serde_json::from_str(&out).expect("kubectl version JSON");
        let minor = v["clientVersion"]["minor"].as_str().unwrap_or("99");
        minor.trim_end_matches('+').parse::<u32>().unwrap_or(99) < 21
    })
}

/// `text` with `batch/v1` CronJobs as `batch/v1beta1` when [`legacy_cronjobs`].
fn for_kubectl(text: &str, kind: &str) -> String {
    if kind == "CronJob" && legacy_cronjobs() {
        text.replace("\"batch/v1\"", "\"batch/v1beta1\"")
            .replace("apiVersion: batch/v1\n", "apiVersion: batch/v1beta1\n")
    } else {
        text.to_owned()
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{cmd:?} does not start ({e}): install kubernetes-client or run `cargo xtask test`")
    });
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A scratch directory for one case.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("krs-patches-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// How the recommendations are given.
struct Recs {
    flag: &'static str,
    bytes: Vec<u8>,
    namespaces: Vec<String>,
}

impl Recs {
    /// One usage sample for every container of `snapshot` ([`usage_of`]), over all its
    /// namespaces.
    fn usage(snapshot: &Value) -> Recs {
        Recs {
            flag: "--usage",
            bytes: usage_of(snapshot),
            namespaces: namespaces(snapshot),
        }
    }

    fn settings(&self) -> Settings {
        let strategy = StrategySettings {
            namespaces: self.namespaces.clone(),
            ..StrategySettings::default()
        };
        let input =
            recommend::read_input("recs", &self.bytes, &strategy).expect("recommendations read");
        Settings {
            strategy,
            recommendations: Some(input),
            ..Settings::default()
        }
    }

    fn args(&self, dir: &Path) -> Vec<String> {
        let path = dir.join("recs");
        std::fs::write(&path, &self.bytes).expect("write recs");
        let mut a = vec![self.flag.to_owned(), path.display().to_string()];
        for n in &self.namespaces {
            a.extend(["-n".to_owned(), n.clone()]);
        }
        a
    }
}

fn patches_of(snapshot: &Value, recs: &Recs) -> (Patches, kube_rightsize_core::analysis::Analysis) {
    let bytes = serde_json::to_vec(snapshot).expect("snapshot JSON");
    let a = analyze(
        &[Input::new("snapshot.json", &bytes)],
        &recs.settings(),
        None,
        "t",
    )
    .expect("snapshot reads");
    (a.report.patches.clone().expect("patches"), a)
}

/// Panics unless each of `kinds` has an applicable patch.
fn assert_patched(patches: &Patches, kinds: &[&str]) {
    let patched: Vec<&str> = patches.applicable().map(|p| p.kind.as_str()).collect();
    for kind in kinds {
        assert!(patched.contains(kind), "{kind} not patched: {patched:?}");
    }
}

fn items(snapshot: &Value) -> &Vec<Value> {
    snapshot["items"].as_array().expect("a List")
}

/// A pod item (in a PodList, items may have no `kind`).
fn is_pod(i: &Value) -> bool {
    i["kind"] == "Pod" || (i["kind"].is_null() && i["spec"]["containers"].is_array())
}

fn is_kind(i: &Value, kind: &str) -> bool {
    if kind == "Pod" {
        is_pod(i)
    } else {
        i["kind"] == kind
    }
}

fn find<'a>(snapshot: &'a Value, kind: &str, ns: &str, name: &str) -> Option<&'a Value> {
    items(snapshot).iter().find(|i| {
        is_kind(i, kind) && i["metadata"]["namespace"] == ns && i["metadata"]["name"] == name
    })
}

/// The object a patch applies to: the snapshot's, else one built from the workload's first pod.
fn object_of(
    snapshot: &Value,
    a: &kube_rightsize_core::analysis::Analysis,
    p: &WorkloadPatch,
) -> Value {
    if let Some(o) = find(snapshot, &p.kind, &p.namespace, &p.name) {
        return o.clone();
    }
    let w = a
        .cluster
        .workload(&p.namespace, &p.kind, &p.name)
        .expect("workload");
    let pod = &a.cluster.pods[w.pods[0]];
    let raw = find(snapshot, "Pod", &pod.namespace, &pod.name).expect("raw pod");
    let mut spec = raw["spec"].clone();
    if let Some(m) = spec.as_object_mut() {
        m.remove("nodeName");
    }
    let template = json!({"metadata": {"labels": raw["metadata"]["labels"]}, "spec": spec});
    let target = p.target.as_ref().expect("target");
    let spec = match p.kind.as_str() {
        "CronJob" => {
            json!({"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": template}}})
        }
        _ => json!({"selector": {"matchLabels": {"app": p.name}}, "template": template}),
    };
    json!({"apiVersion": target.api_version, "kind": p.kind,
           "metadata": {"name": p.name, "namespace": p.namespace}, "spec": spec})
}

fn pod_spec_mut<'a>(object: &'a mut Value, p: &WorkloadPatch) -> &'a mut Value {
    let mut at = object;
    for key in &p.target.as_ref().expect("target").pod_spec_path {
        at = &mut at[key.as_str()];
    }
    at
}

fn set_changes(resources: &mut Value, key: &str, c: &Changes) {
    for (k, v) in [("cpu", &c.cpu), ("memory", &c.memory)] {
        let Some(Change { to, .. }) = v else { continue };
        match to {
            Some(q) => resources[key][k] = json!(q),
            None => {
                if let Some(m) = resources[key].as_object_mut() {
                    m.remove(k);
                }
            }
        }
    }
    if resources[key].as_object().is_some_and(|m| m.is_empty()) {
        resources.as_object_mut().map(|m| m.remove(key));
    }
}

/// `object` with exactly the patch's changes, made here by hand.
fn expected(object: &Value, p: &WorkloadPatch) -> Value {
    let mut o = object.clone();
    for c in p.containers.iter().filter(|c| c.changes_something()) {
        let list = if c.init {
            "initContainers"
        } else {
            "containers"
        };
        let spec = pod_spec_mut(&mut o, p);
        let entry = spec[list]
            .as_array_mut()
            .and_then(|cs| cs.iter_mut().find(|x| x["name"] == c.name.as_str()))
            .unwrap_or_else(|| panic!("{} has no {list} entry {}", p.key(), c.name));
        if entry.get("resources").is_none_or(Value::is_null) {
            entry["resources"] = json!({});
        }
        set_changes(&mut entry["resources"], "requests", &c.requests);
        set_changes(&mut entry["resources"], "limits", &c.limits);
    }
    o
}

/// The arguments `sh` gives each script line (after its leading `kubectl`), in one `sh` run.
fn shell_words(lines: &[&str]) -> Vec<Vec<String>> {
    let mut script = String::new();
    for line in lines {
        let rest = line.strip_prefix("kubectl ").expect("a kubectl line");
        script.push_str(&format!(
            "set -- {rest}; for a; do printf '%s\\0' \"$a\"; done; printf '\\036'\n"
        ));
    }
    let out = run(Command::new("sh").args(["-c", &script]));
    let records: Vec<Vec<String>> = out
        .split('\u{1e}')
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.split('\0')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect();
    assert_eq!(records.len(), lines.len(), "one argument list per line");
    records
}

fn kubectl_patch(object_file: &Path, body: &str) -> Value {
    let out = run(Command::new(kubectl()).args([
        "patch",
        "--local",
        "-f",
        &object_file.display().to_string(),
        "--type",
        "strategic",
        "-p",
        body,
        "-o",
        "json",
    ]));
    serde_json::from_str(&out).expect("kubectl's JSON")
}

fn cli(dir: &Path, snapshot: &Path, recs: &Recs, extra: &[&str]) {
    let mut cmd = Command::new(BIN);
    cmd.arg("patches")
        .arg(snapshot)
        .args(recs.args(dir))
        .args(extra);
    run(&mut cmd);
}

/// Replaces the patched workloads' objects and their pods' container resources with the
/// patched ones: the snapshot after the rollout.
fn rolled_out(
    snapshot: &Value,
    a: &kube_rightsize_core::analysis::Analysis,
    patched: &[(WorkloadPatch, Value)],
) -> Value {
    let mut out = snapshot.clone();
    let list = out["items"].as_array_mut().expect("items");
    for (p, object) in patched {
        if let Some(i) = list.iter().position(|i| {
            i["kind"] == p.kind.as_str()
                && i["metadata"]["namespace"] == p.namespace.as_str()
                && i["metadata"]["name"] == p.name.as_str()
        }) {
            list[i] = object.clone();
        }
        let mut object = object.clone();
        let template = pod_spec_mut(&mut object, p).clone();
        let w = a
            .cluster
            .workload(&p.namespace, &p.kind, &p.name)
            .expect("workload");
        for &pi in &w.pods {
            let pod = &a.cluster.pods[pi];
            let raw = list
                .iter_mut()
                .find(|i| {
                    is_pod(i)
                        && i["metadata"]["namespace"] == pod.namespace.as_str()
                        && i["metadata"]["name"] == pod.name.as_str()
                })
                .expect("raw pod");
            for key in ["containers", "initContainers"] {
                for c in raw["spec"][key].as_array_mut().into_iter().flatten() {
                    let from = template[key]
                        .as_array()
                        .and_then(|t| t.iter().find(|t| t["name"] == c["name"]));
                    if let Some(t) = from {
                        c["resources"] = t["resources"].clone();
                    }
                }
            }
        }
    }
    out
}

/// Runs every check on one snapshot; returns how many patches were applied.
fn prove(name: &str, snapshot: &Value, recs: &Recs) -> usize {
    let dir = scratch(name);
    let snapshot_file = dir.join("snapshot.json");
    std::fs::write(&snapshot_file, serde_json::to_vec(snapshot).unwrap()).unwrap();
    let (patches, analysis) = patches_of(snapshot, recs);
    let applicable: Vec<&WorkloadPatch> = patches.applicable().collect();
    assert!(!applicable.is_empty(), "{name}: no patches");

    cli(
        &dir,
        &snapshot_file,
        recs,
        &[
            "-f",
            "kubectl",
            "-o",
            &dir.join("kubectl").display().to_string(),
        ],
    );
    cli(
        &dir,
        &snapshot_file,
        recs,
        &["-f", "yaml", "-o", &dir.join("yaml").display().to_string()],
    );
    let script = std::fs::read_to_string(dir.join("kubectl/patches.sh")).expect("patches.sh");
    let commands: Vec<&str> = script
        .lines()
        .filter(|l| l.starts_with("kubectl "))
        .collect();
    assert_eq!(
        commands.len(),
        applicable.len(),
        "{name}: one command per patch"
    );

    let mut patched = Vec::new();
    let mut objects = Vec::new();
    let parsed = shell_words(&commands);
    let mut jobs = Vec::new();
    for p in &applicable {
        let target = p.target.as_ref().unwrap();
        let words = parsed
            .iter()
            .find(|w| {
                w.get(1) == Some(&target.resource)
                    && w.get(2) == Some(&p.name)
                    && w.get(4) == Some(&p.namespace)
            })
            .unwrap_or_else(|| panic!("{name}: no command for {}", p.key()));
        let body = serde_json::to_string(p.patch.as_ref().unwrap()).unwrap();
        assert_eq!(
            *words,
            [
                "patch",
                &target.resource,
                &p.name,
                "--namespace",
                &p.namespace,
                "--type",
                "strategic",
                "--patch",
                &body
            ],
            "{name}: {words:?}"
        );
        assert!(
            !p.risks.iter().any(|r| r.code == "request-above-limit"),
            "{name}: {} would be rejected: {:?}",
            p.key(),
            p.risks
        );
        let object = object_of(snapshot, &analysis, p);
        let object_file = dir.join(format!("{}-{}-{}.json", p.namespace, p.kind, p.name));
        let object_text = serde_json::to_string_pretty(&object).unwrap();
        std::fs::write(&object_file, for_kubectl(&object_text, &p.kind)).unwrap();
        let yaml = std::fs::read_to_string(
            dir.join("yaml")
                .join(kube_rightsize_core::patch::render::file_name(p, "yaml")),
        )
        .expect("the YAML file");
        jobs.push((*p, object, object_file, body, for_kubectl(&yaml, &p.kind)));
    }
    // kubectl runs for every patch twice (the command's body, the YAML file): four at a time.
    let results: Vec<(Value, Value)> = std::thread::scope(|scope| {
        let chunks: Vec<_> = jobs
            .chunks(jobs.len().div_ceil(4).max(1))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(_, _, file, body, yaml)| {
                            (kubectl_patch(file, body), kubectl_patch(file, yaml))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks
            .into_iter()
            .flat_map(|h| h.join().expect("kubectl thread"))
            .collect()
    });
    for ((p, object, _, _, _), (mut result, mut from_yaml)) in jobs.iter().zip(results) {
        result["apiVersion"] = object["apiVersion"].clone();
        assert_eq!(result, expected(object, p), "{name}: {} patched", p.key());
        from_yaml["apiVersion"] = object["apiVersion"].clone();
        assert_eq!(from_yaml, result, "{name}: {} YAML", p.key());
        objects.push(for_kubectl(
            &serde_json::to_string(object).unwrap(),
            &p.kind,
        ));
        patched.push(((*p).clone(), result));
    }

    // The kustomize set builds over the objects, and carries each patched value.
    let kust = dir.join("kustomize");
    std::fs::create_dir_all(&kust).unwrap();
    let mut args = vec![
        "-f".to_owned(),
        "kustomize".to_owned(),
        "-o".to_owned(),
        kust.display().to_string(),
    ];
    for (i, o) in objects.iter().enumerate() {
        let file = format!("object-{i}.json");
        std::fs::write(kust.join(&file), o).unwrap();
        args.extend(["--kustomize-resource".to_owned(), file]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cli(&dir, &snapshot_file, recs, &args);
    for (p, _) in &patched {
        let file = kust.join(kube_rightsize_core::patch::render::file_name(p, "yaml"));
        let text = std::fs::read_to_string(&file).expect("a kustomize patch");
        std::fs::write(&file, for_kubectl(&text, &p.kind)).unwrap();
    }
    let built = run(Command::new(kubectl()).arg("kustomize").arg(&kust));
    for (p, _) in &patched {
        for c in p.containers.iter().filter(|c| c.changes_something()) {
            for ch in [
                &c.requests.cpu,
                &c.requests.memory,
                &c.limits.cpu,
                &c.limits.memory,
            ]
            .into_iter()
            .flatten()
            {
                if let Some(to) = &ch.to {
                    assert!(
                        built.contains(to.as_str()),
                        "{name}: kustomize lacks {to} of {}",
                        p.key()
                    );
                }
            }
        }
    }

    // Re-analysis after the rollout: every recommended value is in place, nothing is left.
    let after = rolled_out(snapshot, &analysis, &patched);
    let (again, re) = patches_of(&after, recs);
    assert_eq!(
        again.applicable().count(),
        0,
        "{name}: left to patch: {:?}",
        again.workloads
    );
    for m in &re.recommendations.as_ref().unwrap().matched {
        let r = &m.recommendation;
        let w = &re.cluster.workloads[m.workload];
        if !patched
            .iter()
            .any(|(p, _)| p.namespace == w.namespace && p.kind == w.kind && p.name == w.name)
        {
            continue;
        }
        let in_patch = patched.iter().any(|(p, _)| {
            p.namespace == w.namespace
                && p.kind == w.kind
                && p.name == w.name
                && p.containers
                    .iter()
                    .any(|c| c.name == r.container && c.skipped.is_none())
        });
        if !in_patch {
            continue;
        }
        let pod = &re.cluster.pods[w.pods[0]];
        let Some(c) = pod
            .containers
            .iter()
            .chain(&pod.init_containers)
            .find(|c| c.name == r.container)
        else {
            continue;
        };
        let check = |got: Option<i64>, want: recommend::Value, limit: bool, what: &str| match want {
            recommend::Value::Set(v) => assert_eq!(
                got,
                Some(v),
                "{name}: {}/{} {} {what}",
                w.namespace,
                w.name,
                r.container
            ),
            recommend::Value::Unset if limit => {
                assert_eq!(got, None, "{name}: {} {what}", r.container)
            }
            _ => {}
        };
        check(c.requests.cpu_millis, r.requests.cpu, false, "requests.cpu");
        check(
            c.requests.memory_bytes,
            r.requests.memory,
            false,
            "requests.memory",
        );
        check(c.limits.cpu_millis, r.limits.cpu, true, "limits.cpu");
        check(
            c.limits.memory_bytes,
            r.limits.memory,
            true,
            "limits.memory",
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    patched.len()
}

/// `kubectl top pod -A --containers` for every container (app and native sidecar) of every
/// pod: 5m and 300 MiB for the first, more for the next.
fn usage_of(snapshot: &Value) -> Vec<u8> {
    let mut out = String::from("NAMESPACE POD NAME CPU(cores) MEMORY(bytes)\n");
    for pod in items(snapshot).iter().filter(|i| is_pod(i)) {
        let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
        let name = pod["metadata"]["name"].as_str().unwrap();
        let containers = pod["spec"]["containers"].as_array().into_iter().flatten();
        let sidecars = pod["spec"]["initContainers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["restartPolicy"] == "Always");
        for (i, c) in containers.chain(sidecars).enumerate() {
            let cpu = 5 + 37 * i;
            let mem = 300 + 11 * i;
            out.push_str(&format!(
                "{ns} {name} {} {cpu}m {mem}Mi\n",
                c["name"].as_str().unwrap()
            ));
        }
    }
    out.into_bytes()
}

fn namespaces(snapshot: &Value) -> Vec<String> {
    let mut n: Vec<String> = items(snapshot)
        .iter()
        .filter_map(|i| i["metadata"]["namespace"].as_str().map(str::to_owned))
        .collect();
    n.sort();
    n.dedup();
    n
}

fn read(rel: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(ROOT).join(rel)).expect(rel);
    serde_json::from_str(&text).expect(rel)
}

#[test]
fn the_demo_and_its_krr_result_patch_cleanly() {
    let snapshot = read("static/demo/cluster.json");
    let recs = Recs {
        flag: "--krr",
        bytes: std::fs::read(Path::new(ROOT).join("static/demo/krr.json")).unwrap(),
        namespaces: Vec::new(),
    };
    let (patches, _) = patches_of(&snapshot, &recs);
    assert_patched(&patches, &["Deployment", "StatefulSet", "DaemonSet"]);
    assert!(prove("demo", &snapshot, &recs) >= 40);
}

#[test]
fn workload_objects_are_patched_in_their_templates() {
    // Deployments, a StatefulSet, a DaemonSet and a CronJob as objects; a Rollout and Jobs too.
    let mut snapshot = read("crates/core/tests/fixtures/workload-objects.json");
    // The fixture's Deployment template names another container than its pods; make it the
    // pods' app container, so that only the injected istio-proxy is not in the template.
    for i in snapshot["items"].as_array_mut().unwrap() {
        if i["kind"] == "Deployment" && i["metadata"]["name"] == "frontend" {
            i["spec"]["template"]["spec"]["containers"][0]["name"] = json!("nginx");
        }
    }
    let recs = Recs::usage(&snapshot);
    let (patches, _) = patches_of(&snapshot, &recs);
    assert_patched(&patches, &["Deployment", "DaemonSet", "CronJob"]);
    assert!(patches.applicable().all(|p| p.template_checked));
    let frontend = patches.applicable().find(|p| p.name == "frontend").unwrap();
    let proxy = frontend
        .containers
        .iter()
        .find(|c| c.name == "istio-proxy")
        .unwrap();
    assert!(
        proxy
            .skipped
            .as_deref()
            .unwrap()
            .contains("not in the Deployment's template")
    );
    assert!(patches.workloads.iter().any(|p| {
        p.kind == "Rollout"
            && p.not_patchable
                .as_deref()
                .is_some_and(|w| w.contains("custom resource"))
    }));
    prove("objects", &snapshot, &recs);
}

/// A real pod (from the fixtures) as a Deployment's: owned by a ReplicaSet with the
/// pod-template-hash label, its spec as the template.
fn as_deployment_pod(mut pod: Value, app: &str) -> Value {
    let m = &mut pod["metadata"];
    m["name"] = json!(format!("{app}-5f6d7c8b9-x1y2z"));
    m["uid"] = json!(format!("uid-{app}"));
    m["labels"]["pod-template-hash"] = json!("5f6d7c8b9");
    m["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "name": format!("{app}-5f6d7c8b9"), "uid": "u", "controller": true}]);
    pod
}

#[test]
fn real_pods_patch_cleanly() {
    let mut pods = Vec::new();
    for (i, f) in [
        "pod-k9s",
        "pod-init-k9s",
        "pod-limited-k9s",
        "pod-limitless-k9s",
        "pod-sidecar-k9s",
        "pod-gke-k9s",
    ]
    .iter()
    .enumerate()
    {
        let pod = read(&format!("crates/core/tests/fixtures/real/{f}.json"));
        pods.push(as_deployment_pod(pod, &format!("app{i}")));
    }
    let list = read("crates/core/tests/fixtures/real/eks-podlist-metrics-agent.json");
    pods.extend(items(&list).iter().cloned());
    let snapshot = json!({"apiVersion": "v1", "kind": "List", "items": pods});
    let recs = Recs::usage(&snapshot);
    let (patches, _) = patches_of(&snapshot, &recs);
    // The sidecar fixture's native sidecar is patched under initContainers.
    assert!(
        patches
            .applicable()
            .flat_map(|p| &p.containers)
            .any(|c: &ContainerPatch| c.init && c.name == "sidecar" && c.changes_something())
    );
    // The bare pod is listed, not patched.
    let kinds: Vec<(&str, &str, bool)> = patches
        .workloads
        .iter()
        .map(|p| (p.kind.as_str(), p.name.as_str(), p.not_patchable.is_some()))
        .collect();
    assert!(kinds.contains(&("Pod", "stress2", true)), "{kinds:?}");
    prove("real", &snapshot, &recs);
}

/// A KRR row for `kind ns/name` container `c`: 100m CPU and 256Mi memory.
fn krr_scan(ns: &str, kind: &str, name: &str, c: &str) -> Value {
    json!({"object": {"cluster": "t", "name": name, "container": c, "pods": [], "hpa": null,
        "namespace": ns, "kind": kind,
        "allocations": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": null, "memory": null}, "info": {}},
        "warnings": [], "labels": {}, "annotations": {}},
        "recommended": {"requests": {"cpu": {"value": 0.1, "severity": "WARNING"},
                                      "memory": {"value": "256Mi", "severity": "WARNING"}},
                        "limits": {"cpu": {"value": null, "severity": "GOOD"},
                                   "memory": {"value": "256Mi", "severity": "WARNING"}},
                        "info": {"cpu": null, "memory": null}},
        "severity": "WARNING"})
}

fn hostile_pod(ns: &str, deployment: &str, containers: &[&str]) -> Value {
    let cs: Vec<Value> = containers
        .iter()
        .map(|c| json!({"name": c, "image": "x", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}))
        .collect();
    json!({"kind": "Pod", "metadata": {"name": format!("{deployment}-abc12-xyz"), "namespace": ns,
        "uid": format!("uid-{ns}-{deployment}"),
        "labels": {"pod-template-hash": "abc12"},
        "ownerReferences": [{"kind": "ReplicaSet", "name": format!("{deployment}-abc12"), "controller": true}]},
        "spec": {"nodeName": "n1", "containers": cs}, "status": {"phase": "Running"}})
}

/// Names with quotes, `$()`, backticks and line breaks (not valid Kubernetes names, but a
/// snapshot or KRR file can hold anything) never reach a command: the script, run with a
/// `kubectl` that only logs its arguments, runs nothing else and patches only the valid ones.
#[test]
fn hostile_names_never_run_anything() {
    let dir = scratch("hostile");
    let pwned = dir.join("PWNED");
    let payload = format!("$(touch {})", pwned.display());
    let tick = format!("`touch {}`", pwned.display());
    let bad_container = format!("x'{payload}'\nkubectl delete ns pay #");
    let bad_ns = format!("ns;{tick}");
    let bad_name = format!("api\"{payload}");
    let pods = vec![
        json!({"kind": "Node", "metadata": {"name": "n1"}, "status": {"allocatable": {"cpu": "8", "memory": "32Gi"}}}),
        hostile_pod("pay", "api", &["app", &bad_container]),
        hostile_pod(&bad_ns, "web", &["web"]),
        hostile_pod("pay", &bad_name, &["app"]),
    ];
    let snapshot = json!({"kind": "List", "items": pods});
    let krr = json!({"scans": [
        krr_scan("pay", "Deployment", "api", "app"),
        krr_scan("pay", "Deployment", "api", &bad_container),
        krr_scan(&bad_ns, "Deployment", "web", "web"),
        krr_scan("pay", "Deployment", &bad_name, "app"),
    ], "score": 0, "strategy": {"name": "simple", "settings": {}}});
    let recs = Recs {
        flag: "--krr",
        bytes: serde_json::to_vec(&krr).unwrap(),
        namespaces: Vec::new(),
    };
    let (patches, _) = patches_of(&snapshot, &recs);
    let valid: Vec<String> = patches.applicable().map(WorkloadPatch::key).collect();
    assert_eq!(valid, ["pay/api"]);
    let blocked = patches
        .workloads
        .iter()
        .filter(|w| w.not_patchable.is_some())
        .count();
    assert_eq!(blocked, 2, "{:?}", patches.workloads);

    let snapshot_file = dir.join("snapshot.json");
    std::fs::write(&snapshot_file, serde_json::to_vec(&snapshot).unwrap()).unwrap();
    for format in ["kubectl", "yaml", "kustomize", "helm"] {
        let out = dir.join(format);
        cli(
            &dir,
            &snapshot_file,
            &recs,
            &["-f", format, "-o", &out.display().to_string()],
        );
        // Every file is inside the output directory, named from valid names only.
        for entry in walk(&out) {
            let rel = entry.strip_prefix(&out).unwrap().display().to_string();
            assert!(
                rel.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-./_".contains(c)),
                "{format}: {rel:?}"
            );
        }
    }
    let log = dir.join("kubectl.log");
    let script = dir.join("kubectl/patches.sh");
    run(Command::new("sh").arg("-c").arg(format!(
        "kubectl() {{ printf '%s\\n' \"$*\" >> '{}'; }}; . '{}'",
        log.display(),
        script.display()
    )));
    let calls = std::fs::read_to_string(&log).expect("the script called kubectl");
    assert_eq!(calls.lines().count(), 1, "{calls}");
    assert!(
        calls.starts_with("patch deployment api --namespace pay --type strategic"),
        "{calls}"
    );
    assert!(!calls.contains("delete"), "{calls}");
    assert!(!pwned.exists(), "a hostile name ran a command");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.contains("# left out: container x'$(touch"), "{text}");
    assert!(text.contains("\\u{a}kubectl delete ns pay #"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Without recommendations `patches` is an input error (exit 1) that says what to give; without
/// `-o` the files are printed one after another, each under its path.
#[test]
fn patches_need_recommendations_and_print_without_a_directory() {
    let demo = Path::new(ROOT).join("static/demo");
    let out = Command::new(BIN)
        .arg("patches")
        .arg(demo.join("cluster.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "patches need recommendations: give --krr FILE, --usage FILE or --prometheus URL"
    ));
    let out = Command::new(BIN)
        .arg("patches")
        .arg(demo.join("cluster.json"))
        .arg("--krr")
        .arg(demo.join("krr.json"))
        .args(["-f", "yaml", "--safe-only"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let files = text.matches("# ==> ").count();
    assert!(files > 5, "{text}");
    assert!(!text.contains("# RISK"), "safe only");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{files} patches (")), "{stderr}");
}

/// `-o set.zip` writes the files into one .zip (the app's "Download all"), which Python's
/// zipfile opens with every CRC right and the same files as `-o DIR`.
#[test]
fn a_zip_holds_the_same_files_as_a_directory() {
    let dir = scratch("zip");
    let demo = Path::new(ROOT).join("static/demo");
    let base = |out: &Path| {
        let mut c = Command::new(BIN);
        c.arg("patches")
            .arg(demo.join("cluster.json"))
            .arg("--krr")
            .arg(demo.join("krr.json"))
            .args(["-f", "helm", "-o"])
            .arg(out);
        c
    };
    run(&mut base(&dir.join("set.zip")));
    run(&mut base(&dir.join("set")));
    let listing = run(Command::new("python3").args([
        "-c",
        "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor n in z.namelist(): print(n, len(z.read(n)))",
    ]).arg(dir.join("set.zip")));
    let mut expected: Vec<String> = walk(&dir.join("set"))
        .iter()
        .map(|p| {
            let rel = p
                .strip_prefix(dir.join("set"))
                .unwrap()
                .display()
                .to_string();
            format!("{rel} {}", std::fs::metadata(p).unwrap().len())
        })
        .collect();
    expected.sort();
    let mut got: Vec<String> = listing.lines().map(str::to_owned).collect();
    got.sort();
    assert!(got.len() > 5);
    assert_eq!(got, expected);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A generated cluster other than the demo (`cargo xtask gen --nodes 40 --pods 1500 --seed 7
/// --krr …`, which `cargo xtask test` writes and names in `KRS_GENERATED_SNAPSHOT` and
/// `KRS_GENERATED_KRR`; skipped without them).
#[test]
fn a_generated_cluster_and_its_krr_result_patch_cleanly() {
    let (Ok(snapshot), Ok(krr)) = (
        std::env::var("KRS_GENERATED_SNAPSHOT"),
        std::env::var("KRS_GENERATED_KRR"),
    ) else {
        eprintln!("KRS_GENERATED_SNAPSHOT/KRS_GENERATED_KRR not set: run with `cargo xtask test`");
        return;
    };
    let snapshot: Value = serde_json::from_slice(&std::fs::read(snapshot).unwrap()).unwrap();
    let recs = Recs {
        flag: "--krr",
        bytes: std::fs::read(krr).unwrap(),
        namespaces: Vec::new(),
    };
    assert!(prove("generated", &snapshot, &recs) >= 50);
}

/// The hand-written EKS fixture: a DaemonSet with init containers and a native sidecar, a
/// StatefulSet with overhead, a limits-only container, a CronJob's pod without its Job, an
/// operator's pod, a bare pod.
#[test]
fn the_eks_fixture_patches_cleanly() {
    let snapshot = read("crates/core/tests/fixtures/eks-managed-ondemand.json");
    let recs = Recs::usage(&snapshot);
    let (patches, _) = patches_of(&snapshot, &recs);
    assert_patched(
        &patches,
        &["Deployment", "StatefulSet", "DaemonSet", "CronJob"],
    );
    prove("eks", &snapshot, &recs);
}
