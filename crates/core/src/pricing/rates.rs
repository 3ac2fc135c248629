//! Per-resource rates: what a core-hour and a GiB-hour of a node cost, how a node's price is
//! split into them, and the fallback rates for nodes without a price.

use serde::Serialize;

/// The price of one core relative to one GiB (`0.031611 / 0.004237` ≈ 7.46).
pub const CPU_MEMORY_PRICE_RATIO: f64 = FALLBACK_CPU_CORE_HOURLY / FALLBACK_MEMORY_GIB_HOURLY;

/// Per-resource hourly rates of a node, in USD.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, serde::Deserialize)]
pub struct Rates {
    /// USD per core-hour.
    pub cpu_core_hourly: f64,
    /// USD per GiB-hour.
    pub memory_gib_hourly: f64,
}

impl Rates {
    /// OpenCost's default rates, used for nodes without a price.
    pub const FALLBACK: Rates = Rates {
        cpu_core_hourly: FALLBACK_CPU_CORE_HOURLY,
        memory_gib_hourly: FALLBACK_MEMORY_GIB_HOURLY,
    };

    /// Checks user-entered fallback rates: both finite and not negative, and not both zero.
    pub fn validated(cpu_core_hourly: f64, memory_gib_hourly: f64) -> Result<Rates, String> {
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        if !ok(cpu_core_hourly) || !ok(memory_gib_hourly) {
            return Err(format!(
                "fallback rates must be numbers of at least 0, not ${cpu_core_hourly}/core-h and \
                 ${memory_gib_hourly}/GiB-h"
            ));
        }
        if cpu_core_hourly == 0.0 && memory_gib_hourly == 0.0 {
            return Err(
                "fallback rates of $0 for both CPU and memory would make every \
                        unpriced node free; leave them empty for OpenCost's defaults"
                    .to_owned(),
            );
        }
        Ok(Rates {
            cpu_core_hourly,
            memory_gib_hourly,
        })
    }

    /// Splits `hourly_price` over `cores` and `gib` with [`CPU_MEMORY_PRICE_RATIO`]; `None` when
    /// there is nothing to split over (both zero) or the inputs are not finite.
    pub fn split(hourly_price: f64, cores: f64, gib: f64) -> Option<Rates> {
        let (c, g) = (cores.max(0.0), gib.max(0.0));
        let denominator = c * CPU_MEMORY_PRICE_RATIO + g;
        if denominator <= 0.0 || !denominator.is_finite() || !hourly_price.is_finite() {
            return None;
        }
        let memory_gib_hourly = hourly_price / denominator;
        Some(Rates {
            cpu_core_hourly: memory_gib_hourly * CPU_MEMORY_PRICE_RATIO,
            memory_gib_hourly,
        })
    }

    /// Hourly cost of `cores` and `gib` at these rates.
    pub fn cost(&self, cores: f64, gib: f64) -> f64 {
        cores * self.cpu_core_hourly + gib * self.memory_gib_hourly
    }
}

/// OpenCost's default price of one CPU core per hour, in USD.
pub const FALLBACK_CPU_CORE_HOURLY: f64 = 0.031611;

/// OpenCost's default price of one GiB of memory per hour, in USD.
pub const FALLBACK_MEMORY_GIB_HOURLY: f64 = 0.004237;
