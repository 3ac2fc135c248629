//! A fake Vantage pricing API for tests and manual checks, on 127.0.0.1 (a free port).
//!
//! It serves what `/work/shared/reference/vantage-api.md` §4 asks of a faithful fake:
//!
//! - API v2: `/v2/ping`, `/v2/me`, `/v2/products` (filters `service_id`, `provider_id`, exact
//!   `name`; `page`, `limit` ≤ 1000), `/v2/products/{id}`, `/v2/products/{id}/prices`,
//!   `/v2/products/{pid}/prices/{id}`; 1-based pages with absolute `links`
//!   (`self`, `first`, `next`, `last`, `prev`); 404 for unknown ids.
//! - The Instances API: `/api/v1/instances/{service}/{type}/global` (one instances.vantage.sh
//!   record; errors as `{"code", "error"}`).
//! - Bearer auth on every route (401 otherwise), `x-rate-limit-limit/-remaining/-reset` on
//!   every response and 429 when the budget of the window is spent.
//! - Switchable behaviours ([`Config`]): CORS full / off / `OPTIONS` → 405, a forced status
//!   (401, 403, 500, ...), the first N requests failing, error bodies as JSON / empty / text,
//!   slow responses, missing `links`, unknown fields, `details: {}`, endless pagination,
//!   malformed price pages, a write-scope token, links pointing elsewhere.
//! - Transport faults ([`Fault`]): never answering, resetting the connection, answering with
//!   garbage that is not JSON or not HTTP at all, dripping the body slower than any timeout.
//!
//! Every request is logged ([`FakeVantage::requests`]) with its headers, so tests can assert
//! counts per path and that the token only ever appears in `Authorization`.
//!
//! The answers themselves are a [`Responder`]'s, a function of the configuration, the budget
//! and the time with no socket, so a host that cannot listen (the app's wasm-bindgen tests, in
//! a browser) answers with the same code; the crate builds for `wasm32-unknown-unknown`, where
//! only [`start`] cannot run.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// The token the fake accepts by default.
pub const DEFAULT_TOKEN: &str = "vntg_tkn_fake0123456789";

/// CORS behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cors {
    /// Answer preflights, allow `authorization`, expose `x-rate-limit-*`.
    Full,
    /// No CORS headers at all (a browser blocks every call).
    Off,
    /// `OPTIONS` → 405 (a browser blocks every call with a header).
    RejectPreflight,
}

/// How error responses carry their body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorBody {
    /// `{"errors": ["..."]}` (v2) or `{"code", "error"}` (Instances API).
    Json,
    /// No body.
    Empty,
    /// `text/html` that is not JSON.
    Text,
}

/// A transport fault, for every authenticated request (after the request is logged; `Reset`
/// hits every connection, before its request is read, and is logged with method `RESET`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Read the request, then never answer (the connection stays open for 10 minutes).
    Hang,
    /// Close the connection without an answer, with unread request bytes, so that the kernel
    /// resets it (RST).
    Reset,
    /// `200 OK` with `application/json` and a body of binary garbage.
    Garbage,
    /// Answer with bytes that are not HTTP at all.
    NotHttp,
    /// `200 OK` headers, then the body one byte every 500 ms (defeats per-read timeouts).
    Drip,
}

/// One price of a fake product.
#[derive(Debug, Clone, PartialEq)]
pub struct FakePrice {
    /// Region (`us-east-1`).
    pub region: String,
    /// `linux`, `rhel`, `windows`.
    pub platform: String,
    /// `on-demand`, `spot`.
    pub lifecycle: String,
    /// `hour`.
    pub unit: String,
    /// `compute`.
    pub rate_type: String,
    /// USD.
    pub amount: f64,
}

/// A fake AWS EC2 product.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeProduct {
    /// Instance type (`m5.large`).
    pub name: String,
    /// Its prices, in the order they are served.
    pub prices: Vec<FakePrice>,
}

impl FakeProduct {
    /// `aws-ec2-m5_large`.
    pub fn id(&self) -> String {
        format!("aws-ec2-{}", self.name.replace('.', "_"))
    }
}

