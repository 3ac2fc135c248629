//! The owned, compact cluster model produced by [`crate::ingest::ingest`].
//!
//! It keeps only what the analysis needs: names, namespaces, uids, a few chosen labels, owner
//! references and quantities as exact integers. Annotations, environment variables and every
//! other pod spec string are never stored.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::diagnostics::Warning;
use crate::format::group_thousands;
use crate::nodes::Node;
use crate::pods::Pod;
use crate::workloads::{Hpa, Workload};

/// Amounts of the resources the analysis tracks, as exact integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Resources {
    /// CPU in millicores.
    pub cpu_millis: i64,
    /// Memory in bytes.
    pub memory_bytes: i64,
    /// Ephemeral storage in bytes.
    pub ephemeral_storage_bytes: i64,
    /// GPUs (`nvidia.com/gpu` plus `amd.com/gpu`).
    pub gpus: i64,
}

impl Resources {
    /// Component-wise saturating sum.
    pub fn saturating_add(self, other: Resources) -> Resources {
        Resources {
            cpu_millis: self.cpu_millis.saturating_add(other.cpu_millis),
            memory_bytes: self.memory_bytes.saturating_add(other.memory_bytes),
            ephemeral_storage_bytes: self
                .ephemeral_storage_bytes
                .saturating_add(other.ephemeral_storage_bytes),
            gpus: self.gpus.saturating_add(other.gpus),
        }
    }

    /// Component-wise maximum.
    pub fn max(self, other: Resources) -> Resources {
        Resources {
            cpu_millis: self.cpu_millis.max(other.cpu_millis),
            memory_bytes: self.memory_bytes.max(other.memory_bytes),
            ephemeral_storage_bytes: self
                .ephemeral_storage_bytes
                .max(other.ephemeral_storage_bytes),
            gpus: self.gpus.max(other.gpus),
        }
    }
}

/// Requests or limits as declared on a container: `None` means "not set", which is different
/// from an explicit zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ResourceSpec {
    /// CPU in millicores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_millis: Option<i64>,
    /// Memory in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<i64>,
    /// Ephemeral storage in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage_bytes: Option<i64>,
    /// GPUs (`nvidia.com/gpu` plus `amd.com/gpu`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpus: Option<i64>,
}

impl ResourceSpec {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        self.cpu_millis.is_none()
            && self.memory_bytes.is_none()
            && self.ephemeral_storage_bytes.is_none()
            && self.gpus.is_none()
    }

    /// The set values, with unset ones counted as zero.
    pub fn or_zero(&self) -> Resources {
        Resources {
            cpu_millis: self.cpu_millis.unwrap_or(0),
            memory_bytes: self.memory_bytes.unwrap_or(0),
            ephemeral_storage_bytes: self.ephemeral_storage_bytes.unwrap_or(0),
            gpus: self.gpus.unwrap_or(0),
        }
    }
}

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
mod tests {
    use super::*;

    #[test]
    fn resource_arithmetic_saturates() {
        let a = Resources {
            cpu_millis: i64::MAX,
            memory_bytes: 1,
            ephemeral_storage_bytes: 2,
            gpus: 0,
        };
        let b = Resources {
            cpu_millis: 5,
            memory_bytes: 3,
            ephemeral_storage_bytes: 1,
            gpus: 1,
        };
        let s = a.saturating_add(b);
        assert_eq!(s.cpu_millis, i64::MAX);
        assert_eq!(s.memory_bytes, 4);
        assert_eq!(a.max(b).ephemeral_storage_bytes, 2);
        assert_eq!(a.max(b).gpus, 1);
        let spec = ResourceSpec {
            cpu_millis: Some(5),
            ..ResourceSpec::default()
        };
        assert!(!spec.is_empty());
        assert_eq!(spec.or_zero().cpu_millis, 5);
        assert!(ResourceSpec::default().is_empty());
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
