//! Prometheus as a recommendation source, sans-IO: this module builds KRR's queries for the
//! snapshot's workloads as request data, parses each response, and turns the results into
//! recommendations with a KRR strategy ([`crate::recommend::strategy`]). The caller (the CLI)
//! only moves bytes: `GET {base}/api/v1/query?query=…` for each [`Query`], then
//! [`Plan::handle`] with the status and body, then [`Plan::finish`].
//!
//! Queries (KRR's, `{sel}` = `namespace="<ns>", pod=~"<p1|p2|…>", container="<c>"`, 50 pods per
//! query, `[14d:75s]` from the history and step settings):
//!
//! ```text
//! cpu percentile: quantile_over_time(0.95, max(rate(container_cpu_usage_seconds_total{sel}[75s])) by (container, pod, job) [14d:75s])
//! cpu samples:    count_over_time(max(container_cpu_usage_seconds_total{sel}) by (container, pod, job) [14d:75s])
//! memory peak:    max_over_time(max(container_memory_working_set_bytes{sel}) by (container, pod, job) [14d:75s])
//! memory samples: count_over_time(max(container_memory_working_set_bytes{sel}) by (container, pod, job) [14d:75s])
//! cpu series (simple_limit only; the pooled percentiles are computed here):
//!                 max(rate(container_cpu_usage_seconds_total{sel}[75s])) by (container, pod, job) [14d:75s]
//! OOM-killed limit (use_oomkill_data only; KRR's MaxOOMKilledMemoryLoader):
//!                 max_over_time(max(max(kube_pod_container_resource_limits{resource="memory", sel}) by (pod, container, job)
//!                   * on(pod, container, job) group_left(reason)
//!                   max(kube_pod_container_status_last_terminated_reason{reason="OOMKilled", sel}) by (pod, container, job, reason)
//!                 ) by (container, pod, job) [14d:75s])
//! ```
//!
//! When a pod has several series (several `job`s), the one with `job="kubelet"` is used, as KRR
//! does. The OOM-killed limit of a container is the largest over its pods.
//!
//! **Failures.** A query that fails ([`Plan::handle`] with an unusable answer, [`Plan::fail`] for
//! a transport failure, or never answered) makes the cells it feeds `?` with the reason
//! (`Prometheus unavailable`, `Prometheus timed out`, `Prometheus query failed`); a failed
//! OOM-kill query only leaves the OOM data out. [`Plan::finish`] still returns a recommendation
//! per target, plus one warning per kind of failure (`prometheus_unavailable`,
//! `prometheus_timeout`, `prometheus_query_failed`) and one for targets without any series
//! (`prometheus_no_data`), so the rest of the report is intact.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::cluster::Cluster;
use crate::diagnostics::Warning;
use crate::format::trim_decimal;
use crate::limits;
use crate::recommend::strategy::{self, ContainerUsage, PodUsage, StrategyName, StrategySettings};
use crate::recommend::{Recommendation, RecommendationSet, Source, Value};

/// Pods per query, as KRR.
pub const PODS_PER_QUERY: usize = 50;

/// The API path of instant queries.
pub const QUERY_PATH: &str = "/api/v1/query";

/// One workload container to query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Namespace.
    pub namespace: String,
    /// Workload kind.
    pub kind: String,
    /// Workload name.
    pub name: String,
    /// Container name.
    pub container: String,
    /// Pod names of the workload in the snapshot.
    pub pods: Vec<String>,
}

/// What a query asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// The CPU percentile per pod.
    CpuPercentile,
    /// CPU samples per pod.
    CpuSamples,
    /// Peak memory per pod.
    MemoryPeak,
    /// Memory samples per pod.
    MemorySamples,
    /// All CPU rate samples per pod (`simple_limit`).
    CpuSeries,
    /// The memory limit of OOM-killed instances per pod (`use_oomkill_data`).
    OomKilledLimit,
}

impl Metric {
    /// True for the queries that feed the CPU recommendation.
    pub fn is_cpu(self) -> bool {
        matches!(
            self,
            Metric::CpuPercentile | Metric::CpuSamples | Metric::CpuSeries
        )
    }
}

