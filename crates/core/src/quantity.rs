//! Exact Kubernetes resource quantities (`resource.Quantity`).
//!
//! Values are held as an integer count of nano-units (value × 10⁹), never as floats, so
//! `"1.1"` CPU is exactly 1100m and byte counts above 2⁵³ stay exact.
//!
//! # Grammar
//!
//! ```text
//! <quantity> ::= <sign>? <number> <suffix>
//! <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
//! <suffix>   ::= "" | n | u | m | k | M | G | T | P | E          (decimal SI, 10^-9 … 10^18)
//!              | Ki | Mi | Gi | Ti | Pi | Ei                      (binary SI, 2^10 … 2^60)
//!              | (e | E) <sign>? <digits>                         (decimal exponent)
//! ```
//!
//! A bare `E` is exa (`1E` = 10¹⁸) while `E6` is an exponent, as in Kubernetes. No whitespace is
//! allowed anywhere.
//!
//! # Rounding
//!
//! Like Kubernetes' `ParseQuantity`, a value finer than a nano-unit is rounded **up in magnitude**
//! (away from zero) to the next nano-unit: `3.001n` → `4n`, `-3.001n` → `-4n`,
//! `0.00000012345` → `124n`. [`Quantity::millis_ceil`] and [`Quantity::units_ceil`] round the
//! same way, like Kubernetes' `MilliValue()` / `Value()`: `-1.5` → `-2`.
//!
//! # Differences from Kubernetes, on purpose
//!
//! * Magnitudes above 10²⁷ units are rejected instead of being kept (decimal) or silently capped at
//!   2⁶³−1 (binary). `8Ei` is kept exact (2⁶³); [`Quantity::units_ceil`] then saturates to
//!   2⁶³−1, which is what Kubernetes' `Value()` reports for it too.
//! * A quantity needs at least one digit: Kubernetes reads `"."`, `"-"` or `"k"` as zero, this
//!   parser rejects them.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

/// Nano-units in one unit.
const NANOS_PER_UNIT: i128 = 1_000_000_000;
/// Nano-units in one milli-unit.
const NANOS_PER_MILLI: i128 = 1_000_000;
/// The largest magnitude [`Quantity::parse`] accepts, in nano-units (10²⁷ units).
const MAX_PARSED_NANOS: u128 = 1_000_000_000_000_000_000_000_000_000_000_000_000;
/// Decimal digits that always fit a `u128` (10³⁷ < 2¹²⁸).
const MAX_U128_DIGITS: usize = 37;
/// How many characters of a rejected input [`QuantityError::input`] keeps.
const MAX_ERROR_INPUT_CHARS: usize = 64;
/// Binary suffixes by power of 1024.
const BINARY_SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/// An exact Kubernetes quantity, stored as value × 10⁹ (nano-units), rounded up.
///
/// [`Display`](fmt::Display) prints the shortest exact canonical form (see
/// [`Quantity::canonical`]); parsing it back gives the same value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity {
    nanos: i128,
}

/// Why a quantity string was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityError {
    /// The rejected text (truncated to 64 characters).
    pub input: String,
    /// What was wrong, for people.
    pub reason: &'static str,
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid quantity {:?}: {}", self.input, self.reason)
    }
}

impl std::error::Error for QuantityError {}

/// The suffix family of a quantity's text form, as Kubernetes' `resource.Format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuantityFormat {
    /// Decimal SI suffixes: `n u m "" k M G T P E` (e.g. `500m`, `12M`).
    DecimalSi,
    /// Binary SI suffixes: `Ki Mi Gi Ti Pi Ei` (e.g. `1536Mi`).
    BinarySi,
    /// Decimal exponents (e.g. `12e6`, `80e-3`).
    DecimalExponent,
}

impl Quantity {
    /// Zero.
    pub const ZERO: Quantity = Quantity { nanos: 0 };

