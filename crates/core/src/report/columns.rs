//! One description of each table's columns, used by every output: the CSV exports
//! ([`super::csv`]), the terminal table ([`super::table`]), the HTML report ([`super::html`]) and
//! the app's tables.
//!
//! A [`Column`] is a key (the CSV header: stable, snake_case), a title and a one-line meaning
//! for people, how it sorts, and a function from a row to a typed [`Value`]. Each table lists all
//! its columns once ([`WORKLOADS`], [`CONTAINERS`], [`NODES`], [`NAMESPACES`], [`POOLS`],
//! [`WARNINGS`], [`VOLUMES`], [`LOAD_BALANCERS`], [`REPACK_POOLS`], [`REPACK_BLOCKED`], [`GROUPS`]); an output picks some of them by key ([`View`]: the CSV's, the one for people
//! used by the HTML report and the app, the narrower terminal one). A renderer only decides how a
//! value looks — raw in CSV ([`Value::raw`]), formatted by [`crate::format`] for people
//! ([`Value::display`]) — so no two outputs can disagree on what a column holds.

use super::{
    ContainerRecommendation, ContainerRow, NamespaceRow, NodePoolRow, NodeRow, OptionalAmount,
};
use super::{Report, WorkloadRow};
use crate::allocation::GroupCost;
use crate::bill::{LoadBalancerCost, VolumeCost, VolumeState};
use crate::diagnostics::Warning;
use crate::format::{
    fmt_bytes, fmt_cores, fmt_hourly, fmt_list, fmt_percent, fmt_usd, group_thousands, percent_of,
};
use crate::repack::{Blocked, PlanItem, Repack, RepackPool};
use crate::suggest::{self, SuggestionKind};

/// How a column sorts and aligns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text, left-aligned, sorted as text.
    Text,
    /// A number, right-aligned, sorted by [`Value::sort_key`].
    Number,
    /// Money: a number that tables may total.
    Money,
}

/// One column of a table whose rows are `R`.
pub struct Column<R: 'static> {
    /// Stable key: the CSV header, and how views name the column.
    pub key: &'static str,
    /// The header for people.
    pub title: &'static str,
    /// What the column holds, in one line (a header's tooltip).
    pub help: &'static str,
    /// Sorting and alignment.
    pub kind: Kind,
    /// Few distinct values: worth a filter.
    pub filter: bool,
    /// The cell of one row.
    pub value: for<'a> fn(&'a Report, &'a R) -> Value<'a>,
}

