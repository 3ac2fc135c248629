//! Hostile and broken input: every case ends in a report or a clear located error, never a
//! panic, a hang or unbounded memory; reports hold no NaN or infinity in any format; the HTML
//! report escapes every string from the input and keeps its strict CSP; secrets planted in env
//! values and annotations appear in no output.
//!
//! Inputs are generated here (nothing large is committed). The big cases (100 MB strings, 10⁶
//! objects, 100k levels of nesting) are measured in docs/fuzzing.md; run one alone with
//! `cargo test -p kube-rightsize-core --release --test adversarial <name> -- --nocapture` to see
//! its peak memory (`VmHWM`).

use kube_rightsize_core::analysis::{Analysis, Settings, analyze};
use kube_rightsize_core::ingest::{Input, ingest};
use kube_rightsize_core::inputs::prepare;
use kube_rightsize_core::limits;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::pricing::import::import_prices;
use kube_rightsize_core::pricing::sources::ManualPrices;
use kube_rightsize_core::quantity::Quantity;
use kube_rightsize_core::recommend::{StrategySettings, read_input};
use kube_rightsize_core::report::html::assets::content_security_policy;
use kube_rightsize_core::report::html::{HtmlOptions, render_html};
use kube_rightsize_core::report::{Report, csv, json, table};
use serde_json::{Value, json};

const AT: &str = "2026-01-31T12:00:00Z";
const MB: usize = 1 << 20;

// ---------------------------------------------------------------------------------------------
// Helpers: building snapshots, running everything, checking outputs.
// ---------------------------------------------------------------------------------------------

fn node(name: &str, instance_type: &str, cpu: Value, memory: Value) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "uid": format!("uid-{name}"), "labels": {
            "node.kubernetes.io/instance-type": instance_type,
            "topology.kubernetes.io/region": "us-east-1",
            "topology.kubernetes.io/zone": "us-east-1a",
            "kubernetes.io/arch": "amd64"
        }},
        "spec": {"providerID": format!("aws:///us-east-1a/i-{name}")},
        "status": {"capacity": {"cpu": cpu, "memory": memory, "pods": "110"},
                   "allocatable": {"cpu": cpu, "memory": memory, "pods": "110"}}
    })
}

fn pod(namespace: &str, name: &str, node: &str, cpu: Value, memory: Value) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "uid": format!("uid-{namespace}-{name}")},
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": "nginx",
            "resources": {"requests": {"cpu": cpu, "memory": memory},
                          "limits": {"memory": memory}}}]},
        "status": {"phase": "Running"}
    })
}

fn list(items: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"apiVersion": "v1", "kind": "List", "items": items}))
        .expect("serialises")
}

/// Everything rendered from one analysis.
struct Outputs {
    analysis: Analysis,
    json: String,
    csv_workloads: String,
    csv_nodes: String,
    csv_namespaces: String,
    table: String,
    html: String,
    html_anonymised: String,
}

impl Outputs {
    fn texts(&self) -> [(&'static str, &str); 7] {
        [
            ("json", &self.json),
            ("csv workloads", &self.csv_workloads),
            ("csv nodes", &self.csv_nodes),
            ("csv namespaces", &self.csv_namespaces),
            ("table", &self.table),
            ("html", &self.html),
            ("html anonymised", &self.html_anonymised),
        ]
    }
}

fn render(analysis: Analysis, cluster_name: Option<&str>) -> Outputs {
    let report = &analysis.report;
    let html_options = HtmlOptions {
        cluster_name: cluster_name.map(str::to_owned),
        inputs: analysis.cluster.inputs.clone(),
        ..HtmlOptions::default()
    };
    Outputs {
        json: json::to_json(report),
        csv_workloads: csv::workloads_csv(report),
        csv_nodes: csv::nodes_csv(report),
        csv_namespaces: csv::namespaces_csv(report),
        table: table::render(
            report,
            &table::TableOptions {
                explain_nodes: true,
                ..table::TableOptions::default()
            },
        ),
        html: render_html(report, &html_options),
        html_anonymised: render_html(
            report,
            &HtmlOptions {
                anonymise_key: Some(b"adversarial test key".to_vec()),
                ..html_options.clone()
            },
        ),
        analysis,
    }
}

/// Runs inputs the way the app does (`prepare`, then `analyze` with the embedded catalogue):
/// `Ok` with every output checked, or `Err` with the error as shown to people.
fn run_with(inputs: &[(&str, &[u8])], settings: Settings) -> Result<Outputs, String> {
    run_allowing(inputs, settings, &[])
}

/// [`run_with`], where the words in `allowed` may appear in the outputs (e.g. a warning that
/// quotes a setting of NaN).
fn run_allowing(
    inputs: &[(&str, &[u8])],
    mut settings: Settings,
    allowed: &[&str],
) -> Result<Outputs, String> {
    let inputs: Vec<Input<'_>> = inputs.iter().map(|(n, b)| Input::new(n, b)).collect();
    let prepared = prepare(&inputs, &mut settings).map_err(|e| e.to_string())?;
    let analysis = analyze(
        &prepared.snapshots,
        &settings,
        Some(Catalogue::embedded()),
        AT,
    )
    .map_err(|e| {
        assert!(
            e.line >= 1 && e.column >= 1,
            "errors are located (1-based): {e:?}"
        );
        e.to_string()
    })?;
    let outputs = render(analysis, None);
    check(&outputs, &inputs, allowed);
    Ok(outputs)
}

fn run(inputs: &[(&str, &[u8])]) -> Result<Outputs, String> {
    run_with(inputs, Settings::default())
}

fn report_of(inputs: &[(&str, &[u8])]) -> Outputs {
    run(inputs).unwrap_or_else(|e| panic!("expected a report, got: {e}"))
}

/// The error of inputs that must not give a report; it must be short (no echo of a huge input).
fn error_of(inputs: &[(&str, &[u8])]) -> String {
    match run(inputs) {
        Ok(_) => panic!("expected an error"),
        Err(e) => {
            assert!(
                e.len() < 2000,
                "the error echoes too much: {} bytes",
                e.len()
            );
            e
        }
    }
}

/// What must hold for any report: finite numbers everywhere, no `NaN`/`inf` printed (unless the
/// input itself contains that word), JSON that parses back, the strict CSP.
fn check(o: &Outputs, inputs: &[Input<'_>], allowed: &[&str]) {
    assert_finite(&o.analysis.report);
    for (what, text) in o.texts() {
        for word in ["NaN", "inf", "Infinity"] {
            // `str::contains` (std's optimised search) where the input is text: the inputs
            // here reach 200 MB.
            let in_input = inputs.iter().any(|i| match std::str::from_utf8(i.bytes) {
                Ok(text) => text.contains(word),
                Err(_) => i.bytes.windows(word.len()).any(|w| w == word.as_bytes()),
            });
            if !in_input && !allowed.contains(&word) {
                assert!(
                    !contains_word(text, word),
                    "{what} prints `{word}`: {}",
                    around(text, word)
                );
            }
        }
    }
    let back: Value = serde_json::from_str(&o.json).expect("report JSON parses");
    assert_eq!(back["schema"], "kube-rightsize/report/v1");
    for html in [&o.html, &o.html_anonymised] {
        assert_strict_csp(html);
    }
}

fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn around<'a>(text: &'a str, needle: &str) -> &'a str {
    let i = text.find(needle).unwrap_or(0);
    let start = text.floor_char_boundary(i.saturating_sub(80));
    let end = text.ceil_char_boundary((i + 80).min(text.len()));
    &text[start..end]
}

