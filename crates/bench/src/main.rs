//! `krs-bench`: native throughput and peak memory of kube-rightsize's analysis, side by side
//! with a bare `serde_json` typed parse of the same file (the practical floor) and with `jq`
//! doing the least comparable work, plus the Vantage request count against the fake server.
//!
//! ```text
//! krs-bench run [--reps N] [--jq PATH] [--cli PATH] [--json OUT] SNAPSHOT...
//! krs-bench vantage --cli PATH SNAPSHOT
//! krs-bench fleet [--reps N] [--sizes K1,K2,...] REPORT...   (merging saved reports)
//! krs-bench one parse|analysis|report SNAPSHOT      (one measurement; used by `run`)
//! krs-bench parsers [--runs N] SNAPSHOT              (feature `parsers`: serde_json vs SIMD parsers)
//! ```
//!
//! Every measurement runs in a fresh child process, so its peak memory (`VmHWM`, the peak
//! resident set) is its own; `run` repeats each measurement and prints median and min. `cargo
//! xtask bench` generates the inputs, builds this binary in release and runs it. Benchmarks are
//! not tests: nothing here asserts a time.

mod fleet;
mod floor;
mod measure;
#[cfg(feature = "parsers")]
mod parsers;
mod run;
mod vantage;

use std::process::ExitCode;

const USAGE: &str = "\
usage: krs-bench run [--reps N] [--jq PATH|--no-jq] [--cli PATH|--no-cli] [--json OUT] SNAPSHOT...
       krs-bench vantage --cli PATH SNAPSHOT
       krs-bench fleet [--reps N] [--sizes K1,K2,...] REPORT...
       krs-bench one parse|analysis|report SNAPSHOT

run       every measurement of every SNAPSHOT, each in a child process, --reps times (default 5),
          interleaved; prints a Markdown table (median and min wall time, peak RSS) per snapshot
vantage   Vantage requests of `kube-rightsize analyze SNAPSHOT` against the fake Vantage server,
          with a cold and then a warm cache
fleet     merging the first K of the saved REPORTs for each K (`kube-rightsize merge`'s work),
          each in a child process, --reps times (default 3); a Markdown table
one       a single measurement, printed as one JSON line (what `run` starts)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("one") => measure::main(&args[1..]),
        Some("run") => run::main(&args[1..]),
        Some("vantage") => vantage::main(&args[1..]),
        Some("fleet") => fleet::main(&args[1..]),
        Some("one-fleet") => fleet::one(&args[1..]),
        #[cfg(feature = "parsers")]
        Some("parsers") => parsers::main(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("expected a command\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("krs-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Peak resident set size of this process in KiB (`VmHWM` in `/proc/self/status`; Linux only).
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU time this process has spent running, in ms (`/proc/self/schedstat`, nanoseconds; Linux
/// only). Less sensitive than wall time to other processes competing for the cores.
fn cpu_ms() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e6)
}
