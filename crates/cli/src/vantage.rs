//! Vantage prices for the CLI: `--vantage-*` of `analyze`, the `prices` subcommand, the price
//! cache file and the blocking HTTP shell around the core's sans-IO client
//! (`kube_rightsize_core::pricing::vantage`). The options are in [`crate::args`].
//!
//! The token is read from the environment variable named by `--vantage-token-env` and only ever
//! handed to the core client, which puts it in the `Authorization` header; it is never printed,
//! logged or written to the cache.

use std::path::PathBuf;

use kube_rightsize_core::pipeline::{Job, Role, Shell, VantageSource};
use kube_rightsize_core::pricing::import::write_price_file;
use kube_rightsize_core::pricing::vantage::cache::PriceCache;
use kube_rightsize_core::pricing::vantage::{Config, Outcome, Token};
use kube_rightsize_core::settings::Options;

use crate::Failure;
use crate::args::{PricesArgs, VantageArgs};

/// The cache file: `$XDG_CACHE_HOME/kube-rightsize/vantage-prices.json`, else
/// `$HOME/.cache/kube-rightsize/vantage-prices.json`.
pub fn cache_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|h| h.join(".cache"))
        })?;
    Some(base.join("kube-rightsize").join("vantage-prices.json"))
}

fn read_token(v: &VantageArgs) -> Result<Token, Failure> {
    let name = v.token_env.as_deref().unwrap_or_default();
    match std::env::var(name) {
        Ok(t) if !t.trim().is_empty() => Ok(Token::new(&t)),
        Ok(_) => Err(Failure::Input(format!(
            "--vantage-token-env {name}: the environment variable {name} is empty"
        ))),
        Err(_) => Err(Failure::Input(format!(
            "--vantage-token-env {name}: the environment variable {name} is not set (or not \
             valid UTF-8)"
        ))),
    }
}

/// Vantage as a price source of the pipeline: the token from the environment, the cache file.
pub fn source(v: &VantageArgs) -> Result<VantageSource, Failure> {
    let token = read_token(v)?;
    let cache = match cache_path().as_ref().map(std::fs::read) {
        Some(Ok(bytes)) => {
            let (cache, problem) = PriceCache::from_json(&bytes);
            if let Some(p) = problem {
                eprintln!("warning: {p}");
            }
            cache
        }
        _ => PriceCache::default(),
    };
    Ok(VantageSource::Fetch {
        config: Config::new(v.api, v.url.as_deref()),
        token,
        cache,
        timeout_ms: u32::try_from(v.timeout * 1000).unwrap_or(u32::MAX),
    })
}

/// After the lookups: writes the cache file and prints the warnings, the statuses (`-v`) and
/// a summary on standard error.
pub fn finish(outcome: &Outcome, verbose: bool) {
    if let Some(path) = cache_path() {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, outcome.cache.to_json()));
        if let Err(e) = written {
            eprintln!(
                "warning: cannot write the Vantage price cache {}: {e}",
                path.display()
            );
        }
    }
    for w in &outcome.warnings {
        eprintln!("warning: {}", w.message);
    }
    if verbose {
        for s in &outcome.statuses {
            let price = s
                .usd_per_hour
                .map(|p| format!(" ${p}/h"))
                .unwrap_or_default();
            eprintln!(
                "  {} {} {} {}: {}{price} ({}){}",
                s.provider.as_str(),
                s.instance_type,
                s.region,
                s.capacity_type.as_str(),
                s.state.as_str(),
                s.source,
                s.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            );
        }
    }
    eprintln!(
        "Vantage: {} prices for {} of {} node types, {} requests",
        outcome.table.len(),
        outcome
            .statuses
            .iter()
            .filter(|s| s.usd_per_hour.is_some())
            .count(),
        outcome.statuses.len(),
        outcome.requests
    );
}

/// `kube-rightsize prices`: the snapshot through the pipeline with Vantage (no manual prices,
/// no price files), and the Vantage prices it found written as a price file.
pub fn run_prices(p: &PricesArgs) -> Result<(), Failure> {
    let paths: Vec<(&str, Role)> = p
        .files
        .iter()
        .map(|f| (f.as_str(), Role::Snapshot))
        .collect();
    let files = crate::Files::read(&paths)?;
    let generated_at = p.out.timestamp();
    let job = Job {
        inputs: files.inputs(),
        options: Options::default(),
        catalogue: crate::embedded_catalogue()?,
        vantage: Some(source(&p.vantage)?),
        prometheus: None,
        generated_at: generated_at.clone(),
        shell: Shell::Cli,
        clusters: kube_rightsize_core::pipeline::Clusters::One,
    };
    let outcome = crate::drive::run(job, Vec::new(), crate::drive::Verbosity { verbose: false })
        .map_err(|f| files.locate(f))?;
    let vantage = outcome
        .vantage
        .as_ref()
        .ok_or_else(|| Failure::Internal(anyhow::anyhow!("the pipeline ran without Vantage")))?;
    finish(vantage, p.out.verbose);
    let text = write_price_file(&vantage.table, &generated_at, &vantage.warnings);
    p.out.write(&text)
}
