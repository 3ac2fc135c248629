//! A fleet in every export format ([`render`]): the text summary ([`text`]), JSON, the three
//! CSVs (every report's rows, `cluster` first) and the HTML page
//! ([`crate::report::html::fleet`]).

use std::fmt::Write as _;

use super::Fleet;
use crate::format::{fmt_list, fmt_percent, fmt_usd, group_thousands, percent_of};
use crate::report::export::ExportFormat;
use crate::report::table::render_rows;
use crate::report::{Report, csv};

/// How to export a fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetExport {
    /// The format.
    pub format: ExportFormat,
    /// Pseudonyms instead of names ([`Fleet::anonymised`]), keyed by this; `None` keeps names.
    pub anonymise_key: Option<Vec<u8>>,
}

/// Renders `fleet` as `options` say.
pub fn render(fleet: &Fleet, options: &FleetExport) -> String {
    let anonymised = options.anonymise_key.as_ref().map(|k| fleet.anonymised(k));
    let fleet = anonymised.as_ref().unwrap_or(fleet);
    let reports: Vec<&Report> = fleet.reports.iter().collect();
    match options.format {
        ExportFormat::Table => text(fleet),
        ExportFormat::Json => to_json(fleet),
        ExportFormat::WorkloadsCsv => csv::workloads_csv_of(&reports, true),
        ExportFormat::NodesCsv => csv::nodes_csv_of(&reports, true),
        ExportFormat::NamespacesCsv => csv::namespaces_csv_of(&reports, true),
        ExportFormat::GroupsCsv => csv::groups_csv_of(&reports, true),
        ExportFormat::RepackCsv => csv::repack_csv_of(&reports, true),
        ExportFormat::Focus => crate::report::focus::focus_csv_of(&reports),
        ExportFormat::Html => {
            crate::report::html::fleet::render(fleet, options.anonymise_key.is_some())
        }
    }
}

/// The fleet as pretty-printed JSON (`kube-rightsize/fleet/v1`), ending with a newline.
pub fn to_json(fleet: &Fleet) -> String {
    let mut out = serde_json::to_string_pretty(fleet).unwrap_or_else(|e| {
        serde_json::json!({ "schema": super::SCHEMA, "error": e.to_string() }).to_string()
    });
    out.push('\n');
    out
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", group_thousands(n), if n == 1 { one } else { many })
}

