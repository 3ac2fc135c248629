//! A raw pod's or node's scheduling fields → [`crate::scheduling`]'s compact model.

use crate::ingest::raw::{
    RawLabelSelector, RawLabels, RawPodAffinityTerm, RawRequirement, RawSpec, RawTaint, Text,
};
use crate::scheduling::*;

/// `kubernetes.io/hostname`: the only anti-affinity topology the packer models.
pub(crate) const HOSTNAME: &str = "kubernetes.io/hostname";

/// Zone topology keys the packer spreads over.
const ZONE_KEYS: &[&str] = &[
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
];

fn text<'t>(t: Option<&'t Text<'_>>) -> &'t str {
    t.map_or("", Text::as_str)
}

fn node_requirement(r: &RawRequirement<'_>) -> Option<NodeRequirement> {
    Some(NodeRequirement {
        key: text(r.key.as_ref()).to_owned(),
        op: Op::parse(text(r.operator.as_ref()))?,
        values: r
            .values
            .iter()
            .flatten()
            .map(Text::to_owned_string)
            .collect(),
    })
}

/// A term with an unknown operator is kept with a requirement that never holds (`In` with no
/// values): Kubernetes rejects such a pod, so it cannot be placed anywhere.
fn node_requirements(list: Option<&Vec<RawRequirement<'_>>>) -> Vec<NodeRequirement> {
    list.into_iter()
        .flatten()
        .map(|r| {
            node_requirement(r).unwrap_or_else(|| NodeRequirement {
                key: text(r.key.as_ref()).to_owned(),
                op: Op::In,
                values: Vec::new(),
            })
        })
        .collect()
}

/// A label selector, hashed; `None` for a missing selector (which selects no pod).
fn label_selector(raw: Option<&RawLabelSelector<'_>>) -> Option<LabelSelector> {
    let raw = raw?;
    let mut requirements: Vec<HashedRequirement> = Vec::new();
    for (k, v) in raw.match_labels.iter().flat_map(|l| &l.0) {
        requirements.push(HashedRequirement {
            key: key_hash(k.as_str()),
            op: Op::In,
            values: vec![pair_hash(k.as_str(), v.as_str())],
        });
    }
    for r in raw.match_expressions.iter().flatten() {
        let key = text(r.key.as_ref());
        let op = match Op::parse(text(r.operator.as_ref())) {
            Some(op @ (Op::In | Op::NotIn | Op::Exists | Op::DoesNotExist)) => op,
            // Invalid in a label selector: a requirement that never holds.
            _ => Op::In,
        };
        requirements.push(HashedRequirement {
            key: key_hash(key),
            op,
            values: r
                .values
                .iter()
                .flatten()
                .map(|v| pair_hash(key, v.as_str()))
                .collect(),
        });
    }
    Some(LabelSelector { requirements })
}

fn effect(t: Option<&Text<'_>>) -> Option<TaintEffect> {
    TaintEffect::parse(text(t))
}

/// A node's taints (unknown effects are left out: the scheduler ignores them).
pub(crate) fn taints(spec: Option<&RawSpec<'_>>) -> Vec<Taint> {
    spec.and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|t: &RawTaint<'_>| {
            Some(Taint {
                key: text(t.key.as_ref()).to_owned(),
                value: text(t.value.as_ref()).to_owned(),
                effect: effect(t.effect.as_ref())?,
            })
        })
        .collect()
}

/// All labels, sorted by key (the first of a repeated key wins).
pub(crate) fn sorted_labels(labels: &RawLabels<'_>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = labels
        .0
        .iter()
        .map(|(k, v)| (k.to_owned_string(), v.to_owned_string()))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|b, a| a.0 == b.0);
    out
}

fn anti_affinity(term: &RawPodAffinityTerm<'_>, unmodelled: &mut u32) -> Option<AntiAffinity> {
    if text(term.topology_key.as_ref()) != HOSTNAME {
        *unmodelled += 1;
        return None;
    }
    Some(AntiAffinity {
        selector: label_selector(term.label_selector.as_ref())?,
        namespaces: term
            .namespaces
            .iter()
            .flatten()
            .map(|n| namespace_hash(n.as_str()))
            .collect(),
    })
}

