//! Point-in-time usage: `kubectl top pod [-A] --containers` text and the metrics API JSON
//! (`kubectl get --raw /apis/metrics.k8s.io/v1beta1/pods`, a `PodMetricsList`).
//!
//! One sample is not a history: [`super::apply`] turns these into low-confidence
//! recommendations.

use serde::{Deserialize, Serialize};

use super::{ReadError, Source, UsageKind, detect};
use crate::limits;
use crate::quantity::Quantity;

/// One container's usage at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageSample {
    /// Namespace; `None` when `kubectl top` ran without `-A` (matched by pod name alone).
    pub namespace: Option<String>,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// CPU in millicores, rounded up.
    pub cpu_millis: i64,
    /// Memory in bytes, rounded up.
    pub memory_bytes: i64,
}

/// Usage samples from one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageSnapshot {
    /// [`Source::KubectlTop`] or [`Source::MetricsApi`].
    pub source: Source,
    /// The input's name.
    pub input_name: String,
    /// When the sample was taken (the latest metrics API `timestamp`), when known.
    pub timestamp: Option<String>,
    /// One per pod container.
    pub samples: Vec<UsageSample>,
}

fn err(name: &str, line: Option<usize>, message: impl Into<String>) -> ReadError {
    ReadError {
        input: name.to_owned(),
        line,
        message: message.into(),
    }
}

/// Reads `kubectl top` text or metrics API JSON, whichever [`detect`] recognises.
pub fn parse(name: &str, bytes: &[u8]) -> Result<UsageSnapshot, ReadError> {
    match detect(bytes) {
        Some(UsageKind::MetricsApi) => parse_metrics_api(name, bytes),
        Some(UsageKind::KubectlTop) => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| err(name, None, "the input is not UTF-8 text"))?;
            parse_kubectl_top(name, text)
        }
        _ => Err(err(
            name,
            None,
            "not `kubectl top pod --containers` output or a metrics API PodMetricsList",
        )),
    }
}

fn quantity(text: &str, millis: bool) -> Result<i64, String> {
    let q = Quantity::parse(text).map_err(|e| e.to_string())?;
    if q.is_negative() {
        return Err(format!("{text} is negative"));
    }
    Ok(if millis {
        q.millis_ceil()
    } else {
        q.units_ceil()
    })
}

/// Reads `kubectl top pod -A --containers` (`NAMESPACE POD NAME CPU(cores) MEMORY(bytes)`) or
/// `kubectl top pod --containers` (`POD NAME CPU(cores) MEMORY(bytes)`) text.
pub fn parse_kubectl_top(name: &str, text: &str) -> Result<UsageSnapshot, ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(err(name, None, "empty input"));
    };
    let cols: Vec<String> = header
        .split_whitespace()
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let find = |n: &str| cols.iter().position(|c| c == n);
    let namespace_col = find("NAMESPACE");
    let (Some(pod_col), Some(container_col)) = (find("POD"), find("NAME")) else {
        return Err(err(
            name,
            Some(1),
            "a `kubectl top pod` table without POD and NAME columns: run it with --containers \
             (`kubectl top pod -A --containers`)",
        ));
    };
    let (Some(cpu_col), Some(mem_col)) = (find("CPU(CORES)"), find("MEMORY(BYTES)")) else {
        return Err(err(
            name,
            Some(1),
            "expected the columns CPU(cores) and MEMORY(bytes)",
        ));
    };
    let mut samples = Vec::new();
    for (i, line) in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() != cols.len() {
            return Err(err(
                name,
                Some(i + 1),
                format!(
                    "expected {} columns like the header, found {}",
                    cols.len(),
                    fields.len()
                ),
            ));
        }
        let cell = |c: usize| fields.get(c).copied().unwrap_or_default();
        let cpu = quantity(cell(cpu_col), true)
            .map_err(|e| err(name, Some(i + 1), format!("CPU: {e}")))?;
        let memory = quantity(cell(mem_col), false)
            .map_err(|e| err(name, Some(i + 1), format!("memory: {e}")))?;
        samples.push(UsageSample {
            namespace: namespace_col.map(|c| limits::cap(cell(c)).into_owned()),
            pod: limits::cap(cell(pod_col)).into_owned(),
            container: limits::cap(cell(container_col)).into_owned(),
            cpu_millis: cpu,
            memory_bytes: memory,
        });
    }
    Ok(UsageSnapshot {
        source: Source::KubectlTop,
        input_name: name.to_owned(),
        timestamp: None,
        samples,
    })
}

#[derive(Deserialize)]
struct RawMetrics {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    items: Vec<RawPodMetrics>,
    #[serde(default)]
    metadata: Option<RawMeta>,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    containers: Vec<RawContainerMetrics>,
}

#[derive(Deserialize)]
struct RawPodMetrics {
    metadata: RawMeta,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    containers: Vec<RawContainerMetrics>,
}

#[derive(Deserialize, Default)]
struct RawMeta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(Deserialize)]
struct RawContainerMetrics {
    name: String,
    #[serde(default)]
    usage: RawUsage,
}

#[derive(Deserialize, Default)]
struct RawUsage {
    #[serde(default)]
    cpu: Option<String>,
    #[serde(default)]
    memory: Option<String>,
}

/// Reads a metrics API `PodMetricsList` (or one `PodMetrics`): CPU in nanocores (`35811125n`,
/// rounded up to 36m), memory in any quantity (`549124Ki`).
pub fn parse_metrics_api(name: &str, bytes: &[u8]) -> Result<UsageSnapshot, ReadError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let raw: RawMetrics = serde_json::from_slice(bytes).map_err(|e| {
        err(
            name,
            (e.line() > 0).then_some(e.line()),
            format!("not a metrics API PodMetricsList: {e}"),
        )
    })?;
    let pods: Vec<RawPodMetrics> = if raw.kind.as_deref() == Some("PodMetrics") {
        vec![RawPodMetrics {
            metadata: raw.metadata.unwrap_or_default(),
            timestamp: raw.timestamp,
            containers: raw.containers,
        }]
    } else {
        raw.items
    };
    let mut samples = Vec::new();
    let mut latest: Option<String> = None;
    for (i, p) in pods.into_iter().enumerate() {
        if let Some(t) = p.timestamp
            && latest.as_ref().is_none_or(|l| t > *l)
        {
            latest = Some(t);
        }
        for c in p.containers {
            let q = |v: Option<&str>, millis: bool, what: &str| -> Result<i64, ReadError> {
                let v = v.ok_or_else(|| {
                    err(
                        name,
                        None,
                        format!(
                            "items[{i}] container {}: no {what} usage",
                            limits::cap(&c.name)
                        ),
                    )
                })?;
                quantity(v, millis).map_err(|e| {
                    err(
                        name,
                        None,
                        format!("items[{i}] container {} {what}: {e}", limits::cap(&c.name)),
                    )
                })
            };
            samples.push(UsageSample {
                namespace: Some(limits::cap_string(
                    p.metadata
                        .namespace
                        .clone()
                        .unwrap_or_else(|| "default".to_owned()),
                )),
                pod: limits::cap_string(p.metadata.name.clone()),
                container: limits::cap_string(c.name.clone()),
                cpu_millis: q(c.usage.cpu.as_deref(), true, "cpu")?,
                memory_bytes: q(c.usage.memory.as_deref(), false, "memory")?,
            });
        }
    }
    Ok(UsageSnapshot {
        source: Source::MetricsApi,
        input_name: name.to_owned(),
        timestamp: latest.map(limits::cap_string),
        samples,
    })
}
