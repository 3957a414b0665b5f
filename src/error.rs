//! The error every command can return, how it is printed, and the exit status.
//!
//! Each failure keeps its cause: errors of the tool's parts (a CSV, a scanner sheet, a script, a
//! render) are held as they are (`#[from]`), so that `caused by:` and the part's own hint reach
//! the user.

use crate::input::diagnostic::{Diagnostics, Lang, Location, Zh};
use crate::input::table::TableError;
use std::path::PathBuf;

/// How a run ended, as the process exit status.
///
/// | code | meaning |
/// |---|---|
/// | 0 | done |
/// | 1 | invalid input: nothing (or nothing more) was written |
/// | 2 | usage or environment: a flag that cannot be used, a missing tool or font |
/// | 3 | done, but some inputs were rejected (rows of a scanner CSV or a score sheet, questions skipped by `bank import --skip-bad`) or some results wait (items sent to arbitration); the outputs are written and the rejects listed |
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitCode {
    Success = 0,
    Invalid = 1,
    Usage = 2,
    Rejected = 3,
    /// `event status`: some outputs are out of date.
    OutOfDate = 4,
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code as u8)
    }
}

/// A failure that ends a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An output exists and `--force` was not given.
    #[error("`{}` already exists", path.display())]
    Exists { path: PathBuf },
    /// Input files hold errors that were already printed as diagnostics; `zh` is the line in
    /// Chinese (`FILE 中有 N 处错误`), set when the files are Chinese ([`Lang::of_diagnostics`]).
    #[error("{}", match zh {
        Some(line) => line.clone(),
        None => format!("{count} error(s) in {what}"),
    })]
    Reported {
        count: usize,
        what: String,
        zh: Option<String>,
    },
    /// Bad input that no part of the tool has a type for, with what to do about it (in Chinese
    /// too when it has the words, shown when the input is Chinese: [`Error::zh`]).
    #[error("{}", match zh { Some(z) if z.shown => &z.message, _ => message })]
    Input {
        message: String,
        hint: Option<String>,
        zh: Option<Box<Zh>>,
    },
    /// A command-line value that cannot be used (exit status 2).
    #[error("{message}")]
    Usage { message: String, hint: String },
    /// A bad row of a CSV the user gave, at its line (the header is line 1); in Chinese too when
    /// it has the words, shown when the CSV is Chinese ([`Error::zh`]).
    #[error("{file}:{line}: {}", match zh { Some(z) if z.shown => &z.message, _ => message })]
    Row {
        file: String,
        line: usize,
        message: String,
        hint: String,
        zh: Option<Box<Zh>>,
    },
    /// A text file that must be UTF-8 and is not.
    #[error("{location}: not UTF-8 (the first invalid byte is here)")]
    NotUtf8 { location: Location },
    /// A JSON file examforge wrote that cannot be read back.
    #[error("{}:{}:{}: not {what}", path.display(), source.line(), source.column())]
    Json {
        path: PathBuf,
        what: &'static str,
        hint: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// An input file with errors, each at its `file:line:col` with a hint.
    #[error(transparent)]
    Diagnostics(#[from] crate::input::diagnostic::Diagnostics),
    /// A CSV that cannot be read (encoding, quoting, an empty file).
    #[error(transparent)]
    Table(#[from] TableError),
    /// A scanner CSV or layout that cannot be used.
    #[error(transparent)]
    Sheet(#[from] crate::sheet::SheetError),
    /// A rhai script that cannot be compiled or fails.
    #[error(transparent)]
    Script(#[from] crate::score::script::ScriptError),
    /// A draw that cannot be made from the blueprint and banks.
    #[error(transparent)]
    Draw(#[from] crate::draw::DrawError),
    /// Standings that cannot be computed.
    #[error(transparent)]
    Standings(#[from] crate::event::standings::StandingsError),
    /// Papers that cannot be rendered.
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    /// A PDF that cannot be read or assembled.
    #[error(transparent)]
    Pdf(#[from] crate::render::pdf::PdfError),
    /// An exam.json that breaks what a draw guarantees, or was made by a newer examforge.
    #[error("{}: cannot be used{}", path.display(), list_problems(problems))]
    Manifest {
        path: PathBuf,
        problems: Vec<crate::draw::manifest_check::ManifestError>,
    },
    /// typst could not be found, started or used, or failed on a source.
    #[error(transparent)]
    Typst(#[from] crate::io::typst::TypstError),
    /// The machine lacks something (an external tool, a font).
    #[error("{message}")]
    Environment {
        message: String,
        hint: Option<String>,
    },
}

impl Error {
    /// Bad input with a hint.
    pub fn input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Input {
            message: message.into(),
            hint: Some(hint.into()),
            zh: None,
        }
    }

    /// The message and hint of bad input (or of a bad row) in Chinese, as
    /// [`Diagnostic::zh`](crate::input::diagnostic::Diagnostic::zh); other errors are left as
    /// they are.
    pub fn zh(mut self, message: impl Into<String>, hint: impl Into<String>) -> Self {
        if let Error::Input { zh, .. } | Error::Row { zh, .. } = &mut self {
            *zh = Some(Box::new(Zh::new(message, hint)));
        }
        self
    }

    /// Shows the Chinese words of bad input (when it has them) if `lang`, the language of the
    /// input it is about, is Chinese; a rule script's error is told in Chinese then too.
    pub fn in_language(mut self, lang: Lang) -> Self {
        if let (Error::Script(e), Lang::Zh) = (&self, lang) {
            return Error::Input {
                message: e.to_string(),
                hint: e.hint(),
                zh: Some(Box::new(Zh {
                    message: e.zh(),
                    hint: e.hint_zh(),
                    shown: true,
                })),
            };
        }
        match &mut self {
            Error::Input { zh: Some(zh), .. } | Error::Row { zh: Some(zh), .. } => {
                zh.shown = lang == Lang::Zh
            }
            Error::Diagnostics(d) => {
                let list = std::mem::replace(d, Diagnostics::new(String::new(), Vec::new()));
                *d = list.in_language(lang);
            }
            _ => {}
        }
        self
    }

    /// A command-line value that cannot be used, with what to give instead.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A bad row of the CSV `file` at `line`.
    pub fn row(
        file: impl std::fmt::Display,
        line: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Error::Row {
            file: file.to_string(),
            line,
            message: message.into(),
            hint: hint.into(),
            zh: None,
        }
    }

    /// A JSON file (`what`: "an examforge exam.json") that serde could not read.
    pub fn json(
        path: impl Into<PathBuf>,
        what: &'static str,
        hint: &'static str,
        source: serde_json::Error,
    ) -> Self {
        Error::Json {
            path: path.into(),
            what,
            hint,
            source,
        }
    }

    /// `text` of `path` is not UTF-8: where its first invalid byte is.
    pub fn not_utf8(path: &std::path::Path, bytes: &[u8], e: &std::str::Utf8Error) -> Self {
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
        Error::NotUtf8 {
            location: Location::at(&path.display().to_string(), valid, valid.len()),
        }
    }

    /// The exit status: 1 for invalid input, 2 for usage and the environment.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Environment { .. } | Error::Usage { .. } => ExitCode::Usage,
            Error::Typst(e) if e.is_environment() => ExitCode::Usage,
            _ => ExitCode::Invalid,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Exists { .. } => {
                Some("pass --force to overwrite, or choose another folder with -o".into())
            }
            Error::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Some("check the path; relative paths start from the current folder".into())
            }
            Error::Input {
                zh: Some(zh), hint, ..
            } if zh.shown => zh.hint.clone().or(hint.clone()),
            Error::Row {
                zh: Some(zh), hint, ..
            } if zh.shown => zh.hint.clone().or(Some(hint.clone())),
            Error::Input { hint, .. } | Error::Environment { hint, .. } => hint.clone(),
            Error::Usage { hint, .. } | Error::Row { hint, .. } => Some(hint.clone()),
            Error::NotUtf8 { .. } => {
                Some("save the file as UTF-8 (in Excel or an editor: 另存为 → 编码 UTF-8)".into())
            }
            Error::Json { hint, .. } => Some(hint.to_string()),
            Error::Diagnostics(d) => d.hint(),
            Error::Table(e) => e.hint(),
            Error::Sheet(e) => e.hint(),
            Error::Script(e) => e.hint(),
            Error::Draw(e) => e.hint(),
            Error::Standings(e) => e.hint(),
            Error::Render(e) => e.hint(),
            Error::Typst(e) => e.hint(),
            Error::Pdf(e) => e.hint(),
            Error::Manifest { problems, .. } => problems.first().map(|p| p.hint()),
            _ => None,
        }
    }
}

/// `: problem` for one, or a count and one problem a line.
fn list_problems(problems: &[crate::draw::manifest_check::ManifestError]) -> String {
    match problems {
        [one] => format!(": {one}"),
        many => {
            let mut s = format!(" ({} problems):", many.len());
            for p in many {
                s.push_str(&format!("\n  - {p}"));
            }
            s
        }
    }
}

/// Prints `error: …`, its `caused by:` chain and a `hint:` to stderr.
pub fn print(e: &Error) {
    eprintln!("error: {e}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        eprintln!("caused by: {s}");
        source = s.source();
    }
    if let Some(h) = e.hint() {
        eprintln!("hint: {h}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_scripts_error_is_told_in_the_language_of_the_file_that_names_it() {
        use crate::score::script::{Hook, ScriptError};
        let e = ScriptError::MissingHook {
            script: "r.rhai".into(),
            function: Hook::Judge,
        };
        let en = Error::from(e.clone()).in_language(Lang::En);
        assert_eq!(
            en.to_string(),
            "rule script `r.rhai` has no `judge` function"
        );
        let zh = Error::from(e).in_language(Lang::Zh);
        assert_eq!(zh.to_string(), "规则脚本 `r.rhai` 没有 `judge` 函数");
        assert_eq!(
            zh.hint().as_deref(),
            Some("在脚本中加上 `fn judge(sheets) { … }`，或换一个有这个函数的脚本")
        );
        assert_eq!(zh.exit_code(), en.exit_code());
    }

    #[test]
    fn exit_codes_are_distinct_and_documented() {
        let codes = [
            ExitCode::Success,
            ExitCode::Invalid,
            ExitCode::Usage,
            ExitCode::Rejected,
        ];
        assert_eq!(codes.map(|c| c as u8), [0, 1, 2, 3]);
        assert_eq!(
            Error::usage("--top 0", "use 3").exit_code(),
            ExitCode::Usage
        );
        assert_eq!(
            Error::row("r.csv", 4, "empty id", "fill it").exit_code(),
            ExitCode::Invalid
        );
        // A status combines as the worse of two steps (scan, then grade).
        assert_eq!(
            ExitCode::Success.max(ExitCode::Rejected),
            ExitCode::Rejected
        );
    }

    #[test]
    fn a_conversion_keeps_the_cause_and_the_hint() {
        let bad = crate::input::table::parse("r.csv", &b"id\n1\n\xFF\xFF\n"[..]);
        // Valid GB18030 in the prefix? 0xFF is invalid in both UTF-8 and GB18030.
        let e: Error = bad.unwrap_err().into();
        assert!(e.to_string().starts_with("r.csv:3:"), "{e}");
        assert!(e.hint().unwrap().contains("UTF-8"), "{:?}", e.hint());

        let json = serde_json::from_str::<serde_json::Value>("{\n  \"a\": x\n}").unwrap_err();
        let e = Error::json("exam.json", "an examforge exam.json", "draw it again", json);
        assert!(e.to_string().starts_with("exam.json:2:"), "{e}");
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn bad_input_and_bad_rows_are_told_in_the_language_of_their_file() {
        let input = || {
            Error::input("`out` holds other files", "choose another folder")
                .zh("`out` 里有别的文件", "换一个文件夹")
        };
        assert_eq!(
            input().in_language(Lang::En).to_string(),
            "`out` holds other files"
        );
        assert_eq!(input().hint().as_deref(), Some("choose another folder"));
        let zh = input().in_language(Lang::Zh);
        assert_eq!(zh.to_string(), "`out` 里有别的文件");
        assert_eq!(zh.hint().as_deref(), Some("换一个文件夹"));
        let row = || Error::row("s.csv", 4, "no entrant", "name one").zh("没有参赛者", "写一个");
        assert_eq!(
            row().in_language(Lang::En).to_string(),
            "s.csv:4: no entrant"
        );
        let zh = row().in_language(Lang::Zh);
        assert_eq!(zh.to_string(), "s.csv:4: 没有参赛者");
        assert_eq!(zh.hint().as_deref(), Some("写一个"));
        // Words only for the kinds that take them; other errors stay as they are.
        let usage = Error::usage("--top 0", "use 3")
            .zh("x", "y")
            .in_language(Lang::Zh);
        assert_eq!(
            (usage.to_string(), usage.hint()),
            ("--top 0".into(), Some("use 3".into()))
        );
    }

    #[test]
    fn a_non_utf8_file_names_the_line_and_column_of_its_bad_byte() {
        let bytes = [b"a = 1\nb = \"".as_slice(), &[0xC0, 0xEE], b"\"\n"].concat();
        let e = std::str::from_utf8(&bytes).unwrap_err();
        let err = Error::not_utf8(std::path::Path::new("laws.toml"), &bytes, &e);
        assert_eq!(
            err.to_string(),
            "laws.toml:2:6: not UTF-8 (the first invalid byte is here)"
        );
    }
}
