//! Which text encoding a CSV or text input uses (UTF-8, UTF-8 with BOM, UTF-16 LE/BE, GB18030),
//! and a reader that turns it into UTF-8 as it streams, refusing any byte invalid in it.

use std::fmt;
use std::io::{self, Chain, Cursor, Read};

/// How many bytes are looked at before deciding between UTF-8 and GB18030.
const SNIFF_LEN: usize = 64 * 1024;

/// The encodings scanner CSVs arrive in (Excel "CSV UTF-8", "Unicode text", ANSI on Chinese Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Gb18030,
    /// An Excel workbook, its sheet read as CSV text.
    Workbook,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Gb18030 => "GB18030",
            Encoding::Workbook => "Excel workbook",
        })
    }
}

impl Encoding {
    fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom | Encoding::Workbook => encoding_rs::UTF_8,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Gb18030 => encoding_rs::GB18030,
        }
    }
}

/// A byte stream decoded to UTF-8. A byte sequence that is invalid in the detected encoding is
/// never replaced: reading stops with an [`io::Error`] of kind `InvalidData` whose payload is a
/// [`BadBytes`] naming its line and column (see [`bad_bytes`]). UTF-8 input passes through
/// untouched (the CSV reader validates it and names the field), which keeps the common case fast.
pub struct Decoded<R: Read> {
    inner: Inner<R>,
}

/// The sniffed prefix followed by the rest of the input.
type Source<R> = Chain<Cursor<Vec<u8>>, R>;

enum Inner<R: Read> {
    Plain(Source<R>),
    Decoding(Box<Strict<Source<R>>>),
    /// A workbook's sheet, converted whole.
    Converted(Cursor<Vec<u8>>),
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Plain(r) => r.read(buf),
            Inner::Decoding(r) => r.read(buf),
            Inner::Converted(r) => r.read(buf),
        }
    }
}

/// Bytes that are not valid in the file's encoding, at the place they would have been read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {col}: {}", self.what())]
pub struct BadBytes {
    /// 1-based line of the decoded text (the header line is line 1).
    pub line: usize,
    /// 1-based character column within that line.
    pub col: usize,
    /// The offending bytes (empty when they lay in an earlier read).
    pub bytes: Vec<u8>,
    pub encoding: Encoding,
}

impl BadBytes {
    /// What is wrong, without the place: "byte 0x80 is not valid GB18030".
    pub fn what(&self) -> String {
        let bytes = match self.bytes.as_slice() {
            [] => "a byte sequence is".to_string(),
            [b] => format!("byte 0x{b:02X} is"),
            many => {
                let hex: Vec<String> = many.iter().map(|b| format!("0x{b:02X}")).collect();
                format!("bytes {} are", hex.join(" "))
            }
        };
        format!("{bytes} not valid {}", self.encoding)
    }

    /// [`BadBytes::what`] in Chinese.
    pub fn what_zh(&self) -> String {
        let hex: Vec<String> = self.bytes.iter().map(|b| format!("0x{b:02X}")).collect();
        match hex.as_slice() {
            [] => format!("这里有一段不是有效 {} 编码的字节", self.encoding),
            _ => format!("字节 {} 不是有效的 {} 编码", hex.join(" "), self.encoding),
        }
    }
}

/// The [`BadBytes`] an error from a [`Decoded`] reader carries, if that is why it failed.
pub fn bad_bytes(e: &io::Error) -> Option<&BadBytes> {
    e.get_ref()?.downcast_ref::<BadBytes>()
}

/// The [`NotATable`](super::workbook::NotATable) an error from [`decode_reader`] carries: the
/// input is a binary file, or a workbook that cannot be read as one table.
pub fn not_a_table(e: &io::Error) -> Option<&super::workbook::NotATable> {
    e.get_ref()?.downcast_ref()
}

/// Decodes a non-UTF-8 stream without replacement, counting lines and columns of its output.
struct Strict<R> {
    inner: R,
    encoding: Encoding,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    finished: bool,
    out: Vec<u8>,
    out_pos: usize,
    line: usize,
    col: usize,
    failed: Option<BadBytes>,
}

const CHUNK: usize = 16 * 1024;

impl<R: Read> Strict<R> {
    fn new(inner: R, encoding: Encoding) -> Self {
        Strict {
            inner,
            encoding,
            decoder: encoding.codec().new_decoder_without_bom_handling(),
            input: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            finished: false,
            out: Vec::with_capacity(CHUNK * 3 + 16),
            out_pos: 0,
            line: 1,
            col: 1,
            failed: None,
        }
    }

