//! CSV exports of 题库 workbooks: UTF-8 (with or without BOM), UTF-16 ("Unicode text", tabs) or
//! GB18030/GBK; comma, semicolon or tab separated — read by the one CSV reader
//! ([`crate::input::table`]), record by record ([`crate::input::table::Stream`]).

use crate::input::diagnostic::{Diagnostic, Location};
use crate::input::table::TableError;

/// A CSV reading error as a located diagnostic.
pub(super) fn table_diagnostic(file: &str, e: &TableError) -> Diagnostic {
    let location = match e {
        TableError::Encoding { bad, .. } => Some((bad.line, bad.col)),
        TableError::Csv { line, .. } | TableError::NotUtf8 { line, .. } => {
            Some((*line as usize, 1))
        }
        TableError::Empty { .. } => Some((1, 1)),
        TableError::Read { .. } | TableError::NotATable { .. } => None,
    };
    let message = match e {
        TableError::Encoding { bad, .. } => bad.what(),
        TableError::Csv { message, .. } => format!("cannot read the CSV: {message}"),
        TableError::NotUtf8 { field, .. } => format!("field {field} is not valid UTF-8"),
        other => other.to_string(),
    };
    let mut d = Diagnostic::error(
        location.map(|(line, col)| Location {
            file: file.to_string(),
            line,
            col,
        }),
        message,
    );
    d.hint = e.hint();
    // The words for a Chinese 题库 (shown when the file is found Chinese).
    let zh = match e {
        TableError::Encoding { bad, .. } => Some((
            bad.what_zh(),
            format!(
                "文件是按 {} 读的：改正或重新输入这个字符，或把文件另存为“CSV UTF-8”（Excel：另存为 → CSV UTF-8）",
                bad.encoding
            ),
        )),
        TableError::Csv { message, .. } => Some((
            format!("读不了这个 CSV：{message}"),
            "检查这一行的引号：含分隔符的单元格要放在英文双引号里，引号要成对".to_string(),
        )),
        TableError::NotUtf8 { field, .. } => Some((
            format!("第 {field} 列不是有效的 UTF-8"),
            "文件开头是 UTF-8，这一列却不是：改正这一列，或把整个文件另存为“CSV UTF-8”".to_string(),
        )),
        TableError::Empty { .. } => Some((
            "文件是空的，需要一行表头".to_string(),
            "第一行是表头，之后每行一道题".to_string(),
        )),
        TableError::Read { .. } | TableError::NotATable { .. } => None,
    };
    match zh {
        Some((message, hint)) => d.zh(message, hint),
        None => d,
    }
}