/// Behaviour of the fake.
#[derive(Debug, Clone)]
pub struct Config {
    /// The accepted token (`Authorization: Bearer <token>`).
    pub token: String,
    /// API v2 products (AWS EC2).
    pub products: Vec<FakeProduct>,
    /// Instances API records: (service, instance type as served, record).
    pub instances: Vec<(String, String, Value)>,
    /// Largest page served, whatever `limit` asks (default 1000).
    pub max_page_size: usize,
    /// Page size when no `limit` is given (default 100).
    pub default_page_size: usize,
    /// Requests allowed per window (default 1000).
    pub budget: u32,
    /// Window length in seconds (default 3600).
    pub window_seconds: u64,
    /// CORS behaviour (default full).
    pub cors: Cors,
    /// Answer every authenticated request with this status.
    pub force_status: Option<u16>,
    /// Answer the first N authenticated requests with `fail_status`.
    pub fail_first: u32,
    /// The status of those failures (default 503).
    pub fail_status: u16,
    /// Error body shape.
    pub error_body: ErrorBody,
    /// Delay before every answer.
    pub delay: Duration,
    /// Leave `links` out of list bodies.
    pub missing_links: bool,
    /// Add fields the spec does not know.
    pub unknown_fields: bool,
    /// Serve `details: {}` for products.
    pub empty_details: bool,
    /// Price pages never end (`next` always set).
    pub endless_pages: bool,
    /// Price pages are not JSON.
    pub malformed_prices: bool,
    /// `/v2/me` reports the `write` scope too.
    pub write_scope: bool,
    /// Base of the absolute `links` (default: the fake's own URL).
    pub link_base: Option<String>,
    /// A transport fault for every authenticated request (default none).
    pub fault: Option<Fault>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            token: DEFAULT_TOKEN.to_owned(),
            products: default_products(),
            instances: default_instances(),
            max_page_size: 1000,
            default_page_size: 100,
            budget: 1000,
            window_seconds: 3600,
            cors: Cors::Full,
            force_status: None,
            fail_first: 0,
            fail_status: 503,
            error_body: ErrorBody::Json,
            delay: Duration::ZERO,
            missing_links: false,
            unknown_fields: false,
            empty_details: false,
            endless_pages: false,
            malformed_prices: false,
            write_scope: false,
            link_base: None,
            fault: None,
        }
    }
}

/// Linux on-demand prices of the default products in `us-east-1` (USD/hour). Other regions:
/// `us-west-2` the same, `eu-central-1` × 1.15; spot is 35 % of on-demand; `rhel` adds 0.13
/// and `windows` 0.092.
pub const DEFAULT_PRICES: &[(&str, f64)] = &[
    ("c5.xlarge", 0.17),
    ("c6a.large", 0.0801),
    ("m5.large", 0.101),
    ("m5.xlarge", 0.202),
    ("m7g.large", 0.0851),
    ("p5.48xlarge", 98.32),
    ("t3.medium", 0.0432),
];

/// Regions of the default products.
pub const DEFAULT_REGIONS: &[(&str, f64)] = &[
    ("us-east-1", 1.0),
    ("us-west-2", 1.0),
    ("eu-central-1", 1.15),
];

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The default linux price of `name` in `region` for `lifecycle` (`on-demand`, `spot`).
pub fn default_price(name: &str, region: &str, lifecycle: &str) -> Option<f64> {
    let base = DEFAULT_PRICES.iter().find(|(n, _)| *n == name)?.1;
    let factor = DEFAULT_REGIONS.iter().find(|(r, _)| *r == region)?.1;
    let od = base * factor;
    Some(round6(if lifecycle == "spot" { od * 0.35 } else { od }))
}

