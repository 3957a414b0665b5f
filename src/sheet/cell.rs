//! One answer cell turned into marks and a status: `AC`, `A|C`, `[A|C]`, `0;1;0;1`, `√`, `对` …

use super::error::CellError;
use super::layout::Tokens;
use std::fmt;

/// What an item expects, which decides how its cell is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// One right option out of `options` (A, B, …).
    Single { options: usize },
    /// Any set of the `options`.
    Multiple { options: usize },
    /// True or false.
    Judge,
    /// Free text: fill-in blanks, short answers.
    Text,
}

/// How a cell was filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Read without trouble.
    Ok,
    /// Nothing marked.
    Blank,
    /// Several marks where one was expected (or the scanner's multi-mark token).
    Multi,
    /// The scanner could not read the cell.
    Unreadable,
    /// A mark the item cannot have (`E` on a four-option item, a word on a true/false item):
    /// set by grading when [`parse_cell`] refuses the cell, so that the item, not the sheet,
    /// is marked for review.
    Invalid,
}

impl Status {
    /// The status as outputs and scripts spell it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Blank => "blank",
            Status::Multi => "multi",
            Status::Unreadable => "unreadable",
            Status::Invalid => "invalid",
        }
    }

    /// The status [`Status::name`] spells as `name`.
    pub fn from_name(name: &str) -> Option<Status> {
        [
            Status::Ok,
            Status::Blank,
            Status::Multi,
            Status::Unreadable,
            Status::Invalid,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of printed option indices (0 = A), at most 26; a plain bit set, so it never allocates.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Letters(u32);

impl Letters {
    /// The most options an item can have (A–Z).
    pub const MAX: usize = 26;

    /// The empty set.
    pub fn new() -> Self {
        Letters(0)
    }

    /// The set of `indices`; indices of `MAX` or more are ignored.
    pub fn from_indices(indices: impl IntoIterator<Item = usize>) -> Self {
        let mut set = Letters::new();
        for i in indices {
            set.insert(i);
        }
        set
    }

    /// Adds option `i` (ignored when `i >= MAX`).
    pub fn insert(&mut self, i: usize) {
        if i < Self::MAX {
            self.0 |= 1 << i;
        }
    }

    /// Whether option `i` is marked.
    pub fn contains(self, i: usize) -> bool {
        i < Self::MAX && self.0 & (1 << i) != 0
    }

    /// How many options are marked.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether nothing is marked.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The bits, option A in bit 0.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// The marked indices, ascending.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..Self::MAX).filter(move |&i| self.contains(i))
    }

    /// The marked indices, ascending, as a vector.
    pub fn to_vec(self) -> Vec<usize> {
        self.iter().collect()
    }
}

impl fmt::Display for Letters {
    /// Writes the letters, e.g. `AC`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in self.iter() {
            write!(f, "{}", letter(i))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Letters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Letters(\"{self}\")")
    }
}

/// One read cell. It borrows the cell text, so reading it allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell<'a> {
    pub status: Status,
    /// Marked options of a choice item (empty for judge and text items).
    pub letters: Letters,
    /// The answer of a judge item when there is exactly one.
    pub judge: Option<bool>,
    /// The cell text, trimmed.
    pub text: &'a str,
}

impl<'a> Cell<'a> {
    fn new(status: Status, text: &'a str) -> Self {
        Cell {
            status,
            letters: Letters::new(),
            judge: None,
            text,
        }
    }
}

