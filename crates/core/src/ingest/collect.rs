//! Collects the owned model of one input, object by object.

use std::collections::BTreeMap;

use crate::diagnostics::{Warning, object_ref};
use crate::ingest::bill::{
    claim_from_raw, load_balancer_from_raw, storage_class_from_raw, volume_from_raw,
};
use crate::ingest::node::node_from_raw;
use crate::ingest::pod::{LabelInterner, pod_from_raw};
use crate::ingest::workload::{hpa_from_raw, object_from_raw};
use crate::limits::Shortened;
use crate::nodes::Node;
use crate::pods::Pod;
use crate::services::LoadBalancerService;
use crate::volumes::{Claim, PersistentVolume, StorageClass};
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
    pub storage_classes: Vec<StorageClass>,
    pub claims: Vec<Claim>,
    pub volumes: Vec<PersistentVolume>,
    pub load_balancers: Vec<LoadBalancerService>,
    /// Services of other types, counted.
    pub other_services: usize,
    pub namespaces: Vec<String>,
    /// The chosen group labels of each namespace ([`IngestOptions::group_labels`]).
    pub namespace_labels: BTreeMap<String, BTreeMap<String, String>>,
    /// How many pods carry each label key (at most [`super::MAX_COUNTED_LABEL_KEYS`] keys).
    pub pod_label_keys: BTreeMap<String, usize>,
    labels_seen: LabelInterner,
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
            storage_classes: Vec::new(),
            claims: Vec::new(),
            volumes: Vec::new(),
            load_balancers: Vec::new(),
            other_services: 0,
            namespaces: Vec::new(),
            namespace_labels: BTreeMap::new(),
            pod_label_keys: BTreeMap::new(),
            labels_seen: LabelInterner::default(),
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
            + self.bill_objects()
            + self.ignored.values().sum::<usize>()
            + self.kindless
    }

    /// StorageClasses, claims, volumes, Services and Namespaces read.
    pub fn bill_objects(&self) -> usize {
        self.storage_classes.len()
            + self.claims.len()
            + self.volumes.len()
            + self.load_balancers.len()
            + self.other_services
            + self.namespaces.len()
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
                if let Some(p) =
                    pod_from_raw(obj, self.options, &mut self.labels_seen, &mut self.warnings)
                {
                    super::count_label_keys(obj.labels(), &mut self.pod_label_keys);
                    self.pods.push(p);
                }
            }
            "HorizontalPodAutoscaler" => {
                if let Some(h) = hpa_from_raw(obj, &mut self.warnings) {
                    self.hpas.push(h);
                }
            }
            "StorageClass" => {
                self.storage_classes
                    .extend(storage_class_from_raw(obj, &mut self.warnings));
            }
            "PersistentVolumeClaim" => self.claims.extend(claim_from_raw(obj, &mut self.warnings)),
            "PersistentVolume" => self
                .volumes
                .extend(volume_from_raw(obj, &mut self.warnings)),
            "Service" => match load_balancer_from_raw(obj, &mut self.warnings) {
                Some(lb) => self.load_balancers.push(lb),
                None => self.other_services += 1,
            },
            "Namespace" => {
                if let Some(name) = obj.name_or_skip("Namespace", None, &mut self.warnings) {
                    let labels = super::chosen_labels(obj.labels(), &self.options.group_labels);
                    if !labels.is_empty() {
                        self.namespace_labels
                            .entry(name.to_owned())
                            .or_insert(labels);
                    }
                    self.namespaces.push(name.to_owned());
                }
            }
            k if WORKLOAD_KINDS.contains(&k) => {
                if let Some(mut o) = object_from_raw(obj, k, &mut self.warnings) {
                    o.labels = super::chosen_labels(obj.labels(), &self.options.group_labels);
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
