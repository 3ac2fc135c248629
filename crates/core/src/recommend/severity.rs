//! KRR's severities and score (robusta-dev/krr v1.29 `severity.py` and `result.py`).
//!
//! Per cell (CPU or memory × requests or limits), from the current and recommended values:
//!
//! * recommended (or current) undefined (`?`) → [`Severity::Unknown`];
//! * both unset → [`Severity::Good`]; exactly one unset → [`Severity::Warning`];
//! * CPU, `d = |current − recommended|` in cores: `d ≥ 0.5` critical, `≥ 0.25` warning,
//!   `≥ 0.1` ok, else good;
//! * memory, `d` in MiB: `≥ 500` critical, `≥ 250` warning, `≥ 100` ok, else good.
//!
//! A row takes the first severity found in the order critical, warning, ok, good, unknown (so a
//! row with good and unknown cells is good; only an all-unknown row is unknown).
//!
//! Score = `int((N − 0.7·#warning − 1·#critical) / N · 100)` over the N rows (−1 when there are
//! none), computed in `f64` in KRR's order so truncation matches; grade A ≥ 90, B ≥ 70, C ≥ 55,
//! D ≥ 30, else F.
//!
//! Subtlety: KRR compares floats (cores, bytes); here the differences are exact integers
//! (millicores, bytes), so a difference that is exactly on a threshold (e.g. 0.3 − 0.05 cores)
//! is always on the threshold, where KRR's float subtraction may land a hair below it.

use serde::Serialize;

use super::Value;

/// How far the current value is from the recommendation (KRR's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Severity {
    /// The recommendation is undefined.
    #[serde(rename = "UNKNOWN")]
    Unknown,
    /// Close enough.
    #[serde(rename = "GOOD")]
    Good,
    /// A small difference.
    #[serde(rename = "OK")]
    Ok,
    /// A noticeable difference, or only one of current and recommended is set.
    #[serde(rename = "WARNING")]
    Warning,
    /// A large difference.
    #[serde(rename = "CRITICAL")]
    Critical,
}

impl Severity {
    /// KRR's name: `GOOD`, `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Good => "GOOD",
            Severity::Ok => "OK",
            Severity::Warning => "WARNING",
            Severity::Critical => "CRITICAL",
        }
    }

    /// Parses KRR's name (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_uppercase().as_str() {
            "UNKNOWN" => Some(Severity::Unknown),
            "GOOD" => Some(Severity::Good),
            "OK" => Some(Severity::Ok),
            "WARNING" => Some(Severity::Warning),
            "CRITICAL" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// The resource of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// CPU, values in millicores.
    Cpu,
    /// Memory, values in bytes.
    Memory,
}

const MIB: i128 = 1_048_576;

/// The severity of one cell: `current` and `recommended` in millicores (CPU) or bytes (memory).
pub fn cell(resource: Resource, current: Value, recommended: Value) -> Severity {
    let (c, r) = match (current, recommended) {
        (Value::Unknown, _) | (_, Value::Unknown) => return Severity::Unknown,
        (Value::Unset, Value::Unset) => return Severity::Good,
        (Value::Unset, _) | (_, Value::Unset) => return Severity::Warning,
        (Value::Set(c), Value::Set(r)) => (c, r),
    };
    let d = (i128::from(c) - i128::from(r)).abs();
    of_difference(
        d,
        match resource {
            Resource::Cpu => [500, 250, 100],
            Resource::Memory => [500 * MIB, 250 * MIB, 100 * MIB],
        },
    )
}

/// The severity of a difference `d` between current and recommended values against KRR's
/// thresholds `[critical, warning, ok]` in the same unit (at or above a threshold is that
/// severity; below `ok` is good). [`cell`] uses exact integers; a model of KRR's own float
/// comparisons can use floats.
pub fn of_difference<T: PartialOrd>(d: T, [critical, warning, ok]: [T; 3]) -> Severity {
    if d >= critical {
        Severity::Critical
    } else if d >= warning {
        Severity::Warning
    } else if d >= ok {
        Severity::Ok
    } else {
        Severity::Good
    }
}

/// A row's severity from its cells: the first present in the order critical, warning, ok,
/// good, unknown (KRR's `ResourceScan.calculate`); unknown when there are no cells.
pub fn row(cells: impl IntoIterator<Item = Severity>) -> Severity {
    let cells: Vec<Severity> = cells.into_iter().collect();
    [
        Severity::Critical,
        Severity::Warning,
        Severity::Ok,
        Severity::Good,
    ]
    .into_iter()
    .find(|s| cells.contains(s))
    .unwrap_or(Severity::Unknown)
}

/// KRR's score of rows with these severities: `int((N − Σ cost) / N · 100)` with cost 0.7 per
/// warning and 1 per critical; −1 for no rows.
pub fn score(rows: impl IntoIterator<Item = Severity>) -> i64 {
    let mut n = 0usize;
    let mut cost = 0.0f64;
    for s in rows {
        n += 1;
        cost += match s {
            Severity::Warning => 0.7,
            Severity::Critical => 1.0,
            _ => 0.0,
        };
    }
    if n == 0 {
        return -1;
    }
    let n = n as f64;
    ((n - cost) / n * 100.0).trunc() as i64
}

/// KRR's letter for a score: A ≥ 90, B ≥ 70, C ≥ 55, D ≥ 30, else F.
pub fn grade(score: i64) -> &'static str {
    if score < 30 {
        "F"
    } else if score < 55 {
        "D"
    } else if score < 70 {
        "C"
    } else if score < 90 {
        "B"
    } else {
        "A"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_rows_scores() {
        use Value::{Set, Unknown, Unset};
        assert_eq!(cell(Resource::Cpu, Set(1000), Set(25)), Severity::Critical);
        assert_eq!(cell(Resource::Cpu, Set(300), Set(50)), Severity::Warning);
        assert_eq!(cell(Resource::Cpu, Set(100), Set(245)), Severity::Ok);
        assert_eq!(cell(Resource::Cpu, Set(100), Set(1)), Severity::Good);
        assert_eq!(cell(Resource::Cpu, Unset, Unset), Severity::Good);
        assert_eq!(cell(Resource::Cpu, Unset, Set(30)), Severity::Warning);
        assert_eq!(cell(Resource::Memory, Set(1), Unknown), Severity::Unknown);
        assert_eq!(
            cell(Resource::Memory, Set(600 * 1_048_576), Set(100 * 1_048_576)),
            Severity::Critical
        );
        assert_eq!(
            row([Severity::Unknown, Severity::Good, Severity::Unknown]),
            Severity::Good
        );
        assert_eq!(row([Severity::Unknown]), Severity::Unknown);
        assert_eq!(score([Severity::Warning, Severity::Critical]), 15);
        assert_eq!(score([]), -1);
        assert_eq!(grade(15), "F");
        assert_eq!(grade(90), "A");
    }
}
