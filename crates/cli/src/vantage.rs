//! Vantage prices for the CLI: `--vantage-*` of `analyze`, the `prices` subcommand, the price
//! cache file and the blocking HTTP shell around the core's sans-IO client
//! (`kube_rightsize_core::pricing::vantage`). The options are in [`crate::args`].
//!
//! The token is read from the environment variable named by `--vantage-token-env` and only ever
//! handed to the core client, which puts it in the `Authorization` header; it is never printed,
//! logged or written to the cache.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kube_rightsize_core::analysis::Settings;
use kube_rightsize_core::cluster::Cluster;
use kube_rightsize_core::ingest::{self, IngestOptions, Input};
use kube_rightsize_core::pricing::import::write_price_file;
use kube_rightsize_core::pricing::sources::ManualPrices;
use kube_rightsize_core::pricing::vantage::cache::PriceCache;
use kube_rightsize_core::pricing::vantage::{
    Client, Config, Outcome, Request, Response, Step, Token, TransportError, wanted_prices,
};

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

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2))
        .unwrap_or(0)
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

fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            )
        {
            return true;
        }
        cur = err.source();
    }
    e.to_string().contains("timed out")
}

fn convert(resp: ureq::Response) -> Result<Response, TransportError> {
    let status = resp.status();
    let mut headers = Vec::new();
    for name in resp.headers_names() {
        for value in resp.all(&name) {
            headers.push((name.clone(), value.to_owned()));
        }
    }
    let mut body = Vec::new();
    match resp
        .into_reader()
        .take(32 * 1024 * 1024)
        .read_to_end(&mut body)
    {
        Ok(_) => Ok(Response {
            status,
            headers,
            body,
        }),
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            Err(TransportError::Timeout)
        }
        Err(e) => Err(TransportError::Network(format!("reading the answer: {e}"))),
    }
}

fn send(agent: &ureq::Agent, request: &Request) -> Result<Response, TransportError> {
    let mut r = agent.request(request.method, &request.url);
    for (k, v) in &request.headers {
        r = r.set(k, v);
    }
    match r.call() {
        Ok(resp) | Err(ureq::Error::Status(_, resp)) => convert(resp),
        Err(ureq::Error::Transport(t)) => {
            if is_timeout(&t) {
                Err(TransportError::Timeout)
            } else {
                Err(TransportError::Network(t.to_string()))
            }
        }
    }
}

/// Fetches the prices of `wanted` with the cache file, printing progress to standard error.
fn fetch(
    v: &VantageArgs,
    cluster: &Cluster,
    manual: &ManualPrices,
    verbose: bool,
) -> Result<Outcome, Failure> {
    let token = read_token(v)?;
    let config = Config::new(v.api, v.url.as_deref());
    let mut wanted = wanted_prices(cluster);
    wanted.retain(|k| manual.get(k.provider, &k.instance_type).is_none());
    let path = cache_path();
    let cache = match path.as_ref().map(std::fs::read) {
        Some(Ok(bytes)) => {
            let (cache, problem) = PriceCache::from_json(&bytes);
            if let Some(p) = problem {
                eprintln!("warning: {p}");
            }
            cache
        }
        _ => PriceCache::default(),
    };
    // One overall deadline per request (connect, send, the whole body): a per-read timeout
    // alone never fires against a server that drips one byte at a time.
    let timeout = v.timeout;
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(timeout.min(10)))
        .timeout(Duration::from_secs(timeout))
        .redirects(0)
        .build();
    let mut client = Client::new(config, token, wanted, cache, now_unix());
    loop {
        match client.next_step() {
            Step::Send(request) => {
                let result = send(&agent, &request);
                client.receive(now_unix(), result);
            }
            Step::Wait { seconds, reason } => {
                eprintln!("{reason}");
                std::thread::sleep(Duration::from_secs(seconds));
            }
            Step::Progress(message) => eprintln!("{message}"),
            Step::Done => break,
        }
    }
    let outcome = client.finish();
    if let Some(path) = path {
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
    Ok(outcome)
}

/// Fills `settings.vantage` (and carries the warnings into the report) for `analyze`.
pub fn fill_settings(
    v: &VantageArgs,
    cluster: &Cluster,
    settings: &mut Settings,
    verbose: bool,
) -> Result<(), Failure> {
    let outcome = fetch(v, cluster, &settings.manual_prices, verbose)?;
    settings.vantage = outcome.table;
    settings.price_file_warnings.extend(outcome.warnings);
    Ok(())
}

/// `kube-rightsize prices`.
pub fn run_prices(p: &PricesArgs) -> Result<(), Failure> {
    let contents: Vec<(String, Vec<u8>)> = p
        .files
        .iter()
        .map(|f| Ok((crate::display_name(f).to_owned(), crate::read_input(f)?)))
        .collect::<Result<_, Failure>>()?;
    let inputs: Vec<Input<'_>> = contents
        .iter()
        .map(|(name, bytes)| Input::new(name, bytes))
        .collect();
    let cluster = ingest::ingest_with(&inputs, &IngestOptions::default())
        .map_err(|e| Failure::Input(e.to_string()))?;
    let outcome = fetch(&p.vantage, &cluster, &ManualPrices::default(), p.verbose)?;
    let generated_at = p
        .generated_at
        .clone()
        .unwrap_or_else(crate::clock::now_rfc3339);
    let text = write_price_file(&outcome.table, &generated_at);
    crate::write_output(p.output.as_deref(), &text).map_err(Failure::Internal)
}
