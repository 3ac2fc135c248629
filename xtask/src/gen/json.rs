//! A small JSON tree and two pretty printers.
//!
//! * [`Style::Kubectl`] reproduces Go's `json.MarshalIndent(v, "", "    ")` on a map: keys sorted by
//!   byte order, `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`-style sequences, other text
//!   written as raw UTF-8. This is what `kubectl get -o json` prints.
//! * [`Style::Python`] reproduces Python's `json.dumps(v, indent=2)` (what KRR's pydantic models
//!   print): keys in insertion order, non-ASCII escaped, floats written like Python's `repr`.
//!
//! Objects are small (one Kubernetes object at a time), so building a tree per object and streaming
//! the trees one after another keeps memory flat even for a 400 MB list.

use std::borrow::Cow;
use std::io::{self, Write};

/// An object key or a string value; usually a `&'static str`.
pub type Str = Cow<'static, str>;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float (only used for KRR output).
    Float(f64),
    /// A string.
    Str(Str),
    /// An array.
    Arr(Vec<J>),
    /// An object; key order is kept as given (the kubectl style sorts when printing).
    Obj(Vec<(Str, J)>),
}

impl From<&'static str> for J {
    fn from(s: &'static str) -> Self {
        J::Str(Cow::Borrowed(s))
    }
}

impl From<String> for J {
    fn from(s: String) -> Self {
        J::Str(Cow::Owned(s))
    }
}

impl From<&String> for J {
    fn from(s: &String) -> Self {
        J::Str(Cow::Owned(s.clone()))
    }
}

impl From<Str> for J {
    fn from(s: Str) -> Self {
        J::Str(s)
    }
}

impl From<bool> for J {
    fn from(b: bool) -> Self {
        J::Bool(b)
    }
}

impl From<i64> for J {
    fn from(n: i64) -> Self {
        J::Int(n)
    }
}

impl From<u32> for J {
    fn from(n: u32) -> Self {
        J::Int(i64::from(n))
    }
}

impl From<f64> for J {
    fn from(f: f64) -> Self {
        J::Float(f)
    }
}

impl From<Vec<J>> for J {
    fn from(v: Vec<J>) -> Self {
        J::Arr(v)
    }
}

impl From<O> for J {
    fn from(o: O) -> Self {
        J::Obj(o.0)
    }
}

impl<T: Into<J>> From<Option<T>> for J {
    fn from(o: Option<T>) -> Self {
        o.map_or(J::Null, Into::into)
    }
}

/// An object under construction.
#[derive(Debug, Default, Clone)]
pub struct O(pub Vec<(Str, J)>);

impl O {
    /// An empty object.
    pub fn new() -> Self {
        O(Vec::new())
    }

    /// Adds a member (builder style).
    pub fn set(mut self, key: impl Into<Str>, value: impl Into<J>) -> Self {
        self.0.push((key.into(), value.into()));
        self
    }

    /// Adds a member only when `value` is `Some`.
    pub fn opt(self, key: impl Into<Str>, value: Option<impl Into<J>>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    /// Adds a member only when `value` is a non-empty array or object.
    pub fn nonempty(self, key: impl Into<Str>, value: impl Into<J>) -> Self {
        let value = value.into();
        match &value {
            J::Arr(a) if a.is_empty() => self,
            J::Obj(o) if o.is_empty() => self,
            _ => self.set(key, value),
        }
    }

    /// Adds a member in place.
    pub fn push(&mut self, key: impl Into<Str>, value: impl Into<J>) {
        self.0.push((key.into(), value.into()));
    }

    /// Whether the object has no members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Builds an object of string values from `(key, value)` pairs.
pub fn str_map<K, V, I>(pairs: I) -> J
where
    I: IntoIterator<Item = (K, V)>,
    K: Into<Str>,
    V: Into<Str>,
{
    J::Obj(
        pairs
            .into_iter()
            .map(|(k, v)| (k.into(), J::Str(v.into())))
            .collect(),
    )
}

/// Which serializer's output to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Go `encoding/json` via kubectl: 4-space indent, sorted keys, HTML-safe escaping.
    Kubectl,
    /// Python `json.dumps(indent=2)`: insertion order, ASCII-only escaping, `repr` floats.
    Python,
}

impl Style {
    fn indent(self) -> &'static [u8] {
        match self {
            Style::Kubectl => b"    ",
            Style::Python => b"  ",
        }
    }
}

/// Writes `value` pretty-printed, as if it started at nesting `depth` (the first line is not
/// indented; inner lines are indented relative to `depth`).
pub fn write_pretty<W: Write>(w: &mut W, value: &J, style: Style, depth: usize) -> io::Result<()> {
    match value {
        J::Null => w.write_all(b"null"),
        J::Bool(true) => w.write_all(b"true"),
        J::Bool(false) => w.write_all(b"false"),
        J::Int(n) => write!(w, "{n}"),
        J::Float(f) => w.write_all(float_text(*f, style).as_bytes()),
        J::Str(s) => write_str(w, s, style),
        J::Arr(items) => {
            if items.is_empty() {
                return w.write_all(b"[]");
            }
            w.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                indent(w, style, depth + 1)?;
                write_pretty(w, item, style, depth + 1)?;
            }
            w.write_all(b"\n")?;
            indent(w, style, depth)?;
            w.write_all(b"]")
        }
        J::Obj(members) => {
            if members.is_empty() {
                return w.write_all(b"{}");
            }
            w.write_all(b"{")?;
            for (i, (k, v)) in ordered(members, style).into_iter().enumerate() {
                w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                indent(w, style, depth + 1)?;
                write_str(w, k, style)?;
                w.write_all(b": ")?;
                write_pretty(w, v, style, depth + 1)?;
            }
            w.write_all(b"\n")?;
            indent(w, style, depth)?;
            w.write_all(b"}")
        }
    }
}

