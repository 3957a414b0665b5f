//! Which text encoding a scanner CSV uses, and a reader that turns it into UTF-8 as it streams.

use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};
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
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Gb18030 => "GB18030",
        })
    }
}

impl Encoding {
    fn codec(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 | Encoding::Utf8Bom => encoding_rs::UTF_8,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Gb18030 => encoding_rs::GB18030,
        }
    }
}

/// A byte stream decoded to UTF-8; bytes that are invalid in the detected encoding become U+FFFD.
/// UTF-8 input passes through untouched (the CSV reader validates it), which keeps the common case fast.
pub struct Decoded<R: Read> {
    inner: Inner<R>,
}

/// The sniffed prefix followed by the rest of the input.
type Source<R> = Chain<Cursor<Vec<u8>>, R>;

enum Inner<R: Read> {
    Plain(Source<R>),
    Decoding(Box<DecodeReaderBytes<Source<R>, Vec<u8>>>),
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Plain(r) => r.read(buf),
            Inner::Decoding(r) => r.read(buf),
        }
    }
}

/// Detects the encoding of `r` and streams it as UTF-8, without the byte-order mark.
///
/// Detection: a BOM (UTF-8, UTF-16LE, UTF-16BE) decides; otherwise the first 64 KiB are checked as
/// strict UTF-8 (a character cut by the end of that prefix is fine); otherwise GB18030, a superset
/// of GBK and GB2312. Only that prefix is held in memory, so memory does not grow with the input.
/// A UTF-8 file whose first invalid byte lies beyond the prefix keeps U+FFFD in its place.
pub fn decode_reader<R: Read>(mut r: R) -> io::Result<(Encoding, Decoded<R>)> {
    let mut prefix = Vec::with_capacity(SNIFF_LEN);
    let complete = fill(&mut r, &mut prefix, SNIFF_LEN)?;
    let (encoding, bom_len) = sniff(&prefix, complete);
    prefix.drain(..bom_len);
    let source = Cursor::new(prefix).chain(r);
    let inner = match encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => Inner::Plain(source),
        _ => Inner::Decoding(Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding.codec()))
                .bom_sniffing(false)
                .build(source),
        )),
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
    match std::str::from_utf8(prefix) {
        Ok(_) => (Encoding::Utf8, 0),
        // `error_len() == None`: the prefix ends inside a character, which the rest completes.
        Err(e) if e.error_len().is_none() && !complete => (Encoding::Utf8, 0),
        Err(_) => (Encoding::Gb18030, 0),
    }
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
    fn names_read_as_users_know_them() {
        assert_eq!(Encoding::Utf8.to_string(), "UTF-8");
        assert_eq!(Encoding::Utf8Bom.to_string(), "UTF-8 (BOM)");
        assert_eq!(Encoding::Utf16Le.to_string(), "UTF-16LE");
        assert_eq!(Encoding::Gb18030.to_string(), "GB18030");
    }
}
