//! The HTML report's "Right-size and re-pack" section ([`crate::repack`]): the one figure with
//! its breakdown, the lower bound and the gap, the per pool plans (the core's table) and the
//! moves across pools, the nodes that could be drained today, the pods that kept their node,
//! and what the figures assume.
//! Absent for reports without a re-packing.

use std::fmt::Write as _;

use super::{Page, esc};
use crate::format::group_thousands;
use crate::report::columns;

/// Writes the section.
pub(super) fn section(page: &Page<'_>, out: &mut String) {
    let Some(r) = &page.r.repack else {
        return;
    };
    out.push_str("<section id=\"repack\">\n<h2>Right-size and re-pack</h2>\n<dl class=\"cards\">");
    for (label, value, id) in columns::repack_figures(r) {
        let class = if id == "repack-savings" {
            " class=\"save\""
        } else {
            ""
        };
        let _ = write!(out, "<div{class}><dt>");
        esc(out, label);
        let _ = write!(out, "</dt><dd id=\"{id}\">");
        esc(out, &value);
        out.push_str("</dd></div>");
    }
    out.push_str("</dl>\n<p class=\"note\" id=\"repack-headline\">");
    esc(out, &columns::repack_headline(r));
    out.push_str("</p>\n");

    let _ = writeln!(
        out,
        "<h3 id=\"repack-pools\">Per pool plans ({})</h3>",
        group_thousands(r.pools.len())
    );
    let pools: Vec<_> = r.pools.iter().collect();
    page.columns_table(
        out,
        "Pools",
        columns::REPACK_POOLS,
        columns::REPACK_POOLS_VIEW.people,
        &pools,
    );
    if let Some(line) = columns::moves_line(r) {
        out.push_str("<p class=\"note\" id=\"repack-moves\">");
        esc(out, &line);
        out.push_str("</p>\n");
    }

    if !r.drainable_nodes.is_empty() {
        let _ = writeln!(
            out,
            "<h3>Nodes that could go today ({})</h3>",
            group_thousands(r.drainable_nodes.len())
        );
        out.push_str("<p class=\"note\">");
        esc(out, &columns::drainable_line(r));
        out.push_str("</p>\n<p id=\"repack-drainable\">");
        esc(out, &r.drainable_nodes.join(", "));
        out.push_str("</p>\n");
    }

    if r.blocked_total > 0 {
        out.push_str(
            "<h3 id=\"repack-blocked\">What blocked further savings</h3>\n<p class=\"note\">",
        );
        esc(out, &columns::blocked_line(r));
        out.push_str("</p>\n");
        let blocked: Vec<_> = r.blocked.iter().collect();
        page.columns_table(
            out,
            "Pods",
            columns::REPACK_BLOCKED,
            columns::REPACK_BLOCKED_VIEW.people,
            &blocked,
        );
    }

    if !r.notes.is_empty() {
        out.push_str("<ul class=\"note\" id=\"repack-notes\">");
        for n in &r.notes {
            out.push_str("<li>");
            esc(out, n);
            out.push_str("</li>");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}
