//! `cargo xtask test`: every check CI runs, in order, each a named stage.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::bootstrap::{self, WASM_TARGET};
use crate::{fuzz, run};

/// Seconds each fuzz target runs in `cargo xtask test` (`KRS_FUZZ_SECONDS` overrides it).
const FUZZ_SECONDS: u64 = 10;

/// Crates that must never appear in the core's dependency tree.
const FORBIDDEN_IN_CORE: [&str; 5] = ["wasm-bindgen", "web-sys", "js-sys", "leptos", "gloo"];

struct Stages {
    timings: Vec<(String, f64)>,
}

impl Stages {
    fn stage(&mut self, name: &str, f: impl FnOnce() -> Result<()>) -> Result<()> {
        println!("\n==> {name}");
        let start = Instant::now();
        f().with_context(|| format!("stage `{name}` failed"))?;
        self.timings
            .push((name.to_string(), start.elapsed().as_secs_f64()));
        Ok(())
    }

    /// A stage that runs tests: it fails when the command fails or when it ran no test.
    fn tests(&mut self, name: &str, mut cmd: Command) -> Result<()> {
        self.stage(name, || {
            let passed = run::counted_tests(&mut cmd)?;
            if passed == 0 {
                bail!("it ran no tests: a stage that must run tests ran none");
            }
            println!("==> {name}: {passed} tests passed");
            Ok(())
        })
    }
}