/// A pod's scheduling constraints, `None` when it has none.
pub(crate) fn pod_scheduling(spec: &RawSpec<'_>) -> Option<Box<Scheduling>> {
    let mut s = Scheduling {
        node_selector: spec
            .node_selector
            .as_ref()
            .map(sorted_labels)
            .unwrap_or_default(),
        ..Scheduling::default()
    };
    if let Some(a) = &spec.affinity {
        let terms = a
            .node_affinity
            .as_ref()
            .and_then(|n| n.required.as_ref())
            .and_then(|r| r.node_selector_terms.as_ref());
        s.node_affinity = terms
            .into_iter()
            .flatten()
            .map(|t| NodeSelectorTerm {
                labels: node_requirements(t.match_expressions.as_ref()),
                fields: node_requirements(t.match_fields.as_ref()),
            })
            .collect();
        let anti = a
            .pod_anti_affinity
            .as_ref()
            .and_then(|p| p.required.as_ref());
        let affinity = a.pod_affinity.as_ref().and_then(|p| p.required.as_ref());
        s.unmodelled += u32::try_from(affinity.map_or(0, Vec::len)).unwrap_or(u32::MAX);
        for term in anti.into_iter().flatten() {
            if let Some(t) = anti_affinity(term, &mut s.unmodelled) {
                s.anti_affinity.push(t);
            }
        }
    }
    s.tolerations = spec
        .tolerations
        .iter()
        .flatten()
        .map(|t| Toleration {
            key: text(t.key.as_ref()).to_owned(),
            exists: text(t.operator.as_ref()) == "Exists",
            value: text(t.value.as_ref()).to_owned(),
            effect: effect(t.effect.as_ref()),
        })
        .collect();
    let containers = spec.containers.iter().flatten();
    let init = spec.init_containers.iter().flatten();
    for port in containers
        .chain(init)
        .flat_map(|c| c.ports.iter().flatten())
    {
        if let Some(p) = port
            .host_port
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p > 0)
        {
            s.host_ports
                .push(host_port_key(p, text(port.protocol.as_ref())));
        }
    }
    s.host_ports.sort_unstable();
    s.host_ports.dedup();
    for c in spec.topology_spread_constraints.iter().flatten() {
        let key = text(c.topology_key.as_ref());
        let Some(selector) = label_selector(c.label_selector.as_ref()) else {
            continue;
        };
        if !ZONE_KEYS.contains(&key) {
            s.unmodelled += 1;
            continue;
        }
        s.zone_spread.push(ZoneSpread {
            max_skew: c.max_skew.unwrap_or(1).max(1),
            hard: text(c.when_unsatisfiable.as_ref()) != "ScheduleAnyway",
            selector,
        });
    }
    (!s.is_empty()).then(|| Box::new(s))
}

/// True when the pod mounts an `emptyDir` or `hostPath` volume.
pub(crate) fn local_storage(spec: &RawSpec<'_>) -> bool {
    spec.volumes
        .iter()
        .flatten()
        .any(|v| v.empty_dir.is_some() || v.host_path.is_some())
}

#[cfg(test)]
mod tests {
    use crate::ingest::{Input, ingest};
    use crate::scheduling::*;

    #[test]
    fn a_pods_and_a_nodes_scheduling_facts_are_read() {
        let yaml = r#"
kind: List
items:
- kind: Node
  metadata: {name: n1, labels: {kubernetes.io/arch: amd64, pool: gpu, cores: "8"}}
  spec:
    unschedulable: true
    taints:
    - {key: gpu, value: "true", effect: NoSchedule}
    - {key: soft, effect: PreferNoSchedule}
    - {key: odd, effect: Sometimes}
- kind: Pod
  metadata: {name: p, namespace: ns, labels: {app: web}}
  spec:
    nodeName: n1
    nodeSelector: {pool: gpu}
    affinity:
      nodeAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          nodeSelectorTerms:
          - matchExpressions:
            - {key: cores, operator: Gt, values: ["4"]}
      podAntiAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector: {matchLabels: {app: web}}
          topologyKey: kubernetes.io/hostname
        - labelSelector: {matchLabels: {app: web}}
          topologyKey: topology.kubernetes.io/zone
      podAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
        - labelSelector: {matchLabels: {app: db}}
          topologyKey: kubernetes.io/hostname
    tolerations:
    - {key: gpu, operator: Exists}
    topologySpreadConstraints:
    - {maxSkew: 2, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule,
       labelSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}}
    containers:
    - name: c
      ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 53, hostPort: 53, protocol: UDP}]
    volumes:
    - name: cache
      emptyDir: {medium: Memory}
- kind: Pod
  metadata: {name: q, namespace: ns}
  spec: {nodeName: n1, containers: [{name: c}], volumes: [{name: v, configMap: {name: x}}]}
"#;
        let c = ingest(&[Input::new("paste", yaml.as_bytes())]).expect("a cluster");
        let n = &c.nodes[0];
        assert!(n.unschedulable);
        assert_eq!(n.taints.len(), 2, "the unknown effect is left out");
        assert_eq!(n.labels[0], ("cores".to_owned(), "8".to_owned()));
        let p = &c.pods[0];
        assert!(p.local_storage);
        let s = p.scheduling.as_deref().expect("constraints");
        assert_eq!(s.node_selector, [("pool".to_owned(), "gpu".to_owned())]);
        assert!(s.node_matches(&n.labels, &n.name));
        assert!(tolerates_all(&s.tolerations, &n.taints));
        assert_eq!(
            s.host_ports,
            [host_port_key(8080, "TCP"), host_port_key(53, "UDP")]
        );
        assert_eq!(s.anti_affinity.len(), 1);
        assert!(s.anti_affinity[0].selector.matches(&p.label_hashes));
        assert_eq!(s.unmodelled, 2, "zone anti-affinity and pod affinity");
        assert_eq!(s.zone_spread.len(), 1);
        assert_eq!(s.zone_spread[0].max_skew, 2);
        assert!(s.zone_spread[0].hard);
        let q = &c.pods[1];
        assert!(q.scheduling.is_none());
        assert!(!q.local_storage);
        assert!(!tolerates_all(&[], &n.taints));
    }
}
