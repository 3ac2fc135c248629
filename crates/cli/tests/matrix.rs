//! Proof that the shells agree (issue 22, item 6), the CLI's half: every case of the matrix runs
//! through the binary with `--format json`, and the report must equal `tests/matrix/<case>.json`
//! byte for byte. `tests/matrix.rs` (wasm-bindgen-test, headless Chromium) runs the app's worker
//! path (`engine::run`) for the same cases and compares with the same files: both equal one
//! file, so the shells agree. `KRS_UPDATE_MATRIX=1` rewrites the files from the CLI (review the
//! diff, then run the wasm half).
//!
//! Each case gives the CLI the inputs by their paths under the repository (directories and all),
//! the app the same bytes under their file names: the reports are equal only if the CLI names
//! each input by its file name.
//!
//! Prometheus answers come from `tests/matrix/inputs/prometheus-answers.json`, served here by a
//! tiny HTTP server on 127.0.0.1 (`fake`) and in the app's half by a `FakeHost`. The server's
//! port is in the report (the recommendations' input name is the Prometheus URL), so it is
//! written as `http://prometheus.test`, the URL the app's half uses.
//!
//! Vantage prices come from the real fake Vantage server (`crates/fake-vantage`, API v2, its
//! default products) on 127.0.0.1, with a fresh price cache for every run. Its URL is in the
//! report (the price source's description), so it is written as `http://vantage.test`, the
//! base URL the app's half gives its `FakeHost`, which answers with the same crate's
//! `Responder`. The prices' fetch time is the clock's during the run: a time stamp within the
//! run is written as `<fetch time>` (one outside it, a shell stamping the wrong time, stays and
//! fails the comparison).
//!
//! Also here, the two drifts the issue names: inputs are named by their file name in every
//! format (`inputs_are_named_by_file_name_in_every_format`), and the CLI table's pod count of a
//! CronJob is recorded in `tests/matrix/cronjob.table.txt`, which the app's half compares with
//! its Workloads table. And one more: the types with a manual price are not asked of Vantage
//! (`vantage_cases_are_what_they_claim`, with the fake server's request log).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use kube_rightsize_core::prometheus::percent_encode;
use kube_rightsize_core::time::rfc3339_utc;
use kube_rightsize_fake_vantage::{self as fake_vantage, DEFAULT_TOKEN, LoggedRequest};

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const GENERATED_AT: &str = "2026-01-31T12:00:00Z";
/// The Prometheus URL the reports show (the app's half queries it through its `FakeHost`).
const PROMETHEUS_URL: &str = "http://prometheus.test";
const ANSWERS: &str = include_str!("../../../tests/matrix/inputs/prometheus-answers.json");
/// The Vantage base URL the reports show (the app's half answers it with the fake's
/// `Responder`).
const VANTAGE_URL: &str = "http://vantage.test";
/// How the reports show the time the Vantage prices were fetched (the clock during the run).
const FETCHED_AT: &str = "<fetch time>";
/// The environment variable `--vantage-token-env` names; it holds the fake's token.
const TOKEN_ENV: &str = "KRS_MATRIX_VANTAGE_TOKEN";
const UPDATE: &str = "KRS_UPDATE_MATRIX";

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A core test fixture's path as a user would type it (with its directories).
fn fixture(rel: &str) -> String {
    root()
        .join("crates/core/tests/fixtures")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// One of the matrix's own inputs (`tests/matrix/inputs/`).
fn matrix_input(name: &str) -> String {
    root()
        .join("tests/matrix/inputs")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn golden(name: &str) -> PathBuf {
    root().join("tests/matrix").join(name)
}

/// The matrix: a case name (its golden file is `tests/matrix/<name>.json`) and the arguments
/// after `analyze`. The app's half (`tests/matrix.rs`) lists the same cases.
fn cases(prometheus: &str, vantage: &str) -> Vec<(&'static str, Vec<String>)> {
    let s = |v: &str| v.to_owned();
    let with_vantage = |mut args: Vec<String>| {
        args.extend([
            s("--vantage-token-env"),
            s(TOKEN_ENV),
            s("--vantage-url"),
            s(vantage),
        ]);
        args
    };
    vec![
        // 1. A snapshot alone: eight nodes over AWS, GCP, Azure and kind.
        ("snapshot", vec![fixture("cost/mixed.json")]),
        // 2. With KRR's result for it.
        (
            "krr",
            vec![
                fixture("krr/cluster.json"),
                s("--krr"),
                fixture("krr/small.json"),
            ],
        ),
        // 3. With one usage sample: a metrics API PodMetricsList and `kubectl top` text, both
        //    of the KRR fixture's cluster.
        (
            "usage-metrics",
            vec![
                fixture("krr/cluster.json"),
                s("--usage"),
                fixture("usage/metrics.json"),
            ],
        ),
        (
            "usage-top",
            vec![
                fixture("krr/cluster.json"),
                s("--usage"),
                fixture("usage/top-all.txt"),
            ],
        ),
        // 4. With a price file (m5.large, spot m5.xlarge, Standard_D4s_v5: mixed.json's types):
        //    `tests/matrix/inputs/prices.csv` is the core's fixture without its first line, a
        //    `#` comment, which the app does not recognise as a price file (`inputs::classify`
        //    reads the first line only); the CLI, told by `--prices`, reads both the same.
        (
            "price-file",
            vec![
                fixture("cost/mixed.json"),
                s("--prices"),
                matrix_input("prices.csv"),
            ],
        ),
        (
            "price-file",
            vec![
                fixture("cost/mixed.json"),
                s("--prices"),
                fixture("cost/prices.csv"),
            ],
        ),
        // 5. With manual prices (the app: the same lines in its manual prices field).
        (
            "manual-prices",
            vec![
                fixture("cost/mixed.json"),
                s("--price"),
                s("m5.large=0.05"),
                s("--price"),
                s("n2-standard-4=0.2"),
            ],
        ),
        // 6. With Prometheus: an empty vector for every query (every container `?`, one
        //    warning), and a real series for payments/api's app container.
        (
            "prometheus-empty",
            vec![fixture("cost/mixed.json"), s("--prometheus"), s(prometheus)],
        ),
        (
            "prometheus-series",
            vec![
                fixture("krr/cluster.json"),
                s("--prometheus"),
                s(prometheus),
            ],
        ),
        // 7. With Vantage from the fake server (API v2, AWS only): m5.large (on-demand and
        //    capacity block), spot m5.xlarge and t3.medium priced by Vantage; c5.large, which
        //    the fake does not sell, and the GCP and Azure nodes from the embedded catalogue,
        //    with a warning each.
        ("vantage", with_vantage(vec![fixture("cost/mixed.json")])),
        //    And with a manual price for m5.large, which Vantage is then not asked for.
        (
            "vantage-manual-price",
            with_vantage(vec![
                fixture("cost/mixed.json"),
                s("--price"),
                s("m5.large=0.05"),
            ]),
        ),
        //
        // The drift of the CronJob pod count: a CronJob with a finished and a running pod.
        ("cronjob", vec![matrix_input("cronjob.json")]),
    ]
}

/// A fresh, empty directory for the Vantage price cache of one run (`XDG_CACHE_HOME`).
fn fresh_cache_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "matrix/cache-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cache dir");
    dir
}

