//! Located messages about user input: `file:line:col: error: …` with a `hint:`.
//!
//! A message may also carry its words in Chinese ([`Diagnostic::zh`]); they are the ones shown
//! when the input it is about is Chinese. The reader of a file decides that once for the whole
//! file from the file's own text ([`Lang::of_toml`], [`Lang::of_text`]) and applies it to what it
//! found ([`Diagnostic::in_language`]); a message never guesses for itself. The keywords
//! `error:`, `warning:` and `hint:` stay as they are in both languages (scripts look for them),
//! and JSON keeps the English words, with the Chinese as `message_zh` / `hint_zh`.

use std::fmt;

/// A place in a user's file; `line` and `col` are 1-based, `col` counts characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

impl Location {
    /// The location of byte `offset` within `src`.
    pub fn at(file: &str, src: &str, offset: usize) -> Self {
        let (line, col) = line_col(src, offset);
        Location {
            file: file.to_string(),
            line,
            col,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// 1-based line and character column of byte `offset` in `src`.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let mut start = offset;
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    let before = &src[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Prints diagnostics on stderr, one per line (with its hint), through one buffer: a bank of
/// 10⁵ questions may have as many warnings, and unbuffered they cost a write per piece.
pub fn eprint_all<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) {
    use std::io::Write;
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    for d in diags {
        // A file staged by the run being made is named where the user will find it.
        let shown = match &d.location {
            Some(l) if l.file.contains(crate::io::output::STAGING) => {
                crate::io::output::shown_in(&d.to_string())
            }
            _ => d.to_string(),
        };
        // As eprintln!, a closed stderr is not an error of the run.
        if writeln!(err, "{shown}").is_err() {
            return;
        }
    }
    let _ = err.flush();
}

/// The language of an input file, for the words of the messages about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// The language an exam or a competition is written in.
impl From<crate::bank::Language> for Lang {
    fn from(language: crate::bank::Language) -> Lang {
        match language {
            crate::bank::Language::Zh => Lang::Zh,
            crate::bank::Language::En => Lang::En,
        }
    }
}

impl Lang {
    /// The language of a TOML file: Chinese when a key or value holds a CJK character (comments,
    /// which an English file may have in Chinese or the other way round, do not count).
    pub fn of_toml(text: &str) -> Lang {
        Lang::of_text(&toml_without_comments(text))
    }

    /// The language diagnostics were told in: Chinese when one of them shows its Chinese words
    /// (its reader found its file Chinese). A closing line about them follows it.
    pub fn of_diagnostics<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) -> Lang {
        if diags
            .into_iter()
            .any(|d| d.zh.as_ref().is_some_and(|zh| zh.shown))
        {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// The language of a text without comments (a CSV): Chinese when it holds a CJK character.
    pub fn of_text(text: &str) -> Lang {
        if text.chars().any(is_cjk) {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// Whether `c` is a CJK ideograph (the letters of a Chinese text; punctuation alone is not).
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// `text` with its TOML comments removed (a `#` outside strings, to the end of its line).
fn toml_without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // The quote of the string being read: `"`, `'`, `"""` or `'''`.
    let mut open: Option<&str> = None;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match open {
            None if c == '#' => {
                rest = &rest[rest.find('\n').unwrap_or(rest.len())..];
                continue;
            }
            None => {
                if let Some(q) = ["\"\"\"", "'''", "\"", "'"]
                    .into_iter()
                    .find(|q| rest.starts_with(q))
                {
                    open = Some(q);
                    out.push_str(q);
                    rest = &rest[q.len()..];
                    continue;
                }
            }
            Some(q) if rest.starts_with(q) => {
                out.push_str(q);
                rest = &rest[q.len()..];
                open = None;
                continue;
            }
            // A one-line string ends at its line, even when its closing quote is missing.
            Some("\"" | "'") if c == '\n' => open = None,
            // An escaped character of a basic string (`\"` does not close it).
            Some(q) if c == '\\' && q.starts_with('"') => {
                let n: usize = rest.chars().take(2).map(char::len_utf8).sum();
                out.push_str(&rest[..n]);
                rest = &rest[n..];
                continue;
            }
            Some(_) => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A message's words in Chinese, and whether they are the ones shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Zh {
    pub message: String,
    pub hint: Option<String>,
    /// Set by the file's reader when the file is Chinese ([`Diagnostic::in_language`]).
    pub shown: bool,
}

impl Zh {
    /// The words `message` and `hint`, not yet shown.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Zh {
            message: message.into(),
            hint: Some(hint.into()),
            shown: false,
        }
    }
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in user input.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub location: Option<Location>,
    pub message: String,
    pub hint: Option<String>,
    /// The message and hint in Chinese, when the message has them (boxed: most messages have
    /// none, and a diagnostic is often the error of a `Result`).
    pub zh: Option<Box<Zh>>,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location,
            message: message.into(),
            hint: None,
            zh: None,
        }
    }

    /// A warning at `location`.
    pub fn warning(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            location,
            message: message.into(),
            hint: None,
            zh: None,
        }
    }

    /// Adds a hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The message and hint in Chinese, shown instead of the English ones when the reader of the
    /// file finds it Chinese.
    pub fn zh(mut self, message: impl Into<String>, hint: impl Into<String>) -> Self {
        self.zh = Some(Box::new(Zh::new(message, hint)));
        self
    }

    /// Shows the Chinese words (when there are) if `lang` is Chinese, the English ones if not.
    pub fn in_language(mut self, lang: Lang) -> Self {
        if let Some(zh) = &mut self.zh {
            zh.shown = lang == Lang::Zh;
        }
        self
    }

    /// The message as shown: in Chinese when it has the words and its file is Chinese.
    pub fn shown_message(&self) -> &str {
        match &self.zh {
            Some(zh) if zh.shown => &zh.message,
            _ => &self.message,
        }
    }

    /// The hint as shown (see [`Diagnostic::shown_message`]).
    pub fn shown_hint(&self) -> Option<&str> {
        match &self.zh {
            Some(zh) if zh.shown => zh.hint.as_deref().or(self.hint.as_deref()),
            _ => self.hint.as_deref(),
        }
    }

    /// Whether this diagnostic is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{word}: {}", self.shown_message())?;
        if let Some(hint) = self.shown_hint() {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl serde::Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("severity", &self.severity)?;
        if let Some(loc) = &self.location {
            m.serialize_entry("file", &loc.file)?;
            m.serialize_entry("line", &loc.line)?;
            m.serialize_entry("col", &loc.col)?;
        }
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("hint", &self.hint)?;
        if let Some(zh) = &self.zh {
            m.serialize_entry("message_zh", &zh.message)?;
            m.serialize_entry("hint_zh", &zh.hint)?;
        }
        m.end()
    }
}

/// The errors found in one input file, as one value an error enum can carry
/// (`#[error("{0}")] Toml(Diagnostics)`).
///
/// Displayed as `file:line:col: message` when there is one (its hint from [`Diagnostics::hint`]),
/// or as `N errors in `file`:` (`` `file` 中有 N 处错误： `` when they are told in Chinese)
/// followed by each located error and its hint.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostics {
    file: String,
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The diagnostics found in `file`.
    pub fn new(file: impl Into<String>, list: Vec<Diagnostic>) -> Self {
        Diagnostics {
            file: file.into(),
            list,
        }
    }

    /// The file they were found in.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Each diagnostic, in the order found.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.list.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The diagnostics themselves.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.list
    }

