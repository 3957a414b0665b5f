//! An opened scanner CSV: its encoding, delimiter and layout, and its rows one at a time.

use super::error::SheetError;
use super::layout::{detect_layout, ItemRef, Layout};
use super::layout_file::LayoutFile;
use crate::input::encoding::Encoding;
use crate::input::table::{self, TableError};
use std::fmt;
use std::io::Read;
use std::sync::Arc;

/// A scanner CSV being read. Rows stream: memory does not grow with the number of rows.
pub struct Sheet<R: Read> {
    file: String,
    encoding: Encoding,
    layout: Layout,
    header: csv::StringRecord,
    items: Arc<[ItemRef]>,
    /// The records, unguarded as every CSV reader gives them.
    reader: table::Stream<R>,
    record: csv::StringRecord,
    /// The buffer `next` refills.
    current: SheetRow,
    done: bool,
}

/// One candidate's row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SheetRow {
    /// The 1-based line the row starts on.
    pub line: u64,
    pub candidate: String,
    /// The name parts joined with a space (empty when the layout has none).
    pub name: String,
    pub team: String,
    pub paper: String,
    items: Arc<[ItemRef]>,
    /// The answer cells back to back, untrimmed; `ends[i]` is where cell `i` ends.
    cells: String,
    ends: Vec<u32>,
}

impl SheetRow {
    /// Becomes a copy of `from`, reusing this row's buffers.
    pub fn refill_from(&mut self, from: &SheetRow) {
        self.line = from.line;
        self.candidate.clone_from(&from.candidate);
        self.name.clone_from(&from.name);
        self.team.clone_from(&from.team);
        self.paper.clone_from(&from.paper);
        if !Arc::ptr_eq(&self.items, &from.items) {
            self.items = Arc::clone(&from.items);
        }
        self.cells.clone_from(&from.cells);
        self.ends.clone_from(&from.ends);
    }

    /// Each item with its raw cell text, in the layout's order.
    pub fn answers(&self) -> impl ExactSizeIterator<Item = (&ItemRef, &str)> + '_ {
        self.items
            .iter()
            .enumerate()
            .map(move |(i, item)| (item, self.cell(i)))
    }

    /// The raw text of the `i`-th answer cell in the layout's order.
    pub fn answer(&self, i: usize) -> Option<&str> {
        (i < self.ends.len()).then(|| self.cell(i))
    }

    fn cell(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.cells[start..self.ends[i] as usize]
    }
}

/// A row that cannot be graded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The 1-based line the row starts on.
    pub line: u64,
    pub reason: String,
    /// The reason in Chinese.
    pub reason_zh: String,
    /// The row's fields joined with the file's delimiter.
    pub raw: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl<R: Read> Sheet<R> {
    /// Opens `input` (named `file_name` in messages): detects the encoding, sniffs the delimiter
    /// (`,` `;` or tab) from the header line, reads the header and detects the layout, or applies
    /// `layout` when given.
    pub fn open(
        file_name: &str,
        input: R,
        layout: Option<&LayoutFile>,
    ) -> Result<Self, SheetError> {
        let delimiter = layout.and_then(LayoutFile::delimiter);
        let mut reader = table::open(file_name, input, delimiter).map_err(SheetError::Table)?;
        let (encoding, delimiter) = (reader.encoding, reader.delimiter);
        let header = reader.headers(file_name).map_err(SheetError::Table)?;
        let names: Vec<&str> = header.iter().collect();
        let layout = match layout {
            Some(file) => file.resolve(file_name, &names, delimiter)?,
            None => detect_layout(file_name, &names, delimiter)?,
        };
        let items = layout
            .answers
            .iter()
            .map(|(item, _)| item.clone())
            .collect();
        Ok(Sheet {
            file: file_name.to_string(),
            encoding,
            layout,
            header,
            items,
            reader,
            record: csv::StringRecord::new(),
            current: SheetRow::default(),
            done: false,
        })
    }

    /// What the columns mean.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The encoding the file was in.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The header row's names.
    pub fn header(&self) -> impl Iterator<Item = &str> {
        self.header.iter()
    }

    /// Each data row, in order: every row yields exactly one `Ok` or `Err`. A read failure in the
    /// middle of the file yields one last `Err` (with an empty `raw`) and ends the rows.
    pub fn rows(&mut self) -> impl Iterator<Item = Result<SheetRow, Rejected>> + '_ {
        std::iter::from_fn(move || self.next().map(|r| r.cloned()))
    }

    /// The next row, like [`Sheet::rows`], but lent from one buffer that each call refills, so
    /// that reading allocates nothing per row.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Result<&SheetRow, Rejected>> {
        if self.done {
            return None;
        }
        match self.reader.read_record(&mut self.record) {
            Ok(true) => {
                let mut row = std::mem::take(&mut self.current);
                let filled = self.fill(&mut row);
                self.current = row;
                Some(filled.map(|()| &self.current))
            }
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                let (line, reason) = match TableError::from_csv(&self.file, &e) {
                    TableError::Encoding { bad, .. } => (bad.line as u64, bad.to_string()),
                    _ => (
                        e.position()
                            .or_else(|| self.record.position())
                            .map_or(0, |p| p.line()),
                        e.to_string(),
                    ),
                };
                Some(Err(Rejected {
                    line,
                    reason: format!("cannot read the rest of `{}`: {reason}", self.file),
                    reason_zh: format!("`{}` 从这里起读不下去了：{reason}", self.file),
                    raw: String::new(),
                }))
            }
        }
    }

    fn fill(&self, row: &mut SheetRow) -> Result<(), Rejected> {
        let rec = &self.record;
        let line = self.reader.record_line(rec);
        let reject = |reason: String, reason_zh: String| Rejected {
            line,
            reason,
            reason_zh,
            raw: join(rec, self.layout.delimiter),
        };
        if rec.len() != self.header.len() {
            let (n, h) = (rec.len(), self.header.len());
            return Err(reject(
                format!("the row has {n} fields but the header has {h}"),
                format!("这一行有 {n} 列，而表头有 {h} 列"),
            ));
        }
        let field = |i: usize| rec.get(i).unwrap_or("").trim();
        let layout = &self.layout;
        let candidate = field(layout.candidate);
        if candidate.is_empty() {
            let column = self.header.get(layout.candidate).unwrap_or("");
            return Err(reject(
                format!("the candidate id (column `{column}`) is empty"),
                format!("考号（`{column}` 列）是空的"),
            ));
        }
        row.line = line;
        row.candidate.clear();
        row.candidate.push_str(candidate);
        row.name.clear();
        for part in layout.name_cols.iter().map(|&i| field(i)) {
            if !part.is_empty() {
                if !row.name.is_empty() {
                    row.name.push(' ');
                }
                row.name.push_str(part);
            }
        }
        let optional = |col: Option<usize>, out: &mut String| {
            out.clear();
            if let Some(i) = col {
                out.push_str(field(i));
            }
        };
        optional(layout.team, &mut row.team);
        optional(layout.paper, &mut row.paper);
        if !Arc::ptr_eq(&row.items, &self.items) {
            row.items = Arc::clone(&self.items);
        }
        row.cells.clear();
        row.ends.clear();
        for &(_, col) in &layout.answers {
            row.cells.push_str(rec.get(col).unwrap_or(""));
            row.ends.push(row.cells.len() as u32);
        }
        Ok(())
    }
}

fn join(rec: &csv::StringRecord, delimiter: u8) -> String {
    let mut s = String::new();
    for (i, f) in rec.iter().enumerate() {
        if i > 0 {
            s.push(delimiter as char);
        }
        s.push_str(f);
    }
    s
}
