//! The Changes tab: this analysis compared with an earlier report dropped next to the snapshot
//! (the core's `report::diff`): what changed since, and which of the earlier recommendations were
//! applied, with the money they save. Every figure and text comes from the core's [`Diff`]; the
//! exports are the CLI's `kube-rightsize diff` outputs.

use std::sync::Arc;

use kube_rightsize_core::format::fmt_usd;
use kube_rightsize_core::report::Report;
use kube_rightsize_core::report::diff::fleet::{self, FleetDiff};
use kube_rightsize_core::report::diff::render::{render, signed_usd};
use kube_rightsize_core::report::diff::{Change, Diff, TOLERANCE, columns};
use kube_rightsize_core::report::export::ExportFormat;
use leptos::prelude::*;

use crate::report_view::{ExportButton, all_keys, cards, core_table, export_buttons};

/// A comparison's cards: the cost change (`title`), the savings realised and still open (`ids`
/// of these three), and `last`.
fn change_cards(
    (title, ids): (&'static str, [&'static str; 3]),
    summary: &[Change],
    (realised, open): (f64, f64),
    last: (&'static str, String, &'static str),
) -> Vec<(&'static str, String, &'static str)> {
    let cost = summary
        .iter()
        .find(|c| c.name == "monthly_cost")
        .map_or(0.0, |c| c.change);
    vec![
        (title, signed_usd(cost), ids[0]),
        ("Savings realised", fmt_usd(realised), ids[1]),
        ("Savings still open", fmt_usd(open), ids[2]),
        last,
    ]
}

