//! The report as FOCUS-shaped CSV rows (the FinOps Open Cost and Usage Specification, version
//! 1.0; `docs/focus.md`): one row per workload per resource kind (compute, storage, load
//! balancer), then rows for what belongs to no workload (storage and load balancers a
//! namespace holds, each node's idle cost, unclaimed volumes, the control plane). The rows add
//! up to the report's bill (pods on an over-committed node already cost its price and no more,
//! docs/cost-model.md §5).
//!
//! The charge period is the calendar month of the report's `generated_at`; the costs are the
//! report's monthly figures (730 hours). Billed = effective = contracted cost: the report's
//! (net) figures; list cost: the same at list price, which differs only where the user set
//! discounts (docs/cost-model.md §13). `Tags` is a JSON object with the workload's namespace and kind and, when
//! the report has an allocation, its group's value of each key.

use std::fmt::Write as _;

use super::Report;
use super::csv::text_cell;
use crate::model::Provider;

/// The FOCUS version the rows follow.
pub const FOCUS_VERSION: &str = "1.0";

/// The columns, in order: FOCUS 1.0's columns (all of them, alphabetical as in the spec).
pub const COLUMNS: &[&str] = &[
    "AvailabilityZone",
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "CommitmentDiscountCategory",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountStatus",
    "CommitmentDiscountType",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "ContractedUnitPrice",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
];

/// What a row charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Compute,
    Storage,
    LoadBalancer,
    ControlPlane,
}

impl Service {
    /// FOCUS's ServiceCategory.
    fn category(self) -> &'static str {
        match self {
            Service::Compute | Service::ControlPlane => "Compute",
            Service::Storage => "Storage",
            Service::LoadBalancer => "Networking",
        }
    }

    /// The provider's service.
    fn name(self, provider: Provider) -> &'static str {
        use Provider as P;
        match (self, provider) {
            (Service::Compute, P::Aws) => "Amazon Elastic Compute Cloud",
            (Service::Compute, P::Gcp) => "Compute Engine",
            (Service::Compute, P::Azure) => "Virtual Machines",
            (Service::Compute, _) => "Kubernetes nodes",
            (Service::Storage, P::Aws) => "Amazon Elastic Block Store",
            (Service::Storage, P::Gcp) => "Persistent Disk",
            (Service::Storage, P::Azure) => "Managed Disks",
            (Service::Storage, _) => "Kubernetes persistent volumes",
            (Service::LoadBalancer, P::Aws) => "Elastic Load Balancing",
            (Service::LoadBalancer, P::Gcp) => "Cloud Load Balancing",
            (Service::LoadBalancer, P::Azure) => "Load Balancer",
            (Service::LoadBalancer, _) => "Kubernetes load balancers",
            (Service::ControlPlane, P::Aws) => "Amazon Elastic Kubernetes Service",
            (Service::ControlPlane, P::Gcp) => "Google Kubernetes Engine",
            (Service::ControlPlane, P::Azure) => "Azure Kubernetes Service",
            (Service::ControlPlane, _) => "Kubernetes control plane",
        }
    }
}

/// FOCUS's ProviderName (also the publisher and invoice issuer here).
fn provider_name(p: Provider) -> &'static str {
    match p {
        Provider::Aws => "AWS",
        Provider::Gcp => "Google Cloud",
        Provider::Azure => "Microsoft",
        _ => "Unknown",
    }
}

/// One row before it is written.
struct Row<'a> {
    cost: f64,
    /// The cost at list price (equal to `cost` without discounts).
    list: f64,
    category: &'static str,
    description: String,
    resource_id: String,
    resource_name: &'a str,
    resource_type: &'a str,
    service: Service,
    region: Option<&'a str>,
    namespace: Option<&'a str>,
    tags: String,
}

/// The calendar month of an RFC 3339 `generated_at` as (start, end) in FOCUS's date-time form;
/// the epoch's month when it cannot be read.
pub fn charge_period(generated_at: &str) -> (String, String) {
    let year = generated_at.get(..4).and_then(|y| y.parse::<u32>().ok());
    let month = generated_at.get(5..7).and_then(|m| m.parse::<u32>().ok());
    let (y, m) = match (year, month) {
        (Some(y), Some(m)) if (1..=12).contains(&m) && generated_at.get(4..5) == Some("-") => {
            (y, m)
        }
        _ => (1970, 1),
    };
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (
        format!("{y:04}-{m:02}-01T00:00:00Z"),
        format!("{ny:04}-{nm:02}-01T00:00:00Z"),
    )
}

/// A JSON string (quotes and escapes).
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// The `Tags` JSON of a workload (namespace, kind and its group's values).
fn workload_tags(report: &Report, namespace: &str, kind: &str, name: &str) -> String {
    let mut tags = vec![
        ("kubernetes.namespace".to_owned(), namespace.to_owned()),
        ("kubernetes.kind".to_owned(), kind.to_owned()),
    ];
    if let Some(a) = &report.allocation
        && let Some(w) = a.workload(namespace, kind, name)
    {
        for (k, v) in a.keys.iter().zip(&w.values) {
            tags.push((k.clone(), v.clone()));
        }
        if w.shared {
            tags.push(("kube-rightsize.shared".to_owned(), "true".to_owned()));
        }
    }
    tags_json(&tags)
}

