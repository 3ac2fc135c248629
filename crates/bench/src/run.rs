//! `krs-bench run`: every measurement of every snapshot, each in a child process, repeated and
//! interleaved (parse, analysis, report, jq, CLI, then again), then a Markdown table.
//!
//! Wall time is taken here around the child (spawn to exit: it includes reading the file, as
//! jq's does). Peak memory is the child's own `VmHWM` for `krs-bench one`, and `/usr/bin/time`'s
//! maximum resident set size (the same quantity, from `wait4`) for jq and the CLI.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

/// The jq filter: the least work comparable to the analysis (find every pod's containers and
/// look at their CPU request).
pub const JQ_FILTER: &str = r#"[.items[] | select(.kind=="Pod") | .spec.containers[] | select(.resources.requests.cpu != null)] | length"#;

const TIME: &str = "/usr/bin/time";

#[derive(Debug)]
struct Options {
    reps: usize,
    jq: Option<String>,
    cli: Option<PathBuf>,
    json_out: Option<PathBuf>,
    files: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        reps: 5,
        jq: Some("jq".to_owned()),
        cli: sibling_cli(),
        json_out: None,
        files: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--reps" => {
                let v = value("--reps")?;
                o.reps = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("--reps expects a positive integer, got {v:?}"))?;
            }
            "--jq" => o.jq = Some(value("--jq")?),
            "--no-jq" => o.jq = None,
            "--cli" => o.cli = Some(PathBuf::from(value("--cli")?)),
            "--no-cli" => o.cli = None,
            "--json" => o.json_out = Some(PathBuf::from(value("--json")?)),
            s if s.starts_with("--") => return Err(format!("unknown option {s:?}")),
            s => o.files.push(s.to_owned()),
        }
    }
    if o.files.is_empty() {
        return Err("krs-bench run needs at least one snapshot file".to_owned());
    }
    Ok(o)
}

/// `kube-rightsize` next to this binary (same target directory and profile), if built.
fn sibling_cli() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let cli = exe.parent()?.join("kube-rightsize");
    cli.is_file().then_some(cli)
}

/// One kind of measurement on one file: every repetition's samples.
#[derive(Debug, Default)]
struct Series {
    kind: String,
    wall_ms: Vec<f64>,
    /// CPU time (user + system) of the child.
    cpu_ms: Vec<f64>,
    peak_kib: Vec<u64>,
    /// The last child's JSON line (phases, counts, sizes).
    samples: Vec<Value>,
    containers_with_cpu: Option<u64>,
    /// Containers with a CPU request after defaulting it from the limit (parse and analysis).
    containers_defaulted: Option<u64>,
}

impl Series {
    fn median(&self) -> f64 {
        median(&self.wall_ms)
    }
    fn cpu_median(&self) -> Option<f64> {
        (!self.cpu_ms.is_empty()).then(|| median(&self.cpu_ms))
    }
    fn min(&self) -> f64 {
        self.wall_ms.iter().copied().fold(f64::INFINITY, f64::min)
    }
    fn peak_mib(&self) -> Option<f64> {
        self.peak_kib.iter().max().map(|k| *k as f64 / 1024.0)
    }
    /// Median over repetitions of a named phase (from `krs-bench one`).
    fn phase_median(&self, name: &str) -> Option<f64> {
        let v: Vec<f64> = self
            .samples
            .iter()
            .filter_map(|s| {
                s["phases"]
                    .as_array()?
                    .iter()
                    .find(|p| p[0] == name)
                    .and_then(|p| p[1].as_f64())
            })
            .collect();
        (!v.is_empty()).then(|| median(&v))
    }
    fn field(&self, name: &str) -> Option<u64> {
        self.samples.last().and_then(|s| s[name].as_u64())
    }
}

fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// `krs-bench run`.
pub fn main(args: &[String]) -> Result<(), String> {
    let o = parse_args(args)?;
    let me = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let time = Path::new(TIME).is_file();
    let jq = o.jq.clone().filter(|j| {
        let found = Command::new(j)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            eprintln!("krs-bench: {j} not found; no jq row");
        }
        found
    });
    if !time {
        eprintln!("krs-bench: {TIME} not found; no peak memory for jq and the CLI");
    }
    let mut all = Vec::new();
    for file in &o.files {
        let size = std::fs::metadata(file)
            .map_err(|e| format!("cannot read {file}: {e}"))?
            .len();
        let load_start = loadavg();
        // Warm the page cache so that the first repetition does not pay for the disk.
        std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        let mut kinds: Vec<Series> = ["parse", "analysis", "report"]
            .iter()
            .map(|k| Series {
                kind: (*k).to_owned(),
                ..Series::default()
            })
            .collect();
        if jq.is_some() {
            kinds.push(Series {
                kind: "jq".to_owned(),
                ..Series::default()
            });
        }
        if o.cli.is_some() {
            kinds.push(Series {
                kind: "cli".to_owned(),
                ..Series::default()
            });
        }
        for rep in 0..o.reps {
            for s in kinds.iter_mut() {
                eprintln!("krs-bench: {file}: {} ({}/{})", s.kind, rep + 1, o.reps);
                let Sample {
                    wall,
                    cpu,
                    peak,
                    line,
                } = match s.kind.as_str() {
                    "jq" => external(
                        Command::new(jq.as_deref().unwrap_or("jq")).args([JQ_FILTER, file]),
                        time,
                    )?,
                    "cli" => external(
                        Command::new(o.cli.as_deref().unwrap_or(Path::new("kube-rightsize")))
                            .args(crate::measure::cli_analyze_args(file)),
                        time,
                    )?,
                    kind => own(&me, kind, file)?,
                };
                s.wall_ms.push(wall);
                if let Some(c) = cpu {
                    s.cpu_ms.push(c);
                }
                if let Some(p) = peak {
                    s.peak_kib.push(p);
                }
                let count = match &line {
                    Value::Object(m) => m.get("containers_with_cpu").and_then(Value::as_u64),
                    Value::String(out) => out.trim().parse().ok(),
                    _ => None,
                };
                if count.is_some() {
                    s.containers_with_cpu = count;
                }
                if let Some(n) = line
                    .get("containers_with_cpu_defaulted")
                    .and_then(Value::as_u64)
                {
                    s.containers_defaulted = Some(n);
                }
                if line.is_object() {
                    s.samples.push(line);
                }
            }
        }
        print_file(file, size, &kinds, &load_start, &loadavg());
        all.push((file.clone(), size, kinds));
    }
    print_scaling(&all);
    if let Some(path) = &o.json_out {
        let v: Vec<Value> = all
            .iter()
            .map(|(file, size, kinds)| {
                json!({
                    "file": file,
                    "input_bytes": size,
                    "series": kinds.iter().map(|s| json!({
                        "kind": s.kind,
                        "wall_ms": s.wall_ms,
                        "median_ms": s.median(),
                        "min_ms": s.min(),
                        "cpu_ms": s.cpu_ms,
                        "peak_kib": s.peak_kib,
                        "containers_with_cpu": s.containers_with_cpu,
                        "containers_with_cpu_defaulted": s.containers_defaulted,
                        "samples": s.samples,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let text = serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// What one child process took.
struct Sample {
    wall: f64,
    cpu: Option<f64>,
    peak: Option<u64>,
    /// `krs-bench one`'s JSON line, or an external command's standard output as a string.
    line: Value,
}

/// Runs `krs-bench one KIND FILE`.
fn own(me: &Path, kind: &str, file: &str) -> Result<Sample, String> {
    let start = Instant::now();
    let out = Command::new(me)
        .args(["one", kind, file])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", me.display()))?;
    let wall = start.elapsed().as_secs_f64() * 1e3;
    if !out.status.success() {
        return Err(format!("`krs-bench one {kind} {file}` failed"));
    }
    let line: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("`krs-bench one {kind}` printed no JSON: {e}"))?;
    Ok(Sample {
        wall,
        cpu: line["cpu_ms"].as_f64(),
        peak: line["peak_kib"].as_u64(),
        line,
    })
}

/// Runs an external command (under `/usr/bin/time` when present, for its peak RSS and CPU
/// time).
fn external(cmd: &mut Command, time: bool) -> Result<Sample, String> {
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let report = std::env::temp_dir().join(format!("krs-bench-time-{}", std::process::id()));
    let mut c = if time {
        let mut c = Command::new(TIME);
        c.arg("-f")
            .arg("%M %U %S")
            .arg("-o")
            .arg(&report)
            .arg(&program);
        c.args(&args);
        c
    } else {
        let mut c = Command::new(&program);
        c.args(&args);
        c
    };
    let start = Instant::now();
    let out = c
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", program.to_string_lossy()))?;
    let wall = start.elapsed().as_secs_f64() * 1e3;
    if !out.status.success() {
        return Err(format!(
            "{} failed ({})",
            program.to_string_lossy(),
            out.status
        ));
    }
    let (mut peak, mut cpu) = (None, None);
    if time {
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        let _ = std::fs::remove_file(&report);
        let f: Vec<&str> = text
            .lines()
            .last()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if let [m, u, s] = f[..] {
            peak = m.parse().ok();
            cpu = u
                .parse::<f64>()
                .ok()
                .zip(s.parse::<f64>().ok())
                .map(|(u, s)| (u + s) * 1e3);
        }
    }
    Ok(Sample {
        wall,
        cpu,
        peak,
        line: Value::String(String::from_utf8_lossy(&out.stdout).into_owned()),
    })
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn label(kind: &str) -> &'static str {
    match kind {
        "parse" => "serde_json typed parse (floor)",
        "analysis" => "**analysis** (ingest + price + cost + report model)",
        "report" => "analysis + JSON + HTML report",
        "jq" => "jq (count containers with CPU requests)",
        "cli" => "CLI `analyze --format json` (whole process)",
        _ => "?",
    }
}

/// The 1-, 5- and 15-minute load averages (`/proc/loadavg`), for the record.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".to_owned())
}

fn print_file(file: &str, size: u64, kinds: &[Series], load_start: &str, load_end: &str) {
    let analysis = kinds.iter().find(|s| s.kind == "analysis");
    let nodes = analysis.and_then(|a| a.field("nodes")).unwrap_or(0);
    let pods = analysis.and_then(|a| a.field("pods")).unwrap_or(0);
    println!();
    println!(
        "### {file}: {nodes} nodes, {pods} pods, {:.1} MB ({} reps)",
        mb(size),
        kinds.first().map_or(0, |s| s.wall_ms.len())
    );
    println!();
    println!("Load average (1, 5, 15 min) at the start: {load_start}; at the end: {load_end}.");
    println!();
    println!(
        "| measurement | wall median | wall min | CPU median | MB/s (wall median) | peak RSS | peak / input | CPU requests: explicit / defaulted |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for s in kinds {
        let peak = s
            .peak_mib()
            .map(|m| {
                (
                    format!("{m:.0} MiB"),
                    format!("{:.2}×", m * 1_048_576.0 / size as f64),
                )
            })
            .unwrap_or_else(|| ("—".into(), "—".into()));
        let count = |c: Option<u64>| c.map_or_else(|| "—".to_owned(), |c| c.to_string());
        println!(
            "| {} | {} | {} | {} | {:.0} | {} | {} | {} / {} |",
            label(&s.kind),
            secs(s.median()),
            secs(s.min()),
            s.cpu_median().map_or_else(|| "—".to_owned(), secs),
            mb(size) / (s.median() / 1e3),
            peak.0,
            peak.1,
            count(s.containers_with_cpu),
            count(s.containers_defaulted),
        );
    }
    let get = |k: &str| kinds.iter().find(|s| s.kind == k);
    if let Some(a) = get("analysis") {
        let phases: Vec<String> = ["read", "catalogue", "ingest", "analyze", "drop"]
            .iter()
            .filter_map(|p| a.phase_median(p).map(|ms| format!("{p} {}", secs(ms))))
            .collect();
        println!();
        println!("- analysis phases (median): {}", phases.join(", "));
        // `x / y` by wall median, wall min (with `digits` decimals) and CPU median.
        let ratios = |label: &str, x: &Series, y: &Series, digits: usize| {
            let cpu = x
                .cpu_median()
                .zip(y.cpu_median())
                .map_or_else(|| "—".to_owned(), |(x, y)| format!("{:.2}", x / y));
            println!(
                "- {label}: {:.digits$}× (wall median), {:.digits$}× (wall min), {cpu}× (CPU median)",
                x.median() / y.median(),
                x.min() / y.min(),
            );
        };
        if let Some(p) = get("parse") {
            ratios("analysis / parse floor", a, p, 2);
        }
        if let Some(j) = get("jq") {
            ratios("jq / analysis", j, a, 1);
        }
        if let Some(r) = get("report") {
            println!(
                "- report rendering (median): JSON {} for {:.1} MB, HTML {} for {:.1} MB ({} workloads)",
                r.phase_median("json").map_or("—".into(), secs),
                mb(r.field("json_bytes").unwrap_or(0)),
                r.phase_median("html").map_or("—".into(), secs),
                mb(r.field("html_bytes").unwrap_or(0)),
                r.field("workloads").unwrap_or(0),
            );
        }
        let explicit: Vec<u64> = kinds.iter().filter_map(|s| s.containers_with_cpu).collect();
        let defaulted: Vec<u64> = kinds
            .iter()
            .filter_map(|s| s.containers_defaulted)
            .collect();
        let differ = |v: &[u64]| v.windows(2).any(|w| w[0] != w[1]);
        if differ(&explicit) || differ(&defaulted) {
            println!(
                "- **the measurements disagree on the number of containers with CPU requests**"
            );
        }
    }
}

fn print_scaling(all: &[(String, u64, Vec<Series>)]) {
    if all.len() < 2 {
        return;
    }
    println!();
    println!(
        "### Scaling: time relative to the previous size (CPU median; wall median in brackets)"
    );
    println!();
    println!("| input | × input | parse | analysis | jq |");
    println!("|---|---|---|---|---|");
    for pair in all.windows(2) {
        let (_, s0, k0) = &pair[0];
        let (f1, s1, k1) = &pair[1];
        let ratio = |kind: &str| {
            let a = k0.iter().find(|s| s.kind == kind)?;
            let b = k1.iter().find(|s| s.kind == kind)?;
            let cpu = b
                .cpu_median()
                .zip(a.cpu_median())
                .map_or_else(|| "—".to_owned(), |(b, a)| format!("{:.2}×", b / a));
            Some(format!("{cpu} ({:.2}×)", b.median() / a.median()))
        };
        let name = f1.rsplit('/').next().unwrap_or(f1);
        println!(
            "| {name} ({:.0} MB) | {:.2}× | {} | {} | {} |",
            mb(*s1),
            *s1 as f64 / *s0 as f64,
            ratio("parse").unwrap_or_else(|| "—".into()),
            ratio("analysis").unwrap_or_else(|| "—".into()),
            ratio("jq").unwrap_or_else(|| "—".into()),
        );
    }
}

fn secs(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1e3)
    } else {
        format!("{ms:.0} ms")
    }
}
