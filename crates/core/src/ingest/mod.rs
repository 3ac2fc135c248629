//! Ingest: turns pasted `kubectl get nodes,pods -A -o json` (or YAML, lists, single objects,
//! arrays, several documents, several inputs) into an owned [`Cluster`].
//!
//! Each input is parsed from its bytes in one pass with borrowed serde views
//! ([`raw`]), converted object by object into the compact model, then all inputs are merged
//! (duplicates kept once), pods are linked to nodes and grouped into workloads, and HPAs are
//! attached. Malformed input gives an [`IngestError`]; odd but usable content gives
//! [`Warning`]s.

pub(crate) mod bill;
pub(crate) mod collect;
pub(crate) mod convert;
mod detect;
mod error;
mod json;
pub(crate) mod node;
pub(crate) mod pod;
pub(crate) mod raw;
pub(crate) mod raw_bill;
mod scheduling;
mod stream;
mod walk;
pub(crate) mod workload;
mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rustc_hash::{FxHashMap, FxHashSet};

pub use error::{IngestError, IngestErrorKind};
pub use stream::{CHUNK_BYTES, StreamIngest, ingest_streams};

use crate::cluster::{Cluster, InputFormat, InputSummary};
use crate::diagnostics::{Warning, object_ref};
use collect::Collector;
use detect::Problem;
use error::line_col;

/// One input: a name for messages (a file name, or `paste`) and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// Shown in errors and summaries.
    pub name: &'a str,
    /// The raw bytes (UTF-8 text, optionally with a BOM).
    pub bytes: &'a [u8],
}

impl<'a> Input<'a> {
    /// An input called `name`.
    pub fn new(name: &'a str, bytes: &'a [u8]) -> Input<'a> {
        Input { name, bytes }
    }
}

/// Choices about what to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestOptions {
    /// Pod label keys to keep in [`crate::pods::Pod::labels`] (e.g. `team`); no other label
    /// values are stored.
    pub pod_labels: Vec<String>,
    /// Label keys costs are grouped by ([`crate::allocation`]): their values are kept on pods
    /// ([`crate::pods::Pod::labels`]), workload objects ([`crate::workloads::Workload::labels`])
    /// and namespaces ([`Cluster::namespace_labels`]); no other label values are stored.
    pub group_labels: Vec<String>,
}

/// At most this many distinct pod label keys are counted in [`Cluster::pod_label_keys`].
pub const MAX_COUNTED_LABEL_KEYS: usize = 200;

/// The values of `keys` among `labels` (keys and values capped as read).
pub(crate) fn chosen_labels(
    labels: &raw::RawLabels<'_>,
    keys: &[String],
) -> BTreeMap<String, String> {
    keys.iter()
        .filter_map(|k| labels.get(k).map(|v| (k.clone(), v.to_owned())))
        .collect()
}

/// Counts the label keys of one pod into `counts`, at most [`MAX_COUNTED_LABEL_KEYS`] distinct
/// keys (later new keys are left out).
pub(crate) fn count_label_keys(labels: &raw::RawLabels<'_>, counts: &mut BTreeMap<String, usize>) {
    for (k, _) in &labels.0 {
        let k = k.as_str();
        if let Some(n) = counts.get_mut(k) {
            *n += 1;
        } else if counts.len() < MAX_COUNTED_LABEL_KEYS {
            counts.insert(k.to_owned(), 1);
        }
    }
}

