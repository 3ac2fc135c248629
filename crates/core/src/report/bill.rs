//! Fills the report's bill beyond the nodes ([`crate::bill`]): the summary's storage, load
//! balancer, control-plane and bill totals, the namespace and workload columns, and the
//! volumes, load balancers and control plane themselves.

use std::collections::BTreeMap;

use crate::bill::Bill;
use crate::cluster::Cluster;

use super::{NamespaceRow, Report};

/// Puts `bill` into `report` (built by [`Report::build`] from the same cluster).
pub fn attach(report: &mut Report, cluster: &Cluster, bill: &Bill) {
    let s = &mut report.summary;
    s.storage_monthly_cost = bill.storage_monthly();
    s.idle_storage_monthly_cost = bill.idle_storage_monthly();
    s.load_balancer_monthly_cost = bill.load_balancer_monthly();
    s.control_plane_monthly_cost = bill.control_plane_monthly();
    s.bill_monthly_cost = Some(
        s.monthly_cost
            + s.storage_monthly_cost
            + s.load_balancer_monthly_cost
            + s.control_plane_monthly_cost,
    );
    if s.list_monthly_cost.is_some() || bill.discount_monthly > 0.0 {
        let nodes_off = s.list_monthly_cost.map_or(0.0, |l| l - s.monthly_cost);
        s.list_bill_monthly_cost = s
            .bill_monthly_cost
            .map(|b| b + nodes_off + bill.discount_monthly);
    }

    let by_key: BTreeMap<(&str, &str, &str), usize> = cluster
        .workloads
        .iter()
        .enumerate()
        .map(|(i, w)| ((w.namespace.as_str(), w.kind.as_str(), w.name.as_str()), i))
        .collect();
    for row in &mut report.workloads {
        if let Some(&i) =
            by_key.get(&(row.namespace.as_str(), row.kind.as_str(), row.name.as_str()))
        {
            row.storage_monthly_cost = bill.workload_storage.get(&i).copied().unwrap_or(0.0);
            row.load_balancer_monthly_cost =
                bill.workload_load_balancers.get(&i).copied().unwrap_or(0.0);
        }
    }

    for (ns, _) in bill
        .namespace_storage
        .iter()
        .chain(&bill.namespace_load_balancers)
    {
        if !report.namespaces.iter().any(|n| &n.name == ns) {
            report.namespaces.push(NamespaceRow {
                name: ns.clone(),
                pods: 0,
                workloads: 0,
                monthly_cost: 0.0,
                recommended_monthly_cost: 0.0,
                monthly_savings: 0.0,
                price_estimate: false,
                storage_monthly_cost: 0.0,
                load_balancer_monthly_cost: 0.0,
            });
        }
    }
    for row in &mut report.namespaces {
        row.storage_monthly_cost = bill
            .namespace_storage
            .get(&row.name)
            .copied()
            .unwrap_or(0.0);
        row.load_balancer_monthly_cost = bill
            .namespace_load_balancers
            .get(&row.name)
            .copied()
            .unwrap_or(0.0);
    }

    report.volumes = bill.volumes.clone();
    report.load_balancers = bill.load_balancers.clone();
    report.control_plane = bill.control_plane.clone();
    report.bill_notes = bill.notes.clone();
}
