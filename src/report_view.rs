//! The report: summary figures, then tabs of tables. Every figure comes from the core's
//! [`Report`]; this module only lays it out.

use std::sync::Arc;

use kube_rightsize_core::cluster::InputSummary;
use kube_rightsize_core::format::{fmt_bytes, fmt_usd, trim_decimal};
use kube_rightsize_core::report::Report;
use kube_rightsize_core::report::export::{ExportFormat, ExportOptions, export_file_name, render};
use kube_rightsize_core::report::html::render_charts;
use kube_rightsize_core::suggest::describe as suggest_describe;
use leptos::prelude::*;

use crate::files::download;
use crate::table::{Cell, Column, DataTable};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Workloads,
    Nodes,
    Namespaces,
    Pools,
    Warnings,
    Diagnostics,
}

impl Tab {
    const ALL: [Tab; 6] = [
        Tab::Workloads,
        Tab::Nodes,
        Tab::Namespaces,
        Tab::Pools,
        Tab::Warnings,
        Tab::Diagnostics,
    ];
    fn title(self) -> &'static str {
        match self {
            Tab::Workloads => "Workloads",
            Tab::Nodes => "Nodes",
            Tab::Namespaces => "Namespaces",
            Tab::Pools => "Node pools",
            Tab::Warnings => "Warnings",
            Tab::Diagnostics => "Diagnostics",
        }
    }
    fn id(self) -> &'static str {
        match self {
            Tab::Workloads => "tab-workloads",
            Tab::Nodes => "tab-nodes",
            Tab::Namespaces => "tab-namespaces",
            Tab::Pools => "tab-pools",
            Tab::Warnings => "tab-warnings",
            Tab::Diagnostics => "tab-diagnostics",
        }
    }
}

/// 32 random bytes from the browser's CSPRNG, for one export's pseudonyms.
fn random_key() -> Result<Vec<u8>, String> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or("this browser has no crypto.getRandomValues: cannot anonymise")?;
    let mut key = vec![0u8; 32];
    crypto
        .get_random_values_with_u8_array(&mut key)
        .map_err(|_| "crypto.getRandomValues failed: cannot anonymise".to_string())?;
    Ok(key)
}

