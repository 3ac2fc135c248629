//! Finds where the JSON or YAML starts, skipping the junk people paste before it.
//!
//! Skipped: a UTF-8 BOM, blank lines, `#` comment lines, shell prompt lines
//! (`$ kubectl get ...`, `user@host:~$ ...`, `PS C:\> ...`), kubectl `Warning:` lines and klog
//! lines (`W0102 12:00:00.000000 ...`), and up to three stray characters before a `{` or `[`
//! (`x{"kind": ...`). Recognised non-JSON text (a `kubectl get` table, a kubectl error) is
//! reported instead of being parsed.

use crate::cluster::InputFormat;

use super::error::excerpt;

/// Lines skipped before giving up on finding the content.
const MAX_SKIPPED_LINES: usize = 50;

/// Where the content starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Start {
    /// Byte offset of the first content character (for YAML: of its line).
    pub offset: usize,
    /// JSON or YAML.
    pub format: InputFormat,
    /// Descriptions of what was skipped (for warnings).
    pub skipped: Vec<String>,
}

/// Why no content start was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// Nothing but whitespace (and a BOM).
    Empty,
    /// Only junk lines (their excerpts); the first is at `offset`.
    OnlyJunk { offset: usize, lines: Vec<String> },
    /// A `kubectl get` table header at `offset`, starting with `first_word`.
    Table { offset: usize, first_word: String },
    /// A kubectl error message at `offset`.
    KubectlError { offset: usize, line: String },
    /// Some other text at `offset`.
    Unrecognised { offset: usize, line: String },
}

/// Iterates `(line_start, line)` with the `\n` (and a trailing `\r`) removed.
fn lines(text: &str, from: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = from;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let rest = &text[pos..];
        let (line, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], pos + i + 1),
            None => (rest, text.len()),
        };
        let start = pos;
        pos = next;
        Some((start, line.strip_suffix('\r').unwrap_or(line)))
    })
}

fn is_klog_line(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() > 6
        && matches!(b[0], b'I' | b'W' | b'E' | b'F')
        && b[1..5].iter().all(u8::is_ascii_digit)
        && b[5] == b' '
}

fn is_junk(t: &str) -> bool {
    t.starts_with("Warning:")
        || t.starts_with("warning:")
        || is_klog_line(t)
        || t.starts_with('$')
        || t.starts_with('>')
        || t.starts_with('%') && !t.starts_with("%YAML") && !t.starts_with("%TAG")
        || t.starts_with("PS ")
        || t.contains("kubectl ")
        || t.contains("$ ")
        || t.ends_with('$')
        || t.ends_with("# ")
}

/// True when every non-blank line of `rest` is junk (a prompt, a warning, a comment): text
/// people copy after the JSON.
pub(crate) fn is_trailing_junk(rest: &str) -> bool {
    rest.lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .all(|t| is_junk(t) || t.starts_with('#'))
}

fn is_kubectl_error(t: &str) -> bool {
    t.starts_with("error:")
        || t.starts_with("Error from server")
        || t.starts_with("The connection to the server")
        || t.starts_with("Unable to connect to the server")
        || t.starts_with("No resources found")
}

/// `NAME   READY   STATUS ...`, `NAMESPACE   NAME ...`, `NAME   CPU(cores) ...`.
fn table_first_word(t: &str) -> Option<&str> {
    let mut words = t.split_whitespace();
    let first = words.next()?;
    let second = words.next()?;
    (matches!(first, "NAME" | "NAMESPACE")
        && second.starts_with(|c: char| c.is_ascii_uppercase())
        && t[first.len()..].starts_with("  "))
    .then_some(first)
}

/// `key:` / `key: value` at the start of a line, `---`, `- `, `%YAML`.
fn is_yaml_start(line: &str) -> bool {
    let t = line.trim_end();
    if t == "---" || t.starts_with("--- ") || t.starts_with("%YAML") || t == "-" {
        return true;
    }
    if t.starts_with("- ") {
        return true;
    }
    let Some(colon) = t.find(':') else {
        return false;
    };
    let key = &t[..colon];
    let after = &t[colon + 1..];
    let key_ok = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '"' || c == '\'')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/' | '"' | '\''));
    key_ok
        && (after.is_empty() || after.starts_with(' ') || after.starts_with('\t'))
        && !matches!(key, "Warning" | "warning" | "Error" | "error")
}

/// What follows a stray prefix must look like the start of JSON.
fn looks_like_json_start(t: &str) -> bool {
    let mut chars = t.chars();
    match chars.next() {
        Some('{') => {
            let rest = chars.as_str().trim_start();
            rest.is_empty() || rest.starts_with('"') || rest.starts_with('}')
        }
        Some('[') => {
            let rest = chars.as_str().trim_start();
            rest.is_empty() || rest.starts_with('{') || rest.starts_with(']')
        }
        _ => false,
    }
}

