//! Reads one bank file into the model, reporting every problem with its `file:line:col`.

use super::{count_blanks, Answer, Bank, Kind, Language, Question, TextFormat};
use crate::input::diagnostic::{did_you_mean, Diagnostic, Lang, Location, Zh};
use foldhash::fast::RandomState;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

/// A bank file's text with the name to report it by.
pub struct BankSource<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub sha256: String,
}

const BANK_KEYS: &[&str] = &["id", "title", "language"];
const QUESTION_KEYS: &[&str] = &[
    "id",
    "kind",
    "stem",
    "options",
    "answer",
    "tags",
    "difficulty",
    "points",
    "explanation",
    "source",
    "shuffle",
    "format",
    "scenario",
    "rubric",
    "part",
];
const PART_KEYS: &[&str] = &[
    "kind",
    "stem",
    "options",
    "answer",
    "points",
    "explanation",
    "source",
    "shuffle",
    "format",
    "rubric",
];

/// Parses and validates one bank. Returns the bank (holding the questions that were
/// valid, or `None` when the file is not even TOML) and every diagnostic found.
///
/// A bank is read piece by piece: the file is cut where a top-level `[[question]]` table
/// starts ([`question_starts`]) and each piece is parsed on its own, so that the memory the TOML
/// parser needs is that of a few questions, not of the file (a bank of 3 × 10⁵ questions took
/// 2 GB parsed whole). Locations stay those of the file. A file that does not cut cleanly (a
/// table other than the question's own after the first question, a `question` key before it)
/// is parsed whole, as the pieces would not mean what the file means.
///
/// The file is lexed once: it is first cut at the lines that are exactly `[[question]]`
/// ([`header_lines`]), which is where TOML's lexer cuts a bank as written by `bank import` and
/// by hand, into pieces of [`PIECE`] questions (several `[[question]]` tables in a piece mean
/// what they mean in the file). A line like that inside a multi-line string or array leaves the piece before it
/// unclosed, so such a cut always shows as a syntax error; on any syntax error, or a piece
/// holding more than its questions, the file is read again cut by the lexer, as it was before.
pub fn load_bank(src: &BankSource) -> (Option<Bank>, Vec<Diagnostic>) {
    load(src, Cut::HeaderLines).unwrap_or_else(|| load(src, Cut::Lexed).expect("read"))
}

/// How many questions a piece cut at header lines holds: enough that the parser's work per
/// piece is spread thin, few enough that a piece's parse is small.
const PIECE: usize = 64;

/// How [`load`] cuts a file into pieces.
#[derive(Clone, Copy, PartialEq)]
enum Cut {
    /// At the lines that are exactly `[[question]]`; `None` when that may not be right.
    HeaderLines,
    /// Where TOML's lexer sees a top-level `[[question]]` ([`question_starts`]).
    Lexed,
    /// Not at all (to compare with).
    #[cfg(test)]
    Whole,
}

/// [`load_bank`], cutting the file as `cut` says; `None` only with [`Cut::HeaderLines`], when
/// the file must be cut by the lexer instead.
fn load(src: &BankSource, cut: Cut) -> Option<(Option<Bank>, Vec<Diagnostic>)> {
    let text = src.text;
    let fast = cut == Cut::HeaderLines;
    let mut cx = Cx::new(src.path);
    // The questions' headers, whose number is that of the questions (as a question is one
    // table), then where each piece starts.
    let headers = match cut {
        Cut::HeaderLines => Some(header_lines(text)),
        Cut::Lexed => question_starts(text),
        #[cfg(test)]
        Cut::Whole => None,
    };
    let headers_seen = headers.as_ref().map_or(0, Vec::len);
    let mut starts: Option<Vec<usize>> = match cut {
        Cut::HeaderLines => headers.map(|h| h.into_iter().step_by(PIECE).collect()),
        _ => headers,
    };
    let head_end = starts
        .as_ref()
        .and_then(|s| s.first().copied())
        .unwrap_or(text.len());
    let (mut head, mut head_errors) = DeTable::parse_recoverable(&text[..head_end]);
    if fast && !head_errors.is_empty() {
        return None;
    }
    if head_end < text.len() && head.get_ref().contains_key("question") {
        if fast {
            return None;
        }
        starts = None;
        (head, head_errors) = DeTable::parse_recoverable(text);
    }
    let head_text = if starts.is_some() {
        &text[..head_end]
    } else {
        text
    };
    cx.enter(head_text, 0);
    // Every syntax error, not only the first (of any piece); with one, nothing else is reported.
    let mut syntax: Vec<Diagnostic> = Vec::new();
    cx.syntax_errors(&head_errors, &mut syntax);

    let root_span = head.span();
    let mut bank = Bank {
        id: String::new(),
        title: String::new(),
        language: Language::Zh,
        path: src.path.to_string(),
        sha256: src.sha256.clone(),
        questions: Vec::new(),
    };
    let mut questions_value = None;
    let mut saw_bank = false;
    for (key, value) in head.get_ref().iter() {
        match key.get_ref().as_ref() {
            "bank" => {
                saw_bank = true;
                cx.bank_header(value, &mut bank);
            }
            "question" => questions_value = Some(value),
            other => cx.unknown_key(key.span(), other, "the file", &["bank", "question"]),
        }
    }
    if !saw_bank {
        cx.error(
            root_span.start..root_span.start,
            "missing `[bank]` table",
            Some("start the file with `[bank]` and `id = \"…\"`, `title = \"…\"`, `language = \"zh\"`"),
        );
        cx.zh(
            "缺少 `[bank]` 表",
            "文件开头写 `[bank]`，以及 `id = \"…\"`、`title = \"…\"`、`language = \"zh\"`",
        );
    }
    let mut seen: HashSet<String, RandomState> =
        HashSet::with_capacity_and_hasher(headers_seen, RandomState::default());
    match (&starts, questions_value) {
        (Some(starts), _) if !starts.is_empty() => {
            // One question per header, at most: the list never grows past (or copies) itself.
            bank.questions.reserve_exact(headers_seen);
            let lines = text[..head_end].matches('\n').count();
            read_pieces(src.path, text, starts, lines, fast, |piece| {
                syntax.extend(piece.syntax);
                if !syntax.is_empty() {
                    return;
                }
                cx.cjk |= piece.cjk;
                take(
                    piece.diags,
                    piece.found,
                    src.path,
                    &mut seen,
                    &mut bank,
                    &mut cx.diags,
                );
            })?;
        }
        (_, None) => {
            cx.error(
                root_span.start..root_span.start,
                "the bank holds no `[[question]]`",
                Some("add questions as `[[question]]` tables"),
            );
            cx.zh(
                "题库里没有 `[[question]]`",
                "每道题写成一个 `[[question]]` 表",
            )
        }
        (_, Some(v)) => {
            let mut found = Vec::new();
            cx.questions(v, &mut found);
            let diags = std::mem::take(&mut cx.diags);
            take(diags, found, src.path, &mut seen, &mut bank, &mut cx.diags);
        }
    }
    // The bank's messages are told in Chinese when its title or a stem holds Chinese (or, when
    // the file is not TOML, its text does).
    let lang = if cx.cjk || Lang::of_text(&bank.title) == Lang::Zh {
        Lang::Zh
    } else if !syntax.is_empty() {
        Lang::of_toml(text)
    } else {
        Lang::En
    };
    let told = |diags: Vec<Diagnostic>| diags.into_iter().map(|d| d.in_language(lang)).collect();
    if !syntax.is_empty() {
        return Some((None, told(syntax)));
    }
    Some((Some(bank), told(cx.diags)))
}

