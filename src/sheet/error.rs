//! What can go wrong when a scanner CSV or a layout file is read.

use crate::input::diagnostic::{Diagnostics, Lang, Zh};

/// A scanner CSV or layout file that cannot be used; every message names `file:line`.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The file cannot be read as a CSV (unreadable, empty, a bad byte, a bad quote).
    #[error(transparent)]
    Table(#[from] crate::input::table::TableError),
    /// No built-in layout matches the header (told in Chinese when the header is).
    #[error("{file}:1: {}", match lang {
        Lang::Zh => format!("认不出这是哪种答题卡导出格式（表头：{header}）"),
        Lang::En => format!("unknown answer-sheet layout (header: {header})"),
    })]
    UnknownLayout {
        file: String,
        header: String,
        lang: Lang,
    },
    /// An AMC export without the ticked boxes: it holds scores, not answers.
    #[error("{file}:1: this AMC export has scores but no `TICKED:` answer columns")]
    AmcWithoutTicked { file: String },
    /// A layout does not fit the header it is applied to; in Chinese too when it has the words,
    /// shown when the header is Chinese.
    #[error("{file}:1: {}", match zh { Some(z) if z.shown => &z.message, _ => message })]
    Column {
        file: String,
        message: String,
        hint: Option<String>,
        zh: Option<Box<Zh>>,
    },
    /// A layout file is not valid: every problem, each at its `file:line:col`.
    #[error("{0}")]
    LayoutFile(Diagnostics),
}

/// The layouts `detect_layout` knows, as listed to users.
pub(crate) const KNOWN_LAYOUTS: &str =
    "examforge, zipgrade, omrchecker, formscanner, openmcr, amc (ticked)";

impl SheetError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            SheetError::UnknownLayout { lang: Lang::Zh, .. } => Some(format!(
                "已知的格式：{KNOWN_LAYOUTS}；别的扫描仪的导出，用 `--csv-layout 文件.toml` 说明各列，如\n\
                 \x20   [columns]\n\
                 \x20   candidate = \"准考证号\"\n\
                 \x20   paper = \"试卷类型\"\n\
                 \x20   [answers]\n\
                 \x20   pattern = \"第{{n}}题\""
            )),
            SheetError::UnknownLayout { .. } => Some(format!(
                "known layouts: {KNOWN_LAYOUTS}; for another scanner pass `--layout FILE.toml`, e.g.\n\
                 \x20   [columns]\n\
                 \x20   candidate = \"Student ID\"\n\
                 \x20   paper = \"Version\"\n\
                 \x20   [answers]\n\
                 \x20   pattern = \"Q{{n}}\""
            )),
            SheetError::AmcWithoutTicked { .. } => Some(
                "export again with the ticked boxes: in AMC's CSV export choose \"ticked boxes: AB\", \
                 or on the command line `--option-out ticked=AB`"
                    .into(),
            ),
            SheetError::Table(e) => e.hint(),
            SheetError::Column {
                zh: Some(zh), hint, ..
            } if zh.shown => zh.hint.clone().or(hint.clone()),
            SheetError::Column { hint, .. } => hint.clone(),
            SheetError::LayoutFile(d) => d.hint(),
        }
    }
}

/// A cell whose text is not a mark for the item it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid answer: {reason}")]
pub struct CellError {
    /// The trimmed cell text.
    pub text: String,
    /// Why it was refused.
    pub reason: String,
}
