//! Running child processes: plain, captured, and test runs whose passed tests are counted.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::bootstrap::Tools;

/// Runs a command with inherited stdio; fails when it fails.
pub fn status(cmd: &mut Command) -> Result<()> {
    let shown = show(cmd);
    let st = cmd
        .status()
        .with_context(|| format!("cannot start `{shown}`"))?;
    if !st.success() {
        bail!("`{shown}` failed ({st})");
    }
    Ok(())
}

/// Runs a command and returns its stdout; fails when it fails.
pub fn capture(cmd: &mut Command) -> Result<String> {
    let shown = show(cmd);
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot start `{shown}`"))?;
    if !out.status.success() {
        bail!("`{shown}` failed ({})", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs a test command, echoing its output, and returns how many tests passed (summed over every
/// libtest / wasm-bindgen-test `test result:` line). Fails when the command fails.
pub fn counted_tests(cmd: &mut Command) -> Result<u64> {
    let shown = show(cmd);
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{shown}`"))?;
    let mut passed = 0;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap_or_default();
            println!("{line}");
            passed += passed_in(&line);
        }
    }
    let st = child.wait()?;
    if !st.success() {
        bail!("`{shown}` failed ({st})");
    }
    Ok(passed)
}

/// The `N` of a `test result: ok. N passed; ...` line, else 0.
fn passed_in(line: &str) -> u64 {
    let Some(rest) = line.trim().strip_prefix("test result: ") else {
        return 0;
    };
    rest.split(['.', ';'])
        .map(str::trim)
        .find_map(|part| part.strip_suffix(" passed"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// A `trunk` command with the tool set's `PATH`.
pub fn trunk(tools: &Tools) -> Command {
    let mut cmd = Command::new("trunk");
    cmd.env("PATH", tools.path_env());
    cmd
}

/// `trunk build --offline [--release]` into `dist/`.
pub fn trunk_build(root: &Path, tools: &Tools, release: bool) -> Result<()> {
    let mut cmd = trunk(tools);
    cmd.current_dir(root).args(["build", "--offline"]);
    if release {
        cmd.arg("--release");
    }
    status(&mut cmd)
}

fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (relative to `root`), else
/// `root/target`.
pub fn target_dir(root: &std::path::Path) -> std::path::PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

#[cfg(test)]
mod tests {
    use super::passed_in;

    #[test]
    fn counts_libtest_and_wasm_bindgen_test_lines() {
        assert_eq!(
            passed_in(
                "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s"
            ),
            12
        );
        assert_eq!(
            passed_in("test result: ok. 0 passed; 0 failed; 0 ignored"),
            0
        );
        assert_eq!(passed_in("test result: FAILED. 3 passed; 1 failed;"), 3);
        assert_eq!(passed_in("running 12 tests"), 0);
    }
}
