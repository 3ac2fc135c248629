//! The streaming reader ([`StreamIngest`]) against the whole-input path ([`ingest_with`]): the
//! same cluster (its Debug text, warnings included) or the same located error, for every
//! fixture and generated input, fed in chunks of 1, 7 and 4096 bytes and split at random points.

use std::path::{Path, PathBuf};

use kube_rightsize_core::ingest::{
    IngestOptions, Input, StreamIngest, ingest_read, ingest_streams, ingest_with,
};
use proptest::prelude::*;

fn fixtures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_none_or(|e| e != "md") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut out,
    );
    out.sort();
    out
}

/// The cluster as text, without its hash maps (their order is random; they are derived from
/// the vectors compared).
fn text_of(mut c: kube_rightsize_core::cluster::Cluster) -> String {
    c.node_index.clear();
    let text = format!("{c:#?}");
    match text.find("    workload_index: {") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn options() -> IngestOptions {
    // Both kinds of kept labels: chosen pod labels, and group-by keys (kept on pods, workload
    // objects and namespaces).
    IngestOptions {
        pod_labels: vec!["team".to_owned(), "app".to_owned()],
        group_labels: vec!["team".to_owned(), "app.kubernetes.io/part-of".to_owned()],
    }
}

/// The whole-input result as text: the cluster's Debug output or the error.
fn whole(bytes: &[u8]) -> String {
    let options = options();
    match ingest_with(&[Input::new("in.json", bytes)], &options) {
        Ok(c) => text_of(c),
        Err(e) => format!("error {:?}", e),
    }
}

/// The streamed result for `bytes` split at `splits` (sorted offsets).
fn streamed(bytes: &[u8], splits: &[usize]) -> String {
    let options = options();
    let mut chunks = Vec::new();
    let mut from = 0;
    for &at in splits {
        let at = at.min(bytes.len());
        if at > from {
            chunks.push(&bytes[from..at]);
            from = at;
        }
    }
    chunks.push(&bytes[from..]);
    match ingest_streams([("in.json", chunks)], &options) {
        Ok(c) => text_of(c),
        Err(e) => format!("error {:?}", e),
    }
}

fn every(bytes: &[u8], n: usize) -> Vec<usize> {
    (n..bytes.len()).step_by(n).collect()
}

fn check(label: &str, bytes: &[u8], expected: &str, sizes: &[usize]) {
    for &n in sizes {
        let got = streamed(bytes, &every(bytes, n));
        assert!(
            got == expected,
            "{label}, chunks of {n}:\n{}",
            first_difference(expected, &got)
        );
    }
}

fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {i}: whole `{x}`\nstreamed `{y}`");
        }
    }
    format!("lengths {} / {}", a.len(), b.len())
}

#[test]
fn every_fixture_streams_to_the_same_cluster_or_error() {
    let mut compared = 0;
    for path in fixtures() {
        let bytes = std::fs::read(&path).expect("fixture");
        let expected = whole(&bytes);
        let label = path.display().to_string();
        let sizes: &[usize] = if bytes.len() > 200_000 {
            &[4096, 65_536]
        } else {
            &[1, 7, 4096]
        };
        check(&label, &bytes, &expected, sizes);
        compared += 1;
    }
    assert!(compared > 50, "{compared} fixtures");
}

#[test]
fn every_truncation_of_a_small_list_gives_the_same_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merge-b-list.json");
    let bytes = std::fs::read(path).expect("fixture");
    for end in (0..bytes.len()).step_by(3) {
        let cut = &bytes[..end];
        let expected = whole(cut);
        check(&format!("cut at {end}"), cut, &expected, &[1, 4096]);
    }
}

