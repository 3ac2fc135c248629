//! End-to-end test support for kube-rightsize: a static file server for the built app (`dist/`),
//! a minimal WebDriver client that drives headless Chromium through chromedriver, and helpers the
//! tests in `tests/` share.
//!
//! Why a hand-written WebDriver client: the handful of W3C WebDriver commands the tests need
//! (session, navigate, find, click, text, execute, screenshot) are plain JSON over HTTP; a blocking
//! client on `ureq` keeps the dependency tree small (no async runtime) and the failures readable.
//! See ARCHITECTURE.md.

pub mod server;
pub mod trunk;
pub mod webdriver;

use std::path::PathBuf;

/// The built app directory, from `KRS_DIST` (set by `cargo xtask test`).
///
/// # Panics
/// When `KRS_DIST` is unset or has no `index.html`: run the tests through `cargo xtask test`.
pub fn dist_dir() -> PathBuf {
    let dir = std::env::var_os("KRS_DIST").map(PathBuf::from).expect(
        "KRS_DIST is not set: run the end-to-end tests with `cargo xtask test` (it builds dist/ first)",
    );
    assert!(
        dir.join("index.html").is_file(),
        "{} has no index.html: build the app with `trunk build --offline` (cargo xtask test does)",
        dir.display()
    );
    dir
}

/// Where screenshots go (`KRS_E2E_OUT`, default `target/e2e`).
pub fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("KRS_E2E_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e"));
    let _ = std::fs::create_dir_all(&dir);
    dir
}