/// Compact Go-style JSON (`json.Marshal`): sorted keys, no whitespace, HTML-safe escaping.
pub fn to_compact_go(value: &J) -> String {
    let mut out = Vec::new();
    write_compact_go(&mut out, value).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("the writer only emits UTF-8")
}

fn write_compact_go(w: &mut Vec<u8>, value: &J) -> io::Result<()> {
    match value {
        J::Arr(items) => {
            w.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    w.push(b',');
                }
                write_compact_go(w, item)?;
            }
            w.push(b']');
            Ok(())
        }
        J::Obj(members) => {
            w.push(b'{');
            for (i, (k, v)) in ordered(members, Style::Kubectl).into_iter().enumerate() {
                if i > 0 {
                    w.push(b',');
                }
                write_str(w, k, Style::Kubectl)?;
                w.push(b':');
                write_compact_go(w, v)?;
            }
            w.push(b'}');
            Ok(())
        }
        scalar => write_pretty(w, scalar, Style::Kubectl, 0),
    }
}

fn ordered(members: &[(Str, J)], style: Style) -> Vec<&(Str, J)> {
    let mut refs: Vec<&(Str, J)> = members.iter().collect();
    if style == Style::Kubectl {
        refs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    }
    refs
}

fn indent<W: Write>(w: &mut W, style: Style, depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        w.write_all(style.indent())?;
    }
    Ok(())
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `s` as a JSON string literal with the escaping rules of `style`.
pub fn write_str<W: Write>(w: &mut W, s: &str, style: Style) -> io::Result<()> {
    w.write_all(b"\"")?;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, ch) in s.char_indices() {
        let escape: Option<&[u8]> = match ch {
            '"' => Some(b"\\\""),
            '\\' => Some(b"\\\\"),
            '\n' => Some(b"\\n"),
            '\r' => Some(b"\\r"),
            '\t' => Some(b"\\t"),
            '\u{8}' => Some(b"\\b"),
            '\u{c}' => Some(b"\\f"),
            _ => None,
        };
        let needs_unicode = match style {
            Style::Kubectl => {
                (ch as u32) < 0x20 || matches!(ch, '<' | '>' | '&' | '\u{2028}' | '\u{2029}')
            }
            Style::Python => (ch as u32) < 0x20 || (ch as u32) > 0x7e,
        };
        if escape.is_none() && !needs_unicode {
            continue;
        }
        w.write_all(&bytes[start..i])?;
        start = i + ch.len_utf8();
        if let Some(e) = escape {
            w.write_all(e)?;
            continue;
        }
        let mut units = [0u16; 2];
        for unit in ch.encode_utf16(&mut units) {
            let u = *unit as usize;
            w.write_all(&[
                b'\\',
                b'u',
                HEX[(u >> 12) & 0xf],
                HEX[(u >> 8) & 0xf],
                HEX[(u >> 4) & 0xf],
                HEX[u & 0xf],
            ])?;
        }
    }
    w.write_all(&bytes[start..])?;
    w.write_all(b"\"")
}

/// Formats a float the way Python's `repr` (and so `json.dumps`) does for the values KRR emits.
fn float_text(f: f64, style: Style) -> String {
    if !f.is_finite() {
        // Python writes NaN/Infinity (not valid JSON); Go refuses. Neither happens here.
        return "null".to_owned();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e16).contains(&abs) {
        // Python: 1e-05, 1.5e+16.
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').expect("`{:e}` always has an exponent");
        let exp: i32 = exp.parse().expect("exponent is an integer");
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    if f.fract() == 0.0 && style == Style::Python {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pretty(v: &J, style: Style) -> String {
        let mut out = Vec::new();
        write_pretty(&mut out, v, style, 0).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn kubectl_style_sorts_and_indents() {
        let v: J = O::new()
            .set(
                "metadata",
                O::new().set("name", "x").set("labels", O::new()),
            )
            .set("kind", "Pod")
            .set("items", Vec::<J>::new())
            .set("apiVersion", "v1")
            .into();
        assert_eq!(
            pretty(&v, Style::Kubectl),
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"Pod\",\n    \
             \"metadata\": {\n        \"labels\": {},\n        \"name\": \"x\"\n    }\n}"
        );
    }

    #[test]
    fn go_escaping() {
        let v = J::from("a\"b\\c\nd\te<f>&g\u{1}h\u{2028}é✓\u{1F600}");
        assert_eq!(
            pretty(&v, Style::Kubectl),
            "\"a\\\"b\\\\c\\nd\\te\\u003cf\\u003e\\u0026g\\u0001h\\u2028é✓\u{1F600}\""
        );
    }

    #[test]
    fn python_escaping_and_floats() {
        let v = J::from("é<\u{1F600}");
        assert_eq!(pretty(&v, Style::Python), "\"\\u00e9<\\ud83d\\ude00\"");
        assert_eq!(float_text(536870912.0, Style::Python), "536870912.0");
        assert_eq!(float_text(0.013, Style::Python), "0.013");
        assert_eq!(float_text(2.0, Style::Python), "2.0");
        assert_eq!(float_text(0.00001, Style::Python), "1e-05");
        assert_eq!(float_text(2.5e16, Style::Python), "2.5e+16");
    }

    #[test]
    fn compact_go_is_sorted() {
        let v: J = O::new().set("b", 1i64).set("a", "<x>").into();
        assert_eq!(to_compact_go(&v), "{\"a\":\"\\u003cx\\u003e\",\"b\":1}");
    }
}
