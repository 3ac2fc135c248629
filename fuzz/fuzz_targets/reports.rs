//! Saved reports read back and merged, as `kube-rightsize merge` and the app do: up to three
//! inputs (report or fleet JSON, anything else), each read by `report::fleet::read`, the readable
//! ones merged into a fleet, and the fleet rendered in every format (also anonymised).
#![no_main]

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
    for format in [
        ExportFormat::Table,
        ExportFormat::Json,
        ExportFormat::WorkloadsCsv,
        ExportFormat::NodesCsv,
        ExportFormat::NamespacesCsv,
        ExportFormat::Html,
    ] {
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
