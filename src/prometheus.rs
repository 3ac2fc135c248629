//! The Prometheus field: where to read usage history for right-sizing recommendations. The
//! queries, the strategy and every failure message are the core's
//! ([`kube_rightsize_core::prometheus`]); the engine sends the queries with `fetch`.

use kube_rightsize_core::recommend::StrategyName;
use leptos::prelude::*;

use crate::engine::PrometheusRequest;

/// The command that makes an in-cluster Prometheus reachable at `http://localhost:9090`.
pub const PORT_FORWARD_COMMAND: &str = "kubectl port-forward svc/prometheus 9090";

/// A Prometheus URL field, a strategy choice and "Fetch usage".
#[component]
pub fn PrometheusPanel(
    /// The Prometheus the analysis reads usage from (`None`: not used).
    active: RwSignal<Option<PrometheusRequest>>,
    /// True when something is loaded to analyse.
    #[prop(into)]
    has_inputs: Signal<bool>,
    /// Called after `active` changed (the app re-runs the analysis).
    on_change: Callback<()>,
    /// The cluster each input went to in the last analysis: with several, Prometheus serves
    /// the one chosen here.
    #[prop(into)]
    clusters: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let url = RwSignal::new("http://localhost:9090".to_owned());
    let strategy = RwSignal::new(StrategyName::Simple);
    let cluster = RwSignal::new(None::<String>);
    let names = move || clusters.with(|c| crate::input::cluster_names(c));
    let choose = move |ev: web_sys::Event| {
        let chosen = Some(event_target_value(&ev));
        cluster.set(chosen.clone());
        if active.with_untracked(Option::is_some) {
            active.update(|a| a.iter_mut().for_each(|a| a.cluster.clone_from(&chosen)));
            on_change.run(());
        }
    };
    let problem = RwSignal::new(None::<String>);
    let fetch = move |_| {
        let u = url.get_untracked().trim().to_owned();
        if !(u.starts_with("http://") || u.starts_with("https://")) {
            problem.set(Some(format!(
                "`{u}` is not an http:// or https:// URL (e.g. http://localhost:9090)"
            )));
            return;
        }
        problem.set(None);
        active.set(Some(PrometheusRequest {
            url: u,
            strategy: strategy.get_untracked(),
            cluster: cluster.get_untracked(),
        }));
        on_change.run(());
    };
    let stop = move |_| {
        active.set(None);
        on_change.run(());
    };
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(PORT_FORWARD_COMMAND);
        }
    };
    view! {
        <details class="panel prometheus" id="prometheus">
            <summary>"Usage from Prometheus (optional)"</summary>
            <p class="muted">
                "Run " <code>{PORT_FORWARD_COMMAND}</code> " "
                <button class="small" id="copy-port-forward" title="Copy the command" on:click=copy>"Copy"</button>
                " then fetch 14 days of usage; recommendations follow KRR's strategies. Queries go from this browser straight to that URL."
            </p>
            <div class="row">
                <label for="prometheus-url">"Prometheus URL"</label>
                <input
                    type="url"
                    id="prometheus-url"
                    size="32"
                    prop:value=move || url.get()
                    on:input=move |ev| url.set(event_target_value(&ev))
                />
                <label for="prometheus-strategy">"Strategy"</label>
                <select
                    id="prometheus-strategy"
                    on:change=move |ev| {
                        if let Some(s) = StrategyName::parse(&event_target_value(&ev)) {
                            strategy.set(s);
                        }
                    }
                >
                    <option value="simple" selected=true>"simple"</option>
                    <option value="simple_limit">"simple_limit"</option>
                </select>
                <Show when=move || !names().is_empty()>
                    <label for="prometheus-cluster">"for cluster"</label>
                    <select id="prometheus-cluster" on:change=choose>
                        {move || {
                            let chosen = cluster.get();
                            names()
                                .into_iter()
                                .enumerate()
                                .map(|(i, n)| {
                                    let selected = chosen.as_ref().map_or(i == 0, |c| *c == n);
                                    view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </Show>
                <button id="prometheus-fetch" disabled=move || !has_inputs.get() on:click=fetch>
                    "Fetch usage"
                </button>
            </div>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            {move || active.get().map(|a| view! {
                <p class="row" id="prometheus-active">
                    <span>{format!("Recommendations from Prometheus at {} ({}); re-queried on each analysis.", a.url, a.strategy.as_str())}</span>
                    <button class="small" id="prometheus-stop" on:click=stop>"Stop using Prometheus"</button>
                </p>
            })}
        </details>
    }
}
