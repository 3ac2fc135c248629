//! Real Prometheus: `promtool tsdb create-blocks-from openmetrics` writes 14 days of synthetic
//! kubelet/cAdvisor and kube-state-metrics series (one sample a minute, three pods per workload,
//! an OOM kill) for `crates/core/tests/fixtures/krr/cluster.json` plus extra pods, a local
//! `prometheus` (Debian package `prometheus`) serves them, and `kube-rightsize analyze
//! --prometheus` computes KRR `simple` recommendations from them.
//!
//! Runs only when `KRS_PROMETHEUS_TESTS` is set (CI sets it where `prometheus` and `promtool`
//! are installed); skips otherwise.
//!
//! The failure modes (Prometheus down, 4xx, 5xx, a query timeout, partial data) run always,
//! against a tiny fake HTTP server on 127.0.0.1 (`fake`).

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

/// Days of history, and the scrape interval in seconds.
const DAYS: u64 = 14;
const SCRAPE: u64 = 60;

/// One synthetic pod container: its CPU rate is `base` for 80% of each day, `mid` for 17% and
/// `high` for the last 3% (43 minutes), so its 95th percentile over the 14 days is `mid` (the
/// top 5% holds all of `high` and some of `mid`) and its 66th `base`; its memory working set
/// wanders below `peak` and reaches it for three minutes on day 9.
struct Pod {
    ns: &'static str,
    pod: &'static str,
    container: &'static str,
    job: &'static str,
    cpu: (f64, f64, f64),
    peak: i64,
}

const PODS: &[Pod] = &[
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
];

