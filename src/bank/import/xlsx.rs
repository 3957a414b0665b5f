//! Excel workbooks (.xlsx, .xls, .ods) through calamine: every sheet, or the one named.

use crate::input::diagnostic::Diagnostic;
use crate::input::workbook::cell_text;
use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};
use std::io::Cursor;

/// The sheets of a workbook (all, or the one named `only`) with their names, or an error naming
/// the file. Every sheet is opened before any row is read, so a workbook with a sheet that
/// cannot be read is refused whole.
pub fn read(
    file: &str,
    bytes: Vec<u8>,
    only: Option<&str>,
) -> Result<Vec<(String, Range<Data>)>, Diagnostic> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        Diagnostic::error(None, format!("{file}: not a readable workbook: {e}"))
            .with_hint("save it from Excel as .xlsx, or export the sheet as \"CSV UTF-8\"")
            .zh(
                format!("{file}：不是能读的工作簿：{e}"),
                "用 Excel 另存为 .xlsx，或把工作表导出为“CSV UTF-8”",
            )
    })?;
    let names = book.sheet_names().to_vec();
    if let Some(want) = only {
        if !names.iter().any(|n| n == want) {
            return Err(
                Diagnostic::error(None, format!("{file}: no sheet named `{want}`"))
                    .with_hint(format!("sheets: {}", names.join(", ")))
                    .zh(
                        format!("{file}：没有名为 `{want}` 的工作表"),
                        format!("工作表有：{}", names.join("、")),
                    ),
            );
        }
    }
    let mut sheets = Vec::new();
    for name in names {
        if only.is_some_and(|w| w != name) {
            continue;
        }
        let range = book.worksheet_range(&name).map_err(|e| {
            Diagnostic::error(None, format!("{file}: cannot read sheet `{name}`: {e}"))
        })?;
        sheets.push((name, range));
    }
    Ok(sheets)
}

/// Each row of a sheet as text cells, numbered as the sheet numbers them (from 1), one row at a
/// time: the cells are read from calamine's, not copied as a whole.
pub fn rows(range: &Range<Data>, mut row: impl FnMut(usize, &[String])) {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut cells: Vec<String> = Vec::new();
    for (i, r) in range.rows().enumerate() {
        cells.clear();
        cells.resize(col0 as usize, String::new());
        cells.extend(r.iter().map(cell_text));
        row(row0 as usize + i + 1, &cells);
    }
}
