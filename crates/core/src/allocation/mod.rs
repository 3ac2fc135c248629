//! Showback and chargeback: every cost of the bill grouped by one or two label keys (`team`,
//! `team,env`), with idle and shared costs split by the user's rules. `docs/cost-model.md` §12
//! explains it for people.
//!
//! ```text
//! group of a pod   = its own label, else its workload's, else its namespace's, else `unallocated`
//!                    (per key; two keys make a pair: team / env)
//! group's own cost = compute (its pods' costs, scaled down on over-committed nodes so that a
//!                    node never allocates more than its price) + storage + load balancers
//! idle node cost   = kept separate | shared ∝ each group's compute cluster-wide | shared per
//!                    node ∝ each group's compute on that node (OpenCost's two modes)
//! shared costs     = the shared namespaces' own cost and idle share + the control plane,
//!                    spread over the other groups ∝ their cost, or evenly
//! invariant        Σ groups + idle kept separate + unclaimed storage + shared left unspread
//!                    = the bill (nodes + storage + load balancers + control plane)
//! ```
//!
//! A workload's own group (for its storage, load balancers, savings and the FOCUS export's
//! tags) is the group most of its pods are in (ties: the first by name); a workload without
//! pods takes its own label, else its namespace's.

mod compute;

use serde::{Deserialize, Serialize};

pub use compute::allocate;

/// The group of pods, volumes and load balancers without a value for a key.
pub const UNALLOCATED: &str = "unallocated";

/// At most this many keys can be combined.
pub const MAX_KEYS: usize = 2;

/// What happens to the nodes' idle cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdleRule {
    /// Kept as a line of its own (as the rest of the report shows it).
    #[default]
    Separate,
    /// Shared by every group in proportion to its compute cost, cluster-wide.
    ClusterRequests,
    /// Each node's idle cost shared by the groups in proportion to their compute cost on that
    /// node.
    NodeRequests,
}

impl IdleRule {
    /// Every rule, in the order the CLI lists them.
    pub const ALL: [IdleRule; 3] = [
        IdleRule::Separate,
        IdleRule::ClusterRequests,
        IdleRule::NodeRequests,
    ];

    /// The CLI's word: `separate`, `cluster`, `node`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdleRule::Separate => "separate",
            IdleRule::ClusterRequests => "cluster",
            IdleRule::NodeRequests => "node",
        }
    }

    /// Reads the CLI's word (case and surrounding spaces ignored).
    pub fn parse(text: &str) -> Option<IdleRule> {
        let t = text.trim().to_ascii_lowercase();
        IdleRule::ALL.into_iter().find(|r| r.as_str() == t)
    }

    /// The rule in words.
    pub fn words(self) -> &'static str {
        match self {
            IdleRule::Separate => "idle node cost is kept separate (a line of its own)",
            IdleRule::ClusterRequests => {
                "idle node cost is shared by every group in proportion to its compute cost, \
                 cluster-wide"
            }
            IdleRule::NodeRequests => {
                "each node's idle cost is shared by the groups in proportion to their compute \
                 cost on that node (a node nobody requests keeps its idle cost separate)"
            }
        }
    }
}

/// How the shared costs are spread over the groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedSplit {
    /// In proportion to each group's cost (its own cost and idle share).
    #[default]
    Proportional,
    /// The same amount to every group.
    Even,
}

impl SharedSplit {
    /// Every split, in the order the CLI lists them.
    pub const ALL: [SharedSplit; 2] = [SharedSplit::Proportional, SharedSplit::Even];

    /// The CLI's word: `proportional`, `even`.
    pub fn as_str(self) -> &'static str {
        match self {
            SharedSplit::Proportional => "proportional",
            SharedSplit::Even => "even",
        }
    }

    /// Reads the CLI's word (case and surrounding spaces ignored).
    pub fn parse(text: &str) -> Option<SharedSplit> {
        let t = text.trim().to_ascii_lowercase();
        SharedSplit::ALL.into_iter().find(|r| r.as_str() == t)
    }
}

/// What the user chose (checked by [`crate::settings`]' rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AllocationSettings {
    /// The label keys to group by (at most [`MAX_KEYS`]); none: no allocation.
    pub keys: Vec<String>,
    /// The nodes' idle cost.
    pub idle: IdleRule,
    /// Namespaces whose cost is shared by the other groups (default `kube-system`).
    pub shared_namespaces: Vec<String>,
    /// How the shared costs are spread.
    pub shared_split: SharedSplit,
}

impl Default for AllocationSettings {
    fn default() -> AllocationSettings {
        AllocationSettings {
            keys: Vec::new(),
            idle: IdleRule::Separate,
            shared_namespaces: vec!["kube-system".to_owned()],
            shared_split: SharedSplit::Proportional,
        }
    }
}

