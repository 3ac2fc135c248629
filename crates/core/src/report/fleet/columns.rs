//! The fleet's tables for the app, as [`crate::report::columns`] describes every table: one row
//! per cluster ([`CLUSTERS`]), cost by provider and region ([`LOCATIONS`]), the most expensive
//! workloads ([`TOP_WORKLOADS`]) and the node pools with the most idle cost ([`IDLE_POOLS`]).
//! (The rows carry everything; the report argument of [`Column::value`] is not used.)

use super::{ClusterRow, FleetPool, FleetWorkload, LocationRow};
use crate::report::columns::{Column, Kind, Value};

fn usd(amount: f64) -> Value<'static> {
    Value::Usd {
        amount,
        estimate: false,
    }
}

/// One row per cluster: its report's own figures.
pub static CLUSTERS: &[Column<ClusterRow>] = &[
    Column {
        key: "cluster",
        title: "Cluster",
        help: "The cluster's name, as its report records it",
        kind: Kind::Text,
        filter: false,
        value: |_, c| Value::Text(&c.name),
    },
    Column {
        key: "nodes",
        title: "Nodes",
        help: "",
        kind: Kind::Number,
        filter: false,
        value: |_, c| Value::Count(c.summary.nodes),
    },
    Column {
        key: "pods",
        title: "Pods",
        help: "",
        kind: Kind::Number,
        filter: false,
        value: |_, c| Value::Count(c.summary.pods),
    },
    Column {
        key: "monthly_cost",
        title: "Monthly",
        help: "Σ node monthly costs",
        kind: Kind::Money,
        filter: false,
        value: |_, c| usd(c.summary.monthly_cost),
    },
    Column {
        key: "idle_monthly_cost",
        title: "Idle",
        help: "Node cost no pod's requests pay for",
        kind: Kind::Money,
        filter: false,
        value: |_, c| usd(c.summary.idle_monthly_cost),
    },
    Column {
        key: "monthly_savings",
        title: "Savings",
        help: "Monthly savings after recommendations",
        kind: Kind::Money,
        filter: false,
        value: |_, c| usd(c.summary.monthly_savings),
    },
    Column {
        key: "regions",
        title: "Regions",
        help: "",
        kind: Kind::Text,
        filter: false,
        value: |_, c| Value::List(&c.regions),
    },
    Column {
        key: "prices_as_of",
        title: "Prices as of",
        help: "The oldest price date the report used",
        kind: Kind::Text,
        filter: false,
        value: |_, c| c.prices_as_of.as_deref().map_or(Value::Unset, Value::Text),
    },
    Column {
        key: "generated_at",
        title: "Generated",
        help: "When its report was made",
        kind: Kind::Text,
        filter: false,
        value: |_, c| Value::Text(&c.generated_at),
    },
];

/// Cost by provider and region.
pub static LOCATIONS: &[Column<LocationRow>] = &[
    Column {
        key: "provider",
        title: "Provider",
        help: "",
        kind: Kind::Text,
        filter: true,
        value: |_, l| Value::Text(l.provider.as_str()),
    },
    Column {
        key: "region",
        title: "Region",
        help: "",
        kind: Kind::Text,
        filter: false,
        value: |_, l| l.region.as_deref().map_or(Value::Unset, Value::Text),
    },
    Column {
        key: "clusters",
        title: "Clusters",
        help: "",
        kind: Kind::Text,
        filter: false,
        value: |_, l| Value::List(&l.clusters),
    },
    Column {
        key: "nodes",
        title: "Nodes",
        help: "",
        kind: Kind::Number,
        filter: false,
        value: |_, l| Value::Count(l.nodes),
    },
    Column {
        key: "monthly_cost",
        title: "Monthly",
        help: "",
        kind: Kind::Money,
        filter: false,
        value: |_, l| Value::Usd {
            amount: l.monthly_cost,
            estimate: l.price_estimate,
        },
    },
    Column {
        key: "idle_monthly_cost",
        title: "Idle",
        help: "",
        kind: Kind::Money,
        filter: false,
        value: |_, l| usd(l.idle_monthly_cost),
    },
];

/// The most expensive workloads across the fleet.
pub static TOP_WORKLOADS: &[Column<FleetWorkload>] = &[
    Column {
        key: "cluster",
        title: "Cluster",
        help: "",
        kind: Kind::Text,
        filter: true,
        value: |_, w| Value::Text(&w.cluster),
    },
    Column {
        key: "namespace",
        title: "Namespace",
        help: "",
        kind: Kind::Text,
        filter: false,
        value: |_, w| Value::Text(&w.namespace),
    },
    Column {
        key: "workload",
        title: "Workload",
        help: "Kind/name",
        kind: Kind::Text,
        filter: false,
        value: |_, w| Value::Owned(format!("{}/{}", w.kind, w.name)),
    },
    Column {
        key: "running_pods",
        title: "Pods",
        help: "Pods holding resources",
        kind: Kind::Number,
        filter: false,
        value: |_, w| Value::Count(w.running_pods),
    },
    Column {
        key: "monthly_cost",
        title: "Monthly",
        help: "",
        kind: Kind::Money,
        filter: false,
        value: |_, w| Value::Usd {
            amount: w.monthly_cost,
            estimate: w.price_estimate,
        },
    },
    Column {
        key: "monthly_savings",
        title: "Savings",
        help: "",
        kind: Kind::Money,
        filter: false,
        value: |_, w| usd(w.monthly_savings),
    },
];

/// The node pools with the most idle cost across the fleet.
pub static IDLE_POOLS: &[Column<FleetPool>] = &[
    Column {
        key: "cluster",
        title: "Cluster",
        help: "",
        kind: Kind::Text,
        filter: true,
        value: |_, p| Value::Text(&p.cluster),
    },
    Column {
        key: "pool",
        title: "Pool",
        help: "",
        kind: Kind::Text,
        filter: false,
        value: |_, p| Value::Text(&p.pool),
    },
    Column {
        key: "nodes",
        title: "Nodes",
        help: "",
        kind: Kind::Number,
        filter: false,
        value: |_, p| Value::Count(p.nodes),
    },
    Column {
        key: "monthly_cost",
        title: "Monthly",
        help: "",
        kind: Kind::Money,
        filter: false,
        value: |_, p| usd(p.monthly_cost),
    },
    Column {
        key: "idle_monthly_cost",
        title: "Idle",
        help: "Node cost no pod's requests pay for",
        kind: Kind::Money,
        filter: false,
        value: |_, p| usd(p.idle_monthly_cost),
    },
    Column {
        key: "cpu_requested",
        title: "CPU requested",
        help: "Requested ÷ allocatable CPU",
        kind: Kind::Number,
        filter: false,
        value: |_, p| Value::Percent(p.cpu_requested_percent),
    },
    Column {
        key: "memory_requested",
        title: "Memory requested",
        help: "Requested ÷ allocatable memory",
        kind: Kind::Number,
        filter: false,
        value: |_, p| Value::Percent(p.memory_requested_percent),
    },
    Column {
        key: "best_monthly_savings",
        title: "Best reshape saves",
        help: "The cheapest fitting non-spot shape's saving",
        kind: Kind::Money,
        filter: false,
        value: |_, p| usd(p.best_monthly_savings),
    },
];