/// Reads one raw cell as an answer to an item of `kind`.
///
/// - Empty text or a `tokens.blank` token → `Blank`; `tokens.unreadable` (`?`) → `Unreadable`;
///   `tokens.multi` (`*`, `>`, OpenMCR's `F`) → `Multi` without letters. Tokens match ignoring ASCII case.
/// - Choice items accept `AC`, `A,C`, `A|C`, `[A|C]`, `A;C`, `A、C`, lower case and full-width
///   letters (`Ａ`), and per-box 0/1 lists (`0;1;0;1` from AMC, `0101` when it has one digit per
///   option). With `tokens.none_box`, a `0` among letters is AMC's "none of the above" box, taken as
///   the item's last option. Several letters on a `Single` item → `Multi`, letters kept.
/// - Judge items accept T/F, TRUE/FALSE, √/×, ✓/✗, 对/错, 正确/错误, 是/否, Y/N, 1/0 and A/B
///   (A = true); both answers at once → `Multi`.
/// - Text items are `Ok` with their text unless empty.
///
/// A letter beyond the item's options, or text that is not a mark, is an error naming the text.
pub fn parse_cell<'a>(
    raw: &'a str,
    kind: CellKind,
    tokens: &Tokens,
) -> Result<Cell<'a>, CellError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(Cell::new(Status::Blank, text));
    }
    if kind == CellKind::Text {
        return Ok(Cell::new(Status::Ok, text));
    }
    let is = |list: &[String]| list.iter().any(|t| t.eq_ignore_ascii_case(text));
    if is(&tokens.blank) {
        return Ok(Cell::new(Status::Blank, text));
    }
    if is(&tokens.unreadable) {
        return Ok(Cell::new(Status::Unreadable, text));
    }
    if is(&tokens.multi) {
        return Ok(Cell::new(Status::Multi, text));
    }
    // The common case, plain capital letters (`B`, `ACD`), without the general parser.
    if let CellKind::Single { options } | CellKind::Multiple { options } = kind {
        if let Some(letters) = plain_letters(text.as_bytes(), options) {
            let status = match letters.len() {
                1 => Status::Ok,
                _ if matches!(kind, CellKind::Single { .. }) => Status::Multi,
                _ => Status::Ok,
            };
            return Ok(Cell {
                status,
                letters,
                judge: None,
                text,
            });
        }
    }
    match kind {
        CellKind::Single { options } => choice(text, options, true, tokens),
        CellKind::Multiple { options } => choice(text, options, false, tokens),
        CellKind::Judge => judge(text, tokens),
        CellKind::Text => Ok(Cell::new(Status::Ok, text)),
    }
}

/// `ABD`-style cells within `options`; `None` sends anything else to the general parser.
fn plain_letters(bytes: &[u8], options: usize) -> Option<Letters> {
    if bytes.is_empty() || bytes.len() > Letters::MAX {
        return None;
    }
    let mut letters = Letters::new();
    for &b in bytes {
        let i = usize::from(b.wrapping_sub(b'A'));
        if i >= options.min(Letters::MAX) {
            return None;
        }
        letters.insert(i);
    }
    Some(letters)
}

fn choice<'a>(
    text: &'a str,
    options: usize,
    single: bool,
    tokens: &Tokens,
) -> Result<Cell<'a>, CellError> {
    let options = options.min(Letters::MAX);
    let inner = unbracket(text);
    let letters = match box_list(inner, tokens) {
        Some((letters, boxes)) if boxes <= options => letters,
        Some((_, boxes)) => {
            return Err(error(
                text,
                format!("it lists {boxes} boxes but the item has {options} options"),
            ))
        }
        None => letter_set(text, inner, options, tokens)?,
    };
    let status = match letters.len() {
        0 => Status::Blank,
        1 => Status::Ok,
        _ if single => Status::Multi,
        _ => Status::Ok,
    };
    Ok(Cell {
        status,
        letters,
        judge: None,
        text,
    })
}

/// Letters written out: `AC`, `a, c`, `Ａ|Ｃ`, `A、C` …
fn letter_set(
    text: &str,
    inner: &str,
    options: usize,
    tokens: &Tokens,
) -> Result<Letters, CellError> {
    let mut letters = Letters::new();
    let mut rest = inner;
    while let Some(c) = rest.chars().next() {
        let index = match c {
            'A'..='Z' => Some(c as usize - 'A' as usize),
            'a'..='z' => Some(c as usize - 'a' as usize),
            'Ａ'..='Ｚ' => Some(c as usize - 'Ａ' as usize),
            'ａ'..='ｚ' => Some(c as usize - 'ａ' as usize),
            '0' if tokens.none_box && options > 0 => Some(options - 1),
            _ => None,
        };
        if let Some(i) = index {
            if i >= options {
                return Err(error(
                    text,
                    format!(
                        "`{c}` is beyond the {options} options of this item ({})",
                        span_of(options)
                    ),
                ));
            }
            letters.insert(i);
            rest = &rest[c.len_utf8()..];
        } else if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if let Some(sep) = separator_at(rest, tokens) {
            rest = &rest[sep..];
        } else {
            return Err(error(
                text,
                format!("`{c}` is neither an option letter nor a separator"),
            ));
        }
    }
    Ok(letters)
}