    /// Shows each diagnostic's Chinese words (when it has them) if `lang` is Chinese.
    pub fn in_language(mut self, lang: Lang) -> Self {
        self.list = self.list.into_iter().map(|d| d.in_language(lang)).collect();
        self
    }

    /// The hint of a lone diagnostic (several print their hints in the list).
    pub fn hint(&self) -> Option<String> {
        match self.list.as_slice() {
            [one] => one.shown_hint().map(str::to_string),
            _ => None,
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [one] = self.list.as_slice() {
            if let Some(loc) = &one.location {
                write!(f, "{loc}: ")?;
            }
            return write!(f, "{}", one.shown_message());
        }
        match Lang::of_diagnostics(&self.list) {
            Lang::Zh => write!(f, "`{}` 中有 {} 处错误：", self.file, self.list.len())?,
            Lang::En => write!(f, "{} errors in `{}`:", self.list.len(), self.file)?,
        }
        for d in &self.list {
            write!(f, "\n  ")?;
            if let Some(loc) = &d.location {
                write!(f, "{loc}: ")?;
            }
            write!(f, "{}", d.shown_message())?;
            if let Some(h) = d.shown_hint() {
                write!(f, "\n    hint: {h}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// "did you mean …?" for a misspelt name among `known`.
/// What follows a name that was not found: ` (did you mean `x`?)` in English and
/// `（是不是 `x`？）` in Chinese; empty without a guess.
pub fn guess_suffix(guess: Option<&str>, lang: Lang) -> String {
    match (guess, lang) {
        (None, _) => String::new(),
        (Some(g), Lang::En) => format!(" (did you mean `{g}`?)"),
        (Some(g), Lang::Zh) => format!("（是不是 `{g}`？）"),
    }
}

pub fn did_you_mean<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let src = "a = 1\n题 = \"x\"\n";
        assert_eq!(line_col(src, 0), (1, 1));
        let off = src.find('=').unwrap();
        assert_eq!(line_col(src, off), (1, 3));
        let off = src.rfind('=').unwrap();
        assert_eq!(line_col(src, off), (2, 3));
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(did_you_mean("stme", &["stem", "options"]), Some("stem"));
        assert_eq!(did_you_mean("zzzzzz", &["stem"]), None);
    }

    #[test]
    fn a_file_is_chinese_by_its_keys_and_values_not_its_comments() {
        assert_eq!(Lang::of_toml("title = \"执法大练兵\"\n"), Lang::Zh);
        assert_eq!(Lang::of_toml("[event]\n评分表 = 1\n"), Lang::Zh);
        let english =
            "# 考试配置\ntitle = \"Drill # 2\" # 第二次\nnote = '''\n# not a comment\n'''\n";
        assert_eq!(Lang::of_toml(english), Lang::En);
        assert_eq!(Lang::of_toml("a = \"x\\\"# 注\"\n"), Lang::Zh);
        assert_eq!(Lang::of_toml("a = \"\"\"\n# 注\n\"\"\"\n"), Lang::Zh);
        // Full-width punctuation alone does not make a file Chinese.
        assert_eq!(Lang::of_text("id,name\n1,Li（A）\n"), Lang::En);
        assert_eq!(Lang::of_text("准考证号,姓名\n"), Lang::Zh);
    }

    #[test]
    fn chinese_words_are_shown_only_for_a_chinese_file() {
        let at = Some(Location {
            file: "event.toml".into(),
            line: 3,
            col: 6,
        });
        let d = Diagnostic::error(at, "id `a` is used twice")
            .with_hint("give each its own id")
            .zh("编号 `a` 重复使用", "每个赛项用各自的编号");
        assert_eq!(
            d.clone().in_language(Lang::En).to_string(),
            "event.toml:3:6: error: id `a` is used twice\n  hint: give each its own id"
        );
        let zh = d.clone().in_language(Lang::Zh);
        assert_eq!(
            zh.to_string(),
            "event.toml:3:6: error: 编号 `a` 重复使用\n  hint: 每个赛项用各自的编号"
        );
        // JSON keeps the English words and adds the Chinese.
        let json = serde_json::to_value(&zh).unwrap();
        assert_eq!(json["message"], "id `a` is used twice");
        assert_eq!(json["hint"], "give each its own id");
        assert_eq!(json["message_zh"], "编号 `a` 重复使用");
        assert_eq!(json["hint_zh"], "每个赛项用各自的编号");
        let list = Diagnostics::new("event.toml", vec![zh.clone()]);
        assert_eq!(list.to_string(), "event.toml:3:6: 编号 `a` 重复使用");
        assert_eq!(list.hint().as_deref(), Some("每个赛项用各自的编号"));
        // Several: the line that counts them is in their language too.
        let two = Diagnostics::new("event.toml", vec![zh.clone(), zh.clone()]);
        assert!(
            two.to_string()
                .starts_with("`event.toml` 中有 2 处错误：\n  event.toml:3:6: 编号"),
            "{two}"
        );
        assert_eq!(Lang::of_diagnostics(two.iter()), Lang::Zh);
        let en = Diagnostics::new("event.toml", vec![d.clone(), d.clone()]);
        assert!(
            en.to_string().starts_with("2 errors in `event.toml`:"),
            "{en}"
        );
        assert_eq!(Lang::of_diagnostics(en.iter()), Lang::En);
        // Without Chinese words a message stays English in a Chinese file.
        let plain = Diagnostic::error(None, "bad").in_language(Lang::Zh);
        assert_eq!(plain.to_string(), "error: bad");
    }
}
