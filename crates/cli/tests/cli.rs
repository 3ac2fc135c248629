//! Runs the built `kube-rightsize` binary on fixtures.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_kube-rightsize");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures");

fn fixture(rel: &str) -> String {
    format!("{FIXTURES}/{rel}")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("binary runs")
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const AT: &str = "--generated-at=2026-01-31T12:00:00Z";

#[test]
fn json_output_parses_with_schema_fields_and_figures() {
    let o = run(&[
        "analyze",
        &fixture("cost/mixed.json"),
        "--format",
        "json",
        AT,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["schema"], "kube-rightsize/report/v1");
    assert_eq!(v["generated_at"], "2026-01-31T12:00:00Z");
    assert_eq!(v["pricing"]["hours_per_month"], 730.0);
    assert_eq!(v["summary"]["nodes"], 8);
    assert_eq!(v["summary"]["pods"], 10);
    // 0.82834 $/h × 730 = $604.6882 (aws-spot-1 at the typical m5.xlarge spot price).
    let monthly = v["summary"]["monthly_cost"].as_f64().unwrap();
    assert!((monthly - 604.6882).abs() < 1e-6, "{monthly}");
    let od = v["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "aws-od-1")
        .unwrap();
    assert_eq!(od["price_source"], "embedded");
    assert_eq!(od["hourly_price"], 0.096);
    assert!(v["workloads"][0]["containers"].is_array());
    assert!(v["namespaces"].is_array() && v["warnings"].is_array());
}

#[test]
fn table_output_says_where_prices_come_from() {
    let o = run(&["analyze", &fixture("cost/mixed.json"), AT]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("prices as of 2026-07-20 from the embedded catalogue"),
        "{out}"
    );
    assert!(out.contains("Top workloads"));
    assert!(out.contains("$604.69"));
}

#[test]
fn csv_outputs_have_headers() {
    let o = run(&[
        "analyze",
        &fixture("cost/mixed.json"),
        "--format",
        "csv",
        AT,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("namespace,kind,name,pods,running_pods,nodes,instance_types,"));
    assert!(out.contains(",container,sidecar,cpu_request_cores,"));
    let o = run(&[
        "analyze",
        &fixture("cost/mixed.json"),
        "--format=csv-nodes",
        AT,
    ]);
    assert!(stdout(&o).starts_with("name,provider,instance_type,"));
    let o = run(&[
        "analyze",
        &fixture("cost/mixed.json"),
        "--format=csv-namespaces",
        AT,
    ]);
    assert!(stdout(&o).starts_with("name,pods,workloads,monthly_cost,"));
    // The re-packing's pools: one row per pool, its plan and the moves across pools.
    let o = run(&[
        "analyze",
        &fixture("cost/mixed.json"),
        "--format=csv-repack",
        AT,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("pool,current,current_nodes,plan,planned_nodes,current_monthly_cost,"),
        "{out}"
    );
    assert!(out.contains(",pods_to_other_pools,pods_from_other_pools,"));
    let json = stdout(&run(&[
        "analyze",
        &fixture("cost/mixed.json"),
        "--format=json",
        AT,
    ]));
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let pools = v["repack"]["pools"].as_array().expect("pools");
    assert_eq!(out.lines().count(), 1 + pools.len(), "{out}");
    // --repack-spot lets on-demand pools' new nodes be spot nodes, and says so.
    let notes = |args: &[&str]| {
        let json = stdout(&run(args));
        let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        v["repack"]["notes"].to_string()
    };
    let mixed = fixture("cost/mixed.json");
    assert!(!notes(&["analyze", &mixed, "--format=json", AT]).contains("spot allowed"));
    assert!(
        notes(&["analyze", &mixed, "--format=json", "--repack-spot", AT]).contains("spot allowed")
    );
}

#[test]
fn stdin_dash_works() {
    let bytes = std::fs::read(fixture("cost/mixed.json")).unwrap();
    let o = run_stdin(&["analyze", "-", "--format", "json", AT], &bytes);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["nodes"], 8);
}

#[test]
fn huge_names_are_shortened_in_every_format() {
    // A pod named with 4 MB on a node named with 4 MB: each format stays small, the pod is on
    // its node, and a warning says the strings were shortened.
    let node = "N".repeat(4 << 20);
    let pod = "P".repeat(4 << 20);
    let snapshot = serde_json::to_vec(&serde_json::json!({"kind": "List", "items": [
        {"kind": "Node", "metadata": {"name": node,
            "labels": {"node.kubernetes.io/instance-type": "m5.large",
                       "topology.kubernetes.io/region": "us-east-1"}},
         "spec": {"providerID": "aws:///us-east-1a/i-0abc"},
         "status": {"allocatable": {"cpu": "2", "memory": "8Gi", "pods": "110"}}},
        {"kind": "Pod", "metadata": {"name": pod, "namespace": "web"},
         "spec": {"nodeName": node, "containers": [{"name": "app",
             "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}}]},
         "status": {"phase": "Running"}}]}))
    .expect("serialises");
    for format in ["table", "json", "html", "csv"] {
        let o = run_stdin(&["analyze", "-", "--format", format, AT], &snapshot);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        assert!(
            o.stdout.len() < 256 * 1024,
            "{format}: {} bytes",
            o.stdout.len()
        );
        assert!(
            o.stderr.len() < 64 * 1024,
            "{format}: {} bytes",
            o.stderr.len()
        );
    }
    let o = run_stdin(&["analyze", "-", "--format", "json", AT], &snapshot);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let node_name = v["nodes"][0]["name"].as_str().expect("a node name");
    assert_eq!(node_name.chars().count(), 1024);
    assert!(node_name.starts_with(&"N".repeat(1007)));
    assert_eq!(v["workloads"][0]["nodes"][0], node_name);
    let warnings = v["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|w| w["code"] == "string_shortened"
            && w["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("<stdin>: 3 strings longer than 1,024 characters"))),
        "{warnings:?}"
    );
}

#[test]
fn bad_input_exits_1_with_a_located_message() {
    let o = run_stdin(
        &["analyze", "-", AT],
        b"{\"kind\": \"List\", \"items\": [\n  {\"kind\": \"Node\" \"metadata\": {}}\n]}\n",
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with("error: <stdin>:2:"), "{err}");
    assert!(stdout(&o).is_empty());

    let path = fixture("malformed/kubectl-table.txt");
    let o = run(&["analyze", &path, AT]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with(&format!("error: {path}:1:1: ")), "{err}");
    assert!(err.contains("\nhint: "), "{err}");

    let o = run(&["analyze", "/nonexistent/cluster.json", AT]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("error: cannot read /nonexistent/cluster.json:"));
}

/// A usage error: exit 1, the message and the usage line on stderr, never the whole help.
fn usage_error(args: &[&str]) -> String {
    let o = run(args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{args:?}");
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.ends_with("For more information, try '--help'.\n"),
        "{err}"
    );
    assert!(!err.contains("Options:"), "the whole help: {err}");
    err
}

#[test]
fn unknown_flag_exits_1_with_usage() {
    let err = usage_error(&["analyze", &fixture("cost/mixed.json"), "--frobnicate"]);
    assert!(
        err.starts_with("error: unexpected argument '--frobnicate' found"),
        "{err}"
    );
    assert!(err.contains("Usage: kube-rightsize analyze "), "{err}");
    let err = usage_error(&[]);
    assert!(err.contains("Usage: kube-rightsize <COMMAND>"), "{err}");
    let err = usage_error(&["analyze", "x.json", "--format", "xml"]);
    assert!(
        err.contains("invalid value 'xml' for '--format <FORMAT>'")
            && err.contains(
                "[possible values: table, json, csv, csv-nodes, csv-namespaces, csv-groups, csv-repack, html, focus]"
            ),
        "{err}"
    );
    let err = usage_error(&["analyze", "x.json", "--price", "m5.large"]);
    assert!(err.contains("expected TYPE=USD_PER_HOUR"), "{err}");
    let err = usage_error(&["analyze", "-", "-"]);
    assert!(
        err.contains("standard input (`-`) can be read only once"),
        "{err}"
    );
    let err = usage_error(&["analyze"]);
    assert!(
        err.contains("the following required arguments were not provided:\n  <FILE>..."),
        "{err}"
    );
    let err = usage_error(&["analyze", "x.json", "--assume-spot-discount", "1.5"]);
    assert!(
        err.contains(
            "the assumed spot discount must be at least 0 % and below 100 % (a fraction from 0 \
             to below 1, e.g. 0.6 for 60 % off), not 150 %"
        ),
        "{err}"
    );
    // A negative number reaches the check instead of being read as a flag.
    let err = usage_error(&["analyze", "x.json", "--target-utilisation", "-1"]);
    assert!(
        err.contains(
            "the target utilisation must be a fraction above 0 and at most 1 (e.g. 0.85), not -1"
        ),
        "{err}"
    );
}

#[test]
fn a_misspelt_flag_or_command_gets_a_suggestion() {
    let err = usage_error(&["analyze", "x.json", "--formt", "json"]);
    assert!(
        err.contains("tip: a similar argument exists: '--format'"),
        "{err}"
    );
    let err = usage_error(&["analyse", "x.json"]);
    assert!(
        err.contains("tip: a similar subcommand exists: 'analyze'"),
        "{err}"
    );
}

#[test]
fn a_bad_prometheus_url_gets_a_hint_not_the_help() {
    for (url, hint) in [
        ("127.0.0.1:9090", "http://127.0.0.1:9090"),
        ("ftp://x", "http://x"),
    ] {
        let err = usage_error(&["analyze", "x.json", "--prometheus", url]);
        assert!(
            err.starts_with(&format!(
                "error: invalid value '{url}' for '--prometheus <URL>': not an http:// or https:// URL\n"
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "\n  tip: use {hint} (after `kubectl port-forward svc/prometheus 9090`)\n"
            )),
            "{err}"
        );
        assert!(!err.contains("--cpu-percentile"), "the whole help: {err}");
    }
}

#[test]
fn help_is_clear() {
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).is_empty());
    let out = stdout(&o);
    assert!(out.contains("Usage: kube-rightsize <COMMAND>"), "{out}");
    for needle in ["analyze", "prices", "completions", "Exit codes: 0 success"] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
    let o = run(&["analyze", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for needle in [
        "--prices",
        "--price",
        "--format",
        "--assume-spot-discount",
        "--generated-at",
        "-v, --verbose",
        "--anonymise",
        "--target-utilization",
        "--vantage-token-env",
        "--prometheus-header",
        "--use-oomkill-data",
        // The long explanations: price-source precedence, examples, exit codes.
        "Price sources, highest first: --price, Vantage",
        "kubectl get nodes,pods -A -o json | kube-rightsize analyze -",
        "Exit codes: 0 success, 1 usage or input error, 2 internal error.",
    ] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
    // `-h` is the summary, and says where the rest is.
    let o = run(&["analyze", "-h"]);
    assert_eq!(o.status.code(), Some(0));
    let short = stdout(&o);
    assert!(
        short.contains("--format") && short.len() < out.len(),
        "{short}"
    );
    assert!(
        short.contains("See --help for the price sources"),
        "{short}"
    );
    let o = run(&["help", "prices"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("Usage: kube-rightsize prices [OPTIONS] --vantage-token-env <VAR>")
    );
}

#[test]
fn version_is_printed() {
    for flag in ["--version", "-V"] {
        let o = run(&[flag]);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(
            stdout(&o),
            format!("kube-rightsize {}\n", env!("CARGO_PKG_VERSION"))
        );
        assert!(stderr(&o).is_empty());
    }
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.len() > 500, "{shell}: {script}");
        for needle in ["kube-rightsize", "analyze", "prometheus-header"] {
            assert!(script.contains(needle), "{shell}: no {needle}");
        }
    }
    let err = usage_error(&["completions", "tcsh"]);
    assert!(err.contains("[possible values: bash,"), "{err}");
}

#[test]
fn price_overrides_and_files() {
    let o = run(&[
        "analyze",
        &fixture("cost/mixed.json"),
        "--format",
        "json",
        "--prices",
        &fixture("cost/prices.csv"),
        "--price",
        "t3.medium=0.05",
        "--assume-spot-discount",
        "0.5",
        AT,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let node = |name: &str| {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(node("aws-over-1")["price_source"], "manual");
    assert_eq!(node("aws-over-1")["hourly_price"], 0.05);
    assert_eq!(node("aws-od-1")["price_source"], "file");
    assert_eq!(node("aws-od-1")["hourly_price"], 0.08);
    assert_eq!(node("aws-spot-1")["hourly_price"], 0.07);
    assert_eq!(v["pricing"]["assume_spot_discount"], 0.5);

    let mut bad = std::env::temp_dir();
    bad.push(format!(
        "kube-rightsize-cli-test-{}.csv",
        std::process::id()
    ));
    std::fs::write(
        &bad,
        "provider,instance_type,region,capacity_type,usd_per_hour\naws,m5.large,us-east-1,on_demand,cheap\n",
    )
    .unwrap();
    let bad_path = bad.to_string_lossy().into_owned();
    let o = run(&[
        "analyze",
        &fixture("cost/mixed.json"),
        "--prices",
        &bad_path,
        AT,
    ]);
    let _ = std::fs::remove_file(&bad);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        format!(
            "error: {bad_path}:2:34: usd_per_hour `cheap` is not a non-negative number of USD per hour\n"
        )
    );
}

#[test]
fn output_file_verbose_and_default_timestamp() {
    let mut out = std::env::temp_dir();
    out.push(format!(
        "kube-rightsize-cli-test-{}.json",
        std::process::id()
    ));
    let out_path = out.to_string_lossy().into_owned();
    let o = run(&[
        "analyze",
        &fixture("cost/mixed.json"),
        "--format",
        "json",
        "-o",
        &out_path,
        "-v",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(
        err.contains("Node aws-od-1 is instance type m5.large in us-east-1/us-east-1a"),
        "{err}"
    );
    assert!(
        err.contains("Node kind-worker has no known instance type"),
        "{err}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let at = v["generated_at"].as_str().unwrap();
    // YYYY-MM-DDTHH:MM:SSZ, and not in the distant past.
    assert_eq!(at.len(), 20, "{at}");
    assert!(at.ends_with('Z') && at.as_bytes()[10] == b'T', "{at}");
    assert!(at[..4].parse::<u32>().unwrap() >= 2025, "{at}");
}

#[test]
fn html_output_is_the_cores_page_byte_for_byte() {
    use kube_rightsize_core::analysis::{Settings, analyze};
    use kube_rightsize_core::ingest::Input;
    use kube_rightsize_core::pricing::catalogue::Catalogue;
    use kube_rightsize_core::report::html::{HtmlOptions, render_html};

    let path = fixture("cost/mixed.json");
    let out = std::env::temp_dir().join(format!("krs-cli-html-{}.html", std::process::id()));
    let out_path = out.to_string_lossy().into_owned();
    let o = run(&[
        "analyze",
        &path,
        "--format",
        "html",
        "--cluster-name",
        "prod <eu>",
        AT,
        "-o",
        &out_path,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cli = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    let bytes = std::fs::read(&path).unwrap();
    // The report names the input by its file name: the directories it was typed with would
    // travel with a forwarded report.
    let a = analyze(
        &[Input::new("mixed.json", &bytes)],
        &Settings::default(),
        Some(Catalogue::try_embedded().unwrap()),
        "2026-01-31T12:00:00Z",
    )
    .unwrap();
    let core = render_html(
        &a.report,
        &HtmlOptions {
            cluster_name: Some("prod <eu>".into()),
            inputs: a.cluster.inputs.clone(),
            ..HtmlOptions::default()
        },
    );
    assert!(cli == core, "the CLI's page differs from the core's");
    let dir = std::path::Path::new(&path)
        .parent()
        .unwrap()
        .to_string_lossy();
    assert!(!cli.contains(dir.as_ref()), "the page names {dir}");
    assert!(cli.contains("Kubernetes cost report: prod &lt;eu&gt;"));
}

#[test]
fn anonymize_uses_a_fresh_key_per_run() {
    let args = [
        "analyze",
        &fixture("cost/mixed.json"),
        "--format",
        "json",
        "--anonymize",
        AT,
    ];
    let (a, b) = (run(&args), run(&args));
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    let (ja, jb): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&stdout(&a)).unwrap(),
        serde_json::from_str(&stdout(&b)).unwrap(),
    );
    assert_eq!(ja["summary"], jb["summary"]);
    let ns = |v: &serde_json::Value| v["namespaces"][0]["name"].as_str().unwrap().to_owned();
    assert!(ns(&ja).starts_with("ns-"), "{}", ns(&ja));
    assert_ne!(ns(&ja), ns(&jb), "two exports cannot be joined");
    let text = stdout(&a);
    for name in ["aws-od-1", "kube-system", "crunch"] {
        assert!(!text.contains(name), "{name} in the anonymised JSON");
    }
    let html = run(&[
        "analyze",
        &fixture("cost/mixed.json"),
        "--format=html",
        "--anonymize",
        AT,
    ]);
    let page = stdout(&html);
    assert!(page.contains("anonymised") && !page.contains("aws-od-1"));
}

#[test]
fn discounts_and_commitments_give_net_prices_beside_list_prices() {
    let eks = fixture("bill/eks.json");
    let o = run(&[
        "analyze",
        &eks,
        "--format",
        "json",
        AT,
        "--discount",
        "aws=15%",
        "--commitment",
        "aws:m5=0.6@0.28",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let node = &v["nodes"][0];
    assert_eq!(node["list_hourly_price"], 0.096);
    let net = node["hourly_price"].as_f64().expect("price");
    assert!((net - 0.096 * 0.85 * 0.832).abs() < 1e-12, "{net}");
    assert_eq!(v["pricing"]["discounts"].as_array().map(Vec::len), Some(2));
    let s = &v["summary"];
    assert!((s["list_monthly_cost"].as_f64().unwrap() - 140.16).abs() < 1e-9);

    let table = stdout(&run(&["analyze", &eks, AT, "--discount", "aws=0.15"]));
    assert!(
        table.contains("Net prices: 15% off every aws list price"),
        "{table}"
    );
    assert!(table.contains("at list price"), "{table}");

    let err = usage_error(&["analyze", &eks, "--discount", "aws=1.5"]);
    assert!(err.contains("below 100 %"), "{err}");
    let err = usage_error(&["analyze", &eks, "--commitment", "aws:m5=0.6"]);
    assert!(err.contains("COVERAGE@DISCOUNT"), "{err}");
}

#[test]
fn storage_prices_and_item_price_files_price_disks_and_load_balancers() {
    let eks = fixture("bill/eks.json");
    let items = std::env::temp_dir().join(format!("krs-cli-items-{}.csv", std::process::id()));
    std::fs::write(
        &items,
        "provider,region,item,unit,usd\naws,us-east-1,nlb,lb-hour,0.03\n",
    )
    .expect("write the item CSV");
    let o = run(&[
        "analyze",
        &eks,
        "--format",
        "json",
        AT,
        "--prices",
        items.to_str().expect("a UTF-8 path"),
        "--storage-price",
        "pv/pvc-1111=0.05",
    ]);
    let _ = std::fs::remove_file(&items);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let db = v["volumes"]
        .as_array()
        .expect("volumes")
        .iter()
        .find(|x| x["volume"] == "pvc-1111")
        .expect("pvc-1111");
    // 500 GiB × $0.05.
    assert!(
        (db["monthly_cost"].as_f64().unwrap() - 25.0).abs() < 1e-9,
        "{db}"
    );
    // 0.03 × 730.
    let lb = v["summary"]["load_balancer_monthly_cost"].as_f64().unwrap();
    assert!((lb - 21.9).abs() < 1e-9, "{lb}");

    let err = usage_error(&["analyze", &eks, "--storage-price", "gp3=0.1"]);
    assert!(err.contains("not a storage class or volume"), "{err}");
    let err = usage_error(&["analyze", &eks, "--storage-price", "pv/x=-1"]);
    assert!(err.contains("USD per GiB-month"), "{err}");
}
