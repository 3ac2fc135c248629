//! The Vantage panel: prices from the user's own Vantage key.
//!
//! "Fetch prices" does not fetch here: it asks the app for an analysis with a Vantage part
//! ([`VantageRequest`]: API, base URL, the token, the cached prices), which the worker runs
//! through the core's pipeline; the panel shows that run ([`FetchRun`]: Vantage lines,
//! rate-limit waits, statuses, problems). "Test token" and the proxy probe are single requests
//! ([`checks`]).
//!
//! Secrets: the token lives in a signal (memory) and travels to the worker inside the one
//! request that asks Vantage, where it goes only into the `Authorization` header. It is
//! written to localStorage only while "Remember on this device" is ticked, and removed when
//! that is unticked or "Forget" is pressed. It never enters a URL, a log line, the reply, the
//! price file handed to later analyses, the cache or a report.
//!
//! Base URL: under `trunk serve` the same-origin `/vantage` path is proxied to
//! `https://api.vantage.sh` (Trunk.toml), which avoids CORS. When the panel is first opened it
//! probes `vantage/v2/ping` on this origin without any token ([`checks::same_origin_proxy`]);
//! a proxy found makes `/vantage` the default, otherwise (a static deployment) the default is
//! `https://api.vantage.sh`. The user can type any URL.

pub mod checks;
pub mod run;

use kube_rightsize_core::format::fmt_rate;
use kube_rightsize_core::pricing::vantage::{ApiKind, Config, PriceKey, Token, TypeStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

use crate::engine::{Secret, VantageRequest};
use crate::storage;

pub use checks::PROXY_BASE;
pub use run::{End, FetchRun};

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

/// The panel's fields: key type, token, "remember", base URL, and what the probe found.
#[derive(Clone, Copy)]
struct Fields {
    api: RwSignal<ApiKind>,
    token: RwSignal<String>,
    remember: RwSignal<bool>,
    detected: RwSignal<Detected>,
    base_url: RwSignal<String>,
    base_edited: RwSignal<bool>,
}

impl Fields {
    fn new() -> Fields {
        let remembered = storage::remembered_token();
        let fields = Fields {
            api: RwSignal::new(ApiKind::V2),
            remember: RwSignal::new(remembered.is_some()),
            token: RwSignal::new(remembered.unwrap_or_default()),
            detected: RwSignal::new(Detected::Unknown),
            base_url: RwSignal::new(String::new()),
            base_edited: RwSignal::new(false),
        };
        // The default base URL follows the key type and the probe until the user types one.
        Effect::new(move |_| {
            let base = default_base(fields.api.get(), fields.detected.get());
            if !fields.base_edited.get_untracked() {
                fields.base_url.set(base);
            }
        });
        fields
    }

    /// Probes for a same-origin proxy, once.
    fn detect(self) {
        if self.detected.get_untracked() != Detected::Unknown {
            return;
        }
        self.detected.set(Detected::Probing);
        spawn_local(async move {
            let found = checks::same_origin_proxy().await;
            self.detected.set(if found {
                Detected::Proxy
            } else {
                Detected::Direct
            });
        });
    }

    /// The API and base URL, once the probe (if running) has settled the default.
    async fn config(self) -> Config {
        while self.detected.get_untracked() == Detected::Probing {
            gloo_timers::future::TimeoutFuture::new(50).await;
        }
        Config::new(
            self.api.get_untracked(),
            Some(&self.base_url.get_untracked()),
        )
    }

    fn set_token(self, value: String) {
        if self.remember.get_untracked() {
            storage::remember_token(Some(&value));
        }
        self.token.set(value);
    }

    fn set_remember(self, on: bool) {
        self.remember.set(on);
        let token = self.token.get_untracked();
        storage::remember_token(on.then_some(token.as_str()));
    }

    fn set_base(self, value: &str) {
        let value = value.trim();
        self.base_edited.set(!value.is_empty());
        self.base_url.set(if value.is_empty() {
            default_base(self.api.get_untracked(), self.detected.get_untracked())
        } else {
            value.to_owned()
        });
    }

    fn base_note(self) -> &'static str {
        match (self.api.get(), self.detected.get()) {
            (_, Detected::Unknown | Detected::Probing) => {
                "Looking for a same-origin proxy (trunk serve)…"
            }
            (ApiKind::V2, Detected::Proxy) => {
                "This page is served by trunk serve: /vantage is its proxy to https://api.vantage.sh (no CORS)."
            }
            (ApiKind::V2, Detected::Direct) => {
                "No same-origin proxy here: requests go to Vantage directly, which the browser may block (CORS). Any proxy URL works."
            }
            (ApiKind::Instances, _) => {
                "The Instances API is called directly (the trunk proxy covers API v2 only). Any proxy URL works."
            }
        }
    }
}