/// A question read from a piece: how many of the piece's diagnostics were told before it was
/// done, and where its id is (a duplicate is told there once the questions before it are known).
struct Found {
    q: Question,
    told: usize,
    id_at: (usize, usize),
}

/// What reading one piece found.
struct Piece {
    syntax: Vec<Diagnostic>,
    diags: Vec<Diagnostic>,
    found: Vec<Found>,
    cjk: bool,
}

/// Takes the questions `found` into `bank` in order, the piece's diagnostics into `out` in the
/// order they were told, and an error for each question whose id was taken before it.
fn take(
    diags: Vec<Diagnostic>,
    found: Vec<Found>,
    file: &str,
    seen: &mut HashSet<String, RandomState>,
    bank: &mut Bank,
    out: &mut Vec<Diagnostic>,
) {
    let mut diags = diags.into_iter();
    let mut told = 0;
    for f in found {
        out.extend(diags.by_ref().take(f.told - told));
        told = f.told;
        if seen.insert(f.q.id.clone()) {
            bank.questions.push(f.q);
            continue;
        }
        let (line, col) = f.id_at;
        let at = Location {
            file: file.to_string(),
            line,
            col,
        };
        let mut d = Diagnostic::error(Some(at), format!("duplicate question id `{}`", f.q.id));
        d.hint = Some("every question id must be unique across all banks".into());
        d.zh = Some(Box::new(Zh::new(
            format!("题目编号 `{}` 重复", f.q.id),
            "所有题库里的题目编号都不能重复",
        )));
        out.push(d);
    }
    out.extend(diags);
}

/// How many pieces a reader takes at a time from those left.
const PIECES_AT_ONCE: usize = 4;

/// How many takes of [`PIECES_AT_ONCE`] pieces may be read ahead of the first one not yet
/// handed on: what was read waits for the pieces before it, so this bounds what is held.
const AHEAD: usize = 32;

/// Reads the pieces of `text` that start at `starts` (the first after `lines` lines) on every
/// core, and hands what each found to `each` in the file's order, as soon as the pieces before
/// it are handed on; `None` when `fast` and a piece is not what a cut at header lines takes it
/// for (what was handed on by then is to be thrown away).
fn read_pieces(
    file: &str,
    text: &str,
    starts: &[usize],
    lines: usize,
    fast: bool,
    mut each: impl FnMut(Piece),
) -> Option<()> {
    // Each piece with the lines of the file before it.
    let mut pieces = Vec::with_capacity(starts.len());
    let mut before = lines;
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let piece = &text[start..end];
        pieces.push((piece, before));
        before += piece.bytes().filter(|&b| b == b'\n').count();
    }
    let takes = pieces.len().div_ceil(PIECES_AT_ONCE);
    let wrong = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    // How many takes were handed on, and the readers waiting to be let that far ahead.
    let handed = Mutex::new(0usize);
    let moved = Condvar::new();
    let (send, receive) = std::sync::mpsc::channel::<(usize, Vec<Piece>)>();
    let work = |send: std::sync::mpsc::Sender<(usize, Vec<Piece>)>| loop {
        let at = next.fetch_add(1, Ordering::Relaxed);
        if at >= takes || wrong.load(Ordering::Relaxed) {
            return;
        }
        {
            let mut done = handed.lock().expect("a piece reader panicked");
            while at >= *done + AHEAD && !wrong.load(Ordering::Relaxed) {
                done = moved.wait(done).expect("a piece reader panicked");
            }
        }
        let from = at * PIECES_AT_ONCE;
        let mut read = Vec::with_capacity(PIECES_AT_ONCE);
        for &(piece, before) in &pieces[from..(from + PIECES_AT_ONCE).min(pieces.len())] {
            match read_piece(file, piece, before, fast) {
                Some(p) => read.push(p),
                None => {
                    wrong.store(true, Ordering::Relaxed);
                    // Taken so that no reader is between its look at `wrong` and its wait.
                    drop(handed.lock());
                    moved.notify_all();
                    return;
                }
            }
        }
        if send.send((at, read)).is_err() {
            return;
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let readers = cores.min(takes).max(1);
    let work = &work;
    std::thread::scope(|s| {
        for _ in 0..readers {
            let send = send.clone();
            s.spawn(move || work(send));
        }
        drop(send);
        // Takes read ahead of the next one to hand on.
        let mut early: BTreeMap<usize, Vec<Piece>> = BTreeMap::new();
        let mut due = 0;
        for (at, read) in receive {
            early.insert(at, read);
            while let Some(read) = early.remove(&due) {
                if !wrong.load(Ordering::Relaxed) {
                    read.into_iter().for_each(&mut each);
                }
                due += 1;
                *handed.lock().expect("a piece reader panicked") = due;
                moved.notify_all();
            }
        }
    });
    (!wrong.load(Ordering::Relaxed)).then_some(())
}

/// Reads one piece, which starts a line after `before` lines of the file; `None` when `fast`
/// and it does not parse or holds more than its questions.
fn read_piece(file: &str, piece: &str, before: usize, fast: bool) -> Option<Piece> {
    let mut cx = Cx::new(file);
    cx.enter(piece, before);
    let (root, errors) = DeTable::parse_recoverable(piece);
    if fast && (!errors.is_empty() || root.get_ref().len() != 1) {
        return None;
    }
    let mut syntax = Vec::new();
    cx.syntax_errors(&errors, &mut syntax);
    let mut found = Vec::new();
    // A piece with a syntax error is not read further: nothing but syntax errors is told then.
    if syntax.is_empty() {
        if let Some(v) = root.get_ref().get("question") {
            cx.questions(v, &mut found);
        }
    }
    Some(Piece {
        syntax,
        diags: cx.diags,
        found,
        cjk: cx.cjk,
    })
}

/// Where each line that is `[[question]]` (then nothing, spaces or a comment) starts.
fn header_lines(text: &str) -> Vec<usize> {
    const HEADER: &str = "[[question]]";
    let bytes = text.as_bytes();
    let mut starts = Vec::new();
    let mut from = 0;
    while let Some(k) = text[from..].find(HEADER) {
        let at = from + k;
        from = at + HEADER.len();
        let line_start = at == 0 || bytes[at - 1] == b'\n';
        let line_end = matches!(
            bytes.get(from),
            None | Some(b'\n' | b'\r' | b' ' | b'\t' | b'#')
        );
        if line_start && line_end {
            starts.push(at);
        }
    }
    starts
}

/// Where each top-level `[[question]]` table starts (the start of its header's line), found by
/// TOML's own lexer, so that such a line inside a multi-line string or array is not taken for
/// one; `None` when the file cannot be cut there without changing its meaning: a table after
/// the first question that is not part of a question (`[bank]`, `[other]`), a `[question…]`
/// table before it, or a header the lexer does not see through.
fn question_starts(text: &str) -> Option<Vec<usize>> {
    use toml_parser::lexer::TokenKind as T;
    let mut starts = Vec::new();
    let mut tokens = toml_parser::Source::new(text).lex().peekable();
    // Open brackets and braces of the value being read.
    let mut depth = 0usize;
    let mut line_start = 0;
    // Only whitespace (and no open value) since `line_start`: a `[` here opens a table header.
    let mut fresh = true;
    while let Some(t) = tokens.next() {
        match t.kind() {
            T::Eof => break,
            T::Newline => {
                line_start = t.span().end();
                fresh = depth == 0;
            }
            T::Whitespace | T::Comment => {}
            T::LeftSquareBracket if fresh => {
                fresh = false;
                let open = t.span().end();
                let array = tokens
                    .peek()
                    .is_some_and(|n| n.kind() == T::LeftSquareBracket && n.span().start() == open);
                if array {
                    tokens.next();
                }
                // The key's parts, as written, up to the closing bracket.
                let mut parts: Vec<&str> = Vec::new();
                loop {
                    let t = tokens.next()?;
                    match t.kind() {
                        T::Whitespace | T::Dot => {}
                        T::Atom | T::BasicString | T::LiteralString => {
                            parts.push(&text[t.span().start()..t.span().end()])
                        }
                        T::RightSquareBracket => break,
                        _ => return None,
                    }
                }
                if array && tokens.next()?.kind() != T::RightSquareBracket {
                    return None;
                }
                let in_question = parts
                    .first()
                    .is_some_and(|p| matches!(*p, "question" | "\"question\"" | "'question'"));
                if array && in_question && parts.len() == 1 {
                    starts.push(line_start);
                } else if in_question == starts.is_empty() || in_question && parts.len() == 1 {
                    // A question's own table before any question, or another table after one.
                    return None;
                }
            }
            T::LeftSquareBracket | T::LeftCurlyBracket => {
                fresh = false;
                depth += 1;
            }
            T::RightSquareBracket | T::RightCurlyBracket => {
                fresh = false;
                depth = depth.saturating_sub(1);
            }
            _ => fresh = false,
        }
    }
    Some(starts)
}

struct Cx<'a> {
    file: &'a str,
    /// The piece of the file being read: spans are offsets into it.
    text: &'a str,
    /// The lines of the file before the piece.
    lines_before: usize,
    /// Byte offsets where the piece's lines start: every question records its location, and
    /// counting lines from the top each time made a 10 000-question bank take minutes to load.
    line_starts: Vec<usize>,
    diags: Vec<Diagnostic>,
    /// The errors among `diags`, counted as they come: each question asks whether it added one,
    /// and counting them over the list made a bank of 10⁵ questions without a source (a warning
    /// each) take 15 s to check.
    errors: usize,
    /// Whether a stem read so far holds a CJK character (the bank is then Chinese).
    cjk: bool,
}

