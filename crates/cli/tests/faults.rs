//! Network faults: a Prometheus and a Vantage that reset connections, answer slowly, drip their
//! answer, hang, or answer garbage (binary, or not HTTP at all). Every run still exits 0 with a
//! full cost report, says on standard error what went wrong, and ends within its configured
//! timeout (the time bounds below are hang guards, many times the timeout, not benchmarks).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use kube_rightsize_fake_vantage::{self as fake_vantage, Config, DEFAULT_TOKEN, Fault};
use serde_json::Value;

#[path = "support/temp.rs"]
mod temp;

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures");
const AT: &str = "--generated-at=2026-01-31T12:00:00Z";

/// A fake HTTP server on 127.0.0.1: every connection is handed to `handle` in its own thread.
/// The threads live as long as the test process.
fn serve(handle: fn(TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || handle(stream));
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// Reads the request line and headers; returns the request line.
fn read_request(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    line
}

fn answer(mut stream: &TcpStream, status: u16, body: &[u8]) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(body);
}

/// A fixed stream of binary garbage (not UTF-8, not JSON).
fn garbage(n: usize) -> Vec<u8> {
    (0..n as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

fn analyze(args: &[&str], env: &[(&str, &str)]) -> (Output, Value, Duration) {
    let cache = temp::temp_dir("faults");
    let started = Instant::now();
    let mut cmd = Command::new(BIN);
    cmd.arg("analyze")
        .args(args)
        .args(["--format=json", AT])
        .env("XDG_CACHE_HOME", &*cache);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("binary runs");
    let took = started.elapsed();
    assert_eq!(
        o.status.code(),
        Some(0),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    let r: Value = serde_json::from_slice(&o.stdout).expect("a JSON report");
    (o, r, took)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn warning_codes(r: &Value) -> Vec<String> {
    r["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| w["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Prometheus.
// ---------------------------------------------------------------------------------------------

fn with_prometheus(url: &str, timeout: &str) -> (Output, Value, Duration) {
    let cluster = format!("{FIXTURES}/krr/cluster.json");
    analyze(
        &[
            &cluster,
            "--prometheus",
            url,
            "--prometheus-timeout",
            timeout,
            "--price",
            "m5.xlarge=0.2",
        ],
        &[],
    )
}

/// The cost report is whole, and every container's recommendation is `?` with `reason`.
fn assert_cost_report_without_recommendations(r: &Value, reason: &str) {
    assert!(
        r["summary"]["monthly_cost"].as_f64().unwrap_or(0.0) > 0.0,
        "{r}"
    );
    assert_eq!(r["workloads"].as_array().map(Vec::len), Some(3));
    assert_eq!(r["recommendations"]["source"], "prometheus");
    for w in r["workloads"].as_array().into_iter().flatten() {
        for c in w["containers"].as_array().into_iter().flatten() {
            assert_eq!(c["recommended"]["info"], reason, "{c}");
            assert_eq!(c["recommended"]["requests"]["cpu_cores"], Value::Null);
        }
    }
}

#[test]
fn prometheus_resetting_every_connection() {
    let url = serve(|stream| {
        // Close with the request unread: the kernel answers with a RST.
        std::thread::sleep(Duration::from_millis(100));
        drop(stream);
    });
    let (o, r, took) = with_prometheus(&url, "5");
    assert!(took < Duration::from_secs(60), "{took:?}");
    assert_cost_report_without_recommendations(&r, "Prometheus unavailable");
    let err = stderr(&o);
    assert!(
        err.contains(&format!("warning: cannot reach Prometheus at {url}")),
        "{err}"
    );
    assert!(warning_codes(&r).contains(&"prometheus_unavailable".to_owned()));
}

#[test]
fn prometheus_answering_slowly_within_the_timeout() {
    let url = serve(|stream| {
        let line = read_request(&stream);
        std::thread::sleep(Duration::from_millis(400));
        let value = if line.contains("count_over_time") {
            "2000"
        } else if line.contains("max_over_time") {
            "314048512"
        } else {
            "0.0412"
        };
        let body = format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{"pod":"api-5d8f7c9b4-aaaaa","job":"kubelet"}},"value":[1769860800,"{value}"]}}]}}}}"#
        );
        answer(&stream, 200, body.as_bytes());
    });
    let (o, r, _) = with_prometheus(&url, "10");
    let api = r["workloads"]
        .as_array()
        .and_then(|ws| ws.iter().find(|w| w["name"] == "api"))
        .expect("api");
    assert_eq!(
        api["containers"][0]["recommended"]["requests"]["cpu_cores"], 0.042,
        "{api}"
    );
    assert!(!warning_codes(&r).contains(&"prometheus_timeout".to_owned()));
    assert!(!stderr(&o).contains("did not answer"), "{}", stderr(&o));
}

