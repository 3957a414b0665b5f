//! Excel workbooks (.xlsx, .xlsm, .xls, .ods) given where a table is expected, through calamine;
//! and the check that an input is text at all. A workbook's one sheet with data becomes CSV text
//! whose line numbers are the sheet's row numbers, so every table reader takes a workbook and
//! names a bad row as Excel numbers it.

use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::io::Cursor;

/// Why an input cannot be read as a table: a binary file that is not a workbook, a workbook
/// that cannot be read, or one with data on several sheets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}")]
pub struct NotATable {
    pub what: String,
    pub hint: String,
}

/// The kind of binary file `prefix` starts, when it is one: `Some(true)` for a workbook (a ZIP
/// container or an OLE compound file), `Some(false)` for any other binary.
pub fn binary_kind(prefix: &[u8]) -> Option<bool> {
    if prefix.starts_with(b"PK\x03\x04") || prefix.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Some(true);
    }
    // UTF-16 text holds NUL bytes, but starts with its BOM (checked before this is asked).
    let binary = prefix.starts_with(b"%PDF")
        || prefix.starts_with(b"\x89PNG")
        || prefix.starts_with(&[0xFF, 0xD8, 0xFF])
        || prefix[..prefix.len().min(8192)].contains(&0);
    binary.then_some(false)
}

/// The error for a binary input that is not a workbook.
pub fn not_text(prefix: &[u8]) -> NotATable {
    // Text in UTF-16 without its byte-order mark: a NUL beside nearly every ASCII byte.
    let half = |odd: usize| {
        let nul = prefix
            .iter()
            .skip(odd)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        nul * 10 >= prefix.len() / 2 * 9
    };
    if prefix.len() >= 4 && (half(0) || half(1)) {
        return NotATable {
            what: "the file looks like UTF-16 text without its byte-order mark".into(),
            hint: "save it again as \"CSV UTF-8\" (Excel: 另存为 → CSV UTF-8), or as Unicode text with its BOM".into(),
        };
    }
    let what = if prefix.starts_with(b"%PDF") {
        "a PDF file"
    } else if prefix.starts_with(b"\x89PNG") || prefix.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "an image"
    } else {
        "a binary file"
    };
    NotATable {
        what: format!("the file is {what}, not a table"),
        hint: "give a CSV (Excel: 另存为 → CSV UTF-8) or an .xlsx workbook".into(),
    }
}

/// The workbook's one sheet with data as CSV text: line N holds sheet row N (blank lines stand
/// for empty rows, so that line numbers stay row numbers; a cell holding a line break is kept
/// whole and moves the following lines down).
pub fn to_csv(bytes: Vec<u8>) -> Result<Vec<u8>, NotATable> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| NotATable {
        what: format!("not a readable workbook: {e}"),
        hint: "save it from Excel as .xlsx, or export the sheet as \"CSV UTF-8\"".into(),
    })?;
    let mut with_data = Vec::new();
    for name in book.sheet_names().to_vec() {
        let range = book.worksheet_range(&name).map_err(|e| NotATable {
            what: format!("cannot read sheet `{name}`: {e}"),
            hint: "save it from Excel as .xlsx, or export the sheet as \"CSV UTF-8\"".into(),
        })?;
        if range.cells().any(|(_, _, d)| !matches!(d, Data::Empty)) {
            with_data.push((name, range));
        }
    }
    let (_, range) = match with_data.len() {
        0 => return Ok(Vec::new()),
        1 => with_data.remove(0),
        _ => {
            let names: Vec<&str> = with_data.iter().map(|(n, _)| n.as_str()).collect();
            return Err(NotATable {
                what: format!(
                    "the workbook has data on {} sheets ({}); which one is meant is not guessed",
                    names.len(),
                    names.join(", ")
                ),
                hint: "keep the one sheet to read in the workbook, or save it as \"CSV UTF-8\""
                    .into(),
            });
        }
    };
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut out = Vec::new();
    // Rows above the range are empty lines.
    out.extend(std::iter::repeat_n(b'\n', row0 as usize));
    for cells in range.rows() {
        let mut fields = vec![String::new(); col0 as usize];
        fields.extend(cells.iter().map(cell_text));
        while fields.last().is_some_and(String::is_empty) {
            fields.pop();
        }
        if fields.is_empty() {
            out.push(b'\n');
            continue;
        }
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        let line = w
            .write_record(&fields)
            .map_err(|e| e.to_string())
            .and_then(|()| w.into_inner().map_err(|e| e.to_string()));
        out.extend(line.map_err(|e| NotATable {
            what: format!("cannot convert the sheet: {e}"),
            hint: String::new(),
        })?);
    }
    Ok(out)
}

/// A cell as text: whole numbers without a decimal point, as Excel shows them.
pub fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binaries_are_told_apart_from_text() {
        assert_eq!(binary_kind(b"PK\x03\x04rest"), Some(true));
        assert_eq!(binary_kind(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]), Some(true));
        assert_eq!(binary_kind(b"%PDF-1.7\n"), Some(false));
        assert_eq!(binary_kind(b"a,b\x00c"), Some(false));
        assert_eq!(binary_kind("参赛者,评委\n".as_bytes()), None);
        assert!(not_text(b"%PDF-1.7").what.contains("PDF"));
        let utf16: Vec<u8> = "id,name\n1,a\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(binary_kind(&utf16), Some(false));
        assert!(not_text(&utf16).what.contains("UTF-16"));
    }
}
