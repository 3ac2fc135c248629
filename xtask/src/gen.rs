//! `cargo xtask gen`: a deterministic synthetic EKS cluster, printed exactly like
//! `kubectl get nodes,pods -A -o json`.
//!
//! Used for the committed demo cluster (`--preset demo`), for benchmarks (1k–50k pods, up to a few
//! hundred MB, streamed object by object) and for tests. The same flags always give the same
//! bytes: all randomness comes from a SplitMix64 seeded by `--seed`, and "now" is fixed.
//!
//! ```text
//! cargo xtask gen --nodes 40 --pods 1000 --seed 7 --out /tmp/1k.json
//! cargo xtask gen --preset demo --out static/demo/cluster.json --krr static/demo/krr.json
//! ```
//!
//! Note for wiring: `gen` is a reserved word in edition 2024, so the module is declared as
//! `mod r#gen;` and called as `r#gen::run(&args)`.

mod bill;
mod catalog;
mod json;
mod krr;
mod model;
mod plan;
mod render;
mod rng;
mod workloads;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};

use json::{J, Style, write_pretty};
use model::{Cluster, Phase};
use plan::Spec;
use render::Renderer;

const USAGE: &str = "\
usage: cargo xtask gen --nodes N --pods M [--seed S] [--compact] [--out PATH] [--managed-fields] [--krr PATH]
       cargo xtask gen --preset demo [--seed S] [--out PATH] [--managed-fields] [--krr PATH]

