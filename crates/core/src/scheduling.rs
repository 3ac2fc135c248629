//! What the scheduler reads from pods and nodes beyond requests: node selectors, required node
//! affinity, taints and tolerations, host ports, required pod anti-affinity on the hostname and
//! zone topology spread — kept compactly for the packer ([`crate::repack`]).
//!
//! Pod labels are only ever matched by label selectors (anti-affinity, spread), so a pod keeps
//! them as a sorted slice of 64-bit FNV-1a hashes ([`label_hashes`]): one of `key=value` and one
//! of `key` per label, 16 bytes a label instead of two strings. Selectors are hashed the same
//! way ([`LabelSelector`]). Node labels are kept whole (nodes are few, and node affinity's `Gt`
//! and `Lt` compare values as integers).

use serde::Serialize;

/// A requirement's operator (`matchExpressions[].operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Op {
    /// The label's value is one of the values.
    In,
    /// The label is absent or its value is none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
    /// The label's value, as an integer, is greater than the only value (node affinity only).
    Gt,
    /// The label's value, as an integer, is less than the only value (node affinity only).
    Lt,
}

impl Op {
    /// Parses an operator as Kubernetes spells it.
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "In" => Op::In,
            "NotIn" => Op::NotIn,
            "Exists" => Op::Exists,
            "DoesNotExist" => Op::DoesNotExist,
            "Gt" => Op::Gt,
            "Lt" => Op::Lt,
            _ => return None,
        })
    }
}

/// One node label requirement (`nodeSelectorTerms[].matchExpressions[]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct NodeRequirement {
    /// Label key (for `matchFields`: `metadata.name`).
    pub key: String,
    /// Operator.
    pub op: Op,
    /// Values.
    pub values: Vec<String>,
}

impl NodeRequirement {
    /// True when a node whose label `key` has `value` (`None`: absent) satisfies it.
    pub fn matches(&self, value: Option<&str>) -> bool {
        let int = |s: &str| s.trim().parse::<i64>().ok();
        match self.op {
            Op::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Op::NotIn => value.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            Op::Exists => value.is_some(),
            Op::DoesNotExist => value.is_none(),
            Op::Gt | Op::Lt => {
                let (Some(v), [bound]) = (value.and_then(int), self.values.as_slice()) else {
                    return false;
                };
                let Some(bound) = int(bound) else {
                    return false;
                };
                if self.op == Op::Gt {
                    v > bound
                } else {
                    v < bound
                }
            }
        }
    }
}

/// One `nodeSelectorTerms[]` entry: every requirement must hold. An empty term matches no
/// node (as in Kubernetes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct NodeSelectorTerm {
    /// `matchExpressions` on node labels.
    pub labels: Vec<NodeRequirement>,
    /// `matchFields` (only `metadata.name` exists).
    pub fields: Vec<NodeRequirement>,
}

/// A taint's or toleration's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TaintEffect {
    /// New pods are not scheduled without a toleration.
    NoSchedule,
    /// The scheduler avoids the node (ignored by the packer).
    PreferNoSchedule,
    /// Pods without a toleration are evicted and not scheduled.
    NoExecute,
}

impl TaintEffect {
    /// Parses an effect as Kubernetes spells it.
    pub fn parse(s: &str) -> Option<TaintEffect> {
        Some(match s {
            "NoSchedule" => TaintEffect::NoSchedule,
            "PreferNoSchedule" => TaintEffect::PreferNoSchedule,
            "NoExecute" => TaintEffect::NoExecute,
            _ => return None,
        })
    }
}

/// A node taint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Taint {
    /// Key.
    pub key: String,
    /// Value (empty when none).
    pub value: String,
    /// Effect.
    pub effect: TaintEffect,
}

impl Taint {
    /// True for `NoSchedule` and `NoExecute`: the taints a pod must tolerate to be placed.
    pub fn binds(&self) -> bool {
        self.effect != TaintEffect::PreferNoSchedule
    }
}

/// A pod toleration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Toleration {
    /// Key; empty with `exists` tolerates every taint.
    pub key: String,
    /// `operator: Exists` (else `Equal`).
    pub exists: bool,
    /// Value for `Equal`.
    pub value: String,
    /// Effect; `None` tolerates every effect.
    pub effect: Option<TaintEffect>,
}

impl Toleration {
    /// Kubernetes' `ToleratesTaint`.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if self.effect.is_some_and(|e| e != taint.effect) {
            return false;
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        if self.exists {
            return true;
        }
        // `Equal` with an empty key is invalid in Kubernetes; it tolerates nothing.
        !self.key.is_empty() && self.value == taint.value
    }
}

