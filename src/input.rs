//! Getting data in: paste, file picker, drag-and-drop, the demo, and the input chips.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::files::{files_of, text_blob};
use crate::net::fetch_blob;

/// One loaded input: a name and its bytes as a browser `Blob` (a picked file is not even read
/// on the page; pasted text is encoded by the browser). The bytes never enter the page's wasm
/// memory: the analysis worker reads them (see [`crate::worker`]).
#[derive(Clone, Debug)]
pub struct LoadedInput {
    /// Unique within the session (for list keys and removal).
    pub id: u64,
    /// File name, `paste`, or `demo cluster`.
    pub name: String,
    /// The bytes.
    pub blob: web_sys::Blob,
    /// Their number.
    pub size: usize,
}

/// The shared list of inputs and a counter for ids.
#[derive(Clone, Copy)]
pub struct Inputs {
    /// The inputs, in the order they were added.
    pub list: RwSignal<Vec<LoadedInput>, LocalStorage>,
    next_id: StoredValue<u64>,
}

impl Inputs {
    /// An empty list.
    pub fn new() -> Inputs {
        Inputs {
            list: RwSignal::new_local(Vec::new()),
            next_id: StoredValue::new(1),
        }
    }

    /// Adds an input.
    pub fn add(&self, name: String, blob: web_sys::Blob) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        let size = blob.size() as usize;
        self.list.update(|l| {
            l.push(LoadedInput {
                id,
                name,
                blob,
                size,
            })
        });
    }

    /// Removes the input with `id`.
    pub fn remove(&self, id: u64) {
        self.list.update(|l| l.retain(|i| i.id != id));
    }
}

pub use kube_rightsize_core::format::human_bytes;
use kube_rightsize_core::inputs::clusters::{Picker, names};

/// What the user changed about the clusters inputs are grouped in.
#[derive(Clone, Debug, PartialEq)]
pub enum ClusterChoice {
    /// Put an input in a cluster (empty: a price file for every cluster).
    Put {
        /// The input's name.
        input: String,
        /// The cluster's name.
        cluster: String,
    },
    /// Rename a cluster.
    Rename {
        /// Its name now.
        old: String,
        /// The new name.
        new: String,
    },
}

const SNAPSHOT_COMMAND: &str =
    "kubectl get nodes,pods,pvc,pv,storageclass,svc,ns -A -o json > cluster.json";

/// Commands that produce the optional inputs, with what each adds.
const EXTRA_COMMANDS: [(&str, &str); 3] = [
    (
        "krr simple -f json > krr.json",
        "KRR's recommendations, priced",
    ),
    (
        "kubectl top pod -A --containers > top.txt",
        "one usage sample (low-confidence recommendations)",
    ),
    (
        "kubectl get --raw /apis/metrics.k8s.io/v1beta1/pods > metrics.json",
        "the same sample from the metrics API",
    ),
];

