//! The Patches tab: the report's patches (one per recommended workload, from the core's
//! [`kube_rightsize_core::patch`]) in the format picked, each with its risks, notes and left-out
//! containers, a "Copy patch" button and the text; "Download all" gives the core's file set
//! (`patches.sh`, or a `.zip` of the YAML, kustomize or Helm files). Every text is the core's
//! ([`render`]); this module lays it out and moves it to the clipboard or a download.

use std::sync::Arc;

use kube_rightsize_core::format::fmt_usd;
use kube_rightsize_core::patch::render::{self, PatchFormat, Selection};
use kube_rightsize_core::patch::{Patches, TEMPLATE_NOTE, WorkloadPatch};
use leptos::prelude::*;

use kube_rightsize_core::patch::zip::stored_zip;

use crate::files::download;

/// The patches of one report: format picker, "Safe only", "Download all", a summary line, then
/// one entry per workload (risky ones hidden while "Safe only" is ticked).
#[component]
pub fn PatchesTab(
    /// The report's patches.
    patches: Arc<Patches>,
) -> impl IntoView {
    let format = RwSignal::new(PatchFormat::Kubectl);
    let safe_only = RwSignal::new(false);
    let download_error = RwSignal::new(None::<String>);
    let selection = move || Selection {
        safe_only: safe_only.get(),
    };
    let all = Arc::clone(&patches);
    let download_all = move |_| {
        let (format, selection) = (format.get_untracked(), selection());
        let files = render::files(&all, format, selection, &[]);
        let result = match (format, files.as_slice()) {
            (PatchFormat::Kubectl, [script]) => download(
                &script.path,
                "text/x-shellscript",
                script.contents.as_bytes(),
            ),
            _ => stored_zip(&files).and_then(|zip| {
                let name = format!("kube-rightsize-patches-{}.zip", format.as_str());
                download(&name, "application/zip", &zip)
            }),
        };
        download_error.set(result.err());
    };
    let unchecked = patches
        .applicable()
        .any(|p| !p.template_checked)
        .then_some(TEMPLATE_NOTE);
    view! {
        <div class="patches" id="patches">
            <div class="row patch-controls">
                <label>
                    "Format "
                    <select
                        id="patch-format"
                        on:change=move |ev| {
                            if let Some(f) = PatchFormat::parse(&event_target_value(&ev)) {
                                format.set(f);
                            }
                        }
                    >
                        {PatchFormat::ALL
                            .into_iter()
                            .map(|f| view! { <option value=f.as_str() selected=move || format.get() == f>{f.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label title="Leave out the patches with risks">
                    <input
                        type="checkbox"
                        id="patch-safe-only"
                        prop:checked=move || safe_only.get()
                        on:change=move |ev| safe_only.set(event_target_checked(&ev))
                    />
                    " Safe only"
                </label>
                <button id="patch-download" on:click=download_all>"Download all"</button>
                {move || download_error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
            </div>
            <Summary patches=Arc::clone(&patches) safe_only=safe_only />
            {unchecked.map(|note| view! { <p class="muted" id="patch-template-note">{note}</p> })}
            <ul class="patch-list" id="patch-list">
                {patches
                    .workloads
                    .iter()
                    .map(|p| patch_entry(p, format, safe_only))
                    .collect_view()}
            </ul>
        </div>
    }
}

/// The counts and savings of the patches shown. Each number has its own element (`#patch-count`,
/// `#patch-risky`, `#patch-blocked`, `#patch-unchanged`, `#patch-savings`).
#[component]
fn Summary(patches: Arc<Patches>, safe_only: RwSignal<bool>) -> impl IntoView {
    let all = patches.counts(Selection::default());
    let (risky, blocked, unchanged) = (all.risky, all.not_patchable, all.unchanged);
    let shown = Memo::new(move |_| {
        let c = patches.counts(Selection {
            safe_only: safe_only.get(),
        });
        (c.shown, c.monthly_savings)
    });
    view! {
        <p class="patch-summary" id="patch-summary">
            <span id="patch-count">{move || shown.get().0}</span>
            " patches ("
            <span id="patch-risky">{risky}</span>
            {move || if safe_only.get() { " with risks, left out), " } else { " with risks), " }}
            <span id="patch-blocked">{blocked}</span>
            " not patchable, "
            <span id="patch-unchanged">{unchanged}</span>
            " unchanged. The patches shown save "
            <strong id="patch-savings">{move || fmt_usd(shown.get().1)}</strong>
            " a month."
        </p>
    }
}

/// One workload's entry: what it is, what it saves, its risks, notes and left-out containers,
/// and either "Copy patch" with the text in the picked format, or why it cannot be patched.
fn patch_entry(
    p: &WorkloadPatch,
    format: RwSignal<PatchFormat>,
    safe_only: RwSignal<bool>,
) -> impl IntoView + use<> {
    let risky = p.patch.is_some() && !p.risks.is_empty();
    let copied = RwSignal::new(false);
    let risks = p
        .risks
        .iter()
        .map(|r| {
            view! {
                <li class="patch-risk" data-code=r.code.clone()>
                    <span class="risk-badge">"RISK"</span>
                    " "
                    <code class="warn-code">{r.code.clone()}</code>
                    ": "
                    {r.message.clone()}
                </li>
            }
        })
        .collect_view();
    let notes = p
        .notes
        .iter()
        .map(|n| view! { <li class="patch-note">{n.clone()}</li> })
        .collect_view();
    let left_out = p
        .containers
        .iter()
        .filter_map(|c| Some((c.name.clone(), c.skipped.clone()?)))
        .map(|(name, why)| view! { <li class="patch-left-out">{format!("left out: container {name}: {why}")}</li> })
        .collect_view();
    let changes = render::change_lines(p)
        .into_iter()
        .map(|line| view! { <li class="patch-change">{line}</li> })
        .collect_view();
    let body = p.not_patchable.clone().map_or_else(
        || {
            let shown = p.clone();
            let copy = p.clone();
            p.patch.is_some().then(|| {
                view! {
                    <div class="row">
                        <button
                            class="small patch-copy"
                            on:click=move |_| {
                                if let (Some(text), Some(w)) = (render::one(&copy, format.get_untracked()), web_sys::window()) {
                                    let _ = w.navigator().clipboard().write_text(&text);
                                    copied.set(true);
                                }
                            }
                        >
                            "Copy patch"
                        </button>
                        <span class="muted">{move || if copied.get() { "copied" } else { "" }}</span>
                    </div>
                    <details class="patch-details">
                        <summary>"Show the patch"</summary>
                        <pre class="patch-text">{move || render::one(&shown, format.get()).unwrap_or_default()}</pre>
                    </details>
                }
                .into_any()
            })
        },
        |why| Some(view! { <p class="patch-blocked-reason">"Not patchable: " {why}</p> }.into_any()),
    );
    view! {
        <li
            class="patch"
            class:risky=risky
            class:blocked=p.not_patchable.is_some()
            data-key=p.key()
            hidden=move || safe_only.get() && risky
        >
            <div class="row patch-head">
                <strong class="patch-key">{p.key()}</strong>
                <span class="muted">{p.kind.clone()}</span>
                <span class="patch-saves">{format!("saves {} a month", fmt_usd(p.monthly_savings))}</span>
            </div>
            <ul class="patch-facts">{changes}{risks}{notes}{left_out}</ul>
            {body}
        </li>
    }
}
