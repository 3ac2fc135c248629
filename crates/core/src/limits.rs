//! Length limits for strings read from inputs.
//!
//! Every string the ingest and the imports keep (names, namespaces, `spec.nodeName`, owner
//! references, label values, container names, KRR and usage object names, price file instance
//! types and regions, ...) goes through [`cap`]. A string of at most [`MAX_CHARS`] characters is
//! kept as it is; a longer one becomes its first [`KEPT_CHARS`] characters, `…`, and the 16
//! lowercase hex digits of the 64-bit FNV-1a hash of the whole string's UTF-8 bytes — exactly
//! [`MAX_CHARS`] characters. Kubernetes names are at most 253 characters and label values 63, so
//! no real object is touched.
//!
//! Why the hash: a pod and its node, a pod's owner reference and its ReplicaSet, a KRR row and
//! its workload are matched by name. Every side goes through the same deterministic function,
//! so long names still match after the cut, and two long names that share their first
//! characters stay two names (unless someone crafts an FNV collision, which can only merge two
//! of their own objects). [`cap`] is idempotent: a shortened string is [`MAX_CHARS`] characters
//! long, so capping it again changes nothing (a price file written from shortened instance
//! types reads back the same).
//!
//! Without the cap one 4 MB pod name costs tens of megabytes of report (it is repeated in every
//! table, the HTML report, the JSON and the CSV), and a 100 MB name could exhaust a browser tab.

use std::borrow::Cow;

use crate::diagnostics::Warning;
use crate::format::group_thousands;

/// The longest string kept as it is, in characters (Unicode scalar values).
pub const MAX_CHARS: usize = 1024;

/// Hex digits of the hash that ends a shortened string.
const HASH_DIGITS: usize = 16;

/// Characters of the original string a shortened one keeps (`MAX_CHARS` − `…` − the hash).
pub const KEPT_CHARS: usize = MAX_CHARS - 1 - HASH_DIGITS;

/// The marker between the kept characters and the hash.
pub const MARKER: char = '…';

/// The warning code for shortened strings.
pub const WARNING_CODE: &str = "string_shortened";

/// 64-bit FNV-1a of `bytes`.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The shortened form of `s`, or `None` when `s` has at most [`MAX_CHARS`] characters.
pub fn shorten(s: &str) -> Option<String> {
    // A string of at most MAX_CHARS bytes has at most MAX_CHARS characters.
    if s.len() <= MAX_CHARS {
        return None;
    }
    s.char_indices().nth(MAX_CHARS)?;
    let cut = s.char_indices().nth(KEPT_CHARS).map_or(s.len(), |(i, _)| i);
    let mut out = String::with_capacity(cut + MARKER.len_utf8() + HASH_DIGITS);
    out.push_str(&s[..cut]);
    out.push(MARKER);
    out.push_str(&format!("{:016x}", fnv1a64(s.as_bytes())));
    Some(out)
}

/// `s`, shortened when it is longer than [`MAX_CHARS`] characters (see the module docs).
pub fn cap(s: &str) -> Cow<'_, str> {
    shorten(s).map_or(Cow::Borrowed(s), Cow::Owned)
}

/// [`cap`] for a string that may be borrowed or owned; short strings are returned unchanged
/// (borrowed stays borrowed).
pub fn cap_cow(s: Cow<'_, str>) -> Cow<'_, str> {
    match shorten(&s) {
        Some(short) => Cow::Owned(short),
        None => s,
    }
}

/// [`cap`] for an owned string.
pub fn cap_string(s: String) -> String {
    shorten(&s).unwrap_or(s)
}

/// True when `s` has the form [`cap`] gives a long string: exactly [`MAX_CHARS`] characters
/// ending in `…` and 16 lowercase hex digits. (A string of that very form in the input counts
/// too; that only affects how many shortened strings a warning reports.)
pub fn is_shortened(s: &str) -> bool {
    // The kept characters take at least one byte each; the marker 3 and the hash 16.
    if s.len() < KEPT_CHARS + MARKER.len_utf8() + HASH_DIGITS {
        return false;
    }
    let Some((head, hash)) = s.rsplit_once(MARKER) else {
        return false;
    };
    hash.len() == HASH_DIGITS
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && head.chars().count() == KEPT_CHARS
}

/// Counts shortened strings while an input is read, and says so in one warning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shortened {
    /// How many strings were shortened.
    pub count: usize,
    /// The first one: the object it belongs to (as warnings name objects, may be empty) and
    /// the field.
    pub first: Option<(String, String)>,
}

