//! Quantity parsing: never panics, and every accepted quantity prints back to itself.
#![no_main]

use kube_rightsize_core::quantity::Quantity;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((q, format)) = Quantity::parse_with_format(text) {
        let _ = q.millis_ceil();
        let _ = q.units_ceil();
        let shown = q.to_string();
        assert_eq!(
            Quantity::parse(&shown),
            Ok(q),
            "Display of {text:?} is {shown:?}"
        );
        let canonical = q.canonical(format);
        assert_eq!(
            Quantity::parse(&canonical),
            Ok(q),
            "canonical form of {text:?} is {canonical:?}"
        );
    }
});
