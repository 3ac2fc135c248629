//! Developer commands for kube-rightsize (the rust-analyzer `xtask` pattern).
//!
//! ```text
//! cargo xtask serve        install what is missing, then `trunk serve --offline` on 127.0.0.1:8080
//! cargo xtask test         install what is missing, then every check CI runs
//! cargo xtask dist         release build of the web app into dist/
//! cargo xtask gen ...      deterministic synthetic cluster snapshots (see `cargo xtask gen --help`)
//! cargo xtask bench ...    native benchmarks: analysis vs serde_json floor vs jq (BENCHMARKS.md)
//! cargo xtask bench-fleet  merging 200 saved cluster reports (BENCHMARKS.md)
//! cargo xtask catalogue    regenerate the embedded price catalogue from ../shared/pricing
//! cargo xtask csp [FILE]   strict Content-Security-Policy for the built index.html (Trunk hook)
//! cargo xtask fuzz         run every cargo-fuzz target N seconds (`--seconds N`, nightly)
//! cargo xtask layers       the core's modules import only downwards (ARCHITECTURE.md, Layers)
//! ```

mod bench;
mod bootstrap;
mod catalogue;
mod csp;
mod fuzz;
mod r#gen;
mod layers;
mod run;
mod test;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve        install missing tools, then serve the app on http://127.0.0.1:8080 (trunk serve --offline)
  test         install missing tools, then run every check CI runs
               (fmt, clippy native + wasm32, native tests, browser tests, end-to-end tests)
  dist         release build of the web app into dist/
  gen          write a synthetic `kubectl get nodes,pods -A -o json` snapshot (gen --help)
  bench        native benchmarks at 1k-50k pods: analysis vs serde_json vs jq (bench --help)
  bench-fleet  merging 200 generated clusters' saved reports (--clusters N, --reps R)
  catalogue    regenerate crates/core/data/catalogue.bin from ../shared/pricing
  csp [FILE]   insert a strict Content-Security-Policy into a built index.html
               (Trunk's post_build hook runs it for release builds)
  fuzz         run every fuzz target (fuzz/) N seconds each: fuzz --seconds N [--target NAME]
  layers       check that crates/core imports only downwards, in ARCHITECTURE.md's layer order
";

fn main() {
    if let Err(err) = real_main() {
        eprintln!("xtask: error: {err:#}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    std::env::set_current_dir(&root)
        .with_context(|| format!("cannot enter the project root {}", root.display()))?;
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(());
    };
    match command.as_str() {
        "serve" => serve(&root, rest),
        "test" => test::run(&root, rest),
        "dist" => {
            let tools = bootstrap::web_tools(&root, true)?;
            run::trunk_build(&root, &tools, true)
        }
        "gen" => r#gen::run(rest),
        "csp" => csp::run(rest),
        "layers" => layers::check(&root),
        "bench" => bench::run(&root, rest),
        "bench-fleet" => bench::fleet(&root, rest),
        "fuzz" => fuzz::run(&root, rest),
        "catalogue" => {
            let shared = root.join("../shared/pricing");
            catalogue::run(&shared, &root.join("crates/core/data"))
        }
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command `{other}`\n\n{USAGE}"),
    }
}

fn serve(root: &Path, rest: &[String]) -> Result<()> {
    let release = rest.iter().any(|a| a == "--release");
    let tools = bootstrap::web_tools(root, release)?;
    println!();
    println!("kube-rightsize: serving on http://127.0.0.1:8080 (Ctrl-C to stop)");
    println!("  the first build takes a minute or two; the page reloads itself after each change.");
    println!();
    // Trunk.toml's watch list ignores dist/, and trunk serve refuses to start when an ignored
    // path does not exist (a fresh clone).
    std::fs::create_dir_all(root.join("dist")).context("cannot create dist/")?;
    let mut cmd = run::trunk(&tools);
    cmd.args(["serve", "--offline"]);
    if release {
        cmd.arg("--release");
    }
    run::status(&mut cmd)
}

/// The workspace root: the parent of this crate's directory.
fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}
