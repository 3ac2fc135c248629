//! KRR JSON import.
#![no_main]

use kube_rightsize_core::recommend::krr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = krr::parse("krr.json", data) {
        assert!(!e.to_string().is_empty());
    }
});