/// Finds the start of the content in `text`.
pub(crate) fn find_start(text: &str) -> Result<Start, Problem> {
    let from = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut skipped = Vec::new();
    let mut junk_offset = None;
    let mut kubectl_error = None;
    for (line_no, (line_start, line)) in (1..).zip(lines(text, from)) {
        let t = line.trim();
        let indent = line.len() - line.trim_start().len();
        if t.is_empty() || t.starts_with('#') && !t.starts_with("#!") {
            continue;
        }
        if t.starts_with('{') || t.starts_with('[') {
            return Ok(Start {
                offset: line_start + indent,
                format: InputFormat::Json,
                skipped,
            });
        }
        if is_yaml_start(line) {
            return Ok(Start {
                offset: line_start,
                format: InputFormat::Yaml,
                skipped,
            });
        }
        if let Some(first_word) = table_first_word(t) {
            return Err(Problem::Table {
                offset: line_start + indent,
                first_word: first_word.to_owned(),
            });
        }
        if let Some(i) = t.find(['{', '[']).filter(|&i| i <= 3)
            && looks_like_json_start(&t[i..])
            && !t[..i].contains(['{', '['])
        {
            skipped.push(format!(
                "`{}` before the first `{}` on line {}",
                &t[..i],
                &t[i..i + 1],
                line_no
            ));
            return Ok(Start {
                offset: line_start + indent + i,
                format: InputFormat::Json,
                skipped,
            });
        }
        if is_kubectl_error(t) {
            kubectl_error.get_or_insert((line_start + indent, excerpt(t, 200)));
        } else if !is_junk(t) {
            return Err(Problem::Unrecognised {
                offset: line_start + indent,
                line: excerpt(t, 80),
            });
        }
        junk_offset.get_or_insert(line_start + indent);
        skipped.push(format!("`{}` on line {line_no}", excerpt(t, 80)));
        if skipped.len() > MAX_SKIPPED_LINES {
            break;
        }
    }
    if let Some((offset, line)) = kubectl_error {
        return Err(Problem::KubectlError { offset, line });
    }
    match junk_offset {
        None => Err(Problem::Empty),
        Some(offset) => Err(Problem::OnlyJunk {
            offset,
            lines: skipped,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(text: &str) -> Start {
        find_start(text).unwrap()
    }

    #[test]
    fn finds_json_and_yaml() {
        assert_eq!(start("{\"a\":1}").offset, 0);
        assert_eq!(start("\u{feff}  {\"a\":1}").offset, 5);
        let s = start(
            "$ kubectl get nodes -o json\r\nWarning: v1 ComponentStatus is deprecated\r\n{\n}",
        );
        assert_eq!(s.format, InputFormat::Json);
        assert_eq!(s.skipped.len(), 2);
        assert_eq!(
            &"$ kubectl get nodes -o json\r\nWarning: v1 ComponentStatus is deprecated\r\n{\n}"
                [s.offset..s.offset + 1],
            "{"
        );
        let s = start("# comment\napiVersion: v1\nkind: List\n");
        assert_eq!((s.offset, s.format), (10, InputFormat::Yaml));
        assert_eq!(start("---\nkind: Node").format, InputFormat::Yaml);
        assert_eq!(start("- kind: Node").format, InputFormat::Yaml);
        let s = start("x{\"kind\": \"Node\"}");
        assert_eq!(s.offset, 1);
        assert_eq!(
            s.skipped,
            vec!["`x` before the first `{` on line 1".to_owned()]
        );
        let s = start("W0102 12:00:00.000000   123 warnings.go:70] deprecated\n[]");
        assert_eq!(s.skipped.len(), 1);
    }

    #[test]
    fn reports_problems() {
        assert_eq!(find_start(""), Err(Problem::Empty));
        assert_eq!(find_start(" \n\t\r\n"), Err(Problem::Empty));
        assert_eq!(
            find_start("NAME   READY   STATUS    RESTARTS   AGE\nweb-1  1/1  Running  0  1d"),
            Err(Problem::Table {
                offset: 0,
                first_word: "NAME".to_owned()
            })
        );
        assert!(matches!(
            find_start("error: the server doesn't have a resource type \"nodez\""),
            Err(Problem::KubectlError { offset: 0, .. })
        ));
        assert!(matches!(
            find_start("Warning: something\n"),
            Err(Problem::OnlyJunk { offset: 0, .. })
        ));
        assert!(matches!(
            find_start("hello world"),
            Err(Problem::Unrecognised { offset: 0, .. })
        ));
    }
}
