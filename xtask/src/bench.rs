//! `cargo xtask bench`: the native benchmarks of BENCHMARKS.md in one command.
//!
//! 1. Generates the snapshots (`cargo xtask gen --nodes P/25 --pods P --seed S`) into
//!    `target/bench/` unless they are already there (the generator is deterministic).
//! 2. Builds `kube-rightsize` and `krs-bench` with `cargo build --release` (the profile the CLI
//!    ships with; `--profile P` measures another one).
//! 3. Runs `krs-bench run` on every snapshot (each measurement in a child process, repeated,
//!    interleaved: serde_json floor, analysis, analysis + reports, jq, the CLI), then
//!    `krs-bench vantage` on the committed demo cluster.
//!
//! ```text
//! cargo xtask bench                       1k, 10k, 30k and 50k pods, 5 repetitions
//! cargo xtask bench --sizes 1000,10000 --reps 3
//! ```

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask bench [--sizes P1,P2,...] [--reps N] [--seed S] [--profile P] [--no-jq] [--no-vantage]

  --sizes      pod counts of the generated snapshots (default 1000,10000,30000,50000;
               one node per 25 pods)
  --reps       repetitions of every measurement (default 5)
  --seed       generator seed (default 1)
  --profile    cargo profile of the measured binaries (default release, what the CLI ships with;
               CARGO_PROFILE_RELEASE_OPT_LEVEL=3 measures release at opt-level 3 instead of \"z\")
  --no-jq      leave out the jq comparison
  --no-vantage leave out the Vantage request count
Snapshots are kept in target/bench/ (regenerated only when missing); the raw samples are written
to target/bench/results-PROFILE.json.";

struct Options {
    sizes: Vec<u64>,
    reps: u32,
    seed: u64,
    profile: String,
    jq: bool,
    vantage: bool,
}

fn parse_args(args: &[String]) -> Result<Option<Options>> {
    let mut o = Options {
        sizes: vec![1_000, 10_000, 30_000, 50_000],
        reps: 5,
        seed: 1,
        profile: "release".to_owned(),
        jq: true,
        vantage: true,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .with_context(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        match a.as_str() {
            "--sizes" => {
                o.sizes = value("--sizes")?
                    .split(',')
                    .map(|s| s.trim().parse::<u64>())
                    .collect::<Result<_, _>>()
                    .context("--sizes expects pod counts separated by commas")?;
                if o.sizes.contains(&0) || o.sizes.is_empty() {
                    bail!("--sizes expects positive pod counts");
                }
            }
            "--reps" => {
                o.reps = value("--reps")?
                    .parse()
                    .context("--reps expects a positive integer")?;
                if o.reps == 0 {
                    bail!("--reps expects a positive integer");
                }
            }
            "--seed" => {
                o.seed = value("--seed")?
                    .parse()
                    .context("--seed expects an integer")?
            }
            "--profile" => o.profile = value("--profile")?,
            "--no-jq" => o.jq = false,
            "--no-vantage" => o.vantage = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    Ok(Some(o))
}

/// Nodes for a pod count: about 25 pods a node (at least 3), like a busy EKS cluster.
fn nodes_for(pods: u64) -> u64 {
    (pods / 25).max(3)
}

/// Runs `cargo xtask bench` from the project root.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let Some(o) = parse_args(args)? else {
        return Ok(());
    };
    let target = crate::run::target_dir(root);
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;

    let mut files = Vec::new();
    for &pods in &o.sizes {
        let nodes = nodes_for(pods);
        let file = dir.join(format!("gen-{pods}p-{nodes}n-s{}.json", o.seed));
        if !file.is_file() {
            eprintln!("xtask bench: generating {}", file.display());
            // Write to a temporary name first so that an interrupted run leaves no half file.
            let partial = file.with_extension("json.partial");
            crate::r#gen::run(&[
                "--nodes".into(),
                nodes.to_string(),
                "--pods".into(),
                pods.to_string(),
                "--seed".into(),
                o.seed.to_string(),
                "--out".into(),
                partial.display().to_string(),
            ])?;
            std::fs::rename(&partial, &file)
                .with_context(|| format!("renaming {}", partial.display()))?;
        }
        files.push(file);
    }

    crate::run::status(Command::new("cargo").args([
        "build",
        "--profile",
        &o.profile,
        "-p",
        "kube-rightsize",
        "-p",
        "kube-rightsize-bench",
    ]))?;
    // Cargo puts the `dev` profile in `debug/`, every other profile in a directory of its name.
    let out = target.join(if o.profile == "dev" {
        "debug"
    } else {
        &o.profile
    });
    let bench = out.join("krs-bench");
    let cli = out.join("kube-rightsize");

    let mut cmd = Command::new(&bench);
    cmd.args(["run", "--reps", &o.reps.to_string(), "--cli"])
        .arg(&cli)
        .arg("--json")
        .arg(dir.join(format!("results-{}.json", o.profile)));
    if !o.jq {
        cmd.arg("--no-jq");
    }
    cmd.args(&files);
    crate::run::status(&mut cmd)?;
    if o.vantage {
        crate::run::status(
            Command::new(&bench)
                .args(["vantage", "--cli"])
                .arg(&cli)
                .arg(root.join("static/demo/cluster.json")),
        )?;
    }
    Ok(())
}