/// Panics on a NaN or infinite `f64` anywhere in the report (through CBOR, which keeps them;
/// JSON would print `null`).
fn assert_finite(report: &Report) {
    fn walk(v: &ciborium::Value, path: &mut Vec<String>) {
        match v {
            ciborium::Value::Float(f) => {
                assert!(f.is_finite(), "non-finite {f} at {}", path.join("."));
            }
            ciborium::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    walk(item, path);
                    path.pop();
                }
            }
            ciborium::Value::Map(entries) => {
                for (k, item) in entries {
                    path.push(k.as_text().unwrap_or("?").to_owned());
                    walk(item, path);
                    path.pop();
                }
            }
            ciborium::Value::Tag(_, inner) => walk(inner, path),
            _ => {}
        }
    }
    let mut bytes = Vec::new();
    ciborium::into_writer(report, &mut bytes).expect("CBOR encodes");
    let value: ciborium::Value = ciborium::from_reader(bytes.as_slice()).expect("CBOR decodes");
    walk(&value, &mut Vec::new());
}

fn assert_strict_csp(html: &str) {
    let csp = content_security_policy();
    assert!(
        html.contains(&format!(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">"
        )),
        "the page carries the strict CSP"
    );
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .expect("a script-src directive");
    for source in script_src.split_whitespace().skip(1) {
        assert!(source.starts_with("'sha256-"), "script-src allows {source}");
    }
    assert!(csp.contains("base-uri 'none'") && csp.contains("form-action 'none'"));
}

/// Peak resident memory of this test process so far (MB), for the measurements printed by the
/// big cases (process-wide: run the test alone to read it as that test's peak).
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn small_cluster() -> Vec<u8> {
    list(vec![
        node("n1", "m5.large", json!("2"), json!("8Gi")),
        node("n2", "m5.xlarge", json!("4"), json!("16Gi")),
        pod("web", "web-1", "n1", json!("500m"), json!("1Gi")),
        pod("web", "web-2", "n2", json!("250m"), json!("512Mi")),
    ])
}

// ---------------------------------------------------------------------------------------------
// Truncated and binary input.
// ---------------------------------------------------------------------------------------------

#[test]
fn every_truncation_of_every_kind_of_input_is_a_report_or_a_located_error() {
    let fixtures: [(&str, &[u8]); 6] = [
        ("mixed.json", include_bytes!("fixtures/cost/mixed.json")),
        ("kind.yaml", include_bytes!("fixtures/kind-cluster.yaml")),
        ("krr.json", include_bytes!("fixtures/krr/small.json")),
        (
            "metrics.json",
            include_bytes!("fixtures/usage/metrics.json"),
        ),
        ("top.txt", include_bytes!("fixtures/usage/top-all.txt")),
        (
            "prices.json",
            include_bytes!("fixtures/cost/prices-v1.json"),
        ),
    ];
    let cluster = include_bytes!("fixtures/krr/cluster.json");
    let (mut reports, mut errors) = (0, 0);
    for (name, bytes) in fixtures {
        let step = (bytes.len() / 150).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let cut_bytes = &bytes[..cut];
            // Snapshots alone; the other inputs next to a good snapshot.
            let result =
                if name.ends_with("json") && name.starts_with("mixed") || name.ends_with("yaml") {
                    run(&[(name, cut_bytes)])
                } else {
                    run(&[("cluster.json", cluster), (name, cut_bytes)])
                };
            match result {
                Ok(_) => reports += 1,
                Err(e) => {
                    assert!(!e.is_empty());
                    errors += 1;
                }
            }
        }
    }
    assert!(
        reports > 0 && errors > 0,
        "{reports} reports, {errors} errors"
    );
}

