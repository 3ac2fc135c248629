//! The binary against the fake Vantage server (127.0.0.1 only).

use std::path::Path;
use std::process::{Command, Output};

use kube_rightsize_fake_vantage::{self as fake, Config, DEFAULT_TOKEN, FakeVantage};
use serde_json::Value;

#[path = "support/temp.rs"]
mod temp;

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures");
const AT: &str = "--generated-at=2026-05-28T00:00:00Z";
/// m5.large and m5.xlarge in us-east-1, on-demand.
const EKS: &str = "eks-managed-ondemand.json";
/// m7g.large, t3.medium (spot) and p5.48xlarge (reserved) in eu-central-1.
const KARPENTER: &str = "eks-karpenter-spot-arm64.json";

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

fn run(args: &[&str], cache: &Path, token: Option<&str>) -> Output {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("KRS_TEST_VANTAGE_TOKEN");
    if let Some(t) = token {
        c.env("KRS_TEST_VANTAGE_TOKEN", t);
    }
    c.output().expect("binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn start(config: Config) -> FakeVantage {
    fake::start(config).expect("fake starts")
}

/// The token never leaves the `Authorization` header and never shows in any output.
fn assert_token_kept_secret(server: &FakeVantage, outputs: &[&Output], files: &[&Path]) {
    for r in server.requests() {
        assert!(!r.path.contains(DEFAULT_TOKEN) && !r.query.contains(DEFAULT_TOKEN));
        for (k, v) in &r.headers {
            if k.eq_ignore_ascii_case("authorization") {
                assert_eq!(v, &format!("Bearer {DEFAULT_TOKEN}"));
            } else {
                assert!(!v.contains(DEFAULT_TOKEN), "{k}: {v}");
            }
        }
    }
    for o in outputs {
        assert!(!text(&o.stdout).contains(DEFAULT_TOKEN));
        assert!(!text(&o.stderr).contains(DEFAULT_TOKEN));
    }
    for f in files {
        if let Ok(s) = std::fs::read_to_string(f) {
            assert!(!s.contains(DEFAULT_TOKEN), "{}", f.display());
        }
    }
}

fn vantage_args(url: &str) -> Vec<&str> {
    vec![
        "--vantage-token-env",
        "KRS_TEST_VANTAGE_TOKEN",
        "--vantage-url",
        url,
    ]
}

fn report_nodes(o: &Output) -> Vec<Value> {
    let v: Value = serde_json::from_str(&text(&o.stdout)).expect("JSON report");
    v["nodes"].as_array().unwrap().clone()
}

#[test]
fn prices_writes_a_file_that_analyze_imports_and_the_cache_saves_every_request() {
    let server = start(Config::default());
    let url = server.url();
    let dir = temp::temp_dir("vantage-test");
    let out_file = dir.join("prices.json");
    let out = out_file.to_str().unwrap();
    let snapshot = fixture(EKS);
    let mut args = vec!["prices", snapshot.as_str(), "-o", out, AT, "-v"];
    args.extend(vantage_args(&url));
    let o = run(&args, &dir, Some(DEFAULT_TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("Querying cost for m5.large in us-east-1"),
        "{err}"
    );
    // Two distinct instance types: two requests each (product, one price page).
    assert_eq!(server.count("/v2/products"), 4, "{:?}", server.requests());
    assert_eq!(server.count("/v2/products?"), 0);
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.path == "/v2/products")
            .count(),
        2
    );

    let file: Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(file["schema"], "kube-rightsize/prices/v1");
    assert_eq!(file["generated_at"], "2026-05-28T00:00:00Z");
    let prices = file["prices"].as_array().unwrap();
    let m5 = prices
        .iter()
        .find(|p| {
            p["instance_type"] == "m5.large"
                && p["region"] == "us-east-1"
                && p["capacity_type"] == "on_demand"
        })
        .unwrap();
    assert_eq!(m5["usd_per_hour"], 0.101);
    assert_eq!(m5["source"], "vantage");
    assert!(prices.iter().all(|p| p["source"] == "vantage"));

    // analyze --prices reads it back: source `file`, the Vantage price.
    let o2 = run(
        &[
            "analyze", &snapshot, "--prices", out, "--format", "json", AT,
        ],
        &dir,
        None,
    );
    assert_eq!(o2.status.code(), Some(0), "{}", text(&o2.stderr));
    let nodes = report_nodes(&o2);
    let m5 = nodes
        .iter()
        .find(|n| n["instance_type"] == "m5.large")
        .unwrap();
    assert_eq!(m5["price_source"], "file");
    assert_eq!(m5["hourly_price"], 0.101);

    // Second run: warm cache, no request at all.
    server.clear_log();
    let o3 = run(&args, &dir, Some(DEFAULT_TOKEN));
    assert_eq!(o3.status.code(), Some(0), "{}", text(&o3.stderr));
    assert_eq!(server.requests().len(), 0);
    assert!(text(&o3.stderr).contains("Cost data cached for m5.large"));
    let cache_file = dir.join("kube-rightsize/vantage-prices.json");
    assert!(cache_file.is_file());
    assert_token_kept_secret(&server, &[&o, &o2, &o3], &[&out_file, &cache_file]);
}