/// A per-box 0/1 list: `0;1;0;1` (any separator) or `0101`; returns the marked boxes and how many
/// boxes there are. A lone digit is not a list.
fn box_list(inner: &str, tokens: &Tokens) -> Option<(Letters, usize)> {
    let bytes = inner.as_bytes();
    if bytes.len() < 2 || !matches!(bytes[0], b'0' | b'1') {
        return None;
    }
    let mut letters = Letters::new();
    let mut boxes = 0;
    let mut rest = inner;
    let mut expect_digit = true;
    while let Some(&b) = rest.as_bytes().first() {
        match b {
            b'0' | b'1' => {
                if b == b'1' {
                    letters.insert(boxes);
                }
                boxes += 1;
                rest = &rest[1..];
                expect_digit = false;
            }
            b' ' => rest = &rest[1..],
            _ if !expect_digit => {
                rest = &rest[separator_at(rest, tokens)?..];
                expect_digit = true;
            }
            _ => return None,
        }
    }
    (boxes >= 2).then_some((letters, boxes))
}

fn judge<'a>(text: &'a str, tokens: &Tokens) -> Result<Cell<'a>, CellError> {
    let answer = |value: Option<bool>, status| Cell {
        status,
        letters: Letters::new(),
        judge: value,
        text,
    };
    if let Some(v) = judge_word(text) {
        return Ok(answer(Some(v), Status::Ok));
    }
    let inner = unbracket(text);
    // AMC's per-box list for a two-box item: `1;0` is A (true), `0;1` is B (false).
    if let Some((letters, 2)) = box_list(inner, tokens) {
        return Ok(match letters.bits() {
            0 => answer(None, Status::Blank),
            1 => answer(Some(true), Status::Ok),
            2 => answer(Some(false), Status::Ok),
            _ => answer(None, Status::Multi),
        });
    }
    let (mut yes, mut no) = (false, false);
    let mut rest = inner;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if let Some(sep) = separator_at(rest, tokens) {
            rest = &rest[sep..];
            continue;
        }
        // The longest word up to the next separator, else a single character (`TF`, `√×`, `对错`).
        let end = rest
            .char_indices()
            .find(|&(i, c)| c.is_whitespace() || separator_at(&rest[i..], tokens).is_some())
            .map_or(rest.len(), |(i, _)| i);
        let (word, len) = match judge_word(&rest[..end]) {
            Some(v) => (v, end),
            None => match judge_word(&rest[..c.len_utf8()]) {
                Some(v) => (v, c.len_utf8()),
                None => return Err(error(
                    text,
                    "a true/false item takes T/F, √/×, 对/错, 正确/错误, 是/否, Y/N, 1/0 or A/B"
                        .to_string(),
                )),
            },
        };
        if word {
            yes = true;
        } else {
            no = true;
        }
        rest = &rest[len..];
    }
    Ok(match (yes, no) {
        (true, true) => answer(None, Status::Multi),
        (true, false) => answer(Some(true), Status::Ok),
        (false, true) => answer(Some(false), Status::Ok),
        (false, false) => answer(None, Status::Blank),
    })
}

/// One spelling of true or false.
fn judge_word(word: &str) -> Option<bool> {
    const TRUE: &[&str] = &[
        "t", "true", "y", "yes", "1", "a", "√", "✓", "✔", "对", "正确", "是",
    ];
    const FALSE: &[&str] = &[
        "f", "false", "n", "no", "0", "b", "×", "✗", "✘", "x", "错", "错误", "否",
    ];
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        // A full-width letter or digit (Ｔ, ｆ, １) reads as its ASCII twin.
        (Some(c @ '！'..='～'), None) => {
            let narrow = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
            lookup(narrow.encode_utf8(&mut [0; 4]), TRUE, FALSE)
        }
        _ => lookup(word, TRUE, FALSE),
    }
}

fn lookup(word: &str, yes: &[&str], no: &[&str]) -> Option<bool> {
    if yes.iter().any(|w| w.eq_ignore_ascii_case(word)) {
        Some(true)
    } else if no.iter().any(|w| w.eq_ignore_ascii_case(word)) {
        Some(false)
    } else {
        None
    }
}

