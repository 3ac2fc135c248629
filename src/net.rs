//! HTTP for the page and the worker, all with `gloo-net`: sends the core's requests
//! ([`kube_rightsize_core::http::Request`]) with `gloo-net` (the global `fetch`, so it works in
//! a window and in a worker alike), with a timeout and an abort, and hands back the core's
//! [`Response`] or [`TransportError`]; fetches the demo files as Blobs.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder};
use gloo_timers::callback::Timeout;
use kube_rightsize_core::http::{Request, Response, TransportError};
use wasm_bindgen::JsCast;
use web_sys::{AbortController, RequestCache, RequestCredentials};

/// Sends `request`; after `timeout_ms` it is aborted and answered [`TransportError::Timeout`].
/// `controller`, when given, also aborts it (the user cancelled); otherwise one is made.
/// A request the browser refuses without a status (a `TypeError`: CORS, a refused connection)
/// is [`TransportError::Blocked`].
pub async fn send(
    request: &Request,
    timeout_ms: u32,
    controller: Option<&AbortController>,
) -> Result<Response, TransportError> {
    let own;
    let controller = match controller {
        Some(c) => c,
        None => {
            own = AbortController::new()
                .map_err(|_| TransportError::Network("AbortController is missing".into()))?;
            &own
        }
    };
    let timed_out = Rc::new(Cell::new(false));
    let _timer = {
        let controller = controller.clone();
        let timed_out = Rc::clone(&timed_out);
        // Dropped (cancelled) when this function returns.
        Timeout::new(timeout_ms, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let mut builder = RequestBuilder::new(&request.url)
        .method(if request.method == "GET" {
            Method::GET
        } else {
            Method::from_bytes(request.method.as_bytes()).unwrap_or(Method::GET)
        })
        .cache(RequestCache::NoStore)
        .credentials(RequestCredentials::Omit)
        .abort_signal(Some(&controller.signal()));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let failed = |e: gloo_net::Error| {
        if timed_out.get() {
            return TransportError::Timeout;
        }
        match e {
            gloo_net::Error::JsError(js) if js.name == "TypeError" => TransportError::Blocked,
            other => TransportError::Network(other.to_string()),
        }
    };
    let response = builder.send().await.map_err(failed)?;
    let headers = response.headers().entries().collect();
    let body = response.binary().await.map_err(failed)?;
    Ok(Response {
        status: response.status(),
        headers,
        body,
    })
}

/// Fetches `url` (relative to the page, same origin: the demo files) as a `Blob`, which stays
/// out of the page's wasm memory.
pub async fn fetch_blob(url: &str) -> Result<web_sys::Blob, String> {
    let response = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("cannot fetch {url}: {e}"))?;
    if !response.ok() {
        return Err(format!("cannot fetch {url}: HTTP {}", response.status()));
    }
    let raw = web_sys::Response::from(response);
    let promise = raw
        .blob()
        .map_err(|e| format!("cannot read {url}: {}", crate::files::js_message(&e)))?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|e| format!("cannot read {url}: {}", crate::files::js_message(&e)))?
        .dyn_into()
        .map_err(|_| format!("cannot read {url}: not a blob"))
}

/// Milliseconds since the page (or worker) started.
pub fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or(0.0, |p| p.now())
}

/// Seconds since the Unix epoch.
pub fn unix_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

/// Waits `seconds` (a Vantage rate limit).
pub async fn sleep(seconds: u64) {
    gloo_timers::future::TimeoutFuture::new(u32::try_from(seconds * 1000).unwrap_or(u32::MAX))
        .await;
}
