//! An opened scanner CSV: its encoding, delimiter and layout, and its rows one at a time.

use super::encoding::{decode_reader, Decoded, Encoding};
use super::error::SheetError;
use super::layout::{detect_layout, ItemRef, Layout};
use super::layout_file::LayoutFile;
use std::fmt;
use std::io::{self, BufRead, BufReader, Chain, Cursor, Read};
use std::sync::Arc;

type Source<R> = Chain<Cursor<Vec<u8>>, LineEnds<BufReader<Decoded<R>>>>;

/// A scanner CSV being read. Rows stream: memory does not grow with the number of rows.
pub struct Sheet<R: Read> {
    file: String,
    encoding: Encoding,
    layout: Layout,
    header: csv::StringRecord,
    items: Arc<[ItemRef]>,
    reader: csv::Reader<Source<R>>,
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
        let read_error = |source| SheetError::Read {
            file: file_name.to_string(),
            source,
        };
        let (encoding, decoded) = decode_reader(input).map_err(read_error)?;
        let mut rest = BufReader::new(decoded);
        // The header line (after any empty lines, which the CSV reader skips too), kept whole so
        // that it can be read again by the CSV reader.
        let mut first = Vec::new();
        let header_line = loop {
            let start = first.len();
            if rest.read_until(b'\n', &mut first).map_err(read_error)? == 0 {
                return Err(SheetError::Empty {
                    file: file_name.to_string(),
                });
            }
            if first.ends_with(b"\r\n") {
                first.remove(first.len() - 2);
            }
            if first[start..] != *b"\n" {
                break start;
            }
        };
        if first[header_line..].iter().all(u8::is_ascii_whitespace) {
            return Err(SheetError::Empty {
                file: file_name.to_string(),
            });
        }
        let delimiter = layout
            .and_then(LayoutFile::delimiter)
            .unwrap_or_else(|| sniff_delimiter(&first[header_line..]));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(Cursor::new(first).chain(LineEnds::new(rest)));
        let header = reader
            .headers()
            .map_err(|e| csv_error(file_name, &e))?
            .clone();
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
                let line = e
                    .position()
                    .or_else(|| self.record.position())
                    .map_or(0, |p| p.line());
                Some(Err(Rejected {
                    line,
                    reason: format!("cannot read the rest of `{}`: {e}", self.file),
                    raw: String::new(),
                }))
            }
        }
    }

    fn fill(&self, row: &mut SheetRow) -> Result<(), Rejected> {
        let rec = &self.record;
        // The reader stands at the start of the line after the record's closing `\n`.
        let newlines = rec.as_slice().bytes().filter(|&b| b == b'\n').count() as u64;
        let line = self.reader.position().line().saturating_sub(newlines + 1);
        let reject = |reason: String| Rejected {
            line,
            reason,
            raw: join(rec, self.layout.delimiter),
        };
        if rec.len() != self.header.len() {
            return Err(reject(format!(
                "the row has {} fields but the header has {}",
                rec.len(),
                self.header.len()
            )));
        }
        let field = |i: usize| rec.get(i).unwrap_or("").trim();
        let layout = &self.layout;
        let candidate = field(layout.candidate);
        if candidate.is_empty() {
            return Err(reject(format!(
                "the candidate id (column `{}`) is empty",
                self.header.get(layout.candidate).unwrap_or("")
            )));
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

/// Turns `\r\n` into `\n` and ends the text with a `\n`. The CSV reader accepts any line end,
/// but its record positions lag after a `\r\n` or a blank line; with every record ending in
/// `\n`, a record's line is found from where the reader stands after it (see `Sheet::row`).
struct LineEnds<R> {
    inner: R,
    /// A `\r` ended the last chunk; whether it is kept depends on the next byte.
    cr: bool,
    /// The last byte handed out (0 before any).
    last: u8,
}

impl<R> LineEnds<R> {
    fn new(inner: R) -> Self {
        LineEnds {
            inner,
            cr: false,
            last: 0,
        }
    }
}

impl<R: BufRead> Read for LineEnds<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let buf = self.inner.fill_buf()?;
        if buf.is_empty() {
            let end = match self.last {
                _ if std::mem::take(&mut self.cr) => b'\r',
                0 | b'\n' => return Ok(0),
                _ => b'\n',
            };
            out[0] = end;
            self.last = end;
            return Ok(1);
        }
        let mut n = 0;
        if std::mem::take(&mut self.cr) && buf[0] != b'\n' {
            out[0] = b'\r';
            n = 1;
        }
        let mut i = 0;
        while i < buf.len() && n < out.len() {
            // Copy up to the next `\r` in one go, then decide about the `\r`.
            let room = (buf.len() - i).min(out.len() - n);
            let run = buf[i..i + room]
                .iter()
                .position(|&b| b == b'\r')
                .unwrap_or(room);
            out[n..n + run].copy_from_slice(&buf[i..i + run]);
            n += run;
            i += run;
            if run == room {
                break;
            }
            i += 1;
            match buf.get(i) {
                Some(b'\n') => {}
                None => {
                    self.cr = true;
                    break;
                }
                Some(_) => {
                    out[n] = b'\r';
                    n += 1;
                }
            }
        }
        self.inner.consume(i);
        if n == 0 {
            // Only a `\r` was consumed: look at what follows it.
            return self.read(out);
        }
        self.last = out[n - 1];
        Ok(n)
    }
}

/// The most frequent of `,` `;` tab outside quotes in the header line (`,` on a tie or none).
fn sniff_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let delimiters = [b',', b';', b'\t'];
    let best = (0..3).fold(0, |best, i| if counts[i] > counts[best] { i } else { best });
    delimiters[best]
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

fn csv_error(file: &str, e: &csv::Error) -> SheetError {
    SheetError::Csv {
        file: file.to_string(),
        line: e.position().map_or(1, |p| p.line()),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_ends(bytes: &[u8], chunk: usize, out_len: usize) -> Vec<u8> {
        let mut r = LineEnds::new(BufReader::with_capacity(chunk, bytes));
        let mut all = Vec::new();
        let mut out = vec![0; out_len];
        loop {
            let n = r.read(&mut out).unwrap();
            if n == 0 {
                return all;
            }
            all.extend_from_slice(&out[..n]);
        }
    }

    #[test]
    fn crlf_becomes_lf_across_any_chunk_boundary() {
        let cases: [(&[u8], &[u8]); 4] = [
            (b"a\r\nb\rc\r\n\r\nd\r", b"a\nb\rc\n\nd\r\n"),
            (b"a\r\nb", b"a\nb\n"),
            (b"a\n", b"a\n"),
            (b"", b""),
        ];
        for (input, output) in cases {
            for chunk in 1..=input.len().max(1) {
                for out_len in 1..4 {
                    assert_eq!(
                        line_ends(input, chunk, out_len),
                        output,
                        "{chunk} {out_len}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_delimiter_is_the_most_frequent_outside_quotes() {
        assert_eq!(sniff_delimiter(b"a,b,c\n"), b',');
        assert_eq!(sniff_delimiter(b"\"a,b\";c;d\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc,d\n"), b'\t');
        assert_eq!(sniff_delimiter(b"alone\n"), b',');
    }
}
