//! A comparison in every export format ([`render`]): text, JSON (`kube-rightsize/diff/v1`), CSVs
//! (workloads with their realised and open savings, node pools, namespaces) and an HTML page
//! ([`crate::report::html::diff`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Change, Diff, Outcome};
use crate::format::{fmt_bytes, fmt_cores, fmt_usd, group_thousands};
use crate::report::csv::text_cell;
use crate::report::export::ExportFormat;
use crate::report::table::render_rows;

/// Renders `diff` in `format` (a comparison is not a bill: FOCUS and the groups and re-pack
/// CSVs give its JSON).
pub fn render(diff: &Diff, format: ExportFormat) -> String {
    match format {
        ExportFormat::Table => text(diff),
        ExportFormat::Json
        | ExportFormat::Focus
        | ExportFormat::GroupsCsv
        | ExportFormat::RepackCsv => to_json(diff),
        ExportFormat::WorkloadsCsv => workloads_csv(diff),
        ExportFormat::NodesCsv => changes_csv("node_pool", &diff.node_pools),
        ExportFormat::NamespacesCsv => changes_csv("namespace", &diff.namespaces),
        ExportFormat::Html => crate::report::html::diff::render(diff),
    }
}

/// The comparison as pretty-printed JSON, ending with a newline.
pub fn to_json(diff: &Diff) -> String {
    let mut out = serde_json::to_string_pretty(diff).unwrap_or_else(|e| {
        serde_json::json!({ "schema": super::SCHEMA, "error": e.to_string() }).to_string()
    });
    out.push('\n');
    out
}

/// `+$12.00` / `-$3.50` / `$0.00`.
pub fn signed_usd(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", fmt_usd(v))
    } else {
        fmt_usd(v)
    }
}

fn opt_usd(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), fmt_usd)
}

/// A summary figure for people: money for the costs, a count otherwise.
pub fn summary_value(name: &str, v: Option<f64>) -> String {
    match v {
        None => "–".to_owned(),
        Some(v) if name.ends_with("cost") || name.ends_with("savings") => fmt_usd(v),
        Some(v) => group_thousands(v.max(0.0) as usize),
    }
}

/// A summary change for people.
pub fn summary_change(name: &str, v: f64) -> String {
    if name.ends_with("cost") || name.ends_with("savings") {
        signed_usd(v)
    } else if v > 0.0 {
        format!("+{}", group_thousands(v as usize))
    } else if v < 0.0 {
        format!("-{}", group_thousands((-v) as usize))
    } else {
        "0".to_owned()
    }
}

/// A recommended cell's value for people.
pub fn cell_value(resource: &str, v: Option<f64>) -> String {
    match v {
        None => "–".to_owned(),
        Some(v) if resource == "cpu" => fmt_cores(v),
        Some(v) => fmt_bytes(v as i64),
    }
}

fn name_of(side: &super::Side) -> &str {
    side.cluster.as_deref().unwrap_or("the cluster")
}

/// Each summary figure before and after, with its change, as a text table.
pub(super) fn summary_rows(summary: &[Change], out: &mut String) {
    let mut rows = vec![vec![
        "".into(),
        "BEFORE".into(),
        "AFTER".into(),
        "CHANGE".into(),
    ]];
    for c in summary {
        rows.push(vec![
            c.name.replace('_', " "),
            summary_value(&c.name, c.before),
            summary_value(&c.name, c.after),
            summary_change(&c.name, c.change),
        ]);
    }
    render_rows(&rows, &[1, 2, 3], out);
}

/// Cost changes as a text table: the name (headed `first`), status, before, after, change.
pub(super) fn changes_rows(first: &str, changes: &[Change], out: &mut String) {
    let mut rows = vec![vec![
        first.to_owned(),
        "STATUS".into(),
        "BEFORE".into(),
        "AFTER".into(),
        "CHANGE".into(),
    ]];
    for c in changes {
        rows.push(vec![
            c.name.clone(),
            c.status().to_owned(),
            opt_usd(c.before),
            opt_usd(c.after),
            signed_usd(c.change),
        ]);
    }
    render_rows(&rows, &[2, 3, 4], out);
}