/// True when `tolerations` tolerate every `NoSchedule` / `NoExecute` taint of `taints`.
pub fn tolerates_all(tolerations: &[Toleration], taints: &[Taint]) -> bool {
    taints
        .iter()
        .filter(|t| t.binds())
        .all(|t| tolerations.iter().any(|tol| tol.tolerates(t)))
}

/// 64-bit FNV-1a over parts separated by a byte no label contains.
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0xff;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The hash of a label's key (for `Exists` / `DoesNotExist`).
pub fn key_hash(key: &str) -> u64 {
    fnv(&[b"k", key.as_bytes()])
}

/// The hash of a label `key=value` (for `In` / `NotIn` / `matchLabels`).
pub fn pair_hash(key: &str, value: &str) -> u64 {
    fnv(&[b"p", key.as_bytes(), value.as_bytes()])
}

/// The hash of a namespace name (anti-affinity terms' namespaces).
pub fn namespace_hash(namespace: &str) -> u64 {
    fnv(&[b"n", namespace.as_bytes()])
}

/// A pod's labels as sorted hashes: for each label, [`key_hash`] and [`pair_hash`].
pub fn label_hashes<'a>(labels: impl Iterator<Item = (&'a str, &'a str)>) -> Box<[u64]> {
    let mut out: Vec<u64> = Vec::new();
    for (k, v) in labels {
        out.push(key_hash(k));
        out.push(pair_hash(k, v));
    }
    out.sort_unstable();
    out.dedup();
    out.into_boxed_slice()
}

/// One label selector requirement, hashed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct HashedRequirement {
    /// [`key_hash`] of the key.
    pub key: u64,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub op: Op,
    /// [`pair_hash`] of the key with each value.
    pub values: Vec<u64>,
}

/// A label selector (`matchLabels` and `matchExpressions` together), hashed. An empty selector
/// matches every pod.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct LabelSelector {
    /// Every requirement must hold (`matchLabels` entries are `In` with one value).
    pub requirements: Vec<HashedRequirement>,
}

impl LabelSelector {
    /// True when a pod with these sorted [`label_hashes`] matches.
    pub fn matches(&self, labels: &[u64]) -> bool {
        let has = |h: &u64| labels.binary_search(h).is_ok();
        self.requirements.iter().all(|r| match r.op {
            Op::In => r.values.iter().any(has),
            Op::NotIn => !r.values.iter().any(has),
            Op::Exists => has(&r.key),
            Op::DoesNotExist => !has(&r.key),
            // Not valid in a label selector: matches nothing.
            Op::Gt | Op::Lt => false,
        })
    }
}

/// A required pod anti-affinity term on `kubernetes.io/hostname`: no two pods it selects on one
/// node (with the pod itself).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AntiAffinity {
    /// Which pods it keeps away.
    pub selector: LabelSelector,
    /// [`namespace_hash`]es of the namespaces it looks in; empty: the pod's own.
    pub namespaces: Vec<u64>,
}

/// A zone topology spread constraint (`topologyKey: topology.kubernetes.io/zone`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ZoneSpread {
    /// `maxSkew` (at least 1).
    pub max_skew: i64,
    /// `whenUnsatisfiable: DoNotSchedule` (else `ScheduleAnyway`, a preference).
    pub hard: bool,
    /// The pods counted.
    pub selector: LabelSelector,
}

/// A pod's scheduling constraints; `None` on a pod without any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Scheduling {
    /// `spec.nodeSelector`, sorted by key.
    pub node_selector: Vec<(String, String)>,
    /// Required node affinity terms (any one must hold); empty: no node affinity.
    pub node_affinity: Vec<NodeSelectorTerm>,
    /// Tolerations.
    pub tolerations: Vec<Toleration>,
    /// Host ports as `protocol << 16 | port` (protocol 0 TCP, 1 UDP, 2 SCTP), sorted.
    pub host_ports: Vec<u32>,
    /// Required anti-affinity terms on `kubernetes.io/hostname`.
    pub anti_affinity: Vec<AntiAffinity>,
    /// Zone topology spread constraints.
    pub zone_spread: Vec<ZoneSpread>,
    /// Required terms the packer does not model (pod affinity, anti-affinity on other
    /// topology keys, spread on other keys), counted.
    pub unmodelled: u32,
}

impl Scheduling {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Scheduling::default()
    }

    /// True when the node with `labels` (sorted by key) and `name` satisfies the node selector
    /// and the required node affinity.
    pub fn node_matches(&self, labels: &[(String, String)], name: &str) -> bool {
        let get = |k: &str| {
            labels
                .binary_search_by(|(lk, _)| lk.as_str().cmp(k))
                .ok()
                .map(|i| labels[i].1.as_str())
        };
        if !self
            .node_selector
            .iter()
            .all(|(k, v)| get(k) == Some(v.as_str()))
        {
            return false;
        }
        self.node_affinity.is_empty()
            || self.node_affinity.iter().any(|term| {
                (!term.labels.is_empty() || !term.fields.is_empty())
                    && term.labels.iter().all(|r| r.matches(get(&r.key)))
                    && term
                        .fields
                        .iter()
                        .all(|r| r.matches((r.key == "metadata.name").then_some(name)))
            })
    }
}