/// The default products: [`DEFAULT_PRICES`] in [`DEFAULT_REGIONS`], three platforms, on-demand
/// and spot, after one storage-rate decoy that a client must skip.
pub fn default_products() -> Vec<FakeProduct> {
    DEFAULT_PRICES
        .iter()
        .map(|(name, base)| {
            let mut prices = vec![FakePrice {
                region: "us-east-1".to_owned(),
                platform: "linux".to_owned(),
                lifecycle: "on-demand".to_owned(),
                unit: "gb-month".to_owned(),
                rate_type: "storage".to_owned(),
                amount: 9.99,
            }];
            for (region, factor) in DEFAULT_REGIONS {
                for (platform, extra) in [("rhel", 0.13), ("windows", 0.092), ("linux", 0.0)] {
                    for lifecycle in ["on-demand", "spot"] {
                        let od = base * factor;
                        let amount = if lifecycle == "spot" { od * 0.35 } else { od } + extra;
                        prices.push(FakePrice {
                            region: (*region).to_owned(),
                            platform: platform.to_owned(),
                            lifecycle: lifecycle.to_owned(),
                            unit: "hour".to_owned(),
                            rate_type: "compute".to_owned(),
                            amount: round6(amount),
                        });
                    }
                }
            }
            FakeProduct {
                name: (*name).to_owned(),
                prices,
            }
        })
        .collect()
}

/// The default Instances API records: `ec2/m5.large`, `gcp/n2-standard-4` and `azure/d4sv5`
/// (served under the slug only, so a client must try both Azure naming forms).
pub fn default_instances() -> Vec<(String, String, Value)> {
    vec![
        (
            "ec2".to_owned(),
            "m5.large".to_owned(),
            json!({"instance_type": "m5.large", "vCPU": 2, "memory": 8.0,
                   "pricing": {"us-east-1": {"linux": {"ondemand": "0.101", "spot_avg": "0.0354"},
                                             "mswin": {"ondemand": "0.193"}},
                               "eu-central-1": {"linux": {"ondemand": "0.11615"}}}}),
        ),
        (
            "gcp".to_owned(),
            "n2-standard-4".to_owned(),
            json!({"instance_type": "n2-standard-4", "vCPU": 4, "memory": 16,
                   "pricing": {"us-central1": {"linux": {"ondemand": "0.1942", "spot": "0.0471"}}}}),
        ),
        (
            "azure".to_owned(),
            "d4sv5".to_owned(),
            json!({"instance_type": "d4sv5", "vcpu": 4, "memory": 16,
                   "pricing": {"us-east": {"linux": {"ondemand": 0.192, "spot_min": 0.02, "spot_max": 0.04}},
                               "europe-west": {"linux": {"ondemand": 0.21}}}}),
        ),
    ]
}

/// One request the fake received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// `GET`, `OPTIONS`, ...
    pub method: String,
    /// Path without the query (`/v2/products`).
    pub path: String,
    /// The query string (without `?`).
    pub query: String,
    /// Every header as received.
    pub headers: Vec<(String, String)>,
    /// The status answered.
    pub status: u16,
}

/// The instance types whose API v2 product the `requests` looked up (`/v2/products?name=…`),
/// sorted.
pub fn products_asked(requests: &[LoggedRequest]) -> Vec<String> {
    let mut names: Vec<String> = requests
        .iter()
        .filter(|r| r.path == "/v2/products")
        .filter_map(|r| {
            r.query
                .split('&')
                .find_map(|p| p.strip_prefix("name="))
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// The fake's answers without a socket: the same function of its [`Config`], rate-limit budget
/// and the time that the server ([`start`]) answers with, for hosts that cannot listen (the
/// app's wasm-bindgen tests answer the worker path's Vantage requests with it). It logs every
/// request as the server does. Transport faults ([`Config::fault`]) and delays are the server's
/// and do not apply here.
#[derive(Debug)]
pub struct Responder {
    config: Config,
    url: String,
    log: Vec<LoggedRequest>,
    used: u32,
    window_end: u64,
    failed: u32,
}

/// One answer of the fake: status, headers (rate limit, CORS), body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body's `Content-Type` (sent only with a body).
    pub content_type: &'static str,
    /// Every other header.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Responder {
    /// A fake whose absolute `links` start with `url` (unless [`Config::link_base`] says
    /// otherwise), with a fresh budget and an empty log.
    pub fn new(config: Config, url: &str) -> Responder {
        Responder {
            config,
            url: url.to_owned(),
            log: Vec::new(),
            used: 0,
            window_end: 0,
            failed: 0,
        }
    }

    /// Answers `method target` (`target`: path and query, `/v2/products?name=m5.large`) with
    /// `headers`, at `now_unix` (Unix seconds: the rate-limit window), and logs it.
    pub fn respond(
        &mut self,
        method: &str,
        target: &str,
        headers: Vec<(String, String)>,
        now_unix: u64,
    ) -> Answer {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let answer = handle(self, method, path, query, &headers, now_unix);
        self.log.push(LoggedRequest {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            status: answer.status,
        });
        answer
    }

    /// Every request so far.
    pub fn requests(&self) -> &[LoggedRequest] {
        &self.log
    }
}

/// A running fake; it serves until the process exits.
pub struct FakeVantage {
    url: String,
    state: Arc<Mutex<Responder>>,
}

/// Starts a fake on a free port of 127.0.0.1 in a background thread.
pub fn start(config: Config) -> std::io::Result<FakeVantage> {
    start_on("127.0.0.1:0", config)
}

/// Starts a fake on `addr` (e.g. `127.0.0.1:8787`).
pub fn start_on(addr: &str, config: Config) -> std::io::Result<FakeVantage> {
    let listener = TcpListener::bind(addr)?;
    let url = format!("http://{}", listener.local_addr()?);
    let state = Arc::new(Mutex::new(Responder::new(config, &url)));
    let shared = Arc::clone(&state);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let state = Arc::clone(&shared);
            thread::spawn(move || {
                let _ = serve(stream, &state);
            });
        }
    });
    Ok(FakeVantage { url, state })
}

