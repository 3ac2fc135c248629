//! Right-sizing recommendations from usage, priced.
//!
//! Recommendations come from one of:
//!
//! * a KRR result (`krr simple -f json`, [`krr::parse`]), taken as given;
//! * a point-in-time usage snapshot (`kubectl top pod -A --containers` text or the metrics API
//!   `PodMetricsList` JSON, [`usage::parse`]), turned into low-confidence recommendations with
//!   KRR's `simple` math on the single sample;
//! * per-container usage aggregates (e.g. from Prometheus) run through a KRR strategy
//!   ([`strategy`]).
//!
//! [`apply`] matches them to the snapshot's workloads and containers (unmatched ones are listed,
//! never dropped), computes KRR's severities and score ([`severity`]) and prices the
//! recommendations on the same node rates as the current requests.
//!
//! The module is pure: bytes in, plain data out.

pub mod apply;
pub mod krr;
pub mod severity;
pub mod strategy;
pub mod usage;

use serde::Serialize;

pub use apply::{Resolved, resolve};
pub use severity::Severity;
pub use strategy::{KUBE_SYSTEM, StrategyName, StrategySettings};

/// A current or recommended value: millicores for CPU, bytes for memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Value {
    /// Not set (`null` in KRR's output): no request or limit.
    #[default]
    Unset,
    /// Undefined (`"?"` in KRR's output): no recommendation could be made.
    Unknown,
    /// A value in millicores (CPU) or bytes (memory).
    Set(i64),
}

impl Value {
    /// The number, when set.
    pub fn get(self) -> Option<i64> {
        match self {
            Value::Set(v) => Some(v),
            _ => None,
        }
    }

    /// `Set(v)` for `Some(v)`, `Unset` for `None`.
    pub fn from_option(v: Option<i64>) -> Value {
        v.map_or(Value::Unset, Value::Set)
    }
}

/// CPU (millicores) and memory (bytes) values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pair {
    /// CPU in millicores.
    pub cpu: Value,
    /// Memory in bytes.
    pub memory: Value,
}

/// Severities as given by the recommender (KRR), per cell and for the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GivenSeverities {
    /// CPU request.
    pub requests_cpu: Option<Severity>,
    /// Memory request.
    pub requests_memory: Option<Severity>,
    /// CPU limit.
    pub limits_cpu: Option<Severity>,
    /// Memory limit.
    pub limits_memory: Option<Severity>,
    /// The row.
    pub row: Option<Severity>,
}

/// Where recommendations come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A KRR result file.
    Krr,
    /// Prometheus history run through a KRR strategy.
    Prometheus,
    /// `kubectl top pod --containers` text (one sample).
    KubectlTop,
    /// The metrics API `PodMetricsList` JSON (one sample).
    MetricsApi,
}

impl Source {
    /// `krr`, `prometheus`, `kubectl-top` or `metrics-api`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Krr => "krr",
            Source::Prometheus => "prometheus",
            Source::KubectlTop => "kubectl-top",
            Source::MetricsApi => "metrics-api",
        }
    }

    /// How it is named in messages: `KRR`, `kubectl top`, ...
    pub fn describe(self) -> &'static str {
        match self {
            Source::Krr => "KRR",
            Source::Prometheus => "Prometheus",
            Source::KubectlTop => "kubectl top",
            Source::MetricsApi => "the metrics API",
        }
    }
}

