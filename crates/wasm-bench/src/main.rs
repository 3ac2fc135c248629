//! `krs-wasm-bench-native FILE`: the wasm bench's compute path ([`kube_rightsize_wasm_bench::analyse`])
//! natively, printing the same JSON line as `run.mjs` gets from the wasm module.

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let Some(file) = std::env::args().nth(1) else {
        eprintln!("usage: krs-wasm-bench-native SNAPSHOT");
        return ExitCode::FAILURE;
    };
    let origin = Instant::now();
    let clock = || origin.elapsed().as_secs_f64() * 1e3;
    // The worker copies bytes it already holds; natively the equivalent is reading the file
    // (from the page cache), timed as `copy`.
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("krs-wasm-bench-native: cannot read {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let copy_ms = clock();
    match kube_rightsize_wasm_bench::analyse(&bytes, copy_ms, &clock) {
        Ok(mut line) => {
            line["process_cpu_ms"] = cpu_ms().into();
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("krs-wasm-bench-native: {e}");
            ExitCode::FAILURE
        }
    }
}

/// CPU time this process has spent running, in ms (`/proc/self/schedstat`; Linux only): less
/// sensitive than wall time to other processes competing for the cores.
fn cpu_ms() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e6)
}
