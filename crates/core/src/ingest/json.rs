//! JSON: one document, or several one after another, streamed with serde_json.

use serde_json::error::Category;

use super::collect::Collector;
use super::detect::is_trailing_junk;
use super::error::{IngestError, IngestErrorKind, Locate, excerpt, offset_of};
use super::walk::Walker;

/// What a successful JSON parse found.
pub(crate) struct Parsed {
    /// Documents read.
    pub documents: usize,
    /// Top-level mappings that were not Kubernetes objects: (line and column, their first keys).
    pub unrecognised: Vec<((usize, usize), Vec<String>)>,
    /// Descriptions of text skipped (a stray `{`, a prompt after the JSON).
    pub skipped: Vec<String>,
}

/// A failed JSON parse.
pub(crate) struct Failure {
    /// The error to report.
    pub error: IngestError,
    /// True when the text may be YAML flow syntax rather than broken JSON.
    pub maybe_yaml: bool,
}

/// Parses the JSON documents of `text` from byte `start` on into `out`; `loc` places the
/// offsets of `text` in the input.
pub(crate) fn parse(
    input: &str,
    text: &str,
    start: usize,
    out: &mut Collector<'_>,
    loc: &dyn Locate,
) -> Result<Parsed, Failure> {
    let mut parsed = Parsed {
        documents: 0,
        unrecognised: Vec::new(),
        skipped: Vec::new(),
    };
    let mut pos = start;
    let mut stray_open_brace = false;
    // A doubled opening brace (`{{"kind": ...`): skip the first one.
    // (`char_at`, not the text: where the streaming reader parses its skeleton, the document
    // is a placeholder that starts with the input's character.)
    if let Some(rest) = text[pos..].strip_prefix('{')
        && loc.char_at(text, text.len() - rest.trim_start().len()) == Some('{')
    {
        let (line, _) = loc.line_col(text, pos);
        parsed.skipped.push(format!("a stray `{{` on line {line}"));
        // The document starts at the second brace (where its location is reported).
        pos = text.len() - rest.trim_start().len();
        stray_open_brace = true;
    }
    loop {
        let slice = &text[pos..];
        let mut de = serde_json::Deserializer::from_str(slice);
        let mut walker = Walker::new(out);
        if let Err(e) = walker.walk(&mut de) {
            return Err(failure(input, text, pos, &e, parsed.documents == 0, loc));
        }
        parsed.documents += 1;
        if let Some(keys) = walker.unrecognised.take() {
            parsed.unrecognised.push((loc.line_col(text, pos), keys));
        }
        let Err(e) = de.end() else {
            break;
        };
        // Something follows the document: another document, or junk.
        let next = pos + offset_of(slice, e.line(), e.column());
        let rest = &text[next..];
        if rest.starts_with('{') || rest.starts_with('[') {
            pos = next;
            continue;
        }
        if stray_open_brace && rest.trim() == "}" {
            parsed
                .skipped
                .push("the `}` matching the stray `{`".to_owned());
            break;
        }
        if is_trailing_junk(rest) {
            parsed.skipped.push(format!(
                "`{}` after the JSON on line {}",
                excerpt(rest, 80),
                loc.line_col(text, next).0
            ));
            break;
        }
        let found = rest.chars().next().unwrap_or(' ');
        let (message, hint) = if found == '}' || found == ']' {
            (
                format!("unexpected `{found}` after the end of the JSON document"),
                "delete it, or look for a missing opening bracket earlier".to_owned(),
            )
        } else {
            (
                format!(
                    "unexpected text after the end of the JSON document: `{}`",
                    excerpt(rest.lines().next().unwrap_or(""), 40)
                ),
                "paste only the output of kubectl, or put each document on its own".to_owned(),
            )
        };
        return Err(Failure {
            error: IngestError::new(
                IngestErrorKind::JsonSyntax,
                input,
                loc.line_col(text, next),
                message,
                Some(hint),
            ),
            maybe_yaml: false,
        });
    }
    Ok(parsed)
}

/// serde_json's message without its ` at line L column C` suffix.
fn bare_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rfind(" at line ") {
        Some(i) => full[..i].to_owned(),
        None => full,
    }
}

/// The failure of the document at byte `pos` of `text`.
pub(crate) fn failure(
    input: &str,
    text: &str,
    pos: usize,
    e: &serde_json::Error,
    first: bool,
    loc: &dyn Locate,
) -> Failure {
    let slice = &text[pos..];
    match e.classify() {
        Category::Eof => {
            let end = loc.line_col(text, text.trim_end().len());
            let line = end.0;
            Failure {
                error: IngestError::new(
                    IngestErrorKind::Truncated,
                    input,
                    end,
                    format!("the paste seems cut off at line {line}"),
                    Some(
                        "the JSON ends before all its objects are closed: copy the whole output, \
                         or save it with `kubectl get nodes,pods -A -o json > cluster.json` and \
                         load the file"
                            .to_owned(),
                    ),
                ),
                maybe_yaml: false,
            }
        }
        Category::Syntax | Category::Io => {
            let at = pos + offset_of(slice, e.line(), e.column());
            let found = loc
                .char_at(text, at)
                .map_or("the end".to_owned(), |c| format!("`{c}`"));
            let (line, column) = loc.line_col(text, at);
            Failure {
                error: IngestError::new(
                    IngestErrorKind::JsonSyntax,
                    input,
                    (line, column),
                    format!("invalid JSON: {} (found {found})", bare_message(e)),
                    Some(format!(
                        "look at line {line} near column {column}: a character may have been \
                         added or lost while copying"
                    )),
                ),
                maybe_yaml: first,
            }
        }
        Category::Data => {
            let at = pos + offset_of(slice, e.line(), e.column());
            Failure {
                error: IngestError::new(
                    IngestErrorKind::InvalidContent,
                    input,
                    loc.line_col(text, at),
                    format!("unexpected value: {}", bare_message(e)),
                    Some(
                        "the field has a value of the wrong type for a Kubernetes object; was \
                         the output edited by hand?"
                            .to_owned(),
                    ),
                ),
                maybe_yaml: false,
            }
        }
    }
}
