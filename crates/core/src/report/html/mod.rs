//! The report as one self-contained static HTML page: the same bytes from the web app's
//! "Export report" and `kube-rightsize analyze --format html`, for the same report and options.
//!
//! [`render_html`] is a pure function of the [`Report`] (which carries its generation time) and
//! [`HtmlOptions`] (cluster title, input summaries, anonymise key, table sizes). The page needs
//! nothing else: the stylesheet and a small table-sorting script are inline and allowed by
//! their SHA-256 hashes in a strict Content-Security-Policy (`default-src 'none'`), charts are
//! inline SVG computed from the report, there are no links out, fonts or images, and everything
//! is readable with JavaScript off (the script only adds sorting).
//!
//! # Why hand-written HTML
//!
//! The page is a few fixed sections of tables and bar charts, and every string from the input
//! goes through one escaping function ([`escape::escape_into`]) in exactly two contexts, element
//! text and double-quoted attribute values; nothing from the input reaches a URL, style or script
//! context. A template engine (maud's proc-macro, askama's derive) would add a proc-macro build
//! to the core — which is compiled for wasm32 and natively on a 2-core machine — without removing
//! any risk this module has: maud also escapes only text and attributes, and URL/CSS contexts
//! still need care. Plain `String` pushes also keep a 20,000-workload page fast (see
//! `BENCHMARKS.md`, "HTML report").
//!
//! # Large clusters
//!
//! Each table shows its first [`HtmlOptions::top_rows`] rows (workloads and nodes by monthly cost,
//! the rest in report order); the remaining rows follow in collapsed `<details>` sections of
//! [`DETAILS_CHUNK`] rows, which need no JavaScript.

mod allocation;
pub mod assets;
mod bill;
pub mod diff;
pub mod escape;
pub mod fleet;
mod patches;
mod repack;
pub mod svg;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::columns::{self, Column, ContainerText, Kind, Value, pool_label};
use super::{ContainerRow, NodePoolRow, NodeRow, Report};
use crate::cluster::{InputFormat, InputSummary};
use crate::format::{
    fmt_bytes, fmt_cores, fmt_list, fmt_percent, fmt_usd, group_thousands, percent_of, trim_decimal,
};
use crate::suggest::{NodeSuggestion, SuggestionKind};
use escape::{escape, escape_into, truncate};
use svg::{Bar, PairBar};

/// Rows per collapsed `<details>` section after the first [`HtmlOptions::top_rows`].
pub const DETAILS_CHUNK: usize = 1000;

/// Bars per chart (the largest); captions say how many more there are and what they add up to.
pub const CHART_BARS: usize = 12;

/// Nodes in the requested-vs-allocatable chart (the most expensive).
pub const CHART_NODES: usize = 30;

/// Everything besides the report that decides the page.
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlOptions {
    /// The cluster's name for the title; `None` derives it from the first input's file name, or
    /// `cluster`.
    pub cluster_name: Option<String>,
    /// The inputs the report was built from (`Analysis::cluster.inputs`), listed with the price
    /// sources; empty to leave them out.
    pub inputs: Vec<InputSummary>,
    /// When set, the page shows [`Report::anonymised`] with this key instead of the report:
    /// namespaces, workloads, containers, nodes and pools become keyed pseudonyms, the inputs
    /// are listed as `input 1`, … and the cluster name becomes a pseudonym. Callers pass a fresh
    /// random key per export so that two exports cannot be joined.
    pub anonymise_key: Option<Vec<u8>>,
    /// Rows shown in each table before the collapsed sections (default 200; at least 1).
    pub top_rows: usize,
}

impl Default for HtmlOptions {
    fn default() -> HtmlOptions {
        HtmlOptions {
            cluster_name: None,
            inputs: Vec::new(),
            anonymise_key: None,
            top_rows: 200,
        }
    }
}

/// The title's cluster name when none is given: the first input's file name without directory
/// and extension (`prod-eks` for `/tmp/prod-eks.json`), unless that is standard input or a
/// paste; else `cluster`.
pub fn default_cluster_name(inputs: &[InputSummary]) -> String {
    inputs
        .iter()
        .map(|i| {
            let base = i.name.rsplit(['/', '\\']).next().unwrap_or(&i.name);
            let stem = match base.rsplit_once('.') {
                Some((stem, ext))
                    if !stem.is_empty()
                        && matches!(
                            ext.to_ascii_lowercase().as_str(),
                            "json" | "yaml" | "yml" | "txt"
                        ) =>
                {
                    stem
                }
                _ => base,
            };
            stem.trim().to_owned()
        })
        .find(|s| !s.is_empty() && !matches!(s.as_str(), "-" | "<stdin>" | "paste" | "stdin"))
        .unwrap_or_else(|| "cluster".to_owned())
}