/// One recommendation for one container of one workload.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recommendation {
    /// Namespace.
    pub namespace: String,
    /// Workload kind, as [`crate::workloads::Workload::kind`] (`Deployment`, ...).
    pub kind: String,
    /// Workload name.
    pub name: String,
    /// Container name.
    pub container: String,
    /// What the recommender saw as current requests (KRR's `allocations`); `None` to use the
    /// snapshot's.
    pub current_requests: Option<Pair>,
    /// What the recommender saw as current limits; `None` to use the snapshot's.
    pub current_limits: Option<Pair>,
    /// Recommended requests.
    pub requests: Pair,
    /// Recommended limits.
    pub limits: Pair,
    /// Severities as given by the recommender, if any.
    pub given: GivenSeverities,
    /// Why the CPU recommendation is what it is (`Not enough data`, `HPA detected`, ...).
    pub info_cpu: Option<String>,
    /// Why the memory recommendation is what it is.
    pub info_memory: Option<String>,
    /// True when the recommender reported an HPA on the workload.
    pub hpa: bool,
    /// True for recommendations from a single sample.
    pub low_confidence: bool,
    /// A note for people about the whole recommendation (e.g. why it is low-confidence).
    pub note: Option<String>,
    /// The highest memory use the recommender saw, in bytes (Prometheus' peak working set, a
    /// usage sample); `None` when unknown (KRR's JSON does not carry it).
    pub memory_peak_bytes: Option<i64>,
}

impl Recommendation {
    /// A strategy's result for one container of a workload, with nothing else known yet: the
    /// snapshot's current values apply, no severities were given.
    pub fn from_outcome(
        namespace: String,
        kind: String,
        name: String,
        container: String,
        outcome: strategy::Outcome,
        hpa: bool,
    ) -> Recommendation {
        Recommendation {
            namespace,
            kind,
            name,
            container,
            requests: outcome.requests,
            limits: outcome.limits,
            info_cpu: outcome.info_cpu,
            info_memory: outcome.info_memory,
            memory_peak_bytes: outcome.memory_peak_bytes,
            hpa,
            ..Recommendation::default()
        }
    }
}

/// A set of recommendations from one source, ready to be applied.
#[derive(Debug, Clone, PartialEq)]
pub struct RecommendationSet {
    /// Where they come from.
    pub source: Source,
    /// The input's name (file name or `paste`).
    pub input_name: String,
    /// The strategy's name (`simple`, `simple_limit`, or whatever KRR reported).
    pub strategy: String,
    /// The strategy's settings.
    pub settings: StrategySettings,
    /// One per (workload, container).
    pub items: Vec<Recommendation>,
    /// The score the recommender reported (KRR's `score`).
    pub given_score: Option<i64>,
    /// Warnings about the source itself (e.g. `prometheus_unavailable`), added to the report's.
    pub warnings: Vec<crate::diagnostics::Warning>,
}

/// What [`crate::analysis::Settings::recommendations`] carries.
#[derive(Debug, Clone, PartialEq)]
pub enum RecommendationInput {
    /// Recommendations already made (a KRR import, a strategy run over Prometheus data).
    Ready(RecommendationSet),
    /// One usage sample per pod container, turned into low-confidence recommendations over the
    /// snapshot with KRR's `simple` math and these settings (minimums, memory buffer, HPA rule).
    Snapshot(usage::UsageSnapshot, StrategySettings),
}

/// What a usage or recommendation input is, as recognised by [`detect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UsageKind {
    /// KRR's JSON result (`krr simple -f json`).
    Krr,
    /// The metrics API JSON (`kubectl get --raw /apis/metrics.k8s.io/v1beta1/pods`).
    MetricsApi,
    /// `kubectl top pod --containers` text.
    KubectlTop,
}

/// Recognises a recommendation or usage input: KRR JSON (an object with `scans`), metrics API
/// JSON (`PodMetricsList`/`PodMetrics`) or `kubectl top pod --containers` text (a header with
/// `CPU(cores)` and `MEMORY(bytes)`). `None` for anything else (e.g. a cluster snapshot).
pub fn detect(bytes: &[u8]) -> Option<UsageKind> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        scans: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        kind: Option<String>,
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).ok()?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let probe: Probe = serde_json::from_str(trimmed).ok()?;
        if probe.scans.is_some() {
            return Some(UsageKind::Krr);
        }
        return match probe.kind.as_deref() {
            Some("PodMetricsList" | "PodMetrics") => Some(UsageKind::MetricsApi),
            _ => None,
        };
    }
    let header = trimmed.lines().next()?.to_ascii_uppercase();
    (header.contains("CPU(CORES)") && header.contains("MEMORY(BYTES)"))
        .then_some(UsageKind::KubectlTop)
}