/// Why a query got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryFailure {
    /// Prometheus could not be reached (connection refused, DNS, TLS, ...): a sentence for
    /// people, saying what to check.
    Unreachable(String),
    /// Prometheus did not answer in time: a sentence for people, saying what to check.
    Timeout(String),
    /// Prometheus answered with an error or something unusable.
    Response {
        /// The HTTP status.
        status: u16,
        /// What was wrong.
        error: PromError,
    },
}

impl QueryFailure {
    /// The `?` reason of the cells it leaves undefined.
    pub fn reason(&self) -> &'static str {
        match self {
            QueryFailure::Unreachable(_) => "Prometheus unavailable",
            QueryFailure::Timeout(_) => "Prometheus timed out",
            QueryFailure::Response { .. } => "Prometheus query failed",
        }
    }

    /// The warning code: `prometheus_unavailable`, `prometheus_timeout` or
    /// `prometheus_query_failed`.
    pub fn code(&self) -> &'static str {
        match self {
            QueryFailure::Unreachable(_) => "prometheus_unavailable",
            QueryFailure::Timeout(_) => "prometheus_timeout",
            QueryFailure::Response { .. } => "prometheus_query_failed",
        }
    }
}

/// One instant query to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Index into [`Plan::targets`].
    pub target: usize,
    /// What it asks.
    pub metric: Metric,
    /// The PromQL text.
    pub promql: String,
}

impl Query {
    /// The URL to `GET`: `{base}/api/v1/query?query=<percent-encoded PromQL>`.
    pub fn url(&self, base: &str) -> String {
        format!(
            "{}{QUERY_PATH}?query={}",
            base.trim_end_matches('/'),
            percent_encode(&self.promql)
        )
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Why a Prometheus response could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromError {
    /// An HTTP status other than 200 without a Prometheus error body.
    Http {
        /// The status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// `{"status": "error", "errorType": …, "error": …}`.
    Api {
        /// `errorType` (`bad_data`, `timeout`, …).
        error_type: String,
        /// `error`.
        error: String,
    },
    /// Not a Prometheus API response.
    Parse(String),
}

impl std::fmt::Display for PromError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PromError::Http { status, body } => write!(f, "HTTP {status}: {body}"),
            PromError::Api { error_type, error } => write!(f, "Prometheus {error_type}: {error}"),
            PromError::Parse(m) => write!(f, "not a Prometheus API response: {m}"),
        }
    }
}

impl std::error::Error for PromError {}

#[derive(Deserialize)]
struct RawResponse {
    status: String,
    #[serde(default)]
    data: Option<RawData>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct RawData {
    #[serde(rename = "resultType")]
    result_type: String,
    #[serde(default)]
    result: Vec<RawSeries>,
}

#[derive(Deserialize)]
struct RawSeries {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    value: Option<(f64, String)>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

/// One series of a response: its labels and sample values.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The `pod` label.
    pub pod: String,
    /// The `job` label.
    pub job: Option<String>,
    /// The values (one for a vector, all for a matrix); unparsable values are skipped.
    pub values: Vec<f64>,
}

/// Parses a `/api/v1/query` response body (`vector` or `matrix`).
pub fn parse_response(status: u16, body: &[u8]) -> Result<Vec<Series>, PromError> {
    let raw: RawResponse = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) if status == 200 => return Err(PromError::Parse(e.to_string())),
        Err(_) => {
            return Err(PromError::Http {
                status,
                body: String::from_utf8_lossy(body).chars().take(200).collect(),
            });
        }
    };
    if raw.status != "success" {
        return Err(PromError::Api {
            error_type: limits::cap_string(raw.error_type.unwrap_or_else(|| "error".to_owned())),
            error: limits::cap_string(raw.error.unwrap_or_default()),
        });
    }
    let data = raw
        .data
        .ok_or_else(|| PromError::Parse("no data".to_owned()))?;
    if data.result_type != "vector" && data.result_type != "matrix" {
        return Err(PromError::Parse(format!(
            "result type {} (expected vector or matrix)",
            data.result_type
        )));
    }
    Ok(data
        .result
        .into_iter()
        .map(|s| {
            let values = s
                .value
                .into_iter()
                .chain(s.values)
                .filter_map(|(_, v)| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .collect();
            Series {
                // Shortened like the snapshot's names, which the queries were built from.
                pod: limits::cap(s.metric.get("pod").map_or("", String::as_str)).into_owned(),
                job: s.metric.get("job").map(|j| limits::cap(j).into_owned()),
                values,
            }
        })
        .collect())
}

