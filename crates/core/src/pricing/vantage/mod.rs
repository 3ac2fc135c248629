//! Vantage prices with the user's own key: a sans-IO client.
//!
//! The [`Client`] is a state machine. A shell (the CLI with a blocking HTTP client, the browser
//! with `fetch`) drives it:
//!
//! ```text
//! let mut client = Client::new(config, token, wanted_prices(&cluster, &manual), cache, now);
//! loop {
//!     match client.next_step() {
//!         Step::Send(request) => {
//!             let result = http(request);       // Ok(Response) or Err(TransportError)
//!             client.receive(now(), result);
//!         }
//!         Step::Wait { seconds, reason } => { show(reason); sleep(seconds) }
//!         Step::Progress(message) => show(message),
//!         Step::Done => break,
//!     }
//! }
//! let outcome = client.finish();   // PriceTable (source `vantage`), statuses, warnings, cache
//! ```
//!
//! Two APIs are supported ([`ApiKind`]): Vantage API v2 with a console token (AWS only: a product
//! lookup by exact instance-type name, then every price page), and the Vantage Instances API with
//! its own key (AWS, Azure, GCP; one record per type, both Azure naming forms tried). One lookup
//! is made per distinct instance type, never per node: about two requests per type with API v2,
//! none for a type in the [`cache::PriceCache`] younger than its TTL.
//!
//! The token only ever goes into the `Authorization` header, never into a URL, the cache, a
//! message or a `Debug` output. Every failure is specific and non-fatal: the types concerned
//! get a status and a warning, and their nodes fall back to the next price source.

pub mod cache;
pub mod wire;

use std::collections::VecDeque;
use std::fmt;

use crate::cluster::Cluster;
use crate::diagnostics::Warning;
use crate::model::{CapacityType, Provider};
use crate::pricing::sources::{ManualPrices, PriceEntry, PriceTable};
use crate::time::rfc3339_utc;

use cache::{CacheEntry, CachedPrice, DEFAULT_TTL_SECONDS, PriceCache};

/// Which Vantage API to ask (serialised as [`ApiKind::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKind {
    /// Vantage REST API v2 (`https://api.vantage.sh`, a console API access token). AWS only.
    V2,
    /// The Vantage Instances API (`https://instances-api.vantage.sh`, its own key). AWS, Azure,
    /// GCP.
    Instances,
}

impl ApiKind {
    /// `v2` or `instances`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKind::V2 => "v2",
            ApiKind::Instances => "instances",
        }
    }

    /// Parses `v2` or `instances` (case-insensitive).
    pub fn from_name(name: &str) -> Option<ApiKind> {
        match name.trim().to_ascii_lowercase().as_str() {
            "v2" => Some(ApiKind::V2),
            "instances" => Some(ApiKind::Instances),
            _ => None,
        }
    }

    /// The public base URL of the API.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ApiKind::V2 => "https://api.vantage.sh",
            ApiKind::Instances => "https://instances-api.vantage.sh",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ApiKind::V2 => "Vantage API v2",
            ApiKind::Instances => "Vantage Instances API",
        }
    }
}

/// How the client behaves. [`Config::new`] gives the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Which API.
    pub api: ApiKind,
    /// Base URL without a trailing `/` (the public API, a proxy such as `/vantage`, or a fake).
    pub base_url: String,
    /// How long cached prices are used (default 24 h).
    pub ttl_seconds: i64,
    /// The longest rate-limit wait the client asks for (default 120 s); a later reset stops the
    /// run instead.
    pub max_wait_seconds: u64,
    /// How many rate-limit waits one run may ask for (default 3).
    pub max_rate_limit_waits: u32,
    /// Price pages read per product at most (default 20): a pagination that never ends stops
    /// there.
    pub max_pages: u32,
    /// Retries of a request after a 5xx or a timeout (default 2).
    pub max_retries: u32,
    /// Wait before the n-th retry: n × this (default 1 s; 0 retries at once).
    pub retry_backoff_seconds: u64,
    /// Requests of the rate-limit budget left unused (default 5): the client stops (or waits
    /// for the reset) when `x-rate-limit-remaining` reaches it.
    pub reserve: u64,
}

impl Config {
    /// Defaults for `api` at `base_url` (the public API when `None`).
    pub fn new(api: ApiKind, base_url: Option<&str>) -> Config {
        let base = base_url
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .unwrap_or(api.default_base_url());
        Config {
            api,
            base_url: base.trim_end_matches('/').to_owned(),
            ttl_seconds: DEFAULT_TTL_SECONDS,
            max_wait_seconds: 120,
            max_rate_limit_waits: 3,
            max_pages: 20,
            max_retries: 2,
            retry_backoff_seconds: 1,
            reserve: 5,
        }
    }

