//! CSV exports of 题库 workbooks: UTF-8 (with or without BOM), UTF-16 ("Unicode text", tabs) or
//! GB18030/GBK; comma, semicolon or tab separated — read by the one CSV reader
//! ([`crate::input::table`]), record by record ([`crate::input::table::Stream`]).

use crate::input::diagnostic::{Diagnostic, Location};
use crate::input::table::TableError;

/// A CSV reading error as a located diagnostic.
pub(super) fn table_diagnostic(file: &str, e: &TableError) -> Diagnostic {
    let location = match e {
        TableError::Encoding { bad, .. } => Some((bad.line, bad.col)),
        TableError::Csv { line, .. } | TableError::NotUtf8 { line, .. } => {
            Some((*line as usize, 1))
        }
        TableError::Empty { .. } => Some((1, 1)),
        TableError::Read { .. } | TableError::NotATable { .. } => None,
    };
    let message = match e {
        TableError::Encoding { bad, .. } => bad.what(),
        TableError::Csv { message, .. } => format!("cannot read the CSV: {message}"),
        TableError::NotUtf8 { field, .. } => format!("field {field} is not valid UTF-8"),
        other => other.to_string(),
    };
    let mut d = Diagnostic::error(
        location.map(|(line, col)| Location {
            file: file.to_string(),
            line,
            col,
        }),
        message,
    );
    d.hint = e.hint();
    d
}
