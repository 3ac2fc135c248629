//! Why a pipeline stopped without a report: an input (or a setting) that cannot be used.

use serde::{Deserialize, Serialize};

use crate::ingest::IngestError;
use crate::pricing::import::ImportError;
use crate::recommend::ReadError;
use crate::settings::SettingError;

/// An input that cannot be read, located, with what to do about it. The app shows
/// `heading` + [`Failure::location`]; the CLI prints the [`std::fmt::Display`] form
/// (`cluster.json:3:7: expected …` and a `hint:` line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// `This input could not be read: `, `This KRR result could not be read: `, …
    pub heading: String,
    /// The input's name (`settings` for settings).
    pub input: String,
    /// 1-based line, when known (`u32`: keeps the error small; longer inputs say the last).
    pub line: Option<u32>,
    /// 1-based column, when known.
    pub column: Option<u32>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Failure {
    /// Where, for people: `paste, line 1, column 1`.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}, line {l}, column {c}", self.input),
            (Some(l), None) => format!("{}, line {l}", self.input),
            _ => self.input.clone(),
        }
    }

    /// An input of the wrong kind for the role the shell gave it.
    pub fn input(name: &str, message: &str) -> Failure {
        Failure {
            heading: "This input could not be read: ".into(),
            input: name.to_owned(),
            line: None,
            column: None,
            message: message.to_owned(),
            hint: None,
        }
    }

    /// Settings that break their rules (a shell that did not check them first).
    pub fn settings(errors: &[SettingError]) -> Failure {
        Failure {
            heading: "These settings cannot be used: ".into(),
            input: "settings".into(),
            line: None,
            column: None,
            message: errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            hint: None,
        }
    }

    /// A price file that cannot be read; `kind` names it (`price file`, `Vantage prices`).
    pub fn import(e: &ImportError, kind: &str) -> Failure {
        Failure {
            heading: format!("This {kind} could not be read: "),
            input: e.file.clone(),
            line: Some(small(e.line)),
            column: Some(small(e.column)),
            message: e.message.clone(),
            hint: e.hint.clone(),
        }
    }

    /// A saved report that cannot be read.
    pub fn report(e: &crate::report::fleet::read::ReportReadError) -> Failure {
        Failure {
            heading: "This saved report could not be read: ".into(),
            input: e.input.clone(),
            line: e.line.map(small),
            column: e.column.map(small),
            message: e.message.clone(),
            hint: e.hint.clone(),
        }
    }

    /// A KRR result or usage snapshot that cannot be read; `kind` names it.
    pub fn read(e: &ReadError, kind: &str) -> Failure {
        Failure {
            heading: format!("This {kind} could not be read: "),
            input: e.input.clone(),
            line: e.line.map(small),
            column: None,
            message: e.message.clone(),
            hint: None,
        }
    }
}

/// A line or column as stored (saturating at `u32::MAX`).
fn small(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<IngestError> for Failure {
    fn from(e: IngestError) -> Failure {
        Failure {
            heading: "This input could not be read: ".into(),
            input: e.input,
            line: Some(small(e.line)),
            column: Some(small(e.column)),
            message: e.message,
            hint: e.hint,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.input)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\nhint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}
