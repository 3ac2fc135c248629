//! The report's node pool suggestions, copied from [`crate::suggest`]'s results.

use std::collections::BTreeMap;

use crate::report::{NodePoolRow, Report};
use crate::suggest::{NodeSuggestions, PoolSuggestions};

/// Copies `suggestions` into `report`: each [`NodePoolRow`] (matched by its node names) gets its
/// demand, suggestions, spot option and assumptions, and the report its `node_recommendations`.
pub fn attach(report: &mut Report, suggestions: &NodeSuggestions) {
    let by_nodes: BTreeMap<&[String], &PoolSuggestions> = suggestions
        .pools
        .iter()
        .map(|p| (p.nodes.as_slice(), p))
        .collect();
    for row in &mut report.node_pools {
        if let Some(p) = by_nodes.get(row.nodes.as_slice()) {
            fill_row(row, p);
        }
    }
    report.node_recommendations = suggestions.summary.clone();
}

fn fill_row(row: &mut NodePoolRow, p: &PoolSuggestions) {
    row.zones = p.zones.clone();
    row.min_nodes = p.min_nodes;
    row.demand = p.demand.clone();
    row.suggestions = p.suggestions.clone();
    row.suggestions_reason = p.reason.clone();
    row.spot = p.spot.clone();
    row.assumptions = p.assumptions.clone();
    row.best_monthly_savings = p.best_monthly_savings();
}
