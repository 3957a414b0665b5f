//! The 题库 table a colleague edits in Excel: one row per question, Chinese headers that
//! `bank import` reads back.

use super::{exportable, points_text, warn};
use crate::bank::import::normalise::format_fill;
use crate::bank::{Answer, Kind, Question};
use crate::input::diagnostic::Diagnostic;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

/// The header row.
pub const HEADERS: [&str; 19] = [
    "编号",
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "选项E",
    "选项F",
    "选项G",
    "选项H",
    "正确答案",
    "解析",
    "难度",
    "分值",
    "知识点",
    "出处",
    "乱序",
    "评分要点",
];

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Single => "单选题",
        Kind::Multiple => "多选题",
        Kind::Judge => "判断题",
        Kind::Fill => "填空题",
        Kind::Short | Kind::Case => "简答题",
    }
}

/// The table's rows, header first.
pub fn to_rows(questions: &[Question], diags: &mut Vec<Diagnostic>) -> Vec<Vec<String>> {
    let mut rows = vec![HEADERS.iter().map(|s| s.to_string()).collect()];
    for q in exportable(questions, diags) {
        let mut options = q.options.clone();
        options.resize(8, String::new());
        let answer = match &q.answer {
            Answer::Choice(l) => Answer::letters(l),
            Answer::Judge(b) => if *b { "正确" } else { "错误" }.to_string(),
            Answer::Fill(blanks) => {
                if blanks
                    .iter()
                    .flatten()
                    .any(|a| a.contains(['|', ';', '；', '｜']))
                {
                    diags.push(warn(q, "an accepted answer holds `|` or `;`, which separate blanks and alternatives in the sheet", "edit that answer after importing the sheet again"));
                }
                format_fill(blanks)
            }
            Answer::Text { reference, .. } => reference.clone(),
            Answer::Parts => String::new(),
        };
        let rubric = match &q.answer {
            Answer::Text { rubric, .. } => rubric.join("|"),
            _ => String::new(),
        };
        if q.tags.iter().any(|t| t.contains([';', '；'])) {
            diags.push(warn(
                q,
                "a tag holds `;`, which separates tags in the sheet",
                "rename the tag",
            ));
        }
        let mut row = vec![q.id.clone(), kind_name(q.kind).to_string(), q.stem.clone()];
        row.extend(options);
        row.extend([
            answer,
            q.explanation.clone(),
            q.difficulty.to_string(),
            points_text(q.points),
            q.tags.join(";"),
            q.source.clone(),
            if q.shuffle {
                String::new()
            } else {
                "否".into()
            },
            rubric,
        ]);
        rows.push(row);
    }
    rows
}

/// CSV UTF-8 with a BOM, as Excel's "CSV UTF-8" writes it, so that Excel opens it right.
pub fn to_csv(questions: &[Question], diags: &mut Vec<Diagnostic>) -> Vec<u8> {
    let rows = to_rows(questions, diags);
    // Cells Excel would run as formulas are guarded; `bank import` reads them back as written.
    let mut w = crate::input::table::Writer::from_builder(
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF),
        b"\xEF\xBB\xBF".to_vec(),
    );
    for r in &rows {
        w.write_record(r).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// An .xlsx workbook with one sheet 题库; its document date is fixed so that the bytes only
/// depend on the questions.
pub fn to_xlsx(questions: &[Question], diags: &mut Vec<Diagnostic>) -> Result<Vec<u8>, String> {
    let rows = to_rows(questions, diags);
    let mut book = Workbook::new();
    let date = ExcelDateTime::from_ymd(2000, 1, 1).map_err(|e| e.to_string())?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&date));
    let sheet = book.add_worksheet();
    sheet.set_name("题库").map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            let res = if r == 0 {
                sheet.write_string_with_format(r, c, cell, &bold)
            } else {
                sheet.write_string_with_format(r, c, cell, &wrap)
            };
            res.map_err(|e| e.to_string())?;
        }
    }
    sheet.set_column_width(2, 50).map_err(|e| e.to_string())?;
    sheet.set_column_width(12, 30).map_err(|e| e.to_string())?;
    sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    book.save_to_buffer().map_err(|e| e.to_string())
}
