//! The app's Patches tab on the demo with its KRR result: "Download all" gives the same patch
//! set, byte for byte, as `kube-rightsize patches` with the same inputs — the kubectl script,
//! and the kustomize set as a .zip (opened with Python's zipfile, every CRC checked).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use kube_rightsize_e2e::server::StaticServer;
use kube_rightsize_e2e::webdriver::Browser;
use kube_rightsize_e2e::{DemoFiles, dist_dir, screenshot_dir};

/// Every file under `dir`, by its `/`-separated path relative to `dir`.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// `kube-rightsize patches cluster.json --krr krr.json ARGS` in `work`; its standard output.
fn patches_cli(cli: &str, work: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(cli)
        .current_dir(work)
        .args(["patches", "cluster.json", "--krr", "krr.json"])
        .args(args)
        .output()
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn select(browser: &Browser, css: &str, value: &str) {
    browser
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1];
             e.dispatchEvent(new Event('change', {bubbles: true}));",
            serde_json::json!([css, value]),
        )
        .unwrap();
}

#[test]
fn downloads_are_the_clis_patch_sets() {
    let cli = std::env::var("KRS_CLI")
        .expect("KRS_CLI is not set: run the end-to-end tests with `cargo xtask test`");
    let files = DemoFiles::new("patches");
    let (work, downloads) = (&files.work, &files.downloads);
    let server = StaticServer::start(&dist_dir()).expect("static server");
    let browser = Browser::start_with_options(&[], Some(downloads)).expect("headless Chromium");
    browser.goto(&server.url()).unwrap();
    files.analyze_in(&browser);
    browser
        .click(&browser.find("#tab-patches").unwrap())
        .unwrap();
    browser
        .wait_for("#patch-list", Duration::from_secs(10))
        .expect("patches tab");
    // Open the first patch, for the README's screenshot.
    browser
        .execute(
            "const d = document.querySelector('#patch-list .patch-details'); if (d) d.open = true;
             document.querySelector('#patches').scrollIntoView();",
            serde_json::json!([]),
        )
        .unwrap();
    browser
        .screenshot(&screenshot_dir().join("06-patches.png"))
        .unwrap();

    // kubectl: the script, as the CLI prints it.
    select(&browser, "#patch-format", "kubectl");
    browser
        .click(&browser.find("#patch-download").unwrap())
        .unwrap();
    let script = patches_cli(&cli, work, &[]);
    assert!(script.starts_with(b"#!/bin/sh\n"));
    // Chromium holds a downloaded shell script for the user to keep ("Unconfirmed
    // N.crdownload" until then, its bytes complete); either file must be the CLI's script.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let candidates: Vec<PathBuf> = std::fs::read_dir(downloads)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        let same = candidates
            .iter()
            .any(|p| std::fs::read(p).is_ok_and(|b| b == script));
        if same {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no download is the CLI's patches.sh: {candidates:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    for f in std::fs::read_dir(downloads).unwrap().flatten() {
        let _ = std::fs::remove_file(f.path());
    }

    // kustomize: the .zip holds the files the CLI writes.
    select(&browser, "#patch-format", "kustomize");
    browser
        .click(&browser.find("#patch-download").unwrap())
        .unwrap();
    let zip = files.wait_for_download("zip");
    let unzipped = work.join("unzipped");
    let py = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nz.extractall(sys.argv[2])",
        ])
        .arg(&zip)
        .arg(&unzipped)
        .output()
        .expect("python3 runs");
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let written = work.join("cli-kustomize");
    patches_cli(
        &cli,
        work,
        &["-f", "kustomize", "-o", &written.display().to_string()],
    );
    let (app, cli_files) = (tree(&unzipped), tree(&written));
    assert!(
        app.contains_key("kustomization.yaml") && app.len() > 10,
        "{:?}",
        app.keys()
    );
    assert_eq!(
        app.keys().collect::<Vec<_>>(),
        cli_files.keys().collect::<Vec<_>>()
    );
    assert!(app == cli_files, "the zip's files differ from the CLI's");
}
