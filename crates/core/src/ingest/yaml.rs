//! YAML: one document or several separated by `---`, streamed with serde-saphyr.
//!
//! The stream is split at `---` lines (a `---` at the start of a line always starts a document:
//! YAML forbids it inside quoted scalars, and block scalars of a mapping are indented) and each
//! document is walked with a serde seed, so that `items` are converted one by one.

use super::collect::Collector;
use super::error::{IngestError, IngestErrorKind, last_content_line, line_col};
use super::walk::Walker;

/// What a successful YAML parse found.
pub(crate) struct Parsed {
    /// Non-empty documents read.
    pub documents: usize,
    /// Top-level mappings that were not Kubernetes objects: (line and column, their first keys).
    pub unrecognised: Vec<((usize, usize), Vec<String>)>,
}

fn is_document_start(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

/// Byte ranges of the documents of `text[start..]`.
fn documents(text: &str, start: usize) -> Vec<(usize, usize)> {
    let mut bounds = vec![start];
    let mut pos = start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        if pos > start && is_document_start(&text[pos..end]) {
            bounds.push(pos);
        }
        pos = end;
    }
    bounds.push(text.len());
    bounds.windows(2).map(|w| (w[0], w[1])).collect()
}

/// True when a document has nothing but blank lines, comments and markers.
fn is_blank(doc: &str) -> bool {
    doc.lines().map(str::trim).all(|l| {
        l.is_empty() || l.starts_with('#') || l == "---" || l == "..." || l.starts_with("%")
    })
}

fn options(len: usize) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    // The defaults suit configuration files; a cluster dump is large but plain. Scale the
    // per-document limits with its size (an event or node needs at least a byte or two).
    budget.max_events = budget.max_events.max(len);
    budget.max_nodes = budget.max_nodes.max(len);
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(len);
    budget.max_depth = 128;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

/// saphyr's message without its ` at line L, column C` suffix.
fn bare_message(e: &serde_saphyr::Error) -> String {
    let full = e.to_string();
    let cut = full.rfind(" at line ").unwrap_or(full.len());
    full[..cut].to_owned()
}

/// Parses the YAML documents of `text` from byte `start` on into `out`.
pub(crate) fn parse(
    input: &str,
    text: &str,
    start: usize,
    out: &mut Collector<'_>,
) -> Result<Parsed, IngestError> {
    let mut parsed = Parsed {
        documents: 0,
        unrecognised: Vec::new(),
    };
    for (from, to) in documents(text, start) {
        let doc = &text[from..to];
        if is_blank(doc) {
            continue;
        }
        let mut walker = Walker::new(out);
        let result =
            serde_saphyr::with_deserializer_from_str_with_options(doc, options(doc.len()), |de| {
                walker.walk(de)
            });
        if let Err(e) = result {
            let (first_line, _) = line_col(text, from);
            let (line, column) = e.location().map_or((first_line, 1), |l| {
                (
                    first_line + usize::try_from(l.line()).unwrap_or(1).max(1) - 1,
                    usize::try_from(l.column()).unwrap_or(1).max(1),
                )
            });
            let error =
                if matches!(e, serde_saphyr::Error::Eof { .. }) {
                    IngestError::new(
                    IngestErrorKind::Truncated,
                    input,
                    (line, column),
                    format!("the paste seems cut off at line {}", last_content_line(text)),
                    Some(
                        "the YAML ends in the middle of a value: copy the whole output, or save \
                         it with `kubectl get nodes,pods -A -o yaml > cluster.yaml`"
                            .to_owned(),
                    ),
                )
                } else {
                    IngestError::new(
                        IngestErrorKind::YamlSyntax,
                        input,
                        (line, column),
                        format!("invalid YAML: {}", bare_message(&e)),
                        Some(format!(
                            "look at line {line}: YAML depends on indentation, which copying can \
                         change; `-o json` is safer to paste"
                        )),
                    )
                };
            return Err(error);
        }
        parsed.documents += 1;
        if let Some(keys) = walker.unrecognised.take() {
            parsed.unrecognised.push((line_col(text, from), keys));
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents() {
        let text = "a: 1\n---\nb: 2\n--- \nc: 3\n----\n";
        let docs: Vec<&str> = documents(text, 0)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(docs, vec!["a: 1\n", "---\nb: 2\n", "--- \nc: 3\n----\n"]);
        assert!(is_blank("---\n# c\n\n"));
        assert!(!is_blank("---\na: 1"));
    }
}
