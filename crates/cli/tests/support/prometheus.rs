//! A real Prometheus with 14 days of synthetic history, for the CLI's and the web app's
//! Prometheus tests: `promtool tsdb create-blocks-from openmetrics` writes kubelet/cAdvisor and
//! kube-state-metrics series (one sample a minute, three pods per workload, an OOM kill) for
//! `crates/core/tests/fixtures/krr/cluster.json` plus extra pods ([`snapshot`]), and a local
//! `prometheus` (Debian package `prometheus`) serves them ([`start`]).
//!
//! Included by `crates/cli/tests/prometheus.rs` and `crates/e2e/tests/prometheus.rs` with
//! `#[path]`; not every includer uses every item.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The core's test fixtures.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures");
/// Bytes in a MiB.
pub const MIB: i64 = 1_048_576;

/// Kills the Prometheus this test started when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Days of history, and the scrape interval in seconds.
pub const DAYS: u64 = 14;
pub const SCRAPE: u64 = 60;

/// One synthetic pod container: its CPU rate is `base` for 80% of each day, `mid` for 17% and
/// `high` for the last 3% (43 minutes), so its 95th percentile over the 14 days is `mid` (the
/// top 5% holds all of `high` and some of `mid`) and its 66th `base`; its memory working set
/// wanders below `peak` and reaches it for three minutes on day 9.
pub struct Pod {
    pub ns: &'static str,
    pub pod: &'static str,
    pub container: &'static str,
    pub job: &'static str,
    pub cpu: (f64, f64, f64),
    pub peak: i64,
}

pub const PODS: &[Pod] = &[
    Pod {
        ns: "data",
        pod: "db-0",
        container: "db",
        job: "kubelet",
        cpu: (0.1201, 0.2495, 2.0),
        peak: 300 * MIB,
    },
    // A second job for the same pod: KRR (and we) prefer job="kubelet".
    Pod {
        ns: "data",
        pod: "db-0",
        container: "db",
        job: "cadvisor",
        cpu: (3.0, 3.0, 3.0),
        peak: 4 * 1024 * MIB,
    },
    Pod {
        ns: "data",
        pod: "db-1",
        container: "db",
        job: "kubelet",
        cpu: (0.1302, 0.2304, 1.5),
        peak: 310 * MIB,
    },
    Pod {
        ns: "data",
        pod: "db-2",
        container: "db",
        job: "kubelet",
        cpu: (0.1153, 0.2411, 1.8),
        peak: 305 * MIB,
    },
    Pod {
        ns: "payments",
        pod: "api-5d8f7c9b4-aaaaa",
        container: "app",
        job: "kubelet",
        cpu: (0.010, 0.0301, 0.9),
        peak: 280 * MIB,
    },
    Pod {
        ns: "payments",
        pod: "api-5d8f7c9b4-bbbbb",
        container: "app",
        job: "kubelet",
        cpu: (0.012, 0.0412, 0.5),
        peak: 299 * MIB + MIB / 2,
    },
    Pod {
        ns: "payments",
        pod: "api-5d8f7c9b4-ccccc",
        container: "app",
        job: "kubelet",
        cpu: (0.011, 0.0355, 1.2),
        peak: 250 * MIB,
    },
    // kube-system: KRR leaves it out unless namespaces are named ([`parity_snapshot`]).
    Pod {
        ns: "kube-system",
        pod: "coredns-6f7b8c9d5-zzzzz",
        container: "coredns",
        job: "kubelet",
        cpu: (0.003, 0.0052, 0.02),
        peak: 30 * MIB,
    },
];