impl FakeVantage {
    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state.lock().map(|s| s.log.clone()).unwrap_or_default()
    }

    /// Requests whose path starts with `prefix` (all methods).
    pub fn count(&self, prefix: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.path.starts_with(prefix))
            .count()
    }

    /// Forgets the log.
    pub fn clear_log(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.log.clear();
        }
    }

    /// Changes the behaviour of the running fake.
    pub fn configure(&self, change: impl FnOnce(&mut Config)) {
        if let Ok(mut s) = self.state.lock() {
            change(&mut s.config);
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn serve(stream: TcpStream, state: &Mutex<Responder>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    loop {
        if state
            .lock()
            .is_ok_and(|s| s.config.fault == Some(Fault::Reset))
        {
            // Let the request arrive, then close without reading it: unread bytes in the
            // receive buffer make the kernel answer with a RST instead of a FIN.
            thread::sleep(Duration::from_millis(100));
            if let Ok(mut s) = state.lock() {
                s.log.push(LoggedRequest {
                    method: "RESET".to_owned(),
                    path: String::new(),
                    query: String::new(),
                    headers: Vec::new(),
                    status: 0,
                });
            }
            return Ok(());
        }
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let length = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length.min(1 << 20)];
        reader.read_exact(&mut body)?;
        let close = headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close"));
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or("/").to_owned();
        let (reply, delay, fault) = {
            let mut s = state.lock().map_err(|_| std::io::ErrorKind::Other)?;
            let authorised = headers.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("authorization")
                    && v.strip_prefix("Bearer ") == Some(s.config.token.as_str())
            });
            let fault = s.config.fault.filter(|_| authorised);
            let reply = s.respond(&method, &target, headers, now_unix());
            (reply, s.config.delay, fault)
        };
        match fault {
            None => {}
            Some(Fault::Hang) => {
                thread::sleep(Duration::from_secs(600));
                return Ok(());
            }
            // Handled before the request is read (see below).
            Some(Fault::Reset) => return Ok(()),
            Some(Fault::Garbage) => {
                let body: Vec<u8> = (0..4096u32)
                    .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                    .collect();
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                stream.write_all(head.as_bytes())?;
                stream.write_all(&body)?;
                stream.flush()?;
                continue;
            }
            Some(Fault::NotHttp) => {
                stream.write_all(b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff\xfe garbage\r\n\r\n")?;
                stream.flush()?;
                return Ok(());
            }
            Some(Fault::Drip) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    reply.body.len()
                );
                stream.write_all(head.as_bytes())?;
                for byte in &reply.body {
                    stream.write_all(&[*byte])?;
                    stream.flush()?;
                    thread::sleep(Duration::from_millis(500));
                }
                return Ok(());
            }
        }
        if !delay.is_zero() {
            thread::sleep(delay);
        }
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Length: {}\r\n",
            reply.status,
            reason(reply.status),
            reply.body.len()
        );
        if !reply.body.is_empty() {
            head.push_str(&format!("Content-Type: {}\r\n", reply.content_type));
        }
        for (k, v) in &reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        if method != "HEAD" {
            stream.write_all(&reply.body)?;
        }
        stream.flush()?;
        if close {
            return Ok(());
        }
    }
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn json_answer(status: u16, body: Value) -> Answer {
    Answer {
        status,
        content_type: "application/json",
        headers: Vec::new(),
        body: body.to_string().into_bytes(),
    }
}

