//! `cargo xtask fuzz`: runs every cargo-fuzz target of `fuzz/` for a bounded time.
//!
//! ```text
//! cargo xtask fuzz [--seconds N] [--target NAME]...
//! ```
//!
//! Installs what is missing first (the nightly toolchain through rustup, `cargo-fuzz`), builds the
//! targets once (release, debug assertions and overflow checks on, no sanitizer: the core has no
//! `unsafe`), then runs each target for N seconds from the committed seeds (`fuzz/seeds/<target>`)
//! plus the corpus grown by earlier runs (`target/fuzz/corpus/<target>`, not committed). A crash,
//! a panic, an input slower than [`TIMEOUT_SECONDS`] or more than [`RSS_LIMIT_MB`] of memory
//! fails the run; the input is saved under `target/fuzz/artifacts/<target>/`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::run;

/// Every target in `fuzz/Cargo.toml`, in the order they run.
pub const TARGETS: [&str; 10] = [
    "quantity",
    "snapshot",
    "stream",
    "krr",
    "usage",
    "prices",
    "prometheus",
    "vantage",
    "analysis",
    "reports",
];

/// One input taking longer than this (seconds) is reported as a hang.
pub const TIMEOUT_SECONDS: u32 = 10;
/// One input using more memory than this (MB) is reported as a failure.
pub const RSS_LIMIT_MB: u32 = 2048;

/// The toolchain cargo-fuzz runs on (`KRS_FUZZ_TOOLCHAIN` overrides it, e.g. a dated nightly).
fn toolchain() -> String {
    std::env::var("KRS_FUZZ_TOOLCHAIN").unwrap_or_else(|_| "nightly".to_owned())
}

/// What one target's run did, from libFuzzer's final statistics.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunStats {
    /// Inputs executed.
    pub execs: u64,
    /// Coverage (libFuzzer's `cov:`, covered edges) at the end.
    pub coverage: u64,
    /// Features (`ft:`) at the end.
    pub features: u64,
    /// Corpus size at the end.
    pub corpus: u64,
    /// Peak memory, MB.
    pub peak_rss_mb: u64,
}

/// `cargo xtask fuzz [--seconds N] [--target NAME]...`.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let mut seconds = 60u64;
    let mut targets: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => {
                let v = it.next().context("--seconds takes a number of seconds")?;
                seconds = v
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .with_context(|| format!("--seconds `{v}`: a positive whole number"))?;
            }
            "--target" => {
                let v = it.next().context("--target takes a target name")?;
                if !TARGETS.contains(&v.as_str()) {
                    bail!(
                        "unknown fuzz target `{v}`; the targets: {}",
                        TARGETS.join(", ")
                    );
                }
                targets.push(v.clone());
            }
            "-h" | "--help" => {
                println!(
                    "usage: cargo xtask fuzz [--seconds N] [--target NAME]...\n\n\
                     Runs every fuzz target (or the named ones) N seconds each (default 60).\n\
                     targets: {}",
                    TARGETS.join(", ")
                );
                return Ok(());
            }
            other => bail!("unknown option `{other}` (cargo xtask fuzz --help)"),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| (*t).to_owned()).collect();
    }
    fuzz(root, seconds, &targets).map(|_| ())
}