Writes a synthetic EKS cluster shaped exactly like `kubectl get nodes,pods -A -o json`.
  --nodes N          number of nodes (at least 1)
  --pods M           total number of pods, DaemonSet pods included
  --seed S           seed (default 1, or 38 with --preset demo: the committed demo's seed);
                     the same flags always give the same bytes
  --out PATH         output file (default: stdout)
  --managed-fields   include metadata.managedFields (kubectl --show-managed-fields)
  --compact          compact pods: one container, no sidecars, init containers, env or
                     annotations (under 9 KB a pod, as in clusters without them)
  --krr PATH         also write a matching `krr simple -f json` result
  --preset demo      the committed demo cluster: 17 nodes in 4 pools (2 of them GPU nodes),
                     213 pods";

/// The seed of the committed demo (`static/demo/`), chosen because its cluster shows every
/// quantity spelling the brief lists, two Pending pods and a handful of under-provisioned
/// workloads.
const DEMO_SEED: u64 = 38;

/// Parsed command line.
#[derive(Debug, Clone, PartialEq)]
struct Options {
    spec: Spec,
    out: Option<PathBuf>,
    krr: Option<PathBuf>,
    managed_fields: bool,
    help: bool,
}

fn parse_args(args: &[String]) -> anyhow::Result<Options> {
    let mut args: Vec<String> = args.to_vec();
    if args.first().is_some_and(|a| a == "gen") {
        args.remove(0);
    }
    let (mut nodes, mut pods, mut seed, mut preset) = (None, None, None, None);
    let (mut out, mut krr, mut managed_fields, mut help) = (None, None, false, false);
    let mut compact = false;
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> anyhow::Result<String> {
            match inline.clone().or_else(|| it.next()) {
                Some(v) => Ok(v),
                None => bail!("{name} needs a value\n\n{USAGE}"),
            }
        };
        let number = |name: &str, v: String| -> anyhow::Result<u64> {
            v.parse()
                .with_context(|| format!("{name} expects a non-negative integer, got {v:?}"))
        };
        match flag.as_str() {
            "--nodes" => nodes = Some(number("--nodes", value("--nodes")?)?),
            "--pods" => pods = Some(number("--pods", value("--pods")?)?),
            "--seed" => seed = Some(number("--seed", value("--seed")?)?),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--krr" => krr = Some(PathBuf::from(value("--krr")?)),
            "--preset" => preset = Some(value("--preset")?),
            "--managed-fields" => managed_fields = true,
            "--compact" => compact = true,
            "-h" | "--help" => help = true,
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    let demo_seed = seed.unwrap_or(DEMO_SEED);
    let seed = seed.unwrap_or(1);
    let spec = match preset.as_deref() {
        Some("demo") => {
            if nodes.is_some() || pods.is_some() || compact {
                bail!("--preset demo fixes the cluster's shape: drop --nodes/--pods/--compact");
            }
            Spec::demo(demo_seed)
        }
        Some(other) => bail!("unknown preset {other:?} (known: demo)"),
        None if help => Spec::demo(seed),
        None => {
            let (Some(nodes), Some(pods)) = (nodes, pods) else {
                bail!("--nodes and --pods are required (or use --preset demo)\n\n{USAGE}");
            };
            if nodes == 0 {
                bail!("--nodes must be at least 1");
            }
            if nodes > 100_000 || pods > 10_000_000 {
                bail!("--nodes at most 100000 and --pods at most 10000000");
            }
            Spec {
                nodes: nodes as usize,
                pods: pods as usize,
                seed,
                demo: false,
                compact,
            }
        }
    };
    Ok(Options {
        spec,
        out,
        krr,
        managed_fields,
        help,
    })
}

/// Runs `cargo xtask gen` with the arguments that follow `gen` (a leading `"gen"` is skipped).
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let opts = parse_args(args)?;
    if opts.help {
        println!("{USAGE}");
        return Ok(());
    }
    let cluster = plan::build(&opts.spec);
    match &opts.out {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let mut w = BufWriter::with_capacity(1 << 20, file);
            write_list(&mut w, &cluster, opts.managed_fields)
                .and_then(|()| w.flush())
                .with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            let mut w = BufWriter::with_capacity(1 << 20, io::stdout().lock());
            write_list(&mut w, &cluster, opts.managed_fields)
                .and_then(|()| w.flush())
                .context("writing to stdout")?;
        }
    }
    if let Some(path) = &opts.krr {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut w = BufWriter::new(file);
        write_krr(&mut w, &cluster)
            .and_then(|()| w.flush())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let pending = cluster
        .pods
        .iter()
        .filter(|p| p.phase == Phase::Pending)
        .count();
    eprintln!(
        "gen: {} nodes in {} pools, {} pods ({} pending) in {} namespaces{}",
        cluster.nodes.len(),
        cluster.pools.len(),
        cluster.pods.len(),
        pending,
        namespaces(&cluster).len(),
        opts.out
            .as_ref()
            .map(|p| format!(" -> {}", p.display()))
            .unwrap_or_default()
    );
    Ok(())
}

fn namespaces(c: &Cluster) -> Vec<&str> {
    let mut ns: Vec<&str> = c.workloads.iter().map(|w| w.ns.as_str()).collect();
    ns.sort_unstable();
    ns.dedup();
    ns
}

/// Streams the `List` (nodes, pods, then the bill's claims, volumes, storage classes, Services
/// and namespaces) one object at a time, as `kubectl get
/// nodes,pods,pvc,pv,storageclass,svc,ns -A -o json` prints it.
fn write_list<W: Write>(w: &mut W, c: &Cluster, managed_fields: bool) -> io::Result<()> {
    let r = Renderer::new(c, managed_fields);
    let extra = bill::objects(c);
    let total = c.nodes.len() + c.pods.len() + extra.len();
    if total == 0 {
        w.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n")?;
    } else {
        w.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n")?;
        let items = (0..c.nodes.len())
            .map(|i| r.node(i))
            .chain(c.pods.iter().map(|p| r.pod(p)))
            .chain(extra);
        for (i, item) in items.enumerate() {
            w.write_all(b"        ")?;
            write_pretty(w, &item, Style::Kubectl, 2)?;
            w.write_all(if i + 1 < total { b",\n" } else { b"\n" })?;
        }
        w.write_all(b"    ],\n")?;
    }
    w.write_all(
        b"    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n",
    )
}

fn write_krr<W: Write>(w: &mut W, c: &Cluster) -> io::Result<()> {
    let report: J = krr::report(c);
    write_pretty(w, &report, Style::Python, 0)?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube_rightsize_core::recommend::severity::{self, Severity};
    use model::{Kind, effective_request};
    use serde_json::Value;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    fn spec(nodes: usize, pods: usize, seed: u64) -> Spec {
        Spec {
            nodes,
            pods,
            seed,
            demo: false,
            compact: false,
        }
    }

    fn generate(spec: &Spec, managed: bool) -> (Cluster, Vec<u8>) {
        let c = plan::build(spec);
        let mut out = Vec::new();
        write_list(&mut out, &c, managed).unwrap();
        (c, out)
    }

    fn parse(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).expect("output is valid JSON")
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (_, a) = generate(&spec(7, 180, 11), false);
        let (_, b) = generate(&spec(7, 180, 11), false);
        let (_, c) = generate(&spec(7, 180, 12), false);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let (_, d) = generate(&Spec::demo(3), true);
        let (_, e) = generate(&Spec::demo(3), true);
        assert_eq!(d, e);
        let k1 = krr_bytes(&plan::build(&Spec::demo(3)));
        let k2 = krr_bytes(&plan::build(&Spec::demo(3)));
        assert_eq!(k1, k2);
    }

    fn krr_bytes(c: &Cluster) -> Vec<u8> {
        let mut out = Vec::new();
        write_krr(&mut out, c).unwrap();
        out
    }

    #[test]
    fn compact_pods_have_one_container_no_env_and_average_under_9_kb() {
        let compact = Spec {
            compact: true,
            ..spec(12, 400, 4)
        };
        let (c, out) = generate(&compact, false);
        let (full, _) = generate(&spec(12, 400, 4), false);
        // The same cluster: nodes, pods and their placement.
        assert_eq!(c.nodes.len(), full.nodes.len());
        assert_eq!(c.pods.len(), full.pods.len());
        let v = parse(&out);
        let pods: Vec<&Value> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "Pod")
            .collect();
        let mut bytes = 0;
        for p in &pods {
            let containers = p["spec"]["containers"].as_array().unwrap();
            assert_eq!(containers.len(), 1, "{}", p["metadata"]["name"]);
            assert!(containers[0].get("env").is_none());
            assert!(p["spec"].get("initContainers").is_none());
            // At most a `kubectl rollout restart` stamp.
            let annotations = p["metadata"]["annotations"].as_object();
            assert!(annotations.is_none_or(
                |a| a.len() == 1 && a.contains_key("kubectl.kubernetes.io/restartedAt")
            ));
            bytes += serde_json::to_string_pretty(p).unwrap().len();
        }
        let average = bytes / pods.len();
        assert!(average < 9_000, "{average} B a pod");
        assert!(parse_args(&args("--preset demo --compact")).is_err());
    }

    #[test]
    fn output_is_a_kubectl_list() {
        let (_, out) = generate(&spec(9, 300, 5), false);
        let text = std::str::from_utf8(&out).unwrap();
        assert!(text.starts_with("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n"));
        assert!(text.ends_with(
            "    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        ));
        assert!(!text.contains("managedFields"));
        let v = parse(&out);
        let items = v["items"].as_array().unwrap();
        let nodes = items.iter().filter(|i| i["kind"] == "Node").count();
        let pods = items.iter().filter(|i| i["kind"] == "Pod").count();
        assert_eq!((nodes, pods), (9, 300));
        // Nodes first, then pods sorted by namespace and name, then the bill's kinds in
        // kubectl's order for `pvc,pv,storageclass,svc,ns`.
        assert!(items[..9].iter().all(|i| i["kind"] == "Node"));
        assert!(items[9..309].iter().all(|i| i["kind"] == "Pod"));
        let order = [
            "PersistentVolumeClaim",
            "PersistentVolume",
            "StorageClass",
            "Service",
            "Namespace",
        ];
        let ranks: Vec<usize> = items[309..]
            .iter()
            .map(|i| {
                order
                    .iter()
                    .position(|k| i["kind"] == *k)
                    .expect("a bill kind")
            })
            .collect();
        assert!(ranks.is_sorted(), "{ranks:?}");
        for kind in order {
            assert!(items.iter().any(|i| i["kind"] == kind), "no {kind}");
        }
        let keys: Vec<(String, String)> = items[9..309]
            .iter()
            .map(|p| {
                (
                    p["metadata"]["namespace"].as_str().unwrap().to_owned(),
                    p["metadata"]["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(keys, sorted, "pods sorted and unique");
        for n in &items[..9] {
            assert!(
                n["metadata"]["name"]
                    .as_str()
                    .unwrap()
                    .ends_with(".ec2.internal")
            );
            assert!(
                n["spec"]["providerID"]
                    .as_str()
                    .unwrap()
                    .starts_with("aws:///us-east-1")
            );
            assert!(n["metadata"]["labels"]["node.kubernetes.io/instance-type"].is_string());
            assert!(
                n["status"]["allocatable"]["cpu"]
                    .as_str()
                    .unwrap()
                    .ends_with('m')
            );
        }
        // Empty list edge case.
        let (_, empty) = generate(&spec(1, 0, 1), false);
        let items = parse(&empty)["items"].as_array().unwrap().clone();
        assert_eq!(items.iter().filter(|i| i["kind"] == "Node").count(), 1);
        assert!(
            !items
                .iter()
                .any(|i| i["kind"] == "Pod" || i["kind"] == "PersistentVolumeClaim")
        );
    }

    #[test]
    fn keys_are_sorted_like_kubectl() {
        let (_, out) = generate(&spec(4, 60, 2), true);
        // Check every object's keys appear in byte order by scanning the pretty text: keys at
        // the same indentation inside one object must increase.
        let text = std::str::from_utf8(&out).unwrap();
        let mut stack: Vec<Option<String>> = vec![None];
        for line in text.lines() {
            let trimmed = line.trim_start();
            let depth = (line.len() - trimmed.len()) / 4;
            stack.truncate(depth + 1);
            while stack.len() < depth + 1 {
                stack.push(None);
            }
            if let Some(rest) = trimmed.strip_prefix('"') {
                let Some(end) = rest.find("\": ") else {
                    continue;
                };
                let key: String = serde_json::from_str(&trimmed[..end + 2]).unwrap();
                if let Some(prev) = &stack[depth] {
                    assert!(prev.as_bytes() < key.as_bytes(), "{prev} before {key}");
                }
                stack[depth] = Some(key);
            }
            if trimmed.ends_with('{') || trimmed.ends_with('[') {
                stack.push(None);
            }
        }
    }

    #[test]
    fn pods_fit_on_their_nodes() {
        for (n, p, seed) in [(12, 400, 1), (30, 1000, 2), (3, 40, 3), (1, 25, 4)] {
            let c = plan::build(&spec(n, p, seed));
            assert_eq!(c.pods.len(), p);
            let mut used = vec![(0u64, 0u64, 0u32); c.nodes.len()];
            for pod in &c.pods {
                let Some(ni) = pod.node else {
                    assert_eq!(pod.phase, Phase::Pending);
                    continue;
                };
                used[ni].2 += 1;
                if pod.phase == Phase::Running {
                    let (cpu, mem) = effective_request(&c.workloads[pod.w]);
                    used[ni].0 += cpu;
                    used[ni].1 += mem;
                }
            }
            for (node, (cpu, mem, count)) in c.nodes.iter().zip(&used) {
                assert!(
                    *cpu <= node.alloc_cpu,
                    "{} cpu {cpu} > {}",
                    node.name,
                    node.alloc_cpu
                );
                assert!(
                    *mem <= node.alloc_mem,
                    "{} mem {mem} > {}",
                    node.name,
                    node.alloc_mem
                );
                assert!(*count <= node.max_pods, "{} pods {count}", node.name);
            }
            if n >= 12 {
                let busy: Vec<f64> = c
                    .nodes
                    .iter()
                    .zip(&used)
                    .filter(|(node, _)| !node.idle)
                    .map(|(node, u)| u.0 as f64 / node.alloc_cpu as f64)
                    .collect();
                let in_band = busy.iter().filter(|f| (0.5..=1.0).contains(*f)).count();
                assert!(in_band * 10 >= busy.len() * 7, "utilisation {busy:?}");
                let idle: Vec<f64> = c
                    .nodes
                    .iter()
                    .zip(&used)
                    .filter(|(node, _)| node.idle)
                    .map(|(node, u)| u.0 as f64 / node.alloc_cpu as f64)
                    .collect();
                assert_eq!(idle.len(), 2);
                assert!(idle.iter().all(|f| *f < 0.2), "idle {idle:?}");
            }
        }
    }

    fn find_env<'a>(v: &'a Value, name: &str) -> Vec<&'a Value> {
        let mut found = Vec::new();
        for item in v["items"].as_array().unwrap() {
            for c in item["spec"]["containers"].as_array().into_iter().flatten() {
                for e in c["env"].as_array().into_iter().flatten() {
                    if e["name"] == name {
                        found.push(&e["value"]);
                    }
                }
            }
        }
        found
    }

    #[test]
    fn json_escaping_round_trips() {
        let (_, out) = generate(&Spec::demo(1), false);
        let text = std::str::from_utf8(&out).unwrap();
        // Go escapes <, > and & in strings.
        assert!(text.contains("\\u003c25%\\u003e"));
        assert!(text.contains("\\u0026"));
        assert!(!text.contains("<25%>"));
        let v = parse(&out);
        let flags = find_env(&v, "FEATURE_FLAGS");
        assert!(!flags.is_empty());
        assert_eq!(
            flags[0],
            "{\"checkout-v2\":true,\"rollout\":\"<25%>\",\"owners\":\"payments&search\"}"
        );
        let motd = find_env(&v, "MOTD");
        assert_eq!(motd[0], "line one\nline two\ttabbed \"quoted\" \\ back");
        assert_eq!(find_env(&v, "GREETING")[0], "héllo wörld ✓ — naïve café");
        // Secret-looking values are there for leak tests, and derive from the seed.
        let pw = find_env(&v, "DATABASE_PASSWORD");
        assert!(
            pw.iter()
                .all(|p| p.as_str().unwrap().starts_with("s3cr3t-"))
        );
        let (_, other) = generate(&Spec::demo(2), false);
        let other = parse(&other);
        let pw2 = find_env(&other, "DATABASE_PASSWORD");
        assert_ne!(pw[0], pw2[0]);
        // last-applied-configuration is itself JSON (escaped twice over).
        let mut applied = 0;
        for item in v["items"].as_array().unwrap() {
            if let Some(s) =
                item["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
                    .as_str()
            {
                let inner: Value = serde_json::from_str(s).unwrap();
                assert_eq!(inner["kind"], "Pod");
                applied += 1;
            }
        }
        assert!(applied >= 1);
    }

    #[test]
    fn workload_shapes() {
        let (c, out) = generate(&spec(10, 400, 9), false);
        let v = parse(&out);
        let mut kinds = std::collections::BTreeSet::new();
        for p in v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "Pod")
        {
            let name = p["metadata"]["name"].as_str().unwrap();
            let owner = &p["metadata"]["ownerReferences"][0];
            let kind = owner["kind"].as_str().unwrap_or("none").to_owned();
            match kind.as_str() {
                "ReplicaSet" => {
                    let hash = p["metadata"]["labels"]["pod-template-hash"]
                        .as_str()
                        .unwrap();
                    let rs = owner["name"].as_str().unwrap();
                    assert_eq!(hash.len(), 10);
                    assert!(rs.ends_with(&format!("-{hash}")));
                    assert!(name.starts_with(&format!("{rs}-")));
                    assert_eq!(name.len(), rs.len() + 6);
                    assert_eq!(owner["controller"], true);
                }
                "Job" => {
                    let job = owner["name"].as_str().unwrap();
                    assert!(name.starts_with(&format!("{job}-")));
                }
                "StatefulSet" => {
                    let sts = owner["name"].as_str().unwrap();
                    assert!(
                        name.strip_prefix(&format!("{sts}-"))
                            .unwrap()
                            .parse::<u32>()
                            .is_ok()
                    );
                }
                _ => {}
            }
            kinds.insert(kind);
        }
        for k in ["ReplicaSet", "StatefulSet", "DaemonSet", "Job"] {
            assert!(kinds.contains(k), "{k} missing in {kinds:?}");
        }
        let cronjob_pods = c
            .pods
            .iter()
            .filter(|p| c.workloads[p.w].kind == Kind::CronJob)
            .collect::<Vec<_>>();
        assert!(!cronjob_pods.is_empty());
        for p in cronjob_pods {
            let job = &p.job.as_ref().unwrap().0;
            let digits = job.rsplit('-').next().unwrap();
            assert_eq!(digits.len(), 8, "{job}");
        }
    }

    #[test]
    fn demo_preset_shape_and_krr() {
        let (c, out) = generate(&Spec::demo(1), false);
        assert_eq!(c.nodes.len(), 17);
        assert_eq!(c.pools.len(), 4);
        assert_eq!(c.pods.len(), 213);
        assert_eq!(namespaces(&c).len(), 11);
        let v = parse(&out);
        let items = v["items"].as_array().unwrap();
        let qos: std::collections::BTreeSet<&str> = items
            .iter()
            .filter_map(|i| i["status"]["qosClass"].as_str())
            .collect();
        assert_eq!(qos.len(), 3, "{qos:?}");
        let phases: std::collections::BTreeSet<&str> = items
            .iter()
            .filter_map(|i| i["status"]["phase"].as_str())
            .collect();
        assert!(
            phases.contains("Pending") && phases.contains("Succeeded"),
            "{phases:?}"
        );
        assert!(items.iter().any(|i| {
            i["spec"]["initContainers"]
                .as_array()
                .is_some_and(|ics| ics.iter().any(|ic| ic["restartPolicy"] == "Always"))
        }));
        let spot = items
            .iter()
            .filter(|i| i["metadata"]["labels"]["karpenter.sh/capacity-type"] == "spot")
            .count();
        assert_eq!(spot, 6);

        let k: Value = serde_json::from_slice(&krr_bytes(&c)).unwrap();
        let scans = k["scans"].as_array().unwrap();
        assert!(scans.len() > 30);
        let mut sev = Vec::new();
        let mut counts = std::collections::BTreeMap::new();
        for s in scans {
            assert_ne!(s["object"]["namespace"], "kube-system");
            let row = s["severity"].as_str().unwrap();
            *counts.entry(row.to_owned()).or_insert(0) += 1;
            sev.push(match row {
                "WARNING" => Severity::Warning,
                "CRITICAL" => Severity::Critical,
                _ => Severity::Good,
            });
            let cpu = &s["recommended"]["requests"]["cpu"]["value"];
            if let Some(f) = cpu.as_f64() {
                assert!(f >= 0.01);
            }
        }
        assert_eq!(k["score"].as_i64().unwrap(), severity::score(sev));
        assert!(
            counts.get("CRITICAL").copied().unwrap_or(0) >= 3,
            "{counts:?}"
        );
        assert!(
            scans
                .iter()
                .any(|s| s["recommended"]["info"]["cpu"] == "Not enough data"),
            "some scans lack data"
        );
    }

    /// The demo's GPU pool: two tainted g5.xlarge nodes (a whole A10G, and one time-sliced ×4)
    /// running only the DaemonSets that tolerate the taint, the device plugin, `ml/inference`
    /// (1 GPU) and `ml/notebook` (2 × 1 slice); other clusters have no GPUs.
    #[test]
    fn demo_gpu_pool() {
        let (c, out) = generate(&Spec::demo(DEMO_SEED), false);
        let v = parse(&out);
        let items = v["items"].as_array().unwrap();
        let gpu_nodes: Vec<&Value> = items
            .iter()
            .filter(|i| {
                i["kind"] == "Node" && i["metadata"]["labels"]["nvidia.com/gpu.present"] == "true"
            })
            .collect();
        assert_eq!(gpu_nodes.len(), 2);
        let mut slices = Vec::new();
        for n in &gpu_nodes {
            let labels = &n["metadata"]["labels"];
            assert_eq!(labels["eks.amazonaws.com/nodegroup"], "gpu");
            assert_eq!(labels["eks.amazonaws.com/capacityType"], "ON_DEMAND");
            assert_eq!(labels["node.kubernetes.io/instance-type"], "g5.xlarge");
            assert_eq!(labels["nvidia.com/gpu.count"], "1");
            let taints = n["spec"]["taints"].as_array().unwrap();
            assert_eq!(taints.len(), 1);
            assert_eq!(taints[0]["key"], "nvidia.com/gpu");
            assert_eq!(taints[0]["effect"], "NoSchedule");
            let cap = &n["status"]["capacity"]["nvidia.com/gpu"];
            assert_eq!(cap, &n["status"]["allocatable"]["nvidia.com/gpu"]);
            assert_eq!(cap, &labels["nvidia.com/gpu.replicas"]);
            let (sharing, product) = if cap == "1" {
                ("none", "NVIDIA-A10G")
            } else {
                ("time-slicing", "NVIDIA-A10G-SHARED")
            };
            assert_eq!(labels["nvidia.com/gpu.sharing-strategy"], sharing);
            assert_eq!(labels["nvidia.com/gpu.product"], product);
            slices.push(cap.as_str().unwrap().parse::<u64>().unwrap());
        }
        slices.sort_unstable();
        assert_eq!(slices, [1, 4]);

        // What runs on each GPU node, and how many nvidia.com/gpu it requests.
        let mut on_node: std::collections::BTreeMap<&str, (Vec<String>, u64)> = gpu_nodes
            .iter()
            .map(|n| (n["metadata"]["name"].as_str().unwrap(), (Vec::new(), 0)))
            .collect();
        for p in items.iter().filter(|i| i["kind"] == "Pod") {
            let gpus: Vec<u64> = p["spec"]["containers"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|ctr| {
                    let res = &ctr["resources"];
                    let req = res["requests"]["nvidia.com/gpu"].as_str()?;
                    assert_eq!(res["limits"]["nvidia.com/gpu"], req, "GPU limit = request");
                    req.parse().ok()
                })
                .collect();
            let Some(entry) = p["spec"]["nodeName"]
                .as_str()
                .and_then(|n| on_node.get_mut(n))
            else {
                assert!(gpus.is_empty(), "a GPU pod off the GPU nodes");
                continue;
            };
            assert_eq!(p["status"]["phase"], "Running");
            assert!(
                p["spec"]["tolerations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| {
                        t["key"] == "nvidia.com/gpu"
                            || (t["operator"] == "Exists" && t["key"].is_null())
                    }),
                "{} tolerates the GPU taint",
                p["metadata"]["name"]
            );
            let owner = p["metadata"]["ownerReferences"][0]["name"]
                .as_str()
                .unwrap();
            let workload = owner.strip_suffix(&format!(
                "-{}",
                p["metadata"]["labels"]["pod-template-hash"]
                    .as_str()
                    .unwrap_or("")
            ));
            entry.0.push(format!(
                "{}/{}",
                p["metadata"]["namespace"].as_str().unwrap(),
                workload.unwrap_or(owner)
            ));
            entry.1 += gpus.iter().sum::<u64>();
        }
        let daemonsets = [
            "kube-system/aws-node",
            "kube-system/ebs-csi-node",
            "kube-system/kube-proxy",
            "kube-system/nvidia-device-plugin-daemonset",
            "monitoring/kube-prometheus-stack-prometheus-node-exporter",
        ];
        let mut seen: Vec<(Vec<String>, u64)> = on_node.into_values().collect();
        for (pods, _) in &mut seen {
            pods.sort();
        }
        seen.sort_by_key(|s| s.0.len());
        let expect = |apps: &[&str]| {
            let mut v: Vec<String> = daemonsets
                .iter()
                .chain(apps)
                .map(|s| s.to_string())
                .collect();
            v.sort();
            v
        };
        assert_eq!(seen[0], (expect(&["ml/inference"]), 1));
        assert_eq!(seen[1], (expect(&["ml/notebook", "ml/notebook"]), 2));
        // The device plugin runs on the GPU nodes only; nothing is Pending but the trainer.
        let plugin = c
            .pods
            .iter()
            .filter(|p| c.workloads[p.w].name == "nvidia-device-plugin-daemonset")
            .count();
        assert_eq!(plugin, 2);
        assert!(
            c.pods
                .iter()
                .filter(|p| p.phase == Phase::Pending)
                .all(|p| c.workloads[p.w].name == "trainer-large")
        );
        // Requests fit every node of the demo.
        let mut used = vec![(0u64, 0u64); c.nodes.len()];
        for p in c.pods.iter().filter(|p| p.phase == Phase::Running) {
            let (cpu, mem) = effective_request(&c.workloads[p.w]);
            let ni = p.node.unwrap();
            used[ni].0 += cpu;
            used[ni].1 += mem;
        }
        for (n, (cpu, mem)) in c.nodes.iter().zip(&used) {
            assert!(*cpu <= n.alloc_cpu && *mem <= n.alloc_mem, "{}", n.name);
        }

        let (_, other) = generate(&spec(9, 300, 5), false);
        assert!(!std::str::from_utf8(&other).unwrap().contains("nvidia.com"));
    }

    #[test]
    fn managed_fields_flag() {
        let (_, out) = generate(&spec(3, 30, 1), true);
        let v = parse(&out);
        let items = v["items"].as_array().unwrap();
        for item in items
            .iter()
            .filter(|i| i["kind"] == "Node" || i["kind"] == "Pod")
        {
            let mf = item["metadata"]["managedFields"].as_array().unwrap();
            assert!(mf.len() >= 2);
            assert_eq!(mf[0]["fieldsType"], "FieldsV1");
        }
    }

    #[test]
    fn pod_size_is_realistic() {
        // Real pods are 3–9 KB of compact JSON (the EKS fixture's pods: 3.3–7.5 KB); kubectl's
        // 4-space indentation makes them about 2.7 times that.
        let (c, out) = generate(&spec(40, 1000, 4), false);
        let v = parse(&out);
        let pods: Vec<&Value> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "Pod")
            .collect();
        let compact: usize = pods
            .iter()
            .map(|p| serde_json::to_string(p).unwrap().len())
            .sum();
        let avg = compact / pods.len();
        assert!((3000..=9000).contains(&avg), "average compact pod {avg}");
        let pretty = out.len() / (c.pods.len() + c.nodes.len());
        assert!(pretty < 20_000, "average pretty object {pretty}");
    }

    #[test]
    fn committed_demo_is_current() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/demo");
        let c = plan::build(&Spec::demo(DEMO_SEED));
        let mut cluster = Vec::new();
        write_list(&mut cluster, &c, false).unwrap();
        let hint = "regenerate with `cargo xtask gen --preset demo --out static/demo/cluster.json \
                    --krr static/demo/krr.json`";
        let committed = std::fs::read(dir.join("cluster.json")).expect(hint);
        assert!(
            committed == cluster,
            "static/demo/cluster.json is stale: {hint}"
        );
        let committed = std::fs::read(dir.join("krr.json")).expect(hint);
        assert!(
            committed == krr_bytes(&c),
            "static/demo/krr.json is stale: {hint}"
        );
    }

    #[test]
    fn argument_parsing() {
        let o = parse_args(&args(
            "gen --nodes 3 --pods=10 --seed 9 --out x.json --managed-fields",
        ))
        .unwrap();
        assert_eq!(o.spec, spec(3, 10, 9));
        assert_eq!(o.out, Some(PathBuf::from("x.json")));
        assert!(o.managed_fields);
        let d = parse_args(&args("--preset demo --krr k.json")).unwrap();
        assert_eq!(d.spec, Spec::demo(DEMO_SEED));
        assert_eq!(d.krr, Some(PathBuf::from("k.json")));
        assert!(parse_args(&args("--nodes 3")).is_err());
        assert!(parse_args(&args("--nodes 0 --pods 1")).is_err());
        assert!(parse_args(&args("--nodes x --pods 1")).is_err());
        assert!(parse_args(&args("--preset demo --nodes 3")).is_err());
        assert!(parse_args(&args("--preset big")).is_err());
        assert!(parse_args(&args("--bogus")).is_err());
        assert!(parse_args(&args("--seed")).is_err());
        assert!(parse_args(&args("--help")).unwrap().help);
    }
}