fn error_reply(config: &Config, status: u16, message: &str, instances: bool) -> Answer {
    match config.error_body {
        ErrorBody::Json if instances => {
            let code = match status {
                400 => "INVALID_REQUEST",
                401 => "UNAUTHORIZED",
                404 => "NOT_FOUND",
                429 => "RATE_LIMIT_EXCEEDED",
                _ => "INTERNAL_SERVER_ERROR",
            };
            json_answer(status, json!({"code": code, "error": message}))
        }
        ErrorBody::Json => json_answer(status, json!({"errors": [message]})),
        ErrorBody::Empty => Answer {
            status,
            content_type: "text/plain",
            headers: Vec::new(),
            body: Vec::new(),
        },
        ErrorBody::Text => Answer {
            status,
            content_type: "text/html",
            headers: Vec::new(),
            body: format!("<html><body><h1>{status}</h1>{message}</body></html>").into_bytes(),
        },
    }
}

fn cors_headers(config: &Config, reply: &mut Answer) {
    if config.cors == Cors::Full {
        reply
            .headers
            .push(("Access-Control-Allow-Origin".to_owned(), "*".to_owned()));
        reply.headers.push((
            "Access-Control-Expose-Headers".to_owned(),
            "x-rate-limit-limit, x-rate-limit-remaining, x-rate-limit-reset".to_owned(),
        ));
    }
}

fn handle(
    s: &mut Responder,
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    now: u64,
) -> Answer {
    let instances = path.starts_with("/api/");
    if method == "OPTIONS" {
        let mut reply = match s.config.cors {
            Cors::RejectPreflight => error_reply(&s.config, 405, "method not allowed", instances),
            Cors::Off => Answer {
                status: 204,
                content_type: "text/plain",
                headers: Vec::new(),
                body: Vec::new(),
            },
            Cors::Full => Answer {
                status: 204,
                content_type: "text/plain",
                headers: vec![
                    (
                        "Access-Control-Allow-Methods".to_owned(),
                        "GET, OPTIONS".to_owned(),
                    ),
                    (
                        "Access-Control-Allow-Headers".to_owned(),
                        "authorization, accept".to_owned(),
                    ),
                    ("Access-Control-Max-Age".to_owned(), "600".to_owned()),
                ],
                body: Vec::new(),
            },
        };
        cors_headers(&s.config, &mut reply);
        return reply;
    }
    if now >= s.window_end {
        s.used = 0;
        s.window_end = now + s.config.window_seconds.max(1);
    }
    let authorized = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("authorization") && *v == format!("Bearer {}", s.config.token)
    });
    let mut reply = if method != "GET" && method != "HEAD" {
        error_reply(&s.config, 405, "method not allowed", instances)
    } else if !authorized {
        error_reply(&s.config, 401, "Unauthorized", instances)
    } else if s.used >= s.config.budget {
        error_reply(&s.config, 429, "Rate limit exceeded", instances)
    } else {
        s.used += 1;
        if let Some(status) = s.config.force_status {
            error_reply(&s.config, status, "forced failure", instances)
        } else if s.failed < s.config.fail_first {
            s.failed += 1;
            let status = s.config.fail_status;
            error_reply(&s.config, status, "temporary failure", instances)
        } else {
            route(s, path, query)
        }
    };
    let remaining = s.config.budget.saturating_sub(s.used);
    reply
        .headers
        .push(("x-rate-limit-limit".to_owned(), s.config.budget.to_string()));
    reply
        .headers
        .push(("x-rate-limit-remaining".to_owned(), remaining.to_string()));
    reply
        .headers
        .push(("x-rate-limit-reset".to_owned(), s.window_end.to_string()));
    cors_headers(&s.config, &mut reply);
    reply
}