#[test]
fn binary_input_is_a_clear_error() {
    // A fixed pseudo-random byte stream (xorshift), NUL bytes, every byte value, a gzip header,
    // and a snapshot saved as UTF-16 (PowerShell's `>`).
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let random: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let all: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let utf16: Vec<u8> = std::iter::once([0xff, 0xfe])
        .chain(
            String::from_utf8(small_cluster())
                .expect("utf-8")
                .encode_utf16()
                .map(u16::to_le_bytes),
        )
        .flatten()
        .collect();
    let cases: [(&str, Vec<u8>); 5] = [
        ("random.bin", random),
        ("nul.bin", vec![0; 10_000]),
        ("bytes.bin", all),
        (
            "cluster.json.gz",
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03".to_vec(),
        ),
        ("utf16.json", utf16),
    ];
    for (name, bytes) in &cases {
        let e = error_of(&[(name, bytes)]);
        assert!(
            e.starts_with(name),
            "{name}: the error names its input: {e}"
        );
        // Next to a good snapshot, as a second input, it is still an error.
        let e = error_of(&[("cluster.json", &small_cluster()), (name, bytes)]);
        assert!(e.contains(name), "{e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Size: 100 MB strings, 10⁶ objects, deep nesting.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_hundred_megabytes_of_one_word() {
    // Not JSON or YAML at all: one 100 MB word.
    let word = vec![b'A'; 100 * MB];
    let e = error_of(&[("big.txt", &word)]);
    assert!(e.starts_with("big.txt"), "{e}");
    println!(
        "a_hundred_megabytes_of_one_word: peak RSS {} MB",
        peak_rss_mb()
    );
}

#[test]
fn a_hundred_megabyte_json_string() {
    // One 100 MB JSON string that is not a snapshot.
    let mut quoted = Vec::with_capacity(100 * MB + 2);
    quoted.push(b'"');
    quoted.resize(100 * MB + 1, b'x');
    quoted.push(b'"');
    let e = error_of(&[("string.json", &quoted)]);
    assert!(e.starts_with("string.json"), "{e}");
    println!(
        "a_hundred_megabyte_json_string: peak RSS {} MB",
        peak_rss_mb()
    );
}

#[test]
fn a_hundred_megabyte_annotation() {
    // A 100 MB annotation (skipped by the parser) in a real snapshot: a normal report without
    // it.
    let secret = "S".repeat(100 * MB);
    let mut p = pod("web", "web-1", "n1", json!("100m"), json!("64Mi"));
    p["metadata"]["annotations"] = json!({ "big": secret });
    drop(secret);
    let bytes = list(vec![node("n1", "m5.large", json!("2"), json!("8Gi")), p]);
    assert!(bytes.len() > 100 * MB);
    let o = report_of(&[("cluster.json", &bytes)]);
    assert_eq!(o.analysis.cluster.pods.len(), 1);
    for (what, text) in o.texts() {
        assert!(text.len() < MB, "{what} is {} bytes", text.len());
    }
    println!(
        "a_hundred_megabyte_annotation: peak RSS {} MB",
        peak_rss_mb()
    );
}

#[test]
fn four_megabyte_names_are_shortened_and_the_outputs_stay_small() {
    // Kubernetes allows 253 characters. Names are shown, so every output repeats them: before
    // names were capped, a 4 MB pod name on a node with a 4 MB name made 71 MB of outputs
    // (JSON 25 MB, HTML 13 MB); 100 MB names would make gigabytes. Now each is cut to
    // `limits::MAX_CHARS` characters (with a hash of the whole name) as it is read.
    let node_name = "N".repeat(4 * MB);
    let pod_name = "P".repeat(4 * MB);
    let bytes = list(vec![
        node(&node_name, "m5.large", json!("2"), json!("8Gi")),
        pod("web", &pod_name, &node_name, json!("100m"), json!("64Mi")),
    ]);
    let o = report_of(&[("cluster.json", &bytes)]);
    let cluster = &o.analysis.cluster;
    let node = &cluster.nodes[0];
    assert_eq!(node.name, limits::cap(&node_name));
    assert_eq!(node.name.chars().count(), limits::MAX_CHARS);
    assert!(node.name.starts_with(&"N".repeat(limits::KEPT_CHARS)));
    assert_eq!(cluster.pods[0].name, limits::cap(&pod_name));
    // The pod still lands on its node (spec.nodeName and the node's name were cut alike) and
    // is priced from the catalogue.
    assert_eq!(cluster.pods[0].node_index, Some(0));
    let report = &o.analysis.report;
    assert_eq!(report.nodes[0].price_source.as_str(), "embedded");
    let workload = &report.workloads[0];
    assert_eq!(workload.name, limits::cap(&pod_name));
    assert_eq!(workload.nodes, vec![node.name.clone()]);
    assert!(workload.monthly_cost > 0.0, "{}", workload.monthly_cost);
    // One warning says how many strings were shortened: the node's name, uid and providerID
    // (the helpers derive them from the name), the pod's name, uid and nodeName.
    let shortened: Vec<_> = report
        .warnings
        .iter()
        .filter(|w| w.code == "string_shortened")
        .collect();
    assert_eq!(shortened.len(), 1, "{shortened:?}");
    assert!(
        shortened[0]
            .message
            .starts_with("cluster.json: 6 strings longer than 1,024 characters shortened"),
        "{}",
        shortened[0].message
    );
    assert_eq!(shortened[0].object, format!("Node/{}", node.name));
    // Small outputs: the same cluster with short names makes about 50 KB in all.
    let sizes: Vec<(&str, usize)> = o.texts().iter().map(|(w, t)| (*w, t.len())).collect();
    for (what, size) in &sizes {
        assert!(*size < 256 * 1024, "{what} is {size} bytes");
    }
    let total: usize = sizes.iter().map(|(_, n)| n).sum();
    assert!(total < MB, "{total} bytes of outputs");
    println!(
        "four_megabyte_names: {} MB in, outputs {sizes:?}, peak RSS {} MB",
        bytes.len() / MB,
        peak_rss_mb()
    );
}

#[test]
fn long_names_sharing_a_prefix_stay_apart_and_still_match() {
    // Two Deployments, their ReplicaSets, pods and nodes whose names share their first 2 000
    // characters: cut to 1 007 characters, only the hash tells them apart, and every
    // reference (owner → ReplicaSet → Deployment, pod → node, KRR row → workload, kubectl top
    // line → pod, price file → instance type) must still find its own object.
    let prefix = "x".repeat(2000);
    let long_type = format!("{prefix}.large");
    let mut items = Vec::new();
    for s in ["a", "b"] {
        let deploy = format!("{prefix}-deploy-{s}");
        let rs = format!("{deploy}-5d4f8c9b7");
        let node_name = format!("{prefix}-node-{s}");
        items.push(node(&node_name, &long_type, json!("2"), json!("8Gi")));
        items.push(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": deploy, "namespace": "web", "uid": format!("d-{s}")},
            "spec": {"replicas": 1}}));
        items.push(json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": rs, "namespace": "web", "uid": format!("rs-{s}"),
                "ownerReferences": [{"kind": "Deployment", "name": deploy,
                                     "uid": format!("d-{s}"), "controller": true}]},
            "spec": {"replicas": 1}}));
        let mut p = pod(
            "web",
            &format!("{prefix}-pod-{s}"),
            &node_name,
            json!("500m"),
            json!("1Gi"),
        );
        p["metadata"]["ownerReferences"] = json!([{"kind": "ReplicaSet", "name": rs, "uid": format!("rs-{s}"), "controller": true}]);
        p["spec"]["containers"][0]["name"] = json!(format!("{prefix}-container"));
        items.push(p);
    }
    let snapshot = list(items);
    let container = format!("{prefix}-container");
    let krr = serde_json::to_vec(&json!({"scans": [{
        "object": {"cluster": "c", "name": format!("{prefix}-deploy-b"), "container": container,
                   "namespace": "web", "kind": "Deployment", "pods": [],
                   "allocations": {"requests": {"cpu": "500m", "memory": "1Gi"}}},
        "recommended": {"requests": {"cpu": {"value": "100m", "severity": "WARNING"},
                                     "memory": {"value": "1Gi", "severity": "OK"}}},
        "severity": "WARNING"}], "score": 50}))
    .expect("serialises");
    let prices = format!(
        "provider,instance_type,region,capacity_type,usd_per_hour\naws,{long_type},us-east-1,on_demand,0.5\n"
    );
    let o = report_of(&[
        ("cluster.json", &snapshot),
        ("krr.json", &krr),
        ("prices.csv", prices.as_bytes()),
    ]);
    let cluster = &o.analysis.cluster;
    assert_eq!(cluster.nodes.len(), 2);
    assert_ne!(cluster.nodes[0].name, cluster.nodes[1].name);
    for (i, s) in ["a", "b"].into_iter().enumerate() {
        let pod = cluster
            .pods
            .iter()
            .find(|p| p.name == limits::cap(&format!("{prefix}-pod-{s}")))
            .expect("the pod");
        let node = &cluster.nodes[pod.node_index.expect("on its node")];
        assert_eq!(node.name, limits::cap(&format!("{prefix}-node-{s}")), "{i}");
    }
    let report = &o.analysis.report;
    let mut names: Vec<(&str, &str)> = report
        .workloads
        .iter()
        .map(|w| (w.kind.as_str(), w.name.as_str()))
        .collect();
    names.sort_unstable();
    let expected_a = limits::cap(&format!("{prefix}-deploy-a")).into_owned();
    let expected_b = limits::cap(&format!("{prefix}-deploy-b")).into_owned();
    let mut expected = vec![("Deployment", &*expected_a), ("Deployment", &*expected_b)];
    expected.sort_unstable();
    assert_ne!(expected_a, expected_b);
    assert_eq!(names, expected);
    for n in &report.nodes {
        assert_eq!(n.price_source.as_str(), "file", "{}", n.name);
        assert_eq!(n.instance_type.as_deref(), Some(&*limits::cap(&long_type)));
    }
    let recs = report.recommendations.as_ref().expect("KRR applied");
    assert_eq!((recs.matched, recs.unmatched.len()), (1, 0), "{recs:?}");
    // One warning per input that had long strings.
    let inputs: Vec<&str> = report
        .warnings
        .iter()
        .filter(|w| w.code == "string_shortened")
        .map(|w| w.message.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        inputs,
        ["cluster.json", "prices.csv", "krr.json"],
        "{:?}",
        report.warnings
    );

    // kubectl top with the long pod and container names finds its pod.
    let top = format!(
        "NAMESPACE   POD   NAME   CPU(cores)   MEMORY(bytes)\nweb   {prefix}-pod-a   {container}   3m   20Mi\n"
    );
    let o = report_of(&[("cluster.json", &snapshot), ("top.txt", top.as_bytes())]);
    let recs = o
        .analysis
        .report
        .recommendations
        .as_ref()
        .expect("usage applied");
    assert_eq!((recs.matched, recs.unmatched.len()), (1, 0), "{recs:?}");
    assert!(
        o.analysis
            .report
            .warnings
            .iter()
            .any(|w| w.code == "string_shortened" && w.message.starts_with("top.txt: 2 strings")),
        "{:?}",
        o.analysis.report.warnings
    );
}