fn copy_to_clipboard(text: &'static str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// The input panel: a paste/drop zone, a file picker, the demo button and the chips.
#[component]
pub fn InputPanel(
    inputs: Inputs,
    /// Called after the demo cluster was added, to analyse at once.
    on_demo: Callback<()>,
    /// Analyse what is loaded.
    on_analyze: Callback<()>,
    /// What each input held, by input name, after the last analysis.
    #[prop(into)]
    held: Signal<Vec<(String, String)>>,
    /// The cluster each input went to in the last analysis (empty: every cluster).
    #[prop(into)]
    clusters: Signal<Vec<(String, String)>>,
    /// The chips' cluster pickers (the core's).
    #[prop(into)]
    pickers: Signal<Vec<Picker>>,
    /// The last analysis was compared with earlier reports of several clusters: its clusters'
    /// names matter even when there is one.
    #[prop(into)]
    compared: Signal<bool>,
    /// The user moved an input or renamed a cluster.
    on_cluster: Callback<ClusterChoice>,
) -> impl IntoView {
    let (load_error, set_load_error) = signal(None::<String>);
    let (dragging, set_dragging) = signal(false);

    // A picked or dropped file stays a `File` (a `Blob`): nothing is read until the worker
    // analyses it, so even a 400 MB file is a chip at once.
    let add_files = move |files: Vec<web_sys::File>| {
        for file in files {
            let name = file.name();
            inputs.add(name, file.into());
        }
    };

    let on_paste = move |ev: web_sys::ClipboardEvent| {
        // Take the text from the clipboard event and keep it out of the textarea: a 250 MB
        // paste must not be rendered.
        ev.prevent_default();
        // The text stays a JS string on its way into a Blob (UTF-8 encoded by the browser).
        match ev.clipboard_data().as_ref().and_then(text_blob) {
            Some(blob) => {
                set_load_error.set(None);
                inputs.add("paste".into(), blob);
            }
            None => set_load_error.set(Some("the clipboard holds no text".into())),
        }
    };

    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        set_dragging.set(false);
        let files = files_of(ev.data_transfer().and_then(|d| d.files()));
        if files.is_empty()
            && let Some(blob) = ev.data_transfer().as_ref().and_then(text_blob)
        {
            inputs.add("dropped text".into(), blob);
        }
        add_files(files);
    };

    let on_pick = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        add_files(files_of(input.files()));
        input.set_value("");
    };

    let load_demo = move |_| {
        set_load_error.set(None);
        spawn_local(async move {
            let cluster = fetch_blob("demo/cluster.json").await;
            let krr = fetch_blob("demo/krr.json").await;
            match (cluster, krr) {
                (Ok(cluster), Ok(krr)) => {
                    inputs
                        .list
                        .update(|l| l.retain(|i| !i.name.starts_with("demo ")));
                    inputs.add("demo cluster.json".into(), cluster);
                    inputs.add("demo krr.json".into(), krr);
                    on_demo.run(());
                }
                (Err(e), _) | (_, Err(e)) => set_load_error.set(Some(e)),
            }
        });
    };

    let copy_command = move |_| copy_to_clipboard(SNAPSHOT_COMMAND);

    let has_inputs = move || !inputs.list.with(Vec::is_empty);

    view! {
        <section class="panel" id="inputs" aria-labelledby="inputs-title">
            <h2 id="inputs-title">"Your cluster"</h2>
            <p class="muted">
                "Run " <code>{SNAPSHOT_COMMAND}</code> " "
                <button class="small" on:click=copy_command title="Copy the command">"Copy"</button>
                " then paste the output below, drop the file here, or pick it. "
                "Everything stays in this browser tab."
            </p>
            <ExtraInputs />
            <textarea
                id="paste"
                class:dragging=dragging
                aria-label="Paste kubectl JSON or YAML here, or drop files"
                placeholder="Paste `kubectl get nodes,pods -A -o json` output here (Ctrl+V), or drop files…"
                on:paste=on_paste
                on:dragover=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    set_dragging.set(true);
                }
                on:dragleave=move |_| set_dragging.set(false)
                on:drop=on_drop
            ></textarea>
            <div class="row">
                <label class="button">
                    "Choose files…"
                    <input id="file-picker" type="file" multiple class="visually-hidden" on:change=on_pick />
                </label>
                <button id="demo" on:click=load_demo>"Try the demo cluster"</button>
                <button
                    id="analyze"
                    class="primary"
                    disabled=move || !has_inputs()
                    on:click=move |_| on_analyze.run(())
                >
                    "Analyze"
                </button>
            </div>
            <ClusterNames clusters=clusters compared=compared on_cluster=on_cluster />
            <Chips inputs=inputs held=held pickers=pickers on_cluster=on_cluster />
            {move || load_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}

/// The optional inputs: the commands that produce them, and price files.
#[component]
fn ExtraInputs() -> impl IntoView {
    view! {
        <details class="extra-inputs">
            <summary>"Add recommendations or your own prices (optional)"</summary>
            <ul>
                {EXTRA_COMMANDS
                    .into_iter()
                    .map(|(command, what)| {
                        view! {
                            <li>
                                <code>{command}</code>
                                " "
                                <button class="small" title="Copy the command" on:click=move |_| copy_to_clipboard(command)>
                                    "Copy"
                                </button>
                                <span class="muted">{format!(" — {what}")}</span>
                            </li>
                        }
                    })
                    .collect_view()}
                <li class="muted">
                    "A price file: CSV " <code>"provider,instance_type,region,capacity_type,usd_per_hour"</code>
                    ", an instances.vantage.sh feed, or " <code>"kube-rightsize prices"</code> " output."
                </li>
            </ul>
            <p class="muted">"Paste or drop them here with the snapshot; each is recognised."</p>
        </details>
    }
}

