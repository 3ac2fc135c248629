//! Patches as people apply them: `kubectl patch` commands (one per workload, or a script),
//! strategic-merge YAML files, a kustomize patch set and Helm values — and the file sets the CLI
//! writes into a directory and the app zips.
//!
//! Every text quotes what it takes from the input: names are valid Kubernetes names (workloads
//! with other names get no patch, [`super::build`]), shell arguments are single-quoted when
//! they hold anything but `[A-Za-z0-9._/:=@%+-]`, YAML strings are double-quoted, and comments
//! never contain a line break from the input ([`comment`]).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::{Change, Changes, ContainerPatch, Patches, WorkloadPatch};

/// `CPU request 1 → 250m`, `memory limit unset → 512Mi`, `CPU limit 8 → removed`.
fn change_text(what: &str, c: &Option<Change>) -> Option<String> {
    let c = c.as_ref()?;
    let from = c.from.as_deref().unwrap_or("unset");
    let to = c.to.as_deref().unwrap_or("removed");
    Some(format!("{what} {from} → {to}"))
}

/// One line per container the patch changes, as people read it:
/// `app: CPU request 1 → 250m, memory request 1Gi → 512Mi, CPU limit 2 → removed`.
pub fn change_lines(p: &WorkloadPatch) -> Vec<String> {
    p.containers
        .iter()
        .filter(|c| c.changes_something())
        .map(|c| {
            let parts: Vec<String> = [
                change_text("CPU request", &c.requests.cpu),
                change_text("memory request", &c.requests.memory),
                change_text("CPU limit", &c.limits.cpu),
                change_text("memory limit", &c.limits.memory),
            ]
            .into_iter()
            .flatten()
            .collect();
            format!("{}: {}", c.name, parts.join(", "))
        })
        .collect()
}
use crate::format::fmt_usd;

/// The forms a patch can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PatchFormat {
    /// `kubectl patch … --type strategic --patch '…'` commands, as one shell script.
    Kubectl,
    /// A strategic-merge YAML file per workload (`kubectl patch --patch-file`).
    Yaml,
    /// A kustomize patch set: `kustomization.yaml` plus the YAML files.
    Kustomize,
    /// Helm values: a `resources:` block per container.
    Helm,
}

impl PatchFormat {
    /// Every format, in the order pickers list them.
    pub const ALL: [PatchFormat; 4] = [
        PatchFormat::Kubectl,
        PatchFormat::Yaml,
        PatchFormat::Kustomize,
        PatchFormat::Helm,
    ];

    /// `kubectl`, `yaml`, `kustomize`, `helm`.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchFormat::Kubectl => "kubectl",
            PatchFormat::Yaml => "yaml",
            PatchFormat::Kustomize => "kustomize",
            PatchFormat::Helm => "helm",
        }
    }

    /// The format named `s`.
    pub fn parse(s: &str) -> Option<PatchFormat> {
        PatchFormat::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// How pickers name it.
    pub fn label(self) -> &'static str {
        match self {
            PatchFormat::Kubectl => "kubectl patch",
            PatchFormat::Yaml => "Strategic-merge YAML",
            PatchFormat::Kustomize => "Kustomize",
            PatchFormat::Helm => "Helm values",
        }
    }
}

/// Which patches to include.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Selection {
    /// Only patches without risks.
    pub safe_only: bool,
}

impl Selection {
    /// True when `p` is applicable and selected.
    pub fn includes(self, p: &WorkloadPatch) -> bool {
        p.patch.is_some() && (!self.safe_only || p.risks.is_empty())
    }
}

/// One file of a patch set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchFile {
    /// Relative path, `/`-separated (`payments/deployment-api.yaml`).
    pub path: String,
    /// Contents.
    pub contents: String,
}