/// A cell before any output formats it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Text.
    Text(&'a str),
    /// Text made for this cell.
    Owned(String),
    /// A stable identifier shown as code (a warning's code).
    Code(&'a str),
    /// Not set (`–` for people, empty in CSV).
    Unset,
    /// Undefined, KRR's `?` (no data, HPA).
    Unknown,
    /// A count.
    Count(usize),
    /// `count` out of `of` (shown as `3 of 5` when they differ; CSV writes `count`).
    CountOf {
        /// The count.
        count: usize,
        /// Out of.
        of: usize,
    },
    /// CPU in cores.
    Cores(f64),
    /// Memory in bytes.
    Bytes(i64),
    /// USD; `estimate` marks it `≈` for people.
    Usd {
        /// The amount.
        amount: f64,
        /// True when it rests on an estimated price.
        estimate: bool,
    },
    /// USD per hour.
    Hourly(f64),
    /// USD per core-hour or per GiB-hour.
    Rate(f64),
    /// A percentage, `None` when the whole is zero.
    Percent(Option<f64>),
    /// Requested against allocatable: `1.5 / 4 (38%)`; sorts by the percentage.
    Used {
        /// Requested.
        used: f64,
        /// Allocatable.
        total: f64,
        /// Memory in bytes (else CPU in cores).
        bytes: bool,
    },
    /// Yes or no.
    Flag(bool),
    /// KRR's severity, `None` without recommendations.
    Severity(Option<&'a str>),
    /// A list (`;`-joined in CSV, `, ` for people).
    List(&'a [String]),
    /// The containers of a workload, one line each.
    Containers(&'a [ContainerRow]),
}

/// Lists longer than this show their first items and `+N more` to people.
const LIST_SHOWN: usize = 8;

fn unrounded(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

impl Value<'_> {
    /// The cell as the CSV writes it: numbers unrounded, lists `;`-joined, empty when unset,
    /// `?` when undefined. (The CSV adds its quoting and formula guard to text.)
    pub fn raw(&self) -> String {
        match self {
            Value::Text(s) | Value::Code(s) => (*s).to_owned(),
            Value::Owned(s) => s.clone(),
            Value::Unset => String::new(),
            Value::Unknown => "?".to_owned(),
            Value::Count(n) | Value::CountOf { count: n, .. } => n.to_string(),
            Value::Cores(v) | Value::Hourly(v) | Value::Rate(v) => unrounded(*v),
            Value::Usd { amount, .. } => unrounded(*amount),
            Value::Bytes(b) => b.to_string(),
            Value::Percent(p) => p.map(unrounded).unwrap_or_default(),
            Value::Used { used, total, .. } => {
                percent_of(*used, *total).map(unrounded).unwrap_or_default()
            }
            Value::Flag(b) => b.to_string(),
            Value::Severity(s) => s.unwrap_or_default().to_owned(),
            Value::List(items) => items.join(";"),
            Value::Containers(cs) => cs
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        }
    }

    /// True for the values the CSV writes as text (quoted and guarded when needed).
    pub fn is_text(&self) -> bool {
        matches!(
            self,
            Value::Text(_)
                | Value::Owned(_)
                | Value::Severity(_)
                | Value::List(_)
                | Value::Containers(_)
        )
    }

    /// The cell for people: rounded for display by [`crate::format`].
    pub fn display(&self) -> String {
        match self {
            Value::Text(s) | Value::Code(s) => (*s).to_owned(),
            Value::Owned(s) => s.clone(),
            Value::Unset | Value::Severity(None) => "–".to_owned(),
            Value::Unknown => "?".to_owned(),
            Value::Count(n) => group_thousands(*n),
            Value::CountOf { count, of } if count == of => group_thousands(*count),
            Value::CountOf { count, of } => {
                format!("{} of {}", group_thousands(*count), group_thousands(*of))
            }
            Value::Cores(v) => fmt_cores(*v),
            Value::Bytes(b) => fmt_bytes(*b),
            Value::Usd { amount, estimate } => {
                format!("{}{}", if *estimate { "≈" } else { "" }, fmt_usd(*amount))
            }
            Value::Hourly(v) => fmt_hourly(*v),
            Value::Rate(v) => format!("${}", crate::format::fmt_rate(*v)),
            Value::Percent(p) => fmt_percent(*p),
            Value::Used { used, total, bytes } => {
                let (u, t) = if *bytes {
                    (fmt_bytes(*used as i64), fmt_bytes(*total as i64))
                } else {
                    (fmt_cores(*used), fmt_cores(*total))
                };
                format!("{u} / {t} ({})", fmt_percent(percent_of(*used, *total)))
            }
            Value::Flag(true) => "yes".to_owned(),
            Value::Flag(false) => String::new(),
            Value::Severity(Some(s)) => (*s).to_owned(),
            Value::List(items) => fmt_list(items, LIST_SHOWN),
            Value::Containers(cs) => cs
                .iter()
                .map(|c| ContainerText::of(c).line())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The number a numeric cell sorts by (`None` for text and non-finite numbers).
    pub fn sort_key(&self) -> Option<f64> {
        let v = match self {
            Value::Count(n) | Value::CountOf { count: n, .. } => *n as f64,
            Value::Cores(v) | Value::Hourly(v) | Value::Rate(v) => *v,
            Value::Usd { amount, .. } => *amount,
            Value::Bytes(b) => *b as f64,
            Value::Percent(p) => (*p)?,
            Value::Used { used, total, .. } => percent_of(*used, *total)?,
            _ => return None,
        };
        v.is_finite().then_some(v)
    }
}

/// Which columns an output shows, by key, for one table.
pub struct View {
    /// The CSV export's columns, in order.
    pub csv: &'static [&'static str],
    /// For people: the HTML report and the app.
    pub people: &'static [&'static str],
    /// The terminal table (narrower).
    pub terminal: &'static [&'static str],
}

/// The columns of `table` named by `keys`, in that order.
///
/// # Panics
/// When a key names no column: views are constants, and a test checks every one.
pub fn pick<R>(table: &'static [Column<R>], keys: &[&str]) -> Vec<&'static Column<R>> {
    keys.iter()
        .map(|k| {
            table
                .iter()
                .find(|c| c.key == *k)
                .unwrap_or_else(|| panic!("no column `{k}`"))
        })
        .collect()
}

/// The position of `key` among `columns` (for an initial sort).
pub fn position<R>(columns: &[&Column<R>], key: &str) -> Option<usize> {
    columns.iter().position(|c| c.key == key)
}

/// Text or `–` when unset.
fn opt(v: Option<&str>) -> Value<'_> {
    v.map_or(Value::Unset, Value::Text)
}

fn usd(amount: f64, estimate: bool) -> Value<'static> {
    Value::Usd { amount, estimate }
}

fn money(amount: f64) -> Value<'static> {
    usd(amount, false)
}

// ----- workloads -------------------------------------------------------------------------

/// The workloads table (one row per workload).
pub static WORKLOADS: &[Column<WorkloadRow>] = &[
    Column {
        key: "namespace",
        title: "Namespace",
        help: "The workload's namespace",
        kind: Kind::Text,
        filter: true,
        value: |_, w| Value::Text(&w.namespace),
    },
    Column {
        key: "kind",
        title: "Kind",
        help: "Deployment, StatefulSet, DaemonSet, CronJob, Job, ReplicaSet or a bare Pod",
        kind: Kind::Text,
        filter: true,
        value: |_, w| Value::Text(&w.kind),
    },
    Column {
        key: "name",
        title: "Workload",
        help: "The workload's name (its owning controller's)",
        kind: Kind::Text,
        filter: false,
        value: |_, w| Value::Text(&w.name),
    },
    Column {
        key: "pods",
        title: "All pods",
        help: "Its pods in the input, in every phase",
        kind: Kind::Number,
        filter: false,
        value: |_, w| Value::Count(w.pods),
    },
    Column {
        key: "running_pods",
        title: "Pods",
        help: "Its pods holding resources (scheduled, not finished), of all its pods",
        kind: Kind::Number,
        filter: false,
        value: |_, w| Value::CountOf {
            count: w.running_pods,
            of: w.pods,
        },
    },
    Column {
        key: "nodes",
        title: "Nodes",
        help: "The nodes its pods run on",
        kind: Kind::Text,
        filter: false,
        value: |_, w| Value::List(&w.nodes),
    },
    Column {
        key: "instance_types",
        title: "Instance types",
        help: "The instance types of those nodes",
        kind: Kind::Text,
        filter: false,
        value: |_, w| Value::List(&w.instance_types),
    },
    Column {
        key: "workload_cpu_request_cores",
        title: "CPU req",
        help: "Σ effective CPU requests of its pods holding resources, in cores",
        kind: Kind::Number,
        filter: false,
        value: |_, w| Value::Cores(w.requests.cpu_cores),
    },
    Column {
        key: "workload_memory_request_bytes",
        title: "Memory req",
        help: "Σ effective memory requests of its pods holding resources",
        kind: Kind::Number,
        filter: false,
        value: |_, w| Value::Bytes(w.requests.memory_bytes),
    },
    Column {
        key: "containers",
        title: "Containers",
        help: "The containers of its first running pod: requests and limits as CPU/memory, then → \
               the recommended ones (? where there is no data)",
        kind: Kind::Text,
        filter: false,
        value: |_, w| Value::Containers(&w.containers),
    },
    Column {
        key: "monthly_cost",
        title: "Monthly",
        help: "Σ over its pods of CPU cores × the node's $/core-h + memory GiB × the node's \
               $/GiB-h, × hours per month (≈: some node prices are estimates)",
        kind: Kind::Money,
        filter: false,
        value: |_, w| usd(w.monthly_cost, w.price_estimate),
    },
    Column {
        key: "recommended_monthly_cost",
        title: "Recommended",
        help: "The monthly cost with the recommended requests",
        kind: Kind::Money,
        filter: false,
        value: |_, w| money(w.recommended_monthly_cost),
    },
    Column {
        key: "monthly_savings",
        title: "Savings",
        help: "Monthly cost − recommended monthly cost",
        kind: Kind::Money,
        filter: false,
        value: |_, w| money(w.monthly_savings),
    },
    Column {
        key: "severity",
        title: "Severity",
        help: "KRR's severity of its most urgent container (GOOD, OK, WARNING, CRITICAL, UNKNOWN)",
        kind: Kind::Text,
        filter: true,
        value: |_, w| Value::Severity(w.severity.as_deref()),
    },
    Column {
        key: "no_requests",
        title: "No requests",
        help: "Some of its running pods request no CPU or no memory",
        kind: Kind::Text,
        filter: true,
        value: |_, w| Value::Flag(w.no_requests),
    },
    Column {
        key: "price_estimate",
        title: "Estimated price",
        help: "Some of its nodes' prices are estimates",
        kind: Kind::Text,
        filter: true,
        value: |_, w| Value::Flag(w.price_estimate),
    },
    Column {
        key: "price_sources",
        title: "Price sources",
        help: "Where its nodes' prices come from",
        kind: Kind::Text,
        filter: false,
        value: |_, w| Value::List(&w.price_sources),
    },
    Column {
        key: "gpus",
        title: "GPUs",
        help: "Σ GPUs requested by its pods holding resources (nvidia.com/gpu + amd.com/gpu)",
        kind: Kind::Number,
        filter: false,
        value: |_, w| Value::Count(count(w.gpus)),
    },
    Column {
        key: "gpu_monthly_cost",
        title: "GPU cost",
        help: "The part of its monthly cost paid for GPUs, at its nodes' GPU rates",
        kind: Kind::Money,
        filter: false,
        value: |_, w| usd(w.gpu_monthly_cost, w.price_estimate),
    },
    Column {
        key: "storage_monthly_cost",
        title: "Storage",
        help: "Its persistent volumes per month, each shared evenly by the workloads mounting it \
               (≈: a fallback rate or another region's price)",
        kind: Kind::Money,
        filter: false,
        value: |_, w| money(w.storage_monthly_cost),
    },
    Column {
        key: "load_balancer_monthly_cost",
        title: "Load balancers",
        help: "Its load balancers per month, each shared evenly by the workloads it selects",
        kind: Kind::Money,
        filter: false,
        value: |_, w| money(w.load_balancer_monthly_cost),
    },
];

/// Which workload columns each output shows.
pub const WORKLOADS_VIEW: View = View {
    csv: &[
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
    ],
    people: &[
        "namespace",
        "kind",
        "name",
        "running_pods",
        "workload_cpu_request_cores",
        "workload_memory_request_bytes",
        "monthly_cost",
        "monthly_savings",
        "severity",
        "containers",
        "no_requests",
    ],
    terminal: &[
        "namespace",
        "kind",
        "name",
        "running_pods",
        "workload_cpu_request_cores",
        "workload_memory_request_bytes",
        "monthly_cost",
        "monthly_savings",
        "no_requests",
    ],
};

/// A requests or limits cell of a container's recommendation: `?` when undefined (KRR's),
/// unset when the recommendation leaves it unset.
fn recommended<'a>(
    c: &'a ContainerRow,
    cell: &str,
    get: fn(&OptionalAmount) -> Value<'static>,
) -> Value<'a> {
    let Some(r) = &c.recommended else {
        return Value::Unset;
    };
    if r.undefined.iter().any(|u| u == cell) {
        return Value::Unknown;
    }
    let amounts = if cell.starts_with("requests.") {
        &r.requests
    } else {
        &r.limits
    };
    get(amounts)
}

fn cpu_of(a: &OptionalAmount) -> Value<'static> {
    a.cpu_cores.map_or(Value::Unset, Value::Cores)
}

fn memory_of(a: &OptionalAmount) -> Value<'static> {
    a.memory_bytes.map_or(Value::Unset, Value::Bytes)
}

fn recommendation(c: &ContainerRow) -> Option<&ContainerRecommendation> {
    c.recommended.as_ref()
}