/// A last terminated reason and the day from which kube-state-metrics reports it.
pub type Terminated = Option<(&'static str, u64)>;

/// kube-state-metrics: (namespace, pod, container, memory limit, last terminated reason).
pub const KSM: &[(&str, &str, &str, i64, Terminated)] = &[
    ("data", "db-0", "db", 512 * MIB, Some(("Completed", 2))),
    // db-1 was OOM-killed at its 512 MiB limit on day 5.
    ("data", "db-1", "db", 512 * MIB, Some(("OOMKilled", 5))),
    ("data", "db-2", "db", 512 * MIB, None),
    // api-bbbbb was OOM-killed at a 200 MiB limit: 250 MiB is below its peak × 1.15.
    (
        "payments",
        "api-5d8f7c9b4-bbbbb",
        "app",
        200 * MIB,
        Some(("OOMKilled", 1)),
    ),
];

/// The CPU rate of `p` at `t` seconds after the start.
pub fn rate_at(p: &Pod, t: u64) -> f64 {
    let minute = (t % 86_400) / 60;
    match minute {
        0..1152 => p.cpu.0,
        1152..1397 => p.cpu.1,
        _ => p.cpu.2,
    }
}

/// The memory working set of `p` at `t`: a daily wave up to 90% of the peak, the peak itself
/// for three minutes on day 9 (so a 75 s subquery step sees it).
pub fn memory_at(p: &Pod, t: u64) -> i64 {
    let spike = 9 * 86_400 + 600 * 60;
    if (spike..spike + 180).contains(&t) {
        return p.peak;
    }
    let wave = ((t % 86_400) as f64 / 86_400.0 * std::f64::consts::TAU).sin();
    (p.peak as f64 * (0.7 + 0.2 * wave)) as i64
}

pub fn openmetrics(end: u64) -> String {
    let start = end - DAYS * 86_400;
    let times = || (0..=DAYS * 86_400).step_by(SCRAPE as usize);
    let mut out = String::new();
    for p in PODS {
        let mut counter = 0.0;
        for t in times() {
            let _ = writeln!(
                out,
                "container_cpu_usage_seconds_total{{namespace=\"{}\",pod=\"{}\",container=\"{}\",job=\"{}\"}} {counter} {}",
                p.ns,
                p.pod,
                p.container,
                p.job,
                start + t
            );
            counter += rate_at(p, t) * SCRAPE as f64;
        }
    }
    for p in PODS {
        for t in times() {
            let _ = writeln!(
                out,
                "container_memory_working_set_bytes{{namespace=\"{}\",pod=\"{}\",container=\"{}\",job=\"{}\"}} {} {}",
                p.ns,
                p.pod,
                p.container,
                p.job,
                memory_at(p, t),
                start + t
            );
        }
    }
    let ksm = "job=\"kube-state-metrics\"";
    for (ns, pod, c, limit, _) in KSM {
        for t in times() {
            let _ = writeln!(
                out,
                "kube_pod_container_resource_limits{{namespace=\"{ns}\",pod=\"{pod}\",container=\"{c}\",resource=\"memory\",unit=\"byte\",{ksm}}} {limit} {}",
                start + t
            );
        }
    }
    for (ns, pod, c, _, reason) in KSM {
        let Some((reason, day)) = reason else {
            continue;
        };
        for t in times().filter(|t| *t >= day * 86_400) {
            let _ = writeln!(
                out,
                "kube_pod_container_status_last_terminated_reason{{namespace=\"{ns}\",pod=\"{pod}\",container=\"{c}\",reason=\"{reason}\",{ksm}}} 1 {}",
                start + t
            );
        }
    }
    out.push_str("# EOF\n");
    out
}

/// The fixture snapshot with a third `api` pod and `db-1`, `db-2`, written to `dir`.
pub fn snapshot(dir: &Path) -> String {
    let text = std::fs::read_to_string(format!("{FIXTURES}/krr/cluster.json")).expect("fixture");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("fixture JSON");
    let items = doc["items"].as_array_mut().expect("items");
    let copy = |items: &Vec<serde_json::Value>, from: &str, to: &str| {
        let mut p = items
            .iter()
            .find(|i| i["metadata"]["name"] == from)
            .expect("pod")
            .clone();
        p["metadata"]["name"] = to.into();
        p
    };
    let extra = [
        copy(items, "api-5d8f7c9b4-aaaaa", "api-5d8f7c9b4-ccccc"),
        copy(items, "db-0", "db-1"),
        copy(items, "db-0", "db-2"),
    ];
    items.extend(extra);
    let path = dir.join("cluster.json");
    std::fs::write(&path, doc.to_string()).expect("write snapshot");
    path.display().to_string()
}

/// [`snapshot`] plus what KRR treats specially: a `coredns` Deployment in `kube-system` (with
/// series in Prometheus) and a 200m CPU limit on `api`'s `log` container (which has no series),
/// written to `dir` as `parity.json`.
pub fn parity_snapshot(dir: &Path) -> String {
    let text = std::fs::read_to_string(snapshot(dir)).expect("snapshot");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("snapshot JSON");
    let items = doc["items"].as_array_mut().expect("items");
    for item in items.iter_mut() {
        let Some(containers) = item["spec"]["containers"].as_array_mut() else {
            continue;
        };
        for c in containers.iter_mut().filter(|c| c["name"] == "log") {
            c["resources"]["limits"] = serde_json::json!({"cpu": "200m"});
        }
    }
    items.push(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "coredns-6f7b8c9d5-zzzzz",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "pod-template-hash": "6f7b8c9d5"},
            "ownerReferences": [{
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "coredns-6f7b8c9d5",
                "uid": "rs-coredns", "controller": true
            }]
        },
        "spec": {
            "nodeName": "node-1",
            "containers": [{
                "name": "coredns",
                "resources": {
                    "requests": {"cpu": "100m", "memory": "70Mi"},
                    "limits": {"memory": "170Mi"}
                }
            }]
        },
        "status": {"phase": "Running", "qosClass": "Burstable"}
    }));
    let path = dir.join("parity.json");
    std::fs::write(&path, doc.to_string()).expect("write snapshot");
    path.display().to_string()
}

