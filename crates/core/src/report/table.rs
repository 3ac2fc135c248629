//! The report as plain text for terminals: where the prices come from, the summary, the top
//! workloads, nodes, namespaces and warnings (counts by code plus the first few).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::Report;
use super::columns::{self, Column, Kind};
use crate::format::{fmt_percent, fmt_usd, percent_of, trim_decimal};

/// How much to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOptions {
    /// Workloads listed (the most expensive first).
    pub top_workloads: usize,
    /// Nodes listed.
    pub max_nodes: usize,
    /// Namespaces listed.
    pub max_namespaces: usize,
    /// Warnings quoted in full after the counts.
    pub warnings_shown: usize,
    /// Print each node's cost explanation.
    pub explain_nodes: bool,
}

impl Default for TableOptions {
    fn default() -> TableOptions {
        TableOptions {
            top_workloads: 15,
            max_nodes: 50,
            max_namespaces: 20,
            warnings_shown: 5,
            explain_nodes: false,
        }
    }
}

/// The terminal's grid of `table`'s columns named by `keys` over `items`: the columns' titles
/// in capitals, values formatted for people, numbers right-aligned.
fn columns_grid<'a, R>(
    report: &'a Report,
    items: impl IntoIterator<Item = &'a R>,
    keys: &[&str],
    table: &'static [Column<R>],
) -> Grid {
    let columns = columns::pick(table, keys);
    let titles: Vec<String> = columns.iter().map(|c| c.title.to_uppercase()).collect();
    let right: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].kind != Kind::Text)
        .collect();
    let mut grid = Grid {
        rows: vec![titles],
        right,
    };
    for item in items {
        grid.push(
            columns
                .iter()
                .map(|c| (c.value)(report, item).display())
                .collect(),
        );
    }
    grid
}

/// Column-aligned rows; columns listed in `right` are right-aligned.
struct Grid {
    rows: Vec<Vec<String>>,
    right: Vec<usize>,
}

impl Grid {
    fn new(header: &[&str], right: &[usize]) -> Grid {
        Grid {
            rows: vec![header.iter().map(|h| (*h).to_owned()).collect()],
            right: right.to_vec(),
        }
    }

    fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    fn render(&self, out: &mut String) {
        render_rows(&self.rows, &self.right, out);
    }
}