/// A comparison's exports (`ids`: its HTML page, JSON and workload changes CSV), as files
/// `{stem}.html`, `.json` and `.csv`, each rendered by `render` when clicked.
fn comparison_exports(
    ids: [&'static str; 3],
    stem: &str,
    render: impl Fn(ExportFormat) -> String + Send + Sync + 'static,
) -> Vec<ExportButton> {
    let render = Arc::new(render);
    [
        ("Comparison HTML", ExportFormat::Html, ".html"),
        ("Comparison JSON", ExportFormat::Json, ".json"),
        ("Workload changes CSV", ExportFormat::WorkloadsCsv, ".csv"),
    ]
    .into_iter()
    .zip(ids)
    .map(|((label, format, ext), id)| {
        let render = Arc::clone(&render);
        ExportButton {
            label,
            id,
            file_name: format!("{stem}{ext}"),
            mime: format.mime(),
            body: Arc::new(move || Ok(render(format))),
        }
    })
    .collect()
}

/// The comparison: cards, what the earlier report was, exports, then its tables.
#[component]
pub fn ChangesTab(
    /// The comparison.
    diff: Arc<Diff>,
    /// This analysis's report (the tables' unused argument).
    report: Arc<Report>,
) -> impl IntoView {
    let r = &diff.realised;
    let cards_list = change_cards(
        (
            "Monthly cost change",
            ["changes-cost", "changes-realised", "changes-open"],
        ),
        &diff.summary,
        (r.monthly_savings, r.open_monthly_savings),
        (
            "Recommendations applied",
            format!("{} of {}", r.applied, r.cells.len()),
            "changes-applied",
        ),
    );
    let before = &diff.before;
    let about = format!(
        "Compared with the report of {} generated {} (prices as of {}). {}",
        before.cluster.as_deref().unwrap_or("this cluster"),
        before.generated_at,
        before.prices_as_of.as_deref().unwrap_or("an unknown date"),
        if r.had_recommendations {
            format!(
                "Its recommendations promised {} a month; a request now within {}% of its \
                 recommendation counts as applied, valued at the earlier prices and pod counts.",
                fmt_usd(r.earlier_monthly_savings),
                TOLERANCE * 100.0
            )
        } else {
            "It has no recommendations to follow up (analyse it with a KRR result, usage or \
             Prometheus)."
                .to_owned()
        }
    );
    let date = diff
        .after
        .generated_at
        .get(..10)
        .unwrap_or_default()
        .to_owned();
    let exports = comparison_exports(
        [
            "export-changes-html",
            "export-changes-json",
            "export-changes-csv",
        ],
        &format!("kube-rightsize-changes-{date}"),
        {
            let diff = Arc::clone(&diff);
            move |format| render(&diff, format)
        },
    );
    let warnings: Vec<String> = diff.warnings.iter().map(|w| w.message.clone()).collect();
    view! {
        <div class="changes" id="changes">
            {cards("changes-summary", cards_list)}
            <p class="muted" id="changes-about">{about}</p>
            {warnings
                .into_iter()
                .map(|w| view! { <p class="warning">{w}</p> })
                .collect_view()}
            {export_buttons(exports)}
            <h3>"Recommendations followed up"</h3>
            {core_table(
                &report,
                "changes-recommendations",
                columns::CELLS,
                &all_keys(columns::CELLS),
                &diff.realised.cells,
                None,
                None,
            )}
            <h3>"Workloads changed, added or removed"</h3>
            {core_table(
                &report,
                "changes-workloads",
                columns::WORKLOADS,
                &all_keys(columns::WORKLOADS),
                &diff.workloads,
                None,
                None,
            )}
            <h3>"Node pools"</h3>
            {core_table(
                &report,
                "changes-pools",
                columns::CHANGES,
                &all_keys(columns::CHANGES),
                &diff.node_pools,
                None,
                None,
            )}
            <h3>"Namespaces"</h3>
            {core_table(
                &report,
                "changes-namespaces",
                columns::CHANGES,
                &all_keys(columns::CHANGES),
                &diff.namespaces,
                None,
                None,
            )}
        </div>
    }
}

/// Several clusters compared with their earlier reports (the core's `report::diff::fleet`):
/// the fleet's cost change, the savings realised and still open, each cluster's change, and the
/// exports of `kube-rightsize diff` for two fleets.
#[component]
pub fn FleetChanges(
    /// The comparison.
    diff: Arc<FleetDiff>,
    /// This analysis's report (the tables' unused argument).
    report: Arc<Report>,
) -> impl IntoView {
    let cards_list = change_cards(
        (
            "Fleet cost change",
            [
                "fleet-changes-cost",
                "fleet-changes-realised",
                "fleet-changes-open",
            ],
        ),
        &diff.summary,
        (diff.realised_monthly_savings, diff.open_monthly_savings),
        (
            "Clusters compared",
            format!("{} of {}", diff.comparisons.len(), diff.clusters.len()),
            "fleet-changes-compared",
        ),
    );
    let about = format!(
        "Compared with the earlier reports of {} (the newest generated {}): clusters are matched \
         by name; rename a cluster above to match its earlier report.",
        kube_rightsize_core::format::count_of(
            diff.clusters.iter().filter(|c| c.before.is_some()).count(),
            "cluster"
        ),
        diff.before_generated_at
    );
    let date = diff
        .after_generated_at
        .get(..10)
        .unwrap_or_default()
        .to_owned();
    let exports = comparison_exports(
        [
            "export-fleet-changes-html",
            "export-fleet-changes-json",
            "export-fleet-changes-csv",
        ],
        &format!("kube-rightsize-fleet-changes-{date}"),
        {
            let diff = Arc::clone(&diff);
            move |format| fleet::render(&diff, format)
        },
    );
    let warnings: Vec<String> = diff.warnings.iter().map(|w| w.message.clone()).collect();
    view! {
        <section class="panel changes" id="fleet-changes" aria-label="Changes since the earlier reports">
            <h3>"Changes since the earlier reports"</h3>
            {cards("fleet-changes-summary", cards_list)}
            <p class="muted" id="fleet-changes-about">{about}</p>
            {warnings
                .into_iter()
                .map(|w| view! { <p class="warning">{w}</p> })
                .collect_view()}
            {export_buttons(exports)}
            {core_table(
                &report,
                "fleet-changes-clusters",
                columns::CHANGES,
                &all_keys(columns::CHANGES),
                &diff.clusters,
                None,
                None,
            )}
        </section>
    }
}