    /// What cache entries from this API and base URL are filed under.
    pub fn origin(&self) -> String {
        format!("{} {}", self.api.as_str(), self.base_url)
    }
}

/// An API token or key. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token (surrounding whitespace is dropped).
    pub fn new(token: &str) -> Token {
        Token(token.trim().to_owned())
    }

    /// True when the token is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

pub use crate::http::{Request, Response, TransportError};

/// What the shell should do next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send this request and pass the result to [`Client::receive`].
    Send(Request),
    /// Sleep this long (bounded by [`Config::max_wait_seconds`]), showing `reason`, then ask
    /// again.
    Wait {
        /// Seconds to wait.
        seconds: u64,
        /// Why, for people (`Vantage rate limit reached (429): waiting 12 s until it resets`).
        reason: String,
    },
    /// Show this progress line (`Querying cost for m5.large in us-east-1`,
    /// `Cost data cached for m5.large`).
    Progress(String),
    /// Finished: call [`Client::finish`].
    Done,
}

/// One price the cluster needs.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct PriceKey {
    /// Cloud provider.
    pub provider: Provider,
    /// Instance type as the node names it.
    pub instance_type: String,
    /// Region.
    pub region: String,
    /// Capacity type of the node.
    pub capacity_type: CapacityType,
}

/// The distinct (provider, instance type, region, capacity type) of the cluster's nodes on AWS,
/// Azure and GCP that have an instance type and a region, sorted — leaving out the types with a
/// `manual` price, which Vantage could not change (manual prices come first).
pub fn wanted_prices(cluster: &Cluster, manual: &ManualPrices) -> Vec<PriceKey> {
    let mut keys: Vec<PriceKey> = cluster
        .nodes
        .iter()
        .filter(|n| matches!(n.provider, Provider::Aws | Provider::Azure | Provider::Gcp))
        .filter(|n| {
            n.instance_type
                .as_deref()
                .is_none_or(|t| manual.get(n.provider, t).is_none())
        })
        .filter_map(|n| {
            let instance_type = n.instance_type.as_deref()?.trim();
            let region = n.region.as_deref()?.trim();
            (!instance_type.is_empty() && !region.is_empty()).then(|| PriceKey {
                provider: n.provider,
                instance_type: instance_type.to_owned(),
                region: region.to_owned(),
                capacity_type: n.capacity_type,
            })
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The explanation given when a browser blocks the request (no status): CORS.
pub fn cors_explanation(base_url: &str) -> String {
    format!(
        "the browser blocked the request to {base_url} (CORS). Use `trunk serve` (its /vantage/ \
         proxy), point the base URL at a proxy, or run `kube-rightsize prices SNAPSHOT... \
         --vantage-token-env VAR -o prices.json` and import the file"
    )
}

/// What happened to one needed price (serialised as [`TypeState::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeState {
    /// Fetched from Vantage in this run.
    Fetched,
    /// Taken from the cache (no request).
    Cached,
    /// Vantage answered but has no price for this type and region.
    NoPrice,
    /// The lookup failed (HTTP error, unreadable answer, ...).
    Failed,
    /// Not asked: the run stopped first (bad token, rate limit, unreachable, CORS).
    Skipped,
    /// The chosen API does not cover this provider (API v2 is AWS only).
    NotCovered,
}

impl TypeState {
    /// `fetched`, `cached`, `no_price`, `failed`, `skipped`, `not_covered`.
    pub fn as_str(self) -> &'static str {
        match self {
            TypeState::Fetched => "fetched",
            TypeState::Cached => "cached",
            TypeState::NoPrice => "no_price",
            TypeState::Failed => "failed",
            TypeState::Skipped => "skipped",
            TypeState::NotCovered => "not_covered",
        }
    }
}

/// One row of the per-type status list (also in the worker's reply to the page,
/// [`crate::pipeline::VantageReply`]).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TypeStatus {
    /// Cloud provider.
    pub provider: Provider,
    /// Instance type.
    pub instance_type: String,
    /// Region.
    pub region: String,
    /// Capacity type of the nodes.
    pub capacity_type: CapacityType,
    /// What happened.
    pub state: TypeState,
    /// The Vantage price (USD/hour) for these nodes, when there is one.
    pub usd_per_hour: Option<f64>,
    /// Where these nodes' price comes from now: `vantage`, `vantage cache` or
    /// `next price source`.
    pub source: String,
    /// Details (why it failed, the on-demand price used for spot nodes, ...).
    pub message: Option<String>,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The prices found (entries with source `vantage` and their fetch time), for
    /// `analysis::Settings::vantage` or a price file.
    pub table: PriceTable,
    /// One row per needed (type, region, capacity type), sorted by provider, type, region and
    /// capacity type.
    pub statuses: Vec<TypeStatus>,
    /// Warnings (codes `vantage_*`), for the report.
    pub warnings: Vec<Warning>,
    /// The updated cache for the shell to persist (expired entries dropped).
    pub cache: PriceCache,
    /// Requests sent (retries included).
    pub requests: u32,
}

