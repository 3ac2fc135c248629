//! Per-resource rates: what a core-hour, a GiB-hour and a GPU-hour of a node cost, how a node's
//! price is split into them, and the fallback rates for nodes without a price.

use serde::Serialize;

/// The price of one core relative to one GiB (`0.031611 / 0.004237` ≈ 7.46).
pub const CPU_MEMORY_PRICE_RATIO: f64 = FALLBACK_CPU_CORE_HOURLY / FALLBACK_MEMORY_GIB_HOURLY;

/// The price of one GPU relative to one GiB (`0.95 / 0.004237` ≈ 224.2): OpenCost's default GPU
/// and memory prices.
pub const GPU_MEMORY_PRICE_RATIO: f64 = FALLBACK_GPU_HOURLY / FALLBACK_MEMORY_GIB_HOURLY;

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

    /// Splits `hourly_price` over `gpus` physical GPUs, `cores` and `gib` with
    /// [`GPU_MEMORY_PRICE_RATIO`] and [`CPU_MEMORY_PRICE_RATIO`] (memory weighs 1):
    /// `unit = P / (G·g + C·c + M)`, GPU rate `g·unit` per GPU-hour, core rate `c·unit`, GiB rate
    /// `unit`. With no GPUs this is exactly [`Rates::split`] (the same operations, so the same
    /// bits). `None` when there is nothing to split over or the inputs are not finite.
    pub fn split_with_gpus(
        hourly_price: f64,
        gpus: f64,
        cores: f64,
        gib: f64,
    ) -> Option<(Rates, f64)> {
        let g = gpus.max(0.0);
        if g == 0.0 {
            return Rates::split(hourly_price, cores, gib).map(|r| (r, 0.0));
        }
        let (c, m) = (cores.max(0.0), gib.max(0.0));
        let denominator = g * GPU_MEMORY_PRICE_RATIO + c * CPU_MEMORY_PRICE_RATIO + m;
        if !denominator.is_finite() || !hourly_price.is_finite() {
            return None;
        }
        let unit = hourly_price / denominator;
        Some((
            Rates {
                cpu_core_hourly: unit * CPU_MEMORY_PRICE_RATIO,
                memory_gib_hourly: unit,
            },
            unit * GPU_MEMORY_PRICE_RATIO,
        ))
    }

    /// Splits `hourly_price` into a known GPU part, `gpus × gpu_hourly` (e.g. a price file's
    /// `gpu_usd_per_hour`), and the rest over `cores` and `gib` with [`Rates::split`]. `None`
    /// when the GPU part is not finite or more than the price, or the rest cannot be split.
    pub fn split_with_gpu_price(
        hourly_price: f64,
        gpus: f64,
        gpu_hourly: f64,
        cores: f64,
        gib: f64,
    ) -> Option<Rates> {
        let gpu_part = gpus.max(0.0) * gpu_hourly;
        if !gpu_part.is_finite() || gpu_part < 0.0 || gpu_part > hourly_price {
            return None;
        }
        Rates::split(hourly_price - gpu_part, cores, gib)
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

/// OpenCost's default price of one GPU per hour, in USD (nodes without a price; the GPU weight
/// of the split).
pub const FALLBACK_GPU_HOURLY: f64 = 0.95;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_gpus_the_split_is_bit_identical_to_the_cpu_memory_split() {
        for (p, c, g) in [
            (0.096, 1.93, 7.0),
            (0.192, 3.92, 15.0),
            (1.0, 0.0, 4.0),
            (0.0416, 1.93, 3.0),
        ] {
            let (r, gpu) = Rates::split_with_gpus(p, 0.0, c, g).expect("splits");
            let old = Rates::split(p, c, g).expect("splits");
            assert_eq!(r.cpu_core_hourly.to_bits(), old.cpu_core_hourly.to_bits());
            assert_eq!(
                r.memory_gib_hourly.to_bits(),
                old.memory_gib_hourly.to_bits()
            );
            assert_eq!(gpu, 0.0);
        }
        assert_eq!(Rates::split_with_gpus(1.0, 0.0, 0.0, 0.0), None);
        assert_eq!(Rates::split_with_gpus(f64::NAN, 1.0, 1.0, 1.0), None);
    }

    #[test]
    fn g5_xlarge_split_with_opencost_weights() {
        // 1 A10G, 4 cores, 16 GiB at $1.006/h: unit = 1.006 / (224.2152 + 4 × 7.4607 + 16).
        assert!((GPU_MEMORY_PRICE_RATIO - 224.215_246_636_771_3).abs() < 1e-9);
        let (r, gpu) = Rates::split_with_gpus(1.006, 1.0, 4.0, 16.0).expect("splits");
        assert!((r.memory_gib_hourly - 0.003_725_124_886_824).abs() < 1e-12);
        assert!((r.cpu_core_hourly - 0.027_792_051_639_697).abs() < 1e-12);
        assert!((gpu - 0.835_229_795_252_028).abs() < 1e-12);
        // A fully requested node allocates exactly its price.
        assert!((gpu + r.cost(4.0, 16.0) - 1.006).abs() < 1e-12);
        // A known GPU price: the rest is split over CPU and memory.
        let rest = Rates::split_with_gpu_price(1.006, 1.0, 0.8, 4.0, 16.0).expect("splits");
        let expected = Rates::split(1.006 - 0.8, 4.0, 16.0).expect("splits");
        assert_eq!(rest, expected);
        assert_eq!(Rates::split_with_gpu_price(1.0, 2.0, 0.6, 4.0, 16.0), None);
        // A GPU-only node (no CPU or memory) puts the whole price on its GPUs.
        let (_, only) = Rates::split_with_gpus(2.0, 2.0, 0.0, 0.0).expect("splits");
        assert!((only - 1.0).abs() < 1e-15);
    }
}