/// Parses and merges `inputs` with default options. See [`ingest_with`].
pub fn ingest(inputs: &[Input<'_>]) -> Result<Cluster, IngestError> {
    ingest_with(inputs, &IngestOptions::default())
}

/// Parses and merges `inputs`.
///
/// Fails on the first input that cannot be read, or when all inputs together hold no node, pod or
/// workload. Objects present in several inputs (same uid, or same kind, namespace and name) are
/// kept once, from the first input that has them.
pub fn ingest_with(inputs: &[Input<'_>], options: &IngestOptions) -> Result<Cluster, IngestError> {
    if inputs.is_empty() {
        return Err(no_input());
    }
    let mut merger = Merger::default();
    for input in inputs {
        let (collector, summary, warnings) = read_input(input, options)?;
        merger.add(collector, summary, warnings);
    }
    merger.finish(&inputs.iter().map(|i| i.name).collect::<Vec<_>>())
}

fn paste_hint() -> String {
    "paste the output of `kubectl get nodes,pods -A -o json`".to_owned()
}

/// Reads one input into a collector.
fn read_input<'o>(
    input: &Input<'_>,
    options: &'o IngestOptions,
) -> Result<(Collector<'o>, InputSummary, Vec<Warning>), IngestError> {
    let name = input.name;
    let text = text_of(input)?;
    let start = detect::find_start(text).map_err(|p| problem_error(name, text, p))?;
    let mut warnings = Vec::new();
    if !start.skipped.is_empty() {
        warnings.push(skipped_warning(name, &start.skipped));
    }
    let mut out = Collector::new(options);
    let (format, documents, unrecognised) = match start.format {
        InputFormat::Json => {
            match json::parse(name, text, start.offset, &mut out, &error::Whole) {
                Ok(parsed) => {
                    if !parsed.skipped.is_empty() {
                        warnings.push(skipped_warning(name, &parsed.skipped));
                    }
                    (InputFormat::Json, parsed.documents, parsed.unrecognised)
                }
                Err(failure) => {
                    // `{kind: Node, ...}` is YAML flow syntax, not broken JSON. JSON that starts
                    // like JSON objects is not read again: the streaming reader could not
                    // (it has let go of the bytes), and both readers must agree.
                    let mut yaml_out = Collector::new(options);
                    match (failure.maybe_yaml && !stream::would_stream(text.as_bytes()))
                        .then(|| yaml::parse(name, text, start.offset, &mut yaml_out).ok())
                        .flatten()
                    {
                        Some(parsed) if yaml_out.recognised() > 0 => {
                            out = yaml_out;
                            (InputFormat::Yaml, parsed.documents, parsed.unrecognised)
                        }
                        _ => return Err(failure.error),
                    }
                }
            }
        }
        InputFormat::Yaml => {
            let parsed = yaml::parse(name, text, start.offset, &mut out)?;
            (InputFormat::Yaml, parsed.documents, parsed.unrecognised)
        }
    };
    let read = Read {
        out,
        format,
        documents,
        unrecognised,
        warnings,
    };
    let done = read.finish(name)?;
    Ok((done.out, done.summary, done.warnings))
}

/// What reading one input found, before its summary.
pub(crate) struct Read<'o> {
    pub out: Collector<'o>,
    pub format: InputFormat,
    pub documents: usize,
    /// Top-level mappings that were not Kubernetes objects: (line and column, their first keys).
    pub unrecognised: Vec<((usize, usize), Vec<String>)>,
    /// The warnings so far (skipped text).
    pub warnings: Vec<Warning>,
}

impl<'o> Read<'o> {
    /// Checks that the input had Kubernetes objects, warns about the documents that were not,
    /// and sums the input up.
    pub(crate) fn finish(self, name: &str) -> Result<ReadInput<'o>, IngestError> {
        let Read {
            out,
            format,
            documents,
            unrecognised,
            mut warnings,
        } = self;
        if let Some((at, keys)) = unrecognised.first() {
            if out.recognised() == 0 {
                return Err(not_kubernetes(name, *at, keys, format));
            }
            for ((line, _), keys) in &unrecognised {
                warnings.push(Warning::new(
                    "unrecognised_document",
                    "",
                    format!(
                        "{name}: the document at line {line} is not a Kubernetes object (keys {}); ignored",
                        key_list(keys)
                    ),
                ));
            }
        }
        warnings.extend(out.shortened.warning(name));
        let summary = InputSummary {
            name: name.to_owned(),
            format,
            documents,
            nodes: out.nodes.len(),
            pods: out.pods.len(),
            other_objects: out.objects.len() + out.hpas.len() + out.bill_objects(),
            ignored_objects: out.ignored.values().sum::<usize>() + out.kindless,
            duplicates: 0,
        };
        Ok(ReadInput {
            out,
            summary,
            warnings,
        })
    }
}