/// The container columns of the workloads CSV (one row per container).
pub static CONTAINERS: &[Column<ContainerRow>] = &[
    Column {
        key: "container",
        title: "Container",
        help: "The container's name",
        kind: Kind::Text,
        filter: false,
        value: |_, c| Value::Text(&c.name),
    },
    Column {
        key: "sidecar",
        title: "Sidecar",
        help: "A native sidecar (an init container with restartPolicy: Always)",
        kind: Kind::Text,
        filter: true,
        value: |_, c| Value::Flag(c.sidecar),
    },
    Column {
        key: "cpu_request_cores",
        title: "CPU request",
        help: "Its CPU request (after defaulting to the limit), in cores",
        kind: Kind::Number,
        filter: false,
        value: |_, c| cpu_of(&c.requests),
    },
    Column {
        key: "memory_request_bytes",
        title: "Memory request",
        help: "Its memory request (after defaulting to the limit)",
        kind: Kind::Number,
        filter: false,
        value: |_, c| memory_of(&c.requests),
    },
    Column {
        key: "cpu_limit_cores",
        title: "CPU limit",
        help: "Its CPU limit, in cores",
        kind: Kind::Number,
        filter: false,
        value: |_, c| cpu_of(&c.limits),
    },
    Column {
        key: "memory_limit_bytes",
        title: "Memory limit",
        help: "Its memory limit",
        kind: Kind::Number,
        filter: false,
        value: |_, c| memory_of(&c.limits),
    },
    Column {
        key: "recommended_cpu_request_cores",
        title: "Recommended CPU request",
        help: "The recommended CPU request (? without data)",
        kind: Kind::Number,
        filter: false,
        value: |_, c| recommended(c, "requests.cpu", cpu_of),
    },
    Column {
        key: "recommended_memory_request_bytes",
        title: "Recommended memory request",
        help: "The recommended memory request (? without data)",
        kind: Kind::Number,
        filter: false,
        value: |_, c| recommended(c, "requests.memory", memory_of),
    },
    Column {
        key: "recommended_cpu_limit_cores",
        title: "Recommended CPU limit",
        help: "The recommended CPU limit (unset: none; ? without data)",
        kind: Kind::Number,
        filter: false,
        value: |_, c| recommended(c, "limits.cpu", cpu_of),
    },
    Column {
        key: "recommended_memory_limit_bytes",
        title: "Recommended memory limit",
        help: "The recommended memory limit (? without data)",
        kind: Kind::Number,
        filter: false,
        value: |_, c| recommended(c, "limits.memory", memory_of),
    },
    Column {
        key: "recommendation_source",
        title: "Recommendation source",
        help: "Where the recommendation comes from",
        kind: Kind::Text,
        filter: true,
        value: |_, c| recommendation(c).map_or(Value::Unset, |r| Value::Text(&r.source)),
    },
    Column {
        key: "recommendation_severity",
        title: "Recommendation severity",
        help: "KRR's severity of the container",
        kind: Kind::Text,
        filter: true,
        value: |_, c| recommendation(c).map_or(Value::Unset, |r| opt(r.severity.as_deref())),
    },
    Column {
        key: "recommendation_info",
        title: "Recommendation info",
        help: "More about the recommendation (KRR's info, why it is low-confidence)",
        kind: Kind::Text,
        filter: false,
        value: |_, c| recommendation(c).map_or(Value::Unset, |r| opt(r.info.as_deref())),
    },
];

/// The container columns of the workloads CSV, in order.
pub const CONTAINERS_CSV: &[&str] = &[
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

/// A container for people, in parts (the HTML report styles them; [`ContainerText::line`] joins
/// them): `app (sidecar) 250m/512Mi lim 1/1Gi → 100m/300Mi (kubectl top, 1 sample)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerText {
    /// Its name.
    pub name: String,
    /// A native sidecar.
    pub sidecar: bool,
    /// Requests, then ` lim ` and limits when any is set, as CPU/memory.
    pub current: String,
    /// The recommended requests (and limits when set or undefined), `?` where undefined.
    pub recommended: Option<String>,
    /// Where the recommendation comes from, and more about it (`No data`, KRR's info).
    pub about: Option<String>,
}

fn amounts(cpu: Value<'_>, memory: Value<'_>) -> String {
    format!("{}/{}", cpu.display(), memory.display())
}

impl ContainerText {
    /// The parts of `c`.
    pub fn of(c: &ContainerRow) -> ContainerText {
        let mut current = amounts(cpu_of(&c.requests), memory_of(&c.requests));
        if c.limits.cpu_cores.is_some() || c.limits.memory_bytes.is_some() {
            current.push_str(" lim ");
            current.push_str(&amounts(cpu_of(&c.limits), memory_of(&c.limits)));
        }
        let recommended = c.recommended.as_ref().map(|r| {
            let mut text = amounts(
                recommended(c, "requests.cpu", cpu_of),
                recommended(c, "requests.memory", memory_of),
            );
            if r.limits.cpu_cores.is_some()
                || r.limits.memory_bytes.is_some()
                || r.undefined.iter().any(|u| u.starts_with("limits."))
            {
                text.push_str(" lim ");
                text.push_str(&amounts(
                    recommended(c, "limits.cpu", cpu_of),
                    recommended(c, "limits.memory", memory_of),
                ));
            }
            text
        });
        ContainerText {
            name: c.name.clone(),
            sidecar: c.sidecar,
            current,
            recommended,
            about: c.recommended.as_ref().map(|r| {
                let mut about = r.source.clone();
                if let Some(info) = &r.info {
                    about.push_str(": ");
                    about.push_str(info);
                } else if r.low_confidence {
                    about.push_str(", 1 sample");
                }
                about
            }),
        }
    }

    /// One line of plain text.
    pub fn line(&self) -> String {
        let mut line = self.name.clone();
        if self.sidecar {
            line.push_str(" (sidecar)");
        }
        line.push(' ');
        line.push_str(&self.current);
        if let Some(r) = &self.recommended {
            line.push_str(" → ");
            line.push_str(r);
        }
        if let Some(about) = &self.about {
            line.push_str(" (");
            line.push_str(about);
            line.push(')');
        }
        line
    }
}

// ----- nodes -----------------------------------------------------------------------------

/// The price column for people: source, as-of date, and whether the node is over-committed.
fn price_note(n: &NodeRow) -> String {
    let mut text = n.price_source.as_str().to_owned();
    if let Some(d) = &n.price_as_of {
        text.push(' ');
        text.push_str(d);
    }
    if n.overcommitted {
        text.push_str(", over-committed");
    }
    text
}

