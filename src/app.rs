//! The root component.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::fetch::fetch_bytes;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let (status, set_status) = signal(String::new());
    let load_demo = move |_| {
        set_status.set("Loading the demo cluster…".into());
        spawn_local(async move {
            match fetch_bytes("demo/cluster.json").await {
                Ok(bytes) => set_status.set(format!("demo cluster: {} bytes", bytes.len())),
                Err(e) => set_status.set(e),
            }
        });
    };
    view! {
        <header class="top">
            <h1>"kube-rightsize"</h1>
            <p class="tagline">"Kubernetes right-sizing and cost, in your browser. Nothing you paste leaves this page."</p>
        </header>
        <main>
            <button id="demo" on:click=load_demo>"Try the demo cluster"</button>
            <p id="status">{status}</p>
        </main>
    }
}