type Table<'i> = DeTable<'i>;

impl<'a> Cx<'a> {
    fn new(file: &'a str) -> Self {
        Cx {
            file,
            text: "",
            lines_before: 0,
            line_starts: vec![0],
            diags: Vec::new(),
            errors: 0,
            cjk: false,
        }
    }

    /// Reads `piece` next, which starts a line after `lines_before` lines of the file.
    fn enter(&mut self, piece: &'a str, lines_before: usize) {
        self.text = piece;
        self.lines_before = lines_before;
        self.line_starts.clear();
        self.line_starts.push(0);
        self.line_starts
            .extend(piece.match_indices('\n').map(|(i, _)| i + 1));
    }

    /// The same place as [`Location::at`] in the file, found through the piece's line index.
    fn loc(&self, span: &Range<usize>) -> Location {
        let (line, col) = self.line_col(span);
        Location {
            file: self.file.to_string(),
            line,
            col,
        }
    }

    /// The line and column in the file where `span` starts.
    fn line_col(&self, span: &Range<usize>) -> (usize, usize) {
        let mut offset = span.start.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        (
            self.lines_before + line,
            self.text[start..offset].chars().count() + 1,
        )
    }

    /// The piece's syntax errors, located in the file.
    fn syntax_errors(&self, errors: &[toml::de::Error], out: &mut Vec<Diagnostic>) {
        for e in errors {
            let d = crate::input::toml::toml_error(self.file, self.text, e);
            out.push(Diagnostic {
                message: format!("invalid TOML: {}", d.message),
                hint: Some("fix the syntax at this spot; strings need double quotes and a `key = value` per line".into()),
                location: d.location.map(|l| Location {
                    line: self.lines_before + l.line,
                    ..l
                }),
                ..d
            });
        }
    }

    /// The questions of a `question` value: each valid one goes into `found`.
    fn questions(&mut self, v: &Spanned<DeValue>, found: &mut Vec<Found>) {
        match v.get_ref() {
            DeValue::Array(items) => {
                for item in items.iter() {
                    if let Some(q) = self.question(item) {
                        let at = self.key_span_in(item, "id").unwrap_or(item.span());
                        found.push(Found {
                            q,
                            told: self.diags.len(),
                            id_at: self.line_col(&at),
                        });
                    }
                }
            }
            _ => {
                self.error(
                    v.span(),
                    "`question` must be an array of tables",
                    Some("write each question under `[[question]]`"),
                );
                self.zh("`question` 必须是表的数组", "每道题写在 `[[question]]` 下")
            }
        }
    }

    /// The Chinese words of the diagnostic just recorded, shown when the bank is Chinese.
    fn zh(&mut self, message: impl Into<String>, hint: impl Into<String>) {
        if let Some(d) = self.diags.last_mut() {
            d.zh = Some(Box::new(Zh::new(message, hint)));
        }
    }

    fn error(&mut self, span: Range<usize>, msg: impl Into<String>, hint: Option<&str>) {
        let mut d = Diagnostic::error(Some(self.loc(&span)), msg);
        d.hint = hint.map(str::to_string);
        self.diags.push(d);
        self.errors += 1;
    }

    fn warn(&mut self, span: Range<usize>, msg: impl Into<String>, hint: Option<&str>) {
        let mut d = Diagnostic::warning(Some(self.loc(&span)), msg);
        d.hint = hint.map(str::to_string);
        self.diags.push(d);
    }

