//! `krs-wasm-bench-native FILE`: the wasm bench's compute path ([`kube_rightsize_wasm_bench::analyse`])
//! natively, printing the same JSON line as `run.mjs` gets from the wasm module.
//!
//! `krs-wasm-bench-native FILE --stream=MIB`: the streaming ingest alone, the file read in
//! MIB-MiB slices as the worker reads a picked file (`bench.mjs stream` in wasm);
//! `krs-wasm-bench-native FILE --whole`: the whole-input ingest of the file read first.

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let Some(file) = std::env::args().nth(1) else {
        eprintln!("usage: krs-wasm-bench-native SNAPSHOT");
        return ExitCode::FAILURE;
    };
    if let Some(mib) = std::env::args()
        .nth(2)
        .and_then(|a| a.strip_prefix("--stream=").map(str::to_owned))
    {
        let step: usize = mib.parse::<usize>().unwrap_or(16) << 20;
        let mut f = std::fs::File::open(&file).expect("open");
        let start = Instant::now();
        let pods = kube_rightsize_wasm_bench::stream_ingest(&mut |buf| {
            use std::io::Read;
            buf.resize(step, 0);
            let mut n = 0;
            while n < step {
                match f.read(&mut buf[n..]) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(e) => panic!("{e}"),
                }
            }
            buf.truncate(n);
            n > 0
        });
        println!(
            "{{\"pods\":{pods},\"ms\":{},\"cpu_ms\":{:?}}}",
            start.elapsed().as_secs_f64() * 1e3,
            cpu_ms()
        );
        return ExitCode::SUCCESS;
    }
    if std::env::args().nth(2).as_deref() == Some("--whole") {
        let bytes = std::fs::read(&file).expect("read");
        let c0 = cpu_ms();
        let start = Instant::now();
        let pods = kube_rightsize_wasm_bench::ingest_only(&bytes);
        println!(
            "{{\"pods\":{pods},\"ms\":{},\"cpu_ms\":{:?}}}",
            start.elapsed().as_secs_f64() * 1e3,
            cpu_ms().zip(c0).map(|(a, b)| a - b)
        );
        return ExitCode::SUCCESS;
    }
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
