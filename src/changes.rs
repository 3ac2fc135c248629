//! The Changes tab: this analysis compared with an earlier report dropped next to the snapshot
//! (the core's `report::diff`): what changed since, and which of the earlier recommendations were
//! applied, with the money they save. Every figure and text comes from the core's [`Diff`]; the
//! exports are the CLI's `kube-rightsize diff` outputs.

use std::sync::Arc;

use kube_rightsize_core::format::fmt_usd;
use kube_rightsize_core::report::Report;
use kube_rightsize_core::report::diff::render::{render, signed_usd};
use kube_rightsize_core::report::diff::{Diff, columns};
use kube_rightsize_core::report::export::ExportFormat;
use leptos::prelude::*;

use crate::files::download;
use crate::report_view::core_table;

fn keys<R>(table: &'static [kube_rightsize_core::report::columns::Column<R>]) -> Vec<&'static str> {
    table.iter().map(|c| c.key).collect()
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
    let cost = diff
        .summary
        .iter()
        .find(|c| c.name == "monthly_cost")
        .map_or(0.0, |c| c.change);
    let cards = [
        ("Monthly cost change", signed_usd(cost), "changes-cost"),
        (
            "Savings realised",
            fmt_usd(r.monthly_savings),
            "changes-realised",
        ),
        (
            "Savings still open",
            fmt_usd(r.open_monthly_savings),
            "changes-open",
        ),
        (
            "Recommendations applied",
            format!("{} of {}", r.applied, r.cells.len()),
            "changes-applied",
        ),
    ];
    let before = &diff.before;
    let about = format!(
        "Compared with the report of {} generated {} (prices as of {}). {}",
        before.cluster.as_deref().unwrap_or("this cluster"),
        before.generated_at,
        before.prices_as_of.as_deref().unwrap_or("an unknown date"),
        if r.had_recommendations {
            format!(
                "Its recommendations promised {} a month; a request now within 10% of its \
                 recommendation counts as applied, valued at the earlier prices and pod counts.",
                fmt_usd(r.earlier_monthly_savings)
            )
        } else {
            "It has no recommendations to follow up (analyse it with a KRR result, usage or \
             Prometheus)."
                .to_owned()
        }
    );
    let export_error = RwSignal::new(None::<String>);
    let exports = [
        (
            "Comparison HTML",
            ExportFormat::Html,
            "export-changes-html",
            ".html",
        ),
        (
            "Comparison JSON",
            ExportFormat::Json,
            "export-changes-json",
            ".json",
        ),
        (
            "Workload changes CSV",
            ExportFormat::WorkloadsCsv,
            "export-changes-csv",
            ".csv",
        ),
    ];
    let date = diff
        .after
        .generated_at
        .get(..10)
        .unwrap_or_default()
        .to_owned();
    let warnings: Vec<String> = diff.warnings.iter().map(|w| w.message.clone()).collect();
    view! {
        <div class="changes" id="changes">
            <div class="cards">
                {cards
                    .into_iter()
                    .map(|(label, value, id)| {
                        view! {
                            <div class="card" id=id>
                                <div class="label">{label}</div>
                                <div class="value">{value}</div>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
            <p class="muted" id="changes-about">{about}</p>
            {warnings
                .into_iter()
                .map(|w| view! { <p class="warning">{w}</p> })
                .collect_view()}
            <div class="row export-bar">
                <span class="muted">"Export:"</span>
                {exports
                    .into_iter()
                    .map(|(label, format, id, ext)| {
                        let diff = Arc::clone(&diff);
                        let name = format!("kube-rightsize-changes-{date}{ext}");
                        view! {
                            <button
                                id=id
                                on:click=move |_| {
                                    let body = render(&diff, format);
                                    export_error
                                        .set(download(&name, format.mime(), body.as_bytes()).err());
                                }
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
                {move || export_error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
            </div>
            <h3>"Recommendations followed up"</h3>
            {core_table(
                &report,
                "changes-recommendations",
                columns::CELLS,
                &keys(columns::CELLS),
                &diff.realised.cells,
                None,
                None,
            )}
            <h3>"Workloads changed, added or removed"</h3>
            {core_table(
                &report,
                "changes-workloads",
                columns::WORKLOADS,
                &keys(columns::WORKLOADS),
                &diff.workloads,
                None,
                None,
            )}
            <h3>"Node pools"</h3>
            {core_table(
                &report,
                "changes-pools",
                columns::CHANGES,
                &keys(columns::CHANGES),
                &diff.node_pools,
                None,
                None,
            )}
            <h3>"Namespaces"</h3>
            {core_table(
                &report,
                "changes-namespaces",
                columns::CHANGES,
                &keys(columns::CHANGES),
                &diff.namespaces,
                None,
                None,
            )}
        </div>
    }
}
