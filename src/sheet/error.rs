//! What can go wrong when a scanner CSV or a layout file is read.

use crate::diagnostic::Diagnostics;
use std::io;

/// A scanner CSV or layout file that cannot be used; every message names `file:line`.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The bytes could not be read.
    #[error("cannot read `{file}`")]
    Read {
        file: String,
        #[source]
        source: io::Error,
    },
    /// The file has no header row.
    #[error("{file}:1: the file is empty; a header row is needed")]
    Empty { file: String },
    /// The CSV itself is malformed (reported by the CSV reader).
    #[error("{file}:{line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
    /// No built-in layout matches the header.
    #[error("{file}:1: unknown answer-sheet layout (header: {header})")]
    UnknownLayout { file: String, header: String },
    /// An AMC export without the ticked boxes: it holds scores, not answers.
    #[error("{file}:1: this AMC export has scores but no `TICKED:` answer columns")]
    AmcWithoutTicked { file: String },
    /// A layout does not fit the header it is applied to.
    #[error("{file}:1: {message}")]
    Column {
        file: String,
        message: String,
        hint: Option<String>,
    },
    /// A layout file is not valid: every problem, each at its `file:line:col`.
    #[error("{0}")]
    LayoutFile(Diagnostics),
}

/// The layouts `detect_layout` knows, as listed to users.
pub(crate) const KNOWN_LAYOUTS: &str =
    "examforge, zipgrade, omrchecker, formscanner, openmcr, amc (ticked)";

impl SheetError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            SheetError::UnknownLayout { .. } => Some(format!(
                "known layouts: {KNOWN_LAYOUTS}; for another scanner pass `--layout FILE.toml`, e.g.\n\
                 \x20   [columns]\n\
                 \x20   candidate = \"Student ID\"\n\
                 \x20   paper = \"Version\"\n\
                 \x20   [answers]\n\
                 \x20   pattern = \"Q{{n}}\""
            )),
            SheetError::AmcWithoutTicked { .. } => Some(
                "export again with the ticked boxes: in AMC's CSV export choose \"ticked boxes: AB\", \
                 or on the command line `--option-out ticked=AB`"
                    .into(),
            ),
            SheetError::Empty { .. } => {
                Some("export the sheet again with its header row (column titles)".into())
            }
            SheetError::Csv { .. } => Some(
                "check the quoting on that line: a field that holds the delimiter must be in double quotes"
                    .into(),
            ),
            SheetError::Column { hint, .. } => hint.clone(),
            SheetError::LayoutFile(d) => d.hint(),
            SheetError::Read { .. } => None,
        }
    }
}

/// A cell whose text is not a mark for the item it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid answer: {reason}")]
pub struct CellError {
    /// The trimmed cell text.
    pub text: String,
    /// Why it was refused.
    pub reason: String,
}
