//! Number formatting shared by every output (tables, CSV, HTML, messages, the app): money,
//! rates, decimals, sizes, percentages.

/// Inserts thousands separators into a run of ASCII digits: `1234567` → `1,234,567`.
pub fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    let len = digits.chars().count();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `31877` → `31,877`.
pub fn group_thousands(n: usize) -> String {
    group_digits(&n.to_string())
}

/// A human size in decimal units: `812 B`, `12.3 KB`, `250.0 MB`, `1.25 GB`.
pub fn human_bytes(n: usize) -> String {
    let n = n as f64;
    if n < 1000.0 {
        format!("{n} B")
    } else if n < 1e6 {
        format!("{:.1} KB", n / 1e3)
    } else if n < 1e9 {
        format!("{:.1} MB", n / 1e6)
    } else {
        format!("{:.2} GB", n / 1e9)
    }
}

/// Formats `v` with at most `max_decimals` decimals, without trailing zeros (`0.25`, `7.08`,
/// `2`). Non-finite values print as `NaN`/`inf`.
pub fn trim_decimal(v: f64, max_decimals: usize) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let s = format!("{v:.max_decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// Formats dollars for display with two decimals and thousands separators: `$1,234.56`.
pub fn fmt_usd(v: f64) -> String {
    if !v.is_finite() {
        return format!("${v}");
    }
    let cents = (v.abs() * 100.0).round();
    let whole = (cents / 100.0).trunc();
    let frac = cents - whole * 100.0;
    let grouped = group_digits(&format!("{whole:.0}"));
    let sign = if v < 0.0 && cents > 0.0 { "-" } else { "" };
    format!("{sign}${grouped}.{frac:02.0}")
}

/// `part / whole × 100`, or `None` when `whole` is not a positive finite number.
pub fn percent_of(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0 && part.is_finite() && whole.is_finite()).then(|| part / whole * 100.0)
}

/// A per-resource rate for display: `$0.0306`.
pub fn fmt_rate(v: f64) -> String {
    format!("{v:.4}")
}

/// An hourly price for display: `$0.096/h`.
pub fn fmt_hourly(v: f64) -> String {
    format!("${}/h", trim_decimal(v, 6))
}

/// Memory for people: `512Mi`, `1.5Gi`.
pub fn fmt_bytes(bytes: i64) -> String {
    let gib = bytes as f64 / (1u64 << 30) as f64;
    if gib.abs() >= 1.0 {
        format!("{}Gi", trim_decimal(gib, 2))
    } else {
        format!("{}Mi", trim_decimal(bytes as f64 / 1_048_576.0, 0))
    }
}

/// CPU for people: `250m` below one core, else cores with up to two decimals (`1.5`); `–` when
/// not a number.
pub fn fmt_cores(cores: f64) -> String {
    if !cores.is_finite() {
        return "–".to_owned();
    }
    if cores != 0.0 && cores.abs() < 1.0 {
        format!("{}m", trim_decimal(cores * 1000.0, 0))
    } else {
        trim_decimal(cores, 2)
    }
}

/// A percentage for people with at most one decimal (`37.5%`, `20%`); `–` for `None`.
pub fn fmt_percent(p: Option<f64>) -> String {
    p.map_or_else(|| "–".to_owned(), |p| format!("{}%", trim_decimal(p, 1)))
}

/// A fraction as an exact percentage for messages: `0.6` → `60 %` (up to six decimals).
pub fn fraction_as_percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    let rounded = (p * 1e6).round() / 1e6;
    format!("{rounded} %")
}

/// Milliseconds for people: `1234 ms`.
pub fn fmt_millis(ms: f64) -> String {
    format!("{ms:.0} ms")
}

/// Whole seconds elapsed, for a ticking clock: `3 s`.
pub fn fmt_whole_seconds(ms: f64) -> String {
    format!("{:.0} s", (ms.max(0.0) / 1000.0).floor())
}

/// `n` things with thousands grouped: `1 node`, `2,000 nodes` (English plural with `s`).
pub fn count_of(n: usize, thing: &str) -> String {
    format!(
        "{} {thing}{}",
        group_thousands(n),
        if n == 1 { "" } else { "s" }
    )
}

/// The first `max` items joined by `, `, then `+N more`: `a, b +3 more`.
pub fn fmt_list(items: &[String], max: usize) -> String {
    if items.len() <= max {
        items.join(", ")
    } else {
        format!(
            "{} +{} more",
            items[..max].join(", "),
            group_thousands(items.len() - max)
        )
    }
}

/// CPU as KRR's table writes it: `13m` below one core, else cores (`2.5`).
pub fn krr_cpu(millis: i64) -> String {
    if millis.abs() < 1000 {
        format!("{millis}m")
    } else {
        trim_decimal(millis as f64 / 1000.0, 3)
    }
}

/// Memory as KRR's table writes it: `505Mi` until 10 Gi, then `12.38Gi`.
pub fn krr_memory(bytes: i64) -> String {
    let mib = bytes as f64 / 1_048_576.0;
    if mib.abs() >= 10.0 * 1024.0 {
        format!("{}Gi", trim_decimal(mib / 1024.0, 2))
    } else {
        format!("{}Mi", trim_decimal(mib, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        assert_eq!(trim_decimal(0.25, 3), "0.25");
        assert_eq!(trim_decimal(2.0, 3), "2");
        assert_eq!(trim_decimal(7.078125, 2), "7.08");
        assert_eq!(trim_decimal(-0.0001, 2), "0");
        assert_eq!(fmt_usd(1234.567), "$1,234.57");
        assert_eq!(fmt_usd(0.004), "$0.00");
        assert_eq!(fmt_usd(999999.999), "$1,000,000.00");
        assert_eq!(fmt_usd(-70.08), "-$70.08");
        assert_eq!(fmt_usd(f64::NAN), "$NaN");
        assert_eq!(fmt_cores(0.25), "250m");
        assert_eq!(fmt_cores(1.5), "1.5");
        assert_eq!(fmt_cores(0.0), "0");
        assert_eq!(fmt_percent(Some(37.54)), "37.5%");
        assert_eq!(fmt_percent(None), "–");
        assert_eq!(fmt_bytes(512 << 20), "512Mi");
        assert_eq!(fmt_bytes(3 << 29), "1.5Gi");
        assert_eq!(fmt_bytes(0), "0Mi");
    }

    #[test]
    fn krr_formats() {
        assert_eq!(krr_cpu(13), "13m");
        assert_eq!(krr_cpu(2500), "2.5");
        assert_eq!(krr_cpu(1000), "1");
        assert_eq!(krr_memory(505 * 1_048_576), "505Mi");
        assert_eq!(krr_memory(9 * 1_073_741_824), "9216Mi");
        assert_eq!(krr_memory(12_676_431_872), "11.81Gi");
    }

    #[test]
    fn human_sizes_use_decimal_units() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1000), "1.0 KB");
        assert_eq!(human_bytes(238_500_000), "238.5 MB");
        assert_eq!(human_bytes(1_250_000_000), "1.25 GB");
    }

    #[test]
    fn groups_by_three_from_the_right() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1234567), "1,234,567");
        assert_eq!(group_digits("12"), "12");
        assert_eq!(group_digits("123456"), "123,456");
    }
}
