//! Question banks from the formats trainers keep them in: Excel workbooks and their CSV exports,
//! pasted text, Moodle GIFT and Moodle XML. Pure over bytes: each format yields drafts, one
//! shared normaliser checks them into questions, and every problem names its row or line.

mod bank_writer;
mod csv;
mod gift;
pub(crate) mod moodle;
pub mod normalise;
mod table;
mod text;
mod xlsx;

pub use bank_writer::{BankWriter, Written};
pub use gift::category_tag;

use crate::bank::Question;
use crate::input::diagnostic::{Diagnostic, Lang, Location};
use normalise::{parse_difficulty, Draft, Field};
use std::collections::HashMap;

/// The source formats `bank import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
    Text,
    Gift,
    MoodleXml,
}

impl Format {
    /// The format of a file, from its extension and then its content; pasted text otherwise.
    pub fn detect(extension: Option<&str>, bytes: &[u8]) -> Format {
        match extension.map(str::to_ascii_lowercase).as_deref() {
            Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods") => return Format::Xlsx,
            Some("csv" | "tsv") => return Format::Csv,
            Some("gift") => return Format::Gift,
            Some("xml") => return Format::MoodleXml,
            _ => {}
        }
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Format::Xlsx;
        }
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Format::Csv;
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
        let head = head.trim_start_matches('\u{feff}').trim_start();
        if head.starts_with("<?xml") || head.starts_with("<quiz") {
            return Format::MoodleXml;
        }
        if head.contains("::") && head.contains('{') || head.contains("$CATEGORY:") {
            return Format::Gift;
        }
        if head
            .lines()
            .next()
            .is_some_and(|l| l.contains("题干") && l.contains(','))
        {
            return Format::Csv;
        }
        Format::Text
    }
}

/// How to name what is imported.
#[derive(Debug, Clone)]
pub struct Options {
    /// The id prefix: ids are `{prefix}-{row}` or `{prefix}-{question name}`.
    pub prefix: String,
    /// Only this workbook sheet.
    pub sheet: Option<String>,
}

/// What one file gave: its good questions, and every diagnostic (errors name rejected rows).
#[derive(Debug, Default)]
pub struct Imported {
    pub questions: Vec<Question>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where each rejected question starts.
    pub rejected: Vec<Location>,
    /// The file's language: its messages are told in it.
    pub lang: Lang,
}

/// Imports one file's bytes in `format`; `file` is the name diagnostics show.
pub fn import(format: Format, file: &str, bytes: &[u8], opts: &Options) -> Imported {
    let mut questions = Vec::new();
    let report = import_each(format, file, bytes, opts, |q| questions.push(q));
    Imported {
        questions,
        ..report
    }
}