#[test]
fn analyze_prices_nodes_from_vantage() {
    let server = start(Config::default());
    let url = server.url();
    let dir = temp::temp_dir("vantage-test");
    let snapshot = fixture(KARPENTER);
    let mut args = vec!["analyze", snapshot.as_str(), "--format", "json", AT];
    args.extend(vantage_args(&url));
    let o = run(&args, &dir, Some(DEFAULT_TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let nodes = report_nodes(&o);
    assert_eq!(nodes.len(), 3);
    for n in &nodes {
        assert_eq!(n["price_source"], "vantage", "{n}");
    }
    let spot = nodes
        .iter()
        .find(|n| n["instance_type"] == "m7g.large")
        .unwrap();
    let want = fake::default_price("m7g.large", "eu-central-1", "spot").unwrap();
    assert!((spot["hourly_price"].as_f64().unwrap() - want).abs() < 1e-9);
    assert_eq!(server.count("/v2/products"), 6);
    assert_token_kept_secret(&server, &[&o], &[]);

    // The second run uses the cache.
    server.clear_log();
    let o = run(&args, &dir, Some(DEFAULT_TOKEN));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(server.requests().len(), 0);
    assert!(
        report_nodes(&o)
            .iter()
            .all(|n| n["price_source"] == "vantage")
    );
}

#[test]
fn a_rejected_token_is_reported_and_the_analysis_goes_on() {
    let server = start(Config::default());
    let url = server.url();
    let dir = temp::temp_dir("vantage-test");
    let snapshot = fixture(EKS);
    let mut args = vec!["analyze", snapshot.as_str(), "--format", "json", AT];
    args.extend(vantage_args(&url));
    let o = run(&args, &dir, Some("vntg_tkn_wrong"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("Vantage rejected the token (401)"), "{err}");
    assert!(!err.contains("vntg_tkn_wrong"));
    assert!(!text(&o.stdout).contains("vntg_tkn_wrong"));
    assert_eq!(server.requests().len(), 1, "stops after the first 401");
    let v: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert!(
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["price_source"] == "embedded")
    );
    assert!(
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "vantage_unauthorized"),
        "{}",
        v["warnings"]
    );
}

#[test]
fn rate_limits_wait_for_the_reset_or_stop_before_the_budget_is_spent() {
    // The first request gets 429 with a reset two seconds away: the CLI waits, then goes on.
    let server = start(Config {
        fail_first: 1,
        fail_status: 429,
        window_seconds: 2,
        ..Config::default()
    });
    let url = server.url();
    let dir = temp::temp_dir("vantage-test");
    let snapshot = fixture(EKS);
    let mut args = vec!["prices", snapshot.as_str(), AT];
    args.extend(vantage_args(&url));
    let o = run(&args, &dir, Some(DEFAULT_TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("Vantage rate limit reached (429): waiting"),
        "{err}"
    );
    let file: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    // Two types × (on-demand, spot).
    assert_eq!(file["prices"].as_array().unwrap().len(), 4);
    assert_eq!(server.count("/v2/products"), 5);

    // A budget of 8 an hour with 5 kept in reserve: three requests, then a clear stop.
    let server = start(Config {
        budget: 8,
        ..Config::default()
    });
    let url = server.url();
    let dir = temp::temp_dir("vantage-test");
    let mut args = vec!["prices", snapshot.as_str(), AT];
    args.extend(vantage_args(&url));
    let o = run(&args, &dir, Some(DEFAULT_TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("Vantage rate-limit budget nearly spent (5 of 8 requests left"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 3);
    let file: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    // Only m5.large was fetched (on-demand and spot).
    assert_eq!(file["prices"].as_array().unwrap().len(), 2);
}

#[test]
fn server_errors_are_retried() {
    let server = start(Config {
        fail_first: 1,
        fail_status: 503,
        ..Config::default()
    });
    let url = server.url();
    let dir = temp::temp_dir("vantage-test");
    let snapshot = fixture(KARPENTER);
    let mut args = vec!["prices", snapshot.as_str(), AT];
    args.extend(vantage_args(&url));
    let o = run(&args, &dir, Some(DEFAULT_TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Vantage answered HTTP 503"));
    assert_eq!(server.count("/v2/products"), 7);
}

#[test]
fn the_instances_api_prices_every_cloud() {
    let server = start(Config::default());
    let url = server.url();
    let dir = temp::temp_dir("vantage-test");
    let snapshot = fixture("aks-vmss-spot.json");
    let mut args = vec![
        "prices",
        snapshot.as_str(),
        AT,
        "--vantage-api",
        "instances",
        "-v",
    ];
    args.extend(vantage_args(&url));
    let o = run(&args, &dir, Some(DEFAULT_TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(server.count("/api/v1/instances/azure/") >= 1);
    assert_eq!(server.count("/v2/"), 0);
    assert_token_kept_secret(&server, &[&o], &[]);
}

#[test]
fn the_token_comes_only_from_the_environment() {
    let dir = temp::temp_dir("vantage-test");
    let snapshot = fixture(EKS);
    // Unset variable: exit 1, clear message.
    let o = run(
        &[
            "prices",
            &snapshot,
            "--vantage-token-env",
            "KRS_TEST_VANTAGE_TOKEN",
            "--vantage-url",
            "http://127.0.0.1:9",
        ],
        &dir,
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("the environment variable KRS_TEST_VANTAGE_TOKEN is not set"));
    // A token pasted in place of the name is refused and not echoed.
    let o = run(
        &["prices", &snapshot, "--vantage-token-env", DEFAULT_TOKEN],
        &dir,
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("looks like a token"));
    assert!(!text(&o.stderr).contains(DEFAULT_TOKEN));
    // There is no option that takes the token itself.
    for bad in ["--vantage-token", "--token"] {
        let o = run(&["analyze", &snapshot, bad, "x"], &dir, None);
        assert_eq!(o.status.code(), Some(1));
    }
    // `prices` without the variable name is a usage error.
    let o = run(&["prices", &snapshot], &dir, None);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains(
            "the following required arguments were not provided:\n  --vantage-token-env <VAR>"
        ),
        "{err}"
    );
}

#[test]
fn an_unreachable_server_is_not_fatal() {
    let dir = temp::temp_dir("vantage-test");
    let snapshot = fixture(EKS);
    let o = run(
        &[
            "analyze",
            &snapshot,
            "--format",
            "json",
            AT,
            "--vantage-token-env",
            "KRS_TEST_VANTAGE_TOKEN",
            "--vantage-url",
            "http://127.0.0.1:9",
        ],
        &dir,
        Some(DEFAULT_TOKEN),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("cannot reach Vantage at http://127.0.0.1:9"));
    assert!(
        report_nodes(&o)
            .iter()
            .all(|n| n["price_source"] == "embedded")
    );
}

#[test]
fn tolerant_bodies_foreign_links_and_endless_pages() {
    // Links that point elsewhere are never followed; unknown fields and `details: {}` are fine;
    // pages of 5 make four price pages per product.
    let server = start(Config {
        max_page_size: 5,
        unknown_fields: true,
        empty_details: true,
        link_base: Some("http://127.0.0.1:9".to_owned()),
        ..Config::default()
    });
    let url = server.url();
    let dir = temp::temp_dir("vantage-test");
    let snapshot = fixture(EKS);
    let mut args = vec!["prices", snapshot.as_str(), AT];
    args.extend(vantage_args(&url));
    let o = run(&args, &dir, Some(DEFAULT_TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let file: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(file["prices"].as_array().unwrap().len(), 4);
    assert_eq!(server.count("/v2/products"), 2 * (1 + 4));

    // A pagination that never ends stops at 20 pages with a warning.
    let server = start(Config {
        endless_pages: true,
        missing_links: false,
        ..Config::default()
    });
    let url = server.url();
    let dir = temp::temp_dir("vantage-test");
    let mut args = vec!["prices", snapshot.as_str(), AT];
    args.extend(vantage_args(&url));
    let o = run(&args, &dir, Some(DEFAULT_TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("kept announcing more after 20 pages"));
    assert_eq!(server.count("/v2/products"), 2 * (1 + 20));
    let file: Value = serde_json::from_str(&text(&o.stdout)).unwrap();
    assert_eq!(file["prices"].as_array().unwrap().len(), 4);
}
