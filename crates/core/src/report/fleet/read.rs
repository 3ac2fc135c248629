//! Reading saved reports back: a `kube-rightsize/report/v1` JSON file is one report, a
//! `kube-rightsize/fleet/v1` file gives back the reports it holds.
//!
//! Read like every other input: a located error with a hint (a line and column for malformed
//! JSON, the field's path such as `workloads[3].monthly_cost` for a value of the wrong type),
//! never a panic; every string at most [`crate::limits::MAX_CHARS`] characters (longer ones are
//! shortened as the snapshot's are, with a warning, since a report written by kube-rightsize
//! never holds one). Reports hold no secrets: the analysis never kept any.

use std::fmt;

use serde_json::Value;

use super::Member;
use crate::diagnostics::Warning;
use crate::report::Report;

/// The warning code for strings that were shortened while reading.
pub const SHORTENED: &str = "merge_string_shortened";

/// A report file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportReadError {
    /// The file's name.
    pub input: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong (with the field's path when the JSON is well-formed).
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl fmt::Display for ReportReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.input)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ReportReadError {}

const REPORT_HINT: &str = "give JSON reports written by `kube-rightsize analyze --format json` \
                           (or the app's JSON export), or fleet files written by `merge --format json`";

fn error(input: &str, message: impl Into<String>, hint: Option<&str>) -> ReportReadError {
    ReportReadError {
        input: input.to_owned(),
        line: None,
        column: None,
        message: message.into(),
        hint: hint.map(str::to_owned),
    }
}

/// True when `bytes` start like a report or fleet file (a JSON object whose `schema` names one
/// of them within its first few hundred bytes), for shells that recognise inputs by their start.
pub fn looks_like_report(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let head = String::from_utf8_lossy(head);
    head.trim_start().starts_with('{')
        && (head.contains(crate::report::SCHEMA) || head.contains(super::SCHEMA))
}

/// Reads one file: the reports it holds (one for a report, all of a fleet's), each with its
/// reading warnings, named after `input`.
pub fn read(input: &str, bytes: &[u8]) -> Result<Vec<Member>, ReportReadError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        error(
            input,
            format!("not UTF-8 text (byte {})", e.valid_up_to() + 1),
            Some(REPORT_HINT),
        )
    })?;
    if text.trim().is_empty() {
        return Err(error(input, "the file is empty", Some(REPORT_HINT)));
    }
    let mut value: Value = serde_json::from_str(text).map_err(|e| ReportReadError {
        input: input.to_owned(),
        line: Some(e.line()),
        column: Some(e.column()),
        message: if e.is_eof() {
            format!("the JSON ends too early ({e})")
        } else {
            format!("not valid JSON: {e}")
        },
        hint: Some(if e.is_eof() {
            "the file may have been cut off while it was written or copied".to_owned()
        } else {
            REPORT_HINT.to_owned()
        }),
    })?;
    let schema = value
        .get("schema")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut shortened = 0usize;
    cap_strings(&mut value, &mut shortened);
    let warnings = if shortened > 0 {
        vec![Warning::new(
            SHORTENED,
            "",
            format!(
                "{input}: {shortened} string{} longer than {} characters {} shortened (kube-rightsize \
                 never writes such strings: was the file edited?)",
                if shortened == 1 { "" } else { "s" },
                crate::limits::MAX_CHARS,
                if shortened == 1 { "was" } else { "were" }
            ),
        )]
    } else {
        Vec::new()
    };
    match schema.as_deref() {
        Some(crate::report::SCHEMA) => {
            let report = typed::<Report>(input, value)?;
            Ok(vec![Member {
                input: input.to_owned(),
                report,
                warnings,
            }])
        }
        Some(super::SCHEMA) => {
            let reports = match value.get_mut("reports").map(Value::take) {
                Some(r) => typed::<Vec<Report>>(input, r).map_err(|e| prefix_path(e, "reports"))?,
                None => {
                    return Err(error(
                        input,
                        "a fleet file without `reports`",
                        Some(REPORT_HINT),
                    ));
                }
            };
            let count = reports.len();
            Ok(reports
                .into_iter()
                .enumerate()
                .map(|(i, report)| Member {
                    input: format!("{input} (report {} of {count})", i + 1),
                    report,
                    warnings: if i == 0 { warnings.clone() } else { Vec::new() },
                })
                .collect())
        }
        Some(other) => Err(error(
            input,
            format!(
                "schema `{}` is not a kube-rightsize report",
                crate::limits::cap(other)
            ),
            Some(REPORT_HINT),
        )),
        None if value.get("items").is_some() || value.get("kind").is_some() => Err(error(
            input,
            "this is a Kubernetes object list (a cluster snapshot), not a report",
            Some(
                "analyse each cluster first (`kube-rightsize analyze SNAPSHOT --format json -o \
                 report.json`), then merge the reports",
            ),
        )),
        None => Err(error(
            input,
            "not a kube-rightsize report (no `schema` field)",
            Some(REPORT_HINT),
        )),
    }
}

/// Deserialises `value` as `T`, naming the path of a value of the wrong type.
fn typed<T: serde::de::DeserializeOwned>(input: &str, value: Value) -> Result<T, ReportReadError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        error(
            input,
            if path == "." {
                format!("not a kube-rightsize report: {inner}")
            } else {
                format!("at `{path}`: {inner}")
            },
            Some(
                "the file is not a report this version of kube-rightsize can read; was it edited?",
            ),
        )
    })
}

fn prefix_path(mut e: ReportReadError, prefix: &str) -> ReportReadError {
    if let Some(rest) = e.message.strip_prefix("at `") {
        e.message = format!(
            "at `{prefix}{}{rest}",
            if rest.starts_with('[') { "" } else { "." }
        );
    }
    e
}

/// Shortens every string value in `value` to the cap, counting those shortened.
fn cap_strings(value: &mut Value, shortened: &mut usize) {
    match value {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(short) = crate::limits::cap(s) {
                *s = short;
                *shortened += 1;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| cap_strings(v, shortened)),
        Value::Object(map) => map.values_mut().for_each(|v| cap_strings(v, shortened)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}
