//! Small CSV tables (score sheets, score lists, entrant lists) in the encodings scanner CSVs
//! come in: UTF-8, UTF-8 with BOM, UTF-16 (Excel "Unicode text") and GB18030.

use crate::event::judging::Row;
use crate::sheet::{decode_reader, Encoding};
use crate::Error;
use std::io::Read;
use std::path::Path;

/// A read table: its encoding, header and rows (with their line numbers).
pub struct Table {
    pub encoding: Encoding,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// Reads `path`; the delimiter (`,` `;` or tab) is the one the header line uses most.
pub fn read(path: &Path) -> Result<Table, Error> {
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let (encoding, mut decoded) = decode_reader(file).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut text = String::new();
    decoded
        .read_to_string(&mut text)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, source),
        })?;
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(r)) => r.iter().map(|s| s.trim().to_string()).collect(),
        Some(Err(e)) => {
            return Err(Error::input(
                format!("{shown}:1: {e}"),
                "the first line is the header",
            ))
        }
        None => {
            return Err(Error::input(
                format!("`{shown}` is empty"),
                "the first line is the header, then one row per line",
            ))
        }
    };
    let mut rows = Vec::new();
    for r in records {
        let r = r.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Error::input(
                format!("{shown}:{line}: {e}"),
                "a quoted field must end with a quote",
            )
        })?;
        if r.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = r.position().map_or(0, |p| p.line() as usize);
        rows.push((line, r.iter().map(str::to_string).collect()));
    }
    Ok(Table {
        encoding,
        header,
        rows,
    })
}
