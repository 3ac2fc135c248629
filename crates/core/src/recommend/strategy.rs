//! KRR's strategies as pure functions over usage aggregates (robusta-dev/krr v1.29
//! `strategies/simple.py` and `simple_limit.py`).
//!
//! The inputs are what KRR's Prometheus loaders return, per pod: the p-th percentile of the CPU
//! rate over the history, the peak memory working set, and the sample counts; for
//! `simple_limit` the pooled percentiles over all pods' samples. The output is a recommendation
//! per cell, or `?` ([`Value::Unknown`]) with KRR's reason.
//!
//! KRR subtleties relied on:
//!
//! * "Not enough data" compares the **sum** of the sample counts over all pods with
//!   `points_required`, not each pod's count. CPU counts its CPU samples and memory its memory
//!   samples.
//! * Checks run in the order "No data", "Not enough data", "HPA detected"; the HPA check is per
//!   resource (an HPA on CPU leaves memory recommendations alone).
//! * Rounding is `ceil(value × 1000) / 1000` cores and `ceil(bytes / 2²⁰) × 2²⁰`, in floating
//!   point as KRR does, and the minimums are applied after rounding.
//! * An undefined recommendation is `?` for the request **and** the limit of that resource, in
//!   every strategy: KRR's `ResourceRecommendation.undefined` is NaN for both, so with `simple`
//!   a CPU without data has a `?` limit (severity UNKNOWN), not an unset one (which would read
//!   as "remove the CPU limit" and count as WARNING against a current limit).
//! * With `use_oomkill_data`, the memory recommendation is the larger of peak × (1 + buffer) and
//!   the OOM-killed container's limit × (1 + OOM buffer), and its info is "OOMKill detected".

use serde::Serialize;

use super::{Pair, Value};

/// Bytes in a MiB.
pub const MIB: i64 = 1_048_576;

/// KRR's strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategyName {
    /// CPU request = max over pods of each pod's p-th percentile; memory = peak × buffer.
    Simple,
    /// CPU request / limit = pooled 66th / 96th percentiles; memory as `simple`.
    SimpleLimit,
}

impl StrategyName {
    /// `simple` or `simple_limit`.
    pub fn as_str(self) -> &'static str {
        match self {
            StrategyName::Simple => "simple",
            StrategyName::SimpleLimit => "simple_limit",
        }
    }

    /// Parses `simple` or `simple_limit` (also `simple-limit`).
    pub fn parse(s: &str) -> Option<StrategyName> {
        match s {
            "simple" => Some(StrategyName::Simple),
            "simple_limit" | "simple-limit" => Some(StrategyName::SimpleLimit),
            _ => None,
        }
    }
}

/// A strategy's settings, with KRR's names and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct StrategySettings {
    /// History looked at, in hours (336 = 14 days).
    pub history_duration: f64,
    /// The step between samples, in minutes (1.25 = 75 s).
    pub timeframe_duration: f64,
    /// `simple`: the CPU percentile per pod (95).
    pub cpu_percentile: f64,
    /// `simple_limit`: the pooled CPU percentile for the request (66).
    pub cpu_request: f64,
    /// `simple_limit`: the pooled CPU percentile for the limit (96).
    pub cpu_limit: f64,
    /// Added to the peak memory, in percent (15).
    pub memory_buffer_percentage: f64,
    /// Samples needed, summed over the pods (100).
    pub points_required: u64,
    /// Recommend even for resources an HPA scales on (false).
    pub allow_hpa: bool,
    /// Take OOM-killed containers' limits into account (false).
    pub use_oomkill_data: bool,
    /// Added to an OOM-killed container's limit, in percent (25).
    pub oom_memory_buffer_percentage: f64,
    /// The smallest CPU recommendation, in millicores (10).
    pub cpu_min_millicores: i64,
    /// The smallest memory recommendation, in bytes (100 MiB = 104,857,600).
    pub memory_min_bytes: i64,
    /// The namespaces whose workloads get recommendations (KRR's `-n/--namespace`, repeatable).
    ///
    /// Empty (the default, KRR's `*`): every namespace **but `kube-system`**, which KRR leaves
    /// out unless it is named. Otherwise exactly the named namespaces, `kube-system` included
    /// when named; names are compared lower-cased, as KRR lower-cases them. Applies to
    /// Prometheus and usage inputs; a KRR result keeps its rows (KRR already chose its scope).
    #[serde(default)]
    pub namespaces: Vec<String>,
}

impl Default for StrategySettings {
    fn default() -> StrategySettings {
        StrategySettings {
            history_duration: 336.0,
            timeframe_duration: 1.25,
            cpu_percentile: 95.0,
            cpu_request: 66.0,
            cpu_limit: 96.0,
            memory_buffer_percentage: 15.0,
            points_required: 100,
            allow_hpa: false,
            use_oomkill_data: false,
            oom_memory_buffer_percentage: 25.0,
            cpu_min_millicores: 10,
            memory_min_bytes: 100 * MIB,
            namespaces: Vec::new(),
        }
    }
}