#[test]
fn deeply_nested_arrays_and_objects_are_an_error_not_a_stack_overflow() {
    const DEPTH: usize = 100_000;
    let arrays = "[".repeat(DEPTH);
    let closed = format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let objects = "{\"a\":".repeat(DEPTH);
    let in_items = format!(
        "{{\"kind\":\"List\",\"items\":[{}{}]}}",
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    );
    let yaml_flow = format!("kind: List\nitems: {}\n", "[".repeat(DEPTH));
    let yaml_flow_closed = format!(
        "kind: List\nitems: {}{}\n",
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    );
    let yaml_seq = "- ".repeat(DEPTH);
    // Block nesting by indentation (quadratic in size; 3000 levels is 9 MB).
    let yaml_block: String = (0..3000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    let cases: [(&str, &str); 8] = [
        ("arrays.json", &arrays),
        ("closed.json", &closed),
        ("objects.json", &objects),
        ("items.json", &in_items),
        ("flow.yaml", &yaml_flow),
        ("flow-closed.yaml", &yaml_flow_closed),
        ("seq.yaml", &yaml_seq),
        ("block.yaml", &yaml_block),
    ];
    for (name, text) in cases {
        let e = error_of(&[(name, text.as_bytes())]);
        assert!(e.starts_with(name), "{e}");
        // The same depth in every other reader.
        let _ = run(&[("cluster.json", &small_cluster()), (name, text.as_bytes())]);
        let _ = import_prices(name, text.as_bytes());
        let _ = read_input(name, text.as_bytes(), &StrategySettings::default());
    }
    // KRR and price files that start right but nest deep.
    let krr = format!("{{\"scans\": {}", "[".repeat(DEPTH));
    let _ = read_input("krr.json", krr.as_bytes(), &StrategySettings::default())
        .expect_err("deep KRR is an error");
    let prices = format!(
        "{{\"schema\":\"kube-rightsize/prices/v1\",\"prices\": {}",
        "[".repeat(DEPTH)
    );
    let _ = import_prices("prices.json", prices.as_bytes()).expect_err("deep prices fail");
}

#[test]
fn a_million_empty_objects() {
    const N: usize = 1_000_000;
    let mut items = String::with_capacity(3 * N + 64);
    items.push_str("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
    for i in 0..N {
        if i > 0 {
            items.push(',');
        }
        items.push_str("{}");
    }
    items.push_str("]}");
    let bare = items
        .trim_start_matches("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":")
        .trim_end_matches('}')
        .to_owned();
    // YAML is read by a slower event parser: a tenth as many items keeps the test quick.
    let yaml = "- {}\n".repeat(N / 10);
    for (name, text) in [
        ("list.json", &items),
        ("bare.json", &bare),
        ("list.yaml", &yaml),
    ] {
        // Alone: nothing usable, a clear error.
        let e = error_of(&[(name, text.as_bytes())]);
        assert!(e.contains(name), "{e}");
        // Next to a real snapshot: the report, with a bounded number of warnings.
        let o = report_of(&[("cluster.json", &small_cluster()), (name, text.as_bytes())]);
        assert_eq!(o.analysis.cluster.nodes.len(), 2);
        let warnings = o.analysis.report.warnings.len();
        assert!(warnings < 1000, "{name}: {warnings} warnings");
        assert!(o.html.len() < 4 * MB, "{name}: HTML {} bytes", o.html.len());
    }
    // A million empty objects in a price file and a KRR result.
    let krr = format!("{{\"scans\":{bare}}}");
    let _ = read_input("krr.json", krr.as_bytes(), &StrategySettings::default());
    let prices = format!("{{\"schema\":\"kube-rightsize/prices/v1\",\"prices\":{bare}}}");
    let _ = import_prices("prices.json", prices.as_bytes());
    println!("a_million_empty_objects: peak RSS {} MB", peak_rss_mb());
}

#[test]
fn a_hundred_thousand_pods_on_one_tiny_node() {
    let mut items = vec![node("n1", "t3.nano", json!("1m"), json!("1"))];
    for i in 0..100_000 {
        items.push(pod("ns", &format!("p{i}"), "n1", json!("1"), json!("1Ei")));
    }
    let bytes = list(items);
    let o = report_of(&[("cluster.json", &bytes)]);
    assert_eq!(o.analysis.cluster.pods.len(), 100_000);
    println!(
        "a_hundred_thousand_pods_on_one_tiny_node: peak RSS {} MB",
        peak_rss_mb()
    );
}

// ---------------------------------------------------------------------------------------------
// Numbers.
// ---------------------------------------------------------------------------------------------

#[test]
fn numbers_out_of_range() {
    let huge = [
        json!("1e400"),
        json!("9999999999999999999999999999Ei"),
        json!("-1e30"),
        json!("1e27"),
        json!("1000000000000000000000000000"),
        json!("8Ei"),
        json!("0.000000000001"),
        json!(1e308),
        json!(-1e308),
        json!(f64::MAX),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(9.3e18),
        json!(1e-320),
    ];
    for q in &huge {
        let bytes = list(vec![
            node("n1", "m5.large", q.clone(), q.clone()),
            node("n2", "m5.large", json!("2"), json!("8Gi")),
            pod("a", "p1", "n1", q.clone(), q.clone()),
            pod("a", "p2", "n2", q.clone(), json!("1Gi")),
            pod("b", "p3", "n2", json!("1"), q.clone()),
        ]);
        match run(&[("cluster.json", &bytes)]) {
            Ok(o) => assert_eq!(o.analysis.cluster.nodes.len(), 2, "{q}"),
            Err(e) => assert!(e.starts_with("cluster.json:"), "{q}: {e}"),
        }
    }
    // JSON numbers serde cannot hold, raw in the text.
    for raw in ["1e999", "-1e999", "123456789012345678901234567890"] {
        let text = format!(
            "{{\"kind\":\"List\",\"items\":[{{\"kind\":\"Node\",\"metadata\":{{\"name\":\"n\"}},\"status\":{{\"allocatable\":{{\"cpu\":{raw}}}}}}}]}}"
        );
        match run(&[("raw.json", text.as_bytes())]) {
            Ok(o) => assert_eq!(o.analysis.cluster.nodes.len(), 1),
            Err(e) => assert!(e.starts_with("raw.json:"), "{raw}: {e}"),
        }
    }
    // Quantities at the edge parse exactly or fail with a reason.
    for text in [
        "1e27",
        "1e28",
        "1000000000Ei",
        "-9223372036854775808",
        "1e-1000000",
        "1e+1000000",
    ] {
        if let Ok(q) = Quantity::parse(text) {
            assert_eq!(Quantity::parse(&q.to_string()), Ok(q), "{text}");
        }
    }
}

#[test]
fn nan_and_infinity_spellings_are_rejected_or_ignored() {
    let spellings = [
        "NaN",
        "nan",
        "-nan",
        "Infinity",
        "-Infinity",
        "inf",
        "+Inf",
        "-inf",
        ".inf",
        ".nan",
        "1e309",
        "Inf",
        "∞",
    ];
    for s in spellings {
        // Quantities.
        assert!(Quantity::parse(s).is_err(), "quantity {s:?}");
        let bytes = list(vec![
            node("n1", "m5.large", json!(s), json!(s)),
            node("n2", "m5.large", json!("2"), json!("8Gi")),
            pod("a", "p1", "n2", json!(s), json!(s)),
            pod("a", "p2", "n2", json!("1"), json!("1Gi")),
        ]);
        let o = report_of(&[("cluster.json", &bytes)]);
        assert!(!o.analysis.report.warnings.is_empty(), "{s}: no warning");
        // Unquoted in YAML (`.inf` and `.nan` are YAML floats).
        let yaml = format!(
            "kind: Node\nmetadata:\n  name: n1\n  labels:\n    node.kubernetes.io/instance-type: m5.large\nstatus:\n  allocatable:\n    cpu: {s}\n    memory: {s}\n"
        );
        let _ = run(&[("node.yaml", yaml.as_bytes())]);

        // Price files: the row is an error with its line, never a price.
        let csv = format!(
            "provider,instance_type,region,capacity_type,usd_per_hour\naws,m5.large,us-east-1,on_demand,{s}\n"
        );
        let e = run(&[
            ("cluster.json", &small_cluster()),
            ("prices.csv", csv.as_bytes()),
        ])
        .err()
        .unwrap_or_else(|| panic!("price {s:?} accepted"));
        assert!(e.starts_with("prices.csv") && e.contains(":2"), "{e}");
        let v1 = format!(
            "{{\"schema\":\"kube-rightsize/prices/v1\",\"prices\":[{{\"provider\":\"aws\",\"instance_type\":\"m5.large\",\"region\":\"us-east-1\",\"capacity_type\":\"on_demand\",\"usd_per_hour\":\"{s}\"}}]}}"
        );
        assert!(import_prices("prices.json", v1.as_bytes()).is_err(), "{s}");

        // Manual prices.
        let mut manual = ManualPrices::new();
        assert!(
            manual.set_assignment(&format!("m5.large={s}")).is_err(),
            "{s}"
        );

        // Usage: kubectl top and the metrics API.
        let top = format!("NAMESPACE POD NAME CPU(cores) MEMORY(bytes)\nweb web-1 app {s} {s}\n");
        let _ = run(&[
            ("cluster.json", &small_cluster()),
            ("top.txt", top.as_bytes()),
        ]);
        let metrics = format!(
            "{{\"kind\":\"PodMetricsList\",\"items\":[{{\"metadata\":{{\"name\":\"web-1\",\"namespace\":\"web\"}},\"containers\":[{{\"name\":\"app\",\"usage\":{{\"cpu\":\"{s}\",\"memory\":\"{s}\"}}}}]}}]}}"
        );
        let _ = run(&[
            ("cluster.json", &small_cluster()),
            ("metrics.json", metrics.as_bytes()),
        ]);

        // KRR values.
        let krr = krr_scan(json!(s), json!(s));
        let _ = run(&[("cluster.json", &small_cluster()), ("krr.json", &krr)]);
    }
    // Non-finite settings are refused with a warning, never used.
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.5, 1.0, 7.0] {
        let mut settings = Settings {
            assume_spot_discount: Some(bad),
            ..Settings::default()
        };
        settings.suggest.target_utilisation = bad;
        assert!(settings.manual_prices.set("m5.large", bad).is_err() || bad >= 0.0);
        // The warning quotes the refused value.
        let o = run_allowing(
            &[("cluster.json", &small_cluster())],
            settings,
            &["NaN", "inf"],
        )
        .unwrap_or_else(|e| panic!("{bad}: {e}"));
        assert!(
            o.analysis
                .report
                .warnings
                .iter()
                .any(|w| w.code == "invalid_setting"),
            "{bad}"
        );
    }
}

fn krr_scan(cpu: Value, memory: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"scans": [{
        "object": {"cluster": "c", "name": "web-1", "container": "app", "namespace": "web",
                   "kind": "Pod", "pods": [{"name": "web-1", "deleted": false}],
                   "allocations": {"requests": {"cpu": cpu, "memory": memory},
                                   "limits": {"cpu": cpu, "memory": memory}}},
        "recommended": {"requests": {"cpu": {"value": cpu, "severity": "WARNING"},
                                     "memory": {"value": memory, "severity": "CRITICAL"}},
                        "limits": {"cpu": {"value": cpu, "severity": "GOOD"},
                                   "memory": {"value": memory, "severity": "GOOD"}}},
        "severity": "CRITICAL"}], "score": 50}))
    .expect("serialises")
}