/// "Test token": running, its result (ok, text), and the base URL it found blocked.
#[derive(Clone, Copy)]
struct TokenTest {
    running: RwSignal<bool>,
    cancelled: RwSignal<bool>,
    result: RwSignal<Option<(bool, String)>>,
    blocked: RwSignal<Option<String>>,
    abort: StoredValue<Option<AbortController>, LocalStorage>,
}

impl TokenTest {
    fn new() -> TokenTest {
        TokenTest {
            running: RwSignal::new(false),
            cancelled: RwSignal::new(false),
            result: RwSignal::new(None),
            blocked: RwSignal::new(None),
            abort: StoredValue::new_local(None),
        }
    }

    fn clear(self) {
        self.result.set(None);
        self.blocked.set(None);
    }

    fn start(self, fields: Fields) {
        let token = Token::new(&fields.token.get_untracked());
        if token.is_empty() {
            self.result
                .set(Some((false, "Enter a token first.".into())));
            return;
        }
        let Ok(abort) = AbortController::new() else {
            return;
        };
        self.abort.set_value(Some(abort.clone()));
        self.running.set(true);
        self.cancelled.set(false);
        self.blocked.set(None);
        self.result.set(Some((true, "Testing the token…".into())));
        spawn_local(async move {
            let config = fields.config().await;
            let result = checks::test_token(&config, &token, &abort).await;
            self.result.set(Some(match result {
                _ if self.cancelled.get_untracked() => (false, "Cancelled.".into()),
                Ok(text) => (true, text),
                Err(e) => {
                    if e.blocked {
                        self.blocked.set(Some(config.base_url.clone()));
                    }
                    (false, format!("Token test failed: {}", e.message))
                }
            }));
            self.running.set(false);
        });
    }

    fn cancel(self) {
        self.cancelled.set(true);
        if let Some(a) = self.abort.get_value() {
            a.abort();
        }
    }
}

