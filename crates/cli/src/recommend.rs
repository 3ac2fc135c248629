//! `--krr`, `--usage`, `--prometheus` and the KRR strategy flags of `analyze`.

use kube_rightsize_core::cluster::Cluster;
use kube_rightsize_core::recommend::{
    self, RecommendationInput, StrategyName, StrategySettings, UsageKind,
};

use crate::Failure;
use crate::args::UsageError;

/// The recommendation options.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecommendArgs {
    /// `--krr FILE`.
    pub krr: Option<String>,
    /// `--usage FILE`.
    pub usage: Option<String>,
    /// `--prometheus URL`.
    pub prometheus: Option<String>,
    /// `--prometheus-header 'Name: value'`.
    pub prometheus_headers: Vec<String>,
    /// `--prometheus-timeout SECONDS` (default [`DEFAULT_PROMETHEUS_TIMEOUT`]).
    pub prometheus_timeout: Option<u64>,
    /// `--strategy`.
    pub strategy: Option<StrategyName>,
    /// Strategy settings (KRR defaults, overridden by flags).
    pub settings: StrategySettings,
    /// True when any strategy flag was given.
    pub strategy_flags: bool,
}

/// Seconds a Prometheus query may take when `--prometheus-timeout` is not given.
pub const DEFAULT_PROMETHEUS_TIMEOUT: u64 = 60;

/// True for the options of this module that take a value.
pub fn takes_value(name: &str) -> bool {
    matches!(
        name,
        "--krr"
            | "--usage"
            | "--prometheus"
            | "--prometheus-header"
            | "--prometheus-timeout"
            | "--strategy"
            | "--cpu-percentile"
            | "--memory-buffer-percentage"
            | "--history-duration"
            | "--timeframe-duration"
            | "--points-required"
            | "--cpu-min"
            | "--mem-min"
    )
}

/// True for the options of this module that take no value.
pub fn is_switch(name: &str) -> bool {
    matches!(name, "--allow-hpa" | "--use-oomkill-data")
}

fn bad(message: String, usage: &'static str) -> UsageError {
    UsageError { message, usage }
}

fn number(name: &str, v: &str, usage: &'static str, max: f64) -> Result<f64, UsageError> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0 && *x <= max)
        .ok_or_else(|| {
            bad(
                format!("{name} `{v}` is not a number between 0 and {max}"),
                usage,
            )
        })
}

impl RecommendArgs {
    /// Sets a switch.
    pub fn set_switch(&mut self, name: &str) {
        match name {
            "--allow-hpa" => self.settings.allow_hpa = true,
            "--use-oomkill-data" => self.settings.use_oomkill_data = true,
            _ => return,
        }
        self.strategy_flags = true;
    }

