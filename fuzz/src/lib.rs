//! Shared checks for the fuzz targets: every output of a report is rendered and its numbers are
//! checked to be finite.

use kube_rightsize_core::report::html::{HtmlOptions, render_html};
use kube_rightsize_core::report::{Report, csv, json, table};

/// Input separator for targets that take several inputs: a seed that is one plain file is one
/// input.
pub const SEPARATOR: &[u8] = b"\n%%%%\n";

/// `data` cut at every [`SEPARATOR`] (at most `max` parts; the last one keeps the rest).
pub fn split(data: &[u8], max: usize) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while parts.len() + 1 < max {
        match rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
            Some(at) => {
                parts.push(&rest[..at]);
                rest = &rest[at + SEPARATOR.len()..];
            }
            None => break,
        }
    }
    parts.push(rest);
    parts
}

/// Panics when any `f64` in `value` is NaN or infinite. JSON cannot tell (serde_json writes
/// `null` for them), so the value goes through CBOR, which keeps floats as they are.
pub fn assert_finite<T: serde::Serialize>(value: &T, what: &str) {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).expect("CBOR encoding of a report");
    let decoded: ciborium::Value = ciborium::from_reader(bytes.as_slice()).expect("CBOR decodes");
    let mut path = Vec::new();
    walk(&decoded, &mut path, what);
}

fn walk(v: &ciborium::Value, path: &mut Vec<String>, what: &str) {
    match v {
        ciborium::Value::Float(f) => {
            assert!(
                f.is_finite(),
                "{what}: non-finite number {f} at {}",
                path.join(".")
            );
        }
        ciborium::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                walk(item, path, what);
                path.pop();
            }
        }
        ciborium::Value::Map(entries) => {
            for (k, item) in entries {
                path.push(k.as_text().unwrap_or("?").to_owned());
                walk(item, path, what);
                path.pop();
            }
        }
        ciborium::Value::Tag(_, inner) => walk(inner, path, what),
        _ => {}
    }
}

/// Renders `report` in every format (JSON, the three CSVs, the table, HTML plain and anonymised)
/// and checks what must hold whatever the input: finite numbers, JSON that parses back, a page
/// with its strict CSP.
pub fn render_everything(report: &Report) {
    assert_finite(report, "report");
    let text = json::to_json(report);
    let back: serde_json::Value = serde_json::from_str(&text).expect("report JSON parses back");
    assert_eq!(back["schema"], "kube-rightsize/report/v1");
    let _ = json::to_json_compact(report);
    let _ = csv::workloads_csv(report);
    let _ = csv::nodes_csv(report);
    let _ = csv::namespaces_csv(report);
    let _ = csv::groups_csv(report);
    let _ = csv::repack_csv(report);
    let _ = table::render(report, &table::TableOptions::default());
    for key in [None, Some(b"fuzz key".to_vec())] {
        let html = render_html(
            report,
            &HtmlOptions {
                anonymise_key: key,
                top_rows: 3,
                ..HtmlOptions::default()
            },
        );
        assert!(
            html.contains("default-src 'none'"),
            "the page lost its Content-Security-Policy"
        );
    }
    if let Some(patches) = &report.patches {
        check_patches(patches);
    }
}

/// Renders every patch format and checks what keeps a copied patch safe whatever the names:
/// the script's lines are comments, `set -eu` or one `kubectl patch` command each, and every
/// file stays inside the output directory.
pub fn check_patches(patches: &kube_rightsize_core::patch::Patches) {
    use kube_rightsize_core::patch::render::{self, PatchFormat, Selection};
    for format in PatchFormat::ALL {
        for safe_only in [false, true] {
            let files = render::files(patches, format, Selection { safe_only }, &[]);
            for f in &files {
                assert!(
                    !f.path.starts_with('/')
                        && f.path.split('/').all(|part| !part.is_empty() && part != ".." && part != "."),
                    "a patch file escapes its directory: {:?}",
                    f.path
                );
            }
            if format == PatchFormat::Kubectl {
                let script = &files[0].contents;
                for line in script.lines() {
                    assert!(
                        line.is_empty()
                            || line.starts_with('#')
                            || line == "set -eu"
                            || line.starts_with("kubectl patch "),
                        "an unexpected script line: {line:?}"
                    );
                }
            }
        }
    }
    for w in &patches.workloads {
        for format in PatchFormat::ALL {
            let _ = render::one(w, format);
        }
    }
}