/// Hand-made inputs for the corners of the scanner.
const CORNERS: &[&str] = &[
    r#"{"kind": "PodList", "items": [{"metadata": {"name": "p", "namespace": "n"}, "spec": {"containers": [{"name": "c"}]}}]}"#,
    r#"{"items": [{"metadata": {"name": "p", "namespace": "n"}, "spec": {"containers": [{"name": "c"}]}}, {"metadata": {"name": "x"}}], "kind": "PodList"}"#,
    r#"{"items": [{"metadata": {"name": "n1"}, "status": {"allocatable": {"cpu": "2"}}}], "kind": "List"}"#,
    r#"{"it\u0065ms": [{"kind": "Node", "metadata": {"name": "n\"}{[1"}}], "kind": "List"}"#,
    r#"{"kind": "NodeList", "kind": null, "items": [{"metadata": {"name": "n1"}, "status": {"allocatable": {"cpu": "2"}}}]}"#,
    r#"[{"kind": "Node", "metadata": {"name": "é—ü"}}, "x", null, [{"kind": "Node", "metadata": {"name": "m"}}]]"#,
    "{\"kind\": \"Node\", \"metadata\": {\"name\": \"a\"}}\n{\"kind\": \"Node\", \"metadata\": {\"name\": \"b\"}}\r\n\n[]  {\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"n\"}}",
    r#"{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": "a"}} {"kind": "Node"}]}"#,
    r#"{"kind": "List" "items": [{"kind": "Node", "metadata": {"name": "a"}}]}"#,
    r#"{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": 5}}]}"#,
    r#"{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": "a"}}], "metadata": 5}"#,
    "{{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\", \"metadata\": {\"name\": \"a\"}}]}}",
    "$ kubectl get nodes -o json\n{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\", \"metadata\": {\"name\": \"a\"}}]}\n$ ",
    "{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\", \"metadata\": {\"name\": \"a\"}}]}\nnot json",
    "{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\", \"metadata\": {\"name\": \"a\"}}]}\n]",
    r#"{"apiVersion": "v1", "foo": {"bar": [1, 2]}}"#,
    r#"{"apiVersion": "v1", "foo": 1} {"kind": "Node", "metadata": {"name": "a"}}"#,
    "{kind: Node, metadata: {name: a}}",
    r#"[{"kind": "Node", "metadata": {"name": "a"}}, 5]"#,
    r#"{"kind": "List", "items": [[[{"kind": "Node", "metadata": {"name": "a"}}]]]}"#,
    // Items read in place when they end in the chunk: a list inside one, a list after an
    // item's fields, an item with a syntax error after its fields, an item whose list kind
    // comes later, between items that are read in place.
    r#"{"kind": "List", "items": [{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": "a"}}]}, {"kind": "Node", "metadata": {"name": "b"}}]}"#,
    r#"{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": "a"}}, {"metadata": {"name": "x"}, "items": [{"kind": "Node", "metadata": {"name": "c"}}]}]}"#,
    r#"{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": "a"}}, {"kind": "Node", "metadata": {"name": "b"},}, {"kind": "Node"}]}"#,
    r#"{"items": [{"kind": "Node", "metadata": {"name": "a"}}, {"metadata": {"name": "n2"}, "status": {"allocatable": {"cpu": "2"}}}, {"kind": "Node", "metadata": {"name": "c"}}], "kind": "NodeList"}"#,
];

/// Corners with bytes that are not UTF-8.
const BYTE_CORNERS: &[&[u8]] = &[
    b"{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\", \"metadata\": {\"name\": \"a\xff\"}}]}",
    b"{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\", \"metadata\": {\"name\": \"a\"}}, {\"kind\": \"Node\", \"metadata\": {\"name\": \"\xc3\xa9\xff\"}}]}",
    b"{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\", \"metadata\": {\"name\": \"a\" x}}], \"x\": \"\xff\"}",
    b"{\"kind\": \"List\", \"items\": [{\"kind\": \"Node\", \"metadata\": {\"name\": \"a\"}}], \"x\": \"\xc3",
];

#[test]
fn corner_cases_stream_to_the_same_result() {
    let all = CORNERS
        .iter()
        .map(|c| c.as_bytes())
        .chain(BYTE_CORNERS.iter().copied());
    for (i, bytes) in all.enumerate() {
        let text = String::from_utf8_lossy(bytes);
        let expected = whole(bytes);
        check(
            &format!("corner {i}: {text}"),
            bytes,
            &expected,
            &[1, 2, 3, 5, 7, 4096],
        );
        for end in 0..bytes.len() {
            let cut = &bytes[..end];
            check(
                &format!("corner {i} cut at {end}"),
                cut,
                &whole(cut),
                &[1, 4096],
            );
        }
    }
}

fn generated() -> Vec<u8> {
    let mut out = String::from("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n");
    for i in 0..60 {
        if i > 0 {
            out.push_str(",\n");
        }
        if i % 10 == 0 {
            out.push_str(&format!(
                r#"        {{"apiVersion": "v1", "kind": "Node", "metadata": {{"name": "node-{i}", "labels": {{"node.kubernetes.io/instance-type": "m5.large", "topology.kubernetes.io/zone": "us-east-1a"}}}}, "spec": {{"providerID": "aws:///us-east-1a/i-{i}"}}, "status": {{"allocatable": {{"cpu": "1930m", "memory": "7220Mi", "pods": "29"}}, "capacity": {{"cpu": "2", "memory": "8Gi"}}}}}}"#
            ));
        } else {
            let pad = "x".repeat(i * 37);
            out.push_str(&format!(
                r#"        {{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "pod-{i}", "namespace": "ns-{}", "labels": {{"app": "a{i}", "team": "t"}}, "annotations": {{"note": "{pad}\"é\\n"}}, "ownerReferences": [{{"kind": "ReplicaSet", "name": "rs-{}-5d9f7c8b4"}}]}}, "spec": {{"nodeName": "node-{}", "containers": [{{"name": "c", "resources": {{"requests": {{"cpu": "{}m", "memory": "128Mi"}}}}}}]}}, "status": {{"phase": "Running"}}}}"#,
                i % 3,
                i % 7,
                (i / 10) * 10,
                50 + i
            ));
        }
    }
    out.push_str("\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n");
    out.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_split_points_give_the_same_cluster(mut splits in prop::collection::vec(0usize..20_000, 0..40)) {
        let bytes = generated();
        splits.sort_unstable();
        let expected = whole(&bytes);
        prop_assert!(expected.starts_with("Cluster"), "{}", &expected[..200.min(expected.len())]);
        prop_assert!(streamed(&bytes, &splits) == expected);
    }

    #[test]
    fn random_bytes_give_the_same_result(bytes in prop::collection::vec(prop::sample::select(
        b"{}[]\",: \n\\ax1\xc3\xa9-".to_vec()), 0..60), at in 0usize..60) {
        let mut text = b"{\"kind\": \"List\", \"items\": [".to_vec();
        text.extend_from_slice(&bytes);
        let expected = whole(&text);
        let got = streamed(&text, &[at]);
        prop_assert!(got == expected, "{}", first_difference(&expected, &got));
        let got = streamed(&text, &every(&text, 1));
        prop_assert!(got == expected, "{}", first_difference(&expected, &got));
    }
}

