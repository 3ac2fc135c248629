//! Two fleets compared (`kube-rightsize/fleet-diff/v1`): the fleet's totals before and after,
//! each cluster's cost change (clusters added and removed included), and every cluster of both
//! fleets compared as [`super::compare`] compares two reports of one cluster. Clusters are
//! matched by name (the names `merge` gives them). A report on one side counts as a fleet of
//! one cluster.

use serde::{Deserialize, Serialize};

use super::{Change, Diff, by_change_size, compare, summary_changes};
use crate::diagnostics::Warning;
use crate::format::{count_of, fmt_usd};
use crate::report::export::ExportFormat;
use crate::report::fleet::{Fleet, name_of};

/// The JSON schema name of [`FleetDiff`].
pub const SCHEMA: &str = "kube-rightsize/fleet-diff/v1";

/// Two fleets compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetDiff {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// When the comparison was made (given by the caller).
    pub generated_at: String,
    /// When each fleet's newest report was made (the fleet's own date without reports): the
    /// points in time compared, whoever merged the files and when.
    pub before_generated_at: String,
    /// See `before_generated_at`.
    pub after_generated_at: String,
    /// The fleet's totals before and after (each the sum of its clusters' summaries).
    pub summary: Vec<Change>,
    /// Each cluster's monthly cost before and after (`null` on the side it is missing from), by
    /// the size of the change.
    pub clusters: Vec<Change>,
    /// Σ over the clusters of both fleets: savings realised from the earlier reports'
    /// recommendations, per month.
    pub realised_monthly_savings: f64,
    /// Σ of what the earlier recommendations still open would save per month.
    pub open_monthly_savings: f64,
    /// Every cluster in both fleets, compared, in the later fleet's order.
    pub comparisons: Vec<Diff>,
    /// Clusters in one fleet only, and each comparison's warnings (prefixed with its cluster).
    pub warnings: Vec<Warning>,
}

/// The newest report's date (RFC 3339 strings in UTC order as they sort), else the fleet's.
fn date_of(fleet: &Fleet) -> String {
    fleet
        .reports
        .iter()
        .map(|r| r.generated_at.as_str())
        .max()
        .unwrap_or(&fleet.generated_at)
        .to_owned()
}

/// Two sides compared: one cluster's two reports, or two fleets.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    /// Each side is one report ([`super::compare`]).
    Cluster(Box<Diff>),
    /// Either side has several clusters ([`compare_fleets`]).
    Fleet(FleetDiff),
}

/// Compares the reports `before` with the reports `after` (each side one report, or a fleet's):
/// as one cluster when each side has one report, else as two fleets (each side merged with
/// [`crate::report::fleet::merge`]; a single report counts as a fleet of one). The rule of the
/// CLI's `diff` and of the app's earlier reports.
pub fn compare_members(
    mut before: Vec<crate::report::fleet::Member>,
    mut after: Vec<crate::report::fleet::Member>,
    generated_at: &str,
) -> Comparison {
    use crate::report::fleet::merge;
    if before.len() == 1 && after.len() == 1 {
        Comparison::Cluster(Box::new(compare(
            &before.remove(0).report,
            &after.remove(0).report,
            generated_at,
        )))
    } else {
        Comparison::Fleet(compare_fleets(
            &merge(before, generated_at),
            &merge(after, generated_at),
            generated_at,
        ))
    }
}

/// Compares the `before` fleet with the `after` fleet at `generated_at`. Never fails.
pub fn compare_fleets(before: &Fleet, after: &Fleet, generated_at: &str) -> FleetDiff {
    let find =
        |fleet: &'_ Fleet, name: &str| fleet.reports.iter().find(|r| name_of(r) == name).cloned();
    let mut clusters = Vec::new();
    let mut comparisons = Vec::new();
    let mut warnings = Vec::new();
    for r in &after.reports {
        let name = name_of(r);
        let earlier = find(before, name);
        clusters.push(Change::new(
            name,
            earlier.as_ref().map(|e| e.summary.monthly_cost),
            Some(r.summary.monthly_cost),
        ));
        match earlier {
            Some(e) => {
                let diff = compare(&e, r, generated_at);
                warnings.extend(diff.warnings.iter().map(|w| Warning {
                    message: format!("{name}: {}", w.message),
                    ..w.clone()
                }));
                comparisons.push(diff);
            }
            None => warnings.push(Warning::new(
                "fleet_diff_cluster_added",
                name,
                format!("{name} is in the later fleet only: its cost counts as added."),
            )),
        }
    }
    for r in &before.reports {
        let name = name_of(r);
        if find(after, name).is_none() {
            clusters.push(Change::new(name, Some(r.summary.monthly_cost), None));
            warnings.push(Warning::new(
                "fleet_diff_cluster_removed",
                name,
                format!("{name} is in the earlier fleet only: its cost counts as removed."),
            ));
        }
    }
    by_change_size(&mut clusters, |c| c.change);
    let mut summary = summary_changes(&before.totals, &after.totals);
    summary.insert(
        4,
        Change::new(
            "clusters",
            Some(before.reports.len() as f64),
            Some(after.reports.len() as f64),
        ),
    );
    FleetDiff {
        schema: SCHEMA.to_owned(),
        generated_at: generated_at.to_owned(),
        before_generated_at: date_of(before),
        after_generated_at: date_of(after),
        summary,
        clusters,
        realised_monthly_savings: comparisons.iter().map(|d| d.realised.monthly_savings).sum(),
        open_monthly_savings: comparisons
            .iter()
            .map(|d| d.realised.open_monthly_savings)
            .sum(),
        comparisons,
        warnings,
    }
}

