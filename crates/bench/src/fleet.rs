//! `krs-bench fleet`: merging saved reports, as `kube-rightsize merge` does, at several fleet
//! sizes side by side — wall time per phase and peak memory, each measurement in a child process
//! (`krs-bench one-fleet REPORT...`), so that the ratios to the reports' total size can be
//! compared across sizes in one run.
//!
//! ```text
//! krs-bench fleet [--reps N] [--sizes 50,100,200] REPORT...
//! ```
//!
//! For each size K the first K reports are merged (read, parse, merge), then rendered as the
//! fleet's JSON and HTML page.

use std::process::Command;
use std::time::Instant;

use kube_rightsize_core::report::export::ExportFormat;
use kube_rightsize_core::report::fleet::{self, read, render};
use serde_json::{Value, json};

/// `krs-bench one-fleet REPORT...`: one measurement, printed as one JSON line.
pub fn one(files: &[String]) -> Result<(), String> {
    let start = Instant::now();
    let mut last = start;
    let mut phases = Vec::new();
    let mut mark = |name: &str| {
        let now = Instant::now();
        phases.push(json!([name, now.duration_since(last).as_secs_f64() * 1e3]));
        last = now;
    };
    let mut members = Vec::new();
    let mut bytes_total = 0usize;
    for f in files {
        let bytes = std::fs::read(f).map_err(|e| format!("cannot read {f}: {e}"))?;
        bytes_total += bytes.len();
        members.extend(read::read(f, &bytes).map_err(|e| e.to_string())?);
    }
    mark("read+parse");
    let fleet = fleet::merge(members, crate::measure::GENERATED_AT);
    mark("merge");
    let export = |format| {
        render::render(
            &fleet,
            &render::FleetExport {
                format,
                anonymise_key: None,
            },
        )
    };
    let j = export(ExportFormat::Json);
    mark("json");
    let h = export(ExportFormat::Html);
    mark("html");
    let pods = fleet.totals.pods;
    drop(fleet);
    mark("drop");
    println!(
        "{}",
        json!({
            "reports": files.len(),
            "input_bytes": bytes_total,
            "pods": pods,
            "json_bytes": j.len(),
            "html_bytes": h.len(),
            "internal_ms": start.elapsed().as_secs_f64() * 1e3,
            "phases": phases,
            "peak_kib": crate::vm_hwm_kib(),
            "cpu_ms": crate::cpu_ms(),
        })
    );
    Ok(())
}

/// `krs-bench fleet [--reps N] [--sizes K1,K2,...] REPORT...`.
pub fn main(args: &[String]) -> Result<(), String> {
    let mut reps = 3usize;
    let mut sizes: Vec<usize> = Vec::new();
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--reps" => {
                reps = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--reps expects a positive integer")?;
            }
            "--sizes" => {
                sizes = it
                    .next()
                    .ok_or("--sizes needs a value")?
                    .split(',')
                    .map(|s| s.trim().parse::<usize>().map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?;
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s:?}")),
            s => files.push(s.to_owned()),
        }
    }
    if files.is_empty() {
        return Err("krs-bench fleet needs report files".to_owned());
    }
    if sizes.is_empty() {
        sizes.push(files.len());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut results: Vec<Vec<Value>> = vec![Vec::new(); sizes.len()];
    // Interleaved: every size once, then again.
    for _ in 0..reps {
        for (i, &k) in sizes.iter().enumerate() {
            let k = k.min(files.len());
            let t = Instant::now();
            let out = Command::new(&exe)
                .arg("one-fleet")
                .args(&files[..k])
                .output()
                .map_err(|e| e.to_string())?;
            let wall = t.elapsed().as_secs_f64() * 1e3;
            if !out.status.success() {
                return Err(String::from_utf8_lossy(&out.stderr).into_owned());
            }
            let mut v: Value =
                serde_json::from_slice(&out.stdout).map_err(|e| format!("child output: {e}"))?;
            v["wall_ms"] = json!(wall);
            results[i].push(v);
        }
    }
    println!(
        "| reports | pods | reports' JSON | wall (median) | CPU (median) | read+parse | merge | JSON | HTML | peak RSS | peak ÷ input | fleet JSON | fleet HTML |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for samples in &results {
        let first = &samples[0];
        let median = |f: &dyn Fn(&Value) -> f64| {
            let mut v: Vec<f64> = samples.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let phase = |name: &str| {
            median(&|s: &Value| {
                s["phases"]
                    .as_array()
                    .and_then(|p| p.iter().find(|x| x[0] == name))
                    .and_then(|x| x[1].as_f64())
                    .unwrap_or(f64::NAN)
            })
        };
        let mb = |v: &Value| v.as_f64().unwrap_or(0.0) / 1e6;
        let input = mb(&first["input_bytes"]);
        let peak = median(&|s: &Value| s["peak_kib"].as_f64().unwrap_or(0.0) * 1024.0 / 1e6);
        println!(
            "| {} | {} | {:.1} MB | {:.0} ms | {:.0} ms | {:.0} ms | {:.1} ms | {:.0} ms | {:.0} ms | {:.0} MB | {:.2}× | {:.1} MB | {:.1} MB |",
            first["reports"],
            first["pods"],
            input,
            median(&|s: &Value| s["wall_ms"].as_f64().unwrap_or(f64::NAN)),
            median(&|s: &Value| s["cpu_ms"].as_f64().unwrap_or(f64::NAN)),
            phase("read+parse"),
            phase("merge"),
            phase("json"),
            phase("html"),
            peak,
            peak / input,
            mb(&first["json_bytes"]),
            mb(&first["html_bytes"]),
        );
    }
    Ok(())
}