fn tags_json(tags: &[(String, String)]) -> String {
    let body: Vec<String> = tags
        .iter()
        .map(|(k, v)| format!("{}:{}", json_string(k), json_string(v)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// The rows of `report`, in order.
fn rows(report: &Report) -> Vec<Row<'_>> {
    let mut rows = Vec::new();
    let home = provider(report);
    let services_list = |cost: f64| list_of(report, home, cost);
    let region_of = |nodes: &[String]| {
        nodes.iter().find_map(|n| {
            report
                .nodes
                .binary_search_by(|r| r.name.as_str().cmp(n))
                .ok()
                .and_then(|i| report.nodes[i].region.as_deref())
        })
    };
    for w in &report.workloads {
        let tags = workload_tags(report, &w.namespace, &w.kind, &w.name);
        let id = format!("{}/{}/{}", w.namespace, w.kind, w.name);
        for (service, cost, list, what) in [
            (
                Service::Compute,
                w.monthly_cost,
                w.list_monthly_cost.unwrap_or(w.monthly_cost),
                "compute (CPU, memory and GPU requests)",
            ),
            (
                Service::Storage,
                w.storage_monthly_cost,
                services_list(w.storage_monthly_cost),
                "persistent volumes",
            ),
            (
                Service::LoadBalancer,
                w.load_balancer_monthly_cost,
                services_list(w.load_balancer_monthly_cost),
                "load balancers",
            ),
        ] {
            if cost == 0.0 {
                continue;
            }
            rows.push(Row {
                cost,
                list,
                category: "Usage",
                description: format!("{} {} {}: {what}", w.kind, w.namespace, w.name),
                resource_id: id.clone(),
                resource_name: &w.name,
                resource_type: &w.kind,
                service,
                region: region_of(&w.nodes),
                namespace: Some(&w.namespace),
                tags: tags.clone(),
            });
        }
    }
    namespace_rows(report, &mut rows);
    node_rows(report, &mut rows);
    volume_and_control_plane_rows(report, &mut rows);
    rows
}

/// The list price of a cost of `provider`'s disks, load balancers or control plane: the cost
/// without the provider's flat discount (docs/cost-model.md §13).
fn list_of(report: &Report, provider: Provider, cost: f64) -> f64 {
    match report.pricing.flat_discounts.get(&provider) {
        Some(d) if (0.0..1.0).contains(d) => cost / (1.0 - d),
        _ => cost,
    }
}

/// Storage and load balancers a namespace holds beyond its workloads' (claims no pod mounts,
/// load balancers selecting no pod).
fn namespace_rows<'a>(report: &'a Report, rows: &mut Vec<Row<'a>>) {
    for ns in &report.namespaces {
        let of_workloads = |f: fn(&super::WorkloadRow) -> f64| -> f64 {
            report
                .workloads
                .iter()
                .filter(|w| w.namespace == ns.name)
                .map(f)
                .sum()
        };
        let storage = ns.storage_monthly_cost - of_workloads(|w| w.storage_monthly_cost);
        let lbs = ns.load_balancer_monthly_cost - of_workloads(|w| w.load_balancer_monthly_cost);
        let tags = tags_json(&[("kubernetes.namespace".to_owned(), ns.name.clone())]);
        for (service, cost, what) in [
            (Service::Storage, storage, "claims no pod mounts"),
            (
                Service::LoadBalancer,
                lbs,
                "load balancers selecting no pod",
            ),
        ] {
            if cost.abs() < 1e-9 {
                continue;
            }
            rows.push(Row {
                cost,
                list: list_of(report, provider(report), cost),
                category: "Usage",
                description: format!("namespace {}: {what}", ns.name),
                resource_id: format!("{}/Namespace", ns.name),
                resource_name: &ns.name,
                resource_type: "Namespace",
                service,
                region: None,
                namespace: Some(&ns.name),
                tags: tags.clone(),
            });
        }
    }
}

/// Each node's idle cost.
fn node_rows<'a>(report: &'a Report, rows: &mut Vec<Row<'a>>) {
    for n in &report.nodes {
        let (cost, category, what) = (
            n.idle_monthly_cost,
            "Usage",
            "idle capacity (not requested)",
        );
        if cost == 0.0 {
            continue;
        }
        let list = match n.list_hourly_price {
            Some(l) if n.hourly_price > 0.0 => cost * l / n.hourly_price,
            _ => cost,
        };
        rows.push(Row {
            cost,
            list,
            category,
            description: format!("node {}: {what}", n.name),
            resource_id: format!("node/{}", n.name),
            resource_name: &n.name,
            resource_type: "Node",
            service: Service::Compute,
            region: n.region.as_deref(),
            namespace: None,
            tags: tags_json(&[("kube-rightsize.idle".to_owned(), "true".to_owned())]),
        });
    }
}

