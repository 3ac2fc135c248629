//! The Vantage panel's two single requests, sent from the page with [`crate::net::send`]: the
//! same-origin proxy probe (no token) and "Test token" (`/v2/ping`, then `/v2/me`). Prices are
//! fetched by the analysis in the worker, not here. The requests and every message are the
//! core's ([`kube_rightsize_core::pricing::vantage`]).

use kube_rightsize_core::http::Request;
use kube_rightsize_core::pricing::vantage::{
    Config, Token, TransportError, check_ping, cors_explanation, me_request, parse_me, ping_request,
};
use web_sys::AbortController;

use crate::net::send;

/// The same-origin path `trunk serve` proxies to `https://api.vantage.sh`.
pub const PROXY_BASE: &str = "/vantage";

/// How long each of these requests may take.
const TIMEOUT_MS: u32 = crate::engine::VANTAGE_TIMEOUT_MS;

/// True when this origin proxies `vantage/` (as `trunk serve` does): `vantage/v2/ping` without
/// a token answers something that is not a 404 and not an HTML page.
pub async fn same_origin_proxy() -> bool {
    let request = Request::get(
        format!("{PROXY_BASE}/v2/ping"),
        vec![("Accept".to_owned(), "application/json".to_owned())],
    );
    match send(&request, TIMEOUT_MS, None).await {
        Ok(r) => {
            let html = r.headers.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("content-type") && v.to_ascii_lowercase().contains("html")
            });
            r.status != 404 && !html
        }
        Err(_) => false,
    }
}

/// Why a token test failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFailure {
    /// For people.
    pub message: String,
    /// The browser blocked the request (CORS).
    pub blocked: bool,
}

impl TestFailure {
    fn new(message: impl Into<String>) -> TestFailure {
        TestFailure {
            message: message.into(),
            blocked: false,
        }
    }
}

/// "Test token": `/v2/ping`, then `/v2/me` for the scopes; `abort` cancels it.
pub async fn test_token(
    config: &Config,
    token: &Token,
    abort: &AbortController,
) -> Result<String, TestFailure> {
    let ping = match send(&ping_request(config, token), TIMEOUT_MS, Some(abort)).await {
        Ok(r) => r,
        Err(TransportError::Blocked) => {
            return Err(TestFailure {
                message: cors_explanation(&config.base_url),
                blocked: true,
            });
        }
        Err(TransportError::Timeout) => {
            return Err(TestFailure::new("the request to Vantage timed out"));
        }
        Err(TransportError::Network(e)) => {
            return Err(TestFailure::new(format!(
                "cannot reach {}: {e}",
                config.base_url
            )));
        }
    };
    check_ping(&ping).map_err(|e| TestFailure::new(e.message))?;
    let me = send(&me_request(config, token), TIMEOUT_MS, Some(abort))
        .await
        .map_err(|_| TestFailure::new("the token works, but /v2/me could not be read"))?;
    let info = parse_me(&me).map_err(|e| TestFailure::new(e.message))?;
    let scopes = if info.scopes.is_empty() {
        "unknown".to_owned()
    } else {
        info.scopes.join(", ")
    };
    let mut text = format!("The token works (scopes: {scopes}).");
    if let Some(w) = info.warnings().first() {
        text.push_str(" Warning: ");
        text.push_str(&w.message);
        text.push('.');
    }
    Ok(text)
}
