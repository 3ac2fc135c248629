//! The report as CSV (RFC 4180, CRLF line ends): workloads with one row per container, nodes,
//! namespaces, showback groups and the re-packing's pools. The columns are [`super::columns`]' (their keys are the headers), so the CSV
//! says what every other output says.
//!
//! Text cells that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab
//! or carriage return) are prefixed with `'`. Numbers are written unrounded; empty cells mean
//! "not set"; a recommended cell that is undefined (KRR's `?`: no data, HPA) is `?`.

use super::Report;
use super::columns::{self, Column, Value};

/// One text cell: formula-injection guard, then RFC 4180 quoting when needed.
pub fn text_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// A value as a CSV cell.
fn cell(v: &Value<'_>) -> String {
    if v.is_text() {
        text_cell(&v.raw())
    } else {
        v.raw()
    }
}

fn write_row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    let mut first = true;
    for c in cells {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&c);
    }
    out.push_str("\r\n");
}

fn cells<'a, R>(
    report: &'a Report,
    row: &'a R,
    columns: &'a [&'static Column<R>],
) -> impl Iterator<Item = String> + 'a {
    columns.iter().map(move |c| cell(&(c.value)(report, row)))
}

/// The `cluster` cell of a fleet's row: the report's cluster name.
fn cluster_cell(report: &Report) -> String {
    text_cell(report.cluster.as_deref().unwrap_or_default())
}

/// A whole table over one or more reports: the header (`cluster` first when `fleet`, then the
/// columns' keys), then a row per item of each report.
fn table<R: 'static>(
    reports: &[&Report],
    fleet: bool,
    items: fn(&Report) -> &[R],
    keys: &[&str],
    table: &'static [Column<R>],
) -> String {
    let columns = columns::pick(table, keys);
    let mut out = String::new();
    let cluster = fleet.then(|| "cluster".to_owned());
    write_row(
        &mut out,
        cluster
            .into_iter()
            .chain(keys.iter().map(|k| (*k).to_owned())),
    );
    for report in reports {
        let prefix = fleet.then(|| cluster_cell(report));
        for item in items(report) {
            write_row(
                &mut out,
                prefix.iter().cloned().chain(cells(report, item, &columns)),
            );
        }
    }
    out
}

/// True when any of `reports` has GPUs: the GPU columns are added then (at the end).
fn any_gpus(reports: &[&Report]) -> bool {
    reports.iter().any(|r| columns::has_gpus(r))
}

/// Workloads, one row per container of each workload's representative pod (one row with empty
/// container cells when it has none), in report order. When the cluster has GPUs, the GPU
/// columns ([`columns::WORKLOADS_GPU`]) follow the container columns at the end of each row,
/// then the bill's ([`columns::WORKLOADS_BILL`]) when it prices volumes or load balancers.
pub fn workloads_csv(report: &Report) -> String {
    workloads_csv_of(&[report], false)
}

/// [`workloads_csv`] of several reports one after another, with a leading `cluster` column when
/// `fleet`.
pub fn workloads_csv_of(reports: &[&Report], fleet: bool) -> String {
    let keys = columns::WORKLOADS_VIEW.csv;
    let workload_columns = columns::pick(columns::WORKLOADS, keys);
    let container_columns = columns::pick(columns::CONTAINERS, columns::CONTAINERS_CSV);
    let mut gpu_keys: Vec<&str> = Vec::new();
    if any_gpus(reports) {
        gpu_keys.extend_from_slice(columns::WORKLOADS_GPU);
    }
    if reports.iter().any(|r| columns::has_bill(r)) {
        gpu_keys.extend_from_slice(columns::WORKLOADS_BILL);
    }
    let gpu_columns = columns::pick(columns::WORKLOADS, &gpu_keys);
    let mut out = String::new();
    let cluster = fleet.then(|| "cluster".to_owned());
    write_row(
        &mut out,
        cluster.into_iter().chain(
            keys.iter()
                .chain(columns::CONTAINERS_CSV)
                .chain(&gpu_keys)
                .map(|k| (*k).to_owned()),
        ),
    );
    for report in reports {
        let prefix = fleet.then(|| cluster_cell(report));
        for w in &report.workloads {
            let common: Vec<String> = prefix
                .iter()
                .cloned()
                .chain(cells(report, w, &workload_columns))
                .collect();
            let gpu: Vec<String> = cells(report, w, &gpu_columns).collect();
            if w.containers.is_empty() {
                let empty = std::iter::repeat_n(String::new(), container_columns.len());
                write_row(
                    &mut out,
                    common
                        .iter()
                        .cloned()
                        .chain(empty)
                        .chain(gpu.iter().cloned()),
                );
            }
            for c in &w.containers {
                write_row(
                    &mut out,
                    common
                        .iter()
                        .cloned()
                        .chain(cells(report, c, &container_columns))
                        .chain(gpu.iter().cloned()),
                );
            }
        }
    }
    out
}

