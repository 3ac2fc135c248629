//! Vantage prices for the CLI: the `--vantage-*` options, the `prices` subcommand, the price
//! cache file and the blocking HTTP shell around the core's sans-IO client
//! (`kube_rightsize_core::pricing::vantage`).
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
    ApiKind, Client, Config, Outcome, Request, Response, Step, Token, TransportError, wanted_prices,
};

use crate::Failure;
use crate::args::{self, Command, UsageError};

/// Help of `prices`.
pub const PRICES_HELP: &str = "\
kube-rightsize prices: fetch the Vantage prices a cluster needs into a price file

Usage:
  kube-rightsize prices SNAPSHOT... --vantage-token-env VAR [OPTIONS]

Arguments:
  SNAPSHOT...   Output of `kubectl get nodes,pods -A -o json` (or -o yaml); `-` reads standard
                input. Only the nodes' instance types and regions are used.

Options:
  --vantage-token-env VAR   Read the Vantage token from the environment variable VAR (required;
                            the token is never taken from the command line). Use a read-only
                            token.
  --vantage-url URL         Base URL (default https://api.vantage.sh, or
                            https://instances-api.vantage.sh with --vantage-api instances)
  --vantage-api API         v2 (a Vantage console API token; AWS) or instances (a Vantage
                            Instances API key; AWS, Azure, GCP). Default v2.
  --vantage-timeout SECONDS Give up on a request after this long (default 30); a server that
                            lets every retry time out stops the lookups
  -o, --output PATH         Write the price file to PATH instead of standard output
  --generated-at RFC3339    Timestamp written in the file (default: now, UTC)
  -v, --verbose             Print a status line per instance type
  -h, --help                Show this help

The file is a kube-rightsize/prices/v1 JSON price file: give it to `analyze --prices FILE`.
Prices are cached for 24 hours in $XDG_CACHE_HOME/kube-rightsize/vantage-prices.json (else
~/.cache/...): a second run sends no request.

Example:
  VANTAGE_TOKEN=... kube-rightsize prices cluster.json --vantage-token-env VANTAGE_TOKEN -o prices.json
";

/// The `--vantage-*` options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VantageArgs {
    /// Name of the environment variable holding the token.
    pub token_env: Option<String>,
    /// Base URL.
    pub url: Option<String>,
    /// `v2` or `instances`.
    pub api: Option<String>,
    /// `--vantage-timeout SECONDS` (default [`DEFAULT_VANTAGE_TIMEOUT`]).
    pub timeout: Option<u64>,
}

/// Seconds a Vantage request may take (connect, send, and the whole answer) by default.
pub const DEFAULT_VANTAGE_TIMEOUT: u64 = 30;

impl VantageArgs {
    /// True when `--vantage-token-env` was given.
    pub fn enabled(&self) -> bool {
        self.token_env.is_some()
    }

    /// Handles `name` (one of the `--vantage-*` options) with its `value`.
    pub fn set(
        &mut self,
        name: &str,
        value: String,
        usage: &'static str,
    ) -> Result<(), UsageError> {
        let error = |message: String| UsageError { message, usage };
        match name {
            "--vantage-token-env" => {
                // Never echo what looks like a token pasted in place of the variable's name.
                if value.to_ascii_lowercase().starts_with("vntg_") || value.len() > 64 {
                    return Err(error(
                        "--vantage-token-env takes the NAME of an environment variable; the \
                         value given looks like a token (not shown): put the token in a variable \
                         and pass its name"
                            .to_owned(),
                    ));
                }
                if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    return Err(error(
                        "--vantage-token-env takes the NAME of an environment variable (letters, \
                         digits, _), not the token itself"
                            .to_owned(),
                    ));
                }
                self.token_env = Some(value);
            }
            "--vantage-url" => self.url = Some(value),
            "--vantage-timeout" => match value.parse::<u64>() {
                Ok(t) if (1..=3600).contains(&t) => self.timeout = Some(t),
                _ => {
                    return Err(error(format!(
                        "--vantage-timeout `{value}` is not a whole number of seconds from 1 to 3600"
                    )));
                }
            },
            "--vantage-api" => {
                if ApiKind::from_name(&value).is_none() {
                    return Err(error(format!(
                        "--vantage-api `{value}`: use v2 or instances"
                    )));
                }
                self.api = Some(value);
            }
            other => return Err(error(format!("unknown option `{other}`"))),
        }
        Ok(())
    }

    fn config(&self) -> Config {
        let api = self
            .api
            .as_deref()
            .and_then(ApiKind::from_name)
            .unwrap_or(ApiKind::V2);
        Config::new(api, self.url.as_deref())
    }
}

/// `prices` options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricesArgs {
    /// Snapshot files.
    pub files: Vec<String>,
    /// Vantage options.
    pub vantage: VantageArgs,
    /// Output path.
    pub output: Option<String>,
    /// File timestamp.
    pub generated_at: Option<String>,
    /// Status lines.
    pub verbose: bool,
}

/// Parses the arguments after `prices`.
pub fn parse_prices(argv: &[String]) -> Result<Command, UsageError> {
    let usage = |message: String| UsageError {
        message,
        usage: PRICES_HELP,
    };
    let mut p = PricesArgs {
        files: Vec::new(),
        vantage: VantageArgs::default(),
        output: None,
        generated_at: None,
        verbose: false,
    };
    let mut rest = argv.iter();
    while let Some(arg) = rest.next() {
        if arg == "-" || !arg.starts_with('-') {
            p.files.push(arg.clone());
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || match inline.clone() {
            Some(v) => Ok(v),
            None => rest
                .next()
                .cloned()
                .ok_or_else(|| usage(format!("`{name}` needs a value"))),
        };
        match name {
            "-h" | "--help" => return Ok(Command::Help(PRICES_HELP)),
            "-v" | "--verbose" => p.verbose = true,
            "-o" | "--output" => p.output = Some(value()?),
            "--generated-at" => {
                let v = value()?;
                if !args::is_rfc3339(&v) {
                    return Err(usage(format!(
                        "--generated-at `{v}` is not an RFC 3339 timestamp (e.g. 2026-01-31T12:00:00Z)"
                    )));
                }
                p.generated_at = Some(v);
            }
            "--vantage-token-env" | "--vantage-url" | "--vantage-api" | "--vantage-timeout" => {
                let v = value()?;
                p.vantage.set(name, v, PRICES_HELP)?;
            }
            other => return Err(usage(format!("unknown option `{other}`"))),
        }
    }
    if p.files.is_empty() {
        return Err(usage(
            "no snapshot: give the output of `kubectl get nodes,pods -A -o json` as SNAPSHOT, or `-`"
                .to_owned(),
        ));
    }
    if p.files.iter().filter(|f| *f == "-").count() > 1 {
        return Err(usage(
            "standard input (`-`) can be read only once".to_owned(),
        ));
    }
    if !p.vantage.enabled() {
        return Err(usage(
            "--vantage-token-env VAR is required (the name of the environment variable that \
             holds the token)"
                .to_owned(),
        ));
    }
    Ok(Command::Prices(p))
}

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
    let config = v.config();
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
    let timeout = v.timeout.unwrap_or(DEFAULT_VANTAGE_TIMEOUT);
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
