//! Price file import (CSV of nodes or of disks and services, kube-rightsize/prices/v1,
//! instances.vantage.sh feeds): never panics,
//! prices are finite and not negative, and what is written back imports again.
#![no_main]

use kube_rightsize_core::pricing::import::{import_prices, write_price_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(imported) = import_prices("prices", data) else {
        return;
    };
    for entry in imported.table.iter() {
        assert!(
            entry.usd_per_hour.is_finite() && entry.usd_per_hour >= 0.0,
            "imported price {entry:?}"
        );
    }
    for item in &imported.items {
        assert!(
            item.usd.is_finite() && item.usd >= 0.0,
            "imported item price {item:?}"
        );
        assert!(
            !item.region.is_empty() && !item.item.is_empty() && !item.unit.is_empty(),
            "an item with an empty field {item:?}"
        );
    }
    let written = write_price_file(&imported.table, "2026-01-01T00:00:00Z", &[]);
    let again = import_prices("written.json", written.as_bytes())
        .unwrap_or_else(|e| panic!("the written price file does not import: {e}\n{written}"));
    assert_eq!(again.table.len(), imported.table.len());
});