#[test]
fn negative_and_zero_quantities_and_nodes_with_zero_allocatable() {
    let cases = [
        ("0", "0"),
        ("-4", "-8Gi"),
        ("0", "8Gi"),
        ("2", "0"),
        ("1n", "1"),
        ("-1m", "-1"),
    ];
    for (cpu, memory) in cases {
        let bytes = list(vec![
            node("zero", "m5.large", json!(cpu), json!(memory)),
            node("ok", "m5.large", json!("2"), json!("8Gi")),
            pod("a", "on-zero", "zero", json!("500m"), json!("1Gi")),
            pod("a", "negative", "zero", json!("-500m"), json!("-1Gi")),
            pod("b", "zero-request", "ok", json!("0"), json!("0")),
            pod("b", "normal", "ok", json!("100m"), json!("128Mi")),
        ]);
        let o = report_of(&[("cluster.json", &bytes)]);
        assert_eq!(o.analysis.cluster.nodes.len(), 2);
        // Priced with manual prices of zero too (free nodes: every rate is zero, no 0/0).
        let mut settings = Settings::default();
        settings
            .manual_prices
            .set("m5.large", 0.0)
            .expect("zero is a price");
        let o = run_with(&[("cluster.json", &bytes)], settings).expect("a report");
        assert_eq!(o.analysis.report.summary.monthly_cost, 0.0);
        // KRR recommending zero and negative values for these pods.
        for (c, m) in [
            (json!(0), json!(0)),
            (json!(-1), json!(-1)),
            (json!("0"), json!("-1Gi")),
        ] {
            let _ = run(&[("cluster.json", &bytes), ("krr.json", &krr_scan(c, m))]);
        }
    }
    // An empty cluster: nodes without pods, pods without nodes, nothing at all.
    let only_nodes = list(vec![node("zero", "m5.large", json!("0"), json!("0"))]);
    report_of(&[("nodes.json", &only_nodes)]);
    let only_pods = list(vec![pod("a", "p", "", json!("1"), json!("1Gi"))]);
    report_of(&[("pods.json", &only_pods)]);
    let e = error_of(&[("empty.json", &list(vec![]))]);
    assert!(e.starts_with("empty.json"), "{e}");
}

#[test]
fn zero_and_negative_prices() {
    let csv = "provider,instance_type,region,capacity_type,usd_per_hour\n\
               aws,m5.large,us-east-1,on_demand,0\n\
               aws,m5.xlarge,us-east-1,on_demand,0.0\n";
    let o = report_of(&[
        ("cluster.json", &small_cluster()),
        ("prices.csv", csv.as_bytes()),
    ]);
    assert_eq!(o.analysis.report.summary.monthly_cost, 0.0);
    for negative in ["-0.1", "-1e-9", "-0", "- 1", "$-1"] {
        let csv = format!(
            "provider,instance_type,region,capacity_type,usd_per_hour\naws,m5.large,us-east-1,on_demand,{negative}\n"
        );
        match run(&[
            ("cluster.json", &small_cluster()),
            ("prices.csv", csv.as_bytes()),
        ]) {
            // `-0` is zero.
            Ok(o) => assert_eq!(
                negative, "-0",
                "{negative} accepted: {:?}",
                o.analysis.report.pricing
            ),
            Err(e) => assert!(e.starts_with("prices.csv") && e.contains(":2:"), "{e}"),
        }
        let mut manual = ManualPrices::new();
        if negative != "-0" {
            assert!(
                manual
                    .set_assignment(&format!("m5.large={negative}"))
                    .is_err()
            );
        }
    }
    let mut manual = ManualPrices::new();
    assert!(manual.set("m5.large", -0.01).is_err());
    // Vantage-style prices of zero, a price file of zero, and a free catalogue-less run.
    let mut settings = Settings::default();
    settings.manual_prices.set("m5.large", 0.0).expect("zero");
    settings.manual_prices.set("m5.xlarge", 0.0).expect("zero");
    settings.assume_spot_discount = Some(0.99);
    let cluster = small_cluster();
    let inputs = [Input::new("cluster.json", &cluster[..])];
    let a = analyze(&inputs, &settings, None, AT).expect("analysis");
    let o = render(a, None);
    check(&o, &inputs, &[]);
}

