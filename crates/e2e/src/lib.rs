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

/// Picks `paths` with the app's file picker, waits until each is an input chip, and clicks
/// Analyze (the caller waits for what it expects to see).
pub fn pick_and_analyze(browser: &webdriver::Browser, paths: &[&std::path::Path]) {
    use std::time::{Duration, Instant};
    let picker = browser
        .wait_for("#file-picker", Duration::from_secs(30))
        .expect("file picker");
    let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    browser
        .send_keys(&picker, &list.join("\n"))
        .expect("pick files");
    let deadline = Instant::now() + Duration::from_secs(30);
    while browser.find_all(".chip").expect("chips").len() < paths.len() {
        assert!(Instant::now() < deadline, "every file becomes a chip");
        std::thread::sleep(Duration::from_millis(100));
    }
    browser
        .click(&browser.find("#analyze").expect("Analyze"))
        .expect("click Analyze");
}

/// The demo cluster and its KRR result copied into a scratch directory, with a downloads
/// directory for the browser: what the export tests give the app and the CLI alike.
pub struct DemoFiles {
    /// The scratch directory: `cluster.json`, `krr.json`, `downloads/`.
    pub work: PathBuf,
    /// Where the browser saves downloads.
    pub downloads: PathBuf,
}

impl DemoFiles {
    /// A fresh scratch directory named after `tag` and the process.
    pub fn new(tag: &str) -> DemoFiles {
        let work = std::env::temp_dir().join(format!("krs-e2e-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        let downloads = work.join("downloads");
        std::fs::create_dir_all(&downloads).expect("scratch directory");
        let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../static/demo");
        for f in ["cluster.json", "krr.json"] {
            std::fs::copy(demo.join(f), work.join(f)).expect("demo file");
        }
        DemoFiles { work, downloads }
    }

    /// Picks both files in the app `browser` shows, clicks Analyze and waits for the report.
    pub fn analyze_in(&self, browser: &webdriver::Browser) {
        pick_and_analyze(
            browser,
            &[&self.work.join("cluster.json"), &self.work.join("krr.json")],
        );
        browser
            .wait_for("#summary", std::time::Duration::from_secs(60))
            .expect("report");
    }

    /// The first download with extension `ext`, waiting up to 30 s for it.
    pub fn wait_for_download(&self, ext: &str) -> PathBuf {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let seen: Vec<PathBuf> = std::fs::read_dir(&self.downloads)
                .expect("downloads")
                .flatten()
                .map(|e| e.path())
                .collect();
            if let Some(f) = seen
                .iter()
                .find(|p| p.extension().is_some_and(|x| x == ext))
            {
                return f.clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no .{ext} download in {}: {seen:?}",
                self.downloads.display()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for DemoFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.work);
    }
}
