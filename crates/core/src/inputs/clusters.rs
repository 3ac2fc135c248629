//! Which cluster each input belongs to, when one analysis holds several clusters (the app):
//! each snapshot with nodes starts a cluster named from its file; a snapshot without nodes
//! (`kubectl get pods -A -o json` next to `kubectl get nodes -o json`) joins the cluster its
//! pods run on; a KRR result or usage snapshot joins the cluster most of its workloads or pods
//! are in; a price file applies to every cluster. What the user set ([`Assigned`]) comes
//! first, input by input.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::cluster::Cluster;
pub use crate::ingest::SnapshotFacts;
use crate::inputs::InputKind;
use crate::recommend::RecommendationInput;

/// Input name → cluster name, as the user set them. Inputs not named are placed by the rules
/// of this module.
pub type Assigned = BTreeMap<String, String>;

/// A cluster's name from an input's file name: without folders and the extension; `cluster`
/// for a paste or standard input. At most [`crate::limits::MAX_CHARS`] characters.
pub fn name_from_input(input: &str) -> String {
    let base = input.rsplit(['/', '\\']).next().unwrap_or(input);
    let lower = base.to_ascii_lowercase();
    let stem = [".json", ".yaml", ".yml"]
        .iter()
        .find(|ext| lower.ends_with(*ext))
        .map_or(base, |ext| &base[..base.len() - ext.len()])
        .trim();
    if stem.is_empty() || matches!(stem, "-" | "<stdin>" | "paste" | "dropped text") {
        "cluster".to_owned()
    } else {
        crate::limits::cap(stem).into_owned()
    }
}

/// `wanted`, or `wanted (2)`, `wanted (3)`, … : the first that is not `taken`.
fn unique(wanted: &str, taken: &HashSet<String>) -> String {
    let mut name = wanted.to_owned();
    let mut n = 1;
    while taken.contains(&name) {
        n += 1;
        name = format!("{wanted} ({n})");
    }
    name
}

/// The snapshots grouped into clusters: each cluster's name and its snapshots' indexes into
/// `snapshots`, in the order the clusters' first snapshots come. See the module documentation;
/// with no snapshot, no cluster.
pub fn group_snapshots(
    snapshots: &[SnapshotFacts<'_>],
    assigned: &Assigned,
) -> Vec<(String, Vec<usize>)> {
    let mut clusters: Vec<(String, Vec<usize>)> = Vec::new();
    // Names the user gave a snapshot are never taken by a cluster named from a file (a name
    // given to another input names the cluster it joins).
    let mut taken: HashSet<String> = snapshots
        .iter()
        .filter_map(|s| assigned.get(s.name).cloned())
        .collect();
    let mut without_nodes = Vec::new();
    for (i, s) in snapshots.iter().enumerate() {
        if let Some(name) = assigned.get(s.name) {
            match clusters.iter_mut().find(|(n, _)| n == name) {
                Some((_, members)) => members.push(i),
                None => clusters.push((name.clone(), vec![i])),
            }
        } else if !s.nodes.is_empty() {
            let name = unique(&name_from_input(s.name), &taken);
            taken.insert(name.clone());
            clusters.push((name, vec![i]));
        } else {
            without_nodes.push(i);
        }
    }
    for i in without_nodes {
        let pods = &snapshots[i].pod_nodes;
        // The cluster whose nodes run most of its pods; the first on a tie or none.
        let best = clusters
            .iter()
            .enumerate()
            .map(|(c, (_, members))| {
                let runs = pods
                    .iter()
                    .filter(|node| members.iter().any(|&m| snapshots[m].nodes.contains(*node)))
                    .count();
                (runs, std::cmp::Reverse(c))
            })
            .max()
            .map(|(_, std::cmp::Reverse(c))| c);
        match best {
            Some(c) => clusters[c].1.push(i),
            None => {
                let name = unique(&name_from_input(snapshots[i].name), &taken);
                taken.insert(name.clone());
                clusters.push((name, vec![i]));
            }
        }
    }
    for (_, members) in &mut clusters {
        members.sort_unstable();
    }
    clusters
}

/// The clusters' names in `last` (input name → cluster name, as an analysis reports them), each
/// once, in order; the empty name (every cluster) left out.
pub fn names(last: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, c) in last {
        if !c.is_empty() && !names.contains(c) {
            names.push(c.clone());
        }
    }
    names
}

/// One input's cluster picker in the app: the cluster it is in and what it can be put in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picker {
    /// The input's name.
    pub input: String,
    /// Its cluster now (empty: a price file for every cluster).
    pub cluster: String,
    /// `(value, label)`: every cluster; "every cluster" (value empty) first for a price file;
    /// "a new cluster (NAME)" last for a snapshot.
    pub choices: Vec<(String, String)>,
}