// ---------------------------------------------------------------------------------------------
// Objects: duplicates, conflicts, dangling references, cycles.
// ---------------------------------------------------------------------------------------------

#[test]
fn duplicated_and_conflicting_objects() {
    let mut twin = node("n1", "m5.xlarge", json!("64"), json!("1Ti"));
    twin["metadata"]["uid"] = json!("another-uid");
    let mut same_uid = node("n3", "c5.large", json!("2"), json!("4Gi"));
    same_uid["metadata"]["uid"] = json!("uid-n1");
    let mut moved = pod("web", "web-1", "n2", json!("9"), json!("9Gi"));
    moved["metadata"]["uid"] = json!("uid-web-web-1");
    let a = list(vec![
        node("n1", "m5.large", json!("2"), json!("8Gi")),
        node("n2", "m5.large", json!("2"), json!("8Gi")),
        twin,
        same_uid,
        pod("web", "web-1", "n1", json!("1"), json!("1Gi")),
        moved.clone(),
        pod("web", "web-1", "n1", json!("1"), json!("1Gi")),
    ]);
    let b = list(vec![
        moved,
        node("n1", "t3.micro", json!("1"), json!("1Gi")),
    ]);
    let o = report_of(&[("a.json", &a), ("b.json", &b), ("a-again.json", &a)]);
    let names: Vec<&str> = o
        .analysis
        .cluster
        .nodes
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    let unique: std::collections::BTreeSet<&&str> = names.iter().collect();
    assert_eq!(
        names.len(),
        unique.len(),
        "a node is counted twice: {names:?}"
    );
    assert_eq!(
        o.analysis
            .cluster
            .pods
            .iter()
            .filter(|p| p.name == "web-1")
            .count(),
        1
    );
}

#[test]
fn owner_reference_cycles_and_dangling_owners_end() {
    let owned = |kind: &str, name: &str, owner_kind: &str, owner: &str| {
        json!({"apiVersion": "apps/v1", "kind": kind,
               "metadata": {"name": name, "namespace": "web", "uid": format!("uid-{name}"),
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner_kind,
                                                 "name": owner, "uid": format!("uid-{owner}"),
                                                 "controller": true}]},
               "spec": {"replicas": 1}})
    };
    let mut p = pod("web", "web-1", "n1", json!("100m"), json!("64Mi"));
    p["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "name": "rs", "uid": "uid-rs", "controller": true}]);
    let mut selfish = pod("web", "self", "n1", json!("100m"), json!("64Mi"));
    selfish["metadata"]["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "Pod",
        "name": "self", "uid": "uid-web-self", "controller": true}]);
    let mut orphan = pod("web", "orphan", "n1", json!("100m"), json!("64Mi"));
    orphan["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "name": "gone", "uid": "uid-gone", "controller": true}]);
    let bytes = list(vec![
        node("n1", "m5.large", json!("2"), json!("8Gi")),
        p,
        selfish,
        orphan,
        owned("ReplicaSet", "rs", "Deployment", "dep"),
        owned("Deployment", "dep", "ReplicaSet", "rs"),
        owned("StatefulSet", "ss", "StatefulSet", "ss"),
    ]);
    let o = report_of(&[("cluster.json", &bytes)]);
    assert_eq!(o.analysis.cluster.pods.len(), 3);
}

#[test]
fn pods_on_missing_nodes() {
    let bytes = list(vec![
        node("n1", "m5.large", json!("2"), json!("8Gi")),
        pod("web", "ghost-1", "ghost", json!("1"), json!("1Gi")),
        pod("web", "ghost-2", "", json!("1"), json!("1Gi")),
        pod("web", "fine", "n1", json!("1"), json!("1Gi")),
    ]);
    let o = report_of(&[("cluster.json", &bytes)]);
    assert_eq!(o.analysis.cluster.pods.len(), 3);
    let ghost = o
        .analysis
        .cluster
        .pods
        .iter()
        .find(|p| p.name == "ghost-1")
        .expect("kept");
    assert_eq!(ghost.node_index, None);
    assert!(!o.analysis.report.warnings.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Names: unicode, right-to-left, control characters, and payloads in every string field.
// ---------------------------------------------------------------------------------------------

#[test]
fn unicode_and_right_to_left_names() {
    let names = [
        "\u{202E}gnp.exe",
        "שלום-עולם",
        "مرحبا",
        "👩‍👩‍👧‍👦-family",
        "e\u{301}\u{301}\u{301}\u{301}",
        "zero\u{200B}width",
        "nul\u{0}byte",
        "bell\u{7}esc\u{1b}[31m",
        "中文名字中文名字中文名字中文名字中文名字中文名字中文名字中文名字中文名字中文名字",
        "ǅ\u{feff}bom-inside",
        "line\nbreak\r\nand\ttab",
    ];
    let mut items = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let n = format!("{name}-{i}");
        let mut nd = node(&n, &format!("{name}.large"), json!("2"), json!("8Gi"));
        nd["metadata"]["labels"]["topology.kubernetes.io/zone"] = json!(name);
        nd["metadata"]["labels"]["eks.amazonaws.com/nodegroup"] = json!(name);
        items.push(nd);
        items.push(pod(
            name,
            &format!("{name}-pod"),
            &n,
            json!("100m"),
            json!("64Mi"),
        ));
    }
    let bytes = list(items);
    let o = report_of(&[("名前 \u{202E}.json", &bytes)]);
    assert_eq!(o.analysis.cluster.nodes.len(), names.len());
    // Long multi-byte names are cut in the table on character boundaries (no panic above), and
    // no output carries a raw NUL or escape character into HTML.
    assert!(!o.html.contains('\u{0}') && !o.html.contains('\u{1b}'));
    // Lone surrogates in JSON escapes are a located error or replaced, never a panic.
    let lone = b"{\"kind\":\"Node\",\"metadata\":{\"name\":\"\\ud800\"}}";
    let _ = run(&[("lone.json", lone)]);
}

const PAYLOADS: [&str; 8] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "'><svg/onload=alert(3)>",
    "javascript:alert(4)",
    "</style><script>alert(5)</script>",
    "<!--<a href=\"https://evil.example/\">x</a>-->",
    "]]><iframe src=//evil.example>",
    "=HYPERLINK(\"https://evil.example\",\"x\")",
];