/// One input read (whole or streamed, [`StreamIngest`]), ready to be merged with others by
/// [`ingest_read`].
pub struct ReadInput<'o> {
    out: Collector<'o>,
    summary: InputSummary,
    warnings: Vec<Warning>,
}

/// What grouping snapshots into clusters needs to know of one (`inputs::clusters`, the app's
/// several clusters in one analysis).
#[derive(Debug, Clone, Default)]
pub struct SnapshotFacts<'s> {
    /// The input's name.
    pub name: &'s str,
    /// Its nodes' names.
    pub nodes: std::collections::HashSet<&'s str>,
    /// The node each of its scheduled pods runs on.
    pub pod_nodes: Vec<&'s str>,
}

impl ReadInput<'_> {
    /// What the input held.
    pub fn summary(&self) -> &InputSummary {
        &self.summary
    }

    /// What grouping snapshots into clusters needs to know of it
    /// (`inputs::clusters`): its nodes' names and where its pods run.
    pub fn facts(&self) -> SnapshotFacts<'_> {
        SnapshotFacts {
            name: &self.summary.name,
            nodes: self.out.nodes.iter().map(|n| n.name.as_str()).collect(),
            pod_nodes: self
                .out
                .pods
                .iter()
                .filter_map(|p| p.node.as_deref())
                .collect(),
        }
    }
}

impl std::fmt::Debug for ReadInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadInput")
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

/// Reads one input whole (JSON or YAML), as [`ingest_with`] does, for [`ingest_read`].
pub fn read_whole<'o>(
    input: &Input<'_>,
    options: &'o IngestOptions,
) -> Result<ReadInput<'o>, IngestError> {
    let (out, summary, warnings) = read_input(input, options)?;
    Ok(ReadInput {
        out,
        summary,
        warnings,
    })
}

/// Merges inputs read one by one (whole with [`read_whole`] or streamed with
/// [`StreamIngest`]) into a cluster, exactly as [`ingest_with`] merges its inputs.
pub fn ingest_read(inputs: Vec<ReadInput<'_>>) -> Result<Cluster, IngestError> {
    if inputs.is_empty() {
        return Err(no_input());
    }
    let names: Vec<String> = inputs.iter().map(|i| i.summary.name.clone()).collect();
    let mut merger = Merger::default();
    for input in inputs {
        merger.add(input.out, input.summary, input.warnings);
    }
    merger.finish(&names.iter().map(String::as_str).collect::<Vec<_>>())
}

fn no_input() -> IngestError {
    IngestError::new(
        IngestErrorKind::NoInput,
        "",
        (1, 1),
        "no input was given",
        Some(paste_hint()),
    )
}

/// The error for bytes that are not UTF-8: the first bad byte at `at`.
pub(crate) fn invalid_utf8(name: &str, at: (usize, usize), byte: u8) -> IngestError {
    IngestError::new(
        IngestErrorKind::InvalidUtf8,
        name,
        at,
        format!("the input is not UTF-8 text (invalid byte 0x{byte:02X})"),
        Some("save the kubectl output as UTF-8 text, or paste it as text".to_owned()),
    )
}

/// True when the bytes start with a UTF-16 byte order mark.
pub(crate) fn is_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])
}

fn text_of<'a>(input: &Input<'a>) -> Result<&'a str, IngestError> {
    let bytes = input.bytes;
    if is_utf16(bytes) {
        return Err(IngestError::new(
            IngestErrorKind::InvalidUtf8,
            input.name,
            (1, 1),
            "the input is UTF-16 text, not UTF-8",
            Some(
                "PowerShell's `>` writes UTF-16: use `kubectl get nodes,pods -A -o json | \
                 Out-File -Encoding utf8 cluster.json`, or paste the text instead"
                    .to_owned(),
            ),
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        // The valid prefix is UTF-8, so this cannot fail; fall back to line 1 anyway.
        let (line, column) = std::str::from_utf8(valid)
            .map(|v| line_col(v, v.len()))
            .unwrap_or((1, 1));
        invalid_utf8(
            input.name,
            (line, column),
            bytes.get(e.valid_up_to()).copied().unwrap_or(0),
        )
    })
}