/// Renders `diff` in `format`: text, JSON, the workloads, node pools and namespaces CSVs with a
/// leading `cluster` column, or an HTML page ([`crate::report::html::diff::render_fleet`]);
/// FOCUS and the groups and re-pack CSVs give its JSON, as for one cluster.
pub fn render(diff: &FleetDiff, format: ExportFormat) -> String {
    match format {
        ExportFormat::Table => text(diff),
        ExportFormat::Json
        | ExportFormat::Focus
        | ExportFormat::GroupsCsv
        | ExportFormat::RepackCsv => to_json(diff),
        ExportFormat::WorkloadsCsv => csv_of(diff, super::render::workloads_csv_of),
        ExportFormat::NodesCsv => csv_of(diff, |d, c, h| {
            super::render::changes_csv_of("node_pool", &d.node_pools, c, h)
        }),
        ExportFormat::NamespacesCsv => csv_of(diff, |d, c, h| {
            super::render::changes_csv_of("namespace", &d.namespaces, c, h)
        }),
        ExportFormat::Html => crate::report::html::diff::render_fleet(diff),
    }
}

/// The comparison as pretty-printed JSON, ending with a newline.
pub fn to_json(diff: &FleetDiff) -> String {
    let mut out = serde_json::to_string_pretty(diff).unwrap_or_else(|e| {
        serde_json::json!({ "schema": SCHEMA, "error": e.to_string() }).to_string()
    });
    out.push('\n');
    out
}

/// One CSV of every comparison: the header once, with `cluster` first, then each comparison's
/// rows with its cluster's name first (`one(diff, cluster, header)` writes a comparison's).
fn csv_of(diff: &FleetDiff, one: impl Fn(&Diff, Option<&str>, bool) -> String) -> String {
    let mut out = String::new();
    if diff.comparisons.is_empty() {
        // The header alone, from a comparison of nothing.
        let empty = crate::report::Report::build(
            &crate::cluster::Cluster::default(),
            &crate::cost::CostModel::default(),
            &[],
            "",
            None,
        );
        return one(&compare(&empty, &empty, ""), Some(""), true);
    }
    for (i, d) in diff.comparisons.iter().enumerate() {
        out.push_str(&one(d, Some(d.cluster()), i == 0));
    }
    out
}

/// The comparison as plain text for terminals: the fleet's totals, each cluster's change, the
/// savings realised, then each cluster's comparison.
pub fn text(diff: &FleetDiff) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "kube-rightsize fleet comparison: {} on {} → {} on {}\n",
        count_of(
            diff.clusters.iter().filter(|c| c.before.is_some()).count(),
            "cluster"
        ),
        diff.before_generated_at,
        count_of(
            diff.clusters.iter().filter(|c| c.after.is_some()).count(),
            "cluster"
        ),
        diff.after_generated_at
    );
    super::render::summary_rows(&diff.summary, &mut out);
    let _ = writeln!(
        out,
        "\nSavings realised across the fleet: {} a month; {} a month still open.",
        fmt_usd(diff.realised_monthly_savings),
        fmt_usd(diff.open_monthly_savings)
    );
    let _ = writeln!(out, "\nClusters ({})", diff.clusters.len());
    super::render::changes_rows("CLUSTER", &diff.clusters, &mut out);
    for d in &diff.comparisons {
        let _ = writeln!(out, "\n── {} ──", d.cluster());
        out.push_str(&super::render::text(d));
    }
    if !diff.warnings.is_empty() {
        out.push_str("\nWarnings\n");
        for w in &diff.warnings {
            let _ = writeln!(out, "  [{}] {}", w.code, w.message);
        }
    }
    out
}
