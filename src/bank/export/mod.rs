//! Banks written out for other tools: the 题库 table (xlsx / CSV with Chinese headers), GIFT and
//! Moodle XML; and the bank TOML that `bank import` writes. Pure: questions in, bytes out, with a
//! warning for every field the target cannot hold.

mod gift;
mod moodle;
mod table;
mod toml;

#[cfg(test)]
mod tests;

pub use self::toml::{header_toml, question_toml, to_toml};
pub use gift::to_gift;
pub use moodle::{snap_fraction, to_moodle_xml, MOODLE_FRACTIONS};
pub use table::{to_csv, to_rows, to_xlsx, HEADERS};

use crate::bank::{blank_runs, Answer, Kind, Question, TextFormat};
use crate::input::diagnostic::Diagnostic;

/// The target formats of `bank export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Xlsx,
    Csv,
    Gift,
    MoodleXml,
}

/// An export: the file's bytes, how many questions it holds, and what was left out or changed.
#[derive(Debug)]
pub struct Exported {
    pub bytes: Vec<u8>,
    pub written: usize,
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether `target` can hold `q` at all: no format holds a case's parts, and GIFT holds one
/// blank per question.
pub fn holds(target: Target, q: &Question) -> bool {
    match (&q.answer, target) {
        (Answer::Parts, _) => false,
        (Answer::Fill(blanks), Target::Gift) => blanks.len() == 1 && blank_runs(&q.stem).len() == 1,
        _ => q.kind != Kind::Case,
    }
}

/// Exports questions to `target`.
pub fn export(target: Target, questions: &[Question]) -> Result<Exported, String> {
    let mut diagnostics = Vec::new();
    let bytes = match target {
        Target::Xlsx => to_xlsx(questions, &mut diagnostics)?,
        Target::Csv => to_csv(questions, &mut diagnostics),
        Target::Gift => to_gift(questions, &mut diagnostics).into_bytes(),
        Target::MoodleXml => to_moodle_xml(questions, &mut diagnostics).into_bytes(),
    };
    let written = questions.iter().filter(|q| holds(target, q)).count();
    Ok(Exported {
        bytes,
        written,
        diagnostics,
    })
}

/// A warning about question `q`, placed at its bank location.
fn warn(q: &Question, msg: impl Into<String>, hint: &str) -> Diagnostic {
    Diagnostic::warning(None, format!("{}: `{}`: {}", q.location, q.id, msg.into())).with_hint(hint)
}

/// Case questions have parts that no exchange format holds; they are left out with a warning.
fn exportable<'a>(questions: &'a [Question], diags: &mut Vec<Diagnostic>) -> Vec<&'a Question> {
    let mut out = Vec::new();
    for q in questions {
        if q.kind == Kind::Case {
            diags.push(warn(
                q,
                "a case with parts is not exported",
                "export its parts as questions of their own if they stand alone",
            ));
            continue;
        }
        if q.format == TextFormat::Typst {
            diags.push(warn(
                q,
                "Typst markup is exported as plain text",
                "check the question in the target tool",
            ));
        }
        out.push(q);
    }
    out
}

/// A short answer's reference with its rubric (after a `评分要点：` line) and, where the target
/// has no field of its own for it, the explanation (after `解析：`); `bank import` splits them again.
fn reference_text(reference: &str, rubric: &[String], explanation: Option<&str>) -> String {
    let mut s = reference.to_string();
    if !rubric.is_empty() {
        s.push_str("\n评分要点：");
        for r in rubric {
            s.push('\n');
            s.push_str(r);
        }
    }
    if let Some(e) = explanation.filter(|e| !e.is_empty()) {
        s.push_str("\n解析：");
        s.push_str(e);
    }
    s
}

/// The points as written in a file: `2`, `0.5`.
fn points_text(p: f64) -> String {
    if p.fract() == 0.0 && p.abs() < 1e15 {
        format!("{}", p as i64)
    } else {
        format!("{p}")
    }
}
