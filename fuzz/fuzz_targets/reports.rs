//! Saved reports read back, merged and compared, as `kube-rightsize merge` and `diff` do: up to
//! three inputs (report or fleet JSON, anything else), each read by `report::fleet::read`, the
//! readable ones merged into a fleet and the fleet rendered in every format (also anonymised);
//! the first two reports compared (`report::diff`), the fleet compared with itself and with an
//! empty fleet (`report::diff::fleet`), and the comparisons rendered in every format.
#![no_main]

use kube_rightsize_core::report::diff;
use kube_rightsize_core::report::export::ExportFormat;
use kube_rightsize_core::report::fleet::{self, read, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = kube_rightsize_fuzz::split(data, 3);
    let mut members = Vec::new();
    for (i, bytes) in parts.iter().enumerate() {
        if let Ok(read) = read::read(&format!("report-{i}.json"), bytes) {
            members.extend(read);
        }
    }
    let fleet = fleet::merge(members, "2026-01-01T00:00:00Z");
    // Fleets compared (`diff` of two fleet files): with itself, and with no cluster (every
    // cluster added).
    let empty = fleet::merge(Vec::new(), "2026-01-01T00:00:00Z");
    let fleets = [
        diff::fleet::compare_fleets(&fleet, &fleet, "2026-01-01T00:00:00Z"),
        diff::fleet::compare_fleets(&empty, &fleet, "2026-01-01T00:00:00Z"),
    ];
    let compared = match fleet.reports.as_slice() {
        [a, b, ..] => Some(diff::compare(a, b, "2026-01-01T00:00:00Z")),
        [a] => Some(diff::compare(a, a, "2026-01-01T00:00:00Z")),
        [] => None,
    };
    for format in [
        ExportFormat::Table,
        ExportFormat::Json,
        ExportFormat::WorkloadsCsv,
        ExportFormat::NodesCsv,
        ExportFormat::NamespacesCsv,
        ExportFormat::Html,
    ] {
        if let Some(d) = &compared {
            let _ = diff::render::render(d, format);
        }
        for f in &fleets {
            let _ = diff::fleet::render(f, format);
        }
        for anonymise_key in [None, Some(b"fuzz".to_vec())] {
            let _ = render::render(
                &fleet,
                &render::FleetExport {
                    format,
                    anonymise_key,
                },
            );
        }
    }
    // What the JSON export writes reads back as the same reports.
    let again = read::read("fleet.json", render::to_json(&fleet).as_bytes())
        .expect("a fleet's own JSON reads back");
    assert_eq!(again.len(), fleet.reports.len());
});