/// The comparison as plain text for terminals.
pub fn text(diff: &Diff) -> String {
    let mut out = String::new();
    let (b, a) = (&diff.before, &diff.after);
    let _ = writeln!(
        out,
        "kube-rightsize comparison: {} on {} → {} on {}\n",
        name_of(b),
        b.generated_at,
        name_of(a),
        a.generated_at
    );
    summary_rows(&diff.summary, &mut out);

    let r = &diff.realised;
    out.push_str("\nSavings realised\n");
    if r.had_recommendations {
        let _ = writeln!(
            out,
            "  {} a month from {} applied recommendation{}; {} a month still open in {}; {} \
             changed otherwise, {} gone.",
            fmt_usd(r.monthly_savings),
            r.applied,
            if r.applied == 1 { "" } else { "s" },
            fmt_usd(r.open_monthly_savings),
            r.open,
            r.changed_otherwise,
            r.gone
        );
        let _ = writeln!(
            out,
            "  The earlier report promised {} a month; the cells are valued per container (see \
             --format html, \"How these numbers were computed\").",
            fmt_usd(r.earlier_monthly_savings)
        );
        let mut rows = vec![vec![
            "WORKLOAD".into(),
            "CONTAINER".into(),
            "RESOURCE".into(),
            "BEFORE".into(),
            "RECOMMENDED".into(),
            "AFTER".into(),
            "OUTCOME".into(),
            "MONTHLY".into(),
        ]];
        for c in r.cells.iter().take(20) {
            rows.push(vec![
                format!("{}/{}/{}", c.namespace, c.kind, c.workload),
                c.container.clone(),
                c.resource.clone(),
                cell_value(&c.resource, c.before),
                cell_value(&c.resource, Some(c.recommended)),
                cell_value(&c.resource, c.after),
                c.outcome.as_str().replace('_', " "),
                fmt_usd(c.monthly_savings),
            ]);
        }
        render_rows(&rows, &[3, 4, 5, 7], &mut out);
        if r.cells.len() > 20 {
            let _ = writeln!(
                out,
                "  … and {} more (see --format json or html)",
                r.cells.len() - 20
            );
        }
    } else {
        out.push_str(
            "  The earlier report has no recommendations: analyse it with --krr, --usage or \
             --prometheus to follow them up.\n",
        );
    }

    let _ = writeln!(
        out,
        "\nWorkloads changed, added or removed ({})",
        diff.workloads.len()
    );
    let mut rows = vec![vec![
        "WORKLOAD".into(),
        "STATUS".into(),
        "PODS".into(),
        "BEFORE".into(),
        "AFTER".into(),
        "CHANGE".into(),
    ]];
    for w in diff.workloads.iter().take(20) {
        let pods = |p: Option<usize>| p.map_or("–".to_owned(), |n| n.to_string());
        rows.push(vec![
            format!("{}/{}/{}", w.namespace, w.kind, w.name),
            w.status.clone(),
            format!("{} → {}", pods(w.pods_before), pods(w.pods_after)),
            opt_usd(w.cost_before),
            opt_usd(w.cost_after),
            signed_usd(w.change),
        ]);
    }
    render_rows(&rows, &[3, 4, 5], &mut out);
    if diff.workloads.len() > 20 {
        let _ = writeln!(out, "  … and {} more", diff.workloads.len() - 20);
    }
    for (title, changes) in [
        ("Node pools", &diff.node_pools),
        ("Namespaces", &diff.namespaces),
    ] {
        let _ = writeln!(out, "\n{title} whose cost changed ({})", changes.len());
        changes_rows("NAME", &changes[..changes.len().min(15)], &mut out);
    }
    let _ = writeln!(
        out,
        "\n{} containers changed requests or limits.",
        group_thousands(diff.containers.len())
    );
    if !diff.warnings.is_empty() {
        out.push_str("\nWarnings\n");
        for w in &diff.warnings {
            let _ = writeln!(out, "  [{}] {}", w.code, w.message);
        }
    }
    out
}

