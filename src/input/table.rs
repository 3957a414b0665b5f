//! The one CSV reader, for every CSV the tool takes: scanner CSVs, judges' score sheets, score
//! lists, entrant lists, rosters, `--manual` points, results.csv and 题库 CSV exports.
//!
//! - Encodings: UTF-8, UTF-8 with BOM, UTF-16 LE/BE (Excel "Unicode text") and GB18030/GBK
//!   (Excel "CSV" on Chinese Windows), detected by [`decode_reader`]; a byte invalid in the
//!   detected encoding is an error naming its line and column, never a silent U+FFFD.
//! - The delimiter (`,` `;` or tab) is the one the header line uses most outside double quotes.
//! - Rows are located by their line in the file: 1-based, the header line is line 1, blank lines
//!   and `\r\n` line ends counted as the file has them.
//!
//! - An Excel workbook (.xlsx, .xls, .ods) is read through calamine: its one sheet with data,
//!   rows numbered as the sheet numbers them. Any other binary file is refused by name.
//!
//! [`open`] streams the records (scanner CSVs, which may be large); [`read`] / [`parse`] read a
//! small table whole.
//!
//! It is also the one CSV writer ([`Writer`]), for every CSV the tool writes. A cell that a
//! spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first, OWASP's list) is
//! written with a `'` before it, which Excel shows as text; every reader takes that `'` off again
//! ([`unguard_record`], through which [`Stream`] and so [`parse`] read), so a table written and
//! read back is the same table ([`guard`] and [`unguard`]).

use super::encoding::{bad_bytes, decode_reader, not_a_table, Decoded, Encoding};
use std::borrow::Cow;
use std::io::{self, BufRead, BufReader, Chain, Cursor, Read, Write};
use std::path::Path;

/// A data row: its 1-based line in the file and its fields, as written (untrimmed).
pub type Row = (usize, Vec<String>);

/// The bytes a streamed CSV reader reads: the header line again, then the rest with `\n` ends.
pub type Source<R> = Chain<Cursor<Vec<u8>>, LineEnds<BufReader<Decoded<R>>>>;

/// A CSV opened for streaming: its encoding, its delimiter and a CSV reader standing before the
/// header record (flexible: rows may have any number of fields). Its records come back as they
/// were before the one writer guarded them ([`unguard_record`]), as [`parse`] gives them.
pub struct Stream<R: Read> {
    pub encoding: Encoding,
    /// The header line's number (1 unless blank lines come first).
    pub header_line: u64,
    pub delimiter: u8,
    reader: csv::Reader<Source<R>>,
}

impl<R: Read> Stream<R> {
    /// The header record (`file` names the CSV in an error), its cells unguarded.
    pub fn headers(&mut self, file: &str) -> Result<csv::StringRecord, TableError> {
        let mut header = self
            .reader
            .headers()
            .map_err(|e| TableError::from_csv(file, &e))?
            .clone();
        unguard_record(&mut header);
        Ok(header)
    }

    /// Reads the next record into `rec`, its cells unguarded; `false` at the end.
    pub fn read_record(&mut self, rec: &mut csv::StringRecord) -> csv::Result<bool> {
        let more = self.reader.read_record(rec)?;
        unguard_record(rec);
        Ok(more)
    }

    /// Reads the next record as [`Stream::read_record`] does, except that a record with a field
    /// that is not UTF-8 is kept, its bad bytes read as U+FFFD, and the reader goes on after it:
    /// `None` at the end, else the first such field (1-based), if any. `raw` is scratch space.
    pub fn read_record_lossy(
        &mut self,
        rec: &mut csv::StringRecord,
        raw: &mut csv::ByteRecord,
    ) -> csv::Result<Option<Option<usize>>> {
        if !self.reader.read_byte_record(raw)? {
            return Ok(None);
        }
        let mut bad = None;
        rec.clear();
        for (i, field) in raw.iter().enumerate() {
            let text = String::from_utf8_lossy(field);
            if bad.is_none() && matches!(text, std::borrow::Cow::Owned(_)) {
                bad = Some(i + 1);
            }
            rec.push_field(&text);
        }
        rec.set_position(raw.position().cloned());
        unguard_record(rec);
        Ok(Some(bad))
    }

    /// The 1-based line on which `rec`, the record just read, starts.
    pub fn record_line(&self, rec: &csv::StringRecord) -> u64 {
        record_line(&self.reader, rec)
    }
}