    /// Parses a quantity string (`"250m"`, `"1.5Gi"`, `"1e3"`, ...).
    ///
    /// Values finer than a nano-unit are rounded away from zero to the next nano-unit, like
    /// Kubernetes. Magnitudes above 10²⁷ units are rejected. Never panics; the time taken is
    /// linear in the length of `text`, whatever its exponent.
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse_with_format(text).map(|(quantity, _)| quantity)
    }

    /// Parses like [`Quantity::parse`] and also returns the suffix family the text used, as
    /// Kubernetes remembers it for printing: pass it to [`Quantity::canonical`] to print the
    /// value back the way Kubernetes would (`"1024Mi"` → `"1Gi"`).
    ///
    /// As in Kubernetes, a binary quantity strictly between −1 and 1 (other than zero) reports
    /// [`QuantityFormat::DecimalSi`].
    pub fn parse_with_format(text: &str) -> Result<(Quantity, QuantityFormat), QuantityError> {
        parse_text(text).map_err(|reason| QuantityError {
            input: text.chars().take(MAX_ERROR_INPUT_CHARS).collect(),
            reason,
        })
    }

    /// A quantity from a count of nano-units.
    pub const fn from_nanos(nanos: i128) -> Quantity {
        Quantity { nanos }
    }

    /// A quantity from a count of milli-units (e.g. CPU millicores).
    pub const fn from_millis(millis: i64) -> Quantity {
        Quantity {
            nanos: millis as i128 * NANOS_PER_MILLI,
        }
    }

    /// A quantity from a count of whole units (e.g. bytes, cores, GPUs).
    pub const fn from_units(units: i64) -> Quantity {
        Quantity {
            nanos: units as i128 * NANOS_PER_UNIT,
        }
    }

    /// The value in nano-units.
    pub const fn nanos(self) -> i128 {
        self.nanos
    }

    /// The value in milli-units rounded up (CPU millicores), like Kubernetes' `MilliValue`,
    /// saturated to `i64`.
    ///
    /// "Up" is away from zero, as in Kubernetes: `1n` → 1, `-1n` → −1.
    pub fn millis_ceil(self) -> i64 {
        saturate_i64(div_away_from_zero(self.nanos, NANOS_PER_MILLI))
    }

    /// The value in units rounded up (bytes, GPUs), like Kubernetes' `Value`, saturated to `i64`.
    ///
    /// "Up" is away from zero, as in Kubernetes: `0.1` → 1, `-1.5` → −2.
    pub fn units_ceil(self) -> i64 {
        saturate_i64(div_away_from_zero(self.nanos, NANOS_PER_UNIT))
    }

    /// Whether the value is zero.
    pub const fn is_zero(self) -> bool {
        self.nanos == 0
    }

    /// Whether the value is below zero.
    pub const fn is_negative(self) -> bool {
        self.nanos < 0
    }

    /// `self + other`, or `None` if the nano-unit count overflows `i128`.
    pub const fn checked_add(self, other: Quantity) -> Option<Quantity> {
        match self.nanos.checked_add(other.nanos) {
            Some(nanos) => Some(Quantity { nanos }),
            None => None,
        }
    }

    /// `self - other`, or `None` if the nano-unit count overflows `i128`.
    pub const fn checked_sub(self, other: Quantity) -> Option<Quantity> {
        match self.nanos.checked_sub(other.nanos) {
            Some(nanos) => Some(Quantity { nanos }),
            None => None,
        }
    }

    /// `self × factor` (e.g. a per-pod request times replicas), or `None` on `i128` overflow.
    pub const fn checked_mul(self, factor: i64) -> Option<Quantity> {
        match self.nanos.checked_mul(factor as i128) {
            Some(nanos) => Some(Quantity { nanos }),
            None => None,
        }
    }

    /// `self + other`, saturating at the `i128` nano-unit bounds.
    pub const fn saturating_add(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_add(other.nanos),
        }
    }

    /// `self - other`, saturating at the `i128` nano-unit bounds.
    pub const fn saturating_sub(self, other: Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_sub(other.nanos),
        }
    }

    /// `self × factor`, saturating at the `i128` nano-unit bounds.
    pub const fn saturating_mul(self, factor: i64) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_mul(factor as i128),
        }
    }

    /// The canonical text of the value in the given suffix family, as Kubernetes'
    /// `Quantity.String()` prints it:
    ///
    /// * no fractional digits, and the largest suffix (or exponent, a multiple of 3) that keeps
    ///   the value exact: `1000M` → `1G`, `0.5` → `500m`, `1.08` → `1080m`;
    /// * [`QuantityFormat::DecimalSi`] beyond `E` (10¹⁸) falls back to an exponent: `1e21`;
    /// * [`QuantityFormat::BinarySi`] keeps a binary suffix only for whole values of at least
    ///   1024 in magnitude (`1024Mi` → `1Gi`, `1.5Gi` → `1536Mi`, `1025` → `1025`); anything else
    ///   is printed as decimal SI so no precision is lost (`0.5Ki` → `512`, `1.5` → `1500m`);
    /// * zero is `0`, and a negative value is its magnitude's form behind a `-`.
    pub fn canonical(self, format: QuantityFormat) -> String {
        if self.nanos == 0 {
            return "0".to_owned();
        }
        let sign = if self.nanos < 0 { "-" } else { "" };
        let magnitude = self.nanos.unsigned_abs();
        const UNIT: u128 = NANOS_PER_UNIT.unsigned_abs();
        if format == QuantityFormat::BinarySi
            && magnitude >= 1024 * UNIT
            && magnitude.is_multiple_of(UNIT)
        {
            let mut mantissa = magnitude / UNIT;
            let mut power = 0;
            while power + 1 < BINARY_SUFFIXES.len() && mantissa.is_multiple_of(1024) {
                mantissa /= 1024;
                power += 1;
            }
            let suffix = BINARY_SUFFIXES.get(power).copied().unwrap_or("");
            return format!("{sign}{mantissa}{suffix}");
        }
        let mut mantissa = magnitude;
        let mut exponent: i32 = -9;
        while mantissa.is_multiple_of(1000) {
            mantissa /= 1000;
            exponent += 3;
        }
        let suffix = match (format, exponent) {
            (QuantityFormat::DecimalExponent, 0) => String::new(),
            (QuantityFormat::DecimalExponent, _) => format!("e{exponent}"),
            (_, -9) => "n".to_owned(),
            (_, -6) => "u".to_owned(),
            (_, -3) => "m".to_owned(),
            (_, 0) => String::new(),
            (_, 3) => "k".to_owned(),
            (_, 6) => "M".to_owned(),
            (_, 9) => "G".to_owned(),
            (_, 12) => "T".to_owned(),
            (_, 15) => "P".to_owned(),
            (_, 18) => "E".to_owned(),
            (_, _) => format!("e{exponent}"),
        };
        format!("{sign}{mantissa}{suffix}")
    }
}

/// Prints the shortest exact canonical form: the [`QuantityFormat::BinarySi`] form when it is
/// strictly shorter than the [`QuantityFormat::DecimalSi`] one, else the decimal one. So
/// `1073741824` prints as `1Gi`, `1.5Gi` as `1536Mi`, `1000M` as `1G`, `0.5` as `500m`. Honours
/// width/fill/alignment flags.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let decimal = self.canonical(QuantityFormat::DecimalSi);
        let binary = self.canonical(QuantityFormat::BinarySi);
        if binary.len() < decimal.len() {
            f.pad(&binary)
        } else {
            f.pad(&decimal)
        }
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(text: &str) -> Result<Quantity, QuantityError> {
        Quantity::parse(text)
    }
}

/// Saturating: an `i128` nano-unit overflow clamps instead of panicking.
impl Add for Quantity {
    type Output = Quantity;

    fn add(self, other: Quantity) -> Quantity {
        self.saturating_add(other)
    }
}

/// Saturating: an `i128` nano-unit overflow clamps instead of panicking.
impl Sub for Quantity {
    type Output = Quantity;

    fn sub(self, other: Quantity) -> Quantity {
        self.saturating_sub(other)
    }
}

/// Saturating: the negation of the smallest `i128` nano-unit count is the largest.
impl Neg for Quantity {
    type Output = Quantity;

    fn neg(self) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_neg(),
        }
    }
}

/// Saturating, like [`Add`].
impl AddAssign for Quantity {
    fn add_assign(&mut self, other: Quantity) {
        *self = self.saturating_add(other);
    }
}

/// Saturating, like [`Sub`].
impl SubAssign for Quantity {
    fn sub_assign(&mut self, other: Quantity) {
        *self = self.saturating_sub(other);
    }
}

/// Saturating, like [`Add`].
impl Sum for Quantity {
    fn sum<I: Iterator<Item = Quantity>>(iter: I) -> Quantity {
        iter.fold(Quantity::ZERO, Quantity::saturating_add)
    }
}

/// Saturating, like [`Add`].
impl<'a> Sum<&'a Quantity> for Quantity {
    fn sum<I: Iterator<Item = &'a Quantity>>(iter: I) -> Quantity {
        iter.fold(Quantity::ZERO, |total, q| total.saturating_add(*q))
    }
}

/// `n / d` rounded away from zero (`d > 0`).
fn div_away_from_zero(n: i128, d: i128) -> i128 {
    let quotient = n / d;
    let remainder = n % d;
    if remainder > 0 {
        quotient + 1
    } else if remainder < 0 {
        quotient - 1
    } else {
        quotient
    }
}

/// Clamps to the `i64` range.
fn saturate_i64(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// Splits `text` into its leading ASCII digits and the rest.
fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at_checked(end).unwrap_or((text, ""))
}