fn page_links(
    base: &str,
    path: &str,
    params: &[(String, String)],
    page: usize,
    last: usize,
    next: bool,
) -> Value {
    let url = |p: usize| {
        let mut q: Vec<String> = params
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        q.push(format!("page={p}"));
        q.sort();
        format!("{base}{path}?{}", q.join("&"))
    };
    json!({
        "self": url(page),
        "first": url(1),
        "next": if next { Value::String(url(page + 1)) } else { Value::Null },
        "last": url(last),
        "prev": if page > 1 { Value::String(url(page - 1)) } else { Value::Null },
    })
}

/// Slices `items` for `page`/`limit`; `Err` is a 400 message.
fn paginate(config: &Config, params: &[(String, String)]) -> Result<(usize, usize), String> {
    let page = match param(params, "page") {
        None => 1,
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| format!("page must be a positive integer, not `{p}`"))?,
    };
    let limit = match param(params, "limit") {
        None => config.default_page_size,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=1000).contains(l))
            .ok_or_else(|| format!("limit must be between 1 and 1000, not `{l}`"))?,
    };
    Ok((page, limit.min(config.max_page_size).max(1)))
}

fn list_reply(
    s: &Responder,
    path: &str,
    params: &[(String, String)],
    key: &str,
    items: Vec<Value>,
) -> Answer {
    let (page, size) = match paginate(&s.config, params) {
        Ok(x) => x,
        Err(m) => return error_reply(&s.config, 400, &m, false),
    };
    let last = items.len().div_ceil(size).max(1);
    let start = (page - 1).saturating_mul(size);
    let slice: Vec<Value> = items.into_iter().skip(start).take(size).collect();
    let endless = s.config.endless_pages && key == "prices";
    let next = endless || page < last;
    let mut body = json!({ key: slice });
    if !s.config.missing_links {
        let base = s.config.link_base.clone().unwrap_or_else(|| s.url.clone());
        body["links"] = page_links(&base, path, params, page, last.max(page), next);
    }
    if s.config.unknown_fields {
        body["meta"] = json!({"total": "unknown", "server": "fake-vantage"});
    }
    json_answer(200, body)
}

fn product_json(config: &Config, p: &FakeProduct) -> Value {
    let mut v = json!({
        "id": p.id(), "category": "compute", "name": p.name, "service_id": "aws-ec2",
        "provider_id": "aws",
        "details": if config.empty_details { json!({}) } else {
            json!({"gpu": 0, "name": format!("{} fake", p.name), "vcpu": 2, "memory": 8.0,
                   "storage": null})
        },
    });
    if config.unknown_fields {
        v["lifecycle_status"] = json!("current");
    }
    v
}

fn price_json(config: &Config, product: &FakeProduct, p: &FakePrice) -> Value {
    let us = |s: &str| s.replace('-', "_");
    let mut v = json!({
        "id": format!("{}-{}-{}-{}", product.id(), us(&p.region), us(&p.lifecycle), us(&p.platform)),
        "unit": p.unit, "region": p.region, "rate_type": p.rate_type, "currency": "USD",
        "amount": p.amount, "details": {"platform": p.platform, "lifecycle": p.lifecycle},
    });
    if config.unknown_fields {
        v["effective_date"] = json!("2026-07-01");
        v["details"]["tenancy"] = json!("shared");
    }
    v
}