/// Renders the report as a complete, self-contained HTML page (UTF-8, ends with a newline).
///
/// Pure and deterministic: the same report and options give the same bytes. Never panics.
pub fn render_html(report: &Report, options: &HtmlOptions) -> String {
    let anonymised;
    let (report, cluster, inputs) = match &options.anonymise_key {
        Some(key) => {
            anonymised = report.anonymised(key);
            let inputs: Vec<InputSummary> = options
                .inputs
                .iter()
                .enumerate()
                .map(|(i, s)| InputSummary {
                    name: format!("input {}", i + 1),
                    ..s.clone()
                })
                .collect();
            let name = options
                .cluster_name
                .clone()
                .unwrap_or_else(|| default_cluster_name(&options.inputs));
            let pseudonym = super::anonymise::pseudonym(key, "cluster", &name);
            (&anonymised, pseudonym, inputs)
        }
        None => (
            report,
            options
                .cluster_name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| default_cluster_name(&options.inputs)),
            options.inputs.clone(),
        ),
    };
    let page = Page {
        r: report,
        top: options.top_rows.max(1),
        anonymised: options.anonymise_key.is_some(),
    };
    let mut out = String::with_capacity(64 * 1024 + report.workloads.len() * 600);
    page.head(&mut out, &cluster);
    page.header(&mut out, &cluster);
    page.summary(&mut out);
    page.sources(&mut out, &inputs);
    page.charts(&mut out);
    page.workloads(&mut out);
    patches::section(&mut out, report.patches.as_ref(), page.anonymised);
    page.nodes(&mut out);
    page.namespaces(&mut out);
    page.pools(&mut out);
    repack::section(&page, &mut out);
    bill::section(&page, &mut out);
    allocation::section(&page, &mut out);
    page.warnings(&mut out);
    page.method(&mut out);
    let prices = if report.pricing.discounts.is_empty() {
        "list prices"
    } else {
        "net prices (list prices less the discounts set)"
    };
    let _ = write!(
        out,
        "<footer>Generated by kube-rightsize from <code>{}</code> data. The figures are estimates \
         from requests and {prices}, not a bill.</footer>\n<script>{}</script>\n</body>\n</html>\n",
        escape(&report.schema),
        assets::SCRIPT
    );
    out
}

/// A table column: header text and whether it holds numbers (right-aligned).
/// A column header: title, numeric (right-aligned), and what it holds (a tooltip; may be empty).
struct Col(&'static str, bool, &'static str);

impl Col {
    fn of<R>(c: &Column<R>) -> Col {
        Col(c.title, c.kind != Kind::Text, c.help)
    }
}

/// The showback chart (costs by group) as a `<figure>` with inline SVG, for the app's tab.
pub use allocation::chart as render_allocation_chart;

/// Just the charts section of the report (`<section id="charts">` with its inline SVG figures),
/// for shells that show the charts next to their own views. Every label is escaped exactly as in
/// [`render_html`], so the result is safe to insert as HTML.
pub fn render_charts(report: &Report) -> String {
    let page = Page {
        r: report,
        top: HtmlOptions::default().top_rows,
        anonymised: false,
    };
    let mut out = String::new();
    page.charts(&mut out);
    out
}

struct Page<'a> {
    r: &'a Report,
    top: usize,
    anonymised: bool,
}

fn esc(out: &mut String, s: &str) {
    escape_into(out, s);
}

fn td(out: &mut String, s: &str) {
    out.push_str("<td>");
    esc(out, s);
    out.push_str("</td>");
}

fn td_wrap(out: &mut String, s: &str) {
    out.push_str("<td class=\"w\">");
    esc(out, s);
    out.push_str("</td>");
}

fn td_opt(out: &mut String, s: Option<&str>) {
    td(out, s.unwrap_or("–"));
}

/// A numeric cell sorted by `v`.
fn td_num(out: &mut String, v: f64, text: &str) {
    if v.is_finite() {
        let _ = write!(out, "<td class=\"n\" data-v=\"{v}\">");
    } else {
        out.push_str("<td class=\"n\">");
    }
    esc(out, text);
    out.push_str("</td>");
}

fn td_count(out: &mut String, n: usize) {
    let _ = write!(
        out,
        "<td class=\"n\" data-v=\"{n}\">{}</td>",
        group_thousands(n)
    );
}

fn by_cost_desc(a: f64, b: f64) -> std::cmp::Ordering {
    b.partial_cmp(&a).unwrap_or(std::cmp::Ordering::Equal)
}

/// The page's start, up to `<body>`: the strict Content-Security-Policy (the inline stylesheet
/// and script allowed by their hashes), no referrer, and `title` (escaped). Every page the core
/// writes (a report, a fleet, a comparison) starts with it.
fn page_head(out: &mut String, title: &str) {
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        assets::content_security_policy()
    );
    out.push_str(
        "<meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"generator\" content=\"kube-rightsize\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>",
    );
    esc(out, title);
    let _ = write!(
        out,
        "</title>\n<style>{}</style>\n</head>\n<body>\n",
        assets::CSS
    );
}

