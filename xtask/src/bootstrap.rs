//! Installs the tools the web build and the browser tests need, when they are missing or at the
//! wrong version. Every step says what it installs and why, and does nothing when the tool is
//! already right (idempotent).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::run;

/// The Trunk release the project is built with (0.22 needs a newer rustc than 1.95).
pub const TRUNK_VERSION: &str = "0.21.14";
/// The npm `binaryen` release that provides `wasm-opt` for release builds.
pub const BINARYEN_VERSION: &str = "132.0.0";
/// The wasm target.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where the tools live, for commands that need them on `PATH`.
#[derive(Debug, Clone, Default)]
pub struct Tools {
    /// Directories to put in front of `PATH` (e.g. the npm `wasm-opt`).
    pub path_prefix: Vec<PathBuf>,
}

impl Tools {
    /// `PATH` with this tool set's directories in front.
    pub fn path_env(&self) -> std::ffi::OsString {
        let mut parts: Vec<PathBuf> = self.path_prefix.clone();
        if let Some(path) = std::env::var_os("PATH") {
            parts.extend(std::env::split_paths(&path));
        }
        std::env::join_paths(parts).unwrap_or_default()
    }
}

/// The wasm target, Trunk, the wasm-bindgen CLI matching Cargo.lock, and (for release builds)
/// wasm-opt.
pub fn web_tools(root: &Path, release: bool) -> Result<Tools> {
    ensure_wasm_target()?;
    ensure_trunk()?;
    ensure_wasm_bindgen(root)?;
    let mut tools = Tools::default();
    if release {
        tools.path_prefix.push(ensure_wasm_opt(root)?);
    }
    Ok(tools)
}

fn ensure_wasm_target() -> Result<()> {
    let installed = run::capture(Command::new("rustup").args(["target", "list", "--installed"]))
        .context("cannot run `rustup`: kube-rightsize needs a rustup-managed Rust toolchain")?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    println!("xtask: installing the {WASM_TARGET} target (the web app compiles to WebAssembly)");
    run::status(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// The first line of `<tool> --version`, or `None` when the tool is missing.
fn tool_version(tool: &str) -> Option<String> {
    let out = Command::new(tool).arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string(),
    )
}

fn ensure_trunk() -> Result<()> {
    let want = format!("trunk {TRUNK_VERSION}");
    match tool_version("trunk") {
        Some(v) if v == want => return Ok(()),
        Some(v) => println!(
            "xtask: installing trunk {TRUNK_VERSION} (found `{v}`, the build needs {TRUNK_VERSION})"
        ),
        None => println!(
            "xtask: installing trunk {TRUNK_VERSION} (not found; it builds and serves the web app; ~6 minutes)"
        ),
    }
    run::status(Command::new("cargo").args([
        "install",
        "trunk",
        "--version",
        TRUNK_VERSION,
        "--locked",
    ]))
}

/// The `wasm-bindgen` version recorded in Cargo.lock.
pub fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).context("cannot read Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen entry")
}

fn ensure_wasm_bindgen(root: &Path) -> Result<()> {
    let version = locked_wasm_bindgen(root)?;
    let want = format!("wasm-bindgen {version}");
    match tool_version("wasm-bindgen") {
        Some(v) if v == want => return Ok(()),
        Some(v) => println!(
            "xtask: installing wasm-bindgen-cli {version} (found `{v}`; it must equal the wasm-bindgen {version} in Cargo.lock)"
        ),
        None => println!(
            "xtask: installing wasm-bindgen-cli {version} (not found; Trunk and the browser tests need the CLI matching Cargo.lock)"
        ),
    }
    // Not `--locked`: one of its locked dependencies is no longer in the registry.
    run::status(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]))
}

