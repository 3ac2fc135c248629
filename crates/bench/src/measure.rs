//! One measurement in this process (`krs-bench one KIND FILE`), printed as one JSON line.
//!
//! - `parse`: read the file, typed `serde_json` parse into minimal structs ([`crate::floor`]).
//! - `analysis`: read the file, decode the embedded catalogue, ingest, then price + cost + report
//!   model (`analysis::analyze_cluster`): what `kube-rightsize analyze` does minus the output.
//! - `report`: `analysis`, then the JSON report (`report::json::to_json`) and the HTML report
//!   (`report::html::render_html`), with their sizes.

use std::time::Instant;

use kube_rightsize_core::analysis::{self, Settings};
use kube_rightsize_core::ingest::{self, Input};
use kube_rightsize_core::pricing::catalogue::Catalogue;
use kube_rightsize_core::report::{html, json};
use serde_json::{Value, json};

/// The fixed "generated at" of every report (the core takes time as an input).
pub const GENERATED_AT: &str = "2026-11-26T00:00:00Z";

/// The CLI's arguments for one measured analysis of `snapshot`: the JSON report, written to
/// `/dev/null`, at [`GENERATED_AT`].
pub fn cli_analyze_args(snapshot: &str) -> [&str; 8] {
    [
        "analyze",
        snapshot,
        "--format",
        "json",
        "-o",
        "/dev/null",
        "--generated-at",
        GENERATED_AT,
    ]
}

struct Phases {
    start: Instant,
    last: Instant,
    list: Vec<(&'static str, f64)>,
}

impl Phases {
    fn new() -> Phases {
        let now = Instant::now();
        Phases {
            start: now,
            last: now,
            list: Vec::new(),
        }
    }

    fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        self.list
            .push((name, now.duration_since(self.last).as_secs_f64() * 1e3));
        self.last = now;
    }

    fn total_ms(&self) -> f64 {
        self.last.duration_since(self.start).as_secs_f64() * 1e3
    }
}

/// `krs-bench one KIND FILE`.
pub fn main(args: &[String]) -> Result<(), String> {
    let [kind, file] = args else {
        return Err("usage: krs-bench one parse|analysis|report FILE".to_owned());
    };
    let line = measure(kind, file)?;
    println!("{line}");
    Ok(())
}

fn measure(kind: &str, file: &str) -> Result<Value, String> {
    let mut p = Phases::new();
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    p.mark("read");
    let mut extra = serde_json::Map::new();
    // Containers with an explicit CPU request (what jq counts), and with one after defaulting
    // from the limit (what the analysis keeps); the run checks that the measurements agree.
    let (containers_with_cpu, containers_with_cpu_defaulted);
    match kind {
        "parse" => {
            let c = crate::floor::parse(&bytes).map_err(|e| format!("{file}: {e}"))?;
            p.mark("parse");
            containers_with_cpu = Some(c.containers_with_cpu);
            containers_with_cpu_defaulted = c.containers_with_cpu_defaulted;
            extra.insert("nodes".into(), json!(c.nodes));
            extra.insert("pods".into(), json!(c.pods));
            extra.insert("checksum".into(), json!(c.checksum));
        }
        "analysis" | "report" => {
            let catalogue = Catalogue::try_embedded().map_err(|e| e.to_string())?;
            p.mark("catalogue");
            let settings = Settings::default();
            let inputs = [Input::new(file, &bytes)];
            let cluster =
                ingest::ingest_with(&inputs, &settings.ingest).map_err(|e| e.to_string())?;
            p.mark("ingest");
            let a = analysis::analyze_cluster(cluster, &settings, Some(catalogue), GENERATED_AT);
            p.mark("analyze");
            containers_with_cpu = None;
            containers_with_cpu_defaulted = a
                .cluster
                .pods
                .iter()
                .flat_map(|pod| &pod.containers)
                .filter(|c| c.requests.cpu_millis.is_some())
                .count();
            extra.insert("nodes".into(), json!(a.cluster.nodes.len()));
            extra.insert("pods".into(), json!(a.cluster.pods.len()));
            extra.insert("workloads".into(), json!(a.report.workloads.len()));
            extra.insert("warnings".into(), json!(a.warnings.len()));
            if kind == "report" {
                let j = json::to_json(&a.report);
                p.mark("json");
                let h = html::render_html(
                    &a.report,
                    &html::HtmlOptions {
                        inputs: a.cluster.inputs.clone(),
                        ..html::HtmlOptions::default()
                    },
                );
                p.mark("html");
                extra.insert("json_bytes".into(), json!(j.len()));
                extra.insert("html_bytes".into(), json!(h.len()));
            }
            // Dropping the analysis is part of the work a process does; keep it in the time.
            drop(a);
            p.mark("drop");
        }
        other => return Err(format!("unknown measurement {other:?}")),
    }
    let mut v = json!({
        "kind": kind,
        "input_bytes": bytes.len(),
        "internal_ms": p.total_ms(),
        "phases": p.list.iter().map(|(n, ms)| json!([n, ms])).collect::<Vec<_>>(),
        "peak_kib": crate::vm_hwm_kib(),
        "cpu_ms": crate::cpu_ms(),
        "containers_with_cpu_defaulted": containers_with_cpu_defaulted,
    });
    if let (Some(n), Some(obj)) = (containers_with_cpu, v.as_object_mut()) {
        obj.insert("containers_with_cpu".into(), json!(n));
    }
    if let Some(obj) = v.as_object_mut() {
        obj.extend(extra);
    }
    Ok(v)
}
