//! `analyze --krr / --usage` on the demo and the core's fixtures.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures");
const AT: &str = "--generated-at=2026-01-31T12:00:00Z";

fn path(rel: &str) -> String {
    format!("{ROOT}/{rel}")
}

fn fixture(rel: &str) -> String {
    format!("{FIXTURES}/{rel}")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("binary runs")
}

fn ok_json(args: &[&str]) -> serde_json::Value {
    let o = run(args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("JSON report")
}

#[test]
fn demo_with_krr_has_savings_and_krrs_score() {
    let cluster = path("static/demo/cluster.json");
    let krr = path("static/demo/krr.json");
    let r = ok_json(&["analyze", &cluster, "--krr", &krr, "--format", "json", AT]);
    let savings = r["summary"]["monthly_savings"].as_f64().unwrap();
    assert!(savings > 0.0, "{savings}");
    let cost = r["summary"]["monthly_cost"].as_f64().unwrap();
    let after = r["summary"]["recommended_monthly_cost"].as_f64().unwrap();
    assert!((cost - savings - after).abs() < 1e-6);
    let rec = &r["recommendations"];
    assert_eq!(rec["source"], "krr");
    assert_eq!(rec["strategy"], "simple");
    assert_eq!(rec["score"], 26);
    assert_eq!(rec["given_score"], 26);
    assert_eq!(rec["grade"], "F");
    assert_eq!(rec["matched"], 67);
    // Every demo scan matches a workload of the demo snapshot.
    assert_eq!(rec["unmatched"].as_array().unwrap().len(), 0);
    let w = r["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "batch-api")
        .unwrap();
    assert_eq!(w["severity"], "CRITICAL");
    assert!(w["monthly_savings"].as_f64().unwrap() > 0.0);
    let c = &w["containers"][0]["recommended"];
    assert_eq!(c["requests"]["cpu_cores"], 0.025);
    assert_eq!(c["requests"]["memory_bytes"], 529_530_880);
    assert_eq!(c["source"], "krr");
    assert_eq!(c["low_confidence"], false);

    // The table shows current → recommended, KRR style.
    let o = run(&["analyze", &cluster, "--krr", &krr, AT]);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("score 26 (F)"), "{table}");
    assert!(table.contains("1 -> 25m"), "{table}");
    assert!(table.contains("2048Mi -> 505Mi"), "{table}");

    // CSV carries the recommended columns.
    let o = run(&["analyze", &cluster, "--krr", &krr, "--format", "csv", AT]);
    let csv = String::from_utf8_lossy(&o.stdout);
    assert!(
        csv.lines()
            .any(|l| l.contains("batch-api") && l.contains(",krr")),
        "{csv}"
    );
}

#[test]
fn unmatched_scans_are_listed() {
    let r = ok_json(&[
        "analyze",
        &fixture("krr/cluster.json"),
        "--krr",
        &fixture("krr/small.json"),
        "--price",
        "m5.xlarge=0.2",
        "--format=json",
        AT,
    ]);
    let unmatched = r["recommendations"]["unmatched"].as_array().unwrap();
    assert_eq!(unmatched.len(), 2);
    assert_eq!(
        unmatched[1]["reason"],
        "no Deployment payments/ghost in the snapshot"
    );
    assert_eq!(r["recommendations"]["score"], 26);
    let warnings = r["warnings"].as_array().unwrap();
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w["code"] == "krr_unmatched")
            .count(),
        2
    );
    // Σ −$4.16 (see crates/core/tests/krr.rs): under-provisioning costs more.
    let s = r["summary"]["monthly_savings"].as_f64().unwrap();
    assert_eq!(format!("{s:.2}"), "-4.16");
}