/// The nodes table.
pub static NODES: &[Column<NodeRow>] = &[
    Column {
        key: "name",
        title: "Node",
        help: "The node's name",
        kind: Kind::Text,
        filter: false,
        value: |_, n| Value::Text(&n.name),
    },
    Column {
        key: "provider",
        title: "Provider",
        help: "The cloud, from the node's providerID and labels",
        kind: Kind::Text,
        filter: true,
        value: |_, n| Value::Text(n.provider.as_str()),
    },
    Column {
        key: "instance_type",
        title: "Instance type",
        help: "From node.kubernetes.io/instance-type",
        kind: Kind::Text,
        filter: true,
        value: |_, n| opt(n.instance_type.as_deref()),
    },
    Column {
        key: "region",
        title: "Region",
        help: "From topology.kubernetes.io/region",
        kind: Kind::Text,
        filter: true,
        value: |_, n| opt(n.region.as_deref()),
    },
    Column {
        key: "zone",
        title: "Zone",
        help: "From topology.kubernetes.io/zone",
        kind: Kind::Text,
        filter: true,
        value: |_, n| opt(n.zone.as_deref()),
    },
    Column {
        key: "location",
        title: "Zone",
        help: "The node's zone, else its region",
        kind: Kind::Text,
        filter: true,
        value: |_, n| opt(n.zone.as_deref().or(n.region.as_deref())),
    },
    Column {
        key: "capacity_type",
        title: "Capacity",
        help: "on_demand, spot, reserved or unknown",
        kind: Kind::Text,
        filter: true,
        value: |_, n| Value::Text(n.capacity_type.as_str()),
    },
    Column {
        key: "pool",
        title: "Pool",
        help: "The node pool, from the provider's pool label",
        kind: Kind::Text,
        filter: true,
        value: |_, n| opt(n.pool.as_deref()),
    },
    Column {
        key: "arch",
        title: "Arch",
        help: "CPU architecture",
        kind: Kind::Text,
        filter: true,
        value: |_, n| opt(n.arch.as_deref()),
    },
    Column {
        key: "allocatable_cpu_cores",
        title: "Allocatable CPU",
        help: "Allocatable CPU, in cores",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Cores(n.allocatable.cpu_cores),
    },
    Column {
        key: "allocatable_memory_bytes",
        title: "Allocatable memory",
        help: "Allocatable memory",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Bytes(n.allocatable.memory_bytes),
    },
    Column {
        key: "requested_cpu_cores",
        title: "Requested CPU",
        help: "Σ effective CPU requests of the pods holding resources on it, in cores",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Cores(n.requested.cpu_cores),
    },
    Column {
        key: "requested_memory_bytes",
        title: "Requested memory",
        help: "Σ effective memory requests of the pods holding resources on it",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Bytes(n.requested.memory_bytes),
    },
    Column {
        key: "cpu_requested",
        title: "CPU req / alloc",
        help: "Requested CPU against allocatable CPU",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Used {
            used: n.requested.cpu_cores,
            total: n.allocatable.cpu_cores,
            bytes: false,
        },
    },
    Column {
        key: "memory_requested",
        title: "Memory req / alloc",
        help: "Requested memory against allocatable memory",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Used {
            used: n.requested.memory_bytes as f64,
            total: n.allocatable.memory_bytes as f64,
            bytes: true,
        },
    },
    Column {
        key: "hourly_price",
        title: "Hourly price",
        help: "USD per hour for the node",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Hourly(n.hourly_price),
    },
    Column {
        key: "price_source",
        title: "Price source",
        help: "manual, vantage, file, embedded or fallback",
        kind: Kind::Text,
        filter: true,
        value: |_, n| Value::Text(n.price_source.as_str()),
    },
    Column {
        key: "price_as_of",
        title: "Price as of",
        help: "When the price was current, if known",
        kind: Kind::Text,
        filter: true,
        value: |_, n| opt(n.price_as_of.as_deref()),
    },
    Column {
        key: "price_estimate",
        title: "Estimated price",
        help: "The price is an estimate (fallback rates or an assumed spot discount)",
        kind: Kind::Text,
        filter: true,
        value: |_, n| Value::Flag(n.price_estimate),
    },
    Column {
        key: "price",
        title: "Price",
        help: "Where the price comes from and how old it is; over-committed: its pods request \
               more than the node",
        kind: Kind::Text,
        filter: true,
        value: |_, n| Value::Owned(price_note(n)),
    },
    Column {
        key: "cpu_core_hourly_rate",
        title: "$/core-h",
        help: "The node's price per core-hour",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Rate(n.cpu_core_hourly_rate),
    },
    Column {
        key: "memory_gib_hourly_rate",
        title: "$/GiB-h",
        help: "The node's price per GiB-hour",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Rate(n.memory_gib_hourly_rate),
    },
    Column {
        key: "monthly_cost",
        title: "Monthly",
        help: "Hourly price × hours per month (≈: an estimated price)",
        kind: Kind::Money,
        filter: false,
        value: |_, n| usd(n.monthly_cost, n.price_estimate),
    },
    Column {
        key: "allocated_monthly_cost",
        title: "Allocated",
        help: "Σ monthly costs of its pods",
        kind: Kind::Money,
        filter: false,
        value: |_, n| money(n.allocated_monthly_cost),
    },
    Column {
        key: "idle_monthly_cost",
        title: "Idle",
        help: "The node cost its pods' requests do not pay for: max(0, monthly − allocated)",
        kind: Kind::Money,
        filter: false,
        value: |_, n| money(n.idle_monthly_cost),
    },
    Column {
        key: "pods",
        title: "Pods",
        help: "Pods holding resources on it",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Count(n.pods),
    },
    Column {
        key: "overcommitted",
        title: "Over-committed",
        help: "Its pods cost more than the node",
        kind: Kind::Text,
        filter: true,
        value: |_, n| Value::Flag(n.overcommitted),
    },
    Column {
        key: "explanation",
        title: "Explanation",
        help: "How its cost was computed",
        kind: Kind::Text,
        filter: false,
        value: |_, n| Value::Text(&n.explanation),
    },
    Column {
        key: "gpus",
        title: "GPUs",
        help: "GPUs pods can request (nvidia.com/gpu + amd.com/gpu; time-sliced replicas count \
               one each)",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Count(count(n.gpus)),
    },
    Column {
        key: "physical_gpus",
        title: "Physical GPUs",
        help: "Physical GPUs its price split counts",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Count(count(n.physical_gpus)),
    },
    Column {
        key: "requested_gpus",
        title: "Requested GPUs",
        help: "Σ GPUs requested by the pods holding resources on it",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Count(count(n.requested_gpus)),
    },
    Column {
        key: "gpu_requested",
        title: "GPU req / alloc",
        help: "Requested GPUs of the GPUs pods can request",
        kind: Kind::Number,
        filter: false,
        value: |_, n| gpu_use(n),
    },
    Column {
        key: "gpu_hourly_rate",
        title: "$/GPU-h",
        help: "What one requested GPU costs per hour (per replica when time-sliced; MIG slices \
               are not priced); empty when it has no GPUs pods can request",
        kind: Kind::Number,
        filter: false,
        value: |_, n| {
            if n.gpus > 0 {
                Value::Rate(n.gpu_hourly_rate)
            } else {
                Value::Unset
            }
        },
    },
    Column {
        key: "gpu_monthly_cost",
        title: "GPU share",
        help: "The GPUs' share of its monthly cost",
        kind: Kind::Money,
        filter: false,
        value: |_, n| usd(n.gpu_monthly_cost, n.price_estimate),
    },
    Column {
        key: "idle_gpu_monthly_cost",
        title: "Idle GPU",
        help: "The GPU part of its idle cost: GPU share − what pods pay for GPUs, at most the \
               idle cost",
        kind: Kind::Money,
        filter: false,
        value: |_, n| money(n.idle_gpu_monthly_cost),
    },
    Column {
        key: "price_split",
        title: "Price split",
        help: "How its price was split: gpu_cpu_memory (OpenCost's GPU, CPU and memory weights), \
               gpu_price (the price source's GPU price), attached_gpus (GPUs not in the \
               instance type's price) or fallback; empty without GPUs",
        kind: Kind::Text,
        filter: true,
        value: |_, n| opt(n.price_split.map(|p| p.as_str())),
    },
];

/// A count that cannot be negative, for [`Value::Count`].
fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// `requested of requestable` GPUs, `–` without GPUs.
fn gpu_use(n: &NodeRow) -> Value<'static> {
    if n.gpus == 0 && n.requested_gpus == 0 {
        Value::Unset
    } else {
        Value::CountOf {
            count: count(n.requested_gpus),
            of: count(n.gpus),
        }
    }
}

/// True when the report's cluster has GPUs: the GPU columns are shown only then.
pub fn has_gpus(report: &Report) -> bool {
    report.summary.gpus > 0 || report.nodes.iter().any(|n| n.physical_gpus > 0)
}

/// The node columns added for people when the cluster has GPUs, after `memory_requested`.
pub const NODES_GPU_PEOPLE: &[&str] =
    &["gpu_requested", "gpu_hourly_rate", "idle_gpu_monthly_cost"];

/// The node columns added at the end of the CSV when the cluster has GPUs.
pub const NODES_GPU_CSV: &[&str] = &[
    "gpus",
    "physical_gpus",
    "requested_gpus",
    "gpu_hourly_rate",
    "gpu_monthly_cost",
    "idle_gpu_monthly_cost",
    "price_split",
];

/// The workload columns added for people (after `workload_memory_request_bytes`) and at the
/// end of the CSV when the cluster has GPUs.
pub const WORKLOADS_GPU: &[&str] = &["gpus", "gpu_monthly_cost"];

/// `view` for `report`: the view's keys, with `extra` inserted after `after` (or at the end
/// when `after` is `None` or not in the view) when the cluster has GPUs. Without GPUs, exactly
/// the view.
pub fn with_gpu_columns(
    report: &Report,
    view: &'static [&'static str],
    extra: &'static [&'static str],
    after: Option<&str>,
) -> Vec<&'static str> {
    let mut keys = view.to_vec();
    if has_gpus(report) {
        let at = after
            .and_then(|a| keys.iter().position(|k| *k == a))
            .map_or(keys.len(), |i| i + 1);
        keys.splice(at..at, extra.iter().copied());
    }
    keys
}

/// The control plane's line in words, as every output shows it: `EKS standard: $73.00 per
/// month (EKS standard: $0.1/hour; …)`.
pub fn control_plane_line(c: &crate::bill::control::ControlPlaneCost) -> String {
    format!(
        "{} {}: {} per month ({})",
        c.service,
        c.tier,
        fmt_usd(c.monthly_cost),
        c.explanation
    )
}

/// True when the report prices anything beyond the nodes: volumes or load balancers (the
/// bill's columns are shown only then, so a nodes-and-pods report reads as before).
pub fn has_bill(report: &Report) -> bool {
    !report.volumes.is_empty() || !report.load_balancers.is_empty()
}

/// The workload and namespace columns added when the report has a bill beyond the nodes.
pub const WORKLOADS_BILL: &[&str] = &["storage_monthly_cost", "load_balancer_monthly_cost"];

/// The namespace columns added when the report has a bill beyond the nodes.
pub const NAMESPACES_BILL: &[&str] = &[
    "storage_monthly_cost",
    "load_balancer_monthly_cost",
    "total_monthly_cost",
];

/// `keys` with `extra` inserted after `after` (or at the end) when `when` holds.
pub fn with_columns(
    mut keys: Vec<&'static str>,
    when: bool,
    extra: &'static [&'static str],
    after: Option<&str>,
) -> Vec<&'static str> {
    if when {
        let at = after
            .and_then(|a| keys.iter().position(|k| *k == a))
            .map_or(keys.len(), |i| i + 1);
        keys.splice(at..at, extra.iter().copied());
    }
    keys
}

/// The namespace columns of `view` (one of [`NAMESPACES_VIEW`]'s) for `report`: with the
/// bill's after `monthly_cost` when it has one.
pub fn namespaces_for(report: &Report, view: &'static [&'static str]) -> Vec<&'static str> {
    with_columns(
        view.to_vec(),
        has_bill(report),
        NAMESPACES_BILL,
        Some("monthly_cost"),
    )
}

/// The node columns for people (the HTML report and the app) of `report`.
pub fn nodes_people(report: &Report) -> Vec<&'static str> {
    with_gpu_columns(
        report,
        NODES_VIEW.people,
        NODES_GPU_PEOPLE,
        Some("memory_requested"),
    )
}

/// The workload columns for people of `report`.
pub fn workloads_people(report: &Report) -> Vec<&'static str> {
    let keys = with_gpu_columns(
        report,
        WORKLOADS_VIEW.people,
        WORKLOADS_GPU,
        Some("workload_memory_request_bytes"),
    );
    with_columns(keys, has_bill(report), WORKLOADS_BILL, Some("monthly_cost"))
}