/// The Vantage panel: key type, token (memory only unless remembered), base URL, "Test token",
/// "Fetch prices" (an analysis that asks Vantage) with its progress, waits, statuses and
/// problems, cancel, and the CORS explanation.
#[component]
pub fn VantagePanel(
    /// The prices the current cluster needs (from the last analysis; manually priced types left
    /// out); empty before an analysis.
    #[prop(into)]
    wanted: Signal<Vec<PriceKey>>,
    /// The last fetch.
    #[prop(into)]
    run: Signal<FetchRun>,
    /// True while the analysis uses fetched Vantage prices.
    #[prop(into)]
    applied: Signal<bool>,
    /// Asks for an analysis that fetches prices from Vantage.
    on_fetch: Callback<VantageRequest>,
    /// Cancels that analysis.
    on_cancel: Callback<()>,
    /// Stops using the fetched prices.
    on_stop: Callback<()>,
) -> impl IntoView {
    let fields = Fields::new();
    let test = TokenTest::new();
    // What the panel says of its own actions (cache cleared, nothing to fetch, ...), until the
    // next fetch.
    let note = RwSignal::new(None::<String>);
    let busy = Signal::derive(move || test.running.get() || run.with(|r| r.running));

    let fetch = move || {
        if busy.get_untracked() {
            return;
        }
        note.set(None);
        test.clear();
        if wanted.with_untracked(Vec::is_empty) {
            note.set(Some(
                "Load a cluster first: the prices asked for are those of its nodes.".into(),
            ));
            return;
        }
        let token = fields.token.get_untracked().trim().to_owned();
        if token.is_empty() {
            note.set(Some("Enter a token first.".into()));
            return;
        }
        spawn_local(async move {
            let config = fields.config().await;
            on_fetch.run(VantageRequest {
                api: config.api,
                base_url: config.base_url,
                token: Secret(token),
                cache: storage::vantage_cache(),
            });
        });
    };
    let cancel = move || {
        if test.running.get_untracked() {
            test.cancel();
        } else {
            on_cancel.run(());
        }
    };
    let clear_cache = move || {
        storage::clear_vantage_cache();
        note.set(Some("Price cache cleared.".into()));
    };
    let stop = move || {
        on_stop.run(());
        note.set(Some("Vantage prices are no longer used.".into()));
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
                    fields.detect();
                }
            }
        >
            <summary>"Vantage: prices with your own key"</summary>
            <div class="settings-grid vantage-grid">
                <p class="muted">
                    "Asks Vantage for the price of each instance type of this cluster (about two requests per type; none for types cached in the last 24 h, or priced manually). "
                    "The token goes only into the Authorization header of those requests."
                </p>
                <TokenFields fields=fields />
                <Actions
                    busy=busy
                    can_test=Signal::derive(move || fields.api.get() == ApiKind::V2)
                    applied=applied
                    on_test=Callback::new(move |_| test.start(fields))
                    on_fetch=Callback::new(move |_| fetch())
                    on_cancel=Callback::new(move |_| cancel())
                    on_clear_cache=Callback::new(move |_| clear_cache())
                    on_stop=Callback::new(move |_| stop())
                />
                {move || {
                    test.result.get().map(|(ok, text)| view! {
                        <p id="vantage-test-result" class=if ok { "ok" } else { "error" } role="status">{text}</p>
                    })
                }}
                {move || {
                    test.blocked
                        .get()
                        .or_else(|| run.with(FetchRun::blocked))
                        .map(|base| view! { <Blocked base=base /> })
                }}
                <RunView run=run note=note />
            </div>
        </details>
    }
}

/// The panel's buttons.
#[component]
fn Actions(
    busy: Signal<bool>,
    can_test: Signal<bool>,
    applied: Signal<bool>,
    on_test: Callback<()>,
    on_fetch: Callback<()>,
    on_cancel: Callback<()>,
    on_clear_cache: Callback<()>,
    on_stop: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="row vantage-actions">
            <button
                type="button"
                id="vantage-test"
                disabled=move || busy.get() || !can_test.get()
                title="GET /v2/ping, then /v2/me (API v2 only)"
                on:click=move |_| {
                    if !busy.get_untracked() {
                        on_test.run(());
                    }
                }
            >
                "Test token"
            </button>
            <button type="button" id="vantage-fetch" class="primary" disabled=busy on:click=move |_| on_fetch.run(())>
                "Fetch prices"
            </button>
            <button type="button" id="vantage-cancel" disabled=move || !busy.get() on:click=move |_| on_cancel.run(())>
                "Cancel"
            </button>
            <button
                type="button"
                id="vantage-clear-cache"
                disabled=busy
                title="Forget the cached prices (the next fetch asks Vantage again)"
                on:click=move |_| on_clear_cache.run(())
            >
                "Clear price cache"
            </button>
            <Show when=move || applied.get()>
                <button type="button" id="vantage-stop" on:click=move |_| on_stop.run(())>
                    "Stop using Vantage prices"
                </button>
            </Show>
        </div>
    }
}

