//! The analysis worker's compute path, without the browser around it, so that it can be timed
//! in V8 (node, the engine Chromium runs) and natively on the same input with the same code.
//!
//! [`analyse`] does what `src/engine.rs`'s `run` does for one pasted snapshot with no Vantage
//! prices and no Prometheus: the core's pipeline ([`kube_rightsize_core::pipeline`]) from the
//! price catalogue (`catalogue.bin`, which the worker downloads and decodes; here it is
//! decoded from the same bytes) to the reply, serialised to JSON as the worker does before
//! `postMessage`. In wasm the bytes are first copied out of a JS `Uint8Array` into a
//! `Vec<u8>`, as the worker's `Uint8Array::to_vec`. Each phase ends where the pipeline
//! reports the next one (`Reading …` → ingest, `Analysing` → analyze, `Re-packing …` →
//! repack, `Preparing the report` → finish).
//!
//! Built for `wasm32-unknown-unknown` (the worker's target, same allocator) and driven by
//! `run.mjs`; `bench.sh` builds the configurations compared in BENCHMARKS.md
//! (*Analysis in wasm vs native*). Natively, `krs-wasm-bench-native FILE` prints the same line.

use std::sync::Arc;

use kube_rightsize_core::analysis::Settings;
use kube_rightsize_core::http::Response;
use kube_rightsize_core::ingest::{Input, ingest_with};
use kube_rightsize_core::pipeline::{
    CatalogueSource, Job, JobInput, Now, Pipeline, Role, Shell, Stage, Step,
};
use serde_json::json;

/// The report's fixed time stamp.
pub const GENERATED_AT: &str = "2026-11-26T00:00:00Z";

/// The price catalogue the worker fetches.
pub static CATALOGUE: &[u8] = include_bytes!("../../core/data/catalogue.bin");

/// Phase timer over a host clock in milliseconds.
struct Phases<'c> {
    clock: &'c dyn Fn() -> f64,
    last: f64,
    list: Vec<(&'static str, f64)>,
}

impl Phases<'_> {
    fn mark(&mut self, name: &'static str) {
        let now = (self.clock)();
        self.list.push((name, now - self.last));
        self.last = now;
    }
}

/// Runs the worker's compute path on `bytes` (one snapshot) and returns what it measured: the
/// phases in milliseconds (`copy` is measured by the caller and passed as `copy_ms`), counts
/// and the reply's size. `clock` gives milliseconds.
pub fn analyse(
    bytes: &[u8],
    copy_ms: f64,
    clock: &dyn Fn() -> f64,
) -> Result<serde_json::Value, String> {
    let start = clock();
    let mut p = Phases {
        clock,
        last: start,
        list: vec![("copy", copy_ms)],
    };
    let job = Job {
        inputs: vec![JobInput {
            name: "paste",
            bytes,
            role: Role::Auto,
        }],
        options: Default::default(),
        catalogue: CatalogueSource::Fetch("catalogue.bin".to_owned()),
        vantage: None,
        prometheus: None,
        generated_at: GENERATED_AT.to_owned(),
        shell: Shell::Browser,
        clusters: kube_rightsize_core::pipeline::Clusters::One,
    };
    let mut pipeline = Pipeline::new(job);
    let now = Now {
        ms: 0.0,
        unix_seconds: 0,
    };
    let mut answer = None;
    let outcome = loop {
        match pipeline.next_step(now) {
            Step::Progress(pr) => match pr.stage {
                Stage::Reading => p.mark("catalogue"),
                Stage::Analysing => p.mark("ingest"),
                Stage::Repacking => p.mark("analyze"),
                Stage::Report => p.mark("repack"),
                _ => {}
            },
            Step::Fetch(f) => answer = Some(f.id),
            Step::Pending => {
                let id = answer.take().ok_or("the pipeline waits for nothing")?;
                pipeline.receive(
                    id,
                    now,
                    Ok(Response {
                        status: 200,
                        headers: Vec::new(),
                        body: CATALOGUE.to_vec(),
                    }),
                );
            }
            Step::Done(o) => break o,
            Step::Failed(f) => return Err(f.to_string()),
            Step::Wait { .. } => return Err("nothing to wait for".to_owned()),
        }
    };
    p.mark("finish");
    let (nodes, pods) = (
        outcome.analysis.cluster.nodes.len(),
        outcome.analysis.cluster.pods.len(),
    );
    let catalogue: Option<Arc<_>> = outcome.catalogue.clone();
    let reply = outcome.into_reply(Vec::new());
    let text = serde_json::to_string(&reply).map_err(|e| e.to_string())?;
    p.mark("reply");
    drop(reply);
    drop(catalogue);
    p.mark("drop");
    let total: f64 = p.list.iter().map(|(_, ms)| ms).sum();
    Ok(json!({
        "input_bytes": bytes.len(),
        "nodes": nodes,
        "pods": pods,
        "reply_bytes": text.len(),
        "total_ms": total,
        "phases": p.list.iter().map(|(n, ms)| json!([n, ms])).collect::<Vec<_>>(),
    }))
}