fn volume_and_control_plane_rows<'a>(report: &'a Report, rows: &mut Vec<Row<'a>>) {
    for v in &report.volumes {
        if v.state != crate::bill::VolumeState::Unclaimed || v.monthly_cost == 0.0 {
            continue;
        }
        rows.push(Row {
            cost: v.monthly_cost,
            list: list_of(report, v.provider, v.monthly_cost),
            category: "Usage",
            description: format!("unclaimed volume {} ({})", v.volume, v.disk_type),
            resource_id: format!("persistentvolume/{}", v.volume),
            resource_name: &v.volume,
            resource_type: "PersistentVolume",
            service: Service::Storage,
            region: v.region.as_deref(),
            namespace: None,
            tags: tags_json(&[("kube-rightsize.idle".to_owned(), "true".to_owned())]),
        });
    }
    if let Some(c) = &report.control_plane
        && c.monthly_cost != 0.0
    {
        rows.push(Row {
            cost: c.monthly_cost,
            list: list_of(report, provider(report), c.monthly_cost),
            category: "Usage",
            description: format!("managed control plane ({} {})", c.service, c.tier),
            resource_id: "control-plane".to_owned(),
            resource_name: "control plane",
            resource_type: "Control plane",
            service: Service::ControlPlane,
            region: None,
            namespace: None,
            tags: tags_json(&[("kube-rightsize.shared".to_owned(), "true".to_owned())]),
        });
    }
}

/// The cluster's provider: the most common among its nodes.
fn provider(report: &Report) -> Provider {
    let mut counts: std::collections::BTreeMap<Provider, usize> = Default::default();
    for n in &report.nodes {
        *counts.entry(n.provider).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map_or(Provider::Unknown, |(p, _)| p)
}

fn number(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// The FOCUS CSV of `report` (RFC 4180, CRLF), the header first. `account` is the cluster's
/// name (BillingAccountId and BillingAccountName).
pub fn focus_csv(report: &Report, account: &str) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    write_rows(report, account, &mut out);
    out
}

/// The FOCUS CSV of several reports (a fleet): one header, each report's rows with its cluster's
/// name as the billing account.
pub fn focus_csv_of(reports: &[&Report]) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for r in reports {
        write_rows(r, crate::report::fleet::name_of(r), &mut out);
    }
    out
}

fn write_rows(report: &Report, account: &str, out: &mut String) {
    let (start, end) = charge_period(&report.generated_at);
    let provider = provider(report);
    let issuer = provider_name(provider);
    let account = text_cell(account);
    for row in rows(report) {
        let hours = crate::cost::HOURS_PER_MONTH;
        let cost = number(row.cost);
        let unit_price = number(row.cost / hours);
        let list = number(row.list);
        let list_unit_price = number(row.list / hours);
        let region = row.region.map(text_cell).unwrap_or_default();
        let ns = row.namespace.map(text_cell).unwrap_or_default();
        let cells: [String; 43] = [
            String::new(),
            cost.clone(),
            account.clone(),
            account.clone(),
            "USD".to_owned(),
            end.clone(),
            start.clone(),
            row.category.to_owned(),
            String::new(),
            text_cell(&row.description),
            "Usage-Based".to_owned(),
            end.clone(),
            start.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            number(hours),
            "Hours".to_owned(),
            cost.clone(),
            unit_price.clone(),
            cost.clone(),
            issuer.to_owned(),
            list,
            list_unit_price,
            "Standard".to_owned(),
            number(hours),
            "Hours".to_owned(),
            issuer.to_owned(),
            issuer.to_owned(),
            region.clone(),
            region,
            text_cell(&row.resource_id),
            text_cell(row.resource_name),
            text_cell(row.resource_type),
            row.service.category().to_owned(),
            row.service.name(provider).to_owned(),
            String::new(),
            String::new(),
            ns.clone(),
            ns,
            text_cell(&row.tags),
        ];
        let _ = write!(out, "{}\r\n", cells.join(","));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_charge_period_is_the_calendar_month() {
        assert_eq!(
            charge_period("2026-12-06T12:00:00Z"),
            (
                "2026-12-01T00:00:00Z".to_owned(),
                "2027-01-01T00:00:00Z".to_owned()
            )
        );
        assert_eq!(charge_period("2026-02-28").0, "2026-02-01T00:00:00Z");
        assert_eq!(charge_period("garbage").0, "1970-01-01T00:00:00Z");
        assert_eq!(charge_period("2026-13-01").0, "1970-01-01T00:00:00Z");
    }

    #[test]
    fn tags_are_json() {
        assert_eq!(
            tags_json(&[("team".into(), "a\"b".into())]),
            r#"{"team":"a\"b"}"#
        );
        assert_eq!(COLUMNS.len(), 43);
    }
}