/// The workload columns of the terminal table for `report`.
pub fn workloads_terminal(report: &Report) -> Vec<&'static str> {
    with_columns(
        WORKLOADS_VIEW.terminal.to_vec(),
        has_bill(report),
        WORKLOADS_BILL,
        Some("monthly_cost"),
    )
}

/// Which node columns each output shows.
pub const NODES_VIEW: View = View {
    csv: &[
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
    ],
    people: &[
        "name",
        "instance_type",
        "location",
        "capacity_type",
        "pool",
        "cpu_requested",
        "memory_requested",
        "hourly_price",
        "monthly_cost",
        "idle_monthly_cost",
        "pods",
        "price",
    ],
    terminal: &[
        "name",
        "instance_type",
        "location",
        "capacity_type",
        "price",
        "hourly_price",
        "monthly_cost",
        "idle_monthly_cost",
        "cpu_requested",
        "memory_requested",
    ],
};

// ----- namespaces ------------------------------------------------------------------------

/// The namespaces table.
pub static NAMESPACES: &[Column<NamespaceRow>] = &[
    Column {
        key: "name",
        title: "Namespace",
        help: "The namespace",
        kind: Kind::Text,
        filter: false,
        value: |_, n| Value::Text(&n.name),
    },
    Column {
        key: "pods",
        title: "Pods",
        help: "Its pods, in every phase",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Count(n.pods),
    },
    Column {
        key: "workloads",
        title: "Workloads",
        help: "Its workloads",
        kind: Kind::Number,
        filter: false,
        value: |_, n| Value::Count(n.workloads),
    },
    Column {
        key: "monthly_cost",
        title: "Monthly",
        help: "Σ monthly costs of its pods (≈: some node prices are estimates)",
        kind: Kind::Money,
        filter: false,
        value: |_, n| usd(n.monthly_cost, n.price_estimate),
    },
    Column {
        key: "share",
        title: "Share",
        help: "Its share of what the pods' requests pay for (the allocated cost; idle cost is \
               not shared out)",
        kind: Kind::Number,
        filter: false,
        value: |r, n| Value::Percent(percent_of(n.monthly_cost, r.summary.allocated_monthly_cost)),
    },
    Column {
        key: "recommended_monthly_cost",
        title: "Recommended",
        help: "The monthly cost with the recommended requests",
        kind: Kind::Money,
        filter: false,
        value: |_, n| money(n.recommended_monthly_cost),
    },
    Column {
        key: "monthly_savings",
        title: "Savings",
        help: "Monthly cost − recommended monthly cost",
        kind: Kind::Money,
        filter: false,
        value: |_, n| money(n.monthly_savings),
    },
    Column {
        key: "price_estimate",
        title: "Estimated price",
        help: "Some of its pods' node prices are estimates",
        kind: Kind::Text,
        filter: true,
        value: |_, n| Value::Flag(n.price_estimate),
    },
    Column {
        key: "prices",
        title: "Prices",
        help: "Where the report's prices come from",
        kind: Kind::Text,
        filter: false,
        value: |r, _| Value::Text(&r.pricing.summary),
    },
    Column {
        key: "storage_monthly_cost",
        title: "Storage",
        help: "Its claimed persistent volumes per month",
        kind: Kind::Money,
        filter: false,
        value: |_, n| money(n.storage_monthly_cost),
    },
    Column {
        key: "load_balancer_monthly_cost",
        title: "Load balancers",
        help: "Its Services of type LoadBalancer per month",
        kind: Kind::Money,
        filter: false,
        value: |_, n| money(n.load_balancer_monthly_cost),
    },
    Column {
        key: "total_monthly_cost",
        title: "Total",
        help: "Pods + storage + load balancers per month",
        kind: Kind::Money,
        filter: false,
        value: |_, n| {
            usd(
                n.monthly_cost + n.storage_monthly_cost + n.load_balancer_monthly_cost,
                n.price_estimate,
            )
        },
    },
];

/// Which namespace columns each output shows.
pub const NAMESPACES_VIEW: View = View {
    csv: &[
        "name",
        "pods",
        "workloads",
        "monthly_cost",
        "recommended_monthly_cost",
        "monthly_savings",
        "price_estimate",
        "prices",
    ],
    people: &[
        "name",
        "pods",
        "workloads",
        "monthly_cost",
        "share",
        "recommended_monthly_cost",
        "monthly_savings",
    ],
    terminal: &[
        "name",
        "pods",
        "workloads",
        "monthly_cost",
        "share",
        "monthly_savings",
    ],
};

// ----- volumes and load balancers --------------------------------------------------------

/// The persistent volumes table (one row per volume, or per claim whose volume is not in the
/// snapshot).
pub static VOLUMES: &[Column<VolumeCost>] = &[
    Column {
        key: "namespace",
        title: "Namespace",
        help: "The claim's namespace (none for a volume bound to no claim)",
        kind: Kind::Text,
        filter: true,
        value: |_, v| opt(v.namespace.as_deref()),
    },
    Column {
        key: "claim",
        title: "Claim",
        help: "The PersistentVolumeClaim",
        kind: Kind::Text,
        filter: false,
        value: |_, v| opt(v.claim.as_deref()),
    },
    Column {
        key: "volume",
        title: "Volume",
        help: "The PersistentVolume",
        kind: Kind::Text,
        filter: false,
        value: |_, v| Value::Text(&v.volume),
    },
    Column {
        key: "storage_class",
        title: "Class",
        help: "The StorageClass",
        kind: Kind::Text,
        filter: true,
        value: |_, v| opt(v.storage_class.as_deref()),
    },
    Column {
        key: "disk_type",
        title: "Disk",
        help: "The disk type its class and provisioner make (gp3, pd-balanced, Premium_LRS, …)",
        kind: Kind::Text,
        filter: true,
        value: |_, v| Value::Text(&v.disk_type),
    },
    Column {
        key: "region",
        title: "Region",
        help: "The region it is priced in",
        kind: Kind::Text,
        filter: true,
        value: |_, v| opt(v.region.as_deref()),
    },
    Column {
        key: "bytes",
        title: "Size",
        help: "Its capacity",
        kind: Kind::Number,
        filter: false,
        value: |_, v| Value::Bytes(v.bytes),
    },
    Column {
        key: "state",
        title: "State",
        help: "in use (a running pod mounts it), unmounted, unclaimed (idle storage) or pending",
        kind: Kind::Text,
        filter: true,
        value: |_, v| {
            Value::Text(match v.state {
                VolumeState::InUse => "in use",
                VolumeState::Unmounted => "unmounted",
                VolumeState::Unclaimed => "unclaimed",
                VolumeState::Pending => "pending",
            })
        },
    },
    Column {
        key: "monthly_cost",
        title: "Monthly",
        help: "Its price lines per month (≈: a fallback rate, another region's price or a \
               scaled tier)",
        kind: Kind::Money,
        filter: false,
        value: |_, v| usd(v.monthly_cost, v.estimate),
    },
    Column {
        key: "price_estimate",
        title: "Estimated price",
        help: "Its price is an estimate",
        kind: Kind::Text,
        filter: true,
        value: |_, v| Value::Flag(v.estimate),
    },
    Column {
        key: "explanation",
        title: "How",
        help: "How its cost was computed",
        kind: Kind::Text,
        filter: false,
        value: |_, v| Value::Text(&v.explanation),
    },
];

/// Which volume columns each output shows.
pub const VOLUMES_VIEW: View = View {
    csv: &[
        "namespace",
        "claim",
        "volume",
        "storage_class",
        "disk_type",
        "region",
        "bytes",
        "state",
        "monthly_cost",
        "price_estimate",
        "explanation",
    ],
    people: &[
        "namespace",
        "claim",
        "storage_class",
        "disk_type",
        "bytes",
        "state",
        "monthly_cost",
        "explanation",
    ],
    terminal: &[
        "namespace",
        "claim",
        "disk_type",
        "bytes",
        "state",
        "monthly_cost",
    ],
};

/// The load balancers table (one row per Service of type LoadBalancer).
pub static LOAD_BALANCERS: &[Column<LoadBalancerCost>] = &[
    Column {
        key: "namespace",
        title: "Namespace",
        help: "The Service's namespace",
        kind: Kind::Text,
        filter: true,
        value: |_, l| Value::Text(&l.namespace),
    },
    Column {
        key: "service",
        title: "Service",
        help: "The Service of type LoadBalancer",
        kind: Kind::Text,
        filter: false,
        value: |_, l| Value::Text(&l.service),
    },
    Column {
        key: "kind",
        title: "Kind",
        help: "What the cloud makes for it",
        kind: Kind::Text,
        filter: true,
        value: |_, l| Value::Text(&l.kind),
    },
    Column {
        key: "hourly_price",
        title: "Hourly",
        help: "USD per hour (traffic not included)",
        kind: Kind::Number,
        filter: false,
        value: |_, l| Value::Hourly(l.hourly_price),
    },
    Column {
        key: "monthly_cost",
        title: "Monthly",
        help: "USD per month (≈: another region's price, OpenCost's default or a shared charge)",
        kind: Kind::Money,
        filter: false,
        value: |_, l| usd(l.monthly_cost, l.estimate),
    },
    Column {
        key: "price_estimate",
        title: "Estimated price",
        help: "Its price is an estimate",
        kind: Kind::Text,
        filter: true,
        value: |_, l| Value::Flag(l.estimate),
    },
    Column {
        key: "explanation",
        title: "How",
        help: "How its cost was computed and what it selects",
        kind: Kind::Text,
        filter: false,
        value: |_, l| Value::Text(&l.explanation),
    },
];

