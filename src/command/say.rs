//! What a command tells the person at the terminal once it is done, in the language of its input:
//! a heading, one line per count with its label padded to one width (a Chinese character takes
//! two columns), and the files written.

use crate::input::diagnostic::Lang;
use std::fmt::Display;
use unicode_width::UnicodeWidthStr;

/// The closing lines of a command, in Chinese when its input is.
#[derive(Debug, Clone, Copy)]
pub(super) struct Say {
    zh: bool,
}

impl Say {
    pub fn new(lang: Lang) -> Say {
        Say {
            zh: lang == Lang::Zh,
        }
    }

    pub fn zh(self) -> bool {
        self.zh
    }

    /// The words of this language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        if self.zh {
            zh
        } else {
            en
        }
    }

    /// `file: what` (`file：what`).
    pub fn head(self, file: impl Display, what: impl Display) {
        eprintln!("{file}{}{what}", self.pick(": ", "："));
    }

    /// `  label         n  (why)`: a count under the heading, `why` left out when empty.
    pub fn count(self, label: &str, n: impl Display, why: &str) {
        let pad = 14usize.saturating_sub(label.width());
        let why = match (why.is_empty(), self.zh) {
            (true, _) => String::new(),
            (false, true) => format!("  （{why}）"),
            (false, false) => format!("  ({why})"),
        };
        eprintln!("  {label}{:pad$}{n:>6}{why}", "");
    }

    /// `  label: text`, an indented line under the heading.
    pub fn item(self, label: &str, text: impl Display) {
        eprintln!("  {label}{}{text}", self.pick(": ", "："));
    }

    /// `wrote a, b, c` (`已写出 a、b、c`).
    pub fn wrote<I: IntoIterator<Item = T>, T: Display>(self, files: I) {
        let files: Vec<String> = files.into_iter().map(|f| f.to_string()).collect();
        if self.zh {
            eprintln!("已写出 {}", files.join("、"));
        } else {
            eprintln!("wrote {}", files.join(", "));
        }
    }
}
