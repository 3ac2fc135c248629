//! Real Prometheus: `promtool tsdb create-blocks-from openmetrics` writes six hours of
//! synthetic kubelet/cAdvisor series for `crates/core/tests/fixtures/krr/cluster.json`, a local
//! `prometheus` (Debian package `prometheus`) serves them, and `kube-rightsize analyze
//! --prometheus` computes KRR `simple` recommendations from them.
//!
//! Runs only when `KRS_PROMETHEUS_TESTS` is set (CI sets it where `prometheus` and `promtool`
//! are installed); skips otherwise.

use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures");
const MIB: i64 = 1_048_576;

/// Kills the Prometheus this test started when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// (namespace, pod, container, job, CPU cores, memory bytes).
const SERIES: &[(&str, &str, &str, &str, f64, i64)] = &[
    ("data", "db-0", "db", "kubelet", 0.2495, 314_048_512),
    // A second job for the same pod: KRR (and we) prefer job="kubelet".
    ("data", "db-0", "db", "cadvisor", 3.0, 4 * 1024 * MIB),
    (
        "payments",
        "api-5d8f7c9b4-aaaaa",
        "app",
        "kubelet",
        0.0301,
        150 * MIB,
    ),
    (
        "payments",
        "api-5d8f7c9b4-bbbbb",
        "app",
        "kubelet",
        0.0412,
        299 * MIB + MIB / 2,
    ),
];

fn openmetrics(end: u64) -> String {
    let start = end - 6 * 3600;
    let mut out = String::new();
    for (ns, pod, c, job, cores, _) in SERIES {
        for t in (start..=end).step_by(30) {
            let _ = writeln!(
                out,
                "container_cpu_usage_seconds_total{{namespace=\"{ns}\",pod=\"{pod}\",container=\"{c}\",job=\"{job}\"}} {} {t}",
                cores * (t - start) as f64
            );
        }
    }
    for (ns, pod, c, job, _, bytes) in SERIES {
        for t in (start..=end).step_by(30) {
            let _ = writeln!(
                out,
                "container_memory_working_set_bytes{{namespace=\"{ns}\",pod=\"{pod}\",container=\"{c}\",job=\"{job}\"}} {bytes} {t}"
            );
        }
    }
    out.push_str("# EOF\n");
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn ready(port: u16) -> bool {
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

#[test]
fn recommendations_from_a_real_prometheus() {
    if std::env::var_os("KRS_PROMETHEUS_TESTS").is_none() {
        eprintln!("skipped: set KRS_PROMETHEUS_TESTS=1 to run against a local prometheus");
        return;
    }
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("prometheus-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).expect("mkdir");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let end = now - now % 30 - 60;
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
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prometheus starts (Debian package prometheus)");
    let _server = Server(child);
    let started = Instant::now();
    while !ready(port) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "prometheus not ready after 60 s"
        );
        std::thread::sleep(Duration::from_millis(250));
    }

    let o = Command::new(BIN)
        .args([
            "analyze",
            &format!("{FIXTURES}/krr/cluster.json"),
            "--prometheus",
            &format!("http://127.0.0.1:{port}"),
            "--price",
            "m5.xlarge=0.2",
            "--format=json",
            "--generated-at=2026-01-31T12:00:00Z",
        ])
        .output()
        .expect("binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    assert_eq!(r["recommendations"]["source"], "prometheus");
    let rec = |workload: &str, container: &str| {
        r["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["name"] == workload)
            .and_then(|w| {
                w["containers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["name"] == container)
            })
            .map(|c| c["recommended"].clone())
            .unwrap_or_else(|| panic!("{workload}/{container}"))
    };
    // db: the kubelet series, 0.2495 cores → 250m; 299.5 MiB × 1.15 = 344.4 → 345 MiB.
    let db = rec("db", "db");
    assert_eq!(db["requests"]["cpu_cores"], 0.25, "{db}");
    assert_eq!(db["requests"]["memory_bytes"], 345 * MIB, "{db}");
    assert_eq!(db["limits"]["cpu_cores"], serde_json::Value::Null);
    // api/app: max over the pods, 0.0412 → 42m; 299.5 MiB → 345 MiB.
    let app = rec("api", "app");
    assert_eq!(app["requests"]["cpu_cores"], 0.042, "{app}");
    assert_eq!(app["requests"]["memory_bytes"], 345 * MIB, "{app}");
    // api/log has no series: "No data".
    let log = rec("api", "log");
    assert_eq!(log["info"], "No data", "{log}");

    // simple_limit: pooled 66th / 96th percentiles of the CPU rate samples (constant here).
    let o = Command::new(BIN)
        .args([
            "analyze",
            &format!("{FIXTURES}/krr/cluster.json"),
            "--prometheus",
            &format!("http://127.0.0.1:{port}"),
            "--strategy",
            "simple_limit",
            "--format=json",
            "--generated-at=2026-01-31T12:00:00Z",
        ])
        .output()
        .expect("binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    assert_eq!(r["recommendations"]["strategy"], "simple_limit");
    let db = r["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "db")
        .map(|w| w["containers"][0]["recommended"].clone())
        .unwrap();
    assert_eq!(db["requests"]["cpu_cores"], 0.25, "{db}");
    assert_eq!(db["limits"]["cpu_cores"], 0.25, "{db}");
    let _ = std::fs::remove_dir_all(&dir);
}