/// Key type, token, "Remember on this device" (with its warning and "Forget"), base URL.
#[component]
fn TokenFields(fields: Fields) -> impl IntoView {
    view! {
        <label for="vantage-api">"Key type"</label>
        <select
            id="vantage-api"
            prop:value=move || fields.api.get().as_str()
            on:change=move |ev| {
                if let Some(kind) = ApiKind::from_name(&event_target_value(&ev)) {
                    fields.api.set(kind);
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
            prop:value=move || fields.token.get()
            on:input=move |ev| fields.set_token(event_target_value(&ev))
        />
        <label class="row">
            <input
                type="checkbox"
                id="vantage-remember"
                prop:checked=move || fields.remember.get()
                on:change=move |ev| fields.set_remember(event_target_checked(&ev))
            />
            "Remember on this device"
        </label>
        <Show when=move || fields.remember.get()>
            <p class="warning" id="vantage-remember-warning" role="note">
                "The token is kept unencrypted in this browser's localStorage for this site: anyone using this browser profile can read it. Use a read-only token, and press Forget on shared machines. "
                <button
                    type="button"
                    id="vantage-forget"
                    on:click=move |_| {
                        fields.set_remember(false);
                        fields.token.set(String::new());
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
            prop:value=move || fields.base_url.get()
            on:change=move |ev| fields.set_base(&event_target_value(&ev))
        />
        <p class="muted" id="vantage-base-note">{move || fields.base_note()}</p>
    }
}

/// The browser blocked a request to `base` (CORS): why, and three ways out.
#[component]
fn Blocked(base: String) -> impl IntoView {
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
                    "Run the app with " <code>"trunk serve"</code> ": it proxies "
                    <code>"/vantage/"</code> " to api.vantage.sh, so the browser talks to its own origin."
                </li>
                <li>"Point the base URL at a proxy you run that forwards to api.vantage.sh and allows this origin."</li>
                <li>
                    "Or fetch the prices natively: "
                    <code>"kube-rightsize prices cluster.json --vantage-token-env VANTAGE_TOKEN -o prices.json"</code>
                    ", then drop prices.json here with the cluster."
                </li>
            </ul>
            <p class="muted">"Other price sources (catalogue, price files, manual prices) keep working."</p>
        </div>
    }
}

fn usd(v: f64) -> String {
    format!("${}", fmt_rate(v))
}

/// The last fetch: its wait, summary (or the panel's `note`), Vantage lines, problems and
/// per-type statuses.
#[component]
fn RunView(run: Signal<FetchRun>, note: RwSignal<Option<String>>) -> impl IntoView {
    let status_row = |s: TypeStatus| {
        view! {
            <tr>
                <td>{s.instance_type}</td>
                <td>{s.region}</td>
                <td>{s.capacity_type.as_str()}</td>
                <td class="state">{s.state.as_str()}</td>
                <td class="num">{s.usd_per_hour.map(usd).unwrap_or_else(|| "—".into())}</td>
                <td class="source">{s.source}</td>
                <td class="details">{s.message.unwrap_or_default()}</td>
            </tr>
        }
    };
    view! {
        {move || {
            run.with(|r| r.waiting.clone())
                .map(|w| view! { <p class="warning" id="vantage-wait" role="status">{w}</p> })
        }}
        {move || {
            note.get()
                .or_else(|| run.with(FetchRun::summary))
                .map(|s| view! { <p id="vantage-summary" role="status">{s}</p> })
        }}
        <Show when=move || run.with(|r| !r.log.is_empty())>
            <ol class="vantage-log" id="vantage-log" aria-live="polite">
                {move || run.with(|r| r.log.clone()).into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ol>
        </Show>
        <ul class="settings-errors" id="vantage-problems">
            {move || {
                run.with(FetchRun::problems)
                    .into_iter()
                    .map(|p| view! { <li class="error">{p}</li> })
                    .collect_view()
            }}
        </ul>
        <Show when=move || run.with(|r| !r.statuses().is_empty())>
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
                    <tbody>{move || run.with(FetchRun::statuses).into_iter().map(status_row).collect_view()}</tbody>
                </table>
            </div>
        </Show>
    }
}
