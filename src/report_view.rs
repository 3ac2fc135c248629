//! The report: summary figures, then tabs of tables. Every figure comes from the core's
//! [`Report`]; this module only lays it out.

use std::sync::Arc;

use kube_rightsize_core::cluster::InputSummary;
use kube_rightsize_core::format::{fmt_percent, fmt_usd, group_thousands};
use kube_rightsize_core::preferences::Preferences;
use kube_rightsize_core::repack::Repack;
use kube_rightsize_core::report::diff::Diff;
use kube_rightsize_core::report::export::{ExportFormat, ExportOptions, export_file_name, render};
use kube_rightsize_core::report::html::render_charts;
use kube_rightsize_core::report::{Report, columns};
use leptos::prelude::*;

use crate::changes::ChangesTab;
use crate::files::download;
use crate::groups::{GroupByBar, groups_tab};
use crate::patches::PatchesTab;
use crate::table::{Cell, Column, DataTable};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Changes,
    Workloads,
    Nodes,
    Namespaces,
    Pools,
    Repack,
    Volumes,
    Groups,
    Warnings,
    Patches,
    Diagnostics,
}

impl Tab {
    const ALL: [Tab; 11] = [
        Tab::Changes,
        Tab::Groups,
        Tab::Workloads,
        Tab::Nodes,
        Tab::Namespaces,
        Tab::Pools,
        Tab::Repack,
        Tab::Volumes,
        Tab::Warnings,
        Tab::Patches,
        Tab::Diagnostics,
    ];
    fn title(self) -> &'static str {
        match self {
            Tab::Changes => "Changes",
            Tab::Workloads => "Workloads",
            Tab::Nodes => "Nodes",
            Tab::Namespaces => "Namespaces",
            Tab::Pools => "Node pools",
            Tab::Repack => "Re-pack",
            Tab::Volumes => "Volumes & load balancers",
            Tab::Groups => "Costs by group",
            Tab::Warnings => "Warnings",
            Tab::Patches => "Patches",
            Tab::Diagnostics => "Diagnostics",
        }
    }
    fn id(self) -> &'static str {
        match self {
            Tab::Changes => "tab-changes",
            Tab::Workloads => "tab-workloads",
            Tab::Nodes => "tab-nodes",
            Tab::Namespaces => "tab-namespaces",
            Tab::Pools => "tab-pools",
            Tab::Repack => "tab-repack",
            Tab::Volumes => "tab-volumes",
            Tab::Groups => "tab-groups",
            Tab::Warnings => "tab-warnings",
            Tab::Patches => "tab-patches",
            Tab::Diagnostics => "tab-diagnostics",
        }
    }
}

/// 32 random bytes from the browser's CSPRNG, for one export's pseudonyms.
pub(crate) fn random_key() -> Result<Vec<u8>, String> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or("this browser has no crypto.getRandomValues: cannot anonymise")?;
    let mut key = vec![0u8; 32];
    crypto
        .get_random_values_with_u8_array(&mut key)
        .map_err(|_| "crypto.getRandomValues failed: cannot anonymise".to_string())?;
    Ok(key)
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
    /// The analysis compared with an earlier report (Changes tab, shown first), if one was given.
    #[prop(optional_no_strip)]
    comparison: Option<Arc<Diff>>,
    /// The snapshot's pod label keys with their pod counts (the "Group by" choices).
    #[prop(optional)]
    label_keys: Option<Arc<Vec<(String, usize)>>>,
    /// The preferences the "Group by" bar edits; without them there is no bar.
    #[prop(optional)]
    prefs: Option<RwSignal<Preferences>>,
    /// Called after the "Group by" bar changed the preferences (the app saves and re-runs).
    #[prop(optional)]
    on_prefs: Option<Callback<()>>,
) -> impl IntoView {
    let group_by = prefs.zip(on_prefs).map(|(prefs, on_change)| {
        let keys = label_keys.unwrap_or_default();
        view! { <GroupByBar keys=keys prefs=prefs on_change=on_change /> }
    });
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
            {group_by}
            <ReportTabs
                report=report
                inputs=inputs
                node_descriptions=node_descriptions
                comparison=comparison
            />
        </section>
    }
}

