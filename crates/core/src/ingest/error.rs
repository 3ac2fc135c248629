//! Why an input could not be read, located and explained for people.

use std::fmt;

use serde::Serialize;

/// What kind of problem stopped ingestion (stable snake_case names when serialized).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IngestErrorKind {
    /// No input was given at all.
    NoInput,
    /// The input is empty or only whitespace.
    EmptyInput,
    /// The bytes are not UTF-8 text.
    InvalidUtf8,
    /// `kubectl get` table output instead of JSON/YAML.
    TableOutput,
    /// A kubectl error message instead of output.
    KubectlError,
    /// Text that is neither JSON nor YAML.
    NotJsonOrYaml,
    /// JSON that ends before its objects are closed.
    Truncated,
    /// Malformed JSON.
    JsonSyntax,
    /// Malformed YAML.
    YamlSyntax,
    /// Well-formed JSON/YAML with a value of the wrong type where Kubernetes has a known field.
    InvalidContent,
    /// Well-formed JSON/YAML that is not Kubernetes objects.
    NotKubernetes,
    /// Kubernetes objects, but no nodes, pods or workloads at all.
    NoNodesOrPods,
}

impl IngestErrorKind {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            IngestErrorKind::NoInput => "no_input",
            IngestErrorKind::EmptyInput => "empty_input",
            IngestErrorKind::InvalidUtf8 => "invalid_utf8",
            IngestErrorKind::TableOutput => "table_output",
            IngestErrorKind::KubectlError => "kubectl_error",
            IngestErrorKind::NotJsonOrYaml => "not_json_or_yaml",
            IngestErrorKind::Truncated => "truncated",
            IngestErrorKind::JsonSyntax => "json_syntax",
            IngestErrorKind::YamlSyntax => "yaml_syntax",
            IngestErrorKind::InvalidContent => "invalid_content",
            IngestErrorKind::NotKubernetes => "not_kubernetes",
            IngestErrorKind::NoNodesOrPods => "no_nodes_or_pods",
        }
    }
}

/// An input that could not be read: where, what, and what to do about it.
///
/// Displayed as `input:line:column: message` followed by `hint: ...` on the next line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IngestError {
    /// What kind of problem it is.
    pub kind: IngestErrorKind,
    /// The input's name (file name or `paste`; several names joined with `, ` for problems
    /// about all inputs together).
    pub input: String,
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column (in characters) of the problem.
    pub column: usize,
    /// What is wrong, including what was expected.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl IngestError {
    pub(crate) fn new(
        kind: IngestErrorKind,
        input: &str,
        (line, column): (usize, usize),
        message: impl Into<String>,
        hint: Option<String>,
    ) -> IngestError {
        IngestError {
            kind,
            input: input.to_owned(),
            line,
            column,
            message: message.into(),
            hint,
        }
    }
}

impl fmt::Display for IngestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.input, self.line, self.column, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for IngestError {}

/// The 1-based line and 1-based character column of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset]
        .trim_end_matches('\r')
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Where the byte offsets of a parsed text lie in the input: the text itself for the
/// whole-input path, or a skeleton of it ([`super::stream`]) whose offsets map back.
pub(crate) trait Locate {
    /// The 1-based line and character column in the input of byte `offset` of `text`.
    fn line_col(&self, text: &str, offset: usize) -> (usize, usize);
    /// The input's character at byte `offset` of `text`, if any.
    fn char_at(&self, text: &str, offset: usize) -> Option<char>;
}

/// The parsed text is the whole input.
pub(crate) struct Whole;

impl Locate for Whole {
    fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        line_col(text, offset)
    }

    fn char_at(&self, text: &str, offset: usize) -> Option<char> {
        text.get(offset.min(text.len())..)
            .and_then(|rest| rest.chars().next())
    }
}

/// The byte offset of 1-based `line` and 1-based byte `column` in `text` (as serde_json counts).
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let mut offset = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The 1-based number of the last line that has something other than whitespace.
pub(crate) fn last_content_line(text: &str) -> usize {
    let end = text.trim_end().len();
    text[..end].bytes().filter(|&b| b == b'\n').count() + 1
}

/// `text` shortened to `max` characters for messages, with `…` when cut.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_offsets() {
        let text = "ab\r\ncé\nxyz";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 4), (2, 1));
        assert_eq!(line_col(text, 7), (2, 3));
        assert_eq!(line_col(text, 8), (3, 1));
        assert_eq!(line_col(text, 9), (3, 2));
        assert_eq!(line_col(text, 100), (3, 4));
        assert_eq!(offset_of(text, 2, 2), 5);
        assert_eq!(offset_of(text, 9, 1), text.len());
        assert_eq!(last_content_line("a\nb\n\n  \n"), 2);
        assert_eq!(excerpt("  abcdef ", 3), "abc…");
    }

    #[test]
    fn displays_with_hint() {
        let e = IngestError::new(
            IngestErrorKind::EmptyInput,
            "paste",
            (1, 1),
            "the input is empty",
            Some("paste something".to_owned()),
        );
        assert_eq!(
            e.to_string(),
            "paste:1:1: the input is empty\nhint: paste something"
        );
        assert_eq!(e.kind.as_str(), "empty_input");
    }
}