/// A parsed suffix: the value is multiplied by 10^`decimal_exponent` × 2^`binary_exponent`.
struct Suffix {
    decimal_exponent: i64,
    binary_exponent: u32,
    format: QuantityFormat,
}

/// The whole parser; the error is the reason.
fn parse_text(text: &str) -> Result<(Quantity, QuantityFormat), &'static str> {
    match parse_plain(text) {
        Some(parsed) => Ok(parsed),
        None => parse_general(text),
    }
}

/// The fast path for what nearly every snapshot holds (`250m`, `128Mi`, `2`, `1Gi`): 1 to 18
/// ASCII digits, no sign, point or exponent, then a plain suffix, a non-zero value and no
/// overflow; `None` for anything else, which [`parse_general`] handles. Same results as
/// [`parse_general`] (a property test checks it), without its digit vector.
fn parse_plain(text: &str) -> Option<(Quantity, QuantityFormat)> {
    let end = text
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(text.len());
    if end == 0 || end > 18 {
        return None;
    }
    let (digits, suffix) = text.split_at_checked(end)?;
    let value: u128 = digits.parse().ok()?;
    if value == 0 {
        return None;
    }
    let (decimal_exponent, binary_exponent, format): (u32, u32, QuantityFormat) = match suffix {
        "" => (9, 0, QuantityFormat::DecimalSi),
        "n" => (0, 0, QuantityFormat::DecimalSi),
        "u" => (3, 0, QuantityFormat::DecimalSi),
        "m" => (6, 0, QuantityFormat::DecimalSi),
        "k" => (12, 0, QuantityFormat::DecimalSi),
        "M" => (15, 0, QuantityFormat::DecimalSi),
        "G" => (18, 0, QuantityFormat::DecimalSi),
        "Ki" => (9, 10, QuantityFormat::BinarySi),
        "Mi" => (9, 20, QuantityFormat::BinarySi),
        "Gi" => (9, 30, QuantityFormat::BinarySi),
        "Ti" => (9, 40, QuantityFormat::BinarySi),
        _ => return None,
    };
    let nanos = value
        .checked_mul(10u128.pow(decimal_exponent))?
        .checked_mul(1u128 << binary_exponent)?;
    if nanos > MAX_PARSED_NANOS {
        return None;
    }
    // A non-zero whole number of units: a binary suffix keeps its format.
    Some((
        Quantity {
            nanos: i128::try_from(nanos).ok()?,
        },
        format,
    ))
}

/// The general parser (signs, decimal points, exponents, every suffix, rounding, errors).
fn parse_general(text: &str) -> Result<(Quantity, QuantityFormat), &'static str> {
    if text.is_empty() {
        return Err("empty quantity");
    }
    if text.chars().any(char::is_whitespace) {
        return Err("whitespace is not allowed");
    }
    let (negative, unsigned) = if let Some(rest) = text.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = text.strip_prefix('+') {
        (false, rest)
    } else {
        (false, text)
    };
    let (int_digits, rest) = split_digits(unsigned);
    let (has_point, frac_digits, suffix_text) = match rest.strip_prefix('.') {
        Some(after_point) => {
            let (frac, suffix) = split_digits(after_point);
            (true, frac, suffix)
        }
        None => (false, "", rest),
    };
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err(if unsigned.starts_with(['+', '-']) {
            "more than one sign"
        } else if unsigned.is_empty() {
            "missing number after the sign"
        } else if has_point {
            "missing digits around the decimal point"
        } else {
            "expected a number"
        });
    }
    let suffix = interpret_suffix(suffix_text)?;

    // The significant digits, without leading zeros.
    let mut digits: Vec<u8> = int_digits
        .bytes()
        .chain(frac_digits.bytes())
        .map(|b| b.wrapping_sub(b'0'))
        .skip_while(|&d| d == 0)
        .collect();
    if digits.is_empty() {
        return Ok((Quantity::ZERO, suffix.format));
    }
    if suffix.binary_exponent > 0 {
        multiply_by_power_of_two(&mut digits, suffix.binary_exponent);
    }
    let trailing_zeros = digits.iter().rev().take_while(|&&d| d == 0).count();
    digits.truncate(digits.len().saturating_sub(trailing_zeros));

    // value = digits × 10^(exponent - 9), i.e. nanos = digits × 10^exponent.
    let exponent = i128::from(suffix.decimal_exponent) - frac_digits.len() as i128
        + trailing_zeros as i128
        + 9;
    let count = digits.len() as i128;
    let magnitude: u128 = if exponent >= 0 {
        if count + exponent > MAX_U128_DIGITS as i128 {
            return Err("value is too large (the limit is 1e27)");
        }
        let power =
            u32::try_from(exponent).map_err(|_| "value is too large (the limit is 1e27)")?;
        digits_to_u128(&digits)
            .and_then(|m| 10u128.checked_pow(power).and_then(|p| m.checked_mul(p)))
            .ok_or("value is too large (the limit is 1e27)")?
    } else if count + exponent <= 0 {
        // Below one nano-unit: rounds up to one.
        1
    } else {
        // Whole nano-units are the leading digits; the rest is non-zero (the last digit is
        // non-zero and there is at least one of them), so round up by one.
        let whole = (count + exponent) as usize;
        if whole > MAX_U128_DIGITS {
            return Err("value is too large (the limit is 1e27)");
        }
        digits_to_u128(digits.get(..whole).unwrap_or(&[]))
            .and_then(|m| m.checked_add(1))
            .ok_or("value is too large (the limit is 1e27)")?
    };
    if magnitude > MAX_PARSED_NANOS {
        return Err("value is too large (the limit is 1e27)");
    }
    let nanos = i128::try_from(magnitude).map_err(|_| "value is too large (the limit is 1e27)")?;
    let nanos = if negative { -nanos } else { nanos };
    let format = if suffix.format == QuantityFormat::BinarySi
        && nanos.unsigned_abs() < NANOS_PER_UNIT.unsigned_abs()
    {
        QuantityFormat::DecimalSi
    } else {
        suffix.format
    };
    Ok((Quantity { nanos }, format))
}

/// The number whose decimal digits (most significant first) are `digits`, if it fits.
fn digits_to_u128(digits: &[u8]) -> Option<u128> {
    digits.iter().try_fold(0u128, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u128::from(d))
    })
}

/// Multiplies the decimal digits (most significant first) by 2^`power` in place (`power` ≤ 60).
fn multiply_by_power_of_two(digits: &mut Vec<u8>, power: u32) {
    let factor = 1u128 << power.min(64);
    let mut carry: u128 = 0;
    for digit in digits.iter_mut().rev() {
        let value = u128::from(*digit) * factor + carry;
        *digit = (value % 10) as u8;
        carry = value / 10;
    }
    let mut prefix = Vec::new();
    while carry > 0 {
        prefix.push((carry % 10) as u8);
        carry /= 10;
    }
    prefix.reverse();
    digits.splice(0..0, prefix);
}

