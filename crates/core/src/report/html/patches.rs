//! The HTML report's Patches section: one collapsed `<details>` per workload (readable without
//! JavaScript), its risks first, then the `kubectl patch` command; the workloads that cannot be
//! patched, with why.

use std::fmt::Write as _;

use super::escape::escape_into;
use crate::format::{fmt_usd, group_thousands};
use crate::patch::render::{change_lines, kubectl_command};
use crate::patch::{Patches, TEMPLATE_NOTE, WorkloadPatch};

fn esc(out: &mut String, s: &str) {
    escape_into(out, s);
}

/// Writes `<section id="patches">`; says why there are none when `patches` is `None`.
pub(super) fn section(out: &mut String, patches: Option<&Patches>, anonymised: bool) {
    out.push_str("<section id=\"patches\">\n<h2>Patches</h2>\n");
    let Some(p) = patches else {
        out.push_str(if anonymised {
            "<p class=\"note\">Not in anonymised reports: a patch names the real objects.</p>\n"
        } else {
            "<p class=\"note\">None: patches need recommendations (a KRR result, a usage sample \
             or Prometheus).</p>\n"
        });
        out.push_str("</section>\n");
        return;
    };
    let applicable: Vec<&WorkloadPatch> = p.applicable().collect();
    let counts = p.counts(crate::patch::render::Selection::default());
    let (risky, savings) = (counts.risky, counts.monthly_savings);
    let blocked: Vec<&WorkloadPatch> = p
        .workloads
        .iter()
        .filter(|w| w.not_patchable.is_some())
        .collect();
    let n = |count: usize, one: &str, many: &str| {
        format!(
            "{} {}",
            group_thousands(count),
            if count == 1 { one } else { many }
        )
    };
    let _ = write!(
        out,
        "<p class=\"note\" id=\"patches-summary\">{} (strategy {}) change the workloads' \
         requests and limits to the recommendations, saving {} a month; {} risks to check first \
         ({} safe). {} cannot be patched; {} no change. Only the values that change are in a \
         patch; limits follow the strategy. Each is a <code>kubectl patch</code> command \
         (strategic merge); <code>kube-rightsize patches … -f yaml|kustomize|helm -o DIR</code> \
         writes the same as files.",
        n(applicable.len(), "patch", "patches"),
        super::escape::escape(&p.strategy),
        fmt_usd(savings),
        n(risky, "has", "have"),
        group_thousands(applicable.len() - risky),
        n(blocked.len(), "workload", "workloads"),
        n(p.unchanged, "needs", "need"),
    );
    if applicable.iter().any(|w| !w.template_checked) {
        out.push(' ');
        esc(out, TEMPLATE_NOTE);
    }
    out.push_str("</p>\n");
    for w in &applicable {
        workload(out, w);
    }
    let left_out: Vec<&WorkloadPatch> = p
        .workloads
        .iter()
        .filter(|w| w.patch.is_none() && w.not_patchable.is_none())
        .collect();
    list(out, "Only left-out containers", &left_out, |w| {
        w.containers
            .iter()
            .filter_map(|c| c.skipped.as_deref().map(|s| format!("{}: {s}", c.name)))
            .collect::<Vec<_>>()
            .join("; ")
    });
    list(out, "Not patchable", &blocked, |w| {
        w.not_patchable.clone().unwrap_or_default()
    });
    out.push_str("</section>\n");
}

/// A collapsed list of workloads with a text each.
fn list(
    out: &mut String,
    title: &str,
    items: &[&WorkloadPatch],
    text: impl Fn(&WorkloadPatch) -> String,
) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details><summary>{title} ({})</summary><ul>",
        group_thousands(items.len())
    );
    for w in items {
        out.push_str("<li><code>");
        esc(out, &w.key());
        out.push_str("</code> (");
        esc(out, &w.kind);
        out.push_str("): ");
        esc(out, &text(w));
        out.push_str("</li>\n");
    }
    out.push_str("</ul></details>\n");
}
fn workload(out: &mut String, w: &WorkloadPatch) {
    out.push_str("<details class=\"patch\"><summary><code>");
    esc(out, &w.key());
    out.push_str("</code> (");
    esc(out, &w.kind);
    out.push_str(") saves ");
    out.push_str(&fmt_usd(w.monthly_savings));
    out.push_str(" a month");
    match w.risks.len() {
        0 => out.push_str(" · <span class=\"rec\">safe</span>"),
        n => {
            let _ = write!(
                out,
                " · <span class=\"sev-warning\">{n} risk{}</span>",
                if n == 1 { "" } else { "s" }
            );
        }
    }
    out.push_str("</summary>\n");
    let changes = change_lines(w);
    let lists = [
        (
            "changes",
            changes.iter().map(|c| (None, c.as_str())).collect(),
        ),
        (
            "risks",
            w.risks
                .iter()
                .map(|r| (Some(r.code.as_str()), r.message.as_str()))
                .collect::<Vec<_>>(),
        ),
        (
            "notes",
            w.notes.iter().map(|n| (None, n.as_str())).collect(),
        ),
        (
            "left out",
            w.containers
                .iter()
                .filter_map(|c| c.skipped.as_deref().map(|s| (None, s)))
                .collect(),
        ),
    ];
    for (what, items) in lists {
        if items.is_empty() {
            continue;
        }
        let _ = write!(out, "<ul class=\"{}\">", what.replace(' ', "-"));
        for (code, text) in items {
            out.push_str("<li>");
            if let Some(code) = code {
                out.push_str("<span class=\"sev-warning\">");
                esc(out, code);
                out.push_str("</span>: ");
            } else if what == "left out" {
                out.push_str("left out: ");
            }
            esc(out, text);
            out.push_str("</li>");
        }
        out.push_str("</ul>\n");
    }
    if let Some(cmd) = kubectl_command(w) {
        out.push_str("<pre>");
        esc(out, &cmd);
        out.push_str("</pre>\n");
    }
    out.push_str("</details>\n");
}