    /// Decodes the next chunk into `out`; false at the end of the input.
    fn refill(&mut self) -> io::Result<bool> {
        loop {
            if let Some(bad) = self.failed.clone() {
                return Err(io::Error::new(io::ErrorKind::InvalidData, bad));
            }
            if self.finished {
                return Ok(false);
            }
            if self.start == self.end && !self.eof {
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        r => break r?,
                    }
                };
                self.start = 0;
                self.end = n;
                self.eof = n == 0;
            }
            self.out.clear();
            self.out.resize(self.out.capacity(), 0);
            self.out_pos = 0;
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.start..self.end],
                &mut self.out,
                self.eof,
            );
            let consumed_to = self.start + read;
            self.start = consumed_to;
            self.out.truncate(written);
            for c in std::str::from_utf8(&self.out).unwrap_or("").chars() {
                if c == '\n' {
                    self.line += 1;
                    self.col = 1;
                } else {
                    self.col += 1;
                }
            }
            match result {
                encoding_rs::DecoderResult::InputEmpty => self.finished = self.eof,
                encoding_rs::DecoderResult::OutputFull => {}
                encoding_rs::DecoderResult::Malformed(bad, extra) => {
                    let bad_end = consumed_to.checked_sub(usize::from(extra));
                    let bytes = bad_end
                        .and_then(|e| {
                            Some(self.input[e.checked_sub(usize::from(bad))?..e].to_vec())
                        })
                        .unwrap_or_default();
                    self.failed = Some(BadBytes {
                        line: self.line,
                        col: self.col,
                        bytes,
                        encoding: self.encoding,
                    });
                }
            }
            if !self.out.is_empty() {
                return Ok(true);
            }
        }
    }
}

impl<R: Read> Read for Strict<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.out_pos == self.out.len() && !self.refill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

/// Detects the encoding of `r` and streams it as UTF-8, without the byte-order mark.
///
/// Detection: a BOM (UTF-8, UTF-16LE, UTF-16BE) decides; otherwise the first 64 KiB are checked as
/// UTF-8 (a character cut by the end of that prefix is fine, and so are a few broken bytes among
/// many valid characters, which are then refused where they are); otherwise GB18030, a superset
/// of GBK and GB2312. Only that prefix is held in memory, so memory does not grow with the input.
/// A UTF-8 file with an invalid byte beyond the prefix stays UTF-8: the CSV reader refuses that
/// byte's field by line and field number.
pub fn decode_reader<R: Read>(mut r: R) -> io::Result<(Encoding, Decoded<R>)> {
    let mut prefix = Vec::with_capacity(SNIFF_LEN);
    let complete = fill(&mut r, &mut prefix, SNIFF_LEN)?;
    let (encoding, bom_len) = sniff(&prefix, complete);
    if bom_len == 0 {
        use super::workbook::{binary_kind, not_text, to_csv};
        match binary_kind(&prefix) {
            Some(true) => {
                r.read_to_end(&mut prefix)?;
                let text =
                    to_csv(prefix).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                let inner = Inner::Converted(Cursor::new(text));
                return Ok((Encoding::Workbook, Decoded { inner }));
            }
            Some(false) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    not_text(&prefix),
                ))
            }
            None => {}
        }
    }
    prefix.drain(..bom_len);
    let source = Cursor::new(prefix).chain(r);
    let inner = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => Inner::Plain(source),
        _ => Inner::Decoding(Box::new(Strict::new(source, encoding))),
    };
    Ok((encoding, Decoded { inner }))
}

/// Reads into `buf` until it holds `limit` bytes or the input ends; returns whether it ended.
fn fill<R: Read>(r: &mut R, buf: &mut Vec<u8>, limit: usize) -> io::Result<bool> {
    let mut taken = r.by_ref().take(limit as u64);
    taken.read_to_end(buf)?;
    Ok(buf.len() < limit)
}

/// The encoding of a file starting with `prefix`, and the length of its BOM.
/// `complete` says whether `prefix` is the whole file.
fn sniff(prefix: &[u8], complete: bool) -> (Encoding, usize) {
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return (Encoding::Utf8Bom, 3);
    }
    if prefix.starts_with(&[0xFF, 0xFE]) {
        return (Encoding::Utf16Le, 2);
    }
    if prefix.starts_with(&[0xFE, 0xFF]) {
        return (Encoding::Utf16Be, 2);
    }
    if mostly_utf8(prefix, complete) {
        (Encoding::Utf8, 0)
    } else {
        (Encoding::Gb18030, 0)
    }
}