/// Interprets the text after the number.
fn interpret_suffix(text: &str) -> Result<Suffix, &'static str> {
    let (decimal_exponent, binary_exponent, format) = match text {
        "" => (0, 0, QuantityFormat::DecimalSi),
        "n" => (-9, 0, QuantityFormat::DecimalSi),
        "u" => (-6, 0, QuantityFormat::DecimalSi),
        "m" => (-3, 0, QuantityFormat::DecimalSi),
        "k" => (3, 0, QuantityFormat::DecimalSi),
        "M" => (6, 0, QuantityFormat::DecimalSi),
        "G" => (9, 0, QuantityFormat::DecimalSi),
        "T" => (12, 0, QuantityFormat::DecimalSi),
        "P" => (15, 0, QuantityFormat::DecimalSi),
        "E" => (18, 0, QuantityFormat::DecimalSi),
        "Ki" => (0, 10, QuantityFormat::BinarySi),
        "Mi" => (0, 20, QuantityFormat::BinarySi),
        "Gi" => (0, 30, QuantityFormat::BinarySi),
        "Ti" => (0, 40, QuantityFormat::BinarySi),
        "Pi" => (0, 50, QuantityFormat::BinarySi),
        "Ei" => (0, 60, QuantityFormat::BinarySi),
        _ => {
            if let Some(reason) = suffix_typo(text) {
                return Err(reason);
            }
            if text.starts_with('.') {
                return Err("more than one decimal point");
            }
            if text.starts_with(['+', '-']) {
                return Err("a sign is only allowed at the start or after the exponent's e");
            }
            match text.strip_prefix(['e', 'E']) {
                Some(exponent) => (
                    parse_exponent(exponent)?,
                    0,
                    QuantityFormat::DecimalExponent,
                ),
                None => {
                    return Err(
                        "unknown suffix (expected one of n u m k M G T P E Ki Mi Gi \
                                Ti Pi Ei, or an exponent like e3)",
                    );
                }
            }
        }
    };
    Ok(Suffix {
        decimal_exponent,
        binary_exponent,
        format,
    })
}

/// Parses the part of a decimal exponent after `e`/`E`: `[+-]?<digits>`.
fn parse_exponent(text: &str) -> Result<i64, &'static str> {
    let (negative, digits) = if let Some(rest) = text.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = text.strip_prefix('+') {
        (false, rest)
    } else {
        (false, text)
    };
    if digits.is_empty() {
        return Err("the exponent has no digits");
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err(if b == b'.' {
                "the exponent must be a whole number"
            } else {
                "malformed exponent (expected digits after e)"
            });
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or("the exponent is out of range")?;
    }
    Ok(if negative { -value } else { value })
}