/// Ingests `bytes` (one snapshot) and returns its pod count (0 when it cannot be read).
pub fn ingest_only(bytes: &[u8]) -> usize {
    let settings = Settings::default();
    ingest_with(&[Input::new("warm-up", bytes)], &settings.ingest).map_or(0, |c| c.pods.len())
}

/// Feeds the core's streaming reader as the worker feeds a picked file's `Blob` slices: `next`
/// fills the buffer with the next slice (false at the end). Returns the pods read (0 when the
/// input cannot be read).
pub fn stream_ingest(next: &mut dyn FnMut(&mut Vec<u8>) -> bool) -> usize {
    let settings = Settings::default();
    let mut reader = kube_rightsize_core::ingest::StreamIngest::new("stream", &settings.ingest);
    let mut buf = Vec::new();
    while next(&mut buf) {
        reader.feed(&buf);
    }
    reader.finish().map_or(0, |r| r.facts().pod_nodes.len())
}

/// krs-bench's floor parse (the analysis' least typed view), shared by path.
#[cfg(feature = "parsers")]
#[path = "../../bench/src/floor.rs"]
#[allow(dead_code)]
mod floor;

/// The floor parse of `bytes` with parser `which` (0 serde_json, 1 sonic-rs, 2 simd-json, which
/// parses in place); returns the pods counted (0 when the bytes do not parse).
#[cfg(feature = "parsers")]
pub fn parse_with(which: u32, bytes: &mut [u8]) -> usize {
    let counts = match which {
        0 => floor::parse(bytes).ok(),
        1 => floor::parse_sonic(bytes).ok(),
        _ => floor::parse_simd_json(bytes).ok(),
    };
    counts.map_or(0, |c| c.pods)
}

/// The wasm side: what `bench.mjs` and `chromium.html` call.
#[cfg(target_arch = "wasm32")]
mod web {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance, js_name = now)]
        fn performance_now() -> f64;
    }

    /// Copies `input` into wasm memory (as the worker does) and runs [`super::analyse`].
    #[wasm_bindgen]
    pub fn analyse(input: &js_sys::Uint8Array) -> Result<String, String> {
        let start = performance_now();
        let bytes = input.to_vec();
        let copy_ms = performance_now() - start;
        super::analyse(&bytes, copy_ms, &performance_now).map(|v| v.to_string())
    }

    /// Ingests `input` only (no catalogue, no analysis, no reply): a cheaper warm-up than
    /// [`analyse`] on a small snapshot; returns its pod count.
    #[wasm_bindgen]
    pub fn warm_ingest(input: &[u8]) -> usize {
        super::ingest_only(input)
    }

    /// [`super::stream_ingest`] on `input` in slices of `chunk_mib` MiB, each copied into wasm
    /// memory first as the worker copies a `Blob` slice; returns `[pods, ms]`.
    #[wasm_bindgen]
    pub fn stream_ingest(input: &js_sys::Uint8Array, chunk_mib: u32) -> Vec<f64> {
        let start = performance_now();
        let size = input.length();
        let step = chunk_mib * 1024 * 1024;
        let mut at = 0;
        let pods = super::stream_ingest(&mut |buf| {
            if at >= size {
                return false;
            }
            let end = (at + step).min(size);
            buf.resize((end - at) as usize, 0);
            input.subarray(at, end).copy_to(buf);
            at = end;
            true
        });
        vec![pods as f64, performance_now() - start]
    }

    /// Grows the heap by allocating and freeing `mib` MiB (the allocator keeps the pages), to
    /// see what growing wasm memory during the analysis costs.
    #[wasm_bindgen]
    pub fn reserve(mib: u32) -> f64 {
        let start = performance_now();
        let v: Vec<u8> = Vec::with_capacity(mib as usize * 1024 * 1024);
        drop(std::hint::black_box(v));
        performance_now() - start
    }

    /// [`super::parse_with`] on a copy of `input` in wasm memory; returns `[pods, parse ms]`
    /// (the copy is not timed).
    #[cfg(feature = "parsers")]
    #[wasm_bindgen]
    pub fn parse_with(which: u32, input: &js_sys::Uint8Array) -> Vec<f64> {
        let mut bytes = input.to_vec();
        let start = performance_now();
        let pods = super::parse_with(which, &mut bytes);
        vec![pods as f64, performance_now() - start]
    }

    /// Bytes of wasm memory.
    #[wasm_bindgen]
    pub fn memory_bytes() -> f64 {
        (core::arch::wasm32::memory_size(0) * 65536) as f64
    }
}