/// Keeps one series per pod, preferring `job="kubelet"` (KRR).
fn per_pod(series: Vec<Series>) -> BTreeMap<String, Vec<f64>> {
    let mut out: BTreeMap<String, (bool, Vec<f64>)> = BTreeMap::new();
    for s in series {
        let kubelet = s.job.as_deref() == Some("kubelet");
        match out.get(&s.pod) {
            Some((true, _)) => {}
            Some((false, _)) if !kubelet => {}
            _ => {
                out.insert(s.pod, (kubelet, s.values));
            }
        }
    }
    out.into_iter().map(|(k, (_, v))| (k, v)).collect()
}

/// numpy's default (linear) percentile of `values`, `p` in 0..=100; `None` when empty.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let rank = (p.clamp(0.0, 100.0) / 100.0) * (v.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let (a, b) = (v.get(lo).copied()?, v.get(hi).copied()?);
    Some(a + (b - a) * (rank - lo as f64))
}

fn label(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn duration(hours: f64) -> String {
    let minutes = (hours * 60.0).round().max(1.0) as u64;
    if minutes.is_multiple_of(24 * 60) {
        format!("{}d", minutes / (24 * 60))
    } else if minutes.is_multiple_of(60) {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

fn step(minutes: f64) -> String {
    format!("{}s", (minutes * 60.0).round().max(1.0) as u64)
}

/// The queries for one batch of pods of `t`.
pub fn queries_for(
    t: &Target,
    pods: &[String],
    strategy: StrategyName,
    s: &StrategySettings,
) -> Vec<(Metric, String)> {
    let pods: Vec<String> = pods.iter().map(|p| regex_escape(p)).collect();
    let sel = format!(
        "namespace=\"{}\", pod=~\"{}\", container=\"{}\"",
        label(&t.namespace),
        label(&pods.join("|")),
        label(&t.container)
    );
    let st = step(s.timeframe_duration);
    let range = format!("[{}:{st}]", duration(s.history_duration));
    let by = "by (container, pod, job)";
    let mut q = vec![
        (
            Metric::CpuSamples,
            format!(
                "count_over_time(max(container_cpu_usage_seconds_total{{{sel}}}) {by} {range})"
            ),
        ),
        (
            Metric::MemoryPeak,
            format!("max_over_time(max(container_memory_working_set_bytes{{{sel}}}) {by} {range})"),
        ),
        (
            Metric::MemorySamples,
            format!(
                "count_over_time(max(container_memory_working_set_bytes{{{sel}}}) {by} {range})"
            ),
        ),
    ];
    match strategy {
        StrategyName::Simple => q.insert(
            0,
            (
                Metric::CpuPercentile,
                format!(
                    "quantile_over_time({}, max(rate(container_cpu_usage_seconds_total{{{sel}}}[{st}])) {by} {range})",
                    trim_decimal(s.cpu_percentile / 100.0, 6)
                ),
            ),
        ),
        StrategyName::SimpleLimit => q.insert(
            0,
            (
                Metric::CpuSeries,
                format!("max(rate(container_cpu_usage_seconds_total{{{sel}}}[{st}])) {by} {range}"),
            ),
        ),
    }
    if s.use_oomkill_data {
        q.push((
            Metric::OomKilledLimit,
            format!(
                "max_over_time(max(max(kube_pod_container_resource_limits{{resource=\"memory\", {sel}}}) \
                 by (pod, container, job) * on(pod, container, job) group_left(reason) \
                 max(kube_pod_container_status_last_terminated_reason{{reason=\"OOMKilled\", {sel}}}) \
                 by (pod, container, job, reason)) {by} {range})"
            ),
        ));
    }
    q
}

/// The whole exchange with Prometheus for one snapshot.
#[derive(Debug, Clone)]
pub struct Plan {
    /// What is queried.
    pub targets: Vec<Target>,
    /// The strategy run over the results.
    pub strategy: StrategyName,
    /// Its settings.
    pub settings: StrategySettings,
    queries: Vec<Query>,
    usage: Vec<BTreeMap<String, PodUsage>>,
    series: Vec<Vec<f64>>,
    oom: Vec<Option<f64>>,
    answered: Vec<bool>,
    failures: Vec<Option<QueryFailure>>,
}

impl Plan {
    /// Plans the queries for every workload container of `cluster` (app containers and native
    /// sidecars; bare pods included) in the settings' namespace scope
    /// ([`StrategySettings::namespaces`]: by default every namespace but `kube-system`, as KRR).
    pub fn new(cluster: &Cluster, strategy: StrategyName, settings: &StrategySettings) -> Plan {
        let mut targets = Vec::new();
        for w in &cluster.workloads {
            if !settings.in_scope(&w.namespace) {
                continue;
            }
            let pods: Vec<String> = w
                .pods
                .iter()
                .filter_map(|&p| cluster.pods.get(p).map(|p| p.name.clone()))
                .collect();
            if pods.is_empty() {
                continue;
            }
            for c in &w.container_names {
                targets.push(Target {
                    namespace: w.namespace.clone(),
                    kind: w.kind.clone(),
                    name: w.name.clone(),
                    container: c.clone(),
                    pods: pods.clone(),
                });
            }
        }
        let mut queries = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            for batch in t.pods.chunks(PODS_PER_QUERY) {
                for (metric, promql) in queries_for(t, batch, strategy, settings) {
                    queries.push(Query {
                        target: i,
                        metric,
                        promql,
                    });
                }
            }
        }
        let n = targets.len();
        let q = queries.len();
        Plan {
            targets,
            strategy,
            settings: settings.clone(),
            queries,
            usage: vec![BTreeMap::new(); n],
            series: vec![Vec::new(); n],
            oom: vec![None; n],
            answered: vec![false; q],
            failures: vec![None; q],
        }
    }

    /// All queries to send (they do not depend on each other; send them in any order).
    pub fn queries(&self) -> &[Query] {
        &self.queries
    }

    /// Indices of the queries neither answered nor failed.
    pub fn pending(&self) -> Vec<usize> {
        (0..self.queries.len())
            .filter(|&i| {
                !self.answered.get(i).copied().unwrap_or(true)
                    && self.failures.get(i).is_some_and(Option::is_none)
            })
            .collect()
    }

    /// The failures recorded so far, by query index.
    pub fn failures(&self) -> impl Iterator<Item = (usize, &QueryFailure)> {
        self.failures
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.as_ref().map(|f| (i, f)))
    }

    /// Records that query `index` got no answer (see [`QueryFailure`]); the cells it feeds
    /// become `?`. Unknown indices are ignored.
    pub fn fail(&mut self, index: usize, failure: QueryFailure) {
        if let Some(slot) = self.failures.get_mut(index)
            && !self.answered.get(index).copied().unwrap_or(true)
        {
            *slot = Some(failure);
        }
    }

    /// Takes the response to query `index`. An unusable response is recorded as a failure of
    /// the query (as [`Plan::fail`]) and returned.
    pub fn handle(&mut self, index: usize, status: u16, body: &[u8]) -> Result<(), PromError> {
        let Some(q) = self.queries.get(index) else {
            return Err(PromError::Parse(format!("no query {index}")));
        };
        let (target, metric) = (q.target, q.metric);
        let series = match parse_response(status, body) {
            Ok(s) => s,
            Err(error) => {
                self.fail(
                    index,
                    QueryFailure::Response {
                        status,
                        error: error.clone(),
                    },
                );
                return Err(error);
            }
        };
        if let Some(a) = self.answered.get_mut(index) {
            *a = true;
        }
        if let Some(f) = self.failures.get_mut(index) {
            *f = None;
        }
        let pods = per_pod(series);
        if metric == Metric::OomKilledLimit {
            if let Some(slot) = self.oom.get_mut(target) {
                *slot = pods
                    .values()
                    .flatten()
                    .copied()
                    .fold(*slot, |a, v| Some(a.map_or(v, |a| a.max(v))));
            }
            return Ok(());
        }
        let usage = &mut self.usage[target];
        for (pod, values) in pods {
            if metric == Metric::CpuSeries {
                self.series[target].extend(values.iter().copied());
            }
            let u = usage.entry(pod).or_default();
            let last = values.last().copied();
            let max = values
                .iter()
                .copied()
                .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))));
            match metric {
                Metric::CpuPercentile => u.cpu_percentile_cores = last,
                Metric::CpuSamples => {
                    u.cpu_samples = last.filter(|v| *v >= 0.0).map_or(0, |v| v as u64);
                }
                Metric::MemoryPeak => u.memory_peak_bytes = max,
                Metric::MemorySamples => {
                    u.memory_samples = last.filter(|v| *v >= 0.0).map_or(0, |v| v as u64);
                }
                Metric::CpuSeries => {
                    // Any series counts as data for `simple_limit`.
                    u.cpu_percentile_cores = max;
                }
                Metric::OomKilledLimit => {}
            }
        }
        Ok(())
    }

    /// The recommendations, one per target, with the strategy's reasons for `?`, and warnings
    /// for failed queries and targets without data (see the module documentation).
    pub fn finish(self, cluster: &Cluster, input_name: &str) -> RecommendationSet {
        // Queries never answered nor failed (the caller stopped after a transport failure):
        // they fail like the first transport failure.
        let transport = self
            .failures
            .iter()
            .flatten()
            .find(|f| !matches!(f, QueryFailure::Response { .. }))
            .cloned();
        let failure_of = |i: usize| -> Option<QueryFailure> {
            match self.failures.get(i) {
                Some(Some(f)) => Some(f.clone()),
                _ if self.answered.get(i).copied().unwrap_or(true) => None,
                _ => Some(transport.clone().unwrap_or_else(|| QueryFailure::Response {
                    status: 0,
                    error: PromError::Parse("no answer".to_owned()),
                })),
            }
        };
        let n = self.targets.len();
        let mut cpu_fail: Vec<Option<&'static str>> = vec![None; n];
        let mut mem_fail: Vec<Option<&'static str>> = vec![None; n];
        // code → (first failure, failed queries, targets concerned)
        let mut by_code: FailuresByCode = BTreeMap::new();
        for (i, q) in self.queries.iter().enumerate() {
            let Some(f) = failure_of(i) else {
                continue;
            };
            let t = q.target;
            let reason = f.reason();
            match q.metric {
                m if m.is_cpu() => {
                    if let Some(c) = cpu_fail.get_mut(t) {
                        c.get_or_insert(reason);
                    }
                }
                Metric::MemoryPeak | Metric::MemorySamples => {
                    if let Some(c) = mem_fail.get_mut(t) {
                        c.get_or_insert(reason);
                    }
                }
                _ => {}
            }
            let e = by_code
                .entry(f.code())
                .or_insert_with(|| (f.clone(), 0, vec![false; n]));
            e.1 += 1;
            if let Some(x) = e.2.get_mut(t) {
                *x = true;
            }
        }
        let mut items = Vec::with_capacity(n);
        let mut no_data: Vec<String> = Vec::new();
        for (i, t) in self.targets.iter().enumerate() {
            let hpa = cluster
                .workload_index
                .get(&(t.namespace.clone(), t.kind.clone(), t.name.clone()))
                .and_then(|&w| cluster.workloads.get(w))
                .and_then(|w| w.hpa)
                .and_then(|h| cluster.hpas.get(h));
            let has = |r: &str| hpa.is_some_and(|h| h.scales_on(r));
            let pooled = self.series.get(i).map_or(&[][..], Vec::as_slice);
            let usage = ContainerUsage {
                pods: self
                    .usage
                    .get(i)
                    .map(|u| u.values().copied().collect())
                    .unwrap_or_default(),
                pooled_cpu_request_cores: percentile(pooled, self.settings.cpu_request),
                pooled_cpu_limit_cores: percentile(pooled, self.settings.cpu_limit),
                oomkilled_limit_bytes: self.oom.get(i).copied().flatten(),
                hpa_cpu: has("cpu"),
                hpa_memory: has("memory"),
            };
            let mut o = strategy::run(self.strategy, &self.settings, &usage);
            let (cf, mf) = (
                cpu_fail.get(i).copied().flatten(),
                mem_fail.get(i).copied().flatten(),
            );
            if let Some(reason) = cf {
                // No data: request and limit both `?` (KRR's `undefined`), in every strategy.
                o.requests.cpu = Value::Unknown;
                o.limits.cpu = Value::Unknown;
                o.info_cpu = Some(reason.to_owned());
            }
            if let Some(reason) = mf {
                o.requests.memory = Value::Unknown;
                o.limits.memory = Value::Unknown;
                o.info_memory = Some(reason.to_owned());
            }
            if cf.is_none()
                && mf.is_none()
                && o.info_cpu.as_deref() == Some("No data")
                && o.info_memory.as_deref() == Some("No data")
            {
                no_data.push(format!(
                    "{} {}/{} container {}",
                    t.kind, t.namespace, t.name, t.container
                ));
            }
            items.push(Recommendation::from_outcome(
                t.namespace.clone(),
                t.kind.clone(),
                t.name.clone(),
                t.container.clone(),
                o,
                hpa.is_some(),
            ));
        }
        let mut warnings = failure_warnings(&by_code, self.queries.len(), n, input_name);
        warnings.extend(no_data_warning(&no_data, n, input_name));
        RecommendationSet {
            source: Source::Prometheus,
            input_name: input_name.to_owned(),
            strategy: self.strategy.as_str().to_owned(),
            settings: self.settings,
            items,
            given_score: None,
            warnings,
        }
    }
}