    fn unknown_key(&mut self, span: Range<usize>, key: &str, place: &str, known: &[&str]) {
        let hint = match did_you_mean(key, known) {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("known keys: {}", known.join(", ")),
        };
        self.error(span, format!("unknown key `{key}` in {place}"), Some(&hint));
        let place_zh = match place {
            "the file" => "文件",
            "a question" => "题目",
            "a case part" => "案例小题",
            other => other,
        };
        let hint_zh = match did_you_mean(key, known) {
            Some(k) => format!("是不是 `{k}`？"),
            None => format!("可用的键：{}", known.join("、")),
        };
        self.zh(format!("{place_zh}里没有 `{key}` 这个键"), hint_zh);
    }

    fn key_span_in(&self, item: &Spanned<DeValue>, key: &str) -> Option<Range<usize>> {
        match item.get_ref() {
            DeValue::Table(t) => t
                .iter()
                .find(|(k, _)| k.get_ref() == key)
                .map(|(k, _)| k.span()),
            _ => None,
        }
    }

    fn bank_header(&mut self, value: &Spanned<DeValue>, bank: &mut Bank) {
        let DeValue::Table(t) = value.get_ref() else {
            self.error(
                value.span(),
                "`bank` must be a table",
                Some("write `[bank]` on its own line"),
            );
            self.zh("`bank` 必须是一个表", "把 `[bank]` 单独写一行");
            return;
        };
        for (k, _) in t.iter() {
            if !BANK_KEYS.contains(&k.get_ref().as_ref()) {
                self.unknown_key(k.span(), k.get_ref(), "`[bank]`", BANK_KEYS);
            }
        }
        match self.string(t, "id") {
            Some((id, _)) => bank.id = id,
            None => {
                self.error(
                    value.span(),
                    "`[bank]` has no `id`",
                    Some("add `id = \"my-bank\"`"),
                );
                self.zh("`[bank]` 没有 `id`", "加上 `id = \"my-bank\"`")
            }
        }
        bank.title = self.string(t, "title").map(|(s, _)| s).unwrap_or_default();
        if let Some((lang, span)) = self.string(t, "language") {
            match lang.as_str() {
                "zh" | "zh-CN" | "zh-Hans" => bank.language = Language::Zh,
                "en" => bank.language = Language::En,
                other => {
                    self.error(
                        span,
                        format!("unknown language `{other}`"),
                        Some("use \"zh\" or \"en\""),
                    );
                    self.zh(format!("不认识的语言 `{other}`"), "写 \"zh\" 或 \"en\"")
                }
            }
        }
    }

    /// Reads one `[[question]]`; `None` when it has errors (they are recorded).
    fn question(&mut self, item: &Spanned<DeValue>) -> Option<Question> {
        let before = self.error_count();
        let span = item.span();
        let DeValue::Table(t) = item.get_ref() else {
            self.error(
                span,
                "a question must be a table",
                Some("write each question under `[[question]]`"),
            );
            self.zh("一道题必须是一个表", "每道题写在 `[[question]]` 下");
            return None;
        };
        for (k, _) in t.iter() {
            if !QUESTION_KEYS.contains(&k.get_ref().as_ref()) {
                self.unknown_key(k.span(), k.get_ref(), "a question", QUESTION_KEYS);
            }
        }
        let id = match self.string(t, "id") {
            Some((id, id_span)) => {
                if id.trim().is_empty() || id.chars().any(|c| c.is_whitespace()) {
                    self.error(
                        id_span,
                        format!("invalid question id `{id}`"),
                        Some("ids are one word without spaces, e.g. \"xzcf-001\""),
                    );
                    self.zh(
                        format!("题目编号 `{id}` 不能用"),
                        "编号是一个不含空格的词，如 \"xzcf-001\"",
                    );
                }
                id
            }
            None => {
                self.error(
                    span.clone(),
                    "question has no `id`",
                    Some("add `id = \"…\"`, unique across all banks"),
                );
                self.zh("这道题没有 `id`", "加上 `id = \"…\"`，所有题库里不重复");
                String::new()
            }
        };
        let tags = self.string_list(t, "tags").unwrap_or_default();
        let difficulty = match self.integer(t, "difficulty") {
            Some((d, dspan)) => {
                if !(1..=5).contains(&d) {
                    self.error(
                        dspan,
                        format!("difficulty {d} is outside 1–5"),
                        Some("use 1 (easiest) to 5 (hardest)"),
                    );
                    self.zh(
                        format!("难度 {d} 不在 1–5 之内"),
                        "写 1（最易）到 5（最难）",
                    );
                }
                d.clamp(1, 5) as u8
            }
            None => 3,
        };
        let mut q = self.body(t, span.clone(), id.clone(), false)?;
        q.tags = tags;
        q.difficulty = difficulty;
        if q.kind == Kind::Case {
            q.scenario = self.string(t, "scenario").map(|(s, _)| s);
            if q.scenario.as_deref().is_none_or(|s| s.trim().is_empty()) {
                self.error(
                    self.key_or(t, "kind", &span),
                    format!("case `{id}` has no `scenario`"),
                    Some("add `scenario = \"…\"` with the facts of the case"),
                );
                self.zh(
                    format!("案例题 `{id}` 没有 `scenario`（案情）"),
                    "加上 `scenario = \"…\"`，写明案情",
                );
            }
            match t.get("part") {
                Some(p) => match p.get_ref() {
                    DeValue::Array(parts) if !parts.is_empty() => {
                        for (i, part) in parts.iter().enumerate() {
                            if let Some(mut pq) = self.part(part, &id, i) {
                                pq.tags = q.tags.clone();
                                pq.difficulty = q.difficulty;
                                q.parts.push(pq);
                            }
                        }
                    }
                    _ => {
                        self.error(
                            p.span(),
                            format!("case `{id}` has no parts"),
                            Some("add `[[question.part]]` tables after the case"),
                        );
                        self.zh(
                            format!("案例题 `{id}` 没有小题"),
                            "在案例后面加上 `[[question.part]]` 表",
                        )
                    }
                },
                None => {
                    self.error(
                        self.key_or(t, "kind", &span),
                        format!("case `{id}` has no parts"),
                        Some("add at least one `[[question.part]]` table after the case"),
                    );
                    self.zh(
                        format!("案例题 `{id}` 没有小题"),
                        "在案例后面至少加一个 `[[question.part]]` 表",
                    )
                }
            }
        } else {
            for key in ["scenario", "part"] {
                if let Some((k, _)) = t.iter().find(|(k, _)| k.get_ref() == key) {
                    self.error(
                        k.span(),
                        format!("`{key}` belongs to case questions only, not `{}`", q.kind),
                        Some("set `kind = \"case\"` or remove it"),
                    );
                    self.zh(
                        format!("`{key}` 只用于案例题，这道是 {}", q.kind.name_zh()),
                        "改为 `kind = \"case\"`，或删去它",
                    );
                }
            }
        }
        if q.source.trim().is_empty() {
            self.warn(self.key_or(t, "id", &span), format!("question `{id}` has no `source`"), Some("cite the article or document it rests on, e.g. source = \"《行政处罚法》第三十六条\""));
            self.zh(
                format!("题目 `{id}` 没有 `source`（出处）"),
                "写明所依据的条文或文件，如 source = \"《行政处罚法》第三十六条\"",
            );
        }
        (self.error_count() == before).then_some(q)
    }