fn num(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(String::new, |v| format!("{v}"))
}

/// Per workload: its change, and the savings realised and still open in it.
fn workloads_csv(diff: &Diff) -> String {
    workloads_csv_of(diff, None, true)
}

/// [`workloads_csv`] with `cluster` as a first cell of each row (and a `cluster` header) when
/// given; the header only when `header`.
pub(super) fn workloads_csv_of(diff: &Diff, cluster: Option<&str>, header: bool) -> String {
    let mut money: BTreeMap<(&str, &str, &str), (f64, f64)> = BTreeMap::new();
    for c in &diff.realised.cells {
        let e = money
            .entry((&c.namespace, &c.kind, &c.workload))
            .or_default();
        match c.outcome {
            Outcome::Applied => e.0 += c.monthly_savings,
            Outcome::Open => e.1 += c.monthly_savings,
            Outcome::ChangedOtherwise | Outcome::Gone => {}
        }
    }
    let prefix = cluster.map_or_else(String::new, |c| format!("{},", text_cell(c)));
    let mut out = String::new();
    if header {
        out.push_str(if cluster.is_some() { "cluster," } else { "" });
        out.push_str(
            "namespace,kind,name,status,pods_before,pods_after,monthly_cost_before,\
             monthly_cost_after,change,realised_monthly_savings,open_monthly_savings\r\n",
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut row = |ns: &str, kind: &str, name: &str, w: Option<&super::WorkloadChange>| {
        let (realised, open) = money.get(&(ns, kind, name)).copied().unwrap_or_default();
        let _ = write!(
            out,
            "{prefix}{},{},{},{},{},{},{},{},{},{},{}\r\n",
            text_cell(ns),
            text_cell(kind),
            text_cell(name),
            w.map_or("unchanged", |w| w.status.as_str()),
            w.and_then(|w| w.pods_before)
                .map_or(String::new(), |n| n.to_string()),
            w.and_then(|w| w.pods_after)
                .map_or(String::new(), |n| n.to_string()),
            num(w.and_then(|w| w.cost_before)),
            num(w.and_then(|w| w.cost_after)),
            num(w.map(|w| w.change)),
            num(Some(realised)),
            num(Some(open)),
        );
    };
    for w in &diff.workloads {
        seen.insert((w.namespace.as_str(), w.kind.as_str(), w.name.as_str()));
        row(&w.namespace, &w.kind, &w.name, Some(w));
    }
    // Workloads with open recommendations but no change.
    for &(ns, kind, name) in money.keys() {
        if !seen.contains(&(ns, kind, name)) {
            row(ns, kind, name, None);
        }
    }
    out
}

fn changes_csv(what: &str, changes: &[Change]) -> String {
    changes_csv_of(what, changes, None, true)
}

/// [`changes_csv`] with `cluster` as a first cell of each row (and a `cluster` header) when
/// given; the header only when `header`.
pub(super) fn changes_csv_of(
    what: &str,
    changes: &[Change],
    cluster: Option<&str>,
    header: bool,
) -> String {
    let prefix = cluster.map_or_else(String::new, |c| format!("{},", text_cell(c)));
    let mut out = String::new();
    if header {
        let _ = write!(
            out,
            "{}{what},status,monthly_cost_before,monthly_cost_after,change\r\n",
            if cluster.is_some() { "cluster," } else { "" }
        );
    }
    for c in changes {
        let _ = write!(
            out,
            "{prefix}{},{},{},{},{}\r\n",
            text_cell(&c.name),
            c.status(),
            num(c.before),
            num(c.after),
            num(Some(c.change))
        );
    }
    out
}