/// Installs the tools, builds the targets and runs each `seconds` seconds; prints a summary and
/// returns each target's statistics. Fails on the first target that finds a problem.
pub fn fuzz(root: &Path, seconds: u64, targets: &[String]) -> Result<Vec<(String, RunStats)>> {
    ensure_tools()?;
    let toolchain = toolchain();
    let fuzz_dir = root.join("fuzz");
    let target_dir = root.join("target/fuzz");
    let started = Instant::now();
    run::status(
        cargo_fuzz(&toolchain, &fuzz_dir)
            .args(["build", "-O", "--debug-assertions", "--sanitizer", "none"])
            .arg("--target-dir")
            .arg(&target_dir),
    )?;
    println!(
        "xtask: fuzz targets built in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let mut all = Vec::new();
    for target in targets {
        let corpus = target_dir.join("corpus").join(target);
        let artifacts = target_dir.join("artifacts").join(target);
        let seeds = fuzz_dir.join("seeds").join(target);
        std::fs::create_dir_all(&corpus)?;
        std::fs::create_dir_all(&artifacts)?;
        println!("\n==> fuzz {target} for {seconds} s");
        let mut cmd = cargo_fuzz(&toolchain, &fuzz_dir);
        cmd.args([
            "run",
            target,
            "-O",
            "--debug-assertions",
            "--sanitizer",
            "none",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .arg(&corpus)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={TIMEOUT_SECONDS}"))
        .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg("-print_final_stats=1")
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped());
        let output = cmd
            .spawn()
            .and_then(|c| c.wait_with_output())
            .with_context(|| format!("cannot run the fuzz target `{target}`"))?;
        let log = String::from_utf8_lossy(&output.stderr);
        let stats = parse_stats(&log);
        if !output.status.success() {
            // The whole log only when something went wrong: it holds the panic and the input.
            eprintln!("{log}");
            bail!(
                "fuzz target `{target}` found a problem ({}); the input is in {}\n  \
                 reproduce: cd fuzz && cargo +{toolchain} fuzz run {target} -O --debug-assertions --sanitizer none --target-dir ../target/fuzz <input>",
                output.status,
                artifacts.display()
            );
        }
        println!(
            "==> {target}: {} execs, cov {}, ft {}, corpus {}, peak {} MB",
            stats.execs, stats.coverage, stats.features, stats.corpus, stats.peak_rss_mb
        );
        all.push((target.clone(), stats));
    }
    println!("\n==> fuzzing: {seconds} s per target, no crash");
    println!(
        "    {:<12} {:>12} {:>8} {:>8} {:>8} {:>8}",
        "target", "execs", "cov", "ft", "corpus", "rss MB"
    );
    for (t, s) in &all {
        println!(
            "    {:<12} {:>12} {:>8} {:>8} {:>8} {:>8}",
            t, s.execs, s.coverage, s.features, s.corpus, s.peak_rss_mb
        );
    }
    Ok(all)
}

fn cargo_fuzz(toolchain: &str, fuzz_dir: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg(format!("+{toolchain}"))
        .arg("fuzz")
        .current_dir(fuzz_dir);
    cmd
}

/// The nightly toolchain (rustup) and cargo-fuzz, installed when missing.
pub fn ensure_tools() -> Result<()> {
    let toolchain = toolchain();
    let installed = run::capture(Command::new("rustup").args(["toolchain", "list"]))
        .context("cannot run `rustup`: fuzzing needs a rustup-managed Rust toolchain")?;
    let have = installed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .any(|name| name == toolchain || name.starts_with(&format!("{toolchain}-")));
    if !have {
        println!(
            "xtask: installing the {toolchain} toolchain with rustup (cargo-fuzz needs nightly's \
             sanitizer-coverage flags; minimal profile, about a minute)"
        );
        run::status(Command::new("rustup").args([
            "toolchain",
            "install",
            &toolchain,
            "--profile",
            "minimal",
        ]))?;
    }
    let found = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        println!(
            "xtask: installing cargo-fuzz (it builds and runs the fuzz targets; under a minute)"
        );
        run::status(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

/// Reads libFuzzer's stderr: `stat::` lines from `-print_final_stats=1` and the last `#N ...
/// cov: C ft: F corp: K/...` status line.
pub fn parse_stats(log: &str) -> RunStats {
    let mut s = RunStats::default();
    for line in log.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("stat::number_of_executed_units:") {
            s.execs = rest.trim().parse().unwrap_or(s.execs);
        } else if let Some(rest) = line.strip_prefix("stat::peak_rss_mb:") {
            s.peak_rss_mb = rest.trim().parse().unwrap_or(s.peak_rss_mb);
        } else if line.starts_with('#') {
            let words: Vec<&str> = line.split_whitespace().collect();
            let after = |key: &str| {
                words
                    .iter()
                    .position(|w| *w == key)
                    .and_then(|i| words.get(i + 1))
                    .and_then(|v| v.split('/').next())
                    .and_then(|v| v.parse::<u64>().ok())
            };
            if let Some(c) = after("cov:") {
                s.coverage = c;
            }
            if let Some(f) = after("ft:") {
                s.features = f;
            }
            if let Some(k) = after("corp:") {
                s.corpus = k;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzer_final_stats() {
        let log = "\
INFO: Seed: 1234
#2\tINITED cov: 812 ft: 1500 corp: 20/40Kb exec/s: 0 rss: 45Mb
#4096\tpulse  cov: 900 ft: 1700 corp: 25/44Kb lim: 4096 exec/s: 2048 rss: 60Mb
#65536\tDONE   cov: 950 ft: 1800 corp: 31/47Kb lim: 4096 exec/s: 6553 rss: 71Mb
Done 65536 runs in 10 second(s)
stat::number_of_executed_units: 65536
stat::average_exec_per_sec:     6553
stat::new_units_added:          11
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              71
";
        assert_eq!(
            parse_stats(log),
            RunStats {
                execs: 65536,
                coverage: 950,
                features: 1800,
                corpus: 31,
                peak_rss_mb: 71,
            }
        );
        assert_eq!(parse_stats(""), RunStats::default());
    }

    #[test]
    fn every_target_is_declared_and_seeded() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).expect("manifest");
        for t in TARGETS {
            assert!(
                manifest.contains(&format!("name = \"{t}\"")),
                "fuzz/Cargo.toml lacks the target {t}"
            );
            let seeds = std::fs::read_dir(root.join("fuzz/seeds").join(t))
                .unwrap_or_else(|e| panic!("fuzz/seeds/{t}: {e}"))
                .count();
            assert!(seeds > 0, "fuzz/seeds/{t} is empty");
        }
        let declared = manifest.matches("[[bin]]").count();
        assert_eq!(declared, TARGETS.len(), "a target is not in TARGETS");
    }
}