    fn part(&mut self, item: &Spanned<DeValue>, case_id: &str, i: usize) -> Option<Question> {
        let before = self.error_count();
        let span = item.span();
        let DeValue::Table(t) = item.get_ref() else {
            self.error(
                span,
                "a part must be a table",
                Some("write it as `[[question.part]]`"),
            );
            self.zh("小题必须是一个表", "写成 `[[question.part]]`");
            return None;
        };
        for (k, _) in t.iter() {
            if !PART_KEYS.contains(&k.get_ref().as_ref()) {
                self.unknown_key(k.span(), k.get_ref(), "a case part", PART_KEYS);
            }
        }
        let q = self.body(t, span, format!("{case_id}.{}", i + 1), true)?;
        (self.error_count() == before).then_some(q)
    }

    fn key_or(&self, t: &Table, key: &str, fallback: &Range<usize>) -> Range<usize> {
        t.iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(k, _)| k.span())
            .unwrap_or(fallback.clone())
    }

    /// The fields shared by questions and parts.
    fn body(
        &mut self,
        t: &Table,
        span: Range<usize>,
        id: String,
        is_part: bool,
    ) -> Option<Question> {
        let kind = match self.string(t, "kind") {
            Some((k, kspan)) => match Kind::parse(&k) {
                Some(Kind::Case) if is_part => {
                    self.error(
                        kspan,
                        "a case part cannot itself be a case",
                        Some("use single, multiple, judge, fill or short"),
                    );
                    self.zh(
                        "案例题的小题不能又是案例题",
                        "用 single、multiple、judge、fill 或 short",
                    );
                    return None;
                }
                Some(kind) => kind,
                None => {
                    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                    let hint = match did_you_mean(&k, &names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("kinds: {}", names.join(", ")),
                    };
                    self.error(kspan, format!("unknown kind `{k}`"), Some(&hint));
                    self.zh(
                        format!("不认识的题型 `{k}`"),
                        match did_you_mean(&k, &names) {
                            Some(s) => format!("是不是 `{s}`？"),
                            None => format!("题型：{}", names.join("、")),
                        },
                    );
                    return None;
                }
            },
            None => {
                self.error(
                    span,
                    format!("`{id}` has no `kind`"),
                    Some("add `kind = \"single\"` (or multiple, judge, fill, short, case)"),
                );
                self.zh(
                    format!("`{id}` 没有 `kind`（题型）"),
                    "加上 `kind = \"single\"`（或 multiple、judge、fill、short、case）",
                );
                return None;
            }
        };
        let stem = match self.string(t, "stem") {
            Some((s, sspan)) => {
                if s.trim().is_empty() {
                    self.error(
                        sspan,
                        format!("`{id}` has an empty stem"),
                        Some("write the question text in `stem`"),
                    );
                    self.zh(format!("`{id}` 的题干是空的"), "在 `stem` 里写上题目文字");
                }
                s
            }
            None => {
                self.error(
                    self.key_or(t, "kind", &span),
                    format!("`{id}` has no `stem`"),
                    Some("add `stem = \"…\"` with the question text"),
                );
                self.zh(
                    format!("`{id}` 没有 `stem`（题干）"),
                    "加上 `stem = \"…\"`，写上题目文字",
                );
                String::new()
            }
        };
        if !self.cjk {
            self.cjk = Lang::of_text(&stem) == Lang::Zh;
        }
        let options = self.options(t, kind, &id);
        let answer = self.answer(t, kind, &id, &stem, options.len(), &span);
        let points = match t.get("points") {
            None => 1.0,
            Some(v) => match number(v.get_ref()) {
                Some(p) if p > 0.0 && p.is_finite() => p,
                _ => {
                    self.error(
                        v.span(),
                        "`points` must be a positive number",
                        Some("e.g. `points = 2` or `points = 0.5`"),
                    );
                    self.zh(
                        "`points`（分值）必须是正数",
                        "如 `points = 2` 或 `points = 0.5`",
                    );
                    1.0
                }
            },
        };
        let shuffle = match t.get("shuffle") {
            None => true,
            Some(v) => match v.get_ref().as_bool() {
                Some(b) => b,
                None => {
                    self.error(v.span(), "`shuffle` must be true or false", None);
                    self.zh(
                        "`shuffle` 只能是 true 或 false",
                        "true 打乱选项，false 保持原顺序",
                    );
                    true
                }
            },
        };
        let format = match self.string(t, "format") {
            None => TextFormat::Plain,
            Some((f, fspan)) => match f.as_str() {
                "plain" => TextFormat::Plain,
                "typst" => TextFormat::Typst,
                other => {
                    self.error(
                        fspan,
                        format!("unknown format `{other}`"),
                        Some("use \"plain\" (default) or \"typst\""),
                    );
                    self.zh(
                        format!("不认识的格式 `{other}`"),
                        "写 \"plain\"（默认）或 \"typst\"",
                    );
                    TextFormat::Plain
                }
            },
        };
        let loc = self.loc(&span);
        Some(Question {
            id,
            kind,
            stem,
            options,
            answer: answer?,
            tags: Vec::new(),
            difficulty: 3,
            points,
            explanation: self
                .string(t, "explanation")
                .map(|(s, _)| s)
                .unwrap_or_default(),
            source: self.string(t, "source").map(|(s, _)| s).unwrap_or_default(),
            shuffle,
            format,
            scenario: None,
            parts: Vec::new(),
            location: loc,
        })
    }

    fn options(&mut self, t: &Table, kind: Kind, id: &str) -> Vec<String> {
        let Some(v) = t.get("options") else {
            if kind.is_choice() {
                let span = self.key_or(t, "kind", &(0..0));
                self.error(
                    span,
                    format!("`{id}` is a {kind} question without `options`"),
                    Some("add `options = [\"…\", \"…\"]`, 2 to 8 of them"),
                );
                self.zh(
                    format!("`{id}` 是{}，却没有 `options`（选项）", kind.name_zh()),
                    "加上 `options = [\"…\", \"…\"]`，2 到 8 个",
                );
            }
            return Vec::new();
        };
        if !kind.is_choice() {
            self.error(
                v.span(),
                format!("`{id}`: {kind} questions take no `options`"),
                Some("options belong to single and multiple questions"),
            );
            self.zh(
                format!("`{id}`：{}没有 `options`（选项）", kind.name_zh()),
                "只有单选题、多选题有选项",
            );
            return Vec::new();
        }
        let Some(list) = self.string_list(t, "options") else {
            return Vec::new();
        };
        if !(2..=8).contains(&list.len()) {
            self.error(
                v.span(),
                format!("`{id}` has {} options; 2 to 8 are allowed", list.len()),
                None,
            );
            self.zh(
                format!("`{id}` 有 {} 个选项，只能有 2 到 8 个", list.len()),
                "选项写 2 到 8 个",
            );
        }
        if let DeValue::Array(items) = v.get_ref() {
            let mut seen: Vec<String> = Vec::new();
            for (opt, item) in list.iter().zip(items.iter()) {
                let norm = normalise_option(opt);
                if norm.is_empty() {
                    self.error(item.span(), format!("`{id}` has an empty option"), None);
                    self.zh(format!("`{id}` 有一个空选项"), "每个选项都要写文字");
                } else if seen.contains(&norm) {
                    self.error(
                        item.span(),
                        format!("`{id}` has the option `{opt}` twice"),
                        Some("every option must differ from the others"),
                    );
                    self.zh(
                        format!("`{id}` 的选项 `{opt}` 出现了两次"),
                        "每个选项都要与其他选项不同",
                    );
                }
                seen.push(norm);
            }
        }
        list
    }

    fn answer(
        &mut self,
        t: &Table,
        kind: Kind,
        id: &str,
        stem: &str,
        n_options: usize,
        span: &Range<usize>,
    ) -> Option<Answer> {
        let Some(v) = t.get("answer") else {
            if kind == Kind::Case {
                return Some(Answer::Parts);
            }
            self.error(
                self.key_or(t, "kind", span),
                format!("`{id}` has no `answer`"),
                Some(answer_hint(kind)),
            );
            self.zh(
                format!("`{id}` 没有 `answer`（答案）"),
                answer_hint_zh(kind),
            );
            return None;
        };
        let aspan = v.span();
        match kind {
            Kind::Case => {
                self.error(
                    aspan,
                    format!("case `{id}` takes its answers in its parts"),
                    Some("move `answer` into each `[[question.part]]`"),
                );
                self.zh(
                    format!("案例题 `{id}` 的答案写在各小题里"),
                    "把 `answer` 移到每个 `[[question.part]]` 里",
                );
                None
            }
            Kind::Single | Kind::Multiple => {
                let Some(text) = v.get_ref().as_str() else {
                    self.error(
                        aspan,
                        format!("`{id}`: the answer must be a string of letters"),
                        Some(answer_hint(kind)),
                    );
                    self.zh(
                        format!("`{id}`：答案要写成选项字母的字符串"),
                        answer_hint_zh(kind),
                    );
                    return None;
                };
                let mut letters = Vec::new();
                for c in text.chars() {
                    if matches!(c, ',' | '，' | '、' | ' ' | ';' | '；') {
                        continue;
                    }
                    let up = c.to_ascii_uppercase();
                    if !up.is_ascii_uppercase() {
                        self.error(
                            aspan.clone(),
                            format!("`{id}`: `{c}` in the answer is not an option letter"),
                            Some(answer_hint(kind)),
                        );
                        self.zh(
                            format!("`{id}`：答案里的 `{c}` 不是选项字母"),
                            answer_hint_zh(kind),
                        );
                        return None;
                    }
                    let i = (up as u8 - b'A') as usize;
                    if i >= n_options {
                        let last = super::letter(n_options.saturating_sub(1).min(25));
                        self.error(aspan.clone(), format!("`{id}`: answer letter `{up}` is outside the options (A–{last})"), Some("letters count the options from A; add the option or fix the letter"));
                        self.zh(format!("`{id}`：答案写的是 `{up}`，但这道题只有 A–{last} 共 {n_options} 个选项"), "选项字母从 A 数起：补上这个选项，或改正答案字母");
                        return None;
                    }
                    if !letters.contains(&i) {
                        letters.push(i);
                    }
                }
                letters.sort_unstable();
                match (kind, letters.len()) {
                    (_, 0) => {
                        self.error(
                            aspan,
                            format!("`{id}` has an empty answer"),
                            Some(answer_hint(kind)),
                        );
                        self.zh(format!("`{id}` 的答案是空的"), answer_hint_zh(kind));
                        None
                    }
                    (Kind::Single, n) if n > 1 => {
                        self.error(
                            aspan,
                            format!("`{id}` is a single-choice question with {n} answers ({text})"),
                            Some("make it `kind = \"multiple\"`, or keep one letter"),
                        );
                        self.zh(
                            format!("`{id}` 是单选题，却有 {n} 个答案（{text}）"),
                            "改为 `kind = \"multiple\"`，或只留一个字母",
                        );
                        None
                    }
                    (Kind::Multiple, 1) => {
                        self.error(aspan, format!("`{id}` is a multiple-choice question with one answer ({text})"), Some("a multiple-choice question needs two or more right options; make it `kind = \"single\"`"));
                        self.zh(
                            format!("`{id}` 是多选题，却只有一个答案（{text}）"),
                            "多选题要有两个以上的正确选项；只有一个就改为 `kind = \"single\"`",
                        );
                        None
                    }
                    _ => Some(Answer::Choice(letters)),
                }
            }
            Kind::Judge => match v.get_ref().as_bool() {
                Some(b) => Some(Answer::Judge(b)),
                None => {
                    self.error(
                        aspan,
                        format!("`{id}`: a judge answer is `true` or `false`"),
                        Some(answer_hint(kind)),
                    );
                    self.zh(
                        format!("`{id}`：判断题的答案是 `true` 或 `false`"),
                        answer_hint_zh(kind),
                    );
                    None
                }
            },
            Kind::Fill => {
                let blanks = count_blanks(stem);
                let DeValue::Array(items) = v.get_ref() else {
                    self.error(
                        aspan,
                        format!("`{id}`: a fill-in answer is a list per blank"),
                        Some(answer_hint(kind)),
                    );
                    self.zh(
                        format!("`{id}`：填空题的答案是每个空一个列表"),
                        answer_hint_zh(kind),
                    );
                    return None;
                };
                let mut lists = Vec::new();
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Array(alts) => {
                            let alts = strings(alts);
                            match alts {
                                Some(a)
                                    if !a.is_empty() && a.iter().all(|s| !s.trim().is_empty()) =>
                                {
                                    lists.push(a)
                                }
                                _ => {
                                    self.error(item.span(), format!("`{id}`: each blank needs one or more non-empty strings"), Some(answer_hint(kind)));
                                    self.zh(
                                        format!("`{id}`：每个空要有一个以上不为空的答案"),
                                        answer_hint_zh(kind),
                                    );
                                    return None;
                                }
                            }
                        }
                        _ => {
                            self.error(
                                item.span(),
                                format!("`{id}`: each blank's answers are a list of strings"),
                                Some(answer_hint(kind)),
                            );
                            self.zh(
                                format!("`{id}`：每个空的答案是字符串的列表"),
                                answer_hint_zh(kind),
                            );
                            return None;
                        }
                    }
                }
                if blanks == 0 {
                    self.error(
                        self.key_or(t, "stem", span),
                        format!("`{id}`: the stem has no blank"),
                        Some("mark each blank with three or more underscores: ___"),
                    );
                    self.zh(
                        format!("`{id}`：题干里没有空"),
                        "用三个以上的下划线 ___ 标出每个空",
                    );
                    return None;
                }
                if lists.len() != blanks {
                    self.error(
                        aspan,
                        format!(
                            "`{id}`: the stem has {blanks} blank(s) but the answer gives {}",
                            lists.len()
                        ),
                        Some("give one list of accepted answers per ___ in the stem"),
                    );
                    self.zh(
                        format!(
                            "`{id}`：题干有 {blanks} 个空，答案却给了 {} 个",
                            lists.len()
                        ),
                        "题干里每个 ___ 对应一个可接受答案的列表",
                    );
                    return None;
                }
                Some(Answer::Fill(lists))
            }
            Kind::Short => {
                let Some(reference) = v.get_ref().as_str() else {
                    self.error(
                        aspan,
                        format!("`{id}`: a short answer is the reference text"),
                        Some(answer_hint(kind)),
                    );
                    self.zh(
                        format!("`{id}`：简答题的答案是参考答案文字"),
                        answer_hint_zh(kind),
                    );
                    return None;
                };
                let rubric = self.string_list(t, "rubric").unwrap_or_default();
                Some(Answer::Text {
                    reference: reference.to_string(),
                    rubric,
                })
            }
        }
    }

    fn error_count(&self) -> usize {
        self.errors
    }

    fn string(&mut self, t: &Table, key: &str) -> Option<(String, Range<usize>)> {
        let v = t.get(key)?;
        match v.get_ref().as_str() {
            Some(s) => Some((s.to_string(), v.span())),
            None => {
                self.error(
                    v.span(),
                    format!("`{key}` must be a string"),
                    Some("put the text in double quotes"),
                );
                self.zh(format!("`{key}` 必须是字符串"), "把文字放在英文双引号里");
                None
            }
        }
    }

    fn integer(&mut self, t: &Table, key: &str) -> Option<(i64, Range<usize>)> {
        let v = t.get(key)?;
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some((n, v.span())),
                Err(_) => {
                    self.error(v.span(), format!("`{key}` is out of range"), None);
                    self.zh(format!("`{key}` 超出了范围"), "写一个较小的整数");
                    None
                }
            },
            _ => {
                self.error(v.span(), format!("`{key}` must be a whole number"), None);
                self.zh(format!("`{key}` 必须是整数"), "如 3");
                None
            }
        }
    }

    fn string_list(&mut self, t: &Table, key: &str) -> Option<Vec<String>> {
        let v = t.get(key)?;
        match v.get_ref() {
            DeValue::Array(a) => match strings(a) {
                Some(list) => Some(list),
                None => {
                    self.error(v.span(), format!("`{key}` must be a list of strings"), None);
                    None
                }
            },
            _ => {
                self.error(
                    v.span(),
                    format!("`{key}` must be a list of strings"),
                    Some("e.g. [\"…\", \"…\"]"),
                );
                None
            }
        }
    }
}