/// Which load-balancer columns each output shows.
pub const LOAD_BALANCERS_VIEW: View = View {
    csv: &[
        "namespace",
        "service",
        "kind",
        "hourly_price",
        "monthly_cost",
        "price_estimate",
        "explanation",
    ],
    people: &[
        "namespace",
        "service",
        "kind",
        "monthly_cost",
        "explanation",
    ],
    terminal: &["namespace", "service", "kind", "monthly_cost"],
};

// ----- groups (showback) -----------------------------------------------------------------

/// The groups table of the allocation ([`crate::allocation`]; one row per group).
pub static GROUPS: &[Column<GroupCost>] = &[
    Column {
        key: "group",
        title: "Group",
        help: "The group's values of the keys grouped by, joined by / (unallocated: no label)",
        kind: Kind::Text,
        filter: false,
        value: |_, g| Value::Text(&g.name),
    },
    Column {
        key: "pods",
        title: "Pods",
        help: "Pods in the group (all phases)",
        kind: Kind::Number,
        filter: false,
        value: |_, g| Value::Count(g.pods),
    },
    Column {
        key: "workloads",
        title: "Workloads",
        help: "Workloads whose own group it is (the group most of their pods are in)",
        kind: Kind::Number,
        filter: false,
        value: |_, g| Value::Count(g.workloads),
    },
    Column {
        key: "compute_monthly_cost",
        title: "Compute",
        help: "Its pods' costs per month (scaled down on over-committed nodes)",
        kind: Kind::Money,
        filter: false,
        value: |_, g| usd(g.compute_monthly_cost, g.estimate),
    },
    Column {
        key: "gpu_monthly_cost",
        title: "GPU",
        help: "The GPU part of its compute cost per month",
        kind: Kind::Money,
        filter: false,
        value: |_, g| money(g.gpu_monthly_cost),
    },
    Column {
        key: "storage_monthly_cost",
        title: "Storage",
        help: "Its persistent volumes per month",
        kind: Kind::Money,
        filter: false,
        value: |_, g| money(g.storage_monthly_cost),
    },
    Column {
        key: "load_balancer_monthly_cost",
        title: "Load balancers",
        help: "Its load balancers per month",
        kind: Kind::Money,
        filter: false,
        value: |_, g| money(g.load_balancer_monthly_cost),
    },
    Column {
        key: "own_monthly_cost",
        title: "Before",
        help: "Its own cost per month: compute + storage + load balancers",
        kind: Kind::Money,
        filter: false,
        value: |_, g| usd(g.own_monthly_cost, g.estimate),
    },
    Column {
        key: "idle_monthly_cost",
        title: "Idle share",
        help: "Its share of the nodes' idle cost per month (0 when idle is kept separate)",
        kind: Kind::Money,
        filter: false,
        value: |_, g| money(g.idle_monthly_cost),
    },
    Column {
        key: "shared_monthly_cost",
        title: "Shared share",
        help: "Its share of the shared namespaces' cost and the control plane per month",
        kind: Kind::Money,
        filter: false,
        value: |_, g| money(g.shared_monthly_cost),
    },
    Column {
        key: "total_monthly_cost",
        title: "After",
        help: "What it is charged per month: before + idle share + shared share",
        kind: Kind::Money,
        filter: false,
        value: |_, g| usd(g.total_monthly_cost, g.estimate),
    },
    Column {
        key: "share",
        title: "Share",
        help: "Its charge as a share of the bill",
        kind: Kind::Number,
        filter: false,
        value: |r, g| {
            Value::Percent(
                r.allocation
                    .as_ref()
                    .and_then(|a| percent_of(g.total_monthly_cost, a.total_monthly_cost)),
            )
        },
    },
    Column {
        key: "monthly_savings",
        title: "Savings",
        help: "Savings of its workloads' recommendations per month (not spread)",
        kind: Kind::Money,
        filter: false,
        value: |_, g| money(g.monthly_savings),
    },
];

/// Which group columns each output shows.
pub const GROUPS_VIEW: View = View {
    csv: &[
        "group",
        "pods",
        "workloads",
        "compute_monthly_cost",
        "gpu_monthly_cost",
        "storage_monthly_cost",
        "load_balancer_monthly_cost",
        "own_monthly_cost",
        "idle_monthly_cost",
        "shared_monthly_cost",
        "total_monthly_cost",
        "share",
        "monthly_savings",
    ],
    people: &[
        "group",
        "pods",
        "compute_monthly_cost",
        "storage_monthly_cost",
        "load_balancer_monthly_cost",
        "own_monthly_cost",
        "idle_monthly_cost",
        "shared_monthly_cost",
        "total_monthly_cost",
        "share",
        "monthly_savings",
    ],
    terminal: &[
        "group",
        "pods",
        "own_monthly_cost",
        "idle_monthly_cost",
        "shared_monthly_cost",
        "total_monthly_cost",
        "share",
        "monthly_savings",
    ],
};

// ----- node pools ------------------------------------------------------------------------

/// A pool's name, or `(provider types)` for nodes without a pool label.
pub fn pool_label(p: &NodePoolRow) -> String {
    match &p.name {
        Some(n) => n.clone(),
        None => format!(
            "({} {})",
            p.provider.as_str(),
            if p.instance_types.is_empty() {
                "no instance type".to_owned()
            } else {
                p.instance_types.join("+")
            }
        ),
    }
}

/// The pool's best suggestion in words: the cheapest non-spot shape that fits its largest pod
/// (the one `best_monthly_savings` counts), or why there is none.
pub fn pool_suggestion(p: &NodePoolRow) -> String {
    let best = p
        .suggestions
        .iter()
        .filter(|s| s.kind != SuggestionKind::Spot && s.fits_largest_pod)
        .min_by(|a, b| {
            a.monthly_cost
                .total_cmp(&b.monthly_cost)
                .then_with(|| a.instance_type.cmp(&b.instance_type))
        });
    match (best, &p.suggestions_reason) {
        (Some(s), _) if s.monthly_savings > 0.0 => suggest::describe(s),
        (Some(_), _) => "already the cheapest fit".to_owned(),
        (None, Some(reason)) => format!("none: {reason}"),
        (None, None) => "–".to_owned(),
    }
}

/// The node pools table.
pub static POOLS: &[Column<NodePoolRow>] = &[
    Column {
        key: "pool",
        title: "Pool",
        help: "The pool's name, or (provider instance types) for nodes without a pool label",
        kind: Kind::Text,
        filter: false,
        value: |_, p| Value::Owned(pool_label(p)),
    },
    Column {
        key: "provider",
        title: "Provider",
        help: "The cloud",
        kind: Kind::Text,
        filter: true,
        value: |_, p| Value::Text(p.provider.as_str()),
    },
    Column {
        key: "region",
        title: "Region",
        help: "The pool's region",
        kind: Kind::Text,
        filter: true,
        value: |_, p| opt(p.region.as_deref()),
    },
    Column {
        key: "instance_types",
        title: "Instance types",
        help: "The instance types of its nodes",
        kind: Kind::Text,
        filter: false,
        value: |_, p| Value::List(&p.instance_types),
    },
    Column {
        key: "capacity_type",
        title: "Capacity",
        help: "on_demand, spot, reserved, unknown, or mixed",
        kind: Kind::Text,
        filter: true,
        value: |_, p| Value::Text(p.capacity_type.map_or("mixed", |c| c.as_str())),
    },
    Column {
        key: "nodes",
        title: "Nodes",
        help: "Its nodes",
        kind: Kind::Number,
        filter: false,
        value: |_, p| Value::Count(p.nodes.len()),
    },
    Column {
        key: "cpu_requested",
        title: "CPU req / alloc",
        help: "Requested CPU against allocatable CPU, over its nodes",
        kind: Kind::Number,
        filter: false,
        value: |_, p| Value::Used {
            used: p.requested.cpu_cores,
            total: p.allocatable.cpu_cores,
            bytes: false,
        },
    },
    Column {
        key: "memory_requested",
        title: "Memory req / alloc",
        help: "Requested memory against allocatable memory, over its nodes",
        kind: Kind::Number,
        filter: false,
        value: |_, p| Value::Used {
            used: p.requested.memory_bytes as f64,
            total: p.allocatable.memory_bytes as f64,
            bytes: true,
        },
    },
    Column {
        key: "monthly_cost",
        title: "Monthly",
        help: "Σ its nodes' monthly costs (≈: some prices are estimates)",
        kind: Kind::Money,
        filter: false,
        value: |_, p| usd(p.monthly_cost, p.price_estimate),
    },
    Column {
        key: "idle_monthly_cost",
        title: "Idle",
        help: "Σ its nodes' idle costs",
        kind: Kind::Money,
        filter: false,
        value: |_, p| money(p.idle_monthly_cost),
    },
    Column {
        key: "suggestion",
        title: "Best suggestion",
        help: "The cheapest non-spot node shape that holds its pods at the target utilisation \
               and fits its largest pod",
        kind: Kind::Text,
        filter: false,
        value: |_, p| Value::Owned(pool_suggestion(p)),
    },
    Column {
        key: "best_monthly_savings",
        title: "Savings",
        help: "What the best suggestion saves per month (0 when none saves)",
        kind: Kind::Money,
        filter: false,
        value: |_, p| money(p.best_monthly_savings),
    },
];