/// Nodes, by name; when the cluster has GPUs, the GPU columns ([`columns::NODES_GPU_CSV`]) at
/// the end.
pub fn nodes_csv(report: &Report) -> String {
    nodes_csv_of(&[report], false)
}

/// [`nodes_csv`] of several reports, with a leading `cluster` column when `fleet` (the GPU
/// columns when any of them has GPUs).
pub fn nodes_csv_of(reports: &[&Report], fleet: bool) -> String {
    let mut keys = columns::NODES_VIEW.csv.to_vec();
    if any_gpus(reports) {
        keys.extend_from_slice(columns::NODES_GPU_CSV);
    }
    table(reports, fleet, |r| &r.nodes, &keys, columns::NODES)
}

/// Namespaces, by monthly cost descending; the `prices` column repeats the pricing summary.
pub fn namespaces_csv(report: &Report) -> String {
    namespaces_csv_of(&[report], false)
}

/// [`namespaces_csv`] of several reports, with a leading `cluster` column when `fleet`.
pub fn namespaces_csv_of(reports: &[&Report], fleet: bool) -> String {
    let mut keys = columns::NAMESPACES_VIEW.csv.to_vec();
    if reports.iter().any(|r| columns::has_bill(r)) {
        keys.extend_from_slice(columns::NAMESPACES_BILL);
    }
    table(
        reports,
        fleet,
        |r| &r.namespaces,
        &keys,
        columns::NAMESPACES,
    )
}

/// The showback's groups ([`crate::allocation`]), by total cost descending; the header only
/// when the report has no allocation.
pub fn groups_csv(report: &Report) -> String {
    groups_csv_of(&[report], false)
}

/// [`groups_csv`] of several reports, with a leading `cluster` column when `fleet`.
pub fn groups_csv_of(reports: &[&Report], fleet: bool) -> String {
    table(
        reports,
        fleet,
        |r| r.allocation.as_ref().map_or(&[], |a| a.groups.as_slice()),
        columns::GROUPS_VIEW.csv,
        columns::GROUPS,
    )
}

/// The re-packing's per pool plans ([`crate::repack`]), one row per pool; the header only when
/// the report has no re-packing.
pub fn repack_csv(report: &Report) -> String {
    repack_csv_of(&[report], false)
}

/// [`repack_csv`] of several reports, with a leading `cluster` column when `fleet`.
pub fn repack_csv_of(reports: &[&Report], fleet: bool) -> String {
    table(
        reports,
        fleet,
        |r| r.repack.as_ref().map_or(&[], |r| r.pools.as_slice()),
        columns::REPACK_POOLS_VIEW.csv,
        columns::REPACK_POOLS,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_guarded() {
        assert_eq!(text_cell("plain"), "plain");
        assert_eq!(text_cell("a,b"), "\"a,b\"");
        assert_eq!(text_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text_cell("+1"), "'+1");
        assert_eq!(text_cell("-x"), "'-x");
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_cell("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(cell(&Value::Cores(f64::NAN)), "");
        assert_eq!(cell(&Value::Cores(0.5)), "0.5");
        assert_eq!(cell(&Value::Text("=1")), "'=1");
    }
}