/// A last terminated reason and the day from which kube-state-metrics reports it.
type Terminated = Option<(&'static str, u64)>;

/// kube-state-metrics: (namespace, pod, container, memory limit, last terminated reason).
const KSM: &[(&str, &str, &str, i64, Terminated)] = &[
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
fn rate_at(p: &Pod, t: u64) -> f64 {
    let minute = (t % 86_400) / 60;
    match minute {
        0..1152 => p.cpu.0,
        1152..1397 => p.cpu.1,
        _ => p.cpu.2,
    }
}

/// The memory working set of `p` at `t`: a daily wave up to 90% of the peak, the peak itself
/// for three minutes on day 9 (so a 75 s subquery step sees it).
fn memory_at(p: &Pod, t: u64) -> i64 {
    let spike = 9 * 86_400 + 600 * 60;
    if (spike..spike + 180).contains(&t) {
        return p.peak;
    }
    let wave = ((t % 86_400) as f64 / 86_400.0 * std::f64::consts::TAU).sin();
    (p.peak as f64 * (0.7 + 0.2 * wave)) as i64
}

fn openmetrics(end: u64) -> String {
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
fn snapshot(dir: &std::path::Path) -> String {
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

/// Expected recommendations, computed from the series' definitions: (CPU p95 cores, CPU p66
/// pooled, CPU p96 pooled, peak bytes, OOM-killed limit bytes) over the kubelet series of the
/// pods of `container`.
fn expected(container: &str) -> (f64, f64, f64, i64, Option<i64>) {
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
fn cores(v: f64) -> f64 {
    (v * 1000.0).ceil() / 1000.0
}

/// KRR's rounding: up to 1 MiB, in bytes.
fn mib_up(v: f64) -> i64 {
    (v / MIB as f64).ceil() as i64 * MIB
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

    let cluster = snapshot(&dir);
    let url = format!("http://127.0.0.1:{port}");
    let run = |extra: &[&str]| -> serde_json::Value {
        let o = Command::new(BIN)
            .args([
                "analyze",
                &cluster,
                "--prometheus",
                &url,
                "--price",
                "m5.xlarge=0.2",
                "--format=json",
                "--generated-at=2026-01-31T12:00:00Z",
            ])
            .args(extra)
            .output()
            .expect("binary runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).expect("JSON report")
    };
    let rec = |r: &serde_json::Value, workload: &str, container: &str| {
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
    let (db_p95, db_p66, db_p96, db_peak, db_oom) = expected("db");
    let (app_p95, _, _, app_peak, app_oom) = expected("app");
    // Sanity of the expectations (hand-computed): 250m / 357 MiB, 42m / 345 MiB.
    assert_eq!(cores(db_p95), 0.25);
    assert_eq!(mib_up(db_peak as f64 * 1.15), 357 * MIB);
    assert_eq!(cores(app_p95), 0.042);
    assert_eq!(mib_up(app_peak as f64 * 1.15), 345 * MIB);

    // simple: max over pods of each pod's p95 (the kubelet series; db-0's cadvisor series of 3
    // cores and 4 GiB is ignored), peak × 1.15; no OOM data unless asked.
    let r = run(&[]);
    assert_eq!(r["recommendations"]["source"], "prometheus");
    let db = rec(&r, "db", "db");
    assert_eq!(db["requests"]["cpu_cores"], cores(db_p95), "{db}");
    assert_eq!(
        db["requests"]["memory_bytes"],
        mib_up(db_peak as f64 * 1.15),
        "{db}"
    );
    assert_eq!(db["limits"]["cpu_cores"], serde_json::Value::Null);
    assert_eq!(db["info"], serde_json::Value::Null, "{db}");
    let app = rec(&r, "api", "app");
    assert_eq!(app["requests"]["cpu_cores"], cores(app_p95), "{app}");
    assert_eq!(
        app["requests"]["memory_bytes"],
        mib_up(app_peak as f64 * 1.15),
        "{app}"
    );
    // api/log has no series: "No data", and a warning naming it.
    let log = rec(&r, "api", "log");
    assert_eq!(log["info"], "No data", "{log}");
    let no_data: Vec<&serde_json::Value> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "prometheus_no_data")
        .collect();
    assert_eq!(no_data.len(), 1, "{r}");

    // --use-oomkill-data: memory = max(peak × 1.15, OOM-killed limit × 1.25), rounded up.
    let r = run(&["--use-oomkill-data"]);
    let db = rec(&r, "db", "db");
    let want = mib_up((db_peak as f64 * 1.15).max(db_oom.unwrap() as f64 * 1.25));
    assert_eq!(want, 640 * MIB);
    assert_eq!(db["requests"]["memory_bytes"], want, "{db}");
    assert_eq!(db["limits"]["memory_bytes"], want, "{db}");
    assert_eq!(db["info"], "memory: OOMKill detected", "{db}");
    let app = rec(&r, "api", "app");
    let want = mib_up((app_peak as f64 * 1.15).max(app_oom.unwrap() as f64 * 1.25));
    assert_eq!(want, 345 * MIB);
    assert_eq!(app["requests"]["memory_bytes"], want, "{app}");
    assert_eq!(app["info"], "memory: OOMKill detected", "{app}");
    assert_eq!(rec(&r, "api", "log")["info"], "No data");

    // simple_limit: pooled 66th / 96th percentiles of all pods' CPU rate samples.
    let r = run(&["--strategy", "simple_limit"]);
    assert_eq!(r["recommendations"]["strategy"], "simple_limit");
    let db = rec(&r, "db", "db");
    assert_eq!(db["requests"]["cpu_cores"], cores(db_p66), "{db}");
    assert_eq!(db["limits"]["cpu_cores"], cores(db_p96), "{db}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fake Prometheus on 127.0.0.1: each connection gets `respond(request line)`, or is held open
/// without an answer when it returns `None`.
mod fake {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::time::Duration;

    /// Starts the server; returns its base URL. The thread lives as long as the test process.
    pub fn serve(respond: fn(&str) -> Option<(u16, String)>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(&stream);
                    let mut line = String::new();
                    let _ = reader.read_line(&mut line);
                    let mut header = String::new();
                    while reader.read_line(&mut header).is_ok_and(|n| n > 0) {
                        if header == "\r\n" {
                            break;
                        }
                        header.clear();
                    }
                    match respond(&line) {
                        Some((status, body)) => {
                            let mut w = &stream;
                            let _ = write!(
                                w,
                                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            );
                        }
                        // Never answer: hold the connection until the client gives up.
                        None => std::thread::sleep(Duration::from_secs(60)),
                    }
                });
            }
        });
        format!("http://127.0.0.1:{port}")
    }
}

fn analyze_with(url: &str, extra: &[&str]) -> (std::process::Output, serde_json::Value) {
    let mut args = vec![
        "analyze".to_owned(),
        format!("{FIXTURES}/krr/cluster.json"),
        "--prometheus".to_owned(),
        url.to_owned(),
        "--price".to_owned(),
        "m5.xlarge=0.2".to_owned(),
        "--format=json".to_owned(),
        "--generated-at=2026-01-31T12:00:00Z".to_owned(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let o = Command::new(BIN).args(&args).output().expect("binary runs");
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    (o, r)
}

/// The report is intact: costs, every workload, and a `prometheus` recommendations section.
fn assert_report_intact(r: &serde_json::Value) {
    assert!(r["summary"]["monthly_cost"].as_f64().unwrap() > 0.0, "{r}");
    assert_eq!(r["workloads"].as_array().unwrap().len(), 3);
    assert_eq!(r["recommendations"]["source"], "prometheus");
}

/// The warnings of the report with `code`.
fn warnings<'a>(r: &'a serde_json::Value, code: &str) -> Vec<&'a str> {
    r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == code)
        .map(|w| w["message"].as_str().unwrap())
        .collect()
}

/// Every container's recommendation info is `reason` and its cells are `?`.
fn assert_all_undefined(r: &serde_json::Value, reason: &str) {
    for w in r["workloads"].as_array().unwrap() {
        for c in w["containers"].as_array().unwrap() {
            let rec = &c["recommended"];
            assert_eq!(rec["info"], reason, "{rec}");
            assert_eq!(
                rec["requests"]["cpu_cores"],
                serde_json::Value::Null,
                "{rec}"
            );
            assert_eq!(
                rec["requests"]["memory_bytes"],
                serde_json::Value::Null,
                "{rec}"
            );
        }
    }
}

fn stderr_warning(o: &std::process::Output, start: &str) -> String {
    let err = String::from_utf8_lossy(&o.stderr);
    err.lines()
        .find(|l| l.starts_with(&format!("warning: {start}")))
        .unwrap_or_else(|| panic!("no `warning: {start}` line in:\n{err}"))
        .to_owned()
}

#[test]
fn prometheus_down_leaves_a_report_with_a_warning() {
    // A port nobody listens on: bound, then closed.
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/");
    let (o, r) = analyze_with(&url, &[]);
    assert_report_intact(&r);
    assert_all_undefined(&r, "Prometheus unavailable");
    let w = warnings(&r, "prometheus_unavailable");
    assert_eq!(w.len(), 1, "{r}");
    let line = stderr_warning(&o, "cannot reach Prometheus");
    assert_eq!(
        line,
        format!(
            "warning: cannot reach Prometheus at {url}: connection refused — is `kubectl \
             port-forward svc/prometheus 9090` running, and are the URL and --prometheus-header \
             right? 16 of 16 queries failed or were not sent: 4 of 4 containers lack a \
             recommendation (`?`); costs and the rest of the report are unaffected"
        )
    );
    assert_eq!(line.strip_prefix("warning: "), Some(w[0]));
}

#[test]
fn a_4xx_bad_query_is_a_warning() {
    let url = fake::serve(|_| {
        Some((
            400,
            r#"{"status":"error","errorType":"bad_data","error":"1:14: parse error: unexpected \"}\""}"#
                .to_owned(),
        ))
    });
    let (o, r) = analyze_with(&url, &[]);
    assert_report_intact(&r);
    assert_all_undefined(&r, "Prometheus query failed");
    let line = stderr_warning(&o, "Prometheus at");
    assert_eq!(
        line,
        format!(
            "warning: Prometheus at {url} failed 16 of 16 queries (first: Prometheus bad_data: \
             1:14: parse error: unexpected \"}}\") — check that the URL is the Prometheus API \
             root (e.g. http://localhost:9090, not Grafana) and that it accepts PromQL \
             subqueries: 4 of 4 containers lack a recommendation (`?`); costs and the rest of \
             the report are unaffected"
        )
    );
    assert_eq!(warnings(&r, "prometheus_query_failed").len(), 1);
}

#[test]
fn a_5xx_is_a_warning() {
    let url = fake::serve(|_| {
        Some((
            503,
            r#"{"status":"error","errorType":"internal","error":"query processing would load too many samples into memory"}"#
                .to_owned(),
        ))
    });
    let (o, r) = analyze_with(&url, &[]);
    assert_report_intact(&r);
    assert_all_undefined(&r, "Prometheus query failed");
    let line = stderr_warning(&o, "Prometheus at");
    assert!(
        line.contains(
            "failed 16 of 16 queries (first: Prometheus internal: query processing would load \
             too many samples into memory) — check Prometheus's logs and load, or shorten the \
             history duration"
        ),
        "{line}"
    );
    assert_eq!(warnings(&r, "prometheus_query_failed").len(), 1);
}

#[test]
fn a_prometheus_that_never_answers_times_out() {
    let url = fake::serve(|_| None);
    let started = Instant::now();
    let (o, r) = analyze_with(&url, &["--prometheus-timeout", "1"]);
    // Four queries in flight time out together after 1 s; the rest are not sent.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_report_intact(&r);
    assert_all_undefined(&r, "Prometheus timed out");
    let line = stderr_warning(&o, "Prometheus at");
    assert_eq!(
        line,
        format!(
            "warning: Prometheus at {url} did not answer within 1 s — is it overloaded? Raise \
             --prometheus-timeout or shorten --history-duration. 16 of 16 queries failed or were \
             not sent: 4 of 4 containers lack a recommendation (`?`); costs and the rest of the \
             report are unaffected"
        )
    );
    assert_eq!(warnings(&r, "prometheus_timeout").len(), 1);
}

#[test]
fn partial_data_gives_no_data_for_the_rest() {
    let url = fake::serve(|line| {
        let empty = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        // Only payments/api container app has series.
        if !line.contains("container%3D%22app%22") {
            return Some((200, empty.to_owned()));
        }
        let value = if line.contains("quantile_over_time") {
            "0.0412"
        } else if line.contains("count_over_time") {
            "2000"
        } else if line.contains("max_over_time") {
            "314048512"
        } else {
            return Some((200, empty.to_owned()));
        };
        Some((
            200,
            format!(
                r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{"pod":"api-5d8f7c9b4-aaaaa","container":"app","job":"kubelet"}},"value":[1769860800,"{value}"]}}]}}}}"#
            ),
        ))
    });
    let (o, r) = analyze_with(&url, &[]);
    assert_report_intact(&r);
    let api = r["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "api")
        .unwrap();
    let app = &api["containers"][0]["recommended"];
    // 0.0412 → 42m; 299.5 MiB × 1.15 = 344.4 → 345 MiB.
    assert_eq!(app["requests"]["cpu_cores"], 0.042, "{app}");
    assert_eq!(app["requests"]["memory_bytes"], 345 * MIB, "{app}");
    assert_eq!(api["containers"][1]["recommended"]["info"], "No data");
    assert!(api["monthly_savings"].as_f64().unwrap() > 0.0, "{api}");
    let w = warnings(&r, "prometheus_no_data");
    assert_eq!(w.len(), 1, "{r}");
    let line = stderr_warning(&o, "Prometheus at");
    assert_eq!(
        line,
        format!(
            "warning: Prometheus at {url} has no series for 3 of 4 containers (StatefulSet \
             data/db container db, Deployment payments/api container log, Deployment web/front \
             container front): their recommendations are `?` (No data) — check that cAdvisor \
             metrics (container_cpu_usage_seconds_total, container_memory_working_set_bytes) \
             are scraped with namespace, pod and container labels"
        )
    );
}

#[test]
fn a_url_that_is_not_http_is_a_usage_error() {
    let o = Command::new(BIN)
        .args([
            "analyze",
            &format!("{FIXTURES}/krr/cluster.json"),
            "--prometheus",
            "localhost:9090",
        ])
        .output()
        .expect("binary runs");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--prometheus `localhost:9090` is not an http:// or https:// URL"),
        "{err}"
    );
}