/// The clusters of the last analysis, in order, when it held several (else none).
pub(crate) fn cluster_names(clusters: &[(String, String)]) -> Vec<String> {
    let names = names(clusters);
    if names.len() < 2 { Vec::new() } else { names }
}

/// When the last analysis held several clusters, or was compared with an earlier fleet: each
/// cluster's name, editable (clusters are matched with earlier reports by name).
#[component]
fn ClusterNames(
    clusters: Signal<Vec<(String, String)>>,
    compared: Signal<bool>,
    on_cluster: Callback<ClusterChoice>,
) -> impl IntoView {
    let names = move || {
        if compared.get() {
            clusters.with(|c| names(c))
        } else {
            clusters.with(|c| cluster_names(c))
        }
    };
    view! {
        <Show when=move || !names().is_empty()>
            <div class="row cluster-names" id="cluster-names">
                <span class="muted">"Clusters (rename to match earlier reports):"</span>
                {move || {
                    names()
                        .into_iter()
                        .map(|name| {
                            let old = name.clone();
                            view! {
                                <input
                                    class="cluster-name"
                                    type="text"
                                    aria-label=format!("Name of cluster {name}")
                                    prop:value=name.clone()
                                    on:change=move |ev| {
                                        on_cluster.run(ClusterChoice::Rename {
                                            old: old.clone(),
                                            new: event_target_value(&ev),
                                        })
                                    }
                                />
                            }
                        })
                        .collect_view()
                }}
            </div>
        </Show>
    }
}

/// The cluster picker of one chip, when the core offers one (the choices are the core's:
/// `inputs::clusters::pickers`).
fn cluster_picker(
    input: String,
    pickers: Signal<Vec<Picker>>,
    on_cluster: Callback<ClusterChoice>,
) -> impl IntoView {
    move || {
        let picker = pickers.with(|p| p.iter().find(|p| p.input == input).cloned())?;
        let input = input.clone();
        Some(view! {
            <select
                class="chip-cluster"
                aria-label=format!("Cluster of {input}")
                on:change=move |ev| {
                    on_cluster.run(ClusterChoice::Put {
                        input: input.clone(),
                        cluster: event_target_value(&ev),
                    })
                }
            >
                {picker
                    .choices
                    .into_iter()
                    .map(|(value, label)| {
                        let selected = value == picker.cluster;
                        view! { <option value=value selected=selected>{label}</option> }
                    })
                    .collect_view()}
            </select>
        })
    }
}

/// One chip per loaded input: its name, size, what it held, its cluster (when there are
/// several) and a remove button.
#[component]
fn Chips(
    inputs: Inputs,
    held: Signal<Vec<(String, String)>>,
    pickers: Signal<Vec<Picker>>,
    on_cluster: Callback<ClusterChoice>,
) -> impl IntoView {
    view! {
        <ul class="chips" aria-label="Loaded inputs">
            <For each=move || inputs.list.get() key=|i| i.id let:item>
                <li class="chip">
                    <span class="chip-name">{item.name.clone()}</span>
                    <span class="muted">{human_bytes(item.size)}</span>
                    <span class="chip-held">
                        {
                            let name = item.name.clone();
                            move || {
                                held.with(|h| {
                                    h.iter().find(|(n, _)| *n == name).map(|(_, what)| what.clone())
                                })
                            }
                        }
                    </span>
                    {cluster_picker(item.name.clone(), pickers, on_cluster)}
                    <button
                        class="chip-remove"
                        aria-label=format!("Remove {}", item.name)
                        on:click=move |_| inputs.remove(item.id)
                    >
                        "×"
                    </button>
                </li>
            </For>
        </ul>
    }
}
