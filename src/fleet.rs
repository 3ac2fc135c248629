//! The fleet view: saved reports given without a snapshot, or several clusters' snapshots
//! analysed in one go, merged by the core (`report::fleet`): the fleet's totals, one row per cluster, cost by provider and region, the
//! most expensive workloads and the idlest node pools, every cluster's workloads, nodes,
//! namespaces, re-packing plans and warnings in tables with a Cluster column and filter, and
//! the exports of `kube-rightsize merge`.

use std::sync::Arc;

use kube_rightsize_core::format::{fmt_usd, group_thousands};
use kube_rightsize_core::report::Report;
use kube_rightsize_core::report::columns as report_columns;
use kube_rightsize_core::report::export::ExportFormat;
use kube_rightsize_core::report::fleet::render::{FleetExport, render};
use kube_rightsize_core::report::fleet::{Fleet, columns, rows_of};
use leptos::prelude::*;

use crate::report_view::{
    ExportButton, all_keys, cards, core_table, export_buttons, fleet_table, random_key,
};

/// The merged reports. `report` is the pipeline's (empty) analysis, which the core's tables take
/// as an argument they do not use.
#[component]
pub fn FleetView(
    /// The merged reports.
    fleet: Arc<Fleet>,
    /// The pipeline's analysis of no cluster (the tables' unused argument).
    report: Arc<Report>,
) -> impl IntoView {
    let t = &fleet.totals;
    let cards_list = vec![
        (
            "Clusters",
            group_thousands(fleet.reports.len()),
            "fleet-clusters",
        ),
        ("Monthly cost", fmt_usd(t.monthly_cost), "fleet-cost"),
        (
            "Allocated to requests",
            fmt_usd(t.allocated_monthly_cost),
            "fleet-allocated",
        ),
        (
            "Idle (paid, not requested)",
            fmt_usd(t.idle_monthly_cost),
            "fleet-idle",
        ),
        (
            "Potential savings",
            fmt_usd(t.monthly_savings),
            "fleet-savings",
        ),
        ("Nodes", group_thousands(t.nodes), "fleet-nodes"),
        ("Pods", group_thousands(t.pods), "fleet-pods"),
    ];
    let date = fleet.generated_at.get(..10).unwrap_or_default().to_owned();
    let anonymise = RwSignal::new(false);
    let exports = [
        ("Fleet HTML", ExportFormat::Html, "export-fleet-html"),
        ("Fleet JSON", ExportFormat::Json, "export-fleet-json"),
        (
            "Workloads CSV",
            ExportFormat::WorkloadsCsv,
            "export-fleet-workloads-csv",
        ),
        (
            "Nodes CSV",
            ExportFormat::NodesCsv,
            "export-fleet-nodes-csv",
        ),
        (
            "Namespaces CSV",
            ExportFormat::NamespacesCsv,
            "export-fleet-namespaces-csv",
        ),
        (
            "Re-pack CSV",
            ExportFormat::RepackCsv,
            "export-fleet-repack-csv",
        ),
    ]
    .into_iter()
    .map(|(label, format, id)| {
        let fleet = Arc::clone(&fleet);
        ExportButton {
            label,
            id,
            file_name: format!("kube-rightsize-fleet-{date}{}", format.suffix()),
            mime: format.mime(),
            body: Arc::new(move || {
                // A fresh key per export, as for a report: two exports cannot be joined.
                let key = if anonymise.get_untracked() {
                    Some(random_key()?)
                } else {
                    None
                };
                Ok(render(
                    &fleet,
                    &FleetExport {
                        format,
                        anonymise_key: key,
                    },
                ))
            }),
        }
    })
    .collect();
    let warnings: Vec<String> = fleet.warnings.iter().map(|w| w.message.clone()).collect();
    let merged = merged_tables(&fleet);
    view! {
        <section id="fleet" aria-label="Fleet">
            <p class="pricing-note">
                "A fleet: each cluster's figures are its own report's; the fleet's are their sums. \
                 Add earlier reports next to the clusters' snapshots to see what changed since."
            </p>
            <label title="Clusters, namespaces, workloads, containers, nodes and pools become pseudonyms keyed by a fresh random key per export; instance types, regions and numbers stay">
                <input
                    type="checkbox"
                    id="fleet-anonymise"
                    prop:checked=move || anonymise.get()
                    on:change=move |ev| anonymise.set(event_target_checked(&ev))
                />
                " Anonymise names in exports"
            </label>
            {export_buttons(exports)}
            {cards("fleet-summary", cards_list)}
            {warnings
                .into_iter()
                .map(|w| view! { <p class="warning">{w}</p> })
                .collect_view()}
            <section class="panel">
                <h3>"Clusters"</h3>
                {core_table(
                    &report,
                    "fleet-cluster-rows",
                    columns::CLUSTERS,
                    &all_keys(columns::CLUSTERS),
                    &fleet.clusters,
                    None,
                    None,
                )}
                <h3>"Providers and regions"</h3>
                {core_table(
                    &report,
                    "fleet-locations",
                    columns::LOCATIONS,
                    &all_keys(columns::LOCATIONS),
                    &fleet.locations,
                    None,
                    None,
                )}
                <h3>"Top workloads across the fleet"</h3>
                {core_table(
                    &report,
                    "fleet-top-workloads",
                    columns::TOP_WORKLOADS,
                    &all_keys(columns::TOP_WORKLOADS),
                    &fleet.top_workloads,
                    None,
                    None,
                )}
                <h3>"Node pools with the most idle cost"</h3>
                {core_table(
                    &report,
                    "fleet-idle-pools",
                    columns::IDLE_POOLS,
                    &all_keys(columns::IDLE_POOLS),
                    &fleet.idle_pools,
                    None,
                    None,
                )}
            </section>
            {merged}
        </section>
    }
}