fn route(s: &Responder, path: &str, query: &str) -> Answer {
    let params = params(query);
    let config = &s.config;
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(decode)
        .collect();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let product = |id: &str| config.products.iter().find(|p| p.id() == id);
    match seg.as_slice() {
        ["v2", "ping"] => json_answer(200, json!({"status": "ok"})),
        ["v2", "me"] => {
            let scope = if config.write_scope {
                json!(["read", "write"])
            } else {
                json!(["read"])
            };
            json_answer(
                200,
                json!({"default_workspace_token": null, "workspaces": [],
                       "bearer_token": {"description": "fake token",
                                        "created_at": "2026-01-01T00:00:00Z", "scope": scope}}),
            )
        }
        ["v2", "products"] => {
            let provider = param(&params, "provider_id");
            let service = param(&params, "service_id");
            let name = param(&params, "name");
            let items: Vec<Value> = config
                .products
                .iter()
                .filter(|_| provider.is_none_or(|p| p == "aws"))
                .filter(|_| service.is_none_or(|p| p == "aws-ec2"))
                .filter(|p| name.is_none_or(|n| n == p.name))
                .map(|p| product_json(config, p))
                .collect();
            list_reply(s, path, &params, "products", items)
        }
        ["v2", "products", id] => match product(id) {
            Some(p) => json_answer(200, product_json(config, p)),
            None => error_reply(config, 404, "Product not found", false),
        },
        ["v2", "products", id, "prices"] => match product(id) {
            Some(_) if config.malformed_prices => Answer {
                status: 200,
                content_type: "application/json",
                headers: Vec::new(),
                body: b"{\"prices\": [ {\"id\": oops".to_vec(),
            },
            Some(p) => {
                let items = p
                    .prices
                    .iter()
                    .map(|price| price_json(config, p, price))
                    .collect();
                list_reply(s, path, &params, "prices", items)
            }
            None => error_reply(config, 404, "Product not found", false),
        },
        ["v2", "products", pid, "prices", id] => {
            let found = product(pid).and_then(|p| {
                p.prices
                    .iter()
                    .map(|price| price_json(config, p, price))
                    .find(|v| v["id"] == *id)
            });
            match found {
                Some(v) => json_answer(200, v),
                None => error_reply(config, 404, "Price not found", false),
            }
        }
        ["api", "v1", "instances", service, name, "global"] => {
            match config
                .instances
                .iter()
                .find(|(sv, n, _)| sv == service && n == name)
            {
                Some((_, _, record)) => json_answer(200, record.clone()),
                None => error_reply(config, 404, "Instance not found", true),
            }
        }
        _ => error_reply(config, 404, "Not found", instances_path(path)),
    }
}

fn instances_path(path: &str) -> bool {
    path.starts_with("/api/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_queries() {
        assert_eq!(decode("m5.large"), "m5.large");
        assert_eq!(decode("a%20b%2F"), "a b/");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(
            params("name=m5.large&limit=1000"),
            vec![
                ("name".to_owned(), "m5.large".to_owned()),
                ("limit".to_owned(), "1000".to_owned())
            ]
        );
    }

    #[test]
    fn the_responder_answers_as_the_server_and_logs() {
        let mut fake = Responder::new(Config::default(), "http://vantage.test");
        let auth = vec![(
            "Authorization".to_owned(),
            format!("Bearer {DEFAULT_TOKEN}"),
        )];
        let a = fake.respond(
            "GET",
            "/v2/products?service_id=aws-ec2&name=m5.large&limit=1000",
            auth.clone(),
            1_800_000_000,
        );
        assert_eq!(a.status, 200);
        let body: Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(body["products"][0]["id"], "aws-ec2-m5_large");
        assert!(
            body["links"]["self"]
                .as_str()
                .unwrap()
                .starts_with("http://vantage.test/v2/products?")
        );
        assert!(a.headers.contains(&(
            "x-rate-limit-reset".to_owned(),
            (1_800_000_000 + 3600).to_string()
        )));
        assert_eq!(
            fake.respond("GET", "/v2/ping", Vec::new(), 1_800_000_001)
                .status,
            401
        );
        let log = fake.requests();
        assert_eq!(log.len(), 2);
        assert_eq!(
            (log[0].path.as_str(), log[0].query.as_str(), log[0].status),
            (
                "/v2/products",
                "service_id=aws-ec2&name=m5.large&limit=1000",
                200
            )
        );
        assert_eq!((log[1].path.as_str(), log[1].status), ("/v2/ping", 401));
    }

    #[test]
    fn default_prices_are_consistent() {
        let p = default_products();
        let m5 = p.iter().find(|p| p.name == "m5.large").unwrap();
        assert_eq!(m5.id(), "aws-ec2-m5_large");
        assert!(m5.prices.iter().any(|x| x.platform == "linux"
            && x.lifecycle == "on-demand"
            && x.region == "us-east-1"
            && x.rate_type == "compute"
            && (x.amount - 0.101).abs() < 1e-9));
        let spot = default_price("m5.large", "eu-central-1", "spot").unwrap();
        assert!((spot - 0.101 * 1.15 * 0.35).abs() < 1e-6);
    }
}