/// Why a CSV could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The bytes could not be read.
    #[error("cannot read `{file}`")]
    Read {
        file: String,
        #[source]
        source: io::Error,
    },
    /// A byte sequence invalid in the file's encoding.
    #[error("{file}:{}:{}: {}", bad.line, bad.col, bad.what())]
    Encoding {
        file: String,
        bad: super::encoding::BadBytes,
    },
    /// A field of a file read as UTF-8 (its start is) that holds a byte invalid in UTF-8.
    #[error("{file}:{line}: field {field} is not valid UTF-8")]
    NotUtf8 {
        file: String,
        line: u64,
        field: usize,
    },
    /// A binary file, or a workbook that cannot be read as one table.
    #[error("{file}: {}", reason.what)]
    NotATable {
        file: String,
        reason: super::workbook::NotATable,
    },
    /// No header line.
    #[error("{file}:1: the file is empty; a header row is needed")]
    Empty { file: String },
    /// Malformed CSV (an unclosed quote, invalid UTF-8 in a field).
    #[error("{file}:{line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
}

impl TableError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            TableError::Encoding { bad, .. } => Some(format!(
                "the file was read as {}; fix or retype that character, or save the file again as \
                 \"CSV UTF-8\" (Excel: 另存为 → CSV UTF-8)",
                bad.encoding
            )),
            TableError::NotUtf8 { .. } => Some(
                "the start of the file is UTF-8 but this field is not: fix that field, or save \
                 the whole file again as \"CSV UTF-8\""
                    .into(),
            ),
            TableError::NotATable { reason, .. } => {
                Some(reason.hint.clone()).filter(|h| !h.is_empty())
            }
            TableError::Empty { .. } => {
                Some("the first line is the header, then one row per line".into())
            }
            TableError::Csv { .. } => Some(
                "check the quoting on that line: a field that holds the delimiter must be in double quotes, and a quoted field must end with a quote"
                    .into(),
            ),
            TableError::Read { source, .. } if source.kind() == io::ErrorKind::NotFound => {
                Some("check the path; relative paths start from the current folder".into())
            }
            TableError::Read { .. } => None,
        }
    }

    /// The error for a failed read of record data from `file`.
    pub fn from_csv(file: &str, e: &csv::Error) -> TableError {
        match e.kind() {
            csv::ErrorKind::Io(io) => {
                if let Some(bad) = bad_bytes(io) {
                    return TableError::Encoding {
                        file: file.to_string(),
                        bad: bad.clone(),
                    };
                }
            }
            csv::ErrorKind::Utf8 { pos, err } => {
                return TableError::NotUtf8 {
                    file: file.to_string(),
                    line: pos.as_ref().map_or(1, |p| p.line()),
                    field: err.field() + 1,
                }
            }
            _ => {}
        }
        TableError::Csv {
            file: file.to_string(),
            line: e.position().map_or(1, |p| p.line()),
            message: e.to_string(),
        }
    }
}

