//! Number formatting shared by every output (tables, HTML, the app).

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

#[cfg(test)]
mod tests {
    use super::*;

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
