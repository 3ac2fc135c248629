//! Exports: the one entry point that renders a report in any format ([`render`]), and the
//! names and types of exported files. The app's export buttons and the CLI's `--format` both
//! end here.

use crate::cluster::InputSummary;
use crate::report::Report;

/// The export formats the app and the CLI offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The plain-text report (the CLI's default output).
    Table,
    /// The JSON report (`kube-rightsize/report/v1`).
    Json,
    /// Workloads with one row per container.
    WorkloadsCsv,
    /// Nodes.
    NodesCsv,
    /// Namespaces.
    NamespacesCsv,
    /// The showback's groups ([`crate::allocation`]): a header only without keys to group by.
    GroupsCsv,
    /// The re-packing's per pool plans ([`crate::repack`]).
    RepackCsv,
    /// The self-contained HTML report.
    Html,
    /// FOCUS 1.0 cost rows as CSV ([`crate::report::focus`]).
    Focus,
}

impl ExportFormat {
    /// The file name suffix, including the extension.
    pub fn suffix(self) -> &'static str {
        match self {
            ExportFormat::Table => ".txt",
            ExportFormat::Json => ".json",
            ExportFormat::WorkloadsCsv => "-workloads.csv",
            ExportFormat::NodesCsv => "-nodes.csv",
            ExportFormat::NamespacesCsv => "-namespaces.csv",
            ExportFormat::GroupsCsv => "-groups.csv",
            ExportFormat::RepackCsv => "-repack.csv",
            ExportFormat::Html => ".html",
            ExportFormat::Focus => "-focus.csv",
        }
    }

    /// The MIME type for downloads.
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Table => "text/plain;charset=utf-8",
            ExportFormat::Json => "application/json",
            ExportFormat::WorkloadsCsv
            | ExportFormat::NodesCsv
            | ExportFormat::NamespacesCsv
            | ExportFormat::GroupsCsv
            | ExportFormat::RepackCsv
            | ExportFormat::Focus => "text/csv;charset=utf-8",
            ExportFormat::Html => "text/html;charset=utf-8",
        }
    }
}

/// How to export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// The format.
    pub format: ExportFormat,
    /// The cluster's name for the HTML title (`None`: from the first input's file name).
    pub cluster_name: Option<String>,
    /// The inputs the report was built from (listed by the HTML report).
    pub inputs: Vec<InputSummary>,
    /// Pseudonyms instead of names, keyed by this (a fresh random key per export, so that two
    /// exports cannot be joined); `None` keeps the names.
    pub anonymise_key: Option<Vec<u8>>,
    /// The text report explains how each node was priced.
    pub explain_nodes: bool,
}

/// The cluster's name an export records: the name given (trimmed, non-empty), else the one the
/// report already records, else one from the first input's file name
/// ([`crate::report::html::default_cluster_name`]); at most [`crate::limits::MAX_CHARS`]
/// characters, like every string the report holds.
pub fn cluster_name(report: &Report, options: &ExportOptions) -> String {
    let given = options
        .cluster_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let name = given
        .or_else(|| report.cluster.clone())
        .unwrap_or_else(|| crate::report::html::default_cluster_name(&options.inputs));
    crate::limits::cap(&name).into_owned()
}

/// Renders `report` as `options` say. With an anonymisation key every format shows the
/// anonymised report (the HTML report anonymises its title and input list too). The JSON report
/// records the cluster's name ([`cluster_name`]; its pseudonym when anonymised).
pub fn render(report: &Report, options: &ExportOptions) -> String {
    use crate::report::{csv, html, json, table};
    let name = cluster_name(report, options);
    let anonymised = || options.anonymise_key.as_ref().map(|k| report.anonymised(k));
    match options.format {
        // The HTML renderer anonymises itself: names, inputs and the cluster name.
        ExportFormat::Html => html::render_html(
            report,
            &html::HtmlOptions {
                cluster_name: Some(name),
                inputs: options.inputs.clone(),
                anonymise_key: options.anonymise_key.clone(),
                ..html::HtmlOptions::default()
            },
        ),
        ExportFormat::Table => table::render(
            anonymised().as_ref().unwrap_or(report),
            &table::TableOptions {
                explain_nodes: options.explain_nodes,
                ..table::TableOptions::default()
            },
        ),
        ExportFormat::Json => {
            let mut named = anonymised().unwrap_or_else(|| report.clone());
            named.cluster = Some(match &options.anonymise_key {
                Some(key) => crate::report::anonymise::pseudonym(key, "cluster", &name),
                None => name,
            });
            json::to_json(&named)
        }
        ExportFormat::WorkloadsCsv => csv::workloads_csv(anonymised().as_ref().unwrap_or(report)),
        ExportFormat::NodesCsv => csv::nodes_csv(anonymised().as_ref().unwrap_or(report)),
        ExportFormat::NamespacesCsv => csv::namespaces_csv(anonymised().as_ref().unwrap_or(report)),
        ExportFormat::GroupsCsv => csv::groups_csv(anonymised().as_ref().unwrap_or(report)),
        ExportFormat::RepackCsv => csv::repack_csv(anonymised().as_ref().unwrap_or(report)),
        ExportFormat::Focus => {
            let account = match &options.anonymise_key {
                Some(key) => crate::report::anonymise::pseudonym(key, "cluster", &name),
                None => name,
            };
            crate::report::focus::focus_csv(anonymised().as_ref().unwrap_or(report), &account)
        }
    }
}

/// `kube-rightsize-<cluster>-<date><suffix>`, with the cluster name reduced to a safe slug
/// (lower-case ASCII letters, digits and dashes; `cluster` when nothing is left) and the date
/// taken from the first ten characters of an RFC 3339 `generated_at`.
pub fn export_file_name(cluster: &str, generated_at: &str, format: ExportFormat) -> String {
    let mut slug = String::new();
    for c in cluster.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 48 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "cluster" } else { slug };
    let date: String = generated_at
        .chars()
        .take(10)
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    let date = if date.len() == 10 {
        date
    } else {
        "undated".to_owned()
    };
    format!("kube-rightsize-{slug}-{date}{}", format.suffix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_slugs() {
        assert_eq!(
            export_file_name(
                "Prod EKS (us-east-1)",
                "2026-11-26T07:00:00Z",
                ExportFormat::Html
            ),
            "kube-rightsize-prod-eks-us-east-1-2026-11-26.html"
        );
        assert_eq!(
            export_file_name("../../etc/passwd", "2026-11-26", ExportFormat::Json),
            "kube-rightsize-etc-passwd-2026-11-26.json"
        );
        assert_eq!(
            export_file_name("", "garbage", ExportFormat::NodesCsv),
            "kube-rightsize-cluster-undated-nodes.csv"
        );
        assert_eq!(
            export_file_name(
                "<script>",
                "2026-01-02T00:00:00Z",
                ExportFormat::WorkloadsCsv
            ),
            "kube-rightsize-script-2026-01-02-workloads.csv"
        );
    }
}