    /// Sets an option with a value.
    pub fn set(&mut self, name: &str, v: String, usage: &'static str) -> Result<(), UsageError> {
        let once = |slot: &Option<String>| {
            if slot.is_some() {
                Err(bad(format!("{name} can be given only once"), usage))
            } else {
                Ok(())
            }
        };
        match name {
            "--krr" => {
                once(&self.krr)?;
                self.krr = Some(v);
                return Ok(());
            }
            "--usage" => {
                once(&self.usage)?;
                self.usage = Some(v);
                return Ok(());
            }
            "--prometheus" => {
                once(&self.prometheus)?;
                self.prometheus = Some(v);
                return Ok(());
            }
            "--prometheus-header" => {
                if !v.contains(':') {
                    return Err(bad(
                        format!("--prometheus-header `{v}` is not `Name: value`"),
                        usage,
                    ));
                }
                self.prometheus_headers.push(v);
                return Ok(());
            }
            "--prometheus-timeout" => {
                if self.prometheus_timeout.is_some() {
                    return Err(bad(format!("{name} can be given only once"), usage));
                }
                self.prometheus_timeout = Some(
                    v.trim()
                        .parse::<u64>()
                        .ok()
                        .filter(|t| (1..=24 * 3600).contains(t))
                        .ok_or_else(|| {
                            bad(
                                format!(
                                    "{name} `{v}` is not a whole number of seconds (1 to 86400)"
                                ),
                                usage,
                            )
                        })?,
                );
                return Ok(());
            }
            "--strategy" => {
                self.strategy = Some(StrategyName::parse(v.trim()).ok_or_else(|| {
                    bad(
                        format!("unknown strategy `{v}`: use simple or simple_limit"),
                        usage,
                    )
                })?);
            }
            "--cpu-percentile" => self.settings.cpu_percentile = number(name, &v, usage, 100.0)?,
            "--memory-buffer-percentage" => {
                self.settings.memory_buffer_percentage = number(name, &v, usage, 10_000.0)?
            }
            "--history-duration" => {
                self.settings.history_duration = number(name, &v, usage, 24.0 * 366.0)?
            }
            "--timeframe-duration" => {
                let t = number(name, &v, usage, 24.0 * 60.0)?;
                if t <= 0.0 {
                    return Err(bad(format!("{name} must be above 0"), usage));
                }
                self.settings.timeframe_duration = t;
            }
            "--points-required" => {
                self.settings.points_required = v
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| bad(format!("{name} `{v}` is not a whole number"), usage))?;
            }
            "--cpu-min" => {
                self.settings.cpu_min_millicores = v
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|x| *x >= 0)
                    .ok_or_else(|| {
                        bad(
                            format!("{name} `{v}` is not a whole number of millicores"),
                            usage,
                        )
                    })?;
            }
            "--mem-min" => {
                self.settings.memory_min_bytes = v
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|x| (0..=1 << 30).contains(x))
                    .map(|x| x * 1_048_576)
                    .ok_or_else(|| {
                        bad(format!("{name} `{v}` is not a whole number of MiB"), usage)
                    })?;
            }
            _ => return Err(bad(format!("unknown option `{name}`"), usage)),
        }
        self.strategy_flags = true;
        Ok(())
    }

    /// Checks the combination after parsing.
    pub fn validate(&self, usage: &'static str) -> Result<(), UsageError> {
        let sources = [&self.krr, &self.usage, &self.prometheus]
            .iter()
            .filter(|s| s.is_some())
            .count();
        if sources > 1 {
            return Err(bad(
                "give at most one of --krr, --usage and --prometheus".to_owned(),
                usage,
            ));
        }
        if (!self.prometheus_headers.is_empty() || self.prometheus_timeout.is_some())
            && self.prometheus.is_none()
        {
            return Err(bad(
                "--prometheus-header and --prometheus-timeout need --prometheus".to_owned(),
                usage,
            ));
        }
        // A URL that is not http(s) cannot work: that is a usage error (exit 1), unlike a
        // Prometheus that fails at run time (a report with warnings).
        if let Some(url) = &self.prometheus {
            let lower = url.trim().to_ascii_lowercase();
            let rest = lower
                .strip_prefix("http://")
                .or_else(|| lower.strip_prefix("https://"));
            if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
                return Err(bad(
                    format!(
                        "--prometheus `{url}` is not an http:// or https:// URL (e.g. \
                         http://localhost:9090 after `kubectl port-forward svc/prometheus 9090`)"
                    ),
                    usage,
                ));
            }
        }
        if self.strategy_flags && sources == 0 {
            return Err(bad(
                "strategy options need --krr, --usage or --prometheus".to_owned(),
                usage,
            ));
        }
        if [&self.krr, &self.usage]
            .iter()
            .any(|s| s.as_deref() == Some("-"))
        {
            return Err(bad(
                "--krr and --usage read a file; standard input is for the cluster snapshot"
                    .to_owned(),
                usage,
            ));
        }
        Ok(())
    }
}

/// Reads the recommendation source into what the analysis applies.
pub fn load(
    a: &RecommendArgs,
    cluster: &Cluster,
    verbose: bool,
) -> Result<Option<RecommendationInput>, Failure> {
    if let Some(path) = &a.krr {
        let bytes = crate::read_input(path)?;
        if recommend::detect(&bytes) != Some(UsageKind::Krr) {
            return Err(Failure::Input(format!(
                "{path}: not a KRR JSON result (expected the output of `krr simple -f json`)"
            )));
        }
        let mut set =
            recommend::krr::parse(path, &bytes).map_err(|e| Failure::Input(e.to_string()))?;
        if a.settings.allow_hpa {
            set.settings.allow_hpa = true;
        }
        if verbose {
            eprintln!(
                "{path}: KRR result, strategy {}, {} scans, score {}",
                set.strategy,
                set.items.len(),
                set.given_score.map_or("?".to_owned(), |s| s.to_string())
            );
        }
        return Ok(Some(RecommendationInput::Ready(set)));
    }
    if let Some(path) = &a.usage {
        let bytes = crate::read_input(path)?;
        if !matches!(
            recommend::detect(&bytes),
            Some(UsageKind::KubectlTop | UsageKind::MetricsApi)
        ) {
            return Err(Failure::Input(format!(
                "{path}: not `kubectl top pod -A --containers` output or a metrics API \
                 PodMetricsList (for a KRR result use --krr)"
            )));
        }
        let snapshot =
            recommend::usage::parse(path, &bytes).map_err(|e| Failure::Input(e.to_string()))?;
        if verbose {
            eprintln!(
                "{path}: {} samples from {} (one sample: low-confidence recommendations)",
                snapshot.samples.len(),
                snapshot.source.describe()
            );
        }
        return Ok(Some(RecommendationInput::Snapshot(
            snapshot,
            a.settings.clone(),
        )));
    }
    if let Some(url) = &a.prometheus {
        return crate::prometheus::load(
            url,
            &a.prometheus_headers,
            a.prometheus_timeout.unwrap_or(DEFAULT_PROMETHEUS_TIMEOUT),
            a.strategy.unwrap_or(StrategyName::Simple),
            &a.settings,
            cluster,
            verbose,
        )
        .map(Some);
    }
    Ok(None)
}