/// The length of the separator `s` starts with, if any.
fn separator_at(s: &str, tokens: &Tokens) -> Option<usize> {
    tokens
        .separators
        .iter()
        .find(|sep| !sep.is_empty() && s.starts_with(sep.as_str()))
        .map(String::len)
}

/// `[A|C]` → `A|C` (also `()`, `{}`, `【】`, `（）`).
fn unbracket(s: &str) -> &str {
    let mut chars = s.chars();
    let (Some(open), Some(close)) = (chars.next(), chars.next_back()) else {
        return s;
    };
    match (open, close) {
        ('[', ']') | ('(', ')') | ('{', '}') | ('【', '】') | ('（', '）') => {
            s[open.len_utf8()..s.len() - close.len_utf8()].trim()
        }
        _ => s,
    }
}

fn letter(i: usize) -> char {
    (b'A' + i as u8) as char
}

fn span_of(options: usize) -> String {
    match options {
        0 => "none".into(),
        1 => "A".into(),
        n => format!("A–{}", letter(n - 1)),
    }
}

fn error(text: &str, reason: String) -> CellError {
    CellError {
        text: text.to_string(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SINGLE: CellKind = CellKind::Single { options: 4 };
    const MULTIPLE: CellKind = CellKind::Multiple { options: 4 };

    fn read(raw: &str, kind: CellKind) -> (Status, String, Option<bool>) {
        let cell = parse_cell(raw, kind, &Tokens::default()).unwrap();
        (cell.status, cell.letters.to_string(), cell.judge)
    }

    fn letters(raw: &str) -> String {
        let (status, letters, _) = read(raw, MULTIPLE);
        assert_eq!(status, Status::Ok, "{raw}");
        letters
    }

    fn judge(raw: &str) -> Option<bool> {
        let (status, _, value) = read(raw, CellKind::Judge);
        assert_eq!(status, Status::Ok, "{raw}");
        value
    }

    #[test]
    fn multi_select_spellings_of_every_scanner() {
        for raw in [
            "AC", "A,C", "A|C", "[A|C]", "A;C", "A、C", "ac", "Ａ Ｃ", "CA", " A, C ", "(A C)",
            "A，C", "0;1;0;1",
        ] {
            let expect = if raw == "0;1;0;1" { "BD" } else { "AC" };
            assert_eq!(letters(raw), expect, "{raw}");
        }
        assert_eq!(letters("1;0;1;0"), "AC");
        assert_eq!(letters("0101"), "BD");
        assert_eq!(letters("ＡＢＣ"), "ABC");
        assert_eq!(letters("AAC"), "AC");
    }

    #[test]
    fn several_letters_on_a_single_item_are_a_multi_mark_that_keeps_them() {
        assert_eq!(read("BD", SINGLE), (Status::Multi, "BD".into(), None));
        assert_eq!(read("[A|C]", SINGLE), (Status::Multi, "AC".into(), None));
        assert_eq!(read("0;1;0;1", SINGLE), (Status::Multi, "BD".into(), None));
        assert_eq!(read("b", SINGLE), (Status::Ok, "B".into(), None));
    }

    #[test]
    fn tokens_for_multi_unreadable_and_blank() {
        assert_eq!(read("*", SINGLE), (Status::Multi, String::new(), None));
        assert_eq!(read(">", SINGLE), (Status::Multi, String::new(), None));
        assert_eq!(read("?", SINGLE), (Status::Unreadable, String::new(), None));
        assert_eq!(read("", SINGLE), (Status::Blank, String::new(), None));
        assert_eq!(read("  ", MULTIPLE), (Status::Blank, String::new(), None));
        assert_eq!(
            read("0;0;0;0", MULTIPLE),
            (Status::Blank, String::new(), None)
        );
        assert_eq!(read("?", CellKind::Judge).0, Status::Unreadable);

        let tokens = Tokens {
            blank: vec!["BLANK".into(), "G".into()],
            multi: vec!["F".into()],
            unreadable: vec!["ERR".into()],
            ..Tokens::default()
        };
        let status = |raw| parse_cell(raw, SINGLE, &tokens).unwrap().status;
        assert_eq!(status("blank"), Status::Blank);
        assert_eq!(status("G"), Status::Blank);
        assert_eq!(status("F"), Status::Multi);
        assert_eq!(status("err"), Status::Unreadable);
        // The configured lists replace the defaults.
        assert!(parse_cell("?", SINGLE, &tokens).is_err());
    }

    #[test]
    fn amc_none_of_the_above_box_is_the_last_option() {
        let amc = Tokens {
            none_box: true,
            ..Tokens::default()
        };
        let cell = parse_cell("0", CellKind::Multiple { options: 5 }, &amc).unwrap();
        assert_eq!(
            (cell.status, cell.letters.to_string()),
            (Status::Ok, "E".into())
        );
        let cell = parse_cell("0B", CellKind::Single { options: 5 }, &amc).unwrap();
        assert_eq!(
            (cell.status, cell.letters.to_string()),
            (Status::Multi, "BE".into())
        );
        // Without the AMC tokens a digit is not a mark.
        assert!(parse_cell("0B", SINGLE, &Tokens::default()).is_err());
    }

    #[test]
    fn judge_spellings() {
        for raw in [
            "T", "true", "TRUE", "√", "✓", "✔", "对", "正确", "是", "Y", "yes", "1", "A", "ａ",
            "Ｔ",
        ] {
            assert_eq!(judge(raw), Some(true), "{raw}");
        }
        for raw in [
            "F", "false", "×", "✗", "✘", "x", "错", "错误", "否", "N", "no", "0", "B", "ｂ",
        ] {
            assert_eq!(judge(raw), Some(false), "{raw}");
        }
        assert_eq!(judge("1;0"), Some(true));
        assert_eq!(judge("0;1"), Some(false));
        assert_eq!(judge(" [T] "), Some(true));
    }

    #[test]
    fn both_judge_answers_are_a_multi_mark() {
        for raw in [
            "AB",
            "TF",
            "T,F",
            "√×",
            "对错",
            "正确|错误",
            "[A|B]",
            "1;1",
            "true false",
        ] {
            assert_eq!(
                read(raw, CellKind::Judge),
                (Status::Multi, String::new(), None),
                "{raw}"
            );
        }
        assert_eq!(read("0;0", CellKind::Judge).0, Status::Blank);
    }

    #[test]
    fn text_items_keep_their_text() {
        let cell = parse_cell("  二氧化硫 | SO2 ", CellKind::Text, &Tokens::default()).unwrap();
        assert_eq!((cell.status, cell.text), (Status::Ok, "二氧化硫 | SO2"));
        assert_eq!(cell.letters, Letters::new());
        // A question mark is an answer, not a scanner token, in free text.
        assert_eq!(
            parse_cell("?", CellKind::Text, &Tokens::default())
                .unwrap()
                .status,
            Status::Ok
        );
        assert_eq!(
            parse_cell("", CellKind::Text, &Tokens::default())
                .unwrap()
                .status,
            Status::Blank
        );
    }

    #[test]
    fn cells_that_are_not_marks_are_errors_naming_the_text() {
        let err = |raw, kind| {
            parse_cell(raw, kind, &Tokens::default())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("E", SINGLE),
            "`E` is not a valid answer: `E` is beyond the 4 options of this item (A–D)"
        );
        assert_eq!(
            err("hello", MULTIPLE),
            "`hello` is not a valid answer: `h` is beyond the 4 options of this item (A–D)"
        );
        assert_eq!(
            err("A+C", MULTIPLE),
            "`A+C` is not a valid answer: `+` is neither an option letter nor a separator"
        );
        assert_eq!(
            err("0;1;0;1;1", MULTIPLE),
            "`0;1;0;1;1` is not a valid answer: it lists 5 boxes but the item has 4 options"
        );
        assert!(err("maybe", CellKind::Judge)
            .starts_with("`maybe` is not a valid answer: a true/false item takes"));
    }

    #[test]
    fn status_and_letters_print_as_reports_show_them() {
        let shown: Vec<String> = [Status::Ok, Status::Blank, Status::Multi, Status::Unreadable]
            .iter()
            .map(Status::to_string)
            .collect();
        assert_eq!(shown, ["ok", "blank", "multi", "unreadable"]);
        let set = Letters::from_indices([3, 0, 3]);
        assert_eq!(
            (set.to_string(), set.len(), set.to_vec()),
            ("AD".into(), 2, vec![0, 3])
        );
        assert_eq!(format!("{set:?}"), "Letters(\"AD\")");
    }
}
