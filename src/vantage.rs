//! The Vantage panel: prices from the user's own Vantage key, fetched by this browser tab.
//!
//! The core's sans-IO client ([`kube_rightsize_core::pricing::vantage`]) decides every request,
//! wait and message; this component only carries bytes with `fetch`, tells the client the time
//! (`js_sys::Date::now()`), counts waits down, and shows what the client reports.
//!
//! Secrets: the token lives in a signal (memory) and goes only into the `Authorization` header.
//! It is written to localStorage only while "Remember on this device" is ticked, and removed
//! when that is unticked or "Forget" is pressed. It never enters a URL, a log line, the price
//! file handed to the analysis, or a report. The price cache (prices and fetch times, never the
//! token) is kept in localStorage.
//!
//! Base URL: under `trunk serve` the same-origin `/vantage` path is proxied to
//! `https://api.vantage.sh` (Trunk.toml), which avoids CORS. When the panel is first opened it
//! probes `vantage/v2/ping` on this origin without any token: an answer that is not a 404 and
//! not an HTML page means a proxy is there, and `/vantage` becomes the default; otherwise (a
//! static deployment) the default is `https://api.vantage.sh`. The user can type any URL.

use std::cell::Cell;
use std::rc::Rc;

use kube_rightsize_core::pricing::import::write_price_file;
use kube_rightsize_core::pricing::vantage::cache::PriceCache;
use kube_rightsize_core::pricing::vantage::{
    ApiKind, Client, Config, PriceKey, Request, Response, Step, Token, TransportError, TypeStatus,
    check_ping, cors_explanation, me_request, parse_me, ping_request,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

use crate::files::js_message;

/// The localStorage key of the remembered token (only while "Remember on this device" is
/// ticked).
pub const TOKEN_KEY: &str = "kube-rightsize.vantage-token.v1";

/// The localStorage key of the price cache (prices and fetch times only).
pub const CACHE_KEY: &str = "kube-rightsize.vantage-cache.v1";

/// The same-origin path `trunk serve` proxies to `https://api.vantage.sh`.
pub const PROXY_BASE: &str = "/vantage";

/// How long one request may take before it counts as a timeout (the client retries it).
const REQUEST_TIMEOUT_MS: i32 = 30_000;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn stored(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten())
}

fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

fn unstore(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Sends one request with `fetch`. `controller` aborts it (cancel); a timer aborts it after
/// [`REQUEST_TIMEOUT_MS`] (a timeout). A `TypeError` without a status is a blocked request.
async fn send(
    request: &Request,
    controller: &web_sys::AbortController,
) -> Result<Response, TransportError> {
    let network = |e: wasm_bindgen::JsValue| TransportError::Network(js_message(&e));
    let window = web_sys::window().ok_or_else(|| TransportError::Network("no window".into()))?;
    let headers = web_sys::Headers::new().map_err(network)?;
    for (name, value) in &request.headers {
        headers.append(name, value).map_err(network)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(request.method);
    init.set_headers(&headers);
    init.set_signal(Some(&controller.signal()));
    init.set_cache(web_sys::RequestCache::NoStore);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let fetch_request =
        web_sys::Request::new_with_str_and_init(&request.url, &init).map_err(network)?;
    let timed_out = Rc::new(Cell::new(false));
    {
        let controller = controller.clone();
        let timed_out = Rc::clone(&timed_out);
        let on_timeout = Closure::once_into_js(move || {
            timed_out.set(true);
            controller.abort();
        });
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            on_timeout.unchecked_ref(),
            REQUEST_TIMEOUT_MS,
        );
    }
    let failed = |e: wasm_bindgen::JsValue| {
        if timed_out.get() {
            TransportError::Timeout
        } else if e.is_instance_of::<js_sys::TypeError>() {
            TransportError::Blocked
        } else {
            TransportError::Network(js_message(&e))
        }
    };
    let value = JsFuture::from(window.fetch_with_request(&fetch_request))
        .await
        .map_err(failed)?;
    let response: web_sys::Response = value
        .dyn_into()
        .map_err(|_| TransportError::Network("fetch gave no response".into()))?;
    let mut response_headers = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
        for entry in entries.flatten() {
            let pair: js_sys::Array = entry.unchecked_into();
            response_headers.push((
                pair.get(0).as_string().unwrap_or_default(),
                pair.get(1).as_string().unwrap_or_default(),
            ));
        }
    }
    let body = JsFuture::from(response.array_buffer().map_err(network)?)
        .await
        .map_err(failed)?;
    Ok(Response {
        status: response.status(),
        headers: response_headers,
        body: js_sys::Uint8Array::new(&body).to_vec(),
    })
}

