//! What can go wrong when a scanner CSV or a layout file is read.

use crate::input::diagnostic::Diagnostics;

/// A scanner CSV or layout file that cannot be used; every message names `file:line`.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The file cannot be read as a CSV (unreadable, empty, a bad byte, a bad quote).
    #[error(transparent)]
    Table(#[from] crate::input::table::TableError),
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
            SheetError::Table(e) => e.hint(),
            SheetError::Column { hint, .. } => hint.clone(),
            SheetError::LayoutFile(d) => d.hint(),
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
