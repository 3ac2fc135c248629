//! The whole analysis as the app runs it: up to four inputs (snapshot, KRR or usage, price
//! file, in any order) sorted by `inputs::prepare`, analysed with the embedded catalogue and a
//! manual price (and, for odd-length data, spot allowed in the re-packing), then rendered in
//! every format.
#![no_main]

use kube_rightsize_core::analysis::{Settings, analyze};
use kube_rightsize_core::ingest::Input;
use kube_rightsize_core::inputs::prepare;
use kube_rightsize_core::pricing::catalogue::Catalogue;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = kube_rightsize_fuzz::split(data, 4);
    let names = ["cluster.json", "second", "third", "fourth"];
    let inputs: Vec<Input<'_>> = parts
        .iter()
        .zip(names)
        .map(|(bytes, name)| Input::new(name, bytes))
        .collect();
    let mut settings = Settings::default();
    // Half the inputs re-pack with spot allowed (`--repack-spot`).
    settings.repack_spot = data.len() % 2 == 1;
    settings
        .manual_prices
        .set("m5.large", 0.05)
        .expect("a valid manual price");
    let Ok(prepared) = prepare(&inputs, &mut settings) else {
        return;
    };
    if prepared.snapshots.is_empty() {
        return;
    }
    let Ok(analysis) = analyze(
        &prepared.snapshots,
        &settings,
        Some(Catalogue::embedded()),
        "2026-01-01T00:00:00Z",
    ) else {
        return;
    };
    let _ = prepared.describe(&analysis.cluster);
    kube_rightsize_fuzz::render_everything(&analysis.report);
});
