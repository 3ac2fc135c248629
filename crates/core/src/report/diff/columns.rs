//! The comparison's tables for the app, as [`crate::report::columns`] describes every table: the
//! recommendations followed up ([`CELLS`]), the workloads that changed ([`WORKLOADS`]) and the
//! node pools and namespaces whose cost changed ([`CHANGES`]). (The rows carry everything; the
//! report argument of [`Column::value`] is not used.)

use super::{Cell, Change, WorkloadChange};
use crate::report::columns::{Column, Kind, Value};

fn usd(amount: f64) -> Value<'static> {
    Value::Usd {
        amount,
        estimate: false,
    }
}

fn opt_usd(v: Option<f64>) -> Value<'static> {
    v.map_or(Value::Unset, usd)
}

fn amount(resource: &str, v: Option<f64>) -> Value<'static> {
    match v {
        None => Value::Unset,
        Some(v) if resource == "cpu" => Value::Cores(v),
        Some(v) => Value::Bytes(v as i64),
    }
}

/// The earlier report's recommended requests and what became of them.
pub static CELLS: &[Column<Cell>] = &[
    Column {
        key: "namespace",
        title: "Namespace",
        help: "The workload's namespace",
        kind: Kind::Text,
        filter: true,
        value: |_, c| Value::Text(&c.namespace),
    },
    Column {
        key: "workload",
        title: "Workload",
        help: "Kind/name",
        kind: Kind::Text,
        filter: false,
        value: |_, c| Value::Owned(format!("{}/{}", c.kind, c.workload)),
    },
    Column {
        key: "container",
        title: "Container",
        help: "",
        kind: Kind::Text,
        filter: false,
        value: |_, c| Value::Text(&c.container),
    },
    Column {
        key: "resource",
        title: "Resource",
        help: "The request recommended: cpu or memory",
        kind: Kind::Text,
        filter: true,
        value: |_, c| Value::Text(&c.resource),
    },
    Column {
        key: "before",
        title: "Before",
        help: "The request in the earlier report (– unset)",
        kind: Kind::Number,
        filter: false,
        value: |_, c| amount(&c.resource, c.before),
    },
    Column {
        key: "recommended",
        title: "Recommended",
        help: "The earlier report's recommendation",
        kind: Kind::Number,
        filter: false,
        value: |_, c| amount(&c.resource, Some(c.recommended)),
    },
    Column {
        key: "after",
        title: "Now",
        help: "The request in this analysis",
        kind: Kind::Number,
        filter: false,
        value: |_, c| amount(&c.resource, c.after),
    },
    Column {
        key: "outcome",
        title: "Outcome",
        help: "applied (within 10% of the recommendation), open (unchanged), changed otherwise, or gone",
        kind: Kind::Text,
        filter: true,
        value: |_, c| Value::Owned(c.outcome.as_str().replace('_', " ")),
    },
    Column {
        key: "monthly_savings",
        title: "Monthly",
        help: "Applied: what it saves a month; open: what applying it would save (earlier prices and pod counts)",
        kind: Kind::Money,
        filter: false,
        value: |_, c| usd(c.monthly_savings),
    },
];

/// The workloads that changed, were added or were removed.
pub static WORKLOADS: &[Column<WorkloadChange>] = &[
    Column {
        key: "namespace",
        title: "Namespace",
        help: "",
        kind: Kind::Text,
        filter: true,
        value: |_, w| Value::Text(&w.namespace),
    },
    Column {
        key: "kind",
        title: "Kind",
        help: "",
        kind: Kind::Text,
        filter: true,
        value: |_, w| Value::Text(&w.kind),
    },
    Column {
        key: "name",
        title: "Name",
        help: "",
        kind: Kind::Text,
        filter: false,
        value: |_, w| Value::Text(&w.name),
    },
    Column {
        key: "status",
        title: "Status",
        help: "added, removed or changed (cost, pods or containers)",
        kind: Kind::Text,
        filter: true,
        value: |_, w| Value::Text(&w.status),
    },
    Column {
        key: "pods_before",
        title: "Pods before",
        help: "Pods holding resources in the earlier report",
        kind: Kind::Number,
        filter: false,
        value: |_, w| w.pods_before.map_or(Value::Unset, Value::Count),
    },
    Column {
        key: "pods_after",
        title: "Pods now",
        help: "Pods holding resources now",
        kind: Kind::Number,
        filter: false,
        value: |_, w| w.pods_after.map_or(Value::Unset, Value::Count),
    },
    Column {
        key: "cost_before",
        title: "Before",
        help: "Monthly cost in the earlier report",
        kind: Kind::Money,
        filter: false,
        value: |_, w| opt_usd(w.cost_before),
    },
    Column {
        key: "cost_after",
        title: "Now",
        help: "Monthly cost now",
        kind: Kind::Money,
        filter: false,
        value: |_, w| opt_usd(w.cost_after),
    },
    Column {
        key: "change",
        title: "Change",
        help: "Now − before",
        kind: Kind::Money,
        filter: false,
        value: |_, w| usd(w.change),
    },
];

/// Node pools or namespaces whose cost changed.
pub static CHANGES: &[Column<Change>] = &[
    Column {
        key: "name",
        title: "Name",
        help: "",
        kind: Kind::Text,
        filter: false,
        value: |_, c| Value::Text(&c.name),
    },
    Column {
        key: "status",
        title: "Status",
        help: "added, removed, changed or unchanged",
        kind: Kind::Text,
        filter: true,
        value: |_, c| Value::Text(c.status()),
    },
    Column {
        key: "before",
        title: "Before",
        help: "Monthly cost in the earlier report",
        kind: Kind::Money,
        filter: false,
        value: |_, c| opt_usd(c.before),
    },
    Column {
        key: "after",
        title: "Now",
        help: "Monthly cost now",
        kind: Kind::Money,
        filter: false,
        value: |_, c| opt_usd(c.after),
    },
    Column {
        key: "change",
        title: "Change",
        help: "Now − before",
        kind: Kind::Money,
        filter: false,
        value: |_, c| usd(c.change),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique() {
        fn unique<R>(t: &[Column<R>]) {
            let mut keys: Vec<&str> = t.iter().map(|c| c.key).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), t.len());
        }
        unique(CELLS);
        unique(WORKLOADS);
        unique(CHANGES);
    }
}