/// Runs `analyze ARGS --generated-at … EXTRA` (with the fake Vantage's token in [`TOKEN_ENV`]
/// and an empty Vantage price cache); its standard output.
fn analyze(args: &[String], extra: &[&str]) -> String {
    let o = Command::new(BIN)
        .arg("analyze")
        .args(args)
        .args(["--generated-at", GENERATED_AT])
        .args(extra)
        .env("XDG_CACHE_HOME", fresh_cache_dir())
        .env(TOKEN_ENV, DEFAULT_TOKEN)
        .output()
        .expect("the binary runs");
    assert!(
        o.status.success(),
        "analyze {args:?} {extra:?}: exit {:?}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// `None` when equal, else where the texts first differ (line number, a few lines before it,
/// both versions of the line).
fn first_difference(want: &str, got: &str) -> Option<String> {
    if want == got {
        return None;
    }
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let Some(i) = (0..w.len().max(g.len())).find(|&i| w.get(i) != g.get(i)) else {
        return Some("the texts differ only in their line endings".to_owned());
    };
    let context: String = w[i.saturating_sub(3)..i.min(w.len())]
        .iter()
        .map(|l| format!("    {l}\n"))
        .collect();
    Some(format!(
        "first difference at line {} (- the file, + this run):\n{context}  - {}\n  + {}",
        i + 1,
        w.get(i).unwrap_or(&"<end of file>"),
        g.get(i).unwrap_or(&"<end of output>")
    ))
}

/// Compares `got` with the golden file `name` (or writes it with `KRS_UPDATE_MATRIX=1`); a
/// mismatch for people, if any.
fn check_golden(name: &str, got: &str) -> Option<String> {
    let path = golden(name);
    if std::env::var_os(UPDATE).is_some() {
        std::fs::write(&path, got).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        return None;
    }
    let Ok(want) = std::fs::read_to_string(&path) else {
        return Some(format!(
            "{name}: {} is missing; run with {UPDATE}=1 to write it",
            path.display()
        ));
    };
    first_difference(&want, got).map(|d| {
        format!(
            "{name}: the CLI's output is not tests/matrix/{name}; {d}\nIf the change is \
             intended: {UPDATE}=1 cargo test -p kube-rightsize --test matrix, review the diff, \
             then run the app's half (tests/matrix.rs)."
        )
    })
}

/// The recorded Prometheus answers: the body for `url` (`/api/v1/query?query=…`).
fn answer(url: &str) -> String {
    let answers: serde_json::Value = serde_json::from_str(ANSWERS).expect("answers JSON");
    let body = answers["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .find(|a| {
            a["when"]
                .as_array()
                .expect("when")
                .iter()
                .all(|w| url.contains(&percent_encode(w.as_str().expect("a string"))))
        })
        .map_or(&answers["default"], |a| &a["body"]);
    body.to_string()
}

mod fake {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// Starts a server that answers every `GET PATH` with `respond(PATH)` (status 200); returns
    /// its base URL. The thread lives as long as the test process.
    pub fn serve(respond: fn(&str) -> String) -> String {
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
                    let path = line.split_whitespace().nth(1).unwrap_or_default();
                    let body = respond(path);
                    let mut w = &stream;
                    let _ = write!(
                        w,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        format!("http://127.0.0.1:{port}")
    }
}

/// The fake Prometheus, started once.
fn prometheus() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| fake::serve(answer))
}