/// Expected recommendations, computed from the series' definitions: (CPU p95 cores, CPU p66
/// pooled, CPU p96 pooled, peak bytes, OOM-killed limit bytes) over the kubelet series of the
/// pods of `container`.
pub fn expected(container: &str) -> (f64, f64, f64, i64, Option<i64>) {
    let pods: Vec<&Pod> = PODS
        .iter()
        .filter(|p| p.container == container && p.job == "kubelet")
        .collect();
    let max = |f: &dyn Fn(&Pod) -> f64| pods.iter().map(|p| f(p)).fold(f64::MIN, f64::max);
    // Pooled over the pods, base holds 80% of the samples and mid 17%: the 66th percentile is
    // the largest base, the 96th the largest mid.
    let oom = KSM
        .iter()
        .filter(|k| k.2 == container && matches!(k.4, Some(("OOMKilled", _))))
        .map(|k| k.3)
        .max();
    (
        max(&|p| p.cpu.1),
        max(&|p| p.cpu.0),
        max(&|p| p.cpu.1),
        pods.iter().map(|p| p.peak).max().unwrap_or(0),
        oom,
    )
}

/// KRR's rounding: up to 1 millicore, in cores.
pub fn cores(v: f64) -> f64 {
    (v * 1000.0).ceil() / 1000.0
}

/// KRR's rounding: up to 1 MiB, in bytes.
pub fn mib_up(v: f64) -> i64 {
    (v / MIB as f64).ceil() as i64 * MIB
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn ready(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /-/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.1 200")
}

/// A running Prometheus serving the synthetic history on `http://127.0.0.1:{port}`; its data
/// lives in `dir`. Killed when dropped.
pub struct Running {
    /// The process.
    pub server: Server,
    /// Its port.
    pub port: u16,
    /// Its working directory (data, config; tests write their snapshot here too).
    pub dir: PathBuf,
}

/// Writes the history with promtool and starts Prometheus on a free port, under `base`.
pub fn start(base: &Path, extra_args: &[&str]) -> Running {
    launch(base, extra_args, true)
}

/// Starts Prometheus without any history (fast: for tests of CORS and transport only).
pub fn start_empty(base: &Path, extra_args: &[&str]) -> Running {
    launch(base, extra_args, false)
}

fn launch(base: &Path, extra_args: &[&str], backfill: bool) -> Running {
    let dir = base.join(format!("prometheus-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).expect("mkdir");
    if backfill {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let end = now - now % SCRAPE - 60;
        let om = dir.join("series.om");
        std::fs::write(&om, openmetrics(end)).expect("write openmetrics");
        let status = Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&om)
            .arg(dir.join("data"))
            .stdout(Stdio::null())
            .status()
            .expect("promtool runs (Debian package prometheus)");
        assert!(status.success(), "promtool failed");
    }
    let config = dir.join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 1h\n").expect("write config");
    let port = free_port();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--storage.tsdb.retention.time=30d")
        .args(extra_args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus starts (Debian package prometheus)");
    let server = Server(child);
    let started = Instant::now();
    while !ready(port) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "prometheus not ready after 60 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }

    Running { server, port, dir }
}
