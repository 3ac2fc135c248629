//! Streaming ingest against the whole-input path: the bytes fed in chunks at split points the
//! fuzzer chooses give the same cluster, or the same located error.
#![no_main]

use kube_rightsize_core::cluster::{Cluster, InputFormat};
use kube_rightsize_core::ingest::{IngestErrorKind, IngestOptions, Input, ingest_streams, ingest_with};
use libfuzzer_sys::fuzz_target;

/// The cluster as text without its hash maps (their order is random).
fn text_of(mut c: Cluster) -> String {
    c.node_index.clear();
    let text = format!("{c:#?}");
    match text.find("    workload_index: {") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fuzz_target!(|data: &[u8]| {
    // The first byte: the chunk size's seed; the second: where the first split falls.
    let (Some(&size), Some(&first)) = (data.first(), data.get(1)) else {
        return;
    };
    let bytes = &data[2.min(data.len())..];
    let size = usize::from(size % 64) + 1;
    let first = usize::from(first).min(bytes.len());
    let mut chunks = vec![&bytes[..first]];
    chunks.extend(bytes[first..].chunks(size));
    let options = IngestOptions::default();
    let whole = ingest_with(&[Input::new("in.json", bytes)], &options);
    let streamed = ingest_streams([("in.json", chunks)], &options);
    match (whole, streamed) {
        (Ok(a), Ok(b)) => assert_eq!(text_of(a), text_of(b)),
        // Both are located errors of the same kind. Their line, column and message are equal on
        // every fixture and corner case of crates/core/tests/stream.rs, but not yet on every
        // input: where a document starts after junk (seed `divergent-start-of-document`: `{ {"name"…`)
        // the whole-input path reports `unexpected text after the end` and the stream `key must
        // be a string`, at another column. Issue 21 keeps this open.
        (Err(a), Err(b)) => {
            assert_eq!(a.kind, b.kind, "{a}\n{b}");
            assert!(a.line >= 1 && a.column >= 1 && b.line >= 1 && b.column >= 1);
        }
        // The one documented difference: JSON whose first document the whole-input path
        // reads again as YAML flow syntax after a syntax error.
        (Ok(a), Err(b))
            if b.kind == IngestErrorKind::JsonSyntax
                && a.inputs.first().is_some_and(|i| i.format == InputFormat::Yaml) => {}
        (a, b) => panic!("whole {:?}\nstreamed {:?}", a.map(text_of), b.map(text_of)),
    }
});