/// The namespace KRR leaves out unless it is named.
pub const KUBE_SYSTEM: &str = "kube-system";

impl StrategySettings {
    /// True when workloads of `namespace` get recommendations under
    /// [`StrategySettings::namespaces`].
    pub fn in_scope(&self, namespace: &str) -> bool {
        if self.namespaces.is_empty() {
            namespace != KUBE_SYSTEM
        } else {
            self.namespaces
                .iter()
                .any(|n| n.trim().to_lowercase() == namespace)
        }
    }

    /// The named namespaces, trimmed, lower-cased, sorted and without repeats (empty for the
    /// default scope).
    pub fn named_namespaces(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .namespaces
            .iter()
            .map(|n| n.trim().to_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Usage of one container in one pod over the history.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PodUsage {
    /// The p-th percentile (`cpu_percentile`) of the CPU rate, in cores; `None` without data.
    pub cpu_percentile_cores: Option<f64>,
    /// CPU samples.
    pub cpu_samples: u64,
    /// The peak memory working set, in bytes; `None` without data.
    pub memory_peak_bytes: Option<f64>,
    /// Memory samples.
    pub memory_samples: u64,
}

/// Usage of one container of a workload, over its pods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContainerUsage {
    /// Per pod.
    pub pods: Vec<PodUsage>,
    /// `simple_limit`: the `cpu_request`-th percentile of all pods' CPU samples pooled, in cores.
    pub pooled_cpu_request_cores: Option<f64>,
    /// `simple_limit`: the `cpu_limit`-th percentile of all pods' CPU samples pooled, in cores.
    pub pooled_cpu_limit_cores: Option<f64>,
    /// The largest memory limit of an OOM-killed instance of the container, in bytes.
    pub oomkilled_limit_bytes: Option<f64>,
    /// An HPA scales the workload on CPU.
    pub hpa_cpu: bool,
    /// An HPA scales the workload on memory.
    pub hpa_memory: bool,
}

/// A strategy's result for one container.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// Recommended requests.
    pub requests: Pair,
    /// Recommended limits.
    pub limits: Pair,
    /// Why CPU is undefined (`No data`, `Not enough data`, `HPA detected`).
    pub info_cpu: Option<String>,
    /// Why memory is undefined, or `OOMKill detected`.
    pub info_memory: Option<String>,
    /// The highest memory use seen (the peak working set over the pods, or the one sample), in
    /// whole bytes rounded up; `None` without data. The patches' safety checks compare it with
    /// the recommendation.
    pub memory_peak_bytes: Option<i64>,
}

/// KRR's CPU rounding: `ceil(cores × 1000)` millicores, then at least `cpu_min_millicores`.
/// Not finite or negative → `?`.
pub fn round_cpu(cores: f64, settings: &StrategySettings) -> Value {
    if !cores.is_finite() || cores < 0.0 {
        return Value::Unknown;
    }
    let millis = (cores * 1000.0).ceil();
    if millis >= i64::MAX as f64 {
        return Value::Unknown;
    }
    Value::Set((millis as i64).max(settings.cpu_min_millicores))
}

/// KRR's memory rounding: up to a whole MiB, then at least `memory_min_bytes`. Not finite or
/// negative → `?`.
pub fn round_memory(bytes: f64, settings: &StrategySettings) -> Value {
    if !bytes.is_finite() || bytes < 0.0 {
        return Value::Unknown;
    }
    let mib = (bytes / MIB as f64).ceil();
    if mib * MIB as f64 >= i64::MAX as f64 {
        return Value::Unknown;
    }
    Value::Set(((mib as i64) * MIB).max(settings.memory_min_bytes))
}

fn fmax(values: impl Iterator<Item = f64>) -> Option<f64> {
    values
        .filter(|v| !v.is_nan())
        .fold(None, |acc, v| Some(acc.map_or(v, |a: f64| a.max(v))))
}

/// Checks shared by CPU and memory; `Err(reason)` when undefined.
fn check(has_data: bool, samples: u64, hpa: bool, s: &StrategySettings) -> Result<(), String> {
    if !has_data {
        Err("No data".to_owned())
    } else if samples < s.points_required {
        Err("Not enough data".to_owned())
    } else if hpa && !s.allow_hpa {
        Err("HPA detected".to_owned())
    } else {
        Ok(())
    }
}

fn memory(s: &StrategySettings, u: &ContainerUsage, out: &mut Outcome) {
    let peak = fmax(u.pods.iter().filter_map(|p| p.memory_peak_bytes));
    out.memory_peak_bytes = peak
        .filter(|p| p.is_finite() && *p >= 0.0 && *p < i64::MAX as f64)
        .map(|p| p.ceil() as i64);
    let samples = u
        .pods
        .iter()
        .fold(0u64, |a, p| a.saturating_add(p.memory_samples));
    let oom = if s.use_oomkill_data {
        u.oomkilled_limit_bytes.filter(|v| *v > 0.0)
    } else {
        None
    };
    match check(peak.is_some(), samples, u.hpa_memory, s) {
        Err(reason) => {
            out.requests.memory = Value::Unknown;
            out.limits.memory = Value::Unknown;
            out.info_memory = Some(reason);
        }
        Ok(()) => {
            let mut value = peak.unwrap_or(0.0) * (1.0 + s.memory_buffer_percentage / 100.0);
            if let Some(o) = oom {
                value = value.max(o * (1.0 + s.oom_memory_buffer_percentage / 100.0));
                out.info_memory = Some("OOMKill detected".to_owned());
            }
            let v = round_memory(value, s);
            out.requests.memory = v;
            out.limits.memory = v;
        }
    }
}

fn cpu_samples(u: &ContainerUsage) -> u64 {
    u.pods
        .iter()
        .fold(0u64, |a, p| a.saturating_add(p.cpu_samples))
}

/// KRR's `simple` strategy.
pub fn simple(s: &StrategySettings, u: &ContainerUsage) -> Outcome {
    let mut out = Outcome::default();
    let p = fmax(u.pods.iter().filter_map(|p| p.cpu_percentile_cores));
    match check(p.is_some(), cpu_samples(u), u.hpa_cpu, s) {
        Err(reason) => {
            // KRR's `undefined`: request and limit both `?`.
            out.requests.cpu = Value::Unknown;
            out.limits.cpu = Value::Unknown;
            out.info_cpu = Some(reason);
        }
        Ok(()) => {
            out.requests.cpu = round_cpu(p.unwrap_or(0.0), s);
            // `simple` never sets a CPU limit.
            out.limits.cpu = Value::Unset;
        }
    }
    memory(s, u, &mut out);
    out
}

/// KRR's `simple_limit` strategy: CPU request and limit from the pooled percentiles.
pub fn simple_limit(s: &StrategySettings, u: &ContainerUsage) -> Outcome {
    let mut out = Outcome::default();
    let has = u.pooled_cpu_request_cores.is_some() && u.pooled_cpu_limit_cores.is_some();
    match check(has, cpu_samples(u), u.hpa_cpu, s) {
        Err(reason) => {
            out.requests.cpu = Value::Unknown;
            out.limits.cpu = Value::Unknown;
            out.info_cpu = Some(reason);
        }
        Ok(()) => {
            out.requests.cpu = round_cpu(u.pooled_cpu_request_cores.unwrap_or(0.0), s);
            out.limits.cpu = round_cpu(u.pooled_cpu_limit_cores.unwrap_or(0.0), s);
        }
    }
    memory(s, u, &mut out);
    out
}

/// Runs `name` on `usage`.
pub fn run(name: StrategyName, settings: &StrategySettings, usage: &ContainerUsage) -> Outcome {
    match name {
        StrategyName::Simple => simple(settings, usage),
        StrategyName::SimpleLimit => simple_limit(settings, usage),
    }
}

/// KRR's `simple` math on one sample (the largest over the workload's pods): CPU = the sample
/// (already whole millicores), memory = sample × (1 + buffer), rounded and floored like
/// [`round_cpu`] and [`round_memory`]. The sample count and percentile do not apply; the HPA
/// rule does.
pub fn single_sample(
    s: &StrategySettings,
    cpu_millis: Option<i64>,
    memory_bytes: Option<i64>,
    hpa_cpu: bool,
    hpa_memory: bool,
) -> Outcome {
    let mut out = Outcome {
        memory_peak_bytes: memory_bytes.map(|b| b.max(0)),
        ..Outcome::default()
    };
    match (cpu_millis, hpa_cpu && !s.allow_hpa) {
        (None, _) => {
            out.requests.cpu = Value::Unknown;
            out.limits.cpu = Value::Unknown;
            out.info_cpu = Some("No data".to_owned());
        }
        (Some(_), true) => {
            out.requests.cpu = Value::Unknown;
            out.limits.cpu = Value::Unknown;
            out.info_cpu = Some("HPA detected".to_owned());
        }
        (Some(m), false) => out.requests.cpu = Value::Set(m.max(0).max(s.cpu_min_millicores)),
    }
    match (memory_bytes, hpa_memory && !s.allow_hpa) {
        (None, _) | (_, true) => {
            out.requests.memory = Value::Unknown;
            out.limits.memory = Value::Unknown;
            out.info_memory = Some(
                if memory_bytes.is_none() {
                    "No data"
                } else {
                    "HPA detected"
                }
                .to_owned(),
            );
        }
        (Some(b), false) => {
            let v = round_memory(
                b.max(0) as f64 * (1.0 + s.memory_buffer_percentage / 100.0),
                s,
            );
            out.requests.memory = v;
            out.limits.memory = v;
        }
    }
    out
}