fn strings(a: &DeArray) -> Option<Vec<String>> {
    a.iter()
        .map(|v| v.get_ref().as_str().map(str::to_string))
        .collect()
}

fn number(v: &DeValue) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse().ok(),
        _ => None,
    }
}

fn normalise_option(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`answer_hint`] in Chinese.
fn answer_hint_zh(kind: Kind) -> &'static str {
    match kind {
        Kind::Single => "写正确选项的字母，如 answer = \"B\"",
        Kind::Multiple => "写各正确选项的字母，如 answer = \"ACD\"",
        Kind::Judge => "写 answer = true 或 answer = false",
        Kind::Fill => "每个空写一个可接受答案的列表，如 answer = [[\"二\", \"2\"], [\"五\"]]",
        Kind::Short => "参考答案写成字符串，可另加 rubric = [\"…\"]（评分要点）",
        Kind::Case => "答案写在案例的各小题里",
    }
}

fn answer_hint(kind: Kind) -> &'static str {
    match kind {
        Kind::Single => "write the right option's letter, e.g. answer = \"B\"",
        Kind::Multiple => "write the right options' letters, e.g. answer = \"ACD\"",
        Kind::Judge => "write answer = true or answer = false",
        Kind::Fill => "write one list of accepted answers per blank, e.g. answer = [[\"二\", \"2\"], [\"五\"]]",
        Kind::Short => "write the reference answer as a string, and optionally rubric = [\"…\"]",
        Kind::Case => "answers go in the case's parts",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_index_finds_what_location_at_finds() {
        let text = "a = 1\n题 = \"x\"\n\n[[question]]\nid = \"é\"\n";
        let mut cx = Cx::new("f");
        cx.enter(text, 0);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                cx.loc(&(offset..offset)),
                Location::at("f", text, offset),
                "{offset}"
            );
        }
    }

    /// Warnings (a question without a source) never refuse a question; an error refuses only
    /// its own, wherever it falls among thousands of warnings.
    #[test]
    fn among_many_warnings_only_the_question_with_an_error_is_refused() {
        let mut text = String::from("[bank]\nid = \"b\"\ntitle = \"t\"\nlanguage = \"zh\"\n");
        for i in 0..3000 {
            let difficulty = if i == 1500 { 9 } else { 3 };
            text.push_str(&format!(
                "\n[[question]]\nid = \"q{i}\"\nkind = \"judge\"\nstem = \"第{i}题\"\nanswer = true\ndifficulty = {difficulty}\n"
            ));
        }
        let (bank, diags) = load_bank(&BankSource {
            path: "b.toml",
            text: &text,
            sha256: String::new(),
        });
        let bank = bank.unwrap();
        assert_eq!(bank.questions.len(), 2999);
        assert!(bank.questions.iter().all(|q| q.id != "q1500"));
        let errors: Vec<String> = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.to_string())
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        // The stems are Chinese: so is the message.
        assert!(errors[0].contains("难度 9 不在 1–5 之内"), "{errors:?}");
        assert_eq!(diags.len(), 3001, "a warning per question without a source");
    }

    /// The bank and diagnostics of `text`, which are those of the file read whole.
    fn load(text: &str) -> (Option<Bank>, Vec<String>) {
        let src = BankSource {
            path: "b.toml",
            text,
            sha256: String::new(),
        };
        let (bank, diags) = load_bank(&src);
        let (whole, whole_diags) = super::load(&src, Cut::Whole).unwrap();
        let (lexed, lexed_diags) = super::load(&src, Cut::Lexed).unwrap();
        let parts = |b: &Option<Bank>| {
            b.as_ref().map(|b| {
                (
                    b.id.clone(),
                    b.title.clone(),
                    b.language,
                    b.questions.clone(),
                )
            })
        };
        assert_eq!(parts(&bank), parts(&whole), "as read whole");
        assert_eq!(diags, whole_diags, "as read whole");
        assert_eq!(parts(&lexed), parts(&whole), "as cut by the lexer");
        assert_eq!(lexed_diags, whole_diags, "as cut by the lexer");
        (bank, diags.iter().map(|d| d.to_string()).collect())
    }

    const HEAD: &str = "[bank]\nid = \"b\"\ntitle = \"t\"\nlanguage = \"zh\"\n";

    fn judge(id: &str) -> String {
        format!("\n[[question]]\nid = \"{id}\"\nkind = \"judge\"\nstem = \"{id}？\"\nanswer = true\nsource = \"s\"\n")
    }

    /// The file is cut at its top-level `[[question]]` headers only: not at such a line inside a
    /// multi-line string or array, nor at a question's own sub-tables.
    #[test]
    fn a_bank_is_cut_at_its_question_headers_only() {
        let case = r#"  [[ question ]] # spaced
id = "c"
kind = "case"
scenario = '''
[[question]]'''
source = "s"
[[question.part]]
kind = "judge"
stem = "x"
answer = [
[["question"]],
]
"#;
        let text = format!(
            "{HEAD}{}explanation = \"\"\"\n[[question]]\nid = \"not-a-question\"\n\"\"\"\n{}{case}",
            judge("a"),
            judge("b"),
        );
        let starts = question_starts(&text).expect("cut");
        assert_eq!(starts.len(), 3, "{starts:?}");
        for s in &starts {
            assert!(text[*s..].trim_start().starts_with("[["), "{}", &text[*s..]);
        }
        let (bank, diags) = load(&text);
        let bank = bank.unwrap();
        let ids: Vec<&str> = bank.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"], "{diags:?}");
        assert_eq!(
            bank.questions[0].explanation,
            "[[question]]\nid = \"not-a-question\"\n"
        );
        // The case's part has a list for a judge answer: named at its line in the file.
        let line = text[..text.find("answer = [").unwrap()].lines().count() + 1;
        assert!(
            diags
                .iter()
                .any(|d| d.starts_with(&format!("b.toml:{line}:10: error: `c.1`: a judge answer"))),
            "{diags:?}"
        );
    }

    /// A `[[question]]` line inside a multi-line string, where a piece of [`PIECE`] questions
    /// would be cut, is not taken for a question: the file is read again cut by the lexer.
    #[test]
    fn a_header_line_inside_a_string_at_a_piece_boundary_is_not_a_question() {
        let mut text = HEAD.to_string();
        for i in 0..2 * PIECE + 2 {
            text.push_str(&judge(&format!("q{i}")));
            if i == PIECE - 1 {
                text.push_str("explanation = '''\n[[question]]\nid = \"x\"\n'''\n");
            }
        }
        assert_eq!(header_lines(&text).len(), 2 * PIECE + 3);
        let src = BankSource {
            path: "b.toml",
            text: &text,
            sha256: String::new(),
        };
        assert!(
            super::load(&src, Cut::HeaderLines).is_none(),
            "cut by the lexer"
        );
        let plain = text.replace("[[question]]\nid = \"x\"", "x");
        let src = BankSource {
            text: &plain,
            ..src
        };
        assert!(
            super::load(&src, Cut::HeaderLines).is_some(),
            "cut at the lines"
        );
        let (bank, diags) = load(&text);
        assert!(diags.is_empty(), "{diags:?}");
        let bank = bank.unwrap();
        assert_eq!(bank.questions.len(), 2 * PIECE + 2);
        assert_eq!(
            bank.questions[PIECE - 1].explanation,
            "[[question]]\nid = \"x\"\n"
        );
    }

    /// What a cut would change is read whole: a table after the questions, a question's table
    /// before them, a `question` key among the bank's.
    #[test]
    fn a_file_that_cannot_be_cut_is_read_whole() {
        let late_bank = format!("{}{}{HEAD}", judge("a"), judge("b"));
        assert_eq!(question_starts(&late_bank), None);
        let (bank, diags) = load(&late_bank);
        assert_eq!(bank.unwrap().questions.len(), 2, "{diags:?}");
        assert!(diags.is_empty(), "{diags:?}");

        let early_part = format!("{HEAD}[question.x]\ny = 1\n{}", judge("a"));
        assert_eq!(question_starts(&early_part), None);
        let (bank, diags) = load(&early_part);
        assert!(bank.is_none());
        assert!(diags[0].contains("invalid TOML"), "{diags:?}");

        let key = format!("question = []\n{HEAD}{}", judge("a"));
        assert!(question_starts(&key).is_some());
        let (bank, diags) = load(&key);
        assert!(bank.is_none());
        let line = key.lines().position(|l| l == "[[question]]").unwrap() + 1;
        assert!(
            diags[0].starts_with(&format!(
                "b.toml:{line}:3: error: invalid TOML: duplicate key"
            )),
            "{diags:?}"
        );
    }

    /// Pieces read on several cores tell what the file read whole tells, in its order: ids taken
    /// again in a later piece, errors and warnings among them.
    #[test]
    fn a_large_bank_read_in_pieces_tells_what_it_tells_read_whole() {
        let mut text = HEAD.to_string();
        for i in 0..3000 {
            // Every 250th question takes the id of one 700 questions before it.
            let id = if i % 250 == 249 && i >= 700 {
                format!("q{}", i - 700)
            } else {
                format!("q{i}")
            };
            if i % 111 == 0 {
                // No source: a warning.
                text.push_str(&judge(&id).replace("source = \"s\"\n", ""));
            } else {
                text.push_str(&judge(&id));
            }
            if i % 333 == 3 {
                text.push_str("difficulty = 7\n");
            }
        }
        let (bank, diags) = load(&text);
        let count = |what: &str| diags.iter().filter(|d| d.contains(what)).count();
        assert_eq!(count("duplicate question id"), 10, "{diags:?}");
        assert_eq!(count("difficulty 7"), 9, "{diags:?}");
        assert_eq!(count("has no `source`"), 28, "{diags:?}");
        assert_eq!(bank.unwrap().questions.len(), 3000 - 10 - 9);
    }

    /// A syntax error in the 2 000th of 3 000 questions is named at its line, and nothing else
    /// is reported.
    #[test]
    fn a_syntax_error_deep_in_a_large_bank_is_named_at_its_line() {
        let mut text = HEAD.to_string();
        let mut want = 0;
        for i in 0..3000 {
            text.push_str(&judge(&format!("q{i}")));
            if i == 1999 {
                want = text.lines().count() + 1;
                text.push_str("points = 2 3\n");
            }
        }
        let (bank, diags) = load(&text);
        assert!(bank.is_none());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(
            diags[0].starts_with(&format!("b.toml:{want}:")) && diags[0].contains("invalid TOML"),
            "{diags:?}"
        );
    }
}