/// Failures by warning code: the first failure, how many queries failed, and which targets
/// they concern.
type FailuresByCode = BTreeMap<&'static str, (QueryFailure, usize, Vec<bool>)>;

/// One warning per kind of failure (`prometheus_unavailable`, ...), saying what happened, what
/// to check and how many of the `n` containers lack a recommendation.
fn failure_warnings(
    by_code: &FailuresByCode,
    total: usize,
    n: usize,
    input_name: &str,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for (code, (first, queries, targets)) in by_code {
        let k = targets.iter().filter(|x| **x).count();
        let effect = format!(
            "{k} of {n} containers lack a recommendation (`?`); costs and the rest of the \
             report are unaffected"
        );
        let message = match first {
            QueryFailure::Unreachable(m) | QueryFailure::Timeout(m) => {
                let sep = if m.ends_with(['?', '.']) { " " } else { ". " };
                format!("{m}{sep}{queries} of {total} queries failed or were not sent: {effect}")
            }
            QueryFailure::Response { status, error } => {
                let hint = if (400..500).contains(status) {
                    "check that the URL is the Prometheus API root (e.g. \
                     http://localhost:9090, not Grafana) and that it accepts PromQL subqueries"
                } else {
                    "check Prometheus's logs and load, or shorten the history duration"
                };
                format!(
                    "Prometheus at {input_name} failed {queries} of {total} queries (first: \
                     {error}) — {hint}: {effect}"
                )
            }
        };
        warnings.push(Warning::new(code, "", message));
    }
    warnings
}