/// True when this origin proxies `vantage/` (as `trunk serve` does): probed without a token.
async fn same_origin_proxy() -> bool {
    let request = Request {
        method: "GET",
        url: format!("{PROXY_BASE}/v2/ping"),
        headers: vec![("Accept".to_owned(), "application/json".to_owned())],
    };
    let Ok(controller) = web_sys::AbortController::new() else {
        return false;
    };
    match send(&request, &controller).await {
        Ok(r) => {
            let html = r.headers.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("content-type") && v.to_ascii_lowercase().contains("html")
            });
            r.status != 404 && !html
        }
        Err(_) => false,
    }
}

/// What the panel learnt about the base URL.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Detected {
    /// Not probed yet.
    Unknown,
    /// Probing.
    Probing,
    /// This origin proxies `/vantage` (trunk serve).
    Proxy,
    /// No same-origin proxy: call the public API.
    Direct,
}

fn default_base(api: ApiKind, detected: Detected) -> String {
    match (api, detected) {
        (ApiKind::V2, Detected::Proxy) => PROXY_BASE.to_owned(),
        _ => api.default_base_url().to_owned(),
    }
}

fn usd(v: f64) -> String {
    format!("${v:.4}")
}

/// The Vantage panel: key type, token (memory only unless remembered), base URL, "Test token",
/// "Fetch prices" with progress, waits, a status table, cancel, and the CORS explanation.
#[component]
pub fn VantagePanel(
    /// The prices the current cluster needs (`wanted_prices(&analysis.cluster)`); empty before
    /// an analysis.
    #[prop(into)]
    wanted: Signal<Vec<PriceKey>>,
    /// Receives a `kube-rightsize/prices/v1` JSON of the fetched prices (source `vantage`) for
    /// the analysis, or `None` to stop using Vantage prices.
    on_prices: Callback<Option<String>>,
) -> impl IntoView {
    let remembered = stored(TOKEN_KEY).filter(|t| !t.is_empty());
    let remember = RwSignal::new(remembered.is_some());
    let token = RwSignal::new(remembered.unwrap_or_default());
    let api = RwSignal::new(ApiKind::V2);
    let detected = RwSignal::new(Detected::Unknown);
    let base_url = RwSignal::new(String::new());
    let base_edited = RwSignal::new(false);
    let running = RwSignal::new(false);
    let cancelled = RwSignal::new(false);
    let controller = StoredValue::new_local(None::<web_sys::AbortController>);
    let log = RwSignal::new(Vec::<String>::new());
    let waiting = RwSignal::new(None::<String>);
    let statuses = RwSignal::new(Vec::<TypeStatus>::new());
    let problems = RwSignal::new(Vec::<String>::new());
    let summary = RwSignal::new(None::<String>);
    let blocked = RwSignal::new(None::<String>);
    let test_result = RwSignal::new(None::<(bool, String)>);
    let applied = RwSignal::new(false);

    // The default base URL follows the key type and the probe until the user types one.
    Effect::new(move |_| {
        let d = detected.get();
        let a = api.get();
        if !base_edited.get_untracked() {
            base_url.set(default_base(a, d));
        }
    });

    let detect = move || {
        if detected.get_untracked() != Detected::Unknown {
            return;
        }
        detected.set(Detected::Probing);
        spawn_local(async move {
            let found = same_origin_proxy().await;
            detected.set(if found {
                Detected::Proxy
            } else {
                Detected::Direct
            });
        });
    };

    let set_remember = move |on: bool| {
        remember.set(on);
        let t = token.get_untracked();
        if on && !t.trim().is_empty() {
            store(TOKEN_KEY, t.trim());
        } else {
            unstore(TOKEN_KEY);
        }
    };

    let config = move || {
        let base = base_url.get_untracked();
        Config::new(api.get_untracked(), Some(&base))
    };

    // The config once the proxy probe (if running) has settled the default base URL.
    let ready_config = move || async move {
        while detected.get_untracked() == Detected::Probing {
            sleep_ms(50).await;
        }
        config()
    };

    let new_controller = move || {
        let c = web_sys::AbortController::new().ok();
        controller.set_value(c.clone());
        c
    };

    let test_token = move |_| {
        if running.get_untracked() {
            return;
        }
        let tok = Token::new(&token.get_untracked());
        if tok.is_empty() {
            test_result.set(Some((false, "Enter a token first.".into())));
            return;
        }
        running.set(true);
        cancelled.set(false);
        blocked.set(None);
        test_result.set(Some((true, "Testing the token…".into())));
        spawn_local(async move {
            let config = ready_config().await;
            let base = config.base_url.clone();
            let result: Result<String, (String, bool)> = async {
                let Some(c) = new_controller() else {
                    return Err(("the browser cannot send requests".to_owned(), false));
                };
                let ping = send(&ping_request(&config, &tok), &c).await;
                let ping = match ping {
                    Ok(r) => r,
                    Err(TransportError::Blocked) => {
                        return Err((cors_explanation(&config.base_url), true));
                    }
                    Err(TransportError::Timeout) => {
                        return Err(("the request to Vantage timed out".to_owned(), false));
                    }
                    Err(TransportError::Network(e)) => {
                        return Err((format!("cannot reach {}: {e}", config.base_url), false));
                    }
                };
                check_ping(&ping).map_err(|e| (e.message, false))?;
                let Some(c) = new_controller() else {
                    return Err(("the browser cannot send requests".to_owned(), false));
                };
                let me = send(&me_request(&config, &tok), &c).await.map_err(|_| {
                    (
                        "the token works, but /v2/me could not be read".to_owned(),
                        false,
                    )
                })?;
                let info = parse_me(&me).map_err(|e| (e.message, false))?;
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
            .await;
            if cancelled.get_untracked() {
                test_result.set(Some((false, "Cancelled.".into())));
            } else {
                match result {
                    Ok(text) => test_result.set(Some((true, text))),
                    Err((text, cors)) => {
                        if cors {
                            blocked.set(Some(base.clone()));
                        }
                        test_result.set(Some((false, format!("Token test failed: {text}"))));
                    }
                }
            }
            running.set(false);
        });
    };

    let fetch_prices = move |_| {
        if running.get_untracked() {
            return;
        }
        let wanted = wanted.get_untracked();
        if wanted.is_empty() {
            summary.set(Some(
                "Load a cluster first: the prices asked for are those of its nodes.".into(),
            ));
            return;
        }
        let tok = Token::new(&token.get_untracked());
        running.set(true);
        cancelled.set(false);
        log.set(Vec::new());
        statuses.set(Vec::new());
        problems.set(Vec::new());
        blocked.set(None);
        waiting.set(None);
        test_result.set(None);
        summary.set(Some("Fetching prices…".into()));
        let (cache, cache_problem) = stored(CACHE_KEY)
            .map(|text| PriceCache::from_json(text.as_bytes()))
            .unwrap_or_default();
        if let Some(p) = cache_problem {
            log.update(|l| l.push(p));
        }
        spawn_local(async move {
            let config = ready_config().await;
            let base = config.base_url.clone();
            let mut client = Client::new(config, tok, wanted, cache, now_secs());
            'run: loop {
                if cancelled.get_untracked() {
                    break;
                }
                match client.next_step() {
                    Step::Send(request) => {
                        let Some(c) = new_controller() else {
                            break;
                        };
                        let result = send(&request, &c).await;
                        if cancelled.get_untracked() {
                            break;
                        }
                        client.receive(now_secs(), result);
                    }
                    Step::Wait { seconds, reason } => {
                        let mut left = seconds;
                        while left > 0 {
                            waiting.set(Some(format!("{reason} ({left} s left)")));
                            for _ in 0..4 {
                                sleep_ms(250).await;
                                if cancelled.get_untracked() {
                                    break 'run;
                                }
                            }
                            left -= 1;
                        }
                        waiting.set(None);
                        log.update(|l| l.push(reason));
                    }
                    Step::Progress(line) => log.update(|l| l.push(line)),
                    Step::Done => break,
                }
            }
            waiting.set(None);
            let requests = client.requests();
            let outcome = client.finish();
            store(CACHE_KEY, &outcome.cache.to_json());
            if outcome.warnings.iter().any(|w| w.code == "vantage_blocked") {
                blocked.set(Some(base.clone()));
            }
            problems.set(
                outcome
                    .warnings
                    .iter()
                    .filter(|w| w.code != "vantage_blocked")
                    .map(|w| w.message.clone())
                    .collect(),
            );
            let priced = outcome
                .statuses
                .iter()
                .filter(|s| s.usd_per_hour.is_some())
                .count();
            let total = outcome.statuses.len();
            let was_cancelled = cancelled.get_untracked();
            summary.set(Some(format!(
                "{}{requests} request{} to Vantage; {priced} of {total} price{} (type, region, capacity) from Vantage.",
                if was_cancelled { "Cancelled. " } else { "Done: " },
                if requests == 1 { "" } else { "s" },
                if total == 1 { "" } else { "s" },
            )));
            statuses.set(outcome.statuses);
            if !outcome.table.is_empty() {
                let generated_at = String::from(js_sys::Date::new_0().to_iso_string());
                applied.set(true);
                on_prices.run(Some(write_price_file(
                    &outcome.table,
                    &generated_at,
                    &outcome.warnings,
                )));
            }
            running.set(false);
        });
    };

    let cancel = move |_| {
        cancelled.set(true);
        if let Some(c) = controller.get_value() {
            c.abort();
        }
    };

    let status_rows = move || {
        statuses
            .get()
            .into_iter()
            .map(|s| {
                view! {
                    <tr>
                        <td>{s.instance_type.clone()}</td>
                        <td>{s.region.clone()}</td>
                        <td>{s.capacity_type.as_str()}</td>
                        <td class="state">{s.state.as_str()}</td>
                        <td class="num">{s.usd_per_hour.map(usd).unwrap_or_else(|| "—".into())}</td>
                        <td class="source">{s.source}</td>
                        <td class="details">{s.message.clone().unwrap_or_default()}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <details
            class="panel vantage"
            id="vantage"
            on:toggle=move |ev| {
                let open = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
                    .is_some_and(|d| d.open());
                if open {
                    detect();
                }
            }
        >
            <summary>"Vantage: prices with your own key"</summary>
            <div class="settings-grid vantage-grid">
                <p class="muted">
                    "Asks Vantage for the price of each instance type of this cluster (about two requests per type; none for types cached in the last 24 h). "
                    "The token goes only into the Authorization header of those requests."
                </p>
                <label for="vantage-api">"Key type"</label>
                <select
                    id="vantage-api"
                    prop:value=move || api.get().as_str()
                    on:change=move |ev| {
                        if let Some(kind) = ApiKind::from_name(&event_target_value(&ev)) {
                            api.set(kind);
                        }
                    }
                >
                    <option value="v2">"Console API token (Vantage API v2, AWS)"</option>
                    <option value="instances">"Instances API key (AWS, Azure, GCP)"</option>
                </select>
                <label for="vantage-token">"Token"</label>
                <input
                    type="password"
                    id="vantage-token"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="vntg_tkn_…"
                    prop:value=move || token.get()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        if remember.get_untracked() {
                            if value.trim().is_empty() {
                                unstore(TOKEN_KEY);
                            } else {
                                store(TOKEN_KEY, value.trim());
                            }
                        }
                        token.set(value);
                    }
                />
                <label class="row">
                    <input
                        type="checkbox"
                        id="vantage-remember"
                        prop:checked=move || remember.get()
                        on:change=move |ev| set_remember(event_target_checked(&ev))
                    />
                    "Remember on this device"
                </label>
                <Show when=move || remember.get()>
                    <p class="warning" id="vantage-remember-warning" role="note">
                        "The token is kept unencrypted in this browser's localStorage for this site: anyone using this browser profile can read it. Use a read-only token, and press Forget on shared machines. "
                        <button
                            type="button"
                            id="vantage-forget"
                            on:click=move |_| {
                                set_remember(false);
                                token.set(String::new());
                            }
                        >
                            "Forget"
                        </button>
                    </p>
                </Show>
                <label for="vantage-base">"Base URL"</label>
                <input
                    type="text"
                    id="vantage-base"
                    inputmode="url"
                    spellcheck="false"
                    prop:value=move || base_url.get()
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if value.trim().is_empty() {
                            base_edited.set(false);
                            base_url.set(default_base(api.get_untracked(), detected.get_untracked()));
                        } else {
                            base_edited.set(true);
                            base_url.set(value.trim().to_owned());
                        }
                    }
                />
                <p class="muted" id="vantage-base-note">
                    {move || match (api.get(), detected.get()) {
                        (_, Detected::Unknown | Detected::Probing) => {
                            "Looking for a same-origin proxy (trunk serve)…".to_owned()
                        }
                        (ApiKind::V2, Detected::Proxy) => {
                            "This page is served by trunk serve: /vantage is its proxy to https://api.vantage.sh (no CORS)."
                                .to_owned()
                        }
                        (ApiKind::V2, Detected::Direct) => {
                            "No same-origin proxy here: requests go to Vantage directly, which the browser may block (CORS). Any proxy URL works."
                                .to_owned()
                        }
                        (ApiKind::Instances, _) => {
                            "The Instances API is called directly (the trunk proxy covers API v2 only). Any proxy URL works."
                                .to_owned()
                        }
                    }}
                </p>
                <div class="row vantage-actions">
                    <button
                        type="button"
                        id="vantage-test"
                        disabled=move || running.get() || api.get() != ApiKind::V2
                        title="GET /v2/ping, then /v2/me (API v2 only)"
                        on:click=test_token
                    >
                        "Test token"
                    </button>
                    <button
                        type="button"
                        id="vantage-fetch"
                        class="primary"
                        disabled=move || running.get()
                        on:click=fetch_prices
                    >
                        "Fetch prices"
                    </button>
                    <button
                        type="button"
                        id="vantage-cancel"
                        disabled=move || !running.get()
                        on:click=cancel
                    >
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        id="vantage-clear-cache"
                        disabled=move || running.get()
                        title="Forget the cached prices (the next fetch asks Vantage again)"
                        on:click=move |_| {
                            unstore(CACHE_KEY);
                            summary.set(Some("Price cache cleared.".into()));
                        }
                    >
                        "Clear price cache"
                    </button>
                    <Show when=move || applied.get()>
                        <button
                            type="button"
                            id="vantage-stop"
                            on:click=move |_| {
                                applied.set(false);
                                on_prices.run(None);
                                summary.set(Some("Vantage prices are no longer used.".into()));
                            }
                        >
                            "Stop using Vantage prices"
                        </button>
                    </Show>
                </div>
                {move || {
                    test_result
                        .get()
                        .map(|(ok, text)| {
                            view! {
                                <p id="vantage-test-result" class=if ok { "ok" } else { "error" } role="status">
                                    {text}
                                </p>
                            }
                        })
                }}
                {move || {
                    blocked
                        .get()
                        .map(|base| {
                            view! {
                                <div class="error" id="vantage-blocked" role="alert">
                                    <strong>"The browser blocked the request to Vantage (CORS). "</strong>
                                    <span>
                                        {format!(
                                            "This page may not read answers from {base}: that server does not allow requests from this page's origin, or could not be reached. Three ways out:",
                                        )}
                                    </span>
                                    <ul>
                                        <li>
                                            "Run the app with " <code>"trunk serve"</code>
                                            ": it proxies " <code>"/vantage/"</code>
                                            " to api.vantage.sh, so the browser talks to its own origin."
                                        </li>
                                        <li>
                                            "Point the base URL at a proxy you run that forwards to api.vantage.sh and allows this origin."
                                        </li>
                                        <li>
                                            "Or fetch the prices natively: "
                                            <code>
                                                "kube-rightsize prices cluster.json --vantage-token-env VANTAGE_TOKEN -o prices.json"
                                            </code> ", then drop prices.json here with the cluster."
                                        </li>
                                    </ul>
                                    <p class="muted">"Other price sources (catalogue, price files, manual prices) keep working."</p>
                                </div>
                            }
                        })
                }}
                {move || waiting.get().map(|w| view! { <p class="warning" id="vantage-wait" role="status">{w}</p> })}
                {move || summary.get().map(|s| view! { <p id="vantage-summary" role="status">{s}</p> })}
                <Show when=move || !log.with(Vec::is_empty)>
                    <ol class="vantage-log" id="vantage-log" aria-live="polite">
                        {move || log.get().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                    </ol>
                </Show>
                <ul class="settings-errors" id="vantage-problems">
                    {move || {
                        problems.get().into_iter().map(|p| view! { <li class="error">{p}</li> }).collect_view()
                    }}
                </ul>
                <Show when=move || !statuses.with(Vec::is_empty)>
                    <div class="table-scroll">
                    <table class="vantage-status" id="vantage-status">
                        <caption>"Prices per instance type"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Type"</th>
                                <th scope="col">"Region"</th>
                                <th scope="col">"Capacity"</th>
                                <th scope="col">"State"</th>
                                <th scope="col">"USD/hour"</th>
                                <th scope="col">"Source"</th>
                                <th scope="col">"Details"</th>
                            </tr>
                        </thead>
                        <tbody>{status_rows}</tbody>
                    </table>
                    </div>
                </Show>
            </div>
        </details>
    }
}
