//! Streaming ingest against the whole-input path: the bytes fed in chunks at split points the
//! fuzzer chooses give the same cluster, or the same located error.
#![no_main]

use kube_rightsize_core::cluster::Cluster;
use kube_rightsize_core::ingest::{IngestOptions, Input, ingest_streams, ingest_with};
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
        // The same located error: kind, line, column, message and hint.
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("whole {:?}\nstreamed {:?}", a.map(text_of), b.map(text_of)),
    }
});