fn skipped_warning(name: &str, skipped: &[String]) -> Warning {
    let shown: Vec<&str> = skipped.iter().take(3).map(String::as_str).collect();
    let more = if skipped.len() > 3 {
        format!(" and {} more", skipped.len() - 3)
    } else {
        String::new()
    };
    Warning::new(
        "skipped_text",
        "",
        format!("{name}: skipped {}{more}", shown.join(", ")),
    )
}

fn key_list(keys: &[String]) -> String {
    if keys.is_empty() {
        return "none".to_owned();
    }
    keys.iter()
        .map(|k| format!("`{}`", error::excerpt(k, 80)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn problem_error(name: &str, text: &str, problem: Problem) -> IngestError {
    match problem {
        Problem::Empty => IngestError::new(
            IngestErrorKind::EmptyInput,
            name,
            (1, 1),
            "the input is empty",
            Some(paste_hint()),
        ),
        Problem::OnlyJunk { offset, lines } => IngestError::new(
            IngestErrorKind::EmptyInput,
            name,
            line_col(text, offset),
            format!(
                "the input has no JSON or YAML, only {}",
                lines.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
            ),
            Some(paste_hint()),
        ),
        Problem::Table { offset, first_word } => IngestError::new(
            IngestErrorKind::TableOutput,
            name,
            line_col(text, offset),
            format!("expected JSON or YAML, found a table starting with `{first_word}`"),
            Some("this looks like `kubectl get` table output: add `-o json`".to_owned()),
        ),
        Problem::KubectlError { offset, line } => IngestError::new(
            IngestErrorKind::KubectlError,
            name,
            line_col(text, offset),
            format!("expected JSON or YAML, found a kubectl error: `{line}`"),
            Some(
                "kubectl failed: fix the command (context, permissions), then paste its output"
                    .to_owned(),
            ),
        ),
        Problem::Unrecognised { offset, line } => IngestError::new(
            IngestErrorKind::NotJsonOrYaml,
            name,
            line_col(text, offset),
            format!("expected JSON or YAML, found `{line}`"),
            Some(paste_hint()),
        ),
    }
}

fn not_kubernetes(
    name: &str,
    at: (usize, usize),
    keys: &[String],
    format: InputFormat,
) -> IngestError {
    let has = |k: &str| keys.iter().any(|x| x == k);
    let what = if format == InputFormat::Json {
        "JSON"
    } else {
        "YAML"
    };
    let (looks_like, hint) =
        if has("scans") && (has("score") || has("strategy") || has("resources")) {
            (
                "a KRR report".to_owned(),
                "KRR scans are read separately: here, paste `kubectl get nodes,pods -A -o json`"
                    .to_owned(),
            )
        } else if has("Name") && (has("Namespace") || has("Labels")) {
            (
                "`kubectl describe` output".to_owned(),
                "use `kubectl get nodes,pods -A -o json` instead of `kubectl describe`".to_owned(),
            )
        } else {
            (
                format!("a {what} object with keys {}", key_list(keys)),
                format!(
                    "Kubernetes objects have `apiVersion`, `kind` and `metadata`; {}",
                    paste_hint()
                ),
            )
        };
    IngestError::new(
        IngestErrorKind::NotKubernetes,
        name,
        at,
        format!("expected Kubernetes objects, found {looks_like}"),
        Some(hint),
    )
}

/// Merges inputs, dropping duplicates.
#[derive(Default)]
struct Merger {
    cluster: Cluster,
    objects: Vec<crate::workloads::WorkloadObject>,
    uids: FxHashSet<Box<str>>,
    /// Objects by identity: `kind NUL len(namespace) NUL namespace name` (the length keeps
    /// namespace and name apart whatever they hold).
    names: FxHashMap<Box<str>, usize>,
    /// The identity being looked up (reused: a lookup allocates nothing).
    key: String,
    input_warnings: Vec<Warning>,
}

impl Merger {
    /// True (and counted) when the object was seen before; remembers it otherwise.
    fn seen(
        &mut self,
        kind: &'static str,
        ns: &str,
        name: &str,
        uid: Option<&str>,
        index: usize,
    ) -> Option<usize> {
        self.key.clear();
        // Writing to a String cannot fail.
        let _ = write!(self.key, "{kind}\0{}\0{ns}{name}", ns.len());
        let by_uid = uid.is_some_and(|u| self.uids.contains(u));
        if let Some(&first) = self.names.get(self.key.as_str()) {
            return Some(first);
        }
        if by_uid {
            return Some(usize::MAX);
        }
        if let Some(u) = uid {
            self.uids.insert(u.into());
        }
        self.names.insert(self.key.as_str().into(), index);
        None
    }

    fn add(&mut self, c: Collector<'_>, mut summary: InputSummary, warnings: Vec<Warning>) {
        self.input_warnings.extend(warnings);
        self.cluster.warnings.extend(c.warnings);
        for (kind, n) in c.ignored {
            *self.cluster.ignored_kinds.entry(kind).or_default() += n;
        }
        let mut dups = 0;
        for node in c.nodes {
            let i = self.cluster.nodes.len();
            match self.seen("Node", "", &node.name, node.uid.as_deref(), i) {
                None => self.cluster.nodes.push(node),
                Some(first) => {
                    dups += 1;
                    if let Some(f) = self.cluster.nodes.get(first)
                        && (f.allocatable != node.allocatable
                            || f.instance_type != node.instance_type)
                    {
                        self.cluster.warnings.push(Warning::new(
                            "duplicate_object",
                            object_ref("Node", None, &node.name),
                            format!(
                                "{} has this node again with different content; the first is kept",
                                summary.name
                            ),
                        ));
                    }
                }
            }
        }
        // The pods are filtered where they are and the first input's list becomes the
        // cluster's: moving them into a second list held both at once (30,000 pods: 18 MB).
        let mut pods = c.pods;
        let base = self.cluster.pods.len();
        let mut kept = 0;
        for j in 0..pods.len() {
            let pod = &pods[j];
            match self.seen(
                "Pod",
                &pod.namespace,
                &pod.name,
                pod.uid.as_deref(),
                base + kept,
            ) {
                None => {
                    pods.swap(kept, j);
                    kept += 1;
                }
                Some(first) => {
                    dups += 1;
                    let f = match first.checked_sub(base) {
                        Some(k) => pods.get(k),
                        None => self.cluster.pods.get(first),
                    };
                    if let Some(f) = f
                        && (f.node != pod.node
                            || f.phase != pod.phase
                            || f.effective_request != pod.effective_request)
                    {
                        self.cluster.warnings.push(Warning::new(
                            "duplicate_object",
                            object_ref("Pod", Some(&pod.namespace), &pod.name),
                            format!(
                                "{} has this pod again with different content; the first is kept",
                                summary.name
                            ),
                        ));
                    }
                }
            }
        }
        pods.truncate(kept);
        if self.cluster.pods.is_empty() {
            self.cluster.pods = pods;
        } else {
            self.cluster.pods.append(&mut pods);
        }
        for o in c.objects {
            let kind: &'static str = crate::workloads::WORKLOAD_KINDS
                .iter()
                .find(|k| **k == o.kind)
                .copied()
                .unwrap_or("Workload");
            let i = self.objects.len();
            match self.seen(kind, &o.namespace, &o.name, o.uid.as_deref(), i) {
                None => self.objects.push(o),
                Some(_) => dups += 1,
            }
        }
        for h in c.hpas {
            let i = self.cluster.hpas.len();
            match self.seen("HorizontalPodAutoscaler", &h.namespace, &h.name, None, i) {
                None => self.cluster.hpas.push(h),
                Some(_) => dups += 1,
            }
        }
        // Each of the bill's kinds, kept once by (kind, namespace, name).
        macro_rules! keep_once {
            ($items:expr, $field:ident, $kind:literal, |$x:ident| $ns:expr, $name:expr) => {
                for $x in $items {
                    let i = self.cluster.$field.len();
                    if self.seen($kind, $ns, $name, None, i).is_none() {
                        self.cluster.$field.push($x);
                    } else {
                        dups += 1;
                    }
                }
            };
        }
        keep_once!(
            c.storage_classes,
            storage_classes,
            "StorageClass",
            |x| "",
            &x.name.clone()
        );
        keep_once!(
            c.claims,
            claims,
            "PersistentVolumeClaim",
            |x| &x.namespace.clone(),
            &x.name.clone()
        );
        keep_once!(
            c.volumes,
            volumes,
            "PersistentVolume",
            |x| "",
            &x.name.clone()
        );
        keep_once!(
            c.load_balancers,
            load_balancers,
            "Service",
            |x| &x.namespace.clone(),
            &x.name.clone()
        );
        keep_once!(c.namespaces, namespaces, "Namespace", |x| "", &x.clone());
        for (ns, labels) in c.namespace_labels {
            self.cluster.namespace_labels.entry(ns).or_insert(labels);
        }
        for (k, n) in c.pod_label_keys {
            let len = self.cluster.pod_label_keys.len();
            match self.cluster.pod_label_keys.get_mut(&k) {
                Some(total) => *total += n,
                None if len < MAX_COUNTED_LABEL_KEYS => {
                    self.cluster.pod_label_keys.insert(k, n);
                }
                None => {}
            }
        }
        self.cluster.other_services += c.other_services;
        summary.duplicates = dups;
        self.cluster.duplicates += dups;
        self.cluster.inputs.push(summary);
    }

    fn finish(mut self, names: &[&str]) -> Result<Cluster, IngestError> {
        let mut cluster = std::mem::take(&mut self.cluster);
        let mut warnings = std::mem::take(&mut self.input_warnings);
        warnings.append(&mut cluster.warnings);
        if cluster.nodes.is_empty()
            && cluster.pods.is_empty()
            && self.objects.is_empty()
            && cluster.hpas.is_empty()
        {
            let found = if cluster.ignored_kinds.is_empty() {
                "nothing".to_owned()
            } else {
                cluster
                    .ignored_kinds
                    .iter()
                    .map(|(k, n)| format!("{n} {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(IngestError::new(
                IngestErrorKind::NoNodesOrPods,
                &names.join(", "),
                (1, 1),
                format!("the input has no nodes, pods or workloads (found {found})"),
                Some(paste_hint()),
            ));
        }

        cluster.node_index = cluster
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        let mut missing: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for pod in &mut cluster.pods {
            if let Some(node) = &pod.node {
                pod.node_index = cluster.node_index.get(node).copied();
                if pod.node_index.is_none() {
                    let e = missing
                        .entry(node.clone())
                        .or_insert_with(|| (0, object_ref("Pod", Some(&pod.namespace), &pod.name)));
                    e.0 += 1;
                }
            }
        }
        if !cluster.nodes.is_empty() {
            for (node, (count, example)) in missing {
                warnings.push(Warning::new(
                    "pod_node_missing",
                    example.clone(),
                    if count == 1 {
                        format!("the pod runs on node {node}, which is not in the input")
                    } else {
                        format!(
                            "{count} pods (e.g. {example}) run on node {node}, which is not in the input"
                        )
                    },
                ));
            }
        }
        if !cluster.pods.is_empty() {
            if cluster.nodes.is_empty() {
                warnings.push(Warning::new(
                    "no_nodes",
                    "",
                    "the paste has pods but no nodes: run `kubectl get nodes,pods -A -o json`",
                ));
            } else {
                let namespaces: BTreeSet<&str> =
                    cluster.pods.iter().map(|p| p.namespace.as_str()).collect();
                if let (1, Some(ns)) = (namespaces.len(), namespaces.first()) {
                    warnings.push(Warning::new(
                        "single_namespace",
                        "",
                        format!("only namespace {ns}: did you forget -A?"),
                    ));
                }
            }
        }
        if !cluster.nodes.is_empty() && cluster.pods.is_empty() {
            warnings.push(Warning::new(
                "no_pods",
                "",
                "the paste has nodes but no pods: run `kubectl get nodes,pods -A -o json`",
            ));
        }

        let grouping = crate::workloads::group(
            &cluster.nodes,
            &mut cluster.pods,
            &self.objects,
            &mut cluster.hpas,
            &mut warnings,
        );
        cluster.workloads = grouping.workloads;
        cluster.workload_index = grouping.index;
        cluster.warnings =
            crate::diagnostics::cap_per_code(warnings, crate::diagnostics::MAX_WARNINGS_PER_CODE);
        Ok(cluster)
    }
}

#[cfg(test)]
mod tests {
    use super::error::excerpt;
    use super::*;

    #[test]
    fn excerpt_is_used_for_long_lines() {
        let long = "a".repeat(200);
        let e = ingest(&[Input::new("paste", long.as_bytes())]).unwrap_err();
        assert_eq!(e.kind, IngestErrorKind::NotJsonOrYaml);
        assert_eq!(
            e.message,
            format!("expected JSON or YAML, found `{}`", excerpt(&long, 80))
        );
    }

    #[test]
    fn long_strings_are_shortened_and_counted_in_one_warning_per_input() {
        let long = "z".repeat(5000);
        let text = format!(
            r#"{{"kind": "List", "items": [
            {{"kind": "Node", "metadata": {{"name": "n1",
                "labels": {{"node.kubernetes.io/instance-type": "{long}"}}}}}},
            {{"kind": "Pod", "metadata": {{"name": "p", "namespace": "ns",
                "ownerReferences": [{{"kind": "{long}", "name": "{long}x"}}]}},
              "spec": {{"nodeName": "n1", "containers": [{{"name": "{long}"}}]}}}}]}}"#
        );
        let c = ingest(&[Input::new("paste", text.as_bytes())]).expect("a cluster");
        let capped = crate::limits::cap(&long);
        assert_eq!(c.nodes[0].instance_type.as_deref(), Some(&*capped));
        let pod = &c.pods[0];
        assert_eq!(pod.node_index, Some(0));
        assert_eq!(pod.containers[0].name, capped);
        let owner = pod.owner.as_ref().expect("an owner");
        assert_eq!(owner.kind, capped);
        assert_eq!(owner.name, crate::limits::cap(&format!("{long}x")));
        assert_ne!(owner.name, capped);
        let w: Vec<&Warning> = c
            .warnings
            .iter()
            .filter(|w| w.code == "string_shortened")
            .collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].object, "Node/n1");
        assert_eq!(
            w[0].message,
            "paste: 4 strings longer than 1,024 characters shortened to their first 1,007 \
             characters, `…` and a hash of the whole string (the first: `metadata.labels`)"
        );
        // Other warnings quote the shortened strings, never the long ones.
        assert!(
            c.warnings.iter().all(|w| w.message.len() < 4000),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn long_keys_are_quoted_short_in_errors() {
        let key = "k".repeat(10_000);
        let text = format!(r#"{{"{key}": 1, "other": 2}}"#);
        let e = ingest(&[Input::new("paste", text.as_bytes())]).unwrap_err();
        assert_eq!(e.kind, IngestErrorKind::NotKubernetes);
        assert!(
            e.message
                .contains(&format!("`{}…`, `other`", "k".repeat(80))),
            "{}",
            e.message
        );
        assert!(e.message.len() < 300, "{}", e.message.len());
    }

    #[test]
    fn no_inputs() {
        assert_eq!(ingest(&[]).unwrap_err().kind, IngestErrorKind::NoInput);
    }
}
