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

#[path = "support/prometheus.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{FIXTURES, MIB, cores, expected, free_port, mib_up, snapshot};

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");

#[test]
fn recommendations_from_a_real_prometheus() {
    if std::env::var_os("KRS_PROMETHEUS_TESTS").is_none() {
        eprintln!("skipped: set KRS_PROMETHEUS_TESTS=1 to run against a local prometheus");
        return;
    }
    let running = support::start(Path::new(env!("CARGO_TARGET_TMPDIR")), &[]);
    let (dir, port) = (running.dir.clone(), running.port);
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
    // Messages name the API root without the trailing slash, as the app does.
    let url = url.trim_end_matches('/');
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
        err.contains(
            "invalid value 'localhost:9090' for '--prometheus <URL>': not an http:// or https:// URL"
        ),
        "{err}"
    );
    // One line that says what to type instead, and no wall of help.
    assert!(
        err.contains(
            "tip: use http://localhost:9090 (after `kubectl port-forward svc/prometheus 9090`)"
        ),
        "{err}"
    );
    assert!(!err.contains("Recommendations"), "the whole help: {err}");
    assert!(err.lines().count() <= 6, "{err}");
}
