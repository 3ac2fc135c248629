//! The HTML report's "Costs by …" section (showback, [`crate::allocation`]): a chart of each
//! group's cost after its idle and shared shares, the groups table (the core's columns), the
//! lines that belong to no group, and the rules used. Absent without keys to group by.

use std::fmt::Write as _;

use super::svg::{self, Bar};
use super::{CHART_BARS, Page, esc, figure};
use crate::allocation::Allocation;
use crate::format::{fmt_usd, group_thousands};
use crate::report::columns;

/// Writes the section.
pub(super) fn section(page: &Page<'_>, out: &mut String) {
    let Some(a) = &page.r.allocation else {
        return;
    };
    let _ = writeln!(out, "<section id=\"allocation\">");
    out.push_str("<h2>");
    esc(out, &columns::allocation_title(a));
    out.push_str("</h2>\n<dl class=\"cards\">");
    for (label, value, id) in columns::allocation_figures(a) {
        let _ = write!(out, "<div><dt>");
        esc(out, label);
        let _ = write!(out, "</dt><dd id=\"{id}\">");
        esc(out, &value);
        out.push_str("</dd></div>");
    }
    out.push_str("</dl>\n");
    out.push_str(&chart(a));
    let _ = writeln!(
        out,
        "<h3 id=\"allocation-groups\">Groups ({})</h3>",
        group_thousands(a.groups.len())
    );
    let groups: Vec<_> = a.groups.iter().collect();
    page.columns_table(
        out,
        "Groups",
        columns::GROUPS,
        columns::GROUPS_VIEW.people,
        &groups,
    );
    out.push_str("<ul class=\"note\" id=\"allocation-rules\">");
    for rule in &a.rules.description {
        out.push_str("<li>");
        esc(out, rule);
        out.push_str("</li>");
    }
    out.push_str("</ul>\n</section>\n");
}

/// The chart of the groups' costs after their shares (the darker part: their own cost), as a
/// `<figure>` with inline SVG; every label escaped, so the app may insert it as HTML.
pub fn chart(a: &Allocation) -> String {
    let bars: Vec<Bar> = a
        .groups
        .iter()
        .take(CHART_BARS)
        .map(|g| Bar {
            label: g.name.clone(),
            value: g.total_monthly_cost,
            part: Some(g.own_monthly_cost.min(g.total_monthly_cost)),
            value_label: fmt_usd(g.total_monthly_cost),
        })
        .collect();
    let mut caption = format!(
        "Monthly cost by {} after idle and shared shares (darker: the group's own cost)",
        a.keys.join(" / ")
    );
    if a.groups.len() > CHART_BARS {
        let _ = write!(
            caption,
            "; the {CHART_BARS} most expensive of {} groups",
            group_thousands(a.groups.len())
        );
    }
    let mut out = String::new();
    figure(
        &mut out,
        "chart-allocation",
        &caption,
        None,
        |out| svg::bar_chart(out, "Monthly cost by group", &bars),
        bars.is_empty(),
    );
    out
}
