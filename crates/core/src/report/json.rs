//! The report as JSON (`kube-rightsize/report/v1`).

use super::Report;

/// The report as pretty-printed JSON, ending with a newline.
pub fn to_json(report: &Report) -> String {
    // Serialising plain structs with string keys cannot fail; an error would be a bug, reported
    // as a JSON object rather than a panic.
    let mut out = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        serde_json::json!({ "schema": super::SCHEMA, "error": e.to_string() }).to_string()
    });
    out.push('\n');
    out
}

/// The report as compact JSON on one line (no trailing newline).
pub fn to_json_compact(report: &Report) -> String {
    serde_json::to_string(report).unwrap_or_else(|e| {
        serde_json::json!({ "schema": super::SCHEMA, "error": e.to_string() }).to_string()
    })
}