/// The rules an allocation used, as data and in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationRules {
    /// The idle rule.
    pub idle: IdleRule,
    /// The shared namespaces.
    pub shared_namespaces: Vec<String>,
    /// How shared costs were spread.
    pub shared_split: SharedSplit,
    /// Each rule in words, for people.
    pub description: Vec<String>,
}

/// One group's costs, USD per month: its own (before) and with its shares (after).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCost {
    /// The group for people: its values joined by ` / ` (`payments / prod`).
    pub name: String,
    /// Its value of each key, in the keys' order ([`UNALLOCATED`] when none).
    pub values: Vec<String>,
    /// Pods in it (all phases).
    pub pods: usize,
    /// Workloads whose own group it is.
    pub workloads: usize,
    /// Its pods' costs (scaled on over-committed nodes).
    pub compute_monthly_cost: f64,
    /// The GPU part of `compute_monthly_cost`.
    #[serde(default)]
    pub gpu_monthly_cost: f64,
    /// Its persistent volumes (split evenly between the workloads that mount each; a claim no
    /// pod mounts goes to its namespace's group).
    pub storage_monthly_cost: f64,
    /// Its load balancers (split evenly between the workloads each selects; one selecting no
    /// pod goes to its namespace's group).
    pub load_balancer_monthly_cost: f64,
    /// Before: compute + storage + load balancers.
    pub own_monthly_cost: f64,
    /// Its share of the idle node cost (0 when idle is kept separate).
    pub idle_monthly_cost: f64,
    /// Its share of the shared costs.
    pub shared_monthly_cost: f64,
    /// After: own + idle share + shared share.
    pub total_monthly_cost: f64,
    /// Savings of its workloads' recommendations (not spread).
    pub monthly_savings: f64,
    /// Any of its pods' node prices is an estimate.
    pub estimate: bool,
}

/// The shared costs: the shared namespaces' own cost and idle share, and the control plane.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SharedCost {
    /// The shared namespaces.
    pub namespaces: Vec<String>,
    /// Pods in them.
    pub pods: usize,
    /// Their own cost (compute, storage, load balancers).
    pub own_monthly_cost: f64,
    /// Their share of the idle node cost.
    pub idle_monthly_cost: f64,
    /// The managed control plane's fee.
    pub control_plane_monthly_cost: f64,
    /// own + idle + control plane: what is spread.
    pub total_monthly_cost: f64,
    /// What could not be spread (no group to take it): a line of its own.
    pub unspread_monthly_cost: f64,
    /// Savings of their workloads' recommendations.
    pub monthly_savings: f64,
}

/// A workload's own group, for the FOCUS export's tags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadGroup {
    /// Namespace.
    pub namespace: String,
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Its group's value of each key.
    pub values: Vec<String>,
    /// True when its namespace is shared.
    pub shared: bool,
}

/// Costs by group (`kube-rightsize/report/v1`'s `allocation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    /// The label keys grouped by.
    pub keys: Vec<String>,
    /// The rules used.
    pub rules: AllocationRules,
    /// The groups, by total monthly cost descending.
    pub groups: Vec<GroupCost>,
    /// The shared costs and what became of them.
    pub shared: SharedCost,
    /// Idle node cost kept separate (all of it under [`IdleRule::Separate`]; under the other
    /// rules what nobody's requests could take).
    pub idle_monthly_cost: f64,
    /// Volumes bound to no claim: a line of its own.
    pub unclaimed_storage_monthly_cost: f64,
    /// How much over-committed nodes' pods were scaled down so that their node allocates its
    /// price and no more (the `node_overcommitted` warnings name the nodes).
    pub overcommit_removed_monthly_cost: f64,
    /// Nodes whose allocations were scaled down.
    pub overcommitted_nodes: usize,
    /// The bill: Σ groups' totals + idle kept separate + unclaimed storage + shared unspread.
    pub total_monthly_cost: f64,
    /// Each workload's own group, by namespace, kind and name.
    pub workloads: Vec<WorkloadGroup>,
}

impl Allocation {
    /// Σ groups' totals + the lines of their own: equal to [`Allocation::total_monthly_cost`]
    /// up to rounding.
    pub fn allocated_sum(&self) -> f64 {
        self.groups
            .iter()
            .map(|g| g.total_monthly_cost)
            .sum::<f64>()
            + self.idle_monthly_cost
            + self.unclaimed_storage_monthly_cost
            + self.shared.unspread_monthly_cost
    }

    /// The group of workload `namespace/kind/name`.
    pub fn workload(&self, namespace: &str, kind: &str, name: &str) -> Option<&WorkloadGroup> {
        self.workloads
            .binary_search_by(|w| {
                (w.namespace.as_str(), w.kind.as_str(), w.name.as_str())
                    .cmp(&(namespace, kind, name))
            })
            .ok()
            .and_then(|i| self.workloads.get(i))
    }
}
