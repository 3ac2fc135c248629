//! Escaping for the two contexts the HTML report ever puts a string in: element text and
//! double-quoted attribute values (HTML and inline SVG alike).
//!
//! One function covers both: `&`, `<`, `>`, `"` and `'` become character references, so a
//! string can neither close an element or attribute nor open a new one. Characters that could
//! disguise text are neutralised as well: C0/C1 controls (except tab and newline), the Unicode
//! bidirectional overrides and isolates (an RTL override could make `exe.txt` read `txt.exe`),
//! and noncharacters become U+FFFD. Strings from the input never reach a URL, `style` or
//! `<script>` context: the report has no links, style attributes or generated script.

/// Is `c` a character that [`escape`] replaces with U+FFFD?
pub fn is_disguising(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidi marks, embeddings, overrides and isolates.
        | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{fdd0}'..='\u{fdef}' | '\u{fffe}' | '\u{ffff}')
}

/// Appends `s` to `out`, escaped for HTML text and double-quoted attribute values.
pub fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => out.push(' '),
            c if is_disguising(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// `s` escaped for HTML text and double-quoted attribute values (see [`escape_into`]).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(&mut out, s);
    out
}

/// The first `max` characters of `s`, with `…` when cut (not escaped).
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_disguises() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
        assert_eq!(escape("a'b&c"), "a&#39;b&amp;c");
        assert_eq!(escape("exe\u{202e}txt.\u{0}"), "exe\u{fffd}txt.\u{fffd}");
        assert_eq!(escape("日本\tשלום"), "日本\tשלום");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