/// A failed token check or an unusable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VantageError {
    /// Stable code: `vantage_unauthorized`, `vantage_forbidden`, `vantage_http_error`, ...
    pub code: &'static str,
    /// What happened, for people.
    pub message: String,
}

impl fmt::Display for VantageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VantageError {}

fn get_request(url: String, token: &Token) -> Request {
    Request {
        method: "GET",
        url,
        headers: vec![
            ("Authorization".to_owned(), token.bearer()),
            ("Accept".to_owned(), "application/json".to_owned()),
        ],
    }
}

/// `GET /v2/ping`: 200 when the token works (API v2 only).
pub fn ping_request(config: &Config, token: &Token) -> Request {
    get_request(format!("{}/v2/ping", config.base_url), token)
}

/// `GET /v2/me`: the token's description and scopes (API v2 only).
pub fn me_request(config: &Config, token: &Token) -> Request {
    get_request(format!("{}/v2/me", config.base_url), token)
}

/// What `/v2/me` says about the token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TokenInfo {
    /// The token's description, if any.
    pub description: Option<String>,
    /// Its scopes (`read`, `write`).
    pub scopes: Vec<String>,
}

impl TokenInfo {
    /// A `vantage_token_write_scope` warning when the token can write (only `read` is needed).
    pub fn warnings(&self) -> Vec<Warning> {
        if self.scopes.iter().any(|s| s.eq_ignore_ascii_case("write")) {
            vec![Warning::new(
                "vantage_token_write_scope",
                "",
                "the Vantage token has the write scope; kube-rightsize only reads prices: \
                 create a read-only token",
            )]
        } else {
            Vec::new()
        }
    }
}

fn status_error(api: ApiKind, status: u16, body: &[u8]) -> VantageError {
    let detail = wire::error_text(body)
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    match status {
        401 => VantageError {
            code: "vantage_unauthorized",
            message: match api {
                ApiKind::V2 => format!(
                    "Vantage rejected the token (401){detail}: use a current API access token \
                     from the Vantage console (Settings → API Access Tokens), read scope"
                ),
                ApiKind::Instances => format!(
                    "Vantage rejected the token (401){detail}: use a current Instances API key \
                     (not a console token)"
                ),
            },
        },
        403 => VantageError {
            code: "vantage_forbidden",
            message: format!(
                "Vantage refused the token access (403){detail}: it lacks the read scope or \
                 access to this endpoint"
            ),
        },
        s => VantageError {
            code: "vantage_http_error",
            message: format!("Vantage answered HTTP {s}{detail}"),
        },
    }
}

/// Checks the answer to [`ping_request`].
pub fn check_ping(response: &Response) -> Result<(), VantageError> {
    if (200..300).contains(&response.status) {
        Ok(())
    } else {
        Err(status_error(ApiKind::V2, response.status, &response.body))
    }
}

/// Reads the answer to [`me_request`].
pub fn parse_me(response: &Response) -> Result<TokenInfo, VantageError> {
    if !(200..300).contains(&response.status) {
        return Err(status_error(ApiKind::V2, response.status, &response.body));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|e| VantageError {
            code: "vantage_malformed",
            message: format!("Vantage sent an unreadable /v2/me answer: {e}"),
        })?;
    let token = v.get("bearer_token");
    let description = token
        .and_then(|t| t.get("description"))
        .and_then(|d| d.as_str())
        .map(str::to_owned);
    let scopes = token
        .and_then(|t| t.get("scope"))
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(TokenInfo {
        description,
        scopes,
    })
}

#[derive(Debug, Clone, PartialEq)]
enum JobResult {
    Pending,
    Done { entry: CacheEntry, cached: bool },
    Failed(String),
    Skipped(String),
    NotCovered(String),
}