fn cores(v: f64) -> String {
    trim_decimal(v, 3)
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

/// The report for one analysis.
#[component]
pub fn ReportView(
    /// The report.
    report: Arc<Report>,
    /// What each snapshot input held (the HTML export lists them).
    inputs: Arc<Vec<InputSummary>>,
    /// One line per node, how it was mapped (Diagnostics tab).
    node_descriptions: Arc<Vec<String>>,
) -> impl IntoView {
    view! {
        <section id="report" aria-label="Report">
            <ExportBar report=Arc::clone(&report) inputs=Arc::clone(&inputs) />
            <p class="pricing-note" id="pricing-note">{report.pricing.summary.clone()}</p>
            <SummaryCards report=Arc::clone(&report) />
            // The core renders the charts (inline SVG, every label escaped), the same as in the
            // exported report.
            <details class="panel report-charts" open>
                <summary>"Charts"</summary>
                <div inner_html=render_charts(&report)></div>
            </details>
            <ReportTabs report=report inputs=inputs node_descriptions=node_descriptions />
        </section>
    }
}

/// The cluster name, "Anonymise names" and the export buttons (every format rendered by the
/// core's `report::export::render`, byte-identical to the CLI's).
#[component]
fn ExportBar(report: Arc<Report>, inputs: Arc<Vec<InputSummary>>) -> impl IntoView {
    let cluster_name = RwSignal::new(String::new());
    let anonymise = RwSignal::new(false);
    let export_error = RwSignal::new(None::<String>);
    let export = move |format: ExportFormat| {
        let key = if anonymise.get_untracked() {
            match random_key() {
                Ok(k) => Some(k),
                Err(e) => {
                    export_error.set(Some(e));
                    return;
                }
            }
        } else {
            None
        };
        let typed = cluster_name.get_untracked();
        let typed = typed.trim();
        let body = render(
            &report,
            &ExportOptions {
                format,
                cluster_name: (!typed.is_empty()).then(|| typed.to_owned()),
                inputs: inputs.as_ref().clone(),
                anonymise_key: key.clone(),
                explain_nodes: false,
            },
        );
        let file_cluster = if key.is_some() || typed.is_empty() {
            "cluster"
        } else {
            typed
        };
        let name = export_file_name(file_cluster, &report.generated_at, format);
        export_error.set(download(&name, format.mime(), body.as_bytes()).err());
    };
    let exports = [
        ("HTML report", ExportFormat::Html, "export-html"),
        ("JSON report", ExportFormat::Json, "export-json"),
        (
            "Workloads CSV",
            ExportFormat::WorkloadsCsv,
            "export-workloads-csv",
        ),
        ("Nodes CSV", ExportFormat::NodesCsv, "export-nodes-csv"),
        (
            "Namespaces CSV",
            ExportFormat::NamespacesCsv,
            "export-namespaces-csv",
        ),
    ];
    view! {
        <div class="row export-bar">
            <label>
                "Cluster name "
                <input
                    type="text"
                    id="cluster-name"
                    placeholder="cluster"
                    prop:value=move || cluster_name.get()
                    on:input=move |ev| cluster_name.set(event_target_value(&ev))
                />
            </label>
            <label title="Namespaces, workloads, containers, nodes and pools become pseudonyms keyed by a fresh random key per export; instance types, regions and numbers stay">
                <input
                    type="checkbox"
                    id="anonymise"
                    prop:checked=move || anonymise.get()
                    on:change=move |ev| anonymise.set(event_target_checked(&ev))
                />
                " Anonymise names"
            </label>
            <span class="muted">"Export:"</span>
            {exports
                .into_iter()
                .map(|(label, format, id)| {
                    let export = export.clone();
                    view! { <button id=id on:click=move |_| export(format)>{label}</button> }
                })
                .collect_view()}
            {move || export_error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </div>
    }
}

/// The summary cards: cost, allocated, idle, savings, and the counts.
#[component]
fn SummaryCards(report: Arc<Report>) -> impl IntoView {
    let s = &report.summary;
    let cards = [
        ("Monthly cost", fmt_usd(s.monthly_cost), "card-cost"),
        (
            "Allocated to requests",
            fmt_usd(s.allocated_monthly_cost),
            "card-allocated",
        ),
        (
            "Idle (paid, not requested)",
            fmt_usd(s.idle_monthly_cost),
            "card-idle",
        ),
        (
            "Potential savings",
            fmt_usd(s.monthly_savings),
            "card-savings",
        ),
        ("Nodes", s.nodes.to_string(), "card-nodes"),
        ("Pods", s.pods.to_string(), "card-pods"),
        ("Workloads", s.workloads.to_string(), "card-workloads"),
        ("Namespaces", s.namespaces.to_string(), "card-namespaces"),
    ];
    view! {
        <div class="cards" id="summary">
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
    }
}

/// The tabs: workloads, nodes, namespaces, node pools, warnings, diagnostics.
#[component]
fn ReportTabs(
    report: Arc<Report>,
    inputs: Arc<Vec<InputSummary>>,
    node_descriptions: Arc<Vec<String>>,
) -> impl IntoView {
    let tab = RwSignal::new(Tab::Workloads);
    let warnings = report.warnings.len();
    view! {
        <section class="panel">
            <nav class="tabs" role="tablist">
                {Tab::ALL
                    .into_iter()
                    .map(|t| {
                        let count = match t {
                            Tab::Warnings => format!(" ({warnings})"),
                            _ => String::new(),
                        };
                        view! {
                            <button
                                role="tab"
                                id=t.id()
                                aria-selected=move || (tab.get() == t).to_string()
                                on:click=move |_| tab.set(t)
                            >
                                {t.title()}
                                {count}
                            </button>
                        }
                    })
                    .collect_view()}
            </nav>
            {move || match tab.get() {
                Tab::Workloads => workloads_table(&report).into_any(),
                Tab::Nodes => nodes_table(&report).into_any(),
                Tab::Namespaces => namespaces_table(&report).into_any(),
                Tab::Pools => pools_table(&report).into_any(),
                Tab::Warnings => warnings_table(&report).into_any(),
                Tab::Diagnostics => diagnostics(&inputs, &node_descriptions).into_any(),
            }}
        </section>
    }
}

fn workloads_table(report: &Report) -> impl IntoView + use<> {
    let columns = vec![
        Column::text("Namespace").facet(),
        Column::text("Kind").facet(),
        Column::text("Name"),
        Column::text("Severity").facet(),
        Column::number("Pods"),
        Column::number("CPU req (cores)"),
        Column::number("Memory req"),
        Column::text("Instance types"),
        Column::money("Monthly cost"),
        Column::money("Savings / month"),
    ];
    let rows: Vec<Vec<Cell>> = report
        .workloads
        .iter()
        .map(|w| {
            let containers = w
                .containers
                .iter()
                .map(|c| {
                    let now = format!(
                        "{}: cpu {} / mem {}",
                        c.name,
                        c.requests.cpu_cores.map(cores).unwrap_or_else(|| "—".into()),
                        c.requests.memory_bytes.map(fmt_bytes).unwrap_or_else(|| "—".into())
                    );
                    match &c.recommended {
                        Some(r) => format!(
                            "{now} → cpu {} / mem {} ({}{}){}",
                            r.requests.cpu_cores.map(cores).unwrap_or_else(|| "?".into()),
                            r.requests.memory_bytes.map(fmt_bytes).unwrap_or_else(|| "?".into()),
                            r.source,
                            if r.low_confidence { ", low confidence" } else { "" },
                            r.info.as_ref().map(|i| format!(": {i}")).unwrap_or_default()
                        ),
                        None => now,
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            vec![
                Cell::text(&w.namespace),
                Cell::text(&w.kind),
                Cell::text(&w.name).with_title(containers),
                {
                    let sev = w.severity.clone().unwrap_or_else(|| "—".into());
                    let class = match sev.as_str() {
                        "GOOD" => "sev-GOOD",
                        "OK" => "sev-OK",
                        "WARNING" => "sev-WARNING",
                        "CRITICAL" => "sev-CRITICAL",
                        _ => "sev-UNKNOWN",
                    };
                    Cell::text(sev).with_class(class)
                },
                // Pods holding resources, as the CLI table and the HTML report count them.
                Cell::num(w.running_pods as f64, w.running_pods.to_string()).with_title(format!(
                    "{} of {} pods hold resources (the others have finished or are pending)",
                    w.running_pods, w.pods
                )),
                Cell::num(w.requests.cpu_cores, cores(w.requests.cpu_cores)),
                Cell::num(w.requests.memory_bytes as f64, fmt_bytes(w.requests.memory_bytes)),
                Cell::text(w.instance_types.join(", ")),
                Cell::num(w.monthly_cost, fmt_usd(w.monthly_cost)).with_title(if w.price_estimate {
                    "includes nodes priced with fallback rates (an estimate)"
                } else {
                    "Σ over its pods of CPU cores × the node's $/core-h + memory GiB × the node's $/GiB-h, × 730 h"
                }),
                Cell::num(w.monthly_savings, fmt_usd(w.monthly_savings)),
            ]
        })
        .collect();
    view! { <DataTable id="workloads" columns=columns rows=Arc::new(rows) money=fmt_usd initial_sort=8 /> }
}

fn nodes_table(report: &Report) -> impl IntoView + use<> {
    let columns = vec![
        Column::text("Name"),
        Column::text("Instance type").facet(),
        Column::text("Region / zone"),
        Column::text("Capacity").facet(),
        Column::text("Pool").facet(),
        Column::number("CPU requested"),
        Column::number("Memory requested"),
        Column::text("Price"),
        Column::text("Source").facet(),
        Column::money("Monthly cost"),
        Column::money("Idle / month"),
    ];
    let rows: Vec<Vec<Cell>> = report
        .nodes
        .iter()
        .map(|n| {
            let cpu_pct = n.cpu_requested_percent();
            let mem_pct = n.memory_requested_percent();
            let pct_text = |p: Option<f64>| {
                p.map_or_else(|| "—".to_owned(), |p| format!("{}%", trim_decimal(p, 0)))
            };
            vec![
                Cell::text(&n.name),
                Cell::text(or_dash(&n.instance_type)),
                Cell::text(format!("{} / {}", or_dash(&n.region), or_dash(&n.zone))),
                Cell::text(n.capacity_type.as_str()),
                Cell::text(or_dash(&n.pool)),
                Cell::num(cpu_pct.unwrap_or(0.0), pct_text(cpu_pct)).with_title(format!(
                    "{} of {} cores",
                    cores(n.requested.cpu_cores),
                    cores(n.allocatable.cpu_cores)
                )),
                Cell::num(mem_pct.unwrap_or(0.0), pct_text(mem_pct)).with_title(format!(
                    "{} of {}",
                    fmt_bytes(n.requested.memory_bytes),
                    fmt_bytes(n.allocatable.memory_bytes)
                )),
                Cell::text(format!("${}/h", trim_decimal(n.hourly_price, 6)))
                    .with_title(n.explanation.clone()),
                Cell::text(n.price_source.as_str()),
                Cell::num(n.monthly_cost, fmt_usd(n.monthly_cost))
                    .with_title(n.explanation.clone()),
                Cell::num(n.idle_monthly_cost, fmt_usd(n.idle_monthly_cost)),
            ]
        })
        .collect();
    view! { <DataTable id="nodes" columns=columns rows=Arc::new(rows) money=fmt_usd initial_sort=9 /> }
}

fn namespaces_table(report: &Report) -> impl IntoView + use<> {
    let columns = vec![
        Column::text("Namespace"),
        Column::number("Workloads"),
        Column::number("Pods"),
        Column::money("Monthly cost"),
        Column::money("Savings / month"),
    ];
    let rows: Vec<Vec<Cell>> = report
        .namespaces
        .iter()
        .map(|n| {
            vec![
                Cell::text(&n.name),
                Cell::num(n.workloads as f64, n.workloads.to_string()),
                Cell::num(n.pods as f64, n.pods.to_string()),
                Cell::num(n.monthly_cost, fmt_usd(n.monthly_cost)),
                Cell::num(n.monthly_savings, fmt_usd(n.monthly_savings)),
            ]
        })
        .collect();
    view! { <DataTable id="namespaces" columns=columns rows=Arc::new(rows) money=fmt_usd initial_sort=3 /> }
}

fn pools_table(report: &Report) -> impl IntoView + use<> {
    let columns = vec![
        Column::text("Pool"),
        Column::text("Provider"),
        Column::text("Region"),
        Column::text("Instance types"),
        Column::text("Capacity"),
        Column::number("Nodes"),
        Column::number("CPU requested / allocatable"),
        Column::money("Monthly cost"),
        Column::money("Idle / month"),
        Column::text("Best suggestion"),
        Column::money("Savings / month"),
    ];
    let rows: Vec<Vec<Cell>> = report
        .node_pools
        .iter()
        .map(|p| {
            vec![
                Cell::text(or_dash(&p.name)),
                Cell::text(p.provider.as_str()),
                Cell::text(or_dash(&p.region)),
                Cell::text(p.instance_types.join(", ")),
                Cell::text(p.capacity_type.map(|c| c.as_str()).unwrap_or("mixed")),
                Cell::num(p.nodes.len() as f64, p.nodes.len().to_string()),
                Cell::num(
                    p.requested.cpu_cores,
                    format!(
                        "{} / {}",
                        cores(p.requested.cpu_cores),
                        cores(p.allocatable.cpu_cores)
                    ),
                ),
                Cell::num(p.monthly_cost, fmt_usd(p.monthly_cost)),
                Cell::num(p.idle_monthly_cost, fmt_usd(p.idle_monthly_cost)),
                match p.suggestions.first() {
                    Some(best) => Cell::text(suggest_describe(best)).with_title(
                        p.suggestions
                            .iter()
                            .map(suggest_describe)
                            .chain(p.assumptions.iter().cloned())
                            .collect::<Vec<_>>()
                            .join("\n"),
                    ),
                    None => {
                        Cell::text("—").with_title(p.suggestions_reason.clone().unwrap_or_default())
                    }
                },
                Cell::num(p.best_monthly_savings, fmt_usd(p.best_monthly_savings)),
            ]
        })
        .collect();
    let nr = &report.node_recommendations;
    let note = format!(
        "Best node shapes at {}% target utilisation would save {} per month across {} pools. {}",
        trim_decimal(nr.target_utilisation * 100.0, 0),
        fmt_usd(nr.total_monthly_savings),
        nr.pools_with_suggestions,
        nr.note
    );
    view! {
        <p class="muted" id="node-recommendations">{note}</p>
        <DataTable id="pools" columns=columns rows=Arc::new(rows) money=fmt_usd initial_sort=7 />
    }
}

fn warnings_table(report: &Report) -> impl IntoView + use<> {
    let columns = vec![
        Column::text("Code").facet(),
        Column::text("Object"),
        Column::text("Message"),
    ];
    let rows: Vec<Vec<Cell>> = report
        .warnings
        .iter()
        .map(|w| {
            vec![
                Cell::text(&w.code).with_class("warn-code"),
                Cell::text(&w.object),
                Cell::text(&w.message),
            ]
        })
        .collect();
    view! { <DataTable id="warnings" columns=columns rows=Arc::new(rows) money=fmt_usd /> }
}

fn diagnostics(inputs: &[InputSummary], nodes: &[String]) -> impl IntoView + use<> {
    let inputs = inputs
        .iter()
        .map(|i| {
            format!(
                "Input {} ({:?}): {} nodes, {} pods, {} other objects, {} ignored, {} duplicates",
                i.name, i.format, i.nodes, i.pods, i.other_objects, i.ignored_objects, i.duplicates
            )
        })
        .collect::<Vec<_>>();
    let text = inputs
        .into_iter()
        .chain(nodes.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n");
    view! { <pre class="diag" id="diagnostics">{text}</pre> }
}