/// The pickers of the inputs of an analysis that held several clusters, or several snapshots
/// (that the user may want to split); none otherwise. `kinds`: each input's kind; `last`: the
/// cluster each went to (the pipeline's `Outcome::clusters`).
pub fn pickers(kinds: &[(String, InputKind)], last: &[(String, String)]) -> Vec<Picker> {
    let names = names(last);
    let snapshots = kinds
        .iter()
        .filter(|(_, k)| *k == InputKind::Snapshot)
        .count();
    if names.len() < 2 && snapshots < 2 {
        return Vec::new();
    }
    last.iter()
        .map(|(input, cluster)| {
            let kind = kinds.iter().find(|(n, _)| n == input).map(|(_, k)| *k);
            let mut choices: Vec<(String, String)> =
                names.iter().map(|n| (n.clone(), n.clone())).collect();
            match kind {
                Some(InputKind::Prices) => {
                    choices.insert(0, (String::new(), "every cluster".to_owned()));
                }
                Some(InputKind::Snapshot) => {
                    let new = new_name(input, names.iter().map(String::as_str));
                    choices.push((new.clone(), format!("a new cluster ({new})")));
                }
                _ => {}
            }
            Picker {
                input: input.clone(),
                cluster: cluster.clone(),
                choices,
            }
        })
        .collect()
}

/// A name for a new cluster started by `input`: from its file name, unique among `existing`.
pub fn new_name<'n>(input: &str, existing: impl IntoIterator<Item = &'n str>) -> String {
    let taken: HashSet<String> = existing.into_iter().map(str::to_owned).collect();
    unique(&name_from_input(input), &taken)
}

/// Puts `input` in `cluster`, as the user chose (an empty `cluster`: a price file for every
/// cluster, which is also the default). A name is cut to [`crate::limits::MAX_CHARS`]
/// characters, like every name a report holds.
pub fn assign(assigned: &mut Assigned, input: &str, cluster: &str) {
    if cluster.is_empty() {
        assigned.remove(input);
    } else {
        let name = crate::limits::cap(cluster).into_owned();
        assigned.insert(input.to_owned(), name);
    }
}

/// Renames cluster `old` to `new` (trimmed; an empty name changes nothing): every input the last
/// analysis put in `old` (`last`, input name → cluster name) is put in `new`. A name another
/// cluster has merges the two.
pub fn rename(assigned: &mut Assigned, last: &[(String, String)], old: &str, new: &str) {
    let new = new.trim();
    if new.is_empty() || new == old {
        return;
    }
    for (input, cluster) in last {
        if cluster == old {
            assign(assigned, input, new);
        }
    }
}

/// How many of `usage`'s recommendations (namespace, workload name) or samples (namespace, pod
/// name) are in `cluster`.
pub fn matches(usage: &RecommendationInput, cluster: &Cluster) -> usize {
    match usage {
        RecommendationInput::Ready(set) => {
            let workloads: HashSet<(&str, &str)> = cluster
                .workloads
                .iter()
                .map(|w| (w.namespace.as_str(), w.name.as_str()))
                .collect();
            set.items
                .iter()
                .filter(|r| workloads.contains(&(r.namespace.as_str(), r.name.as_str())))
                .count()
        }
        RecommendationInput::Snapshot(snapshot, _) => {
            let pods: HashSet<(&str, &str)> = cluster
                .pods
                .iter()
                .map(|p| (p.namespace.as_str(), p.name.as_str()))
                .collect();
            let names: HashSet<&str> = cluster.pods.iter().map(|p| p.name.as_str()).collect();
            snapshot
                .samples
                .iter()
                .filter(|s| match &s.namespace {
                    Some(ns) => pods.contains(&(ns.as_str(), s.pod.as_str())),
                    None => names.contains(s.pod.as_str()),
                })
                .count()
        }
    }
}

