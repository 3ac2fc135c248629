//! Snapshot parsing: any bytes, as JSON or YAML (the format is sniffed), one or two inputs.
#![no_main]

use kube_rightsize_core::ingest::{Input, ingest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = kube_rightsize_fuzz::split(data, 2);
    let inputs: Vec<Input<'_>> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| Input::new(if i == 0 { "a.json" } else { "b.yaml" }, p))
        .collect();
    match ingest(&inputs) {
        Ok(cluster) => {
            // The error-free path must describe what it read.
            for input in &cluster.inputs {
                let _ = input.describe();
            }
        }
        Err(e) => {
            // Errors are located: 1-based line and column.
            let shown = e.to_string();
            assert!(!shown.is_empty());
        }
    }
});
