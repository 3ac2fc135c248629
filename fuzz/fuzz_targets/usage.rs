//! Usage inputs: `kubectl top pod --containers` text and metrics API JSON, sniffed or forced.
#![no_main]

use kube_rightsize_core::recommend::{StrategySettings, read_input, usage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = usage::parse("usage", data);
    let _ = usage::parse_metrics_api("metrics.json", data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = usage::parse_kubectl_top("top.txt", text);
    }
    let _ = read_input("input", data, &StrategySettings::default());
});