/// Imports one file read from `input`, handing each good question to `each` as soon as it is
/// checked. GIFT, Moodle XML and CSV are read question by question (memory does not grow with
/// the file); a workbook is read row by row from calamine's cells, pasted text whole, their
/// questions still handed on one by one. A GIFT or XML question its reader refuses (a broken
/// byte in it) is counted as rejected, the others read on; a CSV that cannot be read on (a
/// broken byte, an unclosed quote) ends at that line, its rows before it read. The [`Imported`] returned holds the diagnostics (the reader's, then the checks') and
/// the rejected questions' places; its `questions` stay empty.
pub fn import_each(
    format: Format,
    file: &str,
    mut input: impl std::io::Read,
    opts: &Options,
    each: impl FnMut(Question),
) -> Imported {
    let mut diags = Vec::new();
    let mut checker = Checker {
        seen: HashMap::new(),
        places: Places::default(),
        rejected: Vec::new(),
        cjk: false,
        each,
    };
    // Whether a header or a cell of a table, or the text of a pasted file, holds a CJK
    // character; with a Chinese stem (the checker's), the file is Chinese.
    let mut cjk = false;
    let mut look = |cells: &[String]| {
        if !cjk {
            cjk = cells.iter().any(|c| Lang::of_text(c) == Lang::Zh);
        }
    };
    // What the checks find follows what the reader found, as when the file was read whole.
    let mut checked = Vec::new();
    match format {
        Format::Csv => match crate::input::table::open(file, input, None) {
            Ok(mut stream) => {
                let lossy = stream.encoding == crate::input::encoding::Encoding::Gb18030;
                let mut sheet = table::Sheet::new(file, &opts.prefix, None, lossy);
                let mut take = |d| checker.take(d, &mut checked);
                let mut failed = None;
                match stream.headers(file) {
                    Ok(header) => {
                        let header: Vec<String> =
                            header.iter().map(|h| h.trim().to_string()).collect();
                        look(&header);
                        sheet.row(stream.header_line as usize, &header, &mut diags, &mut take);
                        let mut rec = ::csv::StringRecord::new();
                        let mut raw = ::csv::ByteRecord::new();
                        let mut cells = Vec::new();
                        loop {
                            let broken = match stream.read_record_lossy(&mut rec, &mut raw) {
                                Ok(Some(broken)) => broken,
                                Ok(None) => break,
                                Err(e) => {
                                    failed =
                                        Some(crate::input::table::TableError::from_csv(file, &e));
                                    break;
                                }
                            };
                            if broken.is_none() && rec.iter().all(|f| f.trim().is_empty()) {
                                continue;
                            }
                            let line = stream.record_line(&rec) as usize;
                            cells.clear();
                            cells.extend(rec.iter().map(str::to_string));
                            look(&cells);
                            match broken {
                                None => sheet.row(line, &cells, &mut diags, &mut take),
                                Some(field) => {
                                    // The row's question is refused; the rows after it are read.
                                    let e = crate::input::table::TableError::NotUtf8 {
                                        file: file.to_string(),
                                        line: line as u64,
                                        field,
                                    };
                                    diags.push(csv::table_diagnostic(file, &e));
                                    sheet.broken_row(line, &cells, &mut diags, &mut take);
                                }
                            }
                        }
                    }
                    Err(e) => failed = Some(e),
                }
                sheet.finish(&mut diags, &mut take);
                if let Some(e) = failed {
                    let mut d = csv::table_diagnostic(file, &e);
                    // The reader cannot go on past this byte: say what is not imported.
                    if let Some(at) = &d.location {
                        let rest = format!("the rows from line {} on are not read", at.line);
                        d.hint = Some(match d.hint.take() {
                            Some(h) => format!("{h}; {rest}"),
                            None => rest,
                        });
                        if let Some(zh) = &mut d.zh {
                            let rest = format!("从第 {} 行起的各行没有读入", at.line);
                            zh.hint = Some(match zh.hint.take() {
                                Some(h) => format!("{h}；{rest}"),
                                None => rest,
                            });
                        }
                    }
                    diags.push(d);
                }
            }
            Err(e) => diags.push(csv::table_diagnostic(file, &e)),
        },
        Format::Xlsx => {
            let mut bytes = Vec::new();
            if let Err(e) = input.read_to_end(&mut bytes) {
                diags.push(Diagnostic::error(None, format!("{file}: cannot read: {e}")));
            } else {
                match xlsx::read(file, bytes, opts.sheet.as_deref()) {
                    Ok(sheets) => {
                        let many = sheets.len() > 1;
                        let mut take = |d| checker.take(d, &mut checked);
                        for (name, range) in &sheets {
                            let shown = format!("{file}[{name}]");
                            let base = if many {
                                let sheet = shown
                                    .rsplit_once('[')
                                    .map_or("", |(_, s)| s.trim_end_matches(']'));
                                format!("{}-{}", opts.prefix, slug(sheet))
                            } else {
                                opts.prefix.clone()
                            };
                            let kind = normalise::parse_kind(name).map(|_| name.clone());
                            let mut sheet = table::Sheet::new(&shown, &base, kind, false);
                            xlsx::rows(range, |line, cells| {
                                look(cells);
                                sheet.row(line, cells, &mut diags, &mut take)
                            });
                            sheet.finish(&mut diags, &mut take);
                        }
                    }
                    Err(d) => diags.push(d),
                }
            }
        }
        Format::Text => match decode_text(file, input) {
            Ok(text) => {
                look(std::slice::from_ref(&text));
                for d in text::drafts(file, &text, &opts.prefix, &mut diags) {
                    checker.take(d, &mut checked);
                }
            }
            Err(d) => diags.push(d),
        },
        Format::Gift | Format::MoodleXml => match crate::input::encoding::decode_reader(input) {
            Ok((_, decoded)) => {
                let decoded = std::io::BufReader::new(decoded);
                let mut take = |d: Result<Draft, Location>, _: &mut Vec<Diagnostic>| match d {
                    Ok(d) => checker.take(d, &mut checked),
                    Err(at) => checker.rejected.push(at),
                };
                if format == Format::Gift {
                    gift::read(file, decoded, &opts.prefix, &mut diags, &mut take);
                } else {
                    moodle::read(file, decoded, &opts.prefix, &mut diags, &mut take);
                }
            }
            Err(e) => diags.push(decode_failed(file, &e)),
        },
    }
    diags.extend(checked);
    let lang = if cjk || checker.cjk {
        Lang::Zh
    } else {
        Lang::En
    };
    Imported {
        questions: Vec::new(),
        diagnostics: diags.into_iter().map(|d| d.in_language(lang)).collect(),
        rejected: checker.rejected,
        lang,
    }
}

