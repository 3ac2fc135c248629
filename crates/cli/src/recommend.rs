//! `--krr`, `--usage`, `--prometheus` of `analyze`: reads the recommendation source (the
//! options are in [`crate::args`]).

use kube_rightsize_core::cluster::Cluster;
use kube_rightsize_core::recommend::{self, RecommendationInput, UsageKind};

use crate::Failure;
use crate::args::RecommendArgs;

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
        if a.allow_hpa {
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
        return Ok(Some(RecommendationInput::Snapshot(snapshot, a.settings())));
    }
    if let Some(url) = &a.prometheus {
        return crate::prometheus::load(
            url,
            &a.prometheus_headers,
            a.prometheus_timeout,
            a.strategy,
            &a.settings(),
            cluster,
            verbose,
        )
        .map(Some);
    }
    Ok(None)
}
