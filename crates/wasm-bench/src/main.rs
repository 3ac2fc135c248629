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
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("krs-wasm-bench-native: {e}");
            ExitCode::FAILURE
        }
    }
}
