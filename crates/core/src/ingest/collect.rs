//! Collects the owned model of one input, object by object.

use std::collections::BTreeMap;

use crate::diagnostics::{Warning, object_ref};
use crate::ingest::node::node_from_raw;
use crate::ingest::pod::pod_from_raw;
use crate::ingest::workload::{hpa_from_raw, object_from_raw};
use crate::limits::Shortened;
use crate::nodes::Node;
use crate::pods::Pod;
use crate::workloads::{Hpa, WORKLOAD_KINDS, WorkloadObject};

use super::IngestOptions;
use super::raw::RawObject;

/// The owned objects of one input.
pub(crate) struct Collector<'o> {
    pub options: &'o IngestOptions,
    pub nodes: Vec<Node>,
    pub pods: Vec<Pod>,
    pub objects: Vec<WorkloadObject>,
    pub hpas: Vec<Hpa>,
    pub warnings: Vec<Warning>,
    pub ignored: BTreeMap<String, usize>,
    pub kindless: usize,
    /// Strings shortened while the objects were read ([`crate::limits`]).
    pub shortened: Shortened,
}

impl<'o> Collector<'o> {
    /// An empty collector.
    pub fn new(options: &'o IngestOptions) -> Self {
        Collector {
            options,
            nodes: Vec::new(),
            pods: Vec::new(),
            objects: Vec::new(),
            hpas: Vec::new(),
            warnings: Vec::new(),
            ignored: BTreeMap::new(),
            kindless: 0,
            shortened: Shortened::default(),
        }
    }

    /// Objects recognised as Kubernetes objects (used or ignored).
    pub fn recognised(&self) -> usize {
        self.nodes.len()
            + self.pods.len()
            + self.objects.len()
            + self.hpas.len()
            + self.ignored.values().sum::<usize>()
            + self.kindless
    }

    /// Converts one object of `kind` and keeps it.
    pub fn add(&mut self, obj: &RawObject<'_>, kind: &str) {
        self.count_shortened(obj, kind);
        match kind {
            "Node" => {
                if let Some(n) = node_from_raw(obj, &mut self.warnings) {
                    self.nodes.push(n);
                }
            }
            "Pod" => {
                if let Some(p) = pod_from_raw(obj, self.options, &mut self.warnings) {
                    self.pods.push(p);
                }
            }
            "HorizontalPodAutoscaler" => {
                if let Some(h) = hpa_from_raw(obj, &mut self.warnings) {
                    self.hpas.push(h);
                }
            }
            k if WORKLOAD_KINDS.contains(&k) => {
                if let Some(o) = object_from_raw(obj, k, &mut self.warnings) {
                    self.objects.push(o);
                }
            }
            other => *self.ignored.entry(other.to_owned()).or_default() += 1,
        }
    }

    /// Counts the strings of `obj` that were shortened as it was read.
    fn count_shortened(&mut self, obj: &RawObject<'_>, kind: &str) {
        let shortened = &mut self.shortened;
        obj.shortened_fields(&mut |field| {
            shortened.note(
                || {
                    if kind.is_empty() {
                        obj.name().to_owned()
                    } else {
                        object_ref(kind, obj.namespace(), obj.name())
                    }
                },
                field,
            );
        });
    }

    /// A list item whose kind could not be told.
    pub fn kindless(&mut self, obj: &RawObject<'_>) {
        self.kindless += 1;
        self.count_shortened(obj, "");
        let name = obj.name();
        self.warnings.push(Warning::new(
            "missing_kind",
            if name.is_empty() {
                String::new()
            } else {
                name.to_owned()
            },
            "a list item has no `kind` and does not look like a Node or a Pod; ignored",
        ));
    }
}