/// Installs npm's `binaryen` (a `wasm-opt` that needs no download from GitHub) under
/// `target/tools/` and returns the directory holding `wasm-opt`.
fn ensure_wasm_opt(root: &Path) -> Result<PathBuf> {
    let prefix = root.join("target/tools/binaryen");
    let bin = prefix.join("node_modules/.bin");
    let marker = prefix.join("node_modules/binaryen/package.json");
    if let Ok(text) = std::fs::read_to_string(&marker)
        && text.contains(&format!("\"version\": \"{BINARYEN_VERSION}\""))
    {
        return Ok(bin);
    }
    if tool_version("npm").is_none() {
        bail!(
            "release builds need wasm-opt from npm's `binaryen` package, and npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm)"
        );
    }
    println!(
        "xtask: installing binaryen {BINARYEN_VERSION} from npm into target/tools (wasm-opt shrinks release builds)"
    );
    std::fs::create_dir_all(&prefix)?;
    run::status(
        Command::new("npm")
            .arg("install")
            .arg("--prefix")
            .arg(&prefix)
            .args([
                "--no-audit",
                "--no-fund",
                "--no-save",
                &format!("binaryen@{BINARYEN_VERSION}"),
            ]),
    )?;
    Ok(bin)
}

/// Chromium and chromedriver from Debian, for the browser tests.
pub fn ensure_chromium() -> Result<()> {
    let missing: Vec<&str> = [
        ("chromium", "chromium"),
        ("chromedriver", "chromium-driver"),
    ]
    .into_iter()
    .filter(|(bin, _)| tool_version(bin).is_none())
    .map(|(_, package)| package)
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root() {
        bail!(
            "the browser tests need the Debian packages: {list}\n  install them as root: apt-get install -y {list}"
        );
    }
    println!("xtask: installing {list} from Debian (the browser tests run in headless Chromium)");
    apt_install(&missing)
}

/// Prometheus and promtool from Debian, for the real-Prometheus integration test.
pub fn ensure_prometheus() -> Result<()> {
    if tool_version("prometheus").is_some() && tool_version("promtool").is_some() {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "the Prometheus integration test needs the Debian package: prometheus\n  install it as root: apt-get install -y prometheus"
        );
    }
    println!(
        "xtask: installing prometheus from Debian (the recommendation tests query a real Prometheus)"
    );
    apt_install(&["prometheus"])
}

/// Debian's `kubectl` (package kubernetes-client), for the patch tests (`kubectl patch --local`,
/// `kubectl kustomize`). Where the package is installed its `/usr/bin/kubectl` is used; else the
/// package is downloaded (`apt-get download`, no root needed) and unpacked under
/// `target/tools/kubernetes-client`, because installing it fails where another package owns
/// `/usr/bin/kubectl` (Google Cloud SDK's `kubectl` on these machines). Returns its path.
pub fn ensure_kubectl(root: &Path) -> Result<PathBuf> {
    let installed =
        run::capture(Command::new("dpkg-query").args(["-W", "-f=${Status}", "kubernetes-client"]))
            .is_ok_and(|s| s.contains("install ok installed"));
    if installed {
        return Ok(PathBuf::from("/usr/bin/kubectl"));
    }
    let dir = run::target_dir(root).join("tools/kubernetes-client");
    let bin = dir.join("usr/bin/kubectl");
    if bin.is_file() {
        return Ok(bin);
    }
    println!("xtask: downloading Debian's kubernetes-client (the patch tests run its kubectl)");
    let download = dir.join("download");
    std::fs::create_dir_all(&download)?;
    let fetch = || {
        run::status(Command::new("apt-get").current_dir(&download).args([
            "download",
            "-q",
            "kubernetes-client",
        ]))
    };
    if fetch().is_err() {
        if !is_root() {
            bail!(
                "cannot download Debian's kubernetes-client: run `apt-get update` as root, or install it (apt-get install kubernetes-client)"
            );
        }
        run::status(Command::new("apt-get").arg("update").arg("-q"))?;
        fetch()?;
    }
    let deb = std::fs::read_dir(&download)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .ok_or_else(|| {
            anyhow::anyhow!("apt-get download left no .deb in {}", download.display())
        })?;
    run::status(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&dir))?;
    std::fs::remove_dir_all(&download)?;
    if !bin.is_file() {
        bail!("kubernetes-client has no usr/bin/kubectl");
    }
    Ok(bin)
}

/// Installs Debian packages (as root).
pub fn apt_install(packages: &[&str]) -> Result<()> {
    run::status(Command::new("apt-get").arg("update").arg("-q"))?;
    run::status(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(packages),
    )
}

fn is_root() -> bool {
    run::capture(Command::new("id").arg("-u"))
        .map(|s| s.trim() == "0")
        .unwrap_or(false)
}