/// Writes `rows` as column-aligned text, two spaces between columns, each line indented by two;
/// columns listed in `right` are right-aligned.
pub(crate) fn render_rows(rows: &[Vec<String>], right: &[usize], out: &mut String) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from("  ");
        for (c, width) in widths.iter().enumerate() {
            let cell = row.get(c).map_or("", String::as_str);
            let pad = width.saturating_sub(cell.chars().count());
            if c > 0 {
                line.push_str("  ");
            }
            if right.contains(&c) {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn more(out: &mut String, shown: usize, total: usize, what: &str) {
    if total > shown {
        let _ = writeln!(
            out,
            "  … and {} more {what} (see --format json or csv)",
            total - shown
        );
    }
}

/// Renders `report` as plain text.
pub fn render(report: &Report, options: &TableOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "kube-rightsize report, generated {}",
        report.generated_at
    );
    let _ = writeln!(out, "Pricing: {}", report.pricing.summary);
    if !report.pricing.discounts.is_empty() {
        let _ = writeln!(
            out,
            "Net prices: {} (list prices beside them)",
            report.pricing.discounts.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "Monthly figures use {} hours per month; node prices are split over allocatable {}.",
        trim_decimal(report.pricing.hours_per_month, 2),
        if columns::has_gpus(report) {
            "GPUs, CPU and memory"
        } else {
            "CPU and memory"
        }
    );
    out.push('\n');

    summary_section(report, &mut out);
    bill_section(report, &mut out);
    allocation_section(report, &mut out);

    let shown = report.workloads.len().min(options.top_workloads);
    let _ = writeln!(
        out,
        "Top workloads by monthly cost ({shown} of {})",
        report.workloads.len()
    );
    if report.workloads.is_empty() {
        let _ = writeln!(out, "  (none)");
    } else {
        let grid = columns_grid(
            report,
            report.workloads.iter().take(shown),
            &columns::workloads_terminal(report),
            columns::WORKLOADS,
        );
        grid.render(&mut out);
        more(&mut out, shown, report.workloads.len(), "workloads");
    }
    out.push('\n');

    let recommendations =
        crate::report::recommendations_text::render_section(report, options.top_workloads);
    if !recommendations.is_empty() {
        out.push_str(&recommendations);
        out.push('\n');
    }

    repack_section(report, &mut out);

    let shown = report.nodes.len().min(options.max_nodes);
    let _ = writeln!(out, "Nodes ({})", report.nodes.len());
    if report.nodes.is_empty() {
        let _ = writeln!(out, "  (none)");
    } else {
        let grid = columns_grid(
            report,
            report.nodes.iter().take(shown),
            columns::NODES_VIEW.terminal,
            columns::NODES,
        );
        grid.render(&mut out);
        more(&mut out, shown, report.nodes.len(), "nodes");
        if report.nodes.iter().any(|n| n.price_estimate) {
            let _ = writeln!(
                out,
                "  ≈ estimated price (fallback rates or an assumed spot discount)"
            );
        }
        if options.explain_nodes {
            for n in report.nodes.iter().take(shown) {
                let _ = writeln!(out, "  {}: {}", n.name, n.explanation);
            }
        }
    }
    out.push('\n');

    node_pools_section(report, &mut out);

    let shown = report.namespaces.len().min(options.max_namespaces);
    let _ = writeln!(out, "Namespaces ({})", report.namespaces.len());
    if report.namespaces.is_empty() {
        let _ = writeln!(out, "  (none)");
    } else {
        let grid = columns_grid(
            report,
            report.namespaces.iter().take(shown),
            &columns::namespaces_for(report, columns::NAMESPACES_VIEW.terminal),
            columns::NAMESPACES,
        );
        grid.render(&mut out);
        more(&mut out, shown, report.namespaces.len(), "namespaces");
    }
    out.push('\n');

    let _ = writeln!(out, "Warnings ({})", report.warnings.len());
    if report.warnings.is_empty() {
        let _ = writeln!(out, "  (none)");
    } else {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for w in &report.warnings {
            *counts.entry(w.code.as_str()).or_default() += 1;
        }
        let mut grid = Grid::new(&["CODE", "COUNT"], &[1]);
        for (code, n) in &counts {
            grid.push(vec![(*code).to_owned(), n.to_string()]);
        }
        grid.render(&mut out);
        for w in report.warnings.iter().take(options.warnings_shown) {
            let _ = writeln!(out, "  - {w}");
        }
        more(
            &mut out,
            options.warnings_shown.min(report.warnings.len()),
            report.warnings.len(),
            "warnings",
        );
    }
    out
}

/// The "Summary" section: counts, then the cluster cost split into allocated and idle (with
/// its GPU part when the cluster has GPUs), and the cost after recommendations.
fn summary_section(report: &Report, out: &mut String) {
    let s = &report.summary;
    let _ = writeln!(out, "Summary");
    let _ = writeln!(
        out,
        "  {} nodes, {} pods, {} workloads, {} namespaces",
        s.nodes, s.pods, s.workloads, s.namespaces
    );
    let mut grid = Grid::new(&["", "per month", "share"], &[1, 2]);
    grid.push(vec![
        "Cluster cost".into(),
        fmt_usd(s.monthly_cost),
        "100%".into(),
    ]);
    if let Some(list) = s.list_monthly_cost {
        grid.push(vec![
            "  at list price".into(),
            fmt_usd(list),
            fmt_percent(percent_of(list, s.monthly_cost)),
        ]);
    }
    grid.push(vec![
        "Requested (allocated)".into(),
        fmt_usd(s.allocated_monthly_cost),
        fmt_percent(percent_of(s.allocated_monthly_cost, s.monthly_cost)),
    ]);
    grid.push(vec![
        "Idle".into(),
        fmt_usd(s.idle_monthly_cost),
        fmt_percent(percent_of(s.idle_monthly_cost, s.monthly_cost)),
    ]);
    if columns::has_gpus(report) {
        grid.push(vec![
            "  of which GPUs".into(),
            fmt_usd(s.idle_gpu_monthly_cost),
            fmt_percent(percent_of(s.idle_gpu_monthly_cost, s.monthly_cost)),
        ]);
    }
    grid.push(vec![
        "After recommendations".into(),
        fmt_usd(s.recommended_monthly_cost),
        fmt_percent(percent_of(s.recommended_monthly_cost, s.monthly_cost)),
    ]);
    grid.push(vec![
        "Savings".into(),
        fmt_usd(s.monthly_savings),
        String::new(),
    ]);
    grid.render(out);
    if s.estimated_nodes > 0 {
        let _ = writeln!(
            out,
            "  {} of {} nodes are priced by estimate (fallback rates or an assumed spot discount): see warnings",
            s.estimated_nodes, s.nodes
        );
    }
    out.push('\n');
}

/// "The bill": nodes, storage, load balancers and the control plane, their total, the volumes
/// and load balancers one by one, and what the bill leaves out. Absent for reports made before
/// the bill existed.
fn bill_section(report: &Report, out: &mut String) {
    let s = &report.summary;
    let Some(total) = s.bill_monthly_cost else {
        return;
    };
    let _ = writeln!(out, "The bill");
    let mut grid = Grid::new(&["", "per month", "share"], &[1, 2]);
    let mut line = |what: String, v: f64| {
        grid.push(vec![what, fmt_usd(v), fmt_percent(percent_of(v, total))]);
    };
    line("Nodes".into(), s.monthly_cost);
    line("Persistent volumes".into(), s.storage_monthly_cost);
    if s.idle_storage_monthly_cost > 0.0 {
        line("  of which unclaimed".into(), s.idle_storage_monthly_cost);
    }
    line("Load balancers".into(), s.load_balancer_monthly_cost);
    let cp = report
        .control_plane
        .as_ref()
        .map_or("Control plane".to_owned(), |c| {
            format!("Control plane ({} {})", c.service, c.tier)
        });
    line(cp, s.control_plane_monthly_cost);
    line("Total".into(), total);
    if let Some(list) = s.list_bill_monthly_cost {
        line("  at list price".into(), list);
    }
    grid.render(out);
    if let Some(c) = &report.control_plane {
        let _ = writeln!(out, "  Control plane: {}", columns::control_plane_line(c));
    }
    for n in &report.bill_notes {
        let _ = writeln!(out, "  Note: {n}");
    }
    if !report.volumes.is_empty() {
        let _ = writeln!(out, "\nPersistent volumes ({})", report.volumes.len());
        columns_grid(
            report,
            &report.volumes,
            columns::VOLUMES_VIEW.terminal,
            columns::VOLUMES,
        )
        .render(out);
    }
    if !report.load_balancers.is_empty() {
        let _ = writeln!(out, "\nLoad balancers ({})", report.load_balancers.len());
        columns_grid(
            report,
            &report.load_balancers,
            columns::LOAD_BALANCERS_VIEW.terminal,
            columns::LOAD_BALANCERS,
        )
        .render(out);
    }
    out.push('\n');
}

/// "Costs by …": the allocation's groups before and after their shares, the lines of their own,
/// and the rules used. Absent without keys to group by.
fn allocation_section(report: &Report, out: &mut String) {
    let Some(a) = &report.allocation else {
        return;
    };
    let _ = writeln!(
        out,
        "{} ({} group{})",
        columns::allocation_title(a),
        a.groups.len(),
        if a.groups.len() == 1 { "" } else { "s" }
    );
    columns_grid(
        report,
        &a.groups,
        columns::GROUPS_VIEW.terminal,
        columns::GROUPS,
    )
    .render(out);
    let mut grid = Grid::new(&["", "per month"], &[1]);
    for (label, value, _) in columns::allocation_figures(a) {
        grid.push(vec![label.to_owned(), value]);
    }
    grid.render(out);
    for rule in &a.rules.description {
        let _ = writeln!(out, "  Rule: {rule}");
    }
    out.push('\n');
}

/// The "Node pools" section: each pool with its cheapest suggestion and spot option, then the
/// cluster total of the node suggestions ([`crate::suggest`]).
fn node_pools_section(report: &Report, out: &mut String) {
    let _ = writeln!(out, "Node pools ({})", report.node_pools.len());
    if report.node_pools.is_empty() {
        let _ = writeln!(out, "  (none)");
        out.push('\n');
        return;
    }
    let grid = columns_grid(
        report,
        &report.node_pools,
        columns::POOLS_VIEW.terminal,
        columns::POOLS,
    );
    let spot_lines: Vec<String> = report
        .node_pools
        .iter()
        .filter_map(|p| {
            let s = p
                .suggestions
                .iter()
                .find(|s| s.kind == crate::suggest::SuggestionKind::Spot)?;
            Some(format!(
                "  {} on spot: {} ({} interruption-sensitive workloads)",
                columns::pool_label(p),
                crate::suggest::describe(s),
                p.spot
                    .as_ref()
                    .map_or(0, |i| i.interruption_sensitive_total)
            ))
        })
        .collect();
    grid.render(out);
    for line in spot_lines {
        let _ = writeln!(out, "{line}");
    }
    let r = &report.node_recommendations;
    let _ = writeln!(
        out,
        "  Node suggestions total: {}/mo{}",
        fmt_usd(r.total_monthly_savings),
        if r.spot_monthly_savings > 0.0 {
            format!(
                "; spot, for interruption-tolerant workloads only: {}/mo more",
                fmt_usd(r.spot_monthly_savings)
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(out, "  {}", r.note);
    out.push('\n');
}

/// "Right-size and re-pack": the combined figure, its breakdown, the pools' plans and the
/// nodes that could go now ([`crate::repack`]); nothing for reports without it.
fn repack_section(report: &Report, out: &mut String) {
    let Some(r) = &report.repack else {
        return;
    };
    let usd = crate::format::fmt_usd;
    let _ = writeln!(
        out,
        "Right-size and re-pack ({}): {}/mo instead of {}/mo, saves {}/mo",
        r.basis,
        usd(r.monthly_cost),
        usd(r.current_monthly_cost),
        usd(r.monthly_savings)
    );
    let b = &r.breakdown;
    let _ = writeln!(
        out,
        "  from requests {}, from shapes {}, from drained nodes {}{}; lower bound {}/mo (gap {})",
        usd(b.from_requests),
        usd(b.from_shapes),
        usd(b.from_drained_nodes),
        if r.moves.is_empty() {
            String::new()
        } else {
            format!(", from other pools {}", usd(b.from_other_pools))
        },
        usd(r.lower_bound_monthly_cost),
        usd(r.gap_monthly_cost)
    );
    let items = |v: &[crate::repack::PlanItem]| {
        v.iter()
            .map(|p| {
                format!(
                    "{} × {}{}",
                    p.nodes,
                    p.instance_type,
                    if p.spot { " (spot)" } else { "" }
                )
            })
            .collect::<Vec<_>>()
            .join(" + ")
    };
    for p in &r.pools {
        let plan = if p.keeps_current_nodes {
            format!(
                "keeps its nodes{}",
                p.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            )
        } else if p.plan.is_empty() {
            format!(
                "no nodes{}",
                p.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            )
        } else {
            items(&p.plan)
        };
        let _ = writeln!(out, "  {}: {} → {plan}", p.pool, items(&p.current));
    }
    if let Some(line) = crate::report::columns::moves_line(r) {
        let _ = writeln!(out, "  {line}");
    }
    if !r.drainable_nodes.is_empty() {
        let shown: Vec<&str> = r
            .drainable_nodes
            .iter()
            .take(10)
            .map(String::as_str)
            .collect();
        let _ = writeln!(
            out,
            "  Could be drained today ({}, {}/mo): {}{}",
            r.drainable_nodes.len(),
            usd(r.drainable_monthly_savings),
            shown.join(", "),
            if r.drainable_nodes.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        );
    }
    if r.blocked_total > 0 {
        let first = &r.blocked[0];
        let _ = writeln!(
            out,
            "  {} pods kept their node, e.g. {} on {} ({})",
            r.blocked_total, first.pod, first.node, first.reason
        );
    }
    out.push('\n');
}