#[test]
fn usage_snapshots_are_low_confidence() {
    for usage in ["usage/top-all.txt", "usage/metrics.json"] {
        let r = ok_json(&[
            "analyze",
            &fixture("krr/cluster.json"),
            "--usage",
            &fixture(usage),
            "--format=json",
            "--mem-min",
            "64",
            AT,
        ]);
        assert_eq!(r["recommendations"]["low_confidence"], true, "{usage}");
        assert_eq!(
            r["recommendations"]["settings"]["memory_min_bytes"],
            64 * 1_048_576
        );
        let api = r["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["name"] == "api")
            .unwrap();
        let c = &api["containers"][0]["recommended"];
        assert_eq!(c["low_confidence"], true);
        assert!(c["info"].as_str().unwrap().starts_with("one sample from"));
    }
}

#[test]
fn bad_recommendation_options() {
    let cluster = path("static/demo/cluster.json");
    let krr = path("static/demo/krr.json");
    for args in [
        vec!["analyze", cluster.as_str(), "--krr", &krr, "--usage", &krr],
        vec![
            "analyze",
            cluster.as_str(),
            "--strategy",
            "fancy",
            "--krr",
            &krr,
        ],
        vec!["analyze", cluster.as_str(), "--cpu-percentile", "95"],
        vec!["analyze", cluster.as_str(), "--prometheus-header", "X: y"],
        vec![
            "analyze",
            cluster.as_str(),
            "--krr",
            &krr,
            "--mem-min",
            "lots",
        ],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
    }
    // A cluster snapshot given as --krr is an input error, not a panic.
    let o = run(&["analyze", &cluster, "--krr", &cluster]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a KRR JSON result"));
    let o = run(&["analyze", &cluster, "--usage", &krr]);
    assert_eq!(o.status.code(), Some(1));
}

/// A tiny fake Prometheus: answers every `/api/v1/query` by the query's function.
fn fake_prometheus(fail: bool) -> (String, std::thread::JoinHandle<usize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let mut served = 0;
        listener.set_nonblocking(false).unwrap();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf).into_owned();
            if head.starts_with("GET /quit") {
                break;
            }
            served += 1;
            let (status, body) = if fail {
                (
                    "400 Bad Request",
                    r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#.to_owned(),
                )
            } else {
                let v = if head.contains("quantile_over_time") {
                    "0.05"
                } else if head.contains("count_over_time") {
                    "200"
                } else {
                    "314572800"
                };
                (
                    "200 OK",
                    format!(
                        r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{"pod":"x","job":"kubelet"}},"value":[1,"{v}"]}}]}}}}"#
                    ),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        served
    });
    (format!("http://{addr}"), handle)
}

fn quit(url: &str) {
    use std::io::Write;
    let addr = url.trim_start_matches("http://");
    if let Ok(mut s) = std::net::TcpStream::connect(addr) {
        let _ = s.write_all(b"GET /quit HTTP/1.1\r\n\r\n");
    }
}

#[test]
fn prometheus_source_over_http() {
    let (url, server) = fake_prometheus(false);
    let r = ok_json(&[
        "analyze",
        &fixture("krr/cluster.json"),
        "--prometheus",
        &url,
        "--prometheus-header",
        "X-Scope-OrgID: tenant",
        "--price",
        "m5.xlarge=0.2",
        "--format=json",
        AT,
    ]);
    quit(&url);
    assert_eq!(server.join().unwrap(), 16);
    assert_eq!(r["recommendations"]["source"], "prometheus");
    let db = r["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["name"] == "db")
        .unwrap();
    let c = &db["containers"][0]["recommended"];
    // 0.05 cores → 50m; 300 MiB × 1.15 = 345 MiB.
    assert_eq!(c["requests"]["cpu_cores"], 0.05);
    assert_eq!(c["requests"]["memory_bytes"], 345 * 1_048_576);
    assert_eq!(c["source"], "prometheus");

    let (url, server) = fake_prometheus(true);
    let o = run(&[
        "analyze",
        &fixture("krr/cluster.json"),
        "--prometheus",
        &url,
    ]);
    quit(&url);
    let _ = server.join();
    // A rejected query is a warning, not a failed run: the cost report is still made
    // (`crates/cli/tests/prometheus.rs` covers each failure mode).
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.lines()
            .any(|l| l.starts_with("warning: Prometheus at") && l.contains("bad_data")),
        "{err}"
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("prometheus_query_failed"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