/// Where questions start, kept compactly for a bank of any size: a [`Pos`] per question (the
/// file as an index into the few names seen, its line and column) instead of a [`Location`]
/// with its own copy of the file name.
#[derive(Debug, Default)]
pub struct Places {
    files: Vec<String>,
}

/// A place remembered by [`Places`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    file: u32,
    line: u32,
    col: u32,
}

impl Places {
    /// The compact form of `loc`.
    pub fn pos(&mut self, loc: &Location) -> Pos {
        // Few names (a file, a workbook's sheets), most often the last one.
        let file = match self.files.iter().rposition(|f| *f == loc.file) {
            Some(i) => i,
            None => {
                self.files.push(loc.file.clone());
                self.files.len() - 1
            }
        };
        let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Pos {
            file: n(file),
            line: n(loc.line),
            col: n(loc.col),
        }
    }

    /// The place `pos` stands for.
    pub fn location(&self, pos: Pos) -> Location {
        Location {
            file: self.files[pos.file as usize].clone(),
            line: pos.line as usize,
            col: pos.col as usize,
        }
    }
}

/// Checks drafts one by one into questions: names used twice renamed (as Moodle allows them),
/// ids used twice refused.
struct Checker<F> {
    /// Each id taken so far, and where.
    seen: HashMap<String, Pos>,
    places: Places,
    rejected: Vec<Location>,
    /// Whether a question's stem holds a CJK character (the file is then Chinese).
    cjk: bool,
    each: F,
}