/// Which pool columns each output shows (there is no pool CSV).
pub const POOLS_VIEW: View = View {
    csv: &[],
    people: &[
        "pool",
        "provider",
        "region",
        "instance_types",
        "capacity_type",
        "nodes",
        "cpu_requested",
        "memory_requested",
        "monthly_cost",
        "idle_monthly_cost",
        "suggestion",
        "best_monthly_savings",
    ],
    terminal: &[
        "pool",
        "instance_types",
        "capacity_type",
        "nodes",
        "monthly_cost",
        "cpu_requested",
        "memory_requested",
        "suggestion",
    ],
};

// ----- re-packing ------------------------------------------------------------------------

/// `6 × m7a.xlarge + 2 × c7a.large` (`no nodes` for none): a pool's nodes by type, now or
/// planned.
pub fn plan_text(items: &[PlanItem]) -> String {
    if items.is_empty() {
        return "no nodes".to_owned();
    }
    items
        .iter()
        .map(|p| {
            format!(
                "{} × {}{}",
                group_thousands(p.nodes),
                p.instance_type,
                if p.spot { " (spot)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

fn node_count(items: &[PlanItem]) -> usize {
    items.iter().map(|p| p.nodes).sum()
}

/// The showback section's title: `Costs by team`, `Costs by team / env`.
pub fn allocation_title(a: &crate::allocation::Allocation) -> String {
    format!("Costs by {}", a.keys.join(" / "))
}

/// The showback's lines for people, `(label, value, id)`: the bill, what the groups hold after
/// their shares, and the lines that belong to no group (each only when not zero). The CLI's
/// table, the HTML report's section and the app's tab show them.
pub fn allocation_figures(
    a: &crate::allocation::Allocation,
) -> Vec<(&'static str, String, &'static str)> {
    let groups: f64 = a.groups.iter().map(|g| g.total_monthly_cost).sum();
    let mut out = vec![
        (
            "Total (the bill)",
            fmt_usd(a.total_monthly_cost),
            "allocation-total",
        ),
        (
            "Held by the groups",
            fmt_usd(groups),
            "allocation-groups-total",
        ),
    ];
    for (label, v, id) in [
        ("Idle kept separate", a.idle_monthly_cost, "allocation-idle"),
        (
            "Unclaimed storage",
            a.unclaimed_storage_monthly_cost,
            "allocation-unclaimed",
        ),
        (
            "Shared, not spread",
            a.shared.unspread_monthly_cost,
            "allocation-unspread",
        ),
    ] {
        if v != 0.0 {
            out.push((label, fmt_usd(v), id));
        }
    }
    out
}

/// The re-packing's figures for people, `(label, value, id)`: the plan's cost, the combined
/// saving and where it comes from (moves across pools only when the plan has some), the lower
/// bound and the gap to it. The HTML report's section and the app's Re-pack tab show them as
/// cards.
pub fn repack_figures(r: &Repack) -> Vec<(&'static str, String, &'static str)> {
    let mut out = vec![
        (
            "Monthly cost now",
            fmt_usd(r.current_monthly_cost),
            "repack-current",
        ),
        (
            "Re-packed monthly cost",
            fmt_usd(r.monthly_cost),
            "repack-cost",
        ),
        (
            "Saves per month",
            fmt_usd(r.monthly_savings),
            "repack-savings",
        ),
        (
            "From requests",
            fmt_usd(r.breakdown.from_requests),
            "repack-from-requests",
        ),
        (
            "From shapes",
            fmt_usd(r.breakdown.from_shapes),
            "repack-from-shapes",
        ),
        (
            "From drained nodes",
            fmt_usd(r.breakdown.from_drained_nodes),
            "repack-from-drained",
        ),
        (
            "Lower bound",
            fmt_usd(r.lower_bound_monthly_cost),
            "repack-lower-bound",
        ),
        (
            "Gap to the lower bound",
            fmt_usd(r.gap_monthly_cost),
            "repack-gap",
        ),
    ];
    if !r.moves.is_empty() {
        out.insert(
            6,
            (
                "From other pools",
                fmt_usd(r.breakdown.from_other_pools),
                "repack-from-other-pools",
            ),
        );
    }
    out
}

/// The re-packing in one sentence: the basis, the plan's cost against today's, the combined
/// saving and the target utilisation of new nodes.
pub fn repack_headline(r: &Repack) -> String {
    format!(
        "Re-packed with {}, new nodes filled to {} of their CPU and memory: {} per month instead \
         of {}. The combined saving is {} a month, never more than the requests and node \
         suggestions savings together. The lower bound, packing ignored, is {}; the plan is {} \
         above it.",
        r.basis,
        fmt_percent(Some(r.target_utilisation * 100.0)),
        fmt_usd(r.monthly_cost),
        fmt_usd(r.current_monthly_cost),
        fmt_usd(r.monthly_savings),
        fmt_usd(r.lower_bound_monthly_cost),
        fmt_usd(r.gap_monthly_cost),
    )
}

/// The nodes that could be drained today, in a line: how many and what they cost per month.
pub fn drainable_line(r: &Repack) -> String {
    format!(
        "{} could be drained today, every movable pod fitting on the pool's other nodes: {} per \
         month.",
        match r.drainable_nodes.len() {
            1 => "1 node".to_owned(),
            n => format!("{} nodes", group_thousands(n)),
        },
        fmt_usd(r.drainable_monthly_savings)
    )
}

/// The plan's moves across pools in a line ("3 pods move from small to big; …" and what
/// that saves), `None` without any.
pub fn moves_line(r: &Repack) -> Option<String> {
    if r.moves.is_empty() {
        return None;
    }
    let moves: Vec<String> = r
        .moves
        .iter()
        .map(|m| {
            format!(
                "{} from {} to {}",
                match m.pods {
                    1 => "1 pod".to_owned(),
                    n => format!("{} pods", group_thousands(n)),
                },
                m.from,
                m.to
            )
        })
        .collect();
    Some(format!(
        "Across pools (same provider, region, capacity type, architecture and GPUs): {}; \
         {} per month less.",
        moves.join(", "),
        fmt_usd(r.breakdown.from_other_pools)
    ))
}

/// What kept nodes, in a line: how many pods could not move, and how many are listed.
pub fn blocked_line(r: &Repack) -> String {
    let n = r.blocked_total;
    let pods = if n == 1 {
        "1 pod cannot move and keeps its node".to_owned()
    } else {
        format!(
            "{} pods cannot move and keep their nodes",
            group_thousands(n)
        )
    };
    if r.blocked.len() < n {
        format!("{pods} ({} listed).", group_thousands(r.blocked.len()))
    } else {
        format!("{pods}.")
    }
}

/// The re-packing's per pool plans (one row per pool of [`Repack::pools`]).
pub static REPACK_POOLS: &[Column<RepackPool>] = &[
    Column {
        key: "pool",
        title: "Pool",
        help: "The pool's name (its label value, else provider and region)",
        kind: Kind::Text,
        filter: false,
        value: |_, p| Value::Text(&p.pool),
    },
    Column {
        key: "current",
        title: "Now",
        help: "Its nodes now, by instance type",
        kind: Kind::Text,
        filter: false,
        value: |_, p| Value::Owned(plan_text(&p.current)),
    },
    Column {
        key: "current_nodes",
        title: "Nodes now",
        help: "How many nodes it has now",
        kind: Kind::Number,
        filter: false,
        value: |_, p| Value::Count(node_count(&p.current)),
    },
    Column {
        key: "plan",
        title: "Plan",
        help: "Its nodes in the plan, by instance type (new nodes filled to the target \
               utilisation)",
        kind: Kind::Text,
        filter: false,
        value: |_, p| Value::Owned(plan_text(&p.plan)),
    },
    Column {
        key: "planned_nodes",
        title: "Nodes planned",
        help: "How many nodes the plan has",
        kind: Kind::Number,
        filter: false,
        value: |_, p| Value::Count(node_count(&p.plan)),
    },
    Column {
        key: "current_monthly_cost",
        title: "Monthly now",
        help: "What its nodes cost per month now",
        kind: Kind::Money,
        filter: false,
        value: |_, p| money(p.current_monthly_cost),
    },
    Column {
        key: "monthly_cost",
        title: "Monthly planned",
        help: "What the plan's nodes cost per month",
        kind: Kind::Money,
        filter: false,
        value: |_, p| money(p.monthly_cost),
    },
    Column {
        key: "monthly_savings",
        title: "Savings",
        help: "Monthly now less monthly planned (drained nodes, new shapes and, with \
               recommendations, the recommended requests)",
        kind: Kind::Money,
        filter: false,
        value: |_, p| money(p.current_monthly_cost - p.monthly_cost),
    },
    Column {
        key: "lower_bound_monthly_cost",
        title: "Lower bound",
        help: "The cheapest mix of candidate types for its demand at the target utilisation, \
               packing ignored",
        kind: Kind::Money,
        filter: false,
        value: |_, p| money(p.lower_bound_monthly_cost),
    },
    Column {
        key: "drainable_nodes",
        title: "Could go today",
        help: "Its nodes that could be drained today, every movable pod fitting on its others",
        kind: Kind::Text,
        filter: false,
        value: |_, p| Value::List(&p.drainable_nodes),
    },
    Column {
        key: "pods_to_other_pools",
        title: "Pods to other pools",
        help: "Its pods the plan moves to nodes of other pools",
        kind: Kind::Number,
        filter: false,
        value: |_, p| Value::Count(p.pods_to_other_pools),
    },
    Column {
        key: "pods_from_other_pools",
        title: "Pods from other pools",
        help: "Pods of other pools the plan moves onto its nodes",
        kind: Kind::Number,
        filter: false,
        value: |_, p| Value::Count(p.pods_from_other_pools),
    },
    Column {
        key: "keeps_current_nodes",
        title: "Keeps its nodes",
        help: "The plan keeps its current nodes (less the drainable ones)",
        kind: Kind::Text,
        filter: true,
        value: |_, p| Value::Flag(p.keeps_current_nodes),
    },
    Column {
        key: "reason",
        title: "Why not re-shaped",
        help: "Why the pool keeps its current nodes, when it does",
        kind: Kind::Text,
        filter: false,
        value: |_, p| opt(p.reason.as_deref()),
    },
];

/// Which re-packing pool columns each output shows (the terminal's "Right-size and re-pack"
/// section writes one line per pool).
pub const REPACK_POOLS_VIEW: View = View {
    csv: &[
        "pool",
        "current",
        "current_nodes",
        "plan",
        "planned_nodes",
        "current_monthly_cost",
        "monthly_cost",
        "monthly_savings",
        "lower_bound_monthly_cost",
        "drainable_nodes",
        "pods_to_other_pools",
        "pods_from_other_pools",
        "keeps_current_nodes",
        "reason",
    ],
    people: &[
        "pool",
        "current",
        "plan",
        "current_monthly_cost",
        "monthly_cost",
        "monthly_savings",
        "lower_bound_monthly_cost",
        "drainable_nodes",
        "reason",
    ],
    terminal: &[],
};

/// The pods that kept their node (one row per [`Repack::blocked`]).
pub static REPACK_BLOCKED: &[Column<Blocked>] = &[
    Column {
        key: "pod",
        title: "Pod",
        help: "The pod, as namespace/name",
        kind: Kind::Text,
        filter: false,
        value: |_, b| Value::Text(&b.pod),
    },
    Column {
        key: "node",
        title: "Node",
        help: "The node it keeps",
        kind: Kind::Text,
        filter: false,
        value: |_, b| Value::Text(&b.node),
    },
    Column {
        key: "reason",
        title: "Why it stays",
        help: "No controller, local storage (emptyDir or hostPath), a static pod, or tied to \
               its node by name",
        kind: Kind::Text,
        filter: true,
        value: |_, b| Value::Text(&b.reason),
    },
];

/// Which blocked-pod columns each output shows (no CSV; the terminal names the first one).
pub const REPACK_BLOCKED_VIEW: View = View {
    csv: &[],
    people: &["pod", "node", "reason"],
    terminal: &[],
};

// ----- warnings --------------------------------------------------------------------------

/// The warnings table.
pub static WARNINGS: &[Column<Warning>] = &[
    Column {
        key: "code",
        title: "Code",
        help: "What kind of warning (a stable snake_case code)",
        kind: Kind::Text,
        filter: true,
        value: |_, w| Value::Code(&w.code),
    },
    Column {
        key: "object",
        title: "Object",
        help: "The object concerned, as Kind/namespace/name",
        kind: Kind::Text,
        filter: false,
        value: |_, w| Value::Text(&w.object),
    },
    Column {
        key: "message",
        title: "Message",
        help: "What happened and what was assumed",
        kind: Kind::Text,
        filter: false,
        value: |_, w| Value::Text(&w.message),
    },
];

/// Which warning columns each output shows (the terminal lists counts by code instead).
pub const WARNINGS_VIEW: View = View {
    csv: &[],
    people: &["code", "object", "message"],
    terminal: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    fn check<R>(table: &'static [Column<R>], view: &View) {
        for keys in [view.csv, view.people, view.terminal] {
            assert_eq!(pick(table, keys).len(), keys.len());
        }
        let mut keys: Vec<_> = table.iter().map(|c| c.key).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate keys");
        for c in table {
            assert!(!c.title.is_empty() && !c.help.is_empty(), "{}", c.key);
        }
    }

    #[test]
    fn every_view_names_existing_columns() {
        check(WORKLOADS, &WORKLOADS_VIEW);
        check(NODES, &NODES_VIEW);
        check(NAMESPACES, &NAMESPACES_VIEW);
        check(POOLS, &POOLS_VIEW);
        check(WARNINGS, &WARNINGS_VIEW);
        check(VOLUMES, &VOLUMES_VIEW);
        check(LOAD_BALANCERS, &LOAD_BALANCERS_VIEW);
        check(REPACK_POOLS, &REPACK_POOLS_VIEW);
        check(REPACK_BLOCKED, &REPACK_BLOCKED_VIEW);
        check(GROUPS, &GROUPS_VIEW);
        assert_eq!(pick(WORKLOADS, WORKLOADS_BILL).len(), WORKLOADS_BILL.len());
        assert_eq!(
            pick(NAMESPACES, NAMESPACES_BILL).len(),
            NAMESPACES_BILL.len()
        );
        assert_eq!(pick(CONTAINERS, CONTAINERS_CSV).len(), CONTAINERS.len());
        for extra in [NODES_GPU_PEOPLE, NODES_GPU_CSV] {
            assert_eq!(pick(NODES, extra).len(), extra.len());
        }
        assert_eq!(pick(WORKLOADS, WORKLOADS_GPU).len(), WORKLOADS_GPU.len());
    }

    #[test]
    fn repack_texts() {
        let item = |t: &str, n| PlanItem {
            instance_type: t.to_owned(),
            nodes: n,
            spot: false,
        };
        assert_eq!(
            plan_text(&[item("m7a.xlarge", 6), item("c7a.large", 2)]),
            "6 × m7a.xlarge + 2 × c7a.large"
        );
        assert_eq!(plan_text(&[item("m5.large", 1200)]), "1,200 × m5.large");
        assert_eq!(plan_text(&[]), "no nodes");
        let spot = PlanItem {
            spot: true,
            ..item("m7a.large", 3)
        };
        assert_eq!(
            plan_text(&[item("m5.large", 1), spot]),
            "1 × m5.large + 3 × m7a.large (spot)"
        );
        assert_eq!(node_count(&[item("a", 6), item("b", 2)]), 8);
    }

    #[test]
    fn values_for_csv_and_for_people() {
        let used = Value::Used {
            used: 1.5,
            total: 4.0,
            bytes: false,
        };
        assert_eq!(used.display(), "1.5 / 4 (37.5%)");
        assert_eq!(used.sort_key(), Some(37.5));
        assert_eq!(used.raw(), "37.5");
        let est = usd(1234.5, true);
        assert_eq!(est.display(), "≈$1,234.50");
        assert_eq!(est.raw(), "1234.5");
        assert_eq!(Value::Unset.display(), "–");
        assert_eq!(Value::Unset.raw(), "");
        assert_eq!(Value::Unknown.raw(), "?");
        assert_eq!(Value::CountOf { count: 1, of: 2 }.display(), "1 of 2");
        assert_eq!(Value::CountOf { count: 1, of: 2 }.raw(), "1");
        assert_eq!(Value::Cores(0.25).display(), "250m");
        assert_eq!(Value::Cores(f64::NAN).sort_key(), None);
        let many: Vec<String> = (0..10).map(|i| format!("t{i}")).collect();
        assert_eq!(
            Value::List(&many).display(),
            "t0, t1, t2, t3, t4, t5, t6, t7 +2 more"
        );
        assert_eq!(Value::List(&many[..2]).raw(), "t0;t1");
    }
}