/// The host port key of `port` over `protocol` (`TCP` when empty).
pub fn host_port_key(port: u16, protocol: &str) -> u32 {
    let p = match protocol {
        "UDP" => 1,
        "SCTP" => 2,
        _ => 0,
    };
    (p << 16) | u32::from(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(key: &str, op: Op, values: &[&str]) -> NodeRequirement {
        NodeRequirement {
            key: key.into(),
            op,
            values: values.iter().map(|v| (*v).into()).collect(),
        }
    }

    #[test]
    fn node_requirements_follow_kubernetes() {
        assert!(req("a", Op::In, &["x", "y"]).matches(Some("y")));
        assert!(!req("a", Op::In, &["x"]).matches(None));
        assert!(req("a", Op::NotIn, &["x"]).matches(None));
        assert!(!req("a", Op::NotIn, &["x"]).matches(Some("x")));
        assert!(req("a", Op::Exists, &[]).matches(Some("")));
        assert!(req("a", Op::DoesNotExist, &[]).matches(None));
        assert!(req("a", Op::Gt, &["4"]).matches(Some("8")));
        assert!(!req("a", Op::Gt, &["4"]).matches(Some("4")));
        assert!(req("a", Op::Lt, &["4"]).matches(Some("2")));
        assert!(!req("a", Op::Lt, &["x"]).matches(Some("2")));
    }

    #[test]
    fn terms_are_ored_and_an_empty_term_matches_nothing() {
        let labels = vec![("zone".to_owned(), "a".to_owned())];
        let mut s = Scheduling {
            node_affinity: vec![NodeSelectorTerm::default()],
            ..Scheduling::default()
        };
        assert!(!s.node_matches(&labels, "n"));
        s.node_affinity.push(NodeSelectorTerm {
            labels: vec![req("zone", Op::In, &["a"])],
            fields: vec![],
        });
        assert!(s.node_matches(&labels, "n"));
        s.node_selector = vec![("zone".into(), "b".into())];
        assert!(!s.node_matches(&labels, "n"));
        let by_name = Scheduling {
            node_affinity: vec![NodeSelectorTerm {
                labels: vec![],
                fields: vec![req("metadata.name", Op::In, &["n"])],
            }],
            ..Scheduling::default()
        };
        assert!(by_name.node_matches(&labels, "n"));
        assert!(!by_name.node_matches(&labels, "m"));
    }

    #[test]
    fn tolerations_follow_kubernetes() {
        let taint = Taint {
            key: "gpu".into(),
            value: "true".into(),
            effect: TaintEffect::NoSchedule,
        };
        let tol = |key: &str, exists: bool, value: &str, effect| Toleration {
            key: key.into(),
            exists,
            value: value.into(),
            effect,
        };
        assert!(tol("gpu", false, "true", None).tolerates(&taint));
        assert!(!tol("gpu", false, "false", None).tolerates(&taint));
        assert!(tol("gpu", true, "", Some(TaintEffect::NoSchedule)).tolerates(&taint));
        assert!(!tol("gpu", true, "", Some(TaintEffect::NoExecute)).tolerates(&taint));
        assert!(tol("", true, "", None).tolerates(&taint));
        assert!(!tol("", false, "", None).tolerates(&taint));
        let soft = Taint {
            effect: TaintEffect::PreferNoSchedule,
            ..taint.clone()
        };
        assert!(tolerates_all(&[], std::slice::from_ref(&soft)));
        assert!(!tolerates_all(&[], &[taint]));
    }

    #[test]
    fn selectors_match_hashed_labels() {
        let labels = label_hashes([("app", "web"), ("tier", "front")].into_iter());
        let sel = |op, key: &str, values: &[&str]| LabelSelector {
            requirements: vec![HashedRequirement {
                key: key_hash(key),
                op,
                values: values.iter().map(|v| pair_hash(key, v)).collect(),
            }],
        };
        assert!(LabelSelector::default().matches(&labels));
        assert!(sel(Op::In, "app", &["db", "web"]).matches(&labels));
        assert!(!sel(Op::In, "app", &["db"]).matches(&labels));
        assert!(sel(Op::NotIn, "app", &["db"]).matches(&labels));
        assert!(sel(Op::Exists, "tier", &[]).matches(&labels));
        assert!(sel(Op::DoesNotExist, "zone", &[]).matches(&labels));
        // `app=web` is not `ap=pweb`.
        assert!(!sel(Op::In, "ap", &["pweb"]).matches(&labels));
    }
}