/// The cluster name, "Anonymise names" and the export buttons (every format rendered by the
/// core's `report::export::render`, byte-identical to the CLI's).
#[component]
fn ExportBar(report: Arc<Report>, inputs: Arc<Vec<InputSummary>>) -> impl IntoView {
    let has_groups = report.allocation.is_some();
    let has_repack = report.repack.is_some();
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
        ("Groups CSV", ExportFormat::GroupsCsv, "export-groups-csv"),
        ("Re-pack CSV", ExportFormat::RepackCsv, "export-repack-csv"),
        ("FOCUS CSV", ExportFormat::Focus, "export-focus"),
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
                .filter(|(_, format, _)| match format {
                    ExportFormat::GroupsCsv => has_groups,
                    ExportFormat::RepackCsv => has_repack,
                    _ => true,
                })
                .map(|(label, format, id)| {
                    let export = export.clone();
                    view! { <button id=id on:click=move |_| export(format)>{label}</button> }
                })
                .collect_view()}
            {move || export_error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </div>
    }
}

/// The summary cards: the whole bill (when it has more than the nodes), cost, allocated, idle
/// (and idle GPUs when the cluster has GPUs), savings, storage, load balancers and the control
/// plane (when not zero), and the counts.
#[component]
fn SummaryCards(report: Arc<Report>) -> impl IntoView {
    let s = &report.summary;
    let idle_gpu = columns::has_gpus(&report).then(|| {
        (
            "Idle GPUs (paid, not requested)",
            fmt_usd(s.idle_gpu_monthly_cost),
            "card-idle-gpu",
        )
    });
    let mut figures = vec![
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
    if let Some(card) = idle_gpu {
        figures.insert(3, card);
    }
    // Net prices: the list price beside the monthly cost.
    if let Some(list) = s.list_monthly_cost {
        figures.insert(1, ("At list price", fmt_usd(list), "card-list"));
    }
    // The whole bill, when it has more than the nodes.
    if let Some(bill) = s.bill_monthly_cost.filter(|b| *b > s.monthly_cost) {
        figures.insert(0, ("Whole bill per month", fmt_usd(bill), "card-bill"));
        if let Some(list) = s.list_bill_monthly_cost {
            figures.insert(
                1,
                ("Whole bill at list price", fmt_usd(list), "card-bill-list"),
            );
        }
        let rest = [
            ("Storage", s.storage_monthly_cost, "card-storage"),
            (
                "Load balancers",
                s.load_balancer_monthly_cost,
                "card-load-balancers",
            ),
            (
                "Control plane",
                s.control_plane_monthly_cost,
                "card-control-plane",
            ),
        ];
        let at = figures.len() - 4;
        for (i, (label, v, id)) in rest.into_iter().filter(|r| r.1 > 0.0).enumerate() {
            figures.insert(at + i, (label, fmt_usd(v), id));
        }
    }
    cards("summary", figures)
}

/// The tabs: changes (when an earlier report was given; then shown first), workloads, nodes,
/// namespaces, node pools, re-pack (when the report has a re-packing), volumes and load
/// balancers (when the bill has any, or a control plane), warnings, patches (when the report has
/// recommendations), diagnostics.
#[component]
fn ReportTabs(
    report: Arc<Report>,
    inputs: Arc<Vec<InputSummary>>,
    node_descriptions: Arc<Vec<String>>,
    comparison: Option<Arc<Diff>>,
) -> impl IntoView {
    let has_changes = comparison.is_some();
    let tab = RwSignal::new(if has_changes {
        Tab::Changes
    } else {
        Tab::Workloads
    });
    let warnings = report.warnings.len();
    let patches = report.patches.clone().map(Arc::new);
    let has_patches = patches.is_some();
    let has_bill = columns::has_bill(&report) || report.control_plane.is_some();
    let has_repack = report.repack.is_some();
    let groups_title = report.allocation.as_ref().map(columns::allocation_title);
    let tab = if groups_title.is_some() && !has_changes {
        RwSignal::new(Tab::Groups)
    } else {
        tab
    };
    view! {
        <section class="panel">
            <nav class="tabs" role="tablist">
                {Tab::ALL
                    .into_iter()
                    .filter(|t| *t != Tab::Patches || has_patches)
                    .filter(|t| *t != Tab::Changes || has_changes)
                    .filter(|t| *t != Tab::Volumes || has_bill)
                    .filter(|t| *t != Tab::Repack || has_repack)
                    .filter(|t| *t != Tab::Groups || groups_title.is_some())
                    .map(|t| {
                        let title = match (t, &groups_title) {
                            (Tab::Groups, Some(title)) => title.clone(),
                            _ => t.title().to_owned(),
                        };
                        let count = match (t, &patches) {
                            (Tab::Warnings, _) => format!(" ({warnings})"),
                            (Tab::Patches, Some(p)) => format!(" ({})", p.applicable().count()),
                            _ => String::new(),
                        };
                        view! {
                            <button
                                role="tab"
                                id=t.id()
                                aria-selected=move || (tab.get() == t).to_string()
                                on:click=move |_| tab.set(t)
                            >
                                {title}
                                {count}
                            </button>
                        }
                    })
                    .collect_view()}
            </nav>
            {move || match tab.get() {
                Tab::Changes => comparison
                    .clone()
                    .map(|d| view! { <ChangesTab diff=d report=Arc::clone(&report) /> })
                    .into_any(),
                Tab::Workloads => workloads_table(&report).into_any(),
                Tab::Nodes => nodes_table(&report).into_any(),
                Tab::Namespaces => namespaces_table(&report).into_any(),
                Tab::Pools => pools_table(&report).into_any(),
                Tab::Repack => report
                    .repack
                    .as_ref()
                    .map(|r| repack_tab(&report, r))
                    .into_any(),
                Tab::Volumes => bill_tab(&report).into_any(),
                Tab::Groups => report
                    .allocation
                    .as_ref()
                    .map(|a| groups_tab(&report, a))
                    .into_any(),
                Tab::Warnings => warnings_table(&report).into_any(),
                Tab::Patches => patches
                    .clone()
                    .map(|p| view! { <PatchesTab patches=p /> })
                    .into_any(),
                Tab::Diagnostics => diagnostics(&inputs, &node_descriptions).into_any(),
            }}
        </section>
    }
}

/// A row of figure cards `(label, value, id)` in a `div.cards` with `id`.
pub(crate) fn cards(
    id: &'static str,
    cards: Vec<(&'static str, String, &'static str)>,
) -> impl IntoView {
    view! {
        <div class="cards" id=id>
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

/// Every key of one of the core's tables (a table shown whole).
pub(crate) fn all_keys<R>(table: &'static [columns::Column<R>]) -> Vec<&'static str> {
    table.iter().map(|c| c.key).collect()
}

/// One export button: its label and id, the file it downloads, and the core's rendering of it.
pub(crate) struct ExportButton {
    /// The button's text.
    pub label: &'static str,
    /// The button's id.
    pub id: &'static str,
    /// The downloaded file's name.
    pub file_name: String,
    /// Its MIME type.
    pub mime: &'static str,
    /// Its contents, rendered when clicked (or why they cannot be).
    pub body: Arc<dyn Fn() -> Result<String, String> + Send + Sync>,
}

/// "Export:" and a button per file, with any download error.
pub(crate) fn export_buttons(buttons: Vec<ExportButton>) -> impl IntoView {
    let export_error = RwSignal::new(None::<String>);
    view! {
        <div class="row export-bar">
            <span class="muted">"Export:"</span>
            {buttons
                .into_iter()
                .map(|b| {
                    view! {
                        <button
                            id=b.id
                            on:click=move |_| {
                                let result = (b.body)()
                                    .and_then(|body| download(&b.file_name, b.mime, body.as_bytes()));
                                export_error.set(result.err());
                            }
                        >
                            {b.label}
                        </button>
                    }
                })
                .collect_view()}
            {move || export_error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </div>
    }
}

/// One of the core's tables ([`columns`]): the columns its view for people names, a row per
/// item, sorted by `sort_by` at first. `detail` = (column, from) shows the `from` column's text
/// on hover over the `column` cells (a node's cost explanation over its monthly cost).
pub(crate) fn core_table<R: 'static>(
    report: &Report,
    id: &'static str,
    table: &'static [columns::Column<R>],
    keys: &[&str],
    items: &[R],
    sort_by: Option<&str>,
    detail: Option<(&str, &str)>,
) -> impl IntoView + use<R> {
    let picked = columns::pick(table, keys);
    let detail = detail.map(|(on, from)| {
        let on = columns::position(&picked, on).expect("a shown column");
        (on, columns::pick(table, &[from])[0])
    });
    let rows: Vec<Vec<Cell>> = items
        .iter()
        .map(|item| {
            let mut cells: Vec<Cell> = picked
                .iter()
                .map(|c| Cell::of(&(c.value)(report, item)))
                .collect();
            if let Some((on, from)) = detail {
                cells[on].title = Some((from.value)(report, item).display());
            }
            cells
        })
        .collect();
    let initial_sort = sort_by.and_then(|k| columns::position(&picked, k));
    let columns = picked.into_iter().map(Column::of).collect();
    view! { <DataTable id=id columns=columns rows=Arc::new(rows) money=fmt_usd initial_sort=initial_sort /> }
}

/// One of the core's tables over several clusters' rows (`kube_rightsize_core::report::fleet::
/// rows_of`): a Cluster column with its filter first, then the core's columns, each cell from
/// its row's own report.
pub(crate) fn fleet_table<R: 'static>(
    id: &'static str,
    table: &'static [columns::Column<R>],
    keys: &[&str],
    items: &[(&Report, &R)],
) -> impl IntoView + use<R> {
    let picked = columns::pick(table, keys);
    let rows: Vec<Vec<Cell>> = items
        .iter()
        .map(|(report, item)| {
            let mut cells = vec![Cell::text(report.cluster.clone().unwrap_or_default())];
            cells.extend(picked.iter().map(|c| Cell::of(&(c.value)(report, item))));
            cells
        })
        .collect();
    let mut cols = vec![Column {
        help: "The cluster whose report the row comes from",
        ..Column::text("Cluster").facet()
    }];
    cols.extend(picked.into_iter().map(Column::of));
    view! { <DataTable id=id columns=cols rows=Arc::new(rows) money=fmt_usd initial_sort=None /> }
}

fn workloads_table(report: &Report) -> impl IntoView + use<> {
    core_table(
        report,
        "workloads",
        columns::WORKLOADS,
        &columns::workloads_people(report),
        &report.workloads,
        Some("monthly_cost"),
        None,
    )
}

fn nodes_table(report: &Report) -> impl IntoView + use<> {
    core_table(
        report,
        "nodes",
        columns::NODES,
        &columns::nodes_people(report),
        &report.nodes,
        Some("monthly_cost"),
        Some(("monthly_cost", "explanation")),
    )
}

/// The Volumes tab: the control plane's line, the volumes and the load balancers (the core's
/// tables), and what the bill leaves out.
fn bill_tab(report: &Report) -> impl IntoView + use<> {
    let control = report
        .control_plane
        .as_ref()
        .map(|c| format!("Control plane: {}", columns::control_plane_line(c)));
    let volumes = (!report.volumes.is_empty()).then(|| {
        view! {
            <h3>{format!("Persistent volumes ({})", report.volumes.len())}</h3>
            {core_table(
                report,
                "volumes",
                columns::VOLUMES,
                columns::VOLUMES_VIEW.people,
                &report.volumes,
                Some("monthly_cost"),
                None,
            )}
        }
    });
    let balancers = (!report.load_balancers.is_empty()).then(|| {
        view! {
            <h3>{format!("Load balancers ({})", report.load_balancers.len())}</h3>
            {core_table(
                report,
                "load-balancers",
                columns::LOAD_BALANCERS,
                columns::LOAD_BALANCERS_VIEW.people,
                &report.load_balancers,
                Some("monthly_cost"),
                None,
            )}
        }
    });
    let notes = report.bill_notes.clone();
    view! {
        {control.map(|c| view! { <p id="control-plane">{c}</p> })}
        {volumes}
        {balancers}
        <ul class="muted" id="bill-notes">
            {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
        </ul>
    }
}

fn namespaces_table(report: &Report) -> impl IntoView + use<> {
    core_table(
        report,
        "namespaces",
        columns::NAMESPACES,
        &columns::namespaces_for(report, columns::NAMESPACES_VIEW.people),
        &report.namespaces,
        Some("monthly_cost"),
        None,
    )
}

fn pools_table(report: &Report) -> impl IntoView + use<> {
    let nr = &report.node_recommendations;
    let note = format!(
        "Best node shapes at {} target utilisation would save {} per month across {} pools. {}",
        fmt_percent(Some(nr.target_utilisation * 100.0)),
        fmt_usd(nr.total_monthly_savings),
        nr.pools_with_suggestions,
        nr.note
    );
    view! {
        <p class="muted" id="node-recommendations">{note}</p>
        {core_table(
            report,
            "pools",
            columns::POOLS,
            columns::POOLS_VIEW.people,
            &report.node_pools,
            Some("monthly_cost"),
            None,
        )}
    }
}

/// The Re-pack tab: the core's figure, breakdown and lower bound (cards and one sentence), the
/// per pool plans (the core's table) and the moves across pools, the nodes that could go today,
/// the pods that kept their node (the core's table) and what the figures assume.
fn repack_tab(report: &Report, r: &Repack) -> impl IntoView + use<> {
    let drainable = (!r.drainable_nodes.is_empty()).then(|| {
        view! {
            <h3>{format!("Nodes that could go today ({})", group_thousands(r.drainable_nodes.len()))}</h3>
            <p class="muted" id="repack-drainable-line">{columns::drainable_line(r)}</p>
            <p id="repack-drainable">{r.drainable_nodes.join(", ")}</p>
        }
    });
    let blocked = (r.blocked_total > 0).then(|| {
        view! {
            <h3>"What blocked further savings"</h3>
            <p class="muted" id="repack-blocked-line">{columns::blocked_line(r)}</p>
            {core_table(
                report,
                "repack-blocked",
                columns::REPACK_BLOCKED,
                columns::REPACK_BLOCKED_VIEW.people,
                &r.blocked,
                None,
                None,
            )}
        }
    });
    let moves =
        columns::moves_line(r).map(|line| view! { <p class="muted" id="repack-moves">{line}</p> });
    let notes = r.notes.clone();
    view! {
        {cards("repack-figures", columns::repack_figures(r))}
        <p class="muted" id="repack-headline">{columns::repack_headline(r)}</p>
        <h3>{format!("Per pool plans ({})", group_thousands(r.pools.len()))}</h3>
        {core_table(
            report,
            "repack-pools",
            columns::REPACK_POOLS,
            columns::REPACK_POOLS_VIEW.people,
            &r.pools,
            Some("monthly_savings"),
            None,
        )}
        {moves}
        {drainable}
        {blocked}
        <ul class="muted" id="repack-notes">
            {notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
        </ul>
    }
}

fn warnings_table(report: &Report) -> impl IntoView + use<> {
    core_table(
        report,
        "warnings",
        columns::WARNINGS,
        columns::WARNINGS_VIEW.people,
        &report.warnings,
        None,
        None,
    )
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
