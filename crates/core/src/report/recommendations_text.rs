//! The recommendations section of the plain-text report: current → recommended per container,
//! KRR style (CPU below one core in millicores, `13m`, else cores, `2.5`; memory in Mi until
//! 10 Gi, then Gi), with severities and monthly savings.

use std::fmt::Write as _;

use crate::format::{fmt_usd, krr_cpu, krr_memory};
use crate::recommend::{NamespaceScope, NamespaceSelection};
use crate::report::{ContainerRecommendation, OptionalAmount, Report};

/// Namespaces named one by one in [`describe_scope`]; more are counted.
const SCOPE_NAMES: usize = 10;

fn name_list(names: &[String]) -> String {
    let mut out = names
        .iter()
        .take(SCOPE_NAMES)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SCOPE_NAMES {
        let _ = write!(out, " and {} more", names.len() - SCOPE_NAMES);
    }
    if out.is_empty() {
        out.push_str("none");
    }
    out
}

/// Which namespaces were scanned, for people (one sentence, no trailing period), e.g.
/// `Namespaces scanned (3): data, payments, web; left out: kube-system (KRR's default: every
/// namespace but kube-system unless namespaces are named)`.
pub fn describe_scope(scope: &NamespaceScope) -> String {
    let scanned = name_list(&scope.scanned);
    let n = scope.scanned.len();
    let left_out = if scope.skipped.is_empty() {
        String::new()
    } else {
        format!("; left out: {}", name_list(&scope.skipped))
    };
    match scope.selection {
        NamespaceSelection::AllButKubeSystem => format!(
            "Namespaces scanned ({n}): {scanned}{left_out} (KRR's default: every namespace but \
             kube-system unless namespaces are named)"
        ),
        NamespaceSelection::Named => {
            format!("Namespaces scanned, as named ({n}): {scanned}{left_out}")
        }
        NamespaceSelection::Krr => {
            format!("Namespaces in the KRR result, as KRR chose them ({n}): {scanned}{left_out}")
        }
    }
}

fn cell(current: Option<String>, recommended: String) -> String {
    let current = current.unwrap_or_else(|| "none".to_owned());
    if current == recommended {
        current
    } else {
        format!("{current} -> {recommended}")
    }
}

fn cpu(a: &OptionalAmount) -> Option<String> {
    a.cpu_cores.map(|c| krr_cpu((c * 1000.0).round() as i64))
}

fn memory(a: &OptionalAmount) -> Option<String> {
    a.memory_bytes.map(krr_memory)
}

fn rec_value(r: &ContainerRecommendation, name: &str, v: Option<String>) -> String {
    if r.undefined.iter().any(|u| u == name) {
        "?".to_owned()
    } else {
        v.unwrap_or_else(|| "none".to_owned())
    }
}

/// Renders the recommendations section (empty without recommendations): the source, KRR score
/// and grade, then up to `max_workloads` workloads by monthly savings, one line per container,
/// then what matched nothing.
pub fn render_section(report: &Report, max_workloads: usize) -> String {
    let mut out = String::new();
    let Some(info) = &report.recommendations else {
        return out;
    };
    let unknown = if info.unknown > 0 {
        format!(", {} UNKNOWN (no recommendation: `?`)", info.unknown)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "Recommendations from {} ({}, strategy {}): score {} ({}), {} containers matched, {} \
         unmatched{unknown}",
        info.source.describe(),
        info.input,
        info.strategy,
        info.score,
        info.grade,
        info.matched,
        info.unmatched.len()
    );
    let _ = writeln!(out, "  {}", describe_scope(&info.namespaces));
    if info.low_confidence {
        let _ = writeln!(
            out,
            "  * one usage sample is not a history: confirm with KRR or Prometheus before applying"
        );
    }
    let mut rows: Vec<&crate::report::WorkloadRow> = report
        .workloads
        .iter()
        .filter(|w| w.containers.iter().any(|c| c.recommended.is_some()))
        .collect();
    rows.sort_by(|a, b| {
        b.monthly_savings
            .partial_cmp(&a.monthly_savings)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.namespace.cmp(&b.namespace))
            .then_with(|| a.name.cmp(&b.name))
    });
    let total = rows.len();
    let mut grid: Vec<Vec<String>> = vec![
        [
            "NAMESPACE",
            "WORKLOAD",
            "CONTAINER",
            "CPU REQ",
            "CPU LIM",
            "MEM REQ",
            "MEM LIM",
            "SEVERITY",
            "SAVINGS/MONTH",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect(),
    ];
    for w in rows.iter().take(max_workloads) {
        let mut first = true;
        for c in &w.containers {
            let Some(r) = &c.recommended else {
                continue;
            };
            let mark = if r.low_confidence { "*" } else { "" };
            grid.push(vec![
                if first {
                    w.namespace.clone()
                } else {
                    String::new()
                },
                if first {
                    format!("{}/{}", w.kind, w.name)
                } else {
                    String::new()
                },
                format!("{}{mark}", c.name),
                cell(
                    cpu(&c.requests),
                    rec_value(r, "requests.cpu", cpu(&r.requests)),
                ),
                cell(cpu(&c.limits), rec_value(r, "limits.cpu", cpu(&r.limits))),
                cell(
                    memory(&c.requests),
                    rec_value(r, "requests.memory", memory(&r.requests)),
                ),
                cell(
                    memory(&c.limits),
                    rec_value(r, "limits.memory", memory(&r.limits)),
                ),
                r.severity.clone().unwrap_or_default(),
                if first {
                    fmt_usd(w.monthly_savings)
                } else {
                    String::new()
                },
            ]);
            first = false;
        }
    }
    render_grid(&grid, &mut out);
    if total > max_workloads {
        let _ = writeln!(
            out,
            "  … and {} more workloads with recommendations (see --format json or csv)",
            total - max_workloads
        );
    }
    let _ = writeln!(
        out,
        "  Savings: {} per month (negative: the extra cost of making under-provisioned containers safe)",
        fmt_usd(report.summary.monthly_savings)
    );
    if let Some(p) = &report.patches {
        let c = p.counts(crate::patch::render::Selection::default());
        let (applicable, risky, blocked) = (c.shown, c.risky, c.not_patchable);
        let _ = writeln!(
            out,
            "  Patches: {applicable} ready to apply ({risky} with risks), {blocked} workloads not \
             patchable: `kube-rightsize patches` with the same inputs writes them"
        );
    }
    if !info.unmatched.is_empty() {
        let _ = writeln!(out, "  Not in the snapshot ({}):", info.unmatched.len());
        for u in info.unmatched.iter().take(10) {
            let _ = writeln!(
                out,
                "    {} {}/{} container {}: {}",
                u.kind, u.namespace, u.name, u.container, u.reason
            );
        }
        if info.unmatched.len() > 10 {
            let _ = writeln!(out, "    … and {} more", info.unmatched.len() - 10);
        }
    }
    out
}

fn render_grid(rows: &[Vec<String>], out: &mut String) {
    // The last column (savings) is right-aligned.
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    crate::report::table::render_rows(rows, &[cols.saturating_sub(1)], out);
}
