//! Inline SVG bar charts: horizontal bars with a label on the left and the value on the right,
//! every label escaped and cut to fit (the full text is in the bar's `<title>` tooltip). Colours
//! come from the report's stylesheet classes, so light/dark and print follow the page.

use std::fmt::Write as _;

use super::escape::{escape_into, truncate};

/// Chart width in SVG user units (the SVG scales to the column width).
const WIDTH: f64 = 640.0;
/// Where bars start.
const BAR_X: f64 = 178.0;
/// Room kept on the right for the value label.
const VALUE_W: f64 = 172.0;
/// Row height.
const ROW: f64 = 20.0;
/// Label characters kept.
const LABEL_CHARS: usize = 28;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Label (any text; escaped when rendered).
    pub label: String,
    /// Length of the bar (non-finite or negative values draw nothing).
    pub value: f64,
    /// A darker leading part of the bar (e.g. the allocated part of a cost), at most `value`.
    pub part: Option<f64>,
    /// The value as text.
    pub value_label: String,
}

/// One row of a two-bar chart (e.g. CPU and memory utilisation of a node).
#[derive(Debug, Clone, PartialEq)]
pub struct PairBar {
    /// Label.
    pub label: String,
    /// First bar (CPU).
    pub a: f64,
    /// Second bar (memory).
    pub b: f64,
    /// Both values as text.
    pub value_label: String,
}

fn len(v: f64, max: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 || !max.is_finite() || max <= 0.0 {
        0.0
    } else {
        (v / max).min(1.0) * (WIDTH - BAR_X - VALUE_W)
    }
}

fn open(out: &mut String, aria_label: &str, rows: usize) -> f64 {
    let height = rows as f64 * ROW + 6.0;
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\""
    );
    escape_into(out, aria_label);
    out.push_str("\">");
    height
}

fn label(out: &mut String, y: f64, text: &str) {
    let _ = write!(
        out,
        "<text class=\"l\" x=\"{}\" y=\"{}\">",
        BAR_X - 6.0,
        y + 14.0
    );
    escape_into(out, &truncate(text, LABEL_CHARS));
    out.push_str("</text>");
}

fn value_text(out: &mut String, x: f64, y: f64, text: &str) {
    let _ = write!(
        out,
        "<text class=\"v\" x=\"{:.1}\" y=\"{}\">",
        x + 4.0,
        y + 14.0
    );
    escape_into(out, text);
    out.push_str("</text>");
}

fn title(out: &mut String, label: &str, value: &str) {
    out.push_str("<title>");
    escape_into(out, label);
    out.push_str(": ");
    escape_into(out, value);
    out.push_str("</title>");
}

/// A horizontal bar chart of `bars` scaled to the largest value; `aria_label` describes it for
/// screen readers.
pub fn bar_chart(out: &mut String, aria_label: &str, bars: &[Bar]) {
    let max = bars
        .iter()
        .map(|b| b.value)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    open(out, aria_label, bars.len());
    for (i, b) in bars.iter().enumerate() {
        let y = i as f64 * ROW + 3.0;
        label(out, y, &b.label);
        let w = len(b.value, max);
        out.push_str("<g>");
        title(out, &b.label, &b.value_label);
        let _ = write!(
            out,
            "<rect class=\"b\" x=\"{BAR_X}\" y=\"{}\" width=\"{w:.1}\" height=\"13\"/>",
            y + 3.0
        );
        if let Some(p) = b.part {
            let pw = len(p.min(b.value), max);
            let _ = write!(
                out,
                "<rect class=\"b2\" x=\"{BAR_X}\" y=\"{}\" width=\"{pw:.1}\" height=\"13\"/>",
                y + 3.0
            );
        }
        out.push_str("</g>");
        value_text(out, BAR_X + w, y, &b.value_label);
    }
    out.push_str("</svg>");
}

/// Two thin bars per row on a shared scale of at least `reference` (drawn as a dashed line,
/// e.g. 100 %).
pub fn pair_chart(out: &mut String, aria_label: &str, rows: &[PairBar], reference: f64) {
    let max = rows
        .iter()
        .flat_map(|r| [r.a, r.b])
        .filter(|v| v.is_finite())
        .fold(reference, f64::max);
    let height = open(out, aria_label, rows.len());
    for (i, r) in rows.iter().enumerate() {
        let y = i as f64 * ROW + 3.0;
        label(out, y, &r.label);
        let (wa, wb) = (len(r.a, max), len(r.b, max));
        out.push_str("<g>");
        title(out, &r.label, &r.value_label);
        let _ = write!(
            out,
            "<rect class=\"b\" x=\"{BAR_X}\" y=\"{}\" width=\"{wa:.1}\" height=\"6\"/>\
             <rect class=\"b3\" x=\"{BAR_X}\" y=\"{}\" width=\"{wb:.1}\" height=\"6\"/></g>",
            y + 3.0,
            y + 10.0
        );
        value_text(out, BAR_X + wa.max(wb), y, &r.value_label);
    }
    let x = BAR_X + len(reference, max);
    let _ = write!(
        out,
        "<line class=\"ref\" x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{height}\"/></svg>"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_odd_values_draw_nothing() {
        let mut out = String::new();
        bar_chart(
            &mut out,
            "a<b",
            &[
                Bar {
                    label: "<script>alert(1)</script>".into(),
                    value: f64::NAN,
                    part: Some(f64::INFINITY),
                    value_label: "\"x".into(),
                },
                Bar {
                    label: "ok".into(),
                    value: -1.0,
                    part: None,
                    value_label: "$0".into(),
                },
            ],
        );
        assert!(!out.contains("<script"));
        assert!(out.contains("aria-label=\"a&lt;b\""));
        assert!(out.contains("width=\"0.0\""));
        assert!(!out.contains("NaN") && !out.contains("inf"));
        let mut out = String::new();
        pair_chart(&mut out, "x", &[], 100.0);
        assert!(out.ends_with("</svg>"));
    }
}
