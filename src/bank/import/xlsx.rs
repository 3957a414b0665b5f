//! Excel workbooks (.xlsx, .xls, .ods) through calamine: every sheet, or the one named.

use super::table::Table;
use crate::input::diagnostic::Diagnostic;
use crate::input::workbook::cell_text;
use calamine::{open_workbook_auto_from_rs, Reader};
use std::io::Cursor;

/// The sheets of a workbook as tables (`file[sheet]`), or an error naming the file.
pub fn read(file: &str, bytes: &[u8], only: Option<&str>) -> Result<Vec<Table>, Diagnostic> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| {
        Diagnostic::error(None, format!("{file}: not a readable workbook: {e}"))
            .with_hint("save it from Excel as .xlsx, or export the sheet as \"CSV UTF-8\"")
    })?;
    let names = book.sheet_names().to_vec();
    if let Some(want) = only {
        if !names.iter().any(|n| n == want) {
            return Err(
                Diagnostic::error(None, format!("{file}: no sheet named `{want}`"))
                    .with_hint(format!("sheets: {}", names.join(", "))),
            );
        }
    }
    let mut tables = Vec::new();
    for name in names {
        if only.is_some_and(|w| w != name) {
            continue;
        }
        let range = book.worksheet_range(&name).map_err(|e| {
            Diagnostic::error(None, format!("{file}: cannot read sheet `{name}`: {e}"))
        })?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                let mut out = vec![String::new(); col0 as usize];
                out.extend(cells.iter().map(cell_text));
                (row0 as usize + i + 1, out)
            })
            .collect();
        tables.push(Table {
            file: format!("{file}[{name}]"),
            rows,
            lossy_question_marks: false,
            kind: super::normalise::parse_kind(&name).map(|_| name.clone()),
        });
    }
    Ok(tables)
}