impl<F: FnMut(Question)> Checker<F> {
    fn take(&mut self, mut d: Draft, diags: &mut Vec<Diagnostic>) {
        if !self.cjk {
            self.cjk = Lang::of_text(&d.stem.text) == Lang::Zh;
        }
        let seen = &mut self.seen;
        let loc = d.loc.clone();
        if d.rename_on_clash && seen.contains_key(&d.id) {
            let first = self.places.location(seen[&d.id]);
            let renamed = (2..)
                .map(|n| format!("{}-{n}", d.id))
                .find(|c| !seen.contains_key(c))
                .expect("a free id");
            diags.push(
                Diagnostic::warning(
                    Some(loc.clone()),
                    format!(
                        "the name `{}` is used before (at {first}); this question is imported as `{renamed}`",
                        d.id
                    ),
                )
                .with_hint("Moodle allows repeated names; give the questions their own names to choose the ids")
                .zh(
                    format!("名称 `{}` 前面用过（在 {first}）；这道题以 `{renamed}` 导入", d.id),
                    "Moodle 允许重名；要自己定 id，请给各题起不同的名称",
                ),
            );
            d.id = renamed;
        }
        let id = d.id.clone();
        match normalise::build(d) {
            Ok(q) => {
                if let Some(&first) = seen.get(&q.id) {
                    diags.push(
                        Diagnostic::error(
                            Some(loc.clone()),
                            format!(
                                "duplicate question id `{id}` (first at {})",
                                self.places.location(first)
                            ),
                        )
                        .with_hint("give each question its own 编号/id or name")
                        .zh(
                            format!(
                                "题目编号 `{id}` 重复（第一次在 {}）",
                                self.places.location(first)
                            ),
                            "每道题用各自的编号",
                        ),
                    );
                    self.rejected.push(loc);
                    return;
                }
                seen.insert(q.id.clone(), self.places.pos(&loc));
                (self.each)(q);
            }
            Err(errs) => {
                diags.extend(errs);
                self.rejected.push(loc);
            }
        }
    }
}

/// A text file that cannot be decoded, named at the bad byte's line and column when known.
fn decode_failed(file: &str, e: &std::io::Error) -> Diagnostic {
    match crate::input::encoding::bad_bytes(e) {
        Some(bad) => Diagnostic::error(
            Some(Location {
                file: file.to_string(),
                line: bad.line,
                col: bad.col,
            }),
            bad.to_string(),
        )
        .with_hint("fix or retype that character, or save the file again as UTF-8"),
        None => Diagnostic::error(None, format!("{file}: cannot decode: {e}"))
            .with_hint("save the file as UTF-8"),
    }
}

/// Text files may come as UTF-8 (with or without BOM), UTF-16 or GB18030; a byte invalid in
/// the file's encoding is refused at its line and column.
fn decode_text(file: &str, input: impl std::io::Read) -> Result<String, Diagnostic> {
    use std::io::Read;
    let (_, mut r) =
        crate::input::encoding::decode_reader(input).map_err(|e| decode_failed(file, &e))?;
    let mut s = String::new();
    r.read_to_string(&mut s)
        .map_err(|e| decode_failed(file, &e))?;
    Ok(s)
}

