//! The report as CSV (RFC 4180, CRLF line ends): workloads with one row per container, nodes,
//! and namespaces.
//!
//! Text cells that a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab
//! or carriage return) are prefixed with `'`. Numbers are written unrounded; empty cells mean
//! "not set"; a recommended cell that is undefined (KRR's `?`: no data, HPA) is `?`.

use super::{ContainerRecommendation, OptionalAmount, Report};

/// Header of [`workloads_csv`].
pub const WORKLOADS_HEADER: &[&str] = &[
    "namespace",
    "kind",
    "name",
    "pods",
    "running_pods",
    "nodes",
    "instance_types",
    "workload_cpu_request_cores",
    "workload_memory_request_bytes",
    "monthly_cost",
    "recommended_monthly_cost",
    "monthly_savings",
    "severity",
    "no_requests",
    "price_estimate",
    "price_sources",
    "container",
    "sidecar",
    "cpu_request_cores",
    "memory_request_bytes",
    "cpu_limit_cores",
    "memory_limit_bytes",
    "recommended_cpu_request_cores",
    "recommended_memory_request_bytes",
    "recommended_cpu_limit_cores",
    "recommended_memory_limit_bytes",
    "recommendation_source",
    "recommendation_severity",
    "recommendation_info",
];

/// Header of [`nodes_csv`].
pub const NODES_HEADER: &[&str] = &[
    "name",
    "provider",
    "instance_type",
    "region",
    "zone",
    "capacity_type",
    "pool",
    "arch",
    "allocatable_cpu_cores",
    "allocatable_memory_bytes",
    "requested_cpu_cores",
    "requested_memory_bytes",
    "hourly_price",
    "price_source",
    "price_as_of",
    "price_estimate",
    "cpu_core_hourly_rate",
    "memory_gib_hourly_rate",
    "monthly_cost",
    "allocated_monthly_cost",
    "idle_monthly_cost",
    "pods",
    "overcommitted",
    "explanation",
];

/// Header of [`namespaces_csv`].
pub const NAMESPACES_HEADER: &[&str] = &[
    "name",
    "pods",
    "workloads",
    "monthly_cost",
    "recommended_monthly_cost",
    "monthly_savings",
    "price_estimate",
    "prices",
];

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

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

fn opt_num(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

fn opt_int(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn opt_text(v: Option<&str>) -> String {
    v.map(text_cell).unwrap_or_default()
}

fn boolean(v: bool) -> String {
    v.to_string()
}

fn write_row(out: &mut String, cells: &[String]) {
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

fn header(fields: &[&str]) -> String {
    let mut out = String::new();
    write_row(
        &mut out,
        &fields.iter().map(|f| (*f).to_owned()).collect::<Vec<_>>(),
    );
    out
}

fn amounts(a: &OptionalAmount) -> [String; 2] {
    [opt_num(a.cpu_cores), opt_int(a.memory_bytes)]
}

/// Recommended amounts of `which` (`requests` or `limits`), `?` for undefined cells.
fn rec_amounts(r: &ContainerRecommendation, which: &str, a: &OptionalAmount) -> [String; 2] {
    let [cpu, memory] = amounts(a);
    let cell = |res: &str, v: String| {
        if r.undefined.iter().any(|u| *u == format!("{which}.{res}")) {
            "?".to_owned()
        } else {
            v
        }
    };
    [cell("cpu", cpu), cell("memory", memory)]
}

/// Workloads, one row per container of each workload's representative pod (one row with empty
/// container cells when it has none), in report order.
pub fn workloads_csv(report: &Report) -> String {
    let mut out = header(WORKLOADS_HEADER);
    for w in &report.workloads {
        let common = vec![
            text_cell(&w.namespace),
            text_cell(&w.kind),
            text_cell(&w.name),
            w.pods.to_string(),
            w.running_pods.to_string(),
            text_cell(&w.nodes.join(";")),
            text_cell(&w.instance_types.join(";")),
            num(w.requests.cpu_cores),
            w.requests.memory_bytes.to_string(),
            num(w.monthly_cost),
            num(w.recommended_monthly_cost),
            num(w.monthly_savings),
            opt_text(w.severity.as_deref()),
            boolean(w.no_requests),
            boolean(w.price_estimate),
            text_cell(&w.price_sources.join(";")),
        ];
        if w.containers.is_empty() {
            let mut row = common.clone();
            row.extend(std::iter::repeat_n(String::new(), 13));
            write_row(&mut out, &row);
        }
        for c in &w.containers {
            let mut row = common.clone();
            row.push(text_cell(&c.name));
            row.push(boolean(c.sidecar));
            row.extend(amounts(&c.requests));
            row.extend(amounts(&c.limits));
            match &c.recommended {
                Some(r) => {
                    row.extend(rec_amounts(r, "requests", &r.requests));
                    row.extend(rec_amounts(r, "limits", &r.limits));
                    row.push(text_cell(&r.source));
                    row.push(opt_text(r.severity.as_deref()));
                    row.push(opt_text(r.info.as_deref()));
                }
                None => row.extend(std::iter::repeat_n(String::new(), 7)),
            }
            write_row(&mut out, &row);
        }
    }
    out
}

/// Nodes, by name.
pub fn nodes_csv(report: &Report) -> String {
    let mut out = header(NODES_HEADER);
    for n in &report.nodes {
        let row = vec![
            text_cell(&n.name),
            n.provider.as_str().to_owned(),
            opt_text(n.instance_type.as_deref()),
            opt_text(n.region.as_deref()),
            opt_text(n.zone.as_deref()),
            n.capacity_type.as_str().to_owned(),
            opt_text(n.pool.as_deref()),
            opt_text(n.arch.as_deref()),
            num(n.allocatable.cpu_cores),
            n.allocatable.memory_bytes.to_string(),
            num(n.requested.cpu_cores),
            n.requested.memory_bytes.to_string(),
            num(n.hourly_price),
            n.price_source.as_str().to_owned(),
            opt_text(n.price_as_of.as_deref()),
            boolean(n.price_estimate),
            num(n.cpu_core_hourly_rate),
            num(n.memory_gib_hourly_rate),
            num(n.monthly_cost),
            num(n.allocated_monthly_cost),
            num(n.idle_monthly_cost),
            n.pods.to_string(),
            boolean(n.overcommitted),
            text_cell(&n.explanation),
        ];
        write_row(&mut out, &row);
    }
    out
}

/// Namespaces, by monthly cost descending; the `prices` column repeats the pricing summary.
pub fn namespaces_csv(report: &Report) -> String {
    let mut out = header(NAMESPACES_HEADER);
    for n in &report.namespaces {
        let row = vec![
            text_cell(&n.name),
            n.pods.to_string(),
            n.workloads.to_string(),
            num(n.monthly_cost),
            num(n.recommended_monthly_cost),
            num(n.monthly_savings),
            boolean(n.price_estimate),
            text_cell(&report.pricing.summary),
        ];
        write_row(&mut out, &row);
    }
    out
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
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(0.5), "0.5");
    }
}