#[test]
fn prometheus_dripping_its_answer_times_out() {
    let url = serve(|stream| {
        read_request(&stream);
        let body = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        let mut s = &stream;
        let _ = write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        for b in body {
            if s.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    let (o, r, took) = with_prometheus(&url, "2");
    // 4 queries in flight give up together after 2 s; the rest are not sent.
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert_cost_report_without_recommendations(&r, "Prometheus timed out");
    assert!(
        stderr(&o).contains(&format!(
            "warning: Prometheus at {url} did not answer within 2 s"
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn prometheus_answering_binary_garbage() {
    let url = serve(|stream| {
        read_request(&stream);
        answer(&stream, 200, &garbage(64 * 1024));
    });
    let (o, r, _) = with_prometheus(&url, "5");
    assert_cost_report_without_recommendations(&r, "Prometheus query failed");
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "warning: Prometheus at {url} failed 16 of 16 queries"
        )),
        "{err}"
    );
    assert!(warning_codes(&r).contains(&"prometheus_query_failed".to_owned()));
}

#[test]
fn prometheus_answering_sixteen_megabytes_of_wrong_json() {
    let url = serve(|stream| {
        read_request(&stream);
        let mut body = Vec::with_capacity(16 << 20);
        body.extend_from_slice(
            b"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[",
        );
        while body.len() < 16 << 20 {
            body.extend_from_slice(b"{\"metric\":{\"pod\":7},\"value\":[1,\"x\"]},");
        }
        body.extend_from_slice(b"null]}}");
        answer(&stream, 200, &body);
    });
    let (_, r, _) = with_prometheus(&url, "30");
    assert_cost_report_without_recommendations(&r, "Prometheus query failed");
}

#[test]
fn prometheus_that_is_not_http() {
    let url = serve(|stream| {
        read_request(&stream);
        let mut s = &stream;
        let _ = s.write_all(b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff garbage\r\n\r\n");
    });
    let (o, r, _) = with_prometheus(&url, "5");
    assert_cost_report_without_recommendations(&r, "Prometheus unavailable");
    assert!(
        stderr(&o).contains(&format!("warning: cannot reach Prometheus at {url}")),
        "{}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------------------------------------
// Vantage (the fake's transport faults).
// ---------------------------------------------------------------------------------------------

/// m5.large and m5.xlarge in us-east-1, on-demand.
const EKS: &str = "eks-managed-ondemand.json";

fn with_vantage(
    fault: Fault,
    timeout: &str,
) -> (fake_vantage::FakeVantage, Output, Value, Duration) {
    let server = fake_vantage::start(Config {
        fault: Some(fault),
        ..Config::default()
    })
    .expect("fake starts");
    let url = server.url();
    let snapshot = format!("{FIXTURES}/{EKS}");
    let (o, r, took) = analyze(
        &[
            &snapshot,
            "--vantage-token-env",
            "KRS_TEST_VANTAGE_TOKEN",
            "--vantage-url",
            &url,
            "--vantage-timeout",
            timeout,
        ],
        &[("KRS_TEST_VANTAGE_TOKEN", DEFAULT_TOKEN)],
    );
    // Whatever happened: every node priced from the next source, the token in no output.
    for n in r["nodes"].as_array().expect("nodes") {
        assert_eq!(n["price_source"], "embedded", "{n}");
    }
    assert!(r["summary"]["monthly_cost"].as_f64().unwrap_or(0.0) > 0.0);
    for text in [
        &stderr(&o),
        &String::from_utf8_lossy(&o.stdout).into_owned(),
    ] {
        assert!(!text.contains(DEFAULT_TOKEN), "the token leaked");
    }
    (server, o, r, took)
}

#[test]
fn vantage_that_hangs_stops_after_the_retries_of_one_type() {
    let (server, o, r, took) = with_vantage(Fault::Hang, "1");
    // Three attempts of 1 s and backoffs of 1 + 2 s, for the first type only.
    assert!(took < Duration::from_secs(60), "{took:?}");
    assert_eq!(server.count("/v2/products"), 3, "{:?}", server.requests());
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "warning: Vantage at {} did not answer in time (3 attempts for",
            server.url()
        )),
        "{err}"
    );
    assert!(
        warning_codes(&r).contains(&"vantage_timeout".to_owned()),
        "{r}"
    );
}

#[test]
fn vantage_dripping_its_answer_times_out() {
    let (server, o, _, took) = with_vantage(Fault::Drip, "2");
    assert!(took < Duration::from_secs(60), "{took:?}");
    assert_eq!(server.count("/v2/products"), 3);
    assert!(
        stderr(&o).contains("did not answer in time"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn vantage_resetting_every_connection() {
    let (server, o, r, _) = with_vantage(Fault::Reset, "5");
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "warning: cannot reach Vantage at {}",
            server.url()
        )),
        "{err}"
    );
    // Not retried per type: one connection, then every type is skipped.
    assert_eq!(server.requests().len(), 1, "{:?}", server.requests());
    assert!(
        warning_codes(&r).contains(&"vantage_unreachable".to_owned()),
        "{r}"
    );
}

#[test]
fn vantage_answering_binary_garbage() {
    let (server, o, r, _) = with_vantage(Fault::Garbage, "5");
    let err = stderr(&o);
    assert!(
        err.contains("warning: no Vantage price for m5.large"),
        "{err}"
    );
    assert!(
        err.contains("warning: no Vantage price for m5.xlarge"),
        "{err}"
    );
    // One request per type: garbage is not retried.
    assert_eq!(server.count("/v2/products"), 2, "{:?}", server.requests());
    assert!(
        warning_codes(&r).contains(&"vantage_failed".to_owned()),
        "{r}"
    );
}

#[test]
fn vantage_that_is_not_http() {
    let (server, o, r, _) = with_vantage(Fault::NotHttp, "5");
    assert!(
        stderr(&o).contains(&format!(
            "warning: cannot reach Vantage at {}",
            server.url()
        )),
        "{}",
        stderr(&o)
    );
    assert!(
        warning_codes(&r).contains(&"vantage_unreachable".to_owned()),
        "{r}"
    );
}