/// The index of the cluster `usage` belongs to: the one with the most [`matches`], the first on
/// a tie (also when none matches).
pub fn best_cluster(usage: &RecommendationInput, clusters: &[&Cluster]) -> usize {
    clusters
        .iter()
        .enumerate()
        .map(|(i, c)| (matches(usage, c), std::cmp::Reverse(i)))
        .max()
        .map_or(0, |(_, std::cmp::Reverse(i))| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'s>(name: &'s str, nodes: &[&'s str], pods: &[&'s str]) -> SnapshotFacts<'s> {
        SnapshotFacts {
            name,
            nodes: nodes.iter().copied().collect(),
            pod_nodes: pods.to_vec(),
        }
    }

    #[test]
    fn each_snapshot_with_nodes_is_a_cluster_and_one_without_joins_its_pods_nodes() {
        let snapshots = [
            facts("prod.json", &["p1", "p2"], &["p1"]),
            facts("staging.yaml", &["s1"], &["s1"]),
            facts("pods.json", &[], &["s1", "s1", "p1"]),
            facts("paste", &["x"], &[]),
            facts("paste", &["y"], &[]),
        ];
        let groups = group_snapshots(&snapshots, &Assigned::new());
        assert_eq!(
            groups,
            vec![
                ("prod".to_owned(), vec![0]),
                ("staging".to_owned(), vec![1, 2]),
                ("cluster".to_owned(), vec![3]),
                ("cluster (2)".to_owned(), vec![4]),
            ]
        );
    }

    #[test]
    fn what_the_user_assigned_comes_first_and_names_stay_unique() {
        let snapshots = [
            facts("a.json", &["n1"], &[]),
            facts("b.json", &["n2"], &[]),
            facts("c.json", &["n3"], &[]),
        ];
        // b joins a's cluster, renamed; c takes the name "b" only if the user did not.
        let assigned: Assigned = [
            ("a.json".to_owned(), "prod".to_owned()),
            ("b.json".to_owned(), "prod".to_owned()),
        ]
        .into();
        assert_eq!(
            group_snapshots(&snapshots, &assigned),
            vec![("prod".to_owned(), vec![0, 1]), ("c".to_owned(), vec![2])]
        );
        let assigned: Assigned = [("a.json".to_owned(), "c".to_owned())].into();
        assert_eq!(
            group_snapshots(&snapshots, &assigned),
            vec![
                ("c".to_owned(), vec![0]),
                ("b".to_owned(), vec![1]),
                ("c (2)".to_owned(), vec![2])
            ]
        );
    }

    #[test]
    fn snapshots_without_nodes_alone_are_one_cluster() {
        let snapshots = [
            facts("pods.json", &[], &["n1"]),
            facts("more.json", &[], &[]),
        ];
        assert_eq!(
            group_snapshots(&snapshots, &Assigned::new()),
            vec![("pods".to_owned(), vec![0, 1])]
        );
        assert!(group_snapshots(&[], &Assigned::new()).is_empty());
    }

    #[test]
    fn renaming_moves_every_input_of_the_cluster_and_new_names_are_unique() {
        let last: Vec<(String, String)> = [("a.json", "a"), ("krr.json", "a"), ("b.json", "b")]
            .map(|(i, c)| (i.to_owned(), c.to_owned()))
            .into();
        let mut assigned = Assigned::new();
        rename(&mut assigned, &last, "a", "  ");
        assert!(assigned.is_empty());
        rename(&mut assigned, &last, "a", " prod ");
        assert_eq!(assigned.len(), 2);
        assert_eq!(assigned["krr.json"], "prod");
        assign(&mut assigned, "krr.json", "");
        assert_eq!(assigned.len(), 1);
        assert_eq!(new_name("b.json", ["a", "b"]), "b (2)");
        let long = "x".repeat(100_000);
        assign(&mut assigned, "b.json", &long);
        assert!(assigned["b.json"].chars().count() <= crate::limits::MAX_CHARS);
        assert_eq!(new_name("c.json", ["a", "b"]), "c");
    }

    #[test]
    fn pickers_offer_the_clusters_and_what_each_kind_can_do() {
        let kinds: Vec<(String, InputKind)> = [
            ("a.json", InputKind::Snapshot),
            ("b.json", InputKind::Snapshot),
            (
                "krr.json",
                InputKind::Usage(crate::recommend::UsageKind::Krr),
            ),
            ("p.csv", InputKind::Prices),
        ]
        .map(|(n, k)| (n.to_owned(), k))
        .into();
        let last: Vec<(String, String)> = [
            ("a.json", "a"),
            ("b.json", "b"),
            ("krr.json", "a"),
            ("p.csv", ""),
        ]
        .map(|(i, c)| (i.to_owned(), c.to_owned()))
        .into();
        let p = pickers(&kinds, &last);
        let values =
            |i: usize| -> Vec<&str> { p[i].choices.iter().map(|(v, _)| v.as_str()).collect() };
        assert_eq!(values(0), ["a", "b", "a (2)"]);
        assert_eq!(p[0].choices[2].1, "a new cluster (a (2))");
        assert_eq!(values(2), ["a", "b"]);
        assert_eq!(values(3), ["", "a", "b"]);
        assert_eq!(p[3].cluster, "");
        // One cluster of one snapshot: nothing to choose.
        assert!(pickers(&kinds[..1], &last[..1]).is_empty());
        // Two snapshots in one cluster: pickers, to split them.
        let one: Vec<(String, String)> = last[..2]
            .iter()
            .map(|(i, _)| (i.clone(), "a".into()))
            .collect();
        assert_eq!(pickers(&kinds[..2], &one).len(), 2);
    }

    #[test]
    fn names_come_from_file_names() {
        assert_eq!(name_from_input("/tmp/prod-eu.JSON"), "prod-eu");
        assert_eq!(name_from_input("C:\\x\\dev.yml"), "dev");
        assert_eq!(name_from_input("paste"), "cluster");
        assert_eq!(name_from_input(".json"), "cluster");
        assert_eq!(name_from_input("a.b.txt"), "a.b.txt");
    }
}