/// Clusters of the fleet benchmark by default.
const FLEET_CLUSTERS: usize = 200;

/// The pods of cluster `i` of the fleet benchmark: 20 to 499, spread deterministically, so that
/// the fleet mixes small and medium clusters (about 260 pods on average).
fn fleet_pods(i: usize) -> u64 {
    20 + (i as u64 * 37) % 480
}

/// `cargo xtask bench-fleet [--clusters N] [--reps R]`: generates N clusters (each with a KRR
/// result, so their reports carry recommendations and patches), analyses each with the release
/// CLI into a saved JSON report (`target/bench/fleet/`, kept; the snapshots are deleted), then
/// runs `krs-bench fleet` on the first N/4, N/2 and N reports.
pub fn fleet(root: &Path, args: &[String]) -> Result<()> {
    let mut clusters = FLEET_CLUSTERS;
    let mut reps = 3usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<usize> {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|n: &usize| *n > 0)
                .with_context(|| format!("{name} expects a positive integer"))
        };
        match a.as_str() {
            "--clusters" => clusters = number("--clusters")?,
            "--reps" => reps = number("--reps")?,
            other => bail!(
                "unknown argument {other:?}\n\nusage: cargo xtask bench-fleet [--clusters N] [--reps R]"
            ),
        }
    }
    let target = crate::run::target_dir(root);
    let dir = target.join("bench/fleet");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    crate::run::status(Command::new("cargo").args([
        "build",
        "--release",
        "-p",
        "kube-rightsize",
        "-p",
        "kube-rightsize-bench",
    ]))?;
    let cli = target.join("release/kube-rightsize");
    let bench = target.join("release/krs-bench");
    let mut reports = Vec::new();
    for i in 0..clusters {
        let pods = fleet_pods(i);
        let report = dir.join(format!("c{i:03}-{pods}p.json"));
        if !report.is_file() {
            let snapshot = dir.join("snapshot.json");
            let krr = dir.join("krr.json");
            crate::r#gen::run(&[
                "--nodes".into(),
                nodes_for(pods).to_string(),
                "--pods".into(),
                pods.to_string(),
                "--seed".into(),
                (i + 1).to_string(),
                "--out".into(),
                snapshot.display().to_string(),
                "--krr".into(),
                krr.display().to_string(),
            ])?;
            crate::run::status(
                Command::new(&cli)
                    .arg("analyze")
                    .arg(&snapshot)
                    .arg("--krr")
                    .arg(&krr)
                    .args(["--format", "json", "--cluster-name", &format!("c{i:03}")])
                    .args(["--generated-at", "2026-11-26T00:00:00Z", "-o"])
                    .arg(&report),
            )?;
            let _ = std::fs::remove_file(&snapshot);
            let _ = std::fs::remove_file(&krr);
        }
        reports.push(report);
    }
    let sizes: Vec<String> = [clusters / 4, clusters / 2, clusters]
        .iter()
        .filter(|k| **k > 0)
        .map(ToString::to_string)
        .collect();
    crate::run::status(
        Command::new(&bench)
            .args([
                "fleet",
                "--reps",
                &reps.to_string(),
                "--sizes",
                &sizes.join(","),
            ])
            .args(&reports),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn arguments() {
        let o = parse_args(&[]).unwrap().unwrap();
        assert_eq!(o.sizes, [1_000, 10_000, 30_000, 50_000]);
        assert_eq!((o.reps, o.seed, o.jq, o.vantage), (5, 1, true, true));
        let o = parse_args(&args(
            "--sizes 20,300 --reps 1 --seed 9 --no-jq --no-vantage",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(o.sizes, [20, 300]);
        assert_eq!((o.reps, o.seed, o.jq, o.vantage), (1, 9, false, false));
        assert!(parse_args(&args("--help")).unwrap().is_none());
        for bad in ["--sizes 0", "--sizes x", "--reps 0", "--reps", "--what"] {
            assert!(parse_args(&args(bad)).is_err(), "{bad}");
        }
        assert_eq!(nodes_for(20), 3);
        assert_eq!(nodes_for(30_000), 1_200);
    }
}