fn unix_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `json` with the time stamps of the seconds `from..=to` (the run's: the Vantage prices' fetch
/// time) written as [`FETCHED_AT`]. The app's half does the same.
fn fetch_times_hidden(json: &str, from: i64, to: i64) -> String {
    (from..=to).fold(json.to_owned(), |json, t| {
        json.replace(&rfc3339_utc(t), FETCHED_AT)
    })
}

#[test]
fn the_cli_gives_the_matrix_reports() {
    let url = prometheus();
    let vantage = fake_vantage::start(fake_vantage::Config::default()).expect("fake Vantage");
    let mut failures = Vec::new();
    let mut reports = BTreeMap::new();
    let mut vantage_requests = BTreeMap::new();
    for (name, args) in cases(url, &vantage.url()) {
        vantage.clear_log();
        let from = unix_seconds();
        let json = analyze(&args, &["--format", "json"]);
        let to = unix_seconds();
        // The servers' ports, as the URLs the app's half uses; the fetch time.
        let json = fetch_times_hidden(&json, from, to)
            .replace(url, PROMETHEUS_URL)
            .replace(&vantage.url(), VANTAGE_URL);
        failures.extend(check_golden(&format!("{name}.json"), &json));
        reports.insert(name, json);
        vantage_requests.insert(name, vantage.requests());
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    prometheus_cases_use_the_recorded_answers(&reports);
    vantage_cases_are_what_they_claim(&reports, &vantage_requests);
}

/// The Vantage cases are what they claim: the CLI asked the fake server (with its token) for
/// the AWS types without a manual price, never for the one with a manual price, and priced the
/// nodes with its answers.
fn vantage_cases_are_what_they_claim(
    reports: &BTreeMap<&str, String>,
    requests: &BTreeMap<&str, Vec<LoggedRequest>>,
) {
    let bearer = format!("Bearer {DEFAULT_TOKEN}");
    for name in ["vantage", "vantage-manual-price"] {
        assert!(
            requests[name].iter().all(|r| r.status == 200
                && r.headers
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && *v == bearer)),
            "{name}: {:?}",
            requests[name]
        );
    }
    for (name, log) in requests {
        if !name.starts_with("vantage") {
            assert!(log.is_empty(), "{name} asked Vantage: {log:?}");
        }
    }
    assert_eq!(
        fake_vantage::products_asked(&requests["vantage"]),
        ["c5.large", "m5.large", "m5.xlarge", "t3.medium"]
    );
    // The drift: a type with a manual price is not asked of Vantage (the core's
    // `wanted_prices`); neither its product nor its prices.
    let manual = &requests["vantage-manual-price"];
    assert_eq!(
        fake_vantage::products_asked(manual),
        ["c5.large", "m5.xlarge", "t3.medium"]
    );
    assert!(
        manual
            .iter()
            .all(|r| !r.path.contains("m5_large") && !r.query.contains("m5.large")),
        "{manual:?}"
    );

    let node = |case: &str, name: &str| -> serde_json::Value {
        let report: serde_json::Value = serde_json::from_str(&reports[case]).expect("JSON");
        report["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .unwrap_or_else(|| panic!("{case}: node {name}"))
            .clone()
    };
    let price = |t: &str, lifecycle: &str| fake_vantage::default_price(t, "us-east-1", lifecycle);
    for (name, want) in [
        ("aws-od-1", price("m5.large", "on-demand")),
        ("aws-cb-1", price("m5.large", "on-demand")),
        ("aws-spot-1", price("m5.xlarge", "spot")),
        ("aws-over-1", price("t3.medium", "on-demand")),
    ] {
        let n = node("vantage", name);
        assert_eq!(n["price_source"], "vantage", "{n}");
        assert_eq!(n["price_as_of"], FETCHED_AT, "{n}");
        assert_eq!(n["hourly_price"].as_f64(), want, "{n}");
        assert!(
            n["explanation"]
                .as_str()
                .unwrap()
                .contains(&format!("from Vantage API v2 ({VANTAGE_URL})")),
            "{n}"
        );
    }
    for name in ["aws-zero-1", "gke-spot-1", "aks-od-1"] {
        assert_eq!(node("vantage", name)["price_source"], "embedded");
    }
    let report: serde_json::Value = serde_json::from_str(&reports["vantage"]).expect("JSON");
    let warnings: Vec<&str> = report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["code"].as_str())
        .filter(|c| c.starts_with("vantage_"))
        .collect();
    assert_eq!(
        warnings,
        [
            "vantage_not_covered",
            "vantage_not_covered",
            "vantage_no_price"
        ]
    );
    for name in ["aws-od-1", "aws-cb-1"] {
        let n = node("vantage-manual-price", name);
        assert_eq!(n["price_source"], "manual", "{n}");
        assert_eq!(n["hourly_price"], 0.05, "{n}");
    }
    assert_eq!(
        node("vantage-manual-price", "aws-spot-1")["price_source"],
        "vantage"
    );
}

/// The Prometheus cases are what they claim: the CLI asked the fake server and used its answers.
fn prometheus_cases_use_the_recorded_answers(reports: &BTreeMap<&str, String>) {
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&reports[name]).expect("report JSON")
    };
    // An empty vector for every query: Prometheus was the source, and nothing had data.
    let empty = read("prometheus-empty");
    assert_eq!(empty["recommendations"]["source"], "prometheus");
    assert_eq!(empty["recommendations"]["input"], PROMETHEUS_URL);
    assert!(
        empty["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "prometheus_no_data"),
        "{empty}"
    );
    // The recorded series: api/app has numbers (the larger pod's p95 and peak × 1.15), the
    // containers without a series have none.
    let series = read("prometheus-series");
    let container = |workload: &str, name: &str| -> serde_json::Value {
        series["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["name"] == workload)
            .flat_map(|w| w["containers"].as_array().unwrap())
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{workload}/{name}"))["recommended"]
            .clone()
    };
    let app = container("api", "app");
    assert_eq!(app["requests"]["cpu_cores"], 0.042, "{app}");
    assert_eq!(
        app["requests"]["memory_bytes"],
        (301_989_888.0_f64 * 1.15 / 1_048_576.0).ceil() as i64 * 1_048_576,
        "{app}"
    );
    assert_eq!(container("db", "db")["info"], "No data");
}

/// The CronJob of `tests/matrix/inputs/cronjob.json` has two pods, one finished: the CLI table's
/// row is recorded here, and the app's half requires its Workloads table to show the same pod
/// count (issue 22: "1 pod in the CLI's table and 2 in the app's Workloads table").
#[test]
fn the_cli_table_records_the_cronjobs_pod_count() {
    let table = analyze(&[matrix_input("cronjob.json")], &["--format", "table"]);
    if let Some(failure) = check_golden("cronjob.table.txt", &table) {
        panic!("{failure}");
    }
    let row = table
        .lines()
        .find(|l| l.contains(" CronJob ") && l.contains(" nightly "))
        .unwrap_or_else(|| panic!("no CronJob row in\n{table}"));
    let pods: Vec<&str> = row.split_whitespace().skip(3).take(3).collect();
    // The table's PODS: the pods holding resources (the running one), as its JSON's
    // `running_pods`, of all its pods.
    assert_eq!(pods, ["1", "of", "2"], "{row}");
}

/// Drift (a): the reports name every input (snapshot, price file, KRR result, usage) by its
/// file name, never by the directories it was typed with, in every format.
#[test]
fn inputs_are_named_by_file_name_in_every_format() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("matrix/home/alice/clusters-private");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let copy = |from: String, to: &str| -> String {
        let path = dir.join(to);
        std::fs::copy(&from, &path).expect("copy fixture");
        path.to_string_lossy().into_owned()
    };
    let cluster = copy(fixture("krr/cluster.json"), "prod.json");
    let prices = dir.join("prod-prices.csv");
    std::fs::write(
        &prices,
        "provider,instance_type,region,capacity_type,usd_per_hour\n\
         aws,m5.xlarge,us-east-1,on_demand,0.2\n",
    )
    .expect("price file");
    let prices = prices.to_string_lossy().into_owned();
    let krr = copy(fixture("krr/small.json"), "prod-krr.json");
    let top = copy(fixture("usage/top-all.txt"), "prod-top.txt");
    let runs = [
        vec![
            cluster.clone(),
            "--prices".to_owned(),
            prices,
            "--krr".to_owned(),
            krr,
        ],
        vec![cluster, "--usage".to_owned(), top],
    ];
    let formats = [
        "table",
        "json",
        "csv",
        "csv-nodes",
        "csv-namespaces",
        "csv-repack",
        "html",
    ];
    for args in &runs {
        for format in formats {
            let out = analyze(args, &["--format", format]);
            for leak in ["clusters-private", "alice", &*dir.to_string_lossy()] {
                assert!(
                    !out.contains(leak),
                    "--format {format} with {args:?} shows `{leak}`"
                );
            }
            // Where a format names the inputs, it names them by file name.
            match format {
                "html" => assert!(out.contains("prod.json"), "--format html names prod.json"),
                "json" if args.contains(&"--krr".to_owned()) => {
                    assert!(out.contains("\"prod-krr.json\""), "{out}");
                    assert!(out.contains("price file prod-prices.csv"), "{out}");
                }
                "json" => assert!(out.contains("\"prod-top.txt\""), "{out}"),
                _ => {}
            }
        }
    }
}