/// Whether `prefix` is UTF-8, perhaps with a few broken bytes. One bad byte in a UTF-8 file
/// must not make the whole file GB18030 (its Chinese would all read as other characters): the
/// file is UTF-8 when its valid multi-byte characters far outnumber its invalid sequences, and
/// the CSV reader then names the bad byte's row and column. GBK text is almost never valid UTF-8
/// beyond a character or two by chance.
fn mostly_utf8(prefix: &[u8], complete: bool) -> bool {
    let (mut rest, mut errors, mut wide) = (prefix, 0usize, 0usize);
    loop {
        let (valid, err) = match std::str::from_utf8(rest) {
            Ok(s) => (s, None),
            Err(e) => (
                // Safe: `valid_up_to` is a character boundary.
                std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or(""),
                Some(e),
            ),
        };
        wide += valid.chars().filter(|c| !c.is_ascii()).count();
        let Some(e) = err else { break };
        match e.error_len() {
            Some(n) => {
                errors += 1;
                rest = &rest[e.valid_up_to() + n..];
            }
            // The prefix ends inside a character, which the rest completes (or, at the very
            // end of the file, a character cut short: broken).
            None => {
                errors += usize::from(complete);
                break;
            }
        }
    }
    errors == 0 || wide >= 4 * errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (Encoding, String) {
        let (enc, mut r) = decode_reader(bytes).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (enc, s)
    }

    #[test]
    fn each_encoding_is_recognised_and_decoded() {
        let text = "考号,姓名\n001,张三\n";
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(text.as_bytes()), (Encoding::Utf8, text.to_string()));
        assert_eq!(decode(&bom), (Encoding::Utf8Bom, text.to_string()));
        assert_eq!(decode(&le), (Encoding::Utf16Le, text.to_string()));
        assert_eq!(decode(&be), (Encoding::Utf16Be, text.to_string()));
        assert_eq!(decode(&gb), (Encoding::Gb18030, text.to_string()));
    }

    #[test]
    fn a_character_cut_by_the_sniffed_prefix_is_still_utf8() {
        // 65535 ASCII bytes, then a three-byte character straddling the 64 KiB mark.
        let mut text = "a".repeat(SNIFF_LEN - 1);
        text.push_str("张三\n");
        assert_eq!(decode(text.as_bytes()), (Encoding::Utf8, text.clone()));
    }

    #[test]
    fn a_truncated_character_at_the_very_end_is_not_utf8() {
        let mut bytes = b"id\n".to_vec();
        bytes.extend_from_slice(&"张".as_bytes()[..2]);
        assert_eq!(decode(&bytes).0, Encoding::Gb18030);
    }

    #[test]
    fn a_bad_byte_is_named_with_its_line_and_column_never_replaced() {
        // GB18030 text whose third line holds a lone 0xFF byte (never valid), after five characters.
        let (good, _, _) = encoding_rs::GB18030.encode("考号,姓名\n001,张三\n002,");
        let mut bytes = good.into_owned();
        bytes.extend_from_slice(&[0xC0, 0xEE, 0xFF, b'\n']);
        // A big prefix would hide nothing: the error comes at its place in the stream.
        let (enc, mut r) = decode_reader(&bytes[..]).unwrap();
        assert_eq!(enc, Encoding::Gb18030);
        let mut s = String::new();
        let e = r.read_to_string(&mut s).unwrap_err();
        let bad = bad_bytes(&e).expect("a BadBytes payload");
        assert_eq!((bad.line, bad.col), (3, 6), "{bad}");
        assert_eq!(
            bad.to_string(),
            "line 3, column 6: byte 0xFF is not valid GB18030"
        );

        // UTF-16 with an unpaired surrogate.
        let mut le = vec![0xFF, 0xFE];
        le.extend("id\nx".encode_utf16().flat_map(u16::to_le_bytes));
        le.extend_from_slice(&0xD800u16.to_le_bytes());
        le.extend("y\n".encode_utf16().flat_map(u16::to_le_bytes));
        let (_, mut r) = decode_reader(&le[..]).unwrap();
        let e = r.read_to_string(&mut String::new()).unwrap_err();
        let bad = bad_bytes(&e).unwrap();
        assert_eq!((bad.line, bad.col), (2, 2), "{bad}");
    }

    #[test]
    fn one_broken_byte_leaves_a_utf8_file_utf8() {
        // A UTF-8 file of Chinese text with one stray byte in its third line.
        let mut bytes = "编号,题干\n1,排污单位应当如实申报排放污染物的种类\n2,"
            .as_bytes()
            .to_vec();
        bytes.push(0xB5);
        bytes.extend_from_slice("建设单位应当编制环境影响报告书\n".as_bytes());
        let (enc, mut r) = decode_reader(&bytes[..]).unwrap();
        assert_eq!(enc, Encoding::Utf8);
        // Passed through as it is: the CSV reader refuses the field.
        let mut raw = Vec::new();
        r.read_to_end(&mut raw).unwrap();
        assert_eq!(raw, bytes);
        // GBK text stays GBK, even with a character or two that happen to be valid UTF-8.
        let (gb, _, _) =
            encoding_rs::GB18030.encode("编号,题干\n1,排污单位应当如实申报排放污染物的种类\n");
        assert_eq!(decode(&gb).0, Encoding::Gb18030);
    }

    #[test]
    fn long_inputs_decode_across_chunks() {
        let text = "考号,姓名\n".repeat(20_000);
        let (gb, _, _) = encoding_rs::GB18030.encode(&text);
        assert_eq!(decode(&gb), (Encoding::Gb18030, text));
    }

    #[test]
    fn names_read_as_users_know_them() {
        assert_eq!(Encoding::Utf8.to_string(), "UTF-8");
        assert_eq!(Encoding::Utf8Bom.to_string(), "UTF-8 (BOM)");
        assert_eq!(Encoding::Utf16Le.to_string(), "UTF-16LE");
        assert_eq!(Encoding::Gb18030.to_string(), "GB18030");
    }
}