/// Splits a grader's information as [`crate::bank::export`] writes it: the reference, then the
/// rubric lines after a heading of [`crate::bank::export::RUBRIC_LABELS`]; and, from files of
/// earlier versions, an explanation after `解析：`.
pub fn split_reference(text: &str) -> (String, Vec<String>, String) {
    let (body, explanation) = text.split_once("\n解析：").unwrap_or((text, ""));
    let heading = crate::bank::export::RUBRIC_LABELS
        .iter()
        .filter_map(|(_, label)| {
            body.find(&format!("\n{label}"))
                .map(|i| (i, label.len() + 1))
        })
        .min();
    let (reference, rubric) = match heading {
        Some((i, len)) => (
            &body[..i],
            body[i + len..]
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        None => (body, Vec::new()),
    };
    (
        reference.trim().to_string(),
        rubric,
        explanation.trim().to_string(),
    )
}

/// A name made safe for an id: whitespace and separators become `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_whitespace()
            || matches!(
                c,
                '/' | '\\' | ':' | '"' | '\'' | ',' | '，' | '(' | ')' | '[' | ']'
            )
        {
            if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Tags as GIFT and Moodle XML carry them: `难度:N` sets the difficulty, `出处:…` the source,
/// the rest stay tags. [`crate::bank::export`] writes them the same way.
pub fn apply_meta_tags(d: &mut Draft, tags: &[String]) {
    for t in tags {
        if let Some(v) = t.strip_prefix("难度:") {
            if parse_difficulty(v).is_some() {
                d.difficulty = Some(Field::new(v, d.loc.clone()));
                continue;
            }
        }
        if let Some(v) = t.strip_prefix("出处:") {
            d.source = v.to_string();
            continue;
        }
        if let Some(v) = t.strip_prefix("分值:") {
            d.points = Some(Field::new(v, d.loc.clone()));
            continue;
        }
        d.tags.push(t.clone());
    }
}

/// HTML (or Markdown) to the text a reader sees: tags dropped, `<br>`/`</p>` as line breaks,
/// every HTML entity decoded (named, `&#27700;`, `&#x6C34;`), Markdown `**strong**` markers
/// dropped.
pub fn markup_to_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        if rest[i..].starts_with("<!--") {
            // A comment, whatever it holds, is not shown.
            rest = rest[i..].find("-->").map_or("", |j| &rest[i + j + 3..]);
            continue;
        }
        match rest[i..].find('>') {
            Some(j) => {
                let tag = rest[i + 1..i + j].trim().to_ascii_lowercase();
                if tag.starts_with("br") || tag == "/p" || tag == "/div" {
                    out.push('\n');
                }
                rest = &rest[i + j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let out = html_escape::decode_html_entities(&out).replace('\u{a0}', " ");
    let out = strip_strong(&out);
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// Drops the `**` of Markdown's `**strong**`: a pair on one line, not touching a Latin letter
/// or digit on its outer sides (Chinese has no spaces between words, so `按**时**申报` is
/// strong). Any other `**` is text (`2**3`, `a ** b`) and stays.
fn strip_strong(s: &str) -> String {
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '*');
    let mut out = String::with_capacity(s.len());
    for (n, line) in s.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let mut rest = line;
        while let Some(open) = rest.find("**") {
            let before = rest[..open].chars().next_back();
            let inner = &rest[open + 2..];
            let opens = boundary(before)
                && inner
                    .chars()
                    .next()
                    .is_some_and(|c| !c.is_whitespace() && c != '*');
            let close = inner.match_indices("**").map(|(i, _)| i).find(|&i| {
                i > 0
                    && !inner[..i].ends_with(char::is_whitespace)
                    && boundary(inner[i + 2..].chars().next())
            });
            match (opens, close) {
                (true, Some(close)) => {
                    out.push_str(&rest[..open]);
                    out.push_str(&inner[..close]);
                    rest = &inner[close + 2..];
                }
                _ => {
                    out.push_str(&rest[..open + 2]);
                    rest = inner;
                }
            }
        }
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::markup_to_text;

    #[test]
    fn every_named_entity_decodes() {
        assert_eq!(
            markup_to_text("caf&eacute; &amp; cr&egrave;me"),
            "café & crème"
        );
        assert_eq!(
            markup_to_text("&lt;b&gt; &times; &mdash; &hellip;"),
            "<b> × — …"
        );
        assert_eq!(markup_to_text("&#27700;&#x6C34;&nbsp;x"), "水水 x");
        assert_eq!(markup_to_text("&unknown; &"), "&unknown; &");
        assert_eq!(
            markup_to_text("see <!--<var>LE1</var>-->the law"),
            "see the law"
        );
    }

    #[test]
    fn stars_that_are_not_strong_markers_stay() {
        assert_eq!(markup_to_text("2**3 = 8"), "2**3 = 8");
        assert_eq!(markup_to_text("2**3 and 4**5"), "2**3 and 4**5");
        assert_eq!(markup_to_text("a ** b"), "a ** b");
        assert_eq!(markup_to_text("**重点**：按时申报"), "重点：按时申报");
        assert_eq!(markup_to_text("应当按**时**申报"), "应当按时申报");
        assert_eq!(
            markup_to_text("the **key** word, **2**3**"),
            "the key word, 2**3"
        );
    }
}