/// Reads any recommendation or usage input recognised by [`detect`] into what
/// [`crate::analysis::Settings::recommendations`] carries; `settings` are used for snapshots
/// (KRR files carry their own).
pub fn read_input(
    name: &str,
    bytes: &[u8],
    settings: &StrategySettings,
) -> Result<RecommendationInput, ReadError> {
    match detect(bytes) {
        Some(UsageKind::Krr) => Ok(RecommendationInput::Ready(krr::parse(name, bytes)?)),
        Some(UsageKind::MetricsApi | UsageKind::KubectlTop) => Ok(RecommendationInput::Snapshot(
            usage::parse(name, bytes)?,
            settings.clone(),
        )),
        None => Err(ReadError {
            input: name.to_owned(),
            line: None,
            message: "not a KRR JSON result, a metrics API PodMetricsList or `kubectl top pod \
                      --containers` output"
                .to_owned(),
        }),
    }
}

/// A recommendation or usage input that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadError {
    /// The input's name.
    pub input: String,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.input, self.message),
            None => write!(f, "{}: {}", self.input, self.message),
        }
    }
}

impl std::error::Error for ReadError {}

/// A recommendation that matched nothing in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Unmatched {
    /// Namespace.
    pub namespace: String,
    /// Workload kind (or `Pod` for usage samples).
    pub kind: String,
    /// Workload (or pod) name.
    pub name: String,
    /// Container name.
    pub container: String,
    /// Why it matched nothing (`no Deployment payments/api in the snapshot`, ...).
    pub reason: String,
}

/// How the namespaces of the recommendations were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NamespaceSelection {
    /// Every namespace but `kube-system` (the default: KRR's `*`).
    #[default]
    AllButKubeSystem,
    /// Exactly the namespaces named in [`StrategySettings::namespaces`].
    Named,
    /// As the KRR result chose: its rows are kept whatever their namespace.
    Krr,
}

impl NamespaceSelection {
    /// `all-but-kube-system`, `named` or `krr`.
    pub fn as_str(self) -> &'static str {
        match self {
            NamespaceSelection::AllButKubeSystem => "all-but-kube-system",
            NamespaceSelection::Named => "named",
            NamespaceSelection::Krr => "krr",
        }
    }
}

/// Which namespaces the recommendations cover (the report's `recommendations.namespaces`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
pub struct NamespaceScope {
    /// How they were chosen.
    pub selection: NamespaceSelection,
    /// The namespaces scanned, sorted: the snapshot's namespaces with workloads but
    /// `kube-system` (`all-but-kube-system`), the named ones, present in the snapshot or not
    /// (`named`), or those of the KRR result's rows (`krr`).
    pub scanned: Vec<String>,
    /// The snapshot's namespaces with workloads that were not scanned, sorted.
    pub skipped: Vec<String>,
}

/// The report's `recommendations` section.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RecommendationsInfo {
    /// `krr`, `prometheus`, `kubectl-top` or `metrics-api`.
    pub source: Source,
    /// The input's name.
    pub input: String,
    /// The strategy (`simple`, `simple_limit`, ...).
    pub strategy: String,
    /// The strategy's settings.
    pub settings: StrategySettings,
    /// KRR's score over all rows (matched and unmatched), computed here from the severities used.
    pub score: i64,
    /// KRR's grade of [`RecommendationsInfo::score`]: A, B, C, D or F.
    pub grade: String,
    /// The score the recommender reported, when it did (KRR's `score`).
    pub given_score: Option<i64>,
    /// Containers with a recommendation matched to the snapshot.
    pub matched: usize,
    /// Rows (matched and unmatched) whose severity is UNKNOWN: every cell `?`, e.g. no data.
    /// They count as 0 in the score, as in KRR's, so a score over mostly unknown rows says
    /// little.
    #[serde(default)]
    pub unknown: usize,
    /// Which namespaces were scanned.
    #[serde(default)]
    pub namespaces: NamespaceScope,
    /// True when the recommendations come from a single sample.
    pub low_confidence: bool,
    /// Recommendations that matched nothing in the snapshot.
    pub unmatched: Vec<Unmatched>,
}