/// A small table shown in full: `caption`, then a row of `cells` per item.
fn simple_table<T>(
    out: &mut String,
    caption: &str,
    cols: &[Col],
    items: &[T],
    cells: impl Fn(&mut String, &T),
) {
    out.push_str("<div class=\"scroll\"><table class=\"sortable\"><caption>");
    esc(out, caption);
    out.push_str("</caption>");
    thead(out, cols);
    for item in items {
        out.push_str("<tr>");
        cells(out, item);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

impl Page<'_> {
    fn head(&self, out: &mut String, cluster: &str) {
        let date = self
            .r
            .generated_at
            .get(..10)
            .unwrap_or(&self.r.generated_at);
        page_head(out, &format!("{cluster} — Kubernetes cost report {date}"));
    }

    fn header(&self, out: &mut String, cluster: &str) {
        let r = self.r;
        out.push_str("<header>\n<h1>Kubernetes cost report: ");
        esc(out, cluster);
        out.push_str("</h1>\n<p class=\"meta\">Generated <time>");
        esc(out, &r.generated_at);
        out.push_str("</time>");
        if let Some(as_of) = &r.pricing.as_of {
            out.push_str(" · prices as of ");
            esc(out, as_of);
        }
        if self.anonymised {
            out.push_str(
                " · <strong>anonymised</strong>: names are keyed pseudonyms; instance types, \
                 regions and figures are real",
            );
        }
        out.push_str(
            "</p>\n<nav><a href=\"#summary\">Summary</a><a href=\"#sources\">Inputs and prices</a>\
             <a href=\"#charts\">Charts</a><a href=\"#workloads\">Workloads</a>\
             <a href=\"#patches\">Patches</a>\
             <a href=\"#nodes\">Nodes</a><a href=\"#namespaces\">Namespaces</a>\
             <a href=\"#pools\">Node pools</a>",
        );
        if r.repack.is_some() {
            out.push_str("<a href=\"#repack\">Re-pack</a>");
        }
        if let Some(a) = &r.allocation {
            out.push_str("<a href=\"#allocation\">");
            esc(out, &columns::allocation_title(a));
            out.push_str("</a>");
        }
        out.push_str(
            "<a href=\"#warnings\">Warnings</a>\
             <a href=\"#method\">How these numbers were computed</a></nav>\n</header>\n",
        );
    }

    fn summary(&self, out: &mut String) {
        let s = &self.r.summary;
        let card = |out: &mut String, id: &str, class: &str, label: &str, value: &str| {
            let _ = write!(out, "<div{class}><dt>{label}</dt><dd id=\"{id}\">");
            esc(out, value);
            out.push_str("</dd></div>");
        };
        out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"cards\">");
        card(
            out,
            "sum-monthly-cost",
            "",
            "Monthly cost",
            &fmt_usd(s.monthly_cost),
        );
        if let Some(list) = s.list_monthly_cost {
            card(out, "sum-list", "", "At list price", &fmt_usd(list));
        }
        card(
            out,
            "sum-allocated",
            "",
            "Requested (allocated)",
            &fmt_usd(s.allocated_monthly_cost),
        );
        card(out, "sum-idle", "", "Idle", &fmt_usd(s.idle_monthly_cost));
        if let Some(bill) = s.bill_monthly_cost.filter(|b| *b > s.monthly_cost) {
            card(out, "sum-bill", "", "Whole bill", &fmt_usd(bill));
        }
        let gpus = columns::has_gpus(self.r);
        if gpus {
            card(
                out,
                "sum-idle-gpu",
                "",
                "Idle GPUs",
                &fmt_usd(s.idle_gpu_monthly_cost),
            );
        }
        card(
            out,
            "sum-savings",
            " class=\"save\"",
            "Potential savings",
            &fmt_usd(s.monthly_savings),
        );
        card(out, "sum-nodes", "", "Nodes", &group_thousands(s.nodes));
        card(out, "sum-pods", "", "Pods", &group_thousands(s.pods));
        card(
            out,
            "sum-workloads",
            "",
            "Workloads",
            &group_thousands(s.workloads),
        );
        card(
            out,
            "sum-namespaces",
            "",
            "Namespaces",
            &group_thousands(s.namespaces),
        );
        out.push_str("</dl>\n<p class=\"note\">");
        let _ = write!(
            out,
            "{} per hour, {} per month at {} hours. Requests pay for {} of the node cost; {} is \
             idle. After recommendations: {} per month.",
            escape(&fmt_usd(s.hourly_cost)),
            escape(&fmt_usd(s.monthly_cost)),
            trim_decimal(self.r.pricing.hours_per_month, 2),
            fmt_percent(percent_of(s.allocated_monthly_cost, s.monthly_cost)),
            fmt_percent(percent_of(s.idle_monthly_cost, s.monthly_cost)),
            escape(&fmt_usd(s.recommended_monthly_cost)),
        );
        if gpus {
            let _ = write!(
                out,
                " GPUs: {} of {} requested; they are {} of the node cost, and {} of the idle cost \
                 is unrequested GPUs.",
                group_thousands(usize::try_from(s.requested_gpus).unwrap_or(0)),
                group_thousands(usize::try_from(s.gpus).unwrap_or(0)),
                escape(&fmt_usd(s.gpu_monthly_cost)),
                escape(&fmt_usd(s.idle_gpu_monthly_cost)),
            );
        }
        if s.estimated_nodes > 0 {
            let _ = write!(
                out,
                " <span class=\"est\">{} of {} nodes are priced by estimate (≈).</span>",
                group_thousands(s.estimated_nodes),
                group_thousands(s.nodes)
            );
        }
        out.push_str("</p>\n</section>\n");
    }

    fn sources(&self, out: &mut String, inputs: &[InputSummary]) {
        let p = &self.r.pricing;
        out.push_str("<section id=\"sources\">\n<h2>Inputs and prices</h2>\n<p>");
        esc(out, &p.summary);
        out.push_str("</p>\n");
        if inputs.is_empty() {
            out.push_str("<p class=\"note\">The inputs were not recorded in this export.</p>\n");
        } else {
            self.simple_table(
                out,
                "Inputs",
                &[
                    Col("Input", false, ""),
                    Col("Format", false, ""),
                    Col("Documents", true, ""),
                    Col("Nodes", true, ""),
                    Col("Pods", true, ""),
                    Col("Other objects", true, ""),
                    Col("Ignored", true, ""),
                    Col("Duplicates", true, ""),
                ],
                inputs,
                |out, i| {
                    td_wrap(out, &i.name);
                    td(
                        out,
                        match i.format {
                            InputFormat::Json => "JSON",
                            InputFormat::Yaml => "YAML",
                        },
                    );
                    for n in [
                        i.documents,
                        i.nodes,
                        i.pods,
                        i.other_objects,
                        i.ignored_objects,
                        i.duplicates,
                    ] {
                        td_count(out, n);
                    }
                },
            );
        }
        self.simple_table(
            out,
            "Price sources used",
            &[
                Col("Source", false, ""),
                Col("Provider", false, ""),
                Col("Description", false, ""),
                Col("As of", false, ""),
                Col("Nodes", true, ""),
                Col("Instance types", false, ""),
                Col("Estimate", false, ""),
            ],
            &p.sources,
            |out, s| {
                td(out, s.source.as_str());
                td(out, s.provider.as_str());
                td_wrap(out, &s.description);
                td_opt(out, s.as_of.as_deref());
                td_count(out, s.nodes);
                td_wrap(out, &fmt_list(&s.instance_types, 12));
                td(out, if s.estimate { "yes" } else { "no" });
            },
        );
        out.push_str("</section>\n");
    }

    fn charts(&self, out: &mut String) {
        let r = self.r;
        out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n");

        // Cost by namespace.
        let bars: Vec<Bar> = r
            .namespaces
            .iter()
            .take(CHART_BARS)
            .map(|n| Bar {
                label: n.name.clone(),
                value: n.monthly_cost,
                part: None,
                value_label: fmt_usd(n.monthly_cost),
            })
            .collect();
        let caption = if r.namespaces.len() > CHART_BARS {
            let rest: f64 = r.namespaces[CHART_BARS..]
                .iter()
                .map(|n| n.monthly_cost)
                .sum();
            format!(
                "Monthly cost by namespace (the {CHART_BARS} most expensive of {}; the other {} \
                 cost {} together)",
                group_thousands(r.namespaces.len()),
                group_thousands(r.namespaces.len() - CHART_BARS),
                fmt_usd(rest)
            )
        } else {
            "Monthly cost by namespace (pods' requests at their nodes' rates)".to_owned()
        };
        figure(
            out,
            "chart-namespaces",
            &caption,
            None,
            |out| svg::bar_chart(out, "Monthly cost by namespace", &bars),
            bars.is_empty(),
        );

        // Cost by node pool.
        let mut pools: Vec<&NodePoolRow> = r.node_pools.iter().collect();
        pools.sort_by(|a, b| by_cost_desc(a.monthly_cost, b.monthly_cost));
        let bars: Vec<Bar> = pools
            .iter()
            .take(CHART_BARS)
            .map(|p| Bar {
                label: pool_label(p),
                value: p.monthly_cost,
                part: Some(p.monthly_cost - p.idle_monthly_cost),
                value_label: format!(
                    "{} ({} idle)",
                    fmt_usd(p.monthly_cost),
                    fmt_percent(percent_of(p.idle_monthly_cost, p.monthly_cost))
                ),
            })
            .collect();
        let caption = if pools.len() > CHART_BARS {
            format!(
                "Monthly cost by node pool (the {CHART_BARS} most expensive of {})",
                group_thousands(pools.len())
            )
        } else {
            "Monthly cost by node pool".to_owned()
        };
        figure(
            out,
            "chart-pools",
            &caption,
            Some("<i class=\"k2\"></i>requested<i class=\"k1\"></i>idle"),
            |out| svg::bar_chart(out, "Monthly cost by node pool", &bars),
            bars.is_empty(),
        );

        // Requested vs allocatable per node.
        let mut nodes: Vec<&NodeRow> = r.nodes.iter().collect();
        nodes.sort_by(|a, b| by_cost_desc(a.monthly_cost, b.monthly_cost));
        let rows: Vec<PairBar> = nodes
            .iter()
            .take(CHART_NODES)
            .map(|n| {
                let c = percent_of(n.requested.cpu_cores, n.allocatable.cpu_cores);
                let m = percent_of(
                    n.requested.memory_bytes as f64,
                    n.allocatable.memory_bytes as f64,
                );
                PairBar {
                    label: n.name.clone(),
                    a: c.unwrap_or(0.0),
                    b: m.unwrap_or(0.0),
                    value_label: format!("CPU {} · mem {}", fmt_percent(c), fmt_percent(m)),
                }
            })
            .collect();
        let caption = if nodes.len() > CHART_NODES {
            format!(
                "Requested ÷ allocatable per node (the {CHART_NODES} most expensive of {}; dashed line = 100%)",
                group_thousands(nodes.len())
            )
        } else {
            "Requested ÷ allocatable per node (dashed line = 100%)".to_owned()
        };
        figure(
            out,
            "chart-nodes",
            &caption,
            Some("<i class=\"k1\"></i>CPU<i class=\"k3\"></i>memory"),
            |out| svg::pair_chart(out, "Requested versus allocatable per node", &rows, 100.0),
            rows.is_empty(),
        );

        // Savings by namespace.
        let mut saving: Vec<_> = r
            .namespaces
            .iter()
            .filter(|n| n.monthly_savings.is_finite() && n.monthly_savings > 0.0)
            .collect();
        saving.sort_by(|a, b| by_cost_desc(a.monthly_savings, b.monthly_savings));
        let bars: Vec<Bar> = saving
            .iter()
            .take(CHART_BARS)
            .map(|n| Bar {
                label: n.name.clone(),
                value: n.monthly_savings,
                part: None,
                value_label: fmt_usd(n.monthly_savings),
            })
            .collect();
        if bars.is_empty() {
            out.push_str(
                "<figure id=\"chart-savings\"><figcaption>Monthly savings by namespace</figcaption>\
                 <p class=\"placeholder\">No savings in this report: no recommendation lowers a \
                 request (or recommendations were not computed).</p></figure>\n",
            );
        } else {
            figure(
                out,
                "chart-savings",
                "Monthly savings by namespace after recommendations",
                None,
                |out| svg::bar_chart(out, "Monthly savings by namespace", &bars),
                false,
            );
        }
        out.push_str("</div>\n</section>\n");
    }

    fn workloads(&self, out: &mut String) {
        let r = self.r;
        let any_rec = r
            .workloads
            .iter()
            .any(|w| w.severity.is_some() || w.containers.iter().any(|c| c.recommended.is_some()));
        out.push_str("<section id=\"workloads\">\n<h2>Workloads</h2>\n<p class=\"note\">");
        let _ = write!(
            out,
            "{} workloads by monthly cost. Containers are those of each workload's first running \
             pod: requests/limits as CPU/memory{}. ≈ marks estimated prices.",
            group_thousands(r.workloads.len()),
            if any_rec {
                ", then → the recommended requests"
            } else {
                "; no recommendations in this report"
            }
        );
        out.push_str("</p>\n");
        let items: Vec<_> = r.workloads.iter().collect();
        self.columns_table(
            out,
            "Workloads",
            columns::WORKLOADS,
            &columns::workloads_people(r),
            &items,
        );
        out.push_str("</section>\n");
    }

    fn nodes(&self, out: &mut String) {
        let r = self.r;
        let mut items: Vec<&NodeRow> = r.nodes.iter().collect();
        items.sort_by(|a, b| by_cost_desc(a.monthly_cost, b.monthly_cost));
        out.push_str("<section id=\"nodes\">\n<h2>Nodes</h2>\n<p class=\"note\">");
        let _ = write!(
            out,
            "{} nodes by monthly cost. Requested is the sum of the effective requests of the pods \
             holding resources on the node; idle is the node cost those requests do not pay for.",
            group_thousands(items.len())
        );
        out.push_str("</p>\n");
        self.columns_table(
            out,
            "Nodes",
            columns::NODES,
            &columns::nodes_people(r),
            &items,
        );
        out.push_str("</section>\n");
    }

    fn namespaces(&self, out: &mut String) {
        let r = self.r;
        out.push_str("<section id=\"namespaces\">\n<h2>Namespaces</h2>\n");
        let items: Vec<_> = r.namespaces.iter().collect();
        self.columns_table(
            out,
            "Namespaces",
            columns::NAMESPACES,
            &columns::namespaces_for(self.r, columns::NAMESPACES_VIEW.people),
            &items,
        );
        out.push_str("</section>\n");
    }

    fn pools(&self, out: &mut String) {
        let r = self.r;
        out.push_str("<section id=\"pools\">\n<h2>Node pools</h2>\n");
        let items: Vec<_> = r.node_pools.iter().collect();
        self.columns_table(
            out,
            "Node pools",
            columns::POOLS,
            columns::POOLS_VIEW.people,
            &items,
        );
        self.suggestions(out);
        out.push_str("</section>\n");
    }

    fn suggestions(&self, out: &mut String) {
        let r = self.r;
        let nr = &r.node_recommendations;
        out.push_str("<h3 id=\"pool-suggestions\">Node shape suggestions</h3>\n<p class=\"note\">");
        let _ = write!(
            out,
            "Sized on requests at {} target utilisation. Best non-spot option per pool saves {} \
             per month in all ({} pools with suggestions); spot would save {}. ",
            fmt_percent(Some(nr.target_utilisation * 100.0)),
            escape(&fmt_usd(nr.total_monthly_savings)),
            group_thousands(nr.pools_with_suggestions),
            escape(&fmt_usd(nr.spot_monthly_savings)),
        );
        esc(out, &nr.note);
        out.push_str("</p>\n");
        let rows: Vec<(&NodePoolRow, &NodeSuggestion)> = r
            .node_pools
            .iter()
            .flat_map(|p| p.suggestions.iter().map(move |s| (p, s)))
            .collect();
        let cols = [
            Col("Pool", false, ""),
            Col("Option", false, ""),
            Col("Shape", false, ""),
            Col("Monthly", true, ""),
            Col("Saving", true, ""),
            Col("Utilisation CPU / mem", true, ""),
            Col("Largest pod fits", false, ""),
            Col("Price", false, ""),
        ];
        self.chunked(out, "Suggestions", &cols, &rows, |out, (p, s)| {
            out.push_str("<tr>");
            td_wrap(out, &pool_label(p));
            td(
                out,
                match s.kind {
                    SuggestionKind::Reshape => "reshape",
                    SuggestionKind::SameTypeFewerNodes => "same type, fewer nodes",
                    SuggestionKind::Spot => "spot",
                },
            );
            td(
                out,
                &format!("{} × {}", group_thousands(s.nodes), s.instance_type),
            );
            money(out, s.monthly_cost, s.price_estimate);
            td_num(out, s.monthly_savings, &fmt_usd(s.monthly_savings));
            let u = &s.expected_utilisation;
            td_num(
                out,
                u.cpu,
                &format!(
                    "{} / {}",
                    fmt_percent(Some(u.cpu * 100.0)),
                    fmt_percent(Some(u.memory * 100.0))
                ),
            );
            td(out, if s.fits_largest_pod { "yes" } else { "no" });
            td(
                out,
                &format!(
                    "{} {} ${}/h",
                    s.price_source.as_str(),
                    s.capacity_type.as_str(),
                    trim_decimal(s.hourly_price, 4)
                ),
            );
            out.push_str("</tr>\n");
        });
        let reasons: Vec<_> = r
            .node_pools
            .iter()
            .filter_map(|p| p.suggestions_reason.as_deref().map(|t| (p, t)))
            .collect();
        let spots: Vec<_> = r
            .node_pools
            .iter()
            .filter_map(|p| p.spot.as_ref().map(|s| (p, s)))
            .collect();
        if !reasons.is_empty() || !spots.is_empty() {
            out.push_str("<details><summary>Why some pools have no suggestions, and spot cautions</summary><ul>\n");
            for (p, t) in reasons.iter().take(DETAILS_CHUNK) {
                out.push_str("<li><b>");
                esc(out, &pool_label(p));
                out.push_str("</b>: ");
                esc(out, t);
                out.push_str("</li>\n");
            }
            for (p, s) in spots.iter().take(DETAILS_CHUNK) {
                out.push_str("<li><b>");
                esc(out, &pool_label(p));
                out.push_str("</b> on spot: ");
                if let Some(m) = s.monthly_savings {
                    esc(out, &format!("saves {} per month. ", fmt_usd(m)));
                }
                if let Some(n) = &s.note {
                    esc(out, n);
                    out.push(' ');
                }
                esc(out, &s.caution);
                if !s.interruption_sensitive.is_empty() {
                    out.push_str(" Interruption-sensitive: ");
                    esc(out, &s.interruption_sensitive.join(", "));
                    if s.interruption_sensitive_total > s.interruption_sensitive.len() {
                        let _ = write!(
                            out,
                            " (of {})",
                            group_thousands(s.interruption_sensitive_total)
                        );
                    }
                    out.push('.');
                }
                out.push_str("</li>\n");
            }
            out.push_str("</ul></details>\n");
        }
    }

    fn warnings(&self, out: &mut String) {
        let r = self.r;
        out.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n");
        if r.warnings.is_empty() {
            out.push_str("<p class=\"note\">None.</p>\n</section>\n");
            return;
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for w in &r.warnings {
            *counts.entry(w.code.as_str()).or_default() += 1;
        }
        let counts: Vec<(&str, usize)> = counts.into_iter().collect();
        self.simple_table(
            out,
            "Warnings by code",
            &[Col("Code", false, ""), Col("Count", true, "")],
            &counts,
            |out, (code, n)| {
                out.push_str("<td><code>");
                esc(out, code);
                out.push_str("</code></td>");
                td_count(out, *n);
            },
        );
        let items: Vec<_> = r.warnings.iter().collect();
        self.columns_table(
            out,
            "Warnings",
            columns::WARNINGS,
            columns::WARNINGS_VIEW.people,
            &items,
        );
        out.push_str("</section>\n");
    }

    /// The recommendations item of the method list (`<li id="strategy">`, left open): the
    /// source, strategy, score, namespaces scanned and settings.
    fn strategy_item(&self, out: &mut String) {
        let mut rec_sources: Vec<&str> = self
            .r
            .workloads
            .iter()
            .flat_map(|w| &w.containers)
            .filter_map(|c| c.recommended.as_ref().map(|r| r.source.as_str()))
            .collect();
        rec_sources.sort_unstable();
        rec_sources.dedup();
        out.push_str("<li id=\"strategy\">Recommendations: ");
        if let Some(info) = &self.r.recommendations {
            let st = &info.settings;
            let _ = write!(
                out,
                "from {} (<code>{}</code>), strategy <code>{}</code>{}; {} containers matched, {} \
                 unmatched{}; score {} ({}). {}. Settings: history {} h, step {} min, CPU percentile \
                 {}, CPU request/limit percentiles {}/{}, memory buffer {}%, points required {}, \
                 allow HPA {}, OOM-kill data {} (buffer {}%), minimum {} CPU and {} memory.",
                escape(info.source.describe()),
                escape(&info.input),
                escape(&info.strategy),
                if info.low_confidence {
                    " — low confidence: a single usage sample"
                } else {
                    ""
                },
                group_thousands(info.matched),
                group_thousands(info.unmatched.len()),
                if info.unknown > 0 {
                    format!(
                        ", {} UNKNOWN (no recommendation: ?)",
                        group_thousands(info.unknown)
                    )
                } else {
                    String::new()
                },
                info.score,
                escape(&info.grade),
                escape(&crate::report::recommendations_text::describe_scope(
                    &info.namespaces
                )),
                trim_decimal(st.history_duration, 2),
                trim_decimal(st.timeframe_duration, 2),
                trim_decimal(st.cpu_percentile, 2),
                trim_decimal(st.cpu_request, 2),
                trim_decimal(st.cpu_limit, 2),
                trim_decimal(st.memory_buffer_percentage, 2),
                st.points_required,
                st.allow_hpa,
                st.use_oomkill_data,
                trim_decimal(st.oom_memory_buffer_percentage, 2),
                fmt_cores(st.cpu_min_millicores as f64 / 1000.0),
                fmt_bytes(st.memory_min_bytes),
            );
        } else if rec_sources.is_empty() {
            out.push_str(
                "none in this report; recommended cost equals the current cost and savings \
                 are 0.",
            );
        } else {
            out.push_str("from ");
            esc(
                out,
                &fmt_list(
                    &rec_sources
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect::<Vec<_>>(),
                    8,
                ),
            );
            out.push('.');
        }
    }

    /// The GPU split, for clusters with GPUs only.
    fn gpu_method(&self, out: &mut String) {
        use crate::pricing::rates::{
            FALLBACK_GPU_HOURLY, FALLBACK_MEMORY_GIB_HOURLY, GPU_MEMORY_PRICE_RATIO,
        };
        out.push_str(
            "<p>A node with <var>N</var> physical GPUs is split over its GPUs too, with \
             OpenCost's default GPU:memory weight <var>g</var>; pods pay for the GPUs they \
             request, and unrequested GPUs are idle GPU cost:</p>\n<pre>",
        );
        let _ = write!(
            out,
            "gib_rate  = P / (N × g + C × r + G)   g = {} ({} ÷ {})\n\
             core_rate = gib_rate × r\n\
             gpu_rate  = gib_rate × g   per physical GPU; ÷ replicas when time-sliced\n\
             pod       = GPUs × gpu_rate + cpu_request_cores × core_rate + memory_request_GiB × gib_rate\n\
             idle GPU  = min(idle, N × gpu_rate − Σ what the node's pods pay for GPUs)",
            trim_decimal(GPU_MEMORY_PRICE_RATIO, 4),
            FALLBACK_GPU_HOURLY,
            FALLBACK_MEMORY_GIB_HOURLY,
        );
        out.push_str(
            "</pre>\n<p class=\"note\">MIG slices are not priced (warning gpu_mig_unpriced): \
             pods requesting them pay CPU and memory only.</p>\n",
        );
    }

    fn method(&self, out: &mut String) {
        let p = &self.r.pricing;
        let r = p.cpu_memory_price_ratio;
        out.push_str(
            "<section id=\"method\">\n<h2>How these numbers were computed</h2>\n<p>Each node is \
             priced from the highest-priority source that has its instance type, region and \
             capacity type: manual prices, Vantage, imported price files, the embedded catalogue, \
             then fallback rates. Its hourly price <var>P</var> is split over its allocatable CPU \
             <var>C</var> (cores) and memory <var>G</var> (GiB) so that a fully requested node \
             allocates exactly <var>P</var>:</p>\n<pre>",
        );
        let _ = write!(
            out,
            "gib_rate  = P / (C × r + G)        r = {}\n\
             core_rate = gib_rate × r\n\
             pod       = cpu_request_cores × core_rate + memory_request_GiB × gib_rate   (per hour)\n\
             idle      = max(0, P − Σ pod costs on the node)\n\
             monthly   = hourly × {}",
            trim_decimal(r, 4),
            trim_decimal(p.hours_per_month, 2),
        );
        out.push_str("</pre>\n");
        if columns::has_gpus(self.r) {
            self.gpu_method(out);
        }
        out.push_str("<h3>Settings used</h3>\n<ul>\n");
        let _ = writeln!(
            out,
            "<li>Hours per month: {} (365 × 24 ÷ 12).</li>",
            trim_decimal(p.hours_per_month, 2)
        );
        let _ = writeln!(
            out,
            "<li>CPU:memory price ratio <var>r</var> = {} (OpenCost's default, {} ÷ {}).</li>",
            trim_decimal(r, 6),
            crate::pricing::rates::FALLBACK_CPU_CORE_HOURLY,
            crate::pricing::rates::FALLBACK_MEMORY_GIB_HOURLY
        );
        let _ = writeln!(
            out,
            "<li>Fallback rates for nodes without a price: ${} per core-hour and ${} per GiB-hour, \
             on the node's allocatable.</li>",
            trim_decimal(p.fallback_rates.cpu_core_hourly, 6),
            trim_decimal(p.fallback_rates.memory_gib_hourly, 6)
        );
        match p.assume_spot_discount {
            Some(d) => {
                let _ = writeln!(
                    out,
                    "<li>Assumed spot discount: {}% off on-demand for spot nodes without a known \
                     spot price (estimates).</li>",
                    trim_decimal(d * 100.0, 2)
                );
            }
            None => out.push_str(
                "<li>Assumed spot discount: off (spot nodes without a spot price are priced at \
                 on-demand, an upper bound).</li>\n",
            ),
        }
        if !p.discounts.is_empty() {
            out.push_str("<li>Net prices: ");
            esc(out, &p.discounts.join("; "));
            out.push_str(
                " (on-demand node prices from the catalogue, price files and Vantage; spot and \
                 manual prices as they are; each node's list price is in its explanation).</li>\n",
            );
        }
        self.strategy_item(out);
        out.push_str("</li>\n<li>Prices: ");
        esc(out, &p.summary);
        out.push_str(".</li>\n");
        let _ = writeln!(
            out,
            "<li>Node shape suggestions: target utilisation {} of allocatable.</li>",
            fmt_percent(Some(self.r.node_recommendations.target_utilisation * 100.0))
        );
        let mut assumptions: Vec<&str> = self
            .r
            .node_pools
            .iter()
            .flat_map(|p| p.assumptions.iter().map(String::as_str))
            .collect();
        assumptions.sort_unstable();
        assumptions.dedup();
        for a in assumptions.iter().take(50) {
            out.push_str("<li>Suggestions assume: ");
            esc(out, a);
            out.push_str("</li>\n");
        }
        out.push_str(
            "</ul>\n<p class=\"note\">Pods that request nothing cost 0 here (their usage \
             hides in idle cost). Figures are unrounded in the JSON and CSV exports and rounded \
             only for display.</p>\n</section>\n",
        );
    }

    /// One of [`columns`]' tables: the columns named by `keys`, in [`Page::chunked`] sections.
    fn columns_table<R>(
        &self,
        out: &mut String,
        what: &str,
        table: &'static [Column<R>],
        keys: &[&str],
        items: &[&R],
    ) {
        let picked = columns::pick(table, keys);
        let cols: Vec<Col> = picked.iter().map(|c| Col::of(c)).collect();
        self.chunked(out, what, &cols, items, |out, item| {
            out.push_str("<tr>");
            for c in &picked {
                cell(out, c, &(c.value)(self.r, item));
            }
            out.push_str("</tr>\n");
        });
    }

    /// [`simple_table`] (the method form the sections use).
    fn simple_table<T>(
        &self,
        out: &mut String,
        caption: &str,
        cols: &[Col],
        items: &[T],
        cells: impl Fn(&mut String, &T),
    ) {
        simple_table(out, caption, cols, items, cells);
    }

    /// [`chunked`] with this page's number of rows shown first.
    fn chunked<T>(
        &self,
        out: &mut String,
        what: &str,
        cols: &[Col],
        items: &[T],
        row: impl Fn(&mut String, &T),
    ) {
        chunked(out, self.top, what, cols, items, row);
    }
}

/// The first `top` rows, then the rest in collapsed sections of [`DETAILS_CHUNK`] rows.
fn chunked<T>(
    out: &mut String,
    top: usize,
    what: &str,
    cols: &[Col],
    items: &[T],
    row: impl Fn(&mut String, &T),
) {
    if items.is_empty() {
        out.push_str("<p class=\"note\">None.</p>\n");
        return;
    }
    let first = items.len().min(top);
    out.push_str("<div class=\"scroll\"><table class=\"sortable\">");
    if items.len() > first {
        let _ = write!(
            out,
            "<caption>The first {} of {}; the rest below.</caption>",
            group_thousands(first),
            group_thousands(items.len())
        );
    }
    thead(out, cols);
    for item in &items[..first] {
        row(out, item);
    }
    out.push_str("</tbody></table></div>\n");
    let mut start = first;
    while start < items.len() {
        let end = (start + DETAILS_CHUNK).min(items.len());
        let _ = write!(
            out,
            "<details><summary>{what} {}–{} of {}</summary><div class=\"scroll\"><table class=\"sortable\">",
            group_thousands(start + 1),
            group_thousands(end),
            group_thousands(items.len())
        );
        thead(out, cols);
        for item in &items[start..end] {
            row(out, item);
        }
        out.push_str("</tbody></table></div></details>\n");
        start = end;
    }
}

/// A chart with its caption and optional colour key; `empty` shows "No data." instead.
fn figure(
    out: &mut String,
    id: &str,
    caption: &str,
    key: Option<&str>,
    chart: impl FnOnce(&mut String),
    empty: bool,
) {
    let _ = write!(out, "<figure id=\"{id}\"><figcaption>");
    esc(out, caption);
    if let Some(k) = key {
        let _ = write!(out, " <span class=\"key\">{k}</span>");
    }
    out.push_str("</figcaption>");
    if empty {
        out.push_str("<p class=\"placeholder\">No data.</p>");
    } else {
        chart(out);
    }
    out.push_str("</figure>\n");
}

fn thead(out: &mut String, cols: &[Col]) {
    out.push_str("<thead><tr>");
    for Col(name, num, help) in cols {
        out.push_str(if *num { "<th class=\"n\"" } else { "<th" });
        if !help.is_empty() {
            out.push_str(" title=\"");
            esc(out, help);
            out.push('"');
        }
        let _ = write!(out, ">{name}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
}

fn money(out: &mut String, v: f64, estimate: bool) {
    if estimate {
        td_num(out, v, &format!("≈{}", fmt_usd(v)));
    } else {
        td_num(out, v, &fmt_usd(v));
    }
}

/// Text cells longer than this may break anywhere (long names, lists).
const WRAP_AT: usize = 20;

/// One cell of a [`columns`] table.
fn cell<R>(out: &mut String, column: &Column<R>, value: &Value<'_>) {
    match value {
        Value::Containers(cs) => {
            out.push_str("<td class=\"ctr\">");
            for c in *cs {
                container(out, c);
            }
            out.push_str("</td>");
        }
        Value::Severity(Some(s)) => {
            let class: String = s
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
                .take(16)
                .collect();
            let _ = write!(out, "<td class=\"sev-{class}\">");
            esc(out, s);
            out.push_str("</td>");
        }
        Value::Code(code) => {
            out.push_str("<td><code>");
            esc(out, code);
            out.push_str("</code></td>");
        }
        _ if column.kind != Kind::Text => {
            td_num(out, value.sort_key().unwrap_or(f64::NAN), &value.display())
        }
        _ => {
            let text = value.display();
            if text.chars().count() > WRAP_AT {
                td_wrap(out, &text);
            } else {
                td(out, &text);
            }
        }
    }
}

/// A container in the workloads table: name, current, → recommended (see [`ContainerText`]).
fn container(out: &mut String, c: &ContainerRow) {
    let t = ContainerText::of(c);
    out.push_str("<div><b>");
    esc(out, &truncate(&t.name, 63));
    out.push_str("</b>");
    if t.sidecar {
        out.push_str(" (sidecar)");
    }
    out.push(' ');
    esc(out, &t.current);
    if let Some(r) = &t.recommended {
        out.push_str(" → <span class=\"rec\">");
        esc(out, r);
        out.push_str("</span>");
    }
    if let Some(about) = &t.about {
        out.push_str(" <span class=\"est\">(");
        esc(out, about);
        out.push_str(")</span>");
    }
    out.push_str("</div>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_name_defaults() {
        let input = |name: &str| InputSummary {
            name: name.to_owned(),
            format: InputFormat::Json,
            documents: 1,
            nodes: 0,
            pods: 0,
            other_objects: 0,
            ignored_objects: 0,
            duplicates: 0,
        };
        assert_eq!(default_cluster_name(&[]), "cluster");
        assert_eq!(default_cluster_name(&[input("<stdin>")]), "cluster");
        assert_eq!(
            default_cluster_name(&[input("paste"), input("/tmp/prod-eks.json")]),
            "prod-eks"
        );
        assert_eq!(default_cluster_name(&[input("C:\\x\\a.b.yaml")]), "a.b");
    }
}
