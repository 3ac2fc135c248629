//! The report's recommendation fields, filled from recommendations matched to the snapshot
//! ([`crate::recommend::Resolved`]): containers' `recommended` cells with KRR's severities,
//! workloads' recommended cost and savings, namespaces' and the summary's figures, and the
//! top-level `recommendations` section.

use std::collections::{BTreeMap, HashMap};

use crate::cluster::Cluster;
use crate::cost::{CostModel, HOURS_PER_MONTH};
use crate::recommend::apply::{Matched, Severities, recommended_hourly};
use crate::recommend::{Pair, Recommendation, Resolved, Severity, Value, severity};
use crate::report::{
    CellSeverities, ContainerRecommendation, OptionalAmount, Report, SeverityPair,
};

fn optional_amount(p: Pair) -> OptionalAmount {
    OptionalAmount {
        cpu_cores: p.cpu.get().map(|m| m as f64 / 1000.0),
        memory_bytes: p.memory.get(),
    }
}

fn info_text(r: &Recommendation) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(n) = &r.note {
        parts.push(n.clone());
    }
    match (&r.info_cpu, &r.info_memory) {
        (Some(c), Some(m)) if c == m => parts.push(c.clone()),
        (c, m) => {
            if let Some(c) = c {
                parts.push(format!("cpu: {c}"));
            }
            if let Some(m) = m {
                parts.push(format!("memory: {m}"));
            }
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn cell_severities(s: &Severities) -> CellSeverities {
    let text = |s: Severity| s.as_str().to_owned();
    CellSeverities {
        requests: SeverityPair {
            cpu: text(s.requests_cpu),
            memory: text(s.requests_memory),
        },
        limits: SeverityPair {
            cpu: text(s.limits_cpu),
            memory: text(s.limits_memory),
        },
    }
}

fn undefined_cells(r: &Recommendation) -> Vec<String> {
    [
        ("requests.cpu", r.requests.cpu),
        ("requests.memory", r.requests.memory),
        ("limits.cpu", r.limits.cpu),
        ("limits.memory", r.limits.memory),
    ]
    .into_iter()
    .filter(|(_, v)| *v == Value::Unknown)
    .map(|(n, _)| n.to_owned())
    .collect()
}

/// Fills the report's recommendation fields from `resolved`: containers' `recommended`,
/// workloads' `recommended_monthly_cost`, `monthly_savings` and `severity`, namespaces' and the
/// summary's figures (summary `monthly_savings` = Σ workload savings, `recommended_monthly_cost`
/// = `monthly_cost − monthly_savings`) and the top-level `recommendations` section.
pub fn apply_to_report(
    report: &mut Report,
    cluster: &Cluster,
    costs: &CostModel,
    resolved: &Resolved,
) {
    let mut by_workload: BTreeMap<usize, Vec<&Matched>> = BTreeMap::new();
    for m in &resolved.matched {
        by_workload.entry(m.workload).or_default().push(m);
    }
    let mut ns_savings: BTreeMap<String, f64> = BTreeMap::new();
    let mut total_savings = 0.0;
    for row in &mut report.workloads {
        let key = (row.namespace.clone(), row.kind.clone(), row.name.clone());
        let Some(&w) = cluster.workload_index.get(&key) else {
            continue;
        };
        let Some(matched) = by_workload.get(&w) else {
            continue;
        };
        let recs: HashMap<&str, &Recommendation> = matched
            .iter()
            .map(|m| (m.recommendation.container.as_str(), &m.recommendation))
            .collect();
        let recommended = recommended_hourly(cluster, costs, w, &recs) * HOURS_PER_MONTH;
        let savings = row.monthly_cost - recommended;
        row.recommended_monthly_cost = recommended;
        row.monthly_savings = savings;
        row.severity = Some(
            severity::row(matched.iter().map(|m| m.severities.row))
                .as_str()
                .to_owned(),
        );
        for c in &mut row.containers {
            if let Some(m) = matched
                .iter()
                .find(|m| m.recommendation.container == c.name)
            {
                let r = &m.recommendation;
                c.recommended = Some(ContainerRecommendation {
                    requests: optional_amount(r.requests),
                    limits: optional_amount(r.limits),
                    source: resolved.source.as_str().to_owned(),
                    info: info_text(r),
                    low_confidence: r.low_confidence,
                    severity: Some(m.severities.row.as_str().to_owned()),
                    undefined: undefined_cells(r),
                    severities: Some(cell_severities(&m.severities)),
                });
            }
        }
        *ns_savings.entry(row.namespace.clone()).or_default() += savings;
        total_savings += savings;
    }
    for n in &mut report.namespaces {
        let s = ns_savings.get(&n.name).copied().unwrap_or(0.0);
        n.monthly_savings = s;
        n.recommended_monthly_cost = n.monthly_cost - s;
    }
    report.summary.monthly_savings = total_savings;
    report.summary.recommended_monthly_cost = report.summary.monthly_cost - total_savings;
    report.recommendations = Some(resolved.info());
}
