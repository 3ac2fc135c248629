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

#[cfg(test)]
mod tests {
    use super::*;

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