impl Shortened {
    /// Caps `s`, counting it (as field `field` of `object`) when it was shortened.
    pub fn cap(&mut self, s: String, object: impl FnOnce() -> String, field: &str) -> String {
        match shorten(&s) {
            Some(short) => {
                self.note(object, field);
                short
            }
            None => s,
        }
    }

    /// Counts one shortened string.
    pub fn note(&mut self, object: impl FnOnce() -> String, field: &str) {
        self.count += 1;
        if self.first.is_none() {
            self.first = Some((object(), field.to_owned()));
        }
    }

    /// Counts `s` when it was shortened (see [`is_shortened`]).
    pub fn check(&mut self, s: &str, object: impl FnOnce() -> String, field: &str) {
        if is_shortened(s) {
            self.note(object, field);
        }
    }

    /// The warning for input `input`, when anything was shortened. Its object is the first
    /// shortened string's object.
    pub fn warning(&self, input: &str) -> Option<Warning> {
        if self.count == 0 {
            return None;
        }
        let (object, field) = self.first.clone().unwrap_or_default();
        let strings = if self.count == 1 {
            "1 string".to_owned()
        } else {
            format!("{} strings", group_thousands(self.count))
        };
        Some(Warning::new(
            WARNING_CODE,
            object,
            format!(
                "{input}: {strings} longer than {} characters shortened to their first {} \
                 characters, `…` and a hash of the whole string (the first: `{field}`)",
                group_thousands(MAX_CHARS),
                group_thousands(KEPT_CHARS),
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_strings_are_kept() {
        assert!(matches!(cap("web-1"), Cow::Borrowed("web-1")));
        let exact = "é".repeat(MAX_CHARS);
        assert_eq!(cap(&exact), exact.as_str());
        assert_eq!(shorten(""), None);
        assert!(!is_shortened(&exact));
    }

    #[test]
    fn long_strings_are_cut_on_a_char_boundary_with_a_hash() {
        let long = format!("{}{}", "a".repeat(KEPT_CHARS - 1), "é".repeat(5000));
        let short = shorten(&long).expect("shortened");
        assert_eq!(short.chars().count(), MAX_CHARS);
        let (head, hash) = short.rsplit_once(MARKER).expect("marker");
        assert_eq!(head, format!("{}é", "a".repeat(KEPT_CHARS - 1)));
        assert_eq!(hash, format!("{:016x}", fnv1a64(long.as_bytes())));
        assert!(is_shortened(&short));
        // One character over the limit is cut too.
        let over = "x".repeat(MAX_CHARS + 1);
        assert_eq!(cap(&over).chars().count(), MAX_CHARS);
    }

    #[test]
    fn capping_is_deterministic_idempotent_and_keeps_different_names_apart() {
        let prefix = "p".repeat(2000);
        let a = format!("{prefix}-a");
        let b = format!("{prefix}-b");
        assert_eq!(cap(&a), cap(&a.clone()));
        assert_ne!(cap(&a), cap(&b));
        let once = cap_string(a.clone());
        assert_eq!(cap_string(once.clone()), once);
        assert_eq!(
            cap_cow(Cow::Owned(a)).into_owned(),
            once,
            "cap_cow and cap_string agree"
        );
    }

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn is_shortened_needs_the_exact_form() {
        let s = shorten(&"z".repeat(5000)).expect("shortened");
        assert!(is_shortened(&s));
        assert!(!is_shortened(&s[..s.len() - 1]));
        assert!(!is_shortened(&format!("x{s}")));
        assert!(!is_shortened(&s.to_uppercase()));
    }

    #[test]
    fn the_warning_counts_and_names_the_first() {
        let mut n = Shortened::default();
        assert_eq!(n.warning("paste"), None);
        let long = "n".repeat(3000);
        let kept = n.cap("short".to_owned(), || unreachable!(), "x");
        assert_eq!(kept, "short");
        let capped = n.cap(long.clone(), || "Pod/ns/p".to_owned(), "metadata.name");
        assert!(is_shortened(&capped));
        n.check(&capped, || "Node/n".to_owned(), "metadata.name");
        n.check("short", || unreachable!(), "x");
        let w = n.warning("paste").expect("a warning");
        assert_eq!(w.code, "string_shortened");
        assert_eq!(w.object, "Pod/ns/p");
        assert_eq!(
            w.message,
            "paste: 2 strings longer than 1,024 characters shortened to their first 1,007 \
             characters, `…` and a hash of the whole string (the first: `metadata.name`)"
        );
    }
}
