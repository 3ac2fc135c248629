//! The HTML report's "The bill" section: nodes, storage, load balancers and the control plane
//! with their total, then the volumes and load balancers (the core's tables) and what the bill
//! leaves out. Absent for reports made before the bill existed.

use std::fmt::Write as _;

use super::{Col, Page, esc, simple_table, td, td_num};
use crate::format::{fmt_percent, fmt_usd, percent_of};
use crate::report::columns;

/// Writes the section.
pub(super) fn section(page: &Page<'_>, out: &mut String) {
    let r = page.r;
    let s = &r.summary;
    let Some(total) = s.bill_monthly_cost else {
        return;
    };
    out.push_str("<section id=\"bill\">\n<h2>The bill</h2>\n");
    let control = r
        .control_plane
        .as_ref()
        .map_or("Control plane".to_owned(), |c| {
            format!("Control plane ({} {})", c.service, c.tier)
        });
    let mut lines: Vec<(String, f64)> = vec![
        ("Nodes".into(), s.monthly_cost),
        ("Persistent volumes".into(), s.storage_monthly_cost),
    ];
    if s.idle_storage_monthly_cost > 0.0 {
        lines.push((
            "of which unclaimed (idle)".into(),
            s.idle_storage_monthly_cost,
        ));
    }
    lines.push(("Load balancers".into(), s.load_balancer_monthly_cost));
    lines.push((control, s.control_plane_monthly_cost));
    lines.push(("Total".into(), total));
    let cols = [
        Col("Item", false, ""),
        Col("Per month", true, ""),
        Col("Share", true, ""),
    ];
    simple_table(out, "The bill", &cols, &lines, |out, (what, v)| {
        td(out, what);
        td_num(out, *v, &fmt_usd(*v));
        td(out, &fmt_percent(percent_of(*v, total)));
    });
    if let Some(c) = &r.control_plane {
        out.push_str("<p class=\"note\" id=\"control-plane\">Control plane: ");
        esc(out, &columns::control_plane_line(c));
        out.push_str("</p>\n");
    }
    if !r.volumes.is_empty() {
        let _ = writeln!(out, "<h3>Persistent volumes ({})</h3>", r.volumes.len());
        let items: Vec<_> = r.volumes.iter().collect();
        page.columns_table(
            out,
            "Persistent volumes",
            columns::VOLUMES,
            columns::VOLUMES_VIEW.people,
            &items,
        );
    }
    if !r.load_balancers.is_empty() {
        let _ = writeln!(out, "<h3>Load balancers ({})</h3>", r.load_balancers.len());
        let items: Vec<_> = r.load_balancers.iter().collect();
        page.columns_table(
            out,
            "Load balancers",
            columns::LOAD_BALANCERS,
            columns::LOAD_BALANCERS_VIEW.people,
            &items,
        );
    }
    if !r.bill_notes.is_empty() {
        out.push_str("<ul class=\"note\" id=\"bill-notes\">");
        for n in &r.bill_notes {
            out.push_str("<li>");
            esc(out, n);
            out.push_str("</li>");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}
