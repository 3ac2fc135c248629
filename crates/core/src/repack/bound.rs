//! The lower bound of a pool's cost: the cheapest fractional mix of candidate types whose
//! CPU and memory (at the target utilisation) cover the demand, ignoring how pods pack.
//!
//! It is a linear programme with two constraints (`Σ xᵢ·cpuᵢ ≥ C`, `Σ xᵢ·memᵢ ≥ M`, `xᵢ ≥ 0`,
//! minimise `Σ xᵢ·priceᵢ`), so an optimum uses at most two types: every single type and every
//! pair is tried, `O(K²)` for `K` candidates. GPUs are not part of the bound (it stays a lower
//! bound, only a looser one for GPU pools).

use crate::cost::HOURS_PER_MONTH;
use crate::suggest::Candidate;

use super::Demand;

fn usable(c: &Candidate, target: f64) -> (f64, f64) {
    (
        (c.allocatable.cpu_millis.max(0) as f64 * target).floor(),
        (c.allocatable.memory_bytes.max(0) as f64 * target).floor(),
    )
}

/// The monthly cost of covering `demand` with fractional nodes of `c` alone (infinite when
/// `c` has no CPU or memory).
pub fn single_type_cost(c: &Candidate, demand: Demand, target: f64) -> f64 {
    let (cpu, mem) = usable(c, target);
    if cpu <= 0.0 || mem <= 0.0 {
        return f64::INFINITY;
    }
    let n = (demand.cpu_millis.max(0) as f64 / cpu).max(demand.memory_bytes.max(0) as f64 / mem);
    n * c.hourly_price * HOURS_PER_MONTH
}

/// The lower bound per month, `None` without a usable candidate.
pub fn lower_bound(candidates: &[Candidate], demand: Demand, target: f64) -> Option<f64> {
    let need = (
        demand.cpu_millis.max(0) as f64,
        demand.memory_bytes.max(0) as f64,
    );
    let shapes: Vec<(f64, f64, f64)> = candidates
        .iter()
        .map(|c| {
            let (cpu, mem) = usable(c, target);
            (cpu, mem, c.hourly_price * HOURS_PER_MONTH)
        })
        .filter(|(c, m, p)| *c > 0.0 && *m > 0.0 && p.is_finite() && *p >= 0.0)
        .collect();
    let mut best: Option<f64> = None;
    let mut consider = |v: f64| {
        if v.is_finite() && best.is_none_or(|b| v < b) {
            best = Some(v);
        }
    };
    for &(c, m, p) in &shapes {
        consider(p * (need.0 / c).max(need.1 / m));
    }
    for (i, &(c1, m1, p1)) in shapes.iter().enumerate() {
        for &(c2, m2, p2) in &shapes[i + 1..] {
            // Both constraints tight: x·c1 + y·c2 = C, x·m1 + y·m2 = M.
            let det = c1 * m2 - c2 * m1;
            if det == 0.0 {
                continue;
            }
            let x = (need.0 * m2 - c2 * need.1) / det;
            let y = (c1 * need.1 - need.0 * m1) / det;
            if x >= 0.0 && y >= 0.0 {
                consider(x * p1 + y * p2);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::CpuMemory;

    fn cand(name: &str, cpu: i64, gib: i64, hourly: f64) -> Candidate {
        Candidate {
            instance_type: name.into(),
            hourly_price: hourly,
            allocatable: CpuMemory {
                cpu_millis: cpu * 1000,
                memory_bytes: gib << 30,
            },
            gpus: 0,
        }
    }

    #[test]
    fn a_mix_of_two_types_can_beat_each_alone() {
        // CPU-heavy and memory-heavy types; the demand needs both.
        let c = [cand("c", 4, 2, 1.0), cand("r", 1, 8, 1.0)];
        let d = Demand {
            cpu_millis: 4000,
            memory_bytes: 8 << 30,
            gpus: 0,
        };
        let alone = single_type_cost(&c[0], d, 1.0).min(single_type_cost(&c[1], d, 1.0));
        let lb = lower_bound(&c, d, 1.0).expect("a bound");
        assert!(lb < alone - 1.0, "{lb} < {alone}");
        // 4x + y = 4 cores, 2x + 8y = 8 GiB: x = y = 0.8 nodes, 1.6 × $730.
        assert!((lb - 1.6 * HOURS_PER_MONTH).abs() < 1e-6, "{lb}");
        assert_eq!(lower_bound(&[], d, 1.0), None);
    }
}