#[derive(Debug, Clone)]
struct Job {
    provider: Provider,
    instance_type: String,
    keys: Vec<PriceKey>,
    result: JobResult,
}

#[derive(Debug, Clone)]
enum Phase {
    Product,
    Prices {
        product_id: String,
        page: u32,
        prices: Vec<CachedPrice>,
        seen_next: Vec<String>,
    },
    Instance {
        names: Vec<String>,
        index: usize,
    },
}

#[derive(Debug, Clone, Copy, Default)]
struct RateLimit {
    limit: Option<u64>,
    remaining: Option<u64>,
    reset: Option<i64>,
}

/// The sans-IO Vantage price client (see the module docs for the driving loop).
#[derive(Debug)]
pub struct Client {
    config: Config,
    token: Token,
    now: i64,
    jobs: Vec<Job>,
    current: Option<(usize, Phase)>,
    pending: Option<Request>,
    awaiting: bool,
    retries: u32,
    rate_waits: u32,
    rate: RateLimit,
    queue: VecDeque<Step>,
    warnings: Vec<Warning>,
    cache: PriceCache,
    requests: u32,
}

impl Client {
    /// A client that will look up `wanted` (one lookup per distinct provider and instance type)
    /// with `token`, using and updating `cache`; `now` is the current time in Unix seconds.
    pub fn new(
        config: Config,
        token: Token,
        wanted: Vec<PriceKey>,
        cache: PriceCache,
        now: i64,
    ) -> Client {
        let mut jobs: Vec<Job> = Vec::new();
        for key in wanted {
            let same = |j: &&mut Job| {
                j.provider == key.provider
                    && if key.provider == Provider::Azure {
                        crate::pricing::sources::azure_slug(&j.instance_type)
                            == crate::pricing::sources::azure_slug(&key.instance_type)
                    } else {
                        j.instance_type == key.instance_type
                    }
            };
            match jobs.iter_mut().find(|j| same(j)) {
                Some(job) => {
                    if !job.keys.contains(&key) {
                        job.keys.push(key);
                    }
                }
                None => jobs.push(Job {
                    provider: key.provider,
                    instance_type: key.instance_type.clone(),
                    keys: vec![key],
                    result: JobResult::Pending,
                }),
            }
        }
        let mut warnings = Vec::new();
        if token.is_empty() {
            warnings.push(Warning::new(
                "vantage_no_token",
                "",
                "the Vantage token is empty: no Vantage prices",
            ));
            for job in &mut jobs {
                job.result = JobResult::Skipped("no Vantage token".to_owned());
            }
        }
        Client {
            config,
            token,
            now,
            jobs,
            current: None,
            pending: None,
            awaiting: false,
            retries: 0,
            rate_waits: 0,
            rate: RateLimit::default(),
            queue: VecDeque::new(),
            warnings,
            cache,
            requests: 0,
        }
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u32 {
        self.requests
    }

    /// What to do next. After a [`Step::Send`], call [`Client::receive`] before asking again
    /// (asking again without it repeats the same request).
    pub fn next_step(&mut self) -> Step {
        loop {
            if let Some(step) = self.queue.pop_front() {
                return step;
            }
            if let Some(request) = self.pending.clone() {
                if !self.awaiting {
                    if let Some(step) = self.budget_gate() {
                        return step;
                    }
                    if self.pending.is_none() {
                        continue;
                    }
                    self.awaiting = true;
                    self.requests = self.requests.saturating_add(1);
                }
                return Step::Send(request);
            }
            let Some(index) = self
                .jobs
                .iter()
                .position(|j| j.result == JobResult::Pending)
            else {
                return Step::Done;
            };
            self.start(index);
        }
    }

    /// Passes the result of the last [`Step::Send`]; `now` is the current time (Unix seconds).
    pub fn receive(&mut self, now: i64, result: Result<Response, TransportError>) {
        self.now = now;
        if !self.awaiting {
            return;
        }
        self.awaiting = false;
        let response = match result {
            Ok(r) => r,
            Err(TransportError::Timeout) if self.retries >= self.config.max_retries => {
                // A server that let every attempt time out would do the same for every other
                // type: stop rather than wait (attempts × timeout) per type.
                let attempts = self.config.max_retries + 1;
                let message = format!(
                    "Vantage at {} did not answer in time ({attempts} attempt{} for {}): no \
                     Vantage prices in this run; the nodes use the next price source",
                    self.config.base_url,
                    if attempts == 1 { "" } else { "s" },
                    self.current_type()
                );
                self.stop_all("vantage_timeout", message);
                return;
            }
            Err(TransportError::Timeout) => {
                self.retry_or_fail("the request to Vantage timed out".to_owned());
                return;
            }
            Err(TransportError::Blocked) => {
                let message = cors_explanation(&self.config.base_url);
                self.stop_all("vantage_blocked", message);
                return;
            }
            Err(TransportError::Network(e)) => {
                let message = format!("cannot reach Vantage at {}: {e}", self.config.base_url);
                self.stop_all("vantage_unreachable", message);
                return;
            }
        };
        self.read_rate_limit(&response.headers);
        match response.status {
            200..=299 => self.on_success(&response.body),
            401 | 403 => {
                let e = status_error(self.config.api, response.status, &response.body);
                self.stop_all(e.code, e.message);
            }
            404 => self.on_not_found(),
            429 => self.on_rate_limited(),
            500..=599 => {
                let detail = wire::error_text(&response.body)
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default();
                self.retry_or_fail(format!("Vantage answered HTTP {}{detail}", response.status));
            }
            s => {
                let e = status_error(self.config.api, s, &response.body);
                self.fail_job(e.message);
            }
        }
    }

    /// The prices, statuses, warnings and updated cache.
    pub fn finish(mut self) -> Outcome {
        if let Some((index, _)) = self.current.take()
            && self.jobs[index].result == JobResult::Pending
        {
            self.jobs[index].result =
                JobResult::Skipped("the run ended before an answer".to_owned());
        }
        let mut table = PriceTable::new(format!(
            "{} ({})",
            self.config.api.label(),
            self.config.base_url
        ));
        let mut statuses = Vec::new();
        let mut warnings = std::mem::take(&mut self.warnings);
        let mut oldest: Option<i64> = None;
        for job in &self.jobs {
            for key in &job.keys {
                let mut status = TypeStatus {
                    provider: key.provider,
                    instance_type: key.instance_type.clone(),
                    region: key.region.clone(),
                    capacity_type: key.capacity_type,
                    state: TypeState::Skipped,
                    usd_per_hour: None,
                    source: "next price source".to_owned(),
                    message: None,
                };
                match &job.result {
                    JobResult::Done { entry, cached } => {
                        let on_demand =
                            entry.price(key.provider, &key.region, CapacityType::OnDemand);
                        let spot = entry.price(key.provider, &key.region, CapacityType::Spot);
                        let fetched_at = rfc3339_utc(entry.fetched_at);
                        for (capacity, price) in [
                            (CapacityType::OnDemand, on_demand),
                            (CapacityType::Spot, spot),
                        ] {
                            if let Some(p) = price {
                                table.insert(PriceEntry {
                                    provider: key.provider,
                                    instance_type: key.instance_type.clone(),
                                    region: key.region.clone(),
                                    capacity_type: capacity,
                                    usd_per_hour: p,
                                    source: Some("vantage".to_owned()),
                                    fetched_at: Some(fetched_at.clone()),
                                    gpu_usd_per_hour: None,
                                });
                            }
                        }
                        let price = if key.capacity_type == CapacityType::Spot {
                            spot.or(on_demand)
                        } else {
                            on_demand
                        };
                        if let Some(p) = price {
                            oldest =
                                Some(oldest.map_or(entry.fetched_at, |o| o.min(entry.fetched_at)));
                            status.state = if *cached {
                                TypeState::Cached
                            } else {
                                TypeState::Fetched
                            };
                            status.source =
                                if *cached { "vantage cache" } else { "vantage" }.to_owned();
                            status.usd_per_hour = Some(p);
                            if key.capacity_type == CapacityType::Spot && spot.is_none() {
                                status.message = Some(
                                    "Vantage has no spot price: the on-demand price is the upper \
                                     bound"
                                        .to_owned(),
                                );
                            }
                        } else {
                            let message = format!(
                                "Vantage has no price for {} in {}",
                                key.instance_type, key.region
                            );
                            warnings.push(Warning::new("vantage_no_price", "", message.clone()));
                            status.state = TypeState::NoPrice;
                            status.message = Some(message);
                        }
                    }
                    JobResult::Failed(m) => {
                        status.state = TypeState::Failed;
                        status.message = Some(m.clone());
                    }
                    JobResult::Skipped(m) => status.message = Some(m.clone()),
                    JobResult::Pending => {}
                    JobResult::NotCovered(m) => {
                        status.state = TypeState::NotCovered;
                        status.message = Some(m.clone());
                    }
                }
                statuses.push(status);
            }
        }
        statuses.sort_by(|a, b| {
            (a.provider, &a.instance_type, &a.region, a.capacity_type).cmp(&(
                b.provider,
                &b.instance_type,
                &b.region,
                b.capacity_type,
            ))
        });
        table.as_of = oldest.map(|t| rfc3339_utc(t)[..10].to_owned());
        let mut cache = self.cache;
        cache.prune(self.now, self.config.ttl_seconds);
        Outcome {
            table,
            statuses,
            warnings,
            cache,
            requests: self.requests,
        }
    }

    // ------------------------------------------------------------ internals

    fn start(&mut self, index: usize) {
        let origin = self.config.origin();
        let (provider, instance_type) = {
            let job = &self.jobs[index];
            (job.provider, job.instance_type.clone())
        };
        if let Some(entry) = self.cache.get(
            &origin,
            provider,
            &instance_type,
            self.now,
            self.config.ttl_seconds,
        ) {
            self.jobs[index].result = JobResult::Done {
                entry: entry.clone(),
                cached: true,
            };
            self.queue.push_back(Step::Progress(format!(
                "Cost data cached for {instance_type}"
            )));
            return;
        }
        let covered = match self.config.api {
            ApiKind::V2 => provider == Provider::Aws,
            ApiKind::Instances => wire::instances_service(provider).is_some(),
        };
        if !covered {
            let message = format!(
                "{} has no {} prices (use --vantage-api instances for Azure and GCP)",
                self.config.api.label(),
                provider.as_str()
            );
            if !self.warnings.iter().any(|w| w.message == message) {
                self.warnings
                    .push(Warning::new("vantage_not_covered", "", message.clone()));
            }
            self.jobs[index].result = JobResult::NotCovered(message);
            return;
        }
        let regions: Vec<&str> = {
            let mut r: Vec<&str> = self.jobs[index]
                .keys
                .iter()
                .map(|k| k.region.as_str())
                .collect();
            r.sort_unstable();
            r.dedup();
            r
        };
        self.queue.push_back(Step::Progress(format!(
            "Querying cost for {instance_type} in {}",
            regions.join(", ")
        )));
        let phase = match self.config.api {
            ApiKind::V2 => Phase::Product,
            ApiKind::Instances => {
                let mut names = vec![instance_type.clone()];
                if provider == Provider::Azure {
                    let slug = crate::pricing::sources::azure_slug(&instance_type);
                    if slug != instance_type {
                        names.push(slug);
                    }
                }
                Phase::Instance { names, index: 0 }
            }
        };
        self.current = Some((index, phase));
        self.set_request();
    }

    fn set_request(&mut self) {
        let Some((index, phase)) = &self.current else {
            return;
        };
        let base = &self.config.base_url;
        let job = &self.jobs[*index];
        let url = match phase {
            Phase::Product => format!(
                "{base}/v2/products?service_id=aws-ec2&name={}&limit=1000",
                wire::encode(&job.instance_type)
            ),
            Phase::Prices {
                product_id, page, ..
            } => format!(
                "{base}/v2/products/{}/prices?limit=1000&page={page}",
                wire::encode(product_id)
            ),
            Phase::Instance { names, index } => format!(
                "{base}/api/v1/instances/{}/{}/global",
                wire::instances_service(job.provider).unwrap_or("ec2"),
                wire::encode(names.get(*index).map_or("", String::as_str))
            ),
        };
        self.pending = Some(get_request(url, &self.token));
        self.retries = 0;
    }

    fn current_type(&self) -> String {
        self.current
            .as_ref()
            .map(|(i, _)| self.jobs[*i].instance_type.clone())
            .unwrap_or_default()
    }

    /// `None`: go ahead. `Some(step)`: return it (a wait); the run may also have stopped.
    fn budget_gate(&mut self) -> Option<Step> {
        let remaining = self.rate.remaining?;
        if remaining > self.config.reserve {
            return None;
        }
        let wait = self.seconds_to_reset();
        if let Some(wait) = wait
            && wait <= self.config.max_wait_seconds
            && self.rate_waits < self.config.max_rate_limit_waits
        {
            self.rate_waits += 1;
            self.rate = RateLimit::default();
            return Some(Step::Wait {
                seconds: wait,
                reason: format!(
                    "Vantage rate-limit budget nearly spent ({remaining} requests left): waiting \
                     {wait} s until it resets"
                ),
            });
        }
        let limit = self
            .rate
            .limit
            .map(|l| format!(" of {l}"))
            .unwrap_or_default();
        let resets = wait
            .map(|w| format!(", resets in {w} s"))
            .unwrap_or_default();
        self.stop_all(
            "vantage_budget",
            format!(
                "Vantage rate-limit budget nearly spent ({remaining}{limit} requests left{resets}): \
                 stopped before using it up; the remaining instance types use other price sources"
            ),
        );
        None
    }

    fn seconds_to_reset(&self) -> Option<u64> {
        let reset = self.rate.reset?;
        // Documented as Unix seconds; a small number is taken as seconds from now.
        let wait = if reset >= 1_000_000_000 {
            reset.saturating_sub(self.now)
        } else {
            reset
        };
        Some(u64::try_from(wait.max(1)).unwrap_or(1))
    }

    fn read_rate_limit(&mut self, headers: &[(String, String)]) {
        let num = |name: &str| wire::header(headers, name).and_then(|v| v.parse::<i64>().ok());
        if let Some(l) = num("x-rate-limit-limit") {
            self.rate.limit = u64::try_from(l).ok();
        }
        if let Some(r) = num("x-rate-limit-remaining") {
            self.rate.remaining = Some(u64::try_from(r).unwrap_or(0));
        }
        if let Some(r) = num("x-rate-limit-reset") {
            self.rate.reset = Some(r);
        }
    }

    fn on_rate_limited(&mut self) {
        let wait = self.seconds_to_reset();
        let seconds = wait.unwrap_or(60);
        if seconds <= self.config.max_wait_seconds
            && self.rate_waits < self.config.max_rate_limit_waits
        {
            self.rate_waits += 1;
            self.rate = RateLimit::default();
            self.queue.push_back(Step::Wait {
                seconds,
                reason: format!(
                    "Vantage rate limit reached (429): waiting {seconds} s until it resets"
                ),
            });
            return;
        }
        let when = match wait {
            Some(w) if w > self.config.max_wait_seconds => format!(
                " and resets in {w} s (more than the {} s this run waits)",
                self.config.max_wait_seconds
            ),
            _ => String::new(),
        };
        self.stop_all(
            "vantage_rate_limited",
            format!(
                "Vantage rate limit reached (429){when}: the remaining instance types use other \
                 price sources; try again later"
            ),
        );
    }

    fn retry_or_fail(&mut self, what: String) {
        if self.retries < self.config.max_retries {
            self.retries += 1;
            let backoff = self
                .config
                .retry_backoff_seconds
                .saturating_mul(u64::from(self.retries));
            if backoff > 0 {
                self.queue.push_back(Step::Wait {
                    seconds: backoff.min(self.config.max_wait_seconds),
                    reason: format!(
                        "{what} for {}; retrying in {backoff} s (retry {} of {})",
                        self.current_type(),
                        self.retries,
                        self.config.max_retries
                    ),
                });
            }
            return;
        }
        let attempts = self.config.max_retries + 1;
        self.fail_job(format!(
            "{what} (after {attempts} attempt{})",
            if attempts == 1 { "" } else { "s" }
        ));
    }

    fn fail_job(&mut self, what: String) {
        let Some((index, _)) = self.current.take() else {
            return;
        };
        self.pending = None;
        let job = &mut self.jobs[index];
        let message = format!(
            "no Vantage price for {}: {what}; its nodes use the next price source",
            job.instance_type
        );
        self.warnings
            .push(Warning::new("vantage_failed", "", message.clone()));
        job.result = JobResult::Failed(message);
    }

    fn stop_all(&mut self, code: &str, message: String) {
        self.pending = None;
        self.current = None;
        self.warnings.push(Warning::new(code, "", message.clone()));
        for job in &mut self.jobs {
            if job.result == JobResult::Pending {
                job.result = JobResult::Skipped(message.clone());
            }
        }
    }

    fn complete(&mut self, found: bool, prices: Vec<CachedPrice>) {
        let Some((index, _)) = self.current.take() else {
            return;
        };
        self.pending = None;
        let job = &mut self.jobs[index];
        let entry = CacheEntry {
            origin: self.config.origin(),
            provider: job.provider.as_str().to_owned(),
            instance_type: job.instance_type.clone(),
            fetched_at: self.now,
            found,
            prices,
        };
        self.cache.put(entry.clone());
        job.result = JobResult::Done {
            entry,
            cached: false,
        };
    }

    fn on_not_found(&mut self) {
        let Some((_, phase)) = &mut self.current else {
            return;
        };
        match phase {
            Phase::Product => self.complete(false, Vec::new()),
            Phase::Prices { page, prices, .. } => {
                let found = *page > 1;
                let prices = std::mem::take(prices);
                self.complete(found, prices);
            }
            Phase::Instance { names, index } => {
                if *index + 1 < names.len() {
                    *index += 1;
                    self.set_request();
                } else {
                    self.complete(false, Vec::new());
                }
            }
        }
    }

    fn on_success(&mut self, body: &[u8]) {
        let instance_type = self.current_type();
        let Some((index, phase)) = &mut self.current else {
            return;
        };
        let provider = self.jobs[*index].provider;
        match phase {
            Phase::Product => match serde_json::from_slice::<wire::Products>(body) {
                Err(e) => self.fail_job(format!("Vantage sent an unreadable product list ({e})")),
                Ok(products) => {
                    match products
                        .products
                        .into_iter()
                        .find(|p| p.name == instance_type)
                    {
                        None => self.complete(false, Vec::new()),
                        Some(product) => {
                            *phase = Phase::Prices {
                                product_id: product.id,
                                page: 1,
                                prices: Vec::new(),
                                seen_next: Vec::new(),
                            };
                            self.set_request();
                        }
                    }
                }
            },
            Phase::Prices {
                page,
                prices,
                seen_next,
                ..
            } => match serde_json::from_slice::<wire::Prices>(body) {
                Err(e) => {
                    let page = *page;
                    self.fail_job(format!(
                        "Vantage sent an unreadable price page {page} ({e})"
                    ));
                }
                Ok(body) => {
                    for p in &body.prices {
                        if let Some((region, capacity, usd)) = wire::usable_v2_price(p)
                            && !prices.iter().any(|c| {
                                c.region == region
                                    && CapacityType::from_name(&c.capacity_type) == Some(capacity)
                            })
                        {
                            prices.push(CachedPrice {
                                region,
                                capacity_type: capacity.as_str().to_owned(),
                                usd_per_hour: usd,
                            });
                        }
                    }
                    let next = body
                        .links
                        .and_then(|l| l.next)
                        .filter(|n| !n.trim().is_empty());
                    match next {
                        None => {
                            let prices = std::mem::take(prices);
                            self.complete(true, prices);
                        }
                        Some(next) => {
                            let repeated = seen_next.contains(&next);
                            if repeated || *page >= self.config.max_pages {
                                let why = if repeated {
                                    "repeated a page link".to_owned()
                                } else {
                                    format!("kept announcing more after {page} pages")
                                };
                                self.warnings.push(Warning::new(
                                    "vantage_pagination_capped",
                                    "",
                                    format!(
                                        "Vantage's price list for {instance_type} {why}: stopped \
                                         reading; prices found so far are used"
                                    ),
                                ));
                                let prices = std::mem::take(prices);
                                self.complete(true, prices);
                            } else {
                                seen_next.push(next);
                                *page += 1;
                                self.set_request();
                            }
                        }
                    }
                }
            },
            Phase::Instance { .. } => {
                let parsed = serde_json::from_slice::<serde_json::Value>(body)
                    .ok()
                    .and_then(|v| wire::instance_prices(provider, &v));
                match parsed {
                    None => self.fail_job(
                        "Vantage sent an unreadable instance record (no `pricing`)".to_owned(),
                    ),
                    Some(found) => {
                        let prices = found
                            .into_iter()
                            .map(|(region, capacity, usd)| CachedPrice {
                                region,
                                capacity_type: capacity.as_str().to_owned(),
                                usd_per_hour: usd,
                            })
                            .collect();
                        self.complete(true, prices);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialised_names_are_the_shown_names() {
        for api in [ApiKind::V2, ApiKind::Instances] {
            let json = serde_json::to_string(&api).unwrap();
            assert_eq!(json, format!("\"{}\"", api.as_str()));
            assert_eq!(serde_json::from_str::<ApiKind>(&json).unwrap(), api);
        }
        for state in [
            TypeState::Fetched,
            TypeState::Cached,
            TypeState::NoPrice,
            TypeState::Failed,
            TypeState::Skipped,
            TypeState::NotCovered,
        ] {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(serde_json::from_str::<TypeState>(&json).unwrap(), state);
        }
    }

    #[test]
    fn token_is_redacted() {
        let t = Token::new("vntg_tkn_secret");
        let r = ping_request(&Config::new(ApiKind::V2, None), &t);
        assert!(!format!("{t:?} {r:?}").contains("secret"));
        assert!(!r.url.contains("secret"));
    }
}