/// A specific hint for common suffix mistakes.
fn suffix_typo(text: &str) -> Option<&'static str> {
    macro_rules! typos {
        ($($typo:literal => $fix:literal),* $(,)?) => {
            match text {
                $($typo => Some(concat!(
                    "unknown suffix \"", $typo, "\" (did you mean \"", $fix, "\"?)"
                )),)*
                _ => None,
            }
        };
    }
    if text == "e" {
        return Some(
            "unknown suffix \"e\" (did you mean \"E\" for 10^18, or an exponent like e3?)",
        );
    }
    typos! {
        "ki" => "Ki", "mi" => "Mi", "gi" => "Gi", "ti" => "Ti", "pi" => "Pi", "ei" => "Ei",
        "KI" => "Ki", "MI" => "Mi", "GI" => "Gi", "TI" => "Ti", "PI" => "Pi", "EI" => "Ei",
        "K" => "k", "g" => "G", "t" => "T", "p" => "P", "N" => "n", "U" => "u",
        "µ" => "u", "μ" => "u",
        "KB" => "k", "kB" => "k", "kb" => "k", "Kb" => "k",
        "MB" => "M", "GB" => "G", "TB" => "T", "PB" => "P", "EB" => "E",
        "gb" => "G", "tb" => "T",
        "KiB" => "Ki", "MiB" => "Mi", "GiB" => "Gi", "TiB" => "Ti", "PiB" => "Pi", "EiB" => "Ei",
        "kiB" => "Ki", "kib" => "Ki", "mib" => "Mi", "gib" => "Gi", "tib" => "Ti",
        "Kib" => "Ki", "Mib" => "Mi", "Gib" => "Gi", "Tib" => "Ti",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const UNIT: i128 = 1_000_000_000;

    fn nanos(text: &str) -> i128 {
        match Quantity::parse(text) {
            Ok(q) => q.nanos(),
            Err(e) => panic!("{text:?} should parse: {e}"),
        }
    }

    fn reason(text: &str) -> &'static str {
        match Quantity::parse(text) {
            Ok(q) => panic!("{text:?} should be rejected, parsed as {}n", q.nanos()),
            Err(e) => e.reason,
        }
    }

    /// Every must-parse value from the reference, with its exact value in nano-units.
    const MUST_PARSE: &[(&str, i128)] = &[
        ("0", 0),
        ("0n", 0),
        ("0u", 0),
        ("0m", 0),
        ("0k", 0),
        ("0Ki", 0),
        ("0Mi", 0),
        ("0M", 0),
        ("0Gi", 0),
        ("0G", 0),
        ("0Ti", 0),
        ("0T", 0),
        ("1", UNIT),
        ("1Ki", 1024 * UNIT),
        ("8Ki", 8192 * UNIT),
        ("7Mi", 7_340_032 * UNIT),
        ("6Gi", 6_442_450_944 * UNIT),
        ("5Ti", 5_497_558_138_880 * UNIT),
        ("4Pi", 4_503_599_627_370_496 * UNIT),
        ("3Ei", 3_458_764_513_820_540_928 * UNIT),
        ("10Ti", 10_995_116_277_760 * UNIT),
        ("100Ti", 109_951_162_777_600 * UNIT),
        ("5n", 5),
        ("4u", 4_000),
        ("3m", 3_000_000),
        ("9", 9 * UNIT),
        ("8k", 8_000 * UNIT),
        ("50k", 50_000 * UNIT),
        ("7M", 7_000_000 * UNIT),
        ("6G", 6_000_000_000 * UNIT),
        ("5T", 5_000_000_000_000 * UNIT),
        ("40T", 40_000_000_000_000 * UNIT),
        ("300T", 300_000_000_000_000 * UNIT),
        ("2P", 2_000_000_000_000_000 * UNIT),
        ("1E", 1_000_000_000_000_000_000 * UNIT),
        ("12E", 12_000_000_000_000_000_000 * UNIT),
        ("1E-3", 1_000_000),
        ("1e3", 1_000 * UNIT),
        ("1E6", 1_000_000 * UNIT),
        ("1e9", 1_000_000_000 * UNIT),
        ("1E12", 1_000_000_000_000 * UNIT),
        ("1e13", 10_000_000_000_000 * UNIT),
        ("1e14", 100_000_000_000_000 * UNIT),
        ("1e15", 1_000_000_000_000_000 * UNIT),
        ("1E18", 1_000_000_000_000_000_000 * UNIT),
        ("1.2e3", 1_200 * UNIT),
        ("1.3E+6", 1_300_000 * UNIT),
        ("1.40e9", 1_400_000_000 * UNIT),
        ("1.53E12", 1_530_000_000_000 * UNIT),
        ("1.6e15", 1_600_000_000_000_000 * UNIT),
        ("1.7E18", 1_700_000_000_000_000_000 * UNIT),
        ("0.5e0", 500_000_000),
        ("0.5e-1", 50_000_000),
        ("0.5e-2", 5_000_000),
        ("100.035k", 100_035 * UNIT),
        ("0.0005k", 500_000_000),
        ("0.00050k", 500_000_000),
        ("10.035M", 10_035_000 * UNIT),
        ("0.001", 1_000_000),
        ("0.005", 5_000_000),
        ("0.05", 50_000_000),
        ("0.5", 500_000_000),
        ("0.00500", 5_000_000),
        ("0.50000", 500_000_000),
        ("9.01", 9_010_000_000),
        ("8.1k", 8_100 * UNIT),
        ("7.123456M", 7_123_456 * UNIT),
        ("6.987654321G", 6_987_654_321 * UNIT),
        ("5.444T", 5_444_000_000_000 * UNIT),
        ("2.5P", 2_500_000_000_000_000 * UNIT),
        ("1.01E", 1_010_000_000_000_000_000 * UNIT),
        ("100.035Ki", 102_435_840_000_000),
        ("0.5Mi", 524_288 * UNIT),
        ("0.05Gi", 53_687_091_200_000_000),
        ("0.025Ti", 27_487_790_694_400_000_000),
        (".001", 1_000_000),
        (".0001k", 100_000_000),
        ("1.", UNIT),
        ("1.G", 1_000_000_000 * UNIT),
        // Rounding up to the next nano-unit.
        ("3.001n", 4),
        ("1.1E-9", 2),
        ("0.0000000001", 1),
        ("0.0000000005", 1),
        ("0.00000000050", 1),
        ("0.5e-9", 1),
        ("0.9n", 1),
        ("0.00000012345", 124),
        ("0.00000012354", 124),
        ("0.000000000001Ki", 2),
        (".001Ki", 1_024_000_000),
        (".000001Ki", 1_024_000),
        (".000000001Ki", 1_024),
        // Real values from clusters.
        ("1930m", 1_930_000_000),
        ("940m", 940_000_000),
        ("1471840Ki", 1_507_164_160 * UNIT),
        ("549124Ki", 562_302_976 * UNIT),
        ("35811125n", 35_811_125),
        ("18181869946", 18_181_869_946 * UNIT),
        ("18Mi", 18_874_368 * UNIT),
        ("509Mi", 533_725_184 * UNIT),
    ];

    #[test]
    fn fast_path_takes_the_common_spellings_only() {
        for (text, nanos, format) in [
            ("250m", 250_000_000, QuantityFormat::DecimalSi),
            ("2", 2_000_000_000, QuantityFormat::DecimalSi),
            ("128Mi", (128i128 << 20) * UNIT, QuantityFormat::BinarySi),
            ("1Gi", (1i128 << 30) * UNIT, QuantityFormat::BinarySi),
            ("1500000000n", 1_500_000_000, QuantityFormat::DecimalSi),
            (
                "999999999999999999G",
                999_999_999_999_999_999 * UNIT * UNIT,
                QuantityFormat::DecimalSi,
            ),
        ] {
            let (q, f) = parse_plain(text).unwrap();
            assert_eq!((q.nanos(), f), (nanos, format), "{text}");
            assert_eq!(parse_general(text), Ok((q, f)), "{text}");
        }
        for text in [
            "0",
            "0Mi",
            "-1",
            "+1",
            "1.5",
            "1e3",
            "1Pi",
            "1T",
            "1E",
            "1Ei",
            "1x",
            "m",
            "",
            "1234567890123456789",
            "999999999999999999Ti",
        ] {
            assert_eq!(parse_plain(text), None, "{text}");
        }
    }

    #[test]
    fn must_parse_with_every_sign() {
        for &(text, expected) in MUST_PARSE {
            assert_eq!(nanos(text), expected, "{text}");
            assert_eq!(nanos(&format!("+{text}")), expected, "+{text}");
            // Negative values round away from zero, as in Kubernetes.
            assert_eq!(nanos(&format!("-{text}")), -expected, "-{text}");
        }
    }

    #[test]
    fn from_str_matches_parse() {
        for &(text, expected) in MUST_PARSE {
            assert_eq!(text.parse::<Quantity>(), Ok(Quantity::from_nanos(expected)));
        }
    }

    /// Every must-reject input from the reference, plus more.
    const MUST_REJECT: &[&str] = &[
        "", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", " 1",
        "1 ", "1 Mi", "1\t", "1\u{a0}", ".", "-", "+", "--1", "+-1", "k", "Mi", "e3", "1K", "1KB",
        "1MB", "1GiB", "1µ", "1e", "1E+", "1e-", "1e+-3", "1e3.5", "1e3k", "1Ei3", "1Ki2", "1..",
        "1.5.", "1_000", "0x10", "1,5", "١",
    ];

    #[test]
    fn must_reject_with_every_sign() {
        for &text in MUST_REJECT {
            for sign in ["", "+", "-"] {
                let input = format!("{sign}{text}");
                assert!(
                    Quantity::parse(&input).is_err(),
                    "{input:?} should be rejected"
                );
            }
        }
    }

    #[test]
    fn rejection_reasons_are_helpful() {
        assert_eq!(reason(""), "empty quantity");
        assert_eq!(reason(" 1"), "whitespace is not allowed");
        assert_eq!(reason("1 "), "whitespace is not allowed");
        assert_eq!(
            reason("0.1mi"),
            "unknown suffix \"mi\" (did you mean \"Mi\"?)"
        );
        assert_eq!(reason("1K"), "unknown suffix \"K\" (did you mean \"k\"?)");
        assert_eq!(
            reason("2GiB"),
            "unknown suffix \"GiB\" (did you mean \"Gi\"?)"
        );
        assert_eq!(reason("1µ"), "unknown suffix \"µ\" (did you mean \"u\"?)");
        assert!(reason("0.1am").starts_with("unknown suffix"));
        assert!(reason("1i").starts_with("unknown suffix"));
        assert!(reason("1e").contains("exponent"));
        assert_eq!(reason("aoeu"), "expected a number");
        assert_eq!(reason("-"), "missing number after the sign");
        assert_eq!(reason("--1"), "more than one sign");
        assert_eq!(reason("."), "missing digits around the decimal point");
        assert_eq!(reason("1.1.M"), "more than one decimal point");
        assert!(reason("1+1.0M").contains("sign"));
        assert_eq!(reason("-3.01e-"), "the exponent has no digits");
        assert_eq!(reason("1e3.5"), "the exponent must be a whole number");
        assert_eq!(
            reason("1e99999999999999999999"),
            "the exponent is out of range"
        );
        assert_eq!(reason("1e28"), "value is too large (the limit is 1e27)");
        let err = Quantity::parse("1e28").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid quantity \"1e28\": value is too large (the limit is 1e27)"
        );
    }

    #[test]
    fn error_input_is_truncated_to_64_chars() {
        let long = format!("1{}x", "0".repeat(200));
        let err = Quantity::parse(&long).unwrap_err();
        assert_eq!(err.input.chars().count(), 64);
        assert!(long.starts_with(&err.input));
        let wide = "µ".repeat(100);
        let err = Quantity::parse(&wide).unwrap_err();
        assert_eq!(err.input, "µ".repeat(64));
        assert_eq!(Quantity::parse("1x").unwrap_err().input, "1x");
    }

    #[test]
    fn huge_and_tiny_exponents() {
        // Fast, no panic, no hang.
        assert!(Quantity::parse("1e999999999").is_err());
        assert!(Quantity::parse("-1e999999999").is_err());
        assert!(Quantity::parse("1e9223372036854775807").is_err());
        assert!(Quantity::parse("1e9223372036854775808").is_err());
        assert_eq!(nanos("1e-999999999"), 1);
        assert_eq!(nanos("-1e-999999999"), -1);
        assert_eq!(nanos("1e-9223372036854775807"), 1);
        assert_eq!(nanos("0e999999999"), 0);
        assert_eq!(nanos("-0e999999999"), 0);
        assert_eq!(nanos("0.000e-999999999"), 0);
        // The limit: 10^27 units.
        assert_eq!(nanos("1e27"), 10i128.pow(36));
        assert_eq!(nanos("-1e27"), -(10i128.pow(36)));
        assert_eq!(nanos("1000000000000000000000000000"), 10i128.pow(36));
        assert_eq!(nanos("1000E"), 10i128.pow(30));
        assert!(Quantity::parse("1000000000000000000000000001").is_err());
        assert!(Quantity::parse("1.000000000000000000000000000000000000001e27").is_err());
        assert!(Quantity::parse("1e28").is_err());
        assert!(Quantity::parse("1000000000Ei").is_err());
        assert_eq!(nanos("1000Ei"), 1000 * (1i128 << 60) * UNIT);
        // 8Ei is kept exact (Kubernetes caps binary quantities at 2^63-1).
        assert_eq!(nanos("8Ei"), (1i128 << 63) * UNIT);
        assert!(Quantity::parse(&format!("1{}", "0".repeat(100_000))).is_err());
    }

    #[test]
    fn long_digit_strings_stay_exact() {
        let zeros = "0".repeat(10_000);
        assert_eq!(nanos(&format!("{zeros}1")), UNIT);
        assert_eq!(nanos(&format!("0.{zeros}1")), 1);
        assert_eq!(nanos(&format!("1.{zeros}1")), UNIT + 1);
        assert_eq!(nanos(&format!("-1.{zeros}1")), -UNIT - 1);
        assert_eq!(nanos(&format!("1.{zeros}")), UNIT);
        assert_eq!(nanos(&format!("1{zeros}e-10000")), UNIT);
        assert_eq!(nanos(&format!("1.{zeros}1Ki")), 1024 * UNIT + 1);
        assert_eq!(
            nanos("123456789012345678.123456789"),
            123_456_789_012_345_678_123_456_789
        );
        // Above 2^53: no float rounding.
        assert_eq!(nanos("9007199254740993"), 9_007_199_254_740_993 * UNIT);
        assert_eq!(nanos("1.1"), 1_100_000_000);
        assert_eq!(Quantity::parse("1.1").map(Quantity::millis_ceil), Ok(1100));
    }

    #[test]
    fn parse_reports_the_format() {
        let format = |text: &str| Quantity::parse_with_format(text).map(|(_, f)| f);
        assert_eq!(format("1Gi"), Ok(QuantityFormat::BinarySi));
        assert_eq!(format("0Mi"), Ok(QuantityFormat::BinarySi));
        assert_eq!(format("0.5Ki"), Ok(QuantityFormat::BinarySi));
        assert_eq!(format("0.0005Ki"), Ok(QuantityFormat::DecimalSi));
        assert_eq!(format("-0.0005Ki"), Ok(QuantityFormat::DecimalSi));
        assert_eq!(format("1G"), Ok(QuantityFormat::DecimalSi));
        assert_eq!(format("1"), Ok(QuantityFormat::DecimalSi));
        assert_eq!(format("1E"), Ok(QuantityFormat::DecimalSi));
        assert_eq!(format("1E6"), Ok(QuantityFormat::DecimalExponent));
        assert_eq!(format("1e-3"), Ok(QuantityFormat::DecimalExponent));
    }

    /// Parses and prints back in the parsed format, like Kubernetes' `String()`.
    fn reprint(text: &str) -> String {
        match Quantity::parse_with_format(text) {
            Ok((q, format)) => q.canonical(format),
            Err(e) => panic!("{text:?} should parse: {e}"),
        }
    }

    #[test]
    fn canonical_printing_like_kubernetes() {
        let cases = [
            ("1024Mi", "1Gi"),
            ("1000M", "1G"),
            ("0.5", "500m"),
            ("1.5Gi", "1536Mi"),
            ("1.08", "1080m"),
            ("1Ki", "1Ki"),
            ("1Mi", "1Mi"),
            ("1Gi", "1Gi"),
            ("307200Ki", "300Mi"),
            ("6Ki", "6Ki"),
            ("1025024Mi", "1001Gi"),
            ("1024Gi", "1Ti"),
            ("1048576Ei", "1048576Ei"),
            ("0.001T", "1G"),
            ("1000000k", "1G"),
            ("1000000000", "1G"),
            ("1000u", "1m"),
            ("80m", "80m"),
            ("1080000000n", "1080m"),
            ("300M", "300M"),
            ("1T", "1T"),
            ("1E", "1E"),
            ("1000E", "1e21"),
            ("5000E", "5e21"),
            ("1000000E", "1e24"),
            ("1234567M", "1234567M"),
            ("3k", "3k"),
            ("0", "0"),
            ("0Gi", "0"),
            ("0e5", "0"),
            ("1e9", "1e9"),
            (".001e12", "1e9"),
            ("0.001e0", "1e-3"),
            ("1000e-12", "1e-9"),
            ("80e-3", "80e-3"),
            ("300e6", "300e6"),
            ("1e3", "1e3"),
            ("3e3", "3e3"),
            ("1.2e0", "1200e-3"),
            ("1e0", "1"),
            ("1n", "1n"),
            ("80n", "80n"),
            ("1080n", "1080n"),
            ("1u", "1u"),
            ("1080u", "1080u"),
            (".001Ki", "1024m"),
            (".000001Ki", "1024u"),
            (".000000001Ki", "1024n"),
            (".000000000001Ki", "2n"),
            ("0.5Ki", "512"),
            ("1025", "1025"),
            ("1.5Ki", "1536"),
            ("1930m", "1930m"),
            ("35811125n", "35811125n"),
            ("1471840Ki", "1471840Ki"),
            ("18181869946", "18181869946"),
        ];
        for (input, expected) in cases {
            assert_eq!(reprint(input), expected, "{input}");
            // The canonical form is canonical itself.
            assert_eq!(reprint(expected), expected, "{expected}");
            if expected != "0" {
                assert_eq!(
                    reprint(&format!("-{input}")),
                    format!("-{expected}"),
                    "-{input}"
                );
            }
        }
    }

    #[test]
    fn canonical_in_each_format() {
        let q = Quantity::from_units(1 << 30);
        assert_eq!(q.canonical(QuantityFormat::BinarySi), "1Gi");
        assert_eq!(q.canonical(QuantityFormat::DecimalSi), "1073741824");
        assert_eq!(q.canonical(QuantityFormat::DecimalExponent), "1073741824");
        let q = Quantity::from_millis(1500);
        assert_eq!(q.canonical(QuantityFormat::BinarySi), "1500m");
        assert_eq!(q.canonical(QuantityFormat::DecimalExponent), "1500e-3");
        let q = Quantity::from_units(-1024);
        assert_eq!(q.canonical(QuantityFormat::BinarySi), "-1Ki");
        let q = Quantity::from_units(-1023);
        assert_eq!(q.canonical(QuantityFormat::BinarySi), "-1023");
        assert_eq!(
            Quantity::from_nanos(i128::MIN)
                .canonical(QuantityFormat::DecimalSi)
                .len(),
            41
        );
    }

    #[test]
    fn display_picks_the_shortest_exact_form() {
        let cases = [
            ("1024Mi", "1Gi"),
            ("1000M", "1G"),
            ("0.5", "500m"),
            ("1.5Gi", "1536Mi"),
            ("1.08", "1080m"),
            ("1073741824", "1Gi"),
            ("1000Ki", "1024k"),
            ("1024", "1Ki"),
            ("1000", "1k"),
            ("1471840Ki", "1471840Ki"),
            ("549124Ki", "549124Ki"),
            ("18181869946", "18181869946"),
            ("1930m", "1930m"),
            ("35811125n", "35811125n"),
            ("-1.5Gi", "-1536Mi"),
            ("0", "0"),
            ("1e27", "1e27"),
        ];
        for (input, expected) in cases {
            let q = Quantity::parse(input).unwrap();
            assert_eq!(q.to_string(), expected, "{input}");
            assert_eq!(Quantity::parse(expected), Ok(q), "{expected}");
        }
        assert_eq!(format!("[{:>6}]", Quantity::from_millis(250)), "[  250m]");
        assert_eq!(format!("[{:<6}]", Quantity::from_millis(250)), "[250m  ]");
    }

    #[test]
    fn millis_and_units_round_away_from_zero() {
        let millis = |text: &str| Quantity::parse(text).unwrap().millis_ceil();
        let units = |text: &str| Quantity::parse(text).unwrap().units_ceil();
        assert_eq!(millis("35811125n"), 36);
        assert_eq!(millis("-35811125n"), -36);
        assert_eq!(millis("1930m"), 1930);
        assert_eq!(millis("940m"), 940);
        assert_eq!(millis("1n"), 1);
        assert_eq!(millis("-1n"), -1);
        assert_eq!(millis("0"), 0);
        assert_eq!(millis("1.5"), 1500);
        assert_eq!(millis("-9.01"), -9010);
        assert_eq!(millis("3m"), 3);
        assert_eq!(units("1471840Ki"), 1_507_164_160);
        assert_eq!(units("549124Ki"), 562_302_976);
        assert_eq!(units("18181869946"), 18_181_869_946);
        assert_eq!(units("18Mi"), 18_874_368);
        assert_eq!(units("509Mi"), 533_725_184);
        assert_eq!(units("0.1"), 1);
        assert_eq!(units("-0.1"), -1);
        assert_eq!(units("1.5"), 2);
        assert_eq!(units("-1.5"), -2);
        assert_eq!(units("9.01"), 10);
        assert_eq!(units("-9.01"), -10);
        assert_eq!(units("2"), 2);
        assert_eq!(units("100.035Ki"), 102_436);
        assert_eq!(units("0.05Gi"), 53_687_092);
        assert_eq!(units("1930m"), 2);
    }

    #[test]
    fn millis_and_units_saturate() {
        assert_eq!(Quantity::parse("1e27").unwrap().units_ceil(), i64::MAX);
        assert_eq!(Quantity::parse("-1e27").unwrap().units_ceil(), i64::MIN);
        assert_eq!(Quantity::parse("1e27").unwrap().millis_ceil(), i64::MAX);
        assert_eq!(Quantity::parse("-1e27").unwrap().millis_ceil(), i64::MIN);
        assert_eq!(
            Quantity::parse("9223372036854775807").unwrap().units_ceil(),
            i64::MAX
        );
        assert_eq!(
            Quantity::parse("9223372036854775808").unwrap().units_ceil(),
            i64::MAX
        );
        assert_eq!(
            Quantity::parse("-9223372036854775808")
                .unwrap()
                .units_ceil(),
            i64::MIN
        );
        assert_eq!(
            Quantity::parse("-9223372036854775809")
                .unwrap()
                .units_ceil(),
            i64::MIN
        );
        assert_eq!(
            Quantity::parse("9223372036854775806.5")
                .unwrap()
                .units_ceil(),
            i64::MAX
        );
        assert_eq!(Quantity::parse("8Ei").unwrap().units_ceil(), i64::MAX);
        assert_eq!(
            Quantity::parse("9223372036854775807m")
                .unwrap()
                .millis_ceil(),
            i64::MAX
        );
        assert_eq!(
            Quantity::parse("9223372036854776").unwrap().millis_ceil(),
            i64::MAX
        );
        assert_eq!(Quantity::from_nanos(i128::MAX).units_ceil(), i64::MAX);
        assert_eq!(Quantity::from_nanos(i128::MIN).units_ceil(), i64::MIN);
        assert_eq!(Quantity::from_nanos(i128::MAX).millis_ceil(), i64::MAX);
        assert_eq!(Quantity::from_nanos(i128::MIN).millis_ceil(), i64::MIN);
    }

    #[test]
    fn constructors_and_arithmetic() {
        assert_eq!(Quantity::from_millis(250).nanos(), 250_000_000);
        assert_eq!(Quantity::from_units(-3).nanos(), -3 * UNIT);
        assert_eq!(Quantity::from_millis(i64::MIN).millis_ceil(), i64::MIN);
        assert_eq!(Quantity::from_units(i64::MAX).units_ceil(), i64::MAX);
        assert_eq!(Quantity::default(), Quantity::ZERO);
        assert!(Quantity::ZERO.is_zero());
        assert!(Quantity::from_nanos(-1).is_negative());
        assert!(!Quantity::ZERO.is_negative());

        let a = Quantity::from_millis(1500);
        let b = Quantity::from_millis(250);
        assert_eq!(a + b, Quantity::from_millis(1750));
        assert_eq!(b - a, Quantity::from_millis(-1250));
        assert_eq!(-a, Quantity::from_millis(-1500));
        let mut c = a;
        c += b;
        c -= Quantity::from_units(1);
        assert_eq!(c, Quantity::from_millis(750));
        assert_eq!(
            [a, b, b].into_iter().sum::<Quantity>(),
            Quantity::from_units(2)
        );
        assert_eq!([a, b].iter().sum::<Quantity>(), Quantity::from_millis(1750));
        assert_eq!(a.checked_mul(3), Some(Quantity::from_millis(4500)));
        assert_eq!(a.saturating_mul(-2), Quantity::from_units(-3));
        assert!(a < a + b);

        let max = Quantity::from_nanos(i128::MAX);
        let min = Quantity::from_nanos(i128::MIN);
        assert_eq!(max.checked_add(b), None);
        assert_eq!(min.checked_sub(b), None);
        assert_eq!(max.checked_mul(2), None);
        assert_eq!(max + b, max);
        assert_eq!(min - b, min);
        assert_eq!(-min, max);
        assert_eq!([max, max].into_iter().sum::<Quantity>(), max);
        assert_eq!(max.saturating_mul(i64::MIN), min);
    }

    /// Quantities inside the parseable range (|value| <= 10^27 units).
    fn in_range() -> impl Strategy<Value = Quantity> {
        let limit = 10i128.pow(36);
        prop_oneof![
            (-limit..=limit).prop_map(Quantity::from_nanos),
            any::<i64>().prop_map(|n| Quantity::from_nanos(n.into())),
            any::<i64>().prop_map(Quantity::from_millis),
            any::<i64>().prop_map(Quantity::from_units),
            (-100_000_000i128..=100_000_000, 0u32..=6)
                .prop_map(|(m, p)| Quantity::from_nanos(m * (1i128 << (10 * p)) * UNIT)),
            (-1_000_000i128..=1_000_000, 0u32..=27)
                .prop_map(|(m, p)| Quantity::from_nanos(m * 10i128.pow(p))),
        ]
    }

    /// The value of `<int>.<frac>` × 2^`binary_power`, rounded up, computed independently.
    fn expected_nanos(int: u64, frac: &str, binary_power: u32) -> u128 {
        let scale = 10u128.pow(u32::try_from(frac.len()).unwrap());
        let frac_value: u128 = if frac.is_empty() {
            0
        } else {
            frac.parse().unwrap()
        };
        let factor = (1u128 << binary_power) * 1_000_000_000;
        u128::from(int) * factor + (frac_value * factor).div_ceil(scale)
    }

    proptest! {
        #[test]
        fn display_round_trips(q in in_range()) {
            let text = q.to_string();
            prop_assert_eq!(Quantity::parse(&text), Ok(q), "{}", text);
        }

        #[test]
        fn canonical_round_trips_in_every_format(q in in_range()) {
            for format in [QuantityFormat::DecimalSi, QuantityFormat::BinarySi, QuantityFormat::DecimalExponent] {
                let text = q.canonical(format);
                prop_assert_eq!(Quantity::parse(&text), Ok(q), "{}", text);
                // Canonical text is a fixed point (a binary-format value printed without a
                // binary suffix reads back as decimal, as in Kubernetes).
                if format != QuantityFormat::BinarySi || text.ends_with('i') {
                    let (parsed, parsed_format) = Quantity::parse_with_format(&text).unwrap();
                    prop_assert_eq!(parsed.canonical(parsed_format), text.clone());
                }
            }
        }

        #[test]
        fn decimal_text_matches_integer_arithmetic(
            negative in any::<bool>(),
            int in 0u64..1_000_000_000_000_000_000,
            frac in "[0-9]{0,15}",
        ) {
            let text = format!("{}{int}.{frac}", if negative { "-" } else { "" });
            let magnitude = i128::try_from(expected_nanos(int, &frac, 0)).unwrap();
            let expected = if negative { -magnitude } else { magnitude };
            prop_assert_eq!(Quantity::parse(&text).map(Quantity::nanos), Ok(expected));
        }

        #[test]
        fn binary_text_matches_integer_arithmetic(
            int in 0u64..1000,
            frac in "[0-9]{0,9}",
            power in 1usize..=6,
        ) {
            let suffix = BINARY_SUFFIXES[power];
            let text = format!("{int}.{frac}{suffix}");
            let expected = i128::try_from(expected_nanos(int, &frac, 10 * power as u32)).unwrap();
            prop_assert_eq!(Quantity::parse(&text).map(Quantity::nanos), Ok(expected));
        }

        #[test]
        fn millis_text_is_exact(m in any::<i64>()) {
            prop_assert_eq!(Quantity::parse(&format!("{m}m")), Ok(Quantity::from_millis(m)));
            prop_assert_eq!(Quantity::from_millis(m).millis_ceil(), m);
        }

        #[test]
        fn fast_path_matches_the_general_parser(
            text in "[0-9]{1,20}(|n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e3|x|\\.5|m ?)",
        ) {
            if let Some(fast) = parse_plain(&text) {
                prop_assert_eq!(Ok(fast), parse_general(&text), "{}", text);
            }
            prop_assert_eq!(parse_text(&text), parse_general(&text), "{}", text);
        }

        #[test]
        fn parse_never_panics(text in any::<String>()) {
            let _ = Quantity::parse(&text);
        }

        #[test]
        fn parse_never_panics_on_quantity_like_text(
            text in "[+-]{0,2}[0-9]{0,40}\\.?[0-9]{0,40}[eEinumkKMGTPµ.+-]{0,3}[0-9]{0,25}",
        ) {
            if let Ok(q) = Quantity::parse(&text) {
                prop_assert!(q.nanos().unsigned_abs() <= 10u128.pow(36));
                prop_assert_eq!(Quantity::parse(&q.to_string()), Ok(q));
            }
        }
    }
}
