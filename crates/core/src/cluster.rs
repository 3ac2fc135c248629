//! The owned, compact cluster model produced by [`crate::ingest::ingest`].
//!
//! It keeps only what the analysis needs: names, namespaces, uids, labels (pods' label sets
//! for Service selectors, and a few node labels), owner references and quantities as exact
//! integers. Environment variables, every other pod spec string and annotations are never
//! stored; of annotations, only the few keys that say what a load balancer or a storage class
//! is are read ([`crate::ingest`]'s `KEPT_ANNOTATIONS`).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::diagnostics::Warning;
use crate::format::group_thousands;
use crate::nodes::Node;
use crate::pods::Pod;
use crate::services::LoadBalancerService;
use crate::volumes::{Claim, PersistentVolume, StorageClass};
use crate::workloads::{Hpa, Workload};

/// The syntax an input was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// JSON (`-o json`), possibly several documents one after another.
    Json,
    /// YAML (`-o yaml`), possibly several `---` documents.
    Yaml,
}

/// What one input contributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct InputSummary {
    /// The input's name (a file name or `paste`).
    pub name: String,
    /// The syntax it was parsed as.
    pub format: InputFormat,
    /// Top-level documents parsed (concatenated JSON documents or `---` YAML documents).
    pub documents: usize,
    /// Nodes read (before removing duplicates of other inputs).
    pub nodes: usize,
    /// Pods read (before removing duplicates of other inputs).
    pub pods: usize,
    /// Other objects used (workload controllers, HPAs).
    pub other_objects: usize,
    /// Objects of kinds the analysis does not use.
    pub ignored_objects: usize,
    /// Objects dropped because an earlier input (or this one) already had them.
    pub duplicates: usize,
}

impl InputSummary {
    /// What the input held, for people: `cluster snapshot (JSON): 1,204 nodes, 31,877 pods, 12
    /// other objects, 3 duplicates`.
    pub fn describe(&self) -> String {
        let format = match self.format {
            InputFormat::Json => "JSON",
            InputFormat::Yaml => "YAML",
        };
        let mut parts = vec![
            format!("{} nodes", group_thousands(self.nodes)),
            format!("{} pods", group_thousands(self.pods)),
        ];
        if self.other_objects > 0 {
            parts.push(format!(
                "{} workload objects",
                group_thousands(self.other_objects)
            ));
        }
        if self.ignored_objects > 0 {
            parts.push(format!("{} ignored", group_thousands(self.ignored_objects)));
        }
        if self.duplicates > 0 {
            parts.push(format!("{} duplicates", group_thousands(self.duplicates)));
        }
        format!("cluster snapshot ({format}): {}", parts.join(", "))
    }
}

/// The kinds read for the rest of the bill (storage, load balancers, namespaces), besides nodes,
/// pods and workloads.
pub const BILL_KINDS: &[&str] = &[
    "StorageClass",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "Service",
    "Namespace",
];

impl Cluster {
    /// True when the snapshot has any of the [`BILL_KINDS`] (`kubectl get
    /// nodes,pods,pvc,pv,storageclass,svc,ns`): a cluster always has namespaces, so their
    /// absence means the snapshot was taken with `nodes,pods` only.
    pub fn has_bill_kinds(&self) -> bool {
        !self.namespaces.is_empty()
            || !self.storage_classes.is_empty()
            || !self.claims.is_empty()
            || !self.volumes.is_empty()
            || !self.load_balancers.is_empty()
            || self.other_services > 0
    }
}

/// A parsed cluster snapshot: nodes, pods, workloads, HPAs and what was odd about them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Cluster {
    /// Nodes, in input order.
    pub nodes: Vec<Node>,
    /// Pods, in input order; each points at its node and workload by index.
    pub pods: Vec<Pod>,
    /// Workloads sorted by namespace, kind and name.
    pub workloads: Vec<Workload>,
    /// HorizontalPodAutoscalers, in input order.
    pub hpas: Vec<Hpa>,
    /// Warnings about odd but usable content.
    pub warnings: Vec<Warning>,
    /// Objects of kinds the analysis ignores, counted per kind.
    pub ignored_kinds: BTreeMap<String, usize>,
    /// What each input contributed.
    pub inputs: Vec<InputSummary>,
    /// Objects seen more than once (same uid, or same kind, namespace and name) and kept once.
    pub duplicates: usize,
    /// StorageClasses, in input order.
    pub storage_classes: Vec<StorageClass>,
    /// PersistentVolumeClaims, in input order.
    pub claims: Vec<Claim>,
    /// PersistentVolumes, in input order.
    pub volumes: Vec<PersistentVolume>,
    /// Services of type LoadBalancer, in input order.
    pub load_balancers: Vec<LoadBalancerService>,
    /// Services of other types (ClusterIP, NodePort, ExternalName), counted.
    pub other_services: usize,
    /// Namespace names (from `Namespace` objects), in input order.
    pub namespaces: Vec<String>,
    /// Namespace name → its labels of the keys costs are grouped by
    /// ([`crate::ingest::IngestOptions::group_labels`]); namespaces without any are left out.
    pub namespace_labels: BTreeMap<String, BTreeMap<String, String>>,
    /// Label key → how many pods carry it, for choosing keys to group by: at most
    /// [`crate::ingest::MAX_COUNTED_LABEL_KEYS`] distinct keys (later new keys are not
    /// counted); a pod given in two inputs counts twice. Values are not kept.
    pub pod_label_keys: BTreeMap<String, usize>,
    /// Node name → index into [`Cluster::nodes`].
    pub node_index: BTreeMap<String, usize>,
    /// (namespace, kind, name) → index into [`Cluster::workloads`].
    #[serde(skip)]
    pub(crate) workload_index: HashMap<(String, String, String), usize>,
}

impl Cluster {
    /// The node called `name`.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.node_index.get(name).and_then(|&i| self.nodes.get(i))
    }

    /// The workload `kind/name` in `namespace` (`kind` as stored, e.g. `Deployment`).
    pub fn workload(&self, namespace: &str, kind: &str, name: &str) -> Option<&Workload> {
        self.workload_index
            .get(&(namespace.to_owned(), kind.to_owned(), name.to_owned()))
            .and_then(|&i| self.workloads.get(i))
    }

    /// The pod `name` in `namespace`.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<&Pod> {
        self.pods
            .iter()
            .find(|p| p.namespace == namespace && p.name == name)
    }

    /// Warnings with the given code.
    pub fn warnings_with_code<'a>(
        &'a self,
        code: &'a str,
    ) -> impl Iterator<Item = &'a Warning> + 'a {
        self.warnings.iter().filter(move |w| w.code == code)
    }
}

#[cfg(test)]
mod describe_tests {
    use super::*;

    #[test]
    fn input_summaries_read_well() {
        let s = InputSummary {
            name: "paste".into(),
            format: InputFormat::Json,
            documents: 1,
            nodes: 1204,
            pods: 31877,
            other_objects: 0,
            ignored_objects: 2,
            duplicates: 0,
        };
        assert_eq!(
            s.describe(),
            "cluster snapshot (JSON): 1,204 nodes, 31,877 pods, 2 ignored"
        );
    }
}