/// The `prometheus_no_data` warning naming (up to three of) the containers without any series.
fn no_data_warning(no_data: &[String], n: usize, input_name: &str) -> Option<Warning> {
    if no_data.is_empty() {
        return None;
    }
    let shown: Vec<&str> = no_data.iter().take(3).map(String::as_str).collect();
    let more = no_data.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(Warning::new(
        "prometheus_no_data",
        "",
        format!(
            "Prometheus at {input_name} has no series for {} of {n} containers ({}{more}): \
             their recommendations are `?` (No data) — check that cAdvisor metrics \
             (container_cpu_usage_seconds_total, container_memory_working_set_bytes) are \
             scraped with namespace, pod and container labels",
            no_data.len(),
            shown.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_and_errors_are_shortened_like_the_snapshot() {
        let long = "p".repeat(5000);
        let body = format!(
            r#"{{"status": "success", "data": {{"resultType": "vector", "result": [
                {{"metric": {{"pod": "{long}", "job": "kubelet"}}, "value": [1, "0.5"]}}]}}}}"#
        );
        let series = parse_response(200, body.as_bytes()).unwrap();
        assert_eq!(series[0].pod, limits::cap(&long));
        assert_eq!(series[0].job.as_deref(), Some("kubelet"));
        assert_eq!(series[0].values, vec![0.5]);
        let body = format!(r#"{{"status": "error", "errorType": "bad_data", "error": "{long}"}}"#);
        match parse_response(400, body.as_bytes()) {
            Err(PromError::Api { error, .. }) => assert_eq!(error, limits::cap(&long)),
            other => panic!("{other:?}"),
        }
    }
}