/// Every cluster's rows in the core's tables, a Cluster column (with its filter) first, most
/// expensive first: what the fleet HTML page shows below its top lists.
fn merged_tables(fleet: &Fleet) -> impl IntoView + use<> {
    let workloads = rows_of(fleet, |r| &r.workloads, |w| w.monthly_cost);
    let nodes = rows_of(fleet, |r| &r.nodes, |n| n.monthly_cost);
    let namespaces = rows_of(fleet, |r| &r.namespaces, |n| n.monthly_cost);
    let pools = rows_of(
        fleet,
        |r| r.repack.as_ref().map_or(&[], |p| p.pools.as_slice()),
        |p| p.current_monthly_cost - p.monthly_cost,
    );
    let warnings = rows_of(fleet, |r| &r.warnings, |_| 0.0);
    view! {
        <section class="panel" id="fleet-merged">
            <h3>{format!("Workloads ({})", group_thousands(workloads.len()))}</h3>
            {fleet_table(
                "fleet-workloads",
                report_columns::WORKLOADS,
                report_columns::WORKLOADS_VIEW.people,
                &workloads,
            )}
            <h3>{format!("Nodes ({})", group_thousands(nodes.len()))}</h3>
            {fleet_table(
                "fleet-nodes",
                report_columns::NODES,
                report_columns::NODES_VIEW.people,
                &nodes,
            )}
            <h3>{format!("Namespaces ({})", group_thousands(namespaces.len()))}</h3>
            {fleet_table(
                "fleet-namespaces",
                report_columns::NAMESPACES,
                report_columns::NAMESPACES_VIEW.people,
                &namespaces,
            )}
            <h3>{format!("Re-packing plans per pool ({})", group_thousands(pools.len()))}</h3>
            {fleet_table(
                "fleet-repack-pools",
                report_columns::REPACK_POOLS,
                report_columns::REPACK_POOLS_VIEW.people,
                &pools,
            )}
            <h3>{format!("Warnings in the clusters' reports ({})", group_thousands(warnings.len()))}</h3>
            {fleet_table(
                "fleet-warnings",
                report_columns::WARNINGS,
                report_columns::WARNINGS_VIEW.people,
                &warnings,
            )}
        </section>
    }
}