#[test]
fn payloads_in_every_string_field_are_escaped() {
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let p = |s: &str| format!("{payload}{s}");
        let mut nd = node(&p("node"), &p("type"), json!("4"), json!("16Gi"));
        let labels = &mut nd["metadata"]["labels"];
        for key in [
            "topology.kubernetes.io/region",
            "topology.kubernetes.io/zone",
            "eks.amazonaws.com/nodegroup",
            "karpenter.sh/capacity-type",
            "kubernetes.io/arch",
            "kubernetes.io/os",
            "node.kubernetes.io/instance-type",
            "nvidia.com/gpu.product",
        ] {
            labels[key] = json!(p(key));
        }
        labels[p("label-key")] = json!(p("label-value"));
        nd["spec"]["providerID"] = json!(p("aws:///zone/i-1"));
        let mut pd = pod(&p("ns"), &p("pod"), &p("node"), json!("1"), json!("1Gi"));
        pd["metadata"]["ownerReferences"] = json!([{"apiVersion": p("apps/v1"), "kind": p("Kind"),
            "name": p("owner"), "uid": p("uid"), "controller": true}]);
        pd["spec"]["containers"][0]["name"] = json!(p("container"));
        pd["spec"]["containers"][0]["image"] = json!(p("image"));
        pd["spec"]["priorityClassName"] = json!(p("priority"));
        pd["metadata"]["labels"] = json!({"pod-template-hash": p("hash"), "team": p("team")});
        pd["status"]["phase"] = json!(p("phase"));
        pd["status"]["qosClass"] = json!(p("qos"));
        let hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": p("hpa"), "namespace": p("ns")},
            "spec": {"scaleTargetRef": {"kind": p("Kind"), "name": p("owner")},
                     "minReplicas": 1, "maxReplicas": 3,
                     "metrics": [{"type": "Resource", "resource": {"name": p("cpu")}}]}});
        let weird =
            json!({"apiVersion": p("v9"), "kind": p("Weird"), "metadata": {"name": p("weird")}});
        let snapshot = list(vec![nd, pd, hpa, weird]);
        let krr = serde_json::to_vec(&json!({"scans": [{
            "object": {"cluster": p("cluster"), "name": p("owner"), "container": p("container"),
                       "namespace": p("ns"), "kind": p("Kind"),
                       "pods": [{"name": p("pod"), "deleted": false}],
                       "allocations": {"requests": {"cpu": "1", "memory": "1Gi"}}},
            "recommended": {"requests": {"cpu": {"value": "100m", "severity": "WARNING"},
                                         "memory": {"value": "1Gi", "severity": "OK"}}},
            "severity": p("severity")}, {
            "object": {"cluster": p("c"), "name": p("unmatched"), "container": p("c"),
                       "namespace": p("other-ns"), "kind": p("Kind"), "pods": []},
            "recommended": {}, "severity": "GOOD"}],
            "score": 10, "strategy": {"name": p("strategy"), "settings": {}}}))
        .expect("json");
        let csv = format!(
            "provider,instance_type,region,capacity_type,usd_per_hour\naws,\"{}\",\"{}\",on_demand,0.5\n",
            p("type").replace('"', "\"\""),
            p("topology.kubernetes.io/region").replace('"', "\"\"")
        );
        let input_name = p("input.json");
        let inputs: [(&str, &[u8]); 3] = [
            (&input_name, &snapshot),
            ("krr.json", &krr),
            ("prices.csv", csv.as_bytes()),
        ];
        let mut settings = Settings::default();
        settings.ingest.pod_labels = vec!["team".to_owned()];
        let o = run_with(&inputs, settings).unwrap_or_else(|e| panic!("payload {i}: {e}"));
        let o = render(o.analysis, Some(&p("cluster-name")));
        assert_eq!(o.analysis.cluster.nodes.len(), 1, "payload {i}");

        for html in [&o.html, &o.html_anonymised] {
            assert_strict_csp(html);
            // The payload itself never appears raw (it has markup or quotes), and the page has
            // exactly its own one script element, no other active element, no link out.
            if payload.contains(['<', '>', '"', '\'']) {
                assert!(
                    !html.contains(payload),
                    "payload {i} unescaped: {}",
                    around(html, payload)
                );
            }
            let lower = html.to_ascii_lowercase();
            assert_eq!(
                lower.matches("<script").count(),
                1,
                "payload {i}: a second <script"
            );
            for tag in [
                "<img", "<iframe", "<svg/", "<object", "<embed", "<base", "<form",
            ] {
                assert!(!lower.contains(tag), "payload {i}: {tag} in the page");
            }
            // Links only within the page (its table of contents) and the empty favicon.
            for (at, _) in lower.match_indices("href=\"") {
                let value = &lower[at + 6..];
                assert!(
                    value.starts_with('#') || value.starts_with("data:,\""),
                    "payload {i}: a link out: {}",
                    &value[..value.len().min(60)]
                );
            }
            assert_eq!(
                lower.matches("<link").count(),
                1,
                "payload {i}: a second <link"
            );
            assert_eq!(lower.matches("</style").count(), 1, "payload {i}: </style");
        }
        // The table is for a terminal: no escape sequences from input reach it unchanged.
        assert!(!o.table.contains('\u{1b}'));
        // CSV: every cell that starts like a formula is defused.
        for csv in [&o.csv_workloads, &o.csv_nodes, &o.csv_namespaces] {
            for line in csv.lines() {
                for cell in line.split(',') {
                    let cell = cell.trim_start_matches('"');
                    assert!(
                        !cell.starts_with(['=', '+', '@']),
                        "payload {i}: a formula cell {cell:?}"
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets.
// ---------------------------------------------------------------------------------------------

#[test]
fn env_values_annotations_and_unselected_labels_never_leave_the_parser() {
    const SECRETS: [&str; 9] = [
        "env-AKIAIOSFODNN7EXAMPLE",
        "annotation-ghp_0123456789abcdefghij",
        "last-applied-password-hunter2",
        "node-annotation-s3cr3t",
        "init-env-token",
        "args-password-0xdeadbeef",
        "label-unselected-s3cr3t",
        "configmap-ref-s3cr3t",
        "ephemeral-env-s3cr3t",
    ];
    let mut nd = node("n1", "m5.large", json!("2"), json!("8Gi"));
    nd["metadata"]["annotations"] = json!({"secret": SECRETS[3]});
    let mut pd = pod("web", "web-1", "n1", json!("100m"), json!("64Mi"));
    pd["metadata"]["annotations"] = json!({
        "token": SECRETS[1],
        "kubectl.kubernetes.io/last-applied-configuration":
            format!("{{\"spec\":{{\"containers\":[{{\"env\":[{{\"name\":\"P\",\"value\":\"{}\"}}]}}]}}}}", SECRETS[2]),
    });
    pd["metadata"]["labels"] = json!({"team": "payments", "secret-label": SECRETS[6]});
    let c = &mut pd["spec"]["containers"][0];
    c["env"] = json!([
        {"name": "AWS_ACCESS_KEY_ID", "value": SECRETS[0]},
        {"name": "FROM", "valueFrom": {"configMapKeyRef": {"name": SECRETS[7], "key": "k"}}}
    ]);
    c["args"] = json!([format!("--password={}", SECRETS[5])]);
    c["command"] = json!(["/bin/sh", "-c", format!("echo {}", SECRETS[5])]);
    pd["spec"]["initContainers"] = json!([{"name": "init", "image": "busybox",
        "env": [{"name": "T", "value": SECRETS[4]}]}]);
    pd["spec"]["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox",
        "env": [{"name": "E", "value": SECRETS[8]}]}]);
    let snapshot = list(vec![nd, pd]);
    let yaml = {
        let v: Value = serde_json::from_slice(&snapshot).expect("json");
        // JSON is valid YAML flow syntax; the YAML reader must skip the same fields.
        format!(
            "# yaml\n{}",
            serde_json::to_string_pretty(&v).expect("json")
        )
    };
    for (name, bytes) in [
        ("cluster.json", &snapshot[..]),
        ("cluster.yaml", yaml.as_bytes()),
    ] {
        let mut settings = Settings::default();
        settings.ingest.pod_labels = vec!["team".to_owned()];
        let o = run_with(&[(name, bytes)], settings).expect("a report");
        let model = format!("{:?}", o.analysis.cluster);
        assert!(model.contains("payments"), "the chosen label is kept");
        let ingested = format!("{:?}", ingest(&[Input::new(name, bytes)]).expect("ingests"));
        for secret in SECRETS {
            assert!(
                !model.contains(secret),
                "{name}: {secret} in the parsed model"
            );
            assert!(
                !ingested.contains(secret),
                "{name}: {secret} in the ingest's model"
            );
            for (what, text) in o.texts() {
                assert!(
                    !text.contains(secret),
                    "{name}: {secret} in the {what} output"
                );
            }
        }
        // Even an input that fails leaves no secret in its error.
        let broken = &bytes[..bytes.len() - 3];
        if let Err(e) = run(&[(name, broken)]) {
            for secret in SECRETS {
                assert!(!e.contains(secret), "{name}: {secret} in the error {e}");
            }
        }
    }
}

/// Names with quotes, `$()`, backticks, line breaks and path tricks, in the snapshot and the
/// KRR result: the patches of valid workloads are built, the others are listed as not
/// patchable, and no text of any form lets a name escape: the script's lines are comments,
/// `set -eu` or one `kubectl patch` each, hostile names appear only in comments, every file
/// stays in its directory, and the HTML escapes them.
#[test]
fn hostile_names_stay_out_of_patch_commands() {
    use kube_rightsize_core::patch::render::{self, PatchFormat, Selection};
    let hostile = [
        "a'b",
        "$(touch pwned)",
        "`id`",
        "x\nkubectl delete ns prod",
        "../../etc",
        "ns;rm -rf ~",
        "UPPER",
        "<script>alert(1)</script>",
    ];
    let mut items = vec![json!({"kind": "Node", "metadata": {"name": "n1"},
        "status": {"allocatable": {"cpu": "64", "memory": "256Gi"}}})];
    let mut scans = Vec::new();
    let mut add = |ns: &str, name: &str, container: &str| {
        items.push(json!({"kind": "Pod", "metadata": {"name": format!("{name}-abc12-x"), "namespace": ns,
            "uid": format!("{ns}/{name}/{container}"), "labels": {"pod-template-hash": "abc12"},
            "ownerReferences": [{"kind": "ReplicaSet", "name": format!("{name}-abc12"), "controller": true}]},
            "spec": {"nodeName": "n1", "containers": [{"name": container,
                "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]},
            "status": {"phase": "Running"}}));
        scans.push(json!({"object": {"cluster": "t", "name": name, "container": container, "pods": [],
            "hpa": null, "namespace": ns, "kind": "Deployment",
            "allocations": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": null, "memory": null}, "info": {}},
            "warnings": [], "labels": {}, "annotations": {}},
            "recommended": {"requests": {"cpu": {"value": 0.3, "severity": "WARNING"},
                                          "memory": {"value": "512Mi", "severity": "WARNING"}},
                            "limits": {"cpu": {"value": null, "severity": "GOOD"},
                                       "memory": {"value": "512Mi", "severity": "WARNING"}},
                            "info": {"cpu": null, "memory": null}},
            "severity": "WARNING"}));
    };
    add("pay", "api", "app");
    for h in hostile {
        add(h, "web", "web");
        add("pay", h, "app");
        add("shop", "cart", h);
    }
    let snapshot = serde_json::to_vec(&json!({"kind": "List", "items": items})).unwrap();
    let krr = serde_json::to_vec(&json!({"scans": scans, "score": 0,
        "strategy": {"name": "simple", "settings": {}}}))
    .unwrap();
    let settings = Settings {
        recommendations: Some(read_input("krr.json", &krr, &StrategySettings::default()).unwrap()),
        ..Settings::default()
    };
    let a = analyze(&[Input::new("s.json", &snapshot)], &settings, None, AT).expect("report");
    let patches = a.report.patches.as_ref().expect("patches");
    let applicable: Vec<String> = patches.applicable().map(|p| p.key()).collect();
    assert_eq!(applicable, ["pay/api"], "{:?}", patches.workloads);
    assert!(
        patches.workloads.len() > hostile.len(),
        "the hostile ones are listed"
    );
    for format in PatchFormat::ALL {
        for f in render::files(patches, format, Selection::default(), &[]) {
            assert!(
                f.path
                    .split('/')
                    .all(|p| !p.is_empty() && p != ".." && p != "."),
                "{:?}",
                f.path
            );
            for line in f.contents.lines().filter(|l| !l.starts_with('#')) {
                for h in hostile {
                    let first = h.lines().next().unwrap_or(h);
                    assert!(!line.contains(first), "{format:?} {}: {line:?}", f.path);
                }
                if format == PatchFormat::Kubectl {
                    assert!(
                        line.is_empty() || line == "set -eu" || line.starts_with("kubectl patch "),
                        "{line:?}"
                    );
                }
            }
        }
    }
    let html = render_html(&a.report, &HtmlOptions::default());
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// The bill's kinds (issue 17) read the same way as nodes and pods: wrong types in fields of
/// other kinds never fail them, absurd sizes and IOPS are warnings or finite figures, hostile
/// names are escaped, a huge selector or thousands of Services stay fast and bounded.
#[test]
fn hostile_volumes_claims_classes_and_services() {
    let mut items = vec![
        node("n1", "m5.large", json!("2"), json!("8Gi")),
        pod("shop", "db-0", "n1", json!("100m"), json!("64Mi")),
    ];
    let evil = "<script>alert(1)</script>\u{202e}";
    items.push(json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": evil, "annotations": {"storageclass.kubernetes.io/is-default-class": "true",
            "token": "annotation-s3cr3t"}},
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "io2", "iops": "1e308", "throughput": "-5", "secret": "param-s3cr3t"}}));
    items.push(json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"namespace": "shop", "name": evil},
        "spec": {"storageClassName": evil, "volumeName": "pv-1", "replicas": "not-a-number",
            "resources": {"requests": {"storage": "99999999Pi"}}},
        "status": {"phase": "Bound", "capacity": {"storage": {"a": 1}}}}));
    items.push(json!({"apiVersion": "v1", "kind": "PersistentVolume",
        "metadata": {"name": "pv-1"},
        "spec": {"capacity": {"storage": "1e3Gi"}, "storageClassName": evil,
            "claimRef": {"namespace": "shop", "name": evil}, "containers": "not-a-list",
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "values": [evil]}]}]}}},
        "status": {"phase": "Bound"}}));
    // A selector with 10,000 labels and 5,000 load balancers.
    let selector: serde_json::Map<String, Value> = (0..10_000)
        .map(|i| (format!("k{i}"), json!(format!("v{i}"))))
        .collect();
    items.push(json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"namespace": "shop", "name": "wide"},
        "spec": {"type": "LoadBalancer", "selector": selector, "ports": [{"port": 80}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}}));
    for i in 0..5_000 {
        items.push(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"namespace": "shop", "name": format!("lb-{i}")},
            "spec": {"type": "LoadBalancer", "selector": {"app": "db"}, "ports": [{"port": 80}]},
            "status": {"loadBalancer": {"ingress": [{"hostname": "x"}]}}}));
    }
    let snapshot = list(items);
    let o = report_of(&[("cluster.json", &snapshot)]);
    let r = &o.analysis.report;
    assert_eq!(r.load_balancers.len(), 5_001);
    assert_eq!(r.volumes.len(), 1);
    assert!(r.summary.bill_monthly_cost.is_some_and(f64::is_finite));
    assert!(
        o.analysis
            .warnings
            .iter()
            .any(|w| w.code == "absurd_quantity" || w.code == "invalid_quantity")
            && o.analysis
                .warnings
                .iter()
                .any(|w| w.code == "invalid_storage_parameter"),
        "{:#?}",
        o.analysis
            .warnings
            .iter()
            .map(|w| &w.code)
            .collect::<Vec<_>>()
    );
    for (what, text) in o.texts() {
        for secret in ["annotation-s3cr3t", "param-s3cr3t"] {
            assert!(!text.contains(secret), "{secret} in the {what} output");
        }
    }
    assert!(
        !o.html.contains("<script>alert"),
        "names are escaped in the HTML"
    );
}