/// `s` as one shell word: as is when it holds only `[A-Za-z0-9._/:=@%+-]`, else single-quoted
/// (a `'` inside becomes `'\''`), so pasting it runs nothing else.
pub fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/:=@%+-".contains(&b));
    if plain {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `text` as a `#` comment line's content: control characters (line breaks included) are
/// written as `\u{…}` escapes, so nothing from the input ends the comment.
pub fn comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// `s` as a double-quoted YAML (and JSON) string.
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

/// The comment lines heading a workload's patch: what it is, what it saves, what it changes,
/// its risks and notes.
pub fn header(p: &WorkloadPatch) -> String {
    let mut out = format!(
        "# {} ({}): saves {} a month",
        comment(&p.key()),
        comment(&p.kind),
        fmt_usd(p.monthly_savings)
    );
    out.push('\n');
    for line in change_lines(p) {
        let _ = writeln!(out, "# change: {}", comment(&line));
    }
    for r in &p.risks {
        let _ = writeln!(out, "# RISK {}: {}", r.code, comment(&r.message));
    }
    for n in &p.notes {
        let _ = writeln!(out, "# note: {}", comment(n));
    }
    for c in p.containers.iter().filter(|c| c.skipped.is_some()) {
        let _ = writeln!(
            out,
            "# left out: container {}: {}",
            comment(&c.name),
            comment(c.skipped.as_deref().unwrap_or(""))
        );
    }
    out
}

/// The `kubectl patch` command of an applicable patch.
pub fn kubectl_command(p: &WorkloadPatch) -> Option<String> {
    let (target, body) = (p.target.as_ref()?, p.patch.as_ref()?);
    let json = serde_json::to_string(body).ok()?;
    Some(format!(
        "kubectl patch {} {} --namespace {} --type strategic --patch {}",
        shell_quote(&target.resource),
        shell_quote(&p.name),
        shell_quote(&p.namespace),
        shell_quote(&json)
    ))
}

/// All selected patches as one POSIX shell script: each command under its header; the
/// workloads that cannot be patched are listed at the end as comments.
pub fn script(patches: &Patches, selection: Selection) -> String {
    let chosen: Vec<&WorkloadPatch> = patches
        .workloads
        .iter()
        .filter(|p| selection.includes(p))
        .collect();
    let total: f64 = chosen.iter().map(|p| p.monthly_savings).sum();
    let mut out = String::from("#!/bin/sh\n");
    let _ = writeln!(
        out,
        "# kube-rightsize: {} patch{} ({}), saving {} a month; strategy {}.",
        chosen.len(),
        if chosen.len() == 1 { "" } else { "es" },
        if selection.safe_only {
            "safe ones only"
        } else {
            "risky ones marked RISK"
        },
        fmt_usd(total),
        comment(&patches.strategy)
    );
    out.push_str(
        "# Review each one, then run it with the kubectl context of the cluster it was made \
         for: sh patches.sh\n",
    );
    if chosen.iter().any(|p| !p.template_checked) {
        let _ = writeln!(out, "# {}", super::TEMPLATE_NOTE);
    }
    out.push_str("set -eu\n");
    for p in &chosen {
        out.push('\n');
        out.push_str(&header(p));
        if let Some(cmd) = kubectl_command(p) {
            out.push_str(&cmd);
            out.push('\n');
        }
    }
    let skipped: Vec<&WorkloadPatch> = patches
        .workloads
        .iter()
        .filter(|p| p.not_patchable.is_some())
        .collect();
    if !skipped.is_empty() {
        out.push_str("\n# Not patchable:\n");
        for p in skipped {
            let _ = writeln!(
                out,
                "# {} ({}): {}",
                comment(&p.key()),
                comment(&p.kind),
                comment(p.not_patchable.as_deref().unwrap_or(""))
            );
        }
    }
    out
}

fn write_changes(out: &mut String, indent: usize, key: &str, c: &Changes) {
    if c.is_empty() {
        return;
    }
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}{key}:");
    for (k, v) in [("cpu", &c.cpu), ("memory", &c.memory)] {
        if let Some(Change { to, .. }) = v {
            let value = to.as_deref().map_or("null".to_owned(), yaml_string);
            let _ = writeln!(out, "{pad}  {k}: {value}");
        }
    }
}

fn write_resources(out: &mut String, indent: usize, c: &ContainerPatch) {
    let _ = writeln!(out, "{}resources:", " ".repeat(indent));
    write_changes(out, indent + 2, "requests", &c.requests);
    write_changes(out, indent + 2, "limits", &c.limits);
}

/// The strategic-merge YAML document of an applicable patch (with `apiVersion`, `kind` and
/// `metadata`, as kustomize and `kubectl patch --patch-file` take it), headed by its comments.
pub fn yaml(p: &WorkloadPatch) -> Option<String> {
    let target = p.target.as_ref()?;
    p.patch.as_ref()?;
    let mut out = header(p);
    let _ = writeln!(out, "apiVersion: {}", target.api_version);
    let _ = writeln!(out, "kind: {}", p.kind);
    out.push_str("metadata:\n");
    let _ = writeln!(out, "  name: {}", yaml_string(&p.name));
    let _ = writeln!(out, "  namespace: {}", yaml_string(&p.namespace));
    let mut indent = 0;
    for key in &target.pod_spec_path {
        let _ = writeln!(out, "{}{key}:", " ".repeat(indent));
        indent += 2;
    }
    for (list, init) in [("containers", false), ("initContainers", true)] {
        let mut cs = p
            .containers
            .iter()
            .filter(|c| c.init == init && c.changes_something())
            .peekable();
        if cs.peek().is_none() {
            continue;
        }
        let _ = writeln!(out, "{}{list}:", " ".repeat(indent));
        for c in cs {
            let _ = writeln!(
                out,
                "{}- name: {}",
                " ".repeat(indent + 2),
                yaml_string(&c.name)
            );
            write_resources(&mut out, indent + 4, c);
        }
    }
    Some(out)
}