/// The fleet as plain text for terminals: totals, one line per cluster, cost by provider and
/// region, the most expensive workloads, the pools with the most idle cost, the warnings.
pub fn text(fleet: &Fleet) -> String {
    let mut out = String::new();
    let t = &fleet.totals;
    let _ = writeln!(
        out,
        "kube-rightsize fleet report, generated {}: {}",
        fleet.generated_at,
        count(fleet.clusters.len(), "cluster", "clusters")
    );
    let _ = writeln!(
        out,
        "Each cluster's figures are its own report's; the fleet's are their sums.\n"
    );
    let _ = writeln!(
        out,
        "Monthly cost {} · requested {} ({}) · idle {} ({}) · savings {} · {} · {} · {}",
        fmt_usd(t.monthly_cost),
        fmt_usd(t.allocated_monthly_cost),
        fmt_percent(percent_of(t.allocated_monthly_cost, t.monthly_cost)),
        fmt_usd(t.idle_monthly_cost),
        fmt_percent(percent_of(t.idle_monthly_cost, t.monthly_cost)),
        fmt_usd(t.monthly_savings),
        count(t.nodes, "node", "nodes"),
        count(t.pods, "pod", "pods"),
        count(t.workloads, "workload", "workloads"),
    );
    if t.gpus > 0 {
        let _ = writeln!(
            out,
            "GPUs: {} ({} requested) cost {} a month, of which {} idle.",
            t.gpus,
            t.requested_gpus,
            fmt_usd(t.gpu_monthly_cost),
            fmt_usd(t.idle_gpu_monthly_cost),
        );
    }
    if t.estimated_nodes > 0 {
        let _ = writeln!(
            out,
            "{} of {} priced by estimate.",
            group_thousands(t.estimated_nodes),
            count(t.nodes, "node", "nodes")
        );
    }

    out.push_str("\nClusters\n");
    let mut rows = vec![header(&[
        "CLUSTER",
        "NODES",
        "PODS",
        "MONTHLY",
        "IDLE",
        "SAVINGS",
        "PRICES AS OF",
        "GENERATED",
    ])];
    for c in &fleet.clusters {
        let s = &c.summary;
        rows.push(vec![
            c.name.clone(),
            group_thousands(s.nodes),
            group_thousands(s.pods),
            fmt_usd(s.monthly_cost),
            fmt_usd(s.idle_monthly_cost),
            fmt_usd(s.monthly_savings),
            c.prices_as_of.clone().unwrap_or_else(|| "–".into()),
            c.generated_at.clone(),
        ]);
    }
    render_rows(&rows, &[1, 2, 3, 4, 5], &mut out);

    out.push_str("\nCost by provider and region\n");
    let mut rows = vec![header(&[
        "PROVIDER", "REGION", "CLUSTERS", "NODES", "MONTHLY", "IDLE",
    ])];
    for l in &fleet.locations {
        rows.push(vec![
            l.provider.as_str().to_owned(),
            l.region.clone().unwrap_or_else(|| "–".into()),
            fmt_list(&l.clusters, 4),
            group_thousands(l.nodes),
            fmt_usd(l.monthly_cost),
            fmt_usd(l.idle_monthly_cost),
        ]);
    }
    render_rows(&rows, &[3, 4, 5], &mut out);

    let _ = writeln!(
        out,
        "\nTop workloads across the fleet ({} of {})",
        fleet.top_workloads.len(),
        group_thousands(t.workloads)
    );
    let mut rows = vec![header(&[
        "CLUSTER",
        "NAMESPACE",
        "WORKLOAD",
        "PODS",
        "MONTHLY",
        "SAVINGS",
    ])];
    for w in &fleet.top_workloads {
        rows.push(vec![
            w.cluster.clone(),
            w.namespace.clone(),
            format!("{}/{}", w.kind, w.name),
            group_thousands(w.running_pods),
            fmt_usd(w.monthly_cost),
            fmt_usd(w.monthly_savings),
        ]);
    }
    render_rows(&rows, &[3, 4, 5], &mut out);

    out.push_str("\nNode pools with the most idle cost\n");
    if fleet.idle_pools.is_empty() {
        out.push_str("  (none)\n");
    } else {
        let mut rows = vec![header(&[
            "CLUSTER", "POOL", "NODES", "MONTHLY", "IDLE", "CPU REQ", "MEM REQ",
        ])];
        for p in &fleet.idle_pools {
            rows.push(vec![
                p.cluster.clone(),
                p.pool.clone(),
                group_thousands(p.nodes),
                fmt_usd(p.monthly_cost),
                fmt_usd(p.idle_monthly_cost),
                fmt_percent(p.cpu_requested_percent),
                fmt_percent(p.memory_requested_percent),
            ]);
        }
        render_rows(&rows, &[2, 3, 4, 5, 6], &mut out);
    }

    let report_warnings: usize = fleet.reports.iter().map(|r| r.warnings.len()).sum();
    let _ = writeln!(
        out,
        "\nWarnings: {} from merging, {} in the clusters' reports (see --format html or json)",
        fleet.warnings.len(),
        group_thousands(report_warnings)
    );
    for w in &fleet.warnings {
        let _ = writeln!(out, "  [{}] {}", w.code, w.message);
    }
    out
}

fn header(titles: &[&str]) -> Vec<String> {
    titles.iter().map(|t| (*t).to_owned()).collect()
}
