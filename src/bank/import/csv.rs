//! CSV exports of 题库 workbooks: UTF-8 (with or without BOM), UTF-16 ("Unicode text", tabs) or
//! GB18030/GBK; comma, semicolon or tab separated.

use super::table::Table;
use crate::diagnostic::Diagnostic;
use crate::sheet::{decode_reader, Encoding};
use std::io::Read;

/// Decodes and splits a CSV file into a table.
pub fn read(file: &str, bytes: &[u8]) -> Result<(Table, Encoding), Diagnostic> {
    let (encoding, mut r) = decode_reader(bytes)
        .map_err(|e| Diagnostic::error(None, format!("{file}: cannot decode: {e}")))?;
    let mut text = String::new();
    r.read_to_string(&mut text).map_err(|e| {
        Diagnostic::error(None, format!("{file}: not valid {encoding}: {e}"))
            .with_hint("save the sheet as \"CSV UTF-8\"")
    })?;
    // The csv crate counts a CRLF row's line only once the next row has started, which would put
    // every error of an Excel-written file one row too high; plain line feeds keep rows exact.
    let text = text.replace("\r\n", "\n");
    let first = text.lines().next().unwrap_or("");
    let delimiter = if matches!(encoding, Encoding::Utf16Le | Encoding::Utf16Be) {
        b'\t'
    } else {
        [b',', b'\t', b';']
            .into_iter()
            .max_by_key(|d| first.bytes().filter(|b| b == d).count())
            .unwrap_or(b',')
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        match rec {
            Ok(rec) => {
                let line = rec.position().map_or(0, |p| p.line() as usize);
                rows.push((line, rec.iter().map(str::to_string).collect()));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return Err(Diagnostic::error(
                    Some(crate::diagnostic::Location {
                        file: file.to_string(),
                        line,
                        col: 1,
                    }),
                    format!("cannot read the CSV: {e}"),
                )
                .with_hint("check the quotes on this row"));
            }
        }
    }
    Ok((
        Table {
            file: file.to_string(),
            rows,
            lossy_question_marks: encoding == Encoding::Gb18030,
            kind: None,
        },
        encoding,
    ))
}