/// Runs every stage; `--skip-e2e`, `--skip-browser` and `--skip-fuzz` exist for quick local
/// loops only.
pub fn run(root: &Path, args: &[String]) -> Result<()> {
    let skip_fuzz = args.iter().any(|a| a == "--skip-fuzz");
    let skip_browser = args.iter().any(|a| a == "--skip-browser");
    let skip_e2e = skip_browser || args.iter().any(|a| a == "--skip-e2e");
    let started = Instant::now();
    let mut s = Stages {
        timings: Vec::new(),
    };

    let mut tools = bootstrap::Tools::default();
    let mut kubectl = std::path::PathBuf::new();
    s.stage(
        "bootstrap: toolchain, trunk, wasm-bindgen, wasm-opt, chromium, prometheus, kubectl, nightly, cargo-fuzz",
        || {
            tools = bootstrap::web_tools(root, true)?;
            if !skip_browser {
                bootstrap::ensure_chromium()?;
            }
            if !skip_fuzz {
                fuzz::ensure_tools()?;
            }
            kubectl = bootstrap::ensure_kubectl(root)?;
            bootstrap::ensure_prometheus()
        },
    )?;

    s.stage("cargo fmt --check", || {
        run::status(Command::new("cargo").args(["fmt", "--all", "--check"]))
    })?;
    s.stage(
        "core purity: no browser crates in crates/core's dependency tree",
        core_is_pure,
    )?;
    s.stage(
        "core layers: imports only go down ARCHITECTURE.md's layers, no circles",
        || crate::layers::check(root),
    )?;
    s.stage("clippy (native)", || {
        run::status(Command::new("cargo").args([
            "clippy",
            "--workspace",
            "--exclude",
            "kube-rightsize-app",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    s.stage("clippy (wasm32)", || {
        run::status(Command::new("cargo").args([
            "clippy",
            "--target",
            WASM_TARGET,
            "-p",
            "kube-rightsize-app",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        run::status(Command::new("cargo").args([
            "clippy",
            "--target",
            WASM_TARGET,
            "-p",
            "kube-rightsize-core",
            "--lib",
            "--no-default-features",
            "--",
            "-D",
            "warnings",
        ]))
    })?;

    // A generated cluster with its KRR result, other than the demo, for the patch proof.
    let generated = run::target_dir(root).join("generated");
    std::fs::create_dir_all(&generated)?;
    let (gen_snapshot, gen_krr) = (
        generated.join("gen-40n-1500p-s7.json"),
        generated.join("gen-40n-1500p-s7-krr.json"),
    );
    if !gen_snapshot.is_file() || !gen_krr.is_file() {
        crate::r#gen::run(&[
            "--nodes".into(),
            "40".into(),
            "--pods".into(),
            "1500".into(),
            "--seed".into(),
            "7".into(),
            "--out".into(),
            gen_snapshot.display().to_string(),
            "--krr".into(),
            gen_krr.display().to_string(),
        ])?;
    }
    let mut native = Command::new("cargo");
    native
        .args([
            "test",
            "--workspace",
            "--exclude",
            "kube-rightsize-app",
            "--exclude",
            "kube-rightsize-e2e",
        ])
        // The real-Prometheus test runs (it skips only without this variable).
        .env("KRS_PROMETHEUS_TESTS", "1")
        // The patch tests' kubectl (Debian's), and a generated cluster to patch.
        .env("KRS_KUBECTL", &kubectl)
        .env("KRS_GENERATED_SNAPSHOT", &gen_snapshot)
        .env("KRS_GENERATED_KRR", &gen_krr);
    s.tests("native tests (with a real Prometheus)", native)?;

    if !skip_fuzz {
        let seconds = std::env::var("KRS_FUZZ_SECONDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(FUZZ_SECONDS);
        s.stage(
            &format!("fuzz: every target {seconds} s (cargo-fuzz, nightly)"),
            || {
                let targets: Vec<String> = fuzz::TARGETS.iter().map(|t| (*t).to_owned()).collect();
                fuzz::fuzz(root, seconds, &targets).map(|_| ())
            },
        )?;
    }

    if !skip_browser {
        let mut wasm = Command::new("cargo");
        wasm.args(["test", "--target", WASM_TARGET, "-p", "kube-rightsize-app"])
            .env("CHROMEDRIVER", which("chromedriver")?)
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                "wasm-bindgen-test-runner",
            )
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
        s.tests(
            "browser component tests (wasm-bindgen-test, headless Chromium)",
            wasm,
        )?;
    }

    if !skip_e2e {
        s.stage("trunk build --offline --release", || {
            run::trunk_build(root, &tools, true)
        })?;
        s.stage("build the CLI for the end-to-end tests", || {
            run::status(Command::new("cargo").args(["build", "-p", "kube-rightsize"]))
        })?;
        let mut e2e = Command::new("cargo");
        e2e.args(["test", "-p", "kube-rightsize-e2e", "--", "--test-threads=1"])
            .env("KRS_DIST", root.join("dist"))
            .env("KRS_E2E_OUT", run::target_dir(root).join("e2e"))
            .env(
                "KRS_CLI",
                run::target_dir(root).join("debug/kube-rightsize"),
            )
            // The app's Prometheus field runs against a real Prometheus (skips without this).
            .env("KRS_PROMETHEUS_TESTS", "1")
            .env("CHROMEDRIVER", which("chromedriver")?)
            // The Vantage tests run `trunk serve --release` (its /vantage/ proxy): trunk, and
            // wasm-opt on PATH.
            .env("KRS_TRUNK", which("trunk")?)
            .env("PATH", tools.path_env());
        s.tests("end-to-end tests (built app in headless Chromium)", e2e)?;
    }

    println!(
        "\n==> all stages passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    for (name, secs) in &s.timings {
        println!("    {secs:>7.1} s  {name}");
    }
    Ok(())
}

fn core_is_pure() -> Result<()> {
    let tree = run::capture(Command::new("cargo").args([
        "tree",
        "-p",
        "kube-rightsize-core",
        "--edges",
        "normal,build",
        "--target",
        "all",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]))?;
    let bad: Vec<&str> = tree
        .lines()
        .filter(|l| {
            let name = l.split_whitespace().next().unwrap_or_default();
            FORBIDDEN_IN_CORE
                .iter()
                .any(|f| name == *f || name.starts_with(&format!("{f}-")))
        })
        .collect();
    if !bad.is_empty() {
        bail!(
            "crates/core must stay pure, but its dependency tree contains: {}",
            bad.join(", ")
        );
    }
    println!(
        "crates/core depends on none of: {}",
        FORBIDDEN_IN_CORE.join(", ")
    );
    Ok(())
}

/// The absolute path of a program on `PATH`.
pub fn which(program: &str) -> Result<String> {
    let out = run::capture(Command::new("sh").args(["-c", &format!("command -v {program}")]))?;
    let path = out.trim();
    if path.is_empty() {
        bail!("`{program}` is not on PATH");
    }
    Ok(path.to_string())
}