#[test]
fn the_held_bytes_stay_within_the_largest_item_and_a_chunk() {
    let bytes = generated();
    let largest = 60 * 37 + 600;
    for chunk in [1, 7, 4096] {
        let options = options();
        let mut s = StreamIngest::new("in.json", &options);
        for c in bytes.chunks(chunk) {
            s.feed(c);
        }
        assert!(s.is_streaming());
        let held = s.high_water_bytes();
        assert!(
            held <= largest + chunk + 256,
            "chunks of {chunk}: held {held} of {} bytes",
            bytes.len()
        );
        let read = s.finish().expect("read");
        assert_eq!(read.summary().pods, 54);
        let cluster = ingest_read(vec![read]).expect("cluster");
        assert!(text_of(cluster) == whole(&bytes));
    }
}

/// JSON that starts like JSON objects and has a syntax error in its first document is a JSON
/// error on both paths (YAML flow syntax would allow the trailing comma, but the streaming
/// reader has let go of the bytes it would need to read it again); JSON that starts like YAML
/// flow syntax is read as YAML by both.
#[test]
fn a_first_document_that_is_yaml_flow_only_after_streaming_began_is_a_json_error_on_both_paths() {
    let text = br#"{"kind": "List", "items": [{"kind": "Node", "metadata": {"name": "a"}},]}"#;
    let got = whole(text);
    assert!(
        got.starts_with("error IngestError { kind: JsonSyntax"),
        "{got}"
    );
    assert!(got.contains("line: 1, column: 72"), "{got}");
    check("trailing comma", text, &got, &[1, 7, 4096]);

    let flow = b"{kind: List, items: [{kind: Node, metadata: {name: a}},]}";
    let got = whole(flow);
    assert!(got.starts_with("Cluster"), "{got}");
    check("YAML flow syntax", flow, &got, &[1, 7, 4096]);
}

/// A stray `{` before the first document (`{ {"kind": …`) is skipped by both paths, and text
/// after that document is the same error on both (the fuzz target's seed
/// `divergent-start-of-document` found them apart).
#[test]
fn a_stray_brace_then_junk_is_the_same_error_on_both_paths() {
    let text = br#"{ {"name": "n1"}, "status": {"capacity": 1}}"#;
    let got = whole(text);
    assert!(got.contains("line: 1, column: 17"), "{got}");
    check("stray brace then junk", text, &got, &[1, 2, 7, 4096]);
    let ok = b"{ {\"kind\": \"Node\", \"metadata\": {\"name\": \"n\"}}\n}";
    let got = whole(ok);
    assert!(got.starts_with("Cluster"), "{got}");
    check("stray brace", ok, &got, &[1, 2, 7, 4096]);
}

/// A missing comma between two items, the second of them broken: the missing comma comes first
/// in the input, so both paths report it (found by the fuzz target; seed
/// `missing-comma-before-a-broken-item`).
#[test]
fn a_missing_comma_before_a_broken_item_is_reported_first_on_both_paths() {
    let text = b"{\"kind\": \"List\", \"items\": [\n  {\"kind\": \"Node\", \"metadata\": {\"name\": \"a\"}}  {\n,\n \"kind\": \"Node\"}]}";
    let got = whole(text);
    assert!(got.contains("expected `,` or `]`"), "{got}");
    assert!(got.contains("line: 2, column: 48"), "{got}");
    check("missing comma", text, &got, &[1, 3, 7, 4096]);
}

/// A stray `{` and a space before a document that is not a Kubernetes object: both paths place
/// the document at its own brace (seed `stray-brace-then-a-space`).
#[test]
fn a_document_after_a_stray_brace_is_located_at_its_own_brace() {
    let text = br#"{ {"name": "n1"}"#;
    let got = whole(text);
    assert!(got.contains("kind: NotKubernetes"), "{got}");
    assert!(got.contains("line: 1, column: 3"), "{got}");
    check("stray brace, space", text, &got, &[1, 2, 3, 7, 4096]);
}