/// Helm values for an applicable patch: a `resources:` block for a one-container workload, else
/// one per container under its name (charts name them differently: move each under your
/// chart's key).
pub fn helm(p: &WorkloadPatch) -> Option<String> {
    p.patch.as_ref()?;
    let mut out = header(p);
    out.push_str(
        "# Helm values: pass after your own (-f values.yaml -f this.yaml); Helm merges them \
         over yours, and null removes a value.\n",
    );
    let changed: Vec<&ContainerPatch> = p
        .containers
        .iter()
        .filter(|c| c.changes_something())
        .collect();
    if let [only] = changed.as_slice() {
        let _ = writeln!(out, "# container {}", comment(&only.name));
        write_resources(&mut out, 0, only);
    } else {
        out.push_str(
            "# one block per container: put each under the key your chart reads it from\n",
        );
        for c in changed {
            let _ = writeln!(out, "{}:", yaml_string(&c.name));
            write_resources(&mut out, 2, c);
        }
    }
    Some(out)
}

/// The file name of a workload's patch: `<namespace>/<kind>-<name>.<ext>`.
pub fn file_name(p: &WorkloadPatch, ext: &str) -> String {
    format!(
        "{}/{}-{}.{ext}",
        p.namespace,
        p.kind.to_ascii_lowercase(),
        p.name
    )
}

/// The `kustomization.yaml` of a patch set: `resources` (the manifests to patch: `../base` unless
/// given) and the patch files.
pub fn kustomization(patches: &Patches, selection: Selection, resources: &[String]) -> String {
    let mut out = String::from(
        "# kube-rightsize patch set: `kubectl kustomize .` (or `kubectl apply -k .`).\n\
         # resources: the manifests these patches change; edit to point at yours.\n\
         # patchesStrategicMerge builds with every kubectl since 1.14; kustomize 5 calls it\n\
         # deprecated and `kustomize edit fix` rewrites it as `patches`.\n\
         apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    let default = ["../base".to_owned()];
    let resources = if resources.is_empty() {
        &default[..]
    } else {
        resources
    };
    for r in resources {
        let _ = writeln!(out, "  - {}", yaml_string(r));
    }
    out.push_str("patchesStrategicMerge:\n");
    for p in patches.workloads.iter().filter(|p| selection.includes(p)) {
        let _ = writeln!(out, "  - {}", yaml_string(&file_name(p, "yaml")));
    }
    out
}

/// The files of a patch set in `format`: `patches.sh` (kubectl), one YAML file per workload
/// (yaml, kustomize — with `kustomization.yaml`), one values file per workload (helm).
pub fn files(
    patches: &Patches,
    format: PatchFormat,
    selection: Selection,
    kustomize_resources: &[String],
) -> Vec<PatchFile> {
    let chosen = patches.workloads.iter().filter(|p| selection.includes(p));
    let mut out = Vec::new();
    match format {
        PatchFormat::Kubectl => out.push(PatchFile {
            path: "patches.sh".to_owned(),
            contents: script(patches, selection),
        }),
        PatchFormat::Yaml | PatchFormat::Kustomize => {
            for p in chosen {
                if let Some(y) = yaml(p) {
                    out.push(PatchFile {
                        path: file_name(p, "yaml"),
                        contents: y,
                    });
                }
            }
            if format == PatchFormat::Kustomize {
                out.insert(
                    0,
                    PatchFile {
                        path: "kustomization.yaml".to_owned(),
                        contents: kustomization(patches, selection, kustomize_resources),
                    },
                );
            }
        }
        PatchFormat::Helm => {
            for p in chosen {
                if let Some(h) = helm(p) {
                    out.push(PatchFile {
                        path: file_name(p, "values.yaml"),
                        contents: h,
                    });
                }
            }
        }
    }
    out
}

/// One workload's patch in `format`, as "Copy patch" puts it on the clipboard: the command
/// (kubectl), the YAML document (yaml, kustomize) or the values (helm).
pub fn one(p: &WorkloadPatch, format: PatchFormat) -> Option<String> {
    match format {
        PatchFormat::Kubectl => Some(format!("{}{}\n", header(p), kubectl_command(p)?)),
        PatchFormat::Yaml | PatchFormat::Kustomize => yaml(p),
        PatchFormat::Helm => helm(p),
    }
}

/// The patch body as compact JSON (for `kubectl patch -p`), when applicable.
pub fn body_json(p: &WorkloadPatch) -> Option<String> {
    p.patch
        .as_ref()
        .and_then(|b: &Json| serde_json::to_string(b).ok())
}