/// Opens `input` (named `file` in messages): detects its encoding, skips blank lines before the
/// header, and uses `delimiter` or, when `None`, the one the header line uses most.
pub fn open<R: Read>(file: &str, input: R, delimiter: Option<u8>) -> Result<Stream<R>, TableError> {
    let read_error = |source: io::Error| {
        if let Some(reason) = not_a_table(&source) {
            return TableError::NotATable {
                file: file.to_string(),
                reason: reason.clone(),
            };
        }
        match bad_bytes(&source) {
            Some(bad) => TableError::Encoding {
                file: file.to_string(),
                bad: bad.clone(),
            },
            None => TableError::Read {
                file: file.to_string(),
                source,
            },
        }
    };
    let (encoding, decoded) = decode_reader(input).map_err(read_error)?;
    let mut rest = BufReader::new(decoded);
    // The header line (after any empty lines, which the CSV reader skips too), kept whole so
    // that it can be read again by the CSV reader.
    let mut first = Vec::new();
    let header_line = loop {
        let start = first.len();
        if rest.read_until(b'\n', &mut first).map_err(read_error)? == 0 {
            return Err(TableError::Empty {
                file: file.to_string(),
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
        return Err(TableError::Empty {
            file: file.to_string(),
        });
    }
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&first[header_line..]));
    let header_line = first[..header_line].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(Cursor::new(first).chain(LineEnds::new(rest)));
    Ok(Stream {
        encoding,
        header_line,
        delimiter,
        reader,
    })
}

/// The 1-based line on which `rec`, the record `reader` has just read, starts.
fn record_line<R: Read>(reader: &csv::Reader<R>, rec: &csv::StringRecord) -> u64 {
    // The reader stands at the start of the line after the record's closing `\n`.
    let newlines = rec.as_slice().bytes().filter(|&b| b == b'\n').count() as u64;
    reader.position().line().saturating_sub(newlines + 1)
}

/// A table read whole: its encoding, delimiter, header (trimmed) and data rows. Rows whose
/// fields are all blank are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub encoding: Encoding,
    pub delimiter: u8,
    /// The header line's number (1 unless blank lines come first).
    pub header_line: usize,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// The language the table is written in (Chinese when a header or cell holds a CJK
    /// character): the words of the messages about it.
    pub fn lang(&self) -> crate::input::diagnostic::Lang {
        use crate::input::diagnostic::Lang;
        let chinese = |cell: &String| Lang::of_text(cell) == Lang::Zh;
        if self.header.iter().any(chinese) || self.rows.iter().any(|(_, r)| r.iter().any(chinese)) {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// Reads the CSV at `path`.
pub fn read(path: &Path) -> Result<Table, TableError> {
    let file = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|source| TableError::Read {
        file: file.clone(),
        source,
    })?;
    parse(&file, f)
}

/// Reads a CSV from `input`, named `file` in messages.
pub fn parse<R: Read>(file: &str, input: R) -> Result<Table, TableError> {
    let mut s = open(file, input, None)?;
    let header_line = s.header_line as usize;
    let header = s
        .headers(file)?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    while s
        .read_record(&mut rec)
        .map_err(|e| TableError::from_csv(file, &e))?
    {
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = s.record_line(&rec) as usize;
        rows.push((line, rec.iter().map(str::to_string).collect()));
    }
    Ok(Table {
        encoding: s.encoding,
        delimiter: s.delimiter,
        header_line,
        header,
        rows,
    })
}

/// The names a column goes by in the files people bring — rosters, scanner CSVs, marks given by
/// hand, judges' sheets — one list per column, so that a header one reader takes every reader
/// takes. Compared without case (scanner headers also without spaces and punctuation).
pub mod columns {
    /// The candidate's id (a roster and `--manual` also take a bare `id`).
    pub const CANDIDATE: &[&str] = &[
        "candidate",
        "candidateid",
        "准考证号",
        "考号",
        "考生号",
        "学号",
    ];
    /// The candidate's name.
    pub const NAME: &[&str] = &["name", "姓名"];
    /// The candidate's team (支队, unit, group).
    pub const TEAM: &[&str] = &["team", "单位", "组别", "队伍", "支队", "部门"];
    /// The paper code a sheet was written on (A/B卷).
    pub const PAPER: &[&str] = &[
        "paper",
        "卷别",
        "试卷类型",
        "卷型",
        "试卷",
        "试卷代码",
        "ab卷",
    ];
}

/// The one CSV writer: a [`csv::Writer`] whose every cell goes through [`guard`].
pub struct Writer<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> Writer<W> {
    /// A writer with the csv crate's defaults (`,`, `"` quoting, `\n` line ends, rows of one
    /// length).
    pub fn new(out: W) -> Self {
        Writer::from_builder(&csv::WriterBuilder::new(), out)
    }

    /// A writer configured by `builder` (a line end, rows of any length).
    pub fn from_builder(builder: &csv::WriterBuilder, out: W) -> Self {
        Writer {
            inner: builder.from_writer(out),
        }
    }

    /// Writes one row.
    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.inner
            .write_record(record.into_iter().map(|c| guard(c.as_ref()).into_owned()))
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }

    /// The output, as it stands (some rows may still be buffered).
    pub fn get_ref(&self) -> &W {
        self.inner.get_ref()
    }

    /// The output, flushed.
    pub fn into_inner(self) -> io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

/// Whether a spreadsheet would take `cell` as a formula: it starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return and is more than that one character. A plain number (`-3`, `+0.5`)
/// is not guarded: spreadsheets read it as the number it is.
fn formula_like(cell: &str) -> bool {
    let mut chars = cell.chars();
    matches!(chars.next(), Some('=' | '+' | '-' | '@' | '\t' | '\r')) && chars.next().is_some()
}

fn is_number(cell: &str) -> bool {
    cell.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && cell.bytes().any(|b| b.is_ascii_digit())
        && cell.parse::<f64>().is_ok()
}

/// Whether `cell` is guarded: one or more `'`, then what [`formula_like`] describes.
fn guarded(cell: &str) -> bool {
    cell.starts_with('\'') && formula_like(cell.trim_start_matches('\''))
}

/// A cell as written to a CSV: with a `'` before it when a spreadsheet would run it as a
/// formula (`=HYPERLINK(…)` → `'=HYPERLINK(…)`), or when it already looks guarded (so that
/// [`unguard`] gives every cell back exactly).
pub fn guard(cell: &str) -> Cow<'_, str> {
    if (formula_like(cell) && !is_number(cell)) || guarded(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A record as read from a CSV, every cell unguarded: the one way each reader of a CSV the
/// tool may have written ([`Stream`], [`parse`], the readers of results.csv) gives the cells
/// back as they were. A record with no guarded cell is left as it is (no copy).
pub fn unguard_record(rec: &mut csv::StringRecord) {
    if !rec.iter().any(guarded) {
        return;
    }
    let cells: Vec<String> = rec.iter().map(|c| unguard(c).to_string()).collect();
    let position = rec.position().cloned();
    rec.clear();
    for c in &cells {
        rec.push_field(c);
    }
    rec.set_position(position);
}

/// A cell as read from a CSV: the `'` that [`guard`] added is taken off.
fn unguard(cell: &str) -> &str {
    if guarded(cell) {
        &cell[1..]
    } else {
        cell
    }
}

/// Turns `\r\n` into `\n` and ends the text with a `\n`. The CSV reader accepts any line end,
/// but its record positions lag after a `\r\n` or a blank line; with every record ending in
/// `\n`, a record's line is found from where the reader stands after it ([`record_line`]).
pub struct LineEnds<R> {
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
pub fn sniff_delimiter(line: &[u8]) -> u8 {
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
        assert_eq!(sniff_delimiter(b"\"x,y,z\"\t\"p,q\"\tr\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a\tb\tc,d\n"), b'\t');
        assert_eq!(sniff_delimiter(b"alone\n"), b',');
    }

    fn table(bytes: &[u8]) -> Result<Table, TableError> {
        parse("t.csv", bytes)
    }

    #[test]
    fn a_quoted_comma_is_a_character_not_a_delimiter() {
        let t = table(b"\"id\",\"name\";\"team\"\r\n1,\"Li, Wei\";\"A;B\"\r\n").unwrap();
        // Header: one `;` and one `,` outside quotes: comma wins the tie.
        assert_eq!(t.delimiter, b',');
        let t =
            table("准考证号,姓名,单位\n001,\"张三,李四\",\"环保局, 一科\"\n".as_bytes()).unwrap();
        assert_eq!(t.header, ["准考证号", "姓名", "单位"]);
        assert_eq!(
            t.rows,
            [(
                2,
                vec!["001".into(), "张三,李四".into(), "环保局, 一科".into()]
            )]
        );
    }

    #[test]
    fn rows_are_numbered_as_the_file_lines_are() {
        // CRLF line ends, a blank line, a quoted line break.
        let t = table(b"id,name\r\n1,a\r\n\r\n2,\"b\r\nc\"\r\n3,d\r\n").unwrap();
        let lines: Vec<usize> = t.rows.iter().map(|r| r.0).collect();
        assert_eq!(lines, [2, 4, 6]);
        assert_eq!(t.header_line, 1);
        let t = table(b"\n\nid\n7\n").unwrap();
        assert_eq!((t.header_line, t.rows[0].0), (3, 4));
    }

    #[test]
    fn every_encoding_gives_the_same_table() {
        let text = "准考证号,姓名\r\n001,张三\r\n002,\"李,四\"\r\n";
        let want = table(text.as_bytes()).unwrap();
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        for (bytes, enc) in [
            (gb.into_owned(), Encoding::Gb18030),
            (le, Encoding::Utf16Le),
            (be, Encoding::Utf16Be),
            (bom, Encoding::Utf8Bom),
        ] {
            let t = table(&bytes).unwrap();
            assert_eq!(t.encoding, enc);
            assert_eq!((&t.header, &t.rows), (&want.header, &want.rows), "{enc}");
        }
    }

    #[test]
    fn a_bad_byte_is_named_by_line_and_column() {
        let (gb, _, _) = encoding_rs::GB18030.encode("考号,姓名\n001,张三\n002,李");
        let mut bytes = gb.into_owned();
        bytes.extend_from_slice(&[0xFF, b'\n']);
        let e = table(&bytes).unwrap_err();
        assert_eq!(e.to_string(), "t.csv:3:6: byte 0xFF is not valid GB18030");
        assert!(e.hint().unwrap().contains("GB18030"));
        // Invalid UTF-8 in a UTF-8 file: the CSV reader names the line and field.
        let mut bytes = "id,name\n1,张三\n".repeat(5000).into_bytes();
        bytes.extend_from_slice(b"2,\xFF\n");
        let e = table(&bytes).unwrap_err();
        assert_eq!(e.to_string(), "t.csv:10001: field 2 is not valid UTF-8");
        assert!(e.hint().unwrap().contains("CSV UTF-8"));
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_written_as_text_and_read_back_as_they_were() {
        let cells = [
            "=HYPERLINK(\"http://x\",\"点击\")",
            "+1+2",
            "-1+2",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "'=1",
            "''+x",
            "'plain",
            "-3",
            "+0.5",
            "-",
            "=",
            "张三",
            "",
            "a=b",
        ];
        let mut w = Writer::new(Vec::new());
        w.write_record(["id", "cell"]).unwrap();
        for (i, c) in cells.iter().enumerate() {
            w.write_record([i.to_string().as_str(), c]).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        // What Excel sees: nothing that starts a formula, numbers as numbers.
        assert!(text.contains("\n0,\"'=HYPERLINK("), "{text}");
        assert!(text.contains("\n1,'+1+2\n"), "{text}");
        assert!(text.contains("\n3,'@SUM(A1)\n"), "{text}");
        assert!(text.contains("\n6,''=1\n"), "{text}");
        assert!(text.contains("\n8,'plain\n"), "{text}");
        assert!(text.contains("\n9,-3\n"), "{text}");
        assert!(text.contains("\n11,-\n"), "{text}");
        for line in text.lines() {
            let cell = line.split_once(',').map_or("", |(_, c)| c);
            let cell = cell.trim_start_matches('"');
            assert!(
                !formula_like(cell) || is_number(cell),
                "a formula reaches the sheet: {line:?}"
            );
        }
        let t = table(&bytes).unwrap();
        let back: Vec<&str> = t.rows.iter().map(|r| r.1[1].as_str()).collect();
        assert_eq!(back, cells);
        // Streamed (scanner CSVs, grade's inputs), the same cells come back.
        let mut s = open("t.csv", bytes.as_slice(), None).unwrap();
        assert_eq!(
            s.headers("t.csv").unwrap().iter().collect::<Vec<_>>(),
            ["id", "cell"]
        );
        let mut rec = csv::StringRecord::new();
        let mut streamed = Vec::new();
        while s.read_record(&mut rec).unwrap() {
            streamed.push(rec[1].to_string());
        }
        assert_eq!(streamed, cells);
    }

    proptest::proptest! {
        #[test]
        fn every_cell_comes_back_and_none_reads_as_a_formula(cell in "['=+@\t\r-]{0,3}[-=a1.e张 ]{0,4}") {
            let written = guard(&cell);
            proptest::prop_assert_eq!(unguard(&written), cell.as_str());
            proptest::prop_assert!(!formula_like(&written) || is_number(&written));
        }
    }

    #[test]
    fn an_empty_file_is_an_error() {
        assert!(matches!(table(b""), Err(TableError::Empty { .. })));
        assert!(matches!(table(b"\n \n"), Err(TableError::Empty { .. })));
    }

    fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        for (name, rows) in sheets {
            let ws = book.add_worksheet();
            ws.set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    match cell.parse::<f64>() {
                        Ok(n) => ws.write_number(r as u32, c as u16, n).unwrap(),
                        Err(_) if cell.is_empty() => ws,
                        Err(_) => ws.write_string(r as u32, c as u16, *cell).unwrap(),
                    };
                }
            }
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn a_workbook_is_read_with_rows_numbered_as_the_sheet_numbers_them() {
        let bytes = workbook(&[
            (
                "评分",
                &[
                    &["参赛者", "评委", "得分"],
                    &["一支队", "评委1", "35"],
                    &["", "", ""],
                    &["二支队", "评委1", "27.5"],
                ],
            ),
            ("空白", &[]),
        ]);
        let t = table(&bytes).unwrap();
        assert_eq!(t.encoding, Encoding::Workbook);
        assert_eq!(t.header, ["参赛者", "评委", "得分"]);
        assert_eq!(
            t.rows,
            [
                (2, vec!["一支队".into(), "评委1".into(), "35".into()]),
                (4, vec!["二支队".into(), "评委1".into(), "27.5".into()]),
            ]
        );
        // Two sheets with data: which one is meant is not guessed.
        let two = workbook(&[("评委1", &[&["a"], &["1"]]), ("评委2", &[&["a"], &["2"]])]);
        let e = table(&two).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: the workbook has data on 2 sheets (评委1, 评委2); which one is meant is not guessed"
        );
    }

    #[test]
    fn another_binary_file_is_refused_by_name() {
        let e = table(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n").unwrap_err();
        assert_eq!(e.to_string(), "t.csv: the file is a PDF file, not a table");
        assert!(e.hint().unwrap().contains("CSV UTF-8"));
        let e = table(b"id\x00\x01\x02").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv: the file is a binary file, not a table"
        );
    }
}
