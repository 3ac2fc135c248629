//! HTTP as data: the requests the core's network clients (Vantage, Prometheus, the price
//! catalogue) ask their shell to send, and what the shell hands back. The core never sends
//! anything itself; the CLI uses a blocking client, the browser `fetch`.

use std::fmt;

/// An HTTP request for the shell to send.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// `GET`.
    pub method: &'static str,
    /// Absolute (or, behind a same-origin proxy, relative) URL. Never holds a secret (tokens go in headers).
    pub url: String,
    /// Headers to set: `Authorization` (the token) and `Accept`.
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                if k.eq_ignore_ascii_case("authorization") {
                    (k.as_str(), "<redacted>")
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .finish()
    }
}

/// An HTTP response as the shell received it (any status).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers (names in any case).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

/// A request that got no HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// No answer in time (retried like a 5xx).
    Timeout,
    /// The browser refused the request without a status (a `fetch` TypeError): almost always
    /// CORS (the Vantage client stops with
    /// [`crate::pricing::vantage::cors_explanation`]).
    Blocked,
    /// Connection refused, DNS failure, TLS error, ...: stops the run.
    Network(String),
}

impl Request {
    /// A `GET` of `url` with these headers.
    pub fn get(url: impl Into<String>, headers: Vec<(String, String)>) -> Request {
        Request {
            method: "GET",
            url: url.into(),
            headers,
        }
    }
}
